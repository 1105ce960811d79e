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

/// A one-layer docker-archive of `layer`, read.
fn read(layer: &[u8]) -> Archive {
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
    let diff = Digest::of_bytes(&layer);
    let cfg = format!(
        r#"{{"architecture":"amd64","os":"linux","rootfs":{{"type":"layers","diff_ids":["{diff}"]}}}}"#
    );
    let cfg_name = format!("{}.json", Digest::of_bytes(cfg.as_bytes()).hex());
    let manifest =
        format!(r#"[{{"Config":"{cfg_name}","RepoTags":["t:1"],"Layers":["abc/layer.tar"]}}]"#);
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in [
        ("abc/layer.tar".as_bytes(), layer.as_slice()),
        (cfg_name.as_bytes(), cfg.as_bytes()),
        (b"manifest.json", manifest.as_bytes()),
    ] {
        b.append(
            &header(name, data.len() as u64, tar::EntryType::Regular, b""),
            data,
        )
        .unwrap();
    }
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
