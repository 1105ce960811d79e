#!/usr/bin/env python3
"""Writes the hostile-file suite (issue 11, "Hostile files") into OUTDIR.

    python3 tests/hostile/generate.py OUTDIR [--only CASE,CASE...]

Standard library only and seeded, so the suite stores no megabyte bombs: every case is a small
image tarball rebuilt byte for byte on each run. Each tarball is built around a valid image
(tag `hostile/valid:1`, two layers), so a reader can be checked for still showing the rest of
the archive; most cases add a second image (`hostile/case:1`) that shares the valid base layer
and carries the hostile layer(s) on top.

For each case NAME the script writes:
  NAME.tar         the input
  NAME.facts.json  what the generator knows about the bytes (members, digests, sizes, entry
                   names), computed here from the bytes it wrote, never by asking Pancake.
The expected outcome of each case (problem kinds, exit status, ...) is not here: it lives in
one table in `run.py`.

Large repeated runs ("1 GiB of `a`", "5 GiB of zeros") are never held in memory: a gzip
stream compresses one 1 MiB chunk after a full flush (which resets the compressor's history,
so every later identical chunk compresses to the same bytes) and repeats its output; the
CRC-32 of the repetition is combined arithmetically (zlib's crc32_combine). Zstandard runs
are RLE blocks, written by hand (RFC 8878 section 3.1.1.2).
"""

import argparse
import hashlib
import json
import os
import random
import sys
import time
import zlib

SEED = 11  # issue 11
MTIME = 1714557600  # 2024-05-01T10:00:00Z
CREATED = "2024-05-01T10:00:00Z"
BLOCK = 512
MIB = 1 << 20
GIB = 1 << 30
VALID_TAG = "hostile/valid:1"
CASE_TAG = "hostile/case:1"


# --------------------------------------------------------------------------- tar blocks


def pad(b: bytes) -> bytes:
    return b + b"\0" * ((-len(b)) % BLOCK)


def octal(n: int, width: int) -> bytes:
    """A NUL-terminated octal field of `width` bytes."""
    s = b"%o" % n
    if len(s) > width - 1:
        raise ValueError(f"{n} does not fit an octal field of {width}")
    return s.rjust(width - 1, b"0") + b"\0"


def base256(n: int, width: int = 12) -> bytes:
    """GNU base-256 numeric field: first byte 0x80, then big-endian."""
    body = n.to_bytes(width, "big")
    if body[0] != 0:
        raise ValueError("too large for base-256 field")
    return bytes([0x80]) + body[1:]


def header(name: bytes, size: int = 0, typeflag: bytes = b"0", linkname: bytes = b"",
           mode: int = 0o644, size_field: bytes = None, gnu: bool = False) -> bytes:
    """One 512-byte tar header (POSIX ustar magic, or GNU's `ustar  ` when `gnu`).
    Names longer than 100 bytes must go through a PAX or GNU long-name record first."""
    if len(name) > 100 or len(linkname) > 100:
        raise ValueError("name or link longer than 100 bytes: use pax() or gnu_long()")
    h = bytearray(BLOCK)
    h[0:len(name)] = name
    h[100:108] = octal(mode, 8)
    h[108:116] = octal(0, 8)
    h[116:124] = octal(0, 8)
    h[124:136] = size_field if size_field is not None else octal(size, 12)
    h[136:148] = octal(MTIME, 12)
    h[148:156] = b" " * 8
    h[156:157] = typeflag
    h[157:157 + len(linkname)] = linkname
    h[257:265] = b"ustar  \0" if gnu else b"ustar\x0000"
    chk = sum(h)
    h[148:156] = b"%06o\0 " % chk
    return bytes(h)


def pax_records(**kv) -> bytes:
    """PAX extended header data: `LEN key=value\\n` records (POSIX.1-2001 pax format)."""
    out = b""
    for k, v in kv.items():
        k = k.encode() if isinstance(k, str) else k
        v = v.encode() if isinstance(v, str) else v
        body = b" " + k + b"=" + v + b"\n"
        n = len(body) + 1
        while len(str(n).encode()) + len(body) != n:
            n += 1
        out += str(n).encode() + body
    return out


def pax(records: bytes) -> bytes:
    return header(b"PaxHeaders.0/entry", len(records), b"x") + pad(records)


def file_entry(name, data: bytes = b"", mode=0o644) -> bytes:
    name = name.encode("utf-8", "surrogateescape") if isinstance(name, str) else name
    pre = b""
    if len(name) > 100:
        pre = pax(pax_records(path=name))
        name = name[:100]
    return pre + header(name, len(data), b"0", mode=mode) + pad(data)


def dir_entry(name) -> bytes:
    name = name.encode("utf-8", "surrogateescape") if isinstance(name, str) else name
    pre = b""
    if len(name) > 100:
        pre = pax(pax_records(path=name))
        name = name[:100]
    return pre + header(name, 0, b"5", mode=0o755)


def link_entry(name, target, hard: bool) -> bytes:
    enc = lambda s: s.encode("utf-8", "surrogateescape") if isinstance(s, str) else s
    name, target = enc(name), enc(target)
    recs = {}
    if len(name) > 100:
        recs["path"] = name
        name = name[:100]
    if len(target) > 100:
        recs["linkpath"] = target
        target = target[:100]
    pre = pax(pax_records(**recs)) if recs else b""
    return pre + header(name, 0, b"1" if hard else b"2", target, mode=0o777)


END = b"\0" * (2 * BLOCK)


class Fill:
    """`n` copies of one byte, never materialised."""

    def __init__(self, byte: int, n: int):
        self.byte, self.n = byte, n


# --------------------------------------------------------------------------- CRC-32 combine
# zlib's crc32_combine (GF(2) matrix method), so the CRC of gigabytes of one byte is computed
# without reading them.


