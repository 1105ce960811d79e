//! A layer's uncompressed tar, byte for byte, streamed: the bytes its diff_id is the sha256 of
//! (OCI image-spec `config.md`, `rootfs.diff_ids`: "the digest of the uncompressed layer
//! tar"). Decompressed as the reader hashed it (`decompress::decoder`, every member or frame,
//! ending at trailing data as `docker load` does); never whole in memory. And one file's
//! exact bytes, whatever its size and its layer: by offset from the file when they lie there
//! (an uncompressed layer; a sparse file's regions with zeros between them), else re-inflated
//! from its layer blob up to the file and read as the walk reaches it — a fixed buffer, never
//! the file's size, in memory.
//!
//! Two ways to use it: [`write_layer_tar`] and [`write_content`] copy to a `Write` (the CLI);
//! an [`ExportStream`] is pulled a chunk at a time (the web page's worker, which answers
//! other messages between chunks and lets the page pace it).

use std::cell::Cell;
use std::io::{self, Read, Write};
use std::ops::Deref;
use std::rc::Rc;

use crate::analyze::union::ContentRef;
use crate::digest::{Digest, Hasher};
use crate::error::Error;
use crate::limits::Limits;
use crate::model::{Archive, Compression, EntryKind};
use crate::read::decompress::{self, EndAtTrailing};
use crate::read::{layer, sniff};
use crate::source::{RangeReader, ReadAt};

/// Bytes copied per read by [`write_layer_tar`] and [`write_content`]: the one buffer their
/// memory grows with (besides the decoder's window).
const COPY_BUF: usize = 1 << 20;

