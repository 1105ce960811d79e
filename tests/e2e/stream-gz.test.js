'use strict';
// A save compressed as a whole (issue 13, target 4): its layers appear as they are read, not
// at the end. A `docker save | gzip` holds its manifest after every blob, so until the end the
// page shows each layer blob read so far with what its own bytes say; the stack then replaces
// them. Every digest shown while reading is the one the stack later verifies against the
// image's manifest and config (written by bench/make_big_image.py with Python's hashlib).
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const { REPO, FIXTURES, openSession, problemsOf, pickFile, waitReady, screenshot } = require('./lib/browser');
const { holdEndOfReading } = require('./lib/hold');
const { scannerStats } = require('./lib/reads');

const MAKE = path.join(REPO, 'bench', 'make_big_image.py');
// Six layers (40 %, 25 %, 15 %, 10 %, 6 %, 4 % of it): each a few tenths of a second to
// inflate and hash, so the first ones are on screen long before the last one is read.
const SIZE_MIB = 192;
const LAYERS = 6;

let session;
let dir;
let file;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pancake-stream-gz-'));
  const tarPath = path.join(dir, 'six.tar');
  execFileSync('python3', [MAKE, tarPath, String(SIZE_MIB), String(LAYERS)]);
  execFileSync('gzip', ['-n', '-1', tarPath]);
  file = `${tarPath}.gz`;
  session = await openSession();
});
after(async () => {
  await session?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Records, on every change of the page, how many layers read so far and how many stack
 * layers are shown, with the glances' digests then. */
async function watchReading(page) {
  await page.evaluate(() => {
    window.__seen = [];
    const look = () => {
      const read = [...document.querySelectorAll('[data-testid=layer-read]')];
      const stack = document.querySelectorAll('[data-testid=layer]').length;
      const last = window.__seen[window.__seen.length - 1];
      if (last && last.read === read.length && last.stack === stack) return;
      window.__seen.push({
        read: read.length,
        stack,
        digests: read.map((li) => li.querySelector('[data-testid=layer-read-digest] code')?.textContent || null),
        diffIds: read.map((li) => li.querySelector('[data-testid=layer-read-diff-id] code')?.textContent || null),
        missing: read.map((li) => li.querySelector('[data-testid=layer-read-digest]')?.dataset.missing || null),
        files: read.map((li) => Number(li.dataset.files)),
      });
    };
    new MutationObserver(look).observe(document.body, { childList: true, subtree: true });
  });
}

test('the layers of a .tar.gz save appear one by one as it is read, then the stack verifies the same digests', { timeout: 180000 }, async (t) => {
  const page = await session.newPage({ viewport: { width: 1280, height: 900 } });
  await watchReading(page);
  await pickFile(page, file);
  // Mid-read: at least one layer shown, not all, and no stack yet.
  await page.waitForFunction((n) => {
    const k = document.querySelectorAll('[data-testid=layer-read]').length;
    return k >= 1 && k < n;
  }, LAYERS, { timeout: 60000 });
  const explain = await page.locator('[data-testid=layers-read] h2').textContent();
  assert.equal(explain, 'Layers read so far');
  await screenshot(page, 'stream-gz-reading-wide-light');
  await waitReady(page, { timeout: 150000 });

  const seen = await page.evaluate(() => window.__seen);
  t.diagnostic(`states seen: ${seen.map((s) => `${s.read} read/${s.stack} stacked`).join(', ')}`);
  // The list only grew, one layer or a few at a time, while no stack was shown.
  const partial = seen.filter((s) => s.read > 0);
  assert.ok(partial.length >= 2, `expected the list to grow in steps: ${JSON.stringify(seen.map((s) => s.read))}`);
  for (const s of partial) assert.equal(s.stack, 0, 'the stack and the layers read are never shown together');
  for (let i = 1; i < partial.length; i++) assert.ok(partial[i].read > partial[i - 1].read, 'the list only grows');
  assert.ok(partial[0].read < LAYERS, `the first layers showed before the last was read (${partial[0].read} of ${LAYERS})`);
  // The last layer may be read within moments of the end, and then the stack comes first.
  const lastRead = partial[partial.length - 1];
  assert.ok(lastRead.read >= LAYERS - 2, `only ${lastRead.read} of ${LAYERS} layers were shown before the stack`);

  // The stack: every layer verified against the manifest and config, with the very digests
  // shown while reading (the generator writes the layers in stack order).
  // Base first (the stack lists the top layer first).
  const layers = await page.$$eval('[data-testid=layer]', (els) => els.reverse().map((e) => ({
    verified: e.getAttribute('data-verified'),
    digest: e.getAttribute('data-digest'),
    how: e.getAttribute('data-hashed-with'),
  })));
  assert.equal(layers.length, LAYERS);
  assert.ok(layers.every((l) => l.verified === 'true'), JSON.stringify(layers));
  // With a second core the larger blobs were hashed by a second worker as the file was
  // decompressed (`feed::HandOn`): their digests were still to come while the list showed
  // them ("pending", not "not computed"); the others' were the ones the stack verified.
  // Layers stored uncompressed inside the gzip: the blob digest is the diff_id.
  const handedOn = layers.filter((l) => l.how === 'handed-on');
  t.diagnostic(`hashed by a second worker: ${handedOn.length} of ${LAYERS} layers`);
  if (await page.evaluate(() => navigator.hardwareConcurrency) >= 2) assert.ok(handedOn.length >= 1, JSON.stringify(layers));
  assert.ok(layers.every((l) => l.how === 'handed-on' || l.how === null), JSON.stringify(layers));
  // The pass read the file on reads that suspended it (JSPI, which this Chromium has) and
  // handed the blobs' bytes over in pooled buffers, each given back once hashed: the digests
  // verified above are of those pieces.
  const stats = await scannerStats(page);
  t.diagnostic(`the scanner's reads: ${JSON.stringify(stats)}`);
  assert.ok(stats && stats.suspended > 0, JSON.stringify(stats));
  if (handedOn.length) {
    assert.ok(stats.lent > 0 && stats.back === stats.lent, `buffers lent and given back: ${JSON.stringify(stats)}`);
    assert.ok(stats.most <= 16, `at most the pool's 16 buffers: ${JSON.stringify(stats)}`);
  }
  const stacked = layers.slice(0, lastRead.read);
  lastRead.digests.forEach((d, i) => {
    if (d === null) {
      assert.equal(lastRead.missing[i], 'pending', `layer ${i}: no digest yet, and it says it is coming`);
      assert.equal(lastRead.diffIds[i], null);
    } else {
      assert.equal(d, stacked[i].digest, `layer ${i}`);
      assert.equal(lastRead.diffIds[i], stacked[i].digest, `layer ${i}`);
    }
  });
  // Each digest shown while reading is the one its layer has now; a layer whose digest was
  // not shown then is one the second worker hashed.
  for (const [i, d] of lastRead.digests.entries()) {
    assert.equal(d === null, stacked[i].how === 'handed-on', `layer ${i}: ${JSON.stringify(stacked[i])}`);
  }
  assert.ok(lastRead.files.every((n) => n > 0), `file counts ${lastRead.files}`);
  assert.equal(await page.locator('[data-testid=layers-read]').count(), 0, 'the stack replaced the list');
  assert.deepEqual(problemsOf(page), []);
  await page.close();
});

/** Installed before the app loads: every `MessageChannel` the page makes is two channels
 * relayed by the page, and the relay holds each buffer the hasher gives back to the scanner
 * (`{back}`) for `ms` — a hasher whose thread is starved for seconds, as on a loaded laptop. */
function slowGiveBack(ms) {
  const Real = window.MessageChannel;
  const transfers = (d) => (d && typeof d === 'object'
    ? Object.values(d).filter((v) => v instanceof ArrayBuffer) : []);
  const relay = (from, to, wait) => {
    from.onmessage = (e) => {
      const go = () => to.postMessage(e.data, [...transfers(e.data), ...e.ports]);
      if (wait(e.data)) setTimeout(go, ms); else go();
    };
  };
  window.MessageChannel = function MessageChannel() {
    const a = new Real();
    const b = new Real();
    relay(a.port2, b.port1, () => false);
    relay(b.port1, a.port2, (d) => d && d.back instanceof ArrayBuffer);
    return { port1: a.port1, port2: b.port2 };
  };
}

test('a hasher slow to give buffers back still verifies every layer of a .tar.gz', { timeout: 180000 }, async (t) => {
  // With every buffer held 3 s on its way back, the read pool waits its 2 s for one and stops
  // lending for the rest of the pass (web/worker_loader.js): the pieces then go unlent, and
  // no blob handed on is left "not checked".
  const page = await session.newPage({ viewport: { width: 1280, height: 900 } });
  await page.addInitScript(slowGiveBack, 3000);
  await page.reload();
  await pickFile(page, file);
  await waitReady(page, { timeout: 150000 });
  const layers = await page.$$eval('[data-testid=layer]', (els) => els.map((e) => ({
    verified: e.getAttribute('data-verified'),
    how: e.getAttribute('data-hashed-with'),
  })));
  const stats = await scannerStats(page);
  t.diagnostic(`layers: ${JSON.stringify(layers)}; the scanner's reads: ${JSON.stringify(stats)}`);
  assert.equal(layers.length, LAYERS);
  assert.ok(layers.every((l) => l.verified === 'true'), JSON.stringify(layers));
  if (await page.evaluate(() => navigator.hardwareConcurrency) >= 2) {
    assert.ok(layers.some((l) => l.how === 'handed-on'), JSON.stringify(layers));
    // The relay held buffers back long enough for the pool to give up waiting for them.
    assert.ok(stats && stats.gaveUp >= 1, `the pool gave up waiting for a lent buffer: ${JSON.stringify(stats)}`);
  }
  assert.deepEqual(problemsOf(page), []);
  await page.close();
});

test('a .tar.gz read behind a shown image never replaces it with its layers read so far', { timeout: 180000 }, async () => {
  const page = await session.newPage({ viewport: { width: 1280, height: 900 } });
  await pickFile(page, path.join(FIXTURES, 'docker26-save-app1.tar'));
  await waitReady(page);
  const before = await page.locator('[data-testid=layer]').count();
  // A plain tar's summary says nothing of compression; the .tar.gz's says how it was made.
  assert.equal(await page.locator('[data-testid=outer-compression]').count(), 0);
  await watchReading(page);
  await pickFile(page, file);
  await waitReady(page, { timeout: 150000 });
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=layer]').length === n, LAYERS);
  const seen = await page.evaluate(() => window.__seen);
  assert.ok(seen.every((s) => s.read === 0), `layers read so far were shown over the image: ${JSON.stringify(seen.map((s) => s.read))}`);
  assert.ok(seen.every((s) => s.stack > 0), 'the shown image stayed until the next one took over');
  assert.ok(before > 0);
  assert.equal((await page.locator('[data-testid=outer-compression]').innerText()).trim(), 'the file compressed as a whole with gzip');
  assert.deepEqual(problemsOf(page), []);
  await page.close();
});

test('a .tar.gz that breaks off before its manifest keeps the layers it could read', { timeout: 180000 }, async () => {
  // The first 70 % of the compressed file: the first layers whole, one cut, no manifest.
  // Over 64 MiB, so on two cores or more its larger blobs are handed to a second worker to
  // hash: the list, shown for good, gets their digests once that worker gives them back.
  const cut = path.join(dir, 'cut.tar.gz');
  const whole = fs.readFileSync(file);
  fs.writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.7)));
  assert.ok(fs.statSync(cut).size >= 64 << 20);
  const page = await session.newPage({ viewport: { width: 1280, height: 900 } });
  await pickFile(page, cut);
  const list = page.locator('[data-testid=layers-read][data-ended=true]');
  await list.waitFor({ timeout: 120000 });
  const cards = await page.$$eval('[data-testid=layer-read]', (els) => els.map((li) => ({
    path: li.querySelector('code')?.getAttribute('title'),
    digest: li.querySelector('[data-testid=layer-read-digest] code')?.textContent || null,
    error: !!li.querySelector('[data-testid=layer-read-error]'),
  })));
  assert.ok(cards.length >= 2, JSON.stringify(cards));
  const whole_ = cards.filter((c) => !c.error);
  const broken = cards.filter((c) => c.error);
  assert.ok(whole_.length >= 1, 'at least one layer was read whole');
  // A blob read whole hashes to the digest it is stored under (blobs/sha256/<digest>).
  for (const c of whole_) assert.equal(c.digest, `sha256:${path.basename(c.path)}`);
  assert.equal(await page.locator('[data-testid=layer-read-digest][data-missing=pending]').count(), 0, 'no digest left pending');
  assert.equal(broken.length, 1, 'the layer the file breaks off in is listed with its error');
  assert.equal(await page.locator('[data-testid=layer]').count(), 0, 'no stack: no manifest');
  assert.equal(Number(await page.locator('[data-testid=layers-read-count]').getAttribute('data-count')), cards.length);
  await screenshot(page, 'stream-gz-ended-wide-light');
  assert.deepEqual(problemsOf(page), []);
  await page.close();
});

