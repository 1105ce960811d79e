//! `manifest.json` and image configs read the way `docker load` reads them, with Go's
//! `encoding/json` (the outside review's "JSON stricter than Go" cases): keys matched
//! case-insensitively, invalid UTF-8 inside strings read as U+FFFD (each said as a
//! `json-quirk` note), and what Go refuses (a wrong type, a `created` that is not RFC 3339)
//! said as `load-fails` naming the member and the field. The same for an OCI layout's
//! `index.json`, nested indexes and image manifests, read as containerd's import reads them
//! (into the image-spec's structs). Every archive is built here, in memory; digests are
//! computed from the bytes written.

use pancake_core::read::archive::{open, read_stream, Options};
use pancake_core::write::tarwrite::{layer_tar, TarEntry, TarWriter};
use pancake_core::{Archive, Digest, Problem, ProblemKind, Verification};

fn layer() -> Vec<u8> {
    layer_tar(vec![TarEntry::file("k.txt", b"keys\n".to_vec(), 0o644)])
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A config for `layer` whose rootfs and history are `rootfs` and `history` (JSON text).
fn config_with(rootfs: &str, history: &str, created: &str) -> Vec<u8> {
    format!(
        r#"{{"architecture":"amd64","os":"linux","created":{created},"config":{{"Env":["A=1"]}},{rootfs},"history":{history}}}"#
    )
    .into_bytes()
}

fn rootfs() -> String {
    format!(
        r#""rootfs":{{"type":"layers","diff_ids":["{}"]}}"#,
        Digest::of_bytes(&layer())
    )
}

const HISTORY: &str = r#"[{"created":"2024-01-02T03:04:05Z","created_by":"COPY k.txt /"}]"#;
const CREATED: &str = r#""2024-01-02T03:04:05Z""#;

/// A docker-archive (classic layout): `<hex>.json` config, `<hex>/layer.tar`, and the
/// `manifest.json` `manifest(config path, layer path)` writes.
fn archive(config: &[u8], manifest: impl Fn(&str, &str) -> Vec<u8>) -> Archive {
    let cfg_path = format!("{}.json", Digest::of_bytes(config).hex());
    let layer_path = format!("{}/layer.tar", "ab".repeat(32));
    let mut w = TarWriter::new(Vec::new());
    for (p, b) in [
        (cfg_path.clone(), config.to_vec()),
        (layer_path.clone(), layer()),
        (
            "manifest.json".to_string(),
            manifest(&cfg_path, &layer_path),
        ),
    ] {
        w.add(&TarEntry::file(p.as_str(), b, 0o644))
            .unwrap_or_else(|e| panic!("{p}: {e}"));
    }
    let bytes = w.finish().unwrap_or_else(|e| panic!("{e}"));
    let opts = Options::default();
    let a = read_stream("t.tar", &bytes[..], bytes.len() as u64, &opts, &mut |_| {})
        .unwrap_or_else(|e| panic!("read_stream: {e}"));
    let b = open("t.tar", &bytes, &opts, &mut |_| {}).unwrap_or_else(|e| panic!("open: {e}"));
    assert_eq!(a, b, "read_stream and open disagree");
    a
}

fn manifest_as(tag: &str) -> impl Fn(&str, &str) -> Vec<u8> + '_ {
    move |c, l| {
        format!(r#"[{{"Config":"{c}","RepoTags":["{tag}"],"Layers":["{l}"]}}]"#).into_bytes()
    }
}

/// `(kind, member, field)` of every problem.
fn kinds(a: &Archive) -> Vec<(ProblemKind, Option<&str>, Option<&str>)> {
    a.problems
        .iter()
        .map(|p: &Problem| (p.kind, p.member_name(), p.origin.entry.as_deref()))
        .collect()
}

fn config_name(a: &Archive) -> String {
    a.images
        .first()
        .and_then(|i| i.config_digest.as_ref())
        .map(|d| format!("{}.json", d.hex()))
        .unwrap_or_default()
}

fn verified(a: &Archive) -> Vec<Verification> {
    a.images
        .iter()
        .flat_map(|i| i.layers.iter().map(|l| l.verification))
        .collect()
}

#[test]
fn manifest_keys_in_lower_case_are_read_as_docker_reads_them() {
    let cfg = config_with(&rootfs(), HISTORY, CREATED);
    let a = archive(&cfg, |c, l| {
        format!(r#"[{{"config":"{c}","repotags":["dk/dk:1"],"LAYERS":["{l}"]}}]"#).into_bytes()
    });
    assert_eq!(a.images.len(), 1);
    let img = &a.images[0];
    assert_eq!(img.tags, ["dk/dk:1"]);
    assert_eq!(img.history.len(), 1);
    assert_eq!(verified(&a), [Verification::Verified]);
    assert_eq!(
        kinds(&a),
        [
            (
                ProblemKind::JsonQuirk,
                Some("manifest.json"),
                Some("[0].Config")
            ),
            (
                ProblemKind::JsonQuirk,
                Some("manifest.json"),
                Some("[0].RepoTags")
            ),
            (
                ProblemKind::JsonQuirk,
                Some("manifest.json"),
                Some("[0].Layers")
            ),
        ]
    );
    assert!(!a
        .problems
        .iter()
        .any(|p| pancake_core::read::image::is_error_level(p.kind)));
}

#[test]
fn config_keys_in_other_case_give_its_layers() {
    let r = rootfs()
        .replace("\"rootfs\"", "\"RootFS\"")
        .replace("\"diff_ids\"", "\"Diff_IDs\"");
    let cfg = config_with(&r, HISTORY, CREATED);
    let a = archive(&cfg, manifest_as("dk/dk:1"));
    let img = &a.images[0];
    assert_eq!(img.config.diff_ids, [Digest::of_bytes(&layer())]);
    assert_eq!(verified(&a), [Verification::Verified]);
    let c = config_name(&a);
    assert_eq!(
        kinds(&a),
        [
            (ProblemKind::JsonQuirk, Some(c.as_str()), Some("rootfs")),
            (
                ProblemKind::JsonQuirk,
                Some(c.as_str()),
                Some("rootfs.diff_ids")
            ),
        ]
    );
}

#[test]
fn invalid_utf8_in_a_config_string_is_read_as_replacement_characters() {
    let mut cfg = config_with(&rootfs(), HISTORY, CREATED);
    let at = cfg
        .windows(4)
        .position(|w| w == b"COPY")
        .unwrap_or_else(|| panic!("no COPY"));
    cfg.splice(at..at, b"caf\xe9 \xff ".iter().copied());
    let a = archive(&cfg, manifest_as("ju/ju:1"));
    let img = &a.images[0];
    // The digest is over the bytes as stored.
    assert_eq!(img.config_digest, Some(Digest::of_bytes(&cfg)));
    assert_eq!(img.history.len(), 1);
    assert_eq!(
        img.history[0].created_by.as_deref(),
        Some("caf\u{fffd} \u{fffd} COPY k.txt /")
    );
    assert_eq!(img.config.os.as_deref(), Some("linux"));
    assert_eq!(img.config.diff_ids.len(), 1);
    assert_eq!(verified(&a), [Verification::Verified]);
    let c = config_name(&a);
    assert_eq!(
        kinds(&a),
        [(ProblemKind::JsonQuirk, Some(c.as_str()), None)]
    );
}

#[test]
fn invalid_utf8_in_a_tag_keeps_the_image() {
    let cfg = config_with(&rootfs(), HISTORY, CREATED);
    let a = archive(&cfg, |c, l| {
        let mut m = format!(r#"[{{"Config":"{c}","RepoTags":["ju/ju:caf"#).into_bytes();
        m.push(0xe9);
        m.extend(format!(r#""],"Layers":["{l}"]}}]"#).bytes());
        m
    });
    assert_eq!(a.images.len(), 1);
    assert_eq!(a.images[0].tags, ["ju/ju:caf\u{fffd}"]);
    assert_eq!(verified(&a), [Verification::Verified]);
    // U+FFFD is not a tag character (`[\w][\w.-]*`): docker load then refuses the name.
    assert_eq!(
        kinds(&a),
        [
            (ProblemKind::JsonQuirk, Some("manifest.json"), None),
            (
                ProblemKind::LoadFails,
                Some("manifest.json"),
                Some("[0].RepoTags[0]")
            )
        ]
    );
}

#[test]
fn a_created_go_cannot_parse_fails_the_load_and_names_the_field() {
    let cfg = config_with(&rootfs(), HISTORY, r#""not a date""#);
    let a = archive(&cfg, manifest_as("el/el:1"));
    assert_eq!(a.images.len(), 1);
    assert_eq!(a.images[0].history.len(), 1);
    assert_eq!(verified(&a), [Verification::Verified]);
    let c = config_name(&a);
    assert_eq!(
        kinds(&a),
        [(ProblemKind::LoadFails, Some(c.as_str()), Some("created"))]
    );
    // The image as a whole is refused (the page's summary says so beside the digests).
    assert!(pancake_core::analyze::image_claims::load_refused_in(
        &a,
        &a.images[0]
    ));
    assert!(!pancake_core::analyze::image_claims::load_refused(
        &a.images[0]
    ));
    // In a history step too, and a number is not a time either.
    let h = r#"[{"created":"2024-02-30T00:00:00Z","created_by":"COPY k.txt /"}]"#;
    let a = archive(
        &config_with(&rootfs(), h, "1700000000"),
        manifest_as("el/el:1"),
    );
    let c = config_name(&a);
    assert_eq!(
        kinds(&a),
        [
            (ProblemKind::LoadFails, Some(c.as_str()), Some("created")),
            (
                ProblemKind::LoadFails,
                Some(c.as_str()),
                Some("history[0].created")
            ),
        ]
    );
}

#[test]
fn a_string_empty_layer_fails_the_load_for_its_type_not_for_the_step_count() {
    let h = r#"[{"created_by":"ENV A=1","empty_layer":"true"},{"created_by":"COPY k.txt /"}]"#;
    let a = archive(&config_with(&rootfs(), h, CREATED), manifest_as("el/el:1"));
    assert_eq!(a.images.len(), 1);
    assert_eq!(a.images[0].history.len(), 2);
    assert_eq!(verified(&a), [Verification::Verified]);
    let c = config_name(&a);
    let load: Vec<_> = kinds(&a)
        .into_iter()
        .filter(|k| k.0 == ProblemKind::LoadFails)
        .collect();
    assert_eq!(
        load,
        [(
            ProblemKind::LoadFails,
            Some(c.as_str()),
            Some("history[0].empty_layer")
        )]
    );
}

#[test]
fn a_wrong_type_in_manifest_json_fails_the_load_and_the_image_is_still_shown() {
    let cfg = config_with(&rootfs(), HISTORY, CREATED);
    let a = archive(&cfg, |c, l| {
        format!(r#"[{{"Config":"{c}","RepoTags":"dk/dk:1","Layers":["{l}"]}}]"#).into_bytes()
    });
    assert_eq!(a.images.len(), 1);
    assert_eq!(verified(&a), [Verification::Verified]);
    assert_eq!(
        kinds(&a),
        [(
            ProblemKind::LoadFails,
            Some("manifest.json"),
            Some("[0].RepoTags")
        )]
    );
    assert!(pancake_core::analyze::image_claims::load_refused_in(
        &a,
        &a.images[0]
    ));
}

/// A byte order mark before `manifest.json` or a config: Go's decoder fails on its first
/// byte, so `docker load` fails; the image is still shown, read from the byte after it.
#[test]
fn a_byte_order_mark_fails_the_load_and_the_image_is_still_shown() {
    let cfg = config_with(&rootfs(), HISTORY, CREATED);
    let bom = |mut b: Vec<u8>| {
        b.splice(0..0, [0xef, 0xbb, 0xbf]);
        b
    };
    let a = archive(&cfg, |c, l| bom(manifest_as("bom/bom:1")(c, l)));
    assert_eq!(a.images.len(), 1);
    assert_eq!(a.images[0].tags, ["bom/bom:1"]);
    assert_eq!(verified(&a), [Verification::Verified]);
    assert_eq!(
        kinds(&a),
        [(ProblemKind::LoadFails, Some("manifest.json"), None)]
    );
    assert!(a.problems[0].message().contains("byte order mark"));
    assert!(pancake_core::analyze::image_claims::load_refused_in(
        &a,
        &a.images[0]
    ));
    let cfg = bom(cfg);
    let a = archive(&cfg, manifest_as("bom/bom:2"));
    assert_eq!(verified(&a), [Verification::Verified]);
    assert_eq!(a.images[0].history.len(), 1);
    let name = config_name(&a);
    assert_eq!(
        kinds(&a),
        [(ProblemKind::LoadFails, Some(name.as_str()), None)]
    );
    assert!(pancake_core::analyze::image_claims::load_refused_in(
        &a,
        &a.images[0]
    ));
}

#[test]
fn a_document_docker_writes_has_no_finding() {
    let cfg = config_with(&rootfs(), HISTORY, CREATED);
    let a = archive(&cfg, manifest_as("ok/ok:1"));
    assert_eq!(verified(&a), [Verification::Verified]);
    assert_eq!(kinds(&a), []);
    assert!(!pancake_core::analyze::image_claims::load_refused_in(
        &a,
        &a.images[0]
    ));
}

// OCI layouts, read as containerd's import reads them: `index.json`, nested indexes and image
// manifests decoded with Go's `encoding/json` into the image-spec's `v1.Index` /
// `v1.Manifest` / `v1.Descriptor`.

const MANIFEST_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
const INDEX_TYPE: &str = "application/vnd.oci.image.index.v1+json";

/// A blob's digest (`sha256:<hex>`), its size and its member path.
struct Blob {
    digest: String,
    size: usize,
    path: String,
}

impl Blob {
    fn of(bytes: &[u8]) -> Blob {
        let d = Digest::of_bytes(bytes);
        Blob {
            digest: d.to_string(),
            size: bytes.len(),
            path: format!("blobs/sha256/{}", d.hex()),
        }
    }
}

/// An image manifest for `config` and `layer`, as containerd writes it.
fn oci_manifest(config: &Blob, layer: &Blob) -> String {
    format!(
        r#"{{"schemaVersion":2,"mediaType":"{MANIFEST_TYPE}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{}","size":{}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{}","size":{}}}]}}"#,
        config.digest, config.size, layer.digest, layer.size
    )
}

/// An index naming `to` (of media type `media_type`) as `oc:1`.
fn oci_index(to: &Blob, media_type: &str) -> String {
    format!(
        r#"{{"schemaVersion":2,"mediaType":"{INDEX_TYPE}","manifests":[{{"mediaType":"{media_type}","digest":"{}","size":{},"annotations":{{"io.containerd.image.name":"docker.io/library/oc:1"}}}}]}}"#,
        to.digest, to.size
    )
}

/// An OCI layout (no `manifest.json`): config, layer, the manifest `manifest(config, layer)`
/// writes, with `nested` the nested index it writes for the manifest between them, and the
/// `index.json` `index(manifest or nested index)` writes.
fn oci(
    manifest: impl Fn(&Blob, &Blob) -> String,
    nested: Option<&dyn Fn(&Blob) -> String>,
    index: impl Fn(&Blob) -> String,
) -> Archive {
    let cfg = config_with(&rootfs(), HISTORY, CREATED);
    let (c, l) = (Blob::of(&cfg), Blob::of(&layer()));
    let m = manifest(&c, &l).into_bytes();
    let mb = Blob::of(&m);
    let mut files = vec![
        (
            "oci-layout".to_string(),
            br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
        ),
        (c.path.clone(), cfg.clone()),
        (l.path.clone(), layer()),
        (mb.path.clone(), m),
    ];
    let top = match nested {
        Some(n) => {
            let nb = n(&mb).into_bytes();
            let b = Blob::of(&nb);
            files.push((b.path.clone(), nb));
            b
        }
        None => mb,
    };
    files.push(("index.json".to_string(), index(&top).into_bytes()));
    let mut w = TarWriter::new(Vec::new());
    for (p, b) in files {
        w.add(&TarEntry::file(p.as_str(), b, 0o644))
            .unwrap_or_else(|e| panic!("{p}: {e}"));
    }
    let bytes = w.finish().unwrap_or_else(|e| panic!("{e}"));
    let opts = Options::default();
    let a = read_stream("t.tar", &bytes[..], bytes.len() as u64, &opts, &mut |_| {})
        .unwrap_or_else(|e| panic!("read_stream: {e}"));
    let b = open("t.tar", &bytes, &opts, &mut |_| {}).unwrap_or_else(|e| panic!("open: {e}"));
    assert_eq!(a, b, "read_stream and open disagree");
    a
}

fn top_index(to: &Blob) -> String {
    oci_index(to, MANIFEST_TYPE)
}

/// The path of the member whose bytes are `text`'s.
fn blob_path(text: &str) -> String {
    Blob::of(text.as_bytes()).path
}

/// The image is read whole: its tag, its layer verified, its history from its config.
fn assert_read_whole(a: &Archive) {
    assert_eq!(a.images.len(), 1, "{:#?}", a.problems);
    let img = &a.images[0];
    assert_eq!(img.tags, ["oc:1"]);
    assert_eq!(img.layers.len(), 1);
    assert_eq!(img.history.len(), 1);
    assert_eq!(img.config.diff_ids, [Digest::of_bytes(&layer())]);
    assert_eq!(verified(a), [Verification::Verified]);
}

fn manifest_text(edit: impl Fn(String) -> String) -> impl Fn(&Blob, &Blob) -> String {
    move |c, l| edit(oci_manifest(c, l))
}

#[test]
fn an_oci_layout_as_containerd_writes_it_has_no_finding() {
    let a = oci(oci_manifest, None, top_index);
    assert_read_whole(&a);
    assert_eq!(kinds(&a), []);
    assert!(!pancake_core::analyze::image_claims::load_refused_in(
        &a,
        &a.images[0]
    ));
    // Through a nested index too.
    let a = oci(
        oci_manifest,
        Some(&|m: &Blob| oci_index(m, MANIFEST_TYPE)),
        |n| oci_index(n, INDEX_TYPE),
    );
    assert_read_whole(&a);
    assert_eq!(kinds(&a), []);
}

#[test]
fn index_json_keys_in_other_case_are_read_as_containerd_reads_them() {
    let a = oci(oci_manifest, None, |m| {
        top_index(m)
            .replace("\"manifests\"", "\"Manifests\"")
            .replace("\"digest\"", "\"Digest\"")
            .replace("\"annotations\"", "\"ANNOTATIONS\"")
    });
    assert_read_whole(&a);
    assert_eq!(
        kinds(&a),
        [
            (
                ProblemKind::JsonQuirk,
                Some("index.json"),
                Some("manifests")
            ),
            (
                ProblemKind::JsonQuirk,
                Some("index.json"),
                Some("manifests[0].digest")
            ),
            (
                ProblemKind::JsonQuirk,
                Some("index.json"),
                Some("manifests[0].annotations")
            ),
        ]
    );
    assert!(!a
        .problems
        .iter()
        .any(|p| pancake_core::read::image::is_error_level(p.kind)));
}

#[test]
fn manifest_keys_in_other_case_give_its_config_and_layers() {
    let edit = |m: String| {
        m.replace("\"config\"", "\"Config\"")
            .replace("\"layers\"", "\"LAYERS\"")
            .replace("\"size\"", "\"Size\"")
    };
    let a = oci(manifest_text(edit), None, top_index);
    assert_read_whole(&a);
    let cfg = config_with(&rootfs(), HISTORY, CREATED);
    let m = edit(oci_manifest(&Blob::of(&cfg), &Blob::of(&layer())));
    let mp = blob_path(&m);
    assert_eq!(
        kinds(&a),
        [
            (ProblemKind::JsonQuirk, Some(mp.as_str()), Some("config")),
            (
                ProblemKind::JsonQuirk,
                Some(mp.as_str()),
                Some("config.size")
            ),
            (ProblemKind::JsonQuirk, Some(mp.as_str()), Some("layers")),
        ]
    );
}

#[test]
fn a_nested_index_in_other_case_still_leads_to_its_platform() {
    let nested = |m: &Blob| {
        oci_index(m, MANIFEST_TYPE)
            .replace("\"manifests\"", "\"MANIFESTS\"")
            .replace(
                "\"annotations\"",
                "\"Platform\":{\"OS\":\"linux\",\"architecture\":\"amd64\"},\"annotations\"",
            )
    };
    let a = oci(oci_manifest, Some(&nested), |n| oci_index(n, INDEX_TYPE));
    assert_read_whole(&a);
    let cfg = config_with(&rootfs(), HISTORY, CREATED);
    let np = blob_path(&nested(&Blob::of(
        oci_manifest(&Blob::of(&cfg), &Blob::of(&layer())).as_bytes(),
    )));
    assert_eq!(
        kinds(&a),
        [
            (ProblemKind::JsonQuirk, Some(np.as_str()), Some("manifests")),
            (
                ProblemKind::JsonQuirk,
                Some(np.as_str()),
                Some("manifests[0].platform")
            ),
            (
                ProblemKind::JsonQuirk,
                Some(np.as_str()),
                Some("manifests[0].platform.os")
            ),
        ]
    );
    // The page's platform list reads the nested index as the resolver does.
    let list = pancake_core::read::image::platforms(&a, &pancake_core::Limits::default());
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].display(), "linux/amd64");
    assert!(list[0].present);
    assert_eq!(list[0].image, Some(0));
}

#[test]
fn a_key_given_twice_is_read_as_go_merges_it() {
    // The last `manifests` wins, whatever its case; a `config` given twice is merged into.
    let a = oci(
        manifest_text(|m| {
            m.replacen(
                "\"config\":{",
                "\"config\":{\"digest\":\"sha256:00\",\"annotations\":{\"a\":\"1\"}},\"config\":{",
                1,
            )
        }),
        None,
        |m| {
            top_index(m).replacen(
                "\"manifests\":",
                "\"manifests\":[{\"digest\":\"sha256:00\",\"size\":1}],\"Manifests\":",
                1,
            )
        },
    );
    assert_read_whole(&a);
    assert_eq!(
        kinds(&a),
        [(
            ProblemKind::JsonQuirk,
            Some("index.json"),
            Some("manifests")
        )]
    );
}

#[test]
fn a_wrong_type_in_an_oci_manifest_fails_the_load_and_the_image_is_still_shown() {
    let edit = |m: String| {
        let size = layer().len();
        m.replace(
            &format!("\"size\":{size}}}]"),
            &format!("\"size\":\"{size}\"}}]"),
        )
    };
    let a = oci(manifest_text(edit), None, top_index);
    assert_read_whole(&a);
    let cfg = config_with(&rootfs(), HISTORY, CREATED);
    let m = edit(oci_manifest(&Blob::of(&cfg), &Blob::of(&layer())));
    assert!(m.contains("\"size\":\""), "{m}");
    let mp = blob_path(&m);
    assert_eq!(
        kinds(&a),
        [(
            ProblemKind::LoadFails,
            Some(mp.as_str()),
            Some("layers[0].size")
        )]
    );
    assert!(pancake_core::analyze::image_claims::load_refused_in(
        &a,
        &a.images[0]
    ));
}

#[test]
fn a_wrong_type_in_index_json_fails_the_load_and_the_image_is_still_shown() {
    let a = oci(oci_manifest, None, |m| {
        top_index(m).replace("\"schemaVersion\":2", "\"schemaVersion\":\"2\"")
    });
    assert_read_whole(&a);
    assert_eq!(
        kinds(&a),
        [(
            ProblemKind::LoadFails,
            Some("index.json"),
            Some("schemaVersion")
        )]
    );
    assert!(pancake_core::analyze::image_claims::load_refused_in(
        &a,
        &a.images[0]
    ));
}
