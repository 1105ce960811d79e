//! The image config a person reads: tags, platform, env, cmd, ports …

use yew::prelude::*;

use super::{shown, use_lang, CopyButton};
use crate::i18n::t;
use crate::state::ArchiveRef;

#[derive(Properties, PartialEq)]
pub struct ConfigProps {
    pub archive: ArchiveRef,
    pub image: usize,
}

fn list(items: &[String]) -> Html {
    if items.is_empty() {
        return html! { <span class="muted">{ "—" }</span> };
    }
    html! { <ul class="plain mono">{ for items.iter().map(|s| html! { <li>{ shown(s) }</li> }) }</ul> }
}

fn words(v: &Option<Vec<String>>) -> Html {
    match v {
        Some(v) => {
            html! { <code class="mono wrap">{ shown(&serde_json::to_string(v).unwrap_or_default()) }</code> }
        }
        None => html! { <span class="muted">{ "—" }</span> },
    }
}

fn text(v: &Option<String>) -> Html {
    match v.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => html! { <code class="mono wrap">{ shown(s) }</code> },
        None => html! { <span class="muted">{ "—" }</span> },
    }
}

#[function_component(Config)]
pub fn config(p: &ConfigProps) -> Html {
    let lang = use_lang();
    let Some(image) = p.archive.images.get(p.image) else {
        return html! { <p class="empty">{ t(lang, "no-image") }</p> };
    };
    let c = &image.config;
    let platform = [c.os.clone(), c.architecture.clone(), c.variant.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("/");
    let id = image.config_digest.as_ref().map(|d| d.to_string());
    html! {
        <section class="config" aria-label={t(lang, "tab-config")} data-testid="config">
            <dl class="facts wide">
                <dt>{ t(lang, "cfg-tags") }</dt><dd>{ list(&image.tags) }</dd>
                <dt>{ t(lang, "cfg-id") }</dt>
                <dd>{ match id {
                    Some(id) => html! { <span class="digest-line"><code class="mono wrap">{ id.clone() }</code><CopyButton text={AttrValue::from(id)} /></span> },
                    None => html! { <span class="muted">{ "—" }</span> },
                } }</dd>
                <dt>{ t(lang, "cfg-platform") }</dt><dd>{ if platform.is_empty() { html! { "—" } } else { html! { <code class="mono">{ platform }</code> } } }</dd>
                <dt>{ t(lang, "cfg-created") }</dt><dd>{ text(&c.created) }</dd>
                <dt>{ t(lang, "cfg-author") }</dt><dd>{ text(&c.author) }</dd>
                <dt>{ t(lang, "cfg-entrypoint") }</dt><dd>{ words(&c.entrypoint) }</dd>
                <dt>{ t(lang, "cfg-cmd") }</dt><dd>{ words(&c.cmd) }</dd>
                <dt>{ t(lang, "cfg-workdir") }</dt><dd>{ text(&c.working_dir) }</dd>
                <dt>{ t(lang, "cfg-user") }</dt><dd>{ text(&c.user) }</dd>
                <dt>{ t(lang, "cfg-env") }</dt><dd>{ list(&c.env) }</dd>
                <dt>{ t(lang, "cfg-ports") }</dt><dd>{ list(&c.exposed_ports) }</dd>
                <dt>{ t(lang, "cfg-volumes") }</dt><dd>{ list(&c.volumes) }</dd>
                <dt>{ t(lang, "cfg-labels") }</dt>
                <dd>{ if c.labels.is_empty() { html! { <span class="muted">{ "—" }</span> } } else { html! {
                    <table class="labels">
                        <thead><tr><th scope="col">{ t(lang, "cfg-key") }</th><th scope="col">{ t(lang, "cfg-value") }</th></tr></thead>
                        <tbody>{ for c.labels.iter().map(|(k, v)| html! { <tr><td class="mono">{ shown(k) }</td><td class="mono">{ shown(v) }</td></tr> }) }</tbody>
                    </table>
                } } }</dd>
                <dt>{ t(lang, "cfg-source") }</dt><dd><code class="mono">{ shown(&image.source) }</code></dd>
                <dt>{ t(lang, "cfg-diff-ids") }</dt><dd>{ list(&c.diff_ids.iter().map(|d| d.to_string()).collect::<Vec<_>>()) }</dd>
            </dl>
            <super::raw_json::RawJson archive={p.archive.clone()} image={p.image} />
        </section>
    }
}
