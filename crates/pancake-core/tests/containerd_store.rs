//! `docker save` from Docker Engine 29's containerd image store: original gzip/zstd blobs named
//! by their compressed digest, `index.json` pointing at a multi-platform image index of which
//! only some platforms are present, attestation manifests beside the platform manifests.
//!
//! The tarballs are written at test time by `tests/fixtures/make_containerd_store.py` (Python
//! stdlib; deterministic), which also writes `NAME.facts.json`: digests, diff_ids and sizes it
//! computed from the bytes it compressed — never read back from the tarball.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use pancake_core::read::archive::{open, read_stream, Options};
use pancake_core::read::image::is_error_level;
use pancake_core::{Archive, Compression, Format, ProblemKind};
use serde_json::Value;

/// Runs the generator into a fresh directory (`zstd_writer`: value of ZSTD_WRITER).
fn generate(zstd_writer: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "containerd-store-{}-{zstd_writer}",
        std::process::id()
    ));
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/make_containerd_store.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg(&dir)
        .env("ZSTD_WRITER", zstd_writer)
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 {}: {e}", script.display()));
    assert!(
        out.status.success(),
        "{} failed: {}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

/// The generator's output with the best zstd writer available, made once per test binary.
fn generated() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| generate("auto"))
}

fn facts(name: &str) -> Value {
    facts_in(generated(), name)
}

