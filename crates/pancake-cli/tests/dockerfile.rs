//! `pancake dockerfile`: the Dockerfile read back from a demo's and real fixtures' history.

use std::path::PathBuf;
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    match std::env::var_os("PANCAKE_FIXTURES") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures"),
    }
}

fn pancake(args: &[&str]) -> Output {
    match Command::new(env!("CARGO_BIN_EXE_pancake"))
        .args(args)
        .output()
    {
        Ok(o) => o,
        Err(e) => panic!("cannot run pancake: {e}"),
    }
}

fn stdout(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}: {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn fixture(name: &str) -> String {
    fixtures().join(name).display().to_string()
}

#[test]
fn mysql_demo_names_its_base_and_each_layer() {
    let bytes = pancake_demo::build("mysql").unwrap_or_default();
    let dir = std::env::temp_dir().join(format!("pancake-df-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let path = dir.join("mysql.tar");
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{e}"));
    let p = path.display().to_string();
    let text = stdout(&pancake(&["dockerfile", &p]));
    assert!(
        text.starts_with(
            "# base image: layer 0; its layers are this image's lowest (same ChainIDs)\n\
FROM debian:bookworm-slim\n\
# layer 1\n\
RUN groupadd -r mysql \\\n    && useradd -r -g mysql mysql\n\
# layer 2\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("# settings only (no layer)\nENV GOSU_VERSION=1.16\n"),
        "{text}"
    );
    assert!(text.ends_with("# layer 10\nRUN ln -s usr/local/bin/docker-entrypoint.sh /entrypoint.sh # backwards compat\n# settings only (no layer)\nENTRYPOINT [\"docker-entrypoint.sh\"]\n# settings only (no layer)\nEXPOSE 3306 33060\n# settings only (no layer)\nCMD [\"mysqld\"]\n"), "{text}");
    let plain = stdout(&pancake(&["dockerfile", "--plain", &p]));
    assert_eq!(plain.lines().filter(|l| l.starts_with('#')).count(), 0);
    assert_eq!(plain.lines().next(), Some("FROM debian:bookworm-slim"));
    // 1 FROM + 18 instructions, 19 lines when the continuation lines are not counted.
    assert_eq!(plain.lines().filter(|l| !l.starts_with("    ")).count(), 19);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn docker20_classic_plain() {
    let text = stdout(&pancake(&[
        "dockerfile",
        "--plain",
        &fixture("docker20-save-app1.tar"),
    ]));
    assert_eq!(
        text,
        "FROM <base image, 1 layer>\n\
CMD [\"/bin/sh\"]\n\
LABEL org.example.test=sa-corpus org.example.variant=app1\n\
ENV APP_MODE=test LANG=C.UTF-8\n\
COPY dir:42dbee6175e8… /data/\n\
RUN echo \"modified\" >> /data/hello.txt\n\
RUN rm /data/b.txt\n\
RUN rm -rf /data/dir \\\n    && mkdir /data/dir \\\n    && echo new > /data/dir/new.txt\n\
RUN ln -s /data/hello.txt /data/hello.symlink \\\n    && ln /data/hello.txt /data/hello.hardlink \\\n    && ln -s ../nonexistent /data/dangling\n\
EXPOSE 8080\n\
WORKDIR /data\n\
CMD [\"/bin/sh\", \"-c\", \"cat /data/hello.txt\"]\n"
    );
}

#[test]
fn another_image_of_the_file_is_the_base() {
    let f = fixture("docker26-save-multi-app1-app2-app3.tar");
    let text = stdout(&pancake(&["dockerfile", "--image", "2", &f]));
    assert!(
        text.starts_with(
            "# base image: layers 0–6; its layers are this image's lowest (same ChainIDs)\nFROM sa-app1:1\n# layer 7\nRUN echo app3 > /data/app3.txt \\\n    && rm -rf /data/keepdir\n"
        ),
        "{text}"
    );
    let buildah = stdout(&pancake(&[
        "dockerfile",
        &fixture("podman-docker-archive-app1.tar"),
    ]));
    assert!(
        buildah.starts_with("# base image: layer 0; named by the builder in the history\nFROM localhost/sa-base:1\n# settings only (no layer)\nLABEL "),
        "{buildah}"
    );
    let out = pancake(&["dockerfile", "--image", "3", &f]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no image 3 (the archive has 3)"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `pancake ls --layer N` as (path, kind, size) rows.
fn ls_layer(file: &str, layer: &str) -> Vec<(String, String, u64)> {
    stdout(&pancake(&["ls", file, "--layer", layer]))
        .lines()
        .skip(1)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            let n = cols.len();
            Some((
                cols.get(..n.checked_sub(3)?)?.join(" "),
                cols.get(n - 3)?.to_string(),
                cols.get(n - 2)?.parse().ok()?,
            ))
        })
        .collect()
}

#[test]
fn json_hidden_bytes_of_deleting_layers() {
    let f = fixture("docker26-save-app1.tar");
    let out = pancake(&["inspect", "--json", &f]);
    let doc: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    let hidden: Vec<u64> = doc["images"][0]["layers"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|l| l["hidden_bytes"].as_u64())
                .collect()
        })
        .unwrap_or_default();
    // Layer 3 (`RUN rm /data/b.txt`) hides b.txt; layer 4 (`rm -rf /data/dir`, an opaque
    // directory) hides the two files under it: sizes as layer 1 (COPY) stores them.
    let rows = ls_layer(&f, "1");
    let size = |p: &str| {
        rows.iter()
            .find(|r| r.0 == p && r.1 == "file")
            .map(|r| r.2)
            .unwrap_or_else(|| panic!("no {p} in {rows:?}"))
    };
    let b = size("data/b.txt");
    let dir = size("data/dir/x.txt") + size("data/dir/sub/y.txt");
    assert_eq!(hidden, vec![0, 0, 0, b, dir, 0, 0]);
    // Still stored below: layer 1's wasted bytes include them.
    let wasted1 = doc["images"][0]["layers"][1]["wasted_bytes"]
        .as_u64()
        .unwrap_or(0);
    assert!(wasted1 >= b + dir, "{wasted1}");
}
