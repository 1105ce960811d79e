'use strict';
// Issue 15, saving from the page: a layer's uncompressed tar streamed by a worker through the
// core's decoders (gzip, zstd, estargz's many gzip members, a whole-file-compressed save),
// offered only when it hashes to the layer's diff_id; a file's exact bytes past the old
// 16 MiB cap, from an uncompressed layer (by offset) and a gzip one (re-inflated); a damaged
// layer refused with a typed message; symlinks and hard links opened. Without a save picker
// (lib/browser.js removes Chromium's, as Firefox and Safari have none) saves are downloads;
// with one (`showSaveFilePicker` put back here, handing out files of the origin-private file
// system) a 600 MiB file and a layer's tar are written straight to the chosen file, the page's
// heap staying small, and Cancel leaves no complete file.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');

const { REPO, FIXTURES, openSession, problemsOf, pickFile, waitReady } = require('./lib/browser');
const { tar, sha256: digestOf, Layout, oneLayerImage } = require('./lib/tarwrite');
const { installSha256, check: checkSha256 } = require('./lib/page-sha256');
const app = require('./lib/app');

const READY_TIMEOUT = Number(process.env.PANCAKE_E2E_READY_MS || 45000);
const T = READY_TIMEOUT + 90000;
const SHOTS = path.join(REPO, 'target', 'screenshots', 'dl');
const ROW = '[data-testid=file-row]';
const sha256 = (b) => crypto.createHash('sha256').update(b).digest('hex');
const hex = (d) => String(d || '').replace(/^sha256:/, '');

async function open(page, file) {
  await pickFile(page, file);
  await waitReady(page, { timeout: READY_TIMEOUT });
}

/** Layers as the stack shows them (bottom first), with their diff_ids. */
async function layers(page) {
  await app.openTab(page, 'stack');
  return app.readLayers(page);
}

/** Clicks `button` and returns the saved download's name and bytes. */
async function save(page, button) {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 60000 }), button.click()]);
  return { name: dl.suggestedFilename(), bytes: fs.readFileSync(await dl.path()) };
}

