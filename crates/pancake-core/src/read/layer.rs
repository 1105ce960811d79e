//! Walking the inner tar of one layer blob into a list of [`Entry`]s, reading every header
//! the way Go's `archive/tar` reads it (Docker extracts layers with it; see
//! [`crate::read::tarfmt`] for the header formats): PAX and GNU long-name/long-link headers fold
//! into the member they describe (the last of several wins), PAX global headers are not
//! members and change nothing, sparse files are listed under their real name and size.
//!
//! Two walks share one [`Walker`]: a streaming walk over any `Read` (used while the blob is
//! hashed; it reads exactly through the end-of-archive marker) and a header-only walk over a
//! `ReadAt` that seeks over file content (the fast first view of an uncompressed layer). Both
//! yield identical results, problems included.
//!
//! Bounded: an extension record (long name/link, PAX data, sparse map) larger than
//! `limits.max_extension_bytes` is skipped, never buffered; entries per layer and path depth
//! are capped. Each limit hit is a `limit` problem; what was read stays listed.

use std::borrow::Cow;
use std::io::{self, Read, Seek, SeekFrom};

use crate::analyze::lookup::MAX_SYMLINKS;
use crate::limits::Limits;
use crate::model::{
    CutEntry, Entry, EntryExtra, EntryKind, Member, Problem, ProblemKind, Sparse, SparseRegion,
    StoredMismatch, Xattr,
};
use crate::path::RawPath;
use crate::read::below_non_folder::below_non_folders;
use crate::read::listed::{Listed, PER_LAYER};
use crate::read::tarfmt::{self, flag, Fragment, PaxRecords, PaxSparse, BLOCK};
use crate::read::through_symlink::{climbs_above_root, Landing, LayerLinks, MAX_LINK_TARGET};
use crate::source::ReadAt;

/// What one walk over a layer tar found.
#[derive(Debug, Default)]
pub struct LayerWalk {
    /// Members in archive order, as Go's `tar.Reader.Next` returns them (extension headers
    /// and PAX global headers are not members).
    pub entries: Vec<Entry>,
    /// Why the listing stopped before the end of the tar, if it did: "unreadable at entry X,
    /// byte offset Y: reason" (Y counts from the start of the layer tar).
    pub error: Option<String>,
    /// Unsafe names, duplicate paths, limits hit, format quirks; each message names the
    /// layer member.
    pub problems: Vec<Problem>,
    /// A limit left entries out or listed one under another name ([`LayerIndex::left_out`]).
    pub left_out: bool,
    /// The tar ends inside the data of its last listed entry ([`LayerIndex::cut`]).
    pub cut: Option<CutEntry>,
}

/// Streams a layer tar from `reader`. `content_base` is the outer-file offset of the first
/// byte `reader` yields, when known, so each file's content offset can be recorded.
/// Reads exactly through the end-of-archive marker (or the end of the stream); the caller
/// drains the rest (padding) if it hashes.
pub fn walk<R: Read>(
    mut reader: R,
    member: &str,
    content_base: Option<u64>,
    limits: &Limits,
) -> LayerWalk {
    walk_read(&mut reader, member, content_base, None, limits)
}

/// [`walk`] over a tar known to be `size` bytes long (an uncompressed layer blob): the same
/// result, the entry list growing by an estimate from the share of `size` walked so far
/// (never by less than doubling; see `make_room`), so that it moves fewer times.
pub fn walk_sized<R: Read>(
    mut reader: R,
    member: &str,
    content_base: Option<u64>,
    size: u64,
    limits: &Limits,
) -> LayerWalk {
    walk_read(&mut reader, member, content_base, Some(size), limits)
}

/// [`walk`] over a reader whose type is erased: the walk (~18 KB of the worker's wasm) is
/// compiled once, not once per reader type its callers have (one dynamic call per read).
#[inline(never)]
fn walk_read(
    reader: &mut dyn Read,
    member: &str,
    content_base: Option<u64>,
    size: Option<u64>,
    limits: &Limits,
) -> LayerWalk {
    let src = Stream {
        r: reader,
        pos: 0,
        scratch: Vec::new(),
    };
    collect(
        Walker::new(src, member, limits),
        member,
        content_base,
        size,
        limits,
    )
}

/// Header-only walk over `len` bytes at `offset` of `source` (an uncompressed layer tar):
/// file content is seeked over, never read, so this costs one small read per ~64 KiB of
/// headers. Same result as [`walk`] over the same bytes with `content_base = Some(offset)`.
pub fn walk_headers<S: ReadAt + ?Sized>(
    source: &S,
    offset: u64,
    len: u64,
    member: &str,
    limits: &Limits,
) -> LayerWalk {
    // One copy of the walk for every kind of source (the archive's walk reads through
    // `source::Furthest`, a hasher through the page's `File`): a copy per type made the
    // page's gzipped worker 4 KB larger (measured 6 Dec).
    let source = crate::source::Borrowed(source);
    let source: &dyn ReadAt = &source;
    let reader = SeekReader::new(source, offset, len, 64 * 1024);
    // What the source holds, not what was claimed: the room for entries is sized from it.
    let len = reader.len;
    let src = Seeking(reader);
    collect(
        Walker::new(src, member, limits),
        member,
        Some(offset),
        Some(len),
        limits,
    )
}

/// Reads copy `nth` (0-based, in tar order; `None`: the last, which is what the layer leaves)
/// of the regular file `path` from a layer tar streamed by `reader`, at most `max` bytes, sparse
/// holes as zeros. `Ok(None)` when the layer has no such copy; `Err` when the tar is unreadable
/// before it is found.
pub fn read_file<R: Read>(
    reader: R,
    path: &RawPath,
    nth: Option<usize>,
    max: usize,
    limits: &Limits,
) -> io::Result<Option<Vec<u8>>> {
    let src = Stream {
        r: reader,
        pos: 0,
        scratch: Vec::new(),
    };
    let mut w = Walker::new(src, "", limits);
    let mut found = None;
    let mut seen = 0usize;
    loop {
        match w.next() {
            Step::Entry(f) => {
                if f.kind == EntryKind::File && RawPath::normalize(&f.name) == *path {
                    let bytes = w.read_content(&f, max)?;
                    if nth == Some(seen) {
                        return Ok(Some(bytes));
                    }
                    found = Some(bytes);
                    seen += 1;
                }
            }
            Step::End => return Ok(found.filter(|_| nth.is_none())),
            Step::Fail(e) => return Err(io::Error::other(e)),
        }
    }
}

/// [`read_files`]' way to read the current file: at most `max` bytes of it.
pub type ReadContent<'a> = dyn FnMut(usize) -> io::Result<Vec<u8>> + 'a;

/// Reads many regular files of one layer tar in a single streaming walk (where [`read_file`]
/// would walk the tar once per file). `visit(path, read)` is called for each regular-file
/// member in tar order (several copies of a path: once per copy, as [`read_file`] counts
/// them); calling `read(max)` gives at most `max` bytes of its content (sparse holes as
/// zeros), one file at a time, so memory stays at one file's bytes. `visit` returns whether
/// to go on; the walk also ends at the end of the tar. `Err` when the tar is unreadable
/// before then, or what `visit` returned.
pub fn read_files<R: Read>(
    reader: R,
    limits: &Limits,
    visit: &mut dyn FnMut(&RawPath, &mut ReadContent<'_>) -> io::Result<bool>,
) -> io::Result<()> {
    let src = Stream {
        r: reader,
        pos: 0,
        scratch: Vec::new(),
    };
    let mut w = Walker::new(src, "", limits);
    loop {
        match w.next() {
            Step::Entry(f) => {
                if f.kind != EntryKind::File {
                    continue;
                }
                let path = RawPath::normalize(&f.name);
                let go_on = visit(&path, &mut |max| w.read_content(&f, max))?;
                if !go_on {
                    return Ok(());
                }
            }
            Step::End => return Ok(()),
            Step::Fail(e) => return Err(io::Error::other(e)),
        }
    }
}

/// Opens copy `nth` (0-based, in tar order) of the regular file `path` of a layer tar streamed
/// by `reader` as a [`Content`] reader: its bytes are pulled as they are read, so memory stays
/// at the walk's small buffers whatever the file's size. `Ok(None)` when the layer has no such
/// copy; `Err` when the tar is unreadable before it is found (the walk's message: "unreadable
/// at entry X, byte offset Y: reason").
pub(crate) fn open_file<R: Read>(
    reader: R,
    path: &RawPath,
    nth: usize,
    limits: &Limits,
) -> io::Result<Option<Content<io::Take<Stream<R>>>>> {
    let src = Stream {
        r: reader,
        pos: 0,
        scratch: Vec::new(),
    };
    let mut w = Walker::new(src, "", limits);
    let mut seen = 0usize;
    loop {
        match w.next() {
            Step::Entry(f) => {
                if f.kind == EntryKind::File && RawPath::normalize(&f.name) == *path {
                    if seen == nth {
                        if let Some(m) = f.sparse.as_ref().and_then(Sparse::mismatch) {
                            return Err(mismatch_error(m));
                        }
                        let stored = w.data_left;
                        let Walker { src, .. } = w;
                        let stored = src.take(stored);
                        return Content::new(stored, f.sparse.as_ref(), f.size).map(Some);
                    }
                    seen += 1;
                }
            }
            Step::End => return Ok(None),
            Step::Fail(e) => return Err(io::Error::other(e)),
        }
    }
}

/// How many bytes regular file `e` stores (its size; for a sparse file what its map's
/// regions take), or how its map and its stored bytes disagree.
pub(crate) fn stored_len(e: &Entry) -> Result<u64, StoredMismatch> {
    match e.sparse() {
        Some(s) => match s.mismatch() {
            Some(m) => Err(m),
            None => Ok(s.map_bytes()),
        },
        None => Ok(e.size),
    }
}

/// Where the stored bytes of regular file `e` of layer blob `m` lie in the file as stored:
/// `(offset, length)`, checked to lie inside the member's data (a layer cut inside the
/// entry's data is [`StoredMismatch::Truncated`]) and to be what its sparse map reads
/// ([`stored_len`]). `Ok(None)` when they are not read by offset (a compressed layer or
/// outer file): the decompressing walk reads them, bounded by the entry's own data. Every
/// read by offset of an entry's bytes goes through here, so none reads outside the entry.
pub(crate) fn stored_range(m: &Member, e: &Entry) -> Result<Option<(u64, u64)>, StoredMismatch> {
    let len = stored_len(e)?;
    let (Some(off), Some(start)) = (e.content_offset, m.data_offset) else {
        return Ok(None);
    };
    let end = start.saturating_add(m.size);
    if off < start || off > end {
        return Err(StoredMismatch::Truncated { got: 0, need: len });
    }
    let got = end - off;
    if got < len {
        return Err(StoredMismatch::Truncated { got, need: len });
    }
    Ok(Some((off, len)))
}

/// `m` as an `io::Error` that keeps it (see [`stored_mismatch_of`]).
fn mismatch_error(m: StoredMismatch) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, m)
}

/// The [`StoredMismatch`] an error of the walk's readers carries, if it is one.
pub(crate) fn stored_mismatch_of(e: &io::Error) -> Option<StoredMismatch> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<StoredMismatch>())
        .copied()
}

