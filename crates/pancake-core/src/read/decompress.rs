//! One decoder per compression, each yielding the concatenation of every frame, member or
//! stream in its input — the way `docker load` (Go's `compress/gzip`, `klauspost/compress/zstd`,
//! `xz`, `compress/bzip2`) reads a layer blob or a compressed save.
//!
//! - gzip (RFC 1952): any number of members (estargz writes one per file); the output is
//!   every member's output in order.
//! - zstd (RFC 8878 §3.1): any number of frames; skippable frames (magic `0x184D2A50` to
//!   `0x184D2A5F`, where zstd:chunked keeps its table of contents) are skipped; a frame's
//!   content checksum, when present, is checked.
//! - xz (the `.xz` file format 1.0.4): any number of streams and stream padding.
//! - bzip2: any number of concatenated streams (what `pbzip2` writes).
//!
//! Bytes after the last complete gzip member or zstd frame that do not start another are
//! *trailing data*: the decoder ends there and reports it as a [`TrailingData`] error, which
//! callers recognise with [`trailing_offset`] (typed, never by message text).

use std::fmt;
use std::io::{self, BufRead, Read};

use crate::model::Compression;

/// Size of the buffer between the raw input and a decoder.
const BUF: usize = 256 * 1024;

/// zstd frame magic, little-endian (RFC 8878 §3.1.1).
const ZSTD_MAGIC: u32 = 0xFD2F_B528;
/// Skippable frames: magic `0x184D2A5?`, then a 4-byte little-endian length (RFC 8878 §3.1.2).
const SKIPPABLE: std::ops::RangeInclusive<u32> = 0x184D_2A50..=0x184D_2A5F;

/// Bytes that are not another member/frame follow a complete compressed stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrailingData {
    /// Byte offset, in the compressed input, of the first byte that is not part of the stream.
    pub offset: u64,
    /// Which format's stream it follows.
    pub compression: Compression,
}

impl fmt::Display for TrailingData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "data that is not {} follows the end of the {} stream at byte {} of the compressed blob",
            name(self.compression),
            name(self.compression),
            self.offset
        )
    }
}

impl std::error::Error for TrailingData {}

/// A zstd frame declares a window, or an xz block's LZMA2 filter a dictionary, larger than
/// the decoder's bound (`max_window` of [`decoder`]): a deliberate bound of this reader, not
/// damage. Recognised with [`window_too_big`] (typed, never by message text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowTooBig {
    /// The window (zstd) or dictionary (xz) the stream declares, in bytes.
    pub requested: u64,
    /// The bound in force, in bytes.
    pub max: u64,
    /// Which format declared it: `Zstd` or `Xz`.
    pub compression: Compression,
}

impl fmt::Display for WindowTooBig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} of {} bytes, over the bound of {} bytes",
            self.declares(),
            self.requested,
            self.max
        )
    }
}

impl std::error::Error for WindowTooBig {}

/// The largest zstd window Go's klauspost/compress decoder accepts with its defaults
/// (`MaxWindowSize = 1 << 29`, zstd/decoder_options.go), which moby and containerd use.
pub const GO_ZSTD_MAX_WINDOW: u64 = 1 << 29;

/// Whether Docker (and, for zstd, containerd) decompresses a stream whose window or
/// dictionary is `requested` bytes: xz with the `xz` program, which sets no memory limit by
/// default; zstd with klauspost/compress's streaming decoder (`zstd.NewReader`), windows up
/// to [`GO_ZSTD_MAX_WINDOW`]. A single-segment frame's window is its Frame_Content_Size (RFC
/// 8878 §3.1.1.1.2), and that decoder checks it against the same bound once the frame's
/// header is read (zstd/decoder.go: `ErrDecoderSizeExceeded`).
pub fn docker_reads_window(compression: Compression, requested: u64) -> bool {
    match compression {
        Compression::Zstd => requested <= GO_ZSTD_MAX_WINDOW,
        _ => true,
    }
}

impl WindowTooBig {
    /// Whether `docker load` reads a save compressed as a whole with this stream: moby
    /// decompresses it as it does a layer ([`docker_reads_window`]).
    pub fn docker_load_reads(&self) -> bool {
        docker_reads_window(self.compression, self.requested)
    }

