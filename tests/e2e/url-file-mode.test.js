'use strict';
// The URL records the view in file mode (issue 15), as it does for demos: view, layer (from
// 1, as the stack counts), Files' merged mode, the open path, and the chosen platform of a
// multi-platform file. A reload, once the files are reopened, restores it; back/forward
// restore exactly what the URL says (the layer selected, the path open or closed). And the
// Files tree's ARIA: each row's place among its siblings, an empty folder as a leaf.
//
// Files come from the origin-private file system through the page's own pick path (see
// reload.test.js), so a reload can reopen them with one click.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { REPO, FIXTURES, openSession, problemsOf, waitReady } = require('./lib/browser');
const app = require('./lib/app');
const opfs = require('./lib/opfs');
const { tar, sha256, Layout } = require('./lib/tarwrite');

const READY = Number(process.env.PANCAKE_E2E_READY_MS || 45000);
const T = READY * 3 + 60000;
const SHOTS = path.join(REPO, 'target', 'screenshots', 'persist');
const A = path.join(FIXTURES, 'docker20-save-app1.tar');

/** Picks `files` ([name, bytes]) through the page's real pick path and waits until read. */
async function pickFromOpfs(page, files) {
  await opfs.writeOpfs(page, files);
  await opfs.pickFromOpfs(page, files.map(([n]) => n));
  await waitReady(page, { timeout: READY });
}

const params = (page) => Object.fromEntries(new URL(page.url()).searchParams);

/** What the page shows: tab, selected layer (0-based), merged pressed, open path. */
async function shown(page) {
  return page.evaluate(() => ({
    tab: document.querySelector('[role=tab][aria-selected=true]')?.dataset.testid,
    layer: document.querySelector('[data-testid=layer-select]')?.value
      ?? document.querySelector('[data-testid=layer][aria-selected=true]')?.dataset.index,
    merged: document.querySelector('[data-testid=files-merged]')?.getAttribute('aria-pressed'),
    path: document.querySelector('[data-testid=file-content]')?.dataset.path ?? null,
  }));
}

async function contentOf(page, p) {
  await page.waitForFunction((p) => {
    const c = document.querySelector('[data-testid=file-content]');
    return c && c.dataset.path === p && !/Reading…|Membaca…/.test(c.textContent) && c.querySelector('pre');
  }, p, { timeout: READY });
  return page.locator('[data-testid=file-content] pre').textContent();
}

/**
 * Opens a file row while another file's content may be open: the content pane lies over the
 * list on a narrow page, so the row gets the click event itself, as a keyboard's Enter would.
 */
async function openRow(page, p) {
  await page.locator(`[data-testid=file-row][data-path="${p}"]`).dispatchEvent('click');
  return contentOf(page, p);
}

/** Waits until the URL has these parameters (and, with `absent`, lacks those). */
async function urlHas(page, want, absent = []) {
  await page.waitForFunction(({ want, absent }) => {
    const q = new URL(location.href).searchParams;
    return Object.entries(want).every(([k, v]) => q.get(k) === v) && absent.every((k) => !q.has(k));
  }, { want, absent }, { timeout: 10000 });
}

/** Both platforms present (amd64 first), one tag; the shapes of platforms.test.js. */
function multiPlatform() {
  const b = new Layout();
  const plat = {};
  const descs = [];
  for (const [arch, variant, files] of [
    ['amd64', undefined, [['etc/arch', 'x86_64\n']]],
    ['arm64', 'v8', [['etc/arch', 'aarch64\n'], ['lib/ld.so', 'loader\n']]],
  ]) {
    const layers = files.map(([n, d]) => tar([[n, d]]));
    const cfg = {
      architecture: arch, os: 'linux', ...(variant ? { variant } : {}), config: {},
      rootfs: { type: 'layers', diff_ids: layers.map(sha256) },
      history: layers.map((_, i) => ({ created_by: `COPY f${i} / # ${arch}` })),
    };
    const cfgDesc = b.json('application/vnd.oci.image.config.v1+json', cfg);
    const layerDescs = layers.map((l) => b.blob('application/vnd.oci.image.layer.v1.tar', l));
    const man = b.json('application/vnd.oci.image.manifest.v1+json', {
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: cfgDesc, layers: layerDescs,
    });
    descs.push({ ...man, platform: { os: 'linux', architecture: arch, ...(variant ? { variant } : {}) } });
    plat[variant ? `linux/${arch}/${variant}` : `linux/${arch}`] = layers.map(sha256);
  }
  const idx = b.json('application/vnd.oci.image.index.v1+json', {
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: descs,
  });
  b.index([{ ...idx, annotations: { 'io.containerd.image.name': 'docker.io/library/multi:1' } }]);
  return { bytes: b.tar(), plat };
}

