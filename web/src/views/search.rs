//! Path search over every layer of the image — or of every image of the session: one box
//! (substring, or glob with `*?[`, the core's `analyze::path_history` rules), each hit listed
//! with its history — added in layer N, modified in …, deleted in … (whiteout, opaque
//! directory, replaced), with sizes — layers numbered from 1 at the base as the stack numbers
//! them. A history step is a button: it shows that image (and its file), jumps to that
//! layer's changes, filtered to the path, and opens the file's content there.
//!
//! When the session holds more than one image, a scope choice ("This image" / "All N
//! images") sits by the box; hits are then grouped under each image's name (its tag, and its
//! file's name when the session has several files), in session order.
//!
//! The searching itself runs in each file's scanner worker (`Request::Search`), which builds
//! an image's index once, the first time it is searched, and keeps it: building the index of a
//! 200,000-file image folds every entry (about half a second) and one query scans 200,000
//! paths, and neither may block the page's thread for more than a few milliseconds. Typing is
//! debounced; the page only receives and renders at most [`SHOWN`] hits for one image
//! ([`SHOWN_EACH`] per image across the session) and says how many more matched. An image
//! whose layers are not all indexed yet (still being read) says so, and only it is searched
//! again when its file's facts arrive (the other groups and the status stay as they are).
//! Once no more facts will come (hashing done, cancelled or failed), the layers without an
//! index are left out and named.

use std::rc::Rc;

use crate::figures::human_size;
use pancake_core::analyze::path_history::{DeletedBy, Found, Pattern};
use pancake_core::analyze::union::{self, Change, FileRow};
use pancake_core::{Archive, EntryKind, RawPath};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::container::PoolHandle;
use super::use_lang;
use crate::i18n::{t, tf, Lang};
use crate::protocol::SearchAnswer;
use crate::session::ImageKey;
use crate::state::ArchiveRef;
use crate::worker_glue::Pool;

/// Hits rendered at most for the image shown; the count says how many matched in all.
pub const SHOWN: usize = 200;
/// Hits rendered at most per image when the whole session is searched.
pub const SHOWN_EACH: usize = 100;
/// Typing pause (ms) before the query runs.
const DEBOUNCE_MS: u32 = 180;

/// One image the search can cover.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// Its file (reader generation) and index there.
    pub key: ImageKey,
    pub archive: ArchiveRef,
    /// Its name as the image picker shows it (first tag, else short ID, else where found).
    pub name: String,
    /// Its file's name, when the session holds several files (else `None`).
    pub file: Option<String>,
}

/// Where a hit's history step leads: image `key`, layer `layer` (0-based), the Files filter
/// set to the path (`filter`, its shown form), and the row whose content opens (`None`: a
/// deletion, a directory or a link, nothing to open). For an image too large to fold on the
/// page's thread, `ask` is the path whose row (in the filesystem after `layer`) the file's
/// scanner is to find (with the archive, to fold here when no scanner can), and `row` is
/// `None`.
#[derive(Clone, Debug)]
pub struct Jump {
    pub key: ImageKey,
    pub layer: usize,
    pub filter: String,
    pub row: Option<FileRow>,
    pub ask: Option<(ArchiveRef, RawPath)>,
}

/// What the search may cover and how it reaches the readers.
#[derive(Clone, PartialEq)]
pub struct Scope {
    /// The image shown.
    pub shown: ImageKey,
    /// Every image of the session, in session order (`session::session_images`); with fewer
    /// than two, no scope choice is offered.
    pub images: Rc<Vec<Target>>,
    /// The shown file is still being read: its reader cannot be left for another file yet,
    /// so hits of other files cannot be opened (as the image picker's chips).
    pub busy: bool,
    pub pool: PoolHandle,
    /// A history step was chosen.
    pub on_jump: Callback<Jump>,
}

#[derive(Properties, PartialEq)]
pub struct SearchProps {
    pub archive: ArchiveRef,
    pub image: usize,
    pub scope: Scope,
}

/// One image's part of the last query: `None` while its worker has not answered.
type Group = (ImageKey, Option<SearchAnswer>);

/// What the last query gave.
#[derive(Clone, Debug, Default, PartialEq)]
struct Results {
    /// The serial of the query these results are about (answers of older ones are dropped).
    serial: u32,
    body: Body,
}

