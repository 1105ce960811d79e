//! A straight-line SHA-256 (FIPS 180-4, section 6.2): the candidate kernel of issue 13's
//! measurement, kept here so the measurement can be repeated.
//!
//! Every round is written out; the state and the 16-word schedule are plain locals (no
//! array indexed in the rounds), the schedule computed just before its round. Measured in
//! Chromium's V8 against `sha2` 0.11's wasm backends (`run.js`), it was about as fast as the
//! `soft` backend and 10–25 % slower than the `wasm32-simd128` backend, which computes the
//! schedule four words at a time in SIMD registers and so leaves the general registers to
//! the rounds. The page keeps `sha2` with simd128 (see the README, "The page").
//! `cargo test` here checks it against `sha2` natively.

/// SHA-256 round constants (FIPS 180-4, 4.2.2).
const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// The initial hash value H(0) (FIPS 180-4, 5.3.3).
const H0: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// One round (FIPS 180-4, 6.2.2 step 3) with the working variables named in their current
/// roles: instead of shifting eight values each round, the next round is called with the
/// names rotated by one, so a round writes only `d` and `h`.
macro_rules! round {
    ($a:ident, $b:ident, $c:ident, $d:ident, $e:ident, $f:ident, $g:ident, $h:ident, $k:expr, $w:expr) => {
        // Ch(e, f, g) = g ^ (e & (f ^ g)) and Maj(a, b, c) = (a & b) | (c & (a | b)): the
        // same functions (FIPS 180-4, 4.1.2) in fewer operations.
        let t1 = $h
            .wrapping_add($e.rotate_right(6) ^ $e.rotate_right(11) ^ $e.rotate_right(25))
            .wrapping_add($g ^ ($e & ($f ^ $g)))
            .wrapping_add($k)
            .wrapping_add($w);
        let t2 = ($a.rotate_right(2) ^ $a.rotate_right(13) ^ $a.rotate_right(22))
            .wrapping_add(($a & $b) | ($c & ($a | $b)));
        $d = $d.wrapping_add(t1);
        $h = t1.wrapping_add(t2);
    };
}

/// One message-schedule step (FIPS 180-4, 6.2.2 step 1) in place over a ring of 16 words:
/// `w[t] = σ1(w[t-2]) + w[t-7] + σ0(w[t-15]) + w[t-16]`, where `$w16` holds `w[t-16]` and
/// receives `w[t]`.
macro_rules! schedule {
    ($w16:ident, $w15:ident, $w7:ident, $w2:ident) => {
        $w16 = $w16
            .wrapping_add($w2.rotate_right(17) ^ $w2.rotate_right(19) ^ ($w2 >> 10))
            .wrapping_add($w7)
            .wrapping_add($w15.rotate_right(7) ^ $w15.rotate_right(18) ^ ($w15 >> 3));
    };
}

/// Applies the compression function to `state` for each 64-byte block, in order.
pub fn compress(state: &mut [u32; 8], blocks: &[[u8; 64]]) {
    for block in blocks {
        compress_block(state, block);
    }
}

#[inline(always)]
fn word(block: &[u8; 64], i: usize) -> u32 {
    // `i` is a constant at every call (the rounds are written out), so the bounds check and
    // the slice fold away.
    let mut b = [0u8; 4];
    if let Some(src) = block.get(4 * i..4 * i + 4) {
        b.copy_from_slice(src);
    }
    u32::from_be_bytes(b)
}

