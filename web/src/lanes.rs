//! A hashing worker's uncompressed blobs, read at the same time and hashed together in one
//! vector (`pancake_core::digest::lanes`: up to four SHA-256 streams, a 32-bit lane each of
//! wasm's `simd128`), for issue 13's target 1: wasm has no SHA instructions, and one stream
//! is a chain of dependent rounds, but four streams hash in about the time of two.
//!
//! Each job that takes this path ([`sha256`]) queues its blob and waits; one driver
//! ([`drive`], started by the first) reads up to [`LANES`] blobs at once, each through a BYOB
//! reader of its own into a buffer of its own ([`PIECE`] bytes: no garbage per read, as the
//! streamed path), pushes each piece into its lane as it comes, and opens the next queued blob
//! in a lane as soon as one ends. A lane ahead of the others waits for them in the vector;
//! its next read is held back while more than [`AHEAD`] bytes of it wait, so the lanes' wasm
//! memory stays within about `LANES × (AHEAD + 2 × PIECE)`, 24 MiB, whatever the blobs'
//! sizes (issue 13, target 5). With one or two blobs left the lanes hash each alone (`sha2`),
//! as fast as the streamed path.
//!
//! Chromium answers the reads of several streams of one in-memory `File` one stream at a
//! time, moving on when the one it serves stops asking (a lane held back, or a blob read
//! whole). So the answer taken first is the one of the lane the vector waits for most, and
//! the lanes fill in turn (`web/tests/file_glue.rs` shows it).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use js_sys::ArrayBuffer;
use pancake_core::digest::lanes::{Lanes, LANES};
use pancake_core::Digest;
use wasm_bindgen_futures::JsFuture;

use crate::byob::{ByobReader, Chunk};

/// Bytes asked of each read (the browser answers with up to this much).
const PIECE: u32 = 2 << 20;

/// Bytes a lane may hold unhashed, waiting for slower lanes, before its next read waits. A
/// lane holds at most this and two reads ([`PIECE`]: one landed, the next already asked for).
const AHEAD: usize = 2 << 20;

/// What a waiting job sees of its blob: the bytes read so far, and the outcome once known
/// (`Some(None)`: a read failed, or the file ended short of the blob).
#[derive(Default)]
struct Ticket {
    read: u64,
    /// The digest, and whether some of its blocks went through the vector with others.
    outcome: Option<Option<(Digest, bool)>>,
    waker: Option<Waker>,
    /// Bumped at each change, so the waiting job wakes for progress too.
    version: u64,
}

type Shared = Rc<RefCell<Ticket>>;

struct Queued {
    blob: web_sys::Blob,
    len: u64,
    ticket: Shared,
}

thread_local! {
    /// Blobs waiting for a lane, and whether a driver is running.
    static QUEUE: RefCell<(VecDeque<Queued>, bool)> = const { RefCell::new((VecDeque::new(), false)) };
}

/// The SHA-256 of `blob` (`len` bytes), hashed in a lane beside this worker's other blobs
/// read at the same time; `progress` gets the bytes read so far. `None` where blob streams
/// are not byte streams (the caller streams another way), when a read fails, or when the file
/// ends short of `len`. The `bool`: some of its blocks were hashed in the vector with other
/// blobs (recorded as `HashPath::StreamedTogether`; otherwise it went alone, as streamed).
pub async fn sha256(
    blob: web_sys::Blob,
    len: u64,
    progress: &mut dyn FnMut(u64),
) -> Option<(Digest, bool)> {
    // Refused before queueing, so the caller's fallback runs at once.
    ByobReader::open(&blob.slice().ok()?)?.cancel();
    let ticket: Shared = Rc::default();
    let start = QUEUE.with(|q| {
        let mut q = q.borrow_mut();
        q.0.push_back(Queued {
            blob,
            len,
            ticket: ticket.clone(),
        });
        !std::mem::replace(&mut q.1, true)
    });
    if start {
        wasm_bindgen_futures::spawn_local(drive());
    }
    let mut seen = 0;
    loop {
        Changed {
            ticket: &ticket,
            seen,
        }
        .await;
        let t = ticket.borrow();
        seen = t.version;
        progress(t.read);
        if let Some(outcome) = t.outcome.clone() {
            return outcome;
        }
    }
}

/// Ready when the ticket changed since version `seen`.
struct Changed<'a> {
    ticket: &'a Shared,
    seen: u64,
}