for (const { name, viewport, colorScheme, lang } of [
  { name: 'phone-dark-id', viewport: { width: 360, height: 780 }, colorScheme: 'dark', lang: 'id' },
  { name: 'wide-dark-en', viewport: { width: 1280, height: 900 }, colorScheme: 'dark', lang: 'en' },
  { name: 'phone-light-en', viewport: { width: 360, height: 780 }, colorScheme: 'light', lang: 'en' },
]) {
  test(`layers read so far (${name}): in the page's language, nothing wider than the screen`, { timeout: 180000 }, async () => {
    const page = await session.newPage({ viewport, colorScheme, query: `?lang=${lang}` });
    // The reading's end is held while the test looks: on a fast machine (or a busy one, where
    // the click below waited) the file was read before the page was looked at, and the
    // section was gone (a CI run: "still reading when looked at").
    await holdEndOfReading(page);
    await pickFile(page, file);
    await page.locator('[data-testid=layer-read]').first().waitFor({ timeout: 60000 });
    // Open the first layer's largest files, as a person would, before looking.
    await page.locator('[data-testid=layer-read] details summary').first().click();
    const seen = await page.evaluate(() => {
      const section = document.querySelector('[data-testid=layers-read]');
      return {
        title: section?.querySelector('h2')?.textContent,
        text: section?.innerText || '',
        overflow: document.scrollingElement.scrollWidth - window.innerWidth,
        stack: document.querySelectorAll('[data-testid=layer]').length,
      };
    });
    await screenshot(page, `stream-gz-reading-${name}`);
    assert.ok(seen.overflow <= 0, `the page is ${seen.overflow}px wider than the screen`);
    assert.equal(seen.stack, 0, 'still reading when looked at');
    assert.equal(seen.title, lang === 'id' ? 'Layer yang sudah terbaca' : 'Layers read so far');
    if (lang === 'id') {
      for (const english of ['files (', 'directories', 'Largest files', 'Where its bytes', 'compressed as a whole']) {
        assert.ok(!seen.text.includes(english), `English "${english}" in ?lang=id: ${seen.text}`);
      }
    }
    await page.evaluate(() => window.__pcEndRelease());
    await waitReady(page, { timeout: 150000 });
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });
}
