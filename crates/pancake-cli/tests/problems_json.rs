//! `inspect --json` problems keep `kind`, `member`, `message`, `archive` and add the typed
//! `origin` (#12, #15): what a problem is about, down to the image and layer position.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn fixture(name: &str) -> String {
    let dir = match std::env::var_os("PANCAKE_FIXTURES") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures"),
    };
    dir.join(name).display().to_string()
}

fn inspect(name: &str) -> (Value, bool) {
    let out = Command::new(env!("CARGO_BIN_EXE_pancake"))
        .args(["inspect", "--json", &fixture(name)])
        .output()
        .unwrap_or_else(|e| panic!("cannot run pancake: {e}"));
    let doc =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{name}: not JSON: {e}"));
    (doc, out.status.success())
}

fn problems(doc: &Value) -> Vec<Value> {
    doc["problems"].as_array().cloned().unwrap_or_default()
}

#[test]
fn a_corrupt_layer_is_one_problem_that_names_its_layer() {
    let (doc, ok) = inspect("malformed-corrupt-layer-byte-docker20.tar");
    assert!(ok);
    let mismatches: Vec<Value> = problems(&doc)
        .into_iter()
        .filter(|p| p["kind"] == "digest-mismatch")
        .collect();
    assert_eq!(mismatches.len(), 1, "{mismatches:#?}");
    let p = &mismatches[0];
    let layer = &doc["images"][0]["layers"][1];
    assert_eq!(layer["verification"], "mismatch");
    assert_eq!(p["origin"]["scope"], "image");
    assert_eq!(p["origin"]["image"], 0);
    assert_eq!(p["origin"]["layer"], 1);
    assert!(p["origin"]["member_index"].is_u64());
    assert!(p["origin"]["entry"].is_null());
    let member = p["member"].as_str().unwrap_or_default();
    assert!(member.ends_with("/layer.tar"), "{p}");
    let message = p["message"].as_str().unwrap_or_default();
    let computed = layer["diff_id"].as_str().unwrap_or_default();
    assert!(computed.starts_with("sha256:"), "{layer}");
    assert!(
        message.contains(&format!("computed {computed}"))
            && message.contains(member)
            && message.ends_with("the file was changed or damaged after it was saved, or the tool that wrote it recorded it wrongly"),
        "{message}"
    );
}

#[test]
fn a_cut_off_tarball_says_it_ends_early_and_where() {
    let (doc, ok) = inspect("malformed-truncated-midlayer-docker20.tar");
    assert!(!ok, "no image could be read");
    let ps = problems(&doc);
    let outer = ps
        .iter()
        .find(|p| p["origin"]["scope"] == "outer")
        .unwrap_or_else(|| panic!("an outer problem: {ps:#?}"));
    assert_eq!(outer["kind"], "archive");
    assert_eq!(outer["origin"]["member_index"], 11);
    let early = ps
        .iter()
        .filter_map(|p| p["message"].as_str())
        .find(|m| m.starts_with("the tarball ends early: it breaks off after 12 members"))
        .unwrap_or_else(|| panic!("says it ends early: {ps:#?}"));
    assert!(
        early
            .contains("803317ece3a4049483f7d9e98bd5812a81f819d743ea902be037bfaf5e949df2/layer.tar"),
        "{early}"
    );
    assert!(
        ps.iter().all(|p| !p["message"]
            .as_str()
            .unwrap_or_default()
            .contains("not a container image archive")),
        "{ps:#?}"
    );
}

/// The text report prints each problem once with its kind: the member is named by the message
/// itself, not printed again in front of it.
#[test]
fn the_text_report_names_each_problems_member_once() {
    for name in [
        "malformed-layer-path-traversal.tar",
        "malformed-corrupt-layer-byte-docker20.tar",
        "malformed-outer-path-traversal.tar",
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_pancake"))
            .args(["inspect", &fixture(name)])
            .output()
            .unwrap_or_else(|e| panic!("cannot run pancake: {e}"));
        let text = String::from_utf8_lossy(&out.stdout);
        let (doc, _) = inspect(name);
        let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("  [")).collect();
        assert_eq!(lines.len(), problems(&doc).len(), "{name}: {text}");
        for p in problems(&doc) {
            let member = p["member"].as_str().unwrap_or_default();
            let line = lines
                .iter()
                .find(|l| l.ends_with(p["message"].as_str().unwrap_or("?")))
                .unwrap_or_else(|| panic!("{name}: no line for {p}"));
            assert_eq!(
                line.matches(member).count(),
                1,
                "{name}: {member} printed more than once in {line}"
            );
        }
    }
}
