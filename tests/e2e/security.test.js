'use strict';
// The page's own defences (issue 11): a Content-Security-Policy without 'unsafe-inline' for
// scripts (Trunk's loader is allowed by its hash, written at build time by
// scripts/csp_hashes.py) and connections only to the page's origin and https hosts; and a
// `?src=` on another origin is not fetched until the person confirms, on a card that shows
// the whole URL as text.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const { DIST, FIXTURES, openSession, problemsOf, waitReady, screenshot } = require('./lib/browser');
const { fakeHost } = require('./lib/server');
const app = require('./lib/app');

const READY = Number(process.env.PANCAKE_E2E_READY_MS || 45000);
const T = READY + 60000;
const SRC_FIXTURE = 'docker26-save-app1.tar';
const HOST = 'https://files.pancake.test';

function cspOf(html) {
  const m = html.match(/http-equiv="Content-Security-Policy"\s+content="([^"]*)"/);
  assert.ok(m, 'index.html has a CSP meta tag');
  return Object.fromEntries(m[1].split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([k, ...v]) => [k, v]));
}

describe('Content-Security-Policy', () => {
  let session;
  before(async () => { session = await openSession(); });
  after(async () => { await session?.close(); });

  test('scripts by origin and hash only; connections to the page and https', () => {
    const html = fs.readFileSync(path.join(DIST, 'index.html'), 'utf8');
    const csp = cspOf(html);
    assert.ok(!csp['script-src'].includes("'unsafe-inline'"), csp['script-src'].join(' '));
    assert.ok(!csp['script-src'].includes("'unsafe-eval'"));
    assert.deepEqual(csp['connect-src'], ["'self'", 'https:']);
    // Every inline script of the built page is allowed by exactly its own hash.
    const inline = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)].filter((m) => !/\bsrc\s*=/.test(m[1]));
    assert.ok(inline.length >= 1, 'Trunk wrote its inline loader');
    for (const m of inline) {
      const h = `'sha256-${crypto.createHash('sha256').update(m[2], 'utf8').digest('base64')}'`;
      assert.ok(csp['script-src'].includes(h), `${h} in script-src`);
    }
  });

  test('an injected inline script is blocked, the app still works', { timeout: T }, async () => {
    const page = await session.newPage({ query: '?lang=en' });
    try {
      const violations = await page.evaluate(async () => {
        const seen = [];
        document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
        const s = document.createElement('script');
        s.textContent = 'window.__pwned = 1;';
        document.body.appendChild(s);
        const a = document.createElement('a');
        a.href = 'javascript:window.__pwned2 = 1';
        document.body.appendChild(a);
        a.click();
        try { await fetch('http://example.invalid/x'); } catch { /* blocked */ }
        await new Promise((r) => setTimeout(r, 300));
        return { seen, pwned: window.__pwned, pwned2: window.__pwned2 };
      });
      assert.equal(violations.pwned, undefined, 'the inline script did not run');
      assert.equal(violations.pwned2, undefined, 'the javascript: link did not run');
      assert.ok(violations.seen.some((v) => v.startsWith('script-src')), JSON.stringify(violations.seen));
      assert.ok(violations.seen.some((v) => v.startsWith('connect-src')), JSON.stringify(violations.seen));
      // The app loaded under this policy and reads an image.
      await page.locator('[data-testid=demo-nginx]').first().click();
      await waitReady(page, { timeout: READY });
      assert.ok((await app.readLayers(page)).length > 0);
      const rest = problemsOf(page).filter((p) => !/Content Security Policy|example\.invalid/.test(p));
      assert.deepEqual(rest, []);
    } finally {
      await page.close();
    }
  });
});

