//! Containers (issue 5): "Run container" on the shown image, each container's writable
//! layer drawn on top of the image's layers, its merged filesystem, an editor whose save
//! copies the file up, the image's copy beside it with a line diff, `docker diff`, commit
//! and export. Every rule is the core's; this view shows values and reports intent.

use std::collections::HashMap;
use std::rc::Rc;

use crate::figures::human_size;
use pancake_core::analyze::capability;
use pancake_core::analyze::summary::ImageSummary;
use pancake_core::write::container::{
    line_diff, Container, LineChange, LowerFile, MergedRow, MAX_FILE_BYTES,
};
use pancake_core::EntryKind;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::container_message;
use super::virtual_list::{flat_key_move, use_path_filter, use_roving_focus, use_virtual_window};
use super::{kind_class, layer_kind, layer_label, use_lang};
use crate::container_export::{commit_and_export, download, ExportFailure};
use crate::container_state::{
    built_lower, image_key, keep_lower, lower_of, new_name, ContainerAction, ContainerState,
    CtrMessage, LowerRef,
};
use crate::container_store;
use crate::i18n::{t, tf};
use crate::state::{ArchiveRef, StructureKey, Tab};
use crate::worker_glue::{Pool, PoolRef};

/// Must match `.ctr-row { height }` in the stylesheet.
const ROW_HEIGHT: f64 = 30.0;
const OVERSCAN: usize = 10;

/// The worker pool, compared by identity (props must be `PartialEq`).
#[derive(Clone)]
pub struct PoolHandle(pub PoolRef);

impl PartialEq for PoolHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

fn warn(msg: &str) {
    web_sys::console::warn_1(&wasm_bindgen::JsValue::from_str(msg));
}

// ---------------------------------------------------------------------------------------
// "Run container" (in the image summary) — also loads and saves the containers.

#[derive(Properties, PartialEq)]
pub struct RunProps {
    pub archive: ArchiveRef,
    pub image: usize,
    pub state: ContainerState,
    /// Every layer is read (containers need the layers' file lists).
    pub ready: bool,
    /// The reading was stopped before it was (the button stays off; its hint says why).
    pub stopped: bool,
    pub on_action: Callback<ContainerAction>,
    pub on_tab: Callback<Tab>,
}

#[function_component(RunContainer)]
pub fn run_container(p: &RunProps) -> Html {
    let lang = use_lang();
    let key = p.archive.images.get(p.image).and_then(image_key);

    // Stored containers of this image come back (IndexedDB).
    {
        let on_action = p.on_action.clone();
        use_effect_with(key.clone(), move |key| {
            if let Some(key) = key.clone() {
                wasm_bindgen_futures::spawn_local(async move {
                    let list = container_store::load(key.clone())
                        .await
                        .unwrap_or_else(|e| {
                            warn(&format!("stored containers could not be read: {e}"));
                            Vec::new()
                        });
                    on_action.emit(ContainerAction::Loaded { key, list });
                });
            }
        });
    }
    // Every changed container is stored again (each is one small record).
    let saved = use_mut_ref(|| (None::<String>, HashMap::<String, Rc<Container>>::new()));
    {
        let state = p.state.clone();
        use_effect_with(state, move |s| {
            let mut saved = saved.borrow_mut();
            if saved.0 != s.key {
                *saved = (s.key.clone(), HashMap::new());
            }
            if let (true, Some(key)) = (s.loaded, s.key.clone()) {
                for (i, c) in s.list.iter().enumerate() {
                    if saved.1.get(&c.id).is_some_and(|old| Rc::ptr_eq(old, c)) {
                        continue;
                    }
                    saved.1.insert(c.id.clone(), c.clone());
                    let (key, c) = (key.clone(), (**c).clone());
                    wasm_bindgen_futures::spawn_local(async move {
                        if let Err(e) = container_store::save(key, i as u32, c).await {
                            warn(&format!("a container could not be stored: {e}"));
                        }
                    });
                }
            }
        });
    }

    let onclick = {
        let on_action = p.on_action.clone();
        let on_tab = p.on_tab.clone();
        let taken = if p.state.key == key {
            p.state.list.clone()
        } else {
            Vec::new()
        };
        Callback::from(move |_| {
            let name = new_name(&taken, js_sys::Math::random);
            on_action.emit(ContainerAction::Run { name });
            on_tab.emit(Tab::Container);
        })
    };
    html! {
        <button type="button" class="button primary run-container" data-testid="run-container" {onclick}
            disabled={!p.ready || key.is_none()}
            title={match (key.is_none(), p.ready, p.stopped) {
                (true, _, _) => t(lang, "ctr-no-config"),
                (false, true, _) => t(lang, "ctr-run-hint"),
                (false, false, false) => t(lang, "ctr-run-wait"),
                (false, false, true) => t(lang, "ctr-run-stopped"),
            }}>
            <span aria-hidden="true">{ "▶ " }</span>{ t(lang, "ctr-run") }
        </button>
    }
}

// ---------------------------------------------------------------------------------------
// The Container tab.

#[derive(Properties, PartialEq)]
pub struct ContainerViewProps {
    pub archive: ArchiveRef,
    /// The reading `archive` came from (its scanner folds a large image's files).
    pub generation: u32,
    /// The scanner's figures for the image (a large one's layer sizes), when it sent them.
    #[prop_or_default]
    pub summary: Option<Rc<ImageSummary>>,
    /// Those figures are on their way (a large image just read): sizes say "pending".
    #[prop_or_default]
    pub summary_coming: bool,
    pub image: usize,
    pub state: ContainerState,
    pub pool: PoolHandle,
    pub on_action: Callback<ContainerAction>,
    pub on_tab: Callback<Tab>,
}