/// A file's content as a `Read`, pulled from its stored bytes (`stored`, read in order, each
/// byte once): a plain file's bytes as they are, a sparse file's regions at their offsets
/// with zeros between and after them, `size` bytes in all. It ends early (fewer than `size`
/// bytes, then `Ok(0)`) when `stored` ends before the map's regions do; the caller compares
/// the count with `size`.
pub struct Content<R> {
    stored: R,
    /// Data regions in increasing offset order (a plain file: one region of `size` bytes).
    regions: Vec<SparseRegion>,
    size: u64,
    /// Bytes of the content given so far.
    pos: u64,
    /// The next region not yet entered.
    next: usize,
    /// Stored bytes left in the region being read.
    in_region: u64,
    /// `stored` ended before the regions did.
    short: bool,
}

impl<R: Read> Content<R> {
    /// The content of a file of `size` bytes whose stored bytes `stored` yields, expanded by
    /// `sparse` when it has a map. A sparse map that was not kept (over the limit) is an error:
    /// the content cannot be known.
    pub fn new(stored: R, sparse: Option<&Sparse>, size: u64) -> io::Result<Self> {
        let regions = match sparse {
            Some(s) if !s.complete => {
                return Err(io::Error::other(
                    "the sparse map of this file was larger than the limit and was not kept",
                ))
            }
            Some(s) => s.regions.clone(),
            None => vec![SparseRegion {
                offset: 0,
                length: size,
            }],
        };
        Ok(Content {
            stored,
            regions,
            size,
            pos: 0,
            next: 0,
            in_region: 0,
            short: false,
        })
    }

    /// The content's size in bytes (the header's real size), what a full read gives.
    pub fn size(&self) -> u64 {
        self.size
    }
}

impl<R: Read> Read for Content<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let left = self.size.saturating_sub(self.pos);
            if left == 0 || self.short || buf.is_empty() {
                return Ok(0);
            }
            let room = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
            if self.in_region > 0 {
                let want = usize::try_from(self.in_region)
                    .unwrap_or(usize::MAX)
                    .min(room);
                let Some(dst) = buf.get_mut(..want) else {
                    return Ok(0);
                };
                let n = loop {
                    match self.stored.read(dst) {
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        other => break other?,
                    }
                };
                if n == 0 {
                    self.short = true;
                    return Ok(0);
                }
                self.in_region -= n as u64;
                self.pos += n as u64;
                return Ok(n);
            }
            // Between regions: the next one starts here, later (zeros up to it), or there is
            // none (zeros to the end).
            let hole_end = match self.regions.get(self.next) {
                Some(r) if r.length == 0 => {
                    self.next += 1;
                    continue;
                }
                Some(r) if r.offset < self.pos => {
                    return Err(io::Error::other("sparse regions out of order"));
                }
                Some(r) if r.offset == self.pos => {
                    self.in_region = r.length;
                    self.next += 1;
                    continue;
                }
                Some(r) => r.offset,
                None => self.size,
            };
            let zeros = usize::try_from(hole_end - self.pos)
                .unwrap_or(usize::MAX)
                .min(room);
            if let Some(dst) = buf.get_mut(..zeros) {
                dst.fill(0);
            }
            self.pos += zeros as u64;
            return Ok(zeros);
        }
    }
}

/// Expands a sparse file's content, at most `max` bytes of it: zeros, with each region's
/// stored bytes read by `read(stored_offset, buf)` (stored offsets count from the first
/// region's first byte and increase from call to call).
pub fn expand_sparse(
    sparse: &Sparse,
    size: u64,
    max: usize,
    read: &mut dyn FnMut(u64, &mut [u8]) -> io::Result<()>,
) -> io::Result<Vec<u8>> {
    if !sparse.complete {
        return Err(io::Error::other(
            "the sparse map of this file was larger than the limit and was not kept",
        ));
    }
    let want = usize::try_from(size).unwrap_or(usize::MAX).min(max);
    let mut out = vec![0u8; want];
    let mut stored = 0u64;
    for r in &sparse.regions {
        let start = usize::try_from(r.offset).unwrap_or(usize::MAX);
        if start >= want {
            break;
        }
        let len = usize::try_from(r.length)
            .unwrap_or(usize::MAX)
            .min(want - start);
        if let Some(dst) = out.get_mut(start..start.saturating_add(len)) {
            read(stored, dst)?;
        }
        stored = stored.saturating_add(r.length);
    }
    Ok(out)
}

/// Where a walk reads blocks from: a stream (skips by reading) or a seekable range (skips by
/// moving). Both report the same short counts at the end of the data.
trait Blocks {
    /// Fills `buf` as far as the data goes; fewer bytes only at the end.
    fn fill(&mut self, buf: &mut [u8]) -> io::Result<usize>;
    /// Skips up to `n` bytes; fewer only at the end.
    fn skip(&mut self, n: u64) -> io::Result<u64>;
    /// Bytes consumed since the start of the tar.
    fn pos(&self) -> u64;
}

/// A walk's source over a stream (skips by reading); after [`open_file`] found its file,
/// the file's stored bytes are read from it.
pub(crate) struct Stream<R> {
    r: R,
    pos: u64,
    scratch: Vec<u8>,
}

impl<R: Read> Blocks for Stream<R> {
    fn fill(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = fill_from(&mut self.r, buf)?;
        self.pos += n as u64;
        Ok(n)
    }
    fn skip(&mut self, n: u64) -> io::Result<u64> {
        if self.scratch.is_empty() {
            self.scratch = vec![0u8; 64 * 1024];
        }
        let mut done = 0u64;
        while done < n {
            let want = usize::try_from(n - done)
                .unwrap_or(usize::MAX)
                .min(self.scratch.len());
            let Some(buf) = self.scratch.get_mut(..want) else {
                break;
            };
            let got = fill_from(&mut self.r, buf)?;
            done += got as u64;
            self.pos += got as u64;
            if got < want {
                break;
            }
        }
        Ok(done)
    }
    fn pos(&self) -> u64 {
        self.pos
    }
}

impl<R: Read> Read for Stream<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.r.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

fn fill_from<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let Some(rest) = buf.get_mut(filled..) else {
            break;
        };
        match r.read(rest) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

struct Seeking<'a, S: ReadAt + ?Sized>(SeekReader<'a, S>);

impl<S: ReadAt + ?Sized> Blocks for Seeking<'_, S> {
    fn fill(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        fill_from(&mut self.0, buf)
    }
    fn skip(&mut self, n: u64) -> io::Result<u64> {
        let r = &mut self.0;
        let k = n.min(r.len.saturating_sub(r.pos));
        r.pos += k;
        Ok(k)
    }
    fn pos(&self) -> u64 {
        self.0.pos
    }
}

/// One member as the walk found it (raw names; `data_pos` counts from the tar's start).
struct Found {
    name: Vec<u8>,
    link: Vec<u8>,
    kind: EntryKind,
    /// Real size for files (the apparent size of a sparse file), 0 otherwise.
    size: u64,
    mode: i64,
    uid: i64,
    gid: i64,
    mtime: i64,
    /// Where the file's (first stored) content byte is.
    data_pos: u64,
    sparse: Option<Sparse>,
    /// Its `SCHILY.xattr.*` PAX records as attributes, sorted by name.
    xattrs: Vec<Xattr>,
    /// The member's final typeflag (a V7 NUL type already read as `0` or `5`), to say which
    /// types Docker's unpacking refuses.
    typeflag: u8,
}

enum Step {
    Entry(Found),
    /// The end of the tar (problems for a missing end marker are already recorded).
    End,
    /// The tar cannot be read further: "unreadable at entry X, byte offset Y: reason".
    Fail(String),
}

/// What the data being skipped belongs to, for a message when it is cut short.
struct Current {
    name: Vec<u8>,
    header_at: u64,
    size: i64,
    from_pax: bool,
    /// A member the walk returns (a file's data), not an extension record it reads or skips:
    /// only a member's data cut short makes [`LayerWalk::cut`].
    entry: bool,
}

/// An extension record that was over the limit and skipped, reported with the member it
/// describes (or at the end, if none follows).
struct Skipped {
    what: &'static str,
    size: u64,
    header_at: u64,
}

/// Reads members one by one, following Go's `tar.Reader.next`.
struct Walker<'a, B> {
    src: B,
    member: &'a str,
    limits: &'a Limits,
    /// Data bytes of the current member still to skip, then its padding.
    data_left: u64,
    pad: u64,
    current: Option<Current>,
    /// The last member returned, to name where a broken header is.
    last_name: Option<Vec<u8>>,
    problems: Vec<Problem>,
    /// The `limit` problems about one entry (an extension record skipped, a sparse map not
    /// kept): a hostile layer may give one per entry.
    limits_listed: Listed,
    /// An extension record over Go's bound was skipped: the `unpack-fails` problem that says
    /// so is given once per layer.
    go_refuses: bool,
    /// An entry is listed under the name in its own header, its long name or PAX record
    /// skipped ([`LayerWalk::left_out`]).
    renamed: bool,
    /// The tar ended inside the current member's data: (its size as its header claims, the
    /// bytes of it there), for [`LayerWalk::cut`].
    cut: Option<(u64, u64)>,
    done: bool,
}

/// Go's `archive/tar` reads a PAX header or a GNU long name or link record of at most this
/// many bytes (`maxSpecialFileSize`); over it, `Reader.Next` fails with "archive/tar: header
/// field too long", and with it `docker load` and containerd's unpacking of the layer.
const GO_MAX_SPECIAL_FILE: u64 = 1 << 20;

fn shown(name: &[u8]) -> String {
    RawPath::from_bytes(name.to_vec()).display().into_owned()
}

/// Padding after `n` data bytes up to the next block boundary.
fn padding(n: u64) -> u64 {
    (BLOCK as u64 - n % BLOCK as u64) % BLOCK as u64
}

impl<'a, B: Blocks> Walker<'a, B> {
    fn new(src: B, member: &'a str, limits: &'a Limits) -> Self {
        Walker {
            src,
            member,
            limits,
            data_left: 0,
            pad: 0,
            current: None,
            last_name: None,
            problems: Vec::new(),
            limits_listed: Listed::default(),
            go_refuses: false,
            renamed: false,
            cut: None,
            done: false,
        }
    }

    fn where_after(&self) -> String {
        match &self.last_name {
            Some(n) => format!("the header after entry {}", shown(n)),
            None => "the first header".to_string(),
        }
    }

    fn fail(&mut self, at: &str, offset: u64, reason: &str) -> Step {
        Step::Fail(self.fail_text(at, offset, reason))
    }

    fn fail_text(&mut self, at: &str, offset: u64, reason: &str) -> String {
        self.done = true;
        format!("unreadable at {at}, byte offset {offset}: {reason}")
    }

    fn note(&mut self, message: String) {
        self.problems.push(Problem::layer(
            ProblemKind::TarQuirk,
            None,
            self.member,
            message,
        ));
    }