    /// What declared it, in English: "an xz block declares a dictionary" or "a zstd frame
    /// declares a window".
    pub fn declares(&self) -> &'static str {
        match self.compression {
            Compression::Xz => "an xz block declares a dictionary",
            _ => "a zstd frame declares a window",
        }
    }

    /// The refusal in English, both sizes in bytes and MiB, for the messages about a save
    /// compressed as a whole: "a zstd frame declares a window of … bytes (… MiB), over this
    /// reader's bound of … bytes (… MiB), which keeps the decoder's memory bounded".
    pub fn over_bound_words(&self) -> String {
        format!(
            "{} of {} bytes ({} MiB), over this reader's bound of {} bytes ({} MiB), which keeps the decoder's memory bounded",
            self.declares(),
            self.requested,
            self.requested >> 20,
            self.max,
            self.max >> 20
        )
    }

    /// Whether `docker load` reads the save, in English: "docker load reads it" or "docker
    /// load refuses it too".
    pub fn docker_load_words(&self) -> &'static str {
        if self.docker_load_reads() {
            "docker load reads it"
        } else {
            "docker load refuses it too"
        }
    }
}

/// The window asked for and the bound, when `e` is a [`WindowTooBig`] error from a decoder
/// here.
pub fn window_too_big(e: &io::Error) -> Option<WindowTooBig> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<WindowTooBig>())
        .copied()
}

/// The offset of trailing data, when `e` is a [`TrailingData`] error from a decoder here.
pub fn trailing_offset(e: &io::Error) -> Option<u64> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<TrailingData>())
        .map(|t| t.offset)
}

/// A short lowercase name of a compression, for messages ("gzip", "zstd", "xz", "bzip2").
pub fn name(c: Compression) -> &'static str {
    match c {
        Compression::None => "uncompressed",
        Compression::Gzip => "gzip",
        Compression::Zstd => "zstd",
        Compression::Xz => "xz",
        Compression::Bzip2 => "bzip2",
    }
}

/// A decoder for `compression` over `src` (which starts at the compressed stream's first
/// byte). `max_window` bounds the memory one zstd window or xz dictionary may take, in bytes;
/// a stream asking for more fails with an error naming the size. `Compression::None` passes
/// the bytes through.
pub fn decoder<'a, R: Read + 'a>(
    compression: Compression,
    src: R,
    max_window: u64,
) -> Box<dyn Read + 'a> {
    match compression {
        Compression::None => Box::new(src),
        // The source's type is erased before a decoder is built: the decoders are then compiled
        // once, not once per source type the callers have (eight in the page's worker: 150 KB
        // of its wasm). They read the source through their own 256 KiB buffer, so the one
        // dynamic call per refill costs nothing measurable.
        _ => erased_decoder(compression, Box::new(src), max_window),
    }
}

fn erased_decoder<'a>(
    compression: Compression,
    src: Box<dyn Read + 'a>,
    max_window: u64,
) -> Box<dyn Read + 'a> {
    match compression {
        Compression::None => src,
        Compression::Gzip => Box::new(GzMembers {
            state: GzState::Between(Peek::new(src)),
        }),
        Compression::Zstd => {
            let mut dec = ruzstd::decoding::FrameDecoder::new();
            dec.set_max_window_size(max_window);
            Box::new(ZstdFrames {
                src: Peek::new(src),
                dec,
                max_window,
                in_frame: false,
                done: false,
            })
        }
        Compression::Xz => Box::new(XzBlocks::new(src, max_window)),
        Compression::Bzip2 => Box::new(bzip2::bufread::MultiBzDecoder::new(
            io::BufReader::with_capacity(BUF, src),
        )),
    }
}

/// lzma-rust2's memory estimate for one LZMA2 block beyond its dictionary, in KiB
/// (`lzma2_reader::get_memory_usage`: 40 KiB of state and a 64 KiB buffer). Added to the
/// bound so that the bound applies to the dictionary itself, as it does to a zstd window.
const LZMA2_OVERHEAD_KIB: u64 = 40 + 64;

/// The largest xz block header (xz file format 1.0.4 §3.1.1: `(size byte + 1) * 4`).
const XZ_BLOCK_HEADER_MAX: usize = 1024;

