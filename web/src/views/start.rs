//! The first page: drop a tarball anywhere, pick one, or try a built-in demo.

use yew::prelude::*;

use super::use_lang;
use crate::i18n::{t, tf};

#[derive(Properties, PartialEq)]
pub struct StartProps {
    pub demos: Vec<AttrValue>,
    pub on_demo: Callback<AttrValue>,
    /// "Try: two WordPress sites" (the shared-layers demo pair, one tarball).
    #[prop_or_default]
    pub on_pair: Option<Callback<()>>,
    /// Shown under the lead (the guided tour's start button).
    #[prop_or_default]
    pub children: Html,
    /// Opens picked files; with it, "Choose" uses the browser's picker where it gives
    /// handles (so a reload can reopen them), else the page's file input.
    #[prop_or_default]
    pub on_files: Option<Callback<Vec<web_sys::File>>>,
    /// A link's `?demo=` that names no demo: said above the demo buttons.
    #[prop_or_default]
    pub unknown_demo: Option<AttrValue>,
}

#[function_component(Start)]
pub fn start(p: &StartProps) -> Html {
    let lang = use_lang();
    html! {
        <section class="start" aria-labelledby="start-title">
            <div class="start-art" aria-hidden="true">
                <div class="art-slab kind-meta thin"></div>
                <div class="art-slab kind-copy"></div>
                <div class="art-slab kind-meta thin"></div>
                <div class="art-slab kind-run"></div>
                <div class="art-slab kind-run small"></div>
                <div class="art-slab kind-base big"></div>
            </div>
            <h1 id="start-title">{ t(lang, "start-title") }</h1>
            <p class="lead">{ t(lang, "start-lead") }</p>
            { p.children.clone() }
            <div class="drop-target">
                // Dropping needs a mouse: on a touch screen the button is the way in, first.
                <p class="drop-big drop-hint">{ t(lang, "start-drop") }</p>
                <p class="muted drop-hint">{ t(lang, "start-or") }</p>
                { match p.on_files.clone() {
                    Some(on_files) => html! {
                        <super::reopen::OpenButton class={classes!("button", "primary")} label={t(lang, "start-choose")}
                            testid="start-choose" {on_files} />
                    },
                    None => html! { <label for="file-input" class="button primary">{ t(lang, "start-choose") }</label> },
                } }
                <p class="muted small">{ t(lang, "start-formats") }</p>
            </div>
            <div class="demos">
                <h2>{ t(lang, "start-demo-title") }</h2>
                <p class="muted">{ t(lang, "start-demo-lead") }</p>
                { for p.unknown_demo.as_ref().map(|name| html! {
                    <p class="notice" role="status" data-testid="unknown-demo">
                        { tf(lang, "demo-unknown", &[
                            ("name", name.as_str()),
                            ("names", &format!("{} · {}", pancake_demo::names().join(" · "), crate::tour::WORDPRESS_PAIR)),
                        ]) }
                    </p>
                }) }
                <div class="demo-buttons">
                    { for p.demos.iter().map(|name| {
                        let on_demo = p.on_demo.clone();
                        let n = name.clone();
                        let onclick = Callback::from(move |_| on_demo.emit(n.clone()));
                        html! {
                            <button type="button" class="button demo" data-testid={format!("demo-{name}")} {onclick}>
                                { name.to_string() }
                            </button>
                        }
                    }) }
                    { for p.on_pair.clone().map(|cb| html! {
                        <button type="button" class="button demo demo-pair" data-testid="demo-wordpress-pair"
                            onclick={Callback::from(move |_| cb.emit(()))}>{ t(lang, "demo-pair") }</button>
                    }) }
                </div>
            </div>
            <p class="privacy">
                <svg class="lock" viewBox="0 0 24 24" aria-hidden="true">
                    <rect x="5" y="11" width="14" height="10" rx="2" />
                    <path d="M8 11V8a4 4 0 0 1 8 0v3" fill="none" stroke-width="2" />
                </svg>
                { t(lang, "start-privacy") }
            </p>
        </section>
    }
}
