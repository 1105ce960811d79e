//! Choosing one image when the tarball holds several.

use yew::prelude::*;

use super::use_lang;
use crate::i18n::{t, tf};
use crate::state::ArchiveRef;

#[derive(Properties, PartialEq)]
pub struct PickerProps {
    pub archive: ArchiveRef,
    pub selected: usize,
    pub on_select: Callback<usize>,
}

pub use crate::text::image_name;

#[function_component(ImagePicker)]
pub fn image_picker(p: &PickerProps) -> Html {
    let lang = use_lang();
    let n = p.archive.images.len();
    html! {
        <nav class="picker" data-testid="image-picker" aria-label={t(lang, "picker-label")}>
            <span class="picker-title">{ tf(lang, "picker-title", &[("count", &n.to_string())]) }</span>
            { for (0..n).map(|i| {
                let on_select = p.on_select.clone();
                let onclick = Callback::from(move |_| on_select.emit(i));
                let selected = i == p.selected;
                let layers = p.archive.images.get(i).map(|im| im.layers.len()).unwrap_or(0);
                html! {
                    <button type="button" class={classes!("chip-button", selected.then_some("selected"))}
                        aria-pressed={selected.to_string()} data-testid="image-option" data-index={i.to_string()} {onclick}>
                        <span class="mono">{ image_name(&p.archive, i) }</span>
                        <span class="muted small">{ tf(lang, "picker-layers", &[("count", &crate::figures::count(lang, layers))]) }</span>
                    </button>
                }
            }) }
        </nav>
    }
}
