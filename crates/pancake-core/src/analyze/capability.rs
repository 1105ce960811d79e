//! File capabilities: the `security.capability` extended attribute (what `setcap` writes),
//! read as the kernel stores it (`struct vfs_cap_data` / `vfs_ns_cap_data`,
//! `include/uapi/linux/capability.h`) and written as text the way `getcap` prints it (libcap's
//! `cap_to_text`, `libcap/cap_text.c`).
//!
//! The value: a little-endian `magic_etc` word — the revision in its top byte
//! (`VFS_CAP_REVISION_1` 0x01000000: one pair of words, 12 bytes in all; `_2` 0x02000000: two
//! pairs, 20 bytes; `_3` 0x03000000: two pairs and a `rootid` word, 24 bytes) and the flag
//! `VFS_CAP_FLAGS_EFFECTIVE` 0x000001 in its low bits — then per 32 capabilities a
//! little-endian `permitted` word and an `inheritable` word. With the effective flag, the
//! effective set is permitted | inheritable (libcap's `_fcaps_load`); without it, empty.

use crate::model::{xattr_text, Xattr};

/// The name of the extended attribute that holds a file's capabilities.
pub const XATTR_NAME: &[u8] = b"security.capability";

const REVISION_MASK: u32 = 0xFF00_0000;
#[cfg(test)]
const REVISION_1: u32 = 0x0100_0000;
const REVISION_2: u32 = 0x0200_0000;
const REVISION_3: u32 = 0x0300_0000;
const FLAGS_EFFECTIVE: u32 = 0x0000_0001;

/// libcap's names of capabilities 0 to 40 (`cap_chown` … `cap_checkpoint_restore`), the
/// kernel's `CAP_*` numbers; a higher number is written in decimal, as libcap writes one it
/// has no name for.
pub const NAMES: [&str; 41] = [
    "cap_chown",
    "cap_dac_override",
    "cap_dac_read_search",
    "cap_fowner",
    "cap_fsetid",
    "cap_kill",
    "cap_setgid",
    "cap_setuid",
    "cap_setpcap",
    "cap_linux_immutable",
    "cap_net_bind_service",
    "cap_net_broadcast",
    "cap_net_admin",
    "cap_net_raw",
    "cap_ipc_lock",
    "cap_ipc_owner",
    "cap_sys_module",
    "cap_sys_rawio",
    "cap_sys_chroot",
    "cap_sys_ptrace",
    "cap_sys_pacct",
    "cap_sys_admin",
    "cap_sys_boot",
    "cap_sys_nice",
    "cap_sys_resource",
    "cap_sys_time",
    "cap_sys_tty_config",
    "cap_mknod",
    "cap_lease",
    "cap_audit_write",
    "cap_audit_control",
    "cap_setfcap",
    "cap_mac_override",
    "cap_mac_admin",
    "cap_syslog",
    "cap_wake_alarm",
    "cap_block_suspend",
    "cap_audit_read",
    "cap_perfmon",
    "cap_bpf",
    "cap_checkpoint_restore",
];

/// A file's capabilities as a `security.capability` value gives them: bit `n` of a set is
/// capability `n`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileCaps {
    /// The permitted set.
    pub permitted: u64,
    /// The inheritable set.
    pub inheritable: u64,
    /// `VFS_CAP_FLAGS_EFFECTIVE`: the effective set is permitted | inheritable when true,
    /// empty when false.
    pub effective: bool,
    /// Revision 3 only: the user namespace's root uid the capabilities apply to.
    pub rootid: Option<u32>,
}

fn le32(value: &[u8], at: usize) -> Option<u32> {
    let b: [u8; 4] = value.get(at..at + 4)?.try_into().ok()?;
    Some(u32::from_le_bytes(b))
}

/// Whether the kernel sets this `security.capability` value: a revision 2 value of 20 bytes
/// or a revision 3 value of 24 (`security/commoncap.c`, `cap_convert_nscap` →
/// `validheader`; any other value, revision 1 included, fails with `EINVAL`, and so does the
/// `setxattr` unpacking makes, which fails `docker load`).
pub fn settable(value: &[u8]) -> bool {
    match le32(value, 0).map(|m| m & REVISION_MASK) {
        Some(REVISION_2) => value.len() == 20,
        Some(REVISION_3) => value.len() == 24,
        _ => false,
    }
}

