//! Paths from tar headers: kept as raw bytes (lossless, non-UTF-8 included), normalized
//! the way a container runtime would see them, displayed losslessly (see [`crate::escape`]).

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A normalized path inside a layer or archive: no leading `/` or `./`, no trailing `/`.
///
/// Ordered byte by byte, as `[u8]` is ([`cmp_bytes`]). Held as a boxed slice, not a `Vec`:
/// exactly its bytes, and a pointer and a length (8 bytes on wasm32 against 12), for every
/// entry's name and link target of an index, which the page's workers hold twice.
#[derive(Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RawPath(Box<[u8]>);

impl Ord for RawPath {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        cmp_bytes(&self.0, &other.0)
    }
}

impl PartialOrd for RawPath {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// `a.cmp(b)` for byte strings (lexicographic, a prefix first). On wasm32 eight bytes at a
/// time ([`cmp_by_words`]): there the slice comparison is a byte loop, and the fold of a
/// 200,000-file layer (a `BTreeMap` keyed by path) makes millions of comparisons of paths
/// that share long prefixes. Elsewhere the platform's `memcmp` is faster still, and is used.
pub fn cmp_bytes(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    #[cfg(target_arch = "wasm32")]
    {
        cmp_by_words(a, b)
    }
    #[cfg(not(target_arch = "wasm32"))]
    a.cmp(b)
}

/// `a.cmp(b)`, comparing eight bytes at a time as big-endian words (the first byte that
/// differs decides, as byte by byte), the tail byte by byte.
#[cfg_attr(not(any(target_arch = "wasm32", test)), allow(dead_code))]
fn cmp_by_words(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let mut ca = a.chunks_exact(8);
    let mut cb = b.chunks_exact(8);
    for (x, y) in ca.by_ref().zip(cb.by_ref()) {
        let x = u64::from_be_bytes(x.try_into().unwrap_or([0; 8]));
        let y = u64::from_be_bytes(y.try_into().unwrap_or([0; 8]));
        if x != y {
            return x.cmp(&y);
        }
    }
    let done = 8 * (a.len().min(b.len()) / 8);
    a.get(done..)
        .unwrap_or(&[])
        .cmp(b.get(done..).unwrap_or(&[]))
}

/// Does the `/`-separated name `path` have a `..` component? One pass over the bytes for two
/// dots in a row first, eight bytes at a time ([`crate::byte_words`]): two dots in a row are
/// rare in names, and every entry of every layer is asked, several times.
pub fn has_dotdot(path: &[u8]) -> bool {
    crate::byte_words::has_pair(path, b'.') && path.split(|b| *b == b'/').any(|c| c == b"..")
}

/// The folder holding the normalized path `path` (empty for a top-level name), as a slice of
/// it: what [`RawPath::parent`] gives, without allocating (folds look up millions of parents).
pub fn parent_bytes(path: &[u8]) -> &[u8] {
    match path.iter().rposition(|b| *b == b'/') {
        Some(i) => path.get(..i).unwrap_or(&[]),
        None => &[],
    }
}

impl RawPath {
    /// Normalizes a header name: strips leading `/` and `./` and a trailing `/`,
    /// collapses `//` and inner `.` components. `..` is kept (see [`RawPath::is_unsafe_name`]).
    pub fn normalize(raw: &[u8]) -> RawPath {
        // One pass into one buffer (every entry of every layer comes through here).
        let mut out = Vec::with_capacity(raw.len());
        for p in raw.split(|b| *b == b'/') {
            if p.is_empty() || p == b"." {
                continue;
            }
            if !out.is_empty() {
                out.push(b'/');
            }
            out.extend_from_slice(p);
        }
        RawPath(out.into_boxed_slice())
    }

    /// This normalized path with each `..` taking away the name before it, lexically (symlinks
    /// are not looked at), as Go's `filepath.Clean` does to a header name before moby's
    /// `UnpackLayer` and containerd's `archive.Apply` write it (`d/../e` is written at `e`).
    /// `None` when a `..` would climb above the root ([`RawPath::is_unsafe_name`]); the path
    /// itself (not copied) when it has no `..`.
    pub fn cleaned(&self) -> Option<Cow<'_, RawPath>> {
        if !has_dotdot(&self.0) {
            return Some(Cow::Borrowed(self));
        }
        let mut out: Vec<u8> = Vec::with_capacity(self.0.len());
        for c in self.components() {
            if c == b".." {
                if out.is_empty() {
                    return None;
                }
                out.truncate(parent_bytes(&out).len());
            } else {
                if !out.is_empty() {
                    out.push(b'/');
                }
                out.extend_from_slice(c);
            }
        }
        Some(Cow::Owned(RawPath(out.into_boxed_slice())))
    }

