//! Path history across the layers of an image: for every path any layer touched, the layer
//! that added it, each layer that modified it, and the one that deleted it (a whiteout, an
//! opaque directory, or a parent replaced by a non-directory), with sizes.
//!
//! [`PathIndex::build`] folds the image's layers once (the union view's
//! [`union::each_layer_changes`], O(entries · (depth + log entries))) and keeps each path's
//! events; [`PathIndex::find`] then only scans the distinct paths once per query (no work
//! proportional to layers × entries, nothing quadratic), which is what keeps a search over a
//! 200,000-file layer quick enough to run on every keystroke in a worker.
//!
//! Patterns ([`Pattern::parse`]) are matched against a path as it is shown
//! ([`RawPath::display`], the lossless escaped form: a name holding the byte 0xE9 is found by
//! typing `\xe9`), ASCII letters case-insensitively:
//! - text without `*`, `?` or `[` is a substring of `/` + the path (`/etc/` finds everything
//!   below `etc`);
//! - a glob (it has `*`, `?` or `[`; the syntax of the `fast-glob` crate: `**`, `{a,b}`,
//!   `[!x]`, `[a-z]`; `\` and a leading `!` are literal here, since `\` is part of the escaped
//!   name form and a name may start with `!`) without `/` matches the last component (`*.conf` finds `etc/nginx/nginx.conf`); with a `/` it matches
//!   the whole path, a leading `/` ignored, `*` not crossing `/` (`/usr/*/python3*`), `**`
//!   crossing any number of directories.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::analyze::union::{self, Change, FileRow};
use crate::analyze::whiteout::{classify_entry, Marker};
use crate::model::{Archive, EntryKind, Image};
use crate::path::{parent_bytes, RawPath};

/// Why a layer deleted a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeletedBy {
    /// A whiteout `.wh.<name>` of the path itself or of a directory above it.
    Whiteout,
    /// An opaque marker `.wh..wh..opq` in a directory above it.
    OpaqueDir,
    /// The layer wrote a non-directory where a directory above it (or the path itself, a
    /// directory) stood, or a directory over a non-directory's children: unlink and recreate.
    Replaced,
}

/// One thing a layer did to a path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathEvent {
    /// Image layer index, 0 = base (the page numbers it from 1).
    pub layer: usize,
    /// `Added`, `Modified` or `Deleted` (never `Unchanged`).
    pub change: Change,
    /// The path's kind after this layer; for `Deleted`, the kind of what was deleted.
    pub kind: EntryKind,
    /// Content bytes after this layer (a hard link: its target's); for `Deleted`, the bytes
    /// of what was deleted. Directories: 0.
    pub size: u64,
    /// Symlink or hard-link target, when the path is a link.
    pub link_target: Option<RawPath>,
    /// Set for `Deleted` only.
    pub deleted_by: Option<DeletedBy>,
}

/// A path and what the layers did to it, bottom layer first (one event per layer at most).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathHistory {
    /// The path, normalized (no leading `/`).
    pub path: RawPath,
    /// What each layer did to it, bottom layer first; layers that did nothing have no event.
    pub events: Vec<PathEvent>,
}

impl PathHistory {
    /// The last event: what the path is at the top of the image (`Deleted`: absent there).
    pub fn last(&self) -> Option<&PathEvent> {
        self.events.last()
    }

    /// Is the path in the image's final filesystem?
    pub fn present_at_top(&self) -> bool {
        self.last().is_some_and(|e| e.change != Change::Deleted)
    }

    /// The layer (0-based) of the last `Added` event at or below `layer`: where the path, as
    /// layer `layer` shows it, began (a path deleted and added again counts from its new
    /// start; the merged view's "added in" badge). `None` when no layer up to `layer` added it.
    pub fn added_at_or_below(&self, layer: usize) -> Option<usize> {
        self.events
            .iter()
            .rev()
            .find(|e| e.layer <= layer && e.change == Change::Added)
            .map(|e| e.layer)
    }
}

/// A glob that is not valid (an unclosed `[` or `{`, braces nested too deep): the reason, as
/// the `fast-glob` crate words it, for people; code tells only that it failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a valid glob pattern: {0}")]
pub struct PatternError(pub String);

