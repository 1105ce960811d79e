//! Deciding what a blob is from its first bytes — never from its name. Works with however
//! few bytes exist (a whole gzip blob can be 32 bytes long).

use crate::model::Compression;

/// RFC 1952 §2.3.1.
const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
/// RFC 8878 §3.1.1, little-endian 0xFD2FB528.
const ZSTD_MAGIC: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd];
/// The `.xz` file format 1.0.4 §2.1.1.1: `FD 37 7A 58 5A 00`.
const XZ_MAGIC: &[u8] = &[0xfd, b'7', b'z', b'X', b'Z', 0x00];
/// bzip2: `BZh`, a block size digit, then a block (the BCD digits of pi) or the end of the
/// stream (sqrt(pi)). The 10 bytes together cannot be mistaken for the start of a tar name.
const BZIP2_MAGIC: &[u8] = b"BZh";
const BZIP2_BLOCK: &[u8] = &[0x31, 0x41, 0x59, 0x26, 0x53, 0x59];
const BZIP2_END: &[u8] = &[0x17, 0x72, 0x45, 0x38, 0x50, 0x90];

/// Bytes needed to recognise a tar header (one block).
pub const TAR_BLOCK: usize = 512;

/// Compression from magic bytes; anything unrecognised is `None` (stored as is). A zstd
/// stream may start with a skippable frame (magic `0x184D2A50`–`0x184D2A5F`, RFC 8878 §3.1.2),
/// so that counts as zstd too. Needs up to 10 bytes; fewer are judged on what is there.
///
/// A whole first block that is a tar header ([`is_tar`]: `ustar` magic or a valid checksum) is
/// `None` whatever it starts with: the magics are a file name's first bytes there (a layer whose
/// first entry is named `\x1f\x8b…` or `P*M\x18…` is a plain tar, as `tar` reads it), and no
/// compressed stream's first 512 bytes pass a tar header's checksum but by chance.
pub fn compression(head: &[u8]) -> Compression {
    if is_tar(head) {
        Compression::None
    } else if head.starts_with(GZIP_MAGIC) {
        Compression::Gzip
    } else if head.starts_with(ZSTD_MAGIC) || is_zstd_skippable(head) {
        Compression::Zstd
    } else if head.starts_with(XZ_MAGIC) {
        Compression::Xz
    } else if is_bzip2(head) {
        Compression::Bzip2
    } else {
        Compression::None
    }
}

fn is_zstd_skippable(head: &[u8]) -> bool {
    matches!(head.get(..4), Some([0x50..=0x5f, 0x2a, 0x4d, 0x18]))
}

fn is_bzip2(head: &[u8]) -> bool {
    let level = head.get(3).is_some_and(|b| (b'1'..=b'9').contains(b));
    let next = head.get(4..10);
    head.starts_with(BZIP2_MAGIC) && level && (next == Some(BZIP2_BLOCK) || next == Some(BZIP2_END))
}

/// True when `head`, shorter than one tar block, is the start of a tar header cut short: what
/// a download that stopped in its first 512 bytes leaves. Either the `ustar` magic is there
/// (257..262), or the bytes present follow the header's layout: a name (0..100) of non-NUL
/// bytes padded with NULs, then octal mode, uid and gid fields (100..124) as far as they go.
pub fn is_cut_tar_header(head: &[u8]) -> bool {
    if head.is_empty() || head.len() >= TAR_BLOCK {
        return false;
    }
    if head.get(257..262) == Some(b"ustar".as_slice()) {
        return true;
    }
    let name = head.get(..head.len().min(100)).unwrap_or(&[]);
    let Some(nul) = name.iter().position(|b| *b == 0) else {
        return false;
    };
    if nul == 0 || !name.get(nul..).unwrap_or(&[]).iter().all(|b| *b == 0) {
        return false;
    }
    let numeric = head.get(100..head.len().min(124)).unwrap_or(&[]);
    numeric.iter().all(|b| matches!(b, b'0'..=b'7' | b' ' | 0))
}

