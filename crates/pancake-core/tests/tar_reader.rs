//! The layer tar reader against the situations Go's `archive/tar` (Docker's reader) handles,
//! in every dialect: tars are written byte by byte here (as Go's testdata does for the odd
//! ones), each read by both walks — streaming (`layer::walk`) and seeking
//! (`layer::walk_headers`) — which must agree entry for entry and problem for problem.

use std::fs::File;
use std::path::PathBuf;

use pancake_core::read::archive::{open, read_entry_content, Options};
use pancake_core::read::layer::{self, LayerWalk};
use pancake_core::{EntryKind, Limits, ProblemKind, RawPath, SparseRegion};

const B: usize = 512;

#[derive(Clone, Copy, PartialEq)]
enum Fmt {
    V7,
    Ustar,
    Gnu,
}

fn octal(n: u64, width: usize) -> Vec<u8> {
    let mut v = format!("{:0w$o}", n, w = width - 1).into_bytes();
    v.push(0);
    v
}

fn put(b: &mut [u8], at: usize, v: &[u8]) {
    b[at..at + v.len()].copy_from_slice(v);
}

fn checksum(b: &mut [u8; B]) {
    b[148..156].fill(b' ');
    let sum: u32 = b.iter().map(|c| u32::from(*c)).sum();
    put(b, 148, format!("{sum:06o}\0 ").as_bytes());
}

/// One header block; `size` is written in octal (base-256 when `base256`).
fn header(name: &[u8], typeflag: u8, size: u64, fmt: Fmt) -> [u8; B] {
    let mut b = [0u8; B];
    put(&mut b, 0, &name[..name.len().min(100)]);
    put(&mut b, 100, &octal(0o644, 8));
    put(&mut b, 108, &octal(0, 8));
    put(&mut b, 116, &octal(0, 8));
    put(&mut b, 124, &octal(size, 12));
    put(&mut b, 136, &octal(1_714_557_600, 12));
    b[156] = typeflag;
    match fmt {
        Fmt::V7 => {}
        Fmt::Ustar => {
            put(&mut b, 257, b"ustar\0");
            put(&mut b, 263, b"00");
        }
        Fmt::Gnu => put(&mut b, 257, b"ustar  \0"),
    }
    checksum(&mut b);
    b
}

fn pad(data: &[u8]) -> Vec<u8> {
    let mut v = data.to_vec();
    v.resize(data.len().div_ceil(B) * B, 0);
    v
}

#[derive(Default)]
struct Tar(Vec<u8>);

impl Tar {
    fn raw(mut self, b: &[u8]) -> Self {
        self.0.extend_from_slice(b);
        self
    }
    fn member(self, name: &[u8], typeflag: u8, data: &[u8]) -> Self {
        self.raw(&header(name, typeflag, data.len() as u64, Fmt::Ustar))
            .raw(&pad(data))
    }
    fn file(self, name: &str, data: &[u8]) -> Self {
        self.member(name.as_bytes(), b'0', data)
    }
    fn gnu(self, typeflag: u8, value: &[u8]) -> Self {
        self.raw(&header(
            b"././@LongLink",
            typeflag,
            value.len() as u64,
            Fmt::Gnu,
        ))
        .raw(&pad(value))
    }
    fn pax(self, typeflag: u8, records: &[(&str, &[u8])]) -> Self {
        let data = pax_data(records);
        self.raw(&header(
            b"PaxHeaders/x",
            typeflag,
            data.len() as u64,
            Fmt::Ustar,
        ))
        .raw(&pad(&data))
    }
    fn end(self) -> Vec<u8> {
        self.raw(&[0u8; 2 * B]).0
    }
}

fn pax_record(k: &str, v: &[u8]) -> Vec<u8> {
    let body_len = 1 + k.len() + 1 + v.len() + 1;
    let mut n = body_len + 1;
    while n.to_string().len() + body_len != n {
        n += 1;
    }
    let mut r = format!("{n} {k}=").into_bytes();
    r.extend_from_slice(v);
    r.push(b'\n');
    r
}

fn pax_data(records: &[(&str, &[u8])]) -> Vec<u8> {
    records.iter().flat_map(|(k, v)| pax_record(k, v)).collect()
}

/// Both walks over `tar`; they must agree, and with the streaming walk told the tar's size.
/// Returns the streaming one.
fn both_with(tar: &[u8], limits: &Limits) -> LayerWalk {
    let a = layer::walk(tar, "L", Some(1000), limits);
    let sized = layer::walk_sized(tar, "L", Some(1000), tar.len() as u64, limits);
    assert_eq!(
        a.entries, sized.entries,
        "walks with and without the size differ"
    );
    assert_eq!((&a.error, &a.problems), (&sized.error, &sized.problems));
    assert_eq!(sized.entries.capacity(), sized.entries.len());
    let b = layer::walk_headers(&tar.to_vec(), 0, tar.len() as u64, "L", limits);
    let b_entries: Vec<_> = b
        .entries
        .iter()
        .cloned()
        .map(|mut e| {
            e.content_offset = e.content_offset.map(|o| o + 1000);
            e
        })
        .collect();
    assert_eq!(a.entries, b_entries, "streaming and seeking walks differ");
    assert_eq!(a.error, b.error);
    assert_eq!(a.problems, b.problems);
    // The room the list did not use, doubled or estimated, is given back (the index keeps its
    // list for as long as the image is open).
    assert_eq!(
        b.entries.capacity(),
        b.entries.len(),
        "room kept after the walk"
    );
    assert_eq!(
        a.entries.capacity(),
        a.entries.len(),
        "room kept after the walk"
    );
    a
}