describe('the URL records the view in file mode (issue 15)', () => {
  let session;
  before(async () => { session = await openSession(); });
  after(async () => { await session?.close(); });

  test('layer, merged mode and open path go into the URL; a reload with the file reopened restores them', { timeout: T }, async () => {
    const page = await session.newPage({ query: '?lang=en' });
    await pickFromOpfs(page, [['app1.tar', fs.readFileSync(A)]]);
    // Read: the stack, its top layer (6 of 6).
    await urlHas(page, { view: 'stack', layer: '6' }, ['path', 'demo']);
    await app.selectLayer(page, 2);
    await urlHas(page, { layer: '3' });
    await app.openTab(page, 'files');
    await urlHas(page, { view: 'files', layer: '3' });
    await app.openFile(page, 'data/hello.txt');
    const hello = await contentOf(page, 'data/hello.txt');
    assert.equal(hello, 'hello world\nmodified\n', 'layer 3 modified it');
    await urlHas(page, { view: 'files', layer: '3', path: '/data/hello.txt' }, ['merged']);
    await page.locator('[data-testid=files-merged]').dispatchEvent('click');
    await urlHas(page, { merged: '1', path: '/data/hello.txt' });
    const url = page.url();

    await page.reload();
    assert.equal(page.url(), url, 'the URL waits for the files');
    await page.locator('[data-testid=reopen-button]').click();
    await waitReady(page, { timeout: READY });
    assert.equal(await contentOf(page, 'data/hello.txt'), hello);
    assert.deepEqual(await shown(page), { tab: 'tab-files', layer: '2', merged: 'true', path: 'data/hello.txt' });
    assert.equal(page.url(), url, 'the same place, the same URL');
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  test('back and forward restore the layer and the open path exactly', { timeout: T }, async () => {
    const page = await session.newPage({ query: '?lang=en' });
    await pickFromOpfs(page, [['app1.tar', fs.readFileSync(A)]]);
    await app.selectLayer(page, 1);
    await app.openTab(page, 'files');
    await urlHas(page, { view: 'files', layer: '2' });
    await app.openFile(page, 'data/b.txt');
    const b = await contentOf(page, 'data/b.txt');
    await urlHas(page, { path: '/data/b.txt' });
    const x = await openRow(page, 'data/dir/x.txt');
    await urlHas(page, { path: '/data/dir/x.txt' });
    // Another layer (its own entry: the open file closes), then a file there.
    await page.locator('[data-testid=layer-select]').selectOption('2');
    await urlHas(page, { layer: '3' }, ['path']);
    const hello3 = await openRow(page, 'data/hello.txt');
    await urlHas(page, { layer: '3', path: '/data/hello.txt' });

    await page.goBack();
    await urlHas(page, { layer: '3' }, ['path']);
    await page.waitForFunction(() => !document.querySelector('[data-testid=file-content]'));
    assert.deepEqual(await shown(page), { tab: 'tab-files', layer: '2', merged: 'false', path: null });
    await page.goBack();
    await urlHas(page, { layer: '2', path: '/data/dir/x.txt' });
    assert.equal(await contentOf(page, 'data/dir/x.txt'), x, 'going back to a URL with layer= keeps its file open');
    assert.deepEqual(await shown(page), { tab: 'tab-files', layer: '1', merged: 'false', path: 'data/dir/x.txt' });
    await page.goBack();
    await urlHas(page, { layer: '2', path: '/data/b.txt' });
    assert.equal(await contentOf(page, 'data/b.txt'), b);
    await page.goForward();
    await urlHas(page, { layer: '2', path: '/data/dir/x.txt' });
    assert.equal(await contentOf(page, 'data/dir/x.txt'), x);
    await page.goForward();
    await urlHas(page, { layer: '3' }, ['path']);
    await page.waitForFunction(() => !document.querySelector('[data-testid=file-content]'));
    await page.goForward();
    await urlHas(page, { layer: '3', path: '/data/hello.txt' });
    assert.equal(await contentOf(page, 'data/hello.txt'), hello3);
    assert.deepEqual(await shown(page), { tab: 'tab-files', layer: '2', merged: 'false', path: 'data/hello.txt' });
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  test('the chosen platform goes into the URL and comes back on reload and back', { timeout: T }, async () => {
    const m = multiPlatform();
    const page = await session.newPage({ query: '?lang=en' });
    await pickFromOpfs(page, [['multi.tar', m.bytes]]);
    await urlHas(page, { view: 'stack' }, ['platform', 'image']);
    await page.locator('[data-testid=platform][data-platform="linux/arm64/v8"] button[data-testid=platform-open]').click();
    await urlHas(page, { platform: 'linux/arm64/v8', layer: '2' });
    assert.deepEqual((await app.readLayers(page)).map((l) => l.diffId), m.plat['linux/arm64/v8']);
    await page.reload();
    await page.locator('[data-testid=reopen-button]').click();
    await waitReady(page, { timeout: READY });
    await page.waitForFunction(() => document.querySelector('[data-testid=platform][data-platform="linux/arm64/v8"]')?.dataset.shown === 'true');
    assert.deepEqual((await app.readLayers(page)).map((l) => l.diffId), m.plat['linux/arm64/v8']);
    await urlHas(page, { platform: 'linux/arm64/v8' });
    await page.goBack();
    await urlHas(page, { view: 'stack' }, ['platform']);
    await page.waitForFunction(() => document.querySelector('[data-testid=platform][data-platform="linux/amd64"]')?.dataset.shown === 'true');
    assert.deepEqual((await app.readLayers(page)).map((l) => l.diffId), m.plat['linux/amd64']);
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  test('in a session of two files, file=K names the one shown; back and forward move between them', { timeout: T }, async () => {
    const B = path.join(FIXTURES, 'docker20-save-app2.tar');
    const diffIds = (f) => JSON.parse(fs.readFileSync(`${f}.expected.json`, 'utf8')).images[0].layers.map((l) => l.diff_id);
    const page = await session.newPage({ query: '?lang=en' });
    await pickFromOpfs(page, [['a.tar', fs.readFileSync(A)], ['b.tar', fs.readFileSync(B)]]);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=image-option]').length === 2);
    // b.tar, read last, is shown: the second file of the session.
    await urlHas(page, { file: '1', layer: '2' });
    assert.deepEqual((await app.readLayers(page)).map((l) => l.diffId), diffIds(B));
    await page.locator('[data-testid=image-option][data-index="0"]').click();
    await urlHas(page, { layer: '6' }, ['file']);
    assert.deepEqual((await app.readLayers(page)).map((l) => l.diffId), diffIds(A));
    await page.goBack();
    await urlHas(page, { file: '1', layer: '2' });
    await page.waitForFunction(() => document.querySelector('[data-testid=image-option][data-index="1"]')?.getAttribute('aria-pressed') === 'true');
    assert.deepEqual((await app.readLayers(page)).map((l) => l.diffId), diffIds(B));
    await page.goForward();
    await urlHas(page, { layer: '6' }, ['file']);
    await page.waitForFunction(() => document.querySelector('[data-testid=image-option][data-index="0"]')?.getAttribute('aria-pressed') === 'true');
    assert.deepEqual((await app.readLayers(page)).map((l) => l.diffId), diffIds(A));
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  test('a link whose file cannot be read stops waiting: the URL follows the page again', { timeout: T }, async () => {
    // A file-mode link (a reload) whose file is then one that cannot be read: the place in it
    // will never apply, so it must not keep the URL from following the page.
    const again = await session.newPage({ query: '?view=files&layer=3&path=%2Fdata%2Fhello.txt&lang=en' });
    await opfs.writeOpfs(again, [['notes.txt', Buffer.from('not an image at all\n'.repeat(40))]]);
    await opfs.pickFromOpfs(again, ['notes.txt']);
    await again.locator('[data-testid=error]').first().waitFor({ timeout: READY });
    await again.locator('[data-testid=lang-switch]').selectOption('id');
    await urlHas(again, { lang: 'id' });
    // …and after a reload the file that could not be read is not offered again.
    await again.reload();
    await again.locator('[data-testid=drop-zone]').first().waitFor({ state: 'attached' });
    await again.waitForTimeout(500);
    const offered = await again.locator('[data-testid=reopen-lead]').allTextContents();
    assert.ok(!offered.some((t) => t.includes('notes.txt')), `notes.txt is offered again: ${JSON.stringify(offered)}`);
    await again.close();
  });

  test('a demo link opens a path too (merged view at the top layer)', { timeout: T }, async () => {
    const q = '?demo=nginx&view=files&merged=1&path=%2Fetc%2Fnginx%2Fconf.d%2Fdefault.conf&lang=en';
    const page = await session.newPage({ query: q });
    const body = await contentOf(page, 'etc/nginx/conf.d/default.conf');
    assert.match(body, /^server \{\n {4}listen {7}80;/);
    assert.equal(await page.locator('[data-testid=files-merged]').getAttribute('aria-pressed'), 'true');
    await urlHas(page, { demo: 'nginx', view: 'files', merged: '1', path: '/etc/nginx/conf.d/default.conf' });
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  test('tree rows carry their place among siblings; an empty folder is a leaf', { timeout: T }, async () => {
    const page = await session.newPage({ query: '?lang=en' });
    await pickFromOpfs(page, [['app1.tar', fs.readFileSync(A)]]);
    await app.selectLayer(page, 0);
    await app.openTab(page, 'files');
    await page.locator('[data-testid=file-row]').first().waitFor();
    await app.expandAllRows(page);
    const rows = await page.$$eval('[data-testid=file-row]', (els) => els.map((e) => ({
      path: e.dataset.path,
      level: e.getAttribute('aria-level'),
      pos: e.getAttribute('aria-posinset'),
      size: e.getAttribute('aria-setsize'),
      expanded: e.getAttribute('aria-expanded'),
      mark: e.querySelector('.kind-mark')?.textContent,
    })));
    // Layer 1: bin/ (busybox …), etc/, tmp/ (empty) at the top.
    const top = rows.filter((r) => r.level === '1');
    assert.deepEqual(top.map((r) => [r.pos, r.size]), top.map((_, i) => [String(i + 1), String(top.length)]));
    const tmp = rows.find((r) => r.path === 'tmp');
    assert.ok(tmp, `no tmp row in ${JSON.stringify(rows.map((r) => r.path))}`);
    assert.equal(tmp.expanded, null, 'an empty folder is not aria-expanded');
    assert.ok(!/[▸▾]/.test(tmp.mark), `an empty folder shows no fold arrow (got ${JSON.stringify(tmp.mark)})`);
    const etc = rows.find((r) => r.path === 'etc');
    assert.equal(etc.expanded, 'true');
    const inEtc = rows.filter((r) => r.path.startsWith('etc/') && r.level === '2');
    assert.deepEqual(inEtc.map((r) => [r.pos, r.size]), inEtc.map((_, i) => [String(i + 1), String(inEtc.length)]));
    // The keyboard treats it as a leaf: → on it does not open anything, focus stays.
    const tmpRow = page.locator('[data-testid=file-row][data-path="tmp"]');
    await tmpRow.click();
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.path), 'tmp');
    assert.equal(await tmpRow.getAttribute('aria-expanded'), null);
    fs.mkdirSync(SHOTS, { recursive: true });
    for (const [w, scheme] of [[1280, 'light'], [360, 'dark']]) {
      await page.setViewportSize({ width: w, height: 800 });
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: path.join(SHOTS, `tree-aria-${w}-${scheme}.png`) });
    }
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });
});
