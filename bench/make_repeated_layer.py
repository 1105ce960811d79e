#!/usr/bin/env python3
"""A small `docker save` that lists one layer of many empty files N times (one zstd blob,
N manifest layers, N diff_ids, N history steps): hostile input for the cost of folding
layers × entries (`pancake diff FILE FILE`, `find`, the page's Files view and search).
200,000 files × 100 copies is a 348 KB file whose layers hold 20 million entries.
usage: make_repeated_layer.py FILES COPIES OUT.tar   (needs the `zstd` program)
"""
import hashlib
import io
import json
import subprocess
import sys
import tarfile


def main():
    n_files, copies, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as t:
        for i in range(n_files):
            ti = tarfile.TarInfo(f"d{i % 100}/f{i}")
            ti.size = 0
            t.addfile(ti)
    layer = buf.getvalue()
    diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
    blob = subprocess.run(["zstd", "-19", "-q", "-c"], input=layer, capture_output=True, check=True).stdout
    blob_hex = hashlib.sha256(blob).hexdigest()
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [diff_id] * copies},
        "history": [{"created_by": f"COPY x /  # {i}"} for i in range(copies)],
    }).encode()
    config_hex = hashlib.sha256(config).hexdigest()
    manifest = json.dumps([{
        "Config": f"blobs/sha256/{config_hex}", "RepoTags": ["rep:1"],
        "Layers": [f"blobs/sha256/{blob_hex}"] * copies,
    }]).encode()
    with tarfile.open(out, "w") as t:
        for name, data in [(f"blobs/sha256/{blob_hex}", blob), (f"blobs/sha256/{config_hex}", config),
                           ("manifest.json", manifest)]:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))


if __name__ == "__main__":
    main()
