'use strict';
// Each way a worker can get the SHA-256 of a whole File from the browser's own code (which
// uses the CPU's SHA instructions), against only reading it:
//   read       the blob's stream, read to the end, nothing hashed (the reading's own cost)
//   webcrypto  `arrayBuffer()` then `crypto.subtle.digest` (one shot: WebCrypto cannot stream)
//   sri        `fetch` of a blob: URL with `integrity` (Subresource Integrity): the browser
//              hashes the body and fails the fetch when it does not match
onmessage = async (e) => {
  const { file, mode, integrity } = e.data;
  const t0 = performance.now();
  try {
    if (mode === 'read') {
      const reader = file.stream().getReader();
      for (;;) { const { done } = await reader.read(); if (done) break; }
    } else if (mode === 'webcrypto') {
      await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
    } else if (mode === 'sri') {
      const url = URL.createObjectURL(file);
      try {
        const response = await fetch(url, { integrity });
        await response.body.cancel();
      } finally { URL.revokeObjectURL(url); }
    }
    postMessage({ mode, ok: true, ms: performance.now() - t0 });
  } catch (err) {
    postMessage({ mode, ok: false, error: String(err), ms: performance.now() - t0 });
  }
};
