#!/usr/bin/env python3
"""Write a large, realistic `docker save` tarball (Docker 25+ layout: OCI layout + manifest.json)
for benchmarks: several uncompressed layers of many files with log-distributed sizes, a mix of
text-like and random content, real digests. Deterministic for a given size and seed.

usage: make_big_image.py OUT.tar SIZE_MB [LAYERS] [--gzip-layers] [--even]
(--gzip-layers: each layer blob stored gzip-compressed, as a registry pull saves it; the
config's diff_ids stay the digests of the uncompressed tars; --even: layers of equal size
instead of a big base, a few mid and small top ones)
"""
import gzip
import hashlib
import io
import json
import os
import random
import sys
import tarfile

BLOCK = 1 << 20


class HashingWriter(io.RawIOBase):
    """Wraps a file: hashes and counts what is written, so a layer is never held in memory."""

    def __init__(self, f):
        self.f, self.h, self.n = f, hashlib.sha256(), 0

    def writable(self):
        return True

    def write(self, b):
        self.h.update(b)
        self.n += len(b)
        return self.f.write(b)


def file_sizes(rng, total):
    left = total
    while left > 0:
        # log-uniform between 100 B and 8 MB: many small files, a few big ones, like real images
        s = int(10 ** rng.uniform(2, 6.9))
        s = min(s, left)
        left -= s + 512
        yield s


def content(rng, size, pool_text, pool_rand):
    src = pool_text if rng.random() < 0.6 else pool_rand
    start = rng.randrange(0, len(src) - BLOCK)
    out = bytearray()
    while len(out) < size:
        take = min(size - len(out), BLOCK)
        out += src[start:start + take]
        start = (start + 7919) % (len(src) - BLOCK)
    return bytes(out)


def write_layer(path, rng, size, idx, pools):
    with open(path, "wb") as raw:
        hw = HashingWriter(raw)
        with tarfile.open(fileobj=hw, mode="w|", format=tarfile.PAX_FORMAT) as tf:
            for d in ("usr", "usr/lib", f"usr/lib/pkg{idx}", "etc"):
                ti = tarfile.TarInfo(d)
                ti.type, ti.mode, ti.mtime = tarfile.DIRTYPE, 0o755, 1700000000
                tf.addfile(ti)
            for n, s in enumerate(file_sizes(rng, size)):
                ti = tarfile.TarInfo(f"usr/lib/pkg{idx}/file{n:06d}.{'so' if n % 3 else 'txt'}")
                ti.size, ti.mode, ti.mtime = s, 0o644, 1700000000
                tf.addfile(ti, io.BytesIO(content(rng, s, *pools)))
    return "sha256:" + hw.h.hexdigest(), hw.n


def gzip_layer(path):
    """Replaces the layer file by its gzip (deterministic: no name, mtime 0); its digest, size."""
    h, n = hashlib.sha256(), 0
    with open(path, "rb") as src, open(path + ".gz", "wb") as raw:
        hw = HashingWriter(raw)
        with gzip.GzipFile(fileobj=hw, mode="wb", compresslevel=1, mtime=0, filename="") as gz:
            while True:
                b = src.read(BLOCK)
                if not b:
                    break
                gz.write(b)
        h, n = hw.h, hw.n
    os.replace(path + ".gz", path)
    return "sha256:" + h.hexdigest(), n


def main():
    gz = "--gzip-layers" in sys.argv
    even = "--even" in sys.argv
    argv = [a for a in sys.argv if a not in ("--gzip-layers", "--even")]
    out, size_mb = argv[1], int(argv[2])
    nlayers = int(argv[3]) if len(argv) > 3 else 6
    rng = random.Random(size_mb * 7 + nlayers)
    words = b"the quick brown fox jumps over lazy dog lib usr share locale config value true false " * 4
    pool_text = b"".join(rng.choice(words.split(b" ")) + (b"\n" if rng.random() < 0.1 else b" ") for _ in range(3 * BLOCK // 5))
    pool_rand = rng.randbytes(8 * BLOCK)
    pool_text = (pool_text * (8 * BLOCK // len(pool_text) + 1))[: 8 * BLOCK]
    tmp = out + ".parts"
    os.makedirs(tmp, exist_ok=True)
    # Layer sizes: a big base, a few mid, small top ones (like distro + runtime + app).
    weights = [1.0] * nlayers if even else [0.4, 0.25, 0.15, 0.1, 0.06, 0.04][:nlayers]
    weights = [w / sum(weights) for w in weights]
    layers = []
    for i, w in enumerate(weights):
        p = os.path.join(tmp, f"layer{i}.tar")
        d, n = write_layer(p, rng, int(size_mb * BLOCK * w), i, (pool_text, pool_rand))
        blob_d, blob_n = gzip_layer(p) if gz else (d, n)
        layers.append((p, d, n, blob_d, blob_n))
    history = []
    for i, _ in enumerate(layers):
        history.append({"created": "2024-05-01T10:00:00Z", "created_by": f"RUN /bin/sh -c install-pkg-{i} # buildkit", "comment": "buildkit.dockerfile.v0"})
        history.append({"created": "2024-05-01T10:00:01Z", "created_by": f"ENV STEP={i}", "comment": "buildkit.dockerfile.v0", "empty_layer": True})
    config = json.dumps({
        "architecture": "amd64", "os": "linux", "created": "2024-05-01T10:00:02Z",
        "config": {"Env": ["PATH=/usr/bin"], "Cmd": ["/bin/sh"]},
        "rootfs": {"type": "layers", "diff_ids": [d for _, d, _, _, _ in layers]},
        "history": history,
    }, separators=(",", ":")).encode()
    cdig = hashlib.sha256(config).hexdigest()
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + cdig, "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar" + ("+gzip" if gz else ""), "digest": bd, "size": bn}
                   for _, _, _, bd, bn in layers],
    }, separators=(",", ":")).encode()
    mdig = hashlib.sha256(manifest).hexdigest()
    index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + mdig, "size": len(manifest),
         "annotations": {"io.containerd.image.name": "docker.io/library/big:bench", "org.opencontainers.image.ref.name": "bench"}}]}).encode()
    dmanifest = json.dumps([{"Config": "blobs/sha256/" + cdig, "RepoTags": ["big:bench"],
                             "Layers": ["blobs/sha256/" + bd.split(":")[1] for _, _, _, bd, _ in layers]}]).encode()
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tf:
        def add_bytes(name, b):
            ti = tarfile.TarInfo(name)
            ti.size, ti.mtime = len(b), 1700000000
            tf.addfile(ti, io.BytesIO(b))
        for p, _, _, bd, _ in layers:
            ti = tf.gettarinfo(p, arcname="blobs/sha256/" + bd.split(":")[1])
            ti.mtime, ti.uid, ti.gid, ti.uname, ti.gname = 1700000000, 0, 0, "", ""
            with open(p, "rb") as lf:
                tf.addfile(ti, lf)
        add_bytes("blobs/sha256/" + cdig, config)
        add_bytes("blobs/sha256/" + mdig, manifest)
        add_bytes("index.json", index)
        add_bytes("manifest.json", dmanifest)
        add_bytes("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
    for p, *_ in layers:
        os.remove(p)
    os.rmdir(tmp)
    print(out, os.path.getsize(out), "bytes,", len(layers), "layers")


if __name__ == "__main__":
    main()
