//! A compact binary form of layer indexes, for moving them from one reader to another (the
//! page's scanner worker to the page) in one byte buffer instead of JSON text, and for
//! decoding them a slice at a time, so the receiving thread is never busy for long.
//!
//! An [`Archive`] is split in two by [`split`]: the archive with every layer index's entry
//! list left empty (small: its JSON is the members, images and problems) and the entry lists
//! in this form; [`Decoder`] turns the bytes back into the lists, [`graft`] puts them back.
//!
//! The form, all integers unsigned LEB128 ("varint"):
//! `"PCIX2\n"`, layer count, then per layer: member index, entry count, then per entry:
//! path (bytes shared with the previous entry's path of the same layer, then the length and
//! bytes of the rest), kind (one byte, [`EntryKind`] in declaration order), size, mode, uid,
//! gid, mtime, a flags byte (1: link target, 2: content offset, 4: sparse, 8: extended
//! attributes), then the link target (length, bytes), the content offset, the sparse map
//! (complete 0/1, region count, offset and length of each, the bytes the entry stores), and the extended attributes
//! (count, at least 1, then each one's name and value as length and bytes) when flagged. Paths of a tar share long prefixes
//! (`usr/share/doc/…`), so this is usually a third of the JSON's size or less.

use std::sync::Arc;

use crate::analyze::summary::{ImageSummary, LayerSummary};
use crate::analyze::union::{Change, ChangeCounts, ContentRef, FileRow};
use crate::entries::Entries;
use crate::model::{
    Archive, Entry, EntryExtra, EntryKind, MemberFacts, Sparse, SparseRegion, Xattr,
};
use crate::path::RawPath;
use crate::write::container::LowerFile;

const MAGIC: &[u8] = b"PCIX2\n";
/// The fewest bytes an entry takes (a one-byte shared-prefix length and suffix length, an
/// empty suffix — the same path again —, kind, five one-byte numbers, flags): a claimed count
/// above remaining / this is a lie, and never allocated for.
const MIN_ENTRY_BYTES: usize = 9;

const KINDS: [EntryKind; 8] = [
    EntryKind::File,
    EntryKind::Dir,
    EntryKind::Symlink,
    EntryKind::Hardlink,
    EntryKind::Char,
    EntryKind::Block,
    EntryKind::Fifo,
    EntryKind::Other,
];

/// Why bytes are not a layer index in this form; `at` is the byte offset reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WireError {
    /// The bytes do not start with the form's magic.
    Magic,
    /// The bytes end inside a value.
    Truncated {
        /// Byte offset where a value was expected.
        at: usize,
    },
    /// A value is out of range (a varint longer than 64 bits, an unknown kind, a shared
    /// prefix longer than the previous path, a count larger than the bytes left could hold).
    Invalid {
        /// Byte offset of the value.
        at: usize,
    },
}

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WireError::Magic => f.write_str("not a layer index (no PCIX2 magic)"),
            WireError::Truncated { at } => write!(f, "layer index ends early at byte {at}"),
            WireError::Invalid { at } => write!(f, "layer index has a bad value at byte {at}"),
        }
    }
}

impl std::error::Error for WireError {}

fn put(out: &mut Vec<u8>, mut v: u64) {
    // Into a buffer on the stack, then appended at once: the worker's core is built at
    // `opt-level = "z"`, where a `push` per byte is a call per byte (millions for an index of
    // 200,000 entries).
    let mut buf = [0u8; 10];
    let mut n = 0;
    for slot in buf.iter_mut() {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        n += 1;
        if v == 0 {
            *slot = byte;
            break;
        }
        *slot = byte | 0x80;
    }
    out.extend_from_slice(buf.get(..n).unwrap_or(&buf));
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put(out, b.len() as u64);
    out.extend_from_slice(b);
}

fn kind_code(k: EntryKind) -> u8 {
    KINDS
        .iter()
        .position(|x| *x == k)
        .unwrap_or(KINDS.len() - 1) as u8
}

/// Appends `path` as the length of the prefix it shares with `prev` and the rest (paths in
/// a tar or a sorted listing share long prefixes); returns `path`, the next one's `prev`.
fn put_path<'a>(out: &mut Vec<u8>, prev: &[u8], path: &'a [u8]) -> &'a [u8] {
    let shared = crate::byte_words::common_prefix(prev, path);
    put(out, shared as u64);
    put_bytes(out, path.get(shared..).unwrap_or(&[]));
    path
}

/// Each layer index's entry list of `archive`, with its member's index, in member order.
fn layer_lists(archive: &Archive) -> Vec<(usize, &[Entry])> {
    archive
        .members
        .iter()
        .enumerate()
        .filter_map(|(i, m)| m.facts.layer.as_ref().map(|l| (i, l.entries.as_slice())))
        .collect()
}

/// The bytes [`split`] reserves for `layers`: what their form usually takes — each path's part
/// not shared with the one before (exactly what is written of it), link targets, and 32 bytes
/// for an entry's kind, flags and numbers (more only for numbers near 2^64 or a very long
/// path; sparse maps and extended attributes are rare and left out), so a few large entries
/// cost a move, never a reservation out of proportion to what is written. Reserved at once,
/// the buffer does not move as it grows: a buffer that doubles leaves the room it outgrew
/// behind as holes, written and so resident, in a worker whose wasm memory is never given
/// back (a 200,000-entry index: ~4 MB more at the scanner's peak, issue 13, target 3).
fn room_for(layers: &[(usize, &[Entry])]) -> usize {
    const NUMBERS: usize = 32;
    let mut room = MAGIC.len() + NUMBERS;
    for (_, entries) in layers {
        room = room.saturating_add(2 * NUMBERS);
        let mut prev: &[u8] = &[];
        for e in *entries {
            let path = e.path.as_bytes();
            let own = path.len() - crate::byte_words::common_prefix(prev, path).min(path.len());
            let link = e.link_target.as_ref().map_or(0, |t| t.as_bytes().len());
            room = room.saturating_add(NUMBERS + own + link);
            prev = path;
        }
    }
    room
}

/// Appends one layer's entries (`member`: its index in `Archive::members`).
fn encode_layer(out: &mut Vec<u8>, member: usize, entries: &[Entry]) {
    put(out, member as u64);
    put(out, entries.len() as u64);
    let mut prev: &[u8] = &[];
    for e in entries {
        prev = put_path(out, prev, e.path.as_bytes());
        out.push(kind_code(e.kind));
        for v in [e.size, u64::from(e.mode), e.uid, e.gid, e.mtime] {
            put(out, v);
        }
        let flags = u8::from(e.link_target.is_some())
            | (u8::from(e.content_offset.is_some()) << 1)
            | (u8::from(e.sparse().is_some()) << 2)
            | (u8::from(!e.xattrs().is_empty()) << 3);
        out.push(flags);
        if let Some(t) = &e.link_target {
            put_bytes(out, t.as_bytes());
        }
        if let Some(o) = e.content_offset {
            put(out, o);
        }
        if let Some(s) = e.sparse() {
            out.push(u8::from(s.complete));
            put(out, s.regions.len() as u64);
            for r in &s.regions {
                put(out, r.offset);
                put(out, r.length);
            }
            put(out, s.stored);
        }
        if !e.xattrs().is_empty() {
            put(out, e.xattrs().len() as u64);
            for x in e.xattrs() {
                put_bytes(out, &x.name);
                put_bytes(out, &x.value);
            }
        }
    }
}

