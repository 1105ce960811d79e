"""Seeded generator: random layer recipes, and the bytes (layer tars, blobs, image tarballs)
built from a recipe.

A *recipe* is plain JSON (names are text; bytes that are not UTF-8 ride as lone surrogates,
Python's `surrogateescape`), so a failing case can be saved under `cases/` and replayed
without the random generator. `random_case(seed, index)` makes one; `build_image(recipe)`
turns one into an image tarball plus, per layer, the uncompressed tar and the stored blob
and what each header sequence was meant to say (the members as Go's archive/tar, and so
Docker, reads them).
"""

import gzip
import hashlib
import json
import random
import subprocess
import tarfile

import tarbits as tb
from tarbits import BLOCK

LAYOUTS = ["docker-legacy", "docker25", "oci-archive", "docker-archive", "gzip-outer"]
COMPRESSIONS = ["none", "gzip", "gzip-multi", "zstd", "zstd-multi"]
CREATED = "2024-05-01T10:00:00Z"

# Header quirks a member can be written with (see exceptions.py for the ones Python and Go
# read differently).
QUIRKS = ["gnu-long-twice", "pax-twice", "pax-then-gnu-long", "pax-empty-path", "gnu-long-nul"]

DIRS = ["etc", "usr", "usr/lib", "usr/bin", "var", "var/log", "opt", "opt/app", "srv/data", "home/u"]
LEAVES = ["a", "b.txt", "conf", "lib.so", "run.sh", "data.bin", "notes", "x y", "README",
          "café", "日本語", "ü.cfg", "-dash", "#hash", "1", "zz"]
NON_UTF8 = ["caf\udce9", "\udcff\udcfeblob", "na\udcefve", "\udce9t\udce9"]  # Latin-1 bytes


