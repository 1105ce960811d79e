//! Builders the core's unit tests share (compiled for tests only).

use crate::model::{Archive, Entry, EntryKind, Image, Layer, LayerIndex, Member, MemberFacts};
use crate::path::RawPath;

/// An archive with one image whose layer `i` (0 = base) is member `i`, named `{i}/layer.tar`,
/// holding `layers[i]` in that order.
pub(crate) fn archive_of_layers(layers: Vec<Vec<Entry>>) -> Archive {
    let mut a = Archive::default();
    let mut img = Image::default();
    for (i, entries) in layers.into_iter().enumerate() {
        a.members.push(Member {
            path: RawPath::from(format!("{i}/layer.tar").as_str()),
            kind: EntryKind::File,
            size: 0,
            data_offset: None,
            link_target: None,
            facts: MemberFacts {
                layer: Some(LayerIndex {
                    entries: entries.into(),
                    ..Default::default()
                }),
                ..Default::default()
            },
        });
        img.layers.push(Layer {
            member: Some(i),
            ..Default::default()
        });
    }
    a.images.push(img);
    a
}

/// An entry at `path` of `kind`, size 0, mode 0644, owned by root, no link or content.
pub(crate) fn entry(path: &str, kind: EntryKind) -> Entry {
    Entry {
        path: RawPath::from(path),
        kind,
        size: 0,
        mode: 0o644,
        uid: 0,
        gid: 0,
        mtime: 0,
        link_target: None,
        content_offset: None,
        extra: None,
    }
}

/// The bytes of `name` in the shared fixtures (`$PANCAKE_FIXTURES`, else
/// `../shared/fixtures` beside the repository).
pub(crate) fn fixture(name: &str) -> Vec<u8> {
    let dir = std::env::var_os("PANCAKE_FIXTURES")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures")
        });
    let path = dir.join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
