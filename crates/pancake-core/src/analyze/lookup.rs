//! Finding a typed path in a view (a merged filesystem from [`crate::analyze::union::merged`]),
//! following symbolic links as a process in the container would: path resolution as Linux
//! does it (`path_resolution(7)`) with the image's root as `/` — an absolute target starts
//! again at the root, `..` at the root stays there, a symlink met as a directory component is
//! followed too, and more than 40 links in one lookup is an error (Linux's `MAXSYMLINKS`).
//! A path (or a link target) ending in `/`, or with `.` or `..` after a name, uses that name
//! as a directory: a file there is `ENOTDIR`, as on Linux.

use crate::analyze::union::FileRow;
use crate::model::EntryKind;
use crate::path::RawPath;

/// Symbolic links one lookup may follow before it fails, as Linux (`MAXSYMLINKS`, 40).
pub const MAX_SYMLINKS: usize = 40;

/// Why a path could not be resolved to a row. Paths are normalized (no leading `/`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LookupError {
    /// Nothing at `missing` (the path itself, or one of its directories).
    NotFound {
        /// The first path that does not exist.
        missing: RawPath,
    },
    /// The symlink `link` points to `target`, which resolves to nothing (`missing` is the
    /// first component that does not exist).
    Dangling {
        /// The symlink's path.
        link: RawPath,
        /// Its target, as written.
        target: RawPath,
        /// The first path on the way to the target that does not exist.
        missing: RawPath,
    },
    /// `path` is used as a directory but is a file (or device, or a dangling hard link).
    NotADirectory {
        /// The component that is not a directory.
        path: RawPath,
    },
    /// More than [`MAX_SYMLINKS`] links were followed (a loop, most likely); `link` is the
    /// last one.
    TooManyLinks {
        /// The last link followed.
        link: RawPath,
    },
}

impl std::fmt::Display for LookupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LookupError::NotFound { missing } => write!(f, "no such file or directory: /{missing}"),
            LookupError::Dangling {
                link,
                target,
                missing,
            } => write!(
                f,
                "/{link} is a symlink to {target} that dangles (no /{missing} in the image)"
            ),
            LookupError::NotADirectory { path } => write!(f, "/{path} is not a directory"),
            LookupError::TooManyLinks { link } => write!(
                f,
                "too many levels of symbolic links (more than {MAX_SYMLINKS}) at /{link}"
            ),
        }
    }
}

/// The index into `rows` (sorted by path, as every view is) of what `path` names, following
/// every symlink on the way and, when `follow_last`, the last component too (as `open(2)`;
/// otherwise as `lstat(2)`). The root and directories implied only by paths below them (no
/// entry of their own) resolve as directories but have no row: `Ok(None)`.
///
/// `path` may be as typed ([`RawPath::from_typed_as_written`]): a trailing `/` or a `.`
/// after its last name asks for a directory, so that name, a symlink too, is followed and a
/// file there is [`LookupError::NotADirectory`]. A normalized path has neither.
pub fn resolve(
    rows: &[FileRow],
    path: &RawPath,
    follow_last: bool,
) -> Result<Option<usize>, LookupError> {
    resolve_seen(rows, path, follow_last, &mut |_| {})
}

/// The rows [`resolve`] reads to resolve `path`, as indices into `rows`, ascending, each once:
/// the rows it found on the way (directories, links, the end) and, for a directory implied by
/// the paths below it, the first of those. [`resolve`] over only these rows (in this order)
/// gives the same outcome, so a reader holding a large view can send a few rows for another
/// to resolve a link in, instead of the whole view.
pub fn rows_read(rows: &[FileRow], path: &RawPath, follow_last: bool) -> Vec<usize> {
    let mut seen = Vec::new();
    // The outcome is the subset's to give again; only the rows matter here.
    let _ = resolve_seen(rows, path, follow_last, &mut |i| seen.push(i));
    seen.sort_unstable();
    seen.dedup();
    seen
}

