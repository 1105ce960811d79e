//! The worker-side glue in a real dedicated worker of headless Chromium: `FileSource` reads a
//! browser `File` exactly like memory, the core gives the same model through it, and the
//! message envelope carries a `File` handle and bytes intact.
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown -p pancake-web`

#![cfg(target_arch = "wasm32")]

use pancake_core::read::archive::{self, Options};
use pancake_core::read::reading::{self, HashJob, Reading};
use pancake_core::ReadAt;
use pancake_demo as demo;
use pancake_web::file_source::FileSource;
use pancake_web::protocol::{decode, encode, Request};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::File;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

fn file_of(bytes: &[u8], name: &str) -> File {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    File::new_with_u8_array_sequence(&parts, name).expect("File")
}

fn demo_bytes() -> Vec<u8> {
    demo::build("nginx").expect("nginx demo")
}

#[wasm_bindgen_test]
fn file_source_reads_like_memory() {
    let bytes = demo_bytes();
    let src = FileSource::new(file_of(&bytes, "nginx.tar")).expect("FileSource");
    assert_eq!(src.len(), bytes.len() as u64);
    let n = bytes.len();
    // Sequential small reads (read-ahead grows), random jumps, a read past the end.
    let mut spots: Vec<(usize, usize)> = (0..40).map(|i| (i * 512, 512)).collect();
    spots.extend([
        (0, 1),
        (n / 3, 70_000),
        (n / 2, 3),
        (n - 10, 100),
        (7, 4 * 1024 * 1024 + 5),
    ]);
    for (off, len) in spots {
        let got = src.read_vec_at(off as u64, len).expect("read");
        let want = &bytes[off.min(n)..(off + len).min(n)];
        assert_eq!(got.as_slice(), want, "read_at({off}, {len})");
    }
    let mut buf = [0u8; 8];
    assert_eq!(src.read_at(n as u64, &mut buf).expect("read at end"), 0);
}

/// A real `docker save` whose 2 MB base layer is big enough to be left for a hash job.
const APP1: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/fixtures/docker26-save-app1.tar"
));

#[wasm_bindgen_test]
fn scan_and_hash_through_a_file_match_memory() {
    let bytes = APP1.to_vec();
    let src = FileSource::new(file_of(&bytes, "app1.tar")).expect("FileSource");
    let opts = Options::default();
    let from_file = archive::scan("app1.tar", &src, &opts).expect("scan file");
    let from_mem = archive::scan("app1.tar", &bytes, &opts).expect("scan memory");
    assert_eq!(from_file, from_mem);

    // Hash every job the way the worker pool does, and apply the facts to the reading.
    let mut r = Reading::planned(from_file, &opts.limits);
    let jobs = r.jobs().to_vec();
    assert!(!jobs.is_empty(), "the base layer is left to a hash job");
    for j in &jobs {
        let mut last = 0;
        let f = reading::hash(&src, j, &opts, &mut |b| last = b);
        assert_eq!(last, j.len, "progress ends at the job's length");
        r.apply(j.member, f);
    }
    assert!(r.is_done());
    let done = r.into_archive();
    let streamed = archive::read_stream(
        "app1.tar",
        bytes.as_slice(),
        bytes.len() as u64,
        &opts,
        &mut |_| {},
    )
    .expect("read_stream");
    assert_eq!(done.images, streamed.images);
    let image = done.images.first().expect("one image");
    assert!(
        image.layers.iter().all(|l| l.verified),
        "every layer verified"
    );
}

#[wasm_bindgen_test]
fn envelope_carries_file_and_bytes() {
    let bytes = demo_bytes();
    let file = file_of(&bytes, "x.tar");
    let req = Request::Hash {
        job: HashJob {
            member: 3,
            offset: 1536,
            len: 99,
            sha512: true,
            indexed: true,
        },
        fed: true,
    };
    let v = encode(&req, Some(&file), Some(b"\x00\x01abc")).expect("encode");
    let env = decode::<Request>(&v).expect("decode");
    match env.msg {
        Request::Hash { job, fed } => assert_eq!(
            (job, fed),
            (
                HashJob {
                    member: 3,
                    offset: 1536,
                    len: 99,
                    sha512: true,
                    indexed: true,
                },
                true
            )
        ),
        other => panic!("wrong message {other:?}"),
    }
    let f = env.file.expect("file survives");
    assert_eq!(f.size() as usize, bytes.len());
    assert_eq!(f.name(), "x.tar");
    let bytes = env.bytes.map(|b| b.to_vec());
    assert_eq!(bytes.as_deref(), Some(&b"\x00\x01abc"[..]));
    // Copied once, into a shared allocation, the same bytes.
    let again = decode::<Request>(&v).expect("decode again");
    let shared = again.bytes.map(|b| b.to_shared());
    assert_eq!(shared.as_deref(), Some(&b"\x00\x01abc"[..]));
    // The same, and the JS buffer released: detached, it holds nothing any more.
    let js: js_sys::Uint8Array = js_sys::Reflect::get(&v, &"bytes".into())
        .expect("bytes")
        .dyn_into()
        .expect("a Uint8Array");
    let released = decode::<Request>(&v).expect("decode a third time");
    let shared = released.bytes.map(|b| b.into_shared());
    assert_eq!(shared.as_deref(), Some(&b"\x00\x01abc"[..]));
    assert_eq!(js.buffer().byte_length(), 0, "the buffer is detached");
    // A view of part of a buffer leaves the buffer alone.
    let buffer = js_sys::ArrayBuffer::new(8);
    let part = js_sys::Uint8Array::new_with_byte_offset_and_length(&buffer, 2, 3);
    part.copy_from(b"xyz");
    let shared = pancake_web::protocol::JsBytes::from(part).into_shared();
    assert_eq!(&*shared, b"xyz");
    assert_eq!(buffer.byte_length(), 8, "not detached");
}

/// A `MessageChannel`'s ports (`port1`, `port2`).
fn channel() -> (wasm_bindgen::JsValue, wasm_bindgen::JsValue) {
    let ctor: js_sys::Function = js_sys::Reflect::get(&js_sys::global(), &"MessageChannel".into())
        .expect("MessageChannel")
        .into();
    let ch = js_sys::Reflect::construct(&ctor, &js_sys::Array::new()).expect("channel");
    (
        js_sys::Reflect::get(&ch, &"port1".into()).expect("port1"),
        js_sys::Reflect::get(&ch, &"port2".into()).expect("port2"),
    )
}

/// The walk's reads feed a hasher over a real `MessagePort` (`feed`): a blob read with small
/// gaps (which the reader closes) is fed whole and its digest is that of its bytes; one the
/// reads skip over (a gap of more than 64 KiB) is not fed, and asking for it says so.
#[wasm_bindgen_test]
async fn walk_reads_feed_a_hasher_the_exact_bytes_of_the_blobs_read_whole() {
    use pancake_core::Digest;
    use pancake_web::feed::{self, Tee};
    // 12 MiB of bytes that differ everywhere; the second blob far from the first, so the
    // read-ahead of the first loop (at most 1 MiB at a time there) never reaches it.
    let bytes: Vec<u8> = (0..12u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let whole = (512u64, 2u64 << 20);
    let skipped = (10u64 << 20, 700_000u64);
    let src = FileSource::new(file_of(&bytes, "fed.tar")).expect("FileSource");
    let (scanner_end, hasher_end) = channel();
    let hasher_src = FileSource::new(file_of(&bytes, "fed.tar")).expect("FileSource");
    feed::listen(&hasher_end, std::rc::Rc::new(hasher_src));
    src.tee(Tee::open(scanner_end, &[skipped, whole]).expect("tee"));
    // Like a header walk over 39.5 KiB files: a 512-byte read every 40 KiB, through the
    // first blob and a little past it.
    let mut buf = [0u8; 512];
    let mut at = 0u64;
    while at < whole.0 + whole.1 + 4096 {
        let n = src.read_at(at, &mut buf).expect("read");
        assert_eq!(&buf[..n], &bytes[at as usize..at as usize + n]);
        at += 40 << 10;
    }
    // Then it seeks 300 KiB into the second blob and reads on.
    let mut at = skipped.0 + (300 << 10);
    while at < skipped.0 + skipped.1 {
        src.read_at(at, &mut buf).expect("read");
        at += 512;
    }
    let fed = src.untee();
    assert_eq!(
        fed,
        vec![whole],
        "only the blob read from first byte to last"
    );
    let mut seen = 0;
    let got = feed::digest(whole.0, whole.1, &mut |n| seen = n).await;
    let want = Digest::of_bytes(&bytes[whole.0 as usize..(whole.0 + whole.1) as usize]);
    assert_eq!(got, Some((want, pancake_core::HashPath::WithTheWalk)));
    // Too small to be hashed beside the walk (under 32 MiB): not fed, nothing to ask for.
    assert_eq!(feed::digest(skipped.0, skipped.1, &mut |_| {}).await, None);
    assert_eq!(
        feed::digest(1, 2, &mut |_| {}).await,
        None,
        "a blob never planned"
    );
    // After the tee is gone, reads are not handed over (nothing is posted, nothing breaks).
    assert_eq!(src.read_at(0, &mut buf).expect("read"), 512);
    let _ = seen;
}

/// A large blob the walk seeks through (a layer of large files) falls out of the feed at its
/// first gap and is named to the hasher, which hashes it beside the walk from reads of its
/// own: the walk's end counts it as fed, and its digest is that of its bytes, said to be
/// hashed beside the walk. A second large blob that falls out later is not named (one only).
#[wasm_bindgen_test]
async fn a_large_blob_the_walk_seeks_through_is_hashed_beside_it_from_the_hashers_own_reads() {
    use pancake_core::{Digest, HashPath};
    use pancake_web::feed::{self, Tee};
    let bytes: Vec<u8> = (0..80u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 7) as u8)
        .collect();
    // Both at least 32 MiB and half the largest: only the first to fall out is named.
    let big = (512u64, 40u64 << 20);
    let later = (41u64 << 20, 36u64 << 20);
    let src = FileSource::new(file_of(&bytes, "beside.tar")).expect("FileSource");
    let (scanner_end, hasher_end) = channel();
    let hasher_src = FileSource::new(file_of(&bytes, "beside.tar")).expect("FileSource");
    feed::listen(&hasher_end, std::rc::Rc::new(hasher_src));
    src.tee(Tee::open(scanner_end, &[big, later]).expect("tee"));
    // A header walk over 8 MiB files: a 512-byte read every 8 MiB through both blobs.
    let mut buf = [0u8; 512];
    let mut at = 0u64;
    while at < later.0 + later.1 {
        let n = src.read_at(at, &mut buf).expect("read");
        assert_eq!(&buf[..n], &bytes[at as usize..at as usize + n]);
        at += 8 << 20;
    }
    let fed = src.untee();
    assert_eq!(
        fed,
        vec![big],
        "the named blob counts as fed; the later one does not"
    );
    let mut seen = 0;
    let got = feed::digest(big.0, big.1, &mut |n| seen = seen.max(n)).await;
    let want = Digest::of_bytes(&bytes[big.0 as usize..(big.0 + big.1) as usize]);
    assert_eq!(got, Some((want, HashPath::BesideTheWalk)));
    assert_eq!(feed::digest(later.0, later.1, &mut |_| {}).await, None);
}

/// A save compressed as a whole hands blobs to a hasher over a real `MessagePort`
/// (`feed::HandOn` on the scanner's side, `feed::listen` on the hasher's): the digests come
/// back in the order the blobs were taken, each that of its own bytes however they were cut
/// into pieces; a blob under 4 MiB, or one larger than what the bound allows yet, is not taken.
#[wasm_bindgen_test]
async fn blobs_handed_on_come_back_with_the_digests_of_their_bytes_in_order() {
    use pancake_core::read::offload::Offload;
    use pancake_core::Digest;
    use pancake_web::feed::{self, HandOn};
    let bytes: Vec<u8> = (0..11u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect();
    let (first, second) = bytes.split_at(5 << 20);
    let (scanner_end, hasher_end) = channel();
    let hasher_src = FileSource::new(file_of(&bytes, "handed.tar")).expect("FileSource");
    feed::listen(&hasher_end, std::rc::Rc::new(hasher_src));
    let mut hand_on = HandOn::new(scanner_end);
    assert!(
        !hand_on.take(1 << 20),
        "a small blob stays with the scanner"
    );
    assert!(
        !hand_on.take(600 << 20),
        "over 512 MiB ahead at the start: not taken"
    );
    for blob in [first, second] {
        assert!(hand_on.take(blob.len() as u64));
        // Cut as a walk reads: a header, then uneven runs.
        let mut at = 0;
        for n in [512usize, 70_000, 3 << 20].iter().cycle() {
            if at >= blob.len() {
                break;
            }
            let end = (at + n).min(blob.len());
            hand_on.piece(&blob[at..end]);
            at = end;
        }
        hand_on.end();
    }
    assert_eq!(hand_on.blobs(), 2);
    let digests = hand_on.digests().await;
    assert_eq!(
        digests,
        vec![
            Some(Digest::of_bytes(first)),
            Some(Digest::of_bytes(second))
        ]
    );
}

/// Deterministic bytes (a multiplicative hash of the index), so a failure reproduces.
fn patterned(n: usize) -> Vec<u8> {
    (0..n as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect()
}

/// The core's four-lane SHA-256 as the page runs it (wasm32 with `simd128`: `v128` lanes, the
/// shuffles that transpose the blocks), against `sha2` (`Digest::of_bytes`): streams of many
/// lengths pushed in uneven pieces, one to four at a time.
#[wasm_bindgen_test]
fn four_lane_sha256_in_wasm_simd_is_sha256() {
    use pancake_core::digest::lanes::Lanes;
    use pancake_core::Digest;
    let data = patterned(200_000);
    for width in 1..=4usize {
        for len in (0..=130).chain([1000, 4095, 4096, 65_537, 150_000]) {
            let mut lanes = Lanes::new();
            let ids: Vec<usize> = (0..width)
                .map(|_| lanes.open().expect("a free lane"))
                .collect();
            let streams: Vec<&[u8]> = (0..width).map(|k| &data[k * 11..k * 11 + len]).collect();
            let mut at = vec![0usize; width];
            let mut step = 0;
            while at.iter().zip(&streams).any(|(a, s)| *a < s.len()) {
                for k in 0..width {
                    step += 1;
                    let piece = [1, 63, 64, 65, 700, 4096, 10_007][step % 7];
                    let end = (at[k] + piece).min(streams[k].len());
                    lanes.push(ids[k], &streams[k][at[k]..end]);
                    at[k] = end;
                }
            }
            for k in 0..width {
                assert_eq!(
                    lanes.finish(ids[k]),
                    Some(Digest::of_bytes(streams[k])),
                    "{width} at once, {len} bytes, stream {k}"
                );
            }
        }
    }
}

/// Four slices of one `File` asked for at once (as a hasher's jobs): each is read through its
/// own BYOB reader and hashed in a lane (`pancake_web::lanes`), and each digest is its bytes'.
/// The three longest share the vector for a while; the shortest ends first.
#[wasm_bindgen_test]
async fn blobs_asked_for_at_once_are_hashed_together_each_to_its_own_digest() {
    use pancake_core::Digest;
    let data = patterned(40 << 20);
    let ranges = [
        (0usize, 12 << 20),
        (12 << 20, (22 << 20) + 17),
        ((22 << 20) + 17, (31 << 20) + 1000),
        ((31 << 20) + 1000, 40 << 20),
    ];
    let file = file_of(&data, "lanes.bin");
    let promises = js_sys::Array::new();
    for (from, to) in ranges {
        let blob = file
            .slice_with_f64_and_f64(from as f64, to as f64)
            .expect("slice");
        let len = (to - from) as u64;
        promises.push(&wasm_bindgen_futures::future_to_promise(async move {
            let mut seen = 0;
            let got = pancake_web::lanes::sha256(blob, len, &mut |n| seen = n).await;
            let (digest, together) = got.ok_or_else(|| JsValue::from_str("no digest"))?;
            assert_eq!(seen, len, "progress reached the whole blob");
            Ok(js_sys::Array::of2(
                &JsValue::from_str(digest.as_str()),
                &JsValue::from_bool(together),
            )
            .into())
        }));
    }
    let all = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::all(&promises))
        .await
        .expect("every blob hashed");
    let all: js_sys::Array = all.into();
    let mut together = 0;
    for (k, (from, to)) in ranges.into_iter().enumerate() {
        let pair: js_sys::Array = all.get(k as u32).into();
        assert_eq!(
            pair.get(0).as_string(),
            Some(Digest::of_bytes(&data[from..to]).as_str().to_string()),
            "blob {k}"
        );
        together += usize::from(pair.get(1).as_bool() == Some(true));
    }
    assert!(together >= 3, "{together} of 4 went through the vector");
}
