'use strict';
// Files "picked" through the page's real pick path: written into the origin-private file
// system (OPFS), whose handles the page's `showOpenFilePicker` then hands over, as if the
// person had picked them (Playwright cannot drive the browser's own picker).

/** Writes `files` ([name, bytes]) into the origin-private file system of the page's origin. */
async function writeOpfs(page, files) {
  for (const [name, bytes] of files) {
    await page.evaluate(async ({ name, b64 }) => {
      const bin = atob(b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      const root = await navigator.storage.getDirectory();
      const h = await root.getFileHandle(name, { create: true });
      const w = await h.createWritable();
      await w.write(bytes);
      await w.close();
    }, { name, b64: Buffer.from(bytes).toString('base64') });
  }
}

/** The page's picker hands over these OPFS files' handles; the Open button is clicked. */
async function pickFromOpfs(page, names) {
  await page.evaluate(async (names) => {
    const root = await navigator.storage.getDirectory();
    const handles = await Promise.all(names.map((n) => root.getFileHandle(n)));
    window.showOpenFilePicker = async () => handles;
  }, names);
  await page.locator('[data-testid=open-button]').click();
}

module.exports = { writeOpfs, pickFromOpfs };
