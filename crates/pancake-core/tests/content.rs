//! `read_entry_content`: one file's bytes from a layer, by offset (uncompressed) or by
//! re-streaming (compressed outer file or compressed layer); both must give the same bytes.

use std::fs::File;
use std::path::PathBuf;

use pancake_core::read::archive::{open, read_entry_content, Options};
use pancake_core::{EntryKind, RawPath};

fn fixture(name: &str) -> PathBuf {
    std::env::var("PANCAKE_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures")
        })
        .join(name)
}

#[test]
fn same_bytes_by_offset_and_by_restreaming() {
    let plain = File::open(fixture("docker20-save-app1.tar")).expect("fixture");
    let gz = File::open(fixture("docker20-save-app1.tar.gz")).expect("fixture");
    let opts = Options::default();
    let a = open("plain", &plain, &opts, &mut |_| {}).expect("open");
    let b = open("gz", &gz, &opts, &mut |_| {}).expect("open");
    let path = RawPath::from("data/hello.txt");
    let mut checked = 0;
    for (i, m) in a.members.iter().enumerate() {
        let Some(ix) = &m.facts.layer else { continue };
        let Some(e) = ix
            .entries
            .iter()
            .rev()
            .find(|e| e.path == path && e.kind == EntryKind::File)
        else {
            continue;
        };
        assert!(
            e.content_offset.is_some(),
            "uncompressed layer in uncompressed file has offsets"
        );
        let x = read_entry_content(&plain, &a, i, &path, 1 << 20).expect("by offset");
        let y = read_entry_content(&gz, &b, i, &path, 1 << 20).expect("by re-streaming");
        assert_eq!(x.len() as u64, e.size);
        assert_eq!(x, y);
        checked += 1;
    }
    assert!(checked > 0, "data/hello.txt found in some layer");
    // Compressed layers (oci gzip) are re-streamed too.
    let oci = File::open(fixture("podman-oci-archive-app1.tar")).expect("fixture");
    let c = open("oci", &oci, &opts, &mut |_| {}).expect("open");
    let hit = c.members.iter().enumerate().find_map(|(i, m)| {
        let e = m
            .facts
            .layer
            .as_ref()?
            .entries
            .iter()
            .find(|e| e.kind == EntryKind::File && e.size > 0)?;
        Some((i, e.path.clone(), e.size))
    });
    let (i, p, size) = hit.expect("a file in a layer");
    let bytes = read_entry_content(&oci, &c, i, &p, 1 << 20).expect("content");
    assert_eq!(bytes.len() as u64, size.min(1 << 20));
}
