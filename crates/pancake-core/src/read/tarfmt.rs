//! The tar header formats, decoded the way Go's `archive/tar` decodes them (Docker extracts
//! layers with it, so what Go reads is what a container sees): V7, USTAR/PAX, star and GNU
//! headers, octal and base-256 numbers, PAX records and the GNU sparse maps (old GNU `S`
//! headers, PAX 0.0/0.1/1.0). Pure functions over bytes; the walk that reads blocks and keeps
//! state between headers is in [`crate::read::layer`].
//!
//! References: Go `src/archive/tar/{reader,format,strconv,common}.go`; POSIX pax(1)
//! "pax Header Block" and "pax Extended Header"; GNU tar manual, "Sparse Formats".

use std::collections::BTreeMap;

use crate::byte_words;

/// Size of one tar block, in bytes.
pub const BLOCK: usize = 512;

/// `ustar\0` + `00`: POSIX ustar and pax.
const MAGIC_USTAR: &[u8] = b"ustar\0";
/// `ustar ` + ` \0`: GNU tar (the "old GNU" format).
const MAGIC_GNU: &[u8] = b"ustar ";
const VERSION_GNU: &[u8] = b" \0";
/// star's trailer at byte 508.
const TRAILER_STAR: &[u8] = b"tar\0";

/// Typeflags (POSIX, GNU and pax).
pub mod flag {
    /// Regular file.
    pub const REG: u8 = b'0';
    /// V7 regular file (a directory when the name ends in `/`).
    pub const REG_A: u8 = 0;
    /// Hard link to an earlier member (`linkname`).
    pub const LINK: u8 = b'1';
    /// Symbolic link (`linkname`).
    pub const SYMLINK: u8 = b'2';
    /// Character device.
    pub const CHAR: u8 = b'3';
    /// Block device.
    pub const BLOCK: u8 = b'4';
    /// Directory.
    pub const DIR: u8 = b'5';
    /// FIFO.
    pub const FIFO: u8 = b'6';
    /// Contiguous file (read as a regular file, as Go does).
    pub const CONT: u8 = b'7';
    /// PAX extended header for the next member.
    pub const PAX: u8 = b'x';
    /// PAX global extended header.
    pub const PAX_GLOBAL: u8 = b'g';
    /// GNU: the next member's name is this member's data.
    pub const GNU_LONG_NAME: u8 = b'L';
    /// GNU: the next member's link target is this member's data.
    pub const GNU_LONG_LINK: u8 = b'K';
    /// Old GNU sparse file.
    pub const GNU_SPARSE: u8 = b'S';
}

/// Whether Docker's and containerd's layer unpacking create a member of this (final)
/// typeflag: moby's `archive.createTarFile` and containerd's `archive.createTarFile` handle
/// directories, regular files (`0`, and the old NUL type), hard links, symlinks, character
/// and block devices and FIFOs (and skip PAX global headers, never a member here); every
/// other type fails the unpacking with "unhandled tar header type N", so `docker load` or a
/// pull of the layer fails. That includes types Go's reader reads as regular files: the
/// contiguous `7` and the old-GNU sparse `S`.
pub fn docker_unpacks(typeflag: u8) -> bool {
    matches!(
        typeflag,
        flag::REG
            | flag::REG_A
            | flag::LINK
            | flag::SYMLINK
            | flag::CHAR
            | flag::BLOCK
            | flag::DIR
            | flag::FIFO
    )
}

/// Types that never have data, whatever their size field says (Go's `isHeaderOnlyType`).
pub fn is_header_only(typeflag: u8) -> bool {
    matches!(
        typeflag,
        flag::LINK | flag::SYMLINK | flag::CHAR | flag::BLOCK | flag::DIR | flag::FIFO
    )
}

/// Which header layout a block has, from its magic (Go's `getFormat`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Plain V7: no magic.
    V7,
    /// USTAR or PAX (same header layout).
    Ustar,
    /// star (Schily tar): ustar magic with `tar\0` at byte 508.
    Star,
    /// GNU tar's old format (`ustar ` + ` \0`).
    Gnu,
}

/// Why a header block was refused (each one is Go's `ErrHeader`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeaderError {
    /// The checksum field is not octal or matches neither the unsigned nor the signed sum.
    Checksum {
        /// The checksum field's value, `None` when it is not octal.
        stored: Option<i64>,
        /// The unsigned sum of the header's bytes, the checksum field counted as spaces.
        unsigned: i64,
    },
    /// A numeric field (named) is neither octal nor base-256, or overflows 63 bits.
    Numeric(&'static str),
}

