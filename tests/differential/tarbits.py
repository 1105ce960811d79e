"""Tar bytes written block by block, so every dialect the layer tars of the field use can be
made exactly: ustar, old GNU (`L`/`K` long names, `S` sparse headers), PAX (`x`/`g` records,
`hdrcharset=BINARY`, GNU sparse 0.0/0.1/1.0) and the odd sequences (two long-name headers in
a row, a global `path` record) that readers disagree on.

Names and link targets are bytes throughout; nothing here decides what a reader will see.
"""

import tarfile

BLOCK = 512
MTIME = 1714557600  # 2024-05-01T10:00:00Z, fixed so the same recipe gives the same bytes

REG, DIR, SYM, LNK, FIFO, CHR = b"0", b"5", b"2", b"1", b"6", b"3"


def pad(b: bytes) -> bytes:
    return b + b"\0" * ((-len(b)) % BLOCK)


def _octal(n: int, width: int) -> bytes:
    """A NUL-terminated octal field, or base-256 (GNU) when the number does not fit."""
    s = b"%0*o" % (width - 1, n)
    if len(s) <= width - 1:
        return s + b"\0"
    out = bytearray(width)
    out[0] = 0x80
    for i in range(width - 1, 0, -1):
        out[i] = n & 0xFF
        n >>= 8
    return bytes(out)


def _field(b: bytes, width: int) -> bytes:
    assert len(b) <= width, (b, width)
    return b + b"\0" * (width - len(b))


def header(name: bytes, typeflag: bytes, size=0, linkname=b"", mode=0o644, fmt="ustar",
           prefix=b"", gnu_tail=b""):
    """One 512-byte header block. `fmt`: "ustar" (POSIX magic, used by PAX too), "gnu"
    (old GNU magic `ustar  \\0`) or "v7" (no magic). `gnu_tail` fills bytes 345..499 of a GNU
    header (atime, ctime, offset, longnames, sparse map, isextended, realsize)."""
    b = bytearray()
    b += _field(name, 100)
    b += _octal(mode, 8) + _octal(0, 8) + _octal(0, 8)
    b += _octal(size, 12) + _octal(MTIME, 12)
    b += b" " * 8  # checksum, filled below
    b += typeflag
    b += _field(linkname, 100)
    if fmt == "ustar":
        b += b"ustar\x0000" + _field(b"", 32) + _field(b"", 32) + _octal(0, 8) + _octal(0, 8)
        b += _field(prefix, 155)
    elif fmt == "gnu":
        b += b"ustar  \x00" + _field(b"", 32) + _field(b"", 32) + _octal(0, 8) + _octal(0, 8)
        b += _field(gnu_tail, 155)
    else:
        b += b"\0" * (8 + 32 + 32 + 8 + 8 + 155)
    b += b"\0" * (BLOCK - len(b))
    chk = sum(b) & 0o7777777
    b[148:156] = b"%06o\0 " % chk
    return bytes(b)


def split_ustar(name: bytes):
    """(prefix, name) for a ustar header, or None when the name cannot be split to fit."""
    if len(name) <= 100:
        return b"", name
    for i in range(len(name) - 1, 0, -1):
        if name[i:i + 1] == b"/" and i <= 155 and len(name) - i - 1 <= 100 and len(name) - i - 1 > 0:
            return name[:i], name[i + 1:]
    return None


def pax_body(records):
    """PAX records `"%d %s=%s\\n"` for [(key bytes, value bytes)]."""
    out = b""
    for k, v in records:
        rec = b" " + k + b"=" + v + b"\n"
        n = len(rec)
        total = n + len(str(n))
        if len(str(total)) != len(str(n)):
            total = n + len(str(total))
        out += str(total).encode() + rec
    return out


def pax_header(records, global_=False, name=b"PaxHeader"):
    body = pax_body(records)
    return header(name, b"g" if global_ else b"x", size=len(body), mode=0o644) + pad(body)


def gnu_long(value: bytes, link=False):
    """A GNU `L` (name) or `K` (link name) header; the value is NUL-terminated as GNU tar writes it."""
    body = value + b"\0"
    return header(b"././@LongLink", b"K" if link else b"L", size=len(body), mode=0o644, fmt="gnu") + pad(body)


