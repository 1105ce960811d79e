//! Typed problems (#12): what a problem is about is a typed `Origin`, the English message is
//! made from it when displayed, and no code decides anything by reading a message's words.

use std::path::{Path, PathBuf};

use pancake_core::model::{LayerAt, Origin, Problem, ProblemKind, ReadError, Scope};
use pancake_core::{Compression, Error};

#[test]
fn the_message_is_the_origins_prefix_then_the_detail() {
    let outer = Problem::outer(ProblemKind::Archive, "tar read error after 3 members: EOF");
    assert_eq!(outer.origin.scope, Scope::Outer);
    assert_eq!(outer.member_name(), None);
    assert_eq!(outer.message(), "outer tar read error after 3 members: EOF");

    let dup = Problem::outer_member(
        ProblemKind::DuplicateMember,
        Some(4),
        "manifest.json",
        "member manifest.json appears more than once; the last one wins",
    );
    assert_eq!(dup.member_name(), Some("manifest.json"));
    assert_eq!(dup.origin.member.as_ref().and_then(|m| m.index), Some(4));
    assert_eq!(
        dup.to_string(),
        "outer member manifest.json appears more than once; the last one wins"
    );

    let layer = Problem::layer(ProblemKind::Limit, Some(2), "abc/layer.tar", "too deep");
    assert_eq!(layer.message(), "layer abc/layer.tar: too deep");

    let entry = Problem::entry(
        ProblemKind::UnsafePath,
        None,
        "abc/layer.tar",
        "../x",
        "unsafe entry ../x",
    );
    assert_eq!(entry.origin.entry.as_deref(), Some("../x"));
    assert_eq!(entry.origin.scope, Scope::Layer);
    assert_eq!(entry.message(), "layer abc/layer.tar: unsafe entry ../x");

    // A resolver's problem says what it is about in its own words: no prefix.
    let meta = Problem::member(
        ProblemKind::Metadata,
        Some(0),
        Some("manifest.json"),
        "manifest.json: not JSON",
    )
    .at_layer(Some(LayerAt { image: 1, layer: 2 }));
    assert_eq!(meta.message(), "manifest.json: not JSON");
    assert_eq!(meta.origin.layer, Some(LayerAt { image: 1, layer: 2 }));
    // The message is derived: changing the detail changes it, nothing else is stored.
    let mut changed = meta.clone();
    changed.detail = "other words".into();
    assert_eq!(changed.message(), "other words");
    assert_eq!(changed.origin, meta.origin);
    assert_eq!(Origin::default().scope, Scope::Image);
}

#[test]
fn read_errors_decide_their_kind_by_variant() {
    let over = ReadError::OverLimit {
        bound: 1 << 20,
        floor: 4 << 30,
        ratio: 100,
    };
    assert_eq!(over.kind(), ProblemKind::Limit);
    assert!(over
        .to_string()
        .starts_with("decompresses to more than 1048576 bytes"));
    let cut = ReadError::CutHeader {
        bytes: 100,
        compression: Compression::Gzip,
    };
    assert_eq!(cut.kind(), ProblemKind::LayerUnreadable);
    assert_eq!(
        cut.to_string(),
        "the decompressed gzip stream ends after 100 bytes, inside its first tar header (a header is 512 bytes): was the download complete?"
    );
    let short = ReadError::Truncated {
        stored: 10,
        size: 20,
    };
    assert_eq!(short.kind(), ProblemKind::LayerUnreadable);
    assert_eq!(short.to_string(), "member truncated: have 10 of 20 bytes");
    let e = Error::NoMember {
        name: "a.tar".into(),
        member: 7,
    };
    assert_eq!(e.to_string(), "a.tar: no member #7");
}

#[test]
fn problems_round_trip_through_serde_as_the_workers_send_them() {
    let p = Problem::entry(ProblemKind::Whiteout, Some(3), "l.tar", "a/.wh.", "bare");
    let json = serde_json::to_string(&p).expect("serialize");
    let back: Problem = serde_json::from_str(&json).expect("deserialize");
    assert_eq!(back, p);
    assert_eq!(back.message(), "layer l.tar: bare");
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Fails when code decides something by reading a problem's or an error's words again
/// (#12): tests may assert on messages, the code may not.
#[test]
fn no_decision_is_made_from_message_text() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    rust_files(&root.join("../pancake-cli/src"), &mut files);
    rust_files(&root.join("../../web/src"), &mut files);
    assert!(files.len() > 20, "found {} source files", files.len());
    let needles = [
        ".message.starts_with",
        ".message.contains",
        ".message.find(",
        "message().starts_with",
        "message().contains",
        "message().find(",
        ".detail.starts_with",
        ".detail.contains",
        ".detail.find(",
        "error.starts_with",
        "error.contains(",
        "to_string().starts_with",
        "to_string().contains(",
        "OUTER_PREFIX",
        "rename_in(",
        "Error::Other",
    ];
    let mut found = Vec::new();
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        // Unit tests at the end of a file may assert on words.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (n, line) in code.lines().enumerate() {
            for needle in needles {
                if line.contains(needle) {
                    found.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "decisions made from text:\n{}",
        found.join("\n")
    );
}
