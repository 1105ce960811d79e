// The Web Workers' entry (hashers, scanner, exporter): loads wasm-bindgen's no-modules glue,
// then starts the worker's wasm. Ours rather than Trunk's `data-loader-shim`, which calls
// `wasm_bindgen(path)`, the form wasm-bindgen deprecates (a console warning per worker).
importScripts('./worker.js');

// Reads that wait without blocking, for the scanner's walk of a layer tar (issue 13, target 3).
//
// The walk is synchronous Rust over `ReadAt`; in a worker the only synchronous read of a
// `File` is `FileReaderSync`, which makes a new `ArrayBuffer` per read: a 264 MB layer of
// 200,000 small files read that way left 264 MB of garbage for V8 to find, and the walk could
// not read ahead while it parsed. With JavaScript Promise Integration (JSPI: the
// `WebAssembly.Suspending` / `WebAssembly.promising` wrappers, in Chromium since 137) the
// same synchronous walk suspends its wasm stack on a read and resumes when the read is done,
// so a read can be an asynchronous BYOB read (`blob.stream()`, "bring your own buffer") into
// buffers used again and again, the next piece is read while this one is parsed, and the
// buffers handed to the hasher come back to be filled again — garbage none, and the pieces
// waiting for the hasher bounded (`POOL_MOST`) by waiting for one to come back.
//
// Only the scanner's scan runs this way (`pancake_scan_run`, called from here, not from the
// glue: a suspended stack must have no wasm frames of another call under it), every read of
// it, a read on its own too (then nothing is read ahead: `readOn`); every other read keeps
// `FileReaderSync` (`FileSource`). Where JSPI is missing nothing here is installed and the walk reads
// synchronously (`tests/e2e/suspending-reads.test.js` reads both ways).
(function () {
  const Suspending = WebAssembly.Suspending;
  const promising = WebAssembly.promising;
  if (typeof Suspending !== 'function' || typeof promising !== 'function') return;

  const PIECE = 2 << 20; // bytes per pooled buffer: the walk's largest read (`MAX_SUSPENDING_CHUNK`, `jspi::PIECE`)
  const AHEAD = 3; // reads ahead at once
  // Buffers in all (16 MiB): the reads ahead, the last read, those lent. The walk waits for
  // the hasher anyway; 16 buffers (32 MiB) gave the same times on the 200,000 files and the
  // 1 GiB .tar.gz, and 12 MiB more of the renderer's peak (bench/web.js, 5 Dec). It must
  // leave room to lend beyond the reads ahead and the last read: only lent buffers come back
  // while the walk is suspended, so with AHEAD + 1 buffers a compressed save's pass, which
  // borrows one more for the hasher (`pancakeBorrow`), waited WAIT_BACK_MS for every borrow
  // (4 buffers, tried 5 Dec: the 1 GiB .tar.gz read at 0.6 MB/s; the 200,000 files' peak was
  // 13 MiB lower). With one to lend, each borrow would wait for the hasher to give the last
  // piece back: two at least, so one is hashed while the next is filled.
  const POOL_MOST = 8;
  if (POOL_MOST < AHEAD + 1 + 2) throw new Error('the read pool leaves no buffer to lend');
  const WAIT_BACK_MS = 2000; // a buffer lent and not back by then is given up on
  const STALL_MS = 3000; // a read that gives nothing for this long is read another way

  let exports = null; // the instance's exports: its memory, `pancake_scan_run`
  let run = null; // `pancake_scan_run`, promising
  // What the reads did, for the tests and whoever looks at a worker: reads that suspended,
  // buffers lent to the hasher and given back, the most buffers made at once, reads that
  // stalled and were read synchronously instead, and waits for a lent buffer given up on.
  const stats = { suspended: 0, lent: 0, back: 0, most: 0, stalled: 0, gaveUp: 0 };
  self.pancakeReadStats = stats;
  const free = []; // buffers ready to fill
  let made = 0; // buffers made in all (free, filling, holding the last read, or lent)
  const waiting = []; // resolvers of reads waiting for a buffer, in order
  let last = null; // {buf}: the last read's buffer, until the next read or a lend
  let ahead = []; // [{start, end, promise of {buf, n} or null}]: the reads ahead, in order

  let scanning = false; // buffers are pooled only while a scan runs: then they are let go
  let scanId = 0; // which scan is running (its cleanup must not touch the next one's pool)
  let gaveUp = false; // the hasher stopped giving buffers back: no more lending this scan
  let lendPort = null; // the port to the hasher buffers are lent over, if any
  // A buffer no longer wanted: to the hasher, if there is one, which drops it — its memory is
  // freed with that worker, stopped once the file is verified, rather than waiting here for
  // V8's collector in a worker that stays (the scanner keeps the index for the page).
  const letGo = (buf) => {
    if (lendPort && buf && buf.byteLength > 0) {
      try {
        lendPort.postMessage({ drop: buf }, [buf]);
      } catch (e) {
        // Not transferable (detached already): nothing held.
      }
    }
  };
  const give = (buf) => {
    if (!scanning) {
      letGo(buf);
      return;
    }
    if (buf && buf.byteLength === PIECE) {
      if (made > POOL_MOST) {
        made -= 1;
        return;
      }
      free.push(buf);
      const w = waiting.shift();
      if (w) w();
    }
  };

  async function buffer(size) {
    if (size > PIECE) return new ArrayBuffer(size);
    // Every buffer is out (with the hasher, most of them): wait for one to come back — the
    // walk then runs at the hasher's pace.
    while (!free.length && made >= POOL_MOST) {
      let wake;
      const back = await Promise.race([
        new Promise((res) => { wake = () => res(true); waiting.push(wake); }),
        new Promise((res) => setTimeout(() => res(false), WAIT_BACK_MS)),
      ]);
      if (!back) {
        // A hasher that stopped giving buffers back: nothing more is lent for the rest of
        // this scan (the blobs not fed whole are hashed the usual way), and one more buffer
        // is made (one less kept when one comes back, `give`).
        gaveUp = true;
        stats.gaveUp += 1;
        // The buffers it holds are written off: the pool makes new ones in their place
        // rather than waiting for them.
        made = Math.max(0, made - (stats.lent - stats.back));
        const i = waiting.indexOf(wake);
        if (i >= 0) waiting.splice(i, 1);
        break;
      }
    }
    if (free.length) return free.pop();
    made += 1;
    stats.most = Math.max(stats.most, made);
    return new ArrayBuffer(PIECE);
  }

  // The name of the last read's failure (`NotReadableError`: the file changed or went away
  // on disk), for the walk to say so in the same words as a synchronous read's.
  let lastFailure = null;
  const failure = (name) => (name === 'NotReadableError' ? -2 : -1);

  // The readers of the reads under way, held here: a blob stream that only a pending read
  // refers to can be collected by V8 with its read never answered (seen: one read in a few
  // hundred of a 264 MB walk stalled, and the walk with it).
  const live = new Set();

  // Fills a pooled buffer from `len` bytes of `file` at `start` with a BYOB reader; the
  // buffer (moved by each read) and how many bytes came (fewer only at the end of the file),
  // or null when the file cannot be read. A read that gives nothing for `STALL_MS` is given
  // up and the rest read synchronously (`FileReaderSync`), so no stall stops the walk.
  async function fill(file, start, len, size) {
    let buf = await buffer(size);
    const pooled = size <= PIECE;
    let n = 0;
    const reader = file.slice(start, start + len).stream().getReader({ mode: 'byob' });
    live.add(reader);
    try {
      while (n < len) {
        const read = reader.read(new Uint8Array(buf, n, len - n));
        let timer;
        const stalled = new Promise((res) => { timer = setTimeout(() => res(null), STALL_MS); });
        const r = await Promise.race([read, stalled]);
        clearTimeout(timer);
        if (r === null) {
          // The buffer is the stalled read's now: the rest goes into a new one.
          stats.stalled += 1;
          reader.cancel().catch(() => {});
          // A pooled buffer's replacement takes its place in the pool.
          const fresh = new ArrayBuffer(pooled ? PIECE : Math.max(size, len));
          const rest = new FileReaderSync().readAsArrayBuffer(file.slice(start + n, start + len));
          // What the stalled read's buffer held is lost with it: read again from `start`.
          const head = n ? new FileReaderSync().readAsArrayBuffer(file.slice(start, start + n)) : null;
          if (head) new Uint8Array(fresh, 0, n).set(new Uint8Array(head));
          new Uint8Array(fresh, n, rest.byteLength).set(new Uint8Array(rest));
          return { buf: fresh, n: n + rest.byteLength };
        }
        if (r.done) break;
        buf = r.value.buffer;
        n += r.value.byteLength;
      }
      return { buf, n };
    } catch (e) {
      // The buffer went with the failed read: the pool counts one less.
      if (pooled) made -= 1;
      lastFailure = e && e.name;
      return null;
    } finally {
      live.delete(reader);
    }
  }

  // Reads `file` from `start` into wasm memory at `ptr` (room for `cap` bytes): at least up
  // to `needEnd` (or the file's end), `end` if it is read afresh. Returns the bytes written,
  // -2 when the file can no longer be read (changed or gone on disk), -1 for any other
  // failure. Called by `FileSource` (Rust) inside the scan.
  self.pancakeReadAsync = async function (file, start, needEnd, end, ptr, cap, readOn) {
    try {
      return await readInto(file, start, needEnd, end, ptr, cap, readOn);
    } catch (e) {
      // Whatever went wrong is the read's failure, said by the walk with where it was: an
      // exception must not unwind the suspended wasm frames.
      console.error('a read failed:', e);
      return failure(e && e.name);
    }
  };

  async function readInto(file, start, needEnd, end, ptr, cap, readOn) {
    if (last) {
      give(last.buf);
      last = null;
    }
    const size = file.size;
    stats.suspended += 1;
    let got = null;
    if (ahead.length && ahead[0].file === file && ahead[0].start === start) {
      got = await ahead.shift().promise;
      if (got && start + got.n < Math.min(needEnd, size)) {
        give(got.buf);
        got = null;
      }
    } else {
      drop();
    }
    if (!got) {
      drop();
      const len = Math.min(Math.max(end, needEnd), size) - start;
      got = await fill(file, start, Math.min(len, cap), Math.min(len, cap));
      if (!got) return failure(lastFailure);
    }
    const n = Math.min(got.n, cap);
    new Uint8Array(exports.memory.buffer, ptr, n).set(new Uint8Array(got.buf, 0, n));
    last = { buf: got.buf };
    // A read on its own (`readOn` false: a header past a large file's content) reads
    // nothing more. In a run of reads the walk reads on next, so those reads start now,
    // several at once (one blob stream delivers a piece at ~250 MB/s here; a few together
    // keep up with the walk), each twice the one before, up to `PIECE`.
    if (!readOn) return n;
    let from = ahead.length ? ahead[ahead.length - 1].end : start + n;
    let len = Math.min(2 * (ahead.length ? ahead[ahead.length - 1].end - ahead[ahead.length - 1].start : n), PIECE);
    while (ahead.length < AHEAD && from < size) {
      const l = Math.min(len, size - from);
      ahead.push({ file, start: from, end: from + l, promise: fill(file, from, l, l) });
      from += l;
      len = Math.min(len * 2, PIECE);
    }
    return n;
  }

  // Read-aheads no longer wanted: their buffers back to the pool when their reads are done.
  function drop() {
    for (const a of ahead) a.promise.then((g) => g && give(g.buf));
    ahead = [];
  }

  // The buffer of the last read, its first bytes being the piece just read, for the scanner
  // to hand to the hasher (`Tee`); it comes back over the port (`pancakeLendTo`).
  self.pancakeTakePiece = function () {
    if (gaveUp) return null;
    const b = last ? last.buf : null;
    last = null;
    if (b) stats.lent += 1;
    return b;
  };

  // A buffer of the pool for the pieces a compressed save's pass hands to the hasher
  // (`HandOn`), lent: called through JSPI, so it can wait for one to come back.
  self.pancakeBorrow = async function () {
    try {
      const b = await buffer(PIECE);
      if (gaveUp) {
        give(b);
        return null;
      }
      stats.lent += 1;
      return b;
    } catch (e) {
      return null;
    }
  };

  // A buffer taken for the hasher and not lent after all.
  self.pancakeGiveBack = (buf) => {
    stats.lent -= 1;
    give(buf);
  };

  // The scanner's end of the port to the hasher: buffers lent come back on it.
  self.pancakeLendTo = function (port) {
    lendPort = port;
    port.onmessage = (e) => {
      if (e.data && e.data.back instanceof ArrayBuffer) {
        stats.back += 1;
        give(e.data.back);
      }
    };
  };

  // The scan the Rust side set up (`jspi::run_soon`), on a stack of its own. A scan that
  // fails (a trap) is reported as an uncaught error, as a failing synchronous scan was: the
  // page hears the worker's `error` event and says the worker stopped.
  self.pancakeRunScan = function () {
    queueMicrotask(() => {
      const id = ++scanId;
      // What the scan before left (when this one was started by a message held during it).
      if (last) give(last.buf);
      last = null;
      drop();
      scanning = true;
      gaveUp = false;
      run()
        .catch((e) => {
          console.error('the scan stopped:', e);
          setTimeout(() => { throw e; });
        })
        .finally(() => {
          if (id !== scanId) return; // a later scan runs and owns the pool now
          // The pool's memory is the walk's: let go, as is a buffer still lent or read
          // ahead when it comes back (`give`).
          scanning = false;
          for (const b of free) letGo(b);
          if (last) letGo(last.buf);
          free.length = 0;
          made = 0;
          last = null;
          drop();
        });
    });
  };

  // wasm-bindgen's glue imports the read by a name of its own making; it is wrapped here
  // before the module is instantiated, and the scan's export after.
  const wrap = (imports) => {
    for (const m of Object.values(imports || {})) {
      for (const k of Object.keys(m)) {
        if (k.startsWith('__wbg_pancakeReadAsync_') || k.startsWith('__wbg_pancakeBorrow_')) {
          m[k] = new Suspending(m[k]);
        }
      }
    }
  };
  const keep = (result) => {
    const instance = result instanceof WebAssembly.Instance ? result : result.instance;
    if (instance && typeof instance.exports.pancake_scan_run === 'function') {
      exports = instance.exports;
      run = promising(exports.pancake_scan_run);
      self.pancakeJspi = true;
    }
    return result;
  };
  const streaming = WebAssembly.instantiateStreaming;
  const plain = WebAssembly.instantiate;
  if (typeof streaming === 'function') {
    WebAssembly.instantiateStreaming = (source, imports) => {
      wrap(imports);
      return streaming.call(WebAssembly, source, imports).then(keep);
    };
  }
  WebAssembly.instantiate = (source, imports) => {
    wrap(imports);
    return plain.call(WebAssembly, source, imports).then(keep);
  };
})();

