//! A layer's uncompressed tar, byte for byte, streamed: the bytes its diff_id is the sha256 of
//! (OCI image-spec `config.md`, `rootfs.diff_ids`: "the digest of the uncompressed layer
//! tar"). Decompressed as the reader hashed it (`decompress::decoder`, every member or frame,
//! ending at trailing data as `docker load` does); never whole in memory.

use std::io::{self, Read, Write};

use crate::analyze::union::ContentRef;
use crate::digest::{Digest, HashingReader};
use crate::error::Error;
use crate::limits::Limits;
use crate::model::{Archive, Compression};
use crate::read::archive;
use crate::read::decompress::{self, EndAtTrailing};
use crate::read::sniff;
use crate::source::{RangeReader, ReadAt};

/// Why [`write_layer_tar`] stopped.
#[derive(Debug)]
pub enum ExportError {
    /// The blob could not be found or read (the error names the archive and the member).
    Read(Error),
    /// Writing to `out` failed (a closed pipe, a full disk).
    Write(io::Error),
    /// Every byte was written, but they do not hash to the diff_id computed when the archive
    /// was read (the file changed since, or the blob cannot be read the same way twice).
    Changed {
        /// The diff_id computed when the archive was read.
        expected: Digest,
        /// sha256 of the bytes written now.
        actual: Digest,
    },
    /// A file's content ends before the size its header gives (`got` of `size` bytes).
    ContentEndsEarly {
        /// The file's path in the layer, as shown.
        path: String,
        /// Bytes that could be read.
        got: u64,
        /// Bytes the header gives.
        size: u64,
    },
    /// A file stored compressed or sparse is larger than `max` bytes, the most read into
    /// memory at once.
    TooLargeForMemory {
        /// The file's path in the layer, as shown.
        path: String,
        /// The file's size, in bytes.
        size: u64,
        /// The most bytes read into memory at once.
        max: u64,
    },
    /// The blob's stream could not be decoded (a broken gzip/zstd/xz/bzip2 stream).
    Decode(io::Error),
    /// The layer blob `member` of archive `name` decompresses to more than `bound` bytes, the
    /// bound the reader keeps (`Limits::decompressed_for` the file's size); what was written
    /// before is a prefix of the layer, not all of it.
    OverLimit {
        /// The archive's name as shown.
        name: String,
        /// The layer blob's member path, as shown.
        member: String,
        /// The bound, in decompressed bytes.
        bound: u64,
    },
}

impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExportError::Read(e) => write!(f, "{e}"),
            ExportError::Write(e) => write!(f, "writing the layer: {e}"),
            ExportError::Changed { expected, actual } => write!(
                f,
                "the layer written hashes to {actual}, not to the diff_id {expected} read \
                 before: the file changed while it was read"
            ),
            ExportError::ContentEndsEarly { path, got, size } => {
                write!(f, "{path} ends early: {got} of {size} bytes could be read")
            }
            ExportError::TooLargeForMemory { path, size, max } => write!(
                f,
                "{path} is {size} bytes, stored compressed or sparse, more than the {max} \
                 bytes read into memory at once"
            ),
            ExportError::Decode(e) => write!(f, "decoding the layer: {e}"),
            ExportError::OverLimit {
                name,
                member,
                bound,
            } => write!(
                f,
                "{name}: {member}: the layer decompresses to more than {bound} bytes, the \
                 bound for this file; stopped there"
            ),
        }
    }
}

