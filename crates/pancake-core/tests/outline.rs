//! `archive::scan_outline` (the page's first view of a save whose layer tars take long to
//! walk): the same images as `scan` — tags, configs, layer blobs and claimed diff_ids — with
//! the large layer tars left unwalked and counted, and never a problem that `scan` does not
//! also report (what the outline shows is not taken back when the walk ends).

use std::io::Read;
use std::path::PathBuf;

use pancake_core::read::archive::{scan, scan_outline, Options};
use pancake_core::write::tarwrite::{
    layer_tar, write_docker_save, Descriptor, SaveImage, TarEntry,
};
use pancake_core::{Archive, Digest};

fn shared() -> PathBuf {
    match std::env::var("PANCAKE_FIXTURES") {
        Ok(p) => PathBuf::from(p),
        Err(_) => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures"),
    }
}

/// What the outline must already know of each image.
fn structure(a: &Archive) -> Vec<String> {
    a.images
        .iter()
        .map(|i| {
            let layers: Vec<String> = i
                .layers
                .iter()
                .map(|l| {
                    format!(
                        "{:?} {:?} {:?} {} {:?}",
                        l.member, l.blob_path, l.config_diff_id, l.stored_size, l.compression
                    )
                })
                .collect();
            format!(
                "{} {:?} {:?} {} history {} | {}",
                i.source,
                i.tags,
                i.config_digest,
                i.layers.len(),
                i.history.len(),
                layers.join(" | ")
            )
        })
        .collect()
}

fn problems(a: &Archive) -> Vec<String> {
    a.problems
        .iter()
        .map(|p| format!("{:?} {:?} {}", p.kind, p.origin, p.message()))
        .collect()
}

/// Every problem of `outline` is one of `full`'s.
fn assert_subset(name: &str, outline: &Archive, full: &Archive) {
    let all = problems(full);
    for p in problems(outline) {
        assert!(
            all.contains(&p),
            "{name}: the outline reports {p}, the walk does not: {all:#?}"
        );
    }
}

#[test]
fn the_outline_of_every_fixture_has_the_walks_images_and_no_problem_of_its_own() {
    let opts = Options::default();
    let mut dir: Vec<_> = std::fs::read_dir(shared())
        .expect("fixtures directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "tar"))
        .collect();
    dir.sort();
    let mut read = 0;
    for path in dir {
        let bytes = std::fs::read(&path).expect("fixture");
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let full = scan(&name, &bytes[..], &opts);
        let outline = scan_outline(&name, &bytes[..], &opts);
        let (
            Ok(full),
            Ok(Some(pancake_core::read::archive::Outline {
                archive: outline,
                unwalked,
                tars,
            })),
        ) = (full, outline)
        else {
            continue;
        };
        read += 1;
        assert_eq!(structure(&outline), structure(&full), "{name}");
        assert_subset(&name, &outline, &full);
        // What the outline left out is exactly the layer blobs the walk read: the large ones
        // header-only, the small (and cut) ones whole; the outline read only the JSON.
        let read = |f: &pancake_core::MemberFacts| f.layer.is_some() || f.sha256.is_some();
        let walked: u64 = full
            .members
            .iter()
            .zip(&outline.members)
            .filter(|(f, o)| read(&f.facts) && !read(&o.facts))
            .map(|(f, _)| {
                f.size
                    .min(full.total_bytes.saturating_sub(f.data_offset.unwrap_or(0)))
            })
            .sum();
        assert!(
            outline.members.iter().all(|m| m.facts.layer.is_none()),
            "{name}: the outline walks no layer"
        );
        assert_eq!(unwalked, walked, "{name}");
        // The large tars it names are the whole layer blobs over 1 MiB that the walk then
        // indexed (a blob the file cuts short is read whole by the walk, as a small one).
        let whole = |m: &pancake_core::Member| {
            m.data_offset
                .is_some_and(|o| o.saturating_add(m.size) <= full.total_bytes)
        };
        let big_walked: Vec<(u64, u64)> = full
            .members
            .iter()
            .filter(|m| m.size > 1 << 20 && m.facts.layer.is_some() && whole(m))
            .filter_map(|m| Some((m.data_offset?, m.size)))
            .collect();
        assert_eq!(tars, big_walked, "{name}");
    }
    assert!(read >= 20, "only {read} fixtures read");
}

/// A save whose base layer is 3 MiB of files (over the 1 MiB under which a member is read
/// whole) and whose top layer is small.
fn save_with_a_large_layer() -> (Vec<u8>, Vec<Vec<u8>>) {
    let mut files = Vec::new();
    for i in 0..300u32 {
        let body: Vec<u8> = (0..10_000u32)
            .map(|j| (i.wrapping_mul(31) ^ j) as u8)
            .collect();
        files.push(TarEntry::file(
            format!("data/f{i:03}").as_str(),
            body,
            0o644,
        ));
    }
    let base = layer_tar(files).expect("base");
    let top = layer_tar(vec![TarEntry::file("etc/motd", b"hi\n".to_vec(), 0o644)]).expect("top");
    let layers = vec![base, top];
    let descs: Vec<Descriptor> = layers
        .iter()
        .map(|b| Descriptor {
            media_type: "application/vnd.oci.image.layer.v1.tar".into(),
            digest: Digest::of_bytes(b),
            size: b.len() as u64,
        })
        .collect();
    let diff_ids: Vec<String> = descs.iter().map(|d| d.digest.to_string()).collect();
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created_by": "ADD data /data"}, {"created_by": "RUN echo hi > /etc/motd"}],
    });
    let img = SaveImage {
        tags: vec!["big:1".into()],
        config: config.to_string().into_bytes(),
        layers: descs,
    };
    let by_digest = layers.clone();
    let out = write_docker_save(Vec::new(), &[img], &mut |d| {
        let b = by_digest
            .iter()
            .find(|b| Digest::of_bytes(b) == d.digest)
            .cloned()
            .unwrap_or_default();
        Ok(Box::new(std::io::Cursor::new(b)) as Box<dyn Read>)
    })
    .expect("save");
    (out, layers)
}

