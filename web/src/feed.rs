//! Hashing a layer tar with the bytes the scanner's walk reads anyway (issue 13, target 3).
//!
//! The walk of a layer of small files reads nearly every byte of it: the headers lie between
//! the files (a 264 MB layer of 200,000 files: the whole of it, ~1 s in a worker). Hashing it
//! afterwards read the same bytes again, on one hasher, after the walk (~1.2 s more). So while
//! it walks, the scanner hands each piece it reads (the `ArrayBuffer` its read filled,
//! transferred: no copy — a `FileReaderSync` read's, or a pooled buffer lent by a suspending
//! read, [`crate::jspi`]) to the first hasher over a `MessagePort`, and that
//! hasher hashes the layer on the other core as the walk goes on. When the page then gives it
//! the blob's job, the digest is ready or nearly so.
//!
//! Only blobs the walk reads from their first byte to their last without a gap are fed
//! whole; a layer of large files (whose contents the walk skips) falls out at its first gap,
//! and its job is hashed the usual way ([`crate::hashing`]). Both sides keep the same
//! [`Plan`]: the scanner to post only pieces a blob still wants, the hasher to know which
//! bytes of a piece go to which blob. A digest is only ever of bytes that arrived in order,
//! so a blob whose pieces did not all come is simply not fed.
//!
//! Messages on the port, scanner → hasher: `{blobs: Float64Array [offset, len, …]}` first,
//! then `{at, buf, len, lent}` per piece (`at`: its offset in the file; the piece: the first
//! `len` bytes of the `ArrayBuffer` `buf`), then `{end: true}` when the walk is over. A piece
//! `lent` is in one of the buffers the scanner's suspending reads pool ([`crate::jspi`]):
//! hasher → scanner `{back: buf}` once it is hashed, so the buffer is filled again rather
//! than left as garbage.
//!
//! A save compressed as a whole has no offsets to hash at later: its one pass inflates the
//! file, walks and hashes, and SHA-256 is half of that. So the scanner hands the bytes of
//! some of its blobs, decompressed, to the same hasher over the same port as it reads them
//! ([`HandOn`], a `pancake_core::read::offload::Offload`) and the hasher gives their digests
//! back when the pass is over; the scanner puts them in before it answers `Scanned`.
//! Scanner → hasher: per blob `{begin: true}`, `{piece: ArrayBuffer}`…, `{done: true}`; then
//! `{over: true}`. Hasher → scanner: `{digests: [hex or null, …]}`, one per blob, in order.

use std::cell::RefCell;
use std::ops::Range;
use std::rc::Rc;

use js_sys::{Function, Reflect};
use pancake_core::digest::Hasher;
use pancake_core::read::offload::Offload;
use pancake_core::{Digest, HashPath};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::MessageEvent;

use crate::file_source::FileSource;
// A monotonic clock: a change of the system clock must not loosen or trip the feed's bounds.
use crate::give_way::now_ms;

/// One blob of the file to feed: where it is, and how far from its start it has been fed
/// without a gap.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Blob {
    offset: u64,
    len: u64,
    /// Offset in the file up to which the blob has been fed.
    fed: u64,
    /// A piece skipped some of its bytes: it will not be fed whole.
    dead: bool,
}

impl Blob {
    fn end(&self) -> u64 {
        self.offset.saturating_add(self.len)
    }

    fn complete(&self) -> bool {
        !self.dead && self.fed == self.end()
    }
}

/// Which blobs are fed, and how far (see the module's docs).
#[derive(Clone, Debug, Default)]
pub struct Plan {
    blobs: Vec<Blob>,
    /// Blobs (indexes) that were marked dead since [`Plan::newly_dead`] was last asked: each
    /// blob dies once, so this holds at most as many as there are blobs.
    died: Vec<usize>,
}

impl Plan {
    /// Blobs given as `(offset, len)` in the file, in bytes; empty ones are left out.
    pub fn new(blobs: &[(u64, u64)]) -> Plan {
        let mut blobs: Vec<Blob> = blobs
            .iter()
            .filter(|(_, len)| *len > 0)
            .map(|&(offset, len)| Blob {
                offset,
                len,
                fed: offset,
                dead: false,
            })
            .collect();
        // By offset, so a piece finds the blobs it touches by a binary search (a hostile
        // save may hold thousands of them, and the walk makes a read per large file).
        blobs.sort_by_key(|b| (b.offset, b.len));
        Plan {
            blobs,
            died: Vec::new(),
        }
    }

    /// The blobs, `(offset, len)`, that will no longer be fed whole since this was last
    /// asked, in the order they died.
    pub fn newly_dead(&mut self) -> Vec<(u64, u64)> {
        let died = std::mem::take(&mut self.died);
        died.iter()
            .filter_map(|&i| self.blobs.get(i))
            .map(|b| (b.offset, b.len))
            .collect()
    }

    /// The largest blob's length (bytes); 0 with none.
    fn largest(&self) -> u64 {
        self.blobs.iter().map(|b| b.len).max().unwrap_or(0)
    }

