//! Every bad-input case of issue 2, built in memory: each must end in a clear `Problem`
//! (or a fatal `Error` when nothing at all can be read) naming the member — never a panic,
//! never a hang. Each archive is read with both `read_stream` and `open`, which must agree.

use std::io::Write;

use pancake_core::model::EntryKind;
use pancake_core::read::archive::{open, read_stream, Options};
use pancake_core::{Archive, Digest, Error, ProblemKind};

/// A raw tar header: names are written byte for byte (the `tar` crate's safe setters would
/// refuse `..` and absolute names, which is exactly what these tests need).
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

struct TarOut(tar::Builder<Vec<u8>>);

impl TarOut {
    fn new() -> Self {
        TarOut(tar::Builder::new(Vec::new()))
    }
    fn file(mut self, name: &str, data: &[u8]) -> Self {
        self.0
            .append(
                &header(
                    name.as_bytes(),
                    data.len() as u64,
                    tar::EntryType::Regular,
                    b"",
                ),
                data,
            )
            .unwrap();
        self
    }
    fn symlink(mut self, name: &str, target: &str) -> Self {
        self.0
            .append(
                &header(
                    name.as_bytes(),
                    0,
                    tar::EntryType::Symlink,
                    target.as_bytes(),
                ),
                &[][..],
            )
            .unwrap();
        self
    }
    fn long_name(mut self, name: &str, data: &[u8]) -> Self {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        self.0.append_data(&mut h, name, data).unwrap();
        self
    }
    /// A PAX extended header ('x') holding `records`, for the next entry.
    fn pax(mut self, records: &[u8]) -> Self {
        self.0
            .append(
                &header(
                    b"PaxHeaders/next",
                    records.len() as u64,
                    tar::EntryType::XHeader,
                    b"",
                ),
                records,
            )
            .unwrap();
        self
    }
    fn done(self) -> Vec<u8> {
        self.0.into_inner().unwrap()
    }
}

fn layer_tar(content: &[u8]) -> Vec<u8> {
    TarOut::new().file("hello.txt", content).done()
}

fn config_json(diff_ids: &[Digest]) -> Vec<u8> {
    let ids: Vec<String> = diff_ids.iter().map(|d| format!("\"{d}\"")).collect();
    format!(
        r#"{{"architecture":"amd64","os":"linux","config":{{"Env":["A=1"]}},"rootfs":{{"type":"layers","diff_ids":[{}]}},"history":[{{"created_by":"COPY hello.txt /"}}]}}"#,
        ids.join(",")
    )
    .into_bytes()
}