#[inline(always)]
fn compress_block(state: &mut [u32; 8], block: &[u8; 64]) {
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;
    let mut w0 = word(block, 0);
    let mut w1 = word(block, 1);
    let mut w2 = word(block, 2);
    let mut w3 = word(block, 3);
    let mut w4 = word(block, 4);
    let mut w5 = word(block, 5);
    let mut w6 = word(block, 6);
    let mut w7 = word(block, 7);
    let mut w8 = word(block, 8);
    let mut w9 = word(block, 9);
    let mut w10 = word(block, 10);
    let mut w11 = word(block, 11);
    let mut w12 = word(block, 12);
    let mut w13 = word(block, 13);
    let mut w14 = word(block, 14);
    let mut w15 = word(block, 15);

    macro_rules! sixteen {
        ($base:expr, $($sched:tt)?) => {
            $(schedule!(w0, w1, w9, w14); let _ = $sched;)?
            round!(a, b, c, d, e, f, g, h, K[$base], w0);
            $(schedule!(w1, w2, w10, w15); let _ = $sched;)?
            round!(h, a, b, c, d, e, f, g, K[$base + 1], w1);
            $(schedule!(w2, w3, w11, w0); let _ = $sched;)?
            round!(g, h, a, b, c, d, e, f, K[$base + 2], w2);
            $(schedule!(w3, w4, w12, w1); let _ = $sched;)?
            round!(f, g, h, a, b, c, d, e, K[$base + 3], w3);
            $(schedule!(w4, w5, w13, w2); let _ = $sched;)?
            round!(e, f, g, h, a, b, c, d, K[$base + 4], w4);
            $(schedule!(w5, w6, w14, w3); let _ = $sched;)?
            round!(d, e, f, g, h, a, b, c, K[$base + 5], w5);
            $(schedule!(w6, w7, w15, w4); let _ = $sched;)?
            round!(c, d, e, f, g, h, a, b, K[$base + 6], w6);
            $(schedule!(w7, w8, w0, w5); let _ = $sched;)?
            round!(b, c, d, e, f, g, h, a, K[$base + 7], w7);
            $(schedule!(w8, w9, w1, w6); let _ = $sched;)?
            round!(a, b, c, d, e, f, g, h, K[$base + 8], w8);
            $(schedule!(w9, w10, w2, w7); let _ = $sched;)?
            round!(h, a, b, c, d, e, f, g, K[$base + 9], w9);
            $(schedule!(w10, w11, w3, w8); let _ = $sched;)?
            round!(g, h, a, b, c, d, e, f, K[$base + 10], w10);
            $(schedule!(w11, w12, w4, w9); let _ = $sched;)?
            round!(f, g, h, a, b, c, d, e, K[$base + 11], w11);
            $(schedule!(w12, w13, w5, w10); let _ = $sched;)?
            round!(e, f, g, h, a, b, c, d, K[$base + 12], w12);
            $(schedule!(w13, w14, w6, w11); let _ = $sched;)?
            round!(d, e, f, g, h, a, b, c, K[$base + 13], w13);
            $(schedule!(w14, w15, w7, w12); let _ = $sched;)?
            round!(c, d, e, f, g, h, a, b, K[$base + 14], w14);
            $(schedule!(w15, w0, w8, w13); let _ = $sched;)?
            round!(b, c, d, e, f, g, h, a, K[$base + 15], w15);
        };
    }

    // Rounds 0–15 take the block's words; from round 16 on each word of the schedule is
    // computed just before its round, so few values are live at once.
    sixteen!(0,);
    sixteen!(16, ());
    sixteen!(32, ());
    sixteen!(48, ());

    let [s0, s1, s2, s3, s4, s5, s6, s7] = state;
    *s0 = s0.wrapping_add(a);
    *s1 = s1.wrapping_add(b);
    *s2 = s2.wrapping_add(c);
    *s3 = s3.wrapping_add(d);
    *s4 = s4.wrapping_add(e);
    *s5 = s5.wrapping_add(f);
    *s6 = s6.wrapping_add(g);
    *s7 = s7.wrapping_add(h);
}

/// Incremental SHA-256 over [`compress`]: the chaining state, up to 63 buffered bytes and
/// the message length in bytes (the padding needs it in bits: at most 2^64 − 1 bits, so
/// `2^61` bytes, far past any blob).
#[derive(Clone)]
pub struct Sha256 {
    state: [u32; 8],
    buf: [u8; 64],
    buffered: usize,
    len: u64,
}

impl Default for Sha256 {
    fn default() -> Self {
        Sha256 {
            state: H0,
            buf: [0; 64],
            buffered: 0,
            len: 0,
        }
    }
}

