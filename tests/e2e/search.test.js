'use strict';
// Issue 15: path search over every layer. A hit lists the layers that added, modified and
// deleted the path (numbered from 1 at the base, as the stack numbers them); clicking a step
// jumps to that layer and opens the file. Checked on the dive test image (its Dockerfile says
// what each layer did) and on a generated image whose first layer holds 200,000 files, with a
// `longtask` observer while typing.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { REPO, FIXTURES, openSession, problemsOf, pickFile, waitReady } = require('./lib/browser');
const app = require('./lib/app');
const { holdHashing } = require('./lib/hold');

const READY_TIMEOUT = Number(process.env.PANCAKE_E2E_READY_MS || 45000);
const SHOTS = path.join(REPO, 'target', 'screenshots', 'search');
const DIVE = path.join(FIXTURES, 'fixture_dive_test-docker-image.tar');

async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });
}

// --- a minimal ustar writer for the generated image -------------------------------------
function header(name, size, type) {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write(type === '5' ? '0000755\0' : '0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write(type, 156);
  h.write('ustar\0' + '00', 257);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}
function member(name, body, type = '0') {
  const data = Buffer.isBuffer(body) ? body : Buffer.from(body || '');
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512);
  return [header(name, data.length, type), data, pad];
}
function tar(parts) {
  return Buffer.concat([...parts.flat(), Buffer.alloc(1024)]);
}
const sha = (b) => crypto.createHash('sha256').update(b).digest('hex');

/** A `docker save` of two layers: 200,000 files, then one rewritten and one whited out. */
function bigImage() {
  const files = [];
  files.push(member('data/', '', '5'));
  for (let d = 0; d < 200; d++) {
    files.push(member(`data/d${String(d).padStart(3, '0')}/`, '', '5'));
    for (let f = 0; f < 1000; f++) {
      const n = d * 1000 + f;
      files.push(member(`data/d${String(d).padStart(3, '0')}/f${String(n).padStart(6, '0')}.txt`, ''));
    }
  }
  // The needle has content, so its sizes show.
  files.push(member('etc/', '', '5'));
  files.push(member('etc/needle.conf', 'first\n'));
  const l1 = tar(files);
  const l2 = tar([
    member('etc/', '', '5'),
    member('etc/needle.conf', 'second, longer\n'),
    member('data/d007/.wh.f007007.txt', ''),
  ]);
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', config: {},
    rootfs: { type: 'layers', diff_ids: [`sha256:${sha(l1)}`, `sha256:${sha(l2)}`] },
    history: [{ created_by: 'COPY data/ /data/' }, { created_by: 'RUN edit needle' }],
  }));
  const cfgName = `${sha(config)}.json`;
  const manifest = Buffer.from(JSON.stringify([{
    Config: cfgName, RepoTags: ['big:1'], Layers: ['l1/layer.tar', 'l2/layer.tar'],
  }]));
  const out = tar([
    member(cfgName, config),
    member('l1/', '', '5'), member('l1/layer.tar', l1),
    member('l2/', '', '5'), member('l2/layer.tar', l2),
    member('manifest.json', manifest),
  ]);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pancake-search-')), 'big.tar');
  fs.writeFileSync(file, out);
  return file;
}

async function search(page, text) {
  const input = page.locator('[data-testid=search-input]');
  await input.fill(text);
  await page.waitForFunction((t) => {
    const s = document.querySelector('[data-testid=search-status]');
    // The status names the query it answers: an earlier query's hits do not count.
    return s && s.dataset.query === t;
  }, text, { timeout: 30000 });
}

/** Hits as shown: [{ path, events: [{ layer, change, text }] }]. */
async function readHits(page) {
  return page.$$eval('[data-testid=search-hit]', (els) => els.map((e) => ({
    path: e.dataset.path,
    events: [...e.querySelectorAll('[data-testid=search-event]')].map((b) => ({
      layer: Number(b.dataset.layer), change: b.dataset.change, text: b.textContent.trim(),
    })),
  })));
}

