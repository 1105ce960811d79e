'use strict';
// One size per layer (issue 14): the page shows ONE size for a layer — the size of its files,
// as `docker image history` prints SIZE — in the stack, the layer details, History, the
// Shared diagram (bands and details) and the Container view; the tar and stored sizes appear,
// labelled, in the details only. Checked on the nginx and WordPress demos and against sizes
// computed here from a real fixture's own listing.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { REPO, FIXTURES, openSession, problemsOf, pickFile, waitReady } = require('./lib/browser');
const { loadExpected, parseListingLine, normPath } = require('./lib/expected');
const app = require('./lib/app');

const READY = Number(process.env.PANCAKE_E2E_READY_MS || 45000);
const T = READY * 2 + 60000;
const SHOTS = path.join(REPO, 'target', 'screenshots', 'sizes');

/** Every slab's headline size: { index, diffId, text, bytes, tar } bottom first (the DOM's top-first order reversed). */
async function stackSizes(page) {
  await app.openTab(page, 'stack');
  await app.settledLayers(page);
  return page.$$eval('[data-testid=layer]', (els) => els.reverse().map((e) => {
    const s = e.querySelector('[data-testid=layer-size]');
    return {
      index: Number(e.getAttribute('data-index')),
      diffId: e.getAttribute('data-diff-id'),
      text: s ? s.textContent.trim() : null,
      bytes: s ? Number(s.getAttribute('data-bytes')) : null,
      tar: Number(e.getAttribute('data-size')),
    };
  }));
}

/** The details panel's headline size and its other sizes, for layer `i` of the stack. */
async function detailSizes(page, i) {
  await app.selectLayer(page, i);
  const d = page.locator(`[data-testid=layer-details][data-index="${i}"]`).first();
  await d.waitFor({ timeout: 5000 });
  const size = d.locator('[data-testid=layer-size]').first();
  const other = d.locator('[data-testid=layer-other-sizes]').first();
  return {
    text: (await size.textContent()).trim(),
    bytes: Number(await size.getAttribute('data-bytes')),
    tar: Number(await other.getAttribute('data-tar-bytes')),
    other: (await other.textContent()).trim(),
  };
}

/** History rows that made a layer: layer index → SIZE text. */
async function historySizes(page) {
  await app.openTab(page, 'history');
  const rows = await page.$$eval('[data-testid=history-row][data-layer]', (els) => els.map((e) => [
    Number(e.getAttribute('data-layer')), e.querySelector('.h-size').textContent.trim(),
  ]));
  return new Map(rows);
}

/** Shared diagram bands: diff_id → size text; and each band's details size after a click. */
async function sharedSizes(page) {
  await app.openTab(page, 'shared');
  const bands = page.locator('[data-testid=shared-layer]');
  await bands.first().waitFor({ timeout: 10000 });
  const out = new Map();
  const n = await bands.count();
  for (let k = 0; k < n; k++) {
    const b = bands.nth(k);
    const diff = await b.getAttribute('data-diff-id');
    const text = (await b.locator('[data-testid=layer-size]').first().textContent()).trim();
    await b.scrollIntoViewIfNeeded();
    await b.click();
    const det = page.locator('[data-testid=shared-layer-details]').first();
    await det.waitFor({ timeout: 5000 });
    const detText = (await det.locator('[data-testid=layer-size]').first().textContent()).trim();
    out.set(diff, { text, detText });
  }
  return out;
}

/** Runs a container on the shown image; its lower layers' sizes: layer index → text. */
async function containerSizes(page) {
  await app.openTab(page, 'container');
  await page.locator('[data-testid=run-container]').first().click();
  await page.locator('[data-testid=container-layer]').first().waitFor({ timeout: 10000 });
  const rows = await page.$$eval('.ctr-lower[data-layer-index]', (els) => els.map((e) => [
    Number(e.getAttribute('data-layer-index')), e.querySelector('[data-testid=layer-size]').textContent.trim(),
  ]));
  return new Map(rows);
}

