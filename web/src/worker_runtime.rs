//! The worker side: owns the `File`, runs pancake-core over it, answers the page.
//! Everything here is synchronous; a long hash simply occupies this worker.

use std::cell::RefCell;
use std::rc::Rc;

use pancake_core::analyze::summary::summarize;
use pancake_core::read::archive::{self, Options};
use pancake_core::read::reading::Reading;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::file_source::FileSource;
use crate::protocol::{decode, encode, Request, Response};

/// From this many entries in all layer indexes on, the page decodes them a slice at a time and
/// gets the first view's figures from here (below, decoding them at once takes a few ms and
/// folding them on the page no longer than a frame or two).
const SUMMARIZE_FROM: usize = 20_000;

/// Every layer of `image` was indexed by the walk (or has no blob at all): its summary made
/// now holds. A layer compressed in the file is indexed only when hashed, later.
fn indexed(archive: &pancake_core::Archive, image: &pancake_core::Image) -> bool {
    image.layers.iter().all(|l| {
        l.member
            .and_then(|m| archive.members.get(m))
            .is_none_or(|m| m.facts.layer.is_some())
    })
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
}

/// Installs the message handler, then tells the page it is ready.
pub fn run() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let state = Rc::new(RefCell::new(State::default()));
    let post_scope = scope.clone();
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let mut state = state.borrow_mut();
        handle(&post_scope, &mut state, &event.data());
    });
    scope.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    post(&scope, &Response::Ready, None);
}

fn post(scope: &DedicatedWorkerGlobalScope, msg: &Response, bytes: Option<&[u8]>) {
    match encode(msg, None, bytes) {
        Ok(v) => {
            if let Err(e) = scope.post_message(&v) {
                web_sys::console::error_1(&e);
            }
        }
        Err(e) => web_sys::console::error_1(&JsValue::from_str(&e)),
    }
}

fn now() -> f64 {
    js_sys::Date::now()
}

/// Starts the reading (`Reading::start`). A file compressed as a whole is read completely
/// here, the only long part of its reading, so its progress is posted as it goes.
fn scan(
    scope: &DedicatedWorkerGlobalScope,
    name: &str,
    source: &FileSource,
) -> Result<Reading, pancake_core::Error> {
    let mut last = 0.0;
    let mut report = |p: &archive::Progress| {
        let t = now();
        if t - last >= PROGRESS_EVERY_MS {
            last = t;
            post(
                scope,
                &Response::ScanProgress {
                    bytes: p.bytes_done,
                },
                None,
            );
        }
    };
    Reading::start(name, source, &Options::default(), &mut report)
}

fn handle(scope: &DedicatedWorkerGlobalScope, state: &mut State, data: &JsValue) {
    let env = match decode::<Request>(data) {
        Ok(env) => env,
        Err(message) => return post(scope, &Response::Failed { message }, None),
    };
    if let Some(file) = env.file {
        let same = state.source.as_ref().is_some_and(|s| s.file() == &file);
        if !same {
            match FileSource::new(file) {
                Ok(s) => state.source = Some(Rc::new(s)),
                Err(message) => return post(scope, &Response::Failed { message }, None),
            }
        }
    }
    let Some(source) = state.source.clone() else {
        let message = "no file was given to the worker".to_string();
        return post(scope, &Response::Failed { message }, None);
    };
    match env.msg {
        Request::Scan { name } => {
            let started = now();
            match scan(scope, &name, source.as_ref()) {
                Ok(mut r) => {
                    // The entries cross as compact bytes, not JSON; a large index also sends
                    // the figures of the first view, so the page folds nothing for it.
                    let archive = r.archive();
                    let entries: usize = archive
                        .members
                        .iter()
                        .filter_map(|m| m.facts.layer.as_ref())
                        .map(|l| l.entries.len())
                        .sum();
                    let indexing = entries >= SUMMARIZE_FROM;
                    let (stripped, wire) = pancake_core::wire::split(archive);
                    let msg = Response::Scanned {
                        archive: Box::new(stripped),
                        millis: now() - started,
                        indexing,
                    };
                    post(scope, &msg, Some(&wire));
                    // After the first view is on its way: a fold of every entry, the one
                    // part of the figures that costs (about 0.5 s on 200,000 files).
                    if indexing {
                        let summaries = archive
                            .images
                            .iter()
                            .map(|img| indexed(archive, img).then(|| summarize(archive, img)))
                            .collect();
                        post(scope, &Response::Summarized { summaries }, None);
                    }
                    state.reading = Some(r);
                }
                Err(e) => post(
                    scope,
                    &Response::Failed {
                        message: e.to_string(),
                    },
                    None,
                ),
            }
        }
        Request::Hash { job } => {
            // Async: the WebCrypto path awaits the browser (see `hashing`). The page sends a
            // hasher its next job only after this one's facts, so jobs never overlap here.
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
                let facts = crate::hashing::hash_job(source.as_ref(), &job, &mut report).await;
                let msg = Response::Facts {
                    member,
                    facts: Box::new(facts),
                    millis: now() - started,
                };
                post(&scope, &msg, None);
            });
        }
        Request::Facts { member, facts, .. } => {
            if let Some(r) = state.reading.as_mut() {
                r.apply(member, *facts);
                // The page's thread must not resolve (it walks every layer index): it takes
                // the images and problems from here.
                let msg = Response::Resolved {
                    applied: r.applied(),
                    resolution: Box::new(r.resolution()),
                };
                post(scope, &msg, None);
            }
        }
        // A save has a worker of its own (`worker_export`): no reading is needed here.
        Request::Export { job } => crate::worker_export::serve(scope, source, job),
        Request::ExportMore => crate::worker_export::more(scope),
        Request::ReadContent { member, path, max } => {
            let result = match &state.reading {
                Some(r) => archive::read_entry_content(
                    source.as_ref(),
                    r.archive_unresolved(),
                    member,
                    &path,
                    usize::try_from(max).unwrap_or(usize::MAX),
                )
                .map_err(|e| e.to_string()),
                None => Err("the archive has not been read yet".to_string()),
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
