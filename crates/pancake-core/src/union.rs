//! The union view: the filesystem a container sees after each layer (a fold of the layers,
//! dive's `filetree` idea), what each layer changed, and the bytes later layers make useless.
//!
//! State is a `BTreeMap` keyed by path, so "everything below `dir`" is one range query and
//! the whole fold is O(entries · log entries), fine for 200k entries.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;

use serde::{Deserialize, Serialize};

use crate::model::{Archive, Entry, EntryKind, Image};
use crate::path::RawPath;
use crate::whiteout::{classify, Marker};

/// How a path fared in one layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Added,
    Modified,
    Deleted,
    Unchanged,
}

/// One path in a merged view or in a layer's changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRow {
    pub path: RawPath,
    pub kind: EntryKind,
    /// Content size; for a hard link, the size of the file it links to.
    pub size: u64,
    pub change: Change,
    /// The layer that last wrote this path. For `Deleted` rows: the lower layer the deleted
    /// path came from.
    pub layer: usize,
    pub link_target: Option<RawPath>,
    pub mode: u32,
    /// `Archive::members` index of the layer blob holding this entry (to read its content).
    pub member: Option<usize>,
    /// For directories: content bytes stored below it (hard links count 0, like `du`).
    pub dir_size: u64,
}

/// What one layer did to the filesystem below it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerChanges {
    /// Sorted by path. Whiteouts and opaque dirs appear as `Deleted` rows of what they hide.
    pub rows: Vec<FileRow>,
    pub added: usize,
    pub modified: usize,
    pub deleted: usize,
    pub added_bytes: u64,
    pub modified_bytes: u64,
    pub deleted_bytes: u64,
}

/// A path as it stands in the merged filesystem.
#[derive(Clone, Debug)]
struct Node {
    kind: EntryKind,
    /// Apparent size (hard links: their target's).
    size: u64,
    /// Bytes this entry's tar member stores (0 for hard links).
    stored: u64,
    mode: u32,
    link_target: Option<RawPath>,
    layer: usize,
    member: Option<usize>,
    /// Did the path exist below the layer that wrote it? (Added vs Modified.)
    replaced: bool,
}

type State = BTreeMap<RawPath, Node>;

/// The entries of an image's layer `i`, empty when the blob is missing or unreadable.
pub fn layer_entries<'a>(archive: &'a Archive, image: &Image, i: usize) -> &'a [Entry] {
    image
        .layers
        .get(i)
        .and_then(|l| l.member)
        .and_then(|m| archive.members.get(m))
        .and_then(|m| m.facts.layer.as_ref())
        .map(|l| l.entries.as_slice())
        .unwrap_or(&[])
}

fn member_of(image: &Image, i: usize) -> Option<usize> {
    image.layers.get(i).and_then(|l| l.member)
}

/// Removes `dir`'s descendants (not `dir` itself) and returns them.
fn remove_below(state: &mut State, dir: &RawPath) -> Vec<(RawPath, Node)> {
    let keys: Vec<RawPath> = if dir.is_root() {
        state.keys().cloned().collect()
    } else {
        // Descendants of `d` are exactly the keys in [`d/`, `d0`): `0` follows `/` in ASCII.
        let mut lo = dir.as_bytes().to_vec();
        lo.push(b'/');
        let mut hi = dir.as_bytes().to_vec();
        hi.push(b'/' + 1);
        state
            .range::<RawPath, _>((
                Bound::Included(RawPath::from_bytes(lo)),
                Bound::Excluded(RawPath::from_bytes(hi)),
            ))
            .map(|(k, _)| k.clone())
            .collect()
    };
    keys.into_iter()
        .filter_map(|k| state.remove(&k).map(|n| (k, n)))
        .collect()
}

fn has_dotdot(p: &RawPath) -> bool {
    p.components().any(|c| c == b"..")
}