/// [`resolve`], calling `seen` with the index of every row it reads.
fn resolve_seen(
    rows: &[FileRow],
    path: &RawPath,
    follow_last: bool,
    seen: &mut dyn FnMut(usize),
) -> Result<Option<usize>, LookupError> {
    // Components still to walk, the next one last (a stack, so a link's target is pushed in
    // front of what followed the link).
    let mut pending: Vec<Vec<u8>> = steps(path.as_bytes());
    pending.reverse();
    let mut cur: Vec<Vec<u8>> = Vec::new();
    let mut links = 0usize;
    // The links whose targets are being walked, innermost last, each with its target and
    // the height of `pending` below its target's components: a path missing inside a target
    // is that link dangling; one missing after it (`link/../x`, `link/x`) is the link
    // resolved and then only not found, so no link is blamed.
    let mut via: Vec<(RawPath, RawPath, usize)> = Vec::new();
    let mut found: Option<usize> = None;
    while let Some(c) = pending.pop() {
        while via.last().is_some_and(|v| pending.len() < v.2) {
            via.pop();
        }
        match c.as_slice() {
            b"" | b"." => continue,
            b".." => {
                cur.pop();
                found = None;
                continue;
            }
            _ => {}
        }
        cur.push(c);
        let here = RawPath::from_bytes(cur.join(&b'/'));
        let is_last = pending.is_empty();
        let idx = rows.binary_search_by(|r| r.path.cmp(&here)).ok();
        if let Some(i) = idx {
            seen(i);
        }
        let row = idx.and_then(|i| rows.get(i));
        match row {
            Some(r) if r.kind == EntryKind::Symlink && (!is_last || follow_last) => {
                links += 1;
                if links > MAX_SYMLINKS {
                    return Err(LookupError::TooManyLinks { link: here });
                }
                let target = r.link_target.clone().unwrap_or_default();
                cur.pop();
                if target.as_bytes().first() == Some(&b'/') {
                    cur.clear();
                }
                let below = pending.len();
                let mut next = steps(target.as_bytes());
                next.reverse();
                pending.extend(next);
                via.push((here, target, below));
                found = None;
            }
            Some(r) if !is_last && r.kind != EntryKind::Dir => {
                return Err(LookupError::NotADirectory { path: here });
            }
            Some(_) => found = idx,
            None => {
                // Names below `here/` sort together, from the first one not less than it.
                let mut prefix = here.as_bytes().to_vec();
                prefix.push(b'/');
                let below = rows.partition_point(|r| r.path.as_bytes() < prefix.as_slice());
                let implied = rows
                    .get(below)
                    .is_some_and(|r| r.path.as_bytes().starts_with(&prefix));
                if implied {
                    seen(below);
                }
                if !implied {
                    return Err(match via.pop() {
                        Some((link, target, _)) => LookupError::Dangling {
                            link,
                            target,
                            missing: here,
                        },
                        None => LookupError::NotFound { missing: here },
                    });
                }
                found = None;
            }
        }
    }
    Ok(found)
}

