//! Image resolution as Docker, containerd and OCI tools write archives (issue 10 kinds 1–7
//! and 10, issue 11's index cycle). Every archive is built here, in memory, blob by blob;
//! expected digests are computed from the bytes written, never read back through Pancake.
//! Each archive is read with both `read_stream` and `open`, which must agree.

use pancake_core::digest::Algorithm;
use pancake_core::read::archive::{open, read_stream, Options};
use pancake_core::write::tarwrite::{layer_tar, TarEntry, TarWriter};
use pancake_core::{Archive, ArtifactKind, Digest, Format, Image, ProblemKind, Verification};
use serde_json::{json, Value};

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar";
const EMPTY_CONFIG: &str = "application/vnd.oci.empty.v1+json";

/// An archive under construction: members in the order added.
#[derive(Default)]
struct Build {
    members: Vec<(String, Vec<u8>)>,
}

impl Build {
    fn file(&mut self, path: &str, bytes: impl Into<Vec<u8>>) -> &mut Self {
        self.members.push((path.to_string(), bytes.into()));
        self
    }

    /// Stores `bytes` as `blobs/<alg>/<hex>`; returns its descriptor (digest and size).
    fn blob_as(&mut self, alg: Algorithm, media_type: &str, bytes: &[u8]) -> Value {
        let d = Digest::of_bytes_with(alg, bytes);
        self.file(&d.blob_path(), bytes.to_vec());
        json!({"mediaType": media_type, "digest": d.to_string(), "size": bytes.len()})
    }

    fn blob(&mut self, media_type: &str, bytes: &[u8]) -> Value {
        self.blob_as(Algorithm::Sha256, media_type, bytes)
    }

    fn json_blob(&mut self, media_type: &str, v: &Value) -> Value {
        self.blob(media_type, v.to_string().as_bytes())
    }

    fn tar(&self) -> Vec<u8> {
        let mut w = TarWriter::new(Vec::new());
        for (p, b) in &self.members {
            w.add(&TarEntry::file(p.as_str(), b.clone(), 0o644))
                .unwrap_or_else(|e| panic!("{p}: {e}"));
        }
        w.finish().unwrap_or_else(|e| panic!("{e}"))
    }
}

fn layer(name: &str, content: &str) -> Vec<u8> {
    layer_tar(vec![TarEntry::file(
        name,
        content.as_bytes().to_vec(),
        0o644,
    )])
    .unwrap_or_else(|e| panic!("{e}"))
}

fn config(layers: &[&[u8]], arch: &str) -> Value {
    let ids: Vec<String> = layers
        .iter()
        .map(|l| Digest::of_bytes(l).to_string())
        .collect();
    json!({"architecture": arch, "os": "linux", "rootfs": {"type": "layers", "diff_ids": ids},
           "config": {}, "history": layers.iter().map(|_| json!({"created_by": "COPY x /"})).collect::<Vec<_>>()})
}

fn read_with(bytes: &[u8], opts: &Options) -> Archive {
    let a = read_stream("t.tar", bytes, bytes.len() as u64, opts, &mut |_| {})
        .unwrap_or_else(|e| panic!("read_stream: {e}"));
    let b =
        open("t.tar", &bytes.to_vec(), opts, &mut |_| {}).unwrap_or_else(|e| panic!("open: {e}"));
    assert_eq!(a, b, "read_stream and open disagree");
    a
}

fn read(bytes: &[u8]) -> Archive {
    read_with(bytes, &Options::default())
}

fn kinds(a: &Archive) -> Vec<ProblemKind> {
    a.problems.iter().map(|p| p.kind).collect()
}

fn has(a: &Archive, kind: ProblemKind, needles: &[&str]) -> bool {
    a.problems
        .iter()
        .any(|p| p.kind == kind && needles.iter().all(|n| p.message().contains(n)))
}

fn only_image(a: &Archive) -> &Image {
    assert_eq!(a.images.len(), 1, "{:#?}", a.problems);
    &a.images[0]
}

/// A one-layer OCI image in `b`: returns (manifest descriptor, layer bytes).
fn oci_image(b: &mut Build, content: &str, arch: &str) -> (Value, Vec<u8>) {
    let l = layer("a.txt", content);
    let ld = b.blob(OCI_LAYER, &l);
    let cd = b.json_blob(OCI_CONFIG, &config(&[&l], arch));
    let m = json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": cd, "layers": [ld]});
    (b.json_blob(OCI_MANIFEST, &m), l)
}

fn layout(b: &mut Build, manifests: Vec<Value>) {
    b.file("oci-layout", r#"{"imageLayoutVersion":"1.0.0"}"#);
    b.file(
        "index.json",
        json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests}).to_string(),
    );
}

fn with(mut d: Value, key: &str, v: Value) -> Value {
    if let Some(o) = d.as_object_mut() {
        o.insert(key.to_string(), v);
    }
    d
}

// ---- 1. artifacts are not images -----------------------------------------------------

