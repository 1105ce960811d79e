//! The page side of the workers: one scanner (starts the reading, then serves content reads)
//! and a pool of hashers that each take a different blob of the same `File`. The pool feeds
//! the core's [`Reading`] driver — the same one the CLI's threads feed: its plan gives the
//! jobs, each hasher's facts are applied to it, and it says when all is done. Results become
//! [`Action`]s for the reducer.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use pancake_core::analyze::summary::ImageSummary;
use pancake_core::limits::Limits;
use pancake_core::read::reading::{HashJob, Reading};
use pancake_core::read::resolution_change::ResolutionChange;
use pancake_core::wire::{self, Decoder};
use pancake_core::write::container::LowerFile;
use pancake_core::Entries;
use pancake_core::RawPath;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ErrorEvent, File, MessageEvent, Worker};
use yew::Callback;

use crate::protocol::{decode, encode, JsBytes, Request, Response, RowPick, SearchAnswer};

/// The rows of a view a scanner folded (`Pool::view_rows`), and for a merged view the layer
/// that last added each row's path at or below the row's layer (same order; all `None` for
/// a layer's changes).
#[derive(Clone, Debug, PartialEq)]
pub struct ViewRows {
    pub rows: Rc<Vec<pancake_core::analyze::union::FileRow>>,
    pub added: Rc<Vec<Option<usize>>>,
}

impl Drop for ViewRows {
    fn drop(&mut self) {
        // The last holder of a large view's rows frees them a slice per task.
        if let Ok(rows) = Rc::try_unwrap(std::mem::take(&mut self.rows)) {
            crate::bury::bury(rows);
        }
    }
}

/// Who waits for a scanner's answer.
enum Waiter {
    Search(Callback<SearchAnswer>),
    Rows(Callback<Option<ViewRows>>),
    Lower(Callback<Option<Rc<Vec<LowerFile>>>>),
}

/// A scanner's answer, or that none will come (no reader holds the file, or it stopped).
enum Reply {
    Search(SearchAnswer),
    Rows(Option<ViewRows>),
    Lower(Option<Rc<Vec<LowerFile>>>),
    Unavailable,
}

/// Most hashers at once; more rarely helps (memory bandwidth, and the page's own thread).
pub const MAX_HASHERS: usize = 4;
/// Files from this size (bytes) on get their hashers started while the scanner walks (once
/// it is running: see [`Pool::prespawn`]).
const PRESPAWN_MIN_BYTES: u64 = 64 << 20;
/// Facts reach the page's state in batches: each batch resolves the images again and
/// re-renders what shows them (the layer indexes are shared, not copied).
const FLUSH_EVERY_MS: f64 = 300.0;
/// An outline is shown only if the walk has not ended this long after it came: a walk that
/// ends sooner (large files, few headers) would make it flash, pending sizes and all, for a
/// frame or two before the walk's view replaces it.
const OUTLINE_AFTER_MS: u32 = 150;
const PROGRESS_EVERY_MS: f64 = 100.0;
/// Entries decoded between two checks of the clock, and the time one slice of the decoding
/// may take (ms) before the page's thread is given back: well under a frame, so the page
/// answers and paints while 200,000 entries cross.
const DECODE_BATCH: usize = 2_000;
const DECODE_SLICE_MS: f64 = 12.0;
/// The longest wait for a painted frame before hashing starts anyway (a hidden tab paints
/// none; its timers run at most once a second).
const HASH_START_LATEST_MS: u32 = 250;
/// How long after `Settled` a large image's scanner is handed over ([`Pool::hand_over`]): the
/// page draws the settled view first, while both cores are free (the two workers then take
/// both for a moment: for a stack of 20,002 layers, 15 MB of JSON written and read).
const HAND_OVER_AFTER_MS: u32 = 300;
/// How long a hand-over's new scanner may take to start and adopt the reading before the old
/// one is put back ([`Pool::hand_over`]): it takes well under a second for 200,000 files.
const ADOPT_WAIT_MS: u32 = 20_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Scanner,
    Hasher(usize),
}

struct Handle {
    worker: Worker,
    ready: bool,
    /// A new scanner taking over a reading ([`Pool::hand_over`]): what the page sends it
    /// waits here, even once it is running, until it has the reading ([`Handle::adopted`]).
    adopting: bool,
    /// Sent as soon as the worker runs, before the backlog and even while `adopting`: the
    /// `Request::Adopt` of a new scanner.
    first: Option<JsValue>,
    /// Messages sent before the worker's wasm was running (or while it is `adopting`).
    backlog: Vec<JsValue>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

impl Handle {
    fn send(&mut self, msg: JsValue) {
        if self.ready && !self.adopting {
            post_to(&self.worker, &msg);
        } else {
            self.backlog.push(msg);
        }
    }

    fn mark_ready(&mut self) {
        self.ready = true;
        self.flush();
    }

    /// The reading is this worker's: what waited for it goes now.
    fn adopted(&mut self) {
        self.adopting = false;
        self.flush();
    }

    fn flush(&mut self) {
        if !self.ready {
            return;
        }
        if let Some(m) = self.first.take() {
            post_to(&self.worker, &m);
        }
        if !self.adopting {
            for m in std::mem::take(&mut self.backlog) {
                post_to(&self.worker, &m);
            }
        }
    }
}

/// Posts an envelope to a worker; a `MessagePort` in its `port` is transferred (a port can
/// only be handed over, not copied).
fn post_to(worker: &Worker, msg: &JsValue) {
    let port = js_sys::Reflect::get(msg, &JsValue::from_str("port"))
        .ok()
        .filter(JsValue::is_object);
    let sent = match port {
        Some(port) => worker.post_message_with_transfer(msg, &js_sys::Array::of1(&port)),
        None => worker.post_message(msg),
    };
    if let Err(e) = sent {
        web_sys::console::error_1(&e);
    }
}

/// A `MessageChannel`'s two ports (through `Reflect`: no typed binding needed for two
/// property reads); `None` where there is none.
fn message_channel() -> Option<(JsValue, JsValue)> {
    let ctor: js_sys::Function =
        js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("MessageChannel"))
            .ok()?
            .dyn_into()
            .ok()?;
    let channel = js_sys::Reflect::construct(&ctor, &js_sys::Array::new()).ok()?;
    let port1 = js_sys::Reflect::get(&channel, &JsValue::from_str("port1")).ok()?;
    let port2 = js_sys::Reflect::get(&channel, &JsValue::from_str("port2")).ok()?;
    Some((port1, port2))
}

