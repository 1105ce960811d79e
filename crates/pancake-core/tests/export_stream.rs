//! `read::export` streams one file's bytes whatever its layer (issue 15): a file of several MiB
//! in a layer compressed with gzip (one member, and many members as estargz writes them),
//! zstd, xz and bzip2, also inside a whole-file-compressed save; a hard link (its file's
//! bytes); sparse files of every dialect the reader knows (GNU 0.0 and 1.0 PAX, old GNU 'S'),
//! holes as zeros, read by offset and through a decompressing walk. Every expected byte comes
//! from the generator below (or the field case's generator, `pax-sparse-member.py`), never
//! from Pancake; the pulled [`ExportStream`] gives the same bytes in small reads.

use std::io::{Cursor, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use pancake_core::analyze::union;
use pancake_core::read::archive::{read_stream, Options};
use pancake_core::read::export::{write_content, ExportError, ExportStream};
use pancake_core::write::tarwrite::{self, Descriptor, SaveImage, TarEntry};
use pancake_core::{Archive, Digest, Limits, RawPath};

/// The generator: `len` bytes of numbered lines of a xorshift stream (deterministic, and
/// compressible about 2× so the real compressors are quick).
fn generated(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::with_capacity(len + 64);
    let mut line = 0u64;
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let _ = writeln!(out, "{line:08} {x:016x} {:08x}", x.rotate_left(29) as u32);
        line += 1;
    }
    out.truncate(len);
    out
}

/// Runs a real compressor (`zstd -c` …) over `input`.
fn tool(cmd: &str, args: &[&str], input: &[u8]) -> Vec<u8> {
    let mut child = Command::new(cmd)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{cmd} must be installed for this test: {e}"));
    let mut stdin = child.stdin.take().expect("stdin");
    let data = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&data));
    let out = child.wait_with_output().expect("compressor output");
    writer.join().expect("writer").expect("write to compressor");
    assert!(out.status.success(), "{cmd} {args:?} failed");
    out.stdout
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use flate2::{write::GzEncoder, Compression as Level};
    let mut e = GzEncoder::new(Vec::new(), Level::fast());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip")
}

/// Many gzip members back to back, as estargz writes a layer (one per file chunk).
fn gzip_members(bytes: &[u8], members: usize) -> Vec<u8> {
    let step = bytes.len().div_ceil(members).max(1);
    bytes.chunks(step).flat_map(gzip).collect()
}

/// A Docker 25+ save of one image whose layers are `(uncompressed tar, blob as stored)`.
fn save(layers: &[(Vec<u8>, Vec<u8>)]) -> Vec<u8> {
    let diff_ids: Vec<Digest> = layers.iter().map(|(t, _)| Digest::of_bytes(t)).collect();
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }))
    .expect("config");
    let descriptors: Vec<Descriptor> = layers
        .iter()
        .map(|(_, b)| Descriptor {
            media_type: "application/vnd.oci.image.layer.v1.tar".into(),
            digest: Digest::of_bytes(b),
            size: b.len() as u64,
        })
        .collect();
    let image = SaveImage {
        tags: vec!["stream:1".into()],
        config,
        layers: descriptors,
    };
    tarwrite::write_docker_save(Vec::new(), &[image], &mut |d| {
        let blob = layers
            .iter()
            .find(|(_, b)| Digest::of_bytes(b) == d.digest)
            .map(|(_, b)| b.clone())
            .unwrap_or_default();
        Ok(Box::new(Cursor::new(blob)))
    })
    .expect("save")
}

