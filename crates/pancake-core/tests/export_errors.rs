//! `read::export`'s refusal the README promises: a layer whose bytes no longer hash to the
//! diff_id read before is `Changed` (with both digests); and a file stored compressed, which
//! once had an in-memory bound, is streamed whole.

use std::path::PathBuf;

use pancake_core::analyze::union;
use pancake_core::read::archive::{open, read_content, Options};
use pancake_core::read::export::{write_content, write_layer_tar, ExportError};
use pancake_core::{Digest, EntryKind, Limits};

fn fixture(name: &str) -> PathBuf {
    std::env::var("PANCAKE_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures")
        })
        .join(name)
}

#[test]
fn a_layer_changed_since_it_was_read_is_refused_with_both_digests() {
    let bytes = std::fs::read(fixture("docker20-save-app1.tar")).expect("fixture");
    let a = open("app1", &bytes, &Options::default(), &mut |_| {}).expect("open");
    // A layer stored uncompressed with a non-empty file: flip one byte of that file's content
    // in a copy of the archive (the tar headers stay valid, only the content differs).
    let (member, at, diff_id) = a
        .members
        .iter()
        .enumerate()
        .find_map(|(i, m)| {
            let layer = m.facts.layer.as_ref()?;
            m.data_offset?;
            let e = layer
                .entries
                .iter()
                .find(|e| e.kind == EntryKind::File && e.size > 0)?;
            // `content_offset` is where the bytes lie in the outer file.
            Some((i, e.content_offset?, layer.diff_id.clone()?))
        })
        .expect("an uncompressed layer with a file");
    let mut out = Vec::new();
    let (same, len) = write_layer_tar(&bytes, &a, member, &Limits::default(), &mut out)
        .expect("unchanged exports");
    assert_eq!(same, diff_id);
    assert_eq!(Digest::of_bytes(&out), diff_id);
    assert_eq!(len, out.len() as u64);

    let mut changed = bytes.clone();
    let at = usize::try_from(at).expect("offset fits");
    changed[at] ^= 0x20;
    let mut out = Vec::new();
    match write_layer_tar(&changed, &a, member, &Limits::default(), &mut out) {
        Err(ExportError::Changed { expected, actual }) => {
            assert_eq!(expected, diff_id);
            assert_eq!(actual, Digest::of_bytes(&out));
            assert_ne!(actual, diff_id);
        }
        other => panic!("expected Changed, got {other:?}"),
    }
}

#[test]
fn a_compressed_file_is_streamed_whole() {
    let bytes = std::fs::read(fixture("podman-oci-archive-app1.tar")).expect("fixture");
    let a = open("oci", &bytes, &Options::default(), &mut |_| {}).expect("open");
    let image = a.images.first().expect("an image");
    let top = image.layers.len().checked_sub(1).expect("layers");
    // The largest file of the merged view: its layer is gzip-compressed in this archive.
    let row = union::merged(&a, image, top)
        .into_iter()
        .filter(|r| r.kind == EntryKind::File)
        .max_by_key(|r| r.size)
        .expect("a file");
    let content = union::content_of(&a, image, top, &row.path).expect("has bytes");
    let member = content.member.expect("stored");
    let entry = &a.members[member]
        .facts
        .layer
        .as_ref()
        .expect("index")
        .entries[content.entry];
    assert_eq!(entry.content_offset, None, "stored compressed");
    assert!(content.size > 16, "a file of more than 16 bytes");
    let mut out = Vec::new();
    let n = write_content(&bytes, &a, &content, &Limits::default(), &mut out).expect("streams");
    assert_eq!(n, content.size);
    assert_eq!(out.len() as u64, content.size);
    let want = read_content(&bytes, &a, &content, usize::MAX).expect("read whole");
    assert_eq!(Digest::of_bytes(&out), Digest::of_bytes(&want));
}