/// An xz decoder that says a dictionary over the bound as a typed [`WindowTooBig`].
///
/// lzma-rust2 refuses such a block before allocating, but only with an `OutOfMemory` io error
/// that names no size. It has just read that block's header, which is the last bytes it
/// took from its input: [`Recent`] keeps those, and [`lzma2_dictionary`] reads the size from
/// them.
struct XzBlocks<'a> {
    inner: lzma_rust2::XzReader<Recent<io::BufReader<Box<dyn Read + 'a>>>>,
    max: u64,
}

impl<'a> XzBlocks<'a> {
    fn new(src: Box<dyn Read + 'a>, max_window: u64) -> Self {
        let kib = u32::try_from(max_window / 1024 + LZMA2_OVERHEAD_KIB).unwrap_or(u32::MAX);
        XzBlocks {
            inner: lzma_rust2::XzReader::new_mem_limit(
                Recent::new(io::BufReader::with_capacity(BUF, src)),
                true,
                kib,
            ),
            max: max_window,
        }
    }
}

impl Read for XzBlocks<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        self.inner.read(out).map_err(|e| {
            if e.kind() != io::ErrorKind::OutOfMemory {
                return e;
            }
            match lzma2_dictionary(self.inner.inner().tail()) {
                Some(requested) => io::Error::new(
                    io::ErrorKind::InvalidData,
                    WindowTooBig {
                        requested,
                        max: self.max,
                        compression: Compression::Xz,
                    },
                ),
                None => e,
            }
        })
    }
}

/// A reader that keeps the last [`XZ_BLOCK_HEADER_MAX`] bytes read through it (or more).
struct Recent<R> {
    inner: R,
    tail: Vec<u8>,
}

impl<R> Recent<R> {
    fn new(inner: R) -> Self {
        Recent {
            inner,
            tail: Vec::with_capacity(2 * XZ_BLOCK_HEADER_MAX),
        }
    }

    /// The bytes read most recently, oldest first: at least the last 1024, or all if fewer.
    fn tail(&self) -> &[u8] {
        &self.tail
    }
}

impl<R: Read> Read for Recent<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(out)?;
        let got = out.get(..n).unwrap_or(&[]);
        if got.len() >= XZ_BLOCK_HEADER_MAX {
            self.tail.clear();
            self.tail
                .extend_from_slice(got.get(got.len() - XZ_BLOCK_HEADER_MAX..).unwrap_or(got));
        } else {
            if self.tail.len() + got.len() > 2 * XZ_BLOCK_HEADER_MAX {
                let keep = XZ_BLOCK_HEADER_MAX - got.len();
                self.tail.drain(..self.tail.len() - keep);
            }
            self.tail.extend_from_slice(got);
        }
        Ok(n)
    }
}

/// The LZMA2 dictionary size, in bytes, of the xz block header that ends `tail` (xz file
/// format 1.0.4 §3.1): the header whose size byte, read back from the end, spans exactly to
/// the end and whose CRC32 holds. `None` when no such header ends `tail` or it has no LZMA2
/// filter.
fn lzma2_dictionary(tail: &[u8]) -> Option<u64> {
    // Headers are 8 to 1024 bytes, in steps of 4; try the shortest first.
    (8..=XZ_BLOCK_HEADER_MAX.min(tail.len()))
        .step_by(4)
        .filter_map(|len| tail.get(tail.len() - len..))
        .filter(|h| h.first().map(|&b| (usize::from(b) + 1) * 4) == Some(h.len()))
        .find_map(|h| {
            let (body, crc) = h.split_at(h.len() - 4);
            let mut sum = flate2::Crc::new();
            sum.update(body);
            (crc == sum.sum().to_le_bytes())
                .then(|| lzma2_filter(body))
                .flatten()
        })
}

