//! How a layer's blob was hashed in this page (WebCrypto in one shot, streamed through the
//! wasm hasher, or streamed from the first walk's own reads): a line of the layer details,
//! and a test/bench hook on the stack.

use pancake_core::{Archive, HashPath, Layer};
use yew::prelude::*;

use crate::i18n::{t, Lang};

/// The path recorded for the layer's blob; `None` before it is hashed, or when the blob was
/// hashed during the first walk (small blobs) or is missing.
pub fn of(a: &Archive, layer: &Layer) -> Option<HashPath> {
    layer
        .member
        .and_then(|m| a.members.get(m))
        .and_then(|m| m.facts.hashed_with)
}

/// The stable id (`data-hashed-with`): `webcrypto`, `streamed`, `together`, `with-walk`, `beside-walk` or `handed-on`.
pub fn id(h: HashPath) -> &'static str {
    match h {
        HashPath::WebCrypto => "webcrypto",
        HashPath::Streamed => "streamed",
        HashPath::StreamedTogether => "together",
        HashPath::WithTheWalk => "with-walk",
        HashPath::BesideTheWalk => "beside-walk",
        HashPath::HandedOn => "handed-on",
    }
}

/// `<dt>`/`<dd>` for the details' fact list; nothing when no path is recorded.
pub fn details_row(lang: Lang, a: &Archive, layer: &Layer) -> Html {
    let Some(h) = of(a, layer) else {
        return html! {};
    };
    let text = match h {
        HashPath::WebCrypto => t(lang, "hashed-webcrypto"),
        HashPath::Streamed => t(lang, "hashed-streamed"),
        HashPath::StreamedTogether => t(lang, "hashed-together"),
        HashPath::WithTheWalk => t(lang, "hashed-with-walk"),
        HashPath::BesideTheWalk => t(lang, "hashed-beside-walk"),
        HashPath::HandedOn => t(lang, "hashed-handed-on"),
    };
    html! {
        <>
            <dt>{ t(lang, "hashed-with") }</dt>
            <dd data-testid="hashed-with" data-hashed-with={id(h)}>{ text }</dd>
        </>
    }
}
