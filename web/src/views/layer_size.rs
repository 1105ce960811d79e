//! The one size the page shows for a layer, wherever the layer appears (stack, details,
//! Shared diagram, compare, container stack): the size of the layer's files, as
//! `docker image history` prints it (`pancake_core::analyze::history::known_content_size`:
//! "size unknown" for a layer whose files are not all known).
//!
//! A layer has three honest sizes — its files, its uncompressed tar (headers and padding
//! included) and its blob as stored (maybe compressed) — and a class comparing layers across
//! views must see the same number for the same layer. The other two are shown, labelled, only
//! in a layer's details ([`other_sizes`]).

use crate::figures::human_size;
use pancake_core::analyze::gaps::{layer_gap, GapKind};
use pancake_core::analyze::history::known_content_size;
use pancake_core::{Archive, Compression, CutEntry, Image, Layer, RawPath};
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
/// archive: its descriptor's size stands in, and [`text`] says so. 0 for a layer whose size
/// is not known ([`size_unknown`]: [`text`] says "size unknown") or that does not exist.
pub fn bytes(archive: &Archive, image: &Image, layer: usize) -> u64 {
    if verdict(archive, image, layer) == Verdict::NonDistributable {
        image.layers.get(layer).map(|l| l.stored_size).unwrap_or(0)
    } else {
        known_content_size(archive, image, layer).unwrap_or(0)
    }
}

/// Layer `layer` of `image` has files that are not all known (`gaps::layer_gap`: its blob
/// missing, not read to its end, or entries left out by a reading limit), so its size is
/// unknown: what is listed would sum to a wrong figure (a header cut short claims its whole
/// size: "1.1TB" for a 5 kB blob). The core's `known_content_size` is `None` for the same
/// layers. A layer left out on purpose is not counted here: its descriptor's size is shown.
pub fn size_unknown(archive: &Archive, image: &Image, layer: usize) -> bool {
    matches!(layer_gap(archive, image, layer), Some(g) if g != GapKind::NonDistributable)
}

