//! Layers across images: which are the same (by diff_id), what storing them once saves, and
//! which layers a `docker pull` / `docker push` would really transfer.
//!
//! Images are addressed as `(archive, image)` index pairs into the slice of archives given.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde::{Deserialize, Serialize};

use crate::digest::Digest;
use crate::model::{Archive, Compression, Image, Layer};

/// One distinct layer (by diff_id) and every place it is used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedLayer {
    pub diff_id: Digest,
    /// Distinct blob digests seen for it (one per compression of the same content).
    pub digests: Vec<Digest>,
    /// `(archive, image, layer index)` for each use, in archive/image/layer order.
    pub images: Vec<(usize, usize, usize)>,
    /// Uncompressed size.
    pub size: u64,
    /// Size of the (smallest) blob as stored.
    pub stored_size: u64,
}

impl SharedLayer {
    /// The distinct `(archive, image)` pairs using this layer.
    pub fn image_ids(&self) -> Vec<(usize, usize)> {
        let set: BTreeSet<(usize, usize)> = self.images.iter().map(|&(a, i, _)| (a, i)).collect();
        set.into_iter().collect()
    }
}

fn image_at<'a>(archives: &[&'a Archive], id: (usize, usize)) -> Option<&'a Image> {
    archives.get(id.0).and_then(|a| a.images.get(id.1))
}

/// The identity of a layer for local storage: its computed diff_id, else the config's claim.
fn diff_id_of(l: &Layer) -> Option<&Digest> {
    l.diff_id.as_ref().or(l.config_diff_id.as_ref())
}

/// Every distinct layer of every image, in order of first use.
pub fn all_layers(archives: &[&Archive]) -> Vec<SharedLayer> {
    let mut order: Vec<Digest> = Vec::new();
    let mut by_id: BTreeMap<Digest, SharedLayer> = BTreeMap::new();
    for (a, archive) in archives.iter().enumerate() {
        for (i, image) in archive.images.iter().enumerate() {
            for (li, l) in image.layers.iter().enumerate() {
                let Some(id) = diff_id_of(l) else { continue };
                let entry = by_id.entry(id.clone()).or_insert_with(|| {
                    order.push(id.clone());
                    SharedLayer {
                        diff_id: id.clone(),
                        digests: Vec::new(),
                        images: Vec::new(),
                        size: l.size,
                        stored_size: l.stored_size,
                    }
                });
                entry.images.push((a, i, li));
                entry.size = entry.size.max(l.size);
                if l.stored_size > 0
                    && (entry.stored_size == 0 || l.stored_size < entry.stored_size)
                {
                    entry.stored_size = l.stored_size;
                }
                if let Some(d) = &l.digest {
                    if !entry.digests.contains(d) {
                        entry.digests.push(d.clone());
                    }
                }
            }
        }
    }
    order.iter().filter_map(|d| by_id.remove(d)).collect()
}

/// Layers used by at least two different images (in one or several archives).
pub fn shared_layers(archives: &[&Archive]) -> Vec<SharedLayer> {
    all_layers(archives)
        .into_iter()
        .filter(|l| l.image_ids().len() >= 2)
        .collect()
}

/// Bytes on disk with and without sharing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Storage {
    /// If each image kept its own copy of each of its layers.
    pub separate_bytes: u64,
    /// Each distinct layer once.
    pub stored_bytes: u64,
    /// Per image, bytes of layers no other image uses.
    pub per_image_unique: Vec<((usize, usize), u64)>,
}

/// Storage arithmetic over uncompressed layer sizes — what Docker keeps on disk, where
/// layers are stored once per diff_id. A layer used twice by one image counts twice in
/// `separate_bytes` and once in `stored_bytes`.
pub fn storage(archives: &[&Archive]) -> Storage {
    let layers = all_layers(archives);
    let mut out = Storage::default();
    let mut unique: BTreeMap<(usize, usize), u64> = BTreeMap::new();
    for (a, archive) in archives.iter().enumerate() {
        for i in 0..archive.images.len() {
            unique.insert((a, i), 0);
        }
    }
    for l in &layers {
        out.separate_bytes += l.size * l.images.len() as u64;
        out.stored_bytes += l.size;
        if let [only] = l.image_ids().as_slice() {
            if let Some(u) = unique.get_mut(only) {
                *u += l.size;
            }
        }
    }
    out.per_image_unique = unique.into_iter().collect();
    out
}

