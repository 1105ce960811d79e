//! Runs the built `pancake` binary on the shared fixtures and checks its output against the
//! fixtures' independently computed `.expected.json` (Python tarfile + hashlib).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn fixtures() -> PathBuf {
    match std::env::var_os("PANCAKE_FIXTURES") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures"),
    }
}

fn pancake(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_pancake"))
        .args(args)
        .output();
    match out {
        Ok(o) => o,
        Err(e) => panic!("cannot run pancake: {e}"),
    }
}

fn fixture(name: &str) -> String {
    fixtures().join(name).display().to_string()
}

fn expected(name: &str) -> Value {
    let p = fixtures().join(format!("{name}.expected.json"));
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn inspect_json(files: &[&str]) -> (Value, Output) {
    let mut args = vec!["inspect".to_string(), "--json".to_string()];
    args.extend(files.iter().map(|f| fixture(f)));
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = pancake(&argv);
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (doc, out)
}

fn arr(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or(&[])
}

/// Every image of `doc` from `file` matches the expected facts, field by field.
fn check_against_expected(doc: &Value, file: &str) {
    let exp = expected(file);
    // OCI-only archives list their images under `oci_index_images` (no repo tags there).
    let exp_images = match exp.get("images") {
        Some(v) => arr(v),
        None => arr(&exp["oci_index_images"]),
    };
    let ours: Vec<&Value> = arr(&doc["images"])
        .iter()
        .filter(|i| i["archive"].as_str().is_some_and(|a| a.ends_with(file)))
        .collect();
    assert_eq!(ours.len(), exp_images.len(), "{file}: image count");
    for ei in exp_images {
        let cfg = &ei["config"]["digest"];
        let Some(img) = ours.iter().find(|i| &i["config_digest"] == cfg) else {
            panic!("{file}: no image with config digest {cfg}")
        };
        let mut tags: Vec<&str> = arr(&img["tags"]).iter().filter_map(Value::as_str).collect();
        let mut want: Vec<&str> = arr(&ei["repo_tags"])
            .iter()
            .filter_map(Value::as_str)
            .collect();
        tags.sort_unstable();
        want.sort_unstable();
        if ei.get("repo_tags").is_some() {
            assert_eq!(tags, want, "{file}: tags");
        }
        assert_eq!(
            img["architecture"], ei["config"]["architecture"],
            "{file}: architecture"
        );
        assert_eq!(img["os"], ei["config"]["os"], "{file}: os");

        let layers = arr(&img["layers"]);
        let exp_layers = arr(&ei["layers"]);
        assert_eq!(layers.len(), exp_layers.len(), "{file}: layer count");
        for (n, (l, e)) in layers.iter().zip(exp_layers).enumerate() {
            let at = format!("{file} layer {n}");
            assert_eq!(l["diff_id"], e["diff_id"], "{at}: diff_id");
            assert_eq!(l["digest"], e["stored_sha256"], "{at}: digest");
            assert_eq!(l["size"], e["uncompressed_size"], "{at}: size");
            assert_eq!(l["stored_size"], e["stored_size"], "{at}: stored_size");
            assert_eq!(l["entries"], e["entries"], "{at}: entries");
            assert_eq!(l["whiteouts"], e["whiteout_count"], "{at}: whiteouts");
            assert_eq!(l["opaque_dirs"], e["opaque_dir_count"], "{at}: opaque_dirs");
            assert_eq!(l["verified"], e["diff_id_ok"], "{at}: verified");
        }

        let hist = arr(&img["history"]);
        let exp_hist = arr(&ei["config"]["history"]);
        assert_eq!(hist.len(), exp_hist.len(), "{file}: history length");
        for (h, e) in hist.iter().zip(exp_hist) {
            assert_eq!(
                h["created_by"], e["created_by"],
                "{file}: history created_by"
            );
            assert_eq!(
                h["empty_layer"], e["empty_layer"],
                "{file}: history empty_layer"
            );
        }
        // Each layer carries the created_by of the non-empty step that made it. A `#(nop) CMD`
        // (or ENV …) step not marked empty_layer, as buildah 1.28 writes the base's CMD, made
        // no layer holding files (every such layer here holds files): it gets none, the other
        // steps pair from the top and the bottom layer shows no step.
        let config_only = |h: &&Value| {
            [
                "CMD",
                "ENV",
                "LABEL",
                "EXPOSE",
                "ENTRYPOINT",
                "USER",
                "VOLUME",
            ]
            .iter()
            .any(|k| {
                h["created_by"]
                    .as_str()
                    .is_some_and(|c| c.contains(&format!("#(nop) {k} ")))
            })
        };
        let steps: Vec<&Value> = exp_hist
            .iter()
            .filter(|h| h["empty_layer"] != Value::Bool(true))
            .collect();
        if steps.len() == layers.len() {
            let kept: Vec<&Value> = steps.iter().copied().filter(|h| !config_only(h)).collect();
            let rule = if kept.len() == steps.len() {
                "in-order"
            } else {
                "from-top"
            };
            assert_eq!(img["history_pairing"], rule, "{file}: history_pairing");
            let bare = layers.len() - kept.len();
            for (n, l) in layers.iter().enumerate() {
                let want = n
                    .checked_sub(bare)
                    .and_then(|k| kept.get(k))
                    .map_or(Value::Null, |h| h["created_by"].clone());
                assert_eq!(l["created_by"], want, "{file} layer {n}: created_by");
            }
        }
    }
}

#[test]
fn json_matches_expected_for_valid_fixtures() {
    for f in [
        "docker20-save-app1.tar",
        "docker26-save-app1.tar",
        "docker20-save-app1.tar.gz",
        "fixture_dive_test-oci-zstd-image.tar",
        "podman-oci-archive-app1.tar",
        "docker26-save-multi-app1-app2-app3.tar",
    ] {
        let (doc, out) = inspect_json(&[f]);
        assert!(out.status.success(), "{f}: exit {:?}", out.status);
        check_against_expected(&doc, f);
        // buildah's history (podman) does not line up with its layers: one `history` note,
        // which names the pairing rule. Nothing else anywhere.
        let notes = usize::from(f.starts_with("podman"));
        assert_eq!(
            arr(&doc["problems"]).len(),
            notes,
            "{f}: problems {}",
            doc["problems"]
        );
        for p in arr(&doc["problems"]) {
            assert_eq!(p["kind"], "history", "{f}: {p}");
            assert!(
                p["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("paired from the top")
                        && m.contains("the bottom layer has no recorded step (base image)")),
                "{f}: {p}"
            );
        }
    }
}

#[test]
fn several_files_make_one_document() {
    let files = ["docker20-save-app2.tar", "docker26-save-app1.tar"];
    let (doc, out) = inspect_json(&files);
    assert!(out.status.success());
    assert_eq!(arr(&doc["images"]).len(), 2);
    for f in files {
        check_against_expected(&doc, f);
    }
}

#[test]
fn corrupt_layer_is_reported_not_fatal() {
    let f = "malformed-corrupt-layer-byte-docker20.tar";
    let (doc, out) = inspect_json(&[f]);
    assert!(out.status.success(), "digest mismatches still exit 0");
    check_against_expected(&doc, f);
    let layer1 = &doc["images"][0]["layers"][1];
    assert_eq!(layer1["verified"], Value::Bool(false));
    let computed = layer1["diff_id"].as_str().unwrap_or_default();
    let problems = arr(&doc["problems"]);
    assert!(
        problems.iter().any(|p| p["kind"] == "digest-mismatch"
            && p["message"]
                .as_str()
                .is_some_and(|m| m.contains(&computed["sha256:".len()..]))),
        "a digest-mismatch problem naming the computed digest: {problems:?}"
    );

    // The text view shows ✗ with both values.
    let text = pancake(&["inspect", &fixture(f)]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("✗"), "{text}");
    assert!(
        text.contains("sha256:ccce6783799fcd81a5e0d24be54505a5b1899460b7365e4b31697fd2c4cfb7fe"),
        "{text}"
    );
}

#[test]
fn missing_layer_keeps_its_place() {
    let (doc, out) = inspect_json(&["malformed-missing-layer-docker20.tar"]);
    assert!(out.status.success());
    let layers = arr(&doc["images"][0]["layers"]);
    assert_eq!(layers.len(), 6);
    assert_eq!(layers.get(3).map(|l| &l["diff_id"]), Some(&Value::Null));
    // Its size is unknown (the tar was never read), not 0; the others' are known.
    assert_eq!(layers.get(3).map(|l| &l["size"]), Some(&Value::Null));
    assert!(layers
        .iter()
        .enumerate()
        .all(|(i, l)| i == 3 || l["size"].as_u64().is_some_and(|n| n > 0)));
    assert_eq!(
        layers.get(3).map(|l| &l["verified"]),
        Some(&Value::Bool(false))
    );
    assert!(arr(&doc["problems"])
        .iter()
        .any(|p| p["kind"] == "missing-blob"));
    // The text says the missing layer's sizes are unknown, not 0B.
    let text = String::from_utf8_lossy(
        &pancake(&["inspect", &fixture("malformed-missing-layer-docker20.tar")]).stdout,
    )
    .into_owned();
    let line = text
        .lines()
        .find(|l| l.starts_with("   3 ✗"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.ends_with("digest —  size — (stored —)"), "{line}");
    // Nor are its counts and figures zeros: they were never taken.
    let l3 = layers.get(3).cloned().unwrap_or_default();
    for k in [
        "stored_size",
        "entries",
        "whiteouts",
        "opaque_dirs",
        "wasted_bytes",
        "hidden_bytes",
    ] {
        assert_eq!(l3[k], Value::Null, "{k}: {l3}");
    }
    // The image's figures would be another image's (its layer 3 never read): unknown too.
    assert_eq!(doc["images"][0]["efficiency"], Value::Null);
    assert_eq!(doc["images"][0]["wasted_bytes"], Value::Null);
    assert!(layers
        .iter()
        .enumerate()
        .all(|(i, l)| i == 3 || l["entries"].as_u64().is_some_and(|n| n > 0)));
    let next = text
        .lines()
        .skip_while(|l| !l.starts_with("   3 ✗"))
        .nth(1)
        .unwrap_or_default();
    assert_eq!(
        next.trim(),
        "entries not known: the blob is not in the archive"
    );
    // The history table's SIZE for the layer is "—", not the 0B of an index never read.
    let (header, rows) = history_table_in(&text, "image 0").unwrap_or_else(|| panic!("{text}"));
    let at = col(header, "SIZE");
    let sizes: Vec<String> = rows
        .iter()
        .map(|r| {
            r.chars()
                .skip(at)
                .take(8)
                .collect::<String>()
                .trim()
                .to_string()
        })
        .collect();
    assert_eq!(sizes.iter().filter(|s| *s == "—").count(), 1, "{sizes:?}");
}

/// `(header, rows)` of the first history table after the line containing `after`.
fn history_table_in<'a>(text: &'a str, after: &str) -> Option<(&'a str, Vec<&'a str>)> {
    let mut lines = text.lines().skip_while(|l| !l.contains(after));
    let header = lines.find(|l| l.starts_with("IMAGE "))?;
    Some((header, lines.take_while(|l| !l.is_empty()).collect()))
}

/// Character offset of a column title in a header line.
fn col(header: &str, title: &str) -> usize {
    header
        .find(title)
        .map(|b| header[..b].chars().count())
        .unwrap_or(0)
}

fn tail_from(line: &str, chars: usize) -> String {
    line.chars().skip(chars).collect()
}

/// Pancake's table against the one real `docker image history` (Docker 20.10.24, overlay2)
/// printed for the same image after `docker load` (files in tests/golden, made by
/// tests/docker_history_check.sh). IMAGE, CREATED BY, SIZE and COMMENT must match character
/// for character, padding included; CREATED is relative to "now", so only its form is checked.
fn check_history_golden(fixture_name: &str, after: &str, golden: &str, no_trunc: bool) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(golden);
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut args = vec!["inspect".to_string(), fixture(fixture_name)];
    if no_trunc {
        args.push("--no-trunc".into());
    }
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = pancake(&argv);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let (got_head, got_rows) =
        history_table_in(&text, after).unwrap_or_else(|| panic!("no table after {after}:\n{text}"));
    let (want_head, want_rows) =
        history_table_in(&want, "").unwrap_or_else(|| panic!("bad golden {golden}"));
    assert_eq!(got_rows.len(), want_rows.len(), "{golden}: rows\n{text}");
    let (g_created, w_created) = (col(got_head, "CREATED"), col(want_head, "CREATED"));
    let (g_by, w_by) = (col(got_head, "CREATED BY"), col(want_head, "CREATED BY"));
    assert_eq!(g_created, w_created, "{golden}: IMAGE column width");
    assert_eq!(
        tail_from(got_head, g_by),
        tail_from(want_head, w_by),
        "{golden}: header"
    );
    for (g, w) in got_rows.iter().zip(&want_rows) {
        let id: String = g.chars().take(g_created).collect();
        assert_eq!(
            id,
            w.chars().take(w_created).collect::<String>(),
            "{golden}: IMAGE"
        );
        assert_eq!(
            tail_from(g, g_by),
            tail_from(w, w_by),
            "{golden}: CREATED BY / SIZE / COMMENT\n{text}"
        );
        let created: String = g.chars().skip(g_created).take(g_by - g_created).collect();
        assert!(
            created.trim_end().ends_with(" ago"),
            "{golden}: CREATED {created:?}"
        );
    }
}

