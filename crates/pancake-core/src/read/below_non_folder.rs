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
use crate::path::{has_dotdot, parent_bytes};

/// One entry unpacking fails on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BelowNonFolder {
    /// Position of the failing entry in the layer's entries.
    pub entry: usize,
    /// Position of the entry that made the non-directory on its path (the latest one before
    /// it at that path).
    pub blocker: usize,
}

/// Whiteout and opaque markers (`.wh.` names) are applied, not written as files: they block
/// nothing and are not entries of the filesystem.
pub(crate) fn is_marker(p: &[u8]) -> bool {
    p.rsplit(|b| *b == b'/')
        .next()
        .is_some_and(|name| name.starts_with(b".wh."))
}

/// The paths that may block, as a tree of components (node 0 is the root), each node with the
/// position of the non-directory it holds right now, if any, and how many nodes of its
/// subtree hold one (so a subtree with none is never visited).
struct Blockers<'a> {
    children: Vec<HashMap<&'a [u8], usize>>,
    parent: Vec<usize>,
    holds: Vec<Option<usize>>,
    held_below: Vec<usize>,
}

impl<'a> Blockers<'a> {
    fn new() -> Self {
        Blockers {
            children: vec![HashMap::new()],
            parent: vec![0],
            holds: vec![None],
            held_below: vec![0],
        }
    }

    fn insert(&mut self, path: &'a [u8]) {
        let mut node = 0;
        for c in path.split(|b| *b == b'/') {
            let next = self.children.len();
            let Some(children) = self.children.get_mut(node) else {
                return;
            };
            let child = *children.entry(c).or_insert(next);
            if child == next {
                self.children.push(HashMap::new());
                self.parent.push(node);
                self.holds.push(None);
                self.held_below.push(0);
            }
            node = child;
        }
    }

    /// Sets what `node` holds, keeping the counts of its folders.
    fn set(&mut self, node: usize, holds: Option<usize>) {
        let Some(slot) = self.holds.get_mut(node) else {
            return;
        };
        let delta: isize = match (slot.is_some(), holds.is_some()) {
            (false, true) => 1,
            (true, false) => -1,
            _ => 0,
        };
        *slot = holds;
        if delta == 0 {
            return;
        }
        let mut at = node;
        loop {
            if let Some(n) = self.held_below.get_mut(at) {
                *n = n.saturating_add_signed(delta);
            }
            if at == 0 {
                break;
            }
            at = self.parent.get(at).copied().unwrap_or(0);
        }
    }

    /// Clears every non-directory below `node` (not `node` itself): a write there replaced
    /// the folder and its tree.
    fn clear_below(&mut self, node: usize) {
        let mut todo: Vec<usize> = self
            .children
            .get(node)
            .map(|c| c.values().copied().collect())
            .unwrap_or_default();
        while let Some(n) = todo.pop() {
            if self.held_below.get(n).copied().unwrap_or(0) == 0 {
                continue;
            }
            self.set(n, None);
            if let Some(c) = self.children.get(n) {
                todo.extend(c.values().copied());
            }
        }
    }
}

/// The entries of one layer (in tar order, as the reader lists them) whose path has, as a
/// folder, a non-directory entry of the same layer that comes before them and is not
/// replaced in between (by a directory at its path, or by a non-directory at a folder above
/// it, which takes its tree away); in entry order. Names with `..`, whiteout markers and
/// entries of an unknown type ([`EntryKind::Other`]) are left out (the views leave them out). Work: one map search per entry, and, only when the
/// layer has such a non-directory at all, one per component of each entry's path.
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
    let candidates: HashSet<&[u8]> = entries
        .iter()
        .enumerate()
        .filter(|(j, e)| {
            let path = e.path.as_bytes();
            e.kind != EntryKind::Dir
                && e.kind != EntryKind::Other
                && !is_marker(path)
                && last_below.get(path).is_some_and(|last| last > j)
        })
        .map(|(_, e)| e.path.as_bytes())
        .collect();
    if candidates.is_empty() {
        return Vec::new();
    }
    drop(last_below);
    let mut tree = Blockers::new();
    for p in &candidates {
        tree.insert(p);
    }
    let mut out = Vec::new();
    for (k, e) in entries.iter().enumerate() {
        let path = e.path.as_bytes();
        // An entry of an unknown type is not written either (its own `unpack-fails`
        // problem): it neither blocks nor replaces anything.
        if has_dotdot(path) || is_marker(path) || e.kind == EntryKind::Other {
            continue;
        }
        // Down the tree along the path: a folder holding a non-directory blocks it; the node
        // of the path itself, when it has one, takes the write.
        let mut node = Some(0);
        let mut blocked = None;
        let mut parts = path.split(|b| *b == b'/').peekable();
        while let (Some(c), Some(n)) = (parts.next(), node) {
            node = tree.children.get(n).and_then(|m| m.get(c)).copied();
            if parts.peek().is_none() {
                break;
            }
            if let Some(j) = node.and_then(|n| tree.holds.get(n).copied().flatten()) {
                blocked = Some(j);
                break;
            }
        }
        if let Some(blocker) = blocked {
            // Nothing is written: the entry does not change what its path holds.
            out.push(BelowNonFolder { entry: k, blocker });
            continue;
        }
        // (Every folder of a possible blocker is in the tree: a non-directory written over
        // one takes the blockers below it away.)
        if let Some(n) = node {
            if e.kind == EntryKind::Dir {
                tree.set(n, None);
            } else {
                tree.clear_below(n);
                tree.set(n, Some(k));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::entry;

    fn entries(list: &[(&str, EntryKind)]) -> Vec<Entry> {
        list.iter().map(|(p, kind)| entry(p, *kind)).collect()
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

    #[test]
    fn a_file_replacing_a_folder_takes_the_blockers_below_it_away() {
        use EntryKind::*;
        // `a/f` went away with the folder `a`: a new `a/f/x` unpacks.
        assert!(failing(&[
            ("a", Dir),
            ("a/f", File),
            ("a", File),
            ("a", Dir),
            ("a/f/x", File)
        ])
        .is_empty());
        // Without the new folder, `a` (the file) is what blocks.
        assert_eq!(
            failing(&[("a", Dir), ("a/f", File), ("a", File), ("a/f/x", File)]),
            [(3, 2)]
        );
    }

    #[test]
    fn whiteout_markers_block_nothing_and_are_not_written() {
        use EntryKind::*;
        assert!(failing(&[(".wh.x", File), (".wh.x/y", File)]).is_empty());
        assert!(failing(&[("d", File), ("d/.wh..wh..opq", File)]).is_empty());
    }
}
