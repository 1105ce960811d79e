//! The shared-layers diagram: the session's images side by side, base at the bottom, and a
//! layer used by several images drawn once, as one band across their columns.
//!
//! A CSS grid does the drawing: one column per image, one row per layer position. Images
//! are ordered by their layer chains, so images that share lower layers stand next to each
//! other and their shared layers become contiguous bands.
//!
//! Rows are drawn as the stack draws its items (`stack_window`): every one up to
//! [`window::DRAW_ALL`]; above, the top and bottom rows, the picked band's (clicked, or
//! Enter: not one hovered or focused, see `pinned_row`) and what the reader asked for. Each run of rows left out is one grid row saying how many layers it
//! holds and which (by image), with its "show more" above the diagram: an archive declaring
//! 20,000 layers drew ~100,000 elements here and held the page's thread for ~5 s.

use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;

use pancake_core::analyze::summary::ImageSummary;
use pancake_core::{analyze::share, Layer};
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

use super::stack_window as window;
use super::{kind_class, layer_kind, layer_label, layer_size, use_lang, CopyButton};
use crate::i18n::{t, tf, Lang};
use crate::session::SessionImage;
use crate::state::StructureKey;

/// One layer as the diagram draws it: a distinct layer of Docker's layer store (by ChainID:
/// the same layer on the same layers below) and every image using it.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub id: Option<String>,
    /// Grid row, 0 = base.
    pub row: usize,
    /// `(session image, layer index)` for each use, in session order.
    pub uses: Vec<(usize, usize)>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    /// Column → session image index.
    pub columns: Vec<usize>,
    pub rows: usize,
    pub nodes: Vec<Node>,
}

impl Layout {
    /// Column position of a session image.
    pub fn column_of(&self, image: usize) -> Option<usize> {
        self.columns.iter().position(|c| *c == image)
    }

    /// The node's columns as contiguous runs `(first, last)`, left to right.
    pub fn runs(&self, node: &Node) -> Vec<(usize, usize)> {
        let mut cols: Vec<usize> = node
            .uses
            .iter()
            .filter_map(|(img, _)| self.column_of(*img))
            .collect();
        cols.sort_unstable();
        cols.dedup();
        let mut runs: Vec<(usize, usize)> = Vec::new();
        for c in cols {
            match runs.last_mut() {
                Some((_, last)) if *last + 1 == c => *last = c,
                _ => runs.push((c, c)),
            }
        }
        runs
    }

    /// Distinct session images using a node, in session order.
    pub fn images_of(node: &Node) -> Vec<usize> {
        let mut v: Vec<usize> = node.uses.iter().map(|(i, _)| *i).collect();
        v.dedup();
        v
    }
}