#[test]
fn artifacts_are_listed_with_their_image_never_as_images() {
    let mut b = Build::default();
    let (img, _) = oci_image(&mut b, "hello", "amd64");
    let img_digest = img["digest"].as_str().unwrap_or_default().to_string();
    // cosign signature by tag convention; old cosign used an *image* config type.
    let sig_payload = br#"{"critical":{}}"#;
    let sig_layer = b.blob(
        "application/vnd.dev.cosign.simplesigning.v1+json",
        sig_payload,
    );
    let sig_cfg = b.json_blob(
        OCI_CONFIG,
        &json!({"architecture": "", "os": "", "rootfs": {"type": "layers", "diff_ids": []}}),
    );
    let sig = b.json_blob(
        OCI_MANIFEST,
        &json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": sig_cfg, "layers": [sig_layer]}),
    );
    let sig_tag = format!("sha256-{}.sig", &img_digest["sha256:".len()..]);
    // An SBOM with the image-spec 1.1 subject and artifactType, empty config.
    let sbom_body = b"{\"spdxVersion\":\"SPDX-2.3\"}".repeat(10);
    let sbom_layer = b.blob("application/spdx+json", &sbom_body);
    let empty = b.blob(EMPTY_CONFIG, b"{}");
    let sbom = b.json_blob(
        OCI_MANIFEST,
        &json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": "application/spdx+json",
                "config": empty, "layers": [sbom_layer], "subject": img.clone()}),
    );
    // A Helm chart: its own config type, no subject: refers to no image.
    let chart = b.blob(
        "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
        b"not really a chart",
    );
    let helm_cfg = b.json_blob(
        "application/vnd.cncf.helm.config.v1+json",
        &json!({"name": "x"}),
    );
    let helm = b.json_blob(
        OCI_MANIFEST,
        &json!({"schemaVersion": 2, "config": helm_cfg, "layers": [chart]}),
    );
    layout(
        &mut b,
        vec![
            with(
                img.clone(),
                "annotations",
                json!({"org.opencontainers.image.ref.name": "app:1"}),
            ),
            with(
                sig.clone(),
                "annotations",
                json!({"org.opencontainers.image.ref.name": sig_tag}),
            ),
            sbom.clone(),
            helm.clone(),
        ],
    );
    let a = read(&b.tar());
    let image = only_image(&a);
    assert_eq!(image.tags, ["app:1"]);
    assert!(image.layers[0].verified);
    assert_eq!(image.artifacts.len(), 2, "{:#?}", image.artifacts);
    let s = &image.artifacts[0];
    assert_eq!(s.kind, ArtifactKind::Signature);
    assert_eq!(s.size, sig_payload.len() as u64);
    assert_eq!(
        s.manifest_digest.as_ref().map(|d| d.to_string()),
        sig["digest"].as_str().map(String::from)
    );
    assert!(
        s.refers_by.starts_with("cosign tag sha256-"),
        "{}",
        s.refers_by
    );
    let sb = &image.artifacts[1];
    assert_eq!(sb.kind, ArtifactKind::Sbom);
    assert_eq!(sb.artifact_type, "application/spdx+json");
    assert_eq!(sb.size, sbom_body.len() as u64);
    assert_eq!(sb.refers_by, "subject");
    // The chart is one informational note; nothing is a missing blob or unreadable layer.
    assert_eq!(kinds(&a), [ProblemKind::Artifact], "{:#?}", a.problems);
    assert!(has(
        &a,
        ProblemKind::Artifact,
        &[
            "helm-chart",
            "application/vnd.cncf.helm.config.v1+json",
            "18 bytes"
        ]
    ));
}

// ---- 2. non-distributable layers -----------------------------------------------------

fn foreign_image(present: bool) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let mut b = Build::default();
    let base = layer("base.txt", "base layer");
    let app = layer("app.txt", "app layer");
    let base_d = Digest::of_bytes(&base);
    let base_desc = json!({"mediaType": "application/vnd.oci.image.layer.nondistributable.v1.tar",
        "digest": base_d.to_string(), "size": base.len(),
        "urls": ["https://mcr.example/base.tar"]});
    if present {
        b.file(&base_d.blob_path(), base.clone());
    }
    let app_desc = b.blob(OCI_LAYER, &app);
    let cd = b.json_blob(OCI_CONFIG, &config(&[&base, &app], "amd64"));
    let m = b.json_blob(
        OCI_MANIFEST,
        &json!({"schemaVersion": 2, "config": cd, "layers": [base_desc, app_desc]}),
    );
    layout(&mut b, vec![m]);
    (b.tar(), base, app)
}

#[test]
fn absent_non_distributable_layer_is_left_out_on_purpose() {
    let (tar, base, _) = foreign_image(false);
    let a = read(&tar);
    let img = only_image(&a);
    let l0 = &img.layers[0];
    assert_eq!(l0.verification, Verification::NonDistributable);
    assert!(!l0.verified);
    assert_eq!(
        l0.stored_size,
        base.len() as u64,
        "the descriptor's size, not 0 B"
    );
    assert_eq!(l0.urls, ["https://mcr.example/base.tar"]);
    assert!(
        l0.verification_reason.as_deref().is_some_and(
            |r| r.contains("left out of the archive on purpose: non-distributable layer")
        )
    );
    assert_eq!(img.layers[1].verification, Verification::Verified);
    assert_eq!(
        kinds(&a),
        [ProblemKind::NonDistributable],
        "{:#?}",
        a.problems
    );
    assert!(has(
        &a,
        ProblemKind::NonDistributable,
        &[
            "left out of the archive on purpose: non-distributable layer",
            "https://mcr.example/base.tar"
        ]
    ));
    assert!(!pancake_core::read::image::is_error_level(
        ProblemKind::NonDistributable
    ));
}

