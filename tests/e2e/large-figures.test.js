'use strict';
// A large image's History before the scanner's figures have come: its sizes say "pending"
// (not 0 B), and the page does not walk — nor decode — the entry lists it holds in their
// compact form to make them; once the figures come the sizes are the image's.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { openSession, pickFile, problemsOf, waitReady, REPO } = require('./lib/browser');
const { makeLargeImage } = require('../make_large_image');
const { holdRequests } = require('./lib/hold');

const SHOTS = path.join(REPO, 'target', 'screenshots', 'large-figures');

describe('a large image before its figures', () => {
  let session;
  before(async () => { session = await openSession(); });
  after(async () => { await session?.close(); });

  test('History of 30,000 files says "pending" for sizes until the scanner sends them', { timeout: 120000 }, async () => {
    const img = makeLargeImage(30000);
    const file = path.join(os.tmpdir(), 'pancake-e2e-figures-30000.tar');
    fs.writeFileSync(file, img.bytes);
    // A phone, dark: the screenshot of the pending sizes is kept.
    const page = await session.newPage({ viewport: { width: 360, height: 740 }, colorScheme: 'dark' });
    try {
      // The page's request for the figures is held until the test lets it go.
      await holdRequests(page, '^"Summarize"$');
      await pickFile(page, file);
      await page.waitForFunction(() => window.__pcReqHeld() === 1, null, { timeout: 60000 });
      await page.click('[data-testid=tab-history]');
      // The lists are on the page (checked, compact): the table shows, its sizes pending.
      await page.locator('[data-testid=history-table]').waitFor({ timeout: 30000 });
      const cells = page.locator('[data-testid=history-table] td.h-size');
      const pending = await cells.evaluateAll((els) => els.map((e) => [e.dataset.pending ?? null, e.dataset.bytes ?? null, e.textContent.trim()]));
      assert.ok(pending.length >= 2, JSON.stringify(pending));
      assert.ok(pending.every(([p, b, text]) => p === 'true' && b === null && text === 'pending…'), JSON.stringify(pending));
      const mib = await page.evaluate(() => window.__pcAppWasm.memory.buffer.byteLength / 2 ** 20);
      fs.mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, 'history-sizes-pending-dark-360.png'), fullPage: true });
      assert.equal(await page.locator('[data-testid=image-ready]').count(), 0, 'verified waits for the figures');
      await page.evaluate(() => window.__pcReqRelease());
      await waitReady(page, { timeout: 60000 });
      await page.waitForFunction(() => !document.querySelector('[data-testid=history-table] td.h-size[data-pending]'));
      // Top first: each layer's file bytes as the generator counted them.
      const sizes = await cells.evaluateAll((els) => els.map((e) => Number(e.dataset.bytes)));
      assert.deepEqual([sizes[0], sizes[sizes.length - 1]], [img.contentBytes[1], img.contentBytes[0]]);
      // Nothing decoded the entry lists for this: the page's wasm stayed small throughout.
      const after = await page.evaluate(() => window.__pcAppWasm.memory.buffer.byteLength / 2 ** 20);
      console.log(`# the page's wasm memory: ${mib.toFixed(1)} MiB with sizes pending, ${after.toFixed(1)} MiB after`);
      // (3.3 MiB here; with these 30,509 entries decoded it is 6.8 MiB.)
      assert.ok(mib < 5 && after < 5, `the page's wasm memory: ${mib.toFixed(1)} → ${after.toFixed(1)} MiB`);
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });
});