/// The files a container on `image` sees below its layer, once one is shown (`need`): built
/// here for a small image; for a large one (from [`super::files::FOLD_ON_WORKER`] entries)
/// folded by the file's scanner worker (`Pool::lower_files`) — 200,000 entries fold for
/// ~0.6 s, which froze the page — and `None` while they come. Where no reader holds the file
/// any more they are built here after all.
#[hook]
fn use_lower(
    archive: &ArchiveRef,
    image: usize,
    pool: &PoolHandle,
    generation: u32,
    need: bool,
) -> Option<LowerRef> {
    let key = (StructureKey(archive.clone()), image);
    let arrived = use_state(|| 0u32);
    // The key whose scanner could not answer: built here.
    let here = use_state(|| None::<(StructureKey, usize)>);
    let asked_last = use_mut_ref(|| None::<(StructureKey, usize)>);
    let img = archive.images.get(image);
    let large = img.is_some_and(|img| {
        super::files::entries_upto(archive, img, usize::MAX) >= super::files::FOLD_ON_WORKER
    });
    let on_page = !large || here.as_ref() == Some(&key);
    let asking = need && !on_page && built_lower(&archive.0, image).is_none();
    let top = img.and_then(|i| i.layers.len().checked_sub(1));
    {
        let (archive, pool, arrived, here) =
            (archive.clone(), pool.clone(), arrived.clone(), here.clone());
        use_effect_with((key.clone(), asking), move |(key, asking)| {
            *asked_last.borrow_mut() = None;
            // Left (another key asked, or the view closed): a late answer is dropped, never
            // kept as the memo's `Lower` while another image is shown.
            let forget = {
                let asked_last = asked_last.clone();
                move || *asked_last.borrow_mut() = None
            };
            if let (true, Some(top)) = (*asking, top) {
                *asked_last.borrow_mut() = Some(key.clone());
                let asked = key.clone();
                let answer = Callback::from(move |files: Option<Rc<Vec<LowerFile>>>| {
                    // An answer for a view already left is dropped.
                    if asked_last.borrow().as_ref() != Some(&asked) {
                        return;
                    }
                    match files {
                        Some(files) => {
                            let files = Rc::try_unwrap(files).unwrap_or_else(|f| (*f).clone());
                            keep_lower(&archive.0, image, files);
                            arrived.set(*arrived + 1);
                        }
                        None => here.set(Some(asked.clone())),
                    }
                });
                Pool::lower_files(&pool.0, generation, image, top, answer);
            }
            forget
        });
    }
    match (need, on_page) {
        (false, _) => None,
        (true, true) => lower_of(&archive.0, image),
        (true, false) => built_lower(&archive.0, image),
    }
}

