//! The union view: the filesystem a container sees after each layer (a fold of the layers,
//! dive's `filetree` idea), what each layer changed, and the bytes later layers make useless.
//!
//! State is a `BTreeMap` keyed by path, so "everything below `dir`" is one range query and
//! the whole fold is O(entries · log entries), fine for 200k entries.
//!
//! Hard links keep their inode: a link and its target are one file. Each name carries a reference
//! to the regular-file entry whose bytes it shows (a [`ContentRef`] in every row), so deleting or
//! overwriting one name leaves the other names with the same content and size, and bytes a
//! container can still read through any name count as visible. Entries apply in tar order, as
//! moby's `pkg/archive` `UnpackLayer` applies them: a hard link resolves its target as it stands
//! when the link entry comes (a whiteout or opaque marker of the same layer that comes *before* the
//! link has already deleted a lower target; one that comes *after* deletes only the name, and the
//! link keeps the content). Markers otherwise touch only lower layers.

use std::borrow::Cow;
use std::collections::btree_map::Entry as Slot;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ops::Bound;

use serde::{Deserialize, Serialize};

use crate::analyze::shared_inode;
use crate::analyze::whiteout::{self, classify_entry, Marker};
use crate::model::{Archive, Entry, EntryKind, Image, Problem, ProblemKind, Xattr};
use crate::path::{parent_bytes, RawPath};

/// How a path fared in one layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// The path is new in this layer: nothing was there below it.
    Added,
    /// The layer rewrote a path that existed below it.
    Modified,
    /// The layer deleted the path (a whiteout, or an opaque directory above it).
    Deleted,
    /// The path comes from a lower layer, untouched by this one (merged views only).
    Unchanged,
}

/// Where a file's bytes are stored: the regular-file entry holding them. For a hard link it
/// is the entry of the file it links to (possibly in a lower layer, possibly under a name that
/// was since deleted or overwritten, possibly in AUFS's `.wh..wh.plnk/`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ContentRef {
    /// Image layer index (0 = base) whose blob stores the bytes.
    pub layer: usize,
    /// `Archive::members` index of that layer blob: with `path`, what
    /// `archive::read_entry_content` takes.
    pub member: Option<usize>,
    /// Index into that layer's `LayerIndex::entries` of the regular-file entry.
    pub entry: usize,
    /// That entry's path inside the layer.
    pub path: RawPath,
    /// Content bytes.
    pub size: u64,
}

impl ContentRef {
    /// The inode, in effect: two names with the same key show the same bytes.
    pub fn key(&self) -> (usize, usize) {
        (self.layer, self.entry)
    }
}

/// One path in a merged view or in a layer's changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRow {
    /// Path in the merged filesystem, normalized (no leading `/`).
    pub path: RawPath,
    /// What the path is. A hard link to a file stays `Hardlink`; one to a symlink, a device
    /// or a FIFO is that inode on disk (Go's `os.Link` does not follow a symlink) and shows
    /// its kind, and a symlink's target and mode.
    pub kind: EntryKind,
    /// Content size in bytes; for a hard link, the size of the file it links to (0 when the
    /// link points to nothing); for a symlink, the length of its target in bytes, as `ls -l`
    /// shows it and Docker's layer size counts it
    /// ([`layer_content_size`](crate::analyze::history::layer_content_size)).
    pub size: u64,
    /// What the layer in question did to the path.
    pub change: Change,
    /// The layer that last wrote this path. For `Deleted` rows: the lower layer the deleted
    /// path came from.
    pub layer: usize,
    /// For a symlink its target as written (also a hard link to a symlink: the symlink's);
    /// for a hard link the path it links to.
    pub link_target: Option<RawPath>,
    /// Permission, setuid/setgid and sticky bits (`& 0o7777`).
    pub mode: u32,
    /// `Archive::members` index of the layer blob holding this entry (its header; for a hard
    /// link the bytes are elsewhere: see `content`).
    pub member: Option<usize>,
    /// For directories: content bytes below it in this view, each file (inode) counted once
    /// however many of its names are below, like `du`, and each symlink present its target's length
    /// (so a layer's changes add up to the layer's size). In a layer's changes, a `Deleted`
    /// directory sums the deleted rows below it and any other directory the rest.
    pub dir_size: u64,
    /// Where this path's bytes are stored (regular files, and hard links that resolve to
    /// one); `None` for directories, symlinks, devices and dangling hard links. Read a row's
    /// bytes from here, never from `member` + `path`, so hard links work.
    #[serde(default)]
    pub content: Option<ContentRef>,
}

/// What one layer did to the filesystem below it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerChanges {
    /// Sorted by path. Whiteouts and opaque dirs appear as `Deleted` rows of what they hide.
    pub rows: Vec<FileRow>,
    /// Rows with `Change::Added`.
    pub added: usize,
    /// Rows with `Change::Modified`.
    pub modified: usize,
    /// Rows with `Change::Deleted`.
    pub deleted: usize,
    /// Content bytes this layer's own file entries store under added paths (a hard link adds
    /// no bytes, a symlink its target's length).
    pub added_bytes: u64,
    /// Content bytes this layer's own file entries store under modified paths (a hard link adds
    /// none, a symlink its target's length).
    pub modified_bytes: u64,
    /// Content bytes of the deleted rows, each file (inode) once, except files another name
    /// (a hard link) in the new view still shows. Symlinks count nothing here: these are the
    /// bytes a lower layer still stores (its `wasted`, which counts files only).
    pub deleted_bytes: u64,
}

/// A path as it stands in the merged filesystem. Small: a fold holds one per path, and what
/// a worker holds at its busiest is what the page keeps (wasm memory is never given back;
/// issue 13, target 3): 48 bytes on wasm32, 80 before the stored content and the link target
/// were made compact.
#[derive(Clone, Debug)]
struct Node {
    kind: EntryKind,
    /// Did the path exist below the layer that wrote it? (Added vs Modified.)
    replaced: bool,
    mode: u32,
    /// Apparent size (hard links: their content's); with a stored content, its size.
    size: u64,
    /// Boxed: only links have one.
    link_target: Option<Box<RawPath>>,
    layer: usize,
    member: Option<usize>,
    content: Option<Stored>,
    /// A symlink reached by a hard link: the same inode as the symlink it links to, so its
    /// target's length is counted once, with that symlink (Docker's layer size counts a hard
    /// link as nothing). Fits in the padding: the size below holds.
    second_name: bool,
}

// The size the comment above gives; a change of it is a change of the page's memory.
#[cfg(target_arch = "wasm32")]
const _: () = assert!(std::mem::size_of::<Node>() == 48);

/// Where a node's bytes are stored: the entry of its own layer blob (`Node::layer`,
/// `Node::member`) at its own name, as for every regular file (nearly every node), or
/// somewhere else, said apart (a hard link's). A fold of a 200,000-file layer held a second
/// copy of each name and of the layer, blob and size otherwise. Read it whole with
/// [`Node::content_ref`].
#[derive(Clone, Debug)]
struct Stored {
    entry: usize,
    elsewhere: Option<Box<Elsewhere>>,
}

/// The layer, blob and file that store a hard link's bytes.
#[derive(Clone, Debug)]
struct Elsewhere {
    layer: usize,
    member: Option<usize>,
    path: RawPath,
}

impl Stored {
    /// `c` held by the node named `own` that layer `layer` (blob `member`) wrote.
    fn new(c: ContentRef, layer: usize, member: Option<usize>, own: &RawPath) -> Stored {
        let here = c.layer == layer && c.member == member && c.path == *own;
        Stored {
            entry: c.entry,
            elsewhere: (!here).then(|| {
                Box::new(Elsewhere {
                    layer: c.layer,
                    member: c.member,
                    path: c.path,
                })
            }),
        }
    }
}

impl Node {
    /// Bytes this name's own tar entry stores (its content is its own, not a link's), a
    /// symlink its target's length: what Docker's layer size counts for it.
    fn own_bytes(&self) -> u64 {
        match &self.content {
            Some(_) if self.kind == EntryKind::File => self.size,
            None if self.kind == EntryKind::Symlink && !self.second_name => self.size,
            _ => 0,
        }
    }

    /// Its content's [`ContentRef::key`] (the inode, in effect).
    fn content_key(&self) -> Option<(usize, usize)> {
        let c = self.content.as_ref()?;
        Some((
            c.elsewhere.as_ref().map_or(self.layer, |e| e.layer),
            c.entry,
        ))
    }

    /// The file that stores its bytes, for the node named `own`.
    fn content_path<'a>(&'a self, own: &'a RawPath) -> Option<&'a RawPath> {
        let c = self.content.as_ref()?;
        Some(c.elsewhere.as_ref().map_or(own, |e| &e.path))
    }

    /// Its content whole, for the node named `own`.
    fn content_ref(&self, own: &RawPath) -> Option<ContentRef> {
        let c = self.content.as_ref()?;
        let (layer, member, path) = match &c.elsewhere {
            Some(e) => (e.layer, e.member, &e.path),
            None => (self.layer, self.member, own),
        };
        Some(ContentRef {
            layer,
            member,
            entry: c.entry,
            path: path.clone(),
            size: self.size,
        })
    }
}

/// A path the fold holds: an entry's own name, borrowed from the archive's index (the fold of
/// a 200,000-file layer would otherwise copy its 9.6 MB of names once more), or one the fold
/// made itself (a folder a layer implies without an entry of its own).
type Key<'a> = Cow<'a, RawPath>;

type State<'a> = BTreeMap<Key<'a>, Node>;

/// The shortest run [`Appended::push`] moves into the state as it grows (in tests, short
/// enough that the random layers of `runs_of_appended_paths_change_nothing` are moved so
/// several times each).
#[cfg(not(test))]
const RUN_MOVED_FROM: usize = 4096;
#[cfg(test)]
const RUN_MOVED_FROM: usize = 8;

/// The paths a layer writes past the last one the state holds, in increasing order, kept aside
/// and moved into the state in one piece ([`Appended::flush`]: before anything else touches the
/// state, and as the run grows, [`Appended::push`]). Tar writers list a folder's
/// tree in path order, so most of a layer's new paths come this way; inserted one by one, each
/// would walk the `BTreeMap` down its right edge, comparing the path with every key of every
/// node there (the worst case of its linear search: ~60 comparisons of paths that share long
/// prefixes for each name of a 200,000-entry layer). Every write of [`apply`] goes through
/// here; anything else that touches the state flushes first.
#[derive(Default)]
struct Appended<'a> {
    /// Strictly increasing, every key greater than every key of the state.
    run: Vec<(Key<'a>, Node)>,
    /// About how many paths the layer still writes (its entries left, and the folders the
    /// current one implies): how far the run may grow before the layer ends.
    to_come: usize,
}

impl<'a> Appended<'a> {
    /// The node at `key`, in the state or in the run.
    fn get<'s>(&'s self, state: &'s State<'a>, key: &RawPath) -> Option<&'s Node> {
        match self.run.first() {
            Some((first, _)) if key >= &**first => self
                .run
                .binary_search_by(|(k, _)| (**k).cmp(key))
                .ok()
                .and_then(|i| self.run.get(i))
                .map(|(_, n)| n),
            _ => state.get(key),
        }
    }

    /// True when `key` is greater than every key held (so it is new, and keeps the run in
    /// order).
    fn past_end(&self, state: &State<'a>, key: &RawPath) -> bool {
        #[cfg(test)]
        if tests::NO_RUN.with(std::cell::Cell::get) {
            return false; // the fold without runs, the reference the tests compare with
        }
        match self.run.last() {
            Some((last, _)) => key > &**last,
            None => state.last_key_value().is_none_or(|(last, _)| key > &**last),
        }
    }

    /// Adds `key`, past the end ([`Appended::past_end`]), to the run; a run as long as the
    /// state (and at least [`RUN_MOVED_FROM`]) is moved into it at once. So once the state
    /// holds [`RUN_MOVED_FROM`] paths the run never holds more than half of what the fold
    /// holds, and its buffer and the map built from it are not both the size of a whole layer
    /// at the peak (a 200,000-file layer: the page's worker's memory 92 → 84 MB). Each move
    /// costs the state and the run, which at least doubles the state: each path is moved
    /// about twice in all.
    fn push(&mut self, state: &mut State<'a>, key: Key<'a>, node: Node) {
        let len = self.run.len();
        if len == self.run.capacity() {
            // Room for what can still come: the run is moved into the state once as long as
            // it, and the layer has only so many paths left; grown by doubling, up to half
            // the buffer stood empty at the fold's peak (a 200,000-file layer's last run:
            // room for 131,072 paths, 75,000 used). At least a quarter more each time, so
            // growing stays linear however wrong `to_come` is.
            let bound = state.len().max(RUN_MOVED_FROM).saturating_sub(len);
            let more = len.max(4).min(self.to_come.max(len / 4)).min(bound).max(1);
            self.run.reserve_exact(more);
        }
        self.run.push((key, node));
        if self.run.len() >= RUN_MOVED_FROM && self.run.len() >= state.len() {
            self.flush(state);
        }
    }

    /// Adds a new `key` (see [`Appended::past_end`]) to the run, or to the state after a flush.
    fn insert(&mut self, state: &mut State<'a>, key: Key<'a>, node: Node) {
        if self.past_end(state, &key) {
            self.push(state, key, node);
        } else {
            self.flush(state);
            state.insert(key, node);
        }
    }

    /// Moves the run into the state. A short run (under an eighth of the state) is inserted key
    /// by key; a longer one is built into a map of its own in one pass (its keys are sorted)
    /// and appended, which costs the two maps' sizes — at most nine times the run's, so each
    /// path costs O(log n) however often a layer flushes, even one written to make it flush
    /// at every entry.
    fn flush(&mut self, state: &mut State<'a>) {
        if self.run.is_empty() {
            return;
        }
        if self.run.len().saturating_mul(8) < state.len() {
            for (k, n) in self.run.drain(..) {
                state.insert(k, n);
            }
        } else {
            // Taken, not drained: the sorted list the map is built from is the run's own
            // buffer (collecting a `Vec`'s `IntoIter` reuses it), freed once the map stands. A
            // drained run kept its buffer and the map's sorted copy was a second one (a
            // 200,000-file layer: the page's worker's memory, which never shrinks back,
            // 117 → 98 MB).
            let mut more: State = std::mem::take(&mut self.run).into_iter().collect();
            state.append(&mut more);
        }
    }
}

