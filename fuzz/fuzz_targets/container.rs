//! Container operations: a sequence of edits derived from the fuzz input, on a demo image or
//! on an image read from the input, then commit, export, read the export back, and check
//! that a fresh container on the committed image sees exactly what the edited one saw.
//!
//! Input: byte 0 < 0x80 picks a demo (nginx, whiteouts ...) and the rest drives the edits;
//! otherwise bytes 1..5 are a little-endian length L, the next L bytes are a tarball and
//! what follows drives the edits.
#![no_main]

use std::sync::OnceLock;

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use pancake_core::analyze::union::FileRow;
use pancake_core::read::{archive, through_symlink};
use pancake_core::write::container::{self, Container, Lower, MergedRow, UpperEntry};
use pancake_core::{Archive, EntryKind, ProblemKind};
use pancake_demo as demo;

#[derive(Arbitrary, Debug)]
enum Pick {
    /// The n-th path of the container's current merged view.
    Existing(u16),
    /// A new name below the n-th path.
    Child(u16, String),
    /// A path as typed (may be invalid: `..`, empty, `/`).
    Raw(String),
}

#[derive(Arbitrary, Debug)]
enum Op {
    Write(Pick, Vec<u8>),
    Create(Pick, Vec<u8>, u32),
    Mkdir(Pick, u32),
    Symlink(Pick, String),
    Delete(Pick),
    Rename(Pick, Pick),
    Chmod(Pick, u32),
    Chown(Pick, u64, u64),
}

/// Demo tarballs and what the reader makes of them, built once per process.
fn demos() -> &'static Vec<(Vec<u8>, Archive)> {
    static DEMOS: OnceLock<Vec<(Vec<u8>, Archive)>> = OnceLock::new();
    DEMOS.get_or_init(|| {
        demo::names()
            .iter()
            .filter_map(|n| demo::build(n))
            .filter_map(|b| {
                let a =
                    archive::open("demo.tar", &b, &pancake_fuzz::options(), &mut |_| {}).ok()?;
                Some((b, a))
            })
            .collect()
    })
}

fn path_of(p: &Pick, rows: &[MergedRow]) -> String {
    let nth = |i: &u16| {
        rows.get(usize::from(*i) % rows.len().max(1))
            .map(|r| format!("/{}", r.path.display()))
            .unwrap_or_else(|| "/".into())
    };
    match p {
        Pick::Existing(i) => nth(i),
        Pick::Child(i, name) => format!("{}/{name}", nth(i).trim_end_matches('/')),
        Pick::Raw(s) => s.clone(),
    }
}

fn fetcher<'a>(
    bytes: &'a [u8],
    a: &'a Archive,
) -> impl Fn(&FileRow) -> Result<Vec<u8>, String> + 'a {
    move |row: &FileRow| {
        let m = row.member.ok_or("no member")?;
        archive::read_entry_content(bytes, a, m, &row.path, container::MAX_FILE_BYTES)
            .map_err(|e| e.to_string())
    }
}

/// What a path looks like to a user of the container: kind, mode, owner, link target and,
/// for a regular file, its size and bytes.
type View = Vec<(
    String,
    String,
    u32,
    u64,
    u64,
    Option<String>,
    Option<Vec<u8>>,
)>;

fn view(c: &Container, lower: &Lower) -> View {
    c.merged(lower)
        .into_iter()
        .map(|r| {
            let content = (r.stat.kind == EntryKind::File)
                .then(|| c.read(&format!("/{}", r.path.display()), lower).ok())
                .flatten();
            if let Some(b) = &content {
                assert_eq!(b.len() as u64, r.stat.size, "{}: size vs bytes", r.path);
            }
            (
                r.path.display().into_owned(),
                format!("{:?}", r.stat.kind),
                // The reader keeps permission bits only (file-type bits some writers put in
                // the tar mode field are dropped on reading), so the whole mode must match.
                r.stat.mode,
                r.stat.uid,
                r.stat.gid,
                r.stat.link_target.map(|t| t.display().into_owned()),
                content,
            )
        })
        .collect()
}

