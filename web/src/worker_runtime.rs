//! The worker side: owns the `File`, runs pancake-core over it, answers the page.
//! Everything here is synchronous; a long hash simply occupies this worker.

use std::cell::RefCell;
use std::rc::Rc;

use pancake_core::analyze::glance::{glance, LayerGlance};
use pancake_core::analyze::lookup;
use pancake_core::analyze::path_history::{PathIndex, Pattern};
use pancake_core::analyze::summary::summarize;
use pancake_core::analyze::union::{self, FileRow};
use pancake_core::read::archive::{self, Options};
use pancake_core::read::reading::{Reading, Resolution};
use pancake_core::read::resolution_change::ResolutionChange;
use pancake_core::wire;
use pancake_core::write::container;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::file_source::FileSource;
use crate::protocol::{
    decode_parts, encode, transfer_list, HandedOver, Request, Response, RowPick, SearchAnswer,
    RESOLUTION_PART_ITEMS, SUMMARIZE_FROM,
};

/// Every layer of `image` was indexed by the walk (or has no blob at all): its summary made
/// now holds. A layer compressed in the file is indexed only when hashed, later.
fn indexed(archive: &pancake_core::Archive, image: &pancake_core::Image) -> bool {
    unindexed(archive, image).is_empty()
}

/// The layers of `image` (0-based, ascending) whose blob is in the file but has no index
/// (not read yet, or not readable).
fn unindexed(archive: &pancake_core::Archive, image: &pancake_core::Image) -> Vec<usize> {
    image
        .layers
        .iter()
        .enumerate()
        // A layer whose blob is not in the tarball (missing, non-distributable) is never
        // indexed either: named too.
        .filter(|(_, l)| {
            l.member
                .and_then(|m| archive.members.get(m))
                .is_none_or(|m| m.facts.layer.is_none())
        })
        .map(|(i, _)| i)
        .collect()
}

/// How often (ms) progress is posted while hashing: often enough for a smooth bar,
/// rare enough that messages cost nothing.
const PROGRESS_EVERY_MS: f64 = 80.0;

#[derive(Default)]
struct State {
    source: Option<Rc<FileSource>>,
    /// The scanner's reading: the structure it walked plus the facts the page forwards, so
    /// content reads find every layer's entries.
    reading: Option<Reading>,
    /// Path indexes built for searches, by image, with the layers left out of each (see
    /// [`unindexed`]): built on the first search of an image, dropped when facts change the
    /// reading (a layer indexed by hashing adds paths).
    paths: Vec<(usize, Rc<PathIndex>, Vec<usize>)>,
    /// Additions-only indexes (`PathIndex::build_added`) for the merged view's badges, by
    /// image: those of an image past [`WHOLE_INDEX_ENTRIES`], whose whole index is not kept
    /// (see [`rows`]). Dropped with `paths`.
    added: Vec<(usize, Rc<PathIndex>)>,
    /// A resolution is to be posted on the next task (see [`Request::Facts`]).
    resolve_scheduled: bool,
    /// The last resolution the page was sent, with its `applied` count: the scanned
    /// archive's (in `Scanned`), then each posted. `None`: the next goes whole.
    sent: Option<(usize, Resolution)>,
}

impl State {
    /// Drops the path indexes kept (`paths`, `added`): facts changed the reading, or it was
    /// replaced.
    fn forget_indexes(&mut self) {
        self.paths.clear();
        self.added.clear();
    }
}

/// The most layer entries (`PathIndex::entries_to_fold`, a layer listed twice counted twice)
/// an image may have for this worker to keep every path's story for its searches: at about
/// 40 bytes an event in wasm32, up to ~80 MiB. Past it (a save listing one 200,000-file layer
/// 100 times holds 20 million: 260 MiB at 25 copies), each search folds again and keeps only
/// its matches, and the merged view's badges take the additions alone.
const WHOLE_INDEX_ENTRIES: usize = 2_000_000;

thread_local! {
    /// This worker's state, for the task that posts a deferred resolution.
    static STATE: RefCell<std::rc::Weak<RefCell<State>>> = const { RefCell::new(std::rc::Weak::new()) };
}

/// The answer to a search of image `image` (see `Request::Search`). Searching runs here, not
/// on the page: building the index of a 200,000-file image folds every entry (about as long
/// as the summary, half a second) and one query scans 200,000 paths, each of which would be
/// a main-thread task far over the 100 ms a page may block; here the page only receives at
/// most `limit` histories. With `settled` (no more facts will come, see `Request::Search`)
/// or once every job is done, layers without an index are left out and named.
fn search(
    state: &mut State,
    image: usize,
    query: &str,
    limit: usize,
    settled: bool,
) -> SearchAnswer {
    let pattern = match Pattern::parse(query) {
        Ok(p) => p,
        Err(e) => return SearchAnswer::Invalid(e.0),
    };
    let cached = state
        .paths
        .iter()
        .find(|(i, _, _)| *i == image)
        .map(|(_, ix, missing)| (ix.clone(), missing.clone()));
    let (index, missing) = match cached {
        Some(ix) => ix,
        None => {
            let Some(reading) = state.reading.as_mut() else {
                return SearchAnswer::NotIndexed;
            };
            // Once every job is settled (or the page says no more facts will come: hashing
            // cancelled or failed), a layer still without an index never gets one: the
            // search covers the others and names them, as the CLI's does.
            let settled = settled || reading.is_done();
            let archive = reading.archive();
            let Some(img) = archive.images.get(image) else {
                return SearchAnswer::Unavailable;
            };
            if !settled && !indexed(archive, img) {
                return SearchAnswer::NotIndexed;
            }
            let missing = unindexed(archive, img);
            if PathIndex::entries_to_fold(archive, img) > WHOLE_INDEX_ENTRIES {
                // Too many layer entries to keep every path's story: this query's paths
                // only, folded again for the next one (bounded memory, slower answers).
                let ix = PathIndex::build_matching(archive, img, &pattern);
                return SearchAnswer::Found(ix.find(&pattern, limit), missing);
            }
            let ix = Rc::new(PathIndex::build(archive, img));
            state.paths.push((image, ix.clone(), missing.clone()));
            (ix, missing)
        }
    };
    SearchAnswer::Found(index.find(&pattern, limit), missing)
}