describe('path search over every layer', () => {
  let session;
  before(async () => { session = await openSession(); });
  after(async () => { if (session) await session.close(); });

  for (const [colorScheme, width] of [['light', 1280], ['dark', 1280], ['light', 360], ['dark', 360]]) {
    test(`dive image: histories and jump (${colorScheme}, ${width} px)`, { timeout: READY_TIMEOUT * 2 + 30000 }, async () => {
      const page = await session.newPage({ viewport: { width, height: 900 }, colorScheme });
      await pickFile(page, DIVE);
      await waitReady(page, { timeout: READY_TIMEOUT });
      await app.openTab(page, 'files');
      await search(page, '/root/example/some');
      const hits = await readHits(page);
      assert.deepEqual(hits.map((h) => h.path), [
        'root/example/somefile1.txt', 'root/example/somefile2.txt', 'root/example/somefile3.txt',
      ]);
      // cp (layer 4 counting from 1), chmod 444 (5), rm -rf /root/example/ (10).
      assert.deepEqual(hits[0].events.map((e) => [e.layer, e.change]),
        [[4, 'added'], [5, 'modified'], [10, 'deleted']]);
      assert.match(hits[0].events[0].text, /^added in layer 4\s*6\.41kB$/);
      assert.match(hits[0].events[2].text, /^deleted in layer 10 \(whiteout\)/);
      assert.deepEqual(hits[2].events.map((e) => [e.layer, e.change]), [[7, 'added'], [8, 'deleted']]);
      const status = await page.locator('[data-testid=search-status]').getAttribute('data-total');
      assert.equal(status, '3');
      await shot(page, `search-dive-${colorScheme}-${width}`);

      // A glob on names; then an invalid one says why.
      await search(page, 'saved*.txt');
      assert.deepEqual((await readHits(page)).map((h) => h.path),
        ['root/.data/saved.again2.txt', 'root/saved.txt', 'tmp/saved.again1.txt']);
      await search(page, '[oops');
      assert.match(await page.locator('[data-testid=search-status]').textContent(), /^Not a valid pattern: /);

      // Click "modified in layer 5": the layer is selected, its changes list the file, the
      // content panel opens with the file's bytes.
      await search(page, 'somefile1');
      await page.locator('[data-testid=search-hit][data-path="root/example/somefile1.txt"] [data-testid=search-event][data-layer="5"]').click();
      await page.waitForFunction(() => {
        const sel = document.querySelector('[data-testid=layer-select]');
        return sel && sel.value === '4';
      }, null, { timeout: 10000 });
      const row = page.locator('[data-testid=file-row][data-path="root/example/somefile1.txt"]');
      await row.waitFor({ timeout: 10000 });
      assert.equal(await row.getAttribute('data-change'), 'modified');
      const content = page.locator('[data-testid=file-content]').first();
      await content.waitFor({ state: 'visible', timeout: 10000 });
      await page.waitForFunction(() => {
        const el = document.querySelector('[data-testid=file-content]');
        return el && el.textContent.trim().length > 0 && !/Reading…|Membaca…/.test(el.textContent);
      }, null, { timeout: 10000 });
      await shot(page, `search-jump-${colorScheme}-${width}`);
      assert.deepEqual(problemsOf(page), []);
      await page.close();
    });
  }

  test('Bahasa Indonesia labels', { timeout: READY_TIMEOUT * 2 }, async () => {
    const page = await session.newPage({ query: '?lang=id' });
    await pickFile(page, DIVE);
    await waitReady(page, { timeout: READY_TIMEOUT });
    await app.openTab(page, 'files');
    await search(page, 'somefile3');
    const hits = await readHits(page);
    // The size as Indonesian writes it: a decimal comma, a space before the unit.
    for (const e of hits[0].events) assert.match(e.text, /6,41 kB$/, e.text);
    assert.deepEqual(hits[0].events.map((e) => e.text.replace(/\s*6,41 kB$/, '')),
      ['ditambahkan di layer 7', 'dihapus di layer 8 (whiteout)']);
    assert.equal(await page.locator('[data-testid=search-status]').textContent(), 'Path ditemukan: 1');
    await page.close();
  });

  test('200,000-file layer: typing does not freeze the page', { timeout: 600000 }, async () => {
    const file = bigImage();
    const page = await session.newPage({ viewport: { width: 1280, height: 900 } });
    await pickFile(page, file);
    await waitReady(page, { timeout: 300000 });
    await app.openTab(page, 'files');
    // The first query builds the index (once); it is not what this test times.
    await search(page, 'needle');
    let hits = await readHits(page);
    assert.deepEqual(hits.map((h) => h.path), ['etc/needle.conf']);
    assert.deepEqual(hits[0].events.map((e) => [e.layer, e.change]), [[1, 'added'], [2, 'modified']]);
    assert.match(hits[0].events[1].text, /^modified in layer 2\s*15B$/);

    // From here every long task (> 50 ms) is recorded while a query is typed key by key.
    await page.evaluate(() => {
      window.__longtasks = [];
      new PerformanceObserver((l) => {
        for (const e of l.getEntries()) window.__longtasks.push(e.duration);
      }).observe({ type: 'longtask' });
    });
    const input = page.locator('[data-testid=search-input]');
    await input.fill('');
    await input.pressSequentially('f007007', { delay: 40 });
    await page.waitForFunction(() => {
      const h = document.querySelector('[data-testid=search-hit]');
      return h && h.dataset.path === 'data/d007/f007007.txt';
    }, null, { timeout: 30000 });
    hits = await readHits(page);
    assert.deepEqual(hits.map((h) => h.path), ['data/d007/f007007.txt']);
    assert.deepEqual(hits[0].events.map((e) => [e.layer, e.change]), [[1, 'added'], [2, 'deleted']]);
    // Every .txt: 200,000 match, 200 are listed.
    await search(page, '*.txt');
    assert.equal(await page.locator('[data-testid=search-status]').getAttribute('data-total'), '200000');
    assert.equal(await page.locator('[data-testid=search-hit]').count(), 200);
    const longtasks = await page.evaluate(() => window.__longtasks);
    console.log(`# long tasks while typing (ms): ${JSON.stringify(longtasks)}`);
    // The index and each query's pass over 200,201 paths run in the worker: the page only
    // renders the 200 hits it receives, and no task of its thread may exceed 100 ms.
    assert.ok(Math.max(0, ...longtasks) <= 100, `long tasks while searching: ${JSON.stringify(longtasks)}`);
    await shot(page, 'search-200k-light-1280');
    assert.deepEqual(problemsOf(page), []);
    await page.close();
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });
});

