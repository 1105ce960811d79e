//! The read-only view of an image a container sits on: the merged rows of its layers plus
//! a way to fetch a file's bytes. The fetch is a closure so the core stays pure: the CLI
//! reads with `read_at`, the browser from a `File`, tests from memory.

use std::collections::BTreeMap;

use crate::analyze::shared_inode;
use crate::analyze::union::{self, FileRow};
use crate::model::{Archive, EntryKind, Image, Xattr};
use crate::path::RawPath;

/// Fetches the content of one lower file.
pub type Fetch<'a> = &'a dyn Fn(&FileRow) -> Result<Vec<u8>, String>;

/// One path of the image's merged filesystem, with the owner and extended attributes the union
/// rows leave out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LowerFile {
    /// The merged row: path, kind, size, mode, the layer that wrote it and where its bytes are.
    pub row: FileRow,
    /// Owner user id, from the layer entry that wrote the path (0 when not found).
    pub uid: u64,
    /// Owner group id, from the layer entry that wrote the path (0 when not found).
    pub gid: u64,
    /// Extended attributes, sorted by name, each name once: those of the layer entry that wrote
    /// the path, with what the headers of its other names in that layer set on it (hard links,
    /// [`shared_inode`]); empty for most paths and for a folder a layer only implies.
    pub xattrs: Vec<Xattr>,
}

/// The files a container on `image` sees below its own layer: the merged rows after the
/// image's top layer (`union::merged`, in path order), each with the owner (uid, gid) and the
/// extended attributes of the layer entry that wrote it ((0, 0) and none when none did: a
/// folder a layer only implies). Empty for
/// an image without layers. What [`Lower::from_image`] holds; a reader with a spare thread
/// (the page's scanner worker) makes it for a page that only builds the [`Lower`].
pub fn files_of(archive: &Archive, image: &Image) -> Vec<LowerFile> {
    let Some(top) = image.layers.len().checked_sub(1) else {
        return Vec::new();
    };
    let rows = union::merged(archive, image, top);
    // A file with several names is owned as its last header said and has the attributes all
    // its headers set (`shared_inode`), so every name of it copies up the same metadata.
    let attrs = shared_inode::of_rows(archive, image, &rows);
    rows.into_iter()
        .map(|row| {
            let (uid, gid, xattrs) = attrs
                .get(&(row.layer, &row.path))
                .map_or((0, 0, Vec::new()), |a| (a.uid, a.gid, a.xattrs.to_vec()));
            LowerFile {
                row,
                uid,
                gid,
                xattrs,
            }
        })
        .collect()
}

/// The image's merged filesystem a container reads through, keyed by path, with the fetch for file
/// bytes.
pub struct Lower<'a> {
    files: BTreeMap<RawPath, LowerFile>,
    fetch: Fetch<'a>,
}

impl<'a> Lower<'a> {
    /// A view of `files` (the last one wins for a path given twice), reading bytes with `fetch`.
    pub fn new(files: impl IntoIterator<Item = LowerFile>, fetch: Fetch<'a>) -> Lower<'a> {
        Lower {
            files: files.into_iter().map(|f| (f.row.path.clone(), f)).collect(),
            fetch,
        }
    }

    /// The image's merged filesystem after its top layer (`union::merged`), owners and
    /// extended attributes taken from the layer entries that wrote each path ([`files_of`]).
    pub fn from_image(archive: &Archive, image: &Image, fetch: Fetch<'a>) -> Lower<'a> {
        Lower::new(files_of(archive, image), fetch)
    }

    /// The lower file at `path`, if the image has one.
    pub fn get(&self, path: &RawPath) -> Option<&LowerFile> {
        self.files.get(path)
    }

    /// True for the root and for a path the image has as a directory.
    pub fn is_dir(&self, path: &RawPath) -> bool {
        path.is_root() || self.get(path).is_some_and(|f| f.row.kind == EntryKind::Dir)
    }

    /// Every lower path strictly below `dir`, in path order.
    pub fn below<'s>(&'s self, dir: &'s RawPath) -> impl Iterator<Item = &'s LowerFile> + 's {
        // Descendants of `d` sort from `d/` up to (not including) `d0`: `0` follows `/`.
        let (mut lo, mut hi) = (dir.as_bytes().to_vec(), dir.as_bytes().to_vec());
        lo.push(b'/');
        hi.push(b'/' + 1);
        let range = if dir.is_root() {
            self.files.range::<RawPath, _>(..)
        } else {
            self.files
                .range(RawPath::from_bytes(lo)..RawPath::from_bytes(hi))
        };
        range
            .map(|(_, f)| f)
            .filter(move |f| f.row.path.is_below(dir))
    }

    /// Every lower path, in path order.
    pub fn all(&self) -> impl Iterator<Item = &LowerFile> {
        self.files.values()
    }

    /// How many lower files there are.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// The image has no files at all.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// A file's bytes; a hard link reads the file it links to (its tar entry has none), through
    /// the row's `content`, so it works when the target's name was deleted or overwritten.
    pub fn content(&self, f: &LowerFile) -> Result<Vec<u8>, String> {
        if f.row.kind == EntryKind::Hardlink {
            let Some(c) = &f.row.content else {
                return Err(format!(
                    "hard link {} points to no regular file",
                    f.row.path
                ));
            };
            // The fetch reads a row's own entry: hand it the entry that holds the bytes.
            let holder = FileRow {
                path: c.path.clone(),
                kind: EntryKind::File,
                size: c.size,
                layer: c.layer,
                member: c.member,
                link_target: None,
                ..f.row.clone()
            };
            return (self.fetch)(&holder);
        }
        (self.fetch)(&f.row)
    }
}
