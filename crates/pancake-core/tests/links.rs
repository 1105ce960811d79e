//! Hard links, AUFS metadata and invalid whiteouts through the whole reader: layer tars
//! written entry by entry in a chosen order, saved as a Docker 25+ tarball in memory, read
//! back (by offsets, and re-streamed from a gzip-compressed copy), then the union view, the
//! problems and the bytes a hard link shows.

use std::io::{Read, Write};

use pancake_core::read::archive::{self, read_content, read_stream, Options};
use pancake_core::write::tarwrite::{
    write_docker_save, Descriptor, SaveImage, TarEntry, TarWriter,
};
use pancake_core::{analyze::union, analyze::whiteout, Archive, Digest, ProblemKind, RawPath};

/// A layer tar with `entries` in exactly this order.
fn layer(entries: &[TarEntry]) -> Vec<u8> {
    let mut w = TarWriter::new(Vec::new());
    for e in entries {
        w.add(e).expect("write entry");
    }
    w.finish().expect("finish layer")
}

/// A one-image `docker save` of these layer tars, bottom first.
fn save(layers: &[Vec<u8>]) -> Vec<u8> {
    let diff_ids: Vec<String> = layers
        .iter()
        .map(|l| Digest::of_bytes(l).to_string())
        .collect();
    let history: Vec<serde_json::Value> = layers
        .iter()
        .map(|_| serde_json::json!({"created_by": "test layer"}))
        .collect();
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64",
        "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history,
    }))
    .expect("config json");
    let descs: Vec<Descriptor> = layers
        .iter()
        .map(|l| Descriptor {
            media_type: pancake_core::media::OCI_LAYER.into(),
            digest: Digest::of_bytes(l),
            size: l.len() as u64,
        })
        .collect();
    let img = SaveImage {
        tags: vec!["links:1".into()],
        config,
        layers: descs,
    };
    let mut fetch = |d: &Descriptor| -> std::io::Result<Box<dyn Read + '_>> {
        let l = layers
            .iter()
            .find(|l| Digest::of_bytes(l) == d.digest)
            .expect("layer for descriptor");
        Ok(Box::new(l.as_slice()))
    };
    write_docker_save(Vec::new(), &[img], &mut fetch).expect("save")
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).expect("gzip");
    enc.finish().expect("gzip finish")
}

fn read(name: &str, bytes: &[u8]) -> Archive {
    let a = read_stream(
        name,
        bytes,
        bytes.len() as u64,
        &Options::default(),
        &mut |_| {},
    )
    .expect("archive reads");
    assert_eq!(a.images.len(), 1, "{name}: {:#?}", a.problems);
    a
}

fn f(p: &str, content: &[u8]) -> TarEntry {
    TarEntry::file(p, content.to_vec(), 0o644)
}

/// The bytes of `path` in the image's final filesystem, through its `ContentRef`.
fn bytes_of(src: &[u8], a: &Archive, path: &str) -> Option<Vec<u8>> {
    let img = a.images.first()?;
    let top = img.layers.len().checked_sub(1)?;
    let rows = union::merged(a, img, top);
    let row = rows.iter().find(|r| r.path == RawPath::from(path))?;
    let c = row.content.as_ref()?;
    assert_eq!(
        union::content_of(a, img, top, &row.path).as_ref(),
        Some(c),
        "content_of agrees with the merged row"
    );
    read_content(src, a, c, 1 << 20).ok()
}

#[test]
fn hard_links_read_their_files_bytes_wherever_they_are() {
    let layers = vec![
        layer(&[TarEntry::dir("etc", 0o755), f("etc/conf", b"zero")]),
        // The file written again and a link to it, then the file overwritten in the same
        // layer, then a name written twice with a link to its first copy in between. (A
        // link only reaches what its own layer wrote: the layer is unpacked into a folder
        // of its own.)
        layer(&[
            TarEntry::dir("etc", 0o755),
            f("etc/conf", b"first version"),
            TarEntry::hardlink("etc/conf.link", "etc/conf"),
            f("etc/conf", b"second"),
            f("dup", b"one"),
            TarEntry::hardlink("dup.link", "dup"),
            f("dup", b"two!"),
        ]),
        // The original name deleted: the link keeps the bytes.
        layer(&[
            TarEntry::dir("etc", 0o755),
            TarEntry::whiteout(&"etc/conf".into()),
        ]),
    ];
    let plain = save(&layers);
    let packed = gzip(&plain);
    for (name, src) in [("plain.tar", &plain), ("packed.tar.gz", &packed)] {
        let a = read(name, src);
        assert_eq!(
            bytes_of(src, &a, "etc/conf.link").as_deref(),
            Some(&b"first version"[..]),
            "{name}"
        );
        assert_eq!(bytes_of(src, &a, "dup.link").as_deref(), Some(&b"one"[..]));
        assert_eq!(bytes_of(src, &a, "dup").as_deref(), Some(&b"two!"[..]));
        assert_eq!(bytes_of(src, &a, "etc/conf"), None, "deleted");
        let img = &a.images[0];
        // Stored: 4 + (13 + 6 + 3 + 4) + 0; the replaced `zero` and the deleted `second`
        // are gone.
        assert_eq!(union::stored_bytes(&a, img), vec![4, 26, 0]);
        assert_eq!(union::wasted(&a, img), vec![4, 6, 0]);
        assert!(
            !a.problems
                .iter()
                .any(|p| matches!(p.kind, ProblemKind::HardLink | ProblemKind::Whiteout)),
            "{:#?}",
            a.problems
        );
    }
}

