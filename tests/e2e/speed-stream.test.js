'use strict';
// Speed and memory (issue 13, targets 2 and 5): a blob larger than any worker's WebCrypto
// budget (at most 128 MiB) is streamed through the wasm hasher (beside the walk, on two
// cores), read through a BYOB reader
// into one reused buffer, and still verifies against the digest Python's hashlib wrote into
// the image (bench/make_big_image.py). While it is hashed, no worker's wasm memory comes near
// the blob's size: the file is never read whole.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const { REPO, openSession, problemsOf, pickFile, waitReady } = require('./lib/browser');

const MAKE = path.join(REPO, 'bench', 'make_big_image.py');
const MIB = 1 << 20;
// One layer of 140 MiB of files: over the largest per-worker WebCrypto budget (128 MiB).
const LAYER_MIB = 140;
// A worker holds its 8 MiB piece, the index and its code; a whole-blob copy would be 140 MiB.
const WORKER_WASM_LIMIT = 64 * MIB;

let session;
let dir;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pancake-speed-stream-'));
  execFileSync('python3', [MAKE, path.join(dir, 'single.tar'), String(LAYER_MIB), '1']);
  session = await openSession();
});
after(async () => {
  await session?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Each live worker's wasm memory in bytes, asked of all at once (one that does not answer
 * within 300 ms, busy or gone, is skipped). */
async function workerWasm(page) {
  const answers = await Promise.all(page.workers().map((w) => Promise.race([
    w.evaluate(async () => {
      // `wasm_bindgen` is worker.js's top-level binding; init again returns its exports.
      // eslint-disable-next-line no-undef
      if (typeof wasm_bindgen !== 'function') return null;
      // eslint-disable-next-line no-undef
      const exp = await wasm_bindgen();
      return exp && exp.memory ? exp.memory.buffer.byteLength : null;
    }).catch(() => null),
    new Promise((r) => setTimeout(() => r(null), 300)),
  ])));
  return answers.filter((b) => b !== null);
}

test(`a ${LAYER_MIB} MiB layer is streamed, verified, and no worker's wasm memory holds it`, { timeout: 180000 }, async (t) => {
  const page = await session.newPage({ viewport: { width: 1280, height: 800 } });
  await pickFile(page, path.join(dir, 'single.tar'));
  await page.locator('[data-testid=layer]').first().waitFor({ state: 'attached', timeout: 60000 });
  // Sample the workers' wasm memory while the layer is hashed (they stop when it is done).
  const samples = [];
  let ready = false;
  const done = waitReady(page, { timeout: 150000 }).finally(() => { ready = true; });
  while (!ready) {
    samples.push(...await workerWasm(page));
    await new Promise((r) => setTimeout(r, 50));
  }
  await done;
  const layers = await page.$$eval('[data-testid=layer]', (els) => els.map((e) => ({
    verified: e.getAttribute('data-verified'),
    how: e.getAttribute('data-hashed-with'),
    digest: e.getAttribute('data-digest'),
  })));
  assert.equal(layers.length, 1);
  // On two cores or more the walk names the layer to the first hasher at its first skipped
  // file, which streams it beside the walk; on one, it is streamed after the walk. The same
  // wasm hasher and BYOB reads either way.
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const how = cores >= 2 ? 'beside-walk' : 'streamed';
  assert.deepEqual(layers.map((l) => [l.verified, l.how]), [['true', how]], JSON.stringify(layers));
  assert.match(layers[0].digest, /^sha256:[0-9a-f]{64}$/);
  assert.ok(samples.length > 0, 'no worker answered while the layer was hashed');
  const most = Math.max(...samples);
  t.diagnostic(`${samples.length} samples of the workers' wasm memory, at most ${(most / MIB).toFixed(0)} MiB`);
  assert.ok(most < WORKER_WASM_LIMIT,
    `a worker's wasm memory reached ${(most / MIB).toFixed(0)} MiB (limit ${WORKER_WASM_LIMIT / MIB} MiB) for a ${LAYER_MIB} MiB layer`);
  assert.deepEqual(problemsOf(page), []);
  await page.close();
});

// The bar says how far the reading is, from the pick to verified (issue 13: "the progress bar
// and its percentage agree from the first frame"). While an uncompressed file's layer tars
// are walked it gives how far through the file the walk is (`archive::scan_watched`), not
// stripes; while the layer is verified it moves with the hashing. Before, the job the page
// gave the hasher hashing the layer beside the walk waited unseen behind that hashing (a
// worker's loop of ready reads never left its microtasks, `give_way`), so the bar stood at
// 0 % until the layer was done.
test('the bar follows the walk, then the hashing of a layer hashed beside the walk', { timeout: 180000 }, async () => {
  const page = await session.newPage({ viewport: { width: 1280, height: 800 } });
  await page.evaluate(() => {
    const seen = [];
    window.__bar = seen;
    const look = () => {
      const p = document.querySelector('[data-testid=progress]');
      const bar = p && p.querySelector('[role=progressbar]');
      if (!bar) return;
      const v = bar.getAttribute('aria-valuenow');
      const s = [p.getAttribute('data-phase'), v === null ? null : Number(v), Math.round(performance.now()), !!p.querySelector('.rate')];
      const last = seen[seen.length - 1];
      if (!last || last[0] !== s[0] || last[1] !== s[1] || last[3] !== s[3]) seen.push(s);
    };
    new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  await pickFile(page, path.join(dir, 'single.tar'));
  await waitReady(page, { timeout: 150000 });
  const seen = await page.evaluate(() => window.__bar);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const reading = seen.filter(([phase, v]) => phase === 'reading' && v !== null).map(([, v]) => v);
  const hashing = seen.filter(([phase]) => phase === 'hashing').map(([, v]) => v);
  const rising = (xs) => xs.every((x, i) => i === 0 || x >= xs[i - 1]);
  // (The worker posts the walk's figure at most every 80 ms: its last may not come before
  // the walk's answer, which ends the reading phase.)
  assert.ok(reading.length >= 1 && rising(reading), `the walk's bar: ${JSON.stringify(seen)}`);
  assert.ok(reading.some((v) => v > 0 && v < 100), `the walk's bar moves: ${JSON.stringify(seen)}`);
  // The walk's figure is a place in the file, not bytes read: no MB/s beside it.
  assert.ok(seen.every(([phase, , , rate]) => phase !== 'reading' || !rate), `a rate beside the walk: ${JSON.stringify(seen)}`);
  assert.ok(hashing.every((v) => v !== null) && rising(hashing), `the hashing's bar: ${JSON.stringify(seen)}`);
  const times = seen.filter(([phase]) => phase === 'hashing').map(([, , t]) => t);
  const hashingMs = times.length ? times[times.length - 1] - times[0] : 0;
  if (cores >= 2 && hashingMs >= 400) {
    // Beside the walk: the hasher reports as it goes, not only once the layer is done (a
    // machine that hashes the rest within a few of the page's 100 ms updates may not show one).
    assert.ok(hashing.some((v) => v > 0 && v < 100), `the bar moves while the layer is verified: ${JSON.stringify(seen)}`);
  }
  assert.deepEqual(problemsOf(page), []);
  await page.close();
});
