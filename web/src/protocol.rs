//! Messages between the page and its workers.
//!
//! Each message is a plain JS object `{ msg, file?, bytes? }`: `msg` is the serde value as
//! JSON text, `file` a `File` (structured-cloned as a handle: its bytes are not copied) and
//! `bytes` a `Uint8Array` for file content, so large byte runs skip JSON.

use pancake_core::analyze::path_history::Found;
use pancake_core::read::reading::HashJob;
use pancake_core::read::resolution_change::ResolutionChange;
use pancake_core::{Archive, MemberFacts, RawPath};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};

/// Page → worker.
/// From this many entries in all layer indexes on, the page decodes them a slice at a time and
/// gets the first view's figures from the scanner (below, decoding them at once takes a few
/// ms and folding them on the page no longer than a frame or two): the scan's, and those a
/// hasher's facts bring later (a compressed layer's).
pub const SUMMARIZE_FROM: usize = 20_000;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Request {
    /// Start the reading of the attached file (`Reading::start`: headers walked, no hashing;
    /// a compressed file read whole) and keep it for content reads.
    Scan { name: String },
    /// Hash one blob of the attached file (`reading::hash`: job in, facts out). Several
    /// workers may each take a different one.
    Hash {
        job: HashJob,
        /// The scanner fed this worker the blob as it walked it ([`crate::feed`]): its
        /// digest comes from those pieces.
        #[serde(default)]
        fed: bool,
    },
    /// Listen on the `MessagePort` in the envelope's `port` for the pieces the scanner feeds
    /// ([`crate::feed`]). Sent to the first hasher only.
    Feed,
    /// Facts a hasher found, for the scanner's reading (content reads need every layer
    /// index). The same fields, so the same JSON, as [`Response::Facts`]: the page forwards
    /// the hasher's message as it came, without encoding it again.
    Facts {
        member: usize,
        facts: Box<MemberFacts>,
        millis: f64,
    },
    /// Read one file of one layer (by archive member) from the kept file, at most `max` bytes:
    /// entry `entry` of the layer's index when given (a union row's `ContentRef`: for a hard
    /// link the very copy it links to, when the path is written again later in the layer),
    /// else the last copy of `path`.
    ReadContent {
        member: usize,
        path: RawPath,
        #[serde(default)]
        entry: Option<usize>,
        max: u64,
    },
    /// Save bytes of the attached file (a layer's uncompressed tar, or one file), streamed
    /// back as [`Response::ExportChunk`]s (`worker_export`): the first now, each next one on
    /// [`Request::ExportMore`]. Sent to a worker of its own, so
    /// terminating it stops the save.
    Export {
        job: crate::worker_export::ExportJob,
    },
    /// Find paths in every layer of image `image` (0-based, of the reading's resolved
    /// archive): `query` as `path_history::Pattern::parse` reads it, at most `limit`
    /// histories returned (all counted). The image's `PathIndex` is built here the first time
    /// it is asked for and kept until the next facts; the answer is [`Response::Searched`]
    /// with the same `id`. `settled`: the page knows no more facts will come for this file
    /// (its hashing finished, was cancelled or failed, or the file is a kept one): a layer
    /// still without an index is then left out and named in the answer instead of the
    /// answer being [`SearchAnswer::NotIndexed`].
    Search {
        id: u32,
        image: usize,
        query: String,
        limit: usize,
        settled: bool,
    },
    /// Fold the scanned image's entries into the figures of its first view, answered with
    /// [`Response::Summarized`] (one per image, in the archive's order). Sent once, after a
    /// [`Response::Scanned`] with `indexing`, when the page has painted that view: the fold
    /// takes about 0.5 s of a core on 200,000 files, which the page needs while it draws.
    Summarize,
    /// The rows of a view of image `image` (0-based, of the reading's resolved archive): the
    /// filesystem after layer `layer` (`merged`) or what that layer changed, as
    /// `union::merged` and `union::layer_changes` give them, answered with
    /// [`Response::Rows`] and the same `id`. A merged view's rows come with the layer that
    /// added each path (the badges) when every row is asked for. Asked for images too large
    /// to fold on the page's thread (a 200,000-entry layer folds for about a second): by the
    /// Files view for its listing and its largest files, by a search hit for the row it opens.
    Rows {
        id: u32,
        image: usize,
        layer: usize,
        merged: bool,
        pick: RowPick,
    },
    /// Send the next chunk of the running save (the page asks once it stored one, so chunks
    /// never pile up in the page; ignored when no save runs).
    ExportMore,
    /// Send the next [`Response::Resolved`] whole (every image, `since: None`): the page
    /// could not apply a change to the images it holds.
    ResolveWhole,
    /// To a scanner whose reading is settled: post it ([`HandedOver`]) on the
    /// envelope's `port`, to the new scanner that adopts it; this one is then stopped. The
    /// walk and the fold of the first view's figures leave a large image's scanner with about
    /// twice the wasm memory its index needs (wasm memory is never given back: issue 13,
    /// target 3), and only a new instance starts from what the index needs. The reading goes
    /// from worker to worker: the page's thread never parses it (the images of 20,002 layers
    /// are 15 MB of JSON).
    HandOver,
    /// Take over the reading of the attached file that comes on the envelope's `port`
    /// ([`HandedOver`]), its entry lists kept in their compact form (decoded when a
    /// request first reads one); then say so to the page ([`Response::Adopted`]). The page
    /// sends this scanner nothing else until then.
    Adopt,
}

