'use strict';
// The scanner's walk on reads that suspend it (JSPI, web/worker_loader.js) and, in a browser
// without JSPI, on `FileReaderSync`: the same 200,000-file image read both ways gives the same
// digests and figures, the base layer hashed from the walk's own reads both times. With JSPI
// every read of the scan goes through at most the pool's buffers, each lent to the hasher and
// given back, and none is a `FileReaderSync` read (issue 13, target 3: the walk's reads were the garbage that made the
// page's memory peak). And when things go wrong — a read that stalls, reads that fail, a
// hasher that keeps the buffers, a scan that traps — the page neither hangs nor loses a fact.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const { REPO, openSession, pickFile, problemsOf, waitReady } = require('./lib/browser');
const { READY_TIMEOUT, largeImage, assertFigures, layersOf } = require('./lib/large');
const { readStats } = require('./lib/reads');
const { holdResponses } = require('./lib/hold');

const POOL_MOST = 8; // web/worker_loader.js
const PIECE = 2 << 20; // web/worker_loader.js, `MAX_SUSPENDING_CHUNK` in web/src/file_source.rs

/**
 * Opens the image and checks the stack and its figures are as the generator made them, the
 * base layer hashed the way `how` says (`undefined`: from the walk's reads given a second
 * core); returns the layers.
 */
async function openVerified(page, img, how, why) {
  // The scanner whose reads are looked at stays: once settled, a large image's scanner hands
  // its reading to a new one (handover.test.js), whose loader has read nothing; held, the
  // new one's "Adopted" keeps the old one reading (and after 20 s the hand-over is taken back).
  await holdResponses(page, '^\\{"Adopted"');
  await pickFile(page, img.file);
  await waitReady(page, { timeout: READY_TIMEOUT });
  const layers = await layersOf(page);
  assert.deepEqual(layers.map((l) => l.diffId), img.diffIds, 'layers bottom to top, diff_ids computed');
  assert.deepEqual(layers.map((l) => l.verified), ['true', 'true'], 'both layers verified');
  if (how === undefined) {
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    assert.equal(layers[0].how, cores >= 2 ? 'with-walk' : 'streamed', JSON.stringify(layers));
  } else {
    assert.equal(layers[0].how, how, why);
  }
  await assertFigures(page, img);
  return layers;
}

/** [`openVerified`], and no problem on the page. */
async function openAndCheck(page, img) {
  const layers = await openVerified(page, img);
  assert.deepEqual(problemsOf(page), []);
  return layers;
}

// The first line of the loader's read (`web/worker_loader.js`), where failures are injected.
const READ_INTO = 'async function readInto(file, start, needEnd, end, ptr, cap, readOn) {';

// A session whose workers load `worker_loader.js` changed by `change` (a fresh browser
// each: once loaded, the page's offline cache would serve the first version to the next).
async function sessionWith(change) {
  const session = await openSession();
  await session.ctx.route('**/worker_loader.js', async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, body: change(await response.text()) });
  });
  return session;
}