/// A one-layer docker-archive; `manifest` overrides manifest.json when given.
fn image(layer: &[u8], manifest: Option<&[u8]>) -> (Vec<u8>, String) {
    let diff = Digest::of_bytes(layer);
    let cfg = config_json(&[diff]);
    let cfg_name = format!("{}.json", Digest::of_bytes(&cfg).hex());
    let default_manifest =
        format!(r#"[{{"Config":"{cfg_name}","RepoTags":["t:1"],"Layers":["abc/layer.tar"]}}]"#);
    let bytes = TarOut::new()
        .file("abc/layer.tar", layer)
        .file(&cfg_name, &cfg)
        .file(
            "manifest.json",
            manifest.unwrap_or(default_manifest.as_bytes()),
        )
        .done();
    (bytes, cfg_name)
}

fn both(name: &str, bytes: &[u8], opts: &Options) -> Archive {
    let a = read_stream(name, bytes, bytes.len() as u64, opts, &mut |_| {})
        .unwrap_or_else(|e| panic!("read_stream: {e}"));
    let b = open(name, &bytes.to_vec(), opts, &mut |_| {}).unwrap_or_else(|e| panic!("open: {e}"));
    assert_eq!(a, b, "{name}: read_stream and open disagree");
    a
}

fn find(a: &Archive, kind: ProblemKind, needle: &str) -> bool {
    a.problems
        .iter()
        .any(|p| p.kind == kind && p.message().contains(needle))
}

/// The merged view at the base layer of `img`: each row's path and kind, in path order.
fn merged_kinds(a: &Archive, img: &pancake_core::Image) -> Vec<(String, EntryKind)> {
    pancake_core::analyze::union::merged(a, img, 0)
        .iter()
        .map(|r| (r.path.display().into_owned(), r.kind))
        .collect()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn a_good_image_has_no_problems() {
    let (bytes, _) = image(&layer_tar(b"hello"), None);
    let a = both("good", &bytes, &Options::default());
    assert!(a.problems.is_empty(), "{:#?}", a.problems);
    assert_eq!(a.images.len(), 1);
    assert!(a.images[0].layers[0].verified);
    assert_eq!(a.images[0].layers[0].history, Some(0));
}

#[test]
fn truncated_tarball_keeps_what_was_read() {
    let (bytes, _) = image(&layer_tar(&vec![7u8; 5000]), None);
    let cut = &bytes[..3000];
    let a = both("cut", cut, &Options::default());
    let p = a
        .problems
        .iter()
        .find(|p| p.kind == ProblemKind::Archive)
        .expect("archive problem");
    assert!(
        p.message().contains("outer tar read error") && p.message().contains("abc/layer.tar"),
        "{p:?}"
    );
    assert_eq!(a.members.len(), 1);
}

#[test]
fn corrupt_gzip_outer_is_reported() {
    let (bytes, _) = image(
        &layer_tar(
            &(0..20000u32)
                .map(|i| (i * 7 % 251) as u8)
                .collect::<Vec<_>>(),
        ),
        None,
    );
    let mut gz = gzip(&bytes);
    let mid = gz.len() / 2;
    gz[mid] ^= 0x55;
    let a = read_stream(
        "bad.tar.gz",
        &gz[..],
        gz.len() as u64,
        &Options::default(),
        &mut |_| {},
    )
    .unwrap();
    assert!(
        a.problems
            .iter()
            .any(|p| p.kind == ProblemKind::Archive || p.kind == ProblemKind::DigestMismatch),
        "{:#?}",
        a.problems
    );
    // Also truncated gzip.
    let cut = &gzip(&bytes)[..100];
    let a = read_stream("cut.tar.gz", cut, 100, &Options::default(), &mut |_| {});
    match a {
        Ok(a) => assert!(
            a.problems.iter().any(|p| p.kind == ProblemKind::Archive),
            "{:#?}",
            a.problems
        ),
        Err(e) => assert!(e.to_string().contains("cut.tar.gz"), "{e}"),
    }
}

#[test]
fn flipped_byte_in_layer_reports_both_digests() {
    let layer = layer_tar(b"hello world, this is content");
    let (mut bytes, _) = image(&layer, None);
    // The file content sits in the second block of the layer, itself after one outer header.
    let pos = 512 + 512 + 3;
    bytes[pos] ^= 0xff;
    let a = both("flip", &bytes, &Options::default());
    let l = &a.images[0].layers[0];
    assert!(!l.verified);
    let m = l.mismatches.first().expect("mismatch kept");
    assert_eq!(m.expected, Digest::of_bytes(&layer).to_string());
    assert_ne!(m.actual, m.expected);
    let p = a
        .problems
        .iter()
        .find(|p| p.kind == ProblemKind::DigestMismatch)
        .expect("problem");
    assert!(
        p.message().contains(&m.expected)
            && p.message().contains(&m.actual)
            && p.message().contains("abc/layer.tar"),
        "{p:?}"
    );
}

#[test]
fn missing_blob_is_named_and_other_images_still_shown() {
    let layer = layer_tar(b"x");
    let diff = Digest::of_bytes(&layer);
    let cfg = config_json(&[diff]);
    let cfg_name = format!("{}.json", Digest::of_bytes(&cfg).hex());
    let manifest = format!(
        r#"[{{"Config":"{cfg_name}","RepoTags":["ok:1"],"Layers":["abc/layer.tar"]}},{{"Config":"{cfg_name}","RepoTags":["broken:1"],"Layers":["gone/layer.tar"]}}]"#
    );
    let bytes = TarOut::new()
        .file("abc/layer.tar", &layer)
        .file(&cfg_name, &cfg)
        .file("manifest.json", manifest.as_bytes())
        .done();
    let a = both("missing", &bytes, &Options::default());
    assert_eq!(a.images.len(), 2);
    assert!(a.images[0].layers[0].verified);
    let l = &a.images[1].layers[0];
    assert!(l.member.is_none() && l.diff_id.is_none() && !l.verified);
    let p = a
        .problems
        .iter()
        .find(|p| p.kind == ProblemKind::MissingBlob)
        .expect("missing blob");
    assert!(
        p.message().contains("gone/layer.tar") && p.message().contains("broken:1"),
        "{p:?}"
    );
}

#[test]
fn bad_manifest_and_config_name_the_member() {
    let layer = layer_tar(b"x");
    let (bytes, _) = image(&layer, Some(b"[{\"Config\": \"abc"));
    let a = both("badjson", &bytes, &Options::default());
    assert!(
        find(&a, ProblemKind::Metadata, "manifest.json: not valid JSON"),
        "{:#?}",
        a.problems
    );

    let (bytes, _) = image(&layer, Some(b"null"));
    let a = both("null", &bytes, &Options::default());
    assert!(
        find(
            &a,
            ProblemKind::Metadata,
            "manifest.json: expected a JSON array, got null"
        ),
        "{:#?}",
        a.problems
    );

    let (bytes, _) = image(&layer, Some(b"{\"Config\":1}"));
    let a = both("object", &bytes, &Options::default());
    assert!(
        find(
            &a,
            ProblemKind::Metadata,
            "manifest.json: expected a JSON array, got an object"
        ),
        "{:#?}",
        a.problems
    );

    let manifest = br#"[{"Config":"cfg.json","RepoTags":["t:1"],"Layers":["abc/layer.tar"]}]"#;
    let bytes = TarOut::new()
        .file("abc/layer.tar", &layer)
        .file("cfg.json", b"{not json")
        .file("manifest.json", manifest)
        .done();
    let a = both("badcfg", &bytes, &Options::default());
    assert!(
        find(&a, ProblemKind::Metadata, "cfg.json: not valid JSON"),
        "{:#?}",
        a.problems
    );
    let bytes = TarOut::new()
        .file("abc/layer.tar", &layer)
        .file("cfg.json", b"[1,2]")
        .file("manifest.json", manifest)
        .done();
    let a = both("arraycfg", &bytes, &Options::default());
    assert!(
        find(
            &a,
            ProblemKind::Metadata,
            "cfg.json: expected a JSON object, got an array"
        ),
        "{:#?}",
        a.problems
    );
    assert_eq!(a.images.len(), 1, "the image is still listed");
}

#[test]
fn unsafe_and_odd_member_names() {
    let (good, _) = image(&layer_tar(b"x"), None);
    let mut bytes = good[..good.len() - 1024].to_vec(); // drop the end-of-archive blocks
    let extra = TarOut::new()
        .file("../../etc/passwd", b"root")
        .file("/abs-evil.txt", b"x")
        .symlink("evil-link", "../../../etc")
        .long_name(&format!("{}/file.txt", "d".repeat(5000)), b"long")
        .done();
    bytes.extend_from_slice(&extra);
    let a = both("unsafe", &bytes, &Options::default());
    for name in ["../../etc/passwd", "/abs-evil.txt", "evil-link"] {
        assert!(
            a.problems
                .iter()
                .any(|p| p.kind == ProblemKind::UnsafePath && p.member_name() == Some(name)),
            "{name} not reported: {:#?}",
            a.problems
        );
    }
    assert!(
        a.members.iter().any(|m| m.path.as_bytes().len() > 5000),
        "very long name kept whole"
    );
    assert_eq!(a.images.len(), 1, "the image itself is still fine");

    // A manifest pointing outside the archive is refused, not opened.
    let layer = layer_tar(b"x");
    let cfg = config_json(&[Digest::of_bytes(&layer)]);
    let manifest = br#"[{"Config":"c.json","Layers":["../../../etc/passwd"]}]"#;
    let bytes = TarOut::new()
        .file("c.json", &cfg)
        .file("manifest.json", manifest)
        .done();
    let a = both("manifest-traversal", &bytes, &Options::default());
    assert!(
        find(&a, ProblemKind::UnsafePath, "../../../etc/passwd"),
        "{:#?}",
        a.problems
    );
    assert!(
        find(&a, ProblemKind::MissingBlob, "../../../etc/passwd"),
        "{:#?}",
        a.problems
    );
}

#[test]
fn nul_in_a_layer_entry_name_does_not_break_reading() {
    // A PAX `path` record with a NUL byte: Go's archive/tar (Docker's reader) refuses the
    // header (validPAXRecord), so the layer is unreadable at that header, with a message
    // that says where and why; nothing panics and the rest of the archive is read.
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_ustar();
    h.set_size(1);
    h.set_mode(0o644);
    h.set_cksum();
    b.append_pax_extensions([("path", &b"we\0ird\xff.txt"[..])])
        .unwrap();
    b.append(&h, &b"x"[..]).unwrap();
    let layer = b.into_inner().unwrap();
    let (bytes, _) = image(&layer, None);
    let a = both("nul", &bytes, &Options::default());
    let layer = a.members[0].facts.layer.as_ref().expect("layer");
    assert_eq!(layer.entries.len(), 0);
    let err = layer
        .error
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    assert!(
        err.contains("byte offset 0") && err.contains("NUL"),
        "{err}"
    );
    assert!(
        find(&a, ProblemKind::LayerUnreadable, "NUL"),
        "{:#?}",
        a.problems
    );
}

#[test]
fn symlink_loop_among_members_terminates() {
    let manifest = br#"[{"Config":"c.json","Layers":["a/layer.tar"]}]"#;
    let bytes = TarOut::new()
        .symlink("a/layer.tar", "../b.tar")
        .symlink("b.tar", "a/layer.tar")
        .file("c.json", &config_json(&[]))
        .file("manifest.json", manifest)
        .done();
    let a = both("loop", &bytes, &Options::default());
    assert!(
        find(&a, ProblemKind::MissingBlob, "a/layer.tar"),
        "{:#?}",
        a.problems
    );
}

#[test]
fn duplicate_members_last_wins_and_reported() {
    let layer = layer_tar(b"x");
    let (bytes, cfg_name) = image(&layer, None);
    let mut bytes = bytes[..bytes.len() - 1024].to_vec();
    let m2 = format!(
        r#"[{{"Config":"{cfg_name}","RepoTags":["second:2"],"Layers":["abc/layer.tar"]}}]"#
    );
    bytes.extend_from_slice(&TarOut::new().file("manifest.json", m2.as_bytes()).done());
    let a = both("dup", &bytes, &Options::default());
    let p = a
        .problems
        .iter()
        .find(|p| p.kind == ProblemKind::DuplicateMember)
        .expect("duplicate reported");
    assert_eq!(p.member_name(), Some("manifest.json"));
    assert_eq!(
        a.images[0].tags,
        vec!["second:2".to_string()],
        "last one wins"
    );
}

/// A damaged copy of a layer blob that a later, sound copy of the same name replaces is
/// nothing `docker load` reads: the image is verified, and the damage is said as a note about
/// that earlier copy (`duplicate-member`), never as the layer being unreadable.
#[test]
fn a_damaged_copy_replaced_by_a_sound_one_is_a_note_about_that_copy() {
    let layer = layer_tar(b"x");
    let mut damaged = layer.clone();
    // The end-of-archive blocks turned into a header whose checksum does not add up.
    if let Some(b) = damaged.get_mut(1024..1100) {
        b.fill(b'z');
    }
    let (good, _) = image(&layer, None);
    let mut bytes = TarOut::new().file("abc/layer.tar", &damaged).done();
    bytes.truncate(bytes.len() - 1024);
    bytes.extend_from_slice(&good);
    let a = both("dup-damaged", &bytes, &Options::default());
    let img = a.images.first().expect("image");
    assert_eq!(
        img.layers[0].verification,
        pancake_core::Verification::Verified
    );
    let kinds: Vec<ProblemKind> = a.problems.iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        vec![ProblemKind::DuplicateMember, ProblemKind::DuplicateMember],
        "{:#?}",
        a.problems
    );
    assert!(
        find(&a, ProblemKind::DuplicateMember, "an earlier copy of this member, which a later one of the same name replaces, has a problem (layer-unreadable)"),
        "{:#?}",
        a.problems
    );
}

#[test]
fn header_claiming_a_huge_size() {
    let mut bytes = header(b"huge.bin", 1 << 40, tar::EntryType::Regular, b"")
        .as_bytes()
        .to_vec();
    bytes.extend_from_slice(&[1u8; 4096]);
    let a = both("huge", &bytes, &Options::default());
    let p = a
        .problems
        .iter()
        .find(|p| p.kind == ProblemKind::Archive)
        .expect("archive problem");
    assert!(
        p.message().contains("huge.bin") && p.message().contains("truncated"),
        "{p:?}"
    );
}

#[test]
fn gzip_bomb_stops_at_the_limit() {
    let big = TarOut::new().file("zeros", &vec![0u8; 4 << 20]).done();
    let bomb = gzip(&big);
    assert!(bomb.len() < 64 * 1024);
    let (bytes, _) = image(&bomb, None);
    let opts = Options {
        limits: pancake_core::limits::Limits {
            max_decompressed_bytes: 1 << 20,
            // The bound is the larger of the floor and this × the archive's size.
            decompressed_ratio: 1,
            ..Default::default()
        },
        ..Options::default()
    };
    let a = both("bomb", &bytes, &opts);
    let p = a
        .problems
        .iter()
        .find(|p| p.kind == ProblemKind::Limit)
        .expect("limit problem");
    assert!(
        p.message().contains("abc/layer.tar") && p.message().contains("limit"),
        "{p:?}"
    );
    let l = &a.images[0].layers[0];
    assert!(!l.verified && l.diff_id.is_none());
    assert!(l.digest.is_some(), "the stored blob is still hashed");
}

#[test]
fn empty_and_non_tar_files_are_fatal_errors() {
    let opts = Options::default();
    assert!(matches!(
        read_stream("e", &b""[..], 0, &opts, &mut |_| {}),
        Err(Error::Empty { .. })
    ));
    assert!(matches!(
        open("e", &Vec::new(), &opts, &mut |_| {}),
        Err(Error::Empty { .. })
    ));
    let text = b"this is not a tar archive, just some text that goes on for a while".repeat(20);
    assert!(matches!(
        read_stream("t", &text[..], 0, &opts, &mut |_| {}),
        Err(Error::NotATar { .. })
    ));
    assert!(matches!(
        open("t", &text, &opts, &mut |_| {}),
        Err(Error::NotATar { .. })
    ));
}

/// A file shorter than one tar header is a tar cut short only when it could be the start of
/// one: a short note, a small JSON file or ZIP is said to be what it looks like.
#[test]
fn a_short_file_is_cut_short_only_when_it_starts_like_a_tar() {
    use pancake_core::{Looks, Unreadable};
    let opts = Options::default();
    let why = |bytes: &[u8]| {
        let streamed = read_stream("s", bytes, 0, &opts, &mut |_| {})
            .err()
            .and_then(|e| e.unreadable());
        let opened = open("s", bytes, &opts, &mut |_| {})
            .err()
            .and_then(|e| e.unreadable());
        assert_eq!(streamed, opened, "{bytes:?}");
        streamed
    };
    let looks = |u: Option<Unreadable>| match u {
        Some(Unreadable::NotATar { looks, .. }) => Some(looks),
        _ => None,
    };
    assert_eq!(looks(why(b"hello, class\n")), Some(Looks::Text));
    assert_eq!(looks(why(b"{\"layers\": []}\n")), Some(Looks::Text));
    assert_eq!(looks(why(b"PK\x05\x06\0\0\0\0")), Some(Looks::Zip));
    assert_eq!(
        looks(why(&[0xff, 0xfe, 0x00, 0x01, 0x02])),
        Some(Looks::Other)
    );
    // The start of a tar header (a name, NULs, an octal mode) and a bare name are cut short.
    let mut header = b"etc/hostname".to_vec();
    header.resize(100, 0);
    header.extend_from_slice(b"0000644\0");
    assert!(matches!(
        why(&header),
        Some(Unreadable::EndsEarly { bytes: 108, .. })
    ));
    assert!(matches!(
        why(b"manifest.json"),
        Some(Unreadable::EndsEarly { .. })
    ));
}

/// An unsafe name's problem says where the entry is in the filesystem views: a name climbing
/// out with `..` is left out of them, an absolute one is shown without its leading `/` — and
/// the merged view agrees with what each says.
#[test]
fn an_unsafe_names_problem_says_where_it_is_shown() {
    let layer = TarOut::new()
        .file("../../etc/passwd", b"root:x:0:0\n")
        .file("/etc/abs-path-file", b"abs\n")
        .file("ok.txt", b"ok\n")
        .done();
    let (bytes, _) = image(&layer, None);
    let a = both("unsafe-names", &bytes, &Options::default());
    assert!(
        find(
            &a,
            ProblemKind::UnsafePath,
            "unsafe entry ../../etc/passwd (listed in the layer's index, left out of the filesystem views: it would land outside the root)"
        ),
        "{:#?}",
        a.problems
    );
    assert!(
        find(
            &a,
            ProblemKind::UnsafePath,
            "unsafe entry /etc/abs-path-file (shown at etc/abs-path-file, without its leading /, as Docker reads it)"
        ),
        "{:#?}",
        a.problems
    );
    let img = a.images.first().expect("image");
    let rows = pancake_core::analyze::union::merged(&a, img, 0);
    let paths: Vec<String> = rows.iter().map(|r| r.path.display().into_owned()).collect();
    assert!(
        paths.contains(&"etc/abs-path-file".to_string()),
        "{paths:?}"
    );
    assert!(paths.iter().all(|p| !p.contains("passwd")), "{paths:?}");
}

/// A name written through a symlink the same layer made earlier lands where unpacking writes
/// it (following the link inside the root, as containerd does), and says so; a link whose target
/// climbs above the root is said too, with what it names inside a container. A folder that
/// replaces the link is no longer followed.
#[test]
fn a_name_written_through_the_layers_own_symlink_lands_where_docker_puts_it() {
    let layer = TarOut::new()
        .symlink("srv/escape", "../../../../../tmp")
        .file("srv/escape/pwned-through-symlink.txt", b"written through\n")
        .symlink("lib", "usr/lib")
        .file("lib/libc.so", b"elf\n")
        .file("srv/ok.txt", b"ok\n")
        .done();
    let (bytes, _) = image(&layer, None);
    let a = both("through-symlink", &bytes, &Options::default());
    assert!(
        find(
            &a,
            ProblemKind::UnsafePath,
            "entry srv/escape/pwned-through-symlink.txt is written through the symlink srv/escape -> ../../../../../tmp made earlier in this layer: unpacking follows the link inside the root (as containerd does) and writes it at tmp/pwned-through-symlink.txt"
        ),
        "{:#?}",
        a.problems
    );
    assert!(
        find(
            &a,
            ProblemKind::UnsafePath,
            "symlink srv/escape -> ../../../../../tmp climbs above the root: in a container it stops at / and names /tmp"
        ),
        "{:#?}",
        a.problems
    );
    // Through a link that stays inside the root: information, not an alarm.
    assert!(
        find(&a, ProblemKind::TarQuirk, "writes it at usr/lib/libc.so"),
        "{:#?}",
        a.problems
    );
    let img = a.images.first().expect("image");
    let kinds = merged_kinds(&a, img);
    for want in [
        ("srv/escape", EntryKind::Symlink),
        ("tmp/pwned-through-symlink.txt", EntryKind::File),
        ("lib", EntryKind::Symlink),
        ("usr/lib/libc.so", EntryKind::File),
        ("srv/ok.txt", EntryKind::File),
    ] {
        assert!(
            kinds.contains(&(want.0.to_string(), want.1)),
            "{want:?} in {kinds:?}"
        );
    }
    assert!(
        kinds
            .iter()
            .all(|(p, _)| !p.starts_with("srv/escape/") && !p.starts_with("lib/")),
        "{kinds:?}"
    );
}

/// A name written below a file, or below a symlink that loops, made earlier in the same layer
/// cannot be unpacked (`ENOTDIR`, `ELOOP`: Docker and containerd fail on it): an
/// `unpack-fails` problem names it and the non-folder, the layer's index keeps it, and the
/// filesystem views leave it out and keep the file a file. A file written after a folder's
/// entries replaces the folder and its tree.
#[test]
fn a_name_below_a_file_or_a_looping_link_of_its_layer_cannot_be_unpacked() {
    let layer = TarOut::new()
        .file("f", b"a file\n")
        .file("f/x", b"below a file\n")
        .file("f/d/y", b"deeper\n")
        .symlink("x", "y")
        .symlink("y", "x")
        .file("x/in-loop.txt", b"below a loop\n")
        .file("real.txt", b"real\n")
        .symlink("l", "real.txt")
        .file("l/sub.txt", b"through a link to a file\n")
        .file("g/h", b"replaced below\n")
        .file("g", b"g is a file now\n")
        .done();
    let (bytes, _) = image(&layer, None);
    let a = both("unpack-fails", &bytes, &Options::default());
    let fails: Vec<String> = a
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::UnpackFails)
        .map(|p| p.message())
        .collect();
    assert_eq!(fails.len(), 3, "{fails:#?}");
    assert!(find(&a, ProblemKind::UnpackFails, "entry f/x (and 1 more entry below it) cannot be unpacked: f, written earlier in this layer, is a file"), "{fails:#?}");
    assert!(find(&a, ProblemKind::UnpackFails, "entry x/in-loop.txt cannot be unpacked: x, written earlier in this layer, is a symlink to y that does not reach a folder within 40 links"), "{fails:#?}");
    assert!(find(&a, ProblemKind::UnpackFails, "entry real.txt/sub.txt cannot be unpacked: real.txt, written earlier in this layer, is a file"), "{fails:#?}");
    assert!(
        a.problems
            .iter()
            .filter(|p| p.kind == ProblemKind::UnpackFails)
            .all(
                |p| p.origin.member.as_ref().map(|m| m.name.as_str()) == Some("abc/layer.tar")
                    && p.origin.entry.is_some()
            ),
        "{:#?}",
        a.problems
    );
    // The index keeps every entry.
    let entries = a
        .members
        .iter()
        .find_map(|m| m.facts.layer.as_ref())
        .map(|l| l.entries.len());
    assert_eq!(entries, Some(11));
    let img = a.images.first().expect("image");
    // Its digests are all fine, and the image still does not load: a summary says both.
    assert!(img.layers.iter().all(|l| l.verified), "{:#?}", img.layers);
    assert_eq!(
        pancake_core::analyze::image_claims::unpack_failures(&a, img).len(),
        3
    );
    let kinds = merged_kinds(&a, img);
    assert_eq!(
        kinds,
        [
            ("f".to_string(), EntryKind::File),
            ("g".to_string(), EntryKind::File),
            ("l".to_string(), EntryKind::Symlink),
            ("real.txt".to_string(), EntryKind::File),
            ("x".to_string(), EntryKind::Symlink),
            ("y".to_string(), EntryKind::Symlink),
        ]
    );
}

