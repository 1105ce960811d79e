//! `docker commit` and `docker save` for a container: its writable layer becomes a real,
//! deterministic layer tar; the new image shares every lower layer with the old one.

use std::io::{self, Read, Write};

use serde_json::{json, Value};

use super::{Container, ContainerError, UpperEntry};
use crate::digest::Digest;
use crate::media::OCI_LAYER as MEDIA_TYPE_LAYER;
use crate::model::{Archive, Compression, Image};
use crate::source::{RangeReader, ReadAt};
use crate::write::tarwrite::{self, Descriptor, SaveImage, TarEntry};

/// A committed container: the new layer and the new image config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Committed {
    /// The new layer: an uncompressed tar of the writable layer.
    pub layer_tar: Vec<u8>,
    /// sha256 of `layer_tar` (stored uncompressed, so also its blob digest).
    pub diff_id: Digest,
    /// The new image config, serialized JSON (OCI image config).
    pub config_json: Vec<u8>,
    /// sha256 of `config_json`: the new image ID.
    pub config_digest: Digest,
}

impl Container {
    /// The writable layer as layer-tar entries: whiteouts as `.wh.<name>` files, opaque
    /// directories as the directory plus `.wh..wh..opq`; each file, folder and link with its
    /// extended attributes (PAX `SCHILY.xattr.<name>` records, as Docker writes them), the
    /// markers with none.
    pub fn layer_entries(&self) -> Vec<TarEntry> {
        let mut out = Vec::new();
        for (p, u) in &self.upper {
            match u {
                UpperEntry::File {
                    content,
                    mode,
                    uid,
                    gid,
                    xattrs,
                } => out.push(
                    TarEntry::file(p.clone(), content.clone(), *mode)
                        .owned(*uid, *gid)
                        .with_xattrs(xattrs.clone()),
                ),
                UpperEntry::Dir {
                    mode,
                    uid,
                    gid,
                    xattrs,
                } => out.push(
                    TarEntry::dir(p.clone(), *mode)
                        .owned(*uid, *gid)
                        .with_xattrs(xattrs.clone()),
                ),
                UpperEntry::Opaque {
                    mode,
                    uid,
                    gid,
                    xattrs,
                } => {
                    out.push(
                        TarEntry::dir(p.clone(), *mode)
                            .owned(*uid, *gid)
                            .with_xattrs(xattrs.clone()),
                    );
                    out.push(TarEntry::opaque(p));
                }
                UpperEntry::Symlink {
                    target,
                    uid,
                    gid,
                    xattrs,
                } => {
                    let mut e = TarEntry::symlink(p.clone(), "")
                        .owned(*uid, *gid)
                        .with_xattrs(xattrs.clone());
                    e.body = tarwrite::Body::Symlink(target.as_bytes().to_vec());
                    out.push(e);
                }
                UpperEntry::Whiteout => out.push(TarEntry::whiteout(p)),
            }
        }
        out
    }

    /// Turns the writable layer into a layer and a new image config: the old config with
    /// the layer's diff_id appended to `rootfs.diff_ids`, a history entry, and `created`.
    /// Deterministic: same container, same arguments → same digests.
    pub fn commit(
        &self,
        image_config_json: &[u8],
        created_by: &str,
        comment: Option<&str>,
        created: &str,
    ) -> Result<Committed, ContainerError> {
        let bad = |m: String| ContainerError::Commit(m);
        let layer_tar = tarwrite::layer_tar(self.layer_entries())
            .map_err(|e| bad(format!("layer tar: {e}")))?;
        let diff_id = Digest::of_bytes(&layer_tar);

        let mut cfg: Value = serde_json::from_slice(image_config_json)
            .map_err(|e| bad(format!("image config is not JSON: {e}")))?;
        let obj = cfg
            .as_object_mut()
            .ok_or_else(|| bad("image config is not a JSON object".into()))?;
        // The config must be the one this container runs on, or the layers would not line up.
        let claimed: Vec<Option<Digest>> = obj
            .get("rootfs")
            .and_then(|r| r.get("diff_ids"))
            .and_then(|d| d.as_array())
            .map(|a| {
                a.iter()
                    .map(|v| v.as_str().and_then(Digest::parse))
                    .collect()
            })
            .unwrap_or_default();
        let lines_up = claimed.len() == self.image.diff_ids.len()
            && claimed
                .iter()
                .zip(&self.image.diff_ids)
                .all(|(c, i)| i.is_none() || c == i);
        if !lines_up {
            return Err(bad(format!(
                "the config's rootfs.diff_ids ({} layers) do not match this container's image ({} layers)",
                claimed.len(),
                self.image.diff_ids.len()
            )));
        }
        let rootfs = obj
            .entry("rootfs")
            .or_insert_with(|| json!({"type": "layers", "diff_ids": []}));
        if let Some(ids) = rootfs.get_mut("diff_ids").and_then(|d| d.as_array_mut()) {
            ids.push(json!(diff_id));
        }
        let mut h = json!({ "created": created, "created_by": created_by });
        if let Some(c) = comment {
            h["comment"] = json!(c);
        }
        match obj.get_mut("history").and_then(|v| v.as_array_mut()) {
            Some(history) => history.push(h),
            None => {
                obj.insert("history".into(), json!([h]));
            }
        }
        obj.insert("created".into(), json!(created));
        let config_json = serde_json::to_vec(&cfg).map_err(|e| bad(format!("config: {e}")))?;
        let config_digest = Digest::of_bytes(&config_json);
        Ok(Committed {
            layer_tar,
            diff_id,
            config_json,
            config_digest,
        })
    }
}

