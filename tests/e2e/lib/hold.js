'use strict';
// The page's messages to its workers, watched and held (before the app loads, so every worker
// it starts is covered): `Search` requests and the `Facts` it forwards are counted in
// `window.__pc`, and `Hash` requests are held until the test lets them go: `__pcLet(n)` lets n
// more pass, `__pcLetMatching(re)` the held one whose message matches, `__pcRelease()` all,
// now and from then on.

// Page-side hooks the holds below share: each init script is sent with these in its scope
// (`initWith`), so every hold installs its own layer over the ones installed before it.

/** Page-side: every message the page posts to a worker goes through `intercept(worker, m,
 * rest)`, which posts it with the `post(worker, m, rest)` returned here, now or later. */
function hookPostMessage(intercept) {
  const orig = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (m, ...rest) {
    return intercept(this, m, rest);
  };
  return (w, m, r) => orig.call(w, m, ...r);
}

/** Page-side: each handler the app sets as a worker's `onmessage` is replaced by
 * `wrap(worker, handler)`. */
function hookOnMessage(wrap) {
  const desc = Object.getOwnPropertyDescriptor(Worker.prototype, 'onmessage');
  Object.defineProperty(Worker.prototype, 'onmessage', {
    configurable: true,
    enumerable: desc.enumerable,
    get() { return desc.get.call(this); },
    set(handler) {
      if (typeof handler !== 'function') return desc.set.call(this, handler);
      return desc.set.call(this, wrap(this, handler));
    },
  });
}

/** The text of a worker message (the glue's envelope `{ msg, ... }`), or ''. */
function msgText(m) {
  return m && typeof m.msg === 'string' ? m.msg : '';
}

/** Adds `fn(arg)` as a script run before the page's own, with the hooks above in scope (a
 * scope of its own: nothing is added to the page's globals). */
function initWith(page, fn, arg) {
  const helpers = [hookPostMessage, hookOnMessage, msgText].map(String).join('\n');
  return page.addInitScript({ content: `(() => {\n${helpers}\n(${fn})(${JSON.stringify(arg)});\n})();` });
}

/** `page` reloaded (so a script added before its load covers every worker the app starts),
 * once its drop zone is there. */
async function reloaded(page) {
  await page.reload({ waitUntil: 'load' });
  await page.locator('[data-testid=drop-zone]').first().waitFor({ state: 'attached', timeout: 20000 });
  return page;
}

/** Installs the hold on `page` and reloads it; returns the page once its drop zone is there. */
async function holdHashing(page) {
  await initWith(page, () => {
    const pc = { searches: 0, facts: 0, held: [], pass: 0, hold: true };
    window.__pc = pc;
    const post = hookPostMessage((w, m, rest) => {
      const t = msgText(m);
      if (t.startsWith('{"Search"')) pc.searches++;
      if (t.startsWith('{"Facts"')) pc.facts++;
      if (t.startsWith('{"Hash"') && pc.hold) {
        if (pc.pass > 0) pc.pass--;
        else { pc.held.push([w, m, rest]); return undefined; }
      }
      return post(w, m, rest);
    });
    window.__pcLet = (n) => {
      pc.pass += n;
      // Jobs held before this call go first.
      while (pc.pass > 0 && pc.held.length) {
        pc.pass--;
        const [w, m, r] = pc.held.shift();
        post(w, m, r);
      }
    };
    // The held job whose message matches the regular expression `src` (e.g. a blob's
    // `"len":N`) passes; true if there was one. Which job a hasher is sent first depends on
    // which hasher's worker was ready first, so a test that wants one layer's digest and not
    // another's names the job.
    window.__pcLetMatching = (src) => {
      const re = new RegExp(src);
      const at = pc.held.findIndex(([, m]) => re.test(m.msg));
      if (at < 0) return false;
      const [w, m, r] = pc.held.splice(at, 1)[0];
      post(w, m, r);
      return true;
    };
    window.__pcRelease = () => {
      pc.hold = false;
      for (const [w, m, r] of pc.held.splice(0)) post(w, m, r);
    };
  });
  return reloaded(page);
}

