//! Two images compared: where their layer chains part, which layers they share, and what
//! the divergent layers change at file level (from the two merged views).

use std::collections::HashSet;
use std::rc::Rc;

use crate::figures::human_size;
use gloo::timers::callback::Timeout;
use pancake_core::analyze::union::{self, Change, FileRow, PathDiff};
use pancake_core::EntryKind;
use yew::prelude::*;

use super::diagram::layer_id;
use super::{kind_class, layer_kind, layer_label, use_lang};
use crate::i18n::{t, tf};
use crate::session::SessionImage;

/// Rows shown before "and N more".
const MAX_ROWS: usize = 300;

#[derive(Properties, PartialEq)]
pub struct CompareProps {
    pub images: Vec<SessionImage>,
}

fn select_value(e: &Event) -> Option<usize> {
    use wasm_bindgen::JsCast;
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
        .and_then(|s| s.value().parse().ok())
}

/// Two session images, A and B, when there are two to compare.
type Pair = (Option<SessionImage>, Option<SessionImage>);
/// Their merged filesystems (`union::merged` of each top layer).
type Folded = (Vec<FileRow>, Vec<FileRow>);

/// A's and B's merged filesystems; `None` when an image or its layers are missing.
fn fold_pair(a: &SessionImage, b: &SessionImage) -> Option<Folded> {
    let (ia, ib) = (a.image()?, b.image()?);
    let (ta, tb) = (
        ia.layers.len().checked_sub(1)?,
        ib.layers.len().checked_sub(1)?,
    );
    Some((
        union::merged(&a.archive, ia, ta),
        union::merged(&b.archive, ib, tb),
    ))
}

/// Where A and B part, the layers of A that B has too, and the paths that differ (from
/// `folded`, their merged filesystems, else folded here).
fn compared(
    a: &SessionImage,
    b: &SessionImage,
    folded: Option<&Folded>,
) -> Option<(usize, Vec<usize>, Vec<PathDiff>)> {
    let (Some(ia), Some(ib)) = (a.image(), b.image()) else {
        return None;
    };
    let ids_a: Vec<Option<String>> = ia.layers.iter().map(layer_id).collect();
    let ids_b: Vec<Option<String>> = ib.layers.iter().map(layer_id).collect();
    let diverge = ids_a
        .iter()
        .zip(&ids_b)
        .take_while(|(x, y)| x.is_some() && x == y)
        .count();
    // A set, not a search of B's list for each of A's layers (20,002 × 20,002 for a pair of
    // hostile images).
    let in_b: HashSet<&String> = ids_b.iter().flatten().collect();
    let shared: Vec<usize> = ids_a
        .iter()
        .enumerate()
        .filter(|(_, id)| id.as_ref().is_some_and(|id| in_b.contains(id)))
        .map(|(i, _)| i)
        .collect();
    let here;
    let folded = match folded {
        Some(f) => Some(f),
        None => {
            here = fold_pair(a, b);
            here.as_ref()
        }
    };
    let rows = match folded {
        Some((ma, mb)) => {
            let mut rows = union::compare(ma, mb, diverge);
            // A changed owner (a chown) is a change too, as the CLI's diff says it.
            pancake_core::analyze::diff::mark_owners(
                (&a.archive, ia, ma),
                (&b.archive, ib, mb),
                diverge,
                &mut rows,
            );
            rows
        }
        None => Vec::new(),
    };
    Some((diverge, shared, rows))
}

