//! Entries of a layer that unpacking fails on because a folder on their path is not a folder:
//! a file (or hard link, device, fifo) or a symlink that loops, written earlier in the same
//! layer.
//!
//! A layer is unpacked into a directory of its own, entry by entry in tar order. When the
//! entry `f/x` comes after a regular file `f` of the same layer, moby's `archive.Unpack` and
//! containerd's `archive.Apply` find `f` existing (so create no folder) and then fail to
//! create `f/x` (`ENOTDIR`), and the pull fails. (A file `f` of a *lower* layer is different:
//! the layer's own directory does not hold it, a folder `f` is created there and hides the
//! file, as overlayfs merges; a non-directory written *after* `f/x` replaces the folder and
//! its tree, as unpacking removes what is in the way.) Such entries stay in the layer's index
//! (the listing of its tar); the filesystem views leave them out, as `union` does.

use std::collections::{HashMap, HashSet};

use crate::model::{Entry, EntryKind};
use crate::path::parent_bytes;

/// One entry unpacking fails on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BelowNonFolder {
    /// Position of the failing entry in the layer's entries.
    pub entry: usize,
    /// Position of the entry that made the non-directory on its path (the latest one before
    /// it at that path).
    pub blocker: usize,
}

fn has_dotdot(p: &[u8]) -> bool {
    p.split(|b| *b == b'/').any(|c| c == b"..")
}

/// The entries of one layer (in tar order, as the reader lists them) whose path has, as a
/// folder, a non-directory entry of the same layer that comes before them and is not
/// replaced by a directory in between; in entry order. Names with `..` are left out (the
/// views leave them out already). Work: one map search per entry, and, only when the layer
/// has such a non-directory at all, one per folder of each later entry's path.
pub fn below_non_folders(entries: &[Entry]) -> Vec<BelowNonFolder> {
    // Every folder named by an entry's path, with the last position of an entry below it.
    // Walked backwards, a folder's first sighting is its last position, and its own folders
    // were recorded then with positions at least as late: the walk up stops there.
    let mut last_below: HashMap<&[u8], usize> = HashMap::new();
    for (i, e) in entries.iter().enumerate().rev() {
        let path = e.path.as_bytes();
        if has_dotdot(path) {
            continue;
        }
        let mut dir = parent_bytes(path);
        while !dir.is_empty() && !last_below.contains_key(dir) {
            last_below.insert(dir, i);
            dir = parent_bytes(dir);
        }
    }
    // Non-directories some later entry of the layer is below: the only possible blockers.
    let blockers: HashSet<&[u8]> = entries
        .iter()
        .enumerate()
        .filter(|(j, e)| {
            e.kind != EntryKind::Dir
                && last_below
                    .get(e.path.as_bytes())
                    .is_some_and(|last| last > j)
        })
        .map(|(_, e)| e.path.as_bytes())
        .collect();
    if blockers.is_empty() {
        return Vec::new();
    }
    drop(last_below);
    // In tar order: which of those paths hold a non-directory right now, by its position.
    let mut now: HashMap<&[u8], usize> = HashMap::new();
    let mut out = Vec::new();
    // The answer for the last folder looked up, while `now` has not changed since: a tar lists
    // a folder's entries together.
    let mut memo: Option<(&[u8], Option<usize>)> = None;
    for (k, e) in entries.iter().enumerate() {
        let path = e.path.as_bytes();
        if has_dotdot(path) {
            continue;
        }
        let folder = parent_bytes(path);
        let blocked = match memo {
            Some((d, answer)) if d == folder => answer,
            _ => {
                // The nearest non-directory on the way up.
                let mut dir = folder;
                let mut found = None;
                while found.is_none() && !dir.is_empty() {
                    found = now.get(dir).copied();
                    dir = parent_bytes(dir);
                }
                memo = Some((folder, found));
                found
            }
        };
        if let Some(blocker) = blocked {
            // Nothing is written: the entry does not change what its path holds.
            out.push(BelowNonFolder { entry: k, blocker });
            continue;
        }
        if blockers.contains(path) {
            if e.kind == EntryKind::Dir {
                now.remove(path);
            } else {
                now.insert(path, k);
            }
            memo = None;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::path::RawPath;

    fn entries(list: &[(&str, EntryKind)]) -> Vec<Entry> {
        list.iter()
            .map(|(p, kind)| Entry {
                path: RawPath::from(*p),
                kind: *kind,
                size: 0,
                mode: 0o644,
                uid: 0,
                gid: 0,
                mtime: 0,
                link_target: None,
                content_offset: None,
                sparse: None,
            })
            .collect()
    }

    fn failing(list: &[(&str, EntryKind)]) -> Vec<(usize, usize)> {
        below_non_folders(&entries(list))
            .into_iter()
            .map(|b| (b.entry, b.blocker))
            .collect()
    }

    #[test]
    fn a_name_below_a_file_of_the_same_layer_fails_and_so_does_its_subtree() {
        use EntryKind::*;
        assert_eq!(
            failing(&[
                ("f", File),
                ("f/x", File),
                ("f/d", Dir),
                ("f/d/y", File),
                ("g", File)
            ]),
            [(1, 0), (2, 0), (3, 0)]
        );
    }

    #[test]
    fn a_file_written_after_its_children_replaces_them_and_fails_nothing() {
        use EntryKind::*;
        assert!(failing(&[("f/x", File), ("f", File)]).is_empty());
        assert!(failing(&[("d", Dir), ("d/x", File), ("e", Dir), ("e/y", File)]).is_empty());
    }

    #[test]
    fn a_folder_replacing_the_file_ends_the_failure() {
        use EntryKind::*;
        assert_eq!(
            failing(&[
                ("f", File),
                ("f/x", File),
                ("f", Dir),
                ("f/y", File),
                ("f", Symlink),
                ("f/z", File)
            ]),
            [(1, 0), (5, 4)]
        );
    }

    #[test]
    fn a_deeper_blocker_is_found_and_dotdot_names_are_left_out() {
        use EntryKind::*;
        assert_eq!(
            failing(&[
                ("a", Dir),
                ("a/b", Hardlink),
                ("a/b/c/d", File),
                ("a/../a/b/e", File)
            ]),
            [(2, 1)]
        );
    }
}
