//! The built-in demo images go through the real reader: every digest verifies, the layer
//! and history counts are what each demo's Dockerfile says, sharing works.

use std::collections::BTreeSet;
use std::process::Command;

use pancake_core::analyze::union::{self, Change};
use pancake_core::read::archive::{self, Options};
use pancake_core::{Archive, Digest, RawPath};
use pancake_demo as demo;

fn open(name: &str, bytes: &Vec<u8>) -> Archive {
    let a = archive::open(name, bytes, &Options::default(), &mut |_| {});
    match a {
        Ok(a) => a,
        Err(e) => panic!("{name}: {e}"),
    }
}

fn build(name: &str) -> Vec<u8> {
    demo::build(name).unwrap_or_else(|| panic!("no demo {name}"))
}

/// (layers, history entries) per demo, as its recipe's Dockerfile steps say.
const SHAPES: &[(&str, usize, usize)] = &[
    ("nginx", 3, 10),
    ("wordpress-a", 4, 12),
    ("wordpress-b", 4, 12),
    ("mysql", 11, 20),
    ("whiteouts", 4, 7),
];

#[test]
fn every_demo_reads_back_verified() {
    assert_eq!(demo::names().len(), SHAPES.len());
    for (name, layers, history) in SHAPES {
        let bytes = build(name);
        let a = open(name, &bytes);
        assert!(a.problems.is_empty(), "{name}: {:?}", a.problems);
        assert_eq!(a.images.len(), 1, "{name}");
        let img = &a.images[0];
        assert_eq!(
            img.tags,
            vec![demo::tag(name).unwrap_or_default()],
            "{name}"
        );
        assert_eq!(img.layers.len(), *layers, "{name} layers");
        assert_eq!(img.history.len(), *history, "{name} history");
        for (i, l) in img.layers.iter().enumerate() {
            assert!(l.verified, "{name} layer {i}: {:?}", l.mismatches);
            assert_eq!(
                l.media_type.as_deref(),
                Some("application/vnd.oci.image.layer.v1.tar")
            );
            assert!(l.history.is_some(), "{name} layer {i} has no history step");
        }
        assert_eq!(img.config.architecture.as_deref(), Some("amd64"));
        assert_eq!(img.config.os.as_deref(), Some("linux"));
        // The config digest is the sha256 of the config blob (computed here, not read).
        let cfg_member = a.members.iter().find(|m| {
            img.config_digest.as_ref().is_some_and(|d| {
                m.path.as_bytes() == format!("blobs/sha256/{}", d.hex()).as_bytes()
            })
        });
        assert!(cfg_member.is_some(), "{name}: config blob missing");
        // Streaming reads the same thing as random access.
        let streamed = archive::read_stream(
            name,
            bytes.as_slice(),
            bytes.len() as u64,
            &Options::default(),
            &mut |_| {},
        );
        assert_eq!(
            streamed.ok().map(|s| s.images),
            Some(a.images.clone()),
            "{name}"
        );
        // And Python's tarfile + hashlib agree.
        check_with_python(&bytes, name);
    }
}

