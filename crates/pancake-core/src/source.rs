//! The only I/O seam: random access to the bytes of one file. The CLI backs it with
//! `std::fs::File`, the browser with a `File` read synchronously in a Web Worker.

use std::cell::{Cell, RefCell};
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

/// A [`ReadAt`] that tells `reached` how far into the source its reads have got: the end of
/// the furthest read so far, in bytes from the source's start, each time that has grown by
/// `step` bytes or more since it last told (so never twice the same figure, never less than
/// before; a walk of 200,000 headers makes a read each, and telling each would cost more
/// than the walk). A walk that goes through a file front to back, reading headers and
/// skipping contents, so says how far through the file it is.
///
/// Not generic over the source: the archive's walk is generic over its [`ReadAt`], and a
/// second source type would compile a second copy of it, so every walk of an archive reads
/// through this one type.
pub struct Furthest<'a> {
    inner: &'a dyn ReadAt,
    step: u64,
    furthest: Cell<u64>,
    told: Cell<u64>,
    reached: RefCell<&'a mut dyn FnMut(u64)>,
}

impl<'a> Furthest<'a> {
    /// Reads through `inner`, telling `reached` of the furthest end every `step` bytes.
    pub fn new(inner: &'a dyn ReadAt, step: u64, reached: &'a mut dyn FnMut(u64)) -> Self {
        Furthest {
            inner,
            step,
            furthest: Cell::new(0),
            told: Cell::new(0),
            reached: RefCell::new(reached),
        }
    }
}

impl ReadAt for Furthest<'_> {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read_at(offset, buf)?;
        // Only bytes read count: a read at or past the end (a header whose size runs past it)
        // gives none, and must not carry the figure beyond the source.
        let end = offset.saturating_add(n as u64).min(self.inner.len());
        if n > 0 && end > self.furthest.get() {
            self.furthest.set(end);
            if end.saturating_sub(self.told.get()) >= self.step {
                // Not re-entered: `reached` is the caller's, and reads nothing through this.
                if let Ok(mut reached) = self.reached.try_borrow_mut() {
                    self.told.set(end);
                    reached(end);
                }
            }
        }
        Ok(n)
    }

    fn len(&self) -> u64 {
        self.inner.len()
    }
}

/// `source` as a sized [`ReadAt`], so that any source, `[u8]` too, can be read through
/// `&dyn ReadAt` (a reference to an unsized type cannot be made a trait object). Within the
/// core only: a public `ReadAt` for every reference would make `v.len()` on a `&Vec<u8>` the
/// trait's `u64`.
pub(crate) struct Borrowed<'a, S: ReadAt + ?Sized>(pub(crate) &'a S);

impl<S: ReadAt + ?Sized> ReadAt for Borrowed<'_, S> {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read_at(offset, buf)
    }

    fn len(&self) -> u64 {
        self.0.len()
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Told the furthest end each time it has grown by a step, whatever the order of reads.
    #[test]
    fn furthest_tells_each_step_of_the_furthest_end() {
        let data: Vec<u8> = (0..100u8).collect();
        let mut told = Vec::new();
        {
            let mut reached = |end| told.push(end);
            let f = Furthest::new(&data, 10, &mut reached);
            let mut buf = [0u8; 4];
            for offset in [0, 4, 8, 12, 2, 30, 20, 31, 98] {
                assert_eq!(
                    f.read_at(offset, &mut buf).ok(),
                    Some(4.min(100 - offset as usize))
                );
            }
            assert_eq!(f.len(), 100);
        }
        // Ends 4 and 8 are short of a step, 12 is one; 16 and 35 are less than a step past
        // the last told (12, 34); reads behind (at 2, 20) tell nothing; 100 is the end; a read
        // past it (at 150) reads nothing and tells nothing.
        assert_eq!(told, vec![12, 34, 100]);
    }
}
