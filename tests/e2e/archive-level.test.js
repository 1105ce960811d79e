'use strict';
// The archive level on the page (issue 10): artifacts listed with the image they refer to,
// never as images; the verification states kept apart (verified; mismatch with expected and
// actual; missing; not checkable, neutral, with its reason; left out on purpose with URLs and
// the descriptor's size); each disagreement between sources in plain words. Every archive is
// made here (lib/tarwrite.js), in the shapes of crates/pancake-core/tests/resolution.rs.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { REPO, openSession, problemsOf, dropFile, waitReady } = require('./lib/browser');
const app = require('./lib/app');
const { tar, sha256, Layout } = require('./lib/tarwrite');

const READY = Number(process.env.PANCAKE_E2E_READY_MS || 45000);
const T = READY + 60000;
const SHOTS = path.join(REPO, 'target', 'screenshots', 'views');

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';
const EMPTY = 'application/vnd.oci.empty.v1+json';

const layer = (name, text) => tar([[name, text]]);
const config = (layers, arch = 'amd64') => ({
  architecture: arch, os: 'linux', config: {},
  rootfs: { type: 'layers', diff_ids: layers.map(sha256) },
  history: layers.map((_, i) => ({ created_by: `COPY f${i} /` })),
});

let tmp;
function save(name, bytes) {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, bytes);
  return f;
}

/** One image, a cosign signature (tag convention) and an SBOM (subject, artifactType). */
function withArtifacts() {
  const b = new Layout();
  const l = layer('a.txt', 'hello');
  const img = b.json(OCI_MANIFEST, {
    schemaVersion: 2, mediaType: OCI_MANIFEST,
    config: b.json(OCI_CONFIG, config([l])), layers: [b.blob(OCI_LAYER, l)],
  });
  const sigPayload = '{"critical":{"type":"cosign container image signature"}}';
  const sig = b.json(OCI_MANIFEST, {
    schemaVersion: 2, mediaType: OCI_MANIFEST,
    config: b.json(OCI_CONFIG, { architecture: '', os: '', rootfs: { type: 'layers', diff_ids: [] } }),
    layers: [b.blob('application/vnd.dev.cosign.simplesigning.v1+json', sigPayload)],
  });
  const sbomBody = '{"spdxVersion":"SPDX-2.3"}'.repeat(10);
  const sbom = b.json(OCI_MANIFEST, {
    schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: 'application/spdx+json',
    config: b.blob(EMPTY, '{}'), layers: [b.blob('application/spdx+json', sbomBody)], subject: img,
  });
  b.index([
    { ...img, annotations: { 'org.opencontainers.image.ref.name': 'app:1' } },
    { ...sig, annotations: { 'org.opencontainers.image.ref.name': `sha256-${img.digest.slice(7)}.sig` } },
    sbom,
  ]);
  return { bytes: b.tar(), sig, sbom, sigSize: sigPayload.length, sbomSize: sbomBody.length, config: config([l]), manifestDigest: img.digest };
}

/** A Windows-style image: its base layer non-distributable, left out, with a URL. */
function foreign() {
  const b = new Layout();
  const base = layer('base.txt', 'base layer');
  const top = layer('app.txt', 'app layer');
  const baseDesc = {
    mediaType: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
    digest: sha256(base), size: base.length, urls: ['https://mcr.example/base.tar'],
  };
  const m = b.json(OCI_MANIFEST, {
    schemaVersion: 2, config: b.json(OCI_CONFIG, config([base, top])),
    layers: [baseDesc, b.blob(OCI_LAYER, top)],
  });
  b.index([m]);
  return { bytes: b.tar(), baseSize: base.length };
}

/** A pre-1.10 save: `repositories` and `<id>/json`, no config: nothing claims a digest. */
function legacy() {
  const id = 'a'.repeat(64);
  return tar([
    ['repositories', JSON.stringify({ old: { 1: id } })],
    [`${id}/json`, JSON.stringify({ id, created: '2015-01-01T00:00:00Z' })],
    [`${id}/layer.tar`, layer('x', 'legacy')],
  ]);
}

