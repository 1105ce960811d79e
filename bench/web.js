#!/usr/bin/env node
// The speed-and-memory benchmark of issue 13, in one command:
//
//   node bench/web.js            full sizes (1 GB, 2 GB, a 1 GiB+ single layer, the 1 GB
//                                 gzipped, 200,000 files); needs ~2.5 GB free in /tmp at peak
//   node bench/web.js --quick    small sizes, for development (a minute or two)
//   node bench/web.js --keep     keep the inputs in /tmp/pancake-bench (default: deleted)
//   node bench/web.js --only single,one   only these inputs (one: the 1 GB save, gz: it
//                                 gzipped, two: 2 GB, even: 1 GB in six layers of one
//                                 size, single: the one-layer save, files: 200,000 files,
//                                 gzfiles: the same in a gzip-compressed layer); the bundle
//                                 and start-page rows always run
//   node bench/web.js --files N  only the image of N files (issue 13 target 3), with the page's
//                                 first view and verified times as ratios to `pancake inspect`
//   node bench/web.js --runs N   measure each input N times (default 3), each run all of its
//                                 commands then the page, and print the medians (the longest
//                                 task: the largest of the runs)
//
// It makes the inputs deterministically (bench/make_big_image.py, bench/make_many_files.py,
// `gzip -n`), one at a time (at most the 1 GB save and its .gz on disk at once), and measures
// on each, in the same run: native `sha256sum`, `openssl dgst -sha256`, `gzip -dc | sha256sum`
// (compressed inputs), `pancake inspect --json` (release build), then the built page (dist/)
// in headless Chromium: first view (stack shown), the files listed (the layer tars walked,
// when the first view was an outline before that walk), every digest verified (image-ready), the
// longest main-thread task from pick to verified (a `longtask` PerformanceObserver), and the
// growth of the renderer processes' resident memory (sampled from /proc every 50 ms: the peak
// from the pick to a second after verified, and what is kept then; for the index-heavy image
// both against the index's own data).
// Once per run: the gzipped size of both wasm files and the time from navigation to an
// interactive start page. It prints one table; ratios are to `sha256sum` of the same file in
// the same run (machines here are noisy: only same-run ratios mean anything).
// Build first: `trunk build --release --offline` and `cargo build --release -p pancake-cli`
// (the script runs the cargo build itself).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');
const { execFileSync, spawnSync } = require('child_process');
const { chromium } = require('playwright-core');
const { startServer } = require('../tests/e2e/lib/server');
const { measureFloor, floorSeconds, cpuSeconds } = require('./floor');
const { descendants, rendererRss, browserPid } = require('./procs');

const REPO = path.resolve(__dirname, '..');
const DIST = process.env.PANCAKE_DIST || path.join(REPO, 'dist');
const CHROMIUM = process.env.PANCAKE_CHROMIUM || '/usr/bin/chromium';
const DIR = process.env.PANCAKE_BENCH_DIR || '/tmp/pancake-bench';
const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const KEEP = args.includes('--keep');
const onlyAt = args.indexOf('--only');
const ONLY = onlyAt >= 0 ? String(args[onlyAt + 1] || '').split(',') : null;
const want = (name) => !ONLY || ONLY.includes(name);
// `--files N`: only the index-heavy image, with N files (issue 13 target 3 on its own).
const FILES_ONLY = args.includes('--files') ? Number(args[args.indexOf('--files') + 1]) : 0;
// `--runs N`: each input measured N times, medians printed (one run swings by 10-30 % here).
const RUNS = Math.max(1, args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) || 1 : 3);
const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number' && !Number.isNaN(x)).sort((a, c) => a - c);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : undefined;
};

// Sizes in MiB (make_big_image.py's unit) and the file count of the index-heavy image.
const SIZE = QUICK
  ? { one: 96, two: 192, single: 128, files: 20000 }
  : { one: 1024, two: 2048, single: 1100, files: 200000 };

