//! The sequential outer reader (`archive::read_stream`, plain or gzip tarballs) over fuzz
//! bytes, then every view of whatever it read.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pancake_core::read::archive;

fuzz_target!(|data: &[u8]| {
    let opts = pancake_fuzz::options();
    if let Ok(a) = archive::read_stream("fuzz.tar", data, data.len() as u64, &opts, &mut |_| {}) {
        pancake_fuzz::views(&a);
        // Compressed outer file: content is read by streaming the file again.
        pancake_fuzz::read_some_contents(data, &a, 4);
    }
});