describe('?src= asks before it fetches from another origin', () => {
  let session;
  let host;
  before(async () => {
    session = await openSession({ allowOrigins: [HOST] });
    host = await fakeHost(session.ctx, HOST, FIXTURES, { cors: true });
  });
  after(async () => { await session?.close(); });

  test('the card shows the whole URL as text; nothing is fetched until Open', { timeout: T }, async () => {
    const url = `${HOST}/${SRC_FIXTURE}?x=<img src=y onerror=alert(1)>&rtl=\u202egnp`;
    const page = await session.newPage({ query: `?src=${encodeURIComponent(url)}&lang=en` });
    const dialogs = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
    try {
      const card = page.locator('[data-testid=src-confirm]');
      await card.waitFor({ state: 'visible', timeout: 20000 });
      assert.equal(await card.locator('[data-testid=src-url]').innerText(), url.replace('\u202e', '\\u{202e}'));
      assert.ok((await card.innerText()).includes('files.pancake.test'));
      await page.waitForTimeout(500);
      assert.deepEqual(host.requests, [], 'nothing fetched before the person said yes');
      assert.equal(await page.locator('[data-testid=src-confirm] img').count(), 0);
      for (const scheme of ['light', 'dark']) {
        await page.emulateMedia({ colorScheme: scheme });
        await screenshot(page, `src-confirm-${scheme}-wide`);
        await page.setViewportSize({ width: 360, height: 740 });
        await screenshot(page, `src-confirm-${scheme}-360`);
        await page.setViewportSize({ width: 1280, height: 800 });
      }
      await card.locator('[data-testid=src-open]').click();
      await waitReady(page, { timeout: READY });
      assert.equal(host.requests.length, 1);
      assert.equal(host.requests[0].path, `/${SRC_FIXTURE}`);
      assert.equal(await card.count(), 0, 'the card is gone');
      assert.deepEqual(dialogs, []);
    } finally {
      await page.close();
    }
  });

  test('Cancel: nothing is fetched and the link forgets the URL (Bahasa Indonesia)', { timeout: T }, async () => {
    const before = host.requests.length;
    const url = `${HOST}/${SRC_FIXTURE}`;
    const page = await session.newPage({ query: `?src=${encodeURIComponent(url)}&lang=id` });
    try {
      const card = page.locator('[data-testid=src-confirm]');
      await card.waitFor({ state: 'visible', timeout: 20000 });
      const text = await card.innerText();
      assert.match(text, /situs lain/);
      assert.match(await card.locator('[data-testid=src-cancel]').innerText(), /Batal/);
      await card.locator('[data-testid=src-cancel]').click();
      await card.waitFor({ state: 'detached', timeout: 5000 });
      await page.waitForTimeout(300);
      assert.equal(host.requests.length, before);
      assert.equal(new URL(page.url()).searchParams.get('src'), null);
      await screenshot(page, 'src-confirm-cancelled-id');
    } finally {
      await page.close();
    }
  });

  test('same origin loads directly, without a card', { timeout: T }, async () => {
    // A tarball on the page's own origin (answered in the context, like a file beside dist/).
    await session.ctx.route(`${session.server.origin}/same-origin.tar`, (route) => route.fulfill({
      status: 200, headers: { 'Content-Type': 'application/x-tar' }, body: fs.readFileSync(path.join(FIXTURES, SRC_FIXTURE)),
    }));
    const page = await session.newPage({ query: `?src=${encodeURIComponent('./same-origin.tar')}&lang=en` });
    try {
      await waitReady(page, { timeout: READY });
      assert.equal(await page.locator('[data-testid=src-confirm]').count(), 0);
      assert.ok((await app.readLayers(page)).every((l) => l.verified === 'true'));
    } finally {
      await page.close();
    }
  });

  test('plain http to another origin is refused by the policy even when confirmed', { timeout: T }, async () => {
    const url = 'http://plain.pancake.test/image.tar';
    const page = await session.newPage({ query: `?src=${encodeURIComponent(url)}&lang=en` });
    try {
      await page.locator('[data-testid=src-open]').click({ timeout: 20000 });
      const err = page.locator('[data-testid=error][data-kind=src]');
      await err.waitFor({ state: 'visible', timeout: 20000 });
      assert.match(await err.innerText(), /https/);
      assert.ok(!page.pancake.requests.some((u) => u.startsWith('http://plain.pancake.test')), 'no request left the page');
    } finally {
      await page.close();
    }
  });
});
