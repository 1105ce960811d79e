'use strict';
// Issue #13: "opening another file while one is shown never blanks the page: the current image
// stays usable while the next one is read, and the progress bar and its percentage agree from
// the first frame". A small image is shown; a 200,000-file image (tests/make_large_image.js,
// cached in the temp folder; its scan takes seconds) is opened next. Every animation frame
// from the pick until the new image is ready is sampled: the stack and the tabs never go away,
// the progress names the next file from the first frame, and a file of the shown image opens
// (its bytes read through that image's own kept reader) while the next one is still being read.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { openSession, pickFile, problemsOf, waitReady, FIXTURES } = require('./lib/browser');
const { openTab, selectLayer, openFile } = require('./lib/app');
const { makeLargeImage } = require('../make_large_image');

const FILES = 200000;

function largeImage() {
  const file = path.join(os.tmpdir(), `pancake-large-${FILES}.tar`);
  const img = makeLargeImage(FILES);
  if (!fs.existsSync(file) || fs.statSync(file).size !== img.bytes.length) {
    fs.writeFileSync(file, img.bytes);
  }
  return { file, diffIds: img.diffIds };
}

describe('opening another file while one is shown', () => {
  let session;
  before(async () => { session = await openSession(); });
  after(async () => { await session?.close(); });

  test('keeps the shown image on the page and usable until the next one is ready', { timeout: 300000 }, async () => {
    const big = largeImage();
    const page = await session.newPage();
    await pickFile(page, path.join(FIXTURES, 'docker26-save-app1.tar'));
    await waitReady(page);
    const before = await page.$$eval('[data-testid=layer]', (els) => els.map((e) => e.getAttribute('data-diff-id')));
    assert.equal(before.length, 7);
    await selectLayer(page, 1);
    await openTab(page, 'files');
    const shownName = (await page.locator('.summary h1').first().textContent()).trim();

    await page.evaluate(() => {
      const w = window;
      w.__next = [];
      const tick = () => {
        const p = document.querySelector('[data-testid=progress]');
        const bar = p && p.querySelector('[role=progressbar]');
        w.__next.push({
          image: (document.querySelector('.summary h1') || {}).textContent || null,
          panel: !!document.querySelector('[role=tabpanel]'),
          tabs: document.querySelectorAll('[role=tab]').length,
          progress: p ? p.textContent : null,
          phase: p ? p.dataset.phase : null,
          done: p ? Number(p.dataset.bytesDone) : null,
          valuenow: bar ? bar.getAttribute('aria-valuenow') : null,
          ready: !!document.querySelector('[data-testid=image-ready]'),
          top: document.querySelector('[role=tabpanel]')?.getBoundingClientRect().top ?? null,
        });
        if (!w.__nextStop) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    await pickFile(page, big.file);
    // The next file is being read behind the shown image: its progress is up, the page not settled.
    await page.locator('[data-testid=progress][data-phase=reading]').first().waitFor({ timeout: 10000 });
    assert.equal(await page.locator('[data-testid=image-ready]').count(), 0, 'not settled while the next file is read');
    // The shown image is still usable: a file of its layer 1 opens with its exact bytes.
    const text = await openFile(page, 'data/b.txt');
    assert.match(text, /to be deleted/);
    const stillReading = await page.locator('[data-testid=progress][data-phase=reading]').count();
    assert.equal(stillReading, 1, 'the content arrived while the next file was still being read');

    await waitReady(page, { timeout: 240000 });
    const samples = await page.evaluate(() => { window.__nextStop = true; return window.__next; });
    await openTab(page, 'stack');
    // Base first (the stack lists the top layer first).
    const after = await page.$$eval('[data-testid=layer]', (els) => els.reverse().map((e) => e.getAttribute('data-diff-id')));
    assert.deepEqual(after, big.diffIds, 'the next image is shown once read, layers bottom to top');

    // Never blank: every frame has an image, its view and the tabs.
    const blank = samples.filter((s) => !s.image || !s.panel || s.tabs === 0);
    assert.deepEqual(blank, [], 'no frame without an image, its view or the tabs');
    // From the first frame with a progress bar, it names the next file; while reading, the
    // bar claims no percentage it does not show (indeterminate until bytes are counted).
    const firstProgress = samples.find((s) => s.progress !== null);
    assert.ok(firstProgress, 'a progress bar appeared');
    assert.match(firstProgress.progress, new RegExp(`pancake-large-${FILES}\\.tar`));
    for (const s of samples.filter((x) => x.progress !== null)) {
      const pct = s.progress.match(/(\d+)%/);
      if (s.valuenow === null) assert.equal(pct, null, `no percentage on an indeterminate bar: ${s.progress}`);
      else assert.ok(pct && pct[1] === s.valuenow, `bar ${s.valuenow}% vs text ${s.progress}`);
    }
    // The shown image stayed until the next one's first view replaced it.
    const names = samples.map((s) => s.image.trim()).filter((n, i, all) => i === 0 || all[i - 1].trim() !== n);
    assert.equal(names.length, 2, `images seen in order: ${names}`);
    assert.equal(names[0], shownName);
    // Nothing jumps while the next file is read behind it: the shown image's view stays
    // where it was (its progress takes the summary's slot, not a card above).
    const tops = [...new Set(samples.filter((s) => s.image.trim() === shownName && s.top !== null)
      .map((s) => Math.round(s.top)))];
    assert.equal(tops.length, 1, `the view's top while the next file was read: ${tops}`);
    assert.deepEqual(problemsOf(page), []);
  });

  // Switching to another file's image on the Files tab: the layer saved "as stored" is a
  // slice of that image's own file (a stale File handle once sliced the other file).
  async function pick(page, i) {
    await page.locator(`[data-testid=image-option][data-index="${i}"]`).click();
    await page.waitForFunction((i) => document.querySelector(`[data-testid=image-option][data-index="${i}"]`)?.getAttribute('aria-pressed') === 'true', i);
  }

  test('after switching images, a layer saved as stored comes from the shown file', { timeout: 120000 }, async () => {
    const page = await session.newPage();
    await pickFile(page, path.join(FIXTURES, 'docker26-save-app1.tar'));
    await waitReady(page);
    await pickFile(page, path.join(FIXTURES, 'fixture_dive_test-oci-gzip-image.tar'));
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=image-option]').length === 2);
    await waitReady(page);
    // Each image's top layer digest, read on the Stack tab first.
    const tops = [];
    for (const i of [0, 1]) {
      await pick(page, i);
      await openTab(page, 'stack');
      // The top layer is the stack's first item.
      const top = await page.getAttribute('[data-testid=layer]', 'data-digest');
      tops.push(String(top).replace(/^sha256:/, ''));
    }
    assert.notEqual(tops[0], tops[1]);
    // Then on Files, each image chosen in the picker and its layer saved straight away.
    await openTab(page, 'files');
    for (const i of [0, 1, 0]) {
      await pick(page, i);
      const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=download-layer-stored]').click()]);
      const hash = crypto.createHash('sha256').update(fs.readFileSync(await dl.path())).digest('hex');
      assert.equal(hash, tops[i], `image ${i}: the saved blob hashes to its digest`);
    }
    assert.deepEqual(problemsOf(page), []);
  });

  test('a next file that cannot be read is said, and the image shown stays', { timeout: 60000 }, async () => {
    const page = await session.newPage();
    await pickFile(page, path.join(FIXTURES, 'docker26-save-app1.tar'));
    await waitReady(page);
    const shownName = (await page.locator('.summary h1').first().textContent()).trim();
    const junk = path.join(os.tmpdir(), 'pancake-not-an-image.txt');
    fs.writeFileSync(junk, 'this is not a tar archive\n'.repeat(40));
    await pickFile(page, junk);
    const err = page.locator('[data-testid=error][data-kind=fatal-next]');
    await err.first().waitFor({ timeout: 20000 });
    assert.match(await err.first().textContent(), /pancake-not-an-image\.txt/);
    assert.equal((await page.locator('.summary h1').first().textContent()).trim(), shownName);
    assert.equal(await page.locator('[data-testid=layer]').count(), 7, 'the stack shown stays');
    await waitReady(page);
    await page.locator('[data-testid=dismiss-next-failed]').click();
    assert.equal(await err.count(), 0, 'dismissed');
    assert.deepEqual(problemsOf(page), []);
  });

  test('a next file read but holding no image is said with its problems, in a batch too; the image shown stays', { timeout: 90000 }, async () => {
    const page = await session.newPage({ query: '?lang=id' });
    await pickFile(page, path.join(FIXTURES, 'docker26-save-app1.tar'));
    await waitReady(page);
    const shownName = (await page.locator('.summary h1').first().textContent()).trim();
    const bad = 'malformed-manifest-invalid-json.tar';
    // Alone, behind the image shown.
    await pickFile(page, path.join(FIXTURES, bad));
    const err = page.locator('[data-testid=error][data-kind=fatal-next]');
    await err.first().waitFor({ timeout: 20000 });
    assert.equal(await err.count(), 1);
    assert.equal(await err.first().getAttribute('data-name'), bad);
    assert.match(await err.first().locator('strong').first().textContent(), new RegExp(`${bad.replace(/\./g, '\\.')}`));
    // Why, with the problems' translated titles: manifest.json is not valid JSON.
    const inner = err.first().locator('[data-testid=error][data-kind=metadata]');
    assert.ok(await inner.count() >= 1, 'the metadata problem is listed');
    assert.match(await inner.first().locator('[data-testid=problem-title]').textContent(), /Masalah pada manifest/);
    assert.equal((await page.locator('.summary h1').first().textContent()).trim(), shownName, 'the image shown stays');
    assert.ok(await page.locator('[data-testid=tab-stack]').count() === 1, 'its tabs too');
    // In a batch: app2, the bad file, app1 — the failure is still said when the batch ends.
    await page.locator('[data-testid=file-input]').setInputFiles(
      ['docker26-save-app2.tar', bad, 'docker20-save-app1.tar'].map((f) => path.join(FIXTURES, f)));
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=session-image]').length >= 3
      || document.querySelectorAll('.picker-file, [data-testid=session-file]').length >= 3, null, { timeout: 60000 }).catch(() => {});
    await waitReady(page);
    await page.waitForFunction((name) => [...document.querySelectorAll('[data-testid=error][data-kind=fatal-next]')]
      .some((e) => e.getAttribute('data-name') === name), bad, { timeout: 30000 });
    assert.equal(await err.count(), 1, 'the failure of this batch only (opening files cleared the earlier one)');
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });
});
