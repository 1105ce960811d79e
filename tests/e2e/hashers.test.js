'use strict';
// How many hashing workers a large save starts (issue 13, target 3's memory). The first
// hasher starts as soon as the scanner runs (the walk feeds it the layers it reads through);
// the others only when the plan has blobs the walk did not feed. A hasher started for nothing
// is a worker's isolate and code until the plan stops it. The browser is told it has two
// cores, so the count is the same on any machine; workers are counted by a subclass of
// `Worker` (wasm-bindgen's glue looks the name up when it constructs one).
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { openSession, pickFile, problemsOf, waitReady } = require('./lib/browser');
const app = require('./lib/app');
const { sha256, layersImage, seededLayer } = require('./lib/tarwrite');
const { initWith, reloaded } = require('./lib/hold');

/** The page with two cores, every worker it starts and the first `Scanned` recorded. */
async function watchedPage(session) {
  const page = await session.newPage();
  await initWith(page, () => {
    Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => 2 });
    const seen = { workers: [], scanned: null };
    window.__seen = seen;
    // On Worker.prototype itself, before the subclass below shadows the name.
    hookOnMessage((worker, handler) => function (ev) {
      if (seen.scanned === null && msgText(ev && ev.data).startsWith('{"Scanned"')) seen.scanned = performance.now();
      return handler.call(this, ev);
    });
    const W = window.Worker;
    window.Worker = class extends W {
      constructor(...args) {
        super(...args);
        seen.workers.push(performance.now());
      }
    };
  });
  return reloaded(page);
}

/** Writes a save of `layers` (tars, bottom first) to `file`, opens it on a watched page and
 * waits until it is verified: the page, what it saw (`watchedPage`) and each layer shown as
 * [diff_id, verified, hashed with]. */
async function openCounted(session, file, layers) {
  fs.writeFileSync(file, layersImage(layers.map((layer, i) => ({ layer, createdBy: `COPY part${i}/ /data/` }))));
  const page = await watchedPage(session);
  await pickFile(page, file);
  await waitReady(page, { timeout: 60000 });
  const seen = await page.evaluate(() => window.__seen);
  // Base first (the stack lists the top layer first).
  const shown = await page.$$eval('[data-testid=layer]', (els) => els.reverse().map((e) => [e.dataset.diffId, e.dataset.verified, e.getAttribute('data-hashed-with')]));
  return { page, seen, shown };
}

