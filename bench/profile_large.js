'use strict';
// Where the page's main thread spends its time while a 200,000-file image is read (issue #12's
// "no task over 50 ms while hashing"): the long tasks from the pick to "verified", a CPU
// profile's self and inclusive time per function, and a 250 ms timeline of the busiest Rust
// frames. Needs a build whose wasm keeps its function names: `bash bench/profile_build.sh`
// (writes dist-prof/), then `PANCAKE_DIST=dist-prof node bench/profile_large.js`.
// `--tab NAME` (files, history, container, ...) profiles instead a click on that tab once
// every digest is verified, for 1.5 s; `--click ID,ID…` clicks those `data-testid`s in turn
// (e.g. `--click run-container,tab-container`). `--file PATH` profiles that file instead of the
// 200,000-file image (e.g. the 20,002-layer hostile case: `python3 tests/hostile/generate.py
// DIR --only many-layers`).
const path = require('node:path');
const os = require('node:os');
const fs = require('node:fs');
const { openSession, pickFile, waitReady } = require('../tests/e2e/lib/browser');
const { makeLargeImage } = require('../tests/make_large_image');
(async () => {
  const arg = (name) => { const i = process.argv.indexOf(name); return i >= 0 ? process.argv[i + 1] : null; };
  const FILES = 200000;
  let file = arg('--file');
  if (!file) {
    file = path.join(os.tmpdir(), `pancake-large-${FILES}.tar`);
    const img = makeLargeImage(FILES);
    if (!fs.existsSync(file) || fs.statSync(file).size !== img.bytes.length) fs.writeFileSync(file, img.bytes);
  }
  const session = await openSession();
  const page = await session.newPage();
  await page.evaluate(() => { window.__t = []; new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__t.push([Math.round(e.startTime), Math.round(e.duration)]); }).observe({ type: 'longtask' }); });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
  const clicks = arg('--click') ? arg('--click').split(',') : arg('--tab') ? [`tab-${arg('--tab')}`] : [];
  const tab = clicks.length > 0;
  let t0;
  if (tab) {
    await pickFile(page, file);
    await waitReady(page, { timeout: 240000 });
    await page.waitForTimeout(1000);
    await cdp.send('Profiler.start');
    t0 = await page.evaluate(() => { window.__t = []; return performance.now(); });
    for (const id of clicks) {
      await page.locator(`[data-testid=${id}]`).first().click();
      await page.waitForTimeout(1500);
    }
  } else {
    await cdp.send('Profiler.start');
    t0 = await page.evaluate(() => performance.now());
    await pickFile(page, file);
    await waitReady(page, { timeout: 240000 });
  }
  const { profile } = await cdp.send('Profiler.stop');
  const tasks = await page.evaluate(() => window.__t);
  console.log('long tasks (start from pick, ms):', tasks.map(([s, d]) => `${Math.round(s - t0)}+${d}`).join(' '));
  const dt = (profile.endTime - profile.startTime) / 1000 / profile.samples.length;
  const self = new Map(); const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const counts = new Map(); for (const s of profile.samples) counts.set(s, (counts.get(s) || 0) + 1);
  for (const [id, c] of counts) { const n = byId.get(id); const k = n.callFrame.functionName || `(${n.callFrame.url.split('/').pop()})`; self.set(k, (self.get(k) || 0) + c * dt); }
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 40);
  for (const [k, ms] of top) console.log(ms.toFixed(0).padStart(7), k.slice(0, 160));
  // inclusive time per function (once per stack)
  const parent = new Map(); for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const incl = new Map();
  for (const [id, c] of counts) { const seen = new Set(); let x = id; while (x !== undefined) { const n = byId.get(x); const k = n.callFrame.functionName; if (k && !seen.has(k)) { seen.add(k); incl.set(k, (incl.get(k) || 0) + c * dt); } x = parent.get(x); } }
  console.log('--- inclusive');
  for (const [k, ms] of [...incl.entries()].sort((a, b) => b[1] - a[1]).slice(0, 60)) console.log(ms.toFixed(0).padStart(7), k.slice(0, 160));
  // Timeline: per 250 ms bucket, busy ms and the most frequent pancake frame.
  let t = profile.startTime; const buckets = new Map();
  profile.samples.forEach((id, k) => {
    t += profile.timeDeltas[k];
    const b = Math.floor((t - profile.startTime) / 250000);
    let x = id; const names = [];
    while (x !== undefined) { const n = byId.get(x); names.push(n.callFrame.functionName); x = parent.get(x); }
    if (names[0] === '(idle)' || names[0] === '(program)' || names[0] === '(garbage collector)') return;
    const pick = names.find((f) => /pancake_web::views|pancake_web::state|pancake_web::worker_glue|pancake_core::analyze|Deserialize for pancake_web::protocol/.test(f)) || names[0];
    const e = buckets.get(b) || { ms: 0, f: new Map() };
    e.ms += dt; e.f.set(pick, (e.f.get(pick) || 0) + dt); buckets.set(b, e);
  });
  for (const [b, e] of [...buckets.entries()].sort((a, b) => a[0] - b[0])) {
    if (e.ms < 40) continue;
    const top = [...e.f.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([f, ms]) => `${ms.toFixed(0)} ${f.replace(/::h[0-9a-f]{16}/g, '').slice(0, 90)}`).join(' | ');
    console.log(`${(b * 250).toString().padStart(6)} ms busy ${e.ms.toFixed(0).padStart(4)}: ${top}`);
  }
  // Inside each busy stretch: the frames (self, then inclusive) that took its time.
  let tt = profile.startTime; const stamps = profile.samples.map((id, k) => { tt += profile.timeDeltas[k]; return tt; });
  // The profile's clock is not performance.now(): find the busy stretches (no idle sample for
  // over 50 ms) instead, which is what a long task is.
  const runs = []; let runFrom = null; let last = null;
  profile.samples.forEach((id, k) => {
    const idle = byId.get(id).callFrame.functionName === '(idle)';
    if (!idle && runFrom === null) runFrom = stamps[k];
    if (idle && runFrom !== null) { if (last - runFrom > 50000) runs.push([runFrom, last]); runFrom = null; }
    if (!idle) last = stamps[k];
  });
  if (runFrom !== null && last - runFrom > 50000) runs.push([runFrom, last]);
  for (const [from, to] of runs) {
    const at = Math.round((from - profile.startTime) / 1000); const d = Math.round((to - from) / 1000);
    const inc = new Map(); const selfIn = new Map();
    profile.samples.forEach((id, k) => {
      if (stamps[k] < from || stamps[k] > to) return;
      const n = byId.get(id); const own = (n.callFrame.functionName || `(${n.callFrame.url.split('/').pop()})`).replace(/::h[0-9a-f]{16}/g, '');
      selfIn.set(own, (selfIn.get(own) || 0) + dt);
      const seen = new Set(); let x = id;
      while (x !== undefined) { const f = byId.get(x).callFrame.functionName.replace(/::h[0-9a-f]{16}/g, ''); if (f && !seen.has(f)) { seen.add(f); inc.set(f, (inc.get(f) || 0) + dt); } x = parent.get(x); }
    });
    console.log(`--- busy from ${at} ms after the profile began, ${d} ms; self:`);
    for (const [f, ms] of [...selfIn.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(ms.toFixed(0).padStart(6), f.slice(0, 150));
    console.log('  inclusive:');
    for (const [f, ms] of [...inc.entries()].sort((a, b) => b[1] - a[1]).slice(0, 45)) console.log(ms.toFixed(0).padStart(6), f.slice(0, 150));
  }
  await session.close();
})().catch((e) => { console.error(e); process.exit(1); });