def content(name: bytes, size: int) -> bytes:
    """Deterministic file content of `size` bytes, different per name."""
    seed = sum(name) % 251
    return bytes((seed + i * 7) % 256 for i in range(size))


def sparse_data(realsize, fragments, name):
    """The bytes stored for a sparse file: every fragment's content, in order."""
    return b"".join(content(name + b"#%d" % off, n) for off, n in fragments)


def old_gnu_sparse(name: bytes, realsize: int, fragments):
    """An old GNU `S` member: up to 4 map entries in the header, the rest in extension blocks
    (21 each), then the fragments' data."""
    data = sparse_data(realsize, fragments, name)
    ent = lambda o, n: _octal(o, 12) + _octal(n, 12)
    first, rest = fragments[:4], fragments[4:]
    sp = b"".join(ent(o, n) for o, n in first) + b"\0" * (24 * (4 - len(first)))
    # bytes 345..385: atime(12) ctime(12) offset(12) longnames(4) unused(1)
    tail = b"\0" * 41 + sp + (b"\x01" if rest else b"\0") + _octal(realsize, 12)
    out = header(name, b"S", size=len(data), fmt="gnu", gnu_tail=tail)
    while rest:
        chunk, rest = rest[:21], rest[21:]
        blk = b"".join(ent(o, n) for o, n in chunk) + b"\0" * (24 * (21 - len(chunk)))
        blk += b"\x01" if rest else b"\0"
        out += blk + b"\0" * (BLOCK - len(blk))
    return out + pad(data)


def pax_sparse(name: bytes, realsize: int, fragments, version: str):
    """A GNU sparse file in PAX form, `version` "0.0", "0.1" or "1.0" (GNU tar's three)."""
    data = sparse_data(realsize, fragments, name)
    dirname, _, base = name.rpartition(b"/")
    fake = (dirname + b"/" if dirname else b"") + b"GNUSparseFile.0/" + base
    if version == "0.0":
        recs = [(b"GNU.sparse.size", b"%d" % realsize), (b"GNU.sparse.numblocks", b"%d" % len(fragments))]
        for o, n in fragments:
            recs += [(b"GNU.sparse.offset", b"%d" % o), (b"GNU.sparse.numbytes", b"%d" % n)]
        # 0.0 (GNU tar 1.14/1.15.0) kept the real name in the header
        hname, body = name, data
    elif version == "0.1":
        recs = [(b"GNU.sparse.size", b"%d" % realsize), (b"GNU.sparse.numblocks", b"%d" % len(fragments)),
                (b"GNU.sparse.map", b",".join(b"%d,%d" % (o, n) for o, n in fragments)),
                (b"GNU.sparse.name", name)]
        hname, body = fake, data
    else:
        recs = [(b"GNU.sparse.major", b"1"), (b"GNU.sparse.minor", b"0"),
                (b"GNU.sparse.name", name), (b"GNU.sparse.realsize", b"%d" % realsize)]
        m = b"%d\n" % len(fragments) + b"".join(b"%d\n%d\n" % (o, n) for o, n in fragments)
        hname, body = fake, pad(m) + data
    sp = split_ustar(hname)
    if sp is None:
        # A name too long for ustar also goes in the PAX header, before the sparse records:
        # Python applies records in order (a later `path` would undo GNU.sparse.name), Go
        # applies GNU.sparse.name last whatever the order.
        recs.insert(0, (b"path", hname))
        sp = (b"", hname[:99])
    return pax_header(recs) + header(sp[1], REG, size=len(body), prefix=sp[0]) + pad(body)


def tarinfo_member(name: bytes, typeflag: bytes, size: int, linkname: bytes, fmt: int, mode: int):
    """Header blocks for one member as Python's tarfile writes them in `fmt`
    (tarfile.USTAR_FORMAT / GNU_FORMAT / PAX_FORMAT); PAX marks a name that is not UTF-8
    with hdrcharset=BINARY by itself."""
    t = tarfile.TarInfo(name.decode("utf-8", "surrogateescape"))
    t.type = typeflag
    t.size = size
    t.mode = mode
    t.mtime = MTIME
    t.uid = t.gid = 0
    t.uname = t.gname = ""
    t.linkname = linkname.decode("utf-8", "surrogateescape")
    return t.tobuf(fmt, "utf-8", "surrogateescape")