impl Drop for Handle {
    fn drop(&mut self) {
        // A message the worker posted before it was stopped can still be on its way: with
        // the handlers unset first, it finds none instead of a dropped closure.
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}

struct Hasher {
    handle: Handle,
    /// The jobs it is on (up to [`Pool::lanes_each`]: their blobs hash side by side,
    /// `crate::lanes`) and how many of each one's bytes are hashed.
    jobs: Vec<(HashJob, u64)>,
}

/// What the pool reports: the reading of the file it reads (each event carries the reader
/// generation it is about; the app's state drops those about a file no longer shown) and the
/// content reads it serves. The state maps these to its actions in one place
/// (`impl From<PoolEvent> for state::Action`).
#[derive(Debug)]
pub enum PoolEvent {
    /// A file is being read from scratch (`size` in bytes).
    Opened {
        generation: u32,
        name: String,
        size: u64,
        /// `Date.now()` when it was opened: the reading's rate counts from here.
        now_ms: f64,
    },
    /// The images are known but large layer tars are still being walked
    /// ([`Response::Outlined`]): a first view without their indexes, which the `Scanned` of
    /// the same generation replaces (`millis` since opening).
    Outlined {
        generation: u32,
        archive: Box<pancake_core::Archive>,
        millis: f64,
    },
    /// The structure is known: the first view (`millis` since opening).
    Scanned {
        generation: u32,
        archive: Rc<pancake_core::Archive>,
        millis: f64,
    },
    /// The layer indexes are large and cross a slice at a time: until [`PoolEvent::Indexed`]
    /// the archive's entry lists are empty, and until [`PoolEvent::Summarized`] the figures
    /// of the first view are not known. Comes right before the `Scanned` of the same
    /// generation.
    Indexing { generation: u32 },
    /// Layer indexes a hasher found (a compressed layer's) are large: the figures of the
    /// images they belong to will come from the scanner ([`PoolEvent::Summarized`]) once every
    /// digest is in, rather than be folded on the page. Comes before the `Verified` that
    /// carries those indexes.
    Summarizing { generation: u32 },
    /// The scanner's figures for the first view: one per image, `None` for an image with a
    /// layer not indexed yet.
    Summarized {
        generation: u32,
        summaries: Vec<Option<Rc<ImageSummary>>>,
    },
    /// Every entry list is on the page: the `Verified` just before carries them.
    Indexed { generation: u32 },
    /// Hashing starts: `total` job bytes. Sent with the first view (the bar's total), and
    /// again when the hashers get their jobs once it is painted (the rate counts from then).
    HashStarted {
        generation: u32,
        total: u64,
        now_ms: f64,
    },
    /// Layer blobs of a file compressed as a whole, read since the last such event, each at
    /// a glance (their order in the image comes with `Scanned`, at the end of the file).
    LayersRead {
        generation: u32,
        layers: Vec<pancake_core::analyze::glance::LayerGlance>,
        /// Layer blobs read in all so far (`layers` are the last of them): the count shown.
        count: usize,
    },
    /// Bytes read (before hashing) or job bytes hashed.
    Progress {
        generation: u32,
        done: u64,
        now_ms: f64,
        /// `done` is how far through the file a walk has got, not bytes read
        /// (`archive::Progress::reached`).
        reached: bool,
    },
    /// The archive as the facts so far make it (sharing the layer indexes of the one shown).
    Verified {
        generation: u32,
        archive: Rc<pancake_core::Archive>,
    },
    /// Every digest is settled.
    Settled { generation: u32 },
    Failed {
        generation: u32,
        /// The English text (the core's message).
        message: String,
        /// The reason as a value, when the file as a whole is not what was expected.
        why: Option<pancake_core::Unreadable>,
    },
    /// Hashing was stopped by the person.
    Cancelled,
    /// A file's bytes (up to the size asked for), or why there are none.
    Content {
        generation: u32,
        member: usize,
        path: RawPath,
        bytes: Option<Vec<u8>>,
        error: Option<String>,
    },
}

impl PoolEvent {
    /// The reader generation the event is about (`Cancelled` is about the current one).
    pub fn generation(&self) -> Option<u32> {
        match self {
            PoolEvent::Opened { generation, .. }
            | PoolEvent::Outlined { generation, .. }
            | PoolEvent::Scanned { generation, .. }
            | PoolEvent::HashStarted { generation, .. }
            | PoolEvent::Progress { generation, .. }
            | PoolEvent::LayersRead { generation, .. }
            | PoolEvent::Verified { generation, .. }
            | PoolEvent::Settled { generation }
            | PoolEvent::Failed { generation, .. }
            | PoolEvent::Content { generation, .. }
            | PoolEvent::Indexing { generation }
            | PoolEvent::Summarizing { generation }
            | PoolEvent::Summarized { generation, .. }
            | PoolEvent::Indexed { generation } => Some(*generation),
            PoolEvent::Cancelled => None,
        }
    }
}

pub struct Pool {
    emit: Callback<PoolEvent>,
    this: Weak<RefCell<Pool>>,
    generation: u32,
    file: Option<File>,
    scanner: Option<Handle>,
    /// Scanners being replaced ([`Pool::hand_over`]), by reader generation (the current one's
    /// or a kept one's), each until its successor has its reading.
    retiring: Vec<(u32, Handle)>,
    /// The current file's scanner was handed over, or is being (once per file).
    handed_over: bool,
    /// Content reads sent to a scanner and not answered yet, by reader generation: a
    /// hand-over waits for them (and for `searches`), so the old scanner is never stopped
    /// with an answer still to give.
    reads_out: Vec<u32>,
    scanned: bool,
    hashers: Vec<Option<Hasher>>,
    /// Start the first hasher once the scanner is running: the current file is big, its walk
    /// outlasts a worker's start (the walk feeds that hasher; the others start with the plan).
    /// Not with the scanner: on two cores three workers loading at once delayed the scan's
    /// start from ~60 to ~190 ms.
    prespawn: bool,
    /// The port the first hasher is fed through while the scanner walks ([`crate::feed`]),
    /// until that hasher is started.
    feed_port: Option<JsValue>,
    /// The blobs `(offset, len)` the scanner fed the first hasher whole: their jobs are its.
    fed: Vec<(u64, u64)>,
    queue: VecDeque<HashJob>,
    /// How many jobs each hasher takes at once ([`Pool::start_hashing`]).
    lanes_each: usize,
    /// An outline waiting [`OUTLINE_AFTER_MS`] to be shown (dropped when the walk ends first).
    outline: Option<PoolEvent>,
    /// The current file's reading, from the scan's archive on; facts are applied to it.
    reading: Option<Reading>,
    /// `reading.bytes_done()` when hashing started (the part the scan covered).
    base: u64,
    /// A resolution was adopted since the last flush.
    unflushed: bool,
    /// Jobs covered by the last resolution adopted.
    resolved: usize,
    /// The parts of a resolution received so far (`Resolved` with `more`), applied with its
    /// last part.
    resolution_parts: Vec<ResolutionChange>,
    last_flush: f64,
    last_progress: f64,
    /// A pending batch of facts is applied at the latest when this fires.
    flush_scheduled: bool,
    /// Highest generation handed out.
    counter: u32,
    /// Generations whose reader is kept when another file is opened (the shared-layers session).
    keep: Vec<u32>,
    /// Their files and scanners, so content reads still work when one is shown again.
    kept: Vec<(u32, File, Handle)>,
    /// The generation the page shows (`show`): content reads and [`Pool::file`] are about it.
    /// It differs from `generation` while the next file is read behind the one shown, or
    /// when an archive of the session read earlier is shown again.
    shown_generation: u32,
    /// The entry lists being checked (a large index: `Decoder::compact`, kept in the compact
    /// form) or decoded, a slice per timer tick (see [`PoolEvent::Indexing`]).
    decoding: Option<Decoder>,
    /// Hashers' facts whose layer entries came apart (`wire::split_facts`), each applied to
    /// the reading once its entries are checked (they stay compact), a slice per timer tick,
    /// oldest first: the member, its facts, the job's bytes (still counted as done) and the
    /// decoder.
    facts_decoding: VecDeque<FactsComing>,
    /// The entry lists (compact for a large index: decoded when a view first reads one), put
    /// into every archive handed on (`wire::graft`: the same shared lists each time, so the
    /// structure the views key their memos on is stable).
    index: Vec<(usize, Entries)>,
    /// Every digest settled while the entry lists were still crossing: `Settled` waits for
    /// them (the session keeps the archive once it is settled).
    settle_waiting: bool,
    /// An `indexing` scan's figures have not come yet (`Settled` waits for them too).
    summary_waiting: bool,
    /// Large layer indexes came from hashers ([`PoolEvent::Summarizing`]): the figures are
    /// asked for once every digest is in.
    summary_after_facts: bool,
    /// The archive last handed on (facts applied to the reading but not yet resolved by the
    /// scanner are not in it): what the entry lists are put into when they are all here.
    shown: Option<Rc<pancake_core::Archive>>,
    /// Searches and view folds sent to a scanner (current or kept) and not answered yet: id,
    /// the reader generation asked, and who waits for the answer.
    searches: Vec<(u32, u32, Waiter)>,
    /// The last search or fold id handed out.
    search_counter: u32,
    /// Answers to hand on once the pool is no longer borrowed (a callback may call into it).
    answered: Vec<(Waiter, Reply)>,
    /// Rows a scanner sent, being decoded a slice per task (the reader generation, the
    /// request id, the decoder), oldest first.
    rows_decoding: VecDeque<(u32, u32, wire::RowsDecoder)>,
    /// Events held back until the next task (see [`Pool::hold_until_next_task`]), in order.
    held: Option<Vec<PoolEvent>>,
}

pub type PoolRef = Rc<RefCell<Pool>>;

/// A hasher's facts waiting for their entries (see `Pool::facts_decoding`).
struct FactsComing {
    member: usize,
    facts: pancake_core::MemberFacts,
    bytes: u64,
    decoder: Decoder,
}

fn now() -> f64 {
    js_sys::Date::now()
}

impl Pool {
    pub fn new(emit: Callback<PoolEvent>) -> PoolRef {
        Rc::new_cyclic(|this| {
            RefCell::new(Pool {
                emit,
                this: this.clone(),
                generation: 0,
                file: None,
                scanner: None,
                retiring: Vec::new(),
                handed_over: false,
                reads_out: Vec::new(),
                scanned: false,
                hashers: Vec::new(),
                prespawn: false,
                feed_port: None,
                fed: Vec::new(),
                queue: VecDeque::new(),
                lanes_each: 1,
                outline: None,
                reading: None,
                base: 0,
                unflushed: false,
                resolved: 0,
                resolution_parts: Vec::new(),
                last_flush: 0.0,
                last_progress: 0.0,
                flush_scheduled: false,
                counter: 0,
                keep: Vec::new(),
                kept: Vec::new(),
                shown_generation: 0,
                decoding: None,
                facts_decoding: VecDeque::new(),
                index: Vec::new(),
                settle_waiting: false,
                summary_waiting: false,
                summary_after_facts: false,
                shown: None,
                searches: Vec::new(),
                search_counter: 0,
                answered: Vec::new(),
                rows_decoding: VecDeque::new(),
                held: None,
            })
        })
    }

