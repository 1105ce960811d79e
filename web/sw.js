// Pancake's service worker: after the first visit the page opens and works offline.
//
// The app registers it as `sw.js?v=<build>` (<build> = the hashed name of its own app-*.js,
// e.g. `app-3be864fb02267a6`), with a relative scope, so dist/ works from any sub-path.
// One cache per build. Only the app's own files are ever cached: index.html, the hashed
// app-*.js / app-*_bg.wasm / style-*.css, and the unhashed worker.js, worker_bg.wasm,
// worker_loader.js. Anything else (tarballs from `?src=`, other origins) is left alone.
//
// index.html is network-first, so a new build is picked up on the next load; the files are
// cache-first. The unhashed worker files are why the cache is keyed by build: when
// index.html turns out to be from another build, this worker's cache is stale and is dropped
// at once, so a new app never runs an old worker_bg.wasm (the new build's service worker
// then installs, takes over and caches the new files).
'use strict';

const BUILD = new URL(self.location.href).searchParams.get('v') || 'unversioned';
const PREFIX = 'pancake-';
const CACHE = PREFIX + BUILD;
const SCOPE = new URL(self.registration.scope);
const INDEX = new URL('index.html', SCOPE).href;
const FIXED = ['worker.js', 'worker_bg.wasm', 'worker_loader.js'];
const HASHED = /^(?:app-[0-9a-f]+(?:\.js|_bg\.wasm)|style-[0-9a-f]+\.css)$/;

/** The build an index.html belongs to: the name of the app script it loads. */
function buildOf(html) {
  const m = /\.\/(app-[0-9a-f]+)\.js/.exec(html);
  return m ? m[1] : null;
}

/** The file name, relative to the scope, when `url` is one of the app's own files. */
function appFile(url) {
  if (url.origin !== SCOPE.origin || url.search || !url.pathname.startsWith(SCOPE.pathname)) return null;
  const name = url.pathname.slice(SCOPE.pathname.length);
  return FIXED.includes(name) || HASHED.test(name) ? name : null;
}

/** The page itself: the scope's directory or its index.html, with any query (?demo=… etc.). */
function isPage(url) {
  return url.origin === SCOPE.origin &&
    (url.pathname === SCOPE.pathname || url.pathname === SCOPE.pathname + 'index.html');
}

async function precache() {
  const res = await fetch(INDEX, { cache: 'no-cache' });
  if (!res.ok) throw new Error(`index.html: HTTP ${res.status}`);
  const html = await res.clone().text();
  // Deployed again since the page registered us: let the newer page's worker do the caching.
  if (buildOf(html) !== BUILD) throw new Error(`index.html is from ${buildOf(html)}, not ${BUILD}`);
  const names = new Set(FIXED);
  for (const m of html.matchAll(/\.\/((?:app|style)-[0-9a-f]+(?:\.js|_bg\.wasm|\.css))\b/g)) names.add(m[1]);
  const cache = await caches.open(CACHE);
  await Promise.all([...names].map(async (name) => {
    const url = new URL(name, SCOPE).href;
    const r = await fetch(url, { cache: 'no-cache' });
    if (!r.ok) throw new Error(`${name}: HTTP ${r.status}`);
    await cache.put(url, r);
  }));
  // index.html last: its presence marks the cache as complete and current.
  await cache.put(INDEX, res);
}

self.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

/** Deletes the caches of other builds. */
async function purge() {
  for (const key of await caches.keys()) {
    if (key.startsWith(PREFIX) && key !== CACHE) await caches.delete(key);
  }
}

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    await purge();
    await self.clients.claim();
  })());
  // The old build's worker may still be answering a request of a page it controlled and put
  // the response in its cache after the purge: once more, a moment later.
  setTimeout(() => { purge(); }, 3000);
});

/** Network first; offline, the cached index.html of this build. */
async function page(request) {
  let res;
  try {
    res = await fetch(request);
  } catch (err) {
    const cache = await caches.open(CACHE);
    return (await cache.match(INDEX)) || Response.error();
  }
  if (res.ok) {
    const html = await res.clone().text();
    const build = buildOf(html);
    if (build && build !== BUILD) {
      // A newer (or older) build is deployed: none of our cached files may serve it.
      await caches.delete(CACHE);
    } else if (build) {
      const cache = await caches.open(CACHE);
      await cache.put(INDEX, new Response(html, { status: res.status, statusText: res.statusText, headers: res.headers }));
    }
  }
  return res;
}

/** Cache first, while the cache is this build's complete set; otherwise straight to the network. */
async function asset(request) {
  const cache = await caches.open(CACHE);
  if (!(await cache.match(INDEX))) return fetch(request);
  return (await cache.match(request.url)) || fetch(request);
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (request.mode === 'navigate' && isPage(url)) {
    event.respondWith(page(request));
  } else if (appFile(url)) {
    event.respondWith(asset(request));
  }
});
