//! The Files view as a tree, without the DOM: which rows are folders of which, which are shown
//! once folders fold, in which order (by name or by size), where the keyboard moves, and the
//! largest files. Pure functions over `union::FileRow`s, so they are tested natively.

use std::collections::HashMap;

use pancake_core::analyze::union::{Change, FileRow};
use pancake_core::path::parent_bytes;
use pancake_core::{EntryKind, RawPath};

/// Above this many rows a listing starts folded below [`FOLDED_DEPTH`]; smaller ones start
/// open, as a plain list (every fixture layer is smaller).
pub const BIG_LISTING: usize = 5_000;
/// On a big listing, folders at this depth (0 = top level) and deeper start closed.
pub const FOLDED_DEPTH: usize = 1;
/// Children of one folder shown before a "show more" row, and how many more each press shows.
pub const CHILD_CAP: usize = 500;
/// How many entries the "largest files" lists hold.
pub const LARGEST: usize = 50;

/// Order of the rows under each folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SortBy {
    /// Byte order of the names, as the core lists paths.
    #[default]
    Name,
    /// Largest first: files by content size, folders by the total below them; ties by name.
    Size,
}

/// The size a row sorts by, in bytes: a folder's total below it, a file's (or hard link's)
/// content size, a symlink's target length (as `ls -l` shows it and the layer's size counts
/// it), 0 for anything else.
pub fn sort_size(r: &FileRow) -> u64 {
    match r.kind {
        EntryKind::Dir => r.dir_size,
        EntryKind::File | EntryKind::Hardlink | EntryKind::Symlink => r.size,
        _ => 0,
    }
}

/// A stable name for an entry kind (the rows' `data-kind` test hook).
pub fn kind_id(k: EntryKind) -> &'static str {
    match k {
        EntryKind::File => "file",
        EntryKind::Dir => "dir",
        EntryKind::Symlink => "symlink",
        EntryKind::Hardlink => "hardlink",
        EntryKind::Char => "char",
        EntryKind::Block => "block",
        EntryKind::Fifo => "fifo",
        EntryKind::Other => "other",
    }
}

/// One row of the listing placed in the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// Index into the rows.
    pub row: usize,
    /// 0 for a top-level entry; one more per folder above it that is itself in the rows.
    pub depth: usize,
    /// The node of the nearest folder above it that is in the rows.
    pub parent: Option<usize>,
    /// Nodes directly below, in row (path) order.
    pub children: Vec<usize>,
}

/// The rows of a listing arranged as folders and what they hold. Node `i` is row `i`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tree {
    pub nodes: Vec<Node>,
    /// Top-level nodes, in row order.
    pub roots: Vec<usize>,
}

impl Tree {
    /// Arranges `rows` (any order; the core gives path order). A row whose parent folder is
    /// not itself a row (a layer's changes need not list unchanged parents) hangs from the
    /// nearest listed ancestor, or the top. Linear in rows × path depth.
    pub fn build(rows: &[FileRow]) -> Tree {
        let by_path: HashMap<&[u8], usize> = rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.kind == EntryKind::Dir)
            .map(|(i, r)| (r.path.as_bytes(), i))
            .collect();
        let mut nodes: Vec<Node> = (0..rows.len())
            .map(|row| Node {
                row,
                depth: 0,
                parent: None,
                children: Vec::new(),
            })
            .collect();
        let mut roots = Vec::new();
        // Rows come grouped by folder: the last folder looked up and what it gave, so most
        // rows cost no lookup (200,000 rows are built on the page's thread).
        let mut last: Option<(&[u8], Option<usize>)> = None;
        for (i, r) in rows.iter().enumerate() {
            let folder = parent_bytes(r.path.as_bytes());
            let parent = match last {
                Some((f, p)) if f == folder && p != Some(i) => p,
                _ => {
                    let mut up = folder;
                    let found = loop {
                        if up.is_empty() {
                            break None;
                        }
                        if let Some(p) = by_path.get(up).copied().filter(|p| *p != i) {
                            break Some(p);
                        }
                        up = parent_bytes(up);
                    };
                    last = Some((folder, found));
                    found
                }
            };
            match parent.and_then(|p| nodes.get_mut(p).map(|n| (p, n))) {
                Some((p, n)) => {
                    n.children.push(i);
                    if let Some(me) = nodes.get_mut(i) {
                        me.parent = Some(p);
                    }
                }
                None => roots.push(i),
            }
        }
        // Depths top-down, so a child's parent already has its own.
        let mut stack: Vec<(usize, usize)> = roots.iter().rev().map(|r| (*r, 0)).collect();
        while let Some((n, d)) = stack.pop() {
            if let Some(node) = nodes.get_mut(n) {
                node.depth = d;
                stack.extend(node.children.iter().rev().map(|c| (*c, d + 1)));
            }
        }
        Tree { nodes, roots }
    }

    pub fn has_children(&self, n: usize) -> bool {
        self.nodes.get(n).is_some_and(|n| !n.children.is_empty())
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        crate::bury::bury(std::mem::take(&mut self.nodes));
    }
}

