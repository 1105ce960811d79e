//! How a hashing worker turns one job (a blob of the `File`) into its facts.
//!
//! Five paths, chosen per blob (recorded in `MemberFacts::hashed_with`, shown in the layer
//! details):
//! - **WebCrypto** — an uncompressed blob of at most [`budget`] bytes is read whole and
//!   hashed in one shot by `crypto.subtle.digest`, which uses the CPU's SHA instructions
//!   (several times the wasm hasher's speed). WebCrypto cannot stream, so the blob must fit
//!   one buffer: the budget.
//! - **Streamed** — every other blob, in chunks, through the wasm hasher (`sha2` with wasm
//!   SIMD: measured fastest of `sha2`'s backends and a straight-line kernel of our own in
//!   Chromium's V8, `bench/kernel/run.js`). An uncompressed one is hashed as it arrives, the
//!   next read in flight while a piece is hashed; a compressed one (its diff_id is the digest
//!   of its decompressed bytes) goes through `pancake_core::read::reading::hash` over
//!   [`FileSource`], which inflates and walks in one pass.
//! - **Together** — a streamed uncompressed blob read while the worker reads others: up to
//!   four hash in one vector, a lane each ([`crate::lanes`]), recorded as `StreamedTogether`.
//! - **With the walk** — an uncompressed layer tar the scanner's walk read whole was fed to
//!   this worker piece by piece as it was walked ([`crate::feed`]); its job takes that digest
//!   (the same wasm hasher, run while the walk went on), recorded as `WithTheWalk`.
//! - **Beside the walk** — the one large layer tar the scanner named to this worker as soon
//!   as its walk skipped some of it ([`crate::feed`]'s `Tee`) was hashed here from reads of
//!   its own ([`stream_sha256`]) while the walk went on; its job takes that digest, recorded
//!   as `BesideTheWalk`.
//!
//! The first two read through a BYOB reader of the blob's byte stream ([`crate::byob`]) into one
//! buffer per worker, reused by every job: no read makes garbage, so the worker's memory
//! stays at its buffers whatever the file's size (issue 13, target 5). Where blob streams
//! are not byte streams, `File.slice().arrayBuffer()` does the same work with garbage. The
//! blob's tar headers are walked by `read_at` (`pancake_core::read::prehashed`), only for a
//! blob the first walk did not already list.
//!
//! Any failure on the WebCrypto path (no `crypto.subtle`, a read that comes back short) falls
//! back to the streamed path, which reports read errors the usual way.

use std::cell::RefCell;

use pancake_core::digest::Hasher;
use pancake_core::read::archive::{HashJob, Options};
use pancake_core::read::prehashed::Unhashed;
use pancake_core::read::{prehashed, reading, sniff};
use pancake_core::{Compression, Digest, HashPath, MemberFacts, ReadAt};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::byob::ByobReader;
use crate::file_source::FileSource;

