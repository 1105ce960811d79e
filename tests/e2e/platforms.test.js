'use strict';
// Platforms of a multi-platform index on the page (issue 15, "Platforms"): every platform the
// index lists with its manifest digest; present ones open (their layers, by diff_id), absent
// ones say "not in this archive"; the first present is shown first; the picker's chips tell
// two platforms of one tag apart. English and Bahasa Indonesia.
//
// Archives: the containerd partial save (arm64/v8 absent) written by
// tests/fixtures/make_containerd_store.py, whose facts file holds digests computed from the
// bytes it wrote; and an index with both platforms present, written here (lib/tarwrite.js).
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const { REPO, openSession, problemsOf, dropFile, waitReady } = require('./lib/browser');
const app = require('./lib/app');
const { tar, sha256, Layout } = require('./lib/tarwrite');

const READY = Number(process.env.PANCAKE_E2E_READY_MS || 45000);
const T = READY + 60000;
const SHOTS = path.join(REPO, 'target', 'screenshots', 'platforms');

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';

const text = async (loc) => (await loc.textContent()).replace(/\s+/g, ' ').trim();

/**
 * `index.json` → image index → amd64 and arm64/v8 manifests, both present, one tag. With
 * `absentFirst`, the index lists arm64/v8 first and its manifest blob is left out.
 */
function bothPresent({ absentFirst = false } = {}) {
  const b = new Layout();
  const plat = {};
  const descs = [];
  for (const [arch, variant, files] of [
    ['amd64', undefined, [['etc/arch', 'x86_64\n'], ['bin/app', 'amd64 binary\n']]],
    ['arm64', 'v8', [['etc/arch', 'aarch64\n'], ['bin/app', 'arm64 binary, longer\n'], ['lib/ld.so', 'loader\n']]],
  ]) {
    const layers = files.map(([n, d]) => tar([[n, d]]));
    const cfg = {
      architecture: arch, os: 'linux', ...(variant ? { variant } : {}), config: {},
      rootfs: { type: 'layers', diff_ids: layers.map(sha256) },
      history: layers.map((_, i) => ({ created_by: `COPY f${i} / # ${arch}` })),
    };
    const cfgDesc = b.json(OCI_CONFIG, cfg);
    const layerDescs = layers.map((l) => b.blob(OCI_LAYER, l));
    const man = b.json(OCI_MANIFEST, { schemaVersion: 2, mediaType: OCI_MANIFEST, config: cfgDesc, layers: layerDescs });
    const platform = { os: 'linux', architecture: arch, ...(variant ? { variant } : {}) };
    descs.push({ ...man, platform });
    const name = variant ? `linux/${arch}/${variant}` : `linux/${arch}`;
    plat[name] = { manifest: man.digest, diffIds: layers.map(sha256) };
  }
  if (absentFirst) {
    // Drop the arm64 manifest blob and list its descriptor first.
    const arm = descs.pop();
    b.files = b.files.filter(([n]) => n !== `blobs/sha256/${arm.digest.slice(7)}`);
    descs.unshift(arm);
  }
  const idx = b.json(OCI_INDEX, { schemaVersion: 2, mediaType: OCI_INDEX, manifests: descs });
  b.index([{ ...idx, annotations: { 'org.opencontainers.image.ref.name': 'docker.io/library/multi:1', 'io.containerd.image.name': 'docker.io/library/multi:1' } }]);
  return { bytes: b.tar(), plat, index: idx.digest };
}

/** The platform rows as the page shows them. */
const rows = (page) => page.$$eval('[data-testid=platform]', (els) => els.map((e) => ({
  platform: e.dataset.platform,
  present: e.dataset.present,
  digest: e.dataset.digest,
  shown: e.dataset.shown,
  digestText: (e.querySelector('[data-testid=platform-digest]')?.textContent || '').trim(),
  canOpen: !!e.querySelector('button[data-testid=platform-open]'),
  text: e.innerText.replace(/\s+/g, ' ').trim(),
})));

async function shoot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.locator('[data-testid=platforms]').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });
}

