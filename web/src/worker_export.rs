//! Saving bytes of the opened file without holding them whole anywhere (issue 15): a layer's
//! uncompressed tar (`pancake_core::read::export::ExportStream::layer_tar`: the decoder, the
//! bound and the diff_id check of `pancake export-layer`; gzip of every member, zstd of every
//! frame, xz, bzip2, also inside a whole-file-compressed save) or one file's exact bytes
//! (`ExportStream::content`, as `pancake cat`: by offset from an uncompressed layer, sparse
//! holes as zeros, re-inflated from a compressed one as the walk reaches the file), whatever
//! their size: the worker's memory is one [`CHUNK`] and the decoder's window.
//!
//! The page pulls: the worker sends one [`CHUNK`] per request ([`Request::Export`] opens the
//! save and asks for the first, each [`Request::ExportMore`] for the next), its buffer
//! transferred, not copied. The page asks for the next chunk once one is stored, and keeps at
//! most [`IN_FLIGHT`] asked for and not yet stored, so a slow disk slows the worker instead of
//! filling the page's memory. The request sends the stored chunk's buffer back, and the worker
//! fills it again: a save uses [`IN_FLIGHT`] buffers whatever its size, and leaves no garbage
//! (600 MiB of 4 MiB chunks once left the page up to 150 MiB of written buffers that V8 had
//! not yet collected). Where a chunk goes ([`Sink`]): straight to a
//! `FileSystemWritableFileStream` the person chose with `showSaveFilePicker` (Chromium), or,
//! where there is no picker (Firefox, Safari), a `Blob` part each (the browser keeps Blob data
//! off the JS heap, on disk when large), one `Blob` of them offered as a download at the end.
//!
//! A worker of its own for each save, not the scanner: a chunk is one synchronous call into
//! the core, the only way to stop one midway is `Worker.terminate()` — which must not take the
//! scanner and its content reads with it — and the scanner keeps answering the content panel
//! while a large layer is saved. The worker gets the `File` (a handle, not its bytes) and the
//! part of the archive the export reads ([`archive_for`]).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use pancake_core::analyze::union::ContentRef;
use pancake_core::read::export::{ExportError, ExportStream};
use pancake_core::{Archive, Digest, Entry, EntryKind, Member, MemberFacts, RawPath};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    DedicatedWorkerGlobalScope, ErrorEvent, File, FileSystemWritableFileStream, MessageEvent,
    Worker,
};
use yew::Callback;

use crate::file_source::FileSource;
use crate::protocol::{decode_js, encode, Request, Response};

/// Bytes per chunk posted to the page: large enough that messages cost nothing, small enough
/// that progress moves and the worker's buffer stays small.
pub const CHUNK: usize = 4 << 20;

/// Chunks the page asks for before the first is stored: one being written while the worker
/// makes the next. The most bytes of a save in the page at once is `IN_FLIGHT × CHUNK`.
pub const IN_FLIGHT: usize = 2;

/// What to save.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ExportJob {
    /// The uncompressed tar of the layer blob `archive.members[member]`.
    Layer {
        archive: Box<Archive>,
        member: usize,
    },
    /// The bytes of one file (for a hard link: of the file it links to). Made by [`file_job`]:
    /// `archive`'s layer lists only the copies of `content.path`, and `content.entry` is the
    /// place in that shorter list; `layer_entry` is its place in the layer, for messages.
    File {
        archive: Box<Archive>,
        content: ContentRef,
        #[serde(default)]
        layer_entry: usize,
    },
}

/// Why a save stopped, typed so the page says it in the reader's language. Mirrors
/// [`ExportError`] (which holds `io::Error`s and cannot cross to the page) plus what only the
/// page checks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportProblem {
    /// The bytes hash to `actual`, not to `expected` (the diff_id the image's config names,
    /// else the one computed when the file was read).
    Changed { expected: Digest, actual: Digest },
    /// The layer decompresses to more than `bound` bytes, the bound for this file.
    OverLimit { bound: u64 },
    /// The compressed stream cannot be decoded (`detail` verbatim, English).
    Decode { detail: String },
    /// The blob or the file could not be read (`detail` verbatim, English).
    Read { detail: String },
    /// Only `got` of the `size` bytes a file's header gives could be read.
    EndsEarly { got: u64, size: u64 },
    /// The worker stopped or could not be started, or the chosen file could not be written
    /// (`detail` verbatim, English).
    Worker { detail: String },
    /// No diff_id is known for the layer (it could not be computed, and the config names
    /// none), so the bytes cannot be checked.
    Unchecked,
}

