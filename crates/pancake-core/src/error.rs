//! Errors that stop reading altogether. Everything else is a `Problem` in the model.

use thiserror::Error;

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
        compression: crate::model::Compression,
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

fn what_ends(c: crate::model::Compression) -> String {
    match c {
        crate::model::Compression::None => "file".to_string(),
        other => format!("{} stream", crate::read::decompress::name(other)),
    }
}
