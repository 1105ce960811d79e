//! The page: header, tabs, drop handling, and the view for the current state.
//! Owns the worker pool; turns user intent into pool calls and reducer actions.

use crate::figures::human_size;
use pancake_core::analyze::union::FileRow;
use pancake_demo as demo;
use wasm_bindgen::JsCast;
use web_sys::{DragEvent, File, HtmlInputElement};
use yew::prelude::*;

use crate::container_state::ContainerAction;
use crate::i18n::{t, tf, Lang};
use crate::opening::{open_row, When};
use crate::permalink::{self, demo_file};
use crate::protocol::RowPick;
use crate::state::nav::next_token;
use crate::state::{Action, NavAction, Phase, ReadingAction, Tab};
use crate::tour::{CourseAction, Link};
use crate::views::config::Config;
use crate::views::container::{ContainerView, PoolHandle, RunContainer};
use crate::views::content::Content;
use crate::views::embed::{EmbedHelp, OpenFull, SrcNotice};
use crate::views::files::Files;
use crate::views::history::History;
use crate::views::picker::image_name;
use crate::views::stack::Stack;
use crate::views::start::Start;
use crate::views::status::{Errors, ProgressBar};
use crate::views::tour::{StartTour, Tour};
use crate::worker_glue::{Pool, PoolEvent, PoolRef, ViewRows};

/// The most bytes of a file shown; "show more" asks for four times as much each time, up to
/// this (the first read is `opening::CONTENT_FIRST`).
const CONTENT_LIMIT: u64 = 16 * 1024 * 1024;

fn query(key: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(key)
}

/// `?lang=`, else the browser's languages, else English.
fn initial_lang() -> Lang {
    if let Some(l) = query("lang").as_deref().and_then(Lang::from_tag) {
        return l;
    }
    let nav = web_sys::window().map(|w| w.navigator());
    let langs = nav.map(|n| n.languages().to_vec()).unwrap_or_default();
    langs
        .iter()
        .filter_map(|v| v.as_string())
        .find_map(|s| Lang::from_tag(&s))
        .unwrap_or(Lang::En)
}

fn set_html_lang(lang: Lang) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = el.set_attribute("lang", lang.code());
    }
}

