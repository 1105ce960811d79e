//! `pancake cat` and `pancake ls` where a layer's entries are what unpacking makes of them on
//! disk rather than what their headers say: a hard link to a symlink is that symlink (Go's
//! `os.Link` does not follow it).

use std::path::PathBuf;
use std::process::{Command, Output};

use pancake_core::digest::Digest;
use pancake_core::write::tarwrite::{self, Descriptor, SaveImage, TarEntry, TarWriter};

/// A `docker save` of one image whose layer `i` holds `layers[i]`, uncompressed, in the
/// order given (a hard link must come after its target), written under the test's temp dir.
fn save(name: &str, layers: &[Vec<TarEntry>]) -> PathBuf {
    let mut blobs = std::collections::HashMap::new();
    let mut descriptors = Vec::new();
    let mut diff_ids = Vec::new();
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
        diff_ids.push(d.digest.clone());
        blobs.insert(d.digest.clone(), tar);
        descriptors.push(d);
    }
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }))
    .unwrap_or_default();
    let image = SaveImage {
        tags: vec!["links:on-disk".into()],
        config,
        layers: descriptors,
    };
    let bytes = tarwrite::write_docker_save(Vec::new(), &[image], &mut |d| {
        let b = blobs.get(&d.digest).cloned().unwrap_or_default();
        Ok(Box::new(std::io::Cursor::new(b)))
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("links_on_disk");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{e}"));
    path
}

fn pancake(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pancake"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run pancake: {e}"))
}

fn cat(file: &str, path: &str) -> Result<Vec<u8>, String> {
    let o = pancake(&["cat", file, path]);
    if o.status.success() {
        Ok(o.stdout)
    } else {
        Err(String::from_utf8_lossy(&o.stderr).into_owned())
    }
}

/// `ls --format csv` of the merged view: (path, kind, size, layer, link target) by path.
fn listing(file: &str) -> Vec<(String, String, String, String, String)> {
    let o = pancake(&["ls", file, "--format", "csv"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let col = |name: &str| {
        head.iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("no {name} column in {head:?}"))
    };
    let (p, k, s, l, t) = (
        col("path"),
        col("kind"),
        col("size"),
        col("layer"),
        col("link_target"),
    );
    lines
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            let at = |i: usize| f.get(i).map(|s| s.to_string()).unwrap_or_default();
            (at(p), at(k), at(s), at(l), at(t))
        })
        .collect()
}

fn problem_kinds(file: &str) -> Vec<String> {
    let o = pancake(&["inspect", file, "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    v["problems"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|p| p["kind"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn a_hard_link_to_a_symlink_is_followed_as_the_symlink() {
    let file = save(
        "hardlink_to_symlink.tar",
        &[vec![
            TarEntry::file("t", b"TARGET".to_vec(), 0o644),
            TarEntry::symlink("s", "t"),
            TarEntry::hardlink("hs", "s"),
            TarEntry::dir("d", 0o755),
            TarEntry::file("d/x", b"in d".to_vec(), 0o644),
            TarEntry::symlink("ds", "d"),
            TarEntry::hardlink("hds", "ds"),
        ]],
    );
    let f = file.display().to_string();
    assert_eq!(cat(&f, "/s"), Ok(b"TARGET".to_vec()));
    assert_eq!(cat(&f, "/hs"), Ok(b"TARGET".to_vec()));
    assert_eq!(cat(&f, "/hds/x"), Ok(b"in d".to_vec()));
    let rows = listing(&f);
    let row = |p: &str| rows.iter().find(|r| r.0 == p).cloned();
    // Kind, size (the target's length) and target as on disk, as `ls -l` shows them.
    let symlink = |p: &str, to: &str| {
        Some((
            p.to_string(),
            "symlink".into(),
            "1".into(),
            "0".into(),
            to.into(),
        ))
    };
    assert_eq!(row("hs"), symlink("hs", "t"));
    assert_eq!(row("hds"), symlink("hds", "d"));
    assert_eq!(row("s"), symlink("s", "t"));
    // The plain listing shows the target as Docker would: `hs -> t`.
    let o = pancake(&["ls", &f]);
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        text.lines()
            .any(|l| l.starts_with("hs -> t ") && l.contains("symlink")),
        "{text}"
    );
    assert!(!problem_kinds(&f).iter().any(|k| k == "hard-link"));
}
