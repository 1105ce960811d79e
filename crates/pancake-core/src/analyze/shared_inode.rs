//! The metadata of a file that has several names in one layer. A tar stores such a file once
//! and each further name as a hard link entry with a header of its own (mode, owner, time,
//! extended attributes). Unpacking makes one inode and applies every header to it in turn:
//! moby's and containerd's `createTarFile`, after `os.Link`, call `Lchown` with the link's
//! owner, `Lsetxattr` for each of its `SCHILY.xattr.` records, `chmod` with its mode (unless
//! the target is a symlink, which has no mode of its own to set) and `Chtimes`. So every name
//! of the file ends with the owner, mode and time of the last header that named it, and with
//! the attributes of all of them (a later value of an attribute replacing an earlier one).
//! Read each name's metadata from here, never from its own header alone.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use crate::analyze::union;
use crate::model::{Archive, Entry, EntryKind, Image, Xattr};
use crate::path::{has_dotdot, RawPath};

/// What unpacking leaves on one name: its owner, mode and extended attributes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attrs<'a> {
    /// Owner user id.
    pub uid: u64,
    /// Owner group id.
    pub gid: u64,
    /// Permission, setuid/setgid and sticky bits (`& 0o7777`).
    pub mode: u32,
    /// Modification time, whole seconds since the Unix epoch.
    pub mtime: u64,
    /// Extended attributes, sorted by name, each name once; borrowed from the entry when the
    /// file has one name.
    pub xattrs: Cow<'a, [Xattr]>,
}