/**
 * Holds the end of a reading: the first `Scanned` a worker posts (for a file compressed as a
 * whole, what ends "Layers read so far" and shows the stack), and every message that worker
 * posts after it, until `window.__pcEndRelease()` hands them to the page in order. So a test
 * can look at the page while the file is still being read however fast the machine reads it.
 * Installed before the app loads (a reload); returns the page once its drop zone is there.
 */
async function holdEndOfReading(page) {
  await initWith(page, () => {
    const end = { hold: true, held: 0, release: [] };
    window.__pcEnd = end;
    hookOnMessage((worker, handler) => {
      let queue = null;
      return function (ev) {
        const t = msgText(ev && ev.data);
        if (queue === null && end.hold && t.startsWith('{"Scanned"')) {
          queue = [];
          end.release.push(() => {
            const q = queue;
            queue = null;
            for (const e of q) handler.call(worker, e);
          });
        }
        if (queue !== null) {
          queue.push(ev);
          end.held++;
          return undefined;
        }
        return handler.call(this, ev);
      };
    });
    window.__pcEndRelease = () => {
      end.hold = false;
      for (const go of end.release.splice(0)) go();
    };
  });
  return reloaded(page);
}

/**
 * Holds the page's requests to its workers whose message text matches the regular
 * expression `src` (e.g. a container's `"Lower"` rows, or `"Summarize"`), from the start when
 * `on`: `window.__pcReq.asked` counts them, `__pcReqHeld()` says how many wait,
 * `__pcReqRelease()` sends them in order and stops holding, `__pcReqHold()` holds again.
 * Installed before the app loads (a reload); returns the page once its drop zone is there.
 */
async function holdRequests(page, src, { on = true } = {}) {
  await initWith(page, ([source, start]) => {
    const re = new RegExp(source);
    const req = { on: start, asked: 0, held: [] };
    window.__pcReq = req;
    const post = hookPostMessage((w, m, rest) => {
      if (re.test(msgText(m))) {
        req.asked++;
        if (req.on) {
          req.held.push([w, m, rest]);
          return undefined;
        }
      }
      return post(w, m, rest);
    });
    window.__pcReqHeld = () => req.held.length;
    window.__pcReqRelease = () => {
      req.on = false;
      for (const [w, m, r] of req.held.splice(0)) post(w, m, r);
    };
    window.__pcReqHold = () => { req.on = true; };
  }, [src, on]);
  return reloaded(page);
}

/**
 * Holds the messages workers post to the page whose text matches the regular expression
 * `src` (e.g. a new scanner's `"Adopted"`): `__pcRespHeld()` says how many wait,
 * `__pcRespRelease()` hands them to the page in order and stops holding;
 * `__pcRespRelease(from, to)` hands them on with the text matching `from` replaced by `to`
 * (a message the worker did not send: what the page does with it). Only the matching
 * messages wait; the others pass. Installed before the app loads (a reload); returns the
 * page once its drop zone is there.
 */
async function holdResponses(page, src) {
  await initWith(page, (source) => {
    const re = new RegExp(source);
    const resp = { on: true, held: [] };
    hookOnMessage((worker, handler) => function (ev) {
      const t = msgText(ev && ev.data);
      if (resp.on && re.test(t)) {
        resp.held.push((from, to) => {
          const e = from === undefined ? ev
            : new MessageEvent('message', { data: { ...ev.data, msg: t.replace(new RegExp(from), to) } });
          handler.call(worker, e);
        });
        return undefined;
      }
      return handler.call(this, ev);
    });
    window.__pcRespHeld = () => resp.held.length;
    window.__pcRespRelease = (from, to) => {
      resp.on = false;
      for (const go of resp.held.splice(0)) go(from, to);
    };
  }, src);
  return reloaded(page);
}

module.exports = { holdHashing, holdEndOfReading, holdRequests, holdResponses, initWith, reloaded };
