//! The one member processor: every regular member of the outer tarball goes through
//! [`process`], whether it streams by in [`crate::archive::read_stream`] or is re-read
//! from a `ReadAt` by [`crate::archive::hash_member`]. One pass: the stored bytes are hashed,
//! compression is sniffed, small JSON is kept, and a (decompressed) tar is walked while the
//! decompressed stream is hashed for its diff_id.

use std::io::{self, BufReader, Cursor, Read};

use crate::digest::Hasher;
use crate::layer;
use crate::limits::Limits;
use crate::model::{Compression, LayerIndex, MemberFacts, Problem, ProblemKind};
use crate::sniff;

/// Prefix of `LayerIndex::error` when a configured limit stopped reading (→ `ProblemKind::Limit`).
pub const LIMIT_PREFIX: &str = "limit: ";

/// Size of the reads the hashing path asks for; big enough to keep sha256 busy.
pub const CHUNK: usize = 1 << 20;

/// Reading options.
#[derive(Clone, Debug)]
pub struct Options {
    /// Every bound on work and memory (decompressed bytes, JSON size, extension records ...).
    pub limits: Limits,
    /// Threads for hashing independent blobs in [`crate::archive::open`] (1 on wasm32).
    pub threads: usize,
}

impl Default for Options {
    fn default() -> Self {
        #[cfg(not(target_arch = "wasm32"))]
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        #[cfg(target_arch = "wasm32")]
        let threads = 1;
        Options {
            limits: Limits::default(),
            threads,
        }
    }
}

/// The result of processing one member: its facts, and — separately — whether the *outer*
/// stream failed while reading it (truncated, read error), which ends the outer walk.
pub struct Processed {
    pub facts: MemberFacts,
    pub outer_error: Option<String>,
}

/// Hashes and counts what is read through it; remembers the first read error; reports progress.
struct Tap<'p, R> {
    inner: R,
    hasher: Hasher,
    error: Option<String>,
    last_report: u64,
    progress: &'p mut dyn FnMut(u64),
}

impl<R: Read> Read for Tap<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => {
                if let Some(b) = buf.get(..n) {
                    self.hasher.update(b);
                }
                let done = self.hasher.len();
                if done - self.last_report >= CHUNK as u64 {
                    self.last_report = done;
                    (self.progress)(done);
                }
                Ok(n)
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            Err(e) => {
                if self.error.is_none() {
                    self.error = Some(e.to_string());
                }
                Err(e)
            }
        }
    }
}

/// Hashes a decompressed stream and refuses to yield more than `left` bytes.
struct Decoded<R> {
    inner: R,
    hasher: Hasher,
    left: u64,
    limit: u64,
    limit_hit: bool,
}

