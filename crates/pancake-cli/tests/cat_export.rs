//! `pancake cat` and `pancake export-layer` on the shared fixtures. Expected bytes come from
//! Python's `tarfile` (an independent tar reader) and the fixtures' `.expected.json`
//! (diff_ids computed by Python's hashlib when the fixtures were made).

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn fixtures() -> PathBuf {
    match std::env::var_os("PANCAKE_FIXTURES") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures"),
    }
}

fn fixture(name: &str) -> String {
    fixtures().join(name).display().to_string()
}

fn pancake(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pancake"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run pancake: {e}"))
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The bytes of `path` in layer `layer` of the first image of `file`, read by Python's tarfile
/// (`manifest.json` names the layers; a hard link gives its target's bytes, as tarfile's
/// `extractfile` does).
fn python_bytes(file: &str, layer: usize, path: &str) -> Vec<u8> {
    let script = r#"
import io, json, sys, tarfile
outer = tarfile.open(sys.argv[1])
manifest = json.load(outer.extractfile("manifest.json"))
blob = outer.extractfile(manifest[0]["Layers"][int(sys.argv[2])]).read()
inner = tarfile.open(fileobj=io.BytesIO(blob))
sys.stdout.buffer.write(inner.extractfile(sys.argv[3]).read())
"#;
    let out = Command::new("python3")
        .args(["-c", script, file, &layer.to_string(), path])
        .output()
        .unwrap_or_else(|e| panic!("python3: {e}"));
    assert!(
        out.status.success(),
        "python3 failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn ok_stdout(args: &[&str]) -> Vec<u8> {
    let out = pancake(args);
    assert!(
        out.status.success(),
        "pancake {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn err_line(args: &[&str]) -> String {
    let out = pancake(args);
    assert!(!out.status.success(), "pancake {args:?} should fail");
    assert!(out.stdout.is_empty(), "pancake {args:?} wrote to stdout");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    err
}

/// docker20-save-app1: layer 0 is busybox (`bin/cat -> busybox`), layers 1 and 2 write
/// `data/hello.txt`, layer 5 makes it a hard link to `data/hello.hardlink` and adds
/// `data/hello.symlink -> /data/hello.txt` and `data/dangling -> ../nonexistent`. The same
/// image as gzip layers in podman-oci-archive-app1 and as a whole-file gzip.
#[test]
fn cat_gives_exact_bytes_following_links() {
    let plain = fixture("docker20-save-app1.tar");
    let busybox = python_bytes(&plain, 0, "bin/busybox");
    assert!(
        busybox.len() > 100_000,
        "busybox is {} bytes",
        busybox.len()
    );
    let hello_top = python_bytes(&plain, 5, "data/hello.txt");
    let hello_l1 = python_bytes(&plain, 1, "data/hello.txt");
    assert_ne!(hello_top, hello_l1, "layer 2 appends to it");
    for f in [
        "docker20-save-app1.tar",
        "podman-oci-archive-app1.tar",
        "docker20-save-app1.tar.gz",
    ] {
        let file = fixture(f);
        // A relative symlink, followed as a process in the container would.
        let cat = ok_stdout(&["cat", &file, "/bin/cat"]);
        assert_eq!(sha256_hex(&cat), sha256_hex(&busybox), "{f}: /bin/cat");
        // An absolute symlink to a hard link: the linked file's bytes; path without `/`.
        assert_eq!(
            ok_stdout(&["cat", &file, "data/hello.symlink"]),
            hello_top,
            "{f}"
        );
        assert_eq!(
            ok_stdout(&["cat", &file, "/data/hello.txt"]),
            hello_top,
            "{f}"
        );
        // The copy layer 1 stored, before layer 2 appended to it.
        assert_eq!(
            ok_stdout(&["cat", &file, "/data/hello.txt", "--layer", "1"]),
            hello_l1,
            "{f}"
        );
        let e = err_line(&["cat", &file, "/data/dangling"]);
        assert!(
            e.contains("/data/dangling is a symlink to ../nonexistent that dangles")
                && e.contains("no /nonexistent"),
            "{f}: {e}"
        );
        let e = err_line(&["cat", &file, "data/hello.txt", "--layer", "4"]);
        assert!(
            e.contains("layer 4 of image 0 does not add or modify /data/hello.txt")
                && e.contains("layer 2 last changed it"),
            "{f}: {e}"
        );
        let e = err_line(&["cat", &file, "/data"]);
        assert!(e.contains("/data is a directory"), "{f}: {e}");
        // A climbing path is said as typed, as cat says it, not as "/..".
        let e = err_line(&["cat", &file, ".."]);
        assert!(e.contains(": .. is a directory"), "{f}: {e}");
        let e = err_line(&["cat", &file, "data/.."]);
        assert!(e.contains(": data/.. is a directory"), "{f}: {e}");
        let e = err_line(&["cat", &file, "/no/such"]);
        assert!(e.contains("no such file or directory: /no"), "{f}: {e}");
        let e = err_line(&["cat", &file, "/bin/cat", "--image", "1"]);
        assert!(e.contains("no image 1 (the archive has 1"), "{f}: {e}");
        let e = err_line(&["cat", &file, "/bin/cat", "--layer", "6"]);
        assert!(e.contains("image 0 has no layer 6 (it has 6"), "{f}: {e}");
    }
}

/// Hard links inside busybox's layer (dive's test image): each name gives the bytes of `bin/[`.
#[test]
fn cat_hard_link_gives_its_targets_bytes() {
    let file = fixture("fixture_dive_test-docker-image.tar");
    let want = python_bytes(&file, 0, "bin/[");
    assert!(want.len() > 1_000_000);
    for p in ["bin/[", "/bin/cat", "bin/busybox"] {
        assert_eq!(
            sha256_hex(&ok_stdout(&["cat", &file, p])),
            sha256_hex(&want),
            "{p}"
        );
    }
}

fn expected_diff_ids(name: &str) -> Vec<String> {
    let p = fixtures().join(format!("{name}.expected.json"));
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let images = v
        .get("images")
        .or_else(|| v.get("oci_index_images"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let first = images.first().cloned().unwrap_or(Value::Null);
    first["layers"]
        .as_array()
        .map(|ls| {
            ls.iter()
                .filter_map(|l| l["diff_id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Every layer exported hashes to the diff_id Python computed: uncompressed layers, gzip
/// layers, zstd layers, estargz (many gzip members) and a whole-file gzip save.
#[test]
fn export_layer_hashes_to_the_diff_id() {
    for f in [
        "docker20-save-app1.tar",
        "docker20-save-app1.tar.gz",
        "podman-oci-archive-app1.tar",
        "fixture_dive_test-oci-zstd-image.tar",
        "fixture_dive_test-oci-estargz-image.tar",
        "fixture_dive_test-oci-gzip-image.tar",
    ] {
        let want = expected_diff_ids(f);
        assert!(!want.is_empty(), "{f}: no expected layers");
        let file = fixture(f);
        for (i, d) in want.iter().enumerate() {
            let tar = ok_stdout(&["export-layer", &file, &i.to_string()]);
            assert_eq!(format!("sha256:{}", sha256_hex(&tar)), *d, "{f} layer {i}");
        }
        let e = err_line(&["export-layer", &file, &want.len().to_string()]);
        assert!(
            e.contains(&format!("has no layer {}", want.len())),
            "{f}: {e}"
        );
    }
}

#[test]
fn export_layer_of_a_missing_blob_says_so() {
    let file = fixture("malformed-missing-layer-docker20.tar");
    let doc: Value = serde_json::from_slice(&pancake(&["inspect", "--json", &file]).stdout)
        .unwrap_or_else(|e| panic!("{e}"));
    let layers = doc["images"][0]["layers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let missing = layers
        .iter()
        .position(|l| l["verification"] == "missing")
        .unwrap_or_else(|| panic!("no missing layer"));
    let e = err_line(&["export-layer", &file, &missing.to_string()]);
    assert!(
        e.contains(&format!("layer {missing} of image 0 is not in the archive")),
        "{e}"
    );
}

/// Alpine (a whole-file gzip save): `usr/lib/libcrypto.so.1.1 -> ../../lib/libcrypto.so.1.1`,
/// followed in the merged view and with `--layer 0`, gives Python's bytes of the target.
#[test]
fn cat_follows_relative_links_in_a_compressed_save() {
    let file = fixture("fixture_trivy_alpine-310.tar.gz");
    let want = python_bytes(&file, 0, "lib/libcrypto.so.1.1");
    assert!(want.len() > 1_000_000);
    for extra in [&[][..], &["--layer", "0"][..]] {
        let mut args = vec!["cat", file.as_str(), "usr/lib/libcrypto.so.1.1"];
        args.extend_from_slice(extra);
        assert_eq!(
            sha256_hex(&ok_stdout(&args)),
            sha256_hex(&want),
            "{extra:?}"
        );
    }
}

/// A 48 MiB file in a gzip layer (made here: numbered lines of a xorshift stream, the layer
/// gzip-compressed by flate2): `pancake cat` streams it re-inflated, byte for byte; its hard
/// link gives the same bytes, and so does the save compressed whole.
#[test]
fn cat_streams_a_big_file_of_a_gzip_layer() {
    use pancake_core::write::tarwrite::{self, Descriptor, SaveImage, TarEntry};
    use pancake_core::Digest;
    use std::io::Write;

    let gzip = |bytes: &[u8]| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(bytes).expect("gzip");
        e.finish().expect("gzip")
    };
    let mut big = Vec::with_capacity(48 << 20);
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut line = 0u64;
    while big.len() < 48 << 20 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let _ = writeln!(big, "{line:09} {x:016x}");
        line += 1;
    }
    big.truncate(48 << 20);
    let tar = tarwrite::layer_tar(vec![
        TarEntry::file("data/big.bin", big.clone(), 0o644),
        TarEntry::hardlink("data/big.link", "data/big.bin"),
    ])
    .expect("layer");
    let blob = gzip(&tar);
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [Digest::of_bytes(&tar)]},
    }))
    .expect("config");
    let image = SaveImage {
        tags: vec!["big:1".into()],
        config,
        layers: vec![Descriptor {
            media_type: "application/vnd.oci.image.layer.v1.tar+gzip".into(),
            digest: Digest::of_bytes(&blob),
            size: blob.len() as u64,
        }],
    };
    let save = tarwrite::write_docker_save(Vec::new(), &[image], &mut |_| {
        Ok(Box::new(std::io::Cursor::new(blob.clone())))
    })
    .expect("save");
    let dir = std::env::temp_dir().join(format!("pancake-cat-big-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let plain = dir.join("big.tar");
    let whole = dir.join("big.tar.gz");
    std::fs::write(&plain, &save).expect("write");
    std::fs::write(&whole, gzip(&save)).expect("write");
    let want = sha256_hex(&big);
    for file in [&plain, &whole] {
        let f = file.display().to_string();
        for path in ["data/big.bin", "/data/big.link"] {
            let got = ok_stdout(&["cat", &f, path]);
            assert_eq!(got.len(), big.len(), "{f} {path}");
            assert_eq!(sha256_hex(&got), want, "{f} {path}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A one-layer save (made here) of `tar`, its layer stored as `blob`, written to a temp file
/// named `name`.
fn save_of(name: &str, tar: &[u8], blob: &[u8], media_type: &str) -> PathBuf {
    use pancake_core::write::tarwrite::{self, Descriptor, SaveImage};
    use pancake_core::Digest;
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [Digest::of_bytes(tar)]},
    }))
    .expect("config");
    let image = SaveImage {
        tags: vec!["t:1".into()],
        config,
        layers: vec![Descriptor {
            media_type: media_type.into(),
            digest: Digest::of_bytes(blob),
            size: blob.len() as u64,
        }],
    };
    let save = tarwrite::write_docker_save(Vec::new(), &[image], &mut |_| {
        Ok(Box::new(std::io::Cursor::new(blob.to_vec())))
    })
    .expect("save");
    let dir = std::env::temp_dir().join(format!("pancake-cat-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join(name);
    std::fs::write(&p, save).expect("write");
    p
}

fn gzip_fast(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip")
}

/// A ustar header block (`typeflag`, `size`, hard-link `target`), checksummed.
fn ustar(name: &[u8], typeflag: u8, size: u64, target: &[u8]) -> Vec<u8> {
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
    put(157, target);
    put(257, b"ustar\0");
    put(263, b"00");
    put(148, b"        ");
    let sum: u32 = b.iter().map(|c| u32::from(*c)).sum();
    b[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    b.to_vec()
}

fn padded(data: &[u8]) -> Vec<u8> {
    let mut v = data.to_vec();
    v.resize(data.len().div_ceil(512) * 512, 0);
    v
}

/// A layer with `a` (1 MiB), then `b` hard-linked to `a`, then `a` again (10 bytes), plain
/// and gzip: `pancake cat FILE b` is the first `a`'s 1 MiB, byte for byte; `cat a` the second.
#[test]
fn cat_of_a_hard_link_to_a_name_overwritten_later_gives_the_first_copy() {
    let first: Vec<u8> = (0..1u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let mut tar = Vec::new();
    tar.extend(ustar(b"a", b'0', first.len() as u64, b""));
    tar.extend(padded(&first));
    tar.extend(ustar(b"b", b'1', 0, b"a"));
    tar.extend(ustar(b"a", b'0', 10, b""));
    tar.extend(padded(b"second a\n\n"));
    tar.extend([0u8; 1024]);
    let gz = gzip_fast(&tar);
    for (name, blob, media) in [
        (
            "link-plain.tar",
            tar.clone(),
            "application/vnd.oci.image.layer.v1.tar",
        ),
        (
            "link-gzip.tar",
            gz,
            "application/vnd.oci.image.layer.v1.tar+gzip",
        ),
    ] {
        let p = save_of(name, &tar, &blob, media);
        let f = p.display().to_string();
        let b = ok_stdout(&["cat", &f, "b"]);
        assert_eq!(b.len(), first.len(), "{name}");
        assert_eq!(sha256_hex(&b), sha256_hex(&first), "{name}");
        assert_eq!(ok_stdout(&["cat", &f, "/a"]), b"second a\n\n", "{name}");
        let _ = std::fs::remove_file(&p);
    }
}

/// A save of a few KB whose one sparse entry claims 1 EiB (PAX `GNU.sparse.size`): `pancake
/// cat` to a pipe fails at once with one line naming the member, the path and the claimed
/// size, having written nothing (before the fix it wrote zeros for ever).
#[test]
fn cat_of_a_sparse_file_claiming_an_exbibyte_is_refused() {
    let claim: u64 = 1 << 60;
    let pax: Vec<u8> = [
        ("GNU.sparse.size", claim.to_string()),
        ("GNU.sparse.numblocks", "1".to_string()),
        ("GNU.sparse.offset", "0".to_string()),
        ("GNU.sparse.numbytes", "5".to_string()),
    ]
    .iter()
    .flat_map(|(k, v)| {
        let body = 1 + k.len() + 1 + v.len() + 1;
        let mut n = body + 1;
        while n.to_string().len() + body != n {
            n += 1;
        }
        format!("{n} {k}={v}\n").into_bytes()
    })
    .collect();
    let mut tar = Vec::new();
    tar.extend(ustar(b"PaxHeaders/huge", b'x', pax.len() as u64, b""));
    tar.extend(padded(&pax));
    tar.extend(ustar(b"huge.img", b'0', 5, b""));
    tar.extend(padded(b"hello"));
    tar.extend([0u8; 1024]);
    for (name, blob, media) in [
        (
            "sparse-plain.tar",
            tar.clone(),
            "application/vnd.oci.image.layer.v1.tar",
        ),
        (
            "sparse-gzip.tar",
            gzip_fast(&tar),
            "application/vnd.oci.image.layer.v1.tar+gzip",
        ),
    ] {
        let p = save_of(name, &tar, &blob, media);
        assert!(std::fs::metadata(&p).expect("save").len() < 16 << 10);
        let f = p.display().to_string();
        let started = std::time::Instant::now();
        let err = err_line(&["cat", &f, "huge.img"]);
        assert!(
            started.elapsed().as_secs() < 10,
            "{name}: {:?}",
            started.elapsed()
        );
        assert!(err.contains("huge.img"), "{name}: {err}");
        assert!(err.contains(&claim.to_string()), "{name}: {err}");
        assert!(err.contains("blobs/sha256/"), "{name}: {err}");
        let _ = std::fs::remove_file(&p);
    }
}

/// A file the image's missing layer 4 deletes (`rm /data/b.txt`): `cat` finds the copy below
/// the gap, gives it, and fails naming the layer it could not read, which may delete or
/// rewrite it (it gave the stale file with success before). A file with no gap above it is
/// given with success.
#[test]
fn cat_under_a_missing_layer_gives_the_bytes_then_says_they_may_not_be_the_images() {
    let f = fixture("malformed-missing-layer-docker20.tar");
    let o = pancake(&["cat", &f, "/data/b.txt"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{stderr}");
    assert_eq!(o.stdout, b"to be deleted\n");
    assert!(
        stderr.contains("the bytes shown may not be the image's file: layer 3 (3350047c593256fecda70fff63634217b279b8eef50e010b6ee7e5e0b2715e8b/layer.tar): the blob is not in the archive"),
        "{stderr}"
    );
    // `--layer 1`: the copy layer 1 stores, which no layer up to it can change: no doubt.
    let o = pancake(&["cat", &f, "/data/b.txt", "--layer", "1"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(o.stdout, b"to be deleted\n");
}

/// A layer whose bytes do not match its diff_id (one byte flipped in the file): `cat` of a
/// file in it and `export-layer` of it give the bytes the file holds, then fail naming the
/// claim that failed.
#[test]
fn bytes_from_a_layer_that_fails_its_digest_are_given_then_said_to_fail() {
    let f = fixture("malformed-corrupt-layer-byte-docker20.tar");
    let doc: serde_json::Value =
        serde_json::from_slice(&pancake(&["inspect", "--json", &f]).stdout)
            .unwrap_or_else(|e| panic!("{e}"));
    let layers = doc["images"][0]["layers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let bad = layers
        .iter()
        .position(|l| l["verification"] == "mismatch")
        .unwrap_or_else(|| panic!("no mismatched layer: {doc}"));
    let o = pancake(&["export-layer", &f, &bad.to_string()]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{stderr}");
    assert!(!o.stdout.is_empty());
    assert!(
        stderr.contains(&format!("image 0 layer {bad} ("))
            && stderr.contains("is not the layer the image claims: its diff_id is sha256:"),
        "{stderr}"
    );
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
}

/// A gzip layer whose stream fails its checksum: its tar was never read whole, so its size is
/// unknown (`null`), not the bytes the damaged stream gave (1,994,247 against the tar's
/// 1,994,240), as the README's `size` row says.
#[test]
fn an_unreadable_layer_has_no_size() {
    let f = fixture("malformed-oci-archive-corrupt-gzip-layer.tar");
    let doc: serde_json::Value =
        serde_json::from_slice(&pancake(&["inspect", "--json", &f]).stdout)
            .unwrap_or_else(|e| panic!("{e}"));
    let l = &doc["images"][0]["layers"][0];
    assert_eq!(l["verification"], "unreadable", "{l}");
    assert_eq!(l["size"], serde_json::Value::Null, "{l}");
}

/// A layer whose descriptor in the manifest gives a wrong size (512 bytes more than its blob)
/// but whose tar is the one the config names: `inspect` says the sizes differ, and
/// `export-layer` and `cat` give the image's bytes and succeed — only a diff_id that differs
/// makes them doubt (`gaps::mismatch_line`).
#[test]
fn a_wrong_descriptor_size_alone_leaves_export_and_cat_succeeding() {
    use pancake_core::write::tarwrite::{TarEntry, TarWriter};
    use pancake_core::Digest;
    let mut tar = Vec::new();
    tar.extend(ustar(b"hello.txt", b'0', 6, b""));
    tar.extend(padded(b"hello\n"));
    tar.extend([0u8; 1024]);
    let layer = Digest::of_bytes(&tar);
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [layer]},
    }))
    .expect("config");
    let wrong = tar.len() as u64 + 512;
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": Digest::of_bytes(&config), "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                    "digest": layer, "size": wrong}],
    }))
    .expect("manifest");
    let index = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "digest": Digest::of_bytes(&manifest), "size": manifest.len()}],
    }))
    .expect("index");
    let mut w = TarWriter::new(Vec::new());
    let blob = |b: &[u8]| format!("blobs/sha256/{}", Digest::of_bytes(b).hex());
    for (path, bytes) in [
        (
            "oci-layout".to_string(),
            br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
        ),
        ("index.json".into(), index),
        (blob(&manifest), manifest.clone()),
        (blob(&config), config.clone()),
        (blob(&tar), tar.clone()),
    ] {
        w.add(&TarEntry::file(path.as_str(), bytes, 0o644))
            .expect("entry");
    }
    let dir = std::env::temp_dir().join(format!("pancake-cat-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join("wrong-size.tar");
    std::fs::write(&p, w.finish().expect("tar")).expect("write");
    let f = p.display().to_string();

    let doc: serde_json::Value =
        serde_json::from_slice(&pancake(&["inspect", "--json", &f]).stdout)
            .unwrap_or_else(|e| panic!("{e}"));
    let said = doc.to_string();
    let l = &doc["images"][0]["layers"][0];
    assert_eq!(l["diff_id"], layer.to_string(), "{said}");
    assert_eq!(l["verification"], "mismatch", "{said}");
    assert_eq!(l["stored_size"], tar.len() as u64, "{said}");
    let problems = doc["problems"].as_array().cloned().unwrap_or_default();
    assert!(
        problems.iter().any(|p| p["kind"] == "digest-mismatch"
            && p["origin"]["layer"] == 0
            && p["member"] == format!("blobs/sha256/{}", layer.hex())),
        "the size disagreement is not said: {said}"
    );
    let o = pancake(&["export-layer", &f, "0"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(o.stdout, tar);
    assert_eq!(ok_stdout(&["cat", &f, "/hello.txt"]), b"hello\n");
    let _ = std::fs::remove_file(&p);
}

/// A name that is not UTF-8 may be given as its raw bytes (`"$(printf 'caf\xe8.txt')"`), not
/// only in the escaped form `ls` prints: `cat` gives the same bytes both ways, and `find`
/// finds it (clap refused raw bytes: "invalid UTF-8 was detected").
#[cfg(unix)]
#[test]
fn a_non_utf8_name_may_be_given_as_raw_bytes() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let f = fixtures()
        .join("../field/non-utf8-pax-name.tar")
        .display()
        .to_string();
    let raw = |args: &[&[u8]]| {
        Command::new(env!("CARGO_BIN_EXE_pancake"))
            .args(args.iter().map(|a| OsStr::from_bytes(a)))
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let escaped = ok_stdout(&["cat", &f, "data/caf\\xe8.txt"]);
    assert_eq!(escaped.len(), 22);
    let o = raw(&[b"cat", f.as_bytes(), b"data/caf\xe8.txt"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(o.stdout, escaped);
    let o = raw(&[b"find", f.as_bytes(), b"caf\xe8"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success() && out.contains("data/caf\\xe8.txt"),
        "{out}"
    );
    assert!(!out.contains("café"), "{out}");
}
