//! The layer a problem's message names first is typed (`Origin::subject`, issue 14): the
//! CLI's English text keeps its 0-based `{image} layer {j}`, and the page words and numbers
//! it itself (from 1, as its stack does) without reading the message.

use std::fs::File;
use std::path::PathBuf;

use pancake_core::model::{LayerAt, LayerSubject, Problem, ProblemKind};
use pancake_core::read::archive::{open, Options};

fn fixtures() -> PathBuf {
    match std::env::var_os("PANCAKE_FIXTURES") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/fixtures"
        )),
    }
}

fn problems_of(name: &str) -> Vec<Problem> {
    let path = fixtures().join(name);
    let file = File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let a = open(name, &file, &Options::default(), &mut |_| {})
        .unwrap_or_else(|e| panic!("open {name}: {e}"));
    a.problems
}

#[test]
fn the_subject_is_written_before_the_detail_in_english() {
    let p = Problem::member(
        ProblemKind::MissingBlob,
        None,
        None,
        ": x/layer.tar is gone",
    )
    .about_layer("app:1", 3);
    assert_eq!(p.message(), "app:1 layer 3: x/layer.tar is gone");
    assert_eq!(
        p.origin.subject,
        Some(LayerSubject {
            image: "app:1".into(),
            layer: 3
        })
    );
    // It travels to the page with the problem (the workers send JSON).
    let json = serde_json::to_string(&p).unwrap_or_default();
    let back: Option<Problem> = serde_json::from_str(&json).ok();
    assert_eq!(back.as_ref(), Some(&p));
    // No subject: nothing in the JSON, and older JSON without it still reads.
    let plain = Problem::member(ProblemKind::Metadata, None, None, "manifest.json: not JSON");
    let json = serde_json::to_string(&plain).unwrap_or_default();
    assert!(!json.contains("subject"), "{json}");
    assert_eq!(serde_json::from_str::<Problem>(&json).ok(), Some(plain));
}

#[test]
fn a_corrupt_layer_names_its_layer_typed_and_the_text_is_unchanged() {
    let problems = problems_of("malformed-corrupt-layer-byte-docker20.tar");
    let mm: Vec<&Problem> = problems
        .iter()
        .filter(|p| p.kind == ProblemKind::DigestMismatch)
        .collect();
    assert_eq!(mm.len(), 1, "{problems:#?}");
    let p = mm.first().copied();
    let subject = p.and_then(|p| p.origin.subject.clone());
    assert_eq!(
        subject,
        Some(LayerSubject {
            image: "sa-app1:1".into(),
            layer: 1
        })
    );
    // The layer the problem is grouped under is the same one.
    assert_eq!(p.and_then(|p| p.origin.layer).map(|at| at.layer), Some(1));
    let msg = p.map(|p| p.message()).unwrap_or_default();
    assert!(
        msg.starts_with("sa-app1:1 layer 1 (f75ca80bb660d69db8aff0aa5b11edc714885200effa88dee100e16a44b9de32/layer.tar): diff_id (config rootfs.diff_ids[1]) mismatch"),
        "{msg}"
    );
    assert!(!p.map(|p| p.detail.contains("layer 1")).unwrap_or(true));
}

#[test]
fn a_missing_layer_blob_names_its_layer_typed() {
    let problems = problems_of("malformed-missing-layer-docker20.tar");
    let missing: Vec<&Problem> = problems
        .iter()
        .filter(|p| p.kind == ProblemKind::MissingBlob)
        .collect();
    assert_eq!(missing.len(), 1, "{problems:#?}");
    let p = missing.first().copied();
    assert_eq!(
        p.and_then(|p| p.origin.subject.as_ref()).map(|s| s.layer),
        Some(3)
    );
    // Grouped under that layer although its blob is no member of the archive.
    assert_eq!(
        p.and_then(|p| p.origin.layer),
        Some(LayerAt { image: 0, layer: 3 })
    );
    assert_eq!(
        p.map(|p| p.message()).unwrap_or_default(),
        "sa-app1:1 layer 3: 3350047c593256fecda70fff63634217b279b8eef50e010b6ee7e5e0b2715e8b/layer.tar is not in the archive"
    );
}

