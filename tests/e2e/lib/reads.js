'use strict';
// What each of a page's workers says of its reads (web/worker_loader.js): whether JSPI is
// installed there and, if it is, `{suspended, lent, back, most}` — reads that suspended the
// scan, buffers lent to the hasher and given back, the most pooled buffers made at once.

/**
 * One `{jspi, stats}` per worker that answers (`stats` null where JSPI is not installed),
 * each once its wasm is instantiated (up to 15 s): JSPI's wrappers mark the worker only
 * then, so a worker just started (a scanner taking over, a hasher for the next job) would
 * otherwise read as one without JSPI.
 */
async function readStats(page) {
  const out = [];
  for (const w of page.workers()) {
    out.push(await w.evaluate(async () => {
      const until = Date.now() + 15000;
      while (self.pancakeWasm === undefined && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 20));
      }
      return {
        jspi: self.pancakeJspi === true,
        stats: self.pancakeReadStats ? { ...self.pancakeReadStats } : null,
      };
    }).catch(() => null));
  }
  return out.filter(Boolean);
}

/** The scanner's stats: the worker whose reads suspended (`undefined` if none did). */
async function scannerStats(page) {
  return (await readStats(page)).find((w) => w.stats && w.stats.suspended > 0)?.stats;
}

module.exports = { readStats, scannerStats };
