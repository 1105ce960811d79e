//! Every bound the reader keeps, in one value, so work and memory stay bounded on hostile
//! files in the CLI and in the page's workers alike. Each limit that is hit becomes a
//! `limit` problem naming the member, the limit and the value found; reading goes on with
//! the rest of the archive.

use serde::{Deserialize, Serialize};

/// Bounds on the work and memory one archive may cost. Sizes are in bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Decompressed bytes one layer may yield, at least: the effective bound is the larger of
    /// this and `decompressed_ratio` × the archive's size (see [`Limits::decompressed_for`]).
    /// Default 4 GiB.
    pub max_decompressed_bytes: u64,
    /// How many times the archive's own size one layer may decompress to. Default 100
    /// (real layers compress 2–20×; only files of zeros come near gzip's 1032× ceiling).
    pub decompressed_ratio: u64,
    /// Memory one compressed stream may ask for as its window: a zstd frame's window or an xz
    /// block's LZMA2 dictionary. A layer asking for more is a `limit` problem
    /// ([`crate::model::ReadError::WindowOverLimit`], naming the size and the format), not read.
    /// Default 256 MiB (zstd's and xz's strongest standard presets use 128 MiB and 64 MiB).
    #[serde(default = "default_window")]
    pub max_window_bytes: u64,
    /// JSON members (manifests, index, configs) larger than this are not parsed. Default 8 MiB.
    pub max_json_bytes: u64,
    /// One extension record (GNU long name/link data, one PAX header's data) larger than this
    /// is not buffered: the entry is reported and skipped. Default 1 MiB (Go's `archive/tar`
    /// also caps PAX headers at 1 MiB).
    pub max_extension_bytes: u64,
    /// Entries listed per layer; past it, the listing stops with a problem. Default 4,000,000.
    pub max_entries_per_layer: usize,
    /// Components in one path inside a layer; deeper paths are reported. Default 1,024.
    pub max_path_depth: usize,
    /// Nesting of image indexes (an index naming an index ...). Default 8.
    pub max_index_depth: usize,
    /// Manifests and indexes followed in one archive, in all. Default 4,096.
    pub max_manifests: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_decompressed_bytes: 4 << 30,
            decompressed_ratio: 100,
            max_window_bytes: default_window(),
            max_json_bytes: 8 << 20,
            max_extension_bytes: 1 << 20,
            max_entries_per_layer: 4_000_000,
            max_path_depth: 1024,
            max_index_depth: 8,
            max_manifests: 4096,
        }
    }
}

fn default_window() -> u64 {
    256 << 20
}

impl Limits {
    /// The decompressed-bytes bound for one layer of an archive of `archive_bytes` bytes:
    /// `max(max_decompressed_bytes, decompressed_ratio × archive_bytes)`, saturating.
    pub fn decompressed_for(&self, archive_bytes: u64) -> u64 {
        self.max_decompressed_bytes
            .max(self.decompressed_ratio.saturating_mul(archive_bytes))
    }

    /// The decompressed-bytes bound for all the layers of one archive together: twice the
    /// bound of one layer ([`Limits::decompressed_for`]), saturating. Without it, the work a
    /// small file can cause grows with its number of layers (20 zstd layers of zeros in a
    /// 2.5 MB file decompressed to 80 GB); with it, the work stays proportional to the file.
    pub fn decompressed_total_for(&self, archive_bytes: u64) -> u64 {
        self.decompressed_for(archive_bytes).saturating_mul(2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decompressed_bound_scales_with_the_archive_and_saturates() {
        let l = Limits::default();
        assert_eq!(l.decompressed_for(1000), 4 << 30);
        assert_eq!(l.decompressed_for(1 << 30), 100 << 30);
        assert_eq!(l.decompressed_for(u64::MAX), u64::MAX);
        assert_eq!(l.decompressed_total_for(1000), 8 << 30);
        assert_eq!(l.decompressed_total_for(u64::MAX), u64::MAX);
    }
}
