//! A container: an immutable image plus one writable layer (go-containerregistry's
//! `mutate` idea). Every operation returns a NEW `Container`; the image and the container
//! it started from are never touched, so "before" and "after" can be shown side by side
//! and two containers from one image cannot see each other's changes.
//!
//! The writable layer (`upper`) holds what overlayfs' upper dir would: copied-up and new
//! files, copied-up parent directories, whiteouts for deletions, opaque directories.

mod commit;
mod line_diff;
mod lower;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::analyze::capability;
use crate::digest::{Digest, Hasher};
use crate::model::{EntryKind, Image, Xattr};
use crate::path::RawPath;

pub use commit::{export, export_to, image_config_json, Committed};
pub use line_diff::{line_diff, DiffLine, LineChange};
pub use lower::{files_of, Fetch, Lower, LowerFile};

/// Files larger than this are not copied up or written (the web app keeps containers in
/// the browser; a clear error beats a frozen tab).
pub const MAX_FILE_BYTES: usize = 16 << 20;

/// Longest name of one path component, in bytes: Linux's `NAME_MAX` (ext4, xfs and overlayfs
/// refuse a longer one with `ENAMETOOLONG`).
pub const MAX_NAME_BYTES: usize = 255;

/// Longest path inside the container, in bytes, `/`-rooted: Linux's `PATH_MAX` (4,096) less
/// its terminating NUL. Checked for every path the container makes, the descendants of a
/// renamed directory included (Linux would move a tree whose deepest paths then pass it; the
/// container refuses). Not checked: the image's own paths, and the layer's markers for what
/// the container deletes (`.wh.<name>` beside a path, `.wh..wh..opq` in a folder), which may
/// be a few bytes longer; the reader bounds none of these by length.
pub const MAX_PATH_BYTES: usize = 4095;

/// Longest symbolic link target, in bytes: Linux's `PATH_MAX` less the NUL.
pub const MAX_LINK_TARGET_BYTES: usize = 4095;

/// Deepest path the container makes, in components, the opaque marker a folder's layer entry
/// may need below it included: the reader's default `Limits::max_path_depth`, so a committed
/// or exported image is listed whole when read back.
pub const MAX_DEPTH: usize = 1024;

/// The prefix the layer format reserves for whiteouts (OCI image-spec, "Whiteouts"): a file
/// named `.wh.x` in a layer deletes `x`, so the container makes no such name.
pub use crate::media::WHITEOUT_PREFIX;

/// Which bound a name passed ([`ContainerError::TooLong`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NameBound {
    /// One component is longer than [`MAX_NAME_BYTES`].
    Name,
    /// The whole `/`-rooted path is longer than [`MAX_PATH_BYTES`].
    Path,
    /// A symbolic link's target is longer than [`MAX_LINK_TARGET_BYTES`].
    LinkTarget,
    /// The path has more than [`MAX_DEPTH`] components.
    Depth,
}

impl NameBound {
    /// The bound's value: bytes, or components for [`NameBound::Depth`].
    pub fn limit(self) -> usize {
        match self {
            NameBound::Name => MAX_NAME_BYTES,
            NameBound::Path => MAX_PATH_BYTES,
            NameBound::LinkTarget => MAX_LINK_TARGET_BYTES,
            NameBound::Depth => MAX_DEPTH,
        }
    }
}

/// One path in the writable layer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UpperEntry {
    /// A regular file, its whole content held here.
    File {
        /// The file's bytes (at most [`MAX_FILE_BYTES`]).
        content: Vec<u8>,
        /// Permission, setuid/setgid and sticky bits (`& 0o7777`).
        mode: u32,
        /// Owner user id.
        uid: u64,
        /// Owner group id.
        gid: u64,
        /// Extended attributes, sorted by name, each name once: a copied-up path's from the
        /// image (less what a write or chown removes, [`Container::write_file`],
        /// [`Container::chown`]); none for one the container made. Left out of the JSON when
        /// empty, and empty when missing from it (containers saved before they were kept).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        xattrs: Vec<Xattr>,
    },
    /// A directory: a copied-up parent (same metadata as below), a chmod/chown, or new.
    Dir {
        /// Permission, setuid/setgid and sticky bits (`& 0o7777`).
        mode: u32,
        /// Owner user id.
        uid: u64,
        /// Owner group id.
        gid: u64,
        /// Extended attributes, sorted by name, each name once: a copied-up folder's from the
        /// image (a chmod or chown keeps them); none for one the container made. Left out of
        /// the JSON when empty, and empty when missing from it (containers saved before they
        /// were kept).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        xattrs: Vec<Xattr>,
    },
    /// A symbolic link.
    Symlink {
        /// The link's target, as given (relative or absolute).
        target: RawPath,
        /// Owner user id.
        uid: u64,
        /// Owner group id.
        gid: u64,
        /// Extended attributes, sorted by name, each name once: a copied-up link's from the
        /// image (less `security.capability` after a chown, [`Container::chown`]); none for
        /// one the container made. Left out of the JSON when empty, and empty when missing
        /// from it (containers saved before they were kept).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        xattrs: Vec<Xattr>,
    },
    /// The lower path (and everything below it) is deleted.
    Whiteout,
    /// A directory that hides everything the lower layers have below it.
    Opaque {
        /// Permission, setuid/setgid and sticky bits (`& 0o7777`).
        mode: u32,
        /// Owner user id.
        uid: u64,
        /// Owner group id.
        gid: u64,
        /// Extended attributes, sorted by name, each name once: the moved folder's when a
        /// rename made this one over a deleted lower folder; none for a new one. Left out of
        /// the JSON when empty, and empty when missing from it (containers saved before they
        /// were kept).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        xattrs: Vec<Xattr>,
    },
}

