'use strict';
// Course mode (issue 6): the guided tour in both languages, html[lang], embed mode, permalinks
// and the back button, `?src=` against local servers with and without CORS, keyboard use,
// contrast, and that nothing is requested from another origin.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { REPO, FIXTURES, openSession, problemsOf, waitReady } = require('./lib/browser');
const { startServer } = require('./lib/server');
const app = require('./lib/app');
const { contrastFailures } = require('./lib/contrast');

const READY = Number(process.env.PANCAKE_E2E_READY_MS || 45000);
const T = READY + 60000;
const SHOTS = path.join(REPO, 'target', 'screenshots', 'course');
const SRC_FIXTURE = 'docker26-save-app1.tar';

// Keys of the translation table: if one of them shows up as page text, a string is missing.
const KEYS = fs.readFileSync(path.join(REPO, 'web', 'locales', 'en.ftl'), 'utf8')
  .split('\n').map((l) => l.match(/^([a-z0-9]+(?:-[a-z0-9]+)+)\s*=/)).filter(Boolean).map((m) => m[1]);

async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Raw translation keys visible on the page (none expected). */
async function rawKeys(page) {
  const text = await page.evaluate(() => document.body.innerText);
  const words = new Set(text.split(/[\s,.:;()"'“”]+/));
  return KEYS.filter((k) => words.has(k));
}

async function noHorizontalScroll(page) {
  return page.evaluate(() => {
    const el = document.scrollingElement;
    const wide = [...document.querySelectorAll('body *')].filter((e) => {
      const r = e.getBoundingClientRect();
      return r.width > 0 && r.right > innerWidth + 1 && getComputedStyle(e).position !== 'fixed';
    }).slice(0, 3).map((e) => `${e.tagName}.${e.className}`);
    return { ok: el.scrollWidth <= el.clientWidth + 1, scrollWidth: el.scrollWidth, clientWidth: el.clientWidth, wide };
  });
}

async function waitStep(page, n) {
  await page.locator(`[data-testid=tour-step][data-step="${n}"]`).waitFor({ state: 'visible', timeout: 15000 });
}

async function tabExists(page, id) {
  return (await page.locator(`[data-testid=tab-${id}]`).count()) > 0;
}

describe('course mode', () => {
  let session;
  before(async () => { session = await openSession(); });
  after(async () => {
    if (!session) return;
    const foreign = [...session.foreign];
    await session.close();
    assert.deepEqual(foreign, [], 'requests to another origin during the session');
  });

  const walks = [
    { lang: 'en', width: 1280, height: 800, scheme: 'light' },
    { lang: 'id', width: 1280, height: 800, scheme: 'light' },
    { lang: 'id', width: 1280, height: 800, scheme: 'dark' },
    { lang: 'id', width: 360, height: 740, scheme: 'light' },
    { lang: 'en', width: 360, height: 740, scheme: 'dark' },
  ];
  const texts = {};
  for (const w of walks) {
    const name = `tour-${w.lang}-${w.width}-${w.scheme}`;
    test(`tour: all 10 steps, ${w.lang}, ${w.width} px, ${w.scheme}`, { timeout: T * 2 }, async () => {
      const page = await session.newPage({ viewport: { width: w.width, height: w.height }, colorScheme: w.scheme, query: `?lang=${w.lang}` });
      try {
        assert.equal(await page.getAttribute('html', 'lang'), w.lang);
        await page.locator('[data-testid=start-tour]').click();
        const seen = [];
        for (let n = 1; n <= 10; n++) {
          await waitStep(page, n);
          const card = page.locator('[data-testid=tour-step]');
          const step = {};
          for (const part of ['title', 'body', 'do']) {
            step[part] = (await card.locator(`[data-testid=tour-${part}]`).innerText()).trim();
            assert.ok(step[part].length > 3, `step ${n} ${part} is empty`);
            assert.doesNotMatch(step[part], /tour-\d+-(title|body|do)|\{ ?\$/, `step ${n} ${part} shows a raw key or placeholder`);
          }
          seen.push(step);
          if (n === 1 || n === 5 || n === 7) {
            // The tour loaded the demo(s) it needs by itself.
            await waitReady(page, { timeout: READY });
          }
          if (n <= 4) {
            // The outline found the part of the page the step is about.
            await page.locator('[data-testid=tour-step][data-target-found=true]').waitFor({ timeout: 10000 });
            await page.locator('[data-testid=tour-spot]').waitFor({ state: 'visible', timeout: 5000 });
          }
          // Which step of how many, in the page's language, shown whether the card is folded
          // (a phone folds it when the step's target needs the room) or not.
          const count = card.locator('[data-testid=tour-count]');
          assert.equal((await count.innerText()).trim().toLowerCase(),
            (w.lang === 'en' ? `Step ${n} of 10` : `Langkah ${n} dari 10`).toLowerCase(),
            `step ${n}: the count (card folded: ${await card.getAttribute('data-folded')})`);
          assert.ok(await count.isVisible(), `step ${n}: the count is shown (card folded: ${await card.getAttribute('data-folded')})`);
          if (n === 2) {
            // The text names the size the stack writes on its thin lines, as the stack writes
            // it in this language (Docker's "0B" in English, "0 B" in Indonesian).
            const ticks = await page.$$eval('[data-testid=metadata-step] .size', (els) => els.map((e) => e.textContent.trim()));
            assert.ok(ticks.length >= 1, 'the nginx stack has settings-only steps');
            assert.deepEqual([...new Set(ticks)], [w.lang === 'en' ? '0B' : '0 B'], `tick sizes ${ticks}`);
            assert.ok(step.body.includes(w.lang === 'en' ? 'thin 0B lines' : 'garis tipis 0 B di'), step.body);
            // The step's one thing to do: click the COPY layer.
            await page.locator('[data-testid=layer].kind-copy').first().click();
            await page.locator('[data-testid=layer-details]').waitFor({ state: 'visible' });
          }
          if (n === 5 && await tabExists(page, 'shared')) {
            await page.locator('[data-testid=shared-diagram]').waitFor({ state: 'visible', timeout: 10000 });
          }
          if (n === 7 && await tabExists(page, 'container')) {
            await page.locator('[data-testid=run-container]').first().waitFor({ state: 'visible', timeout: 10000 });
          }
          assert.deepEqual(await rawKeys(page), [], `step ${n}: raw keys on the page`);
          // The URL names the step (written once the step's demo is open).
          await page.waitForFunction((n) => new URLSearchParams(location.search).get('step') === String(n), n, { timeout: 10000 });
          await shot(page, `${name}-step${n}`);
          if (n > 1 && n < 9 && n % 3 === 0) {
            // Back and forth once in a while.
            await page.locator('[data-testid=tour-back]').click();
            await waitStep(page, n - 1);
            await page.locator('[data-testid=tour-next]').click();
            await waitStep(page, n);
          }
          await page.locator('[data-testid=tour-next]').click();
        }
        await page.locator('[data-testid=tour-step]').waitFor({ state: 'detached', timeout: 5000 });
        if (w.width === 1280 && w.scheme === 'light') texts[w.lang] = seen;
        if (texts.en && texts.id) {
          texts.en.forEach((s, i) => assert.notEqual(s.body, texts.id[i].body, `step ${i + 1} is translated`));
        }
        assert.deepEqual(problemsOf(page), []);
      } finally {
        await page.close();
      }
    });
  }

  test('tour: close, and start again from the footer; Escape closes', { timeout: T }, async () => {
    const page = await session.newPage({ query: '?lang=en' });
    try {
      await page.locator('[data-testid=start-tour]').click();
      await waitStep(page, 1);
      await page.locator('[data-testid=tour-close]').click();
      await page.locator('[data-testid=tour-step]').waitFor({ state: 'detached' });
      await page.locator('[data-testid=footer-tour]').click();
      await waitStep(page, 1);
      await page.locator('[data-testid=tour-step]').focus();
      await page.keyboard.press('Escape');
      await page.locator('[data-testid=tour-step]').waitFor({ state: 'detached' });
      // The focus goes back to the button that started the tour.
      await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'footer-tour', null, { timeout: 2000 });
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  test('html[lang] follows ?lang= and the switch; the title and texts too', { timeout: T }, async () => {
    const page = await session.newPage({ query: '?lang=id' });
    try {
      assert.equal(await page.getAttribute('html', 'lang'), 'id');
      assert.match(await page.locator('[data-testid=start-tour]').innerText(), /tur/i);
      assert.match(await page.title(), /layer/);
      await page.locator('[data-testid=lang-switch]').selectOption('en');
      await page.waitForFunction(() => document.documentElement.lang === 'en');
      assert.match(await page.locator('[data-testid=start-tour]').innerText(), /Take the tour/);
      assert.equal(new URL(page.url()).searchParams.get('lang'), 'en');
      assert.deepEqual(await rawKeys(page), []);
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  test('the browser language is the default', { timeout: T }, async () => {
    const page = await session.ctx.newPage();
    try {
      await page.addInitScript(() => Object.defineProperty(navigator, 'languages', { get: () => ['id-ID', 'id'] }));
      await page.goto(session.server.url, { waitUntil: 'load' });
      await page.waitForFunction(() => document.documentElement.lang === 'id', null, { timeout: 20000 });
    } finally {
      await page.close();
    }
  });

  for (const [width, height] of [[800, 600], [360, 640]]) {
    for (const scheme of ['light', 'dark']) {
      test(`embed mode at ${width}×${height}, ${scheme}: no header or footer, no horizontal scroll, open-full link`, { timeout: T }, async () => {
        const page = await session.newPage({ viewport: { width, height }, colorScheme: scheme, query: '?demo=nginx&embed=1&lang=id' });
        try {
          await waitReady(page, { timeout: READY });
          assert.equal(await page.locator('header.top').count(), 0, 'no header');
          assert.equal(await page.locator('footer').count(), 0, 'no footer');
          const full = page.locator('[data-testid=open-full]');
          await full.waitFor({ state: 'visible' });
          const href = new URL(await full.getAttribute('href'));
          assert.equal(href.origin, session.server.origin);
          assert.equal(href.searchParams.get('embed'), null, 'open-full leaves embed mode');
          assert.equal(href.searchParams.get('demo'), 'nginx');
          assert.equal(await full.getAttribute('target'), '_blank');
          for (const tab of ['stack', 'history', 'files', 'config']) {
            await app.openTab(page, tab);
            const h = await noHorizontalScroll(page);
            assert.ok(h.ok, `${tab}: horizontal scroll ${JSON.stringify(h)}`);
            await shot(page, `embed-${width}x${height}-${scheme}-${tab}`);
          }
          assert.deepEqual(await contrastFailures(page), [], 'contrast AA');
          assert.deepEqual(problemsOf(page), []);
        } finally {
          await page.close();
        }
      });
    }
  }

  test('deep link round trip: view, layer, lang, reload, back button', { timeout: T * 2 }, async () => {
    const page = await session.newPage({ query: '?demo=nginx&view=history&lang=id' });
    const q = () => new URL(page.url()).searchParams;
    try {
      await waitReady(page, { timeout: READY });
      assert.equal(await page.locator('[data-testid=tab-history]').getAttribute('aria-selected'), 'true');
      await page.locator('[data-testid=history-table]').waitFor({ state: 'visible' });
      assert.equal(await page.getAttribute('html', 'lang'), 'id');
      assert.equal((await page.locator('[data-testid=tab-history]').innerText()).trim(), 'Riwayat');

      await app.openTab(page, 'files');
      await page.waitForFunction(() => new URLSearchParams(location.search).get('view') === 'files');
      await app.openTab(page, 'stack');
      await app.selectLayer(page, 0);
      await page.waitForFunction(() => new URLSearchParams(location.search).get('layer') === '1');
      assert.equal(q().get('view'), 'stack');
      assert.equal(q().get('demo'), 'nginx');
      assert.equal(q().get('lang'), 'id');

      await page.reload({ waitUntil: 'load' });
      await waitReady(page, { timeout: READY });
      assert.equal(await page.locator('[data-testid=tab-stack]').getAttribute('aria-selected'), 'true');
      await page.locator('[data-testid=layer-details][data-index="0"]').waitFor({ state: 'visible', timeout: 10000 });
      assert.equal(await page.getAttribute('html', 'lang'), 'id');

      await page.goBack();
      await page.waitForFunction(() => new URLSearchParams(location.search).get('view') === 'files');
      await page.locator('[data-testid=tab-files][aria-selected=true]').waitFor({ timeout: 10000 });
      await page.goBack();
      await page.waitForFunction(() => new URLSearchParams(location.search).get('view') === 'history');
      await page.locator('[data-testid=history-table]').waitFor({ state: 'visible', timeout: 10000 });
      await page.goForward();
      await page.locator('[data-testid=tab-files][aria-selected=true]').waitFor({ timeout: 10000 });
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  test('deep link to a layer and a tour step; back across demos', { timeout: T * 2 }, async () => {
    const page = await session.newPage({ query: '?demo=nginx&view=stack&layer=2&lang=en' });
    try {
      await waitReady(page, { timeout: READY });
      await page.locator('[data-testid=layer-details][data-index="1"]').waitFor({ state: 'visible', timeout: 10000 });
      await page.goto(`${session.server.url}?step=3&lang=id`);
      await waitStep(page, 3);
      await page.locator('[data-testid=history-table]').waitFor({ state: 'visible', timeout: READY });
      await page.locator('[data-testid=tour-next]').click();
      await waitStep(page, 4);
      await page.locator('[data-testid=tour-next]').click();
      await waitStep(page, 5);
      // Step 5 opens two demos; until they are shown the page (and its URL) still shows nginx,
      // which is already "ready". Wait for the URL to follow the new image first.
      await page.waitForFunction(() => new URLSearchParams(location.search).get('demo') === 'wordpress-a,wordpress-b', null, { timeout: READY });
      await waitReady(page, { timeout: READY });
      assert.equal(new URL(page.url()).searchParams.get('demo'), 'wordpress-a,wordpress-b');
      await page.goBack();
      await waitStep(page, 4);
      await page.waitForFunction(() => new URLSearchParams(location.search).get('demo') === 'nginx');
      await waitReady(page, { timeout: READY });
      assert.ok((await app.readLayers(page)).length >= 2);
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  /** What the page shows: the image's title, the selected tab, and the URL's query. */
  async function shown(page) {
    return page.evaluate(() => ({
      title: document.querySelector('#image-title')?.textContent,
      tab: document.querySelector('[role=tab][aria-selected=true]')?.getAttribute('data-testid'),
      query: location.search,
    }));
  }

  /** Every count of step 5 (and 6) against what is listed beside it. */
  async function stepFiveCounts(page) {
    return page.evaluate(() => {
      const picker = document.querySelector('[data-testid=image-picker]');
      const num = (s) => Number((s || '').match(/\d+/)?.[0]);
      return {
        pickerSays: num(picker?.querySelector('.picker-title')?.textContent),
        pickerLists: document.querySelectorAll('[data-testid=image-option]').length,
        sessionLists: document.querySelectorAll('[data-testid=session-image]').length,
        heading: document.querySelector('#sh-title')?.textContent,
        leftOut: document.querySelector('[data-testid=session-left-out]')?.getAttribute('data-count') ?? null,
        leftOutText: document.querySelector('[data-testid=session-left-out]')?.textContent ?? null,
      };
    });
  }

  for (const lang of ['en', 'id']) {
    test(`tour step 5 (${lang}): the count of images is the number listed, by Next and by a deep link`, { timeout: T * 2 }, async () => {
      const page = await session.newPage({ query: `?lang=${lang}` });
      try {
        // By Next from step 1: nginx stays open in the session beside the two WordPress images.
        await page.locator('[data-testid=start-tour]').click();
        for (let n = 1; n < 5; n++) {
          await waitStep(page, n);
          if (n === 1) await waitReady(page, { timeout: READY });
          await page.locator('[data-testid=tour-next]').click();
        }
        await waitStep(page, 5);
        await page.waitForFunction(() => new URLSearchParams(location.search).get('demo') === 'wordpress-a,wordpress-b', null, { timeout: READY });
        await waitReady(page, { timeout: READY });
        await page.locator('[data-testid=shared-diagram]').waitFor({ state: 'visible', timeout: 10000 });
        const byNext = await stepFiveCounts(page);
        assert.deepEqual([byNext.pickerSays, byNext.pickerLists, byNext.sessionLists], [2, 2, 2], JSON.stringify(byNext));
        // The list is titled as the file's, and says that one more image of the session is left out.
        assert.equal(byNext.heading, lang === 'en' ? 'Images in this file' : 'Image dalam file ini');
        assert.equal(byNext.leftOut, '1');
        assert.match(byNext.leftOutText, lang === 'en' ? /^1 other image open in this session is left out/ : /^1 image lain yang terbuka di sesi ini/);
        // Step 6 is about the same two images.
        await page.locator('[data-testid=tour-next]').click();
        await waitStep(page, 6);
        const six = await stepFiveCounts(page);
        assert.deepEqual([six.pickerSays, six.pickerLists, six.sessionLists], [2, 2, 2], JSON.stringify(six));
        // Once the tour is closed the session's three images are all listed again.
        await page.locator('[data-testid=tour-close]').click();
        await page.locator('[data-testid=tour-step]').waitFor({ state: 'detached' });
        const after = await stepFiveCounts(page);
        assert.deepEqual([after.pickerSays, after.pickerLists, after.sessionLists, after.leftOut], [3, 3, 3, null], JSON.stringify(after));
        assert.equal(after.heading, lang === 'en' ? 'Images in this session' : 'Image dalam sesi ini');

        // By a deep link: only the pair is open.
        await page.goto(`${session.server.url}?step=5&lang=${lang}`);
        await waitStep(page, 5);
        await waitReady(page, { timeout: READY });
        await page.locator('[data-testid=shared-diagram]').waitFor({ state: 'visible', timeout: 10000 });
        const deep = await stepFiveCounts(page);
        assert.deepEqual([deep.pickerSays, deep.pickerLists, deep.sessionLists, deep.leftOut], [2, 2, 2, null], JSON.stringify(deep));
        assert.deepEqual(await rawKeys(page), []);
        assert.deepEqual(problemsOf(page), []);
      } finally {
        await page.close();
      }
    });
  }

  test('after the tour the URL names the image and tab on screen: a reload shows them again', { timeout: T * 2 }, async () => {
    const page = await session.newPage({ query: '?step=5&lang=en' });
    try {
      await waitStep(page, 5);
      await waitReady(page, { timeout: READY });
      // Back to step 4: nginx joins the session; the picker lists all three images.
      await page.locator('[data-testid=tour-back]').click();
      await waitStep(page, 4);
      await page.waitForFunction(() => new URLSearchParams(location.search).get('demo') === 'nginx', null, { timeout: READY });
      await waitReady(page, { timeout: READY });
      // The learner shows an image of the other file: the WordPress site-b.
      const siteB = page.locator('[data-testid=image-option]', { hasText: 'wordpress:site-b' });
      await siteB.click();
      await page.waitForFunction(() => document.querySelector('#image-title')?.textContent === 'pancake-demo/wordpress:site-b', null, { timeout: 10000 });
      // It stays shown while the step is open (the tour does not take it back).
      await page.waitForTimeout(1000);
      assert.equal((await shown(page)).title, 'pancake-demo/wordpress:site-b');
      await page.locator('[data-testid=tour-close]').click();
      await page.locator('[data-testid=tour-step]').waitFor({ state: 'detached' });
      await page.waitForFunction(() => !new URLSearchParams(location.search).has('step'), null, { timeout: 10000 });
      const closed = await shown(page);
      const q = new URLSearchParams(closed.query);
      assert.equal(q.get('demo'), 'wordpress-a,wordpress-b', closed.query);
      assert.equal(q.get('view'), 'stack', closed.query);
      await page.reload();
      await waitReady(page, { timeout: READY });
      await page.waitForFunction(() => document.querySelector('#image-title')?.textContent === 'pancake-demo/wordpress:site-b', null, { timeout: 10000 });
      const reloaded = await shown(page);
      assert.deepEqual([reloaded.title, reloaded.tab], [closed.title, closed.tab]);
      assert.deepEqual([reloaded.title, reloaded.tab], ['pancake-demo/wordpress:site-b', 'tab-stack']);

      // Finishing the tour on its last step: the URL reloads to mysql's History.
      await page.goto(`${session.server.url}?step=10&lang=en`);
      await waitStep(page, 10);
      await waitReady(page, { timeout: READY });
      await page.locator('[data-testid=tour-next]').click();
      await page.locator('[data-testid=tour-step]').waitFor({ state: 'detached' });
      await page.waitForFunction(() => !new URLSearchParams(location.search).has('step'), null, { timeout: 10000 });
      const finished = await shown(page);
      await page.reload();
      await waitReady(page, { timeout: READY });
      const again = await shown(page);
      assert.deepEqual([again.title, again.tab, again.query], [finished.title, finished.tab, finished.query]);
      assert.deepEqual([again.title, again.tab], ['pancake-demo/mysql:8.0', 'tab-history']);
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  test('a link naming no demo says so, in both languages, and keeps the name in the address', { timeout: T }, async () => {
    for (const [lang, says] of [['en', /asks for a demo called “ngnix”, and there is none\. The demos are: .*\bnginx\b/],
      ['id', /meminta demo bernama “ngnix”, tetapi demo itu tidak ada\. Demo yang tersedia: .*\bnginx\b/]]) {
      const page = await session.newPage({ query: `?embed=1&demo=ngnix&lang=${lang}` });
      try {
        const note = page.locator('[data-testid=unknown-demo]');
        await note.waitFor({ state: 'visible', timeout: READY });
        const text = await note.innerText();
        assert.match(text, says);
        assert.ok(text.includes('wordpress-a,wordpress-b'), `the pair's link form is listed: ${text}`);
        assert.equal(await note.getAttribute('role'), 'status');
        assert.match(page.url(), /[?&]demo=ngnix(&|$)/);
        await shot(page, `unknown-demo-${lang}`);
        // Opening a demo puts the note away.
        await page.locator('[data-testid=demo-nginx]').click();
        await waitReady(page, { timeout: READY });
        assert.equal(await page.locator('[data-testid=unknown-demo]').count(), 0);
        assert.match(page.url(), /[?&]demo=nginx(&|$)/);
        assert.deepEqual(await rawKeys(page), []);
        assert.deepEqual(problemsOf(page), []);
      } finally {
        await page.close();
      }
    }
  });

  test('embed help: iframe snippet and parameters, in both languages', { timeout: T }, async () => {
    const page = await session.newPage({ query: '?demo=nginx&lang=id' });
    try {
      await waitReady(page, { timeout: READY });
      await page.locator('[data-testid=open-embed-help]').click();
      const help = page.locator('[data-testid=embed-help]');
      await help.waitFor({ state: 'visible' });
      const snippet = await help.locator('[data-testid=embed-snippet]').innerText();
      assert.match(snippet, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/\?demo=nginx&amp;view=stack&amp;/);
      assert.match(snippet, /embed=1/);
      for (const p of ['demo', 'view', 'layer', 'step', 'lang', 'embed', 'src']) {
        assert.ok((await help.innerText()).includes(p), `parameter ${p} listed`);
      }
      assert.deepEqual(await rawKeys(page), []);
      // A modal dialog keeps Tab inside it, both ways round (WAI-ARIA dialog pattern).
      const inside = () => page.evaluate(() => !!document.activeElement?.closest('[data-testid=embed-help]'));
      assert.ok(await inside(), 'focus starts in the dialog');
      const stops = await help.evaluate((h) => h.querySelectorAll('button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])').length);
      for (let i = 0; i < stops + 2; i++) {
        await page.keyboard.press('Tab');
        assert.ok(await inside(), `Tab ${i + 1} stays in the dialog`);
      }
      for (let i = 0; i < stops + 2; i++) {
        await page.keyboard.press('Shift+Tab');
        assert.ok(await inside(), `Shift+Tab ${i + 1} stays in the dialog`);
      }
      await shot(page, 'embed-help-id-1280');
      // On a phone every parameter's explanation is inside the dialog, not off to the right.
      await page.setViewportSize({ width: 360, height: 740 });
      const fit = await help.evaluate((h) => {
        const wrap = h.querySelector('.table-wrap');
        const right = h.getBoundingClientRect().right;
        const cells = [...h.querySelectorAll('.params tbody td:nth-child(3)')];
        return {
          overflow: wrap.scrollWidth - wrap.clientWidth,
          cells: cells.length,
          outside: cells.filter((c) => c.getBoundingClientRect().right > right + 0.5 || c.getBoundingClientRect().width < 100).length,
        };
      });
      assert.equal(fit.overflow, 0, 'the parameters table does not scroll sideways at 360 px');
      assert.equal(fit.cells, 7);
      assert.equal(fit.outside, 0, 'each explanation is within the dialog');
      await shot(page, 'embed-help-id-360');
      await page.keyboard.press('Escape');
      await help.waitFor({ state: 'detached' });
      // Closed, the focus goes back to the button that opened the dialog, not to the page's top.
      await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'open-embed-help', null, { timeout: 2000 });
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  test('keyboard: a demo opened with Enter puts the focus on the image\'s title', { timeout: T }, async () => {
    const page = await session.newPage({ query: '?lang=en' });
    try {
      const demo = page.locator('[data-testid=demo-nginx]');
      await demo.focus();
      await page.keyboard.press('Enter');
      await waitReady(page, { timeout: READY });
      await page.waitForFunction(() => document.activeElement?.id === 'image-title');
      assert.equal(await page.evaluate(() => document.activeElement.textContent), 'pancake-demo/nginx:1.25');
      // Tab goes on from there, into the image's view, not back to the page's start.
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => !!document.activeElement.closest('main')), true);
    } finally {
      await page.close();
    }
  });

  test('keyboard: the stack with arrows, Home and End; tabs and tour reachable with Tab', { timeout: T }, async () => {
    const page = await session.newPage({ query: '?demo=nginx&view=stack&lang=en' });
    try {
      await waitReady(page, { timeout: READY });
      const layers = await app.readLayers(page);
      const top = layers.length - 1;
      await page.locator(`[data-testid=layer][data-index="${top}"]`).focus();
      await page.keyboard.press('ArrowDown');
      await page.locator(`[data-testid=layer-details][data-index="${top - 1}"]`).waitFor();
      assert.equal(await page.evaluate(() => document.activeElement.dataset.index), String(top - 1));
      await page.keyboard.press('ArrowUp');
      await page.locator(`[data-testid=layer-details][data-index="${top}"]`).waitFor();
      for (const [key, want] of [['Home', top], ['End', 0]]) {
        await page.keyboard.press(key);
        const got = await page.evaluate(() => document.activeElement.dataset.index);
        // Home/End: the first/last layer of the list as drawn and read: the top / the base.
        assert.equal(got, String(want), `${key} moved focus (got ${got})`);
      }
      // Everything by Tab: the tab bar and the footer's tour link are reachable.
      const reached = new Set();
      await page.locator('body').focus();
      for (let i = 0; i < 60; i++) {
        await page.keyboard.press('Tab');
        const id = await page.evaluate(() => document.activeElement && document.activeElement.dataset.testid);
        if (id) reached.add(id);
      }
      for (const id of ['tab-stack', 'lang-switch', 'footer-tour', 'open-embed-help']) {
        assert.ok(reached.has(id), `${id} reachable by Tab (reached: ${[...reached].join(', ')})`);
      }
      // The view tabs are one tab stop (the selected one) and, as ARIA tabs, move with the
      // arrow keys: each shows its view and takes the focus.
      assert.ok(!reached.has('tab-files'), 'only the selected view tab is a Tab stop');
      // The 1 px file input is no Tab stop: "Open file…" beside it opens the picker.
      assert.ok(reached.has('open-button') && !reached.has('file-input'), [...reached].join(', '));
      await page.locator('[data-testid=tab-stack]').focus();
      const tabbed = async (key, want) => {
        await page.keyboard.press(key);
        await page.waitForFunction((w) => document.activeElement?.dataset.testid === `tab-${w}`
          && document.activeElement.getAttribute('aria-selected') === 'true'
          && new URL(location.href).searchParams.get('view') === w, want);
        assert.equal(await page.getAttribute('[role=tabpanel]', 'aria-labelledby'), `tab-${want}`);
      };
      await tabbed('ArrowRight', 'files');
      await tabbed('ArrowRight', 'history');
      await tabbed('ArrowLeft', 'files');
      await tabbed('End', 'container');
      await tabbed('ArrowRight', 'stack');
      await tabbed('ArrowLeft', 'container');
      await tabbed('Home', 'stack');
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  for (const scheme of ['light', 'dark']) {
    test(`contrast AA of the main views and the tour, ${scheme}`, { timeout: T }, async () => {
      const page = await session.newPage({ colorScheme: scheme, query: '?lang=en' });
      try {
        const fails = [];
        fails.push(...(await contrastFailures(page)).map((f) => `start: ${f}`));
        await page.locator('[data-testid=start-tour]').click();
        await waitReady(page, { timeout: READY });
        await waitStep(page, 1);
        for (const tab of ['stack', 'files', 'history', 'config']) {
          await app.openTab(page, tab);
          await page.waitForTimeout(150);
          fails.push(...(await contrastFailures(page)).map((f) => `${tab}: ${f}`));
        }
        assert.deepEqual(fails, []);
      } finally {
        await page.close();
      }
    });
  }

  test('reduced motion: no animations or transitions', { timeout: T }, async () => {
    const page = await session.newPage({ query: '?step=1&lang=en' });
    try {
      await page.emulateMedia({ reducedMotion: 'reduce' });
      await waitStep(page, 1);
      const moving = await page.evaluate(() => [...document.querySelectorAll('*')].filter((e) => {
        const s = getComputedStyle(e);
        return (s.animationName !== 'none' && parseFloat(s.animationDuration) > 0.01) ||
          parseFloat(s.transitionDuration) > 0.01;
      }).map((e) => e.className).slice(0, 5));
      assert.deepEqual(moving, []);
    } finally {
      await page.close();
    }
  });
});

describe('?src= from another local https server', () => {
  let session;
  let withCors;
  let withoutCors;
  before(async () => {
    withCors = await startServer(FIXTURES, { cors: true, tls: true });
    withoutCors = await startServer(FIXTURES, { tls: true });
    session = await openSession({ allowOrigins: [withCors.origin, withoutCors.origin], ignoreCertErrors: true });
  });
  after(async () => {
    const foreign = session ? [...session.foreign] : [];
    await session?.close();
    await withCors?.close();
    await withoutCors?.close();
    assert.deepEqual(foreign, [], 'no other origin than the src servers');
  });

  /** Another origin: the page asks first; say yes. */
  async function confirmSrc(page, url) {
    const card = page.locator('[data-testid=src-confirm]');
    await card.waitFor({ state: 'visible', timeout: 20000 });
    assert.equal(await card.locator('[data-testid=src-url]').innerText(), url);
    await card.locator('[data-testid=src-open]').click();
  }

  test('a host that allows CORS: the tarball loads and verifies', { timeout: T }, async () => {
    const expected = JSON.parse(fs.readFileSync(path.join(FIXTURES, `${SRC_FIXTURE}.expected.json`), 'utf8'));
    const url = `${withCors.url}${SRC_FIXTURE}`;
    const page = await session.newPage({ query: `?src=${encodeURIComponent(url)}&lang=en` });
    try {
      await confirmSrc(page, url);
      await waitReady(page, { timeout: READY });
      const layers = await app.readLayers(page);
      assert.deepEqual(layers.map((l) => l.diffId), expected.images[0].layers.map((l) => l.diff_id));
      assert.ok(layers.every((l) => l.verified === 'true'));
      assert.equal(new URL(page.url()).searchParams.get('src'), url, 'the permalink keeps src');
      assert.ok(withCors.requests.some((r) => r.path === `/${SRC_FIXTURE}` && r.status === 200));
      const others = page.pancake.foreign.filter((u) => !u.startsWith(withCors.origin));
      assert.deepEqual(others, []);
      assert.deepEqual(problemsOf(page).filter((p) => !p.includes(withCors.origin)), []);
      await shot(page, 'src-cors-ok');
    } finally {
      await page.close();
    }
  });

  for (const lang of ['en', 'id']) {
    test(`a host without CORS: a clear message that it must allow CORS (${lang})`, { timeout: T }, async () => {
      const url = `${withoutCors.url}${SRC_FIXTURE}`;
      const page = await session.newPage({ query: `?src=${encodeURIComponent(url)}&lang=${lang}` });
      try {
        await confirmSrc(page, url);
        const err = page.locator('[data-testid=error][data-kind=src]');
        await err.waitFor({ state: 'visible', timeout: 20000 });
        const text = await err.innerText();
        assert.match(text, /CORS/);
        assert.match(text, /Access-Control-Allow-Origin/);
        assert.ok(text.includes(url), 'names the URL');
        assert.deepEqual(await rawKeys(page), []);
        // The only complaint is the browser's own CORS refusal.
        const rest = problemsOf(page).filter((p) => !/CORS|Failed to fetch|ERR_FAILED|127\.0\.0\.1:\d+\/docker26/.test(p));
        assert.deepEqual(rest, []);
        await shot(page, `src-cors-missing-${lang}`);
      } finally {
        await page.close();
      }
    });
  }

  test('a missing file: the HTTP status is shown', { timeout: T }, async () => {
    const page = await session.newPage({ query: `?src=${encodeURIComponent(`${withCors.url}nope.tar`)}&lang=en` });
    try {
      await confirmSrc(page, `${withCors.url}nope.tar`);
      const err = page.locator('[data-testid=error][data-kind=src]');
      await err.waitFor({ state: 'visible', timeout: 20000 });
      assert.match(await err.innerText(), /404/);
    } finally {
      await page.close();
    }
  });
});
