//! The stack, "like a pancake": base at the bottom, one slab per layer, metadata-only
//! steps as thin ticks between them, and the details of the selected layer beside it.

use crate::figures::human_size;
use pancake_core::analyze::history::InstructionKind;
use pancake_core::{analyze::union, Archive, Image};
use yew::prelude::*;

use super::stack_window as window;
use super::{
    kind_class, layer_kind, layer_label, shown, shown_verdict, split_instruction, use_lang,
    verdict, Badge, CopyButton, Verdict,
};
use crate::i18n::{t, tf, Lang};
use crate::state::{ArchiveRef, StructureKey};
use pancake_core::analyze::summary::ImageSummary;
use std::rc::Rc;

#[derive(Properties, PartialEq)]
pub struct StackProps {
    pub archive: ArchiveRef,
    pub image: usize,
    pub selected: Option<usize>,
    pub on_select: Callback<Option<usize>>,
    pub on_browse: Callback<usize>,
    /// The image's figures from the scanner worker while (and after) its layer indexes cross
    /// to the page: sizes, entry counts, changes and wasted bytes come from here instead of
    /// being folded on the page's thread. `None`: computed here from the entries.
    #[prop_or_default]
    pub summary: Option<Rc<ImageSummary>>,
    /// The worker's figures are on their way (a large index): sizes, changes and wasted bytes
    /// say "pending" meanwhile instead of being folded here from entries not all here yet.
    #[prop_or_default]
    pub summary_coming: bool,
    /// Digests of this archive are still being computed (its reading is scanning or
    /// hashing). Without it a layer still waiting for its digest is "not checked": checking
    /// was cancelled, or stopped when another file was opened.
    #[prop_or_default]
    pub hashing: bool,
}

/// What the stack draws, bottom first (the list itself is top first: see `stack`).
enum Item {
    Layer(usize),
    /// A history step that made no layer.
    Tick(usize),
}

/// Layers in order, each preceded by the steps recorded before it that made no layer: those
/// marked `empty_layer`, and those the pairing attached to no layer (a podman config leaves a
/// `CMD` unmarked), so every step of the history is drawn somewhere.
fn items(image: &Image) -> Vec<Item> {
    let paired: std::collections::HashSet<usize> =
        image.layers.iter().filter_map(|l| l.history).collect();
    let tick = |j: usize| image.history.get(j).is_some() && !paired.contains(&j);
    let mut out = Vec::new();
    let mut next_history = 0;
    for (i, l) in image.layers.iter().enumerate() {
        if let Some(h) = l.history {
            out.extend((next_history..h).filter(|j| tick(*j)).map(Item::Tick));
            next_history = next_history.max(h + 1);
        }
        out.push(Item::Layer(i));
    }
    out.extend(
        (next_history..image.history.len())
            .filter(|j| tick(*j))
            .map(Item::Tick),
    );
    out
}

/// Height grows with log(size), with a floor so a 5-byte layer is still easy to click.
fn slab_height(size: u64) -> u32 {
    let h = 18.0 + 11.0 * ((size as f64) + 1.0).log10();
    h.clamp(40.0, 140.0) as u32
}

