'use strict';
// What one small read of a `File` costs in a worker, by each API a worker has (issue 13,
// target 1: the scanner's header walk over a save of large files is a chain of such reads,
// one per member past a large file's content). For each: the wall time per read and the CPU
// time of the whole browser (every Chromium process, from /proc) per read, over 1,500
// 512-byte reads at spread offsets of FILE; and the same for the `File.slice` each read
// needs, alone.
//
//   node bench/read_cost.js FILE          (e.g. /tmp/pancake-bench/big-1024.tar)
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');
const { descendants, browserPid } = require('./procs');
const { cpuSeconds } = require('./floor');

// The worker: keeps the file, then on each `{how}` makes the reads and answers ms per read.
const WORKER = `let f = null;
onmessage = async (e) => {
  if (e.data.file) { f = e.data.file; postMessage('ok'); return; }
  const N = 1500;
  const offs = [];
  for (let i = 0; i < N; i++) offs.push(Math.floor((i * 2654435761) % (f.size / 512 - 2)) * 512);
  const t = performance.now();
  const how = e.data.how;
  if (how === 'File.slice alone') {
    // The slice only (it registers a blob with the browser, a synchronous call), kept alive
    // so that none is collected meanwhile.
    const kept = offs.map((o) => f.slice(o, o + 512));
    postMessage((performance.now() - t) / kept.length);
    return;
  }
  for (const o of offs) {
    const blob = f.slice(o, o + 512);
    if (how === 'FileReaderSync') new FileReaderSync().readAsArrayBuffer(blob);
    if (how === 'arrayBuffer()') await blob.arrayBuffer();
    if (how === 'BYOB stream') {
      const reader = blob.stream().getReader({ mode: 'byob' });
      let buf = new ArrayBuffer(512);
      let n = 0;
      while (n < 512) {
        const r = await reader.read(new Uint8Array(buf, n, 512 - n));
        if (r.done) break;
        buf = r.value.buffer;
        n += r.value.byteLength;
      }
    }
  }
  postMessage((performance.now() - t) / N);
};`;

(async () => {
  const file = process.argv[2];
  if (!file) throw new Error('usage: node bench/read_cost.js FILE');
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pancake-reads-'));
  const ctx = await chromium.launchPersistentContext(userDir, {
    executablePath: process.env.PANCAKE_CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const pid = browserPid(userDir);
  const page = await ctx.newPage();
  await page.goto('about:blank');
  await page.setContent('<input type=file id=f>');
  await page.locator('#f').setInputFiles(file);
  await page.evaluate((src) => {
    window.reader = new Worker(URL.createObjectURL(new Blob([src])));
    return new Promise((res) => {
      window.reader.onmessage = () => res();
      window.reader.postMessage({ file: document.getElementById('f').files[0] });
    });
  }, WORKER);
  console.log('API              wall ms/read  browser CPU ms/read   (1,500 reads of 512 bytes)');
  for (const how of ['File.slice alone', 'FileReaderSync', 'BYOB stream', 'arrayBuffer()', 'File.slice alone', 'FileReaderSync', 'BYOB stream', 'arrayBuffer()']) {
    const since = cpuSeconds(pid, descendants);
    const ms = await page.evaluate((how) => new Promise((res) => {
      window.reader.onmessage = (e) => res(e.data);
      window.reader.postMessage({ how });
    }), how);
    const cpu = (since() * 1000) / 1500;
    console.log(`${how.padEnd(16)} ${ms.toFixed(3).padStart(12)} ${cpu.toFixed(3).padStart(20)}`);
  }
  await ctx.close();
  fs.rmSync(userDir, { recursive: true, force: true });
})().catch((e) => { console.error(e); process.exit(1); });
