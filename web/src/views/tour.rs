//! The guided tour: a card with the step's idea and one thing to do, and an outline around the
//! part of the page it talks about (found by CSS selector, so it also finds parts that other
//! views render later, e.g. after the demo has loaded).

use gloo::events::{EventListener, EventListenerOptions};
use gloo::timers::callback::Interval;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::use_lang;
use crate::i18n::{t, tf};
use crate::tour::{self, CourseAction, STEPS};

#[derive(Properties, PartialEq)]
pub struct TourProps {
    /// 1-based.
    pub step: u8,
    pub on_action: Callback<CourseAction>,
}

/// Position of the outlined element in the viewport, CSS px: (top, left, width, height).
type Rect = (i32, i32, i32, i32);

/// Viewport width (CSS px) from which the card is a column beside the page (the page makes
/// room for it, so it can cover nothing); below it the card is docked at the bottom.
/// Matches the `min-width: 1000px` rule of the tour block in `style.css`.
const BESIDE_MIN_WIDTH: f64 = 1000.0;
/// Share of the viewport height the docked card may take when expanded (CSS `max-height`).
const DOCK_MAX_SHARE: f64 = 0.45;
/// Gap kept between the target and the header / the card, px.
const GAP: f64 = 10.0;

fn viewport() -> (f64, f64) {
    let w = web_sys::window();
    let dim = |v: Option<wasm_bindgen::JsValue>| v.and_then(|v| v.as_f64()).unwrap_or(0.0);
    (
        dim(w.as_ref().and_then(|w| w.inner_width().ok())),
        dim(w.as_ref().and_then(|w| w.inner_height().ok())),
    )
}

/// Bottom of the sticky header (page header or embed bar) in the viewport, px; 0 without one.
/// While the card is docked (narrower than `BESIDE_MIN_WIDTH`) the header is not sticky (the
/// tour block of `style.css`): it scrolls away with the page, so it takes no room from the
/// band between the top of the viewport and the card (at 360×640 a sticky header of ~130 px
/// and the docked card left too little room for the nginx stack).
fn header_bottom() -> f64 {
    if viewport().0 < BESIDE_MIN_WIDTH {
        return 0.0;
    }
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(".top, .embed-bar").ok().flatten())
        .map_or(0.0, |h| h.get_bounding_client_rect().bottom().max(0.0))
}

/// Height a folded docked card may take, px: its title row and a "Try it" line of up to four
/// lines at 360 px (measured: 140 px for step 1's line).
const FOLDED_MAX: f64 = 150.0;

