//! Exports for `run.js`: one piece buffer in wasm memory that the script fills, and for
//! each kernel `reset`/`update(len)`/`finish` over it (the digest lands in `OUT`).
#![allow(clippy::missing_safety_doc)]

use sha2::Digest as _;

mod straight;
use straight as ours;

static mut PIECE: Vec<u8> = Vec::new();
static mut OUT: [u8; 32] = [0; 32];
static mut SHA2: Option<sha2::Sha256> = None;
static mut OURS: Option<ours::Sha256> = None;

/// Makes the piece buffer `len` bytes long and returns its address.
#[no_mangle]
pub unsafe extern "C" fn piece(len: usize) -> *mut u8 {
    let p = &mut *std::ptr::addr_of_mut!(PIECE);
    p.resize(len, 0);
    p.as_mut_ptr()
}

#[no_mangle]
pub unsafe extern "C" fn out() -> *const u8 {
    std::ptr::addr_of!(OUT).cast()
}

unsafe fn bytes(len: usize) -> &'static [u8] {
    let p = &*std::ptr::addr_of!(PIECE);
    p.get(..len).unwrap_or(&[])
}

#[no_mangle]
pub unsafe extern "C" fn sha2_reset() {
    *std::ptr::addr_of_mut!(SHA2) = Some(sha2::Sha256::new());
}

#[no_mangle]
pub unsafe extern "C" fn sha2_update(len: usize) {
    if let Some(h) = (*std::ptr::addr_of_mut!(SHA2)).as_mut() {
        h.update(bytes(len));
    }
}

#[no_mangle]
pub unsafe extern "C" fn sha2_finish() {
    if let Some(h) = (*std::ptr::addr_of_mut!(SHA2)).take() {
        (*std::ptr::addr_of_mut!(OUT)).copy_from_slice(&h.finalize());
    }
}

#[no_mangle]
pub unsafe extern "C" fn ours_reset() {
    *std::ptr::addr_of_mut!(OURS) = Some(ours::Sha256::default());
}

#[no_mangle]
pub unsafe extern "C" fn ours_update(len: usize) {
    if let Some(h) = (*std::ptr::addr_of_mut!(OURS)).as_mut() {
        h.update(bytes(len));
    }
}

#[no_mangle]
pub unsafe extern "C" fn ours_finish() {
    if let Some(h) = (*std::ptr::addr_of_mut!(OURS)).take() {
        (*std::ptr::addr_of_mut!(OUT)).copy_from_slice(&h.finalize());
    }
}

static mut LANES: Option<(pancake_core::digest::lanes::Lanes, [usize; 4])> = None;

/// Four lanes of the core's `Lanes`, a quarter of each piece each.
#[no_mangle]
pub unsafe extern "C" fn lanes_reset() {
    let mut l = pancake_core::digest::lanes::Lanes::new();
    let ids = [0; 4].map(|_| l.open().unwrap_or(0));
    *std::ptr::addr_of_mut!(LANES) = Some((l, ids));
}

#[no_mangle]
pub unsafe extern "C" fn lanes_update(len: usize) {
    let b = bytes(len);
    let q = len / 4;
    if let Some((l, ids)) = (*std::ptr::addr_of_mut!(LANES)).as_mut() {
        for (k, id) in ids.iter().enumerate() {
            l.push(*id, &b[k * q..(k + 1) * q]);
        }
    }
}

/// 1 when the core's lanes agree with `sha2` for streams of many lengths pushed in uneven
/// pieces, four, three, two and one at a time (the vector and the one-lane path).
#[no_mangle]
pub extern "C" fn lanes_check() -> u32 {
    use pancake_core::digest::lanes::Lanes;
    let data: Vec<u8> = (0..300_000u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    for width in 1..=4usize {
        for len in (0..=200).chain([1000, 4095, 4096, 65_537, 250_000]) {
            let mut l = Lanes::new();
            let ids: Vec<usize> = (0..width).map(|_| l.open().unwrap_or(9)).collect();
            let ms: Vec<&[u8]> = (0..width).map(|k| &data[k * 11..k * 11 + len]).collect();
            let mut at = vec![0usize; width];
            let mut step = 0;
            while at.iter().zip(&ms).any(|(a, m)| *a < m.len()) {
                for k in 0..width {
                    step += 1;
                    let piece = [1, 63, 64, 65, 700, 4096, 10_007][step % 7];
                    let end = (at[k] + piece).min(ms[k].len());
                    l.push(ids[k], &ms[k][at[k]..end]);
                    at[k] = end;
                }
            }
            for k in 0..width {
                let want = format!("sha256:{}", hex(&sha2::Sha256::digest(ms[k])));
                if l.finish(ids[k]).map(|d| d.as_str().to_string()) != Some(want) {
                    return 0;
                }
            }
        }
    }
    1
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[cfg(target_arch = "wasm32")]
mod multi;

#[cfg(target_arch = "wasm32")]
static mut MULTI: Option<(multi::State4, u64)> = None;

/// Four lanes from the first `len` bytes of the piece, a quarter each (`len / 4` a multiple of
/// 64): lane `l` continues with bytes `l * len / 4 ..`.
#[cfg(target_arch = "wasm32")]
#[no_mangle]
pub unsafe extern "C" fn multi_reset() {
    *std::ptr::addr_of_mut!(MULTI) = Some((multi::State4::new(), 0));
}

#[cfg(target_arch = "wasm32")]
#[no_mangle]
pub unsafe extern "C" fn multi_update(len: usize) {
    let b = bytes(len);
    let q = len / 4;
    if let Some((st, n)) = (*std::ptr::addr_of_mut!(MULTI)).as_mut() {
        for i in 0..q / 64 {
            let blk = |l: usize| -> &[u8; 64] { b[l * q + i * 64..l * q + i * 64 + 64].try_into().unwrap() };
            st.blocks([blk(0), blk(1), blk(2), blk(3)]);
        }
        *n += q as u64;
    }
}

/// 1 when the four-lane kernel agrees with `sha2` on every length 0..=300 and some larger ones.
#[cfg(target_arch = "wasm32")]
#[no_mangle]
pub extern "C" fn multi_check() -> u32 {
    let data: Vec<u8> = (0..40_000u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    for len in (0..=300).chain([1000, 4095, 4096, 9999]) {
        let m = [0, 1, 2, 3].map(|l| &data[l * 7..l * 7 + len]);
        let got = multi::hash4(m);
        for l in 0..4 {
            let want: [u8; 32] = sha2::Sha256::digest(m[l]).into();
            if got[l] != want {
                return 0;
            }
        }
    }
    1
}