fn facts_in(dir: &Path, name: &str) -> Value {
    let p = dir.join(format!("{name}.facts.json"));
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn arr(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or(&[])
}

/// Reads with `open` (scan + parallel hashing) and `read_stream`; they must agree exactly.
fn read_both(name: &str) -> Archive {
    read_both_in(generated(), name)
}

fn read_both_in(dir: &Path, name: &str) -> Archive {
    let path = dir.join(name);
    let file = File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let opts = Options {
        threads: 2,
        ..Options::default()
    };
    let a = open(name, &file, &opts, &mut |_| {}).unwrap_or_else(|e| panic!("open {name}: {e}"));
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let f2 = File::open(&path).unwrap_or_else(|e| panic!("{e}"));
    let b = read_stream(name, f2, len, &opts, &mut |_| {})
        .unwrap_or_else(|e| panic!("read_stream {name}: {e}"));
    assert_eq!(a, b, "{name}: open and read_stream differ");
    a
}

/// The one shown image matches the generator's facts, every layer verified by computation.
fn check_images(a: &Archive, f: &Value) {
    let name = &a.name;
    let want = arr(&f["images"]);
    assert_eq!(
        a.images.len(),
        want.len(),
        "{name}: images (attestations are not images; manifest.json + index.json is one image): {:#?}",
        a.images.iter().map(|i| &i.source).collect::<Vec<_>>()
    );
    for (img, w) in a.images.iter().zip(want) {
        let tags: Vec<&str> = arr(&w["tags"]).iter().filter_map(Value::as_str).collect();
        assert_eq!(img.tags, tags, "{name}: tags");
        assert_eq!(
            img.config_digest.as_ref().map(|d| d.to_string()).as_deref(),
            w["config_digest"].as_str(),
            "{name}: config digest"
        );
        assert_eq!(
            img.manifest_digest
                .as_ref()
                .map(|d| d.to_string())
                .as_deref(),
            w["manifest_digest"].as_str(),
            "{name}: manifest digest"
        );
        assert_eq!(
            img.config.architecture.as_deref(),
            w["architecture"].as_str()
        );
        assert_eq!(img.config.os.as_deref(), w["os"].as_str());
        let hist: Vec<Option<&str>> = img
            .history
            .iter()
            .map(|h| h.created_by.as_deref())
            .collect();
        let want_hist: Vec<Option<&str>> = arr(&w["history"]).iter().map(Value::as_str).collect();
        assert_eq!(hist, want_hist, "{name}: history");
        let layers = arr(&w["layers"]);
        assert_eq!(img.layers.len(), layers.len(), "{name}: layer count");
        for (j, (l, e)) in img.layers.iter().zip(layers).enumerate() {
            let at = format!("{name} layer {j}");
            let s = |d: &Option<pancake_core::Digest>| d.as_ref().map(|d| d.to_string());
            // digest = sha256 of the compressed blob; diff_id = sha256 of the decompressed tar.
            assert_eq!(
                s(&l.digest).as_deref(),
                e["digest"].as_str(),
                "{at}: digest"
            );
            assert_eq!(
                s(&l.diff_id).as_deref(),
                e["diff_id"].as_str(),
                "{at}: diff_id"
            );
            assert_eq!(
                s(&l.config_diff_id).as_deref(),
                e["diff_id"].as_str(),
                "{at}: config claim"
            );
            assert_eq!(
                Some(l.stored_size),
                e["stored_size"].as_u64(),
                "{at}: stored size"
            );
            assert_eq!(Some(l.size), e["size"].as_u64(), "{at}: size");
            let comp = match e["compression"].as_str() {
                Some("gzip") => Compression::Gzip,
                Some("zstd") => Compression::Zstd,
                other => panic!("{at}: unexpected compression {other:?}"),
            };
            assert_eq!(l.compression, comp, "{at}: compression");
            assert_eq!(
                l.media_type.as_deref(),
                e["media_type"].as_str(),
                "{at}: media type"
            );
            assert!(
                l.verified && l.mismatches.is_empty(),
                "{at}: not verified: {l:#?}\n{:#?}",
                a.problems
            );
            // The blob path is its compressed digest, as containerd names it.
            let blob = l.blob_path.as_deref().unwrap_or_default();
            assert!(
                e["digest"]
                    .as_str()
                    .is_some_and(|d| blob.ends_with(&d["sha256:".len()..])),
                "{at}: blob path {blob}"
            );
            let ix = l
                .member
                .and_then(|m| a.members.get(m))
                .and_then(|m| m.facts.layer.as_ref())
                .unwrap_or_else(|| panic!("{at}: no layer index"));
            assert_eq!(
                Some(ix.entries.len() as u64),
                e["entries"].as_u64(),
                "{at}: entries"
            );
        }
    }
}

#[test]
fn partial_multiplatform_save_shows_the_present_platform() {
    let name = "containerd-multiplatform-partial.tar";
    let f = facts(name);
    let a = read_both(name);
    assert_eq!(a.format, Format::DockerOciLayout);
    check_images(&a, &f);
    assert!(
        arr(&f["images"])
            .iter()
            .flat_map(|i| arr(&i["layers"]))
            .any(|l| l["compression"] == "zstd"),
        "the fixture has a zstd layer (writer: {})",
        f["zstd_writer"]
    );

    // One problem per missing platform, naming it and its manifest digest; not an error.
    let missing = arr(&f["missing_platforms"]);
    assert_eq!(missing.len(), 1);
    let platform_problems: Vec<_> = a
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::MissingPlatform)
        .collect();
    assert_eq!(platform_problems.len(), missing.len(), "{:#?}", a.problems);
    for m in missing {
        let (plat, digest) = (
            m["platform"].as_str().unwrap_or("?"),
            m["manifest_digest"].as_str().unwrap_or("?"),
        );
        assert_eq!(plat, "linux/arm64/v8");
        assert!(
            platform_problems
                .iter()
                .any(|p| p.message().contains(plat) && p.message().contains(digest)),
            "no problem names {plat} and {digest}: {platform_problems:#?}"
        );
    }
    assert!(!is_error_level(ProblemKind::MissingPlatform));
    // Nothing else: the absent attestation manifests are not images, so not missing ones.
    assert_eq!(a.problems.len(), missing.len(), "{:#?}", a.problems);
    for att in arr(&f["attestations"]) {
        assert_eq!(att["present"], false);
        let d = att["manifest_digest"].as_str().unwrap_or("?");
        assert!(
            !a.problems
                .iter()
                .any(|p| p.message().contains(&d["sha256:".len()..])),
            "attestation {d} reported: {:#?}",
            a.problems
        );
    }
}

#[test]
fn partial_multiplatform_without_manifest_json_goes_by_the_index() {
    let name = "containerd-multiplatform-partial-no-manifest.tar";
    let f = facts(name);
    let a = read_both(name);
    assert_eq!(a.format, Format::OciArchive);
    // Tags come from the name annotation on index.json's entry for the image index.
    check_images(&a, &f);
    let kinds: Vec<ProblemKind> = a.problems.iter().map(|p| p.kind).collect();
    assert_eq!(kinds, [ProblemKind::MissingPlatform], "{:#?}", a.problems);
}