fn check_with_python(bytes: &[u8], name: &str) {
    let dir = std::env::temp_dir().join(format!("pancake-demo-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok();
    let file = dir.join(format!("{name}.tar"));
    std::fs::write(&file, bytes).ok();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/docker/check_export.py"
    );
    let out = Command::new("python3").arg(script).arg(&file).output();
    let out = out.unwrap_or_else(|e| panic!("python3: {e}"));
    assert!(
        out.status.success(),
        "{name}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_file(&file).ok();
}

fn diff_ids(name: &str) -> Vec<Digest> {
    let a = open(name, &build(name));
    a.images[0]
        .layers
        .iter()
        .filter_map(|l| l.diff_id.clone())
        .collect()
}

#[test]
fn wordpress_sites_share_all_but_the_top_layer() {
    let (a, b) = (diff_ids("wordpress-a"), diff_ids("wordpress-b"));
    assert_eq!(a.len(), 4);
    assert_eq!(a.len(), b.len());
    assert_eq!(a[..3], b[..3]);
    assert_ne!(a[3], b[3]);
    // The Debian base is the same layer under every demo.
    for n in demo::names() {
        assert_eq!(diff_ids(n).first(), a.first(), "{n} base");
    }
}

#[test]
fn a_set_stores_shared_layers_once() {
    let names = demo::names();
    let bytes = demo::build_set(names);
    let a = open("set", &bytes);
    assert!(a.problems.is_empty(), "{:?}", a.problems);
    assert_eq!(a.images.len(), names.len());
    let mut distinct = BTreeSet::new();
    let mut total = 0;
    for img in &a.images {
        assert!(img.layers.iter().all(|l| l.verified));
        total += img.layers.len();
        distinct.extend(img.layers.iter().filter_map(|l| l.diff_id.clone()));
    }
    // Blobs: each distinct layer once, plus a config and a manifest per image.
    let blobs = a
        .members
        .iter()
        .filter(|m| {
            m.path.as_bytes().starts_with(b"blobs/sha256/")
                && m.kind == pancake_core::EntryKind::File
        })
        .count();
    assert_eq!(blobs, distinct.len() + 2 * names.len());
    assert!(distinct.len() < total, "nothing shared");
    // The base is used 5 times (4 copies saved), wordpress-b reuses 2 of wordpress-a's
    // layers: 26 layers, 20 distinct.
    assert_eq!(total - distinct.len(), 4 + 2);
    check_with_python(&bytes, "set");
}

#[test]
fn nginx_conf_comes_from_the_copy_layer() {
    let bytes = build("nginx");
    let a = open("nginx", &bytes);
    let img = &a.images[0];
    let top = img.layers.len() - 1;
    let rows = union::merged(&a, img, top);
    let conf = rows
        .iter()
        .find(|r| r.path == RawPath::from("etc/nginx/nginx.conf"));
    let conf = conf.unwrap_or_else(|| panic!("no nginx.conf"));
    assert_eq!(conf.layer, 2, "COPY nginx.conf is the third layer");
    let member = conf.member.unwrap_or_default();
    let got =
        archive::read_entry_content(&bytes, &a, member, &conf.path, 1 << 20).unwrap_or_default();
    assert_eq!(got, demo::NGINX_CONF.as_bytes());
    // The RUN layer's packaged copy is still in the image, overwritten by the COPY.
    assert_eq!(
        union::layer_changes(&a, img, 2)
            .rows
            .iter()
            .find(|r| r.path == conf.path)
            .map(|r| r.change),
        Some(Change::Modified)
    );
    let instructions: Vec<&str> = img
        .history
        .iter()
        .filter_map(|h| h.created_by.as_deref())
        .collect();
    assert!(instructions
        .iter()
        .any(|c| c.contains("ENV NGINX_VERSION=")));
    assert!(instructions.iter().any(|c| c.contains("EXPOSE 80")));
    assert!(instructions
        .iter()
        .any(|c| c.contains("COPY file:") && c.contains("/etc/nginx/nginx.conf")));
    assert_eq!(
        img.config.cmd.as_deref(),
        Some(&["nginx".to_string(), "-g".into(), "daemon off;".into()][..])
    );
    assert_eq!(img.config.exposed_ports, vec!["80/tcp".to_string()]);
}

#[test]
fn whiteouts_demo_deletes_and_empties() {
    let bytes = build("whiteouts");
    let a = open("whiteouts", &bytes);
    let img = &a.images[0];
    let paths = |upto| -> BTreeSet<String> {
        union::merged(&a, img, upto)
            .iter()
            .map(|r| r.path.display().into_owned())
            .filter(|p| p.starts_with("app"))
            .collect()
    };
    let before = paths(1);
    assert!(
        before.contains("app/old-readme.txt")
            && before.contains("app/cache/page-1.html")
            && before.contains("app/config/app.ini")
    );
    let after = paths(3);
    let want: BTreeSet<String> = [
        "app",
        "app/cache",
        "app/cache/README",
        "app/logs",
        "app/server.py",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(after, want);
    let entries: Vec<String> = union::layer_entries(&a, img, 2)
        .iter()
        .map(|e| e.path.display().into_owned())
        .collect();
    assert!(entries.contains(&"app/.wh.old-readme.txt".to_string()));
    assert!(entries.contains(&"app/cache/.wh..wh..opq".to_string()));
    let entries: Vec<String> = union::layer_entries(&a, img, 3)
        .iter()
        .map(|e| e.path.display().into_owned())
        .collect();
    assert!(entries.contains(&"app/.wh.config".to_string()));
}

#[test]
fn demos_are_small_and_deterministic() {
    let set = demo::build_set(demo::names());
    assert_eq!(set, demo::build_set(demo::names()));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut gz, &set).ok();
    let gz = gz.finish().unwrap_or_default();
    assert!(gz.len() < 512 * 1024, "gzipped set is {} bytes", gz.len());
}