/// Copies the uncompressed tar of the layer blob `archive.members[member]` from `source` (the
/// file `archive` was read from) to `out`, in 1 MiB chunks. Returns its sha256 (the diff_id)
/// and length in bytes. A blob stored uncompressed is copied as stored; a compressed outer
/// file (`docker save | gzip`) is streamed again up to the member. When the reader computed a
/// diff_id for the blob, the bytes written must hash to it, else [`ExportError::Changed`].
/// Decompression is bounded as when the archive was read: past
/// `limits.decompressed_for(source.len())` bytes the copy stops with
/// [`ExportError::OverLimit`] naming the member (a layer the reader found over the bound has
/// no diff_id to check the copy against, so the bound is what stops it); a compressed stream's
/// window is bounded by `limits.max_window_bytes`.
pub fn write_layer_tar<S: ReadAt + ?Sized>(
    source: &S,
    archive: &Archive,
    member: usize,
    limits: &Limits,
    out: &mut dyn Write,
) -> Result<(Digest, u64), ExportError> {
    let name = archive.name.clone();
    let m = archive.members.get(member).ok_or_else(|| {
        ExportError::Read(Error::NoMember {
            name: name.clone(),
            member,
        })
    })?;
    let shown = m.path.display().into_owned();
    let member_err = |message: String| {
        ExportError::Read(Error::Member {
            name: name.clone(),
            member: shown.clone(),
            message,
        })
    };
    let Some(layer) = m.facts.layer.as_ref() else {
        return Err(member_err("not a layer blob".into()));
    };
    let bound = Bound {
        name: name.clone(),
        member: shown.clone(),
        bytes: limits.decompressed_for(source.len()),
        window: limits.max_window_bytes,
    };
    let (digest, len) = match m.data_offset {
        Some(off) => copy_blob(RangeReader::new(source, off, m.size), &bound, out)?,
        None => {
            // Compressed outer file: decompress it again up to the member, counting entries
            // as the reader did (PAX global headers are not members).
            let mut dec = EndAtTrailing::new(decompress::decoder(
                archive.outer_compression,
                RangeReader::new(source, 0, source.len()),
                limits.max_window_bytes,
            ));
            let mut tar = tar::Archive::new(&mut dec);
            let mut idx = 0usize;
            let mut result = None;
            let entries = tar.entries().map_err(|e| member_err(e.to_string()))?;
            for item in entries {
                let e = item.map_err(|e| member_err(e.to_string()))?;
                if e.header().entry_type().is_pax_global_extensions() {
                    continue;
                }
                if idx == member {
                    result = Some(copy_blob(e, &bound, out)?);
                    break;
                }
                idx += 1;
            }
            result.ok_or_else(|| member_err("not found when the file was read again".into()))?
        }
    };
    if let Some(expected) = &layer.diff_id {
        if expected != &digest {
            return Err(ExportError::Changed {
                expected: expected.clone(),
                actual: digest,
            });
        }
    }
    Ok((digest, len))
}

/// Copies the bytes a union row shows (its [`ContentRef`]: for a hard link the file it links
/// to) to `out`; returns how many. When the entry's bytes lie in the file as one uncompressed
/// range (an uncompressed layer in an uncompressed file, not sparse), they are streamed from
/// it in 1 MiB chunks, whatever their size; otherwise they are read with
/// [`archive::read_content`] into memory, and a file over `max_in_memory` bytes is refused
/// ([`ExportError::Read`] naming the bound) rather than allocated. Fewer bytes than
/// `content.size` (the file ends early) is an error.
pub fn write_content<S: ReadAt + ?Sized>(
    source: &S,
    archive: &Archive,
    content: &ContentRef,
    max_in_memory: u64,
    out: &mut dyn Write,
) -> Result<u64, ExportError> {
    let entry = content
        .member
        .and_then(|m| archive.members.get(m))
        .and_then(|m| m.facts.layer.as_ref())
        .and_then(|l| l.entries.get(content.entry));
    let short = |got: u64| ExportError::ContentEndsEarly {
        path: content.path.display().into_owned(),
        got,
        size: content.size,
    };
    if let Some(off) = entry
        .filter(|e| e.sparse.is_none() && e.path == content.path)
        .and_then(|e| e.content_offset)
    {
        let mut r = RangeReader::new(source, off, content.size);
        let mut buf = vec![0u8; 1 << 20];
        let mut done = 0u64;
        loop {
            let n = r.read(&mut buf).map_err(|e| {
                ExportError::Read(Error::Io {
                    name: archive.name.clone(),
                    offset: off.saturating_add(done),
                    source: e,
                })
            })?;
            if n == 0 {
                break;
            }
            out.write_all(buf.get(..n).unwrap_or_default())
                .map_err(ExportError::Write)?;
            done = done.saturating_add(n as u64);
        }
        out.flush().map_err(ExportError::Write)?;
        return if done < content.size {
            Err(short(done))
        } else {
            Ok(done)
        };
    }
    if content.size > max_in_memory {
        return Err(ExportError::TooLargeForMemory {
            path: content.path.display().into_owned(),
            size: content.size,
            max: max_in_memory,
        });
    }
    let max = usize::try_from(content.size).unwrap_or(usize::MAX);
    let bytes = archive::read_content(source, archive, content, max).map_err(ExportError::Read)?;
    if (bytes.len() as u64) < content.size {
        return Err(short(bytes.len() as u64));
    }
    out.write_all(&bytes).map_err(ExportError::Write)?;
    out.flush().map_err(ExportError::Write)?;
    Ok(bytes.len() as u64)
}

