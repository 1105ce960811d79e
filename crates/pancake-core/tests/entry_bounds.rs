//! Every read of a file's bytes stays inside the file's data inside its layer member: a
//! sparse entry whose map needs more stored bytes than the entry holds (every sparse
//! dialect: old GNU 'S', PAX 0.0, 0.1, 1.0), one whose map leaves stored bytes unused (Go's
//! "unreferenced data"), and a regular file whose layer is cut inside its data are each a
//! typed `EntryData` error naming the member and the entry — from `write_content` (`pancake
//! cat`, the page's save), `read_content` (the page's file view) and `contents::digests` (the
//! page's comparisons) — and never the next entry's or the next member's bytes. The walk
//! lists a map that disagrees with its stored bytes as an `unpack-fails` problem of the entry.
//! The tars are built here byte by byte; each ends with a secret the reads must not give.
//! Also: a save re-tarred with `tar --sparse` (its layer blob an outer sparse member) is
//! listed under the blob's real name with a typed `SparseMember` read error, never as a
//! missing blob or a digest mismatch.

use std::io::{Cursor, Write};

use pancake_core::analyze::union::{self, ContentRef};
use pancake_core::read::archive::scan;
use pancake_core::read::archive::{read_content, read_stream, Options};
use pancake_core::read::contents;
use pancake_core::read::export::{write_content, ExportError};
use pancake_core::write::tarwrite::{self, Descriptor, SaveImage};
use pancake_core::{
    Archive, Digest, Error, Limits, ProblemKind, RawPath, ReadError, SparseFormat, StoredMismatch,
};

const SECRET: &[u8] = b"TOP SECRET CONTENT OF ANOTHER FILE\n";

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use flate2::{write::GzEncoder, Compression as Level};
    let mut e = GzEncoder::new(Vec::new(), Level::fast());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip")
}