impl From<ExportError> for ExportProblem {
    fn from(e: ExportError) -> Self {
        match e {
            ExportError::Changed { expected, actual } => {
                ExportProblem::Changed { expected, actual }
            }
            ExportError::OverLimit { bound, .. } => ExportProblem::OverLimit { bound },
            ExportError::Decode(e) => ExportProblem::Decode {
                detail: e.to_string(),
            },
            ExportError::Read(e) => ExportProblem::Read {
                detail: e.to_string(),
            },
            e @ (ExportError::TooLarge { .. } | ExportError::WrongEntry { .. }) => {
                ExportProblem::Read {
                    detail: e.to_string(),
                }
            }
            ExportError::Write(e) => ExportProblem::Worker {
                detail: e.to_string(),
            },
            ExportError::ContentEndsEarly { got, size, .. } => {
                ExportProblem::EndsEarly { got, size }
            }
        }
    }
}

/// The save of layer blob `member`'s uncompressed tar: `a` trimmed by [`archive_for`] with
/// none of the layer's entries (the blob is streamed whole; only its diff_id is read).
pub fn layer_job(a: &Archive, member: usize) -> ExportJob {
    ExportJob::Layer {
        archive: Box::new(archive_for(a, member, None)),
        member,
    }
}

/// The save of the file `content` names (from [`content_ref`]): `a` trimmed by
/// [`archive_for`] to the copies of that path in its layer's entries (a compressed layer is
/// walked to the same copy by counting them), `content.entry` pointing into that shorter
/// list. `None` when `content` has no member.
pub fn file_job(a: &Archive, content: &ContentRef) -> Option<ExportJob> {
    let member = content.member?;
    let keep = |e: &Entry| e.path == content.path;
    // Counted without decoding a list the page holds compact (`Entries::each_until`).
    let mut entry = 0;
    if let Some(l) = a
        .members
        .get(member)
        .and_then(|m| m.facts.layer.as_ref())
        .filter(|l| content.entry <= l.entries.len())
    {
        l.entries.each_until(|i, e| {
            if i < content.entry && keep(e) {
                entry += 1;
            }
            i + 1 < content.entry
        });
    }
    Some(ExportJob::File {
        archive: Box::new(archive_for(a, member, Some(&keep))),
        content: ContentRef {
            entry,
            ..content.clone()
        },
        layer_entry: content.entry,
    })
}

/// `a` with only what an export of `member` reads: every member's place (a compressed outer
/// file is walked again by member index) but only that member's facts, no images or
/// problems, and of its layer index only the entries `keep` selects (none for `None`) — so
/// the message to the worker is small, and the page's thread does not serialize 200,000
/// entries to send it. A list the page holds compact is read without being decoded.
pub fn archive_for(a: &Archive, member: usize, keep: Option<&dyn Fn(&Entry) -> bool>) -> Archive {
    Archive {
        name: a.name.clone(),
        total_bytes: a.total_bytes,
        outer_compression: a.outer_compression,
        format: a.format,
        members: a
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| Member {
                path: m.path.clone(),
                kind: m.kind,
                size: m.size,
                data_offset: m.data_offset,
                link_target: m.link_target.clone(),
                facts: if i == member {
                    let mut facts = m.facts.clone();
                    if let Some(l) = facts.layer.as_mut() {
                        let mut kept = Vec::new();
                        if let Some(keep) = keep {
                            l.entries.each_until(|_, e| {
                                if keep(e) {
                                    kept.push(e.clone());
                                }
                                true
                            });
                        }
                        l.entries = pancake_core::Entries::from(kept);
                    }
                    facts
                } else {
                    MemberFacts::default()
                },
            })
            .collect(),
        images: Vec::new(),
        problems: Vec::new(),
    }
}

/// The [`ContentRef`] of the file the content panel shows: entry `entry` of layer blob
/// `member` (the row's `ContentRef::entry` — for a hard link the copy it links to, which a
/// later entry of the same name does not replace), which must be a regular file `path` of
/// `size` bytes. `None` when the layer's index lacks it or lists something else there (never
/// another copy's bytes under this row's size).
pub fn content_ref(
    a: &Archive,
    member: usize,
    entry: usize,
    path: &RawPath,
    size: u64,
) -> Option<ContentRef> {
    // One entry, read without decoding a list the page holds compact.
    let e = a
        .members
        .get(member)?
        .facts
        .layer
        .as_ref()?
        .entries
        .get_one(entry)?;
    if &e.path != path || e.kind != EntryKind::File || e.size != size {
        return None;
    }
    Some(ContentRef {
        layer: 0,
        member: Some(member),
        entry,
        path: path.clone(),
        size,
    })
}

// ---------------------------------------------------------------------------------------
// The worker side.

/// The save this worker runs, kept between the page's requests for chunks. `'static`: it
/// owns its `Rc` of the file; the job's archive is read only while it opens.
struct Session {
    stream: ExportStream<'static>,
    buf: Vec<u8>,
}

thread_local! {
    static SESSION: RefCell<Option<Session>> = const { RefCell::new(None) };
}

fn post_msg(scope: &DedicatedWorkerGlobalScope, msg: &Response) {
    match encode(msg, None, None) {
        Ok(v) => {
            if let Err(e) = scope.post_message(&v) {
                web_sys::console::error_1(&e);
            }
        }
        Err(e) => web_sys::console::error_1(&JsValue::from_str(&e)),
    }
}

