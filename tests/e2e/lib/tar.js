'use strict';
// A minimal tar reader (ustar + PAX `path`/`linkpath` + GNU `L`/`K` long names), enough for
// the tests to read a file's bytes straight out of a fixture, so expected file contents are
// taken from the fixture itself and never written into the tests.
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

function cstr(buf, off, len) {
  const s = buf.subarray(off, off + len);
  const nul = s.indexOf(0);
  return (nul < 0 ? s : s.subarray(0, nul)).toString('utf8');
}

function octal(buf, off, len) {
  const s = cstr(buf, off, len).trim();
  return s ? parseInt(s, 8) : 0;
}

/** Yields { name, type, size, linkname, data } for each member (data is a view, not a copy). */
function* entries(buf) {
  let off = 0;
  let longName = null;
  let longLink = null;
  let pax = {};
  while (off + 512 <= buf.length) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const size = octal(h, 124, 12);
    const type = String.fromCharCode(h[156] || 48);
    const dataStart = off + 512;
    const data = buf.subarray(dataStart, Math.min(dataStart + size, buf.length));
    off = dataStart + Math.ceil(size / 512) * 512;
    if (type === 'x') { pax = { ...pax, ...parsePax(data) }; continue; }
    if (type === 'g') continue;
    if (type === 'L') { longName = cstr(data, 0, data.length); continue; }
    if (type === 'K') { longLink = cstr(data, 0, data.length); continue; }
    const magic = cstr(h, 257, 6);
    const prefix = magic.startsWith('ustar') ? cstr(h, 345, 155) : '';
    let name = cstr(h, 0, 100);
    if (prefix) name = `${prefix}/${name}`;
    name = pax.path || longName || name;
    const linkname = pax.linkpath || longLink || cstr(h, 157, 100);
    yield { name, type: type === '\0' ? '0' : type, size, linkname, data };
    longName = null; longLink = null; pax = {};
  }
}

function parsePax(data) {
  const out = {};
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp < 0) break;
    const len = parseInt(data.subarray(i, sp).toString(), 10);
    if (!len) break;
    const rec = data.subarray(sp + 1, i + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

const clean = (p) => p.replace(/^(\.\/)+/, '').replace(/^\/+/, '').replace(/\/+$/, '');

function maybeGunzip(buf) {
  return buf[0] === 0x1f && buf[1] === 0x8b ? zlib.gunzipSync(buf) : buf;
}

/** The bytes of `member` in tar `buf`, following a symlink member once (podman's layer.tar). */
function readMember(buf, member, depth = 0) {
  const want = clean(member);
  for (const e of entries(buf)) {
    if (clean(e.name) !== want) continue;
    if (e.type === '2' && depth < 4) {
      const target = e.linkname.startsWith('/') ? e.linkname : path.posix.join(path.posix.dirname(want), e.linkname);
      return readMember(buf, path.posix.normalize(target), depth + 1);
    }
    return Buffer.from(e.data);
  }
  return null;
}

/** The content of `file` inside layer blob `layerPath` of fixture tarball `fixture`. */
function readLayerFile(fixture, layerPath, file) {
  const outer = maybeGunzip(fs.readFileSync(fixture));
  const blob = readMember(outer, layerPath);
  if (!blob) throw new Error(`${fixture}: no member ${layerPath}`);
  const layer = maybeGunzip(blob);
  const content = readMember(layer, file);
  if (!content) throw new Error(`${fixture}: layer ${layerPath} has no ${file}`);
  return content;
}

module.exports = { entries, readMember, readLayerFile };
