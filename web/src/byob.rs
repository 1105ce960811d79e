//! Reading a slice of a `File` through a BYOB ("bring your own buffer") reader of its byte
//! stream (WHATWG Streams, `ReadableStreamBYOBReader`): the browser writes into an
//! `ArrayBuffer` the worker hands it and hands the same memory back (transferred, so the
//! old handle is detached and the answer carries the new one). Reading a blob of any size
//! this way allocates nothing per read: `File.slice().arrayBuffer()` makes a new buffer per
//! piece, garbage that waits for V8's GC, and that garbage was most of the page's memory
//! growth while hashing (issue 13, target 5; `bench/kernel/pipeline.js` measures both).
//!
//! Called through `Reflect` rather than typed `web-sys` bindings: the calls are few, and new
//! `web-sys` features would rebuild every web dependency for both wasm profiles.

use js_sys::{ArrayBuffer, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// A BYOB reader over one `Blob`'s bytes, front to back.
pub struct ByobReader {
    reader: JsValue,
    read: Function,
}

/// What one read gave: `len` bytes at the start of the view it was asked to fill (so at
/// byte `at` of `buffer`, the offset asked for); `done` once the stream has ended (then
/// `len` is 0). `buffer` is the memory handed in, usable again.
pub struct Chunk {
    pub buffer: ArrayBuffer,
    pub len: u32,
    pub done: bool,
}

impl Chunk {
    /// The chunk a read's promise resolved with (`{done, value}`); `None` when the stream was
    /// cancelled (no view comes back).
    pub fn from_result(result: &JsValue) -> Option<Chunk> {
        let done = get(result, "done")?.as_bool().unwrap_or(false);
        let view: Uint8Array = get(result, "value")?.dyn_into().ok()?;
        Some(Chunk {
            buffer: view.buffer(),
            len: view.byte_length(),
            done,
        })
    }
}

fn get(target: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(target, &JsValue::from_str(key)).ok()
}

impl ByobReader {
    /// A BYOB reader of `blob.stream()`; `None` when this browser's blob streams are not byte
    /// streams (`getReader({mode: "byob"})` throws) or lack `stream()`: the caller reads
    /// another way.
    pub fn open(blob: &web_sys::Blob) -> Option<ByobReader> {
        let stream_fn: Function = get(blob, "stream")?.dyn_into().ok()?;
        let stream = stream_fn.call0(blob).ok()?;
        let get_reader: Function = get(&stream, "getReader")?.dyn_into().ok()?;
        let opts = Object::new();
        Reflect::set(&opts, &"mode".into(), &"byob".into()).ok()?;
        let reader = get_reader.call1(&stream, &opts).ok()?;
        let read: Function = get(&reader, "read")?.dyn_into().ok()?;
        Some(ByobReader { reader, read })
    }

    /// Starts a read of at most `len` bytes into `buffer` from byte `at` on; `buffer` is
    /// transferred (detached here) until [`ByobReader::answer`] gives it back. `None` when
    /// the range is outside `buffer` or the reader refuses.
    pub fn read(&self, buffer: &ArrayBuffer, at: u32, len: u32) -> Option<JsFuture> {
        if at.checked_add(len)? > buffer.byte_length() || len == 0 {
            return None;
        }
        let view = Uint8Array::new_with_byte_offset_and_length(buffer, at, len);
        let promise: Promise = self.read.call1(&self.reader, &view).ok()?.dyn_into().ok()?;
        Some(JsFuture::from(promise))
    }

    /// The answer to a read started by [`ByobReader::read`]; `None` when it failed (the file
    /// changed or could not be read) or the stream was cancelled (no buffer comes back).
    pub async fn answer(pending: JsFuture) -> Option<Chunk> {
        Chunk::from_result(&pending.await.ok()?)
    }

    /// Stops the stream (the rest of the blob is not wanted): the browser can drop what it
    /// read ahead.
    pub fn cancel(&self) {
        if let Some(Ok(cancel)) = get(&self.reader, "cancel").map(|f| f.dyn_into::<Function>()) {
            // Its promise and any error are of no interest: the bytes wanted are all read,
            // and a reader that cannot cancel is simply collected with its stream.
            let _ = cancel.call0(&self.reader);
        }
    }
}
