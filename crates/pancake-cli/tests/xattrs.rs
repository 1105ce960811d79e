//! Extended attributes of layer entries: a layer that only runs `setcap cap_net_raw+ep
//! /bin/ping` re-adds the file with the same bytes and a `security.capability` attribute
//! (PAX `SCHILY.xattr.security.capability`); `diff` calls it modified and says how, `ls`
//! shows the capabilities.

use std::path::PathBuf;
use std::process::{Command, Output};

use pancake_core::digest::Digest;
use pancake_core::write::tarwrite::{self, Descriptor, SaveImage, TarEntry};
use pancake_core::Xattr;
use serde_json::Value;

/// The kernel's `vfs_cap_data` revision 2 for `cap_net_raw=ep` (what `setcap` writes).
const NET_RAW_EP: [u8; 20] = [
    1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
];

/// A `docker save` (uncompressed layers) of one image per item of `images`, each the list of
/// its layers' entries, bottom first, written under the test's temp dir as `name`.
fn save(name: &str, images: &[Vec<Vec<TarEntry>>]) -> PathBuf {
    let mut blobs = std::collections::HashMap::new();
    let mut saved = Vec::new();
    for (n, layers) in images.iter().enumerate() {
        let mut diff_ids = Vec::new();
        let mut descriptors = Vec::new();
        for entries in layers {
            let tar = tarwrite::layer_tar(entries.clone()).unwrap_or_else(|e| panic!("{e}"));
            let d = Descriptor {
                media_type: "application/vnd.oci.image.layer.v1.tar".into(),
                digest: Digest::of_bytes(&tar),
                size: tar.len() as u64,
            };
            diff_ids.push(d.digest.clone());
            blobs.insert(d.digest.clone(), tar);
            descriptors.push(d);
        }
        let history: Vec<Value> = (0..layers.len())
            .map(|i| serde_json::json!({"created_by": format!("RUN step {i}")}))
            .collect();
        let config = serde_json::to_vec(&serde_json::json!({
            "architecture": "amd64", "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
            "history": history,
        }))
        .unwrap_or_default();
        saved.push(SaveImage {
            tags: vec![format!("t:{n}")],
            config,
            layers: descriptors,
        });
    }
    let bytes = tarwrite::write_docker_save(Vec::new(), &saved, &mut |d| {
        let b = blobs.get(&d.digest).cloned().unwrap_or_default();
        Ok(Box::new(std::io::Cursor::new(b)))
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("xattrs");
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

/// The setcap save, written as `name`: each test its own file, since tests run at once and
/// one writing the file another is reading fails it at random.
fn setcap_save(name: &str) -> PathBuf {
    let base = vec![
        TarEntry::dir("bin", 0o755),
        TarEntry::file("bin/ping", b"\x7fELF ping".to_vec(), 0o755),
        TarEntry::file("bin/true", b"\x7fELF true".to_vec(), 0o755),
    ];
    let setcap = vec![
        TarEntry::file("bin/ping", b"\x7fELF ping".to_vec(), 0o755).with_xattrs(vec![Xattr {
            name: b"security.capability".to_vec(),
            value: NET_RAW_EP.to_vec(),
        }]),
    ];
    save(name, &[vec![base.clone()], vec![base, setcap]])
}

/// Image B is image A plus a layer that only re-adds /bin/ping with the capability: the same
/// bytes, mode and owner, so only the attribute says it changed.
#[test]
fn a_setcap_alone_is_a_modification() {
    let file = setcap_save("setcap-diff.tar");
    let f = file.display().to_string();
    let o = pancake(&["diff", &f, &f, "--image-b", "1"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        text.contains("xattrs of bin/ping: none in A, security.capability cap_net_raw=ep in B\n"),
        "{text}"
    );
    assert!(
        text.contains("0 added (0B), 1 modified, 0 deleted (0B)"),
        "{text}"
    );
    let row = text
        .lines()
        .find(|l| l.contains("bin/ping") && !l.starts_with("xattrs"))
        .unwrap_or_default();
    assert!(row.starts_with("modified"), "{text}");

    let o = pancake(&["diff", "--json", &f, &f, "--image-b", "1"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    let paths = doc["paths"].as_array().cloned().unwrap_or_default();
    assert_eq!(paths.len(), 1, "{doc}");
    let p = &paths[0];
    assert_eq!(p["path"], "bin/ping");
    assert_eq!(p["change"], "modified");
    assert_eq!(p["owners"], Value::Null);
    assert_eq!(p["xattrs"]["a"], serde_json::json!([]));
    assert_eq!(
        p["xattrs"]["b"],
        serde_json::json!([{
            "name": "security.capability",
            "value": "hex:0100000200200000000000000000000000000000",
        }])
    );
    assert_eq!(p["xattrs"]["capabilities"]["a"], Value::Null);
    assert_eq!(p["xattrs"]["capabilities"]["b"], "cap_net_raw=ep");
    assert_eq!(doc["modified"], 1);

    // The same image against itself: nothing, and no attribute line.
    let o = pancake(&["diff", &f, &f, "--image-a", "1", "--image-b", "1"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("Files: the same"), "{text}");
}

/// `ls` adds an XATTRS column when a listed path has attributes, with the capabilities as
/// getcap prints them; a listing without any keeps its four columns.
#[test]
fn ls_shows_file_capabilities() {
    let file = setcap_save("setcap-ls.tar");
    let f = file.display().to_string();
    let o = pancake(&["ls", &f, "--image", "1"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    let head = text.lines().next().unwrap_or_default();
    assert!(head.ends_with("XATTRS"), "{text}");
    let ping = text
        .lines()
        .find(|l| l.starts_with("bin/ping"))
        .unwrap_or_default();
    assert_eq!(
        ping.split_whitespace().collect::<Vec<_>>(),
        ["bin/ping", "file", "9", "L1", "caps=cap_net_raw=ep"],
        "{text}"
    );
    let plain = text
        .lines()
        .find(|l| l.starts_with("bin/true"))
        .unwrap_or_default();
    // No attributes: an empty cell, and no spaces left at the end of the line.
    assert!(plain.ends_with("L0"), "{text}");

    let o = pancake(&["ls", &f, "--image", "0"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(!text.contains("XATTRS"), "{text}");
}

/// A file with two names in one layer is one file on disk: unpacking applies the hard link's
/// header (owner, mode, attributes) to it, so `ls` and `diff` show them on both names, the
/// file's first name included (moby's and containerd's `createTarFile` after `os.Link`).
#[test]
fn a_hard_links_header_sets_the_shared_files_metadata() {
    let cap = || Xattr {
        name: b"security.capability".to_vec(),
        value: NET_RAW_EP.to_vec(),
    };
    // `layer_tar` sorts by path: the link comes after its target, as a tar writer puts it.
    let layer = |linked: TarEntry| {
        vec![
            TarEntry::dir("bin", 0o755),
            TarEntry::file("bin/tool", b"\x7fELF tool".to_vec(), 0o644),
            linked,
        ]
    };
    let plain = TarEntry::hardlink("zz-hidden", "bin/tool");
    let set = TarEntry::hardlink("zz-hidden", "bin/tool")
        .owned(1000, 1000)
        .with_xattrs(vec![cap()]);
    let file = save("hardlink-meta.tar", &[vec![layer(plain)], vec![layer(set)]]);
    let f = file.display().to_string();

    let o = pancake(&["ls", &f, "--image", "1"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    for name in ["bin/tool", "zz-hidden"] {
        let row = text
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_default();
        assert!(row.ends_with("caps=cap_net_raw=ep"), "{name}: {text}");
    }

    let o = pancake(&["diff", &f, &f, "--image-b", "1"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    for name in ["bin/tool", "zz-hidden"] {
        assert!(
            text.contains(&format!("owner of {name}: 0:0 in A, 1000:1000 in B\n")),
            "{name}: {text}"
        );
        assert!(
            text.contains(&format!(
                "xattrs of {name}: none in A, security.capability cap_net_raw=ep in B\n"
            )),
            "{name}: {text}"
        );
    }
}
