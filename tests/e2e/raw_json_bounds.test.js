'use strict';
// The raw JSON view is bounded (track "fixes", raw_json.rs `pretty`): a config nested 100
// levels deep (serde_json reads up to 128) is indented for its first 64 levels and printed
// compact on one line below that — never 2 × depth² spaces — and every character of the
// archive's text is still there. Light and dark, 1280 and 360 px screenshots.
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
const SHOTS = path.join(REPO, 'target', 'screenshots', 'fixes');
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';
const DEPTH = 100;

/** The text without whitespace outside strings (what any layout must keep). */
function squeeze(s) {
  let out = '';
  let inString = false;
  let escaped = false;
  for (const c of s) {
    if (inString) {
      out += c;
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (!/\s/.test(c)) out += c;
  }
  return out;
}

describe('raw JSON of a deeply nested config', () => {
  let session;
  let tmp;
  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pancake-raw-bounds-'));
    session = await openSession();
  });
  after(async () => {
    await session?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('indented to 64 levels, the rest compact, nothing lost', { timeout: T }, async () => {
    const b = new Layout();
    const l = tar([['a.txt', 'hello']]);
    // `"deep"` sits at level 1, so its arrays open levels 2 … DEPTH + 1.
    const configText = `{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["${sha256(l)}"]},"deep":${'['.repeat(DEPTH)}"x"${']'.repeat(DEPTH)}}`;
    JSON.parse(configText);
    const m = b.json(OCI_MANIFEST, {
      schemaVersion: 2, mediaType: OCI_MANIFEST,
      config: b.blob(OCI_CONFIG, configText), layers: [b.blob(OCI_LAYER, l)],
    });
    b.index([{ ...m, annotations: { 'org.opencontainers.image.ref.name': 'deep:1' } }]);
    const file = path.join(tmp, 'deep.tar');
    fs.writeFileSync(file, b.tar());

    const page = await session.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    await dropFile(page, file);
    await waitReady(page, { timeout: READY });
    await app.openTab(page, 'config');
    const cfg = page.locator('[data-testid=raw-doc][data-doc=raw-config]');
    await cfg.locator('summary').click();
    const shown = await cfg.locator('pre').textContent();
    assert.equal(squeeze(shown), configText, 'every character of the stored text');
    const lines = shown.split('\n');
    const indent = (s) => s.length - s.trimStart().length;
    assert.equal(Math.max(...lines.map(indent)), 2 * 64, 'no line indented past 64 levels');
    // The line at level 64 holds the arrays of levels 65 … DEPTH + 1 (37), compact.
    const compact = lines.find((s) => indent(s) === 128 && s.includes('"x"'));
    const below = DEPTH + 1 - 64;
    assert.equal(compact.trim(), `${'['.repeat(below)}"x"${']'.repeat(below)}`);
    // The summary's line count is the text's.
    assert.match(await cfg.locator('summary').textContent(), new RegExp(`${lines.length} lines`));
    fs.mkdirSync(SHOTS, { recursive: true });
    // The compact line in view: the page scrolled to the <pre>, the <pre> (its own scroller)
    // to that line, and sideways to its end (it is the widest line).
    const at = lines.indexOf(compact);
    const showCompact = (pre, line) => {
      window.scrollTo(0, pre.getBoundingClientRect().top + window.scrollY - 120);
      const lh = parseFloat(getComputedStyle(pre).lineHeight) || 18;
      pre.scrollTop = Math.max(0, line * lh - pre.clientHeight / 2);
      pre.scrollLeft = pre.scrollWidth - pre.clientWidth;
    };
    await cfg.locator('pre').evaluate(showCompact, at);
    await page.screenshot({ path: path.join(SHOTS, 'raw-deep-1280-light.png') });
    await page.setViewportSize({ width: 360, height: 800 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await cfg.locator('pre').evaluate(showCompact, at);
    await page.screenshot({ path: path.join(SHOTS, 'raw-deep-360-dark.png') });
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });
});
