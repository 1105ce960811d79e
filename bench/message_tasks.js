'use strict';
// Which worker messages the page's main thread was handling in each long task: opens FILE in
// the built page (dist/, or PANCAKE_DIST) in headless Chromium, times the handler of every
// message a worker posts to the page and notes every message the page posts to a worker, and
// prints, for each task over 50 ms (`longtask` observer) from the pick until 0.8 s after
// "verified" (`image-ready`), the messages handled inside it (those on a worker's own
// `onmessage`; a `MessagePort`'s are not seen): when (ms since navigation), the first characters of the
// message's JSON, its length in characters, and the handler's own time in ms. A task much
// longer than its handlers is the page's own work after them (a render, a timer).
// `--runs N` opens the file N times (a fresh page each) and ends with each run's longest task.
//
// usage: node bench/message_tasks.js FILE [--runs N]
// (the 20,002-layer hostile case: `python3 tests/hostile/generate.py DIR --only many-layers`)
const { openSession, pickFile, waitReady } = require('../tests/e2e/lib/browser');

/** Page-side hooks: each worker message's handler timed, each posted message noted. */
function hook() {
  window.__messages = [];
  const text = (m) => (m && typeof m.msg === 'string' ? m.msg : '');
  const desc = Object.getOwnPropertyDescriptor(Worker.prototype, 'onmessage');
  Object.defineProperty(Worker.prototype, 'onmessage', {
    configurable: true,
    get() {
      return desc.get.call(this);
    },
    set(h) {
      if (typeof h !== 'function') return desc.set.call(this, h);
      return desc.set.call(this, function (ev) {
        const t = text(ev.data);
        const t0 = performance.now();
        const r = h.call(this, ev);
        window.__messages.push([Math.round(t0), t.slice(0, 16), t.length, Math.round(performance.now() - t0)]);
        return r;
      });
    },
  });
  const post = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (m, ...rest) {
    const t = text(m);
    window.__messages.push([Math.round(performance.now()), `>${t.slice(0, 15)}`, t.length, 0]);
    return post.call(this, m, ...rest);
  };
}

(async () => {
  const file = process.argv[2];
  const i = process.argv.indexOf('--runs');
  const runs = i > 0 ? Number(process.argv[i + 1]) : 1;
  if (!file || !(runs >= 1)) {
    console.error('usage: node bench/message_tasks.js FILE [--runs N]');
    process.exit(2);
  }
  const session = await openSession();
  const longest = [];
  try {
    for (let run = 1; run <= runs; run++) {
      const page = await session.newPage();
      await page.addInitScript(hook);
      await page.reload();
      await page.locator('[data-testid=drop-zone]').first().waitFor({ state: 'attached' });
      await page.evaluate(() => {
        window.__tasks = [];
        new PerformanceObserver((l) => {
          for (const e of l.getEntries()) window.__tasks.push([Math.round(e.startTime), Math.round(e.duration)]);
        }).observe({ type: 'longtask' });
      });
      await pickFile(page, file);
      await waitReady(page, { timeout: 240000 });
      await page.waitForTimeout(800);
      const messages = await page.evaluate(() => window.__messages);
      const tasks = await page.evaluate(() => window.__tasks);
      console.log(`run ${run}: ${tasks.length} tasks over 50 ms`);
      for (const [t, d] of tasks) {
        console.log(`  task at ${t} ms: ${d} ms`);
        for (const [at, head, len, ms] of messages) {
          if (at >= t - 1 && at <= t + d) console.log(`    ${at}\t${head}\t${len} chars\t${ms} ms`);
        }
      }
      longest.push(Math.max(0, ...tasks.map(([, d]) => d)));
      await page.close();
    }
  } finally {
    await session.close();
  }
  console.log(`longest task per run (ms): ${longest.join(' ')}`);
})();
