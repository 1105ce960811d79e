//! One "save" button over `worker_export` (issue 15), shared by a layer's "as .tar" and a
//! file's "Download". Where the browser has `showSaveFilePicker` it first asks where to save
//! (the name suggested; closing the picker does nothing) and the worker's chunks are written
//! straight to that file; elsewhere they become `Blob` parts. It shows progress (bytes of the
//! total) with Cancel, checks what came back — a layer's sha256 against its diff_id, a file's
//! length against its size — and only then keeps the bytes (closes the chosen file, or offers
//! the `Blob` as a download). On Cancel, a mismatch, a limit or a read error: the chosen
//! file's stream is aborted (nothing is left as if complete), a typed message names the layer
//! or the file in the reader's language, and nothing is offered. A save whose button goes
//! away (its panel closed, another file opened) goes on unseen to its end (see `Slot`).

use std::rc::Rc;

use crate::figures::human_size;
use pancake_core::{Digest, RawPath};
use yew::prelude::*;

use crate::i18n::{t, tf, Lang};
use crate::state::ArchiveRef;
use crate::views::use_lang;
use crate::worker_export::{self, Export, ExportEvent, ExportJob, ExportProblem, Sink};

/// What one button saves.
#[derive(Clone, Debug, PartialEq)]
pub enum SaveTarget {
    /// Layer `number` (from 1, as the stack counts) stored in archive member `member`: its
    /// uncompressed tar, which must hash to `expected` (the diff_id the image's config names,
    /// else the one computed when the file was read; `None`: nothing to check against).
    Layer {
        member: usize,
        number: usize,
        expected: Option<Digest>,
    },
    /// The regular file `path` of layer member `member` (`size` bytes), entry `entry` of the
    /// layer's index (the copy the row shows), saved as `name`.
    File {
        member: usize,
        entry: usize,
        path: RawPath,
        size: u64,
        name: String,
    },
}

#[derive(Clone, Debug, PartialEq)]
enum Status {
    Idle,
    Running {
        done: u64,
    },
    /// Every byte is written and checked; the chosen file is being closed (put in place).
    /// Too late to cancel, so no Cancel is shown.
    Finishing,
    Saved {
        name: String,
        bytes: u64,
    },
    /// The sentence and the verbatim detail, if any.
    Failed(String, Option<String>),
    Cancelled,
}

#[derive(Properties, PartialEq)]
pub struct SaveProps {
    pub archive: ArchiveRef,
    /// The opened file the archive was read from (`None`: saving is not offered).
    pub file: Option<web_sys::File>,
    pub target: SaveTarget,
    /// The button's text.
    pub label: AttrValue,
    /// The button's `data-testid`.
    pub testid: &'static str,
    #[prop_or_default]
    pub class: Classes,
}

/// Who a message is about: "Layer 3" or the file's path.
fn subject(lang: Lang, target: &SaveTarget) -> String {
    match target {
        SaveTarget::Layer { number, .. } => {
            tf(lang, "save-layer-subject", &[("n", &number.to_string())])
        }
        SaveTarget::File { path, .. } => format!("/{}", path.display()),
    }
}

/// The technical detail of `problem` (from the decoder, the file reader or the browser),
/// shown verbatim beside the sentence, in English.
pub fn problem_detail(problem: &ExportProblem) -> Option<String> {
    match problem {
        ExportProblem::Decode { detail }
        | ExportProblem::Read { detail }
        | ExportProblem::Worker { detail } => Some(detail.clone()),
        _ => None,
    }
}

/// The reader's sentence for `problem` about `what` (its detail apart: [`problem_detail`]).
pub fn problem_text(lang: Lang, what: &str, problem: &ExportProblem) -> String {
    let w = ("what", what);
    match problem {
        ExportProblem::Changed { expected, actual } => tf(
            lang,
            "save-changed",
            &[
                w,
                ("expected", expected.as_str()),
                ("actual", actual.as_str()),
            ],
        ),
        ExportProblem::OverLimit { bound } => tf(
            lang,
            "save-over-limit",
            &[w, ("bound", &human_size(lang, *bound))],
        ),
        ExportProblem::Decode { .. } => tf(lang, "save-decode", &[w]),
        ExportProblem::Read { .. } => tf(lang, "save-read", &[w]),
        ExportProblem::EndsEarly { got, size } => tf(
            lang,
            "save-ends-early",
            &[
                w,
                ("got", &crate::figures::grouped(lang, *got)),
                ("size", &crate::figures::grouped(lang, *size)),
            ],
        ),
        ExportProblem::Worker { .. } => tf(lang, "save-worker", &[w]),
        ExportProblem::Unchecked => tf(lang, "save-unchecked", &[w]),
    }
}

