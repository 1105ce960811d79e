#!/usr/bin/env node
// How fast one hashing worker in Chromium gets through a real `File`, per way of reading it:
// the read pipeline around the wasm kernel (`sha2` 0.11 with simd128, built by run.js's
// crate), measured in a dedicated worker as the page's hashers run.
//
//   node bench/kernel/pipeline.js [MiB=1024]
//
// It writes MiB random bytes to /tmp/pancake-bench/pipeline.bin (deleted after), picks it
// in a page, and in one worker hashes it whole with each configuration in turn (3 rounds,
// median): piece size 8/16/32 MiB, 1 or 2 reads in flight (`File.slice().arrayBuffer()`),
// each piece copied once into a reused buffer in wasm memory; and, for reference,
// WebCrypto's one-shot digest over 64 MiB pieces (one digest per piece: a speed, not a
// digest of the file). Every wasm digest is checked against `sha256sum`'s.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const crypto = require('crypto');
const { spawnSync } = require('child_process');
const { chromium } = require('playwright-core');
const { startServer } = require('../../tests/e2e/lib/server');
const { rendererRss, browserPid } = require('../procs'); // renderer memory, as bench/web.js samples it

const HERE = __dirname;
const MIB = 1 << 20;
const size = Number(process.argv[2] || 1024) * MIB;

function build() {
  const dir = path.join(HERE, '..', '..', 'target', 'kernel', 'simd');
  const r = spawnSync('cargo', ['build', '--release', '--offline', '-q', '--target', 'wasm32-unknown-unknown'], {
    cwd: HERE, stdio: 'inherit',
    env: { ...process.env, CARGO_TARGET_DIR: dir, CARGO_INCREMENTAL: '0', RUSTFLAGS: '-C target-feature=+simd128' },
  });
  if (r.status !== 0) throw new Error('cargo build failed');
  return path.join(dir, 'wasm32-unknown-unknown', 'release', 'pancake_kernel_bench.wasm');
}

// The worker: `run` messages name a configuration; it answers with seconds and the digest.
const WORKER = `
let x;
const hex = (b) => Array.from(new Uint8Array(b), (v) => v.toString(16).padStart(2, '0')).join('');
onmessage = async ({ data }) => {
  if (data.wasm) { x = (await WebAssembly.instantiate(data.wasm, {})).instance.exports; postMessage('ready'); return; }
  const { file, piece, depth, webcrypto, stream } = data;
  if (self.gc) self.gc();
  await new Promise((r) => setTimeout(r, 300));
  postMessage('start');
  const t = performance.now();
  const read = (at) => file.slice(at, Math.min(at + piece, file.size)).arrayBuffer();
  let digest = '';
  let reads = 0;
  if (webcrypto) {
    for (let at = 0; at < file.size; at += piece) await crypto.subtle.digest('SHA-256', await read(at));
  } else if (stream) {
    // file.stream(): with a BYOB reader, the bytes land in one reused buffer; with the
    // default reader the browser hands out its own chunks. Either way they gather in the
    // piece buffer in wasm memory, hashed when it is full.
    const ptr = x.piece(piece);
    x.sha2_reset();
    const mem = () => new Uint8Array(x.memory.buffer, ptr, piece);
    let fill = 0;
    const take = (chunk) => {
      let off = 0;
      while (off < chunk.length) {
        const n = Math.min(piece - fill, chunk.length - off);
        mem().set(chunk.subarray(off, off + n), fill);
        fill += n; off += n;
        if (fill === piece) { x.sha2_update(fill); fill = 0; }
      }
    };
    if (stream === 'byob') {
      const reader = file.stream().getReader({ mode: 'byob' });
      let buf = new ArrayBuffer(piece);
      for (;;) {
        const { value, done } = await reader.read(new Uint8Array(buf, 0, piece));
        if (done) break;
        reads++;
        take(value);
        buf = value.buffer;
      }
    } else {
      const reader = file.stream().getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        reads++;
        take(value);
      }
    }
    if (fill) x.sha2_update(fill);
    x.sha2_finish();
    digest = hex(new Uint8Array(x.memory.buffer, x.out(), 32).slice());
  } else {
    const ptr = x.piece(piece);
    x.sha2_reset();
    const inflight = [];
    let next = 0;
    while (inflight.length < depth && next < file.size) { inflight.push(read(next)); next += piece; }
    while (inflight.length) {
      const buf = await inflight.shift();
      if (next < file.size) { inflight.push(read(next)); next += piece; }
      new Uint8Array(x.memory.buffer, ptr, buf.byteLength).set(new Uint8Array(buf));
      x.sha2_update(buf.byteLength);
    }
    x.sha2_finish();
    digest = hex(new Uint8Array(x.memory.buffer, x.out(), 32).slice());
  }
  postMessage({ secs: (performance.now() - t) / 1000, digest, reads });
};`;

