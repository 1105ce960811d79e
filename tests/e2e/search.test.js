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
    assert.deepEqual(hits[0].events.map((e) => e.text.replace(/\s*6\.41kB$/, '')),
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
    // One query is one pass over 200,201 paths; none may block the page for long.
    assert.ok(Math.max(0, ...longtasks) < 400, `long tasks while searching: ${JSON.stringify(longtasks)}`);
    await shot(page, 'search-200k-light-1280');
    assert.deepEqual(problemsOf(page), []);
    await page.close();
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });
});