/** Layer 0's config diff_id is wrong; layer 1's blob is not in the archive. */
function broken() {
  const b = new Layout();
  const l0 = layer('a.txt', 'zero');
  const l1 = layer('b.txt', 'one');
  const claimed = Buffer.from('not the layer');
  const cfg = config([l0, l1]);
  cfg.rootfs.diff_ids[0] = sha256(claimed);
  const gone = { mediaType: OCI_LAYER, digest: sha256(l1), size: l1.length };
  const m = b.json(OCI_MANIFEST, {
    schemaVersion: 2, config: b.json(OCI_CONFIG, cfg), layers: [b.blob(OCI_LAYER, l0), gone],
  });
  b.index([m]);
  return { bytes: b.tar(), expected: sha256(claimed), actual: sha256(l0), gone: gone.digest };
}

/** Docker 25's save: manifest.json and index.json; the index says arm64/v8, the config amd64. */
function disagreeing() {
  const b = new Layout();
  const l = layer('a', 'first');
  const ld = b.blob(OCI_LAYER, l);
  const cd = b.json(OCI_CONFIG, config([l], 'amd64'));
  const md = b.json(OCI_MANIFEST, { schemaVersion: 2, config: cd, layers: [ld] });
  b.index([{
    ...md,
    annotations: { 'io.containerd.image.name': 'docker.io/library/app:1', 'org.opencontainers.image.ref.name': '1' },
    platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
  }]);
  b.file('manifest.json', JSON.stringify([{
    Config: `blobs/sha256/${cd.digest.slice(7)}`, RepoTags: ['app:1'], Layers: [`blobs/sha256/${ld.digest.slice(7)}`],
  }]));
  return b.tar();
}