/// Applies layer `idx` to `state`, returning every lower node it removed (whiteouts, opaque
/// dirs, a directory replaced by a non-directory, or the other way round).
fn apply(
    state: &mut State,
    idx: usize,
    member: Option<usize>,
    entries: &[Entry],
) -> Vec<(RawPath, Node)> {
    let mut removed: Vec<(RawPath, Node)> = Vec::new();
    let mut writes: Vec<&Entry> = Vec::with_capacity(entries.len());
    let mut opaque: Vec<RawPath> = Vec::new();
    let mut whiteouts: Vec<RawPath> = Vec::new();
    for e in entries {
        if e.path.is_root() || has_dotdot(&e.path) {
            continue; // the root itself, or a name the reader reports as unsafe
        }
        match classify(&e.path) {
            None => writes.push(e),
            Some(Marker::Opaque(d)) => opaque.push(d),
            Some(Marker::Whiteout(p)) if !has_dotdot(&p) => whiteouts.push(p),
            Some(_) => {} // invalid markers: hidden, reported by `whiteout::problems`
        }
    }
    // Markers only touch lower layers, so they go first (the spec: "regardless of ordering").
    for d in &opaque {
        removed.extend(remove_below(state, d));
    }
    for p in &whiteouts {
        if let Some(n) = state.remove(p) {
            removed.push((p.clone(), n));
        }
        removed.extend(remove_below(state, p));
    }
    let removed_paths: BTreeSet<RawPath> = removed.iter().map(|(p, _)| p.clone()).collect();
    for e in writes {
        // Parents a container runtime would create implicitly.
        let mut missing = Vec::new();
        let mut parent = e.path.parent();
        while !parent.is_root() {
            match state.get(&parent) {
                Some(n) if n.kind == EntryKind::Dir => break,
                Some(_) => {
                    if let Some(n) = state.remove(&parent) {
                        removed.push((parent.clone(), n));
                    }
                    missing.push(parent.clone());
                }
                None => missing.push(parent.clone()),
            }
            parent = parent.parent();
        }
        for p in missing {
            let replaced = removed_paths.contains(&p);
            state.insert(
                p,
                Node {
                    kind: EntryKind::Dir,
                    size: 0,
                    stored: 0,
                    mode: 0o755,
                    link_target: None,
                    layer: idx,
                    member,
                    replaced,
                },
            );
        }
        let (size, stored) = match (e.kind, &e.link_target) {
            (EntryKind::Hardlink, Some(t)) => (state.get(t).map(|n| n.size).unwrap_or(0), 0),
            _ => (e.size, e.size),
        };
        let old = state.remove(&e.path);
        let replaced = match &old {
            Some(n) if n.layer == idx => n.replaced,
            Some(_) => true,
            None => removed_paths.contains(&e.path),
        };
        if let Some(o) = old {
            let both_dirs = o.kind == EntryKind::Dir && e.kind == EntryKind::Dir;
            if !both_dirs {
                // Anything but dir-over-dir is unlink + recreate: a replaced dir loses its tree.
                let gone = remove_below(state, &e.path);
                removed.extend(gone.into_iter().filter(|(_, n)| n.layer != idx));
            }
            if o.layer != idx {
                removed.push((e.path.clone(), o));
            }
        }
        state.insert(
            e.path.clone(),
            Node {
                kind: e.kind,
                size,
                stored,
                mode: e.mode,
                link_target: e.link_target.clone(),
                layer: idx,
                member,
                replaced,
            },
        );
    }
    removed
}

fn fold(archive: &Archive, image: &Image, upto: usize) -> State {
    let mut state = State::new();
    for i in 0..=upto.min(image.layers.len().saturating_sub(1)) {
        if image.layers.is_empty() {
            break;
        }
        apply(
            &mut state,
            i,
            member_of(image, i),
            layer_entries(archive, image, i),
        );
    }
    state
}

fn row(path: RawPath, n: &Node, change: Change) -> FileRow {
    FileRow {
        path,
        kind: n.kind,
        size: n.size,
        change,
        layer: n.layer,
        link_target: n.link_target.clone(),
        mode: n.mode,
        member: n.member,
        dir_size: 0,
    }
}

/// Fills `dir_size` of directory rows from the stored bytes of everything below them.
fn fill_dir_sizes(rows: &mut [FileRow], stored: &[u64]) {
    let mut below: HashMap<Vec<u8>, u64> = HashMap::new();
    for (r, &s) in rows.iter().zip(stored) {
        if s == 0 {
            continue;
        }
        let b = r.path.as_bytes();
        for (i, _) in b.iter().enumerate().filter(|(_, c)| **c == b'/') {
            if let Some(prefix) = b.get(..i) {
                *below.entry(prefix.to_vec()).or_insert(0) += s;
            }
        }
    }
    for r in rows.iter_mut().filter(|r| r.kind == EntryKind::Dir) {
        r.dir_size = below.get(r.path.as_bytes()).copied().unwrap_or(0);
    }
}

