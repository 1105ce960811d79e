//! Two images compared: where their layer stacks part (by ChainID, OCI image-spec
//! `config.md`: the same layer on the same layers below it), then what the final filesystems
//! differ in, path by path, over the merged views ([`union::merged`], [`union::compare`]).
//! The images may come from two archives or be two images of one.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::analyze::union::{self, Change, ContentCheck, PathDiff};
use crate::analyze::{lookup, share, shared_inode};
use crate::digest::Digest;
use crate::error::Error;
use crate::limits::Limits;
use crate::model::{Archive, Image, Xattr};
use crate::path::RawPath;
use crate::read::contents;
use crate::source::ReadAt;

/// One side's layer at the point where the stacks part.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerSide {
    /// Layer index (0 = base).
    pub index: usize,
    /// ChainID of the stack up to and including this layer, when every diff_id below is known.
    pub chain_id: Option<Digest>,
    /// The layer's computed diff_id (`None` until hashed or when the blob is missing).
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
    /// Paths with `Change::Added` (only in B).
    pub added: usize,
    /// Paths with `Change::Modified`.
    pub modified: usize,
    /// Paths with `Change::Deleted` (only in A).
    pub deleted: usize,
    /// Content bytes B's added paths hold: each stored file once however many of its names
    /// were added (a file with three names counts its size once, like `du` and `inspect`),
    /// a symlink its target's length.
    pub added_bytes: u64,
    /// Content bytes A's deleted paths held, counted as `added_bytes` is: each stored file
    /// once however many of its names were deleted, a symlink its target's length.
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
    let mut paths = union::compare(&rows_a, &rows_b, shared_layers);
    mark_owners(
        (aa, a, &rows_a),
        (ab, b, &rows_b),
        shared_layers,
        &mut paths,
    );
    let mut out = ImageDiff {
        shared_layers,
        first_divergent,
        ..ImageDiff::default()
    };
    // The stored files already counted on each side: names of one file (hard links) show
    // its size each, but it is one file's bytes.
    let (mut seen_a, mut seen_b) = (HashSet::new(), HashSet::new());
    for p in &paths {
        match p.change {
            Change::Added => {
                out.added += 1;
                if first_name(&rows_b, &p.path, &mut seen_b) {
                    out.added_bytes = out.added_bytes.saturating_add(p.b_size.unwrap_or(0));
                }
            }
            Change::Deleted => {
                out.deleted += 1;
                if first_name(&rows_a, &p.path, &mut seen_a) {
                    out.deleted_bytes = out.deleted_bytes.saturating_add(p.a_size.unwrap_or(0));
                }
            }
            Change::Modified => out.modified += 1,
            Change::Unchanged => {}
        }
    }
    out.paths = paths;
    out
}

/// Whether `path`'s row in `rows` (a view, sorted by path) is the first name of its stored
/// file met (recorded in `seen`, by [`union::ContentRef::key`]): its bytes are to be counted.
/// A row without stored bytes (a symlink, a device, a folder) is always counted.
fn first_name(rows: &[union::FileRow], path: &RawPath, seen: &mut HashSet<(usize, usize)>) -> bool {
    let content = rows
        .binary_search_by(|r| r.path.cmp(path))
        .ok()
        .and_then(|i| rows.get(i))
        .and_then(|r| r.content.as_ref());
    content.is_none_or(|c| seen.insert(c.key()))
}