    /// A `limit` problem about one entry, listed or counted (see [`Walker::limits_listed`]).
    fn limit(&mut self, message: impl FnOnce() -> String) {
        let member = self.member;
        self.limits_listed.push(&mut self.problems, || {
            Problem::layer(ProblemKind::Limit, None, member, message())
        });
    }

    fn report_skipped(&mut self, skipped: &mut Vec<Skipped>, entry: Option<&[u8]>) {
        let max = self.limits.max_extension_bytes;
        for s in skipped.drain(..) {
            self.renamed |= entry.is_some();
            let whose = match entry {
                Some(n) => format!(
                    "entry {} (listed under the name in its own header)",
                    shown(n)
                ),
                None => "the last header, which describes no entry".to_string(),
            };
            // Only a record followed by its entry was there whole: one the layer ends inside
            // is the layer's own error (Go's reader stops there too, at the end of the data).
            if s.size > GO_MAX_SPECIAL_FILE && entry.is_some() && !self.go_refuses {
                self.go_refuses = true;
                self.problems.push(Problem::layer(
                    ProblemKind::UnpackFails,
                    None,
                    self.member,
                    format!(
                        "{whose}: its {} at byte offset {} is {} bytes; Go's archive/tar, with which docker load and containerd read a layer, refuses a record over {GO_MAX_SPECIAL_FILE} bytes (\"archive/tar: header field too long\"), so the layer cannot be loaded or pulled",
                        s.what, s.header_at, s.size
                    ),
                ));
            }
            self.limit(|| {
                format!(
                    "{whose}: its {} at byte offset {} is {} bytes, more than the limit of {max} bytes; skipped without reading it",
                    s.what, s.header_at, s.size
                )
            });
        }
    }

    /// Skips what is left of the current member's data (an error when the tar ends inside
    /// it) and its padding (the tar may end there: Go reads that as the end).
    fn skip_current(&mut self) -> Result<bool, String> {
        let want = std::mem::take(&mut self.data_left);
        let got = match self.src.skip(want) {
            Ok(g) => g,
            Err(e) => {
                let at = self.src.pos();
                return Err(self.fail_text(&self.where_after(), at, &format!("read error: {e}")));
            }
        };
        if got < want {
            let c = self.current.take();
            let (at, offset, reason) = match c {
                Some(c) => {
                    let left = self.src.pos().saturating_sub(c.header_at + BLOCK as u64);
                    if c.entry {
                        self.cut = Some((u64::try_from(c.size).unwrap_or(0), left));
                    }
                    let reason = if c.from_pax {
                        format!(
                            "the PAX header of entry {} says its size is {} bytes, more than the rest of the layer ({} bytes after its header)",
                            shown(&c.name), c.size, left
                        )
                    } else {
                        format!(
                            "entry {} says its size is {} bytes, but the layer ends {} bytes into its data",
                            shown(&c.name), c.size, left
                        )
                    };
                    (format!("entry {}", shown(&c.name)), c.header_at, reason)
                }
                None => (
                    self.where_after(),
                    self.src.pos(),
                    "the layer ends inside an entry's data".to_string(),
                ),
            };
            return Err(self.fail_text(&at, offset, &reason));
        }
        let pad = std::mem::take(&mut self.pad);
        match self.src.skip(pad) {
            Ok(g) if g == pad => Ok(true),
            Ok(_) => Ok(false),
            Err(e) => {
                let at = self.src.pos();
                Err(self.fail_text(&self.where_after(), at, &format!("read error: {e}")))
            }
        }
    }

    /// Reads one block; `Ok(None)` when the tar ends before it.
    fn block(&mut self) -> Result<Option<[u8; BLOCK]>, String> {
        let mut b = [0u8; BLOCK];
        match self.src.fill(&mut b) {
            Ok(0) => Ok(None),
            Ok(n) if n < BLOCK => Err(format!(
                "the layer ends {n} bytes into a 512-byte header block"
            )),
            Ok(_) => Ok(Some(b)),
            Err(e) => Err(format!("read error: {e}")),
        }
    }

    /// The data of an extension header (`size` bytes), or `None` when it is over the limit
    /// (then it is left to be skipped).
    fn extension_data(&mut self, size: u64) -> Result<Option<Vec<u8>>, String> {
        if size > self.limits.max_extension_bytes {
            return Ok(None);
        }
        let n = usize::try_from(size).map_err(|_| "an extension record too large".to_string())?;
        let mut data = vec![0u8; n];
        let got = self
            .src
            .fill(&mut data)
            .map_err(|e| format!("read error: {e}"))?;
        self.data_left = 0;
        if got < n {
            return Err(format!(
                "the extension header's data is {size} bytes, but the layer ends after {got}"
            ));
        }
        Ok(Some(data))
    }

    /// The next member, following Go's `Reader.next`. Never inlined: the page's worker walks
    /// layers both ways (a stream, and reads that seek), and each walk inlining its own copy
    /// made the gzipped worker 2.3 KB larger (measured 6 Dec).
    #[inline(never)]
    fn next(&mut self) -> Step {
        if self.done {
            return Step::End;
        }
        let mut pax: Option<PaxRecords> = None;
        let mut long_name: Option<Vec<u8>> = None;
        let mut long_link: Option<Vec<u8>> = None;
        let mut skipped: Vec<Skipped> = Vec::new();
        loop {
            match self.skip_current() {
                Ok(true) => {}
                Ok(false) => {
                    self.report_skipped(&mut skipped, None);
                    self.note(format!(
                        "the tar ends inside the padding after {}, without the two zero blocks that mark its end (Docker reads it to here)",
                        self.last_desc()
                    ));
                    self.done = true;
                    return Step::End;
                }
                Err(e) => {
                    self.report_skipped(&mut skipped, None);
                    return Step::Fail(e);
                }
            }
            let header_at = self.src.pos();
            let block = match self.block() {
                Ok(Some(b)) => b,
                Ok(None) => {
                    self.report_skipped(&mut skipped, None);
                    self.note(format!(
                        "the tar ends after {} without the two zero blocks that mark its end (Docker reads it to here)",
                        self.last_desc()
                    ));
                    self.done = true;
                    return Step::End;
                }
                Err(e) => return self.fail(&self.where_after(), header_at, &e),
            };
            if tarfmt::is_zero_block(&block) {
                self.report_skipped(&mut skipped, None);
                return match self.block() {
                    Ok(Some(b)) if tarfmt::is_zero_block(&b) => {
                        self.done = true;
                        Step::End
                    }
                    Ok(Some(_)) => self.fail(
                        &self.where_after(),
                        header_at,
                        "a zero block (the end-of-archive marker) is followed by a header, not by a second zero block",
                    ),
                    Ok(None) => {
                        self.note(format!(
                            "the tar ends after {} with one zero block instead of two (Docker reads it to here)",
                            self.last_desc()
                        ));
                        self.done = true;
                        Step::End
                    }
                    Err(e) => self.fail(&self.where_after(), header_at + BLOCK as u64, &e),
                };
            }
            let hdr = match tarfmt::parse_header(&block) {
                Ok(h) => h,
                Err(e) => return self.fail(&self.where_after(), header_at, &e.describe()),
            };
            // Go's first handleRegularFile: the header's own size, before any PAX size.
            let nb = if tarfmt::is_header_only(hdr.typeflag) {
                0
            } else {
                hdr.size
            };
            let Ok(nb) = u64::try_from(nb) else {
                return self.fail(
                    &format!("entry {}", shown(&hdr.name)),
                    header_at,
                    &format!("its header says its size is {nb} bytes; a size cannot be negative"),
                );
            };
            self.data_left = nb;
            self.pad = padding(nb);
            self.current = Some(Current {
                name: hdr.name.clone(),
                header_at,
                size: hdr.size,
                from_pax: false,
                entry: false,
            });
            match hdr.typeflag {
                flag::PAX | flag::PAX_GLOBAL => {
                    let what = if hdr.typeflag == flag::PAX {
                        "PAX extended header"
                    } else {
                        "PAX global header"
                    };
                    let records = match self.extension_data(nb) {
                        Ok(Some(d)) => match tarfmt::parse_pax(&d) {
                            Ok(r) => Some(r),
                            Err(e) => {
                                return self.fail(
                                    &format!("the {what} {}", shown(&hdr.name)),
                                    header_at,
                                    &e,
                                )
                            }
                        },
                        Ok(None) => {
                            skipped.push(Skipped {
                                what,
                                size: nb,
                                header_at,
                            });
                            None
                        }
                        Err(e) => {
                            return self.fail(
                                &format!("the {what} {}", shown(&hdr.name)),
                                header_at,
                                &e,
                            )
                        }
                    };
                    if hdr.typeflag == flag::PAX_GLOBAL {
                        // Go returns a global header as a header of its own, so nothing read
                        // before it applies after it, and it changes no member (Docker
                        // ignores it; Python would apply its `path`, Go does not).
                        pax = None;
                        long_name = None;
                        long_link = None;
                    } else {
                        // Several in a row: the last one wins, whole (Go replaces the map).
                        pax = records;
                    }
                }
                flag::GNU_LONG_NAME | flag::GNU_LONG_LINK => {
                    let what = if hdr.typeflag == flag::GNU_LONG_NAME {
                        "GNU long name record"
                    } else {
                        "GNU long link record"
                    };
                    let value = match self.extension_data(nb) {
                        Ok(Some(d)) => Some(tarfmt::c_string(&d).to_vec()),
                        Ok(None) => {
                            skipped.push(Skipped {
                                what,
                                size: nb,
                                header_at,
                            });
                            None
                        }
                        Err(e) => {
                            return self.fail(
                                &format!("the {what} {}", shown(&hdr.name)),
                                header_at,
                                &e,
                            )
                        }
                    };
                    // Several in a row: the last one wins.
                    if hdr.typeflag == flag::GNU_LONG_NAME {
                        long_name = value;
                    } else {
                        long_link = value;
                    }
                }
                _ => {
                    let found = self.member_of(hdr, &block, header_at, pax, long_name, long_link);
                    match &found {
                        Step::Entry(f) => {
                            let name = f.name.clone();
                            self.report_skipped(&mut skipped, Some(&name));
                            self.last_name = Some(name);
                        }
                        _ => self.report_skipped(&mut skipped, None),
                    }
                    return found;
                }
            }
        }
    }

    fn last_desc(&self) -> String {
        match &self.last_name {
            Some(n) => format!("entry {}", shown(n)),
            None => "its headers".to_string(),
        }
    }

