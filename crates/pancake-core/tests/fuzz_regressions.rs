//! Inputs the cargo-fuzz targets in `fuzz/` found (README, "Fuzzing"), kept small under
//! `tests/fuzz-regressions/`, replayed through the public API the target used, with the
//! outcome asserted: no panic, bounded time, the problem reported. Findings whose fix is not
//! in yet would wait in `tests/fuzz-regressions/pending/` (none do now).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use pancake_core::analyze::union::{self, FileRow};
use pancake_core::read::archive::{self, Options};
use pancake_core::write::container::{self, Container, Lower};
use pancake_core::{analyze::history, analyze::share, Archive, EntryKind, Limits};

/// The bounds the fuzz targets read with (`fuzz/src/lib.rs`).
fn options() -> Options {
    Options {
        limits: Limits {
            max_decompressed_bytes: 16 << 20,
            decompressed_ratio: 64,
            max_json_bytes: 256 << 10,
            max_extension_bytes: 64 << 10,
            max_entries_per_layer: 20_000,
            max_path_depth: 64,
            max_index_depth: 4,
            max_manifests: 64,
            max_window_bytes: 64 << 20,
        },
        threads: 1,
        ..Options::default()
    }
}

/// libFuzzer's `-timeout=10`: one input must be done well within it, here in a debug build.
const BOUND: Duration = Duration::from_secs(10);