/// Layers and history entries in one part of a [`Response::Resolved`] (about 0.4 MB of JSON,
/// under 10 ms to decode on the page; a whole image of 20,002 layers was one 15.5 MB message,
/// one task of ~300 ms).
pub const RESOLUTION_PART_ITEMS: usize = 500;

/// Which rows of a view [`Request::Rows`] asks for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RowPick {
    /// Every row, sorted by path, each with its "added in" layer in a merged view.
    All,
    /// The row of this path (normalized), or none when the view has no such path.
    Path(RawPath),
    /// The `n` largest regular files present, largest first (ties in path order), as
    /// `views::tree::model::largest` chooses them.
    Largest(usize),
    /// The rows resolving this symlink's path reads (`lookup::rows_read`, following the last
    /// component too), sorted by path: `views::links::follow` over them gives what it gives
    /// over the whole view — a few rows, not a 200,000-row filesystem for one link.
    Resolve(RawPath),
    /// The files a container on the image sees below its layer: every row of the merged view
    /// (asked with the image's top layer and `merged`), each with its owner, as
    /// `write::container::files_of` makes them (`wire::encode_lower`).
    Lower,
}

/// What a search of one image gave (see [`Request::Search`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum SearchAnswer {
    /// The matches: `total` paths, the first `limit` of them by path with their histories;
    /// then the image's layers (0-based, base first, ascending) that have no index and were
    /// not searched (empty when every layer was) — a layer whose blob was not read because
    /// hashing was cancelled, or could not be read.
    Found(Found, Vec<usize>),
    /// The query is not a valid glob: the reason, in the `fast-glob` crate's words.
    Invalid(String),
    /// A layer of the image has no index yet (its blob is still being read or hashed) and
    /// more facts are to come: the search would miss its paths, so none is given.
    NotIndexed,
    /// No reader holds the image any more (its file left the session), or the file has no
    /// such image.
    Unavailable,
}

