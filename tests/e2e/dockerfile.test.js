'use strict';
// The Dockerfile beside the history table (issue 14): read back from history for the demos
// and real fixtures (Docker 20 classic builder, Docker 26 BuildKit, buildah via podman's
// docker-archive and oci-archive), each instruction selecting its layer, in both languages.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { FIXTURES, REPO, openSession, problemsOf, pickFile, waitReady } = require('./lib/browser');
const app = require('./lib/app');

const READY = Number(process.env.PANCAKE_E2E_READY_MS || 45000);
const T = READY + 45000;
const SHOTS = path.join(REPO, 'target', 'screenshots', 'dockerfile');

async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** The Dockerfile as shown: the FROM line, then per instruction its text and its link. */
async function readDockerfile(page) {
  await page.locator('[data-testid=dockerfile]').waitFor({ state: 'visible', timeout: 10000 });
  const from = (await page.locator('[data-testid=df-from] .df-text').innerText()).trim();
  const lines = await page.$$eval('[data-testid=df-line]', (els) => els.map((e) => ({
    text: e.querySelector('.df-text').innerText.trim(),
    link: e.querySelector('[data-testid=df-link]').innerText.trim(),
    layer: e.getAttribute('data-layer'),
  })));
  return { from, lines };
}

async function openDemo(page, name) {
  await page.locator(`[data-testid=demo-${name}]`).first().click();
  await waitReady(page, { timeout: READY });
  await app.openTab(page, 'history');
}

