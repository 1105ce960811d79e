'use strict';
// Issue 15, the Files view as engineers expect it (dive): folders fold as a WAI-ARIA tree and
// the keyboard walks it, the listing sorts by size (folders by their total), the largest
// files are listed, and a file downloads with its exact bytes. On the built-in nginx demo.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const { REPO, FIXTURES, openSession, problemsOf, pickFile, waitReady } = require('./lib/browser');
const { tar, oneLayerImage } = require('./lib/tarwrite');
const os = require('node:os');
const app = require('./lib/app');
const { READY_TIMEOUT: LARGE_READY_TIMEOUT } = require('./lib/large');

const READY_TIMEOUT = Number(process.env.PANCAKE_E2E_READY_MS || 45000);
const T = READY_TIMEOUT + 60000;
const SHOTS = path.join(REPO, 'target', 'screenshots', 'tree');
const ROW = '[data-testid=file-row]';

// The demo's COPY layer writes this nginx.conf (crates/pancake-demo: NGINX_CONF), so the
// merged view at the top layer shows exactly these bytes.
const NGINX_CONF = (() => {
  const src = fs.readFileSync(path.join(REPO, 'crates', 'pancake-demo', 'src', 'lib.rs'), 'utf8');
  const m = src.match(/pub const NGINX_CONF: &str = r#"([\s\S]*?)"#;/);
  if (!m) throw new Error('NGINX_CONF not found in the demo source');
  return m[1];
})();
const sha256 = (b) => crypto.createHash('sha256').update(b).digest('hex');

async function openDemo(page) {
  await page.locator('[data-testid=demo-nginx]').first().click();
  await waitReady(page, { timeout: READY_TIMEOUT });
  await app.openTab(page, 'files');
  await page.locator('[data-testid=files-merged]').click();
  await page.locator(ROW).first().waitFor();
}

/** Every line of the (virtualized) tree, scrolling through it: path, kind, size, level, expanded. */
async function readTree(page) {
  return page.evaluate(async () => {
    const list = document.querySelector('[data-testid=file-list]');
    const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const seen = new Map();
    const keep = () => {
      for (const e of list.querySelectorAll('[data-testid=file-row]')) {
        seen.set(Number(e.dataset.pos), {
          path: e.dataset.path, kind: e.dataset.kind, size: Number(e.dataset.size),
          level: Number(e.getAttribute('aria-level')), expanded: e.getAttribute('aria-expanded'),
        });
      }
    };
    const step = Math.max(1, Math.floor(list.clientHeight * 0.7));
    for (let top = 0; ; top += step) {
      list.scrollTop = top;
      list.dispatchEvent(new Event('scroll'));
      await frame();
      keep();
      if (top >= list.scrollHeight - list.clientHeight) break;
    }
    list.scrollTop = 0;
    list.dispatchEvent(new Event('scroll'));
    await frame();
    return [...seen.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  });
}

/** The lines rendered at the top of the tree, in order. */
const readTreeTop = (page) => page.$$eval('[data-testid=file-row]', (els) => els
  .map((e) => ({ pos: Number(e.dataset.pos), path: e.dataset.path, size: Number(e.dataset.size) }))
  .sort((a, b) => a.pos - b.pos));

const focused = (page) => page.evaluate(() => {
  const e = document.activeElement;
  return e && e.dataset.path !== undefined
    ? { path: e.dataset.path, expanded: e.getAttribute('aria-expanded'), tabindex: e.getAttribute('tabindex') }
    : null;
});

/** ArrowDown until the focused line is `p` (the tree is small: at most 200 presses). */
async function downTo(page, p) {
  for (let i = 0; i < 200; i++) {
    const f = await focused(page);
    if (f && f.path === p) return;
    await page.keyboard.press('ArrowDown');
  }
  assert.fail(`ArrowDown never reached ${p}`);
}

describe('Files tree: keyboard, sort, largest, download', () => {
  let session;
  before(async () => { session = await openSession(); });
  after(async () => { if (session) await session.close(); });

  test('a name written through its layer\'s own symlink is shown where unpacking puts it, with its folders named', { timeout: T }, async () => {
    const page = await session.newPage({ query: '?lang=en' });
    try {
      await pickFile(page, path.join(FIXTURES, 'malformed-layer-path-traversal.tar'));
      await waitReady(page, { timeout: READY_TIMEOUT });
      await app.selectLayer(page, 1);
      await app.openTab(page, 'files');
      await page.locator(ROW).first().waitFor();
      const rows = await page.locator(ROW).evaluateAll((els) => els.map((e) => ({
        path: e.dataset.path, kind: e.dataset.kind, name: e.querySelector('.file-name').textContent.trim(),
        level: e.getAttribute('aria-level'),
      })));
      const byPath = Object.fromEntries(rows.map((r) => [r.path, r]));
      // `srv/escape` stays the symlink; the file written through it is at tmp/, and since this
      // layer has no row for tmp/ (a lower layer made it), its name says the folder.
      assert.equal(byPath['srv/escape']?.kind, 'symlink', JSON.stringify(rows));
      assert.equal(byPath['tmp/pwned-through-symlink.txt']?.kind, 'file', JSON.stringify(rows));
      assert.match(byPath['tmp/pwned-through-symlink.txt'].name, /tmp\/pwned-through-symlink\.txt$/);
      assert.match(byPath['etc/abs-path-file'].name, /etc\/abs-path-file$/);
      assert.ok(!rows.some((r) => r.path.startsWith('srv/escape/')), JSON.stringify(rows));
      const problems = await page.locator('[data-testid=error]').allTextContents();
      assert.ok(problems.some((t) => /written through the symlink srv\/escape -> \.\.\/\.\.\/\.\.\/\.\.\/\.\.\/tmp/.test(t)
        && /writes it at tmp\/pwned-through-symlink\.txt/.test(t)), JSON.stringify(problems));
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  // A name below a file (or a looping symlink) of its own layer: Docker and containerd fail to
  // unpack it. The Files view keeps the file a file and leaves the name out; a problem says so,
  // in English and in Indonesian.
  test('a name below a file or a looping link of its own layer: the file stays a file, a problem says unpacking fails', { timeout: T }, async () => {
    const l = tar([
      ['f', 'a file\n'],
      ['f/x', 'below a file\n'],
      ['x', null, { symlink: 'y' }],
      ['y', null, { symlink: 'x' }],
      ['x/in-loop.txt', 'below a loop\n'],
      ['ok.txt', 'fine\n'],
    ]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pancake-tree-'));
    const file = path.join(dir, 'below-a-file.tar');
    fs.writeFileSync(file, oneLayerImage(l, 'COPY . /'));
    for (const lang of ['en', 'id']) {
      const page = await session.newPage({ query: `?lang=${lang}` });
      try {
        await pickFile(page, file);
        await waitReady(page, { timeout: READY_TIMEOUT });
        await app.openTab(page, 'files');
        await page.locator(ROW).first().waitFor();
        const rows = await page.locator(ROW).evaluateAll((els) => els.map((e) => [e.dataset.path, e.dataset.kind]));
        assert.deepEqual(rows.sort(), [['f', 'file'], ['ok.txt', 'file'], ['x', 'symlink'], ['y', 'symlink']]);
        const problems = await page.locator('[data-testid=error]').allTextContents();
        const want = lang === 'en' ? /An entry cannot be unpacked/ : /Sebuah entri tidak bisa dibongkar/;
        assert.equal(problems.filter((t) => want.test(t)).length, 2, JSON.stringify(problems));
        assert.ok(problems.some((t) => /entry f\/x cannot be unpacked: f, written earlier in this layer, is a file/.test(t)), JSON.stringify(problems));
        assert.ok(problems.some((t) => /entry x\/in-loop\.txt cannot be unpacked: x, written earlier in this layer, is a symlink to y that does not reach a folder/.test(t)), JSON.stringify(problems));
        assert.deepEqual(problemsOf(page), []);
      } finally {
        await page.close();
      }
    }
  });

  test('a filtered (flat) list and Alt+arrows leave the folds alone', { timeout: T }, async () => {
    const page = await session.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    await openDemo(page);
    await page.locator('[data-testid=collapse-all]').click();
    const etc = page.locator(`${ROW}[data-path="etc"]`);
    assert.equal(await etc.getAttribute('aria-expanded'), 'false');
    // Alt+→ is the browser's forward: not a fold.
    await page.locator(`${ROW}[tabindex="0"]`).focus();
    await downTo(page, 'etc');
    await page.keyboard.press('Alt+ArrowRight');
    assert.equal(await etc.getAttribute('aria-expanded'), 'false', 'Alt+→ opened the folder');
    // Filtered, the list is flat: → and Enter on a folder change no fold.
    const filter = page.locator('[data-testid=file-filter]');
    await filter.fill('etc');
    const flatEtc = page.locator(`${ROW}[data-path="etc"]`);
    await flatEtc.waitFor();
    assert.equal(await flatEtc.getAttribute('aria-expanded'), null, 'no folder state in a flat list');
    await flatEtc.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await filter.fill('');
    await etc.waitFor();
    assert.equal(await etc.getAttribute('aria-expanded'), 'false', 'a fold changed while the list was filtered');
    assert.equal(await page.locator(`${ROW}[data-path^="etc/"]`).count(), 0);
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  test('keyboard walk: ↓ → ← Enter Home End, aria-expanded follows', { timeout: T }, async () => {
    const page = await session.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    await openDemo(page);
    assert.equal(await page.locator('[data-testid=file-list]').getAttribute('role'), 'tree');
    await page.locator('[data-testid=collapse-all]').click();
    const top = await readTree(page);
    assert.ok(top.length > 3, 'several top-level entries');
    assert.ok(top.every((r) => r.level === 1), 'collapsed: only level-1 lines');
    assert.ok(top.filter((r) => r.kind === 'dir' && r.expanded !== null).every((r) => r.expanded === 'false'));
    // Roving tabindex: one line takes Tab.
    assert.equal(await page.locator(`${ROW}[tabindex="0"]`).count(), 1);
    await page.locator(`${ROW}[tabindex="0"]`).focus();
    await downTo(page, 'etc');
    assert.equal((await focused(page)).expanded, 'false');
    await page.keyboard.press('ArrowRight');
    assert.deepEqual(await focused(page), { path: 'etc', expanded: 'true', tabindex: '0' });
    await page.keyboard.press('ArrowRight'); // to the first child
    const child = await focused(page);
    assert.ok(child.path.startsWith('etc/'), `first child of etc, got ${child.path}`);
    assert.equal(await page.locator(`${ROW}[data-path="${child.path}"]`).getAttribute('aria-level'), '2');
    await page.keyboard.press('ArrowLeft'); // child → parent (a closed folder or a file)
    if ((await focused(page)).path !== 'etc') await page.keyboard.press('ArrowLeft');
    assert.equal((await focused(page)).path, 'etc');
    await page.keyboard.press('ArrowLeft'); // close
    assert.deepEqual(await focused(page), { path: 'etc', expanded: 'false', tabindex: '0' });
    assert.equal(await page.locator(`${ROW}[data-path^="etc/"]`).count(), 0, 'closed: no etc/ lines');
    // Down into etc/nginx/nginx.conf and open it with Enter.
    await page.keyboard.press('ArrowRight');
    await downTo(page, 'etc/nginx');
    await page.keyboard.press('ArrowRight');
    assert.equal((await focused(page)).expanded, 'true');
    await downTo(page, 'etc/nginx/nginx.conf');
    await page.keyboard.press('Enter');
    const content = page.locator('[data-testid=file-content]');
    await content.waitFor();
    assert.equal(await content.getAttribute('data-path'), 'etc/nginx/nginx.conf');
    await page.locator('[data-testid=file-content] pre').waitFor();
    assert.equal(await page.locator('[data-testid=file-content] pre').textContent(), NGINX_CONF);
    // The viewer took the focus (its close button); closing it gives it back to the row
    // that opened it, so the arrows go on from there (not from the top of the page).
    assert.equal(await page.evaluate(() => document.activeElement.closest('[data-testid=file-content]') !== null), true);
    await page.keyboard.press('Escape');
    await content.waitFor({ state: 'detached' });
    assert.equal((await focused(page)).path, 'etc/nginx/nginx.conf');
    // Another file opened while one is shown is a viewer of its own: closing it gives the
    // focus to that file's row.
    await page.keyboard.press('Enter');
    await content.waitFor();
    const other = await page.$$eval(`${ROW}[data-kind=file]`, (els) => els.map((e) => e.dataset.path)
      .find((p) => p.startsWith('etc/nginx/') && p !== 'etc/nginx/nginx.conf'));
    assert.ok(other, 'another file under etc/nginx');
    // Its row focused (the viewer covers it at this width) and Enter.
    await page.$eval(`${ROW}[data-path="${other}"]`, (e) => e.focus());
    await page.keyboard.press('Enter');
    await page.waitForFunction((p) => document.querySelector('[data-testid=file-content]')?.dataset.path === p, other);
    assert.equal(await page.evaluate(() => document.activeElement.closest('[data-testid=file-content]') !== null), true);
    await page.keyboard.press('Escape');
    await content.waitFor({ state: 'detached' });
    assert.equal((await focused(page)).path, other);
    // Home / End.
    const all = await readTree(page);
    await page.locator(`${ROW}[tabindex="0"]`).focus();
    await page.keyboard.press('End');
    await page.waitForTimeout(150);
    assert.equal((await focused(page)).path, all[all.length - 1].path);
    await page.keyboard.press('Home');
    await page.waitForTimeout(150);
    assert.equal((await focused(page)).path, all[0].path);
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  for (const [colorScheme, width] of [['light', 1280], ['dark', 360]]) {
    test(`sort by size and largest files (${colorScheme}, ${width} px)`, { timeout: T }, async () => {
      const page = await session.newPage({ viewport: { width, height: 900 }, colorScheme });
      await openDemo(page);
      await page.locator('[data-testid=expand-all]').click();
      await page.locator('[data-testid=sort-size]').click();
      assert.equal(await page.locator('[data-testid=sort-size]').getAttribute('aria-pressed'), 'true');
      const rows = await readTree(page);
      assert.ok(rows.length > 20, `the demo's filesystem, got ${rows.length} lines`);
      // Under every folder (and at the top), sizes never grow going down.
      const byParent = new Map();
      const stack = [];
      for (const r of rows) {
        stack.length = r.level - 1;
        const parent = stack.length ? stack[stack.length - 1] : '';
        if (!byParent.has(parent)) byParent.set(parent, []);
        byParent.get(parent).push(r);
        stack.push(r.path);
      }
      for (const [parent, kids] of byParent) {
        for (let i = 1; i < kids.length; i++) {
          assert.ok(kids[i - 1].size >= kids[i].size,
            `under "${parent}": ${kids[i - 1].path} (${kids[i - 1].size}) before ${kids[i].path} (${kids[i].size})`);
        }
      }
      // A folder's size is the total of the files below it (no hard links in the demo).
      const usr = rows.find((r) => r.path === 'usr');
      const below = rows.filter((r) => r.path.startsWith('usr/') && r.kind === 'file').reduce((a, r) => a + r.size, 0);
      assert.ok(usr.size > 0);
      assert.equal(usr.size, below, 'usr/ is the sum of its files');
      // The biggest top-level entry comes first.
      const level1 = rows.filter((r) => r.level === 1);
      assert.equal(level1[0].size, Math.max(...level1.map((r) => r.size)));

      // Largest files: the first entry is the largest file of the view, and of the image.
      await page.locator('[data-testid=largest-toggle]').click();
      assert.equal(await page.locator('[data-testid=largest-toggle]').getAttribute('aria-expanded'), 'true');
      const files = rows.filter((r) => r.kind === 'file');
      const maxFile = Math.max(...files.map((r) => r.size));
      const firstView = page.locator('[data-testid=largest-view]').first();
      await firstView.waitFor();
      assert.equal(Number(await firstView.getAttribute('data-size')), maxFile);
      const firstImage = page.locator('[data-testid=largest-image]').first();
      await firstImage.waitFor();
      // The merged view at the top layer is the image's filesystem: same largest file.
      assert.equal(Number(await firstImage.getAttribute('data-size')), maxFile);
      const bigPath = await firstView.getAttribute('data-path');
      assert.ok(files.some((r) => r.path === bigPath && r.size === maxFile));
      const n = await page.locator('[data-testid=largest-view]').count();
      assert.equal(n, Math.min(50, files.length));
      // Clicking it opens the file and focuses its line in the tree.
      await firstView.click();
      await page.locator('[data-testid=file-content]').waitFor();
      assert.equal(await page.locator('[data-testid=file-content]').getAttribute('data-path'), bigPath);
      fs.mkdirSync(SHOTS, { recursive: true });
      await page.keyboard.press('Escape');
      await page.waitForTimeout(200);
      await page.screenshot({ path: path.join(SHOTS, `tree-size-largest-${colorScheme}-${width}.png`), fullPage: true });
      assert.deepEqual(problemsOf(page), []);
      await page.close();
    });
  }

  test('download: nginx.conf and the nginx binary, byte for byte', { timeout: T }, async () => {
    const page = await session.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' });
    await openDemo(page);
    const filter = page.locator('[data-testid=file-filter]');
    // A text file: its bytes are the demo's NGINX_CONF.
    await filter.fill('etc/nginx/nginx.conf');
    await page.locator(`${ROW}[data-path="etc/nginx/nginx.conf"]`).click();
    await page.locator('[data-testid=download-file]').waitFor();
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, 'tree-download-dark-1280.png') });
    let [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=download-file]').click()]);
    assert.equal(dl.suggestedFilename(), 'nginx.conf');
    let saved = fs.readFileSync(await dl.path());
    assert.equal(sha256(saved), sha256(Buffer.from(NGINX_CONF, 'utf8')));
    await page.keyboard.press('Escape'); // the panel covers part of the list
    // A binary file: the same bytes as the content panel's hex dump, as many as the row's size.
    await filter.fill('usr/sbin/nginx');
    const row = page.locator(`${ROW}[data-path="usr/sbin/nginx"]`);
    const size = Number(await row.getAttribute('data-size'));
    await row.click();
    await page.locator('[data-testid=file-content][data-path="usr/sbin/nginx"] pre').waitFor();
    const dump = await page.locator('[data-testid=file-content] pre').textContent();
    const shown = Buffer.from(dump.split('\n').filter(Boolean)
      .flatMap((l) => l.slice(10, 59).trim().split(/\s+/).filter(Boolean).map((h) => parseInt(h, 16))));
    assert.equal(shown.length, size, 'the panel shows the whole file');
    [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=download-file]').click()]);
    assert.equal(dl.suggestedFilename(), 'nginx');
    saved = fs.readFileSync(await dl.path());
    assert.equal(saved.length, size);
    assert.equal(sha256(saved), sha256(shown));
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  // A layer as stored and as its uncompressed tar: the saved bytes hash to the layer's blob
  // digest and its diff_id (what the Stack view shows, which the core computed). A gzip OCI
  // layer exercises the in-browser inflating; the demo's plain tar layers the stored slice.
  const sha = (d) => String(d || '').replace(/^sha256:/, '');
  async function saveLayer(page, which) {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator(`[data-testid=download-layer-${which}]`).click()]);
    const bytes = fs.readFileSync(await dl.path());
    return { name: dl.suggestedFilename(), hash: sha256(bytes), len: bytes.length };
  }

  test('download a layer: gzip OCI layer as stored and as .tar', { timeout: T }, async () => {
    const page = await session.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    await pickFile(page, path.join(FIXTURES, 'fixture_dive_test-oci-gzip-image.tar'));
    await waitReady(page, { timeout: READY_TIMEOUT });
    await app.openTab(page, 'stack');
    const layers = await app.readLayers(page);
    const top = layers[layers.length - 1];
    await app.openTab(page, 'files');
    await page.locator('[data-testid=download-layer-stored]').waitFor();
    const stored = await saveLayer(page, 'stored');
    assert.equal(stored.hash, sha(top.digest));
    assert.equal(stored.name, `${sha(top.digest)}.tar.gz`);
    const tar = await saveLayer(page, 'tar');
    assert.equal(tar.hash, sha(top.diffId), 'the uncompressed tar hashes to the diff_id');
    assert.equal(tar.name, `${sha(top.diffId)}.tar`);
    assert.notEqual(tar.hash, stored.hash);
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, 'tree-layer-export-light-1280.png') });
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  test('download a layer: the demo plain tar layer, stored = tar = diff_id', { timeout: T }, async () => {
    const page = await session.newPage({ viewport: { width: 360, height: 800 }, colorScheme: 'dark' });
    await openDemo(page);
    await app.openTab(page, 'stack');
    const layers = await app.readLayers(page);
    await app.openTab(page, 'files');
    // Layer 1 (the base).
    await page.locator('[data-testid=layer-select]').selectOption('0');
    await page.locator('[data-testid=download-layer-stored]').waitFor();
    const stored = await saveLayer(page, 'stored');
    const tar = await saveLayer(page, 'tar');
    assert.equal(tar.hash, sha(layers[0].diffId));
    assert.equal(stored.hash, tar.hash);
    await page.screenshot({ path: path.join(SHOTS, 'tree-layer-export-dark-360.png') });
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  // A layer of 6 004 paths (over the 5 000 that start folded): folders below the top start
  // closed, a folder of 6 000 files shows 500 then a "show more" line, and the buttons fold
  // everything. Built here (lib/tarwrite.js); the core lists the implied folders a, a/b, big.
  test('big layer: starts folded, 500 rows per folder then show more, expand/collapse all', { timeout: T }, async () => {
    const files = [];
    for (let i = 0; i < 6000; i++) files.push([`big/f${String(i).padStart(5, '0')}.txt`, `file ${i}\n`.repeat(1 + (i % 7))]);
    files.push(['a/b/c.txt', 'deep\n']);
    // Bigger than the content panel's first read (64 KiB): saving it reads the rest first.
    const blob = crypto.randomBytes(200 * 1024);
    files.push(['a/big.bin', blob]);
    const l = tar(files);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pancake-tree-'));
    const file = path.join(dir, 'big-folder.tar');
    fs.writeFileSync(file, oneLayerImage(l, 'COPY big /'));
    const page = await session.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    try {
      await pickFile(page, file);
      await waitReady(page, { timeout: READY_TIMEOUT });
      await app.openTab(page, 'files');
      const list = page.locator('[data-testid=file-list]');
      await page.locator(ROW).first().waitFor();
      // a (open), a/b (closed), a/big.bin, big (open), 500 of its files, one "show more".
      assert.equal(await list.getAttribute('data-row-count'), '505');
      assert.equal(await page.locator(`${ROW}[data-path="a"]`).getAttribute('aria-expanded'), 'true');
      assert.equal(await page.locator(`${ROW}[data-path="a/b"]`).getAttribute('aria-expanded'), 'false');
      assert.equal(await page.locator(`${ROW}[data-path="a/b/c.txt"]`).count(), 0);
      // Only the rows in view are in the DOM.
      assert.ok(await page.locator(ROW).count() < 80);
      await page.locator(`${ROW}[tabindex="0"]`).focus();
      await page.keyboard.press('End');
      const more = page.locator('[data-testid=tree-more]');
      await more.waitFor();
      assert.match(await more.textContent(), /500.*5,500/);
      assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'tree-more');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.querySelector('[data-testid=file-list]').dataset.rowCount === '1005');
      await page.waitForTimeout(150);
      assert.equal((await focused(page)).path, 'big/f00500.txt', 'focus on the first row it showed');
      await page.locator('[data-testid=expand-all]').click();
      assert.equal(await list.getAttribute('data-row-count'), '1006');
      await page.locator('[data-testid=collapse-all]').click();
      assert.equal(await list.getAttribute('data-row-count'), '2');
      fs.mkdirSync(SHOTS, { recursive: true });
      await page.locator('[data-testid=expand-all]').click();
      await page.screenshot({ path: path.join(SHOTS, 'tree-big-light-1280.png') });
      // Download the 200 KiB file: the page reads it whole, then saves the exact bytes.
      await page.locator(`${ROW}[data-path="a/big.bin"]`).click();
      await page.locator('[data-testid=download-file]').waitFor();
      const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=download-file]').click()]);
      assert.equal(dl.suggestedFilename(), 'big.bin');
      const saved = fs.readFileSync(await dl.path());
      assert.equal(saved.length, blob.length);
      assert.equal(sha256(saved), sha256(blob));
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  // Issue 15: "a 200,000-file layer for search and sort". The base layer of the large test
  // image (tests/make_large_image.js: data/ with 500 folders of 400 files) starts folded, and
  // sorting and expanding everything keep the page answering: each is timed and bounded.
  test('200,000-file layer: folded start, sort by size, expand all stay quick', { timeout: 300000 }, async () => {
    const { makeLargeImage } = require('../make_large_image');
    const img = makeLargeImage(200000);
    const file = path.join(os.tmpdir(), 'pancake-large-200000.tar');
    if (!fs.existsSync(file) || fs.statSync(file).size !== img.bytes.length) fs.writeFileSync(file, img.bytes);
    const page = await session.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' });
    try {
      await pickFile(page, file);
      await waitReady(page, { timeout: LARGE_READY_TIMEOUT });
      await app.openTab(page, 'files');
      const list = page.locator('[data-testid=file-list]');
      const timed = async (what, act, rowCount) => {
        const t0 = Date.now();
        await act();
        await page.waitForFunction((n) => document.querySelector('[data-testid=file-list]').dataset.rowCount === n,
          rowCount, { timeout: 30000 });
        // The page answers: a frame is drawn right after.
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
        const ms = Date.now() - t0;
        console.log(`# ${what}: ${ms} ms`);
        return ms;
      };
      // data/ open, its 500 folders closed.
      await timed('layer 1 listed (folded)', () => page.locator('[data-testid=layer-select]').selectOption('0'), '501');
      assert.equal(await page.locator(`${ROW}[data-path="data"]`).getAttribute('aria-expanded'), 'true');
      assert.equal(await page.locator(`${ROW}[data-path="data/d0"]`).getAttribute('aria-expanded'), 'false');
      const sortMs = await timed('sort by size', () => page.locator('[data-testid=sort-size]').click(), '501');
      const expandMs = await timed('expand all', () => page.locator('[data-testid=expand-all]').click(), '200501');
      assert.ok(await page.locator(ROW).count() < 80, 'only the rows in view are in the DOM');
      // Folders first by total (each 400 files × 400 B), then what each holds.
      const first = await readTreeTop(page);
      assert.equal(first[0].path, 'data');
      // The generator's sizes: file i holds min(400, 12 × its line) bytes, in folder i % 500.
      const totals = new Map();
      for (let i = 0; i < 200000; i++) {
        const len = Math.min(400, 12 * Buffer.byteLength(`file ${i} of a 200,000-file layer\n`));
        const d = `data/d${i % 500}`;
        totals.set(d, (totals.get(d) || 0) + len);
      }
      const biggest = Math.max(...totals.values());
      assert.equal(first[1].size, biggest, 'the biggest folder first');
      assert.equal(totals.get(first[1].path), biggest);
      assert.equal(first[2].size, 400, 'its biggest file first');
      const collapseMs = await timed('collapse all', () => page.locator('[data-testid=collapse-all]').click(), '1');
      for (const [what, ms] of [['sort', sortMs], ['expand all', expandMs], ['collapse all', collapseMs]]) {
        assert.ok(ms < 15000, `${what} took ${ms} ms`);
      }
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });
});