#[test]
fn present_non_distributable_layer_is_verified_like_any() {
    let (tar, base, _) = foreign_image(true);
    let a = read(&tar);
    let img = only_image(&a);
    assert_eq!(img.layers[0].verification, Verification::Verified);
    assert_eq!(img.layers[0].diff_id, Some(Digest::of_bytes(&base)));
    assert!(a.problems.is_empty(), "{:#?}", a.problems);
}

// ---- 3. three verification states -------------------------------------------------------

#[test]
fn legacy_v1_layers_are_not_checkable_with_a_reason() {
    let mut b = Build::default();
    let l = layer("x", "legacy");
    let id = "a".repeat(64);
    b.file("repositories", json!({"old": {"1": id}}).to_string());
    b.file(
        &format!("{id}/json"),
        json!({"id": id, "created": "2015-01-01T00:00:00Z"}).to_string(),
    );
    b.file(&format!("{id}/layer.tar"), l.clone());
    let a = read(&b.tar());
    assert_eq!(a.format, Format::LegacyV1);
    let img = only_image(&a);
    let l0 = &img.layers[0];
    assert_eq!(l0.verification, Verification::NotCheckable);
    assert!(!l0.verified);
    assert_eq!(l0.diff_id, Some(Digest::of_bytes(&l)));
    assert!(l0
        .verification_reason
        .as_deref()
        .is_some_and(|r| r.contains("claims no digest")));
    assert!(a.problems.is_empty(), "{:#?}", a.problems);
}

/// A legacy chain whose top json carries the image's last step, a `#(nop) CMD` (as `docker
/// save` before 1.10 and its v1 ids write it): each `<id>/json` is one layer and its step,
/// paired one to one (`v1.HistoryFromConfig`), with no pairing note. Before, the CMD's text
/// made it "config-only", every step moved down one and the note said "2 steps for 2
/// layers … the bottom layer has no recorded step".
#[test]
fn legacy_v1_steps_pair_one_to_one_with_their_layers() {
    let mut b = Build::default();
    let (base, top) = ("b".repeat(64), "c".repeat(64));
    let (lb, lt) = (layer("bin/sh", "sh"), layer("app", "app"));
    b.file("repositories", json!({"old": {"1": top}}).to_string());
    let run = |cmd: &str| json!({"Cmd": ["/bin/sh", "-c", cmd]});
    b.file(
        &format!("{base}/json"),
        json!({"id": base, "container_config": run("#(nop) ADD file:1 in / ")}).to_string(),
    );
    b.file(&format!("{base}/layer.tar"), lb);
    b.file(
        &format!("{top}/json"),
        json!({"id": top, "parent": base, "container_config": run("#(nop)  CMD [\"/app\"]")})
            .to_string(),
    );
    b.file(&format!("{top}/layer.tar"), lt);
    let a = read(&b.tar());
    let img = only_image(&a);
    let steps: Vec<Option<usize>> = img.layers.iter().map(|l| l.history).collect();
    assert_eq!(steps, [Some(0), Some(1)]);
    assert_eq!(img.pairing, pancake_core::PairingRule::InOrder);
    assert!(
        !kinds(&a).contains(&ProblemKind::History),
        "{:#?}",
        a.problems
    );
    assert!(img.history[1]
        .created_by
        .as_deref()
        .is_some_and(|c| c.contains("CMD")));
}

/// `repositories` beside `manifest.json` (which `docker load` reads alone): each tag it names
/// that no entry carries is a `disagreement` naming `repositories`; one that agrees (a
/// `:latest` written without its tag in `RepoTags` included) says nothing, whatever id it gives.
#[test]
fn repositories_that_contradict_manifest_json_are_said() {
    let save = |repositories: Value| {
        let mut b = Build::default();
        let l = layer("app", "one");
        let id = "d".repeat(64);
        let cfg = config(&[&l], "amd64").to_string();
        let cfg_name = format!("{}.json", Digest::of_bytes(cfg.as_bytes()).hex());
        b.file(&cfg_name, cfg);
        b.file(&format!("{id}/layer.tar"), l);
        b.file(
            "manifest.json",
            json!([{"Config": cfg_name, "RepoTags": ["app:1", "app"], "Layers": [format!("{id}/layer.tar")]}])
                .to_string(),
        );
        b.file("repositories", repositories.to_string());
        read(&b.tar())
    };
    let id = "d".repeat(64);
    let agree = save(json!({"app": {"1": id, "latest": id}}));
    assert!(
        !kinds(&agree).contains(&ProblemKind::Disagreement),
        "{:#?}",
        agree.problems
    );
    let other_id = save(json!({"app": {"1": "e".repeat(64)}}));
    assert!(
        !kinds(&other_id).contains(&ProblemKind::Disagreement),
        "{:#?}",
        other_id.problems
    );
    let a = save(json!({"app": {"1": id, "2": id}, "evil": {"latest": id}}));
    let said: Vec<String> = a
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::Disagreement)
        .map(|p| p.message())
        .collect();
    assert_eq!(said.len(), 2, "{said:#?}");
    assert!(said.iter().all(|m| m.contains("repositories")));
    assert!(said
        .iter()
        .any(|m| m.contains("evil:latest") && m.contains("no manifest.json entry")));
    assert!(said.iter().any(|m| m.contains("app:2 (top layer")));
    assert_eq!(only_image(&a).tags, ["app:1", "app"]);
}

