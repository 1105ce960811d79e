'use strict';
// One headless Debian Chromium per test file (launch ≈ 1 s), a fresh page per test.
// Flags follow ../shared/toolchain.md: without the background-networking ones Chromium
// tries the network and stalls. Never `playwright install` (it downloads a browser).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { startServer } = require('./server');

const REPO = path.resolve(__dirname, '..', '..', '..');
const DIST = process.env.PANCAKE_DIST || path.join(REPO, 'dist');
const FIXTURES = process.env.PANCAKE_FIXTURES || path.join(REPO, '..', 'shared', 'fixtures');
const SHOTS = path.join(REPO, 'target', 'screenshots', 'e2e');
const CHROMIUM = process.env.PANCAKE_CHROMIUM || '/usr/bin/chromium';

const SEL = {
  dropZone: '[data-testid=drop-zone]',
  fileInput: 'input[type=file][data-testid=file-input]',
  ready: '[data-testid=image-ready]',
  error: '[data-testid=error]',
  progress: '[data-testid=progress]',
};

const BIG_FILE = 5 * 1024 * 1024; // above this a base64 copy through evaluate() gets slow

/**
 * Start the static server for dist/ and one persistent Chromium context.
 * Every request the context makes to another origin is aborted and recorded in `foreign`,
 * except to the origins in `allowOrigins` (e.g. a second local server a test points `?src=` at).
 * `serviceWorkers: 'block'` keeps the app's service worker from registering (Playwright's
 * context option), for a test that routes the page's own requests.
 */
async function openSession({ allowOrigins = [], ignoreCertErrors = false, serviceWorkers = 'allow' } = {}) {
  if (!fs.existsSync(path.join(DIST, 'index.html'))) {
    throw new Error(`${DIST}/index.html is missing: build first (trunk build --release --offline)`);
  }
  const server = await startServer(DIST);
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pancake-pw-'));
  const ctx = await chromium.launchPersistentContext(userDir, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30000,
    viewport: { width: 1280, height: 800 },
    serviceWorkers,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage', ...(ignoreCertErrors ? ['--ignore-certificate-errors'] : [])],
  });
  const foreign = [];
  // Anything that is not our origin (and not a data:/blob: URL, which never touch the network).
  const allowed = (u) => { try { return allowOrigins.includes(new URL(u).origin); } catch { return false; } };
  await ctx.route((url) => isForeign(url.href, server.origin) && !allowed(url.href), (route) => {
    foreign.push(route.request().url());
    return route.abort('blockedbyclient');
  });
  ctx.on('request', (req) => {
    if (isForeign(req.url(), server.origin) && !allowed(req.url()) && !foreign.includes(req.url())) foreign.push(req.url());
  });
  return {
    server,
    ctx,
    foreign,
    newPage: (opts) => newPage(ctx, server, opts),
    async close() {
      await ctx.close().catch(() => {});
      await server.close();
      fs.rmSync(userDir, { recursive: true, force: true });
    },
  };
}

function isForeign(url, origin) {
  if (url.startsWith('data:') || url.startsWith('about:')) return false;
  try {
    return new URL(url).origin !== origin; // blob:http://127.0.0.1:P/… has our origin
  } catch {
    return true;
  }
}

/**
 * A new page on the app, with console errors, page errors and requests collected in
 * `page.pancake`. Options: viewport {width,height}, colorScheme 'light'|'dark', query ('?x=y').
 */
