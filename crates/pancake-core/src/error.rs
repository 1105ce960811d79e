//! Errors that stop reading altogether. Everything else is a `Problem` in the model.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum Error {
    #[error("{name}: the file is empty")]
    Empty { name: String },
    #[error("{name}: not a tar archive (first bytes: {magic})")]
    NotATar { name: String, magic: String },
    /// The file (or its decompressed stream) ends inside the first 512-byte tar header: shorter
    /// than any tar archive, so it is cut off or not a tar at all.
    /// `bytes`: how many bytes there were (decompressed bytes when `compression` is not None).
    #[error(
        "{name}: the {} ends early, after {bytes} bytes, inside the first tar header (a header is 512 bytes): was the download complete?",
        what_ends(*compression)
    )]
    EndsEarly {
        name: String,
        bytes: u64,
        compression: crate::model::Compression,
    },
    #[error("{name}: read failed at byte {offset}: {source}")]
    Io {
        name: String,
        offset: u64,
        source: std::io::Error,
    },
    #[error("{name}: {member}: {message}")]
    Member {
        name: String,
        member: String,
        message: String,
    },
    /// The layer blob that would hold `path` is not in the archive.
    #[error("{name}: the layer blob holding {path} is missing")]
    BlobMissing { name: String, path: String },
    /// A member index that the archive does not have (`member` is 0-based).
    #[error("{name}: no member #{member}")]
    NoMember { name: String, member: usize },
}

fn what_ends(c: crate::model::Compression) -> String {
    match c {
        crate::model::Compression::None => "file".to_string(),
        other => format!("{} stream", crate::read::decompress::name(other)),
    }
}