    /// The index of the first blob that ends after `at` (tar members do not overlap, so the
    /// blobs ending after `at` are those from here on).
    fn first_ending_after(&self, at: u64) -> usize {
        self.blobs.partition_point(|b| b.end() <= at)
    }

    /// The blobs as given, `(offset, len)`.
    pub fn blobs(&self) -> Vec<(u64, u64)> {
        self.blobs.iter().map(|b| (b.offset, b.len)).collect()
    }

    /// A piece of `len` bytes read at `start` in the file: for each blob that wants some of
    /// it, the blob's index and the range of the piece (bytes, from the piece's start) that
    /// continues it, in the blobs' order; a blob the piece starts past without having been
    /// fed up to there will not be fed whole (marked so). Advances what each blob was fed.
    pub fn take(&mut self, start: u64, len: u64) -> Vec<(usize, Range<usize>)> {
        let end = start.saturating_add(len);
        let mut out = Vec::new();
        let from = self.first_ending_after(start);
        for (i, b) in self.blobs.iter_mut().enumerate().skip(from) {
            if b.offset >= end {
                break;
            }
            if b.dead || b.fed >= b.end() || end <= b.fed {
                continue;
            }
            if start > b.fed {
                // Bytes between what it was fed and this piece were never handed over.
                if start < b.end() {
                    b.dead = true;
                    self.died.push(i);
                }
                continue;
            }
            let upto = end.min(b.end());
            let (Ok(from), Ok(to)) = (
                usize::try_from(b.fed - start),
                usize::try_from(upto - start),
            ) else {
                b.dead = true;
                self.died.push(i);
                continue;
            };
            out.push((i, from..to));
            b.fed = upto;
        }
        out
    }

    /// Some blob still wants bytes from `at` on: a read there should start exactly where the
    /// blob was fed up to, so that no byte of it is skipped.
    pub fn wants_from(&self, at: u64) -> bool {
        // Only a blob holding `at` can have been fed up to it.
        self.blobs
            .get(self.first_ending_after(at))
            .is_some_and(|b| !b.dead && b.fed < b.end() && b.fed == at)
    }

    /// Gives up on every blob not fed whole yet (those fed whole keep their digests).
    fn give_up(&mut self) {
        for (i, b) in self.blobs.iter_mut().enumerate() {
            if !b.complete() && !b.dead {
                b.dead = true;
                self.died.push(i);
            }
        }
    }

    /// Blob `i` has been fed whole.
    pub fn complete(&self, i: usize) -> bool {
        self.blobs.get(i).is_some_and(Blob::complete)
    }

    /// The blobs fed whole, `(offset, len)`.
    pub fn fed(&self) -> Vec<(u64, u64)> {
        self.blobs
            .iter()
            .filter(|b| b.complete())
            .map(|b| (b.offset, b.len))
            .collect()
    }

    /// Index of the blob at `(offset, len)`, if it is planned.
    pub fn find(&self, offset: u64, len: u64) -> Option<usize> {
        // Sorted by `(offset, len)` in `new`.
        self.blobs
            .binary_search_by_key(&(offset, len), |b| (b.offset, b.len))
            .ok()
    }

    /// How many bytes of blob `i` have been fed.
    pub fn fed_bytes(&self, i: usize) -> u64 {
        self.blobs
            .get(i)
            .map_or(0, |b| b.fed.saturating_sub(b.offset))
    }

    /// Blob `i` will not be fed whole (a gap, or not planned).
    pub fn dead(&self, i: usize) -> bool {
        self.blobs.get(i).is_none_or(|b| b.dead)
    }
}

/// `port.postMessage(msg, transfer)` through `Reflect` (no typed `MessagePort` binding: a new
/// `web-sys` feature would rebuild every web dependency for both wasm profiles).
pub(crate) fn post(port: &JsValue, msg: &JsValue, transfer: &js_sys::Array) -> bool {
    let Ok(f) = Reflect::get(port, &JsValue::from_str("postMessage")) else {
        return false;
    };
    f.dyn_into::<Function>()
        .is_ok_and(|f| f.call2(port, msg, transfer).is_ok())
}

fn object(pairs: &[(&str, &JsValue)]) -> JsValue {
    let obj = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&obj, &JsValue::from_str(k), v);
    }
    obj.into()
}

/// The scanner cannot hear from the hasher while it walks on blocking reads (a synchronous
/// worker gets no messages, and waiting on shared memory needs a cross-origin isolated page,
/// which a page embedded in course material cannot ask of its host), so pieces the hasher
/// has not hashed yet wait in its port's queue, in memory, unseen. (A walk on suspending
/// reads hears it: its lent buffers come back, and it waits for one when all are out.) Two bounds keep that queue small: the
/// scanner stops feeding once it has handed over more than [`FEED_AHEAD`] bytes beyond
/// [`FEED_RATE`] per ms since it began (half the wasm hasher's ~300 MB/s on the benchmark's
/// machine, where the walk of a layer of small files reads ~290 MB/s: the queue stays under
/// this while the hasher keeps half its speed), and after [`FEED_MOST`] bytes in all
/// (however slow the hasher). Blobs not fed whole by then are hashed the usual way.
const FEED_AHEAD: f64 = 192.0 * 1024.0 * 1024.0;
/// See [`FEED_AHEAD`] (bytes per ms).
const FEED_RATE: f64 = 150_000.0;
/// See [`FEED_AHEAD`].
const FEED_MOST: f64 = 512.0 * 1024.0 * 1024.0;

