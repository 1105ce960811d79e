'use strict';
// A layer blob damaged after it was saved, big enough to be hashed by a worker (over 1 MiB):
// one byte run of its third file's tar header is overwritten, so its tar breaks there and its
// digest no longer matches. The page must say what the CLI's `pancake inspect --json` says:
// the layer is unreadable (the core's verdict), with its digest mismatch listed beside it,
// and the other layers verified. (The page once ranked the mismatch first and called it only
// "mismatch", showing its diff_id as "pending"; then "pending" stayed after all was settled.)
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const { REPO, openSession, problemsOf, pickFile, waitReady } = require('./lib/browser');

const MAKE = path.join(REPO, 'bench', 'make_big_image.py');
const CLI = path.join(REPO, 'target', 'debug', 'pancake');

// Breaks the checksum of the third regular file's header inside the save's biggest blob.
const CORRUPT = `
import sys, tarfile, shutil
src, dst = sys.argv[1], sys.argv[2]
shutil.copy(src, dst)
with tarfile.open(src) as t:
    big = max((m for m in t.getmembers() if m.isfile()), key=lambda m: m.size)
    start = big.offset_data
n = 0
with open(dst, 'r+b') as f:
    pos = 0
    while pos < big.size:
        f.seek(start + pos)
        h = f.read(512)
        if h == bytes(512):
            break
        size = int(h[124:136].rstrip(b'\\0 ') or b'0', 8)
        if h[156:157] in (b'0', b'\\0'):
            n += 1
            if n == 3:
                f.seek(start + pos + 148)
                f.write(b'zzzzzz\\0 ')
                break
        pos += 512 + (size + 511) // 512 * 512
if n != 3:
    sys.exit('no third file header found')
`;

let session;
let dir;
let file;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pancake-damaged-'));
  execFileSync('python3', [MAKE, path.join(dir, 'ok.tar'), '24', '4']);
  file = path.join(dir, 'bad.tar');
  execFileSync('python3', ['-c', CORRUPT, path.join(dir, 'ok.tar'), file]);
  if (!fs.existsSync(CLI)) execFileSync('cargo', ['build', '-q', '-p', 'pancake-cli'], { cwd: REPO });
  session = await openSession();
});
after(async () => {
  await session?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a damaged layer hashed by a worker: unreadable as the CLI says, its mismatch listed too', { timeout: 120000 }, async () => {
  const cli = JSON.parse(execFileSync(CLI, ['inspect', '--json', file], { maxBuffer: 1 << 28 }));
  const want = cli.images[0].layers.map((l) => ({ state: l.verification, digest: l.digest }));
  assert.deepEqual(want.map((l) => l.state), ['unreadable', 'verified', 'verified', 'verified']);
  assert.ok(cli.problems.some((p) => p.kind === 'digest-mismatch'), 'the CLI lists the digest mismatch');

  const page = await session.newPage();
  await pickFile(page, file);
  await waitReady(page, { timeout: 90000 });
  // The stack lists the top layer first; read base first, as the CLI lists them.
  const got = await page.$$eval('[data-testid=layer]', (els) => els.reverse().map((e) => ({
    state: e.getAttribute('data-state'),
    digest: e.getAttribute('data-digest'),
  })));
  assert.deepEqual(got, want);
  // A screen reader hears each slab's verdict in its name, as the badge shows it.
  const names = await page.$$eval('[data-testid=layer]', (els) => els.reverse().map((e) => e.getAttribute('aria-label')));
  assert.deepEqual(names.map((n) => n.split(', ').pop()), ['unreadable', 'verified', 'verified', 'verified'], JSON.stringify(names));
  await page.locator('[data-testid=layer][data-index="0"]').click();
  const details = page.locator('[data-testid=layer-details]');
  await details.locator('[data-testid=unreadable]').waitFor();
  const reason = await details.locator('[data-testid=reason]').innerText();
  assert.match(reason, /unreadable at the header after entry/);
  // Its diff_id will never be computed: said so, not "pending…"; its digest (computed over
  // the stored blob, as the CLI's) is there to copy. The CLI has no diff_id for it either.
  assert.equal(cli.images[0].layers[0].diff_id ?? null, null);
  const diffId = details.locator('[data-testid=layer-diff-id]');
  assert.equal(await diffId.getAttribute('data-missing'), 'not-computed');
  assert.equal(await diffId.innerText(), 'not computed');
  assert.equal(await details.locator('[data-testid=layer-digest] code').innerText(), want[0].digest);
  const expected = await details.locator('[data-testid=expected]').allInnerTexts();
  const actual = await details.locator('[data-testid=actual]').allInnerTexts();
  assert.ok(expected.length >= 1, 'the mismatch is listed beside the reason');
  const saved = JSON.parse(execFileSync('python3', ['-c',
    'import tarfile,sys,json; t=tarfile.open(sys.argv[1]); print(json.dumps(max((m for m in t.getmembers() if m.isfile()), key=lambda m: m.size).name))',
    file]));
  assert.ok(expected.every((e) => e === `sha256:${path.basename(saved)}`), JSON.stringify(expected));
  assert.ok(actual.every((a) => a === want[0].digest), JSON.stringify(actual));
  assert.deepEqual(problemsOf(page), []);
  await page.close();
});
