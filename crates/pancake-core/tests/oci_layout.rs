//! The `oci-layout` member as containerd's import reads it (`core/images/archive/importer.go`):
//! decoded first with Go's `encoding/json`, failing the whole import if it cannot be; a
//! version other than `1.0.0` fails ("unsupported OCI version"); no version reads the archive
//! as a Docker archive through `manifest.json`. Real saves (Docker 26, dive's OCI test image)
//! with only `oci-layout` rewritten: the layers stay verified, and `load-fails` names
//! `oci-layout` exactly when containerd's import fails.

use std::path::PathBuf;

use pancake_core::analyze::image_claims;
use pancake_core::read::archive::{open, read_stream, Options};
use pancake_core::{Archive, ProblemKind};

fn fixture(name: &str) -> Vec<u8> {
    let dir = match std::env::var("PANCAKE_FIXTURES") {
        Ok(d) => PathBuf::from(d),
        Err(_) => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/fixtures"
        )),
    };
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// `fixture` with its `oci-layout` member's content replaced by `layout`, and its
/// `manifest.json` left out when `drop_manifest`; read both ways, which must agree.
fn with_layout(fixture_name: &str, layout: &str, drop_manifest: bool) -> Archive {
    with_layout_and(fixture_name, layout, drop_manifest, None)
}

/// [`with_layout`], with `manifest.json`'s text `edit.0` replaced by `edit.1`.
fn with_layout_and(
    fixture_name: &str,
    layout: &str,
    drop_manifest: bool,
    edit: Option<(&str, &str)>,
) -> Archive {
    let mut seen = false;
    let a = rebuilt(
        fixture_name,
        |path, data| match path {
            "manifest.json" if drop_manifest => None,
            "oci-layout" => {
                seen = true;
                Some(layout.as_bytes().to_vec())
            }
            "manifest.json" => Some(match edit {
                Some((from, to)) => {
                    let text = String::from_utf8(data).expect("utf-8");
                    assert!(text.contains(from), "{from}");
                    text.replace(from, to).into_bytes()
                }
                None => data,
            }),
            _ => Some(data),
        },
        None,
    );
    assert!(seen, "{fixture_name} has an oci-layout");
    a
}

/// `fixture` rewritten member by member: `edit(path, content)` gives the new content, or
/// `None` to leave the member out; `extra` (a header and its content) is added at the end.
/// Read both ways, which must agree.
fn rebuilt(
    fixture_name: &str,
    mut edit: impl FnMut(&str, Vec<u8>) -> Option<Vec<u8>>,
    extra: Option<(tar::Header, &[u8])>,
) -> Archive {
    let bytes = fixture(fixture_name);
    let mut src = tar::Archive::new(bytes.as_slice());
    let mut out = tar::Builder::new(Vec::new());
    for e in src.entries().expect("entries") {
        let mut e = e.expect("entry");
        let path = e.path().expect("path").to_string_lossy().into_owned();
        let mut h = e.header().clone();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut e, &mut data).expect("read");
        let Some(data) = edit(&path, data) else {
            continue;
        };
        h.set_size(data.len() as u64);
        h.set_cksum();
        out.append(&h, data.as_slice()).expect("append");
    }
    if let Some((h, data)) = extra {
        out.append(&h, data).expect("append");
    }
    let bytes = out.into_inner().expect("tar");
    let opts = Options::default();
    let a = open("t.tar", &bytes, &opts, &mut |_| {}).expect("open");
    let b = read_stream(
        "t.tar",
        bytes.as_slice(),
        bytes.len() as u64,
        &opts,
        &mut |_| {},
    )
    .expect("read_stream");
    assert_eq!(a, b, "open and read_stream disagree");
    a
}

/// The details of the `load-fails` problems about `oci-layout`.
fn layout_fails(a: &Archive) -> Vec<&str> {
    a.problems
        .iter()
        .filter(|p| p.kind == ProblemKind::LoadFails)
        .filter(|p| p.member_name() == Some("oci-layout"))
        .map(|p| p.detail.as_str())
        .collect()
}

fn all_verified(a: &Archive) {
    assert!(!a.images.is_empty());
    for img in &a.images {
        assert!(img.layers.iter().all(|l| l.verified), "{}", img.source);
    }
}