/// The rows `pick` chooses of a view of image `image`, in `pancake_core::wire`'s rows form
/// (see `Request::Rows`), `None` when the reading has no such image or layer. All the rows of
/// a merged view carry the layer that last added each path at or below the row's layer, from
/// an index of the image's paths: its whole `PathIndex` when one is kept (the search's, or
/// built here and kept when every layer is indexed), else, past [`WHOLE_INDEX_ENTRIES`], an
/// index of its additions alone, built on the first merged view asked for and kept in
/// `State::added` (until facts change the reading) for every layer picked after.
fn rows(
    state: &mut State,
    image: usize,
    layer: usize,
    merged: bool,
    pick: &RowPick,
) -> Option<Vec<u8>> {
    rows_within(state, image, layer, merged, pick, WHOLE_INDEX_ENTRIES)
}

/// [`rows`], with `whole` for [`WHOLE_INDEX_ENTRIES`] (the tests' small images cross it).
fn rows_within(
    state: &mut State,
    image: usize,
    layer: usize,
    merged: bool,
    pick: &RowPick,
    whole: usize,
) -> Option<Vec<u8>> {
    let cached = state
        .paths
        .iter()
        .find(|(i, _, _)| *i == image)
        .map(|(_, ix, _)| ix.clone())
        .or_else(|| {
            state
                .added
                .iter()
                .find(|(i, _)| *i == image)
                .map(|(_, ix)| ix.clone())
        });
    let reading = state.reading.as_mut()?;
    let archive = reading.archive();
    let img = archive
        .images
        .get(image)
        .filter(|i| layer < i.layers.len())?;
    if *pick == RowPick::Lower {
        // Only the top layer's merged view is what a container sits on.
        if !merged || layer + 1 != img.layers.len() {
            return None;
        }
        return Some(wire::encode_lower(&container::files_of(archive, img)));
    }
    let rows = if merged {
        union::merged(archive, img, layer)
    } else {
        union::layer_changes(archive, img, layer).rows
    };
    match pick {
        RowPick::All if merged => {}
        RowPick::All => return Some(wire::encode_rows(&rows, None)),
        RowPick::Path(path) => {
            let row = rows
                .binary_search_by(|r| r.path.cmp(path))
                .ok()
                .and_then(|i| rows.get(i));
            return Some(wire::encode_rows(
                row.map(std::slice::from_ref).unwrap_or(&[]),
                None,
            ));
        }
        RowPick::Resolve(path) => {
            let read: Vec<FileRow> = lookup::rows_read(&rows, path, true)
                .into_iter()
                .filter_map(|i| rows.get(i).cloned())
                .collect();
            return Some(wire::encode_rows(&read, None));
        }
        RowPick::Lower => return None,
        RowPick::Largest(n) => {
            let largest: Vec<FileRow> = crate::views::tree::model::largest(&rows, *n)
                .into_iter()
                .filter_map(|i| rows.get(i).cloned())
                .collect();
            return Some(wire::encode_rows(&largest, None));
        }
    }
    let index = match cached {
        Some(ix) => ix,
        // Too many layer entries to keep every path's story: the additions alone, which is
        // all the badge reads, kept for the next layer picked (a full fold of every entry
        // each time otherwise) but not for searches.
        None if PathIndex::entries_to_fold(archive, img) > whole => {
            let ix = Rc::new(PathIndex::build_added(archive, img));
            state.added.push((image, ix.clone()));
            ix
        }
        None => {
            let ix = Rc::new(PathIndex::build(archive, img));
            if indexed(archive, img) {
                state.paths.push((image, ix.clone(), Vec::new()));
            }
            ix
        }
    };
    let added: Vec<Option<usize>> = rows
        .iter()
        .map(|r| index.get(&r.path)?.added_at_or_below(r.layer))
        .collect();
    Some(wire::encode_rows(&rows, Some(&added)))
}

/// Installs the message handler, then tells the page it is ready.
pub fn run() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let state = Rc::new(RefCell::new(State::default()));
    STATE.with(|s| *s.borrow_mut() = Rc::downgrade(&state));
    let post_scope = scope.clone();
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let data = event.data();
        // A scan suspended on a read (`jspi`) owns the file and the state until it is over.
        if crate::jspi::hold(&data) {
            return;
        }
        let mut state = state.borrow_mut();
        handle(&post_scope, &mut state, &data);
    });
    scope.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    post(&scope, &Response::Ready, None);
}

/// The scan stashed by `Request::Scan` where reads suspend ([`crate::jspi`]), run on the
/// stack `worker_loader.js` gave it; then the messages held back meanwhile.
pub fn run_scan() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    crate::jspi::run_pending(&|data| {
        if let Some(state) = STATE.with(|s| s.borrow().upgrade()) {
            handle(&scope, &mut state.borrow_mut(), &data);
        }
    });
}

