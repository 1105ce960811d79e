//! `docker commit` + `docker save` in the page: the core commits the writable layer and
//! writes the tarball; this module only fetches the lower layer blobs from the opened
//! `File` (by offset, asynchronously) and hands the result back as a `File`.

use std::collections::HashMap;
use std::io::{self, Cursor, Read};

use pancake_core::write::container::{self, Container, ContainerError};
use pancake_core::Archive;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::File;

/// The committed image as a `docker load` tarball, with the name it is offered under.
pub struct Exported {
    pub file: File,
    pub tag: String,
}

/// Why a commit or export in the page failed; the view says it in the page's language
/// (`views::container_message`). Details in the browser's or the core's own words are kept
/// as they came.
#[derive(Clone, Debug, PartialEq)]
pub enum ExportFailure {
    /// The image the container runs on is no longer in the opened archive.
    ImageGone,
    /// The reader did not keep the image's config, so it cannot be extended.
    NoConfig,
    /// The core refused the commit.
    Refused(ContainerError),
    /// A lower layer's blob is not in the archive (1-based layer number, base first).
    BlobMissing {
        /// The layer, 1 = base.
        layer: usize,
    },
    /// The save is compressed as a whole, so a layer cannot be copied out by its offset.
    CompressedWhole {
        /// The member, as the archive names it.
        member: String,
    },
    /// The opened file could not be read (the browser's words).
    Read(String),
    /// The opened file gave `got` bytes at `offset` where `want` were asked for (it changed
    /// since it was opened).
    Short {
        /// Byte offset in the opened file.
        offset: u64,
        /// Bytes asked for.
        want: u64,
        /// Bytes given.
        got: u64,
    },
    /// Writing the tarball failed (the core's words).
    Write(String),
    /// The download could not be offered (the browser's words).
    Download(String),
}

async fn read_range(file: &File, offset: u64, len: u64) -> Result<Vec<u8>, ExportFailure> {
    let blob = file
        .slice_with_f64_and_f64(offset as f64, (offset + len) as f64)
        .map_err(|e| ExportFailure::Read(format!("{e:?}")))?;
    let buf = JsFuture::from(blob.array_buffer())
        .await
        .map_err(|e| ExportFailure::Read(format!("{e:?}")))?;
    let bytes = js_sys::Uint8Array::new(&buf).to_vec();
    if bytes.len() as u64 != len {
        return Err(ExportFailure::Short {
            offset,
            want: len,
            got: bytes.len() as u64,
        });
    }
    Ok(bytes)
}

/// `created_by` of the new history step: the changes, as `docker diff` names them.
fn describe(diff: &[String]) -> String {
    // Leaf changes say the most; parents marked `C` only because something below changed
    // would repeat them.
    let leaves: Vec<&String> = diff
        .iter()
        .filter(|l| {
            let p = l.get(2..).unwrap_or("");
            !diff
                .iter()
                .any(|o| o.get(2..).is_some_and(|q| q.starts_with(&format!("{p}/"))))
        })
        .collect();
    let shown: Vec<&str> = leaves.iter().take(4).map(|s| s.as_str()).collect();
    let more = leaves.len().saturating_sub(shown.len());
    let mut s = format!("pancake commit: {}", shown.join(", "));
    if more > 0 {
        s.push_str(&format!(" (+{more} more)"));
    }
    s
}

/// Commits `c` on the image it runs on and writes the export.
pub async fn commit_and_export(
    file: File,
    archive: &Archive,
    image: usize,
    c: &Container,
    diff: &[String],
) -> Result<Exported, ExportFailure> {
    let img = archive.images.get(image).ok_or(ExportFailure::ImageGone)?;
    let config = container::image_config_json(archive, img).ok_or(ExportFailure::NoConfig)?;
    let created = js_sys::Date::new_0()
        .to_iso_string()
        .as_string()
        .unwrap_or_default();
    // Docker writes seconds (RFC 3339) — drop the milliseconds.
    let created = match created.split_once('.') {
        Some((secs, _)) => format!("{secs}Z"),
        None => created,
    };
    let committed = c
        .commit(
            config.as_bytes(),
            &describe(diff),
            Some(&format!("container {} ({})", c.name, c.short_id())),
            &created,
        )
        .map_err(ExportFailure::Refused)?;

    let mut blobs: HashMap<usize, Vec<u8>> = HashMap::new();
    for (i, l) in img.layers.iter().enumerate() {
        let m = l
            .member
            .and_then(|m| archive.members.get(m).map(|mm| (m, mm)));
        let Some((idx, member)) = m else {
            return Err(ExportFailure::BlobMissing { layer: i + 1 });
        };
        let Some(offset) = member.data_offset else {
            return Err(ExportFailure::CompressedWhole {
                member: member.path.display().into_owned(),
            });
        };
        if let std::collections::hash_map::Entry::Vacant(e) = blobs.entry(idx) {
            e.insert(read_range(&file, offset, member.size).await?);
        }
    }
    let tag = format!("pancake/{}:latest", c.name);
    let mut fetch = |m: usize| -> io::Result<Box<dyn Read>> {
        let b = blobs
            .get(&m)
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("member #{m}")))?;
        Ok(Box::new(Cursor::new(b)))
    };
    let bytes = container::export_to(Vec::new(), img, &committed, &tag, &mut fetch)
        .map_err(|e| ExportFailure::Write(e.to_string()))?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
    let name = format!(
        "{}-{}.tar",
        download_stem(&c.name),
        committed.config_digest.hex().get(..12).unwrap_or("")
    );
    let file = File::new_with_u8_array_sequence(&parts, &name)
        .map_err(|e| ExportFailure::Write(format!("{e:?}")))?;
    Ok(Exported { file, tag })
}

/// A container name as part of a download's file name: letters, digits, `.`, `_` and `-`
/// kept, anything else (`/`, `<`, quotes, controls, bidi overrides) as `_`, so the saved
/// file is named what the page shows and nothing else.
pub fn download_stem(name: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() && !pancake_core::escape::is_hidden_control(c)
                || matches!(c, '.' | '_' | '-')
            {
                c
            } else {
                '_'
            }
        })
        .collect();
    let stem = stem.trim_start_matches('.');
    if stem.is_empty() {
        "container".to_string()
    } else {
        stem.to_string()
    }
}

/// Offers `file` as a download (an `<a download>` with an object URL).
/// Errors are the browser's words.
pub fn download(file: &File) -> Result<(), String> {
    let url = web_sys::Url::create_object_url_with_blob(file).map_err(|e| format!("{e:?}"))?;
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = doc
        .create_element("a")
        .map_err(|e| format!("{e:?}"))?
        .dyn_into()
        .map_err(|_| "not an anchor")?;
    a.set_href(&url);
    a.set_download(&file.name());
    a.set_attribute("hidden", "").ok();
    if let Some(body) = doc.body() {
        let _ = body.append_child(&a);
    }
    a.click();
    a.remove();
    // The download has its own reference; the URL can go once the click is handled.
    gloo::timers::callback::Timeout::new(60_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}

#[cfg(test)]
mod download_name_tests {
    use super::download_stem;

    #[test]
    fn container_names_make_plain_file_names() {
        assert_eq!(download_stem("fluffy_martabak"), "fluffy_martabak");
        assert_eq!(download_stem("../<img src=x>"), "__img_src_x_");
        assert_eq!(download_stem("rtl\u{202e}gpj.exe"), "rtl_gpj.exe");
        assert_eq!(download_stem("a/b\\c\x1b"), "a_b_c_");
        assert_eq!(download_stem("..."), "container");
    }
}
