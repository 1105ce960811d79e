'use strict';
// SHA-256 of a file in the page, read a slice at a time (WebCrypto has no incremental digest,
// and a 600 MiB file must not be read whole into the page to check it). A plain FIPS 180-4
// implementation, checked against node:crypto by `check` before it is trusted.

/** Installs `window.__sha256Blob(blob) → hex` in `page`. */
async function installSha256(page) {
  await page.evaluate(() => {
    const K = new Uint32Array([
      0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
      0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
      0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
      0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
      0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
      0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
      0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
      0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2]);
    class Sha256 {
      constructor() {
        this.h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
        this.w = new Uint32Array(64);
        this.tail = new Uint8Array(64);
        this.tailLen = 0;
        this.len = 0;
      }
      block(b, o) {
        const w = this.w;
        for (let i = 0; i < 16; i++) {
          w[i] = (b[o + 4 * i] << 24) | (b[o + 4 * i + 1] << 16) | (b[o + 4 * i + 2] << 8) | b[o + 4 * i + 3];
        }
        for (let i = 16; i < 64; i++) {
          const x = w[i - 15]; const y = w[i - 2];
          const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
          const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
          w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
        }
        const h = this.h;
        let a = h[0]; let bb = h[1]; let c = h[2]; let d = h[3]; let e = h[4]; let f = h[5]; let g = h[6]; let hh = h[7];
        for (let i = 0; i < 64; i++) {
          const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
          const ch = (e & f) ^ (~e & g);
          const t1 = (hh + S1 + ch + K[i] + w[i]) | 0;
          const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
          const maj = (a & bb) ^ (a & c) ^ (bb & c);
          const t2 = (S0 + maj) | 0;
          hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = bb; bb = a; a = (t1 + t2) | 0;
        }
        h[0] += a; h[1] += bb; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
      }
      update(bytes) {
        let i = 0;
        this.len += bytes.length;
        if (this.tailLen > 0) {
          while (this.tailLen < 64 && i < bytes.length) this.tail[this.tailLen++] = bytes[i++];
          if (this.tailLen < 64) return;
          this.block(this.tail, 0);
          this.tailLen = 0;
        }
        for (; i + 64 <= bytes.length; i += 64) this.block(bytes, i);
        while (i < bytes.length) this.tail[this.tailLen++] = bytes[i++];
      }
      hex() {
        const bits = this.len * 8;
        const pad = new Uint8Array(((this.tailLen < 56 ? 56 : 120) - this.tailLen) + 8);
        pad[0] = 0x80;
        const dv = new DataView(pad.buffer);
        dv.setUint32(pad.length - 8, Math.floor(bits / 0x100000000));
        dv.setUint32(pad.length - 4, bits >>> 0);
        const len = this.len;
        this.update(pad);
        this.len = len;
        return Array.from(this.h, (x) => x.toString(16).padStart(8, '0')).join('');
      }
    }
    window.__sha256Bytes = (bytes) => { const s = new Sha256(); s.update(bytes); return s.hex(); };
    window.__sha256Blob = async (blob) => {
      const s = new Sha256();
      const step = 8 << 20;
      for (let at = 0; at < blob.size; at += step) {
        s.update(new Uint8Array(await blob.slice(at, at + step).arrayBuffer()));
      }
      return s.hex();
    };
  });
}

/** Checks the page's SHA-256 against node's on a few lengths around the block edges. */
async function check(page, crypto) {
  for (const n of [0, 3, 55, 56, 63, 64, 65, 1000, 100003]) {
    const bytes = Buffer.alloc(n);
    for (let i = 0; i < n; i++) bytes[i] = (i * 31 + 7) & 255;
    const got = await page.evaluate((b64) => {
      const bin = atob(b64);
      const u = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);
      return window.__sha256Bytes(u);
    }, bytes.toString('base64'));
    const want = crypto.createHash('sha256').update(bytes).digest('hex');
    if (got !== want) throw new Error(`page sha256 of ${n} bytes: ${got}, node: ${want}`);
  }
}

module.exports = { installSha256, check };
