//! Deterministic tar writing: layer tars (whiteouts included) and outer `docker save`
//! tarballs. Same input → same bytes → same digests, so demo images and commits have
//! stable IDs. Headers are filled from raw bytes (never through `Path`), so non-UTF-8
//! names survive and the code behaves the same on wasm32.

use std::io::{self, Read, Write};

use serde::Serialize;

use crate::digest::{Digest, Hasher};
use crate::media::{OCI_CONFIG, OCI_INDEX, OCI_MANIFEST, OPAQUE_MARKER, WHITEOUT_PREFIX};
use crate::model::Xattr;
use crate::path::RawPath;

/// 2024-01-01T00:00:00Z: the mtime every entry gets unless it keeps its own.
pub const FIXED_MTIME: u64 = 1_704_067_200;

/// What a tar entry holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// A regular file and its bytes.
    File(Vec<u8>),
    /// A directory (written with a trailing `/`).
    Dir,
    /// A symbolic link and its target, as written.
    Symlink(Vec<u8>),
    /// A hard link to another path in the same archive (or a lower layer).
    Hardlink(Vec<u8>),
}

/// One entry to write. `path` is normalized (no leading `/`); directories get their
/// trailing `/` when written, as Docker writes them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TarEntry {
    /// Path inside the tar, normalized (no leading `/`).
    pub path: RawPath,
    /// Its kind and content.
    pub body: Body,
    /// Mode bits; only `& 0o7777` is written.
    pub mode: u32,
    /// Owner user id (above 0o7777777 it goes in a PAX `uid` record).
    pub uid: u64,
    /// Owner group id (above 0o7777777 it goes in a PAX `gid` record).
    pub gid: u64,
    /// `None` → [`FIXED_MTIME`].
    pub mtime: Option<u64>,
    /// Extended attributes, each written as a PAX record `SCHILY.xattr.NAME=VALUE` (what
    /// Docker's own tar writer and its unpacking use), in this order.
    pub xattrs: Vec<Xattr>,
}

impl TarEntry {
    /// A regular file with `content` and `mode`, owned by root.
    pub fn file(path: impl Into<RawPath>, content: impl Into<Vec<u8>>, mode: u32) -> TarEntry {
        TarEntry::new(path.into(), Body::File(content.into()), mode)
    }

    /// A directory with `mode`, owned by root.
    pub fn dir(path: impl Into<RawPath>, mode: u32) -> TarEntry {
        TarEntry::new(path.into(), Body::Dir, mode)
    }

    /// A symbolic link to `target` (as written), mode 0o777, owned by root.
    pub fn symlink(path: impl Into<RawPath>, target: &str) -> TarEntry {
        TarEntry::new(
            path.into(),
            Body::Symlink(target.as_bytes().to_vec()),
            0o777,
        )
    }

    /// A hard link to the archive path `target`, mode 0o644, owned by root.
    pub fn hardlink(path: impl Into<RawPath>, target: &str) -> TarEntry {
        TarEntry::new(
            path.into(),
            Body::Hardlink(target.as_bytes().to_vec()),
            0o644,
        )
    }

    /// The `.wh.<name>` file that deletes `path` from the layers below.
    pub fn whiteout(path: &RawPath) -> TarEntry {
        let mut name = WHITEOUT_PREFIX.to_vec();
        name.extend_from_slice(path.file_name());
        // Mode 0, empty: what Docker's own exporter writes for a deletion.
        TarEntry::new(path.parent().join(&name), Body::File(Vec::new()), 0)
    }

    /// The `.wh..wh..opq` marker that hides everything below `dir` in lower layers.
    pub fn opaque(dir: &RawPath) -> TarEntry {
        TarEntry::new(dir.join(OPAQUE_MARKER), Body::File(Vec::new()), 0)
    }

    fn new(path: RawPath, body: Body, mode: u32) -> TarEntry {
        TarEntry {
            path,
            body,
            mode,
            uid: 0,
            gid: 0,
            mtime: None,
            xattrs: Vec::new(),
        }
    }

