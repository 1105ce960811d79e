//! Images whose digests all check out but which `docker load` (or containerd's import) still
//! refuses, for what their config or `manifest.json` says: a config listing zero diff_ids
//! for a layer, a config without `rootfs`, sha512 diff_ids, and the like (the outside
//! review's attack20 cases). Each says `load-fails`, naming the member, while the layers stay
//! verified. Every archive is built here, in memory; digests are computed from the bytes
//! written.

use pancake_core::analyze::image_claims;
use pancake_core::digest::Algorithm;
use pancake_core::read::archive::{open, read_stream, Options};
use pancake_core::write::tarwrite::{layer_tar, TarEntry, TarWriter};
use pancake_core::{Archive, Digest, ProblemKind, Verification};

fn layer() -> Vec<u8> {
    layer_tar(vec![
        TarEntry::dir("etc/", 0o755),
        TarEntry::file("etc/hostname", b"base\n".to_vec(), 0o644),
    ])
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Reads `members` as a tarball both ways, checks the two agree, and returns the archive.
fn read(members: Vec<(String, Vec<u8>)>) -> Archive {
    let mut w = TarWriter::new(Vec::new());
    for (p, b) in members {
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

/// A classic save (`manifest.json` only) of one image: `config` (JSON text) and `layers`.
fn classic(config: &str, layers: &[Vec<u8>]) -> Archive {
    classic_tagged(config, layers, &["t/x:1"])
}

/// [`classic`] with `tags` as the entry's RepoTags.
fn classic_tagged(config: &str, layers: &[Vec<u8>], tags: &[&str]) -> Archive {
    let cfg = config.as_bytes().to_vec();
    let cfg_path = Digest::of_bytes(&cfg).blob_path();
    let layer_paths: Vec<String> = layers
        .iter()
        .map(|l| Digest::of_bytes(l).blob_path())
        .collect();
    let manifest = serde_json::json!([{
        "Config": cfg_path, "RepoTags": tags, "Layers": layer_paths,
    }]);
    let mut members = vec![(cfg_path, cfg)];
    for (p, l) in layer_paths.iter().zip(layers) {
        members.push((p.clone(), l.clone()));
    }
    members.push((
        "manifest.json".into(),
        serde_json::to_vec(&manifest).unwrap_or_default(),
    ));
    read(members)
}

fn config(rootfs: &str) -> String {
    format!(
        r#"{{"architecture":"amd64","os":"linux","created":"2024-01-01T00:00:00Z","config":{{}}{rootfs},"history":[{{"created_by":"x"}}]}}"#
    )
}

/// The `load-fails` problems, as `(member, layer position)`.
fn load_fails(a: &Archive) -> Vec<(Option<&str>, Option<usize>)> {
    a.problems
        .iter()
        .filter(|p| p.kind == ProblemKind::LoadFails)
        .map(|p| (p.member_name(), p.origin.layer.map(|l| l.layer)))
        .collect()
}

#[test]
fn a_config_listing_no_diff_ids_for_one_layer_fails_the_load() {
    let a = classic(
        &config(r#","rootfs":{"type":"layers","diff_ids":[]}"#),
        &[layer()],
    );
    let img = a.images.first().unwrap_or_else(|| panic!("no image"));
    assert_eq!(img.layers.len(), 1);
    assert_eq!(image_claims::layer_count_mismatch(img), Some((1, 0)));
    assert!(image_claims::load_refused(img));
    // One load failure, about the image (the count), not also about its history.
    assert_eq!(load_fails(&a), vec![(None, None)], "{:?}", a.problems);
    // Typed, as `inspect --ci` names it; worded as the reader's problem says it.
    let refusals = image_claims::image_refusals(img);
    assert_eq!(
        refusals,
        [image_claims::ImageRefusal::LayerCountMismatch {
            manifest: 1,
            config: 0
        }]
    );
    assert!(a
        .problems
        .iter()
        .any(|p| p.detail.ends_with(&refusals[0].to_string())));
    assert!(image_claims::load_refusals(&a, img).is_empty());
}

#[test]
fn a_config_without_diff_ids_for_no_layers_loads() {
    // `FROM scratch` with only metadata: Docker writes `"rootfs":{"type":"layers"}`.
    let a = classic(
        r#"{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers"}}"#,
        &[],
    );
    let img = a.images.first().unwrap_or_else(|| panic!("no image"));
    assert!(!image_claims::load_refused(img));
    assert!(load_fails(&a).is_empty(), "{:?}", a.problems);
}

#[test]
fn a_config_without_rootfs_fails_the_classic_load_naming_the_config() {
    for rootfs in ["", r#","rootfs":null"#] {
        // No layers: only Docker's classic store refuses ("no RootFS key").
        let text =
            r#"{"architecture":"amd64","os":"linux","config":{}ROOTFS}"#.replace("ROOTFS", rootfs);
        let a = classic(&text, &[]);
        let img = a.images.first().unwrap_or_else(|| panic!("no image"));
        assert!(image_claims::no_rootfs(img));
        assert!(image_claims::load_refused(img));
        let cfg = Digest::of_bytes(text.as_bytes()).blob_path();
        assert_eq!(load_fails(&a), vec![(Some(cfg.as_str()), None)], "{rootfs}");

        // One layer: containerd, reading no diff_ids, refuses too, and the history's step
        // is not said as a cause of its own.
        let text = config(rootfs);
        let a = classic(&text, &[layer()]);
        let img = a.images.first().unwrap_or_else(|| panic!("no image"));
        assert!(img
            .layers
            .iter()
            .all(|l| l.verification != Verification::Mismatch));
        let cfg = Digest::of_bytes(text.as_bytes()).blob_path();
        assert_eq!(
            load_fails(&a),
            vec![(Some(cfg.as_str()), None), (None, None)],
            "{rootfs}: {:?}",
            a.problems
        );
    }
}

#[test]
fn a_config_read_as_go_merges_a_second_rootfs_and_is_not_refused() {
    // Go decodes a second `rootfs` object into the first: its diff_ids stay.
    let l = layer();
    let text = format!(
        r#"{{"architecture":"amd64","os":"linux","config":{{}},"rootfs":{{"type":"layers","diff_ids":["{}"]}},"history":[{{"created_by":"x"}}],"rootfs":{{"type":"layers"}}}}"#,
        Digest::of_bytes(&l)
    );
    let a = classic(&text, &[l]);
    let img = a.images.first().unwrap_or_else(|| panic!("no image"));
    assert!(img.layers.iter().all(|l| l.verified), "{:?}", a.problems);
    assert!(load_fails(&a).is_empty(), "{:?}", a.problems);
}

#[test]
fn sha512_diff_ids_verify_but_fail_the_load_naming_the_layer() {
    let l = layer();
    let s512 = |b: &[u8]| Digest::of_bytes_with(Algorithm::Sha512, b);
    let cfg = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux", "config": {},
        "rootfs": {"type": "layers", "diff_ids": [s512(&l)]},
        "history": [{"created_by": "x"}],
    }))
    .unwrap_or_default();
    let man = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": s512(&cfg), "size": cfg.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": s512(&l), "size": l.len()}],
    }))
    .unwrap_or_default();
    let idx = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": s512(&man), "size": man.len(),
            "annotations": {"io.containerd.image.name": "docker.io/t/sha512:1"}}],
    }))
    .unwrap_or_default();
    let layer_path = s512(&l).blob_path();
    let a = read(vec![
        (
            "oci-layout".into(),
            br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
        ),
        (layer_path.clone(), l.clone()),
        (s512(&cfg).blob_path(), cfg),
        (s512(&man).blob_path(), man),
        ("index.json".into(), idx),
    ]);
    let img = a.images.first().unwrap_or_else(|| panic!("no image"));
    // The sha512 claims hold: the layer is verified.
    assert_eq!(img.layers.len(), 1);
    assert!(img.layers.iter().all(|l| l.verified), "{:?}", a.problems);
    assert_eq!(image_claims::non_sha256_diff_ids(img), vec![0]);
    assert!(image_claims::load_refused(img));
    assert_eq!(
        load_fails(&a),
        vec![(Some(layer_path.as_str()), Some(0))],
        "{:?}",
        a.problems
    );
}

