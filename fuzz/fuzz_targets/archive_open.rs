//! The random-access outer reader: `archive::open` (header scan, then each blob hashed),
//! file contents read back with `read_entry_content`, then every view.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pancake_core::read::archive;

fuzz_target!(|data: &[u8]| {
    let opts = pancake_fuzz::options();
    // `scan` alone is the page's first view; check it holds up before the hashing pass.
    if let Ok(s) = archive::scan("fuzz.tar", data, &opts) {
        let _ = archive::hash_jobs(&s);
    }
    if let Ok(a) = archive::open("fuzz.tar", data, &opts, &mut |_| {}) {
        pancake_fuzz::read_some_contents(data, &a, 8);
        pancake_fuzz::views(&a);
    }
});
