//! What the archive says around the layers: the artifacts (signatures, attestations, SBOMs,
//! any OCI 1.1 artifact) that refer to the image, listed with it and never as images, and the
//! image's one-line verification verdict with its three states (verified, failed, not
//! checkable) kept apart.

use crate::figures::human_size;
use pancake_core::analyze::image_claims::ImageRefusal;
use pancake_core::{Artifact, ArtifactKind};
use yew::prelude::*;

use super::{shown, use_lang, CopyButton};
use crate::i18n::{t, tf, Lang};
use crate::state::ArchiveRef;

#[derive(Properties, PartialEq)]
pub struct ArtifactsProps {
    pub archive: ArchiveRef,
    pub image: usize,
}

/// The kind's id (`signature`, `attestation`, `sbom`, `helm-chart`, `other`): the JSON's
/// spelling, and the suffix of its translation key `artifact-kind-…`.
pub fn kind_id(kind: ArtifactKind) -> &'static str {
    match kind {
        ArtifactKind::Signature => "signature",
        ArtifactKind::Attestation => "attestation",
        ArtifactKind::Sbom => "sbom",
        ArtifactKind::HelmChart => "helm-chart",
        ArtifactKind::Other => "other",
    }
}

/// Every artifact that refers to the image, in the order the archive lists them: its kind,
/// its type (media type), size, manifest digest, how it names the image, and whether its
/// manifest is in the archive. Renders nothing for an image without artifacts.
#[function_component(Artifacts)]
pub fn artifacts(p: &ArtifactsProps) -> Html {
    let lang = use_lang();
    let Some(image) = p.archive.images.get(p.image) else {
        return html! {};
    };
    if image.artifacts.is_empty() {
        return html! {};
    }
    html! {
        <section class="artifacts" data-testid="artifacts" aria-labelledby="artifacts-title">
            <h2 id="artifacts-title" class="artifacts-title">
                { tf(lang, "artifacts-title", &[("count", &image.artifacts.len().to_string())]) }
            </h2>
            <p class="muted small">{ t(lang, "artifacts-lead") }</p>
            <ul class="artifact-list plain">
                { for image.artifacts.iter().map(|a| row(lang, a)) }
            </ul>
        </section>
    }
}

fn row(lang: Lang, a: &Artifact) -> Html {
    let kind = kind_id(a.kind);
    let digest = a.manifest_digest.as_ref().map(|d| d.to_string());
    html! {
        <li class="artifact" data-testid="artifact" data-kind={kind} data-present={a.present.to_string()}
            data-size={a.size.to_string()}>
            // Spaces between the parts: a screen reader (and copied text) reads them as words.
            <span class={classes!("chip", "artifact-kind", format!("artifact-{kind}"))}>{ t(lang, &format!("artifact-kind-{kind}")) }</span>{ " " }
            <code class="mono wrap artifact-type" data-testid="artifact-type">{ shown(&a.artifact_type) }</code>{ " " }
            <span class="nowrap artifact-size" data-testid="artifact-size">{ human_size(lang, a.size) }</span>{ " " }
            { if a.present { html! {} } else {
                html! { <><span class="muted small" data-testid="artifact-absent">{ t(lang, "artifact-absent") }</span>{ " " }</> }
            } }
            <span class="muted small artifact-refers">{ tf(lang, "artifact-refers", &[("how", &shown(&a.refers_by))]) }</span>{ " " }
            { for digest.map(|d| html! {
                <span class="digest-line artifact-digest">
                    <code class="mono wrap" title={d.clone()}>{ short(&d) }</code>
                    <CopyButton text={AttrValue::from(d)} />
                </span>
            }) }
        </li>
    }
}

/// `sha256:0123456789ab…`: the algorithm and the first 12 hex digits.
fn short(d: &str) -> String {
    match d.split_once(':') {
        Some((alg, hex)) if hex.len() > 12 => format!("{alg}:{}…", hex.get(..12).unwrap_or(hex)),
        _ => d.to_string(),
    }
}

