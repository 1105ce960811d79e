//! The raw JSON of the image as the archive stores it: its config, its OCI manifest, and the
//! archive's `manifest.json` and `index.json`, pretty-printed in the archive's own key order and
//! copyable (issue 15, "Config: a raw JSON view").

use std::rc::Rc;

use pancake_core::{Archive, Image};
use yew::prelude::*;

use super::{shown, use_lang};
use crate::i18n::{t, tf};
use crate::state::ArchiveRef;

/// Levels indented; an array or object nested deeper is printed compact (no whitespace, on
/// one line) up to where it closes, so `[[[[…]]]]` 100,000 deep costs its own length, not
/// 2 × 100,000² spaces.
pub const MAX_DEPTH: usize = 64;

/// The output [`pretty`] may grow to before the rest is printed compact: four times the input,
/// at least 1 MiB (indentation of an ordinary document adds well under that; an 8 MiB array
/// of one-digit numbers 64 levels deep would add 128 bytes per element).
fn budget(input: usize) -> usize {
    input.saturating_mul(4).max(1 << 20)
}

/// Indents a JSON text two spaces per level, one member or element a line, `": "` after
/// keys; keeps the key order, the numbers and the string escapes exactly as written (no
/// parse-and-print round trip, which would sort keys and rewrite numbers). Whitespace outside
/// strings is dropped; empty `{}` and `[]` stay on one line. Text that is not JSON comes out
/// re-spaced but otherwise unchanged. Bounded: levels past [`MAX_DEPTH`] are printed compact
/// on their line, and once the output passes four times the input (at least 1 MiB) the rest
/// is printed compact, so the output is at most that plus the input's length.
pub fn pretty(json: &str) -> String {
    let limit = budget(json.len());
    let mut out = String::with_capacity(json.len() + json.len() / 4);
    let mut depth: usize = 0;
    let mut in_string = false;
    let mut escaped = false;
    // Past the output budget: everything left is compact.
    let mut flat = false;
    let mut chars = json.chars().peekable();
    let newline = |out: &mut String, depth: usize, flat: &mut bool| {
        if *flat || depth > MAX_DEPTH {
            return;
        }
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
        if out.len() > limit {
            *flat = true;
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
                    newline(&mut out, depth, &mut flat);
                }
            }
            '}' | ']' => {
                // The contents were laid out at `depth` (or compact, past the bound); the
                // closing bracket goes at the level of its opening one.
                let inner = depth;
                depth = depth.saturating_sub(1);
                if inner <= MAX_DEPTH {
                    newline(&mut out, depth, &mut flat);
                }
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth, &mut flat);
            }
            ':' if flat || depth > MAX_DEPTH => out.push(':'),
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

/// One document laid out for the page: [`pretty`]'s text (shared with the copy button) and
/// its line count.
struct Laid {
    text: AttrValue,
    lines: usize,
}

/// Per-document memo of [`pretty`]: the source text it was made from and the result. The
/// archive is replaced each time a blob's digest arrives, but the JSON members are the same
/// text, so each is laid out once per distinct text; comparing a source costs a `memcmp`,
/// laying it out a pass that allocates several times its size.
type LaidCache = Vec<(String, Rc<Laid>)>;

fn laid_out(cache: &mut LaidCache, text: &str) -> Rc<Laid> {
    if let Some((_, l)) = cache.iter().find(|(src, _)| src == text) {
        return l.clone();
    }
    let pretty = pretty(text);
    let laid = Rc::new(Laid {
        lines: pretty.lines().count(),
        text: AttrValue::from(pretty),
    });
    cache.push((text.to_string(), laid.clone()));
    laid
}

