//! `pancake diff` where files were rewritten by another layer with the same size and mode:
//! their bytes are compared (one pass per layer), and the JSON's `content_compared` says
//! whether they really were.

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;

use pancake_core::digest::Digest;
use pancake_core::write::tarwrite::{self, Descriptor, SaveImage, TarEntry};
use serde_json::Value;

/// A `docker save` of one image per entry of `layers`, each a single gzip layer holding
/// those files (mode 0644), written under the test's temp dir as `name`.
fn save(name: &str, layers: &[Vec<(&str, Vec<u8>)>]) -> PathBuf {
    let with_modes: Vec<Vec<(&str, Vec<u8>, u32)>> = layers
        .iter()
        .map(|l| l.iter().map(|(p, b)| (*p, b.clone(), 0o644)).collect())
        .collect();
    save_modes(name, &with_modes)
}

/// [`save`] with each file's mode given.
fn save_modes(name: &str, layers: &[Vec<(&str, Vec<u8>, u32)>]) -> PathBuf {
    use flate2::{write::GzEncoder, Compression};
    let mut blobs = std::collections::HashMap::new();
    let mut images = Vec::new();
    for (n, files) in layers.iter().enumerate() {
        let tar = tarwrite::layer_tar(
            files
                .iter()
                .map(|(p, b, mode)| TarEntry::file(*p, b.clone(), *mode))
                .collect(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let diff_id = Digest::of_bytes(&tar);
        let mut e = GzEncoder::new(Vec::new(), Compression::fast());
        e.write_all(&tar).unwrap_or_else(|e| panic!("{e}"));
        let gz = e.finish().unwrap_or_else(|e| panic!("{e}"));
        let d = Descriptor {
            media_type: "application/vnd.oci.image.layer.v1.tar+gzip".into(),
            digest: Digest::of_bytes(&gz),
            size: gz.len() as u64,
        };
        blobs.insert(d.digest.clone(), gz);
        let config = serde_json::to_vec(&serde_json::json!({
            "architecture": "amd64", "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": [diff_id]},
            "history": [{"created_by": format!("COPY . / # {n}")}],
        }))
        .unwrap_or_default();
        images.push(SaveImage {
            tags: vec![format!("t:{n}")],
            config,
            layers: vec![d],
        });
    }
    let bytes = tarwrite::write_docker_save(Vec::new(), &images, &mut |d| {
        let b = blobs.get(&d.digest).cloned().unwrap_or_default();
        Ok(Box::new(std::io::Cursor::new(b)))
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("diff_content");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{e}"));
    path
}

fn diff(file: &std::path::Path, json: bool) -> (String, bool) {
    let f = file.display().to_string();
    let mut args = vec!["diff", f.as_str(), f.as_str(), "--image-b", "1"];
    if json {
        args.push("--json");
    }
    let o = Command::new(env!("CARGO_BIN_EXE_pancake"))
        .args(&args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run pancake: {e}"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        o.status.success(),
    )
}

/// Two images each of one layer, the same four paths with the same sizes and modes: `same`
/// holds the same bytes (not listed), `other` other bytes (compared: `content_compared` true,
/// `content` "differs", change "modified"), `big` is over the 64 MiB bound (not compared:
/// `content_compared` false, "too-large", listed as rewritten in the text), `gone` only in A
/// (deleted: nothing to compare, `content_compared` false).
#[test]
fn content_compared_says_whether_bytes_were_compared() {
    let big = (64 << 20) + 1;
    let file = save(
        "rewritten.tar",
        &[
            vec![
                ("big", vec![0u8; big]),
                ("gone", b"bye".to_vec()),
                ("other", b"0123456789".to_vec()),
                ("same", b"same bytes".to_vec()),
            ],
            vec![
                ("big", vec![1u8; big]),
                ("other", b"9876543210".to_vec()),
                ("same", b"same bytes".to_vec()),
            ],
        ],
    );
    let (out, _) = diff(&file, true);
    let doc: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let rows: Vec<(String, String, String, bool)> = doc["paths"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| {
                    (
                        p["path"].as_str().unwrap_or("").to_string(),
                        p["change"].as_str().unwrap_or("").to_string(),
                        p["content"].as_str().unwrap_or("").to_string(),
                        p["content_compared"] == true,
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        rows,
        vec![
            ("big".into(), "modified".into(), "too-large".into(), false),
            ("gone".into(), "deleted".into(), "not-needed".into(), false),
            ("other".into(), "modified".into(), "differs".into(), true),
        ]
    );
    assert_eq!(
        (&doc["modified"], &doc["deleted"]),
        (&Value::from(2), &Value::from(1))
    );
    let (text, _) = diff(&file, false);
    let table: Vec<Vec<&str>> = text
        .lines()
        .map(|l| l.split_whitespace().take(2).collect())
        .collect();
    assert!(table.contains(&vec!["rewritten", "big"]), "{text}");
    assert!(table.contains(&vec!["modified", "other"]), "{text}");
    assert!(
        !table
            .iter()
            .any(|r| r.get(1) == Some(&"same") && r.first() != Some(&"rewritten:")),
        "{text}"
    );
    assert!(
        text.contains(
            "rewritten: same size and mode, written by another layer, larger than 67.1MB"
        ),
        "{text}"
    );
}

/// A `chmod` alone is a modification, and the text and the JSON say the two modes; the
/// bytes are still compared, so a `chmod` that came with new bytes of the same size says
/// both ("differs"), and one that did not says they are the same ("same").
#[test]
fn a_changed_mode_is_said_in_text_and_json() {
    let file = save_modes(
        "modes.tar",
        &[
            vec![
                ("run", b"#!/bin/sh\n".to_vec(), 0o644),
                ("tool", b"version 1\n".to_vec(), 0o644),
            ],
            vec![
                ("run", b"#!/bin/sh\n".to_vec(), 0o755),
                ("tool", b"version 2\n".to_vec(), 0o755),
            ],
        ],
    );
    let (text, _) = diff(&file, false);
    assert!(
        text.lines()
            .any(|l| l == "mode of run: 0644 in A, 0755 in B"),
        "{text}"
    );
    let (json, _) = diff(&file, true);
    let doc: Value = serde_json::from_str(&json).unwrap_or(Value::Null);
    assert_eq!(doc["paths"][0]["path"], "run", "{doc}");
    assert_eq!(doc["paths"][0]["change"], "modified", "{doc}");
    assert_eq!(
        doc["paths"][0]["modes"],
        serde_json::json!({"a": "0644", "b": "0755"}),
        "{doc}"
    );
    assert_eq!(doc["paths"][0]["content"], "same", "{doc}");
    assert_eq!(doc["paths"][0]["content_compared"], true, "{doc}");
    assert_eq!(doc["paths"][1]["path"], "tool", "{doc}");
    assert_eq!(doc["paths"][1]["content"], "differs", "{doc}");
    assert_eq!(doc["modified"], 2, "{doc}");
}
