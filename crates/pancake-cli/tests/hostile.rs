//! The hostile tarball (tests/hostile/make_hostile.py: names and strings made to attack a
//! terminal or a page) through the real `pancake` binary: no control character but the
//! newlines between lines reaches stdout or stderr, names are shown in the lossless escaped
//! form (two names that differ in one byte print differently), JSON stays exact.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// Generates the hostile tarball once per test binary run (seeded, so always the same bytes).
fn hostile() -> (PathBuf, Value) {
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("hostile-{}", std::process::id()));
    let tar = dir.join("hostile.tar");
    // Tests run in parallel: one generates, the others wait for it.
    static MADE: std::sync::Once = std::sync::Once::new();
    MADE.call_once(|| {
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/hostile/make_hostile.py");
        let out = Command::new("python3")
            .arg(&script)
            .arg(&dir)
            .output()
            .unwrap_or_else(|e| panic!("cannot run python3 {}: {e}", script.display()));
        assert!(
            out.status.success(),
            "generator failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    });
    let text = std::fs::read_to_string(dir.join("hostile.expected.json"))
        .unwrap_or_else(|e| panic!("hostile.expected.json: {e}"));
    let exp = serde_json::from_str(&text).unwrap_or_else(|e| panic!("hostile.expected.json: {e}"));
    (tar, exp)
}

/// A one-layer save with one plain file, to diff the hostile image against: every hostile
/// path then shows as added or deleted (the same file diffed with itself lists none).
fn plain_image() -> PathBuf {
    use pancake_core::write::tarwrite::{
        write_docker_save, Descriptor, SaveImage, TarEntry, TarWriter,
    };
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("plain-{}", std::process::id()));
    let path = dir.join("plain.tar");
    static MADE: std::sync::Once = std::sync::Once::new();
    MADE.call_once(|| {
        let mut w = TarWriter::new(Vec::new());
        w.add(&TarEntry::file("other.txt", b"plain\n".to_vec(), 0o644))
            .expect("layer entry");
        w.add(&TarEntry::file(
            "bin.dat",
            vec![0xff, 0xfe, 0, 1, 0x1b, b'[', b'2', b'J'],
            0o644,
        ))
        .expect("layer entry");
        let layer = w.finish().expect("layer");
        let digest = pancake_core::Digest::of_bytes(&layer);
        let config = serde_json::to_vec(&serde_json::json!({
            "architecture": "amd64", "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": [digest.to_string()]},
            "history": [{"created_by": "COPY other.txt /"}],
        }))
        .expect("config");
        let img = SaveImage {
            tags: vec!["plain:1".into()],
            config,
            layers: vec![Descriptor {
                media_type: pancake_core::media::OCI_LAYER.into(),
                digest,
                size: layer.len() as u64,
            }],
        };
        let mut fetch = |_: &Descriptor| -> std::io::Result<Box<dyn std::io::Read + '_>> {
            Ok(Box::new(layer.as_slice()))
        };
        let bytes = write_docker_save(Vec::new(), &[img], &mut fetch).expect("save");
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(&path, bytes).expect("write plain.tar");
    });
    path
}

fn pancake(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pancake"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run pancake: {e}"))
}

