//! An `arbitrary`-style robustness run: fixture bytes mutated (flipped, truncated, inserted)
//! by a seeded xorshift, read with `read_stream` and `open`. Nothing may panic or hang; the
//! loop is bounded in time. (Deterministic: the same seed gives the same inputs.)

use std::path::PathBuf;
use std::time::{Duration, Instant};

use pancake_core::read::archive::{open, read_stream, Options};

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn fixtures_dir() -> PathBuf {
    std::env::var("PANCAKE_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures")
        })
}

fn mutate(rng: &mut XorShift, base: &[u8]) -> Vec<u8> {
    let mut v = base.to_vec();
    for _ in 0..1 + rng.below(4) {
        match rng.below(5) {
            0 | 1 => {
                let i = rng.below(v.len());
                if let Some(b) = v.get_mut(i) {
                    *b ^= 1 << rng.below(8);
                }
            }
            2 => {
                // Mostly hit headers: the first bytes of a 512-byte block.
                let i = rng.below(v.len() / 512 + 1) * 512 + rng.below(160);
                if let Some(b) = v.get_mut(i) {
                    *b = rng.next() as u8;
                }
            }
            3 => {
                let n = rng.below(v.len() + 1);
                v.truncate(n);
            }
            _ => {
                let i = rng.below(v.len() + 1);
                let junk: Vec<u8> = (0..1 + rng.below(600)).map(|_| rng.next() as u8).collect();
                v.splice(i..i, junk);
            }
        }
    }
    v
}

#[test]
fn mutated_fixtures_never_panic() {
    let names = [
        "fixture_ggcr_tarball_test_bundle.tar",
        "umoci-skopeo-oci-archive-gnu-repacked.tar",
        "fixture_dive_test-oci-gzip-image.tar",
        "fixture_dive_test-oci-zstd-image.tar",
        "fixture_ggcr_tarball_test_link.tar",
        "fixture_cimage_almostempty.tar",
    ];
    let dir = fixtures_dir();
    let bases: Vec<Vec<u8>> = names
        .iter()
        .filter_map(|n| std::fs::read(dir.join(n)).ok())
        .collect();
    assert!(!bases.is_empty(), "no fixtures found in {}", dir.display());
    // Small limits so a mutation that inflates sizes cannot make a run slow.
    let opts = Options {
        limits: pancake_core::limits::Limits {
            max_decompressed_bytes: 8 << 20,
            ..Default::default()
        },
        threads: 2,
        ..Options::default()
    };
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let start = Instant::now();
    let mut runs = 0;
    while runs < 2000 && start.elapsed() < Duration::from_secs(20) {
        let base = &bases[runs % bases.len()];
        let input = mutate(&mut rng, base);
        let a = read_stream("fuzz", &input[..], input.len() as u64, &opts, &mut |_| {});
        let b = open("fuzz", &input, &opts, &mut |_| {});
        if let (Ok(a), Ok(b)) = (&a, &b) {
            assert_eq!(a, b, "run {runs}: read_stream and open disagree");
        } else {
            assert_eq!(
                a.is_ok(),
                b.is_ok(),
                "run {runs}: one reader failed, the other did not"
            );
        }
        runs += 1;
    }
    assert!(runs >= 50, "only {runs} runs in the time budget");
}

/// The layer reader on its own: a layer tar with long PAX names, links and whiteouts, stored
/// plain and gzip-compressed, mutated and handed to the member processor (which walks the inner
/// tar while hashing). Nothing may panic; the stored-bytes digest must always be computed.
#[test]
fn mutated_layers_never_panic() {
    use pancake_core::read::member::process;
    use pancake_core::write::tarwrite::{layer_tar, TarEntry};
    use pancake_core::RawPath;
    use std::io::Write;

    let long = format!("usr/share/{}/file.txt", "d".repeat(150));
    let layer = layer_tar(vec![
        TarEntry::dir("etc", 0o755),
        TarEntry::file("etc/hosts", b"127.0.0.1 localhost\n".to_vec(), 0o644),
        TarEntry::file(long.as_str(), vec![7u8; 3000], 0o644),
        TarEntry::symlink("etc/link", "hosts"),
        TarEntry::hardlink("etc/hard", "etc/hosts"),
        TarEntry::whiteout(&RawPath::from("var/old")),
        TarEntry::opaque(&RawPath::from("opt")),
    ])
    .expect("a layer tar builds");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&layer).expect("gzip in memory");
    let gzipped = gz.finish().expect("gzip in memory");
    let bases = [layer, gzipped];

    let opts = Options {
        limits: pancake_core::limits::Limits {
            max_decompressed_bytes: 4 << 20,
            ..Default::default()
        },
        ..Options::default()
    };
    let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
    let start = Instant::now();
    let mut runs = 0;
    while runs < 3000 && start.elapsed() < Duration::from_secs(15) {
        let base = &bases[runs % bases.len()];
        let input = mutate(&mut rng, base);
        let done = process(
            &input[..],
            "layer.tar",
            input.len() as u64,
            Some(0),
            input.len() as u64,
            false,
            &opts,
            &mut |_| {},
            None,
        );
        assert!(
            done.facts.sha256.is_some(),
            "run {runs}: the stored digest was not computed"
        );
        runs += 1;
    }
    assert!(runs >= 100, "only {runs} runs in the time budget");
}
