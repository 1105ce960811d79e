//! Up to four SHA-256 streams hashed together, one per 32-bit lane of a 128-bit vector (the
//! "multi-buffer" technique of Intel's ISA-L for CPUs without SHA instructions).
//!
//! Why (issue 13, target 1): the page hashes a save's blobs in wasm, which has no SHA
//! instructions, and SHA-256 of one stream is a chain of dependent rounds: one core hashes one
//! blob at ~300–400 MB/s whatever it does. Four independent blobs are four chains, and wasm's
//! `simd128` runs each round's additions, rotations and logic for all four in one instruction:
//! `bench/kernel/multi.js` measured 806 MB/s for four streams against 413 MB/s for `sha2`'s
//! fastest wasm backend on one stream, in node's V8 on this machine kind. So a worker with
//! three or four large blobs to hash takes them together ([`Lanes`]); with fewer, each lane's
//! blocks go through `sha2`'s own one-stream compression instead (four lanes of which two
//! are idle are no faster than `sha2` on two blobs one after the other).
//!
//! The rounds are written once, over [`Word4`] (four `u32`s); on `wasm32` with `simd128` that is
//! a `v128`, elsewhere four plain `u32`s (so the native tests run the same rounds the page
//! runs, only the instructions differ). FIPS 180-4, section 6.2.

use sha2::block_api::compress256;

use super::Digest;

/// SHA-256's round constants (FIPS 180-4, 4.2.2).
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

/// SHA-256's initial hash value (FIPS 180-4, 5.3.3).
const H0: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// How many streams hash together.
pub const LANES: usize = 4;

/// The fewest open lanes for which the four-lane rounds run; with fewer, each lane goes
/// through `sha2` alone (two lanes in the vector cost what four do).
const VECTOR_FROM: usize = 3;

const BLOCK: usize = 64;

/// Four `u32`s, one per lane, and the operations SHA-256's rounds need.
trait Word4: Copy {
    fn splat(x: u32) -> Self;
    fn from_lanes(x: [u32; 4]) -> Self;
    fn lanes(self) -> [u32; 4];
    fn add(self, o: Self) -> Self;
    fn xor(self, o: Self) -> Self;
    fn and(self, o: Self) -> Self;
    fn or(self, o: Self) -> Self;
    /// `self & !o`.
    fn and_not(self, o: Self) -> Self;
    fn shr(self, n: u32) -> Self;
    fn shl(self, n: u32) -> Self;

    fn rotr(self, n: u32) -> Self {
        self.shr(n).or(self.shl(32 - n))
    }

    /// Words `t` of the four blocks, big-endian, word `t` of block `l` in lane `l`.
    fn load(blocks: [&[u8; BLOCK]; 4]) -> [Self; 16] {
        let word = |b: &[u8; BLOCK], t: usize| {
            let mut w = [0u8; 4];
            w.copy_from_slice(&b[4 * t..4 * t + 4]);
            u32::from_be_bytes(w)
        };
        std::array::from_fn(|t| {
            Self::from_lanes([
                word(blocks[0], t),
                word(blocks[1], t),
                word(blocks[2], t),
                word(blocks[3], t),
            ])
        })
    }
}

/// The portable word: four `u32`s (native builds, and wasm without `simd128`).
#[derive(Clone, Copy)]
#[cfg_attr(
    all(target_arch = "wasm32", target_feature = "simd128"),
    allow(dead_code)
)]
struct Plain([u32; 4]);

