//! `ReadAt` over a browser `File`, read synchronously with `FileReaderSync` (workers only),
//! or, during the scanner's walk where the browser has JSPI, by reads that suspend the walk
//! instead ([`FileSource::suspending`], [`crate::jspi`]). The file is never copied whole into
//! wasm memory: only the slices asked for.

use std::cell::{Cell, RefCell};
use std::io;

use pancake_core::read::archive::Options;
use pancake_core::ReadAt;

use crate::feed::Tee;
use web_sys::{File, FileReaderSync};

/// Smallest slice read on a miss; headers are 512 B, so reading more amortizes the call.
const MIN_CHUNK: u64 = 64 * 1024;
/// Largest read-ahead once reads are sequential (a hash pass).
const MAX_CHUNK: u64 = 8 * 1024 * 1024;
/// The same for suspending reads: the buffers `worker_loader.js` pools and lends to the
/// hasher are this size (its `PIECE`), so the pool's memory, let go when the walk ends and
/// collected whenever V8 gets to it, stays small; it reads the next piece ahead, so smaller
/// reads cost no waiting.
const MAX_SUSPENDING_CHUNK: u64 = crate::jspi::PIECE as u64;

pub struct FileSource {
    file: File,
    reader: FileReaderSync,
    len: u64,
    cache: RefCell<Cache>,
    /// While the scanner walks: the hasher fed with what it reads ([`crate::feed`]).
    tee: RefCell<Option<Tee>>,
    /// Reads go through [`crate::jspi::read`] (only inside the scan JSPI runs).
    suspending: Cell<bool>,
    /// The options a hasher reads this file's jobs with: one archive-wide decompression
    /// budget for all of them (`Options::for_archive`), so the jobs of a file of many
    /// compressed layers cannot each decompress up to a layer's bound.
    options: Options,
}

#[derive(Default)]
struct Cache {
    start: u64,
    /// The bytes read at `start`: `data[..filled]` (the suspending reads keep `data` at its
    /// largest size, so that a small read does not zero-fill megabytes to make room).
    data: Vec<u8>,
    filled: usize,
    /// Next chunk size: doubles while reads run on from the last chunk.
    chunk: u64,
}

impl FileSource {
    pub fn new(file: File) -> Result<FileSource, String> {
        let reader = FileReaderSync::new().map_err(|e| format!("FileReaderSync: {e:?}"))?;
        let len = file.size().max(0.0) as u64;
        Ok(FileSource {
            file,
            reader,
            len,
            cache: RefCell::new(Cache::default()),
            tee: RefCell::new(None),
            suspending: Cell::new(false),
            options: Options::default().for_archive(len),
        })
    }

    /// The reading options of this file's hashing jobs (their shared decompression budget).
    pub fn options(&self) -> &Options {
        &self.options
    }

    pub fn file(&self) -> &File {
        &self.file
    }

    /// Hands every piece read from now on to `tee` (the walk that follows reads each piece it
    /// wants once). What was read before is forgotten, so the walk reads it again, for the tee.
    pub fn tee(&self, tee: Tee) {
        *self.cache.borrow_mut() = Cache::default();
        *self.tee.borrow_mut() = Some(tee);
    }

    /// From now on (`true`) reads suspend the calling wasm stack ([`crate::jspi::read`]) —
    /// to be set only for a call JSPI runs (`pancake_scan_run`) — or block (`false`).
    pub fn suspending(&self, on: bool) {
        *self.cache.borrow_mut() = Cache::default();
        self.suspending.set(on);
    }

    /// Stops handing pieces over; the blobs `(offset, len)` fed whole ([`Tee::end`]).
    pub fn untee(&self) -> Vec<(u64, u64)> {
        self.tee
            .borrow_mut()
            .take()
            .map(Tee::end)
            .unwrap_or_default()
    }

    /// Lets go of the read-ahead (up to [`MAX_CHUNK`], grown by a walk's sequential reads):
    /// the reads after a walk are a file's content here and there, and wasm memory, once
    /// grown, is never given back, so the 8 MiB serve the fold of the first view's figures
    /// that follows instead of adding to it.
    pub fn forget_read_ahead(&self) {
        *self.cache.borrow_mut() = Cache::default();
    }

    /// Reads `start..end` of the file into `dst`, reusing its allocation (a hash pass asks for
    /// hundreds of chunks: one buffer, not one allocation each). One copy: JS → wasm memory.
    /// Returns the bytes read, at `dst[..n]`.
    fn read_slice_into(&self, start: u64, end: u64, dst: &mut Vec<u8>) -> io::Result<usize> {
        // The piece goes on to the tee (transferred) once it is copied here.
        let blob = self
            .file
            .slice_with_f64_and_f64(start as f64, end as f64)
            .map_err(|e| io::Error::other(format!("File.slice: {e:?}")))?;
        let buf = self
            .reader
            .read_as_array_buffer(&blob)
            .map_err(|e| io::Error::other(read_failure(&e)))?;
        let arr = js_sys::Uint8Array::new(&buf);
        let n = arr.length() as usize;
        // Only growth is zero-filled; the bytes are overwritten right after.
        if dst.len() < n {
            dst.resize(n, 0);
        }
        if let Some(d) = dst.get_mut(..n) {
            arr.copy_to(d);
        }
        if let Some(tee) = self.tee.borrow_mut().as_mut() {
            tee.offer(start, &buf, n as u32, false);
        }
        Ok(n)
    }

