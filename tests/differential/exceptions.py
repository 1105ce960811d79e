"""Where Python's tarfile and Go's archive/tar read the same bytes differently.

Go's reading is the reference: Docker (moby pkg/archive) and containerd read layers with
Go's archive/tar, so what Go returns is what a container gets. The expected facts come from
Python's tarfile everywhere else; a member whose Python reading differs from the generator's
intent must be explained by exactly one rule below, or the comparator reports its own
generator as wrong (field `self-check`). Go behaviour is from src/archive/tar/reader.go
(`Reader.next`, `mergePAX`, `parsePAX`); Python's from Lib/tarfile.py (3.11).

Each rule: name -> (why, test(want, py, ctx)) where `want` is the member as Go reads it,
`py` as Python reads it (both: name bytes, kind, size, target) and ctx holds the layer's
active PAX global `path` record, if any.
"""


def _same_but_name(want, py):
    return (want["kind"], want["size"], want["target"]) == (py["kind"], py["size"], py["target"])


EXCEPTIONS = {
    "pax-global-path": (
        "A PAX global header ('g') with a `path` record: Python applies it to every later member "
        "that has no name of its own in an 'x' or 'L' header (TarInfo._proc_builtin applies "
        "tarfile.pax_headers); Go returns the global header as its own entry and applies nothing "
        "(reader.go: `if hdr.Typeflag == TypeXGlobalHeader { ... return }`), and Docker skips it.",
        lambda want, py, ctx: ctx.get("global_path") is not None and py["name"] == ctx["global_path"]
        and _same_but_name(want, py),
    ),
    "gnu-long-twice": (
        "Two GNU 'L' headers in a row: Python keeps the first name (each _proc_gnulong renames the "
        "member the nested call returns, the outermost last); Go keeps the last (`gnuLongName = "
        "p.parseString(realname)` assigns on every 'L').",
        lambda want, py, ctx: want.get("quirk") == "gnu-long-twice" and py["name"] == b"decoy-" + want["name"]
        and _same_but_name(want, py),
    ),
    "pax-twice": (
        "Two PAX 'x' headers in a row: Python merges them with the first one's records winning "
        "(the outer _proc_pax applies its records after the nested one); Go uses only the last "
        "(`paxHdrs, err = parsePAX(tr)` replaces the map).",
        lambda want, py, ctx: want.get("quirk") == "pax-twice" and py["name"] == b"decoy-" + want["name"]
        and _same_but_name(want, py),
    ),
    "pax-then-gnu-long": (
        "A PAX 'x' `path` record followed by a GNU 'L' name for the same member: Python uses the PAX "
        "path (applied last, by the outer _proc_pax); Go uses the GNU name (`if gnuLongName != \"\" "
        "{ hdr.Name = gnuLongName }` runs after mergePAX).",
        lambda want, py, ctx: want.get("quirk") == "pax-then-gnu-long" and py["name"] == b"decoy-" + want["name"]
        and _same_but_name(want, py),
    ),
    "pax-empty-path": (
        "An empty PAX `path=` record: Python sets the name to \"\"; Go keeps the ustar name "
        "(mergePAX: `if v == \"\" { continue // Keep the original USTAR value }`).",
        lambda want, py, ctx: want.get("quirk") == "pax-empty-path" and py["name"] == b""
        and _same_but_name(want, py),
    ),
}

# Checked and found NOT to differ (so no rule): a NUL inside a GNU long name. Both cut the
# name at the first NUL (Go parser.parseString, Python nts), so the generator's
# `gnu-long-nul` quirk is compared like any other member.

# Beyond reading: an old GNU sparse member keeps typeflag 'S' in Go (TypeGNUSparse) and is
# expected as a regular file of its real size (what the reader returns); moby's and
# containerd's createTarFile reject 'S' when applying the layer, so Pancake must also report one
# `unpack-fails` problem per such member saying `docker load` would fail (compare.py checks it).