/// Every layer index's entries of `archive` in this form, in member order, and the archive
/// with those entry lists left empty (each a new empty `Arc`; nothing else changed). The
/// bytes decode ([`Decoder`]) to `(member, entries)` pairs that [`graft`] puts back.
pub fn split(archive: &Archive) -> (Archive, Vec<u8>) {
    let layers = layer_lists(archive);
    let mut out = Vec::with_capacity(room_for(&layers));
    out.extend_from_slice(MAGIC);
    put(&mut out, layers.len() as u64);
    for (member, entries) in &layers {
        encode_layer(&mut out, *member, entries);
    }
    let mut stripped = Archive {
        name: archive.name.clone(),
        total_bytes: archive.total_bytes,
        outer_compression: archive.outer_compression,
        format: archive.format,
        members: Vec::with_capacity(archive.members.len()),
        images: archive.images.clone(),
        problems: archive.problems.clone(),
    };
    for m in &archive.members {
        let mut m = m.clone();
        if let Some(l) = m.facts.layer.as_mut() {
            l.entries = Entries::default();
        }
        stripped.members.push(m);
    }
    (stripped, out)
}

/// Puts decoded entry lists back into an archive [`split`] emptied: each `(member, entries)`
/// becomes that member's layer index's entries (the same `Arc`, shared, not copied). A member
/// that is out of range, has no layer index, or whose index already holds entries (filled
/// since, e.g. by facts that came with their own) is left as it is. O(members).
pub fn graft(archive: &mut Archive, layers: &[(usize, Entries)]) {
    for (member, entries) in layers {
        if let Some(l) = archive
            .members
            .get_mut(*member)
            .and_then(|m| m.facts.layer.as_mut())
        {
            if l.entries.is_empty() {
                l.entries = entries.clone();
            }
        }
    }
}

/// One member's facts as [`split`] sends a whole archive: the facts with their layer index's
/// entry list left empty, and the entries in this form (one layer, `member`), which
/// [`Decoder`] reads and [`graft_facts`] puts back. `None` (the facts untouched) when the
/// facts hold no entries: no layer index, or an empty one.
pub fn split_facts(member: usize, facts: &mut MemberFacts) -> Option<Vec<u8>> {
    let layer = facts.layer.as_mut().filter(|l| !l.entries.is_empty())?;
    let mut out = Vec::with_capacity(1024);
    out.extend_from_slice(MAGIC);
    put(&mut out, 1);
    encode_layer(&mut out, member, &layer.entries);
    layer.entries = Entries::default();
    Some(out)
}

/// Puts entries decoded from [`split_facts`]'s bytes back into the facts it emptied: those of
/// the layer decoded for `member` (the first, the only one it writes). Facts without a layer
/// index, or whose index already holds entries, are left as they are, as [`graft`] does.
pub fn graft_facts(member: usize, facts: &mut MemberFacts, layers: &[(usize, Entries)]) {
    let decoded = layers.iter().find(|(m, _)| *m == member);
    if let (Some(l), Some((_, entries))) = (facts.layer.as_mut(), decoded) {
        if l.entries.is_empty() {
            l.entries = entries.clone();
        }
    }
}

/// Decodes bytes made by [`split`] a slice at a time: each [`Decoder::step`] decodes at most
/// the number of entries asked for, so a caller can yield between steps.
///
/// Made by [`Decoder::new`], it builds every entry and [`Decoder::finish`] hands the lists
/// over as entries. Made by [`Decoder::compact`], it checks every entry the same way but
/// keeps none: the lists it hands over hold the bytes and decode on their first read
/// ([`Entries`]), so a reader that needs few of them holds the compact form, not the index.
#[derive(Debug)]
pub struct Decoder {
    bytes: Arc<[u8]>,
    pos: usize,
    layers_left: u64,
    /// Build the entries (`new`), or only check them (`compact`).
    keep: bool,
    /// The layer being decoded.
    current: Option<Layer>,
    done: Vec<(usize, Entries)>,
    entries_done: usize,
}

/// The layer a [`Decoder`] is in: its member, entries still to read, and either the entries
/// so far or (checking only) the last path, which the next one may share a prefix with.
#[derive(Debug)]
struct Layer {
    member: usize,
    left: u64,
    count: usize,
    /// Byte offset of the layer's first entry.
    start: usize,
    entries: Vec<Entry>,
    last: Option<RawPath>,
}

impl Decoder {
    /// Starts decoding `bytes` into entries. Errors: [`WireError::Magic`] when they are not in
    /// this form, [`WireError::Truncated`] when they end before the layer count.
    pub fn new(bytes: Vec<u8>) -> Result<Decoder, WireError> {
        let mut d = Decoder::after_magic(bytes, MAGIC)?;
        d.layers_left = d.varint()?;
        Ok(d)
    }

    /// Starts checking `bytes`, to hand over lists in the compact form that decode when first
    /// read (see the type's docs). Errors as [`Decoder::new`]; [`Decoder::step`] finds the
    /// same errors as it would decoding, so a list it hands over decodes.
    pub fn compact(bytes: Vec<u8>) -> Result<Decoder, WireError> {
        Decoder::compact_shared(Arc::from(bytes))
    }

    /// [`Decoder::compact`] on bytes already shared: the lists it hands over hold these very
    /// bytes, with no copy made of them (`compact` moves its `Vec` into an `Arc`, a copy: for
    /// a 200,000-file index, 13 MB more at the reader's busiest, which wasm memory keeps).
    /// Errors as [`Decoder::compact`].
    pub fn compact_shared(bytes: Arc<[u8]>) -> Result<Decoder, WireError> {
        if bytes.get(..MAGIC.len()) != Some(MAGIC) {
            return Err(WireError::Magic);
        }
        let mut d = Decoder::at(bytes, MAGIC.len());
        d.layers_left = d.varint()?;
        d.keep = false;
        Ok(d)
    }

    /// A decoder whose cursor stands just after `magic`, which `bytes` must start with
    /// ([`WireError::Magic`] otherwise); the rows form reads with the same cursor.
    fn after_magic(bytes: Vec<u8>, magic: &[u8]) -> Result<Decoder, WireError> {
        if bytes.get(..magic.len()) != Some(magic) {
            return Err(WireError::Magic);
        }
        Ok(Decoder::at(Arc::from(bytes), magic.len()))
    }

    /// A cursor at byte `pos` of `bytes`, building entries, with no layer to come: where
    /// [`decode_list`] and [`each_in_list`] read one layer's entries.
    fn at(bytes: Arc<[u8]>, pos: usize) -> Decoder {
        Decoder {
            bytes,
            pos,
            layers_left: 0,
            keep: true,
            current: None,
            done: Vec::new(),
            entries_done: 0,
        }
    }

    /// Entries decoded so far, over all layers.
    pub fn entries_done(&self) -> usize {
        self.entries_done
    }

    /// Every layer is decoded.
    pub fn is_done(&self) -> bool {
        self.current.is_none() && self.layers_left == 0
    }

    /// Decodes up to `max_entries` more entries (at least one layer header when one is left).
    /// Returns whether everything is decoded. Errors as [`WireError`]; after an error the
    /// decoder is not to be used again.
    pub fn step(&mut self, max_entries: usize) -> Result<bool, WireError> {
        let mut budget = max_entries.max(1);
        while budget > 0 {
            let mut layer = match self.current.take() {
                Some(c) => c,
                None => {
                    if self.layers_left == 0 {
                        return Ok(true);
                    }
                    self.layers_left -= 1;
                    let member = self.index()?;
                    let at = self.pos;
                    let count = self.varint()?;
                    let room = self.bytes.len().saturating_sub(self.pos) / MIN_ENTRY_BYTES;
                    if count > room as u64 {
                        return Err(WireError::Invalid { at });
                    }
                    let keep = if self.keep { count as usize } else { 0 };
                    Layer {
                        member,
                        left: count,
                        count: count as usize,
                        start: self.pos,
                        entries: Vec::with_capacity(keep),
                        last: None,
                    }
                }
            };
            let n = layer.left.min(budget as u64);
            for _ in 0..n {
                let e = match (self.keep, layer.entries.last()) {
                    (true, prev) => self.entry(prev.map(|e| e.path.as_bytes()))?,
                    (false, _) => self.entry(layer.last.as_ref().map(RawPath::as_bytes))?,
                };
                if self.keep {
                    layer.entries.push(e);
                } else {
                    layer.last = Some(e.path);
                }
            }
            budget -= n as usize;
            self.entries_done = self.entries_done.saturating_add(n as usize);
            layer.left -= n;
            if layer.left == 0 {
                let entries = if self.keep {
                    Entries::from(std::mem::take(&mut layer.entries))
                } else {
                    Entries::compact(self.bytes.clone(), layer.start, layer.count)
                };
                self.done.push((layer.member, entries));
            } else {
                self.current = Some(layer);
            }
        }
        Ok(self.is_done())
    }

