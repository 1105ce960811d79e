//! Saving a file's exact bytes from the content panel (issue 15), whatever their size: a
//! worker streams them (`worker_export`, as `pancake cat`: by offset from the opened file for
//! an uncompressed layer, re-inflated from a compressed one, bounded) into a `Blob` the
//! browser holds, offered once every byte came (`save`). Nothing leaves the machine.

use pancake_core::RawPath;
use yew::prelude::*;

use super::save::{Save, SaveTarget};
use crate::i18n::t;
use crate::state::{ArchiveRef, ContentView};
use crate::views::use_lang;

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

#[derive(Properties, PartialEq)]
pub struct DownloadProps {
    pub content: ContentView,
    /// The archive the content was read from and the opened file (`None`: not offered).
    pub archive: Option<ArchiveRef>,
    pub file: Option<web_sys::File>,
}

/// "Download" for the file in the content panel.
#[function_component(Download)]
pub fn download(p: &DownloadProps) -> Html {
    let lang = use_lang();
    let c = &p.content;
    let Some(archive) = p.archive.clone() else {
        return html! { <p class="muted small" data-testid="save-unavailable">{ t(lang, "save-unavailable") }</p> };
    };
    let target = SaveTarget::File {
        member: c.member,
        entry: c.entry,
        path: c.path.clone(),
        size: c.size,
        name: download_name(&c.path),
    };
    html! {
        <Save archive={archive} file={p.file.clone()} target={target} testid="download-file"
            label={t(lang, "tree-download")} />
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
