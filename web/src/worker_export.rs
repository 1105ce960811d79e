//! Saving bytes of the opened file without holding them whole anywhere (issue 15): a layer's
//! uncompressed tar (`pancake_core::read::export::write_layer_tar`: the decoder, the bound
//! and the diff_id check of `pancake export-layer`; gzip of every member, zstd of every frame,
//! xz, bzip2, also inside a whole-file-compressed save) or one file's exact bytes
//! (`export::write_content`, as `pancake cat`: streamed by offset from an uncompressed layer,
//! re-inflated from a compressed one). A worker streams them in [`CHUNK`]-byte chunks whose
//! buffers are transferred, not copied, to the page, which keeps each chunk as a `Blob` part
//! (the browser keeps Blob data off the JS heap, on disk when large) and builds one `Blob`
//! of them at the end.
//!
//! A worker of its own for each save, not the scanner: the core's export is one synchronous
//! call, so the only way to stop it midway is `Worker.terminate()` — which must not take the
//! scanner and its content reads with it — and the scanner keeps answering the content panel
//! while a large layer is saved. The worker gets the `File` (a handle, not its bytes) and the
//! part of the archive the export reads ([`archive_for`]).

use std::cell::RefCell;
use std::io::{self, Write};
use std::rc::Rc;

use pancake_core::analyze::union::ContentRef;
use pancake_core::read::export::{self, ExportError};
use pancake_core::{Archive, Digest, EntryKind, Member, MemberFacts, RawPath};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, ErrorEvent, File, MessageEvent, Worker};
use yew::Callback;

use crate::protocol::{decode_js, encode, Request, Response};

/// Bytes per chunk posted to the page: large enough that messages cost nothing, small enough
/// that progress moves and the worker's buffer stays small.
pub const CHUNK: usize = 4 << 20;

/// Most bytes of one file inflated in the worker's memory when they cannot be streamed from
/// the file (a file of a compressed or sparse layer: the core reads those whole, see
/// `export::write_content`). Files of uncompressed layers stream whatever their size. The
/// worker's wasm memory is at most 4 GiB, so the bound is well below it.
pub const IN_MEMORY_MAX: u64 = 512 << 20;

/// The worker script Trunk emits next to the page (as `worker_glue`).
const WORKER_URL: &str = "./worker_loader.js";

/// What to save.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ExportJob {
    /// The uncompressed tar of the layer blob `archive.members[member]`.
    Layer {
        archive: Box<Archive>,
        member: usize,
    },
    /// The bytes of one file (for a hard link: of the file it links to).
    File {
        archive: Box<Archive>,
        content: ContentRef,
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
    /// A file of a compressed or sparse layer is `size` bytes, over the `max` inflated in memory.
    TooLargeForMemory { size: u64, max: u64 },
    /// The worker stopped or could not be started (`detail` verbatim, English).
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
            ExportError::Write(e) => ExportProblem::Worker {
                detail: e.to_string(),
            },
            ExportError::ContentEndsEarly { got, size, .. } => {
                ExportProblem::EndsEarly { got, size }
            }
            ExportError::TooLargeForMemory { size, max, .. } => {
                ExportProblem::TooLargeForMemory { size, max }
            }
        }
    }
}

/// `a` with only what an export of `member` reads: every member's place (a compressed outer
/// file is walked again by member index) but only that member's facts (its layer index and
/// diff_id), no images or problems, so the message to the worker is one layer's size.
pub fn archive_for(a: &Archive, member: usize) -> Archive {
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
                    m.facts.clone()
                } else {
                    MemberFacts::default()
                },
            })
            .collect(),
        images: Vec::new(),
        problems: Vec::new(),
    }
}

/// The [`ContentRef`] of the file the content panel shows (`member`, `path`, `size`): the
/// last regular-file entry of that path in the layer, the copy the layer leaves and the panel
/// reads (`archive::read_entry_content`). `None` when the layer's index lacks it.
pub fn content_ref(a: &Archive, member: usize, path: &RawPath, size: u64) -> Option<ContentRef> {
    let entries = &a.members.get(member)?.facts.layer.as_ref()?.entries;
    let entry = entries
        .iter()
        .rposition(|e| &e.path == path && e.kind == EntryKind::File)?;
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

/// A `Write` that posts what it is given in [`CHUNK`]-byte chunks, each a fresh
/// `ArrayBuffer` transferred to the page.
struct ChunkPoster<'a> {
    scope: &'a DedicatedWorkerGlobalScope,
    buf: Vec<u8>,
    done: u64,
}

impl ChunkPoster<'_> {
    fn post(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let n = u32::try_from(self.buf.len()).map_err(io::Error::other)?;
        let arr = js_sys::Uint8Array::new_with_length(n);
        arr.copy_from(&self.buf);
        self.done = self.done.saturating_add(u64::from(n));
        let msg = encode(&Response::ExportChunk { done: self.done }, None, None)
            .map_err(io::Error::other)?;
        js_sys::Reflect::set(&msg, &JsValue::from_str("bytes"), &arr)
            .map_err(|e| io::Error::other(format!("{e:?}")))?;
        self.scope
            .post_message_with_transfer(&msg, &js_sys::Array::of1(&arr.buffer()))
            .map_err(|e| io::Error::other(format!("{e:?}")))?;
        self.buf.clear();
        Ok(())
    }
}

impl Write for ChunkPoster<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let room = CHUNK.saturating_sub(self.buf.len());
        let n = data.len().min(room.max(1));
        self.buf
            .extend_from_slice(data.get(..n).unwrap_or_default());
        if self.buf.len() >= CHUNK {
            self.post()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.post()
    }
}