/// Reads a `security.capability` value the kernel would set ([`settable`]); `None` for any
/// other (a revision 1 value too: the kernel refuses it on `setxattr`, so no unpacked file
/// has it, and it is shown as its bytes rather than as capabilities it cannot give).
pub fn parse(value: &[u8]) -> Option<FileCaps> {
    if !settable(value) {
        return None;
    }
    let magic = le32(value, 0)?;
    let (words, len) = match magic & REVISION_MASK {
        REVISION_2 => (2, 20),
        REVISION_3 => (2, 24),
        _ => return None,
    };
    if value.len() != len {
        return None;
    }
    let mut caps = FileCaps {
        effective: magic & FLAGS_EFFECTIVE != 0,
        ..FileCaps::default()
    };
    for w in 0..words {
        let shift = 32 * w;
        caps.permitted |= u64::from(le32(value, 4 + 8 * w)?) << shift;
        caps.inheritable |= u64::from(le32(value, 8 + 8 * w)?) << shift;
    }
    if magic & REVISION_MASK == REVISION_3 {
        caps.rootid = Some(le32(value, 20)?);
    }
    Some(caps)
}

// libcap's flag bits of one capability's state, which also order its clauses.
const EFF: u8 = 1;
const INH: u8 = 2;
const PER: u8 = 4;

fn flag_letters(f: u8) -> String {
    [(EFF, 'e'), (INH, 'i'), (PER, 'p')]
        .iter()
        .filter(|(b, _)| f & b != 0)
        .map(|(_, c)| *c)
        .collect()
}

fn name(n: usize) -> String {
    NAMES
        .get(n)
        .map_or_else(|| n.to_string(), |s| (*s).to_string())
}

impl FileCaps {
    fn state(&self, n: usize) -> u8 {
        let bit = |set: u64| n < 64 && set >> n & 1 != 0;
        let mut f = 0;
        if bit(self.permitted) {
            f |= PER;
        }
        if bit(self.inheritable) {
            f |= INH;
        }
        if self.effective && (bit(self.permitted) || bit(self.inheritable)) {
            f |= EFF;
        }
        f
    }

    /// The capabilities as `getcap` prints them (libcap 2.4x `cap_to_text`, with the 41
    /// named capabilities as the kernel's known ones): the most common state of the named
    /// capabilities is the base clause (`=`, `=ep` ...), every other state a clause of the
    /// names in it (`cap_net_raw=ep`, `cap_chown,cap_kill+p`, `cap_setuid-e`); numbers 41 to
    /// 63 last, in `+` clauses. A `rootid` (revision 3) is added as getcap adds it:
    /// ` [rootid=N]`.
    pub fn to_text(&self) -> String {
        const NAMED: usize = NAMES.len();
        let mut histo = [0usize; 8];
        for n in 0..NAMED {
            if let Some(h) = histo.get_mut(usize::from(self.state(n))) {
                *h += 1;
            }
        }
        // The most common state, the lowest on a tie (libcap prefers "all lowered").
        let mut m = 7usize;
        for t in (0..7).rev() {
            if histo.get(t) >= histo.get(m) {
                m = t;
            }
        }
        let mut out = format!("={}", flag_letters(m as u8));
        // libcap's special case: an all-lowered base followed by a clause reads
        // "names=flags" rather than "= names+flags".
        let mut drop_base = false;
        for t in (0..8usize).rev() {
            if t == m || histo.get(t).copied().unwrap_or(0) == 0 {
                continue;
            }
            let names: Vec<String> = (0..NAMED)
                .filter(|n| usize::from(self.state(*n)) == t)
                .map(name)
                .collect();
            out.push(' ');
            out.push_str(&names.join(","));
            let raise = (t & !m) as u8;
            if raise != 0 {
                let op = if m == 0 && !drop_base && out.starts_with("= ") {
                    drop_base = true;
                    '='
                } else {
                    '+'
                };
                out.push(op);
                out.push_str(&flag_letters(raise));
            }
            let lower = (!t & m) as u8;
            if lower != 0 {
                out.push('-');
                out.push_str(&flag_letters(lower));
            }
        }
        if drop_base {
            out.replace_range(..2, "");
        }
        for t in (1..8u8).rev() {
            let numbers: Vec<String> = (NAMED..64)
                .filter(|n| self.state(*n) == t)
                .map(|n| n.to_string())
                .collect();
            if numbers.is_empty() {
                continue;
            }
            out.push(' ');
            out.push_str(&numbers.join(","));
            out.push('+');
            out.push_str(&flag_letters(t));
        }
        if let Some(r) = self.rootid.filter(|r| *r != 0) {
            out.push_str(&format!(" [rootid={r}]"));
        }
        out
    }
}

/// A `security.capability` value as `getcap` text, or, when it is not a valid one, its bytes
/// as [`xattr_text`] shows them (`hex:...`).
pub fn value_text(value: &[u8]) -> String {
    parse(value).map_or_else(|| xattr_text(value), |c| c.to_text())
}

