//! Reading: the outer tarball → its members → layer indexes → resolved images.
//!
//! `sniff` names the file's format and compression from its first bytes; `archive` walks the
//! outer tar and drives the member processor (`member`), which indexes layers (`layer`, over
//! Go-`archive/tar`-compatible headers in `tarfmt`, placing names written through the layer's
//! own symlinks as Docker does in `through_symlink`, listing a finding's first problems per
//! layer and counting the rest in `listed`, finding the entries unpacking fails on
//! in `below_non_folder`) through `decompress`; `image` resolves
//! the images the archive describes (manifest.json, OCI index, legacy `repositories`);
//! `offload` lets a blob's digest be computed elsewhere while a compressed save is read;
//! `reading` drives one reading (plan jobs → apply facts → done) for the CLI and the page, and
//! `resolution_change` says what one of its resolutions changes of the one before.

pub mod archive;
pub mod below_non_folder;
pub mod config;
pub mod contents;
pub mod decompress;
pub mod export;
pub mod extension_guard;
pub mod gojson;
pub mod image;
pub mod layer;
pub mod listed;
pub mod member;
pub mod offload;
pub mod prehashed;
pub mod reading;
pub mod resolution_change;
pub mod sniff;
pub mod tarfmt;
pub mod through_symlink;
