//! The random-access outer reader: the page's way (`scan`, then the `Reading` driver fed job by
//! job, in reverse order) and the CLI's (`archive::open`), file contents read back, then every
//! view, and what crosses to the page checked to arrive unchanged (the images after every job's
//! facts, as the changes the scanner sends).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pancake_core::read::{archive, reading};

fuzz_target!(|data: &[u8]| {
    let opts = pancake_fuzz::options();
    // `scan` alone is the page's first view; check it holds up before the hashing pass.
    if let Ok(s) = archive::scan("fuzz.tar", data, &opts) {
        let mut r = reading::Reading::planned(s, &opts.limits);
        let jobs = r.jobs().to_vec();
        let scan = r.resolution();
        let mut page = pancake_fuzz::ImagesOnThePage::scanned(r.applied(), scan);
        for job in jobs.iter().rev() {
            let facts = reading::hash(data, job, &opts, &mut |_| {});
            r.apply(job.member, facts);
            let now = r.resolution();
            page.follow(r.applied(), now);
        }
        pancake_fuzz::views(r.archive());
        pancake_fuzz::crossings(r.archive());
    }
    if let Ok(a) = archive::open("fuzz.tar", data, &opts, &mut |_| {}) {
        pancake_fuzz::read_some_contents(data, &a, 8);
        pancake_fuzz::views(&a);
        pancake_fuzz::crossings(&a);
    }
});
