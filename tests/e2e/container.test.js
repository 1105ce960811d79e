'use strict';
// Containers and copy-on-write (issue 5), driven through the page's test hooks: run a
// container, edit a file, see it copied up into the container layer while the image keeps
// its copy, `docker diff`, isolation between two containers, commit, export (checked by the
// independent Python checker and by reading the new layer's tar here), and persistence
// across a reload.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const os = require('node:os');
const { openSession, problemsOf, waitReady, dropFile, pickFile, FIXTURES, REPO } = require('./lib/browser');
const { makeLargeImage } = require('../make_large_image');
const { holdRequests } = require('./lib/hold');
const app = require('./lib/app');
const tar = require('./lib/tar');

const READY_TIMEOUT = Number(process.env.PANCAKE_E2E_READY_MS || 45000);
const TEST_TIMEOUT = READY_TIMEOUT + 90000;
const OUT = path.join(REPO, 'target', 'e2e-container');
const SHOTS = path.join(REPO, 'target', 'screenshots', 'container');

const CONTAINER = '[data-testid=container]';
const LAYER = '[data-testid=container-layer]';
const ROW = '[data-testid=container-file-row]';
const EDITOR = '[data-testid=file-editor]';
const DIFF_LINE = '[data-testid=diff-line]';

/** What `docker diff` prints after one existing file is modified: its parents `C`, then it. */
function dockerDiffForModified(file) {
  const parts = file.split('/').filter(Boolean);
  return parts.map((_, i) => `C /${parts.slice(0, i + 1).join('/')}`);
}

/** The page with no stored containers and no remembered files (an earlier test's opened
 * file put a "You had these files open" banner on every page after it, screenshots too):
 * both stores deleted, then the page loaded again without them. */
async function clearStore(page) {
  await page.evaluate(() => Promise.all(['pancake', 'pancake-files'].map((name) => new Promise((resolve) => {
    const q = indexedDB.deleteDatabase(name);
    q.onsuccess = q.onerror = q.onblocked = () => resolve();
  }))));
  await page.reload({ waitUntil: 'load' });
  await page.locator('[data-testid=drop-zone]').first().waitFor({ state: 'attached', timeout: 20000 });
}

async function openDemo(page) {
  await page.locator('[data-testid=demo-nginx]').first().click();
  await waitReady(page, { timeout: READY_TIMEOUT });
}

/** The file as the image shows it (Files tab, merged view), read from the page. */
async function imageFileText(page, file) {
  await app.openTab(page, 'files');
  const merged = page.locator('[data-testid=files-merged]').first();
  if (await merged.count()) await merged.click();
  // Narrow the (virtualized) list to this one path first, so no row moves under the click.
  await page.locator('[data-testid=file-filter]').first().fill(file.replace(/^\//, ''));
  await page.waitForTimeout(200);
  await app.openFile(page, file);
  const text = await page.locator('[data-testid=file-content] pre').first().textContent();
  await page.keyboard.press('Escape');
  await page.locator('[data-testid=file-content]').first().waitFor({ state: 'detached', timeout: 5000 }).catch(() => {});
  return text;
}

async function layerSize(page) {
  return Number(await page.locator(LAYER).first().getAttribute('data-size'));
}

async function diffLines(page) {
  return page.locator(DIFF_LINE).allTextContents();
}

/** Click `file` in the container's merged list and wait for the editor to hold its text. */
async function openInContainer(page, file) {
  const filter = page.locator('[data-testid=container-filter]').first();
  await filter.fill(path.posix.basename(file));
  const row = page.locator(`${ROW}[data-path="${file}"]`).first();
  await row.waitFor({ state: 'visible', timeout: 10000 });
  const owner = await row.getAttribute('data-layer');
  await row.click();
  const editor = page.locator(EDITOR).first();
  await editor.waitFor({ state: 'visible', timeout: 15000 });
  return { owner, value: await editor.inputValue() };
}

/** Change one line (the first non-empty one), save; returns the new text. */
async function editAndSave(page, text) {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.trim().length > 0);
  lines[i] = `${lines[i]} # changed in a Pancake container`;
  const edited = lines.join('\n');
  await page.locator(EDITOR).first().fill(edited);
  await page.locator('[data-testid=save-file]').first().click();
  await page.waitForFunction((sel) => Number(document.querySelector(sel)?.getAttribute('data-size')) > 0, LAYER);
  return edited;
}

async function runContainer(page) {
  const before = await page.locator(CONTAINER).count();
  await page.locator('[data-testid=run-container]').first().click();
  await page.waitForFunction(([sel, n]) => document.querySelectorAll(sel).length === n, [CONTAINER, before + 1]);
  const ids = await page.locator(CONTAINER).evaluateAll((els) => els.map((e) => e.getAttribute('data-container-id')));
  return ids[ids.length - 1];
}

async function selectContainer(page, id) {
  await page.locator(`${CONTAINER}[data-container-id="${id}"] .ctr-pick`).first().click();
  await page.waitForFunction(([sel, cid]) => document.querySelector(`${sel}[data-container-id="${cid}"] [aria-pressed=true]`), [CONTAINER, id]);
}

/** Export → the downloaded tarball, checked by the independent checker; returns its bytes. */
async function exportAndCheck(page, name) {
  fs.mkdirSync(OUT, { recursive: true });
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 60000 }),
    page.locator('[data-testid=export]').first().click(),
  ]);
  const file = path.join(OUT, `${name}.tar`);
  await download.saveAs(file);
  const out = execFileSync('python3', [path.join(REPO, 'tests', 'docker', 'check_export.py'), file], { encoding: 'utf8' });
  const summary = JSON.parse(out.trim().split('\n').pop());
  assert.equal(summary.ok, true, `check_export.py: ${out}`);
  return fs.readFileSync(file);
}