impl<R: Read> Read for Decoded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            // One byte more than allowed means the stream is over the limit.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => {
                    self.limit_hit = true;
                    Err(io::Error::other(format!(
                        "decompressed size exceeds the limit of {} bytes",
                        self.limit
                    )))
                }
            };
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let Some(dst) = buf.get_mut(..want) else {
            return Ok(0);
        };
        let n = self.inner.read(dst)?;
        if let Some(b) = dst.get(..n) {
            self.hasher.update(b);
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// Reads up to `n` bytes (fewer only at the end of the stream).
fn read_head<R: Read>(r: &mut R, n: usize) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(n);
    r.by_ref().take(n as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// Reads everything left, in large chunks, discarding it.
fn drain<R: Read>(r: &mut R) -> io::Result<u64> {
    let mut buf = vec![0u8; CHUNK];
    let mut total = 0u64;
    loop {
        match r.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => total += n as u64,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Processes the bytes of one member named `name`, which the tar header says are `size` bytes
/// long and start at `outer_offset` in an uncompressed outer file (when known).
pub fn process<R: Read>(
    reader: R,
    name: &str,
    size: u64,
    outer_offset: Option<u64>,
    opts: &Options,
    progress: &mut dyn FnMut(u64),
) -> Processed {
    // A blob an OCI layout names by its sha512 is checked with sha512 (image-spec registers
    // both); everything else needs only sha256, so the second hash is not paid for.
    let hasher = if name.trim_start_matches("./").starts_with("blobs/sha512/") {
        Hasher::with_sha512()
    } else {
        Hasher::new()
    };
    let mut tap = Tap {
        inner: reader,
        hasher,
        error: None,
        last_report: 0,
        progress,
    };
    let mut facts = MemberFacts::default();
    if let Ok(head) = read_head(&mut tap, sniff::TAR_BLOCK) {
        facts.compression = sniff::compression(&head);
        match facts.compression {
            Compression::None if sniff::is_tar(&head) => {
                let mut src = Cursor::new(head).chain(&mut tap);
                let walk = layer::walk(&mut src, name, outer_offset);
                let _ = drain(&mut src);
                facts.problems.extend(walk.problems);
                facts.layer = Some(LayerIndex {
                    diff_id: None,
                    uncompressed_size: 0,
                    entries: walk.entries,
                    error: walk.error,
                });
            }
            Compression::None => {
                if size <= opts.limits.max_json_bytes && sniff::looks_like_json(&head) {
                    let mut text = head;
                    if tap
                        .by_ref()
                        .take(opts.limits.max_json_bytes)
                        .read_to_end(&mut text)
                        .is_ok()
                    {
                        facts.json = String::from_utf8(text).ok();
                    }
                }
            }
            Compression::Gzip | Compression::Zstd => {
                let src = Cursor::new(head).chain(&mut tap);
                decompressed(src, facts.compression, name, opts, &mut facts);
            }
        }
    }
    // Whatever happened above, read the member to its end so its digest is complete and the
    // outer stream stays in step.
    let _ = drain(&mut tap);
    let stored = tap.hasher.len();
    let outer_error = match tap.error.take() {
        Some(e) => Some(format!(
            "{name}: read failed after {stored} of {size} bytes: {e}"
        )),
        None if stored < size => Some(format!(
            "{name}: member truncated: have {stored} of {size} bytes"
        )),
        None => None,
    };
    if outer_error.is_none() {
        let (digest, sha512) = tap.hasher.finish_all();
        facts.sha512 = sha512;
        if let Some(layer) = facts.layer.as_mut() {
            if facts.compression == Compression::None {
                layer.uncompressed_size = stored;
                if layer.error.is_none() {
                    layer.diff_id = Some(digest.clone());
                }
            }
        }
        facts.sha256 = Some(digest);
    } else {
        facts.error = outer_error.clone();
        if let Some(layer) = facts.layer.as_mut() {
            layer.diff_id = None;
            if layer.error.is_none() {
                layer.error = outer_error.clone();
            }
        }
    }
    if let Some(layer) = &facts.layer {
        if let Some(err) = &layer.error {
            if facts.error.is_none() {
                facts.error = Some(err.clone());
            }
            let kind = if err.starts_with(LIMIT_PREFIX) {
                ProblemKind::Limit
            } else {
                ProblemKind::LayerUnreadable
            };
            facts.problems.push(Problem {
                kind,
                member: Some(name.to_string()),
                message: format!("layer {name}: {err}"),
            });
        }
    }
    Processed { facts, outer_error }
}

/// Decompresses, sniffs the result, walks it if it is a tar, hashes it to the end.
fn decompressed<R: Read>(
    src: R,
    compression: Compression,
    name: &str,
    opts: &Options,
    facts: &mut MemberFacts,
) {
    let inner: Box<dyn Read + '_> = match compression {
        Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(
            BufReader::with_capacity(256 * 1024, src),
        )),
        Compression::Zstd => match ruzstd::decoding::StreamingDecoder::new(src) {
            Ok(d) => Box::new(d),
            Err(e) => {
                facts.layer = Some(LayerIndex {
                    error: Some(format!("zstd: {e}")),
                    ..LayerIndex::default()
                });
                return;
            }
        },
        Compression::None => Box::new(src),
    };
    let max = opts.limits.max_decompressed_bytes;
    let mut dec = Decoded {
        inner,
        hasher: Hasher::new(),
        left: max,
        limit: max,
        limit_hit: false,
    };
    let what = if compression == Compression::Zstd {
        "zstd"
    } else {
        "gzip"
    };
    let head = match read_head(&mut dec, sniff::TAR_BLOCK) {
        Ok(h) => h,
        Err(e) => {
            facts.layer = Some(LayerIndex {
                error: Some(describe(&dec, what, &e)),
                ..LayerIndex::default()
            });
            return;
        }
    };
    if !sniff::is_tar(&head) {
        // Compressed but not a tar: not a layer; nothing more to learn.
        return;
    }
    let mut src = Cursor::new(head).chain(&mut dec);
    let walk = layer::walk(&mut src, name, None);
    let drained = drain(&mut src);
    facts.problems.extend(walk.problems);
    let mut error = walk.error;
    if let Err(e) = drained {
        error = Some(describe(&dec, what, &e));
    } else if dec.limit_hit {
        error = Some(format!(
            "{LIMIT_PREFIX}decompressed size exceeds the limit of {max} bytes"
        ));
    }
    if let Some(e) = &error {
        if dec.limit_hit && !e.starts_with(LIMIT_PREFIX) {
            error = Some(format!(
                "{LIMIT_PREFIX}decompressed size exceeds the limit of {max} bytes"
            ));
        }
    }
    let uncompressed_size = dec.hasher.len();
    let diff_id = if error.is_none() {
        Some(dec.hasher.finish())
    } else {
        None
    };
    facts.layer = Some(LayerIndex {
        diff_id,
        uncompressed_size,
        entries: walk.entries,
        error,
    });
}

fn describe<R>(dec: &Decoded<R>, what: &str, e: &io::Error) -> String {
    if dec.limit_hit {
        format!(
            "{LIMIT_PREFIX}decompressed size exceeds the limit of {} bytes",
            dec.limit
        )
    } else {
        format!(
            "decompress failed ({what}) after {} bytes: {e}",
            dec.hasher.len()
        )
    }
}