describe('Dockerfile view', () => {
  let session;
  before(async () => { session = await openSession(); });
  after(async () => { if (session) await session.close(); });

  test('mysql demo: the chapter exercise, click selects the layer, copy gives the plain text', { timeout: T }, async () => {
    const page = await session.newPage({ viewport: { width: 1280, height: 800 }, query: '?lang=en' });
    try {
      await openDemo(page, 'mysql');
      const df = await readDockerfile(page);
      assert.equal(df.from, 'FROM debian:bookworm-slim');
      assert.equal(df.lines.length, 18);
      assert.equal(df.lines[0].text, 'RUN groupadd -r mysql \\\n    && useradd -r -g mysql mysql');
      assert.equal(df.lines[0].link, 'layer 2');
      assert.equal(df.lines[2].text, 'ENV GOSU_VERSION=1.16');
      assert.equal(df.lines[2].link, 'settings only');
      assert.equal(df.lines.at(-1).text, 'CMD ["mysqld"]');
      assert.equal(df.lines.filter((l) => l.link === 'settings only').length, 8);
      // Layers 2..11 (1-based on the page), each once, bottom to top.
      assert.deepEqual(df.lines.filter((l) => l.layer !== null).map((l) => l.link),
        Array.from({ length: 10 }, (_, i) => `layer ${i + 2}`));
      // The history table beside it: the same 20 steps (the base's two included), 9 without a layer.
      const rows = await app.readHistory(page);
      assert.equal(rows.length, 20);
      assert.equal(rows.filter((r) => r.emptyLayer).length, 9);
      // Both visible at once on a wide screen: side by side.
      const a = await page.locator('[data-testid=dockerfile]').boundingBox();
      const b = await page.locator('[data-testid=history-table]').boundingBox();
      assert.ok(a.x + a.width <= b.x + 1, `Dockerfile (${a.x}+${a.width}) is left of the table (${b.x})`);
      // Click the RUN that made layer index 5 (the 6th): it and its history row are marked.
      const run = page.locator('[data-testid=df-line][data-layer="5"] button');
      assert.match(await run.innerText(), /^RUN set -eux;/);
      await run.click();
      await page.locator('[data-testid=df-line][data-layer="5"].selected').waitFor({ timeout: 5000 });
      assert.equal(await run.getAttribute('aria-pressed'), 'true');
      assert.equal(await page.locator('[data-testid=history-row].selected').count(), 1);
      assert.equal(await page.locator('[data-testid=history-row].selected').getAttribute('data-layer'), '5');
      await shot(page, 'mysql-en-1280-light');
      // The stack shows the same layer selected.
      await app.openTab(page, 'stack');
      await page.locator('[data-testid=layer][data-index="5"].selected').waitFor({ timeout: 5000 });
      assert.match(await app.layerDetailsText(page), /Layer6of11/);
      // Copy: the plain Dockerfile, the FROM line first, no page annotations.
      await app.openTab(page, 'history');
      const copyButton = page.locator('[data-testid=dockerfile] button.copy');
      // Its name says what it copies, not the whole Dockerfile read aloud.
      assert.equal(await copyButton.getAttribute('aria-label'), 'Copy the Dockerfile');
      const label = await copyButton.getAttribute('data-copy');
      assert.ok(label.startsWith('FROM debian:bookworm-slim\nRUN groupadd -r mysql \\\n'), label);
      assert.ok(label.endsWith('CMD ["mysqld"]\n'), label);
      assert.doesNotMatch(label, /settings only|layer \d/);
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  test('mysql demo in Bahasa Indonesia, phone and dark: stacked, translated links', { timeout: T }, async () => {
    const page = await session.newPage({ viewport: { width: 360, height: 740 }, colorScheme: 'dark', query: '?lang=id' });
    try {
      await openDemo(page, 'mysql');
      const df = await readDockerfile(page);
      assert.equal(df.from, 'FROM debian:bookworm-slim');
      assert.equal(df.lines[2].link, 'hanya pengaturan');
      assert.equal(df.lines[0].link, 'layer 2');
      assert.match(await page.locator('[data-testid=dockerfile] p').first().innerText(), /dibaca kembali dari history/);
      // Stacked: the Dockerfile above the table, nothing wider than the screen.
      const a = await page.locator('[data-testid=dockerfile]').boundingBox();
      const b = await page.locator('[data-testid=history-table]').boundingBox();
      assert.ok(a.y + a.height <= b.y + 1, 'Dockerfile above the history table');
      assert.ok(a.x >= 0 && a.x + a.width <= 361, `Dockerfile fits: ${a.x}+${a.width}`);
      await page.locator('[data-testid=df-line][data-layer="1"] button').click();
      await page.locator('[data-testid=history-row].selected[data-layer="1"]').waitFor({ timeout: 5000 });
      await shot(page, 'mysql-id-360-dark');
      assert.deepEqual(problemsOf(page), []);
    } finally {
      await page.close();
    }
  });

  for (const [demo, first] of [
    ['nginx', 'LABEL maintainer=NGINX Docker Maintainers <docker-maint@nginx.com>'],
    ['whiteouts', 'COPY app/ /app/'],
  ]) {
    test(`${demo} demo: FROM names the base, first instruction`, { timeout: T }, async () => {
      const page = await session.newPage({ query: '?lang=en' });
      try {
        await openDemo(page, demo);
        const df = await readDockerfile(page);
        assert.equal(df.from, 'FROM debian:bookworm-slim');
        assert.equal(df.lines[0].text, first);
        assert.deepEqual(problemsOf(page), []);
      } finally {
        await page.close();
      }
    });
  }

  const app1 = (copy, expose) => [
    'LABEL org.example.test=sa-corpus org.example.variant=app1',
    'ENV APP_MODE=test LANG=C.UTF-8',
    copy,
    'RUN echo "modified" >> /data/hello.txt',
    'RUN rm /data/b.txt',
    'RUN rm -rf /data/dir \\\n    && mkdir /data/dir \\\n    && echo new > /data/dir/new.txt',
    'RUN ln -s /data/hello.txt /data/hello.symlink \\\n    && ln /data/hello.txt /data/hello.hardlink \\\n    && ln -s ../nonexistent /data/dangling',
    expose,
    'WORKDIR /data',
    'CMD ["/bin/sh", "-c", "cat /data/hello.txt"]',
  ];
  const cases = [
    ['docker20-save-app1.tar', 'FROM <base image, 1 layer>', ['CMD ["/bin/sh"]', ...app1('COPY dir:42dbee6175e8… /data/', 'EXPOSE 8080')]],
    ['docker26-save-app1.tar', 'FROM <base image, 1 layer>', ['CMD ["/bin/sh"]', ...app1('COPY files/ /data/', 'EXPOSE 8080/tcp')]],
    ['podman-docker-archive-app1.tar', 'FROM localhost/sa-base:1', app1('COPY dir:88e9c2ce4cff… /data/', 'EXPOSE 8080')
      .map((l) => l.startsWith('LABEL') ? 'LABEL org.example.test="sa-corpus" org.example.variant="app1"' : l)],
    ['podman-oci-archive-app1.tar', 'FROM localhost/sa-base:1', app1('COPY dir:88e9c2ce4cff… /data/', 'EXPOSE 8080')
      .map((l) => l.startsWith('LABEL') ? 'LABEL org.example.test="sa-corpus" org.example.variant="app1"' : l)],
  ];
  for (const [name, from, texts] of cases) {
    test(`fixture ${name}: the recipe read back`, { timeout: T }, async () => {
      const page = await session.newPage({ viewport: { width: 1280, height: 800 }, query: '?lang=en' });
      try {
        await pickFile(page, path.join(FIXTURES, name));
        await waitReady(page, { timeout: READY });
        await app.openTab(page, 'history');
        const df = await readDockerfile(page);
        assert.equal(df.from, from);
        assert.deepEqual(df.lines.map((l) => l.text), texts);
        // Every layer above the base is linked exactly once.
        const linked = df.lines.filter((l) => l.layer !== null).map((l) => Number(l.layer));
        const total = name.startsWith('docker26') ? 7 : 6;
        assert.deepEqual(linked, Array.from({ length: total - 1 }, (_, i) => i + 1));
        assert.deepEqual(problemsOf(page), []);
      } finally {
        await page.close();
      }
    });
  }

  for (const lang of ['en', 'id']) {
    test(`whiteouts demo: a deleting layer says what it hides and that nothing was freed (${lang})`, { timeout: T }, async () => {
      const page = await session.newPage({ viewport: { width: 1280, height: 800 }, query: `?lang=${lang}` });
      try {
        await page.locator('[data-testid=demo-whiteouts]').first().click();
        await waitReady(page, { timeout: READY });
        // Layer index 1 (COPY app/) deletes nothing: no such row.
        await app.selectLayer(page, 1);
        await page.locator('[data-testid=layer-details]').waitFor({ state: 'visible' });
        assert.equal(await page.locator('[data-testid=hidden-bytes]').count(), 0);
        // Layer index 2 (RUN rm old-readme && rm -rf cache): whiteout + opaque directory.
        await app.selectLayer(page, 2);
        const row = page.locator('[data-testid=hidden-bytes]');
        await row.waitFor({ state: 'visible', timeout: 5000 });
        const hidden = Number(await row.getAttribute('data-bytes'));
        // old-readme.txt (57 B) + cache/page-1.html + page-2.html + index.bin, as layer 1 stores them.
        assert.ok(hidden > 10000, `hidden ${hidden}`);
        const text = await row.innerText();
        if (lang === 'en') {
          assert.match(text, /of lower layers/);
          assert.match(text, /did not get any smaller/);
          assert.match(text, /RUN rm in a later step frees nothing/);
        } else {
          assert.match(text, /dari layer di bawahnya/);
          assert.match(text, /tidak menjadi lebih kecil/);
        }
        await shot(page, `whiteouts-hidden-${lang}-1280`);
        assert.deepEqual(problemsOf(page), []);
      } finally {
        await page.close();
      }
    });
  }

  test('buildah fixture: the base layer has no recorded step and the pairing rule is said', { timeout: T }, async () => {
    for (const lang of ['en', 'id']) {
      const page = await session.newPage({ viewport: { width: 1280, height: 800 }, query: `?lang=${lang}` });
      try {
        await pickFile(page, path.join(FIXTURES, 'podman-docker-archive-app1.tar'));
        await waitReady(page, { timeout: READY });
        await app.openTab(page, 'history');
        await readDockerfile(page);
        const note = await page.locator('[data-testid=df-pairing]').innerText();
        const base = await page.locator('[data-testid=df-from] [data-testid=df-link]').innerText();
        // The History table pairs as docker history does, which differs here: said, and
        // the rows that differ marked.
        const differs = await page.locator('[data-testid=history-pairing-differs]').innerText();
        assert.match(differs, lang === 'en' ? /as docker history does/ : /seperti docker history/);
        const marked = await page.locator('[data-testid=history-row][data-pairing-differs=true]').evaluateAll((rs) => rs.map((r) => r.dataset.layer ?? 'none'));
        // docker history gives layer 0's size to the oldest non-empty step (a CMD the Stack
        // pairs with no layer); the Stack gives layer 0 no step.
        assert.deepEqual(marked, ['0'], `rows marked ${JSON.stringify(marked)}`);
        // Every one of the 12 steps is drawn in the Stack: 5 pair with layers 2 to 6 (the base
        // layer has none), and the other 7 are ticks, the CMD paired with no layer among
        // them, marked ≠.
        await app.openTab(page, 'stack');
        const ticks = await page.locator('[data-testid=metadata-step]').evaluateAll((ts) => ts.map((t) => [t.dataset.history, t.dataset.unpaired ?? '']));
        assert.equal(await page.locator('[data-testid=layer]').count(), 6);
        assert.equal(ticks.length, 7, `ticks ${JSON.stringify(ticks)}`);
        assert.deepEqual(ticks.filter(([, u]) => u === 'true').map(([h]) => h), ['1']);
        await app.openTab(page, 'history');
        if (lang === 'en') {
          assert.match(note, /paired from the top/);
          assert.match(note, /layer 1 has no recorded step \(base image\)/);
          // This history has as many layer-making steps as layers (one of them, a CMD, holds
          // no files and pairs with none: the problem says so), so the note claims no count.
          assert.match(note, /^Not every layer has a history step that made it/);
          assert.match(base, /no recorded step \(base image\)/);
        } else {
          assert.match(note, /dipasangkan dari atas/);
          assert.match(base, /tidak ada langkah tercatat \(base image\)/);
        }
      } finally {
        await page.close();
      }
    }
    // A history that lines up one to one says nothing about pairing.
    const page = await session.newPage({ query: '?lang=en' });
    try {
      await pickFile(page, path.join(FIXTURES, 'docker20-save-app1.tar'));
      await waitReady(page, { timeout: READY });
      await app.openTab(page, 'history');
      await readDockerfile(page);
      assert.equal(await page.locator('[data-testid=df-pairing]').count(), 0);
      assert.equal(await page.locator('[data-testid=history-pairing-differs]').count(), 0);
      assert.equal(await page.locator('[data-testid=history-row][data-pairing-differs]').count(), 0);
    } finally {
      await page.close();
    }
  });

  for (const scheme of ['light', 'dark']) {
    test(`screenshots: mysql Dockerfile, ${scheme}, 1280 and 360`, { timeout: T }, async () => {
      for (const [w, h, lang] of [[1280, 800, 'en'], [360, 740, 'id']]) {
        const page = await session.newPage({ viewport: { width: w, height: h }, colorScheme: scheme, query: `?lang=${lang}` });
        try {
          await openDemo(page, 'mysql');
          await readDockerfile(page);
          await shot(page, `mysql-${lang}-${w}-${scheme}-shot`);
        } finally {
          await page.close();
        }
      }
    });
  }
});
