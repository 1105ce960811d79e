//! Containers on the nginx demo and on a real `docker save` fixture: copy-up, whiteouts,
//! opaque directories, rename, chmod/chown, isolation, `docker diff`, commit digests
//! (recomputed here with sha2), export read back by our reader and by Python, and loaded
//! and run by real Docker.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use pancake_core::analyze::union::FileRow;
use pancake_core::read::archive::{self, Options};
use pancake_core::write::container::{self, Container, ContainerError, Lower, UpperEntry};
use pancake_core::{Archive, RawPath};
use pancake_demo as demo;
use sha2::{Digest as _, Sha256};

fn open(name: &str, bytes: &Vec<u8>) -> Archive {
    archive::open(name, bytes, &Options::default(), &mut |_| {})
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// A fetch closure over the tarball's bytes: what the CLI does with a file.
fn fetcher<'a>(
    bytes: &'a Vec<u8>,
    a: &'a Archive,
) -> impl Fn(&FileRow) -> Result<Vec<u8>, String> + 'a {
    move |row: &FileRow| {
        let m = row.member.ok_or("no member")?;
        archive::read_entry_content(bytes, a, m, &row.path, container::MAX_FILE_BYTES)
            .map_err(|e| e.to_string())
    }
}

fn tar_names(layer: &[u8]) -> Vec<String> {
    let mut ar = tar::Archive::new(layer);
    let entries = ar.entries().unwrap_or_else(|e| panic!("{e}"));
    entries
        .flatten()
        .map(|e| String::from_utf8_lossy(&e.path_bytes()).into_owned())
        .collect()
}

fn ok(r: Result<Container, ContainerError>) -> Container {
    r.unwrap_or_else(|e| panic!("{e}"))
}

const CONF: &str = "/etc/nginx/nginx.conf";

/// `c` committed on `img` of `a` (read from `bytes`), exported as `tag`, and the export read
/// back: its bytes and what the reader made of them.
fn commit_and_read_back(
    c: &Container,
    bytes: &Vec<u8>,
    a: &Archive,
    img: &pancake_core::Image,
    tag: &str,
) -> (Vec<u8>, Archive) {
    let cfg = container::image_config_json(a, img).unwrap_or_default();
    let committed = c
        .commit(cfg.as_bytes(), tag, None, "2024-01-01T00:00:00Z")
        .unwrap_or_else(|e| panic!("{e}"));
    let out = container::export(bytes, a, img, &committed, tag).unwrap_or_else(|e| panic!("{e}"));
    let back = open(tag, &out);
    (out, back)
}

#[test]
fn copy_up_on_write_keeps_the_image() {
    let bytes = demo::build("nginx").unwrap_or_default();
    let a = open("nginx", &bytes);
    let img = &a.images[0];
    let fetch = fetcher(&bytes, &a);
    let lower = Lower::from_image(&a, img, &fetch);

    let c0 = Container::new("web-1", img);
    assert_eq!(c0.id.len(), 64);
    assert!(c0.upper.is_empty() && c0.diff(&lower).is_empty() && c0.upper_size() == 0);
    let original = c0.read(CONF, &lower).unwrap_or_default();
    assert_eq!(original, demo::NGINX_CONF.as_bytes());

    let edited = demo::NGINX_CONF.replace("worker_processes  auto;", "worker_processes  4;");
    let c1 = ok(c0.write_file(CONF, edited.as_bytes(), &lower));
    assert_eq!(c1.read(CONF, &lower).unwrap_or_default(), edited.as_bytes());
    // The old value is untouched, and so is the image.
    assert!(c0.upper.is_empty());
    assert_eq!(c0.read(CONF, &lower).unwrap_or_default(), original);
    // Copied up with its metadata; parents copied up as directories.
    let key = RawPath::from("etc/nginx/nginx.conf");
    assert!(matches!(
        c1.upper.get(&key),
        Some(UpperEntry::File {
            mode: 0o644,
            uid: 0,
            gid: 0,
            ..
        })
    ));
    assert!(matches!(
        c1.upper.get(&RawPath::from("etc/nginx")),
        Some(UpperEntry::Dir { mode: 0o755, .. })
    ));
    assert_eq!(
        c1.diff(&lower),
        ["C /etc", "C /etc/nginx", "C /etc/nginx/nginx.conf"]
    );
    assert_eq!(c1.upper_size(), edited.len() as u64);
    let st = c1.stat(CONF, &lower).unwrap_or_else(|| panic!("stat"));
    assert!(st.in_upper);
    assert_eq!(c0.stat(CONF, &lower).and_then(|s| s.layer), Some(2));
}

