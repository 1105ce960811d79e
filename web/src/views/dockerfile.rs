//! The Dockerfile read back from the image's history (`pancake_core::analyze::dockerfile`),
//! shown beside the `docker image history` table so the course's comparison is one glance:
//! each instruction is a button that selects the layer it made, or is marked "settings only".

use std::rc::Rc;

use pancake_core::analyze::dockerfile::{self, BaseEvidence, Dockerfile, From, KnownBase, Link};
use pancake_core::model::PairingRule;
use yew::prelude::*;

use super::{shown, use_lang, CopyButton};
use crate::i18n::{t, tf, Lang};
use crate::state::{AppState, ArchiveRef};

thread_local! {
    /// The demos' base catalogue: building it writes and hashes the base layer, so once.
    static DEMO_BASES: Vec<KnownBase> = pancake_demo::known_bases();
}

/// Images that may be the shown image's base: the demos' base and every image of the
/// session (the core never takes an image as its own base).
pub fn session_bases(state: &AppState) -> Rc<Vec<KnownBase>> {
    let mut bases: Vec<KnownBase> = DEMO_BASES.with(|b| b.clone());
    for s in crate::session::session_images(state) {
        if let Some(b) = s.image().and_then(KnownBase::of_image) {
            bases.push(b);
        }
    }
    Rc::new(bases)
}

#[derive(Properties, PartialEq)]
pub struct DockerfileProps {
    pub archive: ArchiveRef,
    pub image: usize,
    pub bases: Rc<Vec<KnownBase>>,
    /// The selected layer (0-based), highlighted here.
    pub selected: Option<usize>,
    pub on_layer: Callback<Option<usize>>,
}

/// The `FROM` line as the page shows it: a named base as it is, else "base image, N layers"
/// in the page's language (the copied text keeps the English placeholder of `render`).
fn from_text(lang: Lang, from: &From) -> String {
    match (&from.name, from.layers) {
        (Some(n), _) => format!("FROM {}", shown(n)),
        (None, 0) => "FROM scratch".to_string(),
        (None, 1) => format!("FROM <{}>", t(lang, "df-base-unnamed-one")),
        (None, n) => format!(
            "FROM <{}>",
            tf(lang, "df-base-unnamed", &[("count", &n.to_string())])
        ),
    }
}

#[function_component(DockerfileView)]
pub fn dockerfile_view(p: &DockerfileProps) -> Html {
    let lang = use_lang();
    let df: Rc<Option<Dockerfile>> = use_memo(
        (p.archive.clone(), p.image, p.bases.clone()),
        |(a, i, b)| a.images.get(*i).map(|img| dockerfile::reconstruct(img, b)),
    );
    let Some(df) = df.as_ref() else {
        return html! {};
    };
    let plain = dockerfile::render(df);
    let base_layers = df.from.layers;
    let base_note = if base_layers == 0 {
        t(lang, "df-base-none")
    } else if base_layers == 1 {
        t(lang, "df-base-layer-one")
    } else {
        tf(
            lang,
            "df-base-layers",
            &[("last", &base_layers.to_string())],
        )
    };
    let base_selected = p.selected.is_some_and(|l| l < base_layers);
    // #10 kind 8: when history and layers do not line up one to one, say which rule paired
    // them and which base layers no recorded step made.
    let (pairing, bare) = p
        .archive
        .images
        .get(p.image)
        .map(|img| {
            let bare = img
                .layers
                .iter()
                .take_while(|l| l.history.is_none())
                .count();
            (img.pairing, bare)
        })
        .unwrap_or((PairingRule::InOrder, 0));
    let pairing_note = match pairing {
        PairingRule::FromTop => Some(if bare == 1 {
            t(lang, "df-pairing-top-one")
        } else {
            tf(lang, "df-pairing-top", &[("last", &bare.to_string())])
        }),
        PairingRule::FromBottom => Some(t(lang, "df-pairing-bottom")),
        PairingRule::NoHistory => Some(t(lang, "df-pairing-none")),
        PairingRule::Uncertain => Some(t(lang, "df-pairing-uncertain")),
        PairingRule::InOrder => None,
    };
    // Under an uncertain pairing the bare bottom layers may be a step's: not said to have none.
    let base_note = if df.from.evidence == BaseEvidence::Unrecorded
        || (bare >= base_layers.max(1) && pairing != PairingRule::Uncertain)
    {
        format!("{} · {}", base_note, t(lang, "df-no-recorded-step"))
    } else {
        base_note
    };
    let select_base = {
        let cb = p.on_layer.clone();
        Callback::from(move |_| cb.emit(Some(0)))
    };
    html! {
        <section class="dockerfile" aria-labelledby="df-title" data-testid="dockerfile">
            <header class="df-head">
                <h2 id="df-title">{ "Dockerfile" }</h2>
                <CopyButton text={AttrValue::from(plain)} what={AttrValue::from(t(lang, "df-copy-what"))} />
            </header>
            <p class="muted small">{ t(lang, "df-lead") }</p>
            { for pairing_note.map(|n| html! { <p class="df-pairing small" data-testid="df-pairing">{ n }</p> }) }
            <ol class="df-lines" data-testid="df-lines">
                <li class={classes!("df-line", "df-from", base_selected.then_some("selected"))} data-testid="df-from">
                    { if base_layers > 0 {
                        html! {
                            <button type="button" class="df-ins" aria-pressed={base_selected.to_string()}
                                onclick={select_base}>
                                <code class="df-text">{ from_text(lang, &df.from) }</code>
                            </button>
                        }
                    } else {
                        html! { <code class="df-text">{ from_text(lang, &df.from) }</code> }
                    } }
                    <span class="df-link" data-testid="df-link">{ base_note }</span>
                </li>
                { for df.instructions.iter().map(|ins| line(lang, ins, p.selected, &p.on_layer)) }
            </ol>
        </section>
    }
}