/// The components of `path` (a typed path or a link target, as written) to walk: its names,
/// `.` and `..` in order, empty ones (`//`, a leading `/`) left out, and a trailing `/` kept
/// as a last `.`, so the name before it is used as a directory, as Linux does.
fn steps(path: &[u8]) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = path
        .split(|b| *b == b'/')
        .filter(|c| !c.is_empty())
        .map(<[u8]>::to_vec)
        .collect();
    if path.last() == Some(&b'/') && !out.is_empty() {
        out.push(b".".to_vec());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::union::Change;

    fn row(path: &str, kind: EntryKind, target: Option<&str>) -> FileRow {
        FileRow {
            path: RawPath::normalize(path.as_bytes()),
            kind,
            size: 0,
            change: Change::Unchanged,
            layer: 0,
            link_target: target.map(|t| RawPath::from_bytes(t.as_bytes().to_vec())),
            mode: 0o644,
            member: None,
            dir_size: 0,
            content: None,
        }
    }

    /// A Debian-like tree: /etc/os-release -> ../usr/lib/os-release, /bin -> usr/bin (a
    /// directory symlink), an absolute link, a dangling one and a loop.
    fn rows() -> Vec<FileRow> {
        use EntryKind::*;
        let mut v = vec![
            row("bin", Symlink, Some("usr/bin")),
            row("etc", Dir, None),
            row("etc/os-release", Symlink, Some("../usr/lib/os-release")),
            row("etc/abs", Symlink, Some("/usr/lib/os-release")),
            row("etc/up", Symlink, Some("../../../../usr/lib/os-release")),
            row("etc/gone", Symlink, Some("/nowhere/file")),
            row("etc/loop-a", Symlink, Some("loop-b")),
            row("etc/loop-b", Symlink, Some("loop-a")),
            row("usr/bin-old", File, None),
            row("usr/bin/sh", File, None),
            row("usr/lib", Dir, None),
            row("usr/lib/os-release", File, None),
        ];
        v.sort_by(|a, b| a.path.cmp(&b.path));
        v
    }

    fn found(rows: &[FileRow], path: &str, follow: bool) -> Result<String, LookupError> {
        resolve(rows, &RawPath::from_typed(path), follow).map(|i| {
            i.and_then(|i| rows.get(i))
                .map(|r| r.path.display().into_owned())
                .unwrap_or_else(|| "<dir>".into())
        })
    }

    #[test]
    fn follows_relative_absolute_and_directory_links() {
        let r = rows();
        let os = Ok("usr/lib/os-release".to_string());
        assert_eq!(found(&r, "/etc/os-release", true), os);
        assert_eq!(found(&r, "etc/abs", true), os);
        // `..` above the root stays at the root, as in a container.
        assert_eq!(found(&r, "etc/up", true), os);
        // /bin is a link to a directory with no entry of its own (implied by usr/bin/sh).
        assert_eq!(found(&r, "/bin/sh", true), Ok("usr/bin/sh".to_string()));
        assert_eq!(found(&r, "/usr/bin", true), Ok("<dir>".to_string()));
        assert_eq!(found(&r, "/", true), Ok("<dir>".to_string()));
        // Not following the last component: the link itself.
        assert_eq!(
            found(&r, "/etc/os-release", false),
            Ok("etc/os-release".to_string())
        );
    }

    /// Every lookup of the tree (each path, a few missing ones, through directory links,
    /// followed or not) gives the same outcome over only the rows it read.
    #[test]
    fn the_rows_read_resolve_the_same() {
        let r = rows();
        let mut paths: Vec<String> = r.iter().map(|x| x.path.display().into_owned()).collect();
        paths.extend(
            [
                "/",
                "bin/sh",
                "bin/nothing",
                "usr/bin",
                "usr/lib/os-release/x",
                "nowhere/x",
                "usr/lib/os-release/",
                "bin/",
                "etc/os-release/.",
            ]
            .map(String::from),
        );
        for p in &paths {
            for follow in [true, false] {
                let read = rows_read(&r, &RawPath::from_typed_as_written(p), follow);
                let subset: Vec<FileRow> = read.iter().filter_map(|&i| r.get(i).cloned()).collect();
                assert!(subset.len() <= 5, "{p}: {} rows read", subset.len());
                assert_eq!(
                    typed(&subset, p, follow),
                    typed(&r, p, follow),
                    "{p} {follow}"
                );
            }
        }
    }

    #[test]
    fn says_why_a_path_does_not_resolve() {
        let r = rows();
        assert_eq!(
            found(&r, "/etc/gone", true),
            Err(LookupError::Dangling {
                link: RawPath::from_typed("etc/gone"),
                target: RawPath::from_bytes(b"/nowhere/file".to_vec()),
                missing: RawPath::from_typed("nowhere"),
            })
        );
        assert_eq!(
            found(&r, "/etc/nothing", true),
            Err(LookupError::NotFound {
                missing: RawPath::from_typed("etc/nothing")
            })
        );
        assert_eq!(
            found(&r, "/usr/lib/os-release/x", true),
            Err(LookupError::NotADirectory {
                path: RawPath::from_typed("usr/lib/os-release")
            })
        );
        assert!(matches!(
            found(&r, "/etc/loop-a", true),
            Err(LookupError::TooManyLinks { .. })
        ));
    }

    fn typed(rows: &[FileRow], path: &str, follow: bool) -> Result<String, LookupError> {
        resolve(rows, &RawPath::from_typed_as_written(path), follow).map(|i| {
            i.and_then(|i| rows.get(i))
                .map(|r| r.path.display().into_owned())
                .unwrap_or_else(|| "<dir>".into())
        })
    }

    /// A trailing `/`, `/.` or `/..` after a file is ENOTDIR on Linux, also when a symlink's
    /// target ends in `/`; after a directory, or a symlink to one (followed even when the
    /// last component is not), it is that directory.
    #[test]
    fn a_file_asked_for_as_a_directory_is_not_one() {
        let mut r = rows();
        r.push(row(
            "etc/slash",
            EntryKind::Symlink,
            Some("/usr/lib/os-release/"),
        ));
        r.push(row("etc/dirslash", EntryKind::Symlink, Some("../usr/lib/")));
        r.sort_by(|a, b| a.path.cmp(&b.path));
        let enotdir = Err(LookupError::NotADirectory {
            path: RawPath::from_typed("usr/lib/os-release"),
        });
        for p in [
            "usr/lib/os-release/",
            "usr/lib/os-release/.",
            "/usr/lib/os-release/..",
            "usr/lib/os-release//",
            "etc/os-release/",
            "etc/os-release/.",
            "etc/slash/",
        ] {
            for follow in [true, false] {
                assert_eq!(typed(&r, p, follow), enotdir, "{p} {follow}");
            }
        }
        assert_eq!(typed(&r, "etc/slash", true), enotdir);
        // Not followed, the link whose target ends in `/` is only a link.
        assert_eq!(typed(&r, "etc/slash", false), Ok("etc/slash".to_string()));
        let lib = Ok("usr/lib".to_string());
        for p in [
            "usr/lib/",
            "usr/lib/.",
            "usr/lib/./",
            "etc/dirslash",
            "etc/dirslash/.",
        ] {
            assert_eq!(typed(&r, p, true), lib, "{p}");
        }
        // A trailing `/` follows the last link, as `lstat("link/")` does.
        assert_eq!(typed(&r, "etc/dirslash/", false), lib);
        assert_eq!(typed(&r, "bin/", false), Ok("<dir>".to_string()));
        assert_eq!(
            typed(&r, "etc/dirslash/os-release", true),
            Ok("usr/lib/os-release".to_string())
        );
        assert_eq!(typed(&r, "/", true), Ok("<dir>".to_string()));
        assert_eq!(typed(&r, "./", true), Ok("<dir>".to_string()));
    }

    /// A link is blamed only for a path missing inside its target: `link/../x` and `link/x`
    /// that are missing once the link is resolved are not found, naming the real path; a
    /// target missing a name is that link dangling, however deep the links inside it.
    #[test]
    fn only_a_link_whose_target_is_missing_dangles() {
        let mut r = rows();
        r.push(row("d1", EntryKind::Dir, None));
        r.push(row("d1/inner", EntryKind::Symlink, Some("../lib")));
        r.push(row("lib", EntryKind::Symlink, Some("usr/lib")));
        r.push(row("outer", EntryKind::Symlink, Some("lib/nothing")));
        r.sort_by(|a, b| a.path.cmp(&b.path));
        let not_found = |p: &str| {
            Err(LookupError::NotFound {
                missing: RawPath::from_typed(p),
            })
        };
        // d1/inner leads to /usr/lib; `..` of it is /usr, which has no real.txt.
        assert_eq!(
            found(&r, "d1/inner/../os-release", true),
            not_found("usr/os-release")
        );
        assert_eq!(
            found(&r, "d1/inner/os-release", true),
            Ok("usr/lib/os-release".to_string())
        );
        assert_eq!(found(&r, "bin/nothing", true), not_found("usr/bin/nothing"));
        assert_eq!(found(&r, "lib/x/y", true), not_found("usr/lib/x"));
        // `outer`'s target holds the missing name; `lib` inside it resolved fine.
        assert_eq!(
            found(&r, "outer", true),
            Err(LookupError::Dangling {
                link: RawPath::from_typed("outer"),
                target: RawPath::from_bytes(b"lib/nothing".to_vec()),
                missing: RawPath::from_typed("usr/lib/nothing"),
            })
        );
        // What resolves is unchanged.
        assert_eq!(
            found(&r, "d1/inner/../lib/os-release", true),
            Ok("usr/lib/os-release".to_string())
        );
    }
}
