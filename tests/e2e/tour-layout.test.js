'use strict';
// Issue 14, "Tour card placement" and "Steps and links set up their world".
// Placement: at 1280×800, 800×600 and 360×640, every step of the tour is walked with Next and,
// once the step's target is on the page, its box must not meet the card's box and must lie in
// the viewport below the sticky header (the part of the screen the reader can see) — and still
// so a second later (no jump back under the card). The card's "Try it" line must be fully in
// the viewport. Setup: a deep link to each step (`?step=N`, no demo named) reaches the state
// the step's text describes: its tab, its demo, a selected layer for step 4, only the WordPress
// pair on the Shared tab for steps 5–6 even after nginx was opened, a running container with
// /etc/nginx/nginx.conf open in the editor for step 8, the mysql Dockerfile beside its history
// for step 10.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { REPO, openSession, problemsOf, waitReady } = require('./lib/browser');

const READY = Number(process.env.PANCAKE_E2E_READY_MS || 45000);
const T = READY + 120000;
const SHOTS = path.join(REPO, 'target', 'screenshots', 'classroom');
const STEP_TABS = ['stack', 'stack', 'history', 'stack', 'shared', 'shared', 'container', 'container', 'container', 'history'];
const STEPS = STEP_TABS.length;

async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

/** Boxes of the step's target (the selector the card says it outlines), the card, the header. */
async function geometry(page) {
  return page.evaluate(() => {
    const card = document.querySelector('[data-testid=tour-step]');
    const sel = card && card.getAttribute('data-target');
    const target = sel ? document.querySelector(sel) : null;
    const head = document.querySelector('.top, .embed-bar');
    const doLine = card && card.querySelector('[data-testid=tour-do]');
    const title = card && card.querySelector('h2');
    const box = (e) => {
      if (!e) return null;
      const r = e.getBoundingClientRect();
      return { top: r.top, left: r.left, bottom: r.bottom, right: r.right, width: r.width, height: r.height };
    };
    return {
      sel, target: box(target), card: box(card), doLine: box(doLine),
      headerBottom: head ? Math.max(0, head.getBoundingClientRect().bottom) : 0,
      vw: innerWidth, vh: innerHeight, folded: card && card.getAttribute('data-folded'),
      // Folded on a phone the title has three lines at most; more would be cut.
      titleCut: !!title && (title.scrollHeight > title.clientHeight + 1 || title.scrollWidth > title.clientWidth + 1),
      title: title && title.textContent,
    };
  });
}

/** What is wrong with the placement now (empty when nothing). */
function placementFaults(g) {
  const out = [];
  if (!g.target) return [`no target on the page (selector ${g.sel})`];
  const t = g.target;
  const c = g.card;
  const overlap = t.left < c.right && c.left < t.right && t.top < c.bottom && c.top < t.bottom;
  if (overlap) out.push('the card covers the target');
  if (t.top < g.headerBottom - 1) out.push(`target top ${t.top} is above the header's bottom ${g.headerBottom}`);
  if (t.bottom > g.vh + 1) out.push(`target bottom ${t.bottom} is below the viewport ${g.vh}`);
  if (t.left < -1 || t.right > g.vw + 1) out.push(`target spans x ${t.left}–${t.right} outside 0–${g.vw}`);
  const d = g.doLine;
  if (!d || d.height < 8 || d.top < 0 || d.bottom > g.vh + 1 || d.top < c.top - 1 || d.bottom > c.bottom + 1) {
    out.push('the "Try it" line is not fully shown');
  }
  if (g.titleCut) out.push(`the title "${g.title}" is cut`);
  return out;
}

/** Waits until the placement holds, then checks it still does a second later. */
async function assertPlacement(page, label) {
  const end = Date.now() + 15000;
  let g;
  let faults;
  for (;;) {
    g = await geometry(page);
    faults = placementFaults(g);
    if (!faults.length || Date.now() > end) break;
    await page.waitForTimeout(250);
  }
  assert.deepEqual(faults, [], `${label}: ${JSON.stringify(g)}`);
  await page.waitForTimeout(1000);
  g = await geometry(page);
  assert.deepEqual(placementFaults(g), [], `${label}, a second later: ${JSON.stringify(g)}`);
  return g;
}