/// Which folders are open: a default by depth, and the folders opened or closed by hand.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Folding {
    /// Folders at this depth and deeper start closed; `None`: all start open.
    pub closed_from: Option<usize>,
    /// Folders (by path) opened (`true`) or closed (`false`) by hand.
    pub set: HashMap<RawPath, bool>,
    /// Per folder (by path, `""` for the top), children shown beyond [`CHILD_CAP`].
    pub more: HashMap<RawPath, usize>,
}

impl Folding {
    /// The starting folding of a listing of `rows` rows: big ones folded below
    /// [`FOLDED_DEPTH`], others open.
    pub fn for_rows(rows: usize) -> Folding {
        Folding {
            closed_from: (rows > BIG_LISTING).then_some(FOLDED_DEPTH),
            ..Folding::default()
        }
    }

    pub fn is_open(&self, path: &RawPath, depth: usize) -> bool {
        self.set
            .get(path)
            .copied()
            .unwrap_or(self.closed_from.is_none_or(|d| depth < d))
    }

    pub fn expand_all(&mut self) {
        self.closed_from = None;
        self.set.clear();
    }

    pub fn collapse_all(&mut self) {
        self.closed_from = Some(0);
        self.set.clear();
    }

    /// Opens every folder above `path` so its row shows.
    pub fn reveal(&mut self, path: &RawPath) {
        let mut up = path.parent();
        while !up.is_root() {
            self.set.insert(up.clone(), true);
            up = up.parent();
        }
    }
}

/// One line of the shown listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Line {
    /// A row (its node index = row index).
    Row(usize),
    /// A "show more" line for the folder `parent` (`None`: the top level), `hidden` children
    /// not shown yet, at `depth`.
    More {
        parent: Option<usize>,
        hidden: usize,
        depth: usize,
    },
}

fn sorted(rows: &[FileRow], ids: &[usize], sort: SortBy) -> Vec<usize> {
    let mut v = ids.to_vec();
    if sort == SortBy::Size {
        // Stable: equal sizes keep path order.
        v.sort_by_key(|i| std::cmp::Reverse(rows.get(*i).map(sort_size).unwrap_or(0)));
    }
    v
}

/// One open folder being walked by [`visible`].
struct Level {
    /// Its children, sorted.
    ids: Vec<usize>,
    /// The next child to emit.
    pos: usize,
    /// The folder's node; `None` for the top level.
    parent: Option<usize>,
    /// Depth of its children.
    depth: usize,
    /// How many children are shown.
    limit: usize,
}

/// The lines shown: open folders' children under them, each folder's children sorted and
/// capped at [`CHILD_CAP`] (plus what "show more" added) with a [`Line::More`] after.
pub fn visible(rows: &[FileRow], tree: &Tree, fold: &Folding, sort: SortBy) -> Vec<Line> {
    let limit_of = |p: &RawPath| CHILD_CAP.saturating_add(fold.more.get(p).copied().unwrap_or(0));
    let mut out = Vec::new();
    let mut stack = vec![Level {
        ids: sorted(rows, &tree.roots, sort),
        pos: 0,
        parent: None,
        depth: 0,
        limit: limit_of(&RawPath::default()),
    }];
    while let Some(top) = stack.last_mut() {
        let next = top
            .ids
            .get(top.pos)
            .copied()
            .filter(|_| top.pos < top.limit);
        let Some(n) = next else {
            if top.ids.len() > top.limit && top.pos == top.limit {
                out.push(Line::More {
                    parent: top.parent,
                    hidden: top.ids.len().saturating_sub(top.limit),
                    depth: top.depth,
                });
            }
            stack.pop();
            continue;
        };
        top.pos += 1;
        out.push(Line::Row(n));
        let (Some(node), Some(r)) = (tree.nodes.get(n), rows.get(n)) else {
            continue;
        };
        if !node.children.is_empty() && fold.is_open(&r.path, node.depth) {
            stack.push(Level {
                ids: sorted(rows, &node.children, sort),
                pos: 0,
                parent: Some(n),
                depth: node.depth + 1,
                limit: limit_of(&r.path),
            });
        }
    }
    out
}

