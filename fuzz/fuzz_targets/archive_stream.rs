//! The sequential outer reader (`archive::read_stream`, plain or gzip tarballs) over fuzz
//! bytes, then every view of whatever it read; and the same file read again with every blob
//! handed on to be hashed elsewhere (`read::offload`, as the page does for a compressed save),
//! whose digests, put back, must give the same archive. What it read must cross to the page
//! unchanged (`pancake_fuzz::crossings`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pancake_core::digest::Hasher;
use pancake_core::read::archive;
use pancake_core::read::offload::Offload;
use pancake_core::read::reading::Reading;

/// Hashes every blob it is handed, as the page's second worker does.
#[derive(Default)]
struct Elsewhere {
    hashing: Option<Hasher>,
    digests: Vec<Option<pancake_core::Digest>>,
}

impl Offload for Elsewhere {
    fn take(&mut self, _len: u64) -> bool {
        assert!(
            self.hashing.is_none(),
            "a blob is taken only after the last one ended"
        );
        self.hashing = Some(Hasher::new());
        true
    }
    fn piece(&mut self, bytes: &[u8]) {
        if let Some(h) = self.hashing.as_mut() {
            h.update(bytes);
        }
    }
    fn end(&mut self) {
        let h = self.hashing.take().expect("end follows take");
        self.digests.push(Some(h.finish()));
    }
}

fuzz_target!(|data: &[u8]| {
    let opts = pancake_fuzz::options();
    if let Ok(a) = archive::read_stream("fuzz.tar", data, data.len() as u64, &opts, &mut |_| {}) {
        pancake_fuzz::views(&a);
        pancake_fuzz::crossings(&a);
        // Compressed outer file: content is read by streaming the file again.
        pancake_fuzz::read_some_contents(data, &a, 4);
    }
    let start = |offload: Option<&mut dyn Offload>| {
        Reading::start_watched("fuzz.tar", data, &opts, &mut |_| {}, &mut |_| {}, offload)
    };
    let mut elsewhere = Elsewhere::default();
    if let (Ok(mut one), Ok(mut two)) = (start(None), start(Some(&mut elsewhere))) {
        two.digests_handed_back(std::mem::take(&mut elsewhere.digests));
        let (a, b) = (one.archive(), two.archive());
        assert_eq!(a.members.len(), b.members.len());
        for (x, y) in a.members.iter().zip(&b.members) {
            let mut y = y.facts.clone();
            y.hashed_with = x.facts.hashed_with;
            assert_eq!(x.facts, y, "{}", x.path.display());
        }
        assert_eq!(a.images, b.images);
        assert_eq!(a.problems, b.problems);
    }
});