/// True when a whole *file* of these bytes is best described as a tar archive cut short: a cut
/// first header ([`is_cut_tar_header`]), or under 100 printable bytes without a NUL, too short
/// to tell a name from anything else (a download that stopped at once). Not for members: a small
/// JSON member is printable too.
pub fn is_cut_tar_file(head: &[u8]) -> bool {
    // An empty ZIP archive (22 bytes: its signature, then zeros) reads as a cut header whose
    // name is `PK\x05\x06`; the signature says what it is.
    if looks_like(head) == crate::error::Looks::Zip {
        return false;
    }
    is_cut_tar_header(head)
        || (!head.is_empty()
            && head.len() < 100
            && head.iter().all(|b| b.is_ascii_graphic() || *b == b' '))
}

/// True when `head` starts with a tar header: `ustar` magic at 257, or an old v7 header whose
/// checksum is valid. An all-zero block (an empty tar) also counts: it is a tar with no members.
pub fn is_tar(head: &[u8]) -> bool {
    let Some(block) = head.get(..TAR_BLOCK) else {
        return false;
    };
    if block.get(257..262) == Some(b"ustar".as_slice()) {
        return true;
    }
    if block.iter().all(|b| *b == 0) {
        return true;
    }
    checksum_ok(block)
}

/// The header checksum: the sum of all bytes with the checksum field read as spaces.
fn checksum_ok(block: &[u8]) -> bool {
    let Some(field) = block.get(148..156) else {
        return false;
    };
    let text: Vec<u8> = field
        .iter()
        .copied()
        .filter(|b| *b != 0 && *b != b' ')
        .collect();
    if text.is_empty() || !text.iter().all(|b| (b'0'..=b'7').contains(b)) {
        return false;
    }
    let Some(claimed) = std::str::from_utf8(&text)
        .ok()
        .and_then(|s| u32::from_str_radix(s, 8).ok())
    else {
        return false;
    };
    let sum: u32 = block
        .iter()
        .enumerate()
        .map(|(i, b)| {
            if (148..156).contains(&i) {
                u32::from(b' ')
            } else {
                u32::from(*b)
            }
        })
        .sum();
    sum == claimed
}

/// Looks like a JSON document: first non-space byte `{` or `[`, or the literal `null`, after
/// a UTF-8 byte order mark if there is one.
pub fn looks_like_json(head: &[u8]) -> bool {
    // A byte order mark first is kept as JSON, so that the reader can say Go refuses it
    // rather than that the member is not JSON at all.
    let head = head.strip_prefix(&[0xef, 0xbb, 0xbf]).unwrap_or(head);
    let rest = match head.iter().position(|b| !b.is_ascii_whitespace()) {
        Some(i) => head.get(i..).unwrap_or(&[]),
        None => return false,
    };
    matches!(rest.first(), Some(b'{') | Some(b'[')) || rest.starts_with(b"null")
}

/// What `head`, the first bytes of a file that is not a tar archive, look like: text when
/// they are valid UTF-8 (a character cut at the end allowed) with no control character but
/// tab, line feed and carriage return; a ZIP archive by its signature.
pub fn looks_like(head: &[u8]) -> crate::error::Looks {
    use crate::error::Looks;
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Looks::Zip;
    }
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        // A multi-byte character cut by the end of the sample is still text.
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(head.get(..e.valid_up_to()).unwrap_or(&[])).unwrap_or("")
        }
        Err(_) => return Looks::Other,
    };
    let printable = !text.is_empty()
        && text
            .chars()
            .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'));
    if printable {
        Looks::Text
    } else {
        Looks::Other
    }
}