fn run(bytes: &[u8], a: &Archive, clean: bool, u: &mut Unstructured) {
    let Some(image) = a.images.first() else {
        return;
    };
    let fetch = fetcher(bytes, a);
    let lower = Lower::from_image(a, image, &fetch);
    let mut c = Container::new("fuzz", image);
    for _ in 0..16 {
        let Ok(op) = Op::arbitrary(u) else { break };
        let rows = c.merged(&lower);
        let p = |x: &Pick| path_of(x, &rows);
        let next = match &op {
            Op::Write(x, b) => c.write_file(&p(x), b, &lower),
            Op::Create(x, b, m) => c.create_file(&p(x), b, *m, &lower),
            Op::Mkdir(x, m) => c.mkdir(&p(x), *m, &lower),
            Op::Symlink(x, t) => c.symlink(&p(x), t, &lower),
            Op::Delete(x) => c.delete(&p(x), &lower),
            Op::Rename(x, y) => c.rename(&p(x), &p(y), &lower),
            Op::Chmod(x, m) => c.chmod(&p(x), *m, &lower),
            Op::Chown(x, uid, gid) => c.chown(&p(x), *uid, *gid, &lower),
        };
        if let Ok(n) = next {
            c = n;
        }
        let _ = c.diff(&lower);
    }
    let Some(cfg) = container::image_config_json(a, image) else {
        return;
    };
    let committed = match c.commit(cfg.as_bytes(), "fuzz", None, "2024-01-01T00:00:00Z") {
        Ok(x) => x,
        Err(e) => {
            assert!(!clean, "commit failed on a clean image: {e}");
            return;
        }
    };
    let out = match container::export(bytes, a, image, &committed, "fuzz:committed") {
        Ok(x) => x,
        Err(e) => {
            assert!(!clean, "export failed on a clean image: {e}");
            return;
        }
    };
    // Read back with the depth the container allows (the reader's default, `MAX_DEPTH`): the
    // fuzz bound of 64 components is the input's, and a few renames nest deeper than that.
    let mut opts = pancake_fuzz::options();
    opts.limits.max_path_depth = container::MAX_DEPTH;
    let back = archive::open("export.tar", &out, &opts, &mut |_| {});
    let back = match back {
        Ok(b) => b,
        Err(e) => panic!("our own export does not read back: {e}"),
    };
    if !clean {
        return;
    }
    // A symlink that climbs above the root (`ln -s ../.. x`) is allowed, as Linux allows it,
    // and the reader says so of the committed layer: those problems, and no other.
    let climbing = c
        .upper
        .iter()
        .filter(|(p, e)| match e {
            UpperEntry::Symlink { target, .. } => {
                through_symlink::climbs_above_root(p, target.as_bytes()).is_some()
            }
            _ => false,
        })
        .count();
    assert!(
        back.problems.len() == climbing
            && back.problems.iter().all(|p| p.kind == ProblemKind::UnsafePath),
        "{climbing} climbing symlinks, problems: {:?}",
        back.problems
    );
    let Some(bi) = back.images.first() else {
        panic!("the export has no image");
    };
    assert_eq!(bi.config_digest.as_ref(), Some(&committed.config_digest));
    assert!(bi.layers.iter().all(|l| l.verified));
    let fetch2 = fetcher(&out, &back);
    let lower2 = Lower::from_image(&back, bi, &fetch2);
    let fresh = Container::new("check", bi);
    let want = view(&c, &lower);
    let got = view(&fresh, &lower2);
    if want != got {
        let w: std::collections::BTreeSet<_> = want.iter().collect();
        let g: std::collections::BTreeSet<_> = got.iter().collect();
        let only_w: Vec<_> = w.difference(&g).take(5).collect();
        let only_g: Vec<_> = g.difference(&w).take(5).collect();
        panic!("committed image differs from the container: container has {only_w:?}, read-back has {only_g:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode < 0x80 {
        let demos = demos();
        let Some((bytes, a)) = demos.get(usize::from(mode) % demos.len().max(1)) else {
            return;
        };
        run(bytes, a, true, &mut Unstructured::new(rest));
        return;
    }
    let Some((len, rest)) = rest.split_first_chunk::<4>() else {
        return;
    };
    let len = (u32::from_le_bytes(*len) as usize).min(rest.len());
    let (tarball, ops) = rest.split_at(len);
    let opts = pancake_fuzz::options();
    let Ok(a) = archive::open("fuzz.tar", tarball, &opts, &mut |_| {}) else {
        return;
    };
    let clean = a.problems.is_empty() && a.images.len() == 1;
    run(tarball, &a, clean, &mut Unstructured::new(ops));
});
