//! Every compression, every frame layout (issues 9, 10, 11): whole files and layer blobs
//! compressed by the real `gzip`, `zstd`, `xz` and `bzip2` tools, streams of several
//! members/frames/streams, zstd skippable frames, zero-byte and empty layers, trailing data,
//! cut files and the bounds' messages. Every archive is read with both `open` and
//! `read_stream`, which must agree, and checked against the uncompressed original's facts.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use pancake_core::read::archive::{open, read_entry_content, read_stream, Options};
use pancake_core::{Archive, Compression, Digest, Error, ProblemKind, RawPath};

fn shared() -> PathBuf {
    match std::env::var("PANCAKE_FIXTURES") {
        Ok(d) => PathBuf::from(d).join(".."),
        Err(_) => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")),
    }
}

fn fixture(name: &str) -> Vec<u8> {
    let p = shared().join("fixtures").join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Runs a real compressor (`gzip -c`, `zstd -c` ...) over `input`.
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

fn compress(c: Compression, input: &[u8]) -> Vec<u8> {
    match c {
        Compression::Gzip => tool("gzip", &["-c", "-n"], input),
        Compression::Zstd => tool("zstd", &["-c", "-q", "--no-progress"], input),
        Compression::Xz => tool("xz", &["-c"], input),
        Compression::Bzip2 => tool("bzip2", &["-c"], input),
        Compression::None => input.to_vec(),
    }
}

/// `input` cut into `parts` pieces, each compressed on its own, concatenated: several gzip
/// members, zstd frames, xz streams or bzip2 streams.
fn compress_parts(c: Compression, input: &[u8], parts: usize) -> Vec<u8> {
    let step = input.len().div_ceil(parts).max(1);
    input.chunks(step).flat_map(|p| compress(c, p)).collect()
}

/// A zstd skippable frame (RFC 8878 §3.1.2) with magic `0x184D2A50 + n`.
fn skippable(n: u32, payload: &[u8]) -> Vec<u8> {
    let mut f = (0x184D_2A50 + n).to_le_bytes().to_vec();
    f.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    f.extend_from_slice(payload);
    f
}

/// Reads `bytes` with `open` and with `read_stream`; both must give the same archive.
fn both(name: &str, bytes: &[u8], opts: &Options) -> Archive {
    let a = open(name, &bytes.to_vec(), opts, &mut |_| {})
        .unwrap_or_else(|e| panic!("open {name}: {e}"));
    let b = read_stream(name, bytes, bytes.len() as u64, opts, &mut |_| {})
        .unwrap_or_else(|e| panic!("read_stream {name}: {e}"));
    assert_eq!(a, b, "{name}: open and read_stream differ");
    a
}

fn expected_diff_ids(fixture: &str) -> Vec<String> {
    let p = shared()
        .join("fixtures")
        .join(format!("{fixture}.expected.json"));
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let v: serde_json::Value = serde_json::from_str(&text).expect("expected.json");
    v["images"][0]["layers"]
        .as_array()
        .expect("layers")
        .iter()
        .map(|l| l["diff_id"].as_str().expect("diff_id").to_string())
        .collect()
}

const APP: &str = "docker20-save-app1.tar";

/// The first regular file of layer `l` of image 0 and its content, read from `a`.
fn some_file(a: &Archive, src: &[u8], l: usize) -> (usize, RawPath, Vec<u8>) {
    let layer = &a.images[0].layers[l];
    let m = layer.member.expect("blob present");
    let e = a.members[m]
        .facts
        .layer
        .as_ref()
        .expect("layer index")
        .entries
        .iter()
        .find(|e| e.kind == pancake_core::EntryKind::File && e.size > 0)
        .expect("a regular file");
    let bytes = read_entry_content(&src.to_vec(), a, m, &e.path, 1 << 20).expect("content");
    (m, e.path.clone(), bytes)
}

#[test]
fn whole_file_compressed_by_each_tool_reads_like_the_original() {
    let plain = fixture(APP);
    let want = expected_diff_ids(APP);
    let base = both("plain", &plain, &Options::default());
    let (_, path, content) = some_file(&base, &plain, 2);
    for c in [
        Compression::Gzip,
        Compression::Zstd,
        Compression::Xz,
        Compression::Bzip2,
    ] {
        // One stream, and the same bytes cut into three members/frames/streams.
        for (label, packed) in [
            ("one stream", compress(c, &plain)),
            ("three streams", compress_parts(c, &plain, 3)),
        ] {
            let name = format!("{c:?} {label}");
            let a = both(&name, &packed, &Options::default());
            assert_eq!(a.outer_compression, c, "{name}");
            assert_eq!(
                a.images, base.images,
                "{name}: images differ from the tar's"
            );
            assert_eq!(a.problems, base.problems, "{name}");
            let got: Vec<String> = a.images[0]
                .layers
                .iter()
                .map(|l| l.diff_id.as_ref().expect("diff_id").to_string())
                .collect();
            assert_eq!(got, want, "{name}");
            assert!(a.images[0].layers.iter().all(|l| l.verified), "{name}");
            let m = a.images[0].layers[2].member.expect("member");
            let again = read_entry_content(&packed, &a, m, &path, 1 << 20).expect("content");
            assert_eq!(
                again, content,
                "{name}: file content through the outer stream"
            );
        }
    }
}

/// The fixture with every `layer.tar` replaced by `f(layer)`; the config's diff_ids still
/// name the uncompressed tars, as Docker's do.
fn with_layers(plain: &[u8], f: &dyn Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let mut out = tar::Builder::new(Vec::new());
    let mut ar = tar::Archive::new(plain);
    for e in ar.entries().expect("entries") {
        let mut e = e.expect("entry");
        let mut header = e.header().clone();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut e, &mut data).expect("read");
        let path = e.path().expect("path").into_owned();
        if path.ends_with("layer.tar") {
            data = f(&data);
            header.set_size(data.len() as u64);
            header.set_cksum();
        }
        out.append(&header, &data[..]).expect("append");
    }
    out.into_inner().expect("tar")
}