    /// Folds the extension records into the member header `hdr` (Go's `mergePAX`, GNU long
    /// names, V7 directories, then `handleRegularFile` and `handleSparseFile`).
    fn member_of(
        &mut self,
        mut hdr: tarfmt::Header,
        block: &[u8; BLOCK],
        header_at: u64,
        pax: Option<PaxRecords>,
        long_name: Option<Vec<u8>>,
        long_link: Option<Vec<u8>>,
    ) -> Step {
        let pax = pax.unwrap_or_default();
        let mut size_from_pax = false;
        let mut bad_pax: Option<String> = None;
        let mut xattrs = Vec::new();
        for (k, v) in &pax {
            // Before the empty-value rule below: moby's `createTarFile` sets every
            // `SCHILY.xattr.` record of `Header.PAXRecords`, an empty value too (Go's
            // `mergePAX` skips empty values only for the fields it merges into the header).
            if let Some(name) = k.strip_prefix(tarfmt::PAX_SCHILY_XATTR) {
                xattrs.push(Xattr {
                    name: name.to_vec(),
                    value: v.clone(),
                });
                continue;
            }
            if v.is_empty() {
                continue; // An empty value keeps the header's own (Go, POSIX).
            }
            let ok = match k.as_slice() {
                tarfmt::PAX_PATH => {
                    hdr.name = v.clone();
                    true
                }
                tarfmt::PAX_LINKPATH => {
                    hdr.link = v.clone();
                    true
                }
                tarfmt::PAX_UID => tarfmt::parse_dec(v).map(|x| hdr.uid = x).is_some(),
                tarfmt::PAX_GID => tarfmt::parse_dec(v).map(|x| hdr.gid = x).is_some(),
                tarfmt::PAX_MTIME => tarfmt::parse_pax_time(v).map(|x| hdr.mtime = x).is_some(),
                tarfmt::PAX_ATIME | tarfmt::PAX_CTIME => tarfmt::parse_pax_time(v).is_some(),
                tarfmt::PAX_SIZE => tarfmt::parse_dec(v)
                    .map(|x| {
                        hdr.size = x;
                        size_from_pax = true;
                    })
                    .is_some(),
                _ => true,
            };
            if !ok && bad_pax.is_none() {
                bad_pax = Some(format!(
                    // Out of range reads as badly as not a number (Go's `strconv` refuses
                    // both): say both, so a 20-digit uid is not called "not a number".
                    "its PAX header says {}={}, which is not a number, or not one in the range the format allows",
                    crate::escape::escape_name(k),
                    crate::escape::escape_name(v)
                ));
            }
        }
        if let Some(n) = long_name.filter(|n| !n.is_empty()) {
            hdr.name = n;
        }
        if let Some(l) = long_link.filter(|l| !l.is_empty()) {
            hdr.link = l;
        }
        // Where a failure is, named only when one happens (a string per entry is a tenth of
        // the walk of 200,000 small files).
        let at = |name: &[u8]| format!("entry {}", shown(name));
        if let Some(e) = bad_pax {
            return self.fail(&at(&hdr.name), header_at, &e);
        }
        if hdr.typeflag == flag::REG_A {
            // Legacy (V7) archives mark directories with a trailing slash.
            hdr.typeflag = if hdr.name.last() == Some(&b'/') {
                flag::DIR
            } else {
                flag::REG
            };
        }
        // Go's second handleRegularFile: the size after PAX.
        let nb = if tarfmt::is_header_only(hdr.typeflag) {
            0
        } else {
            hdr.size
        };
        let Ok(nb) = u64::try_from(nb) else {
            let whose = if size_from_pax {
                "its PAX header"
            } else {
                "its header"
            };
            return self.fail(
                &at(&hdr.name),
                header_at,
                &format!("{whose} says its size is {nb} bytes; a size cannot be negative"),
            );
        };
        self.data_left = nb;
        self.pad = padding(nb);
        self.current = Some(Current {
            name: hdr.name.clone(),
            header_at,
            size: hdr.size,
            from_pax: size_from_pax,
            entry: true,
        });
        let mut sparse = None;
        if hdr.typeflag == flag::GNU_SPARSE {
            match self.old_gnu_sparse(&mut hdr, block) {
                Ok(s) => sparse = Some(s),
                Err(e) => return self.fail(&at(&hdr.name), header_at, &e),
            }
            // Go's reader lists it as a file (so do we); Docker's unpacking refuses its type,
            // which `collect` reports with every other such type.
        } else if let Some(kind) = tarfmt::pax_sparse_kind(&pax) {
            match self.pax_sparse(&mut hdr, &pax, kind) {
                Ok(s) => sparse = Some(s),
                Err(e) => return self.fail(&at(&hdr.name), header_at, &e),
            }
        }
        let sparse = match sparse {
            Some((map, complete)) => {
                if tarfmt::is_header_only(hdr.typeflag) || !tarfmt::valid_sparse(&map, hdr.size) {
                    return self.fail(
                        &at(&hdr.name),
                        header_at,
                        &format!(
                            "its sparse map does not fit a file of {} bytes (regions out of order, overlapping, negative or past the end)",
                            hdr.size
                        ),
                    );
                }
                if !complete {
                    let max = self.limits.max_extension_bytes;
                    self.limit(|| {
                        format!(
                            "entry {}: its sparse map is larger than the limit of {max} bytes and was not kept; the entry is listed, its content cannot be shown",
                            shown(&hdr.name),
                        )
                    });
                }
                Some(Sparse {
                    regions: map
                        .iter()
                        .filter(|f| f.length > 0)
                        .filter_map(|f| {
                            Some(SparseRegion {
                                offset: u64::try_from(f.offset).ok()?,
                                length: u64::try_from(f.length).ok()?,
                            })
                        })
                        .collect(),
                    complete,
                    // What is left of the data once a 1.0 map at its start was read.
                    stored: self.data_left,
                })
            }
            None => None,
        };
        let kind = kind_of(hdr.typeflag);
        let size = match kind {
            EntryKind::File => u64::try_from(hdr.size).unwrap_or(0),
            _ => 0,
        };
        Step::Entry(Found {
            name: hdr.name,
            link: hdr.link,
            kind,
            size,
            mode: hdr.mode,
            uid: hdr.uid,
            gid: hdr.gid,
            mtime: hdr.mtime,
            data_pos: self.src.pos(),
            sparse,
            xattrs,
            typeflag: hdr.typeflag,
        })
    }

    /// An old GNU sparse header: the map in the header, then in extension blocks that come
    /// before the data (not counted in its size). `(map, complete)`.
    fn old_gnu_sparse(
        &mut self,
        hdr: &mut tarfmt::Header,
        block: &[u8; BLOCK],
    ) -> Result<(Vec<Fragment>, bool), String> {
        if hdr.format != tarfmt::Format::Gnu {
            return Err(
                "it is a GNU sparse file ('S') but its header is not in GNU format".to_string(),
            );
        }
        hdr.size = tarfmt::old_gnu_real_size(block).map_err(|e| e.describe())?;
        let (mut map, mut more) = tarfmt::old_gnu_sparse(block, false).map_err(|e| e.describe())?;
        let mut complete = true;
        let mut ext_bytes = 0u64;
        while more {
            let b = match self.block()? {
                Some(b) => b,
                None => return Err("the layer ends inside its sparse map".to_string()),
            };
            let (part, m) = tarfmt::old_gnu_sparse(&b, true).map_err(|e| e.describe())?;
            more = m;
            ext_bytes += BLOCK as u64;
            if ext_bytes > self.limits.max_extension_bytes {
                // Keep reading (the blocks come before the data) but keep nothing more.
                complete = false;
                map.clear();
            } else {
                map.extend(part);
            }
        }
        Ok((map, complete))
    }

    /// A PAX GNU sparse member: real name and size from the records, the map from the records
    /// (0.0, 0.1) or from the start of the data (1.0). `(map, complete)`.
    fn pax_sparse(
        &mut self,
        hdr: &mut tarfmt::Header,
        pax: &PaxRecords,
        kind: PaxSparse,
    ) -> Result<(Vec<Fragment>, bool), String> {
        if let Some(n) = tarfmt::get(pax, tarfmt::SPARSE_NAME) {
            hdr.name = n.to_vec();
        }
        let size = tarfmt::get(pax, tarfmt::SPARSE_SIZE)
            .or_else(|| tarfmt::get(pax, tarfmt::SPARSE_REALSIZE));
        if let Some(s) = size {
            hdr.size = tarfmt::parse_dec(s).ok_or_else(|| {
                format!(
                    "its PAX header gives the real size {}, which is not a number",
                    crate::escape::escape_name(s)
                )
            })?;
        }
        match kind {
            PaxSparse::InRecords => tarfmt::sparse_map_0x1(pax).map(|m| (m, true)),
            PaxSparse::InData => {
                let mut buf: Vec<u8> = Vec::new();
                let mut newlines = 0usize;
                let mut lines: Option<usize> = None;
                loop {
                    if let Some(l) = lines.filter(|l| newlines >= *l) {
                        // Blocks are read one at a time until the map's last line has
                        // arrived, so every block read is map: the data starts here.
                        let (map, _) = tarfmt::sparse_map_1x0(&buf, l)?;
                        return Ok((map, true));
                    }
                    if buf.len() as u64 + BLOCK as u64 > self.limits.max_extension_bytes {
                        // Over the limit: what is left of the data is skipped with it.
                        return Ok((Vec::new(), false));
                    }
                    if self.data_left < BLOCK as u64 {
                        return Err(format!(
                            "its sparse map runs past the end of its data ({} bytes)",
                            hdr.size
                        ));
                    }
                    let b = match self.block()? {
                        Some(b) => b,
                        None => return Err("the layer ends inside its sparse map".to_string()),
                    };
                    self.data_left -= BLOCK as u64;
                    newlines += b.iter().filter(|c| **c == b'\n').count();
                    buf.extend_from_slice(&b);
                    if lines.is_none() {
                        lines = tarfmt::sparse_1x0_lines(&buf)?;
                    }
                }
            }
        }
    }

    /// Reads the content of the member `f` just returned by [`Walker::next`] (at most `max`
    /// bytes, sparse holes as zeros).
    fn read_content(&mut self, f: &Found, max: usize) -> io::Result<Vec<u8>> {
        if let Some(m) = f.sparse.as_ref().and_then(Sparse::mismatch) {
            return Err(mismatch_error(m));
        }
        let stored_left = self.data_left;
        let mut consumed = 0u64;
        let mut read_stored = |src: &mut B, off: u64, buf: &mut [u8]| -> io::Result<()> {
            if off < consumed {
                return Err(io::Error::other("sparse regions out of order"));
            }
            let gap = off - consumed;
            if src.skip(gap)? < gap {
                return Err(io::Error::from(io::ErrorKind::UnexpectedEof));
            }
            consumed += gap;
            let end = consumed.saturating_add(buf.len() as u64);
            if end > stored_left || src.fill(buf)? < buf.len() {
                return Err(io::Error::other(
                    "the file's sparse map points past its stored data",
                ));
            }
            consumed = end;
            Ok(())
        };
        let out = match &f.sparse {
            Some(s) => {
                let src = &mut self.src;
                expand_sparse(s, f.size, max, &mut |off, buf| read_stored(src, off, buf))?
            }
            None => {
                let want = usize::try_from(f.size).unwrap_or(usize::MAX).min(max);
                let mut buf = vec![0u8; want];
                read_stored(&mut self.src, 0, &mut buf)?;
                buf
            }
        };
        self.data_left = stored_left - consumed.min(stored_left);
        Ok(out)
    }
}

