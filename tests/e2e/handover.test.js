'use strict';
// Issue 13, target 3: once a large image (20,000 entries or more) is settled, its scanner
// worker hands its reading to a new scanner and is stopped. Walking and indexing the image and
// folding its first view's figures left the scanner's wasm memory at about twice what its index
// takes, and wasm memory is never given back; the new one holds the index in the compact form
// it came in (`Request::HandOver`, `Request::Adopt`, `Pool::hand_over`); the reading goes from
// the old worker to the new one over a `MessageChannel`, and the old one is stopped once the
// new one says it has it (`Response::Adopted`).
// Asserts, on an image of 30,000 files: the new scanner's wasm memory is well below the old
// one's; the old one is gone; what the page asked while the hand-over was under way (held here:
// the new scanner's `Adopted` waits until the test lets it go) is answered by the new one once
// it has the reading — a search over both layers, the row it jumps to and that file's bytes;
// and when the new one says it could not adopt the reading (the held message rewritten), the
// old one reads again and answers what waited. No problem is reported. (large.test.js
// measures the memory on 200,000 files.)
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { openSession, pickFile, problemsOf, waitReady } = require('./lib/browser');
const { makeLargeImage } = require('../make_large_image');
const { holdResponses } = require('./lib/hold');
const { workerMemories } = require('./lib/large');
const app = require('./lib/app');

const READY_TIMEOUT = Number(process.env.PANCAKE_E2E_READY_MS || 45000);
const TEST_TIMEOUT = READY_TIMEOUT + 60000;
const FILES = 30000;

/** In the page: the search status answers query `q` (an earlier query's does not count). */
function answeredIn(q) {
  const s = document.querySelector('[data-testid=search-status]');
  return Boolean(s && s.dataset.query === q);
}

/** Opens `file` with the new scanner's `Adopted` held: once this returns the image is verified
 * and the hand-over is under way, both scanners running. */
async function openHeld(page, file) {
  await holdResponses(page, '^\\{"Adopted"');
  await pickFile(page, file);
  await waitReady(page, { timeout: READY_TIMEOUT });
  await page.waitForFunction(() => window.__pcRespHeld() === 1, null, { timeout: 20000 });
}

describe('a large image\'s scanner is handed over once settled', () => {
  let session;
  let file;
  before(async () => {
    session = await openSession();
    file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pancake-handover-')), 'large.tar');
    fs.writeFileSync(file, makeLargeImage(FILES).bytes);
  });
  after(async () => {
    await session?.close();
    if (file) fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  test('the new scanner starts from the index alone; the old one is stopped', { timeout: TEST_TIMEOUT }, async () => {
    const page = await session.newPage();
    try {
      await openHeld(page, file);
      // Both scanners run: the old one, still the page's until the new one's word comes, and
      // the new one, which holds the reading already.
      let both = [];
      for (let i = 0; i < 100 && both.length < 2; i++) {
        both = await workerMemories(page);
        if (both.length < 2) await page.waitForTimeout(100);
      }
      assert.equal(both.length, 2, `scanners running: ${JSON.stringify(both)}`);
      const old = Math.max(...both);
      const adopted = Math.min(...both);
      await page.evaluate(() => window.__pcRespRelease());
      let left = both;
      for (let i = 0; i < 100 && left.length !== 1; i++) {
        await page.waitForTimeout(100);
        left = await workerMemories(page);
      }
      assert.equal(left.length, 1, `workers once handed over: ${JSON.stringify(left)}`);
      const [now] = left;
      console.log(`# scanner wasm memory: ${old.toFixed(1)} MiB before the hand-over, ${now.toFixed(1)} MiB after`);
      assert.equal(now, adopted, 'the scanner left is the new one');
      assert.ok(now < old * 0.6, `the new scanner holds ${now.toFixed(1)} MiB, the old one ${old.toFixed(1)} MiB`);
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  test('what is asked while the hand-over is under way is answered by the new scanner', { timeout: TEST_TIMEOUT }, async () => {
    const page = await session.newPage();
    try {
      await openHeld(page, file);
      // A search over both layers, asked now, waits on the page until the new scanner says
      // it has the reading.
      await app.openTab(page, 'files');
      const query = 'd7/f7.txt';
      await page.locator('[data-testid=search-input]').fill(query);
      await page.waitForTimeout(500);
      assert.equal(await page.evaluate(answeredIn, query), false, 'the search waits for the hand-over');
      assert.equal(await page.evaluate(() => window.__pcRespHeld()), 1);
      await page.evaluate(() => window.__pcRespRelease());
      await page.waitForFunction(answeredIn, query, { timeout: 20000 });
      const hits = await page.$$eval('[data-testid=search-hit]', (els) => els.map((e) => ({
        path: e.dataset.path,
        events: [...e.querySelectorAll('[data-testid=search-event]')].map((b) => [Number(b.dataset.layer), b.dataset.change]),
      })));
      assert.deepEqual(hits, [{ path: 'data/d7/f7.txt', events: [[1, 'added']] }]);
      // Its "added in layer 1" opens the base layer at the file, and the file's bytes.
      await page.locator('[data-testid=search-hit][data-path="data/d7/f7.txt"] [data-testid=search-event][data-layer="1"]').click();
      const row = page.locator('[data-testid=file-row][data-path="data/d7/f7.txt"]');
      await row.waitFor({ timeout: 20000 });
      assert.equal(await row.getAttribute('data-change'), 'added');
      await page.waitForFunction(() => {
        const el = document.querySelector('[data-testid=file-content]');
        return el && /file 7 of a 200,000-file layer/.test(el.textContent);
      }, null, { timeout: 20000 });
      assert.equal((await workerMemories(page)).length, 1, 'the old scanner is stopped');
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  test('a new scanner that could not adopt the reading leaves the old one reading', { timeout: TEST_TIMEOUT }, async () => {
    const page = await session.newPage();
    try {
      await openHeld(page, file);
      const both = await workerMemories(page);
      await app.openTab(page, 'files');
      const query = 'd9/f9.txt';
      await page.locator('[data-testid=search-input]').fill(query);
      await page.waitForTimeout(300);
      // The new scanner's word, as if the reading had come damaged.
      await page.evaluate(() => window.__pcRespRelease('"ok":true', '"ok":false'));
      await page.waitForFunction(answeredIn, query, { timeout: 20000 });
      const hits = await page.$$eval('[data-testid=search-hit]', (els) => els.map((e) => e.dataset.path));
      assert.deepEqual(hits, ['data/d9/f9.txt']);
      let left = await workerMemories(page);
      for (let i = 0; i < 50 && left.length !== 1; i++) {
        await page.waitForTimeout(100);
        left = await workerMemories(page);
      }
      // The old one, whose memory only grew (the search's index of paths), not the new one.
      assert.ok(left.length === 1 && left[0] >= Math.max(...both), `the old scanner is the one left: ${JSON.stringify({ both, left })}`);
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });
});
