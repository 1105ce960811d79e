//! The page's views. Each reads the model through props and reports user intent upward.

pub mod artifacts;
pub mod compare;
pub mod config;
pub mod container;
pub mod container_message;
pub mod content;
pub mod diagram;
pub mod dockerfile;
pub mod embed;
pub mod files;
pub mod hash_path;
pub mod history;
pub mod layer_size;
pub mod layers_read;
pub mod links;
pub mod name;
pub mod picker;
pub mod platforms;
pub mod raw_json;
pub mod reopen;
pub mod search;
pub mod shared;
pub mod stack;
pub mod stack_window;
pub mod start;
pub mod status;
pub mod tour;
pub mod transfer;
pub mod tree;
pub mod virtual_list;

use pancake_core::analyze::history::{self as hist, InstructionKind};
use pancake_core::{Archive, Image, Verification};
use yew::prelude::*;

use crate::i18n::{t, Lang};

/// How a string from a tarball is shown (in `text.rs`: the state modules need it too and
/// import no view).
pub use crate::text::shown;

/// The language every view renders in (provided by the shell).
#[hook]
pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or(Lang::En)
}

/// The user asked for less motion (`prefers-reduced-motion`): no smooth scrolling or animation.
pub fn reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches())
}

/// CSS class for an instruction kind; the same colours everywhere.
pub fn kind_class(kind: InstructionKind) -> &'static str {
    match kind {
        InstructionKind::Base => "kind-base",
        InstructionKind::Run => "kind-run",
        InstructionKind::Copy => "kind-copy",
        InstructionKind::OtherLayer => "kind-other",
        InstructionKind::Metadata => "kind-meta",
    }
}

/// How a layer was made: its history step's kind, or a guess from its position.
pub fn layer_kind(image: &Image, layer: usize) -> InstructionKind {
    match image
        .layers
        .get(layer)
        .and_then(|l| l.history)
        .and_then(|h| image.history.get(h))
    {
        Some(h) => hist::kind(h),
        None if layer == 0 => InstructionKind::Base,
        None => InstructionKind::OtherLayer,
    }
}

/// Keyword and the rest of the instruction, for a label like `RUN` `apt-get update`.
pub fn layer_label(image: &Image, layer: usize) -> (String, String) {
    let created_by = image
        .layers
        .get(layer)
        .and_then(|l| l.history)
        .and_then(|h| image.history.get(h))
        .and_then(|h| h.created_by.as_deref())
        .unwrap_or("");
    split_instruction(created_by)
}

pub fn split_instruction(created_by: &str) -> (String, String) {
    let ins = hist::instruction(created_by);
    let rest = shown(&ins.label());
    (shown(&ins.keyword), rest)
}

/// Where a layer's verification stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Verified,
    Mismatch,
    /// Its blob is still being hashed.
    Pending,
    /// The blob was read but the archive claims no digest to check it against (legacy v1
    /// saves), or a claim uses an algorithm not computed here: neutral, not wrong; the
    /// layer's `verification_reason` says which.
    NotCheckable,
    /// Left out of the archive on purpose (a non-distributable / foreign layer with URLs):
    /// neutral, the rest of the image is complete.
    NonDistributable,
    /// The blob is not in the archive.
    Missing,
    /// The blob is there but could not be read to its end.
    Unreadable,
    /// Nothing could be checked and the core gave no state for why (should not happen).
    Unchecked,
}

impl Verdict {
    pub fn id(self) -> &'static str {
        match self {
            Verdict::Verified => "verified",
            Verdict::Mismatch => "mismatch",
            Verdict::Pending => "pending",
            Verdict::NotCheckable => "not-checkable",
            Verdict::NonDistributable => "non-distributable",
            Verdict::Missing => "missing",
            Verdict::Unreadable => "unreadable",
            Verdict::Unchecked => "unchecked",
        }
    }
}

/// Counts for the image's one-line verdict: (verified, neutral — not checkable or left out on
/// purpose —, failed — mismatch, missing, unreadable —, layers).
pub fn verdict_counts(archive: &Archive, image: &Image) -> (usize, usize, usize, usize) {
    let mut c = (0, 0, 0, image.layers.len());
    for i in 0..image.layers.len() {
        match verdict(archive, image, i) {
            Verdict::Verified => c.0 += 1,
            Verdict::NotCheckable | Verdict::NonDistributable => c.1 += 1,
            Verdict::Mismatch | Verdict::Missing | Verdict::Unreadable | Verdict::Unchecked => {
                c.2 += 1
            }
            Verdict::Pending => {}
        }
    }
    c
}