/// The dictionary size of the LZMA2 filter in a block header's bytes before its CRC32
/// (§3.1.2–3.1.6), read only from a header lzma-rust2 itself accepts: no reserved flag bits,
/// LZMA2 (ID `0x21`, one property byte) as the last filter, and only zero bytes of padding
/// after the filters. `None` otherwise (so a forged match in the tail, which would need all of
/// that too, is not taken for the header).
fn lzma2_filter(header: &[u8]) -> Option<u64> {
    let flags = *header.get(1)?;
    if flags & 0x3C != 0 {
        return None;
    }
    let mut at = 2;
    // Compressed and uncompressed sizes, when present, are varints before the filters.
    for bit in [0x40u8, 0x80] {
        if flags & bit != 0 {
            at = skip_varint(header, at)?;
        }
    }
    let filters = usize::from(flags & 0x03) + 1;
    let mut property = None;
    for n in 0..filters {
        let (id, next) = varint(header, at)?;
        let (size, next) = varint(header, next)?;
        let props = header.get(next..next.checked_add(usize::try_from(size).ok()?)?)?;
        let last = n + 1 == filters;
        if (id == 0x21) != last {
            return None;
        }
        if last {
            // One byte: bits 0..=5 give the size (§5.3.1), the others must be clear.
            let [p] = props else { return None };
            property = Some(*p);
        }
        at = next + props.len();
    }
    if !header.get(at..)?.iter().all(|b| *b == 0) {
        return None;
    }
    match u64::from(property?) {
        bits @ 0..=39 => Some((2 | (bits & 1)) << (bits / 2 + 11)),
        40 => Some(u64::from(u32::MAX)),
        _ => None,
    }
}

/// A multibyte integer (§1.2) at `at`: its value and the offset after it.
fn varint(b: &[u8], at: usize) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for i in 0..9 {
        let byte = *b.get(at + i)?;
        value |= u64::from(byte & 0x7F) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((value, at + i + 1));
        }
    }
    None
}

fn skip_varint(b: &[u8], at: usize) -> Option<usize> {
    varint(b, at).map(|(_, next)| next)
}

/// A buffered reader that counts the bytes consumed and can look `n` bytes ahead.
struct Peek<R> {
    inner: R,
    buf: Vec<u8>,
    pos: usize,
    consumed: u64,
}

impl<R: Read> Peek<R> {
    fn new(inner: R) -> Self {
        Peek {
            inner,
            buf: Vec::with_capacity(BUF),
            pos: 0,
            consumed: 0,
        }
    }

    /// The next bytes, at least `n` of them unless the input ends first.
    fn peek(&mut self, n: usize) -> io::Result<&[u8]> {
        if self.buf.len().saturating_sub(self.pos) < n {
            self.buf.drain(..self.pos.min(self.buf.len()));
            self.pos = 0;
            while self.buf.len() < n {
                // Read straight into the buffer's tail; no second copy.
                let old = self.buf.len();
                self.buf.resize(old + BUF.max(n), 0);
                let got = match self.inner.read(self.buf.get_mut(old..).unwrap_or(&mut [])) {
                    Ok(k) => k,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                        self.buf.truncate(old);
                        continue;
                    }
                    Err(e) => {
                        self.buf.truncate(old);
                        return Err(e);
                    }
                };
                self.buf.truncate(old + got);
                if got == 0 {
                    break;
                }
            }
        }
        Ok(self.buf.get(self.pos..).unwrap_or(&[]))
    }
}

impl<R: Read> Read for Peek<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        if let (Some(dst), Some(src)) = (out.get_mut(..n), avail.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for Peek<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.peek(1)
    }
    fn consume(&mut self, amt: usize) {
        let amt = amt.min(self.buf.len().saturating_sub(self.pos));
        self.pos += amt;
        self.consumed = self.consumed.saturating_add(amt as u64);
    }
}

enum GzState<R> {
    /// Before a member (or at the end).
    Between(Peek<R>),
    /// Inside a member that started at this compressed offset.
    Member(Box<flate2::bufread::GzDecoder<Peek<R>>>, u64),
    Done,
}

/// gzip members one after another. Unlike `flate2`'s `MultiGzDecoder`, bytes after a member
/// that do not start another are reported as [`TrailingData`] rather than a header error, so a
/// caller can keep everything before them.
struct GzMembers<R> {
    state: GzState<R>,
}

impl<R: Read> Read for GzMembers<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            match std::mem::replace(&mut self.state, GzState::Done) {
                GzState::Done => return Ok(0),
                GzState::Member(mut dec, start) => match dec.read(out) {
                    Ok(0) => {
                        let src = dec.into_inner();
                        if src.consumed == start {
                            // A member always takes bytes; never loop on one that took none.
                            return Err(io::Error::new(
                                io::ErrorKind::UnexpectedEof,
                                "the gzip member ends in its header",
                            ));
                        }
                        self.state = GzState::Between(src);
                    }
                    Ok(n) => {
                        self.state = GzState::Member(dec, start);
                        return Ok(n);
                    }
                    Err(e) => {
                        self.state = GzState::Member(dec, start);
                        return Err(e);
                    }
                },
                GzState::Between(mut src) => {
                    let head = src.peek(2)?;
                    if head.is_empty() {
                        return Ok(0);
                    }
                    if head.get(..2) != Some([0x1f, 0x8b].as_slice()) {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            TrailingData {
                                offset: src.consumed,
                                compression: Compression::Gzip,
                            },
                        ));
                    }
                    let start = src.consumed;
                    self.state =
                        GzState::Member(Box::new(flate2::bufread::GzDecoder::new(src)), start);
                }
            }
        }
    }
}