/// An attribute's value for a person: the capability text for `security.capability`, else
/// the value as [`xattr_text`] shows it.
pub fn shown(x: &Xattr) -> String {
    if x.name == XATTR_NAME {
        value_text(&x.value)
    } else {
        xattr_text(&x.value)
    }
}

/// One attribute in a few words for a listing: its name, then its value as [`shown`] gives it
/// when that is at most `max` characters and not empty, else its size (`user.blob (4096
/// bytes)`).
pub fn brief(x: &Xattr, max: usize) -> String {
    let name = xattr_text(&x.name);
    let value = shown(x);
    if !value.is_empty() && value.chars().count() <= max {
        format!("{name} {value}")
    } else {
        format!("{name} ({} bytes)", x.value.len())
    }
}

/// The capability text of the first `security.capability` among `xattrs`, if any.
pub fn of(xattrs: &[Xattr]) -> Option<String> {
    xattrs
        .iter()
        .find(|x| x.name == XATTR_NAME)
        .map(|x| value_text(&x.value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v2(magic_low: u32, p: u64, i: u64) -> Vec<u8> {
        let mut v = (REVISION_2 | magic_low).to_le_bytes().to_vec();
        for w in 0..2 {
            v.extend_from_slice(&((p >> (32 * w)) as u32).to_le_bytes());
            v.extend_from_slice(&((i >> (32 * w)) as u32).to_le_bytes());
        }
        v
    }

    #[test]
    fn setcap_net_raw_ep_reads_as_getcap_prints_it() {
        let raw = [
            0x01, 0, 0, 0x02, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ];
        let caps = parse(&raw).expect("a v2 value");
        assert_eq!(caps.permitted, 1 << 13);
        assert!(caps.effective);
        assert_eq!(caps.to_text(), "cap_net_raw=ep");
        assert_eq!(value_text(&raw), "cap_net_raw=ep");
    }

    #[test]
    fn clauses_follow_libcap() {
        // Two capabilities, permitted and effective.
        let two = v2(1, 1 << 10 | 1 << 12, 0);
        assert_eq!(value_text(&two), "cap_net_bind_service,cap_net_admin=ep");
        // Permitted only (no effective flag); and one inheritable besides.
        assert_eq!(value_text(&v2(0, 1 << 13, 0)), "cap_net_raw=p");
        assert_eq!(value_text(&v2(0, 1 << 13, 1)), "cap_net_raw=p cap_chown+i");
        // Nearly all: the base clause is the common state, the rest lowered from it.
        let all = (1u64 << 41) - 1;
        assert_eq!(value_text(&v2(1, all, 0)), "=ep");
        assert_eq!(
            value_text(&v2(1, all & !(1 << 21), 0)),
            "=ep cap_sys_admin-ep"
        );
        // No capability at all.
        assert_eq!(value_text(&v2(0, 0, 0)), "=");
        // A number with no name comes last, in decimal.
        assert_eq!(
            value_text(&v2(1, 1 << 13 | 1 << 45, 0)),
            "cap_net_raw=ep 45+ep"
        );
    }

    #[test]
    fn revisions_1_and_3() {
        let mut v1 = (REVISION_1 | 1).to_le_bytes().to_vec();
        v1.extend_from_slice(&(1u32 << 7).to_le_bytes());
        v1.extend_from_slice(&0u32.to_le_bytes());
        // Revision 1 is refused by the kernel (`validheader`): shown as its bytes.
        assert!(!settable(&v1));
        assert!(
            value_text(&v1).starts_with("hex:01000001"),
            "{}",
            value_text(&v1)
        );
        let mut v3 = v2(1, 1 << 13, 0);
        if let Some(b) = v3.get_mut(3) {
            *b = 3;
        }
        v3.extend_from_slice(&1000u32.to_le_bytes());
        assert_eq!(value_text(&v3), "cap_net_raw=ep [rootid=1000]");
    }

    #[test]
    fn a_malformed_value_is_shown_as_its_bytes() {
        // Wrong length for its revision, unknown revision, too short to hold a magic.
        let mut long = v2(1, 1 << 13, 0);
        long.push(0);
        assert_eq!(parse(&long), None);
        assert!(value_text(&long).starts_with("hex:01000002"));
        assert_eq!(value_text(&[9, 9, 9, 9]), "hex:09090909");
        assert_eq!(value_text(&[1, 0]), "hex:0100");
        assert_eq!(value_text(&[]), "");
        let other = Xattr {
            name: b"user.note".to_vec(),
            value: b"hello".to_vec(),
        };
        assert_eq!(shown(&other), "hello");
    }
}