#[function_component(ContainerView)]
pub fn container_view(p: &ContainerViewProps) -> Html {
    let lang = use_lang();
    let Some(img) = p.archive.images.get(p.image) else {
        return html! { <p class="empty">{ t(lang, "no-image") }</p> };
    };
    let key = image_key(img);
    let s = &p.state;
    let mine = s.key == key;
    let list: &[Rc<Container>] = if mine { &s.list } else { &[] };
    let current = if mine { s.current().cloned() } else { None };
    // Only a shown container reads the image's files: the tab opens at once on any image.
    let lower = use_lower(
        &p.archive,
        p.image,
        &p.pool,
        p.generation,
        current.is_some(),
    );
    // Where the last symlink opened in the file list led (`ContainerFiles`).
    let link_note = use_state(|| None::<super::links::LinkNote>);
    // The file the editor last left (its × or its Delete): the file list gives its row, or
    // the row that took its place, the focus the editor's button took with it.
    let focus_row = use_state(|| None::<FocusRow>);
    // Any change to the container (each is a new `Rc`) may make that note untrue: a hard
    // link's name edited is copied up, and the link is broken (overlayfs copies one name).
    {
        let n = link_note.clone();
        let at = current.as_ref().map(|c| Rc::as_ptr(c) as usize);
        use_effect_with(at, move |_| {
            if n.is_some() {
                n.set(None);
            }
        });
    }

    // Content the editor waits for is read by the worker (the Files view's path).
    {
        let waiting = s.editor.as_ref().and_then(|e| e.waiting.clone());
        let pool = p.pool.clone();
        use_effect_with(waiting, move |w| {
            if let Some((member, path)) = w.clone() {
                Pool::read_content(&pool.0, member, path, None, MAX_FILE_BYTES as u64);
            }
        });
    }

    let cards = html! {
        <div class="ctr-cards" role="list" aria-label={t(lang, "ctr-list")}>
            { for list.iter().map(|c| {
                let selected = current.as_ref().is_some_and(|x| x.id == c.id);
                let select = {
                    let cb = p.on_action.clone();
                    let id = c.id.clone();
                    Callback::from(move |_| cb.emit(ContainerAction::Select(id.clone())))
                };
                let remove = {
                    let cb = p.on_action.clone();
                    let id = c.id.clone();
                    let key = s.key.clone();
                    Callback::from(move |_| {
                        if let Some(key) = key.clone() {
                            let id = id.clone();
                            wasm_bindgen_futures::spawn_local(async move {
                                if let Err(e) = container_store::remove(key, id).await {
                                    warn(&format!("a stored container could not be removed: {e}"));
                                }
                            });
                        }
                        cb.emit(ContainerAction::Remove(id.clone()));
                        // The ✕ is gone with its card: the focus goes to what replaced it.
                        focus_after_render(&[SELECTED_CARD, UNDO_BUTTON]);
                    })
                };
                html! {
                    <div class={classes!("ctr-card", selected.then_some("selected"))} role="listitem"
                        data-testid="container" data-container-id={c.id.clone()} data-name={c.name.clone()}>
                        <button type="button" class="ctr-pick" aria-pressed={selected.to_string()} onclick={select}>
                            <span class="ctr-name mono">{ c.name.clone() }</span>
                            <span class="ctr-id mono muted small">{ c.short_id().to_string() }</span>
                            <span class="ctr-size small">{ human_size(lang, c.upper_size()) }</span>
                        </button>
                        <button type="button" class="ctr-remove" data-testid="remove-container" onclick={remove}
                            aria-label={tf(lang, "ctr-remove", &[("name", &c.name)])} title={tf(lang, "ctr-remove", &[("name", &c.name)])}>
                            { "×" }
                        </button>
                    </div>
                }
            }) }
        </div>
    };
    // A ✕ deletes a whole folder, or a container, in one tap: each change can be taken back.
    let undo = if s.undo.is_empty() {
        html! {}
    } else {
        let cb = p.on_action.clone();
        html! {
            <p class="ctr-undo">
                <button type="button" class="button quiet" data-testid="ctr-undo"
                    onclick={Callback::from(move |_| {
                        cb.emit(ContainerAction::Undo);
                        // The last step takes the button away: the container changed keeps it.
                        focus_after_render(&[UNDO_BUTTON, SELECTED_CARD]);
                    })}>
                    { format!("↶ {}", tf(lang, "ctr-undo", &[("name", &s.undo.last().map(|u| u.before.name.clone()).unwrap_or_default())])) }
                </button>
            </p>
        }
    };
    let cards = html! { <>{ cards }{ undo }</> };
    // The filter the file list found nothing for (it reports it): said with the news.
    let no_match = use_state(|| None::<String>);
    let on_matches = {
        let no_match = no_match.clone();
        Callback::from(move |(filter, total): (String, usize)| {
            let now = (total == 0 && !filter.is_empty()).then_some(filter);
            if *no_match != now {
                no_match.set(now);
            }
        })
    };
    // One polite status region, in the DOM in every state of the view (a region added with
    // its words is often not read): what the last action did, each time as a new node (keyed
    // by its number, so the same words said twice are read twice), then the empty filter.
    let status = {
        let news = if mine { s.news.as_ref() } else { None };
        let none_for = no_match
            .as_ref()
            .filter(|f| current.is_some() && lower.is_some() && **f == s.filter);
        html! {
            <p class="visually-hidden" role="status" data-testid="ctr-status">
                { for news.map(|n| html! {
                    <span key={n.seq.to_string()} data-testid="ctr-news">{ container_message::said(lang, &n.done) }{ " " }</span>
                }) }
                { for none_for.map(|f| html! { <span>{ tf(lang, "ctr-no-match", &[("filter", f)]) }</span> }) }
            </p>
        }
    };
    let frame = |rest: Html| {
        html! {
            <section class="ctr" aria-label={t(lang, "tab-container")}>
                <p class="ctr-intro muted">{ t(lang, "ctr-intro") }</p>
                { cards.clone() }
                { status.clone() }
                { rest }
            </section>
        }
    };

    let (Some(c), Some(lower)) = (current.clone(), lower) else {
        if current.is_some() {
            let count = super::files::entries_upto(&p.archive, img, usize::MAX);
            return frame(html! {
                <p class="muted center" role="status" data-testid="ctr-lower-folding">
                    { tf(lang, "ctr-lower-folding", &[("count", &crate::figures::count(lang, count))]) }
                </p>
            });
        }
        return frame(
            html! { <p class="empty" data-testid="no-container">{ t(lang, "ctr-none") }</p> },
        );
    };

    let changes = c.diff_changes(&lower.0);
    let diff: Vec<String> = changes.iter().map(ToString::to_string).collect();
    let message = s.message.clone().map(|m| {
        let close = {
            let cb = p.on_action.clone();
            Callback::from(move |_| cb.emit(ContainerAction::Message(None)))
        };
        html! {
            <div class="ctr-message" role="alert" data-testid="container-message">
                <span>{ container_message::text(lang, &m) }</span>
                <button type="button" class="button quiet" onclick={close} aria-label={t(lang, "close")}>{ "×" }</button>
            </div>
        }
    });

    let run_job = |export: bool| {
        let pool = p.pool.clone();
        let archive = p.archive.clone();
        let image = p.image;
        let c = c.clone();
        let diff = diff.clone();
        let on_action = p.on_action.clone();
        let on_tab = p.on_tab.clone();
        Callback::from(move |_| {
            let Some(file) = Pool::file(&pool.0) else {
                on_action.emit(ContainerAction::Message(Some(CtrMessage::Key(
                    "ctr-file-gone",
                ))));
                return;
            };
            let (pool, archive, c, diff) = (pool.clone(), archive.clone(), c.clone(), diff.clone());
            let (on_action, on_tab) = (on_action.clone(), on_tab.clone());
            on_action.emit(ContainerAction::Busy(Some(if export {
                "ctr-exporting"
            } else {
                "ctr-committing"
            })));
            wasm_bindgen_futures::spawn_local(async move {
                let result = commit_and_export(file, &archive, image, &c, &diff).await;
                on_action.emit(ContainerAction::Busy(None));
                match result {
                    Ok(done) if export => {
                        if let Err(e) = download(&done.file) {
                            on_action.emit(ContainerAction::Message(Some(CtrMessage::Export(
                                ExportFailure::Download(e),
                            ))));
                        }
                    }
                    Ok(done) => {
                        // The new image is opened like any dropped file.
                        on_tab.emit(Tab::Stack);
                        Pool::open(&pool.0, done.file);
                    }
                    Err(e) => on_action.emit(ContainerAction::Message(Some(CtrMessage::Export(e)))),
                }
            });
        })
    };

    // A folder of the image deleted: one `D` line for all below it (from the typed lines).
    let folder_gone =
        |l: &pancake_core::write::container::DiffChange| l.kind == 'D' && l.image_folder;
    let deleted_folder = changes.iter().any(folder_gone);
    let diff_panel = html! {
        <section class="ctr-panel ctr-diff" aria-labelledby="ctr-diff-title">
            <h3 id="ctr-diff-title">{ "docker diff" }</h3>
            { if diff.is_empty() {
                html! { <p class="muted small" data-testid="diff-empty">{ t(lang, "ctr-diff-empty") }</p> }
            } else {
                html! {
                    <ul class="ctr-diff-lines mono" data-testid="diff-lines">
                        { for diff.iter().zip(&changes).map(|(l, ch)| {
                            let cls = match ch.kind { 'A' => "ch-added", 'D' => "ch-deleted", _ => "ch-modified" };
                            html! { <li class={cls} data-testid="diff-line" title={folder_gone(ch).then(|| t(lang, "ctr-diff-deleted-note"))}>{ l.clone() }</li> }
                        }) }
                    </ul>
                }
            } }
            // A folder deleted is one `D` line; the committed layer's "deleted" (Stack) counts
            // it and each path in it. Both are true: said where the two can be compared.
            { if deleted_folder { html! {
                <p class="muted small ctr-diff-note" data-testid="diff-deleted-note">{ t(lang, "ctr-diff-deleted-note") }</p>
            } } else { html! {} } }
            <div class="ctr-actions">
                <button type="button" class="button primary" data-testid="commit" onclick={run_job(false)}
                    disabled={s.busy.is_some()} title={t(lang, "ctr-commit-hint")}>{ t(lang, "ctr-commit") }</button>
                <button type="button" class="button" data-testid="export" onclick={run_job(true)}
                    disabled={s.busy.is_some()} title={t(lang, "ctr-export-hint")}>{ t(lang, "ctr-export") }</button>
                { for s.busy.map(|k| html! { <span class="muted small" data-testid="container-busy">{ t(lang, k) }</span> }) }
            </div>
        </section>
    };

    let copy_up = s.copy_up.clone();
    frame(html! {
        <>
            { for message }
            <div class="ctr-grid">
                <ContainerStack archive={p.archive.clone()} image={p.image} summary={p.summary.clone()} summary_coming={p.summary_coming} size={c.upper_size()}
                    entries={c.upper.len()} copy_up={copy_up} />
                <div class="ctr-work">
                    <ContainerFiles key="files" container={c.clone()} filter={s.filter.clone()} lower={lower.clone()}
                        archive={p.archive.clone()} image={p.image} on_action={p.on_action.clone()} on_matches={on_matches}
                        link_note={(*link_note).clone()} on_link_note={{
                            let n = link_note.clone();
                            Callback::from(move |v| n.set(v))
                        }} focus_row={(*focus_row).clone()} />
                    { for s.editor.as_ref().map(|ed| {
                        let text = match (&ed.waiting, &ed.error) {
                            (_, Some(e)) => Err(container_message::text(lang, e)),
                            (Some(_), None) => Ok(None),
                            (None, None) => match c.read(&ed.path, &lower.0) {
                                Ok(b) => String::from_utf8(b).map(Some).map_err(|_| t(lang, "ctr-binary")),
                                Err(e) => Err(container_message::refused(lang, &e)),
                            },
                        };
                        let stat = c.stat(&ed.path, &lower.0);
                        let in_upper = stat.as_ref().is_some_and(|st| st.in_upper);
                        let xattrs = stat.map(|st| st.xattrs).unwrap_or_default();
                        // A write or chown in the container dropped the image's capabilities
                        // (Linux clears `security.capability`): said, or they just vanish.
                        let dropped_caps = in_upper
                            .then(|| c.image_stat(&ed.path, &lower.0))
                            .flatten()
                            .and_then(|st| capability::of(&st.xattrs))
                            .filter(|_| capability::of(&xattrs).is_none());
                        let on_left = {
                            let focus_row = focus_row.clone();
                            let path = ed.path.clone();
                            Callback::from(move |()| {
                                let seq = focus_row.as_ref().map_or(0, |f| f.seq.wrapping_add(1));
                                focus_row.set(Some(FocusRow {
                                    path: path.clone(),
                                    seq,
                                    taken: Rc::default(),
                                }));
                            })
                        };
                        html! {
                            <EditorPanel path={ed.path.clone()} container_id={c.id.clone()} text={text}
                                original={ed.original.clone()} in_image={ed.in_image} in_upper={in_upper}
                                layer={ed.layer} xattrs={xattrs} dropped_caps={dropped_caps} on_action={p.on_action.clone()}
                                {on_left} />
                        }
                    }) }
                    { diff_panel }
                </div>
            </div>
        </>
    })
}

