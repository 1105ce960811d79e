//! Containers survive a reload: each is kept in IndexedDB as the serde JSON of its
//! `Container` value, keyed `<image config digest>/<container id>`, until removed.

use std::cell::RefCell;

use crate::idb::{done, err};
use pancake_core::write::container::{Container, ImageRef, UpperEntry};
use pancake_core::RawPath;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{IdbDatabase, IdbKeyRange, IdbObjectStore, IdbTransactionMode};

const DB: &str = "pancake";
const STORE: &str = "containers";

thread_local! {
    static OPEN: RefCell<Option<js_sys::Promise>> = const { RefCell::new(None) };
}

async fn db() -> Result<IdbDatabase, String> {
    crate::idb::open(&OPEN, DB, STORE).await
}

fn key(image: &str, id: &str) -> String {
    format!("{image}/{id}")
}

/// What is stored: the container and its place in the list (ids are hashes, not ordered).
/// The writable layer goes as a list of pairs: JSON object keys must be text, and a path
/// is raw bytes.
#[derive(serde::Serialize, serde::Deserialize)]
struct Stored {
    order: u32,
    id: String,
    name: String,
    image: ImageRef,
    upper: Vec<(RawPath, UpperEntry)>,
}

impl Stored {
    fn of(order: u32, c: Container) -> Stored {
        Stored {
            order,
            id: c.id,
            name: c.name,
            image: c.image,
            upper: c.upper.into_iter().collect(),
        }
    }

    fn container(self) -> Container {
        Container {
            id: self.id,
            name: self.name,
            image: self.image,
            upper: self.upper.into_iter().collect(),
        }
    }
}

/// The store in a new read-write transaction. It commits on its own once its requests are
/// done, so use it at once (no await before the first request).
async fn writable() -> Result<IdbObjectStore, String> {
    let db = db().await?;
    let tx = db
        .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)
        .map_err(err)?;
    tx.object_store(STORE).map_err(err)
}

pub async fn save(image: String, order: u32, c: Container) -> Result<(), String> {
    let c = Stored::of(order, c);
    let json = serde_json::to_string(&c).map_err(|e| e.to_string())?;
    let store = writable().await?;
    let req = store
        .put_with_key(
            &JsValue::from_str(&json),
            &JsValue::from_str(&key(&image, &c.id)),
        )
        .map_err(err)?;
    done(&req).await.map(|_| ())
}

pub async fn remove(image: String, id: String) -> Result<(), String> {
    let store = writable().await?;
    let req = store
        .delete(&JsValue::from_str(&key(&image, &id)))
        .map_err(err)?;
    done(&req).await.map(|_| ())
}

/// Every container stored for `image`, in the order they were run.
pub async fn load(image: String) -> Result<Vec<Container>, String> {
    let db = db().await?;
    let tx = db.transaction_with_str(STORE).map_err(err)?;
    let store = tx.object_store(STORE).map_err(err)?;
    // Every key `image/…`: `0` is the byte after `/`.
    let range = IdbKeyRange::bound(
        &JsValue::from_str(&format!("{image}/")),
        &JsValue::from_str(&format!("{image}0")),
    )
    .map_err(err)?;
    let req = store.get_all_with_key(&range).map_err(err)?;
    let all: js_sys::Array = done(&req).await?.dyn_into().map_err(err)?;
    let mut out = Vec::new();
    for v in all.iter() {
        let Some(text) = v.as_string() else { continue };
        match serde_json::from_str::<Stored>(&text) {
            Ok(c) => out.push(c),
            Err(e) => web_sys::console::warn_1(&JsValue::from_str(&format!(
                "a stored container could not be read and was skipped: {e}"
            ))),
        }
    }
    out.sort_by_key(|s| s.order);
    Ok(out.into_iter().map(Stored::container).collect())
}