#[test]
fn delete_rename_opaque_chmod_and_diff() {
    let bytes = demo::build("nginx").unwrap_or_default();
    let a = open("nginx", &bytes);
    let img = &a.images[0];
    let fetch = fetcher(&bytes, &a);
    let lower = Lower::from_image(&a, img, &fetch);
    let c = Container::new("web-2", img);

    // File delete → whiteout; directory delete → one `.wh.<dir>`.
    let c = ok(c.delete("/usr/share/nginx/html/index.html", &lower));
    let c = ok(c.delete("/usr/share/doc", &lower));
    assert!(c.stat("/usr/share/doc/bash/copyright", &lower).is_none());
    assert!(matches!(
        c.read("/usr/share/nginx/html/index.html", &lower),
        Err(ContainerError::NotFound(_))
    ));
    // Empty a directory and re-create it: opaque.
    let c = ok(c.delete("/etc/nginx/conf.d", &lower));
    let c = ok(c.mkdir("/etc/nginx/conf.d", 0o755, &lower));
    let c = ok(c.create_file(
        "/etc/nginx/conf.d/site.conf",
        b"server { listen 8080; }\n",
        0o644,
        &lower,
    ));
    assert!(matches!(
        c.upper.get(&RawPath::from("etc/nginx/conf.d")),
        Some(UpperEntry::Opaque { .. })
    ));
    assert!(c.stat("/etc/nginx/conf.d/default.conf", &lower).is_none());
    // Rename: copy-up under the new name + whiteout of the old one.
    let c = ok(c.rename(
        "/usr/share/nginx/html/50x.html",
        "/usr/share/nginx/html/error.html",
        &lower,
    ));
    assert!(c.stat("/usr/share/nginx/html/50x.html", &lower).is_none());
    let moved = c
        .read("/usr/share/nginx/html/error.html", &lower)
        .unwrap_or_default();
    assert!(String::from_utf8_lossy(&moved).contains("An error occurred."));
    // chmod / chown: metadata copy-up of the whole file.
    let c = ok(c.chmod("/usr/sbin/nginx", 0o700, &lower));
    let c = ok(c.chown("/etc/nginx/mime.types", 101, 101, &lower));
    let st = c
        .stat("/usr/sbin/nginx", &lower)
        .unwrap_or_else(|| panic!("stat"));
    assert_eq!((st.mode, st.in_upper), (0o700, true));
    assert_eq!(
        c.read("/usr/sbin/nginx", &lower).ok().map(|b| b.len()),
        Some(24_000)
    );
    // New things.
    let c = ok(c.mkdir("/srv/www", 0o755, &lower));
    let c = ok(c.symlink("/srv/www/current", "/usr/share/nginx/html", &lower));
    assert!(matches!(
        c.mkdir("/srv/www", 0o755, &lower),
        Err(ContainerError::AlreadyExists(_))
    ));
    assert!(matches!(
        c.create_file("/nope/x", b"", 0o644, &lower),
        Err(ContainerError::NotFound(_))
    ));
    // A trailing slash names a folder: a new file there is refused, as open(O_CREAT) is.
    assert!(matches!(
        c.create_file("/etc/motd/", b"", 0o644, &lower),
        Err(ContainerError::IsADirectory(p)) if p == "/etc/motd"
    ));
    assert!(matches!(
        c.write_file("/etc/nginx", b"", &lower),
        Err(ContainerError::IsADirectory(_))
    ));
    assert!(matches!(
        c.write_file("/../etc/x", b"", &lower),
        Err(ContainerError::InvalidPath(_))
    ));

    assert_eq!(
        c.diff(&lower),
        [
            "C /etc",
            "C /etc/nginx",
            "C /etc/nginx/conf.d",
            "D /etc/nginx/conf.d/default.conf",
            "A /etc/nginx/conf.d/site.conf",
            "C /etc/nginx/mime.types",
            "C /srv",
            "A /srv/www",
            "A /srv/www/current",
            "C /usr",
            "C /usr/sbin",
            "C /usr/sbin/nginx",
            "C /usr/share",
            "D /usr/share/doc",
            "C /usr/share/nginx",
            "C /usr/share/nginx/html",
            "D /usr/share/nginx/html/50x.html",
            "A /usr/share/nginx/html/error.html",
            "D /usr/share/nginx/html/index.html",
        ]
    );

    // The committed layer spells all of that in image-spec terms.
    let cfg = config_json(&bytes, &a);
    let committed = c
        .commit(&cfg, "pancake: edits", None, "2024-03-01T12:00:00Z")
        .unwrap_or_else(|e| panic!("{e}"));
    let names = tar_names(&committed.layer_tar);
    for want in [
        "etc/nginx/conf.d/",
        "etc/nginx/conf.d/.wh..wh..opq",
        "etc/nginx/conf.d/site.conf",
        "usr/share/.wh.doc",
        "usr/share/nginx/html/.wh.50x.html",
        "usr/share/nginx/html/.wh.index.html",
        "usr/share/nginx/html/error.html",
        "srv/www/current",
    ] {
        assert!(names.iter().any(|n| n == want), "{want} not in {names:?}");
    }
    let mut sorted = names.clone();
    sorted.sort_by(|x, y| x.trim_end_matches('/').cmp(y.trim_end_matches('/')));
    assert_eq!(names, sorted, "layer tar is sorted");
}

#[test]
fn two_containers_from_one_image_are_isolated() {
    let bytes = demo::build("nginx").unwrap_or_default();
    let a = open("nginx", &bytes);
    let img = &a.images[0];
    let fetch = fetcher(&bytes, &a);
    let lower = Lower::from_image(&a, img, &fetch);
    let one = ok(Container::new("one", img).write_file(CONF, b"# one\n", &lower));
    let one = ok(one.delete("/usr/share/nginx/html/index.html", &lower));
    let two = Container::new("two", img);
    assert_ne!(one.id, two.id);
    assert_eq!(
        two.read(CONF, &lower).unwrap_or_default(),
        demo::NGINX_CONF.as_bytes()
    );
    assert!(two
        .stat("/usr/share/nginx/html/index.html", &lower)
        .is_some());
    let two = ok(two.write_file(CONF, b"# two\n", &lower));
    assert_eq!(one.read(CONF, &lower).unwrap_or_default(), b"# one\n");
    assert_eq!(two.read(CONF, &lower).unwrap_or_default(), b"# two\n");
}

fn config_json(bytes: &[u8], a: &Archive) -> Vec<u8> {
    let d = a.images[0]
        .config_digest
        .clone()
        .unwrap_or_else(|| panic!("no config digest"));
    let path = format!("blobs/sha256/{}", d.hex());
    let m = a
        .members
        .iter()
        .find(|m| m.path.as_bytes() == path.as_bytes())
        .unwrap_or_else(|| panic!("no {path}"));
    let off = m.data_offset.unwrap_or_default() as usize;
    bytes[off..off + m.size as usize].to_vec()
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pancake-container-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok();
    dir.join(name)
}

