//! The layer walker over raw, gzip and zstd bytes. The first byte picks how the rest is
//! fed: as a layer tar to `layer::walk` and `layer::walk_headers` (which must agree on the
//! entries), as a stored blob to `member::process` (sniffs gzip/zstd, decompresses under the
//! limits, hashes, walks), or compressed here first so the tar inside a valid gzip or zstd
//! stream is what gets fuzzed.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;
use pancake_core::read::{layer, member};

fn process(blob: &[u8]) {
    let opts = pancake_fuzz::options();
    let p = member::process(
        blob,
        "blob",
        blob.len() as u64,
        None,
        blob.len() as u64,
        false,
        &opts,
        &mut |_| {},
        None,
    );
    if let Some(l) = p.facts.layer {
        assert!(l.entries.len() <= opts.limits.max_entries_per_layer);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 4 {
        0 => {
            let limits = pancake_fuzz::options().limits;
            let streamed = layer::walk(rest, "layer.tar", Some(0), &limits);
            let seeked = layer::walk_headers(rest, 0, rest.len() as u64, "layer.tar", &limits);
            // Same tar, same parser: a header-only walk lists what the streaming walk lists
            // whenever neither stopped early.
            if streamed.error.is_none() && seeked.error.is_none() {
                assert_eq!(streamed.entries, seeked.entries);
            }
        }
        1 => process(rest),
        2 => {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            if enc.write_all(rest).is_ok() {
                if let Ok(gz) = enc.finish() {
                    process(&gz);
                }
            }
        }
        _ => {
            let zst = ruzstd::encoding::compress_to_vec(
                rest,
                ruzstd::encoding::CompressionLevel::Fastest,
            );
            process(&zst);
        }
    }
});