// ---------------------------------------------------------------------------------------
// The stack with the container's writable layer on top.

#[derive(Properties, PartialEq)]
struct StackProps {
    archive: ArchiveRef,
    image: usize,
    /// The scanner's figures for the image (a large one's layer sizes), when it sent them.
    summary: Option<Rc<ImageSummary>>,
    /// Those figures are on their way: the sizes say "pending", nothing is walked here.
    summary_coming: bool,
    size: u64,
    entries: usize,
    copy_up: Option<crate::container_state::CopyUp>,
}

#[function_component(ContainerStack)]
fn container_stack(p: &StackProps) -> Html {
    let lang = use_lang();
    // From the scanner's figures where it sent them: a large image's layers are not walked
    // here (200,000 entries: ~75 ms, with their first decoding).
    let sizes = super::layer_size::use_bytes_of(
        &p.archive,
        p.image,
        p.summary.as_deref(),
        p.summary_coming,
    );
    let Some(img) = p.archive.images.get(p.image) else {
        return html! {};
    };
    let n = img.layers.len();
    let largest = sizes
        .iter()
        .copied()
        .flatten()
        .max()
        .unwrap_or(0)
        .max(64 * 1024);
    // Fills as it gains bytes: log scale against the image's largest layer.
    let fill = (((p.size as f64) + 1.0).ln() / ((largest as f64) + 1.0).ln()).clamp(0.0, 1.0);
    let fill = if p.size == 0 { 0.0 } else { fill.max(0.06) };
    html! {
        <section class="ctr-stack" aria-label={t(lang, "ctr-stack")}>
            <ol class="ctr-slabs" role="list">
                <li class="ctr-slab ctr-upper" data-testid="container-layer" data-size={p.size.to_string()}
                    data-entries={p.entries.to_string()} style={format!("--fill:{:.3}", fill)}>
                    <span class="ctr-fill" aria-hidden="true"></span>
                    <span class="ctr-slab-label">
                        <strong>{ t(lang, "ctr-layer") }</strong>{ " — " }{ human_size(lang, p.size) }
                    </span>
                    <span class="muted small">{
                        if p.entries == 0 { t(lang, "ctr-layer-empty") } else { t(lang, "ctr-layer-rw") }
                    }</span>
                </li>
                { for (0..n).rev().map(|i| {
                    let (kw, rest) = layer_label(img, i);
                    let chip = p.copy_up.as_ref().filter(|c| c.from_layer == i).map(|c| {
                        let name = c.path.rsplit('/').next().unwrap_or(&c.path).to_string();
                        html! {
                            <span key={c.seq.to_string()} class="ctr-chip copy-up mono" data-testid="copy-up"
                                style={format!("--rise:{}", n - i)} aria-hidden="true">{ name }</span>
                        }
                    });
                    html! {
                        <li class={classes!("ctr-slab", "ctr-lower", kind_class(layer_kind(img, i)))}
                            data-layer-index={i.to_string()}>
                            <span class="chip">{ if kw.is_empty() { "—".to_string() } else { kw } }</span>
                            <span class="mono ellipsis grow clamp2" title={rest.clone()}>{ rest }</span>
                            <span class="small">{ match sizes.get(i).copied().flatten() {
                                Some(b) => super::layer_size::span_of(lang, b, &super::layer_size::text_of(lang, &p.archive, img, i, b)),
                                // Not known yet (the scanner's figures are on their way): not 0 B.
                                None => html! { <span class="muted" data-pending="true">{ t(lang, "pending") }</span> },
                            } }</span>
                            { for chip }
                        </li>
                    }
                }) }
            </ol>
            <p class="muted small">{ t(lang, "ctr-stack-note") }</p>
            { super::layer_size::key(lang) }
        </section>
    }
}

