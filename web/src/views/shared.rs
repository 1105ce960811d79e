//! The `Shared` tab: the session's images, the shared-layers diagram (by ChainID), what
//! Docker's layer store saves with the content store's figure beside it, a comparison of two images, and the pull/push simulations.
//! Also the image picker, which lists every image of the session (during a tour step about
//! the shown file alone, that file's images: the same list as the tab's).

use crate::figures::human_size;
use pancake_core::analyze::share;
use yew::prelude::*;

use super::compare::Compare;
use super::diagram::Diagram;
use super::transfer::Transfer;
use super::use_lang;
use crate::i18n::{t, tf};
use crate::session::{image_archives, session_images, ImageKey, SessionImage, SharedAction};
use crate::state::{Action, AppState};

#[derive(Properties, PartialEq)]
pub struct PickerProps {
    pub images: Vec<SessionImage>,
    pub shown: ImageKey,
    /// While a file is read, images of other archives wait (switching would cancel it).
    pub busy: bool,
    pub on_select: Callback<ImageKey>,
}

/// Every image of the session: archive name + tag.
#[function_component(SessionPicker)]
pub fn session_picker(p: &PickerProps) -> Html {
    let lang = use_lang();
    let several_files = p
        .images
        .iter()
        .any(|i| i.key.archive != p.images.first().map_or(0, |f| f.key.archive));
    html! {
        <nav class="picker" data-testid="image-picker"
            aria-label={t(lang, if several_files { "picker-label-session" } else { "picker-label" })}>
            <span class="picker-title">{ tf(lang, "picker-title", &[("count", &p.images.len().to_string())]) }</span>
            { for p.images.iter().enumerate().map(|(i, si)| {
                let key = si.key;
                let on_select = p.on_select.clone();
                let onclick = Callback::from(move |_| on_select.emit(key));
                let selected = key == p.shown;
                let layers = si.image().map(|im| im.layers.len()).unwrap_or(0);
                let disabled = p.busy && key.archive != p.shown.archive;
                html! {
                    <button type="button" class={classes!("chip-button", selected.then_some("selected"))} {disabled}
                        aria-pressed={selected.to_string()} data-testid="image-option" data-index={i.to_string()} {onclick}
                        title={si.file_name.clone()}>
                        { super::name::middle_ellipsis(&si.tag()) }
                        { platform_of(&p.images, si) }
                        { if several_files { html! { <span class="muted small ellipsis picker-file">{ si.file_name.clone() }</span> } } else { html! {} } }
                        <span class="muted small">{ tf(lang, "picker-layers", &[("count", &crate::figures::count(lang, layers))]) }</span>
                    </button>
                }
            }) }
        </nav>
    }
}

/// The chip's platform (`linux/arm64/v8`), shown when another image of the picker has the
/// same name, so the platforms of one multi-platform tag are told apart.
fn platform_of(all: &[SessionImage], si: &SessionImage) -> Html {
    let tag = si.tag();
    let twin = all.iter().any(|o| o.key != si.key && o.tag() == tag);
    match si.image().and_then(super::platforms::config_platform) {
        Some(pf) if twin => {
            html! { <span class="mono small picker-platform" data-testid="image-option-platform">{ pf }</span> }
        }
        _ => html! {},
    }
}

#[derive(Properties, PartialEq)]
pub struct SharedProps {
    pub images: Vec<SessionImage>,
    /// The scanner's figures for each image (same order), where it sent them.
    #[prop_or_default]
    pub summaries: Vec<Option<std::rc::Rc<pancake_core::analyze::summary::ImageSummary>>>,
    pub present: Vec<ImageKey>,
    pub pushed: Vec<ImageKey>,
    pub queued: usize,
    pub dispatch: Callback<SharedAction>,
    pub on_pair_demo: Callback<()>,
    /// Opens picked files into the session (the session's `open_files`).
    pub on_files: Callback<Vec<web_sys::File>>,
    /// A tour step about one file alone (`tour_setup::shown_file_only`): that file's name, and
    /// how many other images of the session `images` leaves out. The list is then titled as
    /// the file's, not the session's, and says what it leaves out.
    #[prop_or_default]
    pub only_file: Option<(String, usize)>,
}

