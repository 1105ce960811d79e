//! `pancake inspect --ci`: dive's rules and defaults, `.pancake-ci.yaml`, flags over the file.
//! User bytes come from the fixture's `.expected.json` (Python: regular-file bytes per layer).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

fn pancake_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pancake"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run pancake: {e}"))
}

/// A fresh empty directory for one test (no `.pancake-ci.yaml` unless the test writes one).
fn workdir(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("ci-gate-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
    d
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

const DIVE: &str = "fixture_dive_test-docker-image.tar";

/// Content bytes the layers above the base store, from Python's reading of the fixture.
fn user_bytes(name: &str) -> u64 {
    let p = fixtures().join(format!("{name}.expected.json"));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap_or_default())
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    v["images"][0]["layers"]
        .as_array()
        .map(|ls| {
            ls.iter()
                .skip(1)
                .filter_map(|l| l["regular_file_bytes"].as_u64())
                .sum()
        })
        .unwrap_or(0)
}

fn wasted_bytes(dir: &Path, name: &str) -> u64 {
    let o = pancake_in(dir, &["inspect", "--json", &fixture(name)]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    v["images"][0]["wasted_bytes"].as_u64().unwrap_or(u64::MAX)
}

#[test]
fn default_rules_are_dives() {
    let dir = workdir("defaults");
    let user = user_bytes(DIVE);
    assert_eq!(user, 66_237);
    let wasted = wasted_bytes(&dir, DIVE);
    let o = pancake_in(&dir, &["inspect", "--ci", &fixture(DIVE)]);
    let (out, err) = text(&o);
    assert!(!o.status.success(), "{out}");
    assert_eq!(err.trim(), "pancake: CI: 1 rule(s) failed");
    let ratio = wasted as f64 / user as f64;
    assert!(ratio > 0.1, "{ratio}");
    assert!(
        out.contains("  PASS lowestEfficiency: efficiency="),
        "{out}"
    );
    assert!(
        out.contains("  SKIP highestWastedBytes: rule disabled"),
        "{out}"
    );
    let want = format!(
        "  FAIL highestUserWastedPercent: too many bytes wasted, relative to the bytes added above the base (user-wasted={ratio:.4}, threshold=0.1)"
    );
    assert!(out.lines().any(|l| l == want), "{want}\n{out}");
    assert!(out.contains(&format!("({wasted} bytes)")), "{out}");
    assert!(
        out.contains(&format!("({user} bytes) stored above the base layer")),
        "{out}"
    );
    assert!(
        out.ends_with("Result: FAIL [Total:3] [Passed:1] [Failed:1] [Skipped:1]\n"),
        "{out}"
    );
}

#[test]
fn config_file_then_flags() {
    let dir = workdir("config");
    let wasted = wasted_bytes(&dir, DIVE);
    // Just below and just above the image's wasted bytes.
    std::fs::write(
        dir.join(".pancake-ci.yaml"),
        format!(
            "rules:\n  lowestEfficiency: 0.99\n  highestWastedBytes: {}\n  highestUserWastedPercent: disabled\n",
            wasted - 1
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = pancake_in(&dir, &["inspect", "--ci", &fixture(DIVE)]);
    let (out, _) = text(&o);
    assert!(!o.status.success());
    assert!(
        out.contains("  FAIL lowestEfficiency: image efficiency is too low (efficiency="),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "  FAIL highestWastedBytes: too many bytes wasted (wasted-bytes={wasted}, threshold={})",
            wasted - 1
        )),
        "{out}"
    );
    assert!(
        out.contains("  SKIP highestUserWastedPercent: rule disabled"),
        "{out}"
    );
    // Flags win over the file.
    let o = pancake_in(
        &dir,
        &[
            "inspect",
            "--ci",
            "--lowest-efficiency",
            "0.5",
            "--highest-wasted-bytes",
            &format!("{wasted}"),
            &fixture(DIVE),
        ],
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}{err}");
    assert!(
        out.contains(&format!(
            "  PASS highestWastedBytes: wasted-bytes={wasted}, threshold={wasted}"
        )),
        "{out}"
    );
    assert!(
        out.ends_with("Result: PASS [Total:3] [Passed:2] [Failed:0] [Skipped:1]\n"),
        "{out}"
    );
    // Sizes with units, as dive reads them: 1 kB = 1000 bytes.
    let o = pancake_in(
        &dir,
        &[
            "inspect",
            "--ci",
            "--highest-wasted-bytes",
            "1MB",
            "--lowest-efficiency",
            "disabled",
            &fixture(DIVE),
        ],
    );
    let (out, _) = text(&o);
    assert!(
        out.lines().any(
            |l| l.starts_with("  PASS highestWastedBytes: wasted-bytes=")
                && l.ends_with(", threshold=1000000")
        ),
        "{out}"
    );
    // Another config file named explicitly; a typo in a rule name is an error.
    std::fs::write(dir.join("typo.yaml"), "rules:\n  lowestEfficency: 0.9\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let o = pancake_in(
        &dir,
        &[
            "inspect",
            "--ci",
            "--ci-config",
            "typo.yaml",
            &fixture(DIVE),
        ],
    );
    let (out, err) = text(&o);
    assert!(!o.status.success() && out.is_empty(), "{out}");
    assert!(
        err.contains("typo.yaml: unknown rule \"lowestEfficency\""),
        "{err}"
    );
    let o = pancake_in(
        &dir,
        &[
            "inspect",
            "--ci",
            "--highest-wasted-bytes",
            "lots",
            &fixture(DIVE),
        ],
    );
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(
        err.contains("highestWastedBytes: \"lots\" is not a size"),
        "{err}"
    );
}

#[test]
fn every_image_of_every_file_is_checked() {
    let dir = workdir("multi");
    let o = pancake_in(
        &dir,
        &[
            "inspect",
            "--ci",
            &fixture("docker26-save-multi-app1-app2-app3.tar"),
            &fixture("docker20-save-app1.tar"),
        ],
    );
    let (out, err) = text(&o);
    assert_eq!(
        out.matches("  PASS lowestEfficiency").count()
            + out.matches("  FAIL lowestEfficiency").count(),
        4,
        "{out}"
    );
    assert!(out.contains("— image 2: "), "{out}");
    assert_eq!(
        o.status.success(),
        out.contains("Result: PASS"),
        "{out}{err}"
    );
}

/// A damaged file whose listing is whole (one byte of a layer flipped): its figures pass every
/// rule, but the gate fails it, naming the layer and the claim that failed.
#[test]
fn a_layer_that_fails_its_digests_fails_the_gate() {
    let dir = workdir("damaged");
    let o = pancake_in(
        &dir,
        &[
            "inspect",
            "--ci",
            &fixture("malformed-corrupt-layer-byte-docker20.tar"),
        ],
    );
    let (out, _) = text(&o);
    assert!(!o.status.success(), "{out}");
    let line = out
        .lines()
        .find(|l| l.starts_with("  FAIL verified: "))
        .unwrap_or_else(|| panic!("no FAIL verified line: {out}"));
    assert!(
        line.contains("/layer.tar): diff_id (config rootfs.diff_ids["),
        "{line}"
    );
    assert!(!out.contains("FAIL complete"), "{out}");
    assert!(out.contains("PASS lowestEfficiency"), "{out}");
    assert!(
        out.contains("Result: FAIL [Total:4] [Passed:2] [Failed:1] [Skipped:1]"),
        "{out}"
    );
    // A whole, undamaged save passes as before.
    let o = pancake_in(
        &dir,
        &["inspect", "--ci", &fixture("docker20-save-app1.tar")],
    );
    let (out, _) = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(!out.contains("FAIL verified"), "{out}");
}

/// A `.tar.gz` save whose outer gzip fails its checksum after every member was read (its
/// CRC-32 trailer changed): every layer verifies, but what no digest covers (the tags) may not
/// be what was saved, so the gate fails it once, `FAIL intact`, naming the stream's error; the
/// same save whole passes. A file from which no image could be read is `FAIL readable`, never
/// a PASS over nothing.
#[test]
fn a_damaged_or_unreadable_file_fails_the_gate() {
    let dir = workdir("intact");
    let mut gz = std::fs::read(fixtures().join("docker20-save-app1.tar.gz")).expect("fixture");
    let at = gz.len() - 8;
    gz[at] ^= 0xff;
    let damaged = dir.join("crc.tar.gz");
    std::fs::write(&damaged, &gz).expect("write");
    let o = pancake_in(&dir, &["inspect", "--ci", &damaged.display().to_string()]);
    let (out, _) = text(&o);
    assert!(!o.status.success(), "{out}");
    let line = out
        .lines()
        .find(|l| l.starts_with("  FAIL intact: "))
        .unwrap_or_else(|| panic!("no FAIL intact line: {out}"));
    assert!(line.contains("checksum"), "{line}");
    assert!(
        !out.contains("FAIL verified") && !out.contains("FAIL complete"),
        "{out}"
    );
    assert!(
        out.contains("Result: FAIL [Total:4] [Passed:2] [Failed:1] [Skipped:1]"),
        "{out}"
    );
    let o = pancake_in(
        &dir,
        &["inspect", "--ci", &fixture("docker20-save-app1.tar.gz")],
    );
    let (out, _) = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(!out.contains("FAIL intact"), "{out}");
    // Bytes after a whole gzip stream that checked out are no damage (docker load ignores
    // them; `inspect` notes them as a tar-quirk): the gate passes.
    let mut padded = std::fs::read(fixtures().join("docker20-save-app1.tar.gz")).expect("fixture");
    padded.extend_from_slice(b"JUNKJUNK");
    let trailing = dir.join("trailing.tar.gz");
    std::fs::write(&trailing, &padded).expect("write");
    let o = pancake_in(&dir, &["inspect", "--ci", &trailing.display().to_string()]);
    let (out, _) = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(!out.contains("FAIL"), "{out}");

    let o = pancake_in(
        &dir,
        &[
            "inspect",
            "--ci",
            &fixture("malformed-bad-gzip-truncated.tar.gz"),
            &fixture("docker20-save-app1.tar"),
        ],
    );
    let (out, err) = text(&o);
    assert!(!o.status.success(), "{out}");
    assert!(
        out.contains("malformed-bad-gzip-truncated.tar.gz\n  FAIL readable: "),
        "{out}"
    );
    assert!(
        out.contains("Result: FAIL [Total:4] [Passed:2] [Failed:1] [Skipped:1]"),
        "{out}"
    );
    assert!(err.contains("no image could be read"), "{err}");
}

/// Writes a `docker save` of one image `t:1` with one uncompressed layer of `entries` and a
/// config history of `history` steps not marked `empty_layer`, under `dir` as `name`.
fn one_layer_save(
    dir: &Path,
    name: &str,
    entries: Vec<pancake_core::write::tarwrite::TarEntry>,
    history: usize,
) -> String {
    one_layer_saves(dir, name, entries, history, &[("t:1", 1)])
}

/// [`one_layer_save`] with one image per `(tag, copies)` of `images`, all on the one config
/// (its `rootfs.diff_ids` naming the layer once), each listing the layer `copies` times.
fn one_layer_saves(
    dir: &Path,
    name: &str,
    entries: Vec<pancake_core::write::tarwrite::TarEntry>,
    history: usize,
    images: &[(&str, usize)],
) -> String {
    use pancake_core::digest::Digest;
    use pancake_core::write::tarwrite::{self, Descriptor, SaveImage};
    let tar = tarwrite::layer_tar(entries).unwrap_or_else(|e| panic!("{e}"));
    let digest = Digest::of_bytes(&tar);
    let steps: Vec<Value> = (0..history)
        .map(|i| serde_json::json!({"created_by": format!("RUN step {i}")}))
        .collect();
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [digest]},
        "history": steps,
    }))
    .unwrap_or_default();
    let layer = Descriptor {
        media_type: "application/vnd.oci.image.layer.v1.tar".into(),
        digest,
        size: tar.len() as u64,
    };
    let images: Vec<SaveImage> = images
        .iter()
        .map(|(tag, copies)| SaveImage {
            tags: vec![(*tag).into()],
            config: config.clone(),
            layers: vec![layer.clone(); *copies],
        })
        .collect();
    let bytes = tarwrite::write_docker_save(Vec::new(), &images, &mut |_| {
        Ok(Box::new(std::io::Cursor::new(tar.clone())))
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{e}"));
    path.display().to_string()
}

/// The gate's `FAIL loadable` line of `out`.
fn loadable_line(out: &str) -> &str {
    out.lines()
        .find(|l| l.starts_with("  FAIL loadable: docker load refuses the image: "))
        .unwrap_or_else(|| panic!("no FAIL loadable line: {out}"))
}

/// An image `docker load` refuses is no image to pass, whatever its figures and digests: a
/// config history of more steps than layers (moby's image store: "too many non-empty layers
/// in History section"), or a layer with an entry below a file (unpacking fails). The gate
/// fails it once, `FAIL loadable`, naming the reason; every digest still verifies.
#[test]
fn an_image_docker_load_refuses_fails_the_gate() {
    use pancake_core::write::tarwrite::TarEntry;
    let dir = workdir("loadable");
    let ok = one_layer_save(
        &dir,
        "ok.tar",
        vec![TarEntry::file("a", b"a".to_vec(), 0o644)],
        1,
    );
    let o = pancake_in(&dir, &["inspect", "--ci", &ok]);
    let (out, _) = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(!out.contains("FAIL"), "{out}");

    let history = one_layer_save(
        &dir,
        "history.tar",
        vec![TarEntry::file("a", b"a".to_vec(), 0o644)],
        2,
    );
    let o = pancake_in(&dir, &["inspect", "--ci", &history]);
    let (out, _) = text(&o);
    assert!(!o.status.success(), "{out}");
    let line = loadable_line(&out);
    assert!(
        line.contains("2 steps not marked empty_layer for 1 layer"),
        "{line}"
    );
    assert!(
        !out.contains("FAIL verified") && !out.contains("FAIL complete"),
        "{out}"
    );
    assert!(
        out.contains("Result: FAIL [Total:4] [Passed:2] [Failed:1] [Skipped:1]"),
        "{out}"
    );

    let below = one_layer_save(
        &dir,
        "below.tar",
        vec![
            TarEntry::file("a", b"a".to_vec(), 0o644),
            TarEntry::file("a/b", b"b".to_vec(), 0o644),
        ],
        1,
    );
    let o = pancake_in(&dir, &["inspect", "--ci", &below]);
    let (out, _) = text(&o);
    assert!(!o.status.success(), "{out}");
    let line = loadable_line(&out);
    assert!(line.contains("a/b"), "{line}");
    assert_eq!(out.matches("FAIL loadable").count(), 1, "{out}");

    // Four reasons (the history's count, three entries below files): the first three named,
    // the rest counted.
    let many = one_layer_save(
        &dir,
        "many.tar",
        ["a", "c", "e"]
            .iter()
            .flat_map(|p| {
                [
                    TarEntry::file(*p, b"x".to_vec(), 0o644),
                    TarEntry::file(format!("{p}/below").as_str(), b"y".to_vec(), 0o644),
                ]
            })
            .collect(),
        2,
    );
    let o = pancake_in(&dir, &["inspect", "--ci", &many]);
    let (out, _) = text(&o);
    assert!(!o.status.success(), "{out}");
    let line = loadable_line(&out);
    assert!(line.ends_with("; and 1 more"), "{line}");
    assert!(
        line.contains("entry a/below")
            && line.contains("entry c/below")
            && !line.contains("e/below"),
        "three named, then the count: {line}"
    );
    assert!(
        line.contains("2 steps not marked empty_layer for 1 layer"),
        "{line}"
    );
}

/// One zero block and then another member: Go's reader stops there ("invalid tar header"), so
/// `docker load` refuses the whole file, whatever its images: `FAIL loadable` once, for the file.
#[test]
fn a_file_docker_load_refuses_fails_the_gate() {
    use pancake_core::write::tarwrite::{self, TarEntry};
    let dir = workdir("loadable-file");
    let ok = one_layer_save(
        &dir,
        "ok.tar",
        vec![TarEntry::file("a", b"a".to_vec(), 0o644)],
        1,
    );
    let mut bytes = std::fs::read(&ok).unwrap_or_else(|e| panic!("{e}"));
    let end = bytes.len().saturating_sub(1024);
    assert!(
        bytes[end..].iter().all(|b| *b == 0),
        "the save ends in two zero blocks"
    );
    bytes.truncate(end);
    bytes.extend_from_slice(&[0u8; 512]);
    let extra = tarwrite::layer_tar(vec![TarEntry::file("extra", b"more".to_vec(), 0o644)])
        .unwrap_or_else(|e| panic!("{e}"));
    bytes.extend_from_slice(&extra);
    let bad = dir.join("lone-zero.tar");
    std::fs::write(&bad, &bytes).unwrap_or_else(|e| panic!("{e}"));
    let o = pancake_in(&dir, &["inspect", "--ci", &bad.display().to_string()]);
    let (out, _) = text(&o);
    assert!(!o.status.success(), "{out}");
    let line = out
        .lines()
        .find(|l| l.starts_with("  FAIL loadable: docker load refuses the file: "))
        .unwrap_or_else(|| panic!("no FAIL loadable line: {out}"));
    assert!(line.contains("one zero block at byte offset"), "{line}");
    assert_eq!(out.matches("FAIL loadable").count(), 1, "{out}");
    assert!(
        out.contains("Result: FAIL [Total:4] [Passed:2] [Failed:1] [Skipped:1]"),
        "{out}"
    );
}

/// Two images on one config (one layer listed in `rootfs.diff_ids`): `good:1` lists that
/// layer once, `bad:1` twice, which `docker load` refuses ("layers length mismatch"). Only
/// `bad:1` fails the gate; the refusal is its manifest's, not its shared config's.
#[test]
fn a_refusal_is_the_image_s_own_where_images_share_a_config() {
    use pancake_core::write::tarwrite::TarEntry;
    let dir = workdir("shared-config");
    let path = one_layer_saves(
        &dir,
        "shared.tar",
        vec![TarEntry::file("a", b"a".to_vec(), 0o644)],
        1,
        &[("good:1", 1), ("bad:1", 2)],
    );
    let o = pancake_in(&dir, &["inspect", "--ci", &path]);
    let (out, _) = text(&o);
    assert!(!o.status.success(), "{out}");
    assert_eq!(out.matches("FAIL loadable").count(), 1, "{out}");
    let bad = out
        .split(" — image ")
        .find(|part| part.contains("bad:1"))
        .unwrap_or_else(|| panic!("no bad:1 section: {out}"));
    assert!(
        bad.contains("FAIL loadable: docker load refuses the image: the manifest lists 2 layers and the config's rootfs 1"),
        "{out}"
    );
}
