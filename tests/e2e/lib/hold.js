'use strict';
// The page's messages to its workers, watched and held (before the app loads, so every worker
// it starts is covered): `Search` requests and the `Facts` it forwards are counted in
// `window.__pc`, and `Hash` requests are held until the test lets them go: `__pcLet(n)` lets n
// more pass, `__pcRelease()` all, now and from then on.

/** Installs the hold on `page` and reloads it; returns the page once its drop zone is there. */
async function holdHashing(page) {
  await page.addInitScript(() => {
    const pc = { searches: 0, facts: 0, held: [], pass: 0, hold: true };
    window.__pc = pc;
    const orig = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (m, ...rest) {
      const t = m && typeof m.msg === 'string' ? m.msg : '';
      if (t.startsWith('{"Search"')) pc.searches++;
      if (t.startsWith('{"Facts"')) pc.facts++;
      if (t.startsWith('{"Hash"') && pc.hold) {
        if (pc.pass > 0) pc.pass--;
        else { pc.held.push([this, m, rest]); return undefined; }
      }
      return orig.call(this, m, ...rest);
    };
    window.__pcLet = (n) => {
      pc.pass += n;
      // Jobs held before this call go first.
      while (pc.pass > 0 && pc.held.length) {
        pc.pass--;
        const [w, m, r] = pc.held.shift();
        orig.call(w, m, ...r);
      }
    };
    window.__pcRelease = () => {
      pc.hold = false;
      for (const [w, m, r] of pc.held.splice(0)) orig.call(w, m, ...r);
    };
  });
  await page.reload({ waitUntil: 'load' });
  await page.locator('[data-testid=drop-zone]').first().waitFor({ state: 'attached', timeout: 20000 });
  return page;
}

module.exports = { holdHashing };
