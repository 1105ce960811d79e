//! The OCI image-spec changeset markers, in one place.
//!
//! - `<dir>/.wh.<name>` deletes `<dir>/<name>` (and everything below it) from the *lower*
//!   layers; the marker itself is never part of the filesystem.
//! - `<dir>/.wh..wh..opq` hides every lower child and descendant of `<dir>`; it applies
//!   before the same layer's own entries, whatever the tar order.
//! - A bare `.wh.`, `.wh..`/`.wh...` (which would delete the directory itself or its parent)
//!   and other `.wh..wh.`-prefixed names (AUFS metadata such as `.wh..wh.plnk`) are invalid.

use crate::model::{Entry, Problem, ProblemKind};
use crate::path::RawPath;

pub const PREFIX: &[u8] = b".wh.";
pub const OPAQUE: &[u8] = b".wh..wh..opq";
const META_PREFIX: &[u8] = b".wh..wh.";

/// What a layer entry means besides being a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Marker {
    /// The path (in lower layers) this whiteout deletes.
    Whiteout(RawPath),
    /// The directory whose lower contents are hidden.
    Opaque(RawPath),
    /// A `.wh.` name that breaks the rules; the text says why.
    Invalid(String),
}

/// `None` for ordinary entries; otherwise what the marker does.
pub fn classify(path: &RawPath) -> Option<Marker> {
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
            "{path}: `.wh..wh.` names are reserved (only `.wh..wh..opq` is a valid opaque marker)"
        )));
    }
    match target {
        b"" => Some(Marker::Invalid(format!(
            "{path}: bare `.wh.` names nothing to delete"
        ))),
        b"." | b".." => Some(Marker::Invalid(format!(
            "{path}: a whiteout cannot delete `{}`",
            crate::escape::escape_name(target)
        ))),
        _ => Some(Marker::Whiteout(path.parent().join(target))),
    }
}

/// Is this basename a whiteout (not the opaque marker)? Used for the `whiteouts` count.
pub fn is_whiteout_name(name: &[u8]) -> bool {
    name.starts_with(PREFIX) && name != OPAQUE
}

pub fn is_opaque_name(name: &[u8]) -> bool {
    name == OPAQUE
}

/// A `Problem` for every invalid marker in a layer's entries.
pub fn problems(member: Option<&str>, entries: &[Entry]) -> Vec<Problem> {
    entries
        .iter()
        .filter_map(|e| match classify(&e.path) {
            Some(Marker::Invalid(message)) => Some(Problem {
                kind: ProblemKind::Whiteout,
                member: member.map(str::to_string),
                message,
            }),
            _ => None,
        })
        .collect()
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
        for p in [
            "a/.wh.",
            "a/.wh..",
            "a/.wh...",
            ".wh..wh.plnk",
            "a/.wh..wh.aufs",
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

    #[test]
    fn problems_name_the_member() {
        let e = |p: &str| Entry {
            path: RawPath::from(p),
            kind: crate::model::EntryKind::File,
            size: 0,
            mode: 0o644,
            uid: 0,
            gid: 0,
            mtime: 0,
            link_target: None,
            content_offset: None,
        };
        let ps = problems(
            Some("blobs/sha256/x"),
            &[e("a/.wh."), e("a/.wh.b"), e("a/.wh..wh..opq")],
        );
        assert_eq!(ps.len(), 1);
        assert_eq!(ps.first().map(|p| p.kind), Some(ProblemKind::Whiteout));
        assert_eq!(
            ps.first().and_then(|p| p.member.as_deref()),
            Some("blobs/sha256/x")
        );
    }
}
