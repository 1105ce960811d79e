//! The one size the page shows for a layer, wherever the layer appears (stack, details,
//! Shared diagram, compare, container stack): the size of the layer's files, as
//! `docker image history` prints it (`pancake_core::analyze::history::layer_content_size`).
//!
//! A layer has three honest sizes — its files, its uncompressed tar (headers and padding
//! included) and its blob as stored (maybe compressed) — and a class comparing layers across
//! views must see the same number for the same layer. The other two are shown, labelled, only
//! in a layer's details ([`other_sizes`]).

use crate::figures::human_size;
use pancake_core::analyze::history::layer_content_size;
use pancake_core::{Archive, Compression, Image, Layer};
use yew::prelude::*;

use super::{verdict, Verdict};
use crate::i18n::{t, tf, Lang};
use crate::state::{ArchiveRef, StructureKey};
use std::rc::Rc;

/// A layer of image `image` has its blob in the file but no index yet, and no error: its
/// tar is still being walked (an outline is shown) or its compressed blob still being read.
/// Its files and sizes are unknown, not zero, while the reading goes on; callers say
/// "pending" then (after a cancelled reading, `stack::not_read` says it was never read).
pub fn awaiting_index(archive: &Archive, image: usize) -> bool {
    archive
        .images
        .get(image)
        .is_some_and(|im| im.layers.iter().any(|l| unindexed(archive, l)))
}

/// Layer `l`'s blob is in the file with no index, no digest and no error yet (see
/// [`awaiting_index`]).
pub fn unindexed(archive: &Archive, l: &Layer) -> bool {
    l.member
        .and_then(|m| archive.members.get(m))
        .is_some_and(|m| {
            m.facts.layer.is_none() && m.facts.sha256.is_none() && m.facts.error.is_none()
        })
}

/// The headline size of layer `layer` (0 = base) of `image`, in bytes: the size of its files
/// (Docker's `DiffSize`, see `layer_content_size`; the uncompressed tar size while the layer
/// is not indexed yet). A layer left out on purpose (non-distributable) has no content in the
/// archive: its descriptor's size stands in, and [`text`] says so. 0 for a layer that does
/// not exist.
pub fn bytes(archive: &Archive, image: &Image, layer: usize) -> u64 {
    if verdict(archive, image, layer) == Verdict::NonDistributable {
        image.layers.get(layer).map(|l| l.stored_size).unwrap_or(0)
    } else {
        layer_content_size(archive, image, layer)
    }
}

/// [`bytes`] as the page prints it (`3.58kB`, Docker's units), with "· not here" for a layer
/// left out on purpose. The same text in every view for the same layer.
pub fn text(lang: Lang, archive: &Archive, image: &Image, layer: usize) -> String {
    measure(lang, archive, image, layer).1
}

/// [`bytes`] and [`text`] together, walking the layer's entries once.
pub fn measure(lang: Lang, archive: &Archive, image: &Image, layer: usize) -> (u64, String) {
    let n = bytes(archive, image, layer);
    (n, text_of(lang, archive, image, layer, n))
}

/// [`text`] for a byte count already measured with [`bytes`] (e.g. by [`use_bytes`]).
pub fn text_of(lang: Lang, archive: &Archive, image: &Image, layer: usize, n: u64) -> String {
    let size = human_size(lang, n);
    if verdict(archive, image, layer) == Verdict::NonDistributable {
        tf(lang, "nondist-size-short", &[("size", &size)])
    } else {
        size
    }
}

/// [`bytes`] of every layer of `image`, base first, taken from the scanner worker's `summary`
/// of it when there is one for all its layers (its `content_bytes`: the same figure, and a
/// large image's entries are not walked, nor decoded, on the page's thread).
pub fn all_bytes(
    archive: &Archive,
    image: &Image,
    summary: Option<&pancake_core::analyze::summary::ImageSummary>,
) -> Vec<u64> {
    let summary = summary.filter(|s| s.layers.len() == image.layers.len());
    (0..image.layers.len())
        .map(|i| match summary.and_then(|s| s.layers.get(i)) {
            Some(l) if verdict(archive, image, i) != Verdict::NonDistributable => l.content_bytes,
            _ => bytes(archive, image, i),
        })
        .collect()
}

