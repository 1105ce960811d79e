//! `pancake diff` on the shared fixtures: the layer where two stacks part (checked against the
//! diff_ids Python computed in `.expected.json`) and the paths that differ.

use std::path::PathBuf;
use std::process::{Command, Output};

use pancake_core::digest::Digest;
use pancake_core::write::tarwrite::{self, Descriptor, SaveImage, TarEntry, TarWriter};
use pancake_core::RawPath;
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

fn diff_json(args: &[&str]) -> Value {
    let mut argv = vec!["diff", "--json"];
    argv.extend_from_slice(args);
    let o = pancake(&argv);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON: {e}"))
}

fn expected_diff_ids(name: &str, image: usize) -> Vec<String> {
    let p = fixtures().join(format!("{name}.expected.json"));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap_or_default())
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    v["images"][image]["layers"]
        .as_array()
        .map(|ls| {
            ls.iter()
                .filter_map(|l| l["diff_id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// (change, path, a_size, b_size) of every row.
fn rows(doc: &Value) -> Vec<(String, String, Option<u64>, Option<u64>)> {
    doc["paths"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| {
                    (
                        p["change"].as_str().unwrap_or("").to_string(),
                        p["path"].as_str().unwrap_or("").to_string(),
                        p["a_size"].as_u64(),
                        p["b_size"].as_u64(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The same file twice compares two of its images: sa-app3 is sa-app1 plus one layer
/// (`echo app3 > /data/app3.txt && rm -rf /data/keepdir`).
#[test]
fn two_images_of_one_file() {
    let f = fixture("docker26-save-multi-app1-app2-app3.tar");
    let app1 = expected_diff_ids("docker26-save-multi-app1-app2-app3.tar", 0);
    let app3 = expected_diff_ids("docker26-save-multi-app1-app2-app3.tar", 2);
    assert_eq!(app3.get(..app1.len()), Some(app1.as_slice()));
    let doc = diff_json(&[&f, &f, "--image-a", "0", "--image-b", "2"]);
    assert_eq!(doc["shared_layers"], app1.len());
    assert_eq!(doc["first_divergent_layer"]["a"], Value::Null);
    let b = &doc["first_divergent_layer"]["b"];
    assert_eq!(b["index"], app1.len());
    assert_eq!(
        b["diff_id"].as_str(),
        app3.get(app1.len()).map(String::as_str)
    );
    assert!(b["created_by"]
        .as_str()
        .is_some_and(|c| c.contains("echo app3")));
    assert_eq!(
        rows(&doc),
        vec![
            ("added".into(), "data/app3.txt".into(), None, Some(5)),
            ("deleted".into(), "data/keepdir".into(), Some(0), None),
            ("deleted".into(), "data/keepdir/k.txt".into(), Some(2), None),
        ]
    );
    assert_eq!(
        (
            &doc["added"],
            &doc["modified"],
            &doc["deleted"],
            &doc["added_bytes"]
        ),
        (
            &Value::from(1),
            &Value::from(0),
            &Value::from(2),
            &Value::from(5)
        )
    );
    // And the text view says the same.
    let o = pancake(&["diff", &f, &f, "--image-a", "0", "--image-b", "2"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains(&format!(
            "Layers: {} the same from the bottom (by ChainID); the first divergent layer is layer {}:",
            app1.len(),
            app1.len()
        )),
        "{text}"
    );
    assert!(
        text.contains("  A: no layer here (its stack ends below)"),
        "{text}"
    );
    assert!(
        text.contains("1 added (5B), 0 modified, 2 deleted (2B)"),
        "{text}"
    );
    // An image against itself.
    let same = diff_json(&[&f, &f, "--image-a", "1", "--image-b", "1"]);
    assert_eq!(same["first_divergent_layer"], Value::Null);
    assert_eq!(rows(&same), vec![]);
}

/// Across files: app1 and app2 share only their base layer.
#[test]
fn two_files_part_after_their_shared_base() {
    let a = expected_diff_ids("docker20-save-app1.tar", 0);
    let b = expected_diff_ids("docker20-save-app2.tar", 0);
    assert_eq!(a.first(), b.first());
    assert_ne!(a.get(1), b.get(1));
    let doc = diff_json(&[
        &fixture("docker20-save-app1.tar"),
        &fixture("docker20-save-app2.tar"),
    ]);
    assert_eq!(doc["shared_layers"], 1);
    assert_eq!(
        doc["first_divergent_layer"]["a"]["diff_id"].as_str(),
        a.get(1).map(String::as_str)
    );
    assert_eq!(
        doc["first_divergent_layer"]["b"]["diff_id"].as_str(),
        b.get(1).map(String::as_str)
    );
    let r = rows(&doc);
    let added: Vec<_> = r.iter().filter(|x| x.0 == "added").collect();
    assert_eq!(
        added,
        vec![
            &("added".to_string(), "srv".to_string(), None, Some(0)),
            &(
                "added".to_string(),
                "srv/app2.txt".to_string(),
                None,
                Some(5)
            ),
        ]
    );
    assert!(r.contains(&(
        "deleted".into(),
        "data/random.bin".into(),
        Some(200_000),
        None
    )));
    assert!(r
        .iter()
        .all(|x| x.0 == "added" || (x.0 == "deleted" && x.1.starts_with("data"))));
}

/// podman rebuilt the same image: no layer is shared by ChainID, but every file podman and
/// Docker both have holds the same bytes (compared byte for byte), so only the paths podman
/// adds for its runtime remain.
#[test]
fn rebuilt_image_differs_only_in_real_changes() {
    let doc = diff_json(&[
        &fixture("podman-oci-archive-app1.tar"),
        &fixture("docker20-save-app1.tar"),
    ]);
    assert_eq!(doc["shared_layers"], 0);
    assert_eq!(
        (&doc["added"], &doc["modified"]),
        (&Value::from(0), &Value::from(0))
    );
    let deleted: Vec<String> = rows(&doc).into_iter().map(|r| r.1).collect();
    assert_eq!(
        deleted,
        [
            "dev",
            "etc/hostname",
            "etc/hosts",
            "etc/resolv.conf",
            "proc",
            "run",
            "sys"
        ]
    );
    // Paths only on one side have no bytes to compare: `content_compared` says they were
    // not (the files both have were compared and, being equal, are not listed).
    assert!(doc["paths"].as_array().is_some_and(|ps| ps
        .iter()
        .all(|p| p["content_compared"] == false && p["content"] == "not-needed")));
}

#[test]
fn image_numbers_are_checked() {
    let f = fixture("docker20-save-app1.tar");
    let o = pancake(&["diff", &f, &f, "--image-b", "3"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no image 3 (the archive has 1, numbered from 0)"),
        "{err}"
    );
}

/// A `docker save` of one image whose layer `i` holds `layers[i]`, uncompressed, in the
/// order given (a hard link after its target), written under the test's temp dir as `name`.
fn save(name: &str, layers: &[Vec<TarEntry>]) -> String {
    let mut blobs = std::collections::HashMap::new();
    let mut descriptors = Vec::new();
    for entries in layers {
        let mut w = TarWriter::new(Vec::new());
        for e in entries {
            w.add(e).unwrap_or_else(|e| panic!("{e}"));
        }
        let tar = w.finish().unwrap_or_else(|e| panic!("{e}"));
        let d = Descriptor {
            media_type: "application/vnd.oci.image.layer.v1.tar".into(),
            digest: Digest::of_bytes(&tar),
            size: tar.len() as u64,
        };
        blobs.insert(d.digest.clone(), tar);
        descriptors.push(d);
    }
    let diff_ids: Vec<&Digest> = descriptors.iter().map(|d| &d.digest).collect();
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }))
    .unwrap_or_default();
    let image = SaveImage {
        tags: vec!["t:1".into()],
        config,
        layers: descriptors,
    };
    let bytes = tarwrite::write_docker_save(Vec::new(), &[image], &mut |d| {
        let b = blobs.get(&d.digest).cloned().unwrap_or_default();
        Ok(Box::new(std::io::Cursor::new(b)))
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("diff");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{e}"));
    path.display().to_string()
}

/// The last line of `pancake diff A B` in text: the counts.
fn summary_line(a: &str, b: &str) -> String {
    let o = pancake(&["diff", a, b]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    out.lines().last().unwrap_or("").to_string()
}

/// `f` + `x -> f` against `x` + `f -> x`: the same two names of one file with the same
/// bytes and mode, written in another order. Nothing differs (it listed both as modified).
#[test]
fn which_name_holds_a_hard_linked_files_bytes_is_no_difference() {
    let a = save(
        "hl_order_a.tar",
        &[vec![
            TarEntry::file("f", b"same\n".to_vec(), 0o644),
            TarEntry::hardlink("x", "f"),
        ]],
    );
    let b = save(
        "hl_order_b.tar",
        &[vec![
            TarEntry::file("x", b"same\n".to_vec(), 0o644),
            TarEntry::hardlink("f", "x"),
        ]],
    );
    let doc = diff_json(&[&a, &b]);
    assert_eq!(rows(&doc), []);
    assert_eq!(doc["modified"], 0);
    assert_eq!(summary_line(&a, &b), "Files: the same");
}

/// One 100-byte file with three names deleted, another added: 100 bytes each way, the file
/// counted once as `du` and `inspect` count it (it said 300B).
#[test]
fn hard_linked_bytes_are_counted_once() {
    let three = |name: &str, byte: u8| {
        let link = |n: &str| TarEntry::hardlink(format!("{name}{n}").as_str(), name);
        vec![
            TarEntry::file(name, vec![byte; 100], 0o644),
            link("1"),
            link("2"),
        ]
    };
    let a = save("hl_bytes_a.tar", &[three("f", b'x')]);
    let gone = ["f", "f1", "f2"]
        .map(|p| TarEntry::whiteout(&RawPath::from(p)))
        .to_vec();
    let b = save(
        "hl_bytes_b.tar",
        &[three("f", b'x'), gone, three("g", b'y')],
    );
    let doc = diff_json(&[&a, &b]);
    assert_eq!(
        (
            &doc["added"],
            &doc["added_bytes"],
            &doc["deleted"],
            &doc["deleted_bytes"]
        ),
        (
            &Value::from(3),
            &Value::from(100),
            &Value::from(3),
            &Value::from(100)
        )
    );
    assert_eq!(
        summary_line(&a, &b),
        "3 added (100B), 0 modified, 3 deleted (100B)"
    );
}