impl HeaderError {
    /// Plain words for a problem message.
    pub fn describe(&self) -> String {
        match self {
            HeaderError::Checksum {
                stored: Some(s),
                unsigned,
            } => format!(
                "the header checksum says {s} but the header bytes add up to {unsigned} (not a tar header, or damaged)"
            ),
            HeaderError::Checksum {
                stored: None,
                unsigned,
            } => format!(
                "the header checksum field is not an octal number (the header bytes add up to {unsigned}; not a tar header, or damaged)"
            ),
            HeaderError::Numeric(field) => format!(
                "the header's {field} field is not a number Go's archive/tar reads (neither octal nor base-256, or over 2^63 − 1)"
            ),
        }
    }
}

/// One header block, decoded. Names are raw bytes (cut at the first NUL), the ustar/star
/// `prefix` already joined to `name` with `/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// The type flag byte (see [`flag`]).
    pub typeflag: u8,
    /// The member's name (`prefix/name`), raw bytes up to the first NUL.
    pub name: Vec<u8>,
    /// `linkname`: a link's target, raw bytes up to the first NUL.
    pub link: Vec<u8>,
    /// Bytes of data that follow (for most types), may be negative in base-256.
    pub size: i64,
    /// `mode` field as stored (may hold file-type bits besides the permissions).
    pub mode: i64,
    /// Owner user id.
    pub uid: i64,
    /// Owner group id.
    pub gid: i64,
    /// Seconds since the Unix epoch.
    pub mtime: i64,
    /// The header layout, from its magic.
    pub format: Format,
}

fn field(b: &[u8; BLOCK], start: usize, len: usize) -> &[u8] {
    b.get(start..start + len).unwrap_or(&[])
}

/// Bytes up to the first NUL (all of them when there is none): Go's `parseString`.
pub fn c_string(b: &[u8]) -> &[u8] {
    match b.iter().position(|c| *c == 0) {
        Some(i) => b.get(..i).unwrap_or(&[]),
        None => b,
    }
}

fn trim_nul_space(mut b: &[u8]) -> &[u8] {
    while let Some((first, rest)) = b.split_first() {
        if *first == b' ' || *first == 0 {
            b = rest;
        } else {
            break;
        }
    }
    while let Some((last, rest)) = b.split_last() {
        if *last == b' ' || *last == 0 {
            b = rest;
        } else {
            break;
        }
    }
    b
}

/// An octal field: leading and trailing spaces and NULs ignored, then the digits up to the
/// first NUL; empty is 0. `None` when it is not octal or overflows 64 bits. Values of 2^63
/// and up wrap to negative, as Go's `int64(x)` does.
pub fn parse_octal(b: &[u8]) -> Option<i64> {
    let t = trim_nul_space(b);
    if t.is_empty() {
        return Some(0);
    }
    let s = c_string(t);
    // Go's ParseUint: digits only (no sign), and a value over 64 bits is an error. Summed
    // here digit by digit (five fields of every header: this is hot in a walk).
    if s.is_empty() {
        return None;
    }
    let mut x: u64 = 0;
    for c in s {
        let d = c.wrapping_sub(b'0');
        if d > 7 {
            return None;
        }
        x = x.checked_mul(8)?.checked_add(u64::from(d))?;
    }
    Some(x as i64)
}

/// A numeric field: base-256 (two's complement, big-endian, first bit set) or octal.
/// `None` on a malformed or overflowing value (Go's `parseNumeric`).
pub fn parse_numeric(b: &[u8]) -> Option<i64> {
    let Some(first) = b.first() else {
        return Some(0);
    };
    if first & 0x80 == 0 {
        return parse_octal(b);
    }
    // Negative numbers: invert every byte and read the value as unsigned (-a-1 == !a).
    let inv: u8 = if first & 0x40 != 0 { 0xff } else { 0 };
    let mut x: u64 = 0;
    for (i, c) in b.iter().enumerate() {
        let mut c = c ^ inv;
        if i == 0 {
            c &= 0x7f;
        }
        if x >> 56 > 0 {
            return None;
        }
        x = x << 8 | u64::from(c);
    }
    if x >> 63 > 0 {
        return None;
    }
    let v = i64::try_from(x).ok()?;
    Some(if inv == 0xff { !v } else { v })
}

