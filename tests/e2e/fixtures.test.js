'use strict';
// Every fixture tarball in ../shared/fixtures is opened in the real app (headless Chromium),
// alternately by a real DataTransfer drop and by the file input, and what the page shows is
// checked against the fixture's independently computed NAME.expected.json.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { FIXTURES, SEL, openSession, problemsOf, dropFile, pickFile, waitReady, screenshot } = require('./lib/browser');
const { loadExpected, expectedChanges, parseListingLine } = require('./lib/expected');
const { readLayerFile } = require('./lib/tar');
const app = require('./lib/app');
const { hex, compareLayers, compareHistory, compareFileRows, errorHints } = require('./lib/checks');

const READY_TIMEOUT = Number(process.env.PANCAKE_E2E_READY_MS || 45000);
const TEST_TIMEOUT = READY_TIMEOUT + 45000;
const CORRUPT_LAYER_FIXTURE = 'malformed-corrupt-layer-byte-docker20.tar';

const fixtures = fs.readdirSync(FIXTURES)
  .filter((f) => !f.endsWith('.json') && fs.existsSync(path.join(FIXTURES, `${f}.expected.json`)))
  .sort();

/** Open a fixture on a fresh page, by drop or by the file input. */
async function openFixture(session, name, how, pageOpts) {
  const page = await session.newPage(pageOpts);
  const file = path.join(FIXTURES, name);
  const used = how === 'drop' ? await dropFile(page, file) : await pickFile(page, file);
  return { page, used };
}

/** Layers + history of the image currently shown, compared with `exp`. */
async function checkShownImage(page, exp, where) {
  await app.openTab(page, 'stack');
  const layers = await app.readLayers(page);
  const diffs = compareLayers(layers, exp, where);
  await app.openTab(page, 'history');
  diffs.push(...compareHistory(await app.readHistory(page), exp, where));
  if (exp.tags.length) {
    await app.openTab(page, 'config');
    const text = await page.locator('body').textContent();
    for (const t of exp.tags) if (!text.includes(t)) diffs.push(`${where}: tag ${t} not shown in the Config view`);
  }
  await app.openTab(page, 'stack');
  return diffs;
}

/** How well shown layers match an expected image (for the picker, whose order may differ). */
function matchScore(layers, img) {
  if (layers.length !== img.layers.length) return -1;
  return layers.filter((l, i) => [img.layers[i].diffId, img.layers[i].configDiffId].includes(l.diffId)).length;
}

