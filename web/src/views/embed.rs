//! Course pages: the "embed this" help with a copy-paste iframe line, the "open full" link of
//! embed mode, and what happened to a `?src=` download.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::tour::focus_first_button;
use super::{shown, use_lang, CopyButton};
use crate::i18n::{t, tf};
use crate::tour::{CourseAction, Link, SrcStatus};

/// Parameters a course page can put in the URL and the values each takes, in the order the
/// help lists them; demos, views, tour steps and languages from the lists the page uses, so the help cannot
/// drift from them (`docs/embed.md` says the same; a test compares).
fn params() -> [(&'static str, String); 7] {
    [
        ("demo", pancake_demo::names().join(" | ")),
        (
            "view",
            crate::state::nav::Tab::ALL
                .iter()
                .map(|t| t.id())
                .collect::<Vec<_>>()
                .join(" | "),
        ),
        // As `permalink` reads it and the page numbers layers: "Layer 3 of 3" is `layer=3`.
        ("layer", "1, 2, … (1 = base)".into()),
        ("step", format!("1 … {}", crate::tour::STEPS.len())),
        (
            "lang",
            crate::i18n::Lang::ALL
                .iter()
                .map(|l| l.code())
                .collect::<Vec<_>>()
                .join(" | "),
        ),
        ("embed", "1".into()),
        ("src", "https://…/image.tar".into()),
    ]
}

/// This page's address without its query: what an iframe line points at.
fn page_base() -> String {
    let Some(loc) = web_sys::window().map(|w| w.location()) else {
        return String::new();
    };
    format!(
        "{}{}",
        loc.origin().unwrap_or_default(),
        loc.pathname().unwrap_or_default()
    )
}

/// What Tab reaches in a dialog, in document order.
const FOCUSABLE: &str =
    "button, [href], input, select, textarea, [tabindex]:not([tabindex=\"-1\"])";

/// A modal dialog (`aria-modal="true"`) keeps Tab inside it, as the WAI-ARIA dialog pattern
/// asks: from its last focusable element Tab goes to its first, and Shift+Tab from its first
/// to its last (and from anywhere outside it, back in). `true` when it moved the focus (the
/// key's own move is then prevented).
fn keep_focus_in(node: &NodeRef, back: bool) -> bool {
    let Some(dialog) = node.cast::<web_sys::Element>() else {
        return false;
    };
    let Ok(list) = dialog.query_selector_all(FOCUSABLE) else {
        return false;
    };
    let items: Vec<web_sys::HtmlElement> = (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        .collect();
    let (Some(first), Some(last)) = (items.first(), items.last()) else {
        return false;
    };
    let active = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element());
    let is = |el: &web_sys::HtmlElement| {
        active
            .as_ref()
            .is_some_and(|a| a.is_same_node(Some(el.as_ref())))
    };
    let inside = active
        .as_ref()
        .is_some_and(|a| dialog.contains(Some(a.as_ref())));
    let to = match (back, inside) {
        (_, false) => first,
        (false, true) if is(last) => first,
        (true, true) if is(first) => last,
        _ => return false,
    };
    let _ = to.focus();
    true
}

#[derive(Properties, PartialEq)]
pub struct EmbedHelpProps {
    /// Where the app is now; the snippet embeds this place.
    pub link: Link,
    pub on_action: Callback<CourseAction>,
}

#[function_component(EmbedHelp)]
pub fn embed_help(p: &EmbedHelpProps) -> Html {
    let lang = use_lang();
    let node = use_node_ref();
    super::use_focus_return("open-embed-help");
    {
        let node = node.clone();
        use_effect_with((), move |_| focus_first_button(&node));
    }
    let mut link = p.link.clone();
    link.embed = true;
    link.step = None;
    if link.demo.is_none() && link.src.is_none() {
        link.demo = Some("nginx".into());
        link.view = Some("stack".into());
        link.layer = None;
    }
    let src = format!("{}{}", page_base(), link.query());
    let snippet = format!(
        "<iframe src=\"{}\" title=\"Pancake\" width=\"800\" height=\"600\" style=\"max-width:100%;border:0\" loading=\"lazy\"></iframe>",
        src.replace('&', "&amp;")
    );
    let close = {
        let cb = p.on_action.clone();
        Callback::from(move |_| cb.emit(CourseAction::Help(false)))
    };
    let onkeydown = {
        let cb = p.on_action.clone();
        let node = node.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                cb.emit(CourseAction::Help(false));
            } else if e.key() == "Tab" && keep_focus_in(&node, e.shift_key()) {
                e.prevent_default();
            }
        })
    };
    html! {
        <div class="embed-backdrop" onkeydown={onkeydown}>
            <section class="embed-help" ref={node} role="dialog" aria-modal="true" aria-labelledby="embed-help-title" data-testid="embed-help">
                <header>
                    <h2 id="embed-help-title">{ t(lang, "embed-title") }</h2>
                    <button type="button" class="button quiet" aria-label={t(lang, "close")} title={t(lang, "close")} onclick={close}>{ "✕" }</button>
                </header>
                <p>{ t(lang, "embed-lead") }</p>
                <div class="snippet">
                    <pre class="mono" data-testid="embed-snippet" tabindex="0" aria-label={t(lang, "embed-snippet")}>{ snippet.clone() }</pre>
                    <CopyButton text={AttrValue::from(snippet)} what={AttrValue::from(t(lang, "embed-copy-what"))} />
                </div>
                <h3>{ t(lang, "embed-params") }</h3>
                <div class="table-wrap">
                    // Explicit roles: on a phone the rows are stacked as blocks (style.css),
                    // which would otherwise drop the table's semantics in some browsers.
                    <table class="params" role="table">
                        <thead><tr role="row">
                            <th scope="col" role="columnheader">{ t(lang, "embed-param") }</th>
                            <th scope="col" role="columnheader">{ t(lang, "embed-values") }</th>
                            <th scope="col" role="columnheader">{ t(lang, "embed-meaning") }</th>
                        </tr></thead>
                        <tbody>
                            { for params().into_iter().map(|(name, values)| html! {
                                <tr role="row">
                                    <td role="cell"><code class="mono">{ name }</code></td>
                                    <td role="cell"><code class="mono">{ values }</code></td>
                                    <td role="cell">{ t(lang, &format!("embed-param-{name}")) }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
                <p class="muted small">{ t(lang, "embed-cors") }</p>
            </section>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct OpenFullProps {
    pub link: Link,
}

/// Embed mode's way out: the same place in a full page, in a new tab.
#[function_component(OpenFull)]
pub fn open_full(p: &OpenFullProps) -> Html {
    let lang = use_lang();
    let mut link = p.link.clone();
    link.embed = false;
    let href = format!("{}{}", page_base(), link.query());
    html! {
        <a class="open-full small" href={href} target="_blank" rel="noopener" data-testid="open-full">
            { t(lang, "embed-open-full") }<span aria-hidden="true">{ " ↗" }</span>
        </a>
    }
}

#[derive(Properties, PartialEq)]
pub struct SrcNoticeProps {
    pub url: AttrValue,
    pub status: SrcStatus,
    /// The person agreed to download the URL (only asked for [`SrcStatus::Confirm`]).
    pub on_open: Callback<()>,
    pub on_cancel: Callback<()>,
}

/// A `?src=` URL on another origin waiting for the person's OK (the full URL shown, as
/// text, its control characters escaped), a download under way, or why it failed (most
/// often: the host does not allow CORS).
#[function_component(SrcNotice)]
pub fn src_notice(p: &SrcNoticeProps) -> Html {
    let lang = use_lang();
    let url = shown(&p.url);
    match &p.status {
        SrcStatus::None => html! {},
        SrcStatus::Confirm => {
            let host = web_sys::Url::new(&p.url)
                .map(|u| u.host())
                .unwrap_or_default();
            let open = p.on_open.reform(|_: MouseEvent| ());
            let cancel = p.on_cancel.reform(|_: MouseEvent| ());
            html! {
                <section class="src-confirm card" data-testid="src-confirm" role="dialog" aria-modal="false"
                    aria-labelledby="src-confirm-title">
                    <h2 id="src-confirm-title">{ t(lang, "src-confirm-title") }</h2>
                    <p>{ tf(lang, "src-confirm-host", &[("host", &shown(&host))]) }</p>
                    <p class="src-url"><code class="mono wrap" data-testid="src-url">{ url }</code></p>
                    <p class="muted small">{ t(lang, "src-confirm-why") }</p>
                    <div class="actions">
                        <button type="button" class="button primary" data-testid="src-open" onclick={open}>{ t(lang, "src-confirm-open") }</button>
                        <button type="button" class="button" data-testid="src-cancel" onclick={cancel}>{ t(lang, "src-confirm-cancel") }</button>
                    </div>
                </section>
            }
        }
        SrcStatus::Loading => html! {
            <p class="src-loading muted" data-testid="src-loading" role="status">{ tf(lang, "src-loading", &[("url", &url)]) }</p>
        },
        SrcStatus::Failed { status } => html! {
            <div class="error fatal" data-testid="error" data-kind="src" role="alert">
                <strong>{ tf(lang, "src-failed", &[("url", &url)]) }</strong>{ " " }
                <span data-testid="src-reason">{ match status {
                    Some(code) => tf(lang, "src-http", &[("status", &code.to_string())]),
                    None => t(lang, "src-cors"),
                } }</span>
            </div>
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The help's values say what `docs/embed.md`'s table says: each of the help's values
    /// (split at ` | `, `, ` and ` … `) appears in the doc's row for that parameter.
    #[test]
    fn the_help_and_the_doc_agree() {
        let doc = include_str!("../../../docs/embed.md");
        for (name, values) in params() {
            let row = doc
                .lines()
                .find(|l| l.starts_with(&format!("| `{name}` |")))
                .unwrap_or_else(|| panic!("docs/embed.md has no row for {name}"));
            for v in values
                .split(['|', ','])
                .flat_map(|v| v.split(" … "))
                .map(str::trim)
                .filter(|v| !v.is_empty() && !v.contains(['…', '(']) && !v.starts_with("https"))
            {
                assert!(
                    row.contains(&format!("`{v}`")),
                    "{name}: {v} not in the doc's row: {row}"
                );
            }
        }
        assert!(params()
            .iter()
            .any(|(n, v)| *n == "layer" && v.contains("(1 = base)")));
    }
}