/// [`bytes`] of every layer of image `image`, base first, kept while the archive's structure
/// (its members' entry lists) is unchanged: a view re-rendering on every hashing update does
/// not walk 200,000 entries again. Empty for an image that does not exist.
#[hook]
pub fn use_bytes(archive: &ArchiveRef, image: usize) -> Rc<Vec<u64>> {
    use_memo((StructureKey(archive.clone()), image), |(a, img)| {
        a.images
            .get(*img)
            .map(|im| (0..im.layers.len()).map(|i| bytes(a, im, i)).collect())
            .unwrap_or_default()
    })
}

/// [`use_bytes`], taken from the scanner worker's `summary` of the image when there is one
/// (its `content_bytes`: the same figure, folded nowhere on the page's thread); empty while
/// `coming` (the summary is on its way: nothing is measured from entries not all here yet).
#[hook]
pub fn use_bytes_of(
    archive: &ArchiveRef,
    image: usize,
    summary: Option<&pancake_core::analyze::summary::ImageSummary>,
    coming: bool,
) -> Rc<Vec<u64>> {
    let from_summary: Option<Vec<u64>> = if coming {
        Some(Vec::new())
    } else {
        summary.map(|s| {
            archive
                .images
                .get(image)
                .map(|im| {
                    (0..im.layers.len())
                        .map(|i| {
                            if verdict(archive, im, i) == Verdict::NonDistributable {
                                bytes(archive, im, i)
                            } else {
                                s.layers.get(i).map_or(0, |l| l.content_bytes)
                            }
                        })
                        .collect()
                })
                .unwrap_or_default()
        })
    };
    let key = (StructureKey(archive.clone()), image, from_summary);
    use_memo(key, |(a, img, given)| match given {
        Some(v) => v.clone(),
        None => a
            .images
            .get(*img)
            .map(|im| (0..im.layers.len()).map(|i| bytes(a, im, i)).collect())
            .unwrap_or_default(),
    })
}

/// The headline size as an element: `class="size"`, `data-testid="layer-size"`, the exact
/// byte count in `data-bytes`, and a tooltip naming what it measures.
pub fn span(lang: Lang, archive: &Archive, image: &Image, layer: usize) -> Html {
    let (n, text) = measure(lang, archive, image, layer);
    span_of(lang, n, &text)
}

/// [`span`] from a [`measure`] already made.
pub fn span_of(lang: Lang, bytes: u64, text: &str) -> Html {
    html! {
        <span class="size" data-testid="layer-size" data-bytes={bytes.to_string()}
            title={t(lang, "lsz-title")}>{ text.to_string() }</span>
    }
}

/// The one line saying what the sizes in a list of layers are (stack, Shared, container).
pub fn key(lang: Lang) -> Html {
    html! { <p class="muted small lsz-key" data-testid="size-key">{ t(lang, "lsz-key") }</p> }
}

/// The details' size rows (`<dt>`/`<dd>` pairs for a `<dl class="facts">`): the headline
/// size of files, then the uncompressed tar and the stored blob with its compression. A layer
/// left out on purpose has only its descriptor's size. `n` is its [`bytes`], already measured
/// (by [`use_bytes`], so a re-render does not walk the layer again).
pub fn detail_rows(lang: Lang, archive: &Archive, image: &Image, layer: usize, n: u64) -> Html {
    let Some(l) = image.layers.get(layer) else {
        return html! {};
    };
    if verdict(archive, image, layer) == Verdict::NonDistributable {
        return html! {
            <>
                <dt>{ t(lang, "lsz-files") }</dt>
                <dd>{ span_of(lang, n, &text_of(lang, archive, image, layer, n)) }<span class="muted small">{ " — " }{ tf(lang, "nondist-size", &[("size", &human_size(lang, l.stored_size))]) }</span></dd>
            </>
        };
    }
    html! {
        <>
            <dt>{ t(lang, "lsz-files") }</dt>
            <dd>{ span_of(lang, n, &text_of(lang, archive, image, layer, n)) }<span class="muted small">{ " — " }{ t(lang, "lsz-files-explain") }</span></dd>
            <dt>{ t(lang, "lsz-other") }</dt>
            <dd data-testid="layer-other-sizes" data-tar-bytes={l.size.to_string()} data-stored-bytes={l.stored_size.to_string()}>
                { other_sizes(lang, l) }
            </dd>
        </>
    }
}