#[test]
fn invalid_whiteouts_and_broken_links_reach_the_archive_problems() {
    let layers = vec![
        layer(&[
            TarEntry::dir("dir", 0o755),
            f("dir/keep", b"12345"),
            f("a", b"x"),
        ]),
        layer(&[
            f("dir/.wh.", b""),
            f(".wh..", b""),
            f(".wh..wh.plnk", b""),
            f("dir/.wh.keep-not", b""),
            f(".wh.a", b""),
            TarEntry::hardlink("after-whiteout", "a"),
            TarEntry::hardlink("nowhere", "missing/file"),
            TarEntry::hardlink("loop1", "loop2"),
            TarEntry::hardlink("loop2", "loop1"),
        ]),
    ];
    let bytes = save(&layers);
    let a = read("bad.tar", &bytes);
    let img = &a.images[0];
    let blob = img.layers[1]
        .blob_path
        .clone()
        .expect("layer 1 has a blob path");
    let of = |kind: ProblemKind| -> Vec<String> {
        a.problems
            .iter()
            .filter(|p| p.kind == kind)
            .inspect(|p| {
                assert_eq!(p.member_name(), Some(blob.as_str()), "{p:?}");
                assert!(p.message().contains(&blob), "{p:?}");
            })
            .map(|p| p.message())
            .collect()
    };
    // A reserved name is skipped; a link to what a whiteout of its layer deleted is a
    // whiteout too (overlay2 made a device there): warnings.
    let w = of(ProblemKind::Whiteout);
    assert_eq!(w.len(), 2, "{w:#?}");
    assert!(w.iter().any(|m| m.contains("entry .wh..wh.plnk:")));
    assert!(w
        .iter()
        .any(|m| m.contains("after-whiteout => a names a path a whiteout")));
    // A whiteout of its own folder fails unpacking (overlay2's mknod: EEXIST).
    let u = of(ProblemKind::UnpackFails);
    assert_eq!(u.len(), 2, "{u:#?}");
    for entry in ["dir/.wh.", ".wh.."] {
        assert_eq!(
            u.iter()
                .filter(|m| m.contains(&format!("entry {entry}:")))
                .count(),
            1,
            "{entry}: {u:#?}"
        );
    }
    let h = of(ProblemKind::HardLink);
    assert_eq!(h.len(), 2, "{h:#?}");
    assert!(h.iter().any(|m| m.contains("nowhere => missing/file")));
    assert!(h
        .iter()
        .any(|m| m.contains("hard-link cycle loop1 => loop2 => loop1")));
    // Only the two valid whiteouts count, and the invalid ones delete nothing.
    let ix = a.members[img.layers[1].member.expect("member")]
        .facts
        .layer
        .as_ref()
        .expect("layer index");
    assert_eq!(whiteout::counts(&ix.entries), (2, 0));
    let rows = union::merged(&a, img, 1);
    let names: Vec<String> = rows.iter().map(|r| r.path.to_string()).collect();
    // The broken links are left out: unpacking fails on each.
    assert_eq!(names, ["dir", "dir/keep"]);
    // The same problems, once each, after the scan + hash path the CLI takes.
    let b = archive::open("bad.tar", &bytes, &Options::default(), &mut |_| {}).expect("open");
    let mut x: Vec<_> = a
        .problems
        .iter()
        .map(|p| (format!("{:?}", p.kind), p.message()))
        .collect();
    let mut y: Vec<_> = b
        .problems
        .iter()
        .map(|p| (format!("{:?}", p.kind), p.message()))
        .collect();
    x.sort();
    y.sort();
    assert_eq!(x, y);
}

#[test]
fn aufs_layers_apply_as_docker_applies_them() {
    let layers = vec![
        layer(&[TarEntry::dir("bin", 0o755), f("bin/sh", b"shell")]),
        layer(&[
            f(".wh..wh.aufs", b""),
            TarEntry::dir(".wh..wh.orph", 0o700),
            TarEntry::dir(".wh..wh.plnk", 0o700),
            f(".wh..wh.plnk/1234.5", b"linked content"),
            TarEntry::dir("usr", 0o755),
            TarEntry::hardlink("usr/tool", ".wh..wh.plnk/1234.5"),
            TarEntry::hardlink("usr/tool2", ".wh..wh.plnk/1234.5"),
        ]),
    ];
    let bytes = save(&layers);
    let a = read("aufs.tar", &bytes);
    let img = &a.images[0];
    let rows = union::merged(&a, img, 1);
    let names: Vec<String> = rows.iter().map(|r| r.path.to_string()).collect();
    assert_eq!(names, ["bin", "bin/sh", "usr", "usr/tool", "usr/tool2"]);
    assert_eq!(
        bytes_of(&bytes, &a, "usr/tool2").as_deref(),
        Some(&b"linked content"[..])
    );
    let usr = rows.iter().find(|r| r.path == RawPath::from("usr"));
    assert_eq!(usr.map(|r| r.dir_size), Some(14));
    let changes = union::layer_changes(&a, img, 1);
    assert_eq!((changes.added, changes.deleted), (3, 0));
    assert_eq!(union::wasted(&a, img), vec![0, 0]);
    assert_eq!(union::efficiency(&a, img), 1.0);
    assert!(a.problems.is_empty(), "{:#?}", a.problems);
}