/// Why an export stopped.
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
    /// The blob's stream could not be decoded (a broken gzip/zstd/xz/bzip2 stream).
    Decode(io::Error),
    /// The layer blob `member` of archive `name` decompresses to more than `bound` bytes, the
    /// bound the reader keeps (`Limits::decompressed_for` the file's size); what was written
    /// before is a prefix of the layer (or of the file), not all of it.
    OverLimit {
        /// The archive's name as shown.
        name: String,
        /// The layer blob's member path, as shown.
        member: String,
        /// The bound, in decompressed bytes.
        bound: u64,
    },
    /// The file's header claims `size` bytes, more than `bound` (the decompression bound
    /// for this archive, `Limits::decompressed_for` its size): a sparse file can claim up to
    /// 2^63−1 bytes of zeros in a few stored bytes. Refused before any byte is written.
    TooLarge {
        /// The archive's name as shown.
        name: String,
        /// The layer blob's member path, as shown.
        member: String,
        /// The file's path in the layer, as shown.
        path: String,
        /// The size its header claims, in bytes.
        size: u64,
        /// The bound, in bytes.
        bound: u64,
    },
    /// The entry a [`ContentRef`] names (`entry`, an index into the layer's entries) is not a
    /// regular file of its path and size in layer blob `member` (the index and the row
    /// disagree): nothing is written rather than another copy's bytes.
    WrongEntry {
        /// The archive's name as shown.
        name: String,
        /// The layer blob's member path, as shown.
        member: String,
        /// The file's path in the layer, as shown.
        path: String,
        /// The entry index the reference gives.
        entry: usize,
        /// The size the reference gives, in bytes.
        size: u64,
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
            ExportError::TooLarge {
                name,
                member,
                path,
                size,
                bound,
            } => write!(
                f,
                "{name}: {member}: {path} claims {size} bytes, more than the {bound}-byte \
                 bound for this file; nothing written"
            ),
            ExportError::WrongEntry {
                name,
                member,
                path,
                entry,
                size,
            } => write!(
                f,
                "{name}: {member}: entry {entry} of the layer is not the {size}-byte regular \
                 file {path}; nothing written"
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
    let stream = ExportStream::layer_tar(source, archive, member, limits)?;
    let (digest, n) = copy(stream, out)?;
    // A layer stream always hashes what it gives.
    let digest = digest.ok_or_else(|| {
        ExportError::Read(Error::NoMember {
            name: archive.name.clone(),
            member,
        })
    })?;
    Ok((digest, n))
}

/// Copies the bytes a union row shows (its [`ContentRef`]: for a hard link the file it links
/// to) to `out`, whatever their size, through one 1 MiB buffer; returns how many
/// (`content.size`). Where they lie in the file as stored (an uncompressed layer in an
/// uncompressed file) they are read by offset — a sparse file's regions with zeros for its
/// holes; otherwise the layer blob is decompressed again (gzip of every member — estargz —,
/// zstd of every frame, xz, bzip2; a whole-file-compressed save streamed again up to the
/// blob) up to the file, whose bytes are copied as they come. Decompression is bounded as
/// for [`write_layer_tar`]: past `limits.decompressed_for(source.len())` bytes of the layer,
/// [`ExportError::OverLimit`]; a broken stream is [`ExportError::Decode`]; fewer bytes than
/// `content.size` (the file or the stream ends early) is [`ExportError::ContentEndsEarly`];
/// a layer whose tar cannot be walked up to the file, or that lacks it, is
/// [`ExportError::Read`] naming the member. What was written before an error is a prefix of
/// the file, not all of it.
pub fn write_content<S: ReadAt + ?Sized>(
    source: &S,
    archive: &Archive,
    content: &ContentRef,
    limits: &Limits,
    out: &mut dyn Write,
) -> Result<u64, ExportError> {
    let stream = ExportStream::content(source, archive, content, limits)?;
    copy(stream, out).map(|(_, n)| n)
}

/// Pulls `stream` to its end into `out` through one [`COPY_BUF`] buffer.
fn copy(
    mut stream: ExportStream<'_>,
    out: &mut dyn Write,
) -> Result<(Option<Digest>, u64), ExportError> {
    let mut buf = vec![0u8; COPY_BUF];
    loop {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        out.write_all(buf.get(..n).unwrap_or_default())
            .map_err(ExportError::Write)?;
    }
    out.flush().map_err(ExportError::Write)?;
    stream.finish()
}

/// What an [`ExportStream`] gives, for its errors and its end.
enum Kind {
    /// A layer's tar: hashed as it goes, checked against `expected` at the end.
    Layer {
        // Boxed: a hasher's state is far larger than the other variant.
        hasher: Box<Hasher>,
        expected: Option<Digest>,
    },
    /// A file's bytes, `size` of them; `offset`: where they lie in the file when read by
    /// offset (its read errors name it), `None` when decompressed.
    File {
        path: String,
        size: u64,
        offset: Option<u64>,
    },
}

/// A save in progress: a layer's uncompressed tar ([`ExportStream::layer_tar`]) or one file's
/// bytes ([`ExportStream::content`]), pulled with [`ExportStream::read`] into the caller's
/// buffer until it gives 0, then judged by [`ExportStream::finish`]. It owns what it reads
/// from (`source` by value: `&S`, `Rc<S>` …), so a caller can keep it between events. Memory:
/// the decoder's window and the tar walk's small buffers, never the file's or the layer's size.
pub struct ExportStream<'a> {
    inner: Box<dyn Read + 'a>,
    kind: Kind,
    /// Bytes given so far.
    done: u64,
    /// Set when the decompressed layer went past `bound` (the error may have crossed the tar
    /// walk as text).
    over: Rc<Cell<bool>>,
    name: String,
    member: String,
    bound: u64,
}

impl<'a> ExportStream<'a> {
    /// Opens the uncompressed tar of the layer blob `archive.members[member]` of `source`, as
    /// [`write_layer_tar`] writes it (same bound, same errors; the diff_id check happens in
    /// [`ExportStream::finish`]).
    pub fn layer_tar<P>(
        source: P,
        archive: &Archive,
        member: usize,
        limits: &Limits,
    ) -> Result<ExportStream<'a>, ExportError>
    where
        P: Deref + 'a,
        P::Target: ReadAt,
    {
        let (name, shown, m) = member_of(archive, member)?;
        let Some(index) = m.facts.layer.as_ref() else {
            return Err(member_error(&name, &shown, "not a layer blob".into()));
        };
        let expected = index.diff_id.clone();
        let bound = limits.decompressed_for(source.len());
        let over = Rc::new(Cell::new(false));
        let blob = blob_of(source, archive, member, limits.max_window_bytes)
            .map_err(|e| member_error(&name, &shown, e.to_string()))?;
        let inner = decoded(blob, bound, limits.max_window_bytes, over.clone())
            .map_err(ExportError::Decode)?;
        Ok(ExportStream {
            inner,
            kind: Kind::Layer {
                hasher: Box::new(Hasher::new()),
                expected,
            },
            done: 0,
            over,
            name,
            member: shown,
            bound,
        })
    }