/// Posts `bytes` as the next chunk (`done` bytes sent so far, these included), its buffer
/// transferred: `spare`'s when the page sent one back large enough (so a save of any size
/// uses the same [`IN_FLIGHT`] buffers and leaves the page no garbage to collect), else a
/// new one.
fn post_chunk(
    scope: &DedicatedWorkerGlobalScope,
    bytes: &[u8],
    done: u64,
    spare: Option<js_sys::Uint8Array>,
) -> Result<(), String> {
    let n = u32::try_from(bytes.len()).map_err(|e| e.to_string())?;
    let arr = match spare.filter(|s| s.length() >= n) {
        Some(s) => s.subarray(0, n),
        None => js_sys::Uint8Array::new_with_length(n),
    };
    arr.copy_from(bytes);
    let msg = encode(&Response::ExportChunk { done }, None, None)?;
    js_sys::Reflect::set(&msg, &JsValue::from_str("bytes"), &arr).map_err(|e| format!("{e:?}"))?;
    scope
        .post_message_with_transfer(&msg, &js_sys::Array::of1(&arr.buffer()))
        .map_err(|e| format!("{e:?}"))
}

/// The buffer a [`Request::ExportMore`] brings back (its `spare`), if any.
pub fn spare_of(data: &JsValue) -> Option<js_sys::Uint8Array> {
    let view = js_sys::Reflect::get(data, &JsValue::from_str(SPARE))
        .ok()?
        .dyn_into::<js_sys::Uint8Array>()
        .ok()?;
    // The page sends back the view it got (the last chunk's length); the buffer is whole.
    Some(js_sys::Uint8Array::new(&view.buffer()))
}

/// The envelope key of a chunk's buffer sent back (not `bytes`: `protocol::decode` would copy
/// those into wasm memory).
const SPARE: &str = "spare";

/// Opens `job` over `source` and sends its first chunk ([`more`] sends the next ones);
/// [`Response::ExportFailed`] when it cannot be opened.
pub fn serve(scope: &DedicatedWorkerGlobalScope, source: Rc<FileSource>, job: ExportJob) {
    let limits = pancake_core::read::archive::Options::default().limits;
    let opened = match &job {
        ExportJob::Layer { archive, member } => {
            ExportStream::layer_tar(source, archive, *member, &limits)
        }
        ExportJob::File {
            archive,
            content,
            layer_entry,
        } => ExportStream::content(source, archive, content, &limits).map_err(|e| match e {
            // The entry as the layer numbers it, not as the trimmed job's list does.
            ExportError::WrongEntry {
                name,
                member,
                path,
                size,
                ..
            } => ExportError::WrongEntry {
                name,
                member,
                path,
                entry: *layer_entry,
                size,
            },
            e => e,
        }),
    };
    match opened {
        Ok(stream) => {
            SESSION.with(|s| {
                *s.borrow_mut() = Some(Session {
                    stream,
                    buf: vec![0u8; CHUNK],
                })
            });
            more(scope, None);
        }
        Err(e) => post_msg(scope, &Response::ExportFailed { problem: e.into() }),
    }
}

/// Sends the next chunk of the running save; after the last one (a chunk shorter than
/// [`CHUNK`], or none), [`Response::ExportDone`] or [`Response::ExportFailed`], and the
/// save is over. Nothing when no save runs (a request that crossed the end). `spare`: a
/// chunk's buffer the page is done with, filled again.
pub fn more(scope: &DedicatedWorkerGlobalScope, spare: Option<js_sys::Uint8Array>) {
    let Some(mut session) = SESSION.with(|s| s.borrow_mut().take()) else {
        return;
    };
    let n = match session.stream.read(&mut session.buf) {
        Ok(n) => n,
        Err(e) => return post_msg(scope, &Response::ExportFailed { problem: e.into() }),
    };
    if n > 0 {
        let bytes = session.buf.get(..n).unwrap_or_default();
        if let Err(detail) = post_chunk(scope, bytes, session.stream.done(), spare) {
            let problem = ExportProblem::Worker { detail };
            return post_msg(scope, &Response::ExportFailed { problem });
        }
    }
    if n == session.buf.len() {
        // Perhaps more: wait to be asked.
        SESSION.with(|s| *s.borrow_mut() = Some(session));
        return;
    }
    let msg = match session.stream.finish() {
        Ok((digest, bytes)) => Response::ExportDone { digest, bytes },
        Err(e) => Response::ExportFailed { problem: e.into() },
    };
    post_msg(scope, &msg);
}

// ---------------------------------------------------------------------------------------
// The page side.

/// Where a save's chunks go.
#[derive(Clone, Debug)]
pub enum Sink {
    /// `Blob` parts, one `Blob` of them at the end (no save picker: Firefox, Safari).
    Blob,
    /// The stream of the file the person chose in `showSaveFilePicker`, named `name` (as the
    /// picker's handle names it). Written as chunks come; on Cancel or a failure it is aborted
    /// (the browser drops what was written, nothing is left as if complete).
    Writable {
        stream: FileSystemWritableFileStream,
        name: String,
    },
}