/// What to look for: see the module docs for the rules.
#[derive(Clone, Debug)]
pub enum Pattern {
    /// ASCII-lowercased text searched in `/` + the shown path.
    Substring(String),
    /// A glob (prepared for `fast_glob::glob_match`: ASCII-lowercased, `\` and a leading `!`
    /// escaped, validated) matched against the last component only (the pattern has no `/`).
    NameGlob(String),
    /// The same, matched against the whole shown path without its leading `/`.
    PathGlob(String),
}

impl Pattern {
    /// Reads typed text: a glob when it holds `*`, `?` or `[`, a substring otherwise.
    /// Leading and trailing spaces are kept (they can be part of a name).
    ///
    /// Errors: [`PatternError`] for a glob that is not valid.
    pub fn parse(text: &str) -> Result<Pattern, PatternError> {
        if !text.contains(['*', '?', '[']) {
            return Ok(Pattern::Substring(text.to_ascii_lowercase()));
        }
        let whole = text.contains('/');
        let glob_text = if whole {
            text.trim_start_matches('/')
        } else {
            text
        };
        // Paths are matched ASCII-lowercased, so the pattern is too (a range `[A-Z]` becomes
        // `[a-z]`: the same set once case is ignored). `\` is part of the escaped name form
        // (`\xe9`), not an escape, and a leading `!` would negate: both made literal.
        let mut glob = String::with_capacity(glob_text.len() + 2);
        for (i, c) in glob_text.chars().enumerate() {
            if c == '\\' || (i == 0 && c == '!') {
                glob.push('\\');
            }
            glob.push(c.to_ascii_lowercase());
        }
        fast_glob::validate(&glob).map_err(|e| PatternError(describe(e.kind)))?;
        Ok(if whole {
            Pattern::PathGlob(glob)
        } else {
            Pattern::NameGlob(glob)
        })
    }

    /// Does the pattern match an indexed path? `slashed`: `/` + the path as shown, ASCII
    /// lowercase; `name_at`: byte offset of the last component in it.
    fn matches(&self, slashed: &str, name_at: usize) -> bool {
        match self {
            Pattern::Substring(s) => slashed.contains(s.as_str()),
            Pattern::NameGlob(g) => fast_glob::glob_match(g, slashed.get(name_at..).unwrap_or("")),
            Pattern::PathGlob(g) => fast_glob::glob_match(g, slashed.get(1..).unwrap_or("")),
        }
    }
}

/// Why a glob is not valid, in words (its byte offset would point into the prepared pattern,
/// not what was typed, so it is left out).
fn describe(kind: fast_glob::ErrorKind) -> String {
    use fast_glob::ErrorKind as K;
    match kind {
        K::UnclosedBrace => "a `{` is never closed by `}`",
        K::UnclosedBracket => "a `[` is never closed by `]`",
        K::TrailingBackslash => "a `\\` ends the pattern",
        K::BraceNestingTooDeep => "braces nest deeper than 10 levels",
        K::TooManyBraceGroups => "more than 10 brace groups",
        _ => "not a pattern fast-glob can match",
    }
    .to_string()
}

/// `/` + the path as shown, ASCII lowercase (same byte length as the shown form), and the
/// byte offset of its last component: what a [`Pattern`] matches against.
fn slashed_form(path: &RawPath) -> (Box<str>, usize) {
    let mut slashed = String::with_capacity(path.as_bytes().len().saturating_add(1));
    slashed.push('/');
    slashed.push_str(&path.display());
    slashed.make_ascii_lowercase();
    let name_at = slashed.rfind('/').map_or(0, |i| i.saturating_add(1));
    (slashed.into_boxed_str(), name_at)
}

/// Matches of one query: how many paths matched, and the first `limit` of them by path.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Found {
    /// Every path that matched, whether returned or not.
    pub total: usize,
    /// Sorted by path (raw bytes); at most the `limit` asked for.
    pub histories: Vec<PathHistory>,
}

struct Indexed {
    history: PathHistory,
    /// `/` + the path as shown, ASCII lowercase (same byte length as the shown form).
    slashed: Box<str>,
    /// Byte offset of the last component in `slashed`.
    name_at: usize,
}

/// Every path an image's layers touched, with its history; built once, queried many times.
pub struct PathIndex {
    /// Sorted by path.
    paths: Vec<Indexed>,
    /// How many distinct paths the layers touched, kept or not ([`PathIndex::seen`]).
    seen: usize,
}