// --- across the images of the session ---------------------------------------------------
// Two files opened one after the other: docker26-save-app1.tar (sa-app1:1, 7 layers) and
// docker26-save-app2.tar (sa-app2:1, 2 layers), both on the same busybox base layer. What
// their layers hold (read from the fixtures' tars): app1's layer 2 adds data/hello.txt
// ("hello world\n", 12 B), layer 3 rewrites it ("hello world\nmodified\n", 21 B), layer 6
// turns it into a hard link to data/hello.hardlink (the same 21 B); app2's layer 2 adds
// srv/app2.txt (5 B); both layers 1 add bin/busybox (1,982,256 B).
const APP1 = path.join(FIXTURES, 'docker26-save-app1.tar');
const APP2 = path.join(FIXTURES, 'docker26-save-app2.tar');
const { readLayerFile } = require('./lib/tar');
/** File `file` of layer `n` (0-based) of fixture `fixture`, as text, read from its tar. */
function layerFile(fixture, n, file) {
  const img = JSON.parse(fs.readFileSync(`${fixture}.expected.json`, 'utf8')).images[0];
  return readLayerFile(fixture, img.layers[n].path, file).toString('utf8');
}

/** The groups of an all-images search: [{ name, file, state, total, hits }]. */
async function readGroups(page) {
  return page.$$eval('[data-testid=search-group]', (els) => els.map((g) => ({
    name: g.dataset.name,
    file: g.dataset.file || null,
    state: g.dataset.state,
    total: g.dataset.total === undefined ? null : Number(g.dataset.total),
    line: g.querySelector('[data-testid=search-group-state]').textContent.trim(),
    hits: [...g.querySelectorAll('[data-testid=search-hit]')].map((h) => ({
      path: h.dataset.path,
      events: [...h.querySelectorAll('[data-testid=search-event]')].map((b) => [Number(b.dataset.layer), b.dataset.change]),
    })),
  })));
}

async function openTwo(page) {
  await pickFile(page, APP1);
  await waitReady(page, { timeout: READY_TIMEOUT });
  await pickFile(page, APP2);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=image-option]').length === 2, null, { timeout: READY_TIMEOUT });
  await waitReady(page, { timeout: READY_TIMEOUT });
  await app.openTab(page, 'files');
}

const params = (page) => Object.fromEntries(new URL(page.url()).searchParams);