    /// Opens the bytes a union row shows (its [`ContentRef`]; for a hard link the file it
    /// links to), as [`write_content`] writes them (same reading, bound and errors; a short
    /// file is told by [`ExportStream::finish`]). Finding the file in a compressed layer
    /// decompresses the layer up to it here, before the first byte.
    pub fn content<P>(
        source: P,
        archive: &Archive,
        content: &ContentRef,
        limits: &Limits,
    ) -> Result<ExportStream<'a>, ExportError>
    where
        P: Deref + 'a,
        P::Target: ReadAt,
    {
        let path = content.path.display().into_owned();
        let member = content.member.ok_or_else(|| {
            ExportError::Read(Error::BlobMissing {
                name: archive.name.clone(),
                path: content.path.to_string(),
            })
        })?;
        let (name, shown, m) = member_of(archive, member)?;
        let bound = limits.decompressed_for(source.len());
        let over = Rc::new(Cell::new(false));
        let index = m.facts.layer.as_ref();
        let entry = index.and_then(|l| l.entries.get(content.entry));
        // A sparse file's zeros are made here, not decompressed: its claimed size (up to
        // 2^63−1 in a few stored bytes) gets the bound the layer's bytes get. (A plain file's
        // bytes are stored, so the decompression bound stops it as it comes.)
        if content.size > bound && entry.is_some_and(|e| e.sparse().is_some()) {
            return Err(ExportError::TooLarge {
                name,
                member: shown,
                path,
                size: content.size,
                bound,
            });
        }
        let wrong = || ExportError::WrongEntry {
            name: name.clone(),
            member: shown.clone(),
            path: path.clone(),
            entry: content.entry,
            size: content.size,
        };
        // The bytes are the entry's own, never another copy of the path: a layer indexed
        // must list at `entry` a regular file of that path and size.
        if index.is_some()
            && !entry.is_some_and(|e| {
                e.path == content.path && e.kind == EntryKind::File && e.size == content.size
            })
        {
            return Err(wrong());
        }
        let stream = |inner: Box<dyn Read + 'a>, offset: Option<u64>| ExportStream {
            inner,
            kind: Kind::File {
                path: path.clone(),
                size: content.size,
                offset,
            },
            done: 0,
            over: over.clone(),
            name: name.clone(),
            member: shown.clone(),
            bound,
        };
        let entry_data = |mismatch| {
            ExportError::Read(Error::EntryData {
                name: name.clone(),
                member: shown.clone(),
                path: path.clone(),
                mismatch,
            })
        };
        // The entry's stored bytes, checked before the first byte against its header, its
        // sparse map and the end of its layer member: nothing outside them is ever given.
        let at = match entry {
            Some(e) => layer::stored_range(m, e)
                .map_err(entry_data)?
                .map(|r| (r, e)),
            None => None,
        };
        if let Some(((off, stored), e)) = at {
            // In the file as stored: a plain file's bytes, or a sparse file's regions back
            // to back.
            let bytes = Range::new(source, off, stored);
            let reader = layer::Content::new(bytes, e.sparse(), content.size)
                .map_err(|e| member_error(&name, &shown, e.to_string()))?;
            return Ok(stream(Box::new(reader), Some(off)));
        }
        // Which copy of the path the entry is, counted among the layer's regular files of
        // that path, so the walk finds the same one (as `archive::read_content`).
        let nth = index
            .and_then(|l| crate::read::archive::copy_number(l, content))
            .unwrap_or(0);
        let over_or = |message: String| {
            if over.get() {
                ExportError::OverLimit {
                    name: name.clone(),
                    member: shown.clone(),
                    bound,
                }
            } else {
                member_error(&name, &shown, message)
            }
        };
        let blob = blob_of(source, archive, member, limits.max_window_bytes)
            .map_err(|e| member_error(&name, &shown, e.to_string()))?;
        let tar = decoded(blob, bound, limits.max_window_bytes, over.clone())
            .map_err(|e| over_or(e.to_string()))?;
        let file = layer::open_file(tar, &content.path, nth, limits)
            .map_err(|e| match layer::stored_mismatch_of(&e) {
                Some(m) => entry_data(m),
                None => over_or(e.to_string()),
            })?
            .ok_or_else(|| over_or(format!("no file {} in this layer", content.path)))?;
        if file.size() != content.size {
            return Err(wrong());
        }
        Ok(stream(Box::new(file), None))
    }

    /// Fills `buf` with the next bytes (fewer only at the end), returning how many: 0 at the
    /// end, then call [`ExportStream::finish`]. An error ends the stream: what was given is a
    /// prefix, not the whole.
    pub fn read(&mut self, buf: &mut [u8]) -> Result<usize, ExportError> {
        let mut filled = 0;
        while filled < buf.len() {
            let Some(rest) = buf.get_mut(filled..) else {
                break;
            };
            let n = match self.inner.read(rest) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.error(e, filled)),
            };
            if let (Kind::Layer { hasher, .. }, Some(got)) = (&mut self.kind, rest.get(..n)) {
                hasher.update(got);
            }
            filled += n;
        }
        self.done = self.done.saturating_add(filled as u64);
        Ok(filled)
    }

    /// Bytes given so far.
    pub fn done(&self) -> u64 {
        self.done
    }

    /// The end, once [`ExportStream::read`] gave 0: a layer's sha256 and length (the sha256
    /// must be the diff_id the reader computed, else [`ExportError::Changed`]), a file's
    /// length (`None` digest; fewer bytes than its size is
    /// [`ExportError::ContentEndsEarly`]).
    pub fn finish(self) -> Result<(Option<Digest>, u64), ExportError> {
        match self.kind {
            Kind::Layer { hasher, expected } => {
                let digest = hasher.finish();
                match expected {
                    Some(expected) if expected != digest => Err(ExportError::Changed {
                        expected,
                        actual: digest,
                    }),
                    _ => Ok((Some(digest), self.done)),
                }
            }
            Kind::File { path, size, .. } => {
                if self.done < size {
                    Err(ExportError::ContentEndsEarly {
                        path,
                        got: self.done,
                        size,
                    })
                } else {
                    Ok((None, self.done))
                }
            }
        }
    }

    /// The typed error for `e`, met after `filled` more bytes than [`ExportStream::done`].
    fn error(&self, e: io::Error, filled: usize) -> ExportError {
        let got = self.done.saturating_add(filled as u64);
        if self.over.get() {
            return ExportError::OverLimit {
                name: self.name.clone(),
                member: self.member.clone(),
                bound: self.bound,
            };
        }
        match &self.kind {
            Kind::Layer { .. } => ExportError::Decode(e),
            Kind::File { path, size, .. } if e.kind() == io::ErrorKind::UnexpectedEof => {
                ExportError::ContentEndsEarly {
                    path: path.clone(),
                    got,
                    size: *size,
                }
            }
            Kind::File {
                offset: Some(off), ..
            } => ExportError::Read(Error::Io {
                name: self.name.clone(),
                offset: off.saturating_add(got),
                source: e,
            }),
            Kind::File { offset: None, .. } => ExportError::Decode(e),
        }
    }
}