fn python_check(file: &PathBuf, top_diff_id: &str) {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/docker/check_export.py"
    );
    let out = Command::new("python3")
        .arg(script)
        .arg(file)
        .arg(top_diff_id)
        .output()
        .unwrap_or_else(|e| panic!("python3: {e}"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "check_export.py: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains(top_diff_id));
}

/// Commit + export; returns (export bytes, new top diff_id, created_by).
fn commit_and_export(
    bytes: &Vec<u8>,
    a: &Archive,
    c: &Container,
    tag: &str,
) -> (Vec<u8>, String, String) {
    let img = &a.images[0];
    let cfg = config_json(bytes, a);
    let created_by = format!("pancake commit {}", c.short_id());
    let committed = c.commit(
        &cfg,
        &created_by,
        Some("edited in Pancake"),
        "2024-03-01T12:00:00Z",
    );
    let committed = committed.unwrap_or_else(|e| panic!("{e}"));
    // Digests recomputed independently.
    assert_eq!(committed.diff_id.as_str(), sha256(&committed.layer_tar));
    assert_eq!(
        committed.config_digest.as_str(),
        sha256(&committed.config_json)
    );
    let again = c.commit(
        &cfg,
        &created_by,
        Some("edited in Pancake"),
        "2024-03-01T12:00:00Z",
    );
    assert_eq!(
        again.ok().as_ref(),
        Some(&committed),
        "commit is deterministic"
    );
    let new_cfg: serde_json::Value =
        serde_json::from_slice(&committed.config_json).unwrap_or_default();
    let ids = new_cfg["rootfs"]["diff_ids"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(ids.len(), img.layers.len() + 1);
    assert_eq!(
        ids.last().and_then(|v| v.as_str()),
        Some(committed.diff_id.as_str())
    );
    let hist = new_cfg["history"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        hist.last().and_then(|h| h["created_by"].as_str()),
        Some(created_by.as_str())
    );
    assert_eq!(hist.len(), img.history.len() + 1);

    let out =
        container::export(bytes, a, img, &committed, tag).unwrap_or_else(|e| panic!("export: {e}"));
    // Streaming into a writer gives the same bytes.
    let mut fetch = |m: usize| -> std::io::Result<Box<dyn std::io::Read + '_>> {
        let mem = &a.members[m];
        let off = mem.data_offset.unwrap_or_default() as usize;
        Ok(Box::new(&bytes[off..off + mem.size as usize]))
    };
    let streamed =
        container::export_to(Vec::new(), img, &committed, tag, &mut fetch).unwrap_or_default();
    assert_eq!(streamed, out);

    // Our reader: every layer verified, the lower ones shared with the original.
    let back = open("export", &out);
    assert!(back.problems.is_empty(), "{:?}", back.problems);
    let bi = &back.images[0];
    assert_eq!(bi.tags, vec![tag.to_string()]);
    assert_eq!(bi.config_digest.as_ref(), Some(&committed.config_digest));
    assert!(bi.layers.iter().all(|l| l.verified), "{:?}", bi.layers);
    for (x, y) in img.layers.iter().zip(&bi.layers) {
        assert_eq!(x.diff_id, y.diff_id);
        assert_eq!(x.digest, y.digest);
    }
    assert_eq!(
        bi.layers.last().and_then(|l| l.diff_id.clone()),
        Some(committed.diff_id.clone())
    );
    // Python's tarfile + hashlib.
    let file = temp(&format!("{}.tar", tag.replace(['/', ':'], "_")));
    std::fs::write(&file, &out).ok();
    python_check(&file, committed.diff_id.as_str());
    (out, committed.diff_id.to_string(), created_by)
}

#[test]
fn commit_and_export_nginx_demo() {
    let bytes = demo::build("nginx").unwrap_or_default();
    let a = open("nginx", &bytes);
    let img = &a.images[0];
    let fetch = fetcher(&bytes, &a);
    let lower = Lower::from_image(&a, img, &fetch);
    let edited = demo::NGINX_CONF.replace("keepalive_timeout  65;", "keepalive_timeout  10;");
    let c = ok(Container::new("web", img).write_file(CONF, edited.as_bytes(), &lower));
    let c = ok(c.delete("/usr/share/nginx/html/index.html", &lower));
    let (out, _, _) = commit_and_export(&bytes, &a, &c, "pancake-demo/nginx:edited");
    // The exported image's merged view has the edit and the deletion.
    let back = open("export", &out);
    let bi = &back.images[0];
    let fetch2 = fetcher(&out, &back);
    let lower2 = Lower::from_image(&back, bi, &fetch2);
    let fresh = Container::new("check", bi);
    assert_eq!(
        fresh.read(CONF, &lower2).unwrap_or_default(),
        edited.as_bytes()
    );
    assert!(fresh
        .stat("/usr/share/nginx/html/index.html", &lower2)
        .is_none());
}

fn fixtures() -> PathBuf {
    match std::env::var_os("PANCAKE_FIXTURES") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/fixtures"
        )),
    }
}

/// The real Docker round trip: a container on a real `docker save` (Docker 26) fixture
/// whose base has a static busybox, edit /data/hello.txt, commit, export, `docker load`,
/// `docker run … cat`; and the nginx demo (no real binaries) read back with `docker cp`.
#[test]
fn docker_loads_and_runs_the_export() {
    let t0 = Instant::now();
    let path = fixtures().join("docker26-save-app1.tar");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let a = open("docker26-save-app1.tar", &bytes);
    let img = &a.images[0];
    let fetch = fetcher(&bytes, &a);
    let lower = Lower::from_image(&a, img, &fetch);
    let before = Container::new("edit", img)
        .read("/data/hello.txt", &lower)
        .unwrap_or_default();
    let new_text = format!("{}edited by pancake\n", String::from_utf8_lossy(&before));
    let c =
        ok(Container::new("edit", img).write_file("/data/hello.txt", new_text.as_bytes(), &lower));
    assert_eq!(c.diff(&lower), ["C /data", "C /data/hello.txt"]);
    let tag = "pancake-test/app1:edited";
    let (out, _, created_by) = commit_and_export(&bytes, &a, &c, tag);
    let file = temp("app1-edited.tar");
    std::fs::write(&file, &out).ok();
    eprintln!("export built and checked in {:?}", t0.elapsed());

    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/docker/load_and_run.sh"
    );
    let t1 = Instant::now();
    let run = Command::new("bash")
        .arg(script)
        .arg(&file)
        .arg(tag)
        .arg("/data/hello.txt")
        .arg(new_text.trim_end_matches('\n'))
        .arg(&created_by)
        .output()
        .unwrap_or_else(|e| panic!("bash: {e}"));
    eprintln!("{}", String::from_utf8_lossy(&run.stderr));
    assert!(run.status.success(), "docker oracle failed");
    eprintln!(
        "docker oracle (fixture, docker run cat) in {:?}",
        t1.elapsed()
    );

    // The nginx demo edit, read back by Docker without running anything.
    let nb = demo::build("nginx").unwrap_or_default();
    let na = open("nginx", &nb);
    let nfetch = fetcher(&nb, &na);
    let nlower = Lower::from_image(&na, &na.images[0], &nfetch);
    let edited = demo::NGINX_CONF.replace("worker_processes  auto;", "worker_processes  2;");
    let nc = ok(Container::new("web", &na.images[0]).write_file(CONF, edited.as_bytes(), &nlower));
    let (nout, _, ncreated) = commit_and_export(&nb, &na, &nc, "pancake-demo/nginx:edited");
    let nfile = temp("nginx-edited.tar");
    std::fs::write(&nfile, &nout).ok();
    let t2 = Instant::now();
    let run = Command::new("bash")
        .env("READ_WITH", "cp")
        .arg(script)
        .arg(&nfile)
        .arg("pancake-demo/nginx:edited")
        .arg(CONF)
        .arg(edited.trim_end_matches('\n'))
        .arg(&ncreated)
        .output()
        .unwrap_or_else(|e| panic!("bash: {e}"));
    eprintln!("{}", String::from_utf8_lossy(&run.stderr));
    assert!(run.status.success(), "docker oracle (nginx demo) failed");
    eprintln!(
        "docker oracle (nginx demo, docker cp) in {:?}",
        t2.elapsed()
    );
}

