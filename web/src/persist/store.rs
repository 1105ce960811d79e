//! The remembered session in IndexedDB: one record, key `last` in the store `session` of the
//! database `pancake-files` (its own database, so the containers' schema is untouched).
//!
//! The record is a plain JS object, stored by structured clone — the one way to keep a
//! `FileSystemFileHandle`, which cannot be turned into text:
//! `{v: 1, files: [{name, size, lastModified, handle}], place: "?view=…"}`, files in session
//! order, `size` in bytes, `lastModified` in ms since the epoch (as `File.lastModified`),
//! `handle` the handle or `null` where the browser gave none. Nothing leaves the browser.

use std::cell::RefCell;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbRequest, IdbTransactionMode};

const DB: &str = "pancake-files";
const STORE: &str = "session";
const KEY: &str = "last";

/// One remembered file.
#[derive(Clone, Debug)]
pub struct Remembered {
    pub name: String,
    /// Bytes.
    pub size: u64,
    /// `File.lastModified`: ms since the epoch.
    pub last_modified: f64,
    /// The `FileSystemFileHandle`, where the browser gave one.
    pub handle: Option<JsValue>,
}

/// What a reload finds.
#[derive(Clone, Debug, Default)]
pub struct Record {
    pub files: Vec<Remembered>,
    /// The query string the page had (`?view=files&layer=3…`), to restore after reopening.
    pub place: String,
}

thread_local! {
    static OPEN: RefCell<Option<js_sys::Promise>> = const { RefCell::new(None) };
}

fn err(e: JsValue) -> String {
    e.as_string()
        .or_else(|| {
            Reflect::get(&e, &JsValue::from_str("message"))
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| format!("{e:?}"))
}

async fn done(req: &IdbRequest) -> Result<JsValue, String> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let r = req.clone();
        let ok = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call1(&JsValue::NULL, &r.result().unwrap_or(JsValue::UNDEFINED));
        });
        let r = req.clone();
        let bad = Closure::once_into_js(move |_: web_sys::Event| {
            let why = r
                .error()
                .ok()
                .flatten()
                .map(|e| e.message())
                .unwrap_or_else(|| "IndexedDB request failed".into());
            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str(&why));
        });
        req.set_onsuccess(Some(ok.unchecked_ref()));
        req.set_onerror(Some(bad.unchecked_ref()));
    });
    JsFuture::from(promise).await.map_err(err)
}

/// The database, opened once; every caller awaits the same promise, so writes start (and
/// IndexedDB runs them) in call order: a later save never lands before an earlier one.
async fn db() -> Result<IdbDatabase, String> {
    let promise = match OPEN.with(|o| o.borrow().clone()) {
        Some(p) => p,
        None => {
            let factory = web_sys::window()
                .ok_or("no window")?
                .indexed_db()
                .map_err(err)?
                .ok_or("this browser keeps no IndexedDB (private mode?)")?;
            let req = factory.open_with_u32(DB, 1).map_err(err)?;
            let upgrade = {
                let r = req.clone();
                Closure::once_into_js(move |_: web_sys::Event| {
                    if let Ok(db) = r.result().and_then(|v| v.dyn_into::<IdbDatabase>()) {
                        // Version 1 is the only schema: an upgrade is always from nothing.
                        let _ = db.create_object_store(STORE);
                    }
                })
            };
            req.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
            let req: IdbRequest = req.into();
            let p = wasm_bindgen_futures::future_to_promise(async move {
                done(&req).await.map_err(|e| JsValue::from_str(&e))
            });
            OPEN.with(|o| *o.borrow_mut() = Some(p.clone()));
            p
        }
    };
    match JsFuture::from(promise).await {
        Ok(v) => v.dyn_into().map_err(err),
        Err(e) => {
            OPEN.with(|o| *o.borrow_mut() = None);
            Err(err(e))
        }
    }
}

fn set(o: &Object, k: &str, v: &JsValue) {
    let _ = Reflect::set(o, &JsValue::from_str(k), v);
}

fn get(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

fn to_js(r: &Record) -> JsValue {
    let files = Array::new();
    for f in &r.files {
        let o = Object::new();
        set(&o, "name", &JsValue::from_str(&f.name));
        set(&o, "size", &JsValue::from_f64(f.size as f64));
        set(&o, "lastModified", &JsValue::from_f64(f.last_modified));
        set(&o, "handle", f.handle.as_ref().unwrap_or(&JsValue::NULL));
        files.push(&o);
    }
    let o = Object::new();
    set(&o, "v", &JsValue::from_f64(1.0));
    set(&o, "files", &files);
    set(&o, "place", &JsValue::from_str(&r.place));
    o.into()
}

/// The record as stored; entries that are not of this shape are left out.
fn from_js(v: &JsValue) -> Record {
    let files = get(v, "files")
        .dyn_into::<Array>()
        .map(|a| {
            a.iter()
                .filter_map(|f| {
                    let name = get(&f, "name").as_string()?;
                    let size = get(&f, "size").as_f64().filter(|s| *s >= 0.0)?;
                    let handle = get(&f, "handle");
                    Some(Remembered {
                        name,
                        size: size as u64,
                        last_modified: get(&f, "lastModified").as_f64().unwrap_or(0.0),
                        handle: (!handle.is_null() && !handle.is_undefined()).then_some(handle),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Record {
        files,
        place: get(v, "place").as_string().unwrap_or_default(),
    }
}

/// Replaces the record (an empty list deletes it).
pub async fn save(r: Record) -> Result<(), String> {
    let db = db().await?;
    let tx = db
        .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)
        .map_err(err)?;
    let store = tx.object_store(STORE).map_err(err)?;
    let req = if r.files.is_empty() {
        store.delete(&JsValue::from_str(KEY)).map_err(err)?
    } else {
        store
            .put_with_key(&to_js(&r), &JsValue::from_str(KEY))
            .map_err(err)?
    };
    done(&req).await.map(|_| ())
}

/// The record a previous page left, if any.
pub async fn load() -> Result<Option<Record>, String> {
    let db = db().await?;
    let tx = db.transaction_with_str(STORE).map_err(err)?;
    let store = tx.object_store(STORE).map_err(err)?;
    let req = store.get(&JsValue::from_str(KEY)).map_err(err)?;
    let v = done(&req).await?;
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    Ok(Some(from_js(&v)).filter(|r| !r.files.is_empty()))
}
