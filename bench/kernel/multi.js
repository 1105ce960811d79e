#!/usr/bin/env node
// Quick look: the four-lane SHA-256 (src/multi.rs) against sha2's simd128 backend in node's V8,
// aggregate MB/s over the same bytes. node bench/kernel/multi.js [MiB=256]
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const HERE = __dirname;
const dir = path.join(HERE, '..', '..', 'target', 'kernel', 'simd');
const r = spawnSync('cargo', ['build', '--release', '--offline', '-q', '--target', 'wasm32-unknown-unknown'], {
  cwd: HERE, stdio: 'inherit',
  env: { ...process.env, CARGO_TARGET_DIR: dir, CARGO_INCREMENTAL: '0', RUSTFLAGS: '-C target-feature=+simd128' },
});
if (r.status !== 0) process.exit(1);
const bytes = fs.readFileSync(path.join(dir, 'wasm32-unknown-unknown', 'release', 'pancake_kernel_bench.wasm'));
(async () => {
  const x = (await WebAssembly.instantiate(bytes, {})).instance.exports;
  if (x.multi_check() !== 1) throw new Error('four-lane kernel disagrees with sha2');
  if (x.lanes_check() !== 1) throw new Error("the core's lanes disagree with sha2");
  const total = Number(process.argv[2] || 256) << 20;
  const piece = 8 << 20;
  const ptr = x.piece(piece);
  new Uint8Array(x.memory.buffer, ptr, piece).fill(7);
  const time = (k) => {
    x[`${k}_reset`]();
    const t = performance.now();
    for (let at = 0; at < total; at += piece) x[`${k}_update`](piece);
    return (performance.now() - t) / 1000;
  };
  const res = { sha2: [], multi: [], lanes: [] };
  for (let i = 0; i < 5; i++) { res.sha2.push(time('sha2')); res.multi.push(time('multi')); res.lanes.push(time('lanes')); }
  for (const [k, v] of Object.entries(res)) {
    v.sort((a, b) => a - b);
    console.log(`${k}: ${Math.round(total / 1e6 / v[2])} MB/s (median of 5)`);
  }
})().catch((e) => { console.error(e); process.exit(1); });