#[function_component(Compare)]
pub fn compare(p: &CompareProps) -> Html {
    let lang = use_lang();
    let a_sel = use_state(|| 0usize);
    let b_sel = use_state(|| 1usize);
    let n = p.images.len();
    let ai = (*a_sel).min(n.saturating_sub(1));
    let bi = (*b_sel).min(n.saturating_sub(1));
    // With one image there is nothing to compare: nothing is folded (it folded the image
    // twice against itself, ~1 s of the page's thread for 200,000 files, for "add another").
    let pair = match n {
        0 | 1 => (None, None),
        _ => (p.images.get(ai).cloned(), p.images.get(bi).cloned()),
    };
    // An image Docker could not run (more layers than the stack draws whole: `stack_window`) is
    // compared in two tasks of their own after the tab has drawn, its fold then the comparison:
    // 20,002 layers over 100,000 files took ~450 ms, which with the rest of the tab made one
    // freeze of ~700 ms. Any other pair is compared as it is drawn.
    let heavy = matches!(&pair, (Some(a), Some(b)) if [a, b].iter().any(|s| {
        s.image().is_some_and(|im| im.layers.len() > super::stack_window::DRAW_ALL)
    }));
    let folded = use_state(|| None::<(Pair, Rc<Folded>)>);
    let released = use_state(|| None::<Pair>);
    let have_folded = heavy && folded.as_ref().is_some_and(|(p, _)| *p == pair);
    let go = !heavy || (have_folded && released.as_ref() == Some(&pair));
    {
        let (folded, released) = (folded.clone(), released.clone());
        use_effect_with(
            (pair.clone(), have_folded, go),
            move |(pair, have_folded, go)| {
                let pair = pair.clone();
                let later = match (*go, *have_folded) {
                    (true, _) => None,
                    (false, false) => Some(Timeout::new(0, move || {
                        if let (Some(a), Some(b)) = &pair {
                            if let Some(f) = fold_pair(a, b) {
                                folded.set(Some((pair.clone(), Rc::new(f))));
                            }
                        }
                    })),
                    (false, true) => Some(Timeout::new(0, move || released.set(Some(pair)))),
                };
                move || drop(later)
            },
        );
    }
    let done = folded
        .as_ref()
        .filter(|_| have_folded)
        .map(|(_, f)| f.clone());
    let result = use_memo((pair.clone(), go), move |((a, b), go)| {
        let (Some(a), Some(b), true) = (a, b, *go) else {
            return None;
        };
        compared(a, b, done.as_deref())
    });
    if n < 2 {
        return html! {
            <section class="card compare" aria-labelledby="cmp-title">
                <h2 id="cmp-title">{ t(lang, "cmp-title") }</h2>
                <p class="muted">{ t(lang, "cmp-need-two") }</p>
            </section>
        };
    }
    let chooser = |sel: usize,
                   state: UseStateHandle<usize>,
                   testid: &'static str,
                   label: String| {
        let onchange = Callback::from(move |e: Event| {
            if let Some(v) = select_value(&e) {
                state.set(v);
            }
        });
        html! {
            <label>{ label }{ " " }
                <select data-testid={testid} {onchange}>
                    { for p.images.iter().enumerate().map(|(i, si)| html! {
                        <option value={i.to_string()} selected={i == sel}>{ format!("#{} {}", i + 1, si.tag()) }</option>
                    }) }
                </select>
            </label>
        }
    };
    let body = match (result.as_ref(), &pair) {
        (Some((diverge, shared, rows)), (Some(a), Some(b))) => {
            let (Some(ia), Some(ib)) = (a.image(), b.image()) else {
                return html! {};
            };
            let layer_line = |si: &SessionImage, img: &pancake_core::Image, i: usize| -> Html {
                match img.layers.get(i) {
                    Some(_) => {
                        let (kw, rest) = layer_label(img, i);
                        html! {
                            <span class={classes!("cmp-layer", kind_class(layer_kind(img, i)))}>
                                <span class="chip">{ if kw.is_empty() { t(lang, "layer-generic") } else { kw } }</span>
                                <span class="mono ellipsis">{ rest }</span>
                                { super::layer_size::span(lang, &si.archive, img, i) }
                            </span>
                        }
                    }
                    None => html! { <span class="muted">{ t(lang, "cmp-no-layer") }</span> },
                }
            };
            let same = *diverge == ia.layers.len() && *diverge == ib.layers.len();
            let diverge_html = if same {
                html! { <p>{ t(lang, "cmp-identical") }</p> }
            } else {
                html! {
                    <div class="cmp-diverge">
                        <p>{ if *diverge == 0 {
                            // Not "the 0 layers below it are the same".
                            t(lang, "cmp-diverge-base")
                        } else {
                            tf(lang, "cmp-diverge-at", &[("n", &(diverge + 1).to_string()), ("shared", &diverge.to_string()), ("count", &diverge.to_string())])
                        } }</p>
                        <div class="cmp-pair">
                            <div><span class="dg-num">{ format!("#{}", ai + 1) }</span>{ layer_line(a, ia, *diverge) }</div>
                            <div><span class="dg-num">{ format!("#{}", bi + 1) }</span>{ layer_line(b, ib, *diverge) }</div>
                        </div>
                    </div>
                }
            };
            // Summed in the page's one layer size (`layer_size`), as each layer shows it.
            let shared_bytes: u64 = shared
                .iter()
                .map(|i| super::layer_size::bytes(&a.archive, ia, *i))
                .fold(0u64, |s, b| s.saturating_add(b));
            // A shared layer whose files are not all known has no size: nor has the sum.
            let shared_size = if shared
                .iter()
                .any(|i| super::layer_size::size_unknown(&a.archive, ia, *i))
            {
                t(lang, "size-unknown")
            } else {
                human_size(lang, shared_bytes)
            };
            // And as the uncompressed tars Storage counts: the two figures differ by the tars'
            // headers and padding, and a class comparing them should see both.
            let shared_tar: u64 = shared
                .iter()
                .filter_map(|i| ia.layers.get(*i))
                .fold(0u64, |s, l| s.saturating_add(l.size));
            let changes = rows.iter().take(MAX_ROWS).map(|r| {
                let (sym, class, key) = match (r.change, r.rewritten) {
                    (Change::Added, _) => ("+", "ch-added", "cmp-only-b"),
                    (Change::Deleted, _) => ("−", "ch-deleted", "cmp-only-a"),
                    (_, true) => ("~", "ch-modified", "cmp-rewritten"),
                    _ => ("~", "ch-modified", "cmp-changed"),
                };
                let size = match (r.a_size, r.b_size) {
                    (Some(x), Some(y)) if x != y => format!("{} → {}", human_size(lang, x), human_size(lang, y)),
                    (_, Some(y)) => human_size(lang, y),
                    (Some(x), None) => human_size(lang, x),
                    _ => String::new(),
                };
                let dir = if r.kind == EntryKind::Dir { "/" } else { "" };
                let owner = r.owners.map(|((ua, ga), (ub, gb))| {
                    tf(lang, "cmp-owner", &[("a", &format!("{ua}:{ga}")), ("b", &format!("{ub}:{gb}"))])
                });
                let mode = r.modes.map(|(ma, mb)| {
                    tf(lang, "cmp-mode", &[("a", &format!("{ma:04o}")), ("b", &format!("{mb:04o}"))])
                });
                // A `setcap` (or another attribute) alone: say so, with the capabilities
                // each side has as getcap prints them.
                let xattrs = r.xattrs.as_ref().map(|(xa, xb)| {
                    use pancake_core::analyze::capability;
                    let (ca, cb) = (capability::of(xa), capability::of(xb));
                    if ca.is_none() && cb.is_none() {
                        // No capability either side: name the attributes that differ.
                        let mut names: Vec<String> = xa.iter().filter(|x| !xb.contains(x))
                            .chain(xb.iter().filter(|x| !xa.contains(x)))
                            .map(|x| pancake_core::xattr_text(&x.name))
                            .collect();
                        names.sort();
                        names.dedup();
                        crate::text::shown(&tf(lang, "cmp-xattrs-names", &[("names", &names.join(", "))]))
                    } else {
                        let dash = |c: Option<String>| c.unwrap_or_else(|| "—".to_string());
                        crate::text::shown(&tf(lang, "cmp-xattrs", &[("a", &dash(ca)), ("b", &dash(cb))]))
                    }
                });
                html! {
                    <tr data-testid="compare-row" data-path={r.path.to_string()} data-change={match r.change { Change::Added => "added", Change::Deleted => "deleted", _ => "modified" }}>
                        <td class={class}><span aria-hidden="true">{ sym }</span>{ " " }{ t(lang, key) }
                            { for mode.map(|m| html! { <>{ " " }<span class="small cmp-owner" data-testid="compare-mode">{ m }</span></> }) }
                            { for owner.map(|o| html! { <>{ " " }<span class="small cmp-owner" data-testid="compare-owner">{ o }</span></> }) }
                            { for xattrs.map(|o| html! { <>{ " " }<span class="small cmp-owner" data-testid="compare-xattrs">{ o }</span></> }) }
                        </td>
                        <td class="mono wrap">{ format!("{}{dir}", r.path) }</td>
                        <td class="num">{ size }</td>
                    </tr>
                }
            });
            html! {
                <>
                    { diverge_html }
                    <p data-testid="compare-shared">{ tf(lang, "cmp-shared", &[("count", &shared.len().to_string()), ("size", &shared_size), ("tar", &human_size(lang, shared_tar))]) }</p>
                    { if rows.is_empty() {
                        html! { <p class="muted">{ t(lang, "cmp-no-files") }</p> }
                    } else {
                        html! {
                            <div class="table-scroll cmp-files">
                                <table data-testid="compare-files">
                                    <caption class="muted small">{ tf(lang, "cmp-files-caption", &[("count", &rows.len().to_string()), ("a", &format!("#{}", ai + 1)), ("b", &format!("#{}", bi + 1))]) }</caption>
                                    <thead><tr><th scope="col">{ t(lang, "cmp-change") }</th><th scope="col">{ t(lang, "cmp-path") }</th><th scope="col">{ t(lang, "size") }</th></tr></thead>
                                    <tbody>{ for changes }</tbody>
                                </table>
                                { if rows.len() > MAX_ROWS { html! { <p class="muted small">{ tf(lang, "cmp-more", &[("count", &(rows.len() - MAX_ROWS).to_string())]) }</p> } } else { html! {} } }
                            </div>
                        }
                    } }
                </>
            }
        }
        _ if !go => {
            html! { <p class="muted" data-testid="compare-pending">{ t(lang, "cmp-pending") }</p> }
        }
        _ => html! {},
    };
    html! {
        <section class="card compare" aria-labelledby="cmp-title" data-testid="compare">
            <h2 id="cmp-title">{ t(lang, "cmp-title") }</h2>
            <div class="cmp-controls">
                { chooser(ai, a_sel.clone(), "compare-a", t(lang, "cmp-a")) }
                { chooser(bi, b_sel.clone(), "compare-b", t(lang, "cmp-b")) }
            </div>
            { body }
        </section>
    }
}
