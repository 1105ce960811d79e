#!/usr/bin/env python3
"""Independent check of a `docker save` (Docker 25+ layout) tarball written by Pancake.

Uses only tarfile + hashlib + gzip: every blob is hashed, every layer decompressed and
hashed again for its diff_id; nothing stored in the file is trusted. Checks
manifest.json <-> config <-> blobs, index.json <-> manifest blob, sizes, repositories.
Prints one JSON summary line; exit 0 when everything holds, 1 otherwise.
Usage: check_export.py FILE.tar [EXPECTED_TOP_DIFF_ID]
"""
import gzip
import hashlib
import json
import sys
import tarfile


def main():
    path = sys.argv[1]
    want_top = sys.argv[2] if len(sys.argv) > 2 else None
    errors = []
    t = tarfile.open(path)
    members = {m.name.rstrip("/"): m for m in t.getmembers()}

    def blob(name):
        m = members.get(name)
        if m is None or not m.isfile():
            errors.append(f"missing member {name}")
            return None
        return t.extractfile(m).read()

    def by_digest(digest):
        algo, _, hexd = digest.partition(":")
        return blob(f"blobs/{algo}/{hexd}")

    def sha(b):
        return "sha256:" + hashlib.sha256(b).hexdigest()

    layout = json.loads(blob("oci-layout") or b"{}")
    if layout.get("imageLayoutVersion") != "1.0.0":
        errors.append("oci-layout: wrong imageLayoutVersion")
    # Every blob's name is its sha256.
    for name, m in members.items():
        if name.startswith("blobs/sha256/") and m.isfile():
            if sha(t.extractfile(m).read()) != "sha256:" + name.rsplit("/", 1)[1]:
                errors.append(f"{name}: content does not hash to its name")

    manifest = json.loads(blob("manifest.json") or b"[]")
    index = json.loads(blob("index.json") or b"{}")
    repos = json.loads(blob("repositories") or b"{}")
    images = []
    for i, entry in enumerate(manifest):
        cfg_bytes = blob(entry["Config"]) or b"{}"
        cfg = json.loads(cfg_bytes)
        cfg_digest = sha(cfg_bytes)
        diff_ids = cfg.get("rootfs", {}).get("diff_ids", [])
        if len(diff_ids) != len(entry["Layers"]):
            errors.append(f"image {i}: {len(entry['Layers'])} layers, config has {len(diff_ids)} diff_ids")
        non_empty = [h for h in cfg.get("history", []) if not h.get("empty_layer")]
        if len(non_empty) != len(diff_ids):
            errors.append(f"image {i}: {len(non_empty)} non-empty history entries for {len(diff_ids)} layers")
        computed = []
        for layer_path, claimed in zip(entry["Layers"], diff_ids):
            b = blob(layer_path) or b""
            raw = gzip.decompress(b) if b[:2] == b"\x1f\x8b" else b
            tarfile.open(fileobj=__import__("io").BytesIO(raw)).getmembers()  # a real tar
            computed.append(sha(raw))
            if sha(raw) != claimed:
                errors.append(f"image {i}: {layer_path}: diff_id {sha(raw)} != config {claimed}")
        # The index names a manifest blob whose config and layers are these.
        found = False
        for d in index.get("manifests", []):
            mb = by_digest(d["digest"]) or b"{}"
            if len(mb) != d["size"]:
                errors.append(f"index: {d['digest']}: size {d['size']} != {len(mb)}")
            man = json.loads(mb)
            if man.get("config", {}).get("digest") != cfg_digest:
                continue
            found = True
            if man["config"]["size"] != len(cfg_bytes):
                errors.append(f"manifest {d['digest']}: config size wrong")
            if [l["digest"] for l in man["layers"]] != ["sha256:" + p.rsplit("/", 1)[1] for p in entry["Layers"]]:
                errors.append(f"manifest {d['digest']}: layers differ from manifest.json")
            for l in man["layers"]:
                b = by_digest(l["digest"]) or b""
                if len(b) != l["size"]:
                    errors.append(f"manifest {d['digest']}: {l['digest']} size {l['size']} != {len(b)}")
        if not found:
            errors.append(f"image {i}: no index.json manifest has config {cfg_digest}")
        for tag in entry.get("RepoTags") or []:
            repo, _, t_ = tag.rpartition(":")
            top = "sha256:" + entry["Layers"][-1].rsplit("/", 1)[1]
            if repos.get(repo, {}).get(t_) != top.split(":")[1]:
                errors.append(f"repositories: {tag} does not name the top layer")
        images.append({"tags": entry.get("RepoTags"), "config": cfg_digest, "diff_ids": computed})
    if want_top and (not images or images[-1]["diff_ids"][-1:] != [want_top]):
        errors.append(f"top diff_id is not {want_top}")
    print(json.dumps({"ok": not errors, "images": images, "errors": errors}))
    sys.exit(0 if not errors else 1)


if __name__ == "__main__":
    main()
