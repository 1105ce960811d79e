//! What the fuzz targets share: small bounds, and every view of an archive read from fuzz
//! input, with the invariants each view promises checked (a broken one aborts the run like
//! a panic does, so libFuzzer keeps the input).

use pancake_core::read::archive::{self, Options};
use pancake_core::write::container::MAX_FILE_BYTES;
use pancake_core::{
    analyze::history, analyze::share, analyze::union, Archive, EntryKind, Limits, ReadAt,
};

/// Bounds small enough that one run stays well inside `-rss_limit_mb=2048 -timeout=10`,
/// yet large enough for the seed images (a few MiB of layers) to read completely.
pub fn options() -> Options {
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
        // One thread: libFuzzer's coverage and timeouts follow the calling thread.
        threads: 1,
    }
}

/// Runs every view over every image of `a` and checks what each one promises.
pub fn views(a: &Archive) {
    for image in &a.images {
        let n = image.layers.len();
        let stored = union::stored_bytes(a, image);
        let wasted = union::wasted(a, image);
        assert_eq!(stored.len(), n);
        assert_eq!(wasted.len(), n);
        for (s, w) in stored.iter().zip(&wasted) {
            assert!(w <= s, "layer wastes {w} of only {s} stored bytes");
        }
        let eff = union::efficiency(a, image);
        assert!((0.0..=1.0).contains(&eff), "efficiency {eff}");
        for i in 0..n {
            let ch = union::layer_changes(a, image, i);
            assert_eq!(ch.added + ch.modified + ch.deleted, ch.rows.len());
            assert!(ch.rows.windows(2).all(|w| w[0].path < w[1].path));
            let _ = history::layer_content_size(a, image, i);
        }
        if let Some(top) = n.checked_sub(1) {
            let rows = union::merged(a, image, top);
            assert!(rows.windows(2).all(|w| w[0].path < w[1].path));
            let below = union::merged(a, image, top / 2);
            let _ = union::compare(&below, &rows, top / 2);
        }
        for no_trunc in [false, true] {
            let t = history::history_table(a, image, 1_700_000_000, no_trunc);
            assert!(t.len() <= image.history.len().max(n));
        }
    }
    let both = [a, a];
    let st = share::storage(&both);
    assert!(st.stored_bytes <= st.separate_bytes);
    let _ = share::shared_layers(&[a]);
    if !a.images.is_empty() {
        let _ = share::pull_plan(&both, (1, 0), &[(0, 0)]);
        let _ = share::push_plan(&both, (0, 0), &[]);
    }
}

/// Reads up to `count` files of the archive's layers back through `read_entry_content`,
/// checking each read against the size the index recorded (bounded by `max`).
pub fn read_some_contents<S: ReadAt + ?Sized>(source: &S, a: &Archive, count: usize) {
    let max = 1 << 16;
    let mut done = 0;
    for (mi, m) in a.members.iter().enumerate() {
        let Some(layer) = m.facts.layer.as_ref() else {
            continue;
        };
        for e in layer.entries.iter().filter(|e| e.kind == EntryKind::File) {
            if done >= count {
                return;
            }
            done += 1;
            if let Ok(bytes) = archive::read_entry_content(source, a, mi, &e.path, max) {
                assert!(bytes.len() <= max.min(MAX_FILE_BYTES));
            }
        }
    }
}
