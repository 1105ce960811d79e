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

/// The longest symlink target Linux creates, in bytes (`PATH_MAX` less the NUL): `symlink(2)`
/// refuses a longer one with `ENAMETOOLONG`, so unpacking fails on it and no later name is
/// written through it.
pub const MAX_LINK_TARGET: usize = 4095;

/// Path components [`LayerLinks`] may walk for a layer (each also charged a step per 32
/// bytes of the path it looks up): this many, plus [`STEPS_PER_NAME`] for each name placed. A name written through a link of its own layer
/// takes a few (`lib -> usr/lib`); a hostile layer (a loop of links whose targets are
/// thousands of `x/../`, then names in ever new folders below it) took hundreds of thousands
/// per name, minutes for a 16 KB file. Past the budget, later names are placed as named and
/// the walk says so ([`LayerLinks::exhausted`]).
const STEPS_BASE: u64 = 1 << 20;
/// See [`STEPS_BASE`].
const STEPS_PER_NAME: u64 = 64;

/// The symlinks a layer's walk has met so far, by the path they were placed at, with their
/// targets as written; and the last folder placed, since a tar lists a folder's entries
/// together.
#[derive(Default)]
pub struct LayerLinks {
    links: BTreeMap<Vec<u8>, Vec<u8>>,
    last: Option<(Vec<u8>, Landing)>,
    /// Names placed, and path components walked to resolve their folders ([`STEPS_BASE`]).
    placed: u64,
    steps: u64,
    /// The name placed as named because the budget of steps was spent, the first one.
    exhausted: Option<RawPath>,
}

impl LayerLinks {
    /// Where the entry named `path` (normalized) lands, given the symlinks met before it.
    pub fn place(&mut self, path: &RawPath) -> Landing {
        self.placed = self.placed.saturating_add(1);
        if self.links.is_empty() {
            return Landing::AsNamed;
        }
        let dir = parent_bytes(path.as_bytes());
        let folder = match &self.last {
            Some((d, landing)) if d.as_slice() == dir => landing.clone(),
            _ => {
                let budget = STEPS_BASE.saturating_add(self.placed.saturating_mul(STEPS_PER_NAME));
                let Some(landing) = self.resolve(dir, budget) else {
                    self.exhausted.get_or_insert_with(|| path.clone());
                    return Landing::AsNamed;
                };
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

    /// The first name placed as named because resolving the folders of this layer's names
    /// through its symlinks took more steps than the budget allows ([`STEPS_BASE`]); from it
    /// on, names are placed as named.
    pub fn exhausted(&self) -> Option<&RawPath> {
        self.exhausted.as_ref()
    }

    /// Notes what the entry placed at `at` is: a symlink is followed by later names, anything
    /// else replaces a symlink that was there (Docker removes what is in the way). A symlink
    /// whose target is over [`MAX_LINK_TARGET`] is never created, so it is followed by none.
    pub fn record(&mut self, at: &RawPath, kind: EntryKind, target: &[u8]) {
        let kind = if kind == EntryKind::Symlink && target.len() > MAX_LINK_TARGET {
            EntryKind::Other
        } else {
            kind
        };
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

    /// Resolves the folder `dir` through this layer's symlinks; `None` once the steps walked
    /// for the layer pass `budget`.
    fn resolve(&mut self, dir: &[u8], budget: u64) -> Option<Landing> {
        let links = &self.links;
        let mut steps = self.steps;
        // Paths still to walk, the one walked next last, each a component at a time (a link's
        // target goes on top): nothing is copied per component, so a step costs the same
        // whatever the targets' lengths.
        let mut todo: Vec<&[u8]> = vec![dir];
        let mut at: Vec<u8> = Vec::with_capacity(dir.len());
        let mut first: Option<(Vec<u8>, Vec<u8>)> = None;
        let mut followed = 0usize;
        while let Some(rest) = todo.last_mut() {
            if rest.is_empty() {
                todo.pop();
                continue;
            }
            let (c, tail) = match rest.iter().position(|b| *b == b'/') {
                Some(i) => (
                    rest.get(..i).unwrap_or(&[]),
                    rest.get(i + 1..).unwrap_or(&[]),
                ),
                None => (*rest, &[][..]),
            };
            *rest = tail;
            steps = steps.saturating_add(1);
            if steps > budget {
                self.steps = steps;
                return None;
            }
            if !step(&mut at, c) {
                continue;
            }
            // A look-up compares `at` with the keys on its way: a long path costs more (a
            // 100 KB folder name made each of a few hundred thousand steps cost a scan of it).
            steps = steps.saturating_add(at.len() as u64 / 32);
            if steps > budget {
                self.steps = steps;
                return None;
            }
            let Some(target) = links.get(at.as_slice()) else {
                continue;
            };
            followed += 1;
            if followed > MAX_SYMLINKS {
                self.steps = steps;
                return Some(Landing::Loop);
            }
            if first.is_none() {
                first = Some((at.clone(), target.clone()));
            }
            at.truncate(parent_bytes(&at).len());
            if target.first() == Some(&b'/') {
                at.clear();
            }
            todo.push(target.as_slice());
        }
        self.steps = steps;
        Some(match first {
            None => Landing::AsNamed,
            Some((link, target)) => Landing::Through {
                link: RawPath::from_bytes(link),
                target: RawPath::from_bytes(target),
                at: RawPath::from_bytes(at),
            },
        })
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

    /// A target longer than Linux creates is no link for later names.
    #[test]
    fn a_target_over_path_max_is_not_followed() {
        use EntryKind::*;
        let long = format!("{}usr", "./".repeat(2100));
        let got = walk(&[
            ("usr", Dir, ""),
            ("lib", Symlink, &long),
            ("lib/x", File, ""),
        ]);
        assert_eq!(
            got.last().map(|(p, l)| (p.as_str(), l)),
            Some(("lib/x", &Landing::AsNamed))
        );
        let fits = format!("{}usr", "./".repeat(2000));
        let got = walk(&[
            ("usr", Dir, ""),
            ("lib", Symlink, &fits),
            ("lib/x", File, ""),
        ]);
        assert_eq!(got.last().map(|(p, _)| p.as_str()), Some("usr/x"));
    }

    /// A loop of links whose targets are thousands of components, then names in ever new
    /// folders below it: the steps walked stay within the budget, the first name past it is
    /// kept, and the names after it are placed as named.
    #[test]
    fn a_loop_of_long_targets_is_walked_within_the_budget() {
        let target = format!("{}s", "x/../".repeat(818));
        let mut links = LayerLinks::default();
        links.record(&RawPath::from("s"), EntryKind::Symlink, target.as_bytes());
        let names = 50_000u64;
        let mut looped = 0;
        for k in 0..names {
            if links.place(&RawPath::from(format!("s/d{k}/f").as_str())) == Landing::Loop {
                looped += 1;
            }
        }
        assert!(
            links.steps <= STEPS_BASE + STEPS_PER_NAME * (names + 1),
            "{}",
            links.steps
        );
        // Each loop takes 41 links of ~1,640 steps: the budget (2^20, and 64 a name) holds 16.
        assert_eq!(looped, 16);
        assert_eq!(links.exhausted(), Some(&RawPath::from("s/d16/f")));
        // A layer of ordinary links never comes near it.
        let mut usual = LayerLinks::default();
        usual.record(&RawPath::from("lib"), EntryKind::Symlink, b"usr/lib");
        for k in 0..50_000 {
            let at = usual.place(&RawPath::from(format!("lib/d{k}/f").as_str()));
            assert!(matches!(at, Landing::Through { .. }));
        }
        assert_eq!(usual.exhausted(), None);
    }
}