/** Sizes as the page prints them (Docker's units.HumanSize: SI, three significant digits). */
function human(n) {
  const units = ['B', 'kB', 'MB', 'GB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i += 1; }
  return `${i === 0 ? v : Number(v.toPrecision(3))}${units[i]}`;
}
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const text = async (loc) => (await loc.textContent()).replace(/\s+/g, ' ').trim();
const kindsShown = (page) => page.$$eval('[data-testid=error]', (els) => els.map((e) => e.getAttribute('data-kind')));

async function shoot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

describe('archive level on the page (issue 10)', () => {
  let session;
  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pancake-archive-level-'));
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

  test('artifacts are listed with their image: kind, type, size; never as images', { timeout: T }, async () => {
    const a = withArtifacts();
    const file = save('signed.tar', a.bytes);
    const page = await open(file);
    // One image: no picker offering the signature or the SBOM as images.
    const picker = await app.imagePicker(page);
    assert.ok(!picker || picker.count === 1, `picker offers ${picker && picker.count} images`);
    assert.equal(await text(page.locator('.summary h1').first()), 'app:1');
    const rows = page.locator('[data-testid=artifact]');
    assert.equal(await rows.count(), 2);
    const sig = rows.nth(0);
    assert.equal(await sig.getAttribute('data-kind'), 'signature');
    assert.equal(Number(await sig.getAttribute('data-size')), a.sigSize);
    // Old cosign gives its signature an image config type: the core names that type (README).
    assert.match(await text(sig), new RegExp(`^Signature application/vnd\\.oci\\.image\\.config\\.v1\\+json ${esc(human(a.sigSize))} `));
    assert.match(await text(sig), /refers to the image by cosign tag sha256-/);
    assert.equal(await sig.locator('code[title]').getAttribute('title'), a.sig.digest);
    const sbom = rows.nth(1);
    assert.equal(await sbom.getAttribute('data-kind'), 'sbom');
    assert.equal(Number(await sbom.getAttribute('data-size')), a.sbomSize);
    assert.equal(await text(sbom.locator('[data-testid=artifact-type]')), 'application/spdx+json');
    assert.match(await text(sbom), /refers to the image by subject/);
    assert.match(await text(page.locator('#artifacts-title')), /Artifacts of this image \(2\)/);
    // Nothing about the artifacts is reported as a missing blob or an unreadable layer.
    assert.deepEqual(await kindsShown(page), []);
    assert.equal(await page.locator('[data-testid=image-ready]').getAttribute('data-state'), 'verified');
    assert.equal(await page.locator('[data-testid=layer]').count(), 1);
    for (const [w, scheme] of [[1280, 'light'], [360, 'dark']]) {
      await page.setViewportSize({ width: w, height: 900 });
      await page.emulateMedia({ colorScheme: scheme });
      await shoot(page, `artifacts-${w}-${scheme}`);
    }
    assert.deepEqual(problemsOf(page), []);
    await page.close();

    // Bahasa Indonesia: the kinds are translated too.
    const id = await open(file, { query: '?lang=id' });
    assert.match(await text(id.locator('[data-testid=artifact]').nth(0)), /^Tanda tangan /);
    assert.match(await text(id.locator('#artifacts-title')), /Artefak image ini \(2\)/);
    await id.close();
  });

  test('raw JSON: the config and the manifests, pretty-printed in their own key order', { timeout: T }, async () => {
    const a = withArtifacts();
    const page = await open(save('signed-raw.tar', a.bytes));
    await app.openTab(page, 'config');
    const docs = page.locator('[data-testid=raw-doc]');
    assert.deepEqual(await docs.evaluateAll((els) => els.map((e) => e.dataset.doc)), ['raw-config', 'raw-manifest', 'raw-index']);
    const cfg = docs.nth(0);
    await cfg.locator('summary').click();
    const shown = await cfg.locator('pre').textContent();
    assert.deepEqual(JSON.parse(shown), a.config);
    assert.equal(shown, JSON.stringify(a.config, null, 2), 'two-space indent, the archive\'s key order');
    const man = docs.nth(1);
    assert.match(await man.locator('summary').textContent(), new RegExp(`blobs/sha256/${a.manifestDigest.slice(7)}`));
    await man.locator('summary').click();
    assert.equal(JSON.parse(await man.locator('pre').textContent()).layers.length, 1);
    await page.setViewportSize({ width: 360, height: 800 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await cfg.scrollIntoViewIfNeeded();
    await shoot(page, 'raw-json-360-dark');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.emulateMedia({ colorScheme: 'light' });
    await shoot(page, 'raw-json-1280-light');
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  test('a non-distributable layer is left out on purpose: URL and the descriptor size, neutral', { timeout: T }, async () => {
    const f = foreign();
    const page = await open(save('foreign.tar', f.bytes), { viewport: { width: 1280, height: 900 } });
    const slab = (i) => page.locator(`[data-testid=layer][data-index="${i}"]`);
    assert.equal(await slab(0).getAttribute('data-state'), 'non-distributable');
    assert.equal(await slab(1).getAttribute('data-state'), 'verified');
    assert.match(await text(slab(0).locator('[data-testid=badge]')), /left out on purpose/);
    assert.match(await text(slab(0)), new RegExp(`${esc(human(f.baseSize))} · not here`));
    await app.selectLayer(page, 0);
    const nd = page.locator('[data-testid=non-distributable]');
    assert.match(await text(nd), /Left out of this archive on purpose: a non-distributable \(foreign\) layer/);
    assert.match(await text(nd), new RegExp(`Its descriptor gives its size: ${esc(human(f.baseSize))}\\.`));
    assert.equal(await text(page.locator('[data-testid=nondist-url] code')), 'https://mcr.example/base.tar');
    // Not an error: the image is otherwise complete; said neutrally, not with ✗.
    const ready = page.locator('[data-testid=image-ready]');
    assert.equal(await ready.getAttribute('data-state'), 'not-checkable');
    assert.match(await text(ready), /1 of 2 layers verified, 1 not checkable .* none failed/);
    assert.deepEqual(await kindsShown(page), ['non-distributable']);
    for (const [w, scheme] of [[1280, 'light'], [1280, 'dark'], [360, 'light'], [360, 'dark']]) {
      await page.setViewportSize({ width: w, height: 900 });
      await page.emulateMedia({ colorScheme: scheme });
      await shoot(page, `non-distributable-${w}-${scheme}`);
    }
    // The history table gives the descriptor's size, not 0 B.
    await app.openTab(page, 'history');
    const row = page.locator('[data-testid=history-row][data-layer="0"]');
    assert.match(await text(row), new RegExp(`${esc(human(f.baseSize))} · not here`));
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  test('a legacy save has nothing to check: not checkable, neutral, with the reason', { timeout: T }, async () => {
    const page = await open(save('legacy.tar', legacy()));
    const slab = page.locator('[data-testid=layer]').first();
    assert.equal(await slab.getAttribute('data-state'), 'not-checkable');
    assert.match(await text(slab.locator('[data-testid=badge]')), /not checkable/);
    assert.doesNotMatch(await text(slab), /✗/);
    await app.selectLayer(page, 0);
    assert.match(await text(page.locator('[data-testid=not-checkable]')), /claims no digest/);
    const ready = page.locator('[data-testid=image-ready]');
    assert.equal(await ready.getAttribute('data-state'), 'not-checkable');
    assert.match(await text(ready), /^○ .*0 of 1 layers verified, 1 not checkable/);
    assert.deepEqual(await kindsShown(page), []);
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  test('a mismatch gives expected and actual; a missing blob says missing', { timeout: T }, async () => {
    const b = broken();
    const page = await open(save('broken.tar', b.bytes));
    const slab = (i) => page.locator(`[data-testid=layer][data-index="${i}"]`);
    assert.equal(await slab(0).getAttribute('data-state'), 'mismatch');
    assert.equal(await slab(1).getAttribute('data-state'), 'missing');
    assert.match(await text(slab(1).locator('[data-testid=badge]')), /missing/);
    await app.selectLayer(page, 0);
    assert.equal(await text(page.locator('[data-testid=expected]')), b.expected);
    assert.equal(await text(page.locator('[data-testid=actual]')), b.actual);
    await app.selectLayer(page, 1);
    const missing = page.locator('[data-testid=missing]');
    assert.match(await text(missing), /Missing: this layer's blob is not in the archive/);
    assert.match(await text(missing.locator('[data-testid=reason]')), new RegExp(b.gone.slice(7)));
    const ready = page.locator('[data-testid=image-ready]');
    assert.equal(await ready.getAttribute('data-state'), 'failed');
    assert.match(await text(ready), /^✗/);
    const kinds = await kindsShown(page);
    assert.ok(kinds.includes('digest-mismatch') && kinds.includes('missing-blob'), JSON.stringify(kinds));
    await page.close();
  });

  test('a config whose descriptor size is wrong: layers verified, the image not, and said', { timeout: T }, async () => {
    const b = new Layout();
    const l = layer('a.txt', 'hello');
    const cd = b.json(OCI_CONFIG, config([l]));
    const m = b.json(OCI_MANIFEST, {
      schemaVersion: 2, mediaType: OCI_MANIFEST, config: { ...cd, size: cd.size + 1 }, layers: [b.blob(OCI_LAYER, l)],
    });
    b.index([m]);
    const page = await open(save('config-size.tar', b.tar()));
    assert.equal(await page.locator('[data-testid=layer]').first().getAttribute('data-state'), 'verified');
    const ready = page.locator('[data-testid=image-ready]');
    assert.equal(await ready.getAttribute('data-state'), 'failed');
    assert.match(await text(ready), /^✗ Digests checked: 1 of 1 layers verified, but the image's config or manifest is not what the archive claims/);
    assert.deepEqual(await kindsShown(page), ['digest-mismatch']);
    await page.close();
  });

  test('a layer docker load cannot unpack: its digest verified, the image said not to load', { timeout: T }, async () => {
    const b = new Layout();
    // `f/x` is written below the file `f` of the same layer: ENOTDIR when Docker unpacks it.
    const l = tar([['f', 'a file'], ['f/x', 'below a file']]);
    const m = b.json(OCI_MANIFEST, {
      schemaVersion: 2, mediaType: OCI_MANIFEST, config: b.json(OCI_CONFIG, config([l])), layers: [b.blob(OCI_LAYER, l)],
    });
    b.index([m]);
    const page = await open(save('unpack-fails.tar', b.tar()));
    assert.equal(await page.locator('[data-testid=layer]').first().getAttribute('data-state'), 'verified');
    const ready = page.locator('[data-testid=image-ready]');
    // The digests' verdict stays what it is; the line says the rest, in red.
    assert.equal(await ready.getAttribute('data-state'), 'verified');
    assert.equal(await ready.getAttribute('data-unpack'), 'fails');
    assert.equal(await text(ready), '✗ Digests checked: 1 of 1 layers verified, but Docker cannot unpack one of them, so docker load fails (see the problems listed)');
    assert.match(await ready.getAttribute('class'), /\bnot-all\b/);
    assert.deepEqual(await kindsShown(page), ['unpack-fails']);
    await page.close();
  });

  test('a history with more layer-making steps than layers: docker load refuses it, said', { timeout: T }, async () => {
    const b = new Layout();
    const l = layer('a.txt', 'hello');
    const cfg = config([l]);
    cfg.history.push({ created_by: '/bin/sh -c echo b > /b.txt' });
    const m = b.json(OCI_MANIFEST, {
      schemaVersion: 2, mediaType: OCI_MANIFEST, config: b.json(OCI_CONFIG, cfg), layers: [b.blob(OCI_LAYER, l)],
    });
    b.index([m]);
    const file = save('too-many-steps.tar', b.tar());
    const page = await open(file);
    assert.equal(await page.locator('[data-testid=layer]').first().getAttribute('data-state'), 'verified');
    const ready = page.locator('[data-testid=image-ready]');
    assert.equal(await ready.getAttribute('data-state'), 'verified');
    assert.equal(await ready.getAttribute('data-load'), 'refused');
    // The reason its config alone gives, in the page's language (the problem gives the details).
    assert.equal(await text(ready), '✗ Digests checked: 1 of 1 layers verified, but docker load refuses this image: the config history has 2 steps that make layers, for 1 layer (see the problems listed)');
    assert.deepEqual((await kindsShown(page)).sort(), ['history', 'load-fails']);
    assert.match(await page.locator('[data-testid=error][data-kind=history]').innerText(), /2 layer-making steps for 1 layer;/);
    await page.close();
    const id = await open(file, { query: '?lang=id' });
    assert.equal(await text(id.locator('[data-testid=image-ready]')), '✗ Digest sudah diperiksa: 1 dari 1 layer terverifikasi, tetapi docker load menolak image ini: riwayat config punya 2 langkah yang membuat layer, untuk 1 layer (lihat daftar masalah)');
    await id.close();
  });

  test('a config Go cannot decode (created is not a date): docker load refuses the image, said beside the digests', { timeout: T }, async () => {
    const b = new Layout();
    const l = layer('a.txt', 'hello');
    const cfg = config([l]);
    cfg.created = 'not a date';
    const m = b.json(OCI_MANIFEST, {
      schemaVersion: 2, mediaType: OCI_MANIFEST, config: b.json(OCI_CONFIG, cfg), layers: [b.blob(OCI_LAYER, l)],
    });
    b.index([m]);
    const page = await open(save('bad-created.tar', b.tar()));
    const ready = page.locator('[data-testid=image-ready]');
    assert.equal(await ready.getAttribute('data-state'), 'verified');
    assert.equal(await ready.getAttribute('data-load'), 'refused');
    assert.equal(await text(ready), '✗ Digests checked: 1 of 1 layers verified, but docker load refuses this image (see the problems listed)');
    assert.deepEqual(await kindsShown(page), ['load-fails']);
    await page.close();
  });

  test('a file capability (setcap) is shown in the file details, and Compare says it', { timeout: T }, async () => {
    // The 20-byte vfs_cap_data v2 of cap_net_raw=ep, as setcap writes it.
    const cap = Buffer.from('0100000200200000000000000000000000000000', 'hex');
    const base = tar([['bin/ping', 'ELF ping']]);
    const top = tar([['bin/ping', 'ELF ping', { pax: { 'SCHILY.xattr.security.capability': cap, 'SCHILY.xattr.user.note': 'hello' } }]]);
    const b = new Layout();
    const cfg = config([base, top]);
    const m = b.json(OCI_MANIFEST, {
      schemaVersion: 2, mediaType: OCI_MANIFEST, config: b.json(OCI_CONFIG, cfg),
      layers: [b.blob(OCI_LAYER, base), b.blob(OCI_LAYER, top)],
    });
    b.index([m]);
    const page = await open(save('setcap.tar', b.tar()));
    assert.deepEqual(await kindsShown(page), []);
    await page.locator('[role=tab]').nth(1).click();
    await page.locator('[data-testid=file-filter]').fill('bin/ping');
    const row = page.locator('[data-testid=file-row][data-path="bin/ping"]');
    await row.waitFor({ timeout: 10000 });
    await row.click();
    const caps = page.locator('[data-testid=file-caps]');
    await caps.waitFor({ timeout: 10000 });
    assert.equal(await text(caps), 'Capabilities: cap_net_raw=ep');
    assert.equal(await text(page.locator('[data-testid=file-xattrs] p').nth(1)), 'Extended attributes: user.note (5B)');
    await page.keyboard.press('Escape');

    // In a container, the editor shows the same attributes; a write drops the capability, as
    // Linux does (the copy-up keeps it, the write clears it), and keeps the other attribute.
    await app.openTab(page, 'container');
    await page.locator('[data-testid=run-container]').first().click();
    await page.locator('[data-testid=container-filter]').fill('ping');
    const crow = page.locator('[data-testid=container-file-row][data-path="/bin/ping"]');
    await crow.waitFor({ timeout: 10000 });
    await crow.click();
    const editor = page.locator('[data-testid=container-editor]');
    await editor.locator('[data-testid=file-editor]').waitFor({ timeout: 15000 });
    assert.equal(await text(editor.locator('[data-testid=file-caps]')), 'Capabilities: cap_net_raw=ep');
    assert.deepEqual(await editor.locator('[data-testid=file-xattrs] p').allTextContents(),
      ['Capabilities: cap_net_raw=ep', 'Extended attributes: user.note (5B)']);
    await editor.screenshot({ path: path.join(SHOTS, 'container-caps-before-write.png') });
    await editor.locator('[data-testid=file-editor]').fill('ELF ping, patched');
    await page.locator('[data-testid=save-file]').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid=container-editor] [data-testid=file-caps]'), null, { timeout: 10000 });
    assert.deepEqual(await editor.locator('[data-testid=file-xattrs] p:not([data-testid=caps-dropped])').allTextContents(),
      ['Extended attributes: user.note (5B)']);
    assert.match(await text(editor.locator('[data-testid=caps-dropped]')),
      /^The image's copy has the capabilities cap_net_raw=ep\. Writing the file \(or changing its owner\) in the container dropped them/);
    await editor.screenshot({ path: path.join(SHOTS, 'container-caps-after-write.png') });
    await page.close();
  });

  test('a disagreement between sources is said in plain words', { timeout: T }, async () => {
    const page = await open(save('docker25.tar', disagreeing()));
    // The image is shown as docker load reads it: verified.
    assert.equal(await page.locator('[data-testid=layer]').first().getAttribute('data-state'), 'verified');
    const d = page.locator('[data-testid=error][data-kind=disagreement]');
    assert.equal(await d.count(), 1);
    const said = await text(d);
    assert.match(said, /^Two sources in the archive disagree/);
    assert.match(said, /the index says linux\/arm64\/v8, the config says linux\/amd64/);
    // A warning, not an alarm about the file being damaged.
    assert.ok((await d.getAttribute('class')).split(' ').includes('note'), await d.getAttribute('class'));
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });
});