pub fn verdict(archive: &Archive, image: &Image, layer: usize) -> Verdict {
    let Some(l) = image.layers.get(layer) else {
        return Verdict::Unchecked;
    };
    // The core's verdict first, as the CLI gives it: a layer that cannot be read to its end
    // is unreadable even when its digest also differs (the details list both).
    match l.verification {
        Verification::Unreadable => return Verdict::Unreadable,
        Verification::Missing => return Verdict::Missing,
        _ => {}
    }
    if !l.mismatches.is_empty() {
        return Verdict::Mismatch;
    }
    if l.verified {
        return Verdict::Verified;
    }
    match l.verification {
        Verification::NotCheckable => return Verdict::NotCheckable,
        Verification::NonDistributable => return Verdict::NonDistributable,
        _ => {}
    }
    let hashed = l
        .member
        .and_then(|m| archive.members.get(m))
        .map(|m| m.facts.sha256.is_some() || m.facts.error.is_some());
    match hashed {
        Some(false) => Verdict::Pending,
        _ => Verdict::Unchecked,
    }
}

/// [`verdict`] as the page shows it: while digests still come (`hashing`) a layer waiting
/// for its digest is pending; once none will (checking cancelled, or stopped when another
/// file was opened) it is not checked.
pub fn shown_verdict(archive: &Archive, image: &Image, layer: usize, hashing: bool) -> Verdict {
    match verdict(archive, image, layer) {
        Verdict::Pending if !hashing => Verdict::Unchecked,
        v => v,
    }
}

#[derive(Properties, PartialEq)]
pub struct BadgeProps {
    pub verdict: Verdict,
}

/// A verdict's symbol and the key of its word (the badge's, and the slab's accessible name).
pub fn verdict_words(v: Verdict) -> (&'static str, &'static str) {
    match v {
        Verdict::Verified => ("✓", "badge-verified"),
        Verdict::Mismatch => ("✗", "badge-mismatch"),
        Verdict::Pending => ("…", "badge-pending"),
        Verdict::NotCheckable => ("○", "badge-not-checkable"),
        Verdict::NonDistributable => ("○", "badge-non-distributable"),
        Verdict::Missing => ("✗", "badge-missing"),
        Verdict::Unreadable => ("✗", "badge-unreadable"),
        Verdict::Unchecked => ("?", "badge-unchecked"),
    }
}

/// ✓ / ✗ / … with words: never colour alone.
#[function_component(Badge)]
pub fn badge(p: &BadgeProps) -> Html {
    let lang = use_lang();
    let (sym, key) = verdict_words(p.verdict);
    html! {
        <span class={classes!("badge", format!("badge-{}", p.verdict.id()))} data-testid="badge">
            <span aria-hidden="true">{ sym }</span>{ " " }{ t(lang, key) }
        </span>
    }
}

