'use strict';
// The page's workers run one module, compiled once on the page (web/src/worker_start.rs, issue
// 13 targets 3 and 5: a module compiled in each worker kept its code once per worker, ~13 MiB
// of the renderer's peak on the 200,000-file image). Every worker a reading starts gets the
// page's module in its first message, `worker_bg.wasm` is fetched once however many workers
// run, and when the page cannot compile it each worker loads the file itself, as before, and
// the image is read the same.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { openSession, pickFile, problemsOf, waitReady, warningsOf } = require('./lib/browser');
const { sha256, layersImage, seededLayer } = require('./lib/tarwrite');
const { initWith, reloaded } = require('./lib/hold');

const WASM = /\/worker_bg\.wasm$/;

/**
 * A page told it has two cores, reloaded so every worker it starts is seen: for each, where its
 * module came from (`self.pancakeModuleFrom` once its wasm runs, 'gone' for a worker stopped
 * before), and every request for `worker_bg.wasm` not made by the service worker.
 */
async function watchedPage(session) {
  const page = await session.newPage();
  await initWith(page, () => {
    Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => 2 });
  });
  const seen = { from: [], fetches: [] };
  page.on('worker', (w) => {
    seen.from.push(w.evaluate(async () => {
      const until = Date.now() + 20000;
      while (self.pancakeWasm === undefined && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      return self.pancakeModuleFrom || 'none';
    }).catch(() => 'gone'));
  });
  session.ctx.on('request', (r) => {
    if (WASM.test(r.url()) && !r.serviceWorker()) seen.fetches.push(r.url());
  });
  await reloaded(page);
  seen.fetches.length = 0; // the reload itself fetches nothing of the workers'
  return { page, seen };
}

/** Opens a save of two layers of large files (the scanner and two hashers on two cores), waits
 * until it is verified and returns each layer as [diff_id, verified]. */
async function openTwoLayers(page, file) {
  const layers = [seededLayer('a', 4, 12 << 20), seededLayer('b', 3, 12 << 20)];
  fs.writeFileSync(file, layersImage(layers.map((layer, i) => ({ layer, createdBy: `COPY part${i}/ /data/` }))));
  await pickFile(page, file);
  await waitReady(page, { timeout: 60000 });
  const shown = await page.$$eval('[data-testid=layer]', (els) => els.reverse().map((e) => [e.dataset.diffId, e.dataset.verified]));
  return { layers, shown };
}

describe('the workers share one compiled module', () => {
  let session;
  let dir;
  before(async () => {
    session = await openSession();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pancake-module-'));
  });
  after(async () => {
    await session?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('every worker runs the module the page compiled, and worker_bg.wasm is fetched once', { timeout: 120000 }, async () => {
    const { page, seen } = await watchedPage(session);
    const { layers, shown } = await openTwoLayers(page, path.join(dir, 'two.tar'));
    assert.deepEqual(shown, layers.map((l) => [sha256(l), 'true']), 'both layers verified');
    const from = await Promise.all(seen.from);
    const ran = from.filter((f) => f !== 'gone');
    assert.ok(ran.length >= 3, `the scanner and two hashers ran: ${JSON.stringify(from)}`);
    assert.deepEqual(ran, ran.map(() => 'page'), JSON.stringify(from));
    assert.equal(seen.fetches.length, 1, `one fetch of the workers' wasm for ${from.length} workers: ${JSON.stringify(seen.fetches)}`);
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  /**
   * In a browser of its own, without the service worker (which would fetch the file for its
   * cache, or answer the page's fetch from it): the page's first request for the workers' wasm
   * answered by `first(route)`, the workers' own passed on. Opens the two-layer save as `name`
   * and checks it verifies with every worker on the file; then `more(page)`.
   */
  async function pageFetchGoesWrong(name, first, more) {
    const own = await openSession({ serviceWorkers: 'block' });
    try {
      const { page, seen } = await watchedPage(own);
      let answered = 0;
      await page.route(WASM, (route) => {
        if (answered === 0) {
          answered += 1;
          return first(route);
        }
        return route.continue();
      });
      const started = Date.now();
      const { layers, shown } = await openTwoLayers(page, path.join(dir, name));
      const took = Date.now() - started;
      assert.deepEqual(shown, layers.map((l) => [sha256(l), 'true']), 'both layers verified');
      const from = await Promise.all(seen.from);
      const ran = from.filter((f) => f !== 'gone');
      assert.ok(ran.length >= 3, JSON.stringify(from));
      assert.deepEqual(ran, ran.map(() => 'file'), JSON.stringify(from));
      assert.equal(answered, 1);
      await more(page, { seen, took });
    } finally {
      await own.close();
    }
  }

  test('when the page cannot fetch the module, each worker loads it and the image reads the same', { timeout: 120000 }, async () => {
    await pageFetchGoesWrong('two-fallback.tar', (route) => route.abort('failed'), async (page, { seen }) => {
      // The refused request (ours and the browser's words for it), and nothing else went wrong.
      assert.deepEqual(problemsOf(page).map((p) => p.replace(/ net::.*$/, '')).sort(),
        ['console error: page: Failed to load resource:', `console error: request failed: ${seen.fetches[0]}`]);
      assert.ok(warningsOf(page).some((w) => w.includes('worker_bg.wasm could not be compiled on the page')), JSON.stringify(warningsOf(page)));
    });
  });

  // What the page compiled is not this build's module (a page left open across a deployment
  // holds the old one): each worker's instantiation of it fails, and the worker loads the
  // file instead. Stood for here by a valid module of nothing, served to the page's fetch.
  test('a module from the page that cannot be instantiated: each worker loads the file', { timeout: 120000 }, async () => {
    const nothing = Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    await pageFetchGoesWrong('two-wrong-module.tar', (route) => route.fulfill({ status: 200, contentType: 'application/wasm', body: nothing }), async (page) => {
      assert.deepEqual(problemsOf(page), []);
    });
  });

  // The page's fetch never ends (a link that stalls): after `COMPILE_WAIT_MS` (15 s,
  // web/src/worker_start.rs) the workers stop waiting for it and load the file themselves.
  test('a fetch of the module that never ends: the workers load the file after the wait', { timeout: 120000 }, async () => {
    await pageFetchGoesWrong('two-stalled-fetch.tar', () => new Promise(() => {}), async (page, { took }) => {
      assert.ok(took >= 15000, `read after the wait: ${took} ms`);
      assert.ok(warningsOf(page).some((w) => w.includes('worker_bg.wasm was not compiled on the page in time')), JSON.stringify(warningsOf(page)));
      assert.deepEqual(problemsOf(page), []);
    });
  });
});
