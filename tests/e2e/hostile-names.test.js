'use strict';
// The page cannot be turned against its user (issue 11) and names are bytes (issue 9): the
// hostile tarball (tests/hostile/make_hostile.py: HTML and script in names, link targets,
// history, labels, env and tags; javascript: URLs; bidi overrides; terminal escapes; names
// that are not UTF-8) is shown as text everywhere — no element is made from it, no dialog
// opens, no request leaves — and the field case non-utf8-pax-name.tar lists its two Latin-1
// names as two different `\xNN` names.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const { REPO, openSession, problemsOf, dropFile, waitReady, screenshot } = require('./lib/browser');
const app = require('./lib/app');

const READY = Number(process.env.PANCAKE_E2E_READY_MS || 45000);
const T = READY + 90000;
const FIELD = path.join(REPO, '..', 'shared', 'field');

// Characters that must never reach the page as themselves (C0 but \n and \t, DEL, C1, bidi).
const HIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/u;

/** Every dialog (alert, confirm, prompt) the page opens, dismissed and counted. */
function watchDialogs(page) {
  const seen = [];
  page.on('dialog', (d) => { seen.push(`${d.type()}: ${d.message()}`); d.dismiss().catch(() => {}); });
  return seen;
}

/** Elements or handlers that the hostile strings would have made if parsed as HTML. */
async function injected(page) {
  return page.evaluate(() => {
    const bad = [];
    for (const el of document.querySelectorAll('body *')) {
      for (const a of el.getAttributeNames()) {
        if (/^on/i.test(a)) bad.push(`<${el.tagName.toLowerCase()} ${a}>`);
      }
      const href = el.getAttribute('href') || el.getAttribute('src') || '';
      if (/^\s*javascript:/i.test(href)) bad.push(`<${el.tagName.toLowerCase()} ${href}>`);
    }
    for (const el of document.querySelectorAll('body img, body iframe, body script, body object, body embed')) {
      bad.push(`<${el.tagName.toLowerCase()}> ${el.outerHTML.slice(0, 80)}`);
    }
    return bad;
  });
}

/** Open `file` in the Files view and return the text of its content (not the pane's header). */
async function fileBody(page, file) {
  await app.openFile(page, file);
  const pre = page.locator('[data-testid=file-content] pre').first();
  await pre.waitFor({ state: 'attached', timeout: 10000 });
  return pre.textContent();
}

async function visibleText(page) {
  return page.evaluate(() => document.body.innerText);
}