impl Word4 for Plain {
    fn splat(x: u32) -> Self {
        Plain([x; 4])
    }
    fn from_lanes(x: [u32; 4]) -> Self {
        Plain(x)
    }
    fn lanes(self) -> [u32; 4] {
        self.0
    }
    fn add(self, o: Self) -> Self {
        Plain(std::array::from_fn(|i| self.0[i].wrapping_add(o.0[i])))
    }
    fn xor(self, o: Self) -> Self {
        Plain(std::array::from_fn(|i| self.0[i] ^ o.0[i]))
    }
    fn and(self, o: Self) -> Self {
        Plain(std::array::from_fn(|i| self.0[i] & o.0[i]))
    }
    fn or(self, o: Self) -> Self {
        Plain(std::array::from_fn(|i| self.0[i] | o.0[i]))
    }
    fn and_not(self, o: Self) -> Self {
        Plain(std::array::from_fn(|i| self.0[i] & !o.0[i]))
    }
    fn shr(self, n: u32) -> Self {
        Plain(self.0.map(|x| x >> n))
    }
    fn shl(self, n: u32) -> Self {
        Plain(self.0.map(|x| x << n))
    }
    fn rotr(self, n: u32) -> Self {
        Plain(self.0.map(|x| x.rotate_right(n)))
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use core::arch::wasm32::*;

    use super::{Word4, BLOCK};

    /// One `v128`, a `u32` per lane.
    #[derive(Clone, Copy)]
    pub(super) struct V(v128);

    impl Word4 for V {
        #[inline(always)]
        fn splat(x: u32) -> Self {
            V(u32x4_splat(x))
        }
        #[inline(always)]
        fn from_lanes(x: [u32; 4]) -> Self {
            V(u32x4(x[0], x[1], x[2], x[3]))
        }
        #[inline(always)]
        fn lanes(self) -> [u32; 4] {
            [
                u32x4_extract_lane::<0>(self.0),
                u32x4_extract_lane::<1>(self.0),
                u32x4_extract_lane::<2>(self.0),
                u32x4_extract_lane::<3>(self.0),
            ]
        }
        #[inline(always)]
        fn add(self, o: Self) -> Self {
            V(i32x4_add(self.0, o.0))
        }
        #[inline(always)]
        fn xor(self, o: Self) -> Self {
            V(v128_xor(self.0, o.0))
        }
        #[inline(always)]
        fn and(self, o: Self) -> Self {
            V(v128_and(self.0, o.0))
        }
        #[inline(always)]
        fn or(self, o: Self) -> Self {
            V(v128_or(self.0, o.0))
        }
        #[inline(always)]
        fn and_not(self, o: Self) -> Self {
            V(v128_andnot(self.0, o.0))
        }
        #[inline(always)]
        fn shr(self, n: u32) -> Self {
            V(u32x4_shr(self.0, n))
        }
        #[inline(always)]
        fn shl(self, n: u32) -> Self {
            V(i32x4_shl(self.0, n))
        }

        /// Sixteen bytes of each block at a time, transposed with shuffles and turned
        /// big-endian: no per-word lane inserts.
        #[inline(always)]
        fn load(b: [&[u8; BLOCK]; 4]) -> [Self; 16] {
            let swap = |v: v128| {
                V(i8x16_shuffle::<
                    3,
                    2,
                    1,
                    0,
                    7,
                    6,
                    5,
                    4,
                    11,
                    10,
                    9,
                    8,
                    15,
                    14,
                    13,
                    12,
                >(v, v))
            };
            let mut w = [V(u32x4_splat(0)); 16];
            for q in 0..4 {
                let row = |l: usize| {
                    let mut r = [0u8; 16];
                    r.copy_from_slice(&b[l][16 * q..16 * q + 16]);
                    let x = u128::from_le_bytes(r);
                    u64x2(x as u64, (x >> 64) as u64)
                };
                let (r0, r1, r2, r3) = (row(0), row(1), row(2), row(3));
                let t0 = i32x4_shuffle::<0, 4, 1, 5>(r0, r1);
                let t1 = i32x4_shuffle::<2, 6, 3, 7>(r0, r1);
                let t2 = i32x4_shuffle::<0, 4, 1, 5>(r2, r3);
                let t3 = i32x4_shuffle::<2, 6, 3, 7>(r2, r3);
                w[4 * q] = swap(i64x2_shuffle::<0, 2>(t0, t2));
                w[4 * q + 1] = swap(i64x2_shuffle::<1, 3>(t0, t2));
                w[4 * q + 2] = swap(i64x2_shuffle::<0, 2>(t1, t3));
                w[4 * q + 3] = swap(i64x2_shuffle::<1, 3>(t1, t3));
            }
            w
        }
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
type W = simd::V;
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
type W = Plain;

/// One block of each of four streams into their states (FIPS 180-4, 6.2.2).
#[inline(always)]
fn compress4<T: Word4>(state: &mut [T; 8], blocks: [&[u8; BLOCK]; 4]) {
    let mut w = T::load(blocks);
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;
    for t in 0..64 {
        let wt = if t < 16 {
            w[t]
        } else {
            let x15 = w[(t + 1) & 15];
            let x2 = w[(t + 14) & 15];
            let s0 = x15.rotr(7).xor(x15.rotr(18)).xor(x15.shr(3));
            let s1 = x2.rotr(17).xor(x2.rotr(19)).xor(x2.shr(10));
            let next = w[t & 15].add(s0).add(w[(t + 9) & 15].add(s1));
            w[t & 15] = next;
            next
        };
        let s1 = e.rotr(6).xor(e.rotr(11)).xor(e.rotr(25));
        let ch = e.and(f).xor(g.and_not(e));
        let t1 = h.add(s1).add(ch.add(T::splat(K[t]))).add(wt);
        let s0 = a.rotr(2).xor(a.rotr(13)).xor(a.rotr(22));
        let maj = a.and(b).or(c.and(a.or(b)));
        let t2 = s0.add(maj);
        h = g;
        g = f;
        f = e;
        e = d.add(t1);
        d = c;
        c = b;
        b = a;
        a = t1.add(t2);
    }
    for (s, x) in state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
        *s = s.add(x);
    }
}

/// One stream's bytes not yet hashed and its length so far.
#[derive(Default)]
struct Lane {
    open: bool,
    /// Bytes pushed and not yet hashed start at `at`.
    buf: Vec<u8>,
    at: usize,
    len: u64,
    /// Some of its blocks went through the vector with other lanes.
    together: bool,
}

impl Lane {
    fn waiting(&self) -> usize {
        self.buf.len().saturating_sub(self.at)
    }
}

/// Up to [`LANES`] SHA-256 streams hashed together (see the module's doc): open a lane per
/// blob ([`Lanes::open`]), push its bytes in any pieces as they are read ([`Lanes::push`]),
/// and take its digest when its last byte is in ([`Lanes::finish`]). Each push hashes every
/// block that all open lanes have (a lane ahead of the others waits for them: its bytes stay
/// in [`Lanes::waiting`], which a reader may use to hold back its next read).
pub struct Lanes {
    state: [W; 8],
    lanes: [Lane; LANES],
}

impl Default for Lanes {
    fn default() -> Self {
        Lanes::new()
    }
}

impl Lanes {
    /// No lane open.
    pub fn new() -> Lanes {
        Lanes {
            state: H0.map(W::splat),
            lanes: Default::default(),
        }
    }

    /// How many lanes are open.
    pub fn open_count(&self) -> usize {
        self.lanes.iter().filter(|l| l.open).count()
    }

    /// Opens a free lane for a new stream and returns its number (0–3); `None` when all four
    /// are open.
    pub fn open(&mut self) -> Option<usize> {
        let i = self.lanes.iter().position(|l| !l.open)?;
        self.set_state(i, H0);
        if let Some(l) = self.lanes.get_mut(i) {
            *l = Lane {
                open: true,
                ..Lane::default()
            };
        }
        // The vector may start running now that one more lane is open.
        self.run();
        Some(i)
    }

    /// Adds the next `bytes` of lane `lane`'s stream and hashes what can be hashed. Pushing to
    /// a lane that is not open does nothing.
    pub fn push(&mut self, lane: usize, bytes: &[u8]) {
        match self.lanes.get_mut(lane) {
            Some(l) if l.open => {
                // The hashed bytes go before the buffer would grow (or once they are half of
                // it), and it grows only by what comes: its size follows the bytes waiting, not
                // the doublings of a `Vec` (the page's wasm memory never shrinks back).
                let grows = l.buf.len() + bytes.len() > l.buf.capacity();
                if l.at > 0 && (grows || l.at >= l.buf.len() / 2) {
                    l.buf.drain(..l.at);
                    l.at = 0;
                }
                l.buf.reserve_exact(bytes.len());
                l.buf.extend_from_slice(bytes);
                l.len += bytes.len() as u64;
            }
            _ => return,
        }
        self.run();
    }

    /// Bytes of lane `lane` pushed and not yet hashed (waiting for the other lanes).
    pub fn waiting(&self, lane: usize) -> usize {
        self.lanes.get(lane).map_or(0, Lane::waiting)
    }

    /// Whether some of lane `lane`'s blocks were hashed in the vector with other lanes (not
    /// only alone, through `sha2`): what the page records as
    /// [`crate::HashPath::StreamedTogether`]. Read it before [`Lanes::finish`].
    pub fn together(&self, lane: usize) -> bool {
        self.lanes.get(lane).is_some_and(|l| l.together)
    }

    /// Bytes pushed to lane `lane` so far.
    pub fn len(&self, lane: usize) -> u64 {
        self.lanes.get(lane).map_or(0, |l| l.len)
    }

    /// The SHA-256 of everything pushed to lane `lane`, which is closed (free for another
    /// stream); `None` when it was not open.
    pub fn finish(&mut self, lane: usize) -> Option<Digest> {
        let l = self.lanes.get_mut(lane).filter(|l| l.open)?;
        let at = l.at.min(l.buf.len());
        let mut tail = std::mem::take(&mut l.buf).split_off(at);
        let len = l.len;
        *l = Lane::default();
        // FIPS 180-4, 5.1.1: a 1 bit, zeros to 56 bytes past a block boundary, the bit length.
        tail.push(0x80);
        let zeros = (BLOCK + 56 - tail.len() % BLOCK) % BLOCK;
        tail.resize(tail.len() + zeros, 0);
        tail.extend_from_slice(&len.wrapping_mul(8).to_be_bytes());
        let mut state = self.state_of(lane);
        let (blocks, _) = tail.as_chunks::<BLOCK>();
        compress256(&mut state, blocks);
        let mut out = [0u8; 32];
        for (o, w) in out.chunks_exact_mut(4).zip(state) {
            o.copy_from_slice(&w.to_be_bytes());
        }
        // The others may run in the vector, or alone, now that one lane is closed.
        self.run();
        Some(Digest(format!("sha256:{}", hex::encode(out))))
    }

    fn state_of(&self, lane: usize) -> [u32; 8] {
        self.state
            .map(|w| w.lanes().get(lane).copied().unwrap_or(0))
    }

    fn set_state(&mut self, lane: usize, s: [u32; 8]) {
        for (w, x) in self.state.iter_mut().zip(s) {
            let mut l = w.lanes();
            if let Some(v) = l.get_mut(lane) {
                *v = x;
            }
            *w = W::from_lanes(l);
        }
    }

    /// Hashes every block it can: with [`VECTOR_FROM`] or more lanes open, the blocks every
    /// open lane has, four at a time (a closed lane's part of the vector hashes a block of
    /// zeros into a state nobody reads); with fewer, each open lane's blocks alone.
    fn run(&mut self) {
        let open = self.open_count();
        if open >= VECTOR_FROM {
            let blocks = self
                .lanes
                .iter()
                .filter(|l| l.open)
                .map(|l| l.waiting() / BLOCK)
                .min()
                .unwrap_or(0);
            let zero = [0u8; BLOCK];
            for k in 0..blocks {
                let block = |i: usize| -> &[u8; BLOCK] {
                    self.lanes
                        .get(i)
                        .filter(|l| l.open)
                        .and_then(|l| l.buf.get(l.at + k * BLOCK..l.at + (k + 1) * BLOCK))
                        .and_then(|b| b.try_into().ok())
                        .unwrap_or(&zero)
                };
                let four = [block(0), block(1), block(2), block(3)];
                compress4(&mut self.state, four);
            }
            for l in self.lanes.iter_mut().filter(|l| l.open) {
                l.at += blocks * BLOCK;
                l.together |= blocks > 0;
            }
        } else {
            for i in 0..LANES {
                let Some(l) = self.lanes.get(i).filter(|l| l.open) else {
                    continue;
                };
                let whole = l.waiting() / BLOCK * BLOCK;
                if whole == 0 {
                    continue;
                }
                let mut state = self.state_of(i);
                if let Some(bytes) = l.buf.get(l.at..l.at + whole) {
                    compress256(&mut state, bytes.as_chunks::<BLOCK>().0);
                }
                self.set_state(i, state);
                if let Some(l) = self.lanes.get_mut(i) {
                    l.at += whole;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest as _;

    fn want(bytes: &[u8]) -> Digest {
        Digest(format!(
            "sha256:{}",
            hex::encode(sha2::Sha256::digest(bytes))
        ))
    }

    /// Deterministic bytes (a xorshift), so a failure reproduces.
    fn bytes(n: usize, seed: u64) -> Vec<u8> {
        let mut x = seed | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    #[test]
    fn the_four_lane_rounds_give_sha256_of_each_block() {
        let data = bytes(4 * 64 * 3, 7);
        let blocks: Vec<&[u8; 64]> = data.as_chunks::<64>().0.iter().collect();
        let mut four = H0.map(Plain::splat);
        for k in 0..3 {
            compress4(
                &mut four,
                [blocks[k], blocks[3 + k], blocks[6 + k], blocks[9 + k]],
            );
        }
        for lane in 0..4 {
            let mut one = H0;
            let mine: Vec<[u8; 64]> = (0..3).map(|k| *blocks[3 * lane + k]).collect();
            compress256(&mut one, &mine);
            assert_eq!(four.map(|w| w.0[lane]), one, "lane {lane}");
        }
    }

    /// Streams of every length from 0 to 300 bytes and some longer, pushed in pieces of
    /// varied sizes, one to four at a time (so both the vector and the one-lane path run,
    /// and lanes close and reopen while others are mid-stream): each digest is `sha2`'s.
    #[test]
    fn every_stream_gets_its_own_sha256() {
        let lengths: Vec<usize> = (0..=300)
            .chain([1000, 4095, 4096, 70_000, 200_001])
            .collect();
        for width in 1..=LANES {
            let streams: Vec<Vec<u8>> = lengths
                .iter()
                .enumerate()
                .map(|(i, &n)| bytes(n, i as u64 * 31 + width as u64))
                .collect();
            let mut lanes = Lanes::new();
            let mut together = 0;
            // (stream, lane, bytes pushed)
            let mut running: Vec<(usize, usize, usize)> = Vec::new();
            let mut next = 0;
            let mut step = 0usize;
            while next < streams.len() || !running.is_empty() {
                while running.len() < width && next < streams.len() {
                    let lane = lanes.open().expect("a free lane");
                    running.push((next, lane, 0));
                    next += 1;
                }
                // Each running stream gets a piece of a size that varies with the step.
                let mut done = Vec::new();
                for (k, (s, lane, at)) in running.iter_mut().enumerate() {
                    step += 1;
                    let piece = [1, 63, 64, 65, 700, 4096, 10_007][(step + k) % 7];
                    let data = &streams[*s];
                    let end = (*at + piece).min(data.len());
                    lanes.push(*lane, &data[*at..end]);
                    *at = end;
                    if *at == data.len() {
                        done.push(k);
                    }
                }
                for k in done.into_iter().rev() {
                    let (s, lane, _) = running.remove(k);
                    assert_eq!(lanes.len(lane), streams[s].len() as u64);
                    together += usize::from(lanes.together(lane));
                    let got = lanes.finish(lane).expect("an open lane");
                    assert_eq!(
                        got,
                        want(&streams[s]),
                        "width {width}, length {}",
                        lengths[s]
                    );
                }
            }
            assert_eq!(lanes.open_count(), 0);
            // One or two at a time, never in the vector; three or four, many were (not those
            // shorter than a block, which only `finish` hashes).
            if width < VECTOR_FROM {
                assert_eq!(together, 0);
            } else {
                assert!(
                    together > streams.len() / 4,
                    "{together} of {}",
                    streams.len()
                );
            }
        }
    }

    #[test]
    fn a_lane_ahead_waits_for_the_others_in_the_vector() {
        let mut lanes = Lanes::new();
        let (a, b, c) = (lanes.open(), lanes.open(), lanes.open());
        let (a, b, c) = (a.unwrap(), b.unwrap(), c.unwrap());
        lanes.push(a, &[1; 640]);
        assert_eq!(lanes.waiting(a), 640, "b and c have nothing yet");
        lanes.push(b, &[2; 128]);
        lanes.push(c, &[3; 200]);
        assert_eq!(lanes.waiting(a), 512);
        assert_eq!(lanes.waiting(b), 0);
        assert!(lanes.together(a) && lanes.together(b) && lanes.together(c));
        assert_eq!(lanes.waiting(c), 72);
        // Closing one leaves two: each goes on alone.
        assert_eq!(lanes.finish(b), Some(want(&[2; 128])));
        assert_eq!(lanes.waiting(a), 0);
        assert_eq!(lanes.waiting(c), 8);
        assert_eq!(lanes.finish(a), Some(want(&[1; 640])));
        assert_eq!(lanes.finish(c), Some(want(&[3; 200])));
        assert_eq!(lanes.finish(c), None, "closed");
        assert!(lanes.open().is_some());
    }
}