fn read(name: &str, file: &[u8]) -> Archive {
    read_stream(
        name,
        file,
        file.len() as u64,
        &Options::default(),
        &mut |_| {},
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The bytes `write_content` gives for each of `paths` in the merged view of `file`'s only
/// image, each checked against a pull of the [`ExportStream`] in odd small reads.
fn saved_all(label: &str, file: &[u8], paths: &[&str]) -> Vec<Vec<u8>> {
    let a = read(label, file);
    let img = a.images.first().expect("an image");
    for l in &img.layers {
        assert!(l.diff_id.is_some(), "{label}: every layer hashed");
    }
    let top = img.layers.len() - 1;
    let mut all = Vec::new();
    for path in paths {
        let c = union::content_of(&a, img, top, &RawPath::from_typed(path))
            .unwrap_or_else(|| panic!("{label}: no {path}"));
        let mut out = Vec::new();
        let n = write_content(&file.to_vec(), &a, &c, &Limits::default(), &mut out)
            .unwrap_or_else(|e| panic!("{label} {path}: {e}"));
        assert_eq!(n, out.len() as u64, "{label} {path}");
        // The same bytes pulled 4093 at a time, as the page's worker pulls its chunks.
        let mut s = ExportStream::content(file, &a, &c, &Limits::default())
            .unwrap_or_else(|e| panic!("{label} {path}: {e}"));
        let mut pulled = Vec::new();
        let mut buf = vec![0u8; 4093];
        loop {
            let k = s.read(&mut buf).unwrap_or_else(|e| panic!("{label}: {e}"));
            if k == 0 {
                break;
            }
            pulled.extend_from_slice(&buf[..k]);
            assert_eq!(s.done(), pulled.len() as u64);
        }
        let (digest, len) = s.finish().unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!((digest, len), (None, out.len() as u64), "{label} {path}");
        assert!(pulled == out, "{label} {path}: the pulled bytes differ");
        all.push(out);
    }
    all
}

fn saved(label: &str, file: &[u8], path: &str) -> Vec<u8> {
    saved_all(label, file, &[path]).remove(0)
}

fn sha(bytes: &[u8]) -> String {
    Digest::of_bytes(bytes).to_string()
}

/// A 6 MiB file and a hard link to it, with small files around them, in a layer stored
/// compressed each way; the whole save also gzip-compressed once. Each save's file and link
/// hash to the generator's bytes; the small file after the big one too.
#[test]
fn a_file_of_several_mib_streams_from_every_compression() {
    let big = generated(7, 6 << 20);
    let small = b"after the big one\n".to_vec();
    let base = tarwrite::layer_tar(vec![TarEntry::file(
        "etc/hostname",
        b"box\n".to_vec(),
        0o644,
    )])
    .expect("base");
    let tar = tarwrite::layer_tar(vec![
        TarEntry::file("data/a.txt", b"before\n".to_vec(), 0o644),
        TarEntry::file("data/big.bin", big.clone(), 0o644),
        TarEntry::hardlink("data/link.bin", "data/big.bin"),
        TarEntry::file("data/z.txt", small.clone(), 0o644),
    ])
    .expect("layer");
    let blobs: Vec<(&str, Vec<u8>)> = vec![
        ("gzip", gzip(&tar)),
        ("estargz-like gzip members", gzip_members(&tar, 9)),
        ("zstd", tool("zstd", &["-c", "-q", "-1"], &tar)),
        ("xz", tool("xz", &["-c", "-0"], &tar)),
        ("bzip2", tool("bzip2", &["-c", "-1"], &tar)),
        ("uncompressed", tar.clone()),
    ];
    for (label, blob) in blobs {
        let file = save(&[(base.clone(), base.clone()), (tar.clone(), blob)]);
        // The whole save gzip-compressed too (xz and bzip2 decode slowly in a debug build;
        // the outer walk is the same for every layer compression).
        let whole_gz = gzip(&file);
        let files = match label {
            "xz" | "bzip2" => vec![("", &file)],
            _ => vec![("", &file), (" in a gzip-compressed save", &whole_gz)],
        };
        for (how, f) in files {
            let l = format!("{label}{how}");
            let got = saved_all(&l, f, &["data/big.bin", "/data/link.bin", "data/z.txt"]);
            assert_eq!(sha(&got[0]), sha(&big), "{l}: big.bin");
            assert_eq!(sha(&got[1]), sha(&big), "{l}: the hard link");
            assert_eq!(got[2], small, "{l}: z.txt");
        }
    }
}

/// The field case `pax-sparse-member.tar` (GNU tar --sparse: a PAX 1.0 sparse file and an old
/// GNU 'S' one), its content as its generator wrote it, read by offset from the save and
/// through a decompressing walk of the save gzip-compressed.
#[test]
fn sparse_files_stream_with_their_holes_as_zeros() {
    let p = std::env::var("PANCAKE_FIXTURES")
        .map(|d| PathBuf::from(d).join("../field"))
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/field"))
        .join("pax-sparse-member.tar");
    let file = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    // What pax-sparse-member.py wrote: a 1 MiB disk with a boot sector at 0 and 4 KiB of
    // 0..=255 at 512 KiB; a 64 KiB seed with its first block.
    let mut disk = vec![0u8; 1 << 20];
    disk[..10].copy_from_slice(b"BOOTSECTOR");
    for (i, b) in disk[512 * 1024..512 * 1024 + 4096].iter_mut().enumerate() {
        *b = (i % 256) as u8;
    }
    let mut seed = vec![0u8; 64 * 1024];
    seed[..16].copy_from_slice(b"cloud-init seed\n");
    for (label, f) in [("by offset", file.clone()), ("gzip walk", gzip(&file))] {
        let got = saved_all(
            label,
            &f,
            &[
                "var/lib/vm/disk.img",
                "var/lib/vm/seed.img",
                "var/lib/vm/notes.txt",
            ],
        );
        assert_eq!(sha(&got[0]), sha(&disk), "{label}");
        assert_eq!(sha(&got[1]), sha(&seed), "{label}");
        assert_eq!(got[2], b"two sparse disks\n");
    }
}

/// A GNU sparse 0.0 PAX member (the map in repeated `GNU.sparse.offset`/`numbytes` records),
/// written here byte by byte: a 3 MiB file with two data regions and a hole at its end, in a
/// gzip layer and an uncompressed one.
#[test]
fn a_pax_0_0_sparse_file_streams_from_a_gzip_layer() {
    let a = generated(1, 700_000);
    let b = generated(2, 300_001);
    let size: u64 = 3 << 20;
    let (oa, ob) = (4096u64, 2 << 20);
    let mut expected = vec![0u8; size as usize];
    expected[oa as usize..oa as usize + a.len()].copy_from_slice(&a);
    expected[ob as usize..ob as usize + b.len()].copy_from_slice(&b);
    let records = [
        ("GNU.sparse.size", size.to_string()),
        ("GNU.sparse.numblocks", "2".into()),
        ("GNU.sparse.offset", oa.to_string()),
        ("GNU.sparse.numbytes", a.len().to_string()),
        ("GNU.sparse.offset", ob.to_string()),
        ("GNU.sparse.numbytes", b.len().to_string()),
    ];
    let pax: Vec<u8> = records.iter().flat_map(|(k, v)| pax_record(k, v)).collect();
    let mut stored = a.clone();
    stored.extend_from_slice(&b);
    let mut tar = Vec::new();
    tar.extend(header(b"PaxHeaders/disk", b'x', pax.len() as u64));
    tar.extend(pad(&pax));
    tar.extend(header(b"disk.raw", b'0', stored.len() as u64));
    tar.extend(pad(&stored));
    tar.extend(header(b"after.txt", b'0', 5));
    tar.extend(pad(b"next\n"));
    tar.extend([0u8; 1024]);
    for (label, blob) in [("gzip", gzip(&tar)), ("plain", tar.clone())] {
        let file = save(&[(tar.clone(), blob)]);
        assert_eq!(
            sha(&saved(label, &file, "disk.raw")),
            sha(&expected),
            "{label}"
        );
        assert_eq!(saved(label, &file, "after.txt"), b"next\n", "{label}");
    }
}

/// Past the decompression bound the copy stops with `OverLimit` naming the member, having
/// written no more than the bound; a cut gzip layer is an error, never a short success.
#[test]
fn the_bound_and_a_cut_stream_stop_the_copy_with_their_errors() {
    let tar =
        tarwrite::layer_tar(vec![TarEntry::file("z", vec![0u8; 1 << 20], 0o644)]).expect("layer");
    let gz = gzip(&tar);
    let file = save(&[(tar.clone(), gz.clone())]);
    let a = read("t.tar", &file);
    let img = a.images.first().expect("image");
    let c = union::content_of(&a, img, 0, &RawPath::from_typed("z")).expect("z");
    let limits = Limits {
        max_decompressed_bytes: 64 << 10,
        decompressed_ratio: 1,
        ..Limits::default()
    };
    let mut out = Vec::new();
    match write_content(&file, &a, &c, &limits, &mut out) {
        Err(ExportError::OverLimit {
            name,
            member,
            bound,
        }) => {
            assert_eq!(name, "t.tar");
            assert_eq!(
                member,
                format!("blobs/sha256/{}", Digest::of_bytes(&gz).hex())
            );
            assert_eq!(bound, 64 << 10);
        }
        other => panic!("expected OverLimit, got {other:?}"),
    }
    assert!(out.len() <= 64 << 10, "{} bytes written", out.len());
    // The same layer cut in half, read with the index of the whole one: the file cannot be
    // read whole.
    let cut = gz[..gz.len() / 2].to_vec();
    let file2 = save(&[(tar.clone(), cut)]);
    let a2 = read("cut.tar", &file2);
    let mut whole = a.clone();
    whole.name = "cut.tar".into();
    let m2 = a2.images[0].layers[0].member.expect("member");
    let m1 = c.member.expect("member");
    whole.members[m1].data_offset = a2.members[m2].data_offset;
    whole.members[m1].size = a2.members[m2].size;
    let mut out = Vec::new();
    match write_content(&file2, &whole, &c, &Limits::default(), &mut out) {
        Err(ExportError::Decode(_)) | Err(ExportError::ContentEndsEarly { .. }) => {}
        other => panic!("expected a decode error or an early end, got {other:?}"),
    }
    assert!((out.len() as u64) < c.size);
}

fn pax_record(k: &str, v: &str) -> Vec<u8> {
    let body_len = 1 + k.len() + 1 + v.len() + 1;
    let mut n = body_len + 1;
    while n.to_string().len() + body_len != n {
        n += 1;
    }
    format!("{n} {k}={v}\n").into_bytes()
}

fn pad(data: &[u8]) -> Vec<u8> {
    let mut v = data.to_vec();
    v.resize(data.len().div_ceil(512) * 512, 0);
    v
}

/// A ustar header block for `name` (`typeflag`, `size` bytes of data).
fn header(name: &[u8], typeflag: u8, size: u64) -> Vec<u8> {
    let mut b = [0u8; 512];
    let mut put = |at: usize, v: &[u8]| b[at..at + v.len()].copy_from_slice(v);
    let octal = |n: u64, w: usize| format!("{:0w$o}\0", n, w = w - 1).into_bytes();
    put(0, name);
    put(100, &octal(0o644, 8));
    put(108, &octal(0, 8));
    put(116, &octal(0, 8));
    put(124, &octal(size, 12));
    put(136, &octal(1_714_557_600, 12));
    put(156, &[typeflag]);
    put(257, b"ustar\0");
    put(263, b"00");
    put(148, b"        ");
    let sum: u32 = b.iter().map(|c| u32::from(*c)).sum();
    b[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    b.to_vec()
}

/// A layer with `a` (1 MiB), then `b` hard-linked to `a`, then `a` again (10 bytes): `b` is
/// the first `a`'s bytes (the entry its [`ContentRef`] names), by offset from a plain layer
/// and through a walk of a gzip one; `a` is the second copy. A reference that names the
/// second `a`'s entry with `b`'s size (the last copy of the path, as a caller that dropped
/// the entry would build it) is refused with `WrongEntry` before any byte is written.
#[test]
fn a_hard_link_to_a_name_overwritten_later_saves_the_first_copy() {
    let first = generated(7, 1 << 20);
    // By hand: the core's writer refuses a path twice, Docker's layers need not.
    let mut tar = Vec::new();
    tar.extend(header(b"a", b'0', first.len() as u64));
    tar.extend(pad(&first));
    tar.extend(link_header(b"b", b"a"));
    tar.extend(header(b"a", b'0', 10));
    tar.extend(pad(b"second a\n\n"));
    tar.extend([0u8; 1024]);
    for (label, blob) in [("plain", tar.clone()), ("gzip", gzip(&tar))] {
        let file = save(&[(tar.clone(), blob)]);
        let got = saved_all(label, &file, &["b", "a"]);
        assert_eq!(sha(&got[0]), sha(&first), "{label}: b");
        assert_eq!(got[1], b"second a\n\n", "{label}: a");
        let a = read(label, &file);
        let img = a.images.first().expect("image");
        let b = union::content_of(&a, img, 0, &RawPath::from_typed("b")).expect("b");
        let last = union::content_of(&a, img, 0, &RawPath::from_typed("a")).expect("a");
        assert_eq!((b.entry, b.size), (0, 1 << 20), "{label}");
        assert_eq!(last.entry, 2, "{label}");
        let wrong = union::ContentRef {
            entry: last.entry,
            ..b.clone()
        };
        let mut out = Vec::new();
        match write_content(&file, &a, &wrong, &Limits::default(), &mut out) {
            Err(ExportError::WrongEntry {
                path, entry, size, ..
            }) => assert_eq!((path.as_str(), entry, size), ("a", 2, 1 << 20), "{label}"),
            other => panic!("{label}: expected WrongEntry, got {other:?}"),
        }
        assert!(out.is_empty(), "{label}: {} bytes written", out.len());
    }
}

/// A 10 KB layer whose one sparse entry claims 1 EiB of zeros (PAX `GNU.sparse.size`) is
/// refused with `TooLarge` naming the member, the path and the claimed size, before a byte is
/// written — by offset and through a gzip walk; a sparse file under the bound still saves.
#[test]
fn a_sparse_file_claiming_more_than_the_bound_is_refused_before_writing() {
    let claim: u64 = 1 << 60;
    let data = b"hello";
    let records = [
        ("GNU.sparse.size", claim.to_string()),
        ("GNU.sparse.numblocks", "1".into()),
        ("GNU.sparse.offset", "0".into()),
        ("GNU.sparse.numbytes", data.len().to_string()),
    ];
    let pax: Vec<u8> = records.iter().flat_map(|(k, v)| pax_record(k, v)).collect();
    let mut tar = Vec::new();
    tar.extend(header(b"PaxHeaders/huge", b'x', pax.len() as u64));
    tar.extend(pad(&pax));
    tar.extend(header(b"huge.img", b'0', data.len() as u64));
    tar.extend(pad(data));
    tar.extend(header(b"after.txt", b'0', 5));
    tar.extend(pad(b"next\n"));
    tar.extend([0u8; 1024]);
    for (label, blob) in [("plain", tar.clone()), ("gzip", gzip(&tar))] {
        let file = save(&[(tar.clone(), blob.clone())]);
        assert!(file.len() < 16 << 10, "{label}: {} bytes", file.len());
        let a = read(label, &file);
        let img = a.images.first().expect("image");
        let c = union::content_of(&a, img, 0, &RawPath::from_typed("huge.img")).expect("huge");
        assert_eq!(c.size, claim, "{label}");
        let bound = Limits::default().decompressed_for(file.len() as u64);
        let mut out = Vec::new();
        match write_content(&file, &a, &c, &Limits::default(), &mut out) {
            Err(ExportError::TooLarge {
                name,
                member,
                path,
                size,
                bound: b,
            }) => {
                assert_eq!(name, label);
                assert_eq!(
                    member,
                    format!("blobs/sha256/{}", Digest::of_bytes(&blob).hex())
                );
                assert_eq!((path.as_str(), size, b), ("huge.img", claim, bound));
            }
            other => panic!("{label}: expected TooLarge, got {other:?}"),
        }
        assert!(out.is_empty(), "{label}: {} bytes written", out.len());
        assert!(
            ExportStream::content(&file, &a, &c, &Limits::default()).is_err(),
            "{label}: the stream opens"
        );
        assert_eq!(saved(label, &file, "after.txt"), b"next\n", "{label}");
    }
}

/// A ustar hard-link header: `name` linked to `target`.
fn link_header(name: &[u8], target: &[u8]) -> Vec<u8> {
    let mut b = header(name, b'1', 0);
    b[157..157 + target.len()].copy_from_slice(target);
    b[148..156].copy_from_slice(b"        ");
    let sum: u32 = b.iter().map(|c| u32::from(*c)).sum();
    b[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    b
}

/// The archive's layers together may decompress to twice one layer's bound, no more: four
/// gzip layers of 1 MiB of zeros each under a 1.5 MiB bound (so 3 MiB in all) give the first
/// two their diff_ids and stop the third and the fourth with `OverArchiveLimit`, through the
/// stream reader and through `open`'s jobs alike. Before, a small file of many such layers
/// (20 zstd layers of 3.8 GB of zeros in 2.5 MB) decompressed them all: 80 GB of work.
#[test]
fn the_layers_of_one_archive_share_one_decompression_budget() {
    use pancake_core::read::archive::open;
    use pancake_core::ReadError;
    let layers: Vec<(Vec<u8>, Vec<u8>)> = (0..4u8)
        .map(|i| {
            let tar = tarwrite::layer_tar(vec![TarEntry::file(
                format!("zeros{i}").as_str(),
                vec![0u8; 1 << 20],
                0o644,
            )])
            .expect("layer");
            let gz = gzip(&tar);
            (tar, gz)
        })
        .collect();
    let file = save(&layers);
    let opts = Options {
        limits: Limits {
            max_decompressed_bytes: 3 << 19,
            decompressed_ratio: 1,
            ..Limits::default()
        },
        threads: 1,
        ..Options::default()
    };
    let by_stream =
        read_stream("t.tar", &file[..], file.len() as u64, &opts, &mut |_| {}).expect("read");
    let by_open = open("t.tar", &file, &opts, &mut |_| {}).expect("open");
    for (how, a) in [("read_stream", &by_stream), ("open", &by_open)] {
        let img = a.images.first().expect("image");
        let facts: Vec<_> = img
            .layers
            .iter()
            .map(|l| {
                let m = l.member.and_then(|m| a.members.get(m)).expect("member");
                m.facts.layer.as_ref().expect("a layer index")
            })
            .collect();
        for (i, ix) in facts.iter().enumerate().take(2) {
            assert_eq!(
                ix.diff_id,
                Some(Digest::of_bytes(&layers[i].0)),
                "{how}: layer {i}"
            );
            assert_eq!(ix.error, None, "{how}: layer {i}");
        }
        for (i, ix) in facts.iter().enumerate().skip(2) {
            assert_eq!(ix.diff_id, None, "{how}: layer {i}");
            assert_eq!(
                ix.error,
                Some(ReadError::OverArchiveLimit { bound: 3 << 20 }),
                "{how}: layer {i}"
            );
        }
        // A second archive read with the same options has a budget of its own.
        assert_eq!(opts.archive_budget.total(), u64::MAX, "{how}");
    }
}
