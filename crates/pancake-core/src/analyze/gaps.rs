//! Where a view of an image's files is incomplete: the layers whose files cannot all be listed
//! because their blob is not here, or could not be read to its end.
//!
//! Every view built from the layers' indexes (the merged filesystem, one layer's changes, a
//! search, a comparison of two images, the efficiency figures) silently lacks what such a
//! layer would have added, deleted or changed: a file past a tar's broken header is simply
//! not there, and a comparison would call it deleted. A reader that shows one of those views
//! names these layers beside it, so no absence is taken for a fact.

use std::fmt;

use crate::model::{Archive, CutEntry, Image, Verification};
use crate::path::RawPath;
use crate::ReadError;

/// Why a layer's files are missing from a view, in whole or in part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GapKind {
    /// The blob is not in the archive: none of the layer's files are known.
    Missing,
    /// The blob was left out on purpose (a non-distributable layer with `urls`): none of its
    /// files are known.
    NonDistributable,
    /// The blob is here but was not read to its end: the files listed are those before the
    /// point where reading stopped (all of them, none after). The reason, as the index or
    /// the member recorded it; `None` when the blob holds no layer tar at all.
    Unreadable(Option<ReadError>),
    /// The blob was read to its end, but a reading limit of this reader (path depth, an
    /// extension record's size: `LayerIndex::left_out`, beside the `limit` problem that says
    /// which) left entries out of its index or listed one under another name: which of its
    /// files are there is not all known. Docker may well unpack them.
    Limited,
}

/// One layer of an image whose files a view cannot all list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListingGap {
    /// Layer position in the image, 0 = base.
    pub layer: usize,
    /// The blob's path in the archive as the manifest names it, when it names one.
    pub blob: Option<String>,
    /// Why.
    pub kind: GapKind,
}

impl fmt::Display for ListingGap {
    /// `layer N (BLOB): WHY`, the blob's name as the archive gives it (a reader showing it on
    /// a terminal escapes it), in English.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "layer {}", self.layer)?;
        if let Some(b) = &self.blob {
            write!(f, " ({b})")?;
        }
        match &self.kind {
            GapKind::Missing => f.write_str(": the blob is not in the archive, none of its files are known"),
            GapKind::NonDistributable => f.write_str(
                ": the blob was left out on purpose (non-distributable), none of its files are known",
            ),
            GapKind::Unreadable(Some(e)) => write!(
                f,
                ": could not be read to its end ({e}); its files after that point are not known"
            ),
            GapKind::Unreadable(None) => {
                f.write_str(": could not be read as a layer tar, none of its files are known")
            }
            GapKind::Limited => f.write_str(
                ": a limit of this reader left some of its entries out or unnamed (see its limit problem); its other files are known",
            ),
        }
    }
}

/// The layers `0..=upto` of `image` (every layer when `upto` is past the top) whose files are
/// not all known, base first. Empty when every one was read to its end. A layer not read yet
/// (`Verification::Pending`: the page's first view, while its workers read) is not a gap; a
/// reading that is over (the CLI's) has no such layer.
pub fn listing_gaps(archive: &Archive, image: &Image, upto: usize) -> Vec<ListingGap> {
    (0..image.layers.len().min(upto.saturating_add(1)))
        .filter_map(|i| {
            let kind = layer_gap(archive, image, i)?;
            Some(ListingGap {
                layer: i,
                blob: image.layers.get(i).and_then(|l| l.blob_path.clone()),
                kind,
            })
        })
        .collect()
}

/// Why layer `layer` (0 = base) of `image` has files that are not all known, as
/// [`listing_gaps`] says it; `None` when its files are all listed, when it is still being
/// read (`Verification::Pending`), or when there is no such layer. O(1): no entry is walked.
pub fn layer_gap(archive: &Archive, image: &Image, layer: usize) -> Option<GapKind> {
    let l = image.layers.get(layer)?;
    let facts = l
        .member
        .and_then(|m| archive.members.get(m))
        .map(|m| &m.facts);
    match (l.verification, facts) {
        (Verification::Pending, _) => None,
        (Verification::NonDistributable, None) => Some(GapKind::NonDistributable),
        (_, None) => Some(GapKind::Missing),
        (_, Some(facts)) => match &facts.layer {
            Some(index) => {
                if let Some(e) = &index.error {
                    Some(GapKind::Unreadable(Some(e.clone())))
                } else if index.left_out {
                    Some(GapKind::Limited)
                } else {
                    None
                }
            }
            None => Some(GapKind::Unreadable(facts.error.clone())),
        },
    }
}

