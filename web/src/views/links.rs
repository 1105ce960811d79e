//! Opening a link (issue 15), in Files and in Container: a hard link shows the file it links
//! to; a symbolic link is resolved in the merged filesystem as a process in the container
//! would (`pancake_core::analyze::lookup::resolve`, the resolution `pancake cat` uses: links
//! met as directories followed, absolute targets from the image's root, at most 40 links) and
//! opens what it leads to, or says it dangles, loops or meets a non-directory. The note says
//! which, in the reader's language.

use pancake_core::analyze::lookup::{self, LookupError};
use pancake_core::analyze::union::{Change, ContentRef, FileRow};
use pancake_core::write::container::MergedRow;
use pancake_core::{EntryKind, RawPath};
use yew::prelude::*;

use crate::i18n::{tf, Lang};

/// What opening a link found. Paths are normalized (no leading `/`); `target` is the link's
/// target as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkNote {
    /// A hard link whose bytes are those of `target`.
    Hard { path: RawPath, target: RawPath },
    /// A hard link to nothing in the image (no content).
    HardNone { path: RawPath, target: RawPath },
    /// A symlink resolving to the regular file `resolved` (opened).
    Sym {
        path: RawPath,
        target: RawPath,
        resolved: RawPath,
    },
    /// A symlink resolving to the directory `resolved` (the root when empty).
    SymDir {
        path: RawPath,
        target: RawPath,
        resolved: RawPath,
    },
    /// A symlink resolving to `resolved`, which has no content (a device, a FIFO, a hard link
    /// to nothing).
    SymSpecial {
        path: RawPath,
        target: RawPath,
        resolved: RawPath,
    },
    /// A symlink that resolves to nothing: `missing` is the first path that does not exist.
    Dangling {
        path: RawPath,
        target: RawPath,
        missing: RawPath,
    },
    /// More than 40 links followed (a loop); `link` is the last one.
    Loop {
        path: RawPath,
        target: RawPath,
        link: RawPath,
    },
    /// A path on the way (`at`) is used as a directory but is not one.
    NotDir {
        path: RawPath,
        target: RawPath,
        at: RawPath,
    },
}

/// What opening `row` does: the row whose content to show (for a hard link itself, its
/// content being the target's; for a symlink the row it resolves to) and the note. `merged`
/// is the merged filesystem the link lives in (sorted by path, as every view is). `None`
/// when `row` is no link.
pub fn follow(merged: &[FileRow], row: &FileRow) -> Option<(LinkNote, Option<FileRow>)> {
    let path = row.path.clone();
    let target = row.link_target.clone().unwrap_or_default();
    match row.kind {
        EntryKind::Hardlink => Some(if row.content.is_some() {
            (LinkNote::Hard { path, target }, Some(row.clone()))
        } else {
            (LinkNote::HardNone { path, target }, None)
        }),
        EntryKind::Symlink => Some(match lookup::resolve(merged, &row.path, true) {
            Ok(Some(i)) => {
                let r = merged.get(i)?;
                let resolved = r.path.clone();
                match r.kind {
                    EntryKind::Dir => (
                        LinkNote::SymDir {
                            path,
                            target,
                            resolved,
                        },
                        None,
                    ),
                    EntryKind::File | EntryKind::Hardlink if r.content.is_some() => (
                        LinkNote::Sym {
                            path,
                            target,
                            resolved,
                        },
                        Some(r.clone()),
                    ),
                    _ => (
                        LinkNote::SymSpecial {
                            path,
                            target,
                            resolved,
                        },
                        None,
                    ),
                }
            }
            // The root, or a directory implied by the paths below it.
            Ok(None) => {
                let resolved = RawPath::default();
                (
                    LinkNote::SymDir {
                        path,
                        target,
                        resolved,
                    },
                    None,
                )
            }
            Err(LookupError::Dangling { missing, .. } | LookupError::NotFound { missing }) => (
                LinkNote::Dangling {
                    path,
                    target,
                    missing,
                },
                None,
            ),
            Err(LookupError::TooManyLinks { link }) => {
                (LinkNote::Loop { path, target, link }, None)
            }
            Err(LookupError::NotADirectory { path: at }) => {
                (LinkNote::NotDir { path, target, at }, None)
            }
        }),
        _ => None,
    }
}