/// The config JSON the web app commits against is the stored config, byte for byte.
#[test]
fn image_config_json_is_the_stored_config() {
    let bytes = demo::build("nginx").unwrap_or_default();
    let a = open("nginx", &bytes);
    let img = &a.images[0];
    let kept = container::image_config_json(&a, img).unwrap_or_else(|| panic!("no config"));
    assert_eq!(kept.as_bytes(), config_json(&bytes, &a).as_slice());

    let path = fixtures().join("docker26-save-app1.tar");
    let Ok(fx) = std::fs::read(&path) else {
        panic!("fixture {path:?} missing")
    };
    let a = open("app1", &fx);
    let kept = container::image_config_json(&a, &a.images[0]).map(str::as_bytes);
    assert_eq!(kept, Some(config_json(&fx, &a).as_slice()));
    let committed = Container::new("x", &a.images[0]).commit(
        kept.unwrap_or_default(),
        "pancake commit",
        None,
        "2024-03-01T12:00:00Z",
    );
    assert!(committed.is_ok(), "{committed:?}");
}

/// Names are bytes: on the field case with two Latin-1 names, the escaped form the page shows
/// (`caf\xe8.txt`) names that exact file, a write copies up those bytes, and `docker diff` and
/// the commit's layer carry the raw name, not the escaped text.
#[test]
fn escaped_names_name_their_bytes() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/field/non-utf8-pax-name.tar");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let a = open("non-utf8-pax-name.tar", &bytes);
    let img = &a.images[0];
    let fetch = fetcher(&bytes, &a);
    let lower = Lower::from_image(&a, img, &fetch);
    let c0 = Container::new("latin1", img);
    assert_eq!(
        c0.read(r"/data/caf\xe8.txt", &lower).unwrap_or_default(),
        b"BBBBBBBBBBBBBBBBBBBBB\n"
    );
    assert!(
        c0.stat(r"/data/caf\xe9.txt", &lower).is_none(),
        "whited out in layer 1"
    );
    let c1 = ok(c0.write_file(r"/data/caf\xe8.txt", b"new\n", &lower));
    assert_eq!(
        c1.read(r"/data/caf\xe8.txt", &lower).unwrap_or_default(),
        b"new\n"
    );
    assert_eq!(
        c1.upper.keys().map(RawPath::as_bytes).collect::<Vec<_>>(),
        vec![&b"data"[..], &b"data/caf\xe8.txt"[..]]
    );
    assert_eq!(c1.diff(&lower), vec![r"C /data", r"C /data/caf\xe8.txt"]);
}

/// `Container::merged` lists exactly the paths `Container::stat` finds, with the same stat,
/// in path order: after each of 400 seeded edits (deletes of files and folders, re-created
/// folders that turn opaque, new files, symlinks, renames, writes) of the nginx demo.
#[test]
fn merged_is_what_stat_finds_after_random_edits() {
    let bytes = demo::build("nginx").unwrap_or_default();
    let a = open("nginx", &bytes);
    let img = &a.images[0];
    let fetch = fetcher(&bytes, &a);
    let lower = Lower::from_image(&a, img, &fetch);
    let lower_paths: Vec<String> = lower.all().map(|f| format!("/{}", f.row.path)).collect();
    assert!(lower_paths.len() > 50, "{}", lower_paths.len());
    let mut c = Container::new("random", img);
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((seed >> 33) as usize) % n.max(1)
    };
    let mut applied = 0;
    for step in 0..400 {
        let pick = lower_paths[next(lower_paths.len())].clone();
        let other = lower_paths[next(lower_paths.len())].clone();
        let fresh = format!("{pick}/new{step}");
        let r = match next(7) {
            0 | 1 => c.delete(&pick, &lower),
            2 => c.mkdir(&pick, 0o755, &lower),
            3 => c.create_file(&fresh, b"x", 0o644, &lower),
            4 => c.symlink(&fresh, &other, &lower),
            5 => c.rename(&pick, &format!("{other}.moved{step}"), &lower),
            _ => c.write_file(&pick, b"new bytes\n", &lower),
        };
        if let Ok(n) = r {
            c = n;
            applied += 1;
        }
        let mut paths: Vec<RawPath> = lower.all().map(|f| f.row.path.clone()).collect();
        paths.extend(c.upper.keys().cloned());
        paths.sort();
        paths.dedup();
        let want: Vec<(RawPath, container::Stat)> = paths
            .into_iter()
            .filter_map(|p| c.stat(&format!("/{p}"), &lower).map(|st| (p, st)))
            .collect();
        let got: Vec<(RawPath, container::Stat)> = c
            .merged(&lower)
            .into_iter()
            .map(|r| (r.path, r.stat))
            .collect();
        assert_eq!(got, want, "after step {step}");
    }
    assert!(applied > 50, "only {applied} edits applied");
}

