//! `pancake cat` resolving a path as Linux does: a file asked for as a directory (`file/`,
//! `file/.`, a symlink whose target ends in `/`) is "not a directory", and a path missing
//! after a symlink was resolved (`link/../x`) names what is missing, not the symlink.

use std::path::PathBuf;
use std::process::Command;

use pancake_core::digest::Digest;
use pancake_core::write::tarwrite::{self, Descriptor, SaveImage, TarEntry, TarWriter};

/// A `docker save` of one image of one uncompressed layer holding `entries` in the order
/// given, written under the test's temp dir as `name`.
fn save(name: &str, entries: &[TarEntry]) -> String {
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
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [d.digest]},
    }))
    .unwrap_or_default();
    let image = SaveImage {
        tags: vec!["cat:lookup".into()],
        config,
        layers: vec![d],
    };
    let bytes = tarwrite::write_docker_save(Vec::new(), &[image], &mut |_| {
        Ok(Box::new(std::io::Cursor::new(tar.clone())))
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cat_lookup");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{e}"));
    path.display().to_string()
}

/// `pancake cat FILE PATH [extra]`: its stdout, or its stderr when it fails.
fn cat(file: &str, path: &str, extra: &[&str]) -> Result<String, String> {
    let o = Command::new(env!("CARGO_BIN_EXE_pancake"))
        .args(["cat", file, path])
        .args(extra)
        .output()
        .unwrap_or_else(|e| panic!("cannot run pancake: {e}"));
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    if o.status.success() {
        Ok(text(&o.stdout))
    } else {
        Err(text(&o.stderr))
    }
}

/// The tester's tree: `/lib -> usr/lib` holding `real.txt`, links to it and to its folder,
/// written as `name`: each test its own file, since tests run at once and one writing the
/// file another is reading fails it at random.
fn tree(name: &str) -> String {
    save(
        name,
        &[
            TarEntry::dir("usr", 0o755),
            TarEntry::dir("usr/lib", 0o755),
            TarEntry::file("usr/lib/real.txt", b"real\n".to_vec(), 0o644),
            TarEntry::symlink("lib", "usr/lib"),
            TarEntry::symlink("dirlink", "usr/lib/"),
            TarEntry::symlink("filelink", "usr/lib/real.txt/"),
            TarEntry::dir("d1", 0o755),
            TarEntry::symlink("d1/inner", "../lib"),
        ],
    )
}

#[test]
fn a_file_asked_for_as_a_directory_is_not_a_directory() {
    let f = tree("symcat-notdir.tar");
    let real = Ok("real\n".to_string());
    assert_eq!(cat(&f, "lib/real.txt", &[]), real);
    assert_eq!(cat(&f, "dirlink/real.txt", &[]), real);
    for p in [
        "lib/real.txt/",
        "lib/real.txt/.",
        "/usr/lib/real.txt/",
        "filelink",
        "filelink/",
    ] {
        let e = cat(&f, p, &[]).map_err(|e| e.trim_end().to_string());
        assert_eq!(
            e,
            Err(format!(
                "pancake: {f}: {p}: /usr/lib/real.txt is not a directory"
            )),
            "{p}"
        );
        // Also when the copy a layer stores is asked for.
        let e = cat(&f, p, &["--layer", "0"]).map_err(|e| e.trim_end().to_string());
        assert_eq!(
            e,
            Err(format!(
                "pancake: {f}: {p}: /usr/lib/real.txt is not a directory"
            )),
            "{p} --layer 0"
        );
    }
}

#[test]
fn a_path_missing_past_a_resolved_link_names_what_is_missing() {
    let f = tree("symcat-missing.tar");
    // d1/inner leads to /usr/lib (through /lib); `..` of it is /usr, with no real.txt.
    // Neither link dangles: it said "/lib is a symlink to usr/lib that dangles".
    let e = cat(&f, "d1/inner/../real.txt", &[]).map_err(|e| e.trim_end().to_string());
    assert_eq!(
        e,
        Err(format!(
            "pancake: {f}: d1/inner/../real.txt: no such file or directory: /usr/real.txt"
        ))
    );
    assert_eq!(
        cat(&f, "d1/inner/../lib/real.txt", &[]),
        Ok("real\n".to_string())
    );
    // A path missing as typed is said once.
    let e = cat(&f, "usr/none", &[]).map_err(|e| e.trim_end().to_string());
    assert_eq!(
        e,
        Err(format!(
            "pancake: {f}: no such file or directory: /usr/none"
        ))
    );
}