/// Unsigned and signed byte sums of a header with its checksum field taken as spaces.
///
/// Every byte is summed in one pass, then the checksum field's eight bytes are taken back out
/// and counted as spaces: this runs once per header, so a layer of a million empty files
/// spends a tenth of its time here otherwise ([`crate::byte_words`]: eight bytes at a time).
fn checksums(b: &[u8; BLOCK]) -> (i64, i64) {
    let (all_unsigned, all_signed) = byte_words::sums(b);
    let (field_unsigned, field_signed) = byte_words::sums(field(b, 148, 8));
    let spaces = 8 * i64::from(b' ');
    (
        all_unsigned - field_unsigned + spaces,
        all_signed - field_signed + spaces,
    )
}

/// The format of a header block, or why it is not one (a bad checksum).
pub fn format_of(b: &[u8; BLOCK]) -> Result<Format, HeaderError> {
    let stored = parse_octal(field(b, 148, 8));
    let (unsigned, signed) = checksums(b);
    match stored {
        Some(s) if s == unsigned || s == signed => {}
        _ => return Err(HeaderError::Checksum { stored, unsigned }),
    }
    let magic = field(b, 257, 6);
    let version = field(b, 263, 2);
    let trailer = field(b, 508, 4);
    Ok(if magic == MAGIC_USTAR && trailer == TRAILER_STAR {
        Format::Star
    } else if magic == MAGIC_USTAR {
        Format::Ustar
    } else if magic == MAGIC_GNU && version == VERSION_GNU {
        Format::Gnu
    } else {
        Format::V7
    })
}

/// Decodes one (non-zero) header block as Go's `readHeader` does.
pub fn parse_header(b: &[u8; BLOCK]) -> Result<Header, HeaderError> {
    let format = format_of(b)?;
    let num = |start: usize, len: usize, name: &'static str| {
        parse_numeric(field(b, start, len)).ok_or(HeaderError::Numeric(name))
    };
    let typeflag = b.get(156).copied().unwrap_or(0);
    let mut name = c_string(field(b, 0, 100)).to_vec();
    let link = c_string(field(b, 157, 100)).to_vec();
    let size = num(124, 12, "size")?;
    let mode = num(100, 8, "mode")?;
    let uid = num(108, 8, "uid")?;
    let gid = num(116, 8, "gid")?;
    let mtime = num(136, 12, "mtime")?;
    if format != Format::V7 {
        num(329, 8, "devmajor")?;
        num(337, 8, "devminor")?;
        let prefix: &[u8] = match format {
            Format::Ustar => c_string(field(b, 345, 155)),
            Format::Star => {
                num(476, 12, "atime")?;
                num(488, 12, "ctime")?;
                c_string(field(b, 345, 131))
            }
            _ => {
                // Go before 1.8 wrote a ustar prefix into GNU headers, where atime and
                // ctime live. When those do not parse and the bytes look like ASCII text,
                // Go reads them as a prefix again (golang.org/issue/12594, 21005).
                let time_ok = |start: usize| {
                    let f = field(b, start, 12);
                    f.first() == Some(&0) || parse_numeric(f).is_some()
                };
                let p = c_string(field(b, 345, 155));
                if !(time_ok(345) && time_ok(357)) && p.is_ascii() {
                    p
                } else {
                    &[]
                }
            }
        };
        if !prefix.is_empty() {
            let mut joined = prefix.to_vec();
            joined.push(b'/');
            joined.extend_from_slice(&name);
            name = joined;
        }
    }
    Ok(Header {
        typeflag,
        name,
        link,
        size,
        mode,
        uid,
        gid,
        mtime,
        format,
    })
}

/// Is this block all zeros (one half of the end-of-archive marker)?
pub fn is_zero_block(b: &[u8]) -> bool {
    b.iter().all(|c| *c == 0)
}

/// One data fragment of a sparse file: `length` bytes at `offset` of the file; everything
/// not covered by a fragment reads as zeros.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fragment {
    /// Byte offset of the fragment in the file's apparent content.
    pub offset: i64,
    /// Length of the fragment, in bytes.
    pub length: i64,
}

