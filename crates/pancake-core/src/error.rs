//! Errors that stop reading altogether. Everything else is a `Problem` in the model.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::model::Compression;

/// Why a tarball could not be read at all, or why one file of it could not be extracted;
/// `Display` gives the English message, starting with the file's name.
#[derive(Debug, Error)]
pub enum Error {
    /// The file has no bytes.
    #[error("{name}: the file is empty")]
    Empty {
        /// The file's name as shown.
        name: String,
    },
    /// The file (decompressed, if it is compressed) does not start with a tar header.
    #[error("{name}: not a tar archive (first bytes: {magic})")]
    NotATar {
        /// The file's name as shown.
        name: String,
        /// Its first bytes, in hex ([`crate::read::sniff::magic_hex`]).
        magic: String,
        /// What its first bytes look like instead ([`crate::read::sniff::looks_like`]).
        looks: Looks,
    },
    /// The file (or its decompressed stream) ends inside the first 512-byte tar header: shorter
    /// than any tar archive, so it is cut off or not a tar at all.
    /// `bytes`: how many bytes there were (decompressed bytes when `compression` is not None).
    #[error(
        "{name}: the {} ends early, after {bytes} bytes, inside the first tar header (a header is 512 bytes): was the download complete?",
        what_ends(*compression)
    )]
    EndsEarly {
        /// The file's name as shown.
        name: String,
        /// Bytes the file (or its decompressed stream) holds, fewer than 512.
        bytes: u64,
        /// The file's compression; `None` when the file itself is that short.
        compression: Compression,
    },
    /// The file is compressed as a whole, and its stream's first zstd frame declares a window
    /// (or its first xz block an LZMA2 dictionary) over `max` (`limits.max_window_bytes`): a
    /// bound this reader keeps so one decoder's memory stays bounded, not damage. Nothing of
    /// the file is read. Further in, the same bound stops the walk instead, the members
    /// before it shown ([`crate::model::ProblemKind::Limit`]).
    #[error(
        "{name}: ({} stream): {}",
        crate::read::decompress::name(*compression),
        window_words(*requested, *max, *compression)
    )]
    WindowOverLimit {
        /// The file's name as shown.
        name: String,
        /// The window or dictionary the stream declares, in bytes.
        requested: u64,
        /// The bound in force, in bytes.
        max: u64,
        /// The file's compression: `Zstd` or `Xz`.
        compression: Compression,
    },
    /// Reading the file failed.
    #[error("{name}: read failed at byte {offset}: {source}")]
    Io {
        /// The file's name as shown.
        name: String,
        /// Byte offset in the file where the failed read started (0 for reads from the start).
        offset: u64,
        /// The reader's error.
        source: std::io::Error,
    },
    /// A member (or the outer stream) cannot be used for what was asked (does not decompress, no
    /// such entry in the layer ...).
    #[error("{name}: {member}: {message}")]
    Member {
        /// The file's name as shown.
        name: String,
        /// The member concerned, as shown, or `(<format> stream)` for the outer stream.
        member: String,
        /// What is wrong with it, in English.
        message: String,
    },
    /// The bytes of the file `path` in layer blob `member` are not what its header and
    /// sparse map say (cut short by the end of the layer, or a map that needs more or fewer
    /// bytes than the entry stores): nothing is read rather than bytes from outside it.
    #[error("{name}: {member}: {path}: {mismatch}")]
    EntryData {
        /// The file's name as shown.
        name: String,
        /// The layer blob's member path, as shown.
        member: String,
        /// The file's path in the layer, as shown.
        path: String,
        /// How its stored bytes disagree with its header.
        mismatch: crate::model::StoredMismatch,
    },
    /// The layer blob that would hold `path` is not in the archive.
    #[error("{name}: the layer blob holding {path} is missing")]
    BlobMissing {
        /// The file's name as shown.
        name: String,
        /// The path (inside the image) whose layer blob is missing.
        path: String,
    },
    /// A member index that the archive does not have (`member` is 0-based).
    #[error("{name}: no member #{member}")]
    NoMember {
        /// The file's name as shown.
        name: String,
        /// The index asked for, 0-based into `Archive::members`.
        member: usize,
    },
}

fn window_words(requested: u64, max: u64, compression: Compression) -> String {
    let w = crate::read::decompress::WindowTooBig {
        requested,
        max,
        compression,
    };
    // Not always the stream's first frame or block: one before it may be too short to hold
    // the first tar header.
    format!(
        "before its first tar header, {}; not read — a bound of this reader, not damage ({})",
        w.over_bound_words(),
        w.docker_load_words()
    )
}

fn what_ends(c: Compression) -> String {
    match c {
        Compression::None => "file".to_string(),
        other => format!("{} stream", crate::read::decompress::name(other)),
    }
}

/// What the first bytes of a file that is not a tar archive look like, so a reader can be told
/// what they opened (a learner's usual mistakes: a text file, a ZIP download).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Looks {
    /// Printable UTF-8 text (tabs and line breaks allowed): a Dockerfile, a JSON file, notes.
    Text,
    /// A ZIP archive (`PK\x03\x04`, or an empty one's `PK\x05\x06`).
    Zip,
    /// Anything else.
    Other,
}

/// Why a whole file could not be read, as a value a reader can put in its own words (the
/// page says it in English or Indonesian); the [`Error`]s a learner meets when they open the
/// wrong file or one cut short. Serialized with a `kind` tag in kebab-case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Unreadable {
    /// The file has no bytes ([`Error::Empty`]).
    Empty,
    /// The file is not a tar archive ([`Error::NotATar`]).
    NotATar {
        /// Its first bytes, in hex.
        magic: String,
        /// What they look like instead.
        looks: Looks,
    },
    /// The file, or its decompressed stream, ends inside the first 512-byte tar header
    /// ([`Error::EndsEarly`]).
    EndsEarly {
        /// Bytes there were, fewer than 512.
        bytes: u64,
        /// The file's compression; `None` when the file itself is that short.
        compression: Compression,
    },
    /// The file is compressed as a whole with a window or dictionary over this reader's
    /// bound ([`Error::WindowOverLimit`]): sizes in bytes.
    WindowOverLimit {
        /// The window or dictionary the stream declares.
        requested: u64,
        /// The bound in force.
        max: u64,
        /// `Zstd` or `Xz`.
        compression: Compression,
        /// Whether `docker load` reads the file all the same.
        docker_load_reads: bool,
    },
}

impl Error {
    /// The reason as a value, for the errors that say the whole file is not what was expected;
    /// `None` for the others (read failures, members), whose English message is the detail.
    pub fn unreadable(&self) -> Option<Unreadable> {
        match self {
            Error::Empty { .. } => Some(Unreadable::Empty),
            Error::NotATar { magic, looks, .. } => Some(Unreadable::NotATar {
                magic: magic.clone(),
                looks: *looks,
            }),
            Error::EndsEarly {
                bytes, compression, ..
            } => Some(Unreadable::EndsEarly {
                bytes: *bytes,
                compression: *compression,
            }),
            Error::WindowOverLimit {
                requested,
                max,
                compression,
                ..
            } => Some(Unreadable::WindowOverLimit {
                requested: *requested,
                max: *max,
                compression: *compression,
                docker_load_reads: crate::read::decompress::docker_reads_window(
                    *compression,
                    *requested,
                ),
            }),
            _ => None,
        }
    }
}