/** The same layer has the same size text in stack, details, History, Shared and Container. */
async function checkOneSize(page, where) {
  const stack = await stackSizes(page);
  assert.ok(stack.length >= 2, `${where}: layers`);
  for (const l of stack) {
    assert.ok(l.text && /^\d/.test(l.text), `${where}: layer ${l.index} shows a size: ${l.text}`);
    const d = await detailSizes(page, l.index);
    assert.equal(d.text, l.text, `${where}: layer ${l.index + 1} details vs stack`);
    assert.equal(d.bytes, l.bytes, `${where}: layer ${l.index + 1} bytes`);
    // The tar size is the other figure, shown in the details only.
    assert.equal(d.tar, l.tar, `${where}: layer ${l.index + 1} tar bytes in the details`);
    assert.match(d.other, /tar/);
  }
  // What the page calls a layer's size is the files' size, smaller than the tar that holds
  // them (headers and padding): the two meanings really differ, so a mix-up would show.
  assert.ok(stack.some((l) => l.bytes < l.tar), `${where}: file bytes below tar bytes somewhere`);
  const hist = await historySizes(page);
  for (const l of stack) assert.equal(hist.get(l.index), l.text, `${where}: layer ${l.index + 1} History SIZE vs stack`);
  const shared = await sharedSizes(page);
  for (const l of stack) {
    const s = shared.get(l.diffId);
    assert.ok(s, `${where}: layer ${l.index + 1} in the Shared diagram`);
    assert.equal(s.text, l.text, `${where}: layer ${l.index + 1} Shared band vs stack`);
    assert.equal(s.detText, l.text, `${where}: layer ${l.index + 1} Shared details vs stack`);
  }
  const ctr = await containerSizes(page);
  for (const l of stack) assert.equal(ctr.get(l.index), l.text, `${where}: layer ${l.index + 1} Container vs stack`);
  return stack;
}

/**
 * Docker's layer SIZE computed from a fixture's own listing (`.expected.json`, Python's
 * tarfile): regular files' sizes and symlink target lengths, the last copy of a path once,
 * whiteouts and directories 0.
 */
function filesBytes(listing) {
  const by = new Map();
  for (const line of listing) {
    const e = parseListingLine(line);
    const name = e.path.split('/').pop() || '';
    let n = 0;
    if (name.startsWith('.wh.')) n = 0;
    else if (e.kind === 'f') n = e.size || 0;
    else if (e.kind === 'l') n = Buffer.byteLength(e.target || '', 'utf8');
    by.set(normPath(e.path), n);
  }
  return [...by.values()].reduce((s, v) => s + v, 0);
}

// A docker save (written with Python's tarfile) whose top layer is cut 4 KiB into an entry
// whose header claims 1.1 TB; its config's diff_ids are of the blobs as written.
const CUT_SAVE = `
import tarfile, io, json, hashlib, sys
def member(name, data):
    ti = tarfile.TarInfo(name); ti.size = len(data); ti.mode = 0o644; ti.mtime = 1700000000
    return ti.tobuf(format=tarfile.GNU_FORMAT) + data + bytes(-len(data) % 512)
base = member('etc/hello.txt', b'hello\\n' * 100) + member('bin/tool', b'x' * 5004) + bytes(1024)
huge = tarfile.TarInfo('data/huge.bin'); huge.size = 1100000000000; huge.mode = 0o644; huge.mtime = 1700000000
top = member('data/small.txt', b'abc\\n') + huge.tobuf(format=tarfile.GNU_FORMAT) + b'z' * 4096
ids = ['sha256:' + hashlib.sha256(x).hexdigest() for x in (base, top)]
cfg = json.dumps({'architecture': 'amd64', 'os': 'linux', 'created': '2024-01-01T00:00:00Z',
  'rootfs': {'type': 'layers', 'diff_ids': ids},
  'history': [{'created': '2024-01-01T00:00:00Z', 'created_by': '/bin/sh -c #(nop) ADD file:base in / '},
              {'created': '2024-01-01T00:00:00Z', 'created_by': 'RUN make-data'}]}).encode()
name = hashlib.sha256(cfg).hexdigest() + '.json'
man = json.dumps([{'Config': name, 'RepoTags': ['cut:1'], 'Layers': ['l0/layer.tar', 'l1/layer.tar']}]).encode()
with tarfile.open(sys.argv[1], 'w', format=tarfile.USTAR_FORMAT) as t:
    for n, data in [(name, cfg), ('l0/layer.tar', base), ('l1/layer.tar', top), ('manifest.json', man)]:
        ti = tarfile.TarInfo(n); ti.size = len(data); ti.mode = 0o644; ti.mtime = 1700000000
        t.addfile(ti, io.BytesIO(data))
`;

