'use strict';
// Reading and driving the app through its stable test hooks only (issue 3, "Stable test hooks").
const { SEL, screenshot } = require('./browser');
const { normPath } = require('./expected');

const LAYER = '[data-testid=layer]';
const HISTORY_ROW = '[data-testid=history-row]';
const FILE_ROW = '[data-testid=file-row]';
const PICKER = '[data-testid=image-picker]';
const DETAILS = '[data-testid=layer-details]';
const CONTENT = '[data-testid=file-content]';

/** Clicks a view's tab and waits until the panel shows that view (Yew renders after the
 *  click's handler returns: reading the view at once could find the previous one). */
async function openTab(page, name) {
  await page.locator(`[data-testid=tab-${name}]`).first().click();
  await page.waitForFunction((n) => document.getElementById('view-panel')?.getAttribute('aria-labelledby') === `tab-${n}`,
    name, { timeout: 10000 });
}

/**
 * Layers bottom to top: the DOM lists them top first (the order they are drawn, Tab walks and
 * screen readers read), so this is the DOM order reversed, not sorted: callers checking
 * `index` against the position still check the order drawn.
 */
async function readLayers(page) {
  return page.$$eval(LAYER, (els) => els.reverse().map((e) => ({
    index: e.getAttribute('data-index'),
    diffId: e.getAttribute('data-diff-id'),
    digest: e.getAttribute('data-digest'),
    verified: e.getAttribute('data-verified'),
  })));
}

async function readHistory(page) {
  return page.$$eval(HISTORY_ROW, (els) => els.map((e) => ({
    emptyLayer: e.getAttribute('data-empty-layer') === 'true',
    text: e.textContent.replace(/\s+/g, ' ').trim(),
  })));
}

/**
 * Every file row of the list. The list is virtualized (only the rows in view exist), so when
 * `[data-testid=file-list]` says it holds more rows than are rendered, scroll through it and
 * gather them, in list order, without duplicates.
 */
async function readFileRows(page) {
  const rows = await page.evaluate(async (sel) => {
    const read = () => [...document.querySelectorAll(sel)].map((e) => ({
      path: e.getAttribute('data-path'), change: e.getAttribute('data-change'),
    }));
    const list = document.querySelector('[data-testid=file-list]');
    const total = list ? Number(list.getAttribute('data-row-count')) : NaN;
    const first = read();
    if (!list || !(total > first.length) || list.scrollHeight <= list.clientHeight) return first;
    const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const seen = new Map();
    const keep = () => { for (const r of read()) if (!seen.has(r.path)) seen.set(r.path, r); };
    const step = Math.max(1, Math.floor(list.clientHeight * 0.7));
    for (let top = 0; ; top += step) {
      list.scrollTop = top;
      list.dispatchEvent(new Event('scroll'));
      await frame();
      keep();
      if (top >= list.scrollHeight - list.clientHeight) break;
    }
    list.scrollTop = 0;
    list.dispatchEvent(new Event('scroll'));
    await frame();
    return [...seen.values()];
  }, FILE_ROW);
  return rows.map((r) => ({ rawPath: r.path, path: normPath(r.path), change: r.change }));
}

/** Open every collapsed directory of the file tree (a tree may start collapsed). */
async function expandAllRows(page, maxRounds = 20) {
  for (let i = 0; i < maxRounds; i++) {
    const closed = page.locator(`${FILE_ROW}[aria-expanded=false], ${FILE_ROW} [aria-expanded=false]`);
    if (!(await closed.count())) return;
    await closed.first().click();
  }
}

async function selectLayer(page, index) {
  const el = page.locator(`${LAYER}[data-index="${index}"]`).first();
  await el.scrollIntoViewIfNeeded();
  await el.click();
}

/** Text of the layer details panel, with whitespace removed (digests may wrap). */
async function layerDetailsText(page, { timeout = 5000 } = {}) {
  const d = page.locator(DETAILS).first();
  await d.waitFor({ state: 'visible', timeout });
  return (await d.textContent()).replace(/\s+/g, '');
}

/** The image picker's choices: { count, choose(i) } or null when there is no picker. */
async function imagePicker(page) {
  const picker = page.locator(PICKER).first();
  if (!(await picker.count())) return null;
  const tag = await picker.evaluate((e) => e.tagName);
  if (tag === 'SELECT') {
    const count = await picker.locator('option').count();
    return { count, choose: (i) => picker.selectOption({ index: i }) };
  }
  const select = picker.locator('select').first();
  if (await select.count()) {
    const count = await select.locator('option').count();
    return { count, choose: (i) => select.selectOption({ index: i }) };
  }
  const items = picker.locator('button, [role=tab], [role=option], [role=radio], input[type=radio], a[href]');
  const count = await items.count();
  return { count, choose: (i) => items.nth(i).click() };
}