/// What a plan compares layers by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Identity {
    /// The compressed blob digest: what registries and pulls deduplicate by.
    BlobDigest,
    /// The tarball only has uncompressed blobs, so the diff_id stands in for the blob digest.
    DiffId,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepStatus {
    /// Already on the other side: `Already exists` / `Layer already exists`.
    Exists,
    Pull,
    Push,
}

/// One line of a pull or push transcript.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanStep {
    /// Layer index in the target image (bottom = 0).
    pub layer: usize,
    pub diff_id: Option<Digest>,
    pub digest: Option<Digest>,
    pub identity: Identity,
    pub status: StepStatus,
    /// Bytes on the wire for this layer (the blob as stored); counted as skipped when `Exists`.
    pub bytes: u64,
}

pub type PullStep = PlanStep;

/// Compressed blobs are what a registry serves; an uncompressed one is its own diff_id.
fn identity_of(l: &Layer) -> Identity {
    if l.compression != Compression::None && l.digest.is_some() {
        Identity::BlobDigest
    } else {
        Identity::DiffId
    }
}

fn key(l: &Layer, identity: Identity) -> Option<&Digest> {
    match identity {
        Identity::BlobDigest => l.digest.as_ref(),
        Identity::DiffId => diff_id_of(l),
    }
}

fn plan(
    archives: &[&Archive],
    target: (usize, usize),
    other_side: &[(usize, usize)],
    moving: StepStatus,
) -> Vec<PlanStep> {
    let Some(image) = image_at(archives, target) else {
        return Vec::new();
    };
    // What the other side holds, under both identities.
    let mut held: HashSet<(Identity, Digest)> = HashSet::new();
    for id in other_side {
        for l in image_at(archives, *id)
            .map(|i| i.layers.as_slice())
            .unwrap_or(&[])
        {
            if let Some(d) = &l.digest {
                held.insert((Identity::BlobDigest, d.clone()));
            }
            if let Some(d) = diff_id_of(l) {
                held.insert((Identity::DiffId, d.clone()));
            }
        }
    }
    image
        .layers
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let identity = identity_of(l);
            let k = key(l, identity).cloned();
            let status = match &k {
                Some(d) if held.contains(&(identity, d.clone())) => StepStatus::Exists,
                Some(d) => {
                    // Once moved, a repeat of the same layer in this image is already there.
                    held.insert((identity, d.clone()));
                    moving
                }
                None => moving,
            };
            PlanStep {
                layer: i,
                diff_id: diff_id_of(l).cloned(),
                digest: l.digest.clone(),
                identity,
                status,
                bytes: l.stored_size,
            }
        })
        .collect()
}

/// `docker pull target` on a host that already has the images in `present`.
pub fn pull_plan(
    archives: &[&Archive],
    target: (usize, usize),
    present: &[(usize, usize)],
) -> Vec<PullStep> {
    plan(archives, target, present, StepStatus::Pull)
}

