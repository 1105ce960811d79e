//! Real Docker as the oracle for what Pancake says about unpacking layers: hard links (a link's
//! header applies to the one file both names share; a link to a lower layer's file, to nothing,
//! to itself or to a folder fails the load), whiteouts named `.wh.` / `.wh..` or deleting a
//! file of their own layer (the load fails), and a link to a name its layer whited out (loads,
//! the link is gone too). Each case is the busybox `docker save` fixture plus one or two layers
//! written entry by entry; one private dockerd (`tests/docker/unpack_cases.sh`) loads them all
//! and looks below /t and /x in a container. For every case, Docker must do what the table says
//! and Pancake, reading the same tarball, must claim the same: its problems about the added
//! layers, unpack failures exactly when the load fails, and the merged view below /t and /x
//! with each name's mode, owner and attributes as unpacking leaves them.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use pancake_core::analyze::{image_claims, shared_inode, union};
use pancake_core::read::archive::{self, Options};
use pancake_core::write::tarwrite::{
    write_docker_save, Descriptor, SaveImage, TarEntry, TarWriter,
};
use pancake_core::{Archive, Digest, EntryKind, ProblemKind, RawPath, Xattr};

const BASE: &str = "docker20-save-app1.tar";

fn fixtures() -> PathBuf {
    match std::env::var_os("PANCAKE_FIXTURES") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/fixtures"
        )),
    }
}

/// One path below /t or /x as a container sees it: `stat`'s `%F`, mode (`%a`), uid, gid.
type Stat = (String, &'static str, u32, u64, u64);
/// One extended attribute of a name the top layer wrote: path, name, value.
type Attr = (String, String, String);

/// Cases dockerd's classic image store (the one this test runs) refuses only because a path
/// comes twice in a layer; containerd's image store loads them. Pancake shows what loads and
/// warns (`duplicate-member`), naming the classic store's refusal.
const CLASSIC_STORE_ONLY: &[&str] = &["file-twice", "folder-twice"];

struct Case {
    name: &'static str,
    /// The layers added on top of the base, bottom first, entries in this order.
    layers: Vec<Vec<TarEntry>>,
    /// `docker load` succeeds.
    loads: bool,
    /// The kinds of the problems about the added layers, in the reader's order.
    kinds: &'static [ProblemKind],
    /// When it loads: every path below /t and /x in the container, sorted.
    view: &'static [(&'static str, &'static str, u32, u64, u64)],
    /// When it loads: the top layer's extended attributes below /t and /x, sorted.
    xattrs: &'static [(&'static str, &'static str, &'static str)],
}

const MT: u64 = 1_700_000_000;
const DIR: &str = "directory";
const REG: &str = "regular file";

fn d(p: &str) -> TarEntry {
    TarEntry::dir(p, 0o755).with_mtime(MT)
}
fn f(p: &str, content: &[u8]) -> TarEntry {
    TarEntry::file(p, content.to_vec(), 0o644).with_mtime(MT)
}
fn l(p: &str, target: &str) -> TarEntry {
    TarEntry::hardlink(p, target).with_mtime(MT)
}

