//! The IndexedDB plumbing the page's stores share (`container_store.rs`: containers;
//! `persist/store.rs`: the remembered files): a request as a future, a database opened once
//! per page with one object store of schema version 1, and errors as text for people.

use std::cell::RefCell;
use std::thread::LocalKey;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbRequest};

/// Where a store keeps the promise of its opened database (a `thread_local!` of the store).
pub type Opening = LocalKey<RefCell<Option<js_sys::Promise>>>;

/// A JS error's message (or its debug form).
pub fn err(e: JsValue) -> String {
    e.as_string()
        .or_else(|| {
            js_sys::Reflect::get(&e, &JsValue::from_str("message"))
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| format!("{e:?}"))
}

/// A request's result once it succeeds.
pub async fn done(req: &IdbRequest) -> Result<JsValue, String> {
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

/// Database `name` (version 1, one object store `store`), opened once. Every caller awaits
/// the same promise, so continuations (and thus transactions) start in call order, and
/// IndexedDB runs overlapping read-write transactions in the order they were created: a
/// later save never lands before an earlier one. A failed open is forgotten, so a later call
/// tries again.
pub async fn open(
    opening: &'static Opening,
    name: &str,
    store: &'static str,
) -> Result<IdbDatabase, String> {
    let promise = match opening.with(|o| o.borrow().clone()) {
        Some(p) => p,
        None => {
            let p = open_promise(name, store)?;
            opening.with(|o| *o.borrow_mut() = Some(p.clone()));
            p
        }
    };
    match JsFuture::from(promise).await {
        Ok(v) => v.dyn_into().map_err(err),
        Err(e) => {
            opening.with(|o| *o.borrow_mut() = None);
            Err(err(e))
        }
    }
}

fn open_promise(name: &str, store: &'static str) -> Result<js_sys::Promise, String> {
    let factory = web_sys::window()
        .ok_or("no window")?
        .indexed_db()
        .map_err(err)?
        .ok_or("this browser keeps no IndexedDB (private mode?)")?;
    let req = factory.open_with_u32(name, 1).map_err(err)?;
    let upgrade = {
        let r = req.clone();
        Closure::once_into_js(move |_: web_sys::Event| {
            if let Ok(db) = r.result().and_then(|v| v.dyn_into::<IdbDatabase>()) {
                // Version 1 is the only schema: an upgrade is always from nothing.
                let _ = db.create_object_store(store);
            }
        })
    };
    req.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
    let req: IdbRequest = req.into();
    Ok(wasm_bindgen_futures::future_to_promise(async move {
        done(&req).await.map_err(|e| JsValue::from_str(&e))
    }))
}