describe('hostile names and strings', () => {
  let session;
  let dir;
  let tarFile;
  let exp;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pancake-hostile-'));
    execFileSync('python3', [path.join(REPO, 'tests', 'hostile', 'make_hostile.py'), dir]);
    tarFile = path.join(dir, 'hostile.tar');
    exp = JSON.parse(fs.readFileSync(path.join(dir, 'hostile.expected.json'), 'utf8'));
    session = await openSession();
  });
  after(async () => {
    await session?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('every view shows the strings as text: no element, dialog or request is made from them', { timeout: T }, async () => {
    const page = await session.newPage({ query: '?lang=en' });
    const dialogs = watchDialogs(page);
    try {
      await dropFile(page, tarFile);
      await waitReady(page, { timeout: READY });

      // Stack: both layers, verified, labelled with the escaped instruction.
      const layers = await app.readLayers(page);
      assert.deepEqual(layers.map((l) => l.diffId), exp.diff_ids);
      assert.ok(layers.every((l) => l.verified === 'true'), JSON.stringify(layers));
      const heading = await page.locator('h1').first().textContent();
      assert.equal(heading, exp.tags[0], 'the page heading is the first tag, as text');
      await app.selectLayer(page, 1);
      const details = await page.locator('[data-testid=layer-details]').first().innerText();
      assert.ok(details.includes('echo "\\x1b]0;pwned\\x07\\x1b[2J" > /x && echo \\u{202e}evil\\u{202c}'), details);

      // History: created_by and comment as text, controls escaped.
      await app.openTab(page, 'history');
      const hist = (await app.readHistory(page)).map((r) => r.text).join('\n');
      assert.ok(hist.includes('<img src=x onerror=alert(7)>') || hist.includes('<img src=x onerro'), hist);
      assert.ok(hist.includes('<i>c</i>\\u{202e}'), hist);

      // Config: tags, env, labels, cmd, workdir as text.
      await app.openTab(page, 'config');
      const cfg = await page.locator('[data-testid=config]').first().innerText();
      for (const want of [exp.tags[0], 'rtl\\u{202e}gnp:1', exp.env[0], 'BELL=\\x07\\x1b[31m', 'RTL=\\u{202e}abc',
        '<script>alert(9)</script>', 'javascript:alert(10)', 'org.example.rtl\\u{202e}', '\\x1b[2Jcleared',
        '<img src=x onerror=alert(11)>', '/<u>w</u>']) {
        assert.ok(cfg.includes(want), `config shows ${want}:\n${cfg}`);
      }

      // Files of layer 0: every name in the escaped form, link target as text.
      await app.openTab(page, 'stack');
      await app.selectLayer(page, 0);
      await app.openTab(page, 'files');
      await app.expandAllRows(page);
      const rows = await app.readFileRows(page);
      assert.deepEqual(rows.map((r) => r.rawPath).sort(), exp.layer0_names);
      const listText = await page.locator('[data-testid=file-list]').first().innerText();
      assert.ok(listText.includes(`→ ${exp.link_target}`), listText);
      await screenshot(page, 'hostile-files');

      // Content: heading and body as text.
      const body = await fileBody(page, exp.names.xss);
      assert.ok(body.includes('<script>alert(4)</script>'), body);
      // (The path is cut in the middle on a narrow screen, folders and name in two boxes: its
      // text, not its laid-out lines, and the whole path as its title.)
      const path = page.locator('[data-testid=file-content] header .content-path').first();
      const head = await path.textContent();
      assert.ok(head.includes(`/${exp.names.xss}`), head);
      assert.equal(await path.locator('.mid-ell').getAttribute('title'), `/${exp.names.xss}`);
      await page.keyboard.press('Escape');
      const term = await fileBody(page, exp.names.term);
      assert.equal(term.trim(), '\\x1b]0;pwned\\x07\\x1b[2J');
      await page.keyboard.press('Escape');

      // Layer 1 (its changes): the whiteout of javascript:alert(1) is a deletion.
      await app.openTab(page, 'stack');
      await app.selectLayer(page, 1);
      await app.openTab(page, 'files');
      const changes = await app.readFileRows(page);
      assert.ok(changes.some((r) => r.rawPath === exp.names.js && r.change === 'deleted'), JSON.stringify(changes));

      // Nothing raw anywhere, nothing made, nothing fetched, no dialog.
      for (const tab of ['stack', 'files', 'history', 'config']) {
        await app.openTab(page, tab);
        const text = await visibleText(page);
        assert.equal(HIDDEN.exec(text), null, `${tab}: a raw control or bidi character in the page text`);
        assert.deepEqual(await injected(page), [], `${tab}: elements made from the file`);
      }
      assert.deepEqual(dialogs, [], 'no dialog opened');
      const odd = session.server.requests.filter((r) => /alert|onerror|\/x$|javascript/i.test(decodeURIComponent(r.path)));
      assert.deepEqual(odd, [], 'no request made from a string of the file');
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  test('container editor and diff: escaped names name the same file', { timeout: T }, async () => {
    const page = await session.newPage({ query: '?lang=en' });
    const dialogs = watchDialogs(page);
    try {
      await page.evaluate(() => new Promise((resolve) => {
        const q = indexedDB.deleteDatabase('pancake');
        q.onsuccess = q.onerror = q.onblocked = () => resolve();
      }));
      await dropFile(page, tarFile);
      await waitReady(page, { timeout: READY });
      await app.openTab(page, 'container');
      await page.locator('[data-testid=run-container]').first().click();
      await page.locator('[data-testid=container-file-list]').first().waitFor({ state: 'visible', timeout: 15000 });
      const paths = await page.locator('[data-testid=container-file-row]').evaluateAll((els) => els.map((e) => e.getAttribute('data-path')));
      // Three names that differ only as bytes (é in Latin-1, è in Latin-1, a literal `\xe9`).
      for (const k of ['latin_e_acute', 'latin_e_grave', 'backslash', 'rtl', 'xss']) {
        assert.ok(paths.includes(`/${exp.names[k]}`), `${exp.names[k]} in ${JSON.stringify(paths)}`);
      }
      const sizes = { latin_e_acute: 'A'.repeat(10), latin_e_grave: 'B'.repeat(21), backslash: 'C'.repeat(32) };
      for (const [k, content] of Object.entries(sizes)) {
        const file = `/${exp.names[k]}`;
        await page.locator('[data-testid=container-filter]').first().fill('caf');
        await page.waitForTimeout(200);
        const rowsNow = page.locator('[data-testid=container-file-row]');
        const at = (await rowsNow.evaluateAll((els) => els.map((e) => e.getAttribute('data-path')))).indexOf(file);
        assert.ok(at >= 0, `no container row ${file}`);
        await rowsNow.nth(at).click();
        const editor = page.locator('[data-testid=file-editor]').first();
        await editor.waitFor({ state: 'visible', timeout: 15000 });
        await page.waitForFunction(() => {
          const e = document.querySelector('[data-testid=file-editor]');
          return e && e.value.length > 0;
        }, null, { timeout: 10000 });
        assert.equal((await editor.inputValue()).trim(), content, `${file} opens its own bytes`);
        const heading = await page.locator('[data-testid=container-editor] h3').first().textContent();
        assert.equal(heading, file);
      }
      // Edit the last one opened (a literal backslash in its name): docker diff names it in
      // the same escaped form.
      await page.locator('[data-testid=file-editor]').first().fill('changed\n');
      await page.locator('[data-testid=save-file]').first().click();
      await page.locator('[data-testid=diff-line]').first().waitFor({ state: 'visible', timeout: 10000 });
      const diff = await page.locator('[data-testid=diff-line]').allTextContents();
      assert.ok(diff.includes(`C /${exp.names.backslash}`), JSON.stringify(diff));
      assert.equal(HIDDEN.exec(await visibleText(page)), null);
      assert.deepEqual(await injected(page), []);
      assert.deepEqual(dialogs, []);
      await screenshot(page, 'hostile-container');
    } finally {
      await page.close();
    }
  });

  test('screenshots: light and dark, wide and 360 px', { timeout: T }, async () => {
    for (const colorScheme of ['light', 'dark']) {
      for (const viewport of [{ width: 1280, height: 800 }, { width: 360, height: 740 }]) {
        const page = await session.newPage({ query: '?lang=en', colorScheme, viewport });
        try {
          await dropFile(page, tarFile);
          await waitReady(page, { timeout: READY });
          const tag = `hostile-${colorScheme}-${viewport.width}`;
          await app.openTab(page, 'config');
          await screenshot(page, `${tag}-config`);
          await app.openTab(page, 'history');
          await screenshot(page, `${tag}-history`);
          await app.openTab(page, 'stack');
          await app.selectLayer(page, 0);
          await app.openTab(page, 'files');
          await screenshot(page, `${tag}-files`);
        } finally {
          await page.close();
        }
      }
    }
  });
});

describe('names that are not UTF-8 (field case non-utf8-pax-name)', () => {
  let session;
  before(async () => { session = await openSession(); });
  after(async () => { await session?.close(); });

  test('the two Latin-1 names are listed as two different \\xNN names', { timeout: T }, async () => {
    const exp = JSON.parse(fs.readFileSync(path.join(FIELD, 'non-utf8-pax-name.expected.json'), 'utf8'));
    const page = await session.newPage({ query: '?lang=en' });
    try {
      await dropFile(page, path.join(FIELD, 'non-utf8-pax-name.tar'));
      await waitReady(page, { timeout: READY });
      await app.selectLayer(page, 0);
      await app.openTab(page, 'files');
      await app.expandAllRows(page);
      const rows = await app.readFileRows(page);
      assert.deepEqual(rows.map((r) => r.rawPath).sort(), [...exp.names_layer0_escaped].sort());
      const shown = await page.locator('[data-testid=file-row] .file-name').allInnerTexts();
      assert.ok(shown.some((t) => t.includes('caf\\xe9.txt')) && shown.some((t) => t.includes('caf\\xe8.txt')), JSON.stringify(shown));
      // The content pane's heading names the file it opened.
      const text = await fileBody(page, 'data/caf\\xe8.txt');
      assert.equal(text.trim(), 'B'.repeat(21));
      assert.ok((await page.locator('[data-testid=file-content] header .content-path').first().textContent()).includes('/data/caf\\xe8.txt'));
      await page.keyboard.press('Escape');
      // Merged at the top: the whiteout removed only caf\xe9.txt.
      await app.openTab(page, 'stack');
      await app.selectLayer(page, 1);
      await app.openTab(page, 'files');
      await page.locator('[data-testid=files-merged]').first().click();
      await app.expandAllRows(page);
      const merged = (await app.readFileRows(page)).map((r) => r.rawPath).sort();
      assert.deepEqual(merged, Object.keys(exp.merged[0].present).concat(['data']).sort());
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });
});
