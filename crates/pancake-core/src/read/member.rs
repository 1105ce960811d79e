//! The one member processor: every regular member of the outer tarball goes through
//! [`process`], whether it streams by in [`crate::read::archive::read_stream`] or is re-read
//! from a `ReadAt` by [`crate::read::archive::hash_member`]. One pass: the stored bytes are hashed,
//! compression is sniffed, small JSON is kept, and a (decompressed) tar is walked while the
//! decompressed stream is hashed for its diff_id.

use std::io::{self, Cursor, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::digest::Hasher;
use crate::limits::Limits;
use crate::model::{
    Compression, Entry, HashPath, LayerIndex, MemberFacts, Problem, ProblemKind, ReadError,
};
use crate::read::decompress::{self, EndAtTrailing};
use crate::read::layer;
use crate::read::offload::{self, Offload};
use crate::read::sniff;

/// Size of the reads the hashing path asks for; big enough to keep sha256 busy.
pub const CHUNK: usize = 1 << 20;

/// Reading options.
#[derive(Clone, Debug)]
pub struct Options {
    /// Every bound on work and memory (decompressed bytes, JSON size, extension records ...).
    pub limits: Limits,
    /// Threads for hashing independent blobs in [`crate::read::archive::open`] (1 on wasm32).
    pub threads: usize,
    /// Decompressed bytes the members of the archive being read may still yield, together
    /// (shared by its reading's clones and threads); `u64::MAX` until a reading of a whole
    /// archive sets it ([`Options::for_archive`]). A member started when it is lower than its
    /// own bound stops there, [`ReadError::OverArchiveLimit`]; threads decompressing at once
    /// may each overshoot it by at most one member's bound.
    pub archive_budget: Arc<ArchiveBudget>,
}

/// The decompressed bytes all the members of one archive may yield together, and what is
/// left of them ([`Options::archive_budget`]).
#[derive(Debug)]
pub struct ArchiveBudget {
    left: AtomicU64,
    total: u64,
}

impl ArchiveBudget {
    /// No archive-wide bound (each member keeps its own).
    pub fn unbounded() -> ArchiveBudget {
        ArchiveBudget::new(u64::MAX)
    }

    /// A budget of `total` decompressed bytes.
    pub fn new(total: u64) -> ArchiveBudget {
        ArchiveBudget {
            left: AtomicU64::new(total),
            total,
        }
    }

    /// The bytes still allowed.
    pub fn left(&self) -> u64 {
        self.left.load(Ordering::Relaxed)
    }

    /// The whole budget, in bytes (`u64::MAX`: unbounded).
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Takes `bytes` from what is left (saturating: several members may take at once).
    fn spend(&self, bytes: u64) {
        let _ = self
            .left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| {
                Some(b.saturating_sub(bytes))
            });
    }
}

impl Options {
    /// These options for reading one whole archive of `archive_bytes` bytes: with a fresh
    /// archive-wide decompression budget ([`Limits::decompressed_total_for`]), unless one is
    /// already running (an outer reading calling an inner one keeps its own).
    pub fn for_archive(&self, archive_bytes: u64) -> Options {
        if self.archive_budget.total() != u64::MAX {
            return self.clone();
        }
        Options {
            archive_budget: Arc::new(ArchiveBudget::new(
                self.limits.decompressed_total_for(archive_bytes),
            )),
            ..self.clone()
        }
    }
}

impl Default for Options {
    fn default() -> Self {
        #[cfg(not(target_arch = "wasm32"))]
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        #[cfg(target_arch = "wasm32")]
        let threads = 1;
        Options {
            limits: Limits::default(),
            threads,
            archive_budget: Arc::new(ArchiveBudget::unbounded()),
        }
    }
}

/// The result of processing one member: its facts, and — separately — whether the *outer*
/// stream failed while reading it (truncated, read error), which ends the outer walk.
pub struct Processed {
    /// What was learned about the member (its digests, compression, JSON, layer index).
    pub facts: MemberFacts,
    /// Set when the outer stream failed inside the member; the outer walk stops then.
    pub outer_error: Option<ReadError>,
}