/// Runs `job` over `source` and posts its chunks, then [`Response::ExportDone`] or
/// [`Response::ExportFailed`]. Synchronous: the page stops it by terminating the worker.
pub fn serve<S: pancake_core::ReadAt + ?Sized>(
    scope: &DedicatedWorkerGlobalScope,
    source: &S,
    job: ExportJob,
) {
    let mut out = ChunkPoster {
        scope,
        buf: Vec::with_capacity(CHUNK),
        done: 0,
    };
    let limits = pancake_core::read::archive::Options::default().limits;
    let result = match &job {
        ExportJob::Layer { archive, member } => {
            export::write_layer_tar(source, archive, *member, &limits, &mut out)
                .map(|(d, n)| (Some(d), n))
        }
        ExportJob::File { archive, content } => {
            export::write_content(source, archive, content, IN_MEMORY_MAX, &mut out)
                .map(|n| (None, n))
        }
    }
    .map_err(ExportProblem::from)
    .and_then(|r| {
        out.flush()
            .map(|_| r)
            .map_err(ExportError::Write)
            .map_err(Into::into)
    });
    let msg = match result {
        Ok((digest, bytes)) => Response::ExportDone { digest, bytes },
        Err(problem) => Response::ExportFailed { problem },
    };
    match encode(&msg, None, None) {
        Ok(v) => {
            if let Err(e) = scope.post_message(&v) {
                web_sys::console::error_1(&e);
            }
        }
        Err(e) => web_sys::console::error_1(&JsValue::from_str(&e)),
    }
}

// ---------------------------------------------------------------------------------------
// The page side.

/// What a running save reports.
#[derive(Debug)]
pub enum ExportEvent {
    /// Bytes received so far.
    Progress(u64),
    /// Every byte, as one `Blob` of the chunks; `digest` is the sha256 the worker computed
    /// (layers only: for them the core checked it against the diff_id of the reading).
    Done {
        blob: web_sys::Blob,
        digest: Option<Digest>,
        bytes: u64,
    },
    Failed(ExportProblem),
}

/// A running save. Dropping it stops it (the worker is terminated); nothing is offered.
pub struct Export {
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

impl Drop for Export {
    fn drop(&mut self) {
        // A chunk the worker posted before it was stopped can still be on its way: with the
        // handlers unset first, it finds none instead of a dropped closure.
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}

/// Starts saving `job` from `file`; `on_event` hears its progress and its end.
pub fn start(
    file: &File,
    job: ExportJob,
    on_event: Callback<ExportEvent>,
) -> Result<Export, String> {
    let request = encode(&Request::Export { job }, Some(file), None)?;
    let worker = Worker::new(WORKER_URL).map_err(|e| format!("cannot start a worker: {e:?}"))?;
    let parts = js_sys::Array::new();
    let w = worker.clone();
    let emit = on_event.clone();
    // The request goes once the worker's wasm runs (a message before would find no handler).
    let pending = Rc::new(RefCell::new(Some(request)));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let (msg, bytes) = match decode_js::<Response>(&e.data()) {
            Ok(m) => m,
            Err(detail) => return emit.emit(ExportEvent::Failed(ExportProblem::Worker { detail })),
        };
        match msg {
            Response::Ready => {
                if let Some(r) = pending.borrow_mut().take() {
                    if let Err(e) = w.post_message(&r) {
                        emit.emit(ExportEvent::Failed(ExportProblem::Worker {
                            detail: format!("{e:?}"),
                        }));
                    }
                }
            }
            Response::ExportChunk { done } => {
                if let Some(b) = bytes {
                    // A Blob per chunk: the chunk's buffer can go, the browser holds the data.
                    match web_sys::Blob::new_with_u8_array_sequence(&js_sys::Array::of1(&b)) {
                        Ok(blob) => {
                            parts.push(&blob);
                        }
                        Err(e) => {
                            return emit.emit(ExportEvent::Failed(ExportProblem::Worker {
                                detail: format!("{e:?}"),
                            }))
                        }
                    }
                }
                emit.emit(ExportEvent::Progress(done));
            }
            Response::ExportDone { digest, bytes } => {
                match web_sys::Blob::new_with_blob_sequence(&parts) {
                    Ok(blob) => emit.emit(ExportEvent::Done {
                        blob,
                        digest,
                        bytes,
                    }),
                    Err(e) => emit.emit(ExportEvent::Failed(ExportProblem::Worker {
                        detail: format!("{e:?}"),
                    })),
                }
                parts.set_length(0);
            }
            Response::ExportFailed { problem } => {
                parts.set_length(0);
                emit.emit(ExportEvent::Failed(problem));
            }
            Response::Failed { message } => {
                parts.set_length(0);
                emit.emit(ExportEvent::Failed(ExportProblem::Worker {
                    detail: message,
                }));
            }
            _ => {}
        }
    });
    let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |e: ErrorEvent| {
        e.prevent_default();
        on_event.emit(ExportEvent::Failed(ExportProblem::Worker {
            detail: e.message(),
        }));
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(Export {
        worker,
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

#[cfg(test)]
mod tests {
    use super::*;
    use pancake_core::read::archive::{read_stream, Options};

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
        let small = archive_for(&a, member);
        assert_eq!(small.members.len(), a.members.len());
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
        let again = content_ref(&a, m, &c.path, c.size).unwrap_or_else(|| panic!("no ref"));
        assert_eq!((again.member, again.entry), (c.member, c.entry));
        let mut got = Vec::new();
        export::write_content(&bytes, &archive_for(&a, m), &again, 16, &mut got)
            .unwrap_or_else(|e| panic!("{e}"));
        let want = pancake_core::read::archive::read_content(&bytes, &a, &c, usize::MAX)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(got, want);
        assert_eq!(got.len() as u64, row.size);
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
        let job = ExportJob::Layer {
            archive: Box::new(archive_for(&a, member)),
            member,
        };
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
}