/// "tar 43.5kB · stored 12kB (gzip)": the layer's uncompressed tar and its blob as stored.
pub fn other_sizes(lang: Lang, l: &Layer) -> String {
    sizes_of(lang, l.size, l.stored_size, l.compression)
}

/// [`other_sizes`] from the figures themselves: `tar` bytes uncompressed, `stored` bytes as
/// stored in `compression`.
pub fn sizes_of(lang: Lang, tar: u64, stored: u64, compression: Compression) -> String {
    tf(
        lang,
        "lsz-other-detail",
        &[
            ("tar", &human_size(lang, tar)),
            ("stored", &human_size(lang, stored)),
            ("compression", &compression_name(lang, compression)),
        ],
    )
}

/// The size rows of a layer whose blob was never read: its files and tar are unknown, the
/// blob's stored size is not.
pub fn unread_rows(lang: Lang, l: &Layer, absent: bool) -> Html {
    if absent {
        // Not in the tarball: no size of its own to give beyond what the stack shows.
        return html! {
            <>
                <dt>{ t(lang, "lsz-files") }</dt>
                <dd class="muted" data-testid="not-read">{ t(lang, "not-in-tarball") }</dd>
            </>
        };
    }
    let stored = tf(
        lang,
        "lsz-stored-only",
        &[
            ("stored", &human_size(lang, l.stored_size)),
            ("compression", &compression_name(lang, l.compression)),
        ],
    );
    html! {
        <>
            <dt>{ t(lang, "lsz-files") }</dt>
            <dd class="muted" data-testid="not-read">{ t(lang, "not-read") }</dd>
            <dt>{ t(lang, "lsz-other") }</dt>
            <dd data-testid="layer-other-sizes" data-stored-bytes={l.stored_size.to_string()}>{ stored }</dd>
        </>
    }
}

fn compression_name(lang: Lang, compression: Compression) -> String {
    match compression {
        Compression::None => t(lang, "compression-none"),
        Compression::Gzip => "gzip".to_string(),
        Compression::Zstd => "zstd".to_string(),
        Compression::Xz => "xz".to_string(),
        Compression::Bzip2 => "bzip2".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pancake_core::analyze::summary::summarize;
    use pancake_core::read::archive::{open, Options};

    /// The sizes from the scanner's figures are the sizes walked here, layer by layer; a
    /// summary that does not cover every layer is not used (the entries are walked).
    #[test]
    fn all_bytes_from_the_summary_are_the_walked_sizes() {
        let bytes_of = pancake_demo::build("nginx").unwrap_or_default();
        let a = open("nginx", &bytes_of, &Options::default(), &mut |_| {}).expect("reads");
        let image = a.images.first().expect("an image");
        let walked: Vec<u64> = (0..image.layers.len())
            .map(|i| bytes(&a, image, i))
            .collect();
        assert!(
            walked.len() > 1 && walked.iter().any(|n| *n > 0),
            "{walked:?}"
        );
        let summary = summarize(&a, image);
        assert_eq!(all_bytes(&a, image, Some(&summary)), walked);
        assert_eq!(all_bytes(&a, image, None), walked);
        // The figures are taken as they came, not walked again.
        let mut marked = summary.clone();
        for (k, l) in marked.layers.iter_mut().enumerate() {
            l.content_bytes = 1000 + k as u64;
        }
        let want: Vec<u64> = (0..walked.len() as u64).map(|k| 1000 + k).collect();
        assert_eq!(all_bytes(&a, image, Some(&marked)), want);
        let mut short = summary.clone();
        short.layers.pop();
        for l in &mut short.layers {
            l.content_bytes = u64::MAX;
        }
        assert_eq!(all_bytes(&a, image, Some(&short)), walked);
    }
}
