//! Generates one `#[test]` per fixture (`*.expected.json` in the shared fixtures directory)
//! for `tests/fixtures.rs`. With no fixtures directory, one failing test says so: a missing
//! corpus must never look like a passing one.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=PANCAKE_FIXTURES");
    println!("cargo:rerun-if-changed=build.rs");
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let dir = env::var("PANCAKE_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|_| manifest.join("../../../shared/fixtures"));
    let out = PathBuf::from(env::var("OUT_DIR").unwrap_or_default()).join("fixture_tests.rs");
    let mut code = String::new();
    let mut names: Vec<String> = match fs::read_dir(&dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().into_string().ok())
            .filter_map(|n| n.strip_suffix(".expected.json").map(str::to_string))
            .collect(),
        Err(_) => Vec::new(),
    };
    names.sort();
    println!("cargo:rerun-if-changed={}", dir.display());
    let _ = writeln!(
        code,
        "const FIXTURES_DIR: &str = {:?};",
        dir.display().to_string()
    );
    if names.is_empty() {
        let _ = writeln!(
            code,
            "#[test] fn fixtures_directory_present() {{ panic!(\"no *.expected.json fixtures in {{FIXTURES_DIR}} (set PANCAKE_FIXTURES)\"); }}"
        );
    }
    for n in &names {
        let ident: String = n
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        let _ = writeln!(
            code,
            "#[test] fn fixture_{ident}() {{ check_fixture({n:?}); }}"
        );
    }
    let _ = fs::write(out, code);
}