#[function_component(Stack)]
pub fn stack(p: &StackProps) -> Html {
    let lang = use_lang();
    let sizes = super::layer_size::use_bytes_of(
        &p.archive,
        p.image,
        p.summary.as_deref(),
        p.summary_coming,
    );
    let revealed = use_state(|| Rc::new(((usize::MAX, 0), Vec::new())));
    let a = &p.archive;
    let Some(image) = a.images.get(p.image) else {
        return html! { <p class="empty">{ t(lang, "no-image") }</p> };
    };
    let n = image.layers.len();
    let items = items(image);
    let selected_item = p.selected.and_then(|s| {
        items
            .iter()
            .position(|it| matches!(it, Item::Layer(i) if *i == s))
    });
    // What the reader asked to see of a long stack, for this image and this many items only.
    let key = (p.image, items.len());
    let shown_more: &[std::ops::Range<usize>] = match &**revealed {
        (k, ranges) if *k == key => ranges,
        _ => &[],
    };
    let draw = |item: &Item| match *item {
        Item::Tick(h) => {
            let created_by = image
                .history
                .get(h)
                .and_then(|e| e.created_by.as_deref())
                .unwrap_or("");
            let (kw, rest) = split_instruction(created_by);
            // Not marked as making no layer, yet paired with none (History says ≠ on it).
            let unpaired = !image.history.get(h).is_some_and(|e| e.empty_layer);
            html! {
                // An entry of the list that cannot be chosen (it made no layer): a disabled
                // option, still read in its place among the layers.
                <li key={format!("step-{h}")} class="tick kind-meta" data-testid="metadata-step" data-history={h.to_string()}
                    role="option" aria-disabled="true"
                    data-unpaired={unpaired.then_some("true")}>
                    <span class="chip">{ if kw.is_empty() { "—".to_string() } else { kw } }</span>
                    <span class="mono ellipsis" title={shown(created_by)}>{ rest }</span>
                    { if unpaired {
                        html! { <span class="pair-differs" title={t(lang, "history-pair-differs-row")} aria-label={t(lang, "history-pair-differs-row")}>{ "≠" }</span> }
                    } else { html! {} } }
                    <span class="size">{ human_size(lang, 0) }</span>
                </li>
            }
        }
        Item::Layer(i) => layer_slab(lang, a, image, i, n, p, sizes.get(i).copied().flatten()),
    };
    // One flat list, every row keyed (a layer, a step, a gap by where it starts): when a run
    // grows, the rows after it keep their elements (and the keyboard's focus) instead of
    // being patched into other layers' rows.
    let mut rendered: Vec<Html> = Vec::new();
    // Each gap's "show more", drawn outside the listbox (which may own options only).
    let mut more_rows: Vec<Html> = Vec::new();
    for run in window::runs(items.len(), selected_item, shown_more) {
        match run {
            window::Run::Drawn(r) => {
                rendered.extend(items.get(r).unwrap_or(&[]).iter().map(draw));
            }
            window::Run::Gap(r) => {
                let revealed = revealed.clone();
                let more = window::more_of(&r);
                let on_more = Callback::from(move |_| {
                    let mut ranges = match &**revealed {
                        (k, ranges) if *k == key => ranges.clone(),
                        _ => Vec::new(),
                    };
                    ranges.push(more.clone());
                    revealed.set(Rc::new((key, ranges)));
                });
                let (row, more_row) = gap_row(lang, r.start, items.get(r).unwrap_or(&[]), on_more);
                rendered.push(row);
                more_rows.push(more_row);
            }
        }
    }
    // Drawn top first, as the page shows it (newest layer on top, as Docker draws an image):
    // the list's own order is what Tab walks and a screen reader reads, so it must be the
    // order seen. (Drawing base first and flipping it with CSS made Tab climb from the base
    // while the eye reads down from the top: WCAG 2.4.3.)
    rendered.reverse();
    more_rows.reverse();
    html! {
        <div class="stack-view">
            <div class="stack-col">
                // A long stack's "show more" buttons, one a gap (top first, as the gaps are
                // drawn): above the list, so that what a press draws comes below them and
                // they stay where they are.
                { if more_rows.is_empty() { html! {} } else { html! {
                    <div class="stack-more" data-testid="stack-more">{ for more_rows }</div>
                } } }
                <p class="stack-caption muted small">
                    <span aria-hidden="true">{ "↑ " }</span>{ t(lang, "stack-top") }
                </p>
                // A list to choose a layer from (Enter or a click shows its details, ↑/↓ move
                // the choice): a listbox of options, each saying whether it is the one chosen.
                // Every slab stays a Tab stop, as before (Tab walks the stack as drawn).
                <ol class="stack" role="listbox" aria-label={t(lang, "stack-label")}>
                    { for rendered }
                </ol>
                <p class="stack-caption muted small">
                    <span aria-hidden="true">{ "↓ " }</span>{ t(lang, "stack-bottom") }
                </p>
                { super::layer_size::key(lang) }
            </div>
            <div class="details-col">
                { match p.selected.filter(|i| *i < n) {
                    Some(i) => html! { <LayerDetails archive={p.archive.clone()} image={p.image} layer={i} on_browse={p.on_browse.clone()} summary={p.summary.clone()} summary_coming={p.summary_coming} hashing={p.hashing} /> },
                    None => html! { <p class="details-hint muted">{ t(lang, "stack-hint") }</p> },
                } }
            </div>
        </div>
    }
}