/// One folded section per document ([`documents`]), each pretty-printed with a copy button.
#[function_component(RawJson)]
pub fn raw_json(p: &RawJsonProps) -> Html {
    let lang = use_lang();
    let cache = use_mut_ref(LaidCache::new);
    let Some(image) = p.archive.images.get(p.image) else {
        return html! {};
    };
    let docs = documents(&p.archive, image);
    let laid: Vec<(&'static str, String, Rc<Laid>)> = {
        let mut cache = cache.borrow_mut();
        let laid = docs
            .into_iter()
            .map(|(key, member, text)| (key, member, laid_out(&mut cache, text)))
            .collect::<Vec<_>>();
        // Keep only what is shown now, so the memo never holds another image's documents.
        cache.retain(|(_, l)| laid.iter().any(|(_, _, x)| Rc::ptr_eq(l, x)));
        laid
    };
    html! {
        <section class="raw-json" data-testid="raw-json" aria-labelledby="raw-json-title">
            <h2 id="raw-json-title" class="raw-json-title">{ t(lang, "raw-title") }</h2>
            { if laid.is_empty() { html! { <p class="muted">{ t(lang, "raw-none") }</p> } } else { html! {} } }
            { for laid.into_iter().map(|(key, member, doc)| {
                html! {
                    <details class="raw-doc" data-testid="raw-doc" data-doc={key}>
                        <summary>
                            <strong>{ t(lang, key) }</strong>{ " · " }<code class="mono wrap">{ member.clone() }</code>
                            <span class="muted small">{ " " }{ tf(lang, "raw-lines", &[("n", &crate::figures::count(lang, doc.lines))]) }</span>
                        </summary>
                        <div class="raw-actions"><CopyDoc text={doc.text.clone()} label={AttrValue::from(t(lang, key))} /></div>
                        <pre class="mono raw-text" tabindex="0" aria-label={t(lang, key)}>{ shown(&doc.text) }</pre>
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
    use super::{budget, pretty, MAX_DEPTH};

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

    /// The input without whitespace outside strings: what every layout must keep.
    fn squeeze(s: &str) -> String {
        let mut out = String::new();
        let (mut in_string, mut escaped) = (false, false);
        for c in s.chars() {
            if in_string {
                out.push(c);
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    in_string = false;
                }
            } else if c == '"' {
                in_string = true;
                out.push(c);
            } else if !c.is_whitespace() {
                out.push(c);
            }
        }
        out
    }

    /// `[[[[…]]]]` 100,000 deep: the first 64 levels are indented, the rest is one compact
    /// line, so the output is about the input's length plus 64 indented lines (unbounded, it
    /// was 2 × 100,000² / 2 bytes of spaces: 10 GB).
    #[test]
    fn deep_nesting_is_indented_to_64_levels_then_compact() {
        let n = 100_000;
        let src = format!("{}{}", "[".repeat(n), "]".repeat(n));
        let out = pretty(&src);
        assert_eq!(squeeze(&out), src);
        let lines: Vec<&str> = out.lines().collect();
        // `[` and 63 indented `[` lines, the compact line at level 64, then 64 closing lines.
        assert_eq!(lines.len(), 2 * MAX_DEPTH + 1, "{}", out.len());
        assert_eq!(lines.get(1), Some(&"  ["));
        let deepest = lines.get(MAX_DEPTH).copied().unwrap_or_default();
        assert!(deepest.starts_with(&"  ".repeat(MAX_DEPTH)));
        assert_eq!(deepest.trim_start().len(), 2 * (n - MAX_DEPTH));
        assert!(out.len() < src.len() + 2 * MAX_DEPTH * (MAX_DEPTH + 1) + 2 * MAX_DEPTH + 1);
        // A member at level 65 keeps its `:` compact; one at level 2 gets `": "`.
        let mut deep = "{\"k\":".repeat(MAX_DEPTH + 1);
        deep.push('1');
        deep.push_str(&"}".repeat(MAX_DEPTH + 1));
        let out = pretty(&deep);
        assert_eq!(squeeze(&out), deep);
        assert!(out.contains("{\"k\":1}"), "{out}");
        assert!(out.starts_with("{\n  \"k\": {\n    \"k\": {"), "{out}");
    }

    /// 2,000,000 one-digit elements 60 levels deep would indent to 240 MB; the output stops
    /// growing by indentation past 4 × the input (at least 1 MiB), the rest on one line.
    #[test]
    fn huge_output_is_capped() {
        let depth = 60;
        let mut src = "[".repeat(depth);
        src.push_str(&vec!["1"; 2_000_000].join(","));
        src.push_str(&"]".repeat(depth));
        let out = pretty(&src);
        assert_eq!(squeeze(&out), src);
        let cap = budget(src.len());
        assert!(
            out.len() <= cap + src.len(),
            "{} > {}",
            out.len(),
            cap + src.len()
        );
        assert!(out.len() > cap / 2, "indented up to the cap: {}", out.len());
        // The tail is the input's own compact text.
        assert!(out.ends_with(&format!("1,1,1{}", "]".repeat(depth))));
    }

    /// An ordinary document comes out as before the bounds: two spaces a level.
    #[test]
    fn ordinary_documents_are_unchanged_by_the_bounds() {
        let src = r#"{"rootfs":{"type":"layers","diff_ids":["sha256:aa","sha256:bb"]},"config":{"Env":["A=1"]}}"#;
        assert_eq!(
            pretty(src),
            "{\n  \"rootfs\": {\n    \"type\": \"layers\",\n    \"diff_ids\": [\n      \"sha256:aa\",\n      \"sha256:bb\"\n    ]\n  },\n  \"config\": {\n    \"Env\": [\n      \"A=1\"\n    ]\n  }\n}"
        );
    }
}