/// A short hex rendering of the first bytes, for error messages.
pub fn magic_hex(head: &[u8]) -> String {
    let n = head.len().min(8);
    hex::encode(head.get(..n).unwrap_or(&[]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_file_that_is_not_a_tar_looks_like() {
        use crate::error::Looks;
        assert_eq!(looks_like(b"FROM alpine\nRUN echo hi\n"), Looks::Text);
        assert_eq!(looks_like("{\"a\": \"é".as_bytes()), Looks::Text);
        assert_eq!(looks_like(&"é".as_bytes()[..1]), Looks::Other);
        assert_eq!(looks_like(b"PK\x03\x04\x14\x00"), Looks::Zip);
        assert_eq!(looks_like(b"\x7fELF\x02\x01"), Looks::Other);
        assert_eq!(looks_like(b"\x00\x00"), Looks::Other);
    }

    #[test]
    fn tiny_gzip_is_gzip() {
        assert_eq!(compression(&[0x1f, 0x8b]), Compression::Gzip);
        assert_eq!(compression(&[0x28, 0xb5, 0x2f, 0xfd, 0]), Compression::Zstd);
        assert_eq!(compression(&[0x1f]), Compression::None);
        assert_eq!(compression(&[]), Compression::None);
        assert_eq!(
            compression(&[0xfd, b'7', b'z', b'X', b'Z', 0, 0, 4]),
            Compression::Xz
        );
        assert_eq!(compression(b"BZh91AY&SY\x00"), Compression::Bzip2);
        assert_eq!(
            compression(&[b'B', b'Z', b'h', b'9', 0x17, 0x72, 0x45, 0x38, 0x50, 0x90]),
            Compression::Bzip2
        );
        // A tar member named "BZh9..." is not bzip2.
        assert_eq!(compression(b"BZh9-notes.txt\0\0\0"), Compression::None);
        assert_eq!(
            compression(&[0x5e, 0x2a, 0x4d, 0x18, 4, 0, 0, 0]),
            Compression::Zstd
        );
        assert_eq!(compression(&[0x60, 0x2a, 0x4d, 0x18]), Compression::None);
    }

    #[test]
    fn cut_tar_headers() {
        let mut u = tar::Header::new_ustar();
        u.set_path("etc/hosts").ok();
        u.set_cksum();
        for cut in [10usize, 60, 100, 130, 300, 511] {
            assert!(is_cut_tar_header(&u.as_bytes()[..cut]), "cut at {cut}");
        }
        assert!(!is_cut_tar_header(&u.as_bytes()[..]));
        assert!(!is_cut_tar_header(b"hello world\n"));
        assert!(!is_cut_tar_header(b"{\"a\": 1}"));
        assert!(!is_cut_tar_header(&[]));
    }

    /// Found by the `container` fuzz target: a layer whose first entry's name begins with a
    /// compression magic is still an uncompressed tar.
    #[test]
    fn a_tar_whose_first_name_is_a_magic_is_a_tar() {
        let names: [&[u8]; 5] = [
            &[0x1f, 0x8b, b'x'],
            &[0x28, 0xb5, 0x2f, 0xfd, b'x'],
            &[0x5e, 0x2a, 0x4d, 0x18, b'x'],
            &[0xfd, b'7', b'z', b'X', b'Z'],
            &[b'B', b'Z', b'h', b'9', 0x31, 0x41, 0x59, 0x26, 0x53, 0x59],
        ];
        for name in names {
            for mut h in [tar::Header::new_ustar(), tar::Header::new_old()] {
                h.as_old_mut().name[..name.len()].copy_from_slice(name);
                h.set_size(0);
                h.set_cksum();
                assert!(is_tar(h.as_bytes()), "{name:?}");
                assert_eq!(compression(h.as_bytes()), Compression::None, "{name:?}");
                // Cut to its magic, it is judged on the magic alone.
                assert_ne!(
                    compression(&h.as_bytes()[..10]),
                    Compression::None,
                    "{name:?}"
                );
            }
        }
    }

    #[test]
    fn tar_detection() {
        let mut h = tar::Header::new_old();
        h.set_path("a").ok();
        h.set_size(0);
        h.set_cksum();
        assert!(is_tar(h.as_bytes()));
        let mut u = tar::Header::new_ustar();
        u.set_path("b").ok();
        u.set_cksum();
        assert!(is_tar(u.as_bytes()));
        assert!(!is_tar(b"{\"a\":1}"));
        let mut junk = [7u8; 512];
        junk[0] = b'x';
        assert!(!is_tar(&junk));
    }

    #[test]
    fn json_detection() {
        assert!(looks_like_json(b"  [1]"));
        assert!(looks_like_json(b"null"));
        assert!(looks_like_json(b"\xef\xbb\xbf[{}]") && looks_like_json(b"\xef\xbb\xbf {}"));
        assert!(!looks_like_json(b"1.0"));
    }
}
