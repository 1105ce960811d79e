'use strict';
// One image once (issue 14): the same image opened from two files (the same image ID) is one
// entry in the session, noted "also in FILE", and counted once in the storage figures.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { REPO, FIXTURES, SEL, openSession, problemsOf, waitReady } = require('./lib/browser');
const { loadExpected } = require('./lib/expected');
const app = require('./lib/app');

const READY = Number(process.env.PANCAKE_E2E_READY_MS || 45000);
const T = READY * 2 + 60000;
const SHOTS = path.join(REPO, 'target', 'screenshots', 'sizes');

/** Open several files at once through the page's file input, and wait for all of them. */
async function openAll(page, files, alsoCount) {
  await page.locator(SEL.fileInput).first().setInputFiles(files);
  await waitReady(page, { timeout: READY });
  await app.openTab(page, 'shared');
  await page.waitForFunction((n) => {
    const a = document.querySelector('[data-testid=also-in]');
    return a && Number(a.dataset.count) === n
      && [...document.querySelectorAll('[data-testid=session-image]')].every((e) => e.dataset.pending === 'false');
  }, alsoCount, { timeout: READY });
}

/** The storage card's figures and the session list. */
async function readSession(page) {
  const st = page.locator('[data-testid=storage-summary]').first();
  return {
    items: await page.$$eval('[data-testid=session-image]', (els) => els.map((e) => ({
      total: Number(e.dataset.totalBytes),
      also: e.querySelector('[data-testid=also-in]')?.textContent.trim() || null,
    }))),
    separate: Number(await st.getAttribute('data-separate-bytes')),
    stored: Number(await st.getAttribute('data-stored-bytes')),
    bands: await page.locator('[data-testid=shared-layer]').count(),
    options: await page.locator('[data-testid=image-option]').count(),
  };
}

describe('one image once (issue 14)', () => {
  let session;
  before(async () => { session = await openSession(); });
  after(async () => { if (session) await session.close(); });

  test('the same image as a .tar and as a .tar.gz: one entry, "also in", counted once', { timeout: T }, async () => {
    const a = path.join(FIXTURES, 'docker20-save-app1.tar');
    const b = path.join(FIXTURES, 'docker20-save-app1.tar.gz');
    const exp = loadExpected(a);
    // They are the same image: the same image ID in both fixtures' own records.
    assert.equal(exp.images[0].configDigest, loadExpected(b).images[0].configDigest);
    const tars = exp.raw.images[0].layers.reduce((s, l) => s + l.uncompressed_size, 0);
    const page = await session.newPage({ query: '?lang=en' });
    try {
      await openAll(page, [a, b], 1);
      const s = await readSession(page);
      assert.equal(s.items.length, 1, 'one entry for the one image');
      assert.equal(s.items[0].also, 'also in docker20-save-app1.tar.gz');
      assert.equal(s.items[0].total, tars);
      // Counted once: kept separately or shared, it is one image's layers.
      assert.equal(s.separate, tars);
      assert.equal(s.stored, tars);
      assert.equal(s.bands, exp.images[0].layers.length, 'each layer drawn once');
      assert.equal(s.options, 0, 'no picker: the session holds one image');
      fs.mkdirSync(SHOTS, { recursive: true });
      await page.locator('[data-testid=session-image]').first().screenshot({ path: path.join(SHOTS, 'also-in-1280.png') });
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  test('the same file opened twice: one entry, noted in Indonesian too', { timeout: T }, async () => {
    const a = path.join(FIXTURES, 'docker26-save-app2.tar');
    const exp = loadExpected(a);
    const tars = exp.raw.images[0].layers.reduce((s, l) => s + l.uncompressed_size, 0);
    const page = await session.newPage({ query: '?lang=id', viewport: { width: 360, height: 740 }, colorScheme: 'dark' });
    try {
      await openAll(page, [a, a], 1);
      const s = await readSession(page);
      assert.equal(s.items.length, 1);
      assert.equal(s.items[0].also, 'juga ada di docker26-save-app2.tar');
      assert.equal(s.separate, tars);
      assert.equal(s.stored, tars);
      // Removing the entry removes the image: no copy takes its place.
      await page.locator('[data-testid=remove-image]').first().click();
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=session-image]').length === 0
        || !document.querySelector('[data-testid=storage-summary]'), null, { timeout: 10000 });
      assert.equal(await page.locator('[data-testid=session-image]').count(), 0);
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });
});