/// A name with a `..` that stays inside the root is written where it cleans to (Go's
/// `filepath.Clean`, before moby's and containerd's unpacking), said as a tar quirk, the first
/// ten one by one and the rest counted; a hard link's target is cleaned the same way. A hard
/// link to a symlink of the layer is that symlink (`linkat` does not follow it): a name below
/// the hard link is written through the symlink, and unpacking does not fail on it.
#[test]
fn dotdot_names_are_cleaned_and_a_hard_link_to_a_symlink_is_followed() {
    let mut t = TarOut::new();
    for dir in ["dir/", "d/"] {
        t.0.append(
            &header(dir.as_bytes(), 0, tar::EntryType::Directory, b""),
            &[][..],
        )
        .unwrap();
    }
    t = t.file("d/../e", b"cleaned\n").file("real.txt", b"real\n");
    t.0.append(
        &header(b"hl", 0, tar::EntryType::Link, b"d/../real.txt"),
        &[][..],
    )
    .unwrap();
    t = t.symlink("l", "dir");
    t.0.append(&header(b"h", 0, tar::EntryType::Link, b"l"), &[][..])
        .unwrap();
    t = t.file("h/x", b"through the hard link to a symlink\n");
    for i in 0..12 {
        t = t.file(&format!("d/./../n{i:02}"), b"n\n");
    }
    let (bytes, _) = image(&t.done(), None);
    let a = both("dotdot-clean", &bytes, &Options::default());
    assert!(
        !a.problems.iter().any(|p| p.kind == ProblemKind::UnpackFails
            || p.kind == ProblemKind::UnsafePath
            || p.kind == ProblemKind::HardLink),
        "{:#?}",
        a.problems
    );
    assert!(
        find(
            &a,
            ProblemKind::TarQuirk,
            "entry d/../e has '..' in its name: unpacking cleans the name first (as Docker and containerd do) and writes it at e"
        ),
        "{:#?}",
        a.problems
    );
    let quirks: Vec<String> = a
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::TarQuirk)
        .map(|p| p.message())
        .collect();
    // d/../e and the first nine n.. one by one, then the three left counted; and h/x
    // written through `h`, which is the symlink `l` on disk.
    assert_eq!(quirks.len(), 12, "{quirks:#?}");
    assert!(
        find(&a, ProblemKind::TarQuirk, "entry h/x is written through the symlink h -> dir made earlier in this layer: unpacking follows the link inside the root (as containerd does) and writes it at dir/x"),
        "{quirks:#?}"
    );
    assert!(
        find(
            &a,
            ProblemKind::TarQuirk,
            "3 more entries have '..' in their names"
        ),
        "{quirks:#?}"
    );
    let img = a.images.first().expect("image");
    let kinds = merged_kinds(&a, img);
    let mut want: Vec<(String, EntryKind)> = [
        ("d", EntryKind::Dir),
        ("dir", EntryKind::Dir),
        ("dir/x", EntryKind::File),
        ("e", EntryKind::File),
        // The hard link to the symlink `l` is that symlink on disk (`os.Link` does not
        // follow it), as the quirk above says.
        ("h", EntryKind::Symlink),
        ("hl", EntryKind::Hardlink),
        ("l", EntryKind::Symlink),
        ("real.txt", EntryKind::File),
    ]
    .iter()
    .map(|(p, k)| (p.to_string(), *k))
    .collect();
    want.extend((0..12).map(|i| (format!("n{i:02}"), EntryKind::File)));
    want.sort_by(|x, y| x.0.cmp(&y.0));
    assert_eq!(kinds, want);
    let h = pancake_core::analyze::union::merged(&a, img, 0)
        .into_iter()
        .find(|r| r.path.as_bytes() == b"h")
        .map(|r| r.link_target.map(|t| t.display().into_owned()));
    assert_eq!(h, Some(Some("dir".to_string())));
    let layer = a
        .members
        .iter()
        .find_map(|m| m.facts.layer.as_ref())
        .expect("layer index");
    let hl = layer
        .entries
        .iter()
        .find(|e| e.path.as_bytes() == b"hl")
        .expect("hl");
    assert_eq!(
        hl.link_target.as_ref().map(|t| t.display().into_owned()),
        Some("real.txt".to_string())
    );
}