def _gf2_times(mat, vec):
    s, i = 0, 0
    while vec:
        if vec & 1:
            s ^= mat[i]
        vec >>= 1
        i += 1
    return s


def _gf2_square(mat):
    return [_gf2_times(mat, mat[n]) for n in range(32)]


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    if len2 <= 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]
    even = _gf2_square(odd)
    odd = _gf2_square(even)
    while True:
        even = _gf2_square(odd)
        if len2 & 1:
            crc1 = _gf2_times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = _gf2_square(even)
        if len2 & 1:
            crc1 = _gf2_times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


def crc32_repeat(crc_chunk: int, chunk_len: int, times: int) -> int:
    """CRC-32 of a chunk repeated `times` times, by doubling."""
    result, have = None, 0
    acc, acc_len = crc_chunk, chunk_len
    while times:
        if times & 1:
            result = acc if result is None else crc32_combine(result, acc, acc_len)
        times >>= 1
        if times:
            acc = crc32_combine(acc, acc, acc_len)
            acc_len *= 2
    return 0 if result is None else result


# --------------------------------------------------------------------------- compressors


class Plain:
    def __init__(self):
        self.parts = []

    def write(self, b):
        self.parts.append(b)

    def fill(self, byte, n):
        if n > 64 * MIB:
            raise ValueError("an uncompressed fill this large would be stored whole")
        self.parts.append(bytes([byte]) * n)

    def finish(self):
        return b"".join(self.parts)