    /// Stops whatever runs and starts reading `file` from scratch.
    pub fn open(pool: &PoolRef, file: File) {
        let actions = {
            let mut p = pool.borrow_mut();
            p.park_current();
            p.stop_all();
            p.counter = p.counter.max(p.generation).wrapping_add(1);
            p.generation = p.counter;
            p.drop_orphan_searches();
            let generation = p.generation;
            let name = file.name();
            let size = file.size().max(0.0) as u64;
            p.file = Some(file.clone());
            let mut actions = vec![PoolEvent::Opened {
                generation,
                name: name.clone(),
                size,
                now_ms: now(),
            }];
            // Only for a file big enough that the hashers start while the scanner walks, and
            // with a second core for the first hasher to hash on as the walk goes (`feed`).
            let feed = (size >= PRESPAWN_MIN_BYTES && crate::hashing::hashers() >= 2)
                .then(message_channel)
                .flatten();
            match p.spawn(Role::Scanner) {
                Ok(mut h) => {
                    match encode(&Request::Scan { name }, Some(&file), None) {
                        Ok(m) => {
                            if let Some((scanner_end, hasher_end)) = feed {
                                let _ = js_sys::Reflect::set(
                                    &m,
                                    &JsValue::from_str("port"),
                                    &scanner_end,
                                );
                                p.feed_port = Some(hasher_end);
                            }
                            h.send(m)
                        }
                        Err(message) => actions.push(PoolEvent::Failed {
                            generation,
                            message,
                            why: None,
                        }),
                    }
                    p.scanner = Some(h);
                }
                Err(message) => actions.push(PoolEvent::Failed {
                    generation,
                    message,
                    why: None,
                }),
            }
            // Only for a file big enough that its scan outlasts a worker's start: a small one
            // is often read whole by the scan, and a hasher stopped while it loads shows as
            // a failed request.
            p.prespawn = size >= PRESPAWN_MIN_BYTES;
            actions
        };
        Self::emit_all(pool, actions);
        Self::answer_searches(pool);
    }

    /// The file being shown (a container's export copies its layer blobs from it).
    pub fn file(pool: &PoolRef) -> Option<File> {
        let shown = pool.borrow().shown_generation;
        Pool::file_of(pool, shown)
    }

    /// The file read under `generation` (current or kept). A view rendering an archive passes
    /// the generation it renders: [`Pool::show`] only catches up in an effect after the
    /// render, so `file` can still name the archive shown before.
    pub fn file_of(pool: &PoolRef, generation: u32) -> Option<File> {
        pool.borrow().file_for(generation)
    }

    /// The file read under `generation`: the current one's, or a kept one's.
    fn file_for(&self, generation: u32) -> Option<File> {
        if generation == self.generation {
            return self.file.clone();
        }
        self.kept
            .iter()
            .find(|(g, _, _)| *g == generation)
            .map(|(_, f, _)| f.clone())
    }

    /// The page shows the archive read under `generation` (the one being read, or one of the
    /// session's kept readers): content reads go to its reader. Nothing is stopped, so the
    /// next file keeps reading while an earlier one is shown and browsed.
    pub fn show(pool: &PoolRef, generation: u32) {
        pool.borrow_mut().shown_generation = generation;
    }

    /// Stops hashing (and a scan still running); what is known stays shown.
    pub fn cancel(pool: &PoolRef) {
        let actions = {
            let mut p = pool.borrow_mut();
            p.hashers.clear();
            p.queue.clear();
            p.outline = None;
            if !p.scanned {
                p.scanner = None;
                p.drop_orphan_searches();
            }
            // Blobs already hashed stay checked.
            let generation = p.generation;
            if p.summary_after_facts {
                // The figures waited for every digest, which will not all come: asked now,
                // they cover the images whose layers are all indexed (the views work out the
                // rest, saying which layers were not read).
                p.summary_after_facts = false;
                p.ask_summary(generation);
            }
            let mut actions = p.flush(generation);
            actions.push(PoolEvent::Cancelled);
            actions
        };
        Self::emit_all(pool, actions);
        Self::answer_searches(pool);
    }

    /// Asks the shown archive's scanner for one file's content; the answer arrives as
    /// [`PoolEvent::Content`] tagged with the shown generation.
    pub fn read_content(
        pool: &PoolRef,
        member: usize,
        path: RawPath,
        entry: Option<usize>,
        max: u64,
    ) {
        let req = Request::ReadContent {
            member,
            path: path.clone(),
            entry,
            max,
        };
        let (generation, failure) = {
            let mut guard = pool.borrow_mut();
            let p = &mut *guard;
            let generation = p.shown_generation;
            let file = p.file_for(generation);
            let failure = match (p.reader_mut(generation), encode(&req, file.as_ref(), None)) {
                (Some(h), Ok(m)) => {
                    h.send(m);
                    p.reads_out.push(generation);
                    None
                }
                (None, _) => Some("the reader was stopped; open the file again".to_string()),
                (_, Err(e)) => Some(e),
            };
            (generation, failure)
        };
        // The pool is no longer borrowed: the event's handler may call into it. (Through
        // `emit_all`, so it keeps its place behind events held for the next task.)
        if let Some(error) = failure {
            Self::emit_all(
                pool,
                vec![PoolEvent::Content {
                    generation,
                    member,
                    path,
                    bytes: None,
                    error: Some(error),
                }],
            );
        }
    }

    /// Keep the reader of `generation` when another file is opened (it joined the session).
    pub fn keep(pool: &PoolRef, generation: u32) {
        let mut p = pool.borrow_mut();
        if !p.keep.contains(&generation) {
            p.keep.push(generation);
        }
    }

    /// Forgets a kept reader (its archive left the session).
    pub fn release(pool: &PoolRef, generation: u32) {
        {
            let mut p = pool.borrow_mut();
            p.keep.retain(|g| *g != generation);
            p.kept.retain(|(g, _, _)| *g != generation);
            p.retiring.retain(|(g, _)| *g != generation);
            p.reads_out.retain(|g| *g != generation);
            p.drop_orphan_searches();
        }
        Self::answer_searches(pool);
    }

    /// Asks the scanner of `generation` (the file being read, or a kept one) for the paths of
    /// image `image` matching `query` (`Request::Search`: at most `limit` histories, all
    /// counted); `answer` gets the one [`SearchAnswer`], later, from the worker's thread's
    /// reply — or at once, [`SearchAnswer::Unavailable`], when no reader holds that file.
    /// A reader stopped before it answers answers `Unavailable` too.
    pub fn search(
        pool: &PoolRef,
        generation: u32,
        image: usize,
        query: String,
        limit: usize,
        answer: Callback<SearchAnswer>,
    ) {
        {
            let mut guard = pool.borrow_mut();
            let p = &mut *guard;
            p.search_counter = p.search_counter.wrapping_add(1);
            let id = p.search_counter;
            // No more facts will come for a kept file, nor for the current one once no hash
            // job runs or waits (hashing finished, was cancelled, or a hasher failed).
            let settled = generation != p.generation
                || (p.scanned && p.queue.is_empty() && p.hashers.iter().all(Option::is_none));
            let req = Request::Search {
                id,
                image,
                query,
                limit,
                settled,
            };
            let file = p.file_for(generation);
            match (p.reader_mut(generation), encode(&req, file.as_ref(), None)) {
                (Some(h), Ok(m)) => {
                    h.send(m);
                    p.searches.push((id, generation, Waiter::Search(answer)));
                }
                (_, _) => p
                    .answered
                    .push((Waiter::Search(answer), Reply::Unavailable)),
            }
        }
        Self::answer_searches(pool);
    }

    /// Asks the scanner of `generation` for the rows `pick` chooses of a view of image
    /// `image` (`Request::Rows`: after layer `layer` when `merged`, else that layer's
    /// changes), so the page's thread does not fold a large image itself; `answer` gets them
    /// later, or `None` (at once when no reader holds that file, or later when it has no
    /// such view or stopped): the caller then folds on the page.
    pub fn view_rows(
        pool: &PoolRef,
        generation: u32,
        view: (usize, usize, bool),
        pick: RowPick,
        answer: Callback<Option<ViewRows>>,
    ) {
        Self::ask_rows(pool, generation, view, pick, Waiter::Rows(answer));
    }

    /// Asks the scanner of `generation` for the files a container on image `image` sees
    /// below its layer (`RowPick::Lower`: the merged view of the image's top layer with each
    /// path's owner, `write::container::files_of`), so the page's thread does not fold a
    /// large image for the Container view (200,000 entries: ~0.6 s); `answer` gets them
    /// later, or `None` (at once when no reader holds that file): the caller then builds them
    /// on the page.
    pub fn lower_files(
        pool: &PoolRef,
        generation: u32,
        image: usize,
        top: usize,
        answer: Callback<Option<Rc<Vec<LowerFile>>>>,
    ) {
        let view = (image, top, true);
        Self::ask_rows(
            pool,
            generation,
            view,
            RowPick::Lower,
            Waiter::Lower(answer),
        );
    }

    /// Sends `Request::Rows` for `view` and `pick` to the scanner of `generation` (the file
    /// being read, or a kept one), `waiter` waiting for its answer — or answered
    /// `Unavailable` at once when no reader holds that file.
    fn ask_rows(
        pool: &PoolRef,
        generation: u32,
        (image, layer, merged): (usize, usize, bool),
        pick: RowPick,
        waiter: Waiter,
    ) {
        {
            let mut guard = pool.borrow_mut();
            let p = &mut *guard;
            p.search_counter = p.search_counter.wrapping_add(1);
            let id = p.search_counter;
            let req = Request::Rows {
                id,
                image,
                layer,
                merged,
                pick,
            };
            match (p.reader_mut(generation), encode(&req, None, None)) {
                (Some(h), Ok(m)) => {
                    h.send(m);
                    p.searches.push((id, generation, waiter));
                }
                (_, _) => p.answered.push((waiter, Reply::Unavailable)),
            }
        }
        Self::answer_searches(pool);
    }