    /// This normalized path with each `..` taking away the name before it and dropped at the
    /// root, lexically: where Docker's unpacking (in a chroot of the layer's folder, Go's
    /// `filepath.Join("/", name)`) and containerd's (`fs.RootPath`) put a hard link's target
    /// (`../../t/a` links to `t/a`: dockerd 20.10, overlay2). The path itself when it has no
    /// `..`.
    pub fn clamped(&self) -> Cow<'_, RawPath> {
        if !has_dotdot(&self.0) {
            return Cow::Borrowed(self);
        }
        let mut out: Vec<u8> = Vec::with_capacity(self.0.len());
        for c in self.components() {
            if c == b".." {
                out.truncate(parent_bytes(&out).len());
            } else {
                if !out.is_empty() {
                    out.push(b'/');
                }
                out.extend_from_slice(c);
            }
        }
        Cow::Owned(RawPath(out.into_boxed_slice()))
    }

    /// Wraps `bytes` as they are, not normalized (symlink targets are kept as written).
    pub fn from_bytes(bytes: Vec<u8>) -> RawPath {
        RawPath(bytes.into_boxed_slice())
    }

    /// The path's bytes, `/`-separated, no leading `/`.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// True for the root (the empty path).
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// Text for display, lossless: bytes that are not UTF-8 as `\xNN`, control and bidi
    /// characters escaped, `\` as `\\` ([`crate::escape::escape_name`]), so two different
    /// names never look the same. [`RawPath::from_display`] reverses it.
    pub fn display(&self) -> Cow<'_, str> {
        crate::escape::escape_name(&self.0)
    }

    /// The path whose [`RawPath::display`] is `shown` (not normalized again); `None` when
    /// `shown` holds a malformed escape.
    pub fn from_display(shown: &str) -> Option<RawPath> {
        crate::escape::unescape_name(shown).map(RawPath::from_bytes)
    }

    /// A path a person typed or copied from the page, read the way [`RawPath::display`]
    /// writes names (`caf\xe9` is the byte 0xE9, `\\` one backslash) and normalized; text
    /// that is not a valid escaped form (a lone `\`) is taken byte for byte.
    pub fn from_typed(text: &str) -> RawPath {
        match crate::escape::unescape_name(text) {
            Some(bytes) => RawPath::normalize(&bytes),
            None => RawPath::normalize(text.as_bytes()),
        }
    }

    /// A path a person typed, read as [`RawPath::from_typed`] reads it but not normalized: a
    /// trailing `/` and `.` components stay, which a lookup takes as "must be a directory"
    /// ([`crate::analyze::lookup::resolve`]: `file/` is not a directory, as on Linux).
    pub fn from_typed_as_written(text: &str) -> RawPath {
        let bytes = crate::escape::unescape_name(text).unwrap_or_else(|| text.as_bytes().to_vec());
        RawPath::from_bytes(bytes)
    }

    /// The last component shown like [`RawPath::display`].
    pub fn file_name_display(&self) -> Cow<'_, str> {
        crate::escape::escape_name(self.file_name())
    }

    /// The last component.
    pub fn file_name(&self) -> &[u8] {
        match self.0.iter().rposition(|b| *b == b'/') {
            Some(i) => self.0.get(i + 1..).unwrap_or(&[]),
            None => &self.0,
        }
    }

    /// The parent directory (`""` for a top-level name).
    pub fn parent(&self) -> RawPath {
        RawPath(parent_bytes(&self.0).into())
    }

    /// `name` (one or more components) below this path, normalized.
    pub fn join(&self, name: &[u8]) -> RawPath {
        if self.0.is_empty() {
            return RawPath::normalize(name);
        }
        let mut v = self.0.to_vec();
        v.push(b'/');
        v.extend_from_slice(name);
        RawPath::normalize(&v)
    }

    /// Is `self` strictly below `dir`?
    pub fn is_below(&self, dir: &RawPath) -> bool {
        if dir.0.is_empty() {
            return !self.0.is_empty();
        }
        self.0.len() > dir.0.len()
            && self.0.starts_with(&dir.0)
            && self.0.get(dir.0.len()) == Some(&b'/')
    }

    /// Components, in order.
    pub fn components(&self) -> impl Iterator<Item = &[u8]> {
        self.0.split(|b| *b == b'/').filter(|p| !p.is_empty())
    }

    /// How many components a normalized path has (`components().count()`, for a path with no
    /// empty component: every [`RawPath::normalize`]d one): its `/`s and one, eight bytes at a
    /// time ([`crate::byte_words`]; every entry of a layer's walk is measured).
    pub fn depth(&self) -> usize {
        if self.0.is_empty() {
            0
        } else {
            crate::byte_words::count(&self.0, b'/') + 1
        }
    }

    /// True when a name would leave its root: absolute, or `..` climbing above the start.
    /// The root itself (`/`, `./`, `.`, `//.`), which kaniko and others write as a layer's
    /// first member, is not unsafe.
    pub fn is_unsafe_name(raw: &[u8]) -> bool {
        let is_root = || raw.split(|b| *b == b'/').all(|p| p.is_empty() || p == b".");
        if !crate::byte_words::has_pair(raw, b'.') {
            // No `..` (the common case, every entry of every layer asks): only an absolute
            // name leaves the root.
            return raw.first() == Some(&b'/') && !is_root();
        }
        !is_root() && RawPath::default().escapes_with(raw)
    }

    /// Would following `target` (a link target or a name) from this directory leave the
    /// root? Absolute targets count as escaping: outside a rootfs they mean the host.
    pub fn escapes_with(&self, target: &[u8]) -> bool {
        if target.first() == Some(&b'/') {
            return true;
        }
        let mut depth = self.components().count() as i64;
        for p in target.split(|b| *b == b'/') {
            match p {
                b"" | b"." => {}
                b".." => {
                    depth -= 1;
                    if depth < 0 {
                        return true;
                    }
                }
                _ => depth += 1,
            }
        }
        false
    }
}