class Gzip:
    """A gzip member (RFC 1952) with a deterministic header (mtime 0, no name)."""

    CHUNK = MIB

    def __init__(self, level=9):
        self.c = zlib.compressobj(level, zlib.DEFLATED, -15, 9)
        self.parts = [b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"]
        self.crc = 0
        self.size = 0

    def write(self, b):
        if b:
            self.parts.append(self.c.compress(b))
            self.crc = zlib.crc32(b, self.crc)
            self.size += len(b)

    def fill(self, byte, n):
        chunk = bytes([byte]) * self.CHUNK
        q, r = divmod(n, self.CHUNK)
        if q >= 3:
            self.parts.append(self.c.flush(zlib.Z_FULL_FLUSH))
            a = self.c.compress(chunk) + self.c.flush(zlib.Z_FULL_FLUSH)
            b = self.c.compress(chunk) + self.c.flush(zlib.Z_FULL_FLUSH)
            if a != b:
                raise RuntimeError("zlib did not repeat itself after a full flush")
            self.parts.append(a * q)
            self.crc = crc32_combine(self.crc, crc32_repeat(zlib.crc32(chunk), self.CHUNK, q),
                                     q * self.CHUNK)
            self.size += q * self.CHUNK
        else:
            for _ in range(q):
                self.write(chunk)
        self.write(chunk[:r])

    def finish(self):
        self.parts.append(self.c.flush(zlib.Z_FINISH))
        self.parts.append(self.crc.to_bytes(4, "little") + (self.size & 0xFFFFFFFF).to_bytes(4, "little"))
        return b"".join(self.parts)


class Zstd:
    """A Zstandard frame of raw and RLE blocks only (RFC 8878): no content size, no checksum,
    window 128 KiB, so every block is at most 128 KiB."""

    MAX_BLOCK = 128 * 1024

    def __init__(self):
        # Magic, frame header descriptor 0 (no FCS, not single-segment, no checksum, no
        # dictionary), window descriptor: exponent 7 -> 2^17 bytes.
        self.parts = [b"\x28\xb5\x2f\xfd", b"\x00", bytes([7 << 3])]

    @staticmethod
    def _block(kind, size, last=False):
        v = (1 if last else 0) | (kind << 1) | (size << 3)
        return v.to_bytes(3, "little")

    def write(self, b):
        for i in range(0, len(b), self.MAX_BLOCK):
            part = b[i:i + self.MAX_BLOCK]
            self.parts.append(self._block(0, len(part)) + part)

    def fill(self, byte, n):
        q, r = divmod(n, self.MAX_BLOCK)
        self.parts.append((self._block(1, self.MAX_BLOCK) + bytes([byte])) * q)
        if r:
            self.parts.append(self._block(1, r) + bytes([byte]))

    def finish(self):
        self.parts.append(self._block(0, 0, last=True))
        return b"".join(self.parts)


MEDIA = {
    "none": "application/vnd.oci.image.layer.v1.tar",
    "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
    "zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
}


class Layer:
    """A layer blob built from segments (bytes or Fill). `diff_id` and `size` are computed over
    the uncompressed stream; `trailing` is appended after the compressed stream (garbage)."""

    def __init__(self, segments, compression="none", trailing=b"", entries=None,
                 whiteouts=0, opaque_dirs=0, level=9, hash_fills=True):
        comp = {"none": Plain, "gzip": lambda: Gzip(level), "zstd": Zstd}[compression]()
        h = hashlib.sha256()
        size = 0
        for s in segments:
            if isinstance(s, Fill):
                comp.fill(s.byte, s.n)
                size += s.n
                if hash_fills:
                    chunk = memoryview(bytes([s.byte]) * MIB)
                    q, r = divmod(s.n, MIB)
                    for _ in range(q):
                        h.update(chunk)
                    h.update(chunk[:r])
            else:
                comp.write(s)
                h.update(s)
                size += len(s)
        self.blob = comp.finish() + trailing
        # A layer too large to hash here (a bomb) keeps an honest marker instead of a diff_id:
        # no bounded reader can check the claim anyway.
        self.diff_id = "sha256:" + h.hexdigest() if hash_fills else \
            "sha256:" + hashlib.sha256(b"hostile: not hashed, larger than any limit").hexdigest()
        self.digest = "sha256:" + hashlib.sha256(self.blob).hexdigest()
        self.size = size
        self.compression = compression
        self.media_type = MEDIA[compression]
        self.entries = entries
        self.whiteouts = whiteouts
        self.opaque_dirs = opaque_dirs

    @property
    def member(self):
        return "blobs/sha256/" + self.digest[7:]

    def facts(self):
        return {"member": self.member, "diff_id": self.diff_id, "digest": self.digest,
                "size": self.size, "stored_size": len(self.blob), "media_type": self.media_type,
                "entries": self.entries, "whiteouts": self.whiteouts,
                "opaque_dirs": self.opaque_dirs}


def jdump(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def sha(b: bytes) -> str:
    return "sha256:" + hashlib.sha256(b).hexdigest()


class Image:
    def __init__(self, tag, layers, history=None, config_extra=None, config_blob=None):
        self.tag = tag
        self.layers = layers
        hist = history or [{"created": CREATED, "created_by": f"layer {i}"}
                           for i in range(len(layers))]
        cfg = {"architecture": "amd64", "os": "linux", "created": CREATED,
               "config": {"Env": ["PATH=/usr/bin:/bin"], "Cmd": ["/bin/sh"]},
               "rootfs": {"type": "layers", "diff_ids": [l.diff_id for l in layers]},
               "history": hist}
        if config_extra:
            cfg["config"].update(config_extra)
        self.config = config_blob if config_blob is not None else jdump(cfg)
        self.config_digest = sha(self.config)
        self.manifest = jdump({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": self.config_digest, "size": len(self.config)},
            "layers": [{"mediaType": l.media_type, "digest": l.digest, "size": len(l.blob)}
                       for l in layers],
        })
        self.manifest_digest = sha(self.manifest)

    def descriptor(self):
        return {"mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": self.manifest_digest, "size": len(self.manifest),
                "annotations": {"io.containerd.image.name": "docker.io/" + self.tag,
                                "org.opencontainers.image.ref.name": self.tag.split(":")[-1]}}

    def facts(self):
        return {"tag": self.tag, "config_digest": self.config_digest,
                "config_member": "blobs/sha256/" + self.config_digest[7:],
                "manifest_member": "blobs/sha256/" + self.manifest_digest[7:],
                "layers": [l.facts() for l in self.layers]}


def blob_path(digest: str) -> str:
    return "blobs/sha256/" + digest[7:]


def write_archive(path, images, fmt="docker25", index=None, manifest_json=None, extra=(),
                  end=END, cut_at=None):
    """The outer tarball. `fmt`: `docker25` (oci-layout, index.json, manifest.json and blobs,
    as Docker 25+ saves), `oci` (no manifest.json: podman/skopeo oci-archive), `legacy`
    (manifest.json only). `index`/`manifest_json` replace the generated JSON; `extra` adds
    (name, bytes) blobs; `end` is what follows the last member; `cut_at` truncates the file."""
    members = []
    if fmt in ("docker25", "oci"):
        members.append(("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'))
    blobs = {}
    for img in images:
        for l in img.layers:
            blobs[l.member] = l.blob
        blobs[blob_path(img.config_digest)] = img.config
        if fmt != "legacy":
            blobs[blob_path(img.manifest_digest)] = img.manifest
    for name, data in extra:
        blobs[name] = data
    members.append(("blobs/", None))
    members.append(("blobs/sha256/", None))
    for name in sorted(blobs):
        members.append((name, blobs[name]))
    if fmt in ("docker25", "oci"):
        idx = index if index is not None else jdump({
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [img.descriptor() for img in images]})
        members.append(("index.json", idx))
    if fmt in ("docker25", "legacy"):
        mj = manifest_json if manifest_json is not None else jdump([
            {"Config": blob_path(img.config_digest), "RepoTags": [img.tag],
             "Layers": [l.member for l in img.layers]} for img in images])
        members.append(("manifest.json", mj))
    with open(path, "wb") as f:
        for name, data in members:
            if data is None:
                f.write(header(name.encode(), 0, b"5", mode=0o755))
            else:
                f.write(header(name.encode(), len(data), b"0"))
                f.write(pad(data))
        f.write(end)
    if cut_at is not None:
        with open(path, "r+b") as f:
            f.truncate(cut_at)


# --------------------------------------------------------------------------- the valid image

BASE_FILES = [("etc/hostname", b"hostile\n"), ("bin/sh", b"#!not really a shell\n" * 20)]


def base_layer():
    segs = [dir_entry("bin/"), dir_entry("etc/")] + [file_entry(n, d) for n, d in BASE_FILES]
    return Layer(segs + [END], "none", entries=4)


def app_layer():
    segs = [dir_entry("app/"), file_entry("app/hello.txt", b"hello from the valid image\n"),
            file_entry("app/data.bin", bytes(range(256)) * 8)]
    return Layer(segs + [END], "gzip", entries=3)


def valid_image():
    return Image(VALID_TAG, [base_layer(), app_layer()],
                 history=[{"created": CREATED, "created_by": "COPY base/ / # buildkit"},
                          {"created": CREATED, "created_by": "COPY app/ /app # buildkit"}])


def case_image(hostile_layers, **kw):
    """The second image: the valid base layer (shared) and the hostile layer(s) on top."""
    return Image(CASE_TAG, [base_layer()] + hostile_layers, **kw)


BEFORE = [("before/0.txt", b"listed before the hostile entry\n")]
AFTER = [("after/1.txt", b"listed after the hostile entry\n"), ("after/2.txt", b"two\n")]


def around(middle, compression="gzip", n_middle_entries=0, **kw):
    """A layer: BEFORE entries, the hostile segments, AFTER entries, end blocks."""
    segs = [file_entry(n, d) for n, d in BEFORE] + list(middle) + \
        [file_entry(n, d) for n, d in AFTER] + [END]
    return Layer(segs, compression, entries=len(BEFORE) + len(AFTER) + n_middle_entries, **kw)


# --------------------------------------------------------------------------- cases

CASES = {}


def case(fn):
    CASES[fn.__name__.replace("_", "-")] = fn
    return fn


def standard(path, layers, fmt="docker25", **kw):
    v = valid_image()
    c = case_image(layers, **kw)
    write_archive(path, [v, c], fmt)
    return {"valid": v.facts(), "case": c.facts(), "layer": layers[0].member}


# 1. Index cycles. A blob cannot contain its own digest, so every cycle needs one blob whose
# file name is not its content's digest: the hostile index is stored under a fixed fake name.

FAKE = "sha256:" + "c1c1e" * 12 + "c1c1"  # 64 hex digits


def index_blob(refs):
    """An image index whose manifests are the (digest, size) pairs `refs`, all indexes."""
    return jdump({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                  "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json",
                                 "digest": d, "size": n} for d, n in refs]})


def solve_size(build):
    """`build(size_of_a)` returns (a, other blobs); find the size at which A's own length is
    the size it claims (descriptor sizes must be right, or a reader may stop for that)."""
    guess = 0
    for _ in range(10):
        a, others = build(guess)
        if len(a) == guess:
            return a, others
        guess = len(a)
    raise RuntimeError("descriptor size did not settle")


def cycle_archive(path, top_refs, blobs):
    """OCI archive: index.json names the valid image and `top_refs` (digests of `blobs`)."""
    v = valid_image()
    sizes = {n: len(d) for n, d in blobs}
    idx = jdump({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                 "manifests": [v.descriptor()] + [
                     {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": d,
                      "size": sizes[blob_path(d)]} for d in top_refs]})
    write_archive(path, [v], "oci", index=idx, extra=blobs)
    return {"valid": v.facts(), "cycle": ["index.json"] + [n for n, _ in blobs],
            "cycle_refs": len(top_refs)}


@case
def index_cycle_self(path):
    """index.json -> A, and A (stored as blobs/sha256/FAKE) lists FAKE: A names itself."""
    a, _ = solve_size(lambda s: (index_blob([(FAKE, s)]), []))
    return cycle_archive(path, [FAKE], [(blob_path(FAKE), a)])


@case
def index_cycle_pair(path):
    """index.json -> A -> B -> A (A stored under FAKE, B under its true digest)."""
    def build(s):
        b = index_blob([(FAKE, s)])
        return index_blob([(sha(b), len(b))]), [b]
    a, (b,) = solve_size(build)
    return cycle_archive(path, [FAKE], [(blob_path(FAKE), a), (blob_path(sha(b)), b)])


@case
def index_cycle_repeated(path):
    """index.json names the cycle three times; A lists itself twice and B twice, B lists A twice."""
    def build(s):
        b = index_blob([(FAKE, s), (FAKE, s)])
        return index_blob([(FAKE, s), (sha(b), len(b)), (FAKE, s), (sha(b), len(b))]), [b]
    a, (b,) = solve_size(build)
    return cycle_archive(path, [FAKE, FAKE, FAKE], [(blob_path(FAKE), a), (blob_path(sha(b)), b)])


@case
def index_chain_deep(path):
    """No cycle: 21 correctly named indexes, each naming the next; the last names nothing."""
    blobs = []
    cur = index_blob([])
    for _ in range(20):
        blobs.append((blob_path(sha(cur)), cur))
        cur = index_blob([(sha(cur), len(cur))])
    blobs.append((blob_path(sha(cur)), cur))
    return cycle_archive(path, [sha(cur)], blobs)


# 2. One extension record of 1 GiB in a ~1 MB gzip layer.

def long_record_layer(kind):
    n = GIB
    if kind == "gnu-name":
        mid = [header(b"././@LongLink", n, b"L", gnu=True), Fill(ord("a"), n),
               header(b"victim/short-name", 5, b"0", gnu=True), pad(b"data\n")]
    elif kind == "gnu-link":
        mid = [header(b"././@LongLink", n, b"K", gnu=True), Fill(ord("a"), n),
               header(b"victim/link", 0, b"2", b"short-target", gnu=True)]
    else:  # pax path of 1 GiB: "LEN path=aaaa...\n"
        body_len = len(b" path=\n") + n
        total = body_len + 1
        while len(str(total)) + body_len != total:
            total += 1
        mid = [header(b"PaxHeaders.0/victim", total, b"x"),
               str(total).encode() + b" path=", Fill(ord("a"), n), b"\n",
               b"\0" * ((-total) % BLOCK),
               header(b"victim/short-name", 5, b"0"), pad(b"data\n")]
    # Entry counts of the other members only: what the hostile entry counts as is the case.
    return around(mid, "gzip", n_middle_entries=0)


@case
def longname_gnu_1g(path):
    return standard(path, [long_record_layer("gnu-name")])


@case
def longlink_gnu_1g(path):
    return standard(path, [long_record_layer("gnu-link")])


@case
def longname_pax_1g(path):
    return standard(path, [long_record_layer("pax")])


@case
def outer_longname_1g(path):
    """The outer .tar.gz itself (not a layer) ends with a GNU long-name record of 1 GiB (a few
    MB of gzip): the valid image is listed, the record is refused before it is buffered."""
    return long_name_behind(path, b"", "manifest.json")


def long_name_behind(path, head: bytes, last_member: str):
    """The valid image in a .tar.gz, then `head`, then a 1 GiB GNU long name (a few MB of
    gzip) and a member after it: a reader that buffers the record takes a gigabyte."""
    v = valid_image()
    write_archive(path, [v], "docker25", end=b"")
    with open(path, "rb") as f:
        plain = f.read()
    z = Gzip()
    z.write(plain)
    z.write(head)
    z.write(header(b"././@LongLink", GIB, b"L", gnu=True))
    z.fill(ord("a"), GIB)
    z.write(header(b"victim", 5, b"0", gnu=True) + pad(b"data\n") + END)
    with open(path, "wb") as f:
        f.write(z.finish())
    return {"valid": v.facts(), "last_member": last_member}


def retyped(h: bytes, magic_version: bytes = None, prefix: bytes = None) -> bytes:
    """Header `h` with other magic and version bytes (257..265) or a name prefix (345..), its
    checksum made again."""
    h = bytearray(h)
    if magic_version is not None:
        h[257:265] = magic_version
    if prefix is not None:
        h[345:345 + len(prefix)] = prefix
    h[148:156] = b" " * 8
    h[148:156] = b"%06o\0 " % sum(h)
    return bytes(h)


def raw_pax(*records) -> bytes:
    """A PAX `x` header and its data from (key, value) records in order, keys repeated as
    given (`pax_records` takes each key once)."""
    data = b"".join(pax_records(**{k: v}) for k, v in records)
    return pax(data)


def ambiguous_after_valid(path, tail: bytes, gzip=False):
    """The valid image, then `tail`: headers Go's archive/tar and the tar crate read
    differently, each hiding another manifest.json from one of them."""
    v = valid_image()
    write_archive(path, [v], "docker25", end=b"")
    with open(path, "rb") as f:
        plain = f.read() + tail
    if gzip:
        z = Gzip()
        z.write(plain)
        plain = z.finish()
    with open(path, "wb") as f:
        f.write(plain)
    return {"valid": v.facts(), "last_member": "manifest.json"}


OTHER_MANIFEST = b'[{"Config":"blobs/sha256/00","RepoTags":["hidden/other:1"],"Layers":[]}]'


@case
def outer_pax_size_twice(path):
    """A PAX header gives the member after it `size` twice (0, then past a 1 GiB GNU long
    name): the tar crate takes the first, Go the last. The guard that refuses outer records
    over 1 MiB took the long name for data, and the crate buffered it (a reviewer's 256 KB
    .tar.gz cost 1.7 GB). Refused at the PAX header: bounded memory, the valid image kept."""
    return long_name_behind(path, raw_pax(("size", "0"), ("size", str(GIB + BLOCK))) + header(b"f", 0),
                            "manifest.json")


@case
def outer_pax_then_global(path):
    """An `x` record's size left over a `g` header (the tar crate gives it to the `g` entry,
    Go drops it), then a member and a 1 GiB GNU long name: a second reviewer's way past the
    guard, as `size` given twice was the first's. Refused as the oversized record it is."""
    return long_name_behind(path, raw_pax(("size", "2048")) + header(b"g", 0, b"g") + header(b"f", 0),
                            "f")


@case
def outer_pax_path_twice(path):
    """A member named `path` twice: the crate reads `a.json`, Go `manifest.json`."""
    tail = raw_pax(("path", "a.json"), ("path", "manifest.json")) + \
        file_entry(b"m", OTHER_MANIFEST) + END
    return ambiguous_after_valid(path, tail)


@case
def outer_longname_v7(path):
    """A GNU long name in a header without magic: Go names the next member manifest.json,
    the crate lists `././@LongLink` and `m`."""
    name = b"manifest.json\0"
    tail = retyped(header(b"././@LongLink", len(name), b"L"), magic_version=bytes(8)) + \
        pad(name) + file_entry(b"m", OTHER_MANIFEST) + END
    return ambiguous_after_valid(path, tail, gzip=True)


@case
def outer_prefix_version(path):
    """A ustar header of version `  ` with a prefix: Go reads `hidden/manifest.json`, the
    crate `manifest.json`, which replaces the valid one."""
    tail = retyped(header(b"manifest.json", len(OTHER_MANIFEST)), magic_version=b"ustar\0  ",
                   prefix=b"hidden") + pad(OTHER_MANIFEST) + END
    return ambiguous_after_valid(path, tail)


# 3. Terminal control characters in everything that is printed.

CTL_NAMES = [
    "ctl/esc-\x1b[31mred\x1b[0m",
    "ctl/bel-\x07ring",
    "ctl/cr-\rOVERWRITTEN",
    "ctl/c1-\u009b2Jclear",
    "ctl/rlo-\u202etxt.exe",
    "ctl/nl-\nsecond-line",
    "ctl/del-\x7f",
]


@case
def control_chars_names(path):
    segs = [dir_entry("ctl/")]
    for n in CTL_NAMES:
        segs.append(file_entry(n, b"x\n"))
    # The same names as raw ustar bytes: an 8-bit CSI (0x9b, not UTF-8) and ESC.
    segs.append(header(b"ctl/raw-\x9b2J-\x1b]0;title\x07", 2, b"0") + pad(b"y\n"))
    segs.append(link_entry("ctl/sym-\x1b[5m", "target-\x1b[2J\u202e\x07", hard=False))
    segs.append(link_entry("ctl/hard-\x07", CTL_NAMES[0], hard=True))
    # An unsafe path whose problem message must quote the name safely.
    segs.append(file_entry("../\x1b[2Jescape", b"z\n"))
    layer = Layer(segs + [END], "gzip", entries=1 + len(CTL_NAMES) + 4)
    facts = standard(path, [layer])
    facts["unsafe_name"] = "../\x1b[2Jescape"
    return facts


@case
def control_chars_metadata(path):
    layer = Layer([file_entry("ok.txt", b"ok\n"), END], "gzip", entries=1)
    v = valid_image()
    c = case_image([layer], history=[
        {"created": CREATED, "created_by": "COPY base/ / # buildkit"},
        {"created": CREATED, "created_by": "RUN echo \x1b[2J\x1b[H\x07\rhidden \u202egnp.exe \u009b31m",
         "comment": "comment \x1b]0;pwned\x07"}],
        config_extra={"Env": ["PATH=/bin", "EVIL=\x1b[31m\x07\r\u202e"],
                      "Labels": {"label-\x1b[1m": "value-\x07\r\u009b\u202e"},
                      "Cmd": ["/bin/sh", "-c", "\x1b]8;;http://example.invalid\x07link"]})
    # A tag with control characters, as a hostile manifest.json may claim.
    tag = "hostile/case\x1b[31m:\x07evil"
    mj = jdump([{"Config": blob_path(v.config_digest), "RepoTags": [v.tag],
                 "Layers": [l.member for l in v.layers]},
                {"Config": blob_path(c.config_digest), "RepoTags": [CASE_TAG, tag],
                 "Layers": [l.member for l in c.layers]}])
    write_archive(path, [v, c], "docker25", manifest_json=mj)
    return {"valid": v.facts(), "case": c.facts(), "layer": layer.member}


# 4. Invalid whiteouts.

BAD_WHITEOUTS = [".wh.", "etc/.wh..", ".wh..wh.plnk", "bin/.wh."]


@case
def whiteouts_invalid(path):
    segs = [dir_entry("etc/"), file_entry("etc/.wh.hostname")]  # the one valid whiteout
    for n in BAD_WHITEOUTS:
        segs.append(file_entry(n))
    segs.append(file_entry("etc/new.conf", b"new\n"))
    layer = Layer(segs + [END], "gzip", entries=3 + len(BAD_WHITEOUTS), whiteouts=1)
    facts = standard(path, [layer])
    facts["bad_whiteouts"] = BAD_WHITEOUTS
    return facts


# 5. Files claiming 2^63 bytes (base-256), content absent: each layer ends after the header.

def huge_layer(name, size):
    h = header(name.encode(), size_field=base256(size), gnu=True)
    return Layer([file_entry("big/ok.txt", b"fine\n"), h], "none", entries=2)


@case
def size_2p63_two_files(path):
    l1, l2 = huge_layer("big/a", 1 << 63), huge_layer("big/b", 1 << 63)
    facts = standard(path, [l1, l2])
    facts["huge"] = {"big/a": 1 << 63, "big/b": 1 << 63}
    facts["layers"] = [l1.member, l2.member]
    return facts


@case
def size_2p70(path):
    """Beyond u64: a reader must report it, never wrap it to 0."""
    l1 = huge_layer("big/c", 1 << 70)
    facts = standard(path, [l1])
    facts["huge"] = {"big/c": 1 << 70}
    facts["layers"] = [l1.member]
    return facts


# 6. JSON members of 50 MiB (valid JSON, padded with a long string).

BIG_JSON = 50 * MIB


def padded_json(obj, total):
    """`obj` (a list or dict) with a padding string so the document is exactly `total` bytes."""
    probe = jdump({"pad": "", "doc": obj})
    return jdump({"pad": "p" * (total - len(probe)), "doc": obj})


def padded_manifest(images, total):
    doc = [{"Config": blob_path(img.config_digest), "RepoTags": [img.tag],
            "Layers": [l.member for l in img.layers]} for img in images]
    # A list must stay a list for docker's manifest.json: pad inside the first entry.
    doc[0]["Padding"] = ""
    probe = len(jdump(doc))
    doc[0]["Padding"] = "p" * (total - probe)
    out = jdump(doc)
    assert len(out) == total
    return out


@case
def manifest_50m(path):
    """Docker 25+ layout: manifest.json is 50 MiB; index.json still names the images."""
    v = valid_image()
    write_archive(path, [v], "docker25", manifest_json=padded_manifest([v], BIG_JSON))
    return {"valid": v.facts(), "json_member": "manifest.json", "json_size": BIG_JSON}


@case
def manifest_50m_legacy(path):
    """manifest.json only: nothing else names the image, so nothing can be read."""
    v = valid_image()
    write_archive(path, [v], "legacy", manifest_json=padded_manifest([v], BIG_JSON))
    return {"valid": v.facts(), "json_member": "manifest.json", "json_size": BIG_JSON}


@case
def config_50m(path):
    layer = Layer([file_entry("x.txt", b"x\n"), END], "gzip", entries=1)
    probe = Image(CASE_TAG, [base_layer(), layer])
    cfg = json.loads(probe.config)
    cfg["pad"] = ""
    cfg["pad"] = "p" * (BIG_JSON - len(jdump(cfg)))
    blob = jdump(cfg)
    c = Image(CASE_TAG, [base_layer(), layer], config_blob=blob)
    v = valid_image()
    write_archive(path, [v, c], "docker25")
    return {"valid": v.facts(), "json_member": blob_path(c.config_digest), "json_size": len(blob)}


# 7. A PAX size of 2^62.

PAX_HUGE = 4611686018427387904


def pax_size_layer(compression):
    mid = [pax(pax_records(size=str(PAX_HUGE))), header(b"huge/entry", 0, b"0"), pad(b"tiny")]
    segs = [file_entry(n, d) for n, d in BEFORE] + mid
    return Layer(segs, compression, entries=2)


@case
def pax_size_2p62(path):
    l = pax_size_layer("none")
    facts = standard(path, [l])
    facts.update(entry="huge/entry", size=PAX_HUGE)
    return facts


@case
def pax_size_2p62_gzip(path):
    l = pax_size_layer("gzip")
    facts = standard(path, [l])
    facts.update(entry="huge/entry", size=PAX_HUGE)
    return facts


# 8. The file cut within its first 511 bytes.

def cut_case(n):
    def gen(path):
        v = valid_image()
        write_archive(path, [v], "docker25", cut_at=n)
        return {"valid": v.facts(), "cut_at": n}
    gen.__doc__ = f"only the first {n} bytes of a valid archive"
    return gen


for _n in (1, 100, 300, 511):
    CASES[f"truncated-at-{_n}"] = cut_case(_n)


# 9. Hard-link cycles.

@case
def hardlink_cycle(path):
    segs = [dir_entry("loop/"),
            link_entry("loop/hl-a", "loop/hl-b", hard=True),
            link_entry("loop/hl-b", "loop/hl-a", hard=True),
            link_entry("loop/hl-self", "loop/hl-self", hard=True),
            link_entry("loop/tri-1", "loop/tri-2", hard=True),
            link_entry("loop/tri-2", "loop/tri-3", hard=True),
            link_entry("loop/tri-3", "loop/tri-1", hard=True),
            file_entry("loop/after.txt", b"after\n")]
    layer = Layer(segs + [END], "gzip", entries=8)
    facts = standard(path, [layer])
    facts["cycles"] = [["loop/hl-a", "loop/hl-b"], ["loop/hl-self"],
                       ["loop/tri-1", "loop/tri-2", "loop/tri-3"]]
    return facts


@case
def symlink_loop_long_targets(path):
    """A symlink `s` whose target is `x/../` 818 times and then `s` (4,091 bytes: one Linux
    creates, and a loop), then 20,000 empty files each in a folder of its own below `s`. Each
    new folder was resolved through the loop from scratch (41 links of ~1,640 components): a
    reviewer's 16 KB file of this kind ran for minutes. Bounded by the resolution's budget."""
    target = b"x/../" * 818 + b"s"
    segs = [pax(pax_records(linkpath=target)) + header(b"s", 0, b"2", linkname=b"placeholder")]
    segs += [header(b"s/d%d/f" % k, 0) for k in range(20000)]
    layer = Layer(segs + [END], "gzip", entries=20001)
    return standard(path, [layer])


def links_archive(path, tail):
    """The blobs of the valid image and of another one (hidden/other:1), then `tail(mv, mo)`
    given each one's manifest.json text: members that decide which manifest.json unpacking
    leaves."""
    v = valid_image()
    o = case_image([app_layer()])
    blobs = {}
    for img in (v, o):
        for l in img.layers:
            blobs[l.member] = l.blob
        blobs[blob_path(img.config_digest)] = img.config
    def manifest(img):
        return jdump([{"Config": blob_path(img.config_digest), "RepoTags": [img.tag],
                       "Layers": [l.member for l in img.layers]}])
    out = header(b"blobs/", 0, b"5", mode=0o755) + header(b"blobs/sha256/", 0, b"5", mode=0o755)
    for name in sorted(blobs):
        out += header(name.encode(), len(blobs[name])) + pad(blobs[name])
    out += tail(manifest(v), manifest(o)) + END
    with open(path, "wb") as f:
        f.write(out)
    return {"valid": v.facts(), "last_member": "m.json"}


@case
def outer_hardlink_replaced(path):
    """`manifest.json` is a hard link to `m.json`, which a later member of that name replaces:
    unpacking links to the first `m.json` (the valid image's manifest) and the replacement
    does not change the linked file. Following the link by name reached the last copy (the
    other image)."""
    return links_archive(path, lambda mv, mo: file_entry(b"m.json", mv)
                         + header(b"manifest.json", 0, b"1", linkname=b"m.json")
                         + file_entry(b"m.json", mo))


@case
def outer_folder_link_repointed(path):
    """`manifest.json` is a hard link to `d/m.json` made while the symlink `d` pointed to
    `real1` (the valid manifest); a later `d` points to `real2` (the other). The link holds
    what `d/m.json` was then."""
    return links_archive(path, lambda mv, mo: file_entry(b"real1/m.json", mv) + file_entry(b"real2/m.json", mo)
                         + header(b"d", 0, b"2", linkname=b"real1")
                         + header(b"manifest.json", 0, b"1", linkname=b"d/m.json")
                         + header(b"d", 0, b"2", linkname=b"real2"))


@case
def outer_folder_replaced(path):
    """`d/m.json` (the other manifest), then `e/m.json` (the valid one), then a symlink `d -> e`:
    unpacking removes the folder `d` and its file. `manifest.json`, a link to `d/m.json`,
    then reaches `e/m.json`."""
    return links_archive(path, lambda mv, mo: file_entry(b"d/m.json", mo) + file_entry(b"e/m.json", mv)
                         + header(b"d", 0, b"2", linkname=b"e")
                         + header(b"manifest.json", 0, b"1", linkname=b"d/m.json"))


# 10. End-of-archive blocks cut off.

@case
def end_blocks_outer(path):
    v = valid_image()
    write_archive(path, [v], "docker25", end=b"")
    return {"valid": v.facts()}


@case
def end_blocks_outer_one(path):
    """One zero block instead of two."""
    v = valid_image()
    write_archive(path, [v], "docker25", end=b"\0" * BLOCK)
    return {"valid": v.facts()}


def no_end_layer(compression):
    segs = [dir_entry("noend/"), file_entry("noend/a.txt", b"a\n"), file_entry("noend/b.txt", b"b\n")]
    return Layer(segs, compression, entries=3)


@case
def end_blocks_layer(path):
    return standard(path, [no_end_layer("none")])


@case
def end_blocks_layer_gzip(path):
    return standard(path, [no_end_layer("gzip")])


# 11. Bytes after the compressed stream.

def trailing_layer(compression, trailing):
    segs = [dir_entry("tail/"), file_entry("tail/a.txt", b"a\n"), END]
    return Layer(segs, compression, trailing=trailing, entries=2)


@case
def gzip_trailing_garbage(path):
    return standard(path, [trailing_layer("gzip", random.Random(SEED).randbytes(100))])


@case
def gzip_trailing_zeros(path):
    return standard(path, [trailing_layer("gzip", b"\0" * 1024)])


@case
def zstd_trailing_garbage(path):
    return standard(path, [trailing_layer("zstd", random.Random(SEED + 1).randbytes(100))])


# 12. A million entries.

MILLION = 1_000_000


@case
def million_entries(path):
    """1,000,000 empty files in one directory (one 512-byte header each, 512 MB of tar,
    gzip level 1). Headers come from one template; only name and checksum change."""
    tmpl = header(b"m/0000000", 0, b"0")
    mid = tmpl[100:148]
    tail = tmpl[156:]
    base_sum = sum(tmpl) - sum(tmpl[148:156]) + 8 * 32 - sum(b"m/0000000")
    gz = Gzip(level=1)
    h = hashlib.sha256()
    size = 0

    def out(b):
        nonlocal size
        gz.write(b)
        h.update(b)
        size += len(b)

    out(dir_entry("m/"))
    batch = []
    for i in range(MILLION):
        name = b"m/%07d" % i
        chk = base_sum + sum(name)
        batch.append(name.ljust(100, b"\0") + mid + b"%06o\0 " % chk + tail)
        if len(batch) == 8192:
            out(b"".join(batch))
            batch = []
    out(b"".join(batch) + file_entry("after/1.txt", b"after\n") + END)
    layer = Layer([], "none", entries=MILLION + 2)
    layer.blob = gz.finish()
    layer.diff_id = "sha256:" + h.hexdigest()
    layer.digest = sha(layer.blob)
    layer.size = size
    layer.compression, layer.media_type = "gzip", MEDIA["gzip"]
    return standard(path, [layer])


# 13. Deep paths.

def deep_name(depth):
    return "/".join(["d"] * (depth - 1) + ["leaf.txt"])


@case
def deep_path_pax(path):
    mid = [file_entry(deep_name(5000), b"deep\n")]
    facts = standard(path, [around(mid, "gzip", n_middle_entries=1)])
    facts["depth"] = 5000
    return facts


@case
def deep_path_gnu(path):
    name = deep_name(5000).encode()
    mid = [header(b"././@LongLink", len(name) + 1, b"L", gnu=True), pad(name + b"\0"),
           header(name[:100], 5, b"0", gnu=True), pad(b"deep\n")]
    facts = standard(path, [around(mid, "gzip", n_middle_entries=1)])
    facts["depth"] = 5000
    return facts


def deep_dirs(depth):
    segs = []
    for k in range(1, depth + 1):
        segs.append(dir_entry("/".join(["d"] * k) + "/"))
    return segs


@case
def deep_dirs_5000(path):
    """5000 nested directory entries: d/, d/d/, ... (a union tree 5000 deep)."""
    facts = standard(path, [around(deep_dirs(5000), "gzip", n_middle_entries=5000)])
    facts["depth"] = 5000
    return facts


@case
def deep_dirs_1000(path):
    """Control: 1000 nested directories, under the default depth limit (1024)."""
    facts = standard(path, [around(deep_dirs(1000), "gzip", n_middle_entries=1000)])
    facts["depth"] = 1000
    return facts


# 14. Decompression bombs. A tar of one file of zeros; the config's diff_id is a marker (see
# Layer), since no bounded reader can check it.

def bomb_layer(compression, n):
    segs = [file_entry("before.txt", b"before\n"), header(b"bomb/zeros", n, b"0", gnu=True),
            Fill(0, n), END]
    return Layer(segs, compression, entries=2, hash_fills=False)


@case
def bomb_gzip_small_limit(path):
    """256 MiB of zeros in gzip (~260 KB); run with --max-decompressed-bytes 64 MiB."""
    facts = standard(path, [bomb_layer("gzip", 256 * MIB)])
    facts["limit_flag"] = ["--max-decompressed-bytes", str(64 * MIB)]
    return facts


@case
def bomb_gzip_default(path):
    """5 GiB of zeros in gzip (~5 MB): over the default 4 GiB bound."""
    return standard(path, [bomb_layer("gzip", 5 * GIB)])


@case
def bomb_zstd_default(path):
    """5 GiB of zeros as zstd RLE blocks (~160 KB): over the default 4 GiB bound."""
    return standard(path, [bomb_layer("zstd", 5 * GIB)])


# 15. Many layers.

MANY_LAYERS = 20_000


@case
def many_layers(path):
    """A layer of 100,000 one-byte files, then 20,000 layers in which two small blobs take
    turns, one deleting y and adding z, the other deleting z and adding y, so every one after
    the first hides one byte the layer below added (a 9 MB save). A reader that folds the image
    once per layer for such figures, or passes over the whole filesystem for each layer, is
    quadratic in the layer count (287 s for the layers alone, 23 s for the 100,000 files under
    2,000 of them)."""
    files = Layer([dir_entry("m/")] + [file_entry("m/%06d" % i, b"x") for i in range(100_000)]
                  + [END], "gzip", entries=100_001, level=1)
    a = Layer([file_entry(".wh.y", b""), file_entry("z", b"1"), END], "none", entries=2,
              whiteouts=1)
    b = Layer([file_entry(".wh.z", b""), file_entry("y", b"1"), END], "none", entries=2,
              whiteouts=1)
    return standard(path, [files] + [a if i % 2 == 0 else b for i in range(MANY_LAYERS)])


# --------------------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--only", help="comma-separated case names")
    ap.add_argument("--list", action="store_true", help="print the case names and exit")
    args = ap.parse_args()
    if args.list:
        print("\n".join(CASES))
        return 0
    names = list(CASES)
    if args.only:
        names = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in names if n not in CASES]
        if unknown:
            print(f"unknown case(s): {', '.join(unknown)}; known: {', '.join(CASES)}", file=sys.stderr)
            return 2
    os.makedirs(args.outdir, exist_ok=True)
    for name in names:
        t0 = time.monotonic()
        tar = os.path.join(args.outdir, name + ".tar")
        facts = CASES[name](tar)
        facts["doc"] = (CASES[name].__doc__ or "").strip()
        with open(os.path.join(args.outdir, name + ".facts.json"), "w") as f:
            json.dump(facts, f, indent=1, ensure_ascii=True)
        print(f"{name}: {os.path.getsize(tar):,} bytes ({time.monotonic() - t0:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
