//! A hostile layer of many entries that are each the same finding (an unsafe name, a name
//! written through a symlink, an invalid whiteout ...) gives a bounded list of problems: each
//! finding of a layer lists its first ten entries, then one problem of the same kind counts
//! the rest. One problem per entry cost gigabytes of memory and of JSON on a 1.2-million-entry
//! layer of a 1.2 MB file.

use pancake_core::read::archive::{open, Options};
use pancake_core::{Archive, Digest, ProblemKind};

/// How many each finding lists one by one (`pancake_core::read::listed::PER_LAYER`).
const LISTED: usize = pancake_core::read::listed::PER_LAYER;

/// A raw tar header: names are written byte for byte (the `tar` crate's safe setters refuse
/// `..` and absolute names, which these tests need).
fn header(name: &[u8], size: u64, kind: tar::EntryType, link: &[u8]) -> tar::Header {
    let mut h = tar::Header::new_old();
    {
        let old = h.as_old_mut();
        let n = name.len().min(old.name.len());
        old.name[..n].copy_from_slice(&name[..n]);
        let l = link.len().min(old.linkname.len());
        old.linkname[..l].copy_from_slice(&link[..l]);
    }
    h.set_size(size);
    h.set_mode(0o644);
    h.set_entry_type(kind);
    h.set_cksum();
    h
}

/// A tar of `(name, type, link target)` entries, each empty.
fn tar_of(entries: impl IntoIterator<Item = (String, tar::EntryType, String)>) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, kind, link) in entries {
        b.append(&header(name.as_bytes(), 0, kind, link.as_bytes()), &[][..])
            .unwrap();
    }
    b.into_inner().unwrap()
}

fn file(name: String) -> (String, tar::EntryType, String) {
    (name, tar::EntryType::Regular, String::new())
}

fn symlink(name: &str, target: &str) -> (String, tar::EntryType, String) {
    (
        name.to_string(),
        tar::EntryType::Symlink,
        target.to_string(),
    )
}

/// A tar builder holding a one-layer docker-archive of `layer` (its layer, config and
/// `manifest.json`), for more members to follow.
fn save_of(layer: &[u8]) -> tar::Builder<Vec<u8>> {
    let diff = Digest::of_bytes(layer);
    let cfg = format!(
        r#"{{"architecture":"amd64","os":"linux","rootfs":{{"type":"layers","diff_ids":["{diff}"]}}}}"#
    );
    let cfg_name = format!("{}.json", Digest::of_bytes(cfg.as_bytes()).hex());
    let manifest =
        format!(r#"[{{"Config":"{cfg_name}","RepoTags":["t:1"],"Layers":["abc/layer.tar"]}}]"#);
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in [
        ("abc/layer.tar", layer),
        (cfg_name.as_str(), cfg.as_bytes()),
        ("manifest.json", manifest.as_bytes()),
    ] {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, data).unwrap();
    }
    b
}

/// A one-layer docker-archive of `layer`, read.
fn read(layer: &[u8]) -> Archive {
    let b = save_of(layer);
    let bytes = b.into_inner().unwrap();
    open("caps", &bytes, &Options::default(), &mut |_| {}).expect("readable")
}

/// The problems of `kind`: the entries of those about one entry, in order, and the count the
/// one about the layer as a whole gives (its detail starts with it), if there is one.
fn of_kind(a: &Archive, kind: ProblemKind) -> (Vec<String>, Option<usize>) {
    let ps: Vec<_> = a.problems.iter().filter(|p| p.kind == kind).collect();
    let entries = ps.iter().filter_map(|p| p.origin.entry.clone()).collect();
    let rest: Vec<usize> = ps
        .iter()
        .filter(|p| p.origin.entry.is_none())
        .map(|p| {
            p.detail
                .split_whitespace()
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("a count first: {}", p.detail))
        })
        .collect();
    assert!(rest.len() <= 1, "one count per kind here: {rest:?}");
    (entries, rest.first().copied())
}

/// Every problem names the layer member (listed or counted).
fn all_about_the_layer(a: &Archive) {
    for p in &a.problems {
        let m = p.origin.member.as_ref().map(|m| m.name.as_str());
        assert_eq!(m, Some("abc/layer.tar"), "{p:?}");
    }
}