#[test]
fn repo_tags_docker_load_refuses_are_named_with_their_field() {
    let l = layer();
    let text = format!(
        r#"{{"architecture":"amd64","os":"linux","config":{{}},"rootfs":{{"type":"layers","diff_ids":["{}"]}}}}"#,
        Digest::of_bytes(&l)
    );
    let digest_form = format!("attack/x@sha256:{}", "a".repeat(64));
    let bad = [
        "Attack/Upper:1",
        "attack/notag",
        digest_form.as_str(),
        "attack/x:tag with space",
    ];
    // Names real saves carry load: a registry with a port, Docker Hub spelled out, `__`.
    let good = [
        "localhost:5000/x:y",
        "docker.io/library/alpine:3.19",
        "my__name/a-b.c:v1_2",
    ];
    let mut tags: Vec<&str> = good.to_vec();
    tags.extend(bad);
    let a = classic_tagged(&text, &[l], &tags);
    let img = a.images.first().unwrap_or_else(|| panic!("no image"));
    assert!(img.layers.iter().all(|l| l.verified), "{:?}", a.problems);
    let fails: Vec<_> = a
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::LoadFails)
        .map(|p| (p.member_name(), p.origin.entry.clone()))
        .collect();
    let want: Vec<_> = (good.len()..tags.len())
        .map(|n| (Some("manifest.json"), Some(format!("[0].RepoTags[{n}]"))))
        .collect();
    assert_eq!(fails, want, "{:#?}", a.problems);
    // docker load stops at the image: the summary says it is refused.
    assert!(image_claims::load_refused_in(&a, img));
}

