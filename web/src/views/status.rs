//! What is happening: reading, hashing progress (bytes, %, MB/s, time left, Cancel),
//! done, and every error the core or a worker reported.

use crate::figures::human_size;
use pancake_core::Problem;
use yew::prelude::*;

use super::use_lang;
use crate::i18n::{t, tf};
use crate::state::{Phase, Progress};

#[derive(Properties, PartialEq)]
pub struct ProgressProps {
    pub phase: Phase,
    pub progress: Progress,
    pub file_size: u64,
    /// The file read behind the archive shown (which stays on the page), by name.
    #[prop_or_default]
    pub next_name: Option<AttrValue>,
    pub on_cancel: Callback<()>,
    /// In the summary, in the verdict's slot: one line of text (the percentage, not the
    /// sizes; on a phone no rate or time left) over the bar, of the slot's fixed height.
    #[prop_or_default]
    pub compact: bool,
}

fn duration(lang: crate::i18n::Lang, secs: f64) -> String {
    let s = secs.round().max(0.0) as u64;
    if s < 60 {
        tf(lang, "seconds", &[("n", &s.to_string())])
    } else {
        tf(
            lang,
            "minutes",
            &[
                ("m", &(s / 60).to_string()),
                ("s", &format!("{:02}", s % 60)),
            ],
        )
    }
}

#[function_component(ProgressBar)]
pub fn progress_bar(p: &ProgressProps) -> Html {
    let lang = use_lang();
    let cancel = {
        let cb = p.on_cancel.clone();
        Callback::from(move |_| cb.emit(()))
    };
    let pr = &p.progress;
    let (label, done, total, pct) = match p.phase {
        // How far the scan has got (bytes of a file compressed as a whole inflated, or how
        // far through an uncompressed file its walk is); until the first figure the bar is
        // indeterminate and no percentage is claimed.
        Phase::Scanning => (
            match &p.next_name {
                Some(name) => tf(
                    lang,
                    "progress-reading-next",
                    &[
                        // A name's hidden controls (U+202E…) shown escaped, never obeyed.
                        ("name", &crate::text::shown(name)),
                        ("size", &human_size(lang, p.file_size)),
                    ],
                ),
                None => tf(
                    lang,
                    "progress-reading",
                    &[("size", &human_size(lang, p.file_size))],
                ),
            },
            pr.done,
            p.file_size,
            (pr.done > 0).then(|| pr.percent()),
        ),
        _ => (
            t(lang, "progress-hashing"),
            pr.done,
            pr.total,
            Some(pr.percent()),
        ),
    };
    // A walk's place in the file over time is no reading speed (it skips the files' contents:
    // a layer of large files would read as several GB/s); its time left stays true.
    let rate = pr.rate().filter(|_| !pr.reached).map(|r| {
        // A slow read (a compressed file on a busy machine) still shows a figure, not 0.
        let mb = r / 1e6;
        let mb = if mb < 10.0 {
            format!("{mb:.1}")
        } else {
            format!("{mb:.0}")
        };
        tf(lang, "rate", &[("mb", &mb)])
    });
    let left = pr
        .seconds_left()
        .map(|s| tf(lang, "time-left", &[("time", &duration(lang, s))]));
    let sizes = !p.compact;
    html! {
        <div class={classes!("progress", p.compact.then_some("compact"))} data-testid="progress" data-bytes-done={done.to_string()} data-bytes-total={total.to_string()}
            data-phase={if p.phase == Phase::Scanning { "reading" } else { "hashing" }}>
            <div class="progress-text">
                <strong>{ label }</strong>
                // (Not in the summary's one-line slot, where the next file's name says it.)
                { if p.next_name.is_some() && p.phase == Phase::Scanning && !p.compact {
                    html! { <span class="muted">{ t(lang, "progress-reading-next-hint") }</span> }
                } else { html! {} } }
                { match pct {
                    Some(pct) if sizes => html! { <span class="nowrap">{ format!("{} / {} · {:.0}%", human_size(lang, done), human_size(lang, total), pct) }</span> },
                    Some(pct) => html! { <span class="nowrap">{ format!("{pct:.0}%") }</span> },
                    None => html! {},
                } }
                { for rate.map(|r| html! { <span class="nowrap muted rate">{ r }</span> }) }
                { for left.map(|l| html! { <span class="nowrap muted left">{ l }</span> }) }
                <button type="button" class="button quiet" data-testid="cancel" onclick={cancel}>{ t(lang, "cancel") }</button>
            </div>
            <div class="bar" role="progressbar" aria-label={t(lang, "progress-hashing")}
                aria-valuemin="0" aria-valuemax="100" aria-valuenow={pct.map(|p| format!("{p:.0}"))}>
                <div class={classes!("bar-fill", pct.is_none().then_some("indeterminate"))}
                    style={format!("transform:scaleX({:.4})", pct.unwrap_or(100.0).clamp(0.0, 100.0) / 100.0)}></div>
            </div>
        </div>
    }
}