fn assert_like_plain(name: &str, a: &Archive, base: &Archive, c: Compression, want: &[String]) {
    assert!(
        a.problems.iter().all(
            |p| p.kind != ProblemKind::LayerUnreadable && p.kind != ProblemKind::DigestMismatch
        ),
        "{name}: {:#?}",
        a.problems
    );
    for (l, (x, y)) in a.images[0]
        .layers
        .iter()
        .zip(&base.images[0].layers)
        .enumerate()
    {
        assert_eq!(x.compression, c, "{name} layer {l}");
        assert_eq!(
            x.diff_id.as_ref().map(|d| d.to_string()).as_deref(),
            Some(want[l].as_str()),
            "{name} layer {l}"
        );
        assert!(x.verified, "{name} layer {l}");
        assert_eq!(x.size, y.size, "{name} layer {l}");
        let count = |a: &Archive, m: Option<usize>| {
            m.and_then(|m| a.members[m].facts.layer.as_ref())
                .map(|ix| ix.entries.len())
        };
        assert_eq!(
            count(a, x.member),
            count(base, y.member),
            "{name} layer {l}"
        );
    }
}

#[test]
fn layers_of_several_members_frames_and_streams_decode_whole() {
    let plain = fixture(APP);
    let want = expected_diff_ids(APP);
    let base = both("plain", &plain, &Options::default());
    let (_, path, content) = some_file(&base, &plain, 2);
    let zstd_with_skippable = |t: &[u8]| {
        // zstd:chunked-like: a skippable frame first, between every frame, and at the end.
        let step = t.len().div_ceil(4).max(1);
        let mut out = skippable(0, b"first");
        for (i, part) in t.chunks(step).enumerate() {
            out.extend(compress(Compression::Zstd, part));
            out.extend(skippable(i as u32 + 1, &vec![0xAB; 100 + i]));
        }
        out.extend(skippable(15, b"{\"toc\":[]}"));
        out
    };
    type Pack = Box<dyn Fn(&[u8]) -> Vec<u8>>;
    let cases: Vec<(&str, Compression, Pack)> = vec![
        (
            "gzip members",
            Compression::Gzip,
            Box::new(|t: &[u8]| compress_parts(Compression::Gzip, t, 5)),
        ),
        (
            "zstd frames",
            Compression::Zstd,
            Box::new(|t: &[u8]| compress_parts(Compression::Zstd, t, 5)),
        ),
        (
            "zstd skippable",
            Compression::Zstd,
            Box::new(zstd_with_skippable),
        ),
        (
            "xz",
            Compression::Xz,
            Box::new(|t: &[u8]| compress(Compression::Xz, t)),
        ),
        (
            "xz streams",
            Compression::Xz,
            Box::new(|t: &[u8]| compress_parts(Compression::Xz, t, 3)),
        ),
        (
            "bzip2",
            Compression::Bzip2,
            Box::new(|t: &[u8]| compress(Compression::Bzip2, t)),
        ),
        (
            "bzip2 streams",
            Compression::Bzip2,
            Box::new(|t: &[u8]| compress_parts(Compression::Bzip2, t, 3)),
        ),
    ];
    for (name, c, f) in &cases {
        let bytes = with_layers(&plain, f.as_ref());
        let a = both(name, &bytes, &Options::default());
        assert_like_plain(name, &a, &base, *c, &want);
        let m = a.images[0].layers[2].member.expect("member");
        let again = read_entry_content(&bytes, &a, m, &path, 1 << 20).expect("content");
        assert_eq!(
            again, content,
            "{name}: file content re-inflated from every frame"
        );
    }
}

