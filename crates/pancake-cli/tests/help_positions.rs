//! `pancake --help` says how positions are counted: 0-based, as in the JSON, while the web page
//! numbers layers from 1 (issue 14, "one number").

use std::process::Command;

#[test]
fn help_says_positions_are_zero_based() {
    let out = Command::new(env!("CARGO_BIN_EXE_pancake"))
        .arg("--help")
        .output()
        .expect("pancake runs");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Positions are 0-based"), "{text}");
    assert!(text.contains("layer 0 the base layer"), "{text}");
    let ls = Command::new(env!("CARGO_BIN_EXE_pancake"))
        .args(["ls", "--help"])
        .output()
        .expect("pancake runs");
    assert!(String::from_utf8_lossy(&ls.stdout).contains("Layer index, 0-based"));
}
