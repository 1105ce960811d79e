//! Saving one layer from the page (issue 15): its blob as stored (a slice of the opened file,
//! so nothing is copied into memory), and its uncompressed tar, streamed by a worker through
//! the core's own decoders (`worker_export`, as `pancake export-layer`: every compression,
//! also inside a whole-file-compressed save), offered only when its SHA-256 is the layer's
//! diff_id (`save`). Nothing is uploaded.

use pancake_core::{Archive, Compression, Layer};
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

use super::save::{Save, SaveTarget};
use crate::i18n::{t, tf};
use crate::views::use_lang;

/// Name of a layer's download: the digest it is known by (the blob's for the stored form,
/// the diff_id computed from its bytes for the tar — never the config's claim alone, which the
/// bytes may not match), 64 hex digits, then the extension of its form; the layer number (from
/// 1) when no digest is known. `stored`: the blob as stored, else the uncompressed tar.
pub fn layer_file_name(layer: &Layer, number: usize, stored: bool) -> String {
    let digest = if stored {
        layer.digest.as_ref().or(layer.diff_id.as_ref())
    } else {
        layer.diff_id.as_ref()
    };
    let stem = digest
        .map(|d| d.hex().to_string())
        .unwrap_or_else(|| format!("layer-{number}"));
    let ext = match (stored, layer.compression) {
        (false, _) | (true, Compression::None) => "tar",
        (true, Compression::Gzip) => "tar.gz",
        (true, Compression::Zstd) => "tar.zst",
        (true, Compression::Xz) => "tar.xz",
        (true, Compression::Bzip2) => "tar.bz2",
    };
    format!("{stem}.{ext}")
}

/// Where a layer's blob is in the opened file: `(offset, length)` in bytes; `None` when the
/// blob is missing or the file is compressed as a whole (its members have no offset).
pub fn blob_span(archive: &Archive, layer: &Layer) -> Option<(u64, u64)> {
    let m = archive.members.get(layer.member?)?;
    Some((m.data_offset?, m.size))
}

fn offer(blob: &web_sys::Blob, name: &str) -> Result<(), String> {
    crate::worker_export::offer(blob, name)
}

fn js_err(e: JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{e:?}"))
}

#[derive(Properties, PartialEq)]
pub struct LayerExportProps {
    pub archive: crate::state::ArchiveRef,
    pub image: usize,
    pub layer: usize,
    /// The opened file the archive was read from (the reader's), if the page still has it.
    pub file: Option<web_sys::File>,
}

/// "Download layer" (as stored) and "Download as .tar" (uncompressed) for one layer.
#[function_component(LayerExport)]
pub fn layer_export(p: &LayerExportProps) -> Html {
    let lang = use_lang();
    let failed = use_state(|| None::<String>);
    let Some(layer) = p
        .archive
        .images
        .get(p.image)
        .and_then(|i| i.layers.get(p.layer))
    else {
        return html! {};
    };
    let number = p.layer + 1;
    let (Some(file), Some(member)) = (p.file.clone(), layer.member) else {
        return html! {
            <p class="muted small" data-testid="layer-export-unavailable">{ t(lang, "tree-layer-export-unavailable") }</p>
        };
    };
    let n = number.to_string();
    // The stored blob is a slice of the file when it has an offset there (not inside a
    // whole-file-compressed save).
    let stored = blob_span(&p.archive, layer).map(|(offset, len)| {
        let stored_name = layer_file_name(layer, number, true);
        let on_stored = {
            let failed = failed.clone();
            let name = stored_name.clone();
            let file = file.clone();
            Callback::from(move |_| {
                let r = file
                    .slice_with_f64_and_f64(offset as f64, offset.saturating_add(len) as f64)
                    .map_err(js_err)
                    .and_then(|b| offer(&b, &name));
                failed.set(r.err())
            })
        };
        html! {
            <button type="button" class="button quiet" data-testid="download-layer-stored" data-name={stored_name.clone()}
                title={stored_name} onclick={on_stored}>
                { tf(lang, "tree-layer-download-stored", &[("n", &n)]) }
            </button>
        }
    });
    // What the image says the tar is (the config's diff_id); the one computed when the file
    // was read when the config names none.
    let expected = layer
        .config_diff_id
        .clone()
        .or_else(|| layer.diff_id.clone());
    let target = SaveTarget::Layer {
        member,
        number,
        expected,
    };
    html! {
        <div class="layer-export" data-testid="layer-export">
            { stored.unwrap_or_default() }
            <Save archive={p.archive.clone()} file={Some(file)} target={target} testid="download-layer-tar"
                label={tf(lang, "tree-layer-download-tar", &[("n", &n)])} />
            { if let Some(e) = &*failed {
                html! { <p class="error-text" role="alert">{ tf(lang, "tree-download-failed", &[("error", e)]) }</p> }
            } else { html! {} } }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pancake_core::Digest;

    #[test]
    fn names_follow_the_digest_and_the_form() {
        let diff = Digest::of_bytes(b"tar");
        let blob = Digest::of_bytes(b"gz");
        let mut l = Layer {
            digest: Some(blob.clone()),
            diff_id: Some(diff.clone()),
            compression: Compression::Gzip,
            ..Layer::default()
        };
        assert_eq!(
            layer_file_name(&l, 2, true),
            format!("{}.tar.gz", blob.hex())
        );
        assert_eq!(layer_file_name(&l, 2, false), format!("{}.tar", diff.hex()));
        l.compression = Compression::Zstd;
        assert!(layer_file_name(&l, 2, true).ends_with(".tar.zst"));
        let none = Layer::default();
        assert_eq!(layer_file_name(&none, 3, false), "layer-3.tar");
        let claimed_only = Layer {
            config_diff_id: Some(diff.clone()),
            ..Layer::default()
        };
        assert_eq!(
            layer_file_name(&claimed_only, 3, false),
            "layer-3.tar",
            "a claim the bytes were not checked against names nothing"
        );
        assert_eq!(layer_file_name(&none, 3, true), "layer-3.tar");
    }
}
