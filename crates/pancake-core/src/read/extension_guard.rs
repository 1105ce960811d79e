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
//!
//! The crate and Go's `archive/tar` (what `docker load` reads with) do not read every header
//! alike, and a tar can be made so that each lists other members: a PAX record given twice
//! (the crate takes the first, Go the last), an extension header the crate does not take for
//! one (no `ustar` magic and version), a ustar prefix Go joins and the crate does not. Past
//! such a header this reader would show members `docker load` never sees, or lose track of
//! where the crate's next header is (so an oversized record could pass unchecked). So the
//! guard also stops there, saying which header and why ([`Ambiguous`]): what came before
//! stays shown, nothing after it is guessed.

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

/// Why Go's `archive/tar` and the `tar` crate would read a header differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Divergence {
    /// A PAX (`x`) or GNU long name or link (`L`, `K`) header without the magic and version
    /// the crate requires (`ustar\0` `00`, or GNU's `ustar ` ` \0`): the crate lists it as a
    /// member of its own, Go applies it to the member after it.
    ExtensionNotRecognized {
        /// The header's type flag.
        typeflag: u8,
    },
    /// A PAX header the two read otherwise ([`PaxWhy`]).
    PaxRecord {
        /// What in it.
        why: PaxWhy,
    },
    /// A GNU long name or link that Go reads otherwise: a NUL before its last byte (Go's
    /// name ends at the first NUL, the crate's goes on), or empty (Go keeps the header's own
    /// name, the crate names the member "").
    LongName {
        /// `L` or `K`.
        typeflag: u8,
    },
    /// A name prefix one joins to the name and the other does not, or not the same length of
    /// it: a ustar magic with a version other than `00` (Go joins it, the crate does not), a
    /// star header's (Go takes 131 bytes, the crate 155), a GNU header whose access or change
    /// time Go cannot read (it then takes those bytes for a prefix, as old Go wrote them).
    PrefixIgnored,
    /// A size field the two read as different numbers (the crate takes a `+`, surrounding
    /// tabs, or only the last 8 bytes of a base-256 number; Go does not), so each finds the
    /// next header elsewhere.
    SizeField,
}

/// What of a PAX header the crate and Go read otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaxWhy {
    /// A key given twice with different values: the crate takes the first, Go the last.
    Twice,
    /// A value holding a newline: the crate splits records at newlines (so it reads the rest
    /// otherwise, or not at all), Go by their length.
    Newline,
    /// An empty `path` or `linkpath`: Go keeps the header's own, the crate names it "".
    EmptyName,
    /// `size` read as different numbers.
    Size,
}

/// A header past which the two readers list different members (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ambiguous {
    /// Byte offset of the header in the (uncompressed) tar stream; for a PAX record, of the
    /// `x` header that holds it.
    pub header_at: u64,
    /// What the two read differently.
    pub why: Divergence,
}

impl Ambiguous {
    /// Plain words for what differs.
    pub fn what(&self) -> String {
        match self.why {
            Divergence::ExtensionNotRecognized { typeflag } => format!(
                "a {} header without the ustar or GNU magic and version: Go's archive/tar applies it to the next member, other readers list it as a member",
                match typeflag {
                    b'x' => "PAX",
                    b'L' => "GNU long-name",
                    _ => "GNU long-link",
                }
            ),
            Divergence::PaxRecord { why } => match why {
                PaxWhy::Twice => "a PAX header giving a record twice with different values: Go's archive/tar takes the last, other readers the first",
                PaxWhy::Newline => "a PAX header with a record value holding a newline: Go's archive/tar reads records by their length, other readers split them at newlines",
                PaxWhy::EmptyName => "a PAX header with an empty path or linkpath: Go's archive/tar keeps the header's own name, other readers name the member \"\"",
                PaxWhy::Size => "a PAX header whose size other readers read as another number",
            }
            .to_string(),
            Divergence::LongName { typeflag } => format!(
                "a GNU long-{} record that is empty or has a NUL before its end: Go's archive/tar ends the name at the NUL and ignores an empty one, other readers do not",
                if typeflag == b'L' { "name" } else { "link" }
            ),
            Divergence::PrefixIgnored => "a header with a name prefix Go's archive/tar joins to the name and other readers do not, or not the same part of it (a ustar version other than 00, a star header, a GNU header whose times Go cannot read)".to_string(),
            Divergence::SizeField => "a header whose size field Go's archive/tar and other readers read as different numbers (a sign, a tab, a long base-256 number), so each finds the next header elsewhere".to_string(),
        }
    }
}