async function waitStep(page, n) {
  await page.locator(`[data-testid=tour-step][data-step="${n}"]`).waitFor({ state: 'visible', timeout: 15000 });
}

describe('tour layout and step setup (issue 14)', () => {
  let session;
  before(async () => { session = await openSession(); });
  after(async () => { if (session) await session.close(); });

  const sizes = [
    { width: 1280, height: 800, scheme: 'light' },
    { width: 800, height: 600, scheme: 'dark' },
    { width: 360, height: 640, scheme: 'dark' },
    // Indonesian titles are the longer ones.
    { width: 360, height: 640, scheme: 'light', lang: 'id' },
  ];
  for (const v of sizes) {
    const lang = v.lang || 'en';
    test(`every step at ${v.width}×${v.height} (${lang}): the card covers neither the target nor leaves it off-screen, its title whole`, { timeout: T * 2 }, async () => {
      const page = await session.newPage({ viewport: { width: v.width, height: v.height }, colorScheme: v.scheme, query: `?lang=${lang}` });
      try {
        await page.locator('[data-testid=start-tour]').click();
        for (let n = 1; n <= STEPS; n++) {
          await waitStep(page, n);
          if (n === 1 || n === 5 || n === 7 || n === 10) await waitReady(page, { timeout: READY });
          await page.locator('[data-testid=tour-step][data-target-found=true]').waitFor({ timeout: 20000 });
          const g = await assertPlacement(page, `step ${n} at ${v.width}×${v.height}`);
          if (v.width >= 1000) assert.equal(g.folded, 'false', 'beside the page the card is never folded');
          if (n === 3) {
            // The COPY row is shown with the column headers above it where they are drawn
            // (wide screens; on phones each row is a card that labels its own cells).
            const heads = await page.evaluate(() => {
              const th = document.querySelector('[data-testid=history-table] thead');
              const top = document.querySelector('.top, .embed-bar');
              const r = th.getBoundingClientRect();
              return { drawn: r.height > 1, top: r.top, header: top ? top.getBoundingClientRect().bottom : 0 };
            });
            if (heads.drawn) assert.ok(heads.top >= heads.header - 1, `history column headers under the header: ${JSON.stringify(heads)}`);
          }
          if (n === 5) {
            // nginx is still in the session (steps 1–4), but the step speaks of two images.
            await page.locator('[data-testid=session-image]').first().waitFor({ timeout: 10000 });
            assert.equal(await page.locator('[data-testid=session-image]').count(), 2, 'step 5 shows only the WordPress pair');
          }
          await shot(page, `tour-${v.width}-${v.scheme}-${lang}-step${n}`);
          if (n === 2 && v.width < 1000) {
            // Folding and unfolding is the reader's choice, and a keyboard one.
            const fold = page.locator('[data-testid=tour-fold]');
            const before = await fold.getAttribute('aria-expanded');
            await fold.focus();
            await page.keyboard.press('Enter');
            assert.notEqual(await fold.getAttribute('aria-expanded'), before);
            await page.keyboard.press('Enter');
            assert.equal(await fold.getAttribute('aria-expanded'), before);
            // Folded, the card still says which step of how many, above the title as the
            // unfolded card does, within the height the tour leaves a folded card
            // (`FOLDED_MAX` in views/tour.rs) and beside, not under, its buttons.
            if (before === 'true') await fold.click();
            await page.locator('[data-testid=tour-step][data-folded=true]').waitFor({ timeout: 5000 });
            const f = await page.evaluate(() => {
              const box = (sel) => {
                const r = document.querySelector(`[data-testid=tour-step] ${sel}`).getBoundingClientRect();
                return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height };
              };
              return {
                count: box('[data-testid=tour-count]'), title: box('h2'), next: box('[data-testid=tour-next]'),
                card: document.querySelector('[data-testid=tour-step]').getBoundingClientRect().toJSON(),
                text: document.querySelector('[data-testid=tour-count]').innerText.trim(),
              };
            });
            assert.equal(f.text.toLowerCase(), lang === 'en' ? 'step 2 of 10' : 'langkah 2 dari 10', JSON.stringify(f));
            assert.ok(f.count.height > 8 && f.count.top >= f.card.top && f.count.bottom <= f.title.top + 1, `count above the title: ${JSON.stringify(f)}`);
            assert.ok(f.count.right <= f.next.left, `count beside Next: ${JSON.stringify(f)}`);
            assert.ok(f.card.height <= 150, `folded card ${f.card.height} px tall: ${JSON.stringify(f)}`);
            await shot(page, `tour-${v.width}-${v.scheme}-${lang}-step2-folded`);
            if (before === 'true') await fold.click();
            await page.locator(`[data-testid=tour-step][data-folded=${before === 'true' ? 'false' : 'true'}]`).waitFor({ timeout: 5000 });
          }
          await page.locator('[data-testid=tour-next]').click();
        }
        await page.locator('[data-testid=tour-step]').waitFor({ state: 'detached', timeout: 5000 });
        assert.deepEqual(problemsOf(page), []);
      } finally {
        await page.close();
      }
    });
  }

  for (let n = 1; n <= STEPS; n++) {
    test(`deep link ?step=${n} sets up the step's world`, { timeout: T }, async () => {
      const page = await session.newPage({ viewport: { width: 1280, height: 800 }, query: `?lang=en&step=${n}` });
      try {
        await waitStep(page, n);
        await waitReady(page, { timeout: READY });
        const tab = page.locator(`[data-testid=tab-${STEP_TABS[n - 1]}]`).first();
        await page.waitForFunction((sel) => {
          const e = document.querySelector(sel);
          return e && (e.getAttribute('aria-selected') === 'true' || e.classList.contains('selected'));
        }, `[data-testid=tab-${STEP_TABS[n - 1]}]`, { timeout: 10000 });
        assert.ok(await tab.isVisible());
        await page.locator('[data-testid=tour-step][data-target-found=true]').waitFor({ timeout: 20000 });
        const heading = (await page.locator('.summary h1').first().innerText()).trim();
        if (n === 5 || n === 6) {
          assert.match(heading, /wordpress/i, `step ${n} shows a WordPress image`);
          await page.locator('[data-testid=session-image]').first().waitFor({ timeout: 10000 });
          const names = await page.locator('[data-testid=session-image]').allInnerTexts();
          assert.equal(names.length, 2, `step ${n}: two images, got ${names.join(' | ')}`);
        } else if (n === 10) {
          // The chapter's last exercise: mysql's Dockerfile beside its history.
          assert.match(heading, /mysql/i, 'step 10 shows the mysql demo');
          await page.locator('[data-testid=dockerfile]').first().waitFor({ state: 'visible', timeout: 10000 });
          assert.ok(await page.locator('[data-testid=history-table]').first().isVisible(), 'step 10: the history table beside the Dockerfile');
        } else {
          assert.match(heading, /nginx/i, `step ${n} shows the nginx demo`);
        }
        if (n === 4) {
          // A layer is selected: its details (with its digest) are shown.
          const details = page.locator('[data-testid=layer-details]').first();
          await details.waitFor({ state: 'visible', timeout: 10000 });
          assert.match(await details.innerText(), /sha256:[0-9a-f]{64}/);
        }
        if (n === 8) {
          // A running container with nginx.conf open in its editor, its text read from the image.
          const editor = page.locator('[data-testid=container-editor]').first();
          await editor.waitFor({ state: 'visible', timeout: 15000 });
          assert.equal((await editor.locator('h3').first().innerText()).trim(), '/etc/nginx/nginx.conf');
          await page.waitForFunction(() => {
            const t = document.querySelector('textarea[data-testid=file-editor]');
            return t && /worker_processes|http\s*\{/.test(t.value);
          }, null, { timeout: 15000 });
        }
        if (n === 8 || n === 9) {
          assert.ok(await page.locator('[data-testid=container-layer]').first().isVisible(), `step ${n}: a container is running`);
        }
        await assertPlacement(page, `deep link step ${n}`);
        if (n === 8) await shot(page, 'deeplink-step8');
        assert.deepEqual(problemsOf(page), []);
      } finally {
        await page.close();
      }
    });
  }
});