/// Why `docker load` refuses an image, from its manifest and config alone, in `lang`: what
/// the ready line adds to "docker load refuses this image" (the problem list gives the
/// details, in English).
pub fn refusal_text(lang: Lang, r: ImageRefusal) -> String {
    let (key, args): (&str, Vec<(&str, String)>) = match r {
        ImageRefusal::TooManyHistorySteps { steps, layers } => (
            if layers == 1 {
                "refusal-history-one"
            } else {
                "refusal-history"
            },
            vec![("steps", steps.to_string()), ("layers", layers.to_string())],
        ),
        ImageRefusal::LayerCountMismatch { manifest, config } => (
            if manifest == 1 {
                "refusal-layer-count-one"
            } else {
                "refusal-layer-count"
            },
            vec![
                ("manifest", manifest.to_string()),
                ("config", config.to_string()),
            ],
        ),
        ImageRefusal::NoRootfs { manifest } => (
            if manifest == 1 {
                "refusal-no-rootfs-one"
            } else {
                "refusal-no-rootfs"
            },
            vec![("manifest", manifest.to_string())],
        ),
        ImageRefusal::TooManyLayers { layers } => (
            "refusal-too-many-layers",
            vec![
                ("layers", layers.to_string()),
                (
                    "max",
                    pancake_core::analyze::image_claims::MAX_LAYER_DEPTH.to_string(),
                ),
            ],
        ),
    };
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    tf(lang, key, &args)
}

/// The image's verdict once every blob is hashed, from
/// [`super::verdict_counts`]`(verified, neutral, failed, total)`: ✓ all verified; ○ nothing
/// failed but some layers could not be checked (no claim to check, or left out on purpose),
/// said neutrally; ✗ something failed (mismatch, missing, unreadable).
///
/// `settled`: nothing else is being read. Only then does the line carry the page's
/// `image-ready` test hook, which means "every digest settled and nothing in flight" (while
/// the next file is read behind the image shown, the line stays but the page is not settled).
/// `image_failed`: a claim about the image's config or manifest failed
/// (`pancake_core::analyze::image_claims`): ✗ however its layers fared, and said.
/// `unpack_failing`: how many of its layers Docker cannot unpack
/// (`image_claims::unpack_failures`); `load_refused`: `docker load` refuses the image as a
/// whole (`image_claims::load_refused`). When no digest failed, either is ✗ all
/// the same — the image does not load — with the digests' own count beside it;
/// `data-state` stays the digests' verdict (what embedding pages read) and
/// `data-unpack="fails"` / `data-load="refused"` say the rest.
pub fn ready_line(
    lang: Lang,
    (verified, neutral, failed, total): (usize, usize, usize, usize),
    image_failed: bool,
    (unpack_failing, load_refused, refusal): (usize, bool, Option<ImageRefusal>),
    settled: bool,
) -> Html {
    let args = [
        ("verified", verified.to_string()),
        ("neutral", neutral.to_string()),
        ("failed", failed.to_string()),
        ("total", total.to_string()),
        ("layers", unpack_failing.to_string()),
        (
            "why",
            refusal.map(|r| refusal_text(lang, r)).unwrap_or_default(),
        ),
    ];
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (key, class, state) = if image_failed {
        ("ready-failed-image", Some("not-all"), "failed")
    } else if failed > 0 || verified + neutral < total {
        ("ready-failed", Some("not-all"), "failed")
    } else if load_refused {
        let state = if neutral > 0 {
            "not-checkable"
        } else {
            "verified"
        };
        let key = match refusal {
            Some(_) => "ready-load-refused-why",
            None => "ready-load-refused",
        };
        (key, Some("not-all"), state)
    } else if unpack_failing > 0 {
        let state = if neutral > 0 {
            "not-checkable"
        } else {
            "verified"
        };
        ("ready-unpack-fails", Some("not-all"), state)
    } else if neutral > 0 {
        ("ready-neutral", Some("neutral"), "not-checkable")
    } else {
        ("ready", None, "verified")
    };
    html! {
        <p class={classes!("ready", class)} data-testid={settled.then_some("image-ready")} data-state={state}
            data-unpack={(unpack_failing > 0).then_some("fails")}
            data-load={load_refused.then_some("refused")}>
            { tf(lang, key, &args) }
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every reason is worded in both languages, its figures filled in, singular where one.
    #[test]
    fn a_refusal_is_said_in_both_languages() {
        let all = [
            ImageRefusal::TooManyHistorySteps {
                steps: 3,
                layers: 1,
            },
            ImageRefusal::TooManyHistorySteps {
                steps: 5,
                layers: 4,
            },
            ImageRefusal::LayerCountMismatch {
                manifest: 2,
                config: 1,
            },
            ImageRefusal::NoRootfs { manifest: 1 },
            ImageRefusal::TooManyLayers { layers: 130 },
        ];
        for lang in [Lang::En, Lang::Id] {
            for r in all {
                let s = refusal_text(lang, r);
                assert!(!s.is_empty() && !s.contains('{') && !s.contains('$'), "{s}");
            }
        }
        assert_eq!(
            refusal_text(Lang::En, all[0]),
            "the config history has 3 steps that make layers, for 1 layer"
        );
        assert_eq!(
            refusal_text(Lang::Id, all[4]),
            "image ini punya 130 layer, dan Docker menampung paling banyak 125 dalam satu rantai"
        );
    }
}
