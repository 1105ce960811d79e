'use strict';
// A tiny static server for dist/: only Node's http module, so the e2e suite needs nothing
// beyond playwright-core. It records every request so tests can see exactly what the page
// fetched (and prove nothing was fetched that the build does not contain).
const http = require('node:http');
const https = require('node:https');
const os = require('node:os');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm', // WebAssembly.instantiateStreaming refuses anything else
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

function mimeOf(file) {
  return MIME[path.extname(file).toLowerCase()] || 'application/octet-stream';
}

/**
 * Serve `root` on 127.0.0.1 at a free port.
 * Resolves to { origin, url, port, requests, close() }; `requests` is an array of
 * { method, path, status } in arrival order.
 * Options: `cors: true` adds `Access-Control-Allow-Origin: *` to every answer (a host that
 * lets other sites' pages read its files); off by default. `tls: true` serves https with a
 * throwaway self-signed certificate (made by openssl; the browser must be started with
 * `openSession({ ignoreCertErrors: true })`): the page's CSP lets it reach other hosts only
 * over https.
 */
function startServer(root, { cors = false, tls = false } = {}) {
  const corsHeaders = cors ? { 'Access-Control-Allow-Origin': '*' } : {};
  const absRoot = path.resolve(root);
  const requests = [];
  const handler = (req, res) => {
    let status = 200;
    try {
      const urlPath = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      let file = path.join(absRoot, urlPath);
      // Never serve anything outside dist/ (a `..` in the URL is a test bug or an attack).
      if (file !== absRoot && !file.startsWith(absRoot + path.sep)) {
        status = 403;
      } else {
        if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
        if (!fs.existsSync(file)) status = 404;
        else {
          const body = fs.readFileSync(file);
          res.writeHead(200, {
            'Content-Type': mimeOf(file),
            'Content-Length': body.length,
            'Cache-Control': 'no-store',
            ...corsHeaders,
          });
          res.end(req.method === 'HEAD' ? undefined : body);
        }
      }
    } catch (e) {
      status = 400;
    }
    if (status !== 200) {
      res.writeHead(status, { 'Content-Type': 'text/plain', ...corsHeaders });
      res.end(String(status));
    }
    requests.push({ method: req.method, path: req.url, status });
  };
  const server = tls ? https.createServer(selfSigned(), handler) : http.createServer(handler);
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      const origin = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
      resolve({
        origin,
        url: origin + '/',
        port,
        requests,
        close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
      });
    });
  });
}

/** A key and certificate for 127.0.0.1, valid one day, made fresh (nothing secret is stored). */
function selfSigned() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pancake-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    return { key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A pretend host on another origin (e.g. `https://cors.pancake.test`), answered inside the
 * browser context by Playwright from the files of `root`: the page's CSP allows other hosts
 * only over https, and a real TLS server would need certificates. Playwright's answers skip
 * the browser's CORS check, so this stands for a host that allows CORS; for one that does not,
 * use `startServer(root, { tls: true })`. Pass `origin` in `openSession({ allowOrigins })`. Resolves to { origin, url,
 * requests } (`requests`: { method, path, status } in arrival order).
 */
async function fakeHost(ctx, origin, root, { cors = false } = {}) {
  const requests = [];
  const corsHeaders = cors ? { 'Access-Control-Allow-Origin': '*' } : {};
  await ctx.route(`${origin}/**`, (route) => {
    const req = route.request();
    const urlPath = decodeURIComponent(new URL(req.url()).pathname);
    const file = path.join(path.resolve(root), urlPath);
    const ok = file.startsWith(path.resolve(root) + path.sep) && fs.existsSync(file) && fs.statSync(file).isFile();
    requests.push({ method: req.method(), path: new URL(req.url()).pathname, status: ok ? 200 : 404 });
    if (!ok) return route.fulfill({ status: 404, headers: { 'Content-Type': 'text/plain', ...corsHeaders }, body: '404' });
    return route.fulfill({ status: 200, headers: { 'Content-Type': mimeOf(file), ...corsHeaders }, body: fs.readFileSync(file) });
  });
  return { origin, url: `${origin}/`, requests };
}

module.exports = { startServer, mimeOf, fakeHost };