/// The lines shown while a filter is typed: the matching rows, flat, in the chosen order.
pub fn flat(rows: &[FileRow], matching: &[usize], sort: SortBy) -> Vec<Line> {
    sorted(rows, matching, sort)
        .into_iter()
        .map(Line::Row)
        .collect()
}

/// What a key does on the line at `pos` of `lines` (WAI-ARIA tree view pattern).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyMove {
    /// Focus the line at this position.
    Focus(usize),
    /// Open (`true`) or close the folder of this row.
    Fold(usize, bool),
    /// Open this row's content.
    Open(usize),
    /// Press the "show more" line at this position.
    More(usize),
    Nothing,
}

/// ↑/↓ previous/next line, Home/End first/last, → opens a closed folder or goes to its first
/// child, ← closes an open folder or goes to the parent, Enter/Space opens a file or folds a
/// folder. `open(n)` says whether node `n`'s folder is open.
pub fn key_move(
    key: &str,
    lines: &[Line],
    pos: usize,
    tree: &Tree,
    open: impl Fn(usize) -> bool,
) -> KeyMove {
    let last = lines.len().saturating_sub(1);
    let here = lines.get(pos);
    let row = match here {
        Some(Line::Row(n)) => Some(*n),
        _ => None,
    };
    match key {
        "ArrowDown" if pos < last => KeyMove::Focus(pos + 1),
        "ArrowUp" if pos > 0 => KeyMove::Focus(pos - 1),
        "Home" if !lines.is_empty() => KeyMove::Focus(0),
        "End" if !lines.is_empty() => KeyMove::Focus(last),
        "ArrowRight" => match row {
            Some(n) if tree.has_children(n) && !open(n) => KeyMove::Fold(n, true),
            // An open folder's first child is the next line.
            Some(n) if tree.has_children(n) && pos < last => KeyMove::Focus(pos + 1),
            _ => KeyMove::Nothing,
        },
        "ArrowLeft" => {
            if let Some(n) = row.filter(|n| tree.has_children(*n) && open(*n)) {
                return KeyMove::Fold(n, false);
            }
            let parent = match here {
                Some(Line::Row(n)) => tree.nodes.get(*n).and_then(|x| x.parent),
                Some(Line::More { parent, .. }) => *parent,
                None => None,
            };
            parent
                .and_then(|p| lines.iter().position(|l| *l == Line::Row(p)))
                .map(KeyMove::Focus)
                .unwrap_or(KeyMove::Nothing)
        }
        "Enter" | " " => match here {
            Some(Line::Row(n)) if tree.has_children(*n) => KeyMove::Fold(*n, !open(*n)),
            Some(Line::Row(n)) => KeyMove::Open(*n),
            Some(Line::More { .. }) => KeyMove::More(pos),
            None => KeyMove::Nothing,
        },
        _ => KeyMove::Nothing,
    }
}