/// zstd frames one after another, skippable frames skipped.
struct ZstdFrames<R> {
    src: Peek<R>,
    dec: ruzstd::decoding::FrameDecoder,
    /// The decoder's window bound (bytes), to name in [`WindowTooBig`].
    max_window: u64,
    in_frame: bool,
    done: bool,
}

fn zstd_err(e: impl std::error::Error + 'static) -> io::Error {
    // The stream ended inside a block or a frame header: ruzstd says so as its own error
    // wrapping the reader's `UnexpectedEof`, whose text is Rust's debug form. Said as what
    // it is, as the gzip reader's "incomplete deflate stream" is.
    let mut cause: Option<&dyn std::error::Error> = Some(&e);
    while let Some(c) = cause {
        if c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::UnexpectedEof)
        {
            return io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "truncated: it ends inside a frame",
            );
        }
        cause = c.source();
    }
    io::Error::new(io::ErrorKind::InvalidData, e.to_string())
}

impl<R: Read> Read for ZstdFrames<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        use ruzstd::decoding::BlockDecodingStrategy;
        if out.is_empty() {
            return Ok(0);
        }
        while !self.done {
            if self.in_frame {
                if self.dec.can_collect() > 0 {
                    let n = self.dec.read(out)?;
                    if n > 0 {
                        return Ok(n);
                    }
                }
                if self.dec.is_finished() {
                    if self.dec.can_collect() > 0 {
                        continue;
                    }
                    if let (Some(stored), Some(computed)) = (
                        self.dec.get_checksum_from_data(),
                        self.dec.get_calculated_checksum(),
                    ) {
                        if stored != computed {
                            return Err(io::Error::new(
                                io::ErrorKind::InvalidData,
                                format!(
                                    "frame content checksum mismatch: stored {stored:08x}, computed {computed:08x}"
                                ),
                            ));
                        }
                    }
                    self.in_frame = false;
                    continue;
                }
                self.dec
                    .decode_blocks(&mut self.src, BlockDecodingStrategy::UptoBlocks(1))
                    .map_err(zstd_err)?;
                continue;
            }
            let start = self.src.consumed;
            let head = self.src.peek(8)?;
            if head.is_empty() {
                self.done = true;
                break;
            }
            let magic = head
                .get(..4)
                .and_then(|b| b.try_into().ok())
                .map(u32::from_le_bytes);
            match magic {
                Some(ZSTD_MAGIC) => {
                    let max = self.max_window;
                    let too_big = |requested| {
                        io::Error::new(
                            io::ErrorKind::InvalidData,
                            WindowTooBig {
                                requested,
                                max,
                                compression: Compression::Zstd,
                            },
                        )
                    };
                    // A window over the bound is refused before any allocation (ruzstd
                    // reserves the whole window on reset): said as the bound it is. ruzstd
                    // says the largest window the format allows (descriptor 0xFF, 3.75 TiB)
                    // as a header error; it is over the bound all the same.
                    use ruzstd::decoding::errors::{FrameDecoderError as F, FrameHeaderError as H};
                    self.dec.reset(&mut self.src).map_err(|e| match e {
                        F::WindowSizeTooBig { requested, .. } => too_big(requested),
                        F::FrameHeaderError(H::WindowTooBig { got })
                        | F::FailedToInitialize(H::WindowTooBig { got }) => too_big(got),
                        e => zstd_err(e),
                    })?;
                    self.in_frame = true;
                }
                Some(m) if SKIPPABLE.contains(&m) => {
                    let len = head
                        .get(4..8)
                        .and_then(|b| b.try_into().ok())
                        .map(u32::from_le_bytes)
                        .ok_or_else(|| {
                            io::Error::new(
                                io::ErrorKind::UnexpectedEof,
                                "the blob ends inside a skippable frame's header",
                            )
                        })?;
                    self.src.consume(8);
                    let skipped =
                        io::copy(&mut (&mut self.src).take(u64::from(len)), &mut io::sink())?;
                    if skipped < u64::from(len) {
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            format!(
                                "the blob ends inside a skippable frame: {skipped} of {len} bytes"
                            ),
                        ));
                    }
                }
                _ => {
                    self.done = true;
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        TrailingData {
                            offset: start,
                            compression: Compression::Zstd,
                        },
                    ));
                }
            }
        }
        Ok(0)
    }
}