#[test]
fn mismatch_and_missing_states() {
    let mut b = Build::default();
    let l = layer("a", "one");
    let wrong = layer("a", "two");
    let ld = b.blob(OCI_LAYER, &l);
    let gone = layer("b", "gone");
    let gone_desc = json!({"mediaType": OCI_LAYER, "digest": Digest::of_bytes(&gone).to_string(), "size": gone.len()});
    let cd = b.json_blob(OCI_CONFIG, &config(&[&wrong, &gone], "amd64"));
    let m = b.json_blob(
        OCI_MANIFEST,
        &json!({"schemaVersion": 2, "config": cd, "layers": [ld, gone_desc]}),
    );
    layout(&mut b, vec![m]);
    let a = read(&b.tar());
    let img = only_image(&a);
    assert_eq!(img.layers[0].verification, Verification::Mismatch);
    assert_eq!(
        img.layers[0].mismatches[0].expected,
        Digest::of_bytes(&wrong).to_string()
    );
    assert_eq!(
        img.layers[0].mismatches[0].actual,
        Digest::of_bytes(&l).to_string()
    );
    assert_eq!(img.layers[1].verification, Verification::Missing);
    assert!(has(
        &a,
        ProblemKind::MissingBlob,
        &[Digest::of_bytes(&gone).hex()]
    ));
}

// ---- 4. digest algorithms ----------------------------------------------------------------

fn sha512_layout(tamper: bool) -> (Vec<u8>, Vec<u8>) {
    let mut b = Build::default();
    let l = layer("a.txt", "sha512 layer");
    let ld = if tamper {
        // The right name and descriptor, other bytes (same length) in the blob.
        let d = Digest::of_bytes_with(Algorithm::Sha512, &l);
        b.file(&d.blob_path(), layer("a.txt", "sha512 LAYER"));
        json!({"mediaType": OCI_LAYER, "digest": d.to_string(), "size": l.len()})
    } else {
        b.blob_as(Algorithm::Sha512, OCI_LAYER, &l)
    };
    let cd = b.blob_as(
        Algorithm::Sha512,
        OCI_CONFIG,
        config(&[&l], "amd64").to_string().as_bytes(),
    );
    let m = json!({"schemaVersion": 2, "config": cd, "layers": [ld]});
    let md = b.blob_as(Algorithm::Sha512, OCI_MANIFEST, m.to_string().as_bytes());
    layout(
        &mut b,
        vec![with(
            md,
            "annotations",
            json!({"io.containerd.image.name": "docker.io/library/big:512"}),
        )],
    );
    (b.tar(), l)
}

#[test]
fn sha512_layout_is_read_and_verified_with_sha512() {
    let (tar, l) = sha512_layout(false);
    let a = read(&tar);
    let img = only_image(&a);
    assert_eq!(img.tags, ["big:512"]);
    let l0 = &img.layers[0];
    assert_eq!(
        l0.verification,
        Verification::Verified,
        "{:?}",
        l0.verification_reason
    );
    assert_eq!(
        l0.diff_id,
        Some(Digest::of_bytes(&l)),
        "diff_ids stay sha256"
    );
    assert!(l0
        .blob_path
        .as_deref()
        .is_some_and(|p| p.starts_with("blobs/sha512/")));
    assert!(a.problems.is_empty(), "{:#?}", a.problems);
}

#[test]
fn sha512_mismatch_names_both_sha512_digests() {
    let (tar, l) = sha512_layout(true);
    let a = read(&tar);
    let l0 = &only_image(&a).layers[0];
    assert_eq!(l0.verification, Verification::Mismatch);
    let expected = Digest::of_bytes_with(Algorithm::Sha512, &l).to_string();
    let actual = Digest::of_bytes_with(Algorithm::Sha512, &layer("a.txt", "sha512 LAYER"));
    assert!(
        l0.mismatches.iter().any(|m| m.what == "digest (descriptor)"
            && m.expected == expected
            && m.actual == actual.to_string()),
        "{:#?}",
        l0.mismatches
    );
    assert!(has(&a, ProblemKind::DigestMismatch, &[actual.as_str()]));
}

#[test]
fn unknown_algorithm_is_named_not_missing() {
    let mut b = Build::default();
    let (img, _) = oci_image(&mut b, "x", "amd64");
    // A second image whose manifest is stored under an algorithm the spec does not register.
    let l = layer("y", "y");
    let ld = b.blob(OCI_LAYER, &l);
    let cd = b.json_blob(OCI_CONFIG, &config(&[&l], "amd64"));
    let m = json!({"schemaVersion": 2, "config": cd, "layers": [ld]}).to_string();
    let enc = "ab".repeat(32);
    b.file(&format!("blobs/blake3/{enc}"), m.clone());
    let odd =
        json!({"mediaType": OCI_MANIFEST, "digest": format!("blake3:{enc}"), "size": m.len()});
    layout(&mut b, vec![img, odd]);
    let a = read(&b.tar());
    assert_eq!(a.images.len(), 2, "{:#?}", a.problems);
    assert!(
        a.images[1].layers[0].verified,
        "its layers use sha256 and are checked"
    );
    assert_eq!(kinds(&a), [ProblemKind::Metadata], "{:#?}", a.problems);
    assert!(has(
        &a,
        ProblemKind::Metadata,
        &[
            "\"blake3\" is not one the OCI image-spec registers",
            "not verified"
        ]
    ));
    assert!(!a
        .problems
        .iter()
        .any(|p| p.message().contains("no valid sha256 digest")));
}