impl fmt::Display for RawPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

impl fmt::Debug for RawPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.display())
    }
}

impl From<&str> for RawPath {
    fn from(s: &str) -> RawPath {
        RawPath::normalize(s.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The word-at-a-time comparison the page's wasm uses orders exactly as `[u8]` does: on
    /// pairs that differ at every position of the first 20 bytes (in a word and in the tail),
    /// on prefixes of each other, and on bytes above 0x7f (unsigned, as `memcmp`).
    #[test]
    fn words_compare_as_bytes() {
        let base: Vec<u8> = b"usr/share/many/dir123/file000123.txt".to_vec();
        let mut cases: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        for at in 0..base.len() {
            for d in [0x00u8, 0x01, 0x2e, 0x2f, 0x7f, 0x80, 0xff] {
                let mut b = base.clone();
                if let Some(x) = b.get_mut(at) {
                    *x = d;
                }
                cases.push((base.clone(), b));
            }
            cases.push((base[..at].to_vec(), base.clone()));
        }
        cases.push((Vec::new(), Vec::new()));
        for (a, b) in cases {
            assert_eq!(cmp_by_words(&a, &b), a.cmp(&b), "{a:?} {b:?}");
            assert_eq!(cmp_by_words(&b, &a), b.cmp(&a), "{b:?} {a:?}");
            let (ra, rb) = (
                RawPath::from_bytes(a.clone()),
                RawPath::from_bytes(b.clone()),
            );
            assert_eq!(ra.cmp(&rb), a.cmp(&b));
        }
    }

    #[test]
    fn parent_bytes_is_parent_without_allocating() {
        for (path, parent) in [("a/b/c", "a/b"), ("a", ""), ("", ""), ("a/b", "a")] {
            assert_eq!(parent_bytes(path.as_bytes()), parent.as_bytes());
            assert_eq!(RawPath::from(path).parent().as_bytes(), parent.as_bytes());
        }
    }

    #[test]
    fn cleans_dotdot_lexically_like_go() {
        let clean = |s: &str| {
            RawPath::normalize(s.as_bytes())
                .cleaned()
                .map(|p| p.display().into_owned())
        };
        assert_eq!(clean("d/../e").as_deref(), Some("e"));
        assert_eq!(clean("./a/b/../../c/./d").as_deref(), Some("c/d"));
        assert_eq!(clean("a/b/..").as_deref(), Some("a"));
        assert_eq!(clean("a/..").as_deref(), Some(""));
        assert_eq!(clean("etc/passwd").as_deref(), Some("etc/passwd"));
        assert_eq!(clean("../x"), None);
        assert_eq!(clean("a/../../x"), None);
        // Agrees with `is_unsafe_name` on which names climb out.
        for name in [
            "d/../e",
            "../x",
            "a/../../x",
            "a/b/../..",
            "/../x",
            "a/./../b",
        ] {
            assert_eq!(
                clean(name).is_none(),
                RawPath::is_unsafe_name(name.as_bytes()),
                "{name}"
            );
        }
        let plain = RawPath::from("a/b");
        assert!(matches!(plain.cleaned(), Some(Cow::Borrowed(_))));
    }

    #[test]
    fn normalizes() {
        assert_eq!(
            RawPath::normalize(b"./etc//nginx/").as_bytes(),
            b"etc/nginx"
        );
        assert_eq!(RawPath::normalize(b"/a/./b").as_bytes(), b"a/b");
        assert_eq!(RawPath::from("a/b/c").parent(), RawPath::from("a/b"));
        assert_eq!(RawPath::from("a/b/c").file_name(), b"c");
        assert!(RawPath::from("a/b").is_below(&RawPath::from("a")));
        assert!(!RawPath::from("ab").is_below(&RawPath::from("a")));
        // A normalized path's depth is its component count, however it was written.
        for raw in [
            &b""[..],
            b"/",
            b"./",
            b"a",
            b"./etc//nginx/",
            b"//a/./b//c/d/e/f/g/h/i/",
            b"usr/share/doc/packages/node_modules/x/y/z.js",
        ] {
            let p = RawPath::normalize(raw);
            assert_eq!(p.depth(), p.components().count(), "{p}");
        }
    }

    #[test]
    fn displays_bytes_losslessly() {
        let a = RawPath::normalize(b"data/caf\xe9.txt");
        let b = RawPath::normalize(b"data/caf\xe8.txt");
        assert_eq!(a.display(), "data/caf\\xe9.txt");
        assert_eq!(b.to_string(), "data/caf\\xe8.txt");
        assert_eq!(format!("{a:?}"), "\"data/caf\\\\xe9.txt\"");
        assert_eq!(a.file_name_display(), "caf\\xe9.txt");
        assert_eq!(RawPath::from_display(&a.display()), Some(a.clone()));
        assert_eq!(RawPath::from_typed("/data/caf\\xe9.txt"), a);
        assert_eq!(RawPath::from_typed("/a\\b"), RawPath::from("a\\b"));
    }

    #[test]
    fn unsafe_names() {
        assert!(RawPath::is_unsafe_name(b"../etc/passwd"));
        assert!(RawPath::is_unsafe_name(b"/abs"));
        assert!(RawPath::is_unsafe_name(b"a/../../b"));
        assert!(!RawPath::is_unsafe_name(b"a/../b"));
        for root in [&b"/"[..], b"./", b".", b"//", b"/./", b""] {
            assert!(!RawPath::is_unsafe_name(root), "{root:?}");
        }
        assert!(RawPath::is_unsafe_name(
            b"/."[..]
                .iter()
                .chain(b"/etc")
                .copied()
                .collect::<Vec<u8>>()
                .as_slice()
        ));
        assert!(RawPath::is_unsafe_name(b"./.."));
        assert!(RawPath::is_unsafe_name(b"/.."));
        // The shortcut for names without `..` agrees with the definition on every name made
        // of these pieces (absolute or not, dots one or two, the root in its spellings).
        let pieces: [&[u8]; 6] = [b"/", b".", b"..", b"a", b"...", b"b."];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let raw = [a, b, c].concat();
                    let is_root = raw.split(|x| *x == b'/').all(|p| p.is_empty() || p == b".");
                    let defined = !is_root && RawPath::default().escapes_with(&raw);
                    assert_eq!(RawPath::is_unsafe_name(&raw), defined, "{raw:?}");
                }
            }
        }
    }
}