/// What the worker is asked for, built when the button is pressed: the archive trimmed to
/// the one member and, of its entries, to what the save reads (`worker_export::layer_job`,
/// `worker_export::file_job`). `None` when the file's entry is not in the layer's index.
fn job(archive: &ArchiveRef, target: &SaveTarget) -> Option<ExportJob> {
    match target {
        SaveTarget::Layer { member, .. } => Some(worker_export::layer_job(archive, *member)),
        SaveTarget::File {
            member,
            entry,
            path,
            size,
            ..
        } => worker_export::file_job(
            archive,
            &worker_export::content_ref(archive, *member, *entry, path, *size)?,
        ),
    }
}

/// How a finished save is judged: the name to offer it under, or why it is refused.
pub fn judge(
    target: &SaveTarget,
    digest: Option<&Digest>,
    bytes: u64,
) -> Result<String, ExportProblem> {
    match target {
        SaveTarget::Layer { expected, .. } => match (expected, digest) {
            (Some(e), Some(d)) if e == d => Ok(format!("{}.tar", d.hex())),
            (Some(e), Some(d)) => Err(ExportProblem::Changed {
                expected: e.clone(),
                actual: d.clone(),
            }),
            _ => Err(ExportProblem::Unchecked),
        },
        SaveTarget::File { size, name, .. } => {
            if bytes == *size {
                Ok(name.clone())
            } else {
                Err(ExportProblem::EndsEarly {
                    got: bytes,
                    size: *size,
                })
            }
        }
    }
}

/// The name a save is suggested under before it runs (the picker's `suggestedName`): a
/// layer's diff_id (the name [`judge`] gives it when it matches), a file's own name. `None`
/// for a layer with no diff_id to check against: it would be refused ([`judge`]).
fn suggested(target: &SaveTarget) -> Option<String> {
    match target {
        SaveTarget::Layer { expected, .. } => expected.as_ref().map(|d| format!("{}.tar", d.hex())),
        SaveTarget::File { name, .. } => Some(name.clone()),
    }
}

/// The total a save will reach, in bytes, when known: a layer's uncompressed tar size from
/// its index, a file's size.
fn total(archive: &ArchiveRef, target: &SaveTarget) -> Option<u64> {
    match target {
        SaveTarget::Layer { member, .. } => archive
            .members
            .get(*member)
            .and_then(|m| m.facts.layer.as_ref())
            .map(|l| l.uncompressed_size)
            .filter(|n| *n > 0),
        SaveTarget::File { size, .. } => Some(*size),
    }
}

fn failed(lang: Lang, what: &str, problem: &ExportProblem) -> Status {
    Status::Failed(problem_text(lang, what, problem), problem_detail(problem))
}

/// One save started from a button. Its events hold it (and so its worker) until it ends;
/// the button holds it while it shows it. When the button stops showing it (its panel closed,
/// another file shown in it, another file opened), the save goes on unseen to its end: the
/// chosen file is still completed, or the download still offered, or on a failure the chosen
/// file still discarded. Only Cancel stops a save early.
struct Slot {
    export: std::cell::RefCell<Option<Export>>,
    shown: std::cell::Cell<bool>,
}

impl Slot {
    /// Sets the button's status while the button still shows this save.
    fn status(&self, status: &UseStateHandle<Status>, s: Status) {
        if self.shown.get() {
            status.set(s);
        }
    }
}

/// Ends the save from inside one of its own worker's events: the handle (and the closure
/// that is running now) is dropped on the next turn, not while it runs.
fn stop_later(slot: &Slot) {
    let old = slot.export.borrow_mut().take();
    gloo::timers::callback::Timeout::new(0, move || drop(old)).forget();
}

