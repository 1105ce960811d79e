//! A layer descriptor whose media type is not a layer type: containerd leaves the layer out of
//! the image and then refuses it for having fewer layers than diff_ids (`load-fails`), while
//! Docker's classic store, reading `manifest.json`, loads it. Saves written by the core's own
//! writer, read with `open` and `read_stream`.

use std::io::Read;

use pancake_core::analyze::image_claims;
use pancake_core::read::archive::{open, read_stream, Options};
use pancake_core::write::tarwrite::{
    layer_tar, write_docker_save, Descriptor, SaveImage, TarEntry,
};
use pancake_core::{Archive, Digest, ProblemKind};

/// A save of one image with two layers, the second's descriptor of `media_type`.
fn save(media_type: &str) -> Vec<u8> {
    let layers: Vec<Vec<u8>> = ["a", "b"]
        .iter()
        .map(|n| {
            layer_tar(vec![TarEntry::file(*n, n.as_bytes().to_vec(), 0o644)])
                .unwrap_or_else(|e| panic!("{e}"))
        })
        .collect();
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": layers.iter().map(|l| Digest::of_bytes(l)).collect::<Vec<_>>()},
        "history": [{"created_by": "ADD a /"}, {"created_by": "ADD b /"}],
    }))
    .unwrap_or_default();
    let img = SaveImage {
        tags: vec!["mt:1".into()],
        config,
        layers: layers
            .iter()
            .enumerate()
            .map(|(i, l)| Descriptor {
                media_type: if i == 1 {
                    media_type.into()
                } else {
                    pancake_core::media::OCI_LAYER.into()
                },
                digest: Digest::of_bytes(l),
                size: l.len() as u64,
            })
            .collect(),
    };
    let mut fetch = |want: &Descriptor| -> std::io::Result<Box<dyn Read + '_>> {
        let l = layers
            .iter()
            .find(|l| Digest::of_bytes(l) == want.digest)
            .unwrap_or_else(|| panic!("no layer {}", want.digest));
        Ok(Box::new(l.as_slice()))
    };
    write_docker_save(Vec::new(), &[img], &mut fetch).unwrap_or_else(|e| panic!("{e}"))
}

fn read_both(bytes: &[u8]) -> [Archive; 2] {
    let opts = Options::default();
    let a = open("mt.tar", bytes, &opts, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let b = read_stream("mt.tar", bytes, bytes.len() as u64, &opts, &mut |_| {})
        .unwrap_or_else(|e| panic!("{e}"));
    [a, b]
}

#[test]
fn a_text_plain_layer_descriptor_fails_the_containerd_load_and_is_named() {
    let bytes = save("text/plain");
    for a in read_both(&bytes) {
        let img = a.images.first().unwrap_or_else(|| panic!("no image"));
        // Shown and verified as Docker's classic store reads it: two layers.
        assert_eq!(img.layers.len(), 2);
        assert!(img.layers.iter().all(|l| l.verified), "{:?}", a.problems);
        let fails: Vec<_> = a
            .problems
            .iter()
            .filter(|p| p.kind == ProblemKind::LoadFails)
            .collect();
        assert_eq!(fails.len(), 1, "{:?}", a.problems);
        let p = fails[0];
        assert_eq!(p.origin.layer.map(|l| (l.image, l.layer)), Some((0, 1)));
        let member = p.origin.member.as_ref().map(|m| m.name.clone());
        assert_eq!(
            member.as_deref(),
            img.layers[1].blob_path.as_deref(),
            "{p:?}"
        );
        let m = p.message();
        assert!(
            m.contains("\"text/plain\"") && m.contains("1 layer against the config's 2 diff_ids"),
            "{m}"
        );
        assert!(
            m.contains("Docker's classic image store reads manifest.json"),
            "{m}"
        );
        assert_eq!(
            image_claims::containerd_skipped_layers(img),
            vec![(1, "text/plain")]
        );
        assert!(image_claims::load_refused(img));
        assert!(image_claims::load_refused_in(&a, img));
    }
}

#[test]
fn layer_media_types_containerd_knows_are_not_reported() {
    for mt in [
        "application/vnd.oci.image.layer.v1.tar",
        "application/vnd.oci.image.layer.v1.tar+zstd",
        "application/vnd.oci.image.layer.nondistributable.v1.tar",
        "application/vnd.docker.image.rootfs.diff.tar",
        "application/vnd.docker.image.rootfs.diff.tar.gzip+encrypted",
        "application/vnd.docker.image.rootfs.foreign.diff.tar",
    ] {
        for a in read_both(&save(mt)) {
            assert!(
                !a.problems.iter().any(|p| p.kind == ProblemKind::LoadFails),
                "{mt}: {:?}",
                a.problems
            );
            let img = a.images.first().unwrap_or_else(|| panic!("no image"));
            assert!(
                image_claims::containerd_skipped_layers(img).is_empty(),
                "{mt}"
            );
        }
    }
    // Go compares the strings as they are: another case is another (unknown) type.
    for a in read_both(&save("Application/VND.oci.image.layer.v1.tar")) {
        assert_eq!(
            a.problems
                .iter()
                .filter(|p| p.kind == ProblemKind::LoadFails)
                .count(),
            1,
            "{:?}",
            a.problems
        );
    }
}

/// `save` with the second layer's blob replaced by `blob` (its descriptor's digest and size
/// follow the blob; the config's diff_id stays the plain tar's).
fn save_with_blob(media_type: &str, blob: impl Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let layers: Vec<Vec<u8>> = ["a", "b"]
        .iter()
        .map(|n| {
            layer_tar(vec![TarEntry::file(*n, n.as_bytes().to_vec(), 0o644)])
                .unwrap_or_else(|e| panic!("{e}"))
        })
        .collect();
    let stored: Vec<Vec<u8>> = layers
        .iter()
        .enumerate()
        .map(|(i, l)| if i == 1 { blob(l) } else { l.clone() })
        .collect();
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": layers.iter().map(|l| Digest::of_bytes(l)).collect::<Vec<_>>()},
        "history": [{"created_by": "ADD a /"}, {"created_by": "ADD b /"}],
    }))
    .unwrap_or_default();
    let img = SaveImage {
        tags: vec!["mt:1".into()],
        config,
        layers: stored
            .iter()
            .enumerate()
            .map(|(i, l)| Descriptor {
                media_type: if i == 1 {
                    media_type.into()
                } else {
                    pancake_core::media::OCI_LAYER.into()
                },
                digest: Digest::of_bytes(l),
                size: l.len() as u64,
            })
            .collect(),
    };
    let mut fetch = |want: &Descriptor| -> std::io::Result<Box<dyn Read + '_>> {
        let l = stored
            .iter()
            .find(|l| Digest::of_bytes(l) == want.digest)
            .unwrap_or_else(|| panic!("no layer {}", want.digest));
        Ok(Box::new(l.as_slice()))
    };
    write_docker_save(Vec::new(), &[img], &mut fetch).unwrap_or_else(|e| panic!("{e}"))
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap_or_else(|e| panic!("{e}"));
    e.finish().unwrap_or_else(|e| panic!("{e}"))
}

