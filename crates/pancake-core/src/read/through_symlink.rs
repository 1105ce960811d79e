//! Where an entry of a layer lands when a folder on its path is a symlink made earlier in the
//! same layer.
//!
//! A layer is unpacked into a directory of its own that starts empty (containerd's snapshot,
//! Docker's overlay2 `diff` directory), resolving each entry's folder inside that root:
//! containerd's `fs.RootPath` follows symlinks as Linux does (`path_resolution(7)` with the
//! layer's root as `/`: an absolute target starts again at the root, `..` at the root stays
//! there) and creates the folder it lands in; moby's graph drivers unpack in a chroot, which
//! resolves the same way (but fails when that folder does not exist). So a member
//! `srv/escape/f` that comes after a symlink `srv/escape -> ../../../../../tmp` in the same
//! tar is written to `tmp/f`. Symlinks of lower layers are not followed (the layer's directory
//! does not hold them); over one, an upper folder hides the link, as overlayfs merges.
//!
//! [`LayerLinks`] keeps the symlinks the walk has met so far and places each later name.

use std::collections::BTreeMap;

use crate::analyze::lookup::MAX_SYMLINKS;
use crate::model::EntryKind;
use crate::path::{parent_bytes, RawPath};

/// Where a name lands (see [`LayerLinks::place`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Landing {
    /// Where it is named: no symlink of this layer is on its path.
    AsNamed,
    /// Through the symlink `link` (the first one on the way, with its `target` as written),
    /// at `at`.
    Through {
        /// The symlink's path.
        link: RawPath,
        /// Its target, as written.
        target: RawPath,
        /// Where the entry lands, normalized.
        at: RawPath,
    },
    /// More than [`MAX_SYMLINKS`] links on the way (a loop): unpacking fails on the entry
    /// (`below_non_folder` reports it, naming the link on its path).
    Loop,
}

/// The symlinks a layer's walk has met so far, by the path they were placed at, with their
/// targets as written; and the last folder placed, since a tar lists a folder's entries
/// together.
#[derive(Default)]
pub struct LayerLinks {
    links: BTreeMap<Vec<u8>, Vec<u8>>,
    last: Option<(Vec<u8>, Landing)>,
}

impl LayerLinks {
    /// Where the entry named `path` (normalized) lands, given the symlinks met before it.
    pub fn place(&mut self, path: &RawPath) -> Landing {
        if self.links.is_empty() {
            return Landing::AsNamed;
        }
        let dir = parent_bytes(path.as_bytes());
        let folder = match &self.last {
            Some((d, landing)) if d.as_slice() == dir => landing.clone(),
            _ => {
                let landing = self.resolve(dir);
                self.last = Some((dir.to_vec(), landing.clone()));
                landing
            }
        };
        match folder {
            Landing::Through { link, target, at } => Landing::Through {
                link,
                target,
                at: at.join(path.file_name()),
            },
            other => other,
        }
    }

    /// Notes what the entry placed at `at` is: a symlink is followed by later names, anything
    /// else replaces a symlink that was there (Docker removes what is in the way).
    pub fn record(&mut self, at: &RawPath, kind: EntryKind, target: &[u8]) {
        // Anything but a folder replaces what `at` held, its tree too: links below go.
        if kind != EntryKind::Dir && !self.links.is_empty() {
            let mut lo = at.as_bytes().to_vec();
            lo.push(b'/');
            let mut hi = at.as_bytes().to_vec();
            hi.push(b'/' + 1);
            let below: Vec<Vec<u8>> = self.links.range(lo..hi).map(|(k, _)| k.clone()).collect();
            if !below.is_empty() {
                self.last = None;
            }
            for k in below {
                self.links.remove(&k);
            }
        }
        let changed = if kind == EntryKind::Symlink {
            self.links
                .insert(at.as_bytes().to_vec(), target.to_vec())
                .as_deref()
                != Some(target)
        } else {
            !self.links.is_empty() && self.links.remove(at.as_bytes()).is_some()
        };
        if changed {
            self.last = None;
        }
    }

    /// Notes the hard link placed at `at` to the entry at `target` (placed): a hard link to
    /// a symlink of this layer is that symlink (Go's `os.Link` is `linkat` without
    /// `AT_SYMLINK_FOLLOW`, in moby and containerd alike), followed by later names as the
    /// symlink is; to anything else it is a non-directory, as [`LayerLinks::record`] notes.
    pub fn record_hard_link(&mut self, at: &RawPath, target: &RawPath) {
        match self.links.get(target.as_bytes()).cloned() {
            Some(link) => self.record(at, EntryKind::Symlink, &link),
            None => self.record(at, EntryKind::Hardlink, b""),
        }
    }

    /// Resolves the folder `dir` through this layer's symlinks.
    fn resolve(&self, dir: &[u8]) -> Landing {
        // Components still to walk, last first; a link's target is pushed in front of the rest.
        let mut todo: Vec<Vec<u8>> = dir
            .split(|b| *b == b'/')
            .rev()
            .map(<[u8]>::to_vec)
            .collect();
        let mut at: Vec<u8> = Vec::with_capacity(dir.len());
        let mut first: Option<(Vec<u8>, Vec<u8>)> = None;
        let mut followed = 0usize;
        while let Some(c) = todo.pop() {
            if !step(&mut at, &c) {
                continue;
            }
            let Some(target) = self.links.get(at.as_slice()) else {
                continue;
            };
            followed += 1;
            if followed > MAX_SYMLINKS {
                return Landing::Loop;
            }
            if first.is_none() {
                first = Some((at.clone(), target.clone()));
            }
            at.truncate(parent_bytes(&at).len());
            if target.first() == Some(&b'/') {
                at.clear();
            }
            todo.extend(target.split(|b| *b == b'/').rev().map(<[u8]>::to_vec));
        }
        match first {
            None => Landing::AsNamed,
            Some((link, target)) => Landing::Through {
                link: RawPath::from_bytes(link),
                target: RawPath::from_bytes(target),
                at: RawPath::from_bytes(at),
            },
        }
    }
}