async function checkReadable(page, exp, name) {
  await waitReady(page, { timeout: READY_TIMEOUT });
  const diffs = [];
  if (exp.images.length > 1) {
    const picker = await app.imagePicker(page);
    assert.ok(picker, `${name}: ${exp.images.length} images but no [data-testid=image-picker]`);
    assert.equal(picker.count, exp.images.length, `${name}: image-picker choices`);
    const matched = new Set();
    for (let i = 0; i < picker.count; i++) {
      await picker.choose(i);
      const layers = await app.settledLayers(page);
      let best = -1;
      let bestScore = -1;
      exp.images.forEach((img, k) => {
        const s = matchScore(layers, img);
        if (!matched.has(k) && s > bestScore) { best = k; bestScore = s; }
      });
      if (best < 0) { diffs.push(`${name}: picker choice ${i} shows layers matching no expected image`); continue; }
      matched.add(best);
      diffs.push(...await checkShownImage(page, exp.images[best], `${name} picker choice ${i} (image ${best} ${exp.images[best].tags.join(',')})`));
    }
  } else {
    diffs.push(...await checkShownImage(page, exp.images[0], name));
  }

  if (name === CORRUPT_LAYER_FIXTURE) {
    // The flipped byte: ✗ on that layer, with both the expected and the actual digest.
    const bad = exp.images[0].layers
      .map((l, i) => ({ l, i }))
      .filter(({ l }) => l.verified === false && l.diffId && l.configDiffId && l.diffId !== l.configDiffId);
    assert.ok(bad.length > 0, 'expected.json names a mismatched layer');
    for (const { l, i } of bad) {
      await app.selectLayer(page, i);
      const text = await app.layerDetailsText(page);
      if (!text.includes(hex(l.configDiffId))) diffs.push(`${name} layer ${i} details: expected digest ${hex(l.configDiffId)} not shown`);
      if (!text.includes(hex(l.diffId))) diffs.push(`${name} layer ${i} details: actual digest ${hex(l.diffId)} not shown`);
    }
  } else if (exp.errors.length === 0 && !(exp.raw.security_findings || []).length) {
    // A sound archive: nothing to warn about, except oddities expect.py records without
    // counting them as errors (a config file whose name is not its digest).
    const noted = [...(exp.raw.images || []), ...(exp.raw.oci_index_images || [])]
      .map((im) => im.config)
      .filter((c) => c && c.filename_matches_digest === false && c.path)
      .map((c) => c.path);
    // buildah 1.28 writes the base's `#(nop) CMD` without empty_layer: the page pairs history
    // from the top instead and says so in a `history` note (the fixtures README records it).
    const mislabelled = [...(exp.raw.images || []), ...(exp.raw.oci_index_images || [])]
      .some((im) => ((im.config && im.config.history) || []).some((h) => !h.empty_layer
        && /#\(nop\) (CMD|ENV|LABEL|EXPOSE|ENTRYPOINT|USER|VOLUME) /.test(h.created_by || '')));
    const all = await page.locator(SEL.error).evaluateAll((els) => els.map((e) => ({
      kind: e.getAttribute('data-kind'), text: e.textContent, note: e.classList.contains('note'),
    })));
    // A tar that stops without its two end blocks is one Docker reads: the page says so in a
    // `tar-quirk` note (information, not an alarm), and must for the fixture made that way.
    const quirks = all.filter((e) => e.kind === 'tar-quirk' && e.note);
    if (/no-eof-marker/.test(name) && !quirks.some((e) => /two zero blocks/.test(e.text))) {
      diffs.push(`${name}: no tar-quirk note about the missing end blocks`);
    }
    // That note is about the outer tarball, not a layer: its title says so.
    if (/no-eof-marker/.test(name) && !quirks.some((e) => e.text.startsWith('Tarball format note'))) {
      diffs.push(`${name}: the outer tar's note is not titled as the tarball's: ${JSON.stringify(quirks.map((e) => e.text.slice(0, 60)))}`);
    }
    // A bare name in RepoTags (go-containerregistry's old test bundle writes `test_image_1`):
    // expect.py takes it as valid, and Docker 29's containerd store loads it as `:latest`, but
    // Docker's classic store refuses it (moby `load.go`: "invalid tag"). The page must say so,
    // naming the tag, as `load-fails` (crates/pancake-core/tests/fixtures.rs allows the same).
    const bare = (exp.raw.images || [])
      .flatMap((im) => im.repo_tags || [])
      .filter((t) => !(t.split('/').pop() || t).includes(':'));
    const saysBare = (e, t) => e.kind === 'load-fails' && e.text.includes(`"${t}" has no tag`);
    for (const t of bare) {
      if (!all.some((e) => saysBare(e, t))) diffs.push(`${name}: no load-fails naming the bare tag "${t}"`);
    }
    const shown = all
      .filter((e) => !bare.some((t) => saysBare(e, t)))
      .filter((e) => !(e.kind === 'tar-quirk' && e.note))
      .filter((e) => !(mislabelled && e.kind === 'history' && /no recorded step \(base image\)/.test(e.text)))
      .map((e) => e.text)
      .filter((t) => !noted.some((p) => t.includes(p)));
    if (shown.length) diffs.push(`${name}: valid archive, yet [data-testid=error] shows: ${JSON.stringify(shown)}`);
  } else if (exp.errors.length) {
    // Readable but broken: the page shows what it can, and says what is wrong.
    const text = await app.errorText(page, { timeout: 5000 }).catch(() => null);
    if (text === null) diffs.push(`${name}: no visible [data-testid=error] though expect.py reports: ${exp.errors[0]}`);
    else if (!errorHints(exp.errors).some((re) => re.test(text))) {
      diffs.push(`${name}: error text "${text}" names neither the member nor the problem (${exp.errors[0]})`);
    }
  }
  return diffs;
}

async function checkUnreadable(page, exp, name) {
  const text = await app.errorText(page, { timeout: READY_TIMEOUT });
  assert.ok(text.length > 10, `${name}: error text too short: "${text}"`);
  const hints = errorHints(exp.errors);
  assert.ok(hints.some((re) => re.test(text)),
    `${name}: error text "${text}" should name the member or problem of: ${exp.errors[0]} (one of ${hints.join(' ')})`);
  return [];
}

describe('every fixture, as the page shows it', () => {
  let session;
  before(async () => { session = await openSession(); });
  after(async () => { if (session) await session.close(); });

  fixtures.forEach((name, i) => {
    const how = i % 2 === 0 ? 'drop' : 'input';
    test(`${name} (${how})`, { timeout: TEST_TIMEOUT }, async () => {
      const exp = loadExpected(path.join(FIXTURES, name));
      const { page } = await openFixture(session, name, how);
      try {
        const diffs = exp.images.length === 0
          ? await checkUnreadable(page, exp, name)
          : await checkReadable(page, exp, name);
        diffs.push(...problemsOf(page));
        assert.deepEqual(diffs, [], `${name}: the page differs from ${name}.expected.json`);
      } catch (e) {
        await screenshot(page, `fail-${name}`).catch(() => {});
        throw e;
      } finally {
        await page.close();
      }
    });
  });

  // Files of one layer and the content of one file, for a Docker 25+ save and a gzip OCI archive.
  for (const name of ['docker26-save-app1.tar', 'podman-oci-archive-app1.tar']) {
    test(`${name}: files of layer 1 and content of one of its files`, { timeout: TEST_TIMEOUT }, async () => {
      const exp = loadExpected(path.join(FIXTURES, name));
      const img = exp.images[0];
      const { page } = await openFixture(session, name, 'input');
      try {
        await waitReady(page, { timeout: READY_TIMEOUT });
        await app.selectLayer(page, 1);
        await app.openTab(page, 'files');
        await page.locator(app.FILE_ROW).first().waitFor({ state: 'attached', timeout: 10000 });
        await app.expandAllRows(page);
        const want = expectedChanges(img.layers, 1);
        const diffs = compareFileRows(await app.readFileRows(page), want, `${name} layer 1`);

        // One small regular text file of that layer; its bytes come from the fixture itself.
        const files = img.layers[1].listing.map(parseListingLine).filter((e) => e.kind === 'f' && e.size > 0 && e.size < 4096);
        const pick = files.find((e) => e.path === 'data/hello.txt') || files.find((e) => /\.txt$/.test(e.path)) || files[0];
        assert.ok(pick, `${name}: layer 1 has a small regular file to open`);
        const content = readLayerFile(path.join(FIXTURES, name), img.layers[1].path, pick.path).toString('utf8');
        const shown = await app.openFile(page, pick.path);
        if (!shown.includes(content.trimEnd())) diffs.push(`${name} layer 1 ${pick.path}: file-content should contain ${JSON.stringify(content)}, shows ${JSON.stringify(shown.slice(0, 300))}`);
        // It must be this layer's copy, not a later layer's version of the same path.
        for (let k = 2; k < img.layers.length; k++) {
          if (!img.layers[k].listing.some((l) => parseListingLine(l).path === pick.path && l.startsWith('f '))) continue;
          const later = readLayerFile(path.join(FIXTURES, name), img.layers[k].path, pick.path).toString('utf8').trimEnd();
          if (later !== content.trimEnd() && !content.includes(later) && shown.includes(later)) {
            diffs.push(`${name} layer 1 ${pick.path}: shows layer ${k}'s version ${JSON.stringify(later)} instead of layer 1's`);
          }
        }
        diffs.push(...problemsOf(page));
        assert.deepEqual(diffs, [], `${name}: Files view of layer 1`);
      } catch (e) {
        await screenshot(page, `fail-files-${name}`).catch(() => {});
        throw e;
      } finally {
        await page.close();
      }
    });
  }

  for (const colorScheme of ['light', 'dark']) {
    test(`screenshots of every view: docker26-save-app1.tar, ${colorScheme}, 1280×800`, { timeout: TEST_TIMEOUT }, async () => {
      const { page } = await openFixture(session, 'docker26-save-app1.tar', 'drop', { viewport: { width: 1280, height: 800 }, colorScheme });
      try {
        await waitReady(page, { timeout: READY_TIMEOUT });
        const shots = await app.captureViews(page, `docker26-app1-${colorScheme}`, { layerIndex: 1, filePath: 'data/hello.txt' });
        for (const s of shots) assert.ok(fs.statSync(s).size > 1000, `${s} written`);
        assert.deepEqual(problemsOf(page), []);
      } finally {
        await page.close();
      }
    });
  }

  test('360 px wide: no horizontal scroll, layers visible', { timeout: TEST_TIMEOUT }, async () => {
    const viewport = { width: 360, height: 740 };
    const page = await session.newPage({ viewport });
    try {
      const widthNow = () => page.evaluate(() => document.documentElement.scrollWidth);
      // Which elements stick out on the right, to make a failure actionable.
      const overflow = () => page.evaluate(() => {
        const w = document.documentElement.clientWidth;
        return [...document.querySelectorAll('body *')]
          .filter((e) => { const b = e.getBoundingClientRect(); return b.width > 0 && b.right > w + 0.5; })
          .filter((e, _, all) => !all.some((o) => o !== e && e.contains(o)))
          .slice(0, 5)
          .map((e) => `${e.tagName.toLowerCase()}${e.dataset.testid ? `[data-testid=${e.dataset.testid}]` : ''}.${[...e.classList].join('.')} right=${Math.round(e.getBoundingClientRect().right)}`)
          .join(', ');
      });
      await screenshot(page, 'start-360');
      assert.ok(await widthNow() <= 360, `start view scrollWidth ${await widthNow()} > 360: ${await overflow()}`);
      await pickFile(page, path.join(FIXTURES, 'docker26-save-app1.tar'));
      await waitReady(page, { timeout: READY_TIMEOUT });
      await app.openTab(page, 'stack');
      await screenshot(page, 'docker26-app1-360-stack');
      assert.ok(await widthNow() <= 360, `stack view scrollWidth ${await widthNow()} > 360: ${await overflow()}`);
      const layers = page.locator(app.LAYER);
      const n = await layers.count();
      assert.ok(n > 0, 'layers shown');
      for (let i = 0; i < n; i++) {
        const l = layers.nth(i);
        await l.scrollIntoViewIfNeeded();
        assert.ok(await l.isVisible(), `layer ${i} visible`);
        const box = await l.boundingBox();
        assert.ok(box && box.x >= -0.5 && box.x + box.width <= 360.5, `layer ${i} within 360 px: ${JSON.stringify(box)}`);
      }
      await app.selectLayer(page, 1); // a layer with files, for the Files view
      for (const tab of ['files', 'history', 'config']) {
        await app.openTab(page, tab);
        await screenshot(page, `docker26-app1-360-${tab}`);
        assert.ok(await widthNow() <= 360, `${tab} view scrollWidth ${await widthNow()} > 360: ${await overflow()}`);
      }
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });
});
