//! Walking the inner tar of one layer blob into a list of [`Entry`]s.
//!
//! The `tar` crate does the parsing: its `entries()` folds PAX and GNU long-name/long-link
//! extension headers into the member they describe, so what we list matches Python's
//! `tarfile.getmembers()`. Two walks share one conversion: a streaming walk over any `Read`
//! (used while the blob is hashed) and a header-only walk over a `ReadAt` that seeks over
//! file content (the fast first view of an uncompressed layer).

use std::collections::HashSet;
use std::io::{self, Read, Seek, SeekFrom};

use crate::model::{Entry, EntryKind, Problem, ProblemKind};
use crate::path::RawPath;
use crate::source::ReadAt;

/// What one walk over a layer tar found.
#[derive(Debug, Default)]
pub struct LayerWalk {
    pub entries: Vec<Entry>,
    /// Why the listing stopped early, if it did.
    pub error: Option<String>,
    /// Unsafe names, duplicate paths.
    pub problems: Vec<Problem>,
}

/// Streams a layer tar from `reader`. `content_base` is the outer-file offset of the first
/// byte `reader` yields, when known, so each file's content offset can be recorded.
/// Stops at the end-of-archive marker; the caller drains the rest (padding) if it hashes.
pub fn walk<R: Read>(reader: R, member: &str, content_base: Option<u64>) -> LayerWalk {
    let mut archive = tar::Archive::new(reader);
    match archive.entries() {
        Ok(entries) => collect(entries, member, content_base),
        Err(e) => failed(member, e),
    }
}

/// Header-only walk over `len` bytes at `offset` of `source` (an uncompressed layer tar):
/// file content is seeked over, never read, so this costs one small read per ~64 KiB of headers.
pub fn walk_headers<S: ReadAt + ?Sized>(
    source: &S,
    offset: u64,
    len: u64,
    member: &str,
) -> LayerWalk {
    let reader = SeekReader::new(source, offset, len, 64 * 1024);
    let mut archive = tar::Archive::new(reader);
    match archive.entries_with_seek() {
        Ok(entries) => collect(entries, member, Some(offset)),
        Err(e) => failed(member, e),
    }
}

fn failed(member: &str, e: io::Error) -> LayerWalk {
    let error = format!("layer {member}: tar read error: {e}");
    LayerWalk {
        entries: Vec::new(),
        error: Some(error),
        problems: Vec::new(),
    }
}

fn collect<'a, R: Read + 'a>(
    entries: tar::Entries<'a, R>,
    member: &str,
    content_base: Option<u64>,
) -> LayerWalk {
    let mut out = LayerWalk::default();
    let mut seen: HashSet<RawPath> = HashSet::new();
    let mut duplicates: Vec<String> = Vec::new();
    let mut duplicate_count = 0usize;
    for item in entries {
        let entry = match item {
            Ok(e) => e,
            Err(e) => {
                out.error = Some(format!(
                    "tar read error after {} entries: {e}",
                    out.entries.len()
                ));
                break;
            }
        };
        let etype = entry.header().entry_type();
        // PAX global headers are not members (tarfile does not list them either).
        if etype.is_pax_global_extensions()
            || etype.is_pax_local_extensions()
            || etype.is_gnu_longname()
            || etype.is_gnu_longlink()
        {
            continue;
        }
        let raw_path = entry.path_bytes().into_owned();
        let raw_link = entry.link_name_bytes().map(|c| c.into_owned());
        let kind = kind_of(etype);
        let header = entry.header();
        let size = if kind == EntryKind::File {
            entry.size()
        } else {
            0
        };
        let path = RawPath::normalize(&raw_path);
        if RawPath::is_unsafe_name(&raw_path) {
            out.problems.push(Problem {
                kind: ProblemKind::UnsafePath,
                member: Some(member.to_string()),
                message: format!(
                    "layer {member}: unsafe entry {} (kept in the index, never written outside the root)",
                    crate::escape::escape_name(&raw_path)
                ),
            });
        }
        if kind == EntryKind::Hardlink {
            if let Some(target) = raw_link.as_deref().filter(|t| RawPath::is_unsafe_name(t)) {
                out.problems.push(Problem {
                    kind: ProblemKind::UnsafePath,
                    member: Some(member.to_string()),
                    message: format!(
                        "layer {member}: unsafe entry {} => {} (hard link pointing outside the root)",
                        crate::escape::escape_name(&raw_path),
                        crate::escape::escape_name(target)
                    ),
                });
            }
        }
        if kind != EntryKind::Dir && !seen.insert(path.clone()) {
            duplicate_count += 1;
            if duplicates.len() < 5 {
                duplicates.push(path.display().into_owned());
            }
        }
        let link_target = match kind {
            EntryKind::Symlink | EntryKind::Hardlink => raw_link.map(|l| {
                // Symlink targets are kept as written (relative or absolute, they are
                // resolved inside the root later); hard links name archive paths.
                if kind == EntryKind::Hardlink {
                    RawPath::normalize(&l)
                } else {
                    RawPath::from_bytes(l)
                }
            }),
            _ => None,
        };
        let content_offset = match (kind, content_base) {
            (EntryKind::File, Some(base)) => base.checked_add(entry.raw_file_position()),
            _ => None,
        };
        out.entries.push(Entry {
            path,
            kind,
            size,
            mode: header.mode().unwrap_or(0),
            uid: header.uid().unwrap_or(0),
            gid: header.gid().unwrap_or(0),
            mtime: header.mtime().unwrap_or(0),
            link_target,
            content_offset,
        });
    }
    if duplicate_count > 0 {
        out.problems.push(Problem {
            kind: ProblemKind::DuplicateMember,
            member: Some(member.to_string()),
            message: format!(
                "layer {member}: {duplicate_count} entr{} appear more than once (the last one wins): {}",
                if duplicate_count == 1 { "y" } else { "ies" },
                duplicates.join(", ")
            ),
        });
    }
    out
}

