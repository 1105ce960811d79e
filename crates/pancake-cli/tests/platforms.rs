//! Multi-platform archives: `inspect` lists every platform with its digest, present or "not
//! in this archive"; `--platform` chooses one. Archives made here (an OCI layout with an image
//! index of two platforms, both present, written with the core's tar writer and hashed with
//! sha2 in the test) and by `tests/fixtures/make_containerd_store.py` (Docker 29's
//! containerd-store save, arm64 absent; its facts file gives the digests).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pancake_core::write::tarwrite::{layer_tar, TarEntry, TarWriter};
use serde_json::{json, Value};

fn pancake(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pancake"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run pancake: {e}"))
}

fn sha(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let hex: String = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256:{hex}")
}

fn tmp(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("platforms-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{e}"));
    d
}

/// An OCI archive whose index.json points at an image index of linux/amd64 and
/// linux/arm64/v8, both present; each image has one layer with `/hello` = its architecture.
/// Returns the file and the two manifest digests.
fn two_platforms(dir: &Path) -> (PathBuf, Vec<String>) {
    two_platforms_typed(dir, "application/vnd.oci.image.layer.v1.tar")
}

/// [`two_platforms`] with amd64's layer descriptor giving `amd64_layer_type`.
fn two_platforms_typed(dir: &Path, amd64_layer_type: &str) -> (PathBuf, Vec<String>) {
    let mut blobs: Vec<(String, Vec<u8>)> = Vec::new();
    let mut descs = Vec::new();
    for (arch, variant) in [("amd64", None), ("arm64", Some("v8"))] {
        let layer = layer_tar(vec![TarEntry::file("hello", format!("{arch}\n"), 0o644)])
            .unwrap_or_else(|e| panic!("{e}"));
        let mut config = json!({"architecture": arch, "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": [sha(&layer)]},
            "history": [{"created_by": format!("COPY hello-{arch} /hello")}]});
        if let Some(v) = variant {
            config["variant"] = json!(v);
        }
        let config = serde_json::to_vec(&config).unwrap_or_default();
        let manifest = serde_json::to_vec(&json!({"schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": sha(&config), "size": config.len()},
            "layers": [{"mediaType": if arch == "amd64" { amd64_layer_type } else { "application/vnd.oci.image.layer.v1.tar" },
                        "digest": sha(&layer), "size": layer.len()}]}))
        .unwrap_or_default();
        let mut platform = json!({"os": "linux", "architecture": arch});
        if let Some(v) = variant {
            platform["variant"] = json!(v);
        }
        descs.push(
            json!({"mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": sha(&manifest), "size": manifest.len(), "platform": platform}),
        );
        blobs.push((sha(&layer), layer));
        blobs.push((sha(&config), config));
        blobs.push((sha(&manifest), manifest));
    }
    let digests: Vec<String> = descs
        .iter()
        .filter_map(|d| d["digest"].as_str().map(str::to_string))
        .collect();
    let index = serde_json::to_vec(&json!({"schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": descs}))
    .unwrap_or_default();
    let top = serde_json::to_vec(&json!({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "digest": sha(&index), "size": index.len(),
        "annotations": {"io.containerd.image.name": "docker.io/library/multi:1"}}]}))
    .unwrap_or_default();
    blobs.push((sha(&index), index));
    let mut w = TarWriter::new(Vec::new());
    let mut add = |path: &str, body: Vec<u8>| {
        w.add(&TarEntry::file(path, body, 0o644))
            .unwrap_or_else(|e| panic!("{e}"));
    };
    add("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec());
    add("index.json", top);
    for (d, b) in blobs {
        add(
            &format!("blobs/sha256/{}", d.trim_start_matches("sha256:")),
            b,
        );
    }
    let bytes = w.finish().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.join("multi.tar");
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{e}"));
    (path, digests)
}

