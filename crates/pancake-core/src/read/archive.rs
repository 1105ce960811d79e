//! The outer walk: from a tarball's bytes to an [`Archive`].
//!
//! Two ways in, one result:
//! - [`read_stream`]: one sequential pass over any `Read` (compressed as a whole with gzip,
//!   zstd, xz or bzip2, or not). Every
//!   regular member goes through [`member::process`] as it streams by.
//! - [`scan`], driven by [`Reading`](crate::read::reading::Reading): for an uncompressed file
//!   with random access. `scan` reads only headers and small JSON (a fast first view); the big
//!   blobs are then hashed independently — on several threads ([`open`]) or Web Workers —
//!   through the same `member::process`, so the end result is identical to `read_stream`'s.

use std::cell::Cell;
use std::collections::HashMap;
use std::io::{self, Cursor, Read};
use std::rc::Rc;

use crate::analyze::union::ContentRef;
use crate::error::Error;
use crate::limits::Limits;
use crate::model::{
    Archive, Compression, EntryKind, LayerIndex, Member, MemberFacts, Problem, ProblemKind,
    ReadError, SparseFormat,
};
use crate::path::RawPath;
use crate::read::decompress::{self, EndAtTrailing};
use crate::read::extension_guard::{Ambiguous, ExtensionGuard, Oversized};
use crate::read::image;
use crate::read::layer::{self, SeekReader};
use crate::read::listed::Listed;
use crate::read::member::{self, Processed};
use crate::read::offload::Offload;
use crate::read::reading::{self, Reading};
use crate::read::sniff;
use crate::source::{Borrowed, Furthest, RangeReader, ReadAt};

pub use crate::read::member::Options;

/// Progress of a long read, for a progress bar.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Bytes of the file read so far, as stored (compressed bytes when the file is compressed),
    /// or, when `reached`, how far through the file a walk has got.
    pub bytes_done: u64,
    /// The file's size, in bytes.
    pub bytes_total: u64,
    /// The member being read, when there is one.
    pub member: Option<String>,
    /// `bytes_done` is a place in the file, not a count of bytes read: a walk that skips
    /// members' contents ([`scan_watched`]) passes most of the bytes before it unread, so
    /// bytes over time is how fast it moves through the file, not a speed of reading.
    pub reached: bool,
}

pub use crate::read::reading::HashJob;

/// Members at most this big are processed fully during [`scan`] (configs, manifests...).
const SMALL_MEMBER: u64 = 1 << 20;

/// Counts bytes read from the outer stream (compressed bytes when the file is compressed).
struct Counting<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

fn read_head<R: Read>(r: &mut R, n: usize) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(n);
    r.by_ref().take(n as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// Reads up to `n` bytes, keeping what was read before an error.
fn read_head_partial<R: Read>(r: &mut R, n: usize) -> (Vec<u8>, Option<io::Error>) {
    let mut head = vec![0u8; n];
    let mut filled = 0;
    while filled < n {
        let Some(dst) = head.get_mut(filled..) else {
            break;
        };
        match r.read(dst) {
            Ok(0) => break,
            Ok(k) => filled += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                head.truncate(filled);
                return (head, Some(e));
            }
        }
    }
    head.truncate(filled);
    (head, None)
}