async function contentShown(page, p) {
  await page.waitForFunction((p) => {
    const c = document.querySelector('[data-testid=file-content]');
    return c && c.dataset.path === p && !/Reading…|Membaca…/.test(c.textContent) && c.querySelector('pre');
  }, p, { timeout: 10000 });
  return page.locator('[data-testid=file-content] pre').textContent();
}

describe('path search across the images of the session', () => {
  let session;
  before(async () => { session = await openSession(); });
  after(async () => { if (session) await session.close(); });

  for (const [colorScheme, width] of [['light', 1280], ['dark', 1280], ['light', 360], ['dark', 360]]) {
    test(`two files: grouped hits, histories, and a hit of the other image opens it (${colorScheme}, ${width} px)`, { timeout: READY_TIMEOUT * 3 + 30000 }, async () => {
      const page = await session.newPage({ viewport: { width, height: 900 }, colorScheme, query: '?lang=en' });
      await openTwo(page);
      // app2, opened last, is shown; the scope starts on it alone.
      assert.equal(await page.locator('[data-testid=search-scope-this]').getAttribute('aria-pressed'), 'true');
      assert.equal((await page.locator('[data-testid=search-scope-all]').textContent()).trim(), 'All 2 images');
      await search(page, 'busybox');
      assert.deepEqual((await readHits(page)).map((h) => h.path), ['bin/busybox']);
      assert.equal(await page.locator('[data-testid=search-group]').count(), 0, 'one image: no groups');

      await page.locator('[data-testid=search-scope-all]').click();
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=search-group]').length === 2
        && document.querySelector('[data-testid=search-status]')?.dataset.query === 'busybox');
      let groups = await readGroups(page);
      assert.deepEqual(groups.map((g) => [g.name, g.file, g.state, g.total]), [
        ['sa-app1:1', 'docker26-save-app1.tar', 'found', 1],
        ['sa-app2:1', 'docker26-save-app2.tar', 'found', 1],
      ]);
      for (const g of groups) assert.deepEqual(g.hits, [{ path: 'bin/busybox', events: [[1, 'added']] }]);
      assert.equal(await page.locator('[data-testid=search-status]').textContent(), 'Paths found: 2, in 2 images');
      const sizes = await page.locator('[data-testid=search-event] .search-size').allTextContents();
      assert.deepEqual(sizes, ['1.98MB', '1.98MB']);

      await search(page, 'hello.txt');
      groups = await readGroups(page);
      assert.deepEqual(groups.map((g) => [g.name, g.total, g.line]), [
        ['sa-app1:1', 1, 'Paths found: 1'],
        ['sa-app2:1', 0, 'Paths found: 0'],
      ]);
      assert.deepEqual(groups[0].hits, [{
        path: 'data/hello.txt',
        events: [[2, 'added'], [3, 'modified'], [6, 'modified']],
      }]);
      const texts = await page.locator('[data-testid=search-group] [data-testid=search-event]').allTextContents();
      assert.match(texts[0], /^added in layer 2\s*12B$/);
      assert.match(texts[1], /^modified in layer 3\s*21B$/);
      await shot(page, `search-all-${colorScheme}-${width}`);

      // "modified in layer 3" of the other file's image: app1 is shown, layer 3 selected, its
      // changes list the file, and the content is layer 3's bytes.
      await page.locator('[data-testid=search-group][data-name="sa-app1:1"] [data-testid=search-event][data-layer="3"]').click();
      await page.waitForFunction(() => document.querySelector('[data-testid=image-option][data-index="0"]')?.getAttribute('aria-pressed') === 'true');
      await page.waitForFunction(() => document.querySelector('[data-testid=layer-select]')?.value === '2');
      assert.equal(await page.locator('[data-testid=file-row][data-path="data/hello.txt"]').getAttribute('data-change'), 'modified');
      assert.equal(await contentShown(page, 'data/hello.txt'), layerFile(APP1, 2, 'data/hello.txt'));
      // The URL records it: the first file of the session (no file=), layer 3, the open path.
      await page.waitForFunction(() => new URL(location.href).searchParams.get('layer') === '3');
      const q = params(page);
      assert.equal(q.file, undefined);
      assert.equal(q.path, '/data/hello.txt');
      // The search stays, now with app1 marked as the image shown.
      assert.equal(await page.locator('[data-testid=search-group].current').getAttribute('data-name'), 'sa-app1:1');
      await shot(page, `search-all-jumped-${colorScheme}-${width}`);
      assert.deepEqual(problemsOf(page), []);
      await page.close();
    });
  }

  test('keyboard only: choose "All images", reach a hit of the other image, open it with Enter', { timeout: READY_TIMEOUT * 3 }, async () => {
    const page = await session.newPage({ query: '?lang=en' });
    await openTwo(page);
    await page.locator('[data-testid=search-input]').focus();
    await page.keyboard.type('app2.txt');
    await page.waitForFunction(() => document.querySelector('[data-testid=search-status]')?.dataset.query === 'app2.txt');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'search-scope-this');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'search-scope-all');
    await page.keyboard.press('Space');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=search-group]').length === 2
      && document.querySelector('[data-testid=search-status]')?.dataset.query === 'app2.txt');
    assert.deepEqual((await readGroups(page)).map((g) => [g.name, g.total]), [['sa-app1:1', 0], ['sa-app2:1', 1]]);
    // First show app1 with the picker, so the hit is one of another image than the one shown.
    await page.locator('[data-testid=image-option][data-index="0"]').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid=image-option][data-index="0"]')?.getAttribute('aria-pressed') === 'true');
    await page.waitForFunction(() => document.querySelector('[data-testid=search-group].current')?.dataset.name === 'sa-app1:1');
    await page.locator('[data-testid=search-input]').focus();
    let reached = false;
    for (let i = 0; i < 12 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => {
        const e = document.activeElement;
        return e?.dataset.testid === 'search-event' && e.closest('[data-testid=search-hit]')?.dataset.path === 'srv/app2.txt';
      });
    }
    assert.ok(reached, 'Tab reaches the hit of the other image');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid=image-option][data-index="1"]')?.getAttribute('aria-pressed') === 'true');
    await page.waitForFunction(() => document.querySelector('[data-testid=layer-select]')?.value === '1');
    assert.equal(await contentShown(page, 'srv/app2.txt'), layerFile(APP2, 1, 'srv/app2.txt'));
    await page.waitForFunction(() => new URL(location.href).searchParams.get('file') === '1');
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  test('Bahasa Indonesia: scope and group labels', { timeout: READY_TIMEOUT * 3 }, async () => {
    const page = await session.newPage({ query: '?lang=id' });
    await openTwo(page);
    assert.equal((await page.locator('[data-testid=search-scope-this]').textContent()).trim(), 'Image ini');
    assert.equal((await page.locator('[data-testid=search-scope-all]').textContent()).trim(), 'Semua 2 image');
    assert.equal(await page.locator('[data-testid=search-scope]').getAttribute('aria-label'), 'Cari di');
    await page.locator('[data-testid=search-scope-all]').click();
    await search(page, 'busybox');
    assert.equal(await page.locator('[data-testid=search-status]').textContent(), 'Path ditemukan: 2, di 2 image');
    assert.deepEqual((await readGroups(page)).map((g) => g.line), ['Path ditemukan: 1', 'Path ditemukan: 1']);
    assert.equal((await page.locator('.search-group.current .search-shown').textContent()).trim(), 'sedang ditampilkan');
    const first = await page.locator('[data-testid=search-group] [data-testid=search-event]').first().textContent();
    // The page's own list: the Indonesian decimal comma, a space before the unit.
    assert.match(first, /^ditambahkan di layer 1\s*1,98 MB$/);
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  test('200,000-file image in the session: searching every image keeps each task within 100 ms', { timeout: 600000 }, async () => {
    const file = bigImage();
    const page = await session.newPage({ viewport: { width: 1280, height: 900 }, query: '?lang=en' });
    await pickFile(page, DIVE);
    await waitReady(page, { timeout: READY_TIMEOUT });
    await pickFile(page, file);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=image-option]').length === 2, null, { timeout: 300000 });
    await waitReady(page, { timeout: 300000 });
    await app.openTab(page, 'files');
    await page.locator('[data-testid=file-list]').first().waitFor({ timeout: 60000 });
    // Every long task from here on: nothing was searched yet, so the index of each image is
    // built (in its file's worker) by the first query typed here.
    await page.evaluate(() => {
      window.__longtasks = [];
      new PerformanceObserver((l) => {
        for (const e of l.getEntries()) window.__longtasks.push(e.duration);
      }).observe({ type: 'longtask' });
    });
    await page.locator('[data-testid=search-scope-all]').click();
    const input = page.locator('[data-testid=search-input]');
    await input.pressSequentially('f007007', { delay: 40 });
    await page.waitForFunction(() => document.querySelector('[data-testid=search-status]')?.dataset.query === 'f007007', null, { timeout: 60000 });
    let groups = await readGroups(page);
    assert.deepEqual(groups.map((g) => [g.name, g.total]), [['dive-test:latest', 0], ['big:1', 1]]);
    assert.deepEqual(groups[1].hits, [{ path: 'data/d007/f007007.txt', events: [[1, 'added'], [2, 'deleted']] }]);
    // Every .txt of both: 200,000 in big:1 (100 listed), the dive image's own.
    await search(page, '*.txt');
    groups = await readGroups(page);
    assert.equal(groups[1].total, 200000);
    assert.equal(groups[1].hits.length, 100);
    assert.equal(groups[1].line, 'Paths found: 200,000 (the first 100 are listed, 199,900 more are not)');
    assert.ok(groups[0].total > 0 && groups[0].hits.length === groups[0].total);
    await input.fill('');
    await input.pressSequentially('needle', { delay: 40 });
    await page.waitForFunction(() => document.querySelector('[data-testid=search-status]')?.dataset.query === 'needle', null, { timeout: 60000 });
    groups = await readGroups(page);
    assert.deepEqual(groups[1].hits, [{ path: 'etc/needle.conf', events: [[1, 'added'], [2, 'modified']] }]);
    const longtasks = await page.evaluate(() => window.__longtasks);
    console.log(`# long tasks while searching every image (ms): ${JSON.stringify(longtasks)}`);
    assert.ok(Math.max(0, ...longtasks) <= 100, `long tasks while searching: ${JSON.stringify(longtasks)}`);
    assert.deepEqual(problemsOf(page), []);
    await page.close();
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });
});