/// Which image a container runs on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageRef {
    /// sha256 of the image's config blob (the image ID), when known.
    pub config_digest: Option<Digest>,
    /// Bottom first; computed diff_ids where known, else what the config claims.
    pub diff_ids: Vec<Option<Digest>>,
    /// The image's names (`repo:tag`).
    pub tags: Vec<String>,
}

impl ImageRef {
    /// The reference to `image`: its config digest, diff_ids and tags.
    pub fn of(image: &Image) -> ImageRef {
        let diff_ids = image
            .layers
            .iter()
            .map(|l| l.diff_id.clone().or_else(|| l.config_diff_id.clone()))
            .collect();
        ImageRef {
            config_digest: image.config_digest.clone(),
            diff_ids,
            tags: image.tags.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
/// A container: an image and a writable layer over it; every change returns a new value.
pub struct Container {
    /// 64 hex digits, derived from the name and the image (deterministic, like a demo).
    pub id: String,
    /// The name it was created with.
    pub name: String,
    /// The image it runs on.
    pub image: ImageRef,
    /// The writable layer: what each changed path is now, sorted by path.
    pub upper: BTreeMap<RawPath, UpperEntry>,
}

/// One line of `docker diff` ([`Container::diff_changes`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffChange {
    /// `A` added, `C` changed, `D` deleted.
    pub kind: char,
    /// The path, normalized (no leading `/`).
    pub path: RawPath,
    /// The image has a folder at `path` (for a `D` line: a folder deleted with all below it).
    pub image_folder: bool,
}

impl std::fmt::Display for DiffChange {
    /// The line as `docker diff` prints it: `D /etc/nginx/conf.d`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.kind, text(&self.path))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Error)]
/// Why a container operation was refused; paths are shown as `/`-rooted text.
pub enum ContainerError {
    #[error("{0}: no such file or directory")]
    /// The path (or one of its parents) does not exist in the merged view.
    NotFound(String),
    #[error("{0}: file exists")]
    /// Something is already at the path.
    AlreadyExists(String),
    #[error("{0}: not a directory")]
    /// A parent of the path is not a directory.
    NotADirectory(String),
    #[error("{0}: is a directory")]
    /// The path is a directory where a file was needed.
    IsADirectory(String),
    #[error("{0}: not a valid path inside the container")]
    /// The path as given is empty, the root, or holds `..` or a NUL byte.
    InvalidPath(String),
    #[error("{0}: a symbolic link's target must not be empty or hold a NUL byte")]
    /// A symlink's target is empty or holds NUL (Linux refuses both); the link's path.
    InvalidLinkTarget(String),
    #[error("cannot move {0} into itself")]
    /// A rename's destination is its source or below it.
    MoveIntoItself(String),
    #[error("{0} is a symbolic link; write its target instead")]
    /// A write named a symlink (the container does not follow links).
    WriteToSymlink(String),
    #[error("uid {uid} / gid {gid}: owner ids are 32-bit numbers on Linux")]
    /// An owner id does not fit in 32 bits.
    InvalidOwner {
        /// The user id asked for.
        uid: u64,
        /// The group id asked for.
        gid: u64,
    },
    #[error("{path}: {size} bytes is more than the {limit}-byte limit for container files")]
    /// A file is larger than [`MAX_FILE_BYTES`].
    TooLarge {
        /// The path, `/`-rooted.
        path: String,
        /// The file's size, in bytes (a `u64`: an image's file may be larger than `usize`
        /// holds on wasm32).
        size: u64,
        /// The limit, in bytes ([`MAX_FILE_BYTES`]).
        limit: usize,
    },
    #[error("{path}: could not read it from the image: {message}")]
    /// The image's copy of a file could not be read.
    Lower {
        /// The path, `/`-rooted.
        path: String,
        /// The reader's error message.
        message: String,
    },
    #[error("{0}")]
    /// Building the committed layer or config failed; the message says why.
    Commit(String),
    #[error(
        "{path}: a {kind:?} from the image is not copied up; only files, folders and links are"
    )]
    /// A device node or FIFO of the image was to be copied up (chmod, chown, rename): the
    /// writable layer holds files, folders and symlinks only.
    NotCopiedUp {
        /// The path, `/`-rooted.
        path: String,
        /// What the image has there.
        kind: EntryKind,
    },
    #[error("{0}: names beginning with .wh. are reserved for whiteouts in image layers")]
    /// A new name begins with [`WHITEOUT_PREFIX`]: committed, it would delete a file instead.
    ReservedName(String),
    #[error("{path}: {}", too_long_text(*.bound))]
    /// A new path passes one of Linux's bounds (`ENAMETOOLONG`) or the depth a reader keeps.
    TooLong {
        /// The path, `/`-rooted: for a symlink, the link's own path; for a rename, the first
        /// path it would move that passes the bound (a path below the one named, perhaps).
        path: String,
        /// Which bound.
        bound: NameBound,
    },
}

fn too_long_text(b: NameBound) -> String {
    let limit = b.limit();
    match b {
        NameBound::Name => format!("a name in it is longer than {limit} bytes"),
        NameBound::Path => format!("the path is longer than {limit} bytes"),
        NameBound::LinkTarget => format!("the link target is longer than {limit} bytes"),
        NameBound::Depth => format!("the path has more than {limit} components"),
    }
}

/// What a path looks like in the container's merged view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stat {
    /// What it is.
    pub kind: EntryKind,
    /// Content bytes for a file (a hard link from the image: its target's); for a symlink in the
    /// writable layer its target's length, for one from the image 0; 0 for others.
    pub size: u64,
    /// Permission, setuid/setgid and sticky bits (`& 0o7777`); 0o777 for a symlink in the writable
    /// layer.
    pub mode: u32,
    /// Owner user id.
    pub uid: u64,
    /// Owner group id.
    pub gid: u64,
    /// A symlink's target (for a hard link from the image, the path it links to).
    pub link_target: Option<RawPath>,
    /// True when the writable layer holds it; else `layer` is the image layer that does.
    pub in_upper: bool,
    /// Index into the image's `layers` (0-based, base first) of the layer that last wrote it;
    /// `None` when `in_upper`.
    pub layer: Option<usize>,
    /// Extended attributes, sorted by name, each name once: the writable layer's copy's when
    /// `in_upper`, else the image's (the layer entry that wrote it, with what its other names'
    /// headers set, `LowerFile::xattrs`). Left out of the JSON when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub xattrs: Vec<Xattr>,
}

