//! Two images compared: where their layer chains part, which layers they share, and what
//! the divergent layers change at file level (from the two merged views).

use std::collections::HashSet;
use std::rc::{Rc, Weak};

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

/// A pair as the comparison's stage names it: each image's archive, held weakly (the stage
/// keeps no archive alive, and the allocation a `Weak` keeps is never another archive's), and
/// its index there. What `compared` reads of a pair is all in these.
#[derive(Clone, Debug)]
struct PairKey([Option<(Weak<pancake_core::Archive>, usize)>; 2]);

impl PairKey {
    fn of(pair: &Pair) -> Self {
        PairKey([&pair.0, &pair.1].map(|s| {
            s.as_ref()
                .map(|s| (Rc::downgrade(&s.archive.0), s.key.image))
        }))
    }
}

impl PartialEq for PairKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.iter().zip(&other.0).all(|(x, y)| match (x, y) {
            (Some((a, i)), Some((b, j))) => i == j && Weak::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        })
    }
}

/// How far the comparison of a heavy pair has got (see `Compare`), `F` its fold.
#[derive(Clone, Debug, PartialEq)]
enum Stage<F> {
    /// Folded (`None`: nothing to fold, an image or its layers missing: compared with no
    /// file rows); compared on the next task.
    Folded(Option<F>),
    /// Compared on this draw, from the fold.
    Released(Option<F>),
    /// Compared: the result is in the memo, the fold dropped.
    Compared,
}

/// What the comparison does after a draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Next {
    Nothing,
    /// Fold the pair, on a task of its own.
    Fold,
    /// Compare, on the next task.
    Release,
    /// The draw has compared: drop the fold (two merged views, up to 100,000 rows each).
    Drop,
    /// No heavy pair now: forget the stage of the last one.
    Clear,
}