fn json_of(args: &[&str]) -> Value {
    let o = pancake(args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_present_platform_can_be_chosen() {
    let dir = tmp("both");
    let (file, digests) = two_platforms(&dir);
    let f = file.display().to_string();
    let doc = json_of(&["inspect", "--json", &f]);
    let plats = doc["platforms"].as_array().cloned().unwrap_or_default();
    let got: Vec<(String, String, bool, Value)> = plats
        .iter()
        .map(|p| {
            (
                p["platform"].as_str().unwrap_or("").into(),
                p["manifest_digest"].as_str().unwrap_or("").into(),
                p["present"].as_bool().unwrap_or(false),
                p["image"].clone(),
            )
        })
        .collect();
    let d = |i: usize| digests.get(i).cloned().unwrap_or_default();
    assert_eq!(
        got,
        vec![
            ("linux/amd64".into(), d(0), true, json!(0)),
            ("linux/arm64/v8".into(), d(1), true, json!(1)),
        ]
    );
    assert_eq!(doc["images"][1]["architecture"], "arm64");
    // --platform keeps that image only; a spec without the variant matches it too.
    for spec in ["linux/arm64/v8", "linux/arm64", "Linux/ARM64"] {
        let one = json_of(&["inspect", "--json", "--platform", spec, &f]);
        let images = one["images"].as_array().cloned().unwrap_or_default();
        assert_eq!(images.len(), 1, "{spec}");
        assert_eq!(images[0]["architecture"], "arm64", "{spec}");
        assert_eq!(one["platforms"][1]["image"], json!(0), "{spec}");
        assert_eq!(one["platforms"][0]["image"], Value::Null, "{spec}");
    }
    // The text view lists both with their digests; the files of each can be read.
    let o = pancake(&["inspect", &f]);
    let text = String::from_utf8_lossy(&o.stdout);
    let short = |s: &str| s.get(..19).unwrap_or(s).to_string();
    assert!(text.contains("multi.tar: platforms of its index"), "{text}");
    let line = |p: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(p))
            .unwrap_or("")
            .to_string()
    };
    assert!(
        line("linux/amd64 ").contains(&short(&d(0))) && line("linux/amd64 ").ends_with("image 0"),
        "{text}"
    );
    assert!(
        line("linux/arm64/v8 ").contains(&short(&d(1)))
            && line("linux/arm64/v8 ").ends_with("image 1"),
        "{text}"
    );
    let cat = pancake(&["cat", &f, "/hello", "--image", "1"]);
    assert_eq!(cat.stdout, b"arm64\n");
    // `--platform` keeps the image its number in the file, the one `--image` takes: the
    // heading and the platform table say "image 1", as above.
    let o = pancake(&["inspect", "--platform", "linux/arm64", &f]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.lines()
            .next()
            .is_some_and(|l| l.contains("multi.tar — image 1: ")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("linux/arm64/v8 ") && l.ends_with("image 1")),
        "{text}"
    );
    let o = pancake(&["inspect", "--platform", "linux/arm/v7", &f]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no platform linux/arm/v7 (present: linux/amd64, linux/arm64/v8; listed but not in this archive: none)"),
        "{err}"
    );
}