impl Sha256 {
    /// Adds `data` to the message.
    pub fn update(&mut self, mut data: &[u8]) {
        self.len = self.len.wrapping_add(data.len() as u64);
        if self.buffered > 0 {
            let take = (64 - self.buffered).min(data.len());
            let (head, rest) = data.split_at(take);
            if let Some(dst) = self.buf.get_mut(self.buffered..self.buffered + take) {
                dst.copy_from_slice(head);
            }
            self.buffered += take;
            data = rest;
            if self.buffered < 64 {
                return;
            }
            compress_block(&mut self.state, &self.buf);
            self.buffered = 0;
        }
        let (blocks, tail) = data.as_chunks::<64>();
        compress(&mut self.state, blocks);
        if let Some(dst) = self.buf.get_mut(..tail.len()) {
            dst.copy_from_slice(tail);
        }
        self.buffered = tail.len();
    }

    /// Pads (FIPS 180-4, 5.1.1) and returns the 32-byte digest, big-endian words.
    pub fn finalize(mut self) -> [u8; 32] {
        let bits = self.len.wrapping_mul(8);
        let mut pad = [0u8; 72];
        pad[0] = 0x80;
        // One 0x80 byte, zeros up to 56 mod 64, then the length: 1 + z + 8 ≡ 64 − buffered.
        let zeros = (119 - self.buffered) % 64;
        let n = 1 + zeros + 8;
        if let Some(dst) = pad.get_mut(1 + zeros..n) {
            dst.copy_from_slice(&bits.to_be_bytes());
        }
        let len = self.len;
        self.update(pad.get(..n).unwrap_or(&[]));
        self.len = len;
        let mut out = [0u8; 32];
        for (dst, w) in out.chunks_exact_mut(4).zip(self.state) {
            dst.copy_from_slice(&w.to_be_bytes());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest as _;

    fn ours(data: &[u8]) -> [u8; 32] {
        let mut h = Sha256::default();
        h.update(data);
        h.finalize()
    }

    fn theirs(data: &[u8]) -> [u8; 32] {
        sha2::Sha256::digest(data).into()
    }

    mod hex {
        pub fn encode(b: impl AsRef<[u8]>) -> String {
            b.as_ref().iter().map(|x| format!("{x:02x}")).collect()
        }
    }

    #[test]
    fn nist_vectors() {
        // FIPS 180-4 examples (NIST CSRC "SHA256.pdf", "SHA2_Additional.pdf").
        let cases: [(&[u8], &str); 4] = [
            (
                b"",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            ),
            (
                b"abc",
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            ),
            (
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
            ),
            (
                b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
                "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(hex::encode(ours(input)), want, "{input:?}");
        }
        // One million 'a' (FIPS 180-4 example C.3), fed in uneven pieces.
        let mut h = Sha256::default();
        let a = vec![b'a'; 1_000_000];
        for piece in a.chunks(999) {
            h.update(piece);
        }
        assert_eq!(
            hex::encode(h.finalize()),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        );
    }

    /// Deterministic bytes (xorshift64), so a failure can be replayed.
    fn bytes(n: usize, seed: u64) -> Vec<u8> {
        let mut x = seed | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect()
    }

    #[test]
    fn every_length_to_1000_matches_sha2() {
        for n in 0..=1000 {
            let data = bytes(n, n as u64 + 1);
            assert_eq!(ours(&data), theirs(&data), "length {n}");
        }
    }

    #[test]
    fn split_updates_match_one_update() {
        let data = bytes(3000, 42);
        let whole = theirs(&data);
        // Every split point of a 300-byte prefix into two updates, then three-way splits
        // around block edges of the whole.
        let short = data.get(..300).unwrap_or(&[]);
        let want = theirs(short);
        for at in 0..=short.len() {
            let (x, y) = short.split_at(at);
            let mut h = Sha256::default();
            h.update(x);
            h.update(y);
            assert_eq!(h.finalize(), want, "split at {at}");
        }
        for first in [0, 1, 55, 56, 63, 64, 65, 127, 128, 1000] {
            for second in [0, 1, 8, 63, 64, 200, 1500] {
                let (x, rest) = data.split_at(first);
                let (y, z) = rest.split_at(second);
                let mut h = Sha256::default();
                h.update(x);
                h.update(y);
                h.update(z);
                assert_eq!(h.finalize(), whole, "splits {first}, {second}");
            }
        }
        // Byte by byte, the slowest path through the buffer.
        let mut h = Sha256::default();
        for b in &data {
            h.update(std::slice::from_ref(b));
        }
        assert_eq!(h.finalize(), whole);
    }
}