/// Worker → page.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Response {
    /// The worker's wasm is running and its message handler is installed.
    Ready,
    /// The structure is walked. `archive` comes with every layer index's entry list left
    /// empty (`pancake_core::wire::split`): the lists follow in the envelope's `bytes` in the
    /// compact binary form of `pancake_core::wire`, so no JSON carries them. `indexing`: the
    /// lists are large — the page decodes them a slice at a time, and asks for the first
    /// view's figures ([`Request::Summarize`]); otherwise it decodes them at once.
    Scanned {
        archive: Box<Archive>,
        millis: f64,
        #[serde(default)]
        indexing: bool,
        /// The layer tars `(offset, len)` the walk fed whole to the first hasher
        /// ([`crate::feed`]): their jobs go to it, whose digests are ready or nearly.
        #[serde(default)]
        fed: Vec<(u64, u64)>,
    },
    /// The images of an uncompressed file before its large layer tars are walked
    /// (`archive::scan_outline`): layers, instructions, configs and the digests to check;
    /// the unwalked layers have no index yet, as a compressed layer before it is hashed. A
    /// first view while the walk goes on; the [`Response::Scanned`] that follows replaces it,
    /// and only then does hashing start. Only layers read whole (under 1 MiB) carry their
    /// entries, so it crosses as JSON alone.
    Outlined { archive: Box<Archive>, millis: f64 },
    /// The answer to [`Request::Summarize`]: the figures of each image's first view (`None` for an
    /// image with a layer the walk did not index), computed here so the page folds nothing.
    /// They cross beside the JSON as the envelope's bytes, in `pancake_core::wire`'s summaries
    /// form (`encode_summaries`, one per image of the archive, in its order): as JSON, those
    /// of 20,002 layers were 2.9 MB, parsed in one 50-60 ms task on the page's thread.
    /// `images`: how many the bytes hold, checked when they are decoded.
    Summarized { images: usize },
    /// Nothing at all could be read: the English message, and the reason as a value when
    /// the file as a whole is not what was expected (`pancake_core::Error::unreadable`).
    Failed {
        message: String,
        #[serde(default)]
        why: Option<pancake_core::Unreadable>,
    },
    /// How far the scan has got: bytes of the file read so far while a file compressed as a
    /// whole is read (the scan is then the whole work), or how far through an uncompressed
    /// file its walk is (`archive::scan_watched`; then `reached`, as in
    /// `archive::Progress`); the file's size at the end.
    ScanProgress {
        bytes: u64,
        #[serde(default)]
        reached: bool,
    },
    /// While a file compressed as a whole is read: the layer blobs read since the last such
    /// message, each at a glance (from its own bytes alone: the order of the layers is known
    /// only when the archive's manifest is read, at its end). Sent at most every
    /// `worker_runtime::GLANCES_EVERY_MS`; the `Scanned` that ends the reading supersedes them.
    LayersRead {
        /// At most the last `state::reading::LAYERS_LISTED` read since the last message (the
        /// page lists no more).
        layers: Vec<pancake_core::analyze::glance::LayerGlance>,
        /// Layer blobs read in all so far.
        count: usize,
    },
    /// Bytes of the current job hashed so far.
    Progress { member: usize, bytes: u64 },
    /// The scanner's resolution after applying forwarded facts: `applied` jobs have facts.
    /// Resolving is proportional to the layer indexes, so it happens here, not on the page.
    /// It comes as what it changes of the last one sent (the first: of the `Scanned`
    /// archive's): an image of 20,002 layers was 15 MB of JSON each time.
    /// A large change comes in numbered parts of at most [`RESOLUTION_PART_ITEMS`] layers and
    /// history entries (`change.part`), one message each, so no single message takes the
    /// page's thread long: the page joins them and applies them with the last.
    Resolved {
        applied: usize,
        change: Box<ResolutionChange>,
    },
    /// One job's facts (see [`Request::Facts`], which has the same JSON).
    Facts {
        member: usize,
        facts: Box<MemberFacts>,
        millis: f64,
    },
    /// Content in the envelope's `bytes`; `error` when it could not be read.
    Content {
        member: usize,
        path: RawPath,
        error: Option<String>,
    },
    /// The next chunk of a save, in the envelope's `bytes` (its buffer transferred, not
    /// copied); `done` bytes sent so far, this chunk included.
    ExportChunk { done: u64 },
    /// The save is complete: `bytes` in all; for a layer, the sha256 of its tar (the core
    /// checked it against the diff_id the reading computed).
    ExportDone {
        digest: Option<pancake_core::Digest>,
        bytes: u64,
    },
    /// The save stopped; what was sent is not the whole.
    ExportFailed {
        problem: crate::worker_export::ExportProblem,
    },
    /// The answer to the [`Request::Search`] with this `id`.
    Searched { id: u32, answer: SearchAnswer },
    /// The answer to the [`Request::Rows`] with this `id`: the rows follow in the envelope's
    /// `bytes` in `pancake_core::wire`'s rows form; `found` is false (and no bytes come) when
    /// the reader has no such image or layer.
    Rows { id: u32, found: bool },
    /// The answer to [`Request::Adopt`]: the reading is this scanner's now (`ok`), or it
    /// came damaged or not at all (the page then keeps the old scanner).
    Adopted { ok: bool },
}

/// The answer to [`Request::HandOver`], posted on its port to the adopting scanner, not to the
/// page: the resolved reading with its entry lists left empty, the lists in the envelope's
/// `bytes` (`pancake_core::wire::split`, their buffer transferred); `None` when this scanner
/// holds no reading. A type of its own: a worker that decoded [`Response`] would carry the
/// code to read every answer (23 KB more of worker wasm, gzipped).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct HandedOver {
    pub archive: Option<Box<Archive>>,
}

/// A decoded envelope.
pub struct Envelope<T> {
    pub msg: T,
    pub file: Option<web_sys::File>,
    /// Still in JS: each handler copies them once, into the form it keeps ([`JsBytes`]).
    pub bytes: Option<JsBytes>,
}

/// An envelope's bytes as they came (a `Uint8Array`), not yet in wasm memory.
pub struct JsBytes(js_sys::Uint8Array);

impl From<js_sys::Uint8Array> for JsBytes {
    fn from(bytes: js_sys::Uint8Array) -> JsBytes {
        JsBytes(bytes)
    }
}

impl JsBytes {
    /// The bytes copied into a `Vec`.
    pub fn to_vec(&self) -> Vec<u8> {
        self.0.to_vec()
    }