// ---------------------------------------------------------------------------------------
// The merged filesystem, virtualized like the Files view.

#[derive(Properties, PartialEq)]
struct FilesProps {
    container: Rc<Container>,
    lower: crate::container_state::LowerRef,
    archive: ArchiveRef,
    image: usize,
    /// The file filter, kept in the container state: opening a file re-renders this list and
    /// must not lose what the reader typed.
    filter: String,
    on_action: Callback<ContainerAction>,
    /// Told the filter and how many rows match it, whenever either changes (the view says
    /// "no file matches" in its status region).
    on_matches: Callback<(String, usize)>,
    /// Where the last symlink opened led, or why nowhere (`links`); kept by the view, so it
    /// stays while the editor opens.
    link_note: Option<super::links::LinkNote>,
    on_link_note: Callback<Option<super::links::LinkNote>>,
    /// The file the editor last left: its row (or the one that took its place) takes the
    /// focus, if leaving left the focus nowhere.
    focus_row: Option<FocusRow>,
}

/// A file the editor left by its × or its Delete button, `seq` telling one leaving from the
/// next (the same file closed twice is two requests). `taken` once the list has acted on it:
/// a file list drawn anew later (its place in the view's tree changed) must not take the focus
/// again for an old request, from whatever a later action left it on.
#[derive(Clone)]
struct FocusRow {
    path: String,
    seq: u32,
    taken: Rc<std::cell::Cell<bool>>,
}

impl PartialEq for FocusRow {
    fn eq(&self, other: &Self) -> bool {
        self.seq == other.seq && self.path == other.path
    }
}

/// The row that takes the place of a row removed at position `at`, with `left` rows left:
/// the one after it (now at `at`), or at the end the one before; `None` when none is left.
fn taking_place(at: usize, left: usize) -> Option<usize> {
    if at < left {
        Some(at)
    } else {
        left.checked_sub(1)
    }
}

fn abs(row: &MergedRow) -> String {
    format!("/{}", row.path.display())
}

/// Whether any row lies below the folder `dir`: `rows` are in path byte order, so its
/// descendants are the run that begins at the first path from `dir/` on.
fn has_children(rows: &[MergedRow], dir: &MergedRow) -> bool {
    let mut prefix = dir.path.as_bytes().to_vec();
    prefix.push(b'/');
    let at = rows.partition_point(|r| r.path.as_bytes() < prefix.as_slice());
    rows.get(at)
        .is_some_and(|r| r.path.as_bytes().starts_with(&prefix))
}

