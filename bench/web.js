#!/usr/bin/env node
// Browser benchmark: open a big `docker save` tarball in the real page (headless Chromium),
// time the first view (stack shown, digests pending) and full verification (image-ready), and
// compare in the same run with native `sha256sum` of the same file and with a plain
// `blob.stream()` read of it in the same browser (the I/O floor).
// usage: node bench/web.js FILE.tar   (build dist/ first; PANCAKE_DIST to use another)
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { openSession, pickFile, waitReady } = require('../tests/e2e/lib/browser');

async function main() {
  const file = path.resolve(process.argv[2] || 'target/bench/big-1024.tar');
  const bytes = fs.statSync(file).size;
  const mb = bytes / 1e6;
  let t = process.hrtime.bigint();
  execFileSync('sha256sum', [file], { stdio: ['ignore', 'ignore', 'inherit'] });
  const native = Number(process.hrtime.bigint() - t) / 1e9;

  const s = await openSession();
  try {
    const page = await s.newPage({});
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    t = Date.now();
    await pickFile(page, file);
    await page.locator('[data-testid=layer]').first().waitFor({ state: 'attached', timeout: 120000 });
    const firstView = (Date.now() - t) / 1000;
    await waitReady(page, { timeout: 600000 });
    const ready = (Date.now() - t) / 1000;
    const verified = await page.locator('[data-testid=layer][data-verified=true]').count();
    const layers = await page.locator('[data-testid=layer]').count();

    // The I/O floor: read the same File through blob.stream() in this page, no hashing.
    const page2 = await s.newPage({});
    await page2.evaluate(() => {
      const i = document.createElement('input');
      i.type = 'file'; i.id = 'bench-input'; document.body.appendChild(i);
    });
    await page2.locator('#bench-input').setInputFiles(file);
    const readOnly = await page2.evaluate(async () => {
      const f = document.getElementById('bench-input').files[0];
      const t0 = performance.now();
      const r = f.stream().getReader();
      for (;;) { const { done } = await r.read(); if (done) break; }
      return (performance.now() - t0) / 1000;
    });

    const row = (what, secs) => console.log(
      `${what.padEnd(40)} ${secs.toFixed(2).padStart(8)} s ${(mb / secs).toFixed(0).padStart(7)} MB/s  ratio ${(secs / native).toFixed(2)}`);
    console.log(`file: ${path.basename(file)}, ${mb.toFixed(0)} MB, ${layers} layers, browser cores: ${cores}`);
    row('native sha256sum (baseline)', native);
    row('browser blob.stream() read only', readOnly);
    row('Pancake first view (stack shown)', firstView);
    row('Pancake all digests verified', ready);
    console.log(`verified layers: ${verified}/${layers}`);
    if (verified !== layers) process.exitCode = 1;
  } finally {
    await s.close();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
