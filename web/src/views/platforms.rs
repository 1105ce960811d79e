//! The platforms of a multi-platform image index (issue 15, "Platforms"): every platform the
//! archive's indexes list, with its manifest digest (copyable); a present one opens as the
//! shown image, an absent one says "not in this archive". Format knowledge stays in
//! `pancake_core::read::image::platforms`; this only shows its list.
//!
//! No state of its own: the chosen platform is the shown image (`AppState::image`), so opening
//! a platform is the picker's own action (`SharedAction::Show`).

use pancake_core::model::Image;
use pancake_core::read::image::{present_count, PlatformEntry};
use yew::prelude::*;

use super::{use_lang, CopyButton};
use crate::i18n::{t, tf};
use crate::session::{ImageKey, SharedAction};
use crate::state::{Action, AppState, ArchiveRef};

pub use crate::state::default_image;

/// `os/architecture[/variant]` as the image's config gives it, `None` when it gives neither
/// os nor architecture (the picker then shows no platform).
pub fn config_platform(img: &Image) -> Option<String> {
    let c = &img.config;
    if c.os.is_none() && c.architecture.is_none() {
        return None;
    }
    let mut s = format!(
        "{}/{}",
        c.os.as_deref().unwrap_or("?"),
        c.architecture.as_deref().unwrap_or("?")
    );
    if let Some(v) = &c.variant {
        s.push('/');
        s.push_str(v);
    }
    Some(s)
}

#[derive(Properties, PartialEq)]
pub struct PlatformsProps {
    pub archive: ArchiveRef,
    /// Index into `archive.images` of the shown image.
    pub image: usize,
    /// Opens an image of this archive (index into `archive.images`).
    pub on_open: Callback<usize>,
}

/// The list, shown only when the archive's indexes list more than one platform (one platform
/// is just the image; a save without `index.json` lists none).
#[function_component(Platforms)]
pub fn platforms_view(p: &PlatformsProps) -> Html {
    let lang = use_lang();
    // The page reads every file with the default limits (`worker_glue`), so the list walks
    // what the resolver walked.
    let list = crate::state::platforms_of(&p.archive);
    if list.len() < 2 {
        return html! {};
    }
    // The rows' `present` flags, counted by the core: "M of them are in this archive" agrees
    // with the rows (a present platform that could not be read counts, as its row says).
    let present = present_count(&list);
    let rows = list.iter().enumerate().map(|(i, e)| row(lang, i, e, p));
    html! {
        <section class="card platforms" data-testid="platforms" aria-labelledby="pf-title"
            data-count={list.len().to_string()} data-present={present.to_string()}>
            <h2 id="pf-title">{ t(lang, "pf-title") }</h2>
            <p class="muted small">{ tf(lang, "pf-lead", &[("count", &list.len().to_string()), ("present", &present.to_string())]) }</p>
            <ul class="platform-list">{ for rows }</ul>
        </section>
    }
}

fn row(lang: crate::i18n::Lang, i: usize, e: &PlatformEntry, p: &PlatformsProps) -> Html {
    let name = e.display();
    let digest = e.manifest_digest.clone().unwrap_or_default();
    let shown = e.image == Some(p.image);
    let open = match e.image {
        Some(img) => {
            let cb = p.on_open.clone();
            let onclick = Callback::from(move |_| cb.emit(img));
            html! {
                <button type="button" class={classes!("chip-button", "mono", shown.then_some("selected"))}
                    aria-pressed={shown.to_string()} data-testid="platform-open"
                    aria-label={tf(lang, "pf-open-aria", &[("platform", &name)])} {onclick}>
                    { name.clone() }
                </button>
            }
        }
        None => html! { <span class="mono pf-name">{ name.clone() }</span> },
    };
    let status = match (e.image, e.present) {
        (Some(_), _) if shown => {
            html! { <span class="badge pf-shown">{ t(lang, "pf-shown") }</span> }
        }
        (Some(_), _) => html! {},
        (None, false) => {
            html! { <span class="badge pf-absent" data-testid="platform-absent">{ t(lang, "pf-absent") }</span> }
        }
        (None, true) => {
            html! { <span class="badge pf-absent" data-testid="platform-unreadable">{ t(lang, "pf-unreadable") }</span> }
        }
    };
    let digest_html = if digest.is_empty() {
        html! { <span class="muted small">{ t(lang, "pf-no-digest") }</span> }
    } else {
        html! { <><code class="mono wrap small pf-digest" data-testid="platform-digest">{ digest.clone() }</code><CopyButton text={AttrValue::from(digest.clone())} /></> }
    };
    html! {
        <li class={classes!("platform", shown.then_some("shown"))} data-testid="platform" data-index={i.to_string()}
            data-platform={name.clone()} data-present={e.present.to_string()} data-digest={digest}
            data-image={e.image.map(|x| x.to_string()).unwrap_or_default()} data-shown={shown.to_string()}>
            <div class="pf-head">{ open }{ status }</div>
            <div class="pf-digest-row">{ digest_html }</div>
        </li>
    }
}

/// The list for the shell, opening a platform as the picker opens an image.
pub fn chooser(state: &UseReducerHandle<AppState>) -> Html {
    let Some(archive) = state.reading.archive.clone() else {
        return html! {};
    };
    let d = state.dispatcher();
    let generation = state.reading.generation;
    let on_open = Callback::from(move |image: usize| {
        d.dispatch(Action::Shared(SharedAction::Show(ImageKey {
            archive: generation,
            image,
        })))
    });
    html! { <Platforms {archive} image={state.nav.image} {on_open} /> }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pancake_core::model::ImageConfig;
    use pancake_core::Archive;

    fn image(os: Option<&str>, arch: Option<&str>, variant: Option<&str>) -> Image {
        Image {
            config: ImageConfig {
                os: os.map(String::from),
                architecture: arch.map(String::from),
                variant: variant.map(String::from),
                ..ImageConfig::default()
            },
            ..Image::default()
        }
    }

    #[test]
    fn config_platform_names_os_arch_and_variant() {
        let arm = image(Some("linux"), Some("arm64"), Some("v8"));
        assert_eq!(config_platform(&arm).as_deref(), Some("linux/arm64/v8"));
        let amd = image(Some("linux"), Some("amd64"), None);
        assert_eq!(config_platform(&amd).as_deref(), Some("linux/amd64"));
        let half = image(None, Some("riscv64"), None);
        assert_eq!(config_platform(&half).as_deref(), Some("?/riscv64"));
        assert_eq!(config_platform(&image(None, None, None)), None);
    }

    #[test]
    fn without_an_index_the_first_image_is_shown() {
        let a = Archive {
            images: vec![image(Some("linux"), Some("amd64"), None)],
            ..Archive::default()
        };
        assert_eq!(default_image(&ArchiveRef(std::rc::Rc::new(a))), 0);
    }
}