/// A Docker 25+ save of one image whose one layer is `blob` (its diff_id: of `tar`).
fn save(tar: &[u8], blob: &[u8]) -> Vec<u8> {
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [Digest::of_bytes(tar)]},
        "secret": String::from_utf8_lossy(SECRET),
    }))
    .expect("config");
    let image = SaveImage {
        tags: vec!["bounds:1".into()],
        config,
        layers: vec![Descriptor {
            media_type: "application/vnd.oci.image.layer.v1.tar".into(),
            digest: Digest::of_bytes(blob),
            size: blob.len() as u64,
        }],
    };
    let blob = blob.to_vec();
    tarwrite::write_docker_save(Vec::new(), &[image], &mut |_| {
        Ok(Box::new(Cursor::new(blob.clone())))
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

fn octal(n: u64, w: usize) -> Vec<u8> {
    format!("{:0w$o}\0", n, w = w - 1).into_bytes()
}

fn checksum(b: &mut [u8]) {
    b[148..156].copy_from_slice(b"        ");
    let sum: u32 = b.iter().map(|c| u32::from(*c)).sum();
    b[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
}

/// A ustar header block for `name` (`typeflag`, `size` bytes of data).
fn header(name: &[u8], typeflag: u8, size: u64) -> Vec<u8> {
    let mut b = vec![0u8; 512];
    let mut put = |at: usize, v: &[u8]| b[at..at + v.len()].copy_from_slice(v);
    put(0, name);
    put(100, &octal(0o644, 8));
    put(108, &octal(0, 8));
    put(116, &octal(0, 8));
    put(124, &octal(size, 12));
    put(136, &octal(1_714_557_600, 12));
    put(156, &[typeflag]);
    put(257, b"ustar\0");
    put(263, b"00");
    checksum(&mut b);
    b
}

/// An old GNU sparse ('S') header: `stored` data bytes, apparent size `real`, up to four
/// regions in the header.
fn gnu_sparse_header(name: &[u8], stored: u64, real: u64, regions: &[(u64, u64)]) -> Vec<u8> {
    let mut b = header(name, b'S', stored);
    b[257..265].copy_from_slice(b"ustar  \0");
    for (i, (off, len)) in regions.iter().enumerate() {
        let at = 386 + 24 * i;
        b[at..at + 12].copy_from_slice(&octal(*off, 12));
        b[at + 12..at + 24].copy_from_slice(&octal(*len, 12));
    }
    b[483..495].copy_from_slice(&octal(real, 12));
    checksum(&mut b);
    b
}

/// A layer tar holding the sparse file `name` of apparent size `real` in `dialect`, whose
/// map is `regions` and whose entry stores `data`; then (when `secret_after`) `secret.txt`.
fn sparse_layer(
    dialect: &str,
    name: &str,
    real: u64,
    regions: &[(u64, u64)],
    data: &[u8],
    secret_after: bool,
) -> Vec<u8> {
    let mut tar = sparse_member(dialect, name, real, regions, data);
    if secret_after {
        tar.extend(header(b"secret.txt", b'0', SECRET.len() as u64));
        tar.extend(pad(SECRET));
    }
    tar.extend([0u8; 1024]);
    tar
}

/// The headers and data of one sparse member `name` in `dialect` (PAX 0.1 and 1.0 under
/// GNU tar's `GNUSparseFile.0/…` header name, the real one in `GNU.sparse.name`).
fn sparse_member(
    dialect: &str,
    name: &str,
    real: u64,
    regions: &[(u64, u64)],
    data: &[u8],
) -> Vec<u8> {
    let mut tar = Vec::new();
    let pax = |records: Vec<(&str, String)>| -> Vec<u8> {
        let body: Vec<u8> = records.iter().flat_map(|(k, v)| pax_record(k, v)).collect();
        let mut out = header(b"PaxHeaders/x", b'x', body.len() as u64);
        out.extend(pad(&body));
        out
    };
    let map: Vec<String> = regions
        .iter()
        .flat_map(|(o, l)| [o.to_string(), l.to_string()])
        .collect();
    match dialect {
        "gnu-S" => {
            tar.extend(gnu_sparse_header(
                name.as_bytes(),
                data.len() as u64,
                real,
                regions,
            ));
            tar.extend(pad(data));
        }
        "pax-0.0" => {
            let mut records = vec![
                ("GNU.sparse.size", real.to_string()),
                ("GNU.sparse.numblocks", regions.len().to_string()),
            ];
            for (o, l) in regions {
                records.push(("GNU.sparse.offset", o.to_string()));
                records.push(("GNU.sparse.numbytes", l.to_string()));
            }
            tar.extend(pax(records));
            tar.extend(header(name.as_bytes(), b'0', data.len() as u64));
            tar.extend(pad(data));
        }
        "pax-0.1" => {
            tar.extend(pax(vec![
                ("GNU.sparse.size", real.to_string()),
                ("GNU.sparse.numblocks", regions.len().to_string()),
                ("GNU.sparse.name", name.into()),
                ("GNU.sparse.map", map.join(",")),
            ]));
            tar.extend(header(b"GNUSparseFile.0/x", b'0', data.len() as u64));
            tar.extend(pad(data));
        }
        "pax-1.0" => {
            tar.extend(pax(vec![
                ("GNU.sparse.major", "1".into()),
                ("GNU.sparse.minor", "0".into()),
                ("GNU.sparse.name", name.into()),
                ("GNU.sparse.realsize", real.to_string()),
            ]));
            let mut body = format!("{}\n{}\n", regions.len(), map.join("\n")).into_bytes();
            body = pad(&body);
            body.extend_from_slice(data);
            tar.extend(header(b"GNUSparseFile.0/x", b'0', body.len() as u64));
            tar.extend(pad(&body));
        }
        other => panic!("no dialect {other}"),
    }
    tar
}

const DIALECTS: [&str; 4] = ["gnu-S", "pax-0.0", "pax-0.1", "pax-1.0"];

/// The `unpack-fails` problems of entry `path`, less the one every old GNU 'S' entry has (its
/// tar type, which Docker's unpacking refuses): those its map and stored bytes earn.
fn map_problems(a: &Archive, dialect: &str, path: &str) -> usize {
    let all = a
        .problems
        .iter()
        .filter(|p| {
            p.kind == ProblemKind::UnpackFails
                && p.origin.entry.as_deref() == Some(path)
                && p.origin.member.is_some()
        })
        .count();
    all - usize::from(dialect == "gnu-S")
}

/// The content reference of `path` in the only image's top layer.
fn content_of(a: &Archive, path: &str) -> ContentRef {
    let img = a.images.first().expect("an image");
    union::content_of(a, img, img.layers.len() - 1, &RawPath::from_typed(path))
        .unwrap_or_else(|| panic!("no {path}"))
}

/// Every reader of `path`'s bytes refuses it with `EntryData { mismatch: want }` naming the
/// layer member and the path; nothing is written, and no read gives the secret.
fn refused_everywhere(label: &str, file: &[u8], path: &str, want: StoredMismatch) {
    let a = read(label, file);
    let c = content_of(&a, path);
    let member = c.member.expect("stored");
    let shown = a.members[member].path.display().into_owned();
    let check = |how: &str, e: &Error| match e {
        Error::EntryData {
            name,
            member: m,
            path: p,
            mismatch,
        } => {
            assert_eq!(name, label, "{label} {how}");
            assert_eq!(m, &shown, "{label} {how}");
            assert_eq!(p, path, "{label} {how}");
            assert_eq!(*mismatch, want, "{label} {how}");
        }
        other => panic!("{label} {how}: expected EntryData, got {other:?}"),
    };
    let mut out = Vec::new();
    match write_content(&file.to_vec(), &a, &c, &Limits::default(), &mut out) {
        Err(ExportError::Read(e)) => check("write_content", &e),
        other => panic!("{label}: expected EntryData, got {other:?}"),
    }
    assert!(out.is_empty(), "{label}: {} bytes written", out.len());
    match read_content(file, &a, &c, usize::MAX) {
        Err(e) => check("read_content", &e),
        Ok(bytes) => panic!("{label}: read_content gave {} bytes", bytes.len()),
    }
    match contents::digests(file, &a, std::slice::from_ref(&c), &Limits::default()) {
        Err(e) => check("digests", &e),
        Ok(d) => panic!("{label}: digests gave {d:?}"),
    }
}

/// A map that needs 3000 stored bytes over an entry of 100, in every dialect, the entry
/// followed by a secret in the layer (or last in the layer, the save's metadata after it):
/// listed with an `unpack-fails` problem naming the entry; every read refused, plain layer
/// or gzip; the secret file itself still reads.
#[test]
fn a_sparse_map_needing_more_than_the_entry_holds_is_refused_in_every_dialect() {
    for dialect in DIALECTS {
        for secret_after in [true, false] {
            let tar = sparse_layer(
                dialect,
                "short",
                3000,
                &[(0, 3000)],
                &[b'd'; 100],
                secret_after,
            );
            for (kind, blob) in [("plain", tar.clone()), ("gzip", gzip(&tar))] {
                let label = format!("{dialect}-{kind}-{secret_after}");
                let file = save(&tar, &blob);
                let a = read(&label, &file);
                assert_eq!(
                    map_problems(&a, dialect, "short"),
                    1,
                    "{label}: {:?}",
                    a.problems
                );
                assert!(a.images[0].layers[0].diff_id.is_some(), "{label}");
                refused_everywhere(
                    &label,
                    &file,
                    "short",
                    StoredMismatch::MapNeedsMore {
                        map: 3000,
                        stored: 100,
                    },
                );
                if secret_after {
                    let c = content_of(&a, "secret.txt");
                    let mut out = Vec::new();
                    write_content(&file, &a, &c, &Limits::default(), &mut out)
                        .unwrap_or_else(|e| panic!("{label}: {e}"));
                    assert_eq!(out, SECRET, "{label}");
                }
            }
        }
    }
}

/// A map that uses 10 of the 1000 bytes the entry stores (Go's "unreferenced data", which
/// fails `docker load`): an `unpack-fails` problem, every read refused.
#[test]
fn a_sparse_map_leaving_stored_bytes_unused_is_refused() {
    for dialect in DIALECTS {
        let tar = sparse_layer(dialect, "long", 4096, &[(0, 10)], &[b'e'; 1000], true);
        for (kind, blob) in [("plain", tar.clone()), ("gzip", gzip(&tar))] {
            let label = format!("{dialect}-{kind}");
            let file = save(&tar, &blob);
            let a = read(&label, &file);
            assert_eq!(
                map_problems(&a, dialect, "long"),
                1,
                "{label}: {:?}",
                a.problems
            );
            refused_everywhere(
                &label,
                &file,
                "long",
                StoredMismatch::Unreferenced {
                    map: 10,
                    stored: 1000,
                },
            );
        }
    }
}

/// A sparse map whose regions add up to the stored bytes still reads, in every dialect,
/// with no problem: holes are zeros.
#[test]
fn a_sparse_map_that_fits_its_stored_bytes_reads() {
    let data: Vec<u8> = (0..1500u32).map(|i| (i % 251) as u8 + 1).collect();
    let mut want = vec![0u8; 8192];
    want[100..1100].copy_from_slice(&data[..1000]);
    want[5000..5500].copy_from_slice(&data[1000..]);
    for dialect in DIALECTS {
        let tar = sparse_layer(
            dialect,
            "ok",
            8192,
            &[(100, 1000), (5000, 500)],
            &data,
            true,
        );
        for (kind, blob) in [("plain", tar.clone()), ("gzip", gzip(&tar))] {
            let label = format!("{dialect}-{kind}");
            let file = save(&tar, &blob);
            let a = read(&label, &file);
            assert_eq!(
                map_problems(&a, dialect, "ok"),
                0,
                "{label}: {:?}",
                a.problems
            );
            let c = content_of(&a, "ok");
            let mut out = Vec::new();
            write_content(&file, &a, &c, &Limits::default(), &mut out)
                .unwrap_or_else(|e| panic!("{label}: {e}"));
            assert!(out == want, "{label}: write_content");
            let got =
                read_content(&file, &a, &c, usize::MAX).unwrap_or_else(|e| panic!("{label}: {e}"));
            assert!(got == want, "{label}: read_content");
            let d = contents::digests(&file, &a, &[c], &Limits::default())
                .unwrap_or_else(|e| panic!("{label}: {e}"));
            assert_eq!(d, vec![Some(Digest::of_bytes(&want))], "{label}");
        }
    }
}

/// A regular file of 5000 bytes in an uncompressed layer cut 100 bytes into its data, the
/// save's metadata (with a secret) after the blob: the layer is unreadable, and reading the
/// file is refused as `Truncated { got: 100, need: 5000 }` — never the next member's bytes.
/// The same layer gzip-compressed and cut ends early as it always did.
#[test]
fn a_file_cut_by_the_end_of_its_layer_is_refused_not_read_past_it() {
    let big = vec![b'r'; 5000];
    let mut tar = header(b"big.txt", b'0', big.len() as u64);
    tar.extend(pad(&big));
    tar.extend([0u8; 1024]);
    let cut = tar[..512 + 100].to_vec();
    let file = save(&tar, &cut);
    let a = read("cut.tar", &file);
    assert!(
        a.problems
            .iter()
            .any(|p| p.kind == ProblemKind::LayerUnreadable),
        "{:?}",
        a.problems
    );
    refused_everywhere(
        "cut.tar",
        &file,
        "big.txt",
        StoredMismatch::Truncated {
            got: 100,
            need: 5000,
        },
    );
    let gz = gzip(&tar);
    let file = save(&tar, &gz[..gz.len() / 2]);
    let a = read("cut-gz.tar", &file);
    if let Some(c) = a
        .images
        .first()
        .and_then(|img| union::content_of(&a, img, 0, &RawPath::from_typed("big.txt")))
    {
        let mut out = Vec::new();
        match write_content(&file, &a, &c, &Limits::default(), &mut out) {
            Err(ExportError::ContentEndsEarly { .. } | ExportError::Decode(_)) => {}
            other => panic!("expected an early end, got {other:?}"),
        }
        assert!(out.iter().all(|b| *b == b'r'), "only the file's bytes");
    }
}

/// A save whose layer blob is re-stored as an outer sparse member in each dialect (one data
/// region holding the whole blob, a hole after it, as `tar --sparse` writes a blob that
/// ends in zeros): the member is listed under the blob's real name with
/// `ReadError::SparseMember` of its format and a `layer-unreadable` problem naming it; no
/// `missing-blob` and no `digest-mismatch` claim, whether read in full or scanned.
#[test]
fn an_outer_sparse_member_is_named_and_typed_never_called_missing_or_changed() {
    let tar = sparse_layer("pax-0.0", "ok", 10, &[(0, 1)], b"x", true);
    let plain = save(&tar, &tar);
    let blob_name = format!("blobs/sha256/{}", Digest::of_bytes(&tar).hex());
    for (dialect, format) in [
        ("gnu-S", SparseFormat::OldGnu),
        ("pax-0.0", SparseFormat::Pax00),
        ("pax-0.1", SparseFormat::Pax01),
        ("pax-1.0", SparseFormat::Pax10),
    ] {
        let mut outer = Vec::new();
        let mut members = tar::Archive::new(plain.as_slice());
        for m in members.entries().expect("entries") {
            let mut m = m.expect("member");
            let path = m.path_bytes().into_owned();
            let mut data = Vec::new();
            std::io::Read::read_to_end(&mut m, &mut data).expect("data");
            if m.header().entry_type().is_dir() {
                outer.extend(header(&path, b'5', 0));
            } else if path == blob_name.as_bytes() {
                let real = data.len() as u64 + 4096;
                outer.extend(sparse_member(
                    dialect,
                    &blob_name,
                    real,
                    &[(0, data.len() as u64), (real, 0)],
                    &data,
                ));
            } else {
                outer.extend(header(&path, b'0', data.len() as u64));
                outer.extend(pad(&data));
            }
        }
        outer.extend([0u8; 1024]);
        let streamed = read(dialect, &outer);
        let scanned =
            scan(dialect, &outer, &Options::default()).unwrap_or_else(|e| panic!("{dialect}: {e}"));
        for (how, a) in [("read", &streamed), ("scan", &scanned)] {
            let label = format!("{dialect} {how}");
            let m = a
                .members
                .iter()
                .find(|m| m.path == RawPath::from_typed(&blob_name))
                .unwrap_or_else(|| panic!("{label}: no member {blob_name}"));
            assert_eq!(
                m.facts.error,
                Some(ReadError::SparseMember { format }),
                "{label}"
            );
            assert!(
                !a.problems.iter().any(|p| matches!(
                    p.kind,
                    ProblemKind::MissingBlob | ProblemKind::DigestMismatch
                )),
                "{label}: {:?}",
                a.problems
            );
            assert!(
                a.problems
                    .iter()
                    .any(|p| p.kind == ProblemKind::LayerUnreadable
                        && p.origin
                            .member
                            .as_ref()
                            .is_some_and(|m| m.name == blob_name)),
                "{label}: {:?}",
                a.problems
            );
            assert_eq!(a.images.len(), 1, "{label}");
        }
    }
}