#[test]
fn field_cases_zstd_chunked_and_zero_byte_layers() {
    for case in ["zstd-chunked-multiframe", "zero-byte-empty-layers"] {
        let dir = shared().join("field");
        let bytes = std::fs::read(dir.join(format!("{case}.tar"))).expect("field tar");
        let text =
            std::fs::read_to_string(dir.join(format!("{case}.expected.json"))).expect("expected");
        let exp: serde_json::Value = serde_json::from_str(&text).expect("json");
        let a = both(case, &bytes, &Options::default());
        let layers = exp["images"][0]["layers"].as_array().expect("layers");
        assert_eq!(a.images[0].layers.len(), layers.len(), "{case}");
        for (l, (got, e)) in a.images[0].layers.iter().zip(layers).enumerate() {
            let entries = got
                .member
                .and_then(|m| a.members[m].facts.layer.as_ref())
                .map(|ix| ix.entries.len() as u64);
            assert_eq!(
                got.diff_id.as_ref().map(|d| d.to_string()).as_deref(),
                e["diff_id"].as_str(),
                "{case} layer {l}"
            );
            assert_eq!(
                got.digest.as_ref().map(|d| d.to_string()).as_deref(),
                e["digest"].as_str(),
                "{case} layer {l}"
            );
            assert_eq!(Some(got.size), e["size"].as_u64(), "{case} layer {l}");
            assert_eq!(entries, e["entries"].as_u64(), "{case} layer {l}");
            assert!(got.verified, "{case} layer {l}");
        }
        for p in &a.problems {
            assert!(
                !matches!(
                    p.kind,
                    ProblemKind::LayerUnreadable
                        | ProblemKind::MissingBlob
                        | ProblemKind::DigestMismatch
                ),
                "{case}: {p:?}"
            );
        }
    }
}

/// A one-layer docker-archive whose layer blob is `blob`, claimed diff_id `diff`.
fn image(blob: &[u8], diff: &Digest) -> Vec<u8> {
    let cfg = format!(
        r#"{{"architecture":"amd64","os":"linux","rootfs":{{"type":"layers","diff_ids":["{diff}"]}},"history":[{{"created_by":"COPY . /"}}]}}"#
    );
    let cfg_name = format!("{}.json", Digest::of_bytes(cfg.as_bytes()).hex());
    let manifest =
        format!(r#"[{{"Config":"{cfg_name}","RepoTags":["t:1"],"Layers":["abc/layer.tar"]}}]"#);
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in [
        ("abc/layer.tar", blob),
        (cfg_name.as_str(), cfg.as_bytes()),
        ("manifest.json", manifest.as_bytes()),
    ] {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, name, data).expect("append");
    }
    b.into_inner().expect("tar")
}

fn layer_tar(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, name, &data[..]).expect("append");
    }
    b.into_inner().expect("tar")
}

#[test]
fn empty_blobs_and_empty_streams_are_empty_layers() {
    let empty = Digest::of_bytes(b"");
    let cases: Vec<(&str, Vec<u8>, Compression)> = vec![
        ("zero bytes", Vec::new(), Compression::None),
        (
            "gzip of nothing",
            compress(Compression::Gzip, b""),
            Compression::Gzip,
        ),
        (
            "zstd of nothing",
            compress(Compression::Zstd, b""),
            Compression::Zstd,
        ),
        (
            "xz of nothing",
            compress(Compression::Xz, b""),
            Compression::Xz,
        ),
        (
            "bzip2 of nothing",
            compress(Compression::Bzip2, b""),
            Compression::Bzip2,
        ),
        (
            "only skippable frames",
            skippable(3, b"toc"),
            Compression::Zstd,
        ),
    ];
    for (name, blob, c) in cases {
        let a = both(name, &image(&blob, &empty), &Options::default());
        let l = &a.images[0].layers[0];
        assert_eq!(l.diff_id.as_ref(), Some(&empty), "{name}");
        assert_eq!(l.digest, Some(Digest::of_bytes(&blob)), "{name}");
        assert_eq!((l.size, l.compression), (0, c), "{name}");
        assert!(l.verified, "{name}: {:#?}", a.problems);
        let ix = a.members[l.member.expect("member")].facts.layer.as_ref();
        assert_eq!(ix.map(|ix| ix.entries.len()), Some(0), "{name}");
        assert_eq!(kinds(&a), containerd_fails(c), "{name}: {:#?}", a.problems);
    }
}

fn kinds(a: &Archive) -> Vec<ProblemKind> {
    a.problems.iter().map(|p| p.kind).collect()
}

/// The problems a one-layer save of manifest.json alone (`image`) has for a layer of
/// compression `c` that reads whole: none, but a `load-fails` for xz and bzip2, which
/// containerd's import does not detect (it knows gzip and zstd) and takes for a plain tar.
fn containerd_fails(c: Compression) -> Vec<ProblemKind> {
    match c {
        Compression::Xz | Compression::Bzip2 => vec![ProblemKind::LoadFails],
        _ => Vec::new(),
    }
}

