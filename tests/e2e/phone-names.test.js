'use strict';
// Phone, 360 px (issue 14): the two WordPress images stay distinguishable wherever their
// names are cut (session list, diagram heads, pull/push table: a middle ellipsis keeping the
// last segment and tag), and a binary file's hex dump scrolls inside its own box, never the
// page.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { REPO, FIXTURES, openSession, pickFile, problemsOf, waitReady } = require('./lib/browser');
const app = require('./lib/app');

const READY = Number(process.env.PANCAKE_E2E_READY_MS || 45000);
const T = READY + 60000;
const SHOTS = path.join(REPO, 'target', 'screenshots', 'sizes');
const W = 360;

/** The cut names under `scope`: each one's kept tail, whether it is cut, and its box. */
async function names(page, scope) {
  return page.$$eval(`${scope} .mid-ell`, (els) => els.map((e) => {
    const tail = e.querySelector('.mid-tail');
    const r = e.getBoundingClientRect();
    // Cut when the tail overflows itself, or sticks out of the name's box or of any
    // ancestor that clips (a table cell with overflow: hidden).
    let cut = !tail || tail.scrollWidth > tail.clientWidth + 1;
    if (tail) {
      const t = tail.getBoundingClientRect();
      if (t.right > r.right + 0.5) cut = true;
      for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
        const st = getComputedStyle(a);
        if ((st.overflowX === 'hidden' || st.overflowX === 'clip') && t.right > a.getBoundingClientRect().right + 0.5) cut = true;
      }
    }
    return {
      full: e.getAttribute('title'),
      tail: tail ? tail.textContent : null,
      tailCut: cut,
      left: r.left,
      right: r.right,
      width: r.width,
    };
  }));
}