/// Marks in `paths` (sorted by path, as [`union::compare`] gives them for the merged views
/// `rows_a` and `rows_b` of images `a` and `b`) each path both views hold whose owner
/// differs ([`PathDiff::owners`]) or whose extended attributes differ ([`PathDiff::xattrs`]),
/// adding it as modified when the rows alone agreed (same bytes and mode, or a directory):
/// dive and containerd's diff both count a changed uid or gid as a modification, and a
/// `chown` is the kind of change a reader of a diff must not miss; so is a `setcap`, which
/// changes only the `security.capability` attribute. A row no entry wrote (a folder a layer
/// only implies) is owned by root with no attributes, as unpacking makes it. Rows both from
/// one layer below `same_below` (shared by the two images) are the same entry and are
/// skipped. Cost: one map entry per row of both views (`shared_inode::of_rows`).
pub fn mark_owners(
    (aa, a, rows_a): (&Archive, &Image, &[union::FileRow]),
    (ab, b, rows_b): (&Archive, &Image, &[union::FileRow]),
    same_below: usize,
    paths: &mut Vec<PathDiff>,
) {
    // A file with several names has what all its headers set (`shared_inode`).
    let (oa, ob) = (
        shared_inode::of_rows(aa, a, rows_a),
        shared_inode::of_rows(ab, b, rows_b),
    );
    let mut found = Vec::new();
    let mut j = 0;
    for x in rows_a {
        while rows_b.get(j).is_some_and(|y| y.path < x.path) {
            j += 1;
        }
        let Some(y) = rows_b.get(j).filter(|y| y.path == x.path) else {
            continue;
        };
        if x.layer == y.layer && x.layer < same_below {
            continue;
        }
        let (wa, xa) = owner_and_xattrs(&oa, x.layer, &x.path);
        let (wb, xb) = owner_and_xattrs(&ob, y.layer, &y.path);
        if wa != wb || xa != xb {
            let owned = (wa != wb).then_some((wa, wb));
            let xattrs = (xa != xb).then(|| (xa.to_vec(), xb.to_vec()));
            found.push((y, x.size, owned, xattrs));
        }
    }
    for (y, a_size, owned, xattrs) in found {
        match paths.binary_search_by(|p| p.path.cmp(&y.path)) {
            Ok(i) => {
                if let Some(p) = paths.get_mut(i) {
                    p.owners = owned;
                    p.xattrs = xattrs;
                    // Modified whatever the bytes (the byte comparison keeps a row that
                    // changes metadata, `PathDiff::changes_metadata`), not "rewritten".
                    p.rewritten = false;
                }
            }
            Err(i) => paths.insert(
                i,
                PathDiff {
                    path: y.path.clone(),
                    change: Change::Modified,
                    kind: y.kind,
                    a_size: Some(a_size),
                    b_size: Some(y.size),
                    rewritten: false,
                    content: ContentCheck::NotNeeded,
                    owners: owned,
                    modes: None,
                    xattrs,
                },
            ),
        }
    }
}

/// The owner `(uid, gid)` and extended attributes unpacking leaves on `path` as layer `layer`
/// wrote it: root and none for a folder no entry wrote (a layer only implies it).
fn owner_and_xattrs<'m, 'a>(
    attrs: &'m HashMap<(usize, &'a RawPath), shared_inode::Attrs<'a>>,
    layer: usize,
    path: &'a RawPath,
) -> ((u64, u64), &'m [Xattr]) {
    attrs
        .get(&(layer, path))
        .map_or(((0, 0), &[][..]), |a| ((a.uid, a.gid), &a.xattrs[..]))
}

fn top_view(archive: &Archive, image: &Image) -> Vec<union::FileRow> {
    match image.layers.len().checked_sub(1) {
        Some(top) => union::merged(archive, image, top),
        None => Vec::new(),
    }
}