describe('Saving layers and files through a worker', () => {
  let session;
  before(async () => { session = await openSession(); });
  after(async () => { if (session) await session.close(); });

  // One layer each: gzip, zstd, and estargz (a gzip stream of many members, which the
  // browser's DecompressionStream refused). The saved tar hashes to the diff_id the stack shows.
  for (const [fixture, kind] of [
    ['fixture_dive_test-oci-gzip-image.tar', 'gzip'],
    ['fixture_dive_test-oci-zstd-image.tar', 'zstd'],
    ['fixture_dive_test-oci-estargz-image.tar', 'estargz'],
  ]) {
    test(`layer as .tar: ${kind} layer hashes to its diff_id`, { timeout: T }, async () => {
      const page = await session.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
      await open(page, path.join(FIXTURES, fixture));
      const ls = await layers(page);
      const top = ls[ls.length - 1];
      assert.match(top.diffId, /^sha256:[0-9a-f]{64}$/);
      await app.openTab(page, 'files');
      const button = page.locator('[data-testid=download-layer-tar]');
      await button.waitFor();
      const got = await save(page, button);
      assert.equal(sha256(got.bytes), hex(top.diffId), `${kind}: the tar hashes to the diff_id`);
      assert.equal(got.name, `${hex(top.diffId)}.tar`);
      const done = page.locator('[data-testid=save-done]');
      await done.waitFor();
      assert.equal(Number(await done.getAttribute('data-bytes')), got.bytes.length);
      if (kind === 'estargz') {
        fs.mkdirSync(SHOTS, { recursive: true });
        await page.screenshot({ path: path.join(SHOTS, 'layer-tar-done-light-1280.png') });
      }
      assert.deepEqual(problemsOf(page), []);
      await page.close();
    });
  }

  // `docker save | gzip`: the members have no offset; the worker streams the whole file
  // again up to the layer. Every layer of it, each against its diff_id.
  test('layer as .tar: every layer of a whole-file-compressed save', { timeout: T }, async () => {
    const page = await session.newPage({ viewport: { width: 360, height: 800 }, colorScheme: 'dark' });
    await open(page, path.join(FIXTURES, 'docker20-save-app1.tar.gz'));
    const ls = await layers(page);
    assert.ok(ls.length >= 2);
    await app.openTab(page, 'files');
    for (const i of [0, ls.length - 1]) {
      await page.locator('[data-testid=layer-select]').selectOption(String(i));
      const got = await save(page, page.locator('[data-testid=download-layer-tar]'));
      assert.equal(sha256(got.bytes), hex(ls[i].diffId), `layer ${i + 1}`);
    }
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, 'layer-tar-gz-save-dark-360.png') });
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  // A byte of layer 2's tar was changed after the save: the computed diff_id is not the one
  // the config names. The export is refused, naming the layer and both digests; nothing is
  // offered.
  test('a damaged layer is refused with the reason, nothing offered', { timeout: T }, async () => {
    const exp = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'malformed-corrupt-layer-byte-docker20.tar.expected.json'), 'utf8'));
    const bad = exp.images[0].layers[1];
    assert.equal(bad.diff_id_ok, false);
    for (const [lang, words] of [['en', /^Layer 2: its bytes hash to .* but the image names .*Nothing was saved\.$/],
      ['id', /^Layer 2: hash byte-nya .* tetapi image menyebut .*Tidak ada yang disimpan\.$/]]) {
      const page = await session.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: lang === 'en' ? 'light' : 'dark', query: lang === 'id' ? '?lang=id' : '' });
      await open(page, path.join(FIXTURES, 'malformed-corrupt-layer-byte-docker20.tar'));
      await app.openTab(page, 'files');
      await page.locator('[data-testid=layer-select]').selectOption('1');
      let offered = false;
      page.on('download', () => { offered = true; });
      await page.locator('[data-testid=download-layer-tar]').click();
      const error = page.locator('[data-testid=save-error]');
      await error.waitFor({ timeout: 30000 });
      const text = (await error.textContent()).trim();
      assert.match(text, words);
      assert.ok(text.includes(bad.diff_id), `names the digest the bytes have: ${text}`);
      assert.ok(text.includes(bad.config_diff_id), `names the digest the config names: ${text}`);
      assert.equal(await error.getAttribute('role'), 'alert');
      await page.waitForTimeout(500);
      assert.equal(offered, false, 'nothing was offered');
      fs.mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, `layer-refused-${lang}-1280.png`) });
      assert.deepEqual(problemsOf(page), []);
      await page.close();
    }
  });

  // A gzip layer whose stream is broken (a CRC error): the decoder's error, typed as such.
  test('a layer whose gzip stream is broken is refused as undecodable', { timeout: T }, async () => {
    const page = await session.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    await open(page, path.join(FIXTURES, 'malformed-oci-archive-corrupt-gzip-layer.tar'));
    await app.openTab(page, 'files');
    await page.locator('[data-testid=layer-select]').selectOption('0');
    await page.locator('[data-testid=download-layer-tar]').click();
    const error = page.locator('[data-testid=save-error]');
    await error.waitFor({ timeout: 30000 });
    const text = (await error.textContent()).trim();
    assert.match(text, /^Layer 1: its compressed stream cannot be decoded, so nothing was saved\. /);
    // The decoder's own words, verbatim and marked as English.
    const detail = page.locator('[data-testid=save-error-detail]');
    assert.equal(await detail.getAttribute('lang'), 'en');
    assert.ok((await detail.textContent()).length > 0);
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  // Files over the old 16 MiB cap, made here: 20 MiB in a plain layer (streamed by offset from
  // the file) and 17 MiB in a gzip layer (re-inflated by the worker). Keyboard only for one.
  test('a file over 16 MiB, plain and gzip layers, byte for byte (keyboard)', { timeout: T }, async () => {
    const big1 = crypto.randomBytes(20 * 1024 * 1024);
    const big2 = crypto.randomBytes(17 * 1024 * 1024);
    const l1 = tar([['data/big1.bin', big1], ['data/small.txt', 'small\n']]);
    const l2 = tar([['data/big2.bin', big2]]);
    const l2gz = zlib.gzipSync(l2, { level: 1 });
    const b = new Layout();
    const img = b.json('application/vnd.oci.image.manifest.v1+json', {
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: b.json('application/vnd.oci.image.config.v1+json', {
        architecture: 'amd64', os: 'linux', config: {},
        rootfs: { type: 'layers', diff_ids: [digestOf(l1), digestOf(l2)] },
        history: [{ created_by: 'COPY big1 /data/' }, { created_by: 'COPY big2 /data/' }],
      }),
      layers: [b.blob('application/vnd.oci.image.layer.v1.tar', l1), b.blob('application/vnd.oci.image.layer.v1.tar+gzip', l2gz)],
    });
    b.index([img]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pancake-dl-'));
    const file = path.join(dir, 'big-files.tar');
    fs.writeFileSync(file, b.tar());
    const page = await session.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' });
    try {
      await open(page, file);
      await app.openTab(page, 'files');
      await page.locator('[data-testid=files-merged]').click();
      for (const [name, bytes] of [['big1.bin', big1], ['big2.bin', big2]]) {
        const row = page.locator(`${ROW}[data-path="data/${name}"]`);
        await row.waitFor();
        // Keyboard: focus the row, Enter opens it; the panel's close button takes focus, Tab
        // reaches Download (after "show more"), Enter saves.
        await row.focus();
        await page.keyboard.press('Enter');
        await page.locator(`[data-testid=file-content][data-path="data/${name}"] pre`).waitFor();
        const button = page.locator('[data-testid=download-file]');
        await button.focus();
        const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 60000 }), page.keyboard.press('Enter')]);
        const saved = fs.readFileSync(await dl.path());
        assert.equal(dl.suggestedFilename(), name);
        assert.equal(saved.length, bytes.length, name);
        assert.equal(sha256(saved), sha256(bytes), name);
        await page.locator('[data-testid=save-done]').waitFor();
        if (name === 'big2.bin') {
          fs.mkdirSync(SHOTS, { recursive: true });
          await page.screenshot({ path: path.join(SHOTS, 'file-saved-dark-1280.png') });
        }
        await page.keyboard.press('Escape');
      }
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  // docker20-save-app1.tar's top layer: data/hello.txt is a hard link to data/hello.hardlink,
  // data/hello.symlink points to /data/hello.txt, data/dangling to ../nonexistent (see the
  // fixture's expected.json). The bytes behind both links are the hard link's file.
  const LINKED = 'hello world\nmodified\n';
  async function contentText(page) {
    const pre = page.locator('[data-testid=file-content] pre');
    await pre.waitFor();
    return pre.textContent();
  }

  test('Files: a symlink and a hard link open their target, a dangling one says so (keyboard)', { timeout: T }, async () => {
    for (const [width, colorScheme] of [[1280, 'light'], [360, 'dark']]) {
      const page = await session.newPage({ viewport: { width, height: 900 }, colorScheme });
      await open(page, path.join(FIXTURES, 'docker20-save-app1.tar'));
      await app.openTab(page, 'files');
      await page.locator('[data-testid=files-merged]').click();
      await page.locator('[data-testid=file-filter]').fill('data/');
      // The symlink, clicked: the note says where it points and what was opened.
      await page.locator(`${ROW}[data-path="data/hello.symlink"]`).click();
      const note = page.locator('[data-testid=link-note]');
      await note.waitFor();
      assert.equal(await note.getAttribute('data-link'), 'sym');
      assert.match(await note.textContent(), /\/data\/hello\.symlink points to \/data\/hello\.txt; opened \/data\/hello\.txt/);
      assert.equal(await contentText(page), LINKED);
      if (width === 1280) {
        fs.mkdirSync(SHOTS, { recursive: true });
        await page.screenshot({ path: path.join(SHOTS, `link-symlink-${colorScheme}-${width}.png`) });
      }
      await page.keyboard.press('Escape');
      // The hard link, from the keyboard: focus its row, Enter.
      await page.locator(`${ROW}[data-path="data/hello.txt"]`).focus();
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.querySelector('[data-testid=link-note]')?.dataset.link === 'hard');
      assert.match(await note.textContent(), /Hard link: \/data\/hello\.txt is the file \/data\/hello\.hardlink/);
      assert.equal(await contentText(page), LINKED);
      await page.keyboard.press('Escape');
      // The dangling symlink: nothing opens, the note names what is missing.
      await page.locator(`${ROW}[data-path="data/dangling"]`).click();
      await page.waitForFunction(() => document.querySelector('[data-testid=link-note]')?.dataset.link === 'dangling');
      assert.match(await note.textContent(), /points to \.\.\/nonexistent, which dangles: there is no \/nonexistent in the image/);
      assert.equal(await page.locator('[data-testid=file-content]').count(), 0);
      await page.screenshot({ path: path.join(SHOTS, `link-dangling-${colorScheme}-${width}.png`) });
      // The layer's own changes: the symlink resolves in the filesystem at that layer.
      await page.locator('[data-testid=files-changes]').click();
      await page.locator(`${ROW}[data-path="data/hello.symlink"]`).click();
      await page.waitForFunction(() => document.querySelector('[data-testid=link-note]')?.dataset.link === 'sym');
      assert.equal(await contentText(page), LINKED);
      assert.deepEqual(problemsOf(page), []);
      await page.close();
    }
  });

  // A hard link to a name the layer writes again later: the link is the first copy's bytes
  // (what a tar extractor gives it), both in the content panel and when saved.
  test('a hard link to a name written again later shows and saves the copy it links to', { timeout: T }, async () => {
    const { tar: mkTar, sha256: dg } = require('./lib/tarwrite');
    const first = Buffer.from('first copy of a\n'.repeat(64));
    const layer = mkTar([['a', first], ['b', null, { link: 'a' }], ['a', 'second a\n']]);
    const diffId = dg(layer);
    const config = Buffer.from(JSON.stringify({
      architecture: 'amd64', os: 'linux', config: {},
      rootfs: { type: 'layers', diff_ids: [diffId] },
      history: [{ created_by: 'COPY a b a /' }],
    }));
    const cfgName = `${hex(dg(config))}.json`;
    const manifest = JSON.stringify([{ Config: cfgName, RepoTags: ['relink:1'], Layers: [`${hex(diffId)}/layer.tar`] }]);
    const outer = mkTar([[cfgName, config], [`${hex(diffId)}/layer.tar`, layer], ['manifest.json', manifest]]);
    const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'pancake-relink-'));
    const file = path.join(dir, 'relink.tar');
    fs.writeFileSync(file, outer);
    const page = await session.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await open(page, file);
      await app.openTab(page, 'files');
      await page.locator(`${ROW}[data-path="b"]`).click();
      assert.equal(await contentText(page), first.toString());
      const got = await save(page, page.locator('[data-testid=file-content] [data-testid=download-file]'));
      assert.equal(sha256(got.bytes), sha256(first));
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('Container: a symlink opens the file it resolves to, a hard link its file, in the editor', { timeout: T }, async () => {
    const page = await session.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark', query: '?lang=id' });
    await open(page, path.join(FIXTURES, 'docker20-save-app1.tar'));
    await page.locator('[data-testid=run-container]').first().click();
    await page.locator('[data-testid=container]').first().waitFor();
    await page.locator('[data-testid=container-filter]').fill('hello');
    const row = page.locator('[data-testid=container-file-row][data-path="/data/hello.symlink"]');
    await row.waitFor();
    await row.focus();
    await page.keyboard.press('Enter');
    const note = page.locator('[data-testid=link-note]');
    await note.waitFor();
    assert.equal(await note.getAttribute('data-link'), 'sym');
    assert.match(await note.textContent(), /Tautan simbolik: \/data\/hello\.symlink menunjuk ke \/data\/hello\.txt; membuka \/data\/hello\.txt/);
    const editor = page.locator('[data-testid=file-editor]');
    await editor.waitFor({ timeout: 15000 });
    await page.waitForFunction(() => document.querySelector('[data-testid=file-editor]')?.value.length > 0);
    assert.equal(await editor.inputValue(), LINKED);
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, 'link-container-id-dark-1280.png') });
    // The hard link, clicked: its file's bytes, and the note names that file.
    await page.locator('[data-testid=container-file-row][data-path="/data/hello.txt"]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=link-note]')?.dataset.link === 'hard');
    assert.match(await note.textContent(), /Hard link: \/data\/hello\.txt adalah file \/data\/hello\.hardlink/);
    await page.waitForFunction(() => document.querySelector('[data-testid=file-editor]')?.value.length > 0);
    assert.equal(await page.locator('[data-testid=file-editor]').inputValue(), LINKED);
    // Saved, the name is copied up and no longer that file (overlayfs breaks the link): the
    // note that said it was goes, and the other name keeps the image's bytes.
    await page.locator('[data-testid=file-editor]').fill(`${LINKED}edited\n`);
    await page.locator('[data-testid=save-file]').first().click();
    await page.waitForFunction(() => !document.querySelector('[data-testid=link-note]'));
    await page.locator('[data-testid=container-file-row][data-path="/data/hello.hardlink"]').click();
    await page.waitForFunction((v) => document.querySelector('[data-testid=file-editor]')?.value === v, LINKED);
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  // A long save shows its progress (bytes of the total) and stops on Cancel: the worker is
  // terminated and nothing is offered. 600 MiB of zeros, gzip-compressed to under 1 MiB, so
  // the file is small and the inflating long.
  test('a long layer save shows progress and stops on Cancel, nothing offered', { timeout: T }, async () => {
    const l = tar([['zeros.bin', Buffer.alloc(600 * 1024 * 1024)]]);
    const gz = zlib.gzipSync(l, { level: 9 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pancake-dl-'));
    const file = path.join(dir, 'zeros.tar');
    fs.writeFileSync(file, oneLayerImage(l, 'COPY zeros /', { blob: gz, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }));
    const page = await session.newPage({ viewport: { width: 360, height: 800 }, colorScheme: 'light' });
    try {
      await open(page, file);
      await app.openTab(page, 'files');
      let offered = false;
      page.on('download', () => { offered = true; });
      await page.locator('[data-testid=download-layer-tar]').click();
      const progress = page.locator('[data-testid=save-progress]');
      await progress.waitFor();
      await page.waitForFunction(() => /Saving [1-9]/.test(document.querySelector('[data-testid=save-progress]')?.textContent || ''));
      assert.match(await progress.textContent(), /Saving .* of 600(\.0)? ?MiB|Saving .* of 629(\.1)? ?MB/);
      fs.mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, 'save-progress-light-360.png') });
      await page.locator('[data-testid=save-cancel]').click();
      await page.locator('[data-testid=save-cancelled]').waitFor();
      assert.equal(await page.locator('[data-testid=save-progress]').count(), 0);
      assert.equal(await page.locator('[data-testid=download-layer-tar]').isEnabled(), true);
      await page.waitForTimeout(1500);
      assert.equal(offered, false, 'nothing was offered');
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------------------
// With a save picker: the page's `showSaveFilePicker` hands out a file of the origin-private
// file system (OPFS); its writable's `write` is wrapped to count the writes the page has
// running at once (and, for Cancel, to slow them), the bytes still going to the real file.

const BIG = 600 * 1024 * 1024;

/** The 8 KiB block the big file repeats: numbered lines (inside gzip's 32 KiB window, so it compresses about 1000×). */
function bigBlock() {
  const lines = [];
  let n = 0;
  let len = 0;
  while (len < 8 * 1024) {
    const l = `line ${String(n++).padStart(6, '0')} of the big file\n`;
    lines.push(l);
    len += l.length;
  }
  return Buffer.from(lines.join('')).subarray(0, 8 * 1024);
}

function octal(n, len) { return n.toString(8).padStart(len - 1, '0') + '\0'; }

/** A ustar header for a regular file `name` of `size` bytes. */
function header(name, size) {
  const h = Buffer.alloc(512);
  h.write(name, 0, 'utf8');
  h.write(octal(0o644, 8), 100);
  h.write(octal(0, 8), 108);
  h.write(octal(0, 8), 116);
  h.write(octal(size, 12), 124);
  h.write(octal(1700000000, 12), 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148);
  return h;
}

/**
 * A layer tar of `data/big.bin` (BIG bytes of the block repeated) and `data/after.txt`,
 * gzip-compressed as it is made, never whole in memory: the blob, the tar's sha256 (diff_id)
 * and the big file's sha256.
 */
async function bigGzipLayer() {
  const block = bigBlock();
  const gz = zlib.createGzip({ level: 1 });
  const out = [];
  gz.on('data', (c) => out.push(c));
  const ended = new Promise((resolve, reject) => { gz.on('end', resolve); gz.on('error', reject); });
  const tarHash = crypto.createHash('sha256');
  const fileHash = crypto.createHash('sha256');
  const put = async (b) => {
    tarHash.update(b);
    if (!gz.write(b)) await new Promise((r) => gz.once('drain', r));
  };
  await put(header('data/big.bin', BIG));
  for (let at = 0; at < BIG; at += block.length) {
    const part = block.subarray(0, Math.min(block.length, BIG - at));
    fileHash.update(part);
    await put(part);
  }
  await put(Buffer.alloc((512 - (BIG % 512)) % 512));
  await put(header('data/after.txt', 6));
  await put(Buffer.from('after\n'));
  await put(Buffer.alloc(506 + 1024));
  gz.end();
  await ended;
  return { blob: Buffer.concat(out), diffId: `sha256:${tarHash.digest('hex')}`, fileSha: fileHash.digest('hex') };
}

/**
 * Puts a save picker in the page: each call hands out the OPFS file `saved-<suggested name>`
 * (created empty), records the call in `window.__picks`, and wraps its writable's `write`
 * to count writes running at once (`window.__writes`), each delayed by `delayMs`. With
 * `cancel`, the picker is closed instead (an AbortError, as when the person closes it).
 */
async function putPicker(page, { delayMs = 0, cancel = false, refuse = false } = {}) {
  await page.evaluate(({ delayMs, cancel, refuse }) => {
    window.__picks = [];
    window.__writes = { running: 0, most: 0, count: 0, bytes: 0, aborted: 0, closed: 0 };
    window.showSaveFilePicker = async (opts) => {
      window.__picks.push(opts && opts.suggestedName);
      if (cancel) throw new DOMException('The user aborted a request.', 'AbortError');
      // What Chromium says in a cross-origin frame (the page embedded in course material).
      if (refuse) throw new DOMException("Cross origin sub frames aren't allowed to show a file picker.", 'SecurityError');
      const root = await navigator.storage.getDirectory();
      const handle = await root.getFileHandle(`saved-${opts.suggestedName}`, { create: true });
      const create = handle.createWritable.bind(handle);
      handle.createWritable = async (o) => {
        const w = await create(o);
        const write = w.write.bind(w);
        const abort = w.abort.bind(w);
        const close = w.close.bind(w);
        const st = window.__writes;
        w.write = async (chunk) => {
          st.running += 1;
          st.count += 1;
          st.most = Math.max(st.most, st.running);
          try {
            if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
            await write(chunk);
            st.bytes += chunk.byteLength;
          } finally {
            st.running -= 1;
          }
        };
        w.abort = (r) => { st.aborted += 1; return abort(r); };
        w.close = () => { st.closed += 1; return close(); };
        return w;
      };
      return handle;
    };
  }, { delayMs, cancel, refuse });
}

/** Size and page-computed sha256 of the OPFS file `name` (null when there is none). */
async function opfsFile(page, name) {
  return page.evaluate(async (name) => {
    const root = await navigator.storage.getDirectory();
    let h;
    try { h = await root.getFileHandle(name); } catch { return null; }
    const f = await h.getFile();
    return { size: f.size, sha: await window.__sha256Blob(f) };
  }, name);
}

describe('Saving with a save picker, straight to the chosen file', () => {
  let session;
  let dir;
  let big;
  /** Opens the 600 MiB save and its big.bin in the content panel. */
  async function openBigFile(page) {
    await open(page, big.file);
    await app.openTab(page, 'files');
    await page.locator('[data-testid=files-merged]').click();
    const row = page.locator(`${ROW}[data-path="data/big.bin"]`);
    await row.waitFor();
    await row.click();
    await page.locator('[data-testid=file-content][data-path="data/big.bin"] pre').waitFor();
  }
  before(async () => {
    session = await openSession();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pancake-pick-'));
    const layer = await bigGzipLayer();
    const b = new Layout();
    const img = b.json('application/vnd.oci.image.manifest.v1+json', {
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: b.json('application/vnd.oci.image.config.v1+json', {
        architecture: 'amd64', os: 'linux', config: {},
        rootfs: { type: 'layers', diff_ids: [layer.diffId] }, history: [{ created_by: 'COPY big.bin /data/' }],
      }),
      layers: [b.blob('application/vnd.oci.image.layer.v1.tar+gzip', layer.blob)],
    });
    b.index([img]);
    big = { file: path.join(dir, 'big-600.tar'), ...layer };
    fs.writeFileSync(big.file, b.tar());
  });
  after(async () => {
    if (session) await session.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  // The 600 MiB file of a gzip layer (over the old 512 MiB in-memory bound): asked where to
  // save first (its name suggested), written chunk by chunk with at most two writes running,
  // the page's JS heap sampled all along; the file read back from OPFS hashes to what the
  // test wrote.
  test('a 600 MiB file of a gzip layer is written to the chosen file, the heap stays small', { timeout: T + 240000 }, async () => {
    const page = await session.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    try {
      await installSha256(page);
      await checkSha256(page, crypto);
      await openBigFile(page);
      await putPicker(page);
      // The JS heap and ArrayBuffer backing stores of the page, sampled from outside.
      const cdp = await session.ctx.newCDPSession(page);
      const samples = [];
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const u = await cdp.send('Runtime.getHeapUsage').catch(() => null);
          if (u) samples.push({ used: u.usedSize, backing: u.backingStorageSize || 0 });
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      let offered = false;
      page.on('download', () => { offered = true; });
      const started = Date.now();
      await page.locator('[data-testid=download-file]').click();
      const done = page.locator('[data-testid=save-done]');
      await done.waitFor({ timeout: 240000 });
      const secs = (Date.now() - started) / 1000;
      sampling = false;
      await sampler;
      assert.deepEqual(await page.evaluate(() => window.__picks), ['big.bin'], 'the picker was asked once, with the name');
      assert.equal(await done.getAttribute('data-name'), 'saved-big.bin');
      assert.equal(Number(await done.getAttribute('data-bytes')), BIG);
      const writes = await page.evaluate(() => window.__writes);
      assert.equal(writes.bytes, BIG, 'every byte went through the writable');
      assert.ok(writes.count >= BIG / (4 << 20), `${writes.count} writes`);
      assert.ok(writes.most <= 2, `at most two writes at once, saw ${writes.most}`);
      assert.equal(writes.closed, 1);
      assert.equal(writes.aborted, 0);
      assert.equal(offered, false, 'no download: the bytes went to the chosen file');
      const heap = Math.max(...samples.map((s) => s.used));
      const backing = Math.max(...samples.map((s) => s.backing));
      console.log(`600 MiB saved in ${secs.toFixed(1)} s; page heap at most ${(heap / 2 ** 20).toFixed(1)} MiB, ArrayBuffers at most ${(backing / 2 ** 20).toFixed(1)} MiB over ${samples.length} samples`);
      assert.ok(samples.length >= 5, `${samples.length} samples`);
      // The JS heap holds no chunk (measured 5 MiB). The ArrayBuffers are the two 4 MiB
      // chunk buffers the page and the export worker pass back and forth (measured 8.5 MiB;
      // when each chunk had a new buffer, the written ones awaiting V8's collection reached
      // 112-152 MiB): at most four chunks' worth, whatever the file's size.
      assert.ok(heap < 32 * 2 ** 20, `JS heap at most ${heap} bytes`);
      assert.ok(backing <= 16 * 2 ** 20, `ArrayBuffers at most ${backing} bytes`);
      const saved = await opfsFile(page, 'saved-big.bin');
      assert.equal(saved.size, BIG);
      assert.equal(saved.sha, big.fileSha, 'the chosen file holds the exact bytes');
      fs.mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, 'picker-file-saved-light-1280.png') });
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  // Closing the content panel while its file is being saved does not stop the save: it goes
  // on unseen to its end, and the chosen file holds every byte (it was once dropped, silently,
  // with the panel).
  test('a save goes on to its end when its panel is closed', { timeout: T + 240000 }, async () => {
    const page = await session.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    try {
      await installSha256(page);
      await openBigFile(page);
      await putPicker(page);
      await page.locator('[data-testid=download-file]').click();
      await page.locator('[data-testid=save-progress]').waitFor({ timeout: 60000 });
      await page.keyboard.press('Escape');
      await page.locator('[data-testid=file-content]').waitFor({ state: 'detached' });
      const before = await page.evaluate(() => window.__writes.bytes);
      assert.ok(before < BIG, `the save was still running when the panel closed (${before} bytes written)`);
      await page.waitForFunction(() => window.__writes.closed + window.__writes.aborted > 0, null, { timeout: 240000 });
      const writes = await page.evaluate(() => window.__writes);
      assert.deepEqual([writes.closed, writes.aborted, writes.bytes], [1, 0, BIG]);
      const saved = await opfsFile(page, 'saved-big.bin');
      assert.equal(saved.size, BIG);
      assert.equal(saved.sha, big.fileSha, 'the chosen file holds the exact bytes');
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  // A layer's tar through the picker: named by its diff_id, read back from OPFS, hashing to it.
  test('a layer as .tar is written to the chosen file and hashes to its diff_id', { timeout: T }, async () => {
    const page = await session.newPage({ viewport: { width: 360, height: 800 }, colorScheme: 'dark' });
    try {
      await installSha256(page);
      await open(page, path.join(FIXTURES, 'fixture_dive_test-oci-gzip-image.tar'));
      const ls = await layers(page);
      const top = ls[ls.length - 1];
      await app.openTab(page, 'files');
      await putPicker(page);
      await page.locator('[data-testid=download-layer-tar]').click();
      const done = page.locator('[data-testid=save-done]');
      await done.waitFor({ timeout: 60000 });
      const name = `${hex(top.diffId)}.tar`;
      assert.deepEqual(await page.evaluate(() => window.__picks), [name]);
      const saved = await opfsFile(page, `saved-${name}`);
      assert.equal(saved.size, Number(await done.getAttribute('data-bytes')));
      assert.equal(saved.sha, hex(top.diffId));
      fs.mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, 'picker-layer-saved-dark-360.png') });
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  // A picker the browser refuses (a cross-origin frame) falls back to the download, and the
  // page does not ask it again.
  test('a refused picker falls back to the download, and is not asked again', { timeout: T }, async () => {
    const page = await session.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await open(page, path.join(FIXTURES, 'fixture_dive_test-oci-gzip-image.tar'));
      const ls = await layers(page);
      const top = ls[ls.length - 1];
      await app.openTab(page, 'files');
      await putPicker(page, { refuse: true });
      const button = page.locator('[data-testid=download-layer-tar]');
      const first = await save(page, button);
      assert.equal(sha256(first.bytes), hex(top.diffId));
      await page.locator('[data-testid=save-done]').waitFor();
      assert.equal(await page.locator('[data-testid=save-error]').count(), 0);
      const again = await save(page, button);
      assert.equal(sha256(again.bytes), hex(top.diffId));
      assert.equal(await page.evaluate(() => window.__picks.length), 1, 'the refused picker is not asked again');
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  // Closing the picker does nothing (no message, no progress, no save); Cancel in the middle
  // of a save aborts the chosen file's writable: the file is left empty, not as if complete.
  test('closing the picker does nothing; Cancel mid-save leaves no complete file', { timeout: T }, async () => {
    const page = await session.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark', query: '?lang=id' });
    try {
      await installSha256(page);
      await open(page, big.file);
      await app.openTab(page, 'files');
      await putPicker(page, { cancel: true });
      const button = page.locator('[data-testid=download-layer-tar]');
      await button.click();
      await page.waitForFunction(() => window.__picks.length === 1);
      await page.waitForTimeout(500);
      for (const id of ['save-error', 'save-progress', 'save-done', 'save-cancelled']) {
        assert.equal(await page.locator(`[data-testid=${id}]`).count(), 0, `${id} after the picker was closed`);
      }
      assert.equal(await button.isEnabled(), true);
      // Now a save that is stopped: writes slowed so Cancel comes early.
      await putPicker(page, { delayMs: 150 });
      await button.click();
      await page.waitForFunction(() => /Menyimpan [1-9]/.test(document.querySelector('[data-testid=save-progress]')?.textContent || ''), null, { timeout: 60000 });
      fs.mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, 'picker-progress-id-dark-1280.png') });
      await page.locator('[data-testid=save-cancel]').click();
      await page.locator('[data-testid=save-cancelled]').waitFor();
      await page.waitForFunction(() => window.__writes.aborted === 1 && window.__writes.running === 0, null, { timeout: 10000 });
      await page.waitForTimeout(500);
      const w = await page.evaluate(() => window.__writes);
      assert.equal(w.closed, 0, 'never closed, so never put in place');
      const name = `saved-${hex(big.diffId)}.tar`;
      const left = await opfsFile(page, name);
      assert.ok(left === null || left.size === 0, `the chosen file is empty after Cancel: ${JSON.stringify(left)}`);
      assert.equal(await page.locator('[data-testid=save-error]').count(), 0);
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });
});