/// The entry of layer `layer` of `image` whose data the layer's tar ends inside
/// (`LayerIndex::cut`), with its path: a view listing that file says its header's size is a
/// claim, not bytes that are here. `None` when there is no such entry.
pub fn cut_entry<'a>(
    archive: &'a Archive,
    image: &Image,
    layer: usize,
) -> Option<(&'a RawPath, CutEntry)> {
    let index = image
        .layers
        .get(layer)?
        .member
        .and_then(|m| archive.members.get(m))?
        .facts
        .layer
        .as_ref()?;
    let cut = index.cut?;
    Some((&index.entries.get(cut.entry)?.path, cut))
}

/// Every layer's [`cut_entry`] in `image`, base first: (layer, path, cut). At most one per
/// layer; O(layers), nothing when no layer is cut. What a view of files matches its rows
/// against (by layer and path) to say a file is cut short.
pub fn cut_files<'a>(archive: &'a Archive, image: &Image) -> Vec<(usize, &'a RawPath, CutEntry)> {
    (0..image.layers.len())
        .filter_map(|l| {
            let (path, cut) = cut_entry(archive, image, l)?;
            Some((l, path, cut))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::archive::{open, Options};
    use crate::{Digest, Problem, ProblemKind};

    fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, data) in files {
            let mut h = tar::Header::new_ustar();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_entry_type(tar::EntryType::Regular);
            b.append_data(&mut h, name, *data).expect("a test tar");
        }
        b.into_inner().expect("a test tar")
    }

    /// A docker-archive of `layers`, base first, whose config claims each one's diff_id.
    fn save(layers: &[Vec<u8>]) -> Vec<u8> {
        let ids: Vec<String> = layers
            .iter()
            .map(|l| format!("\"{}\"", Digest::of_bytes(l)))
            .collect();
        let cfg = format!(
            r#"{{"architecture":"amd64","os":"linux","rootfs":{{"type":"layers","diff_ids":[{}]}}}}"#,
            ids.join(",")
        );
        let cfg_name = format!("{}.json", Digest::of_bytes(cfg.as_bytes()).hex());
        let names: Vec<String> = (0..layers.len())
            .map(|i| format!("l{i}/layer.tar"))
            .collect();
        let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
        let manifest = format!(
            r#"[{{"Config":"{cfg_name}","RepoTags":["t:1"],"Layers":[{}]}}]"#,
            quoted.join(",")
        );
        let mut files: Vec<(&str, &[u8])> = names
            .iter()
            .zip(layers)
            .map(|(n, l)| (n.as_str(), l.as_slice()))
            .collect();
        files.push((&cfg_name, cfg.as_bytes()));
        files.push(("manifest.json", manifest.as_bytes()));
        tar_of(&files)
    }

    fn read(bytes: &[u8]) -> Archive {
        open("t.tar", &bytes.to_vec(), &Options::default(), &mut |_| {}).expect("an archive")
    }

    #[test]
    fn a_layer_read_part_way_is_named_with_its_reason() {
        let base = tar_of(&[("etc/os-release", b"ID=test\n")]);
        let mut top = tar_of(&[("ok", b"1"), ("after", b"2")]);
        // The second header (after the first one and its block of content): a broken
        // checksum, so the walk stops there as Go's reader does.
        if let Some(b) = top.get_mut(1024 + 148) {
            *b ^= 0x55;
        }
        let a = read(&save(&[base, top]));
        let img = &a.images[0];
        let gaps = listing_gaps(&a, img, usize::MAX);
        assert_eq!(gaps.len(), 1, "{gaps:?}");
        assert_eq!(gaps[0].layer, 1);
        assert!(
            matches!(gaps[0].kind, GapKind::Unreadable(Some(_))),
            "{gaps:?}"
        );
        assert_eq!(gaps[0].blob.as_deref(), Some("l1/layer.tar"));
        // The file before the break is listed; a view of the base alone is whole.
        assert_eq!(crate::analyze::union::layer_entries(&a, img, 1).len(), 1);
        assert!(listing_gaps(&a, img, 0).is_empty());
        let text = gaps[0].to_string();
        assert!(
            text.starts_with("layer 1 (l1/layer.tar): could not be read to its end ("),
            "{text}"
        );
    }

    /// A layer that ends inside an entry whose header claims 1.1 TB has no known size: its
    /// listed files would sum to the claim (a 5 kB blob shown as "1.1TB" in the history
    /// table and on the page). A whole layer's size is the sum of its files.
    #[test]
    fn a_layer_cut_inside_a_claimed_huge_entry_has_no_known_size() {
        use crate::analyze::history::{history_table, known_content_size, layer_content_size};

        let base = tar_of(&[("etc/os-release", b"ID=test\n")]);
        let mut h = tar::Header::new_gnu();
        h.set_size(1_100_000_000_000);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        h.set_path("data/huge.bin").expect("a test tar");
        h.set_cksum();
        let mut top = tar_of(&[("data/small.txt", b"abc\n")]);
        top.truncate(1024); // without its end blocks
        top.extend_from_slice(h.as_bytes());
        top.extend_from_slice(&[b'z'; 4096]);
        let a = read(&save(&[base, top]));
        let img = &a.images[0];
        assert!(matches!(
            layer_gap(&a, img, 1),
            Some(GapKind::Unreadable(Some(_)))
        ));
        assert_eq!(layer_gap(&a, img, 0), None);
        // The entry cut short is named, with its claim and what is here.
        let index = img.layers[1]
            .member
            .and_then(|m| a.members[m].facts.layer.as_ref())
            .expect("an index");
        assert_eq!(
            index.cut,
            Some(crate::model::CutEntry {
                entry: 1,
                claimed: 1_100_000_000_000,
                present: 4096
            })
        );
        assert_eq!(index.entries[1].path.as_bytes(), b"data/huge.bin");
        let (path, _) = cut_entry(&a, img, 1).expect("the cut entry");
        assert_eq!(path.as_bytes(), b"data/huge.bin");
        assert_eq!(cut_entry(&a, img, 0), None);
        // What the layer stores: its small file and the 4096 bytes of the cut one.
        assert_eq!(crate::analyze::union::stored_bytes(&a, img), [8, 4 + 4096]);
        // The views show that file with the bytes there, and its folder adds those.
        let rows = crate::analyze::union::merged(&a, img, 1);
        let size_of = |p: &str| {
            rows.iter()
                .find(|r| r.path.as_bytes() == p.as_bytes())
                .map(|r| {
                    if r.kind == crate::model::EntryKind::Dir {
                        r.dir_size
                    } else {
                        r.size
                    }
                })
        };
        assert_eq!(size_of("data/huge.bin"), Some(4096));
        assert_eq!(size_of("data"), Some(4100));
        let changes = crate::analyze::union::layer_changes(&a, img, 1).rows;
        assert!(changes
            .iter()
            .any(|r| r.path.as_bytes() == b"data/huge.bin" && r.size == 4096));
        assert!(layer_content_size(&a, img, 1) > 1_000_000_000_000);
        assert_eq!(known_content_size(&a, img, 1), None);
        assert_eq!(known_content_size(&a, img, 0), Some(8));
        assert_eq!(known_content_size(&a, img, 2), None, "no such layer");
        // `docker history`'s table: "—" for the cut layer, the base's own size below it.
        let mut img = img.clone();
        img.history = (0..2)
            .map(|i| crate::model::HistoryEntry {
                created_by: Some(format!("step {i}")),
                ..Default::default()
            })
            .collect();
        let sizes: Vec<(Option<u64>, String)> = history_table(&a, &img, 0, false)
            .into_iter()
            .map(|r| (r.size_bytes, r.size))
            .collect();
        assert_eq!(
            sizes,
            [(None, "—".to_string()), (Some(8), "8B".to_string())]
        );
    }

    /// A layer that ends inside an extension record (a PAX header over the limit, skipped)
    /// names no file as cut: the file before it is whole.
    #[test]
    fn a_layer_cut_inside_an_extension_record_names_no_file_cut() {
        let mut top = tar_of(&[("a.txt", b"abcd")]);
        top.truncate(1024);
        let mut h = tar::Header::new_ustar();
        h.set_size(2 << 20);
        h.set_entry_type(tar::EntryType::XHeader);
        h.set_path("pax").expect("a test tar");
        h.set_cksum();
        top.extend_from_slice(h.as_bytes());
        top.extend_from_slice(&[b'x'; 100]);
        let a = read(&save(&[top]));
        let img = &a.images[0];
        assert!(matches!(
            layer_gap(&a, img, 0),
            Some(GapKind::Unreadable(Some(_)))
        ));
        assert_eq!(cut_entry(&a, img, 0), None);
        assert_eq!(crate::analyze::union::stored_bytes(&a, img), [4]);
    }

    /// A GNU long name record (`L`) of `name`, then a regular file of `data` under it.
    fn gnu_long(name: &[u8], data: &[u8]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(name.len() as u64 + 1);
        h.set_entry_type(tar::EntryType::GNULongName);
        h.set_path("././@LongLink").expect("a test tar");
        h.set_cksum();
        let mut n = name.to_vec();
        n.push(0);
        b.append(&h, &n[..]).expect("a test tar");
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        h.set_path("short").expect("a test tar");
        h.set_cksum();
        b.append(&h, data).expect("a test tar");
        b.into_inner().expect("a test tar")
    }

    /// A layer read to its end in which a limit of this reader left an entry out (deeper
    /// than `max_path_depth`) is a gap: its files are not all known, though Docker unpacks
    /// them. Before, views listed the rest as if whole.
    #[test]
    fn a_limit_that_left_entries_out_is_a_gap() {
        let deep = "d/".repeat(1100) + "f";
        let top = gnu_long(deep.as_bytes(), b"x");
        let a = read(&save(&[tar_of(&[("ok", b"1")]), top]));
        let img = &a.images[0];
        let gaps = listing_gaps(&a, img, usize::MAX);
        assert_eq!(gaps.len(), 1, "{gaps:?} {:?}", a.problems);
        assert_eq!((gaps[0].layer, &gaps[0].kind), (1, &GapKind::Limited));
        assert!(listing_gaps(&a, img, 0).is_empty());
        assert!(gaps[0].to_string().starts_with(
            "layer 1 (l1/layer.tar): a limit of this reader left some of its entries out"
        ));
        // A limit that leaves every entry listed under its name is no gap: an oversized PAX
        // record that describes no entry (the layer ends after it).
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_ustar();
        h.set_size(1);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, "only", &b"1"[..])
            .expect("a test tar");
        let mut h = tar::Header::new_ustar();
        let record = vec![b'x'; (1 << 20) + 100];
        h.set_size(record.len() as u64);
        h.set_entry_type(tar::EntryType::XHeader);
        h.set_path("pax").expect("a test tar");
        h.set_cksum();
        b.append(&h, &record[..]).expect("a test tar");
        let trailing = b.into_inner().expect("a test tar");
        let a = read(&save(&[trailing]));
        assert!(
            a.problems.iter().any(|p| p.kind == ProblemKind::Limit),
            "{:?}",
            a.problems
        );
        assert!(listing_gaps(&a, &a.images[0], usize::MAX).is_empty());
    }

    /// A name component over 255 bytes is one `unpack-fails` problem naming the entry (a
    /// Linux filesystem refuses it: ENAMETOOLONG); 255 bytes, or a whiteout of a 255-byte
    /// name, is none. A GNU long name record over Go's 1 MiB is `unpack-fails` too, beside the
    /// reader's own `limit`.
    #[test]
    fn names_docker_cannot_unpack_are_said() {
        let kinds =
            |a: &Archive| -> Vec<ProblemKind> { a.problems.iter().map(|p| p.kind).collect() };
        let ok = "a".repeat(255);
        let wh = format!("d/.wh.{ok}");
        let fine = read(&save(&[
            gnu_long(format!("d/{ok}").as_bytes(), b"1"),
            gnu_long(wh.as_bytes(), b""),
        ]));
        assert!(
            !kinds(&fine).contains(&ProblemKind::UnpackFails),
            "{:?}",
            fine.problems
        );
        let long = format!("d/{}/f", "b".repeat(300));
        let a = read(&save(&[gnu_long(long.as_bytes(), b"1")]));
        let p: Vec<&Problem> = a
            .problems
            .iter()
            .filter(|p| p.kind == ProblemKind::UnpackFails)
            .collect();
        assert_eq!(p.len(), 1, "{:?}", a.problems);
        assert_eq!(p[0].origin.entry.as_deref(), Some(long.as_str()));
        assert!(p[0].detail.contains("300 bytes") && p[0].detail.contains("ENAMETOOLONG"));
        // 1 MiB and one block of a name: Go refuses it ("header field too long").
        let huge = read(&save(&[gnu_long(&vec![b'n'; (1 << 20) + 512], b"1")]));
        let k = kinds(&huge);
        assert!(
            k.contains(&ProblemKind::Limit) && k.contains(&ProblemKind::UnpackFails),
            "{:?}",
            huge.problems
        );
        assert!(huge
            .problems
            .iter()
            .any(|p| p.kind == ProblemKind::UnpackFails
                && p.detail.contains("header field too long")));
    }

    #[test]
    fn a_whole_image_has_no_gaps_and_a_missing_blob_is_one() {
        let a = read(&save(&[tar_of(&[("a", b"1")]), tar_of(&[("b", b"2")])]));
        assert!(listing_gaps(&a, &a.images[0], usize::MAX).is_empty());

        let mut a = a;
        a.images[0].layers[0].member = None;
        a.images[0].layers[0].verification = Verification::Missing;
        let gaps = listing_gaps(&a, &a.images[0], usize::MAX);
        assert_eq!(gaps.len(), 1);
        assert_eq!((gaps[0].layer, &gaps[0].kind), (0, &GapKind::Missing));
        // Not read yet is not a gap (the page's first view).
        a.images[0].layers[0].verification = Verification::Pending;
        assert!(listing_gaps(&a, &a.images[0], usize::MAX).is_empty());
    }
}