#[test]
fn a_foreign_layer_manifest_json_lists_but_the_archive_leaves_out_fails_the_classic_load() {
    let base = layer();
    let foreign = layer_tar(vec![TarEntry::file("win/x", b"x\n".to_vec(), 0o644)])
        .unwrap_or_else(|e| panic!("{e}"));
    let (bd, fd) = (Digest::of_bytes(&base), Digest::of_bytes(&foreign));
    let cfg = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux", "config": {},
        "rootfs": {"type": "layers", "diff_ids": [bd, fd]},
        "history": [{"created_by": "a"}, {"created_by": "b"}],
    }))
    .unwrap_or_default();
    let cfg_path = Digest::of_bytes(&cfg).blob_path();
    let manifest = serde_json::json!([{
        "Config": cfg_path, "RepoTags": ["t/win:1"],
        "Layers": [bd.blob_path(), fd.blob_path()],
        "LayerSources": {fd.as_str(): {
            "mediaType": "application/vnd.docker.image.rootfs.foreign.diff.tar",
            "size": foreign.len(), "digest": fd, "urls": ["https://example.com/layer"]}},
    }]);
    let a = read(vec![
        (cfg_path, cfg),
        (bd.blob_path(), base),
        (
            "manifest.json".into(),
            serde_json::to_vec(&manifest).unwrap_or_default(),
        ),
    ]);
    let img = a.images.first().unwrap_or_else(|| panic!("no image"));
    let states: Vec<_> = img.layers.iter().map(|l| l.verification).collect();
    assert_eq!(
        states,
        vec![Verification::Verified, Verification::NonDistributable]
    );
    let fd_path = fd.blob_path();
    assert_eq!(
        load_fails(&a),
        vec![(Some(fd_path.as_str()), Some(1))],
        "{:#?}",
        a.problems
    );
    // Still said as left out on purpose, beside the load failure.
    assert_eq!(
        a.problems
            .iter()
            .filter(|p| p.kind == ProblemKind::NonDistributable)
            .count(),
        1
    );
    assert!(!image_claims::load_refused(img));
    assert!(image_claims::load_refused_in(&a, img));
}