impl PathIndex {
    /// Folds the image's layers once. A layer whose blob is missing or unreadable adds no
    /// events. Markers themselves (`.wh.` names) are not paths: what they delete is.
    /// Memory: one event per layer that touched a path, for every path (an image listing one
    /// 200,000-entry layer 100 times holds 20 million); [`PathIndex::build_matching`] keeps
    /// only the paths one query asks for.
    pub fn build(archive: &Archive, image: &Image) -> PathIndex {
        Self::build_filtered(archive, image, |_, _| true, |_| true)
    }

    /// [`PathIndex::build`] keeping only the `Added` events: every path, but only what
    /// [`PathHistory::added_at_or_below`] reads (the merged view's "added in" badge), so a
    /// path rewritten by every layer of a 100-layer image costs one event, not 100. Its
    /// histories are not whole: not for showing a path's story or for [`PathIndex::find`].
    pub fn build_added(archive: &Archive, image: &Image) -> PathIndex {
        Self::build_filtered(archive, image, |_, _| true, |e| e.change == Change::Added)
    }

    /// How many entries the layers of `image` hold, a layer listed twice counted twice: the
    /// most events [`PathIndex::build`] can keep (one per entry and per parent folder an
    /// entry implies, at most), for a reader bounding its memory before it builds one.
    pub fn entries_to_fold(archive: &Archive, image: &Image) -> usize {
        (0..image.layers.len())
            .map(|i| union::layer_entries(archive, image, i).len())
            .fold(0usize, usize::saturating_add)
    }

    /// [`PathIndex::build`] holding only the paths `pattern` matches (the events of the
    /// others are not kept): for a reader that asks one query (`pancake find`), memory in
    /// proportion to what matches, not to every layer's entries. [`PathIndex::len`] counts
    /// the paths kept.
    pub fn build_matching(archive: &Archive, image: &Image, pattern: &Pattern) -> PathIndex {
        Self::build_filtered(
            archive,
            image,
            |slashed, name_at| pattern.matches(slashed, name_at),
            |_| true,
        )
    }

    fn build_filtered(
        archive: &Archive,
        image: &Image,
        keep: impl Fn(&str, usize) -> bool,
        keep_event: impl Fn(&PathEvent) -> bool,
    ) -> PathIndex {
        // `None`: a path seen and not kept (its key only, so it is judged once).
        // A kept path's events and its `slashed` form with `name_at`.
        type Kept = (Vec<PathEvent>, Box<str>, usize);
        let mut by_path: HashMap<RawPath, Option<Kept>> = HashMap::new();
        union::each_layer_changes(archive, image, |layer, rows| {
            let markers = Markers::of(union::layer_entries(archive, image, layer));
            for r in rows {
                let event = event_of(layer, &r, &markers);
                let slot = by_path.entry(r.path).or_insert_with_key(|path| {
                    let (slashed, name_at) = slashed_form(path);
                    keep(&slashed, name_at).then(|| (Vec::new(), slashed, name_at))
                });
                if let Some((events, _, _)) = slot.as_mut().filter(|_| keep_event(&event)) {
                    events.push(event);
                }
            }
        });
        let seen = by_path.len();
        let mut paths: Vec<Indexed> = by_path
            .into_iter()
            .filter_map(|(path, kept)| {
                let (events, slashed, name_at) = kept?;
                Some(Indexed {
                    history: PathHistory { path, events },
                    slashed,
                    name_at,
                })
            })
            .collect();
        paths.sort_unstable_by(|a, b| a.history.path.cmp(&b.history.path));
        PathIndex { paths, seen }
    }

    /// How many distinct paths the image's layers touched, whether this index kept them or
    /// not ([`PathIndex::build_matching`] keeps only some; [`PathIndex::len`] counts those).
    pub fn seen(&self) -> usize {
        self.seen
    }

    /// How many distinct paths the index holds.
    pub fn len(&self) -> usize {
        self.paths.len()
    }