describe('platforms of a multi-platform index (issue 15)', () => {
  let session;
  let tmp;
  let partial;
  let facts;
  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pancake-platforms-'));
    execFileSync('python3', [path.join(REPO, 'tests/fixtures/make_containerd_store.py'), tmp], { stdio: 'ignore' });
    partial = path.join(tmp, 'containerd-multiplatform-partial.tar');
    facts = JSON.parse(fs.readFileSync(`${partial}.facts.json`, 'utf8'));
    session = await openSession();
  });
  after(async () => {
    await session?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function open(file, opts = {}) {
    const page = await session.newPage(opts);
    await dropFile(page, file);
    await waitReady(page, { timeout: READY });
    return page;
  }

  test('containerd partial save: amd64 shown and openable, arm64/v8 listed as not in this archive', { timeout: T }, async () => {
    const page = await open(partial, { query: '?lang=en' });
    const amd = facts.images[0];
    const gone = facts.missing_platforms[0];
    assert.equal(amd.platform, 'linux/amd64');
    assert.equal(gone.platform, 'linux/arm64/v8');
    const got = await rows(page);
    assert.deepEqual(got.map((r) => [r.platform, r.present, r.digest, r.digestText, r.canOpen, r.shown]), [
      ['linux/amd64', 'true', amd.manifest_digest, amd.manifest_digest, true, 'true'],
      ['linux/arm64/v8', 'false', gone.manifest_digest, gone.manifest_digest, false, 'false'],
    ]);
    assert.match(got[1].text, /^linux\/arm64\/v8 not in this archive sha256:/);
    assert.match(got[0].text, /^linux\/amd64 shown sha256:/);
    assert.match(await text(page.locator('#pf-title')), /^Platforms in this index$/);
    assert.match(await text(page.locator('[data-testid=platforms] p')), /lists 2 platforms; 1 of them are in this archive/);
    // The shown image is the amd64 one: its layers by diff_id, bottom to top.
    assert.deepEqual((await app.readLayers(page)).map((l) => l.diffId), amd.diff_ids);
    // The digest is copyable: a labelled button beside it.
    const copy = page.locator('[data-testid=platform]').nth(1).locator('button.copy');
    assert.equal(await copy.getAttribute('aria-label'), `Copy ${gone.manifest_digest}`);
    for (const [w, scheme] of [[1280, 'light'], [360, 'dark']]) {
      await page.setViewportSize({ width: w, height: 900 });
      await page.emulateMedia({ colorScheme: scheme });
      await shoot(page, `partial-${w}-${scheme}`);
    }
    // At 360 px nothing of the list runs off the page.
    const over = await page.$eval('[data-testid=platforms]', (e) => e.scrollWidth - e.clientWidth);
    assert.ok(over <= 0, `platform list overflows by ${over}px at 360 px`);
    assert.deepEqual(problemsOf(page), []);
    await page.close();

    const id = await open(partial, { query: '?lang=id' });
    const idRows = await rows(id);
    assert.match(idRows[1].text, /^linux\/arm64\/v8 tidak ada di arsip ini sha256:/);
    assert.match(idRows[0].text, /^linux\/amd64 ditampilkan sha256:/);
    assert.match(await text(id.locator('#pf-title')), /^Platform dalam index ini$/);
    await id.close();
  });

  test('both present: first shown, arm64/v8 opens by keyboard with its layers; chips show the platform', { timeout: T }, async () => {
    const a = bothPresent();
    const file = path.join(tmp, 'multi.tar');
    fs.writeFileSync(file, a.bytes);
    const page = await open(file, { query: '?lang=en' });
    const got = await rows(page);
    assert.deepEqual(got.map((r) => [r.platform, r.present, r.digest, r.canOpen, r.shown]), [
      ['linux/amd64', 'true', a.plat['linux/amd64'].manifest, true, 'true'],
      ['linux/arm64/v8', 'true', a.plat['linux/arm64/v8'].manifest, true, 'false'],
    ]);
    assert.deepEqual((await app.readLayers(page)).map((l) => l.diffId), a.plat['linux/amd64'].diffIds);
    assert.match(await text(page.locator('[data-testid=platforms] p')), /lists 2 platforms; 2 of them are in this archive/);

    // The picker's two chips carry one tag; their platforms tell them apart.
    const chips = await page.$$eval('[data-testid=image-option]', (els) => els.map((e) => e.querySelector('[data-testid=image-option-platform]')?.textContent.trim()));
    assert.deepEqual(chips, ['linux/amd64', 'linux/arm64/v8']);

    // Keyboard only: focus the arm64 button, press Enter.
    const arm = page.locator('[data-testid=platform][data-platform="linux/arm64/v8"] button[data-testid=platform-open]');
    assert.equal(await arm.getAttribute('aria-label'), 'Open platform linux/arm64/v8');
    await arm.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid=platform][data-platform="linux/arm64/v8"]')?.dataset.shown === 'true');
    assert.deepEqual((await app.readLayers(page)).map((l) => l.diffId), a.plat['linux/arm64/v8'].diffIds);
    assert.equal(await arm.getAttribute('aria-pressed'), 'true');
    assert.equal(await page.locator('[data-testid=image-option][aria-pressed=true] [data-testid=image-option-platform]').textContent(), 'linux/arm64/v8');
    for (const [w, scheme] of [[1280, 'light'], [1280, 'dark'], [360, 'light'], [360, 'dark']]) {
      await page.setViewportSize({ width: w, height: 900 });
      await page.emulateMedia({ colorScheme: scheme });
      await shoot(page, `both-${w}-${scheme}`);
    }
    // And back with the mouse.
    await page.locator('[data-testid=platform][data-platform="linux/amd64"] button[data-testid=platform-open]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=platform][data-platform="linux/amd64"]')?.dataset.shown === 'true');
    assert.deepEqual((await app.readLayers(page)).map((l) => l.diffId), a.plat['linux/amd64'].diffIds);
    assert.deepEqual(problemsOf(page), []);
    await page.close();

    const id = await open(file, { query: '?lang=id' });
    const idArm = id.locator('[data-testid=platform][data-platform="linux/arm64/v8"] button[data-testid=platform-open]');
    assert.equal(await idArm.getAttribute('aria-label'), 'Buka platform linux/arm64/v8');
    assert.match(await text(id.locator('[data-testid=platforms] p')), /mencantumkan 2 platform; 2 di antaranya ada di arsip ini/);
    await id.close();
  });

  test('the first present platform is shown first, even when an absent one is listed before it', { timeout: T }, async () => {
    const a = bothPresent({ absentFirst: true });
    const file = path.join(tmp, 'absent-first.tar');
    fs.writeFileSync(file, a.bytes);
    const page = await open(file, { query: '?lang=en' });
    const got = await rows(page);
    assert.deepEqual(got.map((r) => [r.platform, r.present, r.digest, r.canOpen, r.shown]), [
      ['linux/arm64/v8', 'false', a.plat['linux/arm64/v8'].manifest, false, 'false'],
      ['linux/amd64', 'true', a.plat['linux/amd64'].manifest, true, 'true'],
    ]);
    assert.match(got[0].text, /^linux\/arm64\/v8 not in this archive sha256:/);
    assert.deepEqual((await app.readLayers(page)).map((l) => l.diffId), a.plat['linux/amd64'].diffIds);
    await page.close();
  });
});
