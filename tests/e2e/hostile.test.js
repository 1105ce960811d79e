'use strict';
// Hostile files on the real page (issue 11): an OCI index that refers to itself and a layer
// with a 1 GiB GNU long-name record (~1 MB of gzip) are dropped on the page. A clear problem
// must appear within a time bound, naming the member; the valid image in the same file is still
// shown; the tab stays usable (a demo, or another file, opens afterwards); memory stays bounded
// (the page's JS heap, the page's wasm memory and each reachable worker's wasm memory).
// The files come from tests/hostile/generate.py (seeded, standard library), generated here.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const { REPO, FIXTURES, SEL, openSession, problemsOf, dropFile, pickFile, waitReady, screenshot } = require('./lib/browser');
const { contrastFailures } = require('./lib/contrast');
const app = require('./lib/app');

// The machine running this is shared and loaded: generous waits, strict outcomes.
const PROBLEM_WITHIN_MS = Number(process.env.PANCAKE_E2E_HOSTILE_MS || 60000);
const TEST_TIMEOUT = PROBLEM_WITHIN_MS + 90000;
const MIB = 1 << 20;
const HEAP_LIMIT = 256 * MIB; // performance.memory.usedJSHeapSize of the page
const WASM_LIMIT = 256 * MIB; // each wasm instance's linear memory (it never shrinks: a peak)
const VALID_TAG = 'hostile/valid:1';

const CASES = ['index-cycle-pair', 'longname-gnu-1g'];

function hex12(member) {
  const m = /sha256\/([0-9a-f]{64})/.exec(member || '');
  return m ? m[1].slice(0, 12) : member;
}

/** Records every wasm memory the page and its workers create (before the app starts). */
async function watchWasm(page) {
  await page.addInitScript(() => {
    window.__pancakeWasm = [];
    addEventListener('TrunkApplicationStarted', (e) => {
      const mem = e.detail && e.detail.wasm && e.detail.wasm.memory;
      if (mem) window.__pancakeWasm.push(mem);
    });
  });
}

/** { heap, pageWasm, workers: [bytes...] }: what can be reached of the page's memory. */
async function memoryOf(page) {
  const main = await page.evaluate(() => ({
    heap: performance.memory ? performance.memory.usedJSHeapSize : null,
    pageWasm: (window.__pancakeWasm || []).map((m) => m.buffer.byteLength),
  }));
  const workers = [];
  for (const w of page.workers()) {
    // A wasm-bindgen no-modules worker (web/worker_loader.js called `wasm_bindgen`): calling
    // its init again returns the initialised exports, memory included. A worker that is busy
    // or gone is skipped after 2 s.
    const bytes = await Promise.race([
      w.evaluate(async () => {
        // The loader already started init, so this returns the same promise (no new fetch).
        // `wasm_bindgen` is a top-level `let` of worker.js: a global binding, not a property
        // of `self`.
        // eslint-disable-next-line no-undef
        if (typeof wasm_bindgen !== 'function') return null;
        // eslint-disable-next-line no-undef
        const exp = await wasm_bindgen();
        return exp && exp.memory ? exp.memory.buffer.byteLength : null;
      }).catch(() => null),
      new Promise((r) => setTimeout(() => r(null), 2000)),
    ]);
    if (bytes !== null) workers.push(bytes);
  }
  return { ...main, workers };
}

function memoryFailures(m, where) {
  const out = [];
  if (m.heap !== null && m.heap > HEAP_LIMIT) out.push(`${where}: JS heap ${(m.heap / MIB).toFixed(0)} MiB > ${HEAP_LIMIT / MIB} MiB`);
  m.pageWasm.forEach((b, i) => { if (b > WASM_LIMIT) out.push(`${where}: page wasm memory ${i} is ${(b / MIB).toFixed(0)} MiB > ${WASM_LIMIT / MIB} MiB`); });
  m.workers.forEach((b, i) => { if (b > WASM_LIMIT) out.push(`${where}: worker ${i} wasm memory is ${(b / MIB).toFixed(0)} MiB > ${WASM_LIMIT / MIB} MiB`); });
  return out;
}