/** The new top layer of an export: its tar bytes, and the lower diff_ids from the config. */
function topLayer(buf) {
  const manifest = JSON.parse(tar.readMember(buf, 'manifest.json').toString('utf8'));
  assert.equal(manifest.length, 1, 'one image in the export');
  const config = JSON.parse(tar.readMember(buf, manifest[0].Config).toString('utf8'));
  const layers = manifest[0].Layers;
  return {
    layer: tar.readMember(buf, layers[layers.length - 1]),
    diffIds: config.rootfs.diff_ids,
    history: config.history,
  };
}

describe('containers: copy-on-write in the browser', () => {
  let session;
  before(async () => { session = await openSession(); });
  after(async () => { if (session) await session.close(); });

  test('nginx demo: edit nginx.conf in a container, image unchanged, docker diff, isolation, export, commit', { timeout: TEST_TIMEOUT }, async () => {
    const page = await session.newPage();
    try {
      await clearStore(page);
      await openDemo(page);
      const CONF = '/etc/nginx/nginx.conf';
      const original = await imageFileText(page, CONF);
      assert.ok(original.length > 50, 'the demo has an nginx.conf');
      await app.openTab(page, 'stack');
      const imageLayers = await app.readLayers(page);

      const first = await runContainer(page);
      assert.match(first, /^[0-9a-f]{64}$/, 'data-container-id is a 64-hex id');
      assert.equal(await layerSize(page), 0, 'a new container layer holds 0 bytes');
      assert.equal((await diffLines(page)).length, 0, 'a new container has no changes');

      const opened = await openInContainer(page, CONF);
      assert.match(opened.owner, /^\d+$/, 'before the edit, an image layer owns the file');
      assert.equal(opened.value, original, 'the editor shows the image\'s content');
      const edited = await editAndSave(page, opened.value);

      assert.equal(await layerSize(page), Buffer.byteLength(edited), 'the container layer holds the copied-up file');
      assert.equal(await page.locator(`${ROW}[data-path="${CONF}"]`).first().getAttribute('data-layer'), 'container',
        'after saving, the container layer owns the file');
      assert.deepEqual(await diffLines(page), dockerDiffForModified(CONF));
      // Side by side: the image's copy is the original, one line removed and one added.
      assert.equal(await page.locator('[data-testid=original-content]').first().textContent(), original);
      assert.equal(await page.locator('[data-testid=compare]').first().getAttribute('data-changed-lines'), '2');

      // The image itself is unchanged.
      assert.equal(await imageFileText(page, CONF), original, 'the image\'s nginx.conf is the original');
      await app.openTab(page, 'container');

      // A second container sees the image, not the first container's edit.
      const second = await runContainer(page);
      assert.notEqual(second, first);
      assert.equal(await layerSize(page), 0);
      assert.equal((await diffLines(page)).length, 0);
      assert.equal((await openInContainer(page, CONF)).value, original, 'the second container sees the original');

      // Back to the first: its edit is still there.
      await selectContainer(page, first);
      assert.deepEqual(await diffLines(page), dockerDiffForModified(CONF));
      assert.equal((await openInContainer(page, CONF)).value, edited);

      // Export: a valid docker-load tarball whose new layer holds the edited file.
      const exported = await exportAndCheck(page, 'nginx-demo');
      const top = topLayer(exported);
      assert.equal(tar.readMember(top.layer, CONF).toString('utf8'), edited);
      assert.deepEqual(top.diffIds.slice(0, -1), imageLayers.map((l) => l.diffId), 'lower diff_ids are the image\'s');
      await page.screenshot({ path: path.join(SHOTS, 'nginx-after-export.png') });

      // Commit: the new image opens with one more layer on the same lower layers.
      await page.locator('[data-testid=commit]').first().click();
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid=layer]').length === n
        && document.querySelector('[data-testid=image-ready]'), imageLayers.length + 1, { timeout: READY_TIMEOUT });
      const committed = await app.readLayers(page);
      assert.deepEqual(committed.slice(0, -1).map((l) => l.diffId), imageLayers.map((l) => l.diffId));
      assert.ok(committed.every((l) => l.verified === 'true'), 'every layer of the committed image verifies');
      assert.equal(committed[committed.length - 1].diffId, top.diffIds[top.diffIds.length - 1]);
      assert.equal(await imageFileText(page, CONF), edited, 'the committed image has the edited file');
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  test('the container\'s file list is one Tab stop; arrows, Home/End move, Enter opens', { timeout: TEST_TIMEOUT }, async () => {
    const page = await session.newPage();
    try {
      await clearStore(page);
      await openDemo(page);
      await app.openTab(page, 'container');
      await runContainer(page);
      const list = page.locator('[data-testid=container-file-list]').first();
      await page.locator(`${ROW}`).first().waitFor({ state: 'visible', timeout: 10000 });
      const total = Number(await list.getAttribute('data-row-count'));
      assert.ok(total > 40, `the nginx demo lists many paths (${total})`);
      const tabStops = () => list.evaluate((l) => [...l.querySelectorAll('[tabindex="0"]')]
        .map((e) => e.getAttribute('data-pos') ?? e.getAttribute('data-testid')));
      // One row and its delete button take Tab; the other rows are reached with the arrows.
      assert.deepEqual(await tabStops(), ['0', 'delete-path']);
      await page.locator('[data-testid=container-filter]').first().focus();
      await page.keyboard.press('Tab');
      const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-pos'));
      assert.equal(await focused(), '0', 'Tab from the filter reaches the first row');
      for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
      assert.equal(await focused(), '3');
      assert.deepEqual(await tabStops(), ['3', 'delete-path'], 'the focused row is the one Tab stop');
      await page.keyboard.press('End');
      await page.waitForFunction((n) => document.activeElement?.getAttribute('data-pos') === String(n - 1), total);
      assert.ok(await list.evaluate((l) => l.scrollTop > 0), 'End scrolled the list to its last row');
      await page.keyboard.press('Home');
      await page.waitForFunction(() => document.activeElement?.getAttribute('data-pos') === '0');
      // Tab leaves the row for its delete button, then the list.
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'delete-path');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.closest('[data-testid=container-file-list]')), null);

      const CONF = '/etc/nginx/nginx.conf';
      await page.locator('[data-testid=container-filter]').first().fill('nginx.conf');
      await page.locator(`${ROW}[data-path="${CONF}"]`).first().waitFor({ state: 'visible', timeout: 10000 });
      const pos = await page.locator(`${ROW}[data-path="${CONF}"]`).first().getAttribute('data-pos');
      await page.locator('[data-testid=container-filter]').first().focus();
      await page.keyboard.press('Tab');
      for (let i = 0; i < Number(pos); i++) await page.keyboard.press('ArrowDown');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-path')), CONF);
      await page.keyboard.press('Enter');
      const editor = page.locator(EDITOR).first();
      await editor.waitFor({ state: 'visible', timeout: 15000 });
      assert.match(await editor.inputValue(), /worker_processes|events|http/, 'Enter opened nginx.conf');
      // The focus is not dropped on the page: the editor's heading has it, and Tab goes on
      // into the editor.
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'editor-path');
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), CONF);
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  // Review, page item 3: the editor's × (Close) and Delete took the focus with them to
  // <body>, and the next Tab started again from the page's header. After Close the file's
  // row has it; after Delete the row that took the file's place (as a row's own ✕ does), or
  // Undo when no row is left.
  test('the editor\'s Close and Delete give the focus back to the file list (or Undo)', { timeout: TEST_TIMEOUT }, async () => {
    const page = await session.newPage();
    const active = () => page.evaluate(() => {
      const e = document.activeElement;
      return { tag: e?.tagName, role: e?.getAttribute('role'), path: e?.getAttribute('data-path'), testid: e?.getAttribute('data-testid') };
    });
    /** Opens `file` from the keyboard: Tab from the filter into the list, Home, ↓ to its row, Enter. */
    const openByKeys = async (file) => {
      await page.locator(`${ROW}[data-path="${file}"]`).first().waitFor({ state: 'visible', timeout: 10000 });
      const pos = Number(await page.locator(`${ROW}[data-path="${file}"]`).first().getAttribute('data-pos'));
      await page.locator('[data-testid=container-filter]').first().focus();
      await page.keyboard.press('Tab');
      await page.keyboard.press('Home');
      for (let i = 0; i < pos; i++) await page.keyboard.press('ArrowDown');
      assert.equal((await active()).path, file);
      await page.keyboard.press('Enter');
      await page.locator(`[data-testid=container-editor][data-path="${file}"]`).first().waitFor({ state: 'visible', timeout: 15000 });
    };
    /** The paths the list shows now, in order. */
    const listed = () => page.$$eval(ROW, (els) => els
      .sort((a, b) => Number(a.dataset.pos) - Number(b.dataset.pos)).map((e) => e.getAttribute('data-path')));
    try {
      await clearStore(page);
      await openDemo(page);
      await app.openTab(page, 'container');
      await runContainer(page);
      const filter = page.locator('[data-testid=container-filter]').first();

      // Close, the list's first row: the row the list's Tab stop already names takes the
      // focus again (moving "to" it must still focus it).
      await filter.fill('etc/nginx/conf.d/');
      const DEFAULT = '/etc/nginx/conf.d/default.conf';
      assert.deepEqual(await listed(), [DEFAULT]);
      await openByKeys(DEFAULT);
      await page.locator('[data-testid=container-editor] button[aria-label=Close]').first().focus();
      await page.keyboard.press('Enter');
      await page.locator('[data-testid=container-editor]').first().waitFor({ state: 'detached', timeout: 5000 });
      await page.waitForFunction((f) => document.activeElement?.getAttribute('data-path') === f, DEFAULT, { timeout: 5000 });

      // Close (×, from the keyboard): the file's row.
      await filter.fill('etc/nginx/');
      const rows = await listed();
      const CONF = '/etc/nginx/mime.types';
      assert.ok(rows.includes(CONF) && rows.indexOf(CONF) < rows.length - 1, `mime.types has rows after it: ${rows}`);
      await openByKeys(CONF);
      await page.locator('[data-testid=container-editor] button[aria-label=Close]').first().focus();
      await page.keyboard.press('Enter');
      await page.locator('[data-testid=container-editor]').first().waitFor({ state: 'detached', timeout: 5000 });
      await page.waitForFunction((f) => document.activeElement?.getAttribute('data-path') === f, CONF, { timeout: 5000 });
      assert.deepEqual(await active(), { tag: 'DIV', role: 'treeitem', path: CONF, testid: 'container-file-row' });
      // The next Tab goes on from there (the row's delete button), not from the page's header.
      await page.keyboard.press('Tab');
      assert.equal((await active()).testid, 'delete-path');

      // Delete (the editor's button): the row after the file, now in its place.
      const next = rows[rows.indexOf(CONF) + 1];
      await openByKeys(CONF);
      await page.locator('[data-testid=delete-file]').first().focus();
      await page.keyboard.press('Enter');
      await page.waitForFunction((f) => document.activeElement?.getAttribute('data-path') === f, next, { timeout: 5000 });
      assert.equal((await active()).role, 'treeitem');
      assert.ok((await diffLines(page)).includes(`D ${CONF}`), 'the file is deleted');
      assert.ok(!(await listed()).includes(CONF));

      // The last row of the list: the one before it takes the focus, as with a row's ✕.
      const now = await listed();
      const last = now[now.length - 1];
      if (now.length > 1) {
        await openByKeys(last);
        await page.locator('[data-testid=delete-file]').first().focus();
        await page.keyboard.press('Enter');
        await page.waitForFunction((f) => document.activeElement?.getAttribute('data-path') === f, now[now.length - 2], { timeout: 5000 });
      }

      // The only file the filter matches: no row is left, Undo takes the focus.
      await filter.fill('conf.d/default.conf');
      const only = await listed();
      assert.equal(only.length, 1, `one row: ${only}`);
      await openByKeys(only[0]);
      await page.locator('[data-testid=delete-file]').first().focus();
      await page.keyboard.press('Enter');
      await page.locator('[data-testid=ctr-no-match]').first().waitFor({ timeout: 5000 });
      await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'ctr-undo', null, { timeout: 5000 });
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  // Review, page item 7: a row said its layer as "L1". Its accessible name says "layer 1"
  // (in Indonesian the page's word, also "layer"), and a file copied up "container layer".
  for (const lang of ['en', 'id']) {
    test(`a file row's accessible name says its layer in words (${lang})`, { timeout: TEST_TIMEOUT }, async () => {
      const page = await session.newPage({ query: `?lang=${lang}` });
      try {
        await clearStore(page);
        await openDemo(page);
        await app.openTab(page, 'container');
        await runContainer(page);
        const CONF = '/etc/nginx/nginx.conf';
        const opened = await openInContainer(page, CONF);
        const n = Number(opened.owner) + 1;
        // Filtered to its name, the row shows (and is named by) its whole path.
        const name = (s) => new RegExp(`^/etc/nginx/nginx\\.conf .*\\b${s}\\b`);
        const byName = (s) => page.getByRole('treeitem', { name: name(s) });
        assert.equal(await byName(`layer ${n}`).count(), 1, `the row is named with "layer ${n}"`);
        // The short badge is still what the eye sees, hidden from the name.
        const row = page.locator(`${ROW}[data-path="${CONF}"]`).first();
        assert.equal((await row.locator('[data-testid=ctr-owner] [aria-hidden=true]').textContent()).trim(), `L${n}`);
        assert.ok(!(await row.getAttribute('aria-label')), 'named from its content, not a label that hides the rest');
        await editAndSave(page, opened.value);
        await page.waitForFunction((f) => document.querySelector(`[data-testid=container-file-row][data-path="${f}"]`)?.getAttribute('data-layer') === 'container', CONF);
        assert.equal(await byName(lang === 'id' ? 'layer container' : 'container layer').count(), 1, 'a copied-up file: the container\'s layer');
        assert.deepEqual(problemsOf(page), []);
      } finally {
        await page.close();
      }
    });
  }

  // Review: after deleting a folder that holds a file and committing, the new layer said
  // "− 3 deleted" while docker diff listed 2 deletions. Both are true (the layer's count has
  // each path inside a deleted folder, docker diff the folder once), and the page now says
  // which it counts, beside each figure, in words on the page (not only in a tooltip).
  const DELETED_WORDS = {
    en: {
      diff: 'docker diff lists a deleted folder once. Once committed, the new layer’s “deleted” count (Stack) counts the folder and each path inside it, so it can be higher.',
      layer: '“deleted” counts every path the layer removes: a deleted folder and each path inside it. docker diff lists a deleted folder once.',
      deleted: 'deleted',
    },
    id: {
      diff: 'docker diff menampilkan folder yang dihapus satu kali saja. Setelah di-commit, hitungan “dihapus” layer baru (Tumpukan) menghitung folder itu beserta setiap path di dalamnya, jadi angkanya bisa lebih besar.',
      layer: '“dihapus” menghitung setiap path yang dihapus layer ini: folder yang dihapus beserta setiap path di dalamnya. docker diff menampilkan folder yang dihapus satu kali saja.',
      deleted: 'dihapus',
    },
  };
  for (const lang of ['en', 'id']) {
    test(`a deleted folder: docker diff's lines and the committed layer's count, each said what it counts (${lang})`, { timeout: TEST_TIMEOUT }, async () => {
      const words = DELETED_WORDS[lang];
      const page = await session.newPage({ query: `?lang=${lang}` });
      try {
        await clearStore(page);
        await openDemo(page);
        await app.openTab(page, 'stack');
        const imageLayers = await app.readLayers(page);
        await app.openTab(page, 'container');
        await runContainer(page);
        const DIR = '/etc/nginx/conf.d';
        const FILE = '/etc/nginx/mime.types';
        const filter = page.locator('[data-testid=container-filter]').first();
        await filter.fill('conf.d');
        await page.locator(`${ROW}[data-path="${DIR}"]`).first().waitFor();
        const inside = await page.locator(ROW).evaluateAll((els, d) => els.filter((e) => e.dataset.path.startsWith(`${d}/`)).length, DIR);
        assert.ok(inside >= 1, `${DIR} holds a file`);
        // No folder deleted yet: no note.
        assert.equal(await page.locator('[data-testid=diff-deleted-note]').count(), 0);
        await page.locator(`${ROW}[data-path="${DIR}"] [data-testid=delete-path]`).first().click();
        await page.waitForFunction(([sel, d]) => !document.querySelector(`${sel}[data-path="${d}"]`), [ROW, DIR]);
        await filter.fill('mime.types');
        await page.locator(`${ROW}[data-path="${FILE}"] [data-testid=delete-path]`).first().click();
        await page.waitForFunction(([sel, f]) => !document.querySelector(`${sel}[data-path="${f}"]`), [ROW, FILE]);
        // docker diff: the folder once, the file once.
        const lines = await diffLines(page);
        const deletions = lines.filter((l) => l.startsWith('D '));
        assert.deepEqual(deletions, [`D ${DIR}`, `D ${FILE}`], JSON.stringify(lines));
        const note = page.locator('[data-testid=diff-deleted-note]');
        assert.equal((await note.innerText()).trim(), words.diff);
        assert.ok(await note.isVisible(), 'the note is on the page, not only a tooltip');
        assert.equal(await page.locator(`${DIFF_LINE}:text-is("D ${DIR}")`).getAttribute('title'), words.diff);
        // A file deleted is one line either way: no such tooltip on it.
        assert.equal(await page.locator(`${DIFF_LINE}:text-is("D ${FILE}")`).getAttribute('title'), null);

        // Commit: the new layer counts the folder, each path inside it, and the file.
        await page.locator('[data-testid=commit]').first().click();
        await page.waitForFunction((n) => document.querySelectorAll('[data-testid=layer]').length === n
          && document.querySelector('[data-testid=image-ready]'), imageLayers.length + 1, { timeout: READY_TIMEOUT });
        const top = page.locator(`[data-testid=layer][data-index="${imageLayers.length}"]`);
        await top.click();
        const details = page.locator(`[data-testid=layer-details][data-index="${imageLayers.length}"]`);
        await details.waitFor();
        const count = details.locator('[data-testid=changes-deleted]');
        await page.waitForFunction((sel) => /^− \d+$/.test(document.querySelector(sel)?.textContent ?? ''),
          `[data-testid=layer-details][data-index="${imageLayers.length}"] [data-testid=changes-deleted]`, { timeout: READY_TIMEOUT });
        assert.equal(await count.textContent(), `− ${deletions.length + inside}`, `${deletions.length} lines of docker diff, ${deletions.length + inside} paths deleted`);
        assert.match(await details.locator('.change-counts').innerText(), new RegExp(`− ${deletions.length + inside} ${words.deleted}`));
        const layerNote = details.locator('[data-testid=changes-deleted-note]');
        assert.equal((await layerNote.innerText()).trim(), words.layer);
        assert.ok(await layerNote.isVisible());
        assert.equal(await count.getAttribute('title'), words.layer);
        // A layer that deletes nothing says nothing about it.
        await page.locator('[data-testid=layer][data-index="0"]').click();
        await page.locator('[data-testid=layer-details][data-index="0"]').waitFor();
        await page.waitForFunction(() => /^− \d+$/.test(document.querySelector('[data-testid=layer-details] [data-testid=changes-deleted]')?.textContent ?? ''));
        if ((await page.locator('[data-testid=layer-details] [data-testid=changes-deleted]').textContent()) === '− 0') {
          assert.equal(await page.locator('[data-testid=layer-details] [data-testid=changes-deleted-note]').count(), 0);
        }
        assert.deepEqual(problemsOf(page), []);
      } finally {
        await page.close();
      }
    });
  }

  test('real fixture docker26-save-app1: edit data/hello.txt (a hard link), export holds it', { timeout: TEST_TIMEOUT }, async () => {
    const page = await session.newPage();
    try {
      await clearStore(page);
      const fixture = path.join(FIXTURES, 'docker26-save-app1.tar');
      await dropFile(page, fixture);
      await waitReady(page, { timeout: READY_TIMEOUT });
      // In the top layer data/hello.txt is a hard link to data/hello.hardlink: the bytes a
      // container sees are that file's, read here straight from the fixture.
      const FILE = '/data/hello.txt';
      const outer = fs.readFileSync(fixture);
      const layers = JSON.parse(tar.readMember(outer, 'manifest.json').toString('utf8'))[0].Layers;
      const owner = [...layers].reverse().find((l) => {
        try { return tar.readLayerFile(fixture, l, 'data/hello.hardlink'); } catch { return false; }
      });
      assert.ok(owner, 'a layer of the fixture holds data/hello.hardlink');
      const original = tar.readLayerFile(fixture, owner, 'data/hello.hardlink').toString('utf8');
      await app.openTab(page, 'stack');
      const imageLayers = await app.readLayers(page);

      await runContainer(page);
      const opened = await openInContainer(page, FILE);
      assert.equal(opened.value, original);
      const edited = await editAndSave(page, opened.value);
      assert.equal(await layerSize(page), Buffer.byteLength(edited));
      assert.deepEqual(await diffLines(page), dockerDiffForModified(FILE));
      assert.equal(await page.locator('[data-testid=original-content]').first().textContent(), original,
        'the image\'s copy is unchanged');
      // The image's Files view still lists the path as the image has it.
      await app.openTab(page, 'files');
      await page.locator('[data-testid=files-merged]').first().click();
      await page.locator('[data-testid=file-filter]').first().fill('data/hello.txt');
      await page.locator('[data-testid=file-row][data-path="data/hello.txt"]').first().waitFor();
      await app.openTab(page, 'container');
      // A second container sees the original.
      await runContainer(page);
      assert.equal((await openInContainer(page, FILE)).value, original);
      const ids = await page.locator(CONTAINER).evaluateAll((els) => els.map((e) => e.getAttribute('data-container-id')));
      await selectContainer(page, ids[0]);

      const top = topLayer(await exportAndCheck(page, 'docker26-app1'));
      assert.equal(tar.readMember(top.layer, FILE).toString('utf8'), edited);
      assert.deepEqual(top.diffIds.slice(0, -1), imageLayers.map((l) => l.diffId));
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  test('a folder deleted with one tap, and a container removed, come back with Undo', { timeout: TEST_TIMEOUT }, async () => {
    const page = await session.newPage();
    try {
      await clearStore(page);
      await openDemo(page);
      const id = await runContainer(page);
      assert.equal(await page.locator('[data-testid=ctr-undo]').count(), 0, 'nothing to undo yet');
      // "New file" with nothing typed says so; a path ending in / names a folder: refused.
      await page.locator('[data-testid=create-file]').first().click();
      assert.match(await page.locator('[data-testid=container-message]').first().innerText(), /Type a path first/);
      await page.locator('[data-testid=new-path]').first().fill('/etc/motd/');
      await page.locator('[data-testid=create-file]').first().click();
      await page.waitForFunction(() => /\/etc\/motd/.test(document.querySelector('[data-testid=container-message]')?.textContent ?? ''));
      assert.equal(await page.locator(`${ROW}[data-path="/etc/motd"]`).count(), 0, 'no file made');
      assert.equal(await page.locator('[data-testid=ctr-undo]').count(), 0, 'a refusal changes nothing');
      // One tap on /etc's ✕ deletes the folder and everything below it.
      await page.locator(`${ROW}[data-path="/etc"] [data-testid=delete-path]`).first().click();
      await page.waitForFunction((sel) => !document.querySelector(`${sel}[data-path="/etc"]`), ROW);
      assert.deepEqual(await diffLines(page), ['D /etc']);
      // The button names the container; on a phone its words wrap, the page stays 360 px.
      await page.setViewportSize({ width: 360, height: 740 });
      await page.locator('[data-testid=ctr-undo]').first().scrollIntoViewIfNeeded();
      assert.ok(await page.evaluate(() => document.scrollingElement.scrollWidth) <= 360, 'Undo at 360 px');
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.locator('[data-testid=ctr-undo]').first().click();
      await page.locator(`${ROW}[data-path="/etc"]`).first().waitFor({ timeout: 10000 });
      assert.equal((await diffLines(page)).length, 0, 'the container is as it was');
      assert.equal(await page.locator('[data-testid=ctr-undo]').count(), 0, 'no more steps');
      // The container itself: removed with its ✕, back with Undo, selected, and stored again.
      await page.locator(`${CONTAINER}[data-container-id="${id}"] [data-testid=remove-container]`).first().click();
      await page.waitForFunction(([sel, cid]) => !document.querySelector(`${sel}[data-container-id="${cid}"]`), [CONTAINER, id]);
      // The focus is not dropped with the ✕: it goes to Undo (no other container to pick).
      await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'ctr-undo');
      assert.match(await page.locator('[data-testid=ctr-undo]').first().innerText(), /Undo the last change \(to /);
      await page.keyboard.press('Enter');
      await page.waitForFunction(([sel, cid]) => document.querySelector(`${sel}[data-container-id="${cid}"] [aria-pressed=true]`), [CONTAINER, id]);
      // The last step took the Undo button away: the container that came back has the focus.
      await page.waitForFunction(() => document.activeElement?.classList.contains('ctr-pick'));
      await page.waitForFunction((cid) => new Promise((resolve) => {
        const q = indexedDB.open('pancake');
        q.onsuccess = () => {
          const all = q.result.transaction('containers').objectStore('containers').getAllKeys();
          all.onsuccess = () => { q.result.close(); resolve(all.result.some((k) => String(k).includes(cid))); };
          all.onerror = () => resolve(false);
        };
        q.onerror = () => resolve(false);
      }), id, { timeout: 10000 });
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  // What an outside accessibility tester found: saving or deleting said nothing to a screen
  // reader, the comparison's changed lines were plain lines to it, folders showed a fold
  // arrow (▸) they do not have and no aria-expanded, and a filter matching nothing left an
  // empty box. Checked in the DOM (words, attributes, the accessibility tree), in both
  // languages.
  const SAID = {
    en: {
      savedCopiedUp: (p) => new RegExp(`^Saved ${p} \\(([^)]+)\\): copied up from image layer (\\d+) into the container layer\\. The image's copy is unchanged\\.$`),
      saved: (p) => new RegExp(`^Saved ${p} \\(([^)]+)\\) in the container layer\\.$`),
      deletedWhiteout: (p) => `Deleted ${p}: a whiteout in the container layer hides the image's copy.`,
      deleted: (p) => `Deleted ${p}: it was only in the container layer, so it is simply removed.`,
      created: (p) => `Created the empty file ${p} in the container layer.`,
      noMatch: (f) => `No file matches “${f}”.`,
      undone: /^Undone: container \w+ is as it was before its last change\. Its container layer holds (\S+)\.$/,
      removed: 'removed: ',
      added: 'added: ',
    },
    id: {
      savedCopiedUp: (p) => new RegExp(`^${p} disimpan \\(([^)]+)\\): disalin dari layer image (\\d+) ke layer container\\. Salinan di image tidak berubah\\.$`),
      saved: (p) => new RegExp(`^${p} disimpan \\(([^)]+)\\) di layer container\\.$`),
      deletedWhiteout: (p) => `${p} dihapus: sebuah whiteout di layer container menyembunyikan salinan di image.`,
      deleted: (p) => `${p} dihapus: path ini hanya ada di layer container, jadi langsung hilang.`,
      created: (p) => `File kosong ${p} dibuat di layer container.`,
      noMatch: (f) => `Tidak ada file yang cocok dengan “${f}”.`,
      undone: /^Dibatalkan: container \w+ kembali seperti sebelum perubahan terakhirnya\. Layer container-nya berisi (\d[\d.,]* [kMGT]?B)\.$/,
      removed: 'dihapus: ',
      added: 'ditambahkan: ',
    },
  };
  for (const lang of ['en', 'id']) {
    test(`screen readers hear saves and deletes, changed lines, folders, an empty filter (${lang})`, { timeout: TEST_TIMEOUT }, async () => {
      const said = SAID[lang];
      const page = await session.newPage({ query: `?lang=${lang}` });
      try {
        await clearStore(page);
        await openDemo(page);
        await runContainer(page);
        const STATUS = 'section.ctr [data-testid=ctr-status]';
        // One polite region in the view, there before anything is said.
        assert.equal(await page.locator('section.ctr [role=status]').count(), 1, 'one status region');
        assert.equal(await page.locator(`${STATUS}[role=status]`).count(), 1);
        const status = async () => (await page.locator(STATUS).first().textContent()).trim();
        const news = async () => (await page.locator(`${STATUS} [data-testid=ctr-news]`).first().textContent()).trim();
        const shownSize = async () => (await page.locator(`${CONTAINER} [aria-pressed=true] .ctr-size`).first().textContent()).trim();
        const newsIs = (want) => page.waitForFunction(([sel, w]) => document.querySelector(sel)?.textContent.trim() === w,
          [`${STATUS} [data-testid=ctr-news]`, want]);

        // Folders never fold here: no ▸, and one with rows below it is expanded, so says so.
        const etc = page.locator(`${ROW}[data-path="/etc"]`).first();
        await etc.waitFor({ state: 'visible', timeout: 10000 });
        assert.equal(await etc.getAttribute('aria-expanded'), 'true', '/etc lists its children: expanded');
        assert.equal(await etc.getAttribute('aria-level'), '1');
        assert.equal(await page.locator(ROW).filter({ hasText: '▸' }).count(), 0, 'no fold arrow on any row');
        const rows = await page.locator(ROW).evaluateAll((els) => els.map((e) => ({
          path: e.getAttribute('data-path'),
          dir: !e.querySelector('.link-target') && e.querySelector('.file-name').textContent.trim().endsWith('/'),
          expanded: e.getAttribute('aria-expanded'), level: Number(e.getAttribute('aria-level')),
        })));
        for (const [i, r] of rows.entries()) {
          const below = rows.some((x) => x.path.startsWith(`${r.path}/`));
          // Only the rendered rows are known here: a folder at the end of them is skipped.
          if (i === rows.length - 1) continue;
          if (!r.dir) assert.equal(r.expanded, null, `${r.path}: a file has no aria-expanded`);
          else assert.equal(r.expanded, below ? 'true' : null, `${r.path}: expanded only with rows below it`);
          assert.equal(r.level, r.path.split('/').length - 1, `${r.path}: its level`);
        }

        const CONF = '/etc/nginx/nginx.conf';
        const opened = await openInContainer(page, CONF);
        // A filtered list is flat: full paths, one level, nothing to expand.
        const confRow = page.locator(`${ROW}[data-path="${CONF}"]`).first();
        assert.equal(await confRow.getAttribute('aria-level'), '1');
        assert.equal(await page.locator(`${ROW}[aria-expanded]`).count(), 0, 'no expanded folder in a flat list');

        const edited = await editAndSave(page, opened.value);
        await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.trim().length > 0, `${STATUS} [data-testid=ctr-news]`);
        const m = said.savedCopiedUp(CONF.replace(/\./g, '\\.')).exec(await news());
        assert.ok(m, `${lang}: after Save: ${await news()}`);
        // The file is the container layer's only content: its size is the card's.
        assert.equal(await layerSize(page), Buffer.byteLength(edited));
        assert.equal(m[1], await shownSize(), 'the size said is the file\'s');
        assert.equal(Number(m[2]), Number(opened.owner) + 1, 'the layer said is the one it was copied up from');

        // The comparison: changed lines say "removed:" / "added:" to assistive tech.
        const sides = page.locator('[data-testid=compare] .ctr-lines');
        const before = await sides.nth(0).ariaSnapshot();
        const after = await sides.nth(1).ariaSnapshot();
        // (The tree collapses runs of spaces, as a screen reader reads them.)
        const first = opened.value.split('\n').find((l) => l.trim().length > 0).trim().replace(/\s+/g, ' ');
        assert.ok(before.includes(`${said.removed}${first}`), `${lang}: image's side:\n${before}`);
        assert.ok(after.includes(`${said.added}${first} # changed in a Pancake container`), `${lang}: container's side:\n${after}`);
        assert.equal((before.match(new RegExp(said.removed, 'g')) || []).length, 1, 'one line marked removed');
        assert.equal((after.match(new RegExp(said.added, 'g')) || []).length, 1, 'one line marked added');

        // Saved again: the file was already in the container layer, and the words are new.
        await page.locator('[data-testid=save-file]').first().click();
        await page.waitForFunction(([sel, re]) => new RegExp(re).test(document.querySelector(sel)?.textContent.trim()),
          [`${STATUS} [data-testid=ctr-news]`, said.saved(CONF.replace(/\./g, '\\.')).source]);

        // Delete: a whiteout hides the image's copy; nothing matches the filter any more.
        await page.locator('[data-testid=delete-file]').first().click();
        await newsIs(said.deletedWhiteout(CONF));
        const noMatch = page.locator('[data-testid=ctr-no-match]');
        await noMatch.waitFor({ state: 'visible', timeout: 10000 });
        assert.equal((await noMatch.textContent()).trim(), said.noMatch('nginx.conf'));
        assert.equal(await page.locator('[data-testid=container-file-list]').count(), 0, 'no empty box');
        await page.waitForFunction(([sel, w]) => document.querySelector(sel)?.textContent.includes(w), [STATUS, said.noMatch('nginx.conf')]);
        assert.equal(await status(), `${said.deletedWhiteout(CONF)} ${said.noMatch('nginx.conf')}`);

        // Undo brings it back: said, and the filter matches again.
        await page.locator('[data-testid=ctr-undo]').first().click();
        await page.waitForFunction((sel) => /\d/.test(document.querySelector(sel)?.textContent ?? ''), `${STATUS} [data-testid=ctr-news]`);
        const u = said.undone.exec(await news());
        assert.ok(u, `${lang}: after Undo: ${await news()}`);
        assert.equal(u[1], await shownSize(), 'the size said is the container layer\'s');
        await page.locator(`${ROW}[data-path="${CONF}"]`).first().waitFor({ state: 'visible', timeout: 10000 });
        assert.equal(await noMatch.count(), 0);
        assert.ok(!(await status()).includes(said.noMatch('nginx.conf')), 'the empty filter is no longer said');

        // A file only the container has: made, then simply removed (no whiteout).
        const NEW = '/tmp/a11y.txt';
        await page.locator('[data-testid=new-path]').first().fill(NEW);
        await page.locator('[data-testid=create-file]').first().click();
        await newsIs(said.created(NEW));
        await page.locator('[data-testid=container-filter]').first().fill('a11y');
        await page.locator(`${ROW}[data-path="${NEW}"] [data-testid=delete-path]`).first().click();
        await newsIs(said.deleted(NEW));
        await noMatch.waitFor({ state: 'visible', timeout: 10000 });
        // The last match deleted from its row: the filter has the focus, not the page.
        await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'container-filter');
        assert.deepEqual(problemsOf(page), []);
      } finally {
        await page.close();
      }
    });
  }

  test('a reload keeps containers and their edits (IndexedDB)', { timeout: TEST_TIMEOUT }, async () => {
    const page = await session.newPage();
    try {
      await clearStore(page);
      await openDemo(page);
      const CONF = '/etc/nginx/nginx.conf';
      const id = await runContainer(page);
      const edited = await editAndSave(page, (await openInContainer(page, CONF)).value);
      const size = await layerSize(page);
      // Stored once the write lands.
      await page.waitForFunction(() => new Promise((resolve) => {
        const q = indexedDB.open('pancake');
        q.onsuccess = () => {
          const tx = q.result.transaction('containers');
          const all = tx.objectStore('containers').getAll();
          all.onsuccess = () => { q.result.close(); resolve(all.result.some((v) => v.includes('changed in a Pancake container'))); };
          all.onerror = () => resolve(false);
        };
        q.onerror = () => resolve(false);
      }));

      // An accidental reload keeps the permalink (?demo=nginx…), so the demo reopens by itself.
      assert.match(page.url(), /[?&]demo=nginx\b/);
      await page.reload({ waitUntil: 'load' });
      await waitReady(page, { timeout: READY_TIMEOUT });
      await app.openTab(page, 'container');
      await page.locator(`${CONTAINER}[data-container-id="${id}"]`).first().waitFor({ timeout: 10000 });
      await selectContainer(page, id);
      assert.equal(await layerSize(page), size);
      assert.deepEqual(await diffLines(page), dockerDiffForModified(CONF));
      assert.equal((await openInContainer(page, CONF)).value, edited);
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  // A container on an image of 30,000 files: the files it sees below its layer are folded
  // by the file's scanner worker, not on the page's thread, and the view says so while they
  // come (held here until the screenshots are taken), in English and in Indonesian.
  test('a container on 30,000 files: its lower files come from the scanner, said meanwhile', { timeout: TEST_TIMEOUT }, async () => {
    const img = makeLargeImage(30000);
    const file = path.join(os.tmpdir(), 'pancake-e2e-container-30000.tar');
    fs.writeFileSync(file, img.bytes);
    for (const [lang, colorScheme, viewport, re] of [
      ['en', 'light', { width: 1280, height: 800 }, /^Assembling the image's filesystem for this container from ([\d,]+) entries in its layers…$/],
      ['id', 'dark', { width: 360, height: 740 }, /^Menyusun filesystem image untuk container ini dari ([\d.]+) entri di layer-layernya…$/],
    ]) {
      const page = await session.newPage({ viewport, colorScheme, query: `?lang=${lang}` });
      try {
        await clearStore(page);
        // The files' request is held until the screenshots are taken.
        await holdRequests(page, '^\\{"Rows".*"Lower"');
        await pickFile(page, file);
        await waitReady(page, { timeout: READY_TIMEOUT });
        await runContainer(page);
        await page.click('[data-testid=tab-container]');
        const folding = page.locator('[data-testid=ctr-lower-folding]');
        await folding.waitFor();
        await page.waitForFunction(() => window.__pcReqHeld() === 1);
        const m = re.exec((await folding.textContent()).trim());
        assert.ok(m, `${lang}: ${await folding.textContent()}`);
        // Every entry of both layers: the base's 30,000 files and 500 folders, the top's 9
        // (data/, its whiteout, the opaque data/d2/ and its marker, 4 blobs, a symlink).
        // Its thousands grouped as each language writes them.
        assert.equal(m[1], (30000 + 500 + 9).toLocaleString(lang === 'en' ? 'en-US' : 'id-ID'));
        assert.equal(await page.locator(ROW).count(), 0);
        fs.mkdirSync(SHOTS, { recursive: true });
        await page.screenshot({ path: path.join(SHOTS, `container-assembling-${lang}-${colorScheme}-${viewport.width}.png`), fullPage: true });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 1, `${lang}: page overflows horizontally by ${overflow}px`);
        await page.evaluate(() => window.__pcReqRelease());
        await page.locator(ROW).first().waitFor();
        assert.equal(await folding.count(), 0);
        // The files are the image's as its top layer leaves them: app/first added there,
        // data/d1 whited out, data/d2 opaque (its 60 base files gone).
        await page.fill('[data-testid=container-filter]', 'app/first');
        await page.locator(`${ROW}[data-path="/app/first"]`).waitFor();
        assert.equal(await page.locator(`${ROW}[data-path="/app/first"]`).getAttribute('data-layer'), '1');
        await page.fill('[data-testid=container-filter]', 'data/d0/f0.txt');
        await page.locator(`${ROW}[data-path="/data/d0/f0.txt"]`).waitFor();
        assert.equal(await page.locator(`${ROW}[data-path="/data/d0/f0.txt"]`).getAttribute('data-layer'), '0');
        for (const gone of ['data/d1/f1.txt', 'data/d2/f2.txt']) {
          await page.fill('[data-testid=container-filter]', gone);
          await page.waitForTimeout(300);
          assert.equal(await page.locator(`${ROW}[data-path="/${gone}"]`).count(), 0, `${gone} is hidden by the top layer`);
        }
        assert.deepEqual(problemsOf(page), []);
      } finally {
        await page.close();
      }
    }
  });

  for (const colorScheme of ['light', 'dark']) {
    for (const viewport of [{ width: 1280, height: 800 }, { width: 360, height: 740 }]) {
      test(`screenshots: container view, ${colorScheme}, ${viewport.width}px`, { timeout: TEST_TIMEOUT }, async () => {
        const page = await session.newPage({ viewport, colorScheme });
        try {
          await clearStore(page);
          await openDemo(page);
          await runContainer(page);
          await runContainer(page);
          const ids = await page.locator(CONTAINER).evaluateAll((els) => els.map((e) => e.getAttribute('data-container-id')));
          await selectContainer(page, ids[0]);
          await editAndSave(page, (await openInContainer(page, '/etc/nginx/nginx.conf')).value);
          fs.mkdirSync(SHOTS, { recursive: true });
          await page.evaluate(() => window.scrollTo(0, 0));
          await page.waitForTimeout(1300); // the copy-up animation has ended
          const name = `container-${colorScheme}-${viewport.width}`;
          await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
          // No horizontal overflow at any width.
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          assert.ok(overflow <= 1, `${name}: page overflows horizontally by ${overflow}px`);
          assert.deepEqual(problemsOf(page), []);
        } finally {
          await page.close();
        }
      });
    }
  }
});
