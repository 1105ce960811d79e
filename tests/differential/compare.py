#!/usr/bin/env python3
"""Differential check: random layer tars, wrapped in the five image-tarball layouts, read by
Pancake and by Python's tarfile (with Go's reading where the two differ, see exceptions.py),
compared member by member.

usage:
  compare.py PANCAKE [--seed S] [--layers N]      random cases until N layers (default 300)
  compare.py PANCAKE --case FILE.json ...          replay saved recipes (cases/)
  options: --keep DIR (write each case's image tarball and recipe there)
           --save-failures DIR (write the recipe of each failing case there)
           --summary (group disagreements by field after the lines)

Prints one line per disagreement:  case | layout | member | field | expected ... | got ...
and closes with `N passed, N failed` (cases); exits 1 on any disagreement.
"""

import argparse
import collections
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import generate as gen  # noqa: E402
import model  # noqa: E402
from exceptions import EXCEPTIONS  # noqa: E402

PYKIND = {tarfile.REGTYPE: "file", tarfile.AREGTYPE: "file", tarfile.CONTTYPE: "file",
          tarfile.GNUTYPE_SPARSE: "file", tarfile.DIRTYPE: "dir", tarfile.SYMTYPE: "symlink",
          tarfile.LNKTYPE: "hardlink", tarfile.FIFOTYPE: "fifo", tarfile.CHRTYPE: "char",
          tarfile.BLKTYPE: "block"}


def python_members(tar: bytes):
    """Python's reading of a layer tar: [{name bytes, kind, size, target}]."""
    if not tar:
        return []  # a 0-byte layer is an empty changeset (tarfile calls it an "empty file")
    with tarfile.open(fileobj=io.BytesIO(tar), mode="r:") as tf:
        return [{"name": gen.enc(m.name), "kind": PYKIND.get(m.type, "other"), "size": m.size,
                 "target": gen.enc(m.linkname) if m.type in (tarfile.SYMTYPE, tarfile.LNKTYPE) else None}
                for m in tf.getmembers()]


def _key(m):
    t = m["target"]
    if t is not None and m["kind"] == "hardlink":
        t = model.clean(t)
    return (model.clean(m["name"]), m["kind"], m["size"] if m["kind"] != "hardlink" else 0, t)


def _global_paths(layer):
    """For each member index of intended_members: the PAX global `path` active before it."""
    out, cur = [], None
    for m in ([] if layer.get("empty") else layer["members"]):
        if m["op"] == "global":
            for k, v in m["records"]:
                if k == "path":
                    cur = gen.enc(v)
        out.append(cur)
    return out


def check_layer_reading(layer, tar):
    want = gen.intended_members(layer)
    try:
        py = python_members(tar)
    except tarfile.TarError as e:
        return want, ["tarfile cannot read the layer: %s" % e]
    files = [(m, g) for m, g in zip(want, _global_paths(layer)) if m["kind"] != "global"]
    if len(files) != len(py):
        return want, ["tarfile lists %d members, the generator meant %d" % (len(py), len(files)), ]
    errors = []
    for (m, gp), p in zip(files, py):
        if _key(m) == _key(p):
            continue
        mm = dict(m, target=model.clean(m["target"]) if m["kind"] == "hardlink" and m["target"] else m["target"])
        pp = dict(p, name=model.clean(p["name"]) if p["name"] else p["name"],
                  target=model.clean(p["target"]) if p["kind"] == "hardlink" and p["target"] else p["target"])
        mm["name"] = model.clean(m["name"])
        rules = [n for n, (_, test) in EXCEPTIONS.items() if test(mm, pp, {"global_path": gp})]
        if len(rules) != 1:
            errors.append("member %s: tarfile reads %r, the generator meant %r (rules matching: %s)"
                          % (model.display(m["name"]), _key(p), _key(m), rules or "none"))
    return want, errors


def layer_facts(layer, built, members):
    names = [model.clean(m["name"]) for m in members if m["kind"] != "global"]
    base = [n.rpartition(b"/")[2] for n in names]
    return {"diff_id": "sha256:" + gen.sha(built["tar"]), "digest": "sha256:" + gen.sha(built["blob"]),
            "size": len(built["tar"]), "stored_size": len(built["blob"]), "entries": len(names),
            "whiteouts": sum(1 for b in base if b.startswith(b".wh.") and b != b".wh..wh..opq"),
            "opaque_dirs": sum(1 for b in base if b == b".wh..wh..opq"), "verified": True}


