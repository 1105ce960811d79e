//! Scans of byte strings eight bytes at a time in a `u64` ("SIMD within a register"), for
//! the few scans every tar entry goes through: a header's checksum sums, a name's `/` count,
//! whether a name holds `..`, the prefix a name shares with the one before (`crate::wire`).
//!
//! Written so, they are fast at every optimisation level. The page's worker builds the core at
//! `opt-level = "z"` (its size, issue 13 target 6), where the plain byte loops were neither
//! vectorised nor unrolled: in a 200,000-file layer's walk in Chromium they took 105 ms (the
//! checksum sums), 54 ms (counting a name's components) and 28 ms (looking for `..`) of its
//! 1.3 s (measured 7 Dec with `bench/profile_workers.js`).

/// Eight copies of a byte.
const fn splat(b: u8) -> u64 {
    0x0101_0101_0101_0101 * b as u64
}

const LOW7: u64 = splat(0x7f);
const TOP: u64 = splat(0x80);

/// The top bit of each byte of `x` that equals `b`, every other bit clear. Exact (no false
/// positives from carries): a byte's low seven bits plus 0x7f carry into its top bit only
/// from inside the byte.
fn equal_bytes(x: u64, b: u8) -> u64 {
    let y = x ^ splat(b);
    !(((y & LOW7) + LOW7) | y) & TOP
}

/// The byte string's whole words (little-endian) and the bytes after them.
fn words(bytes: &[u8]) -> (impl Iterator<Item = u64> + '_, &[u8]) {
    let (whole, rest) = bytes.as_chunks::<8>();
    (whole.iter().map(|w| u64::from_le_bytes(*w)), rest)
}

/// How many bytes of `bytes` equal `b`.
pub fn count(bytes: &[u8], b: u8) -> usize {
    let (whole, rest) = words(bytes);
    let mut n = 0usize;
    for x in whole {
        n += equal_bytes(x, b).count_ones() as usize;
    }
    n + rest.iter().filter(|c| **c == b).count()
}

/// Whether two bytes in a row of `bytes` both equal `b`.
pub fn has_pair(bytes: &[u8], b: u8) -> bool {
    let (whole, rest) = words(bytes);
    // The last byte of the word before equals `b` (its top bit moved to bit 0).
    let mut carry = 0u64;
    for x in whole {
        let m = equal_bytes(x, b);
        // Byte i and byte i + 1 (little-endian: the next byte is 8 bits up); and the word's
        // first byte with the last one before it.
        if m & (m >> 8) != 0 || (carry & (m >> 7)) & 1 != 0 {
            return true;
        }
        carry = m >> 63;
    }
    let mut prev = carry != 0;
    for c in rest {
        let is = *c == b;
        if prev && is {
            return true;
        }
        prev = is;
    }
    false
}

/// How many bytes `a` and `b` share at their start.
pub fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let (wa, _) = a.as_chunks::<8>();
    let (wb, _) = b.as_chunks::<8>();
    let mut n = 0;
    for (x, y) in wa.iter().zip(wb) {
        let d = u64::from_le_bytes(*x) ^ u64::from_le_bytes(*y);
        if d != 0 {
            // The first byte that differs is the lowest non-zero byte of the difference.
            return n + (d.trailing_zeros() / 8) as usize;
        }
        n += 8;
    }
    let (ra, rb) = (a.get(n..).unwrap_or(&[]), b.get(n..).unwrap_or(&[]));
    n + ra.iter().zip(rb).take_while(|(x, y)| x == y).count()
}

/// The sums of `bytes` read as unsigned and as signed (two's complement) bytes, for input of
/// any length. It is summed 512 bytes (a tar block) at a time: within a block each of the
/// four 16-bit lanes takes at most 2 × 255 per word, 32,640 in all, so no lane overflows
/// before the block's lanes are added up.
pub fn sums(bytes: &[u8]) -> (i64, i64) {
    const LOW: u64 = 0x00ff_00ff_00ff_00ff;
    let mut unsigned = 0u64;
    let mut high = 0u64;
    for block in bytes.chunks(512) {
        let (whole, rest) = words(block);
        let mut lanes = 0u64;
        for x in whole {
            lanes += (x & LOW) + ((x >> 8) & LOW);
            high += u64::from((x & TOP).count_ones());
        }
        unsigned +=
            (lanes & 0xffff) + ((lanes >> 16) & 0xffff) + ((lanes >> 32) & 0xffff) + (lanes >> 48);
        for c in rest {
            unsigned += u64::from(*c);
            high += u64::from(*c >> 7);
        }
    }
    // A byte with its top bit set counts 256 less signed than unsigned.
    let unsigned = unsigned as i64;
    (unsigned, unsigned - 256 * high as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Byte strings of every length up to 40 over a few alphabets, all offsets of a pair.
    fn samples() -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let mut seed = 0x2545_f491_u32;
        for alphabet in [&b"./a"[..], b"/.", b"\x80\xff\x00./", b"ab"] {
            for len in 0..40 {
                let mut v = Vec::with_capacity(len);
                for _ in 0..len {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    v.push(alphabet[seed as usize % alphabet.len()]);
                }
                out.push(v);
            }
        }
        for len in 2..40 {
            for at in 0..len - 1 {
                let mut v = vec![b'a'; len];
                v[at] = b'.';
                v[at + 1] = b'.';
                out.push(v);
            }
        }
        out
    }

    #[test]
    fn the_same_as_byte_by_byte() {
        let all = samples();
        for s in &all {
            let s = s.as_slice();
            for b in [b'.', b'/', 0x80, 0xff, 0] {
                assert_eq!(
                    count(s, b),
                    s.iter().filter(|c| **c == b).count(),
                    "{s:?} {b}"
                );
                assert_eq!(
                    has_pair(s, b),
                    s.windows(2).any(|w| w[0] == b && w[1] == b),
                    "{s:?} {b}"
                );
            }
            for t in all.iter().take(60) {
                let plain = s.iter().zip(t).take_while(|(x, y)| x == y).count();
                assert_eq!(common_prefix(s, t), plain, "{s:?} {t:?}");
                assert_eq!(common_prefix(t, s), plain, "{t:?} {s:?}");
            }
            let unsigned: i64 = s.iter().map(|c| i64::from(*c)).sum();
            let signed: i64 = s.iter().map(|c| i64::from(*c as i8)).sum();
            assert_eq!(sums(s), (unsigned, signed), "{s:?}");
        }
        // Names that differ first at each position, and names that are prefixes of others.
        for len in 0..40 {
            let a: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            assert_eq!(common_prefix(&a, &a), len);
            for at in 0..len {
                let mut b = a.clone();
                b[at] = b'/';
                assert_eq!(common_prefix(&a, &b), at, "{len} {at}");
                assert_eq!(common_prefix(&a, &a[..at]), at, "{len} {at}");
            }
        }
        // The largest lanes: every byte 0xff, one block and more.
        for len in [512, 513, 1536] {
            let s = vec![0xffu8; len];
            assert_eq!(sums(&s), (255 * len as i64, -(len as i64)));
        }
    }
}