/// How far [`copy_blob`] may decompress: `bytes` in all, a stream window of `window` bytes;
/// `name` and `member` name the archive and the blob in the error.
struct Bound {
    name: String,
    member: String,
    bytes: u64,
    window: u64,
}

/// Decompresses one blob (compression sniffed from its first bytes, as the reader does) into
/// `out`, hashing what is written, at most `bound.bytes` bytes ([`ExportError::OverLimit`]
/// past them).
fn copy_blob<R: Read>(
    mut blob: R,
    bound: &Bound,
    out: &mut dyn Write,
) -> Result<(Digest, u64), ExportError> {
    let read_err = ExportError::Decode;
    let mut head = Vec::with_capacity(sniff::TAR_BLOCK);
    (&mut blob)
        .take(sniff::TAR_BLOCK as u64)
        .read_to_end(&mut head)
        .map_err(read_err)?;
    let compression = if head.is_empty() {
        Compression::None
    } else {
        sniff::compression(&head)
    };
    let src = io::Cursor::new(head).chain(blob);
    // One byte past the bound is read, so a layer of exactly `bound.bytes` passes and a
    // larger one is told apart from it.
    let dec = EndAtTrailing::new(decompress::decoder(compression, src, bound.window))
        .take(bound.bytes.saturating_add(1));
    let mut hashing = HashingReader::new(dec);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = hashing.read(&mut buf).map_err(read_err)?;
        if n == 0 {
            break;
        }
        if hashing.bytes_so_far() > bound.bytes {
            return Err(ExportError::OverLimit {
                name: bound.name.clone(),
                member: bound.member.clone(),
                bound: bound.bytes,
            });
        }
        out.write_all(buf.get(..n).unwrap_or_default())
            .map_err(ExportError::Write)?;
    }
    out.flush().map_err(ExportError::Write)?;
    hashing.finish().map_err(read_err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::archive::{read_stream, Options};

    /// A demo-sized save written by the core's writer, read back, each layer exported: the
    /// bytes hash to the layer's diff_id, also when the whole file is gzip-compressed.
    #[test]
    fn exported_layers_hash_to_their_diff_ids() {
        let bytes = demo_bytes();
        for (label, file) in [("plain", bytes.clone()), ("gzip", gzip(&bytes))] {
            let a = read_stream(
                "t.tar",
                file.as_slice(),
                file.len() as u64,
                &Options::default(),
                &mut |_| {},
            )
            .unwrap_or_else(|e| panic!("{label}: {e}"));
            let img = a
                .images
                .first()
                .unwrap_or_else(|| panic!("{label}: no image"));
            assert!(!img.layers.is_empty());
            for (i, l) in img.layers.iter().enumerate() {
                let member = l
                    .member
                    .unwrap_or_else(|| panic!("{label}: layer {i} missing"));
                let mut out = Vec::new();
                let (d, n) = write_layer_tar(&file, &a, member, &Limits::default(), &mut out)
                    .unwrap_or_else(|e| panic!("{label}: layer {i}: {e}"));
                assert_eq!(Some(&d), l.diff_id.as_ref(), "{label}: layer {i}");
                assert_eq!(Digest::of_bytes(&out), d, "{label}: layer {i}");
                assert_eq!(n, out.len() as u64);
                assert_eq!(n, l.size, "{label}: layer {i} size");
            }
        }
    }

    /// Every regular file of the demo, written by `write_content` (streamed from the plain
    /// file, read into memory from the gzip one), equals what `read_content` gives.
    #[test]
    fn write_content_gives_the_same_bytes_streamed_or_not() {
        use crate::analyze::union;
        let bytes = demo_bytes();
        for (label, file) in [("plain", bytes.clone()), ("gzip", gzip(&bytes))] {
            let a = read_stream(
                "t.tar",
                file.as_slice(),
                file.len() as u64,
                &Options::default(),
                &mut |_| {},
            )
            .unwrap_or_else(|e| panic!("{label}: {e}"));
            let img = a
                .images
                .first()
                .unwrap_or_else(|| panic!("{label}: no image"));
            let rows = union::merged(&a, img, img.layers.len() - 1);
            let mut n = 0;
            for c in rows.iter().filter_map(|r| r.content.as_ref()) {
                let want = crate::read::archive::read_content(&file, &a, c, usize::MAX)
                    .unwrap_or_else(|e| panic!("{label}: {e}"));
                let mut out = Vec::new();
                let got = write_content(&file, &a, c, u64::MAX, &mut out)
                    .unwrap_or_else(|e| panic!("{label} {}: {e}", c.path));
                assert_eq!(out, want, "{label} {}", c.path);
                assert_eq!(got, c.size);
                n += 1;
            }
            assert!(n > 3, "{label}: {n} files");
            // The in-memory bound applies only where the bytes cannot be streamed.
            let big = rows
                .iter()
                .filter_map(|r| r.content.as_ref())
                .find(|c| c.size > 10);
            if let Some(c) = big {
                let r = write_content(&file, &a, c, 10, &mut Vec::new());
                assert_eq!(r.is_ok(), label == "plain", "{label}");
            }
        }
    }

    /// A layer over the reader's decompression bound has no diff_id; exporting it with the
    /// same limits stops at the bound with `OverLimit` naming the member (nothing past the
    /// bound written), and with looser limits writes the whole layer.
    #[test]
    fn export_stops_at_the_limits_it_is_given() {
        use crate::write::tarwrite::{self, Descriptor, SaveImage, TarEntry};
        let tar = tarwrite::layer_tar(vec![TarEntry::file("z", vec![0u8; 1 << 20], 0o644)])
            .unwrap_or_else(|e| panic!("{e}"));
        let gz = gzip(&tar);
        let d = Descriptor {
            media_type: "application/vnd.oci.image.layer.v1.tar+gzip".into(),
            digest: Digest::of_bytes(&gz),
            size: gz.len() as u64,
        };
        let config = serde_json::to_vec(&serde_json::json!({
            "architecture": "amd64", "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": [Digest::of_bytes(&tar)]},
        }))
        .unwrap_or_default();
        let image = SaveImage {
            tags: vec!["bomb:1".into()],
            config,
            layers: vec![d.clone()],
        };
        let file = tarwrite::write_docker_save(Vec::new(), &[image], &mut |_| {
            Ok(Box::new(io::Cursor::new(gz.clone())))
        })
        .unwrap_or_else(|e| panic!("{e}"));
        let mut opts = Options::default();
        opts.limits.max_decompressed_bytes = 64 << 10;
        opts.limits.decompressed_ratio = 1;
        let a = read_stream(
            "t.tar",
            file.as_slice(),
            file.len() as u64,
            &opts,
            &mut |_| {},
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let member = a
            .images
            .first()
            .and_then(|i| i.layers.first())
            .and_then(|l| l.member)
            .unwrap_or_else(|| panic!("no layer"));
        let index = a.members.get(member).and_then(|m| m.facts.layer.as_ref());
        assert_eq!(index.and_then(|l| l.diff_id.clone()), None);
        let mut out = Vec::new();
        match write_layer_tar(&file, &a, member, &opts.limits, &mut out) {
            Err(ExportError::OverLimit {
                name,
                member: m,
                bound,
            }) => {
                assert_eq!(name, "t.tar");
                assert_eq!(m, format!("blobs/sha256/{}", d.digest.hex()));
                assert_eq!(bound, 64 << 10);
            }
            other => panic!("{:?}", other.map(|(d, n)| (d, n))),
        }
        assert!(out.len() <= 64 << 10, "{} bytes written", out.len());
        let mut whole = Vec::new();
        let (digest, n) = write_layer_tar(&file, &a, member, &Limits::default(), &mut whole)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((digest, n), (Digest::of_bytes(&tar), tar.len() as u64));
    }

    /// The first built-in demo image as a `docker save` tarball (uncompressed layers).
    fn demo_bytes() -> Vec<u8> {
        let name = pancake_demo::names().first().copied().unwrap_or("nginx");
        pancake_demo::build(name).unwrap_or_else(|| panic!("no demo {name}"))
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        use flate2::{write::GzEncoder, Compression as Level};
        let mut e = GzEncoder::new(Vec::new(), Level::default());
        let _ = e.write_all(bytes);
        e.finish().unwrap_or_default()
    }
}