def _climbs(name, target):
    """Does the symlink `name` -> `target` climb above the root from its folder? Absolute
    targets start again at the root (not climbing); `..` below depth 0 climbs."""
    if target.startswith("/"):
        return False
    depth = len([p for p in name.split("/") if p not in ("", ".")]) - 1
    for p in target.split("/"):
        if p in ("", "."):
            continue
        depth = depth - 1 if p == ".." else depth + 1
        if depth < 0:
            return True
    return False


def layer_member_name(recipe, built, i):
    """The archive member that holds layer i's blob, as Pancake names it in problems."""
    layout = recipe["layout"]
    if layout in ("docker-legacy", "gzip-outer"):
        parent = ""
        for l in built[: i + 1]:
            parent = gen.sha((parent + "\n" + gen.sha(l["tar"])).encode())
        return parent + "/layer.tar"
    if layout == "docker-archive":
        return gen.sha(built[i]["blob"]) + ".tar"
    return "blobs/sha256/" + gen.sha(built[i]["blob"])


def run(cmd):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        return "timeout", "", ""


def parse_ls(text):
    """Rows of `pancake ls`: {path: [{kind, size, change, target}, ...]} (a list, so a path
    printed twice shows up)."""
    rows = collections.defaultdict(list)
    for line in text.splitlines()[1:]:
        parts = line.rstrip().rsplit(None, 3)
        if len(parts) != 4:
            continue
        path, kind, size, change = parts
        path = path.rstrip()
        target = None
        if kind in ("symlink", "hardlink") and " -> " in path:
            path, target = path.split(" -> ", 1)
        rows[path].append({"kind": kind, "size": int(size) if size.isdigit() else size, "change": change, "target": target})
    return rows


def compare_rows(want, got, where, out):
    for p in sorted(set(want) | set(got)):
        w, g = want.get(p), got.get(p)
        if w is None:
            out.append((where + " " + p, "row", "absent", "%s %s" % (g[0]["kind"], g[0]["change"])))
            continue
        if not g:
            out.append((where + " " + p, "row", "%s %s" % (w["kind"], w["change"]), "absent"))
            continue
        if len(g) > 1:
            out.append((where + " " + p, "rows", 1, len(g)))
        g = g[0]
        for k in ("kind", "size", "change", "target"):
            if k == "size" and w["size"] is None:
                continue
            if w[k] != g[k]:
                out.append((where + " " + p, k, w[k], g[k]))


def check_case(pancake, recipe, workdir, keep=None):
    """-> (list of disagreements (member, field, expected, got), layers)"""
    image, built, tag = gen.build_image(recipe)
    name = "case-%s-%s.tar" % (recipe.get("seed"), recipe.get("index"))
    path = os.path.join(keep or workdir, name)
    with open(path, "wb") as f:
        f.write(image)
    if keep:
        with open(path + ".recipe.json", "w") as f:
            json.dump(recipe, f, indent=1)
    bad = []
    members = []
    for i, (l, b) in enumerate(zip(recipe["layers"], built)):
        ms, errs = check_layer_reading(l, b["tar"])
        bad += [("layer %d" % i, "self-check", "", e) for e in errs]
        members.append(ms)
    try:
        merged_want = model.rows_merged(members)
        layer_want = [model.rows_layer(members, i) for i in range(len(members))]
    except ValueError as e:
        return bad + [("recipe", "self-check", "a layer Docker can apply", str(e))], len(members)
    rc, js, err = run([pancake, "inspect", "--json", path])
    if rc != 0:
        bad.append(("-", "inspect exit", 0, "%s: %s" % (rc, err.strip()[:200])))
    try:
        doc = json.loads(js)
    except ValueError:
        doc = {}
    imgs = doc.get("images", [])
    if len(imgs) != 1:
        bad.append(("-", "images", 1, len(imgs)))
    else:
        img = imgs[0]
        if img.get("tags") != [tag]:
            bad.append(("-", "tags", [tag], img.get("tags")))
        al = img.get("layers", [])
        if len(al) != len(built):
            bad.append(("-", "layers", len(built), len(al)))
        for i, (l, b, a) in enumerate(zip(recipe["layers"], built, al)):
            want = layer_facts(l, b, members[i])
            for k, v in want.items():
                if a.get(k) != v:
                    bad.append(("layer %d %s" % (i, layer_member_name(recipe, built, i)), k, v, a.get(k)))
    # Problems a correct reader must report: one `unpack-fails` problem per old-GNU sparse ('S')
    # member, because Docker's layer extraction refuses that type (exceptions.py). Any other
    # problem is a disagreement.
    want_notes = sum(1 for l in recipe["layers"] for m in l.get("members", [])
                     if m.get("op") == "sparse" and m.get("format") == "old-gnu")
    # And one `unsafe-path` problem per relative symlink whose target climbs above the root
    # from its folder (`../lib/x` at the top): harmless in a container, where `..` stops at
    # `/`, but a careless extractor would follow it out.
    want_climbs = sum(1 for l in recipe["layers"] for m in l.get("members", [])
                      if m.get("op") == "symlink" and _climbs(m["name"], m["target"]))
    # And one `unpack-fails` problem per layer with a name component over 255 bytes (NAME_MAX:
    # creating it fails with ENAMETOOLONG, so Docker's unpacking refuses the layer).
    def _too_long(name):
        return any(len(c.encode("utf-8", "surrogateescape") if isinstance(c, str) else c) > 255
                   for c in name.split("/"))
    want_long = sum(1 for l in recipe["layers"]
                    if any(_too_long(m.get("name", "")) for m in l.get("members", [])))
    notes = climbs = longs = 0
    for p in doc.get("problems", []):
        if p.get("kind") == "unpack-fails" and "ENAMETOOLONG" in p.get("message", "") and longs < want_long:
            longs += 1
            continue
        if p.get("kind") == "unpack-fails" and "type 'S' (83)" in p.get("message", "") and notes < want_notes:
            notes += 1
            continue
        if p.get("kind") == "unsafe-path" and "climbs above the root" in p.get("message", "") and climbs < want_climbs:
            climbs += 1
            continue
        bad.append((p.get("member") or "-", "problem", "none", "%s: %s" % (p.get("kind"), p.get("message", "")[:300])))
    if notes != want_notes:
        bad.append(("-", "old-GNU sparse unpack-fails problems", want_notes, notes))
    if longs != want_long:
        bad.append(("-", "name components over 255 bytes unpack-fails problems", want_long, longs))
    if climbs != want_climbs:
        bad.append(("-", "symlinks climbing above the root", want_climbs, climbs))
    rc, text, err = run([pancake, "ls", path, "--merged"])
    if rc != 0:
        bad.append(("-", "ls --merged exit", 0, "%s: %s" % (rc, err.strip()[:200])))
    else:
        compare_rows(merged_want, parse_ls(text), "merged", bad)
    for i in range(len(members)):
        rc, text, err = run([pancake, "ls", path, "--layer", str(i)])
        if rc != 0:
            bad.append(("layer %d" % i, "ls --layer exit", 0, "%s: %s" % (rc, err.strip()[:200])))
            continue
        compare_rows(layer_want[i], parse_ls(text), "layer %d" % i, bad)
    return bad, len(members)