    /// The decoded `(member, entries)` pairs, in the order they were encoded (those of a layer
    /// not finished are left out).
    pub fn finish(self) -> Vec<(usize, Entries)> {
        self.done
    }

    fn byte(&mut self) -> Result<u8, WireError> {
        let b = *self
            .bytes
            .get(self.pos)
            .ok_or(WireError::Truncated { at: self.pos })?;
        self.pos += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, WireError> {
        let at = self.pos;
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            let part = u64::from(b & 0x7f);
            if shift == 63 && part > 1 {
                return Err(WireError::Invalid { at });
            }
            v |= part << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(WireError::Invalid { at })
    }

    fn index(&mut self) -> Result<usize, WireError> {
        let at = self.pos;
        usize::try_from(self.varint()?).map_err(|_| WireError::Invalid { at })
    }

    fn slice(&mut self, len: usize) -> Result<&[u8], WireError> {
        let at = self.pos;
        let end = at.checked_add(len).ok_or(WireError::Invalid { at })?;
        let s = self.bytes.get(at..end).ok_or(WireError::Truncated { at })?;
        self.pos = end;
        Ok(s)
    }

    fn raw(&mut self) -> Result<Vec<u8>, WireError> {
        let len = self.index()?;
        Ok(self.slice(len)?.to_vec())
    }

    /// Extended attributes: a count (at least 1: they are written only when there are some),
    /// then each one's name and value as length and bytes.
    fn xattrs(&mut self) -> Result<Vec<Xattr>, WireError> {
        let at = self.pos;
        let n = self.varint()?;
        // Two one-byte lengths at least per attribute; flagged means at least one.
        if n == 0 || n > (self.bytes.len().saturating_sub(self.pos) / 2) as u64 {
            return Err(WireError::Invalid { at });
        }
        let mut xattrs = Vec::with_capacity(n as usize);
        for _ in 0..n {
            let name = self.raw()?;
            let value = self.raw()?;
            xattrs.push(Xattr { name, value });
        }
        Ok(xattrs)
    }

    fn entry(&mut self, prev: Option<&[u8]>) -> Result<Entry, WireError> {
        let at = self.pos;
        let shared = self.index()?;
        let head = prev
            .unwrap_or(&[])
            .get(..shared)
            .ok_or(WireError::Invalid { at })?;
        let len = self.index()?;
        let tail = self.slice(len)?;
        // Exactly the path's length, in one allocation: a copy of the shared head extended by
        // the tail grew by doubling (and `RawPath` boxes its bytes, which would shrink that
        // spare room again with a second reallocation per entry).
        let mut path = Vec::with_capacity(shared + tail.len());
        path.extend_from_slice(head);
        path.extend_from_slice(tail);
        let at = self.pos;
        let kind = *KINDS
            .get(usize::from(self.byte()?))
            .ok_or(WireError::Invalid { at })?;
        let size = self.varint()?;
        let at = self.pos;
        let mode = u32::try_from(self.varint()?).map_err(|_| WireError::Invalid { at })?;
        let uid = self.varint()?;
        let gid = self.varint()?;
        let mtime = self.varint()?;
        let at = self.pos;
        let flags = self.byte()?;
        if flags & !15 != 0 {
            return Err(WireError::Invalid { at });
        }
        let link_target = if flags & 1 != 0 {
            Some(RawPath::from_bytes(self.raw()?))
        } else {
            None
        };
        let content_offset = if flags & 2 != 0 {
            Some(self.varint()?)
        } else {
            None
        };
        let sparse = if flags & 4 != 0 {
            let at = self.pos;
            let complete = match self.byte()? {
                0 => false,
                1 => true,
                _ => return Err(WireError::Invalid { at }),
            };
            let at = self.pos;
            let n = self.varint()?;
            // Two one-byte numbers at least per region.
            if n > (self.bytes.len().saturating_sub(self.pos) / 2) as u64 {
                return Err(WireError::Invalid { at });
            }
            let mut regions = Vec::with_capacity(n as usize);
            for _ in 0..n {
                let offset = self.varint()?;
                let length = self.varint()?;
                regions.push(SparseRegion { offset, length });
            }
            let stored = self.varint()?;
            Some(Sparse {
                regions,
                complete,
                stored,
            })
        } else {
            None
        };
        let xattrs = if flags & 8 != 0 {
            self.xattrs()?
        } else {
            Vec::new()
        };
        Ok(Entry {
            path: RawPath::from_bytes(path),
            kind,
            size,
            mode,
            uid,
            gid,
            mtime,
            link_target,
            content_offset,
            extra: EntryExtra { sparse, xattrs }.boxed(),
        })
    }
}

/// The `count` entries of one layer written from byte `start` of `bytes` (what
/// [`Entries`] decodes on its first read). Stops at the first value that does not decode,
/// with the entries before it: a list [`Decoder::compact`] checked has none.
pub(crate) fn decode_list(bytes: &Arc<[u8]>, start: usize, count: usize) -> Vec<Entry> {
    let mut d = Decoder::at(bytes.clone(), start);
    let room = bytes.len().saturating_sub(start) / MIN_ENTRY_BYTES;
    let mut out: Vec<Entry> = Vec::with_capacity(count.min(room));
    for _ in 0..count {
        match d.entry(out.last().map(|e| e.path.as_bytes())) {
            Ok(e) => out.push(e),
            Err(_) => break,
        }
    }
    out
}

/// Calls `f` with each of the `count` entries of one layer written from byte `start` of
/// `bytes`, in order, until it returns `false`, keeping none ([`Entries::each_until`]); stops
/// at the first value that does not decode, as [`decode_list`] does.
pub(crate) fn each_in_list(
    bytes: &Arc<[u8]>,
    start: usize,
    count: usize,
    mut f: impl FnMut(usize, &Entry) -> bool,
) {
    let mut d = Decoder::at(bytes.clone(), start);
    let mut last: Option<RawPath> = None;
    for i in 0..count {
        let Ok(e) = d.entry(last.as_ref().map(RawPath::as_bytes)) else {
            return;
        };
        if !f(i, &e) {
            return;
        }
        last = Some(e.path);
    }
}

// ---- Rows of a view --------------------------------------------------------------------------
//
// The rows of a merged view or of a layer's changes (`union::FileRow`), for a reader with a
// spare thread (the page's scanner worker) that folds the layers and hands the page only the
// result: `"PCRW1\n"`, row count, then per row: path (shared with the previous row's, as entry
// paths are), kind and change (one byte each, in declaration order), size, layer, mode,
// dir_size, a flags byte (1: link target, 2: member, 4: content, 8: the content's path is not
// the row's, 16: an "added in" layer, 32: an owner, 64: extended attributes, only with 32),
// then in that order the link target (length, bytes), member, the content (layer, member + 1
// or 0 for none, entry, size, and its path when flagged), the added-in layer, the owner (uid,
// gid: a container's lower files, [`encode_lower`]) and the extended attributes (count, at
// least 1, then each one's name and value as length and bytes, as in an entry).

const ROWS_MAGIC: &[u8] = b"PCRW1\n";
/// The fewest bytes a row takes (shared-prefix and suffix lengths, kind, change, four
/// one-byte numbers, flags).
const MIN_ROW_BYTES: usize = 9;

const CHANGES: [Change; 4] = [
    Change::Added,
    Change::Modified,
    Change::Deleted,
    Change::Unchanged,
];

/// `rows` in the rows form; `added`, when given, holds for each row (same order) the layer
/// that last added its path at or below the row's layer (`None`: not known), as the merged
/// view's badges show it. [`decode_rows`] reverses it.
pub fn encode_rows(rows: &[FileRow], added: Option<&[Option<usize>]>) -> Vec<u8> {
    encode_rows_with(rows.iter(), rows.len(), added, |_| None)
}

/// A container's lower files ([`crate::write::container::files_of`]) in the rows form, each
/// row with its owner and extended attributes; [`RowsDecoder::finish_lower`] reverses it.
pub fn encode_lower(files: &[LowerFile]) -> Vec<u8> {
    encode_rows_with(files.iter().map(|f| &f.row), files.len(), None, |i| {
        files.get(i).map(|f| (f.uid, f.gid, f.xattrs.as_slice()))
    })
}

/// What a row of a container's lower carries beyond the view's: owner (uid, gid) and
/// extended attributes.
type LowerExtra<'x> = (u64, u64, &'x [Xattr]);

