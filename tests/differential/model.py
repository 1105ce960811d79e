"""What a container sees: layers applied the way Docker applies them (moby
pkg/archive.UnpackLayer with the overlay2 whiteout format, image-spec layer.md), computed
here from the members of each layer, never from Pancake.

- Names are cleaned like filepath.Clean (no leading `/` or `./`, no `.` or empty parts, no
  trailing `/`); the root itself (`./`) changes nothing.
- `.wh.NAME` deletes NAME and everything below it from the layers below; `D/.wh..wh..opq`
  hides everything below D from the layers below. Both only touch lower layers, so where the
  marker sits in the layer does not matter.
- Missing parent directories are created (MkdirAll, mode 0755), a marker's too: UnpackLayer
  makes an entry's parent before it handles a whiteout.
- A directory over a directory keeps what is below it; anything else replaces the path (a
  directory replaced by a file loses its tree).
- A hard link has the size of the file it links to and is the same file (inode): a directory's
  size counts each inode below it once, like `du` (overlay2 unpacks each layer into its own
  directory, so the generator only links to files earlier in the same layer).
- PAX global headers (`g`) are not files: Docker logs and skips them.
"""


def clean(raw: bytes) -> bytes:
    return b"/".join(p for p in raw.split(b"/") if p not in (b"", b"."))


def display(p: bytes) -> str:
    """How Pancake prints a path: UTF-8, each byte that is not valid UTF-8 as `\\xNN`."""
    return p.decode("utf-8", "backslashreplace")


def under(p: bytes, d: bytes) -> bool:
    return p.startswith(d + b"/") if d else bool(p)


def marker(p: bytes):
    """("opaque", dir) | ("whiteout", path) | None for a cleaned path."""
    par, _, base = p.rpartition(b"/")
    if base == b".wh..wh..opq":
        return ("opaque", par)
    if base.startswith(b".wh."):
        return ("whiteout", (par + b"/" if par else b"") + base[4:])
    return None


def apply(view: dict, members, layer: int):
    """Applies one layer's members to `view` {cleaned path bytes: node}; node =
    {kind, size, target (bytes or None), layer}."""
    writes, whiteouts, opaques = [], [], []
    for m in members:
        if m["kind"] == "global":
            continue
        p = clean(m["name"])
        if not p:
            continue
        mk = marker(p)
        writes.append((p, m, mk is not None))
        if mk is None:
            pass
        elif mk[0] == "opaque":
            opaques.append(mk[1])
        else:
            whiteouts.append(mk[1])
    for d in opaques:
        for p in [p for p in view if under(p, d)]:
            del view[p]
    for t in whiteouts:
        for p in [p for p in view if p == t or under(p, t)]:
            del view[p]
    for p, m, is_marker in writes:
        parts = p.split(b"/")
        for i in range(1, len(parts)):
            a = b"/".join(parts[:i])
            if a not in view:
                view[a] = {"kind": "dir", "size": 0, "target": None, "layer": layer}
            elif view[a]["kind"] != "dir":
                raise ValueError("%s: parent %s is a %s" % (display(p), display(a), view[a]["kind"]))
        if is_marker:
            continue  # it writes nothing; what it deletes was deleted above
        old = view.get(p)
        if old is not None and not (old["kind"] == "dir" and m["kind"] == "dir"):
            for q in [q for q in view if under(q, p)]:
                del view[q]
        size, target = m["size"], m["target"]
        if m["kind"] == "symlink":
            # A symlink's size is its target's length, as `ls -l` shows it (and Docker's
            # layer size counts it), whatever the tar header says.
            size = len(target or b"")
        ino = (layer, p) if m["kind"] == "file" else None
        if m["kind"] == "hardlink":
            target = clean(target)
            t = view.get(target)
            if t is None or t["kind"] != "file" and t.get("ino") is None:
                raise ValueError("%s: hard link to %s, which is not a file" % (display(p), display(target)))
            size, ino = t["size"], t.get("ino")
        view[p] = {"kind": m["kind"], "size": size, "target": target, "layer": layer, "ino": ino}


def fold(layers):
    view = {}
    for i, members in enumerate(layers):
        apply(view, members, i)
    return view


def dir_sizes(view):
    """Per directory: bytes of the files below it, each file (inode) once however many of its
    names (hard links) are below, and each symlink its target's length — what
    `du --apparent-size` prints for that directory. A hard link whose target lies outside the
    directory counts there."""
    inos = {}
    for p, n in view.items():
        # A symlink is an inode of its own, its target's length in bytes.
        ino = ("symlink", p) if n["kind"] == "symlink" else n.get("ino")
        if ino is None or not n["size"]:
            continue
        parts = p.split(b"/")
        for i in range(1, len(parts)):
            inos.setdefault(b"/".join(parts[:i]), {})[ino] = n["size"]
    return {d: sum(sizes.values()) for d, sizes in inos.items()}


def rows_merged(layers):
    """`pancake ls --merged` as it should read: {display path: {kind, size, change, target}}."""
    view = fold(layers)
    ds = dir_sizes(view)
    out = {}
    for p, n in view.items():
        # The merged view's last column names the layer that last wrote the path.
        change = "L%d" % n["layer"]
        size = ds.get(p, 0) if n["kind"] == "dir" else n["size"]
        out[display(p)] = {"kind": n["kind"], "size": size, "change": change,
                           "target": display(n["target"]) if n["target"] is not None else None}
    return out


def rows_layer(layers, i):
    """`pancake ls --layer i`: what layer i added, modified and deleted. Directory sizes are
    not compared here (the layer view has no tar fact behind them)."""
    below = fold(layers[:i])
    after = dict(below)
    apply(after, layers[i], i)
    out = {}
    for p, n in below.items():
        if p not in after:
            out[display(p)] = {"kind": n["kind"], "size": None if n["kind"] == "dir" else n["size"],
                               "change": "deleted", "target": display(n["target"]) if n["target"] is not None else None}
    for p, n in after.items():
        if n["layer"] == i:
            out[display(p)] = {"kind": n["kind"], "size": None if n["kind"] == "dir" else n["size"],
                               "change": "modified" if p in below else "added",
                               "target": display(n["target"]) if n["target"] is not None else None}
    return out