const N: usize = 50_000;

#[test]
fn names_that_climb_out_are_listed_ten_then_counted() {
    let a = read(&tar_of((0..N).map(|i| file(format!("../../x{i}")))));
    let (entries, rest) = of_kind(&a, ProblemKind::UnsafePath);
    let want: Vec<String> = (0..LISTED).map(|i| format!("../../x{i}")).collect();
    assert_eq!(entries, want);
    assert_eq!(rest, Some(N - LISTED));
    all_about_the_layer(&a);
    // The layer still lists every entry.
    let layer = a
        .members
        .iter()
        .find_map(|m| m.facts.layer.as_ref())
        .unwrap();
    assert_eq!(layer.entries.len(), N);
}

#[test]
fn symlinks_that_climb_above_the_root_are_listed_ten_then_counted() {
    let a = read(&tar_of(
        (0..N).map(|i| symlink(&format!("l{i}"), "../../../etc/passwd")),
    ));
    let (entries, rest) = of_kind(&a, ProblemKind::UnsafePath);
    assert_eq!(entries.len(), LISTED);
    assert_eq!(entries.first().map(String::as_str), Some("l0"));
    assert_eq!(rest, Some(N - LISTED));
}

#[test]
fn reserved_whiteout_names_are_listed_ten_then_counted() {
    let a = read(&tar_of((0..N).map(|i| file(format!(".wh..wh.x{i}")))));
    let (entries, rest) = of_kind(&a, ProblemKind::Whiteout);
    assert_eq!(entries.len(), LISTED);
    assert_eq!(entries.first().map(String::as_str), Some(".wh..wh.x0"));
    assert_eq!(rest, Some(N - LISTED));
    all_about_the_layer(&a);
}

#[test]
fn whiteouts_of_their_own_folder_are_listed_ten_then_counted() {
    // `d<i>/.wh.` names its own folder: unpacking fails on each.
    let a = read(&tar_of((0..N).map(|i| file(format!("d{i}/.wh.")))));
    let (entries, rest) = of_kind(&a, ProblemKind::UnpackFails);
    assert_eq!(entries.len(), LISTED);
    assert_eq!(rest, Some(N - LISTED));
}

#[test]
fn names_written_through_an_escaping_symlink_are_listed_ten_then_counted() {
    let layer = tar_of(
        std::iter::once(symlink("esc", "../../../../tmp"))
            .chain((0..N).map(|i| file(format!("esc/f{i}")))),
    );
    let a = read(&layer);
    let (entries, rest) = of_kind(&a, ProblemKind::UnsafePath);
    // The symlink itself climbs (one finding), then the names written through it (another).
    assert_eq!(entries.first().map(String::as_str), Some("esc"));
    assert_eq!(entries.len(), 1 + LISTED);
    assert_eq!(entries.get(1).map(String::as_str), Some("esc/f0"));
    assert_eq!(rest, Some(N - LISTED));
}

#[test]
fn names_written_through_an_inside_symlink_are_listed_ten_then_counted() {
    let layer = tar_of(
        [
            ("d/".to_string(), tar::EntryType::Directory, String::new()),
            symlink("s", "d"),
        ]
        .into_iter()
        .chain((0..N).map(|i| file(format!("s/f{i}")))),
    );
    let a = read(&layer);
    let (entries, rest) = of_kind(&a, ProblemKind::TarQuirk);
    assert_eq!(entries.len(), LISTED);
    assert_eq!(entries.first().map(String::as_str), Some("s/f0"));
    assert_eq!(rest, Some(N - LISTED));
    assert!(!a.problems.iter().any(|p| p.kind == ProblemKind::UnsafePath));
    // Each is still placed where unpacking writes it.
    let img = a.images.first().expect("image");
    let rows = pancake_core::analyze::union::merged(&a, img, 0);
    assert!(rows
        .iter()
        .any(|r| r.path.display() == format!("d/f{}", N - 1)));
}