/// `archive.members[member]` with the archive's name and the member's path as shown.
fn member_of(
    archive: &Archive,
    member: usize,
) -> Result<(String, String, &crate::model::Member), ExportError> {
    let m = archive.members.get(member).ok_or_else(|| {
        ExportError::Read(Error::NoMember {
            name: archive.name.clone(),
            member,
        })
    })?;
    Ok((archive.name.clone(), m.path.display().into_owned(), m))
}

fn member_error(name: &str, member: &str, message: String) -> ExportError {
    ExportError::Read(Error::Member {
        name: name.to_string(),
        member: member.to_string(),
        message,
    })
}

/// The stored bytes of member `member`: a range of the file, or — in a compressed outer file
/// (`docker save | gzip`) — the file decompressed again and walked up to the member (counting
/// members as the reader did: PAX global headers are not members), then its bytes.
fn blob_of<'a, P>(
    source: P,
    archive: &Archive,
    member: usize,
    window: u64,
) -> io::Result<Box<dyn Read + 'a>>
where
    P: Deref + 'a,
    P::Target: ReadAt,
{
    let m = archive
        .members
        .get(member)
        .ok_or_else(|| io::Error::other("no such member"))?;
    if let Some(off) = m.data_offset {
        return Ok(Box::new(Range::new(source, off, m.size)));
    }
    let len = source.len();
    let outer = EndAtTrailing::new(decompress::decoder(
        archive.outer_compression,
        Range::new(source, 0, len),
        window,
    ));
    let mut tar = tar::Archive::new(Counted {
        inner: outer,
        pos: 0,
    });
    let mut found = None;
    {
        let mut idx = 0usize;
        for item in tar.entries()? {
            let e = item?;
            if e.header().entry_type().is_pax_global_extensions() {
                continue;
            }
            if idx == member {
                found = Some((e.raw_file_position(), e.size()));
                break;
            }
            idx += 1;
        }
    }
    let (at, size) =
        found.ok_or_else(|| io::Error::other("not found when the file was read again"))?;
    // The walk stopped right after the member's header: its data comes next.
    let mut rest = tar.into_inner();
    let gap = at
        .checked_sub(rest.pos)
        .ok_or_else(|| io::Error::other("the walk read past the member's data"))?;
    if io::copy(&mut (&mut rest).take(gap), &mut io::sink())? < gap {
        return Err(io::Error::from(io::ErrorKind::UnexpectedEof));
    }
    Ok(Box::new(rest.take(size)))
}

