'use strict';
// The outline a large save shows while its layer tars are walked (the layers, sizes
// pending): not for a save whose walk is quick (it would only flash), and kept, saying the
// file lists were not read, when the reading is cancelled while it is shown.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { openSession, pickFile, problemsOf, waitReady } = require('./lib/browser');
const { tar, oneLayerImage } = require('./lib/tarwrite');
const { largeImage } = require('./lib/large');

describe('the outline of a large save', () => {
  let session;
  before(async () => { session = await openSession(); });
  after(async () => { await session?.close(); });

  test('a save of 72 MiB in four large files shows no outline: its quick walk would only make it flash', { timeout: 120000 }, async () => {
    // Over the 64 MiB from which the scanner posts an outline, but four headers to walk: the
    // walk ends within the page's 150 ms hold, so the first view is the walk's.
    const files = [0, 1, 2, 3].map((i) => [`data/big${i}.bin`, Buffer.alloc(18 << 20, i + 1)]);
    const file = path.join(os.tmpdir(), 'pancake-e2e-four-large-files.tar');
    fs.writeFileSync(file, oneLayerImage(tar(files), 'COPY data/ /data/'));
    try {
      const page = await session.newPage();
      await page.evaluate(() => {
        window.__seen = [];
        new MutationObserver(() => {
          const l = document.querySelector('[data-testid=layer]');
          if (l) window.__seen.push([document.querySelector('[data-phase]')?.getAttribute('data-phase') ?? null, l.textContent]);
        }).observe(document.body, { childList: true, subtree: true, attributes: true, characterData: true });
      });
      await pickFile(page, file);
      await waitReady(page, { timeout: 60000 });
      const seen = await page.evaluate(() => window.__seen);
      assert.ok(seen.length > 0);
      assert.deepEqual(seen.filter(([, text]) => /pending/.test(text)), [], 'no layer ever showed its size pending');
      assert.match(seen[0][1], /COPY.*75\.5MB/, 'the first view has the layer\'s size');
      assert.deepEqual(problemsOf(page), []);
      await page.close();
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  test('on a phone the slabs keep their height from the outline to verified: no jump when the sizes come', { timeout: 120000 }, async () => {
    // Until a layer's size is known (its files still walked, or the figures still coming from
    // the worker) its slab is as tall as its stored blob; it was the floor, and every slab
    // grew by ~40 px when the sizes came (65 → 101–112 px for the 1 GiB benchmark save).
    const img = largeImage();
    const page = await session.newPage({ viewport: { width: 360, height: 640 } });
    await page.evaluate(() => {
      window.__heights = {};
      new MutationObserver(() => {
        document.querySelectorAll('[data-testid=layer]').forEach((l) => {
          const h = l.getBoundingClientRect().height;
          const seen = (window.__heights[l.dataset.index] ||= [h, h]);
          seen[0] = Math.min(seen[0], h);
          seen[1] = Math.max(seen[1], h);
        });
      }).observe(document.body, { childList: true, subtree: true, attributes: true, characterData: true });
    });
    await pickFile(page, img.file);
    await page.locator('[data-testid=layer]').first().waitFor({ state: 'attached', timeout: 60000 });
    assert.equal(await page.getAttribute('[data-phase]', 'data-phase'), 'reading', 'the first view is the outline');
    await waitReady(page, { timeout: 100000 });
    const heights = await page.evaluate(() => window.__heights);
    assert.equal(Object.keys(heights).length, 2, JSON.stringify(heights));
    // A layer of 200,000 small files is mostly tar headers: its files fill less than its
    // blob, a few pixels on the slab's log scale.
    for (const [i, [lo, hi]] of Object.entries(heights)) assert.ok(hi - lo <= 8, `layer ${i}: ${lo}–${hi} px`);
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  test('cancelled while its outline is shown, it keeps the outline and says the file lists were not read', { timeout: 120000 }, async () => {
    const img = largeImage();
    const page = await session.newPage();
    await pickFile(page, img.file);
    await page.locator('[data-testid=layer]').first().waitFor({ state: 'attached', timeout: 60000 });
    // Seen and clicked in one task of the page, so the walk cannot end in between.
    const phase = await page.evaluate(() => {
      const p = document.querySelector('[data-phase]')?.getAttribute('data-phase');
      if (p === 'reading') document.querySelector('[data-testid=cancel]').click();
      return p;
    });
    assert.equal(phase, 'reading', 'the first view came while the file was read');
    await page.locator('[data-testid=cancelled]').waitFor();
    const layers = await page.$$eval('[data-testid=layer]', (els) => els.map((e) => e.textContent));
    assert.equal(layers.length, 2);
    for (const l of layers) assert.match(l, /not read/, layers.join(' | '));
    assert.match(await page.textContent('.summary-main'), /2 layers · files not read · docker save/);
    await page.click('[data-testid=tab-files]');
    await page.locator('[data-testid=index-stopped]').waitFor();
    assert.match(await page.textContent('[data-testid=index-stopped]'), /reading stopped before their tars were walked/);
    // The Shared tab knows no sizes either, and nothing is being checked any more.
    await page.click('[data-testid=tab-shared]');
    const item = page.locator('[data-testid=session-image]').first();
    await item.waitFor();
    assert.match(await item.textContent(), /sizes not known: the files of its layers are not read/);
    assert.doesNotMatch(await item.textContent(), /still being checked|0B/);
    assert.match(await page.textContent('[data-testid=storage-unread]'), /count as 0B in these figures/);
    const bands = await page.$$eval('.dg-wrap [data-testid=layer-size]', (els) => els.map((e) => e.textContent));
    assert.deepEqual(bands, ['not read', 'not read']);
    // No container runs on layers whose files were never listed; the button looks off and
    // its hint says why.
    assert.equal(await page.isDisabled('[data-testid=run-container]'), true);
    const run = await page.$eval('[data-testid=run-container]', (b) => ({ title: b.title, opacity: getComputedStyle(b).opacity, cursor: getComputedStyle(b).cursor }));
    assert.match(run.title, /reading was stopped before the files of every layer were read/);
    assert.equal(run.opacity, '0.5');
    assert.equal(run.cursor, 'not-allowed');
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });
});