// ---- 5. names ------------------------------------------------------------------------------

#[test]
fn names_from_index_annotations_and_nested_indexes() {
    let mut b = Build::default();
    let (m1, _) = oci_image(&mut b, "one", "amd64");
    let (m2, _) = oci_image(&mut b, "two", "arm64");
    let (m3, _) = oci_image(&mut b, "three", "amd64");
    let nested = b.json_blob(
        OCI_INDEX,
        &json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
            with(m2, "platform", json!({"os": "linux", "architecture": "arm64", "variant": "v8"}))]}),
    );
    layout(
        &mut b,
        vec![
            // containerd (`ctr images export`): full name + the tag alone.
            with(
                m1,
                "annotations",
                json!({"io.containerd.image.name": "docker.io/library/alpine:3.19",
                                           "org.opencontainers.image.ref.name": "3.19"}),
            ),
            // names on the index are inherited by its manifests
            with(
                nested,
                "annotations",
                json!({"io.containerd.image.name": "ghcr.io/o/multi:2"}),
            ),
            // disagreeing sources: containerd's name wins, the other is reported
            with(
                m3,
                "annotations",
                json!({"io.containerd.image.name": "docker.io/library/three:1",
                                           "org.opencontainers.image.ref.name": "example.com/other:9"}),
            ),
        ],
    );
    let a = read(&b.tar());
    let tags: Vec<Vec<String>> = a.images.iter().map(|i| i.tags.clone()).collect();
    assert_eq!(
        tags,
        [
            vec!["alpine:3.19".to_string()],
            vec!["ghcr.io/o/multi:2".into()],
            vec!["three:1".into()]
        ]
    );
    assert_eq!(kinds(&a), [ProblemKind::Disagreement], "{:#?}", a.problems);
    assert!(has(
        &a,
        ProblemKind::Disagreement,
        &["three:1", "example.com/other:9", "shown: three:1"]
    ));
}

// ---- 6. every claim against every other --------------------------------------------------

/// A Docker 25+ save: manifest.json beside an OCI layout whose manifest `oci_layers` lists
/// the given layer indexes (Docker 25.0 wrote none, or out of order).
fn docker25(
    oci_layers: &[usize],
    index_platform: Value,
    repo_tags: Value,
) -> (Vec<u8>, Vec<Vec<u8>>) {
    let mut b = Build::default();
    let layers = vec![layer("a", "first"), layer("b", "second")];
    let descs: Vec<Value> = layers.iter().map(|l| b.blob(OCI_LAYER, l)).collect();
    let refs: Vec<&[u8]> = layers.iter().map(Vec::as_slice).collect();
    let cd = b.json_blob(OCI_CONFIG, &config(&refs, "amd64"));
    let picked: Vec<Value> = oci_layers.iter().map(|&i| descs[i].clone()).collect();
    let md = b.json_blob(
        OCI_MANIFEST,
        &json!({"schemaVersion": 2, "config": cd, "layers": picked}),
    );
    let mut md = with(
        md,
        "annotations",
        json!({"io.containerd.image.name": "docker.io/library/app:1",
                                               "org.opencontainers.image.ref.name": "1"}),
    );
    if !index_platform.is_null() {
        md = with(md, "platform", index_platform);
    }
    layout(&mut b, vec![md]);
    let paths: Vec<String> = layers
        .iter()
        .map(|l| Digest::of_bytes(l).blob_path())
        .collect();
    let cfg_path = Digest::parse(cd["digest"].as_str().unwrap_or_default()).map(|d| d.blob_path());
    b.file(
        "manifest.json",
        json!([{"Config": cfg_path, "RepoTags": repo_tags, "Layers": paths}]).to_string(),
    );
    (b.tar(), layers)
}

#[test]
fn docker25_oci_manifest_without_layers_is_one_disagreement() {
    let (tar, layers) = docker25(&[], Value::Null, json!(["app:1"]));
    let a = read(&tar);
    assert_eq!(a.format, Format::DockerOciLayout);
    let img = only_image(&a);
    assert_eq!(img.layers.len(), 2, "shown from manifest.json");
    for (l, bytes) in img.layers.iter().zip(&layers) {
        assert_eq!(
            l.verification,
            Verification::Verified,
            "{:?}",
            l.verification_reason
        );
        assert_eq!(l.diff_id, Some(Digest::of_bytes(bytes)));
    }
    assert_eq!(kinds(&a), [ProblemKind::Disagreement], "{:#?}", a.problems);
    assert!(has(
        &a,
        ProblemKind::Disagreement,
        &["the OCI manifest lists 0 layers; manifest.json and the config list 2 layers"]
    ));
}

#[test]
fn docker25_layers_out_of_order_are_reported_not_mismatched() {
    let (tar, _) = docker25(&[1, 0], Value::Null, json!(["app:1"]));
    let a = read(&tar);
    let img = only_image(&a);
    assert!(img.layers.iter().all(|l| l.verified), "{:#?}", img.layers);
    assert_eq!(kinds(&a), [ProblemKind::Disagreement], "{:#?}", a.problems);
    assert!(has(&a, ProblemKind::Disagreement, &["another order"]));
}