/// A config whose `rootfs.diff_ids[1]` is not a usable digest — a number, `null`, or the
/// right digest in upper-case hex (Docker compares digests as strings; the image-spec allows
/// `[a-f0-9]` only) — leaves layer 1 unchecked against it, never verified, and keeps the
/// other layers' claims: the list is not lost for one bad item.
#[test]
fn a_diff_id_that_is_not_a_digest_leaves_its_layer_unverified() {
    let layers: Vec<Vec<u8>> = ["a", "b", "c"]
        .iter()
        .map(|n| TarOut::new().file(n, n.as_bytes()).done())
        .collect();
    let ids: Vec<String> = layers
        .iter()
        .map(|l| format!("\"{}\"", Digest::of_bytes(l)))
        .collect();
    let upper = format!(
        "\"sha256:{}\"",
        Digest::of_bytes(&layers[1]).hex().to_ascii_uppercase()
    );
    for middle in ["123", "null", upper.as_str()] {
        let cfg = format!(
            r#"{{"architecture":"amd64","os":"linux","rootfs":{{"type":"layers","diff_ids":[{},{middle},{}]}}}}"#,
            ids[0], ids[2]
        );
        let cfg_name = format!("{}.json", Digest::of_bytes(cfg.as_bytes()).hex());
        let names: Vec<String> = (0..3).map(|i| format!("l{i}/layer.tar")).collect();
        let manifest = format!(
            r#"[{{"Config":"{cfg_name}","RepoTags":["t:1"],"Layers":["{}","{}","{}"]}}]"#,
            names[0], names[1], names[2]
        );
        let mut out = TarOut::new();
        for (n, l) in names.iter().zip(&layers) {
            out = out.file(n, l);
        }
        let bytes = out
            .file(&cfg_name, cfg.as_bytes())
            .file("manifest.json", manifest.as_bytes())
            .done();
        let a = both("diff-ids.tar", &bytes, &Options::default());
        let img = &a.images[0];
        let states: Vec<_> = img.layers.iter().map(|l| l.verification).collect();
        use pancake_core::Verification::{NotCheckable, Verified};
        assert_eq!(states, [Verified, NotCheckable, Verified], "{middle}");
        assert!(!img.layers[1].verified, "{middle}");
        let why = img.layers[1]
            .verification_reason
            .clone()
            .unwrap_or_default();
        assert!(why.contains("rootfs.diff_ids[1]"), "{middle}: {why}");
        // The list was read whole: no count disagreement.
        assert!(
            !find(&a, ProblemKind::Metadata, "lists 0 layers"),
            "{middle}: {:?}",
            a.problems
        );
    }
}

