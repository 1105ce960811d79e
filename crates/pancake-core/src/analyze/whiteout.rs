//! The OCI image-spec changeset markers, and the old AUFS driver's bookkeeping, in one place.
//!
//! - `<dir>/.wh.<name>` deletes `<dir>/<name>` (and everything below it) from the *lower*
//!   layers; the marker itself is never part of the filesystem.
//! - `<dir>/.wh..wh..opq` hides every lower child and descendant of `<dir>`; it applies
//!   before the same layer's own entries, whatever the tar order.
//! - A bare `.wh.`, `.wh..`/`.wh...` (which would delete the directory itself or its parent)
//!   and other `.wh..wh.`-prefixed names are invalid: reported, never applied, never content.
//! - AUFS metadata at the layer root (what layers made by Docker's old `aufs` driver carry):
//!   the directory `.wh..wh.plnk/` (regular files there are the content of hard links that
//!   point into it), the directory `.wh..wh.orph/` and the file `.wh..wh.aufs`. They are not
//!   part of the filesystem and delete nothing: moby's `pkg/archive` `UnpackLayer` skips every
//!   root name starting with `.wh..wh.` (except the root opaque marker) and re-targets hard
//!   links into `.wh..wh.plnk/` at the file of the same base name stored there.

use crate::model::{Entry, EntryKind, Problem, ProblemKind};
use crate::path::RawPath;
use crate::read::listed::{self, Listed};

use crate::media::{
    AUFS_META, AUFS_ORPH, AUFS_PLNK, OPAQUE_MARKER as OPAQUE, WHITEOUT_META_PREFIX as META_PREFIX,
    WHITEOUT_PREFIX as PREFIX,
};

/// What a layer entry means besides being a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Marker {
    /// The path (in lower layers) this whiteout deletes.
    Whiteout(RawPath),
    /// The directory whose lower contents are hidden.
    Opaque(RawPath),
    /// AUFS metadata at the layer root (`.wh..wh.plnk/…`, `.wh..wh.orph/…`, `.wh..wh.aufs`):
    /// not part of the filesystem, deletes nothing. Regular files below `.wh..wh.plnk/` hold
    /// the content of hard links that point at them (see [`aufs_link_key`]).
    Aufs,
    /// A `.wh.` name that breaks the rules; the text says why (it names the entry, not the
    /// layer member: [`problems`] adds that). Unpacking skips it; it deletes nothing.
    Invalid(String),
    /// A whiteout of its own folder or the one above (`.wh.`, `.wh..`, `.wh...`): unpacking
    /// fails on it. Docker's overlay storage makes a whiteout with `mknod` at the name it
    /// deletes, and that folder exists (`EEXIST`); containerd refuses the name ("invalid
    /// whiteout name"). The text says so; it deletes nothing here.
    Unpackable(String),
}

/// `None` for ordinary entries; otherwise what the marker does, from the path alone. An
/// entry's kind can make an AUFS name invalid (a *file* named `.wh..wh.plnk`): use
/// [`classify_entry`] for entries of a layer.
pub fn classify(path: &RawPath) -> Option<Marker> {
    classify_kind(path, None)
}

/// [`classify`] for a layer entry, its kind included: `.wh..wh.plnk` and `.wh..wh.orph` must
/// be directories and `.wh..wh.aufs` a regular file, else the entry is [`Marker::Invalid`].
/// Either way such an entry is never part of the filesystem.
pub fn classify_entry(e: &Entry) -> Option<Marker> {
    classify_kind(&e.path, Some(e.kind))
}

fn kind_word(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::File => "a regular file",
        EntryKind::Dir => "a directory",
        EntryKind::Symlink => "a symlink",
        EntryKind::Hardlink => "a hard link",
        EntryKind::Char => "a character device",
        EntryKind::Block => "a block device",
        EntryKind::Fifo => "a FIFO",
        EntryKind::Other => "an entry of an unknown type",
    }
}