/// Reads a whole tarball in one sequential pass. The file may be compressed as a whole with
/// gzip, zstd, xz or bzip2 (decided from its first bytes, as `docker load` does); every
/// member, frame or stream of it is read. `total_bytes` is the file's size: for progress, and
/// for the decompressed-bytes bound of each layer (`limits.decompressed_for`; 0 = unknown).
///
/// Errors: [`Error::Empty`] for no bytes, [`Error::EndsEarly`] when the file (or its
/// decompressed stream) ends inside the first 512-byte tar header, [`Error::NotATar`] when the
/// first header is not a tar header, [`Error::WindowOverLimit`] when a compressed file's
/// stream declares a window or dictionary over `limits.max_window_bytes` before its first tar
/// header, [`Error::Member`] when a compressed file's first bytes do not decompress. Anything
/// later is a `Problem` in the archive.
pub fn read_stream<R: Read>(
    name: &str,
    reader: R,
    total_bytes: u64,
    opts: &Options,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Archive, Error> {
    read_stream_watched(name, reader, total_bytes, opts, progress, &mut |_| {}, None)
}

/// [`read_stream`], calling `watch` with the archive read so far after each member is added
/// (its facts complete: a layer blob's digests and entries), before the next one is read.
/// The archive given is unresolved: `images` is empty and `problems` holds only the outer
/// walk's own, until the end. The page uses it to show each layer of a compressed file as
/// soon as it is read (`analyze::glance`).
///
/// With an `offload`, the bytes of the blobs it takes go to it instead of being hashed
/// ([`crate::read::offload`]): those members' facts come without their digest (`sha256`, and
/// the diff_id of an uncompressed layer tar), `watch` sees them so, and they are put in with
/// [`crate::read::offload::settle_handed_on`] before the images are resolved again. Errors: as
/// [`read_stream`].
pub fn read_stream_watched<R: Read>(
    name: &str,
    reader: R,
    total_bytes: u64,
    opts: &Options,
    progress: &mut dyn FnMut(&Progress),
    watch: &mut dyn FnMut(&Archive),
    mut offload: Option<&mut dyn Offload>,
) -> Result<Archive, Error> {
    let opts = &opts.for_archive(total_bytes);
    let count = Rc::new(Cell::new(0u64));
    let mut counting = Counting {
        inner: reader,
        count: count.clone(),
    };
    let head = read_head(&mut counting, sniff::TAR_BLOCK).map_err(|e| Error::Io {
        name: name.into(),
        offset: 0,
        source: e,
    })?;
    if head.is_empty() {
        return Err(Error::Empty { name: name.into() });
    }
    let outer_compression = sniff::compression(&head);
    let magic = sniff::magic_hex(&head);
    let raw = Cursor::new(head).chain(counting);
    let mut stream = EndAtTrailing::new(decompress::decoder(
        outer_compression,
        raw,
        opts.limits.max_window_bytes,
    ));
    let what = decompress::name(outer_compression);
    let (dhead, err) = read_head_partial(&mut stream, sniff::TAR_BLOCK);
    if let Some(w) = err.as_ref().and_then(decompress::window_too_big) {
        return Err(Error::WindowOverLimit {
            name: name.into(),
            requested: w.requested,
            max: w.max,
            compression: w.compression,
        });
    }
    match err {
        None => {}
        Some(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
            return Err(Error::EndsEarly {
                name: name.into(),
                bytes: dhead.len() as u64,
                compression: outer_compression,
            })
        }
        // The decoder failed having read the whole file: a download cut inside the first
        // header's compressed bytes (a zstd decoder says so as a block error, not as EOF).
        Some(_) if total_bytes > 0 && count.get() >= total_bytes => {
            return Err(Error::EndsEarly {
                name: name.into(),
                bytes: dhead.len() as u64,
                compression: outer_compression,
            })
        }
        Some(e) => {
            return Err(Error::Member {
                name: name.into(),
                member: format!("({what} stream)"),
                message: format!("the file starts like {what} but does not decompress: {e}"),
            })
        }
    };
    if !sniff::is_tar(&dhead) {
        if sniff::is_cut_tar_file(&dhead) {
            return Err(Error::EndsEarly {
                name: name.into(),
                bytes: dhead.len() as u64,
                compression: outer_compression,
            });
        }
        return Err(Error::NotATar {
            name: name.into(),
            magic: match outer_compression {
                Compression::None => magic,
                c => format!("{} of {}", decompress::name(c), sniff::magic_hex(&dhead)),
            },
            looks: sniff::looks_like(&dhead),
        });
    }
    let stream_with_head = Cursor::new(dhead).chain(&mut stream);
    // Counts the uncompressed tar bytes, to tell whether its two end blocks are there.
    let tar_bytes = Rc::new(Cell::new(0u64));
    let mut stream_with_head = Counting {
        inner: stream_with_head,
        count: Rc::clone(&tar_bytes),
    };
    let mut members_end = 0u64;
    let mut archive = Archive {
        name: name.into(),
        total_bytes,
        outer_compression,
        ..Archive::default()
    };
    let uncompressed = outer_compression == Compression::None;
    let mut guard = ExtensionGuard::new(&mut stream_with_head, opts.limits.max_extension_bytes);
    let mut findings = OuterFindings::default();
    {
        let mut tar = tar::Archive::new(&mut guard);
        match tar.entries() {
            Ok(entries) => {
                members_end = walk_outer(
                    entries,
                    uncompressed,
                    &mut archive,
                    &mut |entry, mname, size, offset| {
                        let mut cb = |_: u64| {
                            progress(&Progress {
                                bytes_done: count.get(),
                                bytes_total: total_bytes,
                                member: Some(mname.to_string()),
                                reached: false,
                            })
                        };
                        cb(0);
                        member::process(
                            entry,
                            mname,
                            size,
                            offset,
                            total_bytes,
                            false,
                            opts,
                            &mut cb,
                            // (`&mut **o` shortens the object's lifetime to this call's.)
                            match offload {
                                Some(ref mut o) => Some(&mut **o),
                                None => None,
                            },
                        )
                    },
                    watch,
                    &mut findings,
                );
            }
            Err(e) => push_outer_error(&mut archive, &e.to_string()),
        }
    }
    // The walk ended at a zero block or at the stream's end, not on an error (which
    // `oversized_note` may replace by a `limit` problem below).
    let walk_ended = !archive
        .problems
        .iter()
        .any(|p| p.kind == ProblemKind::Archive);
    oversized_note(
        &mut archive,
        guard.oversized,
        opts.limits.max_extension_bytes,
    );
    ambiguous_note(&mut archive, guard.ambiguous);
    // The guard stopped the walk on purpose: nothing after it is read, its end included.
    let guard_stopped = guard.oversized.is_some() || guard.ambiguous.is_some();
    // (The stream, borrowed by the reader of the tar.)
    let window = stream_with_head.inner.get_ref().1.window;
    if let Some(w) = window {
        window_note(&mut archive, w);
    }
    let stopped_at_window = window.is_some();
    // Read what follows the end-of-archive marker, so a broken gzip trailer is noticed.
    if window.is_none()
        && !guard_stopped
        && !archive
            .problems
            .iter()
            .any(|p| p.kind == ProblemKind::Archive)
    {
        let mut sink = vec![0u8; 1 << 16];
        // The block after the zero block the walk stopped at (see `lone_zero_block_problem`).
        let second_at = members_end.saturating_add(sniff::TAR_BLOCK as u64);
        let mut second: Vec<u8> = Vec::new();
        let mut pos = tar_bytes.get();
        loop {
            match stream_with_head.read(&mut sink) {
                Ok(0) => break,
                Ok(n) => {
                    // The part of [second_at, second_at + 512) this read holds, if any.
                    let end = pos.saturating_add(n as u64);
                    let lo = second_at.max(pos);
                    let hi = second_at.saturating_add(sniff::TAR_BLOCK as u64).min(end);
                    if lo < hi {
                        let at = |x: u64| usize::try_from(x - pos).unwrap_or(usize::MAX);
                        second.extend_from_slice(sink.get(at(lo)..at(hi)).unwrap_or(&[]));
                    }
                    pos = end;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    // A window over the bound after the tar's end: docker load stops at the
                    // end marker and never decodes it, so it is a bound of this reader only.
                    let (kind, what) = match decompress::window_too_big(&e) {
                        Some(_) => (
                            ProblemKind::Limit,
                            "after the tar's end marker, which docker load stops at",
                        ),
                        None => (ProblemKind::Archive, "stream error after the last member"),
                    };
                    archive
                        .problems
                        .push(Problem::outer(kind, format!("{what}: {e}")));
                    break;
                }
            }
        }
        if walk_ended {
            lone_zero_block_problem(&mut archive, members_end, &second);
        }
    }
    if !stopped_at_window && !guard_stopped {
        end_blocks_note(&mut archive, tar_bytes.get().saturating_sub(members_end));
    }
    if let Some(off) = stream.trailing {
        // `docker load` stops at the tar's end-of-archive marker and never reads these bytes;
        // they are reported all the same, as they may be a second image someone meant to add.
        // Information (`tar-quirk`, as the same bytes after a layer's stream are): the stream
        // before them checked out, so it is no damage (`inspect --ci` fails damage).
        archive.problems.push(Problem::outer(
            ProblemKind::TarQuirk,
            format!(
                "{} bytes at byte offset {off} of the file follow the end of its {what} stream and are not {what}; ignored, as docker load ignores them",
                total_bytes.max(count.get()).saturating_sub(off)
            ),
        ));
    }
    archive.problems.extend(findings.rest());
    progress(&Progress {
        bytes_done: count.get(),
        bytes_total: total_bytes,
        member: None,
        reached: false,
    });
    image::resolve_with(&mut archive, &opts.limits);
    Ok(archive)
}

/// Notes an outer tar that stops after its last member without the two zero blocks that end a
/// tar (`after`: bytes that follow the last member's padded content). Go's reader, which
/// `docker load` uses, accepts that, so it is a `tar-quirk` note, not damage; a file whose
/// reading already failed gets no note (the failure says more).
fn end_blocks_note(archive: &mut Archive, after: u64) {
    if after >= 2 * sniff::TAR_BLOCK as u64
        || archive.members.is_empty()
        || archive.problems.iter().any(|p| {
            p.kind == ProblemKind::Archive
                || (p.kind == ProblemKind::LoadFails
                    && p.origin.scope == crate::model::Scope::Outer)
        })
    {
        return;
    }
    let last = archive
        .members
        .last()
        .map(|m| m.path.display().into_owned());
    archive.problems.push(Problem::outer(
        ProblemKind::TarQuirk,
        format!(
            "tar: the archive ends after member {} without the two zero blocks that mark the end of a tar ({after} of 1024 bytes follow); docker load reads it all the same",
            last.unwrap_or_default()
        ),
    ));
}

/// The outer tar's members end at byte `end` with one zero block followed by a block that is
/// not zero (`second`, the 512 bytes at `end + 512`, when the file has them): Go's
/// archive/tar stops there with "invalid tar header" (a lone zero block must be followed by
/// another), so `docker load` refuses the file, though this reader (the `tar` crate) takes
/// the zero block for the end and shows the members before it.
fn lone_zero_block_problem(archive: &mut Archive, end: u64, second: &[u8]) {
    let whole = second.len() >= sniff::TAR_BLOCK;
    if second.is_empty()
        || (whole && second.iter().all(|b| *b == 0))
        || archive
            .problems
            .iter()
            .any(|p| p.kind == ProblemKind::Archive)
    {
        return;
    }
    let detail = if whole {
        format!(
            "tar: one zero block at byte offset {end} of the tar, then a block that is not zero: Go's archive/tar, with which docker load reads this file, stops there with \"invalid tar header\" (only two zero blocks end a tar), so docker load refuses the file; this reader stopped at the zero block too, and what comes after it is not shown"
        )
    } else {
        // 1 to 511 bytes after it: Go's `io.ReadFull` of the next block fails.
        format!(
            "tar: one zero block at byte offset {end} of the tar, then {} bytes that end inside a 512-byte block: Go's archive/tar, with which docker load reads this file, stops there with \"unexpected EOF\", so docker load refuses the file",
            second.len()
        )
    };
    archive
        .problems
        .push(Problem::outer(ProblemKind::LoadFails, detail));
}

/// The guard stopped the walk, which recorded that as a tar read error (the last `archive`
/// problem): a problem of `kind` replaces it, one problem for one cause, naming the member
/// before the header; `detail` is given that member's name (`None`: the first header).
fn guard_note(
    archive: &mut Archive,
    kind: ProblemKind,
    detail: impl FnOnce(Option<&str>) -> String,
) {
    drop_read_error(archive);
    let last = archive.members.len().checked_sub(1);
    let after = archive
        .members
        .last()
        .map(|m| m.path.display().into_owned());
    let detail = detail(after.as_deref());
    archive.problems.push(match after {
        Some(name) => Problem::outer_member(kind, last, name, detail),
        None => Problem::outer(kind, detail),
    });
}

/// An outer extension record over the limit stopped the walk: say which limit, as a `limit`
/// problem, so the remedy is plain.
fn oversized_note(archive: &mut Archive, oversized: Option<Oversized>, limit: u64) {
    let Some(o) = oversized else {
        return;
    };
    guard_note(archive, ProblemKind::Limit, |after| {
        format!(
        "tar: {} of {} bytes at byte offset {} of the tar (after member {}) is larger than the limit of {} bytes for extension records (limits.max_extension_bytes); it was not read, and the members after it are not shown",
        o.what(),
        o.size,
        o.header_at,
        after.unwrap_or("none"),
        limit,
    )
    });
}

/// The walk stopped at a header Go's `archive/tar` and the `tar` crate read differently: an
/// `ambiguous-tar` problem.
fn ambiguous_note(archive: &mut Archive, ambiguous: Option<Ambiguous>) {
    let Some(a) = ambiguous else {
        return;
    };
    guard_note(archive, ProblemKind::AmbiguousTar, |after| {
        format!(
        "tar: the header at byte offset {} of the tar ({}) is {}. docker load and this reader would list different members from there on, so the members after it are not shown",
        a.header_at,
        after.map_or_else(|| "the first one".to_string(), |m| format!("after member {m}")),
        a.what(),
    )
    });
}

/// Says that the outer stream stopped at a window or dictionary over the bound (`w`): a
/// `limit` of this reader, not damage, in place of the tar read error it caused (the last
/// `archive` problem), naming the members read before it.
fn window_note(archive: &mut Archive, w: decompress::WindowTooBig) {
    drop_read_error(archive);
    // The member being read when the stream stopped is not damaged either: what it could not
    // be read for is this bound.
    let bound = ReadError::WindowOverLimit {
        requested: w.requested,
        max: w.max,
        compression: w.compression,
    };
    if let Some(m) = archive.members.last_mut() {
        if m.facts.sha256.is_none() {
            if let Some(l) = m.facts.layer.as_mut() {
                if l.error.is_some() {
                    l.error = Some(bound.clone());
                }
            }
            if m.facts.error.is_some() {
                m.facts.error = Some(bound.clone());
            }
            let before = m.facts.problems.len();
            m.facts
                .problems
                .retain(|p| p.kind != ProblemKind::LayerUnreadable);
            if m.facts.problems.len() < before {
                let name = m.path.display().into_owned();
                m.facts
                    .problems
                    .push(Problem::layer(bound.kind(), None, name, bound.to_string()));
            }
        }
    }
    let n = archive.members.len();
    // moby decompresses a compressed save as it does a layer: the `xz` program (no memory
    // limit by default), klauspost/compress zstd (windows up to 512 MiB).
    let shown = match n {
        1 => "only its first member is shown".to_string(),
        n => format!("only its first {n} members are shown"),
    };
    archive.problems.push(Problem::outer(
        ProblemKind::Limit,
        format!(
            "{}; the file is not read past it, so {shown} — a bound of this reader, not damage ({})",
            w.over_bound_words(),
            w.docker_load_words(),
        ),
    ));
}

/// Removes the tar read error a stop of the walk recorded (the last `archive` problem), for
/// the caller's problem about the cause to take its place: one problem for one cause.
fn drop_read_error(archive: &mut Archive) {
    if archive
        .problems
        .last()
        .is_some_and(|p| p.kind == ProblemKind::Archive)
    {
        archive.problems.pop();
    }
}

fn push_outer_error(archive: &mut Archive, e: &str) {
    let n = archive.members.len();
    let detail = format!("tar read error after {n} members: {e}");
    archive.problems.push(match archive.members.last() {
        Some(m) => Problem::outer_member(
            ProblemKind::Archive,
            n.checked_sub(1),
            m.path.display().into_owned(),
            detail,
        ),
        None => Problem::outer(ProblemKind::Archive, detail),
    });
}

type ProcessFn<'f, 'a, R> =
    dyn FnMut(&mut tar::Entry<'a, R>, &str, u64, Option<u64>) -> Processed + 'f;

/// How many outer members one finding (an unsafe name, a link out of the archive, a
/// duplicate, a sparse member) names one by one; the rest are counted in one problem. A
/// hostile tarball may hold millions of such members, each only 512 bytes.
const OUTER_LISTED: usize = 10;

/// The outer members' findings, each listing its first [`OUTER_LISTED`] problems.
#[derive(Default)]
struct OuterFindings {
    unsafe_names: Listed,
    unsafe_links: Listed,
    duplicates: Listed,
    sparse: Listed,
    header_only: Listed,
    /// The first [`OUTER_LISTED`] header-only members with a data size, held until the walk
    /// and the checks after it are over (they are `archive` problems, which those checks
    /// take for a read error of the walk), then given first by [`Self::rest`].
    header_only_listed: Vec<Problem>,
}

impl OuterFindings {
    /// The header-only members with a data size held back, then [`Self::counts`].
    fn rest(&self) -> Vec<Problem> {
        let mut out = self.header_only_listed.clone();
        out.extend(self.counts());
        out
    }

    /// One problem per finding with more than [`OUTER_LISTED`] members, counting the rest.
    fn counts(&self) -> Vec<Problem> {
        // What a count of one member and of several says, then what follows it.
        let what: [(&Listed, ProblemKind, [&str; 2], &str); 5] = [
            (
                &self.unsafe_names,
                ProblemKind::UnsafePath,
                ["member has an unsafe path", "members have unsafe paths"],
                " (absolute, NUL or climbing out with ..); never resolved outside the archive",
            ),
            (
                &self.unsafe_links,
                ProblemKind::UnsafePath,
                ["link member points", "link members point"],
                " outside the archive; not followed",
            ),
            (
                &self.duplicates,
                ProblemKind::DuplicateMember,
                ["member appears", "members appear"],
                " more than once; the last one of each name wins",
            ),
            (
                &self.sparse,
                ReadError::SparseMember {
                    format: SparseFormat::OldGnu,
                }
                .kind(),
                ["member is", "members are"],
                " stored sparse and not read",
            ),
            (
                &self.header_only,
                ProblemKind::Archive,
                [
                    "header-only member (a directory, link, device or FIFO) has",
                    "header-only members (directories, links, devices or FIFOs) have",
                ],
                " a data size docker load does not skip: it reads other members than those shown",
            ),
        ];
        what.into_iter()
            .filter_map(|(listed, kind, [one, many], tail)| {
                let n = listed.more()?;
                let what = if n == 1 { one } else { many };
                Some(Problem::outer(
                    kind,
                    format!(
                        "{n} more {what}{tail} (only the first {OUTER_LISTED} are listed one by one)"
                    ),
                ))
            })
            .collect()
    }
}

/// Records every outer member; hands regular ones to `process`. Stops at the first outer error.
/// Each finding about members lists its first [`OUTER_LISTED`] in `archive.problems` and
/// counts the rest in `findings`: the caller adds [`OuterFindings::rest`] after every other
/// problem about the outer tar (so a problem a later step replaces is still the last one, and
/// the streaming and the seeking readers give them in one order).
fn walk_outer<'a, R: Read + 'a>(
    entries: tar::Entries<'a, R>,
    uncompressed: bool,
    archive: &mut Archive,
    process: &mut ProcessFn<'_, 'a, R>,
    watch: &mut dyn FnMut(&Archive),
    findings: &mut OuterFindings,
) -> u64 {
    let mut seen: HashMap<RawPath, bool> = HashMap::new();
    let mut next_header = 0u64;
    for item in entries {
        let mut entry = match item {
            Ok(e) => e,
            Err(e) => {
                push_outer_error(archive, &e.to_string());
                return next_header;
            }
        };
        // Where the next header starts (content padded to 512 bytes): a seeking reader never
        // notices a file that ends before it, a streaming one does; `scan` checks this.
        next_header = entry
            .raw_file_position()
            .saturating_add(entry.size().saturating_add(511) & !511);
        let etype = entry.header().entry_type();
        if etype.is_pax_global_extensions() {
            continue;
        }
        // A member re-tarred with `tar --sparse`: listed under its real name and size, its
        // bytes not read (see `ReadError::SparseMember`).
        let sparse = outer_sparse(&mut entry);
        let raw_path = match &sparse {
            Some(s) => s.name.clone(),
            None => entry.path_bytes().into_owned(),
        };
        let raw_link = entry.link_name_bytes().map(|c| c.into_owned());
        let path = RawPath::normalize(&raw_path);
        let shown = crate::escape::escape_name(&raw_path).into_owned();
        // An old NUL-type member whose name ends in `/`: a directory to Go's archive/tar.
        let nul_dir = sparse.is_none()
            && entry.header().as_bytes().get(156) == Some(&0)
            && raw_path.last() == Some(&b'/');
        let kind = match etype {
            _ if sparse.is_some() => EntryKind::File,
            _ if nul_dir => EntryKind::Dir,
            tar::EntryType::Regular | tar::EntryType::Continuous => EntryKind::File,
            tar::EntryType::Directory => EntryKind::Dir,
            tar::EntryType::Symlink => EntryKind::Symlink,
            tar::EntryType::Link => EntryKind::Hardlink,
            _ => EntryKind::Other,
        };
        let at = archive.members.len();
        if RawPath::is_unsafe_name(&raw_path) || raw_path.contains(&0) {
            findings.unsafe_names.push_within(OUTER_LISTED, &mut archive.problems, || Problem::outer_member(
                ProblemKind::UnsafePath,
                Some(at),
                shown.clone(),
                format!("member \"{shown}\": unsafe path (absolute, NUL or climbing out with ..); never resolved outside the archive"),
            ));
        }
        if let (EntryKind::Symlink | EntryKind::Hardlink, Some(t)) = (kind, raw_link.as_deref()) {
            let base = if kind == EntryKind::Symlink {
                path.parent()
            } else {
                RawPath::default()
            };
            if base.escapes_with(t) {
                findings
                    .unsafe_links
                    .push_within(OUTER_LISTED, &mut archive.problems, || {
                        Problem::outer_member(
                            ProblemKind::UnsafePath,
                            Some(at),
                            shown.clone(),
                            format!(
                        "link member {shown} -> {} points outside the archive; not followed",
                        crate::escape::escape_name(t)
                    ),
                        )
                    });
            }
        }
        // A name met again is a member replaced (the last one wins), unless both are
        // directories (a tar may list a folder twice; nothing is lost).
        let was_dir = seen.insert(path.clone(), kind == EntryKind::Dir);
        if was_dir.is_some_and(|d| !(d && kind == EntryKind::Dir)) {
            findings
                .duplicates
                .push_within(OUTER_LISTED, &mut archive.problems, || {
                    Problem::outer_member(
                        ProblemKind::DuplicateMember,
                        Some(at),
                        shown.clone(),
                        format!("member {shown} appears more than once; the last one wins"),
                    )
                });
        }
        // A type Go's archive/tar reads as header only (`isHeaderOnlyType`: no data, whatever
        // the size field says; an old NUL-type name ending in `/` is a directory there) with a
        // size: the `tar` crate skips that many bytes, Go reads the next header right after
        // this one. From here on docker load reads other members than this reader does
        // (bytes hidden there may be another manifest.json), so the image shown may not be
        // the one it loads: said, as damage (`inspect --ci`: `FAIL intact`).
        let header_only = match etype {
            _ if sparse.is_some() => None,
            _ if nul_dir => Some("a directory"),
            tar::EntryType::Directory => Some("a directory"),
            tar::EntryType::Symlink => Some("a symlink"),
            tar::EntryType::Link => Some("a hard link"),
            tar::EntryType::Char => Some("a character device"),
            tar::EntryType::Block => Some("a block device"),
            tar::EntryType::Fifo => Some("a FIFO"),
            _ => None,
        };
        if let (Some(what), n @ 1..) = (header_only, entry.size()) {
            findings
                .header_only
                .push_within(OUTER_LISTED, &mut findings.header_only_listed, || {
                    Problem::outer_member(
                        ProblemKind::Archive,
                        Some(at),
                        shown.clone(),
                        format!(
                            "member {shown} is {what} whose header gives it {n} bytes of data: Go's archive/tar, with which docker load reads this file, reads no data for {what} and takes the next 512 bytes as the next member's header, while this reader skips the {n} bytes; so from here docker load reads other members than those shown (it may load another image)"
                        ),
                    )
                });
        }
        let size = match (&sparse, kind) {
            (Some(s), _) => s.size.unwrap_or_else(|| entry.size()),
            (None, EntryKind::File) => entry.size(),
            _ => 0,
        };
        let data_offset = if uncompressed && sparse.is_none() {
            Some(entry.raw_file_position())
        } else {
            None
        };
        let link_target = match kind {
            EntryKind::Symlink => raw_link.map(RawPath::from_bytes),
            EntryKind::Hardlink => raw_link.map(|l| RawPath::normalize(&l)),
            _ => None,
        };
        let mut outer_error = None;
        let facts = if let Some(s) = &sparse {
            let error = ReadError::SparseMember { format: s.format };
            findings
                .sparse
                .push_within(OUTER_LISTED, &mut archive.problems, || {
                    Problem::outer_member(
                        error.kind(),
                        Some(at),
                        shown.clone(),
                        format!("member {shown}: {error}"),
                    )
                });
            MemberFacts {
                error: Some(error),
                ..MemberFacts::default()
            }
        } else if kind == EntryKind::File {
            let p = process(&mut entry, &shown, size, data_offset);
            outer_error = p.outer_error;
            p.facts
        } else {
            MemberFacts::default()
        };
        archive.members.push(Member {
            path,
            kind,
            size,
            data_offset,
            link_target,
            facts,
        });
        watch(archive);
        if let Some(e) = outer_error {
            push_outer_error(archive, &format!("{shown}: {e}"));
            return next_header;
        }
    }
    next_header
}

/// An outer member stored sparse: its format, real name and real size.
struct OuterSparse {
    format: SparseFormat,
    name: Vec<u8>,
    size: Option<u64>,
}

/// Whether `entry` is stored as a GNU sparse file (old GNU `S`, or PAX `GNU.sparse.*`
/// records as GNU tar and Go's `archive/tar` read them), and under which real name.
fn outer_sparse<R: Read>(entry: &mut tar::Entry<'_, R>) -> Option<OuterSparse> {
    let header_name = entry.path_bytes().into_owned();
    if entry.header().entry_type() == tar::EntryType::GNUSparse {
        let size = entry.header().as_gnu().and_then(|g| g.real_size().ok());
        return Some(OuterSparse {
            format: SparseFormat::OldGnu,
            name: header_name,
            size,
        });
    }
    let mut records: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    if let Ok(Some(pax)) = entry.pax_extensions() {
        for ext in pax.flatten() {
            if ext.key_bytes().starts_with(b"GNU.sparse.") {
                records.push((ext.key_bytes().to_vec(), ext.value_bytes().to_vec()));
            }
        }
    }
    let get = |k: &[u8]| {
        records
            .iter()
            .rev()
            .find(|(key, _)| key.as_slice() == k)
            .map(|(_, v)| v.as_slice())
    };
    let format = match (get(b"GNU.sparse.major"), get(b"GNU.sparse.minor")) {
        (Some(b"1"), Some(b"0")) => SparseFormat::Pax10,
        (Some(b"0"), Some(b"1")) => SparseFormat::Pax01,
        (Some(b"0"), Some(b"0")) => SparseFormat::Pax00,
        (None, None) if get(b"GNU.sparse.map").is_some() => SparseFormat::Pax01,
        (None, None) if get(b"GNU.sparse.offset").is_some() => SparseFormat::Pax00,
        _ => return None,
    };
    let size = get(b"GNU.sparse.realsize")
        .or_else(|| get(b"GNU.sparse.size"))
        .and_then(|v| std::str::from_utf8(v).ok()?.parse::<u64>().ok());
    let name = get(b"GNU.sparse.name")
        .filter(|n| !n.is_empty())
        .map_or(header_name, <[u8]>::to_vec);
    Some(OuterSparse { format, name, size })
}

/// Fast first view of an UNCOMPRESSED tarball: outer headers by `read_at` (content is seeked
/// over), small members (configs, manifests) processed fully, uncompressed layer tars walked
/// header-only (entries known, diff_id not yet). Images are resolved, layers unverified until
/// [`Reading`] has the facts of its jobs. A compressed file (gzip, zstd, xz, bzip2) has no random
/// access, so it is read in full with [`read_stream`] over a [`RangeReader`] instead.
pub fn scan<S: ReadAt + ?Sized>(name: &str, source: &S, opts: &Options) -> Result<Archive, Error> {
    let mut untold = |_: u64| {};
    let source = Borrowed(source);
    let source = Furthest::new(&source, u64::MAX, &mut untold);
    scan_with(name, &source, opts, true).map(|o| o.archive)
}

/// [`scan`], telling `progress` how far through the file the walk has got as it goes: bytes
/// from the file's start to the end of the furthest read so far (the walk reads headers
/// front to back and skips contents, so this grows to the file's size; `bytes_total` is that
/// size, `member` is `None`), then the file's size once the walk is over. For an
/// uncompressed file, whose reading has no other measure of its progress.
pub fn scan_watched<S: ReadAt + ?Sized>(
    name: &str,
    source: &S,
    opts: &Options,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Archive, Error> {
    let total = source.len();
    let mut reached = |end: u64| {
        progress(&Progress {
            bytes_done: end.min(total),
            bytes_total: total,
            member: None,
            reached: true,
        })
    };
    // Every MiB: a page's bar moves smoothly, and the walk's reads are not slowed.
    let source = Borrowed(source);
    let watched = Furthest::new(&source, 1 << 20, &mut reached);
    let archive = scan_with(name, &watched, opts, true)?.archive;
    reached(total);
    Ok(archive)
}

/// What [`scan_outline`] gives: the archive without its layer tars walked, and what was left
/// for the walk.
#[derive(Debug)]
pub struct Outline {
    /// The images resolved; every layer blob's facts hold only its compression.
    pub archive: Archive,
    /// Bytes of the layer blobs left unwalked (the large tars, and the small or cut blobs
    /// [`scan`] reads whole), counted as the file holds them.
    pub unwalked: u64,
    /// The large uncompressed layer tars left unwalked, `(offset, len)` of their contents in
    /// the file, in the file's order: what the walk after the outline reads header by header.
    pub tars: Vec<(u64, u64)>,
}

/// The outline of an UNCOMPRESSED tarball: [`scan`] without walking the layer tars. Outer
/// headers, configs and manifests are read and the images resolved, so the stack (layers,
/// instructions, digests to check) is known; every layer blob's facts hold only its
/// compression, as a compressed layer's do before it is hashed. Also returns the bytes of the
/// layer blobs left unwalked ([`Outline`]) — what [`scan`] would read on top, which decides whether showing
/// the outline first is worth a second walk (a walk of a layer of 200,000 small files reads
/// all its bytes). Small blobs (up to 1 MiB, which [`scan`] reads whole) and blobs the file
/// cuts short are left too, counted with the bytes the file holds of them: only what
/// describes the images (JSON) is read. `None` for a file compressed as a whole: it has no outline short of
/// reading all of it (nothing of it is read but its first block). Errors: as [`scan`].
pub fn scan_outline<S: ReadAt + ?Sized>(
    name: &str,
    source: &S,
    opts: &Options,
) -> Result<Option<Outline>, Error> {
    let head = source
        .read_vec_at(0, sniff::TAR_BLOCK)
        .map_err(|e| Error::Io {
            name: name.into(),
            offset: 0,
            source: e,
        })?;
    if sniff::compression(&head) != Compression::None {
        return Ok(None);
    }
    // Through the type every walk of an archive reads through (see `Furthest`).
    let mut untold = |_: u64| {};
    let source = Borrowed(source);
    let source = Furthest::new(&source, u64::MAX, &mut untold);
    scan_with(name, &source, opts, false).map(Some)
}

fn scan_with(
    name: &str,
    source: &Furthest<'_>,
    opts: &Options,
    walk_layers: bool,
) -> Result<Outline, Error> {
    let total = source.len();
    let opts = &opts.for_archive(total);
    let head = source
        .read_vec_at(0, sniff::TAR_BLOCK)
        .map_err(|e| Error::Io {
            name: name.into(),
            offset: 0,
            source: e,
        })?;
    if head.is_empty() {
        return Err(Error::Empty { name: name.into() });
    }
    if sniff::compression(&head) != Compression::None {
        return read_stream(
            name,
            RangeReader::new(source, 0, total),
            total,
            opts,
            &mut |_| {},
        )
        .map(|archive| Outline {
            archive,
            unwalked: 0,
            tars: Vec::new(),
        });
    }
    if !sniff::is_tar(&head) {
        if sniff::is_cut_tar_file(&head) {
            return Err(Error::EndsEarly {
                name: name.into(),
                bytes: head.len() as u64,
                compression: Compression::None,
            });
        }
        return Err(Error::NotATar {
            name: name.into(),
            magic: sniff::magic_hex(&head),
            looks: sniff::looks_like(&head),
        });
    }
    let mut archive = Archive {
        name: name.into(),
        total_bytes: total,
        outer_compression: Compression::None,
        ..Archive::default()
    };
    let mut guard = ExtensionGuard::new(
        SeekReader::new(source, 0, total, 64 * 1024),
        opts.limits.max_extension_bytes,
    );
    let mut tar = tar::Archive::new(&mut guard);
    let mut unwalked = 0u64;
    let mut tars = Vec::new();
    let mut findings = OuterFindings::default();
    match tar.entries_with_seek() {
        Ok(entries) => {
            let end = walk_outer(
                entries,
                true,
                &mut archive,
                &mut |entry, mname, size, offset| {
                    let off = offset.unwrap_or(0);
                    let complete = off.checked_add(size).is_some_and(|end| end <= total);
                    if !walk_layers && (size <= SMALL_MEMBER || !complete) {
                        // The outline reads what describes the images (JSON), not small or
                        // cut layer blobs: the walk after it reads those, so reading them
                        // here too would double the work of a save that gets no outline.
                        let stored = size.min(total.saturating_sub(off));
                        if let Some(skipped) = outline_skip(source, off, size, stored) {
                            unwalked = unwalked.saturating_add(stored);
                            return skipped;
                        }
                    }
                    if size <= SMALL_MEMBER || !complete {
                        return member::process(
                            entry,
                            mname,
                            size,
                            offset,
                            total,
                            false,
                            opts,
                            &mut |_| {},
                            None,
                        );
                    }
                    let mut facts = MemberFacts::default();
                    if let Ok(h) = source.read_vec_at(off, sniff::TAR_BLOCK) {
                        facts.compression = sniff::compression(&h);
                        if facts.compression == Compression::None
                            && sniff::is_tar(&h)
                            && !walk_layers
                        {
                            unwalked = unwalked.saturating_add(size);
                            tars.push((off, size));
                        } else if facts.compression == Compression::None && sniff::is_tar(&h) {
                            let walk = layer::walk_headers(source, off, size, mname, &opts.limits);
                            facts.problems = walk.problems;
                            facts.layer = Some(LayerIndex {
                                uncompressed_size: size,
                                entries: walk.entries.into(),
                                error: walk.error.map(|at| ReadError::Broken { at }),
                                left_out: walk.left_out,
                                cut: walk.cut,
                                ..LayerIndex::default()
                            });
                        }
                    }
                    Processed {
                        facts,
                        outer_error: None,
                    }
                },
                &mut |_| {},
                &mut findings,
            );
            // The guard stopped the walk on purpose (its note below replaces the read
            // error): where the tar ends is not known, so nothing is said about its end.
            let guard_stopped = guard.oversized.is_some() || guard.ambiguous.is_some();
            if !guard_stopped {
                if end > total
                    && !archive
                        .problems
                        .iter()
                        .any(|p| p.kind == ProblemKind::Archive)
                {
                    // The words the streaming reader (the `tar` crate) uses, so both readers agree.
                    push_outer_error(&mut archive, "unexpected EOF during skip");
                }
                // Whole reads (a `ReadAt` may give fewer bytes than asked, as the page's does at
                // its cache's edge), so both readers see the same bytes.
                let blocks = source
                    .read_vec_at(end, 2 * sniff::TAR_BLOCK)
                    .unwrap_or_default();
                if let (Some(first), Some(second)) = (
                    blocks.get(..sniff::TAR_BLOCK),
                    blocks.get(sniff::TAR_BLOCK..),
                ) {
                    if first.iter().all(|b| *b == 0) {
                        lone_zero_block_problem(&mut archive, end, second);
                    }
                }
                end_blocks_note(&mut archive, total.saturating_sub(end));
            }
        }
        Err(e) => push_outer_error(&mut archive, &e.to_string()),
    }
    oversized_note(
        &mut archive,
        guard.oversized,
        opts.limits.max_extension_bytes,
    );
    ambiguous_note(&mut archive, guard.ambiguous);
    archive.problems.extend(findings.rest());
    image::resolve_with(&mut archive, &opts.limits);
    Ok(Outline {
        archive,
        unwalked,
        tars,
    })
}

/// For [`scan_outline`]: a small or cut member left for the walk — its facts only its
/// compression, from its first block; a cut one ends the outer walk with the error the walk
/// gives it (the file holds `stored` of its `size` bytes) — or `None` to process it (JSON and
/// other small members that are neither a tar nor compressed: what describes the images).
fn outline_skip<S: ReadAt + ?Sized>(
    source: &S,
    offset: u64,
    size: u64,
    stored: u64,
) -> Option<Processed> {
    let head = source
        .read_vec_at(
            offset,
            sniff::TAR_BLOCK.min(usize::try_from(size).unwrap_or(usize::MAX)),
        )
        .ok()?;
    let compression = sniff::compression(&head);
    let layer_like = compression != Compression::None || sniff::is_tar(&head);
    let cut = stored < size;
    (layer_like || cut).then(|| Processed {
        facts: MemberFacts {
            compression,
            ..MemberFacts::default()
        },
        outer_error: cut.then_some(ReadError::Truncated { stored, size }),
    })
}

/// Fully processes one member (hash, decompress, index), independent of all others; its
/// messages name the member [`job_name`] until [`Reading::apply`](crate::read::reading::Reading::apply)
/// puts the member's own name in. `progress` gets the bytes of this job done so far, ending at
/// `job.len`. The structure is returned whole; [`crate::read::reading::hash`] is the boundary
/// hashers call, which leaves out what the reading already has.
pub fn hash_member<S: ReadAt + ?Sized>(
    source: &S,
    job: &HashJob,
    opts: &Options,
    progress: &mut dyn FnMut(u64),
) -> MemberFacts {
    let name = job_name(job.member);
    let reader = RangeReader::new(source, job.offset, job.len);
    let p = member::process(
        reader,
        &name,
        job.len,
        Some(job.offset),
        source.len(),
        job.sha512,
        opts,
        progress,
        None,
    );
    progress(job.len);
    p.facts
}

/// The placeholder name a job's messages carry for member `i` (a hasher does not know the
/// member's path).
pub(crate) fn job_name(i: usize) -> String {
    format!("member #{i}")
}

/// Puts the member's own name in a job's facts, which carry a placeholder (a job knows only
/// its index): as the typed `origin.member` of each problem, never by rewriting words; errors
/// carry no name at all.
pub(crate) fn name_member(f: &mut MemberFacts, shown: &str) {
    for p in &mut f.problems {
        if let Some(r) = p.origin.member.as_mut() {
            r.name = shown.to_string();
        }
    }
}

/// What the CLI uses: an uncompressed file is scanned, then its blobs hashed on
/// `opts.threads` threads; a compressed file (gzip, zstd, xz, bzip2, by magic bytes) is
/// streamed. Same result as [`read_stream`].
pub fn open<S: ReadAt + Sync + ?Sized>(
    name: &str,
    source: &S,
    opts: &Options,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Archive, Error> {
    let total = source.len();
    // One budget for the scan and every job after it.
    let opts = &opts.for_archive(total);
    let mut reading = Reading::start(name, source, opts, progress)?;
    if reading.is_done() {
        return Ok(reading.into_archive());
    }
    let jobs = reading.jobs().to_vec();
    let names: HashMap<usize, String> = jobs
        .iter()
        .filter_map(|j| {
            let m = reading.archive_unresolved().members.get(j.member)?;
            Some((j.member, m.path.display().into_owned()))
        })
        .collect();
    let base = reading.bytes_done();
    progress(&Progress {
        bytes_done: base,
        bytes_total: total,
        member: None,
        reached: false,
    });
    run_jobs(
        source,
        &jobs,
        opts,
        &mut |done, member| {
            progress(&Progress {
                bytes_done: base.saturating_add(done),
                bytes_total: total,
                member: names.get(&member).cloned(),
                reached: false,
            })
        },
        &mut |member, facts| {
            reading.apply(member, facts);
        },
    );
    Ok(reading.into_archive())
}

/// Hashes the jobs through [`reading::hash`], on `opts.threads` threads where the platform
/// has threads (not wasm32, where the browser runs one job per Web Worker instead).
/// `progress` gets the bytes of all jobs done so far and the member being hashed; `facts`
/// each job's facts as it finishes (in finishing order).
fn run_jobs<S: ReadAt + Sync + ?Sized>(
    source: &S,
    jobs: &[HashJob],
    opts: &Options,
    progress: &mut dyn FnMut(u64, usize),
    facts: &mut dyn FnMut(usize, MemberFacts),
) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;
    let threads = opts.threads.max(1).min(jobs.len());
    if threads <= 1 || cfg!(target_arch = "wasm32") {
        let mut done = 0u64;
        for job in jobs {
            let f = reading::hash(source, job, opts, &mut |d| {
                progress(done.saturating_add(d), job.member)
            });
            done = done.saturating_add(job.len);
            facts(job.member, f);
        }
        return;
    }
    enum Msg {
        Bytes(u64, usize),
        // Boxed: facts are large, byte counts are many.
        Done(usize, Box<MemberFacts>),
    }
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| {
        let (tx, rx) = mpsc::channel::<Msg>();
        for _ in 0..threads {
            let tx = tx.clone();
            let next = &next;
            s.spawn(move || {
                while let Some(job) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let mut last = 0u64;
                    let f = reading::hash(source, job, opts, &mut |d| {
                        let _ = tx.send(Msg::Bytes(d.saturating_sub(last), job.member));
                        last = d.max(last);
                    });
                    let _ = tx.send(Msg::Done(job.member, Box::new(f)));
                }
            });
        }
        drop(tx);
        let mut done = 0u64;
        for msg in rx {
            match msg {
                Msg::Bytes(n, m) => {
                    done = done.saturating_add(n);
                    progress(done, m);
                }
                Msg::Done(m, f) => facts(m, *f),
            }
        }
    });
}

/// The bytes (at most `max`) of one file inside the layer blob `member`: one `read_at` when
/// its content offset is known, else the blob is streamed and decompressed up to that entry.
/// When the layer lists the path more than once, the last copy is read; a hard link has no
/// bytes of its own (read the row's `union::ContentRef` with [`read_content`]).
pub fn read_entry_content<S: ReadAt + ?Sized>(
    source: &S,
    archive: &Archive,
    member: usize,
    entry_path: &RawPath,
    max: usize,
) -> Result<Vec<u8>, Error> {
    read_file_entry(source, archive, member, entry_path, None, max)
}

/// The bytes (at most `max`) a union row shows: the entry its [`ContentRef`] names — for a
/// hard link the file it links to, wherever that is stored (a lower layer, a name since
/// deleted or overwritten, AUFS's `.wh..wh.plnk/`), and exactly that copy when the layer
/// lists the path more than once. Errors name the archive, the member and the entry.
pub fn read_content<S: ReadAt + ?Sized>(
    source: &S,
    archive: &Archive,
    content: &ContentRef,
    max: usize,
) -> Result<Vec<u8>, Error> {
    let member = content.member.ok_or_else(|| Error::BlobMissing {
        name: archive.name.clone(),
        path: content.path.to_string(),
    })?;
    // Which copy of the path the entry is, counted among the layer's regular files of that
    // path, so a re-stream finds the same one.
    let nth = archive
        .members
        .get(member)
        .and_then(|m| m.facts.layer.as_ref())
        .and_then(|l| copy_number(l, content));
    read_file_entry(
        source,
        archive,
        member,
        &content.path,
        Some(nth.unwrap_or(0)),
        max,
    )
}

/// Which copy of its path the entry `content` names is (0 = first), counted among the
/// layer's regular files of that path, so a walk of the layer finds the same one; `None` when
/// the index holds no such entry.
pub(crate) fn copy_number(layer: &LayerIndex, content: &ContentRef) -> Option<usize> {
    layer.entries.get(..content.entry).map(|before| {
        before
            .iter()
            .filter(|e| e.path == content.path && e.kind == EntryKind::File)
            .count()
    })
}

/// Reads copy `nth` (0 = first; `None` = last) of the regular file `entry_path` of layer blob
/// `member`.
fn read_file_entry<S: ReadAt + ?Sized>(
    source: &S,
    archive: &Archive,
    member: usize,
    entry_path: &RawPath,
    nth: Option<usize>,
    max: usize,
) -> Result<Vec<u8>, Error> {
    let name = archive.name.clone();
    let m = archive.members.get(member).ok_or_else(|| Error::NoMember {
        name: name.clone(),
        member,
    })?;
    let shown = m.path.display().into_owned();
    let not_found = || Error::Member {
        name: name.clone(),
        member: shown.clone(),
        message: format!("no file {entry_path} in this layer"),
    };
    let entry = m.facts.layer.as_ref().and_then(|l| {
        let mut copies = l
            .entries
            .iter()
            .filter(|e| &e.path == entry_path && e.kind == EntryKind::File);
        match nth {
            Some(n) => copies.nth(n),
            None => copies.next_back(),
        }
    });
    let entry_data = |mismatch| Error::EntryData {
        name: name.clone(),
        member: shown.clone(),
        path: entry_path.display().into_owned(),
        mismatch,
    };
    if let Some(e) = entry {
        // Checked against its header, its sparse map and the end of the member before any
        // byte is read: nothing outside the entry's data is read as its content.
        if let Some((off, _)) = layer::stored_range(m, e).map_err(entry_data)? {
            let io_at = |err: io::Error| Error::Io {
                name: name.clone(),
                offset: off,
                source: err,
            };
            if let Some(sparse) = e.sparse() {
                // Holes are zeros; each stored region is one `read_at`.
                return layer::expand_sparse(sparse, e.size, max, &mut |stored, buf| {
                    let at = off.saturating_add(stored);
                    let got = source.read_vec_at(at, buf.len())?;
                    if got.len() < buf.len() {
                        return Err(io::Error::from(io::ErrorKind::UnexpectedEof));
                    }
                    buf.copy_from_slice(&got);
                    Ok(())
                })
                .map_err(io_at);
            }
            let want = usize::try_from(e.size).unwrap_or(usize::MAX).min(max);
            return source.read_vec_at(off, want).map_err(io_at);
        }
    }
    let io_err = |e: io::Error| match layer::stored_mismatch_of(&e) {
        Some(mismatch) => entry_data(mismatch),
        None => Error::Member {
            name: name.clone(),
            member: shown.clone(),
            message: e.to_string(),
        },
    };
    let found = match m.data_offset {
        Some(off) => entry_from_blob(RangeReader::new(source, off, m.size), entry_path, nth, max)
            .map_err(io_err)?,
        None => {
            // Compressed outer file: stream it again up to the member.
            let mut dec = EndAtTrailing::new(decompress::decoder(
                archive.outer_compression,
                RangeReader::new(source, 0, source.len()),
                Options::default().limits.max_window_bytes,
            ));
            let mut tar = tar::Archive::new(&mut dec);
            let mut idx = 0usize;
            let mut result = None;
            for item in tar.entries().map_err(io_err)? {
                let e = item.map_err(io_err)?;
                if e.header().entry_type().is_pax_global_extensions() {
                    continue;
                }
                if idx == member {
                    result = entry_from_blob(e, entry_path, nth, max).map_err(io_err)?;
                    break;
                }
                idx += 1;
            }
            result
        }
    };
    found.ok_or_else(not_found)
}

/// Decompresses a layer blob (by magic bytes: gzip, zstd, xz, bzip2, all frames) and returns
/// copy `nth` (`None`: the last) of the regular file named `path` (sparse holes as zeros), at most
/// `max` bytes, read by the same walk that listed it.
fn entry_from_blob<R: Read>(
    mut r: R,
    path: &RawPath,
    nth: Option<usize>,
    max: usize,
) -> io::Result<Option<Vec<u8>>> {
    let head = read_head(&mut r, sniff::TAR_BLOCK)?;
    let compression = sniff::compression(&head);
    let src = Cursor::new(head).chain(r);
    let limits = Limits::default();
    // Every member/frame/stream, ending at trailing data as the digest walk does.
    let inner = EndAtTrailing::new(decompress::decoder(
        compression,
        src,
        limits.max_window_bytes,
    ));
    layer::read_file(inner, path, nth, max, &limits)
}
