//! `pancake ls`: the merged view's LAST CHANGED BY column (the layer that last wrote each
//! path) and `--format csv`, on docker26-save-app1 (layer 0 busybox, layer 1 `COPY … /data/`,
//! layer 4 `rm -rf /data/dir && mkdir /data/dir && echo new > /data/dir/new.txt`, layer 5
//! the links), checked against the layer listings Python made in `.expected.json`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn fixtures() -> PathBuf {
    match std::env::var_os("PANCAKE_FIXTURES") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures"),
    }
}

const F: &str = "docker26-save-app1.tar";

fn ls(args: &[&str]) -> String {
    let file = fixtures().join(F).display().to_string();
    let mut argv = vec!["ls", file.as_str()];
    argv.extend_from_slice(args);
    let o = Command::new(env!("CARGO_BIN_EXE_pancake"))
        .args(&argv)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap_or_else(|e| panic!("{e}"))
}

/// The highest layer whose Python listing names each path: the layer that last wrote it, for
/// paths no later layer deletes.
fn last_writer() -> BTreeMap<String, usize> {
    let p = fixtures().join(format!("{F}.expected.json"));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut out = BTreeMap::new();
    for (i, l) in v["images"][0]["layers"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        for e in l["listing"].as_array().cloned().unwrap_or_default() {
            // `f PATH (SIZE)`, `d PATH`, `l PATH -> TARGET`, `h PATH -> TARGET`.
            let rest = e.as_str().and_then(|e| e.get(2..)).unwrap_or("");
            let path = rest
                .split(" -> ")
                .next()
                .map(|p| p.rsplit_once(" (").map(|(p, _)| p).unwrap_or(p))
                .unwrap_or(rest);
            out.insert(path.trim_end_matches('/').to_string(), i);
        }
    }
    out
}

#[test]
fn merged_view_names_the_layer_that_last_changed_each_path() {
    let table = ls(&["--merged"]);
    let mut lines = table.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split_whitespace().collect();
    assert_eq!(header, ["PATH", "KIND", "SIZE", "LAST", "CHANGED", "BY"]);
    let rows: BTreeMap<String, String> = lines
        .filter_map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            Some((cols.first()?.to_string(), cols.last()?.to_string()))
        })
        .collect();
    let want = last_writer();
    let mut checked = 0;
    for (path, layer) in &want {
        if let Some(got) = rows.get(path) {
            assert_eq!(got, &format!("L{layer}"), "{path}");
            checked += 1;
        }
    }
    assert!(checked >= 8, "{checked}");
    assert_eq!(rows.get("bin/busybox").map(String::as_str), Some("L0"));
    assert_eq!(rows.get("data/dir/new.txt").map(String::as_str), Some("L4"));
    // --layer keeps CHANGE: what that layer did.
    let layer = ls(&["--layer", "4"]);
    assert!(layer
        .lines()
        .next()
        .is_some_and(|h| h.trim_end().ends_with("CHANGE")));
    assert!(layer
        .lines()
        .any(|l| l.starts_with("data/dir/new.txt ") && l.trim_end().ends_with("added")));
}

#[test]
fn csv_has_every_row_of_the_table() {
    for args in [vec!["--merged"], vec!["--layer", "4"], vec!["--layer", "5"]] {
        let table = ls(&args);
        let mut csv_args = args.clone();
        csv_args.extend(["--format", "csv"]);
        let csv = ls(&csv_args);
        let mut lines = csv.lines();
        assert_eq!(
            lines.next(),
            Some("path,kind,size,layer,change,link_target")
        );
        let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
        assert_eq!(rows.len(), table.lines().count() - 1, "{args:?}");
        for r in &rows {
            assert_eq!(r.len(), 6, "{r:?}");
            // The same path, kind and size as the table's row.
            let line = table
                .lines()
                .find(|l| l.split_whitespace().next() == r.first().copied())
                .unwrap_or_else(|| panic!("{r:?} not in the table"));
            let cols: Vec<&str> = line.split_whitespace().collect();
            let n = cols.len();
            assert_eq!(cols.get(n.wrapping_sub(3)), r.get(1), "{line}");
            assert_eq!(cols.get(n.wrapping_sub(2)), r.get(2), "{line}");
        }
        if args == ["--layer", "5"] {
            assert!(
                // A symlink's size is its target's length, as `ls -l` shows it.
                rows.contains(&vec![
                    "data/hello.symlink",
                    "symlink",
                    "15",
                    "5",
                    "added",
                    "/data/hello.txt"
                ]),
                "{csv}"
            );
            assert!(
                rows.contains(&vec![
                    "data/hello.txt",
                    "hardlink",
                    "21",
                    "5",
                    "modified",
                    "data/hello.hardlink"
                ]),
                "{csv}"
            );
        }
        if args == ["--merged"] {
            assert!(
                rows.contains(&vec!["data/dir/new.txt", "file", "4", "4", "unchanged", ""]),
                "{csv}"
            );
        }
    }
}