fn both(tar: &[u8]) -> LayerWalk {
    both_with(tar, &Limits::default())
}

fn names(w: &LayerWalk) -> Vec<String> {
    w.entries
        .iter()
        .map(|e| e.path.display().into_owned())
        .collect()
}

fn kinds(w: &LayerWalk) -> Vec<ProblemKind> {
    w.problems.iter().map(|p| p.kind).collect()
}

fn content(tar: &[u8], path: &str) -> Vec<u8> {
    layer::read_file(tar, &RawPath::from(path), None, 1 << 24, &Limits::default())
        .expect("readable")
        .expect("present")
}

#[test]
fn several_long_names_or_pax_headers_in_a_row_the_last_wins() {
    let tar = Tar::default()
        .gnu(b'L', b"first/long/name")
        .gnu(b'L', b"second/name\0garbage after the NUL")
        .file("short", b"abc")
        .gnu(b'K', b"t1")
        .gnu(b'K', b"t2")
        .member(b"link", b'1', b"")
        .pax(b'x', &[("path", b"pax/one"), ("uid", b"7")])
        .pax(b'x', &[("path", b"pax/two")])
        .file("plain", b"x")
        .pax(b'x', &[("path", b"pax/three"), ("mtime", b"1234.5")])
        .pax(b'x', &[("uid", b"42")])
        .file("own-name", b"y")
        .end();
    let w = both(&tar);
    assert_eq!(w.error, None);
    assert_eq!(
        names(&w),
        ["second/name", "link", "pax/two", "own-name"],
        "{:#?}",
        w.problems
    );
    assert_eq!(
        w.entries[1]
            .link_target
            .as_ref()
            .map(|t| t.display().into_owned()),
        Some("t2".into())
    );
    // The second PAX header replaced the first whole: its uid did not carry over.
    assert_eq!(w.entries[2].uid, 0);
    assert_eq!(w.entries[3].uid, 42);
    assert_eq!(w.entries[0].size, 3);
    assert!(w.problems.is_empty(), "{:#?}", w.problems);
    assert_eq!(content(&tar, "second/name"), b"abc");
}

#[test]
fn ustar_prefix_and_old_go_gnu_prefix_are_joined() {
    let mut u = header(b"file.txt", b'0', 2, Fmt::Ustar);
    put(&mut u, 345, b"some/prefix");
    checksum(&mut u);
    // Go before 1.8 wrote a prefix into GNU headers, over atime/ctime: text, not numbers.
    let mut g = header(b"file2.txt", b'0', 0, Fmt::Gnu);
    put(&mut g, 345, b"gnu/prefix");
    checksum(&mut g);
    // A real GNU header with numeric atime/ctime: no prefix.
    let mut t = header(b"file3.txt", b'0', 0, Fmt::Gnu);
    put(&mut t, 345, &octal(1_700_000_000, 12));
    put(&mut t, 357, &octal(1_700_000_000, 12));
    checksum(&mut t);
    let tar = Tar::default()
        .raw(&u)
        .raw(&pad(b"hi"))
        .raw(&g)
        .raw(&t)
        .end();
    let w = both(&tar);
    assert_eq!(
        names(&w),
        ["some/prefix/file.txt", "gnu/prefix/file2.txt", "file3.txt"]
    );
    assert_eq!(content(&tar, "some/prefix/file.txt"), b"hi");
}

#[test]
fn base256_numbers_and_signed_checksums() {
    let mut h = header(b"big", b'0', 0, Fmt::Gnu);
    // size 5 in base-256, uid 2^40 in base-256.
    let mut size = [0u8; 12];
    size[0] = 0x80;
    size[11] = 5;
    put(&mut h, 124, &size);
    let mut uid = [0u8; 8];
    uid[0] = 0x80;
    uid[2] = 1;
    put(&mut h, 108, &uid);
    checksum(&mut h);
    // A name with high bytes, checksummed as signed bytes (old Sun tar did).
    let mut s = header(b"caf\xe9", b'0', 0, Fmt::Ustar);
    s[148..156].fill(b' ');
    let signed: i64 = s.iter().map(|c| i64::from(*c as i8)).sum();
    put(&mut s, 148, format!("{signed:06o}\0 ").as_bytes());
    let tar = Tar::default().raw(&h).raw(&pad(b"12345")).raw(&s).end();
    let w = both(&tar);
    assert_eq!(w.error, None);
    assert_eq!(w.entries.len(), 2);
    assert_eq!(w.entries[0].size, 5);
    assert_eq!(w.entries[0].uid, 1 << 40);
    assert_eq!(w.entries[1].path.as_bytes(), b"caf\xe9");

    // A wrong checksum: unreadable at that header, earlier entries kept.
    let mut bad = header(b"bad", b'0', 0, Fmt::Ustar);
    bad[0] = b'B';
    let tar = Tar::default().file("ok", b"1").raw(&bad).end();
    let w = both(&tar);
    assert_eq!(names(&w), ["ok"]);
    let e = w.error.expect("error");
    assert!(
        e.starts_with(
            "unreadable at the header after entry ok, byte offset 1024: the header checksum says"
        ),
        "{e}"
    );
}

#[test]
fn pax_global_headers_are_not_members_and_change_nothing() {
    let tar = Tar::default()
        .pax(b'g', &[("path", b"global/path"), ("comment", b"hi")])
        .file("a", b"1")
        // A PAX header before a global one does not reach past it.
        .pax(b'x', &[("path", b"lost")])
        .pax(b'g', &[("mtime", b"1")])
        .file("b", b"2")
        .end();
    let w = both(&tar);
    assert_eq!(names(&w), ["a", "b"]);
    assert!(w.problems.is_empty(), "{:#?}", w.problems);
}

