//! The remembered session in IndexedDB: one record, key `last` in the store `session` of the
//! database `pancake-files` (its own database, so the containers' schema is untouched).
//!
//! The record is a plain JS object, stored by structured clone — the one way to keep a
//! `FileSystemFileHandle`, which cannot be turned into text:
//! `{v: 1, files: [{name, size, lastModified, handle}], place: "?view=…"}`, files in session
//! order, `size` in bytes, `lastModified` in ms since the epoch (as `File.lastModified`),
//! `handle` the handle or `null` where the browser gave none. Nothing leaves the browser.

use std::cell::RefCell;

use crate::idb::{done, err};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{IdbDatabase, IdbTransactionMode};

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

async fn db() -> Result<IdbDatabase, String> {
    crate::idb::open(&OPEN, DB, STORE).await
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