/// One row of the merged listing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergedRow {
    /// Path inside the container, no leading `/`.
    pub path: RawPath,
    /// What it is there.
    pub stat: Stat,
}

type Err = ContainerError;

fn text(p: &RawPath) -> String {
    format!("/{}", p.display())
}

/// Paths from users: `/etc/nginx/nginx.conf` or `etc/nginx/nginx.conf`; no `..`, not root.
/// Written the way [`RawPath::display`] shows names (`caf\xe9` is the byte 0xe9, `\\` one
/// backslash), so a name shown on the page names the same file when given back; text that
/// is not a valid escaped form is taken byte for byte.
fn user_path(p: &str) -> Result<RawPath, Err> {
    let raw = RawPath::from_typed(p);
    // No Linux path holds a NUL byte (a tar header would cut the name there).
    if raw.is_root() || crate::path::has_dotdot(raw.as_bytes()) || raw.as_bytes().contains(&0) {
        return Err(Err::InvalidPath(p.to_string()));
    }
    Ok(raw)
}

/// What every path the container makes must be (all of them pass [`Container::put_new`]):
/// within Linux's name and path bounds and the reader's depth, its own name not a whiteout's.
/// Parents that exist already are not checked again: they were made the same way or are the
/// image's.
fn check_new_path(p: &RawPath) -> Result<(), Err> {
    let too_long = |bound| {
        Err(Err::TooLong {
            path: text(p),
            bound,
        })
    };
    if p.as_bytes().len() + 1 > MAX_PATH_BYTES {
        return too_long(NameBound::Path);
    }
    let mut depth = 0;
    for c in p.components() {
        depth += 1;
        if c.len() > MAX_NAME_BYTES {
            return too_long(NameBound::Name);
        }
    }
    if depth > MAX_DEPTH {
        return too_long(NameBound::Depth);
    }
    if p.file_name().starts_with(WHITEOUT_PREFIX) {
        return Err(Err::ReservedName(text(p)));
    }
    Ok(())
}

/// Ancestors of `p`, outermost first, root excluded.
fn ancestors(p: &RawPath) -> Vec<RawPath> {
    let mut out = Vec::new();
    let mut cur = p.parent();
    while !cur.is_root() {
        out.push(cur.clone());
        cur = cur.parent();
    }
    out.reverse();
    out
}

/// Every operation that makes a path (create, mkdir, symlink, write of a missing file, and
/// rename for the moved path and each one below it) refuses it with
/// [`ContainerError::TooLong`] past [`MAX_NAME_BYTES`], [`MAX_PATH_BYTES`], [`MAX_DEPTH`] or,
/// for a symlink (a moved one too), [`MAX_LINK_TARGET_BYTES`], and with
/// [`ContainerError::ReservedName`] when its name begins with [`WHITEOUT_PREFIX`]; the
/// container it was called on is unchanged.
impl Container {
    /// A fresh container with an empty writable layer.
    pub fn new(name: &str, image: &Image) -> Container {
        let image = ImageRef::of(image);
        let mut h = Hasher::new();
        h.update(name.as_bytes());
        h.update(b"\0");
        h.update(
            image
                .config_digest
                .as_ref()
                .map(|d| d.as_str())
                .unwrap_or("")
                .as_bytes(),
        );
        Container {
            id: h.finish().hex().to_string(),
            name: name.to_string(),
            image,
            upper: BTreeMap::new(),
        }
    }

    /// The first 12 hex digits of `id`, as `docker ps` shows it.
    pub fn short_id(&self) -> &str {
        self.id.get(..12).unwrap_or(&self.id)
    }

    // -- reading the merged view --------------------------------------------------------