/// The fragments in an old GNU sparse header (4 slots at byte 386) or extension block
/// (21 slots at byte 0), and whether another extension block follows. A slot whose first
/// byte is NUL ends the list, as in GNU and BSD tar.
pub fn old_gnu_sparse(
    b: &[u8; BLOCK],
    extension: bool,
) -> Result<(Vec<Fragment>, bool), HeaderError> {
    let (start, slots, ext_at) = if extension {
        (0, 21, 504)
    } else {
        (386, 4, 482)
    };
    let mut out = Vec::new();
    for i in 0..slots {
        let at = start + 24 * i;
        let off = field(b, at, 12);
        if off.first().is_none_or(|c| *c == 0) {
            break;
        }
        let offset = parse_numeric(off).ok_or(HeaderError::Numeric("sparse offset"))?;
        let length =
            parse_numeric(field(b, at + 12, 12)).ok_or(HeaderError::Numeric("sparse length"))?;
        out.push(Fragment { offset, length });
    }
    let more = b.get(ext_at).is_some_and(|c| *c > 0);
    Ok((out, more))
}

/// The real size stored in an old GNU sparse header (byte 483, 12 bytes).
pub fn old_gnu_real_size(b: &[u8; BLOCK]) -> Result<i64, HeaderError> {
    parse_numeric(field(b, 483, 12)).ok_or(HeaderError::Numeric("sparse real size"))
}

/// Go's `strconv.ParseInt(s, 10, 64)`: optional sign, decimal digits, no overflow.
pub fn parse_dec(s: &[u8]) -> Option<i64> {
    std::str::from_utf8(s).ok()?.parse::<i64>().ok()
}

/// The records of one PAX extended header, keys and values as raw bytes. Repeated
/// `GNU.sparse.offset` / `GNU.sparse.numbytes` pairs (sparse format 0.0) are folded into one
/// `GNU.sparse.map` value, as Go does.
pub type PaxRecords = BTreeMap<Vec<u8>, Vec<u8>>;

/// PAX key `path`: overrides the header's name.
pub const PAX_PATH: &[u8] = b"path";
/// PAX key `linkpath`: overrides the header's link target.
pub const PAX_LINKPATH: &[u8] = b"linkpath";
/// PAX key `size`: overrides the header's size (decimal bytes).
pub const PAX_SIZE: &[u8] = b"size";
/// PAX key `uid`: overrides the header's user id.
pub const PAX_UID: &[u8] = b"uid";
/// PAX key `gid`: overrides the header's group id.
pub const PAX_GID: &[u8] = b"gid";
/// PAX key `mtime`: modification time, `secs[.frac]` since the Unix epoch.
pub const PAX_MTIME: &[u8] = b"mtime";
/// PAX key `atime`: access time, `secs[.frac]` since the Unix epoch.
pub const PAX_ATIME: &[u8] = b"atime";
/// PAX key `ctime`: status change time, `secs[.frac]` since the Unix epoch.
pub const PAX_CTIME: &[u8] = b"ctime";
/// Prefix of the PAX keys of extended attributes (star's and GNU tar's `SCHILY.xattr.NAME`),
/// the ones Docker's unpacking sets (moby `pkg/archive`, `paxSchilyXattr`).
pub const PAX_SCHILY_XATTR: &[u8] = b"SCHILY.xattr.";
const PAX_UNAME: &[u8] = b"uname";
const PAX_GNAME: &[u8] = b"gname";
/// PAX key `GNU.sparse.major`: the sparse format's major version (0 or 1).
pub const SPARSE_MAJOR: &[u8] = b"GNU.sparse.major";
/// PAX key `GNU.sparse.minor`: the sparse format's minor version.
pub const SPARSE_MINOR: &[u8] = b"GNU.sparse.minor";
/// PAX key `GNU.sparse.name`: the real name of a sparse file (formats 0.1 and 1.0).
pub const SPARSE_NAME: &[u8] = b"GNU.sparse.name";
/// PAX key `GNU.sparse.map`: comma-separated offset,length pairs (formats 0.0 and 0.1).
pub const SPARSE_MAP: &[u8] = b"GNU.sparse.map";
/// PAX key `GNU.sparse.size`: the file's apparent size (formats 0.0 and 0.1).
pub const SPARSE_SIZE: &[u8] = b"GNU.sparse.size";
/// PAX key `GNU.sparse.realsize`: the file's apparent size (format 1.0).
pub const SPARSE_REALSIZE: &[u8] = b"GNU.sparse.realsize";
/// PAX key `GNU.sparse.numblocks`: how many pairs `GNU.sparse.map` holds.
pub const SPARSE_NUMBLOCKS: &[u8] = b"GNU.sparse.numblocks";
const SPARSE_OFFSET: &[u8] = b"GNU.sparse.offset";
const SPARSE_NUMBYTES: &[u8] = b"GNU.sparse.numbytes";

