//! Path search over every layer of the image: one box (substring, or glob with `*?[`, the
//! core's `analyze::path_history` rules), each hit listed with its history — added in layer N,
//! modified in …, deleted in … (whiteout, opaque directory, replaced), with sizes — layers
//! numbered from 1 at the base as the stack numbers them. A history step is a button: it jumps
//! to that layer's changes, filtered to the path, and opens the file's content there.
//!
//! The index is built once per image, the first time a query is typed, and kept; typing is
//! debounced, each query is one pass over the distinct paths, and at most [`SHOWN`] hits are
//! rendered, so a 200,000-file layer does not freeze the page while typing.

use std::cell::RefCell;
use std::rc::Rc;

use pancake_core::analyze::path_history::{DeletedBy, Found, PathIndex, Pattern};
use pancake_core::analyze::union::{self, Change, FileRow};
use pancake_core::units::human_size;
use pancake_core::{EntryKind, RawPath};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::use_lang;
use crate::i18n::{t, tf};
use crate::state::ArchiveRef;

/// Hits rendered at most; the count says how many matched in all.
const SHOWN: usize = 200;
/// Typing pause (ms) before the query runs.
const DEBOUNCE_MS: u32 = 180;

#[derive(Properties, PartialEq)]
pub struct SearchProps {
    pub archive: ArchiveRef,
    pub image: usize,
    /// Jump to a layer (0-based).
    pub on_layer: Callback<Option<usize>>,
    pub on_merged: Callback<bool>,
    pub on_filter: Callback<String>,
    /// Open a file's content (the row as it stands after the chosen layer).
    pub on_open: Callback<FileRow>,
}

/// What the last query gave.
#[derive(Clone, PartialEq)]
enum Outcome {
    Idle,
    /// The query text and what it found.
    Found(String, Rc<Found>),
    /// The query text, and the reason why it is not a valid glob.
    Invalid(String, String),
}

/// The index of one image, kept while the same archive and image are shown.
type Cache = Option<(ArchiveRef, usize, Rc<PathIndex>)>;

fn index_for(cache: &RefCell<Cache>, archive: &ArchiveRef, image: usize) -> Option<Rc<PathIndex>> {
    if let Some((a, i, ix)) = &*cache.borrow() {
        if a == archive && *i == image {
            return Some(ix.clone());
        }
    }
    let img = archive.images.get(image)?;
    let ix = Rc::new(PathIndex::build(archive, img));
    *cache.borrow_mut() = Some((archive.clone(), image, ix.clone()));
    Some(ix)
}

fn change_key(e: Change, by: Option<DeletedBy>) -> &'static str {
    match (e, by) {
        (Change::Added, _) => "search-added",
        (Change::Modified, _) => "search-modified",
        (Change::Deleted, Some(DeletedBy::Whiteout)) => "search-deleted-whiteout",
        (Change::Deleted, Some(DeletedBy::OpaqueDir)) => "search-deleted-opaque",
        (Change::Deleted, _) => "search-deleted-replaced",
        (Change::Unchanged, _) => "search-modified",
    }
}

