//! One file's content, read on demand from the `File` by the worker: text as is,
//! anything else as a hex dump; capped, with "show more".

use crate::figures::human_size;
use pancake_core::analyze::{capability, shared_inode};
use pancake_core::model::Xattr;
use pancake_core::xattr_text;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::use_lang;
use crate::i18n::{t, tf};
use crate::state::ContentView;

#[derive(Properties, PartialEq)]
pub struct ContentProps {
    pub content: ContentView,
    pub on_more: Callback<()>,
    pub on_close: Callback<()>,
    /// The archive the content was read from and the opened file, for saving the file.
    #[prop_or_default]
    pub archive: Option<crate::state::ArchiveRef>,
    #[prop_or_default]
    pub file: Option<web_sys::File>,
}

/// Text when it is UTF-8 without NUL bytes (a multi-byte character cut by the cap is fine).
fn as_text(bytes: &[u8]) -> Option<String> {
    if bytes.contains(&0) {
        return None;
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Some(s.to_string()),
        Err(e) if e.error_len().is_none() && bytes.len() - e.valid_up_to() < 4 => bytes
            .get(..e.valid_up_to())
            .and_then(|b| std::str::from_utf8(b).ok())
            .map(str::to_string),
        Err(_) => None,
    }
}

/// `00000010  68 65 6c 6c 6f …  |hello…|`, like `hexdump -C`.
pub fn hex_dump(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 4 + 16);
    for (i, chunk) in bytes.chunks(16).enumerate() {
        out.push_str(&format!("{:08x}  ", i * 16));
        for j in 0..16 {
            match chunk.get(j) {
                Some(b) => out.push_str(&format!("{b:02x} ")),
                None => out.push_str("   "),
            }
            if j == 7 {
                out.push(' ');
            }
        }
        out.push_str(" |");
        out.extend(chunk.iter().map(|b| {
            if b.is_ascii_graphic() || *b == b' ' {
                *b as char
            } else {
                '.'
            }
        }));
        out.push_str("|\n");
    }
    out
}

/// The tree row of `path` (`data-path`) if it is drawn, else the tree's focus row (the one
/// with `tabindex=0`).
fn row_for(doc: &web_sys::Document, path: &str) -> Option<web_sys::HtmlElement> {
    let rows = doc.query_selector_all("[data-testid=file-row]").ok()?;
    let mut focus_row = None;
    for i in 0..rows.length() {
        let Some(el) = rows
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        else {
            continue;
        };
        if el.get_attribute("data-path").as_deref() == Some(path) {
            return Some(el);
        }
        if focus_row.is_none() && el.get_attribute("tabindex").as_deref() == Some("0") {
            focus_row = Some(el);
        }
    }
    focus_row
}

/// The extended attributes of the file the pane shows, from the layer entry holding its bytes,
/// with what the headers of its other names in that layer set on it (`shared_inode`: hard
/// links); empty for a file without attributes (most).
fn xattrs_of(p: &ContentProps) -> Vec<Xattr> {
    let c = &p.content;
    p.archive
        .as_ref()
        .and_then(|a| a.members.get(c.member))
        .and_then(|m| m.facts.layer.as_ref())
        .and_then(|l| {
            let entries = l.entries.as_slice();
            let e = entries.get(c.entry)?;
            let shared = shared_inode::of_layer(entries);
            Some(match shared.get(&e.path) {
                Some(a) => a.xattrs.to_vec(),
                None => e.xattrs().to_vec(),
            })
        })
        .unwrap_or_default()
}

/// A file's extended attributes in a line or two: its capabilities in getcap's text first
/// (what a reader of a setcap looks for), then its other attributes as `NAME (SIZE)`; nothing
/// for a file without attributes. The image's file view and the container's editor both show
/// them this way, so an edit that drops `security.capability` is seen to drop it; `note`, a
/// line said after them (the editor's word on dropped capabilities).
pub(crate) fn attribute_lines(
    lang: crate::i18n::Lang,
    xattrs: &[Xattr],
    note: Option<Html>,
) -> Html {
    let caps = capability::of(xattrs);
    let others: Vec<String> = xattrs
        .iter()
        .filter(|x| x.name != capability::XATTR_NAME)
        .map(|x| {
            format!(
                "{} ({})",
                xattr_text(&x.name),
                human_size(lang, x.value.len() as u64)
            )
        })
        .collect();
    if caps.is_none() && others.is_empty() && note.is_none() {
        return html! {};
    }
    html! {
        <div class="muted small content-xattrs" data-testid="file-xattrs">
            { for caps.map(|c| html! {
                <p data-testid="file-caps">
                    { tf(lang, "content-caps", &[("caps", &super::shown(&c))]) }
                </p>
            }) }
            { if others.is_empty() { html! {} } else { html! {
                <p>{ tf(lang, "content-xattrs", &[("list", &super::shown(&others.join(", ")))]) }</p>
            } } }
            { for note }
        </div>
    }
}