/// Hashes (or hands on, see [`crate::read::offload`]) and counts what is read through it;
/// remembers the first read error; reports progress.
struct Tap<'p, 'o, R> {
    inner: R,
    hasher: Hasher,
    /// Where the bytes go instead of `hasher` when the blob was handed on, and how many went.
    handed_on: Option<(&'o mut dyn Offload, u64)>,
    error: Option<String>,
    last_report: u64,
    progress: &'p mut dyn FnMut(u64),
}

impl<R> Tap<'_, '_, R> {
    /// Bytes read through it.
    fn len(&self) -> u64 {
        match &self.handed_on {
            Some((_, n)) => *n,
            None => self.hasher.len(),
        }
    }
}

impl<R: Read> Read for Tap<'_, '_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => {
                if let Some(b) = buf.get(..n) {
                    match self.handed_on.as_mut() {
                        Some((to, count)) => {
                            to.piece(b);
                            *count += b.len() as u64;
                        }
                        None => self.hasher.update(b),
                    }
                }
                let done = self.len();
                if done - self.last_report >= CHUNK as u64 {
                    self.last_report = done;
                    (self.progress)(done);
                }
                Ok(n)
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            Err(e) => {
                if self.error.is_none() {
                    self.error = Some(e.to_string());
                }
                Err(e)
            }
        }
    }
}

/// Hashes a decompressed stream and refuses to yield more than `left` bytes. Remembers the
/// first decoding failure (for the message) and ends cleanly at trailing data.
struct Decoded<R> {
    inner: EndAtTrailing<R>,
    hasher: Hasher,
    left: u64,
    limit_hit: bool,
    failure: Option<String>,
}

impl<R: Read> Decoded<R> {
    fn read_inner(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Err(e) if e.kind() != io::ErrorKind::Interrupted => {
                if self.failure.is_none() {
                    self.failure = Some(e.to_string());
                }
                Err(e)
            }
            r => r,
        }
    }
}

impl<R: Read> Read for Decoded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            // One byte more than allowed means the stream is over the limit.
            let mut probe = [0u8; 1];
            return match self.read_inner(&mut probe)? {
                0 => Ok(0),
                _ => {
                    self.limit_hit = true;
                    Err(io::Error::other("decompressed size exceeds the limit"))
                }
            };
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let Some(dst) = buf.get_mut(..want) else {
            return Ok(0);
        };
        let n = self.read_inner(dst)?;
        if let Some(b) = dst.get(..n) {
            self.hasher.update(b);
        }
        self.left = self.left.saturating_sub(n as u64);
        Ok(n)
    }
}

