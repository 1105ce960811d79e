'use strict';
// Issue #13 target 3 / issue #12: a 200,000-file image (made deterministically by
// tests/make_large_image.js, cached in the temp folder) is dropped on the page; long tasks
// (PerformanceObserver 'longtask') are recorded from the drop until every digest is verified.
// Asserts: the first view is the outline (the layers while the file is still read, sizes
// pending); both layers verified with the right diff_ids; the stack's figures (each layer's
// size, the base's entry count, the bytes the top layer hides) equal those of the bytes the
// generator wrote — they come from the scanner worker while the 200,000 entries cross to the
// page in slices (issue #13 target 3); the Files view is open once verified; no main-thread
// task over 100 ms from the drop to verified, nor when the base layer's tar is saved;
// nothing reported as a problem.
// Prints: first-view and verified times, the longest task overall and during hashing. The
// times are speed figures (here and in `bench/web.js`'s table against the CLI's), not
// assertions: a timed test on a shared 2-core CI runner measures the runner.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { openSession, pickFile, problemsOf, waitReady, SEL } = require('./lib/browser');
const { startServer } = require('./lib/server');
const { makeLargeImage } = require('../make_large_image');
const { tar, oneLayerImage } = require('./lib/tarwrite');
const { holdHashing } = require('./lib/hold');

const FILES = 200000;
const READY_TIMEOUT = Number(process.env.PANCAKE_E2E_LARGE_MS || 240000);
// Issue #13's bound on any main-thread task from drop to verified. A longtask is wall time: on
// a machine whose load is many times its cores a 50 ms task is seen at 140 ms, so a loaded
// runner may raise it (PANCAKE_E2E_LONGTASK_MS); the figure is printed either way.
const LONGEST_TASK_MS = Number(process.env.PANCAKE_E2E_LONGTASK_MS || 100);
// A change of the Files view on 200,000 rows: the worker folds, but the page still builds the
// tree of the rows it gets and frees the last view's (measured 0-150 ms; it was 1.3-2.7 s
// when the page folded): a bound that catches the freeze coming back.
const VIEW_TASK_MS = Number(process.env.PANCAKE_E2E_VIEW_TASK_MS || 400);

/**
 * The image (`tests/make_large_image.js` with `opts`), made once per machine (about a second)
 * and reused while its bytes match; `name` tells its variants apart in the temp folder.
 */
function largeImage(name = '', opts = {}) {
  const file = path.join(os.tmpdir(), `pancake-large-${FILES}${name}.tar`);
  const img = makeLargeImage(FILES, opts);
  if (!fs.existsSync(file) || fs.statSync(file).size !== img.bytes.length) {
    fs.writeFileSync(file, img.bytes);
  }
  return {
    file, diffIds: img.diffIds, digests: img.digests, size: img.bytes.length,
    contentBytes: img.contentBytes, entries: img.entries, hiddenByTop: img.hiddenByTop,
  };
}

/** Opens the base layer's details and checks they name its entry count; returns their text. */
async function baseDetails(page, img) {
  await page.click('[data-testid=layer] >> nth=0');
  await page.waitForSelector('[data-testid=layer-details][data-index="0"]');
  const details = await page.textContent('[data-testid=layer-details]');
  assert.ok(details.includes(String(img.entries[0])), `base layer details name its ${img.entries[0]} entries: ${details.slice(0, 400)}`);
  return details;
}

/**
 * The stack's figures as the generator's bytes make them: each layer's file bytes, the bytes
 * the top layer (selected) hides, the base layer's entries.
 */