#[function_component(Content)]
pub fn content(p: &ContentProps) -> Html {
    let lang = use_lang();
    let c = &p.content;
    let path = c.path.display().to_string();
    let close = {
        let cb = p.on_close.clone();
        Callback::from(move |_| cb.emit(()))
    };
    let close_ref = use_node_ref();
    let pane_ref = use_node_ref();
    {
        // Escape closes from anywhere; focus starts on the close button so the keyboard is
        // where the new content is, and goes back, on closing, to what had it before (the
        // row that opened the file), not to the top of the page.
        let cb = p.on_close.clone();
        let close_ref = close_ref.clone();
        let pane_ref = pane_ref.clone();
        use_effect_with((), move |_| {
            let doc = web_sys::window().and_then(|w| w.document());
            let opener = doc
                .as_ref()
                .and_then(|d| d.active_element())
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
            // A tree row is drawn in a window of reused elements: found again by its path
            // on closing (scrolled away, the tree's own focus row instead).
            let opener_row = opener
                .as_ref()
                .filter(|o| o.get_attribute("data-testid").as_deref() == Some("file-row"))
                .and_then(|o| o.get_attribute("data-path"));
            if let Some(b) = close_ref.cast::<web_sys::HtmlElement>() {
                let _ = b.focus();
            }
            let listener = web_sys::window().and_then(|w| w.document()).map(|doc| {
                gloo::events::EventListener::new(&doc, "keydown", move |e| {
                    if let Some(k) = e.dyn_ref::<web_sys::KeyboardEvent>() {
                        if k.key() == "Escape" {
                            cb.emit(());
                        }
                    }
                })
            });
            move || {
                drop(listener);
                let Some(doc) = doc else { return };
                let pane = pane_ref.cast::<web_sys::Node>();
                // Only when the focus is lost with the pane (in it, or on the page itself):
                // a click elsewhere that closed it keeps its own focus.
                let lost = super::focus_on_nothing(&doc)
                    || doc
                        .active_element()
                        .is_some_and(|a| pane.is_some_and(|p| p.contains(Some(a.unchecked_ref()))));
                if !lost {
                    return;
                }
                let back = match opener_row {
                    Some(path) => row_for(&doc, &path),
                    None => opener.filter(|o| o.is_connected()),
                };
                if let Some(o) = back {
                    let _ = o.focus();
                }
            }
        });
    }
    let more = {
        let cb = p.on_more.clone();
        Callback::from(move |_| cb.emit(()))
    };
    let body = match (&c.bytes, &c.error) {
        (_, Some(err)) => html! { <p class="error-text" role="alert">{ err.clone() }</p> },
        (None, None) => html! { <p class="muted">{ t(lang, "content-loading") }</p> },
        (Some(bytes), None) => {
            let shown = bytes.len() as u64;
            // Text as text, its control and bidi characters (an ESC, a U+202E) made visible.
            let text = as_text(bytes).map(|t| super::shown(&t));
            let kind = if text.is_some() { "text" } else { "binary" };
            html! {
                <>
                    <p class="muted small">
                        { tf(lang, if kind == "text" { "content-text" } else { "content-binary" },
                            &[("shown", &human_size(lang, shown)), ("size", &human_size(lang, c.size))]) }
                    </p>
                    <pre class={classes!("mono", "content-body", format!("content-{kind}"))} data-kind={kind} tabindex="0">
                        { text.unwrap_or_else(|| hex_dump(bytes)) }
                    </pre>
                    { if shown < c.size {
                        html! { <button type="button" class="button" data-testid="show-more" onclick={more}>{ t(lang, "show-more") }</button> }
                    } else { html! {} } }
                </>
            }
        }
    };
    let attrs = attribute_lines(lang, &xattrs_of(p), None);
    html! {
        <div class="content-pane" role="dialog" aria-modal="false" aria-label={path.clone()}
            data-testid="file-content" data-path={path.clone()} ref={pane_ref}>
            <header>
                // Cut in the middle on a narrow screen: the folders give way, the file's own
                // name stays in sight (`name::middle_ellipsis`).
                <code class="ellipsis content-path">{ super::name::middle_ellipsis(&format!("/{path}")) }</code>
                <span class="muted small nowrap">{ human_size(lang, c.size) }</span>
                <button type="button" class="button quiet" onclick={close} aria-label={t(lang, "close")} ref={close_ref}>{ "✕" }</button>
            </header>
            { attrs }
            { body }
            // Outside `body`, so it stays mounted while a larger read is loading.
            <super::tree::download::Download key={format!("{}:{}", c.member, c.path.display())} content={c.clone()} archive={p.archive.clone()} file={p.file.clone()} />
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_dump_matches_hexdump_c() {
        let d = hex_dump(b"hello, world\n\x00\x01\x02\xff!");
        assert!(d.starts_with(
            "00000000  68 65 6c 6c 6f 2c 20 77  6f 72 6c 64 0a 00 01 02  |hello, world....|\n"
        ));
        assert!(d.contains("00000010  ff 21"));
    }

    #[test]
    fn text_detection() {
        assert_eq!(as_text(b"abc").as_deref(), Some("abc"));
        assert!(as_text(b"a\0b").is_none());
        // "é" cut in half by the cap is still text.
        assert_eq!(as_text(&[b'a', 0xc3]).as_deref(), Some("a"));
        assert!(as_text(&[0xff, 0xfe, b'a', b'b', b'c']).is_none());
    }
}