fn classify_kind(path: &RawPath, kind: Option<EntryKind>) -> Option<Marker> {
    let first = path.components().next().unwrap_or(&[]);
    // AUFS metadata lives at the root only; `.wh..wh..opq` at the root is the root's opaque
    // marker, handled with the other basenames below.
    if first.starts_with(META_PREFIX) && path.as_bytes() != OPAQUE {
        let top = path.as_bytes() == first;
        let wrong = |expected: EntryKind| {
            kind.filter(|k| top && *k != expected).map(|k| {
                Marker::Invalid(format!(
                    "entry {path}: found {}, expected {} (an AUFS metadata name); ignored",
                    kind_word(k),
                    kind_word(expected)
                ))
            })
        };
        return Some(match first {
            AUFS_PLNK | AUFS_ORPH => wrong(EntryKind::Dir).unwrap_or(Marker::Aufs),
            AUFS_META if top => wrong(EntryKind::File).unwrap_or(Marker::Aufs),
            _ => Marker::Invalid(format!(
                "entry {path}: `.wh..wh.` names are reserved (only `.wh..wh..opq` and AUFS's \
                 `.wh..wh.plnk/`, `.wh..wh.orph/` and `.wh..wh.aufs` at the layer root are known); \
                 ignored"
            )),
        });
    }
    let name = path.file_name();
    if !name.starts_with(PREFIX) {
        return None;
    }
    if name == OPAQUE {
        return Some(Marker::Opaque(path.parent()));
    }
    let target = name.get(PREFIX.len()..).unwrap_or(&[]);
    if name.starts_with(META_PREFIX) {
        return Some(Marker::Invalid(format!(
            "entry {path}: `.wh..wh.` names are reserved (only `.wh..wh..opq` is a valid opaque \
             marker, and AUFS metadata only at the layer root); ignored"
        )));
    }
    // What unpacking does with such a name, in both engines.
    let fails = "Docker's overlay storage makes a whiteout with mknod at the path it deletes, \
                 which exists (EEXIST), and containerd refuses the name (\"invalid whiteout \
                 name\"), so unpacking fails on it; it deletes nothing here";
    match target {
        b"" => Some(Marker::Unpackable(format!(
            "entry {path}: a whiteout named just `.wh.` names its own folder: {fails}"
        ))),
        b"." | b".." => Some(Marker::Unpackable(format!(
            "entry {path}: a whiteout of `{}` names its own folder or the one above: {fails}",
            crate::escape::escape_name(target)
        ))),
        _ => Some(Marker::Whiteout(path.parent().join(target))),
    }
}

/// For a hard-link target inside AUFS's `.wh..wh.plnk/`, the base name Docker looks it up by
/// (moby `UnpackLayer`: any link name starting with `.wh..wh.plnk` is re-targeted at the
/// regular file of that base name stored below `.wh..wh.plnk`). `None` for other targets.
pub fn aufs_link_key(target: &RawPath) -> Option<&[u8]> {
    let first = target.components().next()?;
    if first.starts_with(AUFS_PLNK) {
        Some(target.file_name())
    } else {
        None
    }
}

/// Is this entry a regular file AUFS keeps in `.wh..wh.plnk/` as the content of hard links
/// (found by [`aufs_link_key`] of a link's target)?
pub fn is_aufs_link_source(e: &Entry) -> bool {
    e.kind == EntryKind::File && {
        // Its first component is the folder, and a name follows (asked of every entry: the
        // cheap test first).
        let mut c = e.path.components();
        c.next() == Some(AUFS_PLNK) && c.next().is_some()
    }
}

/// Is this basename a whiteout (not the opaque marker)? A name test only: it counts invalid
/// names too; [`counts`] counts what a layer's entries really are.
pub fn is_whiteout_name(name: &[u8]) -> bool {
    name.starts_with(PREFIX) && name != OPAQUE
}

/// True when `name` (one path component) is exactly the opaque marker `.wh..wh..opq`.
pub fn is_opaque_name(name: &[u8]) -> bool {
    name == OPAQUE
}