#[test]
fn v7_trailing_slash_is_a_directory_and_header_only_types_have_no_data() {
    let tar = Tar::default()
        .raw(&header(b"olddir/", 0, 0, Fmt::V7))
        .raw(&header(b"oldfile", 0, 3, Fmt::V7))
        .raw(&pad(b"abc"))
        // A directory whose size field is not 0: Go skips no data after it.
        .raw(&header(b"dir", b'5', 700, Fmt::Ustar))
        .file("after", b"z")
        .end();
    let w = both(&tar);
    assert_eq!(w.error, None);
    assert_eq!(names(&w), ["olddir", "oldfile", "dir", "after"]);
    let k: Vec<EntryKind> = w.entries.iter().map(|e| e.kind).collect();
    assert_eq!(
        k,
        [
            EntryKind::Dir,
            EntryKind::File,
            EntryKind::Dir,
            EntryKind::File
        ]
    );
    assert_eq!(w.entries[2].size, 0);
    assert_eq!(content(&tar, "oldfile"), b"abc");
}

/// Regions `(offset, data)` of a sparse file: the map and the stored data.
fn regions() -> (u64, Vec<(u64, Vec<u8>)>) {
    let a = b"HEAD".repeat(128); // 512 bytes at 0
    let b = (0..=255u8).collect::<Vec<u8>>().repeat(4); // 1024 bytes at 8192
    (20_000, vec![(0, a), (8192, b)])
}

fn expected_sparse() -> Vec<u8> {
    let (size, rs) = regions();
    let mut v = vec![0u8; size as usize];
    for (o, d) in rs {
        v[o as usize..o as usize + d.len()].copy_from_slice(&d);
    }
    v
}

fn stored(rs: &[(u64, Vec<u8>)]) -> Vec<u8> {
    rs.iter().flat_map(|(_, d)| d.clone()).collect()
}

const OLD_GNU: bool = true;
const PAX: bool = false;

/// `old_gnu`: the entry has an old-GNU `S` header, which Docker's and containerd's unpacking
/// refuse ("unhandled tar header type 83"): exactly one `unpack-fails` problem naming the entry
/// is expected; the PAX dialects are what Docker applies, so none.
fn check_sparse(tar: &[u8], name: &str, old_gnu: bool) {
    let w = both(tar);
    assert_eq!(w.error, None, "{:#?}", w.problems);
    if old_gnu {
        assert_eq!(w.problems.len(), 1, "{:#?}", w.problems);
        assert_eq!(w.problems[0].kind, ProblemKind::UnpackFails);
        assert_eq!(w.problems[0].origin.entry.as_deref(), Some(name));
        assert!(
            w.problems[0].message().contains("type 'S' (83)"),
            "{:#?}",
            w.problems
        );
    } else {
        assert!(w.problems.is_empty(), "{:#?}", w.problems);
    }
    assert_eq!(names(&w), [name, "after"]);
    let e = &w.entries[0];
    assert_eq!(e.kind, EntryKind::File);
    assert_eq!(e.size, 20_000);
    let sp = e.sparse().expect("sparse map");
    assert_eq!(
        sp.regions,
        [
            SparseRegion {
                offset: 0,
                length: 512
            },
            SparseRegion {
                offset: 8192,
                length: 1024
            }
        ]
    );
    assert_eq!(content(tar, name), expected_sparse());
    assert_eq!(content(tar, "after"), b"next");
}

#[test]
fn old_gnu_sparse_with_an_extension_block() {
    let (size, rs) = regions();
    let data = stored(&rs);
    let mut h = header(b"disk.img", b'S', data.len() as u64, Fmt::Gnu);
    // First region in the header, the second in an extension block.
    put(&mut h, 386, &octal(rs[0].0, 12));
    put(&mut h, 398, &octal(rs[0].1.len() as u64, 12));
    h[482] = 1;
    put(&mut h, 483, &octal(size, 12));
    checksum(&mut h);
    let mut ext = [0u8; B];
    put(&mut ext, 0, &octal(rs[1].0, 12));
    put(&mut ext, 12, &octal(rs[1].1.len() as u64, 12));
    put(&mut ext, 24, &octal(size, 12));
    put(&mut ext, 36, &octal(0, 12));
    let tar = Tar::default()
        .raw(&h)
        .raw(&ext)
        .raw(&pad(&data))
        .file("after", b"next")
        .end();
    check_sparse(&tar, "disk.img", OLD_GNU);
}

#[test]
fn pax_sparse_0_0_and_0_1() {
    let (size, rs) = regions();
    let data = stored(&rs);
    let size_s = size.to_string();
    let (o0, l0, o1, l1) = (
        rs[0].0.to_string(),
        rs[0].1.len().to_string(),
        rs[1].0.to_string(),
        rs[1].1.len().to_string(),
    );
    // 0.0: repeated offset/numbytes records; the name stays the header's.
    let tar = Tar::default()
        .pax(
            b'x',
            &[
                ("GNU.sparse.size", size_s.as_bytes()),
                ("GNU.sparse.numblocks", b"2"),
                ("GNU.sparse.offset", o0.as_bytes()),
                ("GNU.sparse.numbytes", l0.as_bytes()),
                ("GNU.sparse.offset", o1.as_bytes()),
                ("GNU.sparse.numbytes", l1.as_bytes()),
            ],
        )
        .member(b"sparse00", b'0', &data)
        .file("after", b"next")
        .end();
    check_sparse(&tar, "sparse00", PAX);
    // 0.1: one GNU.sparse.map record, the real name in GNU.sparse.name.
    let map = format!("{o0},{l0},{o1},{l1}");
    let tar = Tar::default()
        .pax(
            b'x',
            &[
                ("GNU.sparse.size", size_s.as_bytes()),
                ("GNU.sparse.numblocks", b"2"),
                ("GNU.sparse.map", map.as_bytes()),
                ("GNU.sparse.name", b"real/sparse01"),
            ],
        )
        .member(b"GNUSparseFile.0/sparse01", b'0', &data)
        .file("after", b"next")
        .end();
    check_sparse(&tar, "real/sparse01", PAX);
}