#[function_component(Save)]
pub fn save(p: &SaveProps) -> Html {
    let lang = use_lang();
    let status = use_state(|| Status::Idle);
    // The save this button shows (see `Slot`: another target or unmounting lets it go on
    // unseen; Cancel ends it).
    let running = use_mut_ref(|| None::<Rc<Slot>>);
    {
        let running = running.clone();
        let status = status.clone();
        use_effect_with(p.target.clone(), move |_| {
            move || {
                if let Some(slot) = running.borrow_mut().take() {
                    slot.shown.set(false);
                }
                status.set(Status::Idle);
            }
        });
    }
    let what = subject(lang, &p.target);
    let Some(file) = p.file.clone() else {
        return html! { <p class="muted small" data-testid="save-unavailable">{ t(lang, "save-unavailable") }</p> };
    };
    let onclick = {
        let running = running.clone();
        let status = status.clone();
        let archive = p.archive.clone();
        let target = p.target.clone();
        let what = what.clone();
        Callback::from(move |_| {
            let Some(job) = job(&archive, &target) else {
                let detail = "the file is not in the layer's index".to_string();
                return status.set(failed(lang, &what, &ExportProblem::Read { detail }));
            };
            let Some(name) = suggested(&target) else {
                return status.set(failed(lang, &what, &ExportProblem::Unchecked));
            };
            let slot = Rc::new(Slot {
                export: std::cell::RefCell::new(None),
                shown: std::cell::Cell::new(true),
            });
            if let Some(old) = running.borrow_mut().replace(slot.clone()) {
                old.shown.set(false);
            }
            let on_event = {
                let slot = slot.clone();
                let status = status.clone();
                let target = target.clone();
                let what = what.clone();
                Callback::from(move |e: ExportEvent| match e {
                    ExportEvent::Progress(done) => slot.status(&status, Status::Running { done }),
                    ExportEvent::Done {
                        blob,
                        sink,
                        digest,
                        bytes,
                    } => {
                        stop_later(&slot);
                        let judged = judge(&target, digest.as_ref(), bytes);
                        match (sink, judged) {
                            (Sink::Writable { stream, name }, Ok(_)) => {
                                slot.status(&status, Status::Finishing);
                                let status = status.clone();
                                let what = what.clone();
                                let slot = slot.clone();
                                wasm_bindgen_futures::spawn_local(async move {
                                    let s = match worker_export::commit(&stream).await {
                                        Ok(()) => Status::Saved { name, bytes },
                                        Err(detail) => {
                                            failed(lang, &what, &ExportProblem::Worker { detail })
                                        }
                                    };
                                    slot.status(&status, s);
                                });
                            }
                            (Sink::Writable { stream, .. }, Err(p)) => {
                                worker_export::discard(&stream);
                                slot.status(&status, failed(lang, &what, &p));
                            }
                            (Sink::Blob, judged) => {
                                let offered = judged.and_then(|name| {
                                    let blob = blob.ok_or_else(|| ExportProblem::Worker {
                                        detail: "no Blob was made".into(),
                                    })?;
                                    worker_export::offer(&blob, &name)
                                        .map(|_| name)
                                        .map_err(|detail| ExportProblem::Worker { detail })
                                });
                                slot.status(
                                    &status,
                                    match offered {
                                        Ok(name) => Status::Saved { name, bytes },
                                        Err(p) => failed(lang, &what, &p),
                                    },
                                );
                            }
                        }
                    }
                    ExportEvent::Failed(problem) => {
                        stop_later(&slot);
                        slot.status(&status, failed(lang, &what, &problem));
                    }
                })
            };
            let begin = {
                let slot = slot.clone();
                let status = status.clone();
                let file = file.clone();
                let what = what.clone();
                move |sink: Sink| match worker_export::start(&file, job, sink, on_event) {
                    Ok(export) => {
                        *slot.export.borrow_mut() = Some(export);
                        slot.status(&status, Status::Running { done: 0 });
                    }
                    Err(detail) => slot.status(
                        &status,
                        failed(lang, &what, &ExportProblem::Worker { detail }),
                    ),
                }
            };
            // The picker needs this click: it is opened here, only awaited later.
            match worker_export::start_save_pick(&name) {
                Some(pick) => {
                    let status = status.clone();
                    let what = what.clone();
                    let slot = slot.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        match worker_export::finish_save_pick(pick).await {
                            Ok(Some(sink)) => begin(sink),
                            // The picker was closed: nothing happens.
                            Ok(None) => {}
                            Err(detail) => slot.status(
                                &status,
                                failed(lang, &what, &ExportProblem::Worker { detail }),
                            ),
                        }
                    });
                }
                None => begin(Sink::Blob),
            }
        })
    };
    let on_cancel = {
        let running = running.clone();
        let status = status.clone();
        Callback::from(move |_| {
            if let Some(slot) = running.borrow_mut().take() {
                slot.shown.set(false);
                // Dropping the export aborts the chosen file (nothing left as if complete).
                slot.export.borrow_mut().take();
            }
            status.set(Status::Cancelled);
        })
    };
    let busy = matches!(*status, Status::Running { .. } | Status::Finishing);
    let total = total(&p.archive, &p.target);
    let shown: Rc<str> = match &*status {
        Status::Running { done } => match total {
            Some(n) => tf(
                lang,
                "save-progress",
                &[
                    ("done", &human_size(lang, *done)),
                    ("total", &human_size(lang, n)),
                ],
            ),
            None => tf(
                lang,
                "save-progress-unknown",
                &[("done", &human_size(lang, *done))],
            ),
        },
        _ => String::new(),
    }
    .into();
    html! {
        <span class={classes!("save", p.class.clone())}>
            <button type="button" class="button quiet" data-testid={p.testid} onclick={onclick}
                disabled={busy} aria-busy={busy.to_string()}>
                { p.label.clone() }
            </button>
            { match &*status {
                Status::Running { done } => html! {
                    <span class="save-progress" role="status" data-testid="save-progress">
                        <progress max={total.unwrap_or(0).max(1).to_string()}
                            value={total.map(|_| done.to_string()).unwrap_or_default()}
                            aria-label={shown.to_string()}></progress>
                        <span class="small">{ shown.to_string() }</span>
                        <button type="button" class="button quiet" data-testid="save-cancel" onclick={on_cancel}>
                            { t(lang, "save-cancel") }
                        </button>
                    </span>
                },
                Status::Finishing => html! {
                    <span class="muted small" role="status" data-testid="save-finishing">{ t(lang, "save-finishing") }</span>
                },
                Status::Saved { name, bytes } => html! {
                    <span class="muted small" role="status" data-testid="save-done" data-name={name.clone()} data-bytes={bytes.to_string()}>
                        { tf(lang, "save-done", &[("name", name), ("size", &human_size(lang, *bytes))]) }
                    </span>
                },
                Status::Cancelled => html! {
                    <span class="muted small" role="status" data-testid="save-cancelled">{ t(lang, "save-cancelled") }</span>
                },
                Status::Failed(message, detail) => html! {
                    <p class="error-text" role="alert" data-testid="save-error">
                        { message.clone() }
                        { for detail.as_ref().map(|d| html! {
                            <>{ " " }<span class="mono small" lang="en" translate="no" data-testid="save-error-detail">{ d.clone() }</span></>
                        }) }
                    </p>
                },
                Status::Idle => html! {},
            } }
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_layer_is_offered_only_under_the_digest_it_must_have() {
        let want = Digest::of_bytes(b"tar");
        let other = Digest::of_bytes(b"changed");
        let layer = |expected| SaveTarget::Layer {
            member: 1,
            number: 2,
            expected,
        };
        assert_eq!(
            judge(&layer(Some(want.clone())), Some(&want), 3),
            Ok(format!("{}.tar", want.hex()))
        );
        assert_eq!(
            judge(&layer(Some(want.clone())), Some(&other), 3),
            Err(ExportProblem::Changed {
                expected: want.clone(),
                actual: other.clone()
            })
        );
        assert_eq!(
            judge(&layer(None), Some(&other), 3),
            Err(ExportProblem::Unchecked)
        );
        let file = SaveTarget::File {
            member: 1,
            entry: 0,
            path: RawPath::from_typed("a/b"),
            size: 10,
            name: "b".into(),
        };
        assert_eq!(judge(&file, None, 10), Ok("b".into()));
        assert_eq!(
            judge(&file, None, 4),
            Err(ExportProblem::EndsEarly { got: 4, size: 10 })
        );
    }

    #[test]
    fn every_problem_names_its_subject_in_both_languages() {
        let d = Digest::of_bytes(b"x");
        let problems = [
            ExportProblem::Changed {
                expected: d.clone(),
                actual: d.clone(),
            },
            ExportProblem::OverLimit { bound: 1 << 30 },
            ExportProblem::Decode { detail: "x".into() },
            ExportProblem::Read { detail: "x".into() },
            ExportProblem::EndsEarly { got: 1, size: 2 },
            ExportProblem::Worker { detail: "x".into() },
            ExportProblem::Unchecked,
        ];
        for lang in [Lang::En, Lang::Id] {
            for p in &problems {
                let s = problem_text(lang, "Layer 3", p);
                assert!(s.starts_with("Layer 3"), "{lang:?} {p:?}: {s}");
                assert!(!s.contains("{ $"), "{lang:?} {p:?}: {s}");
                assert!(!s.contains("save-"), "{lang:?} {p:?}: a missing key: {s}");
            }
        }
    }
}