function sh(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 30, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status})`);
  return r.stdout;
}

/** Wall seconds of a shell pipeline (output discarded). */
function timeShell(script) {
  const t = process.hrtime.bigint();
  sh('bash', ['-o', 'pipefail', '-c', `${script} >/dev/null`]);
  return Number(process.hrtime.bigint() - t) / 1e9;
}

const q = (s) => `'${s.replace(/'/g, "'\\''")}'`;

// ---- the browser side -------------------------------------------------------------------

// Installed before the app loads: long tasks, and when the start page became interactive.
const INIT = () => {
  window.__bench = { longtasks: [], interactive: null };
  try {
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) window.__bench.longtasks.push({ start: e.startTime, ms: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch { /* no longtask support: reported as "n/a" */ }
  const seen = () => {
    if (window.__bench.interactive === null && document.querySelector('[data-testid=drop-zone]')) {
      window.__bench.interactive = performance.now();
      return true;
    }
    return false;
  };
  new MutationObserver((_, o) => { if (seen()) o.disconnect(); })
    .observe(document, { childList: true, subtree: true });
};

async function launch() {
  const server = await startServer(DIST);
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pancake-bench-pw-'));
  const ctx = await chromium.launchPersistentContext(userDir, {
    executablePath: CHROMIUM, headless: true, timeout: 30000,
    viewport: { width: 1280, height: 800 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage', '--enable-precise-memory-info'],
  });
  await ctx.addInitScript(INIT);
  const pid = browserPid(userDir);
  return {
    server, ctx, pid,
    async close() {
      await ctx.close().catch(() => {});
      await server.close();
      fs.rmSync(userDir, { recursive: true, force: true });
    },
  };
}

/** Navigation → interactive start page (drop zone rendered), ms; the median of `n` loads. */
async function startTimes(b, n) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const page = await b.ctx.newPage();
    await page.goto(b.server.url, { waitUntil: 'load' });
    await page.locator('[data-testid=drop-zone]').first().waitFor({ state: 'attached', timeout: 20000 });
    times.push(await page.evaluate(() => window.__bench.interactive));
    await page.close();
  }
  times.sort((a, c) => a - c);
  return times[Math.floor(times.length / 2)];
}

// Longest wait for a page to verify one input (the slowest, the 2 GiB save, takes ~10 s).
const STALL_MS = 300000;

/** Opens `file` in a fresh page and measures it (seconds from the pick). */
async function pageRun(b, file) {
  const page = await b.ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(b.server.url, { waitUntil: 'load' });
  await page.locator('[data-testid=drop-zone]').first().waitFor({ state: 'attached', timeout: 20000 });
  await new Promise((r) => setTimeout(r, 300)); // let start-up settle before the baseline
  const base = rendererRss(b.pid);
  let peak = base;
  const sampler = setInterval(() => { peak = Math.max(peak, rendererRss(b.pid)); }, 50);
  // Each moment as the page saw it (a mutation observer in the page), not when a locator's
  // polling from here noticed it: with both cores busy that polling lagged by up to 0.4 s.
  await page.evaluate(() => {
    const marks = {};
    window.__bench.marks = marks;
    const look = () => {
      const t = performance.now();
      if (marks.view === undefined && document.querySelector('[data-testid=layer]')) marks.view = t;
      if (marks.listed === undefined && document.querySelector('[data-phase=hashing], [data-testid=image-ready]')) marks.listed = t;
      if (marks.ready === undefined && document.querySelector('[data-testid=image-ready]')) marks.ready = t;
    };
    new MutationObserver(look).observe(document.body, { childList: true, subtree: true, attributes: true });
  });
  const t0page = await page.evaluate(() => performance.now());
  const t = Date.now();
  const cpuSince = cpuSeconds(b.pid, descendants);
  try {
    await page.locator('input[type=file][data-testid=file-input]').first().setInputFiles(file);
    // First view: a layer shown. The walk's end: every layer's files listed (hashing
    // starts, or all is verified); after an outline (a first view before the layer tars are
    // walked) this comes later. Verified: every digest checked.
    try {
      await page.locator('[data-testid=image-ready]').first().waitFor({ state: 'attached', timeout: STALL_MS });
    } catch (e) {
      // A page that has not verified in minutes what takes seconds has stalled: what it
      // showed and what its workers' reads did go to a file, rather than the run waiting on.
      const shot = path.join(os.tmpdir(), `pancake-bench-stall-${Date.now()}.png`);
      await page.screenshot({ path: shot, timeout: 10000 }).catch(() => {});
      const reads = [];
      // A worker stuck in a synchronous loop never answers: each asked for 5 s at most.
      const within = (p) => Promise.race([p, new Promise((r) => setTimeout(() => r('no answer in 5 s'), 5000))]);
      for (const w of page.workers()) {
        reads.push(await within(w.evaluate(() => self.pancakeReadStats || null)).catch((err) => String(err)));
      }
      const text = String(await within(page.locator('body').innerText()).catch(() => '')).slice(0, 600);
      throw new Error(`${path.basename(file)}: not verified after ${STALL_MS / 1000} s (screenshot ` +
        `${shot}; the workers' reads ${JSON.stringify(reads)}; the page said: ${text})`);
    }
    const marks = await page.evaluate(() => window.__bench.marks);
    const since = (m) => (m === undefined ? (Date.now() - t) / 1000 : (m - t0page) / 1000);
    const firstView = since(marks.view);
    const listed = since(marks.listed);
    const verified = since(marks.ready);
    // The browser's CPU time (every process and thread) from the pick to about "verified"
    // (read when this side saw it: up to ~0.1 s later).
    const cpu = cpuSince();
    const layers = await page.locator('[data-testid=layer]').count();
    const ok = await page.locator('[data-testid=layer][data-verified=true]').count();
    const tasks = await page.evaluate((t0) => window.__bench.longtasks.filter((x) => x.start >= t0), t0page);
    // What the tab keeps once the image is open: the growth a second after "verified", when
    // the hashing workers are gone and their garbage mostly collected (the peak above holds
    // the pieces read and posted, garbage that waits for V8's GC).
    // The peak is sampled over that second too: the work that follows "verified" (the fold of
    // the first view's figures, a scanner handing its reading over to a fresh one) is memory
    // the tab takes as well.
    await new Promise((r) => setTimeout(r, 1000));
    clearInterval(sampler);
    const kept = rendererRss(b.pid) - base;
    peak = Math.max(peak, kept + base);
    const paths = await page.evaluate(() => [...document.querySelectorAll('[data-testid=layer]')]
      .map((e) => e.getAttribute('data-hashed-with')));
    return {
      firstView, listed, verified, layers, ok, errors, cpu,
      longest: tasks.length ? Math.max(...tasks.map((x) => x.ms)) : 0,
      growth: peak - base,
      kept,
      paths,
    };
  } finally {
    clearInterval(sampler);
    await page.close();
  }
}

// The floor's rates, measured once per run on the first uncompressed input (bench/floor.js).
let floorRates = null;

// ---- the table --------------------------------------------------------------------------

const rows = [];
function row(input, what, secs, bytes, base, extra = '') {
  rows.push({ input, what, secs, mbs: secs ? bytes / 1e6 / secs : null, ratio: base ? secs / base : null, extra });
}

function print(meta) {
  const f = (v, d) => (v === null || v === undefined || Number.isNaN(v) ? '—' : v.toFixed(d));
  console.log(`\n${meta}\n`);
  console.log('| input | what | seconds | MB/s | ratio to `sha256sum` | notes |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.input} | ${r.what} | ${f(r.secs, 2)} | ${f(r.mbs, 0)} | ${f(r.ratio, 2)} | ${r.extra} |`);
  }
}

// ---- main -------------------------------------------------------------------------------

/**
 * The index's own data for issue 13's target 3 (memory growth ≤ 3× it): the entries of every
 * layer tar as the page's wasm holds them — `pancake_core::Entry` is 80 bytes on wasm32 (a
 * compile-time check in `crates/pancake-core/src/model.rs` keeps that true) plus each name's
 * and link target's bytes — counted here from the file with Python's `tarfile`, not by
 * Pancake. Uncompressed layer tars only (what `make_many_files.py` writes without --gzip).
 */
function indexBytes(file) {
  const py = `
import re, sys, tarfile
outer = tarfile.open(sys.argv[1])
n = names = 0
for m in outer.getmembers():
    if not (m.isfile() and m.name.startswith('blobs/') and m.size >= 10240):
        continue
    try:
        inner = tarfile.open(fileobj=outer.extractfile(m), mode='r:')
    except tarfile.TarError:
        continue
    for e in inner:
        n += 1
        names += len(re.sub(r'^(\\./|/)+', '', e.name).rstrip('/').encode('utf-8', 'surrogateescape'))
        names += len(e.linkname.encode('utf-8', 'surrogateescape'))
print(n, names)`;
  const [entries, names] = String(sh('python3', ['-c', py, file])).trim().split(/\s+/).map(Number);
  return { entries, bytes: entries * 80 + names };
}

async function measure(b, cli, file, label, { gz = false, index = null } = {}) {
  const bytes = fs.statSync(file).size;
  sh('bash', ['-c', `cat ${q(file)} >/dev/null`]); // warm the page cache: both sides read memory
  // Each run times every command and then the page, so a slow minute of this shared machine
  // falls on both sides of a ratio; the medians are printed.
  const t = { sha: [], openssl: [], gunzip: [], cli: [] };
  const pages = [];
  for (let i = 0; i < RUNS; i++) {
    t.sha.push(timeShell(`sha256sum ${q(file)}`));
    t.openssl.push(timeShell(`openssl dgst -sha256 ${q(file)}`));
    if (gz) t.gunzip.push(timeShell(`gzip -dc ${q(file)} | sha256sum`));
    t.cli.push(timeShell(`${q(cli)} inspect --json ${q(file)}`));
    pages.push(await pageRun(b, file));
  }
  const base = median(t.sha);
  row(label, '`sha256sum`', base, bytes, base);
  row(label, '`openssl dgst -sha256`', median(t.openssl), bytes, base);
  if (gz) row(label, '`gzip -dc \\| sha256sum`', median(t.gunzip), bytes, base);
  row(label, '`pancake inspect --json`', median(t.cli), bytes, base);
  const p = {
    firstView: median(pages.map((x) => x.firstView)),
    listed: median(pages.map((x) => x.listed)),
    verified: median(pages.map((x) => x.verified)),
    longest: Math.max(...pages.map((x) => x.longest)),
    growth: median(pages.map((x) => x.growth)),
    kept: median(pages.map((x) => x.kept)),
    cpu: median(pages.map((x) => x.cpu)),
    // Every run must verify every layer; the counts and paths of the last are shown.
    layers: pages[pages.length - 1].layers,
    ok: Math.min(...pages.map((x) => x.ok)),
    errors: pages.flatMap((x) => x.errors),
    paths: pages[pages.length - 1].paths,
  };
  const mib = (x) => `${(x / 1048576).toFixed(0)} MiB`;
  const counts = {};
  for (const h of p.paths) if (h) counts[h] = (counts[h] || 0) + 1;
  const how = Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ');
  const spread = (k) => (RUNS > 1 ? ` (runs: ${pages.map((x) => x[k].toFixed(2)).join(', ')} s)` : '');
  if (!gz) {
    // The least the page could take (bench/floor.js): every byte read from the File and
    // hashed in wasm, both cores doing nothing else. One blob is one stream, on one core.
    floorRates = floorRates || await measureFloor(b, file, descendants, { runs: RUNS });
    const f = floorRates;
    const one = p.layers === 1;
    const secs = one
      ? Math.max((bytes / 1e6) * f.hashMsPerMB.sha2 / 1000, floorSeconds(f, bytes, 'sha2'))
      : floorSeconds(f, bytes, 'lanes');
    row(label, 'page: floor', secs, bytes, base, one
      ? `one blob: hashed in one stream on one core while the others read (${floorSeconds(f, bytes, 'sha2').toFixed(2)} s on ${f.cores} cores)`
      : `every byte read and hashed in four lanes on ${f.cores} cores (${floorSeconds(f, bytes, 'sha2').toFixed(2)} s in single streams)`);
  }
  row(label, 'page: first view', p.firstView, bytes, base, spread('firstView').trim());
  if (p.listed > p.firstView + 0.05) row(label, 'page: files listed', p.listed, bytes, base, `the walk of the layer tars ends (the first view was their outline)${spread('listed')}`);
  row(label, 'page: all verified', p.verified, bytes, base,
    `${p.ok}/${p.layers} layers verified${how ? ` (${how})` : ''}; browser CPU ${p.cpu.toFixed(1)} core-s; longest task ${p.longest.toFixed(0)} ms; renderer +${mib(p.growth)} at the peak, +${mib(p.kept)} kept` +
    (index ? ` (${(p.growth / index.bytes).toFixed(1)}× and ${(p.kept / index.bytes).toFixed(1)}× the index's ${(index.bytes / 1e6).toFixed(1)} MB)` : '') +
    spread('verified'));
  if (p.ok !== p.layers || p.errors.length) {
    console.error(`${label}: ${p.ok}/${p.layers} verified; page errors: ${p.errors.join('; ')}`);
    process.exitCode = 1;
  }
  return p;
}

async function main() {
  if (!fs.existsSync(path.join(DIST, 'index.html'))) {
    throw new Error(`${DIST}/index.html is missing: trunk build --release --offline first`);
  }
  sh('cargo', ['build', '--release', '-q', '-p', 'pancake-cli'], { cwd: REPO, stdio: 'inherit' });
  const cli = path.join(REPO, 'target', 'release', 'pancake');
  fs.mkdirSync(DIR, { recursive: true });
  const made = [];
  const make = (name, script, argv) => {
    const f = path.join(DIR, name);
    if (!fs.existsSync(f)) sh('python3', [path.join(__dirname, script), f, ...argv.map(String)]);
    made.push(f);
    return f;
  };
  const drop = (f) => { if (!KEEP) fs.rmSync(f, { force: true }); };

  // Bundle: gzipped wasm sizes as served.
  const wasm = fs.readdirSync(DIST).filter((n) => n.endsWith('.wasm'));
  const gzKB = (n) => zlib.gzipSync(fs.readFileSync(path.join(DIST, n)), { level: 9 }).length / 1000;
  const app = wasm.find((n) => n.startsWith('app')); const worker = wasm.find((n) => n.startsWith('worker'));

  const b = await launch();
  const mem = {};
  try {
    const cores = await (async () => {
      const p = await b.ctx.newPage(); await p.goto(b.server.url);
      const c = await p.evaluate(() => [navigator.hardwareConcurrency, navigator.deviceMemory]);
      await p.close(); return c;
    })();
    const start = await startTimes(b, 5);

    if (FILES_ONLY) {
      const many = make(`many-${FILES_ONLY}.tar`, 'make_many_files.py', [FILES_ONLY]);
      await measure(b, cli, many, `${FILES_ONLY} files`, { index: indexBytes(many) });
      drop(many);
      // Target 3 is against the CLI's `inspect` on the same file.
      const secs = (what) => (rows.find((r) => r.what === what) || {}).secs;
      const cliSecs = secs('`pancake inspect --json`');
      const listed = secs('page: files listed');
      print(`${FILES_ONLY} files: first view ${(secs('page: first view') / cliSecs).toFixed(2)}× ` +
        `${listed ? `(files listed ${(listed / cliSecs).toFixed(2)}×) ` : ''}and all verified ` +
        `${(secs('page: all verified') / cliSecs).toFixed(2)}× the CLI's inspect (${cliSecs.toFixed(2)} s)`);
      return;
    }
    if (want('one') || want('gz')) {
      const one = make(`big-${SIZE.one}.tar`, 'make_big_image.py', [SIZE.one]);
      if (want('one')) mem.one = (await measure(b, cli, one, `${SIZE.one} MiB, 6 layers`)).growth;
      if (want('gz')) {
        const gz = `${one}.gz`;
        made.push(gz);
        if (!fs.existsSync(gz)) sh('bash', ['-c', `gzip -n -1 -c ${q(one)} > ${q(gz)}`]);
        drop(one);
        await measure(b, cli, gz, `${SIZE.one} MiB .tar.gz`, { gz: true });
        drop(gz);
      }
      drop(one);
    }

    if (want('two')) {
      const two = make(`big-${SIZE.two}.tar`, 'make_big_image.py', [SIZE.two]);
      mem.two = (await measure(b, cli, two, `${SIZE.two} MiB, 6 layers`)).growth;
      drop(two);
    }

    if (want('even')) {
      // Six layers of one size: more blobs of a size than cores, the case the lanes
      // (`web/src/lanes.rs`: up to four blobs hashed together in one SIMD vector) are for.
      const even = make(`even-${SIZE.one}.tar`, 'make_big_image.py', [SIZE.one, 6, '--even']);
      await measure(b, cli, even, `${SIZE.one} MiB, 6 even layers`);
      drop(even);
    }

    if (want('single')) {
      const single = make(`single-${SIZE.single}.tar`, 'make_big_image.py', [SIZE.single, 1]);
      await measure(b, cli, single, `${SIZE.single} MiB, 1 layer`);
      drop(single);
    }

    if (want('files')) {
      const many = make(`many-${SIZE.files}.tar`, 'make_many_files.py', [SIZE.files]);
      await measure(b, cli, many, `${SIZE.files} files`, { index: indexBytes(many) });
      drop(many);
    }

    if (want('gzfiles')) {
      // The same kind of layer stored gzip-compressed (as a pulled image's often is): no
      // header walk indexes it; the hasher that inflates it does, and its index crosses then.
      const many = make(`many-${SIZE.files}-gz.tar`, 'make_many_files.py', [SIZE.files, '--gzip']);
      await measure(b, cli, many, `${SIZE.files} files, gzip layer`);
      drop(many);
    }

    const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) || [])[1] || '?';
    print([
      `machine: ${cpu}, ${os.cpus().length} CPUs, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; ` +
        `Chromium ${b.ctx.browser() ? b.ctx.browser().version() : ''} sees ${cores[0]} cores, deviceMemory ${cores[1]}`,
      `bundle (gzip -9): app wasm ${gzKB(app).toFixed(0)} KB, worker wasm ${gzKB(worker).toFixed(0)} KB; ` +
        `navigation → interactive start page ${start.toFixed(0)} ms (median of 5)`,
      mem.one !== undefined && mem.two !== undefined
        ? `renderer memory growth: ${(mem.two / 1048576).toFixed(0)} MiB for ${SIZE.two} MiB vs ${(mem.one / 1048576).toFixed(0)} MiB ` +
          `for ${SIZE.one} MiB (ratio ${(mem.two / Math.max(mem.one, 1)).toFixed(2)})`
        : 'renderer memory growth: see each input (not both of the 1 GB and 2 GB saves in this run)',
      ...(floorRates ? [`floor rates (bench/floor.js, in this browser, medians of ${RUNS}): reading a file ` +
        `${floorRates.readMsPerMB.toFixed(2)} CPU ms/MB (${floorRates.readMBs.toFixed(0)} MB/s), SHA-256 in wasm ` +
        `${floorRates.hashMsPerMB.sha2.toFixed(2)} CPU ms/MB in one stream (${floorRates.hashMBs.sha2.toFixed(0)} MB/s) and ` +
        `${floorRates.hashMsPerMB.lanes.toFixed(2)} in four lanes (${floorRates.hashMBs.lanes.toFixed(0)} MB/s); ` +
        `${floorRates.cores} cores`] : []),
      `each figure: the median of ${RUNS} run${RUNS > 1 ? 's' : ''} (every command, then the page, per run)`,
    ].join('\n'));
  } finally {
    await b.close();
    if (!KEEP) for (const f of made) fs.rmSync(f, { force: true });
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