/// The smallest blob (bytes) the hasher hashes beside the walk ([`Tee`]'s `ahead`): below
/// this its hashing after the walk is short anyway, and its reads would only slow the walk's.
const BESIDE_MIN: u64 = 32 << 20;

/// The scanner's side: hands the pieces its reads fill to the hasher at the port's other end.
///
/// A blob that falls out (the walk skipped some of its bytes: a layer of large files) is
/// hashed after the walk the usual way, while the hasher, loaded and idle, waited through
/// the walk. So the first blob that falls out and is large — at least [`BESIDE_MIN`] and
/// half the largest blob the walk reads — is named to the hasher at once (`{ahead: [offset,
/// len]}`), which hashes it from reads of its own while the walk goes on: for the benchmark's
/// one-layer save of 1.1 GiB the digest came 0.7 s sooner (the walk's length), the files
/// listed 0.15 s later. It counts as fed ([`Tee::end`]): its job goes to that hasher, whose
/// digest is then ready or on its way. One blob only: the page's plan gives every other blob
/// to whichever hasher is free, and only this hasher knows which it took.
pub struct Tee {
    port: JsValue,
    plan: Plan,
    /// [`monotonic_ms`] when it began, and the bytes handed over since.
    began: f64,
    posted: f64,
    /// The blob named to the hasher to hash beside the walk, once one is.
    ahead: Option<(u64, u64)>,
    /// The least length (bytes) of a blob to name.
    ahead_min: u64,
}

impl Tee {
    /// Starts feeding the blobs `(offset, len)` over `port` (a `MessagePort`): tells the
    /// hasher which they are. `None` when there is nothing to feed or the port refuses.
    pub fn open(port: JsValue, blobs: &[(u64, u64)]) -> Option<Tee> {
        let plan = Plan::new(blobs);
        if plan.blobs.is_empty() {
            return None;
        }
        let flat: Vec<f64> = plan
            .blobs
            .iter()
            .flat_map(|b| [b.offset as f64, b.len as f64])
            .collect();
        let list = js_sys::Float64Array::from(flat.as_slice());
        let ahead_min = BESIDE_MIN.max(plan.largest() / 2);
        post(&port, &object(&[("blobs", &list)]), &js_sys::Array::new()).then_some(Tee {
            port,
            plan,
            began: now_ms(),
            posted: 0.0,
            ahead: None,
            ahead_min,
        })
    }

    /// Names to the hasher the first large blob that fell out (see the type's docs).
    fn name_ahead(&mut self) {
        let died = self.plan.newly_dead();
        if self.ahead.is_some() {
            return;
        }
        if let Some(&(offset, len)) = died.iter().find(|(_, len)| *len >= self.ahead_min) {
            let pair = js_sys::Float64Array::from([offset as f64, len as f64].as_slice());
            if post(
                &self.port,
                &object(&[("ahead", &pair)]),
                &js_sys::Array::new(),
            ) {
                self.ahead = Some((offset, len));
            }
        }
    }

    /// A piece of the file read at `at`: the first `len` bytes of `buffer`, which the reader
    /// has already copied. Posted, transferred, when a blob wants some of it; returns whether
    /// it was. `lent`: the buffer is one of the suspending reads' ([`crate::jspi`]), which
    /// the hasher gives back once hashed — and the walk, which can then hear it, waits for
    /// one when all are out, so what waits for the hasher is bounded by them, not by the
    /// rule of [`FEED_AHEAD`].
    pub fn offer(&mut self, at: u64, buffer: &js_sys::ArrayBuffer, len: u32, lent: bool) -> bool {
        let wanted = !self.plan.take(at, u64::from(len)).is_empty();
        self.name_ahead();
        if !wanted {
            return false;
        }
        if !lent {
            self.posted += f64::from(len);
            let allowed = FEED_AHEAD + FEED_RATE * (now_ms() - self.began);
            if self.posted > allowed.min(FEED_MOST) {
                // Far ahead of what the hasher can be counted on to have hashed: nothing more
                // is queued for it (see `FEED_AHEAD`).
                self.plan.give_up();
                self.name_ahead();
                return false;
            }
        }
        let msg = object(&[
            ("at", &JsValue::from_f64(at as f64)),
            ("buf", buffer),
            ("len", &JsValue::from_f64(f64::from(len))),
            ("lent", &JsValue::from_bool(lent)),
        ]);
        if !post(&self.port, &msg, &js_sys::Array::of1(buffer)) {
            // Nothing more reaches the hasher (nor would a blob named to it).
            self.plan.give_up();
            return false;
        }
        true
    }

    /// See [`Plan::wants_from`].
    pub fn wants_from(&self, at: u64) -> bool {
        self.plan.wants_from(at)
    }