    /// Hands the answers gathered on to those waiting (the pool is not borrowed here).
    fn answer_searches(pool: &PoolRef) {
        let answered = std::mem::take(&mut pool.borrow_mut().answered);
        for (waiter, reply) in answered {
            match (waiter, reply) {
                (Waiter::Search(cb), Reply::Search(a)) => cb.emit(a),
                (Waiter::Search(cb), _) => cb.emit(SearchAnswer::Unavailable),
                (Waiter::Rows(cb), Reply::Rows(r)) => cb.emit(r),
                (Waiter::Rows(cb), _) => cb.emit(None),
                (Waiter::Lower(cb), Reply::Lower(r)) => cb.emit(r),
                (Waiter::Lower(cb), _) => cb.emit(None),
            }
        }
    }

    /// A search answer from the scanner of `generation`: it goes to whoever waits for it.
    fn on_searched(&mut self, generation: u32, id: u32, answer: Reply) {
        if let Some(i) = self
            .searches
            .iter()
            .position(|(x, g, _)| *x == id && *g == generation)
        {
            let (_, _, waiter) = self.searches.remove(i);
            self.answered.push((waiter, answer));
        }
    }

    /// A view's rows from the scanner of `generation`: decoded on timers, at most
    /// [`DECODE_SLICE_MS`] per task (200,000 rows take ~0.15 s to decode), then handed to
    /// whoever waits. Bytes that are not rows answer "no rows" (the view folds on the page).
    fn on_rows(&mut self, generation: u32, id: u32, found: bool, bytes: Option<JsBytes>) {
        let rows = bytes
            .filter(|_| found)
            .map(|b| wire::RowsDecoder::new(b.to_vec()));
        match rows {
            Some(Ok(d)) => {
                self.rows_decoding.push_back((generation, id, d));
                if self.rows_decoding.len() == 1 {
                    self.schedule_rows_decode();
                }
            }
            _ => self.on_searched(generation, id, Reply::Rows(None)),
        }
    }

    fn schedule_rows_decode(&self) {
        let this = self.this.clone();
        gloo::timers::callback::Timeout::new(0, move || {
            if let Some(pool) = this.upgrade() {
                pool.borrow_mut().rows_slice();
                Pool::answer_searches(&pool);
            }
        })
        .forget();
    }

    /// Decodes the oldest rows for at most [`DECODE_SLICE_MS`]; when they are all in, they
    /// go to whoever waits (an answer nobody waits for any more is dropped).
    fn rows_slice(&mut self) {
        let Some((generation, id, mut d)) = self.rows_decoding.pop_front() else {
            return;
        };
        // Some(true): all decoded; Some(false): the bytes are not rows; None: time is up.
        let outcome = match for_a_slice(|n| d.step(n)) {
            Ok(true) => Some(true),
            Ok(false) => None,
            Err(_) => Some(false),
        };
        match outcome {
            Some(true) => {
                let lower = self
                    .searches
                    .iter()
                    .any(|(x, g, w)| *x == id && *g == generation && matches!(w, Waiter::Lower(_)));
                let reply = if lower {
                    Reply::Lower(Some(Rc::new(d.finish_lower())))
                } else {
                    let (rows, added) = d.finish();
                    Reply::Rows(Some(ViewRows {
                        rows: Rc::new(rows),
                        added: Rc::new(added),
                    }))
                };
                self.on_searched(generation, id, reply);
            }
            Some(false) => self.on_searched(generation, id, Reply::Rows(None)),
            None => self.rows_decoding.push_front((generation, id, d)),
        }
        if !self.rows_decoding.is_empty() {
            self.schedule_rows_decode();
        }
    }

    /// A scanner stopped (an error it did not catch): what was asked of it will not be
    /// answered, so those waiting hear so now (a view then folds its rows on the page).
    /// `true` when it was a hand-over's new scanner: the old one reads again, and what was
    /// asked meanwhile goes to it, so nothing is lost.
    fn scanner_stopped(&mut self, generation: u32, worker: &JsValue) -> bool {
        // In the middle of a hand-over: if the new scanner stopped, the old one reads again;
        // if the old one did, before it posted its reading, nobody holds it.
        if let Some(at) = self.retiring.iter().position(|(g, _)| *g == generation) {
            let old_stopped = self
                .retiring
                .get(at)
                .is_some_and(|(_, h)| JsValue::from(h.worker.clone()) == *worker);
            if old_stopped {
                drop(self.retiring.swap_remove(at));
                if generation == self.generation {
                    self.scanner = None;
                } else {
                    self.kept.retain(|(g, _, _)| *g != generation);
                }
            } else {
                self.cancel_hand_over(generation);
                return true;
            }
        }
        let (gone, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut self.searches)
            .into_iter()
            .partition(|(_, g, _)| *g == generation);
        self.searches = keep;
        self.reads_out.retain(|g| *g != generation);
        self.rows_decoding.retain(|(g, _, _)| *g != generation);
        self.answered.extend(
            gone.into_iter()
                .map(|(_, _, waiter)| (waiter, Reply::Unavailable)),
        );
        false
    }

    /// Searches whose reader is gone (neither the current scanner nor a kept one) will get
    /// no reply: they are answered `Unavailable` now.
    fn drop_orphan_searches(&mut self) {
        let alive = |p: &Pool, g: u32| {
            (g == p.generation && p.scanner.is_some()) || p.kept.iter().any(|(k, _, _)| *k == g)
        };
        let (keep, gone): (Vec<_>, Vec<_>) = std::mem::take(&mut self.searches)
            .into_iter()
            .partition(|(_, g, _)| alive(self, *g));
        self.searches = keep;
        self.answered.extend(
            gone.into_iter()
                .map(|(_, _, waiter)| (waiter, Reply::Unavailable)),
        );
    }

    /// Moves the current reader aside if its generation is to be kept.
    fn park_current(&mut self) {
        if !self.keep.contains(&self.generation) || !self.scanned {
            return;
        }
        if let (Some(file), Some(scanner)) = (self.file.clone(), self.scanner.take()) {
            self.kept.push((self.generation, file, scanner));
        }
    }

    fn emit_all(pool: &PoolRef, actions: Vec<PoolEvent>) {
        let emit = {
            let mut p = pool.borrow_mut();
            if let Some(held) = p.held.as_mut() {
                held.extend(actions);
                return;
            }
            p.emit.clone()
        };
        for a in actions {
            emit.emit(a);
        }
    }

    fn stop_all(&mut self) {
        self.scanner = None;
        // A kept reader's hand-over goes on (`park_current` kept its new scanner).
        let kept: Vec<u32> = self.kept.iter().map(|(g, _, _)| *g).collect();
        self.retiring.retain(|(g, _)| kept.contains(g));
        self.reads_out.retain(|g| kept.contains(g));
        self.handed_over = false;
        self.scanned = false;
        self.hashers.clear();
        self.prespawn = false;
        self.feed_port = None;
        self.fed.clear();
        self.queue.clear();
        self.outline = None;
        self.reading = None;
        self.base = 0;
        self.unflushed = false;
        self.resolved = 0;
        self.resolution_parts.clear();
        self.flush_scheduled = false;
        self.decoding = None;
        self.facts_decoding.clear();
        self.index = Vec::new();
        self.settle_waiting = false;
        self.summary_waiting = false;
        self.summary_after_facts = false;
        self.shown = None;
    }

    fn spawn(&self, role: Role) -> Result<Handle, String> {
        self.spawn_for(self.generation, role)
    }