#[function_component(App)]
pub fn app() -> Html {
    let state =
        use_reducer(|| crate::state::AppState::initial(&permalink::current_link(), initial_lang()));
    let pool: PoolRef = {
        let dispatcher = state.dispatcher();
        (*use_memo((), move |_| {
            Pool::new(Callback::from(move |e: crate::worker_glue::PoolEvent| {
                dispatcher.dispatch(e.into())
            }))
        }))
        .clone()
    };
    let session = crate::session::use_session(&state, &pool);
    // Remembered files follow the session; a link's place waits for its file (issue 15).
    crate::persist::place::use_persist(&state, &pool);
    let dragging = use_state(|| false);
    let lang = state.lang;
    use_effect_with(lang, |l| set_html_lang(*l));

    let open_file = {
        let pool = pool.clone();
        Callback::from(move |f: File| Pool::open(&pool, f))
    };
    let on_demo = {
        let open_file = open_file.clone();
        let dispatcher = state.dispatcher();
        let generation = state.reading.generation;
        Callback::from(move |name: AttrValue| match demo_file(&name) {
            Ok(f) => {
                dispatcher.dispatch(Action::Course(CourseAction::OpeningDemo(name.to_string())));
                open_file.emit(f)
            }
            Err(name) => {
                dispatcher.dispatch(Action::Reading(ReadingAction::Pool(PoolEvent::Failed {
                    generation,
                    message: tf(lang, "demo-missing", &[("name", &name)]),
                    why: None,
                })))
            }
        })
    };
    // `?demo=…&view=…&layer=…&step=…&lang=…&embed=1&src=…`: opened, kept in the URL, restored
    // on back/forward; the tour's demos are loaded there too.
    permalink::use_permalinks(&state, open_file.clone());
    crate::tour_setup::use_step_setup(&state);
    let on_course = {
        let d = state.dispatcher();
        Callback::from(move |a: CourseAction| d.dispatch(Action::Course(a)))
    };
    let link = Link::of(&state);
    let embed = state.course.embed;

    let on_input = {
        let open_files = session.open_files.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            {
                if let Some(l) = input.files() {
                    let files: Vec<File> = (0..l.length()).filter_map(|i| l.get(i)).collect();
                    // No handle from an <input>: a reload names them and asks again.
                    crate::persist::register(
                        &files.iter().map(|f| (f.clone(), None)).collect::<Vec<_>>(),
                    );
                    open_files.emit(files);
                }
                // So choosing the same file again still fires `change`.
                input.set_value("");
            }
        })
    };
    let on_drag_over = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if !*dragging {
                dragging.set(true);
            }
        })
    };
    let on_drag_leave = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            // Leaving a child element also fires; only the window edge counts.
            if e.related_target().is_none() {
                dragging.set(false);
            }
        })
    };
    let on_drop = {
        let dragging = dragging.clone();
        let open_files = session.open_files.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            let Some(dt) = e.data_transfer() else { return };
            // Handles must be asked for while the drop event runs (issue 15).
            let asks = crate::persist::handles::start_drop(&dt);
            if let Some(l) = dt.files() {
                let files: Vec<File> = (0..l.length()).filter_map(|i| l.get(i)).collect();
                crate::persist::register(
                    &files.iter().map(|f| (f.clone(), None)).collect::<Vec<_>>(),
                );
                open_files.emit(files);
            }
            if !asks.is_empty() {
                wasm_bindgen_futures::spawn_local(async move {
                    crate::persist::attach_handles(
                        crate::persist::handles::finish_drop(asks).await,
                    );
                });
            }
        })
    };
    let on_cancel = {
        let pool = pool.clone();
        Callback::from(move |_| Pool::cancel(&pool))
    };
    // The pair opens as the demo link `?demo=wordpress-a,wordpress-b` does, so the address
    // says which demo is shown (a reload or a shared link opens it again).
    let on_pair = {
        let on_demo = on_demo.clone();
        Callback::from(move |_: ()| on_demo.emit(AttrValue::from(crate::tour::WORDPRESS_PAIR)))
    };
    let on_tab = |tab: Tab| {
        let d = state.dispatcher();
        Callback::from(move |_| d.dispatch(Action::Nav(NavAction::Tab(tab))))
    };
    let on_lang = {
        let d = state.dispatcher();
        Callback::from(move |e: Event| {
            if let Some(sel) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
            {
                if let Some(l) = Lang::from_tag(&sel.value()) {
                    d.dispatch(Action::SetLang(l));
                }
            }
        })
    };
    let on_layer = {
        let d = state.dispatcher();
        Callback::from(move |l: Option<usize>| d.dispatch(Action::Nav(NavAction::Layer(l))))
    };
    let on_browse = {
        let d = state.dispatcher();
        Callback::from(move |l: usize| {
            d.dispatch(Action::Nav(NavAction::Layer(Some(l))));
            d.dispatch(Action::Nav(NavAction::Merged(false)));
            d.dispatch(Action::Nav(NavAction::Tab(Tab::Files)));
        })
    };
    let on_merged = {
        let d = state.dispatcher();
        Callback::from(move |m: bool| d.dispatch(Action::Nav(NavAction::Merged(m))))
    };
    let on_filter = {
        let d = state.dispatcher();
        Callback::from(move |f: String| d.dispatch(Action::Nav(NavAction::Filter(f))))
    };
    let on_open_content = {
        let d = state.dispatcher();
        let pool = pool.clone();
        Callback::from(move |row: FileRow| {
            open_row(&|a| d.dispatch(a), &pool, &row, When::Now);
        })
    };
    let on_more = {
        let d = state.dispatcher();
        let pool = pool.clone();
        let content = state.nav.content.clone();
        Callback::from(move |_| {
            if let Some(c) = &content {
                let max = (c.max * 4).min(CONTENT_LIMIT).min(c.size);
                d.dispatch(Action::Nav(NavAction::OpenContent {
                    member: c.member,
                    entry: c.entry,
                    path: c.path.clone(),
                    size: c.size,
                    max,
                }));
                Pool::read_content(&pool, c.member, c.path.clone(), Some(c.entry), max);
            }
        })
    };
    // A hit of the path search: its image (and file) is shown, then the layer, the changes
    // filtered to the path, and the file's content, as a click in the Files list does.
    let on_search_jump = {
        let d = state.dispatcher();
        let pool = pool.clone();
        let open = on_open_content.clone();
        let shown = crate::session::ImageKey {
            archive: state.reading.generation,
            image: state.nav.image,
        };
        Callback::from(move |j: crate::views::search::Jump| {
            if j.key != shown {
                d.dispatch(Action::Shared(crate::session::SharedAction::Show(j.key)));
                // Content reads go to the reader of the archive now shown (the shell's effect
                // says so too, but only after the next render: too late for this read).
                Pool::show(&pool, j.key.archive);
            }
            d.dispatch(Action::Nav(NavAction::Layer(Some(j.layer))));
            d.dispatch(Action::Nav(NavAction::Merged(false)));
            d.dispatch(Action::Nav(NavAction::Filter(j.filter)));
            if let Some(row) = j.row {
                open.emit(row);
            } else if let Some((archive, path)) = j.ask {
                // A large image: its scanner finds the row, which opens if the person did
                // nothing else meanwhile; with no scanner to ask, it is folded here after all.
                let token = next_token();
                d.dispatch(Action::Nav(NavAction::Await(token)));
                let (d, pool_now) = (d.clone(), pool.clone());
                let (image, layer) = (j.key.image, j.layer);
                let asked = path.clone();
                let answer = Callback::from(move |r: Option<ViewRows>| {
                    let row = match r {
                        Some(v) => v.rows.first().cloned(),
                        None => crate::views::search::merged_row(&archive, image, layer, &asked),
                    };
                    if let Some(row) = row {
                        let when = When::Awaited {
                            token,
                            merged: None,
                        };
                        open_row(&|a| d.dispatch(a), &pool_now, &row, when);
                    }
                });
                let view = (j.key.image, j.layer, true);
                Pool::view_rows(&pool, j.key.archive, view, RowPick::Path(path), answer);
            }
        })
    };
    let on_close_content = {
        let d = state.dispatcher();
        Callback::from(move |_| d.dispatch(Action::Nav(NavAction::CloseContent)))
    };

    let on_container = {
        let d = state.dispatcher();
        Callback::from(move |a: ContainerAction| d.dispatch(Action::Container(a)))
    };
    let on_tab_to = {
        let d = state.dispatcher();
        Callback::from(move |t: Tab| d.dispatch(Action::Nav(NavAction::Tab(t))))
    };

    let demos: Vec<AttrValue> = demo::names()
        .iter()
        .map(|n| AttrValue::from(n.to_string()))
        .collect();
    let archive = state.reading.archive.clone();
    // A problem group's button: show that image's stack with the layer selected.
    let select_layer = {
        let d = state.dispatcher();
        Callback::from(move |(image, layer): (usize, usize)| {
            d.dispatch(Action::Nav(NavAction::Tab(Tab::Stack)));
            d.dispatch(Action::Nav(NavAction::Image(image)));
            d.dispatch(Action::Nav(NavAction::Layer(Some(layer))));
        })
    };
    let problems = archive
        .as_ref()
        .map(|a| a.problems.clone())
        .unwrap_or_default();
    let image = archive.as_ref().and_then(|a| a.images.get(state.nav.image));
    // When a file's first image appears, the control that opened it (a demo button, the
    // start page's) is gone and focus falls to the page's body: it goes to the image's title,
    // so a screen reader says what opened and Tab goes on from there. Never taken from a
    // control the reader is on.
    use_effect_with((state.reading.generation, image.is_some()), |(_, shown)| {
        if *shown {
            let doc = web_sys::window().and_then(|w| w.document());
            let idle = doc
                .as_ref()
                .and_then(|d| d.active_element())
                .is_none_or(|a| a.tag_name().eq_ignore_ascii_case("body"));
            if idle {
                if let Some(h) = doc
                    .and_then(|d| d.get_element_by_id("image-title"))
                    .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = h.focus();
                }
            }
        }
    });
    let counts = image
        .zip(archive.as_ref())
        .map(|(img, a)| crate::views::verdict_counts(a, img));
    let image_failed = image.zip(archive.as_ref()).is_some_and(|(img, a)| {
        !pancake_core::analyze::image_claims::failed_image_claims(a, img).is_empty()
    });
    // Layers (their blobs) with an entry `docker load` fails on, each counted once.
    let unpack_failing = image.zip(archive.as_ref()).map_or(0, |(img, a)| {
        let mut members: Vec<usize> = pancake_core::analyze::image_claims::unpack_failures(a, img)
            .iter()
            .filter_map(|p| p.origin.member.as_ref().and_then(|m| m.index))
            .collect();
        members.sort_unstable();
        members.dedup();
        members.len()
    });
    let load_refused = image
        .zip(archive.as_ref())
        .is_some_and(|(img, a)| pancake_core::analyze::image_claims::load_refused_in(a, img));
    // The first reason its manifest and config alone give, said in the page's language.
    let refusal = image.filter(|_| load_refused).and_then(|img| {
        pancake_core::analyze::image_claims::image_refusals(img)
            .first()
            .copied()
    });

    // The WAI-ARIA tabs pattern: one tab stop (the selected tab); ←/→ move to the previous
    // or next tab and show it, Home/End to the first or last.
    let on_tab_key = {
        let d = state.dispatcher();
        let current = state.nav.tab;
        Callback::from(move |e: KeyboardEvent| {
            // Alt+← is the browser's Back, Ctrl/Meta+arrows move by words: theirs.
            if e.alt_key() || e.ctrl_key() || e.meta_key() || e.shift_key() {
                return;
            }
            let n = Tab::ALL.len();
            let at = Tab::ALL.iter().position(|t| *t == current).unwrap_or(0);
            // Both arrows wrap around.
            let next = match e.key().as_str() {
                "ArrowRight" => (at + 1) % n,
                "ArrowLeft" => (at + n - 1) % n,
                "Home" => 0,
                "End" => n - 1,
                _ => return,
            };
            e.prevent_default();
            let Some(tab) = Tab::ALL.get(next).copied() else {
                return;
            };
            d.dispatch(Action::Nav(NavAction::Tab(tab)));
            if let Some(b) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|doc| doc.get_element_by_id(&format!("tab-{}", tab.id())))
                .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = b.focus();
            }
        })
    };
    // Tabs only over an image to show: with none (a file from which no image could be read),
    // there is no panel for them to control.
    let tabs = if image.is_some() {
        html! {
            <nav class="tabs" role="tablist" aria-label={t(lang, "tabs-label")} onkeydown={on_tab_key}>
                { for Tab::ALL.iter().map(|tab| {
                    let selected = state.nav.tab == *tab;
                    html! {
                        <button type="button" role="tab" aria-selected={selected.to_string()}
                            id={format!("tab-{}", tab.id())} aria-controls="view-panel"
                            tabindex={if selected { "0" } else { "-1" }}
                            class={classes!("tab", selected.then_some("selected"))}
                            data-testid={format!("tab-{}", tab.id())} onclick={on_tab(*tab)}>
                            { t(lang, &format!("tab-{}", tab.id())) }
                        </button>
                    }
                }) }
            </nav>
        }
    } else {
        html! { <span class="grow"></span> }
    };
    let header = if embed {
        html! {
            <div class="embed-bar">
                { tabs }
                <OpenFull link={link.clone()} />
                <input id="file-input" type="file" multiple=true class="visually-hidden" data-testid="file-input"
                    onchange={on_input} aria-label={t(lang, "open-file")} />
            </div>
        }
    } else {
        html! {
            <header class="top">
                <div class="brand">
                    <svg class="logo" viewBox="0 0 32 32" aria-hidden="true">
                        <rect x="5" y="22" width="22" height="6" rx="3" class="logo-base" />
                        <rect x="6" y="15" width="20" height="5" rx="2.5" class="logo-run" />
                        <rect x="7" y="8" width="18" height="5" rx="2.5" class="logo-copy" />
                    </svg>
                    <span class="brand-name">{ "Pancake" }</span>
                </div>
                { tabs.clone() }
                <div class="top-actions">
                    <crate::views::reopen::OpenButton class={classes!("button", "open-button")} label={t(lang, "open-file")}
                        testid="open-button" on_files={session.open_files.clone()} />
                    // Out of the tab order: the button beside it opens the picker, and a 1 px
                    // control would take the focus ring out of sight for one press.
                    // Hidden from screen readers too: they would hear a second "Open file…".
                    <input id="file-input" type="file" multiple=true class="visually-hidden" data-testid="file-input"
                        tabindex="-1" aria-hidden="true" onchange={on_input} aria-label={t(lang, "open-file")} />
                    <label class="lang">
                        <span class="visually-hidden">{ t(lang, "language") }</span>
                        <select data-testid="lang-switch" onchange={on_lang}>
                            { for Lang::ALL.iter().map(|l| html! {
                                <option value={l.code()} selected={*l == lang}>{ t(*l, "lang-name") }</option>
                            }) }
                        </select>
                    </label>
                </div>
            </header>
        }
    };

    // The file read now: the shown one, or the next one read behind it.
    let now = state.read_now();
    let reading_now = matches!(now.phase, Phase::Scanning | Phase::Hashing);
    // Checking the shown image's digests, or reading the next file behind it: the progress
    // sits in the summary, in the slot the verdict takes (the same height), so nothing below
    // moves when it comes or goes (a card above the image for the next file pushed the view
    // down and back within 0.2 s). Reading a file with no image shown yet: a card.
    let in_summary = reading_now && image.is_some();
    let progress_bar = |compact: bool| {
        let next_name = state
            .incoming
            .as_ref()
            .map(|r| AttrValue::from(r.file_name.clone().unwrap_or_default()));
        html! { <ProgressBar phase={now.phase} progress={now.progress.clone()} file_size={now.file_size} {next_name} on_cancel={on_cancel.clone()} {compact} /> }
    };
    let progress = if reading_now && !in_summary {
        progress_bar(false)
    } else {
        html! {}
    };
    let summary = match (&archive, image) {
        (Some(a), Some(img)) => {
            let total: u64 = img.layers.iter().map(|l| l.size).sum();
            html! {
                <section class="summary">
                    <div class="summary-main">
                        <h1 id="image-title" tabindex="-1" class="mono" title={image_name(a, state.nav.image)}>{ image_name(a, state.nav.image) }</h1>
                        <p class="muted small">
                            { state.reading.file_name.clone().unwrap_or_default() }{ " · " }
                            { tf(lang, summary_key(&state, a), &[
                                ("layers", &crate::figures::count(lang, img.layers.len())),
                                ("size", &human_size(lang, total)),
                                ("format", &t(lang, &format!("format-{}", serde_json::to_value(a.format).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()))),
                            ]) }
                            // A file compressed as a whole says so: its layers' sizes above are
                            // of their tars, not of what was dropped.
                            { for outer_compression_name(a.outer_compression).map(|how| html! {
                                <>{ " · " }<span data-testid="outer-compression">{ tf(lang, "summary-compressed", &[("how", how)]) }</span></>
                            }) }
                            { for state.reading.scan_ms.map(|ms| html! { <>{ " · " }{ tf(lang, "scan-time", &[("ms", &format!("{ms:.0}"))]) }</> }) }
                        </p>
                    </div>
                    <crate::views::artifacts::Artifacts archive={a.clone()} image={state.nav.image} />
                    <RunContainer archive={a.clone()} image={state.nav.image} state={state.containers.clone()}
                        ready={matches!(state.reading.phase, Phase::Ready | Phase::Cancelled)
                            && !crate::views::layer_size::awaiting_index(a, state.nav.image)}
                        stopped={matches!(state.reading.phase, Phase::Cancelled)}
                        on_action={on_container.clone()} on_tab={on_tab_to.clone()} />
                    <div class="summary-status">
                        { match state.reading.phase {
                            _ if in_summary => progress_bar(true),
                            Phase::Ready => crate::views::artifacts::ready_line(lang, counts.unwrap_or_default(), image_failed, (unpack_failing, load_refused, refusal), state.incoming.is_none()),
                            Phase::Cancelled => html! { <p class="ready not-all" data-testid="cancelled">{ t(lang, "cancelled") }</p> },
                            _ => html! {},
                        } }
                    </div>
                </section>
            }
        }
        _ => html! {},
    };

    let busy = matches!(state.reading.phase, Phase::Scanning | Phase::Hashing);
    let search_scope = {
        let images = crate::session::session_images(&state);
        let several_files = images.iter().any(|i| {
            images
                .first()
                .is_some_and(|f| f.key.archive != i.key.archive)
        });
        let targets = images
            .iter()
            .map(|si| crate::views::search::Target {
                key: si.key,
                archive: si.archive.clone(),
                name: si.tag(),
                file: several_files.then(|| si.file_name.clone()),
            })
            .collect();
        crate::views::search::Scope {
            shown: crate::session::ImageKey {
                archive: state.reading.generation,
                image: state.nav.image,
            },
            images: std::rc::Rc::new(targets),
            busy,
            pool: PoolHandle(pool.clone()),
            on_jump: on_search_jump,
        }
    };

    let body = match (&archive, image) {
        (Some(a), Some(_)) => {
            // Views that walk the entry lists wait for them (a moment, on 200,000 files).
            // So do they while an outline is shown: its large layers are not walked yet.
            let outlined = state.reading.outlined
                && crate::views::layer_size::awaiting_index(a, state.nav.image);
            let listing = (state.index.pending(state.reading.generation) || outlined)
                && matches!(state.nav.tab, Tab::Files | Tab::History | Tab::Container);
            // The scanner's figures for the image shown are on their way (a large index): views
            // showing layer sizes say "pending" rather than walk the entries themselves.
            let summary_coming = {
                let g = state.reading.generation;
                state.index.summarizing(g)
                    || (state.index.summary(g, state.nav.image).is_none() && state.index.pending(g))
            };
            let view = match state.nav.tab {
                // An outline whose walk was stopped (cancelled, or the scanner failed): the
                // lists will not come.
                _ if listing && outlined && state.reading.phase == Phase::Cancelled => {
                    html! {
                        <p class="muted center" role="status" data-testid="index-stopped">{ t(lang, "index-stopped") }</p>
                    }
                }
                _ if listing => html! {
                    <p class="muted center" role="status" data-testid="index-pending">{ t(lang, "index-pending") }</p>
                },
                Tab::Stack => {
                    let generation = state.reading.generation;
                    let summary = state.index.summary(generation, state.nav.image);
                    // No figures from the worker for this image (one of its layers is
                    // compressed, so it was not indexed at the first view) while the lists
                    // still cross: its figures are pending, not zeros.
                    let hashing = matches!(state.reading.phase, Phase::Scanning | Phase::Hashing);
                    // (A layer still being walked or read has no size yet: the stack says
                    // "pending" for it alone, and its details for what its lower layers decide.)
                    let coming = summary_coming;
                    html! { <Stack archive={a.clone()} image={state.nav.image} selected={state.nav.layer} on_select={on_layer.clone()} on_browse={on_browse}
                    {summary} summary_coming={coming} {hashing} /> }
                }
                Tab::Files => html! {
                    <Files archive={a.clone()} image={state.nav.image} layer={state.nav.layer} merged={state.nav.merged}
                        filter={AttrValue::from(state.nav.filter.clone())} on_layer={on_layer.clone()} on_merged={on_merged}
                        on_filter={on_filter} on_open={on_open_content} file={Pool::file_of(&pool, state.reading.generation)}
                        search={search_scope} />
                },
                Tab::History => {
                    html! { <History archive={a.clone()} image={state.nav.image} bases={crate::views::dockerfile::session_bases(&state)} selected={state.nav.layer} on_layer={on_layer.clone()}
                    summary={state.index.summary(state.reading.generation, state.nav.image)} {summary_coming} /> }
                }
                Tab::Config => html! { <Config archive={a.clone()} image={state.nav.image} /> },
                Tab::Shared => {
                    crate::views::shared::tab(&state, on_pair.clone(), session.open_files.clone())
                }
                Tab::Container => html! {
                    <ContainerView archive={a.clone()} generation={state.reading.generation} image={state.nav.image} state={state.containers.clone()}
                        summary={state.index.summary(state.reading.generation, state.nav.image)} {summary_coming}
                        pool={PoolHandle(pool.clone())} on_action={on_container.clone()} on_tab={on_tab_to.clone()} />
                },
            };
            html! {
                <>
                    { crate::views::shared::picker(&state, busy) }
                    { crate::views::platforms::chooser(&state) }
                    <div class="view" role="tabpanel" id="view-panel"
                        aria-labelledby={format!("tab-{}", state.nav.tab.id())}>{ view }</div>
                </>
            }
        }
        (Some(a), None) => html! {
            <div class="nothing">
                {{
                    // With no problem to point to (an empty tar, a tar of other files), say
                    // what is missing instead of "the problems above".
                    let key = if a.problems.is_empty() { "no-images-found-none" } else { "no-images-found" };
                    if state.reading.phase == Phase::Ready {
                        html! { <p class="ready not-all" data-testid="image-ready">{ t(lang, key) }</p> }
                    } else {
                        html! { <p>{ t(lang, key) }</p> }
                    }
                }}
                // A compressed file that ended before its manifest: the layers it held.
                { if state.reading.layers_read.is_empty() { html! {} } else { html! {
                    <crate::views::layers_read::LayersRead
                        layers={crate::views::layers_read::with_digests(&state.reading.layers_read, a, state.reading.phase == Phase::Hashing)}
                        count={state.reading.layers_read_count} ended={true} />
                } } }
                <Start demos={demos.clone()} on_demo={on_demo.clone()} on_pair={on_pair.clone()} />
            </div>
        },
        // A file compressed as a whole: its layers as they are read, until the stack.
        (None, _) if busy && !state.reading.layers_read.is_empty() => html! {
            <crate::views::layers_read::LayersRead layers={state.reading.layers_read.clone()}
                count={state.reading.layers_read_count} />
        },
        (None, _) if busy => html! { <p class="muted center">{ t(lang, "reading") }</p> },
        (None, _) => html! {
            <Start demos={demos} on_demo={on_demo} on_pair={on_pair.clone()} on_files={session.open_files.clone()}
                unknown_demo={state.course.unknown_demo.clone().map(AttrValue::from)}><StartTour on_action={on_course.clone()} /></Start>
        },
    };

    let content = match (&state.nav.content, state.nav.tab) {
        (Some(c), Tab::Files) => {
            // Keyed by the file: another file opened is a new viewer, which takes the focus
            // and gives it back, on closing, to what opened that file.
            html! { <Content key={format!("{}:{}", c.member, c.path.display())} content={c.clone()} on_more={on_more} on_close={on_close_content}
            archive={archive.clone()} file={Pool::file_of(&pool, state.reading.generation)} /> }
        }
        _ => html! {},
    };

    html! {
        <ContextProvider<Lang> context={lang}>
            <div class={classes!("app", dragging.then_some("dragging"), embed.then_some("embed"))} data-testid="drop-zone"
                ondragenter={on_drag_over.clone()} ondragover={on_drag_over} ondragleave={on_drag_leave} ondrop={on_drop}>
                { header }
                <main class="main">
                    { for state.course.src.clone().map(|url| {
                        let on_open = {
                            let (d, open_file, url) = (state.dispatcher(), open_file.clone(), url.clone());
                            Callback::from(move |_| permalink::open_src(Callback::from({ let d = d.clone(); move |a| d.dispatch(a) }), open_file.clone(), url.clone()))
                        };
                        let on_cancel = {
                            let d = state.dispatcher();
                            Callback::from(move |_| d.dispatch(Action::Course(CourseAction::SrcCancel)))
                        };
                        html! { <SrcNotice url={url} status={state.course.src_status.clone()} {on_open} {on_cancel} /> }
                    }) }
                    { if embed { html! {} } else { html! {
                        <crate::views::reopen::Reopen on_files={session.open_files.clone()}
                            dispatch={{ let d = state.dispatcher(); Callback::from(move |a| d.dispatch(a)) }}
                            place_waiting={state.place.pending.is_some()} touched={crate::persist::touched()} />
                    } } }
                    { progress }
                    { if state.next_failed.is_empty() { html! {} } else {
                        let d = state.dispatcher();
                        html! {
                            <section class="errors" role="alert">
                                { for state.next_failed.iter().map(|f| html! {
                                    <div class="error fatal" data-testid="error" data-kind="fatal-next" data-name={f.name.clone()}>
                                        <strong>{ tf(lang, "error-fatal-next", &[("name", &crate::text::shown(&f.name))]) }</strong>{ " " }
                                        { match (&f.why, &f.message) {
                                            (Some(why), _) => html! { <span>{ crate::views::status::unreadable_text(lang, &f.name, why) }</span> },
                                            (None, Some(m)) => html! { <span class="verbatim" lang="en" translate="no">{ m.clone() }</span> },
                                            (None, None) => html! {},
                                        } }
                                        { for f.problems.iter().map(|pr| crate::views::status::problem_html(lang, pr)) }
                                    </div>
                                }) }
                                <button type="button" class="button quiet" data-testid="dismiss-next-failed"
                                    onclick={Callback::from(move |_| d.dispatch(Action::DismissNextFailed))}>{ t(lang, "close") }</button>
                            </section>
                        }
                    } }
                    { if state.reading.fatal.is_some() || !problems.is_empty() {
                        let file = state.reading.file_name.clone().unwrap_or_default();
                        let fatal = match (&state.reading.fatal_why, &state.reading.fatal) {
                            (Some(why), Some(_)) => Some(crate::views::status::unreadable_text(lang, &file, why)),
                            (_, m) => m.clone(),
                        };
                        let fatal_in_english = state.reading.fatal_why.is_none();
                        html! { <Errors fatal={fatal.map(AttrValue::from)} {fatal_in_english} problems={problems}
                            images={archive.as_ref().map_or(0, |a| a.images.len())} on_layer={select_layer} /> }
                    } else { html! {} } }
                    { summary }
                    { body }
                    { content }
                </main>
                { if embed { html! {} } else { html! {
                    <footer class="foot muted small">
                        <p>{ t(lang, "footer") }</p>
                        <p class="foot-links">
                            <button type="button" class="linklike" data-testid="footer-tour" onclick={on_course.reform(|_| CourseAction::StartTour)}>{ t(lang, "footer-tour") }</button>
                            { " · " }
                            <button type="button" class="linklike" data-testid="open-embed-help" onclick={on_course.reform(|_| CourseAction::Help(true))}>{ t(lang, "footer-embed") }</button>
                        </p>
                    </footer>
                } } }
                { for state.course.step.map(|n| html! { <Tour step={n} on_action={on_course.clone()} /> }) }
                { if state.course.help { html! { <EmbedHelp link={link.clone()} on_action={on_course.clone()} /> } } else { html! {} } }
                <div class="drop-overlay" aria-hidden="true"><p>{ t(lang, "drop-here") }</p></div>
            </div>
        </ContextProvider<Lang>>
    }
}

/// The summary line's words: with the image's size, or — while a layer of it has no index
/// (its tar not walked or its blob not read yet) — saying its files are being read, or after
/// a stop that they were not read: a size summed without them would be too small.
/// The tool's name for a whole file's compression, `None` for a plain tar.
fn outer_compression_name(c: pancake_core::Compression) -> Option<&'static str> {
    use pancake_core::Compression;
    match c {
        Compression::None => None,
        Compression::Gzip => Some("gzip"),
        Compression::Zstd => Some("zstd"),
        Compression::Xz => Some("xz"),
        Compression::Bzip2 => Some("bzip2"),
    }
}

fn summary_key(state: &crate::state::AppState, a: &pancake_core::Archive) -> &'static str {
    if !crate::views::layer_size::awaiting_index(a, state.nav.image) {
        "summary-line"
    } else if matches!(state.reading.phase, Phase::Scanning | Phase::Hashing) {
        "summary-line-reading"
    } else {
        "summary-line-unread"
    }
}