/// The filesystem a container sees after layer `upto` (0 = base), sorted by path. `change`
/// says what layer `upto` itself did to each path (`Unchanged` for paths from lower layers).
pub fn merged(archive: &Archive, image: &Image, upto: usize) -> Vec<FileRow> {
    let state = fold(archive, image, upto);
    let mut rows = Vec::with_capacity(state.len());
    let mut stored = Vec::with_capacity(state.len());
    for (p, n) in state {
        let change = match (n.layer == upto, n.replaced) {
            (false, _) => Change::Unchanged,
            (true, false) => Change::Added,
            (true, true) => Change::Modified,
        };
        stored.push(n.stored);
        rows.push(row(p, &n, change));
    }
    fill_dir_sizes(&mut rows, &stored);
    rows
}

/// What layer `layer` added, modified and deleted, compared with the view below it.
pub fn layer_changes(archive: &Archive, image: &Image, layer: usize) -> LayerChanges {
    let mut out = LayerChanges::default();
    if layer >= image.layers.len() {
        return out;
    }
    let mut state = if layer == 0 {
        State::new()
    } else {
        fold(archive, image, layer - 1)
    };
    let removed = apply(
        &mut state,
        layer,
        member_of(image, layer),
        layer_entries(archive, image, layer),
    );
    let mut rows: BTreeMap<RawPath, FileRow> = BTreeMap::new();
    for (p, n) in removed {
        if !state.contains_key(&p) {
            out.deleted += 1;
            out.deleted_bytes += n.stored;
            rows.insert(p.clone(), row(p, &n, Change::Deleted));
        }
    }
    for (p, n) in state.iter().filter(|(_, n)| n.layer == layer) {
        let change = if n.replaced {
            out.modified += 1;
            out.modified_bytes += n.stored;
            Change::Modified
        } else {
            out.added += 1;
            out.added_bytes += n.stored;
            Change::Added
        };
        rows.insert(p.clone(), row(p.clone(), n, change));
    }
    out.rows = rows.into_values().collect();
    out
}

/// Content bytes each layer stores, counting every file member (duplicates included).
pub fn stored_bytes(archive: &Archive, image: &Image) -> Vec<u64> {
    (0..image.layers.len())
        .map(|i| {
            layer_entries(archive, image, i)
                .iter()
                .filter(|e| e.kind != EntryKind::Hardlink && classify(&e.path).is_none())
                .map(|e| e.size)
                .sum()
        })
        .collect()
}

/// Per layer: content bytes it stores that are not visible in the image's final filesystem,
/// because a later layer (or a later copy in the same layer) overwrote or deleted them.
pub fn wasted(archive: &Archive, image: &Image) -> Vec<u64> {
    let stored = stored_bytes(archive, image);
    let mut visible = vec![0u64; image.layers.len()];
    if let Some(top) = image.layers.len().checked_sub(1) {
        for n in fold(archive, image, top).values() {
            if let Some(v) = visible.get_mut(n.layer) {
                *v += n.stored;
            }
        }
    }
    stored
        .iter()
        .zip(&visible)
        .map(|(s, v)| s.saturating_sub(*v))
        .collect()
}