/// Parses the data of a PAX `x` or `g` header: records `"%d %s=%s\n"` (length, key, value).
/// Errors say in plain words which record is malformed (Go refuses the archive then).
pub fn parse_pax(mut data: &[u8]) -> Result<PaxRecords, String> {
    let mut out = PaxRecords::new();
    let mut sparse: Vec<&[u8]> = Vec::new();
    let mut at = 0usize;
    while !data.is_empty() {
        let bad = |why: &str| format!("PAX record at byte {at} of the extended header {why}");
        let Some(sp) = data.iter().position(|c| *c == b' ') else {
            return Err(bad("has no length field"));
        };
        let len_text = data.get(..sp).unwrap_or(&[]);
        let n = parse_dec(len_text)
            .and_then(|n| usize::try_from(n).ok())
            .filter(|n| *n >= 5 && *n <= data.len() && *n > sp + 1)
            .ok_or_else(|| bad("has a length that is not a number between 5 and the bytes left"))?;
        let rec = data.get(sp + 1..n - 1).unwrap_or(&[]);
        if data.get(n - 1) != Some(&b'\n') {
            return Err(bad("does not end with a newline where its length says"));
        }
        let Some(eq) = rec.iter().position(|c| *c == b'=') else {
            return Err(bad("has no '='"));
        };
        let key = rec.get(..eq).unwrap_or(&[]);
        let value = rec.get(eq + 1..).unwrap_or(&[]);
        let valid = !key.is_empty()
            && match key {
                PAX_PATH | PAX_LINKPATH | PAX_UNAME | PAX_GNAME => !value.contains(&0),
                _ => !key.contains(&0),
            };
        if !valid {
            return Err(bad("has an empty key or a NUL byte"));
        }
        match key {
            SPARSE_OFFSET | SPARSE_NUMBYTES => {
                // Sparse format 0.0: pairs, offset first, in order.
                let want = if sparse.len().is_multiple_of(2) {
                    SPARSE_OFFSET
                } else {
                    SPARSE_NUMBYTES
                };
                if key != want || value.contains(&b',') {
                    return Err(bad("is a GNU.sparse.offset/numbytes record out of order"));
                }
                sparse.push(value);
            }
            _ => {
                out.insert(key.to_vec(), value.to_vec());
            }
        }
        at += n;
        data = data.get(n..).unwrap_or(&[]);
    }
    if !sparse.is_empty() {
        out.insert(SPARSE_MAP.to_vec(), sparse.join(&b','));
    }
    Ok(out)
}

/// A PAX time `secs[.frac]`: the seconds (Go's `parsePAXTime`; sub-seconds validated, dropped).
pub fn parse_pax_time(v: &[u8]) -> Option<i64> {
    let (secs, frac) = match v.iter().position(|c| *c == b'.') {
        Some(i) => (
            v.get(..i).unwrap_or(&[]),
            Some(v.get(i + 1..).unwrap_or(&[])),
        ),
        None => (v, None),
    };
    let s = parse_dec(secs)?;
    match frac {
        Some(f) if !f.iter().all(u8::is_ascii_digit) => None,
        _ => Some(s),
    }
}

/// The value of a record, treating an empty value as absent (Go keeps the header's own value
/// then: "a value is stored only if it is non-empty").
pub fn get<'a>(pax: &'a PaxRecords, key: &[u8]) -> Option<&'a [u8]> {
    pax.get(key).map(Vec::as_slice).filter(|v| !v.is_empty())
}

/// Which GNU sparse PAX dialect records describe, if any (Go's `readGNUSparsePAXHeaders`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaxSparse {
    /// 0.0 or 0.1: the map is in the records (`GNU.sparse.map`).
    InRecords,
    /// 1.0: the map is at the start of the data, in decimal lines.
    InData,
}

