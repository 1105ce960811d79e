'use strict';
// Where the renderer's memory growth goes while a file is read to "verified" (issue 13,
// targets 3 and 5): every 100 ms the renderer processes' resident memory (as bench/web.js
// samples it), the page's wasm memory and JS heap, and each worker's wasm memory (a worker
// busy in a synchronous loop answers late: its last answer is kept), and when workers start
// and end. Prints the timeline and each part's largest value, in MiB: the renderer's as
// growth from the moment before the pick, the others as sizes. A worker's JS heap cannot be
// read from inside it (`performance.memory` is the page's only).
//
//   node bench/memory_parts.js FILE      (e.g. /tmp/pancake-bench/many-200000.tar)
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');
const { rendererRss, browserPid } = require('./procs');
const { startServer } = require('../tests/e2e/lib/server');

const DIST = process.env.PANCAKE_DIST || path.join(__dirname, '..', 'dist');
const MIB = 2 ** 20;

(async () => {
  const file = process.argv[2];
  if (!file) throw new Error('usage: node bench/memory_parts.js FILE');
  const server = await startServer(DIST);
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pancake-mem-'));
  const ctx = await chromium.launchPersistentContext(userDir, {
    executablePath: process.env.PANCAKE_CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--enable-precise-memory-info'],
  });
  const pid = browserPid(userDir);
  // The app's wasm exports (its memory among them), as Trunk hands them out at start.
  await ctx.addInitScript(() => {
    addEventListener('TrunkApplicationStarted', (e) => { window.__pcAppWasm = e.detail && e.detail.wasm; });
  });
  const page = await ctx.newPage();
  await page.goto(server.url, { waitUntil: 'load' });
  await page.locator('[data-testid=drop-zone]').first().waitFor({ state: 'attached' });
  await new Promise((r) => setTimeout(r, 300));
  const base = rendererRss(pid);
  const workerMem = new Map(); // worker → { bytes, peak }
  const ids = new Map();
  let done = false;
  const rows = [];
  const peaks = { rss: 0, pageWasm: 0, pageHeap: 0 };
  const t0 = Date.now();
  const askWorkers = () => {
    for (const w of page.workers()) {
      if (!ids.has(w)) ids.set(w, ids.size);
      const e = workerMem.get(w) || { bytes: 0, peak: 0, asking: false };
      workerMem.set(w, e);
      if (e.asking) continue;
      e.asking = true;
      // eslint-disable-next-line no-undef
      w.evaluate(async () => (typeof wasm_bindgen === 'function' ? (await wasm_bindgen()).memory.buffer.byteLength : 0))
        .then((b) => { e.bytes = b; e.peak = Math.max(e.peak, b); })
        .catch(() => {})
        .finally(() => { e.asking = false; });
    }
  };
  const sample = async () => {
    const rss = rendererRss(pid) - base;
    const m = await page.evaluate(() => ({
      wasm: window.__pcAppWasm ? window.__pcAppWasm.memory.buffer.byteLength : 0,
      heap: performance.memory ? performance.memory.usedJSHeapSize : 0,
    })).catch(() => ({ wasm: 0, heap: 0 }));
    askWorkers();
    const ws = [...workerMem.entries()].map(([w, e]) => `w${ids.get(w)} ${(e.bytes / MIB).toFixed(0)}`);
    rows.push(`${((Date.now() - t0) / 1000).toFixed(1)} s  rss +${(rss / MIB).toFixed(0)}  page wasm ${(m.wasm / MIB).toFixed(0)} heap ${(m.heap / MIB).toFixed(0)}  ${ws.join('  ')}`);
    peaks.rss = Math.max(peaks.rss, rss);
    peaks.pageWasm = Math.max(peaks.pageWasm, m.wasm);
    peaks.pageHeap = Math.max(peaks.pageHeap, m.heap);
  };
  page.on('worker', (w) => {
    rows.push(`${((Date.now() - t0) / 1000).toFixed(1)} s  worker started`);
    w.on('close', () => rows.push(`${((Date.now() - t0) / 1000).toFixed(1)} s  worker ${ids.has(w) ? ids.get(w) : '?'} ended`));
  });
  const timer = setInterval(() => { if (!done) sample(); }, 100);
  await page.locator('input[type=file][data-testid=file-input]').first().setInputFiles(file);
  await page.locator('[data-testid=image-ready]').first().waitFor({ state: 'attached', timeout: 240000 });
  await new Promise((r) => setTimeout(r, 1000));
  done = true;
  clearInterval(timer);
  console.log(rows.join('\n'));
  console.log(`\npeaks (MiB): renderer +${(peaks.rss / MIB).toFixed(0)}, page wasm ${(peaks.pageWasm / MIB).toFixed(0)}, page JS heap ${(peaks.pageHeap / MIB).toFixed(0)}`);
  for (const [w, e] of workerMem) console.log(`  worker ${ids.get(w)} (${w.url().split('/').pop()}): wasm ${(e.peak / MIB).toFixed(0)} MiB`);
  await ctx.close();
  await server.close();
  fs.rmSync(userDir, { recursive: true, force: true });
})().catch((e) => { console.error(e); process.exit(1); });