/// The step's target with the selector that found it: the first one on the page, visible and
/// short enough to be seen whole between the header and a folded card; when none is, the
/// first one visible (e.g. step 6's whole pull panel at 360 px gives way to its checkboxes).
fn find_target(step: u8) -> Option<(web_sys::Element, &'static str)> {
    let doc = web_sys::window()?.document()?;
    let (w, h) = viewport();
    let docked = if w < BESIDE_MIN_WIDTH {
        FOLDED_MAX
    } else {
        0.0
    };
    let room = h - header_bottom() - 2.0 * GAP - docked;
    let shown: Vec<(web_sys::Element, &'static str, f64)> = tour::step(step)?
        .targets
        .iter()
        .filter_map(|sel| {
            let el = doc.query_selector(sel).ok().flatten()?;
            let r = el.get_bounding_client_rect();
            (r.width() > 0.0 && r.height() > 0.0).then_some((el, *sel, r.height()))
        })
        .collect();
    let pick = shown
        .iter()
        .position(|(_, _, height)| *height <= room)
        .unwrap_or(0);
    shown.into_iter().nth(pick).map(|(el, sel, _)| (el, sel))
}

/// Whether `el` lies in the band of the viewport the card leaves free: below the header and,
/// when docked, above the card (`card_top`, px from the viewport's top).
fn in_band(el: &web_sys::Element, card_top: f64) -> bool {
    let r = el.get_bounding_client_rect();
    r.top() >= header_bottom() - 1.0 && r.bottom() <= card_top + 1.0
}

/// Scrolls the page so the target's top sits just under the header (where the card, beside or
/// docked below, leaves it free). Instant: a smooth scroll would still be moving when the
/// card's place is measured, and the reader sees the outline land where it stays.
fn scroll_to(el: &web_sys::Element) {
    let Some(w) = web_sys::window() else { return };
    let top = with_its_headers(el).get_bounding_client_rect().top();
    let y = w.scroll_y().unwrap_or(0.0) + top - header_bottom() - GAP;
    w.scroll_to_with_x_and_y(w.scroll_x().unwrap_or(0.0), y.max(0.0));
}

/// What to put under the header for the target `el`: the table a row of it belongs to, when
/// the table's top down to the row fits the free band (a row alone under the header hides
/// the column headers that say what its cells are: "CREATED BY", "SIZE"), else `el`. The
/// free band is the viewport below the header, above the docked card's largest share.
fn with_its_headers(el: &web_sys::Element) -> web_sys::Element {
    let Some(table) = el.closest("table").ok().flatten() else {
        return el.clone();
    };
    if &table == el {
        return table;
    }
    let span = el.get_bounding_client_rect().bottom() - table.get_bounding_client_rect().top();
    if fits_free_band(span) {
        table
    } else {
        el.clone()
    }
}

/// Whether `height` (CSS px), put under the header with a gap above and below, fits the free
/// band: the whole viewport below the header when the card sits beside the page, else the
/// part above the docked card's largest share.
fn fits_free_band(height: f64) -> bool {
    let (w, h) = viewport();
    let free = if w >= BESIDE_MIN_WIDTH {
        h
    } else {
        h * (1.0 - DOCK_MAX_SHARE)
    };
    header_bottom() + GAP + height + GAP <= free
}

/// Whether the docked card should start folded to one line: when the target, put under the
/// header, would not fit above the expanded card.
fn fold_for(target_height: f64) -> bool {
    viewport().0 < BESIDE_MIN_WIDTH && !fits_free_band(target_height)
}

#[function_component(Tour)]
pub fn tour_card(p: &TourProps) -> Html {
    let lang = use_lang();
    let rect = use_state_eq(|| None::<Rect>);
    let found = use_state_eq(|| None::<&'static str>);
    // Docked card folded to its title and "Try it" line: `None` until decided for the step's
    // target; the reader's own choice (the fold button) wins from then on.
    let folded = use_state_eq(|| None::<bool>);
    // Whether the reader used the fold button on this step (then the page never folds or
    // unfolds the card for them).
    let chosen = use_mut_ref(|| false);
    let top = use_state_eq(|| 0i32);
    let card = use_node_ref();
    super::use_focus_return("footer-tour");
    {
        // Re-measure while the step is shown: the target may appear late (demo loading, a view
        // rendered by another component) and moves when the page scrolls. For the first three
        // seconds after it appears, the target is brought back into the free band if the page
        // moved under it (content still rendering); after that the reader's scrolling wins.
        let rect = rect.clone();
        let found = found.clone();
        let folded = folded.clone();
        let chosen = chosen.clone();
        let top = top.clone();
        let card = card.clone();
        let step = p.step;
        use_effect_with(step, move |_| {
            rect.set(None);
            folded.set(None);
            *chosen.borrow_mut() = false;
            let ticks = std::rc::Rc::new(std::cell::Cell::new(None::<u32>));
            let measure = {
                let rect = rect.clone();
                let card = card.clone();
                let folded = folded.clone();
                move |tick: bool| {
                    top.set(header_bottom().round() as i32 + 12);
                    let hit = find_target(step);
                    if let Some((el, _)) = &hit {
                        let (w, h) = viewport();
                        let card_top = if w >= BESIDE_MIN_WIDTH {
                            h
                        } else {
                            card.cast::<web_sys::Element>()
                                .map_or(h, |c| c.get_bounding_client_rect().top())
                        };
                        match ticks.get() {
                            None => {
                                ticks.set(Some(0));
                                folded.set(Some(fold_for(el.get_bounding_client_rect().height())));
                                scroll_to(el);
                            }
                            Some(n) if tick && n < 12 => {
                                ticks.set(Some(n + 1));
                                // The target may have grown since it was first seen (the
                                // editor's text, the diagram's bands arrive later): fold
                                // then, unless the reader chose; never unfold on their behalf.
                                let height = el.get_bounding_client_rect().height();
                                if !*chosen.borrow() && fold_for(height) {
                                    folded.set(Some(true));
                                }
                                if n >= 2 && !in_band(el, card_top) {
                                    scroll_to(el);
                                }
                            }
                            _ => {}
                        }
                    }
                    found.set(hit.as_ref().map(|(_, sel)| *sel));
                    rect.set(hit.map(|(el, _)| {
                        let r = el.get_bounding_client_rect();
                        (
                            r.top().round() as i32,
                            r.left().round() as i32,
                            r.width().round() as i32,
                            r.height().round() as i32,
                        )
                    }));
                }
            };
            measure(false);
            let tick = {
                let measure = measure.clone();
                Interval::new(250, move || measure(true))
            };
            let on_scroll = web_sys::window().map(|w| {
                let m = measure.clone();
                let opts = EventListenerOptions::run_in_capture_phase();
                (
                    EventListener::new_with_options(&w, "scroll", opts, move |_| m(false)),
                    EventListener::new(&w, "resize", move |_| measure(false)),
                )
            });
            move || {
                drop(tick);
                drop(on_scroll);
            }
        });
    }
    {
        // Keyboard users land in the card when the tour opens.
        let card = card.clone();
        use_effect_with((), move |_| {
            if let Some(el) = card.cast::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        });
    }
    let n = p.step;
    let total = STEPS.len() as u8;
    let emit = |a: fn(u8) -> CourseAction| {
        let cb = p.on_action.clone();
        Callback::from(move |_: MouseEvent| cb.emit(a(n)))
    };
    let back = emit(|n| CourseAction::Step(n - 1));
    let next = emit(|n| {
        if n < STEPS.len() as u8 {
            CourseAction::Step(n + 1)
        } else {
            CourseAction::CloseTour
        }
    });
    let close = emit(|_| CourseAction::CloseTour);
    let onkeydown = {
        let cb = p.on_action.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.stop_propagation();
                cb.emit(CourseAction::CloseTour);
            }
        })
    };
    let is_folded = folded.unwrap_or(false);
    let fold = {
        let folded = folded.clone();
        let chosen = chosen.clone();
        Callback::from(move |_: MouseEvent| {
            *chosen.borrow_mut() = true;
            folded.set(Some(!is_folded));
        })
    };
    let title_id = "tour-title";
    let body_id = "tour-text";
    html! {
        <>
            { match *rect {
                Some((top, left, w, h)) => html! {
                    <div class="tour-spot" aria-hidden="true" data-testid="tour-spot"
                        style={format!("top:{}px;left:{}px;width:{}px;height:{}px", top - 6, left - 6, w + 12, h + 12)}></div>
                },
                None => html! {},
            } }
            <section class={classes!("tour-card", is_folded.then_some("folded"))} ref={card} tabindex="-1" role="dialog" aria-modal="false"
                aria-labelledby={title_id} data-testid="tour-step" data-step={n.to_string()}
                data-target-found={rect.is_some().to_string()} data-target={found.unwrap_or_default()}
                data-folded={is_folded.to_string()}
                style={format!("--tour-top:{}px", *top)} {onkeydown}>
                <header class="tour-head">
                    <span class="tour-count" data-testid="tour-count">{ tf(lang, "tour-counter", &[("n", &n.to_string()), ("total", &total.to_string())]) }</span>
                    <button type="button" class="button quiet tour-fold" data-testid="tour-fold"
                        aria-expanded={(!is_folded).to_string()} aria-controls={body_id}
                        aria-label={t(lang, if is_folded { "tour-unfold" } else { "tour-fold" })}
                        title={t(lang, if is_folded { "tour-unfold" } else { "tour-fold" })} onclick={fold}>
                        <span aria-hidden="true">{ if is_folded { "▴" } else { "▾" } }</span>
                    </button>
                    <button type="button" class="button quiet tour-close" data-testid="tour-close"
                        aria-label={t(lang, "tour-close")} title={t(lang, "tour-close")} onclick={close}>{ "✕" }</button>
                </header>
                <div class="tour-dots" aria-hidden="true">
                    { for (1..=total).map(|i| html! { <span class={classes!("tour-dot", (i <= n).then_some("done"))}></span> }) }
                </div>
                <div class="tour-text" aria-live="polite">
                    <h2 id={title_id} data-testid="tour-title">{ t(lang, &format!("tour-{n}-title")) }</h2>
                    <p class="tour-body" id={body_id} data-testid="tour-body">{ tour_body(lang, n) }</p>
                    <p class="tour-do" data-testid="tour-do">
                        <strong>{ t(lang, "tour-try") }</strong>{ " " }{ t(lang, &format!("tour-{n}-do")) }
                    </p>
                </div>
                <footer class="tour-nav">
                    <button type="button" class="button" data-testid="tour-back" disabled={n <= 1} onclick={back}>
                        <span aria-hidden="true">{ "← " }</span>{ t(lang, "tour-back") }
                    </button>
                    <button type="button" class="button primary" data-testid="tour-next" onclick={next}>
                        { if n < total { html! { <>{ t(lang, "tour-next") }<span aria-hidden="true">{ " →" }</span></> } } else { html! { t(lang, "tour-finish") } } }
                    </button>
                </footer>
            </section>
        </>
    }
}