fn kind_of(t: tar::EntryType) -> EntryKind {
    use tar::EntryType as T;
    match t {
        T::Regular | T::Continuous | T::GNUSparse => EntryKind::File,
        T::Directory => EntryKind::Dir,
        T::Symlink => EntryKind::Symlink,
        T::Link => EntryKind::Hardlink,
        T::Char => EntryKind::Char,
        T::Block => EntryKind::Block,
        T::Fifo => EntryKind::Fifo,
        _ => EntryKind::Other,
    }
}

/// A buffered `Read + Seek` over a byte range of a [`ReadAt`]. Seeking is free; reads are
/// served from one buffer refilled with `chunk`-sized `read_at` calls, so walking many small
/// headers does not turn into many tiny reads.
pub struct SeekReader<'a, S: ReadAt + ?Sized> {
    source: &'a S,
    start: u64,
    len: u64,
    pos: u64,
    buf: Vec<u8>,
    buf_pos: u64,
    chunk: usize,
}

impl<'a, S: ReadAt + ?Sized> SeekReader<'a, S> {
    pub fn new(source: &'a S, start: u64, len: u64, chunk: usize) -> Self {
        let len = len.min(source.len().saturating_sub(start));
        SeekReader {
            source,
            start,
            len,
            pos: 0,
            buf: Vec::new(),
            buf_pos: 0,
            chunk: chunk.max(512),
        }
    }
}

impl<S: ReadAt + ?Sized> Read for SeekReader<'_, S> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.len || out.is_empty() {
            return Ok(0);
        }
        let in_buf = self.pos >= self.buf_pos && self.pos < self.buf_pos + self.buf.len() as u64;
        if !in_buf {
            // Big reads bypass the buffer.
            let left = self.len - self.pos;
            if out.len() >= self.chunk {
                let want = out.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                let Some(dst) = out.get_mut(..want) else {
                    return Ok(0);
                };
                let n = self.source.read_at(self.start + self.pos, dst)?;
                self.pos += n as u64;
                return Ok(n);
            }
            let want = self.chunk.min(usize::try_from(left).unwrap_or(usize::MAX));
            self.buf = self.source.read_vec_at(self.start + self.pos, want)?;
            self.buf_pos = self.pos;
            if self.buf.is_empty() {
                return Ok(0);
            }
        }
        let off = usize::try_from(self.pos - self.buf_pos).unwrap_or(usize::MAX);
        let avail = self.buf.get(off..).unwrap_or(&[]);
        let n = avail.len().min(out.len());
        if let (Some(dst), Some(src)) = (out.get_mut(..n), avail.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.pos += n as u64;
        Ok(n)
    }
}

impl<S: ReadAt + ?Sized> Seek for SeekReader<'_, S> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let new = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        match new {
            Some(p) => {
                self.pos = p;
                Ok(p)
            }
            None => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek out of range",
            )),
        }
    }
}