#[test]
fn single_platform_save_with_attestation_is_one_clean_image() {
    let name = "containerd-single-gzip.tar";
    let f = facts(name);
    let a = read_both(name);
    check_images(&a, &f);
    // The attestation manifest is present here (a local build) and still not an image.
    assert!(arr(&f["attestations"]).iter().all(|x| x["present"] == true));
    assert!(arr(&f["missing_platforms"]).is_empty());
    assert!(a.problems.is_empty(), "{:#?}", a.problems);
    assert!(
        a.images
            .iter()
            .all(|i| i.config.architecture.as_deref() != Some("unknown")),
        "attestation shown as an image"
    );
}

#[test]
fn attestation_is_skipped_by_the_index_walk_too() {
    // Same archive without manifest.json: only the index decides, and it must skip the
    // attestation manifest although every blob of it is present.
    let name = "containerd-single-gzip.tar";
    let path = generated().join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut out = tar::Builder::new(Vec::new());
    let mut src = tar::Archive::new(bytes.as_slice());
    for e in src.entries().unwrap_or_else(|e| panic!("{e}")) {
        let mut e = e.unwrap_or_else(|e| panic!("{e}"));
        if e.path_bytes().as_ref() == b"manifest.json" {
            continue;
        }
        let h = e.header().clone();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut e, &mut data).unwrap_or_else(|e| panic!("{e}"));
        out.append(&h, data.as_slice())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let bytes = out.into_inner().unwrap_or_else(|e| panic!("{e}"));
    let a = read_stream(
        "no-manifest",
        bytes.as_slice(),
        bytes.len() as u64,
        &Options::default(),
        &mut |_| {},
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.format, Format::OciArchive);
    assert_eq!(
        a.images.len(),
        1,
        "{:#?}",
        a.images.iter().map(|i| &i.source).collect::<Vec<_>>()
    );
    assert_eq!(
        a.images
            .first()
            .and_then(|i| i.config.architecture.as_deref()),
        Some("amd64")
    );
    assert!(a.problems.is_empty(), "{:#?}", a.problems);
}

#[test]
fn a_flipped_byte_in_a_compressed_blob_is_caught() {
    // The verification is real: change one byte of the zstd layer blob's payload and the
    // stored digest no longer matches its name or descriptor.
    let name = "containerd-multiplatform-partial.tar";
    let f = facts(name);
    let a = read_both(name);
    let zstd_layer = a
        .images
        .first()
        .and_then(|i| i.layers.iter().find(|l| l.compression == Compression::Zstd))
        .unwrap_or_else(|| panic!("no zstd layer"));
    let m = zstd_layer
        .member
        .and_then(|m| a.members.get(m))
        .unwrap_or_else(|| panic!("member"));
    let off = m.data_offset.unwrap_or_else(|| panic!("offset")) + m.size / 2;
    let mut bytes = std::fs::read(generated().join(name)).unwrap_or_else(|e| panic!("{e}"));
    if let Some(b) = bytes.get_mut(off as usize) {
        *b ^= 0x20;
    }
    let b = read_stream(
        name,
        bytes.as_slice(),
        bytes.len() as u64,
        &Options::default(),
        &mut |_| {},
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let l = b
        .images
        .first()
        .and_then(|i| i.layers.iter().find(|l| l.compression == Compression::Zstd))
        .unwrap_or_else(|| panic!("no zstd layer after the flip"));
    assert!(!l.verified, "{l:#?}");
    let want = arr(&f["images"])
        .iter()
        .flat_map(|i| arr(&i["layers"]))
        .find(|x| x["compression"] == "zstd")
        .and_then(|x| x["digest"].as_str())
        .unwrap_or_default();
    assert!(
        b.problems
            .iter()
            .any(|p| p.kind == ProblemKind::DigestMismatch && p.message().contains(want)),
        "{:#?}",
        b.problems
    );
}

#[test]
fn zstd_from_the_stdlib_writer_reads_too() {
    // Raw and RLE blocks (what the generator writes when neither the zstd CLI nor the
    // zstandard module is installed) are valid zstd; this keeps that path tested everywhere.
    let dir = generate("stdlib");
    let name = "containerd-multiplatform-partial.tar";
    let f = facts_in(&dir, name);
    assert_eq!(f["zstd_writer"], "stdlib-raw-rle-blocks");
    let a = read_both_in(&dir, name);
    check_images(&a, &f);
    let _ = std::fs::remove_dir_all(&dir);
}
