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