/// The row standing for a run of items a long stack leaves out: which layers (numbered as their
/// slabs are) and how many steps without a layer it holds; and, drawn outside the listbox
/// (a listbox may own only options and groups), the same words with a button drawing the
/// [`window::MORE`] items at its upper end.
fn gap_row(
    lang: Lang,
    start: usize,
    items: &[Item],
    on_more: Callback<MouseEvent>,
) -> (Html, Html) {
    let layers: Vec<usize> = items
        .iter()
        .filter_map(|it| match it {
            Item::Layer(i) => Some(*i),
            Item::Tick(_) => None,
        })
        .collect();
    let steps = items.len() - layers.len();
    let mut text = Vec::new();
    if let (Some(first), Some(last)) = (layers.first(), layers.last()) {
        text.push(tf(
            lang,
            "stack-gap-layers",
            &[
                ("count", &crate::figures::count(lang, layers.len())),
                ("from", &crate::figures::count(lang, first + 1)),
                ("to", &crate::figures::count(lang, last + 1)),
            ],
        ));
    }
    if steps > 0 {
        text.push(tf(
            lang,
            "stack-gap-steps",
            &[("count", &crate::figures::count(lang, steps))],
        ));
    }
    let text = text.join("; ");
    let more = items.len().min(window::MORE);
    let more_label = tf(
        lang,
        "stack-gap-more",
        &[("count", &crate::figures::count(lang, more))],
    );
    let row = html! {
        // An entry of the list that cannot be chosen, as a step without a layer is: read in
        // its place among the layers, and saying where its button is.
        <li key={format!("gap-{start}")} class="stack-gap" data-testid="stack-gap" data-items={items.len().to_string()}
            role="option" aria-disabled="true">
            <span class="muted" data-testid="stack-gap-text">{ text.clone() }</span>
            <span class="muted small stack-gap-where">{ tf(lang, "stack-gap-where", &[("more", &more_label)]) }</span>
        </li>
    };
    let more_row = html! {
        <p key={format!("more-{start}")} class="stack-more-row" data-testid="stack-more-row" data-items={items.len().to_string()}>
            <span class="muted">{ text }</span>
            <button type="button" class="button quiet" data-testid="stack-gap-more" onclick={on_more}>
                { more_label }
            </button>
        </p>
    };
    (row, more_row)
}

/// Layer `i`'s blob is in the file but was never read (checking stopped before its turn, and
/// the header walk did not index it): its files, sizes and changes are unknown, not zero.
fn not_read(a: &Archive, image: &Image, i: usize, hashing: bool) -> bool {
    !hashing && unindexed_at(a, image, i)
}

/// Layer `i`'s blob is still being read (walked, or inflated by a hasher) while the file is
/// read: its files and sizes are not known yet, whatever the other layers show.
fn being_read(a: &Archive, image: &Image, i: usize, hashing: bool) -> bool {
    hashing && unindexed_at(a, image, i)
}

/// Layer `i`'s blob is in the file and has no index (yet).
fn unindexed_at(a: &Archive, image: &Image, i: usize) -> bool {
    image
        .layers
        .get(i)
        .is_some_and(|l| super::layer_size::unindexed(a, l))
}

/// Some layer of `image` from the base up to layer `upto` is still being read (see
/// [`being_read`]): what layer `upto` changes depends on every one of them.
fn below_being_read(a: &Archive, image: &Image, upto: usize, hashing: bool) -> bool {
    (0..=upto).any(|j| being_read(a, image, j, hashing))
}