(async () => {
  const wasm = fs.readFileSync(build());
  const dir = process.env.PANCAKE_BENCH_DIR || '/tmp/pancake-bench';
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'pipeline.bin');
  const www = fs.mkdtempSync(path.join(os.tmpdir(), 'pancake-pipeline-'));
  fs.writeFileSync(path.join(www, 'index.html'), '<!doctype html><title>pipeline</title><input type=file>');
  fs.writeFileSync(path.join(www, 'worker.js'), WORKER);
  const server = await startServer(www);
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pancake-pipeline-pw-'));
  const ctx = await chromium.launchPersistentContext(userDir, {
    executablePath: process.env.PANCAKE_CHROMIUM || '/usr/bin/chromium',
    headless: true, args: ['--no-sandbox', '--disable-gpu', '--js-flags=--expose-gc'],
  });
  const browser = { version: () => ctx.browser() ? ctx.browser().version() : '', close: () => ctx.close() };
  const pid = browserPid(userDir);
  try {
    const out = fs.openSync(file, 'w');
    const cipher = crypto.createCipheriv('aes-128-ctr', Buffer.alloc(16), Buffer.alloc(16));
    for (let at = 0; at < size; at += 64 * MIB) fs.writeSync(out, cipher.update(Buffer.alloc(Math.min(64 * MIB, size - at))));
    fs.closeSync(out);
    const want = spawnSync('sha256sum', [file]).stdout.toString().split(' ')[0];
    const page = await ctx.newPage();
    await page.goto(`${server.url}index.html`);
    await page.locator('input').setInputFiles(file);
    const configs = [];
    for (const piece of [8, 16, 32]) for (const depth of [1, 2]) configs.push({ piece: piece * MIB, depth });
    configs.push({ piece: 8 * MIB, depth: 1, stream: 'default' });
    configs.push({ piece: 8 * MIB, depth: 1, stream: 'byob' });
    configs.push({ piece: 64 * MIB, depth: 1, webcrypto: true });
    await page.exposeFunction('benchMark', (what) => {
      if (what === 'start') { base = rendererRss(pid); peak = base; }
    });
    let base = 0;
    let peak = 0;
    const sampler = setInterval(() => { peak = Math.max(peak, rendererRss(pid)); }, 50);
    const results = configs.map(() => []);
    await page.evaluate(async ({ wasm }) => {
      window.w = new Worker('worker.js');
      window.call = (m) => new Promise((r) => {
        w.onmessage = (e) => { if (e.data === 'start') { window.benchMark('start'); return; } r(e.data); };
        w.postMessage(m);
      });
      await call({ wasm: new Uint8Array(wasm) });
    }, { wasm: Array.from(wasm) });
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < configs.length; i++) {
        const r = await page.evaluate((c) => call({ file: document.querySelector('input').files[0], ...c }), configs[i]);
        peak = Math.max(peak, rendererRss(pid));
        results[i].push({ ...r, growth: peak - base });
      }
    }
    clearInterval(sampler);
    console.log(`${size / MIB} MiB file, Chromium ${browser.version()}, one worker; MB/s, median of 3 rounds (configurations taking turns)`);
    console.log('| read | pieces in flight | MB/s | renderer growth (max) | mean bytes per read |');
    console.log('|---|---|---|---|---|');
    configs.forEach((c, i) => {
      for (const r of results[i]) if (!c.webcrypto && r.digest !== want) throw new Error(`digest ${r.digest} != ${want}`);
      const s = results[i].map((r) => r.secs).sort((a, b) => a - b)[1];
      const what = c.webcrypto ? `WebCrypto, ${c.piece / MIB} MiB one-shot pieces`
        : c.stream ? `wasm sha2, \`file.stream()\` ${c.stream} reader, ${c.piece / MIB} MiB piece`
          : `wasm sha2, \`arrayBuffer()\` of ${c.piece / MIB} MiB pieces`;
      const g = Math.max(...results[i].map((r) => r.growth)) / MIB;
      const per = results[i][0].reads ? `${(size / results[i][0].reads / 1024).toFixed(0)} KiB` : '—';
      console.log(`| ${what} | ${c.stream ? '—' : c.depth} | ${(size / 1e6 / s).toFixed(0)} | ${g.toFixed(0)} MiB | ${per} |`);
    });
  } finally {
    await browser.close();
    await server.close();
    fs.rmSync(file, { force: true });
    fs.rmSync(www, { recursive: true, force: true });
    fs.rmSync(userDir, { recursive: true, force: true });
  }
})().catch((e) => { console.error(e); process.exit(1); });
