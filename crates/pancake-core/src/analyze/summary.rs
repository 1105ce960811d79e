//! The per-layer figures an image's first view shows — each layer's size (as `docker image
//! history` counts it), entry count, changes and wasted bytes — computed in one pass by a
//! reader that holds the layer indexes (the page's scanner worker), so a reader that does not
//! hold them yet (the page's own thread, while the indexes cross over) can show them without
//! folding 200,000 entries itself.

use serde::{Deserialize, Serialize};

use crate::analyze::history::layer_content_size;
use crate::analyze::union::{self, ChangeCounts};
use crate::model::{Archive, Image};

/// The figures of one layer of an image.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerSummary {
    /// [`layer_content_size`]: the size of its files, in bytes.
    pub content_bytes: u64,
    /// Entries of its layer index (`LayerIndex::entries.len()`); `None` when the layer has no
    /// index (missing or unreadable blob).
    pub entries: Option<usize>,
    /// [`union::layer_changes`]' counts and byte sums.
    pub changes: ChangeCounts,
    /// [`union::wasted`]'s figure for this layer, in bytes.
    pub wasted: u64,
}

/// The figures of every layer of one image, base first (index 0 is the bottom layer), as
/// [`summarize`] makes them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageSummary {
    /// One per layer of the image, base first.
    pub layers: Vec<LayerSummary>,
}