/// One layer's slab; `size` is its headline size (`layer_size::bytes`), `None` while the
/// worker's figures are on their way.
fn layer_slab(
    lang: Lang,
    a: &Archive,
    image: &Image,
    i: usize,
    n: usize,
    p: &StackProps,
    size: Option<u64>,
) -> Html {
    let Some(layer) = image.layers.get(i) else {
        // (Not reached: the items come from these layers.) Keyed as its siblings are.
        return html! { <li key={format!("layer-{i}")} hidden=true></li> };
    };
    let kind = layer_kind(image, i);
    let (kw, rest) = layer_label(image, i);
    let v = shown_verdict(a, image, i, p.hashing);
    // The one headline size of the page (`layer_size`): slab height and label agree with
    // every other view.
    let size_text = match size {
        _ if not_read(a, image, i, p.hashing) => t(lang, "not-read"),
        Some(n) if !being_read(a, image, i, p.hashing) => {
            super::layer_size::text_of(lang, a, image, i, n)
        }
        _ => t(lang, "pending"),
    };
    // Until its size is known (files still being read after an outline, or the figures
    // still coming from the worker), the slab is as tall as the blob's stored size, which an
    // uncompressed layer's files nearly fill, rather than the floor: on a phone every slab
    // grew by half its height while the page was being looked at.
    let height_of = match size {
        Some(n) if !being_read(a, image, i, p.hashing) => n,
        _ => layer
            .member
            .and_then(|m| a.members.get(m))
            .map_or(0, |m| m.size),
    };
    let size = size.unwrap_or(0);
    let selected = p.selected == Some(i);
    let digest = layer
        .digest
        .as_ref()
        .map(|d| d.to_string())
        .unwrap_or_default();
    let diff_id = layer
        .diff_id
        .as_ref()
        .map(|d| d.to_string())
        .unwrap_or_default();
    let short = layer
        .digest
        .as_ref()
        .or(layer.diff_id.as_ref())
        .or(layer.config_diff_id.as_ref())
        .map(|d| d.short().to_string())
        .unwrap_or_else(|| "…".into());
    let select = {
        let cb = p.on_select.clone();
        Callback::from(move |_| cb.emit(Some(i)))
    };
    let onkeydown = {
        let cb = p.on_select.clone();
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "Enter" | " " => {
                e.prevent_default();
                cb.emit(Some(i));
            }
            // Up the stack = a higher layer.
            "ArrowUp" if i + 1 < n => {
                e.prevent_default();
                cb.emit(Some(i + 1));
                focus_layer(i + 1);
            }
            "ArrowDown" if i > 0 => {
                e.prevent_default();
                cb.emit(Some(i - 1));
                focus_layer(i - 1);
            }
            // Home: the first item of the list as shown (the top layer); End: the base.
            "Home" | "End" => {
                e.prevent_default();
                let to = if e.key() == "Home" { n - 1 } else { 0 };
                cb.emit(Some(to));
                focus_layer(to);
            }
            _ => {}
        })
    };
    let keyword = if kw.is_empty() {
        t(lang, "layer-generic")
    } else {
        kw
    };
    let title = format!("{keyword} {rest}");
    html! {
        <li key={format!("layer-{i}")} class={classes!("slab", kind_class(kind), selected.then_some("selected"), format!("v-{}", v.id()))}
            style={format!("--h:{}px", slab_height(height_of))}
            data-testid="layer" data-index={i.to_string()} data-digest={digest} data-diff-id={diff_id}
            data-verified={(v == Verdict::Verified).to_string()} data-state={v.id()} data-size={layer.size.to_string()}
            data-hashed-with={super::hash_path::of(a, layer).map(super::hash_path::id)}
            id={format!("layer-{i}")} tabindex="0" role="option"
            aria-selected={selected.to_string()}
            aria-label={tf(lang, "layer-aria", &[("n", &crate::figures::count(lang, i + 1)), ("text", &title), ("size", &size_text), ("state", &t(lang, super::verdict_words(v).1))])}
            onclick={select} {onkeydown}>
            <span class="slab-index" aria-hidden="true">{ crate::figures::count(lang, i + 1) }</span>
            <span class="chip">{ keyword }</span>
            { if kind == InstructionKind::Base { html! { <span class="base-tag">{ t(lang, "base") }</span> } } else { html! {} } }
            <span class="slab-text mono ellipsis clamp2" title={title}>{ rest }</span>
            <span class="slab-meta">
                { super::layer_size::span_of(lang, size, &size_text) }
                <span class="mono digest-short">{ short }</span>
                <Badge verdict={v} />
            </span>
        </li>
    }
}

