//! After a reload (issue 15): a calm banner naming the files that were open, with one button
//! that opens them again (the browser's kept handles) and one that forgets them; where the
//! browser keeps no handles, it names the files and asks for them again. A file that could
//! not be reopened is named with the reason. Also the open buttons, which use the
//! browser's file picker where it gives handles and the `<input type=file>` elsewhere.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use web_sys::File;
use yew::prelude::*;

use super::use_lang;
use crate::i18n::{t, tf};
// A file name is the person's own, but may still hold control or bidi characters.
use crate::persist::store::{self, Record};
use crate::persist::{self, handles, Reason};
use crate::state::place::PlaceAction;
use crate::state::{Action, NavAction, Tab};
use crate::text::shown;
use crate::tour::Link;

#[derive(Properties, PartialEq)]
pub struct OpenButtonProps {
    pub class: Classes,
    pub label: AttrValue,
    pub testid: AttrValue,
    /// Opens the picked files (the session's `open_files`).
    pub on_files: Callback<Vec<File>>,
}

/// "Open file": the browser's picker (which gives handles, so the files can be reopened
/// after a reload) where there is one, else the page's `<input type=file>`.
#[function_component(OpenButton)]
pub fn open_button(p: &OpenButtonProps) -> Html {
    let onclick = {
        let on_files = p.on_files.clone();
        Callback::from(move |_: MouseEvent| match handles::start_pick() {
            Some(promise) => {
                let on_files = on_files.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    match handles::finish_pick(promise).await {
                        Ok(picked) if !picked.is_empty() => {
                            let with: Vec<(File, Option<JsValue>)> =
                                picked.into_iter().map(|(f, h)| (f, Some(h))).collect();
                            persist::register(&with);
                            on_files.emit(with.into_iter().map(|(f, _)| f).collect());
                        }
                        Ok(_) => {}
                        // Refused (a cross-origin frame, a policy): the page's own input,
                        // from now on without asking the picker first.
                        Err(e) => {
                            web_sys::console::warn_1(&JsValue::from_str(&format!(
                                "the file picker failed, using the file input: {e}"
                            )));
                            handles::picker_refused();
                            click_file_input();
                        }
                    }
                });
            }
            None => click_file_input(),
        })
    };
    html! {
        <button type="button" class={p.class.clone()} data-testid={p.testid.clone()} {onclick}>{ p.label.clone() }</button>
    }
}

fn click_file_input() {
    if let Some(input) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("file-input"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        input.click();
    }
}

#[derive(Properties, PartialEq)]
pub struct ReopenProps {
    /// Opens files as a drop would (the session's `open_files`).
    pub on_files: Callback<Vec<File>>,
    pub dispatch: Callback<Action>,
    /// The URL already names a place in the files (a reload keeps it): the record's is not
    /// needed.
    pub place_waiting: bool,
    /// The person opened or forgot files on this page (`persist::touched`): the offer is
    /// out of date.
    pub touched: bool,
}

/// What the last reopen could not open: file name and why.
type Failures = Rc<Vec<(String, Reason)>>;