fn encode_rows_with<'a, 'x>(
    rows: impl Iterator<Item = &'a FileRow>,
    count: usize,
    added: Option<&[Option<usize>]>,
    owner: impl Fn(usize) -> Option<LowerExtra<'x>>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(count.saturating_mul(24).saturating_add(16));
    out.extend_from_slice(ROWS_MAGIC);
    put(&mut out, count as u64);
    let mut prev: &[u8] = &[];
    for (i, r) in rows.take(count).enumerate() {
        prev = put_path(&mut out, prev, r.path.as_bytes());
        out.push(kind_code(r.kind));
        out.push(CHANGES.iter().position(|c| *c == r.change).unwrap_or(0) as u8);
        for v in [r.size, r.layer as u64, u64::from(r.mode), r.dir_size] {
            put(&mut out, v);
        }
        let added_in = added.and_then(|a| a.get(i).copied().flatten());
        let owner = owner(i);
        let own_path = r.content.as_ref().is_some_and(|c| c.path == r.path);
        let flags = u8::from(r.link_target.is_some())
            | (u8::from(r.member.is_some()) << 1)
            | (u8::from(r.content.is_some()) << 2)
            | (u8::from(r.content.is_some() && !own_path) << 3)
            | (u8::from(added_in.is_some()) << 4)
            | (u8::from(owner.is_some()) << 5)
            | (u8::from(owner.is_some_and(|(_, _, x)| !x.is_empty())) << 6);
        out.push(flags);
        if let Some(t) = &r.link_target {
            put_bytes(&mut out, t.as_bytes());
        }
        if let Some(m) = r.member {
            put(&mut out, m as u64);
        }
        if let Some(c) = &r.content {
            put(&mut out, c.layer as u64);
            put(
                &mut out,
                c.member.map_or(0, |m| (m as u64).saturating_add(1)),
            );
            put(&mut out, c.entry as u64);
            put(&mut out, c.size);
            if !own_path {
                put_bytes(&mut out, c.path.as_bytes());
            }
        }
        if let Some(a) = added_in {
            put(&mut out, a as u64);
        }
        if let Some((uid, gid, xattrs)) = owner {
            put(&mut out, uid);
            put(&mut out, gid);
            if !xattrs.is_empty() {
                put(&mut out, xattrs.len() as u64);
                for x in xattrs {
                    put_bytes(&mut out, &x.name);
                    put_bytes(&mut out, &x.value);
                }
            }
        }
    }
    out
}

/// The rows [`encode_rows`] wrote, and each one's "added in" layer (all `None` when none
/// was given), decoded at once. Errors as [`WireError`] (the magic here is `PCRW1`).
pub fn decode_rows(bytes: Vec<u8>) -> Result<(Vec<FileRow>, Vec<Option<usize>>), WireError> {
    let mut d = RowsDecoder::new(bytes)?;
    d.step(usize::MAX)?;
    Ok(d.finish())
}

/// Decodes rows [`encode_rows`] wrote a slice at a time ([`RowsDecoder::step`]), so a thread
/// that must stay responsive (the page's) decodes 200,000 rows in short tasks.
#[derive(Debug)]
pub struct RowsDecoder {
    /// The entry decoder's cursor reads the same varints and byte strings.
    cursor: Decoder,
    left: u64,
    rows: Vec<FileRow>,
    added: Vec<Option<usize>>,
    /// Each row's owner and extended attributes when the bytes carry them (`encode_lower`),
    /// else empty.
    owners: Vec<(u64, u64, Vec<Xattr>)>,
}

impl RowsDecoder {
    /// Starts decoding `bytes`. Errors: [`WireError::Magic`] when they are not in the rows
    /// form, [`WireError::Truncated`] / [`WireError::Invalid`] when the row count is missing
    /// or larger than the bytes could hold.
    pub fn new(bytes: Vec<u8>) -> Result<RowsDecoder, WireError> {
        let mut cursor = Decoder::after_magic(bytes, ROWS_MAGIC)?;
        let at = cursor.pos;
        let count = cursor.varint()?;
        if count > (cursor.bytes.len().saturating_sub(cursor.pos) / MIN_ROW_BYTES) as u64 {
            return Err(WireError::Invalid { at });
        }
        Ok(RowsDecoder {
            cursor,
            left: count,
            rows: Vec::with_capacity(count as usize),
            added: Vec::with_capacity(count as usize),
            owners: Vec::new(),
        })
    }

    /// Decodes up to `max_rows` more rows; returns whether every row is decoded. After an
    /// error the decoder is not to be used again.
    pub fn step(&mut self, max_rows: usize) -> Result<bool, WireError> {
        let n = self.left.min(max_rows as u64);
        for _ in 0..n {
            self.row()?;
        }
        self.left -= n;
        Ok(self.left == 0)
    }

    /// The rows decoded so far and their "added in" layers (same order).
    pub fn finish(self) -> (Vec<FileRow>, Vec<Option<usize>>) {
        (self.rows, self.added)
    }

    /// The rows decoded so far as a container's lower files, with the owners and extended
    /// attributes [`encode_lower`] wrote ((0, 0) and none for a row that came without them).
    pub fn finish_lower(self) -> Vec<LowerFile> {
        let mut owners = self.owners.into_iter();
        self.rows
            .into_iter()
            .map(|row| {
                let (uid, gid, xattrs) = owners.next().unwrap_or((0, 0, Vec::new()));
                LowerFile {
                    row,
                    uid,
                    gid,
                    xattrs,
                }
            })
            .collect()
    }