/// One digest of a layer as a `<dt>`/`<dd>` pair of a details list: the digest with its Copy
/// button, or, without one, "pending…" while it is being computed (`coming`) and "not
/// computed" once it never will be (a blob missing, unreadable, left out on purpose, or its
/// hashing cancelled). `id` is the `<dd>`'s test id, when it has one.
pub fn digest_row(
    lang: Lang,
    label: String,
    digest: Option<String>,
    coming: bool,
    id: Option<&'static str>,
) -> Html {
    match digest {
        Some(d) => html! {
            <><dt>{ label }</dt><dd class="digest-line" data-testid={id}><code class="mono wrap">{ d.clone() }</code><CopyButton text={AttrValue::from(d)} /></dd></>
        },
        None => {
            let key = if coming { "pending" } else { "not-computed" };
            html! { <><dt>{ label }</dt><dd class="muted" data-testid={id} data-missing={key}>{ t(lang, key) }</dd></> }
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct CopyProps {
    pub text: AttrValue,
    /// What is copied, for the button's accessible name ("Copy the Dockerfile"); without it
    /// the name is "Copy" and the text itself (a digest, a URL).
    #[prop_or_default]
    pub what: Option<AttrValue>,
}

/// True when no element has the focus, or the page itself does: a control that took it away
/// with its own render (a closed pane, a row redrawn) left the reader nowhere.
pub fn focus_on_nothing(doc: &web_sys::Document) -> bool {
    match doc.active_element() {
        None => true,
        Some(a) => doc
            .body()
            .is_some_and(|b| a == *wasm_bindgen::JsCast::unchecked_ref::<web_sys::Element>(&b)),
    }
}

/// How long after a dialog closes its opener gets the focus back (ms): after the renders the
/// close starts, well before a reader's next key.
const FOCUS_RETURN_MS: u32 = 60;

/// For a dialog or card that takes the focus while it is open: the element that had the focus
/// when it opened (the button that opened it) gets it back when it closes, if the close left
/// the focus nowhere. Without this a keyboard or screen-reader user starts again from the top
/// of the page. When that element is gone by then, or the page had already dropped the focus
/// when the dialog first rendered (the tour's button is redrawn as the tour starts), the
/// element with the test id `fallback` stands for it.
#[hook]
pub fn use_focus_return(fallback: &'static str) {
    // Read in the first render, before the dialog's own DOM is in.
    let opener = use_mut_ref(|| {
        let doc = web_sys::window().and_then(|w| w.document())?;
        if focus_on_nothing(&doc) {
            None
        } else {
            doc.active_element()
        }
    });
    use_effect_with((), move |_| {
        let opener = opener.borrow_mut().take();
        move || {
            // Once the page has settled after the close (the app's own renders that follow
            // it, which may draw the opener anew): only then is it known where the focus was
            // left.
            gloo::timers::callback::Timeout::new(FOCUS_RETURN_MS, move || {
                let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
                    return;
                };
                if !focus_on_nothing(&doc) {
                    return;
                }
                let target = opener.filter(|o| o.is_connected()).or_else(|| {
                    doc.query_selector(&format!("[data-testid=\"{fallback}\"]"))
                        .ok()
                        .flatten()
                });
                if let Some(el) = target
                    .as_ref()
                    .and_then(wasm_bindgen::JsCast::dyn_ref::<web_sys::HtmlElement>)
                {
                    let _ = el.focus();
                }
            })
            .forget();
        }
    });
}

/// Copies `text` to the clipboard; says so briefly.
#[function_component(CopyButton)]
pub fn copy_button(p: &CopyProps) -> Html {
    let lang = use_lang();
    let copied = use_state(|| false);
    let onclick = {
        let text = p.text.clone();
        let copied = copied.clone();
        Callback::from(move |_| {
            if let Some(w) = web_sys::window() {
                let _ = w.navigator().clipboard().write_text(&text);
                copied.set(true);
            }
        })
    };
    let label = if *copied {
        t(lang, "copied")
    } else {
        t(lang, "copy")
    };
    let what = p.what.clone().unwrap_or_else(|| p.text.clone());
    // The name says the state too, and a polite status says "Copied" once: a screen reader
    // hears that the copy happened, not just the same name again.
    html! {
        <>
            <button type="button" class="copy" {onclick} aria-label={format!("{label} {what}")} data-copy={p.text.clone()}>
                { label.clone() }
            </button>
            <span class="visually-hidden" role="status">{ if *copied { label } else { String::new() } }</span>
        </>
    }
}

#[cfg(test)]
mod shown_tests {
    use super::shown;

    #[test]
    fn controls_escaped_lines_kept() {
        assert_eq!(shown("RUN a \\\n\tb"), "RUN a \\\n\tb");
        assert_eq!(
            shown("echo \x1b]0;x\x07\n\u{202e}evil\r"),
            "echo \\x1b]0;x\\x07\n\\u{202e}evil\\x0d"
        );
        assert_eq!(
            shown("<img src=x onerror=alert(1)>"),
            "<img src=x onerror=alert(1)>"
        );
    }
}

#[cfg(test)]
mod verdict_tests {
    use super::{verdict, Verdict};
    use pancake_core::{Archive, Image, Layer, Mismatch, Verification};

    fn one(layer: Layer) -> Verdict {
        let image = Image {
            layers: vec![layer],
            ..Image::default()
        };
        verdict(&Archive::default(), &image, 0)
    }

    #[test]
    fn the_cores_verdict_comes_first_then_the_mismatches() {
        let differs = vec![Mismatch {
            what: "digest (descriptor)".into(),
            expected: "sha256:aa".into(),
            actual: "sha256:bb".into(),
        }];
        // A damaged blob: its tar breaks and its digest differs; the CLI says unreadable.
        let damaged = Layer {
            verification: Verification::Unreadable,
            mismatches: differs.clone(),
            ..Layer::default()
        };
        assert_eq!(one(damaged), Verdict::Unreadable);
        let changed = Layer {
            verification: Verification::Mismatch,
            mismatches: differs,
            ..Layer::default()
        };
        assert_eq!(one(changed), Verdict::Mismatch);
        let missing = Layer {
            verification: Verification::Missing,
            ..Layer::default()
        };
        assert_eq!(one(missing), Verdict::Missing);
    }
}
