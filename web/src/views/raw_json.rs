//! The raw JSON of the image as the archive stores it: its config, its OCI manifest, and the
//! archive's `manifest.json` and `index.json`, pretty-printed in the archive's own key order and
//! copyable (issue 15, "Config: a raw JSON view").

use pancake_core::{Archive, Image};
use yew::prelude::*;

use super::{shown, use_lang};
use crate::i18n::{t, tf};
use crate::state::ArchiveRef;

/// Indents a JSON text two spaces per level, one member or element a line, `": "` after
/// keys; keeps the key order, the numbers and the string escapes exactly as written (no
/// parse-and-print round trip, which would sort keys and rewrite numbers). Whitespace outside
/// strings is dropped; empty `{}` and `[]` stay on one line. Text that is not JSON comes out
/// re-spaced but otherwise unchanged.
pub fn pretty(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + json.len() / 4);
    let mut depth: usize = 0;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = json.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    };
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                // Skip whitespace to see whether it closes at once.
                while chars.peek().is_some_and(|n| n.is_whitespace()) {
                    chars.next();
                }
                if chars.peek().is_some_and(|n| *n == '}' || *n == ']') {
                    if let Some(close) = chars.next() {
                        out.push(close);
                    }
                } else {
                    depth = depth.saturating_add(1);
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

/// The JSON documents about `image`, as (label key, member name, text): the config and the
/// manifest (the members whose sha256 is the image's config and manifest digest), then the
/// archive's `manifest.json` and `index.json` when it has them. Members over the JSON size
/// limit (not kept) are left out.
pub fn documents<'a>(archive: &'a Archive, image: &Image) -> Vec<(&'static str, String, &'a str)> {
    let mut out = Vec::new();
    let by_digest = |d: &Option<pancake_core::Digest>| {
        let d = d.as_ref()?;
        archive.members.iter().find(|m| {
            m.facts.json.is_some()
                && (m.facts.sha256.as_ref() == Some(d) || m.facts.sha512.as_ref() == Some(d))
        })
    };
    for (key, digest) in [
        ("raw-config", &image.config_digest),
        ("raw-manifest", &image.manifest_digest),
    ] {
        if let Some(m) = by_digest(digest) {
            if let Some(j) = m.facts.json.as_deref() {
                out.push((key, m.path.display().into_owned(), j));
            }
        }
    }
    for (key, name) in [
        ("raw-docker-manifest", "manifest.json"),
        ("raw-index", "index.json"),
    ] {
        let m = archive
            .members
            .iter()
            .find(|m| m.path.display().trim_start_matches("./") == name);
        if let Some(j) = m.and_then(|m| m.facts.json.as_deref()) {
            out.push((key, name.to_string(), j));
        }
    }
    out
}

#[derive(Properties, PartialEq)]
pub struct RawJsonProps {
    pub archive: ArchiveRef,
    pub image: usize,
}

/// One folded section per document ([`documents`]), each pretty-printed with a copy button.
#[function_component(RawJson)]
pub fn raw_json(p: &RawJsonProps) -> Html {
    let lang = use_lang();
    let Some(image) = p.archive.images.get(p.image) else {
        return html! {};
    };
    let docs = documents(&p.archive, image);
    html! {
        <section class="raw-json" data-testid="raw-json" aria-labelledby="raw-json-title">
            <h2 id="raw-json-title" class="raw-json-title">{ t(lang, "raw-title") }</h2>
            { if docs.is_empty() { html! { <p class="muted">{ t(lang, "raw-none") }</p> } } else { html! {} } }
            { for docs.into_iter().map(|(key, member, text)| {
                let text = pretty(text);
                html! {
                    <details class="raw-doc" data-testid="raw-doc" data-doc={key}>
                        <summary>
                            <strong>{ t(lang, key) }</strong>{ " · " }<code class="mono wrap">{ member.clone() }</code>
                            <span class="muted small">{ " " }{ tf(lang, "raw-lines", &[("n", &text.lines().count().to_string())]) }</span>
                        </summary>
                        <div class="raw-actions"><CopyDoc text={AttrValue::from(text.clone())} label={AttrValue::from(t(lang, key))} /></div>
                        <pre class="mono raw-text" tabindex="0" aria-label={t(lang, key)}>{ shown(&text) }</pre>
                    </details>
                }
            }) }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct CopyDocProps {
    text: AttrValue,
    label: AttrValue,
}

/// Copies a whole document; its accessible name names the document, not its text (which may
/// be thousands of characters).
#[function_component(CopyDoc)]
fn copy_doc(p: &CopyDocProps) -> Html {
    let lang = use_lang();
    let copied = use_state(|| false);
    let onclick = {
        let (text, copied) = (p.text.clone(), copied.clone());
        Callback::from(move |_| {
            if let Some(w) = web_sys::window() {
                let _ = w.navigator().clipboard().write_text(&text);
                copied.set(true);
            }
        })
    };
    html! {
        <button type="button" class="copy" data-testid="raw-copy" {onclick}
            aria-label={tf(lang, "raw-copy", &[("doc", &p.label)])}>
            { t(lang, if *copied { "copied" } else { "copy" }) }
        </button>
    }
}

#[cfg(test)]
mod tests {
    use super::pretty;

    #[test]
    fn indents_in_the_archive_order_and_keeps_strings() {
        let src = r#"{"z":1,"a":[1,2.50,{}],"s":"a,b:{\"c\"}","e":[ ],"n":{"k":null}}"#;
        assert_eq!(
            pretty(src),
            "{\n  \"z\": 1,\n  \"a\": [\n    1,\n    2.50,\n    {}\n  ],\n  \"s\": \"a,b:{\\\"c\\\"}\",\n  \"e\": [],\n  \"n\": {\n    \"k\": null\n  }\n}"
        );
    }

    #[test]
    fn already_pretty_text_is_reindented_the_same() {
        let src = "{\n    \"a\" : [ 1 ,\n 2 ]\n}";
        assert_eq!(pretty(src), "{\n  \"a\": [\n    1,\n    2\n  ]\n}");
    }
}