/// A container's merged listing (`Container::merged`, sorted by path) as rows [`follow`]
/// resolves in: its kinds and link targets; a file (and a hard link from the image, whose
/// size is its target's) marked as having content, which the container's editor reads.
pub fn container_rows(rows: &[MergedRow]) -> Vec<FileRow> {
    rows.iter()
        .map(|r| FileRow {
            path: r.path.clone(),
            kind: r.stat.kind,
            size: r.stat.size,
            change: Change::Unchanged,
            layer: r.stat.layer.unwrap_or_default(),
            link_target: r.stat.link_target.clone(),
            mode: r.stat.mode,
            member: None,
            dir_size: 0,
            content: matches!(r.stat.kind, EntryKind::File | EntryKind::Hardlink).then(|| {
                ContentRef {
                    layer: r.stat.layer.unwrap_or_default(),
                    member: None,
                    entry: 0,
                    path: r.path.clone(),
                    size: r.stat.size,
                }
            }),
        })
        .collect()
}

fn abs(p: &RawPath) -> String {
    format!("/{}", p.display())
}

/// The note as the reader's sentence.
pub fn note_text(lang: Lang, note: &LinkNote) -> String {
    // A target is shown as written (it may be relative); every other path from the root.
    let shown = |t: &RawPath| t.display().into_owned();
    match note {
        LinkNote::Hard { path, target } => tf(
            lang,
            "link-hard",
            &[("path", &abs(path)), ("target", &abs(target))],
        ),
        LinkNote::HardNone { path, target } => tf(
            lang,
            "link-hard-none",
            &[("path", &abs(path)), ("target", &abs(target))],
        ),
        LinkNote::Sym {
            path,
            target,
            resolved,
        } => tf(
            lang,
            "link-sym",
            &[
                ("path", &abs(path)),
                ("target", &shown(target)),
                ("resolved", &abs(resolved)),
            ],
        ),
        LinkNote::SymDir {
            path,
            target,
            resolved,
        } => tf(
            lang,
            "link-sym-dir",
            &[
                ("path", &abs(path)),
                ("target", &shown(target)),
                ("resolved", &abs(resolved)),
            ],
        ),
        LinkNote::SymSpecial {
            path,
            target,
            resolved,
        } => tf(
            lang,
            "link-sym-special",
            &[
                ("path", &abs(path)),
                ("target", &shown(target)),
                ("resolved", &abs(resolved)),
            ],
        ),
        LinkNote::Dangling {
            path,
            target,
            missing,
        } => tf(
            lang,
            "link-dangling",
            &[
                ("path", &abs(path)),
                ("target", &shown(target)),
                ("missing", &abs(missing)),
            ],
        ),
        LinkNote::Loop { path, target, link } => tf(
            lang,
            "link-loop",
            &[
                ("path", &abs(path)),
                ("target", &shown(target)),
                ("link", &abs(link)),
            ],
        ),
        LinkNote::NotDir { path, target, at } => tf(
            lang,
            "link-not-dir",
            &[
                ("path", &abs(path)),
                ("target", &shown(target)),
                ("at", &abs(at)),
            ],
        ),
    }
}

/// A stable name for the kind of note (`data-link` in the page, for tests and styles).
pub fn note_id(note: &LinkNote) -> &'static str {
    match note {
        LinkNote::Hard { .. } => "hard",
        LinkNote::HardNone { .. } => "hard-none",
        LinkNote::Sym { .. } => "sym",
        LinkNote::SymDir { .. } => "sym-dir",
        LinkNote::SymSpecial { .. } => "sym-special",
        LinkNote::Dangling { .. } => "dangling",
        LinkNote::Loop { .. } => "loop",
        LinkNote::NotDir { .. } => "not-dir",
    }
}

