'use strict';
// Issue 15, Files view: in the merged filesystem, a file's badge names the layer that ADDED it
// as well as the last one that changed it (layers numbered from 1 at the base). Checked on the
// dive test image, whose Dockerfile says what each layer did.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { REPO, FIXTURES, openSession, problemsOf, pickFile, waitReady } = require('./lib/browser');
const app = require('./lib/app');

const READY_TIMEOUT = Number(process.env.PANCAKE_E2E_READY_MS || 45000);
const SHOTS = path.join(REPO, 'target', 'screenshots', 'search');
const DIVE = path.join(FIXTURES, 'fixture_dive_test-docker-image.tar');

async function badge(page, p) {
  const filter = page.locator('[data-testid=file-filter]');
  await filter.fill(p);
  const row = page.locator(`[data-testid=file-row][data-path="${p}"]`);
  await row.waitFor({ timeout: 10000 });
  const b = row.locator('[data-testid=owner-badge]');
  return {
    added: await b.getAttribute('data-added'),
    layer: await b.getAttribute('data-layer'),
    text: (await b.textContent()).trim(),
    title: await b.getAttribute('title'),
  };
}

describe('Files: the badge shows the layer that added a file', () => {
  let session;
  before(async () => { session = await openSession(); });
  after(async () => { if (session) await session.close(); });

  for (const [colorScheme, width] of [['light', 1280], ['dark', 360]]) {
    test(`dive image, merged view (${colorScheme}, ${width} px)`, { timeout: READY_TIMEOUT * 2 }, async () => {
      const page = await session.newPage({ viewport: { width, height: 900 }, colorScheme });
      await pickFile(page, DIVE);
      await waitReady(page, { timeout: READY_TIMEOUT });
      await app.openTab(page, 'files');
      await page.locator('[data-testid=files-merged]').click();
      // root/saved.txt: the mv made it (layer 8), chmod +x rewrote it (layer 14, the top).
      assert.deepEqual(await badge(page, 'root/saved.txt'), {
        added: '8', layer: '14', text: 'L8→L14',
        title: 'Added in layer 8; last changed in layer 14',
      });
      // somefile.txt: added once (layer 2), never changed again.
      const once = await badge(page, 'somefile.txt');
      assert.deepEqual([once.added, once.layer, once.text], ['2', '2', 'L2']);
      fs.mkdirSync(SHOTS, { recursive: true });
      await page.locator('[data-testid=file-filter]').fill('root/');
      await page.waitForTimeout(200);
      await page.screenshot({ path: path.join(SHOTS, `files-badge-${colorScheme}-${width}.png`) });
      assert.deepEqual(problemsOf(page), []);
      await page.close();
    });
  }
});