impl<'a> Attrs<'a> {
    /// The entry's own header.
    fn of(e: &'a Entry) -> Attrs<'a> {
        Attrs {
            uid: e.uid,
            gid: e.gid,
            mode: e.mode,
            mtime: e.mtime,
            xattrs: Cow::Borrowed(e.xattrs()),
        }
    }

    /// Applies a further header naming the same inode, of kind `kind`, as unpacking does: no
    /// `chmod` of a symlink (Linux has no lchmod), and no `user.*` attribute on anything but a
    /// regular file or folder (the kernel refuses them, EPERM; moby skips the error).
    fn apply(&mut self, e: &Entry, kind: EntryKind) {
        self.uid = e.uid;
        self.gid = e.gid;
        if kind != EntryKind::Symlink {
            self.mode = e.mode;
        }
        self.mtime = e.mtime;
        let settable = |x: &&Xattr| kind == EntryKind::File || !x.name.starts_with(b"user.");
        if e.xattrs().iter().any(|x| settable(&x)) {
            let xattrs = self.xattrs.to_mut();
            for x in e.xattrs().iter().filter(settable) {
                match xattrs.binary_search_by(|y| y.name.cmp(&x.name)) {
                    Ok(i) => {
                        if let Some(y) = xattrs.get_mut(i) {
                            y.value.clone_from(&x.value);
                        }
                    }
                    Err(i) => xattrs.insert(i, x.clone()),
                }
            }
        }
    }
}

/// For one layer's entries in tar order: the metadata of each name whose inode (a regular
/// file, symlink, device or FIFO) has another name in this layer (a hard link entry that
/// resolved to it, or the inode a link names), keyed by name, as it stands once the layer is
/// unpacked. Empty when no entry is a hard link (nearly every layer: one pass over the
/// entries, no allocation). A link to a lower layer's file, to a folder or to nothing keeps
/// its own header (and is not here); so does a name written again after the link.
pub fn of_layer(entries: &[Entry]) -> HashMap<&RawPath, Attrs<'_>> {
    let targets: HashSet<&RawPath> = entries
        .iter()
        .filter(|e| e.kind == EntryKind::Hardlink)
        .filter_map(|e| e.link_target.as_ref())
        .collect();
    if targets.is_empty() {
        return HashMap::new();
    }
    // Each name that is (for now) an inode some link names or a link to one, and its inode:
    // a regular file, or a symlink, device or FIFO (`os.Link` does not follow a symlink).
    let mut file_of: HashMap<&RawPath, usize> = HashMap::new();
    let mut files: Vec<(Attrs<'_>, bool, EntryKind)> = Vec::new();
    for e in entries {
        if e.path.is_root() || has_dotdot(e.path.as_bytes()) {
            continue;
        }
        match (e.kind, &e.link_target) {
            (k, _)
                if !matches!(k, EntryKind::Dir | EntryKind::Hardlink | EntryKind::Other)
                    && targets.contains(&e.path) =>
            {
                file_of.insert(&e.path, files.len());
                files.push((Attrs::of(e), false, k));
            }
            (EntryKind::Hardlink, Some(t)) if *t != e.path => match file_of.get(t).copied() {
                Some(i) => {
                    if let Some((attrs, linked, kind)) = files.get_mut(i) {
                        attrs.apply(e, *kind);
                        *linked = true;
                    }
                    file_of.insert(&e.path, i);
                }
                None => {
                    file_of.remove(&e.path);
                }
            },
            _ => {
                file_of.remove(&e.path);
            }
        }
    }
    file_of
        .into_iter()
        .filter_map(|(name, i)| match files.get(i) {
            Some((attrs, true, _)) => Some((name, attrs.clone())),
            _ => None,
        })
        .collect()
}

/// The metadata of every path each layer of `image` writes, keyed by layer (0-based) and path:
/// the last entry of a path in a layer wins, as on disk, and a name sharing its file with
/// another ([`of_layer`]) has the file's. What a row's `layer` and `path` look up. One pass
/// over the image's entries.
pub fn of_image<'a>(
    archive: &'a Archive,
    image: &Image,
) -> HashMap<(usize, &'a RawPath), Attrs<'a>> {
    let mut out = HashMap::new();
    for i in 0..image.layers.len() {
        let entries = union::layer_entries(archive, image, i);
        let mut shared = of_layer(entries);
        for e in entries {
            out.insert((i, &e.path), Attrs::of(e));
        }
        for (path, attrs) in shared.drain() {
            out.insert((i, path), attrs);
        }
    }
    out
}

/// [`of_image`] for the `(layer, path)` of each of `rows` only (a view's rows, as
/// `union::merged` gives them): what a merged view looks up, at the cost of its rows, not of
/// every entry of every layer. An image listing one 200,000-entry layer 100 times held 20
/// million entries in [`of_image`]'s map (`diff` of such a 311 KB save took 6 GB); here the
/// map holds one entry per row, and each layer is walked once, keeping nothing but its
/// hard-link groups. Layers no row comes from are not walked.
pub fn of_rows<'a>(
    archive: &'a Archive,
    image: &Image,
    rows: &[union::FileRow],
) -> HashMap<(usize, &'a RawPath), Attrs<'a>> {
    let mut wanted: HashMap<usize, HashSet<&RawPath>> = HashMap::new();
    for r in rows {
        wanted.entry(r.layer).or_default().insert(&r.path);
    }
    let mut out = HashMap::with_capacity(rows.len());
    for i in 0..image.layers.len() {
        let Some(paths) = wanted.get(&i) else {
            continue;
        };
        let entries = union::layer_entries(archive, image, i);
        // The last entry of a path in a layer wins (`of_image`'s inserts in order).
        for e in entries {
            if paths.contains(&e.path) {
                out.insert((i, &e.path), Attrs::of(e));
            }
        }
        for (path, attrs) in of_layer(entries) {
            if paths.contains(path) {
                out.insert((i, path), attrs);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EntryExtra;
    use crate::test_support::entry;

    fn file(path: &str, size: u64) -> Entry {
        Entry {
            size,
            ..entry(path, EntryKind::File)
        }
    }

    fn dir(path: &str) -> Entry {
        entry(path, EntryKind::Dir)
    }

    fn hardlink(path: &str, target: &str) -> Entry {
        Entry {
            link_target: Some(RawPath::from(target)),
            ..entry(path, EntryKind::Hardlink)
        }
    }

    fn with(mut e: Entry, mode: u32, uid: u64, xattrs: &[(&str, &str)]) -> Entry {
        e.mode = mode;
        e.uid = uid;
        e.gid = uid;
        e.set_extra(EntryExtra {
            sparse: None,
            xattrs: xattrs
                .iter()
                .map(|(n, v)| Xattr {
                    name: n.as_bytes().to_vec(),
                    value: v.as_bytes().to_vec(),
                })
                .collect(),
        });
        e
    }

    fn names(x: &[Xattr]) -> Vec<(String, String)> {
        x.iter()
            .map(|x| {
                (
                    String::from_utf8_lossy(&x.name).into_owned(),
                    String::from_utf8_lossy(&x.value).into_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn every_name_of_a_file_ends_with_the_last_header_and_all_attributes() {
        let entries = vec![
            with(
                file("a", 6),
                0o644,
                0,
                &[("user.one", "1"), ("user.two", "2")],
            ),
            with(hardlink("b", "a"), 0o4755, 1000, &[("user.two", "B")]),
            with(
                hardlink("c", "b"),
                0o750,
                7,
                &[("security.capability", "x")],
            ),
            file("other", 3),
        ];
        let m = of_layer(&entries);
        assert_eq!(m.len(), 3, "{m:?}");
        for name in ["a", "b", "c"] {
            let a = &m[&RawPath::from(name)];
            assert_eq!((a.mode, a.uid, a.gid), (0o750, 7, 7), "{name}");
            assert_eq!(
                names(&a.xattrs),
                [
                    ("security.capability".into(), "x".into()),
                    ("user.one".into(), "1".into()),
                    ("user.two".into(), "B".into())
                ],
                "{name}"
            );
        }
    }

    #[test]
    fn the_merged_view_shows_the_shared_mode_on_every_name() {
        let a = crate::test_support::archive_of_layers(vec![vec![
            with(file("a", 6), 0o644, 0, &[]),
            with(hardlink("b", "a"), 0o4755, 1000, &[]),
        ]]);
        let Some(img) = a.images.first() else {
            panic!("no image")
        };
        let rows = union::merged(&a, img, 0);
        let modes: Vec<(String, u32)> = rows.iter().map(|r| (r.path.to_string(), r.mode)).collect();
        assert_eq!(modes, [("a".into(), 0o4755), ("b".into(), 0o4755)]);
        let owners = of_image(&a, img);
        assert_eq!(owners[&(0, &RawPath::from("a"))].uid, 1000);
    }

    /// `of_rows` gives each merged row what `of_image` gives it (the last header of a path in
    /// its layer, a hard-linked file's shared metadata), and holds nothing else: not the
    /// entries a later layer hid, not the layers no row comes from.
    #[test]
    fn the_rows_of_a_view_get_what_the_whole_image_gives_them() {
        let a = crate::test_support::archive_of_layers(vec![
            vec![
                with(file("a", 6), 0o644, 5, &[]),
                with(file("hidden", 1), 0o600, 9, &[]),
            ],
            vec![
                with(file("hidden", 2), 0o640, 3, &[("user.x", "1")]),
                with(file("b", 6), 0o644, 0, &[]),
                with(
                    hardlink("c", "b"),
                    0o4755,
                    1000,
                    &[("security.capability", "x")],
                ),
                with(file("b", 7), 0o600, 2, &[]),
            ],
        ]);
        let Some(img) = a.images.first() else {
            panic!("no image")
        };
        let rows = union::merged(&a, img, 1);
        let whole = of_image(&a, img);
        let some = of_rows(&a, img, &rows);
        assert_eq!(some.len(), rows.len(), "{some:?}");
        for r in &rows {
            assert_eq!(
                some.get(&(r.layer, &r.path)),
                whole.get(&(r.layer, &r.path)),
                "{}",
                r.path
            );
        }
        assert_eq!(some[&(1, &RawPath::from("hidden"))].uid, 3);
        assert!(!some.contains_key(&(0, &RawPath::from("hidden"))));
    }

    #[test]
    fn a_link_to_a_symlink_or_fifo_shares_its_owner_and_settable_attributes() {
        let mut s = Entry {
            link_target: Some(RawPath::from("t")),
            ..entry("s", EntryKind::Symlink)
        };
        s.mode = 0o777;
        let entries = vec![
            s,
            with(
                hardlink("hs", "s"),
                0o600,
                9,
                &[("trusted.t", "w"), ("user.x", "v")],
            ),
            entry("p", EntryKind::Fifo),
            with(hardlink("hp", "p"), 0o640, 7, &[("user.x", "v")]),
        ];
        let m = of_layer(&entries);
        for name in ["s", "hs"] {
            let a = &m[&RawPath::from(name)];
            // No chmod of a symlink; no user.* attribute on it.
            assert_eq!((a.mode, a.uid), (0o777, 9), "{name}");
            assert_eq!(
                names(&a.xattrs),
                [("trusted.t".into(), "w".into())],
                "{name}"
            );
        }
        for name in ["p", "hp"] {
            let a = &m[&RawPath::from(name)];
            assert_eq!((a.mode, a.uid), (0o640, 7), "{name}");
            assert!(a.xattrs.is_empty(), "{name}");
        }
    }

    #[test]
    fn a_name_written_again_is_a_new_file_and_layers_without_links_cost_nothing() {
        let entries = vec![
            with(file("a", 6), 0o644, 0, &[]),
            with(hardlink("b", "a"), 0o755, 5, &[]),
            with(file("a", 2), 0o600, 9, &[]),
            dir("d"),
        ];
        let m = of_layer(&entries);
        // `b` keeps the first file, with its own header applied; the new `a` is alone.
        assert_eq!(m.keys().map(|p| p.to_string()).collect::<Vec<_>>(), ["b"]);
        assert_eq!(
            (m[&RawPath::from("b")].mode, m[&RawPath::from("b")].uid),
            (0o755, 5)
        );
        assert!(of_layer(&[file("a", 1), dir("d")]).is_empty());
        // A link to something that is not a file of this layer keeps its own header.
        assert!(of_layer(&[dir("d"), hardlink("l", "d"), hardlink("m", "gone")]).is_empty());
    }
}
