'use strict';
// Issue 4: several images in one session, the shared-layers diagram, the storage summary
// and the pull simulation — checked against numbers computed here from what the stack
// shows and from the fixtures' independently computed .expected.json.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const { REPO, FIXTURES, SEL, openSession, problemsOf, pickFile, waitReady } = require('./lib/browser');
const { loadExpected } = require('./lib/expected');
const app = require('./lib/app');
const { contrastFailures } = require('./lib/contrast');

const squash = (s) => s.replace(/\s+/g, ' ').trim();

const READY_TIMEOUT = Number(process.env.PANCAKE_E2E_READY_MS || 45000);
const TEST_TIMEOUT = READY_TIMEOUT * 2 + 45000;
const SHOTS = path.join(REPO, 'target', 'screenshots', 'shared');

async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Wait until the session holds `n` images, none still being read. */
async function waitSession(page, n) {
  await page.waitForFunction((n) => {
    const opts = document.querySelectorAll('[data-testid=image-option]');
    return (n < 2 || opts.length === n) && document.querySelector('[data-testid=image-ready]');
  }, n, { timeout: READY_TIMEOUT });
  await app.openTab(page, 'shared');
  await page.waitForFunction((n) => {
    const items = [...document.querySelectorAll('[data-testid=session-image]')];
    return items.length === n && items.every((e) => e.dataset.pending === 'false');
  }, n, { timeout: READY_TIMEOUT });
}

/** Every session image's layers as the stack shows them: [{ diffId, size }] per image. */
async function readStacks(page) {
  const n = await page.locator('[data-testid=image-option]').count();
  const out = [];
  for (let i = 0; i < n; i++) {
    await app.openTab(page, 'stack');
    await page.locator('[data-testid=image-option]').nth(i).click();
    await app.settledLayers(page);
    // Base first (the stack lists the top layer first).
    out.push(await page.$$eval('[data-testid=layer]', (els) => els.reverse().map((e) => ({
      diffId: e.getAttribute('data-diff-id'),
      size: Number(e.getAttribute('data-size')),
    }))));
  }
  return out;
}

/**
 * ChainIDs of a layer list (OCI image-spec config.md): ChainID(L0) = DiffID(L0),
 * ChainID(L0|…|Ln) = sha256(ChainID(L0|…|Ln-1) + " " + DiffID(Ln)).
 */
function chainIds(layers) {
  const out = [];
  for (const l of layers) {
    const below = out[out.length - 1];
    out.push(below === undefined ? l.diffId
      : 'sha256:' + crypto.createHash('sha256').update(`${below} ${l.diffId}`).digest('hex'));
  }
  return out;
}

/**
 * What the diagram and summary must say for images given as [{ diffId, size }] lists.
 * Docker's layer store keeps a layer once per ChainID: the same diff_id on another base is
 * another layer.
 */
function expectedSharing(images) {
  const users = new Map();
  const size = new Map();
  // A ChainID names a layer and everything below it: its layer's number, from the base, is
  // the same in every image that has it.
  const numberOf = new Map();
  images.forEach((layers, i) => chainIds(layers).forEach((c, k) => {
    if (!users.has(c)) users.set(c, new Set());
    users.get(c).add(i);
    size.set(c, layers[k].size);
    numberOf.set(c, k + 1);
  }));
  const separate = images.flat().reduce((s, l) => s + l.size, 0);
  const stored = [...size.values()].reduce((s, v) => s + v, 0);
  const imagesOf = new Map([...users].map(([c, s]) => [c, [...s].sort((a, b) => a - b).join(',')]));
  return { imagesOf, numberOf, separate, stored };
}