/// Runs a walk to its end, turning members into [`Entry`]s and checking names and limits.
/// `size`: the tar's length in bytes when known, for [`make_room`].
fn collect<B: Blocks>(
    mut w: Walker<'_, B>,
    member: &str,
    content_base: Option<u64>,
    size: Option<u64>,
    limits: &Limits,
) -> LayerWalk {
    let mut out = LayerWalk::default();
    let mut too_deep = 0usize;
    let mut first_too_deep: Option<(String, usize)> = None;
    // The folders the entries imply, as the union makes them (see `MAX_FOLDER_BYTES`).
    let mut folders = FolderBytes::default();
    let mut too_many_folders = 0usize;
    let mut first_too_many_folders: Option<String> = None;
    let mut links = LayerLinks::default();
    let mut cleaned = 0usize;
    // Entries of a type Docker's unpacking refuses (the first UNPACK_FAILS_LISTED are named).
    let mut refused = 0usize;
    // The positions of the entries whose name starts with `/` (rare: most writers never do):
    // `/x` and `x` are one path in the filesystem but two names to dockerd's duplicate check.
    let mut absolute: Vec<usize> = Vec::new();
    // Findings an entry at a time: each lists its first few per layer and counts the rest.
    let mut found = EntryFindings::default();
    // The last member the walk returned was listed (pushed last into `out.entries`).
    let mut listed_last = false;
    loop {
        let f = match w.next() {
            Step::Entry(f) => f,
            Step::End => break,
            Step::Fail(e) => {
                out.error = Some(e);
                if let (Some((claimed, present)), true) = (w.cut, listed_last) {
                    out.cut = out.entries.len().checked_sub(1).map(|entry| CutEntry {
                        entry,
                        claimed,
                        present,
                    });
                }
                break;
            }
        };
        listed_last = false;
        if out.entries.len() >= limits.max_entries_per_layer {
            out.problems.push(Problem::layer(
                ProblemKind::Limit,
                None,
                member,
                format!(
                    "more than {} entries (the limit); the listing stops before entry {}",
                    limits.max_entries_per_layer,
                    shown(&f.name)
                ),
            ));
            break;
        }
        let mut path = RawPath::normalize(&f.name);
        // `d/../e` is written at `e` (Go's `filepath.Clean` before unpacking, in moby and
        // containerd alike): placed there and said. A name whose `..` climbs out keeps it.
        if let Some(Cow::Owned(clean)) = path.cleaned() {
            cleaned += 1;
            if cleaned > CLEANED_LISTED {
                path = clean;
            } else {
                out.problems.push(Problem::entry(
                ProblemKind::TarQuirk,
                None,
                member,
                shown(&f.name),
                format!(
                    "entry {} has '..' in its name: unpacking cleans the name first (as Docker and containerd do) and writes it at {}",
                    shown(&f.name),
                    if clean.is_root() {
                        "the root".to_string()
                    } else {
                        shown(clean.as_bytes())
                    }
                ),
            ));
                path = clean;
            }
        }
        let depth = path.depth();
        if depth > limits.max_path_depth {
            too_deep += 1;
            if first_too_deep.is_none() {
                let mut s = shown(&f.name);
                if s.len() > 200 {
                    let cut = (0..=200)
                        .rev()
                        .find(|i| s.is_char_boundary(*i))
                        .unwrap_or(0);
                    s.truncate(cut);
                    s.push('…');
                }
                first_too_deep = Some((s, depth));
            }
            continue;
        }
        if !folders.take(path.as_bytes()) {
            too_many_folders += 1;
            if first_too_many_folders.is_none() {
                first_too_many_folders = Some(shown_target(&path));
            }
            continue;
        }
        // A name with `..` is left out of the views whatever it climbs through; any other is
        // placed where unpacking writes it (through the layer's own symlinks).
        let climbs = crate::path::has_dotdot(path.as_bytes());
        if RawPath::is_unsafe_name(&f.name) {
            // Where it is in the views (`union` leaves out every name with `..`): said, so a
            // reader looking for it in the files knows why it is not there.
            let place = || {
                if climbs {
                    "listed in the layer's index, left out of the filesystem views: it would land \
                 outside the root"
                        .to_string()
                } else {
                    format!(
                        "shown at {}, without its leading /, as Docker reads it",
                        shown(path.as_bytes())
                    )
                }
            };
            found.unsafe_names.push(&mut out.problems, || {
                Problem::entry(
                    ProblemKind::UnsafePath,
                    None,
                    member,
                    shown(&f.name),
                    format!("unsafe entry {} ({})", shown(&f.name), place()),
                )
            });
        }
        if f.kind == EntryKind::Hardlink && RawPath::is_unsafe_name(&f.link) {
            found.unsafe_links.push(&mut out.problems, || {
                let inside = RawPath::normalize(&f.link).clamped().into_owned();
                Problem::entry(
                    ProblemKind::UnsafePath,
                    None,
                    member,
                    shown(&f.name),
                    format!(
                        "unsafe entry {} => {} (hard link pointing outside the root; Docker and \
                         containerd link it to {} inside the root; it unpacks, and the views \
                         show it, only where this layer wrote that file before the link)",
                        shown(&f.name),
                        shown(&f.link),
                        shown(inside.as_bytes())
                    ),
                )
            });
        }
        let link_target = match f.kind {
            // Symlink targets are kept as written (relative or absolute, they are resolved
            // inside the root later); hard links name archive paths, cleaned and placed as
            // names are (Go's `filepath.Join` cleans them before `os.Link`); one climbing
            // above the root is kept as written (the views resolve it: `RawPath::clamped`).
            EntryKind::Symlink => Some(RawPath::from_bytes(f.link.clone())),
            EntryKind::Hardlink => {
                let target = RawPath::normalize(&f.link);
                let target = match target.cleaned() {
                    Some(Cow::Owned(clean)) => clean,
                    _ => target,
                };
                match links.place(&target) {
                    Landing::Through { at, .. } => Some(at),
                    _ => Some(target),
                }
            }
            _ => None,
        };
        if !climbs {
            match links.place(&path) {
                Landing::AsNamed => {}
                Landing::Through { link, target, at } => {
                    // Through a link that stays inside the root (`lib -> usr/lib`, usrmerge) it
                    // is a way of writing a tar that Docker accepts: information. Through one
                    // that starts at / or climbs out, a careless extractor writes on the host.
                    let (kind, listed) = if link.parent().escapes_with(target.as_bytes()) {
                        (ProblemKind::UnsafePath, &mut found.through_out)
                    } else {
                        (ProblemKind::TarQuirk, &mut found.through_in)
                    };
                    listed.push(&mut out.problems, || {
                        Problem::entry(
                            kind,
                            None,
                            member,
                            shown(&f.name),
                            format!(
                                "entry {} is written through the symlink {link} -> {} made earlier in this layer: unpacking follows the link inside the root (as containerd does) and writes it at {at}",
                                shown(&f.name),
                                shown(target.as_bytes()),
                            ),
                        )
                    });
                    path = at;
                }
                // Unpacking fails on it (`ELOOP`): kept where it is named, below the looping
                // link, which `below_non_folder` reports and the views leave out.
                Landing::Loop => {}
            }
            match (f.kind, &link_target) {
                (EntryKind::Hardlink, Some(target)) => links.record_hard_link(&path, target),
                _ => links.record(&path, f.kind, &f.link),
            }
        }
        if f.kind == EntryKind::Symlink {
            if let Some(names) = climbs_above_root(&path, &f.link) {
                found.climbing.push(&mut out.problems, || {
                    Problem::entry(
                        ProblemKind::UnsafePath,
                        None,
                        member,
                        shown(&f.name),
                        format!(
                            "symlink {} -> {} climbs above the root: in a container it stops at / and names /{names}; a tool unpacking the layer outside a root would follow it out",
                            shown(&f.name),
                            shown(&f.link)
                        ),
                    )
                });
            }
        }
        // A type Docker's unpacking refuses fails the whole layer there. Whiteout markers and
        // AUFS metadata are applied or skipped by name before any type is looked at (moby's
        // `UnpackLayer`, containerd's `convertWhiteout`), so they are not refused.
        if !tarfmt::docker_unpacks(f.typeflag)
            && crate::analyze::whiteout::classify(&path).is_none()
        {
            refused += 1;
            if refused <= UNPACK_FAILS_LISTED {
                out.problems
                    .push(refused_type_problem(member, &f.name, f.typeflag, f.kind));
            }
        }
        if let Some(m) = f.sparse.as_ref().and_then(Sparse::mismatch) {
            // Go's reader lists the entry and fails reading its bytes: unpacking fails.
            found.sparse_mismatch.push(&mut out.problems, || {
                Problem::entry(
                    ProblemKind::UnpackFails,
                    None,
                    member,
                    shown(&f.name),
                    format!(
                        "entry {}: {m}, so `docker load` or a pull of this layer fails; it is listed, its content cannot be shown",
                        shown(&f.name)
                    ),
                )
            });
        }
        let content_offset = match (f.kind, content_base) {
            (EntryKind::File, Some(base)) => base.checked_add(f.data_pos),
            _ => None,
        };
        if f.name.first() == Some(&b'/') {
            absolute.push(out.entries.len());
        }
        if out.entries.len() == out.entries.capacity() {
            make_room(
                &mut out.entries,
                w.src.pos(),
                size,
                limits.max_entries_per_layer,
            );
        }
        out.entries.push(Entry {
            path,
            kind: f.kind,
            size: f.size,
            // Permission, setuid/setgid and sticky bits only: some writers put st_mode's file
            // type (S_IFREG ...) in the field too; the type is `kind` (Go's `FileInfo().Mode()`
            // splits them the same way), and a commit writes back only these bits.
            mode: u32::try_from(f.mode & 0o7777).unwrap_or(0),
            uid: u64::try_from(f.uid).unwrap_or(0),
            gid: u64::try_from(f.gid).unwrap_or(0),
            mtime: u64::try_from(f.mtime).unwrap_or(0),
            link_target,
            content_offset,
            extra: EntryExtra {
                sparse: f.sparse,
                xattrs: settable_xattrs(f.kind, f.xattrs),
            }
            .boxed(),
        });
        listed_last = true;
    }
    if cleaned > CLEANED_LISTED {
        out.problems.push(Problem::layer(
            ProblemKind::TarQuirk,
            None,
            member,
            format!(
                "{} more entries have '..' in their names: each is written where its name cleans to, as above",
                cleaned - CLEANED_LISTED
            ),
        ));
    }
    if refused > UNPACK_FAILS_LISTED {
        out.problems.push(Problem::layer(
            ProblemKind::UnpackFails,
            None,
            member,
            format!(
                "{} more entries have a tar type Docker's and containerd's unpacking refuse (only the first {UNPACK_FAILS_LISTED} are listed one by one)",
                refused - UNPACK_FAILS_LISTED
            ),
        ));
    }
    out.problems.extend(found.rest(member));
    out.problems.append(&mut w.problems);
    out.left_out = w.renamed || too_deep > 0;
    if let Some(n) = w.limits_listed.more() {
        out.problems.push(Problem::layer(
            ProblemKind::Limit,
            None,
            member,
            format!(
                "{n} more extension records or sparse maps are over the limit of {} bytes and were skipped (only the first {PER_LAYER} are listed one by one)",
                limits.max_extension_bytes
            ),
        ));
    }
    out.problems
        .extend(unpack_fails_problems(&out.entries, member));
    out.problems.extend(over_name_max(&out.entries, member));
    out.problems.extend(over_link_max(&out.entries, member));
    if let Some(name) = links.exhausted() {
        out.problems.push(Problem::entry(
            ProblemKind::Limit,
            None,
            member,
            name.display().into_owned(),
            format!(
                "the symlinks of this layer took too many steps to resolve the folders of its names (a loop of long link targets?): from entry {} on, names are placed where the tar names them, not through the layer's symlinks",
                name.display()
            ),
        ));
    }
    out.problems
        .extend(whiteouts_over_own_entries(&out.entries, member));
    out.problems.extend(refused_xattrs(&out.entries, member));
    let (duplicate_count, duplicates) = duplicates(&out.entries, &absolute);
    // The list's room was estimated or doubled (`make_room`): part of it may be empty, which
    // the index would keep for as long as the image is open. Shrunk where it stands; what it
    // gives back serves the fold of the first view's figures that follows.
    out.entries.shrink_to_fit();
    if let Some(first) = first_too_many_folders {
        out.problems.push(Problem::layer(
            ProblemKind::Limit,
            None,
            member,
            format!(
                "{too_many_folders} entr{} not listed: the folders their paths make would take more than {MAX_FOLDER_BYTES} bytes (first: {first})",
                if too_many_folders == 1 { "y is" } else { "ies are" },
            ),
        ));
    }
    if let Some((first, depth)) = first_too_deep {
        out.problems.push(Problem::layer(
            ProblemKind::Limit,
            None,
            member,
            format!(
                "{too_deep} entr{} deeper than the limit of {} path components, not listed (first: {first}, {depth} components)",
                if too_deep == 1 { "y is" } else { "ies are" },
                limits.max_path_depth
            ),
        ));
    }
    if duplicate_count > 0 {
        out.problems.push(Problem::layer(
            ProblemKind::DuplicateMember,
            None,
            member,
            format!(
                "{duplicate_count} entr{} more than once: {}; dockerd's classic image store refuses such a layer (\"duplicates of file paths not supported\"), while containerd's image store loads it, the last one winning, as shown here",
                if duplicate_count == 1 {
                    "y appears"
                } else {
                    "ies appear"
                },
                duplicates.join(", ")
            ),
        ));
    }
    out
}

