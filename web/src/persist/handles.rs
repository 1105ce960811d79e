//! The browser's File System Access handles, called through `js_sys::Reflect` (web-sys does
//! not bind them all, and a browser without them must simply find no function):
//! `window.showOpenFilePicker` for the open buttons, `DataTransferItem.getAsFileSystemHandle`
//! on a drop, and on reopen `FileSystemHandle.requestPermission({mode: 'read'})` then
//! `FileSystemFileHandle.getFile()` (WICG File System Access).
//!
//! Each browser call that needs the person's gesture (a click, a drop) is started in the
//! event handler itself; only its promise is awaited later.

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::File;

use super::store::Remembered;
use super::Reason;

fn get(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

/// Calls `o[name](args…)` when `o[name]` is a function; `None` when there is none.
fn call(o: &JsValue, name: &str, args: &Array) -> Option<Result<JsValue, JsValue>> {
    let f = get(o, name).dyn_into::<Function>().ok()?;
    Some(f.apply(o, args))
}

/// `DOMException.name` (`AbortError`, `NotFoundError`, `NotAllowedError` …).
fn error_name(e: &JsValue) -> String {
    get(e, "name").as_string().unwrap_or_default()
}

fn message(e: &JsValue) -> String {
    get(e, "message")
        .as_string()
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}

/// Whether this browser has `showOpenFilePicker` (Chromium-based ones do; Firefox and
/// Safari do not: they keep the `<input type=file>`).
pub fn picker_available() -> bool {
    !PICKER_REFUSED.with(|r| r.get())
        && web_sys::window().is_some_and(|w| get(&w, "showOpenFilePicker").is_function())
}

thread_local! {
    /// The picker refused to open on this page (a cross-origin frame, a permissions policy).
    static PICKER_REFUSED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The picker refused to open: later picks use the page's `<input type=file>` directly.
pub fn picker_refused() {
    PICKER_REFUSED.with(|r| r.set(true));
}

/// Opens the browser's file picker (several files allowed). Call from the click handler.
pub fn start_pick() -> Option<Promise> {
    if PICKER_REFUSED.with(|r| r.get()) {
        return None;
    }
    let w: JsValue = web_sys::window()?.into();
    let opts = Object::new();
    let _ = Reflect::set(&opts, &JsValue::from_str("multiple"), &JsValue::TRUE);
    call(&w, "showOpenFilePicker", &Array::of1(&opts))?
        .ok()?
        .dyn_into::<Promise>()
        .ok()
}

/// The picked files with their handles, in the picker's order. Empty when the person
/// closed the picker (`AbortError`); `Err` for anything else.
pub async fn finish_pick(p: Promise) -> Result<Vec<(File, JsValue)>, String> {
    let handles = match JsFuture::from(p).await {
        Ok(v) => v,
        Err(e) if error_name(&e) == "AbortError" => return Ok(Vec::new()),
        Err(e) => return Err(message(&e)),
    };
    let handles: Array = handles.dyn_into().map_err(|e| message(&e))?;
    let mut out = Vec::new();
    for h in handles.iter() {
        let file = file_of(&h).await.map_err(|e| message(&e))?;
        out.push((file, h));
    }
    Ok(out)
}

async fn file_of(handle: &JsValue) -> Result<File, JsValue> {
    let p =
        call(handle, "getFile", &Array::new()).ok_or_else(|| JsValue::from_str("no getFile"))??;
    JsFuture::from(p.dyn_into::<Promise>()?).await?.dyn_into()
}

/// `getAsFileSystemHandle()` of each file item of a drop, started now (the items are gone
/// once the drop event returns). Browsers without it give none.
pub fn start_drop(dt: &web_sys::DataTransfer) -> Vec<Promise> {
    let items: JsValue = dt.items().into();
    let n = get(&items, "length").as_f64().unwrap_or(0.0) as u32;
    (0..n)
        .filter_map(|i| Reflect::get_u32(&items, i).ok())
        .filter(|item| get(item, "kind").as_string().as_deref() == Some("file"))
        .filter_map(|item| call(&item, "getAsFileSystemHandle", &Array::new())?.ok())
        .filter_map(|p| p.dyn_into::<Promise>().ok())
        .collect()
}

/// The dropped files' handles (a directory's or a failed one's left out), with each one's
/// `File` so it can be matched to what was opened.
pub async fn finish_drop(promises: Vec<Promise>) -> Vec<(File, JsValue)> {
    let mut out = Vec::new();
    for p in promises {
        let Ok(h) = JsFuture::from(p).await else {
            continue;
        };
        if get(&h, "kind").as_string().as_deref() != Some("file") {
            continue;
        }
        if let Ok(f) = file_of(&h).await {
            out.push((f, h));
        }
    }
    out
}

/// Asks for read permission on every remembered handle at once, in the click that asked to
/// reopen them (a later ask would have lost the gesture). `None` for a file without one.
pub fn start_permissions(files: &[Remembered]) -> Vec<Option<Promise>> {
    files
        .iter()
        .map(|f| {
            let h = f.handle.as_ref()?;
            let opts = Object::new();
            let _ = Reflect::set(
                &opts,
                &JsValue::from_str("mode"),
                &JsValue::from_str("read"),
            );
            match call(h, "requestPermission", &Array::of1(&opts)) {
                Some(Ok(p)) => p.dyn_into::<Promise>().ok(),
                // No permission API (a handle from the origin-private file system in an
                // older engine): `getFile` alone decides.
                _ => Some(Promise::resolve(&JsValue::from_str("granted"))),
            }
        })
        .collect()
}

/// Each remembered file, opened again, or why not: in the remembered order.
pub async fn finish_reopen(
    files: &[Remembered],
    asks: Vec<Option<Promise>>,
) -> Vec<Result<File, Reason>> {
    let mut out = Vec::new();
    for (f, ask) in files.iter().zip(asks) {
        out.push(reopen_one(f, ask).await);
    }
    out
}

async fn reopen_one(f: &Remembered, ask: Option<Promise>) -> Result<File, Reason> {
    let (Some(h), Some(ask)) = (f.handle.as_ref(), ask) else {
        return Err(Reason::NoHandle);
    };
    match JsFuture::from(ask).await {
        Ok(v) if v.as_string().as_deref() == Some("granted") => {}
        Ok(_) => return Err(Reason::Denied),
        Err(e) if error_name(&e) == "NotFoundError" => return Err(Reason::Gone),
        Err(e) if error_name(&e) == "NotAllowedError" => return Err(Reason::Denied),
        Err(e) => return Err(Reason::Failed(message(&e))),
    }
    let file = match file_of(h).await {
        Ok(file) => file,
        Err(e) if error_name(&e) == "NotFoundError" => return Err(Reason::Gone),
        Err(e) if error_name(&e) == "NotAllowedError" => return Err(Reason::Denied),
        Err(e) => return Err(Reason::Failed(message(&e))),
    };
    let size = file.size().max(0.0) as u64;
    if super::changed(f, size, file.last_modified()) {
        return Err(Reason::Changed);
    }
    Ok(file)
}