/// Ends a decoded stream at trailing data instead of failing: what `docker load` does, since
/// Go's `archive/tar` stops at the end-of-archive marker and moby's layer store drains the
/// rest ignoring errors (`io.Copy(io.Discard, rdr) // ignore error`). The offset is kept in
/// `trailing` so the caller can report it.
pub struct EndAtTrailing<R> {
    inner: R,
    /// Compressed-input offset of the trailing data, once met.
    pub trailing: Option<u64>,
    /// The window or dictionary over the bound that stopped the decoder, once met (the
    /// error itself still reaches the reader).
    pub window: Option<WindowTooBig>,
}

impl<R: Read> EndAtTrailing<R> {
    /// Wraps the decoder `inner`; `trailing` is `None` until trailing data is met.
    pub fn new(inner: R) -> Self {
        EndAtTrailing {
            inner,
            trailing: None,
            window: None,
        }
    }
}

impl<R: Read> Read for EndAtTrailing<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.trailing.is_some() {
            return Ok(0);
        }
        if let Some(w) = self.window {
            // Stopped at the bound: the decoder has taken the refused frame's header, so what
            // it would read next is not the stream's next frame (not trailing data either).
            return Err(io::Error::new(io::ErrorKind::InvalidData, w));
        }
        match self.inner.read(out) {
            Err(e) => match trailing_offset(&e) {
                Some(off) => {
                    self.trailing = Some(off);
                    Ok(0)
                }
                None => {
                    if self.window.is_none() {
                        self.window = window_too_big(&e);
                    }
                    Err(e)
                }
            },
            ok => ok,
        }
    }
}

#[cfg(test)]
mod xz_header_tests {
    use super::*;

    /// A block header made so that its last 44 bytes also look like a header with a good
    /// CRC32 (an outside review's forgery): two filters (x86 BCJ, LZMA2 of a 4 GiB - 1
    /// dictionary), sizes present. Only the whole header is taken, for its real dictionary.
    #[test]
    fn a_forged_header_in_the_tail_is_not_taken() {
        let stream_and_header = hex::decode(
            "fd377a585a0000016922de360dc18c96e25b8080800104040a40052121012800000000000000000000000000000000000000000000000000000000000000000006311fbd",
        )
        .unwrap_or_default();
        assert_eq!(
            lzma2_dictionary(&stream_and_header),
            Some(u64::from(u32::MAX))
        );
    }

    /// `body`: a header's bytes before its CRC32, the size byte first.
    fn with_crc(body: &[u8]) -> Vec<u8> {
        let mut crc = flate2::Crc::new();
        crc.update(body);
        [body, &crc.sum().to_le_bytes()].concat()
    }

    #[test]
    fn only_headers_lzma_rust2_accepts_are_read() {
        // One LZMA2 filter, property 34 (512 MiB), padding to 12 bytes before the CRC.
        let good = [0x03, 0x00, 0x21, 0x01, 34, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(lzma2_dictionary(&with_crc(&good)), Some(1 << 29));
        let mut reserved = good;
        reserved[1] = 0x04;
        let mut two_props = good;
        two_props[3] = 0x02;
        let mut padding = good;
        padding[11] = 1;
        // x86 BCJ after LZMA2: LZMA2 must be the last filter.
        let not_last = [0x03, 0x01, 0x21, 0x01, 34, 0x04, 0x00, 0, 0, 0, 0, 0];
        let mut high_bits = good;
        high_bits[4] = 0x40 | 34;
        for bad in [reserved, two_props, padding, not_last, high_bits] {
            assert_eq!(lzma2_dictionary(&with_crc(&bad)), None, "{bad:?}");
        }
        // A wrong CRC is not a header.
        let mut h = with_crc(&good);
        if let Some(b) = h.last_mut() {
            *b ^= 1;
        }
        assert_eq!(lzma2_dictionary(&h), None);
    }
}