    /// The bytes copied straight into a shared allocation: one copy, where `to_vec` and then
    /// `Arc::from` make two, both in wasm memory at once (a 200,000-file index's lists:
    /// ~5 MB more of the page's wasm memory, which it keeps; issue 13, target 3).
    pub fn to_shared(&self) -> std::sync::Arc<[u8]> {
        let len = self.0.length() as usize;
        let mut shared: std::sync::Arc<[u8]> = std::iter::repeat_n(0u8, len).collect();
        if let Some(here) = std::sync::Arc::get_mut(&mut shared) {
            self.0.copy_to(here);
        }
        shared
    }

    /// [`JsBytes::to_shared`], then the JS buffer released at once (detached by
    /// `ArrayBuffer.prototype.transfer(0)`) instead of left to V8's collector, which may keep
    /// it for a while: for a buffer transferred to this thread that nothing else holds (the
    /// scan's entry lists, ~6 MB for 200,000 files, at the renderer's peak). Only a view of
    /// the whole buffer releases it (a view of part of one may not be all that uses it); where
    /// `transfer` is missing the buffer is left as it was.
    pub fn into_shared(self) -> std::sync::Arc<[u8]> {
        let shared = self.to_shared();
        let whole = self.0.buffer();
        if self.0.byte_offset() != 0 || self.0.byte_length() != whole.byte_length() {
            return shared;
        }
        let buffer: JsValue = whole.into();
        if let Ok(transfer) = js_sys::Reflect::get(&buffer, &JsValue::from_str("transfer")) {
            if let Ok(transfer) = transfer.dyn_into::<js_sys::Function>() {
                let _ = transfer.call1(&buffer, &JsValue::from_f64(0.0));
            }
        }
        shared
    }
}

pub fn encode<T: Serialize>(
    msg: &T,
    file: Option<&web_sys::File>,
    bytes: Option<&[u8]>,
) -> Result<JsValue, String> {
    let text = serde_json::to_string(msg).map_err(|e| e.to_string())?;
    let obj = js_sys::Object::new();
    set(&obj, "msg", &JsValue::from_str(&text))?;
    if let Some(f) = file {
        set(&obj, "file", f)?;
    }
    if let Some(b) = bytes {
        set(&obj, "bytes", &js_sys::Uint8Array::from(b))?;
    }
    Ok(obj.into())
}

/// The transfer list for posting an envelope from [`encode`]: its bytes' `ArrayBuffer` (made
/// by `encode` for this envelope alone, so the sender loses nothing by moving it), or empty.
/// Moved, not cloned, the bytes are not copied again on their way (a 200,000-entry index:
/// two copies fewer, issue 13, target 3).
pub fn transfer_list(envelope: &JsValue) -> js_sys::Array {
    let list = js_sys::Array::new();
    if let Some(bytes) = get(envelope, "bytes")
        .ok()
        .and_then(|b| b.dyn_into::<js_sys::Uint8Array>().ok())
    {
        list.push(&bytes.buffer());
    }
    list
}

pub fn decode<T: for<'de> Deserialize<'de>>(data: &JsValue) -> Result<Envelope<T>, String> {
    let (msg, file, bytes) = decode_parts(data)?;
    Ok(Envelope {
        msg,
        file,
        bytes: bytes.map(JsBytes),
    })
}

/// [`decode`] leaving the envelope's bytes in JS (a large chunk is not copied into wasm
/// memory): the message and the `Uint8Array`, if any.
pub fn decode_js<T: for<'de> Deserialize<'de>>(
    data: &JsValue,
) -> Result<(T, Option<js_sys::Uint8Array>), String> {
    let (msg, _, bytes) = decode_parts(data)?;
    Ok((msg, bytes))
}

/// An envelope's message, file and bytes, the bytes left in JS: a receiver copies them into
/// wasm memory only for the messages that read them there.
pub fn decode_parts<T: for<'de> Deserialize<'de>>(
    data: &JsValue,
) -> Result<(T, Option<web_sys::File>, Option<js_sys::Uint8Array>), String> {
    let text = get(data, "msg")?
        .as_string()
        .ok_or("message without text")?;
    let msg = serde_json::from_str(&text).map_err(|e| format!("bad message: {e}"))?;
    let file = get(data, "file")?.dyn_into::<web_sys::File>().ok();
    let bytes = get(data, "bytes")?.dyn_into::<js_sys::Uint8Array>().ok();
    Ok((msg, file, bytes))
}

fn set(obj: &js_sys::Object, key: &str, v: &JsValue) -> Result<(), String> {
    js_sys::Reflect::set(obj, &JsValue::from_str(key), v)
        .map(|_| ())
        .map_err(|e| format!("{e:?}"))
}

fn get(obj: &JsValue, key: &str) -> Result<JsValue, String> {
    js_sys::Reflect::get(obj, &JsValue::from_str(key)).map_err(|e| format!("{e:?}"))
}