/// Posts `msg` to the page, `bytes` transferred ([`transfer_list`]).
fn post(scope: &DedicatedWorkerGlobalScope, msg: &Response, bytes: Option<&[u8]>) {
    match encode(msg, None, bytes) {
        Ok(v) => {
            if let Err(e) = scope.post_message_with_transfer(&v, &transfer_list(&v)) {
                web_sys::console::error_1(&e);
            }
        }
        Err(e) => web_sys::console::error_1(&JsValue::from_str(&e)),
    }
}

/// Posts the reading's resolution ([`Response::Resolved`], as what it changes of the last
/// one sent) unless the last one sent already covered as many facts.
fn post_resolution(scope: &DedicatedWorkerGlobalScope, state: &mut State) {
    state.resolve_scheduled = false;
    let Some(r) = state.reading.as_mut() else {
        return;
    };
    let applied = r.applied();
    if state.sent.as_ref().is_some_and(|(n, _)| *n == applied) {
        return;
    }
    let now = r.resolution();
    let change = ResolutionChange::between(state.sent.as_ref().map(|(n, s)| (*n, s)), &now);
    state.sent = Some((applied, now));
    for part in change.split(RESOLUTION_PART_ITEMS) {
        let msg = Response::Resolved {
            applied,
            change: Box::new(part),
        };
        post(scope, &msg, None);
    }
}

fn now() -> f64 {
    js_sys::Date::now()
}

/// How often (ms) at most the layers read so far are posted while a compressed file is read:
/// a save of many small layers crosses in a few messages, and a layer read just after a post
/// still shows within this time (the progress callback, called all along, sends it).
const GLANCES_EVERY_MS: f64 = 150.0;

/// The layers of a compressed file read but not posted yet, and when the last were posted.
#[derive(Default)]
struct Glances {
    /// The last ones read and not posted (at most what the page lists).
    waiting: Vec<LayerGlance>,
    /// Layer blobs read in all.
    count: usize,
    last_post: Option<f64>,
}

impl Glances {
    /// Posts the waiting layers if there are any and `GLANCES_EVERY_MS` has passed (or
    /// `now`: the reading ended, and a file that ends before its manifest keeps the list).
    fn flush(&mut self, scope: &DedicatedWorkerGlobalScope, now_anyway: bool) {
        // Called on every progress report: nothing to do most of the time.
        if self.waiting.is_empty() {
            return;
        }
        let t = now();
        let due = now_anyway || self.last_post.is_none_or(|l| t - l >= GLANCES_EVERY_MS);
        if due {
            self.last_post = Some(t);
            let layers = std::mem::take(&mut self.waiting);
            let count = self.count;
            post(scope, &Response::LayersRead { layers, count }, None);
        }
    }
}

/// Starts the reading (`Reading::start_watched`). A file compressed as a whole is read
/// completely here, the only long part of its reading, so its progress is posted as it goes,
/// and each layer blob at a glance as soon as it is read ([`Response::LayersRead`]); an
/// uncompressed file's walk posts how far through the file it has got. Also returns how
/// many layer blobs were so posted.
fn scan(
    scope: &DedicatedWorkerGlobalScope,
    name: &str,
    source: &FileSource,
    hand_on: Option<&mut crate::feed::HandOn>,
) -> (Result<Reading, pancake_core::Error>, usize) {
    let glances = RefCell::new(Glances::default());
    let mut last = 0.0;
    let mut report = |p: &archive::Progress| {
        let t = now();
        // The last figure (the whole file) always goes: the bar ends where the reading does.
        if t - last >= PROGRESS_EVERY_MS || p.bytes_done >= p.bytes_total {
            last = t;
            post(
                scope,
                &Response::ScanProgress {
                    bytes: p.bytes_done,
                    reached: p.reached,
                },
                None,
            );
        }
        glances.borrow_mut().flush(scope, false);
    };
    let mut watch = |so_far: &pancake_core::Archive| {
        let newest = so_far.members.len().saturating_sub(1);
        if let Some(g) = glance(so_far, newest) {
            let mut glances = glances.borrow_mut();
            glances.count += 1;
            glances.waiting.push(g);
            // Only the last ones are listed: a save of thousands of small layers sends no more.
            crate::state::reading::keep_listed(&mut glances.waiting);
            glances.flush(scope, false);
        }
    };
    let offload = hand_on.map(|h| h as &mut dyn pancake_core::read::offload::Offload);
    let reading = Reading::start_watched(
        name,
        source,
        &Options::default(),
        &mut report,
        &mut watch,
        offload,
    );
    let mut glances = glances.borrow_mut();
    glances.flush(scope, true);
    (reading, glances.count)
}

/// Layer tars the walk reads from this many bytes on are walked after an outline is shown:
/// the walk reads every header, and in a layer of small files the headers lie between them,
/// so it reads nearly all the layer's bytes (a 264 MB layer of 200,000 files: ~2 s in a
/// worker; the 1 GiB benchmark save: ~1.4 s). Below this the walk is quick enough that an
/// outline would only flash.
const OUTLINE_FROM: u64 = 64 << 20;