    /// The same entry with extended attributes `xattrs` (written as `SCHILY.xattr.` records).
    pub fn with_xattrs(mut self, xattrs: Vec<Xattr>) -> TarEntry {
        self.xattrs = xattrs;
        self
    }

    /// The same entry owned by `uid`:`gid`.
    pub fn owned(mut self, uid: u64, gid: u64) -> TarEntry {
        self.uid = uid;
        self.gid = gid;
        self
    }

    /// The same entry with its own mtime, seconds since the Unix epoch.
    pub fn with_mtime(mut self, mtime: u64) -> TarEntry {
        self.mtime = Some(mtime);
        self
    }

    fn size(&self) -> u64 {
        match &self.body {
            Body::File(c) => c.len() as u64,
            _ => 0,
        }
    }
}

/// A tar stream written entry by entry, deterministically.
pub struct TarWriter<W: Write> {
    out: tar::Builder<W>,
}

impl<W: Write> TarWriter<W> {
    /// A writer over `out`; nothing is written until an entry is added.
    pub fn new(out: W) -> Self {
        TarWriter {
            out: tar::Builder::new(out),
        }
    }

    /// Writes one entry with its `Body::File` content (none for other kinds): a PAX header first
    /// when the path or link target is over 100 bytes, an id over 0o7777777, or the entry has
    /// extended attributes. Errors: those of `out`.
    pub fn add(&mut self, entry: &TarEntry) -> io::Result<()> {
        let content: &[u8] = match &entry.body {
            Body::File(c) => c,
            _ => &[],
        };
        self.add_reader(entry, entry.size(), content)
    }

    /// Writes an entry whose content comes from `data`, which must yield exactly `size`
    /// bytes (checked: a short or long source is an error, not a corrupt tar).
    pub fn add_reader(&mut self, entry: &TarEntry, size: u64, data: impl Read) -> io::Result<()> {
        let mut name = entry.path.as_bytes().to_vec();
        if entry.body == Body::Dir && !name.is_empty() {
            name.push(b'/');
        }
        let link: Option<&[u8]> = match &entry.body {
            Body::Symlink(t) | Body::Hardlink(t) => Some(t),
            _ => None,
        };
        let mtime = entry.mtime.unwrap_or(FIXED_MTIME);

        // PAX records for what a ustar header cannot hold (Docker writes PAX too).
        let mut pax: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        if name.len() > 100 {
            pax.push((b"path".to_vec(), name.clone()));
        }
        if let Some(l) = link.filter(|l| l.len() > 100) {
            pax.push((b"linkpath".to_vec(), l.to_vec()));
        }
        const MAX_ID: u64 = 0o7777777;
        if entry.uid > MAX_ID {
            pax.push((b"uid".to_vec(), entry.uid.to_string().into_bytes()));
        }
        if entry.gid > MAX_ID {
            pax.push((b"gid".to_vec(), entry.gid.to_string().into_bytes()));
        }
        for x in &entry.xattrs {
            let mut key = b"SCHILY.xattr.".to_vec();
            key.extend_from_slice(&x.name);
            pax.push((key, x.value.clone()));
        }
        if !pax.is_empty() {
            let records = pax_records(&pax);
            let mut h = tar::Header::new_ustar();
            let mut pax_name = b"PaxHeaders.0/".to_vec();
            pax_name.extend_from_slice(entry.path.file_name());
            set_bytes(&mut h.as_old_mut().name, &pax_name);
            h.set_entry_type(tar::EntryType::XHeader);
            h.set_mode(0o644);
            h.set_mtime(mtime);
            h.set_size(records.len() as u64);
            h.set_cksum();
            self.out.append(&h, records.as_slice())?;
        }

        let mut h = tar::Header::new_ustar();
        set_bytes(&mut h.as_old_mut().name, &name);
        if let Some(l) = link {
            set_bytes(&mut h.as_old_mut().linkname, l);
        }
        h.set_entry_type(match entry.body {
            Body::File(_) => tar::EntryType::Regular,
            Body::Dir => tar::EntryType::Directory,
            Body::Symlink(_) => tar::EntryType::Symlink,
            Body::Hardlink(_) => tar::EntryType::Link,
        });
        h.set_mode(entry.mode & 0o7777);
        h.set_uid(entry.uid.min(MAX_ID));
        h.set_gid(entry.gid.min(MAX_ID));
        h.set_mtime(mtime);
        h.set_size(size);
        h.set_cksum();
        let mut counted = CountingReader { inner: data, n: 0 };
        self.out.append(&h, &mut counted)?;
        if counted.n != size {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{}: expected {size} bytes, source gave {}",
                    entry.path, counted.n
                ),
            ));
        }
        Ok(())
    }

    /// Writes the end-of-archive blocks and returns the writer.
    pub fn finish(self) -> io::Result<W> {
        self.out.into_inner()
    }
}

