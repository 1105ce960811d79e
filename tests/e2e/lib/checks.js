'use strict';
// Comparisons between what the page shows and a fixture's expected facts. Each returns a list
// of human-readable differences ("what, where, expected, got"), empty when all is well, so one
// failing test reports every difference at once.
const { normPath } = require('./expected');

function hex(d) { return String(d || '').replace(/^sha256:/, ''); }
function short(d) { return d ? String(d).slice(0, 19) : String(d); }

/** Layers shown (`readLayers`: bottom first) vs expected layers of one image. */
function compareLayers(got, exp, where) {
  const out = [];
  if (got.length !== exp.layers.length) {
    out.push(`${where}: layer count expected ${exp.layers.length}, got ${got.length}`);
  }
  const n = Math.min(got.length, exp.layers.length);
  for (let i = 0; i < n; i++) {
    const g = got[i];
    const e = exp.layers[i];
    const at = `${where} layer ${i}`;
    if (g.index !== String(i)) out.push(`${at}: data-index expected "${i}" (DOM order top→bottom, read reversed), got "${g.index}"`);
    // diff_id: what the config claims, or what was computed when they differ (a mismatch).
    const okDiff = new Set([e.diffId, e.configDiffId].filter(Boolean));
    if (e.missing || !e.diffId) okDiff.add(''); // nothing could be computed
    if (!okDiff.has(g.diffId || '')) out.push(`${at}: data-diff-id expected ${[...okDiff].join(' or ') || '(none)'}, got ${g.diffId}`);
    // digest: the blob's sha256 as stored; when the blob is unreadable or missing, the
    // descriptor's claimed digest (or nothing) is acceptable.
    const okDigest = new Set([e.digest].filter(Boolean));
    if (e.descriptorDigest && e.descriptorDigest !== e.digest) okDigest.add(e.descriptorDigest);
    if (e.missing) okDigest.add('');
    if (!okDigest.has(g.digest || '')) out.push(`${at}: data-digest expected ${[...okDigest].join(' or ') || '(none)'}, got ${g.digest}`);
    if (e.verified === true && g.verified !== 'true') out.push(`${at}: data-verified expected "true", got "${g.verified}"`);
    if (e.verified === false && g.verified !== 'false') out.push(`${at}: data-verified expected "false" (${e.error || 'digest mismatch'}), got "${g.verified}"`);
    if (e.verified === null && !['true', 'false'].includes(g.verified)) out.push(`${at}: data-verified must be "true" or "false", got "${g.verified}"`);
  }
  return out;
}

/** History rows vs config.history (count and metadata-only flags, in order). */
function compareHistory(got, exp, where) {
  if (!exp.hasConfig) return [];
  const out = [];
  if (got.length !== exp.history.length) {
    out.push(`${where}: history-row count expected ${exp.history.length}, got ${got.length}`);
  }
  // The table may follow `docker image history` (newest first) or config order (oldest
  // first); the CREATED BY text in the rows tells which.
  const norm = (t) => t.replace(/\s+/g, ' ').trim();
  const hits = (hist) => hist.filter((h, i) => got[i] && norm(got[i].text).includes(norm(h.createdBy).slice(0, 24))).length;
  const reversed = [...exp.history].reverse();
  const newestFirst = hits(reversed) > hits(exp.history);
  const want = newestFirst ? reversed : exp.history;
  const order = newestFirst ? 'newest first' : 'oldest first';
  const n = Math.min(got.length, want.length);
  for (let i = 0; i < n; i++) {
    if (got[i].emptyLayer !== want[i].emptyLayer) {
      out.push(`${where} history row ${i} (${order}: ${want[i].createdBy.slice(0, 60)}): ` +
        `data-empty-layer expected ${want[i].emptyLayer} (config empty_layer), got ${got[i].emptyLayer}`);
    }
  }
  return out;
}

/** File rows of one layer vs the expected changes (set comparison of "change path"). */
function compareFileRows(got, expected, where) {
  const out = [];
  const opaque = new Set(expected.opaque.map(normPath));
  const want = new Map(expected.rows.map((r) => [r.path, r.change]));
  const seen = new Map();
  for (const r of got) {
    if (seen.has(r.path)) out.push(`${where}: file-row ${r.path} listed twice`);
    seen.set(r.path, r.change);
  }
  for (const [p, c] of want) {
    if (!seen.has(p)) out.push(`${where}: missing file-row data-path="${p}" (expected data-change="${c}")`);
    else if (seen.get(p) !== c && !opaque.has(p)) out.push(`${where}: file-row ${p} data-change expected "${c}", got "${seen.get(p)}"`);
  }
  for (const [p, c] of seen) {
    if (!want.has(p) && !opaque.has(p)) out.push(`${where}: unexpected file-row data-path="${p}" data-change="${c}"`);
  }
  return out;
}

/**
 * Patterns, from the root-cause error (the first one expect.py reports), that a clear error
 * message must match at least one of: it names the member or the problem.
 */
function errorHints(errors) {
  const e = errors[0] || '';
  const hints = [];
  const member = /\((\S+?)\)|missing in archive: ([^']+)/.exec(e);
  if (/manifest\.json/.test(e) && !/no manifest\.json/.test(e)) hints.push(/manifest\.json/i);
  if (/gzip/i.test(e)) hints.push(/gzip|deflate|inflate|crc|compress|corrupt/i);
  if (/tar read error|EOFError|unexpected end|truncat/i.test(e)) {
    hints.push(/truncat|unexpected(ly)? end|end of (the )?(file|data|archive|stream|input)|\beof\b|incomplete|cut short|ended early|ends (early|inside|in the middle)/i);
  }
  if (/missing in archive/.test(e)) hints.push(/missing|not found|absent|no such|does not exist/i);
  if (/unsafe|\.\.\//.test(e)) hints.push(/unsafe|travers|\.\.\/|outside|escap|absolute/i);
  if (/mismatch/.test(e)) hints.push(/mismatch|does not match|differ/i);
  if (member) {
    const m = member[1] || member[2];
    hints.push(new RegExp(m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    const id = /[0-9a-f]{64}/.exec(m);
    if (id) hints.push(new RegExp(id[0].slice(0, 12)));
  }
  if (!hints.length) hints.push(/\S/); // expect.py said something we have no pattern for
  return hints;
}

module.exports = { hex, short, compareLayers, compareHistory, compareFileRows, errorHints };