/// A blob decompressed as the reader did (compression sniffed from its first bytes, every
/// member or frame, ending at trailing data), at most `bound` bytes: past them the read fails
/// and `over` is set.
fn decoded<'a>(
    mut blob: Box<dyn Read + 'a>,
    bound: u64,
    window: u64,
    over: Rc<Cell<bool>>,
) -> io::Result<Box<dyn Read + 'a>> {
    let mut head = Vec::with_capacity(sniff::TAR_BLOCK);
    (&mut blob)
        .take(sniff::TAR_BLOCK as u64)
        .read_to_end(&mut head)?;
    let compression = if head.is_empty() {
        Compression::None
    } else {
        sniff::compression(&head)
    };
    let src = io::Cursor::new(head).chain(blob);
    Ok(Box::new(Bounded {
        inner: EndAtTrailing::new(decompress::decoder(compression, src, window)),
        left: bound,
        over,
    }))
}

/// At most `left` bytes of `inner`; one more is an error (and sets `over`), so a stream of
/// exactly the bound passes and a longer one is told apart from it.
struct Bounded<R> {
    inner: R,
    left: u64,
    over: Rc<Cell<bool>>,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            let mut one = [0u8; 1];
            if self.inner.read(&mut one)? == 0 {
                return Ok(0);
            }
            self.over.set(true);
            return Err(io::Error::other("over the decompression bound"));
        }
        let want = usize::try_from(self.left)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        let n = match buf.get_mut(..want) {
            Some(dst) => self.inner.read(dst)?,
            None => 0,
        };
        self.left -= n as u64;
        Ok(n)
    }
}

/// Counts the bytes read through it (where a tar walk stopped).
struct Counted<R> {
    inner: R,
    pos: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

/// `len` bytes of `source` from `offset`, read in order; the file ending first is an
/// `UnexpectedEof` error ("file ended early"), as `source::RangeReader`. Owns its source
/// handle, so an [`ExportStream`] can too.
struct Range<P> {
    source: P,
    pos: u64,
    end: u64,
}

impl<P> Range<P> {
    fn new(source: P, offset: u64, len: u64) -> Self {
        Range {
            source,
            pos: offset,
            end: offset.saturating_add(len),
        }
    }
}

impl<P> Read for Range<P>
where
    P: Deref,
    P::Target: ReadAt,
{
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // One read of `source::RangeReader` over what is left: its bounds and its early-end
        // error, with this handle owned.
        let left = self.end.saturating_sub(self.pos);
        let n = RangeReader::new(&*self.source, self.pos, left).read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
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

    /// Every regular file of the demo, written by `write_content` (by offset from the plain
    /// file, re-inflated from the gzip one), equals what `read_content` gives.
    #[test]
    fn write_content_gives_the_same_bytes_by_offset_or_inflated() {
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
                let got = write_content(&file, &a, c, &Limits::default(), &mut out)
                    .unwrap_or_else(|e| panic!("{label} {}: {e}", c.path));
                assert_eq!(out, want, "{label} {}", c.path);
                assert_eq!(got, c.size);
                n += 1;
            }
            assert!(n > 3, "{label}: {n} files");
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
            other => panic!("{other:?}"),
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