#[derive(Clone, Debug, Default, PartialEq)]
enum Body {
    #[default]
    Idle,
    /// The query text, and the reason why it is not a valid glob.
    Invalid(String, String),
    /// The query text and each image's answer, in scope order.
    Groups(String, Vec<Group>),
}

enum Msg {
    Idle(u32),
    Invalid(u32, String, String),
    Start(u32, String, Vec<ImageKey>),
    Answer(u32, ImageKey, SearchAnswer),
}

impl Reducible for Results {
    type Action = Msg;
    fn reduce(self: Rc<Self>, msg: Msg) -> Rc<Self> {
        let next = match msg {
            Msg::Idle(serial) => Results {
                serial,
                body: Body::Idle,
            },
            Msg::Invalid(serial, q, why) => Results {
                serial,
                body: Body::Invalid(q, why),
            },
            Msg::Start(serial, q, keys) => Results {
                serial,
                body: Body::Groups(q, keys.into_iter().map(|k| (k, None)).collect()),
            },
            Msg::Answer(serial, key, answer) => {
                let Body::Groups(q, groups) = &self.body else {
                    return self;
                };
                if serial != self.serial {
                    return self;
                }
                let groups = groups
                    .iter()
                    .map(|(k, a)| match *k == key {
                        true => (*k, Some(answer.clone())),
                        false => (*k, a.clone()),
                    })
                    .collect();
                Results {
                    serial,
                    body: Body::Groups(q.clone(), groups),
                }
            }
        };
        Rc::new(next)
    }
}