/// Copies `bytes` into a NUL-padded header field, cutting what does not fit (a PAX
/// record carries the full value then).
fn set_bytes(field: &mut [u8], bytes: &[u8]) {
    field.fill(0);
    let n = bytes.len().min(field.len());
    if let (Some(dst), Some(src)) = (field.get_mut(..n), bytes.get(..n)) {
        dst.copy_from_slice(src);
    }
}

/// `"<len> key=value\n"` records; `len` counts the whole record, its own digits included.
fn pax_records(records: &[(Vec<u8>, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (key, value) in records {
        let rest = key.len() + value.len() + 3; // ' ', '=', '\n'
        let mut len = rest + rest.to_string().len();
        if len.to_string().len() + rest != len {
            len = rest + len.to_string().len();
        }
        out.extend_from_slice(format!("{len} ").as_bytes());
        out.extend_from_slice(key);
        out.push(b'=');
        out.extend_from_slice(value);
        out.push(b'\n');
    }
    out
}

struct CountingReader<R> {
    inner: R,
    n: u64,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.n += n as u64;
        Ok(n)
    }
}

/// Sorts entries by path (a parent always sorts before its children) and refuses
/// duplicates, which the image-spec forbids in a layer.
pub fn sorted_entries(mut entries: Vec<TarEntry>) -> io::Result<Vec<TarEntry>> {
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    for pair in entries.windows(2) {
        if let [a, b] = pair {
            if a.path == b.path {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("duplicate path in layer: {}", a.path),
                ));
            }
        }
    }
    Ok(entries)
}

/// A layer tar of `entries`, sorted, with fixed mtimes (unless an entry keeps its own).
pub fn layer_tar(entries: Vec<TarEntry>) -> io::Result<Vec<u8>> {
    let mut w = TarWriter::new(Vec::new());
    for e in sorted_entries(entries)? {
        w.add(&e)?;
    }
    w.finish()
}

// ---------------------------------------------------------------------------------------
// The Docker 25+ `docker save` layout: OCI image layout + manifest.json + repositories.

/// A blob as a manifest names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Descriptor {
    #[serde(rename = "mediaType")]
    /// The blob's media type.
    pub media_type: String,
    /// The blob's digest (sha256 of its bytes as stored).
    pub digest: Digest,
    /// The blob's size as stored, in bytes.
    pub size: u64,
}

/// One image to save: its config bytes, its layer blobs (bottom first) and tags.
#[derive(Clone, Debug)]
pub struct SaveImage {
    /// `repo:tag` names; may be empty (an untagged image).
    pub tags: Vec<String>,
    /// The image config's JSON bytes, written as they are.
    pub config: Vec<u8>,
    /// The layer blobs' descriptors, base layer first.
    pub layers: Vec<Descriptor>,
}

impl SaveImage {
    /// sha256 of `config`: the image ID.
    pub fn config_digest(&self) -> Digest {
        Digest::of_bytes(&self.config)
    }

