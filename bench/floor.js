'use strict';
// The least time the page could take to verify a file on this machine (issue 13, target 1),
// measured in the same browser and run as the page itself: every byte of the file must be
// read from the `File` (the browser's own work: its file reading and the copies through its
// data pipe into the worker) and hashed in wasm (no SHA instructions there). Both cost CPU
// per byte; on N cores, doing nothing else, the page needs at least
//
//     bytes × (read CPU per byte + hash CPU per byte) / N
//
// CPU is counted from /proc for the browser and all its processes (every thread, the
// browser process's file reading included), so what the browser spends on a read is in it.
// The read is measured as the page's hashers read: one BYOB stream over the file into one
// reused 8 MiB buffer. The hash at its best rate on this CPU: the core's four lanes
// (`pancake_core::digest::lanes`, four blobs at once in one SIMD vector), and `sha2` (one
// stream) beside it. The kernel is bench/kernel's wasm, built here as `multi.js` builds it.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { startServer } = require('../tests/e2e/lib/server');

const KERNEL = path.join(__dirname, 'kernel');
const KERNEL_DIR = path.join(__dirname, '..', 'target', 'kernel', 'simd');
const TICK = 100; // clock ticks per second (`getconf CLK_TCK` on Linux)

/** CPU clock ticks (user + system, every thread) of `root` and every process under it, by pid. */
function cpuTicks(root, descendants) {
  const out = new Map();
  for (const pid of [root, ...descendants(root)]) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(pid, Number(f[11]) + Number(f[12])); // utime, stime (fields 14 and 15)
    } catch { /* gone */ }
  }
  return out;
}

/**
 * Starts counting the CPU of `root` and its processes; the function returned gives the CPU
 * seconds since. Counted per process: one that starts in between counts from 0, one that
 * exits in between is left out (its last ticks are not known), never subtracted.
 */
function cpuSeconds(root, descendants) {
  const start = cpuTicks(root, descendants);
  return () => {
    let ticks = 0;
    for (const [pid, t] of cpuTicks(root, descendants)) ticks += t - (start.get(pid) ?? 0);
    return ticks / TICK;
  };
}

const PAGE = `<!doctype html><meta charset=utf-8><input type=file id=f><script>
window.phase = (msg) => new Promise((ok, fail) => {
  window.w = window.w || new Worker('floor-worker.js');
  window.w.onmessage = (e) => ok(e.data);
  window.w.onerror = (e) => fail(new Error(e.message));
  window.w.postMessage({ ...msg, file: document.getElementById('f').files[0] });
});
</script>`;

const WORKER = `
let k = null;
onmessage = async (e) => {
  const m = e.data;
  if (m.what === 'load') {
    const bytes = await (await fetch('kernel.wasm')).arrayBuffer();
    k = (await WebAssembly.instantiate(bytes, {})).instance.exports;
    postMessage({ ok: k.lanes_check() === 1 });
  } else if (m.what === 'read') {
    // The hashers' way (web/src/hashing.rs, stream_sha256): one BYOB reader, one buffer.
    const t = performance.now();
    const reader = m.file.stream().getReader({ mode: 'byob' });
    // Held from the global scope while it reads: a blob stream that only its pending read
    // refers to can be collected by V8, its read never answered and this phase hung (seen
    // in two runs of three; web/worker_loader.js keeps its readers so for the same reason).
    self.reading = reader;
    let buf = new ArrayBuffer(8 << 20), bytes = 0;
    for (;;) {
      const r = await reader.read(new Uint8Array(buf, 0, buf.byteLength));
      if (r.done) break;
      bytes += r.value.byteLength;
      buf = r.value.buffer;
    }
    self.reading = null;
    postMessage({ bytes, ms: performance.now() - t });
  } else if (m.what === 'hash') {
    const piece = 8 << 20;
    const ptr = k.piece(piece); // may grow the memory: its buffer is taken after
    new Uint8Array(k.memory.buffer, ptr, piece).fill(7);
    k[m.kernel + '_reset']();
    const t = performance.now();
    for (let at = 0; at < m.bytes; at += piece) k[m.kernel + '_update'](piece);
    postMessage({ bytes: m.bytes, ms: performance.now() - t });
  }
};`;