describe('one size per layer (issue 14)', () => {
  let session;
  before(async () => { session = await openSession(); });
  after(async () => { if (session) await session.close(); });

  for (const demo of ['nginx', 'wordpress-a']) {
    test(`${demo}: the same layer shows the same size in stack, details, History, Shared and Container`, { timeout: T }, async () => {
      const page = await session.newPage({ query: `?demo=${demo}` });
      try {
        await waitReady(page, { timeout: READY });
        await checkOneSize(page, demo);
        assert.deepEqual(problemsOf(page), []);
      } finally {
        await page.close();
      }
    });
  }

  test('wordpress pair: a shared band shows the size each image\'s stack shows', { timeout: T }, async () => {
    const page = await session.newPage();
    try {
      await page.locator('[data-testid=demo-wordpress-pair]').first().click();
      await waitReady(page, { timeout: READY });
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=image-option]').length === 2, null, { timeout: READY });
      const byDiff = new Map();
      for (let i = 0; i < 2; i++) {
        await app.openTab(page, 'stack');
        await page.locator('[data-testid=image-option]').nth(i).click();
        for (const l of await stackSizes(page)) {
          if (byDiff.has(l.diffId)) assert.equal(byDiff.get(l.diffId), l.text, `layer ${l.diffId} in both stacks`);
          byDiff.set(l.diffId, l.text);
        }
      }
      const shared = await sharedSizes(page);
      assert.equal(shared.size, byDiff.size, 'one band per distinct layer of the pair');
      for (const [diff, text] of byDiff) {
        assert.equal(shared.get(diff)?.text, text, `band ${diff}`);
        assert.equal(shared.get(diff)?.detText, text, `band details ${diff}`);
      }
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  test('a real docker save: each layer\'s size is its files\' size from the fixture\'s listing', { timeout: T }, async () => {
    const file = path.join(FIXTURES, 'docker20-save-app1.tar');
    const exp = loadExpected(file);
    const layers = exp.raw.images[0].layers;
    const page = await session.newPage();
    try {
      await pickFile(page, file);
      await waitReady(page, { timeout: READY });
      const stack = await checkOneSize(page, 'docker20-save-app1');
      assert.equal(stack.length, layers.length);
      // The listing is complete for layers of up to 400 entries (the fixture README): the
      // app's own layers; the base image's is longer and is checked by its tar size only.
      let checked = 0;
      stack.forEach((l, i) => {
        const want = layers[i];
        assert.equal(l.tar, want.uncompressed_size, `layer ${i + 1}: tar bytes`);
        const count = typeof want.entries === 'number' ? want.entries : (want.entries || []).length;
        if (!Array.isArray(want.listing) || want.listing.length !== count || count > 400) return;
        assert.equal(l.bytes, filesBytes(want.listing), `layer ${i + 1}: bytes of its files`);
        checked += 1;
      });
      assert.ok(checked >= 2, `layers checked against the listing: ${checked}`);
      // The Files view's changes of each layer add up to that size: its folders' totals and
      // the files at the root, a symlink counting its target's length as Docker does (the
      // `ln -s` layer: hello.txt 21 B, symlink targets 15 and 14 B, under data/ 50 B).
      await app.openTab(page, 'files');
      await page.click('[data-testid=files-changes]');
      let withLinks = 0;
      for (const l of stack) {
        await page.selectOption('[data-testid=layer-select]', String(l.index));
        // The listing of the layer just chosen (the view says which it shows), not the last one.
        await page.locator(`[data-testid=files-view][data-layer="${l.index}"][data-merged=false]`).waitFor({ timeout: 10000 });
        const rows = await page.$$eval('[data-testid=file-row]', (els) => els.map((e) => ({
          level: e.getAttribute('aria-level'), change: e.dataset.change, size: Number(e.dataset.size), kind: e.dataset.kind,
        })));
        assert.ok(rows.length > 0 || l.bytes === 0, `layer ${l.index + 1}: rows listed`);
        const total = rows.filter((r) => r.level === '1' && r.change !== 'deleted').reduce((a, r) => a + r.size, 0);
        assert.equal(total, l.bytes, `layer ${l.index + 1}: the Files view's changes add up to the layer's size`);
        if (rows.some((r) => r.kind === 'symlink' && r.size > 0)) withLinks += 1;
      }
      assert.ok(withLinks >= 1, 'a layer with symlinks was added up');
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  test('a layer cut short inside a header that claims 1.1 TB: "size unknown" in every view, not the claim', { timeout: T }, async () => {
    // A save whose top layer ends 4 KiB into an entry whose GNU header claims 1.1 TB; the
    // CLI's history SIZE for it is "—". The page once summed the listed entries: "1.1TB" in
    // the stack, details, History and Shared.
    const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'pancake-cut-'));
    const file = path.join(dir, 'cut.tar');
    require('node:child_process').execFileSync('python3', ['-c', CUT_SAVE, file]);
    const page = await session.newPage();
    try {
      await pickFile(page, file);
      await waitReady(page, { timeout: READY });
      const stack = await stackSizes(page);
      assert.deepEqual(stack.map((l) => l.text), ['5.6kB', 'size unknown']);
      const d = await detailSizes(page, 1);
      assert.equal(d.text, 'size unknown');
      assert.equal(d.tar, 5632, 'its tar as far as it goes');
      const hist = await historySizes(page);
      assert.deepEqual([hist.get(0), hist.get(1)], ['5.6kB', 'size unknown']);
      const shared = await sharedSizes(page);
      // Its band is keyed by the diff_id its config claims (none was computed): two bands.
      assert.deepEqual([...shared.values()].map((b) => [b.text, b.detText]).sort(),
        [['5.6kB', '5.6kB'], ['size unknown', 'size unknown']]);
      const ctr = await containerSizes(page);
      assert.equal(ctr.get(1), 'size unknown');
      // The file the layer ends inside is listed with what is here of what its header
      // claims, in the container's files and in the Files view (not as a 1.1 TB file).
      const cutRow = page.locator('[data-testid=container-file-row][data-path="/data/huge.bin"] [data-testid=file-cut]');
      assert.equal(await cutRow.getAttribute('data-claimed'), '1100000000000');
      assert.equal(await cutRow.getAttribute('data-present'), '4096');
      assert.equal((await cutRow.locator('[aria-hidden=true]').innerText()).trim(), '✂ 4.1kB of 1.1TB');
      await app.openTab(page, 'files');
      await page.click('[data-testid=files-changes]');
      await page.selectOption('[data-testid=layer-select]', '1');
      await page.locator('[data-testid=files-view][data-layer="1"][data-merged=false]').waitFor({ timeout: 10000 });
      const fileCut = page.locator('[data-testid=file-row][data-path="data/huge.bin"] [data-testid=file-cut]');
      assert.match(await fileCut.locator('.visually-hidden').innerText(), /^Cut short: the layer ends inside this file\. Its header says 1\.1TB; the layer holds 4\.1kB of it\.$/);
      assert.equal(await page.locator('[data-testid=file-row][data-path="data/small.txt"] .file-size').innerText(), '4B');
      for (const t of await page.locator('[data-testid=layer-size]').allInnerTexts()) assert.doesNotMatch(t, /TB/);
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('screenshots: stack, Shared and Container sizes, 1280 and 360 px, light and dark', { timeout: T * 2 }, async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    for (const [width, height] of [[1280, 800], [360, 740]]) {
      for (const scheme of ['light', 'dark']) {
        const page = await session.newPage({ viewport: { width, height }, colorScheme: scheme, query: '?demo=nginx' });
        try {
          await waitReady(page, { timeout: READY });
          await app.openTab(page, 'stack');
          await app.selectLayer(page, 2);
          await page.locator('[data-testid=layer-details]').first().waitFor();
          await page.screenshot({ path: path.join(SHOTS, `stack-${width}-${scheme}.png`), fullPage: true });
          await app.openTab(page, 'shared');
          await page.locator('[data-testid=shared-layer]').first().click();
          await page.screenshot({ path: path.join(SHOTS, `shared-${width}-${scheme}.png`), fullPage: true });
          await app.openTab(page, 'container');
          await page.locator('[data-testid=run-container]').first().click();
          await page.locator('[data-testid=container-layer]').first().waitFor({ timeout: 10000 });
          await page.screenshot({ path: path.join(SHOTS, `container-${width}-${scheme}.png`), fullPage: true });
          assert.deepEqual(problemsOf(page), []);
        } finally {
          await page.close();
        }
      }
    }
  });
});
