//! A layer at a glance, from its own blob alone: what can be said of a layer before the
//! archive's metadata says where it stands in an image.
//!
//! A file compressed as a whole (`docker save | gzip`) is read front to back, and a
//! `docker save` writes its `manifest.json` and `index.json` after every blob: until the end,
//! the order of the layers, the instructions that made them and the digests the metadata
//! claims are unknown. What each layer blob holds is known as soon as it is read, and none of
//! it depends on the layers below it: its digests, its sizes, its entries by kind, its
//! whiteouts (which delete paths of *some* lower layer) and where its bytes are. That is what
//! a [`LayerGlance`] holds; a change view (added / modified) needs the order and waits for it.

use serde::{Deserialize, Serialize};

use super::whiteout::{classify_entry, Marker};
use crate::digest::Digest;
use crate::model::{Archive, Compression, EntryKind, ReadError};

/// How many top-level directories and largest files a glance names.
pub const TOPS: usize = 8;
/// How many largest files a glance names.
pub const LARGEST: usize = 5;

/// One top-level directory of a layer (or a file at its root), with what is below it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopDir {
    /// The first path component, escaped for display (`escape::escape_name`).
    pub name: String,
    /// Regular files at or below it (hard links not counted: they hold no bytes of their own).
    pub files: usize,
    /// Their bytes (regular files' sizes, as their headers give them).
    pub bytes: u64,
}

/// One regular file of a layer, for the largest-files list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BigFile {
    /// Its path in the layer, escaped for display.
    pub path: String,
    /// Bytes.
    pub size: u64,
}

/// What one layer blob holds, from the blob alone (see the module's doc).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerGlance {
    /// Index into `Archive::members` of the blob.
    pub member: usize,
    /// The member's path in the archive, escaped for display.
    pub path: String,
    /// Compression of the blob as stored, from its magic bytes.
    pub compression: Compression,
    /// Bytes of the blob as stored: those read, when the file ends (or fails) inside it.
    pub stored_size: u64,
    /// Bytes of its uncompressed tar.
    pub size: u64,
    /// sha256 of the blob as stored, computed as it was read.
    pub digest: Option<Digest>,
    /// `digest` (and `diff_id`, for an uncompressed layer tar) is `None` because the blob was
    /// handed on to be hashed elsewhere ([`crate::read::offload`]): it is still to come.
    #[serde(default)]
    pub digest_coming: bool,
    /// sha256 of its uncompressed tar (the layer's diff_id), computed as it was read.
    pub diff_id: Option<Digest>,
    /// Entries of the layer tar, every kind.
    pub entries: usize,
    /// Regular files (whiteout markers not counted).
    pub files: usize,
    /// Bytes of the regular files, as their headers give them (a file the layer ends inside:
    /// the bytes it holds).
    pub file_bytes: u64,
    /// Directories.
    pub dirs: usize,
    /// Symbolic links.
    pub symlinks: usize,
    /// Hard links.
    pub hardlinks: usize,
    /// Whiteouts (`.wh.<name>`: a path of some lower layer deleted).
    pub whiteouts: usize,
    /// Opaque directories (`.wh..wh..opq`: a directory's lower contents hidden).
    pub opaque: usize,
    /// The top-level directories (and root files) holding the most bytes, at most [`TOPS`],
    /// most bytes first (ties by name).
    pub tops: Vec<TopDir>,
    /// The largest regular files, at most [`LARGEST`], largest first (ties by path).
    pub largest: Vec<BigFile>,
    /// Why the layer (or the blob) could not be read to its end; what was read is counted.
    pub error: Option<ReadError>,
}

/// The glance of member `member` of `archive`, or `None` when it is not a layer blob (its
/// facts hold no layer index) or there is no such member.
pub fn glance(archive: &Archive, member: usize) -> Option<LayerGlance> {
    let m = archive.members.get(member)?;
    let layer = m.facts.layer.as_ref()?;
    let mut g = LayerGlance {
        member,
        path: m.path.display().into_owned(),
        compression: m.facts.compression,
        stored_size: stored_of(m),
        // An uncompressed blob is its tar: when the file ends inside it, the tar read so far
        // is the bytes read (the index's size is set only for a blob read whole).
        size: if m.facts.compression == Compression::None {
            stored_of(m)
        } else {
            layer.uncompressed_size
        },
        digest: m.facts.sha256.clone(),
        digest_coming: m.facts.sha256.is_none()
            && m.facts.error.is_none()
            && m.facts.hashed_with == Some(crate::model::HashPath::HandedOn),
        diff_id: layer.diff_id.clone(),
        entries: layer.entries.len(),
        error: layer.error.clone().or_else(|| m.facts.error.clone()),
        ..LayerGlance::default()
    };
    let mut tops: Vec<TopDir> = Vec::new();
    let mut largest: Vec<BigFile> = Vec::new();
    for (i, e) in layer.entries.iter().enumerate() {
        // A file the layer ends inside counts the bytes it holds, not what its header claims:
        // what was read is what a glance counts (`LayerIndex::cut`).
        let size = match layer.cut {
            Some(c) if c.entry == i => c.present.min(e.size),
            _ => e.size,
        };
        match classify_entry(e) {
            Some(Marker::Whiteout(_)) => {
                g.whiteouts += 1;
                continue;
            }
            Some(Marker::Opaque(_)) => {
                g.opaque += 1;
                continue;
            }
            Some(Marker::Aufs | Marker::Invalid(_) | Marker::Unpackable(_)) => continue,
            None => {}
        }
        match e.kind {
            EntryKind::File => {
                g.files += 1;
                g.file_bytes = g.file_bytes.saturating_add(size);
                let top = e
                    .path
                    .components()
                    .next()
                    .map(|c| crate::escape::escape_name(c).into_owned())
                    .unwrap_or_default();
                match tops.iter_mut().find(|t| t.name == top) {
                    Some(t) => {
                        t.files += 1;
                        t.bytes = t.bytes.saturating_add(size);
                    }
                    None => tops.push(TopDir {
                        name: top,
                        files: 1,
                        bytes: size,
                    }),
                }
                keep_largest(&mut largest, size, || e.path.display().into_owned());
            }
            EntryKind::Dir => g.dirs += 1,
            EntryKind::Symlink => g.symlinks += 1,
            EntryKind::Hardlink => g.hardlinks += 1,
            _ => {}
        }
    }
    tops.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.name.cmp(&b.name)));
    tops.truncate(TOPS);
    g.tops = tops;
    g.largest = largest;
    Some(g)
}