/// Lays out images given as chains of layer ids, bottom first (`None`: a layer with no
/// known ChainID, never shared). The k-th use of one id inside an image is its own node.
pub fn layout(chains: &[Vec<Option<String>>]) -> Layout {
    let mut nodes: Vec<Node> = Vec::new();
    let mut by_key: HashMap<(String, usize), usize> = HashMap::new();
    // Each image's chain as node indexes.
    let mut node_chains: Vec<Vec<usize>> = Vec::with_capacity(chains.len());
    for (img, chain) in chains.iter().enumerate() {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut nc = Vec::with_capacity(chain.len());
        for (li, id) in chain.iter().enumerate() {
            let n = match id {
                Some(id) => {
                    let occurrence = seen.entry(id.as_str()).or_insert(0);
                    let key = (id.clone(), *occurrence);
                    *occurrence += 1;
                    *by_key.entry(key).or_insert_with(|| {
                        nodes.push(Node {
                            id: Some(id.clone()),
                            row: 0,
                            uses: Vec::new(),
                        });
                        nodes.len() - 1
                    })
                }
                None => {
                    nodes.push(Node {
                        id: None,
                        row: 0,
                        uses: Vec::new(),
                    });
                    nodes.len() - 1
                }
            };
            if let Some(node) = nodes.get_mut(n) {
                node.uses.push((img, li));
            }
            nc.push(n);
        }
        node_chains.push(nc);
    }
    // Rows: each layer sits above the one below it in every image using it. Bounded, so a
    // contradictory order (x below y in one image, above it in another) still ends.
    let mut rows = vec![0usize; nodes.len()];
    for _ in 0..=nodes.len() {
        let mut changed = false;
        for nc in &node_chains {
            for pair in nc.windows(2) {
                if let [lo, hi] = pair {
                    let want = rows.get(*lo).copied().unwrap_or(0) + 1;
                    if let Some(r) = rows.get_mut(*hi) {
                        if *r < want {
                            *r = want;
                            changed = true;
                        }
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
    for (n, r) in nodes.iter_mut().zip(&rows) {
        n.row = *r;
    }
    // Columns: images sorted by their chains, so shared prefixes sit side by side.
    let mut columns: Vec<usize> = (0..chains.len()).collect();
    columns.sort_by(|a, b| node_chains.get(*a).cmp(&node_chains.get(*b)));
    let nrows = rows.iter().max().map_or(0, |m| m + 1);
    Layout {
        columns,
        rows: nrows,
        nodes,
    }
}

/// A run of the diagram's rows left out (`stack_window`), and what it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gap {
    /// Layout rows, 0 = base.
    pub rows: Range<usize>,
    /// The grid row standing for it.
    pub grid_row: usize,
    /// Layers (nodes: a shared one once) in its rows.
    pub layers: usize,
    /// Each image with layers in it, in session order: `(image, how many, first, last)`,
    /// layer indexes of that image (an image's layers in a run of rows are consecutive).
    pub images: Vec<(usize, usize, usize, usize)>,
    /// What its "show more" draws: the rows at its upper end, and the layers in them.
    pub more: Range<usize>,
    pub more_layers: usize,
}

/// Which rows of a layout are drawn, and where.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RowWindow {
    /// Grid row of each layout row (the image heads are grid row 1); 0: not drawn.
    pub grid_row: Vec<usize>,
    /// The runs left out, top first.
    pub gaps: Vec<Gap>,
}

/// The rows drawn of `lay`, as the stack draws its items ([`window::runs`]): all of them up to
/// [`window::DRAW_ALL`], else the top and bottom ones, `selected` (a row) and its
/// neighbours, and the rows in `revealed`. Grid rows are numbered top first, with no empty
/// row for what is left out: each gap takes one.
pub fn row_window(lay: &Layout, selected: Option<usize>, revealed: &[Range<usize>]) -> RowWindow {
    let mut grid_row = vec![0usize; lay.rows];
    let mut gaps: Vec<Gap> = Vec::new();
    let mut next = 2;
    for run in window::runs(lay.rows, selected, revealed).into_iter().rev() {
        match run {
            window::Run::Drawn(d) => {
                for row in d.rev() {
                    if let Some(g) = grid_row.get_mut(row) {
                        *g = next;
                    }
                    next += 1;
                }
            }
            window::Run::Gap(rows) => {
                gaps.push(Gap {
                    more: window::more_of(&rows),
                    rows,
                    grid_row: next,
                    layers: 0,
                    images: Vec::new(),
                    more_layers: 0,
                });
                next += 1;
            }
        }
    }
    if !gaps.is_empty() {
        for node in &lay.nodes {
            if grid_row.get(node.row).copied().unwrap_or(0) != 0 {
                continue;
            }
            let Some(gap) = gaps.iter_mut().find(|g| g.rows.contains(&node.row)) else {
                continue;
            };
            gap.layers += 1;
            if gap.more.contains(&node.row) {
                gap.more_layers += 1;
            }
            for &(img, li) in &node.uses {
                match gap.images.iter_mut().find(|e| e.0 == img) {
                    Some(e) => {
                        e.1 += 1;
                        e.2 = e.2.min(li);
                        e.3 = e.3.max(li);
                    }
                    None => gap.images.push((img, 1, li, li)),
                }
            }
        }
        for gap in &mut gaps {
            gap.images.sort_unstable();
        }
    }
    RowWindow { grid_row, gaps }
}

/// What a gap holds, in words: "19,922 layers not drawn here (#2: layers 41 to 19,962)".
fn gap_text(lang: Lang, gap: &Gap) -> String {
    let which = gap
        .images
        .iter()
        .map(|(img, count, first, last)| {
            tf(
                lang,
                "dg-gap-image",
                &[
                    ("image", &(img + 1).to_string()),
                    ("layers", &crate::figures::count(lang, *count)),
                    ("from", &crate::figures::count(lang, first + 1)),
                    ("to", &crate::figures::count(lang, last + 1)),
                ],
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    tf(
        lang,
        "dg-gap-layers",
        &[
            ("count", &crate::figures::count(lang, gap.layers)),
            ("which", &which),
        ],
    )
}

/// The row the window draws around ([`row_window`]'s `selected`): the band picked (a click,
/// Enter or Space) when one is, never one only hovered or focused. Hovering or focusing
/// shows a band's details, but if it also drew the rows around it, moving the pointer down
/// the top rows would keep drawing more, the bottom block would jump under the pointer, and
/// Tab would walk into each row so drawn, one at a time, through 20,000 layers.
fn pinned_row(lay: &Layout, selected: Option<usize>, pinned: bool) -> Option<usize> {
    selected
        .filter(|_| pinned)
        .and_then(|ni| lay.nodes.get(ni))
        .map(|node| node.row)
}

/// The identity a layer is drawn by: its ChainID, as Docker's layer store keeps it
/// (`pancake_core::analyze::share::chain_ids`); the same diff_id on another base is another layer.
pub fn chains(images: &[SessionImage]) -> Vec<Vec<Option<String>>> {
    images
        .iter()
        .map(|si| {
            si.image()
                .map(|img| {
                    share::chain_ids(img)
                        .into_iter()
                        .map(|c| c.map(|d| d.to_string()))
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect()
}

/// A layer's diff_id as shown (and as the comparison of two images matches content by):
/// computed, else the config's claim.
pub fn layer_id(l: &Layer) -> Option<String> {
    l.diff_id
        .as_ref()
        .or(l.config_diff_id.as_ref())
        .map(|d| d.to_string())
}

/// Slab height: grows with log(size), with a floor (as in the stack view, a bit flatter).
fn band_height(size: u64) -> u32 {
    let h = 14.0 + 8.0 * ((size as f64) + 1.0).log10();
    h.clamp(34.0, 96.0) as u32
}

#[derive(Properties, PartialEq)]
pub struct DiagramProps {
    pub images: Vec<SessionImage>,
    /// The scanner's figures for each image (same order), where it sent them: a large
    /// image's layer sizes are not summed from its entries here.
    #[prop_or_default]
    pub summaries: Vec<Option<Rc<ImageSummary>>>,
}

#[function_component(Diagram)]
pub fn diagram(p: &DiagramProps) -> Html {
    let lang = use_lang();
    let lay = use_memo(p.images.clone(), |imgs| layout(&chains(imgs)));
    // Every band's size (`layer_size::bytes`, a walk of the layer's entries, or the scanner's
    // figure for it), once per file structure: an image still being hashed re-renders this on
    // every facts update.
    let sizes = use_memo(
        p.images
            .iter()
            .enumerate()
            .map(|(k, si)| {
                let summary = p.summaries.get(k).cloned().flatten();
                (StructureKey(si.archive.clone()), si.key.image, summary)
            })
            .collect::<Vec<_>>(),
        |keys| {
            keys.iter()
                .map(|(a, img, summary)| {
                    a.images.get(*img).map_or_else(Vec::new, |image| {
                        layer_size::all_bytes(a, image, summary.as_deref())
                    })
                })
                .collect::<Vec<_>>()
        },
    );
    let size_of = |img: usize, layer: usize| {
        sizes
            .get(img)
            .and_then(|v| v.get(layer))
            .copied()
            .unwrap_or(0)
    };
    let selected = use_state(|| None::<usize>);
    // Whether the columns run past the scroll box's edge (a phone, three images or more): then
    // a line says so, since a cut-off column alone does not tell that more is to the right.
    let scroller = use_node_ref();
    let overflows = use_state_eq(|| false);
    let measure = {
        let (scroller, overflows) = (scroller.clone(), overflows.clone());
        move || {
            if let Some(el) = scroller.cast::<web_sys::Element>() {
                overflows.set(el.scroll_width() > el.client_width() + 1);
            }
        }
    };
    {
        // After every render (images added or removed change the columns) ...
        let measure = measure.clone();
        use_effect(measure);
    }
    // ... and when the window's width changes: one listener for the component's life.
    use_effect_with((), move |_| {
        let resize = web_sys::window()
            .map(|w| gloo::events::EventListener::new(&w, "resize", move |_| measure()));
        move || drop(resize)
    });
    let pinned = use_state(|| false);
    // Another set of images is another layout: a band picked (an index into the old one)
    // is let go rather than left pointing at some other layer.
    {
        let (selected, pinned) = (selected.clone(), pinned.clone());
        use_effect_with(p.images.clone(), move |_| {
            if selected.is_some() || *pinned {
                selected.set(None);
                pinned.set(false);
            }
        });
    }
    // A band picked keeps its details in sight: they stick to the window's bottom edge
    // (`.dg-details.picked`), and the band is brought above them if it is under them (picked
    // low in the window, or at 360 px). The page's `scroll-padding-bottom` is their height
    // while they are stuck, so a band reached with Tab is not scrolled under them either.
    let details_ref = use_node_ref();
    {
        let details_ref = details_ref.clone();
        use_effect_with(if *pinned { *selected } else { None }, move |picked| {
            let panel = details_ref.cast::<web_sys::Element>();
            let height = gloo::utils::window()
                .inner_height()
                .ok()
                .and_then(|h| h.as_f64())
                .unwrap_or(0.0);
            if let (Some(_), Some(panel), Some(band)) = (picked, panel, picked_band()) {
                let (p, b) = (
                    panel.get_bounding_client_rect(),
                    band.get_bounding_client_rect(),
                );
                // Stuck: its bottom at the window's (in place, it is below or above).
                let stuck = (p.bottom() - height).abs() < 2.0;
                if stuck {
                    root_style("scroll-padding-bottom", Some(&format!("{}px", p.height())));
                    if b.bottom() > p.top() && b.top() < p.bottom() {
                        gloo::utils::window()
                            .scroll_by_with_x_and_y(0.0, b.bottom() - p.top() + 8.0);
                    }
                }
            }
            // Before the next band picked, and when the tab goes: the padding goes too.
            || root_style("scroll-padding-bottom", None)
        });
    }
    // What the reader asked to see of a tall diagram, for this layout only (rows, layers).
    let revealed = use_state(|| Rc::new(((usize::MAX, 0), Vec::<Range<usize>>::new())));
    let n = p.images.len();
    if n == 0 {
        return html! {};
    }
    let key = (lay.rows, lay.nodes.len());
    let shown_more: &[Range<usize>] = match &**revealed {
        (k, ranges) if *k == key => ranges,
        _ => &[],
    };
    let win = row_window(&lay, pinned_row(&lay, *selected, *pinned), shown_more);
    let heads = lay.columns.iter().enumerate().map(|(col, img)| {
        let si = p.images.get(*img);
        let tag = si.map(|s| s.tag()).unwrap_or_default();
        let file = si.map(|s| s.file_name.clone()).unwrap_or_default();
        html! {
            <div class="dg-head" style={format!("grid-column:{};grid-row:1", col + 1)}>
                <span class="dg-num">{ format!("#{}", img + 1) }</span>
                { super::name::middle_ellipsis(&tag) }
                <span class="muted small ellipsis" title={file.clone()}>{ file }</span>
            </div>
        }
    });
    // Bands listed as they are drawn, top row first and left to right (the grid places each
    // one by its row and column whatever its place in the list): the list's order is what Tab
    // walks and a screen reader reads, so it must be the order seen, as in the stack (WCAG
    // 2.4.3). Nodes are made base first, image by image. Only those of rows drawn.
    let mut order: Vec<(usize, usize, &Node)> = lay
        .nodes
        .iter()
        .enumerate()
        .filter_map(|(ni, node)| {
            let g = win.grid_row.get(node.row).copied().unwrap_or(0);
            (g > 0).then_some((g, ni, node))
        })
        .collect();
    order.sort_by_cached_key(|(g, _, node)| {
        let left = lay.runs(node).first().map_or(usize::MAX, |(c0, _)| *c0);
        (*g, left)
    });
    let band = |(grid_row, ni, node): (usize, usize, &Node)| {
        let Some(&(img0, li0)) = node.uses.first() else {
            return Vec::new();
        };
        let Some(si) = p.images.get(img0) else {
            return Vec::new();
        };
        let Some(image) = si.image() else {
            return Vec::new();
        };
        let Some(layer) = image.layers.get(li0) else {
            return Vec::new();
        };
        // The page's one size for a layer (`layer_size`), as the stack shows it.
        let size_bytes = size_of(img0, li0);
        // A layer not indexed yet (or never: its reading stopped) has no size to show.
        let size_text = if layer_size::unindexed(&si.archive, layer) {
            t(lang, if si.live { "pending" } else { "not-read" })
        } else {
            layer_size::text_of(lang, &si.archive, image, li0, size_bytes)
        };
        let kind = layer_kind(image, li0);
        let (kw, rest) = layer_label(image, li0);
        let users = Layout::images_of(node);
        let shared = users.len() > 1;
        let images_attr = users
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let is_sel = *selected == Some(ni);
        // The layer's number in each image using it, counted from the base as the stack
        // numbers its slabs (one number: a band's row is its depth in every image that shares
        // it, unless a config lies about its layers).
        let mut numbers: Vec<usize> = node.uses.iter().map(|(_, l)| l + 1).collect();
        numbers.sort_unstable();
        numbers.dedup();
        let number = numbers
            .iter()
            .map(|n| crate::figures::count(lang, *n))
            .collect::<Vec<_>>()
            .join(", ");
        lay.runs(node)
            .into_iter()
            .enumerate()
            .map(|(run_i, (c0, c1))| {
                let style = format!(
                    "grid-column:{}/{};grid-row:{};--h:{}px",
                    c0 + 1,
                    c1 + 2,
                    grid_row,
                    band_height(size_bytes)
                );
                let classes = classes!(
                    "dg-band",
                    kind_class(kind),
                    shared.then_some("shared"),
                    is_sel.then_some("selected"),
                    (run_i > 0).then_some("echo")
                );
                let hover = {
                    let selected = selected.clone();
                    let pinned = pinned.clone();
                    Callback::from(move |_: ()| {
                        if !*pinned {
                            selected.set(Some(ni));
                        }
                    })
                };
                // A press picks the band, or lets it go when it is the one picked (its
                // `aria-pressed` says which).
                let pick = {
                    let selected = selected.clone();
                    let pinned = pinned.clone();
                    Callback::from(move |_: ()| {
                        if *pinned && *selected == Some(ni) {
                            pinned.set(false);
                        } else {
                            selected.set(Some(ni));
                            pinned.set(true);
                        }
                    })
                };
                let onkeydown = {
                    let pick = pick.clone();
                    Callback::from(move |e: KeyboardEvent| {
                        if e.key() == "Enter" || e.key() == " " {
                            e.prevent_default();
                            pick.emit(());
                        }
                    })
                };
                let label = format!(
                    "{}: {} {} · {}",
                    tf(lang, "dg-layer-n", &[("n", &number)]),
                    if kw.is_empty() {
                        t(lang, "layer-generic")
                    } else {
                        kw.clone()
                    },
                    rest,
                    size_text
                );
                let aria = tf(
                    lang,
                    "dg-band-aria",
                    &[("text", &label), ("count", &crate::figures::count(lang, users.len()))],
                );
                let inner = html! {
                    <>
                        <span class="dg-first">
                            <span class="dg-index" data-testid="shared-layer-number" aria-hidden="true">{ number.clone() }</span>
                            <span class="chip">{ if kw.is_empty() { t(lang, "layer-generic") } else { kw.clone() } }</span>
                        </span>
                        <span class="dg-text mono ellipsis clamp2" title={rest.clone()}>{ rest.clone() }</span>
                        <span class="dg-meta">
                            { layer_size::span_of(lang, size_bytes, &size_text) }
                            { if shared { html! { <span class="dg-shared-tag">{ tf(lang, "dg-shared-by", &[("count", &crate::figures::count(lang, users.len()))]) }</span> } } else { html! {} } }
                        </span>
                    </>
                };
                if run_i == 0 {
                    html! {
                        <div key={format!("n{ni}")} class={classes} {style} data-testid="shared-layer"
                            data-chain-id={node.id.clone().unwrap_or_default()}
                            data-diff-id={layer_id(layer).unwrap_or_default()} data-images={images_attr.clone()}
                            tabindex="0" role="button" aria-label={aria} aria-pressed={(is_sel && *pinned).to_string()}
                            onmouseenter={hover.reform(|_: MouseEvent| ())} onfocus={Callback::from(move |_: FocusEvent| hover.emit(()))}
                            onclick={Callback::from(move |_| pick.emit(()))} {onkeydown}>
                            { inner }
                        </div>
                    }
                } else {
                    // The same layer again in a column that is not next to the others.
                    html! {
                        <div key={format!("n{ni}-{run_i}")} class={classes} {style} aria-hidden="true" data-echo-of={node.id.clone().unwrap_or_default()}
                            onmouseenter={hover.reform(|_: MouseEvent| ())} onclick={Callback::from(move |_| pick.emit(()))}>
                            { inner }
                        </div>
                    }
                }
            })
            .collect::<Vec<Html>>()
    };
    // Each run of rows left out: a row of the grid saying what it holds, in its place among
    // the bands (read there too), and, above the diagram, the same words with a button that
    // draws the rows at its upper end (as the stack's gaps: what a press draws comes below
    // the button, which stays where it is).
    let gap_row = |gap: &Gap| {
        let more_label = tf(
            lang,
            "stack-gap-more",
            &[("count", &crate::figures::count(lang, gap.more_layers))],
        );
        html! {
            <div key={format!("gap-{}", gap.rows.start)} class="stack-gap dg-gap" data-testid="shared-gap"
                data-layers={gap.layers.to_string()} style={format!("grid-column:1/-1;grid-row:{}", gap.grid_row)}>
                <span class="muted" data-testid="shared-gap-text">{ gap_text(lang, gap) }</span>
                <span class="muted small stack-gap-where">{ tf(lang, "dg-gap-where", &[("more", &more_label)]) }</span>
            </div>
        }
    };
    let mut drawn: Vec<Html> = Vec::new();
    let mut gaps = win.gaps.iter().peekable();
    for entry in order {
        while let Some(gap) = gaps.next_if(|gap| gap.grid_row < entry.0) {
            drawn.push(gap_row(gap));
        }
        drawn.extend(band(entry));
    }
    drawn.extend(gaps.map(gap_row));
    let more_rows = win.gaps.iter().map(|gap| {
        let revealed = revealed.clone();
        let more = gap.more.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            let mut ranges = match &**revealed {
                (k, ranges) if *k == key => ranges.clone(),
                _ => Vec::new(),
            };
            ranges.push(more.clone());
            revealed.set(Rc::new((key, ranges)));
        });
        html! {
            <p key={format!("more-{}", gap.rows.start)} class="stack-more-row" data-testid="shared-more-row"
                data-layers={gap.layers.to_string()}>
                <span class="muted">{ gap_text(lang, gap) }</span>
                <button type="button" class="button quiet" data-testid="shared-gap-more" {onclick}>
                    { tf(lang, "stack-gap-more", &[("count", &crate::figures::count(lang, gap.more_layers))]) }
                </button>
            </p>
        }
    });
    // A band picked (clicked, or Enter) keeps its details in sight: in a diagram taller than
    // the window they would be far below the band (the page tester picked one near the top
    // and saw nothing happen), so they stick to the window's bottom edge until closed.
    let picked = *pinned && selected.and_then(|ni| lay.nodes.get(ni)).is_some();
    // Closing hands the focus back to the band (the button goes with the panel).
    let close = {
        let selected = selected.clone();
        let pinned = pinned.clone();
        Callback::from(move |_: MouseEvent| {
            let band = picked_band().and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
            if let Some(band) = band {
                let _ = band.focus();
            }
            selected.set(None);
            pinned.set(false);
        })
    };
    // Escape on a band or in the details (anywhere in the diagram) lets the band go.
    let escape = {
        let pinned = pinned.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" && *pinned {
                e.prevent_default();
                pinned.set(false);
            }
        })
    };
    let details = selected
        .and_then(|ni| lay.nodes.get(ni))
        .map(|node| {
            let size = node.uses.first().map_or(0, |&(i, l)| size_of(i, l));
            node_details(lang, node, &p.images, size, picked.then_some(close))
        })
        .unwrap_or_else(|| html! { <p class="muted small dg-hint">{ t(lang, "dg-hint") }</p> });
    html! {
        <div class="dg-wrap" onkeydown={escape}>
            { if *overflows { html! {
                <p class="muted small dg-more" data-testid="shared-scroll-hint">
                    { tf(lang, "dg-scroll-hint", &[("count", &crate::figures::count(lang, n))]) }<span aria-hidden="true">{ " →" }</span>
                </p>
            } } else { html! {} } }
            { if win.gaps.is_empty() { html! {} } else { html! {
                <div class="stack-more" data-testid="shared-more">{ for more_rows }</div>
            } } }
            <div class="dg-scroll" ref={scroller}>
                <div class="diagram" data-testid="shared-diagram" role="group" aria-label={t(lang, "dg-label")}
                    style={format!("grid-template-columns:repeat({n}, minmax(min(9.5rem, calc(50% - var(--dg-gap) / 2)), 1fr))")}>
                    { for heads }
                    { for drawn }
                </div>
            </div>
            <p class="stack-caption muted small"><span aria-hidden="true">{ "↓ " }</span>{ t(lang, "stack-bottom") }</p>
            { layer_size::key(lang) }
            <div class={classes!("dg-details", picked.then_some("picked"))} aria-live="polite"
                data-testid="shared-details" ref={details_ref}>{ details }</div>
        </div>
    }
}

/// The band drawn as selected (its first run, the one with a `data-testid`).
fn picked_band() -> Option<web_sys::Element> {
    gloo::utils::document()
        .query_selector("[data-testid=shared-diagram] [data-testid=shared-layer].selected")
        .ok()
        .flatten()
}

/// Sets (or with `None` removes) one property of the page's root element's own style,
/// through `Reflect` (two calls: a typed binding would need one more `web-sys` feature,
/// which rebuilds every web dependency).
fn root_style(name: &str, value: Option<&str>) {
    let Some(root) = gloo::utils::document().document_element() else {
        return;
    };
    let Ok(style) = js_sys::Reflect::get(&root, &JsValue::from_str("style")) else {
        return;
    };
    let method = if value.is_some() {
        "setProperty"
    } else {
        "removeProperty"
    };
    let Ok(f) = js_sys::Reflect::get(&style, &JsValue::from_str(method))
        .and_then(|f| f.dyn_into::<js_sys::Function>())
    else {
        return;
    };
    let name = JsValue::from_str(name);
    let _ = match value {
        Some(v) => f.call2(&style, &name, &JsValue::from_str(v)),
        None => f.call1(&style, &name),
    };
}

/// A band's details; `close`, for a band picked: a button that lets it go.
fn node_details(
    lang: crate::i18n::Lang,
    node: &Node,
    images: &[SessionImage],
    size: u64,
    close: Option<Callback<MouseEvent>>,
) -> Html {
    let Some(&(img0, li0)) = node.uses.first() else {
        return html! {};
    };
    let Some(si) = images.get(img0) else {
        return html! {};
    };
    let Some(image) = si.image() else {
        return html! {};
    };
    let Some(layer) = image.layers.get(li0) else {
        return html! {};
    };
    let kind = layer_kind(image, li0);
    let (kw, rest) = layer_label(image, li0);
    let users = Layout::images_of(node);
    let digest = layer.digest.as_ref().map(|d| d.to_string());
    let diff_id = layer_id(layer);
    let chain_id = node.id.clone();
    html! {
        <div class={classes!("dg-detail", kind_class(kind))} data-testid="shared-layer-details">
            <header>
                <span class="chip">{ if kw.is_empty() { t(lang, "layer-generic") } else { kw } }</span>
                <span class="mono ellipsis">{ rest }</span>
                { match close {
                    Some(onclick) => html! {
                        <button type="button" class="button quiet dg-close" data-testid="shared-details-close"
                            aria-label={t(lang, "dg-details-close")} title={t(lang, "dg-details-close")} {onclick}>
                            <span aria-hidden="true">{ "×" }</span>
                        </button>
                    },
                    None => html! {},
                } }
            </header>
            <dl class="facts">
                <dt>{ t(lang, "dg-used-by") }</dt>
                <dd>
                    <ul class="dg-users">
                        { for users.iter().map(|i| {
                            let name = images.get(*i).map(|s| s.tag()).unwrap_or_default();
                            let at = node.uses.iter().filter(|(im, _)| im == i).map(|(_, l)| crate::figures::count(lang, l + 1)).collect::<Vec<_>>().join(", ");
                            html! { <li><span class="dg-num">{ format!("#{}", i + 1) }</span>{ " " }<span class="mono">{ name }</span>{ " · " }{ tf(lang, "dg-at-layer", &[("n", &at)]) }</li> }
                        }) }
                    </ul>
                </dd>
                { if layer_size::unindexed(&si.archive, layer) {
                    layer_size::unread_rows(lang, layer, false)
                } else {
                    layer_size::detail_rows(lang, &si.archive, image, li0, size)
                } }
                { if users.len() > 1 { html! { <dd class="muted small">{ t(lang, "dg-stored-once") }</dd> } } else { html! {} } }
                // The diagram shows archives of the session, each settled: a digest it lacks
                // will not come.
                { super::digest_row(lang, t(lang, "digest"), digest, false, None) }
                { super::digest_row(lang, t(lang, "diff-id"), diff_id, false, None) }
                <dt title={t(lang, "dg-chain-id-hint")}>{ t(lang, "dg-chain-id") }</dt>
                <dd class="digest-line" data-testid="shared-layer-chain-id">{ match chain_id {
                    Some(d) => html! { <><code class="mono wrap">{ d.clone() }</code><CopyButton text={AttrValue::from(d)} /></> },
                    None => html! { <span class="muted">{ t(lang, "not-computed") }</span> },
                } }</dd>
            </dl>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(ids: &[&str]) -> Vec<Option<String>> {
        ids.iter().map(|s| Some(s.to_string())).collect()
    }

    #[test]
    fn shared_prefix_is_one_node_per_layer() {
        let l = layout(&[chain(&["base", "mid", "a"]), chain(&["base", "mid", "b"])]);
        assert_eq!(l.nodes.len(), 4);
        assert_eq!(l.rows, 3);
        let base = l.nodes.first().map(|n| (n.row, Layout::images_of(n)));
        assert_eq!(base, Some((0, vec![0, 1])));
        let tops: Vec<(usize, Vec<usize>)> = l
            .nodes
            .iter()
            .skip(2)
            .map(|n| (n.row, Layout::images_of(n)))
            .collect();
        assert_eq!(tops, vec![(2, vec![0]), (2, vec![1])]);
    }

    #[test]
    fn columns_group_images_that_share() {
        // 0 and 2 share base+mid, 1 only has another base: 0 and 2 must be neighbours.
        let l = layout(&[
            chain(&["base", "mid", "a"]),
            chain(&["other"]),
            chain(&["base", "mid", "c"]),
        ]);
        let c0 = l.column_of(0).unwrap_or(99);
        let c2 = l.column_of(2).unwrap_or(99);
        assert_eq!(c0.abs_diff(c2), 1);
        for n in &l.nodes {
            assert_eq!(l.runs(n).len(), 1, "every band is contiguous");
        }
    }

    #[test]
    fn rows_follow_every_chain() {
        // "x" sits on a longer chain in image 1: its row is above "y" there.
        let l = layout(&[chain(&["base", "x"]), chain(&["base", "y", "x"])]);
        let row = |id: &str| {
            l.nodes
                .iter()
                .find(|n| n.id.as_deref() == Some(id))
                .map(|n| n.row)
        };
        assert_eq!(row("base"), Some(0));
        assert_eq!(row("y"), Some(1));
        assert_eq!(row("x"), Some(2));
        // A repeated layer inside one image is drawn twice, unknown ids never merge.
        let l = layout(&[vec![Some("e".into()), Some("e".into()), None], vec![None]]);
        assert_eq!(l.nodes.len(), 4);
        // A contradictory order still ends.
        let l = layout(&[chain(&["p", "q"]), chain(&["q", "p"])]);
        assert_eq!(l.nodes.len(), 2);
    }

    fn ids(prefix: &str, n: usize) -> Vec<Option<String>> {
        (0..n).map(|i| Some(format!("{prefix}{i}"))).collect()
    }

    #[test]
    fn a_normal_diagram_draws_every_row_where_it_did() {
        let l = layout(&[chain(&["base", "mid", "a"]), chain(&["base", "mid", "b"])]);
        let w = row_window(&l, None, &[]);
        assert!(w.gaps.is_empty());
        // Grid row 1 is the heads; the top row (2) is grid row 2, the base grid row 4.
        for node in &l.nodes {
            assert_eq!(w.grid_row.get(node.row), Some(&(1 + l.rows - node.row)));
        }
        let l = layout(&[ids("x", window::DRAW_ALL), ids("y", 3)]);
        let w = row_window(&l, Some(5), &[]);
        assert!(w.gaps.is_empty());
        assert!(w.grid_row.iter().all(|g| *g > 0));
    }

    #[test]
    fn a_tall_diagram_draws_its_ends_and_says_what_it_leaves_out() {
        // A small image beside one of 20,002 layers (hostile case 15), sharing nothing.
        let n = 20_002;
        let l = layout(&[ids("s", 3), ids("h", n)]);
        assert_eq!(l.rows, n);
        let w = row_window(&l, None, &[]);
        let drawn = w.grid_row.iter().filter(|g| **g > 0).count();
        assert_eq!(drawn, 2 * window::EDGE);
        let gap = w.gaps.first().cloned();
        assert_eq!(w.gaps.len(), 1);
        let gap = gap.unwrap_or_else(|| unreachable!());
        assert_eq!(gap.rows, window::EDGE..n - window::EDGE);
        assert_eq!(gap.layers, n - 2 * window::EDGE);
        // Image #2's layers 41 to 19,962 (indexes 40 to 19,961); image #1 is drawn whole.
        assert_eq!(gap.images, vec![(1, n - 80, 40, n - 41)]);
        assert_eq!(gap.more, n - window::EDGE - window::MORE..n - window::EDGE);
        assert_eq!(gap.more_layers, window::MORE);
        // Top first: heads, the top 40 rows, the gap, the bottom 40 rows.
        assert_eq!(w.grid_row.get(n - 1), Some(&2));
        assert_eq!(w.grid_row.get(n - window::EDGE), Some(&(window::EDGE + 1)));
        assert_eq!(gap.grid_row, window::EDGE + 2);
        assert_eq!(w.grid_row.get(window::EDGE - 1), Some(&(window::EDGE + 3)));
        assert_eq!(w.grid_row.first(), Some(&(2 * window::EDGE + 2)));
        let lang = crate::i18n::Lang::En;
        assert_eq!(
            gap_text(lang, &gap),
            "19,922 layers not drawn here (#2: layers 41 to 19,962)"
        );
        // "Show more" draws the 200 rows below the top ones; the gap's words follow.
        let w = row_window(&l, None, std::slice::from_ref(&gap.more));
        assert_eq!(
            w.grid_row.iter().filter(|g| **g > 0).count(),
            2 * window::EDGE + window::MORE
        );
        let gap = w.gaps.first().cloned().unwrap_or_else(|| unreachable!());
        assert_eq!(gap.layers, n - 2 * window::EDGE - window::MORE);
        assert_eq!(
            gap_text(lang, &gap),
            "19,722 layers not drawn here (#2: layers 41 to 19,762)"
        );
        // A shared layer left out counts once, and each image using it says where.
        let mut a = ids("h", 400);
        a.push(Some("top-a".into()));
        let l = layout(&[a, ids("h", 400)]);
        let w = row_window(&l, None, &[]);
        let gap = w.gaps.first().cloned().unwrap_or_else(|| unreachable!());
        assert_eq!(gap.layers, 401 - 80);
        assert_eq!(
            gap_text(lang, &gap),
            "321 layers not drawn here (#1: layers 41 to 361; #2: layers 41 to 361)"
        );
        let one = Gap {
            layers: 1,
            images: vec![(0, 1, 40, 40)],
            ..gap
        };
        assert_eq!(
            gap_text(lang, &one),
            "1 layer not drawn here (#1: layer 41)"
        );
    }

    #[test]
    fn the_window_follows_the_picked_band_not_the_hovered_one() {
        let n = 20_002;
        let l = layout(&[ids("s", 3), ids("h", n)]);
        let node_at = |row: usize| {
            l.nodes
                .iter()
                .position(|node| node.row == row && node.uses.iter().any(|u| u.0 == 1))
        };
        let rest = row_window(&l, None, &[]);
        // Hovering or focusing (selected, not pinned) a band of the top rows, of the bottom
        // ones, or (a band drawn before) one deep in the gap: the same rows, the same gap.
        for row in [n - 1, n - window::EDGE, window::EDGE - 1, 0, 10_000] {
            let ni = node_at(row);
            assert!(ni.is_some(), "row {row}");
            assert_eq!(pinned_row(&l, ni, false), None);
            let w = row_window(&l, pinned_row(&l, ni, false), &[]);
            assert_eq!(w, rest, "hovering row {row}");
        }
        // Picked: its row and its neighbours are drawn, and the gap's numbers say so.
        let ni = node_at(10_000);
        assert_eq!(pinned_row(&l, ni, true), Some(10_000));
        let w = row_window(&l, pinned_row(&l, ni, true), &[]);
        assert!(w.grid_row.get(10_000).is_some_and(|g| *g > 0));
        assert_eq!(
            w.grid_row.iter().filter(|g| **g > 0).count(),
            2 * window::EDGE + 2 * window::AROUND + 1
        );
        assert_eq!(w.gaps.len(), 2);
        // Nothing picked, or a node that is not there: no row.
        assert_eq!(pinned_row(&l, None, true), None);
        assert_eq!(pinned_row(&l, Some(usize::MAX), true), None);
    }
}