/// Image efficiency: the share of stored content bytes that the final filesystem still shows.
///
/// `efficiency = visible / stored`, where `stored` is the sum, over all layers, of the content
/// bytes of every regular-file member (each copy of a path counted once, in the layer that
/// carries it), and `visible` is the part of that which a container of the image can still
/// see (each path's last copy, unless deleted). `stored - visible` = the sum of [`wasted`].
/// Every stored byte is counted exactly once, as either visible or wasted, so the score and
/// the wasted total always agree. An image with no content bytes scores 1.0.
///
/// Dive instead sums each duplicated path's size over all its copies (its issue #684): a file
/// written twice counts both copies as wasted, although one of them is what the image shows.
pub fn efficiency(archive: &Archive, image: &Image) -> f64 {
    let stored: u64 = stored_bytes(archive, image).iter().sum();
    let wasted: u64 = wasted(archive, image).iter().sum();
    if stored == 0 {
        1.0
    } else {
        stored.saturating_sub(wasted) as f64 / stored as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Layer, LayerIndex, Member, MemberFacts};

    fn ent(path: &str, kind: EntryKind, size: u64, link: Option<&str>) -> Entry {
        Entry {
            path: RawPath::from(path),
            kind,
            size,
            mode: if kind == EntryKind::Dir { 0o755 } else { 0o644 },
            uid: 0,
            gid: 0,
            mtime: 0,
            link_target: link.map(RawPath::from),
            content_offset: None,
            sparse: None,
        }
    }
    fn d(p: &str) -> Entry {
        ent(p, EntryKind::Dir, 0, None)
    }
    fn f(p: &str, s: u64) -> Entry {
        ent(p, EntryKind::File, s, None)
    }

    /// An archive with one image whose layer `i` holds `layers[i]`.
    fn build(layers: Vec<Vec<Entry>>) -> Archive {
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
                        entries,
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

    fn paths(rows: &[FileRow]) -> Vec<String> {
        rows.iter().map(|r| r.path.to_string()).collect()
    }
    fn find<'a>(rows: &'a [FileRow], p: &str) -> Option<&'a FileRow> {
        rows.iter().find(|r| r.path == RawPath::from(p))
    }

    fn img(a: &Archive) -> &Image {
        a.images.first().expect("test archive has an image")
    }

    #[test]
    fn spec_opaque_example_any_order() {
        // image-spec layer.md: a/b/c/bar is replaced by a/b/c/foo via an opaque `a/`.
        let base = vec![d("a"), d("a/b"), d("a/b/c"), f("a/b/c/bar", 3)];
        for second in [
            vec![
                d("a"),
                f("a/.wh..wh..opq", 0),
                d("a/b"),
                d("a/b/c"),
                f("a/b/c/foo", 4),
            ],
            vec![
                d("a"),
                d("a/b"),
                d("a/b/c"),
                f("a/b/c/foo", 4),
                f("a/.wh..wh..opq", 0),
            ],
        ] {
            let a = build(vec![base.clone(), second]);
            let m = merged(&a, img(&a), 1);
            assert_eq!(paths(&m), ["a", "a/b", "a/b/c", "a/b/c/foo"]);
            let ch = layer_changes(&a, img(&a), 1);
            assert_eq!((ch.added, ch.modified, ch.deleted), (1, 3, 1));
            assert_eq!(
                find(&ch.rows, "a/b/c/bar").map(|r| (r.change, r.layer)),
                Some((Change::Deleted, 0))
            );
            assert_eq!(
                find(&ch.rows, "a/b/c/foo").map(|r| r.change),
                Some(Change::Added)
            );
            assert_eq!((ch.added_bytes, ch.deleted_bytes), (4, 3));
        }
    }

    #[test]
    fn spec_opaque_bin_equals_explicit_whiteouts() {
        let base = vec![
            d("etc"),
            f("etc/my-app-config", 1),
            d("bin"),
            f("bin/my-app-binary", 10),
            f("bin/my-app-tools", 20),
            d("bin/tools"),
            f("bin/tools/my-app-tool-one", 30),
        ];
        let opaque = build(vec![base.clone(), vec![d("bin"), f("bin/.wh..wh..opq", 0)]]);
        let explicit = build(vec![
            base,
            vec![
                d("bin"),
                f("bin/.wh.my-app-binary", 0),
                f("bin/.wh.my-app-tools", 0),
                f("bin/.wh.tools", 0),
            ],
        ]);
        let m1 = merged(&opaque, img(&opaque), 1);
        let m2 = merged(&explicit, img(&explicit), 1);
        assert_eq!(paths(&m1), ["bin", "etc", "etc/my-app-config"]);
        assert_eq!(paths(&m1), paths(&m2));
        let c1 = layer_changes(&opaque, img(&opaque), 1);
        let c2 = layer_changes(&explicit, img(&explicit), 1);
        assert_eq!((c1.deleted, c1.deleted_bytes), (4, 60));
        assert_eq!((c2.deleted, c2.deleted_bytes), (4, 60));
    }

    #[test]
    fn whiteout_of_dir_deletes_all_descendants_and_hides_itself() {
        let a = build(vec![
            vec![
                d("data"),
                d("data/dir"),
                f("data/dir/x", 5),
                d("data/dir/sub"),
                f("data/dir/sub/y", 7),
                f("data/keep", 1),
            ],
            vec![d("data"), f("data/.wh.dir", 0)],
        ]);
        let m = merged(&a, img(&a), 1);
        assert_eq!(paths(&m), ["data", "data/keep"]);
        let ch = layer_changes(&a, img(&a), 1);
        assert_eq!(
            paths(&ch.rows),
            [
                "data",
                "data/dir",
                "data/dir/sub",
                "data/dir/sub/y",
                "data/dir/x"
            ]
        );
        assert_eq!((ch.deleted, ch.deleted_bytes, ch.modified), (4, 12, 1));
        assert_eq!(wasted(&a, img(&a)), vec![12, 0]);
    }

    #[test]
    fn whiteout_only_hits_lower_layers() {
        // A file in the same layer as its whiteout survives (spec: only later layers hide it).
        let a = build(vec![
            vec![f("x", 1)],
            vec![f("y", 2), f(".wh.y", 0), f(".wh.x", 0)],
        ]);
        let m = merged(&a, img(&a), 1);
        assert_eq!(paths(&m), ["y"]);
    }

    #[test]
    fn hard_link_to_lower_layer_file() {
        let a = build(vec![
            vec![d("bin"), f("bin/a", 100)],
            vec![
                d("bin"),
                ent("bin/b", EntryKind::Hardlink, 0, Some("bin/a")),
            ],
            vec![d("bin"), f("bin/.wh.a", 0)],
        ]);
        let m1 = merged(&a, img(&a), 1);
        let b = find(&m1, "bin/b").cloned();
        assert_eq!(
            b.as_ref().map(|r| (r.kind, r.size, r.change)),
            Some((EntryKind::Hardlink, 100, Change::Added))
        );
        assert_eq!(b.and_then(|r| r.link_target), Some(RawPath::from("bin/a")));
        // The directory counts the content once, like `du`.
        assert_eq!(find(&m1, "bin").map(|r| r.dir_size), Some(100));
        // Deleting the original leaves the link with its content.
        let m2 = merged(&a, img(&a), 2);
        assert_eq!(paths(&m2), ["bin", "bin/b"]);
        assert_eq!(find(&m2, "bin/b").map(|r| r.size), Some(100));
    }

    #[test]
    fn file_replaced_by_dir_and_dir_by_file() {
        let a = build(vec![
            vec![
                f("p", 9),
                d("q"),
                f("q/inner", 4),
                d("q/deep"),
                f("q/deep/z", 6),
            ],
            vec![d("p"), f("p/child", 2), f("q", 3)],
        ]);
        let m = merged(&a, img(&a), 1);
        assert_eq!(paths(&m), ["p", "p/child", "q"]);
        assert_eq!(
            find(&m, "p").map(|r| (r.kind, r.change, r.dir_size)),
            Some((EntryKind::Dir, Change::Modified, 2))
        );
        assert_eq!(
            find(&m, "q").map(|r| (r.kind, r.change)),
            Some((EntryKind::File, Change::Modified))
        );
        let ch = layer_changes(&a, img(&a), 1);
        assert_eq!((ch.added, ch.modified, ch.deleted), (1, 2, 3));
        assert_eq!(ch.deleted_bytes, 10);
        assert_eq!(wasted(&a, img(&a)), vec![19, 0]);
    }

    #[test]
    fn modified_file_and_efficiency_without_double_counting() {
        // One 100-byte file written in three layers, the last copy visible; plus 50 useful bytes.
        let a = build(vec![
            vec![f("f", 100), f("keep", 50)],
            vec![f("f", 100)],
            vec![f("f", 100)],
        ]);
        assert_eq!(wasted(&a, img(&a)), vec![100, 100, 0]);
        let e = efficiency(&a, img(&a));
        assert!((e - 150.0 / 350.0).abs() < 1e-12, "{e}");
        let ch = layer_changes(&a, img(&a), 2);
        assert_eq!((ch.added, ch.modified, ch.modified_bytes), (0, 1, 100));
        let m = merged(&a, img(&a), 2);
        assert_eq!(
            find(&m, "keep").map(|r| (r.change, r.layer)),
            Some((Change::Unchanged, 0))
        );
        assert_eq!(
            find(&m, "f").map(|r| (r.change, r.layer)),
            Some((Change::Modified, 2))
        );
    }

    #[test]
    fn implicit_parents_and_missing_blob() {
        let mut a = build(vec![vec![f("usr/lib/x.so", 8)], vec![f("etc/conf", 1)]]);
        if let Some(l) = a.images.get_mut(0).and_then(|i| i.layers.get_mut(1)) {
            l.member = None; // blob missing: the layer contributes nothing
        }
        let m = merged(&a, img(&a), 1);
        assert_eq!(paths(&m), ["usr", "usr/lib", "usr/lib/x.so"]);
        assert_eq!(find(&m, "usr").map(|r| r.dir_size), Some(8));
        assert_eq!(efficiency(&Archive::default(), &Image::default()), 1.0);
        assert!(merged(&a, &Image::default(), 3).is_empty());
    }

    #[test]
    fn many_entries_stay_fast() {
        let n = 200_000;
        let base: Vec<Entry> = (0..n)
            .map(|i| f(&format!("d{}/f{i}", i % 500), 1))
            .collect();
        let a = build(vec![base, vec![f(".wh..wh..opq", 0), f("only", 1)]]);
        let start = std::time::Instant::now();
        assert_eq!(merged(&a, img(&a), 0).len(), n + 500);
        assert_eq!(layer_changes(&a, img(&a), 1).deleted, n + 500);
        assert_eq!(wasted(&a, img(&a)), vec![n as u64, 0]);
        assert!(start.elapsed().as_secs() < 20);
    }
}
/// One path that differs between two merged views (image A's and image B's).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathDiff {
    pub path: RawPath,
    /// `Added`: only in B. `Deleted`: only in A. `Modified`: in both, but not the same.
    pub change: Change,
    /// B's kind when B has the path, else A's.
    pub kind: EntryKind,
    pub a_size: Option<u64>,
    pub b_size: Option<u64>,
    /// Kind, size, mode and link target agree; only a different layer wrote it, so the
    /// content may or may not differ (the merged view keeps no content hashes).
    pub rewritten: bool,
}

