#!/usr/bin/env python3
"""What each crate costs in a wasm file: code bytes per crate, from the function bodies of the
code section and the names in the `name` section (use the wasm cargo writes, before
wasm-bindgen and wasm-opt strip the names). Like `twiggy top`, grouped by crate, and with the
data section (string literals, tables) as its own row.

usage: wasm_sizes.py FILE.wasm [TOP]
"""
import re
import sys
from collections import Counter


def leb(b, i):
    r = s = 0
    while True:
        x = b[i]
        i += 1
        r |= (x & 0x7F) << s
        s += 7
        if x < 0x80:
            return r, i


def crate_of(name):
    m = re.match(r"_ZN(\d+)", name)
    if m:  # legacy mangling: _ZN<len><crate>...
        n = int(m.group(1))
        c = name[m.end():m.end() + n]
        if c.startswith("_$LT$"):  # <T as Trait>::f — name the type's crate
            inner = re.search(r"_\$LT\$([A-Za-z0-9_]+)\.\.", c + name[m.end() + n:])
            return inner.group(1) if inner else "<impl>"
        return c
    m = re.match(r"([A-Za-z0-9_]+)::", name)  # already demangled
    if m:
        return m.group(1)
    m = re.match(r"<([A-Za-z0-9_]+)::", name)
    if m:
        return m.group(1)
    return "(other: " + name.split("::")[0][:24] + ")" if "::" in name else "(unnamed/other)"


def main():
    b = open(sys.argv[1], "rb").read()
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    i, imported, bodies, names, data = 8, 0, [], {}, 0
    while i < len(b):
        sid = b[i]
        size, j = leb(b, i + 1)
        end = j + size
        if sid == 2:  # imports: functions come first in the index space
            n, k = leb(b, j)
            for _ in range(n):
                ml, k = leb(b, k); k += ml
                fl, k = leb(b, k); k += fl
                kind = b[k]; k += 1
                if kind == 0:
                    _, k = leb(b, k); imported += 1
                elif kind == 1:
                    k += 1; fl2 = b[k]; k += 1; _, k = leb(b, k)
                    if fl2 & 1: _, k = leb(b, k)
                elif kind == 2:
                    fl2 = b[k]; k += 1; _, k = leb(b, k)
                    if fl2 & 1: _, k = leb(b, k)
                elif kind == 3:
                    k += 2
        elif sid == 10:
            n, k = leb(b, j)
            for _ in range(n):
                sz, k2 = leb(b, k)
                bodies.append(sz + (k2 - k))
                k = k2 + sz
        elif sid == 11:
            data = size
        elif sid == 0:
            nl, k = leb(b, j)
            if b[k:k + nl] == b"name":
                k += nl
                while k < end:
                    sub = b[k]
                    ssz, k2 = leb(b, k + 1)
                    if sub == 1:
                        n, q = leb(b, k2)
                        for _ in range(n):
                            idx, q = leb(b, q)
                            ln, q = leb(b, q)
                            names[idx] = b[q:q + ln].decode("utf-8", "replace")
                            q += ln
                    k = k2 + ssz
        i = end
    per = Counter()
    for n, sz in enumerate(bodies):
        per[crate_of(names.get(imported + n, ""))] += sz
    total = sum(bodies) + data
    print(f"{sys.argv[1]}: {total} bytes of code and data ({sum(bodies)} code in {len(bodies)} functions, {data} data)")
    print(f"{'crate':<28} {'bytes':>9} {'share':>6}")
    for c, sz in per.most_common(top):
        print(f"{c:<28} {sz:>9} {100 * sz / total:>5.1f}%")
    print(f"{'(data section)':<28} {data:>9} {100 * data / total:>5.1f}%")


if __name__ == "__main__":
    main()