impl Future for Changed<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut t = self.ticket.borrow_mut();
        if t.version != self.seen || t.outcome.is_some() {
            Poll::Ready(())
        } else {
            t.waker = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

fn tell(ticket: &Shared, f: impl FnOnce(&mut Ticket)) {
    let waker = {
        let mut t = ticket.borrow_mut();
        f(&mut t);
        t.version += 1;
        t.waker.take()
    };
    if let Some(w) = waker {
        w.wake();
    }
}

/// One blob in a lane.
struct Running {
    lane: usize,
    reader: ByobReader,
    /// The buffer, while no read holds it.
    buffer: Option<ArrayBuffer>,
    pending: Option<JsFuture>,
    /// A read's answer not yet taken (`Some(None)`: it failed); it holds the buffer.
    ready: Option<Option<wasm_bindgen::JsValue>>,
    len: u64,
    read: u64,
    /// A read failed or was refused, or the stream ended short of `len`.
    failed: bool,
    ticket: Shared,
}

impl Running {
    /// Starts the next read unless one is in flight, the blob is read, a read failed, or the
    /// lane is more than [`AHEAD`] bytes ahead of the others.
    fn read_next(&mut self, lanes: &Lanes) {
        if self.pending.is_some() || self.failed || self.read >= self.len {
            return;
        }
        if lanes.waiting(self.lane) > AHEAD {
            return;
        }
        if let Some(buffer) = self.buffer.take() {
            let want = u32::try_from(self.len - self.read).map_or(PIECE, |n| n.min(PIECE));
            self.pending = self.reader.read(&buffer, 0, want);
            if self.pending.is_none() {
                self.buffer = Some(buffer);
                self.failed = true; // refused: the lane ends with the others that are done
            }
        }
    }
}

/// Reads and hashes the queued blobs until none is left (see the module's doc).
async fn drive() {
    let mut lanes = Lanes::new();
    let mut running: Vec<Running> = Vec::new();
    let mut scratch: Vec<u8> = Vec::new();
    // Buffers of blobs that ended, for the next ones (never more than LANES exist).
    let mut spare: Vec<ArrayBuffer> = Vec::new();
    let mut give_way = crate::give_way::GiveWay::default();
    loop {
        // Messages (another job, a feed's pieces) get their turn ([`crate::give_way`]).
        give_way.now_and_then().await;
        // Open queued blobs in free lanes.
        while running.len() < LANES {
            let Some(next) = QUEUE.with(|q| q.borrow_mut().0.pop_front()) else {
                break;
            };
            let Some(reader) = ByobReader::open(&next.blob) else {
                tell(&next.ticket, |t| t.outcome = Some(None));
                continue;
            };
            let Some(lane) = lanes.open() else {
                tell(&next.ticket, |t| t.outcome = Some(None));
                continue;
            };
            running.push(Running {
                lane,
                reader,
                buffer: Some(spare.pop().unwrap_or_else(|| ArrayBuffer::new(PIECE))),
                pending: None,
                ready: None,
                len: next.len,
                read: 0,
                failed: false,
                ticket: next.ticket,
            });
        }
        if running.is_empty() {
            // Checked and cleared in one borrow: a job queued after this starts a new driver.
            let done = QUEUE.with(|q| {
                let mut q = q.borrow_mut();
                if q.0.is_empty() {
                    q.1 = false;
                }
                !q.1
            });
            if done {
                return;
            }
            continue;
        }
        // Start the reads of lanes not too far ahead.
        for r in running.iter_mut() {
            r.read_next(&lanes);
        }
        // Blobs fully read, or whose reads failed, end now.
        let mut k = 0;
        while k < running.len() {
            let Some(r) = running.get(k) else {
                break;
            };
            let failed = r.failed;
            if (r.read >= r.len || failed) && r.pending.is_none() && r.ready.is_none() {
                let r = running.swap_remove(k);
                let together = lanes.together(r.lane);
                let digest = lanes.finish(r.lane);
                r.reader.cancel();
                if let Some(b) = r.buffer {
                    spare.push(b);
                }
                let outcome = match digest {
                    Some(d) if !failed => Some((d, together)),
                    _ => None,
                };
                tell(&r.ticket, |t| t.outcome = Some(outcome));
            } else {
                k += 1;
            }
        }
        if !running.iter().any(|r| r.ready.is_some()) {
            if running.iter().all(|r| r.pending.is_none()) {
                continue; // nothing to wait for: open more, or end
            }
            Answers(&mut running).await;
        }
        // Of the answers in, the one of the lane the vector waits for most (the fewest bytes
        // waiting): taken in the order they came, a file the browser reads fast let one lane
        // read its whole blob while the others' answers waited, and nothing was hashed
        // together.
        let Some(k) = (0..running.len())
            .filter(|&k| running.get(k).is_some_and(|r| r.ready.is_some()))
            .min_by_key(|&k| running.get(k).map_or(0, |r| lanes.waiting(r.lane)))
        else {
            continue;
        };
        let Some(r) = running.get_mut(k) else {
            continue;
        };
        let answer = r.ready.take().flatten();
        match answer.as_ref().and_then(Chunk::from_result) {
            Some(chunk) if chunk.len > 0 => {
                let n = chunk.len as usize;
                scratch.resize(n, 0);
                js_sys::Uint8Array::new_with_byte_offset_and_length(&chunk.buffer, 0, chunk.len)
                    .copy_to(&mut scratch);
                r.buffer = Some(chunk.buffer);
                let n = (n as u64).min(r.len - r.read);
                r.read += n;
                // The next read is in flight while this piece is hashed.
                r.read_next(&lanes);
                lanes.push(r.lane, scratch.get(..n as usize).unwrap_or(&[]));
                let read = r.read;
                tell(&r.ticket, |t| t.read = read);
            }
            // The stream ended short of the blob (the file shrank), or the read failed.
            Some(chunk) => {
                r.buffer = Some(chunk.buffer);
                r.failed = true;
            }
            None => r.failed = true,
        }
    }
}

/// Ready once some pending read of `running` has answered: every answer in is moved to its
/// blob's `ready`.
struct Answers<'a>(&'a mut Vec<Running>);

impl Future for Answers<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut any = false;
        for r in self.0.iter_mut() {
            if let Some(p) = r.pending.as_mut() {
                if let Poll::Ready(v) = Pin::new(p).poll(cx) {
                    r.pending = None;
                    r.ready = Some(v.ok());
                    any = true;
                }
            }
        }
        if any {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}
