//! `manifest.json` Config and Layers paths not in clean form (`./x`, `x/../x`, `/x`, `a//x`)
//! that name members of the archive. moby's classic load joins each with its temporary
//! folder (`safePath`: `filepath.Join` cleans it), so `docker load` loads the image;
//! containerd's import looks each up as written among the members' cleaned names and fails.
//! So: the image is shown from the member the path cleans to, verified, and a `load-fails`
//! problem names each such field of manifest.json. A path that still climbs out after
//! cleaning stays `unsafe-path`.

use pancake_core::analyze::image_claims;
use pancake_core::read::archive::{open, read_stream, Options};
use pancake_core::{Archive, Digest, ProblemKind};

fn tar_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in members {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, *data)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    b.into_inner().unwrap_or_else(|e| panic!("{e}"))
}

/// A one-layer docker-archive (blobs under `blobs/sha256/`) whose manifest.json names each
/// blob path through `form`; with an `oci-layout` member when `layout`.
fn save(form: impl Fn(&str) -> String, layout: bool) -> Vec<u8> {
    let layer = tar_of(&[("app/x.txt", b"x\n")]);
    let diff = Digest::of_bytes(&layer);
    let cfg = format!(
        r#"{{"architecture":"amd64","os":"linux","rootfs":{{"type":"layers","diff_ids":["{diff}"]}},"history":[{{"created_by":"COPY x /app/"}}]}}"#
    );
    let cfg_path = format!("blobs/sha256/{}", Digest::of_bytes(cfg.as_bytes()).hex());
    let layer_path = format!("blobs/sha256/{}", diff.hex());
    let manifest = format!(
        r#"[{{"Config":"{}","RepoTags":["p:1"],"Layers":["{}"]}}]"#,
        form(&cfg_path),
        form(&layer_path)
    );
    let mut members: Vec<(&str, &[u8])> = vec![
        (cfg_path.as_str(), cfg.as_bytes()),
        (layer_path.as_str(), &layer),
        ("manifest.json", manifest.as_bytes()),
    ];
    if layout {
        members.push(("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#));
    }
    tar_of(&members)
}

fn read_both(bytes: &[u8]) -> [Archive; 2] {
    let opts = Options::default();
    let a = open("p.tar", bytes, &opts, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let b = read_stream("p.tar", bytes, bytes.len() as u64, &opts, &mut |_| {})
        .unwrap_or_else(|e| panic!("{e}"));
    [a, b]
}

#[test]
fn paths_not_in_clean_form_open_their_member_and_fail_containerds_import() {
    type Form = (&'static str, fn(&str) -> String);
    let forms: [Form; 5] = [
        ("./", |p| format!("./{p}")),
        ("x/../", |p| format!("x/../{p}")),
        ("/", |p| format!("/{p}")),
        ("//", |p| p.replace("blobs/", "blobs//")),
        ("trailing /", |p| format!("{p}/")),
    ];
    for (what, form) in forms {
        for a in read_both(&save(form, false)) {
            let img = a
                .images
                .first()
                .unwrap_or_else(|| panic!("{what}: no image"));
            assert!(img.config_digest.is_some(), "{what}: {:?}", a.problems);
            assert_eq!(img.layers.len(), 1, "{what}");
            assert!(img.layers[0].verified, "{what}: {:?}", a.problems);
            let kinds: Vec<ProblemKind> = a.problems.iter().map(|p| p.kind).collect();
            assert_eq!(
                kinds,
                vec![ProblemKind::LoadFails, ProblemKind::LoadFails],
                "{what}: {:#?}",
                a.problems
            );
            let fields: Vec<Option<&str>> = a
                .problems
                .iter()
                .map(|p| p.origin.entry.as_deref())
                .collect();
            assert_eq!(
                fields,
                vec![Some("[0].Config"), Some("[0].Layers[0]")],
                "{what}"
            );
            for p in &a.problems {
                let m = p.origin.member.as_ref().map(|m| m.name.as_str());
                assert_eq!(m, Some("manifest.json"), "{what}");
            }
            assert!(image_claims::load_refused_in(&a, img), "{what}");
        }
    }
}

/// containerd reads an archive with an `oci-layout` through index.json, never manifest.json:
/// then only Docker's classic store reads these paths, and it cleans them: nothing to say
/// about them. (This save has no index.json, which containerd then misses: that is said
/// about `oci-layout`, not about the paths.)
#[test]
fn with_an_oci_layout_containerd_does_not_read_the_paths() {
    for a in read_both(&save(|p| format!("./{p}"), true)) {
        let fails: Vec<Option<&str>> = a
            .problems
            .iter()
            .filter(|p| p.kind == ProblemKind::LoadFails)
            .map(|p| p.member_name())
            .collect();
        assert_eq!(fails, vec![Some("oci-layout")], "{:#?}", a.problems);
        let img = a.images.first().unwrap_or_else(|| panic!("no image"));
        assert!(img.layers[0].verified);
    }
}

/// A path that climbs out even after cleaning is opened by neither engine.
#[test]
fn a_path_that_still_climbs_out_stays_unsafe() {
    for a in read_both(&save(|p| format!("../../{p}"), false)) {
        assert!(
            a.problems.iter().any(|p| p.kind == ProblemKind::UnsafePath),
            "{:#?}",
            a.problems
        );
        assert!(!a.problems.iter().any(|p| p.kind == ProblemKind::LoadFails));
        let img = a.images.first().unwrap_or_else(|| panic!("no image"));
        assert!(!img.layers.iter().any(|l| l.verified));
    }
}