#[function_component(SharedView)]
pub fn shared_view(p: &SharedProps) -> Html {
    let lang = use_lang();
    let storage = use_memo(p.images.clone(), |imgs| {
        let owned = image_archives(imgs);
        let refs: Vec<&pancake_core::Archive> = owned.iter().collect();
        share::storage(&refs)
    });
    let n = p.images.len();
    let saved = storage.separate_bytes.saturating_sub(storage.stored_bytes);
    let pct = if storage.separate_bytes > 0 {
        saved as f64 * 100.0 / storage.separate_bytes as f64
    } else {
        0.0
    };
    let list = p.images.iter().enumerate().map(|(i, si)| {
        let key = si.key;
        let d = p.dispatch.clone();
        let d2 = p.dispatch.clone();
        let unique = storage
            .per_image_unique
            .iter()
            .find(|((a, _), _)| *a == i)
            .map(|(_, b)| *b)
            .unwrap_or(0);
        let total: u64 = si.image().map(|im| im.layers.iter().map(|l| l.size).sum()).unwrap_or(0);
        html! {
            <li class="session-item" data-testid="session-image" data-index={i.to_string()}
                data-unique-bytes={unique.to_string()} data-total-bytes={total.to_string()}
                data-pending={si.pending.to_string()}>
                <span class="dg-num">{ format!("#{}", i + 1) }</span>
                <button type="button" class="linkish mono ellipsis" title={si.file_name.clone()}
                    onclick={Callback::from(move |_| d2.emit(SharedAction::Show(key)))}>{ super::name::middle_ellipsis(&si.tag()) }</button>
                <span class="muted small ellipsis">{ si.file_name.clone() }</span>
                { if si.also_in.is_empty() { html! {} } else { html! {
                    <span class="muted small" data-testid="also-in" data-count={si.also_in.len().to_string()}>
                        { tf(lang, "sh-also-in", &[("files", &si.also_in.join(", "))]) }
                    </span>
                } } }
                { if super::layer_size::awaiting_index(&si.archive, key.image) {
                    // A layer without its index (not walked or read yet, or never): no size to sum.
                    html! { <span class="small muted" data-testid="image-bytes-unknown">{ t(lang, if si.live { "sh-image-reading" } else { "sh-image-unread" }) }</span> }
                } else {
                    html! { <span class="small">{ tf(lang, "sh-image-bytes", &[("total", &human_size(lang, total)), ("unique", &human_size(lang, unique))]) }</span> }
                } }
                { if si.live { html! { <span class="muted small">{ t(lang, "sh-pending") }</span> } } else { html! {} } }
                <button type="button" class="copy" data-testid="remove-image" aria-label={tf(lang, "sh-remove-aria", &[("image", &si.tag())])}
                    onclick={Callback::from(move |_| {
                        d.emit(SharedAction::Remove(key));
                        focus_in_place(i);
                    })}>{ "✕" }</button>
            </li>
        }
    });
    let pair = {
        let cb = p.on_pair_demo.clone();
        Callback::from(move |_| cb.emit(()))
    };
    html! {
        <div class="shared-view">
            <section class="card session" aria-labelledby="sh-title">
                { match &p.only_file {
                    Some((file, others)) => html! {
                        <>
                            <h2 id="sh-title">{ t(lang, "sh-title-file") }</h2>
                            <p class="muted small">{ tf(lang, "sh-lead-file", &[("file", file)]) }</p>
                            { if *others > 0 { html! {
                                <p class="muted small" data-testid="session-left-out" data-count={others.to_string()}>
                                    { tf(lang, "sh-left-out", &[("count", &crate::figures::count(lang, *others))]) }
                                </p>
                            } } else { html! {} } }
                        </>
                    },
                    None => html! {
                        <>
                            <h2 id="sh-title">{ t(lang, "sh-title") }</h2>
                            <p class="muted small">{ t(lang, "sh-lead") }</p>
                        </>
                    },
                } }
                <ol class="session-list">{ for list }</ol>
                { if p.queued > 0 { html! { <p class="muted small" data-testid="queued">{ tf(lang, "sh-queued", &[("count", &p.queued.to_string())]) }</p> } } else { html! {} } }
                <div class="session-actions">
                    // The header's "Open file…" button (a label for the hidden input was no Tab stop).
                    <super::reopen::OpenButton class={classes!("button")} label={t(lang, "sh-add")}
                        testid="session-add" on_files={p.on_files.clone()} />
                    <button type="button" class="button" onclick={pair}>{ t(lang, "demo-pair") }</button>
                </div>
            </section>
            { if n < 2 { html! { <p class="sh-note">{ t(lang, "sh-need-two") }</p> } } else { html! {} } }
            <section class="card" aria-labelledby="dg-title">
                <h2 id="dg-title">{ t(lang, "dg-title") }</h2>
                <p class="muted small">{ t(lang, "dg-lead") }</p>
                <Diagram images={p.images.clone()} summaries={p.summaries.clone()} />
            </section>
            <section class="card storage" aria-labelledby="st-title" data-testid="storage-summary"
                data-separate-bytes={storage.separate_bytes.to_string()} data-stored-bytes={storage.stored_bytes.to_string()}
                data-saved-bytes={saved.to_string()} data-content-store-bytes={storage.content_store_bytes.to_string()}>
                <h2 id="st-title">{ t(lang, "st-title") }</h2>
                <div class="st-numbers">
                    <div><span class="st-big">{ human_size(lang, storage.separate_bytes) }</span><span class="muted small">{ t(lang, "st-separate") }</span></div>
                    <div><span class="st-big">{ human_size(lang, storage.stored_bytes) }</span><span class="muted small">{ t(lang, "st-stored") }</span></div>
                    <div class="st-saved"><span class="st-big">{ format!("{} ({}%)", human_size(lang, saved), crate::figures::decimal(lang, pct, 1)) }</span><span class="muted small">{ t(lang, "st-saved") }</span></div>
                </div>
                <div class="st-bar" aria-hidden="true">
                    <span style={format!("width:{:.1}%", 100.0 - pct)}></span>
                </div>
                <p class="muted small">{ t(lang, "st-explain") }</p>
                { if p.images.iter().any(|si| super::layer_size::awaiting_index(&si.archive, si.key.image)) {
                    html! { <p class="muted small" data-testid="storage-unread">{ tf(lang, "st-unread", &[("zero", &human_size(lang, 0))]) }</p> }
                } else { html! {} } }
                <div class="st-numbers st-content">
                    <div><span class="st-big" data-testid="content-store-bytes">{ human_size(lang, storage.content_store_bytes) }</span><span class="muted small">{ t(lang, "st-content") }</span></div>
                </div>
                <p class="muted small">{ t(lang, "st-content-explain") }</p>
            </section>
            <Compare images={p.images.clone()} />
            <Transfer images={p.images.clone()} present={p.present.clone()} pushed={p.pushed.clone()} dispatch={p.dispatch.clone()} />
        </div>
    }
}