/// Why a whole file could not be read, in the page's language: `name` (the file's name, as
/// shown) is empty, is text or a ZIP archive rather than an image archive, or ends before its
/// first tar header. What a learner who opened the wrong file, or one cut short, reads.
pub fn unreadable_text(
    lang: crate::i18n::Lang,
    name: &str,
    why: &pancake_core::Unreadable,
) -> String {
    use pancake_core::{Looks, Unreadable};
    let name = crate::text::shown(name);
    match why {
        Unreadable::Empty => tf(lang, "unreadable-empty", &[("name", &name)]),
        Unreadable::NotATar {
            looks: Looks::Text, ..
        } => tf(lang, "unreadable-text", &[("name", &name)]),
        Unreadable::NotATar {
            looks: Looks::Zip, ..
        } => tf(lang, "unreadable-zip", &[("name", &name)]),
        Unreadable::NotATar { magic, .. } => tf(
            lang,
            "unreadable-other",
            &[("name", &name), ("magic", magic)],
        ),
        Unreadable::EndsEarly { bytes, compression } => match compression {
            pancake_core::Compression::None => tf(
                lang,
                "unreadable-ends-early",
                &[
                    ("name", &name),
                    ("bytes", &crate::figures::grouped(lang, *bytes)),
                ],
            ),
            c => tf(
                lang,
                "unreadable-ends-early-stream",
                &[
                    ("name", &name),
                    ("bytes", &crate::figures::grouped(lang, *bytes)),
                    ("compression", pancake_core::read::decompress::name(*c)),
                ],
            ),
        },
        Unreadable::WindowOverLimit {
            requested,
            max,
            compression,
            docker_load_reads,
        } => {
            let key = match compression {
                pancake_core::Compression::Xz => "unreadable-window-xz",
                _ => "unreadable-window-zstd",
            };
            // Whole MiB: the size asked for rounded up, the bound down, so one just over the
            // bound never reads as equal to it.
            let up = |b: u64| crate::figures::grouped(lang, b.div_ceil(1 << 20));
            let down = |b: u64| crate::figures::grouped(lang, b >> 20);
            let docker = if *docker_load_reads {
                "unreadable-window-docker-reads"
            } else {
                "unreadable-window-docker-refuses"
            };
            format!(
                "{} {}",
                tf(
                    lang,
                    key,
                    &[
                        ("name", &name),
                        ("requested", &up(*requested)),
                        ("max", &down(*max))
                    ]
                ),
                t(lang, docker)
            )
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct ErrorsProps {
    /// The fatal error's text.
    pub fatal: Option<AttrValue>,
    /// The fatal text is the core's English message (no reason the page words itself).
    #[prop_or_default]
    pub fatal_in_english: bool,
    pub problems: Vec<Problem>,
    /// How many images the archive has: a layer group names its image only when there are
    /// several.
    #[prop_or_default]
    pub images: usize,
    /// Selects a layer: (image index, layer position), both 0-based.
    #[prop_or_default]
    pub on_layer: Callback<(usize, usize)>,
}

/// A problem's message as the page shows it: the technical detail verbatim, in English
/// (marked `lang="en"` for screen readers and `translate="no"` for page translators), without
/// the `layer NAME: ` prefix of a layer's problem (the card names its member), and without the
/// kind's meaning (the card's explanation says it in the page's language). The layer it names
/// first (`Origin::subject`, 0-based as the CLI counts) is worded in the page's language and
/// numbered from 1 at the base, as the stack numbers it.
fn message(lang: crate::i18n::Lang, pr: &Problem) -> Html {
    let verbatim =
        |text: String| html! { <span class="verbatim" lang="en" translate="no">{ text }</span> };
    match (&pr.origin.subject, pr.origin.scope) {
        (Some(s), pancake_core::Scope::Image) => {
            let n = (s.layer + 1).to_string();
            html! {
                <>
                    { tf(lang, "problem-subject", &[("image", &s.image), ("n", &n)]) }
                    { verbatim(pr.detail.clone()) }
                </>
            }
        }
        // The card's first line names the member already: not "layer NAME:" again.
        (_, pancake_core::Scope::Layer) if pr.member_name().is_some() => {
            verbatim(pr.detail.clone())
        }
        _ => verbatim(pr.technical()),
    }
}

/// The ftl key of a problem's title (its explanation adds `-why`): the kind's, except for the
/// one archive problem about the image rather than a member — a tarball cut before the files
/// that describe the image — which follows the member's "damaged" card as its consequence and
/// so gets its own title (decided by kind and scope, never the message's words).
fn title_key(pr: &Problem) -> String {
    match (pr.kind, pr.origin.scope) {
        (pancake_core::ProblemKind::Archive, pancake_core::Scope::Image) => {
            "problem-archive-ends-early".into()
        }
        // The same departures Docker accepts, in the outer tarball rather than a layer's tar
        // (no end blocks, bytes after a whole file's stream): not a layer's note.
        (pancake_core::ProblemKind::TarQuirk, pancake_core::Scope::Outer) => {
            "problem-tar-quirk-outer".into()
        }
        (kind, _) => format!("problem-{}", kind.name()),
    }
}

/// One problem: its translated title and plain explanation (from the kind) first, in the
/// page's language, then the technical detail verbatim in a smaller line of its own (the
/// core's English: a reader of Indonesian meets their language first, not the English).
pub fn problem_html(lang: crate::i18n::Lang, pr: &Problem) -> Html {
    let kind = pr.kind.name();
    let title = title_key(pr);
    html! {
        // Problems that don't make the archive wrong (a platform not saved, odd history) are
        // shown as notes, not alarms.
        <div class={classes!("error", (!pancake_core::read::image::is_error_level(pr.kind)).then_some("note"))}
            data-testid="error" data-kind={kind.clone()} data-member={pr.member_name().map(str::to_string)}>
            <strong data-testid="problem-title">{ t(lang, &title) }</strong>
            { for pr.member_name().map(|m| html! { <>{ " · " }<code class="mono">{ m.to_string() }</code></> }) }
            <p class="error-why" data-testid="problem-why">{ t(lang, &format!("{title}-why")) }</p>
            <p class="error-detail small">
                <span class="muted">{ t(lang, "problem-detail") }</span>{ " " }
                <span class="error-message">{ message(lang, pr) }</span>
            </p>
        </div>
    }
}

/// Every thing that went wrong: the fatal error, the problems about no layer, then the
/// problems grouped by the layer they concern (base first), each group headed by a button that
/// selects the layer; on the page layers are numbered from 1 at the base, as the stack does.
/// One `[data-testid=error]` per problem.
#[function_component(Errors)]
pub fn errors(p: &ErrorsProps) -> Html {
    let lang = use_lang();
    let mut groups: Vec<(pancake_core::LayerAt, Vec<&Problem>)> = Vec::new();
    let mut loose: Vec<&Problem> = Vec::new();
    for pr in &p.problems {
        match pr.origin.layer {
            Some(at) => match groups.iter_mut().find(|(g, _)| *g == at) {
                Some((_, list)) => list.push(pr),
                None => groups.push((at, vec![pr])),
            },
            None => loose.push(pr),
        }
    }
    groups.sort_by_key(|(at, _)| (at.image, at.layer));
    // Rendered only when there is something to say (the parent decides: a component that
    // renders nothing confuses Yew's sibling tracking).
    html! {
        <section class="errors" aria-label={t(lang, "errors-title")} role="alert">
            <h2 class="visually-hidden">{ t(lang, "errors-title") }</h2>
            { for p.fatal.iter().map(|m| html! {
                <div class="error fatal" data-testid="error" data-kind="fatal">
                    <strong>{ t(lang, "error-fatal") }</strong>{ " " }
                    { if p.fatal_in_english {
                        html! { <span class="verbatim" lang="en" translate="no">{ m.to_string() }</span> }
                    } else {
                        html! { <span>{ m.to_string() }</span> }
                    } }
                </div>
            }) }
            { for loose.iter().map(|pr| problem_html(lang, pr)) }
            { for groups.iter().map(|(at, list)| {
                let n = (at.layer + 1).to_string();
                let label = if p.images > 1 {
                    tf(lang, "problems-image-layer", &[("image", &(at.image + 1).to_string()), ("n", &n)])
                } else {
                    tf(lang, "problems-layer", &[("n", &n)])
                };
                let select = {
                    let cb = p.on_layer.clone();
                    let at = *at;
                    Callback::from(move |_| cb.emit((at.image, at.layer)))
                };
                html! {
                    <div class="problem-group" data-testid="problem-group" data-layer={n.clone()}>
                        <h3 class="problem-group-title">
                            <button type="button" class="button quiet" data-testid="problem-layer"
                                onclick={select} title={t(lang, "problems-select")}>{ label }</button>
                            <span class="muted">{ " · " }{ tf(lang, "problems-count", &[("count", &list.len().to_string())]) }</span>
                        </h3>
                        { for list.iter().map(|pr| problem_html(lang, pr)) }
                    </div>
                }
            }) }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::unreadable_text;
    use crate::i18n::Lang;
    use pancake_core::{Compression, Unreadable};

    /// A whole file refused for its window or dictionary is said in the page's language, with
    /// both sizes in MiB and whether `docker load` reads it; no key is left unresolved.
    #[test]
    fn a_window_over_the_bound_is_said_in_both_languages() {
        let why = |compression, requested, docker_load_reads| Unreadable::WindowOverLimit {
            requested,
            max: 256 << 20,
            compression,
            docker_load_reads,
        };
        let en = unreadable_text(
            Lang::En,
            "app.tar.zst",
            &why(Compression::Zstd, 1 << 29, true),
        );
        assert_eq!(
            en,
            "The zstd stream of app.tar.zst declares a window of 512 MiB at its start, over the \
             256 MiB that Pancake lets one decoder keep in memory: so nothing of the file was \
             read. This is a bound of Pancake, not damage. docker load reads this file."
        );
        let id = unreadable_text(Lang::Id, "app.tar.xz", &why(Compression::Xz, 1 << 30, true));
        assert!(
            id.starts_with("Aliran xz dari app.tar.xz menyatakan kamus sebesar 1.024 MiB"),
            "{id}"
        );
        assert!(id.ends_with("docker load dapat membaca file ini."), "{id}");
        let refused = unreadable_text(
            Lang::Id,
            "a.tar.zst",
            &why(Compression::Zstd, 1 << 30, false),
        );
        assert!(refused.contains("jendela sebesar 1.024 MiB"), "{refused}");
        assert!(
            refused.ends_with("docker load juga menolaknya."),
            "{refused}"
        );
        // Just over the bound never reads as the bound itself.
        let just = unreadable_text(
            Lang::En,
            "j.zst",
            &why(Compression::Zstd, (256 << 20) + 1, true),
        );
        assert!(
            just.contains("a window of 257 MiB at its start, over the 256 MiB"),
            "{just}"
        );
        for text in [en, id, refused] {
            assert!(!text.contains("unreadable-"), "{text}");
        }
    }
}
