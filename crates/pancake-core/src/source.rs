//! The only I/O seam: random access to the bytes of one file. The CLI backs it with
//! `std::fs::File`, the browser with a `File` read synchronously in a Web Worker.

use std::io;

/// Random access to a file's bytes. `&self`, so several threads (or workers) can each
/// read a different blob of the same file at once.
pub trait ReadAt {
    /// Reads up to `buf.len()` bytes at `offset`; returns how many (0 only at the end).
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize>;
    /// Total length in bytes.
    fn len(&self) -> u64;

    /// True when the file has no bytes.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Reads exactly `len` bytes at `offset` (fewer only at the end of the file).
    fn read_vec_at(&self, offset: u64, len: usize) -> io::Result<Vec<u8>> {
        let mut buf = vec![0u8; len];
        let mut filled = 0;
        while filled < len {
            let Some(rest) = buf.get_mut(filled..) else {
                break;
            };
            let n = self.read_at(offset + filled as u64, rest)?;
            if n == 0 {
                break;
            }
            filled += n;
        }
        buf.truncate(filled);
        Ok(buf)
    }
}

impl ReadAt for [u8] {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(<[u8]>::len(self));
        let src = self.get(start..).unwrap_or(&[]);
        let n = src.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), src.get(..n)) {
            dst.copy_from_slice(src);
        }
        Ok(n)
    }
    fn len(&self) -> u64 {
        <[u8]>::len(self) as u64
    }
}

impl ReadAt for Vec<u8> {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        self.as_slice().read_at(offset, buf)
    }
    fn len(&self) -> u64 {
        Vec::len(self) as u64
    }
}

#[cfg(unix)]
impl ReadAt for std::fs::File {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        std::os::unix::fs::FileExt::read_at(self, buf, offset)
    }
    fn len(&self) -> u64 {
        self.metadata().map(|m| m.len()).unwrap_or(0)
    }
}

/// A sequential `Read` over a range of a `ReadAt`, in large chunks.
pub struct RangeReader<'a, S: ReadAt + ?Sized> {
    source: &'a S,
    pos: u64,
    end: u64,
}

impl<'a, S: ReadAt + ?Sized> RangeReader<'a, S> {
    /// Reads `len` bytes of `source` from byte `offset` (fewer if the source ends first).
    pub fn new(source: &'a S, offset: u64, len: u64) -> Self {
        RangeReader {
            source,
            pos: offset,
            end: offset.saturating_add(len),
        }
    }
}

impl<S: ReadAt + ?Sized> io::Read for RangeReader<'_, S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.end.saturating_sub(self.pos);
        if left == 0 {
            return Ok(0);
        }
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let Some(dst) = buf.get_mut(..want) else {
            return Ok(0);
        };
        let n = self.source.read_at(self.pos, dst)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "file ended early",
            ));
        }
        self.pos += n as u64;
        Ok(n)
    }
}
