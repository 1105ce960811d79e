#!/usr/bin/env python3
"""Trunk post-build hook (Trunk.toml [[hooks]]): puts the SHA-256 of each inline <script> of
the built index.html into its Content-Security-Policy, in place of the placeholder
'inline-script-hashes', so the policy needs no 'unsafe-inline' for scripts: Trunk's own
loader runs, a script injected into the page does not.

It also drops the `integrity` attribute Trunk puts on the `<link rel="preload" as="fetch">` of
the app's wasm: browsers ignore subresource integrity for that destination and Chromium says so
in a console warning on every load (the wasm is fetched from 'self' only, by the CSP above).

Reads and rewrites $TRUNK_STAGING_DIR/index.html (or the path given as the first argument).
Fails (non-zero, the build with it) when the placeholder or the inline loader is missing, so
a page never ships with a policy that was not filled in.
"""
import base64
import hashlib
import os
import re
import sys

PLACEHOLDER = "'inline-script-hashes'"

path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.environ["TRUNK_STAGING_DIR"], "index.html")
with open(path, encoding="utf-8") as f:
    html = f.read()
if html.count(PLACEHOLDER) != 1:
    sys.exit(f"csp_hashes: {path} must hold {PLACEHOLDER} once in its Content-Security-Policy")
# Inline scripts: <script ...> without src=; the hash is over the exact text between the tags.
bodies = [m.group(2) for m in re.finditer(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
          if not re.search(r"\bsrc\s*=", m.group(1))]
if not bodies:
    sys.exit(f"csp_hashes: {path} has no inline loader script (did Trunk change how it loads the app?)")
hashes = " ".join("'sha256-%s'" % base64.b64encode(hashlib.sha256(b.encode("utf-8")).digest()).decode()
                  for b in bodies)
html = html.replace(PLACEHOLDER, hashes)
html = re.sub(r'(<link\b(?=[^>]*\brel="preload")(?=[^>]*\bas="fetch")[^>]*?)\s+integrity="[^"]*"',
              r"\1", html)
with open(path, "w", encoding="utf-8") as f:
    f.write(html)
print(f"csp_hashes: {len(bodies)} inline script(s) allowed by hash in {path}")