fn input(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-regressions")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Every view the fuzz targets run, with the invariants they check.
fn views(a: &Archive) {
    for image in &a.images {
        let stored = union::stored_bytes(a, image);
        let wasted = union::wasted(a, image);
        assert!(stored.iter().zip(&wasted).all(|(s, w)| w <= s));
        let eff = union::efficiency(a, image);
        assert!((0.0..=1.0).contains(&eff), "efficiency {eff}");
        for i in 0..image.layers.len() {
            let ch = union::layer_changes(a, image, i);
            assert_eq!(ch.added + ch.modified + ch.deleted, ch.rows.len());
            history::layer_content_size(a, image, i);
        }
        if let Some(top) = image.layers.len().checked_sub(1) {
            let rows = union::merged(a, image, top);
            assert!(rows.windows(2).all(|w| w[0].path < w[1].path));
        }
        history::history_table(a, image, 1_700_000_000, false);
    }
    let st = share::storage(&[a, a]);
    assert!(st.stored_bytes <= st.separate_bytes);
}

/// The `container` target's input: byte 0x80, a little-endian u32 length, that many bytes of
/// tarball, then the edits (decoded by `arbitrary` in the target).
fn container_tarball(input: &[u8]) -> &[u8] {
    let len = input
        .get(1..5)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(u32::from_le_bytes)
        .unwrap_or(0) as usize;
    input.get(5..5 + len).unwrap_or(&[])
}

/// Found by `container`: an image whose layer tar stores modes with st_mode's file-type bits
/// (`0o100664`, from `fixture_cimage_almostempty.tar`). Editing the file copies that mode up;
/// the committed image must still show the edited bytes and the same permission bits. (The
/// file-type bits themselves are lost on commit: pending, see fuzz-regressions/pending.)
#[test]
fn commit_keeps_permission_bits_of_modes_with_file_type_bits() {
    let t0 = Instant::now();
    let raw = input("container/mode-with-file-type-bits");
    let bytes = container_tarball(&raw);
    assert_eq!(bytes.len(), 10_752);
    let a =
        archive::open("in.tar", bytes, &options(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    assert!(a.problems.is_empty(), "{:?}", a.problems);
    let img = &a.images[0];
    let fetch = |row: &FileRow| {
        let m = row.member.ok_or("no member")?;
        archive::read_entry_content(bytes, &a, m, &row.path, 1 << 20).map_err(|e| e.to_string())
    };
    let lower = Lower::from_image(&a, img, &fetch);
    let c = Container::new("fuzz", img);
    let before = c
        .stat("/emptyfile", &lower)
        .unwrap_or_else(|| panic!("no /emptyfile"));
    // The tar mode field holds 0o100664 (S_IFREG included): the reader keeps the permission
    // bits, as the commit writes them, so the container's view and its commit agree.
    assert_eq!(
        (before.kind, before.size, before.mode),
        (EntryKind::File, 0, 0o664)
    );
    let c = c
        .write_file("/emptyfile", b"edited\n", &lower)
        .unwrap_or_else(|e| panic!("{e}"));
    let cfg = container::image_config_json(&a, img).unwrap_or_else(|| panic!("no config"));
    let committed = c
        .commit(cfg.as_bytes(), "fuzz", None, "2024-01-01T00:00:00Z")
        .unwrap_or_else(|e| panic!("{e}"));
    let out = container::export(bytes, &a, img, &committed, "fuzz:committed")
        .unwrap_or_else(|e| panic!("{e}"));
    let back =
        archive::open("out.tar", &out, &options(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    assert!(back.problems.is_empty(), "{:?}", back.problems);
    let bi = &back.images[0];
    assert_eq!(bi.layers.len(), img.layers.len() + 1);
    assert!(bi.layers.iter().all(|l| l.verified));
    let fetch2 = |row: &FileRow| {
        let m = row.member.ok_or("no member")?;
        archive::read_entry_content(&out, &back, m, &row.path, 1 << 20).map_err(|e| e.to_string())
    };
    let lower2 = Lower::from_image(&back, bi, &fetch2);
    let fresh = Container::new("check", bi);
    assert_eq!(
        fresh.read("/emptyfile", &lower2).ok().as_deref(),
        Some(&b"edited\n"[..])
    );
    let after = fresh
        .stat("/emptyfile", &lower2)
        .unwrap_or_else(|| panic!("gone"));
    assert_eq!((after.size, after.mode), (7, 0o664));
    views(&back);
    assert!(t0.elapsed() < BOUND);
}

/// The other three container findings of the fuzz hour (inputs in `fuzz-regressions/container/`,
/// replayed by the `container` target): edits a tar header cannot carry are refused, not
/// committed as something else — a NUL byte in a path or link target (the header would cut the
/// name there), an empty symlink target (Linux refuses it), an owner id above 32 bits (the
/// header lost the top bit).
#[test]
fn edits_a_tar_header_cannot_carry_are_refused() {
    let bytes = pancake_demo::build("nginx").unwrap_or_default();
    let a = archive::open("nginx.tar", &bytes[..], &options(), &mut |_| {})
        .unwrap_or_else(|e| panic!("{e}"));
    let img = &a.images[0];
    let fetch = |row: &FileRow| {
        let m = row.member.ok_or("no member")?;
        archive::read_entry_content(&bytes[..], &a, m, &row.path, 1 << 20)
            .map_err(|e| e.to_string())
    };
    let lower = Lower::from_image(&a, img, &fetch);
    let c = Container::new("fuzz", img);
    let invalid = |r: Result<Container, container::ContainerError>| {
        matches!(
            r,
            Err(container::ContainerError::InvalidPath(_)
                | container::ContainerError::InvalidLinkTarget(_))
        )
    };
    assert!(invalid(c.create_file("/bin/\0\0x", b"", 0o644, &lower)));
    assert!(invalid(c.mkdir("/tmp/a\0b", 0o755, &lower)));
    assert!(invalid(c.symlink("/tmp/link", "", &lower)));
    assert!(invalid(c.symlink("/tmp/link", "a\0b", &lower)));
    assert!(matches!(
        c.chown(
            "/etc/nginx/nginx.conf",
            11_285_066_962_739_960_988,
            0,
            &lower
        ),
        Err(container::ContainerError::InvalidOwner { .. })
    ));
    // Mode bits a header does not carry are dropped when the file is made, not at commit
    // (the fuzz target's fifth finding: mkdir with mode 2206368128 read back as 0o600).
    let made = c
        .mkdir("/var/cache/odd", 2_206_368_128, &lower)
        .unwrap_or_else(|e| panic!("{e}"));
    let st = made
        .stat("/var/cache/odd", &lower)
        .unwrap_or_else(|| panic!("no dir"));
    assert_eq!(st.mode, 0o600);
    // What a header can carry still works.
    let ok = c
        .chown("/etc/nginx/nginx.conf", u64::from(u32::MAX), 101, &lower)
        .and_then(|c| c.symlink("/tmp/link", "../etc/nginx/nginx.conf", &lower));
    assert!(ok.is_ok(), "{:?}", ok.err());
}