/// Why a hard link of a layer points to no file.
#[derive(Clone, Debug, PartialEq, Eq)]
enum LinkIssue {
    /// The target does not exist when the link entry comes.
    Missing,
    /// An opaque marker, or a whiteout of a folder above it, earlier in the same layer
    /// deleted the target (a whiteout of the target itself makes the link a whiteout:
    /// [`Linked::Whiteout`]).
    DeletedEarlier,
    /// The target is a lower layer's: the layer is unpacked into a folder of its own.
    LowerLayer,
    /// Not a failure: the target is a whiteout this layer made earlier, so the link is one
    /// too ([`Linked::Whiteout`]). Reported, since no tool writes it on purpose.
    ToAWhiteout,
    /// The target is a directory (hard links to directories do not exist).
    Directory,
    /// No regular file of that base name in `.wh..wh.plnk/` before the link.
    AufsMissing,
    /// The links of this layer go round: each name in the cycle, in link order.
    Cycle(Vec<RawPath>),
}

/// A hard-link problem found while applying a layer.
#[derive(Clone, Debug)]
struct LinkReport {
    layer: usize,
    path: RawPath,
    target: RawPath,
    issue: LinkIssue,
}

/// The hard-link problems a fold finds: the first [`LINK_PROBLEMS_PER_LAYER`] of each layer,
/// in the order found, and how many each layer has in all (a hostile layer may hold millions
/// of broken links; a fold keeps no more than these whatever the layer holds).
#[derive(Debug, Default)]
struct LinkReports {
    shown: Vec<LinkReport>,
    per_layer: BTreeMap<usize, usize>,
}

impl LinkReports {
    /// Counts `r` against its layer, keeping it when it is among the layer's first.
    fn push(&mut self, r: LinkReport) {
        let n = self.per_layer.entry(r.layer).or_insert(0);
        *n += 1;
        if *n <= LINK_PROBLEMS_PER_LAYER {
            self.shown.push(r);
        }
    }
}

/// The entries of an image's layer `i`, empty when the blob is missing or unreadable.
pub fn layer_entries<'a>(archive: &'a Archive, image: &Image, i: usize) -> &'a [Entry] {
    layer_list(archive, image, i).map_or(&[], |l| l.as_slice())
}

/// The extended attributes of the paths each layer of `image` writes with any, keyed by layer
/// and path (the last entry of a path in a layer wins, as it does on disk; a file with several
/// names has what all its headers set, [`shared_inode`]): what a row's `layer` and `path` look
/// up. Holds only entries that have attributes, so it is small; one pass over the image's
/// entries.
pub fn entry_xattrs<'a>(
    archive: &'a Archive,
    image: &Image,
) -> HashMap<(usize, &'a RawPath), Cow<'a, [Xattr]>> {
    let mut out = HashMap::new();
    for i in 0..image.layers.len() {
        let entries = layer_entries(archive, image, i);
        for e in entries {
            if e.xattrs().is_empty() {
                out.remove(&(i, &e.path));
            } else {
                out.insert((i, &e.path), Cow::Borrowed(e.xattrs()));
            }
        }
        // A file with several names has the attributes every one of its headers set.
        for (path, a) in shared_inode::of_layer(entries) {
            if a.xattrs.is_empty() {
                out.remove(&(i, path));
            } else {
                out.insert((i, path), a.xattrs);
            }
        }
    }
    out
}

/// How many entries [`layer_entries`] gives for layer `i`, without reading them (a list
/// held in its compact form is not decoded: [`crate::Entries::len`]).
pub fn layer_entry_count(archive: &Archive, image: &Image, i: usize) -> usize {
    layer_list(archive, image, i).map_or(0, |l| l.len())
}

/// The entry list of an image's layer `i`, if its blob is here and was indexed.
fn layer_list<'a>(archive: &'a Archive, image: &Image, i: usize) -> Option<&'a crate::Entries> {
    image
        .layers
        .get(i)
        .and_then(|l| l.member)
        .and_then(|m| archive.members.get(m))
        .and_then(|m| m.facts.layer.as_ref())
        .map(|l| &l.entries)
}

fn member_of(image: &Image, i: usize) -> Option<usize> {
    image.layers.get(i).and_then(|l| l.member)
}

/// Removes `dir`'s descendants (not `dir` itself) and returns them.
fn remove_below<'a>(state: &mut State<'a>, dir: &RawPath) -> Vec<(Key<'a>, Node)> {
    let keys: Vec<Key<'a>> = if dir.is_root() {
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
    crate::path::has_dotdot(p.as_bytes())
}

/// Does this entry store filesystem content bytes (a regular file of the filesystem, or a
/// file AUFS keeps for hard links)? Markers, invalid names and other AUFS metadata do not.
fn stores_content(e: &Entry) -> bool {
    e.kind == EntryKind::File && (classify_entry(e).is_none() || whiteout::is_aufs_link_source(e))
}

/// The hard-link cycles among one layer's link entries (name → target, the last entry of a
/// name counting), each once, its names in link order from the first-listed one. O(links).
fn link_cycles(entries: &[Entry]) -> Vec<Vec<RawPath>> {
    let mut next: HashMap<&RawPath, &RawPath> = HashMap::new();
    let mut order: Vec<&RawPath> = Vec::new();
    for e in entries {
        if let (EntryKind::Hardlink, Some(t)) = (e.kind, &e.link_target) {
            if next.insert(&e.path, t).is_none() {
                order.push(&e.path);
            }
        } else if !next.is_empty() && next.remove(&e.path).is_some() {
            // A later non-link entry of the same name ends that name's link. (Looked up only
            // while a link is pending: a layer without links hashes none of its names.)
            order.retain(|p| *p != &e.path);
        }
    }
    // 1 = on the current walk, 2 = finished.
    let mut mark: HashMap<&RawPath, u8> = HashMap::new();
    let mut cycles = Vec::new();
    for start in order {
        let mut walk: Vec<&RawPath> = Vec::new();
        let mut cur = start;
        loop {
            match mark.get(cur) {
                Some(2) => break,
                Some(_) => {
                    if let Some(at) = walk.iter().position(|p| *p == cur) {
                        cycles.push(walk.iter().skip(at).map(|p| (*p).clone()).collect());
                    }
                    break;
                }
                None => {}
            }
            let Some(t) = next.get(cur) else { break };
            mark.insert(cur, 1);
            walk.push(cur);
            cur = t;
        }
        for p in walk {
            mark.insert(p, 2);
        }
    }
    cycles
}

