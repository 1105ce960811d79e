#!/usr/bin/env node
// The wasm SHA-256 kernels side by side, in headless Chromium (the page's V8; the workers run
// the same engine) and in node: `sha2` 0.11 with its wasm32-simd128 backend, `sha2` with its
// `soft` backend, and our straight-line kernel (src/straight.rs).
//
//   node bench/kernel/run.js [MiB=256] [piece MiB=8]
//
// Each kernel hashes the same random bytes, copied piece by piece into one reused buffer in
// wasm memory (as the worker does); the kernels take turns, 5 runs each, the median shown
// (this machine is shared: turns spread the noise). Every digest is checked against
// WebCrypto's. "hash only" leaves out the copy into wasm memory.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const { startServer } = require('../../tests/e2e/lib/server');

const HERE = __dirname;
const REPO = path.join(HERE, '..', '..');
const TARGET = path.join(HERE, '..', '..', 'target', 'kernel');
const MIB = 1 << 20;
const total = Number(process.argv[2] || 256) * MIB;
const pieceLen = Number(process.argv[3] || 8) * MIB;

function build(name, rustflags) {
  const dir = path.join(TARGET, name);
  const r = spawnSync('cargo', ['build', '--release', '--offline', '-q', '--target', 'wasm32-unknown-unknown'], {
    cwd: HERE, stdio: 'inherit',
    env: { ...process.env, CARGO_TARGET_DIR: dir, CARGO_INCREMENTAL: '0', RUSTFLAGS: rustflags },
  });
  if (r.status !== 0) throw new Error(`cargo build (${name}) failed`);
  return fs.readFileSync(path.join(dir, 'wasm32-unknown-unknown', 'release', 'pancake_kernel_bench.wasm'));
}

/** The module after `wasm-opt LEVEL` (the build's binaryen, node_modules/.bin). */
function wasmOpt(bytes, level) {
  const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'pancake-kernel-'));
  try {
    fs.writeFileSync(path.join(dir, 'in.wasm'), bytes);
    const r = spawnSync(path.join(REPO, 'node_modules', '.bin', 'wasm-opt'),
      [level, '--enable-simd', '--enable-bulk-memory', '--enable-nontrapping-float-to-int',
        '--enable-sign-ext', '--enable-mutable-globals', '--enable-multivalue', '--enable-reference-types',
        path.join(dir, 'in.wasm'), '-o', path.join(dir, 'out.wasm')], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`wasm-opt ${level} failed`);
    return fs.readFileSync(path.join(dir, 'out.wasm'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// Runs where it is called: in node, or serialized into the browser page. `wasms` are the
// modules' bytes as plain arrays of numbers (what crosses to the page), `kernels` a list of
// [label, module index, export prefix]; returns the median MB/s per kernel.
async function bench({ wasms, kernels, total, pieceLen }) {
  const mods = [];
  for (const w of wasms) {
    mods.push((await WebAssembly.instantiate(new Uint8Array(w), {})).instance.exports);
  }
  const data = new Uint8Array(total);
  for (let at = 0; at < total; at += 65536) crypto.getRandomValues(data.subarray(at, at + 65536));
  const hex = (b) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');
  const want = hex(await crypto.subtle.digest('SHA-256', data));
  const run = (x, k, copy) => {
    const ptr = x.piece(pieceLen);
    x[`${k}_reset`]();
    const t = performance.now();
    for (let at = 0; at < total; at += pieceLen) {
      const n = Math.min(pieceLen, total - at);
      if (copy || at === 0) new Uint8Array(x.memory.buffer, ptr, n).set(data.subarray(at, at + n));
      x[`${k}_update`](n);
    }
    x[`${k}_finish`]();
    const secs = (performance.now() - t) / 1000;
    return { secs, got: hex(new Uint8Array(x.memory.buffer, x.out(), 32).slice()) };
  };
  const times = kernels.map(() => ({ copy: [], only: [] }));
  for (let rep = 0; rep < 5; rep++) {
    kernels.forEach(([label, m, k], i) => {
      const o = run(mods[m], k, true);
      // Only the copying runs hash the real bytes; they must give WebCrypto's digest.
      if (o.got !== want) throw new Error(`${label}: digest ${o.got} != ${want}`);
      times[i].copy.push(o.secs);
      times[i].only.push(run(mods[m], k, false).secs);
    });
  }
  const mbs = (r) => { r.sort((a, b) => a - b); return Math.round(total / 1e6 / r[2]); };
  return times.map((t) => [mbs(t.copy), mbs(t.only)]);
}

(async () => {
  const simd = build('simd', '-C target-feature=+simd128');
  const wasms = [
    simd,
    build('soft', '-C target-feature=+simd128 --cfg sha2_backend="soft"'),
    wasmOpt(simd, '-Oz'),
    wasmOpt(simd, '-O3'),
  ].map((b) => Array.from(b));
  const kernels = [
    ['sha2 0.11, wasm32-simd128 backend', 0, 'sha2'],
    ['sha2 0.11, soft backend', 1, 'sha2'],
    ['ours, straight-line', 0, 'ours'],
    ['sha2 simd128 after `wasm-opt -Oz` (as Trunk built the worker)', 2, 'sha2'],
    ['sha2 simd128 after `wasm-opt -O3`', 3, 'sha2'],
  ];
  const arg = { wasms, kernels, total, pieceLen };

  const { chromium } = require('playwright-core');
  const browser = await chromium.launch({
    executablePath: process.env.PANCAKE_CHROMIUM || '/usr/bin/chromium',
    headless: true, args: ['--no-sandbox', '--disable-gpu'],
  });
  let inBrowser;
  let server;
  try {
    const page = await browser.newPage();
    // A secure context (localhost) for crypto.subtle; any page will do.
    server = await startServer(REPO);
    await page.goto(`${server.url}index.html`);
    inBrowser = await page.evaluate(async ({ src, arg }) => {
      // eslint-disable-next-line no-new-func
      const f = new Function(`return (${src})`)();
      return f(arg);
    }, { src: bench.toString(), arg });
    inBrowser.version = browser.version();
  } finally {
    await browser.close();
    if (server) await server.close();
  }
  const inNode = await bench(arg);

  console.log(`${total / MIB} MiB in ${pieceLen / MIB} MiB pieces; MB/s, median of 5 runs, the kernels taking turns`);
  console.log(`| kernel | Chromium ${inBrowser.version}, with copy | hash only | node ${process.version}, with copy | hash only |`);
  console.log('|---|---|---|---|---|');
  kernels.forEach(([label], i) => {
    console.log(`| ${label} | ${inBrowser[i][0]} | ${inBrowser[i][1]} | ${inNode[i][0]} | ${inNode[i][1]} |`);
  });
})().catch((e) => { console.error(e); process.exit(1); });
