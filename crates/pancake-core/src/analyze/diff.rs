//! Two images compared: where their layer stacks part (by ChainID, OCI image-spec
//! `config.md`: the same layer on the same layers below it), then what the final filesystems
//! differ in, path by path, over the merged views ([`union::merged`], [`union::compare`]).
//! The images may come from two archives or be two images of one.

use serde::{Deserialize, Serialize};

use crate::analyze::union::{self, Change, PathDiff};
use crate::analyze::{lookup, share};
use crate::digest::Digest;
use crate::error::Error;
use crate::model::{Archive, Image};
use crate::read::archive;
use crate::source::ReadAt;

/// One side's layer at the point where the stacks part.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerSide {
    /// Layer index (0 = base).
    pub index: usize,
    pub chain_id: Option<Digest>,
    pub diff_id: Option<Digest>,
    /// The history step that made it (`created_by`), when one is paired with it.
    pub created_by: Option<String>,
}

/// What differs between image A and image B.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageDiff {
    /// How many layers, from the bottom, both images have with the same ChainID: layers
    /// `0..shared_layers` are the same bytes in both.
    pub shared_layers: usize,
    /// A's and B's layer at index `shared_layers`, where they part; `None` on a side whose
    /// stack ends there. Both `None` when the stacks are the same.
    pub first_divergent: Option<(Option<LayerSide>, Option<LayerSide>)>,
    /// Paths that differ, sorted by path: `Added` only in B, `Deleted` only in A, `Modified`
    /// in both but not the same. Directories only when their kind or mode differs.
    pub paths: Vec<PathDiff>,
    pub added: usize,
    pub modified: usize,
    pub deleted: usize,
    /// Bytes of B's added paths, A's deleted paths (sizes as the views give them: a hard link
    /// counts its file's size).
    pub added_bytes: u64,
    pub deleted_bytes: u64,
}

fn side(image: &Image, index: usize, chain: &[Option<Digest>]) -> Option<LayerSide> {
    let l = image.layers.get(index)?;
    let created_by = l
        .history
        .and_then(|h| image.history.get(h))
        .and_then(|h| h.created_by.clone());
    Some(LayerSide {
        index,
        chain_id: chain.get(index).cloned().flatten(),
        diff_id: l.diff_id.clone(),
        created_by,
    })
}

/// Compares image `a` of archive `aa` with image `b` of archive `ab` (the final merged
/// filesystems; a layer of each that cannot be named by ChainID ends the shared part).
pub fn diff(aa: &Archive, a: &Image, ab: &Archive, b: &Image) -> ImageDiff {
    let ca = share::chain_ids(a);
    let cb = share::chain_ids(b);
    let shared_layers = ca
        .iter()
        .zip(&cb)
        .take_while(|(x, y)| x.is_some() && x == y)
        .count();
    let first_divergent = (shared_layers < a.layers.len().max(b.layers.len()))
        .then(|| (side(a, shared_layers, &ca), side(b, shared_layers, &cb)));
    let rows_a = top_view(aa, a);
    let rows_b = top_view(ab, b);
    let paths = union::compare(&rows_a, &rows_b, shared_layers);
    let mut out = ImageDiff {
        shared_layers,
        first_divergent,
        ..ImageDiff::default()
    };
    for p in &paths {
        match p.change {
            Change::Added => {
                out.added += 1;
                out.added_bytes = out.added_bytes.saturating_add(p.b_size.unwrap_or(0));
            }
            Change::Deleted => {
                out.deleted += 1;
                out.deleted_bytes = out.deleted_bytes.saturating_add(p.a_size.unwrap_or(0));
            }
            Change::Modified => out.modified += 1,
            Change::Unchanged => {}
        }
    }
    out.paths = paths;
    out
}

fn top_view(archive: &Archive, image: &Image) -> Vec<union::FileRow> {
    match image.layers.len().checked_sub(1) {
        Some(top) => union::merged(archive, image, top),
        None => Vec::new(),
    }
}