#[test]
fn pax_sparse_1_0_map_in_the_data() {
    let (size, rs) = regions();
    let mut body = pad(format!(
        "2\n{}\n{}\n{}\n{}\n",
        rs[0].0,
        rs[0].1.len(),
        rs[1].0,
        rs[1].1.len()
    )
    .as_bytes());
    body.extend(stored(&rs));
    let size_s = size.to_string();
    let tar = Tar::default()
        .pax(
            b'x',
            &[
                ("GNU.sparse.major", b"1"),
                ("GNU.sparse.minor", b"0"),
                ("GNU.sparse.name", b"var/lib/disk.img"),
                ("GNU.sparse.realsize", size_s.as_bytes()),
            ],
        )
        .member(b"var/lib/GNUSparseFile.0/disk.img", b'0', &body)
        .file("after", b"next")
        .end();
    check_sparse(&tar, "var/lib/disk.img", PAX);
    // The content offset points past the map block, at the first stored region.
    let w = both(&tar);
    assert_eq!(
        w.entries[0].content_offset,
        Some(1000 + 3 * B as u64 + B as u64)
    );
}

#[test]
fn sparse_field_case_reads_by_offset_with_holes_as_zeros() {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/field/pax-sparse-member.tar");
    let f = File::open(&p).expect("field case");
    let a = open(
        "pax-sparse-member.tar",
        &f,
        &Options::default(),
        &mut |_| {},
    )
    .expect("open");
    let bad: Vec<_> = a
        .problems
        .iter()
        .filter(|p| pancake_core::read::image::is_error_level(p.kind))
        .collect();
    // The one error: Docker's and containerd's unpacking refuse the old-GNU `S` entry
    // ("unhandled tar header type 83"); the file is still read and shown as tar reads it.
    assert_eq!(bad.len(), 1, "{bad:#?}");
    assert_eq!(bad[0].kind, ProblemKind::UnpackFails);
    assert_eq!(bad[0].origin.entry.as_deref(), Some("var/lib/vm/seed.img"));
    let (m, l) = a
        .members
        .iter()
        .enumerate()
        .find_map(|(i, m)| {
            let l = m.facts.layer.as_ref()?;
            l.entries
                .iter()
                .any(|e| e.path == RawPath::from("var/lib/vm/disk.img"))
                .then_some((i, l))
        })
        .expect("the sparse layer");
    assert_eq!(l.entries.len(), 6);
    assert!(l
        .entries
        .iter()
        .all(|e| !e.path.display().contains("GNUSparseFile")));
    let disk = read_entry_content(&f, &a, m, &RawPath::from("var/lib/vm/disk.img"), 1 << 21)
        .expect("disk.img");
    assert_eq!(disk.len(), 1 << 20);
    assert_eq!(&disk[..10], b"BOOTSECTOR");
    assert!(disk[10..4096].iter().all(|b| *b == 0));
    assert!(disk[4096..512 * 1024].iter().all(|b| *b == 0));
    let tail: Vec<u8> = (0..=255u8).collect::<Vec<u8>>().repeat(16);
    assert_eq!(&disk[512 * 1024..512 * 1024 + 4096], tail.as_slice());
    assert!(disk[512 * 1024 + 4096..].iter().all(|b| *b == 0));
    let seed = read_entry_content(&f, &a, m, &RawPath::from("var/lib/vm/seed.img"), 1 << 21)
        .expect("seed.img");
    assert_eq!(seed.len(), 64 * 1024);
    assert_eq!(&seed[..16], b"cloud-init seed\n");
    assert!(seed[16..].iter().all(|b| *b == 0));
    // Bounded by `max`.
    let head =
        read_entry_content(&f, &a, m, &RawPath::from("var/lib/vm/disk.img"), 100).expect("head");
    assert_eq!(head.len(), 100);
}

#[test]
fn oversized_extension_records_are_skipped_not_buffered() {
    let limits = Limits {
        max_extension_bytes: 1024,
        ..Limits::default()
    };
    let long = vec![b'n'; 3000];
    let big_pax = vec![b'v'; 2000];
    let tar = Tar::default()
        .gnu(b'L', &long)
        .file("short-name", b"1")
        .pax(b'x', &[("comment", &big_pax)])
        .file("second", b"2")
        .file("third", b"3")
        .end();
    let w = both_with(&tar, &limits);
    assert_eq!(w.error, None);
    assert_eq!(names(&w), ["short-name", "second", "third"]);
    assert_eq!(kinds(&w), [ProblemKind::Limit, ProblemKind::Limit]);
    let m = &w.problems[0].message();
    assert!(
        m.contains("layer L: entry short-name")
            && m.contains("GNU long name record")
            && m.contains("3000 bytes")
            && m.contains("limit of 1024 bytes"),
        "{m}"
    );
    assert!(
        w.problems[1].message().contains("entry second"),
        "{}",
        w.problems[1].message()
    );

    // A 1 GiB long-name claim in a tiny stream: nothing is allocated for it; the walk says
    // where the layer ends.
    let tar = Tar::default()
        .raw(&header(b"././@LongLink", b'L', 1 << 30, Fmt::Gnu))
        .raw(&[b'a'; B])
        .0;
    let w = both(&tar);
    assert!(w.entries.is_empty());
    let e = w.error.clone().expect("error");
    assert!(
        e.contains("byte offset 0") && e.contains("1073741824"),
        "{e}"
    );
    assert_eq!(kinds(&w), [ProblemKind::Limit]);
    assert!(
        w.problems[0]
            .message()
            .contains("GNU long name record at byte offset 0 is 1073741824 bytes"),
        "{}",
        w.problems[0].message()
    );
}