/** After a hostile file: open a demo (or, with no demo button on screen, a fixture). */
async function stillUsable(page) {
  const demo = page.locator('[data-testid=demo-nginx]').first();
  if (await demo.isVisible().catch(() => false)) {
    await demo.click();
    await waitReady(page, { timeout: PROBLEM_WITHIN_MS });
    return 'demo-nginx';
  }
  const fixture = path.join(FIXTURES, 'docker26-save-app1.tar');
  await pickFile(page, fixture);
  await page.locator('[data-testid=image-ready]').first().waitFor({ state: 'attached', timeout: PROBLEM_WITHIN_MS });
  return 'docker26-save-app1.tar';
}

describe('hostile files on the page (issue 11)', () => {
  let session;
  let dir;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pancake-hostile-e2e-'));
    execFileSync('python3', [path.join(REPO, 'tests', 'hostile', 'generate.py'), dir, '--only', CASES.join(',')], { stdio: 'inherit' });
    session = await openSession();
  });
  after(async () => {
    if (session) await session.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const name of CASES) {
    test(`${name}: a problem naming the member, the valid image shown, tab usable, memory bounded`, { timeout: TEST_TIMEOUT }, async (t) => {
      const facts = JSON.parse(fs.readFileSync(path.join(dir, `${name}.facts.json`), 'utf8'));
      const members = name.startsWith('index-cycle') ? facts.cycle : [facts.layer];
      // As tests/hostile/run.py's EXPECT: a cycle is a limit or metadata problem, a 1 GiB
      // record a limit problem.
      const kinds = name.startsWith('index-cycle') ? ['limit', 'metadata'] : ['limit'];
      const page = await session.newPage();
      const diffs = [];
      try {
        await watchWasm(page);
        await page.reload({ waitUntil: 'load' }); // so the init script sees the app start
        await page.locator(SEL.dropZone).first().waitFor({ state: 'attached', timeout: 20000 });
        const t0 = Date.now();
        await dropFile(page, path.join(dir, `${name}.tar`));

        // 1. A clear problem, in time: an [data-testid=error] of the expected kind whose
        // data-member is the hostile member (the CLI suite's table says the same).
        const sel = kinds.flatMap((k) => members.map((m) => `${SEL.error}[data-kind="${k}"][data-member="${m}"]`)).join(', ');
        // Wait for it, or for the page to settle (image-ready, plus a short grace) without it.
        const appeared = page.locator(sel).first().waitFor({ state: 'visible', timeout: PROBLEM_WITHIN_MS })
          .then(() => true, () => false);
        const settled = page.locator(SEL.ready).first().waitFor({ state: 'attached', timeout: PROBLEM_WITHIN_MS })
          .then(() => page.waitForTimeout(3000), () => {})
          .then(async () => (await page.locator(sel).count().catch(() => 0)) > 0);
        const found = await Promise.race([appeared, settled]);
        const took = Date.now() - t0;
        const shown = await page.$$eval(SEL.error, (els) => els.slice(0, 5).map((e) =>
          `[${e.getAttribute('data-kind')}] ${e.getAttribute('data-member')}: ${e.textContent.replace(/\s+/g, ' ').trim().slice(0, 400)}`));
        t.diagnostic(`${name}: after ${took} ms the page shows ${shown.length ? shown.join(' | ') : 'no error'}`);
        if (!found) {
          diffs.push(`no [data-testid=error] of kind ${kinds.join('/')} with data-member ${members.map(hex12).join('/')} ` +
            `once the page settled (image-ready + 3 s; at most ${PROBLEM_WITHIN_MS} ms); shown: ${JSON.stringify(shown)}`);
        } else {
          const text = (await page.locator(sel).first().textContent()).replace(/\s+/g, ' ').trim();
          if (text.length < 20) diffs.push(`the problem's text is too short to be clear: "${text}"`);
        }

        // 2. The rest of the file is still shown: the valid image with its two layers.
        await page.locator(SEL.ready).first().waitFor({ state: 'attached', timeout: PROBLEM_WITHIN_MS })
          .catch(() => diffs.push(`[data-testid=image-ready] did not appear within ${PROBLEM_WITHIN_MS} ms`));
        const want = facts.valid.layers.map((l) => l.diff_id);
        let seen = false;
        const picker = await app.imagePicker(page);
        for (let i = 0; i < (picker ? picker.count : 1) && !seen; i++) {
          if (picker) await picker.choose(i);
          await app.openTab(page, 'stack').catch(() => {});
          const layers = await app.settledLayers(page, { timeout: 5000 }).catch(() => []);
          seen = JSON.stringify(layers.map((l) => l.diffId)) === JSON.stringify(want);
        }
        if (!seen) diffs.push(`the valid image (${VALID_TAG}, diff_ids ${want.map(hex12).join(', ')}) is not shown`);

        // 3. Memory stays bounded.
        const mem = await memoryOf(page);
        t.diagnostic(`${name}: JS heap ${mem.heap === null ? '?' : (mem.heap / MIB).toFixed(1)} MiB, page wasm ${mem.pageWasm.map((b) => (b / MIB).toFixed(0)).join('/') || '?'} MiB, workers ${mem.workers.length ? `${mem.workers.map((b) => (b / MIB).toFixed(0)).join('/')} MiB` : 'none reachable'}`);
        diffs.push(...memoryFailures(mem, name));

        // 4. The tab stays usable.
        const opened = await stillUsable(page).catch((e) => { diffs.push(`the tab is no longer usable: ${String(e.message || e).slice(0, 300)}`); return null; });
        if (opened) t.diagnostic(`${name}: afterwards ${opened} opened`);

        diffs.push(...problemsOf(page));
        assert.deepEqual(diffs, [], `${name} on the page`);
      } catch (e) {
        await screenshot(page, `fail-hostile-${name}`).catch(() => {});
        throw e;
      } finally {
        await page.close();
      }
    });
  }
});