    fn row(&mut self) -> Result<(), WireError> {
        let d = &mut self.cursor;
        let at = d.pos;
        let shared = d.index()?;
        let head = self
            .rows
            .last()
            .map_or(&[][..], |r| r.path.as_bytes())
            .get(..shared)
            .ok_or(WireError::Invalid { at })?;
        let len = d.index()?;
        let tail = d.slice(len)?;
        let mut path = Vec::with_capacity(head.len().saturating_add(tail.len()));
        path.extend_from_slice(head);
        path.extend_from_slice(tail);
        let path = RawPath::from_bytes(path);
        let at = d.pos;
        let kind = *KINDS
            .get(usize::from(d.byte()?))
            .ok_or(WireError::Invalid { at })?;
        let at = d.pos;
        let change = *CHANGES
            .get(usize::from(d.byte()?))
            .ok_or(WireError::Invalid { at })?;
        let size = d.varint()?;
        let layer = d.index()?;
        let at = d.pos;
        let mode = u32::try_from(d.varint()?).map_err(|_| WireError::Invalid { at })?;
        let dir_size = d.varint()?;
        let at = d.pos;
        let flags = d.byte()?;
        if flags & !127 != 0
            || (flags & 8 != 0 && flags & 4 == 0)
            || (flags & 64 != 0 && flags & 32 == 0)
        {
            return Err(WireError::Invalid { at });
        }
        let link_target = if flags & 1 != 0 {
            Some(RawPath::from_bytes(d.raw()?))
        } else {
            None
        };
        let member = if flags & 2 != 0 {
            Some(d.index()?)
        } else {
            None
        };
        let content = if flags & 4 != 0 {
            let layer = d.index()?;
            let member = d.index()?.checked_sub(1);
            let entry = d.index()?;
            let size = d.varint()?;
            let path = if flags & 8 != 0 {
                RawPath::from_bytes(d.raw()?)
            } else {
                path.clone()
            };
            Some(ContentRef {
                layer,
                member,
                entry,
                path,
                size,
            })
        } else {
            None
        };
        let added = if flags & 16 != 0 {
            Some(d.index()?)
        } else {
            None
        };
        // Every row of a lower's bytes has an owner; rows of a view have none.
        let owned = flags & 32 != 0;
        if !self.rows.is_empty() && owned != (self.owners.len() == self.rows.len()) {
            return Err(WireError::Invalid { at });
        }
        if owned {
            let uid = d.varint()?;
            let gid = d.varint()?;
            let xattrs = if flags & 64 != 0 {
                d.xattrs()?
            } else {
                Vec::new()
            };
            self.owners.push((uid, gid, xattrs));
        }
        self.added.push(added);
        self.rows.push(FileRow {
            path,
            kind,
            size,
            change,
            layer,
            link_target,
            mode,
            member,
            dir_size,
            content,
        });
        Ok(())
    }
}

//
// The first view's figures of each image (`summary::ImageSummary`), for the scanner worker
// that folds them to hand the page without JSON: for 20,002 layers their JSON was 2.9 MB and
// its parse a 50-60 ms task on the page's thread. `"PCSM1\n"`, image count, then per image
// a byte (0: no summary, 1: one follows) and, when one follows, its layer count and per layer
// nine varints: content bytes, entries (0: no index, else the count + 1), added, modified,
// deleted, added bytes, modified bytes, deleted bytes, wasted bytes.

const SUMMARIES_MAGIC: &[u8] = b"PCSM1\n";
/// The fewest bytes a layer's figures take (nine one-byte varints).
const MIN_SUMMARY_LAYER_BYTES: usize = 9;

/// `summaries` (one per image, `None` for an image without one) in the summaries form;
/// [`decode_summaries`] reverses it.
pub fn encode_summaries(summaries: &[Option<ImageSummary>]) -> Vec<u8> {
    let layers: usize = summaries.iter().flatten().map(|s| s.layers.len()).sum();
    let mut out = Vec::with_capacity(layers.saturating_mul(12).saturating_add(16));
    out.extend_from_slice(SUMMARIES_MAGIC);
    put(&mut out, summaries.len() as u64);
    for s in summaries {
        let Some(s) = s else {
            out.push(0);
            continue;
        };
        out.push(1);
        put(&mut out, s.layers.len() as u64);
        for l in &s.layers {
            let c = &l.changes;
            let entries = l.entries.map_or(0, |n| (n as u64).saturating_add(1));
            for v in [
                l.content_bytes,
                entries,
                c.added as u64,
                c.modified as u64,
                c.deleted as u64,
                c.added_bytes,
                c.modified_bytes,
                c.deleted_bytes,
                l.wasted,
            ] {
                put(&mut out, v);
            }
        }
    }
    out
}

