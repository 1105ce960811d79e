'use strict';
// Issue 14, the page in a classroom: embeds whose every tab is reachable, Docker's pull/push
// rules with the reason shown, a phone's History / image names / language picker, and the
// container editor that comes into view with its whole path and keeps the filter.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { REPO, openSession, problemsOf, waitReady } = require('./lib/browser');
const app = require('./lib/app');

const READY = Number(process.env.PANCAKE_E2E_READY_MS || 45000);
const T = READY + 60000;
const SHOTS = path.join(REPO, 'target', 'screenshots', 'classroom');

async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

/** Boxes of an element's matches, in the viewport. */
async function boxes(page, sel) {
  return page.$$eval(sel, (els) => els.map((e) => {
    const r = e.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, text: e.textContent.trim() };
  }));
}

describe('classroom (issue 14)', () => {
  let session;
  before(async () => { session = await openSession(); });
  after(async () => { if (session) await session.close(); });

  for (const [width, height] of [[800, 600], [360, 640]]) {
    test(`embed at ${width}×${height}: every tab fully in view, and each one opens`, { timeout: T }, async () => {
      const page = await session.newPage({ viewport: { width, height }, query: '?demo=nginx&embed=1&lang=id' });
      try {
        await waitReady(page, { timeout: READY });
        const tabs = await boxes(page, '[data-testid^=tab-]');
        assert.ok(tabs.length >= 5, `tabs: ${tabs.length}`);
        for (const t of tabs) {
          assert.ok(t.left >= 0 && t.right <= width + 0.5 && t.top >= 0 && t.bottom <= height, `tab "${t.text}" is cut: ${JSON.stringify(t)}`);
          assert.ok(t.width > 20, `tab "${t.text}" is visible`);
        }
        const ids = await page.$$eval('[data-testid^=tab-]', (els) => els.map((e) => e.getAttribute('data-testid')));
        for (const id of ids) {
          await page.locator(`[data-testid=${id}]`).first().click();
          assert.equal(await page.locator(`[data-testid=${id}]`).first().getAttribute('aria-selected'), 'true');
        }
        await shot(page, `embed-${width}x${height}-tabs`);
        assert.deepEqual(problemsOf(page), []);
      } finally {
        await page.close();
      }
    });
  }

  // The page's own header at projector widths (review, page item 2): the six tabs lay in a
  // bar that scrolled with a hidden scrollbar, so at 1024 px "Container" showed as
  // "Containe" and at 900 px not at all. Every tab lies whole inside the viewport and inside
  // the bar's visible box, in both languages (Indonesian's names are longer); no width
  // scrolls the page sideways; at 1280 px the header keeps its one row.
  for (const lang of ['en', 'id']) {
    test(`header at 360-1280 px (${lang}): all six tabs whole in view, nothing scrolls sideways`, { timeout: T }, async () => {
      const page = await session.newPage({ viewport: { width: 1280, height: 800 }, query: `?demo=nginx&lang=${lang}` });
      try {
        await waitReady(page, { timeout: READY });
        for (const width of [360, 480, 600, 800, 900, 1024, 1100, 1200, 1280]) {
          await page.setViewportSize({ width, height: 768 });
          await page.waitForTimeout(100);
          const got = await page.evaluate(() => {
            const bar = document.querySelector('header.top nav[role=tablist]');
            const b = bar.getBoundingClientRect();
            const tabs = [...bar.querySelectorAll('[role=tab]')].map((t) => {
              const r = t.getBoundingClientRect();
              return { text: t.textContent.trim(), left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, clipped: t.scrollWidth > t.clientWidth + 1 };
            });
            const head = document.querySelector('header.top').getBoundingClientRect();
            const brand = document.querySelector('header.top .brand').getBoundingClientRect();
            return {
              tabs, bar: { left: b.left, right: b.right, top: b.top, bottom: b.bottom },
              barScrolls: bar.scrollWidth > bar.clientWidth + 1,
              pageScroll: document.documentElement.scrollWidth - document.documentElement.clientWidth,
              vw: document.documentElement.clientWidth, headHeight: head.height, brandTop: brand.top,
            };
          });
          const at = `${width} px`;
          assert.equal(got.tabs.length, 6, `${at}: six tabs`);
          assert.equal(got.barScrolls, false, `${at}: the tab bar does not scroll`);
          assert.ok(got.pageScroll <= 0, `${at}: the page is ${got.pageScroll} px wider than the viewport`);
          for (const t of got.tabs) {
            const inView = t.left >= 0 && t.right <= got.vw + 0.5 && t.width > 20 && !t.clipped;
            const inBar = t.left >= got.bar.left - 0.5 && t.right <= got.bar.right + 0.5 && t.top >= got.bar.top - 0.5 && t.bottom <= got.bar.bottom + 0.5;
            assert.ok(inView && inBar, `${at}: tab "${t.text}" cut: ${JSON.stringify({ t, bar: got.bar, vw: got.vw })}`);
          }
          // The wide layout stays as it was: brand, tabs and actions on one row.
          if (width >= 1280) {
            assert.ok(got.tabs.every((t) => t.top < got.brandTop + 40), `${at}: the tabs sit beside the brand: ${JSON.stringify(got)}`);
          }
          if (width === 1024 || width === 360) await shot(page, `header-${lang}-${width}`);
        }
        assert.deepEqual(problemsOf(page), []);
      } finally {
        await page.close();
      }
    });
  }

  // The verdict in the summary at mid widths (review, page item 6): it wrapped below the
  // title into a slot 28rem wide and sat ~55 px in from the left, aligned with nothing.
  // Below the title it keeps to the right edge (with "Run container"), as beside it on a
  // wide screen, and from 600 px down it starts at the title's left edge.
  test('the digest verdict lines up with the title or the right edge at every width', { timeout: T }, async () => {
    const page = await session.newPage({ viewport: { width: 1280, height: 800 }, query: '?demo=nginx&lang=en' });
    try {
      await waitReady(page, { timeout: READY });
      await page.locator('.summary-status .ready').first().waitFor();
      for (const width of [360, 600, 800, 900, 1024, 1280]) {
        await page.setViewportSize({ width, height: 768 });
        await page.waitForTimeout(100);
        const g = await page.evaluate(() => {
          const box = (s) => document.querySelector(s).getBoundingClientRect();
          const v = box('.summary-status .ready');
          return { v: { left: v.left, right: v.right, top: v.top }, title: box('#image-title').left, summary: box('.summary').right, run: box('.run-container').right };
        });
        const left = Math.abs(g.v.left - g.title) <= 1;
        const right = Math.abs(g.v.right - g.summary) <= 1;
        assert.ok(left || right, `${width} px: the verdict at ${g.v.left}-${g.v.right}, title at ${g.title}, right edge ${g.summary}`);
        if (width <= 600) assert.ok(left, `${width} px: a narrow screen starts it at the title's edge: ${JSON.stringify(g)}`);
      }
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  test('every tab\'s headings go down one level at a time (a screen reader\'s outline has no holes)', { timeout: T }, async () => {
    const page = await session.newPage({ query: '?demo=mysql&lang=en' });
    try {
      await waitReady(page, { timeout: READY });
      const ids = await page.$$eval('[data-testid^=tab-]', (els) => els.map((e) => e.getAttribute('data-testid')));
      assert.ok(ids.length >= 5, ids.join());
      for (const id of ids) {
        await page.locator(`[data-testid=${id}]`).first().click();
        await page.waitForTimeout(300);
        const levels = await page.$$eval('h1, h2, h3, h4, h5, h6', (hs) => hs
          .filter((h) => h.getClientRects().length > 0 || h.classList.contains('visually-hidden'))
          .map((h) => [Number(h.tagName.slice(1)), h.textContent.trim().slice(0, 40)]));
        assert.ok(levels.length > 0 && levels[0][0] === 1, `${id}: ${JSON.stringify(levels)}`);
        for (let i = 1; i < levels.length; i++) {
          assert.ok(levels[i][0] <= levels[i - 1][0] + 1, `${id}: "${levels[i][1]}" (h${levels[i][0]}) after h${levels[i - 1][0]}: ${JSON.stringify(levels)}`);
        }
      }
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  test('screen readers: the details are not read out on every step, the stack says its order, History marks the chosen row', { timeout: T }, async () => {
    const page = await session.newPage({ query: '?demo=nginx&lang=en' });
    try {
      await waitReady(page, { timeout: READY });
      const details = page.locator('[data-testid=layer-details]');
      await details.waitFor();
      // Two digests, the command, sizes…: not a live region (the focused slab's name says
      // the layer and its verdict).
      assert.equal(await details.getAttribute('aria-live'), null);
      assert.equal(await page.locator('[data-testid=layer-details] [aria-live]').count(), 0);
      assert.equal(await page.locator('ol.stack').getAttribute('aria-label'),
        'Layers from the top down, as drawn: the last instruction first, layer 1 (the base image) last');
      await page.locator('[data-testid=layer][data-index="1"]').click();
      await page.locator('[data-testid=tab-history]').click();
      const current = page.locator('[data-testid=history-row][aria-current=true]');
      await current.waitFor();
      assert.equal(await current.count(), 1);
      assert.equal(await current.getAttribute('data-layer'), '1');
      assert.match(await current.getAttribute('class'), /\bselected\b/);
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  // WCAG 2.4.3: the stack is drawn top layer first (newest on top, as Docker draws an image);
  // Tab and a screen reader must meet the layers in that order too, not from the base up.
  for (const v of [{ lang: 'en', width: 1280, height: 800 }, { lang: 'id', width: 360, height: 740 }]) {
    test(`the stack is read and tabbed top to bottom, as drawn; the arrows follow it (${v.lang}, ${v.width} px)`, { timeout: T }, async () => {
      const page = await session.newPage({ viewport: { width: v.width, height: v.height }, query: `?demo=nginx&view=stack&lang=${v.lang}` });
      try {
        await waitReady(page, { timeout: READY });
        const n = (await app.readLayers(page)).length;
        assert.ok(n >= 3, `nginx has several layers (${n})`);
        // Reading order: every row of the list (slabs and thin settings-only steps), in the
        // DOM's order, lies below the one before it on the page.
        const rows = await page.$$eval('ol.stack > li', (els) => els.map((e) => ({
          y: e.getBoundingClientRect().top + scrollY,
          h: e.getBoundingClientRect().height,
          layer: e.dataset.testid === 'layer' ? Number(e.dataset.index) : null,
        })));
        assert.ok(rows.length > n, `layers and settings-only steps listed (${rows.length})`);
        for (let i = 1; i < rows.length; i++) {
          assert.ok(rows[i].y >= rows[i - 1].y + rows[i - 1].h - 1, `row ${i} is drawn below row ${i - 1}: ${JSON.stringify(rows.slice(i - 1, i + 1))}`);
        }
        const want = Array.from({ length: n }, (_, i) => n - 1 - i);
        assert.deepEqual(rows.filter((r) => r.layer !== null).map((r) => r.layer), want, 'layers listed top first');
        // Focus order: from the view's tab, Tab reaches the top layer first, then each layer
        // below it, down to the base (numbered 1); the number a reader hears is the one drawn.
        await page.locator('[data-testid=tab-stack]').focus();
        const focused = () => page.evaluate(() => {
          const e = document.activeElement;
          return e && e.dataset.testid === 'layer'
            ? { index: Number(e.dataset.index), shown: e.querySelector('.slab-index').textContent.trim(), label: e.getAttribute('aria-label'), y: e.getBoundingClientRect().top + scrollY }
            : null;
        });
        let at = null;
        for (let i = 0; i < 20 && !at; i++) {
          await page.keyboard.press('Tab');
          at = await focused();
        }
        const met = [];
        while (at) {
          met.push(at);
          await page.keyboard.press('Tab');
          at = await focused();
        }
        assert.deepEqual(met.map((m) => m.shown), want.map((i) => String(i + 1)), 'Tab meets the layers numbered n … 1');
        // A screen reader hears a list to choose from (review, page item 7): the stack is a
        // listbox, each slab an option saying whether it is the chosen one; a step that made
        // no layer is an option that cannot be chosen.
        const roles = await page.evaluate(() => ({
          list: document.querySelector('ol.stack').getAttribute('role'),
          slabs: [...document.querySelectorAll('[data-testid=layer]')].map((e) => [e.getAttribute('role'), e.getAttribute('aria-selected')]),
          steps: [...document.querySelectorAll('[data-testid=metadata-step]')].map((e) => [e.getAttribute('role'), e.getAttribute('aria-disabled')]),
        }));
        assert.equal(roles.list, 'listbox');
        assert.ok(roles.slabs.every(([r, s]) => r === 'option' && (s === 'true' || s === 'false')), JSON.stringify(roles.slabs));
        assert.ok(roles.steps.length > 0 && roles.steps.every(([r, d]) => r === 'option' && d === 'true'), JSON.stringify(roles.steps));
        await page.locator('[data-testid=layer][data-index="0"]').focus();
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => document.activeElement?.getAttribute('aria-selected') === 'true');
        assert.equal(await page.locator('[data-testid=layer][aria-selected=true]').count(), 1, 'one option chosen');
        // By role and state, as assistive technology finds it (the label is "Layer n: …" in
        // both languages).
        assert.equal(await page.getByRole('option', { name: /^Layer 1: /, selected: true }).count(), 1, 'the base, chosen');
        assert.equal(await page.getByRole('option', { name: new RegExp(`^Layer ${n}: `), selected: false }).count(), 1, 'the top, not chosen');
        assert.deepEqual(met.map((m) => m.index), want);
        met.forEach((m) => assert.match(m.label, new RegExp(`^Layer ${m.index + 1}: `), m.label));
        for (let i = 1; i < met.length; i++) assert.ok(met[i].y > met[i - 1].y, `focus moves down the page: ${JSON.stringify(met.map((m) => m.y))}`);
        // Shift+Tab climbs back: from the base to the layer above it.
        await page.locator('[data-testid=layer][data-index="0"]').focus();
        await page.keyboard.press('Shift+Tab');
        assert.equal((await focused())?.index, 1, 'Shift+Tab from the base reaches layer 2');
        // The arrows go the way the stack is drawn: Up to the layer above, Down to the one
        // below; Home to the first in the list (the top), End to the last (the base).
        await page.locator(`[data-testid=layer][data-index="${n - 1}"]`).focus();
        await page.keyboard.press('ArrowDown');
        await page.locator(`[data-testid=layer-details][data-index="${n - 2}"]`).waitFor();
        assert.equal((await focused())?.index, n - 2);
        await page.keyboard.press('ArrowUp');
        await page.locator(`[data-testid=layer-details][data-index="${n - 1}"]`).waitFor();
        assert.equal((await focused())?.index, n - 1);
        await page.keyboard.press('End');
        await page.locator('[data-testid=layer-details][data-index="0"]').waitFor();
        assert.equal((await focused())?.shown, '1');
        await page.keyboard.press('Home');
        await page.locator(`[data-testid=layer-details][data-index="${n - 1}"]`).waitFor();
        assert.equal((await focused())?.shown, String(n));
        assert.deepEqual(problemsOf(page), []);
      } finally {
        await page.close();
      }
    });
  }

  test('a touch screen is told to choose a file, not to drag one', { timeout: T }, async () => {
    const page = await session.newPage({ query: '?lang=id', viewport: { width: 360, height: 740 } });
    try {
      // A phone's touch screen, as Chromium's device mode makes it (coarse pointer, no hover).
      const cdp = await session.ctx.newCDPSession(page);
      await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: 5 });
      await page.reload();
      await page.locator('[data-testid=start-choose]').first().waitFor();
      const coarse = await page.evaluate(() => matchMedia('(hover: none) and (pointer: coarse)').matches);
      assert.equal(coarse, true, 'the emulated phone has a coarse pointer');
      assert.equal(await page.locator('.drop-hint').first().isVisible(), false, 'no "Seret file" on a phone');
      assert.equal(await page.locator('[data-testid=start-choose]').first().isVisible(), true);
    } finally {
      await page.close();
    }
    const desk = await session.newPage({ query: '?lang=id' });
    try {
      await desk.locator('[data-testid=start-choose]').first().waitFor();
      assert.equal(await desk.locator('.drop-hint').first().textContent(), 'Seret file .tar atau .tar.gz ke mana saja di halaman ini');
      assert.equal(await desk.locator('.drop-hint').first().isVisible(), true);
    } finally {
      await desk.close();
    }
  });

  test('a link\'s layer number is the page\'s: ?layer=3 is "Layer 3 of 3", and the URL keeps it', { timeout: T }, async () => {
    const page = await session.newPage({ query: '?demo=nginx&view=stack&layer=3&lang=en' });
    try {
      await waitReady(page, { timeout: READY });
      const details = page.locator('[data-testid=layer-details]').first();
      await details.waitFor({ state: 'visible', timeout: 10000 });
      const total = (await app.readLayers(page)).length;
      assert.equal(await details.getAttribute('data-index'), '2', 'the third layer from the base');
      assert.match(await details.innerText(), new RegExp(`Layer 3 of ${total}`));
      // Selecting the base layer writes layer=1.
      await app.selectLayer(page, 0);
      await page.waitForFunction(() => new URLSearchParams(location.search).get('layer') === '1', null, { timeout: 10000 });
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  test('pull needs the image in the registry, push needs it on this host; the reason is shown', { timeout: T }, async () => {
    const page = await session.newPage({ query: '?lang=en' });
    try {
      await page.locator('[data-testid=demo-wordpress-pair]').first().click();
      await waitReady(page, { timeout: READY });
      await app.openTab(page, 'shared');
      const pull = page.locator('[data-testid=pull-button]');
      const push = page.locator('[data-testid=push-button]');
      await page.locator('[data-testid=pull-target]').selectOption('1');
      // New images start in the registry and not on this host: pull yes, push no.
      assert.equal(await page.locator('[data-testid=pushed-toggle][data-index="1"]').isChecked(), true);
      assert.equal(await pull.isDisabled(), false);
      assert.equal(await push.isDisabled(), true);
      assert.match(await page.locator('[data-testid=no-push]').innerText(), /not on this host/);
      assert.equal(await page.locator('[data-testid=no-pull]').count(), 0);
      // Not in the registry: no pull, and the reason says so.
      await page.locator('[data-testid=pushed-toggle][data-index="1"]').uncheck();
      assert.equal(await pull.isDisabled(), true);
      assert.match(await page.locator('[data-testid=no-pull]').innerText(), /not in the registry/);
      // On this host: push runs, and afterwards it is in the registry again.
      await page.locator('[data-testid=present-toggle][data-index="1"]').check();
      assert.equal(await push.isDisabled(), false);
      await push.click();
      await page.locator('[data-testid=pull-skip]').click().catch(() => {});
      await page.locator('[data-testid=transfer-run][data-done=true]').waitFor({ timeout: 30000 });
      assert.equal(await page.locator('[data-testid=pushed-toggle][data-index="1"]').isChecked(), true);
      assert.equal(await pull.isDisabled(), false);
      // No jargon for a student in the notes.
      const notes = await page.locator('section.transfer').innerText();
      assert.doesNotMatch(notes, /diff_id/);
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  for (const scheme of ['light', 'dark']) {
    test(`phone 360×740 ${scheme}: History, image names and the language picker fit`, { timeout: T }, async () => {
      const page = await session.newPage({ viewport: { width: 360, height: 740 }, colorScheme: scheme, query: '?lang=id' });
      try {
        // The language picker shows its whole name.
        const picker = await page.$eval('[data-testid=lang-switch]', (s) => ({ scroll: s.scrollWidth, client: s.clientWidth, right: s.getBoundingClientRect().right }));
        assert.ok(picker.right <= 360, `picker off-screen: ${JSON.stringify(picker)}`);
        assert.ok(picker.scroll <= picker.client + 1, `picker text cut: ${JSON.stringify(picker)}`);
        await page.locator('[data-testid=demo-wordpress-pair]').first().click();
        await waitReady(page, { timeout: READY });
        await app.openTab(page, 'history');
        // Every SIZE and CREATED BY cell is on screen (no sideways scroll hides them).
        for (const sel of ['[data-testid=history-row] .h-size', '[data-testid=history-row] .h-by']) {
          for (const b of await boxes(page, sel)) {
            assert.ok(b.left >= 0 && b.right <= 360 + 0.5 && b.width > 0, `${sel} off-screen: ${JSON.stringify(b)}`);
          }
        }
        await shot(page, `history-360-${scheme}`);
        await app.openTab(page, 'shared');
        // The two WordPress names stay different when cut: the tails (last segment + tag) show.
        const tails = await page.$$eval('.dg-head .mid-ell', (els) => els.map((e) => {
          const t = e.querySelector('.mid-tail');
          const r = t.getBoundingClientRect();
          return { text: t.textContent, cut: t.scrollWidth > t.clientWidth + 1, width: r.width };
        }));
        assert.equal(tails.length, 2);
        assert.notEqual(tails[0].text, tails[1].text);
        for (const t of tails) assert.ok(!t.cut && t.width > 0, `tail cut: ${JSON.stringify(t)}`);
        await shot(page, `shared-360-${scheme}`);
        assert.deepEqual(problemsOf(page), []);
      } finally {
        await page.close();
      }
    });
  }

  for (const [width, height] of [[1280, 800], [360, 740]]) {
    test(`container at ${width} px: opening a filtered file keeps the filter, brings the editor into view, shows the whole path`, { timeout: T }, async () => {
      const page = await session.newPage({ viewport: { width, height }, query: '?lang=en&demo=nginx' });
      try {
        await waitReady(page, { timeout: READY });
        await page.locator('[data-testid=run-container]').first().click();
        await page.locator('[data-testid=container-filter]').waitFor({ timeout: 10000 });
        await page.locator('[data-testid=container-filter]').fill('nginx.conf');
        const row = page.locator('[data-testid=container-file-row][data-path="/etc/nginx/nginx.conf"]').first();
        await row.click();
        const editor = page.locator('[data-testid=container-editor]');
        await editor.waitFor({ state: 'visible', timeout: 10000 });
        assert.equal(await page.locator('[data-testid=container-filter]').inputValue(), 'nginx.conf', 'the filter is kept');
        assert.equal((await page.locator('[data-testid=editor-path]').innerText()).trim(), '/etc/nginx/nginx.conf');
        const fits = await page.$eval('[data-testid=editor-path]', (e) => e.scrollWidth <= e.clientWidth + 1);
        assert.ok(fits, 'the path is not cut');
        await page.waitForTimeout(600);
        const b = (await boxes(page, '[data-testid=container-editor]'))[0];
        assert.ok(b.top < height && b.bottom > 0, `the editor is in view: ${JSON.stringify(b)}`);
        await shot(page, `container-editor-${width}`);
        assert.deepEqual(problemsOf(page), []);
      } finally {
        await page.close();
      }
    });
  }
});