/// Reads up to `n` bytes (fewer only at the end of the stream).
fn read_head<R: Read>(r: &mut R, n: usize) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(n);
    r.by_ref().take(n as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// Reads everything left, in large chunks, discarding it. The first read goes to a small buffer
/// on the stack: most members drained are small or empty, and a fresh zeroed `CHUNK` for each
/// was most of the time spent on a file of 200,000 empty members (25 µs each, all memset).
fn drain<R: Read>(r: &mut R) -> io::Result<u64> {
    let mut first = [0u8; 8192];
    let mut total = loop {
        match r.read(&mut first) {
            Ok(0) => return Ok(0),
            Ok(n) => break n as u64,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    };
    let mut buf = vec![0u8; CHUNK];
    loop {
        match r.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => total += n as u64,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// What decompressing a member found beyond its [`LayerIndex`].
#[derive(Default)]
struct Decompressed {
    /// Compressed offset of bytes after the end of the compressed stream that start no other
    /// member or frame.
    trailing: Option<u64>,
}

/// Processes the bytes of one member named `name`, which the tar header says are `size` bytes
/// long and start at `outer_offset` in an uncompressed outer file (when known).
/// `archive_bytes` is the size of the whole archive file: a layer may decompress to at most
/// `opts.limits.decompressed_for(archive_bytes)` bytes (0 when unknown: the fixed floor).
///
/// A zero-byte member is an empty layer (a tar with no members, as Go's `archive/tar` reads
/// it); a member that decompresses (gzip, zstd, xz, bzip2, every member/frame/stream) to a
/// tar is walked and its decompressed bytes hashed for the diff_id.
///
/// `sha512`: also compute sha512 of the blob ([`MemberFacts::sha512`]) and of its
/// uncompressed tar ([`LayerIndex::diff_id_sha512`]); it is implied for a member `name`d
/// under `blobs/sha512/` (see [`is_sha512_blob`]).
///
/// `offload`: asked whether to hand on the blob's bytes (a blob checked with sha256 alone);
/// when it takes them, the facts come without `sha256` (and diff_id, for an uncompressed
/// layer tar) and with `hashed_with` [`HashPath::HandedOn`] ([`crate::read::offload`]).
#[allow(clippy::too_many_arguments)]
pub fn process<R: Read>(
    reader: R,
    name: &str,
    size: u64,
    outer_offset: Option<u64>,
    archive_bytes: u64,
    sha512: bool,
    opts: &Options,
    progress: &mut dyn FnMut(u64),
    offload: Option<&mut dyn Offload>,
) -> Processed {
    // A blob an OCI layout names by its sha512 is checked with sha512 (image-spec registers
    // both), and so is its uncompressed tar: a layout that names blobs by sha512 may give its
    // configs sha512 diff_ids too. Everything else needs only sha256, so the second hash is
    // not paid for.
    let sha512 = sha512 || is_sha512_blob(name);
    let hasher = if sha512 {
        Hasher::with_sha512()
    } else {
        Hasher::new()
    };
    let handed_on = offload
        .filter(|_| !sha512)
        .and_then(|to| to.take(size).then_some((to, 0)));
    let mut facts = MemberFacts::default();
    if handed_on.is_some() {
        facts.hashed_with = Some(HashPath::HandedOn);
    }
    let mut tap = Tap {
        inner: reader,
        hasher,
        handed_on,
        error: None,
        last_report: 0,
        progress,
    };
    let mut found = Decompressed::default();
    if let Ok(head) = read_head(&mut tap, sniff::TAR_BLOCK) {
        facts.compression = sniff::compression(&head);
        match facts.compression {
            Compression::None if head.is_empty() => {
                // A zero-byte blob is a tar with no members: Go's `archive/tar` gives io.EOF at
                // the first Next(), and Docker loads and saves such layers (buildpacks, werf):
                // diff_id = digest = sha256 of nothing, set below with the digest.
                facts.layer = Some(LayerIndex::default());
            }
            Compression::None if sniff::is_tar(&head) => {
                let mut src = Cursor::new(head).chain(&mut tap);
                let walk = layer::walk_sized(&mut src, name, outer_offset, size, &opts.limits);
                let _ = drain(&mut src);
                facts.problems.extend(walk.problems);
                facts.layer = Some(LayerIndex {
                    uncompressed_size: 0,
                    entries: walk.entries.into(),
                    error: walk.error.map(|at| ReadError::Broken { at }),
                    left_out: walk.left_out,
                    cut: walk.cut,
                    ..LayerIndex::default()
                });
            }
            Compression::None if sniff::is_cut_tar_header(&head) => {
                facts.layer = Some(LayerIndex {
                    error: Some(ReadError::CutHeader {
                        bytes: head.len() as u64,
                        compression: Compression::None,
                    }),
                    ..LayerIndex::default()
                });
            }
            Compression::None => {
                if sniff::looks_like_json(&head) {
                    let cap = opts.limits.max_json_bytes;
                    if size > cap {
                        facts.json_over_limit = Some(cap);
                    } else {
                        let mut text = head;
                        if tap.by_ref().take(cap).read_to_end(&mut text).is_ok() {
                            if let Some((text, replaced)) =
                                crate::read::gojson::text_as_go_reads(text)
                            {
                                facts.json = Some(text.into());
                                facts.json_invalid_utf8 = replaced;
                            }
                        }
                    }
                }
            }
            compression => {
                let src = Cursor::new(head).chain(&mut tap);
                let bound = opts.limits.decompressed_for(archive_bytes);
                found = decompressed(src, compression, name, bound, sha512, opts, &mut facts);
            }
        }
    }
    // Whatever happened above, read the member to its end so its digest is complete and the
    // outer stream stays in step.
    let _ = drain(&mut tap);
    let stored = tap.len();
    let handed_on = match tap.handed_on.take() {
        Some((to, _)) => {
            to.end();
            true
        }
        None => false,
    };
    let outer_error = match tap.error.take() {
        Some(cause) => Some(ReadError::ReadFailed {
            stored,
            size,
            cause,
        }),
        None if stored < size => Some(ReadError::Truncated { stored, size }),
        None => None,
    };
    if outer_error.is_none() {
        if let Some(layer) = facts.layer.as_mut() {
            if facts.compression == Compression::None {
                layer.uncompressed_size = stored;
            }
        }
        // A blob handed on gets its digests when they come back (`offload::settle`).
        if !handed_on {
            let (digest, blob_sha512) = tap.hasher.finish_all();
            if let Some(layer) = facts.layer.as_mut() {
                if facts.compression == Compression::None && layer.error.is_none() {
                    layer.diff_id_sha512 = blob_sha512.clone();
                }
            }
            offload::settle(&mut facts, digest);
            facts.sha512 = blob_sha512;
        }
    } else {
        facts.error = outer_error.clone();
        if let Some(layer) = facts.layer.as_mut() {
            layer.diff_id = None;
            layer.diff_id_sha512 = None;
            if layer.error.is_none() {
                layer.error = outer_error.clone();
            }
        }
    }
    if let (Some(off), Some(layer)) = (found.trailing, &facts.layer) {
        if layer.error.is_none() && outer_error.is_none() {
            // Docker reads the same way: the layer's tar ends at its end-of-archive marker and
            // moby drains the rest ignoring errors, so the layer loads with this diff_id. Said,
            // not hidden: the bytes may be a second stream some tool meant to be read. A note
            // (`tar-quirk`), not "cannot be read": the layer was read in full and verifies.
            facts.problems.push(Problem::layer(
                ProblemKind::TarQuirk,
                None,
                name,
                format!(
                    "{} bytes at byte offset {off} of the blob follow the end of its {} stream and are not {}: ignored, as docker load ignores them; the layer's {} decompressed bytes before them are read and hashed",
                    stored.saturating_sub(off),
                    decompress::name(facts.compression),
                    decompress::name(facts.compression),
                    layer.uncompressed_size
                ),
            ));
        }
    }
    if let Some(layer) = &facts.layer {
        if let Some(err) = &layer.error {
            if facts.error.is_none() {
                facts.error = Some(err.clone());
            }
            // The kind comes from the error's variant: a limit, or damage.
            facts
                .problems
                .push(Problem::layer(err.kind(), None, name, err.to_string()));
        }
    }
    Processed { facts, outer_error }
}

/// Whether a member is a blob an OCI layout names by its sha512 (`blobs/sha512/<hex>`).
pub fn is_sha512_blob(name: &str) -> bool {
    name.trim_start_matches("./").starts_with("blobs/sha512/")
}

/// Decompresses, sniffs the result, walks it if it is a tar, hashes it to the end.
/// [`decompressed_within`] under the member's own `bound` or what is left of the archive's
/// budget, whichever is lower; what it decompressed is taken from the budget.
fn decompressed<R: Read>(
    src: R,
    compression: Compression,
    name: &str,
    bound: u64,
    sha512: bool,
    opts: &Options,
    facts: &mut MemberFacts,
) -> Decompressed {
    let left = opts.archive_budget.left();
    let archive_bound = (left < bound).then(|| opts.archive_budget.total());
    let (found, spent) = decompressed_within(
        src,
        compression,
        name,
        bound.min(left),
        archive_bound,
        sha512,
        opts,
        facts,
    );
    opts.archive_budget.spend(spent);
    found
}

/// Decompresses and walks one member, at most `bound` bytes of it; `archive_bound`: the
/// archive-wide bound when that is what `bound` comes from (then hitting it is
/// [`ReadError::OverArchiveLimit`]). Returns what it found and the bytes it decompressed.
#[allow(clippy::too_many_arguments)]
fn decompressed_within<R: Read>(
    src: R,
    compression: Compression,
    name: &str,
    bound: u64,
    archive_bound: Option<u64>,
    sha512: bool,
    opts: &Options,
    facts: &mut MemberFacts,
) -> (Decompressed, u64) {
    let inner = decompress::decoder(compression, src, opts.limits.max_window_bytes);
    let mut dec = Decoded {
        inner: EndAtTrailing::new(inner),
        hasher: if sha512 {
            Hasher::with_sha512()
        } else {
            Hasher::new()
        },
        left: bound,
        limit_hit: false,
        failure: None,
    };
    let what = decompress::name(compression);
    let window_msg = |w: decompress::WindowTooBig| ReadError::WindowOverLimit {
        requested: w.requested,
        max: w.max,
        compression: w.compression,
    };
    let limit_msg = || match archive_bound {
        Some(total) => ReadError::OverArchiveLimit { bound: total },
        None => ReadError::OverLimit {
            bound,
            floor: opts.limits.max_decompressed_bytes,
            ratio: opts.limits.decompressed_ratio,
        },
    };
    let head = read_head(&mut dec, sniff::TAR_BLOCK);
    let head = match head {
        Ok(h) => h,
        Err(e) => {
            let error = if dec.limit_hit {
                limit_msg()
            } else if let Some(w) = dec.inner.window {
                window_msg(w)
            } else {
                let reason = dec.failure.clone().unwrap_or_else(|| e.to_string());
                unreadable(&[], false, dec.hasher.len(), what, &reason)
            };
            facts.layer = Some(LayerIndex {
                error: Some(error),
                ..LayerIndex::default()
            });
            return (Decompressed { trailing: None }, dec.hasher.len());
        }
    };
    if head.is_empty() {
        // Decompresses to nothing: an empty tar, like a zero-byte blob.
        let trailing = dec.inner.trailing;
        let (diff_id, diff_id_sha512) = dec.hasher.finish_all();
        facts.layer = Some(LayerIndex {
            diff_id: Some(diff_id),
            diff_id_sha512,
            ..LayerIndex::default()
        });
        return (Decompressed { trailing }, 0);
    }
    if !sniff::is_tar(&head) {
        if sniff::is_cut_tar_header(&head) {
            facts.layer = Some(LayerIndex {
                error: Some(ReadError::CutHeader {
                    bytes: head.len() as u64,
                    compression,
                }),
                uncompressed_size: head.len() as u64,
                ..LayerIndex::default()
            });
        }
        // Otherwise compressed but not a tar: not a layer; nothing more to learn.
        return (Decompressed::default(), dec.hasher.len());
    }
    let mut src = Cursor::new(head).chain(&mut dec);
    let walk = layer::walk(&mut src, name, None, &opts.limits);
    let drained = drain(&mut src);
    facts.problems.extend(walk.problems);
    // The walk reached the tar's end: a failure now is in what follows it (the compressed
    // stream's trailer, its padding), not in the last entry.
    let tar_whole = walk.error.is_none();
    let error = if dec.limit_hit {
        Some(limit_msg())
    } else if let Some(w) = dec.inner.window {
        Some(window_msg(w))
    } else if let Some(reason) = dec.failure.clone() {
        Some(unreadable(
            &walk.entries,
            tar_whole,
            dec.hasher.len(),
            what,
            &reason,
        ))
    } else if let (Some(off), Some(_)) = (dec.inner.trailing, &walk.error) {
        // The tar is cut where non-compressed bytes begin: that is why it is incomplete.
        let reason = decompress::TrailingData {
            offset: off,
            compression,
        }
        .to_string();
        Some(unreadable(
            &walk.entries,
            false,
            dec.hasher.len(),
            what,
            &reason,
        ))
    } else if let Err(e) = drained {
        Some(unreadable(
            &walk.entries,
            tar_whole,
            dec.hasher.len(),
            what,
            &e.to_string(),
        ))
    } else {
        walk.error.map(|at| ReadError::Broken { at })
    };
    let uncompressed_size = dec.hasher.len();
    let found = Decompressed {
        trailing: dec.inner.trailing,
    };
    let (diff_id, diff_id_sha512) = if error.is_none() {
        let (d, d512) = dec.hasher.finish_all();
        (Some(d), d512)
    } else {
        (None, None)
    };
    facts.layer = Some(LayerIndex {
        diff_id,
        diff_id_sha512,
        uncompressed_size,
        entries: walk.entries.into(),
        error,
        left_out: walk.left_out,
        cut: walk.cut,
    });
    (found, uncompressed_size)
}

/// "unreadable at entry X, byte offset Y: reason": where in the decompressed tar a
/// decompression failure stopped the reading, and the last entry reached; `tar_whole`: the
/// tar had ended (every entry read) before the failure, which is then said to come after it
/// (a gzip trailer's CRC-32 or length that does not match, for one).
fn unreadable(
    entries: &[Entry],
    tar_whole: bool,
    offset: u64,
    what: &str,
    reason: &str,
) -> ReadError {
    let at = match entries.last() {
        Some(e) if tar_whole && entries.len() == 1 => format!(
            "after the end of its tar (its one entry, {}, read whole)",
            e.path.display()
        ),
        Some(e) if tar_whole => format!(
            "after the end of its tar (all {} entries read, the last {})",
            entries.len(),
            e.path.display()
        ),
        Some(e) => format!("at entry {} (entry {})", e.path.display(), entries.len()),
        None if tar_whole => "after the end of its tar (no entries)".to_string(),
        None => "before its first entry".to_string(),
    };
    ReadError::Broken {
        at: format!(
            "unreadable {at}, byte offset {offset} of the decompressed tar: the {what} stream is broken: {reason}"
        ),
    }
}