/// Settles the `rewritten` rows of `d` (same kind, size, mode and link target, written by
/// another layer; [`ContentCheck::Pending`]) by comparing both files' bytes: rows whose bytes
/// are equal, or that have no bytes on either side (symlinks, devices), are dropped (and no
/// longer counted as modified); rows whose bytes differ get `rewritten: false` and
/// [`ContentCheck::Differs`]; a file with bytes on one side only, `NotNeeded`. A file over
/// `max_bytes` (bytes, per file) is not read: it stays `rewritten` with
/// [`ContentCheck::TooLarge`], never taken as equal.
///
/// Cost: one pass per layer blob on each side that holds a file to compare (a compressed
/// layer is decompressed once, not once per file; see [`contents::digests`]), the bytes
/// compared by their sha256, memory one file at a time. Decompression is bounded by
/// `limits` as when the archives were read. Errors (a blob that cannot be read) are
/// returned and leave `d` as it was.
pub fn settle_rewritten<SA: ReadAt + ?Sized, SB: ReadAt + ?Sized>(
    d: &mut ImageDiff,
    (source_a, aa, a): (&SA, &Archive, &Image),
    (source_b, ab, b): (&SB, &Archive, &Image),
    max_bytes: u64,
    limits: &Limits,
) -> Result<(), Error> {
    if !d.paths.iter().any(|p| p.content == ContentCheck::Pending) {
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
    /// What one pending row needs.
    enum Plan {
        /// No bytes on either side: the same metadata is all there is.
        Same,
        /// Settled without reading.
        Outcome(ContentCheck),
        /// Compare the digests at these positions of the two wanted lists.
        Read(usize, usize),
    }
    let mut want_a = Vec::new();
    let mut want_b = Vec::new();
    let plans: Vec<Option<Plan>> = d
        .paths
        .iter()
        .map(|p| {
            if p.content != ContentCheck::Pending {
                return None;
            }
            Some(match (content(&rows_a, p), content(&rows_b, p)) {
                (None, None) => Plan::Same,
                (Some(ca), Some(cb)) if ca.size == cb.size => {
                    if ca.size > max_bytes {
                        Plan::Outcome(ContentCheck::TooLarge)
                    } else {
                        want_a.push(ca);
                        want_b.push(cb);
                        Plan::Read(want_a.len() - 1, want_b.len() - 1)
                    }
                }
                // Bytes on one side only, or sizes that differ although the rows agree (a hard
                // link whose file is another size): different without reading.
                _ => Plan::Outcome(ContentCheck::NotNeeded),
            })
        })
        .collect();
    let digests_a = contents::digests(source_a, aa, &want_a, limits)?;
    let digests_b = contents::digests(source_b, ab, &want_b, limits)?;
    let mut keep = Vec::with_capacity(d.paths.len());
    for (mut p, plan) in std::mem::take(&mut d.paths).into_iter().zip(plans) {
        let outcome = match plan {
            None => Some(p.content),
            // No bytes on either side (a symlink, a device): nothing to compare.
            Some(Plan::Same) if p.changes_metadata() => Some(ContentCheck::NotNeeded),
            Some(Plan::Same) => None,
            Some(Plan::Outcome(c)) => Some(c),
            Some(Plan::Read(i, j)) => match (digests_a.get(i), digests_b.get(j)) {
                (Some(Some(x)), Some(Some(y))) if x == y => None,
                (Some(Some(_)), Some(Some(_))) => Some(ContentCheck::Differs),
                // No digest on a side: nothing was compared, so nothing is claimed.
                _ => Some(ContentCheck::Unreadable),
            },
        };
        // Equal bytes drop a row listed only because another layer wrote it, and keep one
        // whose mode, owner or attributes changed, saying its bytes are the same.
        let outcome = match outcome {
            None if p.changes_metadata() => Some(ContentCheck::Same),
            o => o,
        };
        match outcome {
            None => d.modified = d.modified.saturating_sub(1),
            Some(c) => {
                p.rewritten = !p.changes_metadata()
                    && matches!(
                        c,
                        ContentCheck::TooLarge | ContentCheck::Pending | ContentCheck::Unreadable
                    );
                p.content = c;
                keep.push(p);
            }
        }
    }
    d.paths = keep;
    Ok(())
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

    /// A one-layer docker-archive of `(path, uid, is_dir)` entries (files hold "same"), the
    /// config claiming its diff_id.
    /// A one-layer save of `(path, uid = gid, is a folder, mode)` entries.
    fn owned_save(entries: &[(&str, u64, bool, u32)]) -> Vec<u8> {
        let mut t = tar::Builder::new(Vec::new());
        for (path, uid, dir, mode) in entries {
            let mut h = tar::Header::new_ustar();
            h.set_uid(*uid);
            h.set_gid(*uid);
            h.set_mode(*mode);
            let data: &[u8] = if *dir { b"" } else { b"same" };
            h.set_entry_type(if *dir {
                tar::EntryType::Directory
            } else {
                tar::EntryType::Regular
            });
            h.set_size(data.len() as u64);
            t.append_data(&mut h, path, data)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let layer = t.into_inner().unwrap_or_else(|e| panic!("{e}"));
        let cfg = format!(
            r#"{{"architecture":"amd64","os":"linux","rootfs":{{"type":"layers","diff_ids":["{}"]}}}}"#,
            Digest::of_bytes(&layer)
        );
        let cfg_name = format!("{}.json", Digest::of_bytes(cfg.as_bytes()).hex());
        let manifest =
            format!(r#"[{{"Config":"{cfg_name}","RepoTags":["t:1"],"Layers":["l/layer.tar"]}}]"#);
        let mut t = tar::Builder::new(Vec::new());
        for (name, data) in [
            ("l/layer.tar", layer.as_slice()),
            (cfg_name.as_str(), cfg.as_bytes()),
            ("manifest.json", manifest.as_bytes()),
        ] {
            let mut h = tar::Header::new_ustar();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            t.append_data(&mut h, name, data)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        t.into_inner().unwrap_or_else(|e| panic!("{e}"))
    }

    /// A file and a folder whose bytes and modes are the same but whose owner is not (a
    /// `chown`) are modified, with both owners, whatever their bytes.
    #[test]
    fn a_changed_owner_is_a_modification() {
        let save_a = owned_save(&[
            ("etc/", 0, true, 0o644),
            ("etc/conf", 0, false, 0o644),
            ("etc/same", 0, false, 0o644),
        ]);
        let save_b = owned_save(&[
            ("etc/", 1000, true, 0o644),
            ("etc/conf", 1000, false, 0o644),
            ("etc/same", 0, false, 0o644),
        ]);
        let (a, b) = (read(&save_a), read(&save_b));
        let d = diff(&a, &a.images[0], &b, &b.images[0]);
        let got: Vec<_> = d
            .paths
            .iter()
            .map(|p| (p.path.display().into_owned(), p.change, p.owners))
            .collect();
        let moved = Some(((0, 0), (1000, 1000)));
        assert_eq!(
            got,
            [
                ("etc".to_string(), Change::Modified, moved),
                ("etc/conf".to_string(), Change::Modified, moved),
                // Same owner and metadata from another layer: its bytes are compared by
                // `settle_rewritten`, which drops it.
                ("etc/same".to_string(), Change::Modified, None),
            ]
        );
        let pending: Vec<_> = d.paths.iter().map(|p| p.content).collect();
        use ContentCheck::{NotNeeded, Pending, Same};
        // A folder has no bytes; both files' bytes are left to compare.
        assert_eq!(pending, [NotNeeded, Pending, Pending]);
        // Comparing them keeps the chowned file, saying its bytes are the same, and drops
        // the file only another layer wrote with the same bytes.
        let mut settled = d.clone();
        settle_rewritten(
            &mut settled,
            (&save_a, &a, &a.images[0]),
            (&save_b, &b, &b.images[0]),
            1 << 20,
            &Limits::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let got: Vec<_> = settled
            .paths
            .iter()
            .map(|p| (p.path.display().into_owned(), p.content, p.rewritten))
            .collect();
        assert_eq!(
            got,
            [
                ("etc".to_string(), NotNeeded, false),
                ("etc/conf".to_string(), Same, false),
            ]
        );
        assert_eq!(settled.modified, 2);
        // The same image against itself: nothing.
        assert!(diff(&a, &a.images[0], &a, &a.images[0]).paths.is_empty());
    }

    /// A `chmod` alone (same bytes, owner and size) is a modification that carries both
    /// modes, file or folder; paths whose mode did not change carry none.
    #[test]
    fn a_changed_mode_is_said() {
        let a = read(&owned_save(&[
            ("bin/", 0, true, 0o755),
            ("bin/run", 0, false, 0o644),
            ("bin/conf", 0, false, 0o644),
        ]));
        let b = read(&owned_save(&[
            ("bin/", 0, true, 0o700),
            ("bin/run", 0, false, 0o4755),
            ("bin/conf", 1000, false, 0o644),
        ]));
        let d = diff(&a, &a.images[0], &b, &b.images[0]);
        // (A symlink's bits are no difference: `union::compare_tests` checks that.)
        let got: Vec<_> = d
            .paths
            .iter()
            .map(|p| (p.path.display().into_owned(), p.change, p.modes))
            .collect();
        assert_eq!(
            got,
            [
                ("bin".to_string(), Change::Modified, Some((0o755, 0o700))),
                ("bin/conf".to_string(), Change::Modified, None),
                (
                    "bin/run".to_string(),
                    Change::Modified,
                    Some((0o644, 0o4755))
                ),
            ]
        );
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
        settle_rewritten(
            &mut settled,
            (&bytes, &a, x),
            (&bytes, &a, y),
            1 << 20,
            &Limits::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(settled.paths.iter().all(|p| !p.rewritten));
        assert!(settled.paths.len() <= d.paths.len());
        assert_eq!(settled.added, d.added);
    }

    /// A `docker save` of two one-layer images whose layers are gzip-compressed: image 0's
    /// layer holds `files` as given, image 1's the same paths with `changed` applied.
    fn two_gzip_images(files: &[(String, Vec<u8>)], changed: &[(String, Vec<u8>)]) -> Vec<u8> {
        use crate::write::tarwrite::{self, Descriptor, SaveImage, TarEntry};
        use flate2::{write::GzEncoder, Compression as Level};
        use std::io::Write;
        let mut blobs = std::collections::HashMap::new();
        let mut images = Vec::new();
        for (n, set) in [files.to_vec(), {
            let mut v = files.to_vec();
            for (p, b) in changed {
                if let Some(x) = v.iter_mut().find(|x| &x.0 == p) {
                    x.1 = b.clone();
                }
            }
            v
        }]
        .into_iter()
        .enumerate()
        {
            let tar = tarwrite::layer_tar(
                set.iter()
                    .map(|(p, b)| TarEntry::file(p.as_str(), b.clone(), 0o644))
                    .collect(),
            )
            .unwrap_or_else(|e| panic!("{e}"));
            let diff_id = Digest::of_bytes(&tar);
            let mut e = GzEncoder::new(Vec::new(), Level::fast());
            let _ = e.write_all(&tar);
            let gz = e.finish().unwrap_or_default();
            let d = Descriptor {
                media_type: "application/vnd.oci.image.layer.v1.tar+gzip".into(),
                digest: Digest::of_bytes(&gz),
                size: gz.len() as u64,
            };
            blobs.insert(d.digest.clone(), gz);
            let config = serde_json::to_vec(&serde_json::json!({
                "architecture": "amd64", "os": "linux",
                "rootfs": {"type": "layers", "diff_ids": [diff_id]},
                "history": [{"created_by": format!("COPY {n}")}],
            }))
            .unwrap_or_default();
            images.push(SaveImage {
                tags: vec![format!("t:{n}")],
                config,
                layers: vec![d],
            });
        }
        tarwrite::write_docker_save(Vec::new(), &images, &mut |d| {
            let b = blobs.get(&d.digest).cloned().unwrap_or_default();
            Ok(Box::new(std::io::Cursor::new(b)))
        })
        .unwrap_or_else(|e| panic!("{e}"))
    }

    /// A `docker save` of one image whose layer `i` holds `layers[i]`, uncompressed, in the
    /// order given (a hard link after its target).
    fn layered_save(layers: &[Vec<crate::write::tarwrite::TarEntry>]) -> Vec<u8> {
        use crate::write::tarwrite::{self, Descriptor, SaveImage, TarWriter};
        let mut blobs = HashMap::new();
        let mut descriptors = Vec::new();
        for entries in layers {
            let mut w = TarWriter::new(Vec::new());
            for e in entries {
                w.add(e).unwrap_or_else(|e| panic!("{e}"));
            }
            let tar = w.finish().unwrap_or_else(|e| panic!("{e}"));
            let d = Descriptor {
                media_type: "application/vnd.oci.image.layer.v1.tar".into(),
                digest: Digest::of_bytes(&tar),
                size: tar.len() as u64,
            };
            blobs.insert(d.digest.clone(), tar);
            descriptors.push(d);
        }
        let diff_ids: Vec<&Digest> = descriptors.iter().map(|d| &d.digest).collect();
        let config = serde_json::to_vec(&serde_json::json!({
            "architecture": "amd64", "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
        }))
        .unwrap_or_default();
        let image = SaveImage {
            tags: vec!["t:1".into()],
            config,
            layers: descriptors,
        };
        tarwrite::write_docker_save(Vec::new(), &[image], &mut |d| {
            let b = blobs.get(&d.digest).cloned().unwrap_or_default();
            Ok(Box::new(std::io::Cursor::new(b)))
        })
        .unwrap_or_else(|e| panic!("{e}"))
    }

    /// `diff` of the only images of `save_a` and `save_b`, rewritten rows settled.
    fn settled_diff(save_a: &[u8], save_b: &[u8]) -> ImageDiff {
        let (a, b) = (read(save_a), read(save_b));
        let (Some(x), Some(y)) = (a.images.first(), b.images.first()) else {
            panic!("{} and {} images", a.images.len(), b.images.len());
        };
        let mut d = diff(&a, x, &b, y);
        settle_rewritten(
            &mut d,
            (save_a, &a, x),
            (save_b, &b, y),
            1 << 20,
            &Limits::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        d
    }

    /// Which name of a file carries its bytes in the tar is no difference: `f` + `x -> f`
    /// and `x` + `f -> x` unpack to the same two names of one file. Both names are compared
    /// as files, by their bytes and mode, so other bytes or another mode still show.
    #[test]
    fn which_name_carries_a_files_bytes_is_no_difference() {
        use crate::write::tarwrite::TarEntry;
        let f_first = layered_save(&[vec![
            TarEntry::file("f", b"same\n".to_vec(), 0o644),
            TarEntry::hardlink("x", "f"),
        ]]);
        // Unpacking chmods a file with each of its headers' modes in turn: the last one
        // written is the file's, under both names.
        let x_first = |bytes: &[u8], mode| {
            layered_save(&[vec![
                TarEntry::file("x", bytes.to_vec(), mode),
                TarEntry {
                    mode,
                    ..TarEntry::hardlink("f", "x")
                },
            ]])
        };
        let d = settled_diff(&f_first, &x_first(b"same\n", 0o644));
        assert!(d.paths.is_empty(), "{:?}", d.paths);
        assert_eq!((d.added, d.modified, d.deleted), (0, 0, 0));

        let d = settled_diff(&f_first, &x_first(b"diff\n", 0o644));
        let got: Vec<_> = d
            .paths
            .iter()
            .map(|p| (p.path.display().into_owned(), p.content))
            .collect();
        let differs = ContentCheck::Differs;
        assert_eq!(got, [("f".into(), differs), ("x".into(), differs)]);

        let d = settled_diff(&f_first, &x_first(b"same\n", 0o755));
        let got: Vec<_> = d
            .paths
            .iter()
            .map(|p| (p.path.display().into_owned(), p.modes, p.content))
            .collect();
        let chmod = (Some((0o644, 0o755)), ContentCheck::Same);
        assert_eq!(
            got,
            [
                ("f".into(), chmod.0, chmod.1),
                ("x".into(), chmod.0, chmod.1)
            ]
        );
    }

    /// A file with three names, deleted, and another with three names, added: each counts
    /// its bytes once (100, not 300), as `du` and `inspect` do; two files count twice.
    #[test]
    fn a_file_with_several_names_counts_its_bytes_once() {
        use crate::write::tarwrite::TarEntry;
        let three = |name: &str, byte: u8| {
            vec![
                TarEntry::file(name, vec![byte; 100], 0o644),
                TarEntry::hardlink(format!("{name}1").as_str(), name),
                TarEntry::hardlink(format!("{name}2").as_str(), name),
            ]
        };
        let base = three("f", b'x');
        let save_a = layered_save(std::slice::from_ref(&base));
        let gone = ["f", "f1", "f2"]
            .map(|p| TarEntry::whiteout(&RawPath::from(p)))
            .to_vec();
        let mut added = three("g", b'y');
        added.push(TarEntry::file("h", vec![b'z'; 100], 0o644));
        let save_b = layered_save(&[base, gone, added]);
        let d = settled_diff(&save_a, &save_b);
        assert_eq!((d.added, d.deleted), (4, 3));
        assert_eq!((d.added_bytes, d.deleted_bytes), (200, 100));
    }

    /// Counts the bytes read from a source.
    struct Counting<'a>(&'a [u8], std::cell::Cell<u64>);
    impl ReadAt for Counting<'_> {
        fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.read_at(offset, buf)?;
            self.1.set(self.1.get() + n as u64);
            Ok(n)
        }
        fn len(&self) -> u64 {
            self.0.len() as u64
        }
    }

    /// 300 files rewritten by another (gzip) layer, 2 of them with other bytes of the same
    /// size and one over the bound: the comparison reads each side's layer once (bytes read
    /// from each file ≤ its size, where one walk per file read ~300 times that), keeps the two
    /// that differ as `Differs`, the large one as `TooLarge` (still `rewritten`, never taken
    /// as equal), and drops the rest as equal.
    #[test]
    fn rewritten_files_are_compared_in_one_pass_per_layer() {
        let mut files: Vec<(String, Vec<u8>)> = (0..300)
            .map(|i| (format!("f/{i:03}"), format!("{i:0>200}").into_bytes()))
            .collect();
        files.push(("big".into(), vec![7u8; 5000]));
        let changed = vec![
            ("f/010".to_string(), vec![b'x'; 200]),
            ("f/250".to_string(), vec![b'y'; 200]),
            ("big".to_string(), vec![8u8; 5000]),
        ];
        let plain = two_gzip_images(&files, &changed);
        let a = read(&plain);
        let (Some(x), Some(y)) = (a.images.first(), a.images.get(1)) else {
            panic!("{} images", a.images.len());
        };
        let mut d = diff(&a, x, &a, y);
        assert_eq!(
            d.modified, 301,
            "every file is rewritten by the other layer"
        );
        assert!(d.paths.iter().all(|p| p.content == ContentCheck::Pending));
        let src_a = Counting(&plain, Default::default());
        let src_b = Counting(&plain, Default::default());
        settle_rewritten(
            &mut d,
            (&src_a, &a, x),
            (&src_b, &a, y),
            1000,
            &Limits::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let got: Vec<(String, ContentCheck, bool)> = d
            .paths
            .iter()
            .map(|p| (p.path.to_string(), p.content, p.rewritten))
            .collect();
        assert_eq!(
            got,
            vec![
                ("big".to_string(), ContentCheck::TooLarge, true),
                ("f/010".to_string(), ContentCheck::Differs, false),
                ("f/250".to_string(), ContentCheck::Differs, false),
            ]
        );
        assert_eq!(d.modified, 3);
        let whole = plain.len() as u64;
        for (side, s) in [("a", &src_a), ("b", &src_b)] {
            assert!(
                s.1.get() <= whole,
                "side {side} read {} bytes of a {whole}-byte file",
                s.1.get()
            );
        }
    }
}