/** Wait until the layer list stops changing (after picking another image). */
async function settledLayers(page, { timeout = 10000 } = {}) {
  const end = Date.now() + timeout;
  let prev = null;
  for (;;) {
    await page.locator(SEL.ready).first().waitFor({ state: 'attached', timeout: Math.max(1, end - Date.now()) });
    const now = JSON.stringify(await readLayers(page));
    if (now === prev) return JSON.parse(now);
    if (Date.now() > end) return JSON.parse(now);
    prev = now;
    await page.waitForTimeout(150);
  }
}

/** Click the file row for `path` (expanding its parents in a tree) and return the content text. */
async function openFile(page, path, { timeout = 10000 } = {}) {
  const want = normPath(path);
  let row = await findRow(page, want);
  const filter = page.locator('[data-testid=file-filter]').first();
  if (!row && await filter.count()) {
    // A virtualized list renders only the rows in view: narrow it with the filter box.
    await filter.fill(want.split('/').pop());
    await page.waitForTimeout(200);
    row = await findRow(page, want);
  }
  if (!row) {
    // A collapsed tree: click each parent directory row in turn.
    const parts = want.split('/');
    for (let i = 1; i < parts.length && !row; i++) {
      const parent = await findRow(page, parts.slice(0, i).join('/'));
      if (parent) {
        const exp = await parent.getAttribute('aria-expanded');
        if (exp !== 'true') await parent.click();
      }
      row = await findRow(page, want);
    }
  }
  if (!row) throw new Error(`no [data-testid=file-row] for ${want}; rows: ${JSON.stringify((await readFileRows(page)).map((r) => r.rawPath))}`);
  await row.scrollIntoViewIfNeeded();
  await row.click();
  const c = page.locator(CONTENT).first();
  await c.waitFor({ state: 'visible', timeout });
  // Content is read on demand: wait until something is in it and the "Reading…" placeholder
  // (the content-loading string, EN or ID) has gone — the header shows at once, the bytes later.
  await page.waitForFunction((sel) => {
    const el = document.querySelector(sel);
    return el && el.textContent.trim().length > 0 && !/Reading…|Membaca…/.test(el.textContent);
  }, CONTENT, { timeout });
  return c.textContent();
}

async function findRow(page, want) {
  const rows = page.locator(FILE_ROW);
  const n = await rows.count();
  for (let i = 0; i < n; i++) {
    const p = await rows.nth(i).getAttribute('data-path');
    if (normPath(p) === want) return rows.nth(i);
  }
  return null;
}

/** Visible error text (all [data-testid=error] elements joined). */
async function errorText(page, { timeout = 30000 } = {}) {
  await page.locator(SEL.error).first().waitFor({ state: 'visible', timeout });
  return (await page.locator(SEL.error).allTextContents()).join(' | ').replace(/\s+/g, ' ').trim();
}

/**
 * Screenshots of every view: stack, files (of `layerIndex`), file content (`filePath`, or the
 * first row that opens as a file), history, config. Names: `${prefix}-<view>.png`.
 */
async function captureViews(page, prefix, { layerIndex, filePath, filePattern } = {}) {
  const shots = [];
  await openTab(page, 'stack');
  shots.push(await screenshot(page, `${prefix}-stack`));
  const layers = await readLayers(page);
  const start = layerIndex ?? Math.max(0, layers.length - 1);
  // From the wanted layer downwards, the first one with file changes (a WORKDIR or metadata
  // layer may have none).
  let found = false;
  for (let idx = start; idx >= 0 && !found; idx--) {
    await openTab(page, 'stack');
    await selectLayer(page, idx);
    if (idx === start) shots.push(await screenshot(page, `${prefix}-layer-details`));
    await openTab(page, 'files');
    found = await page.locator(FILE_ROW).first().waitFor({ state: 'attached', timeout: 3000 })
      .then(() => true, () => false);
  }
  if (!found) throw new Error(`${prefix}: no layer from ${start} down shows any [data-testid=file-row]`);
  await expandAllRows(page);
  shots.push(await screenshot(page, `${prefix}-files`));
  let target = filePath;
  if (!target) {
    const rows = await readFileRows(page);
    const hit = rows.find((r) => filePattern && filePattern.test(r.path) && r.change !== 'deleted');
    target = hit ? hit.path : null;
  }
  if (target) {
    await openFile(page, target);
    shots.push(await screenshot(page, `${prefix}-content`));
  }
  await openTab(page, 'history');
  shots.push(await screenshot(page, `${prefix}-history`));
  await openTab(page, 'config');
  shots.push(await screenshot(page, `${prefix}-config`));
  return shots;
}

module.exports = {
  LAYER, HISTORY_ROW, FILE_ROW, PICKER, DETAILS, CONTENT,
  openTab, readLayers, readHistory, readFileRows, expandAllRows, selectLayer, layerDetailsText,
  imagePicker, settledLayers, openFile, errorText, captureViews,
};
