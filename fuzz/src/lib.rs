//! What the fuzz targets share: small bounds, and every view of an archive read from fuzz
//! input, with the invariants each view promises checked (a broken one aborts the run like
//! a panic does, so libFuzzer keeps the input).

use pancake_core::analyze::summary::{self, ImageSummary};
use pancake_core::read::archive::{self, Options};
use pancake_core::read::reading::Resolution;
use pancake_core::read::resolution_change::ResolutionChange;
use pancake_core::write::container::MAX_FILE_BYTES;
use pancake_core::{
    analyze::history, analyze::share, analyze::union, wire, Archive, EntryKind, Limits, ReadAt,
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
        ..Options::default()
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

/// What crosses from a worker to the page, checked to arrive as it left: the archive as JSON
/// (`Scanned`), its entry lists in the compact form (decoded whole, as the workers do, and
/// kept compact, as the page does for a large index), each member's facts with their entries
/// apart (`Facts`), the images as a resolution change in parts of a few items, each part as
/// JSON (`Resolved`), every image's figures (`Summarized`) and the top layer's merged rows
/// (`Rows`). A fact that changed on the way would be shown on the page but not by the CLI.
pub fn crossings(a: &Archive) {
    let json = serde_json::to_string(a).expect("an archive encodes as JSON");
    let back: Archive = serde_json::from_str(&json).expect("the archive's JSON decodes");
    assert_eq!(&back, a, "the archive after a JSON round trip");

    // `Scanned` carries the archive without its entry lists as JSON, the lists beside it.
    let (stripped, bytes) = wire::split(a);
    let text = serde_json::to_string(&stripped).expect("the stripped archive encodes");
    let stripped: Archive = serde_json::from_str(&text).expect("the stripped archive decodes");
    for compact in [false, true] {
        let mut d = if compact {
            wire::Decoder::compact(bytes.clone())
        } else {
            wire::Decoder::new(bytes.clone())
        }
        .expect("split's bytes start well");
        while !d.step(7).expect("split's bytes decode") {}
        let mut grafted = stripped.clone();
        wire::graft(&mut grafted, &d.finish());
        assert_eq!(
            &grafted, a,
            "the archive with its entries apart (compact: {compact})"
        );
    }
    // The scanner decodes a hasher's entries whole, the page keeps them compact.
    for (i, m) in a.members.iter().enumerate() {
        for compact in [false, true] {
            let mut facts = m.facts.clone();
            if let Some(bytes) = wire::split_facts(i, &mut facts) {
                let mut d = if compact {
                    wire::Decoder::compact(bytes)
                } else {
                    wire::Decoder::new(bytes)
                }
                .expect("split_facts' bytes start well");
                while !d.step(usize::MAX).expect("split_facts' bytes decode") {}
                wire::graft_facts(i, &mut facts, &d.finish());
            }
            assert_eq!(
                facts, m.facts,
                "member {i}'s facts apart (compact: {compact})"
            );
        }
    }

    // The images whole, as the first resolution of a reading is sent.
    let whole = Resolution {
        format: a.format,
        images: a.images.clone(),
        problems: a.problems.clone(),
    };
    ImagesOnThePage::nothing_yet().follow(0, whole);

    // None for an image with a layer without an index, so both forms cross. (The scanner
    // sends none only for a layer still being read: `worker_runtime::indexed`; this rule is
    // wider, which only adds Nones.)
    let figures: Vec<Option<ImageSummary>> = a
        .images
        .iter()
        .map(|image| {
            let indexed = image.layers.iter().all(|l| {
                l.member
                    .and_then(|m| a.members.get(m))
                    .is_some_and(|m| m.facts.layer.is_some())
            });
            indexed.then(|| summary::summarize(a, image))
        })
        .collect();
    let decoded = wire::decode_summaries(wire::encode_summaries(&figures));
    assert_eq!(decoded.as_ref(), Ok(&figures), "the figures as bytes");

    for image in &a.images {
        if let Some(top) = image.layers.len().checked_sub(1) {
            let rows = union::merged(a, image, top);
            let added: Vec<Option<usize>> = (0..rows.len()).map(|i| i.checked_sub(1)).collect();
            let (back, back_added) =
                wire::decode_rows(wire::encode_rows(&rows, Some(&added))).expect("the rows decode");
            assert_eq!(back, rows, "the merged rows as bytes");
            assert_eq!(back_added, added);
        }
    }
}

/// The images as the page holds them while a reading goes on: from those of the scan
/// (`Scanned`, [`ImagesOnThePage::scanned`]), each resolution the scanner makes after a job's
/// facts crosses as the change since the one before, in parts of a few items, each through
/// JSON, joined and applied once as the page does, and applied part by part too, which
/// `split` promises gives the same ([`ImagesOnThePage::follow`]); either must leave the page
/// holding that resolution.
pub struct ImagesOnThePage {
    sent: Option<(usize, Resolution)>,
    held: Option<usize>,
    format: pancake_core::Format,
    images: Vec<pancake_core::Image>,
    problems: Vec<pancake_core::Problem>,
}

impl ImagesOnThePage {
    /// What the page holds before any resolution: no images, none adopted.
    pub fn nothing_yet() -> ImagesOnThePage {
        ImagesOnThePage {
            sent: None,
            held: None,
            format: Default::default(),
            images: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// What the page holds once the scan's archive came: its images, the resolution of
    /// `applied` jobs, which the scanner's next change follows.
    pub fn scanned(applied: usize, scan: Resolution) -> ImagesOnThePage {
        ImagesOnThePage {
            held: Some(applied),
            format: scan.format,
            images: scan.images.clone(),
            problems: scan.problems.clone(),
            sent: Some((applied, scan)),
        }
    }

    /// Sends the reading's resolution now (`applied` jobs with facts) as the scanner does and
    /// applies its parts as the page does, then checks the page holds it.
    pub fn follow(&mut self, applied: usize, now: Resolution) {
        let change = ResolutionChange::between(self.sent.as_ref().map(|(n, r)| (*n, r)), &now);
        let parts: Vec<ResolutionChange> = change
            .split(5)
            .into_iter()
            .map(|part| {
                let text = serde_json::to_string(&part).expect("a part encodes as JSON");
                serde_json::from_str(&text).expect("a part's JSON decodes")
            })
            .collect();
        let (mut format, mut images, mut problems) =
            (self.format, self.images.clone(), self.problems.clone());
        for part in parts.clone() {
            part.apply(self.held, &mut format, &mut images, &mut problems)
                .expect("each part applies to what the page holds");
        }
        assert_eq!(
            (format, &images, &problems),
            (now.format, &now.images, &now.problems),
            "the page's images after the change to {applied} jobs, part by part"
        );
        ResolutionChange::join(parts)
            .expect("the parts join")
            .apply(
                self.held,
                &mut self.format,
                &mut self.images,
                &mut self.problems,
            )
            .expect("the joined change applies to what the page holds");
        self.held = Some(applied);
        assert_eq!(
            (self.format, &self.images, &self.problems),
            (now.format, &now.images, &now.problems),
            "the page's images after the change to {applied} jobs"
        );
        self.sent = Some((applied, now));
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
