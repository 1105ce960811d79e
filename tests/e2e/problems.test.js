'use strict';
// Problems people can act on (issues 15 and 14), on the real page in both languages: a corrupt
// layer is ONE problem, grouped under its layer (numbered from 1 as the stack is), whose button
// selects that layer; each kind has a translated title and a plain explanation, the technical
// detail stays verbatim; a cut-off tarball says it ends early and after which member.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const fs = require('node:fs');
const crypto = require('node:crypto');
const { entries: tarEntries } = require('./lib/tar');
const { FIXTURES, SHOTS, SEL, openSession, problemsOf, warningsOf, pickFile, waitReady, screenshot } = require('./lib/browser');

// This track's screenshots go to target/screenshots/problems/.
const shot = (page, name) => {
  fs.mkdirSync(path.join(SHOTS, '..', 'problems'), { recursive: true });
  return screenshot(page, path.join('..', 'problems', name));
};

const READY_TIMEOUT = Number(process.env.PANCAKE_E2E_READY_MS || 45000);
const TEST_TIMEOUT = READY_TIMEOUT + 60000;
const CORRUPT = 'malformed-corrupt-layer-byte-docker20.tar';
const TRUNCATED = 'malformed-truncated-midlayer-docker20.tar';
// The corrupt byte is in rootfs layer index 1 (0-based, as expected.json and the JSON count):
// the page calls it layer 2.
const BAD_LAYER = 1;

const WORDS = {
  en: {
    title: 'Digest mismatch',
    why: 'What the bytes are (their fingerprint, SHA-256, their size or their compression) differs from what the image records for them',
    group: 'Layer 2',
    archiveTitle: 'The tarball is damaged',
    archiveWhy: 'The tarball itself is cut off or broken',
    endsTitle: 'The tarball ends before the image is described',
    endsWhy: 'this one breaks off before them',
    detail: 'Detail:',
  },
  id: {
    title: 'Digest tidak cocok',
    why: 'Isi file (sidik jarinya, SHA-256, ukurannya, atau kompresinya) berbeda dengan yang dicatat image',
    group: 'Layer 2',
    archiveTitle: 'Tarball rusak',
    archiveWhy: 'Tarball-nya sendiri terpotong atau rusak',
    endsTitle: 'Tarball berakhir sebelum image-nya dijelaskan',
    endsWhy: 'tarball ini terputus sebelum file itu',
    detail: 'Detail teknis (bahasa Inggris):',
  },
};

const squash = (s) => s.replace(/\s+/g, ' ').trim();