/// Whether the `tar` crate takes a header with these magic and version bytes for a ustar or
/// GNU one (`Header::as_ustar`, `as_gnu`), the only headers whose `x`, `L` and `K` types it
/// applies to the next member.
fn crate_recognizes(b: &[u8]) -> bool {
    matches!(
        (b.get(257..263), b.get(263..265)),
        (Some(b"ustar\0"), Some(b"00")) | (Some(b"ustar "), Some(b" \0"))
    )
}

/// The value the `tar` crate takes for PAX `key` (`tar::pax::PaxExtensions`: records split
/// at newlines, each `LEN key=value` with LEN the line's length plus one): the first
/// well-formed record with the key. `strict`: a malformed record before it gives nothing
/// (how the crate reads `size`); otherwise malformed records are passed over (`path`).
fn crate_pax_value<'a>(data: &'a [u8], key: &[u8], strict: bool) -> Option<&'a [u8]> {
    for line in data.split(|c| *c == b'\n') {
        if line.is_empty() {
            return None;
        }
        let record = line.iter().position(|c| *c == b' ').and_then(|sp| {
            let len = std::str::from_utf8(line.get(..sp)?)
                .ok()?
                .parse::<usize>()
                .ok()?;
            let kv = line.get(sp + 1..).filter(|_| line.len() + 1 == len)?;
            let eq = kv.iter().position(|c| *c == b'=')?;
            Some((kv.get(..eq)?, kv.get(eq + 1..)?))
        });
        match record {
            Some((k, v)) if k == key => return Some(v),
            Some(_) => {}
            None if strict => return None,
            None => {}
        }
    }
    None
}

/// The records of PAX data `data` as the `tar` crate splits them (at newlines), each
/// `(key, value)` when well formed, `None` when not.
fn crate_records(data: &[u8]) -> impl Iterator<Item = Option<(&[u8], &[u8])>> {
    data.split(|c| *c == b'\n')
        .take_while(|line| !line.is_empty())
        .map(|line| {
            let sp = line.iter().position(|c| *c == b' ')?;
            let len = std::str::from_utf8(line.get(..sp)?)
                .ok()?
                .parse::<usize>()
                .ok()?;
            let kv = line.get(sp + 1..).filter(|_| line.len() + 1 == len)?;
            let eq = kv.iter().position(|c| *c == b'=')?;
            Some((kv.get(..eq)?, kv.get(eq + 1..)?))
        })
}