    /// The OCI image manifest bytes (compact JSON, as Docker writes it).
    pub fn manifest_json(&self) -> Vec<u8> {
        #[derive(Serialize)]
        struct Manifest<'a> {
            #[serde(rename = "schemaVersion")]
            schema_version: u32,
            #[serde(rename = "mediaType")]
            media_type: &'a str,
            config: Descriptor,
            layers: &'a [Descriptor],
        }
        let m = Manifest {
            schema_version: 2,
            media_type: OCI_MANIFEST,
            config: Descriptor {
                media_type: OCI_CONFIG.to_string(),
                digest: self.config_digest(),
                size: self.config.len() as u64,
            },
            layers: &self.layers,
        };
        serde_json::to_vec(&m).unwrap_or_default()
    }
}

/// Splits `repo:tag` (the tag defaults to `latest`; a `:` in a registry port is not a tag).
pub fn split_tag(name: &str) -> (&str, &str) {
    match name.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => (repo, tag),
        _ => (name, "latest"),
    }
}

/// Writes several images into one Docker 25+ `docker save` tarball. Each blob is stored
/// once however many images use it (like `docker save a b`). Layer bytes come from
/// `fetch_layer`, which must yield exactly the descriptor's size; it is asked once per
/// distinct layer, in digest order, so a big export streams straight from its source.
pub fn write_docker_save<'a, W: Write>(
    out: W,
    images: &[SaveImage],
    fetch_layer: &mut dyn FnMut(&Descriptor) -> io::Result<Box<dyn Read + 'a>>,
) -> io::Result<W> {
    use std::collections::BTreeMap;

    enum Blob<'a> {
        Bytes(Vec<u8>),
        Layer(&'a Descriptor),
    }
    let mut blobs: BTreeMap<Digest, Blob<'_>> = BTreeMap::new();
    let mut manifest_list = Vec::new();
    let mut index_entries = Vec::new();
    let mut repositories: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();

    for img in images {
        let config_digest = img.config_digest();
        let manifest = img.manifest_json();
        let manifest_digest = Digest::of_bytes(&manifest);
        let manifest_size = manifest.len() as u64;
        blobs.insert(config_digest.clone(), Blob::Bytes(img.config.clone()));
        blobs.insert(manifest_digest.clone(), Blob::Bytes(manifest));
        for l in &img.layers {
            blobs.entry(l.digest.clone()).or_insert(Blob::Layer(l));
        }

        let blob_path = |d: &Digest| format!("blobs/sha256/{}", d.hex());
        let layer_sources: BTreeMap<String, &Descriptor> = img
            .layers
            .iter()
            .map(|l| (l.digest.to_string(), l))
            .collect();
        manifest_list.push(serde_json::json!({
            "Config": blob_path(&config_digest),
            "RepoTags": img.tags,
            "Layers": img.layers.iter().map(|l| blob_path(&l.digest)).collect::<Vec<_>>(),
            "LayerSources": layer_sources,
        }));

        let mut push_index = |annotations: serde_json::Value| {
            let mut d = serde_json::json!({
                "mediaType": OCI_MANIFEST,
                "digest": manifest_digest,
                "size": manifest_size,
            });
            if let (Some(obj), false) = (d.as_object_mut(), annotations.is_null()) {
                obj.insert("annotations".to_string(), annotations);
            }
            index_entries.push(d);
        };
        if img.tags.is_empty() {
            push_index(serde_json::Value::Null);
        }
        for tag in &img.tags {
            let (repo, t) = split_tag(tag);
            let full = if repo.contains('/') {
                repo.to_string()
            } else {
                format!("library/{repo}")
            };
            push_index(serde_json::json!({
                "io.containerd.image.name": format!("docker.io/{full}:{t}"),
                "org.opencontainers.image.ref.name": t,
            }));
            if let Some(top) = img.layers.last() {
                repositories
                    .entry(repo.to_string())
                    .or_default()
                    .insert(t.to_string(), top.digest.hex().to_string());
            }
        }
    }

    let index = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": index_entries,
    });
    let to_json = |v: &serde_json::Value| serde_json::to_vec(v).unwrap_or_default();

    let mut w = TarWriter::new(out);
    w.add(&TarEntry::dir("blobs", 0o755))?;
    w.add(&TarEntry::dir("blobs/sha256", 0o755))?;
    for (digest, blob) in &blobs {
        let path = format!("blobs/sha256/{}", digest.hex());
        match blob {
            Blob::Bytes(b) => w.add(&TarEntry::file(path.as_str(), b.clone(), 0o644))?,
            Blob::Layer(d) => {
                let entry = TarEntry::file(path.as_str(), Vec::new(), 0o644);
                let reader = fetch_layer(d)?;
                // Hash on the way through: a source that gives other bytes than the
                // descriptor promises must not produce a tarball with a lying name.
                let mut hashing = HashCheck {
                    inner: reader,
                    hasher: Hasher::new(),
                };
                w.add_reader(&entry, d.size, &mut hashing)?;
                let got = hashing.hasher.finish();
                if got != *digest {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("layer blob {digest}: source bytes hash to {got}"),
                    ));
                }
            }
        }
    }
    w.add(&TarEntry::file("index.json", to_json(&index), 0o644))?;
    w.add(&TarEntry::file(
        "manifest.json",
        to_json(&serde_json::Value::from(manifest_list)),
        0o644,
    ))?;
    w.add(&TarEntry::file(
        "oci-layout",
        &br#"{"imageLayoutVersion": "1.0.0"}"#[..],
        0o644,
    ))?;
    let repos = serde_json::to_vec(&repositories).unwrap_or_default();
    w.add(&TarEntry::file("repositories", repos, 0o644))?;
    w.finish()
}