/// Below this many entries a full list grows as a `Vec` does, by doubling.
const ROOM_ESTIMATED_FROM: usize = 4096;
/// An estimate gives a list at most this many times its own length more room: a layer of a
/// few thousand small entries and then one large file does not get room for a million.
const ROOM_ESTIMATE_MOST: usize = 8;

/// Makes room in the full list `entries` (`walked` bytes of a tar of `size` bytes, when
/// known) for the entries still to come, never past `max` entries in all (the walk stops
/// there, `limits.max_entries_per_layer`). A list that doubles moves each time it grows and
/// leaves the room it outgrew behind, written and so resident: a 200,000-entry layer's list,
/// 80 bytes an entry on wasm32, left a 10 MB hole in the page's scanner, whose wasm memory
/// is never given back (issue 13, target 3). So with the size known and 4,096 entries or
/// more, it grows by the estimate of what is left (as many entries per byte as walked so
/// far, an eighth more, at most one per 512-byte block left, and at most
/// [`ROOM_ESTIMATE_MOST`] times its length), and never by less than doubling would: a
/// good estimate moves the list about twice, a bad one no more often than doubling.
/// Room never used is never written (so not resident), and [`collect`]'s `shrink_to_fit`
/// gives it back. Unknown size or a short list: doubling.
fn make_room(entries: &mut Vec<Entry>, walked: u64, size: Option<u64>, max: usize) {
    let len = entries.len();
    let more = match size {
        Some(size) if len >= ROOM_ESTIMATED_FROM && walked > 0 && walked < size => {
            let per_byte = len as f64 / walked as f64;
            let left = size - walked;
            // Saturating float-to-int casts: a huge estimate is capped by `most` anyway.
            let likely = (per_byte * left as f64 * 1.125) as u64;
            let most = left / 512 + 1;
            let estimate = usize::try_from(likely.min(most)).unwrap_or(usize::MAX);
            estimate
                .min(len.saturating_mul(ROOM_ESTIMATE_MOST))
                .max(len)
        }
        _ => len.max(4),
    };
    // At least one more; never room past the limit (the list is full below it).
    entries.reserve_exact(more.min(max.saturating_sub(len)).max(1));
}

/// The findings of [`collect`] that each entry can give, one [`Listed`] each.
#[derive(Default)]
struct EntryFindings {
    /// Names that start at `/` or climb out with `..` (`unsafe-path`).
    unsafe_names: Listed,
    /// Hard links whose target starts at `/` or climbs out (`unsafe-path`).
    unsafe_links: Listed,
    /// Names written through a symlink of the layer that stays inside the root (`tar-quirk`).
    through_in: Listed,
    /// Names written through a symlink of the layer that starts at `/` or climbs
    /// (`unsafe-path`).
    through_out: Listed,
    /// Symlinks whose target climbs above the root (`unsafe-path`).
    climbing: Listed,
    /// Sparse entries whose map and stored data disagree (`unpack-fails`).
    sparse_mismatch: Listed,
}

impl EntryFindings {
    /// One problem per finding with more than [`PER_LAYER`] entries, counting the rest, of the
    /// finding's kind, about the layer `member`.
    fn rest(&self, member: &str) -> Vec<Problem> {
        let what: [(&Listed, ProblemKind, &str); 6] = [
            (&self.unsafe_names, ProblemKind::UnsafePath, "entries have unsafe names (starting at / or climbing out with ..)"),
            (&self.unsafe_links, ProblemKind::UnsafePath, "hard links point outside the root"),
            (&self.through_in, ProblemKind::TarQuirk, "entries are written through a symlink made earlier in this layer, inside the root, and are placed where unpacking writes them"),
            (&self.through_out, ProblemKind::UnsafePath, "entries are written through a symlink made earlier in this layer that starts at / or climbs above the root"),
            (&self.climbing, ProblemKind::UnsafePath, "symlinks climb above the root"),
            (&self.sparse_mismatch, ProblemKind::UnpackFails, "sparse entries have a map that does not fit their stored data, so `docker load` or a pull of this layer fails"),
        ];
        what.into_iter()
            .filter_map(|(listed, kind, what)| {
                let n = listed.more()?;
                Some(Problem::layer(
                    kind,
                    None,
                    member,
                    format!("{n} more {what} (only the first {PER_LAYER} are listed one by one)"),
                ))
            })
            .collect()
    }
}

/// How many names with a `..` that stays inside the root are said one by one; the rest are
/// counted in one problem (a hostile layer may hold millions).
const CLEANED_LISTED: usize = 10;

/// How many folders below a non-folder are named one by one (each with its first entry).
const UNPACK_FAILS_LISTED: usize = 10;

/// The longest name a Linux filesystem takes for one path component (`NAME_MAX`: ext4, xfs,
/// btrfs, overlayfs), in bytes.
const NAME_MAX: usize = 255;

/// An entry with a path component over [`NAME_MAX`] bytes: creating it fails with
/// `ENAMETOOLONG`, so Docker's and containerd's unpacking of the layer fails. One problem per
/// layer naming the first such entry and counting the others. A whiteout is measured by the
/// name it deletes (`.wh.` is not written to disk). The entries stay in the views, as the tar
/// names them.
fn over_name_max(entries: &[Entry], member: &str) -> Option<Problem> {
    let longest = |e: &Entry| {
        let b = e.path.as_bytes();
        b.split(|c| *c == b'/')
            .map(|c| c.strip_prefix(b".wh.").unwrap_or(c).len())
            .max()
            .unwrap_or(0)
    };
    let mut over = entries
        .iter()
        .map(|e| (e, longest(e)))
        .filter(|(_, n)| *n > NAME_MAX);
    let (first, n) = over.next()?;
    Some(first_and_rest(
        member,
        first,
        over.count(),
        ("entry", "entries"),
        |name, more| {
            format!(
        "entry {name}{more} cannot be unpacked: a component of its path is {n} bytes, over the {NAME_MAX} a Linux filesystem allows for one name (ENAMETOOLONG), so docker load and a pull fail on the layer; listed here as the tar names it"
    )
        },
    ))
}

/// One `unpack-fails` problem naming `first` of the entries a rule finds in a layer and
/// counting the `rest` (`noun`: singular and plural); `why(name, more)` words it, `more`
/// being " (and N more …)" or empty.
fn first_and_rest(
    member: &str,
    first: &Entry,
    rest: usize,
    noun: (&str, &str),
    why: impl FnOnce(&str, &str) -> String,
) -> Problem {
    let more = match rest {
        0 => String::new(),
        1 => format!(" (and 1 more {})", noun.0),
        m => format!(" (and {m} more {})", noun.1),
    };
    let name = first.path.display().into_owned();
    let detail = why(&name, &more);
    Problem::entry(ProblemKind::UnpackFails, None, member, name, detail)
}

/// The bytes of the folders a layer's entries may imply, each counted as a whole path as the
/// union makes it (`analyze::union`): a name 1,000 folders deep of 254-byte folders made
/// 127 MB of them, a 30 KB file 2.5 GB. Entries past this are not listed, with a `limit`
/// problem; a layer of a million files of ordinary paths implies a few tens of MB.
const MAX_FOLDER_BYTES: u64 = 256 << 20;

/// The folders implied so far ([`MAX_FOLDER_BYTES`]), counted against the entry before: a
/// tar lists a folder's entries together, so a name adds the folders it does not share with
/// the name before it (an over-count where it shares them with an earlier one, which only
/// makes the bound stricter for such a tar).
#[derive(Default)]
struct FolderBytes {
    last: Vec<u8>,
    total: u64,
}

impl FolderBytes {
    /// Counts the folders of `path` not shared with the path before; `false` once the total
    /// would pass the bound (the path is then not counted, nor kept as the last).
    fn take(&mut self, path: &[u8]) -> bool {
        let common = path
            .iter()
            .zip(&self.last)
            .take_while(|(a, b)| a == b)
            .count();
        // The shared part ends at a folder boundary: where the last `/` of the common bytes is.
        let from = path
            .get(..common)
            .and_then(|p| p.iter().rposition(|c| *c == b'/'))
            .map_or(0, |i| i + 1);
        let added: u64 = path
            .iter()
            .enumerate()
            .skip(from)
            .filter(|(_, c)| **c == b'/')
            .map(|(i, _)| i as u64)
            .sum();
        let total = self.total.saturating_add(added);
        if total > MAX_FOLDER_BYTES {
            return false;
        }
        self.total = total;
        self.last.clear();
        self.last.extend_from_slice(path);
        true
    }
}

