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
    // What the eye sees (hidden from assistive technology), and what is read instead.
    text: (await b.locator('[aria-hidden=true]').textContent()).trim(),
    said: (await b.locator('.visually-hidden').textContent()).trim(),
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
        said: 'Added in layer 8; last changed in layer 14',
        title: 'Added in layer 8; last changed in layer 14',
      });
      // somefile.txt: added once (layer 2), never changed again.
      const once = await badge(page, 'somefile.txt');
      assert.deepEqual([once.added, once.layer, once.text, once.said], ['2', '2', 'L2', 'layer 2']);
      fs.mkdirSync(SHOTS, { recursive: true });
      await page.locator('[data-testid=file-filter]').fill('root/');
      await page.waitForTimeout(200);
      await page.screenshot({ path: path.join(SHOTS, `files-badge-${colorScheme}-${width}.png`) });
      assert.deepEqual(problemsOf(page), []);
      await page.close();
    });
  }
});

// A screen reader read the badge "L2" as it stands, which says nothing. It now hears the words
// the container's rows use ("layer 2"; in Indonesian the page's word, also "layer"), and the
// badge still shows L2 to the eye (hidden from the accessibility tree, which would read both).
describe('Files: a badge is read as its layer in words', () => {
  let session;
  before(async () => { session = await openSession(); });
  after(async () => { if (session) await session.close(); });

  const WORDS = {
    en: { once: 'layer 2', twice: 'Added in layer 8; last changed in layer 14' },
    id: { once: 'layer 2', twice: 'Ditambahkan di layer 8; terakhir diubah di layer 14' },
  };
  for (const lang of ['en', 'id']) {
    test(`dive image, merged view, accessible names (${lang})`, { timeout: READY_TIMEOUT * 2 }, async () => {
      const page = await session.newPage({ query: `?lang=${lang}` });
      try {
        await pickFile(page, DIVE);
        await waitReady(page, { timeout: READY_TIMEOUT });
        await app.openTab(page, 'files');
        await page.locator('[data-testid=files-merged]').click();
        for (const [p, shown, said] of [['somefile.txt', 'L2', WORDS[lang].once], ['root/saved.txt', 'L8→L14', WORDS[lang].twice]]) {
          const b = await badge(page, p);
          assert.equal(b.text, shown, `${p}: the badge shows ${shown}`);
          assert.equal(b.said, said, `${p}: read as "${said}"`);
          // As assistive technology finds the row: its name carries the words, not "L2".
          const esc = (t) => t.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
          const row = page.getByRole('treeitem', { name: new RegExp(`${esc(p)}.*\\b${esc(said)}\\b`) });
          assert.equal(await row.count(), 1, `${p}: a treeitem named with "${said}"`);
          assert.equal(await page.getByRole('treeitem', { name: new RegExp(`\\b${esc(shown)}\\b`) }).count(), 0, `${p}: "${shown}" is not read`);
          // The hidden words take no room: the badge is as wide as its short text.
          const box = await page.locator(`[data-testid=file-row][data-path="${p}"] [data-testid=owner-badge]`).boundingBox();
          assert.ok(box.width < 80, `${p}: badge ${box.width}px wide`);
        }
        assert.deepEqual(problemsOf(page), []);
      } finally {
        await page.close();
      }
    });
  }
});