/// Which sparse dialect a member's PAX records use, `None` for a plain file or an unknown version
/// (Go's `readGNUSparsePAXHeaders`).
pub fn pax_sparse_kind(pax: &PaxRecords) -> Option<PaxSparse> {
    let major = get(pax, SPARSE_MAJOR);
    let minor = get(pax, SPARSE_MINOR);
    match (major, minor) {
        (Some(b"0"), Some(b"0" | b"1")) => Some(PaxSparse::InRecords),
        (Some(b"1"), Some(b"0")) => Some(PaxSparse::InData),
        (None, None) if get(pax, SPARSE_MAP).is_some() => Some(PaxSparse::InRecords),
        // An unknown version, or not sparse: a plain file.
        _ => None,
    }
}

/// The 0.0/0.1 sparse map: `GNU.sparse.numblocks` pairs in `GNU.sparse.map`.
pub fn sparse_map_0x1(pax: &PaxRecords) -> Result<Vec<Fragment>, String> {
    let count = get(pax, SPARSE_NUMBLOCKS)
        .and_then(parse_dec)
        .filter(|n| *n >= 0)
        .ok_or("GNU.sparse.numblocks is missing or not a count")?;
    let map = get(pax, SPARSE_MAP).unwrap_or(&[]);
    let parts: Vec<&[u8]> = if map.is_empty() {
        Vec::new()
    } else {
        map.split(|c| *c == b',').collect()
    };
    if i64::try_from(parts.len()).ok() != count.checked_mul(2) {
        return Err(format!(
            "GNU.sparse.map holds {} numbers but GNU.sparse.numblocks says {count} pairs",
            parts.len()
        ));
    }
    pairs(&parts)
}

fn pairs(parts: &[&[u8]]) -> Result<Vec<Fragment>, String> {
    parts
        .chunks(2)
        .map(|p| match p {
            [o, l] => match (parse_dec(o), parse_dec(l)) {
                (Some(offset), Some(length)) => Ok(Fragment { offset, length }),
                _ => Err("the sparse map holds a value that is not a decimal number".to_string()),
            },
            _ => Err("the sparse map holds an odd count of numbers".to_string()),
        })
        .collect()
}

/// How many lines a 1.0 sparse map takes (the count line, then an offset and a length per
/// entry), once the first line has arrived: `Ok(None)` while `buf` holds no newline yet.
pub fn sparse_1x0_lines(buf: &[u8]) -> Result<Option<usize>, String> {
    let Some(nl) = buf.iter().position(|c| *c == b'\n') else {
        return Ok(None);
    };
    buf.get(..nl)
        .and_then(parse_dec)
        .and_then(|n| usize::try_from(n).ok())
        .and_then(|n| n.checked_mul(2))
        .and_then(|n| n.checked_add(1))
        .map(Some)
        .ok_or_else(|| {
            "the sparse map at the start of the data does not begin with an entry count".into()
        })
}

/// Parses a complete 1.0 sparse map (`buf` holds at least `lines` newlines): the fragments and
/// the bytes the map takes, rounded up to whole blocks (Go reads whole blocks until it has
/// enough lines; the data starts after them).
pub fn sparse_map_1x0(buf: &[u8], lines: usize) -> Result<(Vec<Fragment>, usize), String> {
    let parts: Vec<&[u8]> = buf
        .split(|c| *c == b'\n')
        .skip(1)
        .take(lines.saturating_sub(1))
        .collect();
    let map = pairs(&parts)?;
    let end = buf
        .iter()
        .enumerate()
        .filter(|(_, c)| **c == b'\n')
        .nth(lines.saturating_sub(1))
        .map(|(i, _)| i + 1)
        .ok_or("the sparse map ends before its last line")?;
    Ok((map, end.div_ceil(BLOCK) * BLOCK))
}