/// A config whose history has more steps not marked `empty_layer` than the image has layers
/// is one `docker load` refuses as a whole (moby's image store: "too many non-empty layers in
/// History section"): a `load-fails` problem says so beside the pairing note, while the
/// layer itself verifies. One step fewer (as many steps as layers) is no problem at all.
#[test]
fn more_layer_making_steps_than_layers_is_refused_by_docker_load() {
    let layer = TarOut::new().file("a.txt", b"a\n").done();
    let diff = Digest::of_bytes(&layer);
    let save = |steps: &[&str]| {
        let history: Vec<String> = steps
            .iter()
            .map(|s| format!(r#"{{"created_by":"{s}"}}"#))
            .collect();
        let cfg = format!(
            r#"{{"architecture":"amd64","os":"linux","rootfs":{{"type":"layers","diff_ids":["{diff}"]}},"history":[{}]}}"#,
            history.join(",")
        );
        let cfg_name = format!("{}.json", Digest::of_bytes(cfg.as_bytes()).hex());
        let manifest =
            format!(r#"[{{"Config":"{cfg_name}","RepoTags":["t:1"],"Layers":["abc/layer.tar"]}}]"#);
        TarOut::new()
            .file("abc/layer.tar", &layer)
            .file(&cfg_name, cfg.as_bytes())
            .file("manifest.json", manifest.as_bytes())
            .done()
    };
    let a = both(
        "too-many-steps",
        &save(&["/bin/sh -c echo a > /a.txt", "/bin/sh -c echo b > /b.txt"]),
        &Options::default(),
    );
    let img = a.images.first().expect("image");
    assert!(img.layers.iter().all(|l| l.verified));
    assert_eq!(
        pancake_core::analyze::image_claims::too_many_history_steps(img),
        Some((2, 1))
    );
    assert!(
        find(
            &a,
            ProblemKind::LoadFails,
            "t:1: the config history has 2 steps not marked empty_layer for 1 layer, so docker load refuses the image"
        ),
        "{:#?}",
        a.problems
    );
    assert!(pancake_core::read::image::is_error_level(
        ProblemKind::LoadFails
    ));
    let fits = both(
        "as-many-steps",
        &save(&["/bin/sh -c echo a > /a.txt"]),
        &Options::default(),
    );
    assert!(fits.problems.is_empty(), "{:#?}", fits.problems);
    let img = fits.images.first().expect("image");
    assert_eq!(
        pancake_core::analyze::image_claims::too_many_history_steps(img),
        None
    );
}

/// A whiteout of something its own layer wrote earlier (a file, or a folder the layer made by
/// writing below it) cannot be unpacked on overlay storage (`mknod` over an existing path:
/// `EEXIST`): an `unpack-fails` problem names the marker and the path, which stays in the
/// views (OCI: whiteouts apply to lower layers only). A whiteout that comes first, or of a
/// path the layer never wrote, is no problem.
#[test]
fn a_whiteout_over_its_own_layers_entry_cannot_be_unpacked() {
    let layer = TarOut::new()
        .file("g", b"new g\n")
        .file(".wh.g", b"")
        .file("d/inner", b"below d\n")
        .file(".wh.d", b"")
        .file(".wh.later", b"")
        .file("later", b"after its whiteout\n")
        .file(".wh.lower-only", b"")
        // A marker's own folders are made before it is converted: `low` exists then.
        .file("low/.wh.x", b"")
        .file(".wh.low", b"")
        // The first whiteout's device stands at `twice` when the second comes.
        .file(".wh.twice", b"")
        .file(".wh.twice", b"")
        .done();
    let (bytes, _) = image(&layer, None);
    let a = both("whiteout-own", &bytes, &Options::default());
    let fails: Vec<String> = a
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::UnpackFails)
        .map(|p| p.message())
        .collect();
    assert_eq!(fails.len(), 4, "{fails:#?}");
    for (marker, path) in [
        (".wh.g", "g"),
        (".wh.d", "d"),
        (".wh.low", "low"),
        (".wh.twice", "twice"),
    ] {
        let said = format!(
            "whiteout {marker} cannot be unpacked: {path}, which it deletes, already exists in this same layer"
        );
        assert!(
            find(&a, ProblemKind::UnpackFails, &said),
            "{said}: {fails:#?}"
        );
    }
    // The views keep what the layer wrote.
    let img = a.images.first().expect("image");
    let kinds = merged_kinds(&a, img);
    for path in ["g", "d", "d/inner", "later"] {
        assert!(kinds.iter().any(|(p, _)| p == path), "{path}: {kinds:?}");
    }
}

/// More than 125 layers is an image `docker load` refuses ("max depth exceeded": moby's layer
/// store chains at most 125): one `load-fails` problem about the image; 125 is fine.
#[test]
fn more_than_125_layers_is_refused_by_docker_load() {
    let layer = TarOut::new().file("a.txt", b"a\n").done();
    let diff = Digest::of_bytes(&layer);
    let save = |n: usize| {
        let ids: Vec<String> = (0..n).map(|_| format!("\"{diff}\"")).collect();
        let cfg = format!(
            r#"{{"architecture":"amd64","os":"linux","rootfs":{{"type":"layers","diff_ids":[{}]}}}}"#,
            ids.join(",")
        );
        let cfg_name = format!("{}.json", Digest::of_bytes(cfg.as_bytes()).hex());
        let layers: Vec<&str> = (0..n).map(|_| "\"abc/layer.tar\"").collect();
        let manifest = format!(
            r#"[{{"Config":"{cfg_name}","RepoTags":["t:1"],"Layers":[{}]}}]"#,
            layers.join(",")
        );
        TarOut::new()
            .file("abc/layer.tar", &layer)
            .file(&cfg_name, cfg.as_bytes())
            .file("manifest.json", manifest.as_bytes())
            .done()
    };
    let load_fails = |a: &Archive| -> Vec<String> {
        a.problems
            .iter()
            .filter(|p| p.kind == ProblemKind::LoadFails)
            .map(|p| p.message())
            .collect()
    };
    let a = both("126-layers", &save(126), &Options::default());
    assert_eq!(
        load_fails(&a),
        ["t:1: the image has 126 layers and Docker's layer store holds at most 125 in one chain, so docker load refuses the image (\"max depth exceeded\")"]
    );
    let a = both("125-layers", &save(125), &Options::default());
    assert!(load_fails(&a).is_empty(), "{:#?}", a.problems);
}

/// A `security.capability` value the kernel does not set (revision 1, a wrong length, an
/// unknown revision) fails unpacking (`EINVAL` from `setxattr`): an `unpack-fails` problem
/// per entry, and the value is shown as its bytes, never as capabilities it cannot give. A
/// valid revision 2 value is no problem and reads as `getcap` prints it.
#[test]
fn a_capability_the_kernel_refuses_cannot_be_unpacked() {
    // One `LEN KEY=VALUE\n` record, LEN counting the whole record, its own digits included.
    let pax_of = |key: &[u8], value: &[u8]| -> Vec<u8> {
        let body_len = 1 + key.len() + value.len() + 1;
        let mut len = body_len + 1;
        while len.to_string().len() + body_len != len {
            len += 1;
        }
        let mut rec = format!("{len} ").into_bytes();
        rec.extend_from_slice(key);
        rec.extend_from_slice(value);
        rec.push(b'\n');
        rec
    };
    let pax = |value: &[u8]| pax_of(b"SCHILY.xattr.security.capability=", value);
    let v2: Vec<u8> = [0x01, 0, 0, 0x02, 0, 0x20, 0, 0]
        .into_iter()
        .chain([0u8; 12])
        .collect();
    let v1: Vec<u8> = [0x01, 0, 0, 0x01, 0, 0x20, 0, 0, 0, 0, 0, 0].to_vec();
    let short: Vec<u8> = v2.get(..19).unwrap_or_default().to_vec();
    let mut t = TarOut::new();
    for (name, value) in [("ok", &v2), ("v1", &v1), ("short", &short)] {
        t = t.pax(&pax(value)).file(name, b"bin\n");
    }
    // Attributes no kernel sets: an empty name (ERANGE), a value over 64 KiB (E2BIG).
    t = t
        .pax(&pax_of(b"SCHILY.xattr.=", b"v"))
        .file("noname", b"x\n")
        .pax(&pax_of(b"SCHILY.xattr.user.big=", &vec![b'v'; 70_000]))
        .file("big", b"x\n");
    let (bytes, _) = image(&t.done(), None);
    let a = both("caps", &bytes, &Options::default());
    let fails: Vec<String> = a
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::UnpackFails)
        .map(|p| p.message())
        .collect();
    assert_eq!(fails.len(), 4, "{fails:#?}");
    assert!(find(&a, ProblemKind::UnpackFails, "entry v1 cannot be unpacked: setting its security.capability attribute (12 bytes: 010000010020000000000000), which is not a value the kernel sets"), "{fails:#?}");
    assert!(
        find(
            &a,
            ProblemKind::UnpackFails,
            "entry short cannot be unpacked: setting its security.capability attribute (19 bytes:"
        ),
        "{fails:#?}"
    );
    assert!(
        find(
            &a,
            ProblemKind::UnpackFails,
            "entry noname cannot be unpacked: setting an attribute with an empty name"
        ),
        "{fails:#?}"
    );
    assert!(find(&a, ProblemKind::UnpackFails, "entry big cannot be unpacked: setting the attribute user.big, whose value is 70000 bytes, over Linux's 65536 (E2BIG)"), "{fails:#?}");
    let layer = a
        .members
        .iter()
        .find_map(|m| m.facts.layer.as_ref())
        .expect("layer");
    let caps = |path: &str| {
        layer
            .entries
            .iter()
            .find(|e| e.path.to_string() == path)
            .and_then(|e| pancake_core::analyze::capability::of(e.xattrs()))
    };
    assert_eq!(caps("ok").as_deref(), Some("cap_net_raw=ep"));
    assert_eq!(caps("v1").as_deref(), Some("hex:010000010020000000000000"));
}

/// A config whose `rootfs.diff_ids` count differs from the manifest's layers is refused by
/// `docker load` (moby: "invalid manifest, layers length mismatch"; containerd: "mismatched
/// image rootfs and manifest layers"): a `load-fails` problem beside the metadata one. The
/// history rule counts against the config's diff_ids, as moby's does, so three steps over
/// three diff_ids but two manifest layers is not also called "too many steps".
#[test]
fn a_config_listing_other_than_the_manifests_layers_is_refused_by_docker_load() {
    let layer = TarOut::new().file("a.txt", b"a\n").done();
    let diff = Digest::of_bytes(&layer);
    let cfg = format!(
        r#"{{"architecture":"amd64","os":"linux","rootfs":{{"type":"layers","diff_ids":["{diff}","{diff}","{diff}"]}},"history":[{{"created_by":"a"}},{{"created_by":"b"}},{{"created_by":"c"}}]}}"#
    );
    let cfg_name = format!("{}.json", Digest::of_bytes(cfg.as_bytes()).hex());
    let manifest = format!(
        r#"[{{"Config":"{cfg_name}","RepoTags":["t:1"],"Layers":["abc/layer.tar","abc/layer.tar"]}}]"#
    );
    let bytes = TarOut::new()
        .file("abc/layer.tar", &layer)
        .file(&cfg_name, cfg.as_bytes())
        .file("manifest.json", manifest.as_bytes())
        .done();
    let a = both("cfg3man2", &bytes, &Options::default());
    let load: Vec<String> = a
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::LoadFails)
        .map(|p| p.message())
        .collect();
    assert_eq!(
        load,
        ["t:1: the manifest lists 2 layers and the config's rootfs 3, so docker load refuses the image (\"invalid manifest, layers length mismatch\"; containerd: \"mismatched image rootfs and manifest layers\")"]
    );
    let img = a.images.first().expect("image");
    assert!(pancake_core::analyze::image_claims::load_refused(img));
    assert_eq!(
        pancake_core::analyze::image_claims::too_many_history_steps(img),
        None
    );
}