/// A blob three images share is missing: each image's problem is grouped under that image's
/// own layer, not all three under the first image that has the blob at that position.
#[test]
fn a_shared_missing_blob_is_grouped_under_each_image_that_names_it() {
    let name = "docker26-save-multi-app1-app2-app3.tar";
    let bytes = std::fs::read(fixtures().join(name)).expect("fixture");
    let a = open(name, &bytes, &Options::default(), &mut |_| {}).expect("open");
    assert_eq!(a.images.len(), 3);
    let base = a
        .images
        .first()
        .and_then(|i| i.layers.first())
        .and_then(|l| l.blob_path.clone())
        .expect("base blob");
    assert!(
        a.images
            .iter()
            .all(|i| i.layers.first().and_then(|l| l.blob_path.as_deref()) == Some(base.as_str())),
        "the three images share their base blob"
    );
    // The same archive without that blob.
    let mut out = tar::Builder::new(Vec::new());
    let mut src = tar::Archive::new(bytes.as_slice());
    for e in src.entries().expect("entries") {
        let mut e = e.expect("entry");
        let path = e.path().expect("path").to_string_lossy().into_owned();
        if path == base {
            continue;
        }
        let header = e.header().clone();
        out.append(&header, &mut e).expect("append");
    }
    let cut = out.into_inner().expect("tar");
    let b = open(name, &cut, &Options::default(), &mut |_| {}).expect("open");
    let mut grouped: Vec<(usize, usize)> = b
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::MissingBlob)
        .filter_map(|p| p.origin.layer.map(|l| (l.image, l.layer)))
        .collect();
    grouped.sort_unstable();
    assert_eq!(grouped, vec![(0, 0), (1, 0), (2, 0)]);
}

/// Two images share one layer blob and the second one's config claims another diff_id for
/// it: the mismatch is that image's, and is located there, not at the first image that uses
/// the blob (whose claim holds).
#[test]
fn a_failed_claim_on_a_shared_blob_is_located_at_the_image_that_made_it() {
    let file = |t: &mut tar::Builder<Vec<u8>>, name: &str, data: &[u8]| {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        t.append_data(&mut h, name, data).expect("append");
    };
    let mut l = tar::Builder::new(Vec::new());
    file(&mut l, "a.txt", b"shared");
    let layer = l.into_inner().expect("layer");
    let right = pancake_core::Digest::of_bytes(&layer);
    let wrong = pancake_core::Digest::of_bytes(b"another layer");
    let config = |d: &pancake_core::Digest| {
        format!(
            r#"{{"architecture":"amd64","os":"linux","rootfs":{{"type":"layers","diff_ids":["{d}"]}}}}"#
        )
    };
    let manifest = r#"[{"Config":"e.json","RepoTags":["e:1"],"Layers":["l/layer.tar"]},{"Config":"f.json","RepoTags":["f:1"],"Layers":["l/layer.tar"]}]"#;
    let mut t = tar::Builder::new(Vec::new());
    file(&mut t, "l/layer.tar", &layer);
    file(&mut t, "e.json", config(&right).as_bytes());
    file(&mut t, "f.json", config(&wrong).as_bytes());
    file(&mut t, "manifest.json", manifest.as_bytes());
    let bytes = t.into_inner().expect("tar");
    let a = open("shared.tar", &bytes, &Options::default(), &mut |_| {}).expect("open");
    assert_eq!(a.images.len(), 2);
    let mm: Vec<&Problem> = a
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::DigestMismatch)
        .collect();
    assert_eq!(mm.len(), 1, "{:#?}", a.problems);
    assert_eq!(mm[0].origin.layer, Some(LayerAt { image: 1, layer: 0 }));
    assert!(
        mm[0].message().starts_with("f:1 layer 0"),
        "{}",
        mm[0].message()
    );
}