/// Posts [`Response::Outlined`] — the images, their layers and instructions, before any
/// layer tar is walked — when an uncompressed file's layer tars are large enough for their
/// walk to keep the first view waiting (see [`OUTLINE_FROM`]). The outer walk it repeats is
/// a few reads (one per member). Nothing is posted for a file compressed as a whole, one
/// with no image, or one the outline cannot read (the walk that follows says why).
fn post_outline(
    scope: &DedicatedWorkerGlobalScope,
    name: &str,
    source: &FileSource,
    started: f64,
) -> Option<Vec<(u64, u64)>> {
    let Ok(Some(outline)) = archive::scan_outline(name, source, &Options::default()) else {
        return None;
    };
    if outline.unwalked < OUTLINE_FROM || outline.archive.images.is_empty() {
        return None;
    }
    let msg = Response::Outlined {
        archive: Box::new(outline.archive),
        millis: now() - started,
    };
    post(scope, &msg, None);
    // The large layer tars the walk reads next: a hasher may be fed them as they are read
    // (`feed`).
    Some(outline.tars)
}

/// A file read to its end (or its break) in which no image was found: the layer blobs it
/// held, at a glance, as a file compressed as a whole already posted them while it was read —
/// so what could be read is shown, not only why no image could be.
fn post_layers_read(scope: &DedicatedWorkerGlobalScope, archive: &pancake_core::Archive) {
    // A glance walks its layer's entries: only the last ones the page lists are looked at.
    let blobs: Vec<usize> = (0..archive.members.len())
        .filter(|&i| {
            archive
                .members
                .get(i)
                .is_some_and(|m| m.facts.layer.is_some())
        })
        .collect();
    let count = blobs.len();
    let from = blobs
        .get(count.saturating_sub(crate::state::reading::LAYERS_LISTED))
        .copied();
    if let Some(from) = from {
        let layers = pancake_core::analyze::glance::layers_from(archive, from);
        post(scope, &Response::LayersRead { layers, count }, None);
    }
}

/// Answers a scan with the archive it read (`Response::Scanned`, the entries apart in the
/// compact form) and keeps the reading for the facts and questions to come.
fn post_scanned(
    scope: &DedicatedWorkerGlobalScope,
    state: &mut State,
    mut r: Reading,
    glanced: usize,
    fed: Vec<(u64, u64)>,
    started: f64,
) {
    let archive = r.archive();
    // No image: the layers read so far stay shown, so they are listed (again, for blobs
    // whose digests were still to come when they were first listed).
    let handed_on = !pancake_core::read::offload::handed_on(archive).is_empty();
    if archive.images.is_empty() && (glanced == 0 || handed_on) {
        post_layers_read(scope, archive);
    }
    let indexing = archive.entry_count() >= SUMMARIZE_FROM;
    // The entries cross as compact bytes, not JSON.
    let (stripped, wire) = pancake_core::wire::split(archive);
    let msg = Response::Scanned {
        archive: Box::new(stripped),
        millis: now() - started,
        indexing,
        fed,
    };
    post(scope, &msg, Some(&wire));
    // The page holds this resolution now: the next is sent as a change of it.
    state.sent = Some((r.applied(), r.resolution()));
    // For a large index the first view's figures are folded here too (the
    // page folds nothing), once the page has drawn that view and asks
    // (`Request::Summarize`).
    state.reading = Some(r);
    state.forget_indexes();
}

/// Posts this scanner's reading on `port` to the scanner that adopts it (`Request::HandOver`):
/// the resolved archive without its entry lists, the lists' bytes transferred beside it.
fn hand_over(state: &mut State, port: &JsValue) {
    let (msg, lists) = match state.reading.as_mut() {
        Some(r) => {
            let (stripped, lists) = wire::split(r.archive());
            let archive = Some(Box::new(stripped));
            (HandedOver { archive }, Some(lists))
        }
        None => (HandedOver { archive: None }, None),
    };
    let envelope = match encode(&msg, None, lists.as_deref()) {
        Ok(e) => e,
        Err(e) => return web_sys::console::error_1(&JsValue::from_str(&e)),
    };
    crate::feed::post(port, &envelope, &transfer_list(&envelope));
}

/// Waits on `port` for the reading the old scanner hands over ([`hand_over`]), adopts it and
/// tells the page (`Response::Adopted`). Only the first message counts.
fn await_reading(scope: &DedicatedWorkerGlobalScope, port: &JsValue) {
    let scope = scope.clone();
    let listening = port.clone();
    let on_message = Closure::once(move |e: MessageEvent| {
        let _ = js_sys::Reflect::set(&listening, &JsValue::from_str("onmessage"), &JsValue::NULL);
        let ok = match (
            decode_parts::<HandedOver>(&e.data()),
            STATE.with(|s| s.borrow().upgrade()),
        ) {
            (Ok((HandedOver { archive: Some(a) }, _, bytes)), Some(state)) => {
                match adopt(&mut state.borrow_mut(), *a, bytes.as_ref()) {
                    Ok(()) => true,
                    Err(e) => {
                        let what = format!("the reading handed over: {e}");
                        web_sys::console::error_1(&JsValue::from_str(&what));
                        false
                    }
                }
            }
            _ => false,
        };
        post(&scope, &Response::Adopted { ok }, None);
    });
    // Setting `onmessage` starts the port: a reading posted before now waited for it.
    let _ = js_sys::Reflect::set(port, &JsValue::from_str("onmessage"), on_message.as_ref());
    on_message.forget();
}

/// Takes over the reading `archive` from the scanner that posted it (`Request::Adopt`), its
/// entry lists from `bytes` ([`adopt_shared`]). The bytes are copied once, from JS into the
/// allocation the lists share, and their buffer, transferred to this worker and held by
/// nothing else, is released at once (`JsBytes::into_shared`): the hand-over is a moment
/// when two scanners live at once.
fn adopt(
    state: &mut State,
    archive: pancake_core::Archive,
    bytes: Option<&js_sys::Uint8Array>,
) -> Result<(), wire::WireError> {
    let shared = bytes.map(|b| crate::protocol::JsBytes::from(b.clone()).into_shared());
    adopt_shared(state, archive, shared)
}