#[test]
fn entries_and_path_depth_are_capped() {
    let limits = Limits {
        max_entries_per_layer: 2,
        max_path_depth: 3,
        ..Limits::default()
    };
    let tar = Tar::default()
        .file("a", b"1")
        .file("b/c/d/e", b"deep")
        .file("b/c/d", b"ok")
        .file("z", b"3")
        .end();
    let w = both_with(&tar, &limits);
    assert_eq!(names(&w), ["a", "b/c/d"]);
    assert_eq!(kinds(&w), [ProblemKind::Limit, ProblemKind::Limit]);
    assert!(
        w.problems[0].message().contains("more than 2 entries")
            && w.problems[0].message().contains("entry z"),
        "{}",
        w.problems[0].message()
    );
    assert!(
        w.problems[1]
            .message()
            .contains("1 entry is deeper than the limit of 3")
            && w.problems[1].message().contains("b/c/d/e, 4 components"),
        "{}",
        w.problems[1].message()
    );
}

/// Names deep in long folders imply folders the union makes as whole paths: past 256 MiB
/// of them the entries are not listed, with a limit problem (a second review's 30 KB file of
/// names 1,000 folders deep took 2.5 GB). Ordinary deep trees stay far below it.
#[test]
fn the_folders_names_imply_are_bounded() {
    // 200 folders of 254 bytes: each name implies ~5.1 MB of folder paths, so ~52 fit.
    let folder = "f".repeat(254);
    let mut tar = Tar::default();
    for k in 0..70 {
        let name = format!("d{k}/{}/x", vec![folder.as_str(); 199].join("/"));
        tar = tar.pax(b'x', &[("path", name.as_bytes())]).file("x", b"");
    }
    let w = both(&tar.end());
    let listed = w.entries.len();
    assert!((45..60).contains(&listed), "{listed} listed");
    assert_eq!(kinds(&w), [ProblemKind::Limit]);
    let m = w.problems[0].message();
    assert!(
        m.contains(&format!("{} entries are not listed", 70 - listed))
            && m.contains("folders their paths make"),
        "{m}"
    );
    // A tree of 20,000 files four folders deep under long-ish names: all listed.
    let mut tar = Tar::default();
    for k in 0..20_000 {
        tar = tar.file(
            &format!(
                "usr/share/locale-{:03}/LC_MESSAGES/some-package-name-{k}.mo",
                k / 100
            ),
            b"",
        );
    }
    assert!(both(&tar.end()).problems.is_empty());
}

#[test]
fn absurd_or_negative_pax_sizes_name_the_entry_and_the_value() {
    let huge = (1u64 << 62).to_string();
    let tar = Tar::default()
        .file("first", b"1")
        .pax(b'x', &[("size", huge.as_bytes())])
        .file("victim", b"")
        .end();
    let w = both(&tar);
    assert_eq!(names(&w), ["first", "victim"]);
    let e = w.error.expect("error");
    assert!(
        e.starts_with("unreadable at entry victim, byte offset 2048: the PAX header of entry victim says its size is 4611686018427387904 bytes, more than the rest of the layer"),
        "{e}"
    );
    let tar = Tar::default()
        .pax(b'x', &[("size", b"-5")])
        .file("neg", b"")
        .end();
    let w = both(&tar);
    assert!(w.entries.is_empty());
    let e = w.error.expect("error");
    assert!(
        e.contains("entry neg")
            && e.contains("says its size is -5 bytes; a size cannot be negative"),
        "{e}"
    );
}

#[test]
fn missing_end_blocks_is_a_note_and_the_layer_stays_valid() {
    let tar = Tar::default().file("a", b"1").file("b", b"22").0;
    let w = both(&tar);
    assert_eq!(w.error, None);
    assert_eq!(names(&w), ["a", "b"]);
    assert_eq!(kinds(&w), [ProblemKind::TarQuirk]);
    assert!(
        w.problems[0]
            .message()
            .contains("after entry b without the two zero blocks"),
        "{}",
        w.problems[0].message()
    );
    assert!(!pancake_core::read::image::is_error_level(
        ProblemKind::TarQuirk
    ));
    // One zero block only: also read in full, also noted.
    let mut one = tar.clone();
    one.extend_from_slice(&[0u8; B]);
    let w = both(&one);
    assert_eq!((w.error.as_deref(), names(&w).len()), (None, 2));
    assert_eq!(kinds(&w), [ProblemKind::TarQuirk]);
    // A header cut in the middle is an error that says where.
    let mut cut = tar.clone();
    cut.extend_from_slice(&header(b"c", b'0', 0, Fmt::Ustar)[..100]);
    let w = both(&cut);
    assert_eq!(names(&w), ["a", "b"]);
    assert_eq!(
        w.error.as_deref(),
        Some("unreadable at the header after entry b, byte offset 2048: the layer ends 100 bytes into a 512-byte header block")
    );
}

