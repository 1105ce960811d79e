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
//! `{pancakeModule}`: the module, or `null` when it could not be compiled here, or not within
//! [`COMPILE_WAIT_MS`] (a fetch that never ends would otherwise hold every worker of the
//! page), and then `web/worker_loader.js` loads the file itself as before; it does so too when
//! the module it got cannot be instantiated. The page posts nothing else to a worker before
//! the worker says it is ready, so that message is always its first.

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

/// How long the workers wait for the page's compile before each loads the file itself (ms).
/// On localhost it takes ~30 ms; a slow link may take seconds to fetch 1.2 MB, which each
/// worker's own fetch would take too.
pub const COMPILE_WAIT_MS: u32 = 15_000;

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
        settle(None);
        return;
    };
    let compiling = js_sys::WebAssembly::compile_streaming(&window.fetch_with_str(MODULE_URL));
    gloo::timers::callback::Timeout::new(COMPILE_WAIT_MS, || {
        if settle(None) {
            web_sys::console::warn_1(&JsValue::from_str(
                "worker_bg.wasm was not compiled on the page in time: each worker loads it",
            ));
        }
    })
    .forget();
    wasm_bindgen_futures::spawn_local(async move {
        let module = wasm_bindgen_futures::JsFuture::from(compiling)
            .await
            .ok()
            .filter(|m| m.is_instance_of::<js_sys::WebAssembly::Module>());
        let failed = module.is_none();
        if settle(module) && failed {
            // Each worker fetches the file itself, as it did before; nothing is lost but the
            // sharing.
            web_sys::console::warn_1(&JsValue::from_str(
                "worker_bg.wasm could not be compiled on the page: each worker loads it",
            ));
        }
    });
}

/// Ends the compile with `module` and gives it to the workers waiting; `false` (and nothing
/// done) when it had ended already (a module compiled after the wait gave up is dropped: the
/// workers started meanwhile load the file themselves, and so do later ones).
fn settle(module: Option<JsValue>) -> bool {
    let waiting = MODULE.with(|m| {
        let mut m = m.borrow_mut();
        match &mut *m {
            Module::Compiling(waiting) => {
                let waiting = std::mem::take(waiting);
                *m = Module::Settled(module.clone());
                Some(waiting)
            }
            _ => None,
        }
    });
    let Some(waiting) = waiting else {
        return false;
    };
    for worker in waiting {
        give(&worker, module.as_ref());
    }
    true
}

/// Posts `{pancakeModule: module}` (`null` for none); when the module cannot be posted, `null`,
/// so the worker still loads. A worker stopped meanwhile drops it.
fn give(worker: &Worker, module: Option<&JsValue>) {
    let post = |module: &JsValue| {
        let msg = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&msg, &JsValue::from_str(MESSAGE_KEY), module);
        worker.post_message(&msg)
    };
    if let Err(e) = post(module.unwrap_or(&JsValue::NULL)) {
        web_sys::console::error_1(&e);
        if module.is_some() {
            let _ = post(&JsValue::NULL);
        }
    }
}