    /// The walk is over: tells the hasher, and returns the blobs whose digests it has or is
    /// computing: those fed whole and the one it hashes beside the walk.
    pub fn end(self) -> Vec<(u64, u64)> {
        let msg = object(&[("end", &JsValue::TRUE)]);
        if post(&self.port, &msg, &js_sys::Array::new()) {
            let mut fed = self.plan.fed();
            fed.extend(self.ahead);
            fed
        } else {
            Vec::new()
        }
    }
}

/// Blobs smaller than this (bytes) the scanner hashes itself: a few messages are not worth
/// saving it a few milliseconds.
const HAND_ON_MIN: u64 = 4 << 20;
/// Bytes per piece handed on: large enough that a message's cost vanishes.
const HAND_ON_PIECE: usize = 4 << 20;

/// How far (bytes) the blobs handed on may run ahead of [`FEED_RATE`] since the pass began
/// (see [`HandOn`]).
const HAND_ON_AHEAD: f64 = 512.0 * 1024.0 * 1024.0;

/// The scanner's side of handing blobs on while a compressed save is read (see the module's
/// docs). As for [`Tee`], the scanner cannot hear from the hasher while it reads, so a rule
/// bounds what waits in the hasher's queue; it is applied when a blob starts (once some of
/// its bytes went, the rest must follow: SHA-256 is sequential). A blob is taken when the
/// bytes of the blobs taken, its own included, stay within [`HAND_ON_AHEAD`] beyond
/// [`FEED_RATE`] per ms since the pass began: while the hasher keeps that rate (half its
/// speed here), at most that much waits for it. A bound this wide lets a save's large base
/// layer, often its first blob, go to the hasher at once; in practice the hasher keeps up
/// with the pass (it only hashes, the pass reads, inflates and walks too): measured on the
/// 1 GiB benchmark save, the digests came 5–35 ms after the pass ended. Unlike [`Tee`]'s
/// there is no cap on the total: the pass of a large compressed save is long enough for the
/// rate to matter, and a hasher that stopped hashing altogether is a worker that failed,
/// which ends the reading.
pub struct HandOn {
    port: JsValue,
    /// [`monotonic_ms`] when it began, and the bytes of the blobs taken since.
    began: f64,
    taken: f64,
    /// The bytes of the blob being handed on not posted yet.
    piece: Vec<u8>,
    /// Blobs taken so far.
    blobs: usize,
    /// Blobs (by the order they were taken, ascending, each once) of which a piece or the end
    /// could not be posted: their digests would be of the wrong bytes, or never come.
    lost: Vec<usize>,
    /// Pieces go in buffers borrowed from the suspending reads' pool ([`crate::jspi`]), given
    /// back by the hasher: no garbage per piece, and what waits for the hasher is bounded by
    /// the pool (the pass waits for a buffer when all are out) rather than by the rule of
    /// [`HAND_ON_AHEAD`]. Until the pool gives up waiting for the hasher: from then on they
    /// go unlent.
    lending: bool,
}

impl HandOn {
    /// Hands blobs on over `port` (a `MessagePort` whose other end a hasher listens on).
    pub fn new(port: JsValue) -> HandOn {
        HandOn {
            port,
            began: now_ms(),
            taken: 0.0,
            piece: Vec::new(),
            blobs: 0,
            lost: Vec::new(),
            lending: false,
        }
    }

    /// The same, its pieces in buffers borrowed from the suspending reads' pool, which only a
    /// scan run through JSPI may do ([`crate::jspi`]); the port is where they come back.
    pub fn lending(port: JsValue) -> HandOn {
        crate::jspi::lend_to(&port);
        HandOn {
            lending: true,
            ..HandOn::new(port)
        }
    }

    /// Blobs handed on so far.
    pub fn blobs(&self) -> usize {
        self.blobs
    }

    fn flush(&mut self) {
        if self.piece.is_empty() {
            return;
        }
        // Taken out to be posted from, and put back emptied: its room serves the next piece.
        let mut piece = std::mem::take(&mut self.piece);
        self.post_piece(&piece);
        piece.clear();
        self.piece = piece;
    }

    /// Posts `piece`, the blob's next bytes, to the hasher.
    fn post_piece(&mut self, piece: &[u8]) {
        // Bytes of `piece` posted lent; the rest goes unlent.
        let mut sent = 0;
        if self.lending {
            // In pieces of the pool's size, each in a buffer the hasher gives back.
            for part in piece.chunks(crate::jspi::PIECE) {
                let Some(buf) = crate::jspi::borrow() else {
                    // The pool gave up waiting for the hasher to give buffers back (a hasher
                    // starved for seconds): the rest of the pass posts its pieces unlent, as
                    // without JSPI, what waits bounded by `take`'s rule. Dropping the blob
                    // instead left it, and every blob after it, "not checked".
                    self.lending = false;
                    break;
                };
                let len = part.len() as u32;
                js_sys::Uint8Array::new_with_byte_offset_and_length(&buf, 0, len).copy_from(part);
                let msg = object(&[
                    ("piece", &buf),
                    ("len", &JsValue::from_f64(f64::from(len))),
                    ("lent", &JsValue::TRUE),
                ]);
                if !post(&self.port, &msg, &js_sys::Array::of1(&buf)) {
                    crate::jspi::give_back(&buf);
                    self.lose_current();
                    return;
                }
                sent += part.len();
            }
        }
        let Some(rest) = piece.get(sent..).filter(|r| !r.is_empty()) else {
            return;
        };
        let arr = js_sys::Uint8Array::new_with_length(rest.len() as u32);
        arr.copy_from(rest);
        let buf = arr.buffer();
        let msg = object(&[("piece", &buf)]);
        if !post(&self.port, &msg, &js_sys::Array::of1(&buf)) {
            self.lose_current();
        }
    }

