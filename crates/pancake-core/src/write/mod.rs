//! Making: tar writing (deterministic `docker save` tarballs) and containers — a writable
//! layer over an image, its commit and export.

pub mod container;
pub mod tarwrite;