function buildKernel() {
  const r = spawnSync('cargo', ['build', '--release', '--offline', '-q', '--target', 'wasm32-unknown-unknown'], {
    cwd: KERNEL, stdio: 'inherit',
    env: { ...process.env, CARGO_TARGET_DIR: KERNEL_DIR, CARGO_INCREMENTAL: '0', RUSTFLAGS: '-C target-feature=+simd128' },
  });
  if (r.status !== 0) throw new Error('bench/kernel did not build');
  return path.join(KERNEL_DIR, 'wasm32-unknown-unknown', 'release', 'pancake_kernel_bench.wasm');
}

/**
 * Measures the floor in the browser context `b` (bench/web.js's `launch()`), reading `file`.
 * Resolves to { cores, readMsPerMB, hashMsPerMB: {lanes, sha2}, readMBs, hashMBs: {…} }: CPU
 * milliseconds per MB (10^6 bytes) of the browser's processes, and the wall MB/s of each phase.
 */
async function measureFloor(b, file, descendants, { runs = 3 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pancake-floor-'));
  fs.writeFileSync(path.join(dir, 'index.html'), PAGE);
  fs.writeFileSync(path.join(dir, 'floor-worker.js'), WORKER);
  fs.copyFileSync(buildKernel(), path.join(dir, 'kernel.wasm'));
  const server = await startServer(dir);
  const page = await b.ctx.newPage();
  const trouble = [];
  page.on('crash', () => trouble.push('the page crashed'));
  page.on('pageerror', (e) => trouble.push(String(e)));
  page.on('close', () => trouble.push('the page closed'));
  try {
    await page.goto(server.url, { waitUntil: 'load' });
    await page.locator('#f').setInputFiles(file);
    const loaded = await page.evaluate(() => window.phase({ what: 'load' }));
    if (!loaded.ok) throw new Error("the kernel's lanes disagree with sha2");
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const timed = async (msg) => {
      const out = [];
      for (let i = 0; i < runs; i++) {
        const since = cpuSeconds(b.pid, descendants);
        const r = await page.evaluate((m) => window.phase(m), msg);
        const cpu = since();
        out.push({ msPerMB: (cpu * 1000) / (r.bytes / 1e6), mbs: r.bytes / 1e3 / r.ms });
      }
      const mid = (k) => out.map((x) => x[k]).sort((x, y) => x - y)[Math.floor((out.length - 1) / 2)];
      return { msPerMB: mid('msPerMB'), mbs: mid('mbs') };
    };
    // One read unmeasured first: the first read of a file in a fresh worker costs more
    // (up to 1.5× here), and the page's hashers read on after their first piece.
    await page.evaluate(() => window.phase({ what: 'read' }));
    const read = await timed({ what: 'read' });
    const hashBytes = 512 << 20;
    const lanes = await timed({ what: 'hash', kernel: 'lanes', bytes: hashBytes });
    const sha2 = await timed({ what: 'hash', kernel: 'sha2', bytes: hashBytes });
    return {
      cores,
      readMsPerMB: read.msPerMB, readMBs: read.mbs,
      hashMsPerMB: { lanes: lanes.msPerMB, sha2: sha2.msPerMB },
      hashMBs: { lanes: lanes.mbs, sha2: sha2.mbs },
    };
  } catch (e) {
    throw new Error(`floor: ${e.message} (${trouble.join('; ')})`);
  } finally {
    await page.close();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The floor's seconds for `bytes` on `f.cores` cores, with the hash at `kernel`'s cost. */
function floorSeconds(f, bytes, kernel) {
  return ((bytes / 1e6) * (f.readMsPerMB + f.hashMsPerMB[kernel])) / 1000 / f.cores;
}

module.exports = { measureFloor, floorSeconds, cpuSeconds };