/// File-level differences between two merged views, both sorted by path (as [`merged`]
/// returns them). Rows both owned by the same layer index below `same_below` — the layers
/// the two images share, bottom up — are the same bytes and never reported.
/// Directories count as changed only when their kind or mode differs (every layer that
/// adds a file below a directory rewrites it, which is noise here).
pub fn compare(a: &[FileRow], b: &[FileRow], same_below: usize) -> Vec<PathDiff> {
    use std::cmp::Ordering;
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    loop {
        let order = match (a.get(i), b.get(j)) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(x), Some(y)) => x.path.cmp(&y.path),
        };
        match (order, a.get(i), b.get(j)) {
            (Ordering::Less, Some(x), _) => {
                out.push(PathDiff {
                    path: x.path.clone(),
                    change: Change::Deleted,
                    kind: x.kind,
                    a_size: Some(x.size),
                    b_size: None,
                    rewritten: false,
                });
                i += 1;
            }
            (Ordering::Greater, _, Some(y)) => {
                out.push(PathDiff {
                    path: y.path.clone(),
                    change: Change::Added,
                    kind: y.kind,
                    a_size: None,
                    b_size: Some(y.size),
                    rewritten: false,
                });
                j += 1;
            }
            (_, Some(x), Some(y)) => {
                i += 1;
                j += 1;
                let shared = x.layer == y.layer && x.layer < same_below;
                let both_dirs = x.kind == EntryKind::Dir && y.kind == EntryKind::Dir;
                let meta_differs = if both_dirs {
                    x.mode != y.mode
                } else {
                    x.kind != y.kind
                        || x.size != y.size
                        || x.mode != y.mode
                        || x.link_target != y.link_target
                };
                if shared || (both_dirs && !meta_differs) {
                    continue;
                }
                if meta_differs || x.layer != y.layer || x.layer >= same_below {
                    out.push(PathDiff {
                        path: y.path.clone(),
                        change: Change::Modified,
                        kind: y.kind,
                        a_size: Some(x.size),
                        b_size: Some(y.size),
                        rewritten: !meta_differs,
                    });
                }
            }
            _ => break,
        }
    }
    out
}