    /// True when the index holds no path.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    /// The paths matching `pattern`, sorted by path, at most `limit` of them (`total` counts
    /// all). One pass over the distinct paths. An empty substring matches every path.
    pub fn find(&self, pattern: &Pattern, limit: usize) -> Found {
        let mut found = Found::default();
        for p in &self.paths {
            if pattern.matches(&p.slashed, p.name_at) {
                found.total = found.total.saturating_add(1);
                if found.histories.len() < limit {
                    found.histories.push(p.history.clone());
                }
            }
        }
        found
    }

    /// The history of one path; `None` when no layer touched it.
    pub fn get(&self, path: &RawPath) -> Option<&PathHistory> {
        self.paths
            .binary_search_by(|p| p.history.path.cmp(path))
            .ok()
            .and_then(|i| self.paths.get(i))
            .map(|p| &p.history)
    }
}

/// A layer's whiteout targets and opaque directories, to tell why a path was deleted. Kept
/// as the paths' bytes, so [`Markers::cause`] looks a path and each directory above it up by
/// slice (no `RawPath` built per level).
struct Markers {
    whiteouts: HashSet<Vec<u8>>,
    opaque: HashSet<Vec<u8>>,
}

impl Markers {
    fn of(entries: &[crate::model::Entry]) -> Markers {
        let mut m = Markers {
            whiteouts: HashSet::new(),
            opaque: HashSet::new(),
        };
        for e in entries {
            match classify_entry(e) {
                Some(Marker::Whiteout(p)) => {
                    m.whiteouts.insert(p.as_bytes().to_vec());
                }
                Some(Marker::Opaque(d)) => {
                    m.opaque.insert(d.as_bytes().to_vec());
                }
                _ => {}
            }
        }
        m
    }

    /// Why `path` was deleted: a whiteout of it or of a directory above it first (markers
    /// apply before the layer's writes), then an opaque directory above it, else replaced.
    fn cause(&self, path: &RawPath) -> DeletedBy {
        if self.whiteouts.is_empty() && self.opaque.is_empty() {
            return DeletedBy::Replaced;
        }
        let mut p = path.as_bytes();
        loop {
            if self.whiteouts.contains(p) {
                return DeletedBy::Whiteout;
            }
            if p.is_empty() {
                break;
            }
            p = parent_bytes(p);
        }
        let mut p = parent_bytes(path.as_bytes());
        loop {
            if self.opaque.contains(p) {
                return DeletedBy::OpaqueDir;
            }
            if p.is_empty() {
                break;
            }
            p = parent_bytes(p);
        }
        DeletedBy::Replaced
    }
}

