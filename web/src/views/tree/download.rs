//! Saving a file's exact bytes from the content panel (issue 15): the bytes the worker read
//! for the panel, grown to the whole file first when only its start was read, handed to the
//! browser as a `File` behind an object URL. Nothing leaves the machine.

use pancake_core::units::human_size;
use pancake_core::RawPath;
use yew::prelude::*;

use crate::i18n::{t, tf};
use crate::state::ContentView;
use crate::views::use_lang;

/// Largest file the page reads whole into memory to save it, in bytes: the content panel's
/// own cap (`shell.rs`, `CONTENT_LIMIT`). Bigger files are saved with `pancake cat`.
pub const DOWNLOAD_LIMIT: u64 = 16 * 1024 * 1024;

/// The saved file's name: the path's last component with anything but letters, digits,
/// `.`, `_` and `-` as `_` (no directory part, no control or bidi characters), `file` when
/// nothing is left.
pub fn download_name(path: &RawPath) -> String {
    let stem = crate::container_export::download_stem(&path.file_name_display());
    if stem == "container" && path.file_name_display() != "container" {
        // `download_stem`'s fallback names containers; a file is a file.
        "file".to_string()
    } else {
        stem
    }
}

/// Whether `c` holds the whole file.
pub fn complete(c: &ContentView) -> bool {
    c.error.is_none() && c.bytes.as_ref().is_some_and(|b| b.len() as u64 == c.size)
}

fn save(c: &ContentView) -> Result<(), String> {
    let bytes = c.bytes.as_ref().ok_or("no bytes")?;
    let arr = js_sys::Uint8Array::from(bytes.as_slice());
    let parts = js_sys::Array::of1(&arr);
    // Typed as opaque bytes: with no type the browser guesses one and may add an extension
    // (`nginx` saved as `nginx.txt`).
    let opts = web_sys::FilePropertyBag::new();
    opts.set_type("application/octet-stream");
    let file = web_sys::File::new_with_u8_array_sequence_and_options(
        &parts,
        &download_name(&c.path),
        &opts,
    )
    .map_err(|e| format!("{e:?}"))?;
    crate::container_export::download(&file)
}

#[derive(Properties, PartialEq)]
pub struct DownloadProps {
    pub content: ContentView,
    /// Asks for more of the file (the panel's "show more": four times as much, up to the
    /// whole file within [`DOWNLOAD_LIMIT`]).
    pub on_more: Callback<()>,
}

/// "Download" for the file in the content panel. With only the file's start read, it asks
/// for more until the whole file is there, then saves it.
#[function_component(Download)]
pub fn download(p: &DownloadProps) -> Html {
    let lang = use_lang();
    let pending = use_state(|| false);
    let failed = use_state(|| None::<String>);
    {
        let pending = pending.clone();
        let failed = failed.clone();
        let on_more = p.on_more.clone();
        let c = p.content.clone();
        use_effect_with((c.clone(), *pending), move |_| {
            if *pending {
                if complete(&c) {
                    pending.set(false);
                    failed.set(save(&c).err());
                } else if let Some(e) = c.error.clone() {
                    pending.set(false);
                    failed.set(Some(e));
                } else if c.bytes.is_some() && c.max >= c.size.min(DOWNLOAD_LIMIT) {
                    // Everything that may be read was asked for and the file is still not
                    // whole (it ends early): stop rather than ask again forever.
                    pending.set(false);
                    let got = c.bytes.as_ref().map_or(0, |b| b.len()).to_string();
                    failed.set(Some(tf(
                        lang,
                        "tree-download-short",
                        &[("got", &got), ("size", &c.size.to_string())],
                    )));
                } else if c.bytes.is_some() {
                    // The last read arrived and was not the whole file: ask for more.
                    on_more.emit(());
                }
            }
        });
    }
    let c = &p.content;
    if c.size > DOWNLOAD_LIMIT {
        return html! {
            <p class="muted small" data-testid="download-too-big">
                { tf(lang, "tree-download-too-big", &[("size", &human_size(c.size)), ("limit", &human_size(DOWNLOAD_LIMIT))]) }
            </p>
        };
    }
    let onclick = {
        let pending = pending.clone();
        let failed = failed.clone();
        let c = c.clone();
        Callback::from(move |_| {
            if complete(&c) {
                failed.set(save(&c).err());
            } else {
                pending.set(true);
            }
        })
    };
    html! {
        <>
            <button type="button" class="button" data-testid="download-file" onclick={onclick}
                disabled={*pending} aria-busy={pending.to_string()}>
                { if *pending { t(lang, "tree-download-reading") } else { t(lang, "tree-download") } }
            </button>
            { if let Some(e) = &*failed {
                html! { <p class="error-text" role="alert">{ tf(lang, "tree-download-failed", &[("error", e)]) }</p> }
            } else { html! {} } }
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_last_component_made_safe() {
        assert_eq!(
            download_name(&RawPath::from_typed("etc/nginx/nginx.conf")),
            "nginx.conf"
        );
        // The bidi override is named as the page shows it (`\u{202e}`), punctuation as `_`.
        assert_eq!(
            download_name(&RawPath::from_typed("a/b c\u{202e}d")),
            "b_c_u_202e_d"
        );
        assert_eq!(download_name(&RawPath::from_typed("x/...")), "file");
    }
}