#[cfg(test)]
mod compare_tests {
    use super::*;

    fn row(path: &str, kind: EntryKind, size: u64, layer: usize) -> FileRow {
        FileRow {
            path: RawPath::from(path),
            kind,
            size,
            change: Change::Unchanged,
            layer,
            link_target: None,
            mode: 0o644,
            member: None,
            dir_size: 0,
        }
    }

    #[test]
    fn added_removed_changed_and_rewritten() {
        // Two layers shared (0, 1); A's layer 2 and B's layer 2 differ.
        let a = vec![
            row("etc", EntryKind::Dir, 0, 0),
            row("etc/os-release", EntryKind::File, 10, 0),
            row("srv", EntryKind::Dir, 0, 2),
            row("srv/a.txt", EntryKind::File, 5, 2),
            row("srv/same.txt", EntryKind::File, 7, 2),
            row("usr/bin/tool", EntryKind::File, 100, 1),
        ];
        let b = vec![
            row("etc", EntryKind::Dir, 0, 0),
            row("etc/os-release", EntryKind::File, 12, 2),
            row("srv", EntryKind::Dir, 0, 2),
            row("srv/b.txt", EntryKind::File, 6, 2),
            row("srv/same.txt", EntryKind::File, 7, 2),
            row("usr/bin/tool", EntryKind::File, 100, 1),
        ];
        #[allow(clippy::type_complexity)] // a test's flattened view of each row
        let got: Vec<(String, Change, Option<u64>, Option<u64>, bool)> = compare(&a, &b, 2)
            .into_iter()
            .map(|d| {
                (
                    d.path.to_string(),
                    d.change,
                    d.a_size,
                    d.b_size,
                    d.rewritten,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "etc/os-release".into(),
                    Change::Modified,
                    Some(10),
                    Some(12),
                    false
                ),
                ("srv/a.txt".into(), Change::Deleted, Some(5), None, false),
                ("srv/b.txt".into(), Change::Added, None, Some(6), false),
                (
                    "srv/same.txt".into(),
                    Change::Modified,
                    Some(7),
                    Some(7),
                    true
                ),
            ]
        );
    }