/// What a running save reports.
#[derive(Debug)]
pub enum ExportEvent {
    /// Bytes received so far.
    Progress(u64),
    /// Every byte received and stored: for [`Sink::Blob`] as one `Blob` of the chunks (in
    /// `blob`), for [`Sink::Writable`] written to the stream, which is handed over (in
    /// `sink`) unclosed: the receiver closes it to keep the file ([`commit`]) or aborts it
    /// ([`discard`]). `digest` is the sha256 the worker computed (layers only: for them the
    /// core checked it against the diff_id of the reading).
    Done {
        blob: Option<web_sys::Blob>,
        sink: Sink,
        digest: Option<Digest>,
        bytes: u64,
    },
    Failed(ExportProblem),
}

/// The page's side of a running save, shared by its handlers.
struct Flow {
    /// Writes started and not yet finished (a writable sink).
    writes: usize,
    /// The worker's last word, waiting for the writes still running.
    finished: Option<(Option<Digest>, u64)>,
    /// The save is over for the page (done, failed or stopped): late events are dropped.
    over: bool,
}

/// A running save. Dropping it stops it: the worker is terminated and, unless the save was
/// handed over ([`ExportEvent::Done`]), a writable stream is aborted; nothing is offered.
pub struct Export {
    worker: Worker,
    sink: Sink,
    handed_over: Rc<Cell<bool>>,
    flow: Rc<RefCell<Flow>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

impl Drop for Export {
    fn drop(&mut self) {
        self.flow.borrow_mut().over = true;
        // A chunk the worker posted before it was stopped can still be on its way: with the
        // handlers unset first, it finds none instead of a dropped closure.
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
        if !self.handed_over.get() {
            if let Sink::Writable { stream, .. } = &self.sink {
                discard(stream);
            }
        }
    }
}

/// Aborts `stream`: the browser drops what was written to it (`FileSystemWritableFileStream`
/// writes go to a temporary file that only `close()` puts in place).
pub fn discard(stream: &FileSystemWritableFileStream) {
    let p = stream.abort();
    // Awaited so a rejection (already closed or errored) is handled, not reported.
    wasm_bindgen_futures::spawn_local(async move {
        let _ = JsFuture::from(p).await;
    });
}

/// Closes `stream`, which puts the written file in place.
pub async fn commit(stream: &FileSystemWritableFileStream) -> Result<(), String> {
    JsFuture::from(stream.close())
        .await
        .map(|_| ())
        .map_err(|e| js_message(&e))
}

fn js_message(e: &JsValue) -> String {
    js_sys::Reflect::get(e, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}

/// Starts saving `job` from `file` into `sink`; `on_event` hears its progress and its end.
pub fn start(
    file: &File,
    job: ExportJob,
    sink: Sink,
    on_event: Callback<ExportEvent>,
) -> Result<Export, String> {
    // A chosen file is not left behind half-made when the save cannot even start.
    let give_up = |sink: &Sink, e: String| {
        if let Sink::Writable { stream, .. } = sink {
            discard(stream);
        }
        e
    };
    let request =
        encode(&Request::Export { job }, Some(file), None).map_err(|e| give_up(&sink, e))?;
    let worker = crate::worker_start::start()
        .map_err(|e| give_up(&sink, format!("cannot start a worker: {e:?}")))?;
    let parts = js_sys::Array::new();
    let w = worker.clone();
    let emit = on_event.clone();
    let flow = Rc::new(RefCell::new(Flow {
        writes: 0,
        finished: None,
        over: false,
    }));
    let handed_over = Rc::new(Cell::new(false));
    let fail = {
        let flow = flow.clone();
        let emit = emit.clone();
        move |problem: ExportProblem| {
            let mut f = flow.borrow_mut();
            if !f.over {
                f.over = true;
                drop(f);
                emit.emit(ExportEvent::Failed(problem));
            }
        }
    };
    // The request goes once the worker's wasm runs (a message before would find no handler).
    let pending = Rc::new(RefCell::new(Some(request)));
    let on_message = {
        let flow = flow.clone();
        let sink = sink.clone();
        let handed_over = handed_over.clone();
        // Emits Done once the worker finished and every chunk is stored.
        let done_if_settled = {
            let flow = flow.clone();
            let emit = emit.clone();
            let sink = sink.clone();
            let handed_over = handed_over.clone();
            let parts = parts.clone();
            let fail = fail.clone();
            Rc::new(move || {
                let mut f = flow.borrow_mut();
                if f.over || f.writes > 0 {
                    return;
                }
                let Some((digest, bytes)) = f.finished.take() else {
                    return;
                };
                f.over = true;
                drop(f);
                let blob = match &sink {
                    Sink::Blob => match web_sys::Blob::new_with_blob_sequence(&parts) {
                        Ok(b) => Some(b),
                        Err(e) => {
                            flow.borrow_mut().over = false;
                            return fail(ExportProblem::Worker {
                                detail: format!("{e:?}"),
                            });
                        }
                    },
                    Sink::Writable { .. } => None,
                };
                parts.set_length(0);
                handed_over.set(true);
                emit.emit(ExportEvent::Done {
                    blob,
                    sink: sink.clone(),
                    digest,
                    bytes,
                });
            })
        };
        // Asks for the next chunk, sending back `spare`, a chunk's buffer the page is done
        // with (stored in a Blob, or its write finished), for the worker to fill again.
        let ask = {
            let w = w.clone();
            let fail = fail.clone();
            move |spare: Option<js_sys::Uint8Array>| {
                let posted = encode(&Request::ExportMore, None, None).and_then(|msg| {
                    let transfer = js_sys::Array::new();
                    if let Some(b) = &spare {
                        js_sys::Reflect::set(&msg, &JsValue::from_str(SPARE), b)
                            .map_err(|e| format!("{e:?}"))?;
                        transfer.push(&b.buffer());
                    }
                    w.post_message_with_transfer(&msg, &transfer)
                        .map_err(|e| format!("{e:?}"))
                });
                if let Err(detail) = posted {
                    fail(ExportProblem::Worker { detail });
                }
            }
        };
        let fail = fail.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            if flow.borrow().over {
                return;
            }
            let (msg, bytes) = match decode_js::<Response>(&e.data()) {
                Ok(m) => m,
                Err(detail) => return fail(ExportProblem::Worker { detail }),
            };
            match msg {
                Response::Ready => {
                    if let Some(r) = pending.borrow_mut().take() {
                        if let Err(e) = w.post_message(&r) {
                            return fail(ExportProblem::Worker {
                                detail: format!("{e:?}"),
                            });
                        }
                        // The request asks for the first chunk; the rest of the window now,
                        // then one more for each chunk stored.
                        for _ in 1..IN_FLIGHT {
                            ask(None);
                        }
                    }
                }
                Response::ExportChunk { done } => {
                    emit.emit(ExportEvent::Progress(done));
                    let Some(b) = bytes else {
                        return;
                    };
                    match &sink {
                        Sink::Blob => {
                            // A Blob per chunk: the chunk's buffer can go, the browser holds
                            // the data.
                            match web_sys::Blob::new_with_u8_array_sequence(&js_sys::Array::of1(&b))
                            {
                                Ok(blob) => {
                                    parts.push(&blob);
                                    ask(Some(b));
                                }
                                Err(e) => fail(ExportProblem::Worker {
                                    detail: format!("{e:?}"),
                                }),
                            }
                        }
                        Sink::Writable { stream, .. } => {
                            let written = match stream.write_with_js_u8_array(&b) {
                                Ok(p) => p,
                                Err(e) => {
                                    return fail(ExportProblem::Worker {
                                        detail: js_message(&e),
                                    })
                                }
                            };
                            flow.borrow_mut().writes += 1;
                            let flow = flow.clone();
                            let ask = ask.clone();
                            let fail = fail.clone();
                            let done_if_settled = done_if_settled.clone();
                            wasm_bindgen_futures::spawn_local(async move {
                                let r = JsFuture::from(written).await;
                                if flow.borrow().over {
                                    return;
                                }
                                match r {
                                    Ok(_) => {
                                        let finished = {
                                            let mut f = flow.borrow_mut();
                                            f.writes = f.writes.saturating_sub(1);
                                            f.finished.is_some()
                                        };
                                        if finished {
                                            done_if_settled();
                                        } else {
                                            // A request after the last chunk finds no
                                            // save in the worker and is ignored.
                                            ask(Some(b));
                                        }
                                    }
                                    Err(e) => fail(ExportProblem::Worker {
                                        detail: js_message(&e),
                                    }),
                                }
                            });
                        }
                    }
                }
                Response::ExportDone { digest, bytes } => {
                    flow.borrow_mut().finished = Some((digest, bytes));
                    done_if_settled();
                }
                Response::ExportFailed { problem } => {
                    parts.set_length(0);
                    fail(problem);
                }
                Response::Failed { message, .. } => {
                    parts.set_length(0);
                    fail(ExportProblem::Worker { detail: message });
                }
                _ => {}
            }
        })
    };
    let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |e: ErrorEvent| {
        e.prevent_default();
        fail(ExportProblem::Worker {
            detail: e.message(),
        });
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(Export {
        worker,
        sink,
        handed_over,
        flow,
        _on_message: on_message,
        _on_error: on_error,
    })
}

/// Offers `blob` as a download named `name` (typed as opaque bytes: with no type the browser
/// guesses one and may add an extension).
pub fn offer(blob: &web_sys::Blob, name: &str) -> Result<(), String> {
    let opts = web_sys::FilePropertyBag::new();
    opts.set_type("application/octet-stream");
    let file =
        web_sys::File::new_with_blob_sequence_and_options(&js_sys::Array::of1(blob), name, &opts)
            .map_err(|e| format!("{e:?}"))?;
    crate::container_export::download(&file)
}

// ---------------------------------------------------------------------------------------
// The save picker (WICG File System Access), through `js_sys::Reflect` as the open picker
// (`persist::handles`): a browser without it finds no function.

/// Opens the save picker with `name` suggested. Call from the click handler (it needs the
/// person's gesture); `None` when there is no picker.
pub fn start_save_pick(name: &str) -> Option<js_sys::Promise> {
    if SAVE_PICKER_REFUSED.with(|r| r.get()) {
        return None;
    }
    let w: JsValue = web_sys::window()?.into();
    let f = js_sys::Reflect::get(&w, &JsValue::from_str("showSaveFilePicker"))
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    let opts = js_sys::Object::new();
    let _ = js_sys::Reflect::set(
        &opts,
        &JsValue::from_str("suggestedName"),
        &JsValue::from_str(name),
    );
    f.call1(&w, &opts).ok()?.dyn_into::<js_sys::Promise>().ok()
}

thread_local! {
    /// The save picker refused to open on this page (a cross-origin frame — the page is
    /// embedded in course material — or a permissions policy): saves download from now on.
    static SAVE_PICKER_REFUSED: Cell<bool> = const { Cell::new(false) };
}

/// The chosen file opened for writing (a [`Sink::Writable`]); `Ok(None)` when the person
/// closed the picker (`AbortError`: nothing happens); `Ok(Some(Sink::Blob))` when the browser
/// refused the picker here (`SecurityError`, `NotAllowedError`: the download instead, and
/// no picker again on this page); `Err` for anything else.
pub async fn finish_save_pick(p: js_sys::Promise) -> Result<Option<Sink>, String> {
    let handle = match JsFuture::from(p).await {
        Ok(h) => h,
        Err(e) => {
            let name = js_sys::Reflect::get(&e, &JsValue::from_str("name"))
                .ok()
                .and_then(|n| n.as_string());
            return match name.as_deref() {
                Some("AbortError") => Ok(None),
                Some("SecurityError" | "NotAllowedError") => {
                    SAVE_PICKER_REFUSED.with(|r| r.set(true));
                    Ok(Some(Sink::Blob))
                }
                _ => Err(js_message(&e)),
            };
        }
    };
    let handle: web_sys::FileSystemFileHandle = handle.unchecked_into();
    let name = handle.name();
    let stream = JsFuture::from(handle.create_writable())
        .await
        .map_err(|e| js_message(&e))?;
    Ok(Some(Sink::Writable {
        stream: stream.unchecked_into(),
        name,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pancake_core::read::archive::{read_stream, Options};
    use pancake_core::read::export;

    fn demo() -> (Vec<u8>, Archive) {
        let bytes = pancake_demo::build("nginx").unwrap_or_default();
        let a = read_stream(
            "nginx.tar",
            bytes.as_slice(),
            bytes.len() as u64,
            &Options::default(),
            &mut |_| {},
        )
        .unwrap_or_else(|e| panic!("{e}"));
        (bytes, a)
    }

    /// The trimmed archive exports the same bytes as the whole one: a layer's tar hashes to
    /// its diff_id, a file's bytes are the panel's, and nothing but the one member's facts
    /// is kept.
    #[test]
    fn a_trimmed_archive_exports_the_same_bytes() {
        let (bytes, a) = demo();
        let img = a.images.first().unwrap_or_else(|| panic!("no image"));
        let layer = img.layers.last().unwrap_or_else(|| panic!("no layer"));
        let member = layer.member.unwrap_or_else(|| panic!("missing"));
        let ExportJob::Layer { archive: small, .. } = layer_job(&a, member) else {
            panic!("not a layer job");
        };
        assert_eq!(small.members.len(), a.members.len());
        // The blob is streamed whole: none of its entries crosses to the worker.
        let kept = small
            .members
            .get(member)
            .and_then(|m| m.facts.layer.as_ref());
        assert_eq!(kept.map(|l| l.entries.len()), Some(0));
        let with_facts = small
            .members
            .iter()
            .filter(|m| m.facts != MemberFacts::default())
            .count();
        assert_eq!(with_facts, 1);
        let mut out = Vec::new();
        let (d, n) = export::write_layer_tar(
            &bytes,
            &small,
            member,
            &pancake_core::limits::Limits::default(),
            &mut out,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(Some(&d), layer.diff_id.as_ref());
        assert_eq!((Digest::of_bytes(&out), n), (d, out.len() as u64));

        let path = RawPath::from_typed("etc/nginx/nginx.conf");
        let rows = pancake_core::analyze::union::merged(&a, img, img.layers.len() - 1);
        let row = rows
            .iter()
            .find(|r| r.path == path)
            .unwrap_or_else(|| panic!("no nginx.conf"));
        let c = row.content.clone().unwrap_or_else(|| panic!("no content"));
        let m = c.member.unwrap_or_else(|| panic!("no member"));
        let again =
            content_ref(&a, m, c.entry, &c.path, c.size).unwrap_or_else(|| panic!("no ref"));
        assert_eq!((again.member, again.entry), (c.member, c.entry));
        let got = saved(&bytes, &a, &again);
        let want = pancake_core::read::archive::read_content(&bytes, &a, &c, usize::MAX)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(got, want);
        assert_eq!(got.len() as u64, row.size);
    }

    /// On an archive whose entry lists the page holds compact (a large image's), a layer's
    /// save, a file's save and a file's content reference are the ones made from decoded
    /// lists, and no list is decoded for them (the page would then hold the index twice).
    #[test]
    fn jobs_from_compact_lists_are_the_same_and_decode_nothing() {
        let (_, a) = demo();
        let (mut compact, wire) = pancake_core::wire::split(&a);
        let mut d = pancake_core::wire::Decoder::compact(wire).unwrap_or_else(|e| panic!("{e}"));
        d.step(usize::MAX).unwrap_or_else(|e| panic!("{e}"));
        pancake_core::wire::graft(&mut compact, &d.finish());
        let decoded = |x: &Archive| {
            x.members
                .iter()
                .filter_map(|m| m.facts.layer.as_ref())
                .filter(|l| l.entries.is_decoded())
                .count()
        };
        assert_eq!(decoded(&compact), 0);
        let img = a.images.first().unwrap_or_else(|| panic!("no image"));
        let rows = pancake_core::analyze::union::merged(&a, img, img.layers.len() - 1);
        let mut files = 0;
        for r in rows.iter().filter(|r| r.kind == EntryKind::File) {
            let c = r.content.clone().unwrap_or_else(|| panic!("no content"));
            let m = c.member.unwrap_or_else(|| panic!("no member"));
            assert_eq!(
                content_ref(&compact, m, c.entry, &c.path, c.size),
                content_ref(&a, m, c.entry, &c.path, c.size)
            );
            assert!(content_ref(&compact, m, c.entry, &c.path, c.size.wrapping_add(1)).is_none());
            assert_eq!(file_job(&compact, &c), file_job(&a, &c));
            assert_eq!(layer_job(&compact, m), layer_job(&a, m));
            files += 1;
        }
        assert!(files > 20, "{files}");
        assert_eq!(
            decoded(&compact),
            0,
            "a job decoded a list the page holds compact"
        );
    }

    /// The request crosses to the worker as JSON: the trimmed archive and the entry come back
    /// the same, and so do a typed problem and a digest.
    #[test]
    fn messages_cross_as_json_unchanged() {
        let (_, a) = demo();
        let member = a
            .images
            .first()
            .and_then(|i| i.layers.last())
            .and_then(|l| l.member)
            .unwrap_or_else(|| panic!("no layer"));
        let job = layer_job(&a, member);
        let text = serde_json::to_string(&Request::Export { job: job.clone() })
            .unwrap_or_else(|e| panic!("{e}"));
        match serde_json::from_str::<Request>(&text) {
            Ok(Request::Export { job: back }) => assert_eq!(back, job),
            other => panic!("{other:?}"),
        }
        let done = Response::ExportFailed {
            problem: ExportProblem::Changed {
                expected: Digest::of_bytes(b"a"),
                actual: Digest::of_bytes(b"b"),
            },
        };
        let text = serde_json::to_string(&done).unwrap_or_else(|e| panic!("{e}"));
        match serde_json::from_str::<Response>(&text) {
            Ok(Response::ExportFailed { problem }) => assert_eq!(
                problem,
                ExportProblem::Changed {
                    expected: Digest::of_bytes(b"a"),
                    actual: Digest::of_bytes(b"b"),
                }
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn problems_keep_their_figures() {
        let p: ExportProblem = ExportError::OverLimit {
            name: "a".into(),
            member: "b".into(),
            bound: 7,
        }
        .into();
        assert_eq!(p, ExportProblem::OverLimit { bound: 7 });
        let p: ExportProblem = ExportError::ContentEndsEarly {
            path: "x".into(),
            got: 1,
            size: 2,
        }
        .into();
        assert_eq!(p, ExportProblem::EndsEarly { got: 1, size: 2 });
    }

    /// A layer with `a` (1 MiB), `b` hard-linked to it, then `a` again (10 bytes): the ref
    /// built for `b`'s row names the first `a` and the save gives its bytes; the last `a`'s
    /// entry with `b`'s size (what the page asked for before it carried the entry) is refused.
    /// The job crosses with only the two entries of `a`: a compressed layer is walked to the
    /// first by counting them, an uncompressed one read at its offset.
    #[test]
    fn a_hard_link_saves_the_copy_it_links_to() {
        use pancake_core::write::tarwrite::{self, Descriptor, SaveImage};
        fn header(name: &[u8], flag: u8, size: u64, target: &[u8]) -> Vec<u8> {
            let mut b = [0u8; 512];
            let mut put = |at: usize, v: &[u8]| b[at..at + v.len()].copy_from_slice(v);
            put(0, name);
            put(100, b"0000644\0");
            put(108, b"0000000\0");
            put(116, b"0000000\0");
            put(124, format!("{size:011o}\0").as_bytes());
            put(136, b"00000000000\0");
            put(156, &[flag]);
            put(157, target);
            put(257, b"ustar\0");
            put(263, b"00");
            put(148, b"        ");
            let sum: u32 = b.iter().map(|c| u32::from(*c)).sum();
            b[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
            b.to_vec()
        }
        let first: Vec<u8> = (0..1u32 << 20).map(|i| (i % 251) as u8).collect();
        let mut tar = header(b"a", b'0', first.len() as u64, b"");
        tar.extend_from_slice(&first);
        tar.extend(header(b"b", b'1', 0, b"a"));
        tar.extend(header(b"a", b'0', 10, b""));
        tar.extend_from_slice(b"second a\n\n");
        tar.resize(tar.len().div_ceil(512) * 512 + 1024, 0);
        for gzip in [false, true] {
            let blob = if gzip {
                use std::io::Write;
                let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                e.write_all(&tar).unwrap_or_else(|e| panic!("{e}"));
                e.finish().unwrap_or_else(|e| panic!("{e}"))
            } else {
                tar.clone()
            };
            let config = serde_json::to_vec(&serde_json::json!({
                "architecture": "amd64", "os": "linux",
                "rootfs": {"type": "layers", "diff_ids": [Digest::of_bytes(&tar)]},
            }))
            .unwrap_or_default();
            let media_type = if gzip {
                "application/vnd.oci.image.layer.v1.tar+gzip"
            } else {
                "application/vnd.oci.image.layer.v1.tar"
            };
            let image = SaveImage {
                tags: vec!["link:1".into()],
                config,
                layers: vec![Descriptor {
                    media_type: media_type.into(),
                    digest: Digest::of_bytes(&blob),
                    size: blob.len() as u64,
                }],
            };
            let bytes = tarwrite::write_docker_save(Vec::new(), &[image], &mut |_| {
                Ok(Box::new(std::io::Cursor::new(blob.clone())))
            })
            .unwrap_or_else(|e| panic!("{e}"));
            let a = read_stream(
                "link.tar",
                bytes.as_slice(),
                bytes.len() as u64,
                &Options::default(),
                &mut |_| {},
            )
            .unwrap_or_else(|e| panic!("{e}"));
            let img = a.images.first().unwrap_or_else(|| panic!("no image"));
            let rows = pancake_core::analyze::union::merged(&a, img, 0);
            let b = rows
                .iter()
                .find(|r| r.path == RawPath::from_typed("b"))
                .and_then(|r| r.content.clone())
                .unwrap_or_else(|| panic!("no b"));
            let m = b.member.unwrap_or_else(|| panic!("no member"));
            let r =
                content_ref(&a, m, b.entry, &b.path, b.size).unwrap_or_else(|| panic!("no ref"));
            assert_eq!((r.entry, r.size), (0, 1 << 20));
            let (trimmed, _) = file_parts(&a, &r);
            let kept: Vec<u64> = trimmed
                .members
                .get(m)
                .and_then(|m| m.facts.layer.as_ref())
                .map(|l| l.entries.iter().map(|e| e.size).collect())
                .unwrap_or_default();
            assert_eq!(kept, vec![1 << 20, 10], "gzip {gzip}: only the copies of a");
            let got = saved(&bytes, &a, &r);
            assert_eq!(
                Digest::of_bytes(&got),
                Digest::of_bytes(&first),
                "gzip {gzip}"
            );
            assert_eq!(content_ref(&a, m, 2, &b.path, b.size), None);
            // The second copy (entry 2 of 3) is entry 1 of the two kept, and gives its bytes.
            let second = content_ref(&a, m, 2, &b.path, 10).unwrap_or_else(|| panic!("no ref"));
            assert_eq!(file_parts(&a, &second).1.entry, 1);
            assert_eq!(saved(&bytes, &a, &second), b"second a\n\n", "gzip {gzip}");
        }
    }

    /// The archive and ref of a file job.
    fn file_parts(a: &Archive, c: &ContentRef) -> (Archive, ContentRef) {
        match file_job(a, c) {
            Some(ExportJob::File {
                archive, content, ..
            }) => (*archive, content),
            other => panic!("{other:?}"),
        }
    }

    /// The bytes a file job for `c` saves from `bytes`, read through its trimmed archive.
    fn saved(bytes: &[u8], a: &Archive, c: &ContentRef) -> Vec<u8> {
        let (trimmed, content) = file_parts(a, c);
        let mut got = Vec::new();
        export::write_content(
            bytes,
            &trimmed,
            &content,
            &pancake_core::limits::Limits::default(),
            &mut got,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        got
    }
}