/// The size of layer `layer` from the scanner's `content_bytes` for it: as [`bytes`] gives it
/// (the descriptor's size for a layer left out on purpose, 0 for one of unknown size).
fn from_figures(archive: &Archive, image: &Image, layer: usize, content_bytes: u64) -> u64 {
    if verdict(archive, image, layer) == Verdict::NonDistributable {
        bytes(archive, image, layer)
    } else if size_unknown(archive, image, layer) {
        0
    } else {
        content_bytes
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

/// [`text`] for a byte count already measured with [`bytes`] (e.g. by [`use_bytes`]). A
/// layer whose blob the file lacks (not on purpose) has no files to measure: "size unknown",
/// not the 0 B its missing index would sum to.
pub fn text_of(lang: Lang, archive: &Archive, image: &Image, layer: usize, n: u64) -> String {
    match verdict(archive, image, layer) {
        Verdict::NonDistributable => tf(
            lang,
            "nondist-size-short",
            &[("size", &human_size(lang, n))],
        ),
        _ if absent(image, layer) || size_unknown(archive, image, layer) => t(lang, "size-unknown"),
        _ => human_size(lang, n),
    }
}

/// Layer `layer` of `image` has no blob in the file (missing, or left out on purpose): its
/// files were never here to read.
pub fn absent(image: &Image, layer: usize) -> bool {
    image.layers.get(layer).is_some_and(|l| l.member.is_none())
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
            Some(l) => from_figures(archive, image, i, l.content_bytes),
            None => bytes(archive, image, i),
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

/// The archive last shown while no worker figures were on their way (see [`Coming`]), if it
/// is an earlier state of the one shown (the same members and images). One of another file
/// is let go at once: it must not stay in memory while a new file is read.
#[hook]
pub fn use_settled(archive: &ArchiveRef, coming: bool) -> Option<ArchiveRef> {
    let settled = use_mut_ref(|| None::<ArchiveRef>);
    let mut held = settled.borrow_mut();
    if !coming {
        *held = Some(archive.clone());
    } else if held.as_ref().is_some_and(|s| !same_file(s, archive)) {
        *held = None;
    }
    held.clone()
}

/// `a` and `b` are states of one reading: the same members in the same order, images with
/// their layers on the same members, and at least one layer list shared. O(members + layers).
fn same_file(a: &Archive, b: &Archive) -> bool {
    let layers = |x: &Archive| -> Vec<Vec<Option<usize>>> {
        x.images
            .iter()
            .map(|i| i.layers.iter().map(|l| l.member).collect())
            .collect()
    };
    a.members.len() == b.members.len()
        && a.members
            .iter()
            .zip(&b.members)
            .all(|(x, y)| x.path == y.path && x.data_offset == y.data_offset)
        && layers(a) == layers(b)
        // And of one reading: a file opened again gives new lists, never the same ones.
        && a.members.iter().zip(&b.members).any(|(x, y)| {
            matches!((&x.facts.layer, &y.facts.layer), (Some(i), Some(j)) if i.entries.as_ptr() == j.entries.as_ptr())
        })
}

/// Which layers' figures wait for the scanner's figures on their way (`summary_coming`).
///
/// The pool says the figures are coming as it hands on an archive with a large new layer
/// index, which the page does not fold. The layers whose index is the one they had in the
/// archive last shown without figures coming ([`use_settled`]) keep what was measured of
/// them: before, every size, entry count and change went back to "pending" for the
/// moment the figures took, and the stack jumped.
#[derive(Clone, Copy, Debug)]
pub struct Coming<'a> {
    coming: bool,
    now: &'a Archive,
    settled: Option<&'a Archive>,
    image: usize,
}

impl<'a> Coming<'a> {
    pub fn new(coming: bool, now: &'a Archive, settled: Option<&'a Archive>, image: usize) -> Self {
        Coming {
            coming,
            now,
            settled,
            image,
        }
    }

    /// Layer `layer`'s figures (size, entries) are on their way: its index is new since the
    /// archive last settled (or none settled).
    pub fn layer(&self, layer: usize) -> bool {
        self.coming && !self.same_index(layer)
    }

    /// The figures of layers `0..=upto` together (what layer `upto` changes) are on their way.
    pub fn up_to(&self, upto: usize) -> bool {
        self.coming && !(0..=upto).all(|l| self.same_index(l))
    }

    /// The figures of the whole image (what each layer wastes) are on their way.
    pub fn all(&self) -> bool {
        let n = self
            .now
            .images
            .get(self.image)
            .map_or(0, |im| im.layers.len());
        self.up_to(n.saturating_sub(1))
    }

    fn same_index(&self, layer: usize) -> bool {
        let index = |a: &'a Archive| {
            let m = a.images.get(self.image)?.layers.get(layer)?.member?;
            Some((
                m,
                a.members
                    .get(m)?
                    .facts
                    .layer
                    .as_ref()
                    .map(|ix| ix.entries.as_ptr()),
            ))
        };
        match (self.settled.map(index), index(self.now)) {
            // The same member with the same list (the settled archive is held, so its
            // lists are alive and a pointer is not reused), or both without an index.
            (Some(Some(a)), Some(b)) => a == b,
            // A layer with no blob in the file has no figures to wait for.
            (Some(None), None) => true,
            _ => false,
        }
    }
}

/// [`use_bytes`], taken from the scanner worker's `summary` of the image when there is one
/// (its `content_bytes`: the same figure, folded nowhere on the page's thread); `None` for a
/// layer whose figures are `coming` (on their way: nothing is measured from entries not all
/// here yet).
#[hook]
pub fn use_bytes_of(
    archive: &ArchiveRef,
    image: usize,
    summary: Option<&pancake_core::analyze::summary::ImageSummary>,
    coming: bool,
) -> Rc<Vec<Option<u64>>> {
    let settled = use_settled(archive, coming);
    // What was measured while no figures were coming, for the layers that keep it meanwhile:
    // nothing is measured while they come (a large index must not be walked here then).
    let kept = use_mut_ref(|| None::<(usize, Rc<Vec<Option<u64>>>)>);
    let from_summary: Option<Vec<u64>> = if coming {
        None
    } else {
        summary.map(|s| {
            archive
                .images
                .get(image)
                .map(|im| {
                    (0..im.layers.len())
                        .map(|i| {
                            let given = s.layers.get(i).map_or(0, |l| l.content_bytes);
                            from_figures(archive, im, i, given)
                        })
                        .collect()
                })
                .unwrap_or_default()
        })
    };
    let key = (StructureKey(archive.clone()), image, from_summary, coming);
    let measured = use_memo(key, |(a, img, given, coming)| {
        let Some(im) = a.images.get(*img) else {
            return Vec::new();
        };
        (0..im.layers.len())
            .map(|i| match given {
                _ if *coming => None,
                Some(v) => v.get(i).copied(),
                None => Some(bytes(a, im, i)),
            })
            .collect::<Vec<Option<u64>>>()
    });
    if !coming {
        *kept.borrow_mut() = Some((image, measured.clone()));
        return measured;
    }
    let c = Coming::new(true, archive, settled.as_deref(), image);
    let n = archive.images.get(image).map_or(0, |im| im.layers.len());
    let kept = kept.borrow();
    let before = kept.as_ref().filter(|(im, _)| *im == image).map(|(_, v)| v);
    Rc::new(
        (0..n)
            .map(|i| match before {
                Some(v) if !c.layer(i) => v.get(i).copied().flatten(),
                _ => None,
            })
            .collect(),
    )
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

/// A file's size as a file list shows it (`size` bytes, as its header says), or, for a file
/// of `cuts` (`gaps::cut_files`: its `layer` and `path`), that only part of it is here: "✂ 4.1kB of 1.1TB"
/// shown, and said in full for a screen reader (`aria-hidden` short form, hidden sentence).
pub fn file_size(
    lang: Lang,
    cuts: &[(usize, &RawPath, CutEntry)],
    layer: Option<usize>,
    path: &RawPath,
    size: u64,
) -> Html {
    let cut = cuts
        .iter()
        .find(|(l, p, _)| Some(*l) == layer && *p == path)
        .map(|(_, _, c)| *c);
    match cut {
        Some(c) => {
            let args = [
                ("present", human_size(lang, c.present)),
                ("claimed", human_size(lang, c.claimed)),
            ];
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let said = tf(lang, "size-cut-said", &args);
            html! {
                <span class="file-size cut" data-testid="file-cut" data-claimed={c.claimed.to_string()}
                    data-present={c.present.to_string()} title={said.clone()}>
                    <span aria-hidden="true">{ tf(lang, "size-cut", &args) }</span>
                    <span class="visually-hidden">{ said }</span>
                </span>
            }
        }
        None => html! { <span class="file-size">{ human_size(lang, size) }</span> },
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