struct HashCheck<R> {
    inner: R,
    hasher: Hasher,
}

impl<R: Read> Read for HashCheck<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(b) = buf.get(..n) {
            self.hasher.update(b);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pax_record_length_counts_itself() {
        let r = pax_records(&[(b"path".to_vec(), vec![b'a'; 200])]);
        let text = String::from_utf8_lossy(&r);
        let (len, _) = text.split_once(' ').unwrap_or_default();
        assert_eq!(len.parse::<usize>().ok(), Some(r.len()));
        // Digit-count boundary: " path=" + 93 bytes + "\n" is 100 bytes, so the record is 103.
        let r = pax_records(&[(b"path".to_vec(), vec![b'b'; 93])]);
        assert_eq!(r.len(), 103);
        assert!(r.starts_with(b"103 path="));
    }

    #[test]
    fn same_input_same_bytes_and_sorted() {
        let a = vec![
            TarEntry::file("etc/b", "b", 0o644),
            TarEntry::dir("etc", 0o755),
            TarEntry::file("etc/a", "a", 0o644),
        ];
        let mut b = a.clone();
        b.reverse();
        let (x, y) = (
            layer_tar(a).unwrap_or_default(),
            layer_tar(b).unwrap_or_default(),
        );
        assert_eq!(x, y);
        let names: Vec<String> = tar::Archive::new(x.as_slice())
            .entries()
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| String::from_utf8_lossy(&e.path_bytes()).into_owned())
            .collect();
        assert_eq!(names, ["etc/", "etc/a", "etc/b"]);
    }

    #[test]
    fn duplicates_refused_and_long_names_kept() {
        let dup = vec![
            TarEntry::file("a", "1", 0o644),
            TarEntry::file("a", "2", 0o644),
        ];
        assert!(layer_tar(dup).is_err());
        let long = "d/".repeat(80) + "file";
        let bytes = layer_tar(vec![TarEntry::file(long.as_str(), "x", 0o644)]).unwrap_or_default();
        let mut ar = tar::Archive::new(bytes.as_slice());
        let names: Vec<Vec<u8>> = ar
            .entries()
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path_bytes().into_owned())
            .collect();
        assert_eq!(names, vec![long.into_bytes()]);
    }

    #[test]
    fn whiteout_names() {
        assert_eq!(
            TarEntry::whiteout(&RawPath::from("a/b/c")).path.as_bytes(),
            b"a/b/.wh.c"
        );
        assert_eq!(
            TarEntry::whiteout(&RawPath::from("top")).path.as_bytes(),
            b".wh.top"
        );
        assert_eq!(
            TarEntry::opaque(&RawPath::from("a")).path.as_bytes(),
            b"a/.wh..wh..opq"
        );
    }
}