    #[test]
    fn identical_views_have_no_differences() {
        let a = vec![
            row("a", EntryKind::Dir, 0, 0),
            row("a/x", EntryKind::File, 1, 1),
        ];
        assert!(compare(&a, &a, 2).is_empty());
        // Beyond the shared layers even identical metadata is reported as rewritten.
        let d = compare(&a, &a, 1);
        assert_eq!(d.len(), 1);
        assert!(d
            .iter()
            .all(|p| p.rewritten && p.change == Change::Modified));
        assert!(compare(&[], &[], 0).is_empty());
    }

    #[test]
    fn merged_views_of_demo_pair_differ_only_in_site_data() {
        let bytes = crate::demo::build_set(&["wordpress-a", "wordpress-b"]);
        let archive = crate::archive::read_stream(
            "pair.tar",
            bytes.as_slice(),
            bytes.len() as u64,
            &crate::archive::Options::default(),
            &mut |_| {},
        )
        .expect("demo pair reads");
        let (Some(a), Some(b)) = (archive.images.first(), archive.images.get(1)) else {
            panic!("demo pair has two images");
        };
        let shared = a
            .layers
            .iter()
            .zip(&b.layers)
            .take_while(|(x, y)| x.diff_id == y.diff_id)
            .count();
        assert_eq!(shared + 1, a.layers.len(), "only the top layer differs");
        let top_a = a.layers.len() - 1;
        let top_b = b.layers.len() - 1;
        let diffs = compare(
            &merged(&archive, a, top_a),
            &merged(&archive, b, top_b),
            shared,
        );
        assert!(!diffs.is_empty());
        // Every difference is a path the top layers wrote.
        let written: BTreeSet<RawPath> = layer_entries(&archive, a, top_a)
            .iter()
            .chain(layer_entries(&archive, b, top_b))
            .map(|e| e.path.clone())
            .collect();
        for d in &diffs {
            assert!(
                written.contains(&d.path),
                "{} not written by a top layer",
                d.path
            );
        }
    }
}
