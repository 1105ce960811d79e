//! `pancake cat` and `pancake ls` where a layer's entries are what unpacking makes of them on
//! disk rather than what their headers say: a hard link to a symlink is that symlink (Go's
//! `os.Link` does not follow it), and a whiteout below a lower layer's symlink makes its
//! folder in the upper layer (moby's `UnpackLayer` creates an entry's parent first), which
//! hides the link.

use std::path::PathBuf;
use std::process::{Command, Output};

use pancake_core::digest::Digest;
use pancake_core::write::tarwrite::{self, Descriptor, SaveImage, TarEntry, TarWriter};
use pancake_core::RawPath;

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

#[test]
fn a_whiteout_below_a_lower_symlink_makes_a_folder_that_hides_it() {
    let base = vec![
        TarEntry::dir("usr", 0o755),
        TarEntry::dir("usr/bin", 0o755),
        TarEntry::file("usr/bin/sh", b"SHELL".to_vec(), 0o755),
        TarEntry::symlink("bin", "usr/bin"),
    ];
    let cases = [
        (
            "whiteout.tar",
            TarEntry::whiteout(&RawPath::from("bin/sh")),
            vec![],
        ),
        (
            "opaque.tar",
            TarEntry::opaque(&RawPath::from("bin")),
            vec![],
        ),
        (
            "file.tar",
            TarEntry::file("bin/new", b"NEW".to_vec(), 0o644),
            vec!["bin/new"],
        ),
    ];
    for (name, upper, below) in cases {
        let file = save(name, &[base.clone(), vec![upper]]);
        let f = file.display().to_string();
        let rows = listing(&f);
        let under_bin: Vec<&str> = rows
            .iter()
            .filter(|r| r.0.starts_with("bin/"))
            .map(|r| r.0.as_str())
            .collect();
        assert_eq!(under_bin, below, "{name}");
        let bin = rows
            .iter()
            .find(|r| r.0 == "bin")
            .map(|r| (r.1.as_str(), r.3.as_str()));
        assert_eq!(bin, Some(("dir", "1")), "{name}");
        assert!(cat(&f, "/bin/sh").is_err(), "{name}");
        assert_eq!(cat(&f, "/usr/bin/sh"), Ok(b"SHELL".to_vec()), "{name}");
        assert_eq!(problem_kinds(&f), Vec::<String>::new(), "{name}");
    }
}