/// Whether the crate and Go read PAX data `data` alike: `Err` says how they part. Records Go
/// refuses (`tarfmt::parse_pax` fails: `docker load` fails there) are left to the crate.
fn pax_divergence(data: &[u8]) -> Result<(), PaxWhy> {
    let Ok(go) = tarfmt::parse_pax(data) else {
        return Ok(());
    };
    // With no newline inside a value, the crate's lines are Go's records.
    if go.values().any(|v| v.contains(&b'\n')) {
        return Err(PaxWhy::Newline);
    }
    let mut seen: std::collections::HashMap<&[u8], &[u8]> = std::collections::HashMap::new();
    for (k, v) in crate_records(data).flatten() {
        // Sparse format 0.0 repeats these two by design; Go folds them into one map.
        if k == b"GNU.sparse.offset" || k == b"GNU.sparse.numbytes" {
            continue;
        }
        if seen.insert(k, v).is_some_and(|first| first != v) {
            return Err(PaxWhy::Twice);
        }
    }
    for key in [tarfmt::PAX_PATH, tarfmt::PAX_LINKPATH] {
        if crate_pax_value(data, key, false) == Some(&b""[..]) {
            return Err(PaxWhy::EmptyName);
        }
    }
    let go_size = go.get(tarfmt::PAX_SIZE).map(|v| tarfmt::parse_dec(v));
    let crate_size = crate_pax_value(data, tarfmt::PAX_SIZE, true).map(|v| {
        std::str::from_utf8(v)
            .ok()
            .and_then(|t| t.parse::<u64>().ok())
    });
    let same_size = match (go_size, crate_size) {
        (None, None) => true,
        // Go refuses a size that is not a number; the crate then keeps the header's.
        (Some(None), _) => true,
        (Some(Some(g)), Some(Some(c))) => u64::try_from(g).ok() == Some(c),
        _ => false,
    };
    if !same_size {
        return Err(PaxWhy::Size);
    }
    Ok(())
}

/// The size field `f` as the `tar` crate reads it (`header::num_field_wrapper_from`): a
/// base-256 number's last 8 bytes, or octal up to the first NUL with surrounding white space
/// trimmed and a `+` taken. `None` where the crate fails (and so stops, saying so).
fn crate_size(f: &[u8]) -> Option<u64> {
    let first = *f.first()?;
    if first & 0x80 != 0 {
        let tail = f.get(f.len().checked_sub(8)?..)?;
        Some(tail.iter().fold(0u64, |x, b| (x << 8) | u64::from(*b)))
    } else {
        let end = f.iter().position(|c| *c == 0).unwrap_or(f.len());
        let text = std::str::from_utf8(f.get(..end)?).ok()?;
        u64::from_str_radix(text.trim(), 8).ok()
    }
}

