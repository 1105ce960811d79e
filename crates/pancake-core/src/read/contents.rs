//! Many files' bytes at once: the sha256 of each content a caller names, with one pass per
//! layer blob (a decompressing walk reads a compressed layer once, however many of its files
//! are wanted) and one `read_at` per file whose bytes lie in the archive uncompressed.
//! [`archive::read_content`](crate::read::archive::read_content) reads one file and may walk
//! its layer from the start each time; comparing N files of a layer that way costs N walks.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Cursor, Read};

use crate::analyze::union::ContentRef;
use crate::digest::{Digest, Hasher};
use crate::error::Error;
use crate::limits::Limits;
use crate::model::{Archive, EntryKind};
use crate::path::RawPath;
use crate::read::decompress::{self, EndAtTrailing};
use crate::read::{layer, sniff};
use crate::source::{RangeReader, ReadAt};

/// Bytes hashed per `read_at` when a file is read straight from the archive.
const CHUNK: usize = 1 << 20;

/// The sha256 of the bytes each of `wanted` names (for a hard link, the file it links to),
/// in the order of `wanted`: `Some(digest)` of its whole content, `None` when its layer does
/// not hold that entry (the index and the blob disagree). Callers leave out files larger
/// than they mean to read: each file is read whole (in 1 MiB chunks from the archive, or one
/// file at a time from the decompressing walk), never more than `content.size` bytes.
/// A compressed layer is decompressed at most up to `limits.decompressed_for(source.len())`
/// bytes, as when it was read. Errors (a blob that cannot be read) name the archive and the
/// member; nothing is returned then.
pub fn digests<S: ReadAt + ?Sized>(
    source: &S,
    archive: &Archive,
    wanted: &[ContentRef],
    limits: &Limits,
) -> Result<Vec<Option<Digest>>, Error> {
    let mut out: Vec<Option<Digest>> = vec![None; wanted.len()];
    // Per layer blob, the wanted entries (index into the layer's entries → indexes into
    // `wanted`); BTreeMap so blobs are read in archive order.
    let mut by_member: BTreeMap<usize, HashMap<usize, Vec<usize>>> = BTreeMap::new();
    for (i, c) in wanted.iter().enumerate() {
        let member = c.member.ok_or_else(|| Error::BlobMissing {
            name: archive.name.clone(),
            path: c.path.to_string(),
        })?;
        by_member
            .entry(member)
            .or_default()
            .entry(c.entry)
            .or_default()
            .push(i);
    }
    for (member, entries) in by_member {
        member_digests(source, archive, member, &entries, limits, &mut out)?;
    }
    Ok(out)
}

fn member_digests<S: ReadAt + ?Sized>(
    source: &S,
    archive: &Archive,
    member: usize,
    entries: &HashMap<usize, Vec<usize>>,
    limits: &Limits,
    out: &mut [Option<Digest>],
) -> Result<(), Error> {
    let name = archive.name.clone();
    let m = archive.members.get(member).ok_or_else(|| Error::NoMember {
        name: name.clone(),
        member,
    })?;
    let shown = m.path.display().into_owned();
    let member_err = |message: String| Error::Member {
        name: name.clone(),
        member: shown.clone(),
        message,
    };
    let Some(index) = m.facts.layer.as_ref() else {
        return Err(member_err("not a layer blob".into()));
    };
    // One pass over the index: each wanted entry's copy number among the regular files of
    // its path (what a re-walk of the blob counts), and whether all of them can be read
    // straight from the archive.
    let mut copies: HashMap<&RawPath, usize> = HashMap::new();
    // Per wanted path: (copy number, entry index, size) of each wanted copy.
    let mut by_path: HashMap<RawPath, Vec<(usize, usize, u64)>> = HashMap::new();
    let mut direct = Vec::new();
    for (i, e) in index.entries.iter().enumerate() {
        if e.kind != EntryKind::File {
            continue;
        }
        let count = copies.entry(&e.path).or_insert(0);
        let nth = *count;
        *count = count.saturating_add(1);
        if entries.contains_key(&i) {
            by_path
                .entry(e.path.clone())
                .or_default()
                .push((nth, i, e.size));
            direct.push((i, e));
        }
    }
    let set = |out: &mut [Option<Digest>], entry: usize, d: &Digest| {
        for &w in entries.get(&entry).map(Vec::as_slice).unwrap_or_default() {
            if let Some(slot) = out.get_mut(w) {
                *slot = Some(d.clone());
            }
        }
    };
    let entry_data = |e: &crate::model::Entry, mismatch| Error::EntryData {
        name: name.clone(),
        member: shown.clone(),
        path: e.path.display().into_owned(),
        mismatch,
    };
    // Each file's stored bytes, checked against its header, its sparse map and the end of
    // the member before any is read: nothing outside a file's data is hashed as its content.
    let mut ranges = Vec::with_capacity(direct.len());
    for (_, e) in &direct {
        ranges.push(layer::stored_range(m, e).map_err(|x| entry_data(e, x))?);
    }
    if ranges.iter().all(Option::is_some) {
        for ((i, e), range) in direct.into_iter().zip(ranges) {
            let Some((off, _)) = range else {
                continue;
            };
            let io_at = |err: io::Error| Error::Io {
                name: name.clone(),
                offset: off,
                source: err,
            };
            let digest = match e.sparse() {
                Some(sparse) => {
                    let max = usize::try_from(e.size).unwrap_or(usize::MAX);
                    let bytes = layer::expand_sparse(sparse, e.size, max, &mut |stored, buf| {
                        let got = source.read_vec_at(off.saturating_add(stored), buf.len())?;
                        if got.len() < buf.len() {
                            return Err(io::Error::from(io::ErrorKind::UnexpectedEof));
                        }
                        buf.copy_from_slice(&got);
                        Ok(())
                    })
                    .map_err(io_at)?;
                    Digest::of_bytes(&bytes)
                }
                None => hash_range(source, off, e.size).map_err(io_at)?,
            };
            set(out, i, &digest);
        }
        return Ok(());
    }
    // Some wanted file is stored compressed: walk the blob once, counting the copies of
    // the wanted paths only, and stop after the last wanted file.
    let mut remaining = direct.len();
    let mut seen: HashMap<RawPath, usize> = HashMap::new();
    // The path of the file being read, to name it if its bytes disagree with its map.
    let mut reading: Option<String> = None;
    let mut walk = |blob: &mut dyn Read| -> io::Result<()> {
        let mut head = Vec::with_capacity(sniff::TAR_BLOCK);
        blob.take(sniff::TAR_BLOCK as u64).read_to_end(&mut head)?;
        let compression = sniff::compression(&head);
        let src = Cursor::new(head).chain(blob);
        let bound = limits.decompressed_for(source.len());
        let inner = EndAtTrailing::new(decompress::decoder(
            compression,
            src,
            limits.max_window_bytes,
        ))
        .take(bound);
        layer::read_files(inner, limits, &mut |path, read| {
            let Some(copies) = by_path.get(path) else {
                return Ok(true);
            };
            let count = seen.entry(path.clone()).or_insert(0);
            let nth = *count;
            *count = count.saturating_add(1);
            if let Some(&(_, i, size)) = copies.iter().find(|c| c.0 == nth) {
                reading = Some(path.display().into_owned());
                let bytes = read(usize::try_from(size).unwrap_or(usize::MAX))?;
                set(out, i, &Digest::of_bytes(&bytes));
                remaining = remaining.saturating_sub(1);
            }
            Ok(remaining > 0)
        })
    };
    let walked = match m.data_offset {
        Some(off) => walk(&mut RangeReader::new(source, off, m.size)),
        None => {
            // Compressed outer file: stream it again up to the member, counting members as
            // the reader did (PAX global headers are not members).
            let mut again = || -> io::Result<()> {
                let mut dec = EndAtTrailing::new(decompress::decoder(
                    archive.outer_compression,
                    RangeReader::new(source, 0, source.len()),
                    limits.max_window_bytes,
                ));
                let mut tar = tar::Archive::new(&mut dec);
                let mut idx = 0usize;
                for item in tar.entries()? {
                    let mut e = item?;
                    if e.header().entry_type().is_pax_global_extensions() {
                        continue;
                    }
                    if idx == member {
                        return walk(&mut e);
                    }
                    idx += 1;
                }
                Err(io::Error::other("not found when the file was read again"))
            };
            again()
        }
    };
    walked.map_err(|e| match layer::stored_mismatch_of(&e) {
        // The walk's file is found by path: name the path it was reading.
        Some(mismatch) => Error::EntryData {
            name: name.clone(),
            member: shown.clone(),
            path: reading.take().unwrap_or_default(),
            mismatch,
        },
        None => member_err(e.to_string()),
    })
}