    /// The blob being handed on will not be hashed whole (a piece or its end did not go).
    fn lose_current(&mut self) {
        let current = self.blobs.saturating_sub(1);
        if self.lost.last() != Some(&current) {
            self.lost.push(current);
        }
    }

    /// The pass is over: asks the hasher for the digests of the blobs handed on, and waits
    /// for them (`None` for one whose pieces did not all go, or when the hasher's answer is
    /// not a list of digests).
    pub async fn digests(self) -> Vec<Option<Digest>> {
        let mut resolve: Option<Function> = None;
        let promise = js_sys::Promise::new(&mut |res, _| resolve = Some(res));
        let Some(resolve) = resolve else {
            return Vec::new();
        };
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            // Only the answer: a lent buffer may still come back on the same port.
            let data = e.data();
            if Reflect::has(&data, &JsValue::from_str("digests")).unwrap_or(false) {
                let _ = resolve.call1(&JsValue::UNDEFINED, &data);
            }
        });
        // A listener beside the port's `onmessage`, which, when the pieces were lent, gives
        // the buffers coming back to the pool (`jspi::lend_to`); `start` starts a port that
        // has none.
        let call = |name: &str, args: &js_sys::Array| {
            if let Ok(f) = Reflect::get(&self.port, &JsValue::from_str(name)) {
                if let Ok(f) = f.dyn_into::<Function>() {
                    let _ = Reflect::apply(&f, &self.port, args);
                }
            }
        };
        let listen = js_sys::Array::of2(&JsValue::from_str("message"), on_message.as_ref());
        call("addEventListener", &listen);
        call("start", &js_sys::Array::new());
        let over = object(&[("over", &JsValue::TRUE)]);
        if !post(&self.port, &over, &js_sys::Array::new()) {
            call("removeEventListener", &listen);
            return vec![None; self.blobs];
        }
        let answer = JsFuture::from(promise).await.unwrap_or(JsValue::NULL);
        call("removeEventListener", &listen);
        drop(on_message);
        let list = Reflect::get(&answer, &JsValue::from_str("digests"))
            .ok()
            .filter(js_sys::Array::is_array)
            .map(|v| js_sys::Array::from(&v));
        (0..self.blobs)
            .map(|i| {
                if self.lost.contains(&i) {
                    return None;
                }
                let hex = list.as_ref()?.get(i as u32).as_string()?;
                Digest::parse(&hex)
            })
            .collect()
    }
}

impl Offload for HandOn {
    fn take(&mut self, len: u64) -> bool {
        if len < HAND_ON_MIN {
            return false;
        }
        let allowed = HAND_ON_AHEAD + FEED_RATE * (now_ms() - self.began);
        if self.taken + len as f64 > allowed {
            return false;
        }
        // Numbered, as is its end: the hasher files each digest under its blob's number, so
        // one message that did not go cannot shift the digests of the blobs after it.
        let begin = object(&[("begin", &JsValue::from_f64(self.blobs as f64))]);
        if !post(&self.port, &begin, &js_sys::Array::new()) {
            return false;
        }
        self.taken += len as f64;
        self.blobs += 1;
        true
    }

    fn piece(&mut self, bytes: &[u8]) {
        self.piece.extend_from_slice(bytes);
        let most = if self.lending {
            crate::jspi::PIECE
        } else {
            HAND_ON_PIECE
        };
        if self.piece.len() >= most {
            self.flush();
        }
    }

    fn end(&mut self) {
        self.flush();
        let current = self.blobs.saturating_sub(1);
        let done = object(&[("done", &JsValue::from_f64(current as f64))]);
        if !post(&self.port, &done, &js_sys::Array::new()) {
            self.lose_current();
        }
    }
}

/// The hasher's side of [`HandOn`]: the blob being hashed (its number and hasher), and the
/// digests so far by blob number.
#[derive(Default)]
struct HandedOn {
    hasher: Option<(usize, Hasher)>,
    digests: Vec<Option<Digest>>,
}

/// A blob number from a [`HandOn`] message (`begin`/`done`), if it is one.
fn blob_number(v: &JsValue) -> Option<usize> {
    v.as_f64()
        .filter(|n| n.is_finite() && *n >= 0.0 && n.fract() == 0.0 && *n < u32::MAX as f64)
        .map(|n| n as usize)
}