/// The image picker for the shell: shown when the session holds more than one image.
/// During a tour step about the shown file alone, only that file's images are listed (the
/// same list as the Shared tab's: "2 images", two chips).
pub fn picker(state: &UseReducerHandle<AppState>, busy: bool) -> Html {
    let images = crate::tour_setup::shared_images(state, session_images(state));
    if images.len() < 2 {
        return html! {};
    }
    let d = state.dispatcher();
    let on_select =
        Callback::from(move |k: ImageKey| d.dispatch(Action::Shared(SharedAction::Show(k))));
    let shown = ImageKey {
        archive: state.reading.generation,
        image: state.nav.image,
    };
    // A file holding an image already in the session is listed under the first file that
    // has it (`session_images`): that entry is the one shown.
    let id = state
        .reading
        .archive
        .as_ref()
        .and_then(|a| a.images.get(state.nav.image))
        .and_then(|im| im.config_digest.clone());
    let shown = match images.iter().any(|i| i.key == shown) {
        true => shown,
        false => images
            .iter()
            .find(|i| id.is_some() && i.image().and_then(|im| im.config_digest.clone()) == id)
            .map(|i| i.key)
            .unwrap_or(shown),
    };
    html! { <SessionPicker {images} {shown} {busy} {on_select} /> }
}

/// The `Shared` tab for the shell.
pub fn tab(
    state: &UseReducerHandle<AppState>,
    on_pair_demo: Callback<()>,
    on_files: Callback<Vec<web_sys::File>>,
) -> Html {
    let d = state.dispatcher();
    let dispatch = Callback::from(move |a: SharedAction| d.dispatch(Action::Shared(a)));
    let all = session_images(state);
    let count = all.len();
    let images = crate::tour_setup::shared_images(state, all);
    let only_file = crate::tour_setup::left_out(state, count, images.len())
        .map(|others| (state.reading.file_name.clone().unwrap_or_default(), others));
    let summaries = images
        .iter()
        .map(|si| state.index.summary(si.key.archive, si.key.image))
        .collect::<Vec<_>>();
    html! {
        <SharedView {images} {summaries}
            present={state.session.present.iter().copied().collect::<Vec<_>>()}
            pushed={state.session.pushed.iter().copied().collect::<Vec<_>>()}
            queued={state.session.queued} {dispatch} {on_pair_demo} {on_files} {only_file} />
    }
}

/// After image row `i` was removed: focus the ✕ of the row that takes its place (the next
/// one, now row `i`, or the one before it), else "Add an image…". The button that removed
/// itself would leave the focus on the page, where a keyboard user loses their place.
fn focus_in_place(i: usize) {
    let row = |k: usize| {
        format!("[data-testid=session-image][data-index=\"{k}\"] [data-testid=remove-image]")
    };
    let choices: Vec<String> = [Some(row(i)), i.checked_sub(1).map(row)]
        .into_iter()
        .flatten()
        .chain(["[data-testid=session-add]".to_string()])
        .collect();
    let choices: Vec<&str> = choices.iter().map(String::as_str).collect();
    super::container::focus_after_render(&choices);
}
