//! Where each shown line of the Files tree sits among its siblings, for `aria-posinset` and
//! `aria-setsize` (WAI-ARIA 1.2, treeitem): a virtualized list renders only the lines in
//! view, so a screen reader cannot count the siblings itself.

use std::collections::HashMap;

use super::model::{Line, Tree};

/// Per line of `lines` (same order): `(posinset, setsize)`, both counting from 1.
///
/// In the tree (`flat` false) a row's set is its folder's children (or the top level), all
/// of them, also those a "show more" line still hides; a "show more" line takes the next
/// position of its folder's set. A filtered (`flat`) listing is one set of every line.
pub fn set_positions(lines: &[Line], tree: &Tree, flat: bool) -> Vec<(usize, usize)> {
    if flat {
        let n = lines.len();
        return (1..=n).map(|i| (i, n)).collect();
    }
    let set_size = |parent: Option<usize>| match parent {
        Some(p) => tree.nodes.get(p).map_or(0, |n| n.children.len()),
        None => tree.roots.len(),
    };
    // Lines already placed per folder: a folder's children come in their order, with its
    // open subfolders' lines between them.
    let mut placed: HashMap<Option<usize>, usize> = HashMap::new();
    lines
        .iter()
        .map(|l| {
            let parent = match l {
                Line::Row(n) => tree.nodes.get(*n).and_then(|x| x.parent),
                Line::More { parent, .. } => *parent,
            };
            let count = placed.entry(parent).or_insert(0);
            *count = count.saturating_add(1);
            let size = set_size(parent);
            // A "show more" line is one past the children shown so far.
            (*count, size.max(*count))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::tree::model::{self, Folding, SortBy, CHILD_CAP};
    use pancake_core::analyze::union::{Change, FileRow};
    use pancake_core::{EntryKind, RawPath};

    fn row(path: &str, kind: EntryKind) -> FileRow {
        FileRow {
            path: RawPath::from_typed(path),
            kind,
            size: 1,
            change: Change::Added,
            layer: 0,
            link_target: None,
            mode: 0o644,
            member: None,
            dir_size: 0,
            content: None,
        }
    }

    #[test]
    fn rows_count_among_their_own_folders_children() {
        use EntryKind::{Dir, File};
        let rows = vec![
            row("a", File),
            row("etc", Dir),
            row("etc/hosts", File),
            row("etc/nginx", Dir),
            row("etc/nginx/nginx.conf", File),
            row("mnt", Dir),
        ];
        let tree = Tree::build(&rows);
        let mut fold = Folding::default();
        fold.expand_all();
        let lines = model::visible(&rows, &tree, &fold, SortBy::Name);
        assert_eq!(
            set_positions(&lines, &tree, false),
            // a, etc, etc/hosts, etc/nginx, etc/nginx/nginx.conf, mnt
            vec![(1, 3), (2, 3), (1, 2), (2, 2), (1, 1), (3, 3)]
        );
        // Filtered: one flat set.
        let flat = model::flat(&rows, &[2, 4], SortBy::Name);
        assert_eq!(set_positions(&flat, &tree, true), vec![(1, 2), (2, 2)]);
        // The empty folder `mnt` is a leaf.
        assert!(!tree.has_children(5));
    }

    #[test]
    fn a_capped_folder_counts_every_child_and_show_more_comes_next() {
        use EntryKind::{Dir, File};
        let mut rows = vec![row("big", Dir)];
        let n = CHILD_CAP + 3;
        rows.extend((0..n).map(|i| row(&format!("big/f{i:04}"), File)));
        let tree = Tree::build(&rows);
        let mut fold = Folding::default();
        fold.expand_all();
        let lines = model::visible(&rows, &tree, &fold, SortBy::Name);
        let pos = set_positions(&lines, &tree, false);
        assert_eq!(pos.first(), Some(&(1, 1)));
        assert_eq!(pos.get(1), Some(&(1, n)));
        assert_eq!(pos.get(CHILD_CAP), Some(&(CHILD_CAP, n)));
        assert!(matches!(lines.last(), Some(Line::More { .. })));
        assert_eq!(pos.last(), Some(&(CHILD_CAP + 1, n)));
    }
}