describe('hashers of a large save', () => {
  let session;
  let dir;
  before(async () => {
    session = await openSession();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pancake-hashers-'));
  });
  after(async () => {
    await session?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('one layer of 72 MiB: one hasher, which the walk feeds; no second one idles beside it', { timeout: 120000 }, async () => {
    const layer = seededLayer('a', 2304, 32 << 10);
    const { page, seen, shown } = await openCounted(session, path.join(dir, 'one-layer.tar'), [layer]);
    // The scanner and one hasher.
    assert.equal(seen.workers.length, 2, JSON.stringify(seen));
    assert.deepEqual(shown, [[sha256(layer), 'true', 'with-walk']]);
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  test('two layers of small files, both fed by the walk: still one hasher', { timeout: 120000 }, async () => {
    const layers = [seededLayer('b', 1280, 32 << 10), seededLayer('c', 1280, 32 << 10)];
    const { page, seen, shown } = await openCounted(session, path.join(dir, 'two-fed-layers.tar'), layers);
    assert.equal(seen.workers.length, 2, JSON.stringify(seen));
    assert.deepEqual(shown.map(([d]) => d).sort(), layers.map(sha256).sort());
    assert.deepEqual(shown.map(([, v, how]) => [v, how]), [['true', 'with-walk'], ['true', 'with-walk']]);
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  test('two layers of large files, sought over by the walk: the first hasher hashes the larger beside the walk, a second one starts with the plan for the other', { timeout: 120000 }, async () => {
    const layers = [seededLayer('d', 4, 12 << 20), seededLayer('e', 3, 12 << 20)];
    const { page, seen, shown } = await openCounted(session, path.join(dir, 'two-large-file-layers.tar'), layers);
    assert.equal(seen.workers.length, 3, JSON.stringify(seen));
    assert.ok(seen.scanned !== null && seen.workers[2] > seen.scanned,
      `the second hasher started at ${seen.workers[2].toFixed(0)} ms, after the walk's end at ${seen.scanned?.toFixed(0)} ms`);
    assert.deepEqual(shown.map(([d]) => d).sort(), layers.map(sha256).sort());
    // The 48 MiB layer fell out of the walk's feed at its first skipped file and was named to
    // the first hasher then (at least 32 MiB and half the largest); the 36 MiB one was not
    // (one blob only), and was hashed after the walk.
    const how = Object.fromEntries(shown.map(([d, v, h]) => [d, [v, h]]));
    assert.deepEqual(how[sha256(layers[0])], ['true', 'beside-walk'], JSON.stringify(shown));
    assert.equal(how[sha256(layers[1])][0], 'true', JSON.stringify(shown));
    assert.ok(!['with-walk', 'beside-walk'].includes(how[sha256(layers[1])][1]), JSON.stringify(shown));
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  test('five layers of large files on two cores: the first hasher takes the largest beside the walk, the second three or four of the others at once, hashed together in one vector', { timeout: 180000 }, async () => {
    // 48 MiB, then four of 36 MiB: each over a hasher's WebCrypto budget (32 MiB at most),
    // so each is streamed; the second hasher takes all four at once (four blobs not fed, one
    // hasher to take them), or three when the first is free again in time, and hashes them in
    // the lanes of one vector (`web/src/lanes.rs`).
    const layers = [seededLayer('f', 4, 12 << 20), ...['g', 'h', 'i', 'j'].map((t) => seededLayer(t, 3, 12 << 20))];
    const { page, seen, shown } = await openCounted(session, path.join(dir, 'five-large-file-layers.tar'), layers);
    assert.equal(seen.workers.length, 3, JSON.stringify(seen));
    // Every digest the page computed is the layer's own (a lane that hashed wrong would show
    // a mismatch, and the layer would not be verified).
    assert.deepEqual(shown.map(([d]) => d).sort(), layers.map(sha256).sort());
    const how = Object.fromEntries(shown.map(([d, v, h]) => [d, [v, h]]));
    assert.deepEqual(how[sha256(layers[0])], ['true', 'beside-walk'], JSON.stringify(shown));
    // All four are verified; three or four of them together. (When the first hasher is done
    // with the largest before the second has started on the four, it takes one of them, and
    // the second the other three together: both cores at work, which is the pool's rule too.
    // Which happens depends on the machine's timing.)
    const rest = layers.slice(1).map((l) => how[sha256(l)]);
    assert.ok(rest.every(([v, h]) => v === 'true' && ['together', 'streamed'].includes(h)), JSON.stringify(shown));
    const together = layers.slice(1).filter((l) => how[sha256(l)][1] === 'together');
    assert.ok(together.length >= 3, JSON.stringify(shown));
    assert.deepEqual(problemsOf(page), []);
    // The layer details say so, in words: the top-most layer hashed together.
    const shownTogether = together[together.length - 1];
    const top = await page.$eval(`[data-testid=layer][data-diff-id="${sha256(shownTogether)}"]`, (e) => Number(e.getAttribute('data-index')));
    await app.selectLayer(page, top);
    const row = page.locator('[data-testid=layer-details] [data-testid=hashed-with]').first();
    await row.waitFor({ state: 'visible', timeout: 5000 });
    assert.equal(await row.getAttribute('data-hashed-with'), 'together');
    assert.equal((await row.textContent()).trim(), 'streamed with other layers, up to four at once in one vector (wasm SIMD)');
    await page.close();
  });
});