/// Settles the `rewritten` rows of `d` (same kind, size, mode and link target, written by
/// another layer) by reading both files' bytes: rows whose bytes are equal, or that have no
/// bytes on either side (symlinks, devices), are dropped (and no longer counted as modified),
/// the others stay with `rewritten: false`. Files over
/// `max_bytes` are left as they are. Errors (a blob that cannot be read) stop the settling
/// and are returned; `d` keeps what was settled so far.
pub fn settle_rewritten<SA: ReadAt + ?Sized, SB: ReadAt + ?Sized>(
    d: &mut ImageDiff,
    (source_a, aa, a): (&SA, &Archive, &Image),
    (source_b, ab, b): (&SB, &Archive, &Image),
    max_bytes: u64,
) -> Result<(), Error> {
    if !d.paths.iter().any(|p| p.rewritten) {
        return Ok(());
    }
    let rows_a = top_view(aa, a);
    let rows_b = top_view(ab, b);
    let content = |rows: &[union::FileRow], p: &PathDiff| {
        lookup::resolve(rows, &p.path, false)
            .ok()
            .flatten()
            .and_then(|i| rows.get(i))
            .and_then(|r| r.content.clone())
    };
    let mut keep = Vec::with_capacity(d.paths.len());
    let mut result = Ok(());
    for mut p in std::mem::take(&mut d.paths) {
        if !p.rewritten || result.is_err() {
            keep.push(p);
            continue;
        }
        let (ca, cb) = match (content(&rows_a, &p), content(&rows_b, &p)) {
            (Some(ca), Some(cb)) => (ca, cb),
            // No bytes on either side (a symlink, a device, a dangling hard link): the
            // metadata compared is all there is, and it is the same.
            (None, None) => {
                d.modified = d.modified.saturating_sub(1);
                continue;
            }
            _ => {
                p.rewritten = false;
                keep.push(p);
                continue;
            }
        };
        if ca.size != cb.size || ca.size > max_bytes {
            keep.push(p);
            continue;
        }
        let max = usize::try_from(ca.size).unwrap_or(usize::MAX);
        let bytes = archive::read_content(source_a, aa, &ca, max)
            .and_then(|x| archive::read_content(source_b, ab, &cb, max).map(|y| (x, y)));
        match bytes {
            Ok((x, y)) if x == y => d.modified = d.modified.saturating_sub(1),
            Ok(_) => {
                p.rewritten = false;
                keep.push(p);
            }
            Err(e) => {
                result = Err(e);
                keep.push(p);
            }
        }
    }
    d.paths = keep;
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::archive::{read_stream, Options};

    fn read(bytes: &[u8]) -> Archive {
        read_stream(
            "t.tar",
            bytes,
            bytes.len() as u64,
            &Options::default(),
            &mut |_| {},
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Two demo images built on the same base: they share their lowest layers by ChainID and
    /// part above; an image compared with itself has no differences.
    #[test]
    fn demo_images_part_where_their_chains_do() {
        let names = pancake_demo::names();
        let bytes = pancake_demo::build_set(names);
        let a = read(&bytes);
        assert!(a.images.len() >= 2, "{} images", a.images.len());
        let (Some(x), Some(y)) = (a.images.first(), a.images.get(1)) else {
            return;
        };
        let same = diff(&a, x, &a, x);
        assert_eq!(same.shared_layers, x.layers.len());
        assert_eq!(same.first_divergent, None);
        assert!(same.paths.is_empty(), "{:?}", same.paths.first());

        let d = diff(&a, x, &a, y);
        let cx = share::chain_ids(x);
        let cy = share::chain_ids(y);
        let n = d.shared_layers;
        assert!(cx
            .iter()
            .zip(&cy)
            .take(n)
            .all(|(p, q)| p == q && p.is_some()));
        assert_ne!(cx.get(n), cy.get(n));
        let (sa, sb) = d.first_divergent.clone().unwrap_or((None, None));
        assert_eq!(
            sa.as_ref().map(|s| s.index),
            (n < x.layers.len()).then_some(n)
        );
        assert_eq!(
            sb.as_ref().map(|s| s.index),
            (n < y.layers.len()).then_some(n)
        );
        assert_eq!(
            sa.and_then(|s| s.diff_id),
            x.layers.get(n).and_then(|l| l.diff_id.clone())
        );
        // Counts agree with the rows, and every row is a real difference of the views.
        let count = |c: Change| d.paths.iter().filter(|p| p.change == c).count();
        assert_eq!(
            (d.added, d.modified, d.deleted),
            (
                count(Change::Added),
                count(Change::Modified),
                count(Change::Deleted)
            )
        );
        assert!(!d.paths.is_empty());
        let rows_x = top_view(&a, x);
        let rows_y = top_view(&a, y);
        for p in &d.paths {
            let in_x = rows_x.iter().any(|r| r.path == p.path);
            let in_y = rows_y.iter().any(|r| r.path == p.path);
            match p.change {
                Change::Added => assert!(!in_x && in_y, "{}", p.path),
                Change::Deleted => assert!(in_x && !in_y, "{}", p.path),
                _ => assert!(in_x && in_y, "{}", p.path),
            }
        }
        // Reading bytes can only drop rows that were rewritten with the same bytes.
        let mut settled = d.clone();
        settle_rewritten(&mut settled, (&bytes, &a, x), (&bytes, &a, y), 1 << 20)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(settled.paths.iter().all(|p| !p.rewritten));
        assert!(settled.paths.len() <= d.paths.len());
        assert_eq!(settled.added, d.added);
    }
}