/// Makes `archive` (stripped by `wire::split`) this worker's reading, its entry lists from
/// `lists` (that split's bytes) checked and kept in their compact form: this worker's wasm
/// memory then holds about the bytes (6.3 MB for 200,000 files, against the ~53 MiB the walk
/// and the fold had left the scanner that handed it over with), and a list is decoded when a
/// request first reads it. No facts come after a hand-over, so nothing is planned; the next
/// resolution asked goes whole. Errors: the bytes' ([`wire::WireError`]); the state is then
/// left as it was.
fn adopt_shared(
    state: &mut State,
    mut archive: pancake_core::Archive,
    lists: Option<std::sync::Arc<[u8]>>,
) -> Result<(), wire::WireError> {
    if let Some(lists) = lists {
        let mut d = wire::Decoder::compact_shared(lists)?;
        d.step(usize::MAX)?;
        wire::graft(&mut archive, &d.finish());
    }
    state.reading = Some(Reading::planned(
        archive,
        &pancake_core::limits::Limits::default(),
    ));
    state.forget_indexes();
    state.sent = None;
    state.resolve_scheduled = false;
    Ok(())
}

/// What a scan read, for [`answer_scan`]: the reading (or why there is none), the layer blobs
/// posted at a glance, the blobs the hasher was fed whole, and when it started.
type ScanOutcome = (
    Result<Reading, pancake_core::Error>,
    usize,
    Vec<(u64, u64)>,
    f64,
);

/// Scans the file of `source` (`Request::Scan`): the outline first when its layer tars are
/// large, then the walk, feeding the hasher at `port` — lending it the read buffers when the
/// reads suspend (`lend`, [`crate::jspi`]). `None` when the answer waits for the digests of
/// blobs handed on (it is posted when they come).
fn scan_file(
    scope: &DedicatedWorkerGlobalScope,
    name: &str,
    source: &Rc<FileSource>,
    port: Option<JsValue>,
    lend: bool,
) -> Option<ScanOutcome> {
    let started = now();
    let blobs = post_outline(scope, name, source.as_ref(), started);
    let mut hand_on = None;
    match (blobs, port) {
        (Some(blobs), Some(port)) => {
            if lend {
                crate::jspi::lend_to(&port);
            }
            if let Some(tee) = crate::feed::Tee::open(port, &blobs) {
                source.tee(tee);
            }
        }
        (None, Some(port)) if lend => hand_on = Some(crate::feed::HandOn::lending(port)),
        (None, Some(port)) => hand_on = Some(crate::feed::HandOn::new(port)),
        _ => {}
    }
    let (scanned, glanced) = scan(scope, name, source.as_ref(), hand_on.as_mut());
    let fed = source.untee();
    source.forget_read_ahead();
    match (scanned, hand_on.filter(|h| h.blobs() > 0)) {
        (Ok(mut r), Some(hand_on)) => {
            // The digests of the blobs handed on come once the hasher has hashed what it was
            // given (a few pieces behind the pass, at most what the bounds let through): the
            // reading is answered with them.
            let scope = scope.clone();
            wasm_bindgen_futures::spawn_local(async move {
                r.digests_handed_back(hand_on.digests().await);
                if let Some(state) = STATE.with(|s| s.borrow().upgrade()) {
                    post_scanned(&scope, &mut state.borrow_mut(), r, glanced, fed, started);
                }
            });
            None
        }
        (scanned, _) => Some((scanned, glanced, fed, started)),
    }
}

/// Answers a scan: the archive it read, or why it could not be read.
fn answer_scan(scope: &DedicatedWorkerGlobalScope, state: &mut State, outcome: ScanOutcome) {
    let (scanned, glanced, fed, started) = outcome;
    match scanned {
        Ok(r) => post_scanned(scope, state, r, glanced, fed, started),
        Err(e) => post(
            scope,
            &Response::Failed {
                message: e.to_string(),
                why: e.unreadable(),
            },
            None,
        ),
    }
}