async function newPage(ctx, server, { viewport, colorScheme, query = '' } = {}) {
  const page = await ctx.newPage();
  const log = { consoleErrors: [], consoleWarnings: [], pageErrors: [], requests: [], foreign: [] };
  page.pancake = log;
  page.on('console', (m) => {
    if (m.worker && m.worker()) return;
    if (m.type() === 'error') log.consoleErrors.push(`page: ${m.text()}`);
    if (m.type() === 'warning') log.consoleWarnings.push(`page: ${m.text()}`);
  });
  page.on('worker', (w) => w.on('console', (m) => {
    if (m.type() === 'error') log.consoleErrors.push(`worker ${w.url()}: ${m.text()}`);
    if (m.type() === 'warning') log.consoleWarnings.push(`worker ${w.url()}: ${m.text()}`);
  }));
  page.on('pageerror', (e) => log.pageErrors.push(String(e && e.stack || e)));
  page.on('request', (r) => {
    log.requests.push(r.url());
    if (isForeign(r.url(), server.origin)) log.foreign.push(r.url());
  });
  page.on('requestfailed', (r) => {
    if (!isForeign(r.url(), server.origin)) log.consoleErrors.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  if (viewport) await page.setViewportSize(viewport);
  await page.emulateMedia({ colorScheme: colorScheme || 'light' });
  // Playwright cannot answer Chromium's own save picker (headless Chromium closes it at once,
  // as if cancelled): pages save the Firefox/Safari way, as downloads, unless a test puts its
  // own `showSaveFilePicker` in (downloads.test.js, over the origin-private file system).
  await page.addInitScript(() => { delete window.showSaveFilePicker; });
  // The app's wasm exports as Trunk's loader announces them, so a test can read the page's
  // own wasm memory (`window.__pcAppWasm.memory.buffer.byteLength`).
  await page.addInitScript(() => {
    addEventListener('TrunkApplicationStarted', (e) => { window.__pcAppWasm = e.detail && e.detail.wasm; });
  });
  await page.goto(server.url + query, { waitUntil: 'load' });
  // The app has mounted once its drop zone exists.
  await page.locator(SEL.dropZone).first().waitFor({ state: 'attached', timeout: 20000 });
  return page;
}

/** The console warnings a page and its workers printed (kept apart from `problemsOf`: the
 *  browser itself may warn; a test asserts on these where the page's own code could). */
function warningsOf(page) {
  return page.pancake.consoleWarnings.slice();
}

/** The problems a page collected: console errors, uncaught errors, other-origin requests. */
function problemsOf(page) {
  const l = page.pancake;
  return [
    ...l.consoleErrors.map((s) => `console error: ${s}`),
    ...l.pageErrors.map((s) => `page error: ${s}`),
    ...l.foreign.map((s) => `request to another origin: ${s}`),
  ];
}

/** A real drop: DragEvents carrying a DataTransfer with a File, dispatched on the drop zone. */
async function dropFile(page, file) {
  const size = fs.statSync(file).size;
  if (size > BIG_FILE) {
    await pickFile(page, file);
    return 'input (file too big for an in-page copy)';
  }
  const b64 = fs.readFileSync(file).toString('base64');
  await page.evaluate(({ b64, name, sel }) => {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], name, { type: '' }));
    const el = document.querySelector(sel);
    if (!el) throw new Error(`no ${sel} in the page`);
    for (const t of ['dragenter', 'dragover', 'drop']) {
      el.dispatchEvent(new DragEvent(t, { bubbles: true, cancelable: true, dataTransfer: dt }));
    }
  }, { b64, name: path.basename(file), sel: SEL.dropZone });
  return 'drop';
}

/** Choose the file through the page's file input (works on a hidden input too). */
async function pickFile(page, file) {
  await page.locator(SEL.fileInput).first().setInputFiles(file);
  return 'input';
}

/** Wait until every digest is settled; on timeout say what the page shows instead. */
async function waitReady(page, { timeout = 30000 } = {}) {
  try {
    await page.locator(SEL.ready).first().waitFor({ state: 'attached', timeout });
  } catch (e) {
    const errors = await page.locator(SEL.error).allTextContents().catch(() => []);
    const progress = await page.locator(SEL.progress).first()
      .evaluate((el) => `${el.dataset.bytesDone}/${el.dataset.bytesTotal}`).catch(() => 'none');
    throw new Error(`[data-testid=image-ready] did not appear within ${timeout} ms; ` +
      `errors shown: ${JSON.stringify(errors)}; progress: ${progress}; ` +
      `problems: ${JSON.stringify(problemsOf(page))}`);
  }
}

async function screenshot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

module.exports = {
  REPO, DIST, FIXTURES, SHOTS, SEL,
  openSession, problemsOf, warningsOf, dropFile, pickFile, waitReady, screenshot, isForeign,
};
