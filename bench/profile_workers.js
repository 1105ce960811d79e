'use strict';
// Where the page's Web Workers (the scanner, the hashers) spend their time while a file is
// read to "verified" (issue 13, target 3): per worker, its busy time, a timeline of busy
// milliseconds per 100 ms, and its CPU profile's self time per function. Needs a build whose
// worker wasm keeps its function names: `bash bench/profile_build.sh` (writes dist-prof/),
// then `PANCAKE_DIST=dist-prof node bench/profile_workers.js FILE` (e.g.
// /tmp/pancake-bench/many-200000.tar from `node bench/web.js --only files --keep`).
//
// Workers are reached through the page's DevTools session: auto-attach with the workers
// paused at their start (so the profiler runs from their first instruction), the
// profiler's commands sent to each over `Target.sendMessageToTarget`.
const { openSession, pickFile, waitReady } = require('../tests/e2e/lib/browser');

(async () => {
  const file = process.argv[2];
  if (!file) throw new Error('usage: node bench/profile_workers.js FILE');
  const session = await openSession();
  const page = await session.newPage();
  const cdp = await page.context().newCDPSession(page);
  const workers = new Map();
  const pending = new Map();
  let nextId = 1;
  cdp.on('Target.receivedMessageFromTarget', ({ message }) => {
    const m = JSON.parse(message);
    if (m.id && pending.has(m.id)) {
      pending.get(m.id)(m);
      pending.delete(m.id);
    }
  });
  const send = (sessionId, method, params = {}) => new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, resolve);
    cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject);
  });
  let t0 = Date.now();
  // A worker may end before the file is verified (the hashers, and the scanner once a new one
  // adopts its reading): its profile is taken in slices (`SLICE_MS`), each stopped and
  // started again, so an ending worker loses at most its last slice.
  const SLICE_MS = 250;
  cdp.on('Target.attachedToTarget', async ({ sessionId, targetInfo }) => {
    const w = { info: targetInfo, attached: Date.now() - t0, gone: null, profiles: [], busy: false };
    workers.set(sessionId, w);
    await send(sessionId, 'Profiler.enable');
    await send(sessionId, 'Profiler.setSamplingInterval', { interval: 200 });
    await send(sessionId, 'Profiler.start');
    await send(sessionId, 'Runtime.runIfWaitingForDebugger');
    w.timer = setInterval(async () => {
      if (w.busy || w.gone !== null) return;
      w.busy = true;
      try {
        const r = await send(sessionId, 'Profiler.stop');
        if (r.result && r.result.profile) w.profiles.push(r.result.profile);
        await send(sessionId, 'Profiler.start');
      } catch { /* gone */ }
      w.busy = false;
    }, SLICE_MS);
  });
  cdp.on('Target.detachedFromTarget', ({ sessionId }) => {
    const w = workers.get(sessionId);
    if (w) {
      w.gone = Date.now() - t0;
      clearInterval(w.timer);
    }
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: false });
  t0 = Date.now();
  await pickFile(page, file);
  await waitReady(page, { timeout: 240000 });
  console.log(`verified ${Date.now() - t0} ms after the pick (profiling slows it)`);
  for (const [sid, w] of workers) {
    clearInterval(w.timer);
    const name = `${w.info.type} ${w.info.url.split('/').pop()} (attached at ${w.attached} ms${w.gone ? `, gone at ${w.gone} ms` : ''})`;
    if (w.gone === null) {
      while (w.busy) await new Promise((r) => setTimeout(r, 10));
      try {
        const r = await send(sid, 'Profiler.stop');
        if (r.result && r.result.profile) w.profiles.push(r.result.profile);
      } catch { /* gone meanwhile */ }
    }
    if (!w.profiles.length) {
      console.log(`\n== ${name}: no profile`);
      continue;
    }
    const self = new Map();
    const buckets = [];
    let busy = 0;
    let profiled = 0;
    const first = w.profiles[0].startTime;
    for (const profile of w.profiles) {
      profiled += (profile.endTime - profile.startTime) / 1000;
      const byId = new Map(profile.nodes.map((n) => [n.id, n]));
      // Sample times from the worker's first slice, so the timeline runs across slices.
      let t = (profile.startTime - first) / 1000;
      for (let i = 0; i < profile.samples.length; i++) {
        const dt = (profile.timeDeltas[i + 1] || 0) / 1000;
        t += profile.timeDeltas[i] / 1000;
        const n = byId.get(profile.samples[i]);
        const k = n.callFrame.functionName || `(${n.callFrame.url.split('/').pop()})`;
        self.set(k, (self.get(k) || 0) + dt);
        if (k !== '(idle)') {
          busy += dt;
          const b = Math.floor(t / 100);
          buckets[b] = (buckets[b] || 0) + dt;
        }
      }
    }
    const lost = w.gone !== null ? ' (its last slice, up to 250 ms, lost)' : '';
    console.log(`\n== ${name}: ${profiled.toFixed(0)} ms profiled, ${busy.toFixed(0)} ms busy${lost}`);
    console.log('busy ms per 100 ms:', Array.from(buckets, (x) => Math.round(x || 0)).join(' '));
    for (const [k, ms] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP || 25))) {
      console.log(ms.toFixed(0).padStart(7), k.slice(0, 150));
    }
  }
  await session.close();
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
