//! The Web Worker: pancake-core over a `File`, answering the page's requests.

fn main() {
    console_panic();
    pancake_web::worker_runtime::run();
}

/// A panic in the worker shows in the console with its message rather than as "unreachable".
fn console_panic() {
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&wasm_bindgen::JsValue::from_str(&info.to_string()));
    }));
}

/// The scanner's walk on reads that suspend it: called by `worker_loader.js` through JSPI's
/// `WebAssembly.promising` (see `pancake_web::jspi`), never by wasm-bindgen's glue.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn pancake_scan_run() {
    pancake_web::worker_runtime::run_scan();
}