/// Bytes of member `m` as read: all of them, or those read before the file ended or failed
/// inside it.
fn stored_of(m: &crate::model::Member) -> u64 {
    match &m.facts.error {
        Some(ReadError::Truncated { stored, .. } | ReadError::ReadFailed { stored, .. }) => *stored,
        _ => m.size,
    }
}

/// Keeps the [`LARGEST`] largest files seen so far, largest first, without sorting every
/// entry (a layer may hold a million); `path` is built only for a file that makes the list.
fn keep_largest(list: &mut Vec<BigFile>, size: u64, path: impl FnOnce() -> String) {
    if list.len() == LARGEST && list.last().is_some_and(|l| l.size >= size) {
        return;
    }
    let path = path();
    let at = list
        .iter()
        .position(|b| b.size < size || (b.size == size && b.path > path))
        .unwrap_or(list.len());
    list.insert(at, BigFile { path, size });
    list.truncate(LARGEST);
}

/// The glances of the layer blobs among members `from..` of `archive`, in member order.
pub fn layers_from(archive: &Archive, from: usize) -> Vec<LayerGlance> {
    (from..archive.members.len())
        .filter_map(|i| glance(archive, i))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    use crate::read::archive::{read_stream, Options};

    /// A tar of `(path, kind, content or link target)`: kind 'f' file, 'd' dir, 's' symlink,
    /// 'h' hard link.
    fn tar_of(items: &[(&str, char, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (path, kind, data) in items {
            let mut h = tar::Header::new_ustar();
            h.set_mode(0o644);
            h.set_mtime(1);
            let (etype, size) = match kind {
                'd' => (tar::EntryType::Directory, 0),
                's' => (tar::EntryType::Symlink, 0),
                'h' => (tar::EntryType::Link, 0),
                _ => (tar::EntryType::Regular, data.len() as u64),
            };
            h.set_entry_type(etype);
            h.set_size(size);
            if matches!(kind, 's' | 'h') {
                let _ = h.set_link_name(String::from_utf8_lossy(data).as_ref());
            }
            let body: &[u8] = if size > 0 { data } else { &[] };
            let _ = b.append_data(&mut h, path, body);
        }
        b.into_inner().unwrap_or_default()
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        let _ = e.write_all(bytes);
        e.finish().unwrap_or_default()
    }

    /// A file of `blob` as `blobs/sha256/aa` and an `index.json`, read.
    fn one_blob_file(blob: &[u8]) -> Archive {
        let file = tar_of(&[("blobs/sha256/aa", 'f', blob), ("index.json", 'f', b"{}")]);
        read_stream(
            "x.tar",
            file.as_slice(),
            0,
            &Options::default(),
            &mut |_| {},
        )
        .expect("reads")
    }

    #[test]
    fn a_layer_is_counted_from_its_own_entries() {
        let layer = tar_of(&[
            ("usr/", 'd', b""),
            ("usr/bin/tool", 'f', &[7u8; 3000]),
            ("usr/lib/a.so", 'f', &[1u8; 100]),
            ("etc/conf", 'f', b"x=1\n"),
            ("usr/bin/t", 's', b"tool"),
            ("usr/bin/tool2", 'h', b"usr/bin/tool"),
            ("var/.wh.cache", 'f', b""),
            ("opt/.wh..wh..opq", 'f', b""),
        ]);
        let blob = gzip(&layer);
        let a = one_blob_file(&blob);
        let all = layers_from(&a, 0);
        assert_eq!(all.len(), 1, "index.json is not a layer");
        let g = &all[0];
        assert_eq!((g.member, g.path.as_str()), (0, "blobs/sha256/aa"));
        assert_eq!(g.compression, Compression::Gzip);
        assert_eq!(
            (g.stored_size, g.size),
            (blob.len() as u64, layer.len() as u64)
        );
        assert_eq!(g.digest, Some(Digest::of_bytes(&blob)));
        assert_eq!(g.diff_id, Some(Digest::of_bytes(&layer)));
        assert_eq!((g.entries, g.files, g.file_bytes), (8, 3, 3104));
        assert_eq!((g.dirs, g.symlinks, g.hardlinks), (1, 1, 1));
        assert_eq!((g.whiteouts, g.opaque), (1, 1));
        let tops: Vec<(&str, usize, u64)> = g
            .tops
            .iter()
            .map(|t| (t.name.as_str(), t.files, t.bytes))
            .collect();
        assert_eq!(tops, vec![("usr", 2, 3100), ("etc", 1, 4)]);
        let big: Vec<(&str, u64)> = g
            .largest
            .iter()
            .map(|b| (b.path.as_str(), b.size))
            .collect();
        assert_eq!(
            big,
            vec![
                ("usr/bin/tool", 3000),
                ("usr/lib/a.so", 100),
                ("etc/conf", 4)
            ]
        );
        assert!(g.error.is_none());
        assert!(layers_from(&a, 1).is_empty(), "from skips earlier members");
    }

    /// A layer cut inside a file's data counts the bytes it holds of it, not its claim.
    #[test]
    fn a_file_the_layer_ends_inside_counts_what_is_there() {
        let layer = tar_of(&[("etc/a", 'f', &[1u8; 700]), ("bin/big", 'f', &[7u8; 5000])]);
        // Cut 1,200 bytes into bin/big's data: its header (at 1,536) claims 5,000.
        let cut = layer.get(..2048 + 1200).unwrap_or_default().to_vec();
        let a = one_blob_file(&cut);
        let g = layers_from(&a, 0).into_iter().next().expect("a glance");
        assert_eq!((g.files, g.file_bytes), (2, 700 + 1200));
        let big: Vec<(&str, u64)> = g
            .largest
            .iter()
            .map(|b| (b.path.as_str(), b.size))
            .collect();
        assert_eq!(big, vec![("bin/big", 1200), ("etc/a", 700)]);
        let tops: Vec<(&str, u64)> = g.tops.iter().map(|t| (t.name.as_str(), t.bytes)).collect();
        assert_eq!(tops, vec![("bin", 1200), ("etc", 700)]);
    }

    #[test]
    fn each_layer_of_a_compressed_file_is_seen_before_the_next_is_read() {
        let l1 = tar_of(&[("a/one", 'f', b"1")]);
        let l2 = tar_of(&[("b/two", 'f', b"22"), ("b/three", 'f', b"333")]);
        let outer = tar_of(&[
            ("blobs/sha256/l1", 'f', &l1),
            ("blobs/sha256/cfg", 'f', b"{}"),
            ("blobs/sha256/l2", 'f', &l2),
            ("manifest.json", 'f', b"[]"),
        ]);
        let file = gzip(&outer);
        let mut seen: Vec<(usize, Vec<usize>)> = Vec::new();
        let a = crate::read::archive::read_stream_watched(
            "x.tar.gz",
            file.as_slice(),
            file.len() as u64,
            &Options::default(),
            &mut |_| {},
            &mut |so_far| {
                let files = layers_from(so_far, 0).iter().map(|g| g.files).collect();
                seen.push((so_far.members.len(), files));
            },
            None,
        )
        .expect("reads");
        assert_eq!(
            seen,
            vec![(1, vec![1]), (2, vec![1]), (3, vec![1, 2]), (4, vec![1, 2]),]
        );
        assert_eq!(a.members.len(), 4);
    }

    #[test]
    fn a_layer_cut_by_the_end_of_the_file_counts_the_bytes_read() {
        let layer = tar_of(&[("a/big", 'f', &[5u8; 8192]), ("a/next", 'f', b"x")]);
        let whole = tar_of(&[("blobs/sha256/l", 'f', &layer), ("index.json", 'f', b"{}")]);
        // The outer tar cut 3000 bytes into the layer's content (header 512 + 3000).
        let cut = &whole[..512 + 3000];
        let a = read_stream("cut.tar", cut, 0, &Options::default(), &mut |_| {}).expect("reads");
        let g = layers_from(&a, 0);
        assert_eq!(g.len(), 1);
        assert_eq!((g[0].stored_size, g[0].size), (3000, 3000));
        assert!(g[0].error.is_some(), "the cut is said");
        assert_eq!(g[0].diff_id, None, "no digest of a part");
    }

    #[test]
    fn the_largest_list_keeps_the_largest_in_order() {
        let mut list = Vec::new();
        for (i, size) in [5u64, 90, 1, 90, 40, 7, 300, 2].into_iter().enumerate() {
            keep_largest(&mut list, size, || format!("f{i}"));
        }
        let got: Vec<(&str, u64)> = list.iter().map(|b| (b.path.as_str(), b.size)).collect();
        assert_eq!(
            got,
            vec![("f6", 300), ("f1", 90), ("f3", 90), ("f4", 40), ("f5", 7)]
        );
    }
}
