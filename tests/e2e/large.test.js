'use strict';
// Issue #13 target 3 / issue #12: a 200,000-file image (made deterministically by
// tests/make_large_image.js, cached in the temp folder) is dropped on the page; long tasks
// (PerformanceObserver 'longtask') are recorded from the drop until every digest is verified.
// Asserts: both layers verified with the right diff_ids, nothing reported as a problem, and
// the page still answering (the long tasks were recorded to their end).
// Prints: first-view and verified times, the longest task overall and during hashing
// (issue #13 wants ≤ 100 ms overall, issue #12 ≤ 50 ms while hashing). Those are speed
// targets, so they are figures here and in `bench/web.js`'s table, not assertions: a timed
// test on a shared 2-core CI runner measures the runner.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { openSession, pickFile, problemsOf, waitReady, SEL } = require('./lib/browser');
const { makeLargeImage } = require('../make_large_image');

const FILES = 200000;
const READY_TIMEOUT = Number(process.env.PANCAKE_E2E_LARGE_MS || 240000);

/** The image, made once per machine (about a second) and reused while its bytes match. */
function largeImage() {
  const file = path.join(os.tmpdir(), `pancake-large-${FILES}.tar`);
  const img = makeLargeImage(FILES);
  if (!fs.existsSync(file) || fs.statSync(file).size !== img.bytes.length) {
    fs.writeFileSync(file, img.bytes);
  }
  return { file, diffIds: img.diffIds, size: img.bytes.length };
}

describe('a 200,000-file image', () => {
  let session;
  before(async () => { session = await openSession(); });
  after(async () => { await session?.close(); });

  test('verifies every layer of a 200,000-file image and records its long tasks', { timeout: READY_TIMEOUT + 60000 }, async () => {
    const img = largeImage();
    const page = await session.newPage();
    await page.evaluate((sel) => {
      const w = window;
      w.__large = { tasks: [], firstView: null, verified: null, dropped: null };
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__large.tasks.push({ start: e.startTime, ms: e.duration });
      }).observe({ type: 'longtask' });
      // Times seen from the page itself: when the stack first shows, when all is verified.
      new MutationObserver(() => {
        const t = performance.now();
        if (w.__large.firstView === null && document.querySelector('[data-testid=layer]')) w.__large.firstView = t;
        if (w.__large.verified === null && document.querySelector(sel)) w.__large.verified = t;
      }).observe(document.body, { childList: true, subtree: true, attributes: true });
      document.querySelector('input[type=file][data-testid=file-input]')
        .addEventListener('change', () => { w.__large.dropped = performance.now(); }, { capture: true });
    }, SEL.ready);
    await pickFile(page, img.file);
    await waitReady(page, { timeout: READY_TIMEOUT });
    const layers = await page.$$eval('[data-testid=layer]', (els) => els.map((e) => ({
      diffId: e.getAttribute('data-diff-id'), verified: e.getAttribute('data-verified'),
    })));
    assert.deepEqual(layers.map((l) => l.diffId), img.diffIds, 'layers bottom to top, diff_ids computed');
    assert.deepEqual(layers.map((l) => l.verified), ['true', 'true'], 'both layers verified');
    const m = await page.evaluate(() => window.__large);
    assert.ok(m.dropped !== null && m.firstView !== null && m.verified !== null, JSON.stringify(m));
    const from = m.dropped;
    const tasks = m.tasks.filter((t) => t.start + t.ms >= from && t.start <= m.verified);
    const hashing = tasks.filter((t) => t.start >= m.firstView);
    const longest = (ts) => ts.reduce((a, t) => Math.max(a, t.ms), 0);
    console.log(`# ${FILES} files, ${(img.size / 1e6).toFixed(0)} MB: first view ${(m.firstView - from).toFixed(0)} ms, ` +
      `verified ${(m.verified - from).toFixed(0)} ms; long tasks: ${tasks.length}, longest ${longest(tasks).toFixed(0)} ms ` +
      `(all: ${tasks.map((t) => `${(t.start - from).toFixed(0)}+${t.ms.toFixed(0)}`).join(' ')}); ` +
      `longest while hashing ${longest(hashing).toFixed(0)} ms`);
    assert.deepEqual(problemsOf(page), []);
    assert.ok(m.verified >= m.firstView && m.firstView >= from, JSON.stringify(m));
  });
});
