//! Saying where what a command listed is incomplete (`pancake_core::analyze::gaps`): `ls`,
//! `find` and `diff` show what could be read, then fail with one line naming each layer whose
//! files are not all known, and `cat` adds that line to a path it cannot find, so an absence
//! (a file past a broken header, which `diff` would otherwise call deleted) is never taken for
//! a fact. `tar` does the same: it lists what it can and exits non-zero.

use std::path::Path;

use pancake_core::analyze::gaps::{listing_gaps, ListingGap};
use pancake_core::{Archive, Image};

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