/// A folder among the members that is a symlink (`l1 -> l0`, the manifest naming
/// `l1/layer.tar`) is followed inside the archive, as `docker load`'s `FollowSymlinkInScope`
/// does; one that leaves the archive is refused, and folders linked in a loop end.
#[test]
fn a_symlinked_folder_among_the_members_is_followed_inside_the_archive() {
    let layer = layer_tar(b"hi");
    let diff = Digest::of_bytes(&layer);
    let cfg = config_json(&[diff.clone(), diff]);
    let cfg_name = format!("{}.json", Digest::of_bytes(&cfg).hex());
    let manifest = |second: &str| {
        format!(
            r#"[{{"Config":"{cfg_name}","RepoTags":["t:1"],"Layers":["l0/layer.tar","{second}"]}}]"#
        )
    };
    let save = |second: &str| {
        TarOut::new()
            .file("l0/layer.tar", &layer)
            .symlink("l1", "l0")
            .symlink("up", "../elsewhere")
            .symlink("ring/a", "b")
            .symlink("ring/b", "a")
            .file(&cfg_name, &cfg)
            .file("manifest.json", manifest(second).as_bytes())
            .done()
    };
    let a = both("folder-link", &save("l1/layer.tar"), &Options::default());
    let img = &a.images[0];
    assert_eq!(
        img.layers[1].member, img.layers[0].member,
        "{:#?}",
        a.problems
    );
    assert!(img.layers.iter().all(|l| l.verified), "{:#?}", a.problems);
    assert!(
        !a.problems
            .iter()
            .any(|p| p.kind == ProblemKind::MissingBlob),
        "{:#?}",
        a.problems
    );

    let a = both(
        "folder-link-out",
        &save("up/layer.tar"),
        &Options::default(),
    );
    assert!(
        find(
            &a,
            ProblemKind::UnsafePath,
            "symlink up -> ../elsewhere leaves the archive"
        ),
        "{:#?}",
        a.problems
    );
    assert_eq!(a.images[0].layers[1].member, None);

    let a = both(
        "folder-ring",
        &save("ring/a/layer.tar"),
        &Options::default(),
    );
    assert!(
        find(&a, ProblemKind::MissingBlob, "ring/a/layer.tar"),
        "{:#?}",
        a.problems
    );
}

