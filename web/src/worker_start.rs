//! Starting the page's Web Workers (the scanner, the hashers, the exporter) on one compiled
//! module (issue 13, targets 3 and 5).
//!
//! Each worker used to fetch and compile `worker_bg.wasm` itself. V8 then keeps the module's
//! compiled code once per worker: measured with `bench/web.js` on the 200,000-file image
//! (a scanner, a hasher and the scanner that adopts the reading), the renderer's peak was
//! ~13 MiB higher and what it kept ~10 MiB higher than with one module compiled here and
//! posted to each worker. A `WebAssembly.Module` posted to a worker of the same page shares
//! its code (functions compiled lazily by one worker serve the others), and the file is
//! fetched once.
//!
//! The module is compiled on the first start (not at page load: the start page stays quick)
//! with `WebAssembly.compileStreaming`. Every worker gets one first message,
//! `{pancakeModule}`: the module, or `null` when it could not be compiled here, and then
//! `web/worker_loader.js` loads the file itself as before. The page posts nothing else to a
//! worker before the worker says it is ready, so that message is always its first.

use std::cell::RefCell;

use wasm_bindgen::{JsCast, JsValue};
use web_sys::Worker;

/// Every worker's script, relative to the page (`public_url = "./"`).
pub const LOADER_URL: &str = "./worker_loader.js";

/// The workers' wasm, relative to the page, as `worker_loader.js` names it relative to itself
/// (both live in `dist/`'s root).
const MODULE_URL: &str = "./worker_bg.wasm";

/// The name of the first message's one property (read by `web/worker_loader.js`).
const MESSAGE_KEY: &str = "pancakeModule";

enum Module {
    /// No worker started yet.
    Unasked,
    /// Being compiled; the workers started meanwhile wait for it.
    Compiling(Vec<Worker>),
    /// Compiled (a `WebAssembly.Module`), or `None` when fetching or compiling failed (each
    /// worker then loads the file itself).
    Settled(Option<JsValue>),
}

thread_local! {
    static MODULE: RefCell<Module> = const { RefCell::new(Module::Unasked) };
}

/// Starts a worker on [`LOADER_URL`] and gives it the workers' compiled module, now or once
/// compiled. Errors: the browser's, when it cannot start a worker.
pub fn start() -> Result<Worker, JsValue> {
    let worker = Worker::new(LOADER_URL)?;
    let compile = MODULE.with(|m| {
        let mut m = m.borrow_mut();
        match &mut *m {
            Module::Unasked => {
                *m = Module::Compiling(vec![worker.clone()]);
                true
            }
            Module::Compiling(waiting) => {
                waiting.push(worker.clone());
                false
            }
            Module::Settled(module) => {
                give(&worker, module.as_ref());
                false
            }
        }
    });
    if compile {
        self::compile();
    }
    Ok(worker)
}

/// Fetches and compiles the module, then gives it to the workers waiting for it.
fn compile() {
    let Some(window) = web_sys::window() else {
        return settle(None);
    };
    let compiling = js_sys::WebAssembly::compile_streaming(&window.fetch_with_str(MODULE_URL));
    wasm_bindgen_futures::spawn_local(async move {
        let module = wasm_bindgen_futures::JsFuture::from(compiling)
            .await
            .ok()
            .filter(|m| m.is_instance_of::<js_sys::WebAssembly::Module>());
        if module.is_none() {
            // Each worker fetches the file itself, as it did before; nothing is lost but the
            // sharing.
            web_sys::console::warn_1(&JsValue::from_str(
                "worker_bg.wasm could not be compiled on the page: each worker loads it",
            ));
        }
        settle(module);
    });
}

fn settle(module: Option<JsValue>) {
    let waiting = MODULE.with(|m| {
        match std::mem::replace(&mut *m.borrow_mut(), Module::Settled(module.clone())) {
            Module::Compiling(waiting) => waiting,
            _ => Vec::new(),
        }
    });
    for worker in waiting {
        give(&worker, module.as_ref());
    }
}

/// Posts `{pancakeModule: module}` (`null` for none). A worker stopped meanwhile drops it.
fn give(worker: &Worker, module: Option<&JsValue>) {
    let msg = js_sys::Object::new();
    let module = module.cloned().unwrap_or(JsValue::NULL);
    let _ = js_sys::Reflect::set(&msg, &JsValue::from_str(MESSAGE_KEY), &module);
    if let Err(e) = worker.post_message(&msg) {
        web_sys::console::error_1(&e);
    }
}