describe('the walk of a 200,000-file layer, with and without JSPI', () => {
  const img = largeImage();

  describe('in this Chromium, which has JSPI', () => {
    let session;
    before(async () => { session = await openSession(); });
    after(async () => { await session?.close(); });

    test('the walk suspends on its reads, pooled buffers go to the hasher and come back, the figures are right', { timeout: 120000 }, async () => {
      // Read three times over: a stall (see below) came once in a few walks.
      for (let i = 0; i < 2; i++) {
        const again = await session.newPage();
        await openAndCheck(again, img);
        const s = (await readStats(again)).find((w) => w.stats && w.stats.suspended > 0);
        assert.equal(s?.stats.stalled, 0, `walk ${i + 1}: no read stalled`);
        await again.close();
      }
      const page = await session.newPage();
      const layers = await openAndCheck(page, img);
      const workers = await readStats(page);
      assert.ok(workers.length > 0 && workers.every((w) => w.jspi), JSON.stringify(workers));
      const scanner = workers.find((w) => w.stats.suspended > 0);
      assert.ok(scanner, `a worker read suspended: ${JSON.stringify(workers)}`);
      const { suspended, lent, back, most, stalled } = scanner.stats;
      console.log(`# suspending reads: ${suspended}, buffers lent ${lent}, given back ${back}, at most ${most} made, ${stalled} stalled`);
      // No read stalled: the readers under way are held (a blob stream only its pending read
      // refers to was collected, its read never answered: the walk hung once in a few runs).
      assert.equal(stalled, 0, 'no read stalled');
      // The base layer's walk reads nearly all of it; the long run goes in pieces of at most
      // 2 MiB, read ahead once the run has grown to them.
      assert.ok(suspended >= Math.floor(img.size / PIECE / 2), `${suspended} reads for ${img.size} bytes`);
      assert.ok(most >= 1 && most <= POOL_MOST, `at most ${most} buffers made at once`);
      if (layers[0].how === 'with-walk') {
        assert.ok(lent >= Math.floor(img.blobBytes[0] / PIECE / 2), `${lent} buffers lent for ${img.blobBytes[0]} bytes`);
        assert.equal(back, lent, 'every buffer lent came back');
      }
      await page.close();
    });
  });

  describe('with reads that stall', () => {
    let session;
    before(async () => {
      // Every blob-stream read given up at once, as one that stalls is after 3 s: the rest
      // of its piece is read synchronously (`fill` in web/worker_loader.js).
      session = await sessionWith((text) => {
        assert.match(text, /const STALL_MS = \d+;/);
        return text.replace(/const STALL_MS = \d+;/, 'const STALL_MS = 0;');
      });
    });
    after(async () => { await session?.close(); });

    test('the walk goes on with the stalled pieces read another way: the same digests and figures', { timeout: 120000 }, async () => {
      const page = await session.newPage();
      await openAndCheck(page, img);
      const scanner = (await readStats(page)).find((w) => w.stats && w.stats.suspended > 0);
      assert.ok(scanner && scanner.stats.stalled > 0, `reads given up: ${JSON.stringify(scanner)}`);
      console.log(`# reads given up and read synchronously: ${scanner.stats.stalled} of ${scanner.stats.suspended}`);
      await page.close();
    });
  });

  describe('when reads fail mid-walk', () => {
    let session;
    before(async () => {
      // The first read from 64 MB on (the base layer is the file's first 205 MB: only its
      // walk reads there) throws: mid-way through the layer. Only that one: the outer walk's
      // reads suspend too, and a file that cannot be read at all is the damaged-file case,
      // not this one.
      session = await sessionWith((text) => {
        const read = READ_INTO;
        assert.ok(text.includes(read));
        return text.replace(read, `${read} if (!self.injected && start >= 64e6 && start < 128e6) { self.injected = true; throw new Error('injected'); }`);
      });
    });
    after(async () => { await session?.close(); });

    test('no hang: the layer indexed and verified by its own hash job', { timeout: 120000 }, async () => {
      const page = await session.newPage();
      await openVerified(page, img, 'streamed', 'not fed whole by the walk: hashed (and indexed) by its job');
      // The failure was injected (a scanner's loader says so), not merely allowed for.
      const injected = [];
      for (const w of page.workers()) injected.push(await w.evaluate(() => self.injected === true).catch(() => false));
      assert.ok(injected.includes(true), 'the injected read failure happened');
      await page.close();
    });
  });

  describe('no synchronous read in a scan', () => {
    let session;
    before(async () => {
      // `FileReaderSync` reads counted while a scan runs (each makes a new buffer: the
      // garbage the pool is there to avoid, issue 13's target 5).
      session = await sessionWith((text) => {
        const at = 'let scanning = false;';
        assert.ok(text.includes(at));
        return text.replace(at, `${at}
  stats.syncInScan = 0;
  {
    const sync = FileReaderSync.prototype.readAsArrayBuffer;
    FileReaderSync.prototype.readAsArrayBuffer = function (blob) {
      if (scanning) stats.syncInScan += 1;
      return sync.call(this, blob);
    };
  }`);
      });
    });
    after(async () => { await session?.close(); });

    test('every read of the scan goes through the pool: none is a FileReaderSync read', { timeout: 120000 }, async () => {
      const page = await session.newPage();
      await openAndCheck(page, img);
      const scanner = (await readStats(page)).find((w) => w.stats && w.stats.suspended > 0);
      assert.ok(scanner, 'the scanner read by suspending');
      assert.equal(scanner.stats.stalled, 0);
      assert.equal(scanner.stats.syncInScan, 0, `synchronous reads in the scan: ${JSON.stringify(scanner.stats)}`);
      await page.close();
    });
  });

  describe('when the file goes away on disk mid-walk', () => {
    let session;
    before(async () => {
      // Every read from 64 MB on fails as the browser fails a read of a file changed, moved
      // or deleted after it was picked.
      session = await sessionWith((text) => {
        const read = READ_INTO;
        assert.ok(text.includes(read));
        return text.replace(read, `${read} if (start >= 64e6) throw new DOMException('injected', 'NotReadableError');`);
      });
    });
    after(async () => { await session?.close(); });

    test('the page says the file can no longer be read, in the words a synchronous read gets', { timeout: 120000 }, async () => {
      const page = await session.newPage();
      await pickFile(page, img.file);
      await page.waitForFunction(() => /the file can no longer be read: it was changed, moved or deleted on disk after it was opened/
        .test(document.body.innerText), null, { timeout: 60000 });
      assert.doesNotMatch(await page.locator('body').innerText(), /a read of the file from byte \d+ failed/);
      await page.close();
    });
  });

  describe('when the hasher keeps the buffers lent to it', () => {
    let session;
    before(async () => {
      // The buffers the hasher gives back never reach the pool, as if it kept them.
      session = await sessionWith((text) => {
        const back = 'stats.back += 1;\n        give(e.data.back);';
        assert.ok(text.includes(back));
        return text.replace(back, '');
      });
    });
    after(async () => { await session?.close(); });

    test('the walk stops lending once the pool has run dry, and the layer is hashed the usual way', { timeout: 120000 }, async () => {
      const page = await session.newPage();
      await openVerified(page, img, 'streamed', 'fed only in part: hashed by its job');
      const scanner = (await readStats(page)).find((w) => w.stats && w.stats.suspended > 0);
      assert.ok(scanner.stats.lent <= POOL_MOST, `no more lent than the pool holds: ${JSON.stringify(scanner.stats)}`);
      assert.equal(scanner.stats.back, 0);
      await page.close();
    });
  });

  describe('when the scan fails as a trap would', () => {
    let session;
    before(async () => {
      session = await sessionWith((text) => {
        const run = '      run()\n        .catch(';
        assert.ok(text.includes(run));
        return text.replace(run, "      Promise.reject(new Error('injected: the scan trapped'))\n        .catch(");
      });
    });
    after(async () => { await session?.close(); });

    test('the page says the worker stopped, and why', { timeout: 120000 }, async () => {
      const page = await session.newPage();
      await pickFile(page, img.file);
      const error = page.locator('[data-testid=error]');
      await error.first().waitFor({ state: 'attached', timeout: 30000 });
      assert.match(await error.first().textContent(), /worker stopped.*injected: the scan trapped/s);
      await page.close();
    });
  });

  describe('in a browser without JSPI', () => {
    let session;
    before(async () => {
      // The worker's entry as such a browser runs it: `WebAssembly.Suspending` missing.
      session = await sessionWith((text) => `delete WebAssembly.Suspending;\n${text}`);
    });
    after(async () => { await session?.close(); });

    test('the walk reads synchronously, the base layer hashed from its reads, the same digests and figures', { timeout: 120000 }, async () => {
      const page = await session.newPage();
      await openAndCheck(page, img);
      const workers = await readStats(page);
      assert.ok(workers.length > 0, 'the workers answer');
      assert.deepEqual(workers.filter((w) => w.jspi || w.stats), [], 'no worker installed JSPI');
      await page.close();
    });

    test('a save compressed as a whole: its blobs handed to the hasher in pieces of their own, every digest verified', { timeout: 120000 }, async () => {
      // Six layers of a 192 MiB save (bench/make_big_image.py, its digests by Python's
      // hashlib), gzip-compressed as a whole: the scanner's one pass hands the larger blobs'
      // bytes to a hasher (`feed::HandOn`) without lending it buffers, and asks for their
      // digests at the end on a listener of its own (the port has no `onmessage` here).
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pancake-sync-gz-'));
      try {
        const tarPath = path.join(dir, 'six.tar');
        execFileSync('python3', [path.join(REPO, 'bench', 'make_big_image.py'), tarPath, '192', '6']);
        execFileSync('gzip', ['-n', '-1', tarPath]);
        const page = await session.newPage();
        await pickFile(page, `${tarPath}.gz`);
        await waitReady(page, { timeout: READY_TIMEOUT });
        const layers = await page.$$eval('[data-testid=layer]', (els) => els.map((e) => ({
          verified: e.getAttribute('data-verified'), how: e.getAttribute('data-hashed-with'),
        })));
        assert.equal(layers.length, 6);
        assert.ok(layers.every((l) => l.verified === 'true'), JSON.stringify(layers));
        if (await page.evaluate(() => navigator.hardwareConcurrency) >= 2) {
          assert.ok(layers.some((l) => l.how === 'handed-on'), JSON.stringify(layers));
        }
        assert.deepEqual((await readStats(page)).filter((w) => w.jspi || w.stats), [], 'no worker installed JSPI');
        assert.deepEqual(problemsOf(page), []);
        await page.close();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