impl Results {
    /// The images worth asking again once facts arrive, in scope order: those whose layers
    /// were not all indexed when asked (`NotIndexed`, or found with layers left out).
    fn to_ask_again(&self) -> Vec<ImageKey> {
        match &self.body {
            Body::Groups(_, g) => g
                .iter()
                .filter(|(_, a)| match a {
                    Some(SearchAnswer::NotIndexed) => true,
                    Some(SearchAnswer::Found(_, missing)) => !missing.is_empty(),
                    _ => false,
                })
                .map(|(k, _)| *k)
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// Layer blobs of `a` with an index (their facts applied, or walked).
fn indexed_layers(a: &Archive) -> usize {
    a.members.iter().filter(|m| m.facts.layer.is_some()).count()
}

/// Sends query `query` (serial `n`) for image `key` to its reader; the answer fills its
/// group unless a newer query started meanwhile.
fn ask(
    pool: &PoolHandle,
    results: &UseReducerHandle<Results>,
    n: u32,
    key: ImageKey,
    query: String,
    limit: usize,
) {
    let results = results.clone();
    let answer = Callback::from(move |a: SearchAnswer| results.dispatch(Msg::Answer(n, key, a)));
    Pool::search(&pool.0, key.archive, key.image, query, limit, answer);
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

/// "Paths found: N" (with how many are listed and how many more, when not all are).
fn count_text(lang: Lang, found: &Found) -> String {
    let shown = found.histories.len();
    if found.total > shown {
        tf(
            lang,
            "search-count-some",
            &[
                ("count", &crate::figures::count(lang, found.total)),
                ("shown", &crate::figures::count(lang, shown)),
                ("more", &crate::figures::count(lang, found.total - shown)),
            ],
        )
    } else {
        tf(
            lang,
            "search-count",
            &[("count", &crate::figures::count(lang, found.total))],
        )
    }
}

/// "Layers N, M were not read; their paths are not searched" (layers numbered from 1), or
/// nothing when every layer was searched.
fn missing_text(lang: Lang, missing: &[usize]) -> Option<String> {
    if missing.is_empty() {
        return None;
    }
    let layers: Vec<String> = missing.iter().map(|l| (l + 1).to_string()).collect();
    let key = match missing.len() {
        1 => "search-missing-layer",
        _ => "search-missing-layers",
    };
    Some(tf(lang, key, &[("layers", &layers.join(", "))]))
}

fn missing_html(lang: Lang, missing: &[usize]) -> Html {
    match missing_text(lang, missing) {
        Some(text) => html! {
            <p class="search-status small warn" data-testid="search-missing"
                data-layers={missing.iter().map(|l| (l + 1).to_string()).collect::<Vec<_>>().join(",")}>{ text }</p>
        },
        None => html! {},
    }
}

/// The row to open for a history step: the file as layer `layer` left it (a hard link: the
/// bytes it shows); `None` for a deletion or what has no content to show. `Err(())`: the
/// image is too large to fold here, the scanner is to be asked (`Jump::ask`).
fn row_at(
    archive: &ArchiveRef,
    image: usize,
    layer: usize,
    path: &RawPath,
    change: Change,
    kind: EntryKind,
) -> Result<Option<FileRow>, ()> {
    let file = matches!(kind, EntryKind::File | EntryKind::Hardlink);
    let Some(img) = archive
        .images
        .get(image)
        .filter(|_| change != Change::Deleted && file)
    else {
        return Ok(None);
    };
    if super::files::entries_upto(archive, img, layer) >= super::files::FOLD_ON_WORKER {
        return Err(());
    }
    Ok(merged_row(archive, image, layer, path))
}

/// `path`'s row in the filesystem of image `image` after layer `layer`, folded here, when it
/// has bytes to show.
pub fn merged_row(
    archive: &ArchiveRef,
    image: usize,
    layer: usize,
    path: &RawPath,
) -> Option<FileRow> {
    let rows = union::merged(archive, archive.images.get(image)?, layer);
    rows.binary_search_by(|r| r.path.cmp(path))
        .ok()
        .and_then(|i| rows.get(i).cloned())
        .filter(|r| r.content.is_some())
}

/// One image's hits, as today's list: path, "not in the final image", history buttons.
fn hits_html(lang: Lang, target: &Target, found: &Found, scope: &Scope) -> Html {
    // Hits of another file cannot be opened while the shown file is read: their steps stay
    // focusable (aria-disabled, not disabled) and a note says why.
    let locked = scope.busy && target.key.archive != scope.shown.archive;
    let note_id = format!("search-locked-{}-{}", target.key.archive, target.key.image);
    html! {
        <>
        { if locked && !found.histories.is_empty() {
            html! { <p class="small muted search-locked" id={note_id.clone()} data-testid="search-locked">{ t(lang, "search-locked") }</p> }
        } else { html! {} } }
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
                                    _ => human_size(lang, e.size),
                                };
                                let onclick = {
                                    let on_jump = scope.on_jump.clone();
                                    let archive = target.archive.clone();
                                    let key = target.key;
                                    let (p, layer, change, kind) = (h.path.clone(), e.layer, e.change, e.kind);
                                    let filter = path.clone();
                                    Callback::from(move |_: MouseEvent| {
                                        if locked {
                                            return;
                                        }
                                        let (row, ask) = match row_at(&archive, key.image, layer, &p, change, kind) {
                                            Ok(row) => (row, None),
                                            Err(()) => (None, Some((archive.clone(), p.clone()))),
                                        };
                                        on_jump.emit(Jump { key, layer, filter: filter.clone(), row, ask });
                                    })
                                };
                                let ch = super::files::change_id(e.change);
                                html! {
                                    <li>
                                        <button type="button" class={classes!("search-event", format!("ch-{ch}"))}
                                            data-testid="search-event" data-layer={(e.layer + 1).to_string()}
                                            data-change={ch} aria-disabled={locked.then_some("true")}
                                            aria-describedby={locked.then(|| note_id.clone())} {onclick}>
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

/// "Not a valid pattern: …": the reason is the `fast-glob` crate's English words, marked as
/// English and not to be translated, in either language.
fn invalid_html(lang: Lang, reason: &str) -> Html {
    html! {
        <>{ t(lang, "search-invalid") }{ " " }<span lang="en" translate="no">{ reason.to_string() }</span></>
    }
}

#[function_component(Search)]
pub fn search(p: &SearchProps) -> Html {
    let lang = use_lang();
    let text = use_state(String::new);
    // The query the debounce let through (what is searched).
    let committed = use_state(String::new);
    let all = use_state(|| false);
    let results = use_reducer(Results::default);
    let serial = use_mut_ref(|| 0u32);
    let timer = use_mut_ref(|| None::<gloo::timers::callback::Timeout>);

    let several = p.scope.images.len() > 1;
    let all_on = *all && several;
    // The images searched, in the order their groups are listed.
    let targets: Vec<Target> = if all_on {
        (*p.scope.images).clone()
    } else {
        let named = p
            .scope
            .images
            .iter()
            .find(|t| t.key == p.scope.shown)
            .cloned();
        vec![named.unwrap_or_else(|| Target {
            key: p.scope.shown,
            archive: p.archive.clone(),
            name: crate::text::image_name(&p.archive, p.image),
            file: None,
        })]
    };
    let keys: Vec<ImageKey> = targets.iter().map(|t| t.key).collect();

    // The query runs when it changes and when the scope changes (another image shown, a file
    // added, "all" chosen): every group starts over.
    {
        let results = results.clone();
        let serial = serial.clone();
        let pool = p.scope.pool.clone();
        use_effect_with(
            ((*committed).clone(), keys.clone(), all_on),
            move |(query, keys, all_on)| {
                let n = serial.borrow().wrapping_add(1);
                *serial.borrow_mut() = n;
                if query.is_empty() {
                    results.dispatch(Msg::Idle(n));
                } else if let Err(e) = Pattern::parse(query) {
                    results.dispatch(Msg::Invalid(n, query.clone(), e.0));
                } else {
                    results.dispatch(Msg::Start(n, query.clone(), keys.clone()));
                    let limit = if *all_on { SHOWN_EACH } else { SHOWN };
                    for key in keys.iter().copied() {
                        ask(&pool, &results, n, key, query.clone(), limit);
                    }
                }
            },
        );
    }
    // New layer indexes (a layer's facts applied: its file has more indexed layers): only the
    // images answered NotIndexed, or searched without some layers, are asked again, under the
    // same query serial; every group keeps its answer until the new one replaces it, so hits
    // and the status line stay put. Nothing here depends on the answers, so answers never
    // trigger another round: at most one re-ask per image per facts batch. (Keyed on the
    // count, not on the archive value, which changes again when the scanner's resolution of
    // those facts comes: a re-ask then, before the first re-ask's answer, asked twice.)
    {
        let results = results.clone();
        let serial = serial.clone();
        let pool = p.scope.pool.clone();
        let shown = p.scope.shown;
        let facts: Vec<usize> = targets
            .iter()
            .map(|t| match t.key == shown {
                true => indexed_layers(&p.archive),
                false => indexed_layers(&t.archive),
            })
            .collect();
        use_effect_with(facts, move |_| {
            let n = *serial.borrow();
            if results.serial != n {
                return;
            }
            if let Body::Groups(query, _) = &results.body {
                let limit = if all_on { SHOWN_EACH } else { SHOWN };
                for key in results.to_ask_again() {
                    ask(&pool, &results, n, key, query.clone(), limit);
                }
            }
        });
    }

    let oninput = {
        let text = text.clone();
        let committed = committed.clone();
        let timer = timer.clone();
        Callback::from(move |e: InputEvent| {
            let Some(inp) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            let query = inp.value();
            text.set(query.clone());
            let committed = committed.clone();
            // Dropping the previous timeout cancels it: only the last keystroke's query runs.
            *timer.borrow_mut() = Some(gloo::timers::callback::Timeout::new(
                DEBOUNCE_MS,
                move || committed.set(query),
            ));
        })
    };
    let set_all = |v: bool| {
        let all = all.clone();
        Callback::from(move |_: MouseEvent| all.set(v))
    };

    let status = |query: &str, text: Html, total: Option<usize>, warn: bool| {
        html! {
            <p class={classes!("search-status", if warn { "warn" } else { "small" })} role="status"
                data-testid="search-status" data-query={query.to_string()}
                data-total={total.map(|n| n.to_string())}>{ text }</p>
        }
    };
    let body = match &results.body {
        Body::Idle => html! {},
        Body::Invalid(query, reason) => status(query, invalid_html(lang, reason), None, true),
        Body::Groups(query, groups) => {
            let done = groups.iter().all(|(_, a)| a.is_some());
            let total: usize = groups
                .iter()
                .map(|(_, a)| match a {
                    Some(SearchAnswer::Found(f, _)) => f.total,
                    _ => 0,
                })
                .sum();
            // The status names its query only once every image answered: tests and screen
            // readers wait for that.
            let head = if !done {
                html! { <p class="search-status small" role="status" data-testid="search-status">{ t(lang, "search-searching") }</p> }
            } else if all_on {
                let text = tf(
                    lang,
                    "search-count-all",
                    &[
                        ("count", &crate::figures::count(lang, total)),
                        ("images", &groups.len().to_string()),
                    ],
                );
                status(query, html! { { text } }, Some(total), false)
            } else {
                match groups.first() {
                    Some((_, Some(SearchAnswer::Found(f, _)))) => status(
                        query,
                        html! { { count_text(lang, f) } },
                        Some(f.total),
                        false,
                    ),
                    _ => status(query, html! {}, Some(0), false),
                }
            };
            let group = |(key, answer): &Group| -> Html {
                let Some(target) = targets.iter().find(|t| t.key == *key) else {
                    return html! {};
                };
                let (state, line, hits) = match answer {
                    None => (
                        "waiting",
                        html! { { t(lang, "search-searching") } },
                        html! {},
                    ),
                    Some(SearchAnswer::Found(f, missing)) => (
                        "found",
                        html! { { count_text(lang, f) } },
                        html! { <>{ missing_html(lang, missing) }{ hits_html(lang, target, f, &p.scope) }</> },
                    ),
                    Some(SearchAnswer::NotIndexed) => (
                        "pending",
                        html! { { t(lang, "search-not-indexed") } },
                        html! {},
                    ),
                    Some(SearchAnswer::Unavailable) => (
                        "unavailable",
                        html! { { t(lang, "search-unavailable") } },
                        html! {},
                    ),
                    Some(SearchAnswer::Invalid(why)) => {
                        ("invalid", invalid_html(lang, why), html! {})
                    }
                };
                let total = match answer {
                    Some(SearchAnswer::Found(f, _)) => Some(f.total.to_string()),
                    _ => None,
                };
                if !all_on {
                    // One image: its list as before, its state said only when it has no hits.
                    return match answer {
                        Some(SearchAnswer::Found(..)) => hits,
                        None => html! {},
                        _ => html! {
                            <p class={classes!("search-status", "small", (state != "pending").then_some("warn"))}
                                data-testid="search-group-state" data-state={state}>{ line }</p>
                        },
                    };
                }
                let current = *key == p.scope.shown;
                let head_id = format!("search-group-{}-{}", key.archive, key.image);
                html! {
                    <section class={classes!("search-group", current.then_some("current"))} data-testid="search-group"
                        data-name={target.name.clone()} data-file={target.file.clone()} data-state={state}
                        data-total={total} aria-labelledby={head_id.clone()}>
                        <h3 class="search-group-head" id={head_id}>
                            <span class="mono ellipsis" data-testid="search-group-name">{ target.name.clone() }</span>
                            { match &target.file {
                                Some(f) => html! { <span class="muted small ellipsis" data-testid="search-group-file">{ f.clone() }</span> },
                                None => html! {},
                            } }
                            { if current { html! { <span class="search-shown small">{ t(lang, "search-group-shown") }</span> } } else { html! {} } }
                        </h3>
                        <p class={classes!("search-group-state", "small", (state == "unavailable" || state == "invalid").then_some("warn"))}
                            data-testid="search-group-state">{ line }</p>
                        { hits }
                    </section>
                }
            };
            html! {
                <>
                    { head }
                    { if all_on {
                        html! { <div class="search-groups" data-testid="search-groups">{ for groups.iter().map(group) }</div> }
                    } else {
                        html! { <>{ for groups.iter().map(group) }</> }
                    } }
                </>
            }
        }
    };

    let scope_choice = if several {
        let n = p.scope.images.len().to_string();
        html! {
            <div class="segmented search-scope" role="group" aria-label={t(lang, "search-scope")} data-testid="search-scope">
                <button type="button" aria-pressed={(!all_on).to_string()} data-testid="search-scope-this"
                    onclick={set_all(false)}>{ t(lang, "search-scope-this") }</button>
                <button type="button" aria-pressed={all_on.to_string()} data-testid="search-scope-all"
                    onclick={set_all(true)}>{ tf(lang, "search-scope-all", &[("count", &n)]) }</button>
            </div>
        }
    } else {
        html! {}
    };

    html! {
        <section class="search" aria-label={t(lang, "search-title")} data-testid="search">
            <div class="search-row">
                <label class="field search-field">
                    <span>{ t(lang, "search-title") }</span>
                    <input type="search" placeholder={t(lang, "search-placeholder")} value={(*text).clone()}
                        {oninput} data-testid="search-input" autocomplete="off" spellcheck="false" />
                </label>
                { scope_choice }
            </div>
            <p class="small search-hint">{ t(lang, "search-hint") }</p>
            { body }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(archive: u32, image: usize) -> ImageKey {
        ImageKey { archive, image }
    }

    /// Each image's answer fills its own group, in scope order; an answer to an older query
    /// (a previous serial) changes nothing; an image not indexed yet asks for a retry.
    #[test]
    fn answers_fill_their_groups_and_stale_ones_are_dropped() {
        let r = Rc::new(Results::default());
        let r = r.reduce(Msg::Start(4, "hello".into(), vec![key(1, 0), key(2, 0)]));
        let found = Found {
            total: 3,
            histories: Vec::new(),
        };
        let r = r.reduce(Msg::Answer(
            4,
            key(2, 0),
            SearchAnswer::Found(found.clone(), Vec::new()),
        ));
        let stale = r
            .clone()
            .reduce(Msg::Answer(3, key(1, 0), SearchAnswer::Unavailable));
        assert_eq!(stale, r, "an older query's answer is dropped");
        assert_eq!(
            r.body,
            Body::Groups(
                "hello".into(),
                vec![
                    (key(1, 0), None),
                    (
                        key(2, 0),
                        Some(SearchAnswer::Found(found.clone(), Vec::new()))
                    )
                ]
            )
        );
        assert!(r.to_ask_again().is_empty());
        let r = r.reduce(Msg::Answer(4, key(1, 0), SearchAnswer::NotIndexed));
        assert_eq!(r.to_ask_again(), vec![key(1, 0)]);
        // Asked again: the found group keeps its answer; a partial answer is asked again
        // when facts come, a complete one no more.
        let r = r.reduce(Msg::Answer(
            4,
            key(1, 0),
            SearchAnswer::Found(found.clone(), vec![0]),
        ));
        assert_eq!(r.to_ask_again(), vec![key(1, 0)]);
        let r = r.reduce(Msg::Answer(
            4,
            key(1, 0),
            SearchAnswer::Found(found.clone(), Vec::new()),
        ));
        assert!(r.to_ask_again().is_empty());
        assert_eq!(
            r.body,
            Body::Groups(
                "hello".into(),
                vec![
                    (
                        key(1, 0),
                        Some(SearchAnswer::Found(found.clone(), Vec::new()))
                    ),
                    (
                        key(2, 0),
                        Some(SearchAnswer::Found(found.clone(), Vec::new()))
                    )
                ]
            )
        );
        let r = r.reduce(Msg::Invalid(5, "[x".into(), "unclosed".into()));
        assert_eq!(r.body, Body::Invalid("[x".into(), "unclosed".into()));
        let late = r
            .clone()
            .reduce(Msg::Answer(5, key(1, 0), SearchAnswer::NotIndexed));
        assert_eq!(late, r, "no groups to fill");
    }

    #[test]
    fn layers_left_out_are_named_from_1() {
        assert_eq!(missing_text(Lang::En, &[]), None);
        assert_eq!(
            missing_text(Lang::En, &[0, 2]).as_deref(),
            Some("Layers 1, 3 were not read; their paths are not searched.")
        );
        assert_eq!(
            missing_text(Lang::En, &[4]).as_deref(),
            Some("Layer 5 was not read; its paths are not searched.")
        );
        assert_eq!(
            missing_text(Lang::Id, &[0, 2]).as_deref(),
            Some("Layer 1, 3 tidak dibaca; path di dalamnya tidak dicari.")
        );
    }

    #[test]
    fn the_count_says_how_many_more_matched() {
        use pancake_core::analyze::path_history::PathHistory;
        let found = |total, listed: usize| Found {
            total,
            histories: (0..listed)
                .map(|i| PathHistory {
                    path: RawPath::from(format!("f{i}").as_str()),
                    events: Vec::new(),
                })
                .collect(),
        };
        assert_eq!(count_text(Lang::En, &found(2, 2)), "Paths found: 2");
        assert_eq!(
            count_text(Lang::En, &found(7, 2)),
            "Paths found: 7 (the first 2 are listed, 5 more are not)"
        );
        assert_eq!(
            count_text(Lang::Id, &found(7, 2)),
            "Path ditemukan: 7 (2 yang pertama ditampilkan, 5 lainnya tidak)"
        );
        // Thousands grouped as each language writes them.
        assert_eq!(
            count_text(Lang::En, &found(200_000, 100)),
            "Paths found: 200,000 (the first 100 are listed, 199,900 more are not)"
        );
        assert_eq!(
            count_text(Lang::Id, &found(200_000, 100)),
            "Path ditemukan: 200.000 (100 yang pertama ditampilkan, 199.900 lainnya tidak)"
        );
    }
}