fn line(
    lang: Lang,
    ins: &dockerfile::Instruction,
    selected: Option<usize>,
    on_layer: &Callback<Option<usize>>,
) -> Html {
    let text = html! { <code class="df-text">{ shown(&ins.text) }</code> };
    match ins.link {
        Link::Layer(l) => {
            let is_sel = selected == Some(l);
            let onclick = {
                let cb = on_layer.clone();
                Callback::from(move |_| cb.emit(Some(l)))
            };
            let n = (l + 1).to_string();
            html! {
                <li class={classes!("df-line", "df-layer", is_sel.then_some("selected"))}
                    data-testid="df-line" data-layer={l.to_string()}>
                    <button type="button" class="df-ins" aria-pressed={is_sel.to_string()}
                        aria-label={tf(lang, "df-select-aria", &[("n", &n), ("text", &shown(&ins.text))])}
                        {onclick}>
                        { text }
                    </button>
                    <span class="df-link" data-testid="df-link">{ tf(lang, "df-layer-n", &[("n", &n)]) }</span>
                </li>
            }
        }
        other => {
            let key = match other {
                Link::SettingsOnly => "df-settings-only",
                Link::NoLayer => "df-no-layer",
                Link::Uncertain => "df-uncertain",
                _ => "df-build-arg",
            };
            html! {
                <li class="df-line df-meta" data-testid="df-line">
                    { text }
                    <span class="df-link" data-testid="df-link">{ t(lang, key) }</span>
                </li>
            }
        }
    }
}

/// The deletion lesson in a layer's details: a layer that deletes files (whiteouts, opaque
/// directories) hides bytes of lower layers (`union::hidden_bytes`, the same figure as its
/// changes' `deleted_bytes`) and the image is no smaller for it. Nothing when it deletes none.
pub fn hidden_row(
    lang: Lang,
    changes: Option<&pancake_core::analyze::union::LayerChanges>,
) -> Html {
    let Some(c) = changes.filter(|c| c.deleted > 0) else {
        return html! {};
    };
    let size = crate::figures::human_size(lang, c.deleted_bytes);
    html! {
        <>
            <dt>{ t(lang, "hidden") }</dt>
            <dd data-testid="hidden-bytes" data-bytes={c.deleted_bytes.to_string()}>
                <strong>{ tf(lang, "hidden-value", &[("size", &size)]) }</strong>
                <span class="muted small">{ " — " }{ t(lang, "hidden-explain") }</span>
            </dd>
        </>
    }
}