/// The hasher's side: what the port brought so far.
#[derive(Default)]
struct Feed {
    /// The blobs message came (before it, a job for a fed blob waits).
    known: bool,
    /// The end message came: a blob not complete by now never will be.
    ended: bool,
    plan: Plan,
    hashers: Vec<Option<Hasher>>,
    digests: Vec<Option<Digest>>,
    /// Resolvers of the jobs waiting for a digest, called on every piece and at the end.
    waiters: Vec<Function>,
    /// The piece in wasm memory, reused.
    piece: Vec<u8>,
    /// The port (to answer a [`HandOn`]) and the blobs it handed on.
    port: JsValue,
    handed_on: HandedOn,
    /// The file, to read the blob named to be hashed beside the walk.
    source: Option<Rc<FileSource>>,
    /// That blob, once named ([`Tee`]'s `ahead`).
    ahead: Option<Ahead>,
}

/// The blob this hasher hashes beside the walk, from reads of its own (see [`Tee`]).
struct Ahead {
    offset: u64,
    len: u64,
    /// Bytes hashed so far.
    done: u64,
    /// Its digest once hashed; `Some(None)` when it could not be (the usual path then reads
    /// it again and reports why).
    result: Option<Option<Digest>>,
}

thread_local! {
    static FEED: RefCell<Option<Feed>> = const { RefCell::new(None) };
}

/// Listens on `port` (a `MessagePort` whose other end the scanner feeds) for the rest of this
/// worker's life (a hasher serves one file).
pub fn listen(port: &JsValue, source: Rc<FileSource>) {
    FEED.with(|f| {
        *f.borrow_mut() = Some(Feed {
            port: port.clone(),
            source: Some(source),
            ..Feed::default()
        })
    });
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|e: MessageEvent| {
        FEED.with(|f| {
            if let Some(feed) = f.borrow_mut().as_mut() {
                feed.receive(&e.data());
            }
        });
        wake_waiters();
    });
    // Setting `onmessage` starts the port: pieces sent before now were queued for it.
    let _ = Reflect::set(port, &JsValue::from_str("onmessage"), on_message.as_ref());
    on_message.forget();
}

/// A piece's length: the first `len` bytes of `buf` (all of it when `len` is missing).
fn piece_len(len: Option<JsValue>, buf: &js_sys::ArrayBuffer) -> u32 {
    len.and_then(|v| v.as_f64())
        .filter(|l| *l >= 0.0)
        .map_or(buf.byte_length(), |l| {
            l.min(f64::from(buf.byte_length())) as u32
        })
}

impl Feed {
    /// A piece's buffer, hashed: back to the scanner to be filled again when it was `lent`
    /// (`Tee::offer`, `HandOn::lending`).
    fn give_back(&self, lent: Option<JsValue>, buf: &js_sys::ArrayBuffer) {
        if lent.is_some_and(|v| v.is_truthy()) {
            let back = object(&[("back", buf)]);
            let _ = post(&self.port, &back, &js_sys::Array::of1(buf));
        }
    }

    fn receive(&mut self, data: &JsValue) {
        let get = |k: &str| Reflect::get(data, &JsValue::from_str(k)).ok();
        if let Some(list) = get("blobs").and_then(|v| v.dyn_into::<js_sys::Float64Array>().ok()) {
            let flat = list.to_vec();
            let blobs: Vec<(u64, u64)> = flat
                .chunks_exact(2)
                .filter_map(|p| match p {
                    [o, l] => Some((*o as u64, *l as u64)),
                    _ => None,
                })
                .collect();
            self.plan = Plan::new(&blobs);
            self.hashers = self
                .plan
                .blobs
                .iter()
                .map(|_| Some(Hasher::new()))
                .collect();
            self.digests = vec![None; self.plan.blobs.len()];
            self.known = true;
        } else if let (Some(at), Some(buf)) = (
            get("at").and_then(|v| v.as_f64()),
            get("buf").and_then(|v| v.dyn_into::<js_sys::ArrayBuffer>().ok()),
        ) {
            let len = piece_len(get("len"), &buf);
            let view = js_sys::Uint8Array::new_with_byte_offset_and_length(&buf, 0, len);
            for (i, range) in self.plan.take(at as u64, u64::from(len)) {
                let n = range.len();
                let (Ok(from), Ok(to)) = (u32::try_from(range.start), u32::try_from(range.end))
                else {
                    continue;
                };
                self.piece.resize(n, 0);
                if let (Some(dst), Some(Some(h))) =
                    (self.piece.get_mut(..n), self.hashers.get_mut(i))
                {
                    view.subarray(from, to).copy_to(dst);
                    h.update(dst);
                }
                if self.plan.complete(i) {
                    let done = self
                        .hashers
                        .get_mut(i)
                        .and_then(Option::take)
                        .map(Hasher::finish);
                    if let Some(slot) = self.digests.get_mut(i) {
                        *slot = done;
                    }
                }
            }
            self.give_back(get("lent"), &buf);
        } else if let Some(pair) =
            get("ahead").and_then(|v| v.dyn_into::<js_sys::Float64Array>().ok())
        {
            if let ([offset, len], None, Some(source)) =
                (pair.to_vec().as_slice(), &self.ahead, &self.source)
            {
                let (offset, len) = (*offset as u64, *len as u64);
                self.ahead = Some(Ahead {
                    offset,
                    len,
                    done: 0,
                    result: None,
                });
                wasm_bindgen_futures::spawn_local(hash_ahead(source.clone(), offset, len));
            }
        } else if get("end").is_some_and(|v| v.is_truthy()) {
            self.ended = true;
            self.hashers.clear();
        } else if let Some(buf) =
            get("piece").and_then(|v| v.dyn_into::<js_sys::ArrayBuffer>().ok())
        {
            let view = js_sys::Uint8Array::new_with_byte_offset_and_length(
                &buf,
                0,
                piece_len(get("len"), &buf),
            );
            let n = view.length() as usize;
            self.piece.resize(n, 0);
            if let (Some(dst), Some((_, h))) =
                (self.piece.get_mut(..n), self.handed_on.hasher.as_mut())
            {
                view.copy_to(dst);
                h.update(dst);
            }
            self.give_back(get("lent"), &buf);
        } else if let Some(k) = get("begin").as_ref().and_then(blob_number) {
            self.handed_on.hasher = Some((k, Hasher::new()));
        } else if let Some(k) = get("done").as_ref().and_then(blob_number) {
            // Filed under its number (the scanner's count of blobs handed on): a blob whose
            // begin or end did not arrive leaves its slot empty, the others keep theirs.
            if let Some((_, h)) = self.handed_on.hasher.take().filter(|(n, _)| *n == k) {
                let digests = &mut self.handed_on.digests;
                if digests.len() <= k {
                    digests.resize(k + 1, None);
                }
                if let Some(slot) = digests.get_mut(k) {
                    *slot = Some(h.finish());
                }
            }
        } else if get("over").is_some_and(|v| v.is_truthy()) {
            // Every piece before this message was hashed (a port keeps its messages' order).
            let list = js_sys::Array::new();
            for d in std::mem::take(&mut self.handed_on.digests) {
                list.push(&d.map_or(JsValue::NULL, |d| JsValue::from_str(d.as_str())));
            }
            let _ = post(
                &self.port,
                &object(&[("digests", &list)]),
                &js_sys::Array::new(),
            );
        }
    }

