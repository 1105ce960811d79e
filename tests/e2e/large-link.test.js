'use strict';
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { openSession, problemsOf, waitReady } = require('./lib/browser');
const { startServer } = require('./lib/server');
const { READY_TIMEOUT, VIEW_TASK_MS, largeImage } = require('./lib/large');

// A link to a place in the image (`?src=…&view=files&layer=…&path=…`): the path's row is found
// by the scanner, not by folding 200,000 entries on the page's thread. One path the layer
// changed (its changes hold it), one it did not (the view switches to the filesystem at that
// layer, where it is).
describe('a link to a file of a 200,000-file image', () => {
  let session;
  let server;
  let dir;
  before(async () => {
    const img = largeImage();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pancake-large-src-'));
    fs.symlinkSync(img.file, path.join(dir, 'large.tar'));
    server = await startServer(dir, { cors: true, tls: true });
    session = await openSession({ allowOrigins: [server.origin], ignoreCertErrors: true });
  });
  after(async () => {
    await session?.close();
    await server?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const [where, layer, file, merged] of [
    ['changed by the layer', 1, 'data/d5/f5.txt', 'false'],
    ['not changed by the layer', 2, 'data/d5/f5.txt', 'true'],
  ]) {
    test(`opens the linked file, ${where}, without a long task`, { timeout: READY_TIMEOUT + 60000 }, async () => {
      const url = `${server.url}large.tar`;
      const q = `?src=${encodeURIComponent(url)}&view=files&layer=${layer}&path=${encodeURIComponent(`/${file}`)}&lang=en`;
      const page = await session.newPage({ query: q });
      await page.evaluate(() => {
        window.__tasks = [];
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) window.__tasks.push({ start: e.startTime, ms: e.duration });
        }).observe({ type: 'longtask' });
      });
      const card = page.locator('[data-testid=src-confirm]');
      await card.waitFor({ state: 'visible', timeout: 20000 });
      await card.locator('[data-testid=src-open]').click();
      await waitReady(page, { timeout: READY_TIMEOUT });
      await page.waitForFunction(([want, t]) => {
        const c = document.querySelector('[data-testid=file-content]');
        return c && c.dataset.path === want && c.querySelector('pre')?.textContent.startsWith(t);
      }, [file, 'file 5 of a 200,000-file layer'], { timeout: 60000 });
      assert.equal(await page.$eval('[data-testid=layer-select]', (e) => e.value), String(layer - 1));
      assert.equal(await page.getAttribute('[data-testid=files-merged]', 'aria-pressed'), merged);
      const tasks = await page.evaluate(() => window.__tasks);
      console.log(`# linked ${file}: long tasks ${tasks.map((t) => t.ms.toFixed(0)).join(' ') || 'none'}`);
      assert.ok(tasks.every((t) => t.ms <= VIEW_TASK_MS), `a main-thread task of ${Math.max(...tasks.map((t) => t.ms)).toFixed(0)} ms`);
      assert.deepEqual(problemsOf(page).filter((p) => !p.includes(server.origin)), []);
      await page.close();
    });
  }
});