/// Moves the keyboard focus to layer `i`'s slab. In a long stack the slab may not be drawn
/// until the selection it follows has rendered (`stack_window`), which on a busy machine can
/// come after the next task: tried again every frame or so, for at most a second, until it is.
fn focus_layer(i: usize) {
    fn again(i: usize, tries: u32) {
        if try_focus_layer(i) || tries == 0 {
            return;
        }
        gloo::timers::callback::Timeout::new(16, move || again(i, tries - 1)).forget();
    }
    if !try_focus_layer(i) {
        gloo::timers::callback::Timeout::new(0, move || again(i, 60)).forget();
    }
}

fn try_focus_layer(i: usize) -> bool {
    let el = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(&format!("layer-{i}")));
    use wasm_bindgen::JsCast;
    match el.and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok()) {
        Some(h) => h.focus().is_ok(),
        None => false,
    }
}

#[derive(Properties, PartialEq)]
pub struct DetailsProps {
    pub archive: ArchiveRef,
    pub image: usize,
    pub layer: usize,
    pub on_browse: Callback<usize>,
    /// As [`StackProps::summary`].
    #[prop_or_default]
    pub summary: Option<Rc<ImageSummary>>,
    /// As [`StackProps::summary_coming`].
    #[prop_or_default]
    pub summary_coming: bool,
    /// As [`StackProps::hashing`].
    #[prop_or_default]
    pub hashing: bool,
}