#[test]
fn absent_platforms_are_listed_as_not_in_this_archive() {
    let dir = tmp("ctr");
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/make_containerd_store.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg(&dir)
        .output()
        .unwrap_or_else(|e| panic!("python3: {e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let facts: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("containerd-multiplatform-partial.tar.facts.json"))
            .unwrap_or_default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let present = facts["images"][0]["manifest_digest"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let absent = facts["missing_platforms"][0]["manifest_digest"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert_eq!(facts["missing_platforms"][0]["platform"], "linux/arm64/v8");
    for name in [
        "containerd-multiplatform-partial.tar",
        "containerd-multiplatform-partial-no-manifest.tar",
    ] {
        let f = dir.join(name).display().to_string();
        let doc = json_of(&["inspect", "--json", &f]);
        assert_eq!(
            doc["platforms"],
            json!([
                {"archive": f, "platform": "linux/amd64", "os": "linux", "architecture": "amd64",
                 "variant": null, "manifest_digest": present, "present": true, "image": 0},
                {"archive": f, "platform": "linux/arm64/v8", "os": "linux", "architecture": "arm64",
                 "variant": "v8", "manifest_digest": absent, "present": false, "image": null},
            ]),
            "{name}"
        );
        // The present one can be chosen, the absent one cannot.
        let one = json_of(&["inspect", "--json", "--platform", "linux/amd64", &f]);
        assert_eq!(one["images"].as_array().map(Vec::len), Some(1));
        let o = pancake(&["inspect", "--platform", "linux/arm64/v8", &f]);
        assert!(!o.status.success());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("platform linux/arm64/v8 is listed by the index but not in this archive (present: linux/amd64)"),
            "{err}"
        );
        let text = String::from_utf8_lossy(&pancake(&["inspect", &f]).stdout).into_owned();
        assert!(
            text.lines()
                .any(|l| l.trim_start().starts_with("linux/arm64/v8")
                    && l.ends_with("not in this archive")),
            "{text}"
        );
    }
}

/// A `docker save` has no index: each image is its own platform entry, `image` its place in
/// the JSON `images` (it was `null`, as for an absent platform).
#[test]
fn a_save_without_an_index_gives_each_platform_its_image() {
    let fixtures = match std::env::var_os("PANCAKE_FIXTURES") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures"),
    };
    let f = fixtures.join("docker20-save-app1.tar");
    if !f.exists() {
        panic!("fixture missing: {}", f.display());
    }
    let doc = json_of(&["inspect", "--json", &f.display().to_string()]);
    assert_eq!(doc["platforms"][0]["present"], json!(true));
    assert_eq!(
        doc["platforms"][0]["image"],
        json!(0),
        "{}",
        doc["platforms"]
    );
}

/// A problem about a layer of the image `--platform` keeps names that image as the JSON's
/// `images` holds it (index 0 there), not by its number in the file (1, past the end).
#[test]
fn a_kept_platforms_problems_point_at_it_in_the_json() {
    let dir = tmp("problem-origin");
    let (f, _) = two_platforms(&dir);
    // Damage arm64's layer: its `/hello` holds "arm64\n"; one byte changed.
    let mut bytes = std::fs::read(&f).unwrap_or_else(|e| panic!("{e}"));
    let at = bytes
        .windows(6)
        .position(|w| w == b"arm64\n")
        .unwrap_or_else(|| panic!("no arm64 layer content"));
    if let Some(b) = bytes.get_mut(at) {
        *b = b'A';
    }
    let bad = dir.join("multi-bad.tar");
    std::fs::write(&bad, &bytes).unwrap_or_else(|e| panic!("{e}"));
    let bad = bad.display().to_string();
    let origins = |doc: &Value| -> Vec<Value> {
        doc["problems"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|p| p["kind"] == "digest-mismatch")
            .map(|p| p["origin"]["image"].clone())
            .collect()
    };
    let all = json_of(&["inspect", "--json", &bad]);
    assert!(
        !origins(&all).is_empty() && origins(&all).iter().all(|i| *i == json!(1)),
        "{}",
        all["problems"]
    );
    let one = json_of(&["inspect", "--json", "--platform", "linux/arm64", &bad]);
    assert_eq!(one["images"].as_array().map(Vec::len), Some(1));
    assert!(
        !origins(&one).is_empty() && origins(&one).iter().all(|i| *i == json!(0)),
        "{}",
        one["problems"]
    );
    let other = json_of(&["inspect", "--json", "--platform", "linux/amd64", &bad]);
    assert!(
        origins(&other).iter().all(Value::is_null),
        "{}",
        other["problems"]
    );
}

/// `inspect --ci --platform` checks the image chosen, with the problems of the file's images
/// as they are numbered in the file: amd64's layer typed `text/plain` (containerd leaves it
/// out, so `docker load` with its store refuses amd64) fails amd64 alone, and arm64 passes.
#[test]
fn the_gate_on_one_platform_judges_that_platform_alone() {
    let dir = tmp("ci-platform");
    let (f, _) = two_platforms_typed(&dir, "text/plain");
    let f = f.display().to_string();
    let o = pancake(&["inspect", "--ci", "--platform", "linux/arm64", &f]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{out}");
    assert!(!out.contains("FAIL"), "{out}");
    assert!(out.contains("image 1:"), "{out}");
    let o = pancake(&["inspect", "--ci", "--platform", "linux/amd64", &f]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(!o.status.success(), "{out}");
    assert!(out.contains("image 0:"), "{out}");
    assert_eq!(
        out.matches("FAIL loadable: docker load refuses the image: ")
            .count(),
        1,
        "{out}"
    );
    assert!(
        out.contains("\"text/plain\" is not a layer media type"),
        "{out}"
    );
    assert!(!out.contains("refuses the file"), "{out}");
}
