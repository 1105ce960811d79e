'use strict';
// One layer number everywhere on the page (issue 14): a problem's message names its layer as
// the stack does (1 = base), in the page's language, while the CLI and the JSON keep their
// 0-based `layer 1`. Checked on real broken tarballs: a corrupt layer and a missing one.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');

const { FIXTURES, SEL, openSession, problemsOf, pickFile, waitReady } = require('./lib/browser');
const app = require('./lib/app');

const READY = Number(process.env.PANCAKE_E2E_READY_MS || 45000);
const T = READY + 60000;
const squash = (s) => s.replace(/\s+/g, ' ').trim();

/** The stack's own number for the slab in state `state`, and its 0-based data-index. */
async function slabNumber(page, state) {
  await app.openTab(page, 'stack');
  const slab = page.locator(`[data-testid=layer][data-state=${state}]`);
  assert.equal(await slab.count(), 1, `one ${state} layer in the stack`);
  return {
    index: Number(await slab.first().getAttribute('data-index')),
    shown: squash(await slab.first().locator('.slab-index').textContent()),
  };
}

describe('one layer number on the page (issue 14)', () => {
  let session;
  before(async () => { session = await openSession(); });
  after(async () => { if (session) await session.close(); });

  for (const lang of ['en', 'id']) {
    test(`a corrupt layer: the problem names the layer the stack shows (${lang})`, { timeout: T }, async () => {
      const page = await session.newPage({ query: lang === 'id' ? '?lang=id' : '' });
      try {
        await pickFile(page, path.join(FIXTURES, 'malformed-corrupt-layer-byte-docker20.tar'));
        await waitReady(page, { timeout: READY });
        const { index, shown } = await slabNumber(page, 'mismatch');
        // The corrupt byte is in rootfs layer index 1 (expected.json's count): the stack's 2.
        assert.equal(index, 1);
        assert.equal(shown, '2');
        const box = page.locator(`${SEL.error}[data-kind=digest-mismatch]`).first();
        const msg = squash(await box.locator('.error-message').textContent());
        assert.ok(msg.startsWith(`sa-app1:1 · Layer ${shown} (f75ca80bb660d69db8aff0aa5b11edc714885200effa88dee100e16a44b9de32/layer.tar): diff_id`), msg);
        assert.doesNotMatch(msg, /layer 1\b/, 'no 0-based layer number in the message');
        const group = page.locator('[data-testid=problem-group]').first();
        assert.equal(await group.getAttribute('data-layer'), shown);
        assert.equal(squash(await group.locator('[data-testid=problem-layer]').textContent()), `Layer ${shown}`);
        // The details of that layer say the same number.
        await group.locator('[data-testid=problem-layer]').click();
        const details = page.locator(`[data-testid=layer-details][data-index="${index}"] h2`).first();
        assert.match(squash(await details.textContent()), new RegExp(`^Layer ${shown} (of|dari) 6$`));
      } finally {
        await page.close();
      }
    });
  }

  test('a missing layer blob: the problem names the layer the stack shows', { timeout: T }, async () => {
    const page = await session.newPage();
    try {
      await pickFile(page, path.join(FIXTURES, 'malformed-missing-layer-docker20.tar'));
      await waitReady(page, { timeout: READY });
      const { index, shown } = await slabNumber(page, 'missing');
      assert.equal(index, 3);
      assert.equal(shown, '4');
      // Its size is unknown wherever a size is shown, not the 0B its missing index sums to
      // (its slab, what a screen reader hears of it, the History table).
      const slab = page.locator(`[data-testid=layer][data-index="${index}"]`);
      assert.equal(squash(await slab.locator('[data-testid=layer-size]').textContent()), 'size unknown');
      assert.match(await slab.getAttribute('aria-label'), /, size unknown, /);
      await app.openTab(page, 'history');
      const row = page.locator(`[data-testid=history-row][data-layer="${index}"] .h-size`);
      assert.equal(squash(await row.textContent()), 'size unknown');
      // A container of this image: its files leave out what the missing layer changed, and
      // the view says so, as Files does.
      await app.openTab(page, 'container');
      await page.locator('[data-testid=run-container]').first().click();
      const ctrAbsent = page.locator('.ctr-files [data-testid=files-absent]');
      await ctrAbsent.waitFor({ timeout: 10000 });
      assert.equal(squash(await ctrAbsent.textContent()), `Layer ${shown} is not in this tarball: the files shown leave out what it changed.`);
      await app.openTab(page, 'stack');
      const box = page.locator(`${SEL.error}[data-kind=missing-blob]`).first();
      const msg = squash(await box.locator('.error-message').textContent());
      assert.equal(msg, `sa-app1:1 · Layer ${shown}: 3350047c593256fecda70fff63634217b279b8eef50e010b6ee7e5e0b2715e8b/layer.tar is not in the archive`);
      // Grouped under that layer, whose button selects it.
      const group = page.locator('[data-testid=problem-group]').filter({ has: page.locator('[data-kind=missing-blob]') });
      assert.equal(await group.getAttribute('data-layer'), shown);
      assert.equal(squash(await group.locator('[data-testid=problem-layer]').textContent()), `Layer ${shown}`);
      await app.selectLayer(page, 0);
      await group.locator('[data-testid=problem-layer]').click();
      const details = page.locator(`[data-testid=layer-details][data-index="${index}"]`).first();
      await details.waitFor({ timeout: 5000 });
      // Its files, entries, changes and wasted bytes are unknown, not zero nor "pending".
      const unknown = (await details.locator('[data-testid=not-read]').allTextContents()).map(squash);
      assert.ok(unknown.length >= 4 && unknown.every((x) => x === 'not in this tarball'), JSON.stringify(unknown));
      assert.doesNotMatch(squash(await details.textContent()), /pending|\+ 0 added/);
      // The Files view says the layer cannot be listed rather than "changed no files", and a
      // merged view above it says it leaves that layer's changes out.
      await app.openTab(page, 'files');
      const absent = page.locator('[data-testid=files-absent]');
      await absent.waitFor({ timeout: 5000 });
      assert.equal(squash(await absent.textContent()), "This layer's blob is not in this tarball, so its files cannot be listed.");
      assert.equal(await page.locator('.file-list .empty').count(), 0);
      assert.doesNotMatch(squash(await page.locator('.files-summary').textContent()), /added/);
      await page.locator('[data-testid=files-merged]').click();
      await page.locator('[data-testid=layer-select]').selectOption(String(5));
      await page.waitForFunction(() => document.querySelector('[data-testid=files-absent]')?.getAttribute('data-layers') === '4', null, { timeout: 5000 });
      assert.equal(squash(await absent.textContent()), `Layer ${shown} is not in this tarball: the files shown leave out what it changed.`);
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });
});
