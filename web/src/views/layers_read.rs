//! The layers of a file compressed as a whole, shown as they are read (issue 13, target 4).
//!
//! A `docker save | gzip` is read from its first byte to its last, and the archive's
//! manifest comes after every blob: until the end, the order of the layers and the
//! instructions that made them are unknown. Each layer blob is shown here as soon as it is
//! read, with what its own bytes say (`pancake_core::analyze::glance`): its digests (computed
//! from the bytes read), sizes, entries and where its bytes are. Nothing here depends on the
//! order; whether the digests are the ones the image claims is checked when its manifest
//! comes, and the stack then says it. A file that ends before its manifest keeps this list
//! (`ended`): it is all that can be shown of it.

use std::rc::Rc;

use crate::figures::human_size;
use pancake_core::analyze::glance::LayerGlance;
use pancake_core::Compression;
use yew::prelude::*;

use super::layer_size::sizes_of;
use super::{digest_row, use_lang};
use crate::i18n::{t, tf};
use crate::text::shown;

#[derive(Properties, PartialEq)]
pub struct LayersReadProps {
    /// The last ones read (`state::reading::LAYERS_LISTED`), in the order the file holds them.
    pub layers: Rc<Vec<LayerGlance>>,
    /// Layer blobs read in all.
    pub count: usize,
    /// The file ended (or broke off) before its manifest: no stack will replace the list.
    #[prop_or_default]
    pub ended: bool,
}

/// `layers` with the digests `archive` has since learned: an uncompressed file's large blobs
/// are listed as the walk saw them and hashed by the jobs after it, whose facts come in the
/// archive (with no image in the file, this list is all that shows them). A digest still
/// missing is "coming" while `hashing`, else not computed.
pub fn with_digests(
    layers: &Rc<Vec<LayerGlance>>,
    archive: &pancake_core::Archive,
    hashing: bool,
) -> Rc<Vec<LayerGlance>> {
    let learned = |g: &LayerGlance| {
        archive
            .members
            .get(g.member)
            .filter(|m| g.digest.is_none() && m.facts.error.is_none())
    };
    if !layers.iter().any(|g| learned(g).is_some()) {
        return layers.clone();
    }
    Rc::new(
        layers
            .iter()
            .map(|g| match learned(g) {
                Some(m) => LayerGlance {
                    digest: m.facts.sha256.clone(),
                    diff_id: g
                        .diff_id
                        .clone()
                        .or_else(|| m.facts.layer.as_ref().and_then(|l| l.diff_id.clone())),
                    digest_coming: m.facts.sha256.is_none() && hashing,
                    ..g.clone()
                },
                None => g.clone(),
            })
            .collect(),
    )
}