async function assertFigures(page, img) {
  const sizes = await page.$$eval('[data-testid=layer] [data-testid=layer-size]', (els) => els.map((e) => Number(e.getAttribute('data-bytes'))));
  assert.deepEqual(sizes, img.contentBytes, 'each layer\'s file bytes, base first');
  const hidden = await page.getAttribute('[data-testid=layer-details] [data-testid=hidden-bytes]', 'data-bytes');
  assert.equal(Number(hidden), img.hiddenByTop, 'the top layer (selected) hides the files of data/d1 and data/d2');
  await baseDetails(page, img);
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
        if (w.__large.firstView === null && document.querySelector('[data-testid=layer]')) {
          w.__large.firstView = t;
          // What the first view says: an outline, before the 200,000 entries are walked.
          w.__large.first = {
            phase: document.querySelector('[data-phase]')?.getAttribute('data-phase') ?? null,
            layers: [...document.querySelectorAll('[data-testid=layer]')].map((e) => e.textContent),
            summary: document.querySelector('.summary-main')?.textContent ?? '',
            run: (() => {
              const b = document.querySelector('[data-testid=run-container]');
              return b ? { disabled: b.disabled, title: b.title } : null;
            })(),
          };
        }
        if (w.__large.verified === null && document.querySelector(sel)) w.__large.verified = t;
      }).observe(document.body, { childList: true, subtree: true, attributes: true });
      document.querySelector('input[type=file][data-testid=file-input]')
        .addEventListener('change', () => { w.__large.dropped = performance.now(); }, { capture: true });
    }, SEL.ready);
    await pickFile(page, img.file);
    await waitReady(page, { timeout: READY_TIMEOUT });
    const layers = await page.$$eval('[data-testid=layer]', (els) => els.map((e) => ({
      diffId: e.getAttribute('data-diff-id'), verified: e.getAttribute('data-verified'),
      how: e.getAttribute('data-hashed-with'),
    })));
    assert.deepEqual(layers.map((l) => l.diffId), img.diffIds, 'layers bottom to top, diff_ids computed');
    assert.deepEqual(layers.map((l) => l.verified), ['true', 'true'], 'both layers verified');
    // The base layer's walk reads all of it (headers between 400-byte files): with a second
    // core, the first hasher hashed it from those very reads while it was walked (and the
    // 2 MiB top layer too, read by the same 8 MiB read-ahead), each verified above.
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    assert.equal(layers[0].how, cores >= 2 ? 'with-walk' : 'streamed', JSON.stringify(layers));
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
    assert.ok(m.verified >= m.firstView && m.firstView >= from, JSON.stringify(m));
    // The first view is the outline (issue 13 target 3): the layers and their instructions
    // while the file is still read, their sizes pending rather than 0 B.
    assert.equal(m.first.phase, 'reading', JSON.stringify(m.first));
    assert.equal(m.first.layers.length, 2, JSON.stringify(m.first));
    for (const l of m.first.layers) assert.match(l, /COPY.*pending…/, JSON.stringify(m.first));
    assert.match(m.first.summary, /2 layers · their files are being read… · docker save/);
    assert.deepEqual(m.first.run, { disabled: true, title: 'Available once the image is read and checked: a container needs the files of every layer' });
    assert.equal(await page.isDisabled('[data-testid=run-container]'), false, 'Run container is on once verified');
    assert.ok(longest(tasks) <= LONGEST_TASK_MS, `a main-thread task of ${longest(tasks).toFixed(0)} ms between drop and verified`);

    // The figures the worker summarized, as the generator's bytes make them.
    await assertFigures(page, img);
    // Every entry list is on the page once verified: Files opens on them at once.
    await page.click('[data-testid=tab-files]');
    await page.waitForSelector('[data-testid=file-list]', { timeout: 20000 });
    assert.equal(await page.$('[data-testid=index-pending]'), null);
    assert.deepEqual(problemsOf(page), []);

    // Saving the base layer's tar (200,000 entries in its index): the job that crosses to the
    // save's worker carries none of them, so the click does not freeze the page (it took one
    // task of 450-500 ms when the whole index was serialized on the page's thread).
    await page.evaluate(() => { window.__large.tasks = []; window.__large.clicked = performance.now(); });
    await page.locator('[data-testid=download-layer-tar]').click();
    const progress = page.locator('[data-testid=save-progress]');
    await progress.waitFor();
    await page.waitForFunction(() => /Saving [1-9]/.test(document.querySelector('[data-testid=save-progress]')?.textContent || ''));
    await page.locator('[data-testid=save-cancel]').click();
    await page.locator('[data-testid=save-cancelled]').waitFor();
    const saving = await page.evaluate(() => window.__large.tasks.filter((t) => t.start + t.ms >= window.__large.clicked));
    console.log(`# saving the base layer: long tasks ${saving.map((t) => t.ms.toFixed(0)).join(' ') || 'none'}`);
    assert.ok(longest(saving) <= LONGEST_TASK_MS, `a main-thread task of ${longest(saving).toFixed(0)} ms after Save was clicked`);
    assert.deepEqual(problemsOf(page), []);

    // The Files view's rows are folded by the file's scanner worker, not on the page's thread
    // (which froze 1.3-2.7 s per change of view): while they come the view says so, then
    // the rows are the ones the generator's bytes make. Base layer: its 200,500 entries and
    // the folder `data` they imply, all added; top layer: the whiteout of data/d1 and the
    // opaque data/d2 delete 2 x 400 files and data/d1, app/ and its 4 blobs are added, data
    // and data/d2 modified.
    await page.evaluate(() => { window.__large.tasks = []; window.__large.clicked = performance.now(); });
    const summary = page.locator('.files-summary');
    const folded = async (re) => {
      await page.waitForFunction((src) => {
        const el = document.querySelector('.files-summary');
        return el && !document.querySelector('[data-testid=files-folding]') && new RegExp(src).test(el.textContent);
      }, re.source, { timeout: 60000 });
      return summary.textContent();
    };
    const [base, top] = [img.entries[0] + 1, img.entries[0] + 1 - 801 + 6];
    assert.match(await folded(new RegExp(`\\+ ${base} `)), /~ 0 .*− 0 /);
    await page.click('[data-testid=files-merged]');
    await folded(new RegExp(`${base} paths`));
    assert.equal(await page.getAttribute('[data-testid=owner-badge] >> nth=0', 'data-added'), '1');
    await page.selectOption('[data-testid=layer-select]', '1');
    await folded(new RegExp(`${top} paths`));
    // In the top layer's filesystem `app` is the top layer's (added in 2), while `data`,
    // which it modified, was added by the base layer: its badge says both.
    const badge = (p) => page.getAttribute(`[data-testid=file-row][data-path="${p}"] [data-testid=owner-badge]`, 'data-added');
    assert.equal(await badge('app'), '2');
    assert.equal(await badge('data'), '1');
    assert.equal(await page.getAttribute('[data-testid=file-row][data-path="data"] [data-testid=owner-badge]', 'data-layer'), '2');
    await page.click('[data-testid=files-changes]');
    assert.match(await folded(/\+ 6 /), /~ 2 .*− 801 /);
    // Merged and straight back: the changes show at once, and the merged view's answer,
    // coming later, is dropped instead of replacing them.
    await page.click('[data-testid=files-merged]');
    await page.click('[data-testid=files-changes]');
    assert.match(await folded(/\+ 6 /), /~ 2 .*− 801 /);
    await page.evaluate(() => {
      window.__flicker = 0;
      const shows = () => !document.querySelector('[data-testid=files-folding]')
        && /\+ 6 /.test(document.querySelector('.files-summary')?.textContent || '');
      window.__watch = setInterval(() => { if (!shows()) window.__flicker += 1; }, 5);
    });
    await page.waitForTimeout(4000);
    assert.equal(await page.evaluate(() => { clearInterval(window.__watch); return window.__flicker; }), 0,
      'the changes view stayed as it was while the merged view\'s late answer came');
    const viewing = await page.evaluate(() => window.__large.tasks.filter((t) => t.start + t.ms >= window.__large.clicked));
    console.log(`# Files view, six changes of view on 200,000 entries: long tasks ${viewing.map((t) => t.ms.toFixed(0)).join(' ') || 'none'}`);
    assert.ok(longest(viewing) <= VIEW_TASK_MS, `a main-thread task of ${longest(viewing).toFixed(0)} ms while the Files view changed`);

    // What needs the filesystem at a layer, not the listing shown, asks the scanner too (each
    // was a fold of 200,000 entries on the page's thread, ~1 s): a symlink followed from the
    // top layer's changes, the image's largest files, a search hit's content.
    await page.evaluate(() => { window.__large.tasks = []; window.__large.clicked = performance.now(); });
    const note = page.locator('[data-testid=link-note]');
    const opened = async (p, text) => {
      await page.waitForFunction(([want, t]) => {
        const c = document.querySelector('[data-testid=file-content]');
        return c && c.dataset.path === want && c.querySelector('pre')?.textContent.startsWith(t);
      }, [p, text], { timeout: 60000 });
    };
    await page.click('[data-testid=file-row][data-path="app/first"]');
    await note.waitFor({ timeout: 60000 });
    assert.equal(await note.getAttribute('data-link'), 'sym');
    assert.match(await note.textContent(), /\/app\/first points to \.\.\/data\/d0\/f0\.txt; opened \/data\/d0\/f0\.txt/);
    await opened('data/d0/f0.txt', 'file 0 of a 200,000-file layer');
    await page.keyboard.press('Escape');
    // The largest files of the image: the four 512 KiB blobs of the top layer, in path order.
    await page.click('[data-testid=largest-toggle]');
    await page.locator('[data-testid=largest-image]').first().waitFor({ timeout: 60000 });
    assert.equal(await page.locator('[data-testid=largest-folding]').count(), 0);
    const largest = await page.$$eval('[data-testid=largest-image]', (els) => els.map((e) => [e.dataset.path, Number(e.dataset.size)]));
    assert.equal(largest.length, 50);
    assert.deepEqual(largest.slice(0, 5), [['app/blob0.bin', 524288], ['app/blob1.bin', 524288],
      ['app/blob2.bin', 524288], ['app/blob3.bin', 524288], [largest[4][0], 400]]);
    assert.match(largest[4][0], /^data\/d\d+\/f\d+\.txt$/);
    await page.click('[data-testid=largest-toggle]');
    // A search hit: "added in layer 1" of data/d7/f7.txt opens that layer's file.
    await page.fill('[data-testid=search-input]', 'data/d7/f7.txt');
    await page.waitForFunction(() => document.querySelector('[data-testid=search-status]')?.dataset.query === 'data/d7/f7.txt',
      null, { timeout: 30000 });
    await page.click('[data-testid=search-hit][data-path="data/d7/f7.txt"] [data-testid=search-event][data-layer="1"]');
    await opened('data/d7/f7.txt', 'file 7 of a 200,000-file layer');
    assert.equal(await page.$eval('[data-testid=layer-select]', (e) => e.value), '0');
    // A hit whose row comes after the person moved on (here: to layer 2) opens nothing.
    await page.keyboard.press('Escape');
    await page.locator('[data-testid=file-content]').waitFor({ state: 'detached' });
    await page.fill('[data-testid=search-input]', 'data/d9/f9.txt');
    await page.waitForFunction(() => document.querySelector('[data-testid=search-status]')?.dataset.query === 'data/d9/f9.txt',
      null, { timeout: 30000 });
    await page.click('[data-testid=search-hit][data-path="data/d9/f9.txt"] [data-testid=search-event][data-layer="1"]');
    await page.selectOption('[data-testid=layer-select]', '1');
    await page.waitForTimeout(6000);
    assert.equal(await page.locator('[data-testid=file-content]').count(), 0, 'the late row opened nothing');
    assert.equal(await page.$eval('[data-testid=layer-select]', (e) => e.value), '1');
    const asking = await page.evaluate(() => window.__large.tasks.filter((t) => t.start + t.ms >= window.__large.clicked));
    console.log(`# a symlink followed, the image's largest files, a search hit opened: long tasks ${asking.map((t) => t.ms.toFixed(0)).join(' ') || 'none'}`);
    assert.ok(longest(asking) <= VIEW_TASK_MS, `a main-thread task of ${longest(asking).toFixed(0)} ms while the scanner was asked`);
    assert.deepEqual(problemsOf(page), []);
  });

  test('a gzip-compressed 200,000-file layer: its index crosses in slices and its figures come from the scanner', { timeout: READY_TIMEOUT + 60000 }, async () => {
    // No header walk indexes a compressed layer: the hasher that inflates it does, and its
    // facts carried the 200,500 entries as JSON (a 30 MB message parsed in one ~1 s task),
    // then the page folded the figures itself (another ~0.8 s task). Now the entries cross
    // in the compact form, decoded a slice per task, and the scanner sends the figures.
    const img = largeImage('-gz', { gzip: true });
    const page = await session.newPage();
    await page.evaluate(() => {
      window.__gz = { tasks: [], dropped: null };
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__gz.tasks.push({ start: e.startTime, ms: e.duration });
      }).observe({ type: 'longtask' });
      document.querySelector('input[type=file][data-testid=file-input]')
        .addEventListener('change', () => { window.__gz.dropped = performance.now(); }, { capture: true });
    });
    await pickFile(page, img.file);
    await waitReady(page, { timeout: READY_TIMEOUT });
    const layers = await page.$$eval('[data-testid=layer]', (els) => els.map((e) => ({
      diffId: e.getAttribute('data-diff-id'), digest: e.getAttribute('data-digest'), verified: e.getAttribute('data-verified'),
    })));
    assert.deepEqual(layers.map((l) => l.diffId), img.diffIds, 'diff_ids computed from the inflated tars');
    assert.deepEqual(layers.map((l) => l.digest), img.digests, 'the compressed blobs\' digests');
    assert.deepEqual(layers.map((l) => l.verified), ['true', 'true']);
    // The figures, from the scanner, as the generator's bytes make them.
    await page.waitForFunction(() => ![...document.querySelectorAll('[data-testid=layer]')].some((e) => /pending/.test(e.textContent)),
      null, { timeout: 30000 });
    await assertFigures(page, img);
    const m = await page.evaluate(() => window.__gz);
    const tasks = m.tasks.filter((t) => t.start + t.ms >= m.dropped);
    const longest = tasks.reduce((a, t) => Math.max(a, t.ms), 0);
    console.log(`# ${FILES} files in a gzip layer: long tasks ${tasks.map((t) => t.ms.toFixed(0)).join(' ') || 'none'}`);
    assert.ok(longest <= LONGEST_TASK_MS, `a main-thread task of ${longest.toFixed(0)} ms`);
    // The Files view opens on the entries that crossed.
    await page.click('[data-testid=tab-files]');
    await page.waitForFunction((n) => new RegExp(`\\+ ${n} `).test(document.querySelector('.files-summary')?.textContent || '')
      && !document.querySelector('[data-testid=files-folding]'), img.entries[0] + 1, { timeout: 60000 });
    assert.deepEqual(problemsOf(page), []);
  });

  test('Cancel after a gzip layer of 200,000 files was indexed, before every digest: its figures still come', { timeout: READY_TIMEOUT + 60000 }, async () => {
    // The figures of a layer indexed by its hasher wait for every digest (the scanner makes
    // them once all facts are in): Cancel means they will not all come, so they are asked
    // for then. Only the base layer's hash job is let through; the top layer's (2 MiB that do
    // not compress: over what the scan reads whole) is held.
    const img = largeImage('-gz-noise', { gzip: true, noise: 2 << 20 });
    const page = await holdHashing(await session.newPage());
    await pickFile(page, img.file);
    await page.waitForFunction(() => window.__pc.held.length >= 1, null, { timeout: READY_TIMEOUT });
    await page.evaluate(() => window.__pcLet(1));
    const base = page.locator('[data-testid=layer][data-index="0"]');
    await page.waitForFunction(() => document.querySelector('[data-testid=layer][data-index="0"]')?.dataset.verified === 'true',
      null, { timeout: READY_TIMEOUT });
    assert.equal(await page.getAttribute('[data-testid=layer][data-index="1"]', 'data-verified'), 'false');
    await page.locator('[data-testid=cancel]').click();
    await page.waitForFunction(() => ![...document.querySelectorAll('[data-testid=layer]')].some((e) => /pending/.test(e.textContent)),
      null, { timeout: 30000 });
    assert.equal(Number(await base.locator('[data-testid=layer-size]').getAttribute('data-bytes')), img.contentBytes[0]);
    assert.match(await page.locator('[data-testid=layer][data-index="1"]').textContent(), /not read/);
    assert.doesNotMatch(await baseDetails(page, img), /pending/);
    await page.close();
  });

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
    assert.match(await page.textContent('[data-testid=storage-unread]'), /count as 0 B/);
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
