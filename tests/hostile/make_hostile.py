#!/usr/bin/env python3
"""Writes hostile.tar: a small `docker save` tarball whose names and strings try to turn the
page or the terminal against its user (HTML/script injection, javascript: URLs, bidi
overrides, terminal escape sequences, bytes that are not UTF-8, a literal backslash), and
hostile.expected.json: what a correct reader shows, names in Pancake's escaped form
(README, "Names are bytes").

usage: python3 tests/hostile/make_hostile.py [OUT_DIR]   (default: target/hostile)
Deterministic: a fixed seed for file contents and fixed mtimes, so the bytes (and digests)
are the same on every run; nothing big is stored in the repository.
"""
import hashlib
import io
import json
import os
import random
import sys
import tarfile

SEED = 11
MTIME = 1700000000
rng = random.Random(SEED)


def raw(b):
    """A str tarfile writes back as exactly these bytes (PAX hdrcharset=BINARY if needed)."""
    return b.decode("utf-8", "surrogateescape")


def escape_name(b):
    """Pancake's escaped form of a name (crates/pancake-core/src/escape.rs)."""
    out = []
    hidden = lambda c: (ord(c) <= 0x1F or 0x7F <= ord(c) <= 0x9F or ord(c) in (0x61C, 0x200E, 0x200F)
                        or 0x2028 <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069)
    s = b.decode("utf-8", "surrogateescape")
    for c in s:
        n = ord(c)
        if 0xDC80 <= n <= 0xDCFF:
            out.append("\\x%02x" % (n - 0xDC00))
        elif c == "\\":
            out.append("\\\\")
        elif hidden(c):
            out.append("\\x%02x" % n if n < 0x80 else "\\u{%x}" % n)
        else:
            out.append(c)
    return "".join(out)


def layer(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT,
                      encoding="utf-8", errors="surrogateescape") as t:
        for kind, name, data in entries:
            ti = tarfile.TarInfo(raw(name))
            ti.mtime = MTIME
            ti.uname = ti.gname = "root"
            if kind == "dir":
                ti.type, ti.mode = tarfile.DIRTYPE, 0o755
                t.addfile(ti)
            elif kind == "symlink":
                ti.type, ti.mode, ti.linkname = tarfile.SYMTYPE, 0o777, raw(data)
                t.addfile(ti)
            else:
                ti.mode, ti.size = 0o644, len(data)
                t.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def filler(n):
    return bytes(rng.choice(b"abcdefghij \n") for _ in range(n))


XSS = b"<img src=x onerror=alert(1)>"
NAMES = {
    "xss": b"hostile/" + XSS + b".txt",
    "js": b"hostile/javascript:alert(1)",
    "rtl": "hostile/invoice\u202egpj.exe".encode(),
    "term": b"hostile/bell\x07esc\x1b[31mred\x1b[0m",
    "newline": b"hostile/two\nlines",
    "latin_e_acute": b"hostile/caf\xe9.txt",
    "latin_e_grave": b"hostile/caf\xe8.txt",
    "backslash": b"hostile/caf\\xe9.txt",
    "link": b"hostile/link",
    "script_dir": b"hostile/<svg><script>alert(2)<!--",
}
LINK_TARGET = b"<svg onload=alert(3)>"

l0 = layer([
    ("dir", b"hostile", None),
    ("file", NAMES["xss"], b"<script>alert(4)</script>\n" + filler(40)),
    ("file", NAMES["js"], b"javascript:alert(5)\n"),
    ("file", NAMES["rtl"], filler(30)),
    ("file", NAMES["term"], b"\x1b]0;pwned\x07\x1b[2J\n"),
    ("file", NAMES["newline"], filler(12)),
    ("file", NAMES["latin_e_acute"], b"A" * 10 + b"\n"),
    ("file", NAMES["latin_e_grave"], b"B" * 21 + b"\n"),
    ("file", NAMES["backslash"], b"C" * 32 + b"\n"),
    ("symlink", NAMES["link"], LINK_TARGET),
])
l1 = layer([
    ("dir", b"hostile", None),
    ("dir", NAMES["script_dir"], None),
    ("file", NAMES["script_dir"] + b"/x.txt", b"<iframe src=javascript:alert(6)>\n"),
    ("file", b"hostile/.wh.javascript:alert(1)", b""),
])

CREATED_BY = [
    '/bin/sh -c #(nop) ADD file:<img src=x onerror=alert(7)> in / ',
    '/bin/sh -c echo "\x1b]0;pwned\x07\x1b[2J" > /x && echo \u202eevil\u202c',
]
config = {
    "architecture": "amd64",
    "os": "linux",
    "created": "2024-01-02T03:04:05Z",
    "config": {
        "Env": ["EVIL=<b onmouseover=alert(8)>x</b>", "BELL=\x07\x1b[31m", "RTL=\u202eabc"],
        "Labels": {"<script>alert(9)</script>": "javascript:alert(10)",
                   "org.example.rtl\u202e": "\x1b[2Jcleared"},
        "Cmd": ["/bin/sh", "-c", "<img src=x onerror=alert(11)>"],
        "WorkingDir": "/<u>w</u>",
    },
    "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(l).hexdigest() for l in (l0, l1)]},
    "history": [
        {"created": "2024-01-02T03:04:05Z", "created_by": CREATED_BY[0], "comment": "<i>c</i>\u202e"},
        {"created": "2024-01-02T03:04:06Z", "created_by": CREATED_BY[1]},
    ],
}
config_bytes = json.dumps(config, separators=(",", ":")).encode()
config_hex = hashlib.sha256(config_bytes).hexdigest()
TAGS = ["evil/<img src=x onerror=alert(12)>:latest", "rtl\u202egnp:1"]
layer_paths = []
members = [(config_hex + ".json", config_bytes)]
for l in (l0, l1):
    h = hashlib.sha256(l).hexdigest()
    layer_paths.append(h + "/layer.tar")
    members += [(h + "/VERSION", b"1.0"), (h + "/layer.tar", l)]
manifest = [{"Config": config_hex + ".json", "RepoTags": TAGS, "Layers": layer_paths}]
members.append(("manifest.json", json.dumps(manifest).encode()))

out = io.BytesIO()
with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as t:
    for name, data in members:
        ti = tarfile.TarInfo(name)
        ti.mtime, ti.mode, ti.size = MTIME, 0o644, len(data)
        t.addfile(ti, io.BytesIO(data))

out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join("target", "hostile")
os.makedirs(out_dir, exist_ok=True)
with open(os.path.join(out_dir, "hostile.tar"), "wb") as f:
    f.write(out.getvalue())
expected = {
    "file": "hostile.tar",
    "why": "every string from the file is shown as text; names in the escaped form (\\xNN for bytes that are not UTF-8, control and bidi characters escaped, \\\\ for a backslash)",
    "tags": TAGS,
    "diff_ids": config["rootfs"]["diff_ids"],
    "names": {k: escape_name(v) for k, v in NAMES.items()},
    "layer0_names": sorted(escape_name(n) for n in [b"hostile"] + [NAMES[k] for k in
                           ("xss", "js", "rtl", "term", "newline", "latin_e_acute", "latin_e_grave", "backslash", "link")]),
    "link_target": escape_name(LINK_TARGET),
    "created_by": CREATED_BY,
    "labels": config["config"]["Labels"],
    "env": config["config"]["Env"],
}
with open(os.path.join(out_dir, "hostile.expected.json"), "w", encoding="utf-8") as f:
    json.dump(expected, f, indent=1, ensure_ascii=True)
print(os.path.join(out_dir, "hostile.tar"))