/// Up to `n` regular files of `rows`, largest first (ties in path order): what is present
/// in the listing (no deleted rows), each stored file once (hard links skipped, their bytes
/// are the target's).
pub fn largest(rows: &[FileRow], n: usize) -> Vec<usize> {
    let mut ids: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.kind == EntryKind::File && r.change != Change::Deleted)
        .map(|(i, _)| i)
        .collect();
    ids.sort_by_key(|i| std::cmp::Reverse(rows.get(*i).map(|r| r.size).unwrap_or(0)));
    ids.truncate(n);
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(path: &str, kind: EntryKind, size: u64) -> FileRow {
        FileRow {
            path: RawPath::from_typed(path),
            kind,
            size: if kind == EntryKind::Dir { 0 } else { size },
            change: Change::Added,
            layer: 0,
            link_target: None,
            mode: 0o644,
            member: None,
            dir_size: if kind == EntryKind::Dir { size } else { 0 },
            content: None,
        }
    }

    /// etc/ (10), etc/hosts (4), etc/nginx/ (6), etc/nginx/nginx.conf (6), usr/ (100),
    /// usr/bin/ (100), usr/bin/env (100), a (1)
    fn sample() -> Vec<FileRow> {
        use EntryKind::{Dir, File};
        vec![
            row("a", File, 1),
            row("etc", Dir, 10),
            row("etc/hosts", File, 4),
            row("etc/nginx", Dir, 6),
            row("etc/nginx/nginx.conf", File, 6),
            row("usr", Dir, 100),
            row("usr/bin", Dir, 100),
            row("usr/bin/env", File, 100),
        ]
    }

    fn paths(rows: &[FileRow], lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| match l {
                Line::Row(n) => rows[*n].path.display().into_owned(),
                Line::More { hidden, .. } => format!("+{hidden}"),
            })
            .collect()
    }

    #[test]
    fn tree_links_each_row_to_its_folder_with_depths() {
        let rows = sample();
        let t = Tree::build(&rows);
        assert_eq!(t.roots, vec![0, 1, 5]);
        assert_eq!(t.nodes[1].children, vec![2, 3]);
        assert_eq!(t.nodes[4].parent, Some(3));
        assert_eq!(t.nodes[4].depth, 2);
        assert_eq!(t.nodes[7].depth, 2);
        assert!(t.has_children(6));
        assert!(!t.has_children(7));
    }

    #[test]
    fn a_row_whose_folder_is_not_listed_hangs_from_the_nearest_listed_one() {
        use EntryKind::{Dir, File};
        // A layer's changes: `usr/` listed, `usr/lib/` not.
        let rows = vec![
            row("usr", Dir, 3),
            row("usr/lib/x/y.so", File, 3),
            row("opt/z", File, 1),
        ];
        let t = Tree::build(&rows);
        assert_eq!(t.roots, vec![0, 2]);
        assert_eq!(t.nodes[1].parent, Some(0));
        assert_eq!(t.nodes[1].depth, 1);
    }

    #[test]
    fn folded_folders_hide_what_they_hold() {
        let rows = sample();
        let t = Tree::build(&rows);
        let mut f = Folding::default();
        assert_eq!(visible(&rows, &t, &f, SortBy::Name).len(), 8);
        f.collapse_all();
        assert_eq!(
            paths(&rows, &visible(&rows, &t, &f, SortBy::Name)),
            ["a", "etc", "usr"]
        );
        f.set.insert(RawPath::from_typed("etc"), true);
        assert_eq!(
            paths(&rows, &visible(&rows, &t, &f, SortBy::Name)),
            ["a", "etc", "etc/hosts", "etc/nginx", "usr"]
        );
        f.collapse_all();
        f.reveal(&RawPath::from_typed("usr/bin/env"));
        assert_eq!(
            paths(&rows, &visible(&rows, &t, &f, SortBy::Name)),
            ["a", "etc", "usr", "usr/bin", "usr/bin/env"]
        );
        f.expand_all();
        assert_eq!(visible(&rows, &t, &f, SortBy::Name).len(), 8);
    }

    #[test]
    fn big_listings_start_folded_below_the_top() {
        assert_eq!(Folding::for_rows(BIG_LISTING).closed_from, None);
        let f = Folding::for_rows(BIG_LISTING + 1);
        assert!(f.is_open(&RawPath::from_typed("usr"), 0));
        assert!(!f.is_open(&RawPath::from_typed("usr/bin"), 1));
    }

    #[test]
    fn size_order_puts_the_biggest_first_in_each_folder_folders_by_their_total() {
        let rows = sample();
        let t = Tree::build(&rows);
        assert_eq!(
            paths(
                &rows,
                &visible(&rows, &t, &Folding::default(), SortBy::Size)
            ),
            [
                "usr",
                "usr/bin",
                "usr/bin/env",
                "etc",
                "etc/nginx",
                "etc/nginx/nginx.conf",
                "etc/hosts",
                "a"
            ]
        );
        assert_eq!(
            paths(&rows, &flat(&rows, &[0, 2, 4], SortBy::Size)),
            ["etc/nginx/nginx.conf", "etc/hosts", "a"]
        );
    }

    #[test]
    fn a_huge_folder_shows_a_capped_number_of_rows_then_more() {
        let mut rows = vec![row("d", EntryKind::Dir, 0)];
        rows.extend((0..CHILD_CAP + 7).map(|i| row(&format!("d/f{i:05}"), EntryKind::File, 1)));
        let t = Tree::build(&rows);
        let mut f = Folding::default();
        let lines = visible(&rows, &t, &f, SortBy::Name);
        assert_eq!(lines.len(), 1 + CHILD_CAP + 1);
        assert_eq!(
            lines.last(),
            Some(&Line::More {
                parent: Some(0),
                hidden: 7,
                depth: 1
            })
        );
        f.more.insert(RawPath::from_typed("d"), CHILD_CAP);
        assert_eq!(
            visible(&rows, &t, &f, SortBy::Name).len(),
            1 + CHILD_CAP + 7
        );
    }

    #[test]
    fn keys_walk_the_tree_like_a_tree_view() {
        let rows = sample();
        let t = Tree::build(&rows);
        let mut f = Folding::default();
        f.collapse_all();
        let open = |f: &Folding| {
            let f = f.clone();
            let rows = rows.clone();
            let t = t.clone();
            move |n: usize| f.is_open(&rows[n].path, t.nodes[n].depth)
        };
        let lines = visible(&rows, &t, &f, SortBy::Name); // a, etc, usr
        assert_eq!(
            key_move("ArrowDown", &lines, 0, &t, open(&f)),
            KeyMove::Focus(1)
        );
        assert_eq!(
            key_move("ArrowDown", &lines, 2, &t, open(&f)),
            KeyMove::Nothing
        );
        assert_eq!(
            key_move("ArrowUp", &lines, 1, &t, open(&f)),
            KeyMove::Focus(0)
        );
        assert_eq!(key_move("End", &lines, 0, &t, open(&f)), KeyMove::Focus(2));
        assert_eq!(key_move("Home", &lines, 2, &t, open(&f)), KeyMove::Focus(0));
        assert_eq!(
            key_move("ArrowRight", &lines, 1, &t, open(&f)),
            KeyMove::Fold(1, true)
        );
        assert_eq!(key_move("Enter", &lines, 0, &t, open(&f)), KeyMove::Open(0));
        assert_eq!(
            key_move("Enter", &lines, 1, &t, open(&f)),
            KeyMove::Fold(1, true)
        );
        f.set.insert(RawPath::from_typed("etc"), true);
        let lines = visible(&rows, &t, &f, SortBy::Name); // a, etc, etc/hosts, etc/nginx, usr
        assert_eq!(
            key_move("ArrowRight", &lines, 1, &t, open(&f)),
            KeyMove::Focus(2)
        );
        assert_eq!(
            key_move("ArrowLeft", &lines, 3, &t, open(&f)),
            KeyMove::Focus(1)
        );
        assert_eq!(
            key_move("ArrowLeft", &lines, 1, &t, open(&f)),
            KeyMove::Fold(1, false)
        );
        assert_eq!(
            key_move("ArrowLeft", &lines, 0, &t, open(&f)),
            KeyMove::Nothing
        );
    }

    #[test]
    fn largest_lists_present_regular_files_biggest_first() {
        let mut rows = sample();
        rows.push(row("gone", EntryKind::File, 1000));
        rows.last_mut().unwrap().change = Change::Deleted;
        rows.push(row("link", EntryKind::Hardlink, 100));
        let top: Vec<String> = largest(&rows, 3)
            .iter()
            .map(|i| rows[*i].path.display().into_owned())
            .collect();
        assert_eq!(top, ["usr/bin/env", "etc/nginx/nginx.conf", "etc/hosts"]);
        assert_eq!(largest(&rows, 50).len(), 4);
    }
}
