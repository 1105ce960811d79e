//! Deciding what a blob is from its first bytes — never from its name. Works with however
//! few bytes exist (a whole gzip blob can be 32 bytes long).

use crate::model::Compression;

const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
const ZSTD_MAGIC: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd];

/// Bytes needed to recognise a tar header (one block).
pub const TAR_BLOCK: usize = 512;

/// Compression from magic bytes; anything unrecognised is `None` (stored as is).
pub fn compression(head: &[u8]) -> Compression {
    if head.starts_with(GZIP_MAGIC) {
        Compression::Gzip
    } else if head.starts_with(ZSTD_MAGIC) {
        Compression::Zstd
    } else {
        Compression::None
    }
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

/// Looks like a JSON document: first non-space byte `{` or `[`, or the literal `null`.
pub fn looks_like_json(head: &[u8]) -> bool {
    let rest = match head.iter().position(|b| !b.is_ascii_whitespace()) {
        Some(i) => head.get(i..).unwrap_or(&[]),
        None => return false,
    };
    matches!(rest.first(), Some(b'{') | Some(b'['))
        || rest.starts_with(b"null")
        || rest.starts_with(&[0xef, 0xbb, 0xbf, b'{'])
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
    fn tiny_gzip_is_gzip() {
        assert_eq!(compression(&[0x1f, 0x8b]), Compression::Gzip);
        assert_eq!(compression(&[0x28, 0xb5, 0x2f, 0xfd, 0]), Compression::Zstd);
        assert_eq!(compression(&[0x1f]), Compression::None);
        assert_eq!(compression(&[]), Compression::None);
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
        assert!(!looks_like_json(b"1.0"));
    }
}