#[function_component(ContainerFiles)]
fn container_files(p: &FilesProps) -> Html {
    let lang = use_lang();
    let rows: Rc<Vec<MergedRow>> = (*use_memo((p.container.clone(), p.lower.clone()), |(c, l)| {
        Rc::new(c.merged(&l.0))
    }))
    .clone();
    let filter = p.filter.clone();
    let visible = use_path_filter(rows.clone(), &filter);
    let win = use_virtual_window(ROW_HEIGHT, OVERSCAN, 420.0, visible.len());
    // One row takes Tab; ↑/↓, Home/End and PageUp/PageDown move among them (WAI-ARIA's roving
    // tabindex, as the Files tree), so the list is one Tab stop, not one per file.
    let roving = use_roving_focus(&win, visible.len());
    let tab_pos = roving.tab_pos(&win);
    let new_path = use_state(String::new);
    let img = p.archive.images.get(p.image);
    let cuts = img
        .map(|i| pancake_core::analyze::gaps::cut_files(&p.archive, i))
        .unwrap_or_default();

    let total = visible.len();
    let filtering = !filter.is_empty();
    // The editor's × or Delete removed the button that had the focus: the file's row takes
    // it (closed), or the row that took the deleted file's place (as a row's own ✕ does),
    // or, with no row left, Undo. Focus someone placed elsewhere stays there.
    {
        let (rows, visible, roving) = (rows.clone(), visible.clone(), roving.clone());
        use_effect_with(p.focus_row.clone(), move |req| {
            let lost = web_sys::window()
                .and_then(|w| w.document())
                .is_some_and(|d| super::focus_on_nothing(&d));
            let Some(req) = req.as_ref().filter(|r| !r.taken.replace(true) && lost) else {
                return;
            };
            let path_of = |i: &usize| rows.get(*i).map(abs);
            let total = visible.len();
            let at = match visible
                .iter()
                .position(|i| path_of(i).as_deref() == Some(&*req.path))
            {
                Some(at) => Some(at),
                // Rows are in path byte order (a filter keeps it): the deleted file's place
                // is before the first row whose path sorts after its own.
                None => {
                    let gone = req.path.trim_start_matches('/').as_bytes();
                    let place = visible.partition_point(|i| {
                        rows.get(*i).is_some_and(|r| r.path.as_bytes() < gone)
                    });
                    taking_place(place, total)
                }
            };
            match at {
                Some(at) => roving.move_to(at),
                None => focus_after_render(&[UNDO_BUTTON, FILTER_INPUT]),
            }
        });
    }
    {
        let on_matches = p.on_matches.clone();
        use_effect_with((filter.clone(), total), move |(f, n)| {
            on_matches.emit((f.clone(), *n))
        });
    }

    let row_html = |pos: usize| -> Html {
        let Some(r) = visible.get(pos).and_then(|i| rows.get(*i)) else {
            return html! {};
        };
        let path = abs(r);
        // A filtered list is flat (full paths, no indent), so it has no levels either.
        let depth = if filtering {
            0
        } else {
            r.path.components().count().saturating_sub(1)
        };
        let name = if filtering {
            path.clone()
        } else {
            r.path.file_name_display().into_owned()
        };
        let openable = matches!(
            r.stat.kind,
            EntryKind::File | EntryKind::Hardlink | EntryKind::Symlink
        );
        // A symlink opens what it resolves to in the container's filesystem (`links`), a hard
        // link itself (its bytes are its file's), each with a note saying where it led, or why
        // nowhere.
        let open_row = {
            let cb = p.on_action.clone();
            let path = path.clone();
            let rows = rows.clone();
            let row = r.clone();
            let link_note = p.on_link_note.clone();
            move || {
                if !matches!(row.stat.kind, EntryKind::Symlink | EntryKind::Hardlink) {
                    link_note.emit(None);
                    return cb.emit(ContainerAction::Open(path.clone()));
                }
                let all = super::links::container_rows(&rows);
                let me = all.iter().find(|x| x.path == row.path).cloned();
                if let Some((note, open)) = me.and_then(|me| super::links::follow(&all, &me)) {
                    link_note.emit(Some(note));
                    if let Some(o) = open {
                        cb.emit(ContainerAction::Open(format!("/{}", o.path.display())));
                    }
                }
            }
        };
        let open = {
            let open_row = open_row.clone();
            Callback::from(move |_| {
                if openable {
                    open_row()
                }
            })
        };
        let onkeydown = {
            Callback::from(move |e: KeyboardEvent| {
                // Only the row's own keys: Enter on its delete button presses the button.
                // (Yew delegates events, so `current_target` is not the row: ask the target.)
                let on_row = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .is_some_and(|el| el.get_attribute("role").as_deref() == Some("treeitem"));
                if on_row && e.key() == "Enter" && openable {
                    open_row()
                }
            })
        };
        let tabindex = if pos == tab_pos { "0" } else { "-1" };
        let delete = {
            let cb = p.on_action.clone();
            let path = path.clone();
            let roving = roving.clone();
            Callback::from(move |e: MouseEvent| {
                e.stop_propagation();
                cb.emit(ContainerAction::Delete(path.clone()));
                // The last row of a filtered list: no row takes its place (the list says none
                // matches), so the filter, where the reader goes on, takes the focus.
                if total == 1 && filtering {
                    focus_after_render(&[FILTER_INPUT]);
                    return;
                }
                // Focus goes to the row that takes this one's place (the one before, at the
                // end), never to that row's delete button, so a second Enter deletes nothing.
                roving.move_to(taking_place(pos, total.saturating_sub(1)).unwrap_or(0));
            })
        };
        // Shown short ("L1"); said in words ("layer 1"), which a screen reader can read.
        let (owner, owner_cls, owner_label, owner_said) = match (r.stat.in_upper, r.stat.layer) {
            (true, _) => (
                "container".to_string(),
                "owner-container".to_string(),
                t(lang, "ctr-owner-container"),
                t(lang, "ctr-owner-container-said"),
            ),
            (false, Some(l)) => (
                l.to_string(),
                img.map(|i| kind_class(layer_kind(i, l)).to_string())
                    .unwrap_or_default(),
                tf(lang, "owner-short", &[("n", &(l + 1).to_string())]),
                tf(lang, "owner-said", &[("n", &(l + 1).to_string())]),
            ),
            (false, None) => (String::new(), String::new(), String::new(), String::new()),
        };
        // Folders here never fold (every row is listed): one with rows below it is
        // expanded, and says so; none shows a fold arrow, which would promise a toggle.
        let expanded = r.stat.kind == EntryKind::Dir && !filtering && has_children(&rows, r);
        let mark = match r.stat.kind {
            EntryKind::Dir => "\u{a0}",
            EntryKind::Symlink => "↪",
            EntryKind::Hardlink => "⇉",
            EntryKind::File => "·",
            _ => "◦",
        };
        let size = match r.stat.kind {
            // A file of an image layer whose tar ends inside it: its size is a claim.
            EntryKind::File if !r.stat.in_upper => {
                super::layer_size::file_size(lang, &cuts, r.stat.layer, &r.path, r.stat.size)
            }
            EntryKind::File | EntryKind::Hardlink => {
                html! { <span class="file-size">{ human_size(lang, r.stat.size) }</span> }
            }
            _ => html! { <span class="file-size"></span> },
        };
        html! {
            <div class={classes!("ctr-row", "file-row", openable.then_some("openable"), r.stat.in_upper.then_some("in-upper"))}
                key={path.clone()} role="treeitem" aria-level={(depth + 1).to_string()} tabindex={tabindex}
                aria-expanded={expanded.then_some("true")}
                aria-posinset={(pos + 1).to_string()} aria-setsize={total.to_string()}
                data-pos={pos.to_string()} style={format!("top:{}px", win.top(pos))}
                data-testid="container-file-row" data-path={path.clone()} data-layer={owner}
                title={path.clone()} onclick={open} {onkeydown}>
                <span class="file-name mono" style={if filtering { String::new() } else { format!("padding-left:{}rem", depth as f64 * 1.1) }}>
                    <span class="kind-mark" aria-hidden="true">{ mark }</span>
                    { name }{ if r.stat.kind == EntryKind::Dir { "/" } else { "" } }
                    { for r.stat.link_target.as_ref().map(|t| html! { <span class="link-target">{ " → " }{ t.display().to_string() }</span> }) }
                </span>
                <span class={classes!("owner", owner_cls)} title={t(lang, "owner-layer")} data-testid="ctr-owner">
                    <span aria-hidden="true">{ owner_label }</span>
                    <span class="visually-hidden">{ owner_said }</span>
                </span>
                { size }
                <button type="button" class="ctr-del button quiet" data-testid="delete-path" onclick={delete} {tabindex}
                    aria-label={tf(lang, "ctr-delete", &[("path", &path)])} title={tf(lang, "ctr-delete", &[("path", &path)])}>{ "✕" }</button>
            </div>
        }
    };

    let on_list_key = {
        let roving = roving.clone();
        let page = (win.last - win.first).saturating_sub(2 * OVERSCAN).max(1);
        Callback::from(move |e: KeyboardEvent| {
            if e.alt_key() || e.ctrl_key() || e.meta_key() {
                return;
            }
            let pos = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .filter(|el| el.get_attribute("role").as_deref() == Some("treeitem"))
                .and_then(|el| el.get_attribute("data-pos"))
                .and_then(|v| v.parse::<usize>().ok());
            let Some(pos) = pos else { return };
            let key = e.key();
            if matches!(
                key.as_str(),
                "ArrowDown" | "ArrowUp" | "Home" | "End" | "PageDown" | "PageUp"
            ) {
                e.prevent_default();
            }
            if let Some(to) = flat_key_move(&key, pos, total, page) {
                roving.move_to(to);
            }
        })
    };
    let on_filter = {
        let cb = p.on_action.clone();
        let scroll_top = win.scroll_top.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                cb.emit(ContainerAction::Filter(i.value()));
                scroll_top.set(0.0);
            }
        })
    };
    let on_new_path = {
        let new_path = new_path.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                new_path.set(i.value());
            }
        })
    };
    let create = |folder: bool| {
        let cb = p.on_action.clone();
        let new_path = new_path.clone();
        Callback::from(move |_| {
            let path = new_path.trim().to_string();
            if path.is_empty() {
                // Said, not ignored: a press that does nothing looks broken.
                cb.emit(ContainerAction::Message(Some(CtrMessage::Key(
                    "ctr-err-empty-path",
                ))));
                return;
            }
            cb.emit(if folder {
                ContainerAction::Mkdir(path)
            } else {
                ContainerAction::CreateFile(path)
            });
            new_path.set(String::new());
        })
    };

    let absent: Vec<usize> = p
        .archive
        .images
        .get(p.image)
        .map(|img| {
            (0..img.layers.len())
                .filter(|&i| super::layer_size::absent(img, i))
                .collect()
        })
        .unwrap_or_default();
    html! {
        <section class="ctr-panel ctr-files" aria-label={t(lang, "ctr-files")}>
            <div class="files-bar">
                <h3 class="grow">{ t(lang, "ctr-files") }</h3>
                <label class="field grow">
                    <span class="visually-hidden">{ t(lang, "filter") }</span>
                    <input type="search" placeholder={t(lang, "filter-placeholder")} value={filter.clone()}
                        oninput={on_filter} data-testid="container-filter" />
                </label>
            </div>
            { if let Some(n) = &p.link_note { super::links::note_html(lang, n) } else { html! {} } }
            // Layers whose blob the file lacks: the container's files leave out what they
            // changed, said as the Files view says it (not a container that simply lacks them).
            { super::files::absent_note(lang, &absent, true) }
            // Nothing matches: a line saying so, not an empty box (the view's status region
            // says it to a screen reader).
            { if total == 0 && filtering {
                html! {
                    <p class="empty" data-testid="ctr-no-match">{ tf(lang, "ctr-no-match", &[("filter", &filter)]) }</p>
                }
            } else {
                html! {
                    <div class="file-list ctr-list" ref={win.list_ref.clone()} role="tree" aria-label={t(lang, "ctr-files")} onscroll={win.onscroll.clone()} onkeydown={on_list_key}
                        data-testid="container-file-list" data-row-count={total.to_string()}>
                        <div class="file-spacer" style={format!("height:{}px", win.height(total))}>
                            { for (win.first..win.last).map(row_html) }
                        </div>
                    </div>
                }
            } }
            <div class="ctr-create">
                <label class="field grow">
                    <span class="visually-hidden">{ t(lang, "ctr-new-path") }</span>
                    <input type="text" class="mono" placeholder="/etc/motd" value={(*new_path).clone()}
                        oninput={on_new_path} data-testid="new-path" />
                </label>
                <button type="button" class="button" data-testid="create-file" onclick={create(false)}>{ t(lang, "ctr-new-file") }</button>
                <button type="button" class="button" data-testid="create-folder" onclick={create(true)}>{ t(lang, "ctr-new-folder") }</button>
            </div>
        </section>
    }
}