fn handle(scope: &DedicatedWorkerGlobalScope, state: &mut State, data: &JsValue) {
    // The bytes stay in JS until a request reads them: an adopted index goes straight into
    // the memory it is kept in (`adopt`).
    let (msg, file, bytes) = match decode_parts::<Request>(data) {
        Ok(parts) => parts,
        Err(message) => return post(scope, &Response::Failed { message, why: None }, None),
    };
    if let Some(file) = file {
        let same = state.source.as_ref().is_some_and(|s| s.file() == &file);
        if !same {
            match FileSource::new(file) {
                Ok(s) => state.source = Some(Rc::new(s)),
                Err(message) => return post(scope, &Response::Failed { message, why: None }, None),
            }
        }
    }
    let Some(source) = state.source.clone() else {
        let message = "no file was given to the worker".to_string();
        return post(scope, &Response::Failed { message, why: None }, None);
    };
    match msg {
        Request::Scan { name } => {
            // With a port to a hasher, the layer tars the walk reads whole are hashed there
            // as they are read (`feed`); in a file compressed as a whole (no outline), the
            // blobs the pass hands on are.
            let port = js_sys::Reflect::get(data, &JsValue::from_str("port"))
                .ok()
                .filter(|p| p.is_object());
            if crate::jspi::available() {
                // The same scan on reads that suspend it (`jspi`); answered when it is over.
                let scope = scope.clone();
                crate::jspi::run_soon(Box::new(move || {
                    source.suspending(true);
                    let scanned = scan_file(&scope, &name, &source, port, true);
                    source.suspending(false);
                    if let Some(scanned) = scanned {
                        if let Some(state) = STATE.with(|s| s.borrow().upgrade()) {
                            answer_scan(&scope, &mut state.borrow_mut(), scanned);
                        }
                    }
                }));
                return;
            }
            if let Some(scanned) = scan_file(scope, &name, &source, port, false) {
                answer_scan(scope, state, scanned);
            }
        }
        Request::Feed => {
            if let Ok(port) = js_sys::Reflect::get(data, &JsValue::from_str("port")) {
                crate::feed::listen(&port, source);
            }
        }
        Request::Hash { job, fed } => {
            // Async: the WebCrypto path awaits the browser (see `hashing`). The page may send
            // a hasher up to four jobs at once (`Pool::assign`): they run side by side, their
            // uncompressed blobs hashed together (`crate::lanes`).
            let scope = scope.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let started = now();
                let member = job.member;
                let mut last = 0.0;
                let mut report = |bytes: u64| {
                    let t = now();
                    if t - last >= PROGRESS_EVERY_MS {
                        last = t;
                        post(&scope, &Response::Progress { member, bytes }, None);
                    }
                };
                let mut facts =
                    crate::hashing::hash_job(source.as_ref(), &job, fed, &mut report).await;
                // A layer's entries cross in the compact form, not as JSON: a gzipped layer
                // of 200,000 files made a 30 MB message the page parsed in one ~1 s task.
                let entries = wire::split_facts(member, &mut facts);
                let msg = Response::Facts {
                    member,
                    facts: Box::new(facts),
                    millis: now() - started,
                };
                post(&scope, &msg, entries.as_deref());
            });
        }
        Request::Facts { member, facts, .. } => {
            let mut facts = *facts;
            // The entries the hasher sent apart (`wire::split_facts`), decoded at once: this
            // worker's thread is not the page's.
            if let Some(bytes) = bytes.map(|b| b.to_vec()) {
                match wire::Decoder::new(bytes).and_then(|mut d| d.step(usize::MAX).map(|_| d)) {
                    Ok(d) => wire::graft_facts(member, &mut facts, &d.finish()),
                    Err(e) => {
                        let message = format!("the entries of member {member}: {e}");
                        return post(scope, &Response::Failed { message, why: None }, None);
                    }
                }
            }
            let done = state.reading.as_mut().map(|r| {
                r.apply(member, facts);
                r.is_done()
            });
            if let Some(done) = done {
                state.forget_indexes();
                // The page's thread must not resolve (it walks every layer index): it takes
                // the images and problems from here. The last fact is resolved at once; the
                // others on the next task, so facts that queued up while this worker was busy
                // (resolving 20,000 layers takes it ~0.5 s, and the page as long to decode the
                // answer) share one resolution.
                if done {
                    post_resolution(scope, state);
                } else if !state.resolve_scheduled {
                    state.resolve_scheduled = true;
                    let scope = scope.clone();
                    gloo::timers::callback::Timeout::new(0, move || {
                        if let Some(state) = STATE.with(|s| s.borrow().upgrade()) {
                            post_resolution(&scope, &mut state.borrow_mut());
                        }
                    })
                    .forget();
                }
            }
        }
        Request::Search {
            id,
            image,
            query,
            limit,
            settled,
        } => {
            let answer = search(state, image, &query, limit, settled);
            post(scope, &Response::Searched { id, answer }, None);
        }
        Request::Rows {
            id,
            image,
            layer,
            merged,
            pick,
        } => match rows(state, image, layer, merged, &pick) {
            Some(bytes) => post(scope, &Response::Rows { id, found: true }, Some(&bytes)),
            None => post(scope, &Response::Rows { id, found: false }, None),
        },
        // A save has a worker of its own (`worker_export`): no reading is needed here.
        Request::Export { job } => crate::worker_export::serve(scope, source, job),
        Request::ExportMore => {
            crate::worker_export::more(scope, crate::worker_export::spare_of(data))
        }
        Request::ResolveWhole => {
            state.sent = None;
            post_resolution(scope, state);
        }
        Request::HandOver => {
            let port = js_sys::Reflect::get(data, &JsValue::from_str("port"))
                .ok()
                .filter(JsValue::is_object);
            if let Some(port) = port {
                hand_over(state, &port);
            }
        }
        Request::Adopt => {
            let port = js_sys::Reflect::get(data, &JsValue::from_str("port"))
                .ok()
                .filter(JsValue::is_object);
            match port {
                Some(port) => await_reading(scope, &port),
                None => post(scope, &Response::Adopted { ok: false }, None),
            }
        }
        Request::Summarize => {
            if let Some(r) = state.reading.as_mut() {
                let archive = r.archive();
                let summaries: Vec<_> = archive
                    .images
                    .iter()
                    .map(|img| indexed(archive, img).then(|| summarize(archive, img)))
                    .collect();
                let bytes = wire::encode_summaries(&summaries);
                let images = summaries.len();
                post(scope, &Response::Summarized { images }, Some(&bytes));
            }
        }
        Request::ReadContent {
            member,
            path,
            entry,
            max,
        } => {
            let max = usize::try_from(max).unwrap_or(usize::MAX);
            let result = match (&state.reading, entry) {
                // The copy the row names (for a hard link: the one it links to, even when
                // the same path is written again later in the layer).
                (Some(r), Some(entry)) => {
                    let content = pancake_core::analyze::union::ContentRef {
                        layer: 0,
                        member: Some(member),
                        entry,
                        path: path.clone(),
                        size: 0,
                    };
                    archive::read_content(source.as_ref(), r.archive_unresolved(), &content, max)
                        .map_err(|e| e.to_string())
                }
                (Some(r), None) => archive::read_entry_content(
                    source.as_ref(),
                    r.archive_unresolved(),
                    member,
                    &path,
                    max,
                )
                .map_err(|e| e.to_string()),
                (None, _) => Err("the archive has not been read yet".to_string()),
            };
            match result {
                Ok(bytes) => {
                    let msg = Response::Content {
                        member,
                        path,
                        error: None,
                    };
                    post(scope, &msg, Some(&bytes));
                }
                Err(error) => post(
                    scope,
                    &Response::Content {
                        member,
                        path,
                        error: Some(error),
                    },
                    None,
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pancake_core::analyze::union::Change;
    use pancake_core::read::reading::hash;
    use pancake_core::RawPath;

    /// A fixture of the shared set (`PANCAKE_FIXTURES`, else `../../shared/fixtures`).
    fn fixture(name: &str) -> Vec<u8> {
        let dir = std::env::var_os("PANCAKE_FIXTURES")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| {
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures")
            });
        let path = dir.join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// A scanner's reading handed over (`Request::HandOver`: `wire::split` of its resolved
    /// archive) and adopted by a new one (`adopt_shared`) answers every request as the old one
    /// did, its lists still compact until read; damaged bytes are refused, the state untouched.
    #[test]
    fn a_reading_handed_over_answers_as_before() {
        let bytes = fixture("docker26-save-app1.tar");
        let mut reading =
            Reading::start("app1.tar", &bytes, &Options::default(), &mut |_| {}).expect("start");
        for j in reading.jobs().to_vec() {
            let facts = hash(&bytes, &j, &Options::default(), &mut |_| {});
            reading.apply(j.member, facts);
        }
        assert!(reading.is_done());
        let mut old = State {
            reading: Some(reading),
            ..State::default()
        };
        let (stripped, lists) = match old.reading.as_mut() {
            Some(r) => wire::split(r.archive()),
            None => panic!("a reading"),
        };
        let mut new = State::default();
        adopt_shared(
            &mut new,
            stripped.clone(),
            Some(std::sync::Arc::from(lists.clone())),
        )
        .expect("adopted");
        let (Some(was), Some(now)) = (old.reading.as_mut(), new.reading.as_mut()) else {
            panic!("both hold a reading");
        };
        assert!(now.is_done(), "nothing is planned after a hand-over");
        assert_eq!(
            now.archive(),
            was.archive(),
            "the same archive, entries and all"
        );
        let layers = was.archive().images.first().map_or(0, |i| i.layers.len());
        assert!(layers >= 5, "layers: {layers}");
        for query in ["hello.txt", "busybox", "*.txt", "etc/"] {
            assert_eq!(
                search(&mut new, 0, query, 50, true),
                search(&mut old, 0, query, 50, true),
                "{query}"
            );
        }
        let SearchAnswer::Found(hello, missing) = search(&mut new, 0, "hello.txt", 10, true) else {
            panic!("not found after the hand-over");
        };
        assert_eq!((hello.total, missing), (1, vec![]));
        for layer in 0..layers {
            for merged in [false, true] {
                assert_eq!(
                    rows(&mut new, 0, layer, merged, &RowPick::All),
                    rows(&mut old, 0, layer, merged, &RowPick::All),
                    "layer {layer}, merged {merged}"
                );
            }
        }
        assert!(rows(&mut new, 0, layers - 1, true, &RowPick::All).is_some_and(|r| r.len() > 100));
        // Damaged bytes: refused, and the state keeps what it held.
        let mut cut = lists.clone();
        cut.truncate(lists.len() / 2);
        let mut other = State::default();
        assert!(adopt_shared(&mut other, stripped, Some(std::sync::Arc::from(cut))).is_err());
        assert!(other.reading.is_none());
    }

    /// Past the whole-index bound (here 0 entries), the merged views' badges come from an
    /// index of the additions, built on the first merged view and kept for every layer picked
    /// after, until facts change the reading; they read as a whole index's would, and a whole
    /// index, when a search kept one, serves them instead.
    #[test]
    fn past_the_bound_the_additions_are_folded_once_per_image() {
        let bytes = fixture("docker26-save-app1.tar");
        let read = || {
            let mut reading = Reading::start("app1.tar", &bytes, &Options::default(), &mut |_| {})
                .expect("start");
            for j in reading.jobs().to_vec() {
                let facts = hash(&bytes, &j, &Options::default(), &mut |_| {});
                reading.apply(j.member, facts);
            }
            State {
                reading: Some(reading),
                ..State::default()
            }
        };
        let (mut whole, mut bounded) = (read(), read());
        let layers = whole
            .reading
            .as_mut()
            .and_then(|r| r.archive().images.first().map(|i| i.layers.len()))
            .unwrap_or(0);
        assert!(layers >= 5, "layers: {layers}");
        let mut first: Option<Rc<PathIndex>> = None;
        for layer in 0..layers {
            assert_eq!(
                rows_within(&mut bounded, 0, layer, true, &RowPick::All, 0),
                rows(&mut whole, 0, layer, true, &RowPick::All),
                "layer {layer}: the same badges"
            );
            assert!(bounded.paths.is_empty(), "no whole index kept");
            let kept = bounded.added.first().map(|(i, ix)| (*i, ix.clone()));
            let Some((0, ix)) = kept else {
                panic!("layer {layer}: the additions are kept");
            };
            assert_eq!(bounded.added.len(), 1);
            let first = first.get_or_insert_with(|| ix.clone());
            assert!(Rc::ptr_eq(first, &ix), "layer {layer}: folded once");
        }
        // A layer's own changes need no index.
        let mut fresh = read();
        assert!(rows_within(&mut fresh, 0, 1, false, &RowPick::All, 0).is_some());
        assert!(fresh.added.is_empty());
        // Facts change the reading: both caches go.
        bounded.forget_indexes();
        assert!(bounded.added.is_empty() && bounded.paths.is_empty());
        // A whole index kept by a search serves the badges: no additions folded.
        assert!(matches!(
            search(&mut bounded, 0, "hello.txt", 10, true),
            SearchAnswer::Found(..)
        ));
        assert_eq!(bounded.paths.len(), 1);
        assert_eq!(
            rows_within(&mut bounded, 0, layers - 1, true, &RowPick::All, 0),
            rows(&mut whole, 0, layers - 1, true, &RowPick::All)
        );
        assert!(bounded.added.is_empty(), "the whole index answered");
    }

    /// docker26-save-app1.tar (a real `docker save`) as the scanner holds it while its base
    /// layer's index is still to come from that layer's hash job — what a compressed layer is
    /// until hashed: the walk's index of that layer is dropped and the plan made again.
    #[test]
    fn search_waits_for_every_layer_index_then_answers_from_an_index_built_once() {
        let bytes = fixture("docker26-save-app1.tar");
        let walked =
            Reading::start("app1.tar", &bytes, &Options::default(), &mut |_| {}).expect("start");
        let mut archive = walked.archive_unresolved().clone();
        let base = archive
            .images
            .first()
            .and_then(|i| i.layers.first())
            .and_then(|l| l.member)
            .expect("a base layer blob");
        if let Some(m) = archive.members.get_mut(base) {
            m.facts.layer = None;
        }
        let reading = Reading::planned(archive, &pancake_core::limits::Limits::default());
        let jobs = reading.jobs().to_vec();
        assert!(jobs.iter().any(|j| j.member == base && !j.indexed));
        let mut state = State {
            reading: Some(reading),
            ..State::default()
        };
        // The layers' indexes are still to come from their hash jobs: no partial answer.
        assert_eq!(
            search(&mut state, 0, "hello.txt", 10, false),
            SearchAnswer::NotIndexed
        );
        assert!(
            state.paths.is_empty(),
            "nothing is kept from an incomplete index"
        );
        // Hashing cancelled before any job ran: the page says no more facts come; the
        // search covers the layers indexed by the walk and names the base one as left out.
        let SearchAnswer::Found(partial, missing) = search(&mut state, 0, "busybox", 10, true)
        else {
            panic!("no partial answer");
        };
        assert_eq!(missing, vec![0], "the base layer was not read");
        assert_eq!(partial.total, 0, "busybox is only in the base layer");
        let SearchAnswer::Found(hello, missing) = search(&mut state, 0, "hello.txt", 10, true)
        else {
            panic!("no partial answer");
        };
        assert_eq!(
            (hello.total, missing),
            (1, vec![0]),
            "layer 2's file is found"
        );
        // Facts after all (a new hashing run): the partial index is dropped with them.
        state.forget_indexes();
        for j in &jobs {
            let facts = hash(&bytes, j, &Options::default(), &mut |_| {});
            if let Some(r) = state.reading.as_mut() {
                r.apply(j.member, facts);
            }
        }
        let SearchAnswer::Found(found, missing) = search(&mut state, 0, "hello.txt", 10, false)
        else {
            panic!("not found");
        };
        assert_eq!(found.total, 1);
        assert!(missing.is_empty(), "every layer searched");
        let h = found.histories.first().expect("one history");
        assert_eq!(h.path, RawPath::from("data/hello.txt"));
        // Added by layer 2 (12 bytes), rewritten by layer 3 (21), made a hard link to
        // data/hello.hardlink (the same 21 bytes) by layer 6 — 0-based here.
        let events: Vec<(usize, Change, u64)> = h
            .events
            .iter()
            .map(|e| (e.layer, e.change, e.size))
            .collect();
        assert_eq!(
            events,
            vec![
                (1, Change::Added, 12),
                (2, Change::Modified, 21),
                (5, Change::Modified, 21)
            ]
        );
        let SearchAnswer::Found(busybox, _) = search(&mut state, 0, "busybox", 10, false) else {
            panic!("not found");
        };
        let sizes: Vec<(usize, u64)> = busybox
            .histories
            .iter()
            .flat_map(|h| h.events.iter().map(|e| (e.layer, e.size)))
            .collect();
        assert_eq!(sizes, vec![(0, 1_982_256)], "the base layer's paths are in");
        assert_eq!(state.paths.len(), 1, "the index is kept");
        let kept = state
            .paths
            .first()
            .map(|(_, ix, _)| ix.clone())
            .expect("kept");
        let SearchAnswer::Found(all, _) = search(&mut state, 0, "/", 3, false) else {
            panic!("not found");
        };
        assert_eq!(all.histories.len(), 3, "at most the limit asked for");
        assert_eq!(all.total, kept.len(), "every path counted");
        assert!(
            state
                .paths
                .first()
                .is_some_and(|(_, ix, _)| Rc::ptr_eq(ix, &kept)),
            "the same index answers the next query"
        );
        assert!(matches!(
            search(&mut state, 0, "[oops", 3, false),
            SearchAnswer::Invalid(_)
        ));
        assert_eq!(
            search(&mut state, 1, "x", 3, false),
            SearchAnswer::Unavailable
        );
    }
}
