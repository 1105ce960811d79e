//! `docker image history`, as the CLI prints it; click a row to read the whole command.

use std::collections::HashSet;

use pancake_core::analyze::history::history_table_sized;
use pancake_core::analyze::summary::ImageSummary;
use yew::prelude::*;

use super::{kind_class, shown, use_lang};
use crate::figures::human_size;
use crate::i18n::t;
use crate::state::ArchiveRef;
use crate::views::dockerfile::DockerfileView;
use pancake_core::analyze::dockerfile::KnownBase;
use std::rc::Rc;

#[derive(Properties, PartialEq)]
pub struct HistoryProps {
    pub archive: ArchiveRef,
    pub image: usize,
    /// For the Dockerfile beside the table: possible bases, the selected layer, selecting.
    pub bases: Rc<Vec<KnownBase>>,
    pub selected: Option<usize>,
    pub on_layer: Callback<Option<usize>>,
    /// The scanner's figures for this image (a large one's layer sizes), when it sent them.
    #[prop_or_default]
    pub summary: Option<Rc<ImageSummary>>,
    /// Those figures are on their way (a large image just read): the sizes say "pending"
    /// rather than walk the entries here.
    #[prop_or_default]
    pub summary_coming: bool,
}

#[function_component(History)]
pub fn history(p: &HistoryProps) -> Html {
    let lang = use_lang();
    let expanded = use_state(HashSet::<usize>::new);
    let now = crate::reltime::now_unix();
    // Each layer's size, once per file structure: the scanner's figures where it sent them
    // (a large image: summing 200,000 entries here took ~0.1 s on every render), else summed
    // here — the one size every view shows (`layer_size`). `None` for a layer whose figures
    // are on their way; a layer whose index has not changed since keeps its size meanwhile.
    let known = super::layer_size::use_bytes_of(
        &p.archive,
        p.image,
        p.summary.as_deref(),
        p.summary_coming,
    );
    let waiting = |l: usize| known.get(l).is_some_and(Option::is_none);
    let Some(image) = p.archive.images.get(p.image) else {
        return html! { <p class="empty">{ t(lang, "no-image") }</p> };
    };
    // A layer whose files are not all known has no size (`None`, "size unknown"), as in the
    // Stack; one whose figures are on their way has none yet (its row says "pending").
    let sizes: Vec<Option<u64>> = known
        .iter()
        .enumerate()
        .map(|(l, s)| {
            (!super::layer_size::size_unknown(&p.archive, image, l)).then(|| s.unwrap_or(0))
        })
        .collect();
    let short = history_table_sized(image, &sizes, now, false);
    let full = history_table_sized(image, &sizes, now, true);
    // The layer the Stack (and the Dockerfile) pairs with each step, from what each layer
    // holds; docker history pairs the n-th non-empty step with the n-th layer. Where the two
    // disagree the table says so, rather than contradict the Stack in silence.
    let stack_layer = |step: usize| image.layers.iter().position(|l| l.history == Some(step));
    let differs =
        |row: &pancake_core::analyze::history::HistoryRow| row.layer != stack_layer(row.history);
    let any_differs = short.iter().any(differs);
    html! {
        <section class="history" aria-label={t(lang, "tab-history")}>
            <div class="history-split">
            <DockerfileView archive={p.archive.clone()} image={p.image} bases={p.bases.clone()}
                selected={p.selected} on_layer={p.on_layer.clone()} />
            <div class="history-side">
            <p class="muted small">{ t(lang, "history-lead") }</p>
            { if any_differs {
                html! { <p class="small history-note" data-testid="history-pairing-differs">{ t(lang, "history-pairing-differs") }</p> }
            } else { html! {} } }
            // A wide table scrolls sideways inside its box: the box takes the focus, so the
            // keyboard can scroll it too.
            <div class="table-wrap" tabindex="0" role="region" aria-label={t(lang, "tab-history")}>
                <table class="history-table" data-testid="history-table">
                    <thead>
                        // The column names `docker image history` prints, verbatim, in English.
                        <tr lang="en" translate="no">
                            <th scope="col">{ "IMAGE" }</th>
                            <th scope="col">{ "CREATED" }</th>
                            <th scope="col">{ "CREATED BY" }</th>
                            <th scope="col" class="num">{ "SIZE" }</th>
                            <th scope="col">{ "COMMENT" }</th>
                        </tr>
                    </thead>
                    <tbody>
                        { for short.iter().zip(full.iter()).map(|(row, long)| {
                            let open = expanded.contains(&row.history);
                            let truncated = row.created_by != long.created_by;
                            let toggle = {
                                let expanded = expanded.clone();
                                let h = row.history;
                                Callback::from(move |_| {
                                    let mut s = (*expanded).clone();
                                    if !s.remove(&h) {
                                        s.insert(h);
                                    }
                                    expanded.set(s);
                                })
                            };
                            let empty = row.layer.is_none();
                            let other = differs(row);
                            // The layer chosen in the stack: said to screen readers too.
                            let chosen = row.layer.is_some() && row.layer == p.selected;
                            html! {
                                <tr class={classes!(kind_class(row.kind), open.then_some("open"), chosen.then_some("selected"))}
                                    aria-current={chosen.then_some("true")} data-testid="history-row" data-empty-layer={empty.to_string()}
                                    data-layer={row.layer.map(|l| l.to_string())} data-pairing-differs={other.then_some("true")}>
                                    <td class="mono h-id" data-label="IMAGE">{ row.id.clone() }</td>
                                    <td class="nowrap h-created" data-label="CREATED">{
                                        // Worded in the page's language from the timestamp; blank where Docker's is.
                                        row.created_unix.map(|c| crate::reltime::ago(lang, c, now)).unwrap_or_default()
                                    }</td>
                                    <td class="h-by">
                                        <div class="created-by">
                                        <span class="kind-dot" aria-hidden="true"></span>
                                        { if truncated {
                                            html! {
                                                <button type="button" class="linklike mono" aria-expanded={open.to_string()}
                                                    title={t(lang, if open { "collapse" } else { "expand" })} onclick={toggle}>
                                                    { shown(if open { &long.created_by } else { &row.created_by }) }
                                                </button>
                                            }
                                        } else {
                                            html! { <span class="mono">{ shown(&row.created_by) }</span> }
                                        } }
                                        </div>
                                    </td>
                                    <td class="num nowrap h-size" data-label="SIZE" data-bytes={row.size_bytes.filter(|_| !row.layer.is_some_and(waiting)).map(|n| n.to_string())}
                                        data-pending={row.layer.is_some_and(waiting).then_some("true")}>
                                    { if other {
                                        html! { <span class="pair-differs" title={t(lang, "history-pair-differs-row")} aria-label={t(lang, "history-pair-differs-row")}>{ "≠ " }</span> }
                                    } else { html! {} } }
                                    {
                                        // Figures in the page's language, as in every other view (the same
                                        // layer reads "1,98 MB" here and in the Stack in Indonesian; English
                                        // is Docker's own "1.98MB"). The table is not a transcript to copy:
                                        // its CREATED column is worded in the page's language too; only
                                        // the column names are Docker's, verbatim.
                                        match row.layer.and_then(|l| image.layers.get(l)).filter(|l| l.verification == pancake_core::Verification::NonDistributable) {
                                            // Left out on purpose: the descriptor's size, said as such, not 0 B.
                                            Some(l) => crate::i18n::tf(lang, "nondist-size-short", &[("size", &human_size(lang, l.stored_size))]),
                                            // Not known yet: the scanner's figures are on their way (not 0 B).
                                            None if row.layer.is_some_and(waiting) => t(lang, "pending"),
                                            // The file lacks its blob, or it was not read to its end: its
                                            // files' size is not known (not 0 B, not a truncated header's claim).
                                            None => match row.size_bytes {
                                                Some(n) => human_size(lang, n),
                                                None => t(lang, "size-unknown"),
                                            },
                                        }
                                    }</td>
                                    <td class="h-comment">{ shown(&row.comment) }</td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            </div>
            </div>
            </div>
        </section>
    }
}