fn cases() -> Vec<Case> {
    use ProblemKind::{DuplicateMember, HardLink, UnpackFails, UnsafePath, Whiteout};
    let mut setuid_link = l("t/b", "t/a")
        .owned(1000, 1000)
        .with_mtime(MT + 12345)
        .with_xattrs(vec![Xattr {
            name: b"user.foo".to_vec(),
            value: b"bar".to_vec(),
        }]);
    setuid_link.mode = 0o4755;
    vec![
        // 1. A link's header (mode, owner, xattrs) lands on the file both names share.
        Case {
            name: "link-header-shared",
            layers: vec![vec![d("t"), f("t/a", b"hello\n"), setuid_link]],
            loads: true,
            kinds: &[],
            view: &[
                ("t", DIR, 0o755, 0, 0),
                ("t/a", REG, 0o4755, 1000, 1000),
                ("t/b", REG, 0o4755, 1000, 1000),
            ],
            xattrs: &[("t/a", "user.foo", "bar"), ("t/b", "user.foo", "bar")],
        },
        // 2. Links that point to nothing the layer wrote: the load fails.
        Case {
            name: "link-to-lower-layer",
            layers: vec![
                vec![d("t"), f("t/x", b"x\n")],
                vec![d("t"), l("t/y", "t/x")],
            ],
            loads: false,
            kinds: &[HardLink],
            view: &[],
            xattrs: &[],
        },
        Case {
            name: "link-to-lower-layer-no-dir",
            layers: vec![vec![d("t"), f("t/x", b"x\n")], vec![l("t/y", "t/x")]],
            loads: false,
            kinds: &[HardLink],
            view: &[],
            xattrs: &[],
        },
        Case {
            name: "link-to-missing",
            layers: vec![vec![d("t"), l("t/m", "t/nowhere")]],
            loads: false,
            kinds: &[HardLink],
            view: &[],
            xattrs: &[],
        },
        Case {
            name: "link-to-itself",
            layers: vec![vec![d("t"), l("t/s", "t/s")]],
            loads: false,
            kinds: &[HardLink],
            view: &[],
            xattrs: &[],
        },
        // A path given twice in one layer: dockerd's classic store refuses the layer (its
        // tar-split record allows each path once); containerd's store loads it, the last one
        // winning. Pancake warns, naming both (`CLASSIC_STORE_ONLY`).
        Case {
            name: "file-twice",
            layers: vec![vec![d("t"), f("t/a", b"one\n"), f("t/a", b"two\n")]],
            loads: false,
            kinds: &[DuplicateMember],
            view: &[],
            xattrs: &[],
        },
        Case {
            name: "folder-twice",
            layers: vec![vec![d("t"), f("t/a", b"a\n"), d("t")]],
            loads: false,
            kinds: &[DuplicateMember],
            view: &[],
            xattrs: &[],
        },
        Case {
            name: "file-then-link-to-itself",
            layers: vec![vec![d("t"), f("t/a", b"hello\n"), l("t/a", "t/a")]],
            loads: false,
            kinds: &[DuplicateMember, HardLink],
            view: &[],
            xattrs: &[],
        },
        Case {
            name: "link-to-folder",
            layers: vec![vec![d("t"), d("t/d"), l("t/l", "t/d")]],
            loads: false,
            kinds: &[HardLink],
            view: &[],
            xattrs: &[],
        },
        // 3. Whiteouts named `.wh.` and `.wh..`: the load fails.
        Case {
            name: "whiteout-empty-name",
            layers: vec![vec![d("t"), f("t/keep", b"keep\n"), f("t/.wh.", b"")]],
            loads: false,
            kinds: &[UnpackFails],
            view: &[],
            xattrs: &[],
        },
        Case {
            name: "whiteout-dot",
            layers: vec![vec![d("t"), f("t/keep", b"keep\n"), f("t/.wh..", b"")]],
            loads: false,
            kinds: &[UnpackFails],
            view: &[],
            xattrs: &[],
        },
        Case {
            name: "whiteout-dot-at-root",
            layers: vec![vec![d("t"), f("t/keep", b"keep\n"), f(".wh..", b"")]],
            loads: false,
            kinds: &[UnpackFails],
            view: &[],
            xattrs: &[],
        },
        // 4. A whiteout of a file its own layer wrote earlier: the load fails.
        Case {
            name: "file-then-its-whiteout",
            layers: vec![vec![
                d("t"),
                f("t/g", b"g\n"),
                f("t/keep", b"keep\n"),
                f("t/.wh.g", b""),
            ]],
            loads: false,
            kinds: &[UnpackFails],
            view: &[],
            xattrs: &[],
        },
        // 5. A link to a name its layer whited out: loads, and the link's name is gone too.
        Case {
            name: "whiteout-then-link",
            layers: vec![
                vec![d("t"), f("t/p", b"p\n")],
                vec![d("t"), f("t/.wh.p", b""), l("t/q", "t/p")],
            ],
            loads: true,
            kinds: &[Whiteout],
            view: &[("t", DIR, 0o755, 0, 0)],
            xattrs: &[],
        },
        // Link targets written absolute or climbing above the root resolve inside it (an
        // `unsafe-path` warning says so).
        Case {
            name: "link-target-absolute",
            layers: vec![vec![d("t"), f("t/a", b"hello\n"), l("t/abs", "/t/a")]],
            loads: true,
            kinds: &[UnsafePath],
            view: &[
                ("t", DIR, 0o755, 0, 0),
                ("t/a", REG, 0o644, 0, 0),
                ("t/abs", REG, 0o644, 0, 0),
            ],
            xattrs: &[],
        },
        Case {
            name: "link-target-dotdot",
            layers: vec![vec![d("t"), f("t/a", b"hello\n"), l("t/dd", "../../t/a")]],
            loads: true,
            kinds: &[UnsafePath],
            view: &[
                ("t", DIR, 0o755, 0, 0),
                ("t/a", REG, 0o644, 0, 0),
                ("t/dd", REG, 0o644, 0, 0),
            ],
            xattrs: &[],
        },
    ]
}

