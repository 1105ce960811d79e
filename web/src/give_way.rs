//! Giving a hashing worker's thread back to its event loop now and then, so the messages
//! waiting for it are handled while it hashes.
//!
//! A BYOB read of a `File`'s stream whose bytes the browser already holds resolves within the
//! same microtask checkpoint, and hashing is slower than reading: a hasher's loop of reads
//! and hashing ([`crate::hashing::stream_sha256`], [`crate::lanes`]) then never leaves the
//! microtask queue, and no task runs until the blob is hashed. Its messages waited all that
//! time: the job the page gave a hasher hashing a layer beside the walk started only when
//! that layer was hashed, so its progress never reached the page and the bar stood at 0 %
//! for the whole of a 1.1 GB layer's verification (seen 6 Dec, most runs).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// How long (ms) a hasher's loop may keep the thread before it gives way: messages wait at
/// most about this long, and the ~10 yields a second cost nothing next to the hashing.
pub const EVERY_MS: f64 = 50.0;

/// Milliseconds of a monotonic clock (`performance.now()`; `Date.now()` where there is none).
pub fn now_ms() -> f64 {
    Reflect::get(&js_sys::global(), &JsValue::from_str("performance"))
        .ok()
        .and_then(|p| {
            let now: Function = Reflect::get(&p, &JsValue::from_str("now"))
                .ok()?
                .dyn_into()
                .ok()?;
            now.call0(&p).ok()?.as_f64()
        })
        .unwrap_or_else(js_sys::Date::now)
}

/// Tracks when a loop last gave way.
pub struct GiveWay {
    since: f64,
}

impl Default for GiveWay {
    fn default() -> Self {
        GiveWay { since: now_ms() }
    }
}

impl GiveWay {
    /// Gives way ([`give_way`]) when the loop has kept the thread [`EVERY_MS`] or more.
    pub async fn now_and_then(&mut self) {
        if now_ms() - self.since >= EVERY_MS {
            give_way().await;
            self.since = now_ms();
        }
    }
}

/// Resolves once the tasks waiting (messages among them) have had their turn: a message to
/// itself over this worker's `MessageChannel`, queued behind them. Not `scheduler.yield()`,
/// whose continuation goes before tasks already waiting (measured: the job stayed unseen),
/// nor a `setTimeout` of 0, clamped to 4 ms once such calls nest (this loop may run on inside
/// one timer task's microtasks). Without `MessageChannel`, no pause.
pub async fn give_way() {
    if let Some(p) = message_to_self() {
        // It only resolves; an error would only mean no pause.
        let _ = JsFuture::from(p).await;
    }
}

/// One channel per worker, made at the first give-way and kept: its `port1` answers each
/// message by resolving the oldest give-way waiting (a channel per give-way would stay open
/// until the collector found it, some 20 a second).
struct Channel {
    port2: JsValue,
    post: Function,
    waiting: Rc<RefCell<VecDeque<Function>>>,
}

thread_local! {
    static CHANNEL: RefCell<Option<Rc<Channel>>> = const { RefCell::new(None) };
}

fn channel() -> Option<Rc<Channel>> {
    if let Some(c) = CHANNEL.with(|c| c.borrow().clone()) {
        return Some(c);
    }
    let class: Function = Reflect::get(&js_sys::global(), &JsValue::from_str("MessageChannel"))
        .ok()?
        .dyn_into()
        .ok()?;
    let channel = Reflect::construct(&class, &js_sys::Array::new()).ok()?;
    let port1 = Reflect::get(&channel, &JsValue::from_str("port1")).ok()?;
    let port2 = Reflect::get(&channel, &JsValue::from_str("port2")).ok()?;
    let post: Function = Reflect::get(&port2, &JsValue::from_str("postMessage"))
        .ok()?
        .dyn_into()
        .ok()?;
    let waiting: Rc<RefCell<VecDeque<Function>>> = Rc::default();
    let answer = {
        let waiting = Rc::clone(&waiting);
        Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
            let next = waiting.borrow_mut().pop_front();
            if let Some(resolve) = next {
                let _ = resolve.call0(&JsValue::UNDEFINED);
            }
        })
    };
    // Setting `onmessage` starts the port. The handler lives as long as the worker.
    Reflect::set(&port1, &JsValue::from_str("onmessage"), answer.as_ref()).ok()?;
    answer.forget();
    let c = Rc::new(Channel {
        port2,
        post,
        waiting,
    });
    CHANNEL.with(|slot| *slot.borrow_mut() = Some(Rc::clone(&c)));
    Some(c)
}

fn message_to_self() -> Option<Promise> {
    let c = channel()?;
    let mut resolve: Option<Function> = None;
    let p = Promise::new(&mut |res, _| resolve = Some(res));
    c.waiting.borrow_mut().push_back(resolve?);
    if c.post.call1(&c.port2, &JsValue::NULL).is_err() {
        // Never answered: no pause rather than a wait for ever.
        c.waiting.borrow_mut().pop_back();
        return None;
    }
    Some(p)
}
