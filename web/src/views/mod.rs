//! The page's views. Each reads the model through props and reports user intent upward.

pub mod compare;
pub mod config;
pub mod container;
pub mod content;
pub mod diagram;
pub mod dockerfile;
pub mod embed;
pub mod files;
pub mod history;
pub mod picker;
pub mod shared;
pub mod stack;
pub mod start;
pub mod status;
pub mod tour;
pub mod transfer;
pub mod virtual_list;

use pancake_core::analyze::history::{self as hist, InstructionKind};
use pancake_core::{Archive, Image, Verification};
use yew::prelude::*;

use crate::i18n::{t, Lang};

/// A string from a tarball (command, label, env, tag, comment) as the page shows it: Yew
/// puts it in a text node (never parsed as HTML); control and bidi characters, which could
/// hide or reverse part of it, become visible escapes (`\x1b`, `\u{202e}`,
/// [`pancake_core::escape`]). Newlines and tabs stay: multi-line commands are shown in `<pre>`.
pub fn shown(s: &str) -> String {
    use pancake_core::escape::is_hidden_control;
    if !s
        .chars()
        .any(|c| c != '\n' && c != '\t' && is_hidden_control(c))
    {
        return s.to_string();
    }
    s.split_inclusive(['\n', '\t'])
        .map(|part| {
            let (body, end) = match part.char_indices().last() {
                Some((i, c @ ('\n' | '\t'))) => (part.get(..i).unwrap_or(part), Some(c)),
                _ => (part, None),
            };
            let mut out = pancake_core::escape::escape_text(body).into_owned();
            out.extend(end);
            out
        })
        .collect()
}

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
    /// saves), or it was left out on purpose (non-distributable layer): neutral, not wrong;
    /// the layer's `verification_reason` says which.
    NotCheckable,
    /// Nothing could be checked (missing or unreadable blob).
    Unchecked,
}

impl Verdict {
    pub fn id(self) -> &'static str {
        match self {
            Verdict::Verified => "verified",
            Verdict::Mismatch => "mismatch",
            Verdict::Pending => "pending",
            Verdict::NotCheckable => "not-checkable",
            Verdict::Unchecked => "unchecked",
        }
    }
}

pub fn verdict(archive: &Archive, image: &Image, layer: usize) -> Verdict {
    let Some(l) = image.layers.get(layer) else {
        return Verdict::Unchecked;
    };
    if !l.mismatches.is_empty() {
        return Verdict::Mismatch;
    }
    if l.verified {
        return Verdict::Verified;
    }
    if matches!(
        l.verification,
        Verification::NotCheckable | Verification::NonDistributable
    ) {
        return Verdict::NotCheckable;
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

#[derive(Properties, PartialEq)]
pub struct BadgeProps {
    pub verdict: Verdict,
}

/// ✓ / ✗ / … with words: never colour alone.
#[function_component(Badge)]
pub fn badge(p: &BadgeProps) -> Html {
    let lang = use_lang();
    let (sym, key) = match p.verdict {
        Verdict::Verified => ("✓", "badge-verified"),
        Verdict::Mismatch => ("✗", "badge-mismatch"),
        Verdict::Pending => ("…", "badge-pending"),
        Verdict::NotCheckable => ("○", "badge-not-checkable"),
        Verdict::Unchecked => ("?", "badge-unchecked"),
    };
    html! {
        <span class={classes!("badge", format!("badge-{}", p.verdict.id()))} data-testid="badge">
            <span aria-hidden="true">{ sym }</span>{ " " }{ t(lang, key) }
        </span>
    }
}

#[derive(Properties, PartialEq)]
pub struct CopyProps {
    pub text: AttrValue,
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
    html! {
        <button type="button" class="copy" {onclick} aria-label={format!("{} {}", t(lang, "copy"), p.text)}>
            { label }
        </button>
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
