//! How a hashing worker turns one job (a blob of the `File`) into its facts.
//!
//! Two paths, chosen per blob (recorded in `MemberFacts::hashed_with`, shown in the layer
//! details):
//! - **WebCrypto** — an uncompressed blob of at most [`budget`] bytes is read whole with
//!   `File.slice().arrayBuffer()` and hashed in one shot by `crypto.subtle.digest`, which uses
//!   the CPU's SHA instructions (several times the wasm hasher's speed). While the browser reads
//!   it, the worker walks the blob's tar headers (`pancake_core::read::prehashed`), so the index
//!   costs no extra pass. WebCrypto cannot stream, so the blob must fit one buffer: the budget.
//! - **Streamed** — every other blob, in chunks, through the wasm hasher (`sha2` with wasm
//!   SIMD). An uncompressed one is indexed from its headers the same way and its bytes hashed
//!   in [`STREAM_CHUNK`] pieces read with `arrayBuffer()`, the next read in flight while the
//!   current piece is hashed (reading overlaps hashing); a compressed one (its diff_id is the
//!   digest of its decompressed bytes) goes through `pancake_core::read::reading::hash`
//!   over [`FileSource`], which inflates and walks in one pass.
//!
//! Any failure on the WebCrypto path (no `crypto.subtle`, a read that comes back short) falls
//! back to the streamed path, which reports read errors the usual way.

use pancake_core::digest::Hasher;
use pancake_core::read::archive::{HashJob, Options};
use pancake_core::read::{prehashed, reading, sniff};
use pancake_core::{Compression, Digest, HashPath, MemberFacts, ReadAt};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::file_source::FileSource;

const MIB: f64 = 1024.0 * 1024.0;

/// Piece size (bytes) of the overlapped streaming read: large enough that a read's fixed cost
/// vanishes, small enough that two pieces in flight cost little memory.
pub const STREAM_CHUNK: u64 = 8 << 20;

/// The largest blob (bytes) this worker hashes with WebCrypto: 16 MiB per GiB of the device's
/// memory as `navigator.deviceMemory` reports it (Chromium caps it at 8, rounds down; other
/// browsers lack it: taken as 4), between 16 MiB and 128 MiB. One blob in flight needs about
/// twice its size for a moment (the buffer, and the copy `digest` takes), per worker.
pub fn budget() -> u64 {
    let global = js_sys::global();
    let gib = js_sys::Reflect::get(&global, &JsValue::from_str("navigator"))
        .and_then(|n| js_sys::Reflect::get(&n, &JsValue::from_str("deviceMemory")))
        .ok()
        .and_then(|v| v.as_f64())
        .filter(|g| g.is_finite() && *g > 0.0)
        .unwrap_or(4.0);
    (gib * 16.0 * MIB).clamp(16.0 * MIB, 128.0 * MIB) as u64
}

/// Hashes and indexes one blob; `progress` gets the bytes of this job done so far.
pub async fn hash_job(
    source: &FileSource,
    job: &HashJob,
    progress: &mut dyn FnMut(u64),
) -> MemberFacts {
    let opts = Options::default();
    // sha512 blobs (OCI `blobs/sha512/`) need both digests: the core's streamed path computes them.
    if job.len > 0 && !job.sha512 && uncompressed(source, job) {
        if job.len <= budget() {
            if let Some(facts) = with_webcrypto(source, job, &opts).await {
                progress(job.len);
                return facts;
            }
        }
        if let Some(facts) = streamed_overlapped(source, job, &opts, progress).await {
            return facts;
        }
    }
    let mut facts = reading::hash(source, job, &opts, progress);
    facts.hashed_with = Some(HashPath::Streamed);
    facts
}

fn uncompressed(source: &FileSource, job: &HashJob) -> bool {
    let want = job.len.min(sniff::TAR_BLOCK as u64) as usize;
    source
        .read_vec_at(job.offset, want)
        .is_ok_and(|h| sniff::compression(&h) == Compression::None)
}

/// The WebCrypto path; `None` to fall back to streaming.
async fn with_webcrypto(source: &FileSource, job: &HashJob, opts: &Options) -> Option<MemberFacts> {
    let end = job.offset.checked_add(job.len)?;
    let blob = source
        .file()
        .slice_with_f64_and_f64(job.offset as f64, end as f64)
        .ok()?;
    // Start the read first: the browser reads the file on its own threads while this worker
    // walks the headers.
    let read = JsFuture::from(blob.array_buffer());
    let unhashed = prehashed::index_unhashed(source, job, opts)?;
    let buffer: js_sys::ArrayBuffer = read.await.ok()?.dyn_into().ok()?;
    if buffer.byte_length() as u64 != job.len {
        return None;
    }
    let subtle = subtle()?;
    let digest = subtle
        .digest_with_str_and_buffer_source("SHA-256", &buffer)
        .ok()?;
    // Not freed by hand: `ArrayBuffer.transfer(0)` was measured to *raise* the renderer's
    // memory (+748 MiB over 800 MB read in 8 MiB pieces, against +128 MiB leaving it to the GC).
    drop(buffer);
    let out: js_sys::ArrayBuffer = JsFuture::from(digest).await.ok()?.dyn_into().ok()?;
    let bytes = js_sys::Uint8Array::new(&out).to_vec();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let sha256 = Digest::parse(&format!("sha256:{hex}"))?;
    Some(unhashed.finish(sha256, None, HashPath::WebCrypto))
}

/// The streaming path for an uncompressed blob; `None` to fall back to `hash_member`.
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
    let mut piece: Vec<u8> = Vec::new();
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
