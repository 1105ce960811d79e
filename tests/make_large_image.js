'use strict';
// A `docker save` tarball whose base layer holds 200,000 files (issue #13, target 3), made
// deterministically (same bytes every run) in about a second, no Docker needed. The base
// layer (~205 MB: every file one 512-byte block of content) and a small top layer (a whiteout,
// an opaque directory, ~2 MB of files and a symlink, so two blobs are hashed and facts arrive while
// the big one is still being hashed). Usage: node tests/make_large_image.js OUT.tar [FILES] [--gzip]
const crypto = require('node:crypto');
const fs = require('node:fs');
const zlib = require('node:zlib');

const BLOCK = 512;

/** One ustar header (name ≤ 100 bytes). `type`: '0' file, '2' symlink (to `link`), '5' directory. */
function header(name, size, type, mode, link = '') {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  h.write(link, 157, 100, 'utf8');
  h.write(mode.toString(8).padStart(7, '0') + '\0', 100);
  h.write('0000000\0', 108); // uid
  h.write('0000000\0', 116); // gid
  h.write(size.toString(8).padStart(11, '0') + '\0', 124);
  h.write('14700000000\0', 136); // mtime: a fixed date, so the bytes never change
  h.write('        ', 148); // checksum field counts as spaces
  h.write(type, 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}

/**
 * A tar from [name, content] pairs — content a Buffer (file), null (directory) or
 * `{ symlink: target }` — padded and ended with two zero blocks.
 */
function tar(members) {
  const parts = [];
  for (const [name, content] of members) {
    if (content === null) {
      parts.push(header(name, 0, '5', 0o755));
      continue;
    }
    if (content.symlink !== undefined) {
      parts.push(header(name, 0, '2', 0o777, content.symlink));
      continue;
    }
    parts.push(header(name, content.length, '0', 0o644), content);
    const pad = (BLOCK - (content.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

const sha = (b) => crypto.createHash('sha256').update(b).digest('hex');

/**
 * `problems: true` adds two entries a correct reader reports as member-level problems of the
 * base layer: an unsafe path (`../escape.txt`) and a reserved whiteout name
 * (`data/.wh..wh.bogus`).
 * `gzip: true` stores both layers gzip-compressed (level 1) under `blobs/sha256/`, as a Docker
 * 25+ save of a pulled image can: no header walk indexes them, the hashers that inflate them
 * do; `digests` are then the compressed blobs' (the `diffIds` stay the tars'). `noise: N`
 * adds N bytes that do not compress (a sha256 chain) to the top layer, as `app/noise.bin`: with
 * gzip, a top blob over the 1 MiB a scan reads whole, so it is hashed by a job of its own.
 */
function makeLargeImage(files = 200000, { problems = false, gzip = false, noise = 0 } = {}) {
  const dirs = 500;
  const base = [];
  for (let d = 0; d < dirs; d++) base.push([`data/d${d}/`, null]);
  for (let i = 0; i < files; i++) {
    // Content that differs per file, deterministic: its own name, repeated.
    const body = Buffer.from(`file ${i} of a 200,000-file layer\n`.repeat(12).slice(0, 400));
    base.push([`data/d${i % dirs}/f${i}.txt`, body]);
  }
  if (problems) base.push(['../escape.txt', Buffer.from('x\n')], ['data/.wh..wh.bogus', Buffer.alloc(0)]);
  const baseTar = tar(base);
  // Figures the page must show, from the bytes made here: each layer's file bytes
  // (`docker image history`'s SIZE), its entries, and the base's bytes the top layer hides
  // (the whiteout of data/d1 and the opaque data/d2 remove their files from view).
  // (a symlink counts its target's length, as Docker's layer sizes do)
  const bytesOf = (c) => (Buffer.isBuffer(c) ? c.length : c && c.symlink !== undefined ? Buffer.byteLength(c.symlink) : 0);
  const fileBytes = (members) => members.reduce((n, [, c]) => n + bytesOf(c), 0);
  const hidden = base.filter(([name, c]) => c && /^data\/d[12]\//.test(name));
  const top = [['data/', null], ['data/.wh.d1', Buffer.alloc(0)], ['data/d2/', null],
    ['data/d2/.wh..wh..opq', Buffer.alloc(0)]];
  for (let i = 0; i < 4; i++) top.push([`app/blob${i}.bin`, Buffer.alloc(512 * 1024, i + 1)]);
  // A symlink into the base layer's files, followed from the top layer's changes.
  top.push(['app/first', { symlink: '../data/d0/f0.txt' }]);
  if (noise > 0) {
    const chunks = [];
    let h = Buffer.from('noise');
    for (let n = 0; n < noise; n += 32) chunks.push(h = crypto.createHash('sha256').update(h).digest());
    top.push(['app/noise.bin', Buffer.concat(chunks).subarray(0, noise)]);
  }
  const topTar = tar(top);
  const layers = [baseTar, topTar].map((b) => {
    const blob = gzip ? zlib.gzipSync(b, { level: 1 }) : b;
    return { bytes: b, hex: sha(b), blob, blobHex: sha(blob) };
  });
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', created: '2026-01-01T00:00:00Z',
    config: { Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => `sha256:${l.hex}`) },
    history: [
      { created: '2026-01-01T00:00:00Z', created_by: `COPY data/ /data/ # ${files} files` },
      { created: '2026-01-01T00:00:00Z', created_by: 'COPY app/ /app/' },
    ],
  }));
  const configHex = sha(config);
  const outer = [];
  let manifest;
  if (gzip) {
    manifest = Buffer.from(JSON.stringify([{
      Config: `blobs/sha256/${configHex}`, RepoTags: ['large:200k-gz'],
      Layers: layers.map((l) => `blobs/sha256/${l.blobHex}`),
    }]));
    outer.push(['blobs/', null], ['blobs/sha256/', null]);
    for (const l of layers) outer.push([`blobs/sha256/${l.blobHex}`, l.blob]);
    outer.push([`blobs/sha256/${configHex}`, config], ['manifest.json', manifest]);
  } else {
    manifest = Buffer.from(JSON.stringify([{
      Config: `${configHex}.json`, RepoTags: ['large:200k'],
      Layers: layers.map((l) => `${l.hex}/layer.tar`),
    }]));
    for (const l of layers) outer.push([`${l.hex}/`, null], [`${l.hex}/layer.tar`, l.bytes]);
    outer.push([`${configHex}.json`, config], ['manifest.json', manifest]);
  }
  return {
    bytes: tar(outer), diffIds: layers.map((l) => `sha256:${l.hex}`), files,
    digests: layers.map((l) => `sha256:${l.blobHex}`),
    blobBytes: layers.map((l) => l.blob.length),
    contentBytes: [fileBytes(base), fileBytes(top)],
    entries: [base.length, top.length],
    hiddenByTop: fileBytes(hidden),
  };
}

module.exports = { makeLargeImage };

if (require.main === module) {
  const out = process.argv[2];
  if (!out) throw new Error('usage: node tests/make_large_image.js OUT.tar [FILES] [--gzip]');
  const img = makeLargeImage(Number(process.argv[3] || 200000), { gzip: process.argv.includes('--gzip') });
  fs.writeFileSync(out, img.bytes);
  console.log(`${out}: ${img.bytes.length} bytes, ${img.files} files, diff_ids ${img.diffIds.join(' ')}`);
}
