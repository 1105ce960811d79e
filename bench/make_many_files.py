#!/usr/bin/env python3
"""Write a `docker save` tarball (Docker 25+ layout) whose one layer holds many small files in a
deep tree, like a node_modules or a Python site-packages image: the index, not the hashing, is
the work. Deterministic for a given file count.

usage: make_many_files.py OUT.tar NFILES [--gzip]

--gzip stores the layer gzip-compressed (as `skopeo copy` or `podman save --format oci-archive`
of a pulled image does): its index then comes from the hasher that inflates it, not from the
page's header walk.
"""
import gzip
import hashlib
import io
import json
import os
import random
import sys
import tarfile

MTIME = 1700000000


def main():
    out, nfiles = sys.argv[1], int(sys.argv[2])
    gzipped = "--gzip" in sys.argv[3:]
    rng = random.Random(nfiles)
    words = b"module exports require function return const let var true false null undefined\n"
    layer_path = out + ".layer"
    h = hashlib.sha256()

    class Tee(io.RawIOBase):
        def __init__(self, f):
            self.f, self.n = f, 0

        def writable(self):
            return True

        def write(self, b):
            h.update(b)
            self.n += len(b)
            return self.f.write(b)

    with open(layer_path, "wb") as raw:
        tee = Tee(raw)
        with tarfile.open(fileobj=tee, mode="w|", format=tarfile.PAX_FORMAT) as tf:
            made = set()

            def mkdir(d):
                parts = d.split("/")
                for i in range(1, len(parts) + 1):
                    p = "/".join(parts[:i])
                    if p not in made:
                        made.add(p)
                        ti = tarfile.TarInfo(p)
                        ti.type, ti.mode, ti.mtime = tarfile.DIRTYPE, 0o755, MTIME
                        tf.addfile(ti)

            for n in range(nfiles):
                d = f"app/node_modules/pkg{n // 400:04d}/lib/sub{(n // 40) % 10}"
                mkdir(d)
                size = int(10 ** rng.uniform(1.5, 3.3))  # 30 B .. 2 KB
                data = (words * (size // len(words) + 1))[:size]
                ti = tarfile.TarInfo(f"{d}/file{n:06d}.js")
                ti.size, ti.mode, ti.mtime = size, 0o644, MTIME
                tf.addfile(ti, io.BytesIO(data))
        n = tee.n
    diff_id = "sha256:" + h.hexdigest()
    blob_digest, media_type = diff_id, "application/vnd.oci.image.layer.v1.tar"
    if gzipped:
        with open(layer_path, "rb") as f:
            packed = gzip.compress(f.read(), compresslevel=6, mtime=0)
        with open(layer_path, "wb") as f:
            f.write(packed)
        n = len(packed)
        blob_digest = "sha256:" + hashlib.sha256(packed).hexdigest()
        media_type += "+gzip"
    config = json.dumps({
        "architecture": "amd64", "os": "linux", "created": "2024-05-01T10:00:02Z",
        "config": {"Cmd": ["node", "app"]},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created": "2024-05-01T10:00:00Z", "created_by": "COPY app /app # buildkit"}],
    }, separators=(",", ":")).encode()
    cdig = hashlib.sha256(config).hexdigest()
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + cdig, "size": len(config)},
        "layers": [{"mediaType": media_type, "digest": blob_digest, "size": n}],
    }, separators=(",", ":")).encode()
    mdig = hashlib.sha256(manifest).hexdigest()
    index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + mdig, "size": len(manifest),
         "annotations": {"io.containerd.image.name": "docker.io/library/many:bench"}}]}).encode()
    dmanifest = json.dumps([{"Config": "blobs/sha256/" + cdig, "RepoTags": ["many:bench"],
                             "Layers": ["blobs/sha256/" + blob_digest.split(":")[1]]}]).encode()
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tf:
        def add_bytes(name, b):
            ti = tarfile.TarInfo(name)
            ti.size, ti.mtime = len(b), MTIME
            tf.addfile(ti, io.BytesIO(b))
        ti = tf.gettarinfo(layer_path, arcname="blobs/sha256/" + blob_digest.split(":")[1])
        ti.mtime, ti.uid, ti.gid, ti.uname, ti.gname = MTIME, 0, 0, "", ""
        with open(layer_path, "rb") as lf:
            tf.addfile(ti, lf)
        add_bytes("blobs/sha256/" + cdig, config)
        add_bytes("blobs/sha256/" + mdig, manifest)
        add_bytes("index.json", index)
        add_bytes("manifest.json", dmanifest)
        add_bytes("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
    os.remove(layer_path)
    print(out, os.path.getsize(out), "bytes,", nfiles, "files")


if __name__ == "__main__":
    main()