/// A directory member whose header gives it data (1024 bytes that hold a whole second
/// `manifest.json` naming another image): Go's archive/tar reads no data for a directory and
/// takes those bytes as members, so `docker load` loads the hidden image; this reader (the
/// `tar` crate) skips them. It cannot show what Docker loads, so it says so, as damage.
#[test]
fn a_directory_member_with_data_is_said_to_be_read_otherwise_by_docker() {
    let layer = layer_tar(b"decoy");
    let (mut bytes, cfg_name) = image(&layer, None);
    bytes.truncate(bytes.len() - 1024);
    let hidden = TarOut::new()
        .file(
            "manifest.json",
            format!(
                r#"[{{"Config":"{cfg_name}","RepoTags":["real:1"],"Layers":["abc/layer.tar"]}}]"#
            )
            .as_bytes(),
        )
        .done();
    let hidden = hidden.get(..1024).expect("one member, 1024 bytes").to_vec();
    let mut dir = header(
        b"zdir/",
        hidden.len() as u64,
        tar::EntryType::Directory,
        b"",
    );
    dir.set_cksum();
    bytes.extend_from_slice(dir.as_bytes());
    bytes.extend_from_slice(&hidden);
    bytes.extend_from_slice(&[0u8; 1024]);
    let a = both("dir-data", &bytes, &Options::default());
    assert!(
        find(
            &a,
            ProblemKind::Archive,
            "member zdir/ is a directory whose header gives it 1024 bytes of data"
        ),
        "{:#?}",
        a.problems
    );
    assert_eq!(a.images[0].tags, vec!["t:1".to_string()]);
}

