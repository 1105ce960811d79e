//! `pancake export-layer` is bounded like every other read: a layer blob that decompresses
//! past the bound (`--max-decompressed-bytes`, or 100 × the file's size) stops with an error
//! naming the member, also when the reader had no diff_id to check the copy against.

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;

use pancake_core::digest::Digest;
use pancake_core::write::tarwrite::{self, Descriptor, SaveImage, TarEntry};

/// A `docker save` of one image whose one gzip layer holds `zeros` zero bytes in `/z`
/// (a few KiB stored), and that layer's uncompressed tar.
fn bomb(name: &str, zeros: usize) -> (PathBuf, Vec<u8>, Digest) {
    use flate2::{write::GzEncoder, Compression};
    let tar = tarwrite::layer_tar(vec![TarEntry::file("z", vec![0u8; zeros], 0o644)])
        .unwrap_or_else(|e| panic!("{e}"));
    let mut e = GzEncoder::new(Vec::new(), Compression::best());
    e.write_all(&tar).unwrap_or_else(|e| panic!("{e}"));
    let gz = e.finish().unwrap_or_else(|e| panic!("{e}"));
    let d = Descriptor {
        media_type: "application/vnd.oci.image.layer.v1.tar+gzip".into(),
        digest: Digest::of_bytes(&gz),
        size: gz.len() as u64,
    };
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [Digest::of_bytes(&tar)]},
    }))
    .unwrap_or_default();
    let image = SaveImage {
        tags: vec!["bomb:1".into()],
        config,
        layers: vec![d.clone()],
    };
    let bytes = tarwrite::write_docker_save(Vec::new(), &[image], &mut |_| {
        Ok(Box::new(std::io::Cursor::new(gz.clone())))
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("export_limits");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let path = dir.join(name);
    std::fs::write(&path, &bytes).unwrap_or_else(|e| panic!("{e}"));
    (path, tar, d.digest)
}

/// 8 MiB of zeros in a file of a few KiB: with `--max-decompressed-bytes 1000` the bound is
/// 100 × the file's size, well under 8 MiB. The reader stops there (the layer has no diff_id,
/// a `limit` problem says so), and so does `export-layer`, naming the blob and the bound
/// instead of streaming all 8 MiB; with the default bound the same layer exports whole and
/// hashes to its diff_id.
#[test]
fn export_layer_stops_at_the_decompression_bound() {
    let (file, tar, blob) = bomb("bomb.tar", 8 << 20);
    let f = file.display().to_string();
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    let bound = 100 * size;
    assert!(bound < tar.len() as u64, "{size}-byte file");

    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_pancake"))
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run pancake: {e}"))
    };
    let o = run(&["inspect", "--json", "--max-decompressed-bytes", "1000", &f]);
    let doc: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        doc["images"][0]["layers"][0]["diff_id"],
        serde_json::Value::Null
    );
    assert!(doc["problems"]
        .as_array()
        .is_some_and(|ps| ps.iter().any(|p| p["kind"] == "limit")));

    let o = run(&["export-layer", "--max-decompressed-bytes", "1000", &f, "0"]);
    assert!(!o.status.success(), "exported {} bytes", o.stdout.len());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("blobs/sha256/{}", blob.hex()))
            && err.contains(&format!("more than {bound} bytes")),
        "{err}"
    );
    assert!(
        o.stdout.len() as u64 <= bound,
        "{} bytes written",
        o.stdout.len()
    );
    assert_eq!(
        o.stdout.as_slice(),
        tar.get(..o.stdout.len()).unwrap_or_default()
    );

    let o = run(&["export-layer", &f, "0"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(Digest::of_bytes(&o.stdout), Digest::of_bytes(&tar));
}