#[test]
fn platform_and_name_disagreements_each_reported() {
    let (tar, _) = docker25(
        &[0, 1],
        json!({"os": "linux", "architecture": "arm64", "variant": "v8"}),
        json!(["other:2"]),
    );
    let a = read(&tar);
    let img = only_image(&a);
    assert_eq!(
        img.tags,
        ["other:2"],
        "manifest.json's RepoTags, as docker load uses"
    );
    assert!(img.layers.iter().all(|l| l.verified));
    assert_eq!(
        kinds(&a),
        [ProblemKind::Disagreement, ProblemKind::Disagreement],
        "{:#?}",
        a.problems
    );
    assert!(has(
        &a,
        ProblemKind::Disagreement,
        &["the index says linux/arm64/v8, the config says linux/amd64"]
    ));
    assert!(has(
        &a,
        ProblemKind::Disagreement,
        &["app:1", "RepoTags says other:2"]
    ));
}

#[test]
fn consistent_docker25_save_has_no_problems() {
    let (tar, _) = docker25(
        &[0, 1],
        json!({"os": "linux", "architecture": "amd64"}),
        json!(["app:1"]),
    );
    let a = read(&tar);
    assert!(only_image(&a).layers.iter().all(|l| l.verified));
    assert!(a.problems.is_empty(), "{:#?}", a.problems);
}

/// A plain tar under a `+gzip` type is not a changed blob: containerd's `DecompressStream`
/// detects it is uncompressed and Docker's classic load detects it too, so it loads: a
/// `disagreement` note about the layer, its digests verified.
#[test]
fn media_type_claiming_gzip_for_a_plain_tar_is_a_note_not_a_mismatch() {
    let mut b = Build::default();
    let l = layer("a", "plain");
    let ld = with(
        b.blob(OCI_LAYER, &l),
        "mediaType",
        json!("application/vnd.oci.image.layer.v1.tar+gzip"),
    );
    let cd = b.json_blob(OCI_CONFIG, &config(&[&l], "amd64"));
    let m = b.json_blob(
        OCI_MANIFEST,
        &json!({"schemaVersion": 2, "config": cd, "layers": [ld]}),
    );
    layout(&mut b, vec![m]);
    let a = read(&b.tar());
    let l0 = &only_image(&a).layers[0];
    assert_eq!(l0.verification, Verification::Verified);
    assert!(l0.mismatches.is_empty(), "{:?}", l0.mismatches);
    let kinds: Vec<ProblemKind> = a.problems.iter().map(|p| p.kind).collect();
    assert_eq!(kinds, vec![ProblemKind::Disagreement], "{:#?}", a.problems);
    assert_eq!(a.problems[0].origin.layer.map(|l| l.layer), Some(0));
}

// ---- 8. bounded index walk --------------------------------------------------------------

/// Issue 11: a 5 KB archive whose index refers to itself recursed without end. A blob's name
/// is not its digest here (a digest cannot name the bytes that contain it), so the walk must
/// stop on the member path, whatever the bytes hash to: index.json lists A twice; A lists
/// itself twice, B and the image; B lists A.
#[test]
fn self_referring_index_is_one_problem_not_a_hang() {
    let mut b = Build::default();
    let (img, _) = oci_image(&mut b, "x", "amd64");
    let a_digest = format!("sha256:{}", "c".repeat(64));
    let b_digest = format!("sha256:{}", "d".repeat(64));
    let idx = |d: &str| json!({"mediaType": OCI_INDEX, "digest": d, "size": 1});
    let index = |m: Vec<Value>| {
        json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": m}).to_string()
    };
    b.file(
        &format!("blobs/sha256/{}", "c".repeat(64)),
        index(vec![idx(&a_digest), idx(&a_digest), idx(&b_digest), img]),
    );
    b.file(
        &format!("blobs/sha256/{}", "d".repeat(64)),
        index(vec![idx(&a_digest)]),
    );
    layout(&mut b, vec![idx(&a_digest), idx(&a_digest)]);
    let tar = b.tar();
    assert!(tar.len() < 16 * 1024);
    let start = std::time::Instant::now();
    let a = read(&tar);
    assert!(start.elapsed().as_secs() < 10);
    assert_eq!(a.images.len(), 1, "{:#?}", a.problems);
    let a_path = format!("blobs/sha256/{}", "c".repeat(64));
    let cycles: Vec<_> = a
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::Limit)
        .collect();
    assert_eq!(cycles.len(), 1, "{:#?}", a.problems);
    assert!(cycles[0].message().contains("refers back to itself"));
    assert!(cycles[0]
        .message()
        .contains("index.json -> blobs/sha256/cccc"));
    assert_eq!(cycles[0].member_name(), Some(a_path.as_str()));
    // The names are not the blobs' digests: each index blob is also one digest mismatch.
    assert!(kinds(&a)
        .iter()
        .all(|k| matches!(k, ProblemKind::Limit | ProblemKind::DigestMismatch)));
}