/// An OCI layout of one image (one layer), whose `index.json` descriptor is `desc_type` and
/// points at `top`: `"manifest"` (the image manifest, with `extra` keys added) or
/// `"index"` (a nested index naming the manifest). Returns the archive and the top blob's
/// path.
fn oci_layout(desc_type: &str, top: &str, extra: serde_json::Value) -> (Archive, String) {
    let l = layer();
    let ld = Digest::of_bytes(&l);
    let cfg = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux", "config": {},
        "rootfs": {"type": "layers", "diff_ids": [ld]},
        "history": [{"created_by": "x"}],
    }))
    .unwrap_or_default();
    let mut man = serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": Digest::of_bytes(&cfg), "size": cfg.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": ld, "size": l.len()}],
    });
    if let (Some(m), Some(e)) = (man.as_object_mut(), extra.as_object()) {
        m.extend(e.clone());
    }
    let man = serde_json::to_vec(&man).unwrap_or_default();
    let nested = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": Digest::of_bytes(&man), "size": man.len()}],
    }))
    .unwrap_or_default();
    let top_blob = if top == "index" { &nested } else { &man };
    let idx = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{"mediaType": desc_type, "digest": Digest::of_bytes(top_blob), "size": top_blob.len(),
            "annotations": {"io.containerd.image.name": "docker.io/t/mt:1"}}],
    }))
    .unwrap_or_default();
    let top_path = Digest::of_bytes(top_blob).blob_path();
    let mut members = vec![
        (
            "oci-layout".into(),
            br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
        ),
        (ld.blob_path(), l.clone()),
        (Digest::of_bytes(&cfg).blob_path(), cfg.clone()),
        (Digest::of_bytes(&man).blob_path(), man.clone()),
    ];
    if top == "index" {
        members.push((top_path.clone(), nested.clone()));
    }
    members.push(("index.json".into(), idx));
    (read(members), top_path)
}

#[test]
fn a_descriptor_whose_media_type_the_blob_contradicts_fails_containerd_and_shows_the_blob() {
    const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
    const INDEX: &str = "application/vnd.oci.image.index.v1+json";
    let schema1 = serde_json::json!({"fsLayers": [{"blobSum": "sha256:00"}]});
    for (desc_type, top, extra, why) in [
        (
            INDEX,
            "manifest",
            serde_json::json!({}),
            "expected index but found manifest",
        ),
        (
            MANIFEST,
            "index",
            serde_json::json!({}),
            "expected manifest but found index",
        ),
        (MANIFEST, "manifest", schema1, "schema 1 not supported"),
        // containerd decodes these keys as `json.RawMessage`, which Go hands even `null` as
        // its text, so a key there with `null` counts (matched case-insensitively).
        (
            MANIFEST,
            "manifest",
            serde_json::json!({"manifests": null}),
            "expected manifest but found index",
        ),
        (
            MANIFEST,
            "manifest",
            serde_json::json!({"Manifests": null}),
            "expected manifest but found index",
        ),
        (
            MANIFEST,
            "manifest",
            serde_json::json!({"fsLayers": null}),
            "schema 1 not supported",
        ),
    ] {
        let (a, top_path) = oci_layout(desc_type, top, extra);
        // Shown by what the blob is: one image, its layer verified.
        assert_eq!(a.images.len(), 1, "{why}: {:#?}", a.problems);
        let img = a.images.first().unwrap_or_else(|| panic!("no image"));
        assert_eq!(img.layers.len(), 1, "{why}");
        assert!(
            img.layers.iter().all(|l| l.verified),
            "{why}: {:#?}",
            a.problems
        );
        // One load failure, on index.json's descriptor, naming the blob.
        let fails: Vec<_> = a
            .problems
            .iter()
            .filter(|p| p.kind == ProblemKind::LoadFails)
            .collect();
        assert_eq!(fails.len(), 1, "{why}: {:#?}", a.problems);
        let p = fails[0];
        assert_eq!(p.member_name(), Some("index.json"), "{why}");
        assert_eq!(p.origin.entry.as_deref(), Some("manifests[0]"), "{why}");
        assert!(p.detail.contains(&top_path), "{why}: {}", p.detail);
        assert!(p.detail.contains(why), "{why}: {}", p.detail);
        assert!(image_claims::load_refused_in(&a, img), "{why}");
    }
    // The descriptor and the blob agreeing: nothing said.
    let (a, _) = oci_layout(MANIFEST, "manifest", serde_json::json!({}));
    assert!(load_fails(&a).is_empty(), "{:#?}", a.problems);
    let (a, _) = oci_layout(INDEX, "index", serde_json::json!({}));
    assert!(load_fails(&a).is_empty(), "{:#?}", a.problems);
}