/// One zero block, then a member: Go's reader fails there ("invalid tar header"), so `docker
/// load` refuses the file; this reader stops at the zero block and says so (`load-fails`).
/// Two zero blocks (the end of a tar) followed by more bytes are no such problem.
#[test]
fn a_lone_zero_block_before_more_members_is_one_docker_load_refuses() {
    let layer = layer_tar(b"x");
    let (mut bytes, _) = image(&layer, None);
    bytes.truncate(bytes.len() - 1024);
    let whole = bytes.clone();
    bytes.extend_from_slice(&[0u8; 512]);
    bytes.extend_from_slice(&TarOut::new().file("extra", b"more").done());
    let a = both("lone-zero", &bytes, &Options::default());
    assert!(
        find(&a, ProblemKind::LoadFails, "one zero block at byte offset"),
        "{:#?}",
        a.problems
    );
    assert_eq!(a.images.len(), 1);
    // One zero block, then 100 bytes: Go's next read of a whole block fails.
    let mut short = whole.clone();
    short.extend_from_slice(&[0u8; 612]);
    let a = both("lone-zero-short", &short, &Options::default());
    assert!(
        find(
            &a,
            ProblemKind::LoadFails,
            "then 100 bytes that end inside a 512-byte block"
        ),
        "{:#?}",
        a.problems
    );
    assert!(
        !a.problems.iter().any(|p| p.kind == ProblemKind::TarQuirk),
        "{:#?}",
        a.problems
    );
    let mut ended = whole;
    ended.extend_from_slice(&[0u8; 1024]);
    ended.extend_from_slice(&TarOut::new().file("extra", b"more").done());
    let a = both("two-zero", &ended, &Options::default());
    assert!(
        !a.problems.iter().any(|p| p.kind == ProblemKind::LoadFails),
        "{:#?}",
        a.problems
    );
}

/// A layer blob that a later directory of the same name replaces: the replacement is a
/// `duplicate-member` note, and the layer's reason says what the name is now (a folder
/// listed twice is no such note).
#[test]
fn a_blob_replaced_by_a_directory_is_said_so() {
    let layer = layer_tar(b"x");
    let (bytes, cfg_name) = image(&layer, None);
    let mut bytes = bytes[..bytes.len() - 1024].to_vec();
    let mut dir = header(b"abc/layer.tar/", 0, tar::EntryType::Directory, b"");
    dir.set_cksum();
    bytes.extend_from_slice(dir.as_bytes());
    let tail = TarOut::new()
        .file(
            "manifest.json",
            format!(r#"[{{"Config":"{cfg_name}","RepoTags":["t:1"],"Layers":["abc/layer.tar"]}}]"#)
                .as_bytes(),
        )
        .done();
    bytes.extend_from_slice(&tail);
    let a = both("blob-then-dir", &bytes, &Options::default());
    assert!(
        find(
            &a,
            ProblemKind::DuplicateMember,
            "abc/layer.tar/ appears more than once"
        ),
        "{:#?}",
        a.problems
    );
    let l = &a.images[0].layers[0];
    assert_eq!(
        l.verification_reason.as_deref(),
        Some("abc/layer.tar is not a regular file in the archive")
    );
    // A folder twice: nothing replaced, nothing said.
    let twice = TarOut::new()
        .0
        .into_inner()
        .map(|mut v| {
            for _ in 0..2 {
                v.extend_from_slice(header(b"d/", 0, tar::EntryType::Directory, b"").as_bytes());
            }
            v
        })
        .expect("a tar");
    let (mut again, _) = image(&layer, None);
    again.truncate(again.len() - 1024);
    again.extend_from_slice(&twice);
    again.extend_from_slice(&[0u8; 1024]);
    let a = both("dir-twice", &again, &Options::default());
    assert!(
        !a.problems
            .iter()
            .any(|p| p.kind == ProblemKind::DuplicateMember),
        "{:#?}",
        a.problems
    );
}