    fn state(&self, offset: u64, len: u64) -> Wait {
        if let Some(a) = self
            .ahead
            .as_ref()
            .filter(|a| (a.offset, a.len) == (offset, len))
        {
            return match &a.result {
                Some(Some(d)) => Wait::Ready(d.clone(), HashPath::BesideTheWalk),
                Some(None) => Wait::Gone,
                None => Wait::More(a.done),
            };
        }
        let Some(i) = self.plan.find(offset, len) else {
            return if self.known || self.ended {
                Wait::Gone
            } else {
                Wait::More(0)
            };
        };
        match self.digests.get(i) {
            Some(Some(d)) => Wait::Ready(d.clone(), HashPath::WithTheWalk),
            _ if self.ended || self.plan.dead(i) => Wait::Gone,
            _ => Wait::More(self.plan.fed_bytes(i)),
        }
    }
}

enum Wait {
    Ready(Digest, HashPath),
    /// Not fed whole, and never will be: hash it the usual way.
    Gone,
    /// On its way: this many bytes fed so far.
    More(u64),
}

/// Hashes the blob named to be hashed beside the walk, from reads of its own; every job
/// waiting on a digest hears of its progress and its end.
async fn hash_ahead(source: Rc<FileSource>, offset: u64, len: u64) {
    // Jobs waiting hear every 8 MiB (their progress), not every read.
    let mut told = 0u64;
    let mut progress = |n: u64| {
        FEED.with(|f| {
            if let Some(a) = f.borrow_mut().as_mut().and_then(|feed| feed.ahead.as_mut()) {
                a.done = n;
            }
        });
        if n.saturating_sub(told) >= 8 << 20 {
            told = n;
            wake_waiters();
        }
    };
    let digest = crate::hashing::stream_sha256(&source, offset, len, &mut progress).await;
    FEED.with(|f| {
        if let Some(a) = f.borrow_mut().as_mut().and_then(|feed| feed.ahead.as_mut()) {
            a.result = Some(digest);
        }
    });
    wake_waiters();
}

/// Resolves every job waiting on a digest ([`digest`]): it looks again at the feed's state.
/// Called after each message and on the progress and end of the hash beside the walk.
fn wake_waiters() {
    let waiters = FEED.with(|f| {
        f.borrow_mut()
            .as_mut()
            .map(|feed| std::mem::take(&mut feed.waiters))
            .unwrap_or_default()
    });
    for w in waiters {
        let _ = w.call0(&JsValue::UNDEFINED);
    }
}