// Hostile case 15 on the page: 20,002 layers under one image. An image Docker can run has at
// most 125 (250 in recent releases); drawing a slab for each put a task of ~400 ms on the page's thread, and
// another whenever digests arrived. The stack draws its top and bottom, the selected layer's
// neighbours and what the reader asks for; each run left out is one row saying which layers
// it holds (`web/src/views/stack_window.rs`).
// A bound that catches the freezes coming back (a ~400 ms task on every render before the
// stack's window; 246-378 ms before the resolution's changes), not issue #13's 100 ms target:
// on a 2-vCPU AMD EPYC VM this case's longest task is 53-114 ms from run to run (wall time,
// so the machine's other work lands in it), and a CI run failed on one of 101 ms. The tasks
// are printed on every run; `node bench/message_tasks.js FILE --runs N` says what is in them.
// A loaded runner may raise it, as for large.test.js.
const MANY_LAYERS_TASK_MS = Number(process.env.PANCAKE_E2E_MANY_LAYERS_TASK_MS || 150);
describe('a stack of 20,002 layers (hostile case 15)', () => {
  let session;
  let dir;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pancake-hostile-layers-'));
    execFileSync('python3', [path.join(REPO, 'tests', 'hostile', 'generate.py'), dir, '--only', 'many-layers'], { stdio: 'inherit' });
    session = await openSession();
  });
  after(async () => {
    if (session) await session.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('draws the ends of the stack, a gap row that shows more, and lets the keyboard walk into it', { timeout: TEST_TIMEOUT }, async () => {
    const facts = JSON.parse(fs.readFileSync(path.join(dir, 'many-layers.facts.json'), 'utf8'));
    const n = facts.case.layers.length;
    assert.equal(n, 20002);
    const page = await session.newPage();
    try {
      await page.evaluate(() => {
        window.__tasks = [];
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) window.__tasks.push(e.duration);
        }).observe({ type: 'longtask' });
      });
      await pickFile(page, path.join(dir, 'many-layers.tar'));
      await waitReady(page, { timeout: PROBLEM_WITHIN_MS });
      // From the pick to verified, no task over 100 ms: the whole resolutions (three of
      // 15.5 MB), the platform walk over the 20,002-layer manifest and two copies of the
      // archive per update took tasks of 114-166 ms in this test (250-380 ms in a trace at
      // 1280 px); since, none over 50 ms here, 0-60 ms in the trace.
      const tasks = await page.evaluate(() => window.__tasks);
      console.log(`# 20,002 layers: long tasks ${tasks.map((t) => t.toFixed(0)).join(' ') || 'none'}`);
      assert.ok(Math.max(0, ...tasks) <= MANY_LAYERS_TASK_MS, `a main-thread task of ${Math.max(...tasks).toFixed(0)} ms`);
      const picker = await app.imagePicker(page);
      assert.ok(picker && picker.count === 2, 'the valid image and the case');
      const gap = page.locator('[data-testid=stack-gap]');
      for (let i = 0; i < picker.count && !(await gap.count()); i++) await picker.choose(i);
      // 40 items at each end (layers 1-40 and 19,963-20,002): one gap between.
      await gap.first().waitFor();
      assert.equal(await gap.count(), 1);
      // Base first (the stack lists the top layer first).
      const drawn = () => page.$$eval('[data-testid=layer]', (els) => els.reverse().map((e) => Number(e.dataset.index)));
      const ends = await drawn();
      assert.equal(ends.length, 80);
      assert.deepEqual([ends[0], ends[39], ends[40], ends[79]], [0, 39, n - 40, n - 1]);
      // The gap's row in the list says what it holds; its button is outside the list, in a
      // row above it saying the same (a listbox may own only options and groups: a button
      // inside it is not allowed by ARIA, and screen readers flatten or skip it).
      const more = page.locator('[data-testid=stack-more-row]');
      const said = async () => [
        await gap.locator('[data-testid=stack-gap-text]').textContent(),
        await more.locator('span').textContent(),
        await more.locator('[data-testid=stack-gap-more]').textContent(),
      ];
      // Counts and layer numbers with their thousands grouped (`19,922`).
      const g = (x) => x.toLocaleString('en-US');
      const gapText = (from, to) => `${g(to - from + 1)} layers not drawn here (layers ${g(from)} to ${g(to)})`;
      assert.deepEqual(await said(), [gapText(41, n - 40), gapText(41, n - 40), 'Show 200 more']);
      assert.equal(await gap.getAttribute('data-items'), String(n - 80));
      assert.equal(await more.getAttribute('data-items'), String(n - 80));
      assert.equal(await gap.locator('.stack-gap-where').textContent(), '“Show 200 more” is above the stack');
      // What the listbox owns: options (the gap one, like a step without a layer, cannot be
      // chosen) and their content; no button, link, field or other role anywhere inside it.
      const owned = () => page.evaluate(() => {
        const box = document.querySelector('ol.stack');
        const bad = [];
        for (const child of box.children) {
          if (!['option', 'group'].includes(child.getAttribute('role'))) bad.push(`child ${child.outerHTML.slice(0, 120)}`);
        }
        for (const el of box.querySelectorAll('[role]')) {
          if (!['option', 'group'].includes(el.getAttribute('role'))) bad.push(`role ${el.outerHTML.slice(0, 120)}`);
        }
        for (const el of box.querySelectorAll('button, a, input, select, textarea, details, summary, [contenteditable]')) bad.push(`control ${el.outerHTML.slice(0, 120)}`);
        // Tab stops inside it: the layers' options only.
        for (const el of box.querySelectorAll('[tabindex]')) {
          if (el.getAttribute('role') !== 'option' || el.dataset.testid !== 'layer') bad.push(`tab stop ${el.outerHTML.slice(0, 120)}`);
        }
        return {
          role: box.getAttribute('role'),
          bad,
          gaps: [...box.querySelectorAll('[data-testid=stack-gap]')].map((g) => [g.getAttribute('role'), g.getAttribute('aria-disabled')]),
          buttonsOutside: [...document.querySelectorAll('[data-testid=stack-gap-more]')].every((b) => !b.closest('[role=listbox]')),
        };
      });
      const checkOwned = async () => {
        const o = await owned();
        assert.equal(o.role, 'listbox');
        assert.deepEqual(o.bad, [], 'the listbox owns options only');
        assert.ok(o.gaps.length > 0 && o.gaps.every(([r, d]) => r === 'option' && d === 'true'), JSON.stringify(o.gaps));
        assert.ok(o.buttonsOutside, 'every "show more" is outside the listbox');
        // As assistive technology finds them: no button in the listbox, the buttons in the page.
        assert.equal(await page.getByRole('listbox').getByRole('button').count(), 0);
        assert.equal(await page.getByRole('button', { name: 'Show 200 more' }).count(), o.gaps.length);
        assert.equal(await page.getByRole('option', { name: /layers not drawn here/, disabled: true }).count(), o.gaps.length);
      };
      await checkOwned();
      // The diff_ids the page shows at both ends are the generator's.
      const ids = await page.$$eval('[data-testid=layer]', (els) => els.reverse().map((e) => e.dataset.diffId));
      const want = facts.case.layers.map((l) => l.diff_id);
      assert.deepEqual(ids, [...want.slice(0, 40), ...want.slice(n - 40)]);
      // "Show 200 more" draws the 200 layers just below the top ones; the button, above the
      // list, stays where it was (what it draws comes below it) and keeps the focus.
      const button = page.locator('[data-testid=stack-gap-more]');
      const y0 = (await button.boundingBox()).y;
      await button.click();
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=layer]').length === 280);
      assert.deepEqual(await said(), [gapText(41, n - 240), gapText(41, n - 240), 'Show 200 more']);
      assert.ok(Math.abs((await button.boundingBox()).y - y0) < 1, 'the button did not move');
      const top = await page.$$eval('[data-testid=layer]', (els) => els.slice(0, 41).map((e) => Number(e.dataset.index)));
      assert.deepEqual([top[0], top[39], top[40]], [n - 1, n - 40, n - 41], 'drawn just below the top 40');
      // From the keyboard: Enter on the focused button draws 200 more.
      await page.waitForFunction(() => document.activeElement?.dataset.testid === 'stack-gap-more');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=layer]').length === 480);
      assert.deepEqual(await said(), [gapText(41, n - 440), gapText(41, n - 440), 'Show 200 more']);
      await checkOwned();
      // ArrowUp from the highest slab of the bottom run selects the layer above it, which is in
      // the gap: it is drawn (with its neighbours) and has the focus.
      await page.focus('#layer-39');
      await page.keyboard.press('ArrowUp');
      await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'layer-40');
      assert.equal(await page.getAttribute('#layer-40', 'aria-selected'), 'true');
      assert.equal(await page.getAttribute('[data-testid=layer-details]', 'data-index'), '40');
      assert.ok((await drawn()).includes(48), 'the neighbours above the selected layer are drawn');
      // On up, one layer a press: the run grows under the focus, which stays on the slab
      // selected (rows are keyed: unkeyed, a grown run handed the focused element to another
      // layer, and the presses skipped layers).
      for (let i = 41; i <= 52; i++) {
        await page.keyboard.press('ArrowUp');
        await page.waitForFunction((id) => document.activeElement && document.activeElement.id === id
          && document.querySelector('[data-testid=layer-details]')?.dataset.index === id.slice(6), `layer-${i}`);
      }
      // A layer chosen far inside the gap, from the keyboard's End and Home, stays reachable.
      await page.keyboard.press('Home');
      await page.waitForFunction((top) => document.activeElement && document.activeElement.id === `layer-${top}`, n - 1);
      // Tab walks the slabs, one after another, down the list (the gap rows are no Tab stop).
      const walked = [];
      for (let i = 0; i < 45; i++) {
        walked.push(await page.evaluate(() => document.activeElement?.id));
        await page.keyboard.press('Tab');
      }
      assert.deepEqual(walked, Array.from({ length: 45 }, (_, i) => `layer-${n - 1 - i}`));
      await checkOwned();
      assert.deepEqual(problemsOf(page), []);
    } catch (e) {
      await screenshot(page, 'fail-hostile-many-layers').catch(() => {});
      throw e;
    } finally {
      await page.close();
    }
  });

  // The Shared tab's diagram drew a band per layer (~100,000 elements, one task of ~4.9 s).
  // It now draws its rows as the stack draws its items: the top and bottom 40, a row saying
  // how many layers it leaves out and which, and a "show more" above it
  // (`web/src/views/diagram.rs`, `stack_window.rs`).
  for (const lang of ['en', 'id']) {
    test(`the Shared tab draws the ends of the diagram, says what it leaves out and shows more (${lang})`, { timeout: TEST_TIMEOUT }, async () => {
      const facts = JSON.parse(fs.readFileSync(path.join(dir, 'many-layers.facts.json'), 'utf8'));
      const n = facts.case.layers.length;
      const valid = facts.valid.layers.length;
      assert.equal(n, 20002);
      const page = await session.newPage({ query: lang === 'id' ? '?lang=id' : '' });
      try {
        await pickFile(page, path.join(dir, 'many-layers.tar'));
        await waitReady(page, { timeout: PROBLEM_WITHIN_MS });
        await page.evaluate(() => {
          window.__tasks = [];
          new PerformanceObserver((list) => {
            for (const e of list.getEntries()) window.__tasks.push(e.duration);
          }).observe({ type: 'longtask' });
        });
        const t0 = Date.now();
        await app.openTab(page, 'shared');
        await page.locator('[data-testid=shared-gap]').first().waitFor({ timeout: 30000 });
        const openMs = Date.now() - t0;
        // The comparison of the two images comes in tasks of its own, after the diagram.
        await page.locator('[data-testid=compare-shared]').first().waitFor({ timeout: 30000 });
        assert.equal(await page.locator('[data-testid=compare-pending]').count(), 0);
        // Long tasks are reported after they end: two frames and a breath.
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 300)))));
        const tasks = await page.evaluate(() => window.__tasks);
        const nodes = await page.$$eval('[data-testid=shared-diagram] *', (els) => els.length);
        const pageNodes = await page.evaluate(() => document.getElementsByTagName('*').length);
        console.log(`# Shared tab, 20,002 layers (${lang}): opened in ${openMs} ms, long tasks ${tasks.map((t) => t.toFixed(0)).join(' ') || 'none'}; ${nodes} diagram elements, ${pageNodes} in the page`);
        assert.ok(Math.max(0, ...tasks) < 500, `a main-thread task of ${Math.max(...tasks).toFixed(0)} ms opening the Shared tab`);
        assert.ok(nodes < 2000, `${nodes} elements in the diagram`);
        // Which session image is the case: its number in the diagram's words.
        const tags = await page.$$eval('[data-testid=session-image]', (els) => els.map((e) => e.textContent));
        const ci = tags.findIndex((t) => t.includes(facts.case.tag));
        assert.ok(ci >= 0, `the case among ${JSON.stringify(tags)}`);
        const bands = () => page.$$eval('[data-testid=shared-diagram] [data-testid=shared-layer]', (els) => els.map((e) => ({
          images: e.dataset.images, diffId: e.dataset.diffId,
        })));
        // Top first: the case's top 40 layers, then (after the gap) its bottom 40 beside the
        // valid image's layers, every one the generator's diff_id, each drawn once.
        const usedBy = (b, i) => b.images.split(',').includes(String(i));
        const caseIds = (bs) => bs.filter((b) => usedBy(b, ci)).map((b) => b.diffId).reverse();
        const want = facts.case.layers.map((l) => l.diff_id);
        // The valid image's layers: all in the bottom rows, one band per ChainID (OCI
        // image-spec: ChainID(L0) = DiffID(L0), then sha256 of "below diff"), a layer on the
        // same layers below as the case's one band with it.
        const chainIds = (ids) => {
          const out = [];
          for (const d of ids) {
            out.push(out.length ? 'sha256:' + crypto.createHash('sha256').update(`${out[out.length - 1]} ${d}`).digest('hex') : d);
          }
          return out;
        };
        const caseChainIds = chainIds(want);
        const caseChains = new Set(caseChainIds.slice(0, valid));
        const validOwn = chainIds(facts.valid.layers.map((l) => l.diff_id)).filter((c) => !caseChains.has(c)).length;
        let drawn = await bands();
        assert.equal(drawn.length, 80 + validOwn);
        assert.deepEqual(caseIds(drawn), [...want.slice(0, 40), ...want.slice(n - 40)]);
        assert.equal(drawn.filter((b) => !usedBy(b, ci)).length, validOwn);
        // One gap, in its place among the bands (after the top 40 rows), and its "show more"
        // row above the diagram: the same words, the count true (20,002 minus those drawn).
        const gap = page.locator('[data-testid=shared-gap]');
        const more = page.locator('[data-testid=shared-more-row]');
        const button = page.locator('[data-testid=shared-gap-more]');
        assert.equal(await gap.count(), 1);
        assert.equal(await more.count(), 1);
        // Counts and layer numbers with their thousands grouped as each language writes them.
        const g = (x) => x.toLocaleString(lang === 'id' ? 'id-ID' : 'en-US');
        const words = (from, to) => (lang === 'id'
          ? `${g(to - from + 1)} layer tidak digambar di sini (#${ci + 1}: layer ${g(from)} sampai ${g(to)})`
          : `${g(to - from + 1)} layers not drawn here (#${ci + 1}: layers ${g(from)} to ${g(to)})`);
        const showMore = lang === 'id' ? 'Tampilkan 200 lagi' : 'Show 200 more';
        const said = async () => [
          await gap.locator('[data-testid=shared-gap-text]').textContent(),
          await more.locator('span').textContent(),
          await button.textContent(),
          Number(await gap.getAttribute('data-layers')),
        ];
        assert.deepEqual(await said(), [words(41, n - 40), words(41, n - 40), showMore, n - 80]);
        const caseDrawn = caseIds(drawn).length;
        assert.equal(Number(await gap.getAttribute('data-layers')), n - caseDrawn);
        assert.equal(await gap.locator('.stack-gap-where').textContent(),
          lang === 'id' ? `Tombol “${showMore}” ada di atas diagram` : `“${showMore}” is above the diagram`);
        const gapPlace = await page.$$eval('[data-testid=shared-diagram] > *', (els) => els
          .filter((e) => e.dataset.testid === 'shared-layer' || e.dataset.testid === 'shared-gap')
          .findIndex((e) => e.dataset.testid === 'shared-gap'));
        assert.equal(gapPlace, 40, 'the gap row comes after the top 40 bands');
        // As assistive technology finds it: the button by its name, outside the diagram, before it.
        assert.equal(await page.getByRole('button', { name: showMore }).count(), 1);
        assert.equal(await page.locator('[data-testid=shared-diagram] [data-testid=shared-gap-more]').count(), 0);
        // "Show 200 more" draws the 200 layers just below the top 40; the button stays put.
        // Where it is in the page (not the viewport, which the click scrolls).
        const pageY = () => button.evaluate((e) => e.getBoundingClientRect().top + window.scrollY);
        const y0 = await pageY();
        await page.evaluate(() => { window.__tasks = []; });
        await button.click();
        await page.waitForFunction((k) => document.querySelectorAll('[data-testid=shared-diagram] [data-testid=shared-layer]').length === k, 280 + validOwn);
        drawn = await bands();
        assert.deepEqual(caseIds(drawn), [...want.slice(0, 40), ...want.slice(n - 240)]);
        assert.deepEqual(await said(), [words(41, n - 240), words(41, n - 240), showMore, n - 280]);
        assert.ok(Math.abs((await pageY()) - y0) < 1, 'the button did not move');
        // From the keyboard: Enter on the focused button draws 200 more.
        await button.focus();
        await page.keyboard.press('Enter');
        await page.waitForFunction((k) => document.querySelectorAll('[data-testid=shared-diagram] [data-testid=shared-layer]').length === k, 480 + validOwn);
        assert.deepEqual(await said(), [words(41, n - 440), words(41, n - 440), showMore, n - 480]);
        assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'shared-gap-more');
        const moreTasks = await page.evaluate(() => window.__tasks);
        console.log(`# show more twice (${lang}): long tasks ${moreTasks.map((t) => t.toFixed(0)).join(' ') || 'none'}`);
        assert.ok(Math.max(0, ...moreTasks) < 500, `a main-thread task of ${Math.max(...moreTasks).toFixed(0)} ms showing more`);
        // A band drawn by "show more" is chosen as any other: its details say where it is.
        // (The case's layers take turns between two blobs: a diff_id is not one band.)
        const band = page.locator(`[data-testid=shared-layer][data-chain-id="${caseChainIds[n - 300]}"]`);
        assert.equal(await band.count(), 1);
        await band.focus();
        await page.keyboard.press('Enter');
        const details = await page.locator('[data-testid=shared-layer-details]').first().textContent();
        assert.match(details, new RegExp(`#${ci + 1}`));
        assert.match(details, new RegExp(`#${ci + 1} ${facts.case.tag} · layer ${g(n - 299)}(?![\\d.,])`));
        const close = page.locator('[data-testid=shared-details-close]');
        // Picked, its details stay in sight below this tall diagram: stuck to the window's
        // bottom edge, the page not scrolled away from the band. Wide and light in English,
        // 360 px and dark in Indonesian.
        if (lang === 'id') {
          await page.setViewportSize({ width: 360, height: 740 });
          await page.emulateMedia({ colorScheme: 'dark' });
          // Picked again low in the window: the band is brought above the details.
          await close.click();
          await band.evaluate((e) => e.scrollIntoView({ block: 'end' }));
          await band.click();
        }
        const panel = page.locator('[data-testid=shared-details]');
        assert.match(await panel.getAttribute('class'), /\bpicked\b/);
        // The band's scroll into sight runs after the render (the assertions below say what
        // was seen if it never comes).
        await page.waitForFunction(() => {
          const b = document.querySelector('[data-testid=shared-diagram] [data-testid=shared-layer].selected');
          const d = document.querySelector('[data-testid=shared-details]');
          return b && d && b.getBoundingClientRect().bottom <= d.getBoundingClientRect().top + 1;
        }, null, { timeout: 5000 }).catch(() => {});
        const rect = (loc) => loc.evaluate((e) => {
          const r = e.getBoundingClientRect();
          return { top: r.top, bottom: r.bottom, height: window.innerHeight };
        });
        const p = await rect(panel);
        assert.ok(p.top >= 0 && p.bottom <= p.height + 1 && p.bottom - p.top > 40, `the details in the window: ${JSON.stringify(p)}`);
        assert.ok(p.bottom - p.top <= p.height / 2 + 1, `at most half the window: ${JSON.stringify(p)}`);
        // The band in sight above them (brought there if it was under them).
        const b = await rect(band);
        assert.ok(b.top >= 0 && b.bottom <= p.top + 1, `the band in the window above its details: ${JSON.stringify({ band: b, details: p })}`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 1, `the page overflows horizontally by ${overflow}px`);
        await screenshot(page, `shared-picked-details-${lang}-${lang === 'id' ? 'dark-360' : 'light-1280'}`);
        // The other colour scheme too (each language's pass has one width), readable in both.
        const [scheme, other] = lang === 'id' ? ['dark', 'light'] : ['light', 'dark'];
        await page.emulateMedia({ colorScheme: other });
        await screenshot(page, `shared-picked-details-${lang}-${lang === 'id' ? 'light-360' : 'dark-1280'}`);
        assert.deepEqual(await contrastFailures(page, { hidden: true }), [], `contrast AA, ${other}`);
        await page.emulateMedia({ colorScheme: scheme });
        assert.deepEqual(await contrastFailures(page, { hidden: true }), [], `contrast AA, ${scheme}`);
        assert.equal(await band.getAttribute('aria-pressed'), 'true');
        // Closed: the band let go and focused again (the button went with the panel),
        // nothing stuck to the window.
        const pressed = page.locator('[data-testid=shared-layer][aria-pressed=true]');
        assert.equal(await close.getAttribute('aria-label'), lang === 'id' ? 'Tutup rincian ini' : 'Close these details');
        await close.click();
        await page.waitForFunction(() => !document.querySelector('[data-testid=shared-details-close]'));
        assert.doesNotMatch(await panel.getAttribute('class'), /\bpicked\b/);
        assert.equal(await pressed.count(), 0);
        assert.equal(await page.evaluate(() => document.activeElement?.dataset.chainId), caseChainIds[n - 300]);
        // From the keyboard: Enter picks, Escape lets go; Enter again on the band picked
        // lets it go too (its aria-pressed says which).
        await page.keyboard.press('Enter');
        await page.locator('[data-testid=shared-details].picked').waitFor();
        await page.keyboard.press('Escape');
        await page.waitForFunction(() => !document.querySelector('[data-testid=shared-details].picked'));
        assert.equal(await pressed.count(), 0);
        await page.keyboard.press('Enter');
        await page.locator('[data-testid=shared-details].picked').waitFor();
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => !document.querySelector('[data-testid=shared-details].picked'));
        assert.equal(await pressed.count(), 0);
        assert.deepEqual(problemsOf(page), []);
      } catch (e) {
        await screenshot(page, `fail-hostile-many-layers-shared-${lang}`).catch(() => {});
        throw e;
      } finally {
        await page.close();
      }
    });
  }
});