#[function_component(Reopen)]
pub fn reopen(p: &ReopenProps) -> Html {
    let lang = use_lang();
    let record = use_state(|| None::<Rc<Record>>);
    let failures = use_state(|| None::<Failures>);
    let busy = use_state(|| false);
    {
        let record = record.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                match store::load().await {
                    Ok(r) => record.set(r.map(Rc::new)),
                    Err(e) => web_sys::console::warn_1(&JsValue::from_str(&format!(
                        "the files open before could not be read back: {e}"
                    ))),
                }
            });
        });
    }
    let forget = {
        let (record, failures) = (record.clone(), failures.clone());
        Callback::from(move |_: MouseEvent| {
            persist::forget();
            record.set(None);
            failures.set(None);
        })
    };
    let help = html! {
        <p class="muted small reopen-help">{ t(lang, "reopen-help") }</p>
    };
    if let Some(list) = failures.as_ref().filter(|l| !l.is_empty()) {
        let close = {
            let failures = failures.clone();
            Callback::from(move |_: MouseEvent| failures.set(None))
        };
        return html! {
            <section class="reopen card" data-testid="reopen" data-state="failed" aria-labelledby="reopen-title">
                // Only the words are announced, not the buttons after them.
                <div role="status">
                <h2 id="reopen-title" class="reopen-title">{ t(lang, "reopen-failed-title") }</h2>
                <ul class="reopen-failures">
                    { for list.iter().map(|(name, why)| html! {
                        <li data-testid="reopen-failure" data-name={name.clone()} data-reason={why.id()}>
                            <span class="mono">{ shown(name) }</span>{ ": " }
                            { t(lang, why.key()) }
                            { if let Reason::Failed(msg) = why {
                                html! { <>{ " (" }<span lang="en" translate="no">{ msg.clone() }</span>{ ")" }</> }
                            } else { html! {} } }
                        </li>
                    }) }
                </ul>
                </div>
                <div class="reopen-actions">
                    <OpenButton class={classes!("button", "primary")} label={t(lang, "reopen-choose")}
                        testid="reopen-choose" on_files={p.on_files.clone()} />
                    <button type="button" class="button quiet" data-testid="reopen-close" onclick={close}>{ t(lang, "reopen-close") }</button>
                </div>
                { help }
            </section>
        };
    }
    let Some(rec) = record.as_ref().filter(|_| !p.touched) else {
        return html! {};
    };
    let names = rec
        .files
        .iter()
        .map(|f| shown(&f.name))
        .collect::<Vec<_>>()
        .join(", ");
    let count = rec.files.len().to_string();
    let any_handle = rec.files.iter().any(|f| f.handle.is_some());
    let lead = if !any_handle {
        tf(
            lang,
            "reopen-pick-lead",
            &[("files", &names), ("count", &count)],
        )
    } else if rec.files.len() == 1 {
        tf(lang, "reopen-one", &[("files", &names)])
    } else {
        tf(lang, "reopen-many", &[("files", &names), ("count", &count)])
    };
    let on_reopen = {
        let rec = rec.clone();
        let (failures, busy, record) = (failures.clone(), busy.clone(), record.clone());
        let (on_files, dispatch, place_waiting) =
            (p.on_files.clone(), p.dispatch.clone(), p.place_waiting);
        Callback::from(move |_: MouseEvent| {
            // The permission asks start here, in the click (they need its gesture).
            let asks = handles::start_permissions(&rec.files);
            busy.set(true);
            let (rec, failures, busy, record) =
                (rec.clone(), failures.clone(), busy.clone(), record.clone());
            let (on_files, dispatch) = (on_files.clone(), dispatch.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let out = handles::finish_reopen(&rec.files, asks).await;
                let mut opened: Vec<(File, Option<JsValue>)> = Vec::new();
                let mut failed = Vec::new();
                for (f, r) in rec.files.iter().zip(out) {
                    match r {
                        Ok(file) => opened.push((file, f.handle.clone())),
                        Err(why) => failed.push((f.name.clone(), why)),
                    }
                }
                busy.set(false);
                record.set(None);
                failures.set(Some(Rc::new(failed)));
                // What was reopened is remembered from now on; what failed is named here
                // and forgotten (choosing it again remembers it again).
                if opened.is_empty() {
                    persist::forget();
                    return;
                }
                if !place_waiting && !rec.place.is_empty() {
                    let link = Link::parse(&rec.place);
                    if let Some(tab) = link.view.as_deref().and_then(Tab::from_id) {
                        dispatch.emit(Action::Nav(NavAction::Tab(tab)));
                    }
                    if link.demo.is_none() && link.src.is_none() {
                        dispatch.emit(Action::Place(PlaceAction::Pending(link.place())));
                    }
                }
                persist::register(&opened);
                on_files.emit(opened.into_iter().map(|(f, _)| f).collect());
            });
        })
    };
    html! {
        <section class="reopen card" data-testid="reopen" data-state="offer" data-count={count.clone()} aria-labelledby="reopen-title">
            <h2 id="reopen-title" class="reopen-title" data-testid="reopen-lead">{ lead }</h2>
            <div class="reopen-actions">
                { if any_handle {
                    html! {
                        <button type="button" class="button primary" data-testid="reopen-button"
                            disabled={*busy} onclick={on_reopen}>{ t(lang, "reopen-button") }</button>
                    }
                } else {
                    html! {
                        <OpenButton class={classes!("button", "primary")} label={t(lang, "reopen-choose")}
                            testid="reopen-choose" on_files={p.on_files.clone()} />
                    }
                } }
                <button type="button" class="button quiet" data-testid="reopen-forget" onclick={forget}>{ t(lang, "reopen-forget") }</button>
            </div>
            { help }
        </section>
    }
}