/// The fixture's config and layer blobs: what every case builds on.
struct Base {
    config: serde_json::Value,
    layers: Vec<Vec<u8>>,
}

fn base() -> Base {
    let path = fixtures().join(BASE);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut members: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut ar = tar::Archive::new(bytes.as_slice());
    for e in ar.entries().unwrap_or_else(|e| panic!("{BASE}: {e}")) {
        let mut e = e.unwrap_or_else(|e| panic!("{BASE}: {e}"));
        if e.header().entry_type().is_file() {
            let name = String::from_utf8_lossy(&e.path_bytes()).into_owned();
            let mut data = Vec::new();
            e.read_to_end(&mut data)
                .unwrap_or_else(|e| panic!("{BASE} {name}: {e}"));
            members.insert(name, data);
        }
    }
    let member = |name: &str| {
        members
            .get(name)
            .unwrap_or_else(|| panic!("{BASE}: no {name}"))
    };
    let manifest: serde_json::Value = serde_json::from_slice(member("manifest.json"))
        .unwrap_or_else(|e| panic!("{BASE} manifest: {e}"));
    let m = &manifest[0];
    let config_name = m["Config"].as_str().unwrap_or_default();
    let config = serde_json::from_slice(member(config_name))
        .unwrap_or_else(|e| panic!("{BASE} config: {e}"));
    let layers = m["Layers"]
        .as_array()
        .unwrap_or_else(|| panic!("{BASE}: no Layers"))
        .iter()
        .map(|p| member(p.as_str().unwrap_or_default()).clone())
        .collect();
    Base { config, layers }
}

fn tag(case: &str) -> String {
    format!("pancake-unpack/{case}:1")
}

/// The base image plus `added` layers (each written entry by entry, in order), saved.
fn build(base: &Base, name: &str, added: &[Vec<TarEntry>]) -> Vec<u8> {
    let mut layers = base.layers.clone();
    let mut config = base.config.clone();
    for (i, entries) in added.iter().enumerate() {
        let mut w = TarWriter::new(Vec::new());
        for e in entries {
            w.add(e).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        let blob = w.finish().unwrap_or_else(|e| panic!("{name}: {e}"));
        let diff_id = Digest::of_bytes(&blob).to_string();
        if let Some(ids) = config["rootfs"]["diff_ids"].as_array_mut() {
            ids.push(diff_id.into());
        }
        if let Some(h) = config["history"].as_array_mut() {
            h.push(serde_json::json!({
                "created": "2023-11-14T22:13:20Z",
                "created_by": format!("pancake test {name} layer {}", i + 1),
            }));
        }
        layers.push(blob);
    }
    let img = SaveImage {
        tags: vec![tag(name)],
        config: serde_json::to_vec(&config).unwrap_or_else(|e| panic!("{e}")),
        layers: layers
            .iter()
            .map(|l| Descriptor {
                media_type: pancake_core::media::OCI_LAYER.into(),
                digest: Digest::of_bytes(l),
                size: l.len() as u64,
            })
            .collect(),
    };
    let mut fetch = |want: &Descriptor| -> std::io::Result<Box<dyn Read + '_>> {
        let l = layers
            .iter()
            .find(|l| Digest::of_bytes(l) == want.digest)
            .unwrap_or_else(|| panic!("{name}: no layer {}", want.digest));
        Ok(Box::new(l.as_slice()))
    };
    write_docker_save(Vec::new(), &[img], &mut fetch).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// What one side says about a case.
#[derive(Debug, Default, PartialEq)]
struct Outcome {
    loads: bool,
    view: Vec<Stat>,
    xattrs: Vec<Attr>,
}

fn below_t_or_x(p: &RawPath) -> bool {
    matches!(p.components().next(), Some(b"t" | b"x"))
}

fn stat_kind(k: EntryKind) -> &'static str {
    match k {
        EntryKind::File | EntryKind::Hardlink => REG,
        EntryKind::Dir => DIR,
        EntryKind::Symlink => "symbolic link",
        EntryKind::Char => "character special file",
        EntryKind::Block => "block special file",
        EntryKind::Fifo => "fifo",
        EntryKind::Other => "other",
    }
}