def enc(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


def sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def jdump(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


# ---------------------------------------------------------------- random recipes

def _ancestors(p: str):
    parts = p.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


def _under(p: str, d: str) -> bool:
    return p.startswith(d + "/")


class _LayerPlan:
    """Choices for one layer that keep it inside what Docker applies without error: no member
    below a non-directory, hard links only to files earlier in the same layer (overlay2
    unpacks each layer into its own directory), whiteouts only of paths a lower layer has,
    nothing written where the layer itself deletes, each path at most once."""

    def __init__(self, rng, view, fmt, pre=""):
        self.rng, self.view, self.fmt, self.pre = rng, view, fmt, pre  # view: lower merged view {path: kind}
        self.written = {}  # path -> kind, this layer
        self.wh = []  # whiteout targets of this layer
        self.opaque = []  # opaque directories of this layer
        self.members = []

    def kind_now(self, p):
        """What `p` is at this point of the layer (None: absent)."""
        if p in self.written:
            return self.written[p]
        if any(p == d or _under(p, d) for d in self.wh) or any(_under(p, d) for d in self.opaque):
            return None
        return self.view.get(p)

    def can_write(self, p, kind):
        if not p or p in self.written:
            return False
        if any(p == d or _under(p, d) for d in self.wh):
            return False
        if any(self.kind_now(a) not in (None, "dir") for a in _ancestors(p)):
            return False
        old = self.kind_now(p)
        if old is not None and not (old == "dir" and kind == "dir"):
            # replacing a path: nothing this layer wrote may sit below it
            if any(_under(w, p) for w in self.written):
                return False
        return True

    def add(self, m, kind):
        self.members.append(m)
        for a in _ancestors(m["name"]):
            # a directory now, whatever hides the lower one later in this layer (an opaque
            # parent makes Docker create it again)
            self.written.setdefault(a, "dir")
        self.written[m["name"]] = kind

    def name(self, long_ok=True):
        rng = self.rng
        dirs = DIRS + [p for p, k in list(self.view.items()) + list(self.written.items()) if k == "dir"]
        parent = rng.choice(dirs + [""])
        if rng.random() < 0.2:
            parent = (parent + "/" if parent else "") + rng.choice(["new", "d%d" % rng.randrange(9)])
        leaf = rng.choice(LEAVES)
        r = rng.random()
        if r < 0.12:
            leaf = rng.choice(NON_UTF8) + rng.choice(["", ".txt"])
        elif r < 0.24 and long_ok:
            leaf = "long-" + "n" * rng.randrange(96, 180)
        elif r < 0.30 and long_ok:
            parent = "/".join(["deep%d" % i for i in range(rng.randrange(14, 30))])
        elif r < 0.45:
            leaf += "-%d" % rng.randrange(100)
        return (parent + "/" if parent else "") + leaf

    def fits(self, name: str):
        b = enc(self.pre + name)
        if self.fmt == "ustar":
            return tb.split_ustar(b) is not None
        if self.fmt == "v7":
            return len(b) < 100
        return True


def random_layer(rng, view, index):
    fmt = rng.choices(["ustar", "gnu", "pax", "v7"], [3, 3, 4, 1])[0]
    layer = {"format": fmt,
             "compression": rng.choices(COMPRESSIONS, [5, 3, 1, 2, 1])[0],
             "dot": rng.random() < 0.15, "members": []}
    r = rng.random()
    if r < 0.04:
        layer["empty"] = "zero-byte"
        return layer
    if r < 0.08:
        layer["empty"] = "no-members"
        return layer
    plan = _LayerPlan(rng, view, fmt, "./" if layer["dot"] else "")
    if layer["dot"] and rng.random() < 0.7:
        plan.members.append({"op": "root", "name": ""})
    for _ in range(rng.randrange(1, 12)):
        op = rng.choices(["file", "dir", "symlink", "hardlink", "sparse", "whiteout", "opaque", "fifo", "global"],
                         [30, 10, 8, 6, 6, 8, 4, 2, 2])[0]
        if op == "global":
            recs = [["comment", "generated %d" % rng.randrange(1000)]]
            if rng.random() < 0.6:
                recs.append(["path", "global-path-%d" % rng.randrange(100)])
            plan.members.append({"op": "global", "name": "pax_global_header", "records": recs})
            continue
        if op == "whiteout":
            lower = [p for p in view if plan.kind_now(p) is not None and p not in plan.written
                     and not any(_under(w, p) for w in plan.written)
                     and all(plan.kind_now(a) == "dir" for a in _ancestors(p))
                     and not any(p == d or _under(p, d) or _under(d, p) for d in plan.wh + plan.opaque)]
            if not lower:
                continue
            t = rng.choice(sorted(lower))
            par, _, base = t.rpartition("/")
            name = (par + "/" if par else "") + ".wh." + base
            if not plan.fits(name):
                continue
            plan.members.append({"op": "whiteout", "name": name})
            plan.wh.append(t)
            continue
        if op == "opaque":
            dirs = [p for p, k in view.items() if k == "dir" and plan.kind_now(p) == "dir"
                    and all(plan.kind_now(a) == "dir" for a in _ancestors(p))
                    and not any(p == d or _under(p, d) or _under(d, p) for d in plan.wh + plan.opaque)]
            if not dirs:
                continue
            d = rng.choice(sorted(dirs))
            if not plan.fits(d + "/.wh..wh..opq"):
                continue
            if d not in plan.written:
                plan.add({"op": "dir", "name": d}, "dir")
            plan.members.append({"op": "opaque", "name": d + "/.wh..wh..opq"})
            plan.opaque.append(d)
            continue
        if op == "hardlink":
            files = [m["name"] for m in plan.members if m["op"] in ("file", "sparse") and plan.written.get(m["name"]) == "file"]
            if not files:
                continue
            target = rng.choice(files)
        kind = {"file": "file", "sparse": "file", "dir": "dir", "symlink": "symlink", "hardlink": "hardlink", "fifo": "fifo"}[op]
        # sometimes overwrite something a lower layer has
        if view and rng.random() < 0.25:
            name = rng.choice(sorted(view))
        else:
            name = plan.name(long_ok=fmt in ("gnu", "pax") or rng.random() < 0.3)
        if name.startswith(".wh.") or "/.wh." in name or not plan.fits(name) or not plan.can_write(name, kind):
            continue
        m = {"op": op, "name": name}
        if op == "file":
            m["size"] = rng.choice([0, 1, 511, 512, 513, rng.randrange(1, 3000), rng.randrange(3000, 70000)])
        elif op == "sparse":
            m["format"] = rng.choice(["old-gnu", "pax-0.0", "pax-0.1", "pax-1.0"])
            big = rng.random() < 0.2
            m["realsize"] = rng.choice([10 * 2**30 + 4096, 2**33 + 12345]) if big else rng.randrange(1024, 1 << 20)
            nfrag = rng.choice([1, 2, 3, 4, 5, rng.randrange(6, 30)])
            offs = sorted(rng.sample(range(0, m["realsize"] // 1024), min(nfrag, m["realsize"] // 1024)))
            if rng.random() < 0.85:
                # as GNU tar writes them: fragments start and end on 512-byte blocks, and the map runs to the real size (GNU tar
                # closes a file that ends in a hole with an empty fragment there)
                frags = [[o * 1024, 512] for o in offs] + [[m["realsize"], 0]]
            else:
                # unaligned fragments, a map that may stop short of the real size: Go and
                # Python read these; GNU tar does not write them
                frags = [[o * 1024, rng.randrange(1, 700)] for o in offs]
                if rng.random() < 0.5:
                    frags.append([m["realsize"], 0])
            m["map"] = frags
        elif op == "symlink":
            m["target"] = rng.choice(["../lib/x", "/usr/bin/env", "b.txt", "caf\udce9", "t" * 120, "./rel"])
            if fmt in ("ustar", "v7"):
                m["target"] = m["target"][:99]  # no room for a longer one in these dialects
        elif op == "hardlink":
            m["target"] = target
            if fmt in ("ustar", "v7") and len(enc(plan.pre + target)) > 99:
                continue
        if op in ("file", "dir", "symlink") and rng.random() < 0.1:
            q = rng.choice(QUIRKS)
            if q in ("gnu-long-twice", "pax-then-gnu-long", "gnu-long-nul") and fmt != "gnu":
                q = None
            if q == "pax-empty-path" and tb.split_ustar(enc(plan.pre + name)) is None:
                q = None
            if q:
                m["quirk"] = q
        plan.add(m, kind)
    while plan.members and plan.members[-1]["op"] == "global":
        # Python's tarfile cannot read a global header with no member after it ("end of file
        # header"); Go returns it and then io.EOF. Not generated: nothing to compare it with.
        plan.members.pop()
    layer["members"] = plan.members
    return layer


def random_case(seed, index):
    rng = random.Random("%s:%s" % (seed, index))
    layout = LAYOUTS[index % len(LAYOUTS)] if rng.random() < 0.5 else rng.choice(LAYOUTS)
    view = {}
    layers = []
    for i in range(rng.choice([1, 2, 3, 3, 4, 5])):
        layer = random_layer(rng, view, i)
        if layout == "docker-legacy" and rng.random() < 0.7:
            layer["compression"] = "none"  # what docker save < 25 writes
        layers.append(layer)
        import model  # the same fold the comparator uses keeps the next layer's choices valid
        view = {p.decode("utf-8", "surrogateescape"): n["kind"]
                for p, n in model.fold([intended_members(l) for l in layers]).items()}
    return {"seed": seed, "index": index, "layout": layout, "layers": layers}


# ---------------------------------------------------------------- building bytes

def _fmt_const(fmt):
    return {"ustar": tarfile.USTAR_FORMAT, "gnu": tarfile.GNU_FORMAT, "pax": tarfile.PAX_FORMAT}.get(fmt)


TYPE = {"file": tb.REG, "dir": tb.DIR, "symlink": tb.SYM, "hardlink": tb.LNK, "fifo": tb.FIFO,
        "whiteout": tb.REG, "opaque": tb.REG, "root": tb.DIR}


def _member_bytes(layer, m):
    fmt = layer["format"]
    pre = "./" if layer.get("dot") else ""
    op = m["op"]
    if op == "global":
        return tb.pax_header([(enc(k), enc(v)) for k, v in m["records"]], global_=True, name=b"pax_global_header")
    name = enc(pre + m["name"]) if op != "root" else b"./"
    if op == "sparse":
        frags = [tuple(f) for f in m["map"]]
        if m["format"] == "old-gnu":
            if len(name) > 99:
                return tb.gnu_long(name) + tb.old_gnu_sparse(name[:99], m["realsize"], frags)
            return tb.old_gnu_sparse(name, m["realsize"], frags)
        return tb.pax_sparse(name, m["realsize"], frags, m["format"][4:])
    typ = TYPE[op]
    size = m.get("size", 0)
    link = enc(("./" + m["target"]) if (op == "hardlink" and pre) else m.get("target", ""))
    if op == "dir" or op == "root":
        name = name.rstrip(b"/") + b"/" if op == "dir" else name
    mode = 0o755 if op in ("dir", "root") else (0o777 if op == "symlink" else 0o644)
    data = tb.pad(tb.content(name, size)) if op == "file" else b""
    q = m.get("quirk")
    short = b"short-" + (b"d/" if op == "dir" else b"f")
    decoy = b"decoy-" + enc(m["name"])  # what Python reads where Go reads `name` (exceptions.py)
    # A link target too long for the header goes in a GNU 'K' or a PAX `linkpath` record.
    lk = tb.gnu_long(link, link=True) if len(link) > 99 else b""
    lrec = [(b"linkpath", link)] if len(link) > 99 else []
    hlink = link[:99]
    if q == "gnu-long-twice":
        return lk + tb.gnu_long(decoy) + tb.gnu_long(name) + tb.header(short, typ, size, hlink, mode, "gnu") + data
    if q == "gnu-long-nul":
        return lk + tb.gnu_long(name + b"\0junk-after-nul") + tb.header(short, typ, size, hlink, mode, "gnu") + data
    if q == "pax-twice":
        return (tb.pax_header([(b"path", decoy)]) + tb.pax_header([(b"path", name)] + lrec)
                + tb.header(short, typ, size, hlink, mode, "ustar") + data)
    if q == "pax-then-gnu-long":
        return (tb.pax_header([(b"path", decoy)] + lrec) + tb.gnu_long(name)
                + tb.header(short, typ, size, hlink, mode, "gnu") + data)
    if q == "pax-empty-path":
        pfx, nm = tb.split_ustar(name)
        return tb.pax_header([(b"path", b"")] + lrec) + tb.header(nm, typ, size, hlink, mode, "ustar", prefix=pfx) + data
    if fmt == "v7":
        if op in ("dir", "root"):
            typ = b"\0"  # pre-POSIX: a directory is a name ending in '/'
        return tb.header(name, typ, size, link, mode, "v7") + data
    return tb.tarinfo_member(name, typ, size, link, _fmt_const(fmt), mode) + data


def layer_tar(layer) -> bytes:
    if layer.get("empty") == "zero-byte":
        return b""
    body = b"".join(_member_bytes(layer, m) for m in layer["members"])
    return body + b"\0" * (2 * BLOCK)  # end-of-archive, as Go's tar writer ends it


def intended_members(layer):
    """The members of a layer as Go's archive/tar returns them (global headers are returned
    too: Docker skips them), in order: dicts {name (raw bytes as written, before
    normalizing), kind, size, target, op}."""
    if layer.get("empty"):
        return []
    pre = "./" if layer.get("dot") else ""
    out = []
    for m in layer["members"]:
        op = m["op"]
        if op == "global":
            out.append({"op": op, "name": b"pax_global_header", "kind": "global", "size": 0, "target": None})
            continue
        if op == "root":
            out.append({"op": op, "name": b"./", "kind": "dir", "size": 0, "target": None})
            continue
        kind = {"whiteout": "file", "opaque": "file", "sparse": "file"}.get(op, op)
        size = m.get("size", 0) if op == "file" else (m["realsize"] if op == "sparse" else 0)
        target = None
        if op == "symlink":
            target = enc(m["target"])
        elif op == "hardlink":
            target = enc(pre + m["target"])
        out.append({"op": op, "name": enc(pre + m["name"]), "kind": kind, "size": size,
                    "target": target, "quirk": m.get("quirk")})
    return out


def _zstd(b: bytes) -> bytes:
    return subprocess.run(["zstd", "-q", "-c", "-3", "--no-check"], input=b, stdout=subprocess.PIPE, check=True).stdout


def _skippable(n: int) -> bytes:
    return (0x184D2A50 + n % 16).to_bytes(4, "little") + (8).to_bytes(4, "little") + b"pancake!"


def _pieces(rng, b: bytes):
    if len(b) < 2:
        return [b]
    cuts = sorted(rng.sample(range(1, len(b)), min(len(b) - 1, rng.randrange(1, 4))))
    return [b[i:j] for i, j in zip([0] + cuts, cuts + [len(b)])]


def compress(tar: bytes, how: str, salt: str) -> bytes:
    rng = random.Random(salt)
    if how == "none":
        return tar
    if how == "gzip":
        return gzip.compress(tar, compresslevel=6, mtime=0)
    if how == "gzip-multi":
        return b"".join(gzip.compress(p, compresslevel=6, mtime=0) for p in _pieces(rng, tar))
    if how == "zstd":
        return _zstd(tar)
    out = _skippable(0) if rng.random() < 0.5 else b""
    for i, p in enumerate(_pieces(rng, tar)):
        out += _zstd(p) + (_skippable(i + 1) if rng.random() < 0.5 else b"")
    return out


MEDIA = {"none": "application/vnd.oci.image.layer.v1.tar", "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
         "gzip-multi": "application/vnd.oci.image.layer.v1.tar+gzip", "zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
         "zstd-multi": "application/vnd.oci.image.layer.v1.tar+zstd"}


def _outer(files: dict, dirs=()) -> bytes:
    """An outer archive as docker save writes it (sorted names, PAX/ustar headers)."""
    items = [(d, None) for d in dirs] + list(files.items())
    out = b""
    for name, data in sorted(items, key=lambda x: x[0]):
        if data is None:
            out += tb.tarinfo_member(enc(name + "/"), tb.DIR, 0, b"", tarfile.PAX_FORMAT, 0o755)
        else:
            out += tb.tarinfo_member(enc(name), tb.REG, len(data), b"", tarfile.PAX_FORMAT, 0o644) + tb.pad(data)
    return out + b"\0" * (2 * BLOCK)


def build_image(recipe):
    """-> (image tarball bytes, [{"tar": uncompressed, "blob": stored, "media_type"}], tag)"""
    tag = "difftest/case%s:latest" % recipe.get("index", 0)
    layers = []
    for i, l in enumerate(recipe["layers"]):
        t = layer_tar(l)
        how = l.get("compression", "none")
        layers.append({"tar": t, "blob": compress(t, how, "%s:%s:%d" % (recipe.get("seed"), recipe.get("index"), i)),
                       "media_type": MEDIA[how]})
    config = {"architecture": "amd64", "os": "linux", "created": CREATED,
              "config": {"Cmd": ["/bin/sh"]},
              "rootfs": {"type": "layers", "diff_ids": ["sha256:" + sha(l["tar"]) for l in layers]},
              "history": [{"created": CREATED, "created_by": "/bin/sh -c #(nop) layer %d" % i} for i in range(len(layers))]}
    cfg = jdump(config)
    layout = recipe["layout"]
    repo, tg = tag.rsplit(":", 1)
    if layout in ("docker-legacy", "gzip-outer"):
        files, dirs, parent, paths = {}, [], "", []
        files[sha(cfg) + ".json"] = cfg
        for l in layers:
            v1 = sha((parent + "\n" + sha(l["tar"])).encode())
            dirs.append(v1)
            files[v1 + "/VERSION"] = b"1.0"
            files[v1 + "/json"] = jdump({"id": v1, "created": CREATED, **({"parent": parent} if parent else {})})
            files[v1 + "/layer.tar"] = l["blob"]
            paths.append(v1 + "/layer.tar")
            parent = v1
        files["manifest.json"] = jdump([{"Config": sha(cfg) + ".json", "RepoTags": [tag], "Layers": paths}])
        files["repositories"] = jdump({repo: {tg: parent}}) if parent else jdump({})
        out = _outer(files, dirs)
        if layout == "gzip-outer":
            out = gzip.compress(out, compresslevel=6, mtime=0)
        return out, layers, tag
    if layout == "docker-archive":  # podman / skopeo docker-archive: <sha>.tar, <sha>.json
        files = {sha(cfg) + ".json": cfg}
        for l in layers:
            files[sha(l["blob"]) + ".tar"] = l["blob"]
        files["manifest.json"] = jdump([{"Config": sha(cfg) + ".json", "RepoTags": [tag],
                                          "Layers": [sha(l["blob"]) + ".tar" for l in layers]}])
        return _outer(files), layers, tag
    blobs = {sha(cfg): cfg}
    for l in layers:
        blobs[sha(l["blob"])] = l["blob"]
    man = jdump({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                 "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + sha(cfg), "size": len(cfg)},
                 "layers": [{"mediaType": l["media_type"], "digest": "sha256:" + sha(l["blob"]), "size": len(l["blob"])} for l in layers]})
    blobs[sha(man)] = man
    desc = {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + sha(man), "size": len(man),
            "annotations": {"org.opencontainers.image.ref.name": tg}}
    files = {"blobs/sha256/" + h: b for h, b in blobs.items()}
    files["oci-layout"] = jdump({"imageLayoutVersion": "1.0.0"})
    if layout == "oci-archive":
        desc["annotations"]["org.opencontainers.image.ref.name"] = tag  # skopeo/podman: the whole reference
    if layout == "docker25":
        desc["annotations"]["io.containerd.image.name"] = "docker.io/" + tag
        files["manifest.json"] = jdump([{"Config": "blobs/sha256/" + sha(cfg), "RepoTags": [tag],
                                          "Layers": ["blobs/sha256/" + sha(l["blob"]) for l in layers]}])
        files["repositories"] = jdump({repo: {tg: sha(cfg)}})
    files["index.json"] = jdump({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [desc]})
    return _outer(files, ["blobs", "blobs/sha256"]), layers, tag
