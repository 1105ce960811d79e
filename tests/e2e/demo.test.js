'use strict';
// The built-in nginx-like demo: built in the browser by the core, so it needs no download —
// and the whole session must not request anything from another origin.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { openSession, problemsOf, waitReady, isForeign } = require('./lib/browser');
const app = require('./lib/app');

const READY_TIMEOUT = Number(process.env.PANCAKE_E2E_READY_MS || 45000);
const TEST_TIMEOUT = READY_TIMEOUT + 45000;

describe('nginx demo', () => {
  let session;
  before(async () => { session = await openSession(); });
  after(async () => {
    if (!session) return;
    // Everything the browser asked for, over the whole session, came from our server.
    const foreign = [...session.foreign];
    const served = session.server.requests.map((r) => r.path);
    await session.close();
    assert.deepEqual(foreign, [], 'requests to another origin during the session');
    assert.ok(served.length > 0, 'the page was served by the test server');
  });

  test('demo-nginx: every layer verified, history has metadata rows, same origin only', { timeout: TEST_TIMEOUT }, async () => {
    const page = await session.newPage();
    try {
      await page.locator('[data-testid=demo-nginx]').first().click();
      await waitReady(page, { timeout: READY_TIMEOUT });
      await app.openTab(page, 'stack');
      const layers = await app.readLayers(page);
      assert.ok(layers.length >= 2, `the demo has several layers, got ${layers.length}`);
      layers.forEach((l, i) => {
        assert.equal(l.index, String(i), `layer ${i}: data-index in top→bottom DOM order (read reversed)`);
        assert.match(l.diffId || '', /^sha256:[0-9a-f]{64}$/, `layer ${i}: data-diff-id`);
        assert.match(l.digest || '', /^sha256:[0-9a-f]{64}$/, `layer ${i}: data-digest`);
        assert.equal(l.verified, 'true', `layer ${i}: data-verified`);
      });
      assert.equal(new Set(layers.map((l) => l.diffId)).size, layers.length, 'distinct diff_ids');

      await app.openTab(page, 'history');
      const history = await app.readHistory(page);
      const meta = history.filter((h) => h.emptyLayer);
      assert.ok(meta.length > 0, 'history has metadata-only rows (data-empty-layer="true")');
      assert.equal(history.length - meta.length, layers.length, 'non-empty history rows = layers');

      assert.deepEqual(page.pancake.requests.filter((u) => isForeign(u, session.server.origin)), []);
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  for (const colorScheme of ['light', 'dark']) {
    test(`screenshots of every view: nginx demo, ${colorScheme}, 1280×800`, { timeout: TEST_TIMEOUT }, async () => {
      const page = await session.newPage({ viewport: { width: 1280, height: 800 }, colorScheme });
      try {
        await page.locator('[data-testid=demo-nginx]').first().click();
        await waitReady(page, { timeout: READY_TIMEOUT });
        const layers = await app.readLayers(page);
        // The layer that holds nginx.conf if the demo has one, else the top layer.
        await app.captureViews(page, `demo-nginx-${colorScheme}`, {
          layerIndex: layers.length - 1,
          filePattern: /nginx\.conf$|\.conf$|\.html$|\.txt$/,
        });
        assert.deepEqual(problemsOf(page), []);
      } finally {
        await page.close();
      }
    });
  }
});