// The wasm comes compiled from the page, in the first message (`web/src/worker_start.rs`):
// one module for every worker of the page, its code compiled once and shared, not once per
// worker (issue 13, targets 3 and 5). When the page could not compile it, the message holds
// `null` and the file is loaded here; so it is when the page's module cannot be instantiated
// (a page open across a new deployment holds the old build's module, and this glue is the
// new one's). The page posts nothing else before this worker says it is ready, so the first
// message is always this one. A load that fails for good is thrown where the page hears it
// (the worker's `error` event), not left in a rejected promise nobody reads.
// `self.pancakeWasm`: the instance's exports, for whoever looks at a worker (the tests read
// its memory's size: a scanner handed over starts from what its index takes, issue 13
// target 3); `self.pancakeModuleFrom`: 'page' or 'file', where the module came from.
(function () {
  // A module that is not this glue's (the old build's) is refused before it is instantiated:
  // once wasm-bindgen has taken an instance's exports it keeps them, failed or not, and a
  // second load would return the same broken exports. It fits when the glue gives every
  // import it asks for (wasm-bindgen's import names carry a hash of what they do, so another
  // build's differ) and it has the glue's start.
  const instantiate = WebAssembly.instantiate;
  const fits = (module, imports) => WebAssembly.Module.imports(module)
    .every((d) => imports != null && imports[d.module] != null && d.name in imports[d.module])
    && WebAssembly.Module.exports(module).some((d) => d.name === '__wbindgen_start');
  WebAssembly.instantiate = (source, imports) => {
    if (source instanceof WebAssembly.Module && !fits(source, imports)) {
      return Promise.reject(new Error('the module from the page is not the one this worker was built with'));
    }
    return instantiate.call(WebAssembly, source, imports);
  };
  const fromFile = () => {
    self.pancakeModuleFrom = 'file';
    return wasm_bindgen({ module_or_path: './worker_bg.wasm' });
  };
  const start = (shared) => {
    self.pancakeModuleFrom = shared ? 'page' : 'file';
    // wasm-bindgen forgets a failed init, so the file can be tried after the page's module.
    const loading = shared ? wasm_bindgen({ module_or_path: shared }).catch(fromFile) : fromFile();
    loading.then((w) => { self.pancakeWasm = w; }, (err) => { setTimeout(() => { throw err; }); });
  };
  const first = (e) => {
    const data = e.data;
    if (!data || typeof data !== 'object' || !('pancakeModule' in data)) return;
    self.removeEventListener('message', first);
    self.removeEventListener('messageerror', unreadable);
    e.stopImmediatePropagation();
    start(data.pancakeModule instanceof WebAssembly.Module ? data.pancakeModule : null);
  };
  // The page's module could not be received here: the file, then.
  const unreadable = () => {
    self.removeEventListener('message', first);
    self.removeEventListener('messageerror', unreadable);
    start(null);
  };
  self.addEventListener('message', first);
  self.addEventListener('messageerror', unreadable);
})();