// ---------------------------------------------------------------------------------------
// The editor and the before/after comparison.

#[derive(Properties, PartialEq)]
struct EditorProps {
    path: String,
    container_id: String,
    /// The container's text: `Ok(None)` while it is read, `Err` when it cannot be edited.
    text: Result<Option<String>, String>,
    original: Option<Rc<Vec<u8>>>,
    in_image: bool,
    in_upper: bool,
    layer: Option<usize>,
    /// The file's extended attributes as the container has them now (after a write, without
    /// the `security.capability` Linux drops), shown under its heading.
    xattrs: Vec<pancake_core::model::Xattr>,
    /// The image's capabilities (getcap's text) when the container's copy has lost them.
    dropped_caps: Option<String>,
    on_action: Callback<ContainerAction>,
    /// Told when the × or Delete leaves the file (their button goes with the editor): the
    /// file list gives the focus to its row, or the row that took its place.
    on_left: Callback<()>,
}

#[function_component(EditorPanel)]
fn editor_panel(p: &EditorProps) -> Html {
    let lang = use_lang();
    let close = {
        let (cb, left) = (p.on_action.clone(), p.on_left.clone());
        Callback::from(move |_| {
            cb.emit(ContainerAction::CloseEditor);
            left.emit(());
        })
    };
    let delete = {
        let (cb, left) = (p.on_action.clone(), p.on_left.clone());
        let path = p.path.clone();
        Callback::from(move |_| {
            cb.emit(ContainerAction::Delete(path.clone()));
            left.emit(());
        })
    };
    let owner = if p.in_upper {
        t(lang, "ctr-owner-container")
    } else {
        p.layer
            .map(|l| tf(lang, "ctr-owner-layer", &[("n", &(l + 1).to_string())]))
            .unwrap_or_default()
    };
    let body = match &p.text {
        Err(e) => html! { <p class="ctr-error" data-testid="editor-error">{ e.clone() }</p> },
        Ok(None) => {
            html! { <p class="muted" data-testid="editor-loading">{ t(lang, "ctr-reading") }</p> }
        }
        Ok(Some(text)) => html! {
            <TextEditor key={format!("{}:{}", p.container_id, p.path)} path={p.path.clone()}
                initial={text.clone()} on_action={p.on_action.clone()} />
        },
    };
    let original = p
        .original
        .as_ref()
        .map(|b| String::from_utf8_lossy(b).into_owned());
    let compare = match (&p.text, original, p.in_upper && p.in_image) {
        (Ok(Some(now)), Some(old), true) => {
            html! { <Compare old={old} new={now.clone()} layer={p.layer.unwrap_or(0)} /> }
        }
        _ => html! {},
    };
    // Opening a file brings the editor into view (it is below the file list, often below the
    // fold): otherwise a click on a row looks like nothing happened.
    let panel = use_node_ref();
    let heading = use_node_ref();
    {
        let (panel, heading) = (panel.clone(), heading.clone());
        use_effect_with(p.path.clone(), move |_| {
            if let Some(el) = panel.cast::<web_sys::Element>() {
                let opts = web_sys::ScrollIntoViewOptions::new();
                opts.set_block(web_sys::ScrollLogicalPosition::Nearest);
                el.scroll_into_view_with_scroll_into_view_options(&opts);
            }
            // Opened from the keyboard, the row's focus went with the row's render: the
            // editor's heading takes it, so a screen reader says what opened and the next
            // Tab reaches the editor. Focus someone placed elsewhere stays there.
            let lost = web_sys::window()
                .and_then(|w| w.document())
                .is_some_and(|d| super::focus_on_nothing(&d));
            if lost {
                if let Some(h) = heading.cast::<web_sys::HtmlElement>() {
                    let _ = h.focus();
                }
            }
        });
    }
    html! {
        <section class="ctr-panel ctr-editor" aria-label={t(lang, "ctr-editor")} data-testid="container-editor"
            data-path={p.path.clone()} ref={panel}>
            <div class="ctr-editor-head">
                <h3 class="mono ctr-editor-path" data-testid="editor-path" tabindex="-1" ref={heading}>{ p.path.clone() }</h3>
                <span class={classes!("owner", p.in_upper.then_some("owner-container"))}>{ owner }</span>
                <span class="grow"></span>
                <button type="button" class="button" data-testid="delete-file" onclick={delete}>{ t(lang, "ctr-delete-file") }</button>
                <button type="button" class="button quiet" onclick={close} aria-label={t(lang, "close")}>{ "×" }</button>
            </div>
            { super::content::attribute_lines(lang, &p.xattrs, p.dropped_caps.as_ref().map(|caps| html! {
                <p data-testid="caps-dropped">
                    { tf(lang, "ctr-caps-dropped", &[("caps", &super::shown(caps))]) }
                </p>
            })) }
            { body }
            { compare }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct TextEditorProps {
    path: String,
    initial: String,
    on_action: Callback<ContainerAction>,
}

#[function_component(TextEditor)]
fn text_editor(p: &TextEditorProps) -> Html {
    let lang = use_lang();
    let draft = use_state(|| p.initial.clone());
    let oninput = {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(a) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
            {
                draft.set(a.value());
            }
        })
    };
    let save = {
        let cb = p.on_action.clone();
        let path = p.path.clone();
        let draft = draft.clone();
        Callback::from(move |_| {
            cb.emit(ContainerAction::Save {
                path: path.clone(),
                text: (*draft).clone(),
            })
        })
    };
    let changed = *draft != p.initial;
    html! {
        <div class="ctr-text">
            <textarea class="mono" data-testid="file-editor" spellcheck="false" value={(*draft).clone()} {oninput}
                aria-label={tf(lang, "ctr-editing", &[("path", &p.path)])} rows="14" />
            <div class="ctr-actions">
                <button type="button" class="button primary" data-testid="save-file" onclick={save}>{ t(lang, "ctr-save") }</button>
                <span class="muted small">{ if changed { t(lang, "ctr-unsaved") } else { String::new() } }</span>
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct CompareProps {
    old: String,
    new: String,
    layer: usize,
}

/// The image's copy and the container's, side by side, lines marked by the core's diff.
#[function_component(Compare)]
fn compare(p: &CompareProps) -> Html {
    let lang = use_lang();
    let lines = use_memo((p.old.clone(), p.new.clone()), |(a, b)| line_diff(a, b));
    let side = |old_side: bool| -> Html {
        html! {
            <ol class="ctr-lines mono">
                { for lines.iter().filter(|l| match l.change {
                    LineChange::Same => true,
                    LineChange::Removed => old_side,
                    LineChange::Added => !old_side,
                }).map(|l| {
                    // The − and + are colour and a sign, hidden from assistive tech: a changed
                    // line says "removed:" or "added:" in words it can read.
                    let (cls, sym, said) = match l.change {
                        LineChange::Same => ("same", " ", None),
                        LineChange::Removed => ("ch-deleted", "−", Some("ctr-line-removed")),
                        LineChange::Added => ("ch-added", "+", Some("ctr-line-added")),
                    };
                    let n = if old_side { l.old_line } else { l.new_line };
                    html! {
                        <li class={classes!("ctr-line", cls)} data-change={format!("{:?}", l.change).to_lowercase()}>
                            <span class="ln" aria-hidden="true">{ n.map(|n| n.to_string()).unwrap_or_default() }</span>
                            <span class="sym" aria-hidden="true">{ sym }</span>
                            { for said.map(|k| html! { <span class="visually-hidden" data-testid="line-change">{ format!("{} ", t(lang, k)) }</span> }) }
                            <span class="txt">{ l.text.clone() }</span>
                        </li>
                    }
                }) }
            </ol>
        }
    };
    let changed = lines
        .iter()
        .filter(|l| l.change != LineChange::Same)
        .count();
    html! {
        <div class="ctr-compare" data-testid="compare" data-changed-lines={changed.to_string()}>
            <div class="ctr-side">
                <h4 class="small">{ tf(lang, "ctr-image-copy", &[("n", &(p.layer + 1).to_string())]) }</h4>
                <pre hidden=true data-testid="original-content">{ p.old.clone() }</pre>
                { side(true) }
            </div>
            <div class="ctr-side">
                <h4 class="small">{ t(lang, "ctr-container-copy") }</h4>
                { side(false) }
            </div>
        </div>
    }
}

/// The selected container's card button, and the Undo button (`focus_after_render`).
const SELECTED_CARD: &str = "[data-testid=container] .ctr-pick[aria-pressed=true]";
const UNDO_BUTTON: &str = "[data-testid=ctr-undo]";
/// The container file list's filter.
const FILTER_INPUT: &str = "[data-testid=container-filter]";

/// After the render a click causes, focuses the first element matching one of `selectors`
/// (in order): a button that removed itself would leave the focus on the page, where a
/// keyboard or screen-reader user loses their place. (Shared's image list uses it too.)
pub(super) fn focus_after_render(selectors: &[&str]) {
    let selectors: Vec<String> = selectors.iter().map(|s| s.to_string()).collect();
    gloo::timers::callback::Timeout::new(0, move || {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        for sel in &selectors {
            if let Some(el) = doc
                .query_selector(sel)
                .ok()
                .flatten()
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = el.focus();
                return;
            }
        }
    })
    .forget();
}

#[cfg(test)]
mod tests {
    use super::taking_place;

    #[test]
    fn the_row_after_a_removed_one_takes_its_place_else_the_one_before() {
        // Row 2 of 5 removed: 4 left, the one after it is now at 2.
        assert_eq!(taking_place(2, 4), Some(2));
        // The last of 5 removed: the one before it.
        assert_eq!(taking_place(4, 4), Some(3));
        // A place past the end (a file that sorted after every row): the last row.
        assert_eq!(taking_place(7, 4), Some(3));
        // No row left: none (the caller focuses Undo).
        assert_eq!(taking_place(0, 0), None);
    }
}
