//! `prehashed::index_unhashed` + `finish` (the page's WebCrypto path) must give exactly the
//! facts `hash_member` (the streaming path) gives for the same job, on every fixture.

use std::path::PathBuf;

use pancake_core::read::archive::{hash_member, scan, HashJob, Options};
use pancake_core::read::prehashed::index_unhashed;
use pancake_core::{Digest, EntryKind, HashPath};

fn shared() -> PathBuf {
    match std::env::var("PANCAKE_FIXTURES") {
        Ok(p) => PathBuf::from(p),
        Err(_) => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures"),
    }
}

#[test]
fn prehashed_facts_equal_streamed_facts_on_every_fixture() {
    let opts = Options::default();
    let mut files = 0;
    let mut prehashed = 0;
    let mut streamed_only = 0;
    let mut entries = 0usize;
    let mut json = 0usize;
    let mut dir: Vec<_> = std::fs::read_dir(shared())
        .expect("fixtures directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "tar"))
        .collect();
    dir.sort();
    for path in dir {
        let bytes = std::fs::read(&path).expect("fixture");
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Ok(archive) = scan(&name, &bytes[..], &opts) else {
            continue;
        };
        files += 1;
        // Every regular member, not only those `scan` left unhashed: small configs and
        // manifests (JSON) take the same path when the page is given them as jobs.
        let jobs = archive.members.iter().enumerate().filter_map(|(i, m)| {
            // A member cut by the file's end is for the streaming path to report; the page
            // checks that the bytes it hashed are the member's whole length.
            let whole = m.data_offset?.checked_add(m.size)? <= bytes.len() as u64;
            (m.kind == EntryKind::File && whole).then_some(HashJob {
                member: i,
                offset: m.data_offset?,
                len: m.size,
                sha512: false,
                indexed: false,
            })
        });
        for job in jobs {
            let streamed = hash_member(&bytes[..], &job, &opts, &mut |_| {});
            let Some(unhashed) = index_unhashed(&bytes[..], &job, &opts) else {
                // Only compressed (or unreadable) members are left to the streaming path.
                assert_ne!(
                    streamed.compression,
                    pancake_core::Compression::None,
                    "{name} member {}: an uncompressed member was refused",
                    job.member
                );
                streamed_only += 1;
                continue;
            };
            let blob = &bytes[job.offset as usize..(job.offset + job.len) as usize];
            let mut got = unhashed.finish(Digest::of_bytes(blob), None, HashPath::WebCrypto);
            assert_eq!(got.hashed_with, Some(HashPath::WebCrypto));
            got.hashed_with = None;
            assert_eq!(got, streamed, "{name} member {}", job.member);
            json += usize::from(got.json.is_some());
            entries += got.layer.as_ref().map_or(0, |l| l.entries.len());
            prehashed += 1;
        }
    }
    assert!(files >= 20, "only {files} fixtures read");
    assert!(
        prehashed >= 200,
        "only {prehashed} members took the prehashed path"
    );
    assert!(
        streamed_only >= 3,
        "only {streamed_only} compressed members"
    );
    assert!(entries > 100, "only {entries} layer entries compared");
    assert!(json > 50, "only {json} JSON members compared");
}