/// The digest of the blob `(offset, len)` from the pieces the scanner fed this worker,
/// waiting for them as they come (`progress` gets the bytes fed so far), or the digest this
/// worker computes beside the walk when the scanner named it that blob; with how it was
/// hashed. `None` when this worker is not fed, or not that blob whole (or could not hash it
/// beside the walk).
pub async fn digest(
    offset: u64,
    len: u64,
    progress: &mut dyn FnMut(u64),
) -> Option<(Digest, HashPath)> {
    loop {
        let state = FEED.with(|f| f.borrow().as_ref().map(|feed| feed.state(offset, len)))?;
        match state {
            Wait::Ready(d, how) => return Some((d, how)),
            Wait::Gone => return None,
            Wait::More(n) => {
                progress(n);
                let mut resolve: Option<Function> = None;
                let promise = js_sys::Promise::new(&mut |res, _| resolve = Some(res));
                let registered = FEED.with(|f| {
                    f.borrow_mut()
                        .as_mut()
                        .zip(resolve)
                        .map(|(feed, r)| feed.waiters.push(r))
                        .is_some()
                });
                if !registered {
                    return None;
                }
                let _ = JsFuture::from(promise).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blob_that_falls_out_is_told_once_in_the_order_they_fell() {
        // Three blobs; the walk reads the first's start, skips into it, then skips the second.
        let mut p = Plan::new(&[(0, 100), (100, 100), (200, 100)]);
        assert_eq!(p.take(0, 10), vec![(0, 0..10)]);
        assert_eq!(p.newly_dead(), vec![]);
        assert_eq!(p.take(50, 60), vec![(1, 50..60)]);
        assert_eq!(p.newly_dead(), vec![(0, 100)]);
        assert_eq!(p.take(150, 10), vec![]);
        assert_eq!(p.take(160, 10), vec![]);
        assert_eq!(p.newly_dead(), vec![(100, 100)]);
        // Giving up tells the rest, not those told already, and never a blob fed whole.
        assert_eq!(p.take(200, 100), vec![(2, 0..100)]);
        let mut q = Plan::new(&[(0, 10), (10, 10), (20, 10)]);
        assert_eq!(q.take(0, 10), vec![(0, 0..10)]);
        assert_eq!(q.take(15, 1), vec![]);
        assert_eq!(q.newly_dead(), vec![(10, 10)]);
        q.give_up();
        assert_eq!(q.newly_dead(), vec![(20, 10)]);
        assert_eq!(q.fed(), vec![(0, 10)]);
        assert!(p.complete(2) && p.newly_dead().is_empty());
    }

    #[test]
    fn pieces_in_order_feed_each_blob_whole_across_their_boundaries() {
        // Two blobs, 100..300 and 300..350, read in pieces of 120 from 0.
        let mut p = Plan::new(&[(100, 200), (300, 50)]);
        assert_eq!(p.take(0, 120), vec![(0, 100..120)]);
        assert!(p.wants_from(120));
        assert_eq!(p.take(120, 120), vec![(0, 0..120)]);
        assert_eq!(p.take(240, 120), vec![(0, 0..60), (1, 60..110)]);
        assert!(p.complete(0) && p.complete(1));
        assert_eq!(p.fed(), vec![(100, 200), (300, 50)]);
        assert_eq!(p.fed_bytes(0), 200);
    }

    #[test]
    fn a_gap_means_the_blob_is_not_fed_and_later_pieces_go_elsewhere() {
        let mut p = Plan::new(&[(0, 100), (100, 100)]);
        assert_eq!(p.take(0, 40), vec![(0, 0..40)]);
        // 40..60 never read: the first blob is out; the second takes its own bytes.
        assert_eq!(p.take(60, 60), vec![(1, 40..60)]);
        assert!(p.dead(0));
        assert!(!p.complete(0));
        assert_eq!(p.take(120, 80), vec![(1, 0..80)]);
        assert_eq!(p.fed(), vec![(100, 100)]);
    }

    #[test]
    fn a_piece_read_again_adds_only_what_is_new() {
        let mut p = Plan::new(&[(0, 100)]);
        assert_eq!(p.take(0, 50), vec![(0, 0..50)]);
        // A backwards read that overlaps what was fed: only its new bytes.
        assert_eq!(p.take(20, 50), vec![(0, 30..50)]);
        assert_eq!(p.take(0, 10), vec![]);
        assert_eq!(p.take(70, 30), vec![(0, 0..30)]);
        assert!(p.complete(0));
    }

    #[test]
    fn blobs_given_out_of_order_are_found_and_fed_and_giving_up_keeps_those_fed_whole() {
        let mut p = Plan::new(&[(300, 50), (0, 100), (100, 200)]);
        assert_eq!(p.blobs(), vec![(0, 100), (100, 200), (300, 50)]);
        assert_eq!(p.take(0, 150), vec![(0, 0..100), (1, 100..150)]);
        assert!(p.wants_from(150));
        assert!(!p.wants_from(149));
        p.give_up();
        assert_eq!(
            p.fed(),
            vec![(0, 100)],
            "the blob fed whole keeps its digest"
        );
        assert!(p.dead(1) && p.dead(2));
        assert_eq!(p.take(150, 200), vec![]);
    }

    #[test]
    fn a_blob_never_read_is_not_fed_and_empty_blobs_are_not_planned() {
        let mut p = Plan::new(&[(0, 0), (10, 10)]);
        assert_eq!(p.blobs(), vec![(10, 10)]);
        assert_eq!(p.take(0, 5), vec![]);
        assert!(p.fed().is_empty());
        assert_eq!(p.find(10, 10), Some(0));
        assert_eq!(p.find(10, 11), None);
        assert!(p.dead(7));
    }
}