describe('problems: grouped by layer, translated, one per cause', () => {
  let session;
  before(async () => { session = await openSession(); });
  after(async () => { if (session) await session.close(); });

  // Member-level problems of a layer the first walk indexed must survive the large-image
  // path (entry lists crossing apart from the archive, decoded in slices): the same problems
  // as the CLI, under the same layer, as for a small image.
  for (const files of [1000, 30000]) {
    test(`a layer's own problems are shown on a ${files}-file image too`, { timeout: TEST_TIMEOUT }, async () => {
      const { makeLargeImage } = require('../make_large_image');
      const img = makeLargeImage(files, { problems: true });
      const file = path.join(require('node:os').tmpdir(), `pancake-e2e-problems-${files}.tar`);
      fs.writeFileSync(file, img.bytes);
      const page = await session.newPage({ query: '?lang=en' });
      await pickFile(page, file);
      await waitReady(page, { timeout: READY_TIMEOUT });
      const kinds = await page.$$eval(`[data-testid=problem-group] ${SEL.error}`, (els) => els.map((e) => e.dataset.kind));
      assert.deepEqual(kinds.sort(), ['unsafe-path', 'whiteout']);
      const group = squash(await page.locator('[data-testid=problem-group]').first().textContent());
      assert.match(group, /^Layer 1 /);
      assert.match(group, /unsafe entry \.\.\/escape\.txt/);
      assert.match(group, /entry data\/\.wh\.\.wh\.bogus/);
      assert.deepEqual(problemsOf(page), []);
      await page.close();
      fs.rmSync(file, { force: true });
    });
  }

  for (const [lang, viewport, colorScheme] of [
    ['en', { width: 1280, height: 800 }, 'light'],
    ['id', { width: 360, height: 740 }, 'dark'],
  ]) {
    test(`a corrupt layer is one problem under its layer, which it selects (${lang}, ${viewport.width}px ${colorScheme})`, { timeout: TEST_TIMEOUT }, async () => {
      const w = WORDS[lang];
      const page = await session.newPage({ viewport, colorScheme, query: lang === 'id' ? '?lang=id' : '' });
      await pickFile(page, path.join(FIXTURES, CORRUPT));
      await waitReady(page, { timeout: READY_TIMEOUT });

      const mismatches = page.locator(`${SEL.error}[data-kind=digest-mismatch]`);
      assert.equal(await mismatches.count(), 1, 'one digest-mismatch problem for the one corrupt layer');
      const groups = page.locator('[data-testid=problem-group]');
      assert.equal(await groups.count(), 1, 'one layer has problems');
      const group = groups.first();
      assert.equal(await group.getAttribute('data-layer'), String(BAD_LAYER + 1), 'numbered from 1 at the base');
      assert.equal(await group.locator(`${SEL.error}[data-kind=digest-mismatch]`).count(), 1, 'the problem sits in its layer group');
      const button = group.locator('[data-testid=problem-layer]');
      assert.equal(squash(await button.textContent()), w.group);
      const box = group.locator(`${SEL.error}[data-kind=digest-mismatch]`);
      assert.equal(squash(await box.locator('[data-testid=problem-title]').textContent()), w.title);
      assert.ok(squash(await box.locator('[data-testid=problem-why]').textContent()).startsWith(w.why), 'plain explanation in the page language');
      // The technical detail stays verbatim (both digests, the member); what it means is
      // said once, by the explanation in the page's language, not again in English.
      const detail = squash(await box.locator('.error-message').textContent());
      assert.match(detail, /diff_id \(config rootfs\.diff_ids\[1\]\) mismatch: expected sha256:[0-9a-f]{64}, computed sha256:[0-9a-f]{64}$/);
      // The page's language first: the title, then the explanation, then the English detail
      // in a line of its own, labelled as such.
      const order = await box.evaluate((b) => [...b.querySelectorAll('[data-testid=problem-title], [data-testid=problem-why], .error-detail')]
        .map((e) => e.dataset.testid || 'detail'));
      assert.deepEqual(order, ['problem-title', 'problem-why', 'detail']);
      assert.equal(squash(await box.locator('.error-detail > .muted').textContent()), w.detail);
      assert.doesNotMatch(detail, /changed or damaged/);

      // The top layer is selected at first; the group's button selects the corrupt one.
      const bad = page.locator(`[data-testid=layer][data-index="${BAD_LAYER}"]`);
      assert.notEqual(await bad.getAttribute('aria-selected'), 'true');
      await button.click();
      await page.waitForFunction((i) => document.querySelector(`[data-testid=layer][data-index="${i}"]`)?.getAttribute('aria-selected') === 'true', BAD_LAYER, { timeout: 5000 });
      assert.equal(await bad.getAttribute('data-state'), 'mismatch');
      await shot(page, `corrupt-${lang}-${viewport.width}-${colorScheme}`);
      await group.scrollIntoViewIfNeeded();
      await shot(page, `corrupt-group-${lang}-${viewport.width}-${colorScheme}`);
      assert.deepEqual(problemsOf(page), []);
      // Nor a warning: the workers' loader starts wasm-bindgen the current way (an object,
      // not the deprecated bare path that printed one per worker).
      assert.deepEqual(warningsOf(page), []);
      await page.close();
    });

    test(`a cut-off tarball says it ends early and where (${lang}, ${viewport.width}px ${colorScheme})`, { timeout: TEST_TIMEOUT }, async () => {
      const w = WORDS[lang];
      const page = await session.newPage({ viewport, colorScheme, query: lang === 'id' ? '?lang=id' : '' });
      await pickFile(page, path.join(FIXTURES, TRUNCATED));
      const archive = page.locator(`${SEL.error}[data-kind=archive]`);
      await archive.first().waitFor({ state: 'visible', timeout: READY_TIMEOUT });
      const texts = (await archive.allTextContents()).map(squash);
      const early = texts.find((t) => t.includes('the tarball ends early'));
      assert.ok(early, `an archive problem says the tarball ends early: ${JSON.stringify(texts)}`);
      assert.match(early, /breaks off after 12 members \(the last, 803317ece3a4[0-9a-f]*\/layer\.tar/);
      // The break (a member cut short) and its consequence (no image described) are two
      // cards with two titles, not two "damaged" ones.
      assert.ok(early.startsWith(w.endsTitle), `translated title: ${early}`);
      assert.ok(early.includes(w.endsWhy), `translated explanation: ${early}`);
      const cut = texts.filter((t) => t !== early);
      assert.equal(cut.length, 1, JSON.stringify(texts));
      assert.ok(cut[0].startsWith(w.archiveTitle), `the member's card: ${cut[0]}`);
      assert.ok(cut[0].includes(w.archiveWhy), cut[0]);
      const all = squash((await page.locator(SEL.error).allTextContents()).join(' | '));
      assert.ok(!all.includes('not a container image archive'), all);
      // The layer's own card names its member once, on its first line, not again as the
      // message's "layer NAME:" prefix.
      const unreadable = page.locator(`${SEL.error}[data-kind=layer-unreadable]`);
      assert.equal(await unreadable.count(), 1);
      assert.match(squash(await unreadable.locator('.error-message').textContent()),
        /^unreadable at entry bin\/busybox, byte offset 512: entry bin\/busybox says its size is 1982256 bytes, but the layer ends \d+ bytes into its data$/);
      // What could be read is shown: the layer blobs before the break, the cut one with why.
      const read = page.locator('[data-testid=layers-read][data-ended=true]');
      await read.waitFor({ timeout: 10000 });
      assert.equal(await read.locator('[data-testid=layer-read]').count(), 3);
      assert.equal(await read.locator('[data-testid=layer-read-error]').count(), 1);
      // Its English words come under the same label as every problem's detail, in the page's
      // language, and are marked as English.
      const why = read.locator('[data-testid=layer-read-error] [data-testid=layer-read-error-detail]');
      assert.match(squash(await why.textContent()), /^unreadable at entry bin\/busybox, byte offset 512: /);
      assert.equal(await why.getAttribute('lang'), 'en');
      assert.equal(squash(await why.evaluate((e) => e.previousElementSibling.textContent)), w.detail);
      // What was read is what it counts: bin/busybox as far as the file holds it, not the
      // 1,982,256 bytes its header claims.
      const cutCard = read.locator('[data-testid=layer-read]', { has: page.locator('[data-testid=layer-read-error]') });
      const kinds = squash(await cutCard.locator('[data-testid=layer-read-kinds]').textContent());
      assert.ok(!/1[.,]98\s?MB/.test(kinds), `the cut file counted as read: ${kinds}`);
      assert.match(kinds, /\(983\s?kB\)/, kinds);
      // No image, no view: no tabs that would control a panel that is not there.
      assert.equal(await page.locator('[role=tab]').count(), 0);
      await shot(page, `truncated-${lang}-${viewport.width}-${colorScheme}`);
      assert.deepEqual(problemsOf(page), []);
      await page.close();
    });
  }

  test('a plain tar whose manifest cannot be read: each layer blob read whole shows its digests, computed here', { timeout: TEST_TIMEOUT }, async () => {
    // Its 1.9 MB layer is hashed by a job after the walk, as in any save: with no image to
    // show, the list of the layers read is all that shows it, and its digests stayed "not
    // computed" there (the list was made before the job's facts came).
    const file = 'malformed-manifest-invalid-json.tar';
    const bytes = fs.readFileSync(path.join(FIXTURES, file));
    const want = [...tarEntries(bytes)].filter((e) => e.name.endsWith('/layer.tar'))
      .map((e) => `sha256:${crypto.createHash('sha256').update(e.data).digest('hex')}`);
    assert.equal(want.length, 2);
    const page = await session.newPage();
    await pickFile(page, path.join(FIXTURES, file));
    await page.locator('[data-testid=image-ready]').waitFor({ timeout: READY_TIMEOUT });
    const read = page.locator('[data-testid=layers-read][data-ended=true] [data-testid=layer-read]');
    assert.equal(await read.count(), 2);
    const digests = await read.evaluateAll((els) => els.map((e) => [
      e.querySelector('[data-testid=layer-read-digest]')?.textContent ?? '',
      e.querySelector('[data-testid=layer-read-diff-id]')?.textContent ?? '',
    ]));
    // An uncompressed blob is its tar: its digest and diff_id are one.
    for (const [i, [digest, diffId]] of digests.entries()) {
      assert.ok(digest.includes(want[i]), `blob ${i + 1}'s digest: ${digest}`);
      assert.ok(diffId.includes(want[i]), `blob ${i + 1}'s diff_id: ${diffId}`);
    }
    await page.close();
  });
});