/// A symlink whose target is over [`MAX_LINK_TARGET`] bytes: `symlink(2)` refuses it
/// (`ENAMETOOLONG`), so Docker's and containerd's unpacking of the layer fails, and no later
/// name is written through it. One problem per layer naming the first, counting the others.
fn over_link_max(entries: &[Entry], member: &str) -> Option<Problem> {
    let target_len = |e: &Entry| e.link_target.as_ref().map_or(0, |t| t.as_bytes().len());
    let mut over = entries
        .iter()
        .filter(|e| e.kind == EntryKind::Symlink && target_len(e) > MAX_LINK_TARGET);
    let first = over.next()?;
    let n = target_len(first);
    Some(first_and_rest(
        member,
        first,
        over.count(),
        ("symlink", "symlinks"),
        |name, more| {
            format!(
        "symlink {name}{more} cannot be unpacked: its target is {n} bytes, over the {MAX_LINK_TARGET} Linux takes for one (ENAMETOOLONG), so docker load and a pull fail on the layer; no later name is placed through it"
    )
        },
    ))
}

/// A link target as a message shows it: the first [`SHOWN_TARGET`] characters of a longer one
/// and its length, so a hostile target of a megabyte does not fill every problem naming it.
fn shown_target(t: &RawPath) -> String {
    let shown = t.display();
    match shown.char_indices().nth(SHOWN_TARGET) {
        Some((cut, _)) => format!(
            "{}… ({} bytes)",
            shown.get(..cut).unwrap_or(""),
            t.as_bytes().len()
        ),
        None => shown.into_owned(),
    }
}

/// See [`shown_target`].
const SHOWN_TARGET: usize = 200;

/// One `unpack-fails` problem per non-directory of the layer that later entries are written
/// below (see [`below_non_folders`]), naming its first such entry and how many more; the
/// first [`UNPACK_FAILS_LISTED`], then one saying how many more.
fn unpack_fails_problems(entries: &[Entry], member: &str) -> Vec<Problem> {
    let failing = below_non_folders(entries);
    if failing.is_empty() {
        return Vec::new();
    }
    // By blocker, in the order of each one's first failing entry.
    let mut order: Vec<usize> = Vec::new();
    let mut per: std::collections::HashMap<usize, (usize, usize)> = Default::default();
    for b in &failing {
        per.entry(b.blocker)
            .and_modify(|(_, n)| *n += 1)
            .or_insert_with(|| {
                order.push(b.blocker);
                (b.entry, 1)
            });
    }
    let name = |i: usize| {
        entries
            .get(i)
            .map(|e| e.path.display().into_owned())
            .unwrap_or_default()
    };
    let mut out: Vec<Problem> = order
        .iter()
        .take(UNPACK_FAILS_LISTED)
        .filter_map(|blocker| {
            let (first, n) = per.get(blocker)?;
            let b = entries.get(*blocker)?;
            let what = match (b.kind, &b.link_target) {
                (EntryKind::Symlink, Some(t)) => format!(
                    "a symlink to {} that does not reach a folder within {MAX_SYMLINKS} links (a loop, or a longer chain)",
                    shown_target(t)
                ),
                (EntryKind::Hardlink, Some(t)) => format!("a hard link to {}", shown_target(t)),
                (EntryKind::Char, _) => "a character device".to_string(),
                (EntryKind::Block, _) => "a block device".to_string(),
                (EntryKind::Fifo, _) => "a fifo".to_string(),
                (EntryKind::File, _) => "a file".to_string(),
                _ => "not a folder".to_string(),
            };
            let errno = if b.kind == EntryKind::Symlink {
                "ELOOP"
            } else {
                "ENOTDIR"
            };
            let more = match n - 1 {
                0 => String::new(),
                1 => " (and 1 more entry below it)".to_string(),
                m => format!(" (and {m} more entries below it)"),
            };
            Some(Problem::entry(
                ProblemKind::UnpackFails,
                None,
                member,
                name(*first),
                format!(
                    "entry {}{more} cannot be unpacked: {}, written earlier in this layer, is {what}, not a folder, so unpacking stops there ({errno}); it counts among the layer's entries and is left out of the filesystem views",
                    name(*first),
                    name(*blocker),
                ),
            ))
        })
        .collect();
    if order.len() > UNPACK_FAILS_LISTED {
        let rest: usize = order
            .iter()
            .skip(UNPACK_FAILS_LISTED)
            .filter_map(|b| per.get(b).map(|(_, n)| *n))
            .sum();
        out.push(Problem::layer(
            ProblemKind::UnpackFails,
            None,
            member,
            format!(
                "{rest} more entries below {} more non-folders of this layer cannot be unpacked (only the first {UNPACK_FAILS_LISTED} are listed one by one)",
                order.len() - UNPACK_FAILS_LISTED
            ),
        ));
    }
    out
}

/// One `unpack-fails` problem per whiteout marker whose path this same layer wrote earlier
/// (an entry at it, or below it, which makes it a folder), the first
/// [`UNPACK_FAILS_LISTED`], then one saying how many more. Docker's overlay2 storage and
/// containerd's overlayfs snapshotter (the defaults) unpack a whiteout `.wh.NAME` by making a
/// 0/0 character device at `NAME` in the layer's own directory (`mknod`, moby's
/// `overlayWhiteoutConverter.ConvertRead`, containerd's `OverlayConvertWhiteout`), which fails
/// with `EEXIST` when the layer already put something there, and the load or pull fails.
/// (moby's naive `UnpackLayer`, used by other storage drivers, deletes it instead.) The OCI
/// image-spec applies whiteouts to lower layers only, so the views keep the entry.
fn whiteouts_over_own_entries(entries: &[Entry], member: &str) -> Vec<Problem> {
    use crate::analyze::whiteout::{classify_entry, Marker};
    use std::collections::HashSet;
    /// Adds `p` and every folder above it to `written` (stops at one already there: its
    /// folders are too).
    fn mark<'p>(written: &mut HashSet<&'p [u8]>, mut p: &'p [u8]) {
        while !p.is_empty() && written.insert(p) {
            p = p
                .iter()
                .rposition(|b| *b == b'/')
                .and_then(|i| p.get(..i))
                .unwrap_or_default();
        }
    }
    // What exists in the layer's own directory so far: every path an entry wrote and every
    // folder above any entry, a marker's too (unpacking makes a marker's folders before it
    // converts the marker); and, apart (owned, and rare), the device each whiteout made.
    // Most layers hold no whiteout at all (a 200,000-file layer need not be indexed again).
    if !entries
        .iter()
        .any(|e| crate::read::below_non_folder::is_marker(e.path.as_bytes()))
    {
        return Vec::new();
    }
    let mut written: HashSet<&[u8]> = HashSet::new();
    let mut devices: HashSet<Vec<u8>> = HashSet::new();
    let mut out = Vec::new();
    let mut more = 0usize;
    for e in entries {
        let p = e.path.as_bytes();
        let marker = classify_entry(e);
        if marker.is_none() {
            mark(&mut written, p);
            continue;
        }
        let folder = p
            .iter()
            .rposition(|b| *b == b'/')
            .and_then(|i| p.get(..i))
            .unwrap_or_default();
        mark(&mut written, folder);
        let Some(Marker::Whiteout(target)) = marker else {
            continue;
        };
        let t = target.as_bytes();
        if written.contains(t) || devices.contains(t) {
            if out.len() < UNPACK_FAILS_LISTED {
                out.push(Problem::entry(
                    ProblemKind::UnpackFails,
                    None,
                    member,
                    e.path.display().into_owned(),
                    format!(
                        "whiteout {} cannot be unpacked: {target}, which it deletes, already exists in this same layer (written, made a folder by an entry below it, or whited out) before it, so the overlay storage Docker and containerd use by default fails to make the whiteout there (EEXIST); the OCI image spec applies whiteouts to lower layers only, so what this layer wrote at {target} stays in the filesystem views",
                        e.path.display()
                    ),
                ));
            } else {
                more += 1;
            }
        }
        devices.insert(t.to_vec());
    }
    if more > 0 {
        out.push(Problem::layer(
            ProblemKind::UnpackFails,
            None,
            member,
            format!(
                "{more} more whiteouts delete what this same layer made earlier and cannot be unpacked (only the first {UNPACK_FAILS_LISTED} are listed one by one)"
            ),
        ));
    }
    out
}

/// The attributes of an entry of `kind` that unpacking leaves on it: Linux refuses `user.*`
/// attributes on anything but a regular file or a folder (`xattr_permission`: `EPERM`), and
/// moby's `createTarFile` passes over `EPERM` with a warning, so a symlink, device or FIFO
/// keeps none of them. (A hard link is its file's inode: it keeps them.)
fn settable_xattrs(kind: EntryKind, xattrs: Vec<Xattr>) -> Vec<Xattr> {
    match kind {
        EntryKind::Symlink | EntryKind::Char | EntryKind::Block | EntryKind::Fifo => xattrs
            .into_iter()
            .filter(|x| !x.name.starts_with(b"user."))
            .collect(),
        _ => xattrs,
    }
}

/// Linux's bounds on one extended attribute (`XATTR_NAME_MAX`, `XATTR_SIZE_MAX`): `setxattr`
/// refuses a longer name (or an empty one) with `ERANGE` and a larger value with `E2BIG`.
const XATTR_NAME_MAX: usize = 255;
const XATTR_SIZE_MAX: usize = 65536;

/// Why the kernel refuses to set `x` (its errno and the words), or `None` when it sets it.
fn refused_xattr(x: &Xattr) -> Option<String> {
    use crate::analyze::capability;
    let name = crate::xattr_text(&x.name);
    if x.name.is_empty() {
        return Some("an attribute with an empty name (a `SCHILY.xattr.` record with nothing after it), which setxattr refuses (ERANGE)".into());
    }
    if x.name.len() > XATTR_NAME_MAX {
        return Some(format!(
            "the attribute {name}, whose name is {} bytes, over Linux's {XATTR_NAME_MAX} (ERANGE)",
            x.name.len()
        ));
    }
    if x.value.len() > XATTR_SIZE_MAX {
        return Some(format!(
            "the attribute {name}, whose value is {} bytes, over Linux's {XATTR_SIZE_MAX} (E2BIG)",
            x.value.len()
        ));
    }
    if x.name == capability::XATTR_NAME && !capability::settable(&x.value) {
        return Some(format!(
            "its security.capability attribute ({} bytes: {}{}), which is not a value the kernel sets (a 20-byte revision 2 or 24-byte revision 3 vfs_cap_data; EINVAL)",
            x.value.len(),
            hex::encode(x.value.get(..24).unwrap_or(&x.value)),
            if x.value.len() > 24 { "…" } else { "" }
        ));
    }
    None
}

/// One `unpack-fails` problem per entry with an extended attribute the kernel refuses to set
/// ([`refused_xattr`]: an empty or over-long name, a value over 64 KiB, a `security.capability`
/// that is not a 20-byte revision 2 or 24-byte revision 3 value), the first
/// [`UNPACK_FAILS_LISTED`], then one saying how many more: Docker's and containerd's
/// unpacking return that error (they pass over only an unsupported or refused attribute:
/// `ENOTSUP`, `EPERM`), so the load or pull fails.
fn refused_xattrs(entries: &[Entry], member: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut more = 0usize;
    for e in entries {
        let Some(why) = e.xattrs().iter().find_map(refused_xattr) else {
            continue;
        };
        if out.len() < UNPACK_FAILS_LISTED {
            out.push(Problem::entry(
                ProblemKind::UnpackFails,
                None,
                member,
                e.path.display().into_owned(),
                format!(
                    "entry {} cannot be unpacked: setting {why} fails, and with it the unpacking",
                    e.path.display()
                ),
            ));
        } else {
            more += 1;
        }
    }
    if more > 0 {
        out.push(Problem::layer(
            ProblemKind::UnpackFails,
            None,
            member,
            format!(
                "{more} more entries have an extended attribute the kernel refuses (only the first {UNPACK_FAILS_LISTED} are listed one by one)"
            ),
        ));
    }
    out
}