/// Where the symlink at `path` points with its target `target` resolved lexically inside the
/// root (`..` at the root stays there), when the target climbs above the root from the link's
/// folder: what the link names inside a container, which a tool unpacking the layer outside a
/// root would instead follow out of it. `None` when the target stays inside (absolute targets
/// count as inside: they start again at the image's root, the usual `/usr/bin/env`).
pub fn climbs_above_root(path: &RawPath, target: &[u8]) -> Option<RawPath> {
    if target.first() == Some(&b'/') || !path.parent().escapes_with(target) {
        return None;
    }
    let mut at = path.parent().as_bytes().to_vec();
    for c in target.split(|b| *b == b'/') {
        step(&mut at, c);
    }
    Some(RawPath::from_bytes(at))
}

/// Walks one component `c` of a path from the folder `at` (bytes, normalized, empty at the
/// root), lexically: `.` and empty stay, `..` goes up (staying at the root), a name goes
/// down. True when it went down to a name (which may be a link to follow).
fn step(at: &mut Vec<u8>, c: &[u8]) -> bool {
    match c {
        b"" | b"." => false,
        b".." => {
            at.truncate(parent_bytes(at).len());
            false
        }
        name => {
            if !at.is_empty() {
                at.push(b'/');
            }
            at.extend_from_slice(name);
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(entries: &[(&str, EntryKind, &str)]) -> Vec<(String, Landing)> {
        let mut links = LayerLinks::default();
        entries
            .iter()
            .map(|(name, kind, target)| {
                let path = RawPath::from(*name);
                let landing = links.place(&path);
                let at = match &landing {
                    Landing::Through { at, .. } => at.clone(),
                    _ => path.clone(),
                };
                links.record(&at, *kind, target.as_bytes());
                (at.to_string(), landing)
            })
            .collect()
    }

    #[test]
    fn a_name_below_a_link_of_the_same_layer_lands_where_the_link_points() {
        use EntryKind::*;
        let got = walk(&[
            ("srv", Dir, ""),
            ("srv/escape", Symlink, "../../../../../tmp"),
            ("srv/escape/pwned.txt", File, ""),
            ("srv/ok.txt", File, ""),
            ("lib", Symlink, "usr/lib"),
            ("lib/x86/libc.so", File, ""),
            ("abs", Symlink, "/etc"),
            ("abs/passwd", File, ""),
            ("chain", Symlink, "lib"),
            ("chain/deeper/f", File, ""),
        ]);
        let at: Vec<&str> = got.iter().map(|(a, _)| a.as_str()).collect();
        assert_eq!(
            at,
            [
                "srv",
                "srv/escape",
                "tmp/pwned.txt",
                "srv/ok.txt",
                "lib",
                "usr/lib/x86/libc.so",
                "abs",
                "etc/passwd",
                "chain",
                "usr/lib/deeper/f",
            ]
        );
        assert_eq!(
            got[2].1,
            Landing::Through {
                link: RawPath::from("srv/escape"),
                target: RawPath::from_bytes(b"../../../../../tmp".to_vec()),
                at: RawPath::from("tmp/pwned.txt"),
            }
        );
        // The chain names the first link it met.
        assert!(matches!(&got[9].1, Landing::Through { link, .. } if link.as_bytes() == b"chain"));
    }

    #[test]
    fn a_link_replaced_by_a_folder_is_no_longer_followed() {
        use EntryKind::*;
        let got = walk(&[
            ("a", Symlink, "b"),
            ("a/one", File, ""),
            ("a", Dir, ""),
            ("a/two", File, ""),
        ]);
        assert_eq!(got[1].0, "b/one");
        assert_eq!(got[3].0, "a/two");
        assert_eq!(got[3].1, Landing::AsNamed);
    }

    #[test]
    fn a_loop_is_said_and_the_name_kept() {
        use EntryKind::*;
        let got = walk(&[("a", Symlink, "b"), ("b", Symlink, "a"), ("a/f", File, "")]);
        assert_eq!(got[2].0, "a/f");
        assert!(matches!(&got[2].1, Landing::Loop));
    }

    #[test]
    fn climbing_targets_are_resolved_inside_the_root() {
        let p = RawPath::from("srv/escape");
        assert_eq!(
            climbs_above_root(&p, b"../../../../../tmp"),
            Some(RawPath::from("tmp"))
        );
        assert_eq!(climbs_above_root(&p, b"../tmp"), None);
        assert_eq!(climbs_above_root(&p, b"/tmp"), None);
        assert_eq!(
            climbs_above_root(&RawPath::from("top"), b"../x"),
            Some(RawPath::from("x"))
        );
    }

    #[test]
    fn a_file_over_a_folder_takes_the_links_below_it_away() {
        use EntryKind::*;
        let got = walk(&[
            ("a", Dir, ""),
            ("a/l", Symlink, "tgt"),
            ("a", File, ""),
            ("a", Dir, ""),
            ("a/l/x", File, ""),
        ]);
        assert_eq!(
            got.last().map(|(p, l)| (p.as_str(), l)),
            Some(("a/l/x", &Landing::AsNamed))
        );
    }
}
