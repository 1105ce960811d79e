'use strict';
// A minimal ustar writer and an OCI-layout builder, for archives the tests make themselves
// (the shapes of crates/pancake-core/tests/resolution.rs): each blob is stored under its own
// digest, so every digest in the archive is computed here, never written into a test.
const crypto = require('node:crypto');

function octal(n, len) {
  return n.toString(8).padStart(len - 1, '0') + '\0';
}

/**
 * One ustar header + content padded to 512 (`type` '0' file, '5' directory, '1' hard link to
 * `link`, which has no content of its own); `owner` its uid and gid (default root).
 */
function member(name, data, type = '0', link = '', owner = 0, mode = undefined) {
  if (Buffer.byteLength(name) > 100) throw new Error(`name too long for this writer: ${name}`);
  const h = Buffer.alloc(512);
  h.write(name, 0, 'utf8');
  h.write(octal(mode !== undefined ? mode : type === '5' ? 0o755 : 0o644, 8), 100);
  h.write(octal(owner, 8), 108);
  h.write(octal(owner, 8), 116);
  h.write(octal(type === '5' ? 0 : data.length, 12), 124);
  h.write(octal(1700000000, 12), 136);
  h.write('        ', 148);
  h.write(type, 156);
  if (link) h.write(link, 157, 'utf8');
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148);
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([h, type === '5' ? Buffer.alloc(0) : data, type === '5' ? Buffer.alloc(0) : pad]);
}

/**
 * A tar of `files` ([name, Buffer|string] in order; `[name, null, { link }]` is a hard link
 * to `link`, `[name, null, { symlink }]` a symlink to `symlink`, `[name, data, { owner }]` a
 * file owned by uid = gid = `owner`, `{ mode }` its permission bits, default 0o644, `{ pax }`
 * PAX records (key → string or Buffer) written in an extended header before it), ended by
 * two zero blocks.
 */
function tar(files) {
  const parts = files.map(([name, data, opts]) => {
    if (opts && opts.pax) {
      // A PAX extended header ('x') before the member: one `LEN KEY=VALUE\n` record per
      // key, LEN counting the whole record, its own digits included.
      const records = Object.entries(opts.pax).map(([k, v]) => {
        const body = Buffer.concat([Buffer.from(` ${k}=`), Buffer.isBuffer(v) ? v : Buffer.from(v), Buffer.from('\n')]);
        let len = body.length + 1;
        while (String(len).length + body.length !== len) len += 1;
        return Buffer.concat([Buffer.from(String(len)), body]);
      });
      const rest = { ...opts, pax: undefined };
      return Buffer.concat([member(`PaxHeaders/${name}`.slice(0, 100), Buffer.concat(records), 'x'), tar([[name, data, rest]]).subarray(0, -1024)]);
    }
    if (opts && opts.link) return member(name, Buffer.alloc(0), '1', opts.link);
    if (opts && opts.symlink) return member(name, Buffer.alloc(0), '2', opts.symlink);
    return member(name, Buffer.isBuffer(data) ? data : Buffer.from(data), '0', '', (opts && opts.owner) || 0, opts && opts.mode);
  });
  return Buffer.concat([...parts, Buffer.alloc(1024)]);
}

const sha256 = (b) => `sha256:${crypto.createHash('sha256').update(b).digest('hex')}`;

/** An OCI layout under construction: blobs by digest, then index.json (+ manifest.json). */
class Layout {
  constructor() { this.files = []; }
  file(name, data) { this.files.push([name, Buffer.isBuffer(data) ? data : Buffer.from(data)]); }
  /** Stores `data` as a blob; returns its descriptor. */
  blob(mediaType, data) {
    const b = Buffer.isBuffer(data) ? data : Buffer.from(data);
    const digest = sha256(b);
    this.file(`blobs/sha256/${digest.slice(7)}`, b);
    return { mediaType, digest, size: b.length };
  }
  json(mediaType, v) { return this.blob(mediaType, JSON.stringify(v)); }
  index(manifests) {
    this.file('oci-layout', JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    this.file('index.json', JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }));
  }
  tar() { return tar(this.files); }
}

/**
 * The bytes of an OCI layout holding one amd64 image of these layers, bottom first: each
 * `{ layer, createdBy, blob, mediaType }`, `layer` its uncompressed tar (its digest is the
 * diff_id), stored as `blob` (default: the tar itself) of `mediaType` (default: an
 * uncompressed OCI layer); its history step says `createdBy`.
 */
function layersImage(layers) {
  const b = new Layout();
  const img = b.json('application/vnd.oci.image.manifest.v1+json', {
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: b.json('application/vnd.oci.image.config.v1+json', {
      architecture: 'amd64', os: 'linux', config: {},
      rootfs: { type: 'layers', diff_ids: layers.map((l) => sha256(l.layer)) },
      history: layers.map((l) => ({ created_by: l.createdBy })),
    }),
    layers: layers.map(({ layer, blob = layer, mediaType = 'application/vnd.oci.image.layer.v1.tar' }) => b.blob(mediaType, blob)),
  });
  b.index([img]);
  return b.tar();
}

/** [`layersImage`] of one layer (`blob` and `mediaType` as there). */
function oneLayerImage(layer, createdBy, { blob = layer, mediaType } = {}) {
  return layersImage([{ layer, createdBy, blob, mediaType }]);
}

/** A layer tar of `n` files of `size` bytes each under `data/TAG/`, each filled from a seed of
 * its name (the same bytes every run). */
function seededLayer(tag, n, size) {
  const files = [];
  for (let i = 0; i < n; i++) {
    const seed = crypto.createHash('sha256').update(`${tag}/${i}`).digest();
    files.push([`data/${tag}/f${i}.bin`, Buffer.alloc(size, seed)]);
  }
  return tar(files);
}

module.exports = { tar, sha256, Layout, layersImage, oneLayerImage, seededLayer };