/// What the container makes, its commit's export reads back whole with the reader's default
/// limits: names at exactly Linux's bounds are made and come back (a 255-byte name, a
/// 4,095-byte path, a 4,095-byte link target, 1,024 components); one byte or component more
/// is refused as `TooLong` naming the bound, also for the paths a rename would move below a
/// long name; a name beginning with `.wh.` is refused as `ReservedName`, since committed it
/// would delete a file instead (found by the `container` fuzz target: such exports read back
/// with a `limit` problem, or with the file gone).
#[test]
fn names_stay_within_linux_bounds_and_read_back_whole() {
    use pancake_core::write::container::{NameBound, MAX_DEPTH, MAX_LINK_TARGET_BYTES};
    let bytes = demo::build("nginx").unwrap_or_default();
    let a = open("nginx", &bytes);
    let img = &a.images[0];
    let fetch = fetcher(&bytes, &a);
    let lower = Lower::from_image(&a, img, &fetch);
    let c0 = Container::new("bounds", img);
    let too_long = |r: Result<Container, ContainerError>| match r {
        Err(ContainerError::TooLong { bound, .. }) => Some(bound),
        _ => None,
    };

    let name255 = format!("/{}", "n".repeat(255));
    let c = ok(c0.create_file(&name255, b"x", 0o644, &lower));
    let name256 = format!("/{}", "n".repeat(256));
    assert_eq!(
        too_long(c0.create_file(&name256, b"x", 0o644, &lower)),
        Some(NameBound::Name)
    );
    // 16 directories of 255 bytes: a path of 16 × 256 = 4,096 bytes is one too many.
    let mut deep = String::new();
    let mut c = c;
    for i in 0..15 {
        deep.push_str(&format!(
            "/{}",
            char::from(b'a' + i as u8).to_string().repeat(255)
        ));
        c = ok(c.mkdir(&deep, 0o755, &lower));
    }
    let fill = 4095 - deep.len() - 1;
    let at_bound = format!("{deep}/{}", "f".repeat(fill));
    assert_eq!(at_bound.len(), 4095);
    c = ok(c.create_file(&at_bound, b"far\n", 0o600, &lower));
    assert_eq!(
        too_long(c.create_file(
            &format!("{deep}/{}", "g".repeat(fill + 1)),
            b"",
            0o600,
            &lower
        )),
        Some(NameBound::Path)
    );
    // Moving the long tree one level down would put its deepest path past the bound.
    let c_dir = ok(c.mkdir("/m", 0o755, &lower));
    let first = deep
        .split('/')
        .nth(1)
        .map(|s| format!("/{s}"))
        .unwrap_or_default();
    let moved = c_dir.rename(&first, &format!("/m{first}"), &lower);
    assert_eq!(too_long(moved), Some(NameBound::Path));
    assert!(
        c_dir.stat(&at_bound, &lower).is_some(),
        "the refused move left it"
    );

    let target = "t".repeat(MAX_LINK_TARGET_BYTES);
    c = ok(c.symlink("/link", &target, &lower));
    assert_eq!(
        too_long(c.symlink("/link2", &format!("{target}t"), &lower)),
        Some(NameBound::LinkTarget)
    );
    let mut p = String::from("/d");
    c = ok(c.mkdir(&p, 0o755, &lower));
    for _ in 1..MAX_DEPTH {
        p.push_str("/d");
        c = ok(c.mkdir(&p, 0o755, &lower));
    }
    assert_eq!(
        too_long(c.mkdir(&format!("{p}/d"), 0o755, &lower)),
        Some(NameBound::Depth)
    );
    assert_eq!(MAX_DEPTH, pancake_core::Limits::default().max_path_depth);

    for reserved in ["/tmp/.wh.x", "/etc/.wh..wh..opq", "/.wh.etc"] {
        assert!(
            matches!(
                c.create_file(reserved, b"", 0o644, &lower),
                Err(ContainerError::ReservedName(ref s)) if s == reserved
            ),
            "{reserved}"
        );
    }
    assert!(matches!(
        c.rename("/link", "/tmp/.wh.link", &lower),
        Err(ContainerError::ReservedName(_))
    ));

    let (out, back) = commit_and_read_back(&c, &bytes, &a, img, "bounds:1");
    assert!(back.problems.is_empty(), "{:?}", back.problems);
    let bi = &back.images[0];
    let fetch2 = fetcher(&out, &back);
    let lower2 = Lower::from_image(&back, bi, &fetch2);
    let fresh = Container::new("check", bi);
    assert_eq!(fresh.read(&at_bound, &lower2).unwrap_or_default(), b"far\n");
    assert_eq!(fresh.read(&name255, &lower2).unwrap_or_default(), b"x");
    let link = fresh.stat("/link", &lower2).and_then(|s| s.link_target);
    assert_eq!(
        link.map(|t| t.as_bytes().len()),
        Some(MAX_LINK_TARGET_BYTES)
    );
    assert!(fresh.stat(&p, &lower2).is_some(), "1,024 components deep");
}

/// A save of one layer holding `entries` (name, type, mode), made with the `tar` crate.
fn one_layer_save(entries: &[(String, tar::EntryType, u32)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, kind, mode) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(*kind);
        h.set_mode(*mode);
        h.set_size(0);
        h.set_mtime(1);
        b.append_data(&mut h, name, &[][..])
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let layer = b.into_inner().unwrap_or_else(|e| panic!("{e}"));
    save_of_layer(layer, "special:1")
}