fn bzip2(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    e.write_all(data).unwrap_or_else(|e| panic!("{e}"));
    e.finish().unwrap_or_else(|e| panic!("{e}"))
}

/// A media type naming another compression than the blob's is not a changed blob: the
/// digests verify. containerd detects gzip and zstd under Docker's plain type and under a
/// `+gzip`/`+zstd` type (a `disagreement` note, the image loads), but hands a blob under
/// the OCI plain type to its tar reader undecompressed and detects neither xz nor bzip2
/// (`load-fails` naming the layer's member, and the image refused).
#[test]
fn a_media_type_naming_another_compression_is_a_note_or_containerds_failure() {
    let plain = |l: &[u8]| l.to_vec();
    type Case<'a> = (&'a str, &'a dyn Fn(&[u8]) -> Vec<u8>, ProblemKind);
    let cases: [Case; 5] = [
        (
            "application/vnd.docker.image.rootfs.diff.tar",
            &gzip,
            ProblemKind::Disagreement,
        ),
        (
            "application/vnd.oci.image.layer.v1.tar+gzip",
            &plain,
            ProblemKind::Disagreement,
        ),
        (
            "application/vnd.oci.image.layer.v1.tar",
            &gzip,
            ProblemKind::LoadFails,
        ),
        (
            "application/vnd.oci.image.layer.v1.tar",
            &bzip2,
            ProblemKind::LoadFails,
        ),
        (
            "application/vnd.oci.image.layer.v1.tar+gzip",
            &bzip2,
            ProblemKind::LoadFails,
        ),
    ];
    for (mt, blob, kind) in cases {
        for a in read_both(&save_with_blob(mt, blob)) {
            let img = a.images.first().unwrap_or_else(|| panic!("no image"));
            assert!(
                img.layers.iter().all(|l| l.verified),
                "{mt}: {:?}",
                a.problems
            );
            let kinds: Vec<ProblemKind> = a.problems.iter().map(|p| p.kind).collect();
            assert_eq!(kinds, vec![kind], "{mt}: {:?}", a.problems);
            let p = &a.problems[0];
            assert_eq!(p.origin.layer.map(|l| (l.image, l.layer)), Some((0, 1)));
            let member = p.origin.member.as_ref().map(|m| m.name.clone());
            assert_eq!(member.as_deref(), img.layers[1].blob_path.as_deref());
            assert_eq!(
                image_claims::load_refused_in(&a, img),
                kind == ProblemKind::LoadFails,
                "{mt}"
            );
        }
    }
}