fn two_files() -> Vec<u8> {
    // Incompressible (xorshift), so a cut at 60% of any compressed form lands inside b.bin.
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let noise: Vec<u8> = (0..300_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    layer_tar(&[
        ("a.txt", b"first file\n".repeat(50)),
        ("b.bin", noise),
        ("c.txt", b"third\n".to_vec()),
    ])
}

#[test]
fn trailing_data_after_a_gzip_layer_is_reported_and_the_layer_still_reads() {
    let tar = two_files();
    let diff = Digest::of_bytes(&tar);
    for c in [Compression::Gzip, Compression::Zstd] {
        let mut blob = compress_parts(c, &tar, 2);
        let end = blob.len() as u64;
        blob.extend_from_slice(b"GARBAGE AFTER THE STREAM\n");
        let a = both("trailing", &image(&blob, &diff), &Options::default());
        let l = &a.images[0].layers[0];
        assert_eq!(l.diff_id.as_ref(), Some(&diff), "{c:?}");
        assert!(l.verified, "{c:?}");
        let ix = a.members[l.member.expect("member")].facts.layer.as_ref();
        assert_eq!(ix.map(|ix| ix.entries.len()), Some(3), "{c:?}");
        let p = a
            .problems
            .iter()
            .find(|p| p.member_name() == Some("abc/layer.tar"))
            .unwrap_or_else(|| panic!("{c:?}: no problem for the trailing bytes"));
        // Information, not damage: the layer was read in full and verifies, as Docker loads it.
        assert_eq!(p.kind, ProblemKind::TarQuirk);
        assert!(
            p.message().contains("abc/layer.tar")
                && p.message().contains(&format!("byte offset {end}"))
                && p.message().contains("25 bytes"),
            "{p:?}"
        );
    }
}

#[test]
fn trailing_data_after_a_compressed_file_is_reported() {
    let plain = fixture(APP);
    let mut gz = compress(Compression::Gzip, &plain);
    let end = gz.len() as u64;
    gz.extend_from_slice(&[0u8; 1000]);
    let a = both("padded.tar.gz", &gz, &Options::default());
    assert!(a.images[0].layers.iter().all(|l| l.verified));
    let p = a
        .problems
        .iter()
        .find(|p| p.kind == ProblemKind::TarQuirk)
        .expect("a note for the trailing bytes (information: no damage)");
    assert!(
        !a.problems.iter().any(|p| p.kind == ProblemKind::Archive),
        "{:#?}",
        a.problems
    );
    assert!(
        p.message().contains(&format!("byte offset {end}")) && p.message().contains("1000 bytes"),
        "{p:?}"
    );
}

#[test]
fn a_cut_compressed_layer_says_where_it_stopped() {
    let tar = two_files();
    let diff = Digest::of_bytes(&tar);
    for c in [
        Compression::Gzip,
        Compression::Zstd,
        Compression::Xz,
        Compression::Bzip2,
    ] {
        let full = match c {
            // ruzstd hands out decoded bytes only once they leave the frame's window (2 MiB at
            // zstd's default level), so a cut frame lists entries only past the window; a
            // 4 KiB window (and so 4 KiB blocks) lets this layer's first entries out.
            Compression::Zstd => tool("zstd", &["-c", "-q", "--zstd=wlog=12"], &tar),
            // bzip2 decodes whole blocks only: 100 kB blocks (-1) rather than 900 kB.
            Compression::Bzip2 => tool("bzip2", &["-c", "-1"], &tar),
            _ => compress(c, &tar),
        };
        // Keep 60% of the blob: a.txt and part of b.bin decode, then the stream breaks.
        let blob = &full[..full.len() * 6 / 10];
        let a = both("cut", &image(blob, &diff), &Options::default());
        let l = &a.images[0].layers[0];
        assert!(!l.verified && l.diff_id.is_none(), "{c:?}");
        let ix = a.members[l.member.expect("member")]
            .facts
            .layer
            .as_ref()
            .expect("index");
        assert!(
            !ix.entries.is_empty(),
            "{c:?}: entries read so far are listed: {:?}",
            ix.error
        );
        let err = ix.error.as_ref().map(ToString::to_string).expect("error");
        assert!(
            err.contains("unreadable at entry b.bin") && err.contains("byte offset"),
            "{c:?}: {err}"
        );
        // Said in words, as gzip's "incomplete deflate stream", not as the decoder's Rust
        // debug form (`BlockContentReadError(Error { kind: UnexpectedEof … })`).
        if c == Compression::Zstd {
            assert!(
                err.ends_with("the zstd stream is broken: truncated: it ends inside a frame"),
                "{err}"
            );
        }
        assert!(!err.contains("Error {"), "{c:?}: {err}");
        let p = a
            .problems
            .iter()
            .find(|p| p.kind == ProblemKind::LayerUnreadable)
            .expect("problem");
        assert!(p.message().contains("abc/layer.tar"), "{p:?}");
    }
}

#[test]
fn the_decompressed_bound_scales_with_the_archive_and_says_how_to_raise_it() {
    let tar = layer_tar(&[("zeros", vec![0u8; 3 << 20])]);
    let diff = Digest::of_bytes(&tar);
    let bytes = image(&compress(Compression::Xz, &tar), &diff);
    let tight = Options {
        limits: pancake_core::Limits {
            max_decompressed_bytes: 1 << 20,
            decompressed_ratio: 10,
            ..Default::default()
        },
        ..Options::default()
    };
    assert!((bytes.len() as u64) * 10 < 1 << 20, "the archive is small");
    let a = both("bomb", &bytes, &tight);
    let p = a
        .problems
        .iter()
        .find(|p| p.kind == ProblemKind::Limit)
        .expect("limit problem");
    assert!(
        p.message().contains("abc/layer.tar")
            && p.message().contains(&(1u64 << 20).to_string())
            && p.message().contains("--max-decompressed-bytes"),
        "{p:?}"
    );
    assert!(!a.images[0].layers[0].verified);
    // The same floor, but a ratio that makes the archive's own bound large enough.
    let roomy = Options {
        limits: pancake_core::Limits {
            max_decompressed_bytes: 1 << 20,
            decompressed_ratio: 100_000,
            ..Default::default()
        },
        ..Options::default()
    };
    let a = both("bomb", &bytes, &roomy);
    assert_eq!(
        kinds(&a),
        containerd_fails(Compression::Xz),
        "{:#?}",
        a.problems
    );
    assert_eq!(a.images[0].layers[0].diff_id.as_ref(), Some(&diff));
    assert!(a.images[0].layers[0].verified);
}

#[test]
fn a_file_cut_in_its_first_header_ends_early() {
    let plain = fixture(APP);
    for cut in [100usize, 200, 300, 511] {
        let head = &plain[..cut];
        for (label, bytes, c) in [
            ("plain", head.to_vec(), Compression::None),
            ("gzip", compress(Compression::Gzip, head), Compression::Gzip),
            ("xz", compress(Compression::Xz, head), Compression::Xz),
        ] {
            let r = read_stream(
                "cut.tar",
                &bytes[..],
                bytes.len() as u64,
                &Options::default(),
                &mut |_| {},
            );
            match r {
                Err(Error::EndsEarly {
                    bytes: n,
                    compression,
                    ..
                }) => {
                    assert_eq!((n, compression), (cut as u64, c), "{label} {cut}");
                }
                other => panic!("{label} {cut}: {:?}", other.map(|a| a.problems)),
            }
            let e = open("cut.tar", &bytes, &Options::default(), &mut |_| {})
                .expect_err("open must fail too");
            let msg = e.to_string();
            assert!(
                msg.contains("cut.tar") && msg.contains("was the download complete?"),
                "{msg}"
            );
        }
    }
    // A gzip stream cut before its end, inside the first header.
    let gz = compress(Compression::Gzip, &plain[..400]);
    let cut = &gz[..gz.len() - 10];
    let r = read_stream(
        "cut.tar.gz",
        cut,
        cut.len() as u64,
        &Options::default(),
        &mut |_| {},
    );
    assert!(
        matches!(r, Err(Error::EndsEarly { .. })),
        "{:?}",
        r.map(|a| a.problems)
    );
    // A whole save compressed with zstd, cut at 300 bytes (a download cut short): the
    // decoder reports a broken block rather than an end of file; it still ends early.
    let zst = compress(Compression::Zstd, &plain);
    for cut in [30usize, 300] {
        let bytes = &zst[..cut];
        let r = read_stream(
            "cut.tar.zst",
            bytes,
            cut as u64,
            &Options::default(),
            &mut |_| {},
        );
        assert!(
            matches!(
                r,
                Err(Error::EndsEarly {
                    compression: Compression::Zstd,
                    ..
                })
            ),
            "zstd cut at {cut}: {:?}",
            r.map(|a| a.problems)
        );
    }
}

#[test]
fn json_over_the_cap_is_marked_too_large() {
    let plain = fixture(APP);
    let opts = Options {
        limits: pancake_core::Limits {
            max_json_bytes: 100,
            ..Default::default()
        },
        ..Options::default()
    };
    let a = both("small cap", &plain, &opts);
    let m = a
        .members
        .iter()
        .find(|m| m.path.display() == "manifest.json")
        .expect("manifest.json");
    assert!(m.size > 100);
    assert_eq!(m.facts.json_over_limit, Some(100));
    assert_eq!(m.facts.json, None);
    let a = both("default cap", &plain, &Options::default());
    let m = a
        .members
        .iter()
        .find(|m| m.path.display() == "manifest.json")
        .expect("manifest.json");
    assert_eq!(m.facts.json_over_limit, None);
    assert!(m.facts.json.is_some());
}

#[test]
fn a_flipped_byte_in_a_checksummed_zstd_frame_is_caught() {
    let tar = two_files();
    let diff = Digest::of_bytes(&tar);
    let mut blob = tool("zstd", &["-c", "-q", "--check"], &tar);
    // The frame's last 4 bytes are the content checksum (RFC 8878 §3.1.1).
    let at = blob.len() - 2;
    blob[at] ^= 0xff;
    let a = both("zstd checksum", &image(&blob, &diff), &Options::default());
    let l = &a.images[0].layers[0];
    assert!(!l.verified && l.diff_id.is_none());
    let p = a
        .problems
        .iter()
        .find(|p| p.kind == ProblemKind::LayerUnreadable)
        .expect("problem");
    assert!(p.message().contains("checksum"), "{p:?}");
    // Every entry was read before the checksum failed: said as after the tar, not "at" its
    // last entry.
    assert!(
        p.message()
            .contains("unreadable after the end of its tar (all 3 entries read, the last "),
        "{p:?}"
    );
}

/// A gzip layer whose trailer's CRC-32 is wrong: the tar inflates whole, then the check fails,
/// and the message places the failure after the tar's end.
#[test]
fn a_gzip_trailer_that_does_not_match_is_placed_after_the_tar() {
    let tar = two_files();
    let diff = Digest::of_bytes(&tar);
    let mut blob = compress(Compression::Gzip, &tar);
    let crc = blob.len() - 8;
    blob[crc] ^= 0xff;
    let a = both("gzip crc", &image(&blob, &diff), &Options::default());
    let l = &a.images[0].layers[0];
    assert!(!l.verified && l.diff_id.is_none());
    let ix = a.members[l.member.expect("member")]
        .facts
        .layer
        .as_ref()
        .expect("index");
    assert_eq!(ix.entries.len(), 3);
    let err = ix.error.as_ref().map(ToString::to_string).expect("error");
    assert!(
        err.starts_with("unreadable after the end of its tar (all 3 entries read, the last ")
            && err.contains("the gzip stream is broken"),
        "{err}"
    );
}

/// A zstd frame holding `content` as raw blocks, its header declaring a window of
/// `2^window_log` bytes and no content size (as `zstd --long=29 --no-content-size` writes it):
/// RFC 8878 §3.1.1.1, Window_Descriptor = (window_log - 10) << 3.
fn zstd_raw_frame(window_log: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![0x28, 0xB5, 0x2F, 0xFD, 0x00, (window_log - 10) << 3];
    let blocks: Vec<&[u8]> = content.chunks(128 << 10).collect();
    for (i, b) in blocks.iter().enumerate() {
        let last = u32::from(i + 1 == blocks.len());
        // Block_Header: Last_Block, Block_Type 0 (raw), Block_Size.
        let h = last | ((b.len() as u32) << 3);
        out.extend_from_slice(&h.to_le_bytes()[..3]);
        out.extend_from_slice(b);
    }
    out
}

/// The read error of the layer member `image` writes (`abc/layer.tar`), if any.
fn layer_error(a: &Archive) -> Option<pancake_core::model::ReadError> {
    a.members
        .iter()
        .find(|m| m.path.display() == "abc/layer.tar")
        .and_then(|m| m.facts.error.clone())
}

/// A zstd window over the reader's bound (256 MiB by default) is a `limit` of this reader,
/// named with the window and the bound, not a broken stream; one within the bound reads.
/// (klauspost/compress zstd, which moby and containerd use, reads windows up to 512 MiB.)
#[test]
fn a_zstd_window_over_the_bound_is_a_limit_not_damage() {
    let tar = layer_tar(&[("app/a.txt", b"hello\n".to_vec())]);
    let diff = Digest::of_bytes(&tar);
    let a = both(
        "window-512m",
        &image(&zstd_raw_frame(29, &tar), &diff),
        &Options::default(),
    );
    let kinds: Vec<ProblemKind> = a.problems.iter().map(|p| p.kind).collect();
    assert_eq!(kinds, vec![ProblemKind::Limit], "{:#?}", a.problems);
    let p = &a.problems[0];
    assert_eq!(
        p.origin.member.as_ref().map(|m| m.name.as_str()),
        Some("abc/layer.tar")
    );
    // The layer's read error: a zstd window of `requested` bytes over the default bound.
    let over = |requested| {
        Some(pancake_core::model::ReadError::WindowOverLimit {
            requested,
            max: 256 << 20,
            compression: Compression::Zstd,
        })
    };
    let err = layer_error(&a);
    assert_eq!(err, over(1 << 29));
    assert!(!a.images[0].layers[0].verified);
    // A layer in one single-segment frame of 600 MiB (its window is its content size): over
    // this bound, and over the 512 MiB that Go's streaming decoder checks it against.
    let a = both(
        "single-segment-600m",
        &image(&zstd_single_segment(600 << 20, &tar), &diff),
        &Options::default(),
    );
    let err = layer_error(&a);
    assert_eq!(err, over(600 << 20));
    let text = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(
        text.contains("Docker and containerd refuse it too"),
        "{text}"
    );
    // The same frame with a 128 MiB window reads and verifies.
    let a = both(
        "window-128m",
        &image(&zstd_raw_frame(27, &tar), &diff),
        &Options::default(),
    );
    assert!(a.problems.is_empty(), "{:#?}", a.problems);
    assert!(a.images[0].layers[0].verified);
}

/// A zstd frame with the Single_Segment flag and an 8-byte Frame_Content_Size of `fcs` (RFC
/// 8878 §3.1.1.1: no Window_Descriptor; the window is the content size), then `content` in raw
/// blocks. The size is what the header says, not `content`'s: a decoder that refuses the
/// window never reads on.
fn zstd_single_segment(fcs: u64, content: &[u8]) -> Vec<u8> {
    let raw = zstd_raw_frame(27, content);
    let mut out = vec![0x28, 0xB5, 0x2F, 0xFD, 0xE0];
    out.extend_from_slice(&fcs.to_le_bytes());
    out.extend_from_slice(raw.get(6..).unwrap_or_default());
    out
}

/// `xz` output whose every block's LZMA2 dictionary is set to `2^log2` bytes (xz file format
/// 1.0.4 §3.1, §5.3.1: property `2 * (log2 - 12)`), with each block header's CRC32 made good
/// again. The blocks' data is left as it was: a decoder that refuses the dictionary never
/// reads it. Only for `xz -c` output (one block per stream, no sizes in the header).
fn xz_with_dictionary(xz: &[u8], log2: u32) -> Vec<u8> {
    let mut out = xz.to_vec();
    // The stream header is 12 bytes; the block header follows, its size byte first.
    let size = (usize::from(out[12]) + 1) * 4;
    assert_eq!(out[13] & 0xC3, 0, "one filter, no sizes: {:x}", out[13]);
    assert_eq!(
        &out[14..16],
        &[0x21, 0x01],
        "the LZMA2 filter with one property byte"
    );
    out[16] = u8::try_from(2 * (log2 - 12)).expect("property");
    let mut crc = flate2::Crc::new();
    crc.update(&out[12..12 + size - 4]);
    out[12 + size - 4..12 + size].copy_from_slice(&crc.sum().to_le_bytes());
    out
}

/// An xz dictionary over the reader's bound (256 MiB, the zstd window's bound) is a `limit`
/// naming the dictionary and the bound, not a broken stream — in a layer's first stream or a
/// later one; a 128 MiB dictionary is within it. (Docker runs the `xz` program, which has no
/// memory limit by default.)
#[test]
fn an_xz_dictionary_over_the_bound_is_a_limit_not_damage() {
    let tar = layer_tar(&[("app/a.txt", b"hello\n".to_vec())]);
    let diff = Digest::of_bytes(&tar);
    let (head, rest) = tar.split_at(512);
    let plain = compress(Compression::Xz, &tar);
    let second = [
        compress(Compression::Xz, head),
        xz_with_dictionary(&compress(Compression::Xz, rest), 29),
    ]
    .concat();
    for (name, blob) in [
        ("dict-512m", xz_with_dictionary(&plain, 29)),
        ("dict-512m-second-stream", second),
    ] {
        let a = both(name, &image(&blob, &diff), &Options::default());
        let limits: Vec<_> = a
            .problems
            .iter()
            .filter(|p| p.kind == ProblemKind::Limit)
            .collect();
        assert_eq!(limits.len(), 1, "{name}: {:#?}", a.problems);
        assert!(
            !a.problems.iter().any(|p| p.kind == ProblemKind::Archive),
            "{name}: not damage: {:#?}",
            a.problems
        );
        let err = layer_error(&a);
        assert_eq!(
            err,
            Some(pancake_core::model::ReadError::WindowOverLimit {
                requested: 1 << 29,
                max: 256 << 20,
                compression: Compression::Xz,
            }),
            "{name}"
        );
        let text = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(
            text.contains("xz stream declares a dictionary of 536870912 bytes (512 MiB)"),
            "{text}"
        );
        assert!(!a.images[0].layers[0].verified, "{name}");
    }
    let a = both(
        "dict-128m",
        &image(&xz_with_dictionary(&plain, 27), &diff),
        &Options::default(),
    );
    assert_eq!(
        kinds(&a),
        containerd_fails(Compression::Xz),
        "{:#?}",
        a.problems
    );
    assert!(a.images[0].layers[0].verified);
}

/// A save compressed as a whole whose stream starts with a window (zstd) or dictionary (xz)
/// over the bound is refused with a typed error, the same from `open` and `read_stream`,
/// that says it is this reader's bound and whether `docker load` reads the file: a 512 MiB
/// zstd window and a 512 MiB xz dictionary it reads, a 1 GiB zstd window it refuses too.
#[test]
fn a_whole_file_over_the_window_bound_says_whether_docker_load_reads_it() {
    use pancake_core::Unreadable;
    let tar = layer_tar(&[("app/a.txt", b"hello\n".to_vec())]);
    let diff = Digest::of_bytes(&tar);
    let save = image(&tar, &diff);
    let refusal = |name: &str, bytes: &[u8]| {
        let opts = Options::default();
        let opened = open(name, bytes, &opts, &mut |_| {}).err();
        let streamed = read_stream(name, bytes, bytes.len() as u64, &opts, &mut |_| {}).err();
        let why = opened.as_ref().and_then(|e| e.unreadable());
        assert_eq!(
            why,
            streamed.as_ref().and_then(|e| e.unreadable()),
            "{name}"
        );
        (why, opened.map(|e| e.to_string()).unwrap_or_default())
    };
    // The format's largest window (descriptor 0xFF: 2^41 + 7 × 2^38 bytes, 3.75 TiB), which
    // ruzstd reports as a header error rather than its window error.
    let largest = {
        let mut f = zstd_raw_frame(29, &save);
        f[5] = 0xFF;
        f
    };
    let cases = [
        (
            "wmax.tar.zst",
            largest,
            (1 << 41) + 7 * (1 << 38),
            Compression::Zstd,
            false,
        ),
        // Single-segment frames (what `zstd --long=30` writes): the window is the content
        // size, which Go's streaming decoder checks against its 512 MiB window bound too.
        (
            "ss300m.tar.zst",
            zstd_single_segment(300 << 20, &save),
            300 << 20,
            Compression::Zstd,
            true,
        ),
        (
            "ss600m.tar.zst",
            zstd_single_segment(600 << 20, &save),
            600 << 20,
            Compression::Zstd,
            false,
        ),
        (
            "w.tar.zst",
            zstd_raw_frame(29, &save),
            1u64 << 29,
            Compression::Zstd,
            true,
        ),
        (
            "w1g.tar.zst",
            zstd_raw_frame(30, &save),
            1 << 30,
            Compression::Zstd,
            false,
        ),
        (
            "w.tar.xz",
            xz_with_dictionary(&compress(Compression::Xz, &save), 29),
            1 << 29,
            Compression::Xz,
            true,
        ),
    ];
    for (name, bytes, requested, compression, reads) in cases {
        let (why, text) = refusal(name, &bytes);
        assert_eq!(
            why,
            Some(Unreadable::WindowOverLimit {
                requested,
                max: 256 << 20,
                compression,
                docker_load_reads: reads,
            }),
            "{name}: {text}"
        );
        assert!(
            text.contains("a bound of this reader, not damage"),
            "{text}"
        );
        let docker = if reads {
            "(docker load reads it)"
        } else {
            "(docker load refuses it too)"
        };
        assert!(text.ends_with(docker), "{text}");
    }
}

/// A save compressed as a whole whose xz dictionary is over the bound: at the start, the
/// file is refused saying it is the reader's bound; after some members (a later stream),
/// those members are shown and one `limit` problem says why the rest is not, not a tar read
/// error or a download cut short.
#[test]
fn an_outer_xz_dictionary_over_the_bound_is_a_limit_too() {
    let tar = layer_tar(&[("app/a.txt", b"hello\n".to_vec())]);
    let diff = Digest::of_bytes(&tar);
    let save = image(&tar, &diff);
    let whole = xz_with_dictionary(&compress(Compression::Xz, &save), 29);
    let e = open("w.tar.xz", &whole, &Options::default(), &mut |_| {})
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("a bound of this reader, not damage"), "{e}");
    // The first member (the layer, 1.5 KB with its header) in a stream of its own, the rest
    // in a second stream whose dictionary is over the bound.
    let (head, rest) = save.split_at(2048);
    let split = [
        compress(Compression::Xz, head),
        xz_with_dictionary(&compress(Compression::Xz, rest), 29),
    ]
    .concat();
    let a = both("split.tar.xz", &split, &Options::default());
    assert_eq!(a.members.len(), 1, "{:#?}", a.members);
    let limits: Vec<&str> = a
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::Limit)
        .map(|p| p.detail.as_str())
        .collect();
    // The outer stream's, first (the member being read then and the image's files not
    // reached are said as not read too).
    assert!(
        limits
            .first()
            .is_some_and(|d| d.contains("dictionary of 536870912 bytes")
                && d.contains("the file is not read past it")
                && d.contains("not damage")),
        "{limits:#?}"
    );
    // Not damage, not a tar without its end, not missing blobs: what was not read is said
    // as not read.
    for kind in [
        ProblemKind::Archive,
        ProblemKind::TarQuirk,
        ProblemKind::MissingBlob,
        ProblemKind::LayerUnreadable,
    ] {
        assert!(
            !a.problems.iter().any(|p| p.kind == kind),
            "{kind:?}: {:#?}",
            a.problems
        );
    }
    // zstd: a second frame whose window is over the bound; the bytes after its header are
    // not taken for trailing data.
    let split = [compress(Compression::Zstd, head), zstd_raw_frame(29, rest)].concat();
    let a = both("split.tar.zst", &split, &Options::default());
    assert_eq!(a.members.len(), 1, "{:#?}", a.members);
    assert!(
        a.problems.iter().all(|p| p.kind == ProblemKind::Limit),
        "{:#?}",
        a.problems
    );
    // After the tar's end marker, which docker load stops at: a note of this bound only.
    let after = [
        compress(Compression::Xz, &save),
        xz_with_dictionary(&compress(Compression::Xz, b"more"), 29),
    ]
    .concat();
    let a = both("after.tar.xz", &after, &Options::default());
    let kinds: Vec<ProblemKind> = a.problems.iter().map(|p| p.kind).collect();
    assert_eq!(kinds, vec![ProblemKind::Limit], "{:#?}", a.problems);
    assert!(a.images[0].layers[0].verified);
}