/// Whether Go joins a name prefix the crate does not, or a different part of one, for
/// header `b` (Go's `readHeader`; see [`Divergence::PrefixIgnored`]).
fn prefix_differs(b: &[u8]) -> bool {
    let magic = b.get(257..263);
    let version = b.get(263..265);
    let prefix = b.get(345..500).unwrap_or(&[]);
    let named = prefix.first().is_some_and(|c| *c != 0);
    if magic == Some(b"ustar\0") {
        if version != Some(b"00") {
            return named;
        }
        // Star: Go takes 131 bytes of prefix; the crate up to the first NUL of 155.
        let star = b.get(508..512) == Some(b"tar\0");
        let go_ends = prefix.get(..131).is_some_and(|p| p.contains(&0));
        return star && !go_ends && prefix.get(131).is_some_and(|c| *c != 0);
    }
    if magic == Some(b"ustar ") && version == Some(b" \0") {
        // GNU: Go reads access and change times there; one it cannot read makes it take the
        // bytes for a prefix (as Go before 1.8 wrote them), if they are ASCII.
        let unreadable = |r: std::ops::Range<usize>| {
            b.get(r).is_some_and(|t| {
                t.first().is_some_and(|c| *c != 0) && tarfmt::parse_numeric(t).is_none()
            })
        };
        let text = prefix.split(|c| *c == 0).next().unwrap_or(&[]);
        return (unreadable(345..357) || unreadable(357..369))
            && !text.is_empty()
            && text.is_ascii();
    }
    false
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
    /// Collecting a PAX `x` (or GNU `L`/`K`) record's data: (offset of its first byte,
    /// length, bytes so far, its header's offset and type flag).
    pax: Option<(u64, u64, Vec<u8>, u64, u8)>,
    /// The size a PAX `x` record gave the next member.
    pax_size: Option<u64>,
    /// The block at `next` is an old-GNU sparse extension block; `pending` data follows them.
    sparse_ext: bool,
    pending: u64,
    /// The record that stopped the walk, if one did.
    pub oversized: Option<Oversized>,
    /// The header past which the crate and Go would read different members, if one stopped
    /// the walk.
    pub ambiguous: Option<Ambiguous>,
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
            ambiguous: None,
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
            if let Some((at, len, buf, header_at, typeflag)) = self.pax.as_mut() {
                let stop = at.saturating_add(*len);
                let from = (*at).saturating_add(buf.len() as u64).max(start);
                if from < stop && from < end {
                    buf.extend_from_slice(slice(from, stop.min(end)));
                }
                if buf.len() as u64 >= *len {
                    let (header_at, typeflag) = (*header_at, *typeflag);
                    let data = std::mem::take(buf);
                    self.pax = None;
                    self.record(&data, header_at, typeflag)?;
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

    /// The whole data of the extension record whose header is at `header_at`: a PAX `x`
    /// record's size for the next member, or the place where the crate and Go part.
    fn record(&mut self, data: &[u8], header_at: u64, typeflag: u8) -> io::Result<()> {
        if typeflag == b'x' {
            if let Err(why) = pax_divergence(data) {
                return self.ambiguous(header_at, Divergence::PaxRecord { why });
            }
            // The crate's size (Go's too, the two agreeing); a malformed record is the
            // crate's to report.
            self.pax_size = crate_pax_value(data, tarfmt::PAX_SIZE, true)
                .and_then(|v| std::str::from_utf8(v).ok()?.parse::<u64>().ok());
        } else {
            // The crate drops one NUL at the end; Go stops at the first, and ignores a name
            // that is then empty.
            let go_ends = data.iter().position(|c| *c == 0);
            if go_ends.is_some_and(|nul| nul + 1 < data.len()) || go_ends.unwrap_or(data.len()) == 0
            {
                return self.ambiguous(header_at, Divergence::LongName { typeflag });
            }
        }
        Ok(())
    }

    fn ambiguous(&mut self, header_at: u64, why: Divergence) -> io::Result<()> {
        let a = Ambiguous { header_at, why };
        self.ambiguous = Some(a);
        Err(io::Error::other(format!(
            "{} (at byte offset {header_at}); not read further",
            a.what()
        )))
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
        if matches!(typeflag, b'L' | b'K' | b'x') && !crate_recognizes(b) {
            return self.ambiguous(self.next, Divergence::ExtensionNotRecognized { typeflag });
        }
        if prefix_differs(b) {
            return self.ambiguous(self.next, Divergence::PrefixIgnored);
        }
        // Where the next header is depends on the size: both must read the same one.
        if let Some(field) = b.get(124..136) {
            if let Some(c) = crate_size(field) {
                if tarfmt::parse_numeric(field).and_then(|g| u64::try_from(g).ok()) != Some(c) {
                    return self.ambiguous(self.next, Divergence::SizeField);
                }
            }
        }
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
                if typeflag == b'g' {
                    // The crate applies a pending `x` record to the `g` entry and Go drops it:
                    // for neither does it reach the member after.
                    self.pax_size = None;
                } else {
                    self.pax = Some((header_end, size, Vec::new(), self.next, typeflag));
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
        if self.ambiguous.is_some() {
            return Err(io::Error::other(
                "stopped at a header other tar readers read differently",
            ));
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
        h[257..265].copy_from_slice(b"ustar\x0000");
        h
    }

    /// `data` padded to a whole block, as a record's data is.
    fn block(data: &[u8]) -> Vec<u8> {
        let mut v = data.to_vec();
        v.resize(data.len().div_ceil(512) * 512, 0);
        v
    }

    fn pax_header(records: &[(&str, &str)]) -> Vec<u8> {
        let mut data = Vec::new();
        for (k, v) in records {
            let body = format!(" {k}={v}\n");
            let mut n = body.len() + 1;
            while format!("{n}").len() + body.len() != n {
                n += 1;
            }
            data.extend_from_slice(format!("{n}{body}").as_bytes());
        }
        let mut tar = header("PaxHeaders/x", b'x', data.len() as u64);
        tar.extend(block(&data));
        tar
    }

    fn stopped_by<R: Read>(g: &mut ExtensionGuard<R>, chunk: usize) -> Option<Ambiguous> {
        let _ = read_all(&mut *g, chunk);
        g.ambiguous
    }

    /// Headers the `tar` crate and Go's `archive/tar` read differently stop the guard there,
    /// whatever the chunks; the same members written plainly pass.
    #[test]
    fn headers_the_two_readers_part_on_stop_the_walk() {
        let member = |name: &str| {
            let mut m = header(name, b'0', 4);
            m.extend(b"data");
            m.resize(1024, 0);
            m
        };
        let mut plain = pax_header(&[("path", "manifest.json"), ("size", "4")]);
        plain.extend(member("m"));
        plain.extend(vec![0u8; 1024]);
        for chunk in [1, 100, 4096] {
            let mut g = ExtensionGuard::new(&plain[..], 1 << 20);
            assert_eq!(read_all(&mut g, chunk).ok(), Some(plain.len()));
            assert_eq!(g.ambiguous, None);
        }
        // `size` twice (the crate takes 0, Go 1536), `path` twice, and a path holding a
        // newline that the crate reads as a record of its own.
        let twice: [(&[(&str, &str)], PaxWhy); 5] = [
            (&[("size", "0"), ("size", "1536")], PaxWhy::Twice),
            (
                &[("path", "a.json"), ("path", "manifest.json")],
                PaxWhy::Twice,
            ),
            (&[("path", "x\n17 path=evil\n")], PaxWhy::Newline),
            (
                &[("comment", "x\n"), ("GNU.sparse.name", "manifest.json")],
                PaxWhy::Newline,
            ),
            (&[("path", "")], PaxWhy::EmptyName),
        ];
        for (records, why) in twice {
            let mut tar = member("before");
            tar.extend(pax_header(records));
            tar.extend(member("m"));
            for chunk in [1, 333, 4096] {
                let mut g = ExtensionGuard::new(&tar[..], 1 << 20);
                let a = stopped_by(&mut g, chunk).expect("stopped");
                assert_eq!((a.header_at, a.why), (1024, Divergence::PaxRecord { why }));
            }
        }
        // A GNU long name in a header without magic (a V7 header), and one whose name goes on
        // after a NUL.
        let mut v7 = member("before");
        let mut long = header("././@LongLink", b'L', 14);
        long[257..265].fill(0);
        v7.extend(long);
        v7.extend(block(b"manifest.json\0"));
        v7.extend(member("m"));
        let mut g = ExtensionGuard::new(&v7[..], 1 << 20);
        let a = stopped_by(&mut g, 512).expect("stopped");
        assert_eq!(
            (a.header_at, a.why),
            (1024, Divergence::ExtensionNotRecognized { typeflag: b'L' })
        );
        let mut nul = member("before");
        nul.extend(header("././@LongLink", b'L', 20));
        nul.extend(block(b"manifest.json\0.evil\0"));
        nul.extend(member("m"));
        let mut g = ExtensionGuard::new(&nul[..], 1 << 20);
        let a = stopped_by(&mut g, 7).expect("stopped");
        assert_eq!(
            (a.header_at, a.why),
            (1024, Divergence::LongName { typeflag: b'L' })
        );
        // A long name ending in one NUL, as GNU tar writes it, passes.
        let mut gnu = header("././@LongLink", b'L', 14);
        gnu.extend(block(b"manifest.json\0"));
        gnu.extend(member("m"));
        let mut g = ExtensionGuard::new(&gnu[..], 1 << 20);
        assert_eq!(read_all(&mut g, 64).ok(), Some(gnu.len()));
        // A ustar prefix under a version other than 00.
        let mut pre = member("before");
        let mut h = header("manifest.json", b'0', 0);
        h[263..265].copy_from_slice(b"  ");
        h[345..351].copy_from_slice(b"hidden");
        pre.extend(h);
        let mut g = ExtensionGuard::new(&pre[..], 1 << 20);
        let a = stopped_by(&mut g, 100).expect("stopped");
        assert_eq!((a.header_at, a.why), (1024, Divergence::PrefixIgnored));
    }

    /// A second reviewer's: an `x` record's size left pending over a `g` header (the crate
    /// gives it to the `g` entry, Go drops it) carried the guard past a long name; a size
    /// field the two read as different numbers did the same; a star header's long prefix and
    /// a GNU header whose times Go cannot read name members differently.
    #[test]
    fn the_second_review_s_headers_stop_the_walk_or_are_tracked() {
        // x(size=2048), g, f (size 0), then an oversized L: refused as oversized, where it is.
        let mut tar = pax_header(&[("size", "2048")]);
        tar.extend(header("g", b'g', 0));
        tar.extend(header("f", b'0', 0));
        tar.extend(header("././@LongLink", b'L', 3 << 20));
        tar.extend(vec![b'a'; 4096]);
        let mut g = ExtensionGuard::new(&tar[..], 1 << 20);
        assert!(read_all(&mut g, 512).is_err());
        assert_eq!(
            g.oversized.map(|o| (o.typeflag, o.header_at)),
            Some((b'L', 2048))
        );
        // Size fields: a sign, a tab, a base-256 number longer than 8 bytes.
        for field in [
            &b"+0000004000\0"[..],
            b"\t0000004000\0",
            b"\x80\0\0\x01\0\0\0\0\0\0\x08\0",
        ] {
            let mut h = header("f", b'0', 0);
            h[124..136].copy_from_slice(field);
            let mut g = ExtensionGuard::new(&h[..], 1 << 20);
            assert_eq!(
                stopped_by(&mut g, 512).map(|a| a.why),
                Some(Divergence::SizeField),
                "{field:?}"
            );
        }
        // Star: 131 bytes of prefix for Go, more for the crate.
        let mut star = header("manifest.json", b'0', 0);
        star[345..476].fill(b'.');
        star[476..500].fill(b'0');
        star[508..512].copy_from_slice(b"tar\0");
        let mut g = ExtensionGuard::new(&star[..], 1 << 20);
        assert_eq!(
            stopped_by(&mut g, 512).map(|a| a.why),
            Some(Divergence::PrefixIgnored)
        );
        // GNU with "hidden" where Go reads an access time: Go takes it for a prefix.
        let mut gnu = header("manifest.json", b'0', 0);
        gnu[257..265].copy_from_slice(b"ustar  \0");
        gnu[345..351].copy_from_slice(b"hidden");
        let mut g = ExtensionGuard::new(&gnu[..], 1 << 20);
        assert_eq!(
            stopped_by(&mut g, 512).map(|a| a.why),
            Some(Divergence::PrefixIgnored)
        );
        // An empty long name: Go keeps the header's name.
        let mut empty = header("././@LongLink", b'L', 1);
        empty.extend(vec![0u8; 512]);
        empty.extend(header("manifest.json", b'0', 0));
        let mut g = ExtensionGuard::new(&empty[..], 1 << 20);
        assert_eq!(
            stopped_by(&mut g, 512).map(|a| a.why),
            Some(Divergence::LongName { typeflag: b'L' })
        );
    }

    /// The memory bomb a reviewer built: `size` given twice makes the guard and the crate
    /// part, the crate then reads a GNU long name the guard took for data. Stopped at the PAX
    /// header, before the long name's header is even read.
    #[test]
    fn a_long_name_behind_a_size_given_twice_is_never_reached() {
        let mut tar = pax_header(&[("size", "0"), ("size", "3146240")]);
        tar.extend(header("f", b'0', 0));
        tar.extend(header("././@LongLink", b'L', 3 << 20));
        tar.extend(vec![b'a'; 8192]);
        let mut g = ExtensionGuard::new(&tar[..], 1 << 20);
        assert!(read_all(&mut g, 512).is_err());
        assert_eq!(g.oversized, None);
        assert_eq!(
            g.ambiguous.map(|a| a.why),
            Some(Divergence::PaxRecord { why: PaxWhy::Twice })
        );
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
