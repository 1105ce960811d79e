//! The heap a large index takes, step by step, as the page's scanner worker makes it (issue 13,
//! target 3: the page's memory against the index's own data). Natively, with a counting
//! allocator: for each step the bytes in use after it and the peak during it, in MiB, then the
//! time of the fold of the first view's figures (`summary::summarize`, an average of five).
//! Sizes are this machine's (64-bit: `Entry` is larger than on wasm32), the shape is the page's.
//!
//! usage: `cargo run --release -p pancake-core --example index_memory -- FILE.tar`
//! (`bench/make_many_files.py /tmp/files.tar 200000` makes the input the README measures).

use std::alloc::{GlobalAlloc, Layout, System};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::Instant;

use pancake_core::analyze::summary;
use pancake_core::read::archive;
use pancake_core::read::reading::Reading;
use pancake_core::wire;

/// The system allocator, counting the bytes in use and their peak.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on to `System` unchanged; only the counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = IN_USE.fetch_add(layout.size(), Relaxed) + layout.size();
        PEAK.fetch_max(now, Relaxed);
        // SAFETY: the caller's contract is `System.alloc`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        IN_USE.fetch_sub(layout.size(), Relaxed);
        // SAFETY: the caller's contract is `System.dealloc`'s.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

fn mib(bytes: usize) -> f64 {
    bytes as f64 / 1_048_576.0
}

/// Prints the bytes in use now and the peak since the step before, and starts a new step.
fn step(name: &str) {
    let now = IN_USE.load(Relaxed);
    println!(
        "{name:28} in use {:>7.1} MiB   peak {:>7.1} MiB",
        mib(now),
        mib(PEAK.load(Relaxed))
    );
    PEAK.store(now, Relaxed);
}

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: index_memory FILE.tar");
        return ExitCode::from(2);
    };
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let options = archive::Options::default();
    step("start");
    // The page's scanner first posts the outline, then walks.
    match archive::scan_outline(&path, &file, &options) {
        Ok(outline) => drop(outline),
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::FAILURE;
        }
    }
    step("outline");
    let walk_started = Instant::now();
    let mut reading = match Reading::start(&path, &file, &options, &mut |_| {}) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let walk_ms = walk_started.elapsed().as_secs_f64() * 1e3;
    step("walk (the index)");
    println!("{:28} {walk_ms:.1} ms", "  walk's time");
    let archive = reading.archive();
    // What crosses to the page: the archive without its entries, and the entries' compact form.
    let (stripped, compact) = wire::split(archive);
    step("compact form made");
    println!("{:28} {} bytes", "  compact form", compact.len());
    // What the page then does with the bytes, a slice at a time.
    let decode_started = Instant::now();
    match wire::Decoder::new(compact.clone()).and_then(|mut d| d.step(usize::MAX).map(|_| d)) {
        Ok(d) => drop(d.finish()),
        Err(e) => eprintln!("compact form: {e}"),
    }
    let decode_ms = decode_started.elapsed().as_secs_f64() * 1e3;
    println!("{:28} {decode_ms:.1} ms", "  its decoding's time");
    drop((stripped, compact));
    println!("{:28} {}", "  entries", archive.entry_count());
    let summaries: Vec<_> = archive
        .images
        .iter()
        .map(|image| summary::summarize(archive, image))
        .collect();
    step("fold of the figures");
    drop(summaries);
    let started = Instant::now();
    for _ in 0..5 {
        for image in &archive.images {
            drop(summary::summarize(archive, image));
        }
    }
    println!(
        "{:28} {:.1} ms (an average of five)",
        "  fold's time",
        started.elapsed().as_secs_f64() * 1000.0 / 5.0
    );
    ExitCode::SUCCESS
}