/// Step `n`'s text. A size it quotes (`{ $zero }`: the thin lines between the slabs) is written
/// by the function that writes the stack's, so the sentence and the page agree in each language
/// (the English text once said "0 B" beside a stack drawing "0B").
fn tour_body(lang: crate::i18n::Lang, n: u8) -> String {
    let zero = crate::figures::human_size(lang, 0);
    tf(lang, &format!("tour-{n}-body"), &[("zero", &zero)])
}

#[derive(Properties, PartialEq)]
pub struct StartTourProps {
    pub on_action: Callback<CourseAction>,
}

/// "Take the tour" on the start page.
#[function_component(StartTour)]
pub fn start_tour(p: &StartTourProps) -> Html {
    let lang = use_lang();
    let onclick = {
        let cb = p.on_action.clone();
        Callback::from(move |_| cb.emit(CourseAction::StartTour))
    };
    html! {
        <div class="tour-start">
            <button type="button" class="button primary tour-start-button" data-testid="start-tour" {onclick}>
                <span aria-hidden="true">{ "▶ " }</span>{ t(lang, "tour-start") }
            </button>
            <p class="muted small">{ t(lang, "tour-start-lead") }</p>
        </div>
    }
}

/// Focus moves into a dialog's first button; used by the embed help too.
pub fn focus_first_button(node: &NodeRef) {
    if let Some(el) = node.cast::<web_sys::Element>() {
        if let Ok(Some(b)) = el.query_selector("button") {
            if let Ok(b) = b.dyn_into::<web_sys::HtmlElement>() {
                let _ = b.focus();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::tour_body;
    use crate::i18n::Lang;

    /// Step 2 says the thin lines show the size the stack writes on them, in each language
    /// ("0B" as Docker prints it in English, "0 B" in Indonesian), and no step's text is left
    /// with a placeholder.
    #[test]
    fn the_tour_quotes_the_stacks_own_zero() {
        for (lang, zero, want) in [
            (Lang::En, "0B", "thin 0B lines"),
            (Lang::Id, "0 B", "garis tipis 0 B di"),
        ] {
            assert_eq!(crate::figures::human_size(lang, 0), zero);
            let text = tour_body(lang, 2);
            assert!(text.contains(want), "{lang:?}: {text}");
            for n in 1..=crate::tour::STEPS.len() as u8 {
                let text = tour_body(lang, n);
                assert!(
                    !text.contains('{') && !text.contains('$'),
                    "{lang:?} step {n}: {text}"
                );
            }
        }
    }
}