    /// Is the lower path hidden by something in the writable layer above it (a whiteout,
    /// an opaque directory, or a non-directory replacing one of its parents)?
    fn lower_hidden(&self, p: &RawPath) -> bool {
        ancestors(p).iter().any(|a| match self.upper.get(a) {
            Some(UpperEntry::Dir { .. }) | None => false,
            Some(_) => true,
        }) || matches!(self.upper.get(p), Some(UpperEntry::Whiteout))
    }

    fn lower_visible<'l>(&self, p: &RawPath, lower: &'l Lower) -> Option<&'l LowerFile> {
        if self.lower_hidden(p) {
            None
        } else {
            lower.get(p)
        }
    }

    /// What `path` is in the merged view; `None` when nothing is there or the path is not valid.
    pub fn stat(&self, path: &str, lower: &Lower) -> Option<Stat> {
        let p = user_path(path).ok()?;
        self.stat_raw(&p, lower)
    }

    /// What the image holds at `path`, below the writable layer, whatever the container has
    /// done to it since (written, chowned, deleted): the copy a copy-up started from. `None`
    /// when the image has nothing there or the path is not valid.
    pub fn image_stat(&self, path: &str, lower: &Lower) -> Option<Stat> {
        let p = user_path(path).ok()?;
        lower.get(&p).map(lower_stat)
    }

    fn stat_raw(&self, p: &RawPath, lower: &Lower) -> Option<Stat> {
        let hidden_by_ancestor = ancestors(p).iter().any(|a| {
            matches!(
                self.upper.get(a),
                Some(UpperEntry::Whiteout | UpperEntry::File { .. } | UpperEntry::Symlink { .. })
            )
        });
        if hidden_by_ancestor {
            return None;
        }
        if let Some(u) = self.upper.get(p) {
            return upper_stat(u);
        }
        self.lower_visible(p, lower).map(lower_stat)
    }

    /// The bytes of a regular file as the container sees them.
    pub fn read(&self, path: &str, lower: &Lower) -> Result<Vec<u8>, Err> {
        let p = user_path(path)?;
        self.read_raw(&p, lower)
    }

    fn read_raw(&self, p: &RawPath, lower: &Lower) -> Result<Vec<u8>, Err> {
        let st = self
            .stat_raw(p, lower)
            .ok_or_else(|| Err::NotFound(text(p)))?;
        if st.kind == EntryKind::Dir {
            return Err(Err::IsADirectory(text(p)));
        }
        if let Some(UpperEntry::File { content, .. }) = self.upper.get(p) {
            return Ok(content.clone());
        }
        let f = self
            .lower_visible(p, lower)
            .ok_or_else(|| Err::NotFound(text(p)))?;
        // Compared as u64: on wasm32 `usize` is 32 bits, and a 4 GiB + 10-byte file from a
        // hostile image would pass as 10 bytes.
        if f.row.size > MAX_FILE_BYTES as u64 {
            return Err(Err::TooLarge {
                path: text(p),
                size: f.row.size,
                limit: MAX_FILE_BYTES,
            });
        }
        lower.content(f).map_err(|message| Err::Lower {
            path: text(p),
            message,
        })
    }

    /// The whole merged filesystem, sorted by path.
    pub fn merged(&self, lower: &Lower) -> Vec<MergedRow> {
        // A lower file shows unless the writable layer has its path, or has something other
        // than a plain folder (a whiteout, an opaque folder, a file, a link) at one of its
        // ancestors ([`Container::stat_raw`]'s rule). Those few ancestors are looked up by
        // the bytes of each lower path's prefixes, so a 200,000-file image is one pass with
        // no allocation per file (it was ~0.15 s in the page: two lists of ancestors per
        // file and a map of every row).
        let hiders: std::collections::HashSet<&[u8]> = self
            .upper
            .iter()
            .filter(|(_, u)| !matches!(u, UpperEntry::Dir { .. }))
            .map(|(p, _)| p.as_bytes())
            .collect();
        let hidden = |p: &[u8]| {
            !hiders.is_empty()
                && p.iter()
                    .enumerate()
                    .filter(|(_, b)| **b == b'/')
                    .any(|(i, _)| p.get(..i).is_some_and(|a| hiders.contains(a)))
        };
        // Both in path order: the lower's map and the writable layer's.
        let from_lower = lower
            .all()
            .filter(|f| !self.upper.contains_key(&f.row.path) && !hidden(f.row.path.as_bytes()))
            .map(|f| MergedRow {
                path: f.row.path.clone(),
                stat: lower_stat(f),
            });
        let from_upper = self.upper.keys().filter_map(|p| {
            self.stat_raw(p, lower).map(|stat| MergedRow {
                path: p.clone(),
                stat,
            })
        });
        let mut rows = Vec::with_capacity(lower.len().saturating_add(self.upper.len()));
        let (mut a, mut b) = (from_lower.peekable(), from_upper.peekable());
        loop {
            let take_lower = match (a.peek(), b.peek()) {
                (Some(x), Some(y)) => x.path < y.path,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            let next = if take_lower { a.next() } else { b.next() };
            rows.extend(next);
        }
        rows
    }

    // -- mutations: each returns a new container ----------------------------------------

    /// overlayfs copies a file's parent directories up with it, metadata (extended attributes
    /// included) unchanged.
    fn copy_up_parents(&mut self, p: &RawPath, lower: &Lower) -> Result<(), Err> {
        for a in ancestors(p) {
            match self.upper.get(&a) {
                Some(UpperEntry::Dir { .. } | UpperEntry::Opaque { .. }) => continue,
                Some(UpperEntry::Whiteout) | None => {}
                Some(_) => return Err(Err::NotADirectory(text(&a))),
            }
            match self.stat_raw(&a, lower) {
                Some(st) if st.kind == EntryKind::Dir => {
                    self.upper.insert(
                        a,
                        UpperEntry::Dir {
                            mode: st.mode,
                            uid: st.uid,
                            gid: st.gid,
                            xattrs: st.xattrs,
                        },
                    );
                }
                Some(_) => return Err(Err::NotADirectory(text(&a))),
                None => return Err(Err::NotFound(text(&a))),
            }
        }
        Ok(())
    }

    /// Removes upper entries strictly below `p` (they go with it).
    fn drop_upper_below(&mut self, p: &RawPath) {
        self.upper.retain(|k, _| !k.is_below(p));
    }

    fn check_size(p: &RawPath, n: usize) -> Result<(), Err> {
        if n > MAX_FILE_BYTES {
            return Err(Err::TooLarge {
                path: text(p),
                size: n as u64,
                limit: MAX_FILE_BYTES,
            });
        }
        Ok(())
    }

    /// A new entry where nothing is: a lower path deleted earlier in this container must
    /// not show through again, so a directory put there becomes opaque.
    fn put_new(&self, p: RawPath, entry: UpperEntry, lower: &Lower) -> Result<Container, Err> {
        check_new_path(&p)?;
        if let UpperEntry::Symlink { target, .. } = &entry {
            if target.as_bytes().len() > MAX_LINK_TARGET_BYTES {
                return Err(Err::TooLong {
                    path: text(&p),
                    bound: NameBound::LinkTarget,
                });
            }
        }
        if self.stat_raw(&p, lower).is_some() {
            return Err(Err::AlreadyExists(text(&p)));
        }
        let mut next = self.clone();
        next.copy_up_parents(&p, lower)?;
        let lower_dir_below = lower.get(&p).is_some_and(|f| f.row.kind == EntryKind::Dir);
        let entry = match entry {
            UpperEntry::Dir {
                mode,
                uid,
                gid,
                xattrs,
            } if lower_dir_below => {
                // Its layer entry needs `.wh..wh..opq` one component below it.
                if p.components().count() >= MAX_DEPTH {
                    return Err(Err::TooLong {
                        path: text(&p),
                        bound: NameBound::Depth,
                    });
                }
                UpperEntry::Opaque {
                    mode,
                    uid,
                    gid,
                    xattrs,
                }
            }
            e => e,
        };
        next.upper.insert(p, entry);
        Ok(next)
    }

    /// Replaces a file's content. On the first write the file is copied up whole (mode, owner
    /// and extended attributes kept) and then replaced; the image's copy stays as it was. The
    /// write removes `security.capability` and keeps every other attribute and the mode, as
    /// Linux does for a root writer (measured: see `kill_priv` in this module's source). A
    /// missing file is created (mode 0644, root, no attributes), as a shell redirect would.
    pub fn write_file(&self, path: &str, bytes: &[u8], lower: &Lower) -> Result<Container, Err> {
        let p = user_path(path)?;
        Self::check_size(&p, bytes.len())?;
        match self.stat_raw(&p, lower) {
            None => self.create_file(path, bytes, 0o644, lower),
            Some(st) if st.kind == EntryKind::Dir => Err(Err::IsADirectory(text(&p))),
            Some(st) if st.kind == EntryKind::Symlink => Err(Err::WriteToSymlink(text(&p))),
            Some(st) => {
                let mut next = self.clone();
                next.copy_up_parents(&p, lower)?;
                let mut xattrs = st.xattrs;
                kill_priv(&mut xattrs);
                next.upper.insert(
                    p,
                    UpperEntry::File {
                        content: bytes.to_vec(),
                        mode: st.mode,
                        uid: st.uid,
                        gid: st.gid,
                        xattrs,
                    },
                );
                Ok(next)
            }
        }
    }

    /// Creates a regular file. `mode`: only the permission, setuid/setgid and sticky bits
    /// (`& 0o7777`) are kept, as a tar header and a commit keep them.
    pub fn create_file(
        &self,
        path: &str,
        bytes: &[u8],
        mode: u32,
        lower: &Lower,
    ) -> Result<Container, Err> {
        let p = user_path(path)?;
        // `/etc/motd/` names a folder: Linux's open(O_CREAT) refuses it (EISDIR).
        if path.trim_end().ends_with('/') {
            return Err(Err::IsADirectory(text(&p)));
        }
        Self::check_size(&p, bytes.len())?;
        self.put_new(
            p,
            UpperEntry::File {
                content: bytes.to_vec(),
                mode: mode & 0o7777,
                uid: 0,
                gid: 0,
                xattrs: Vec::new(),
            },
            lower,
        )
    }

    /// Creates a directory; `mode` as in [`Container::create_file`] (`& 0o7777`).
    pub fn mkdir(&self, path: &str, mode: u32, lower: &Lower) -> Result<Container, Err> {
        let p = user_path(path)?;
        self.put_new(
            p,
            UpperEntry::Dir {
                mode: mode & 0o7777,
                uid: 0,
                gid: 0,
                xattrs: Vec::new(),
            },
            lower,
        )
    }

    /// Creates a symbolic link to `target` (kept as given), owned by root. Errors: `InvalidPath`
    /// (a bad path), `InvalidLinkTarget` (an empty target or one with a NUL byte), `TooLong`
    /// (the target included), `ReservedName`, `AlreadyExists`, `NotFound` / `NotADirectory`
    /// for a parent. A target that climbs above the root (`..` from `/`) is made, as Linux
    /// makes it; a reader of the committed layer says so (`unsafe-path`).
    pub fn symlink(&self, path: &str, target: &str, lower: &Lower) -> Result<Container, Err> {
        let p = user_path(path)?;
        // Linux refuses an empty symlink target (ENOENT) and a NUL in one.
        if target.is_empty() || target.as_bytes().contains(&0) {
            return Err(Err::InvalidLinkTarget(text(&p)));
        }
        let target = RawPath::from_bytes(target.as_bytes().to_vec());
        self.put_new(
            p,
            UpperEntry::Symlink {
                target,
                uid: 0,
                gid: 0,
                xattrs: Vec::new(),
            },
            lower,
        )
    }

    /// Deletes a file or a whole directory tree. A path the image has gets a whiteout;
    /// a path only this container made just disappears from the writable layer.
    ///
    /// A lower *directory* is deleted with an explicit `.wh.<dir>` whiteout, not an opaque
    /// marker: the image-spec says a whiteout of a directory removes it and all its
    /// descendants, which is exactly `rm -rf`. An opaque marker would say the opposite —
    /// "this directory still exists, only its lower contents are hidden" — and needs the
    /// directory itself to stay in the layer. (Docker writes `.wh.<dir>` for `rm -rf` too.)
    pub fn delete(&self, path: &str, lower: &Lower) -> Result<Container, Err> {
        let p = user_path(path)?;
        if self.stat_raw(&p, lower).is_none() {
            return Err(Err::NotFound(text(&p)));
        }
        let mut next = self.clone();
        next.drop_upper_below(&p);
        next.upper.remove(&p);
        if next.lower_visible(&p, lower).is_some() {
            next.copy_up_parents(&p, lower)?;
            next.upper.insert(p, UpperEntry::Whiteout);
        }
        Ok(next)
    }

    /// `mv from to`: like overlayfs without redirect_dir, the tree is copied up under its
    /// new name and the old name is deleted (a whiteout when the image had it).
    pub fn rename(&self, from: &str, to: &str, lower: &Lower) -> Result<Container, Err> {
        let src = user_path(from)?;
        let dst = user_path(to)?;
        if dst == src || dst.is_below(&src) {
            return Err(Err::MoveIntoItself(text(&src)));
        }
        let st = self
            .stat_raw(&src, lower)
            .ok_or_else(|| Err::NotFound(text(&src)))?;
        match self.stat_raw(&dst, lower) {
            Some(d) if d.kind == EntryKind::Dir => return Err(Err::AlreadyExists(text(&dst))),
            Some(_) if st.kind == EntryKind::Dir => return Err(Err::NotADirectory(text(&dst))),
            _ => {}
        }
        // Everything under `src` as the container sees it, `src` first.
        let mut moved: Vec<(RawPath, Stat)> = vec![(src.clone(), st)];
        if moved.first().is_some_and(|(_, s)| s.kind == EntryKind::Dir) {
            moved.extend(
                self.merged(lower)
                    .into_iter()
                    .filter(|r| r.path.is_below(&src))
                    .map(|r| (r.path, r.stat)),
            );
        }
        let mut next = if self.stat_raw(&dst, lower).is_some() {
            self.delete(to, lower)?
        } else {
            self.clone()
        };
        for (old, stat) in &moved {
            let rest = old.as_bytes().get(src.as_bytes().len()..).unwrap_or(&[]);
            let mut new = dst.as_bytes().to_vec();
            new.extend_from_slice(rest);
            let new = RawPath::from_bytes(new);
            let entry = self.copied_up(old, stat, lower)?;
            next = next.put_new(new, entry, lower)?;
        }
        next.delete(from, lower)
    }

    /// The upper-layer copy of what `path` is now (its kind, metadata, extended attributes
    /// and, for a file, its whole content): what a copy-up writes, for rename and metadata
    /// changes alike (overlayfs copies a lower file's attributes up with it).
    fn copied_up(&self, path: &RawPath, st: &Stat, lower: &Lower) -> Result<UpperEntry, Err> {
        Ok(match st.kind {
            EntryKind::Dir => UpperEntry::Dir {
                mode: st.mode,
                uid: st.uid,
                gid: st.gid,
                xattrs: st.xattrs.clone(),
            },
            EntryKind::Symlink => UpperEntry::Symlink {
                target: st.link_target.clone().unwrap_or_default(),
                uid: st.uid,
                gid: st.gid,
                xattrs: st.xattrs.clone(),
            },
            EntryKind::File | EntryKind::Hardlink => UpperEntry::File {
                content: self.read_raw(path, lower)?,
                mode: st.mode,
                uid: st.uid,
                gid: st.gid,
                xattrs: st.xattrs.clone(),
            },
            kind @ (EntryKind::Char | EntryKind::Block | EntryKind::Fifo | EntryKind::Other) => {
                return Err(Err::NotCopiedUp {
                    path: text(path),
                    kind,
                })
            }
        })
    }

    /// Changes permission bits (`mode & 0o7777`); a lower file is copied up whole (metadata
    /// copy-up). Extended attributes are kept, `security.capability` included, as Linux keeps
    /// them on chmod.
    pub fn chmod(&self, path: &str, mode: u32, lower: &Lower) -> Result<Container, Err> {
        self.set_meta(path, lower, |m| *m.mode = mode & 0o7777)
    }

    /// Changes the owner; a lower file is copied up whole (metadata copy-up). For anything but
    /// a folder, Linux's chown also drops privileges, even when the owner stays the same
    /// (measured: see `chown_kills_priv` in this module's source): `security.capability`
    /// goes, setuid is cleared, and setgid is cleared when group-execute is set; other
    /// attributes stay. A folder keeps its mode and all its attributes. Errors with
    /// `InvalidOwner` for ids above `u32::MAX` (Linux ids are 32-bit).
    pub fn chown(&self, path: &str, uid: u64, gid: u64, lower: &Lower) -> Result<Container, Err> {
        // Linux ids are 32-bit (`uid_t`); a larger one would be committed as another owner.
        if uid > u64::from(u32::MAX) || gid > u64::from(u32::MAX) {
            return Err(Err::InvalidOwner { uid, gid });
        }
        self.set_meta(path, lower, |m| {
            *m.uid = uid;
            *m.gid = gid;
            if !m.dir {
                chown_kills_priv(m.mode, m.xattrs);
            }
        })
    }

    fn set_meta(&self, path: &str, lower: &Lower, f: impl Fn(Meta<'_>)) -> Result<Container, Err> {
        let p = user_path(path)?;
        let st = self
            .stat_raw(&p, lower)
            .ok_or_else(|| Err::NotFound(text(&p)))?;
        let mut next = self.clone();
        next.copy_up_parents(&p, lower)?;
        let mut entry = match self.upper.get(&p) {
            Some(e) => e.clone(),
            None => self.copied_up(&p, &st, lower)?,
        };
        match &mut entry {
            UpperEntry::File {
                mode,
                uid,
                gid,
                xattrs,
                ..
            } => f(Meta {
                mode,
                uid,
                gid,
                xattrs,
                dir: false,
            }),
            UpperEntry::Dir {
                mode,
                uid,
                gid,
                xattrs,
            }
            | UpperEntry::Opaque {
                mode,
                uid,
                gid,
                xattrs,
            } => f(Meta {
                mode,
                uid,
                gid,
                xattrs,
                dir: true,
            }),
            // A link has no mode of its own (always 0o777): changes to it go nowhere.
            UpperEntry::Symlink {
                uid, gid, xattrs, ..
            } => f(Meta {
                mode: &mut 0o777,
                uid,
                gid,
                xattrs,
                dir: false,
            }),
            UpperEntry::Whiteout => return Err(Err::NotFound(text(&p))),
        }
        next.upper.insert(p, entry);
        Ok(next)
    }

    // -- docker diff / size ---------------------------------------------------------------

    /// The changes as `docker diff` prints them: `A /path`, `C /path`, `D /path`. Every
    /// parent directory of a change is listed as `C` (unless it is itself new). Order: a
    /// walk of the tree, parents before children, siblings by name (Docker's overlay walk;
    /// its naive differ prints the same set in Go map order, i.e. unordered).
    pub fn diff(&self, lower: &Lower) -> Vec<String> {
        self.diff_changes(lower)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    /// [`Self::diff`]'s lines, typed: the kind, the path, and whether the image has a folder
    /// there (a deleted folder is one `D` line for everything below it, as Docker lists it).
    pub fn diff_changes(&self, lower: &Lower) -> Vec<DiffChange> {
        let mut changes: BTreeMap<Vec<Vec<u8>>, (char, RawPath)> = BTreeMap::new();
        let key = |p: &RawPath| -> Vec<Vec<u8>> { p.components().map(|c| c.to_vec()).collect() };
        let mut add = |kind: char, p: &RawPath| {
            changes.entry(key(p)).or_insert((kind, p.clone()));
        };
        // The image's filesystem is the "old" tree, the merged view the "new" one (what
        // Docker's naive differ compares). A deleted subtree is listed by its top path only.
        for (p, u) in &self.upper {
            let old = lower.get(p);
            if let UpperEntry::Whiteout = u {
                if old.is_some() {
                    add('D', p);
                }
                continue;
            }
            if self.stat_raw(p, lower).is_none() {
                continue; // under a whiteout or a replaced parent
            }
            match (u, old) {
                (_, None) => add('A', p),
                (UpperEntry::File { .. } | UpperEntry::Symlink { .. }, Some(_)) => add('C', p),
                (UpperEntry::Dir { mode, uid, gid, .. }, Some(l)) => {
                    if l.row.kind != EntryKind::Dir
                        || l.row.mode != *mode
                        || (l.uid, l.gid) != (*uid, *gid)
                    {
                        add('C', p);
                    } // else a copied-up parent: listed only if something below it changed
                }
                (UpperEntry::Opaque { .. }, Some(_)) => {
                    add('C', p); // re-created: new mtime, like Docker
                    for f in lower.below(p) {
                        let q = &f.row.path;
                        let parent_is_dir = self
                            .stat_raw(&q.parent(), lower)
                            .is_some_and(|s| s.kind == EntryKind::Dir);
                        if parent_is_dir && self.stat_raw(q, lower).is_none() {
                            add('D', q);
                        }
                    }
                }
                (UpperEntry::Whiteout, Some(_)) => {}
            }
        }
        let changed: Vec<RawPath> = changes.values().map(|(_, p)| p.clone()).collect();
        for p in &changed {
            for a in ancestors(p) {
                changes.entry(key(&a)).or_insert(('C', a.clone()));
            }
        }
        changes
            .into_values()
            .map(|(kind, path)| DiffChange {
                kind,
                image_folder: lower
                    .get(&path)
                    .is_some_and(|l| l.row.kind == EntryKind::Dir),
                path,
            })
            .collect()
    }

    /// Bytes in the writable layer, as Docker's SIZE counts them: regular file contents
    /// and symlink targets; directories and whiteouts count 0.
    pub fn upper_size(&self) -> u64 {
        self.upper
            .values()
            .map(|u| match u {
                UpperEntry::File { content, .. } => content.len() as u64,
                UpperEntry::Symlink { target, .. } => target.as_bytes().len() as u64,
                _ => 0,
            })
            .sum()
    }
}

fn upper_stat(u: &UpperEntry) -> Option<Stat> {
    let st = |kind, size, mode, uid, gid, link_target, xattrs: &Vec<Xattr>| Stat {
        kind,
        size,
        mode,
        uid,
        gid,
        link_target,
        in_upper: true,
        layer: None,
        xattrs: xattrs.clone(),
    };
    match u {
        UpperEntry::File {
            content,
            mode,
            uid,
            gid,
            xattrs,
        } => Some(st(
            EntryKind::File,
            content.len() as u64,
            *mode,
            *uid,
            *gid,
            None,
            xattrs,
        )),
        UpperEntry::Dir {
            mode,
            uid,
            gid,
            xattrs,
        }
        | UpperEntry::Opaque {
            mode,
            uid,
            gid,
            xattrs,
        } => Some(st(EntryKind::Dir, 0, *mode, *uid, *gid, None, xattrs)),
        UpperEntry::Symlink {
            target,
            uid,
            gid,
            xattrs,
        } => Some(st(
            EntryKind::Symlink,
            target.as_bytes().len() as u64,
            0o777,
            *uid,
            *gid,
            Some(target.clone()),
            xattrs,
        )),
        UpperEntry::Whiteout => None,
    }
}

fn lower_stat(f: &LowerFile) -> Stat {
    Stat {
        kind: f.row.kind,
        size: f.row.size,
        mode: f.row.mode,
        uid: f.uid,
        gid: f.gid,
        link_target: f.row.link_target.clone(),
        in_upper: false,
        layer: Some(f.row.layer),
        xattrs: f.xattrs.clone(),
    }
}

/// What [`Container::set_meta`] hands its change: the copied-up entry's metadata (a link's
/// `mode` is a scratch 0o777 no one keeps) and whether it is a folder.
struct Meta<'e> {
    mode: &'e mut u32,
    uid: &'e mut u64,
    gid: &'e mut u64,
    xattrs: &'e mut Vec<Xattr>,
    dir: bool,
}

/// Removes `security.capability` from `xattrs`: what Linux does to a file whose content a
/// root process writes (`file_remove_privs` → `security_inode_killpriv`, which removes that
/// one attribute), keeping every other attribute and the mode.
///
/// Measured on Linux 6.18 (ext4, as root), python3 on a 0o755 file holding
/// `security.capability` (cap_net_raw, v2), `security.test`, `trusted.test` and `user.test`:
/// `open(O_WRONLY|O_TRUNC)` + `write` → `security.test`, `trusted.test`, `user.test` (mode
/// 0o755); `O_TRUNC` alone and a `write` without it also remove the capability; a 0o6755 file
/// written by root stays 0o6755. `chmod 0o700` and `rename` keep all four attributes.
fn kill_priv(xattrs: &mut Vec<Xattr>) {
    xattrs.retain(|x| x.name != capability::XATTR_NAME);
}

/// What Linux's chown does to a non-directory besides setting the owner, whichever owner is
/// given (the same one, or `-1:-1`, included): `chown_common` asks `notify_change` for
/// `ATTR_KILL_SUID | ATTR_KILL_SGID | ATTR_KILL_PRIV`, so `security.capability` is removed
/// ([`kill_priv`]), setuid is cleared, and setgid is cleared only when group-execute is set
/// (setgid without it marks mandatory locking, not privilege). A folder is left alone.
///
/// Measured on Linux 6.18 (ext4, as root), python3 `os.chown`/`os.lchown`: a file with
/// `security.capability`, `security.test`, `trusted.test`, `user.test` keeps all but the
/// capability after chown to 1000:1000, to 0:0 (its owner) and to -1:-1; modes after chown
/// (any of those three): 0o6755 → 0o755, 0o6745 → 0o2745, 0o4755 → 0o755, 0o2755 → 0o755,
/// 0o2745 → 0o2745; a symlink's `security.capability` goes on lchown to its own owner; a
/// 0o2755 folder with `security.capability` and `user.test` keeps its mode and both.
fn chown_kills_priv(mode: &mut u32, xattrs: &mut Vec<Xattr>) {
    kill_priv(xattrs);
    *mode &= !0o4000;
    if *mode & 0o010 != 0 {
        *mode &= !0o2000;
    }
}