    /// A worker reading for `generation` (the current file's, or a kept one's).
    fn spawn_for(&self, generation: u32, role: Role) -> Result<Handle, String> {
        let worker =
            crate::worker_start::start().map_err(|e| format!("cannot start a worker: {e:?}"))?;
        let this = self.this.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            if let Some(pool) = this.upgrade() {
                let actions = pool.borrow_mut().on_message(generation, role, &e.data());
                Pool::emit_all(&pool, actions);
                Pool::answer_searches(&pool);
            }
        });
        let this = self.this.clone();
        // Which worker stopped, when two scanners read for one file (a hand-over).
        let me = JsValue::from(worker.clone());
        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |e: ErrorEvent| {
            e.prevent_default();
            if let Some(pool) = this.upgrade() {
                let message = format!("the worker stopped: {}", e.message());
                if role == Role::Scanner && pool.borrow_mut().scanner_stopped(generation, &me) {
                    // A hand-over's new scanner: the old one reads again, nothing failed.
                    Pool::answer_searches(&pool);
                    return;
                }
                let actions = pool.borrow_mut().on_failure(generation, message, None);
                Pool::emit_all(&pool, actions);
                Pool::answer_searches(&pool);
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Handle {
            worker,
            ready: false,
            adopting: false,
            first: None,
            backlog: Vec::new(),
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    fn on_failure(
        &mut self,
        generation: u32,
        message: String,
        why: Option<pancake_core::Unreadable>,
    ) -> Vec<PoolEvent> {
        if generation != self.generation {
            return Vec::new();
        }
        self.hashers.clear();
        self.queue.clear();
        self.outline = None;
        if !self.scanned {
            self.scanner = None;
            self.drop_orphan_searches();
        }
        vec![PoolEvent::Failed {
            generation,
            message,
            why,
        }]
    }

    fn on_message(&mut self, generation: u32, role: Role, data: &JsValue) -> Vec<PoolEvent> {
        if generation != self.generation {
            // A kept reader (an earlier archive of the session) only answers content reads.
            let kept = self.kept.iter().any(|(g, _, _)| *g == generation);
            return match decode::<Response>(data) {
                Ok(env) if kept => match env.msg {
                    // A scanner handed over as its file was kept (`Pool::hand_over`) starts and
                    // adopts the reading after that.
                    Response::Ready => {
                        if let Some(h) = self.reader_mut(generation) {
                            h.mark_ready();
                        }
                        Vec::new()
                    }
                    Response::Adopted { ok } => {
                        self.on_adopted(generation, ok);
                        Vec::new()
                    }
                    Response::Content {
                        member,
                        path,
                        error,
                    } => {
                        self.read_answered(generation);
                        vec![content_event(generation, member, path, env.bytes, error)]
                    }
                    Response::Searched { id, answer } => {
                        self.on_searched(generation, id, Reply::Search(answer));
                        Vec::new()
                    }
                    Response::Rows { id, found } => {
                        self.on_rows(generation, id, found, env.bytes);
                        Vec::new()
                    }
                    _ => Vec::new(),
                },
                _ => Vec::new(),
            };
        }
        let env = match decode::<Response>(data) {
            Ok(env) => env,
            Err(message) => return self.on_failure(generation, message, None),
        };
        match (env.msg, role) {
            (Response::Adopted { ok }, Role::Scanner) => {
                self.on_adopted(generation, ok);
                Vec::new()
            }
            (Response::Ready, Role::Scanner) => {
                if let Some(h) = self.scanner.as_mut() {
                    h.mark_ready();
                }
                let mut actions = Vec::new();
                if std::mem::take(&mut self.prespawn) && !self.scanned && self.hashers.is_empty() {
                    self.spawn_hashers(&mut actions, 1);
                }
                actions
            }
            (Response::Ready, Role::Hasher(i)) => {
                if let Some(Some(h)) = self.hashers.get_mut(i) {
                    h.handle.mark_ready();
                }
                Vec::new()
            }
            (Response::Failed { message, why }, _) => self.on_failure(generation, message, why),
            (
                Response::Scanned {
                    archive,
                    millis,
                    indexing,
                    fed,
                },
                _,
            ) => {
                // The walk ended before its outline was shown: the outline never is.
                self.outline = None;
                self.fed = fed;
                // A large index is only checked here and stays in its compact form, decoded
                // layer by layer when a view first reads it: the scanner holds the entries
                // and answers the views of large images, so the page needs few of them
                // (issue 13, target 3). A small one is decoded at once.
                // Copied once, into the allocation a large index's lists then share.
                let decoder = match (indexing, env.bytes) {
                    (true, Some(bytes)) => Decoder::compact_shared(bytes.into_shared()),
                    (_, bytes) => Decoder::new(bytes.map(|b| b.to_vec()).unwrap_or_default()),
                };
                let mut decoder = match decoder {
                    Ok(d) => d,
                    Err(e) => return self.on_failure(generation, e.to_string(), None),
                };
                let mut archive = *archive;
                let mut actions = Vec::new();
                // Before the first slice of the entry lists is scheduled: the view comes first.
                self.hold_until_next_task(generation);
                if indexing {
                    // A large index: a slice per timer tick from now on.
                    self.decoding = Some(decoder);
                    self.summary_waiting = true;
                    self.later(0, generation, Pool::decode_slice);
                    actions.push(PoolEvent::Indexing { generation });
                } else {
                    // A small one: decoded at once (a few ms), shown whole from the start.
                    match decoder.step(usize::MAX) {
                        Ok(_) => wire::graft(&mut archive, &decoder.finish()),
                        Err(e) => return self.on_failure(generation, e.to_string(), None),
                    }
                }
                self.scanned = true;
                // The worker read with the default limits; images resolve again with them.
                let reading = Reading::planned(archive, &Limits::default());
                // The scanner planned these jobs on the walked entries, which cross apart
                // from the archive: a layer the walk indexed is `indexed` there, so its
                // hasher leaves the entries out of its facts (they are here, or coming).
                let walked = |m: usize| {
                    reading
                        .archive_unresolved()
                        .members
                        .get(m)
                        .and_then(|m| m.facts.layer.as_ref())
                        .is_some_and(|l| l.error.is_none())
                };
                let jobs: Vec<HashJob> = reading
                    .jobs()
                    .iter()
                    .map(|j| HashJob {
                        indexed: j.indexed || walked(j.member),
                        ..*j
                    })
                    .collect();
                self.base = reading.bytes_done();
                // A clone shares the layer entries: cheap whatever the index's size. (The
                // scanner resolved it; the page's thread never resolves, see `Resolved`.)
                let shown = Rc::new(reading.archive_unresolved().clone());
                self.shown = Some(shown.clone());
                let total = reading.job_bytes();
                let done = reading.is_done();
                self.reading = Some(reading);
                actions.extend([
                    PoolEvent::Scanned {
                        generation,
                        archive: shown,
                        millis,
                    },
                    PoolEvent::HashStarted {
                        generation,
                        total,
                        now_ms: now(),
                    },
                ]);
                if done {
                    self.hashers.clear();
                    self.settle(generation, &mut actions);
                } else {
                    self.queue = jobs.into();
                }
                actions
            }
            (Response::Outlined { archive, millis }, Role::Scanner) => {
                // Shown only, and only if the walk is not over soon: nothing is planned or
                // hashed until the walk's `Scanned`.
                self.outline = Some(PoolEvent::Outlined {
                    generation,
                    archive,
                    millis,
                });
                let this = self.this.clone();
                let held_since = now();
                gloo::timers::callback::Timeout::new(OUTLINE_AFTER_MS, move || {
                    if let Some(pool) = this.upgrade() {
                        let mut held = pool.borrow_mut().outline.take();
                        let current = held.as_ref().and_then(PoolEvent::generation)
                            == Some(pool.borrow().generation);
                        // Its first view is now, after the hold: the time said counts it.
                        if let Some(PoolEvent::Outlined { millis, .. }) = held.as_mut() {
                            *millis += now() - held_since;
                        }
                        if let (Some(e), true) = (held, current) {
                            Pool::emit_all(&pool, vec![e]);
                        }
                    }
                })
                .forget();
                Vec::new()
            }
            (Response::Summarized { images }, Role::Scanner) => {
                self.summary_waiting = false;
                // Bytes that do not decode, or not for as many images, are the worker's
                // defect: the views fold their figures on demand as without a summary.
                let summaries =
                    wire::decode_summaries(env.bytes.map(|b| b.to_vec()).unwrap_or_default())
                        .map_err(|e| e.to_string())
                        .and_then(|s| match s.len() == images {
                            true => Ok(s),
                            false => Err(format!("{} for {images} images", s.len())),
                        })
                        .unwrap_or_else(|why| {
                            let why = format!("summaries: {why}");
                            web_sys::console::warn_1(&JsValue::from_str(&why));
                            Vec::new()
                        });
                let mut actions = vec![PoolEvent::Summarized {
                    generation,
                    summaries: summaries.into_iter().map(|x| x.map(Rc::new)).collect(),
                }];
                self.settle_if_waiting(generation, &mut actions);
                actions
            }
            (Response::LayersRead { layers, count }, Role::Scanner) => {
                vec![PoolEvent::LayersRead {
                    generation,
                    layers,
                    count,
                }]
            }
            (Response::ScanProgress { bytes, reached }, Role::Scanner) => {
                vec![PoolEvent::Progress {
                    generation,
                    done: bytes,
                    now_ms: now(),
                    reached,
                }]
            }
            (Response::Progress { member, bytes }, Role::Hasher(i)) => {
                if let Some(Some(h)) = self.hashers.get_mut(i) {
                    if let Some((job, done)) = h.jobs.iter_mut().find(|(j, _)| j.member == member) {
                        *done = bytes.min(job.len);
                    }
                }
                let t = now();
                if t - self.last_progress >= PROGRESS_EVERY_MS {
                    self.last_progress = t;
                    vec![PoolEvent::Progress {
                        generation,
                        done: self.bytes_done(),
                        now_ms: t,
                        reached: false,
                    }]
                } else {
                    Vec::new()
                }
            }
            (Response::Resolved { applied, change }, Role::Scanner) => {
                self.on_resolved_part(generation, applied, *change)
            }
            (Response::Facts { member, facts, .. }, Role::Hasher(i)) => {
                // The scanner serves content reads, so it needs every layer index too: the
                // hasher's message goes on as it came (`Request::Facts` reads the same JSON).
                if let Some(s) = self.scanner.as_mut() {
                    s.send(data.clone());
                }
                match env.bytes {
                    // Copied, not released (`into_shared`): the message may wait in the
                    // scanner's backlog, its bytes with it.
                    Some(bytes) => {
                        self.on_facts_apart(generation, i, member, *facts, bytes.to_shared())
                    }
                    None => self.on_facts(generation, i, member, *facts),
                }
            }
            (
                Response::Content {
                    member,
                    path,
                    error,
                },
                _,
            ) => {
                self.read_answered(generation);
                vec![content_event(generation, member, path, env.bytes, error)]
            }
            (Response::Searched { id, answer }, Role::Scanner) => {
                self.on_searched(generation, id, Reply::Search(answer));
                Vec::new()
            }
            (Response::Rows { id, found }, Role::Scanner) => {
                self.on_rows(generation, id, found, env.bytes);
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// Job bytes hashed: settled jobs (from the reading) plus those in flight.
    fn bytes_done(&self) -> u64 {
        let running: u64 = self
            .hashers
            .iter()
            .flatten()
            .flat_map(|h| h.jobs.iter().map(|(_, d)| *d))
            .chain(self.facts_decoding.iter().map(|f| f.bytes))
            .sum();
        let settled = self
            .reading
            .as_ref()
            .map_or(0, |r| r.bytes_done().saturating_sub(self.base));
        settled.saturating_add(running)
    }

    /// Starts hashers until `want` run, at most one per core (`crate::hashing::hashers`:
    /// `navigator.hardwareConcurrency`, at most [`MAX_HASHERS`]). For a big file the first
    /// starts once the scanner runs, so its wasm is loaded while the structure is read (the
    /// walk feeds it); the others once the plan has jobs they can take
    /// ([`Pool::hashers_wanted`]). Which blobs the walk feeds is known only when it ends (a
    /// layer of small files is read through and fed, one of large files is sought over and
    /// not), and a hasher started for a blob that was then fed idled until the plan stopped
    /// it: a worker's isolate and code (bench/web.js: 6 MiB of the renderer's peak for the
    /// one-layer 200,000-file image; the same times either way). The first job starts once
    /// the first view is painted ([`Pool::start_after_paint`]); a hasher the plan has no job
    /// for is stopped then.
    fn spawn_hashers(&mut self, actions: &mut Vec<PoolEvent>, want: usize) {
        let threads = crate::hashing::hashers().min(want);
        for i in self.hashers.len()..threads {
            match self.spawn(Role::Hasher(i)) {
                Ok(mut handle) => {
                    if let Some(port) = self.feed_port.take().filter(|_| i == 0) {
                        match encode(&Request::Feed, self.file.as_ref(), None) {
                            Ok(m) => {
                                let _ = js_sys::Reflect::set(&m, &JsValue::from_str("port"), &port);
                                handle.send(m);
                            }
                            // The scanner would wait for digests nobody computes
                            // (`feed::HandOn`): the reading fails, saying why.
                            Err(message) => {
                                actions.push(PoolEvent::Failed {
                                    generation: self.generation,
                                    message,
                                    why: None,
                                });
                                return;
                            }
                        }
                    }
                    self.hashers.push(Some(Hasher {
                        handle,
                        jobs: Vec::new(),
                    }))
                }
                Err(message) => {
                    // The pieces the scanner feeds would wait for a hasher that never comes.
                    self.feed_port = None;
                    actions.push(PoolEvent::Failed {
                        generation: self.generation,
                        message,
                        why: None,
                    });
                    return;
                }
            }
        }
    }

    /// The first view comes in three tasks of the page's thread, each short even on a
    /// machine of two busy cores: this message's decoding; then (a timer, via the events
    /// held until it fires) the state and the views it changes; then the browser's layout
    /// and paint. Only after that paint do the hashers and the scanner's fold of the entries
    /// start ([`Pool::start_after_paint`]): on two cores they would take both while the page
    /// draws (a layout of 12 ms CPU measured 110 ms of wall time with them running, and the
    /// whole hand-over at 110–160 ms, issue #13 target 3).
    fn hold_until_next_task(&mut self, generation: u32) {
        self.held.get_or_insert_with(Vec::new);
        let this = self.this.clone();
        gloo::timers::callback::Timeout::new(0, move || {
            if let Some(pool) = this.upgrade() {
                let actions = pool.borrow_mut().held.take().unwrap_or_default();
                Pool::emit_all(&pool, actions);
                pool.borrow().start_after_paint(generation);
            }
        })
        .forget();
    }

    /// After the next frame is painted (a timer started from an animation frame runs after
    /// that frame's layout and paint), or after [`HASH_START_LATEST_MS`] in a hidden tab,
    /// where no frame comes: asks the scanner for the first view's figures when an
    /// `indexing` scan waits for them, and gives the hashers their jobs
    /// ([`Pool::start_hashing`]).
    fn start_after_paint(&self, generation: u32) {
        let start = {
            let this = self.this.clone();
            let started = Rc::new(std::cell::Cell::new(false));
            move || {
                if started.replace(true) {
                    return;
                }
                if let Some(pool) = this.upgrade() {
                    let mut actions = Vec::new();
                    {
                        let mut p = pool.borrow_mut();
                        p.ask_summary(generation);
                        p.start_hashing(generation, &mut actions);
                    }
                    Pool::emit_all(&pool, actions);
                }
            }
        };
        let after_frame = {
            let start = start.clone();
            Closure::once_into_js(move || {
                gloo::timers::callback::Timeout::new(0, start).forget();
            })
        };
        let framed = web_sys::window().is_some_and(|w| {
            w.request_animation_frame(after_frame.unchecked_ref())
                .is_ok()
        });
        let latest = if framed { HASH_START_LATEST_MS } else { 0 };
        gloo::timers::callback::Timeout::new(latest, start).forget();
    }

    /// Sends [`Request::Summarize`] when the current file's `indexing` scan waits for its
    /// figures.
    fn ask_summary(&mut self, generation: u32) {
        if generation != self.generation || !self.summary_waiting {
            return;
        }
        let file = self.file.clone();
        if let (Some(h), Ok(m)) = (
            self.scanner.as_mut(),
            encode(&Request::Summarize, file.as_ref(), None),
        ) {
            h.send(m);
        }
    }

    /// Gives each hasher a job from the queue (the scan's plan), unless the file was replaced
    /// or the reading cancelled meanwhile (the queue is then empty).
    fn start_hashing(&mut self, generation: u32, actions: &mut Vec<PoolEvent>) {
        // The reading plans the largest blobs first, so the pool finishes together.
        if generation != self.generation || self.queue.is_empty() {
            return;
        }
        let want = self.hashers_wanted();
        if self.hashers.len() < want {
            self.spawn_hashers(actions, want);
        }
        self.lanes_each = self.lanes_each();
        // One job per hasher per round, so the largest blobs spread over the hashers. A
        // hasher without a job after the first round is stopped by `assign_upto`.
        for round in 1..=self.lanes_each {
            for i in 0..self.hashers.len() {
                self.assign_upto(i, round);
            }
        }
        // The rate counts from now, not from the first view (a frame earlier, or up to a
        // second in a hidden tab); nothing was hashed in between.
        if let Some(r) = self.reading.as_ref() {
            actions.push(PoolEvent::HashStarted {
                generation,
                total: r.job_bytes(),
                now_ms: now(),
            });
        }
    }

    /// Hashers the plan has work for at once: the first takes the blobs it was fed, each
    /// other one a blob it was not ([`Pool::assign`]).
    fn hashers_wanted(&self) -> usize {
        let fed = self
            .queue
            .iter()
            .filter(|j| self.fed.contains(&(j.offset, j.len)))
            .count();
        usize::from(fed > 0) + (self.queue.len() - fed)
    }

    /// How many jobs a hasher holds at once ([`crate::job_deal::lanes_each`]).
    fn lanes_each(&self) -> usize {
        crate::job_deal::lanes_each(&self.queue, &self.fed, self.hashers.len())
    }

    /// Gives hasher `i` jobs until it holds `upto` ([`crate::job_deal::take`] says which),
    /// or stops it when it has none and none is left for it.
    fn assign(&mut self, i: usize) {
        self.assign_upto(i, self.lanes_each);
    }

    fn assign_upto(&mut self, i: usize, upto: usize) {
        // A job is taken off the queue only for a hasher that is there to do it.
        let Some(Some(h)) = self.hashers.get(i) else {
            return;
        };
        let held: Vec<HashJob> = h.jobs.iter().map(|(j, _)| *j).collect();
        let taken = crate::job_deal::take(&mut self.queue, &self.fed, i, &held, upto);
        let file = self.file.clone();
        let Some(slot) = self.hashers.get_mut(i) else {
            return;
        };
        let Some(h) = slot.as_mut() else {
            return;
        };
        for (job, fed) in taken {
            if let Ok(m) = encode(&Request::Hash { job, fed }, file.as_ref(), None) {
                h.handle.send(m);
            }
            h.jobs.push((job, 0));
        }
        if h.jobs.is_empty() {
            *slot = None;
        }
    }

    /// A hasher's facts: applied to the reading (no resolve here: the scanner resolves and
    /// answers with [`Response::Resolved`]); the hasher gets the next job.
    fn on_facts(
        &mut self,
        generation: u32,
        i: usize,
        member: usize,
        facts: pancake_core::MemberFacts,
    ) -> Vec<PoolEvent> {
        if let Some(Some(h)) = self.hashers.get_mut(i) {
            h.jobs.retain(|(j, _)| j.member != member);
        }
        let document = facts.json.is_some();
        if let Some(r) = self.reading.as_mut() {
            r.apply(member, facts);
        }
        if document {
            self.later(0, generation, Pool::walk_documents);
        }
        self.assign(i);
        if self.reading.as_ref().is_some_and(|r| r.is_done()) {
            self.hashers.clear();
        }
        Vec::new()
    }

    /// The platform list's walk of the documents (`state::platform_list`), done here in a
    /// task of its own after a JSON document arrived, not in the render that first shows
    /// it: for the 3 MB manifest of 20,002 layers, ~40 ms that joined the render's own.
    fn walk_documents(&mut self, generation: u32) -> Vec<PoolEvent> {
        if generation == self.generation {
            if let Some(r) = self.reading.as_ref() {
                crate::state::platform_list::walk_documents(r.archive_unresolved());
            }
        }
        Vec::new()
    }

    /// A hasher's facts whose layer entries came apart, in `bytes` (`wire::split_facts`):
    /// the hasher gets its next job now; the facts are applied once the entries are decoded,
    /// a slice per task ([`Pool::facts_slice`]), so a layer of 200,000 files never holds the
    /// page's thread for long.
    fn on_facts_apart(
        &mut self,
        generation: u32,
        i: usize,
        member: usize,
        facts: pancake_core::MemberFacts,
        bytes: std::sync::Arc<[u8]>,
    ) -> Vec<PoolEvent> {
        let mut job_bytes = 0;
        if let Some(Some(h)) = self.hashers.get_mut(i) {
            if let Some(at) = h.jobs.iter().position(|(j, _)| j.member == member) {
                job_bytes = h.jobs.remove(at).0.len;
            }
        }
        // Checked a slice at a time and kept in the compact form, as the scan's large index.
        let decoder = match Decoder::compact_shared(bytes) {
            Ok(d) => d,
            Err(e) => return self.on_failure(generation, format!("member {member}: {e}"), None),
        };
        self.facts_decoding.push_back(FactsComing {
            member,
            facts,
            bytes: job_bytes,
            decoder,
        });
        if self.facts_decoding.len() == 1 {
            self.later(0, generation, Pool::facts_slice);
        }
        self.assign(i);
        Vec::new()
    }

    /// Runs `step` for `generation` on a timer `wait_ms` from now (0: the next task, after
    /// the page's thread has handled what waits: input, paint) and hands on its events. The
    /// timer is forgotten, not kept: it may fire after a new file replaced this one, and each
    /// step ignores other generations.
    fn later(&self, wait_ms: u32, generation: u32, step: fn(&mut Pool, u32) -> Vec<PoolEvent>) {
        let this = self.this.clone();
        gloo::timers::callback::Timeout::new(wait_ms, move || {
            if let Some(pool) = this.upgrade() {
                let actions = step(&mut pool.borrow_mut(), generation);
                Pool::emit_all(&pool, actions);
            }
        })
        .forget();
    }

    /// Decodes the oldest waiting facts' entries for at most [`DECODE_SLICE_MS`]; once they
    /// are in, applies the facts to the reading, and hands them on if the scanner's
    /// resolution of them came first (it waited for these facts).
    fn facts_slice(&mut self, generation: u32) -> Vec<PoolEvent> {
        if generation != self.generation {
            return Vec::new();
        }
        let Some(f) = self.facts_decoding.front_mut() else {
            return Vec::new();
        };
        let finished = match for_a_slice(|n| f.decoder.step(n)) {
            Ok(finished) => finished,
            Err(e) => {
                let message = format!("member {}: {e}", f.member);
                self.facts_decoding.clear();
                return self.on_failure(generation, message, None);
            }
        };
        let mut actions = Vec::new();
        if finished {
            if let Some(FactsComing {
                member,
                mut facts,
                decoder,
                ..
            }) = self.facts_decoding.pop_front()
            {
                wire::graft_facts(member, &mut facts, &decoder.finish());
                if let Some(r) = self.reading.as_mut() {
                    r.apply(member, facts);
                }
                self.unflushed = true;
                // Before the archive with these entries is handed on: views then wait for
                // the scanner's figures instead of folding them here.
                if !self.summary_after_facts
                    && self.entries_here() >= crate::protocol::SUMMARIZE_FROM
                {
                    self.summary_after_facts = true;
                    self.summary_waiting = true;
                    actions.push(PoolEvent::Summarizing { generation });
                }
            }
        }
        if !self.facts_decoding.is_empty() {
            self.later(0, generation, Pool::facts_slice);
        }
        // Handed on once per fact, as the others are: by the scanner's resolution of it when
        // that is still to come, else now (it came while the entries were decoded here).
        let resolved = self
            .reading
            .as_ref()
            .is_some_and(|r| self.resolved >= r.applied());
        if finished && resolved {
            actions.extend(self.after_facts(generation));
        }
        actions
    }

    /// Entries in every layer index the page holds: those the reading's facts carry and
    /// those that crossed with the scan (`index`).
    fn entries_here(&self) -> usize {
        let in_facts = self
            .reading
            .as_ref()
            .map_or(0, |r| r.archive_unresolved().entry_count());
        in_facts + self.index.iter().map(|(_, e)| e.len()).sum::<usize>()
    }

    /// One part of a resolution's change: kept until the last, then joined and adopted. A
    /// part out of turn (one lost, e.g. a message that failed to decode) drops the parts held
    /// and asks for a whole resolution instead.
    fn on_resolved_part(
        &mut self,
        generation: u32,
        applied: usize,
        part: ResolutionChange,
    ) -> Vec<PoolEvent> {
        let (k, total) = part.part;
        if k == 0 {
            self.resolution_parts.clear();
        }
        if k != self.resolution_parts.len() {
            self.resolution_parts.clear();
            self.ask_whole_resolution("a part out of turn");
            return Vec::new();
        }
        self.resolution_parts.push(part);
        if k + 1 < total {
            // Decoded in this task; applied with the last part, in its own.
            return Vec::new();
        }
        match ResolutionChange::join(std::mem::take(&mut self.resolution_parts)) {
            Ok(change) => self.on_resolved(generation, applied, change),
            Err(e) => {
                self.ask_whole_resolution(&e.to_string());
                Vec::new()
            }
        }
    }

    /// Asks the scanner for its next resolution whole: the images held cannot take a change
    /// (`why`, logged), and are never mixed with another resolution's.
    fn ask_whole_resolution(&mut self, why: &str) {
        web_sys::console::warn_1(&JsValue::from_str(&format!("resolution: {why}")));
        if let Some(s) = self.scanner.as_mut() {
            if let Ok(msg) = encode(&Request::ResolveWhole, None, None) {
                s.send(msg);
            }
        }
    }

    /// The scanner's images and problems after `applied` jobs' facts: adopted when newer than
    /// what is shown, handed on in batches; the reading is settled when they cover every job.
    fn on_resolved(
        &mut self,
        generation: u32,
        applied: usize,
        change: ResolutionChange,
    ) -> Vec<PoolEvent> {
        let Some(r) = self.reading.as_mut() else {
            return Vec::new();
        };
        if applied < self.resolved {
            return Vec::new();
        }
        // The images held are the scanned archive's (0 jobs) or the last change's.
        if let Err(e) = r.adopt_change(Some(self.resolved), change) {
            self.ask_whole_resolution(&e.to_string());
            return Vec::new();
        }
        self.resolved = applied;
        self.unflushed = true;
        self.after_facts(generation)
    }

    /// The reading changed (facts applied, a resolution adopted): handed on now, or within
    /// [`FLUSH_EVERY_MS`] of the last time; once every job has its facts and the scanner
    /// resolved them all, at once, and every digest is settled.
    fn after_facts(&mut self, generation: u32) -> Vec<PoolEvent> {
        let Some(r) = self.reading.as_ref() else {
            return Vec::new();
        };
        let all_done = r.is_done() && self.resolved >= r.jobs().len();
        let t = now();
        let mut actions = Vec::new();
        if all_done || t - self.last_flush >= FLUSH_EVERY_MS {
            actions.extend(self.flush(generation));
        } else if !self.flush_scheduled {
            self.flush_scheduled = true;
            let wait = (FLUSH_EVERY_MS - (t - self.last_flush)).max(10.0) as u32;
            self.later(wait, generation, Pool::flush);
        }
        if all_done {
            self.hashers.clear();
            if self.summary_after_facts {
                // Every fact is in and resolved by the scanner, which has seen every
                // forwarded fact before this request.
                self.summary_after_facts = false;
                self.summary_waiting = true;
                self.ask_summary(generation);
            }
            self.settle(generation, &mut actions);
        }
        actions
    }

    /// Every digest is settled: said now, or once the entry lists and the figures are all on
    /// the page.
    fn settle(&mut self, generation: u32, actions: &mut Vec<PoolEvent>) {
        self.settle_waiting = true;
        self.settle_if_waiting(generation, actions);
    }

    /// Says `Settled` when it waited and neither the entry lists nor the figures still do.
    fn settle_if_waiting(&mut self, generation: u32, actions: &mut Vec<PoolEvent>) {
        if self.settle_waiting
            && self.decoding.is_none()
            && self.facts_decoding.is_empty()
            && !self.summary_waiting
        {
            self.settle_waiting = false;
            actions.push(PoolEvent::Settled { generation });
            let large = self
                .shown
                .as_ref()
                .is_some_and(|a| a.entry_count() >= crate::protocol::SUMMARIZE_FROM);
            if large && self.scanned && !std::mem::replace(&mut self.handed_over, true) {
                self.later(HAND_OVER_AFTER_MS, generation, Pool::hand_over_later);
            }
        }
    }

    /// Replaces the current scanner by a new one that takes over its reading, once a large
    /// image is settled: walking and indexing it, and folding its first view's figures, left
    /// the scanner's wasm memory at about twice what its index takes, and wasm memory is never
    /// given back (issue 13, target 3). The two workers get the ends of a `MessageChannel`:
    /// the old one posts its reading on it (`Request::HandOver`), the new one adopts it
    /// (`Request::Adopt`) and says so (`Response::Adopted`, [`Pool::on_adopted`]); the page's
    /// thread never parses the reading. Until then the old scanner stays (in
    /// [`Pool::retiring`]) and what the page asks waits in the new one's backlog; if the
    /// new one fails, stops or takes longer than [`ADOPT_WAIT_MS`], the old one is put back
    /// with what waited ([`Pool::cancel_hand_over`]).
    fn hand_over(&mut self, generation: u32) {
        let file = self.file_for(generation);
        let busy = self.retiring.iter().any(|(g, _)| *g == generation);
        if file.is_none() || busy || self.reader_mut(generation).is_none() {
            return;
        }
        // Asked of the old scanner and not answered yet: it must not be stopped before it
        // answers, so the hand-over waits.
        let waiting = self.searches.iter().any(|(_, g, _)| *g == generation)
            || self.reads_out.contains(&generation);
        if waiting {
            self.later(HAND_OVER_AFTER_MS, generation, Pool::hand_over_later);
            return;
        }
        let Some((to_new, to_old)) = message_channel() else {
            return;
        };
        let (Ok(adopt), Ok(ask)) = (
            encode(&Request::Adopt, file.as_ref(), None),
            encode(&Request::HandOver, None, None),
        ) else {
            return;
        };
        let port = JsValue::from_str("port");
        if js_sys::Reflect::set(&adopt, &port, &to_new).is_err()
            || js_sys::Reflect::set(&ask, &port, &to_old).is_err()
        {
            return;
        }
        let Ok(mut next) = self.spawn_for(generation, Role::Scanner) else {
            return;
        };
        next.adopting = true;
        next.first = Some(adopt);
        let Some(reader) = self.reader_mut(generation) else {
            return;
        };
        let mut old = std::mem::replace(reader, next);
        old.send(ask);
        self.retiring.push((generation, old));
        self.later(ADOPT_WAIT_MS, generation, Pool::adopt_overdue);
    }

    /// A content read of `generation` was answered.
    fn read_answered(&mut self, generation: u32) {
        if let Some(at) = self.reads_out.iter().position(|g| *g == generation) {
            self.reads_out.swap_remove(at);
        }
    }

    /// [`Pool::hand_over`] of `generation`'s scanner, if a reader still holds that file (the
    /// current one, or one kept in the session: a file opened right after is no reason to
    /// keep the old high-water).
    fn hand_over_later(&mut self, generation: u32) -> Vec<PoolEvent> {
        self.hand_over(generation);
        Vec::new()
    }

    /// The scanner that reads for `generation`: the current one, or a kept one.
    fn reader_mut(&mut self, generation: u32) -> Option<&mut Handle> {
        if generation == self.generation {
            return self.scanner.as_mut();
        }
        self.kept
            .iter_mut()
            .find(|(g, _, _)| *g == generation)
            .map(|(_, _, h)| h)
    }

    /// The new scanner of `generation` adopted the reading (`ok`): the old one is stopped and
    /// what waited goes to the new one. Otherwise the hand-over is taken back.
    fn on_adopted(&mut self, generation: u32, ok: bool) {
        let Some(at) = self.retiring.iter().position(|(g, _)| *g == generation) else {
            return;
        };
        if !ok {
            return self.cancel_hand_over(generation);
        }
        drop(self.retiring.swap_remove(at));
        if let Some(h) = self.reader_mut(generation) {
            h.adopted();
        }
    }

    /// A hand-over not done in [`ADOPT_WAIT_MS`] (the new worker never started: its wasm
    /// could not be instantiated, say) is taken back.
    fn adopt_overdue(&mut self, generation: u32) -> Vec<PoolEvent> {
        self.cancel_hand_over(generation);
        Vec::new()
    }

    /// Takes back the hand-over of `generation`'s scanner, if one is under way: the old
    /// scanner reads for it again, sent what waited for the new one, in order; the new one
    /// is stopped.
    fn cancel_hand_over(&mut self, generation: u32) {
        let Some(at) = self.retiring.iter().position(|(g, _)| *g == generation) else {
            return;
        };
        let (_, mut old) = self.retiring.swap_remove(at);
        if let Some(next) = self.reader_mut(generation) {
            for m in std::mem::take(&mut next.backlog) {
                old.send(m);
            }
            // The new one is dropped (stopped) here.
            *next = old;
        }
    }

    /// Checks (or decodes) entries for at most [`DECODE_SLICE_MS`]; when all are in, hands on
    /// the archive with them (a `Verified`, then `Indexed`, then a `Settled` that waited).
    fn decode_slice(&mut self, generation: u32) -> Vec<PoolEvent> {
        if generation != self.generation {
            return Vec::new();
        }
        let Some(d) = self.decoding.as_mut() else {
            return Vec::new();
        };
        let finished = match for_a_slice(|n| d.step(n)) {
            Ok(finished) => finished,
            Err(e) => {
                // The lists will not come: say so (`Indexed`, so no view waits for them
                // forever) beside the failure.
                self.decoding = None;
                let mut actions = self.on_failure(generation, e.to_string(), None);
                actions.push(PoolEvent::Indexed { generation });
                return actions;
            }
        };
        if !finished {
            self.later(0, generation, Pool::decode_slice);
            return Vec::new();
        }
        if let Some(d) = self.decoding.take() {
            self.index = d.finish();
        }
        // The archive as last shown, with the lists: not the reading's, whose newest facts
        // wait for the scanner's resolution (a layer would show "not checked" meanwhile).
        let mut actions = Vec::new();
        if let Some(shown) = self.shown.as_deref() {
            let mut archive = shown.clone();
            wire::graft(&mut archive, &self.index);
            // One copy, shared with the reducer (an image of 20,002 layers: ~25 ms each).
            let archive = Rc::new(archive);
            self.shown = Some(archive.clone());
            actions.push(PoolEvent::Verified {
                generation,
                archive,
            });
        }
        actions.push(PoolEvent::Indexed { generation });
        self.settle_if_waiting(generation, &mut actions);
        actions
    }

    /// Hands the archive as the facts so far make it to the reducer: one resolve of the
    /// images, and a clone that shares every layer index.
    fn flush(&mut self, generation: u32) -> Vec<PoolEvent> {
        self.flush_scheduled = false;
        if generation != self.generation || !self.unflushed {
            return Vec::new();
        }
        let Some(r) = self.reading.as_mut() else {
            return Vec::new();
        };
        self.unflushed = false;
        let t = now();
        self.last_flush = t;
        let mut archive = r.archive_unresolved().clone();
        wire::graft(&mut archive, &self.index);
        let archive = Rc::new(archive);
        self.shown = Some(archive.clone());
        vec![
            PoolEvent::Verified {
                generation,
                archive,
            },
            PoolEvent::Progress {
                generation,
                done: self.bytes_done(),
                now_ms: t,
                reached: false,
            },
        ]
    }
}

/// Runs a decoder's `step` ([`DECODE_BATCH`] items at a time) for at most [`DECODE_SLICE_MS`]:
/// `Ok(true)` when it has decoded everything, `Ok(false)` when the slice's time is up first.
fn for_a_slice<E>(mut step: impl FnMut(usize) -> Result<bool, E>) -> Result<bool, E> {
    let started = now();
    loop {
        if step(DECODE_BATCH)? {
            return Ok(true);
        }
        if now() - started >= DECODE_SLICE_MS {
            return Ok(false);
        }
    }
}

/// A scanner's content answer as the page's event: bytes only when there is no error.
fn content_event(
    generation: u32,
    member: usize,
    path: RawPath,
    bytes: Option<JsBytes>,
    error: Option<String>,
) -> PoolEvent {
    let bytes = if error.is_none() {
        Some(bytes.map(|b| b.to_vec()).unwrap_or_default())
    } else {
        None
    };
    PoolEvent::Content {
        generation,
        member,
        path,
        bytes,
        error,
    }
}
