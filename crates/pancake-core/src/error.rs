//! Errors that stop reading altogether. Everything else is a `Problem` in the model.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum Error {
    #[error("{name}: the file is empty")]
    Empty { name: String },
    #[error("{name}: not a tar archive (first bytes: {magic})")]
    NotATar { name: String, magic: String },
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
    #[error("{0}")]
    Other(String),
}