/// Applies layer `idx` to `state`, returning every lower node it removed (whiteouts, opaque
/// dirs, a directory replaced by a non-directory, or the other way round). Hard links that
/// point to nothing go to `links`.
fn apply<'a>(
    state: &mut State<'a>,
    idx: usize,
    member: Option<usize>,
    entries: &'a [Entry],
    links: &mut LinkReports,
) -> Vec<(Key<'a>, Node)> {
    let mut removed: Vec<(Key<'a>, Node)> = Vec::new();
    // A file with several names in this layer has the mode its last header set on it.
    let shared = shared_inode::of_layer(entries);
    // Entries in tar order, with whether each is a whiteout or opaque marker: a marker writes
    // nothing, but its folder is made in the layer's own directory first, as for any entry
    // (moby's `UnpackLayer` does `MkdirAll` of the parent before it handles a whiteout), so
    // it hides a lower symlink or file of that name as a written file's folder does.
    let mut writes: Vec<(usize, &Entry, bool)> = Vec::with_capacity(entries.len());
    let mut opaque: Vec<(usize, RawPath)> = Vec::new();
    let mut whiteouts: Vec<(usize, RawPath)> = Vec::new();
    // AUFS hard-link sources by base name, in entry order.
    let mut plnk: HashMap<&[u8], Vec<(usize, ContentRef)>> = HashMap::new();
    for (pos, e) in entries.iter().enumerate() {
        if e.path.is_root() || has_dotdot(&e.path) {
            continue; // the root itself, or a name the reader reports as unsafe
        }
        match classify_entry(e) {
            // A type Docker's unpacking refuses and Go's reader does not read as a file: the
            // layer reader reports it (`unpack-fails`); like every entry unpacking fails on,
            // it stays in the layer's index and nothing is written.
            None if e.kind == EntryKind::Other => {}
            None => writes.push((pos, e, false)),
            Some(Marker::Opaque(d)) => {
                writes.push((pos, e, true));
                opaque.push((pos, d))
            }
            Some(Marker::Whiteout(p)) if !has_dotdot(&p) => {
                writes.push((pos, e, true));
                whiteouts.push((pos, p))
            }
            Some(Marker::Aufs) if whiteout::is_aufs_link_source(e) => {
                plnk.entry(e.path.file_name()).or_default().push((
                    pos,
                    ContentRef {
                        layer: idx,
                        member,
                        entry: pos,
                        path: e.path.clone(),
                        size: e.size,
                    },
                ))
            }
            // An invalid marker (reported by `whiteout::problems`) deletes nothing, but its
            // folder is made first, as for any entry (moby's `UnpackLayer` and containerd's
            // `Apply` make a missing parent before they look at the name); not below AUFS's
            // metadata names at the root, which are never part of the filesystem here.
            Some(Marker::Invalid(_) | Marker::Unpackable(_))
                if !e
                    .path
                    .as_bytes()
                    .starts_with(crate::media::WHITEOUT_META_PREFIX) =>
            {
                writes.push((pos, e, true))
            }
            // Other AUFS metadata.
            Some(_) => {}
        }
    }
    // Markers only touch lower layers, so they go first (the spec: "regardless of ordering").
    // What each one removed is remembered with its position: a hard link listed before the
    // marker still reaches the lower file, as it does when Docker applies the tar in order.
    let mut hidden: HashMap<Key<'a>, (usize, usize)> = HashMap::new();
    let mut remove =
        |removed: &mut Vec<(Key<'a>, Node)>, pos: usize, gone: Vec<(Key<'a>, Node)>| {
            for (p, n) in gone {
                hidden.entry(p.clone()).or_insert((pos, removed.len()));
                removed.push((p, n));
            }
        };
    for (pos, d) in &opaque {
        let gone = remove_below(state, d);
        remove(&mut removed, *pos, gone);
    }
    for (pos, p) in &whiteouts {
        let mut gone: Vec<(Key<'a>, Node)> = state.remove_entry(p).into_iter().collect();
        gone.extend(remove_below(state, p));
        remove(&mut removed, *pos, gone);
    }
    let removed_paths: BTreeSet<Key<'a>> = removed.iter().map(|(p, _)| p.clone()).collect();
    // Links whose final targets go round. Whether unpacking fails on them is decided in tar
    // order below (`c`, `e => c`, then `c => e` re-links `c` to the file `e` still names:
    // no failure); a cycle is reported as one when every link in it failed.
    let cycles = link_cycles(entries);
    let in_cycle: HashSet<&RawPath> = cycles.iter().flatten().collect();
    let mut cycle_failures: Vec<LinkReport> = Vec::new();
    // Names that are whiteout devices on disk in this layer's folder, with the position of
    // the entry that made them: overlay2 `mknod`s every whiteout's name, whether or not a
    // lower layer has it, and a link to such a name is one more.
    let mut devices: HashMap<RawPath, usize> = HashMap::new();
    for (pos, p) in &whiteouts {
        devices.entry(p.clone()).or_insert(*pos);
    }
    // A directory `state` holds right now, the parent of the last entry written: tar entries
    // come grouped by folder, so most entries skip the walk to their parents (one map search
    // per name of a 200,000-entry layer). It stays one: markers were all applied above, and a
    // write removes only its own path and what is below it, never a folder above it (when it
    // replaces this folder or one above, it is forgotten).
    let mut known_dir: Option<RawPath> = None;
    // The folder of the last entry that could not be unpacked (below a non-folder of this
    // layer): its next entries fail too, without walking up again. Forgotten on every write.
    let mut known_fail: Option<RawPath> = None;
    let mut appended = Appended::default();
    let mut to_write = writes.len();
    for (pos, e, marker) in writes {
        appended.to_come = to_write;
        to_write = to_write.saturating_sub(1);
        // Parents a container runtime would create implicitly. (Compared as a slice of the
        // name: most entries' folder is the one known, and need no copy of it.)
        let parent_of = crate::path::parent_bytes(e.path.as_bytes());
        if known_fail
            .as_ref()
            .is_some_and(|k| k.as_bytes() == parent_of)
        {
            continue;
        }
        let parent_known = known_dir
            .as_ref()
            .is_some_and(|k| k.as_bytes() == parent_of);
        let mut missing = Vec::new();
        let mut parent = if parent_known {
            RawPath::default()
        } else {
            let parent = RawPath::from_bytes(parent_of.to_vec());
            known_dir = Some(parent.clone());
            parent
        };
        let mut fails = false;
        while !parent.is_root() {
            match appended.get(state, &parent) {
                Some(n) if n.kind == EntryKind::Dir => break,
                // A file or looping symlink this layer wrote: unpacking fails on the entry
                // (`read::below_non_folder` reports it); nothing is written.
                Some(n) if n.layer == idx => {
                    fails = true;
                    break;
                }
                // A lower symlink or file: the folder made in this layer's directory hides it
                // (overlayfs shows the upper folder), and rewrites the path.
                Some(_) => {
                    appended.flush(state);
                    if let Some(gone) = state.remove_entry(&parent) {
                        removed.push(gone);
                    }
                    missing.push((parent.clone(), true));
                }
                None => missing.push((parent.clone(), false)),
            }
            parent = parent.parent();
        }
        if fails {
            known_dir = None;
            known_fail = Some(e.path.parent());
            continue;
        }
        known_fail = None;
        appended.to_come = appended.to_come.saturating_add(missing.len());
        // Top folder first: in path order, so they join the run when they come past its end.
        for (p, over_lower) in missing.into_iter().rev() {
            let replaced = over_lower || removed_paths.contains(&p);
            appended.insert(
                state,
                Cow::Owned(p),
                Node {
                    kind: EntryKind::Dir,
                    size: 0,
                    mode: 0o755,
                    link_target: None,
                    layer: idx,
                    member,
                    replaced,
                    content: None,
                    second_name: false,
                },
            );
        }
        if marker {
            continue; // its folder stands; what it deletes was deleted above
        }
        // A hard link to a target without bytes is that inode on disk: its kind, mode and
        // link target, instead of the entry's own.
        let mut inode: Option<Inode> = None;
        // The stored content, with its size (the node's).
        let content = match (e.kind, &e.link_target) {
            (EntryKind::File, _) => Some((
                Stored {
                    entry: pos,
                    elsewhere: None,
                },
                e.size,
            )),
            (EntryKind::Hardlink, Some(t)) => {
                // A target climbing above the root (the reader reports it as unsafe) is
                // resolved inside it, as Docker's unpacking in a chroot of the layer's folder
                // and containerd's `fs.RootPath` do (`../../t/a` links to `t/a`).
                let t = t.clamped();
                let t = t.as_ref();
                appended.flush(state);
                let found = resolve_link(state, &hidden, &plnk, (idx, &devices), pos, &e.path, t);
                match found {
                    Ok(Linked::Bytes(c)) => {
                        let size = c.size;
                        Some((Stored::new(c, idx, member, &e.path), size))
                    }
                    Ok(Linked::Inode(i)) => {
                        inode = Some(i);
                        None
                    }
                    // `os.Link` fails (ENOENT, EPERM for a folder): unpacking stops there, and
                    // the views leave the link out; what the name held before stays.
                    Ok(Linked::Nothing) => continue,
                    // The name is a whiteout: what it held below is gone, nothing shows.
                    Ok(Linked::Whiteout) => {
                        let mut gone: Vec<(Key<'a>, Node)> =
                            state.remove_entry(&e.path).into_iter().collect();
                        gone.extend(remove_below(state, &e.path));
                        removed.extend(gone.into_iter().filter(|(_, n)| n.layer != idx));
                        links.push(LinkReport {
                            layer: idx,
                            path: e.path.clone(),
                            target: t.clone(),
                            issue: LinkIssue::ToAWhiteout,
                        });
                        devices.entry(e.path.clone()).or_insert(pos);
                        known_dir = None;
                        continue;
                    }
                    Err(issue) => {
                        let report = LinkReport {
                            layer: idx,
                            path: e.path.clone(),
                            target: t.clone(),
                            issue,
                        };
                        if in_cycle.contains(&e.path) {
                            cycle_failures.push(report);
                        } else {
                            links.push(report);
                        }
                        continue;
                    }
                }
            }
            (EntryKind::Hardlink, None) => {
                links.push(LinkReport {
                    layer: idx,
                    path: e.path.clone(),
                    target: RawPath::default(),
                    issue: LinkIssue::Missing,
                });
                continue;
            }
            _ => None,
        };
        let size = match (&content, e.kind, &e.link_target) {
            (Some((_, size)), _, _) => *size,
            (None, EntryKind::Symlink, Some(t)) => t.as_bytes().len() as u64,
            (None, _, _) => e.size,
        };
        let node = match inode {
            Some(i) => Node {
                kind: i.kind,
                size: i.size,
                // moby's `handleLChmod` leaves a link to a symlink alone (there is no lchmod)
                // and chmods anything else with the link's own mode.
                mode: if i.kind == EntryKind::Symlink {
                    i.mode
                } else {
                    shared.get(&e.path).map_or(e.mode, |a| a.mode)
                },
                link_target: i.link_target,
                layer: idx,
                member,
                replaced: false,
                content: None,
                second_name: true,
            },
            None => Node {
                kind: e.kind,
                size,
                mode: shared.get(&e.path).map_or(e.mode, |a| a.mode),
                link_target: e.link_target.clone().map(Box::new),
                layer: idx,
                member,
                replaced: false,
                content: content.map(|(c, _)| c),
                second_name: false,
            },
        };
        // A path past every one held is new: it joins the run (no search of the map).
        if appended.past_end(state, &e.path) {
            let replaced = removed_paths.contains(&e.path);
            appended.push(state, Cow::Borrowed(&e.path), Node { replaced, ..node });
            continue;
        }
        appended.flush(state);
        // One search of the map per entry: the slot is found once, then filled or swapped.
        let old = match state.entry(Cow::Borrowed(&e.path)) {
            Slot::Vacant(slot) => {
                slot.insert(Node {
                    replaced: removed_paths.contains(&e.path),
                    ..node
                });
                continue;
            }
            Slot::Occupied(mut slot) => {
                let now = slot.get_mut();
                let old = std::mem::replace(now, node);
                now.replaced = old.layer != idx || old.replaced;
                old
            }
        };
        if !(old.kind == EntryKind::Dir && e.kind == EntryKind::Dir) {
            // Anything but dir-over-dir is unlink + recreate: a replaced dir loses its tree.
            let gone = remove_below(state, &e.path);
            removed.extend(gone.into_iter().filter(|(_, n)| n.layer != idx));
            // The folder known to hold the last entry may be gone with it.
            if e.kind != EntryKind::Dir
                && known_dir
                    .as_ref()
                    .is_some_and(|k| *k == e.path || k.is_below(&e.path))
            {
                known_dir = None;
            }
        }
        if old.layer != idx {
            removed.push((Cow::Borrowed(&e.path), old));
        }
    }
    appended.flush(state);
    // A cycle whose every link failed is said once, as a cycle; in one that a re-link broke,
    // the links that failed are said one by one.
    // Looked up in sets: a hostile layer may hold a cycle of a million links.
    let failed: HashSet<&RawPath> = cycle_failures.iter().map(|r| &r.path).collect();
    let whole: Vec<&Vec<RawPath>> = cycles
        .iter()
        .filter(|c| c.iter().all(|p| failed.contains(p)))
        .collect();
    let in_whole: HashSet<&RawPath> = whole.iter().copied().flatten().collect();
    for cycle in &whole {
        if let (Some(first), Some(second)) = (cycle.first(), cycle.get(1).or(cycle.first())) {
            links.push(LinkReport {
                layer: idx,
                path: first.clone(),
                target: second.clone(),
                issue: LinkIssue::Cycle((*cycle).clone()),
            });
        }
    }
    for r in cycle_failures
        .into_iter()
        .filter(|r| !in_whole.contains(&r.path))
    {
        links.push(r);
    }
    removed
}

/// What a hard link shares with its target.
enum Linked {
    /// A file's bytes.
    Bytes(ContentRef),
    /// The inode of a target without bytes (a symlink, a device, a FIFO): the link is that
    /// symlink or device on disk, as Go's `os.Link` (`linkat` without `AT_SYMLINK_FOLLOW`)
    /// makes it in moby and containerd.
    Inode(Inode),
    /// A hard link that points to no file itself (already reported).
    Nothing,
    /// The target was deleted by a whiteout earlier in this layer: Docker's overlay2
    /// storage wrote that whiteout as a character device at the target's name, and the link
    /// is a second name of it, so the link's own name is a whiteout too (it shows nothing,
    /// and hides what lower layers have there). Measured with dockerd 20.10, overlay2.
    Whiteout,
}

/// What a second name of an inode without bytes takes from the first.
struct Inode {
    kind: EntryKind,
    mode: u32,
    size: u64,
    link_target: Option<Box<RawPath>>,
}

/// What a hard link entry at position `pos` of layer `idx` (its `entries`) shows: the content
/// of its target as the target stands at that point, or the target's inode when it has no
/// bytes. The target must be something this layer wrote earlier: Docker's overlay2 storage
/// and containerd's overlayfs unpack a layer into a folder of its own, where `os.Link` finds
/// nothing of the layers below (dockerd 20.10, overlay2: "link /t/x /t/y: no such file or
/// directory").
#[allow(clippy::too_many_arguments)]
fn resolve_link<'a>(
    state: &State<'a>,
    hidden: &HashMap<Key<'a>, (usize, usize)>,
    plnk: &HashMap<&[u8], Vec<(usize, ContentRef)>>,
    (idx, devices): (usize, &HashMap<RawPath, usize>),
    pos: usize,
    path: &RawPath,
    target: &RawPath,
) -> Result<Linked, LinkIssue> {
    if let Some(key) = whiteout::aufs_link_key(target) {
        // moby re-targets the link at the `.wh..wh.plnk` file of that base name seen so far.
        return plnk
            .get(key)
            .and_then(|v| v.iter().rev().find(|(p, _)| *p < pos))
            .map(|(_, c)| Linked::Bytes(c.clone()))
            .ok_or(LinkIssue::AufsMissing);
    }
    if target == path {
        // Docker removes the existing name before linking: a link to itself has no target.
        return Err(LinkIssue::Missing);
    }
    if target.is_root() {
        // `a/..` cleans to the root: a folder.
        return Err(LinkIssue::Directory);
    }
    let node = match state.get(target) {
        Some(n) => n,
        // A whiteout earlier in this layer made a device at this name (whatever the lower
        // layers hold there): the link is another.
        None if devices.get(target).is_some_and(|at| *at < pos) => return Ok(Linked::Whiteout),
        None => match hidden.get(target) {
            // Deleted by a marker that comes after the link: when the link came, the target
            // was a lower layer's.
            Some((at, _)) if *at > pos => return Err(LinkIssue::LowerLayer),
            Some(_) => return Err(LinkIssue::DeletedEarlier),
            None => return Err(LinkIssue::Missing),
        },
    };
    // A folder is refused whatever layer made it (EPERM), and said as a folder.
    if node.layer != idx && node.kind != EntryKind::Dir {
        return Err(LinkIssue::LowerLayer);
    }
    if let Some(c) = node.content_ref(target) {
        return Ok(Linked::Bytes(c));
    }
    match node.kind {
        EntryKind::Dir => Err(LinkIssue::Directory),
        // A link to a dangling link points to nothing either; the first one is reported.
        EntryKind::Hardlink | EntryKind::File => Ok(Linked::Nothing),
        kind => Ok(Linked::Inode(Inode {
            kind,
            mode: node.mode,
            size: node.size,
            link_target: node.link_target.clone(),
        })),
    }
}

fn fold_with<'a>(
    archive: &'a Archive,
    image: &Image,
    upto: usize,
    links: &mut LinkReports,
) -> State<'a> {
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
            links,
        );
    }
    state
}

fn fold<'a>(archive: &'a Archive, image: &Image, upto: usize) -> State<'a> {
    fold_with(archive, image, upto, &mut LinkReports::default())
}

fn row(path: RawPath, n: &Node, change: Change) -> FileRow {
    let content = n.content_ref(&path);
    FileRow {
        path,
        kind: n.kind,
        size: n.size,
        change,
        layer: n.layer,
        link_target: n.link_target.as_deref().cloned(),
        mode: n.mode,
        member: n.member,
        dir_size: 0,
        content,
    }
}