/// `(whiteouts, opaque_dirs)` of a layer's entries: valid `.wh.<name>` deletions and
/// `.wh..wh..opq` markers. Invalid names (bare `.wh.`, `.wh..`, reserved `.wh..wh.` names)
/// and AUFS metadata count as neither.
pub fn counts(entries: &[Entry]) -> (usize, usize) {
    entries
        .iter()
        .fold((0, 0), |(w, o), e| match classify_entry(e) {
            Some(Marker::Whiteout(_)) => (w + 1, o),
            Some(Marker::Opaque(_)) => (w, o + 1),
            _ => (w, o),
        })
}

/// A `Problem` (kind `whiteout`, or `unpack-fails` for a marker that names its own folder)
/// for each invalid marker in a layer's entries, in entry order; `member` is the layer blob's
/// path in the archive, named in each message. Each of the two kinds lists its first
/// [`listed::PER_LAYER`] markers, then one problem counting the rest (a hostile layer may
/// hold millions).
pub fn problems(member: Option<&str>, entries: &[Entry]) -> Vec<Problem> {
    let about = |kind: ProblemKind, entry: Option<&Entry>, why: String| match (member, entry) {
        (Some(m), Some(e)) => Problem::entry(kind, None, m, e.path.display().into_owned(), why),
        (Some(m), None) => Problem::layer(kind, None, m, why),
        (None, _) => Problem::member(kind, None, None, why),
    };
    let mut out = Vec::new();
    let (mut invalid, mut unpackable) = (Listed::default(), Listed::default());
    for e in entries {
        match classify_entry(e) {
            Some(Marker::Invalid(why)) => {
                invalid.push(&mut out, || about(ProblemKind::Whiteout, Some(e), why))
            }
            Some(Marker::Unpackable(why)) => {
                unpackable.push(&mut out, || about(ProblemKind::UnpackFails, Some(e), why))
            }
            _ => {}
        }
    }
    let per = listed::PER_LAYER;
    if let Some(n) = invalid.more() {
        out.push(about(
            ProblemKind::Whiteout,
            None,
            format!("{n} more entries have reserved `.wh..wh.` names or misplaced AUFS metadata and are ignored (only the first {per} are listed one by one)"),
        ));
    }
    if let Some(n) = unpackable.more() {
        out.push(about(
            ProblemKind::UnpackFails,
            None,
            format!("{n} more whiteouts name their own folder or the one above, and unpacking fails on each (only the first {per} are listed one by one)"),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(p: &str) -> Option<Marker> {
        classify(&RawPath::from(p))
    }

    #[test]
    fn spec_example_explicit_whiteout() {
        // image-spec layer.md: `./etc/.wh.my-app-config` removes `./etc/my-app-config`.
        assert_eq!(
            c("./etc/.wh.my-app-config"),
            Some(Marker::Whiteout(RawPath::from("etc/my-app-config")))
        );
        assert_eq!(
            c("bin/.wh.tools"),
            Some(Marker::Whiteout(RawPath::from("bin/tools")))
        );
        assert_eq!(c(".wh.top"), Some(Marker::Whiteout(RawPath::from("top"))));
    }

    #[test]
    fn spec_example_opaque() {
        assert_eq!(
            c("a/.wh..wh..opq"),
            Some(Marker::Opaque(RawPath::from("a")))
        );
        assert_eq!(
            c("bin/.wh..wh..opq"),
            Some(Marker::Opaque(RawPath::from("bin")))
        );
        assert_eq!(c(".wh..wh..opq"), Some(Marker::Opaque(RawPath::from(""))));
    }

    #[test]
    fn ordinary_names() {
        assert_eq!(c("a/b/c/foo"), None);
        assert_eq!(c("a/.whx"), None);
        assert_eq!(c("a/x.wh.y"), None);
        // Only the basename matters.
        assert_eq!(c(".wh.dir/file"), None);
    }

    #[test]
    fn invalid_markers() {
        for p in ["a/.wh.", "a/.wh..", "a/.wh...", ".wh.."] {
            assert!(matches!(c(p), Some(Marker::Unpackable(_))), "{p}");
        }
        for p in [
            "a/.wh..wh.plnk",
            "a/.wh..wh.aufs",
            ".wh..wh.other",
            "a/.wh..wh..opqx",
        ] {
            assert!(matches!(c(p), Some(Marker::Invalid(_))), "{p}");
        }
        // `.wh..x` is fine: it deletes the dot-file `.x`.
        assert_eq!(c("a/.wh..x"), Some(Marker::Whiteout(RawPath::from("a/.x"))));
    }

    #[test]
    fn counting_names() {
        assert!(is_whiteout_name(b".wh.foo"));
        assert!(!is_whiteout_name(b".wh..wh..opq"));
        assert!(is_opaque_name(b".wh..wh..opq"));
    }

    use crate::test_support::entry as e;

    #[test]
    fn aufs_metadata_at_the_root() {
        use EntryKind::{Dir, File};
        for (p, k) in [
            (".wh..wh.plnk", Dir),
            ("./.wh..wh.plnk/", Dir),
            (".wh..wh.plnk/1234.5678", File),
            (".wh..wh.plnk/.wh.x", File),
            (".wh..wh.orph", Dir),
            (".wh..wh.orph/anything", File),
            (".wh..wh.aufs", File),
        ] {
            assert_eq!(classify_entry(&e(p, k)), Some(Marker::Aufs), "{p}");
        }
        // The root opaque marker stays an opaque marker.
        assert_eq!(
            classify_entry(&e(".wh..wh..opq", File)),
            Some(Marker::Opaque(RawPath::default()))
        );
        // Wrong kinds are reported (and, like every AUFS name, never content).
        for (p, k) in [
            (".wh..wh.plnk", File),
            (".wh..wh.orph", File),
            (".wh..wh.aufs", Dir),
        ] {
            assert!(
                matches!(classify_entry(&e(p, k)), Some(Marker::Invalid(_))),
                "{p}"
            );
            assert!(matches!(classify(&RawPath::from(p)), Some(Marker::Aufs)));
        }
        assert_eq!(
            aufs_link_key(&RawPath::from(".wh..wh.plnk/1234.5678")),
            Some(&b"1234.5678"[..])
        );
        assert_eq!(aufs_link_key(&RawPath::from("usr/bin/x")), None);
    }

    #[test]
    fn counts_only_valid_markers() {
        use EntryKind::{Dir, File};
        let entries = [
            e("a/.wh.b", File),
            e("a/.wh.", File),
            e("a/.wh..", File),
            e(".wh..wh.plnk", File),
            e(".wh..wh.plnk", Dir),
            e(".wh..wh.aufs", File),
            e("a/.wh..wh..opq", File),
            e(".wh.", File),
        ];
        assert_eq!(counts(&entries), (1, 1));
    }

    #[test]
    fn problems_name_the_member_and_the_entry() {
        use EntryKind::File;
        let ps = problems(
            Some("blobs/sha256/x"),
            &[
                e("a/.wh.", File),
                e("a/.wh.b", File),
                e("a/.wh..wh..opq", File),
                e(".wh..", File),
                e(".wh..wh.plnk", File),
                e("dir/.wh.", File),
            ],
        );
        assert_eq!(ps.len(), 4, "{ps:#?}");
        assert!(ps
            .iter()
            .all(|p| p.member_name() == Some("blobs/sha256/x")
                && p.message().contains("blobs/sha256/x")));
        // A whiteout of its own folder fails unpacking; a reserved name is only skipped.
        let kinds: Vec<ProblemKind> = ps.iter().map(|p| p.kind).collect();
        assert_eq!(
            kinds,
            [
                ProblemKind::UnpackFails,
                ProblemKind::UnpackFails,
                ProblemKind::Whiteout,
                ProblemKind::UnpackFails
            ]
        );
        let named: Vec<bool> = ["a/.wh.", ".wh..", ".wh..wh.plnk", "dir/.wh."]
            .iter()
            .zip(&ps)
            .map(|(n, p)| p.message().contains(&format!("entry {n}:")))
            .collect();
        assert_eq!(named, [true; 4]);
    }
}