/// The [`ImageSummary`] of `image` as `archive`'s layer indexes stand now: one fold of the
/// image ([`union::change_counts`]) and one pass over each layer's entries. The same figures
/// as [`layer_content_size`], [`union::layer_changes`] and [`union::wasted`] give one by one.
pub fn summarize(archive: &Archive, image: &Image) -> ImageSummary {
    let (counts, wasted) = union::change_counts(archive, image);
    let layers = (0..image.layers.len())
        .map(|i| LayerSummary {
            content_bytes: layer_content_size(archive, image, i),
            entries: image
                .layers
                .get(i)
                .and_then(|l| l.member)
                .and_then(|m| archive.members.get(m))
                .and_then(|m| m.facts.layer.as_ref())
                .map(|ix| ix.entries.len()),
            changes: counts.get(i).copied().unwrap_or_default(),
            wasted: wasted.get(i).copied().unwrap_or(0),
        })
        .collect();
    ImageSummary { layers }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::archive::{open, Options};

    fn fixtures() -> std::path::PathBuf {
        std::env::var_os("PANCAKE_FIXTURES")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| {
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures")
            })
    }

    /// On every fixture tarball and every demo: the summary equals the figures computed one by
    /// one, layer by layer.
    #[test]
    fn summary_matches_the_one_by_one_figures() {
        let mut archives: Vec<Archive> = Vec::new();
        for name in pancake_demo::names() {
            let bytes = pancake_demo::build(name).expect("a demo");
            let a = open(name, &bytes, &Options::default(), &mut |_| {}).expect("demo reads");
            archives.push(a);
        }
        let mut files: Vec<_> = std::fs::read_dir(fixtures())
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        for f in files.iter().filter(|f| {
            f.extension().is_some_and(|x| x == "tar" || x == "gz")
                && std::fs::metadata(f).is_ok_and(|m| m.len() < 64 << 20)
        }) {
            let Ok(bytes) = std::fs::read(f) else {
                continue;
            };
            if let Ok(a) = open(
                &f.display().to_string(),
                &bytes,
                &Options::default(),
                &mut |_| {},
            ) {
                archives.push(a);
            }
        }
        assert!(archives.len() > 10, "fixtures found: {}", archives.len());
        let mut layers_checked = 0;
        for a in &archives {
            for image in &a.images {
                let s = summarize(a, image);
                assert_eq!(s.layers.len(), image.layers.len());
                let wasted = union::wasted(a, image);
                for (i, l) in s.layers.iter().enumerate() {
                    let want = union::layer_changes(a, image, i).counts();
                    assert_eq!(l.changes, want, "{} {} layer {i}", a.name, image.source);
                    assert_eq!(l.content_bytes, layer_content_size(a, image, i));
                    assert_eq!(Some(l.wasted), wasted.get(i).copied());
                    layers_checked += 1;
                }
            }
        }
        assert!(layers_checked > 30, "layers checked: {layers_checked}");
    }

    /// The Files view's figures add up to the layer's size (Docker's SIZE): on every fixture
    /// and demo, a layer's changes — its files and symlinks, the folders' totals and what is
    /// at the root (when the layer lists every folder at the root), the bytes it adds and
    /// modifies — come to `layer_content_size`, symlinks counting their
    /// target's length as Docker does. Layers with a hard link are left out (Docker counts a
    /// link 0 and its inode once in the layer's own directory, the view counts the file it
    /// reaches, which may be a lower layer's), and so are layers that write a path twice.
    #[test]
    fn a_layers_changes_add_up_to_its_size() {
        use crate::model::EntryKind;
        let mut archives: Vec<Archive> = Vec::new();
        for name in pancake_demo::names() {
            let bytes = pancake_demo::build(name).expect("a demo");
            archives.push(open(name, &bytes, &Options::default(), &mut |_| {}).expect("demo"));
        }
        for f in std::fs::read_dir(fixtures())
            .expect("fixtures")
            .flatten()
            .map(|e| e.path())
        {
            if f.extension().is_some_and(|x| x == "tar")
                && std::fs::metadata(&f).is_ok_and(|m| m.len() < 64 << 20)
            {
                let bytes = std::fs::read(&f).expect("read");
                if let Ok(a) = open("f.tar", &bytes, &Options::default(), &mut |_| {}) {
                    archives.push(a);
                }
            }
        }
        let (mut checked, mut with_symlinks) = (0, 0);
        for a in &archives {
            for image in &a.images {
                for (i, l) in image.layers.iter().enumerate() {
                    let Some(ix) = l
                        .member
                        .and_then(|m| a.members.get(m))
                        .and_then(|m| m.facts.layer.as_ref())
                    else {
                        continue;
                    };
                    let mut paths: Vec<_> = ix.entries.iter().map(|e| &e.path).collect();
                    let n = paths.len();
                    paths.sort();
                    paths.dedup();
                    if ix.entries.iter().any(|e| e.kind == EntryKind::Hardlink) || paths.len() < n {
                        continue;
                    }
                    let c = union::layer_changes(a, image, i);
                    let shown = |r: &&union::FileRow| r.change != union::Change::Deleted;
                    let files: u64 = c
                        .rows
                        .iter()
                        .filter(shown)
                        .filter(|r| matches!(r.kind, EntryKind::File | EntryKind::Symlink))
                        .map(|r| r.size)
                        .sum();
                    // A folder the layer lists at the root holds the total below it.
                    let root: u64 = c
                        .rows
                        .iter()
                        .filter(shown)
                        .filter(|r| !r.path.as_bytes().contains(&b'/'))
                        .map(|r| {
                            if r.kind == EntryKind::Dir {
                                r.dir_size
                            } else {
                                r.size
                            }
                        })
                        .sum();
                    let size = layer_content_size(a, image, i);
                    assert_eq!(
                        files, size,
                        "{} {} layer {i}: the files",
                        a.name, image.source
                    );
                    let listed = |p: &[u8]| c.rows.iter().any(|r| r.path.as_bytes() == p);
                    if c.rows.iter().all(|r| {
                        r.path
                            .as_bytes()
                            .split(|b| *b == b'/')
                            .next()
                            .is_none_or(listed)
                    }) {
                        assert_eq!(
                            root, size,
                            "{} {} layer {i}: the tree",
                            a.name, image.source
                        );
                    }
                    assert_eq!(
                        c.added_bytes + c.modified_bytes,
                        size,
                        "{} {} layer {i}: added and modified",
                        a.name,
                        image.source
                    );
                    checked += 1;
                    if ix.entries.iter().any(|e| e.kind == EntryKind::Symlink) {
                        with_symlinks += 1;
                    }
                }
            }
        }
        assert!(
            checked > 30 && with_symlinks > 3,
            "{checked} layers, {with_symlinks} with symlinks"
        );
    }
}