#[test]
fn hard_links_pointing_outside_are_listed_ten_then_counted() {
    let a = read(&tar_of((0..N).map(|i| {
        (
            format!("h{i}"),
            tar::EntryType::Link,
            "../../etc/passwd".to_string(),
        )
    })));
    let (entries, rest) = of_kind(&a, ProblemKind::UnsafePath);
    assert_eq!(entries.len(), LISTED);
    assert_eq!(rest, Some(N - LISTED));
    // They point to no file of the layer either: that finding is bounded too (20 listed).
    let (links, more) = of_kind(&a, ProblemKind::HardLink);
    assert_eq!(links.len(), 20);
    assert_eq!(more, Some(N - 20));
}

/// A save whose outer tarball holds, beside a good one-layer image, many members that are each
/// the same finding: a duplicate, an unsafe name, a link out of the archive. Each finding
/// names its first ten members, then one problem of its kind counts the rest; the image still
/// reads and verifies, and the two readers (`open`, `read_stream`) agree.
#[test]
fn outer_members_of_one_finding_are_listed_ten_then_counted() {
    const M: usize = 20_000;
    let layer = tar_of([file("a".into())]);
    let mut b = save_of(&layer);
    for i in 0..M {
        let dup = header(b"notes.txt", 0, tar::EntryType::Regular, b"");
        b.append(&dup, &[][..]).unwrap();
        let name = format!("../x{i}");
        let out = header(name.as_bytes(), 0, tar::EntryType::Regular, b"");
        b.append(&out, &[][..]).unwrap();
        let name = format!("l{i}");
        let link = header(name.as_bytes(), 0, tar::EntryType::Symlink, b"../../etc");
        b.append(&link, &[][..]).unwrap();
    }
    let bytes = b.into_inner().unwrap();
    let a = open("outer", &bytes, &Options::default(), &mut |_| {}).expect("readable");
    let s = pancake_core::read::archive::read_stream(
        "outer",
        bytes.as_slice(),
        bytes.len() as u64,
        &Options::default(),
        &mut |_| {},
    )
    .expect("readable");
    assert_eq!(a.problems, s.problems);
    // The first of `kind` about one member each, then the count, which names no member.
    let listed = |kind: ProblemKind, about: &str| {
        let ps: Vec<_> = a
            .problems
            .iter()
            .filter(|p| p.kind == kind && p.detail.contains(about))
            .collect();
        let named: Vec<String> = ps
            .iter()
            .filter_map(|p| p.origin.member.as_ref().map(|m| m.name.clone()))
            .collect();
        let counts: Vec<&str> = ps
            .iter()
            .filter(|p| p.origin.member.is_none())
            .map(|p| p.detail.as_str())
            .collect();
        (named, counts)
    };
    let (named, counts) = listed(ProblemKind::DuplicateMember, "more than once");
    assert_eq!(named, vec!["notes.txt".to_string(); LISTED]);
    assert_eq!(counts.len(), 1, "{counts:?}");
    assert!(
        counts[0].starts_with(&format!(
            "{} more members appear more than once",
            M - 1 - LISTED
        )),
        "{}",
        counts[0]
    );
    let (named, counts) = listed(ProblemKind::UnsafePath, "unsafe path");
    let want: Vec<String> = (0..LISTED).map(|i| format!("../x{i}")).collect();
    assert_eq!(named, want);
    assert_eq!(counts.len(), 1, "{counts:?}");
    assert!(
        counts[0].starts_with(&format!("{} more members have unsafe paths", M - LISTED)),
        "{}",
        counts[0]
    );
    let (named, counts) = listed(ProblemKind::UnsafePath, "outside the archive;");
    assert_eq!(named.len(), LISTED);
    assert_eq!(counts.len(), 1, "{counts:?}");
    assert!(
        counts[0].starts_with(&format!("{} more link members", M - LISTED)),
        "{}",
        counts[0]
    );
    assert!(a.problems.len() < 60, "{} problems", a.problems.len());
    // Every member is still listed, and the image reads and verifies.
    assert_eq!(a.members.len(), 3 + 3 * M);
    assert_eq!(a.images.len(), 1);
    assert!(a.images[0].layers.iter().all(|l| l.verified));
}

/// Twelve members of one name, then `tail` (raw bytes: more headers, or a cut file).
fn twelve_dups_then(tail: &[u8]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for _ in 0..12 {
        b.append(&header(b"dup", 0, tar::EntryType::Regular, b""), &[][..])
            .unwrap();
    }
    let mut bytes = b.into_inner().unwrap();
    // Without the two zero blocks that end it, so `tail` is read.
    bytes.truncate(bytes.len() - 1024);
    bytes.extend_from_slice(tail);
    bytes
}