#[test]
fn history_table_matches_real_docker() {
    check_history_golden(
        "docker20-save-app1.tar",
        "image 0",
        "docker20-save-app1.tar.history.txt",
        false,
    );
    check_history_golden(
        "docker20-save-app1.tar",
        "image 0",
        "docker20-save-app1.tar.history-no-trunc.txt",
        true,
    );
    check_history_golden(
        "docker26-save-app1.tar",
        "image 0",
        "docker26-save-app1.tar.history.txt",
        false,
    );
    check_history_golden(
        "fixture_dive_test-docker-image.tar",
        "image 0",
        "fixture_dive_test-docker-image.tar.history.txt",
        false,
    );
    // buildah marks its base COPY empty and its CMD not: Docker (and we) pair by the flag.
    check_history_golden(
        "podman-docker-archive-app1.tar",
        "image 0",
        "podman-docker-archive-app1.tar.history.txt",
        false,
    );
    let multi = "docker26-save-multi-app1-app2-app3.tar";
    for tag in ["sa-app1", "sa-app2", "sa-app3"] {
        check_history_golden(
            multi,
            &format!(": {tag}:1"),
            &format!("{multi}.{tag}.history.txt"),
            false,
        );
    }
}

#[test]
fn ls_layer_and_merged() {
    let f = fixture("docker26-save-app1.tar");
    // Layer 3 is `RUN rm /data/b.txt`: one whiteout → b.txt deleted.
    let out = pancake(&["ls", &f, "--layer", "3"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .any(|l| l.starts_with("data/b.txt ") && l.trim_end().ends_with("deleted")),
        "{text}"
    );
    let merged = pancake(&["ls", &f, "--merged"]);
    let merged = String::from_utf8_lossy(&merged.stdout);
    assert!(!merged.contains("data/b.txt"), "{merged}");
    assert!(!merged.contains(".wh."), "{merged}");
    assert!(
        merged.lines().any(|l| l.starts_with("data/dir/new.txt ")),
        "{merged}"
    );
    assert!(!pancake(&["ls", &f, "--layer", "99"]).status.success());
}

#[test]
fn unreadable_input_fails_with_one_line() {
    let dir = std::env::temp_dir().join(format!("pancake-cli-test-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let empty = dir.join("empty.tar");
    let text = dir.join("notes.txt");
    let _ = std::fs::write(&empty, b"");
    let _ = std::fs::write(
        &text,
        b"this is not a tarball, just some words\n".repeat(40),
    );
    for (p, word) in [(&empty, "empty"), (&text, "not a tar")] {
        let out = pancake(&["inspect", &p.display().to_string()]);
        assert!(!out.status.success(), "{}", p.display());
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(
            err.contains(&p.display().to_string()) && err.contains(word),
            "{err}"
        );
    }
    let missing = pancake(&["inspect", "/nonexistent/x.tar"]);
    assert!(!missing.status.success());

    // A manifest that lists nothing is named, not called absent.
    use pancake_core::write::tarwrite::{TarEntry, TarWriter};
    let mut w = TarWriter::new(Vec::new());
    w.add(&TarEntry::file("manifest.json", b"[]".to_vec(), 0o644))
        .expect("entry");
    let listless = dir.join("listless.tar");
    std::fs::write(&listless, w.finish().expect("tar")).expect("write");
    let out = pancake(&["inspect", &listless.display().to_string()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.trim_end()
            .ends_with("no image could be read: manifest.json lists no image"),
        "{err}"
    );

    // A pipe (`<(docker save …)`) cannot be read at random places: said at once, before the
    // open (which, for a FIFO with no writer, would wait for ever).
    #[cfg(unix)]
    {
        let fifo = dir.join("save.fifo");
        let made = Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let out = pancake(&["inspect", &fifo.display().to_string()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(
            err.contains("not a regular file") && err.contains("save to a file first"),
            "{err}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The same image opened in two files is one image: a layer it shares with another image
/// names it once (text and JSON), as the storage figures count it once.
#[test]
fn an_image_opened_twice_is_named_once_among_a_layers_images() {
    let dir = std::env::temp_dir().join(format!("pancake-twice-test-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let mut files = Vec::new();
    for (demo, file) in [("nginx", "a.tar"), ("nginx", "b.tar"), ("mysql", "m.tar")] {
        let out = pancake(&["demo", demo]);
        assert!(out.status.success());
        let path = dir.join(file).display().to_string();
        let _ = std::fs::write(&path, &out.stdout);
        files.push(path);
    }
    let mut args = vec!["inspect", "--json"];
    args.extend(files.iter().map(String::as_str));
    let o = pancake(&args);
    assert!(o.status.success());
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap_or(Value::Null);
    let layers = arr(&doc["shared"]["layers"]);
    // The demos' nginx and mysql share their base layer; nginx's own layers are not shared
    // with anything (its second copy is the same image).
    assert_eq!(layers.len(), 1, "{doc}");
    assert_eq!(layers[0]["images"], serde_json::json!([0, 2]), "{doc}");
    let mut args = vec!["inspect"];
    args.extend(files.iter().map(String::as_str));
    let text = String::from_utf8_lossy(&pancake(&args).stdout).to_string();
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("chain "))
        .unwrap_or_default();
    assert!(
        line.ends_with("pancake-demo/nginx:1.25, pancake-demo/mysql:8.0"),
        "{line}"
    );
    // The two copies are named as one image, listed twice, with the same layers.
    assert_eq!(arr(&doc["shared"]["same_image"]).len(), 1, "{doc}");
    let same = &doc["shared"]["same_image"][0];
    assert_eq!(same["images"], serde_json::json!([0, 1]), "{doc}");
    assert_eq!(same["layers_differ"], false, "{doc}");
    assert_eq!(same["image_id"], doc["images"][0]["config_digest"], "{doc}");
    assert!(
        text.lines().any(|l| l
            .trim_start()
            .starts_with("pancake-demo/nginx:1.25 and pancake-demo/nginx:1.25 are one image (ID ")
            && l.contains("listed 2 times")
            && !l.contains("different layers")),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `manifest.json` naming one config twice with different layers: one image (one image ID)
/// whose second listing contradicts its config. Sharing counts it once and says so, rather
/// than a bare "none" beside two images that visibly have the same base layer.
#[test]
fn one_config_listed_twice_with_different_layers_is_said() {
    use pancake_core::digest::Digest;
    use pancake_core::write::tarwrite::{self, TarEntry, TarWriter};
    let layer = |name: &str| {
        tarwrite::layer_tar(vec![TarEntry::file(name, name.as_bytes().to_vec(), 0o644)])
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let (a, b, c) = (layer("a"), layer("b"), layer("c"));
    let (da, db, dc) = (
        Digest::of_bytes(&a),
        Digest::of_bytes(&b),
        Digest::of_bytes(&c),
    );
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [da, db]},
    }))
    .unwrap_or_default();
    let dcfg = Digest::of_bytes(&config);
    let path = |d: &Digest| format!("blobs/sha256/{}", d.hex());
    let manifest = serde_json::to_vec(&serde_json::json!([
        {"Config": path(&dcfg), "RepoTags": ["t:1"], "Layers": [path(&da), path(&db)]},
        {"Config": path(&dcfg), "RepoTags": ["t:2"], "Layers": [path(&da), path(&dc)]},
    ]))
    .unwrap_or_default();
    let mut w = TarWriter::new(Vec::new());
    for (name, bytes) in [
        (path(&da), a),
        (path(&db), b),
        (path(&dc), c),
        (path(&dcfg), config),
        ("manifest.json".to_string(), manifest),
    ] {
        w.add(&TarEntry::file(name.as_str(), bytes, 0o644))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let bytes = w.finish().unwrap_or_else(|e| panic!("{e}"));
    let dir = std::env::temp_dir().join(format!("pancake-samecfg-test-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let file = dir.join("same-config.tar");
    let _ = std::fs::write(&file, bytes);
    let file = file.display().to_string();
    let o = pancake(&["inspect", "--json", &file]);
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap_or(Value::Null);
    assert_eq!(arr(&doc["images"]).len(), 2, "{doc}");
    assert_eq!(arr(&doc["shared"]["layers"]).len(), 0, "{doc}");
    assert_eq!(
        doc["shared"]["same_image"],
        serde_json::json!([{"image_id": dcfg.to_string(), "images": [0, 1], "layers_differ": true}]),
        "{doc}"
    );
    // The listing that contradicts the config is the problem, named as a digest mismatch.
    let mismatches: Vec<&Value> = arr(&doc["problems"])
        .iter()
        .filter(|p| p["kind"] == "digest-mismatch")
        .collect();
    assert_eq!(mismatches.len(), 1, "{doc}");
    let text = String::from_utf8_lossy(&pancake(&["inspect", &file]).stdout).to_string();
    let shared: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("Shared layers"))
        .collect();
    assert_eq!(
        shared.get(1).map(|l| l.trim()),
        Some("none between different images"),
        "{text}"
    );
    assert!(
        shared.get(2).is_some_and(
            |l| l.trim_start().starts_with("t:1 and t:2 are one image (ID ")
                && l.contains("listed 2 times")
                && l.contains("the listings give different layers")
        ),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn demo_round_trips_through_the_reader() {
    let dir = std::env::temp_dir().join(format!("pancake-demo-test-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let names = pancake(&["demo"]);
    let names = String::from_utf8_lossy(&names.stdout).to_string();
    assert!(names.lines().any(|n| n == "nginx"), "{names}");
    let out = pancake(&["demo", "nginx"]);
    assert!(out.status.success());
    let tar = dir.join("nginx.tar");
    let _ = std::fs::write(&tar, &out.stdout);
    let (doc, st) = {
        let o = pancake(&["inspect", "--json", &tar.display().to_string()]);
        (
            serde_json::from_slice::<Value>(&o.stdout).unwrap_or(Value::Null),
            o.status,
        )
    };
    assert!(st.success());
    let layers = arr(&doc["images"][0]["layers"]);
    assert!(!layers.is_empty());
    assert!(
        layers.iter().all(|l| l["verified"] == Value::Bool(true)),
        "{doc}"
    );
    assert!(!pancake(&["demo", "no-such-demo"]).status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

/// A Docker 29 (containerd store) save of an image pulled for one platform: the other
/// platform is reported once, as information, and the command still exits 0.
#[test]
fn containerd_partial_multiplatform_save_exits_zero() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("cli-containerd-{}", std::process::id()));
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/make_containerd_store.py");
    let gen = Command::new("python3").arg(&script).arg(&dir).output();
    assert!(
        gen.as_ref().is_ok_and(|o| o.status.success()),
        "{}: {gen:?}",
        script.display()
    );
    let tar = dir
        .join("containerd-multiplatform-partial.tar")
        .display()
        .to_string();
    let out = pancake(&["inspect", "--json", &tar]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let images = arr(&doc["images"]);
    assert_eq!(images.len(), 1, "{doc}");
    assert_eq!(
        images.first().map(|i| &i["architecture"]),
        Some(&Value::from("amd64"))
    );
    assert!(arr(&images[0]["layers"])
        .iter()
        .all(|l| l["verified"] == Value::Bool(true)));
    let kinds: Vec<&Value> = arr(&doc["problems"]).iter().map(|p| &p["kind"]).collect();
    assert_eq!(kinds, [&Value::from("missing-platform")], "{doc}");
    let text = pancake(&["inspect", &tar]);
    assert!(text.status.success());
    assert!(String::from_utf8_lossy(&text.stdout).contains("linux/arm64/v8"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Sharing computed from expected.json files alone: `users` maps each ChainID used by two
/// or more images to `(diff_id, images)`; `images` are indexes in the order the files' images
/// are listed. ChainIDs by the OCI image-spec (`config.md`): `ChainID(L0) = DiffID(L0)`,
/// `ChainID(L0|…|Ln) = sha256(ChainID(L0|…|Ln-1) + " " + DiffID(Ln))`.
struct ExpectedSharing {
    users: BTreeMap<String, (String, BTreeSet<usize>)>,
    separate: u64,
    stored: u64,
    content_store: u64,
}

fn sharing_from_expected(files: &[&str]) -> ExpectedSharing {
    let mut users: BTreeMap<String, (String, BTreeSet<usize>)> = BTreeMap::new();
    let mut sizes: BTreeMap<String, u64> = BTreeMap::new();
    let mut blobs: BTreeMap<String, u64> = BTreeMap::new();
    let mut separate = 0;
    let mut n = 0;
    for f in files {
        for img in arr(&expected(f)["images"]) {
            let mut chain: Option<String> = None;
            for l in arr(&img["layers"]) {
                let (Some(d), Some(size)) =
                    (l["diff_id"].as_str(), l["uncompressed_size"].as_u64())
                else {
                    panic!("{f}: layer without diff_id or size")
                };
                let c = match &chain {
                    None => d.to_string(),
                    Some(below) => {
                        pancake_core::Digest::of_bytes(format!("{below} {d}").as_bytes())
                            .to_string()
                    }
                };
                users
                    .entry(c.clone())
                    .or_insert_with(|| (d.to_string(), BTreeSet::new()))
                    .1
                    .insert(n);
                sizes.insert(c.clone(), size);
                chain = Some(c);
                separate += size;
                if let (Some(b), Some(bs)) =
                    (l["stored_sha256"].as_str(), l["stored_size"].as_u64())
                {
                    blobs.insert(b.to_string(), bs);
                }
            }
            n += 1;
        }
    }
    users.retain(|_, (_, u)| u.len() >= 2);
    ExpectedSharing {
        users,
        separate,
        stored: sizes.values().sum(),
        content_store: blobs.values().sum(),
    }
}

/// Our `shared` section against the one computed from expected.json; `ours_of[k]` is our
/// index of the k-th expected image.
fn check_shared(doc: &Value, files: &[&str], ours_of: &[usize]) {
    let exp = sharing_from_expected(files);
    let got: BTreeMap<String, (String, BTreeSet<usize>)> = arr(&doc["shared"]["layers"])
        .iter()
        .map(|l| {
            let imgs = arr(&l["images"])
                .iter()
                .filter_map(Value::as_u64)
                .map(|i| i as usize)
                .collect();
            let s = |k: &str| l[k].as_str().unwrap_or_default().to_string();
            (s("chain_id"), (s("diff_id"), imgs))
        })
        .collect();
    let want: BTreeMap<String, (String, BTreeSet<usize>)> = exp
        .users
        .into_iter()
        .map(|(c, (d, u))| {
            let ours = u.iter().filter_map(|k| ours_of.get(*k).copied()).collect();
            (c, (d, ours))
        })
        .collect();
    assert_eq!(got, want, "{files:?}: shared layers");
    for (k, v) in [
        ("separate_bytes", exp.separate),
        ("stored_bytes", exp.stored),
        ("content_store_bytes", exp.content_store),
    ] {
        assert_eq!(doc["shared"][k].as_u64(), Some(v), "{files:?}: {k}");
    }
    for l in arr(&doc["shared"]["layers"]) {
        let d = &l["diff_id"];
        let size = arr(&doc["images"])
            .iter()
            .flat_map(|i| arr(&i["layers"]))
            .find(|x| &x["diff_id"] == d)
            .map(|x| &x["size"]);
        assert_eq!(Some(&l["size"]), size, "{d}: size");
    }
}

#[test]
fn shared_layers_in_one_tarball() {
    let f = "docker26-save-multi-app1-app2-app3.tar";
    let (doc, out) = inspect_json(&[f]);
    assert!(out.status.success());
    let exp = expected(f);
    // Our image for each expected image, by config digest.
    let ours_of: Vec<usize> = arr(&exp["images"])
        .iter()
        .map(|ei| {
            arr(&doc["images"])
                .iter()
                .position(|i| i["config_digest"] == ei["config"]["digest"])
                .unwrap_or_else(|| panic!("no image {}", ei["config"]["digest"]))
        })
        .collect();
    check_shared(&doc, &[f], &ours_of);
    // And the fixture's own `shared_layers` (diff_id → expected image indexes) says the same.
    let own: BTreeMap<String, BTreeSet<usize>> = exp["shared_layers"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(d, v)| {
                    let u = arr(v)
                        .iter()
                        .filter_map(Value::as_u64)
                        .filter_map(|k| ours_of.get(k as usize).copied());
                    (d.clone(), u.collect())
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(own.len(), 7, "{}", exp["shared_layers"]);
    // (Here every shared diff_id sits on the same layers below in each image using it, so
    // sharing by ChainID lists the same layers.)
    let got: BTreeMap<String, BTreeSet<usize>> = arr(&doc["shared"]["layers"])
        .iter()
        .map(|l| {
            let u = arr(&l["images"])
                .iter()
                .filter_map(Value::as_u64)
                .map(|i| i as usize);
            (
                l["diff_id"].as_str().unwrap_or_default().to_string(),
                u.collect(),
            )
        })
        .collect();
    assert_eq!(got, own);

    // The text view: one row per shared layer naming its images, then the two storage lines.
    let text = pancake(&["inspect", &fixture(f)]);
    let text = String::from_utf8_lossy(&text.stdout).to_string();
    let section: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("Shared layers"))
        .collect();
    assert_eq!(section.len(), 1 + 7 + 2, "{text}");
    for d in own.keys() {
        let short = d.get(..19).unwrap_or(d);
        let row = section
            .iter()
            .find(|l| l.contains(short))
            .unwrap_or_else(|| panic!("{short}:\n{text}"));
        assert!(
            row.contains("sa-app1:1") && row.contains("sa-app3:1"),
            "{row}"
        );
    }
    assert!(
        section.iter().rev().nth(1).is_some_and(|l| {
            l.starts_with("Layer store (Docker, by ChainID): ") && l.contains("saved")
        }),
        "{text}"
    );
    assert!(
        section.last().is_some_and(
            |l| l.starts_with("Content store (containerd, registry; blobs by digest): ")
        ),
        "{text}"
    );
}

#[test]
fn shared_layers_across_two_files() {
    let files = ["docker26-save-app1.tar", "docker26-save-app2.tar"];
    let (doc, out) = inspect_json(&files);
    assert!(out.status.success());
    check_shared(&doc, &files, &[0, 1]);
    // Independently: the diff_ids both expected.json files list.
    let ids = |f: &str| -> BTreeSet<String> {
        arr(&expected(f)["images"][0]["layers"])
            .iter()
            .filter_map(|l| l["diff_id"].as_str().map(str::to_string))
            .collect()
    };
    let both: Vec<String> = ids(files[0])
        .intersection(&ids(files[1]))
        .cloned()
        .collect();
    assert!(!both.is_empty());
    let got: Vec<&str> = arr(&doc["shared"]["layers"])
        .iter()
        .filter_map(|l| l["diff_id"].as_str())
        .collect();
    assert_eq!(got, both);
    assert!(arr(&doc["shared"]["layers"])
        .iter()
        .all(|l| l["images"] == serde_json::json!([0, 1])));
    let separate = doc["shared"]["separate_bytes"].as_u64().unwrap_or(0);
    let stored = doc["shared"]["stored_bytes"].as_u64().unwrap_or(0);
    let shared_size: u64 = arr(&doc["shared"]["layers"])
        .iter()
        .filter_map(|l| l["size"].as_u64())
        .sum();
    assert_eq!(
        separate - stored,
        shared_size,
        "each shared layer saves one copy"
    );

    // One image alone: the JSON key is there, empty; the text has no section.
    let (one, _) = inspect_json(&files[..1]);
    assert_eq!(arr(&one["shared"]["layers"]).len(), 0);
    assert_eq!(
        one["shared"]["separate_bytes"],
        one["shared"]["stored_bytes"]
    );
    let text = pancake(&["inspect", &fixture(files[0])]);
    assert!(!String::from_utf8_lossy(&text.stdout).contains("Shared layers"));
}

/// `pancake ls` rows as (path, kind, size, change); paths here have no spaces.
fn ls_rows(args: &[&str]) -> Vec<(String, String, u64, String)> {
    let out = pancake(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(1)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            let [.., kind, size, change] = cols.as_slice() else {
                return None;
            };
            Some((
                cols.first()?.to_string(),
                kind.to_string(),
                size.parse().ok()?,
                change.to_string(),
            ))
        })
        .collect()
}

fn size_of(rows: &[(String, String, u64, String)], path: &str) -> Option<(String, u64, String)> {
    rows.iter()
        .find(|r| r.0 == path)
        .map(|r| (r.1.clone(), r.2, r.3.clone()))
}

#[test]
fn json_wasted_bytes_and_efficiency() {
    let f = "docker26-save-app1.tar";
    let (doc, out) = inspect_json(&[f]);
    assert!(out.status.success());
    let img = &doc["images"][0];
    // From the fixture's listing (expected.json): COPY files/ stores data/hello.txt (12),
    // data/b.txt (14), data/dir/x.txt (2) and data/dir/sub/y.txt (2), later rewritten, deleted
    // by `rm` and hidden by the opaque `rm -rf data/dir` (30 bytes); the first RUN's
    // data/hello.txt (21) is replaced by the hard-link pair of the `ln` layer, whose 21 bytes
    // stay visible through both names.
    let wasted: Vec<u64> = arr(&img["layers"])
        .iter()
        .filter_map(|l| l["wasted_bytes"].as_u64())
        .collect();
    assert_eq!(wasted, vec![0, 30, 21, 0, 0, 0, 0]);
    assert_eq!(img["wasted_bytes"].as_u64(), Some(51));
    let exp = expected(f);
    let stored: u64 = arr(&exp["images"][0]["layers"])
        .iter()
        .filter_map(|l| l["regular_file_bytes"].as_u64())
        .sum();
    assert_eq!(stored, 2_182_391);
    let eff = img["efficiency"].as_f64().unwrap_or(-1.0);
    let want = (stored - 51) as f64 / stored as f64;
    assert!((eff - want).abs() < 1e-12, "{eff} vs {want}");
    // An image without waste scores exactly 1.
    let (doc, _) = inspect_json(&["docker20-save-app2.tar"]);
    assert_eq!(doc["images"][0]["efficiency"].as_f64(), Some(1.0));
    assert_eq!(doc["images"][0]["wasted_bytes"].as_u64(), Some(0));
}

#[test]
fn ls_shows_directory_sizes_in_both_views() {
    let f = fixture("docker26-save-app1.tar");
    let merged = ls_rows(&["ls", &f, "--merged"]);
    let dir = |p: &str| size_of(&merged, p).map(|(k, s, _)| (k, s));
    // bin: busybox (1,982,256 bytes) and its symlinks' targets (105 bytes), as `du
    // --apparent-size` and Docker's layer size count them.
    assert_eq!(dir("bin"), Some(("dir".into(), 1_982_361)));
    assert_eq!(dir("etc"), Some(("dir".into(), 30)));
    // data: hello.hardlink and its hard link hello.txt (21 bytes, one inode, counted once),
    // emoji (6), keepdir/k.txt (2), the long-named file (5), random.bin (200000), the
    // unicode file (16), dir/new.txt (4), and the targets of its two symlinks (15 and 14).
    assert_eq!(dir("data"), Some(("dir".into(), 200_083)));
    assert_eq!(dir("data/dir"), Some(("dir".into(), 4)));
    // The hard link shows its file's size.
    assert_eq!(dir("data/hello.txt"), Some(("hardlink".into(), 21)));
    // Layer 4 (`rm -rf /data/dir && mkdir … && echo new > …`): the directory holds what this
    // layer wrote under it; the deleted sub-directory what was deleted under it.
    let layer = ls_rows(&["ls", &f, "--layer", "4"]);
    assert_eq!(
        size_of(&layer, "data/dir"),
        Some(("dir".into(), 4, "modified".into()))
    );
    assert_eq!(
        size_of(&layer, "data/dir/sub"),
        Some(("dir".into(), 2, "deleted".into()))
    );
    assert_eq!(size_of(&layer, "data").map(|r| r.1), Some(4));
}

#[test]
fn same_diff_id_on_different_bases_is_not_shared() {
    // go-containerregistry's mutate fixtures: both top layers are sha256:84ff9269…, on
    // different layers below. Docker's layer store keeps two layers; the content store one blob.
    let files = [
        "fixture_ggcr_mutate_overwritten_file.tar",
        "fixture_ggcr_mutate_whiteout_image.tar",
    ];
    let (doc, out) = inspect_json(&files);
    assert!(out.status.success());
    let top = |k: usize| doc["images"][k]["layers"][2]["diff_id"].clone();
    assert_eq!(top(0), top(1));
    assert!(top(0)
        .as_str()
        .is_some_and(|d| d.starts_with("sha256:84ff9269")));
    check_shared(&doc, &files, &[0, 1]);
    assert_eq!(arr(&doc["shared"]["layers"]).len(), 0);
    assert_eq!(
        doc["shared"]["stored_bytes"],
        doc["shared"]["separate_bytes"]
    );
    assert_eq!(doc["shared"]["stored_bytes"].as_u64(), Some(6 * 10240));
    assert_eq!(
        doc["shared"]["content_store_bytes"].as_u64(),
        Some(5 * 10240)
    );
}

/// Issue 10 kind 7: a file that cannot be read at all is still a JSON document whose
/// `problems` say why (kind, member, message, archive), with no images, and a non-zero exit;
/// beside a readable file, that file's images are kept.
#[test]
fn unreadable_files_are_reported_in_the_json_too() {
    let dir = std::env::temp_dir().join(format!("pancake-cli-json-fail-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let text = dir.join("notes.txt");
    let _ = std::fs::write(&text, b"not a tarball at all\n".repeat(40));
    let text = text.display().to_string();
    let null_manifest = fixture("fixture_ggcr_tarball_null_manifest.tar");
    for (file, kind, member, words) in [
        (text.as_str(), "archive", None, "not a tar archive"),
        (
            null_manifest.as_str(),
            "metadata",
            Some("manifest.json"),
            "expected a JSON array, got null",
        ),
    ] {
        let out = pancake(&["inspect", "--json", file]);
        assert!(!out.status.success(), "{file}");
        let doc: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{file}: stdout is not JSON: {e}"));
        assert_eq!(arr(&doc["images"]).len(), 0);
        let problems = arr(&doc["problems"]);
        assert!(
            problems.iter().any(|p| p["kind"] == kind
                && p["member"].as_str() == member
                && p["archive"] == file
                && p["message"].as_str().is_some_and(|m| m.contains(words))),
            "{file}: {problems:#?}"
        );
    }
    // One good file, one bad: the good one's image, the bad one's problem, exit non-zero.
    let out = pancake(&[
        "inspect",
        "--json",
        &fixture("docker20-save-app2.tar"),
        &text,
    ]);
    assert!(!out.status.success());
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(arr(&doc["images"]).len(), 1);
    assert!(arr(&doc["problems"])
        .iter()
        .any(|p| p["archive"] == text.as_str()));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The three verification states reach the JSON: every layer of a Docker save is
/// `verified`; a legacy save's are `not-checkable` with the reason; `verified` stays the
/// boolean summary.
#[test]
fn verification_state_and_reason_in_the_json() {
    let (doc, out) = inspect_json(&["docker20-save-app1.tar"]);
    assert!(out.status.success());
    for l in arr(&doc["images"][0]["layers"]) {
        assert_eq!(l["verification"], "verified");
        assert_eq!(l["verified"], true);
        assert!(l["verification_reason"].is_null());
    }
    let (doc, out) = inspect_json(&["fixture_ggcr_tarball_no_manifest.tar"]);
    assert!(out.status.success());
    let layers = arr(&doc["images"][0]["layers"]);
    assert!(!layers.is_empty());
    for l in layers {
        assert_eq!(l["verification"], "not-checkable");
        assert_eq!(l["verified"], false);
        assert!(l["verification_reason"]
            .as_str()
            .is_some_and(|r| r.contains("claims no digest")));
        // The diff_id was still computed here.
        assert!(l["diff_id"]
            .as_str()
            .is_some_and(|d| d.starts_with("sha256:")));
    }
    let (doc, _) = inspect_json(&["malformed-missing-layer-docker20.tar"]);
    assert!(arr(&doc["images"][0]["layers"])
        .iter()
        .any(|l| l["verification"] == "missing" && l["verified"] == false));
}

/// The text view marks a layer that cannot be checked with ○ and says why (not ✗).
#[test]
fn text_view_shows_the_neutral_state_with_its_reason() {
    let out = pancake(&["inspect", &fixture("fixture_ggcr_tarball_no_manifest.tar")]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(" ○ diff_id sha256:"), "{text}");
    assert!(text.contains("○ not-checkable: "), "{text}");
    assert!(!text.contains(" ✗ diff_id"), "{text}");
}

/// Where docker history's pairing (the n-th step not marked empty gets the n-th layer's size)
/// differs from the layers' own (buildah's base CMD not marked empty), the table stays
/// Docker's and each differing row is said under it, after a blank line.
#[test]
fn rows_whose_pairing_differs_are_said_under_the_table() {
    let out = pancake(&["inspect", &fixture("podman-docker-archive-app1.tar")]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let notes: Vec<&str> = text.lines().filter(|l| l.starts_with("≠ ")).collect();
    assert_eq!(
        notes,
        [
            "≠ history[1] (/bin/sh -c #(nop) CMD [\"/bin/sh\"]): docker history shows layer 0's size on it; the layers below pair it with no layer"
        ],
        "{text}"
    );
    // A save whose steps line up one to one has no such line.
    let out = pancake(&["inspect", &fixture("docker26-save-app1.tar")]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(!text.lines().any(|l| l.starts_with("≠ ")), "{text}");
}