/// The note, announced politely (it follows a click or Enter).
pub fn note_html(lang: Lang, note: &LinkNote) -> Html {
    let bad = matches!(
        note,
        LinkNote::Dangling { .. }
            | LinkNote::Loop { .. }
            | LinkNote::NotDir { .. }
            | LinkNote::HardNone { .. }
    );
    html! {
        <p class={classes!("link-note", "small", if bad { "error-text" } else { "muted" })} role="status"
            data-testid="link-note" data-link={note_id(note)}>
            { note_text(lang, note) }
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A link target as written (not normalized).
    fn raw(t: &str) -> RawPath {
        RawPath::from_bytes(t.as_bytes().to_vec())
    }

    fn row(path: &str, kind: EntryKind, target: Option<&str>) -> FileRow {
        let content = matches!(kind, EntryKind::File | EntryKind::Hardlink).then(|| ContentRef {
            layer: 0,
            member: Some(1),
            entry: 0,
            path: RawPath::from_typed(
                target
                    .filter(|_| kind == EntryKind::Hardlink)
                    .unwrap_or(path),
            ),
            size: 3,
        });
        FileRow {
            path: RawPath::from_typed(path),
            kind,
            size: 3,
            change: Change::Added,
            layer: 0,
            link_target: target.map(raw),
            mode: 0o644,
            member: Some(1),
            dir_size: 0,
            content,
        }
    }

    fn rows() -> Vec<FileRow> {
        let mut v = vec![
            row("etc", EntryKind::Dir, None),
            row(
                "etc/os-release",
                EntryKind::Symlink,
                Some("../usr/lib/os-release"),
            ),
            row("usr", EntryKind::Dir, None),
            row("usr/lib", EntryKind::Dir, None),
            row("usr/lib/os-release", EntryKind::File, None),
            row("data/dangling", EntryKind::Symlink, Some("../nonexistent")),
            row("data/loop", EntryKind::Symlink, Some("loop")),
            row("data/hard", EntryKind::Hardlink, Some("usr/lib/os-release")),
            row(
                "data/via-file",
                EntryKind::Symlink,
                Some("/usr/lib/os-release/x"),
            ),
            row("data/up", EntryKind::Symlink, Some("/usr")),
        ];
        v.sort_by(|a, b| a.path.cmp(&b.path));
        v
    }

    #[test]
    fn a_symlink_opens_what_it_resolves_to() {
        let rows = rows();
        let get = |p: &str| {
            rows.iter()
                .find(|r| r.path == RawPath::from_typed(p))
                .cloned()
                .unwrap_or_else(|| panic!("{p}"))
        };
        let (note, open) = follow(&rows, &get("etc/os-release")).unwrap_or_else(|| panic!("link"));
        assert_eq!(
            open.map(|r| r.path),
            Some(RawPath::from_typed("usr/lib/os-release"))
        );
        let text = note_text(Lang::En, &note);
        assert!(
            text.contains(
                "/etc/os-release points to ../usr/lib/os-release; opened /usr/lib/os-release"
            ),
            "{text}"
        );
        let (note, open) = follow(&rows, &get("data/dangling")).unwrap_or_else(|| panic!("link"));
        assert_eq!(open, None);
        assert_eq!(
            note,
            LinkNote::Dangling {
                path: RawPath::from_typed("data/dangling"),
                target: raw("../nonexistent"),
                missing: RawPath::from_typed("nonexistent"),
            }
        );
        assert!(note_text(Lang::Id, &note).contains("tidak ada /nonexistent"));
        let (note, _) = follow(&rows, &get("data/loop")).unwrap_or_else(|| panic!("link"));
        assert_eq!(note_id(&note), "loop");
        let (note, _) = follow(&rows, &get("data/via-file")).unwrap_or_else(|| panic!("link"));
        assert_eq!(note_id(&note), "not-dir");
        let (note, open) = follow(&rows, &get("data/up")).unwrap_or_else(|| panic!("link"));
        assert_eq!((note_id(&note), open), ("sym-dir", None));
        let (note, open) = follow(&rows, &get("data/hard")).unwrap_or_else(|| panic!("link"));
        assert_eq!(note_id(&note), "hard");
        assert_eq!(
            open.and_then(|r| r.content).map(|c| c.path),
            Some(RawPath::from_typed("usr/lib/os-release"))
        );
        assert!(follow(&rows, &get("usr/lib/os-release")).is_none());
    }
}