async function readDiagram(page) {
  await app.openTab(page, 'shared');
  const diagram = page.locator('[data-testid=shared-diagram]').first();
  await diagram.waitFor({ state: 'visible', timeout: 10000 });
  const layers = await page.$$eval('[data-testid=shared-diagram] [data-testid=shared-layer]', (els) => els.map((e) => ({
    chainId: e.getAttribute('data-chain-id'),
    images: e.getAttribute('data-images'),
    number: e.querySelector('[data-testid=shared-layer-number]')?.textContent,
    label: e.getAttribute('aria-label'),
  })));
  const summary = await page.locator('[data-testid=storage-summary]').first().evaluate((e) => ({
    separate: Number(e.dataset.separateBytes),
    stored: Number(e.dataset.storedBytes),
  }));
  return { layers, summary };
}

function checkDiagram(shown, exp, where) {
  const ids = shown.layers.map((l) => l.chainId);
  assert.equal(new Set(ids).size, ids.length, `${where}: one shared-layer element per ChainID`);
  assert.deepEqual([...ids].sort(), [...exp.imagesOf.keys()].sort(), `${where}: the diagram's ChainIDs`);
  for (const l of shown.layers) {
    assert.equal(l.images, exp.imagesOf.get(l.chainId), `${where}: data-images of ${l.chainId}`);
    // Each band says which layer it is, counted from the base as the stack counts, in sight
    // and in its name.
    const n = exp.numberOf.get(l.chainId);
    assert.equal(l.number, String(n), `${where}: the number on ${l.chainId}`);
    assert.ok(l.label.startsWith(`Layer ${n}: `), `${where}: the name of ${l.chainId}: ${l.label}`);
  }
  assert.deepEqual(shown.summary, { separate: exp.separate, stored: exp.stored }, `${where}: storage summary`);
}

