#!/usr/bin/env python3
"""Builds the fuzz seed corpora in fuzz/corpus/<target>/ from ../shared/fixtures and
../shared/field (read only: nothing there is run or written).

- archive_stream, archive_open: every tarball of at most MAX bytes, as it is.
- layer: every member of every tarball (big ones included) that is a layer blob (tar, gzip
  or zstd by magic bytes) of at most MAX bytes, behind the target's mode byte: a tar as 0
  (walk + walk_headers), 2 (gzip-compressed by the target) and 3 (zstd); any blob as 1
  (member::process sniffs and decompresses it).
- container: one seed per demo (mode byte < 0x80, then a fixed op stream) and the small
  tarballs behind mode 0x80 and their length.
- every target: the inputs it found before, kept in
  crates/pancake-core/tests/fuzz-regressions/<target>/, so each run replays them first.

Usage: fuzz-seeds.py [SHARED_DIR] (default: ../shared beside the repository). Idempotent:
seed files are named by the sha1 of their content, as libFuzzer names corpus files.
"""
import hashlib
import io
import os
import struct
import sys
import tarfile

MAX = 64 * 1024
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared")
OUT = os.path.join(ROOT, "fuzz", "corpus")


def put(target, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def is_tar(b):
    return len(b) >= 262 and b[257:262] == b"ustar"


def is_gzip(b):
    return b[:2] == b"\x1f\x8b"


def is_zstd(b):
    return b[:4] == b"\x28\xb5\x2f\xfd"


def tarballs():
    for sub in ("fixtures", "field"):
        d = os.path.join(SHARED, sub)
        if not os.path.isdir(d):
            continue
        for n in sorted(os.listdir(d)):
            if n.endswith((".tar", ".tar.gz")):
                yield os.path.join(d, n)


def members(path):
    try:
        with tarfile.open(path) as t:
            for m in t.getmembers():
                if m.isfile() and m.size <= MAX:
                    f = t.extractfile(m)
                    if f is not None:
                        yield f.read()
    except (tarfile.TarError, OSError, EOFError, ValueError) as e:
        print(f"  {os.path.basename(path)}: stops early ({e})", file=sys.stderr)


# A fixed op stream for `arbitrary`: enough bytes for several edits of each kind.
OPS = bytes(range(256)) * 2

counts = {}
for path in tarballs():
    size = os.path.getsize(path)
    whole = open(path, "rb").read() if size <= MAX else None
    if whole is not None:
        for t in ("archive_stream", "archive_open"):
            put(t, whole)
        put("container", b"\x80" + struct.pack("<I", len(whole)) + whole + OPS)
    for blob in members(path):
        if is_tar(blob):
            for mode in (0, 2, 3):
                put("layer", bytes([mode]) + blob)
        if is_tar(blob) or is_gzip(blob) or is_zstd(blob):
            put("layer", b"\x01" + blob)
for demo in range(8):
    put("container", bytes([demo]) + OPS)
# What the targets found before: libFuzzer runs its corpus first, so every run of a target
# (the test command's minute too) replays them.
REGRESSIONS = os.path.join(ROOT, "crates", "pancake-core", "tests", "fuzz-regressions")
for t in sorted(os.listdir(REGRESSIONS)) if os.path.isdir(REGRESSIONS) else []:
    d = os.path.join(REGRESSIONS, t)
    for n in sorted(os.listdir(d)):
        p = os.path.join(d, n)
        if os.path.isfile(p):
            put(t, open(p, "rb").read())
for t in sorted(os.listdir(OUT)):
    print(f"{t}: {len(os.listdir(os.path.join(OUT, t)))} seeds")