/// Every character a terminal could act on: C0 but newline, DEL, C1, bidi controls.
fn raw_controls(bytes: &[u8]) -> Vec<char> {
    String::from_utf8_lossy(bytes)
        .chars()
        .filter(|&c| c != '\n' && pancake_core::escape::is_hidden_control(c))
        .collect()
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

#[test]
fn text_output_carries_no_raw_control_characters() {
    let (tar, exp) = hostile();
    let tar = tar.display().to_string();
    for args in [
        vec!["inspect", tar.as_str()],
        vec!["inspect", "--no-trunc", tar.as_str()],
        vec!["ls", tar.as_str(), "--layer", "0"],
        vec!["ls", tar.as_str(), "--layer", "1"],
        vec!["ls", tar.as_str(), "--merged"],
        vec!["inspect", "--json", tar.as_str()],
    ] {
        let out = pancake(&args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            raw_controls(&out.stdout),
            Vec::<char>::new(),
            "{args:?} stdout"
        );
        assert_eq!(
            raw_controls(&out.stderr),
            Vec::<char>::new(),
            "{args:?} stderr"
        );
    }

    let text =
        String::from_utf8_lossy(&pancake(&["inspect", "--no-trunc", &tar]).stdout).into_owned();
    // History (created_by with ESC/BEL and bidi), comment, tags: escaped, still readable.
    assert!(
        text.contains(r#"echo "\x1b]0;pwned\x07\x1b[2J" > /x && echo \u{202e}evil\u{202c}"#),
        "{text}"
    );
    assert!(text.contains(r"<i>c</i>\u{202e}"), "{text}");
    assert!(text.contains(r"rtl\u{202e}gnp:1"), "{text}");
    assert!(text.contains(s(&exp["tags"][0])), "{text}");
}

#[test]
fn names_print_escaped_and_distinct() {
    let (tar, exp) = hostile();
    let out = pancake(&["ls", &tar.display().to_string(), "--layer", "0"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut paths: Vec<String> = text
        .lines()
        .skip(1)
        .filter_map(|l| l.split("   ").next())
        .map(|p| p.split(" -> ").next().unwrap_or(p).trim().to_string())
        .collect();
    paths.sort();
    let want: Vec<String> = exp["layer0_names"]
        .as_array()
        .map(|a| a.iter().map(|v| s(v).to_string()).collect())
        .unwrap_or_default();
    assert_eq!(paths, want);
    // caf\xe9 (one byte), caf\xe8 and the literal text caf\xe9 (backslash) are three rows.
    for (key, size) in [
        ("latin_e_acute", 11),
        ("latin_e_grave", 22),
        ("backslash", 33),
    ] {
        let name = s(&exp["names"][key]);
        let row = text
            .lines()
            .find(|l| l.split("   ").next() == Some(name))
            .unwrap_or_else(|| panic!("no row for {name} in\n{text}"));
        assert!(row.contains(&format!("   {size}   ")), "{row}");
    }
    let link = format!("{} -> {}", s(&exp["names"]["link"]), s(&exp["link_target"]));
    assert!(text.contains(&link), "{text}");
}

#[test]
fn json_keeps_strings_exact() {
    let (tar, exp) = hostile();
    let out = pancake(&["inspect", "--json", &tar.display().to_string()]);
    let doc: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON: {e}"));
    let img = &doc["images"][0];
    assert_eq!(img["tags"], exp["tags"]);
    let created: Vec<&str> = img["history"]
        .as_array()
        .map(|h| h.iter().map(|r| s(&r["created_by"])).collect())
        .unwrap_or_default();
    let want: Vec<&str> = exp["created_by"]
        .as_array()
        .map(|h| h.iter().map(s).collect())
        .unwrap_or_default();
    assert_eq!(created, want);
    let diff_ids: Vec<&Value> = img["layers"]
        .as_array()
        .map(|l| l.iter().map(|l| &l["diff_id"]).collect())
        .unwrap_or_default();
    let want_ids: Vec<&Value> = exp["diff_ids"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    assert_eq!(diff_ids, want_ids);
    // The text itself has the bidi override only as an escape.
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(r#""rtl\u202egnp:1""#), "{text}");
}

#[test]
fn errors_name_the_file_without_its_control_characters() {
    let out = pancake(&["ls", "no\x1b[2Jsuch\u{202e}.tar"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(raw_controls(&out.stderr), Vec::<char>::new());
    assert!(
        err.starts_with(r"pancake: no\x1b[2Jsuch\u{202e}.tar: cannot open"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// Fields of one CSV line (RFC 4180 quoting).
fn csv_fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                if let Some(f) = out.last_mut() {
                    f.push('"');
                }
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(String::new()),
            (c, _) => {
                if let Some(f) = out.last_mut() {
                    f.push(c);
                }
            }
        }
    }
    out
}

/// The commands of issue #15 on the hostile tarball: `ls --format csv`, `cat` (errors),
/// `diff`, `inspect --ci` and `--platform` print no raw control character; every file's
/// escaped name, typed back into `cat`, gives as many bytes as `ls` says it has.
#[test]
fn new_commands_keep_controls_out_and_names_round_trip() {
    let (tar, _) = hostile();
    let tar = tar.display().to_string();
    let csv = pancake(&["ls", &tar, "--merged", "--format", "csv"]);
    assert!(csv.status.success());
    assert_eq!(raw_controls(&csv.stdout), Vec::<char>::new());
    let text = String::from_utf8_lossy(&csv.stdout).into_owned();
    let mut files = 0;
    for line in text.lines().skip(1) {
        let f = csv_fields(line);
        assert_eq!(f.len(), 6, "{line}");
        if f.get(1).map(String::as_str) != Some("file") {
            continue;
        }
        let (path, size) = (f[0].as_str(), f[2].parse::<usize>().unwrap_or(usize::MAX));
        let o = pancake(&["cat", &tar, path]);
        assert!(
            o.status.success(),
            "{path}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert_eq!(o.stdout.len(), size, "{path}");
        files += 1;
    }
    assert!(files > 5, "{files} files");
    let plain = plain_image().display().to_string();
    // The hostile names reach each output: diffed against another image (both ways), found,
    // and the history read back as a Dockerfile (its steps hold ESC, BEL and U+202E).
    let diff = pancake(&["diff", &tar, &plain]);
    let listed = String::from_utf8_lossy(&diff.stdout).into_owned();
    assert!(
        listed.contains("hostile/<img src=x onerror=alert(1)>.txt") && listed.contains("other.txt"),
        "the diff lists both images' paths: {listed}"
    );
    let found = pancake(&["find", &tar, ""]);
    assert!(String::from_utf8_lossy(&found.stdout).contains("\\x1b]0;pwned\\x07"));
    let dockerfile = pancake(&["dockerfile", &tar]);
    assert!(String::from_utf8_lossy(&dockerfile.stdout).contains("\\u{202e}evil"));
    for args in [
        vec!["cat", &tar, "/no\\x1b[31mpe"],
        vec!["diff", &tar, &tar],
        vec!["diff", &tar, &plain],
        vec!["diff", &plain, &tar],
        vec!["diff", "--json", &tar, &plain],
        vec!["find", &tar, ""],
        vec!["dockerfile", &tar],
        vec!["inspect", "--ci", &tar],
        vec!["inspect", "--platform", "linux/\u{202e}x", &tar],
    ] {
        let o = pancake(&args);
        assert_eq!(
            raw_controls(&o.stdout),
            Vec::<char>::new(),
            "{args:?} stdout"
        );
        assert_eq!(
            raw_controls(&o.stderr),
            Vec::<char>::new(),
            "{args:?} stderr"
        );
    }
}

/// `pancake ARGS` with its stdout on a terminal (a pseudo-terminal Python's `pty` opens) and
/// its stderr piped (its own progress line draws with escape sequences on a terminal): what
/// a person at a terminal sees of the file, what it said on stderr, and the exit code.
fn on_a_terminal(args: &[&str]) -> (Vec<u8>, String, i32) {
    const RUN: &str = "import os, pty, subprocess, sys\n\
main, sub = pty.openpty()\n\
p = subprocess.Popen(sys.argv[1:], stdout=sub, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)\n\
os.close(sub)\n\
out = b''\n\
while True:\n    try:\n        d = os.read(main, 65536)\n    except OSError:\n        break\n    if not d:\n        break\n    out += d\n\
err = p.stderr.read()\n\
code = p.wait()\n\
sys.stdout.buffer.write(out)\n\
sys.stderr.buffer.write(err)\n\
sys.exit(code)\n";
    let o = Command::new("python3")
        .args(["-c", RUN, env!("CARGO_BIN_EXE_pancake")])
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3: {e}"));
    (
        o.stdout,
        String::from_utf8_lossy(&o.stderr).into_owned(),
        o.status.code().unwrap_or(-1),
    )
}

/// On a terminal `cat` shows text with its control characters escaped (an ESC in a file
/// must not rewrite the screen) and refuses binary content, writing none of it; piped, the
/// same files come out byte for byte.
#[test]
fn cat_on_a_terminal_escapes_text_and_refuses_binary() {
    let (tar, exp) = hostile();
    let tar = tar.display().to_string();
    let term = s(&exp["names"]["term"]).to_string();
    let (out, err, code) = on_a_terminal(&["cat", &tar, &term]);
    let text = String::from_utf8_lossy(&out);
    assert_eq!(code, 0, "{text} {err}");
    assert!(text.contains("\\x1b]0;pwned\\x07\\x1b[2J"), "{text}");
    assert!(
        !out.contains(&0x1b) && !out.contains(&0x07),
        "raw controls reached the terminal: {out:?}"
    );
    let piped = pancake(&["cat", &tar, &term]);
    assert_eq!(piped.stdout, b"\x1b]0;pwned\x07\x1b[2J\n");

    let plain = plain_image().display().to_string();
    let (out, err, code) = on_a_terminal(&["cat", &plain, "bin.dat"]);
    assert_ne!(code, 0, "{err}");
    assert!(err.contains("bin.dat is binary; redirect it"), "{err}");
    assert!(out.is_empty(), "nothing of it on the terminal: {out:?}");
    assert!(
        !out.contains(&0xff) && !out.contains(&0x1b),
        "binary bytes reached the terminal: {out:?}"
    );
    assert_eq!(
        pancake(&["cat", &plain, "bin.dat"]).stdout,
        vec![0xff, 0xfe, 0, 1, 0x1b, b'[', b'2', b'J']
    );
}