/// Whether the pair `key` is compared on this draw, and what to do after it, from the stage
/// kept (and of which pair) and whether the pair is heavy. Every stage of a heavy pair leads
/// to `Compared` (a pair with nothing to fold too), where it stays; the fold is kept only
/// until the draw that compares.
fn step<K: PartialEq, F>(stage: Option<&(K, Stage<F>)>, key: &K, heavy: bool) -> (bool, Next) {
    if !heavy {
        let next = if stage.is_some() {
            Next::Clear
        } else {
            Next::Nothing
        };
        return (true, next);
    }
    match stage {
        Some((k, Stage::Folded(_))) if k == key => (false, Next::Release),
        Some((k, Stage::Released(_))) if k == key => (true, Next::Drop),
        Some((k, Stage::Compared)) if k == key => (true, Next::Nothing),
        _ => (false, Next::Fold),
    }
}

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
/// `folded`, their merged filesystems, `fold_pair`'s: `None`, no file rows).
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
    // The heavy pair's stage (`step`): named by a `PairKey`, which holds no archive, and
    // holding the fold only until the draw that compares; the memo keeps the comparison.
    let stage = use_state(|| None::<(PairKey, Stage<Rc<Folded>>)>);
    let key = PairKey::of(&pair);
    let (go, next) = step(stage.as_ref(), &key, heavy);
    // The fold this draw compares from (`Some(None)`: folded, nothing to compare file by
    // file), or the one the next task releases.
    let fold = match stage.as_ref() {
        Some((k, Stage::Folded(f) | Stage::Released(f))) if *k == key => Some(f.clone()),
        _ => None,
    };
    {
        let (stage, key, pair, fold) = (stage.clone(), key.clone(), pair.clone(), fold.clone());
        use_effect_with((key.clone(), next), move |(_, next)| {
            let later = match next {
                Next::Nothing => None,
                Next::Clear => {
                    stage.set(None);
                    None
                }
                Next::Drop => {
                    stage.set(Some((key, Stage::Compared)));
                    None
                }
                Next::Fold => Some(Timeout::new(0, move || {
                    let f = match &pair {
                        (Some(a), Some(b)) => fold_pair(a, b).map(Rc::new),
                        _ => None,
                    };
                    stage.set(Some((key, Stage::Folded(f))));
                })),
                Next::Release => Some(Timeout::new(0, move || {
                    stage.set(Some((key, Stage::Released(fold.flatten()))));
                })),
            };
            move || drop(later)
        });
    }
    let result = {
        let pair = pair.clone();
        use_memo((key, go), move |(_, go)| {
            let ((Some(a), Some(b)), true) = (&pair, *go) else {
                return None;
            };
            match fold {
                Some(f) => compared(a, b, f.as_deref()),
                // Not heavy: folded as it is drawn.
                None => compared(a, b, fold_pair(a, b).as_ref()),
            }
        })
    };
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
                            tf(lang, "cmp-diverge-at", &[("n", &crate::figures::count(lang, *diverge + 1)), ("shared", &crate::figures::count(lang, *diverge)), ("count", &crate::figures::count(lang, *diverge))])
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
                    <p data-testid="compare-shared">{ tf(lang, "cmp-shared", &[("count", &crate::figures::count(lang, shared.len())), ("size", &shared_size), ("tar", &human_size(lang, shared_tar))]) }</p>
                    { if rows.is_empty() {
                        html! { <p class="muted">{ t(lang, "cmp-no-files") }</p> }
                    } else {
                        html! {
                            <div class="table-scroll cmp-files">
                                <table data-testid="compare-files">
                                    <caption class="muted small">{ tf(lang, "cmp-files-caption", &[("count", &crate::figures::count(lang, rows.len())), ("a", &format!("#{}", ai + 1)), ("b", &format!("#{}", bi + 1))]) }</caption>
                                    <thead><tr><th scope="col">{ t(lang, "cmp-change") }</th><th scope="col">{ t(lang, "cmp-path") }</th><th scope="col">{ t(lang, "size") }</th></tr></thead>
                                    <tbody>{ for changes }</tbody>
                                </table>
                                { if rows.len() > MAX_ROWS { html! { <p class="muted small">{ tf(lang, "cmp-more", &[("count", &crate::figures::count(lang, rows.len() - MAX_ROWS))]) }</p> } } else { html! {} } }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Plays the component's part: `step`, then what `next` does (its tasks at once), until
    /// nothing is left to do; returns each draw's `go` and `next`.
    fn play(
        stage: &mut Option<(u8, Stage<&'static str>)>,
        key: u8,
        heavy: bool,
        fold: Option<&'static str>,
    ) -> Vec<(bool, Next)> {
        let mut draws = Vec::new();
        loop {
            let (go, next) = step(stage.as_ref(), &key, heavy);
            draws.push((go, next));
            *stage = match next {
                Next::Nothing => return draws,
                Next::Clear => None,
                Next::Fold => Some((key, Stage::Folded(fold))),
                Next::Release => match stage.take() {
                    Some((k, Stage::Folded(f))) => Some((k, Stage::Released(f))),
                    other => panic!("released from {other:?}"),
                },
                Next::Drop => Some((key, Stage::Compared)),
            };
            assert!(draws.len() < 10, "no end: {draws:?}");
        }
    }

    #[test]
    fn a_heavy_pair_is_folded_then_compared_then_its_fold_dropped() {
        let mut stage = None;
        let draws = play(&mut stage, 1, true, Some("fold"));
        assert_eq!(
            draws,
            vec![
                (false, Next::Fold),
                (false, Next::Release),
                // This draw compares, from the fold ...
                (true, Next::Drop),
                // ... which is then dropped; the comparison stays shown.
                (true, Next::Nothing),
            ]
        );
        assert_eq!(stage, Some((1, Stage::Compared)));
        // Drawn again (another render): nothing folds again.
        assert_eq!(
            play(&mut stage, 1, true, Some("fold")),
            vec![(true, Next::Nothing)]
        );
    }

    #[test]
    fn a_heavy_pair_with_nothing_to_fold_is_compared_all_the_same() {
        // One image of more than `DRAW_ALL` layers, the other of none: `fold_pair` is `None`.
        let mut stage = None;
        let draws = play(&mut stage, 1, true, None);
        assert_eq!(draws.last(), Some(&(true, Next::Nothing)));
        assert!(draws.contains(&(true, Next::Drop)), "compared: {draws:?}");
        assert_eq!(stage, Some((1, Stage::Compared)));
    }

    #[test]
    fn another_pair_folds_again_and_no_heavy_pair_forgets_the_last() {
        let mut stage = None;
        play(&mut stage, 1, true, Some("one"));
        // Another heavy pair: folded in turn.
        let draws = play(&mut stage, 2, true, Some("two"));
        assert_eq!(draws.first(), Some(&(false, Next::Fold)));
        assert_eq!(stage, Some((2, Stage::Compared)));
        // A light pair (or one image left, the file closed): compared as drawn, and the
        // stage of the heavy one, a fold not yet dropped too, is forgotten.
        let mut stage = Some((2, Stage::Folded(Some("two"))));
        assert_eq!(
            play(&mut stage, 3, false, None),
            vec![(true, Next::Clear), (true, Next::Nothing)]
        );
        assert_eq!(stage, None);
    }
}
