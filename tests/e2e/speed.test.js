'use strict';
// Speed (issue 13): each blob a hashing worker takes is hashed either with WebCrypto in one shot
// (uncompressed, within the worker's memory budget) or streamed through the wasm hasher
// (compressed: its diff_id needs the decompressed bytes). The path is recorded per blob, shown
// in the layer details (EN and ID), and every digest still verifies against the digests Python's
// hashlib wrote into the image (bench/make_big_image.py).
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const { REPO, openSession, problemsOf, pickFile, waitReady } = require('./lib/browser');
const app = require('./lib/app');
const { holdHashing } = require('./lib/hold');

const SHOTS = path.join(REPO, 'target', 'screenshots', 'speed');
// 8 MiB in 6 layers: 3.4, 2.1 and 1.3 MB layers exceed the 1 MiB the first walk hashes itself,
// so the hashing workers take them; the smaller three are hashed during the first walk.
const MAKE = path.join(REPO, 'bench', 'make_big_image.py');
const WORKER_HASHED_MIN = 1 << 20;

let session;
let dir;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pancake-speed-'));
  execFileSync('python3', [MAKE, path.join(dir, 'plain.tar'), '8']);
  execFileSync('python3', [MAKE, path.join(dir, 'gz.tar'), '8', '--gzip-layers']);
  session = await openSession();
});
after(async () => {
  await session?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** data-hashed-with and data-size of every layer slab, once every digest is settled. */
async function hashPaths(page) {
  return page.$$eval('[data-testid=layer]', (els) => els.map((e) => ({
    index: Number(e.getAttribute('data-index')),
    size: Number(e.getAttribute('data-size')),
    stored: e.getAttribute('data-digest'),
    verified: e.getAttribute('data-verified'),
    how: e.getAttribute('data-hashed-with'),
  })));
}

async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

describe('hash path per blob', () => {
  for (const w of [
    { lang: 'en', width: 1280, height: 800, scheme: 'light', word: 'WebCrypto' },
    { lang: 'id', width: 360, height: 740, scheme: 'dark', word: 'WebCrypto' },
  ]) {
    test(`uncompressed blobs within the budget: WebCrypto, verified (${w.lang}, ${w.width} px, ${w.scheme})`, { timeout: 90000 }, async () => {
      const page = await session.newPage({ viewport: { width: w.width, height: w.height }, colorScheme: w.scheme, query: `?lang=${w.lang}` });
      await pickFile(page, path.join(dir, 'plain.tar'));
      await waitReady(page, { timeout: 45000 });
      const layers = await hashPaths(page);
      assert.equal(layers.length, 6);
      for (const l of layers) assert.equal(l.verified, 'true', `layer ${l.index} verified`);
      const big = layers.filter((l) => l.size > WORKER_HASHED_MIN);
      assert.equal(big.length, 3, JSON.stringify(layers));
      for (const l of big) assert.equal(l.how, 'webcrypto', `layer ${l.index}: ${JSON.stringify(l)}`);
      for (const l of layers.filter((x) => x.size <= WORKER_HASHED_MIN)) assert.equal(l.how, null);
      await app.selectLayer(page, 0);
      const row = page.locator('[data-testid=layer-details] [data-testid=hashed-with]').first();
      await row.waitFor({ state: 'visible', timeout: 5000 });
      assert.equal(await row.getAttribute('data-hashed-with'), 'webcrypto');
      const text = (await row.textContent()).trim();
      assert.match(text, /^WebCrypto \(/);
      assert.match(text, w.lang === 'id' ? /peramban/ : /browser/);
      await row.scrollIntoViewIfNeeded();
      await shot(page, `webcrypto-${w.lang}-${w.width}-${w.scheme}`);
      assert.deepEqual(problemsOf(page), []);
      await page.close();
    });
  }

  test('compressed layers are streamed (their diff_id needs the decompressed bytes), verified', { timeout: 90000 }, async () => {
    const page = await session.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });
    await pickFile(page, path.join(dir, 'gz.tar'));
    await waitReady(page, { timeout: 45000 });
    const layers = await hashPaths(page);
    assert.equal(layers.length, 6);
    for (const l of layers) assert.equal(l.verified, 'true', `layer ${l.index} verified`);
    const streamed = layers.filter((l) => l.how === 'streamed');
    assert.ok(streamed.length >= 2, JSON.stringify(layers));
    assert.ok(!layers.some((l) => l.how === 'webcrypto'), JSON.stringify(layers));
    await app.selectLayer(page, streamed[0].index);
    const row = page.locator('[data-testid=layer-details] [data-testid=hashed-with]').first();
    await row.waitFor({ state: 'visible', timeout: 5000 });
    assert.equal(await row.getAttribute('data-hashed-with'), 'streamed');
    assert.match((await row.textContent()).trim(), /^streamed \(wasm/);
    await row.scrollIntoViewIfNeeded();
    await shot(page, 'streamed-en-1280-dark');
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });
});

describe('sizes while compressed layers are read', () => {
  const PENDING = 'pending…';
  // 64 MiB in 6 gzip-compressed layers: each layer's files (and so its size) are known once a
  // hashing worker has inflated it, the smaller ones well before the 26 MiB base layer.
  let big;
  before(() => {
    big = path.join(dir, 'gz64.tar');
    execFileSync('python3', [MAKE, big, '64', '--gzip-layers']);
  });
  for (const w of [
    { width: 1280, height: 800, scheme: 'light' },
    { width: 360, height: 740, scheme: 'dark' },
  ]) {
    test(`each layer's size shows as soon as that layer is read, the others say pending (${w.width} px, ${w.scheme})`, { timeout: 90000 }, async () => {
      // The hashing workers' jobs are held and let go one at a time, so the page is seen with
      // some layers sized and some pending however fast the machine inflates them (a free run
      // can pass through that state between two polls of the DOM).
      const page = await holdHashing(await session.newPage({ viewport: { width: w.width, height: w.height }, colorScheme: w.scheme }));
      await page.evaluate(() => {
        window.__sizes = [];
        const look = () => {
          // Base first (the stack lists the top layer first), so `i` below is the layer's index.
          const slabs = [...document.querySelectorAll('[data-testid=layer]')].reverse();
          if (!slabs.length) return;
          const sizes = slabs.map((s) => s.querySelector('[data-testid=layer-size]')?.textContent || '');
          const run = document.querySelector('[data-testid=run-container]');
          const key = sizes.join('|');
          const last = window.__sizes[window.__sizes.length - 1];
          if (last && last.key === key) return;
          window.__sizes.push({ key, sizes, run: run ? { disabled: run.disabled, title: run.title } : null });
        };
        new MutationObserver(look).observe(document.body, { childList: true, subtree: true, characterData: true });
      });
      await pickFile(page, big);
      await page.waitForFunction(() => window.__pc.held.length >= 1, null, { timeout: 45000 });
      await page.evaluate(() => window.__pcLet(1));
      // Mid-read: some layer sized, some pending.
      await page.waitForFunction((pending) => {
        const t = [...document.querySelectorAll('[data-testid=layer] [data-testid=layer-size]')].map((e) => e.textContent);
        return t.includes(pending) && t.some((x) => x !== pending);
      }, PENDING, { timeout: 45000 });
      await shot(page, `sizes-arriving-${w.width}-${w.scheme}`);
      await page.evaluate(() => window.__pcRelease());
      await waitReady(page, { timeout: 45000 });
      const seen = await page.evaluate(() => window.__sizes);
      const mixed = seen.filter((s) => s.sizes.includes(PENDING) && s.sizes.some((x) => x !== PENDING));
      assert.ok(mixed.length >= 1, `sizes seen: ${JSON.stringify(seen.map((s) => s.sizes))}`);
      // While any layer is pending, a container cannot be run, and the button says why.
      for (const s of seen.filter((x) => x.sizes.includes(PENDING) && x.run)) {
        assert.equal(s.run.disabled, true, JSON.stringify(s));
        assert.match(s.run.title, /once the image is read and checked/);
      }
      // Once verified, every size is known and none changed after it was first shown.
      const last = seen[seen.length - 1].sizes;
      assert.ok(!last.includes(PENDING), JSON.stringify(last));
      for (const s of seen) {
        s.sizes.forEach((x, i) => {
          if (x !== PENDING && x !== '') assert.equal(x, last[i], `layer ${i}'s size changed once shown: ${JSON.stringify(seen.map((q) => q.sizes))}`);
        });
      }
      const layers = await hashPaths(page);
      for (const l of layers) assert.equal(l.verified, 'true', `layer ${l.index} verified`);
      assert.deepEqual(problemsOf(page), []);
      await page.close();
    });
  }
});
