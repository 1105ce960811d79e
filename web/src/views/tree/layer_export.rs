//! Saving one layer from the page (issue 15): its blob as stored (a slice of the opened file,
//! so nothing is copied into memory), and its uncompressed tar (a gzip blob inflated by the
//! browser's streaming `DecompressionStream` into a Blob, which the browser may keep on
//! disk). The uncompressed tar's SHA-256 is the layer's diff_id. Nothing is uploaded.

use pancake_core::{Archive, Compression, Layer};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

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
    let parts = js_sys::Array::of1(blob);
    let opts = web_sys::FilePropertyBag::new();
    opts.set_type("application/octet-stream");
    let file = web_sys::File::new_with_blob_sequence_and_options(&parts, name, &opts)
        .map_err(|e| format!("{e:?}"))?;
    crate::container_export::download(&file)
}

fn js_err(e: JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{e:?}"))
}

/// `blob` inflated with the browser's `DecompressionStream("gzip")`, streamed into a Blob.
/// Called through `Reflect` so the page needs no extra `web-sys` features.
async fn gunzip(blob: &web_sys::Blob) -> Result<web_sys::Blob, String> {
    let global = js_sys::global();
    let ctor = js_sys::Reflect::get(&global, &"DecompressionStream".into()).map_err(js_err)?;
    let ctor: js_sys::Function = ctor
        .dyn_into()
        .map_err(|_| "this browser has no DecompressionStream".to_string())?;
    let ds =
        js_sys::Reflect::construct(&ctor, &js_sys::Array::of1(&"gzip".into())).map_err(js_err)?;
    let stream_fn: js_sys::Function = js_sys::Reflect::get(blob, &"stream".into())
        .map_err(js_err)?
        .dyn_into()
        .map_err(|_| "Blob.stream is missing".to_string())?;
    let stream = stream_fn.call0(blob).map_err(js_err)?;
    let pipe: js_sys::Function = js_sys::Reflect::get(&stream, &"pipeThrough".into())
        .map_err(js_err)?
        .dyn_into()
        .map_err(|_| "ReadableStream.pipeThrough is missing".to_string())?;
    let out = pipe.call1(&stream, &ds).map_err(js_err)?;
    let resp_ctor: js_sys::Function = js_sys::Reflect::get(&global, &"Response".into())
        .map_err(js_err)?
        .dyn_into()
        .map_err(|_| "Response is missing".to_string())?;
    let resp = js_sys::Reflect::construct(&resp_ctor, &js_sys::Array::of1(&out)).map_err(js_err)?;
    let resp: web_sys::Response = resp.dyn_into().map_err(|_| "not a Response".to_string())?;
    let blob = JsFuture::from(resp.blob().map_err(js_err)?)
        .await
        .map_err(js_err)?;
    blob.dyn_into().map_err(|_| "not a Blob".to_string())
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
    let busy = use_state(|| false);
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
    let span = blob_span(&p.archive, layer);
    let (Some(file), Some((offset, len))) = (p.file.clone(), span) else {
        return html! {
            <p class="muted small" data-testid="layer-export-unavailable">{ t(lang, "tree-layer-export-unavailable") }</p>
        };
    };
    let slice = move || {
        file.slice_with_f64_and_f64(offset as f64, offset.saturating_add(len) as f64)
            .map_err(js_err)
    };
    let stored_name = layer_file_name(layer, number, true);
    let tar_name = layer_file_name(layer, number, false);
    let on_stored = {
        let slice = slice.clone();
        let failed = failed.clone();
        let name = stored_name.clone();
        Callback::from(move |_| failed.set(slice().and_then(|b| offer(&b, &name)).err()))
    };
    let compression = layer.compression;
    let on_tar = {
        let failed = failed.clone();
        let busy = busy.clone();
        let name = tar_name.clone();
        Callback::from(move |_| {
            let blob = match slice() {
                Ok(b) => b,
                Err(e) => return failed.set(Some(e)),
            };
            match compression {
                Compression::None => failed.set(offer(&blob, &name).err()),
                _ => {
                    let failed = failed.clone();
                    let busy = busy.clone();
                    let name = name.clone();
                    busy.set(true);
                    wasm_bindgen_futures::spawn_local(async move {
                        let r = gunzip(&blob).await.and_then(|b| offer(&b, &name));
                        busy.set(false);
                        failed.set(r.err());
                    });
                }
            }
        })
    };
    // Only gzip can be inflated by every browser's DecompressionStream.
    let tar_possible = matches!(compression, Compression::None | Compression::Gzip);
    let n = number.to_string();
    html! {
        <div class="layer-export" data-testid="layer-export">
            <button type="button" class="button quiet" data-testid="download-layer-stored" data-name={stored_name.clone()}
                title={stored_name} onclick={on_stored}>
                { tf(lang, "tree-layer-download-stored", &[("n", &n)]) }
            </button>
            { if tar_possible {
                html! {
                    <button type="button" class="button quiet" data-testid="download-layer-tar" data-name={tar_name.clone()}
                        title={tar_name} onclick={on_tar} disabled={*busy} aria-busy={busy.to_string()}>
                        { if *busy { t(lang, "tree-layer-inflating") } else { tf(lang, "tree-layer-download-tar", &[("n", &n)]) } }
                    </button>
                }
            } else {
                html! { <span class="muted small" data-testid="layer-tar-unavailable">{ t(lang, "tree-layer-tar-unavailable") }</span> }
            } }
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
