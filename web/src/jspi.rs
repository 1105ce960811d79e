//! The scanner's walk on reads that suspend it rather than block it: JavaScript Promise
//! Integration (JSPI), set up by `worker_loader.js`, which says why (issue 13, target 3) and
//! holds the JavaScript half: the BYOB reads into pooled buffers, the read-ahead, the buffers
//! lent to the hasher and given back.
//!
//! The order of a scan this way: the message handler stashes the scan ([`run_soon`]) and
//! returns; `worker_loader.js` calls the worker's `pancake_scan_run` export on a fresh stack
//! (JSPI's `promising`), which runs the same synchronous scan with its [`FileSource`]
//! suspending ([`read`] → `pancakeReadAsync`, JSPI's `Suspending`). While it is suspended
//! the worker hears messages again: the buffers given back come to `worker_loader.js`; the
//! page's requests wait in [`hold`]'s queue until the scan is over, as they waited in the
//! browser's queue behind a blocking scan.
//!
//! [`FileSource`]: crate::file_source::FileSource

use std::cell::{Cell, RefCell};
use std::io;

use js_sys::{ArrayBuffer, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::File;

#[wasm_bindgen]
extern "C" {
    /// `worker_loader.js`: reads `file` from `start` into wasm memory at `ptr` (room for `cap`
    /// bytes) — at least to `need_end`, to `end` if read afresh — suspending the calling
    /// stack until it is done, and with `ahead` starts reading the pieces after it. The bytes
    /// written, -2 when the file can no longer be read (changed or gone on disk), -1 when it
    /// could not be read for another reason.
    #[wasm_bindgen(js_name = pancakeReadAsync)]
    fn read_async(
        file: &File,
        start: f64,
        need_end: f64,
        end: f64,
        ptr: u32,
        cap: u32,
        ahead: bool,
    ) -> f64;
    /// `worker_loader.js`: the buffer holding the last read (its first bytes), now lent.
    #[wasm_bindgen(js_name = pancakeTakePiece)]
    fn take_piece_js() -> JsValue;
    /// `worker_loader.js`: a buffer of the pool, now lent, waiting for one to come back when
    /// all are out (suspending the calling stack).
    #[wasm_bindgen(js_name = pancakeBorrow)]
    fn borrow_js() -> JsValue;
    /// `worker_loader.js`: a buffer from [`take_piece`] or [`borrow`] that was not lent after
    /// all, back to the pool.
    #[wasm_bindgen(js_name = pancakeGiveBack)]
    pub fn give_back(buf: &ArrayBuffer);
    /// `worker_loader.js`: `port` (to the hasher) is where buffers lent over it come back.
    #[wasm_bindgen(js_name = pancakeLendTo)]
    pub fn lend_to(port: &JsValue);
    /// `worker_loader.js`: calls `pancake_scan_run` on a stack of its own, soon.
    #[wasm_bindgen(js_name = pancakeRunScan)]
    fn run_scan_js();
}

/// `worker_loader.js` installed JSPI in this worker (the browser has it).
pub fn available() -> bool {
    Reflect::get(&js_sys::global(), &JsValue::from_str("pancakeJspi"))
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// Reads `file` from `start` into `dst` (see `read_async`; `ahead`: the walk reads on from
/// there, so the pieces after it are read meanwhile); only inside `pancake_scan_run`.
pub fn read(
    file: &File,
    start: u64,
    need_end: u64,
    end: u64,
    ahead: bool,
    dst: &mut [u8],
) -> io::Result<usize> {
    let cap = u32::try_from(dst.len()).unwrap_or(u32::MAX);
    // The address in wasm memory, as JavaScript writes there (wasm32: addresses are 32-bit).
    let ptr = dst.as_mut_ptr() as usize as u32;
    let n = read_async(
        file,
        start as f64,
        need_end as f64,
        end as f64,
        ptr,
        cap,
        ahead,
    );
    if n.is_finite() && n >= 0.0 && n <= f64::from(cap) {
        Ok(n as usize)
    } else if n == -2.0 {
        Err(io::Error::other(crate::file_source::NOT_READABLE))
    } else {
        Err(io::Error::other(format!(
            "a read of the file from byte {start} failed (the file may have changed or been removed)"
        )))
    }
}

/// The size of the pool's buffers (`worker_loader.js`'s `PIECE`), in bytes.
pub const PIECE: usize = 2 << 20;

/// A buffer of [`PIECE`] bytes from the pool, to lend to the hasher (waiting for one when all
/// are out); only inside `pancake_scan_run`.
pub fn borrow() -> Option<ArrayBuffer> {
    borrow_js()
        .dyn_into::<ArrayBuffer>()
        .ok()
        .filter(|b| b.byte_length() as usize >= PIECE)
}

/// The buffer of the last [`read`], to lend to the hasher.
pub fn take_piece() -> Option<ArrayBuffer> {
    take_piece_js().dyn_into().ok()
}

/// A scan waiting for `pancake_scan_run`: what the message handler would have run.
pub type Scan = Box<dyn FnOnce()>;

thread_local! {
    static PENDING: RefCell<Option<Scan>> = const { RefCell::new(None) };
    static SCANNING: Cell<bool> = const { Cell::new(false) };
    static HELD: RefCell<Vec<JsValue>> = const { RefCell::new(Vec::new()) };
}

/// Runs `scan` on a stack JSPI can suspend, soon; until it is over, messages are [`hold`]
/// back.
pub fn run_soon(scan: Scan) {
    SCANNING.with(|s| s.set(true));
    PENDING.with(|p| *p.borrow_mut() = Some(scan));
    run_scan_js();
}

/// The scan [`run_soon`] stashed, run (by `pancake_scan_run`); then the messages held back
/// meanwhile, in their order, handed to `handle` (which may start another scan: those after
/// it wait again).
pub fn run_pending(handle: &dyn Fn(JsValue)) {
    if let Some(scan) = PENDING.with(|p| p.borrow_mut().take()) {
        scan();
    }
    SCANNING.with(|s| s.set(false));
    loop {
        if SCANNING.with(Cell::get) {
            return;
        }
        let next = HELD.with(|h| {
            let mut h = h.borrow_mut();
            (!h.is_empty()).then(|| h.remove(0))
        });
        match next {
            Some(data) => handle(data),
            None => return,
        }
    }
}

/// While a scan runs, keeps a message (its `data`) for after it: `true` when it was kept.
pub fn hold(data: &JsValue) -> bool {
    if SCANNING.with(Cell::get) {
        HELD.with(|h| h.borrow_mut().push(data.clone()));
        true
    } else {
        false
    }
}