#[test]
fn a_large_layer_tar_is_left_unwalked_and_counted() {
    let (bytes, layers) = save_with_a_large_layer();
    let opts = Options::default();
    let full = scan("big.tar", &bytes[..], &opts).expect("scan");
    let pancake_core::read::archive::Outline {
        archive: outline,
        unwalked,
        tars,
    } = scan_outline("big.tar", &bytes[..], &opts)
        .expect("outline")
        .expect("an uncompressed file has an outline");
    let base_len = layers[0].len() as u64;
    assert!(
        base_len > 1 << 20,
        "the base layer is over 1 MiB: {base_len}"
    );
    let top_len = layers[1].len() as u64;
    assert_eq!(
        unwalked,
        base_len + top_len,
        "both layer blobs are left for the walk"
    );
    let base_member = &full.members[full.images[0].layers[0].member.expect("base blob")];
    assert_eq!(
        tars,
        vec![(base_member.data_offset.expect("offset"), base_len)],
        "the large tar left for the walk is the base layer's"
    );
    assert_eq!(structure(&outline), structure(&full));
    assert_subset("big.tar", &outline, &full);
    let base = |a: &Archive| {
        let m = a.images[0].layers[0].member.expect("base blob");
        a.members[m].facts.layer.as_ref().map(|l| l.entries.len())
    };
    assert_eq!(
        base(&outline),
        None,
        "the outline has no index of the base layer"
    );
    assert_eq!(base(&full), Some(300), "the walk indexes its 300 files");
    // The small top layer is read whole by the walk only, which computes its diff_id.
    let top_diff = |a: &Archive| a.images[0].layers[1].diff_id.clone();
    assert_eq!(top_diff(&outline), None);
    assert_eq!(top_diff(&full), Some(Digest::of_bytes(&layers[1])));
}

#[test]
fn a_file_compressed_as_a_whole_has_no_outline() {
    let (bytes, _) = save_with_a_large_layer();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &bytes).expect("gzip");
    let gz = gz.finish().expect("gzip");
    let outline = scan_outline("big.tar.gz", &gz[..], &Options::default()).expect("outline");
    assert!(outline.is_none());
}