/// Go's `validateSparseEntries`: no negative values, no overflow, in order, not overlapping,
/// inside `size`.
pub fn valid_sparse(map: &[Fragment], size: i64) -> bool {
    if size < 0 {
        return false;
    }
    let mut prev_end = 0i64;
    for f in map {
        if f.offset < 0 || f.length < 0 {
            return false;
        }
        let Some(end) = f.offset.checked_add(f.length) else {
            return false;
        };
        if end > size || prev_end > f.offset {
            return false;
        }
        prev_end = end;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_count_the_checksum_field_as_spaces() {
        // Against the byte-by-byte definition (POSIX ustar; old tars summed signed bytes),
        // on blocks with bytes above 0x7f inside and outside the checksum field.
        let mut seed = 0x9e37_79b9_u32;
        for round in 0..64 {
            let mut b = [0u8; BLOCK];
            for c in b.iter_mut() {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                *c = if round == 0 { 0xff } else { seed as u8 };
            }
            let (mut unsigned, mut signed) = (0i64, 0i64);
            for (i, c) in b.iter().enumerate() {
                let c = if (148..156).contains(&i) { b' ' } else { *c };
                unsigned += i64::from(c);
                signed += i64::from(c as i8);
            }
            assert_eq!(checksums(&b), (unsigned, signed), "round {round}");
        }
    }

    #[test]
    fn numbers_as_go_reads_them() {
        assert_eq!(parse_numeric(b"0000644\0"), Some(0o644));
        assert_eq!(parse_numeric(b"  644 \0\0"), Some(0o644));
        assert_eq!(parse_numeric(b"\0\0\0\0\0\0\0\0"), Some(0));
        assert_eq!(parse_numeric(b"+644\0"), None);
        assert_eq!(parse_numeric(b"0009\0"), None);
        // 64 bits of octal (22 digits, the first at most 1) and one bit more.
        assert_eq!(parse_octal(b"1777777777777777777777"), Some(-1));
        assert_eq!(parse_octal(b"2000000000000000000000"), None);
        assert_eq!(parse_octal(b"7 7\0"), None);
        // Digit by digit as Go's ParseUint (and Rust's from_str_radix) read them.
        for text in [
            "0",
            "7",
            "10",
            "644",
            "0000644",
            "77777777777",
            "12345670123",
        ] {
            let want = u64::from_str_radix(text, 8).map(|x| x as i64).ok();
            assert_eq!(parse_octal(text.as_bytes()), want, "{text}");
        }
        // base-256, positive and negative (Go's strconv_test.go cases).
        assert_eq!(parse_numeric(&[0x80, 0, 0, 0, 0, 0, 0, 1]), Some(1));
        assert_eq!(parse_numeric(&[0xff; 8]), Some(-1));
        assert_eq!(
            parse_numeric(&[0x80, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0]),
            Some(1 << 60)
        );
        assert_eq!(parse_numeric(&[0x80, 0x80, 0, 0, 0, 0, 0, 0, 0]), None);
        assert_eq!(
            parse_numeric(&[0x80, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            Some(i64::MAX)
        );
    }

    #[test]
    fn pax_records_as_go_parses_them() {
        let r = parse_pax(b"19 path=/etc/hosts\n17 uname=Joe Bob\n").expect("valid");
        assert_eq!(get(&r, b"path"), Some(&b"/etc/hosts"[..]));
        // A length shorter than its own digits (Go's reader_test.go case) is refused.
        assert!(parse_pax(b"0000000000000000000000000000000030 mtime=1432668921.098285006\n30 ctime=2147483649.15163319\n").is_err());
        assert!(parse_pax(b"30 mtime=1432668921.098285006\n").is_ok());
        assert!(parse_pax(b"9 a=b\n").is_err(), "length past the end");
        assert!(parse_pax(b"6 k=1\n").is_ok());
        assert!(parse_pax(b"13 path=a\0b\n").is_err(), "NUL in a path");
        let s = parse_pax(b"27 GNU.sparse.numbytes=100\n25 GNU.sparse.offset=512\n");
        assert!(s.is_err(), "numbytes before offset is out of order");
        let s = parse_pax(b"25 GNU.sparse.offset=512\n27 GNU.sparse.numbytes=100\n")
            .expect("sparse 0.0");
        assert_eq!(get(&s, SPARSE_MAP), Some(&b"512,100"[..]));
    }

    #[test]
    fn sparse_1x0_map_needs_whole_lines() {
        assert_eq!(sparse_1x0_lines(b"2"), Ok(None));
        assert_eq!(sparse_1x0_lines(b"2\n0\n"), Ok(Some(5)));
        assert!(sparse_1x0_lines(b"x\n").is_err());
        let (m, used) = sparse_map_1x0(b"2\n0\n5\n10\n0\nxxxx", 5).expect("valid");
        assert_eq!(
            m,
            vec![
                Fragment {
                    offset: 0,
                    length: 5
                },
                Fragment {
                    offset: 10,
                    length: 0
                }
            ]
        );
        assert_eq!(used, BLOCK);
        assert!(valid_sparse(&m, 10));
        assert!(!valid_sparse(&m, 9));
    }
}
