'use strict';
// Reads a fixture's NAME.expected.json (computed independently by fixtures/tools/expect.py)
// and reduces it to what the page must show.
const fs = require('node:fs');

/**
 * { file, valid, errors, format, images: [{ tags, configDigest, hasConfig,
 *   layers: [{ diffId, configDiffId, digest, descriptorDigest, verified, missing, path, compression, listing }],
 *   history: [{ createdBy, emptyLayer }] }] }
 * diffId is the diff_id computed from the bytes (null when the blob is missing or unreadable);
 * configDiffId is what the image config claims; digest is the sha256 of the blob as stored;
 * verified is true / false / null (null: nothing to check against, e.g. a legacy v1 layer).
 */
function loadExpected(fixturePath) {
  const raw = JSON.parse(fs.readFileSync(`${fixturePath}.expected.json`, 'utf8'));
  const list = (raw.images && raw.images.length) ? raw.images : (raw.oci_index_images || []);
  return {
    file: raw.file,
    valid: raw.valid,
    errors: raw.errors || [],
    format: raw.detected_format,
    raw,
    images: list.map(normalizeImage),
  };
}

function normalizeImage(im) {
  const cfg = im.config || null;
  const diffIds = (cfg && cfg.diff_ids) || [];
  return {
    tags: im.repo_tags || [],
    configDigest: (cfg && cfg.digest) || im.image_id || null,
    hasConfig: !!cfg,
    layers: (im.layers || []).map((l, i) => normalizeLayer(l, diffIds[i] || null)),
    history: ((cfg && cfg.history) || []).map((h) => ({
      createdBy: h.created_by || '',
      emptyLayer: h.empty_layer === true,
    })),
  };
}

function normalizeLayer(l, configDiffId) {
  const missing = !l.stored_sha256;
  const descriptorDigest = l.descriptor_digest || (l.layer_source_descriptor && l.layer_source_descriptor.digest) || null;
  let verified;
  if (missing || l.error || l.diff_id_ok === false || l.descriptor_digest_ok === false) verified = false;
  else if (l.diff_id_ok === true) verified = true;
  else verified = null;
  return {
    diffId: l.diff_id || null,
    configDiffId: l.config_diff_id || configDiffId || null,
    digest: l.stored_sha256 || null,
    descriptorDigest,
    verified,
    missing,
    error: l.error || null,
    path: l.path || null,
    compression: l.compression || null,
    listing: l.listing || [],
    listingComplete: Array.isArray(l.entries) ? l.entries.length <= 400 : true,
  };
}

/** "f data/b.txt (14)", "l a -> b", "h a -> b", "d dir" → { kind, path, size, target } */
function parseListingLine(line) {
  const kind = line[0];
  let rest = line.slice(2);
  let size = null;
  let target = null;
  if (kind === 'f') {
    const m = /^(.*) \((\d+)\)$/.exec(rest);
    if (m) { rest = m[1]; size = Number(m[2]); }
  } else if (kind === 'l' || kind === 'h') {
    const at = rest.indexOf(' -> ');
    if (at >= 0) { target = rest.slice(at + 4); rest = rest.slice(0, at); }
  }
  return { kind, path: normPath(rest), size, target };
}

/** Paths compared without a leading "/" or "./" and without a trailing "/". */
function normPath(p) {
  let s = String(p || '');
  while (s.startsWith('./')) s = s.slice(2);
  s = s.replace(/^\/+/, '').replace(/\/+$/, '');
  return s;
}

const WH = '.wh.';
const OPQ = '.wh..wh..opq';

/**
 * What the Files view of layer `idx` must list: every entry of that layer as
 * added / modified (the path exists in the layers below), whiteouts as deleted
 * (the whited-out path), and opaque-directory markers reported separately.
 */
function expectedChanges(layers, idx) {
  const lower = new Set();
  for (let i = 0; i < idx; i++) applyLayer(lower, layers[i].listing.map(parseListingLine));
  const rows = [];
  const opaque = [];
  for (const e of layers[idx].listing.map(parseListingLine)) {
    const base = e.path.split('/').pop();
    const dir = e.path.includes('/') ? e.path.slice(0, e.path.lastIndexOf('/')) : '';
    if (base === OPQ) { opaque.push(dir); continue; }
    if (base.startsWith(WH)) {
      rows.push({ path: normPath(`${dir}/${base.slice(WH.length)}`), change: 'deleted' });
      continue;
    }
    rows.push({ path: e.path, change: lower.has(e.path) ? 'modified' : 'added', kind: e.kind, size: e.size });
  }
  return { rows, opaque };
}

function applyLayer(set, entries) {
  const drop = (p) => { for (const q of [...set]) if (q === p || q.startsWith(`${p}/`)) set.delete(q); };
  for (const e of entries) {
    const base = e.path.split('/').pop();
    const dir = e.path.includes('/') ? e.path.slice(0, e.path.lastIndexOf('/')) : '';
    if (base === OPQ) { for (const q of [...set]) if (q.startsWith(`${dir}/`)) set.delete(q); }
  }
  for (const e of entries) {
    const base = e.path.split('/').pop();
    const dir = e.path.includes('/') ? e.path.slice(0, e.path.lastIndexOf('/')) : '';
    if (base === OPQ) continue;
    if (base.startsWith(WH)) drop(normPath(`${dir}/${base.slice(WH.length)}`));
    else set.add(e.path);
  }
}

module.exports = { loadExpected, parseListingLine, normPath, expectedChanges };