/// The image's config JSON exactly as stored (what [`Container::commit`] extends): the kept
/// JSON text of the member whose sha256 is the image's config digest. `None` when the
/// config was too large to keep or the image has no config digest.
pub fn image_config_json<'a>(archive: &'a Archive, image: &Image) -> Option<&'a str> {
    let want = image.config_digest.as_ref()?;
    archive
        .members
        .iter()
        .filter_map(|m| m.facts.json.as_deref())
        .find(|json| &Digest::of_bytes(json.as_bytes()) == want)
}

fn media_type(c: Compression) -> String {
    match c {
        Compression::None => MEDIA_TYPE_LAYER.to_string(),
        Compression::Gzip => format!("{MEDIA_TYPE_LAYER}+gzip"),
        Compression::Zstd => format!("{MEDIA_TYPE_LAYER}+zstd"),
        // OCI defines no xz or bzip2 layer type; `docker load` sniffs a layer's compression
        // from its bytes (moby's DecompressStream), so the plain type loads these blobs.
        Compression::Xz | Compression::Bzip2 => MEDIA_TYPE_LAYER.to_string(),
    }
}

/// Writes the committed image as a Docker 25+ `docker save` tarball that `docker load`
/// accepts: every lower layer blob copied as stored (same digest), then the new layer.
/// `fetch_member` streams the bytes of an `Archive::members` entry (the lower blobs).
pub fn export_to<'a, W: Write>(
    out: W,
    image: &Image,
    committed: &Committed,
    tag: &str,
    fetch_member: &mut dyn FnMut(usize) -> io::Result<Box<dyn Read + 'a>>,
) -> io::Result<W> {
    let mut layers = Vec::new();
    let mut members = std::collections::HashMap::new();
    for (i, l) in image.layers.iter().enumerate() {
        let (Some(digest), Some(member)) = (l.digest.clone(), l.member) else {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!(
                    "layer {i} ({}): its blob is not in the archive",
                    l.blob_path.as_deref().unwrap_or("?")
                ),
            ));
        };
        members.insert(digest.clone(), member);
        layers.push(Descriptor {
            media_type: media_type(l.compression),
            digest,
            size: l.stored_size,
        });
    }
    layers.push(Descriptor {
        media_type: MEDIA_TYPE_LAYER.to_string(),
        digest: committed.diff_id.clone(),
        size: committed.layer_tar.len() as u64,
    });
    let img = SaveImage {
        tags: vec![tag.to_string()],
        config: committed.config_json.clone(),
        layers,
    };
    let mut fetch = |d: &Descriptor| -> io::Result<Box<dyn Read + 'a>> {
        if d.digest == committed.diff_id {
            return Ok(Box::new(io::Cursor::new(committed.layer_tar.clone())));
        }
        match members.get(&d.digest) {
            Some(m) => fetch_member(*m),
            None => Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("blob {}", d.digest),
            )),
        }
    };
    tarwrite::write_docker_save(out, &[img], &mut fetch)
}

/// [`export_to`] into memory, reading lower blobs from the original tarball by offset
/// (needs an uncompressed outer tarball, where every member has a `data_offset`).
pub fn export<S: ReadAt + ?Sized>(
    source: &S,
    archive: &Archive,
    image: &Image,
    committed: &Committed,
    tag: &str,
) -> io::Result<Vec<u8>> {
    let mut fetch = |m: usize| -> io::Result<Box<dyn Read + '_>> {
        let member = archive
            .members
            .get(m)
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("member #{m}")))?;
        let offset = member.data_offset.ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::Unsupported,
                format!(
                    "{}: the tarball is compressed; lower blobs cannot be read by offset",
                    member.path
                ),
            )
        })?;
        Ok(Box::new(RangeReader::new(source, offset, member.size)))
    };
    export_to(Vec::new(), image, committed, tag, &mut fetch)
}
