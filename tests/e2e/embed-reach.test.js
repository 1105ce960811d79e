'use strict';
// Embeds at 800×600 and 360×640 (issue 14): every header tab is reachable and visibly so
// (inside the iframe's viewport, or the bar scrolls and shows that it does), each one opens
// its view, and the selected layer's details come within the viewport — from a deep link and
// from a click on a layer — on the demo with the tallest stack (mysql).
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { REPO, openSession, problemsOf, waitReady } = require('./lib/browser');
const app = require('./lib/app');

const READY = Number(process.env.PANCAKE_E2E_READY_MS || 45000);
const T = READY + 60000;
const SHOTS = path.join(REPO, 'target', 'screenshots', 'sizes');

/** Each tab's box and whether the bar hides some of them behind a visible scroll cue. */
async function tabBar(page) {
  return page.evaluate(() => {
    const bar = document.querySelector('[role=tablist]');
    const tabs = [...bar.querySelectorAll('[role=tab]')].map((t) => {
      const r = t.getBoundingClientRect();
      return { id: t.dataset.testid, left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width };
    });
    const scrolls = bar.scrollWidth > bar.clientWidth + 1;
    // A scroll cue: an element marked as the bar's affordance, shown.
    const cue = document.querySelector('[data-testid=tabs-scroll-cue]');
    const cueShown = !!cue && getComputedStyle(cue).display !== 'none' && cue.getBoundingClientRect().width > 0;
    return { tabs, scrolls, cueShown, vw: innerWidth, vh: innerHeight };
  });
}

/** The selected layer's details heading, in viewport coordinates. */
async function detailsBox(page) {
  return page.evaluate(() => {
    const h = document.querySelector('[data-testid=layer-details] h2');
    const bar = document.querySelector('.embed-bar');
    if (!h) return null;
    const r = h.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, text: h.textContent.trim(), barBottom: bar ? bar.getBoundingClientRect().bottom : 0, vh: innerHeight };
  });
}

function assertInView(d, where) {
  assert.ok(d, `${where}: details shown`);
  assert.ok(d.top >= d.barBottom - 1 && d.bottom <= d.vh, `${where}: details heading in view below the tab bar: ${JSON.stringify(d)}`);
}

describe('embeds fit (issue 14)', () => {
  let session;
  before(async () => { session = await openSession(); });
  after(async () => { if (session) await session.close(); });

  for (const [width, height, scheme] of [[800, 600, 'light'], [800, 600, 'dark'], [360, 640, 'light'], [360, 640, 'dark']]) {
    test(`embed ${width}×${height} ${scheme}: tabs reachable, each opens; details in view`, { timeout: T }, async () => {
      const page = await session.newPage({ viewport: { width, height }, colorScheme: scheme, query: '?demo=mysql&embed=1&lang=id&view=stack&layer=2' });
      try {
        await waitReady(page, { timeout: READY });
        // A deep link to a layer: its details are in view at once.
        const first = await detailsBox(page);
        assertInView(first, 'deep link');
        assert.match(first.text, /^Layer 2 dari \d+$/);
        fs.mkdirSync(SHOTS, { recursive: true });
        await page.screenshot({ path: path.join(SHOTS, `embed-${width}x${height}-${scheme}.png`) });
        const bar = await tabBar(page);
        assert.equal(bar.tabs.length, 6, 'six tabs');
        for (const t of bar.tabs) {
          const inside = t.left >= 0 && t.right <= bar.vw + 0.5 && t.top >= 0 && t.bottom <= bar.vh && t.width > 20;
          assert.ok(inside || (bar.scrolls && bar.cueShown), `${t.id} neither in view nor behind a visible scroll cue: ${JSON.stringify(t)}`);
        }
        for (const t of bar.tabs) {
          await page.locator(`[data-testid=${t.id}]`).first().click();
          assert.equal(await page.locator(`[data-testid=${t.id}]`).first().getAttribute('aria-selected'), 'true', t.id);
        }
        // A click on a layer far from the details brings them into view.
        await app.openTab(page, 'stack');
        await page.evaluate(() => window.scrollTo(0, 0));
        const base = page.locator('[data-testid=layer][data-index="0"]').first();
        await base.scrollIntoViewIfNeeded();
        await base.click();
        await page.waitForFunction(() => document.querySelector('[data-testid=layer-details]')?.dataset.index === '0');
        await page.waitForTimeout(400);
        const after = await detailsBox(page);
        assertInView(after, 'after a click');
        assert.match(after.text, /^Layer 1 dari \d+$/);
        assert.deepEqual(problemsOf(page), []);
      } finally {
        await page.close();
      }
    });
  }
});