/// The `unpack-fails` problem of entry `name` whose final `typeflag` Docker's and
/// containerd's unpacking refuse (see [`tarfmt::docker_unpacks`]), listed as `kind`: a file
/// for the types Go's reader reads as one (`7`, `S`), which the views show as that file, else
/// [`EntryKind::Other`], which the views leave out.
fn refused_type_problem(member: &str, name: &[u8], typeflag: u8, kind: EntryKind) -> Problem {
    let shown_type = if typeflag.is_ascii_graphic() {
        format!("'{}' ({typeflag})", char::from(typeflag))
    } else {
        format!("{typeflag}")
    };
    let listed = if kind == EntryKind::File {
        "it is listed and shown as the regular file Go's reader and tar read it as"
    } else {
        "it counts among the layer's entries (as `other`) and is left out of the filesystem views"
    };
    Problem::entry(
        ProblemKind::UnpackFails,
        None,
        member,
        shown(name),
        format!(
            "entry {} has tar type {shown_type}, which Docker's and containerd's unpacking refuse (\"unhandled tar header type {typeflag}\"), so `docker load` or a pull of this layer fails; {listed}",
            shown(name)
        ),
    )
}

/// Entries whose path an earlier entry of the layer already had, folders included (`./etc`
/// and `etc/` are one path): how many, and the paths of the first five, in the layer's order.
/// dockerd's classic image store refuses such a layer whatever the kinds ("duplicates of file
/// paths not supported", from the tar-split record it keeps of each layer; measured with
/// dockerd 20.10 for a file, a link and a folder given twice). tar-split's packer keys each
/// name by Go's `filepath.Clean`, which keeps a leading `/`: `/x` and `x` are two names to
/// it, so `absolute` (the positions of the entries named from `/`, sorted) keeps them apart.
/// Found by sorting the entries' positions by name, not with a set of every path seen (a
/// copy and a hash of each path).
fn duplicates(entries: &[Entry], absolute: &[usize]) -> (usize, Vec<String>) {
    let path = |i: &usize| {
        entries
            .get(*i)
            .map(|e| (absolute.binary_search(i).is_ok(), &e.path))
    };
    // The root (`./`, which some writers list) is left out: it is not a path of the layer.
    let mut ids: Vec<usize> = (0..entries.len())
        .filter(|i| entries.get(*i).is_some_and(|e| !e.path.is_root()))
        .collect();
    // Stable: equal paths stay in the layer's order, so each run's first is the original.
    ids.sort_by(|a, b| path(a).cmp(&path(b)));
    let mut later: Vec<usize> = ids
        .windows(2)
        .filter_map(|w| match w {
            [a, b] if path(a) == path(b) => Some(*b),
            _ => None,
        })
        .collect();
    later.sort_unstable();
    let shown = later
        .iter()
        .take(5)
        .filter_map(|i| path(i).map(|(_, p)| p.display().into_owned()))
        .collect();
    (later.len(), shown)
}

/// The kind of a member by its (final) typeflag. Old GNU sparse and contiguous files are
/// regular files to Go and Python alike (Docker's unpacking refuses both; `collect` says so).
/// Any other type is [`EntryKind::Other`]: listed, never part of the filesystem views.
fn kind_of(t: u8) -> EntryKind {
    match t {
        flag::REG | flag::REG_A | flag::CONT | flag::GNU_SPARSE => EntryKind::File,
        flag::DIR => EntryKind::Dir,
        flag::SYMLINK => EntryKind::Symlink,
        flag::LINK => EntryKind::Hardlink,
        flag::CHAR => EntryKind::Char,
        flag::BLOCK => EntryKind::Block,
        flag::FIFO => EntryKind::Fifo,
        _ => EntryKind::Other,
    }
}

/// A buffered `Read + Seek` over a byte range of a [`ReadAt`]. Seeking is free; reads are
/// served from one buffer refilled with `chunk`-sized `read_at` calls, so walking many small
/// headers does not turn into many tiny reads.
pub struct SeekReader<'a, S: ReadAt + ?Sized> {
    source: &'a S,
    start: u64,
    len: u64,
    pos: u64,
    buf: Vec<u8>,
    buf_pos: u64,
    chunk: usize,
}

impl<'a, S: ReadAt + ?Sized> SeekReader<'a, S> {
    /// Reads `len` bytes of `source` from byte `start` (cut at the end of the source), `chunk`
    /// bytes per `read_at`.
    pub fn new(source: &'a S, start: u64, len: u64, chunk: usize) -> Self {
        let len = len.min(source.len().saturating_sub(start));
        SeekReader {
            source,
            start,
            len,
            pos: 0,
            buf: Vec::new(),
            buf_pos: 0,
            chunk: chunk.max(512),
        }
    }
}

impl<S: ReadAt + ?Sized> Read for SeekReader<'_, S> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.len || out.is_empty() {
            return Ok(0);
        }
        let in_buf = self.pos >= self.buf_pos && self.pos < self.buf_pos + self.buf.len() as u64;
        if !in_buf {
            // Big reads bypass the buffer.
            let left = self.len - self.pos;
            if out.len() >= self.chunk {
                let want = out.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                let Some(dst) = out.get_mut(..want) else {
                    return Ok(0);
                };
                let n = self.source.read_at(self.start + self.pos, dst)?;
                self.pos += n as u64;
                return Ok(n);
            }
            let want = self.chunk.min(usize::try_from(left).unwrap_or(usize::MAX));
            // One buffer, refilled in place: a walk over 200,000 small files refills it
            // thousands of times, and a fresh zeroed chunk each time was allocator churn.
            self.buf.resize(want, 0);
            let mut filled = 0;
            while let Some(rest) = self.buf.get_mut(filled..).filter(|r| !r.is_empty()) {
                match self
                    .source
                    .read_at(self.start + self.pos + filled as u64, rest)
                {
                    Ok(0) => break,
                    Ok(n) => filled += n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        self.buf.clear();
                        return Err(e);
                    }
                }
            }
            self.buf.truncate(filled);
            self.buf_pos = self.pos;
            if self.buf.is_empty() {
                return Ok(0);
            }
        }
        let off = usize::try_from(self.pos - self.buf_pos).unwrap_or(usize::MAX);
        let avail = self.buf.get(off..).unwrap_or(&[]);
        let n = avail.len().min(out.len());
        if let (Some(dst), Some(src)) = (out.get_mut(..n), avail.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.pos += n as u64;
        Ok(n)
    }
}

impl<S: ReadAt + ?Sized> Seek for SeekReader<'_, S> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let new = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        match new {
            Some(p) => {
                self.pos = p;
                Ok(p)
            }
            None => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek out of range",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::entry;

    /// A full list of a tar of known size grows by the entries the bytes left likely hold
    /// (at most `ROOM_ESTIMATE_MOST` times its length), never by less than doubling, never
    /// past the entry limit; unknown size or a short list doubles.
    #[test]
    fn room_is_estimated_from_the_share_walked() {
        let full = |n: usize| {
            let mut v = Vec::with_capacity(n);
            v.resize(n, entry("a", EntryKind::File));
            v
        };
        let max = Limits::default().max_entries_per_layer;
        // 4,096 entries in the first 2 % of a tar of ~200,000: eight times as many more at
        // first, then (36,864 walked, at the same rate) the rest and an eighth.
        let mut v = full(4096);
        make_room(&mut v, 4096 * 1024, Some(200_000 * 1024), max);
        assert_eq!(v.capacity(), 9 * 4096);
        let mut v = full(9 * 4096);
        make_room(&mut v, 9 * 4096 * 1024, Some(200_000 * 1024), max);
        let rest = (200_000 - 9 * 4096) * 9 / 8;
        assert!(
            v.capacity().abs_diff(9 * 4096 + rest) < 8,
            "{}",
            v.capacity()
        );
        // Dense at first and huge, or a claimed size far past the data: eight times at most.
        let mut v = full(4096);
        make_room(&mut v, 4096 * 512, Some(u64::MAX), max);
        assert_eq!(v.capacity(), 9 * 4096);
        // An estimate under doubling (the tar ends 10 blocks later; or sparse so far, dense
        // after): doubling.
        let mut v = full(4096);
        make_room(&mut v, 4096 * 1024, Some(4096 * 1024 + 10 * 512), max);
        assert_eq!(v.capacity(), 8192);
        let mut v = full(4096);
        make_room(&mut v, 4096 << 20, Some(6144 << 20), max);
        assert_eq!(v.capacity(), 8192);
        // Unknown size, or too few entries to go by: doubling.
        let mut v = full(4096);
        make_room(&mut v, 4096 * 1024, None, max);
        assert_eq!(v.capacity(), 8192);
        let mut v = full(100);
        make_room(&mut v, 100 * 1024, Some(1 << 30), max);
        assert_eq!(v.capacity(), 200);
        // Never room past the limit, where the walk stops.
        let mut v = full(4096);
        make_room(&mut v, 4096 * 1024, Some(200_000 * 1024), 5000);
        assert_eq!(v.capacity(), 5000);
        let mut v = full(100);
        make_room(&mut v, 0, None, 100);
        assert_eq!(v.capacity(), 101);
    }

    #[test]
    fn duplicates_are_the_later_entries_of_a_path_in_the_layers_order() {
        use EntryKind::{Dir, File, Symlink};
        let entries: Vec<Entry> = [
            ("a", File),
            ("b", File),
            ("a", File),
            ("d", Dir),
            ("d", Dir),
            ("c", File),
            ("b", Symlink),
            ("a", File),
            ("d", File),
        ]
        .into_iter()
        .map(|(p, k)| entry(p, k))
        .collect();
        // Folders count too (dockerd refuses a folder given twice), and so does a file
        // where a folder was: one path, whatever the kinds.
        assert_eq!(
            duplicates(&entries, &[]),
            (5, ["a", "d", "b", "a", "d"].map(String::from).to_vec())
        );
        let many: Vec<Entry> = (0..8).map(|_| entry("x", File)).collect();
        assert_eq!(duplicates(&many, &[]).0, 7);
        assert_eq!(duplicates(&many, &[]).1.len(), 5);
        assert_eq!(duplicates(&[], &[]), (0, vec![]));
        // `/a` and `a` are two names to dockerd's check (Go's filepath.Clean keeps the `/`);
        // `/a` twice is one name given twice.
        let named: Vec<Entry> = ["a", "a", "a"]
            .into_iter()
            .map(|p| entry(p, File))
            .collect();
        assert_eq!(duplicates(&named, &[0]), (1, vec!["a".to_string()]));
        assert_eq!(duplicates(&named[..2], &[0]), (0, vec![]));
        assert_eq!(duplicates(&named[..2], &[0, 1]), (1, vec!["a".to_string()]));
    }
}