/// `docker push target` to a registry that already holds the images in `in_registry`.
pub fn push_plan(
    archives: &[&Archive],
    target: (usize, usize),
    in_registry: &[(usize, usize)],
) -> Vec<PlanStep> {
    plan(archives, target, in_registry, StepStatus::Push)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dg(s: &str) -> Digest {
        Digest::of_bytes(s.as_bytes())
    }
    fn layer(name: &str, size: u64, gz: bool) -> Layer {
        Layer {
            diff_id: Some(dg(name)),
            config_diff_id: Some(dg(name)),
            digest: Some(if gz {
                dg(&format!("{name}.gz"))
            } else {
                dg(name)
            }),
            size,
            stored_size: if gz { size / 2 } else { size },
            compression: if gz {
                Compression::Gzip
            } else {
                Compression::None
            },
            verified: true,
            ..Default::default()
        }
    }
    fn image(layers: Vec<Layer>) -> Image {
        Image {
            layers,
            ..Default::default()
        }
    }

    /// base+mid shared by two images of one archive; a third image in another archive.
    fn fixture() -> (Archive, Archive) {
        let a = Archive {
            images: vec![
                image(vec![
                    layer("base", 1000, false),
                    layer("mid", 100, false),
                    layer("app1", 10, false),
                ]),
                image(vec![
                    layer("base", 1000, false),
                    layer("mid", 100, false),
                    layer("app2", 20, false),
                ]),
            ],
            ..Default::default()
        };
        let b = Archive {
            images: vec![image(vec![
                layer("base", 1000, false),
                layer("other", 5, false),
            ])],
            ..Default::default()
        };
        (a, b)
    }

    #[test]
    fn shared_by_diff_id_across_archives() {
        let (a, b) = fixture();
        let shared = shared_layers(&[&a, &b]);
        let got: Vec<(Digest, Vec<(usize, usize)>)> = shared
            .iter()
            .map(|l| (l.diff_id.clone(), l.image_ids()))
            .collect();
        assert_eq!(
            got,
            vec![
                (dg("base"), vec![(0, 0), (0, 1), (1, 0)]),
                (dg("mid"), vec![(0, 0), (0, 1)])
            ]
        );
        assert_eq!(all_layers(&[&a, &b]).len(), 5);
        assert_eq!(
            shared.first().map(|l| l.images.clone()),
            Some(vec![(0, 0, 0), (0, 1, 0), (1, 0, 0)])
        );
    }

    #[test]
    fn storage_counts_each_layer_once() {
        let (a, b) = fixture();
        let s = storage(&[&a, &b]);
        assert_eq!(s.separate_bytes, 3 * 1000 + 2 * 100 + 10 + 20 + 5);
        assert_eq!(s.stored_bytes, 1000 + 100 + 10 + 20 + 5);
        assert_eq!(
            s.per_image_unique,
            vec![((0, 0), 10), ((0, 1), 20), ((1, 0), 5)]
        );
    }

    #[test]
    fn pull_with_uncompressed_blobs_uses_diff_id() {
        let (a, b) = fixture();
        let steps = pull_plan(&[&a, &b], (0, 1), &[(0, 0)]);
        let st: Vec<(StepStatus, Identity)> =
            steps.iter().map(|s| (s.status, s.identity)).collect();
        assert_eq!(
            st,
            [
                (StepStatus::Exists, Identity::DiffId),
                (StepStatus::Exists, Identity::DiffId),
                (StepStatus::Pull, Identity::DiffId)
            ]
        );
        // Nothing present: everything moves.
        assert!(pull_plan(&[&a, &b], (1, 0), &[])
            .iter()
            .all(|s| s.status == StepStatus::Pull));
        assert!(pull_plan(&[&a, &b], (5, 0), &[]).is_empty());
    }

    #[test]
    fn pull_with_compressed_blobs_uses_blob_digest() {
        let a = Archive {
            images: vec![
                image(vec![layer("base", 1000, true), layer("x", 10, true)]),
                // Same content, but stored uncompressed: a registry would not match the blob.
                image(vec![
                    layer("base", 1000, false),
                    layer("y", 10, true),
                    layer("y", 10, true),
                ]),
            ],
            ..Default::default()
        };
        let steps = pull_plan(&[&a], (0, 0), &[(0, 1)]);
        assert_eq!(
            steps.first().map(|s| (s.status, s.identity)),
            Some((StepStatus::Pull, Identity::BlobDigest))
        );
        assert_eq!(steps.first().map(|s| s.bytes), Some(500));
        // A repeated layer inside the pulled image is transferred once.
        let steps = pull_plan(&[&a], (0, 1), &[]);
        let st: Vec<StepStatus> = steps.iter().map(|s| s.status).collect();
        assert_eq!(st, [StepStatus::Pull, StepStatus::Pull, StepStatus::Exists]);
        let push = push_plan(&[&a], (0, 1), &[(0, 0)]);
        assert!(push.iter().all(|s| s.status != StepStatus::Pull));
        assert_eq!(push.first().map(|s| s.status), Some(StepStatus::Exists));
    }
}