#[function_component(LayersRead)]
pub fn layers_read(p: &LayersReadProps) -> Html {
    let lang = use_lang();
    let listed = p.layers.len();
    // The number of the first one listed, counting every layer blob read (from 1).
    let first = p.count.saturating_sub(listed) + 1;
    html! {
        <section class="layers-read" data-testid="layers-read" data-ended={p.ended.to_string()} aria-labelledby="layers-read-title">
            <h2 id="layers-read-title">{ t(lang, "lr-title") }</h2>
            <p class="muted">{ t(lang, if p.ended { "lr-explain-ended" } else { "lr-explain" }) }</p>
            <p class="small" role="status" data-testid="layers-read-count" data-count={p.count.to_string()}>
                { tf(lang, "lr-count", &[("count", &crate::figures::count(lang, p.count))]) }
                { if listed < p.count {
                    html! { <>{ " " }{ tf(lang, "lr-count-listed", &[("listed", &crate::figures::count(lang, listed))]) }</> }
                } else { html! {} } }
            </p>
            <ol class="plain layers-read-list">
                { for p.layers.iter().enumerate().map(|(i, g)| html! { <Glance key={g.member} n={first + i} glance={g.clone()} /> }) }
            </ol>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct GlanceProps {
    /// 1-based, in the order read.
    n: usize,
    glance: LayerGlance,
}

#[function_component(Glance)]
fn glance(p: &GlanceProps) -> Html {
    let lang = use_lang();
    let g = &p.glance;
    let kinds = tf(
        lang,
        "lr-kinds",
        &[
            ("files", &crate::figures::count(lang, g.files)),
            ("size", &human_size(lang, g.file_bytes)),
            ("dirs", &crate::figures::count(lang, g.dirs)),
            (
                "links",
                &crate::figures::count(lang, g.symlinks + g.hardlinks),
            ),
        ],
    );
    // Only what the layer has: a layer without whiteouts says nothing of them.
    let deletes: Vec<String> = [("lr-whiteouts", g.whiteouts), ("lr-opaque", g.opaque)]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(key, n)| tf(lang, key, &[("n", &crate::figures::count(lang, n))]))
        .collect();
    let widest = g.tops.first().map_or(0, |t| t.bytes).max(1);
    html! {
        <li class="layer-glance" data-testid="layer-read" data-member={g.member.to_string()} data-files={g.files.to_string()}>
            <header>
                <h3>{ tf(lang, "lr-layer", &[("n", &p.n.to_string())]) }</h3>
                <code class="mono ellipsis" title={g.path.clone()}>{ shown(&g.path) }</code>
            </header>
            <p class="small">
                <span data-testid="layer-read-kinds">{ kinds }</span>
                { for deletes.into_iter().map(|d| html! { <>{ " · " }<span>{ d }</span></> }) }
            </p>
            { for g.error.as_ref().map(|e| html! {
                <div class="mismatch" role="alert" data-testid="layer-read-error">
                    <p><strong>{ "✗ " }{ t(lang, "lr-unreadable") }</strong></p>
                    // The core's own words, kept verbatim and marked as English, under the same
                    // label as every problem's detail, so a reader of Indonesian knows why.
                    <p class="wrap small">
                        <span class="muted">{ t(lang, "problem-detail") }</span>{ " " }
                        <span lang="en" translate="no" data-testid="layer-read-error-detail">{ shown(&e.to_string()) }</span>
                    </p>
                </div>
            }) }
            <dl class="facts">
                <dt>{ t(lang, "size") }</dt>
                <dd>{ sizes_of(lang, g.size, g.stored_size, g.compression) }</dd>
                { digest_row(lang, t(lang, "lr-digest"), g.digest.as_ref().map(|d| d.to_string()), g.digest_coming, Some("layer-read-digest")) }
                { digest_row(lang, t(lang, "diff-id"), g.diff_id.as_ref().map(|d| d.to_string()), g.digest_coming && g.compression == Compression::None && g.error.is_none(), Some("layer-read-diff-id")) }
            </dl>
            { if g.tops.is_empty() { html! {} } else { html! {
                <div class="glance-tops">
                    <h4 class="small muted">{ t(lang, "lr-where") }</h4>
                    <ul class="plain">
                        { for g.tops.iter().map(|top| {
                            let share = (top.bytes as f64 / widest as f64 * 100.0).max(1.0);
                            html! {
                                <li class="glance-top">
                                    <span class="mono ellipsis">{ shown(&top.name) }</span>
                                    <span class="glance-bar" aria-hidden="true"><span style={format!("width:{share:.1}%")}></span></span>
                                    <span class="small nowrap">{ tf(lang, if top.files == 1 { "lr-top-one" } else { "lr-top" }, &[("size", &human_size(lang, top.bytes)), ("files", &crate::figures::count(lang, top.files))]) }</span>
                                </li>
                            }
                        }) }
                    </ul>
                </div>
            } } }
            { if g.largest.is_empty() { html! {} } else { html! {
                <details class="glance-largest">
                    <summary class="small">{ t(lang, "lr-largest") }</summary>
                    <ol class="plain">
                        { for g.largest.iter().map(|b| html! {
                            <li class="glance-file"><span class="mono ellipsis" title={b.path.clone()}>{ shown(&b.path) }</span><span class="small nowrap">{ human_size(lang, b.size) }</span></li>
                        }) }
                    </ol>
                </details>
            } } }
        </li>
    }
}