/// The sha256 of `len` bytes at `offset` of `source`, read in [`CHUNK`]s; fewer bytes than
/// `len` is an error.
fn hash_range<S: ReadAt + ?Sized>(source: &S, offset: u64, len: u64) -> io::Result<Digest> {
    let mut h = Hasher::new();
    let mut done = 0u64;
    while done < len {
        let want = usize::try_from(len - done).unwrap_or(CHUNK).min(CHUNK);
        let got = source.read_vec_at(offset.saturating_add(done), want)?;
        if got.len() < want {
            return Err(io::Error::from(io::ErrorKind::UnexpectedEof));
        }
        h.update(&got);
        done = done.saturating_add(want as u64);
    }
    Ok(h.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::union;
    use crate::read::archive::{read_content, read_stream, Options};

    /// Every file of the demo's merged view, hashed in one call, has the digest of the bytes
    /// `read_content` gives one by one: from the plain save (read straight from the file) and
    /// from the same save gzip-compressed whole (one walk per layer).
    #[test]
    fn digests_match_the_bytes_read_one_by_one() {
        let name = pancake_demo::names().first().copied().unwrap_or("nginx");
        let bytes = pancake_demo::build(name).unwrap_or_else(|| panic!("no demo {name}"));
        let gz = {
            use flate2::{write::GzEncoder, Compression as Level};
            use std::io::Write;
            let mut e = GzEncoder::new(Vec::new(), Level::default());
            let _ = e.write_all(&bytes);
            e.finish().unwrap_or_default()
        };
        for (label, file) in [("plain", bytes.clone()), ("gzip", gz)] {
            let a = read_stream(
                "t.tar",
                file.as_slice(),
                file.len() as u64,
                &Options::default(),
                &mut |_| {},
            )
            .unwrap_or_else(|e| panic!("{label}: {e}"));
            let img = a.images.first().unwrap_or_else(|| panic!("{label}"));
            let rows = union::merged(&a, img, img.layers.len() - 1);
            let wanted: Vec<ContentRef> = rows.iter().filter_map(|r| r.content.clone()).collect();
            assert!(wanted.len() > 3, "{label}: {} files", wanted.len());
            let got = digests(&file, &a, &wanted, &Limits::default())
                .unwrap_or_else(|e| panic!("{label}: {e}"));
            assert_eq!(got.len(), wanted.len());
            for (c, d) in wanted.iter().zip(&got) {
                let one = read_content(&file, &a, c, usize::MAX)
                    .unwrap_or_else(|e| panic!("{label} {}: {e}", c.path));
                assert_eq!(
                    d.as_ref(),
                    Some(&Digest::of_bytes(&one)),
                    "{label} {}",
                    c.path
                );
            }
        }
    }
}