#[function_component(LayerDetails)]
pub fn layer_details(p: &DetailsProps) -> Html {
    let lang = use_lang();
    // From the worker's summary when there is one (nothing folded here), else folded once
    // per file structure, not on every hashing update.
    let summary = p.summary.clone();
    // What layer `p.layer` changes needs every layer below it read; what it wastes, every
    // layer of the image. Until then those figures are pending (and nothing is folded).
    let (changes_coming, wasted_coming) = p
        .archive
        .images
        .get(p.image)
        .map(|image| {
            (
                below_being_read(&p.archive, image, p.layer, p.hashing),
                below_being_read(
                    &p.archive,
                    image,
                    image.layers.len().saturating_sub(1),
                    p.hashing,
                ),
            )
        })
        .unwrap_or_default();
    // The scanner's figures on their way are about the layers whose index is new; the
    // others keep what was measured of them before (`layer_size::Coming`). Nothing is
    // measured while they come: a large index must not be folded here then.
    let settled = super::layer_size::use_settled(&p.archive, p.summary_coming);
    let waiting =
        super::layer_size::Coming::new(p.summary_coming, &p.archive, settled.as_deref(), p.image);
    let coming = waiting.layer(p.layer);
    let changes_coming = p.summary_coming || changes_coming;
    let wasted_coming = p.summary_coming || wasted_coming;
    // What the figures come from: the summary, nothing yet (coming), or the entries.
    let has_summary = (summary.is_some(), changes_coming, wasted_coming);
    let changes = use_memo(
        (
            StructureKey(p.archive.clone()),
            p.image,
            p.layer,
            has_summary,
        ),
        move |(a, img, l, _)| match summary.as_ref().and_then(|s| s.layers.get(*l)) {
            _ if changes_coming => None,
            Some(s) => Some(union::LayerChanges {
                rows: Vec::new(),
                added: s.changes.added,
                modified: s.changes.modified,
                deleted: s.changes.deleted,
                added_bytes: s.changes.added_bytes,
                modified_bytes: s.changes.modified_bytes,
                deleted_bytes: s.changes.deleted_bytes,
            }),
            None => a
                .images
                .get(*img)
                .map(|image| union::layer_changes(a, image, *l)),
        },
    );
    let summary = p.summary.clone();
    let wasted = use_memo(
        (StructureKey(p.archive.clone()), p.image, has_summary),
        move |(a, img, _)| match summary.as_ref() {
            _ if wasted_coming => Vec::new(),
            Some(s) => s.layers.iter().map(|l| l.wasted).collect(),
            None => a
                .images
                .get(*img)
                .map(|image| union::wasted(a, image))
                .unwrap_or_default(),
        },
    );
    // The figures last measured while none were coming (of this image, this layer's changes),
    // shown while the layers they depend on keep their indexes.
    type Measured = (usize, usize, Rc<Option<union::LayerChanges>>, Rc<Vec<u64>>);
    let kept = use_mut_ref(|| None::<Measured>);
    if !p.summary_coming {
        *kept.borrow_mut() = Some((p.image, p.layer, changes.clone(), wasted.clone()));
    }
    let (changes, wasted) = match &*kept.borrow() {
        Some((im, l, c, w)) if p.summary_coming && *im == p.image => (
            if *l == p.layer && !waiting.up_to(p.layer) {
                c.clone()
            } else {
                changes
            },
            if waiting.all() { wasted } else { w.clone() },
        ),
        _ => (changes, wasted),
    };
    let sizes = super::layer_size::use_bytes_of(
        &p.archive,
        p.image,
        p.summary.as_deref(),
        p.summary_coming,
    );
    let panel = use_node_ref();
    {
        // On a narrow screen the details sit below the stack: bring them into view when the
        // chosen layer changes (not on first show, which would jump past the stack).
        let panel = panel.clone();
        let first = use_mut_ref(|| true);
        use_effect_with(p.layer, move |_| {
            let was_first = std::mem::replace(&mut *first.borrow_mut(), false);
            let narrow = web_sys::window()
                .and_then(|w| w.inner_width().ok())
                .and_then(|v| v.as_f64())
                .is_some_and(|w| w < 900.0);
            if narrow && !was_first {
                if let Some(el) = panel.cast::<web_sys::Element>() {
                    el.scroll_into_view_with_bool(true);
                }
            }
        });
    }
    let a = &p.archive;
    let Some(image) = a.images.get(p.image) else {
        return html! {};
    };
    let Some(layer) = image.layers.get(p.layer) else {
        return html! {};
    };
    let i = p.layer;
    let kind = layer_kind(image, i);
    let (kw, _) = layer_label(image, i);
    let h = layer.history.and_then(|h| image.history.get(h));
    let v = shown_verdict(a, image, i, p.hashing);
    // Not checked because checking stopped before this layer's turn (not a missing blob).
    let stopped = v == Verdict::Unchecked && verdict(a, image, i) == Verdict::Pending;
    // Its files were never read either: its figures are unknown, not zero.
    // A blob not in the tarball (missing, non-distributable) is never read: its files, entries
    // and changes are unknown, not zero.
    let absent = layer.member.is_none();
    let unread = absent || not_read(a, image, i, p.hashing);
    let not_read_key = if absent { "not-in-tarball" } else { "not-read" };
    let not_read_dd =
        || html! { <dd class="muted" data-testid="not-read">{ t(lang, not_read_key) }</dd> };
    let counted = p
        .summary
        .as_ref()
        .and_then(|s| s.layers.get(i))
        .map(|s| s.entries);
    let entries = if coming {
        None
    } else {
        counted.unwrap_or_else(|| {
            layer
                .member
                .and_then(|m| a.members.get(m))
                .and_then(|m| m.facts.layer.as_ref())
                .map(|ix| ix.entries.len())
        })
    };
    // A digest not here yet is "pending" only while it is being computed.
    let pending = v == Verdict::Pending;
    let digest_row = |label: String, d: Option<String>, id: &'static str| {
        super::digest_row(lang, label, d, pending, Some(id))
    };
    let browse = {
        let cb = p.on_browse.clone();
        Callback::from(move |_| cb.emit(i))
    };
    // Not a live region: stepping through the slabs would read all of this (two digests, the
    // command…) for every layer. The focused slab's name says the layer and its verdict; a
    // mismatch is an alert of its own.
    html! {
        <aside ref={panel} class={classes!("details", kind_class(kind))} data-testid="layer-details" data-index={i.to_string()}>
            <header>
                <span class="chip">{ if kw.is_empty() { t(lang, "layer-generic") } else { kw } }</span>
                <h2>{ tf(lang, "layer-n-of", &[("n", &crate::figures::count(lang, i + 1)), ("total", &crate::figures::count(lang, image.layers.len()))]) }</h2>
                <Badge verdict={v} />
            </header>
            { match v {
                Verdict::Mismatch => html! {
                    <div class="mismatch" role="alert" data-testid="mismatch">
                        <p><strong>{ "✗ " }{ t(lang, "mismatch-title") }</strong></p>
                        { mismatch_items(lang, &layer.mismatches) }
                    </div>
                },
                Verdict::Verified => html! { <p class="ok">{ "✓ " }{ t(lang, "verified-explain") }</p> },
                Verdict::Pending => html! { <p class="muted">{ t(lang, "pending-explain") }</p> },
                Verdict::NotCheckable => html! {
                    <p class="muted" data-testid="not-checkable">
                        { "○ " }{ t(lang, "not-checkable-explain") }
                        { for layer.verification_reason.iter().map(|r| html! { <><br /><span class="wrap">{ shown(r) }</span></> }) }
                    </p>
                },
                Verdict::NonDistributable => html! {
                    <div class="non-distributable" data-testid="non-distributable">
                        <p>{ "○ " }{ tf(lang, "nondist-explain", &[("size", &human_size(lang, layer.stored_size))]) }</p>
                        { if layer.urls.is_empty() {
                            html! { <p class="muted">{ t(lang, "nondist-no-urls") }</p> }
                        } else { html! {
                            <>
                                <p>{ t(lang, "nondist-urls") }</p>
                                // URLs from the file are shown as text to copy, never as links: the
                                // archive is not trusted to choose where the reader goes.
                                <ul class="plain nondist-urls">
                                    { for layer.urls.iter().map(|u| html! {
                                        <li class="digest-line" data-testid="nondist-url"><code class="mono wrap">{ shown(u) }</code><CopyButton text={AttrValue::from(u.clone())} /></li>
                                    }) }
                                </ul>
                            </>
                        } } }
                    </div>
                },
                Verdict::Missing | Verdict::Unreadable => html! {
                    <div class="mismatch" role="alert" data-testid={v.id()}>
                        <p><strong>{ "✗ " }{ t(lang, if v == Verdict::Missing { "missing-explain" } else { "unreadable-explain" }) }</strong></p>
                        { for layer.verification_reason.iter().map(|r| html! { <p class="wrap" data-testid="reason">{ shown(r) }</p> }) }
                        // Its digest may differ as well (a damaged blob): both are said.
                        { mismatch_items(lang, &layer.mismatches) }
                    </div>
                },
                Verdict::Unchecked => html! {
                    <p class="muted" data-testid="unchecked">{ t(lang, if stopped { "stopped-explain" } else { "unchecked-explain" }) }</p>
                },
            } }
            <dl class="facts">
                { digest_row(t(lang, "digest"), layer.digest.as_ref().map(|d| d.to_string()), "layer-digest") }
                { digest_row(t(lang, "diff-id"), layer.diff_id.as_ref().map(|d| d.to_string()), "layer-diff-id") }
                { super::hash_path::details_row(lang, a, layer) }
                { if layer.config_diff_id.is_some() && layer.config_diff_id != layer.diff_id {
                    digest_row(t(lang, "config-diff-id"), layer.config_diff_id.as_ref().map(|d| d.to_string()), "layer-config-diff-id")
                } else { html! {} } }
                <dt>{ t(lang, "created") }</dt>
                <dd>{ match h.and_then(|h| h.created.clone()) {
                    // The recorded time as written, and how long ago in the page's language.
                    Some(c) => match pancake_core::units::created_unix(&c) {
                        Some(u) => format!("{c} ({})", crate::reltime::ago(lang, u, crate::reltime::now_unix())),
                        None => c,
                    },
                    None => "—".into(),
                } }</dd>
                <dt>{ t(lang, "command") }</dt>
                <dd><pre class="mono command">{ h.and_then(|h| h.created_by.as_deref()).map(shown).unwrap_or_else(|| "—".into()) }</pre></dd>
                { if let Some(c) = h.and_then(|h| h.comment.clone()).filter(|c| !c.is_empty()) {
                    html! { <><dt>{ t(lang, "comment") }</dt><dd>{ shown(&c) }</dd></> }
                } else { html! {} } }
                { match sizes.get(i).copied().flatten() {
                    _ if unread => super::layer_size::unread_rows(lang, layer, absent),
                    Some(n) if !being_read(a, image, i, p.hashing) => super::layer_size::detail_rows(lang, a, image, i, n),
                    _ => html! { <><dt>{ t(lang, "lsz-files") }</dt><dd class="muted">{ t(lang, "pending") }</dd></> },
                } }
                <dt>{ t(lang, "entries") }</dt>
                { if unread { not_read_dd() } else { html! {
                    <dd>{ match entries {
                        Some(n) => html! { n.to_string() },
                        None => html! { <span class="muted">{ t(lang, "pending") }</span> },
                    } }</dd>
                } } }
                <dt>{ t(lang, "changes") }</dt>
                { if unread { not_read_dd() } else { html! {
                <dd>{ match changes.as_ref() {
                    Some(c) => html! {
                        <>
                        <span class="change-counts">
                            <span class="ch-added">{ format!("+ {}", c.added) }</span>{ " " }{ t(lang, "added") }{ " · " }
                            <span class="ch-modified">{ format!("~ {}", c.modified) }</span>{ " " }{ t(lang, "modified") }{ " · " }
                            <span class="ch-deleted" data-testid="changes-deleted" title={(c.deleted > 0).then(|| t(lang, "changes-deleted-note"))}>{ format!("− {}", c.deleted) }</span>{ " " }{ t(lang, "deleted") }
                        </span>
                        // What "deleted" counts, beside it: a folder deleted in a container is
                        // one line of its `docker diff`, here the folder and each path in it.
                        { if c.deleted > 0 { html! {
                            <span class="muted small changes-note" data-testid="changes-deleted-note">{ t(lang, "changes-deleted-note") }</span>
                        } } else { html! {} } }
                        </>
                    },
                    None if changes_coming => html! { <span class="muted">{ t(lang, "pending") }</span> },
                    None => html! { "—" },
                } }</dd>
                } } }
                <dt>{ t(lang, "wasted") }</dt>
                { if unread { not_read_dd() } else { html! {
                <dd>{ match wasted.get(i) {
                    Some(w) => html! { <>{ human_size(lang, *w) }<span class="muted small">{ " — " }{ t(lang, "wasted-explain") }</span></> },
                    None if wasted_coming => html! { <span class="muted">{ t(lang, "pending") }</span> },
                    None => html! { <>{ human_size(lang, 0) }<span class="muted small">{ " — " }{ t(lang, "wasted-explain") }</span></> },
                } }</dd>
                } } }
                { crate::views::dockerfile::hidden_row(lang, changes.as_ref().as_ref()) }
                { if let Some(path) = &layer.blob_path {
                    html! { <><dt>{ t(lang, "blob-path") }</dt><dd><code class="mono wrap">{ path.clone() }</code></dd></> }
                } else { html! {} } }
                { if let Some(mt) = &layer.media_type {
                    html! { <><dt>{ t(lang, "media-type") }</dt><dd><code class="mono wrap">{ mt.clone() }</code></dd></> }
                } else { html! {} } }
            </dl>
            <button type="button" class="button" onclick={browse}>{ t(lang, "browse-files") }</button>
        </aside>
    }
}

/// Each claim that did not hold, with what was expected and what was computed.
fn mismatch_items(lang: Lang, mismatches: &[pancake_core::Mismatch]) -> Html {
    html! {
        { for mismatches.iter().map(|m| html! {
            <div class="mismatch-item">
                <p>{ m.what.clone() }</p>
                <dl>
                    <dt>{ t(lang, "expected") }</dt><dd><code class="mono wrap" data-testid="expected">{ m.expected.clone() }</code></dd>
                    <dt>{ t(lang, "actual") }</dt><dd><code class="mono wrap" data-testid="actual">{ m.actual.clone() }</code></dd>
                </dl>
            </div>
        }) }
    }
}
