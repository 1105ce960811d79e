//! `pancake find` on the shared fixtures: each path's history across layers, checked against
//! what the dive test image's Dockerfile did (its `created_by` steps) and the ggcr whiteout
//! image's layers.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn fixture(name: &str) -> String {
    let dir = match std::env::var_os("PANCAKE_FIXTURES") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures"),
    };
    dir.join(name).display().to_string()
}

fn pancake(args: &[&str]) -> Output {
    match Command::new(env!("CARGO_BIN_EXE_pancake"))
        .args(args)
        .output()
    {
        Ok(o) => o,
        Err(e) => panic!("cannot run pancake: {e}"),
    }
}

fn find_json(file: &str, pattern: &str) -> (Value, Output) {
    let out = pancake(&["find", &fixture(file), pattern, "--json"]);
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (doc, out)
}

/// `(layer, change, size, deleted_by)` of each event of `path` in a `--json` document.
fn story(doc: &Value, path: &str) -> Vec<(u64, String, u64, Option<String>)> {
    let paths = doc["paths"].as_array().cloned().unwrap_or_default();
    let Some(p) = paths.iter().find(|p| p["path"] == path) else {
        panic!("{path} not in {doc}")
    };
    p["events"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|e| {
            (
                e["layer"].as_u64().unwrap_or(u64::MAX),
                e["change"].as_str().unwrap_or("").to_string(),
                e["size"].as_u64().unwrap_or(u64::MAX),
                e["deleted_by"].as_str().map(str::to_string),
            )
        })
        .collect()
}

const DIVE: &str = "fixture_dive_test-docker-image.tar";

#[test]
fn dive_image_histories_follow_its_dockerfile() {
    let (doc, out) = find_json(DIVE, "/root/example/");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let d = |s: &str| Some(s.to_string());
    // cp (layer 3), chmod 444 (4), rm -rf /root/example/ (9: a whiteout of the directory).
    assert_eq!(
        story(&doc, "root/example/somefile1.txt"),
        vec![
            (3, "added".into(), 6405, None),
            (4, "modified".into(), 6405, None),
            (9, "deleted".into(), 6405, d("whiteout")),
        ]
    );
    // mv somefile3.txt /root/saved.txt (layer 7) deletes it before the rm.
    assert_eq!(
        story(&doc, "root/example/somefile3.txt"),
        vec![
            (6, "added".into(), 6405, None),
            (7, "deleted".into(), 6405, d("whiteout")),
        ]
    );
    // really, really/nested and the three files; not root/example itself (no `/` after it).
    assert_eq!(doc["total"], 5);
    let paths: Vec<&str> = doc["paths"]
        .as_array()
        .map(|a| a.iter().filter_map(|p| p["path"].as_str()).collect())
        .unwrap_or_default();
    assert!(paths.iter().all(|p| p.starts_with("root/example/")));
    let present: Vec<bool> = doc["paths"]
        .as_array()
        .map(|a| a.iter().filter_map(|p| p["present"].as_bool()).collect())
        .unwrap_or_default();
    assert_eq!(present, vec![false; 5]);
    let step = &doc["paths"][0]["events"][0]["created_by"];
    assert_eq!(step, "/bin/sh -c mkdir -p /root/example/really/nested");
}

#[test]
fn glob_on_names_and_text_table() {
    let out = pancake(&["find", &fixture(DIVE), "saved*.txt"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines
            .first()
            .map(|l| l.split_whitespace().collect::<Vec<_>>()),
        Some(vec![
            "PATH", "LAYER", "CHANGE", "KIND", "SIZE", "CREATED", "BY"
        ])
    );
    // root/saved.txt: added by the mv (layer 7), modified by chmod +x (layer 13).
    let saved: Vec<Vec<&str>> = lines
        .iter()
        .skip_while(|l| !l.starts_with("root/saved.txt "))
        .take(2)
        .map(|l| l.split_whitespace().take(5).collect())
        .collect();
    assert_eq!(
        saved,
        vec![
            vec!["root/saved.txt", "7", "added", "file", "6405"],
            vec!["13", "modified", "file", "6405", "/bin/sh"],
        ]
    );
    assert!(text.contains("root/.data/saved.again2.txt"));
    // Only names match a glob without `/`: somefile*.txt are not found by `saved*.txt`.
    assert!(!lines.iter().any(|l| l.starts_with("root/example/")));
}

#[test]
fn whiteout_image_in_json() {
    let (doc, out) = find_json("fixture_ggcr_mutate_whiteout_image.tar", "FOO");
    assert!(out.status.success());
    assert_eq!(doc["total"], 1);
    assert_eq!(doc["image"], 0);
    assert_eq!(
        story(&doc, "foo.txt"),
        vec![
            (0, "added".into(), 4, None),
            (1, "deleted".into(), 4, Some("whiteout".into())),
        ]
    );
}

#[test]
fn nothing_found_bad_glob_and_missing_image_fail() {
    let out = pancake(&["find", &fixture(DIVE), "no-such-name"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no path of image 0 matches \"no-such-name\""),
        "{err}"
    );
    // It counts every path of the layers (an empty text matches them all), not the paths the
    // query kept (none).
    let (all, _) = find_json(&fixture(DIVE), "");
    let total = all["total"].as_u64().unwrap_or(0);
    assert!(total > 10, "{all}");
    assert!(
        err.contains(&format!("({total} paths in its layers)")),
        "{err}"
    );

    let out = pancake(&["find", &fixture(DIVE), "[abc"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a valid glob pattern"));

    let out = pancake(&["find", &fixture(DIVE), "x", "--image", "5"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no image 5 (the archive has 1)"));
}