fn event_of(layer: usize, r: &FileRow, markers: &Markers) -> PathEvent {
    let deleted_by = (r.change == Change::Deleted).then(|| markers.cause(&r.path));
    PathEvent {
        layer,
        change: r.change,
        kind: r.kind,
        size: if r.kind == EntryKind::Dir { 0 } else { r.size },
        link_target: r.link_target.clone(),
        deleted_by,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Entry;

    fn ent(path: &[u8], kind: EntryKind, size: u64, link: Option<&str>) -> Entry {
        Entry {
            path: RawPath::from_bytes(path.to_vec()),
            kind,
            size,
            mode: if kind == EntryKind::Dir { 0o755 } else { 0o644 },
            uid: 0,
            gid: 0,
            mtime: 0,
            link_target: link.map(RawPath::from),
            content_offset: None,
            extra: None,
        }
    }
    fn d(p: &str) -> Entry {
        ent(p.as_bytes(), EntryKind::Dir, 0, None)
    }
    fn f(p: &str, s: u64) -> Entry {
        ent(p.as_bytes(), EntryKind::File, s, None)
    }
    fn hl(p: &str, target: &str) -> Entry {
        ent(p.as_bytes(), EntryKind::Hardlink, 0, Some(target))
    }

    /// An archive with one image whose layer `i` holds `layers[i]`.
    fn build(layers: Vec<Vec<Entry>>) -> Archive {
        crate::test_support::archive_of_layers(layers)
    }

    fn index(a: &Archive) -> PathIndex {
        match a.images.first() {
            Some(img) => PathIndex::build(a, img),
            None => PathIndex {
                paths: Vec::new(),
                seen: 0,
            },
        }
    }

    /// `(layer, change, size, deleted_by)` of each event of `path`.
    fn story(ix: &PathIndex, path: &str) -> Vec<(usize, Change, u64, Option<DeletedBy>)> {
        ix.get(&RawPath::from(path))
            .map(|h| {
                h.events
                    .iter()
                    .map(|e| (e.layer, e.change, e.size, e.deleted_by))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn found_paths(ix: &PathIndex, pattern: &str) -> Vec<String> {
        match Pattern::parse(pattern) {
            Ok(p) => ix
                .find(&p, usize::MAX)
                .histories
                .iter()
                .map(|h| h.path.display().into_owned())
                .collect(),
            Err(e) => vec![format!("error: {e}")],
        }
    }

    /// `build_matching` keeps only the paths a pattern matches, each with the very history
    /// `build` gives it: the same answer to that query, without the rest.
    #[test]
    fn an_index_for_one_query_keeps_only_its_paths() {
        let a = build(vec![
            vec![
                d("etc"),
                f("etc/app.conf", 10),
                f("etc/keep", 1),
                f("bin/sh", 5),
            ],
            vec![f("etc/app.conf", 25), f("ETC2/App.CONF", 3)],
            vec![f("etc/.wh.app.conf", 0)],
        ]);
        let full = index(&a);
        for text in ["*.conf", "app", "etc/*", "nothing"] {
            let Ok(p) = Pattern::parse(text) else {
                panic!("{text}");
            };
            let img = a.images.first().unwrap_or_else(|| panic!("no image"));
            let one = PathIndex::build_matching(&a, img, &p);
            assert_eq!(
                one.find(&p, usize::MAX),
                full.find(&p, usize::MAX),
                "{text}"
            );
            assert_eq!(one.len(), full.find(&p, usize::MAX).total, "{text}");
            assert_eq!(
                (one.seen(), full.seen()),
                (full.len(), full.len()),
                "{text}"
            );
        }
        assert_eq!(
            found_paths(&full, "*.conf"),
            ["ETC2/App.CONF", "etc/app.conf"]
        );
    }

    /// `build_added` keeps every path but only its `Added` events: the same "added in" layer
    /// at every layer as the whole index gives.
    #[test]
    fn an_index_of_additions_answers_added_in_as_the_whole_one() {
        let a = build(vec![
            vec![d("etc"), f("etc/app.conf", 10), f("etc/keep", 1)],
            vec![f("etc/app.conf", 25)],
            vec![f("etc/.wh.app.conf", 0)],
            vec![f("etc/app.conf", 7), f("etc/keep", 2)],
        ]);
        let img = a.images.first().unwrap_or_else(|| panic!("no image"));
        let (full, added) = (PathIndex::build(&a, img), PathIndex::build_added(&a, img));
        assert_eq!(added.len(), full.len());
        assert_eq!(PathIndex::entries_to_fold(&a, img), 7);
        for path in ["etc", "etc/app.conf", "etc/keep"] {
            let (f, o) = (
                full.get(&RawPath::from(path)),
                added.get(&RawPath::from(path)),
            );
            for layer in 0..4 {
                assert_eq!(
                    f.and_then(|h| h.added_at_or_below(layer)),
                    o.and_then(|h| h.added_at_or_below(layer)),
                    "{path} at {layer}"
                );
            }
        }
        assert_eq!(story(&added, "etc/keep"), vec![(0, Change::Added, 1, None)]);
        assert_eq!(
            story(&added, "etc/app.conf"),
            vec![(0, Change::Added, 10, None), (3, Change::Added, 7, None)]
        );
    }

    #[test]
    fn added_modified_deleted_and_readded() {
        let a = build(vec![
            vec![d("etc"), f("etc/app.conf", 10), f("etc/keep", 1)],
            vec![f("etc/app.conf", 25)],
            vec![f("etc/.wh.app.conf", 0)],
            vec![f("etc/app.conf", 7)],
        ]);
        let ix = index(&a);
        assert_eq!(
            story(&ix, "etc/app.conf"),
            vec![
                (0, Change::Added, 10, None),
                (1, Change::Modified, 25, None),
                (2, Change::Deleted, 25, Some(DeletedBy::Whiteout)),
                (3, Change::Added, 7, None),
            ]
        );
        assert_eq!(story(&ix, "etc/keep"), vec![(0, Change::Added, 1, None)]);
        // The marker is not a path of its own.
        assert!(ix.get(&RawPath::from("etc/.wh.app.conf")).is_none());
        let h = ix.get(&RawPath::from("etc/app.conf"));
        assert!(h.is_some_and(PathHistory::present_at_top));
        // The "added in" badge: modified in 1 still counts from 0; added again in 3 from 3.
        let added: Vec<Option<usize>> = (0..4)
            .map(|l| h.and_then(|h| h.added_at_or_below(l)))
            .collect();
        assert_eq!(added, vec![Some(0), Some(0), Some(0), Some(3)]);
        let keep = ix.get(&RawPath::from("etc/keep"));
        assert_eq!(keep.and_then(|h| h.added_at_or_below(3)), Some(0));
    }

    #[test]
    fn opaque_dir_and_whiteout_of_a_parent() {
        let a = build(vec![
            vec![
                d("var"),
                d("var/cache"),
                f("var/cache/a", 3),
                d("opt"),
                f("opt/x", 4),
            ],
            vec![
                f("var/cache/.wh..wh..opq", 0),
                f("var/cache/b", 2),
                f(".wh.opt", 0),
            ],
        ]);
        let ix = index(&a);
        assert_eq!(
            story(&ix, "var/cache/a"),
            vec![
                (0, Change::Added, 3, None),
                (1, Change::Deleted, 3, Some(DeletedBy::OpaqueDir))
            ]
        );
        assert_eq!(story(&ix, "var/cache/b"), vec![(1, Change::Added, 2, None)]);
        // The opaque directory itself stays.
        assert_eq!(story(&ix, "var/cache"), vec![(0, Change::Added, 0, None)]);
        assert_eq!(
            story(&ix, "opt/x"),
            vec![
                (0, Change::Added, 4, None),
                (1, Change::Deleted, 4, Some(DeletedBy::Whiteout))
            ]
        );
        assert_eq!(
            story(&ix, "opt"),
            vec![
                (0, Change::Added, 0, None),
                (1, Change::Deleted, 0, Some(DeletedBy::Whiteout))
            ]
        );
        let top = ix.get(&RawPath::from("opt"));
        assert!(top.is_some_and(|h| !h.present_at_top()));
    }

    #[test]
    fn directory_replaced_by_a_file() {
        let a = build(vec![vec![d("data"), f("data/old", 5)], vec![f("data", 9)]]);
        let ix = index(&a);
        assert_eq!(
            story(&ix, "data/old"),
            vec![
                (0, Change::Added, 5, None),
                (1, Change::Deleted, 5, Some(DeletedBy::Replaced))
            ]
        );
        assert_eq!(
            story(&ix, "data"),
            vec![(0, Change::Added, 0, None), (1, Change::Modified, 9, None)]
        );
    }

    #[test]
    fn implied_parents_are_added_by_the_layer_that_needs_them() {
        let a = build(vec![vec![f("a", 1)], vec![f("usr/lib/x.so", 8)]]);
        let ix = index(&a);
        assert_eq!(story(&ix, "usr"), vec![(1, Change::Added, 0, None)]);
        assert_eq!(story(&ix, "usr/lib"), vec![(1, Change::Added, 0, None)]);
        assert_eq!(ix.len(), 4);
    }

    #[test]
    fn hard_links_carry_their_targets_size() {
        // The link and its file in one layer (unpacking allows no other).
        let a = build(vec![
            vec![d("bin"), f("bin/busybox", 800)],
            vec![f("bin/busybox", 800), hl("bin/sh", "bin/busybox")],
            vec![f("bin/.wh.busybox", 0)],
        ]);
        let ix = index(&a);
        let sh = ix.get(&RawPath::from("bin/sh"));
        let ev = sh.and_then(|h| h.events.first());
        assert_eq!(
            ev.map(|e| (e.layer, e.kind, e.size)),
            Some((1, EntryKind::Hardlink, 800))
        );
        assert_eq!(
            ev.and_then(|e| e.link_target.as_ref())
                .map(|t| t.to_string()),
            Some("bin/busybox".to_string())
        );
        // Deleting the first name leaves the link: its history has one event.
        assert_eq!(story(&ix, "bin/sh"), vec![(1, Change::Added, 800, None)]);
        assert_eq!(
            story(&ix, "bin/busybox"),
            vec![
                (0, Change::Added, 800, None),
                (1, Change::Modified, 800, None),
                (2, Change::Deleted, 800, Some(DeletedBy::Whiteout))
            ]
        );
    }

    #[test]
    fn substring_and_glob_patterns() {
        let a = build(vec![vec![
            d("etc"),
            d("etc/nginx"),
            f("etc/nginx/nginx.conf", 1),
            f("etc/Hosts", 1),
            d("usr"),
            d("usr/lib"),
            d("usr/lib/python3.11"),
            f("usr/lib/python3.11/os.py", 1),
            d("usr/lib/x"),
            d("usr/lib/x/python3.11"),
        ]]);
        let ix = index(&a);
        assert_eq!(found_paths(&ix, "nginx.c"), vec!["etc/nginx/nginx.conf"]);
        // A leading `/` anchors at a component start; ASCII case is ignored.
        assert_eq!(found_paths(&ix, "/ETC/h"), vec!["etc/Hosts"]);
        assert_eq!(found_paths(&ix, "*.conf"), vec!["etc/nginx/nginx.conf"]);
        assert_eq!(
            found_paths(&ix, "nginx*"),
            vec!["etc/nginx", "etc/nginx/nginx.conf"]
        );
        // With a `/`, the glob is the whole path and `*` stays inside one component.
        assert_eq!(
            found_paths(&ix, "/usr/*/python3*"),
            vec!["usr/lib/python3.11"]
        );
        assert_eq!(
            found_paths(&ix, "usr/**/python3*"),
            vec!["usr/lib/python3.11", "usr/lib/x/python3.11"]
        );
        assert_eq!(found_paths(&ix, "?s.py"), vec!["usr/lib/python3.11/os.py"]);
        assert!(found_paths(&ix, "[abc")
            .iter()
            .all(|s| s.starts_with("error: ")));
        assert_eq!(found_paths(&ix, "nothing-like-it"), Vec::<String>::new());
        // Braces, ranges in either case, and an unclosed brace said as such.
        assert_eq!(
            found_paths(&ix, "*.{conf,py}"),
            vec!["etc/nginx/nginx.conf", "usr/lib/python3.11/os.py"]
        );
        assert_eq!(found_paths(&ix, "[G-I]osts"), vec!["etc/Hosts"]);
        assert!(matches!(Pattern::parse("*.{a,b"), Err(PatternError(m)) if m.contains('{')));
        let limited = Pattern::parse("usr").map(|p| ix.find(&p, 2));
        assert_eq!(limited.as_ref().map(|f| f.total), Ok(6));
        assert_eq!(limited.map(|f| f.histories.len()), Ok(2));
    }

    #[test]
    fn escaped_names_are_found_by_their_shown_form() {
        let a = build(vec![vec![
            ent(b"caf\xe9.txt", EntryKind::File, 3, None),
            ent(b"caf\xe8.txt", EntryKind::File, 4, None),
            ent(b"bell\x07", EntryKind::File, 5, None),
        ]]);
        let ix = index(&a);
        assert_eq!(found_paths(&ix, "caf\\xe9"), vec!["caf\\xe9.txt"]);
        assert_eq!(
            found_paths(&ix, "caf\\x*.txt"),
            vec!["caf\\xe8.txt", "caf\\xe9.txt"]
        );
        assert_eq!(found_paths(&ix, "\\x07"), vec!["bell\\x07"]);
        // A name may start with `!`: literal, not a negation.
        let b = build(vec![vec![
            ent(b"!keep", EntryKind::File, 1, None),
            ent(b"other", EntryKind::File, 1, None),
        ]]);
        assert_eq!(found_paths(&index(&b), "!k*"), vec!["!keep"]);
        let h = ix.get(&RawPath::from_bytes(b"caf\xe8.txt".to_vec()));
        assert_eq!(h.and_then(|h| h.last()).map(|e| e.size), Some(4));
    }

    #[test]
    fn two_hundred_thousand_files() {
        let n = 200_000usize;
        let mut base = vec![d("data")];
        base.extend((0..n).map(|i| f(&format!("data/f{i:06}.bin"), i as u64)));
        // Layer 1 rewrites every 1000th file and deletes every 500th + 1.
        let mut top = Vec::new();
        for i in (0..n).step_by(1000) {
            top.push(f(&format!("data/f{i:06}.bin"), 1));
        }
        for i in (1..n).step_by(500) {
            top.push(f(&format!("data/.wh.f{i:06}.bin"), 0));
        }
        let a = build(vec![base, top]);
        let ix = index(&a);
        assert_eq!(ix.len(), n + 1);
        let all = Pattern::parse("*.bin").map(|p| ix.find(&p, 10));
        assert_eq!(all.as_ref().map(|f| f.total), Ok(n));
        let modified = ix
            .paths
            .iter()
            .filter(|p| {
                p.history
                    .events
                    .iter()
                    .any(|e| e.change == Change::Modified)
            })
            .count();
        assert_eq!(modified, n / 1000);
        let deleted = ix
            .paths
            .iter()
            .filter(|p| !p.history.present_at_top())
            .count();
        assert_eq!(deleted, n / 500);
        assert_eq!(found_paths(&ix, "f123456"), vec!["data/f123456.bin"]);
        assert_eq!(
            story(&ix, "data/f123001.bin"),
            vec![
                (0, Change::Added, 123_001, None),
                (1, Change::Deleted, 123_001, Some(DeletedBy::Whiteout))
            ]
        );
        assert_eq!(
            story(&ix, "data/f123000.bin"),
            vec![
                (0, Change::Added, 123_000, None),
                (1, Change::Modified, 1, None)
            ]
        );
    }

    #[test]
    fn one_fold_gives_the_same_rows_as_layer_changes() {
        let a = build(vec![
            vec![
                d("a"),
                f("a/x", 1),
                d("b"),
                f("b/y", 2),
                f("c", 3),
                d("e"),
                f("e/z", 4),
            ],
            vec![
                f("a/.wh..wh..opq", 0),
                f("a/n", 5),
                f(".wh.c", 0),
                hl("b/l", "b/y"),
            ],
            vec![
                f("b", 6),
                d("c"),
                f("c/new", 7),
                f("e/z", 8),
                f("deep/er/f", 9),
            ],
        ]);
        let Some(img) = a.images.first() else {
            panic!("no image")
        };
        let mut each: Vec<Vec<FileRow>> = Vec::new();
        union::each_layer_changes(&a, img, |_, mut rows| {
            rows.sort_by(|x, y| x.path.cmp(&y.path));
            each.push(rows);
        });
        for (layer, rows) in each.iter().enumerate() {
            let mut want = union::layer_changes(&a, img, layer).rows;
            for r in &mut want {
                r.dir_size = 0;
            }
            assert_eq!(rows, &want, "layer {layer}");
        }
        assert_eq!(each.len(), 3);
        assert!(each.iter().all(|r| !r.is_empty()));
    }

    /// `cause` over bytes gives what it gave over `RawPath`s: a whiteout of the path or of
    /// any directory above it, else an opaque directory strictly above it, else replaced;
    /// at every depth, the root included.
    #[test]
    fn markers_name_the_cause_at_every_depth() {
        let e = |p: &[u8]| ent(p, EntryKind::File, 0, None);
        let m = Markers::of(&[
            e(b"a/b/.wh.c"),
            e(b"x/.wh..wh..opq"),
            e(b".wh.top"),
            e(b"d/e/f/.wh..wh..opq"),
        ]);
        let cause = |p: &str| m.cause(&RawPath::from(p));
        assert_eq!(cause("a/b/c"), DeletedBy::Whiteout);
        assert_eq!(cause("a/b/c/d/e"), DeletedBy::Whiteout);
        assert_eq!(cause("top"), DeletedBy::Whiteout);
        assert_eq!(cause("top/deep/er"), DeletedBy::Whiteout);
        assert_eq!(cause("x/y"), DeletedBy::OpaqueDir);
        assert_eq!(cause("d/e/f/g/h"), DeletedBy::OpaqueDir);
        // The opaque directory itself is not deleted by its own marker.
        assert_eq!(cause("x"), DeletedBy::Replaced);
        assert_eq!(cause("a/b"), DeletedBy::Replaced);
        assert_eq!(cause("a/bc"), DeletedBy::Replaced);
        assert_eq!(cause("xy/z"), DeletedBy::Replaced);
        assert_eq!(parent_bytes(b"a/b/c"), b"a/b");
        assert_eq!(parent_bytes(b"a"), b"");
    }
}
