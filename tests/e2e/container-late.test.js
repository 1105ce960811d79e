'use strict';
// A container view's late answer: the files a container sees below its layer (`Lower`) come
// from the scanner for a large image; an answer arriving after its view was closed (the tab
// left, another image shown) is dropped, never kept as the memo's `Lower` in place of the
// image shown then (which sent that image's view back to "Assembling…" and asked again; an
// edit then folded the whole image on the page's thread).
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { openSession, pickFile, waitReady } = require('./lib/browser');
const { makeLargeImage } = require('../make_large_image');
const { holdRequests } = require('./lib/hold');

const ROW = '[data-testid=container-file-row]';
const CONTAINER = '[data-testid=container]';
const FOLD = '[data-testid=ctr-lower-folding]';

describe('a container view\'s late answer', () => {
  let session;
  before(async () => { session = await openSession(); });
  after(async () => { await session?.close(); });

  test('a Lower answer for a closed view leaves the shown image\'s Lower as it is', { timeout: 120000 }, async () => {
    const files = [30000, 30001].map((n) => {
      const f = path.join(os.tmpdir(), `pancake-e2e-late-${n}.tar`);
      if (!fs.existsSync(f)) fs.writeFileSync(f, makeLargeImage(n).bytes);
      return f;
    });
    const page = await session.newPage();
    await page.evaluate(() => new Promise((r) => { const q = indexedDB.deleteDatabase('pancake'); q.onsuccess = q.onerror = q.onblocked = () => r(); }));
    await page.addInitScript(() => {
      window.__t = [];
      new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__t.push(Math.round(e.duration)); }).observe({ type: 'longtask' });
    });
    // The files' requests are counted, and held only once the test says so.
    await holdRequests(page, '^\\{"Rows".*"Lower"', { on: false });
    await pickFile(page, files[0]);
    await waitReady(page, { timeout: 100000 });
    await pickFile(page, files[1]);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=image-option]').length === 2, null, { timeout: 100000 });
    await waitReady(page, { timeout: 100000 });
    const pick = async (i) => {
      await page.locator('[data-testid=image-option]').nth(i).click();
      await page.waitForFunction((i) => document.querySelectorAll('[data-testid=image-option]')[i]?.getAttribute('aria-pressed') === 'true', i);
    };
    const run = async () => {
      const before = await page.locator(CONTAINER).count();
      await page.locator('[data-testid=run-container]').first().click();
      await page.waitForFunction(([sel, n]) => document.querySelectorAll(sel).length === n, [CONTAINER, before + 1]);
    };
    // X: a container, its Lower from the scanner (memo = X).
    await pick(0);
    await page.click('[data-testid=tab-container]');
    await run();
    await page.locator(ROW).first().waitFor({ timeout: 60000 });
    console.log(`# X listed; Lower requests so far ${await page.evaluate(() => window.__pcReq.asked)}`);
    // Y: a container, its Lower request held.
    await page.evaluate(() => window.__pcReqHold());
    await pick(1);
    await run();
    await page.locator(FOLD).waitFor();
    await page.waitForFunction(() => window.__pcReqHeld() === 1);
    // Leave the tab (the view unmounts), back to X, Container tab: X shows at once (memo = X).
    await page.click('[data-testid=tab-stack]');
    await pick(0);
    await page.click('[data-testid=tab-container]');
    await page.locator(ROW).first().waitFor({ timeout: 20000 });
    const askedBefore = await page.evaluate(() => window.__pcReq.asked);
    console.log(`# back on X: rows shown, folding shown: ${await page.locator(FOLD).count()}; Lower requests ${askedBefore}`);
    // Y's answer comes now.
    await page.evaluate(() => window.__pcReqRelease());
    await page.waitForTimeout(3000);
    // Any re-render of X's view (here: the filter) now finds no Lower for X.
    await page.evaluate(() => { window.__t = []; window.__pcReqHold(); });
    await page.fill('[data-testid=container-filter]', 'app/first');
    await page.waitForTimeout(300);
    const folding = await page.locator(FOLD).count();
    console.log(`# X's view now: ${folding ? await page.locator(FOLD).textContent() : 'rows'}; held ${await page.evaluate(() => window.__pcReqHeld())}`);
    await page.evaluate(() => window.__pcReqRelease());
    await page.waitForTimeout(4000);
    const asked = await page.evaluate(() => window.__pcReq.asked);
    console.log(`# after Y's late answer, X's view: folding shown ${folding}; Lower requests ${askedBefore} -> ${asked}; long tasks ${await page.evaluate(() => window.__t.join(' '))}`);
    assert.equal(folding, 0, 'X\'s view went back to "Assembling…"');
    assert.equal(asked, askedBefore, 'X\'s Lower was asked for again');
    await page.close();
  });
});