#[test]
fn two_images_named_alike_are_said_once_with_both() {
    // Two configs (different images), each its own manifest.json entry, both `dup/tag:1`.
    let said = |a: &Archive| -> Vec<_> {
        a.problems
            .iter()
            .map(|p| (p.kind, p.member_name().map(str::to_string)))
            .collect()
    };
    let a = two_entries("dup/tag:1", "dup/tag:1");
    assert_eq!(a.images.len(), 2);
    assert_eq!(
        said(&a),
        vec![(ProblemKind::Disagreement, Some("manifest.json".to_string()))]
    );
    // Named apart: nothing to say.
    let a = two_entries("dup/tag:1", "dup/tag:2");
    assert!(said(&a).is_empty(), "{:#?}", a.problems);
}

#[test]
fn a_negative_descriptor_size_is_a_false_claim_like_a_wrong_one() {
    // The descriptors as oci_layout writes them, with `size` replaced.
    let l = layer();
    let ld = Digest::of_bytes(&l);
    let cfg = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux", "config": {},
        "rootfs": {"type": "layers", "diff_ids": [ld]},
        "history": [{"created_by": "x"}],
    }))
    .unwrap_or_default();
    for size in [-1i64, 0, -(l.len() as i64)] {
        let layer_desc = serde_json::json!({"layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": ld, "size": size}]});
        let (a, _) = oci_layout(
            "application/vnd.oci.image.manifest.v1+json",
            "manifest",
            layer_desc,
        );
        let img = a.images.first().unwrap_or_else(|| panic!("no image"));
        assert_eq!(
            img.layers.first().map(|l| l.verification),
            Some(Verification::Mismatch),
            "{size}"
        );
        let kinds: Vec<_> = a
            .problems
            .iter()
            .map(|p| (p.kind, p.origin.layer.map(|l| l.layer)))
            .collect();
        assert_eq!(
            kinds,
            vec![(ProblemKind::DigestMismatch, Some(0))],
            "{size}: {:#?}",
            a.problems
        );

        let config_desc = serde_json::json!({"config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": Digest::of_bytes(&cfg), "size": size}});
        let (a, _) = oci_layout(
            "application/vnd.oci.image.manifest.v1+json",
            "manifest",
            config_desc,
        );
        let cfg_path = Digest::of_bytes(&cfg).blob_path();
        let kinds: Vec<_> = a
            .problems
            .iter()
            .map(|p| (p.kind, p.member_name()))
            .collect();
        assert_eq!(
            kinds,
            vec![(ProblemKind::DigestMismatch, Some(cfg_path.as_str()))],
            "{size}: {:#?}",
            a.problems
        );
    }
}

/// Two images (two configs sharing one layer), each its own manifest.json entry, tagged
/// `first` and `second`.
fn two_entries(first: &str, second: &str) -> Archive {
    two_entries_with(
        Algorithm::Sha256,
        serde_json::json!([first]),
        serde_json::json!([second]),
    )
}

/// [`two_entries`] with each entry's `RepoTags` as given and the configs giving the layer's
/// diff_id in `algorithm`.
fn two_entries_with(
    algorithm: Algorithm,
    first: serde_json::Value,
    second: serde_json::Value,
) -> Archive {
    let l = layer();
    let cfg = |cmd: &str| {
        format!(
            r#"{{"architecture":"amd64","os":"linux","config":{{"Cmd":["{cmd}"]}},"rootfs":{{"type":"layers","diff_ids":["{}"]}}}}"#,
            Digest::of_bytes_with(algorithm, &l)
        )
        .into_bytes()
    };
    let (a_cfg, b_cfg) = (cfg("a"), cfg("b"));
    let entry = |c: &[u8], tags: serde_json::Value| {
        serde_json::json!({"Config": Digest::of_bytes(c).blob_path(), "RepoTags": tags,
            "Layers": [Digest::of_bytes(&l).blob_path()]})
    };
    read(vec![
        (Digest::of_bytes(&a_cfg).blob_path(), a_cfg.clone()),
        (Digest::of_bytes(&b_cfg).blob_path(), b_cfg.clone()),
        (Digest::of_bytes(&l).blob_path(), l.clone()),
        (
            "manifest.json".to_string(),
            serde_json::to_vec(&serde_json::json!([
                entry(&a_cfg, first),
                entry(&b_cfg, second)
            ]))
            .unwrap_or_default(),
        ),
    ])
}