#[function_component(Search)]
pub fn search(p: &SearchProps) -> Html {
    let lang = use_lang();
    let text = use_state(String::new);
    let outcome = use_state(|| Outcome::Idle);
    let cache = use_mut_ref(|| None::<(ArchiveRef, usize, Rc<PathIndex>)>);
    let timer = use_mut_ref(|| None::<gloo::timers::callback::Timeout>);

    // A new archive or image: the old hits no longer apply.
    {
        let outcome = outcome.clone();
        let text = text.clone();
        use_effect_with((p.archive.clone(), p.image), move |_| {
            outcome.set(Outcome::Idle);
            text.set(String::new());
        });
    }

    let oninput = {
        let text = text.clone();
        let outcome = outcome.clone();
        let cache = cache.clone();
        let timer = timer.clone();
        let archive = p.archive.clone();
        let image = p.image;
        Callback::from(move |e: InputEvent| {
            let Some(inp) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            let query = inp.value();
            text.set(query.clone());
            let outcome = outcome.clone();
            let cache = cache.clone();
            let archive = archive.clone();
            // Dropping the previous timeout cancels it: only the last keystroke's query runs.
            *timer.borrow_mut() = Some(gloo::timers::callback::Timeout::new(
                DEBOUNCE_MS,
                move || {
                    if query.is_empty() {
                        return outcome.set(Outcome::Idle);
                    }
                    match Pattern::parse(&query) {
                        Err(e) => outcome.set(Outcome::Invalid(query.clone(), e.0)),
                        Ok(pat) => {
                            if let Some(ix) = index_for(&cache, &archive, image) {
                                let found = Rc::new(ix.find(&pat, SHOWN));
                                outcome.set(Outcome::Found(query.clone(), found));
                            }
                        }
                    }
                },
            ));
        })
    };

    let jump = {
        let p_layer = p.on_layer.clone();
        let p_merged = p.on_merged.clone();
        let p_filter = p.on_filter.clone();
        let p_open = p.on_open.clone();
        let archive = p.archive.clone();
        let image = p.image;
        move |path: RawPath, layer: usize, change: Change, kind: EntryKind| {
            let (p_layer, p_merged, p_filter, p_open) = (
                p_layer.clone(),
                p_merged.clone(),
                p_filter.clone(),
                p_open.clone(),
            );
            let archive = archive.clone();
            Callback::from(move |_: MouseEvent| {
                p_layer.emit(Some(layer));
                p_merged.emit(false);
                p_filter.emit(path.display().into_owned());
                let file = matches!(kind, EntryKind::File | EntryKind::Hardlink);
                if change != Change::Deleted && file {
                    // The file as that layer left it (a hard link: the bytes it shows).
                    let row = archive.images.get(image).and_then(|img| {
                        let rows = union::merged(&archive, img, layer);
                        rows.binary_search_by(|r| r.path.cmp(&path))
                            .ok()
                            .and_then(|i| rows.get(i).cloned())
                    });
                    if let Some(row) = row.filter(|r| r.content.is_some()) {
                        p_open.emit(row);
                    }
                }
            })
        }
    };

    let results = match &*outcome {
        Outcome::Idle => html! {},
        Outcome::Invalid(query, reason) => html! {
            <p class="search-status warn" role="status" data-testid="search-status" data-query={query.clone()}>
                { tf(lang, "search-invalid", &[("reason", reason)]) }
            </p>
        },
        Outcome::Found(query, found) => {
            let status = if found.total > found.histories.len() {
                tf(
                    lang,
                    "search-count-some",
                    &[
                        ("count", &found.total.to_string()),
                        ("shown", &found.histories.len().to_string()),
                    ],
                )
            } else {
                tf(lang, "search-count", &[("count", &found.total.to_string())])
            };
            html! {
                <>
                    <p class="search-status small" role="status" data-testid="search-status"
                        data-query={query.clone()} data-total={found.total.to_string()}>{ status }</p>
                    <ul class="search-hits" data-testid="search-hits">
                        { for found.histories.iter().map(|h| {
                            let path = h.path.display().into_owned();
                            let present = h.present_at_top();
                            html! {
                                <li class="search-hit" data-testid="search-hit" data-path={path.clone()}>
                                    <div class="search-path mono">
                                        { path.clone() }
                                        { if !present {
                                            html! { <span class="search-gone">{ t(lang, "search-gone") }</span> }
                                        } else { html! {} } }
                                    </div>
                                    <ol class="search-events">
                                        { for h.events.iter().map(|e| {
                                            let label = tf(lang, change_key(e.change, e.deleted_by),
                                                &[("n", &(e.layer + 1).to_string())]);
                                            let size = match e.kind {
                                                EntryKind::Dir => String::new(),
                                                _ => human_size(e.size),
                                            };
                                            let onclick = jump(h.path.clone(), e.layer, e.change, e.kind);
                                            let ch = super::files::change_id(e.change);
                                            html! {
                                                <li>
                                                    <button type="button" class={classes!("search-event", format!("ch-{ch}"))}
                                                        data-testid="search-event" data-layer={(e.layer + 1).to_string()}
                                                        data-change={ch} {onclick}>
                                                        <span>{ label }</span>
                                                        { if size.is_empty() { html! {} } else {
                                                            html! { <span class="search-size">{ size }</span> }
                                                        } }
                                                    </button>
                                                </li>
                                            }
                                        }) }
                                    </ol>
                                </li>
                            }
                        }) }
                    </ul>
                </>
            }
        }
    };

    html! {
        <section class="search" aria-label={t(lang, "search-title")} data-testid="search">
            <label class="field search-field">
                <span>{ t(lang, "search-title") }</span>
                <input type="search" placeholder={t(lang, "search-placeholder")} value={(*text).clone()}
                    {oninput} data-testid="search-input" autocomplete="off" spellcheck="false" />
            </label>
            <p class="small search-hint">{ t(lang, "search-hint") }</p>
            { results }
        </section>
    }
}
