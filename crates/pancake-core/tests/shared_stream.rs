//! Two readers sharing one compressed stream (the page's scanner and a second worker, issue
//! 13): the indexer's reading settled with the hasher's facts must equal one reader doing it
//! all — on every fixture, gzipped here when it is not compressed already.

use std::io::Write;
use std::path::PathBuf;

use pancake_core::read::archive::{read_stream_shared, Options};
use pancake_core::read::member::{Share, ShareRule, SHARE_MIN_BYTES};
use pancake_core::read::reading::{Applied, Reading};
use pancake_core::{Archive, HashPath, MemberFacts};

fn shared() -> PathBuf {
    match std::env::var("PANCAKE_FIXTURES") {
        Ok(p) => PathBuf::from(p),
        Err(_) => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures"),
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).expect("gzip");
    e.finish().expect("gzip")
}

/// The hasher's facts, member by member, as its worker posts them.
fn hasher_facts(name: &str, bytes: &[u8], opts: &Options) -> Vec<(usize, MemberFacts)> {
    let mut got = Vec::new();
    let _ = read_stream_shared(
        name,
        bytes,
        bytes.len() as u64,
        opts,
        Share::Hasher,
        &mut |_| {},
        &mut |a: &Archive| {
            let i = a.members.len().saturating_sub(1);
            if let Some(m) = a.members.get(i).filter(|m| m.facts.sha256.is_some()) {
                got.push((i, m.facts.clone()));
            }
        },
    );
    got
}

#[test]
fn indexer_plus_hasher_equals_one_reader_on_every_fixture() {
    let opts = Options::default();
    let mut dir: Vec<_> = std::fs::read_dir(shared())
        .expect("fixtures directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.to_string_lossy().ends_with(".tar") || p.to_string_lossy().ends_with(".tar.gz")
        })
        .collect();
    dir.sort();
    let (mut files, mut shared_jobs) = (0, 0);
    for path in dir {
        let raw = std::fs::read(&path).expect("fixture");
        let bytes = if path.to_string_lossy().ends_with(".gz") {
            raw
        } else {
            gzip(&raw)
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let whole = match Reading::start_shared(
            &name,
            &bytes,
            &opts,
            Share::Whole,
            &mut |_| {},
            &mut |_| {},
        ) {
            Ok(r) => r.into_archive(),
            Err(e) => {
                // Unreadable as a whole: the indexer must fail the same way.
                let shared = Reading::start_shared(
                    &name,
                    &bytes,
                    &opts,
                    Share::Indexer,
                    &mut |_| {},
                    &mut |_| {},
                );
                assert_eq!(
                    shared.err().map(|e| e.to_string()),
                    Some(e.to_string()),
                    "{name}"
                );
                continue;
            }
        };
        let mut indexer = Reading::start_shared(
            &name,
            &bytes,
            &opts,
            Share::Indexer,
            &mut |_| {},
            &mut |_| {},
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let streamed: Vec<usize> = indexer
            .jobs()
            .iter()
            .filter(|j| j.streamed)
            .map(|j| j.member)
            .collect();
        assert_eq!(
            streamed.len(),
            indexer.jobs().len(),
            "{name}: only streamed jobs"
        );
        let facts = hasher_facts(&name, &bytes, &opts);
        let mut from_hasher: Vec<usize> = facts.iter().map(|(m, _)| *m).collect();
        from_hasher.sort_unstable();
        let mut want = streamed.clone();
        want.sort_unstable();
        assert_eq!(
            from_hasher, want,
            "{name}: the hasher hashes exactly the streamed jobs"
        );
        for (m, f) in facts {
            assert_eq!(indexer.apply(m, f), Applied::Stored, "{name}: member {m}");
        }
        assert!(indexer.is_done(), "{name}");
        let mut merged = indexer.into_archive();
        // The one difference: the page says which blobs the second reader hashed.
        for (i, m) in merged.members.iter_mut().enumerate() {
            let want = streamed.contains(&i).then_some(HashPath::SecondReader);
            assert_eq!(m.facts.hashed_with, want, "{name}: member {i}");
            m.facts.hashed_with = None;
        }
        assert!(
            merged == whole,
            "{name}: the shared reading differs from one reader's"
        );
        files += 1;
        shared_jobs += streamed.len();
    }
    assert!(files >= 30, "{files} fixtures read");
    // Most fixtures carry a base layer over SHARE_MIN_BYTES: the split is exercised.
    assert!(
        shared_jobs >= 20,
        "{shared_jobs} members hashed by the second reader"
    );
}

#[test]
fn the_rule_deals_big_members_alternately_by_bytes_and_keeps_small_ones() {
    let mut rule = ShareRule::default();
    let mib = SHARE_MIN_BYTES;
    let dealt: Vec<bool> = [10 * mib, 4 * mib, 4 * mib, 1000, 3 * mib, 2 * mib]
        .iter()
        .map(|s| rule.hasher_takes(*s))
        .collect();
    // hasher 10; indexer 4, 8, 11 (behind until then); then the hasher takes 2 (12).
    assert_eq!(dealt, [true, false, false, false, false, true]);
}