#[test]
fn the_streaming_walk_stops_right_after_the_end_marker() {
    let mut tar = Tar::default().file("a", b"1").end();
    tar.extend_from_slice(b"trailing bytes the caller drains");
    let mut r = tar.as_slice();
    let w = layer::walk(&mut r, "L", None, &Limits::default());
    assert_eq!(names(&w), ["a"]);
    assert_eq!(r, b"trailing bytes the caller drains");
}

#[test]
fn the_layer_root_is_not_an_unsafe_path_but_escapes_are() {
    let tar = Tar::default()
        .member(b"/", b'5', b"")
        .member(b"./", b'5', b"")
        .member(b".", b'5', b"")
        .file("./etc/ok", b"1")
        .end();
    let w = both(&tar);
    assert!(w.problems.is_empty(), "{:#?}", w.problems);
    let tar = Tar::default()
        .file("../escape", b"1")
        .file("/abs/file", b"2")
        .member(b"hl", b'1', b"")
        .end();
    // (the hard link's target is set below)
    let mut tar = tar;
    let mut hl = header(b"hl", b'1', 0, Fmt::Ustar);
    put(&mut hl, 157, b"a/../../x");
    checksum(&mut hl);
    let at = 4 * B;
    tar[at..at + B].copy_from_slice(&hl);
    let w = both(&tar);
    assert_eq!(
        kinds(&w),
        [
            ProblemKind::UnsafePath,
            ProblemKind::UnsafePath,
            ProblemKind::UnsafePath
        ],
        "{:#?}",
        w.problems
    );
    assert!(w.problems[2].message().contains("hl => a/../../x"));
}

/// Tars that Python's `tarfile` writes (GNU, PAX and USTAR formats), read here and by Python:
/// where Python and Go agree (these cases), the listings must match member for member.
#[test]
fn same_members_as_python_tarfile_for_gnu_pax_and_ustar() {
    let script = r#"
import io, json, sys, tarfile
out = []
for fmt in (tarfile.GNU_FORMAT, tarfile.PAX_FORMAT, tarfile.USTAR_FORMAT):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tf:
        def add(name, type_, data=b"", link="", uid=0):
            t = tarfile.TarInfo(name); t.type = type_; t.size = len(data); t.linkname = link
            t.uid = uid; t.mtime = 1714557600
            tf.addfile(t, io.BytesIO(data) if data else None)
        long = "d" * 60 + "/" + "e" * 60 + "/file.txt"
        add("top", tarfile.DIRTYPE)
        add(long, tarfile.REGTYPE, b"long name content")
        add("sym", tarfile.SYMTYPE, link="x" * 90 + "/" + "y" * 30 if fmt != tarfile.USTAR_FORMAT else "short")
        add("hard", tarfile.LNKTYPE, link=long if fmt != tarfile.USTAR_FORMAT else "top")
        add("fifo", tarfile.FIFOTYPE)
        if fmt != tarfile.USTAR_FORMAT:
            add("caf\u00e9/\u00fcber.txt", tarfile.REGTYPE, b"x" * 1000, uid=3000000 if fmt == tarfile.PAX_FORMAT else 0)
    data = buf.getvalue()
    ms = [[m.name, m.type.decode("latin-1"), m.size, m.linkname, m.uid] for m in tarfile.open(fileobj=io.BytesIO(data)).getmembers()]
    out.append({"tar": data.hex(), "members": ms})
json.dump(out, sys.stdout)
"#;
    let run = std::process::Command::new("python3")
        .args(["-c", script])
        .output()
        .expect("python3 runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let cases: serde_json::Value = serde_json::from_slice(&run.stdout).expect("json");
    let cases = cases.as_array().expect("array");
    assert_eq!(cases.len(), 3);
    for case in cases {
        let tar = hex::decode(case["tar"].as_str().expect("hex")).expect("hex");
        let w = both(&tar);
        assert_eq!(w.error, None);
        assert!(w.problems.is_empty(), "{:#?}", w.problems);
        let want = case["members"].as_array().expect("members");
        assert_eq!(w.entries.len(), want.len());
        for (e, m) in w.entries.iter().zip(want) {
            let name = m[0].as_str().expect("name");
            assert_eq!(e.path, RawPath::from(name));
            let kind = match m[1].as_str().expect("type") {
                "0" => EntryKind::File,
                "5" => EntryKind::Dir,
                "2" => EntryKind::Symlink,
                "1" => EntryKind::Hardlink,
                "6" => EntryKind::Fifo,
                t => panic!("unexpected type {t}"),
            };
            assert_eq!(e.kind, kind, "{name}");
            assert_eq!(e.size, m[2].as_u64().expect("size"), "{name}");
            assert_eq!(e.uid, m[4].as_u64().expect("uid"), "{name}");
            let link = m[3].as_str().expect("link");
            if !link.is_empty() {
                let got = e.link_target.as_ref().expect("link").display().into_owned();
                assert_eq!(got, RawPath::from(link).display(), "{name}");
            }
        }
        let file = want
            .iter()
            .find(|m| m[2].as_u64() == Some(17))
            .and_then(|m| m[0].as_str())
            .expect("long file");
        assert_eq!(content(&tar, file), b"long name content");
    }
}

/// Every typeflag Docker's and containerd's unpacking refuse ("unhandled tar header type N":
/// all but `0`, `1`-`6` and the old NUL type) is an `unpack-fails` problem naming the entry
/// and the type. Types Go's reader reads as a file (contiguous `7`) stay files with their
/// content; the GNU `D`, `M`, `V`, `N` and unknown types are `other` entries; both walks agree.
#[test]
fn types_docker_refuses_are_unpack_fails_problems() {
    let tar = Tar::default()
        .member(b"c", b'7', b"cont!\n")
        .member(b"z", b'Z', b"zzzz")
        .member(b"dump/", b'D', b"dir-listing")
        .member(b"multi", b'M', b"")
        .member(b"vol", b'V', b"")
        .member(b"renamed", b'N', b"")
        .member(b"d/", b'5', b"")
        .member(b"d/f", b'0', b"x")
        .member(b"dev", b'3', b"")
        .member(b"l", b'2', b"")
        .member(b"h", b'1', b"")
        .member(b"p", b'6', b"")
        .member(b"v7", 0, b"old")
        // A whiteout marker is applied by its name, whatever its type: not refused.
        .member(b".wh.gone", b'Z', b"")
        .file("after", b"ok")
        .end();
    let w = both(&tar);
    assert_eq!(w.error, None);
    assert_eq!(
        names(&w),
        [
            "c", "z", "dump", "multi", "vol", "renamed", "d", "d/f", "dev", "l", "h", "p", "v7",
            ".wh.gone", "after"
        ]
    );
    let refused: Vec<(&str, &str)> = w
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::UnpackFails)
        .map(|p| (p.origin.entry.as_deref().unwrap_or(""), p.detail.as_str()))
        .collect();
    let expected = [
        ("c", "'7' (55)"),
        ("z", "'Z' (90)"),
        // Named as its header writes it, as the layer's other problems are.
        ("dump/", "'D' (68)"),
        ("multi", "'M' (77)"),
        ("vol", "'V' (86)"),
        ("renamed", "'N' (78)"),
    ];
    assert_eq!(refused.len(), expected.len(), "{:#?}", w.problems);
    for ((entry, detail), (want_entry, want_type)) in refused.iter().zip(expected) {
        assert_eq!(*entry, want_entry);
        assert!(
            detail.contains(&format!("tar type {want_type}"))
                && detail.contains("Docker's and containerd's unpacking refuse"),
            "{detail}"
        );
        assert_eq!(
            w.problems
                .iter()
                .find(|p| p.origin.entry.as_deref() == Some(want_entry))
                .and_then(|p| p.origin.member.as_ref())
                .map(|m| m.name.as_str()),
            Some("L")
        );
    }
    assert_eq!(kinds(&w), vec![ProblemKind::UnpackFails; 6]);
    let kind_of = |name: &str| {
        w.entries
            .iter()
            .find(|e| e.path == RawPath::from(name))
            .map(|e| (e.kind, e.size))
    };
    // The contiguous file keeps its kind and content, as Go and tar read it.
    assert_eq!(kind_of("c"), Some((EntryKind::File, 6)));
    assert_eq!(content(&tar, "c"), b"cont!\n");
    for other in ["z", "dump", "multi", "vol", "renamed"] {
        assert_eq!(kind_of(other), Some((EntryKind::Other, 0)), "{other}");
    }
    assert_eq!(kind_of("v7"), Some((EntryKind::File, 3)));
    assert_eq!(kind_of(".wh.gone"), Some((EntryKind::Other, 0)));
}