/// A `docker save` of one image tagged `tag` whose one layer is the tar `layer`.
fn save_of_layer(layer: Vec<u8>, tag: &str) -> Vec<u8> {
    use pancake_core::write::tarwrite::{self, Descriptor, SaveImage};
    let diff = pancake_core::Digest::of_bytes(&layer);
    let cfg = format!(
        r#"{{"architecture":"amd64","os":"linux","config":{{}},"rootfs":{{"type":"layers","diff_ids":["{diff}"]}},"history":[{{"created_by":"x"}}]}}"#
    );
    let img = SaveImage {
        tags: vec![tag.into()],
        config: cfg.into_bytes(),
        layers: vec![Descriptor {
            media_type: pancake_core::media::OCI_LAYER.into(),
            digest: diff,
            size: layer.len() as u64,
        }],
    };
    tarwrite::write_docker_save(Vec::new(), &[img], &mut |_d: &Descriptor| {
        Ok(Box::new(std::io::Cursor::new(layer.clone())) as Box<dyn std::io::Read>)
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Found by a review of the bounds above: a symlink that climbs above the root is made, as
/// Linux makes it, and the committed image's reader says so (one `unsafe-path` problem, the
/// fuzz target expects exactly those); a folder 1,024 components deep that would turn opaque
/// (its `.wh..wh..opq` one deeper) is refused; a FIFO or device of the image is not copied up
/// for chmod or rename (`NotCopiedUp`, not a failed read), and can still be deleted.
#[test]
fn climbing_links_opaque_depth_and_special_files() {
    use pancake_core::write::container::{NameBound, MAX_DEPTH};
    use pancake_core::{EntryKind, ProblemKind};
    let mut entries = vec![
        ("dev/".to_string(), tar::EntryType::Directory, 0o755),
        ("dev/fifo".to_string(), tar::EntryType::Fifo, 0o620),
        ("dev/null".to_string(), tar::EntryType::Char, 0o666),
    ];
    let mut deep = String::from("d");
    entries.push(("d/".into(), tar::EntryType::Directory, 0o755));
    for _ in 1..MAX_DEPTH {
        deep.push_str("/d");
        entries.push((format!("{deep}/"), tar::EntryType::Directory, 0o755));
    }
    let bytes = one_layer_save(&entries);
    let a = open("special.tar", &bytes);
    assert!(a.problems.is_empty(), "{:?}", a.problems);
    let img = &a.images[0];
    let fetch = fetcher(&bytes, &a);
    let lower = Lower::from_image(&a, img, &fetch);
    let c0 = Container::new("special", img);

    for (path, kind) in [
        ("/dev/fifo", EntryKind::Fifo),
        ("/dev/null", EntryKind::Char),
    ] {
        match c0.chmod(path, 0o600, &lower) {
            Err(ContainerError::NotCopiedUp { path: p, kind: k }) => {
                assert_eq!((p.as_str(), k), (path, kind))
            }
            other => panic!("{path}: {other:?}"),
        }
    }
    assert!(matches!(
        c0.rename("/dev", "/devices", &lower),
        Err(ContainerError::NotCopiedUp { .. })
    ));
    let c = ok(c0.delete("/dev/fifo", &lower));
    assert!(c.stat("/dev/fifo", &lower).is_none());

    let deepest = format!("/{deep}");
    let c = ok(c.delete(&deepest, &lower));
    assert!(matches!(
        c.mkdir(&deepest, 0o755, &lower),
        Err(ContainerError::TooLong {
            bound: NameBound::Depth,
            ..
        })
    ));
    let c = ok(c.symlink("/up", "..", &lower));
    let c = ok(c.symlink("/dev/out", "../../etc", &lower));

    let (out, back) = commit_and_read_back(&c, &bytes, &a, img, "special:2");
    let kinds: Vec<_> = back.problems.iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        [ProblemKind::UnsafePath, ProblemKind::UnsafePath],
        "{:?}",
        back.problems
    );
    let bi = &back.images[0];
    let fetch2 = fetcher(&out, &back);
    let lower2 = Lower::from_image(&back, bi, &fetch2);
    let fresh = Container::new("check", bi);
    let paths = |rows: Vec<container::MergedRow>| -> Vec<_> {
        rows.into_iter()
            .map(|r| (r.path, r.stat.kind, r.stat.link_target))
            .collect()
    };
    assert_eq!(paths(fresh.merged(&lower2)), paths(c.merged(&lower)));
    assert!(fresh.stat(&deepest, &lower2).is_none(), "deleted");
    let up = fresh.stat("/up", &lower2).and_then(|s| s.link_target);
    assert_eq!(up.map(|t| t.display().into_owned()).as_deref(), Some(".."));
}

/// Found by the `container` fuzz target after the bounds above: a file at the root whose name
/// begins with a compression magic (`\x1f\x8b` gzip, `P*M\x18` a zstd skippable frame,
/// `\xfd7zXZ` and the name's NUL xz, `BZh9` and a bzip2 block) is the first entry of the
/// committed layer, and the reader took the plain tar for a compressed stream (unreadable, and
/// a digest mismatch against its media type). A first block that is a tar header is a tar
/// now, whatever its first bytes.
#[test]
fn names_that_begin_like_a_compressed_stream() {
    let bytes = demo::build("nginx").unwrap_or_default();
    let a = open("nginx", &bytes);
    let img = &a.images[0];
    let fetch = fetcher(&bytes, &a);
    let lower = Lower::from_image(&a, img, &fetch);
    for name in [
        r"/\x1f\x8bgz",
        r"/P*M\x18skip",
        r"/\xfd7zXZ",
        r"/BZh91AY&SYbz",
    ] {
        let c = ok(Container::new("magic", img).create_file(name, b"plain\n", 0o644, &lower));
        let (out, back) = commit_and_read_back(&c, &bytes, &a, img, "magic:1");
        assert!(back.problems.is_empty(), "{name}: {:?}", back.problems);
        let bi = &back.images[0];
        assert!(bi.layers.iter().all(|l| l.verified), "{name}");
        let top = bi
            .layers
            .last()
            .and_then(|l| l.member)
            .and_then(|m| back.members.get(m));
        assert_eq!(
            top.map(|m| m.facts.compression),
            Some(pancake_core::Compression::None),
            "{name}"
        );
        let fetch2 = fetcher(&out, &back);
        let lower2 = Lower::from_image(&back, bi, &fetch2);
        let fresh = Container::new("check", bi);
        assert_eq!(
            fresh.read(name, &lower2).unwrap_or_default(),
            b"plain\n",
            "{name}"
        );
    }
}

// ---- Extended attributes ---------------------------------------------------------------------

/// `security.capability` v2 (`vfs_cap_data`): magic 0x02000000, then permitted and
/// inheritable, low words then high; cap_net_raw (bit 13) permitted, as `setcap
/// cap_net_raw+p` writes it for `/bin/ping`.
fn cap_net_raw() -> Vec<u8> {
    let mut v = Vec::new();
    for w in [0x0200_0000u32, 1 << 13, 0, 0, 0] {
        v.extend_from_slice(&w.to_le_bytes());
    }
    v
}

fn xattr(name: &str, value: &[u8]) -> pancake_core::model::Xattr {
    pancake_core::model::Xattr {
        name: name.as_bytes().to_vec(),
        value: value.to_vec(),
    }
}

/// The attribute names of what `path` is in `c`, in order.
fn xattr_names(c: &Container, path: &str, lower: &Lower) -> Vec<String> {
    let st = c
        .stat(path, lower)
        .unwrap_or_else(|| panic!("{path}: not there"));
    st.xattrs
        .iter()
        .map(|x| String::from_utf8_lossy(&x.name).into_owned())
        .collect()
}

/// A save of one layer of `entries`, written by our tar writer (PAX `SCHILY.xattr.` records).
fn xattr_save(entries: Vec<pancake_core::write::tarwrite::TarEntry>) -> Vec<u8> {
    let layer = pancake_core::write::tarwrite::layer_tar(entries).unwrap_or_else(|e| panic!("{e}"));
    save_of_layer(layer, "xattrs:1")
}

/// An image whose `/bin` folder has `user.dir`, whose files have `security.capability` and
/// `user.test` (`ping` setuid, with a hard link `ping6`), one setgid file with and one
/// without group-execute, and a plain `/etc`.
fn xattr_image() -> Vec<u8> {
    use pancake_core::write::tarwrite::TarEntry;
    let both = || {
        vec![
            xattr("security.capability", &cap_net_raw()),
            xattr("user.test", b"t"),
        ]
    };
    xattr_save(vec![
        TarEntry::dir("bin", 0o755).with_xattrs(vec![xattr("user.dir", b"d")]),
        TarEntry::file("bin/ping", &b"ping\n"[..], 0o4755).with_xattrs(both()),
        // A link's header sets the mode of the file it names (unpacking chmods it): the same.
        TarEntry {
            mode: 0o4755,
            ..TarEntry::hardlink("bin/ping6", "bin/ping")
        },
        TarEntry::file("bin/sg-x", &b"x\n"[..], 0o2755).with_xattrs(both()),
        TarEntry::file("bin/sg-nox", &b"x\n"[..], 0o2745).with_xattrs(both()),
        TarEntry::dir("etc", 0o755),
        TarEntry::file("etc/plain", &b"p\n"[..], 0o644),
    ])
}

const CAP: &str = "security.capability";
const USER: &str = "user.test";

/// Copy-up carries a lower file's extended attributes (overlayfs copies them up), and each
/// change does to them what Linux does, as measured on Linux 6.18 (ext4, as root; the
/// commands are in `write/container/mod.rs`): a write drops `security.capability` and keeps
/// `user.*`; chmod and rename keep both; chown (even to the same owner) drops the capability,
/// clears setuid, and clears setgid only with group-execute; a folder keeps its attributes
/// through chown; a copied-up parent folder keeps its own; what the container makes has none.
#[test]
fn extended_attributes_follow_linux_through_copy_up() {
    let bytes = xattr_image();
    let a = open("xattrs.tar", &bytes);
    assert!(a.problems.is_empty(), "{:?}", a.problems);
    let img = &a.images[0];
    let fetch = fetcher(&bytes, &a);
    let lower = Lower::from_image(&a, img, &fetch);
    let c0 = Container::new("x", img);
    // The image's view, and both names of the hard-linked file agree.
    for p in ["/bin/ping", "/bin/ping6"] {
        assert_eq!(xattr_names(&c0, p, &lower), [CAP, USER], "{p}");
    }
    assert_eq!(xattr_names(&c0, "/bin", &lower), ["user.dir"]);

    // Edit: the capability goes, `user.test` stays, the mode (setuid) stays for root.
    let edited = ok(c0.write_file("/bin/ping", b"new\n", &lower));
    match edited.upper.get(&RawPath::from("bin/ping")) {
        Some(UpperEntry::File { mode, xattrs, .. }) => {
            assert_eq!(*mode, 0o4755);
            assert_eq!(xattrs, &[xattr(USER, b"t")]);
        }
        other => panic!("{other:?}"),
    }
    // The copied-up parent keeps its own attributes.
    match edited.upper.get(&RawPath::from("bin")) {
        Some(UpperEntry::Dir { xattrs, .. }) => assert_eq!(xattrs, &[xattr("user.dir", b"d")]),
        other => panic!("{other:?}"),
    }
    // The other name of the file, read through the hard link, copies up the same way.
    let e6 = ok(c0.write_file("/bin/ping6", b"six\n", &lower));
    assert_eq!(xattr_names(&e6, "/bin/ping6", &lower), [USER]);
    assert_eq!(
        xattr_names(&e6, "/bin/ping", &lower),
        [CAP, USER],
        "untouched"
    );

    // chmod keeps both; a write after it still drops the capability.
    let chmodded = ok(c0.chmod("/bin/ping", 0o755, &lower));
    assert_eq!(xattr_names(&chmodded, "/bin/ping", &lower), [CAP, USER]);
    let st = chmodded
        .stat("/bin/ping", &lower)
        .unwrap_or_else(|| panic!("stat"));
    assert_eq!(st.xattrs, [xattr(CAP, &cap_net_raw()), xattr(USER, b"t")]);
    let written = ok(chmodded.write_file("/bin/ping", b"x", &lower));
    assert_eq!(xattr_names(&written, "/bin/ping", &lower), [USER]);

    // chown, to the owner it already has: the capability and setuid go.
    let chowned = ok(c0.chown("/bin/ping", 0, 0, &lower));
    let st = chowned
        .stat("/bin/ping", &lower)
        .unwrap_or_else(|| panic!("stat"));
    assert_eq!((st.mode, st.uid), (0o755, 0));
    assert_eq!(st.xattrs, [xattr(USER, b"t")]);
    // setgid with group-execute goes, without it stays.
    let c = ok(c0.chown("/bin/sg-x", 1000, 1000, &lower));
    let c = ok(c.chown("/bin/sg-nox", 1000, 1000, &lower));
    let mode = |p: &str| c.stat(p, &lower).map(|s| s.mode);
    assert_eq!(mode("/bin/sg-x"), Some(0o755));
    assert_eq!(mode("/bin/sg-nox"), Some(0o2745));
    assert_eq!(xattr_names(&c, "/bin/sg-nox", &lower), [USER]);
    // A folder keeps its attributes through chown.
    let c = ok(c0.chown("/bin", 1000, 1000, &lower));
    assert_eq!(xattr_names(&c, "/bin", &lower), ["user.dir"]);

    // Rename keeps everything, for a file and for a folder and what is in it.
    let moved = ok(c0.rename("/bin/ping", "/bin/pong", &lower));
    assert_eq!(xattr_names(&moved, "/bin/pong", &lower), [CAP, USER]);
    assert!(moved.stat("/bin/ping", &lower).is_none());
    let moved = ok(c0.rename("/bin", "/sbin", &lower));
    assert_eq!(xattr_names(&moved, "/sbin", &lower), ["user.dir"]);
    assert_eq!(xattr_names(&moved, "/sbin/ping", &lower), [CAP, USER]);
    assert_eq!(xattr_names(&moved, "/sbin/ping6", &lower), [CAP, USER]);
    // A folder made again over a deleted one is opaque and new: no attributes.
    let again = ok(ok(c0.delete("/bin", &lower)).mkdir("/bin", 0o755, &lower));
    assert!(matches!(
        again.upper.get(&RawPath::from("bin")),
        Some(UpperEntry::Opaque { xattrs, .. }) if xattrs.is_empty()
    ));
    // ... but a folder renamed onto a deleted one keeps its own.
    let onto = ok(ok(c0.delete("/etc", &lower)).rename("/bin", "/etc", &lower));
    assert!(matches!(
        onto.upper.get(&RawPath::from("etc")),
        Some(UpperEntry::Opaque { xattrs, .. }) if *xattrs == [xattr("user.dir", b"d")]
    ));

    // What the container makes has none, in a folder with some.
    let made = ok(c0.create_file("/bin/new", b"n", 0o755, &lower));
    let made = ok(made.mkdir("/bin/newdir", 0o755, &lower));
    let made = ok(made.symlink("/bin/newlink", "ping", &lower));
    let made = ok(made.write_file("/bin/redirect", b"r", &lower));
    for p in ["/bin/new", "/bin/newdir", "/bin/newlink", "/bin/redirect"] {
        assert!(xattr_names(&made, p, &lower).is_empty(), "{p}");
    }
    assert_eq!(xattr_names(&made, "/bin", &lower), ["user.dir"]);
}

/// Committed and exported, the writable layer's attributes are in the layer (PAX
/// `SCHILY.xattr.` records) and the reader finds the same attributes on the same paths as the
/// container showed, every path of the merged view compared.
#[test]
fn extended_attributes_survive_export_and_read_back() {
    let bytes = xattr_image();
    let a = open("xattrs.tar", &bytes);
    let img = &a.images[0];
    let fetch = fetcher(&bytes, &a);
    let lower = Lower::from_image(&a, img, &fetch);
    let c = Container::new("x", img);
    let c = ok(c.write_file("/bin/ping", b"new\n", &lower));
    let c = ok(c.chmod("/bin/sg-x", 0o700, &lower));
    let c = ok(c.chown("/bin/sg-nox", 5, 5, &lower));
    let c = ok(c.rename("/bin/ping6", "/etc/ping6", &lower));
    let c = ok(c.create_file("/bin/new", b"n", 0o644, &lower));
    let c = ok(c.delete("/etc/plain", &lower));

    let cfg = container::image_config_json(&a, img).unwrap_or_default();
    let committed = c
        .commit(cfg.as_bytes(), "x", None, "2024-01-01T00:00:00Z")
        .unwrap_or_else(|e| panic!("{e}"));
    // The layer itself holds the records (read with the `tar` crate).
    let mut ar = tar::Archive::new(committed.layer_tar.as_slice());
    let mut in_layer: Vec<(String, Vec<String>)> = Vec::new();
    for e in ar.entries().unwrap_or_else(|e| panic!("{e}")).flatten() {
        let mut e = e;
        let name = String::from_utf8_lossy(&e.path_bytes()).into_owned();
        let mut keys = Vec::new();
        if let Ok(Some(pax)) = e.pax_extensions() {
            for r in pax.flatten() {
                keys.push(r.key().unwrap_or_default().to_string());
            }
        }
        in_layer.push((name, keys));
    }
    let keys_of = |n: &str| {
        in_layer
            .iter()
            .find(|(p, _)| p == n)
            .map(|(_, k)| k.clone())
            .unwrap_or_else(|| panic!("{n} not in the layer: {in_layer:?}"))
    };
    assert_eq!(keys_of("bin/"), ["SCHILY.xattr.user.dir"]);
    assert_eq!(keys_of("bin/ping"), ["SCHILY.xattr.user.test"]);
    assert_eq!(
        keys_of("etc/ping6"),
        ["SCHILY.xattr.security.capability", "SCHILY.xattr.user.test"]
    );
    assert!(keys_of("bin/new").is_empty());
    assert!(keys_of("etc/.wh.plain").is_empty());

    let (out, back) = commit_and_read_back(&c, &bytes, &a, img, "xattrs:2");
    assert!(back.problems.is_empty(), "{:?}", back.problems);
    let bi = &back.images[0];
    let fetch2 = fetcher(&out, &back);
    let lower2 = Lower::from_image(&back, bi, &fetch2);
    let fresh = Container::new("check", bi);
    let meta = |rows: Vec<container::MergedRow>| -> Vec<_> {
        rows.into_iter()
            .map(|r| (r.path, r.stat.kind, r.stat.mode, r.stat.uid, r.stat.xattrs))
            .collect()
    };
    let want = meta(c.merged(&lower));
    assert_eq!(meta(fresh.merged(&lower2)), want);
    // And the ones that matter, spelled out.
    assert_eq!(xattr_names(&fresh, "/bin/ping", &lower2), [USER]);
    assert_eq!(xattr_names(&fresh, "/bin/sg-x", &lower2), [CAP, USER]);
    assert_eq!(xattr_names(&fresh, "/bin/sg-nox", &lower2), [USER]);
    assert_eq!(xattr_names(&fresh, "/etc/ping6", &lower2), [CAP, USER]);
    assert_eq!(xattr_names(&fresh, "/bin", &lower2), ["user.dir"]);
    assert!(xattr_names(&fresh, "/bin/new", &lower2).is_empty());
    let cap = fresh
        .stat("/etc/ping6", &lower2)
        .and_then(|s| s.xattrs.into_iter().find(|x| x.name == CAP.as_bytes()));
    assert_eq!(cap.map(|x| x.value), Some(cap_net_raw()));
}

/// Containers are kept as JSON in the page's IndexedDB, the writable layer as a list of
/// (path bytes, entry) pairs (`web/src/container_store.rs`): a layer saved before attributes
/// were kept loads with none, one without any writes no `xattrs` key (the same JSON as
/// before), and attributes round-trip (a binary value as `hex:`).
#[test]
fn persisted_layers_with_and_without_attributes_load() {
    type Stored = Vec<(RawPath, UpperEntry)>;
    let old = r#"[
        [[98,105,110],{"Dir":{"mode":493,"uid":0,"gid":0}}],
        [[98,105,110,47,108],{"Symlink":{"target":[112],"uid":0,"gid":0}}],
        [[98,105,110,47,112],{"File":{"content":[104,105],"mode":2541,"uid":0,"gid":0}}],
        [[103],"Whiteout"],
        [[111],{"Opaque":{"mode":493,"uid":0,"gid":0}}]
    ]"#;
    let upper: Stored = serde_json::from_str(old).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(upper.len(), 5);
    for (p, u) in &upper {
        let none = match u {
            UpperEntry::File { xattrs, .. }
            | UpperEntry::Dir { xattrs, .. }
            | UpperEntry::Symlink { xattrs, .. }
            | UpperEntry::Opaque { xattrs, .. } => xattrs.is_empty(),
            UpperEntry::Whiteout => true,
        };
        assert!(none, "{p}");
    }
    assert!(matches!(
        upper.get(2),
        Some((_, UpperEntry::File { mode: 0o4755, content, .. })) if content == b"hi"
    ));
    let json = serde_json::to_string(&upper).unwrap_or_else(|e| panic!("{e}"));
    let compact: String = old.split_whitespace().collect();
    assert_eq!(
        json, compact,
        "unchanged JSON for a layer without attributes"
    );

    let mut with = upper.clone();
    with.push((
        RawPath::from("s"),
        UpperEntry::File {
            content: b"hi".to_vec(),
            mode: 0o4755,
            uid: 0,
            gid: 0,
            xattrs: vec![xattr(CAP, &cap_net_raw()), xattr(USER, b"t")],
        },
    ));
    let json = serde_json::to_string(&with).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        json.contains(r#""xattrs":[{"name":"security.capability","value":"hex:00000002"#),
        "{json}"
    );
    let back: Stored = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, with);
}