#[test]
fn index_depth_and_manifest_count_are_bounded() {
    // Ten nested indexes, each listing the next: past max_index_depth, one limit problem.
    let mut b = Build::default();
    let (img, _) = oci_image(&mut b, "deep", "amd64");
    let mut top = img;
    for _ in 0..10 {
        top = b.json_blob(
            OCI_INDEX,
            &json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [top]}),
        );
    }
    layout(&mut b, vec![top]);
    let a = read(&b.tar());
    assert!(a.images.is_empty());
    assert!(
        has(
            &a,
            ProblemKind::Limit,
            &["nested more than 8 deep", "limits.max_index_depth"]
        ),
        "{:#?}",
        a.problems
    );

    // One index listing the same manifest 50 times, with max_manifests 10.
    let mut b = Build::default();
    let (img, _) = oci_image(&mut b, "many", "amd64");
    layout(&mut b, vec![img; 50]);
    let mut opts = Options::default();
    opts.limits.max_manifests = 10;
    let a = read_with(&b.tar(), &opts);
    assert_eq!(a.images.len(), 1);
    assert_eq!(kinds(&a), [ProblemKind::Limit]);
    assert!(has(
        &a,
        ProblemKind::Limit,
        &["more than 10 manifests", "limits.max_manifests"]
    ));
}

#[test]
fn docker_export_output_is_named_as_such() {
    let mut b = Build::default();
    b.file("etc/passwd", "root:x:0:0::/root:/bin/sh\n");
    b.file("bin/sh", "#!");
    b.file("usr/lib/os-release", "ID=test\n");
    let a = read(&b.tar());
    assert!(a.images.is_empty());
    assert!(
        has(
            &a,
            ProblemKind::Metadata,
            &[
                "looks like `docker export` output, a filesystem, not an image",
                "bin/",
                "etc/",
                "usr/"
            ]
        ),
        "{:#?}",
        a.problems
    );
}

#[test]
fn json_over_the_cap_says_the_cap_and_the_size() {
    let mut b = Build::default();
    let (img, _) = oci_image(&mut b, "x", "amd64");
    layout(&mut b, vec![img]);
    let index_len = b
        .members
        .iter()
        .find(|(p, _)| p == "index.json")
        .map(|(_, v)| v.len())
        .unwrap_or(0);
    let mut opts = Options::default();
    opts.limits.max_json_bytes = 64;
    let a = read_with(&b.tar(), &opts);
    assert!(
        has(
            &a,
            ProblemKind::Limit,
            &[
                "index.json",
                &format!("{index_len} bytes"),
                "64-byte cap",
                "limits.max_json_bytes"
            ]
        ),
        "{:#?}",
        a.problems
    );
}

/// A layout named by sha512 whose config claims sha512 diff_ids too (the image-spec allows any
/// registered algorithm there): the uncompressed tar is hashed with sha512 and the claim
/// checked, plain and gzip-compressed, big enough (over the 1 MiB scan threshold) that `open`
/// hashes it in a separate job.
fn sha512_diff_id_layout(tamper: bool, gzip: bool) -> (Vec<u8>, Vec<u8>) {
    use std::io::Write;
    let mut b = Build::default();
    // 4 MiB of hex text: about 2 MiB gzipped, so even the gzip blob is a hash job.
    let mut content = String::new();
    let mut x: u32 = 7;
    while content.len() < 4 << 20 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        content.push_str(&format!("{x:08x}\n"));
    }
    let l = layer("big.txt", &content);
    let blob = if gzip {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(&l).unwrap_or_else(|e| panic!("{e}"));
        e.finish().unwrap_or_else(|e| panic!("{e}"))
    } else {
        l.clone()
    };
    let media = if gzip {
        "application/vnd.oci.image.layer.v1.tar+gzip"
    } else {
        OCI_LAYER
    };
    let ld = b.blob_as(Algorithm::Sha512, media, &blob);
    let claimed = if tamper {
        Digest::of_bytes_with(Algorithm::Sha512, b"other bytes")
    } else {
        Digest::of_bytes_with(Algorithm::Sha512, &l)
    };
    let cfg = json!({"architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [claimed.to_string()]},
        "config": {}, "history": [{"created_by": "COPY big.txt /"}]});
    let cd = b.blob_as(Algorithm::Sha512, OCI_CONFIG, cfg.to_string().as_bytes());
    let m = json!({"schemaVersion": 2, "config": cd, "layers": [ld]});
    let md = b.blob_as(Algorithm::Sha512, OCI_MANIFEST, m.to_string().as_bytes());
    layout(&mut b, vec![md]);
    (b.tar(), l)
}

#[test]
fn sha512_diff_ids_are_computed_and_verified() {
    for gzip in [false, true] {
        let (tar, l) = sha512_diff_id_layout(false, gzip);
        let a = read(&tar);
        let l0 = &only_image(&a).layers[0];
        assert_eq!(
            l0.verification,
            Verification::Verified,
            "gzip {gzip}: {:?}",
            l0.verification_reason
        );
        assert_eq!(
            l0.diff_id,
            Some(Digest::of_bytes(&l)),
            "diff_id stays sha256"
        );
        assert_eq!(
            l0.config_diff_id,
            Some(Digest::of_bytes_with(Algorithm::Sha512, &l))
        );
        // Verified, and still refused: Docker's layer store and containerd compute diff_ids
        // as sha256 and compare them with the config's sha512 (moby issue #48241).
        let kinds: Vec<_> = a
            .problems
            .iter()
            .map(|p| (p.kind, p.origin.layer.map(|l| l.layer)))
            .collect();
        assert_eq!(
            kinds,
            vec![(ProblemKind::LoadFails, Some(0))],
            "gzip {gzip}: {:#?}",
            a.problems
        );
    }
}

