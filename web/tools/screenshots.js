// Screenshots of every view for review: node web/tools/screenshots.js [base-url]
// Light and dark, 1280×800 and 360×740; saved under target/screenshots/.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require(path.join(__dirname, '../../node_modules/playwright-core'));

const BASE = process.argv[2] || 'http://127.0.0.1:8080/';
const OUT = path.join(__dirname, '../../target/screenshots');
const FIXTURES = process.env.PANCAKE_FIXTURES || path.join(__dirname, '../../../shared/fixtures');

(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  const ctx = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(os.tmpdir(), 'pw-')), {
    executablePath: '/usr/bin/chromium', headless: true, timeout: 30000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage'] });
  const errors = [];
  const only = process.env.ONLY ? process.env.ONLY.split(',') : null;
  for (const scheme of ['light', 'dark']) {
    for (const [w, h] of [[1280, 800], [360, 740]]) {
      const tag = `${w}-${scheme}`;
      if (only && !only.includes(tag)) continue;
      const page = await ctx.newPage();
      page.on('console', (m) => { if (m.type() === 'error') errors.push(`${tag}: ${m.text()}`); });
      page.on('pageerror', (e) => errors.push(`${tag}: ${e.message}`));
      await page.setViewportSize({ width: w, height: h });
      await page.emulateMedia({ colorScheme: scheme });
      const shot = async (name, full = true) => {
        await page.waitForTimeout(150);
        await page.screenshot({ path: path.join(OUT, `${name}-${tag}.png`), fullPage: full });
      };
      await page.goto(BASE);
      await page.waitForSelector('[data-testid=drop-zone]');
      await shot('start');
      // The nginx demo, through the same worker path as a dropped file.
      await page.click('[data-testid=demo-nginx]');
      await page.waitForSelector('[data-testid=image-ready]', { timeout: 20000 });
      await page.locator('[data-testid=layer]').last().click();
      await shot('stack-nginx');
      // A real docker save.
      await page.setInputFiles('[data-testid=file-input]', path.join(FIXTURES, 'docker26-save-app1.tar'));
      await page.waitForSelector('[data-testid=image-ready]', { timeout: 20000 });
      await shot('stack-app1');
      // Layer 2 (COPY files/ /data/) has files to show.
      await page.click('[data-testid=layer][data-index="1"]');
      await page.click('[data-testid=layer-details] button.button');
      await page.waitForSelector('[data-testid=file-row]');
      await shot('files-app1', false);
      await page.click('[data-testid=files-merged]');
      await shot('files-merged-app1', false);
      const file = page.locator('[data-testid=file-row].openable').first();
      if (await file.count()) {
        await file.click();
        await page.waitForSelector('[data-testid=file-content] pre');
        await shot('content-app1', false);
        await page.keyboard.press('Escape');
      }
      await page.click('[data-testid=tab-history]');
      await shot('history-app1');
      await page.click('[data-testid=tab-config]');
      await shot('config-app1');
      // Several images: the picker.
      await page.setInputFiles('[data-testid=file-input]', path.join(FIXTURES, 'docker26-save-multi-app1-app2-app3.tar'));
      await page.waitForSelector('[data-testid=image-ready]', { timeout: 20000 });
      await page.click('[data-testid=tab-stack]');
      await page.locator('[data-testid=image-option]').nth(1).click();
      await shot('picker-multi');
      // A flipped byte: ✗ with both digests.
      await page.setInputFiles('[data-testid=file-input]', path.join(FIXTURES, 'malformed-corrupt-layer-byte-docker20.tar'));
      await page.waitForSelector('[data-testid=image-ready]', { timeout: 20000 });
      await page.click('[data-testid=layer][data-index="1"]');
      await shot('mismatch');
      // Broken metadata: the error, and the start page below it.
      await page.setInputFiles('[data-testid=file-input]', path.join(FIXTURES, 'malformed-manifest-invalid-json.tar'));
      await page.waitForSelector('[data-testid=error]', { timeout: 20000 });
      await shot('error');
      await page.close();
    }
  }
  await ctx.close();
  if (errors.length) { console.log('console errors:\n' + errors.join('\n')); process.exitCode = 1; }
  console.log('screenshots in', OUT);
})().catch((e) => { console.error(e); process.exit(1); });