const DOCKER26: &str = "docker26-save-app2.tar";
const OCI: &str = "fixture_dive_test-oci-uncompressed-image.tar";

#[test]
fn the_one_version_reads_cleanly() {
    for (f, drop) in [(DOCKER26, false), (OCI, false)] {
        let a = with_layout(f, r#"{"imageLayoutVersion": "1.0.0"}"#, drop);
        assert!(layout_fails(&a).is_empty(), "{f}: {:#?}", a.problems);
        all_verified(&a);
        assert!(
            a.images
                .iter()
                .all(|i| !image_claims::load_refused_in(&a, i)),
            "{f}"
        );
    }
}

#[test]
fn another_version_fails_containerds_import_and_refuses_every_image() {
    for f in [DOCKER26, OCI] {
        let a = with_layout(f, r#"{"imageLayoutVersion":"2.0.0"}"#, false);
        let fails = layout_fails(&a);
        assert_eq!(fails.len(), 1, "{f}: {:#?}", a.problems);
        assert!(
            fails[0].contains("imageLayoutVersion is \"2.0.0\""),
            "{}",
            fails[0]
        );
        assert!(fails[0].contains("unsupported OCI version"), "{}", fails[0]);
        assert_eq!(
            fails[0].contains("Docker's classic store reads manifest.json"),
            f == DOCKER26,
            "{}",
            fails[0]
        );
        all_verified(&a);
        assert!(
            a.images
                .iter()
                .all(|i| image_claims::load_refused_in(&a, i)),
            "{f}"
        );
    }
}

#[test]
fn a_layout_go_cannot_decode_fails_containerds_import() {
    for (layout, why) in [
        (r#"{"imageLayoutVersion": 1}"#, "not a string"),
        (r#"["1.0.0"]"#, "not a JSON object"),
        (r#"{"imageLayoutVersion": "1.0.0""#, "not valid JSON"),
        (
            "\u{feff}{\"imageLayoutVersion\":\"1.0.0\"}",
            "byte order mark",
        ),
    ] {
        let a = with_layout(DOCKER26, layout, false);
        let fails = layout_fails(&a);
        assert_eq!(fails.len(), 1, "{layout}: {:#?}", a.problems);
        assert!(fails[0].contains(why), "{layout}: {}", fails[0]);
        assert!(fails[0].contains("untar oci layout"), "{}", fails[0]);
        all_verified(&a);
    }
    // Go's decoder reads the first value and never what follows; it matches the key
    // case-insensitively.
    for layout in [
        r#"{"imageLayoutVersion":"1.0.0"} trailing"#,
        r#"{"ImageLayoutVersion":"1.0.0"}"#,
    ] {
        let a = with_layout(DOCKER26, layout, false);
        assert!(layout_fails(&a).is_empty(), "{layout}: {:#?}", a.problems);
    }
}

#[test]
fn no_version_reads_manifest_json_or_fails_without_it() {
    // With manifest.json, containerd reads the archive through it: nothing fails.
    let a = with_layout(DOCKER26, "{}", false);
    assert!(layout_fails(&a).is_empty(), "{:#?}", a.problems);
    all_verified(&a);
    // Without it, containerd finds nothing to read; the image is still shown from index.json.
    let a = with_layout(OCI, r#"{"imageLayoutVersion": ""}"#, true);
    let fails = layout_fails(&a);
    assert_eq!(fails.len(), 1, "{:#?}", a.problems);
    assert!(
        fails[0].contains("unrecognized image format"),
        "{}",
        fails[0]
    );
    all_verified(&a);
}

/// containerd reads manifest.json's names when `oci-layout` gives no version, so a name it
/// cannot parse fails its import then; with the version it reads index.json instead.
#[test]
fn without_a_version_containerd_reads_manifest_json_names() {
    let tag_problem = |layout: &str| {
        let a = with_layout_and(
            DOCKER26,
            layout,
            false,
            Some(("\"sa-app2:1\"", "\"Bad Name:1\"")),
        );
        let ps: Vec<String> = a
            .problems
            .iter()
            .filter(|p| {
                p.kind == ProblemKind::LoadFails
                    && p.origin.entry.as_deref() == Some("[0].RepoTags[0]")
            })
            .map(|p| p.detail.clone())
            .collect();
        assert_eq!(ps.len(), 1, "{layout}: {:#?}", a.problems);
        ps[0].clone()
    };
    let p = tag_problem("{}");
    assert!(p.contains("containerd's import refuses it too"), "{p}");
    let p = tag_problem(r#"{"imageLayoutVersion":"1.0.0"}"#);
    assert!(
        p.contains("containerd's import reads index.json instead"),
        "{p}"
    );
}

/// `fixture` with an extra member appended after the others: `name`, of tar type `kind`
/// (`b'0'` a file, `b'5'` a folder, `b'2'` a symlink to `link`), holding `data`.
fn with_extra(fixture_name: &str, name: &str, kind: u8, data: &[u8], link: &str) -> Archive {
    let mut h = tar::Header::new_ustar();
    h.set_path(name).expect("path");
    h.set_entry_type(tar::EntryType::new(kind));
    h.set_size(data.len() as u64);
    if !link.is_empty() {
        h.set_link_name(link).expect("link");
    }
    h.set_mode(0o644);
    h.set_cksum();
    rebuilt(fixture_name, |_, d| Some(d), Some((h, data)))
}

/// containerd decodes every regular `oci-layout` member in order into one struct: a later
/// copy without the key keeps the earlier version, and the first copy Go fails on fails
/// the import. Members of that name that are not regular files it skips.
#[test]
fn copies_decode_in_order_and_non_files_are_skipped() {
    // dive's OCI image has oci-layout 1.0.0; a later copy `{}` keeps it.
    let a = with_extra(OCI, "oci-layout", b'0', b"{}", "");
    assert!(layout_fails(&a).is_empty(), "{:#?}", a.problems);
    // A later copy of version 2.0.0 fails the import.
    let a = with_extra(
        OCI,
        "oci-layout",
        b'0',
        br#"{"imageLayoutVersion":"2.0.0"}"#,
        "",
    );
    assert_eq!(layout_fails(&a).len(), 1, "{:#?}", a.problems);
    // A later copy Go cannot decode fails it.
    let a = with_extra(OCI, "oci-layout", b'0', b"{", "");
    assert_eq!(layout_fails(&a).len(), 1, "{:#?}", a.problems);
    // A folder or a symlink of that name is skipped: the regular copy decides.
    for (kind, link) in [(b'5', ""), (b'2', "index.json")] {
        let a = with_extra(OCI, "oci-layout", kind, b"", link);
        assert!(layout_fails(&a).is_empty(), "{:#?}", a.problems);
        use pancake_core::read::image::oci_layout::{layout, Layout};
        assert_eq!(layout(&a.members), Layout::Version("1.0.0".into()));
    }
}

/// Version 1.0.0 makes containerd read index.json; without one it fails.
#[test]
fn the_one_version_without_index_json_fails() {
    let a = rebuilt(
        DOCKER26,
        |path, d| (path != "index.json").then_some(d),
        None,
    );
    let fails = layout_fails(&a);
    assert_eq!(fails.len(), 1, "{:#?}", a.problems);
    assert!(fails[0].contains("missing index.json"), "{}", fails[0]);
    // Docker's classic store, reading manifest.json, loads it: the layers still verify.
    all_verified(&a);
}

/// White space before the object longer than a tar block: Go reads it; Pancake does not keep
/// such a member as JSON, so it claims nothing about it (rather than a false failure).
#[test]
fn a_layout_not_kept_as_json_is_not_judged() {
    let text = format!("{}{{\"imageLayoutVersion\":\"1.0.0\"}}", " ".repeat(600));
    let a = with_layout(DOCKER26, &text, false);
    assert!(layout_fails(&a).is_empty(), "{:#?}", a.problems);
    all_verified(&a);
}

/// An `oci-layout` that is not a regular file is not one containerd reads: an old-GNU
/// sparse member of that name (which Pancake lists but does not read) decides nothing.
#[test]
fn a_sparse_member_of_that_name_is_skipped() {
    let a = with_extra(
        OCI,
        "oci-layout",
        b'S',
        br#"{"imageLayoutVersion":"2.0.0"}"#,
        "",
    );
    use pancake_core::read::image::oci_layout::{layout, Layout};
    assert_eq!(
        layout(&a.members),
        Layout::Version("1.0.0".into()),
        "{:#?}",
        a.problems
    );
    assert!(layout_fails(&a).is_empty(), "{:#?}", a.problems);
}
