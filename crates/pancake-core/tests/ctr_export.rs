//! Archives written by containerd's `ctr images export` (containerd 1.6, the real tool; made
//! by `tests/fixtures/make_ctr_export.sh` from a fixture `docker save` and committed): the
//! image shows with its name, every layer verified, no problems. Expected digests are
//! computed here from the members' bytes (read with the `tar` crate), never asked of Pancake.

use std::io::Read;
use std::path::PathBuf;

use pancake_core::read::archive::{open, read_stream, Options};
use pancake_core::{Archive, Digest, Format, Verification};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/ctr-export")
}

fn bytes(name: &str) -> Vec<u8> {
    let p = dir().join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// (path, sha256 of the bytes) of every regular member, read with the `tar` crate.
fn members(tar_bytes: &[u8]) -> Vec<(String, Digest, Vec<u8>)> {
    let mut out = Vec::new();
    let mut ar = tar::Archive::new(tar_bytes);
    for e in ar.entries().unwrap_or_else(|e| panic!("{e}")) {
        let mut e = e.unwrap_or_else(|e| panic!("{e}"));
        if e.header().entry_type() != tar::EntryType::Regular {
            continue;
        }
        let path = e
            .path()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap_or_else(|e| panic!("{e}"));
        out.push((path, Digest::of_bytes(&data), data));
    }
    out
}

fn read(name: &str) -> Archive {
    let b = bytes(name);
    let opts = Options::default();
    let a = read_stream(name, b.as_slice(), b.len() as u64, &opts, &mut |_| {})
        .unwrap_or_else(|e| panic!("{e}"));
    let o = open(name, &b, &opts, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a, o);
    a
}

fn check(name: &str) {
    let a = read(name);
    let m = members(&bytes(name));
    let expected_name = std::fs::read_to_string(dir().join("image-name.txt"))
        .unwrap_or_default()
        .trim()
        .trim_start_matches("docker.io/library/")
        .to_string();
    assert_eq!(expected_name, "emptyimage:latest");
    assert_eq!(a.format, Format::DockerOciLayout);
    assert_eq!(a.images.len(), 1);
    let img = &a.images[0];
    assert_eq!(img.tags, [expected_name], "{name}");
    // The one layer: its blob file is named by its digest, and it is an uncompressed tar,
    // so its diff_id is the same digest.
    let (path, digest, _) = m
        .iter()
        .find(|(_, _, data)| data.len() == 1536)
        .unwrap_or_else(|| panic!("no 1536-byte layer in {name}"));
    assert_eq!(path, &digest.blob_path());
    assert_eq!(img.layers.len(), 1);
    let l = &img.layers[0];
    assert_eq!(l.digest.as_ref(), Some(digest));
    assert_eq!(l.diff_id.as_ref(), Some(digest));
    assert_eq!(l.verification, Verification::Verified);
    // The index names the manifest that ctr exported.
    let index: serde_json::Value = serde_json::from_slice(
        &m.iter()
            .find(|(p, _, _)| p == "index.json")
            .map(|(_, _, d)| d.clone())
            .unwrap_or_default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        img.manifest_digest
            .as_ref()
            .map(Digest::to_string)
            .as_deref(),
        index["manifests"][0]["digest"].as_str()
    );
    assert!(a.problems.is_empty(), "{name}: {:#?}", a.problems);
}

#[test]
fn ctr_export_shows_the_image_with_its_name() {
    check("ctr-export.tar");
}

/// `--skip-manifest-json` (containerd 1.6) still writes manifest.json, with `RepoTags: null`:
/// the name is only in index.json's annotations, and is shown.
#[test]
fn ctr_export_without_repo_tags_takes_the_index_name() {
    check("ctr-export-no-manifest-json.tar");
}