/// Fills `dir_size` of directory rows: the content bytes of the rows below each, every inode
/// once however many of its names are below (like `du`), and the target length of each
/// symlink below that is not deleted. Deleted and other rows are summed apart, so a deleted
/// directory shows the file bytes deleted below it. Sums saturate. `second_names` are
/// symlinks reached by a hard link ([`Node::second_name`]): their inode counts with the
/// symlink's own name.
///
/// A file with one name (nearly all) adds its size to its folder only; folder totals are then
/// carried up one level at a time, deepest first: O(rows + folders) map updates instead of one
/// per folder above each file. A file with several names (hard links) adds its size once to
/// every folder above any of its names, and is not carried up.
fn fill_dir_sizes(rows: &mut [FileRow], second_names: &HashSet<RawPath>) {
    // (deleted?, inode) → size and the rows naming it.
    type Names = (u64, Vec<usize>);
    let mut inodes: HashMap<(bool, (usize, usize)), Names> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        if let Some(c) = r.content.as_ref().filter(|c| c.size > 0) {
            // The row's size where it is less: a file cut short holds only what is there
            // (`cut_files_hold_what_is_there`); a whole file's row has its content's size.
            inodes
                .entry((r.change == Change::Deleted, c.key()))
                .or_insert((c.size.min(r.size), Vec::new()))
                .1
                .push(i);
        }
    }
    // Folder → bytes of single-name files directly in it (then carried up), and folder →
    // bytes of multi-name files anywhere below it (final as they are).
    let mut direct: HashMap<(bool, &[u8]), u64> = HashMap::new();
    let mut linked: HashMap<(bool, &[u8]), u64> = HashMap::new();
    // A symlink is its own inode, with one name but for hard links to it (counted with the
    // symlink). Not under a deleted folder, whose total is the deleted bytes
    // (`LayerChanges::deleted_bytes`): what a lower layer still stores, its `wasted`, which
    // counts files only.
    for r in rows.iter().filter(|r| {
        r.kind == EntryKind::Symlink
            && r.size > 0
            && r.change != Change::Deleted
            && !second_names.contains(&r.path)
    }) {
        let s = direct
            .entry((false, parent_bytes(r.path.as_bytes())))
            .or_insert(0);
        *s = s.saturating_add(r.size);
    }
    for ((deleted, _), (size, names)) in &inodes {
        let paths = names
            .iter()
            .filter_map(|i| rows.get(*i))
            .map(|r| r.path.as_bytes());
        if let [one] = names.as_slice() {
            if let Some(path) = rows.get(*one).map(|r| r.path.as_bytes()) {
                let s = direct.entry((*deleted, parent_bytes(path))).or_insert(0);
                *s = s.saturating_add(*size);
            }
            continue;
        }
        let mut dirs: HashSet<&[u8]> = HashSet::new();
        for b in paths {
            let mut d = b;
            while !d.is_empty() {
                d = parent_bytes(d);
                if !dirs.insert(d) {
                    break; // this folder and the ones above it are counted already
                }
            }
        }
        for d in dirs {
            let s = linked.entry((*deleted, d)).or_insert(0);
            *s = s.saturating_add(*size);
        }
    }
    // Carry each folder's total to its parent, deepest folders first, so every total is
    // complete before it moves up.
    let depth = |d: &[u8]| d.iter().filter(|c| **c == b'/').count() + usize::from(!d.is_empty());
    let mut by_depth: Vec<Vec<(bool, &[u8])>> = Vec::new();
    for key in direct.keys() {
        let at = depth(key.1);
        if by_depth.len() <= at {
            by_depth.resize_with(at + 1, Vec::new);
        }
        if let Some(level) = by_depth.get_mut(at) {
            level.push(*key);
        }
    }
    while let Some(level) = by_depth.pop() {
        for (deleted, d) in level {
            if d.is_empty() {
                continue; // the root: nothing above it
            }
            let total = direct.get(&(deleted, d)).copied().unwrap_or(0);
            let up = (deleted, parent_bytes(d));
            match direct.get_mut(&up) {
                Some(s) => *s = s.saturating_add(total),
                None => {
                    direct.insert(up, total);
                    if let Some(level) = by_depth.last_mut() {
                        level.push(up); // one level up: handled next
                    }
                }
            }
        }
    }
    let sizes: Vec<(usize, u64)> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.kind == EntryKind::Dir)
        .map(|(i, r)| {
            let key = (r.change == Change::Deleted, r.path.as_bytes());
            let a = direct.get(&key).copied().unwrap_or(0);
            let b = linked.get(&key).copied().unwrap_or(0);
            (i, a.saturating_add(b))
        })
        .collect();
    for (i, s) in sizes {
        if let Some(r) = rows.get_mut(i) {
            r.dir_size = s;
        }
    }
}

/// The filesystem a container sees after layer `upto` (0 = base), sorted by path. `change`
/// says what layer `upto` itself did to each path (`Unchanged` for paths from lower layers).
pub fn merged(archive: &Archive, image: &Image, upto: usize) -> Vec<FileRow> {
    let state = fold(archive, image, upto);
    let mut rows = Vec::with_capacity(state.len());
    let mut second_names = HashSet::new();
    for (p, n) in state {
        if n.second_name {
            second_names.insert(p.clone().into_owned());
        }
        let change = match (n.layer == upto, n.replaced) {
            (false, _) => Change::Unchanged,
            (true, false) => Change::Added,
            (true, true) => Change::Modified,
        };
        rows.push(row(p.into_owned(), &n, change));
    }
    cut_files_hold_what_is_there(archive, image, &mut rows);
    fill_dir_sizes(&mut rows, &second_names);
    rows
}

/// A file a layer's tar ends inside ([`LayerIndex::cut`](crate::model::LayerIndex::cut)),
/// where that layer's copy is the one shown, has as its size the bytes the layer holds of it,
/// not its header's claim: a folder's total and a list of the largest files then add what is
/// there (a 1.1 TB claim in a 5 kB blob made its folder "1.1TB"). The claim stays in the
/// index for a reader to say the file is cut (`gaps::cut_entry`). O(rows) when a layer is
/// cut, nothing otherwise.
fn cut_files_hold_what_is_there(archive: &Archive, image: &Image, rows: &mut [FileRow]) {
    let cuts: HashMap<&RawPath, (usize, u64)> = crate::analyze::gaps::cut_files(archive, image)
        .into_iter()
        .map(|(l, path, cut)| (path, (l, cut.present)))
        .collect();
    if cuts.is_empty() {
        return;
    }
    for r in rows.iter_mut() {
        if let Some(&(l, present)) = cuts.get(&r.path) {
            if r.layer == l && r.kind == EntryKind::File {
                r.size = r.size.min(present);
            }
        }
    }
}

/// The entry holding the bytes of `path` in the view after layer `upto` (for a hard link, the
/// file it links to, wherever that is stored); `None` when the path is absent or has no bytes.
/// Read it with `archive::read_entry_content(source, archive, member, &path, max)`.
pub fn content_of(
    archive: &Archive,
    image: &Image,
    upto: usize,
    path: &RawPath,
) -> Option<ContentRef> {
    fold(archive, image, upto)
        .get(path)
        .and_then(|n| n.content_ref(path))
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
        &mut LinkReports::default(),
    );
    // Deleted rows come first (a path removed twice: its last removal), then the paths of
    // the state, already in order; a stable sort by path merges the two runs.
    let mut rows: Vec<FileRow> = Vec::new();
    let mut second_names = HashSet::new();
    let counts = count_changes(&state, layer, &removed, &mut |p, n, change| {
        if n.second_name && change != Change::Deleted {
            second_names.insert(p.clone());
        }
        rows.push(row(p.clone(), n, change));
    });
    rows.reverse(); // the last of equal paths first, for `dedup_by` to keep
    rows.sort_by(|a, b| a.path.cmp(&b.path));
    rows.dedup_by(|later, kept| later.path == kept.path);
    out.added = counts.added;
    out.modified = counts.modified;
    out.deleted = counts.deleted;
    out.added_bytes = counts.added_bytes;
    out.modified_bytes = counts.modified_bytes;
    out.deleted_bytes = counts.deleted_bytes;
    out.rows = rows;
    cut_files_hold_what_is_there(archive, image, &mut out.rows);
    fill_dir_sizes(&mut out.rows, &second_names);
    out
}

impl LayerChanges {
    /// Its counts and byte sums, without the rows.
    pub fn counts(&self) -> ChangeCounts {
        ChangeCounts {
            added: self.added,
            modified: self.modified,
            deleted: self.deleted,
            added_bytes: self.added_bytes,
            modified_bytes: self.modified_bytes,
            deleted_bytes: self.deleted_bytes,
        }
    }
}

/// The counts and byte sums of one layer's [`LayerChanges`], without its rows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeCounts {
    /// As [`LayerChanges::added`].
    pub added: usize,
    /// As [`LayerChanges::modified`].
    pub modified: usize,
    /// As [`LayerChanges::deleted`].
    pub deleted: usize,
    /// As [`LayerChanges::added_bytes`], in bytes.
    pub added_bytes: u64,
    /// As [`LayerChanges::modified_bytes`], in bytes.
    pub modified_bytes: u64,
    /// As [`LayerChanges::deleted_bytes`], in bytes.
    pub deleted_bytes: u64,
}

/// Every layer's [`ChangeCounts`] (bottom first, the same figures [`layer_changes`] gives for
/// each layer) and [`wasted`] bytes, from one fold of the image instead of one fold per layer:
/// O(entries · log entries) for the fold plus O(paths) per layer for the counting. What a
/// reader with a spare thread (the page's scanner worker) hands the page as the layers'
/// summaries, so the page's own thread folds nothing for its first view.
pub fn change_counts(archive: &Archive, image: &Image) -> (Vec<ChangeCounts>, Vec<u64>) {
    let mut counts = Vec::with_capacity(image.layers.len());
    let mut state = State::new();
    let mut holders = Holders::default();
    for layer in 0..image.layers.len() {
        let entries = layer_entries(archive, image, layer);
        let removed = apply(
            &mut state,
            layer,
            member_of(image, layer),
            entries,
            &mut LinkReports::default(),
        );
        // The same rules as `layer_changes`, on the state after this layer; but where the
        // state is much larger than the layer, looked up from the layer's own names rather than
        // by a pass over the whole state: a save of a 100,000-file base and 2,000 small layers
        // that delete something took 23 s so (2.4 MB of file; quadratic in the layer count).
        counts.push(if state.len() / 4 > entries.len() {
            count_layer_changes(&state, layer, &removed, entries, &mut holders)
        } else {
            holders.note_links(layer, state.iter().map(|(p, n)| (&**p, n)));
            count_changes(&state, layer, &removed, &mut |_, _, _| {})
        });
    }
    // `wasted`, from the state after the top layer (the fold `wasted` would make again).
    let wasted = wasted_after(archive, image, &state);
    (counts, wasted)
}

/// The names that hold each content by a hard link ([`ContentRef::key`] → names), noted as the
/// layers that write them are counted; names no longer holding it are dropped when met, so
/// each is looked at a bounded number of times.
#[derive(Default)]
struct Holders {
    by_content: HashMap<(usize, usize), Vec<RawPath>>,
}

impl Holders {
    /// Notes the hard links among `written` (nodes of the state) that layer `layer` wrote.
    fn note_links<'a>(
        &mut self,
        layer: usize,
        written: impl Iterator<Item = (&'a RawPath, &'a Node)>,
    ) {
        for (p, n) in written {
            if n.layer == layer && n.kind == EntryKind::Hardlink {
                if let Some(key) = n.content_key() {
                    self.by_content.entry(key).or_default().push(p.clone());
                }
            }
        }
    }

    /// Does a node of `state` still hold the content of `gone` (the node named `own`, no
    /// longer there): the file that stored it, at its own name, or a hard link to it?
    fn held(&mut self, state: &State, gone: &Node, own: &RawPath) -> bool {
        let (Some(key), Some(path)) = (gone.content_key(), gone.content_path(own)) else {
            return false;
        };
        let holds = |p: &RawPath| state.get(p).and_then(Node::content_key) == Some(key);
        if holds(path) {
            return true;
        }
        let Some(names) = self.by_content.get_mut(&key) else {
            return false;
        };
        // A name that no longer holds it is dropped (a later layer naming it again as a link
        // to it notes it again).
        while let Some(p) = names.last() {
            if holds(p) {
                return true;
            }
            names.pop();
        }
        false
    }
}