#[test]
fn sha512_diff_id_mismatch_gives_both_sha512_digests() {
    let (tar, l) = sha512_diff_id_layout(true, true);
    let a = read(&tar);
    let l0 = &only_image(&a).layers[0];
    assert_eq!(l0.verification, Verification::Mismatch);
    let expected = Digest::of_bytes_with(Algorithm::Sha512, b"other bytes").to_string();
    let actual = Digest::of_bytes_with(Algorithm::Sha512, &l).to_string();
    assert!(
        l0.mismatches
            .iter()
            .any(|m| m.what.starts_with("diff_id") && m.expected == expected && m.actual == actual),
        "{:#?}",
        l0.mismatches
    );
}

// ---- descriptor sizes of configs, manifests and indexes -----------------------------------

/// `d` with its `size` moved by `delta` bytes (its digest kept).
fn resized(d: &Value, delta: u64) -> Value {
    let size = d["size"]
        .as_u64()
        .unwrap_or_else(|| panic!("no size in {d}"));
    with(d.clone(), "size", json!(size + delta))
}

/// The problems of `a` of `kind`, as (member name, detail).
fn of_kind(a: &Archive, kind: ProblemKind) -> Vec<(String, String)> {
    a.problems
        .iter()
        .filter(|p| p.kind == kind)
        .map(|p| {
            let member = p.origin.member.as_ref().map(|m| m.name.clone());
            (member.unwrap_or_default(), p.detail.clone())
        })
        .collect()
}

#[test]
fn a_config_descriptor_size_that_is_not_the_blobs_is_a_digest_mismatch() {
    let mut b = Build::default();
    let l = layer("a", "one");
    let ld = b.blob(OCI_LAYER, &l);
    let cfg = config(&[&l], "amd64").to_string();
    let cd = b.blob(OCI_CONFIG, cfg.as_bytes());
    let m = b.json_blob(
        OCI_MANIFEST,
        &json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": resized(&cd, 1), "layers": [ld]}),
    );
    layout(&mut b, vec![m]);
    let a = read(&b.tar());
    let img = only_image(&a);
    let config_path = Digest::of_bytes(cfg.as_bytes()).blob_path();
    let found = of_kind(&a, ProblemKind::DigestMismatch);
    assert_eq!(found.len(), 1, "{:#?}", a.problems);
    assert_eq!(found[0].0, config_path);
    let (want, got) = (cfg.len() + 1, cfg.len());
    assert!(
        found[0].1.contains(&format!(
            "size (the manifest's config descriptor) mismatch: expected {want}, computed {got}"
        )),
        "{:#?}",
        found
    );
    assert_eq!(a.problems.len(), 1, "{:#?}", a.problems);
    // An error, as a layer's wrong descriptor size is: the archive is not all it claims.
    assert!(pancake_core::read::image::is_error_level(
        ProblemKind::DigestMismatch
    ));
    // The layer's own claims all hold; the image's summary counts the config's failed claim.
    assert_eq!(img.layers[0].verification, Verification::Verified);
    let failed = pancake_core::analyze::image_claims::failed_image_claims(&a, img);
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].member_name(), Some(config_path.as_str()));
}

#[test]
fn manifest_and_nested_index_descriptor_sizes_are_checked() {
    // index.json -> nested index (size +5) -> manifest (size +3): one problem each, naming
    // the blob and the descriptor that claims the size.
    let mut b = Build::default();
    let (m, _) = oci_image(&mut b, "x", "amd64");
    let manifest_path = m["digest"]
        .as_str()
        .map(|d| format!("blobs/sha256/{}", d.trim_start_matches("sha256:")))
        .unwrap_or_else(|| panic!("no digest in {m}"));
    let nested_doc =
        json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [resized(&m, 3)]});
    let nested = b.json_blob(OCI_INDEX, &nested_doc);
    let nested_path = Digest::of_bytes(nested_doc.to_string().as_bytes()).blob_path();
    let nested = with(
        resized(&nested, 5),
        "annotations",
        json!({"org.opencontainers.image.ref.name": "x:1"}),
    );
    layout(&mut b, vec![nested]);
    let a = read(&b.tar());
    let img = only_image(&a);
    assert_eq!(img.tags, ["x:1"]);
    let found = of_kind(&a, ProblemKind::DigestMismatch);
    assert_eq!(found.len(), 2, "{:#?}", a.problems);
    // Of the two, the manifest's is a claim about the image itself (the nested index's is
    // about the index that lists it).
    let failed = pancake_core::analyze::image_claims::failed_image_claims(&a, img);
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert_eq!(failed[0].member_name(), Some(manifest_path.as_str()));
    assert_eq!(a.problems.len(), 2, "{:#?}", a.problems);
    let nested_len = nested_doc.to_string().len();
    assert_eq!(found[0].0, nested_path);
    assert!(
        found[0].1.starts_with("index.json.manifests[0]: ")
            && found[0].1.ends_with(&format!(
                "size (descriptor) mismatch: expected {}, computed {nested_len}",
                nested_len + 5
            )),
        "{:#?}",
        found
    );
    let manifest_len = m["size"].as_u64().unwrap_or_default();
    assert_eq!(found[1].0, manifest_path);
    assert!(
        found[1].1.contains(".manifests[0]")
            && found[1].1.ends_with(&format!(
                "size (descriptor) mismatch: expected {}, computed {manifest_len}",
                manifest_len + 3
            )),
        "{:#?}",
        found
    );
}
