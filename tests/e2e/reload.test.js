'use strict';
// State that survives a reload (issue 15): the page remembers the files a person opened and,
// after a reload, offers to reopen them in one click. Chromium's File System Access handles
// come from the origin-private file system here (navigator.storage.getDirectory()): the test
// writes real fixtures into it and hands those handles to the page's own pick path by
// standing in for window.showOpenFilePicker, so the page stores and reopens them exactly as
// it would handles the person picked. Browsers without handles (the <input type=file>) get a
// banner naming the files and asking for them again. English and Bahasa Indonesia.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { REPO, FIXTURES, openSession, problemsOf, waitReady } = require('./lib/browser');
const app = require('./lib/app');
const { writeOpfs, pickFromOpfs } = require('./lib/opfs');

const READY = Number(process.env.PANCAKE_E2E_READY_MS || 45000);
const T = READY * 3 + 60000;
const SHOTS = path.join(REPO, 'target', 'screenshots', 'persist');

const A = path.join(FIXTURES, 'docker20-save-app1.tar');
const B = path.join(FIXTURES, 'docker20-save-app2.tar');
const expectedDiffIds = (file) => JSON.parse(fs.readFileSync(`${file}.expected.json`, 'utf8'))
  .images[0].layers.map((l) => l.diff_id);

const text = async (loc) => (await loc.textContent()).replace(/\s+/g, ' ').trim();

/** Waits until the session holds `n` images and the shown one is read and checked. */
async function sessionOf(page, n) {
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=image-option]').length === (n > 1 ? n : 0)
    && !document.querySelector('[data-testid=queued]'), n, { timeout: READY });
  await waitReady(page, { timeout: READY });
}

/** Each session image's layers (diff_id, digest, verified), choosing each in turn. */
async function stacks(page) {
  const out = [];
  const n = await page.locator('[data-testid=image-option]').count();
  for (let i = 0; i < n; i++) {
    await page.locator('[data-testid=image-option]').nth(i).click();
    await page.waitForFunction((i) => document.querySelector(`[data-testid=image-option][data-index="${i}"]`)?.getAttribute('aria-pressed') === 'true', i);
    out.push(await app.settledLayers(page));
  }
  return out;
}

async function shoot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  for (const [w, scheme] of [[1280, 'light'], [1280, 'dark'], [360, 'light'], [360, 'dark']]) {
    await page.setViewportSize({ width: w, height: 800 });
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: path.join(SHOTS, `${name}-${w}-${scheme}.png`) });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.emulateMedia({ colorScheme: 'light' });
}