// --- while a compressed image is hashed, and after Cancel ------------------------------
// podman-oci-archive-app1.tar: six gzip layers, indexed only once hashed; the base layer
// adds bin/busybox. The page's postMessage to its workers is
// wrapped before the app loads: Search requests are counted, and Hash requests are held
// until the test lets them go (`__pcLet(n)`: n more pass; `__pcLetMatching(re)`: the one whose
// message matches; `__pcRelease()`: all).
const PODMAN = path.join(FIXTURES, 'podman-oci-archive-app1.tar');

async function hookedPage(session) {
  return holdHashing(await session.newPage({ viewport: { width: 1280, height: 900 }, query: '?lang=en' }));
}

describe('path search while layers are hashed', () => {
  let session;
  before(async () => { session = await openSession(); });
  after(async () => { if (session) await session.close(); });

  test('a search while hashing is asked again once per facts batch, not in a loop', { timeout: READY_TIMEOUT * 2 }, async () => {
    const page = await hookedPage(session);
    await pickFile(page, PODMAN);
    // The first view comes while hashing is held (image-ready waits for every digest).
    await page.locator('[data-testid=tab-files]').first().click({ timeout: READY_TIMEOUT });
    await page.locator('[data-testid=search-input]').fill('busybox');
    const pending = page.locator('[data-testid=search-group-state][data-state=pending]');
    await pending.waitFor({ timeout: 15000 });
    assert.match(await pending.textContent(), /still being read/);
    // No facts come while hashing is held: the page must not keep asking.
    await page.waitForTimeout(2000);
    const idle = await page.evaluate(() => window.__pc.searches);
    assert.ok(idle <= 2, `Search requests while no facts came: ${idle}`);
    await page.evaluate(() => window.__pcRelease());
    await page.waitForFunction(() => document.querySelector('[data-testid=search-hit][data-path="bin/busybox"]'), null, { timeout: 20000 });
    await page.waitForTimeout(500);
    const { searches, facts } = await page.evaluate(() => window.__pc);
    console.log(`# Search requests: ${searches} for ${facts} facts messages`);
    assert.ok(facts >= 1, `facts came: ${facts}`);
    assert.ok(searches <= 1 + facts, `Search requests: ${searches}, facts: ${facts}`);
    const hits = await readHits(page);
    assert.deepEqual(hits.map((h) => [h.path, h.events.map((e) => [e.layer, e.change])]),
      [['bin/busybox', [[1, 'added']]]]);
    assert.equal(await page.locator('[data-testid=search-status]').getAttribute('data-total'), '1');
    assert.equal(await page.locator('[data-testid=search-missing]').count(), 0, 'every layer searched');
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  test('after Cancel the search answers, naming the layers not read', { timeout: READY_TIMEOUT * 2 }, async () => {
    const page = await hookedPage(session);
    // Every hash job is held: Cancel while hashing leaves the base layer (the one blob large
    // enough to wait for its hash job) without an index; the five small layers were indexed
    // by the walk. No more facts will come.
    await pickFile(page, PODMAN);
    await page.locator('[data-testid=progress][data-phase=hashing]').waitFor({ timeout: READY_TIMEOUT });
    await page.locator('[data-testid=tab-files]').first().waitFor({ timeout: READY_TIMEOUT });
    await page.locator('[data-testid=cancel]').click();
    await app.openTab(page, 'files');
    await search(page, 'hello.txt');
    const hits = await readHits(page);
    assert.deepEqual(hits.map((h) => [h.path, h.events.map((e) => [e.layer, e.change])]),
      [['data/hello.txt', [[2, 'added'], [3, 'modified'], [6, 'modified']]]]);
    const missing = page.locator('[data-testid=search-missing]');
    assert.equal(await missing.getAttribute('data-layers'), '1');
    assert.equal((await missing.textContent()).trim(),
      'Layer 1 was not read; its paths are not searched.');
    await search(page, 'busybox');
    assert.deepEqual(await readHits(page), [], 'the base layer is not searched');
    assert.equal(await page.locator('[data-testid=search-status]').getAttribute('data-total'), '0');
    await page.waitForTimeout(1000);
    assert.equal(await page.locator('[data-testid=search-group-state][data-state=pending]').count(), 0,
      'never "still being read" after Cancel');
    // The stack says the same: the base layer is "not checked", never "checking" again, and
    // its details say why, with a diff_id "not computed" rather than "pending…".
    await app.openTab(page, 'stack');
    const base = page.locator('[data-testid=layer][data-index="0"]');
    assert.equal(await base.getAttribute('data-state'), 'unchecked');
    await base.click();
    const details = page.locator('[data-testid=layer-details][data-index="0"]');
    assert.match(await details.locator('[data-testid=badge]').innerText(), /^\?\s+not checked$/);
    assert.equal(await details.locator('[data-testid=unchecked]').innerText(),
      "Checking stopped before this layer's SHA-256 was computed, so it is not verified.");
    const diffId = details.locator('[data-testid=layer-diff-id]');
    assert.equal(await diffId.getAttribute('data-missing'), 'not-computed');
    // Its files were never read: size, entries, changes and wasted bytes are "not read", not
    // zeros (its blob holds busybox), in the details and on its slab.
    assert.deepEqual(await details.locator('[data-testid=not-read]').allInnerTexts(), Array(4).fill('not read'));
    assert.equal((await base.locator('[data-testid=layer-size]').innerText()).trim(), 'not read');
    assert.match(await details.locator('[data-testid=layer-other-sizes]').innerText(),
      /^uncompressed tar not read · blob as stored \d[\d.]*\s?[kMG]?B \(gzip\)$/);
    assert.equal(await page.locator('[data-testid=layer][data-state=pending]').count(), 0);
    await shot(page, 'cancelled-layer-details-light');
    // The same in Indonesian, dark, at 360 px: nothing wider than the screen.
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.setViewportSize({ width: 360, height: 800 });
    await page.locator('[data-testid=lang-switch]').selectOption('id');
    assert.match(await details.locator('[data-testid=unchecked]').innerText(), /^Pemeriksaan berhenti sebelum SHA-256/);
    assert.deepEqual(await details.locator('[data-testid=not-read]').allInnerTexts(), Array(4).fill('tidak dibaca'));
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 360);
    await details.scrollIntoViewIfNeeded();
    await shot(page, 'cancelled-layer-details-dark-id-360');
    // And light at 360 px, dark wide, in English, to be looked at.
    await page.locator('[data-testid=lang-switch]').selectOption('en');
    await page.emulateMedia({ colorScheme: 'light' });
    await details.scrollIntoViewIfNeeded();
    await shot(page, 'cancelled-layer-details-light-360');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.setViewportSize({ width: 1280, height: 900 });
    await shot(page, 'cancelled-layer-details-dark');
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });
});