/// Pancake's claims: the problem kinds about the added layers, and the outcome.
fn pancake(a: &Archive, base_layers: usize) -> (Vec<ProblemKind>, Outcome) {
    let img = &a.images[0];
    let added: Vec<usize> = img.layers[base_layers..]
        .iter()
        .filter_map(|l| l.member)
        .collect();
    let kinds = a
        .problems
        .iter()
        .filter(|p| {
            p.origin
                .member
                .as_ref()
                .and_then(|m| m.index)
                .is_some_and(|i| added.contains(&i))
        })
        .map(|p| p.kind)
        .collect();
    let loads = image_claims::unpack_failures(a, img).is_empty();
    let top = img.layers.len() - 1;
    let shared = shared_inode::of_image(a, img);
    let mut view = Vec::new();
    let mut xattrs = Vec::new();
    // An image that does not load has no filesystem to compare.
    let rows = if loads {
        union::merged(a, img, top)
    } else {
        Vec::new()
    };
    for row in rows {
        if !below_t_or_x(&row.path) {
            continue;
        }
        let attrs = shared.get(&(row.layer, &row.path));
        let (uid, gid) = attrs.map_or((u64::MAX, u64::MAX), |s| (s.uid, s.gid));
        if let Some(s) = attrs {
            assert_eq!(s.mode, row.mode, "{}: merged mode vs shared", row.path);
        }
        view.push((
            row.path.display().into_owned(),
            stat_kind(row.kind),
            row.mode,
            uid,
            gid,
        ));
        if row.layer == top {
            for x in attrs.map(|s| s.xattrs.to_vec()).unwrap_or_default() {
                xattrs.push((
                    row.path.display().into_owned(),
                    String::from_utf8_lossy(&x.name).into_owned(),
                    String::from_utf8_lossy(&x.value).into_owned(),
                ));
            }
        }
    }
    view.sort();
    xattrs.sort();
    (
        kinds,
        Outcome {
            loads,
            view,
            xattrs,
        },
    )
}

/// Docker's outcomes, by case name, from the script's lines; and each failed load's message.
fn parse_docker(out: &str) -> BTreeMap<String, (Outcome, String)> {
    let mut all: BTreeMap<String, (Outcome, String)> = BTreeMap::new();
    let mut cur: Option<String> = None;
    for line in out.lines() {
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        if word == "CASE" {
            cur = Some(rest.to_string());
            all.insert(rest.to_string(), Default::default());
            continue;
        }
        let Some((o, msg)) = cur.as_ref().and_then(|c| all.get_mut(c)) else {
            continue;
        };
        match word {
            "LOAD" => {
                o.loads = rest == "ok";
                *msg = rest.to_string();
            }
            "STAT" => {
                let v: Vec<&str> = rest.split('|').collect();
                let [path, kind, mode, uid, gid] = v[..] else {
                    panic!("bad STAT line: {line}")
                };
                let kind = [DIR, REG, "symbolic link", "character special file", "fifo"]
                    .into_iter()
                    .find(|k| *k == kind)
                    .unwrap_or("other");
                let num = |s: &str, radix| {
                    u64::from_str_radix(s, radix).unwrap_or_else(|e| panic!("{line}: {e}"))
                };
                o.view.push((
                    path.trim_start_matches('/').to_string(),
                    kind,
                    num(mode, 8) as u32,
                    num(uid, 10),
                    num(gid, 10),
                ));
            }
            "XATTR" => {
                let v: Vec<&str> = rest.splitn(3, '|').collect();
                let [path, name, value] = v[..] else {
                    panic!("bad XATTR line: {line}")
                };
                o.xattrs.push((path.into(), name.into(), value.into()));
            }
            _ => {}
        }
    }
    for (o, _) in all.values_mut() {
        o.view.sort();
        o.xattrs.sort();
    }
    all
}