fn both_readers(bytes: &[u8]) -> Archive {
    let a = open("t", &bytes.to_vec(), &Options::default(), &mut |_| {}).expect("readable");
    let s = pancake_core::read::archive::read_stream(
        "t",
        bytes,
        bytes.len() as u64,
        &Options::default(),
        &mut |_| {},
    )
    .expect("readable");
    assert_eq!(a.problems, s.problems, "open and read_stream disagree");
    a
}

/// The count of the rest comes after every other problem about the outer tar: a PAX record
/// over the bound still replaces the read error it caused (one problem for one cause), and a
/// file cut inside a member's content gives the same problems in the same order whether read
/// seeking or streaming.
#[test]
fn the_count_of_outer_findings_comes_last() {
    // A PAX header whose record is 1.2 MB, over the 1 MiB bound for extension records.
    let mut b = tar::Builder::new(Vec::new());
    let value = "x".repeat(1_200_000);
    b.append_pax_extensions([("comment", value.as_bytes())])
        .unwrap();
    let mut after = tar::Header::new_ustar();
    after.set_path("after").unwrap();
    after.set_size(0);
    after.set_cksum();
    b.append(&after, &[][..]).unwrap();
    let tail = b.into_inner().unwrap();
    let a = both_readers(&twelve_dups_then(&tail));
    let kinds: Vec<ProblemKind> = a.problems.iter().map(|p| p.kind).collect();
    assert!(!kinds.contains(&ProblemKind::Archive), "{:#?}", a.problems);
    assert!(kinds.contains(&ProblemKind::Limit), "{:#?}", a.problems);
    count_after_the_rest(&a);

    // A FIFO header that says 100,000 bytes of content, and the file ends there.
    let fifo = header(b"pipe", 100_000, tar::EntryType::Fifo, b"");
    let a = both_readers(&twelve_dups_then(fifo.as_bytes()));
    assert!(
        a.problems.iter().any(|p| p.kind == ProblemKind::Archive),
        "{:#?}",
        a.problems
    );
    count_after_the_rest(&a);
}

/// The count of the twelve `dup`s (one more than listed) comes after every other problem
/// about the outer tar.
fn count_after_the_rest(a: &Archive) {
    let at = |f: &dyn Fn(&pancake_core::Problem) -> bool| a.problems.iter().position(f);
    let count = at(&|p| p.detail.starts_with("1 more member appears more than once"));
    let outer = at(&|p| matches!(p.kind, ProblemKind::Archive | ProblemKind::Limit));
    assert!(
        count.is_some() && outer.is_some() && count > outer,
        "{:#?}",
        a.problems
    );
}

/// Thousands of copies of one member name, each a layer tar with a problem of its own: the
/// problems of the copies a later one replaces are listed ten, then counted.
#[test]
fn problems_of_replaced_copies_are_listed_ten_then_counted() {
    const COPIES: usize = 2_000;
    // Two problems per copy: an unsafe name, and an invalid whiteout (found from the
    // entries when the archive is resolved, not while reading).
    let layer = tar_of([file("../evil".into()), file(".wh..wh.bad".into())]);
    let mut b = tar::Builder::new(Vec::new());
    for _ in 0..COPIES {
        b.append(
            &header(b"j", layer.len() as u64, tar::EntryType::Regular, b""),
            layer.as_slice(),
        )
        .unwrap();
    }
    let bytes = b.into_inner().unwrap();
    let a = both_readers(&bytes);
    let notes: Vec<&str> = a
        .problems
        .iter()
        .filter(|p| p.detail.contains("an earlier copy of this member"))
        .map(|p| p.detail.as_str())
        .collect();
    assert_eq!(notes.len(), 10, "{:#?}", a.problems);
    // The last copy's two are said as themselves.
    let count = format!(
        "{} more problems of earlier copies of members",
        2 * (COPIES - 1) - 10
    );
    assert!(
        a.problems.iter().any(|p| p.detail.starts_with(&count)),
        "{count}: {:#?}",
        a.problems
    );
    assert!(a.problems.len() < 40, "{}", a.problems.len());
}