    /// [`Self::read_slice_into`] by a suspending read: at least up to `need_end` (short only
    /// at the end of the file), as far as `end` when read afresh, more when it was read ahead
    /// (at most `dst`'s room, grown to [`MAX_SUSPENDING_CHUNK`] or `end - start`). `ahead`:
    /// a long run of reads, whose next pieces are read meanwhile.
    fn read_suspending(
        &self,
        start: u64,
        need_end: u64,
        end: u64,
        ahead: bool,
        dst: &mut Vec<u8>,
    ) -> io::Result<usize> {
        let room = usize::try_from(end - start)
            .unwrap_or(usize::MAX)
            .max(MAX_SUSPENDING_CHUNK as usize);
        if dst.len() < room {
            dst.resize(room, 0);
        }
        let n = crate::jspi::read(&self.file, start, need_end, end, ahead, dst)?;
        if let Some(tee) = self.tee.borrow_mut().as_mut() {
            // Lent: the hasher gives the buffer back once hashed, to be filled again.
            if let Some(buf) = crate::jspi::take_piece() {
                if !tee.offer(start, &buf, n as u32, true) {
                    crate::jspi::give_back(&buf);
                }
            }
        }
        Ok(n)
    }
}

impl ReadAt for FileSource {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        if offset >= self.len || buf.is_empty() {
            return Ok(0);
        }
        let suspending = self.suspending.get();
        let mut cache = self.cache.borrow_mut();
        let cached_end = cache.start + cache.filled as u64;
        if offset < cache.start || offset >= cached_end {
            // A header walk skips each member's content, so its next read starts a little
            // past the chunk it just used: a gap of at most [`MIN_CHUNK`] is still a
            // sequential run (200,000 small files: a few dozen growing reads, not one 64 KiB
            // read per 64 KiB). A larger gap (over a member of more than 64 KiB) starts small
            // again, so a walk over large files never reads their contents.
            let sequential =
                cache.filled > 0 && offset >= cached_end && offset - cached_end <= MIN_CHUNK;
            let most = if suspending {
                MAX_SUSPENDING_CHUNK
            } else {
                MAX_CHUNK
            };
            let chunk = if sequential {
                (cache.chunk * 2).min(most)
            } else {
                MIN_CHUNK
            };
            // Fed to a hasher, a blob must get every byte: the read starts where the last one
            // ended when a blob wants the bytes in between (at most `MIN_CHUNK` more to read).
            // Suspending reads always run on so: the next piece was read ahead from there.
            let from = if sequential
                && (suspending
                    || self
                        .tee
                        .borrow()
                        .as_ref()
                        .is_some_and(|t| t.wants_from(cached_end)))
            {
                cached_end
            } else {
                offset
            };
            let want = chunk.max(buf.len() as u64).saturating_add(offset - from);
            let end = from.saturating_add(want).min(self.len);
            let mut data = std::mem::take(&mut cache.data);
            // Every read of the walk goes into the suspending reads' pooled buffers (one over
            // their 2 MiB gets a buffer of its own): a `FileReaderSync` read makes a new
            // buffer each time, garbage V8 collects late (it lets ~64 MiB pile up, and the
            // scanner, idle after its walk, keeps the pile: the 2 GiB save's walk of 1,351
            // reads kept 54 MiB more than the 1 GiB save's 678, issue 13's target 5). Only a
            // long run of reads is read ahead: after a read on its own, or the first few of a
            // run (a few files of a mixed layer), reading on would mostly read what the walk
            // then skips.
            let read = if suspending {
                let need_end = offset.saturating_add(buf.len() as u64).min(self.len);
                let ahead = sequential && chunk >= MAX_SUSPENDING_CHUNK;
                self.read_suspending(from, need_end, end, ahead, &mut data)
            } else {
                self.read_slice_into(from, end, &mut data)
            };
            cache.data = data;
            match read {
                Ok(n) => cache.filled = n,
                Err(e) => {
                    cache.filled = 0;
                    return Err(e);
                }
            }
            cache.start = from;
            cache.chunk = chunk;
        }
        let from = usize::try_from(offset - cache.start).unwrap_or(usize::MAX);
        let src = cache
            .data
            .get(..cache.filled)
            .and_then(|d| d.get(from..))
            .unwrap_or(&[]);
        let n = src.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), src.get(..n)) {
            dst.copy_from_slice(src);
        }
        Ok(n)
    }

    fn len(&self) -> u64 {
        self.len
    }
}

/// A read's failure when the browser says the file can no longer be read
/// (`NotReadableError`), synchronous or suspending ([`crate::jspi::read`]).
pub const NOT_READABLE: &str = "the file can no longer be read: it was changed, moved or \
    deleted on disk after it was opened (open it again to check it)";

/// Why a read of the file failed, in words a reader can act on. A file changed, moved or
/// deleted on disk after it was picked can no longer be read (the browser's
/// `NotReadableError`); the layers whose digests were still to come then say so, rather than
/// a script's stack. Any other failure: its name and message, without the stack.
fn read_failure(e: &wasm_bindgen::JsValue) -> String {
    let field = |k: &str| {
        js_sys::Reflect::get(e, &wasm_bindgen::JsValue::from_str(k))
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    };
    match field("name").as_str() {
        "NotReadableError" => NOT_READABLE.to_string(),
        "" => format!("{e:?}"),
        name => format!("{name}: {}", field("message")),
    }
}