/// A layer with thousands of entries of a refused type names the first ten, then says how
/// many more, in one problem.
#[test]
fn many_refused_types_are_counted_not_all_listed() {
    let mut t = Tar::default();
    for i in 0..25 {
        t = t.member(format!("x{i}").as_bytes(), b'X', b"");
    }
    let w = both(&t.end());
    assert_eq!(w.entries.len(), 25);
    assert_eq!(kinds(&w), vec![ProblemKind::UnpackFails; 11]);
    let listed: Vec<&str> = w
        .problems
        .iter()
        .filter_map(|p| p.origin.entry.as_deref())
        .collect();
    assert_eq!(
        listed,
        ["x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9"]
    );
    let last = w.problems.last().map(|p| p.detail.as_str()).unwrap_or("");
    assert!(
        last.starts_with("15 more entries have a tar type"),
        "{last}"
    );
}

/// `setcap cap_net_raw+ep` as a layer holds it: the PAX record `SCHILY.xattr.security.capability`
/// with the kernel's 20-byte revision 2 value. Docker's unpacking sets every `SCHILY.xattr.`
/// record (an empty value too) and no `LIBARCHIVE.xattr.` one; the entry carries exactly those,
/// sorted by name, in JSON and across the wire, and the capability reads as getcap prints it.
#[test]
fn schily_xattrs_are_the_entrys_attributes_and_libarchive_ones_are_not() {
    use pancake_core::analyze::capability;
    use pancake_core::{wire, LayerIndex, MemberFacts, Xattr};
    let cap: &[u8] = &[
        0x01, 0, 0, 0x02, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];
    let tar = Tar::default()
        .pax(
            b'x',
            &[
                ("SCHILY.xattr.user.note", b"hello"),
                ("SCHILY.xattr.security.capability", cap),
                ("LIBARCHIVE.xattr.user.x", b"aWdub3JlZA"),
                ("SCHILY.xattr.user.empty", b""),
            ],
        )
        .file("bin/ping", b"ELF")
        .file("bin/plain", b"x")
        .end();
    let w = both(&tar);
    assert_eq!(w.error, None);
    assert!(w.problems.is_empty(), "{:#?}", w.problems);
    let ping = &w.entries[0];
    let x = |n: &str, v: &[u8]| Xattr {
        name: n.as_bytes().to_vec(),
        value: v.to_vec(),
    };
    assert_eq!(
        ping.xattrs(),
        [
            x("security.capability", cap),
            x("user.empty", b""),
            x("user.note", b"hello"),
        ]
    );
    // The PAX header applies to the next member only.
    assert!(w.entries[1].xattrs().is_empty());
    assert_eq!(w.entries[1].extra, None);
    assert_eq!(
        capability::of(ping.xattrs()).as_deref(),
        Some("cap_net_raw=ep")
    );

    let json = serde_json::to_value(ping).expect("json");
    assert_eq!(
        json["xattrs"],
        serde_json::json!([
            {"name": "security.capability", "value": "hex:0100000200200000000000000000000000000000"},
            {"name": "user.empty", "value": ""},
            {"name": "user.note", "value": "hello"},
        ])
    );
    assert!(json.get("sparse").is_none());
    let plain = serde_json::to_value(&w.entries[1]).expect("json");
    assert!(plain.get("xattrs").is_none(), "{plain}");
    let back: pancake_core::Entry = serde_json::from_value(json).expect("reads back");
    assert_eq!(&back, ping);
    let back: pancake_core::Entry = serde_json::from_value(plain).expect("reads back");
    assert_eq!(back, w.entries[1]);

    let mut facts = MemberFacts {
        layer: Some(LayerIndex {
            entries: w.entries.clone().into(),
            ..LayerIndex::default()
        }),
        ..MemberFacts::default()
    };
    let bytes = wire::split_facts(3, &mut facts).expect("entries");
    let mut d = wire::Decoder::new(bytes).expect("magic");
    while !d.step(1).expect("decodes") {}
    wire::graft_facts(3, &mut facts, &d.finish());
    let entries = facts.layer.map(|l| l.entries).expect("layer");
    assert_eq!(entries.as_slice(), w.entries.as_slice());
}