/// [`count_changes`]' figures, looked up from the names of layer `layer` (`entries`: each
/// name and its folders) rather than by a pass over the whole state, and with the contents
/// still held found through [`Holders`]: O(entries of the layer · log n), whatever the
/// state's size.
fn count_layer_changes<'a>(
    state: &State<'a>,
    layer: usize,
    removed: &[(Key<'a>, Node)],
    entries: &[Entry],
    holders: &mut Holders,
) -> ChangeCounts {
    // The names this layer may have written: its entries' names and their folders (a folder
    // is added once, with its own folders before it).
    let mut names: HashSet<&[u8]> = HashSet::new();
    for e in entries {
        let mut p = e.path.as_bytes();
        while !p.is_empty() && names.insert(p) {
            p = crate::path::parent_bytes(p);
        }
    }
    let written: Vec<(RawPath, &Node)> = names
        .into_iter()
        .filter_map(|b| {
            let p = RawPath::from_bytes(b.to_vec());
            let n = state.get(&p).filter(|n| n.layer == layer)?;
            Some((p, n))
        })
        .collect();
    holders.note_links(layer, written.iter().map(|(p, n)| (p, *n)));
    tally(
        state,
        removed,
        written.iter().map(|(p, n)| (p, *n)),
        &mut |n, own| holders.held(state, n, own),
        &mut |_, _, _| {},
    )
}

/// A set of contents ([`ContentRef::key`]: a layer and an entry of its index), as one flag per
/// entry of each layer met: it neither hashes nor sorts (the 200,000-file layer's figures are
/// folded in the page's worker, where both cost). Its size is the layer count plus, for each
/// layer met, that layer's index length at most: build one per fold (as `wasted_after` does),
/// never one per layer of a fold, which would be quadratic in an image of many layers.
#[derive(Default)]
struct ContentSet {
    by_layer: Vec<Vec<bool>>,
}

impl ContentSet {
    /// Adds the content `(layer, entry)` ([`ContentRef::key`]); false when it was in already.
    fn insert(&mut self, (layer, entry): (usize, usize)) -> bool {
        if self.by_layer.len() <= layer {
            self.by_layer.resize_with(layer + 1, Vec::new);
        }
        let Some(flags) = self.by_layer.get_mut(layer) else {
            return false;
        };
        if flags.len() <= entry {
            flags.resize(entry + 1, false);
        }
        match flags.get_mut(entry) {
            Some(f) if !*f => {
                *f = true;
                true
            }
            _ => false,
        }
    }
}

/// What layer `layer` changed, given the state after it and what it removed: each path it
/// removed that is gone (`Deleted`; its content's bytes once, unless another name still shows
/// them), each path it wrote (`Modified` when it replaced one, else `Added`). `visit` gets every
/// counted path with its change. The one rule behind [`layer_changes`] and [`change_counts`].
fn count_changes<'a>(
    state: &State<'a>,
    layer: usize,
    removed: &[(Key<'a>, Node)],
    visit: &mut dyn FnMut(&RawPath, &Node, Change),
) -> ChangeCounts {
    // A hash set, sized by what the state holds, and only when this layer removes something:
    // this runs once per layer, so a set sized by the layer count or an index's length (a
    // `ContentSet`) would make an image of many small layers quadratic.
    let alive: HashSet<(usize, usize)> = if removed.is_empty() {
        HashSet::new()
    } else {
        state.values().filter_map(Node::content_key).collect()
    };
    tally(
        state,
        removed,
        state
            .iter()
            .filter(|(_, n)| n.layer == layer)
            .map(|(p, n)| (&**p, n)),
        &mut |n, _| n.content_key().is_some_and(|k| alive.contains(&k)),
        visit,
    )
}

/// The counting both [`count_changes`] and [`count_layer_changes`] do, given the state after a
/// layer: each path in `removed` that is gone is `Deleted` (its content's bytes once, unless
/// `held` says another name still shows them); each path in `written` (the layer's nodes) is
/// `Modified` when it replaced one, else `Added`. `visit` gets every counted path.
fn tally<'a>(
    state: &State,
    removed: &[(Key<'a>, Node)],
    written: impl Iterator<Item = (&'a RawPath, &'a Node)>,
    held: &mut dyn FnMut(&Node, &RawPath) -> bool,
    visit: &mut dyn FnMut(&RawPath, &Node, Change),
) -> ChangeCounts {
    let mut out = ChangeCounts::default();
    let mut freed: HashSet<(usize, usize)> = HashSet::new();
    for (p, n) in removed {
        if !state.contains_key(p) {
            out.deleted += 1;
            if let Some(key) = n.content_key() {
                if !held(n, p) && freed.insert(key) {
                    out.deleted_bytes = out.deleted_bytes.saturating_add(n.size);
                }
            }
            visit(p, n, Change::Deleted);
        }
    }
    for (p, n) in written {
        let change = if n.replaced {
            out.modified += 1;
            out.modified_bytes = out.modified_bytes.saturating_add(n.own_bytes());
            Change::Modified
        } else {
            out.added += 1;
            out.added_bytes = out.added_bytes.saturating_add(n.own_bytes());
            Change::Added
        };
        visit(p, n, change);
    }
    out
}

/// Per layer, its stored bytes no longer visible in `top` (the state after the top layer):
/// what [`wasted`] reports.
fn wasted_after(archive: &Archive, image: &Image, top: &State) -> Vec<u64> {
    let stored = stored_bytes(archive, image);
    let mut visible = vec![0u64; image.layers.len()];
    // Each content once (names that share it, hard links, count it once).
    let mut seen = ContentSet::default();
    for n in top.values() {
        if let Some(key) = n.content_key() {
            if seen.insert(key) {
                if let Some(v) = visible.get_mut(key.0) {
                    *v = v.saturating_add(n.size);
                }
            }
        }
    }
    stored
        .iter()
        .zip(&visible)
        .map(|(s, v)| s.saturating_sub(*v))
        .collect()
}

/// Every layer's changes in one fold of the image, bottom layer first: `visit(layer, rows)`
/// gets what layer `layer` added, modified and deleted (rows in no particular order,
/// `dir_size` left 0). The same rows as [`layer_changes`] gives, but one pass over all layers
/// instead of one fold per layer: O(entries · (depth + log entries)) in all, which is what a
/// whole-image index (`analyze::path_history`) needs.
pub fn each_layer_changes(
    archive: &Archive,
    image: &Image,
    mut visit: impl FnMut(usize, Vec<FileRow>),
) {
    let mut state = State::new();
    for layer in 0..image.layers.len() {
        let entries = layer_entries(archive, image, layer);
        let removed = apply(
            &mut state,
            layer,
            member_of(image, layer),
            entries,
            &mut LinkReports::default(),
        );
        let mut rows = Vec::new();
        let mut gone: HashSet<Key<'_>> = HashSet::new();
        for (p, n) in removed {
            if !state.contains_key(&*p) && gone.insert(p.clone()) {
                rows.push(row(p.into_owned(), &n, Change::Deleted));
            }
        }
        let mut seen: HashSet<RawPath> = HashSet::new();
        // What this layer wrote: its entries' paths and the parents it created for them,
        // found from the entries rather than by scanning the whole state.
        for e in entries {
            let mut p = e.path.clone();
            while !p.is_root() {
                if seen.contains(&p) {
                    break; // this path and its parents were looked at already
                }
                if let Some(n) = state.get(&p).filter(|n| n.layer == layer) {
                    let change = if n.replaced {
                        Change::Modified
                    } else {
                        Change::Added
                    };
                    rows.push(row(p.clone(), n, change));
                }
                seen.insert(p.clone());
                p = p.parent();
            }
        }
        visit(layer, rows);
    }
}

/// Content bytes each layer stores, bottom first: every regular-file member that is part of
/// the filesystem or holds hard-link content (AUFS `.wh..wh.plnk/`), duplicates included;
/// whiteout markers, invalid names and other AUFS metadata are not content; a file the
/// layer's tar ends inside ([`LayerIndex::cut`](crate::model::LayerIndex::cut)) counts the
/// bytes there. Sums saturate.
pub fn stored_bytes(archive: &Archive, image: &Image) -> Vec<u64> {
    (0..image.layers.len())
        .map(|i| {
            let entries = layer_entries(archive, image, i);
            let all = entries
                .iter()
                .filter(|e| stores_content(e))
                .fold(0u64, |s, e| s.saturating_add(e.size));
            // A file the layer's tar ends inside stores the bytes there, not its header's
            // claim (1 TB claimed, 4 KiB stored); an entry not counted above changes nothing.
            let cut = crate::analyze::gaps::cut_entry(archive, image, i)
                .and_then(|(_, cut)| Some((entries.get(cut.entry)?, cut.present)))
                .filter(|(e, _)| stores_content(e));
            match cut {
                Some((e, present)) => all
                    .saturating_sub(e.size)
                    .saturating_add(present.min(e.size)),
                None => all,
            }
        })
        .collect()
}

/// Per layer, bottom first: content bytes it stores that are not visible in the image's final
/// filesystem, because a later layer (or a later copy in the same layer) overwrote or deleted
/// every name showing them. Bytes still reachable through a hard link are visible.
pub fn wasted(archive: &Archive, image: &Image) -> Vec<u64> {
    let top = match image.layers.len().checked_sub(1) {
        Some(top) => fold(archive, image, top),
        None => State::new(),
    };
    wasted_after(archive, image, &top)
}

/// Per layer, bottom first: content bytes of lower layers that this layer deletes (a
/// whiteout `.wh.<name>` or an opaque directory `.wh..wh..opq`) — the
/// [`LayerChanges::deleted_bytes`] of its changes, each file once, files another name still
/// shows not counted. Those bytes stay stored in the lower layer's blob: a later `RUN rm`
/// hides them and frees nothing, so they show in [`wasted`] of the lower layer and here as
/// what this layer hid. 0 for a layer without deletion markers. Sums saturate.
pub fn hidden_bytes(archive: &Archive, image: &Image) -> Vec<u64> {
    let deletes = deleting_layers(archive, image);
    if !deletes.contains(&true) {
        return vec![0; image.layers.len()];
    }
    // One fold of the image for every layer's figure ([`change_counts`] gives each layer's
    // `deleted_bytes` as [`layer_changes`] does), not one fold per layer that deletes: that was
    // quadratic in the layer count (a 7 MB save of 20,000 small layers took 5 minutes).
    let (counts, _) = change_counts(archive, image);
    hidden_of(&deletes, &counts)
}

/// [`wasted`] and [`hidden_bytes`], per layer bottom first, from one fold of the image
/// (`pancake inspect` reports both; called one after the other they fold it twice when a
/// layer deletes).
pub fn wasted_and_hidden(archive: &Archive, image: &Image) -> (Vec<u64>, Vec<u64>) {
    let deletes = deleting_layers(archive, image);
    if !deletes.contains(&true) {
        return (wasted(archive, image), vec![0; image.layers.len()]);
    }
    let (counts, wasted) = change_counts(archive, image);
    (wasted, hidden_of(&deletes, &counts))
}

/// Per layer: whether it deletes anything below it (a whiteout or an opaque directory
/// marker; the base layer deletes nothing).
fn deleting_layers(archive: &Archive, image: &Image) -> Vec<bool> {
    (0..image.layers.len())
        .map(|i| {
            i > 0
                && layer_entries(archive, image, i).iter().any(|e| {
                    matches!(
                        whiteout::classify_entry(e),
                        Some(whiteout::Marker::Whiteout(_) | whiteout::Marker::Opaque(_))
                    )
                })
        })
        .collect()
}

/// Each deleting layer's `deleted_bytes`, 0 for the others.
fn hidden_of(deletes: &[bool], counts: &[ChangeCounts]) -> Vec<u64> {
    deletes
        .iter()
        .zip(
            counts
                .iter()
                .chain(std::iter::repeat(&ChangeCounts::default())),
        )
        .map(|(d, c)| if *d { c.deleted_bytes } else { 0 })
        .collect()
}

/// Image efficiency: the share of stored content bytes that the final filesystem still shows,
/// a number from 0 to 1.
///
/// `efficiency = visible / stored`, where `stored` is the sum, over all layers, of
/// [`stored_bytes`] (each copy of a path counted once, in the layer that carries it), and
/// `visible` is the part of that which a container of the image can still see (each file's
/// last copy, unless deleted; through any of its names, hard links included). `stored -
/// visible` = the sum of [`wasted`]. Every stored byte is counted exactly once, as either
/// visible or wasted, so the score and the wasted total always agree. An image with no
/// content bytes scores 1.0.
///
/// Dive instead sums each duplicated path's size over all its copies (its issue #684): a file
/// written twice counts both copies as wasted, although one of them is what the image shows.
pub fn efficiency(archive: &Archive, image: &Image) -> f64 {
    efficiency_of(&stored_bytes(archive, image), &wasted(archive, image))
}

/// [`efficiency`] from per-layer [`stored_bytes`] and [`wasted`] already computed (each of
/// which folds the image's layers: a caller that needs them too folds once, not twice).
pub fn efficiency_of(stored: &[u64], wasted: &[u64]) -> f64 {
    let stored = stored.iter().fold(0u64, |s, b| s.saturating_add(*b));
    let wasted = wasted.iter().fold(0u64, |s, b| s.saturating_add(*b));
    if stored == 0 {
        1.0
    } else {
        stored.saturating_sub(wasted) as f64 / stored as f64
    }
}

/// A `hard-link` problem (or `kind`) about the layer blob `member` (index and shown name, when the layer
/// has a blob) and the link at `path` in it.
fn link_problem(
    kind: ProblemKind,
    index: Option<usize>,
    member: Option<String>,
    path: Option<String>,
    why: String,
) -> Problem {
    match (member, path) {
        (Some(m), Some(p)) => Problem::entry(kind, index, m, p, why),
        (Some(m), None) => Problem::layer(kind, index, m, why),
        (None, _) => Problem::member(kind, None, None, why),
    }
}

/// Hard links of the image's layers that point to no file, as `hard-link` problems naming the
/// layer member and the entry, bottom layer first: links to a name that does not exist when
/// the link comes (nowhere in the layer before it, nor below; the link's own name), to a name
/// an earlier whiteout of the same layer deleted, to a directory, into AUFS's `.wh..wh.plnk/`
/// without the file there, and cycles of links (each cycle once). Unpacking fails on each
/// (`os.Link` in moby's and containerd's `createTarFile`), and the views leave it out.
pub fn link_problems(archive: &Archive, image: &Image) -> Vec<Problem> {
    let Some(top) = image.layers.len().checked_sub(1) else {
        return Vec::new();
    };
    // Most images have no hard link at all: no need to fold them (this runs on every read).
    let any_link = (0..=top).any(|i| {
        layer_entries(archive, image, i)
            .iter()
            .any(|e| e.kind == EntryKind::Hardlink)
    });
    if !any_link {
        return Vec::new();
    }
    // A hostile layer may hold millions of broken links: each layer names the first few,
    // then says how many more there are.
    let mut links = LinkReports::default();
    fold_with(archive, image, top, &mut links);
    let LinkReports { shown, per_layer } = links;
    let member_name = |layer: usize| {
        member_of(image, layer)
            .and_then(|m| archive.members.get(m))
            .map(|m| m.path.display().into_owned())
    };
    let more = per_layer
        .into_iter()
        .filter(|(_, n)| *n > LINK_PROBLEMS_PER_LAYER)
        .map(|(layer, n)| {
            let member = member_name(layer);
            let index = member_of(image, layer);
            let why = format!(
                "{} more hard links in this layer point to no file, and unpacking fails on \
                 each (only the first {LINK_PROBLEMS_PER_LAYER} are listed one by one)",
                n - LINK_PROBLEMS_PER_LAYER
            );
            link_problem(ProblemKind::HardLink, index, member, None, why)
        })
        .collect::<Vec<_>>();
    shown
        .into_iter()
        .map(|l| {
            let member = member_name(l.layer);
            let index = member_of(image, l.layer);
            let (path, target) = (&l.path, &l.target);
            // What unpacking does with it: `os.Link` fails (a folder: EPERM; else ENOENT).
            let errno = match l.issue {
                LinkIssue::Directory => "EPERM",
                _ => "ENOENT",
            };
            let fails = match l.issue {
                LinkIssue::ToAWhiteout => String::new(),
                _ => format!(
                    "; unpacking fails on it ({errno}), so docker load and a pull refuse the \
                     layer; the filesystem views leave the link out"
                ),
            };
            let kind = match l.issue {
                LinkIssue::ToAWhiteout => ProblemKind::Whiteout,
                _ => ProblemKind::HardLink,
            };
            let why = match &l.issue {
                LinkIssue::Missing => format!(
                    "hard link {path} => {target} points to nothing: no file {target} exists \
                     when the link comes (none earlier in this layer); expected an existing \
                     file"
                ),
                LinkIssue::DeletedEarlier => format!(
                    "hard link {path} => {target} points to nothing: a whiteout earlier in \
                     this layer deleted {target} before the link; expected the link before \
                     the whiteout, or a file"
                ),
                LinkIssue::Directory => {
                    // `a/..` cleans to the root, whose name is empty: shown as `/`.
                    let target = if target.is_root() {
                        "/".into()
                    } else {
                        target.display()
                    };
                    format!("hard link {path} => {target} points to a directory; expected a file")
                }
                LinkIssue::LowerLayer => format!(
                    "hard link {path} => {target} points to a file of a lower layer: Docker's \
                     overlay2 storage and containerd unpack each layer into a folder of its \
                     own, where no {target} exists; expected the file in the same layer, \
                     before the link"
                ),
                LinkIssue::ToAWhiteout => format!(
                    "hard link {path} => {target} names a path a whiteout earlier in this layer \
                     deleted: Docker's overlay2 storage writes that whiteout as a device at \
                     {target}, and the link becomes a second whiteout, so {path} is deleted \
                     too (from the layers below) and shows nothing"
                ),
                LinkIssue::AufsMissing => format!(
                    "hard link {path} => {target} points into AUFS's .wh..wh.plnk/, which \
                     holds no file of that name before the link; expected one"
                ),
                LinkIssue::Cycle(names) => {
                    let chain: Vec<String> = names
                        .iter()
                        .chain(names.first())
                        .map(|p| p.display().into_owned())
                        .collect();
                    format!(
                        "hard-link cycle {}: the links point to each other and to no file; \
                         expected each chain of links to end at a file",
                        chain.join(" => ")
                    )
                }
            };
            link_problem(
                kind,
                index,
                member,
                Some(path.display().into_owned()),
                why + &fails,
            )
        })
        .chain(more)
        .collect()
}

/// Broken hard links of one layer reported one by one; the rest are counted in one problem.
const LINK_PROBLEMS_PER_LAYER: usize = 20;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::lookup;

    thread_local! {
        /// Set: [`Appended`] keeps no run, every write searches the map (the fold as it was).
        pub(super) static NO_RUN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    /// On a state much larger than its layers (counted from the layers' own names), a file
    /// whited out while a hard link still holds its bytes frees nothing; the link's own
    /// deletion frees them. The same figures as a fold per layer.
    #[test]
    fn counts_of_small_layers_on_a_large_state() {
        let mut base: Vec<Entry> = (0..100).map(|i| f(&format!("s/{i:03}"), 1)).collect();
        base.push(d("x"));
        base.push(f("x/a", 10));
        let a = build(vec![
            base,
            // The link and the file it names in one layer (unpacking allows no other).
            vec![
                f("x/a", 10),
                ent("x/b", EntryKind::Hardlink, 0, Some("x/a")),
            ],
            vec![f("x/.wh.a", 0)],
            vec![f("x/.wh.b", 0), f("y/z", 3)],
        ]);
        let image = img(&a);
        let (counts, _) = change_counts(&a, image);
        let got: Vec<(usize, usize, usize, u64, u64)> = counts
            .iter()
            .map(|c| {
                (
                    c.added,
                    c.modified,
                    c.deleted,
                    c.added_bytes,
                    c.deleted_bytes,
                )
            })
            .collect();
        // A link stores no bytes of its own; layer 3 adds y/z and its folder y (implicit).
        assert_eq!(
            got[1..],
            [(1, 1, 0, 0, 0), (0, 0, 1, 0, 0), (2, 0, 1, 3, 10)]
        );
        for (i, c) in counts.iter().enumerate() {
            assert_eq!(*c, layer_changes(&a, image, i).counts(), "layer {i}");
        }
    }

    /// The fold with runs of appended paths gives what the fold without them gives — the
    /// merged view and each layer's changes and figures — on layers drawn at random from a
    /// small name space so that every case meets: paths in order and out of it, names written
    /// twice, folders and files replacing each other, implicit parents, hard links (to lower
    /// and same-layer files, missing, to folders), symlinks, whiteouts and opaque folders, and
    /// layers long enough for every way of flushing (key by key, one append, and the run moved
    /// in as it grows: `RUN_MOVED_FROM` is 8 in tests).
    #[test]
    fn runs_of_appended_paths_change_nothing() {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n.max(1)
        };
        let names = [
            "a", "a-b", "a.c", "a/b", "a/b/c", "a/b/d", "a/e", "b", "b/x", "b/x/y", "c",
        ];
        for round in 0..300 {
            let layers_n = 1 + next(4) as usize;
            let mut layers = Vec::new();
            for li in 0..layers_n {
                // Some images start with a long layer (every way of flushing; later small
                // layers counted from their own names, `count_layer_changes`).
                let long = round % 10 == 0 || (round % 10 == 5 && li == 0);
                let len = next(if long { 400 } else { 14 }) as usize;
                let mut layer = Vec::new();
                // A sorted stretch first (as tar writers list a tree), then anything.
                let mut sorted: Vec<String> = (0..len / 2)
                    .map(|i| format!("s/{:04}/f{}", next(200), i % 3))
                    .collect();
                sorted.sort();
                for p in sorted {
                    layer.push(f(&p, 1 + next(50)));
                }
                for _ in len / 2..len {
                    let name = names[next(names.len() as u64) as usize];
                    let other = names[next(names.len() as u64) as usize];
                    let e = match next(9) {
                        0 | 1 => d(name),
                        2 | 3 => f(name, 1 + next(100)),
                        4 => ent(name, EntryKind::Hardlink, 0, Some(other)),
                        5 => ent(name, EntryKind::Symlink, 0, Some(other)),
                        6 => {
                            let (dir, base) = match name.rsplit_once('/') {
                                Some((d, b)) => (format!("{d}/"), b),
                                None => (String::new(), name),
                            };
                            f(&format!("{dir}.wh.{base}"), 0)
                        }
                        7 => f(&format!("{name}/.wh..wh..opq"), 0),
                        _ => f(&format!("s/{:04}/f0", next(200)), 7),
                    };
                    layer.push(e);
                }
                layers.push(layer);
            }
            let a = build(layers);
            let image = img(&a);
            let figures = |no_run: bool| {
                NO_RUN.with(|c| c.set(no_run));
                let top = image.layers.len().saturating_sub(1);
                let rows: Vec<String> = merged(&a, image, top)
                    .iter()
                    .map(|r| format!("{r:?}"))
                    .collect();
                let changes: Vec<String> = (0..image.layers.len())
                    .map(|i| format!("{:?}", layer_changes(&a, image, i)))
                    .collect();
                let counts = format!("{:?}", change_counts(&a, image));
                let problems = format!("{:?}", link_problems(&a, image));
                NO_RUN.with(|c| c.set(false));
                (rows, changes, counts, problems)
            };
            assert_eq!(figures(false), figures(true), "round {round}");
            // One fold for both per-layer figures gives what each gives alone.
            assert_eq!(
                wasted_and_hidden(&a, image),
                (wasted(&a, image), hidden_bytes(&a, image)),
                "round {round}"
            );
            // One fold for every layer's counts gives what a fold per layer gives.
            let (counts, _) = change_counts(&a, image);
            for (i, got) in counts.iter().enumerate() {
                let want = layer_changes(&a, image, i).counts();
                assert_eq!(*got, want, "round {round} layer {i}");
            }
        }
    }

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
            extra: None,
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
        crate::test_support::archive_of_layers(layers)
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
    fn entries_of_an_unknown_type_are_left_out_of_the_views() {
        // Docker's unpacking refuses them (the layer reader reports it): nothing is written,
        // a lower file of the same name stays, and a name below one is written as usual, as
        // `below_non_folders` agrees.
        let lower = vec![f("keep", 3)];
        let upper = vec![
            ent("keep", EntryKind::Other, 0, None),
            ent("z", EntryKind::Other, 0, None),
            f("z/x", 1),
        ];
        assert!(crate::read::below_non_folder::below_non_folders(&upper).is_empty());
        let a = build(vec![lower, upper]);
        let m = merged(&a, img(&a), 1);
        assert_eq!(paths(&m), ["keep", "z", "z/x"]);
        assert_eq!(
            find(&m, "keep").map(|r| (r.kind, r.size, r.layer)),
            Some((EntryKind::File, 3, 0))
        );
        assert_eq!(find(&m, "z").map(|r| r.kind), Some(EntryKind::Dir));
        let ch = layer_changes(&a, img(&a), 1);
        assert!(find(&ch.rows, "keep").is_none());
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
    fn a_hard_link_to_a_lower_layers_file_fails_unpacking() {
        // Docker's overlay2 storage unpacks a layer into a folder of its own: the link finds
        // no `bin/a` there ("link /bin/a /bin/b: no such file or directory", dockerd 20.10).
        let a = build(vec![
            vec![d("bin"), f("bin/a", 100)],
            vec![
                d("bin"),
                ent("bin/b", EntryKind::Hardlink, 0, Some("bin/a")),
            ],
        ]);
        assert_eq!(paths(&merged(&a, img(&a), 1)), ["bin", "bin/a"]);
        let ps = problems_of(&a);
        assert_eq!(ps.len(), 1, "{ps:?}");
        assert!(ps.iter().all(|m| m
            .contains("hard link bin/b => bin/a points to a file of a lower layer")
            && m.contains("unpacking fails on it (ENOENT)")));
    }

    #[test]
    fn a_hard_link_keeps_its_content_when_the_first_name_goes() {
        let a = build(vec![
            vec![
                d("bin"),
                f("bin/a", 100),
                ent("bin/b", EntryKind::Hardlink, 0, Some("bin/a")),
            ],
            vec![d("bin"), f("bin/c", 0)],
            vec![d("bin"), f("bin/.wh.a", 0)],
        ]);
        let m1 = merged(&a, img(&a), 1);
        let b = find(&m1, "bin/b").cloned();
        assert_eq!(
            b.as_ref().map(|r| (r.kind, r.size, r.layer)),
            Some((EntryKind::Hardlink, 100, 0))
        );
        assert_eq!(b.and_then(|r| r.link_target), Some(RawPath::from("bin/a")));
        // The directory counts the content once, like `du`.
        assert_eq!(find(&m1, "bin").map(|r| r.dir_size), Some(100));
        // Deleting the original leaves the link with its content.
        let m2 = merged(&a, img(&a), 2);
        assert_eq!(paths(&m2), ["bin", "bin/b", "bin/c"]);
        assert_eq!(find(&m2, "bin/b").map(|r| r.size), Some(100));
    }

    /// A name linked back to bytes stored at that same name in a lower layer: the node's
    /// stored content is not its own entry (another layer), so it is said apart
    /// (`Stored::elsewhere`), and every figure reads the lower layer's file.
    #[test]
    fn a_link_at_its_own_name_to_a_lower_layers_bytes() {
        let a = build(vec![
            vec![f("a", 5)],
            vec![ent("b", EntryKind::Hardlink, 0, Some("a"))],
            vec![ent("a", EntryKind::Hardlink, 0, Some("b"))],
        ]);
        let image = img(&a);
        let c = content_of(&a, image, 2, &RawPath::from("a"));
        assert_eq!(
            c.map(|c| (c.layer, c.entry, c.path.to_string(), c.size)),
            Some((0, 0, "a".to_string(), 5))
        );
        let m = merged(&a, image, 2);
        let row = find(&m, "a").and_then(|r| r.content.clone());
        assert_eq!(row.map(|c| (c.layer, c.size)), Some((0, 5)));
        // Layer 0's bytes are still seen (through both names): nothing of it is wasted.
        assert_eq!(wasted(&a, image).first(), Some(&0));
        for (i, got) in change_counts(&a, image).0.iter().enumerate() {
            assert_eq!(*got, layer_changes(&a, image, i).counts(), "layer {i}");
        }
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

    fn hl(p: &str, target: &str) -> Entry {
        ent(p, EntryKind::Hardlink, 0, Some(target))
    }
    fn problems_of(a: &Archive) -> Vec<String> {
        link_problems(a, img(a))
            .into_iter()
            .map(|p| {
                assert_eq!(p.kind, ProblemKind::HardLink);
                p.message()
            })
            .collect()
    }
    fn content_path(rows: &[FileRow], p: &str) -> Option<(usize, String)> {
        find(rows, p)
            .and_then(|r| r.content.as_ref())
            .map(|c| (c.layer, c.path.to_string()))
    }

    #[test]
    fn overwriting_the_target_leaves_the_link_its_content() {
        let a = build(vec![
            vec![f("a", 100), hl("b", "a")],
            vec![f("c", 0)],
            vec![f("a", 7)],
        ]);
        let m = merged(&a, img(&a), 2);
        assert_eq!(find(&m, "a").map(|r| r.size), Some(7));
        assert_eq!(find(&m, "b").map(|r| r.size), Some(100));
        assert_eq!(content_path(&m, "b"), Some((0, "a".into())));
        assert_eq!(content_path(&m, "a"), Some((2, "a".into())));
        // The 100 bytes of layer 0 are still readable through b: nothing is wasted.
        assert_eq!(stored_bytes(&a, img(&a)), vec![100, 0, 7]);
        assert_eq!(wasted(&a, img(&a)), vec![0, 0, 0]);
        assert_eq!(efficiency(&a, img(&a)), 1.0);
        assert!(problems_of(&a).is_empty());
        assert_eq!(
            content_of(&a, img(&a), 2, &RawPath::from("b")).map(|c| (c.member, c.entry)),
            Some((Some(0), 0))
        );
    }

    #[test]
    fn same_layer_overwrite_keeps_the_first_copy_for_the_link() {
        // a (10 bytes), b => a, then a rewritten (20 bytes) in the same layer: b is the first a.
        let a = build(vec![vec![f("a", 10), hl("b", "a"), f("a", 20)]]);
        let m = merged(&a, img(&a), 0);
        assert_eq!(find(&m, "a").map(|r| r.size), Some(20));
        assert_eq!(find(&m, "b").map(|r| r.size), Some(10));
        assert_eq!(
            find(&m, "b")
                .and_then(|r| r.content.as_ref())
                .map(|c| c.entry),
            Some(0)
        );
        assert_eq!(wasted(&a, img(&a)), vec![0]);
    }

    #[test]
    fn chains_of_links_reach_the_file_and_survive_deletion() {
        let a = build(vec![
            vec![d("d"), f("d/a", 50), hl("d/b", "d/a"), hl("d/c", "d/b")],
            vec![f("d/.wh.a", 0), f("d/.wh.b", 0)],
        ]);
        let m0 = merged(&a, img(&a), 0);
        assert_eq!(find(&m0, "d/c").map(|r| r.size), Some(50));
        // Three names, one inode: the directory counts 50 bytes once, like du.
        assert_eq!(find(&m0, "d").map(|r| r.dir_size), Some(50));
        let m1 = merged(&a, img(&a), 1);
        assert_eq!(paths(&m1), ["d", "d/c"]);
        assert_eq!(find(&m1, "d/c").map(|r| r.size), Some(50));
        assert_eq!(find(&m1, "d").map(|r| r.dir_size), Some(50));
        assert_eq!(wasted(&a, img(&a)), vec![0, 0]);
        // Deleting two names of a file still shown by a third frees nothing.
        let ch = layer_changes(&a, img(&a), 1);
        assert_eq!((ch.deleted, ch.deleted_bytes), (2, 0));
        assert!(problems_of(&a).is_empty());
    }

    #[test]
    fn whiteout_and_link_in_one_layer_apply_in_tar_order() {
        let base = vec![f("a", 10), f("b", 4)];
        // Link first, whiteout after: the link names a lower layer's file, which the layer's
        // own folder does not hold, so unpacking fails on it.
        let link_first = build(vec![base.clone(), vec![hl("c", "a"), f(".wh.a", 0)]]);
        let m = merged(&link_first, img(&link_first), 1);
        assert_eq!(paths(&m), ["b"]);
        let ps = problems_of(&link_first);
        assert_eq!(ps.len(), 1, "{ps:?}");
        assert!(ps.iter().all(|m| m.contains("a file of a lower layer")));

        // Whiteout first: overlay2 made a whiteout device at `a`, and the link is a second
        // name of it, so `b` is a whiteout too: the lower `b` is gone, nothing shows there
        // (dockerd 20.10, overlay2: the image loads, `/t/q` does not exist). Said as a
        // whiteout warning, not a failure.
        let whiteout_first = build(vec![base, vec![f(".wh.a", 0), hl("b", "a")]]);
        let m = merged(&whiteout_first, img(&whiteout_first), 1);
        assert!(paths(&m).is_empty(), "{m:?}");
        assert_eq!(wasted(&whiteout_first, img(&whiteout_first)), vec![14, 0]);
        let ch = layer_changes(&whiteout_first, img(&whiteout_first), 1);
        assert_eq!((ch.added, ch.deleted, ch.deleted_bytes), (0, 2, 14));
        let ps = link_problems(&whiteout_first, img(&whiteout_first));
        assert_eq!(ps.len(), 1, "{ps:?}");
        assert!(ps.iter().all(|p| p.kind == ProblemKind::Whiteout
            && p.message()
                .contains("hard link b => a names a path a whiteout")
            && !p.message().contains("unpacking fails")));
    }

    #[test]
    fn a_re_link_is_no_cycle_and_a_whiteout_device_needs_nothing_below() {
        // `c`, `e => c`, then `c => e`: unpacking removes `c` and links it to the file `e`
        // still names. The final targets go round, but nothing failed.
        let a = build(vec![vec![f("c", 3), hl("e", "c"), hl("c", "e")]]);
        let m = merged(&a, img(&a), 0);
        assert_eq!(paths(&m), ["c", "e"]);
        assert!(m.iter().all(|r| r.size == 3), "{m:?}");
        assert!(link_problems(&a, img(&a)).is_empty());
        // overlay2 makes a device at every whiteout's name, below or not: a link to it, and
        // a link to that link, are whiteouts too, and delete the lower names they take.
        let a = build(vec![
            vec![f("keep", 1), f("z", 2)],
            vec![f(".wh.ghost", 0), hl("keep", "ghost"), hl("z", "keep")],
        ]);
        assert!(paths(&merged(&a, img(&a), 1)).is_empty());
        let ps = link_problems(&a, img(&a));
        assert_eq!(ps.len(), 2, "{ps:?}");
        assert!(ps.iter().all(|p| p.kind == ProblemKind::Whiteout));
    }

    #[test]
    fn an_opaque_marker_hides_only_lower_files_from_a_link() {
        // A file the layer writes after its own opaque marker stays, and so does a link to it.
        let a = build(vec![
            vec![d("dir"), f("dir/x", 8)],
            vec![
                d("dir"),
                f("dir/.wh..wh..opq", 0),
                f("dir/y", 5),
                hl("keep", "dir/y"),
            ],
        ]);
        let m = merged(&a, img(&a), 1);
        assert_eq!(paths(&m), ["dir", "dir/y", "keep"]);
        assert_eq!(find(&m, "keep").map(|r| r.size), Some(5));
        assert_eq!(wasted(&a, img(&a)), vec![8, 0]);
        assert!(problems_of(&a).is_empty());
    }

    #[test]
    fn dangling_links_cycles_and_links_to_directories_are_reported() {
        let a = build(vec![
            vec![f("below", 3)],
            vec![
                d("dir"),
                f("file", 3),
                hl("lower", "below"),
                hl("missing", "nowhere"),
                hl("todir", "dir"),
                hl("self", "self"),
                hl("x", "y"),
                hl("y", "x"),
                hl("ok", "file"),
                hl("later", "file2"),
                f("file2", 1),
            ],
        ]);
        let ps = problems_of(&a);
        assert_eq!(ps.len(), 6, "{ps:#?}");
        let has = |needle: &str| ps.iter().filter(|m| m.contains(needle)).count();
        assert_eq!(
            has("hard link lower => below points to a file of a lower layer"),
            1
        );
        assert_eq!(has("hard link missing => nowhere points to nothing"), 1);
        assert_eq!(has("hard link todir => dir points to a directory"), 1);
        assert_eq!(has("hard-link cycle self => self"), 1);
        assert_eq!(has("hard-link cycle x => y => x"), 1);
        assert_eq!(has("hard link later => file2 points to nothing"), 1);
        assert!(ps.iter().all(|m| m.starts_with("layer 1/layer.tar: ")));
        assert!(ps.iter().all(|m| !m.contains("symlink")));
        assert!(ps.iter().all(|m| m.contains("unpacking fails on it")));
        // `os.Link` fails on each (ENOENT, EPERM for the folder): no view has them.
        let m = merged(&a, img(&a), 1);
        for p in ["lower", "missing", "todir", "self", "x", "y", "later"] {
            assert!(find(&m, p).is_none(), "{p}");
        }
        assert_eq!(find(&m, "ok").map(|r| r.size), Some(3));
    }

    fn sym(p: &str, target: &str) -> Entry {
        Entry {
            mode: 0o777,
            ..ent(p, EntryKind::Symlink, 0, Some(target))
        }
    }

    #[test]
    fn a_hard_link_to_a_symlink_or_device_is_that_inode() {
        // `os.Link` does not follow the symlink: `hs` is a second name of `s`, a symlink to
        // `t`, and a link to a device is that device; none of them points to no file.
        let a = build(vec![
            vec![
                f("t", 6),
                sym("s", "t"),
                hl("hs", "s"),
                d("dir"),
                f("dir/x", 3),
                sym("ds", "dir"),
                hl("hds", "ds"),
                hl("hhs", "hs"),
                ent("null", EntryKind::Char, 0, None),
                hl("hnull", "null"),
            ],
            vec![f(".wh.s", 0)],
        ]);
        assert_eq!(problems_of(&a), Vec::<String>::new());
        let m = merged(&a, img(&a), 0);
        let shown = |m: &[FileRow], p: &str| {
            find(m, p).map(|r| {
                (
                    r.kind,
                    r.link_target.as_ref().map(|t| t.to_string()),
                    r.size,
                    r.mode,
                    r.content.is_none(),
                )
            })
        };
        // The symlink's mode, not the link entry's (0o644): there is no lchmod.
        let symlink = |t: &str| Some((EntryKind::Symlink, Some(t.to_string()), 1, 0o777, true));
        assert_eq!(shown(&m, "s"), symlink("t"));
        assert_eq!(shown(&m, "hs"), symlink("t"));
        assert_eq!(shown(&m, "hhs"), symlink("t"));
        assert_eq!(
            shown(&m, "hds"),
            Some((EntryKind::Symlink, Some("dir".into()), 3, 0o777, true))
        );
        assert_eq!(
            find(&m, "hnull").map(|r| (r.kind, r.content.is_none())),
            Some((EntryKind::Char, true))
        );
        // Followed as the symlink is: to `t`'s bytes, through `hds` to `dir/x`.
        let at = |m: &[FileRow], p: &str| {
            lookup::resolve(m, &RawPath::from(p), true)
                .ok()
                .flatten()
                .and_then(|i| m.get(i))
                .map(|r| (r.path.to_string(), r.content.as_ref().map(|c| c.size)))
        };
        assert_eq!(at(&m, "hs"), Some(("t".into(), Some(6))));
        assert_eq!(at(&m, "hds/x"), Some(("dir/x".into(), Some(3))));
        // The second names count nothing, as in Docker's layer size: the symlinks' targets once.
        let ch = layer_changes(&a, img(&a), 0);
        assert_eq!(ch.added_bytes, 6 + 1 + 3 + 3);
        assert_eq!(
            ch.added_bytes,
            crate::analyze::history::layer_content_size(&a, img(&a), 0)
        );
        // Deleting the first name leaves the second, still the symlink.
        let top = merged(&a, img(&a), 1);
        assert_eq!(find(&top, "s").map(|r| r.kind), None);
        assert_eq!(shown(&top, "hs"), symlink("t"));
        assert_eq!(at(&top, "hs"), Some(("t".into(), Some(6))));
    }

    #[test]
    fn a_marker_under_a_lower_symlink_makes_its_folder_there() {
        // moby's `UnpackLayer` makes a marker's folder in the layer's own directory before it
        // handles it: over a lower symlink that folder hides the link (overlayfs), as the
        // folder of a file would; `/bin/sh` is gone either way.
        let base = vec![
            d("usr"),
            d("usr/bin"),
            f("usr/bin/sh", 5),
            sym("bin", "usr/bin"),
            f("file", 2),
        ];
        for upper in [
            vec![f("bin/.wh.sh", 0)],
            vec![f("bin/.wh..wh..opq", 0)],
            vec![f("bin/new", 3)],
        ] {
            let a = build(vec![base.clone(), upper.clone()]);
            let m = merged(&a, img(&a), 1);
            let bin = find(&m, "bin").map(|r| (r.kind, r.layer, r.change));
            assert_eq!(
                bin,
                Some((EntryKind::Dir, 1, Change::Modified)),
                "{upper:?}"
            );
            let sh = lookup::resolve(&m, &RawPath::from("bin/sh"), true);
            assert!(
                matches!(&sh, Err(lookup::LookupError::NotFound { missing }) if *missing == RawPath::from("bin/sh")),
                "{sh:?}"
            );
            assert_eq!(find(&m, "usr/bin/sh").map(|r| r.size), Some(5));
            let ch = layer_changes(&a, img(&a), 1);
            let rows: Vec<(String, Change)> = ch
                .rows
                .iter()
                .map(|r| (r.path.to_string(), r.change))
                .collect();
            let mut want = vec![("bin".to_string(), Change::Modified)];
            if upper[0].path == RawPath::from("bin/new") {
                want.push(("bin/new".into(), Change::Added));
            }
            assert_eq!(rows, want);
        }
        // Below a lower file, and with no folder at all: the folders are made.
        let a = build(vec![base, vec![f("file/.wh.x", 0), f("a/b/.wh.c", 0)]]);
        let m = merged(&a, img(&a), 1);
        for p in ["file", "a", "a/b"] {
            assert_eq!(find(&m, p).map(|r| r.kind), Some(EntryKind::Dir), "{p}");
        }
    }

    #[test]
    fn broken_links_beyond_the_first_few_are_counted_not_listed() {
        let many: Vec<Entry> = (0..50).map(|i| hl(&format!("l{i}"), "none")).collect();
        let a = build(vec![many]);
        let ps = problems_of(&a);
        assert_eq!(ps.len(), LINK_PROBLEMS_PER_LAYER + 1);
        assert_eq!(
            ps.iter()
                .filter(|m| m.contains(&format!("{} more hard links", 50 - LINK_PROBLEMS_PER_LAYER)))
                .count(),
            1
        );
    }

    #[test]
    fn du_counts_a_file_once_per_directory_holding_one_of_its_names() {
        let a = build(vec![vec![
            d("x"),
            f("x/a", 100),
            d("y"),
            hl("y/b", "x/a"),
            hl("x/c", "x/a"),
        ]]);
        let m = merged(&a, img(&a), 0);
        assert_eq!(find(&m, "x").map(|r| r.dir_size), Some(100));
        assert_eq!(find(&m, "y").map(|r| r.dir_size), Some(100));
    }

    #[test]
    fn aufs_metadata_is_not_content_and_plnk_links_resolve() {
        let a = build(vec![
            vec![d("usr"), f("usr/keep", 5)],
            vec![
                f(".wh..wh.aufs", 0),
                d(".wh..wh.orph"),
                d(".wh..wh.plnk"),
                f(".wh..wh.plnk/262.1234", 30),
                d("usr"),
                d("usr/bin"),
                hl("usr/bin/tool", ".wh..wh.plnk/262.1234"),
                hl("usr/bin/tool2", ".wh..wh.plnk/262.1234"),
                hl("usr/bin/lost", ".wh..wh.plnk/999.1"),
            ],
        ]);
        let m = merged(&a, img(&a), 1);
        assert_eq!(
            paths(&m),
            // `usr/bin/lost` points to no plnk file: unpacking fails on it, the views
            // leave it out.
            [
                "usr",
                "usr/bin",
                "usr/bin/tool",
                "usr/bin/tool2",
                "usr/keep"
            ]
        );
        assert_eq!(find(&m, "usr/bin/tool").map(|r| r.size), Some(30));
        assert_eq!(
            content_path(&m, "usr/bin/tool2"),
            Some((1, ".wh..wh.plnk/262.1234".into()))
        );
        assert_eq!(find(&m, "usr").map(|r| r.dir_size), Some(35));
        let ch = layer_changes(&a, img(&a), 1);
        assert_eq!((ch.deleted, ch.added), (0, 3));
        assert_eq!(stored_bytes(&a, img(&a)), vec![5, 30]);
        assert_eq!(wasted(&a, img(&a)), vec![0, 0]);
        let ps = problems_of(&a);
        assert_eq!(ps.len(), 1, "{ps:?}");
        assert!(ps
            .iter()
            .all(|m| m.contains("usr/bin/lost") && m.contains(".wh..wh.plnk")));
        // Without a link to it, the plnk file's bytes are stored but never visible.
        let unlinked = build(vec![vec![d(".wh..wh.plnk"), f(".wh..wh.plnk/1.2", 9)]]);
        assert!(merged(&unlinked, img(&unlinked), 0).is_empty());
        assert_eq!(wasted(&unlinked, img(&unlinked)), vec![9]);
    }

    #[test]
    fn invalid_whiteouts_delete_nothing() {
        let a = build(vec![
            vec![d("dir"), f("dir/x", 4), f("y", 2)],
            vec![
                f("dir/.wh.", 0),
                f(".wh..", 0),
                f(".wh..wh.plnk", 0),
                f(".wh.", 0),
            ],
        ]);
        let m = merged(&a, img(&a), 1);
        assert_eq!(paths(&m), ["dir", "dir/x", "y"]);
        assert_eq!(layer_changes(&a, img(&a), 1).deleted, 0);
    }

    #[test]
    fn sizes_saturate_instead_of_wrapping() {
        let half = 1u64 << 63;
        let a = build(vec![
            vec![d("d"), f("d/a", half), f("d/b", half), f("d/c", half)],
            vec![f("d/e", half)],
        ]);
        let m = merged(&a, img(&a), 1);
        assert_eq!(find(&m, "d").map(|r| r.dir_size), Some(u64::MAX));
        assert_eq!(stored_bytes(&a, img(&a)), vec![u64::MAX, half]);
        assert_eq!(wasted(&a, img(&a)), vec![0, 0]);
        let e = efficiency(&a, img(&a));
        assert!((0.0..=1.0).contains(&e), "{e}");
        let ch = layer_changes(&a, img(&a), 0);
        assert_eq!(ch.added_bytes, u64::MAX);
        assert_eq!(find(&ch.rows, "d").map(|r| r.dir_size), Some(u64::MAX));
    }

    #[test]
    fn layer_changes_directory_sizes_sum_their_view() {
        let a = build(vec![
            vec![
                d("d"),
                f("d/old", 5),
                d("gone"),
                f("gone/x", 10),
                d("gone/sub"),
                f("gone/sub/y", 1),
            ],
            vec![d("d"), f("d/x", 3), f("d/y", 4), f(".wh.gone", 0)],
        ]);
        let ch = layer_changes(&a, img(&a), 1);
        // d: what this layer wrote below it (the untouched d/old is not in this view).
        assert_eq!(
            find(&ch.rows, "d").map(|r| (r.change, r.dir_size)),
            Some((Change::Modified, 7))
        );
        // A deleted directory: what was deleted below it.
        assert_eq!(
            find(&ch.rows, "gone").map(|r| (r.change, r.dir_size)),
            Some((Change::Deleted, 11))
        );
        assert_eq!(find(&ch.rows, "gone/sub").map(|r| r.dir_size), Some(1));
        assert_eq!(ch.deleted_bytes, 11);
    }

    #[test]
    fn many_entries_fold_whole() {
        let n = 200_000;
        let base: Vec<Entry> = (0..n)
            .map(|i| f(&format!("d{}/f{i}", i % 500), 1))
            .collect();
        let a = build(vec![base, vec![f(".wh..wh..opq", 0), f("only", 1)]]);
        assert_eq!(merged(&a, img(&a), 0).len(), n + 500);
        assert_eq!(layer_changes(&a, img(&a), 1).deleted, n + 500);
        assert_eq!(wasted(&a, img(&a)), vec![n as u64, 0]);
    }
}
/// One path that differs between two merged views (image A's and image B's).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathDiff {
    /// The path, normalized (no leading `/`).
    pub path: RawPath,
    /// `Added`: only in B. `Deleted`: only in A. `Modified`: in both, but not the same.
    pub change: Change,
    /// B's kind when B has the path, else A's.
    pub kind: EntryKind,
    /// A's size in bytes (as [`FileRow::size`]), `None` when A does not have the path.
    pub a_size: Option<u64>,
    /// B's size in bytes (as [`FileRow::size`]), `None` when B does not have the path.
    pub b_size: Option<u64>,
    /// Kind, size, mode and link target agree; only a different layer wrote it, so the
    /// content may or may not differ (the merged view keeps no content hashes).
    pub rewritten: bool,
    /// Whether the bytes on both sides were compared, and what that found
    /// ([`compare`] sets `NotNeeded` or `Pending`; `analyze::diff::settle_rewritten` settles
    /// `Pending`).
    #[serde(default)]
    pub content: ContentCheck,
    /// A's and B's owner `(uid, gid)` when they differ (a `chown`, a file made by another
    /// user): the path is modified whatever its bytes. Set by `analyze::diff::diff`, which
    /// reads the layer entries (the merged rows hold no owners); `None` from [`compare`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owners: Option<((u64, u64), (u64, u64))>,
    /// A's and B's permission bits (`mode & 0o7777`, as [`FileRow::mode`]) when the path is
    /// in both and they differ (a `chmod`): said beside the change, since the sizes alone
    /// would not show why a path is modified. Set by [`compare`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modes: Option<(u32, u32)>,
    /// A's and B's extended attributes ([`Entry::xattrs`](crate::model::Entry::xattrs), each
    /// sorted by name; empty for none) when they differ (a `setcap`): the path is modified
    /// whatever its bytes. Set, like `owners`, by `analyze::diff::diff`; `None` from
    /// [`compare`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xattrs: Option<(Vec<Xattr>, Vec<Xattr>)>,
}

/// What is known of a path's bytes in the two views of [`compare`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContentCheck {
    /// Not needed: the path is only on one side, or its kind, size, mode or link target
    /// already differ, or only one side has bytes (a file against a dangling hard link).
    #[default]
    NotNeeded,
    /// Same metadata, written by a different layer: the bytes may or may not differ and
    /// have not been compared (yet).
    Pending,
    /// The bytes were read on both sides and differ.
    Differs,
    /// Not compared: the file is larger than the bound given to the comparison (the row stays
    /// `rewritten`; it is never taken as equal).
    TooLarge,
    /// Not compared: its bytes could not be read on one side (the layer ends before them, or
    /// the blob no longer holds what its index says). Never taken as equal, never as different.
    Unreadable,
    /// The bytes were read on both sides and are the same: the path is listed for its mode,
    /// owner or attributes alone ([`PathDiff::changes_metadata`]).
    Same,
}

impl PathDiff {
    /// Its mode, owner or extended attributes differ (a `chmod`, `chown` or `setcap`): it
    /// is modified whatever its bytes, which are still compared when kind, size and link
    /// target agree, so a row never hides that its content changed too.
    pub fn changes_metadata(&self) -> bool {
        self.modes.is_some() || self.owners.is_some() || self.xattrs.is_some()
    }
}

/// What `row` is on disk, kind and link target, for [`compare`]: a hard link to a regular
/// file (it has `content`) is a regular file, no different from the name whose entry holds
/// the bytes. Which of a file's names carries them in the tar is how the tar was written,
/// not what unpacks, so two views that differ only in that must not differ here; their bytes
/// are compared through `content`.
fn on_disk(row: &FileRow) -> (EntryKind, Option<&RawPath>) {
    match (row.kind, &row.content) {
        (EntryKind::Hardlink, Some(_)) => (EntryKind::File, None),
        (kind, _) => (kind, row.link_target.as_ref()),
    }
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
                    content: ContentCheck::NotNeeded,
                    owners: None,
                    modes: None,
                    xattrs: None,
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
                    content: ContentCheck::NotNeeded,
                    owners: None,
                    modes: None,
                    xattrs: None,
                });
                j += 1;
            }
            (_, Some(x), Some(y)) => {
                i += 1;
                j += 1;
                let shared = x.layer == y.layer && x.layer < same_below;
                let both_dirs = x.kind == EntryKind::Dir && y.kind == EntryKind::Dir;
                // A symlink has no mode of its own on Linux (always `rwxrwxrwx`; unpacking
                // never chmods one): the tar's bits for it are no difference.
                let both_links = x.kind == EntryKind::Symlink && y.kind == EntryKind::Symlink;
                let modes_differ = x.mode != y.mode && !both_links;
                // Kind, size or link target: the bytes cannot be the same, nothing to compare.
                let shape_differs = !both_dirs && (on_disk(x) != on_disk(y) || x.size != y.size);
                let meta_differs = shape_differs || modes_differ;
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
                        // A folder has no bytes; a file whose mode alone differs still has
                        // its bytes compared (`analyze::diff::settle_rewritten`).
                        content: if shape_differs || both_dirs {
                            ContentCheck::NotNeeded
                        } else {
                            ContentCheck::Pending
                        },
                        owners: None,
                        modes: modes_differ.then_some((x.mode, y.mode)),
                        xattrs: None,
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
            content: None,
        }
    }

    /// A symlink's permission bits are no difference (Linux gives every symlink
    /// `rwxrwxrwx`, unpacking never chmods one); a file's are, and are carried.
    #[test]
    fn a_symlinks_mode_is_no_difference() {
        let link = |mode| FileRow {
            link_target: Some(RawPath::from("target")),
            mode,
            ..row("l", EntryKind::Symlink, 6, 0)
        };
        let file = |mode| FileRow {
            mode,
            ..row("x", EntryKind::File, 2, 0)
        };
        let d = compare(&[link(0o777), file(0o644)], &[link(0o755), file(0o755)], 0);
        // The link is only "written by a layer not shared" (same_below 0): rewritten, left
        // to the byte comparison, with no mode change; the file's bits differ.
        let got: Vec<_> = d
            .iter()
            .map(|p| (p.path.to_string(), p.rewritten, p.modes))
            .collect();
        assert_eq!(
            got,
            [
                ("l".to_string(), true, None),
                ("x".to_string(), false, Some((0o644, 0o755)))
            ]
        );
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
        let bytes = pancake_demo::build_set(&["wordpress-a", "wordpress-b"]);
        let archive = crate::read::archive::read_stream(
            "pair.tar",
            bytes.as_slice(),
            bytes.len() as u64,
            &crate::read::archive::Options::default(),
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