describe('files survive a reload (issue 15)', () => {
  let session;
  before(async () => { session = await openSession(); });
  after(async () => { await session?.close(); });

  test('picked files (handles): the banner names them, one click reopens them with the same stacks', { timeout: T }, async () => {
    const page = await session.newPage({ query: '?lang=en' });
    assert.equal(await page.locator('[data-testid=reopen]').count(), 0, 'nothing remembered yet');
    await writeOpfs(page, [['a.tar', fs.readFileSync(A)], ['b.tar', fs.readFileSync(B)]]);
    await pickFromOpfs(page, ['a.tar', 'b.tar']);
    await sessionOf(page, 2);
    const before = await stacks(page);
    assert.deepEqual(before.map((s) => s.map((l) => l.diffId)), [expectedDiffIds(A), expectedDiffIds(B)]);
    assert.ok(before.flat().every((l) => l.verified === 'true'), 'every layer verified before the reload');
    // a.tar's image is the one shown when the page is reloaded (b.tar was opened last).
    await page.locator('[data-testid=image-option][data-index="0"]').click();
    await page.waitForFunction(() => new URL(location.href).searchParams.get('layer') === '6');

    await page.reload();
    const banner = page.locator('[data-testid=reopen]');
    await banner.waitFor({ state: 'visible', timeout: 10000 });
    assert.equal(await text(page.locator('[data-testid=reopen-lead]')), 'Reopen the 2 files you had open: a.tar, b.tar');
    assert.match(await text(banner), /kept, in this browser; nothing is uploaded/);
    assert.equal(await page.locator('[data-testid=image-option]').count(), 0, 'nothing is open before the click');
    await shoot(page, 'banner');
    // Keyboard: the Reopen button is a real button reachable by focus and Enter.
    await page.locator('[data-testid=reopen-button]').focus();
    await page.keyboard.press('Enter');
    await sessionOf(page, 2);
    assert.equal(await banner.count(), 0, 'the banner goes once everything is reopened');
    // The URL's place comes back: a.tar's image, though b.tar was read last.
    await page.waitForFunction(() => document.querySelector('[data-testid=image-option][data-index="0"]')?.getAttribute('aria-pressed') === 'true');
    assert.deepEqual((await app.readLayers(page)).map((l) => l.diffId), expectedDiffIds(A));
    const after = await stacks(page);
    assert.deepEqual(after, before, 'the same layers, digests and verification as before the reload');
    assert.deepEqual(problemsOf(page), []);

    // b.tar changes on disk: the next reload reopens a.tar and names b.tar with the reason.
    await page.evaluate(async () => {
      const root = await navigator.storage.getDirectory();
      const h = await root.getFileHandle('b.tar');
      const w = await h.createWritable({ keepExistingData: true });
      const f = await h.getFile();
      await w.write({ type: 'write', position: f.size, data: new Uint8Array(512) });
      await w.close();
    });
    await page.reload();
    await page.locator('[data-testid=reopen-button]').click();
    const failure = page.locator('[data-testid=reopen-failure]');
    await failure.first().waitFor({ state: 'visible', timeout: READY });
    assert.deepEqual(await failure.evaluateAll((els) => els.map((e) => [e.dataset.name, e.dataset.reason])), [['b.tar', 'changed']]);
    assert.match(await text(failure.first()), /^b\.tar: it changed since \(its size or date differ\)/);
    await sessionOf(page, 1);
    assert.deepEqual((await app.readLayers(page)).map((l) => l.diffId), expectedDiffIds(A));
    await shoot(page, 'failed');

    // a.tar is deleted: it is gone, said in Indonesian too.
    await page.evaluate(async () => {
      const root = await navigator.storage.getDirectory();
      await root.removeEntry('a.tar');
    });
    await page.goto(`${session.server.url}?lang=id`);
    await page.locator('[data-testid=reopen-lead]').waitFor({ state: 'visible', timeout: 10000 });
    assert.equal(await text(page.locator('[data-testid=reopen-lead]')), 'Buka lagi file yang tadi terbuka: a.tar');
    assert.match(await text(page.locator('[data-testid=reopen]')), /tidak ada yang diunggah/);
    await page.locator('[data-testid=reopen-button]').click();
    await failure.first().waitFor({ state: 'visible', timeout: READY });
    assert.deepEqual(await failure.evaluateAll((els) => els.map((e) => [e.dataset.name, e.dataset.reason])), [['a.tar', 'gone']]);
    assert.match(await text(failure.first()), /^a\.tar: file sudah tidak ada di tempatnya/);
    // Named once, then forgotten: the next reload offers nothing.
    await page.reload();
    await page.locator('[data-testid=demo-nginx]').waitFor({ state: 'visible' });
    await page.waitForTimeout(500);
    assert.equal(await page.locator('[data-testid=reopen]').count(), 0);
    await page.close();
  });

  test('removing a file from the session forgets it; "forget" forgets them all', { timeout: T }, async () => {
    const page = await session.newPage({ query: '?lang=en' });
    await writeOpfs(page, [['a.tar', fs.readFileSync(A)], ['b.tar', fs.readFileSync(B)]]);
    await pickFromOpfs(page, ['a.tar', 'b.tar']);
    await sessionOf(page, 2);
    await app.openTab(page, 'shared');
    await page.locator('[data-testid=session-image][data-index="0"] [data-testid=remove-image]').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=session-image]').length === 0
      || document.querySelectorAll('[data-testid=image-option]').length < 2);
    await page.reload();
    await page.locator('[data-testid=reopen-lead]').waitFor({ state: 'visible', timeout: 10000 });
    assert.equal(await text(page.locator('[data-testid=reopen-lead]')), 'Reopen the file you had open: b.tar');
    await page.locator('[data-testid=reopen-forget]').click();
    assert.equal(await page.locator('[data-testid=reopen]').count(), 0);
    await page.reload();
    await page.locator('[data-testid=demo-nginx]').waitFor({ state: 'visible' });
    // Give the record's read a moment: still nothing to offer.
    await page.waitForTimeout(500);
    assert.equal(await page.locator('[data-testid=reopen]').count(), 0, 'forgotten files are not offered again');
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  test('without handles (<input type=file>): the banner names the files and asks for them again', { timeout: T }, async () => {
    const page = await session.newPage({ query: '?lang=en' });
    // A browser without File System Access: no picker, no handles on a drop.
    await page.addInitScript(() => {
      delete window.showOpenFilePicker;
      if (window.DataTransferItem) delete DataTransferItem.prototype.getAsFileSystemHandle;
    });
    await page.reload();
    await page.locator('input[type=file][data-testid=file-input]').setInputFiles([A, B]);
    await sessionOf(page, 2);
    const before = await stacks(page);
    await page.reload();
    const banner = page.locator('[data-testid=reopen]');
    await banner.waitFor({ state: 'visible', timeout: 10000 });
    assert.match(await text(page.locator('[data-testid=reopen-lead]')),
      /^You had these files open: docker20-save-app1\.tar, docker20-save-app2\.tar\. This browser cannot open them again by itself; choose them again/);
    assert.equal(await page.locator('[data-testid=reopen-button]').count(), 0, 'no one-click reopen without handles');
    await shoot(page, 'no-handles');
    // "Choose the files" opens the page's file input.
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.locator('[data-testid=reopen-choose]').click(),
    ]);
    await chooser.setFiles([A, B]);
    await sessionOf(page, 2);
    assert.equal(await banner.count(), 0);
    assert.deepEqual(await stacks(page), before);
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });
});