def _show(x):
    """One printable line: control characters (a NUL Pancake printed, say) as \\xNN."""
    return "".join("\\x%02x" % ord(ch) if ord(ch) < 0x20 or ord(ch) == 0x7F else ch for ch in str(x))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pancake")
    ap.add_argument("--seed", default="1")
    ap.add_argument("--layers", type=int, default=300)
    ap.add_argument("--case", nargs="*", default=[])
    ap.add_argument("--keep")
    ap.add_argument("--save-failures")
    ap.add_argument("--summary", action="store_true")
    a = ap.parse_args()
    if a.keep:
        os.makedirs(a.keep, exist_ok=True)
    recipes = []
    if a.case:
        for c in a.case:
            with open(c) as f:
                recipes.append(json.load(f))
    passed = failed = layers = 0
    groups = collections.OrderedDict()
    with tempfile.TemporaryDirectory() as tmp:
        index = 0
        while True:
            if a.case:
                if index >= len(recipes):
                    break
                recipe = recipes[index]
            else:
                if layers >= a.layers:
                    break
                recipe = gen.random_case(a.seed, index)
            index += 1
            bad, n = check_case(a.pancake, recipe, tmp, a.keep)
            layers += n
            case = "%s:%s" % (recipe.get("seed"), recipe.get("index"))
            for member, field, exp, got in bad:
                print("%s | %s | %s | %s | expected %s | got %s" % (case, recipe["layout"], _show(member), field, _show(exp), _show(got)))
                groups.setdefault(field, []).append(case)
            if bad:
                failed += 1
                if a.save_failures:
                    os.makedirs(a.save_failures, exist_ok=True)
                    with open(os.path.join(a.save_failures, "case-%s-%s.json" % (recipe.get("seed"), recipe.get("index"))), "w") as f:
                        json.dump(recipe, f, indent=1)
            else:
                passed += 1
            if not a.keep:  # the image tarballs of a long run would fill the disk
                os.unlink(os.path.join(tmp, "case-%s-%s.tar" % (recipe.get("seed"), recipe.get("index"))))
    if a.summary:
        print("disagreements by field:")
        for field, cases in groups.items():
            print("  %-20s %5d lines in %4d cases (first: %s)" % (field, len(cases), len(set(cases)), cases[0]))
    print("%d layers in %d cases" % (layers, passed + failed))
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
