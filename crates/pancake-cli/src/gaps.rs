//! Saying where what a command listed is incomplete (`pancake_core::analyze::gaps`): `ls`,
//! `find` and `diff` show what could be read, then fail with one line naming each layer whose
//! files are not all known, and `cat` adds that line to a path it cannot find, so an absence
//! (a file past a broken header, which `diff` would otherwise call deleted) is never taken for
//! a fact. `tar` does the same: it lists what it can and exits non-zero.

use std::path::Path;

use pancake_core::analyze::gaps::{listing_gaps, ListingGap};
use pancake_core::{Archive, Image};

use crate::term::Safe;

/// The gaps of layers `0..=upto` of image `index` of `archive` (read from `file`), in one
/// line: `FILE: image N: WHAT is incomplete: layer L (BLOB): why; layer …`. `None` when every
/// one was read to its end.
pub fn line(
    file: &Path,
    index: usize,
    archive: &Archive,
    image: &Image,
    upto: usize,
    what: &str,
) -> Option<String> {
    let gaps = listing_gaps(archive, image, upto);
    (!gaps.is_empty()).then(|| {
        let each: Vec<String> = gaps.iter().map(ListingGap::to_string).collect();
        format!(
            "{}: image {index}: {what} is incomplete: {}",
            file.display(),
            each.join("; ")
        )
    })
}

/// Why the bytes of layer `layer` of image `index` that a command wrote (`cat`,
/// `export-layer`) may not be the image's: the layer's uncompressed tar is not the one the
/// image's config names (its computed diff_id differs from the config's). One line naming the
/// file, the layer, its blob and both diff_ids; `None` when nothing says so — a wrong
/// descriptor size or blob digest alone leaves the tar the image's. The bytes are written all
/// the same (they are what the file holds); the command then fails, as `ls` does over a
/// listing it could not finish.
pub fn mismatch_line(file: &Path, index: usize, image: &Image, layer: usize) -> Option<String> {
    let l = image.layers.get(layer)?;
    let (claimed, computed) = l.config_diff_id.as_ref().zip(l.diff_id.as_ref())?;
    if claimed.algorithm() != computed.algorithm() || claimed == computed {
        return None;
    }
    let blob = blob_of(Some(l));
    Some(format!(
        "{}: image {index} layer {layer}{blob} is not the layer the image claims: its diff_id is {computed}, the config gives {claimed}; the bytes written are what the file holds, not necessarily the image's",
        file.display()
    ))
}

/// For a file `cat` found in layer `from`: the layers from `from` up to `upto` whose files are
/// not all known — any above it (missing, left out, not read to their end: one of them may
/// delete or rewrite the file), and its own layer when that is compressed and could not be
/// decoded to its end (its bytes were never checked against the stream's checksum). One line;
/// `None` when the file shown is the one the image holds.
pub fn above_line(
    file: &Path,
    index: usize,
    archive: &Archive,
    image: &Image,
    from: usize,
    upto: usize,
) -> Option<String> {
    let compressed = |l: usize| {
        image
            .layers
            .get(l)
            .is_some_and(|x| x.compression != pancake_core::Compression::None)
    };
    let gaps: Vec<String> = listing_gaps(archive, image, upto)
        .into_iter()
        .filter(|g| {
            g.layer > from
                || (g.layer == from
                    && compressed(from)
                    && !matches!(g.kind, pancake_core::analyze::gaps::GapKind::Limited))
        })
        .map(|g| Safe(g.to_string()).to_string())
        .collect();
    (!gaps.is_empty()).then(|| {
        format!(
            "{}: image {index}: the bytes shown may not be the image's file: {}",
            file.display(),
            gaps.join("; ")
        )
    })
}

/// ` (BLOB)`: how a one-line message names layer `l`'s blob after "layer N", escaped for a
/// terminal; empty when the manifest names none (or there is no such layer).
pub fn blob_of(l: Option<&pancake_core::Layer>) -> String {
    l.and_then(|l| l.blob_path.as_deref())
        .map(|b| format!(" ({})", Safe(b)))
        .unwrap_or_default()
}