/** A real drop of several files at once (one DataTransfer). */
async function dropFiles(page, files) {
  const payload = files.map((f) => ({ name: path.basename(f), b64: fs.readFileSync(f).toString('base64') }));
  await page.evaluate(({ payload, sel }) => {
    const dt = new DataTransfer();
    for (const { name, b64 } of payload) {
      const bin = atob(b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      dt.items.add(new File([bytes], name, { type: '' }));
    }
    const el = document.querySelector(sel);
    for (const t of ['dragenter', 'dragover', 'drop']) {
      el.dispatchEvent(new DragEvent(t, { bubbles: true, cancelable: true, dataTransfer: dt }));
    }
  }, { payload, sel: SEL.dropZone });
}

/** [{ diffId, size }] for the first image of a fixture, from its .expected.json. */
function fixtureLayers(name) {
  const exp = loadExpected(path.join(FIXTURES, name));
  const raw = exp.raw.images[0].layers;
  return exp.images[0].layers.map((l, i) => ({ diffId: l.diffId, size: raw[i].uncompressed_size }));
}

describe('shared layers', () => {
  let session;
  before(async () => { session = await openSession(); });
  after(async () => { if (session) await session.close(); });

  test('wordpress pair demo: one band per ChainID, shared ones "0,1", summary = sums from the stacks', { timeout: TEST_TIMEOUT }, async () => {
    const page = await session.newPage();
    try {
      await page.locator('[data-testid=demo-wordpress-pair]').first().click();
      await waitReady(page, { timeout: READY_TIMEOUT });
      await waitSession(page, 2);
      const stacks = await readStacks(page);
      assert.equal(stacks.length, 2);
      const exp = expectedSharing(stacks);
      const shown = await readDiagram(page);
      checkDiagram(shown, exp, 'wordpress pair');
      const shared = shown.layers.filter((l) => l.images.includes(','));
      assert.ok(shared.length >= 2, 'the pair shares its lower layers');
      assert.ok(shared.every((l) => l.images === '0,1'));
      // Only the top layer differs: stored once except one layer per image.
      assert.equal(shown.layers.length, stacks[0].length + 1);
      // Listed as drawn (WCAG 2.4.3): a screen reader and Tab meet the bands top row first,
      // left to right within a row, as the eye reads the diagram.
      const drawn = await page.$$eval('[data-testid=shared-diagram] [data-testid=shared-layer]', (els) => els.map((e) => {
        const r = e.getBoundingClientRect();
        return { top: Math.round(r.top), left: Math.round(r.left), images: e.dataset.images };
      }));
      for (let i = 1; i < drawn.length; i++) {
        const [a, b] = [drawn[i - 1], drawn[i]];
        assert.ok(b.top > a.top || (b.top === a.top && b.left > a.left), `band ${i} comes after band ${i - 1} on the page: ${JSON.stringify(drawn)}`);
      }
      assert.notEqual(drawn[0].images, '0,1', 'the top of the list is a top layer, one image\'s own');
      // Hover → details naming both images.
      await page.locator('[data-testid=shared-layer][data-images="0,1"]').first().click();
      const details = await page.locator('[data-testid=shared-layer-details]').first().textContent();
      assert.match(details, /#1/);
      assert.match(details, /#2/);
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  test('two separate fixtures sharing a base (docker20 app1 then app3): diagram and summary vs expected.json', { timeout: TEST_TIMEOUT }, async () => {
    const page = await session.newPage();
    try {
      await pickFile(page, path.join(FIXTURES, 'docker20-save-app1.tar'));
      await waitReady(page, { timeout: READY_TIMEOUT });
      await waitSession(page, 1);
      await pickFile(page, path.join(FIXTURES, 'docker20-save-app3.tar'));
      await waitSession(page, 2);
      const images = [fixtureLayers('docker20-save-app1.tar'), fixtureLayers('docker20-save-app3.tar')];
      const exp = expectedSharing(images);
      assert.ok([...exp.imagesOf.values()].some((v) => v === '0,1'), 'the fixtures do share layers');
      checkDiagram(await readDiagram(page), exp, 'docker20 app1+app3');
      // The stack of each session image is still the right one.
      const stacks = await readStacks(page);
      assert.deepEqual(stacks.map((s) => s.map((l) => l.diffId)), images.map((s) => s.map((l) => l.diffId)));
      // A file of the first archive is still readable after the second was opened.
      await app.openTab(page, 'stack');
      await page.locator('[data-testid=image-option]').nth(0).click();
      await app.settledLayers(page);
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  test('comparing two images that differ only in a file\'s owner lists it, with both owners', { timeout: TEST_TIMEOUT }, async () => {
    const { tar, Layout, sha256 } = require('./lib/tarwrite');
    const os = require('node:os');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pancake-owner-'));
    const files = [['a.tar', 0], ['b.tar', 1000]].map(([name, owner]) => {
      const b = new Layout();
      const l = tar([['etc/conf', 'same bytes', { owner }], ['etc/note', 'n', { pax: { 'SCHILY.xattr.user.note': owner ? 'b' : 'a' } }],
        ['etc/other', 'x'], ['etc/run', 'y', { mode: owner ? 0o755 : 0o644 }]]);
      const cfg = { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(l)] },
        history: [{ created_by: 'COPY conf /etc/' }] };
      const m = b.json('application/vnd.oci.image.manifest.v1+json', {
        schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: b.json('application/vnd.oci.image.config.v1+json', cfg),
        layers: [b.blob('application/vnd.oci.image.layer.v1.tar', l)],
      });
      b.index([{ ...m, annotations: { 'org.opencontainers.image.ref.name': name } }]);
      const f = path.join(dir, name);
      fs.writeFileSync(f, b.tar());
      return f;
    });
    const page = await session.newPage();
    try {
      await pickFile(page, files[0]);
      await waitReady(page, { timeout: READY_TIMEOUT });
      await waitSession(page, 1);
      await pickFile(page, files[1]);
      await waitSession(page, 2);
      const rows = page.locator('[data-testid=compare-row]');
      await rows.first().waitFor({ timeout: READY_TIMEOUT });
      const paths = await rows.evaluateAll((els) => els.map((e) => [e.dataset.path, e.dataset.change]));
      // Both files come from another layer; the page compares no bytes, so the one with the
      // same owner is "rewritten (same size)", the other changed, with its owners.
      assert.deepEqual(paths, [['etc/conf', 'modified'], ['etc/note', 'modified'], ['etc/other', 'modified'], ['etc/run', 'modified']]);
      // Their only layers differ: said as such, not as "the 0 layers below it are the same".
      assert.equal(squash(await page.locator('.cmp-diverge p').first().textContent()), 'They differ from the bottom layer up: no layer is the same.');
      const conf = rows.nth(0);
      assert.equal(squash(await conf.locator('td').first().textContent()), '~ changed owner 0:0 → 1000:1000');
      // An attribute alone (no capability either side): named.
      assert.equal(squash(await rows.nth(1).locator('td').first().textContent()), '~ changed extended attributes differ: user.note');
      assert.equal(squash(await rows.nth(2).locator('td').first().textContent()), '~ rewritten (same size)');
      // A chmod alone: said, as the owner is.
      assert.equal(squash(await rows.nth(3).locator('td').first().textContent()), '~ changed mode 0644 → 0755');
      assert.equal(await page.locator('[data-testid=compare-owner]').count(), 1);
      assert.equal(await page.locator('[data-testid=compare-mode]').count(), 1);
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  // An image of more layers than the stack draws whole (`stack_window::DRAW_ALL`, 300) is
  // compared after the tab has drawn, in tasks of its own. Beside an image of no layers there
  // is nothing to fold: the comparison still comes (no file rows), not "Comparing…" for ever.
  test('a 301-layer image compared with one of no layers: the comparison comes, with no file rows', { timeout: TEST_TIMEOUT }, async () => {
    const { tar, Layout, sha256 } = require('./lib/tarwrite');
    const os = require('node:os');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pancake-cmp-heavy-'));
    const files = [['tall.tar', 301], ['none.tar', 0]].map(([name, count]) => {
      const b = new Layout();
      const layers = Array.from({ length: count }, (_, i) => tar([[`l/${i}`, `layer ${i}`]]));
      const cfg = { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map(sha256) },
        history: layers.map((_, i) => ({ created_by: `COPY ${i} /l/` })) };
      const m = b.json('application/vnd.oci.image.manifest.v1+json', {
        schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: b.json('application/vnd.oci.image.config.v1+json', cfg),
        layers: layers.map((l) => b.blob('application/vnd.oci.image.layer.v1.tar', l)),
      });
      b.index([{ ...m, annotations: { 'org.opencontainers.image.ref.name': name } }]);
      const f = path.join(dir, name);
      fs.writeFileSync(f, b.tar());
      return f;
    });
    const page = await session.newPage();
    try {
      await pickFile(page, files[0]);
      await waitReady(page, { timeout: READY_TIMEOUT });
      await pickFile(page, files[1]);
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=image-option]').length === 2, null, { timeout: READY_TIMEOUT });
      await app.openTab(page, 'shared');
      const compare = page.locator('[data-testid=compare]');
      await compare.locator('[data-testid=compare-shared]').waitFor({ timeout: READY_TIMEOUT });
      assert.equal(await page.locator('[data-testid=compare-pending]').count(), 0);
      assert.equal(await page.locator('[data-testid=compare-row]').count(), 0);
      assert.match(squash(await compare.locator('[data-testid=compare-shared]').textContent()), /^Shared layers: 0 /);
    } catch (e) {
      await shot(page, 'fail-compare-heavy-empty').catch(() => {});
      throw e;
    } finally {
      await page.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('two fixtures dropped at once (docker26 app1 + app2) are read in turn; removing one updates the diagram', { timeout: TEST_TIMEOUT }, async () => {
    const page = await session.newPage();
    try {
      const names = ['docker26-save-app1.tar', 'docker26-save-app2.tar'];
      await dropFiles(page, names.map((n) => path.join(FIXTURES, n)));
      await waitSession(page, 2);
      const images = names.map(fixtureLayers);
      checkDiagram(await readDiagram(page), expectedSharing(images), 'docker26 app1+app2');
      // A band of the second image picked: its details pinned.
      await page.locator('[data-testid=shared-layer][data-images="1"]').first().click();
      await page.locator('[data-testid=shared-details].picked [data-testid=shared-details-close]').waitFor();
      // Removed with the keyboard: the focus goes to the ✕ of the row left in its place
      // (here the one before it), not to the page.
      await page.locator('[data-testid=remove-image]').nth(1).focus();
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=session-image]').length === 1);
      await page.waitForFunction(() => document.activeElement?.matches('[data-testid=session-image][data-index="0"] [data-testid=remove-image]'), null, { timeout: 5000 });
      checkDiagram(await readDiagram(page), expectedSharing([images[0]]), 'docker26 app1 after removing app2');
      // The band picked went with its image: nothing pinned in the new layout, no other
      // layer's details standing in for it.
      await page.waitForFunction(() => !document.querySelector('[data-testid=shared-details].picked'), null, { timeout: 5000 });
      assert.equal(await page.locator('[data-testid=shared-layer][aria-pressed=true]').count(), 0);
      assert.equal(await page.locator('[data-testid=shared-details-close]').count(), 0);
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  test('docker push ends as Docker ends it: the manifest\'s digest and its length in bytes; Compare gives shared layers as files and as tars', { timeout: TEST_TIMEOUT }, async () => {
    const page = await session.newPage();
    try {
      const names = ['docker26-save-app1.tar', 'docker26-save-app2.tar'];
      await dropFiles(page, names.map((n) => path.join(FIXTURES, n)));
      await waitSession(page, 2);
      // What the archive's own index says of app1's manifest (its descriptor's digest and size).
      const { readMember } = require('./lib/tar');
      const index = JSON.parse(readMember(fs.readFileSync(path.join(FIXTURES, names[0])), 'index.json').toString('utf8'));
      const manifest = index.manifests[0];
      await app.openTab(page, 'shared');
      await page.locator('[data-testid=present-toggle][data-index="0"]').check();
      await page.locator('[data-testid=pull-target]').selectOption('0');
      // The speed slider says what it sets, not a bare number: the usual pace before a run,
      // the bytes per second of the run after.
      const speed = page.locator('[data-testid=pull-speed]');
      assert.equal(await speed.getAttribute('aria-valuetext'), '1.0×');
      await page.locator('[data-testid=push-button]').click();
      await page.locator('[data-testid=pull-skip]').click().catch(() => {});
      await page.locator('[data-testid=transfer-run][data-done=true][data-direction=push]').waitFor({ timeout: 30000 });
      const status = squash(await page.locator('[data-testid=pull-status]').textContent());
      // Not the layers' bytes (it was their sum): the manifest's length.
      assert.match(status, new RegExp(`: digest: ${manifest.digest} size: ${manifest.size}$`), status);
      // The registry already had every layer: the push moved nothing, so there is no rate to
      // give ("1B/s" it said) and the slider says its pace.
      assert.equal(await speed.getAttribute('aria-valuetext'), '1.0×');
      assert.equal(await page.locator('[data-testid=pull-rate]').count(), 0);
      // A pull of app2 onto a host with app1 moves app2's own layers: the rate is bytes per
      // second, beside the slider and in its value text alike.
      await page.locator('[data-testid=pull-target]').selectOption('1');
      await page.locator('[data-testid=pull-button]').click();
      await page.locator('[data-testid=pull-rate]').waitFor({ timeout: 10000 });
      assert.match(await speed.getAttribute('aria-valuetext'), /^[\d.,]+ ?[kMG]?B\/s$/);
      assert.equal(await page.locator('[data-testid=pull-rate]').textContent(), await speed.getAttribute('aria-valuetext'));
      await page.locator('[data-testid=pull-skip]').click().catch(() => {});
      await page.locator('[data-testid=transfer-run][data-done=true][data-direction=pull]').waitFor({ timeout: 30000 });
      // Compare: the shared layers' files and, beside them, their tars, which Storage counts.
      const shared = squash(await page.locator('[data-testid=compare-shared]').textContent());
      assert.match(shared, /^Shared layers: \d+ — \S+ of files, \S+ as uncompressed layer tars \(the sizes Storage counts\)\.$/, shared);
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  test('pull with image #1 present: "Already exists" exactly for the ChainIDs #1 has', { timeout: TEST_TIMEOUT }, async () => {
    const page = await session.newPage();
    try {
      await page.locator('[data-testid=demo-wordpress-pair]').first().click();
      await waitReady(page, { timeout: READY_TIMEOUT });
      await waitSession(page, 2);
      // The address names the pair, as the demo link does: a reload opens it again.
      await page.waitForFunction(() => new URL(location.href).searchParams.get('demo') === 'wordpress-a,wordpress-b');
      await page.reload();
      await waitReady(page, { timeout: READY_TIMEOUT });
      await waitSession(page, 2);
      const stacks = await readStacks(page);
      await app.openTab(page, 'shared');
      await page.locator('[data-testid=present-toggle][data-index="0"]').check();
      await page.locator('[data-testid=pull-target]').selectOption('1');
      await page.locator('[data-testid=pull-button]').click();
      const lines = page.locator('[data-testid=pull-line]');
      await lines.first().waitFor({ state: 'attached', timeout: 5000 });
      await page.locator('[data-testid=pull-skip]').click().catch(() => {});
      await page.locator('[data-testid=transfer-run][data-done=true]').waitFor({ timeout: 30000 });
      const got = await page.$$eval('[data-testid=pull-line]', (els) => els.map((e) => ({
        layer: e.getAttribute('data-layer'), status: e.getAttribute('data-status'), text: e.textContent,
      })));
      // Docker's rule: a layer exists when the host has its ChainID (layer + all below it).
      const have = new Set(chainIds(stacks[0]));
      const chains1 = chainIds(stacks[1]);
      assert.equal(got.length, stacks[1].length, 'one line per layer');
      stacks[1].forEach((l, i) => {
        const want = have.has(chains1[i]) ? 'exists' : 'pulled';
        assert.equal(got[i].status, want, `line ${i} status`);
        // The demo's layers are uncompressed: the diff_id is the identity.
        assert.equal(got[i].layer, l.diffId.replace('sha256:', '').slice(0, 12), `line ${i} short id`);
        assert.match(got[i].text, want === 'exists' ? /Already exists/ : /Pull complete/);
      });
      assert.ok(got.some((l) => l.status === 'pulled'), 'the top layer is pulled');
      const status = await page.locator('[data-testid=pull-status]').textContent();
      assert.match(status, /Status: Downloaded newer image for /);
      // Afterwards the pulled image is on this host: pulling again moves nothing, and Docker
      // lists no layer, only that the image is up to date.
      assert.equal(await page.locator('[data-testid=present-toggle][data-index="1"]').isChecked(), true);
      const pullAgain = async () => {
        await page.locator('[data-testid=pull-button]').click();
        await page.locator('[data-testid=transfer-run][data-done=true]').waitFor({ timeout: 30000 }).catch(async () => {
          await page.locator('[data-testid=pull-skip]').click();
        });
      };
      await pullAgain();
      assert.equal(await page.locator('[data-testid=pull-line]').count(), 0);
      assert.match(await page.locator('[data-testid=pull-status]').textContent(), /Status: Image is up to date for /);
      assert.equal(await page.getAttribute('[data-testid=transfer-counter]', 'data-moved-bytes'), '0');
      // An image the host lacks is downloaded (manifest and config) even when its layers
      // are there: #1 taken off the host, pulled with #2 on it.
      await page.locator('[data-testid=present-toggle][data-index="0"]').uncheck();
      await page.locator('[data-testid=pull-target]').selectOption('0');
      await pullAgain();
      const have2 = new Set(chainIds(stacks[1]));
      const back = await page.$$eval('[data-testid=pull-line]', (els) => els.map((e) => e.getAttribute('data-status')));
      assert.deepEqual(back, chainIds(stacks[0]).map((c) => (have2.has(c) ? 'exists' : 'pulled')));
      assert.match(await page.locator('[data-testid=pull-status]').textContent(), /Status: Downloaded newer image for /);
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  for (const colorScheme of ['light', 'dark']) {
    for (const viewport of [{ width: 1280, height: 800 }, { width: 360, height: 740 }]) {
      test(`screenshots: shared tab, ${colorScheme}, ${viewport.width}px`, { timeout: TEST_TIMEOUT }, async () => {
        const page = await session.newPage({ viewport, colorScheme });
        try {
          await page.locator('[data-testid=demo-wordpress-pair]').first().click();
          await waitReady(page, { timeout: READY_TIMEOUT });
          await waitSession(page, 2);
          await page.locator('[data-testid=shared-layer]').first().click();
          await page.locator('[data-testid=present-toggle][data-index="0"]').check();
          await page.locator('[data-testid=pull-target]').selectOption('1');
          await page.locator('[data-testid=pull-button]').click();
          await page.waitForTimeout(700);
          await shot(page, `shared-${colorScheme}-${viewport.width}-pulling`);
          await page.locator('[data-testid=pull-skip]').click().catch(() => {});
          await page.locator('[data-testid=transfer-run][data-done=true]').waitFor({ timeout: 30000 });
          await shot(page, `shared-${colorScheme}-${viewport.width}`);
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          assert.ok(overflow <= 1, `page wider than the viewport by ${overflow}px`);
          // Two images fit side by side even at 360 px: no column cut off, no scroll hint.
          const cut = await page.evaluate(() => { const s = document.querySelector('.dg-scroll'); return s.scrollWidth - s.clientWidth; });
          assert.ok(cut <= 1, `the diagram's columns run ${cut}px past its box`);
          assert.equal(await page.locator('[data-testid=shared-scroll-hint]').count(), 0);
          // AA contrast, the text drawn for the eye only (the bands' numbers, aria-hidden) too:
          // on a shared band's stronger tint the muted grey fell to 3.9:1.
          assert.deepEqual(await contrastFailures(page, { hidden: true }), [], 'contrast AA');
          assert.deepEqual(problemsOf(page), []);
        } finally {
          await page.close();
        }
      });
    }

    test(`three images at 360 px, ${colorScheme}: the diagram scrolls sideways and says so`, { timeout: TEST_TIMEOUT }, async () => {
      const page = await session.newPage({ viewport: { width: 360, height: 740 }, colorScheme, query: '?lang=id' });
      try {
        await pickFile(page, path.join(FIXTURES, 'docker26-save-multi-app1-app2-app3.tar'));
        await waitReady(page, { timeout: READY_TIMEOUT });
        await page.locator('[data-testid=tab-shared]').click();
        const hint = page.locator('[data-testid=shared-scroll-hint]');
        await hint.waitFor({ timeout: 5000 });
        assert.match(squash(await hint.textContent()), /^3 image berdampingan: geser ke samping untuk melihat semuanya →$/);
        const box = await page.evaluate(() => { const s = document.querySelector('.dg-scroll'); return [s.scrollWidth, s.clientWidth]; });
        assert.ok(box[0] > box[1], `the columns overflow their box: ${box}`);
        await shot(page, `shared-${colorScheme}-360-three`);
        // Wide, the three fit and the line goes.
        await page.setViewportSize({ width: 1280, height: 800 });
        await hint.waitFor({ state: 'detached', timeout: 5000 });
        assert.deepEqual(problemsOf(page), []);
      } finally {
        await page.close();
      }
    });
  }
});