#[test]
fn a_bad_tag_refuses_its_image_and_those_after_it_not_those_before() {
    let refused = |a: &Archive| -> Vec<bool> {
        a.images
            .iter()
            .map(|i| image_claims::load_refused_in(a, i))
            .collect()
    };
    // No tag: the classic load stops at the second entry, after loading the first;
    // containerd's import names it `:latest` and loads both.
    let a = two_entries("ok/a:1", "ok/notag");
    assert_eq!(a.images.len(), 2);
    assert_eq!(refused(&a), vec![false, true], "{:#?}", a.problems);
    // A bad tag in the first entry: the classic load stops before either.
    let a = two_entries("ok/notag", "ok/b:1");
    assert_eq!(refused(&a), vec![true, true], "{:#?}", a.problems);
    // A name no grammar takes: containerd's import fails as a whole, so both are refused.
    let a = two_entries("ok/a:1", "Bad/Upper:1");
    assert_eq!(refused(&a), vec![true, true], "{:#?}", a.problems);
}

#[test]
fn a_manifest_of_many_bad_tags_lists_fifty_and_counts_the_rest() {
    let l = layer();
    let text = format!(
        r#"{{"architecture":"amd64","os":"linux","config":{{}},"rootfs":{{"type":"layers","diff_ids":["{}"]}}}}"#,
        Digest::of_bytes(&l)
    );
    let tags: Vec<String> = (0..5000).map(|n| format!("notag{n}")).collect();
    let refs: Vec<&str> = tags.iter().map(String::as_str).collect();
    let a = classic_tagged(&text, &[l], &refs);
    let fails: Vec<_> = a
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::LoadFails)
        .collect();
    assert_eq!(fails.len(), 51, "{:#?}", a.problems.len());
    let last = fails.last().map(|p| p.message()).unwrap_or_default();
    assert!(last.contains("4950 more load-fails problems"), "{last}");
    assert_eq!(
        fails.last().and_then(|p| p.member_name()),
        Some("manifest.json")
    );
}

#[test]
fn many_bad_tags_in_a_later_entry_leave_the_earlier_image_loading() {
    // Entry 1 carries 60 tags without a tag part: 50 listed, one problem counting the rest
    // that keeps the field of the first it counts, so image 0 still loads (the classic load
    // stops at entry 1; containerd's import names them `:latest`).
    let bad: Vec<String> = (0..60).map(|n| format!("ok/notag{n}")).collect();
    let a = two_entries_with(
        Algorithm::Sha256,
        serde_json::json!(["ok/a:1"]),
        serde_json::json!(bad),
    );
    let fails: Vec<_> = a
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::LoadFails)
        .collect();
    assert_eq!(fails.len(), 51);
    let last = fails.last().unwrap_or_else(|| panic!("none"));
    assert!(
        last.message()
            .contains("10 more load-fails problems about entry [1]"),
        "{}",
        last.message()
    );
    assert_eq!(last.origin.entry.as_deref(), Some("[1].RepoTags[50]"));
    let refused: Vec<bool> = a
        .images
        .iter()
        .map(|i| image_claims::load_refused_in(&a, i))
        .collect();
    assert_eq!(refused, vec![false, true], "{:#?}", a.problems);
}

#[test]
fn a_layer_problem_of_two_images_named_alike_goes_to_each() {
    // Two configs, both `dup/x:1`, each claiming the shared layer's diff_id as sha512: each
    // image's claim fails the load, and each problem is placed on its own image.
    let a = two_entries_with(
        Algorithm::Sha512,
        serde_json::json!(["dup/x:1"]),
        serde_json::json!(["dup/x:1"]),
    );
    let on: Vec<Option<usize>> = a
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::LoadFails && p.origin.subject.is_some())
        .map(|p| p.origin.layer.map(|l| l.image))
        .collect();
    assert_eq!(on, vec![Some(0), Some(1)], "{:#?}", a.problems);
}
