#!/usr/bin/env node
// Can the page hash with the browser's own SHA-256 (the CPU's SHA instructions) instead of the
// wasm hasher? Issue 13, target 1: what each native path costs in time and memory here.
//
//   node bench/native_paths.js [SIZE_MIB]     (default 512)
//
// It writes SIZE_MIB of random bytes to a temporary file, times `sha256sum` and
// `openssl dgst -sha256` on it, then in headless Chromium, in a dedicated worker, with the
// renderer processes' resident memory sampled every 30 ms: reading the file's stream only;
// WebCrypto one-shot (`arrayBuffer()` + `crypto.subtle.digest`); a `fetch` of its blob: URL
// with Subresource Integrity, once with the right digest and once with a wrong one. Each is
// measured three times (medians printed). What it found is in the README under "The page
// (issue 13)", target 1.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const crypto = require('crypto');
const { execFileSync } = require('child_process');
const { chromium } = require('playwright-core');
const { startServer } = require('../tests/e2e/lib/server');

const MIB = Number(process.argv[2]) || 512;
const CHROMIUM = process.env.PANCAKE_CHROMIUM || '/usr/bin/chromium';
const RUNS = 3;

function rendererRss() {
  let sum = 0;
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (!fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('--type=renderer')) continue;
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${d}/status`, 'utf8'));
      if (m) sum += Number(m[1]) * 1024;
    } catch { /* gone */ }
  }
  return sum;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const time = (cmd, argv) => {
  const t0 = process.hrtime.bigint();
  execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  return Number(process.hrtime.bigint() - t0) / 1e9;
};

(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pancake-native-'));
  const file = path.join(dir, 'random.bin');
  const hash = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'w');
  for (let i = 0; i < MIB; i++) {
    const block = crypto.randomBytes(1 << 20);
    hash.update(block);
    fs.writeSync(fd, block);
  }
  fs.closeSync(fd);
  const digest = hash.digest();
  const right = `sha256-${digest.toString('base64')}`;
  const wrongBytes = Buffer.from(digest);
  wrongBytes[0] ^= 1;
  const wrong = `sha256-${wrongBytes.toString('base64')}`;

  const rows = [];
  const bytes = MIB * 1048576;
  const row = (what, secs, extra = '') => rows.push({ what, secs, extra });
  row('sha256sum', median([0, 1, 2].map(() => time('sha256sum', [file]))));
  row('openssl dgst -sha256', median([0, 1, 2].map(() => time('openssl', ['dgst', '-sha256', file]))));

  const server = await startServer(__dirname + '/native_paths');
  const browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`${server.origin}/index.html`);
    await page.setInputFiles('#f', file);
    for (const [mode, integrity, label] of [
      ['read', null, 'page: read the stream only'],
      ['webcrypto', null, 'page: WebCrypto one-shot'],
      ['sri', right, 'page: fetch with integrity (right digest)'],
      ['sri', wrong, 'page: fetch with integrity (wrong digest)'],
    ]) {
      const times = [];
      const peaks = [];
      const outcomes = new Set();
      for (let run = 0; run < RUNS; run++) {
        await new Promise((r) => setTimeout(r, 1500)); // let the last run's garbage go
        const base = rendererRss();
        let peak = base;
        const sampler = setInterval(() => { peak = Math.max(peak, rendererRss()); }, 30);
        const before = await page.evaluate(() => window.results.length);
        await page.evaluate(([m, i]) => window.measure(m, i), [mode, integrity]);
        await page.waitForFunction((n) => window.results.length > n, before, { timeout: 300000 });
        clearInterval(sampler);
        const r = await page.evaluate(() => window.results[window.results.length - 1]);
        times.push(r.ms / 1000);
        peaks.push((peak - base) / 1048576);
        outcomes.add(r.ok ? 'ok' : r.error);
      }
      row(label, median(times),
        `renderer +${median(peaks).toFixed(0)} MiB at the peak; ${[...outcomes].join(', ')}`);
    }
  } finally {
    await browser.close();
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const sum = rows[0].secs;
  console.log(`${MIB} MiB of random bytes, medians of ${RUNS}; ${os.cpus().length} CPUs (${os.cpus()[0].model})`);
  console.log('| what | seconds | MB/s | ratio to sha256sum | notes |\n|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.what} | ${r.secs.toFixed(2)} | ${(bytes / 1e6 / r.secs).toFixed(0)} | ${(r.secs / sum).toFixed(2)} | ${r.extra} |`);
  }
})().catch((e) => { console.error(e); process.exit(1); });
