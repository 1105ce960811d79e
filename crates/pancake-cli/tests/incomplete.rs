//! A layer that cannot be read to its end (here a tar header with a broken checksum, where
//! Go's reader and so `docker load` stop): `ls`, `find`, `diff` and `cat` show what was read
//! and fail with a line naming the layer's blob and why, and `inspect --ci` fails the image
//! (`FAIL complete`), so no file past the break is taken for absent.

use std::path::PathBuf;
use std::process::{Command, Output};

use pancake_core::digest::Digest;
use pancake_core::write::tarwrite::{self, Descriptor, SaveImage, TarEntry};
use serde_json::Value;

/// A `docker save` of one image with one uncompressed layer holding `first`, `second` and
/// `third` (in that order); `broken`: the second header's checksum is wrong, so only `first` can be read.
fn save(name: &str, broken: bool) -> PathBuf {
    let mut tar = tarwrite::layer_tar(
        ["first", "second", "third"]
            .iter()
            .map(|p| TarEntry::file(*p, p.as_bytes().to_vec(), 0o644))
            .collect(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    if broken {
        // `first`'s header and its one block of content, then `second`'s header: its checksum.
        let at = 1024 + 148;
        let b = tar
            .get_mut(at)
            .unwrap_or_else(|| panic!("a tar under {at} bytes"));
        *b ^= 0x55;
    }
    let digest = Digest::of_bytes(&tar);
    write_save(name, OCI_TAR, tar, &digest)
}

const OCI_TAR: &str = "application/vnd.oci.image.layer.v1.tar";

/// Writes a `docker save` of one image `t:1` whose one layer is `blob` (of `media_type`), its
/// config claiming `diff_id`, under the test's temp dir as `name`.
fn write_save(name: &str, media_type: &str, blob: Vec<u8>, diff_id: &Digest) -> PathBuf {
    let d = Descriptor {
        media_type: media_type.into(),
        digest: Digest::of_bytes(&blob),
        size: blob.len() as u64,
    };
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created_by": "COPY . /"}],
    }))
    .unwrap_or_default();
    let images = [SaveImage {
        tags: vec!["t:1".into()],
        config,
        layers: vec![d],
    }];
    let bytes = tarwrite::write_docker_save(Vec::new(), &images, &mut |_| {
        Ok(Box::new(std::io::Cursor::new(blob.clone())))
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("incomplete");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{e}"));
    path
}

fn pancake(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pancake"))
        .args(args)
        // No `.pancake-ci.yaml` from the working directory.
        .current_dir(env!("CARGO_TARGET_TMPDIR"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run pancake: {e}"))
}

fn out(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The one-line reason every command gives, naming the blob.
fn names_the_gap(stderr: &str) {
    assert!(
        stderr.contains("layer 0 (blobs/sha256/")
            && stderr.contains("could not be read to its end"),
        "{stderr}"
    );
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
}

#[test]
fn ls_lists_what_was_read_and_fails_naming_the_layer() {
    let whole = save("whole.tar", false);
    let broken = save("broken.tar", true);
    let o = pancake(&["ls", &whole.display().to_string()]);
    let (stdout, stderr) = out(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stdout.contains("third") && stderr.is_empty(),
        "{stdout}{stderr}"
    );

    for view in [&["--merged"][..], &["--layer", "0"][..]] {
        let file = broken.display().to_string();
        let mut args = vec!["ls", file.as_str()];
        args.extend_from_slice(view);
        let o = pancake(&args);
        let (stdout, stderr) = out(&o);
        assert!(o.status.code() == Some(1), "{view:?}: {stdout}");
        assert!(
            stdout.contains("first") && !stdout.contains("third"),
            "{view:?}: {stdout}"
        );
        assert!(
            stderr.contains("image 0: the listing above is incomplete"),
            "{stderr}"
        );
        names_the_gap(&stderr);
    }
}

#[test]
fn find_says_a_path_may_be_past_the_break() {
    let broken = save("find.tar", true).display().to_string();
    let o = pancake(&["find", &broken, "third"]);
    let (_, stderr) = out(&o);
    assert!(o.status.code() == Some(1));
    assert!(stderr.contains("no path of image 0 matches"), "{stderr}");
    names_the_gap(&stderr);
    // A match found is listed, and the search still fails as incomplete.
    let o = pancake(&["find", &broken, "first"]);
    let (stdout, stderr) = out(&o);
    assert!(
        o.status.code() == Some(1) && stdout.contains("first"),
        "{stdout}"
    );
    assert!(stderr.contains("the search is incomplete"), "{stderr}");
}

#[test]
fn diff_does_not_pass_off_unread_files_as_deleted() {
    let whole = save("diff-a.tar", false).display().to_string();
    let broken = save("diff-b.tar", true).display().to_string();
    let o = pancake(&["diff", &whole, &broken]);
    let (stdout, stderr) = out(&o);
    assert!(o.status.code() == Some(1), "{stdout}");
    assert!(stdout.contains("third"), "{stdout}");
    assert!(
        stderr.contains("the comparison above is incomplete"),
        "{stderr}"
    );
    assert!(
        stderr.contains("diff-b.tar: image 0: B is incomplete"),
        "{stderr}"
    );
    names_the_gap(&stderr);

    let o = pancake(&["diff", &whole, &broken, "--json"]);
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    let gaps = doc["incomplete"].as_array().cloned().unwrap_or_default();
    assert_eq!(gaps.len(), 1, "{doc}");
    assert_eq!(gaps[0]["side"], "b");
    assert_eq!(gaps[0]["layer"], 0);
    assert!(gaps[0]["blob"]
        .as_str()
        .is_some_and(|b| b.starts_with("blobs/sha256/")));
    // Two whole images: nothing incomplete, success.
    let o = pancake(&["diff", &whole, &whole, "--json"]);
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert!(o.status.success());
    assert_eq!(doc["incomplete"], serde_json::json!([]));
}

#[test]
fn cat_of_a_path_past_the_break_says_why_it_is_not_found() {
    let broken = save("cat.tar", true).display().to_string();
    let o = pancake(&["cat", &broken, "/third"]);
    let (_, stderr) = out(&o);
    assert!(o.status.code() == Some(1));
    names_the_gap(&stderr);
    let o = pancake(&["cat", &broken, "/first"]);
    assert!(o.status.success());
    assert_eq!(o.stdout, b"first");
}

#[test]
fn the_ci_gate_fails_an_image_it_could_not_read_whole() {
    let whole = save("ci-a.tar", false).display().to_string();
    let broken = save("ci-b.tar", true).display().to_string();
    let o = pancake(&["inspect", "--ci", &whole]);
    let (stdout, _) = out(&o);
    assert!(o.status.success(), "{stdout}");
    assert!(!stdout.contains("complete:"), "{stdout}");

    let o = pancake(&["inspect", "--ci", &broken]);
    let (stdout, _) = out(&o);
    assert!(!o.status.success(), "{stdout}");
    let line = stdout
        .lines()
        .find(|l| l.contains("FAIL complete"))
        .unwrap_or_else(|| panic!("no FAIL complete line: {stdout}"));
    assert!(line.contains("layer 0 (blobs/sha256/"), "{line}");
    assert!(stdout.contains("Result: FAIL"), "{stdout}");
}

/// A gzip layer whose trailer's CRC-32 is wrong: the whole tar inflates, then the check
/// fails. `export-layer` and `cat` fail with one line naming the file, the layer and its
/// blob, beside the decoder's words.
#[test]
fn a_layer_that_fails_to_decode_is_named_with_its_file_and_blob() {
    use std::io::Write;
    let tar = tarwrite::layer_tar(vec![TarEntry::file("etc/a", b"a".to_vec(), 0o644)])
        .unwrap_or_else(|e| panic!("{e}"));
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(&tar).unwrap_or_else(|e| panic!("{e}"));
    let mut gz = e.finish().unwrap_or_else(|e| panic!("{e}"));
    let crc = gz.len() - 8;
    if let Some(b) = gz.get_mut(crc) {
        *b ^= 0xff;
    }
    let blob = Digest::of_bytes(&gz).blob_path();
    let path = write_save(
        "bad-crc.tar",
        "application/vnd.oci.image.layer.v1.tar+gzip",
        gz,
        &Digest::of_bytes(&tar),
    );
    let file = path.display().to_string();

    let o = pancake(&["export-layer", &file, "0"]);
    let (_, stderr) = out(&o);
    assert!(!o.status.success());
    let want = format!("{file}: image 0 layer 0 ({blob}): ");
    assert!(stderr.starts_with(&format!("pancake: {want}")), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");

    // `cat` of its one file: the bytes come before the trailer, so they are given, then the
    // command fails saying the stream that holds them failed its check (it exited 0 before).
    let o = pancake(&["cat", &file, "/etc/a"]);
    let (_, stderr) = out(&o);
    assert!(o.status.code() == Some(1), "{stderr}");
    assert_eq!(o.stdout, b"a");
    assert!(
        stderr.starts_with(&format!("pancake: {file}: image 0: the bytes shown may not be the image's file: layer 0 ({blob}): could not be read to its end")),
        "{stderr}"
    );
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
}

/// A layer that ends 4 KiB into an entry whose header claims 1.1 TB: `inspect`'s history
/// SIZE for it is "—" (its files' size is not known), not the "1.1TB" its listed entries sum
/// to, and its JSON `size` (the uncompressed tar's) is `null`.
#[test]
fn a_header_cut_short_does_not_lend_the_layer_its_claimed_size() {
    let mut tar = tarwrite::layer_tar(vec![TarEntry::file("small", b"abc".to_vec(), 0o644)])
        .unwrap_or_else(|e| panic!("{e}"));
    tar.truncate(1024); // `small`'s header and its block, no end blocks
    tar.extend_from_slice(&gnu_header("huge.bin", 1_100_000_000_000));
    tar.extend_from_slice(&[b'z'; 4096]);
    let digest = Digest::of_bytes(&tar);
    let path = write_save("cut-claim.tar", OCI_TAR, tar, &digest);
    let file = path.display().to_string();

    let o = pancake(&["inspect", &file]);
    let (stdout, _) = out(&o);
    assert!(!stdout.contains("TB"), "{stdout}");
    let row = stdout
        .lines()
        .find(|l| l.contains("COPY . /"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(row.contains(" — "), "{row}");

    let o = pancake(&["inspect", "--json", &file]);
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    let layer = &doc["images"][0]["layers"][0];
    assert_eq!(layer["verification"], "unreadable", "{layer}");
    assert_eq!(layer["size"], Value::Null, "{layer}");

    // `ls` lists the file with its header's size said to be a claim, and fails naming the gap.
    let o = pancake(&["ls", &file, "--layer", "0"]);
    let (stdout, stderr) = out(&o);
    assert!(!o.status.success());
    let row = stdout
        .lines()
        .find(|l| l.starts_with("huge.bin "))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(row.contains(" 1100000000000 (cut: 4096 here) "), "{row}");
    names_the_gap(&stderr);
}

/// A GNU tar header of a regular file `name` whose size field holds `size` in base-256 (the
/// GNU form for sizes over 8 GiB).
fn gnu_header(name: &str, size: u64) -> [u8; 512] {
    fn put(h: &mut [u8; 512], at: usize, b: &[u8]) {
        if let Some(d) = h.get_mut(at..at + b.len()) {
            d.copy_from_slice(b);
        }
    }
    let mut h = [0u8; 512];
    put(&mut h, 0, name.as_bytes());
    put(&mut h, 100, b"0000644\0");
    put(&mut h, 108, b"0000000\0");
    put(&mut h, 116, b"0000000\0");
    let mut field = [0u8; 12];
    field[0] = 0x80;
    field[4..].copy_from_slice(&size.to_be_bytes());
    put(&mut h, 124, &field);
    put(&mut h, 136, b"00000000000\0");
    put(&mut h, 148, b"        ");
    put(&mut h, 156, b"0");
    put(&mut h, 257, b"ustar  \0");
    let sum: u32 = h.iter().map(|b| u32::from(*b)).sum();
    put(&mut h, 148, format!("{sum:06o}\0 ").as_bytes());
    h
}
