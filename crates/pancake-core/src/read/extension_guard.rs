//! A guard in front of the `tar` crate for the *outer* tarball. The crate reads a GNU long
//! name/link record or a PAX record whole into memory, whatever size its header claims, so a
//! 1 MB `.tar.gz` holding a 1 GiB long name would cost a gigabyte. Layers are walked by our
//! own reader (`layer.rs`), which skips such records; the outer walk still uses the crate, so
//! this guard follows the tar's block structure as the bytes pass through and refuses, before
//! the crate buffers it, any extension record larger than `Limits::max_extension_bytes`.
//!
//! It tracks what the `tar` crate does: every header's data is `size` bytes (or the size a
//! preceding PAX `x` record gives), padded to 512; old-GNU sparse headers may be followed by
//! extension blocks; zero blocks are skipped.

use std::io::{self, Read, Seek, SeekFrom};

use crate::read::tarfmt;

const BLOCK: u64 = 512;

/// An extension record over the limit: its header's type flag and claimed size, and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Oversized {
    /// The record's type flag: `x` or `g` (PAX), `L` or `K` (GNU long name / link).
    pub typeflag: u8,
    /// The data size its header claims, in bytes.
    pub size: u64,
    /// Byte offset of its header in the (uncompressed) tar stream.
    pub header_at: u64,
}

impl Oversized {
    /// Plain words for the record's kind.
    pub fn what(&self) -> &'static str {
        match self.typeflag {
            b'L' => "a GNU long-name record",
            b'K' => "a GNU long-link record",
            b'g' => "a PAX global header",
            _ => "a PAX header",
        }
    }
}

/// See the module docs. `R` is the outer tar stream (already decompressed).
pub struct ExtensionGuard<R> {
    inner: R,
    limit: u64,
    /// Offset of the next byte `read` yields.
    pos: u64,
    /// Offset of the next header block (or sparse extension block).
    next: u64,
    /// The bytes of the block at `next` seen so far.
    block: Vec<u8>,
    /// Collecting a PAX `x` record's data: (offset of its first byte, length, bytes so far).
    pax: Option<(u64, u64, Vec<u8>)>,
    /// The size a PAX `x` record gave the next member.
    pax_size: Option<u64>,
    /// The block at `next` is an old-GNU sparse extension block; `pending` data follows them.
    sparse_ext: bool,
    pending: u64,
    /// The record that stopped the walk, if one did.
    pub oversized: Option<Oversized>,
}

fn padded(n: u64) -> u64 {
    n.saturating_add(BLOCK - 1) / BLOCK * BLOCK
}

impl<R> ExtensionGuard<R> {
    /// Guards `inner`, stopping at the first extension record whose data is over `limit` bytes.
    pub fn new(inner: R, limit: u64) -> Self {
        ExtensionGuard {
            inner,
            limit,
            pos: 0,
            next: 0,
            block: Vec::with_capacity(BLOCK as usize),
            pax: None,
            pax_size: None,
            sparse_ext: false,
            pending: 0,
            oversized: None,
        }
    }

    /// Follows the structure through `data`, the bytes at `self.pos`; `Err` on an oversized
    /// extension record (the `tar` crate then stops with that error).
    fn observe(&mut self, data: &[u8]) -> io::Result<()> {
        let start = self.pos;
        let end = start.saturating_add(data.len() as u64);
        let slice = |from: u64, to: u64| -> &[u8] {
            let a = usize::try_from(from.saturating_sub(start)).unwrap_or(usize::MAX);
            let b = usize::try_from(to.saturating_sub(start)).unwrap_or(usize::MAX);
            data.get(a.min(data.len())..b.min(data.len()))
                .unwrap_or(&[])
        };
        loop {
            if let Some((at, len, buf)) = self.pax.as_mut() {
                let stop = at.saturating_add(*len);
                let from = (*at).saturating_add(buf.len() as u64).max(start);
                if from < stop && from < end {
                    buf.extend_from_slice(slice(from, stop.min(end)));
                }
                if buf.len() as u64 >= *len {
                    // Only the size matters here; a malformed record is the crate's to report.
                    self.pax_size = tarfmt::parse_pax(buf)
                        .ok()
                        .and_then(|recs| tarfmt::get(&recs, b"size").and_then(tarfmt::parse_dec))
                        .and_then(|s| u64::try_from(s).ok());
                    self.pax = None;
                } else {
                    return Ok(());
                }
            }
            if self.next >= end {
                return Ok(());
            }
            if self.next < start && self.block.is_empty() {
                // The header was skipped over (a seek past it): follow from here.
                self.next = start;
            }
            let have = self.next.saturating_add(self.block.len() as u64);
            let want = self.next.saturating_add(BLOCK);
            self.block
                .extend_from_slice(slice(have.max(start), want.min(end)));
            if (self.block.len() as u64) < BLOCK {
                return Ok(());
            }
            let block = std::mem::take(&mut self.block);
            self.header(&block)?;
            self.block = block;
            self.block.clear();
        }
    }