fn expected(c: &Case) -> Outcome {
    Outcome {
        loads: c.loads,
        view: c
            .view
            .iter()
            .map(|&(p, k, m, u, g)| (p.to_string(), k, m, u, g))
            .collect(),
        xattrs: c
            .xattrs
            .iter()
            .map(|&(p, n, v)| (p.to_string(), n.to_string(), v.to_string()))
            .collect(),
    }
}

fn run_docker(dir: &Path, names: &[&str]) -> String {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/docker/unpack_cases.sh"
    );
    let run = Command::new("bash")
        .arg(script)
        .arg(dir)
        .args(names)
        .output()
        .unwrap_or_else(|e| panic!("bash: {e}"));
    eprintln!("{}", String::from_utf8_lossy(&run.stderr));
    let out = String::from_utf8_lossy(&run.stdout).into_owned();
    assert!(run.status.success(), "unpack_cases.sh failed:\n{out}");
    out
}

#[test]
fn docker_unpacks_layers_as_pancake_says() {
    let t0 = Instant::now();
    let base = base();
    let cases = cases();
    let names: Vec<&str> = cases.iter().map(|c| c.name).collect();
    assert_eq!(
        names.iter().collect::<BTreeSet<_>>().len(),
        names.len(),
        "case names are unique"
    );
    let dir = std::env::temp_dir().join(format!("pancake-docker-unpack-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));

    let mut claims = BTreeMap::new();
    for c in &cases {
        let bytes = build(&base, c.name, &c.layers);
        let file = dir.join(format!("{}.tar", c.name));
        std::fs::write(&file, &bytes).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let a = archive::open(c.name, &bytes, &Options::default(), &mut |_| {})
            .unwrap_or_else(|e| panic!("{}: {e}", c.name));
        assert_eq!(a.images.len(), 1, "{}: {:#?}", c.name, a.problems);
        assert_eq!(a.images[0].layers.len(), base.layers.len() + c.layers.len());
        let problems: Vec<String> = a.problems.iter().map(|p| p.to_string()).collect();
        claims.insert(c.name, (pancake(&a, base.layers.len()), problems));
    }
    eprintln!("{} cases built and read in {:?}", cases.len(), t0.elapsed());

    let t1 = Instant::now();
    let out = run_docker(&dir, &names);
    eprintln!("docker loaded {} cases in {:?}", cases.len(), t1.elapsed());
    std::fs::remove_dir_all(&dir).ok();
    let docker = parse_docker(&out);

    let mut wrong = Vec::new();
    for c in &cases {
        let want = expected(c);
        let ((kinds, ours), problems) = &claims[c.name];
        let Some((theirs, msg)) = docker.get(c.name) else {
            wrong.push(format!("{}: no Docker outcome", c.name));
            continue;
        };
        if *theirs != want {
            wrong.push(format!(
                "{}: Docker did not do what the table says\n  docker: {theirs:?} ({msg})\n  table:  {want:?}",
                c.name
            ));
        }
        if !theirs.loads && !msg.contains("Error processing tar file") {
            wrong.push(format!("{}: Docker failed, not unpacking: {msg}", c.name));
        }
        if CLASSIC_STORE_ONLY.contains(&c.name) {
            // Refused by this dockerd for the duplicate alone; Pancake's views show what
            // containerd's store loads, and its warning says both.
            if theirs.loads || !msg.contains("duplicates of file paths not supported") {
                wrong.push(format!(
                    "{}: Docker did not refuse the duplicate: {msg}",
                    c.name
                ));
            }
            let said = problems
                .iter()
                .any(|p| p.contains("dockerd's classic image store refuses such a layer"));
            if !ours.loads || !said {
                wrong.push(format!(
                    "{}: Pancake does not warn of the classic store's refusal: {problems:#?}",
                    c.name
                ));
            }
        } else if ours != theirs {
            wrong.push(format!(
                "{}: Pancake disagrees with Docker\n  pancake: {ours:?}\n  docker:  {theirs:?} ({msg})\n  problems: {problems:#?}",
                c.name
            ));
        }
        if kinds.len() != problems.len() {
            wrong.push(format!(
                "{}: problems about more than the added layers: {problems:#?}",
                c.name
            ));
        }
        if kinds.as_slice() != c.kinds {
            wrong.push(format!(
                "{}: problem kinds {kinds:?}, expected {:?}\n  problems: {problems:#?}",
                c.name, c.kinds
            ));
        }
    }
    eprintln!("whole test in {:?}", t0.elapsed());
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