thread_local! {
    /// This worker's one read buffer (JS memory), reused by every job: the BYOB reads fill
    /// it (a streamed piece, or a whole WebCrypto blob). It only grows, to the largest
    /// WebCrypto blob this worker took; the worker ends when the file is hashed.
    static SPARE: RefCell<Option<js_sys::ArrayBuffer>> = const { RefCell::new(None) };
    /// The streamed path's piece in wasm memory, reused by every job: wasm memory never
    /// shrinks, so a fresh `Vec` per job would only add to it.
    static PIECE: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    /// Bytes of the WebCrypto blobs in flight in this worker (its jobs run side by side: see
    /// [`crate::lanes`]).
    static WEBCRYPTO_IN_FLIGHT: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// The spare read buffer if it holds at least `len` bytes, else a new one of `len` bytes.
fn take_spare(len: u32) -> js_sys::ArrayBuffer {
    SPARE
        .with(|s| s.borrow_mut().take())
        .filter(|b| b.byte_length() >= len)
        .unwrap_or_else(|| js_sys::ArrayBuffer::new(len))
}

fn put_spare(buffer: js_sys::ArrayBuffer) {
    SPARE.with(|s| *s.borrow_mut() = Some(buffer));
}

const MIB: f64 = 1024.0 * 1024.0;

/// Piece size (bytes) of the overlapped streaming read: large enough that a read's fixed cost
/// vanishes, small enough that two pieces in flight cost little memory.
pub const STREAM_CHUNK: u64 = 8 << 20;

/// How many hashing workers the page runs: one per core as `navigator.hardwareConcurrency`
/// reports it (in the page and in a worker alike), at most
/// [`crate::worker_glue::MAX_HASHERS`].
pub fn hashers() -> usize {
    let global = js_sys::global();
    js_sys::Reflect::get(&global, &JsValue::from_str("navigator"))
        .and_then(|n| js_sys::Reflect::get(&n, &JsValue::from_str("hardwareConcurrency")))
        .ok()
        .and_then(|v| v.as_f64())
        .filter(|n| n.is_finite() && *n >= 1.0)
        .map_or(1, |n| n as usize)
        .clamp(1, crate::worker_glue::MAX_HASHERS)
}

/// The WebCrypto memory of the whole pool (bytes): 8 MiB per GiB of the device's memory as
/// `navigator.deviceMemory` reports it (Chromium rounds it and caps it; other browsers lack
/// it: taken as 4), between 32 MiB and 64 MiB. Twice this (a blob in flight and the copy
/// `digest` takes) stays within issue 13's 256 MiB bound on the page's growth beside the
/// ~110 MiB the page, the workers and the streamed reads take for any file (measured).
pub fn pool_budget() -> u64 {
    let global = js_sys::global();
    let gib = js_sys::Reflect::get(&global, &JsValue::from_str("navigator"))
        .and_then(|n| js_sys::Reflect::get(&n, &JsValue::from_str("deviceMemory")))
        .ok()
        .and_then(|v| v.as_f64())
        .filter(|g| g.is_finite() && *g > 0.0)
        .unwrap_or(4.0);
    (gib * 8.0 * MIB).clamp(32.0 * MIB, 64.0 * MIB) as u64
}

/// The largest blob (bytes) this worker hashes with WebCrypto: its share of
/// [`pool_budget`] (the pool's hashers may each hold one such blob at once), at least
/// 16 MiB — 32 MiB with two hashers on an 8 GiB machine.
///
/// The trade-off (issue 13, targets 1 and 5): WebCrypto hashes 1.5–3× faster than the wasm
/// hasher, but cannot stream, so a blob in flight costs twice its size for a moment (this
/// worker's read buffer, and the copy `digest` takes; the buffer is kept for the worker's
/// next blob). At most the pool's hashers × 2 × this, so about twice the pool budget,
/// whatever the file's size; a larger budget verifies a save of mid-sized layers sooner and
/// raises the page's memory by as much. `bench/web.js` measured both sides (README, "The
/// page").
pub fn budget() -> u64 {
    let share = pool_budget() / hashers().max(1) as u64;
    share.max(16 << 20)
}

/// Hashes and indexes one blob; `progress` gets the bytes of this job done so far. `fed`:
/// the scanner fed this worker the blob as it walked it ([`crate::feed`]); its digest comes
/// from those pieces when they all came.
pub async fn hash_job(
    source: &FileSource,
    job: &HashJob,
    fed: bool,
    progress: &mut dyn FnMut(u64),
) -> MemberFacts {
    let opts = source.options().clone();
    if fed && job.len > 0 && !job.sha512 {
        if let Some(facts) = from_feed(source, job, &opts, progress).await {
            return facts;
        }
    }
    // sha512 blobs (OCI `blobs/sha512/`) need both digests: the core's streamed path computes them.
    if job.len > 0 && !job.sha512 && uncompressed(source, job) {
        // The WebCrypto blobs in flight at once in this worker (its jobs run side by side)
        // stay within its budget together; a job that would go over it is streamed in a
        // lane instead.
        // A job takes the spare buffer when it is large enough (before its first await), so
        // it holds the spare's bytes, not only its own.
        let spare = SPARE.with(|s| {
            s.borrow()
                .as_ref()
                .map_or(0, |b| u64::from(b.byte_length()))
        });
        let charge = if spare >= job.len { spare } else { job.len };
        let fits = WEBCRYPTO_IN_FLIGHT.with(|b| {
            let after = b.get().saturating_add(charge);
            let fits = after <= budget();
            if fits {
                b.set(after);
            }
            fits
        });
        if fits {
            let facts = with_webcrypto(source, job, &opts).await;
            WEBCRYPTO_IN_FLIGHT.with(|b| b.set(b.get().saturating_sub(charge)));
            if let Some(facts) = facts {
                progress(job.len);
                return facts;
            }
        }
        // In a lane beside the other blobs this worker reads at the same time; then the BYOB
        // stream alone (no garbage); where blob streams are not byte streams, the same
        // overlapped pieces through `arrayBuffer()`.
        if let Some(facts) = together(source, job, &opts, progress).await {
            return facts;
        }
        if let Some(facts) = streamed_byob(source, job, &opts, progress).await {
            return facts;
        }
        if let Some(facts) = streamed_overlapped(source, job, &opts, progress).await {
            return facts;
        }
    }
    let mut facts = reading::hash(source, job, &opts, progress);
    facts.hashed_with = Some(HashPath::Streamed);
    facts
}

/// The fed path: the digest of the pieces the scanner handed over while it walked the blob
/// (the same wasm hasher, on this worker, as the walk went on); `None` when they did not all
/// come, to hash the blob the usual way.
async fn from_feed(
    source: &FileSource,
    job: &HashJob,
    opts: &Options,
    progress: &mut dyn FnMut(u64),
) -> Option<MemberFacts> {
    // Its first block is sniffed here (a compressed blob gives `None`): no other read.
    let unhashed = prehashed::index_unhashed(source, job, opts)?;
    let (digest, how) = crate::feed::digest(job.offset, job.len, progress).await?;
    progress(job.len);
    Some(unhashed.finish(digest, None, how))
}

fn uncompressed(source: &FileSource, job: &HashJob) -> bool {
    let want = job.len.min(sniff::TAR_BLOCK as u64) as usize;
    source
        .read_vec_at(job.offset, want)
        .is_ok_and(|h| sniff::compression(&h) == Compression::None)
}

/// The WebCrypto path; `None` to fall back to streaming. The blob is read whole into this
/// worker's spare buffer through a BYOB reader (no new buffer per blob, so nothing waits for
/// the GC), or, where blob streams are not byte streams, with `arrayBuffer()`.
async fn with_webcrypto(source: &FileSource, job: &HashJob, opts: &Options) -> Option<MemberFacts> {
    let end = job.offset.checked_add(job.len)?;
    let len = u32::try_from(job.len).ok()?;
    let blob = source
        .file()
        .slice_with_f64_and_f64(job.offset as f64, end as f64)
        .ok()?;
    let Some(reader) = ByobReader::open(&blob) else {
        return with_webcrypto_array_buffer(source, job, opts, &blob).await;
    };
    // The header walk reads by `read_at` (synchronously), so it goes first: a BYOB read
    // only moves on when the next one is asked for.
    let unhashed = prehashed::index_unhashed(source, job, opts)?;
    let mut buffer = take_spare(len);
    let mut filled = 0u32;
    let mut give_way = crate::give_way::GiveWay::default();
    while filled < len {
        // Between reads (no buffer out): messages get their turn ([`crate::give_way`]).
        give_way.now_and_then().await;
        let chunk = ByobReader::answer(reader.read(&buffer, filled, len - filled)?).await?;
        buffer = chunk.buffer;
        if chunk.len == 0 {
            // The file shrank: the streamed path reports it.
            put_spare(buffer);
            return None;
        }
        filled = filled.saturating_add(chunk.len);
    }
    reader.cancel();
    let view = js_sys::Uint8Array::new_with_byte_offset_and_length(&buffer, 0, len);
    let digest = subtle()?
        .digest_with_str_and_buffer_source("SHA-256", &view)
        .ok();
    // `digest` took its own copy of the bytes before returning (WebCrypto spec, "get a copy
    // of the bytes held by the buffer source"), so the buffer is free for the next job now.
    put_spare(buffer);
    finish_webcrypto(unhashed, digest?).await
}

/// [`with_webcrypto`] where the BYOB reader is missing: one `arrayBuffer()` of the blob.
async fn with_webcrypto_array_buffer(
    source: &FileSource,
    job: &HashJob,
    opts: &Options,
    blob: &web_sys::Blob,
) -> Option<MemberFacts> {
    // Start the read first: the browser reads the file on its own threads while this worker
    // walks the headers.
    let read = JsFuture::from(blob.array_buffer());
    let unhashed = prehashed::index_unhashed(source, job, opts)?;
    let buffer: js_sys::ArrayBuffer = read.await.ok()?.dyn_into().ok()?;
    if buffer.byte_length() as u64 != job.len {
        return None;
    }
    let digest = subtle()?
        .digest_with_str_and_buffer_source("SHA-256", &buffer)
        .ok()?;
    // Not freed by hand: `ArrayBuffer.transfer(0)` was measured to *raise* the renderer's
    // memory (+748 MiB over 800 MB read in 8 MiB pieces, against +128 MiB leaving it to the GC).
    drop(buffer);
    finish_webcrypto(unhashed, digest).await
}

/// Awaits WebCrypto's digest and completes the facts with it.
async fn finish_webcrypto(unhashed: Unhashed, digest: js_sys::Promise) -> Option<MemberFacts> {
    let out: js_sys::ArrayBuffer = JsFuture::from(digest).await.ok()?.dyn_into().ok()?;
    let bytes = js_sys::Uint8Array::new(&out).to_vec();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let sha256 = Digest::parse(&format!("sha256:{hex}"))?;
    Some(unhashed.finish(sha256, None, HashPath::WebCrypto))
}

/// The lanes path for an uncompressed blob ([`crate::lanes`]): read through a BYOB reader of
/// its own and hashed in one vector with the other blobs this worker reads at the same time;
/// recorded as `StreamedTogether` when some of it was, else as `Streamed`. `None` to fall
/// back (no BYOB reader, or a read that failed: the other paths report it).
async fn together(
    source: &FileSource,
    job: &HashJob,
    opts: &Options,
    progress: &mut dyn FnMut(u64),
) -> Option<MemberFacts> {
    // The header walk reads by `read_at` (synchronously), so it goes first.
    let unhashed = prehashed::index_unhashed(source, job, opts)?;
    let end = job.offset.checked_add(job.len)?;
    let blob = source
        .file()
        .slice_with_f64_and_f64(job.offset as f64, end as f64)
        .ok()?;
    let (digest, together) = crate::lanes::sha256(blob, job.len, progress).await?;
    let how = if together {
        HashPath::StreamedTogether
    } else {
        HashPath::Streamed
    };
    Some(unhashed.finish(digest, None, how))
}

/// The streaming path for an uncompressed blob through a BYOB reader: each read lands in the
/// spare buffer, is copied once into the reused piece in wasm memory, and while the wasm
/// hasher works on it the next read is already filling the spare buffer. `None` to fall
/// back (no BYOB reader, or a read that failed: the other paths report it).
async fn streamed_byob(
    source: &FileSource,
    job: &HashJob,
    opts: &Options,
    progress: &mut dyn FnMut(u64),
) -> Option<MemberFacts> {
    // The header walk reads by `read_at` (synchronously), so it goes first.
    let unhashed = prehashed::index_unhashed(source, job, opts)?;
    let digest = stream_sha256(source, job.offset, job.len, progress).await?;
    Some(unhashed.finish(digest, None, HashPath::Streamed))
}

/// The SHA-256 of the `len` bytes at `offset` in the file, read through a BYOB reader (see
/// [`streamed_byob`]); `progress` gets the bytes hashed so far. `None` where blob streams
/// are not byte streams, or when a read fails or the file ends short of them.
pub async fn stream_sha256(
    source: &FileSource,
    offset: u64,
    len: u64,
    progress: &mut dyn FnMut(u64),
) -> Option<Digest> {
    let end = offset.checked_add(len)?;
    let blob = source
        .file()
        .slice_with_f64_and_f64(offset as f64, end as f64)
        .ok()?;
    let reader = ByobReader::open(&blob)?;
    let want = u32::try_from(STREAM_CHUNK).ok()?;
    let mut buffer = take_spare(want);
    let mut hasher = Hasher::new();
    // Taken out for the job (a borrow cannot live across the awaits), put back at its end.
    let mut piece = PIECE.with(|p| std::mem::take(&mut *p.borrow_mut()));
    let mut pending = Some(reader.read(&buffer, 0, want)?);
    let mut ok = true;
    let mut give_way = crate::give_way::GiveWay::default();
    while let Some(read) = pending.take() {
        // The next read is in flight meanwhile.
        give_way.now_and_then().await;
        let Some(chunk) = ByobReader::answer(read).await else {
            ok = false;
            break;
        };
        buffer = chunk.buffer;
        let n = chunk.len as usize;
        if n == 0 {
            // The stream ended (`done`): short of `job.len` when the file shrank.
            break;
        }
        piece.resize(n, 0);
        if let Some(dst) = piece.get_mut(..n) {
            js_sys::Uint8Array::new_with_byte_offset_and_length(&buffer, 0, chunk.len).copy_to(dst);
        }
        let got = hasher.len().saturating_add(n as u64);
        if !chunk.done && got < len {
            pending = reader.read(&buffer, 0, want);
            if pending.is_none() {
                ok = false;
            }
        }
        if let Some(bytes) = piece.get(..n) {
            hasher.update(bytes);
        }
        progress(hasher.len());
    }
    if pending.is_none() && hasher.len() == len {
        // Every byte wanted is read and the buffer is back: keep it for the next job.
        reader.cancel();
        put_spare(buffer);
    }
    PIECE.with(|p| *p.borrow_mut() = piece);
    if !ok || hasher.len() != len {
        return None;
    }
    Some(hasher.finish())
}

/// The streaming path for an uncompressed blob where blob streams are not byte streams:
/// `arrayBuffer()` pieces, the next in flight while one is hashed; `None` to fall back to
/// `hash_member`.
async fn streamed_overlapped(
    source: &FileSource,
    job: &HashJob,
    opts: &Options,
    progress: &mut dyn FnMut(u64),
) -> Option<MemberFacts> {
    let end = job.offset.checked_add(job.len)?;
    let read = |from: u64| -> Option<JsFuture> {
        let to = from.saturating_add(STREAM_CHUNK).min(end);
        let blob = source
            .file()
            .slice_with_f64_and_f64(from as f64, to as f64)
            .ok()?;
        Some(JsFuture::from(blob.array_buffer()))
    };
    let mut next = Some(read(job.offset)?);
    let unhashed = prehashed::index_unhashed(source, job, opts)?;
    let mut hasher = Hasher::new();
    let mut piece = PIECE.with(|p| std::mem::take(&mut *p.borrow_mut()));
    let mut at = job.offset;
    while let Some(pending) = next.take() {
        let buffer: js_sys::ArrayBuffer = pending.await.ok()?.dyn_into().ok()?;
        let arr = js_sys::Uint8Array::new(&buffer);
        let n = arr.length() as usize;
        if n == 0 {
            return None; // the file shrank: let the other path report it
        }
        at = at.saturating_add(n as u64);
        if at < end {
            next = Some(read(at)?);
        }
        piece.resize(n, 0);
        arr.copy_to(piece.get_mut(..n)?);
        hasher.update(piece.get(..n)?);
        progress(hasher.len());
    }
    PIECE.with(|p| *p.borrow_mut() = piece);
    if hasher.len() != job.len {
        return None;
    }
    Some(unhashed.finish(hasher.finish(), None, HashPath::Streamed))
}

/// `crypto.subtle` of this worker (only in secure contexts: https or localhost).
fn subtle() -> Option<web_sys::SubtleCrypto> {
    let global = js_sys::global();
    let crypto = js_sys::Reflect::get(&global, &JsValue::from_str("crypto")).ok()?;
    let subtle = js_sys::Reflect::get(&crypto, &JsValue::from_str("subtle")).ok()?;
    subtle.dyn_into().ok()
}