    fn header(&mut self, b: &[u8]) -> io::Result<()> {
        let header_end = self.next.saturating_add(BLOCK);
        if self.sparse_ext {
            self.sparse_ext = b.get(504).is_some_and(|x| *x != 0);
            self.next = if self.sparse_ext {
                header_end
            } else {
                header_end.saturating_add(padded(self.pending))
            };
            return Ok(());
        }
        if tarfmt::is_zero_block(b) {
            self.next = header_end;
            return Ok(());
        }
        let typeflag = b.get(156).copied().unwrap_or(0);
        let size = b
            .get(124..136)
            .and_then(tarfmt::parse_numeric)
            .and_then(|s| u64::try_from(s).ok())
            .unwrap_or(0);
        match typeflag {
            b'L' | b'K' | b'x' | b'g' => {
                if size > self.limit {
                    let o = Oversized {
                        typeflag,
                        size,
                        header_at: self.next,
                    };
                    self.oversized = Some(o);
                    return Err(io::Error::other(format!(
                        "{} of {size} bytes at byte offset {}, more than the limit of {} bytes \
                         (limits.max_extension_bytes); not read",
                        o.what(),
                        o.header_at,
                        self.limit
                    )));
                }
                if typeflag == b'x' {
                    self.pax = Some((header_end, size, Vec::new()));
                }
                self.next = header_end.saturating_add(padded(size));
            }
            _ => {
                let data = self.pax_size.take().unwrap_or(size);
                if typeflag == b'S' && b.get(482).is_some_and(|x| *x != 0) {
                    self.sparse_ext = true;
                    self.pending = data;
                    self.next = header_end;
                } else {
                    self.next = header_end.saturating_add(padded(data));
                }
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for ExtensionGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.oversized.is_some() {
            return Err(io::Error::other("stopped at an oversized extension record"));
        }
        let n = self.inner.read(buf)?;
        let data = buf.get(..n).unwrap_or(&[]);
        let seen = self.observe(data);
        self.pos = self.pos.saturating_add(n as u64);
        seen.map(|()| n)
    }
}

impl<R: Seek> Seek for ExtensionGuard<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let p = self.inner.seek(to)?;
        self.pos = p;
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(name: &str, typeflag: u8, size: u64) -> Vec<u8> {
        let mut h = vec![0u8; 512];
        h[..name.len()].copy_from_slice(name.as_bytes());
        let s = format!("{size:011o}\0");
        h[124..136].copy_from_slice(s.as_bytes());
        h[156] = typeflag;
        h[257..263].copy_from_slice(b"ustar\0");
        h
    }

    fn read_all<R: Read>(mut r: R, chunk: usize) -> io::Result<usize> {
        let mut buf = vec![0u8; chunk];
        let mut total = 0;
        loop {
            match r.read(&mut buf)? {
                0 => return Ok(total),
                n => total += n,
            }
        }
    }

    #[test]
    fn an_oversized_long_name_is_refused_before_its_data_in_any_chunking() {
        let mut tar = header("a", b'0', 3);
        tar.extend(vec![b'x'; 512]);
        tar.extend(header("././@LongLink", b'L', 5 << 20));
        tar.extend(vec![b'n'; 4096]); // the rest is never needed
        for chunk in [1, 7, 512, 100_000] {
            let mut g = ExtensionGuard::new(&tar[..], 1 << 20);
            assert!(read_all(&mut g, chunk).is_err());
            let o = g.oversized.expect("refused");
            assert_eq!((o.typeflag, o.size, o.header_at), (b'L', 5 << 20, 1024));
        }
    }

    #[test]
    fn pax_size_moves_the_next_header_and_small_records_pass() {
        // A PAX record gives the next member 2000 bytes though its header says 0: the header
        // after it is found at the right place, and its oversized K is refused there.
        let rec = b"13 size=2000\n";
        let mut tar = header("pax", b'x', rec.len() as u64);
        let mut data = rec.to_vec();
        data.resize(512, 0);
        tar.extend(data);
        tar.extend(header("big", b'0', 0));
        tar.extend(vec![b'z'; 2048]);
        tar.extend(header("././@LongLink", b'K', 3 << 20));
        let mut g = ExtensionGuard::new(&tar[..], 1 << 20);
        assert!(read_all(&mut g, 333).is_err());
        assert_eq!(g.oversized.map(|o| o.header_at), Some(512 * 3 + 2048));
        // Under the limit, nothing is refused.
        let mut small = header("././@LongLink", b'L', 100);
        small.extend(vec![b'n'; 512]);
        small.extend(header("n", b'0', 0));
        small.extend(vec![0u8; 1024]);
        let mut g = ExtensionGuard::new(&small[..], 1 << 20);
        assert_eq!(read_all(&mut g, 64).ok(), Some(small.len()));
        assert_eq!(g.oversized, None);
    }
}