/// The summaries [`encode_summaries`] wrote, one per image in the same order. Errors:
/// [`WireError::Magic`] (the magic here is `PCSM1`), [`WireError::Truncated`] when the bytes
/// end inside a value, [`WireError::Invalid`] for a presence byte other than 0 or 1, a count
/// larger than the bytes left could hold, a number too large for this machine's `usize`, or
/// bytes left over after the last image.
pub fn decode_summaries(bytes: Vec<u8>) -> Result<Vec<Option<ImageSummary>>, WireError> {
    let mut d = Decoder::after_magic(bytes, SUMMARIES_MAGIC)?;
    let at = d.pos;
    let images = d.index()?;
    if images > d.bytes.len().saturating_sub(d.pos) {
        return Err(WireError::Invalid { at });
    }
    let mut out = Vec::with_capacity(images);
    for _ in 0..images {
        let at = d.pos;
        match d.byte()? {
            0 => {
                out.push(None);
                continue;
            }
            1 => {}
            _ => return Err(WireError::Invalid { at }),
        }
        let at = d.pos;
        let count = d.index()?;
        if count > d.bytes.len().saturating_sub(d.pos) / MIN_SUMMARY_LAYER_BYTES {
            return Err(WireError::Invalid { at });
        }
        let mut layers = Vec::with_capacity(count);
        for _ in 0..count {
            let content_bytes = d.varint()?;
            let at = d.pos;
            let entries = match d.varint()? {
                0 => None,
                n => Some(usize::try_from(n - 1).map_err(|_| WireError::Invalid { at })?),
            };
            let (added, modified, deleted) = (d.index()?, d.index()?, d.index()?);
            let changes = ChangeCounts {
                added,
                modified,
                deleted,
                added_bytes: d.varint()?,
                modified_bytes: d.varint()?,
                deleted_bytes: d.varint()?,
            };
            layers.push(LayerSummary {
                content_bytes,
                entries,
                changes,
                wasted: d.varint()?,
            });
        }
        out.push(Some(ImageSummary { layers }));
    }
    if d.pos != d.bytes.len() {
        return Err(WireError::Invalid { at: d.pos });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::archive::{open, Options};
    use crate::test_support::entry;

    /// `split` reserves what plain entries take (so its buffer never moves as it grows), not
    /// wildly more, and for long shared paths only what is written of them.
    #[test]
    fn split_reserves_the_room_its_entries_take() {
        let entries: Vec<Entry> = (0..5000u64)
            .map(|i| Entry {
                size: i * 1_000_003,
                uid: i,
                gid: i,
                mtime: 1_700_000_000 + i,
                content_offset: Some(i << 20),
                ..entry(
                    &format!("usr/share/doc/pkg{i}/file-with-a-longer-name-{i}.txt"),
                    EntryKind::File,
                )
            })
            .collect();
        let archive = crate::test_support::archive_of_layers(vec![entries.clone()]);
        let layers = layer_lists(&archive);
        assert_eq!(layers.len(), 1);
        let room = room_for(&layers);
        let (_, out) = split(&archive);
        // Reserved once, never moved: the buffer's room is what was reserved.
        assert_eq!(out.capacity(), room, "{} bytes written", out.len());
        assert!(room <= 2 * out.len(), "{room} against {}", out.len());
        // Long paths sharing long prefixes: room for what is written of them, not for
        // their whole length (1,000 paths of 16 KiB: ~16 MB whole; written, the first
        // whole and then a few bytes each).
        let long: Vec<Entry> = (0..1000)
            .map(|i| entry(&format!("{}{i:04}", "p/".repeat(8 << 10)), EntryKind::File))
            .collect();
        let room = room_for(&[(0, long.as_slice())]);
        assert!(room < 64 << 10, "{room}");
    }

    /// Rows of every kind and change, hard links whose content lives under another path,
    /// non-UTF-8 names, extreme numbers and "added in" layers come back as they went; cut
    /// anywhere, the bytes are an error, never a panic or a wrong row.
    #[test]
    fn rows_round_trip_and_cut_bytes_fail() {
        use crate::analyze::union::{Change, ContentRef, FileRow};
        let row = |path: &[u8], kind: EntryKind, change: Change| FileRow {
            path: RawPath::from_bytes(path.to_vec()),
            kind,
            size: 0,
            change,
            layer: 0,
            link_target: None,
            mode: 0o755,
            member: None,
            dir_size: 0,
            content: None,
        };
        let mut rows = vec![
            row(b"etc", EntryKind::Dir, Change::Unchanged),
            row(b"etc/\xff\xfename", EntryKind::File, Change::Added),
            row(b"etc/link", EntryKind::Hardlink, Change::Modified),
            row(b"etc/sym", EntryKind::Symlink, Change::Deleted),
            row(b"z", EntryKind::Fifo, Change::Added),
        ];
        rows[0].dir_size = u64::MAX;
        rows[1].size = u64::MAX;
        rows[1].layer = 7;
        rows[1].member = Some(3);
        rows[1].content = Some(ContentRef {
            layer: 7,
            member: Some(3),
            entry: 12,
            path: rows[1].path.clone(),
            size: u64::MAX,
        });
        rows[2].link_target = Some(RawPath::from("etc/\u{e9}"));
        rows[2].content = Some(ContentRef {
            layer: 0,
            member: None,
            entry: 0,
            path: RawPath::from(".wh..wh.plnk/1.2"),
            size: 5,
        });
        rows[3].link_target = Some(RawPath::from("../x"));
        rows[3].mode = 0o7777;
        let added = vec![Some(0), None, Some(2), None, Some(usize::MAX >> 1)];
        let bytes = encode_rows(&rows, Some(&added));
        let (back, back_added) = decode_rows(bytes.clone()).expect("decodes");
        assert_eq!(back, rows);
        assert_eq!(back_added, added);
        // Two rows per step, as the page decodes them between its other tasks.
        let mut stepped = RowsDecoder::new(bytes.clone()).expect("magic");
        let mut steps = 0;
        while !stepped.step(2).expect("decodes") {
            steps += 1;
        }
        assert_eq!(steps, 2);
        assert_eq!(stepped.finish(), (rows.clone(), added.clone()));
        let (plain, none) = decode_rows(encode_rows(&rows, None)).expect("decodes");
        assert_eq!(plain, rows);
        assert_eq!(none, vec![None; rows.len()]);
        for cut in 0..bytes.len() {
            assert!(
                decode_rows(bytes.get(..cut).unwrap_or(&[]).to_vec()).is_err(),
                "cut at {cut}"
            );
        }
        assert_eq!(decode_rows(b"PCIX2\n".to_vec()), Err(WireError::Magic));
    }

    /// Summaries of every demo image cross whole, as `summarize` made them
    /// (images without one, layers without an index and numbers of 64 bits included); cut
    /// anywhere, or with a byte more, the bytes are an error, never a panic or wrong figures.
    #[test]
    fn summaries_round_trip_and_cut_bytes_fail() {
        use crate::analyze::summary::summarize;
        let mut all: Vec<Option<ImageSummary>> = vec![None];
        for name in pancake_demo::names() {
            let bytes = pancake_demo::build(name).expect("a demo");
            let a = open(name, &bytes, &Options::default(), &mut |_| {}).expect("demo reads");
            all.extend(a.images.iter().map(|i| Some(summarize(&a, i))));
        }
        let big = LayerSummary {
            content_bytes: u64::MAX,
            entries: None,
            changes: ChangeCounts {
                added: usize::MAX,
                modified: 0,
                deleted: 1,
                added_bytes: u64::MAX,
                modified_bytes: 1 << 40,
                deleted_bytes: 0,
            },
            wasted: u64::MAX - 1,
        };
        let with_index = LayerSummary {
            entries: Some(0),
            ..big
        };
        all.push(Some(ImageSummary {
            layers: vec![big, with_index],
        }));
        all.push(None);
        assert!(all.iter().flatten().map(|s| s.layers.len()).sum::<usize>() > 10);
        let bytes = encode_summaries(&all);
        assert_eq!(decode_summaries(bytes.clone()), Ok(all.clone()));
        assert_eq!(decode_summaries(encode_summaries(&[])), Ok(Vec::new()));
        for cut in 0..bytes.len() {
            assert!(
                decode_summaries(bytes.get(..cut).unwrap_or(&[]).to_vec()).is_err(),
                "cut at {cut}"
            );
        }
        let mut more = bytes.clone();
        more.push(0);
        assert!(decode_summaries(more).is_err());
        // A presence byte other than 0 or 1, and a layer count no bytes could hold.
        let mut odd = SUMMARIES_MAGIC.to_vec();
        odd.extend([1, 2]);
        assert_eq!(
            decode_summaries(odd),
            Err(WireError::Invalid {
                at: SUMMARIES_MAGIC.len() + 1
            })
        );
        let mut huge = SUMMARIES_MAGIC.to_vec();
        huge.extend([1, 1, 0xff, 0xff, 0xff, 0xff, 0x0f]);
        assert_eq!(
            decode_summaries(huge),
            Err(WireError::Invalid {
                at: SUMMARIES_MAGIC.len() + 2
            })
        );
        assert_eq!(decode_summaries(b"PCRW1\n".to_vec()), Err(WireError::Magic));
    }

    /// A container's lower files cross with their owners and extended attributes: decoded a
    /// few rows per step they are the files `files_of` made (non-UTF-8 names, attributes
    /// with one and with an empty value, a hard link, a whiteout's effect, an implied
    /// folder owned by nobody); rows with and without an owner never mix, and cut anywhere the
    /// bytes are an error.
    #[test]
    fn lower_files_round_trip_with_their_owners() {
        use crate::write::container::files_of;
        let xattr = |n: &[u8], v: &[u8]| Xattr {
            name: n.to_vec(),
            value: v.to_vec(),
        };
        let mut odd = entry("usr/lib/x", EntryKind::File);
        odd.path = RawPath::from_bytes(b"usr/lib/\xe9".to_vec());
        odd.uid = u64::MAX;
        odd.gid = 1 << 40;
        let odd_xattrs = vec![
            xattr(b"security.capability", b"\0\0\0\x02\0 \0\0"),
            xattr(b"user.\xff", b""),
        ];
        odd.set_extra(EntryExtra {
            sparse: None,
            xattrs: odd_xattrs.clone(),
        });
        let odd_path = odd.path.clone();
        let mut link = entry("usr/lib/l", EntryKind::Hardlink);
        link.link_target = Some(odd.path.clone());
        link.uid = 7;
        let mut gone = entry("usr/lib/gone", EntryKind::File);
        gone.uid = 9;
        let a = crate::test_support::archive_of_layers(vec![
            vec![entry("usr", EntryKind::Dir), odd, gone],
            vec![
                link,
                entry("usr/lib/.wh.gone", EntryKind::File),
                entry("opt/implied/f", EntryKind::File),
            ],
        ]);
        let image = a.images.first().expect("an image");
        let files = files_of(&a, image);
        assert!(files.len() >= 5, "{files:?}");
        assert!(files.iter().any(|f| f.uid == u64::MAX && f.gid == 1 << 40));
        assert!(files
            .iter()
            .any(|f| f.row.path.as_bytes() == b"opt" && (f.uid, f.gid) == (0, 0)));
        assert!(!files
            .iter()
            .any(|f| f.row.path.as_bytes() == b"usr/lib/gone"));
        let f = files.iter().find(|f| f.row.path == odd_path);
        assert_eq!(f.map(|f| f.xattrs.clone()), Some(odd_xattrs.clone()));
        let bytes = encode_lower(&files);
        let mut d = RowsDecoder::new(bytes.clone()).expect("magic");
        while !d.step(2).expect("decodes") {}
        assert_eq!(d.finish_lower(), files);
        // As plain rows they are the view's rows.
        let (rows, _) = decode_rows(bytes.clone()).expect("decodes");
        assert_eq!(
            rows,
            files.iter().map(|f| f.row.clone()).collect::<Vec<_>>()
        );
        for cut in 0..bytes.len() {
            assert!(
                decode_rows(bytes.get(..cut).unwrap_or(&[]).to_vec()).is_err(),
                "cut at {cut}"
            );
        }
        // A row with an owner after one without (and the other way round) is refused.
        let plain = encode_rows(&rows[..1], None);
        let owned = encode_lower(&files[1..2]);
        let mut mixed = ROWS_MAGIC.to_vec();
        put(&mut mixed, 2);
        mixed.extend_from_slice(&plain[ROWS_MAGIC.len() + 1..]);
        mixed.extend_from_slice(&owned[ROWS_MAGIC.len() + 1..]);
        assert!(matches!(decode_rows(mixed), Err(WireError::Invalid { .. })));
        let mut mixed = ROWS_MAGIC.to_vec();
        put(&mut mixed, 2);
        mixed.extend_from_slice(&owned[ROWS_MAGIC.len() + 1..]);
        mixed.extend_from_slice(&plain[ROWS_MAGIC.len() + 1..]);
        assert!(matches!(decode_rows(mixed), Err(WireError::Invalid { .. })));
    }

    /// A row count larger than the bytes could hold is refused before anything is allocated.
    #[test]
    fn rows_lying_count_is_invalid() {
        let mut bytes = ROWS_MAGIC.to_vec();
        put(&mut bytes, u64::MAX);
        assert!(matches!(decode_rows(bytes), Err(WireError::Invalid { .. })));
    }

    /// Every field, every kind, extreme numbers, non-UTF-8 names, sparse maps: split, decoded
    /// one entry per step and grafted, the archive equals the original.
    /// A hasher's facts cross as JSON without their entries plus the entries in this form:
    /// put back, they equal the facts as found; facts with nothing to carry are not touched.
    #[test]
    fn facts_split_and_grafted_back_are_the_same() {
        let mut odd = entry("usr/lib/\u{e9}", EntryKind::File);
        odd.path = RawPath::from_bytes(b"usr/lib/\xe9".to_vec());
        odd.size = u64::MAX;
        let mut link = entry("usr/lib/l", EntryKind::Hardlink);
        link.link_target = Some(odd.path.clone());
        let a = crate::test_support::archive_of_layers(vec![vec![
            entry("usr", EntryKind::Dir),
            odd,
            link,
        ]]);
        let (member, original) = a
            .members
            .iter()
            .enumerate()
            .find(|(_, m)| m.facts.layer.is_some())
            .map(|(i, m)| (i, m.facts.clone()))
            .expect("a layer member");
        let mut facts = original.clone();
        let bytes = split_facts(member, &mut facts).expect("entries to carry");
        assert!(facts.layer.as_ref().is_some_and(|l| l.entries.is_empty()));
        assert_ne!(facts, original);
        let mut d = Decoder::new(bytes).expect("magic");
        while !d.step(1).expect("decodes") {}
        let layers = d.finish();
        // Another member's lists change nothing.
        let mut other = facts.clone();
        graft_facts(member + 1, &mut other, &layers);
        assert_ne!(other, original);
        graft_facts(member, &mut facts, &layers);
        assert_eq!(facts, original);
        let mut empty = MemberFacts::default();
        assert_eq!(split_facts(0, &mut empty), None);
        assert_eq!(empty, MemberFacts::default());
    }

    /// The smallest entries there are (the same path again, every number below 128) are 9
    /// bytes each: a layer of only those is not taken for a lying count.
    #[test]
    fn smallest_entries_round_trip() {
        let mut small = entry("a", EntryKind::File);
        small.mode = 0;
        let a = crate::test_support::archive_of_layers(vec![vec![small.clone(); 3]]);
        let (mut stripped, bytes) = split(&a);
        let mut d = Decoder::new(bytes).expect("magic");
        assert_eq!(d.step(100), Ok(true));
        graft(&mut stripped, &d.finish());
        assert_eq!(stripped, a);
    }

    #[test]
    fn round_trip_of_every_field_one_entry_per_step() {
        let mut odd = entry("usr/share/caf\u{e9}", EntryKind::File);
        odd.path = RawPath::from_bytes(b"usr/share/caf\xe9.txt".to_vec());
        odd.size = u64::MAX;
        odd.mode = u32::MAX;
        odd.uid = u64::MAX;
        odd.gid = 1 << 40;
        odd.mtime = 1_700_000_000;
        odd.content_offset = Some(u64::MAX - 1);
        odd.extra = Some(Box::new(EntryExtra {
            xattrs: vec![
                Xattr {
                    name: b"security.capability".to_vec(),
                    value: vec![
                        1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                    ],
                },
                Xattr {
                    name: b"user.empty".to_vec(),
                    value: Vec::new(),
                },
            ],
            sparse: Some(Sparse {
                regions: vec![
                    SparseRegion {
                        offset: 0,
                        length: 512,
                    },
                    SparseRegion {
                        offset: 1 << 33,
                        length: 7,
                    },
                ],
                complete: false,
                stored: 1 << 40,
            }),
        }));
        let mut link = entry("usr/share/cafe", EntryKind::Hardlink);
        link.link_target = Some(RawPath::from_bytes(b"usr/share/caf\xe9.txt".to_vec()));
        let mut layer0: Vec<Entry> = KINDS
            .iter()
            .enumerate()
            .map(|(i, k)| entry(&format!("usr/share/x{i}"), *k))
            .collect();
        layer0.push(odd);
        layer0.push(link);
        layer0.push(entry("", EntryKind::Dir));
        let layer1 = vec![entry("a", EntryKind::Symlink), entry("a", EntryKind::File)];
        let a = crate::test_support::archive_of_layers(vec![layer0, Vec::new(), layer1]);
        let (mut stripped, bytes) = split(&a);
        assert!(stripped.members.iter().all(|m| m
            .facts
            .layer
            .as_ref()
            .is_some_and(|l| l.entries.is_empty())));
        let mut d = Decoder::new(bytes).expect("magic");
        let mut steps = 0;
        while !d.step(1).expect("decodes") {
            steps += 1;
            assert!(steps < 100);
        }
        assert_eq!(d.entries_done(), 13);
        let layers = d.finish();
        assert_eq!(
            layers
                .iter()
                .map(|(m, e)| (*m, e.len()))
                .collect::<Vec<_>>(),
            vec![(0, 11), (1, 0), (2, 2)]
        );
        graft(&mut stripped, &layers);
        assert_eq!(stripped, a);
    }

    /// Checked one entry per step and handed over in the compact form, the lists say their
    /// length without decoding, decode on the first read to the entries the walk found, once
    /// for every clone (the page clones the archive on every facts update).
    #[test]
    fn compact_lists_decode_on_first_read_once_for_all_clones() {
        let mut link = entry("usr/share/cafe", EntryKind::Hardlink);
        link.link_target = Some(RawPath::from_bytes(b"usr/share/caf\xe9.txt".to_vec()));
        let mut sparse = entry("var/sparse", EntryKind::File);
        sparse.content_offset = Some(4096);
        sparse.set_extra(EntryExtra {
            sparse: Some(Sparse {
                regions: vec![SparseRegion {
                    offset: 1 << 33,
                    length: 7,
                }],
                complete: true,
                stored: 7,
            }),
            xattrs: Vec::new(),
        });
        let layer0: Vec<Entry> = KINDS
            .iter()
            .enumerate()
            .map(|(i, k)| entry(&format!("usr/share/x{i}"), *k))
            .chain([link, sparse])
            .collect();
        let layer2 = vec![
            entry("usr/share/x0", EntryKind::File),
            entry("a", EntryKind::Dir),
        ];
        let a = crate::test_support::archive_of_layers(vec![layer0, Vec::new(), layer2]);
        let (mut stripped, bytes) = split(&a);
        let mut d = Decoder::compact(bytes).expect("magic");
        while !d.step(1).expect("checks") {}
        assert_eq!(d.entries_done(), 12);
        let layers = d.finish();
        graft(&mut stripped, &layers);
        let copy = stripped.clone();
        let lists = |x: &Archive| -> Vec<Entries> {
            x.members
                .iter()
                .filter_map(|m| m.facts.layer.as_ref().map(|l| l.entries.clone()))
                .collect()
        };
        assert_eq!(
            lists(&copy)
                .iter()
                .map(|l| (l.len(), l.is_decoded()))
                .collect::<Vec<_>>(),
            vec![(10, false), (0, false), (2, false)]
        );
        // One entry, or a walk that stops early, reads the bytes and keeps the list compact.
        let first_layer = lists(&copy).into_iter().next().expect("a layer");
        let want = a
            .members
            .iter()
            .find_map(|m| m.facts.layer.as_ref())
            .expect("a layer");
        assert_eq!(first_layer.get_one(9).as_ref(), want.entries.get(9));
        assert_eq!(first_layer.get_one(10), None);
        let mut seen = Vec::new();
        first_layer.each_until(|i, e| {
            seen.push((i, e.path.clone()));
            i < 3
        });
        assert_eq!(
            seen,
            want.entries
                .iter()
                .take(4)
                .enumerate()
                .map(|(i, e)| (i, e.path.clone()))
                .collect::<Vec<_>>()
        );
        assert!(!first_layer.is_decoded());
        // Read through the copy; the original shares what it decoded.
        assert_eq!(copy, a);
        assert!(lists(&stripped).iter().all(Entries::is_decoded));
        assert!(lists(&stripped)
            .iter()
            .zip(lists(&copy).iter())
            .all(|(x, y)| Entries::ptr_eq(x, y) && x.as_ptr() == y.as_ptr()));
        assert_eq!(stripped, a);
    }

    /// The real fixtures: the bytes are much smaller than the entries' JSON, decode to the
    /// same entries in steps of 100, and a graft shares the decoded `Arc`s.
    #[test]
    fn fixtures_round_trip_and_are_smaller_than_json() {
        let dir = std::env::var_os("PANCAKE_FIXTURES")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| {
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures")
            });
        let mut checked = 0;
        for name in [
            "docker26-save-app1.tar",
            "fixture_dive_test-docker-image.tar",
        ] {
            let bytes = std::fs::read(dir.join(name)).expect("fixture");
            let a = open(name, &bytes, &Options::default(), &mut |_| {}).expect("reads");
            let (mut stripped, wire) = split(&a);
            let json: usize = a
                .members
                .iter()
                .filter_map(|m| m.facts.layer.as_ref())
                .map(|l| serde_json::to_string(&*l.entries).map_or(0, |s| s.len()))
                .sum();
            assert!(
                wire.len() * 2 < json,
                "{name}: {} vs JSON {json}",
                wire.len()
            );
            let mut lazy = stripped.clone();
            let mut c = Decoder::compact(wire.clone()).expect("magic");
            while !c.step(100).expect("checks") {}
            graft(&mut lazy, &c.finish());
            assert_eq!(
                lazy.entry_count(),
                a.entry_count(),
                "{name}: counted, not decoded"
            );
            assert_eq!(lazy, a, "{name}: the compact lists decode to the walk's");
            let mut d = Decoder::new(wire).expect("magic");
            while !d.step(100).expect("decodes") {}
            let layers = d.finish();
            graft(&mut stripped, &layers);
            assert_eq!(stripped, a, "{name}");
            let (m, arc) = layers.first().expect("a layer");
            let shared = stripped
                .members
                .get(*m)
                .and_then(|x| x.facts.layer.as_ref());
            assert!(shared.is_some_and(|l| Entries::ptr_eq(&l.entries, arc)));
            checked += 1;
        }
        assert_eq!(checked, 2);
    }

    /// Lists checked from shared bytes hold those very bytes (one reference each), not a
    /// copy, and decode to the walk's entries; bytes in another form are refused.
    #[test]
    fn compact_lists_share_the_bytes_they_came_in() {
        let dir = std::env::var_os("PANCAKE_FIXTURES")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| {
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures")
            });
        let name = "docker26-save-app1.tar";
        let bytes = std::fs::read(dir.join(name)).expect("fixture");
        let a = open(name, &bytes, &Options::default(), &mut |_| {}).expect("reads");
        let (mut stripped, wire) = split(&a);
        let shared: Arc<[u8]> = Arc::from(wire);
        let mut d = Decoder::compact_shared(shared.clone()).expect("magic");
        while !d.step(7).expect("checks") {}
        let lists = d.finish();
        assert!(lists.len() >= 2, "layers: {}", lists.len());
        assert_eq!(Arc::strong_count(&shared), 1 + lists.len());
        graft(&mut stripped, &lists);
        assert_eq!(stripped, a, "the shared lists decode to the walk's");
        let other: Arc<[u8]> = Arc::from(&b"{\"json\": 1}"[..]);
        assert_eq!(
            Decoder::compact_shared(other).map(|_| ()),
            Err(WireError::Magic)
        );
    }

    /// Damaged bytes give an error, never a panic or a huge allocation: every truncation, and
    /// every single-byte change, of a real index.
    #[test]
    fn damaged_bytes_are_errors() {
        let a = crate::test_support::archive_of_layers(vec![vec![
            entry("etc/passwd", EntryKind::File),
            entry("etc/shadow", EntryKind::File),
        ]]);
        let (_, wire) = split(&a);
        assert_eq!(
            Decoder::new(b"JSON".to_vec()).map(|_| ()),
            Err(WireError::Magic)
        );
        for cut in MAGIC.len()..wire.len() {
            let bytes = wire.get(..cut).expect("in range").to_vec();
            let r = Decoder::new(bytes).and_then(|mut d| d.step(usize::MAX));
            assert!(
                matches!(
                    r,
                    Err(WireError::Truncated { .. } | WireError::Invalid { .. })
                ),
                "cut at {cut}: {r:?}"
            );
        }
        for at in MAGIC.len()..wire.len() {
            let mut bytes = wire.clone();
            if let Some(b) = bytes.get_mut(at) {
                *b = 0xff;
            }
            // Decoding either fails or gives some entries; it never panics. Checking finds
            // exactly what decoding finds, and lists it lets through decode whole, to the
            // same entries: a compact list never reads as a part of itself.
            let eager = Decoder::new(bytes.clone())
                .and_then(|mut d| d.step(usize::MAX).map(|_| d.finish()));
            let checked =
                Decoder::compact(bytes).and_then(|mut d| d.step(usize::MAX).map(|_| d.finish()));
            match (eager, checked) {
                (Ok(e), Ok(c)) => {
                    assert_eq!(e.len(), c.len(), "byte {at}");
                    for ((em, el), (cm, cl)) in e.iter().zip(&c) {
                        assert_eq!((em, el.len()), (cm, cl.len()), "byte {at}");
                        assert_eq!(el.as_slice(), cl.as_slice(), "byte {at}");
                    }
                }
                (Err(e), Err(c)) => assert_eq!(e, c, "byte {at}"),
                (e, c) => panic!("byte {at}: decoding {e:?}, checking {c:?}"),
            }
        }
        for cut in MAGIC.len()..wire.len() {
            let bytes = wire.get(..cut).expect("in range").to_vec();
            let r = Decoder::compact(bytes).and_then(|mut d| d.step(usize::MAX));
            assert!(r.is_err(), "cut at {cut}: {r:?}");
        }
        // A count far beyond the bytes is refused before anything is allocated for it.
        let mut lie = MAGIC.to_vec();
        lie.extend_from_slice(&[1, 0, 0xff, 0xff, 0xff, 0xff, 0x0f]);
        let r = Decoder::new(lie).and_then(|mut d| d.step(1));
        assert_eq!(r, Err(WireError::Invalid { at: 8 }));
    }
}
