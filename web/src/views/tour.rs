//! The guided tour: a card with the step's idea and one thing to do, and an outline around the
//! part of the page it talks about (found by CSS selector, so it also finds parts that other
//! views render later, e.g. after the demo has loaded).

use gloo::events::{EventListener, EventListenerOptions};
use gloo::timers::callback::Interval;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::{reduced_motion, use_lang};
use crate::i18n::{t, tf};
use crate::tour::{self, CourseAction, STEPS};

#[derive(Properties, PartialEq)]
pub struct TourProps {
    /// 1-based.
    pub step: u8,
    pub on_action: Callback<CourseAction>,
}

/// Position of the outlined element in the viewport: (top, left, width, height).
type Rect = (i32, i32, i32, i32);

fn narrow() -> bool {
    web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|v| v.as_f64())
        .is_some_and(|w| w < 700.0)
}

/// The first target of the step that is on the page and visible.
fn find_target(step: u8) -> Option<web_sys::Element> {
    let doc = web_sys::window()?.document()?;
    tour::step(step)?.targets.iter().find_map(|sel| {
        let el = doc.query_selector(sel).ok().flatten()?;
        let r = el.get_bounding_client_rect();
        (r.width() > 0.0 && r.height() > 0.0).then_some(el)
    })
}

/// Brings the target into the part of the screen the card does not cover.
fn scroll_to(el: &web_sys::Element) {
    let opts = web_sys::ScrollIntoViewOptions::new();
    opts.set_block(if narrow() {
        web_sys::ScrollLogicalPosition::Start
    } else {
        web_sys::ScrollLogicalPosition::Center
    });
    opts.set_behavior(if reduced_motion() {
        web_sys::ScrollBehavior::Instant
    } else {
        web_sys::ScrollBehavior::Smooth
    });
    el.scroll_into_view_with_scroll_into_view_options(&opts);
}

#[function_component(Tour)]
pub fn tour_card(p: &TourProps) -> Html {
    let lang = use_lang();
    let rect = use_state_eq(|| None::<Rect>);
    let card = use_node_ref();
    {
        // Re-measure while the step is shown: the target may appear late (demo loading, a view
        // rendered by another component) and moves when the page scrolls.
        let rect = rect.clone();
        let step = p.step;
        use_effect_with(step, move |_| {
            rect.set(None);
            let scrolled = std::rc::Rc::new(std::cell::Cell::new(false));
            let measure = {
                let rect = rect.clone();
                move || {
                    let el = find_target(step);
                    if let (Some(el), false) = (&el, scrolled.get()) {
                        scrolled.set(true);
                        scroll_to(el);
                    }
                    rect.set(el.map(|el| {
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
            measure();
            let tick = {
                let measure = measure.clone();
                Interval::new(250, measure)
            };
            let on_scroll = web_sys::window().map(|w| {
                let m = measure.clone();
                let opts = EventListenerOptions::run_in_capture_phase();
                (
                    EventListener::new_with_options(&w, "scroll", opts, move |_| m()),
                    EventListener::new(&w, "resize", move |_| measure()),
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
    let title_id = "tour-title";
    html! {
        <>
            { match *rect {
                Some((top, left, w, h)) => html! {
                    <div class="tour-spot" aria-hidden="true" data-testid="tour-spot"
                        style={format!("top:{}px;left:{}px;width:{}px;height:{}px", top - 6, left - 6, w + 12, h + 12)}></div>
                },
                None => html! {},
            } }
            <section class="tour-card" ref={card} tabindex="-1" role="dialog" aria-modal="false"
                aria-labelledby={title_id} data-testid="tour-step" data-step={n.to_string()}
                data-target-found={rect.is_some().to_string()} {onkeydown}>
                <header class="tour-head">
                    <span class="tour-count">{ tf(lang, "tour-counter", &[("n", &n.to_string()), ("total", &total.to_string())]) }</span>
                    <button type="button" class="button quiet tour-close" data-testid="tour-close"
                        aria-label={t(lang, "tour-close")} title={t(lang, "tour-close")} onclick={close}>{ "✕" }</button>
                </header>
                <div class="tour-dots" aria-hidden="true">
                    { for (1..=total).map(|i| html! { <span class={classes!("tour-dot", (i <= n).then_some("done"))}></span> }) }
                </div>
                <div aria-live="polite">
                    <h2 id={title_id} data-testid="tour-title">{ t(lang, &format!("tour-{n}-title")) }</h2>
                    <p class="tour-body" data-testid="tour-body">{ t(lang, &format!("tour-{n}-body")) }</p>
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
