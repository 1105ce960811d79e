//! Four SHA-256 streams at once, one per 32-bit lane of wasm's 128-bit SIMD (the
//! "multi-buffer" technique of Intel's ISA-L for CPUs without SHA instructions): each round's
//! additions, rotations and logic run on four independent messages in one instruction, so
//! four blobs of a save hash for about the cost of fewer than four. An experiment for issue 13,
//! target 1: the page hashes several layers at once, and wasm has no SHA instructions.

#[cfg(target_arch = "wasm32")]
use core::arch::wasm32::*;

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

pub const H0: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

#[cfg(target_arch = "wasm32")]
#[inline(always)]
fn rotr<const N: u32, const M: u32>(x: v128) -> v128 {
    v128_or(u32x4_shr(x, N), i32x4_shl(x, M))
}

/// Four states, word `i` of lane `l` in lane `l` of `s[i]`.
#[cfg(target_arch = "wasm32")]
pub struct State4 {
    pub s: [v128; 8],
}

#[cfg(target_arch = "wasm32")]
impl State4 {
    pub fn new() -> State4 {
        State4 {
            s: H0.map(|h| u32x4_splat(h)),
        }
    }

    /// The state of lane `l`.
    pub fn lane(&self, l: usize) -> [u32; 8] {
        self.s.map(|v| {
            let mut a = [0u32; 4];
            // SAFETY: a v128 is 16 bytes, as is `a`.
            unsafe { v128_store(a.as_mut_ptr().cast(), v) };
            a[l & 3]
        })
    }

    /// One 64-byte block of each of the four streams.
    #[inline(always)]
    pub fn blocks(&mut self, b: [&[u8; 64]; 4]) {
        // Big-endian words, transposed: w[t] holds word t of each lane's block.
        let mut w = [u32x4_splat(0); 16];
        let swap = |v: v128| i8x16_shuffle::<3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12>(v, v);
        for q in 0..4 {
            // SAFETY: each block is 64 bytes; the loads read 16 bytes at 16 * q.
            let (r0, r1, r2, r3) = unsafe {
                (
                    v128_load(b[0].as_ptr().add(16 * q).cast()),
                    v128_load(b[1].as_ptr().add(16 * q).cast()),
                    v128_load(b[2].as_ptr().add(16 * q).cast()),
                    v128_load(b[3].as_ptr().add(16 * q).cast()),
                )
            };
            // 4x4 transpose of 32-bit words.
            let t0 = i32x4_shuffle::<0, 4, 1, 5>(r0, r1);
            let t1 = i32x4_shuffle::<2, 6, 3, 7>(r0, r1);
            let t2 = i32x4_shuffle::<0, 4, 1, 5>(r2, r3);
            let t3 = i32x4_shuffle::<2, 6, 3, 7>(r2, r3);
            w[4 * q] = swap(i64x2_shuffle::<0, 2>(t0, t2));
            w[4 * q + 1] = swap(i64x2_shuffle::<1, 3>(t0, t2));
            w[4 * q + 2] = swap(i64x2_shuffle::<0, 2>(t1, t3));
            w[4 * q + 3] = swap(i64x2_shuffle::<1, 3>(t1, t3));
        }
        let [mut a, mut bb, mut c, mut d, mut e, mut f, mut g, mut h] = self.s;
        macro_rules! round {
            ($t:expr, $wt:expr) => {{
                let s1 = v128_xor(v128_xor(rotr::<6, 26>(e), rotr::<11, 21>(e)), rotr::<25, 7>(e));
                let ch = v128_xor(v128_and(e, f), v128_andnot(g, e));
                let t1 = i32x4_add(
                    i32x4_add(i32x4_add(h, s1), i32x4_add(ch, u32x4_splat(K[$t]))),
                    $wt,
                );
                let s0 = v128_xor(v128_xor(rotr::<2, 30>(a), rotr::<13, 19>(a)), rotr::<22, 10>(a));
                let maj = v128_or(v128_and(a, bb), v128_and(c, v128_or(a, bb)));
                let t2 = i32x4_add(s0, maj);
                h = g;
                g = f;
                f = e;
                e = i32x4_add(d, t1);
                d = c;
                c = bb;
                bb = a;
                a = i32x4_add(t1, t2);
            }};
        }
        for t in 0..16 {
            round!(t, w[t]);
        }
        for t in 16..64 {
            let x15 = w[(t - 15) & 15];
            let x2 = w[(t - 2) & 15];
            let s0 = v128_xor(v128_xor(rotr::<7, 25>(x15), rotr::<18, 14>(x15)), u32x4_shr(x15, 3));
            let s1 = v128_xor(v128_xor(rotr::<17, 15>(x2), rotr::<19, 13>(x2)), u32x4_shr(x2, 10));
            let wt = i32x4_add(i32x4_add(w[t & 15], s0), i32x4_add(w[(t - 7) & 15], s1));
            w[t & 15] = wt;
            round!(t, wt);
        }
        let add = [a, bb, c, d, e, f, g, h];
        for i in 0..8 {
            self.s[i] = i32x4_add(self.s[i], add[i]);
        }
    }
}

/// The SHA-256 of each of four messages of equal length, hashed together.
#[cfg(target_arch = "wasm32")]
pub fn hash4(m: [&[u8]; 4]) -> [[u8; 32]; 4] {
    let len = m[0].len();
    let mut st = State4::new();
    let full = len / 64;
    for i in 0..full {
        let blk = |l: usize| -> &[u8; 64] { m[l][i * 64..i * 64 + 64].try_into().unwrap() };
        st.blocks([blk(0), blk(1), blk(2), blk(3)]);
    }
    // Padding: the tail, 0x80, zeros, the bit length; one or two blocks.
    let pad = |x: &[u8]| -> Vec<u8> {
        let mut p = x[full * 64..].to_vec();
        p.push(0x80);
        while p.len() % 64 != 56 {
            p.push(0);
        }
        p.extend_from_slice(&((len as u64) * 8).to_be_bytes());
        p
    };
    let p = m.map(pad);
    for i in 0..p[0].len() / 64 {
        let blk = |x: &Vec<u8>| -> [u8; 64] { x[i * 64..i * 64 + 64].try_into().unwrap() };
        let (b0, b1, b2, b3) = (blk(&p[0]), blk(&p[1]), blk(&p[2]), blk(&p[3]));
        st.blocks([&b0, &b1, &b2, &b3]);
    }
    [0, 1, 2, 3].map(|l| {
        let mut out = [0u8; 32];
        for (i, w) in st.lane(l).iter().enumerate() {
            out[4 * i..4 * i + 4].copy_from_slice(&w.to_be_bytes());
        }
        out
    })
}