/// Attributes come from one PAX header, which is skipped whole when it is over
/// `max_extension_bytes` (a `limit` problem names the entry): a file never holds more.
#[test]
fn xattrs_over_the_extension_limit_are_not_kept() {
    let limits = Limits {
        max_extension_bytes: 1024,
        ..Limits::default()
    };
    let big = vec![b'v'; 2000];
    let tar = Tar::default()
        .pax(b'x', &[("SCHILY.xattr.user.big", &big)])
        .file("f", b"1")
        .end();
    let w = both_with(&tar, &limits);
    assert_eq!(names(&w), ["f"]);
    assert!(w.entries[0].xattrs().is_empty());
    assert_eq!(kinds(&w), [ProblemKind::Limit]);
    assert!(
        w.problems[0].message().contains("entry f"),
        "{}",
        w.problems[0].message()
    );
}

/// Linux refuses `user.*` attributes on a symlink (`xattr_permission`: `EPERM`) and moby's
/// unpacking passes over `EPERM`, so a symlink keeps none of them; a `security.*` one it
/// keeps, and a file keeps both.
#[test]
fn a_symlink_keeps_no_user_attributes() {
    let tar = Tar::default()
        .pax(
            b'x',
            &[
                ("SCHILY.xattr.user.note", b"hi"),
                (
                    "SCHILY.xattr.security.selinux",
                    b"system_u:object_r:bin_t:s0",
                ),
                ("linkpath", b"target"),
            ],
        )
        .member(b"link", b'2', b"")
        .pax(b'x', &[("SCHILY.xattr.user.note", b"hi")])
        .file("target", b"x")
        .end();
    let w = both(&tar);
    let names = |i: usize| -> Vec<String> {
        w.entries[i]
            .xattrs()
            .iter()
            .map(|x| String::from_utf8_lossy(&x.name).into_owned())
            .collect()
    };
    assert_eq!(names(0), ["security.selinux"]);
    assert_eq!(names(1), ["user.note"]);
}

/// Enough entries for the list's room to be estimated from the share walked (4,096 on),
/// dense, then a large file, then dense again, then a run of small files: the walks with the
/// size, without it and over a claimed size far past the bytes list the same entries, and
/// none keeps room it does not use.
#[test]
fn many_entries_walk_the_same_with_the_room_estimated() {
    let mut t = Tar::default();
    for i in 0..5000 {
        t = t.member(format!("d/{i}").as_bytes(), b'5', b"");
    }
    t = t.file("big", &vec![7u8; 2 << 20]);
    for i in 0..6000 {
        t = t.file(&format!("f/{i}"), b"abc");
    }
    let tar = t.end();
    let w = both(&tar);
    assert_eq!(w.entries.len(), 11_001);
    let claimed = layer::walk_headers(&tar, 0, u64::MAX, "L", &Limits::default());
    let exact = layer::walk_headers(&tar, 0, tar.len() as u64, "L", &Limits::default());
    assert_eq!(claimed.entries, exact.entries);
    assert_eq!(claimed.entries.capacity(), claimed.entries.len());
    // The entry limit holds with the room estimated: the listing stops at it, as before.
    let limits = Limits {
        max_entries_per_layer: 4100,
        ..Limits::default()
    };
    let capped = layer::walk_sized(&tar[..], "L", None, tar.len() as u64, &limits);
    assert_eq!(capped.entries.len(), 4100);
    assert_eq!(capped.entries.capacity(), 4100);
    assert_eq!(kinds(&capped), [ProblemKind::Limit]);
}

/// A layer claimed far larger than the bytes behind it (a member size from a hostile outer
/// header): the header walk lists the same entries as over its true size, and keeps no room.
#[test]
fn a_claimed_size_beyond_the_source_reserves_nothing_more() {
    let tar = Tar::default().file("a", b"x").file("b/c", b"yz").end();
    let claimed = layer::walk_headers(&tar, 0, u64::MAX, "L", &Limits::default());
    let exact = layer::walk_headers(&tar, 0, tar.len() as u64, "L", &Limits::default());
    assert_eq!(names(&claimed), ["a", "b/c"]);
    assert_eq!(claimed.entries, exact.entries);
    assert_eq!(claimed.entries.capacity(), 2);
}
