//! pancake-core: everything Pancake knows about container image tarballs.
//!
//! Bytes come in through [`source::ReadAt`] (or a plain `std::io::Read` for streams); an
//! immutable [`model::Archive`] comes out. Views read it; mutations (a container's edits,
//! a commit) return new values and never touch the image they started from.

// Every public item says what it holds or returns, in which units and order, and which
// errors (#12): a new undocumented one fails the build.
#![deny(missing_docs)]

mod byte_words;
pub mod digest;
pub mod entries;
pub mod error;
pub mod escape;
pub mod limits;
pub mod media;
pub mod model;
pub mod path;
pub mod reference;
pub mod source;
pub mod units;
pub mod wire;

// Reading (outer tarball → members → images).
pub mod read;

// Understanding (pure functions over the model).
pub mod analyze;

// Making (tar writing, containers, commits, exports).
pub mod write;

#[cfg(test)]
mod test_support;

pub use digest::Digest;
pub use entries::Entries;
pub use error::{Error, Looks, Unreadable};
pub use limits::Limits;
pub use model::*;
pub use path::RawPath;
pub use source::ReadAt;