describe('phone: names and the hex dump (issue 14)', () => {
  let session;
  before(async () => { session = await openSession(); });
  after(async () => { if (session) await session.close(); });

  for (const scheme of ['light', 'dark']) {
    test(`360 px ${scheme}: the WordPress pair's names differ where they are cut`, { timeout: T }, async () => {
      const page = await session.newPage({ viewport: { width: W, height: 740 }, colorScheme: scheme, query: '?lang=en' });
      try {
        await page.locator('[data-testid=demo-wordpress-pair]').first().click();
        await waitReady(page, { timeout: READY });
        await app.openTab(page, 'shared');
        await page.waitForFunction(() => document.querySelectorAll('[data-testid=session-image]').length === 2, null, { timeout: READY });
        for (const scope of ['[data-testid=session-image]', '.dg-head', '.tr-marks th[scope=row]']) {
          const got = await names(page, scope);
          assert.equal(got.length, 2, `${scope}: two names`);
          assert.notEqual(got[0].full, got[1].full, `${scope}: two images`);
          assert.notEqual(got[0].tail, got[1].tail, `${scope}: the kept tails tell them apart`);
          for (const n of got) {
            assert.ok(!n.tailCut, `${scope}: the tail (last segment and tag) is whole: ${JSON.stringify(n)}`);
            assert.ok(n.width > 0 && n.left >= 0 && n.right <= W + 0.5, `${scope}: on screen: ${JSON.stringify(n)}`);
            // The tail keeps the tag.
            assert.ok(n.full.endsWith(n.tail.replace(/^…/, '')), `${scope}: ${n.tail} ends ${n.full}`);
          }
        }
        fs.mkdirSync(SHOTS, { recursive: true });
        await page.locator('section.transfer').first().scrollIntoViewIfNeeded();
        await page.screenshot({ path: path.join(SHOTS, `transfer-360-${scheme}.png`) });
        assert.deepEqual(problemsOf(page), []);
      } finally {
        await page.close();
      }
    });
  }

  test('360 px: a long image name and a registry export\'s long file name wrap; the page never scrolls sideways', { timeout: T }, async () => {
    // The name shown is the image's, whole (its tag is what a lesson talks about), and the
    // file's name under it: ghcr.io exports are named like this, without spaces to break at.
    const long = path.join(require('node:os').tmpdir(), 'ghcr.io_myorganisation_backend_service_2024_12_05_build_1234567.tar');
    fs.copyFileSync(path.join(FIXTURES, 'docker26-save-app1.tar'), long);
    for (const scheme of ['light', 'dark']) {
      const page = await session.newPage({ viewport: { width: W, height: 740 }, colorScheme: scheme, query: '?lang=id&demo=whiteouts' });
      try {
        await waitReady(page, { timeout: READY });
        for (const step of ['demo', 'file']) {
          if (step === 'file') {
            await pickFile(page, long);
            await page.waitForFunction(() => document.querySelector('.summary p')?.textContent.includes('ghcr.io_'), null, { timeout: READY });
            await waitReady(page, { timeout: READY });
          }
          const box = await page.evaluate(() => {
            const h1 = document.querySelector('#image-title');
            return {
              title: h1.getAttribute('title'),
              text: h1.textContent,
              clipped: h1.scrollWidth > h1.clientWidth + 1,
              right: h1.getBoundingClientRect().right,
              page: document.scrollingElement.scrollWidth,
            };
          });
          assert.equal(box.text, box.title, `${step}: the whole name is the heading's text`);
          assert.ok(!box.clipped && box.right <= W + 0.5, `${step}: the name is not cut: ${JSON.stringify(box)}`);
          assert.ok(box.page <= W, `${step}: the page is ${box.page} px wide at ${W} px`);
          await page.screenshot({ path: path.join(SHOTS, `long-names-${step}-${scheme}.png`) });
        }
        // A registry's full name in the Shared tab's picker: the select shrinks, the page
        // does not widen (it was 689 px for a 76-character ECR name). Another image than the
        // file above (Docker 20's save of app1), or the session would list the two as one.
        const ecr = path.join(require('node:os').tmpdir(), 'pancake-ecr-name.tar');
        require('node:child_process').execFileSync('python3', ['-c', `
import json, sys, tarfile, io
src, out = sys.argv[1], sys.argv[2]
with tarfile.open(src) as a, tarfile.open(out, 'w') as b:
    for m in a.getmembers():
        data = a.extractfile(m).read() if m.isfile() else None
        if m.name == 'manifest.json':
            man = json.loads(data)
            man[0]['RepoTags'] = ['123456789012.dkr.ecr.us-east-1.amazonaws.com/team/service-name:1.2.3-abcdef0']
            data = json.dumps(man).encode()
            m.size = len(data)
        b.addfile(m, io.BytesIO(data) if data is not None else None)
`, path.join(FIXTURES, 'docker20-save-app1.tar'), ecr]);
        await pickFile(page, ecr);
        await page.waitForFunction(() => document.querySelector('#image-title')?.textContent.includes('dkr.ecr'), null, { timeout: READY });
        await waitReady(page, { timeout: READY });
        await app.openTab(page, 'shared');
        await page.locator('[data-testid=pull-target]').first().scrollIntoViewIfNeeded();
        assert.match(await page.locator('[data-testid=pull-target]').first().innerText(), /dkr\.ecr\.us-east-1/);
        const wide = await page.evaluate(() => document.scrollingElement.scrollWidth);
        assert.ok(wide <= W, `Shared with a registry's full name: the page is ${wide} px wide`);
        await page.screenshot({ path: path.join(SHOTS, `long-names-shared-${scheme}.png`) });
        assert.deepEqual(problemsOf(page), []);
      } finally {
        await page.close();
      }
    }
  });

  test('360 px: a binary file\'s hex dump scrolls inside its box', { timeout: T }, async () => {
    const page = await session.newPage({ viewport: { width: W, height: 740 }, colorScheme: 'dark' });
    try {
      await pickFile(page, path.join(FIXTURES, 'docker20-save-app1.tar'));
      await waitReady(page, { timeout: READY });
      await app.openTab(page, 'stack');
      await app.selectLayer(page, 0);
      await app.openTab(page, 'files');
      await app.openFile(page, 'bin/busybox');
      const dump = page.locator('[data-testid=file-content] .content-body[data-kind=binary]').first();
      await dump.waitFor({ timeout: 10000 });
      const m = await dump.evaluate((e) => {
        const r = e.getBoundingClientRect();
        return {
          left: r.left, right: r.right, scroll: e.scrollWidth, client: e.clientWidth,
          overflowX: getComputedStyle(e).overflowX, page: document.scrollingElement.scrollWidth,
          first: e.textContent.split('\n')[0],
        };
      });
      // busybox is an ELF binary: hexdump -C's first line.
      assert.match(m.first, /^00000000 {2}7f 45 4c 46 /);
      assert.ok(m.left >= 0 && m.right <= W + 0.5, `the box fits the screen: ${JSON.stringify(m)}`);
      assert.ok(m.scroll > m.client, `the dump is wider than its box: ${JSON.stringify(m)}`);
      assert.ok(['auto', 'scroll'].includes(m.overflowX), `the box scrolls sideways: ${m.overflowX}`);
      assert.ok(m.page <= W, `the page itself does not scroll sideways: ${m.page}`);
      // It really scrolls: move it and read the new offset.
      const moved = await dump.evaluate((e) => { e.scrollLeft = 120; return e.scrollLeft; });
      assert.ok(moved > 0, 'scrollLeft moved');
      await dump.scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(SHOTS, 'hexdump-360-dark.png') });
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  for (const scheme of ['light', 'dark']) {
    test(`360 px ${scheme}: layers whose commands differ late read apart in the stack and the diagram`, { timeout: T }, async () => {
      // dive's test image: `cp /somefile.txt /root/example/somefile1.txt` (and 2, 3) as three
      // layers. Cut to one line they looked the same; two lines show each whole.
      const page = await session.newPage({ viewport: { width: W, height: 740 }, colorScheme: scheme, query: '?lang=en' });
      try {
        await pickFile(page, path.join(FIXTURES, 'fixture_dive_test-docker-image.tar'));
        await waitReady(page, { timeout: READY });
        const shown = (sel) => page.$$eval(sel, (els) => els.map((e) => ({
          text: e.textContent, whole: e.scrollHeight <= e.clientHeight + 1 && e.scrollWidth <= e.clientWidth + 1,
          lines: Math.round(e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight)),
        })));
        for (const [view, sel] of [['stack', '[data-testid=layer] .slab-text'], ['shared', '.dg-band .dg-text']]) {
          if (view === 'shared') await app.openTab(page, 'shared');
          const got = (await shown(sel)).filter((x) => /somefile\d\.txt$/.test(x.text) && x.text.startsWith('cp /somefile.txt'));
          assert.equal(got.length, 3, `${view}: three cp layers: ${JSON.stringify(got)}`);
          for (const x of got) {
            assert.ok(x.whole, `${view}: "${x.text}" is shown whole at 360 px: ${JSON.stringify(x)}`);
            assert.ok(x.lines <= 2, `${view}: at most two lines: ${JSON.stringify(x)}`);
          }
          await page.screenshot({ path: path.join(SHOTS, `commands-${view}-360-${scheme}.png`) });
        }
        assert.deepEqual(problemsOf(page), []);
      } finally {
        await page.close();
      }
    });
  }

  test('360 px: an open file whose folders are long keeps its own name in sight', { timeout: T }, async () => {
    const page = await session.newPage({ viewport: { width: W, height: 740 }, colorScheme: 'dark', query: '?lang=id' });
    try {
      await pickFile(page, path.join(FIXTURES, 'docker20-save-app1.tar'));
      await waitReady(page, { timeout: READY });
      await app.openTab(page, 'stack');
      await app.selectLayer(page, 1);
      await app.openTab(page, 'files');
      // The fixture's own path (its expected facts list it): two long folders, a long name.
      const full = JSON.stringify(JSON.parse(fs.readFileSync(path.join(FIXTURES, 'docker20-save-app1.tar.expected.json'), 'utf8')))
        .match(/data\/long-directory-name-component-a+\/another-long-component-b+\/file-with-a-very-long-name-c+\.txt/)[0];
      const dir = full.slice(0, full.lastIndexOf('/'));
      const name = full.slice(full.lastIndexOf('/') + 1);
      await app.openFile(page, full);
      const head = page.locator('[data-testid=file-content] header .content-path');
      const m = await head.evaluate((e) => {
        const tail = e.querySelector('.mid-tail');
        const t = tail.getBoundingClientRect();
        const box = e.getBoundingClientRect();
        return { tail: tail.textContent, title: e.querySelector('.mid-ell').getAttribute('title'),
          tailLeft: t.left, boxLeft: box.left, boxRight: box.right, tailRight: t.right };
      });
      // The folders are what is cut: the name starts inside the box, and the full path is the title.
      assert.equal(m.tail, name);
      assert.equal(m.title, `/${dir}/${name}`);
      assert.ok(m.tailLeft >= m.boxLeft - 0.5 && m.tailLeft < m.boxRight - 40, `the name starts in sight: ${JSON.stringify(m)}`);
      await page.screenshot({ path: path.join(SHOTS, 'open-file-long-folders-360-dark.png') });
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });
});
