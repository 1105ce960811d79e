//! Layers across images: which are the same, what storing them once saves, and which layers
//! a `docker pull` / `docker push` would really transfer.
//!
//! Two stores, two identities. Docker's layer store keeps a layer once per **ChainID**
//! (OCI image-spec `config.md`: `ChainID(L0) = DiffID(L0)`,
//! `ChainID(L0|…|Ln) = SHA256(ChainID(L0|…|Ln-1) + " " + DiffID(Ln))`): a layer is shared
//! when it and every layer below it are the same — the same instructions, in the same order.
//! The same diff_id on two different bases is two layers there. A content store (containerd's,
//! a registry's) keeps each blob once by its digest, wherever it sits in a chain.
//!
//! Images are addressed as `(archive, image)` index pairs into the slice of archives given.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde::{Deserialize, Serialize};

use crate::digest::{self, Digest};
use crate::model::{Archive, Compression, Image, Layer};

/// One distinct layer of the layer store (by ChainID) and every place it is used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedLayer {
    /// ChainID of the layer and all layers below it in the images using it.
    pub chain_id: Digest,
    /// The layer's own diff_id (computed, else the config's claim).
    pub diff_id: Digest,
    /// Distinct blob digests seen for it (one per compression of the same content).
    pub digests: Vec<Digest>,
    /// `(archive, image, layer index)` for each use, in archive/image/layer order. The layer
    /// index is the same in every use (a ChainID fixes the position).
    pub images: Vec<(usize, usize, usize)>,
    /// Uncompressed size, bytes.
    pub size: u64,
    /// Size of the (smallest) blob as stored, bytes.
    pub stored_size: u64,
}

impl SharedLayer {
    /// The distinct `(archive, image)` pairs using this layer.
    pub fn image_ids(&self) -> Vec<(usize, usize)> {
        let set: BTreeSet<(usize, usize)> = self.images.iter().map(|&(a, i, _)| (a, i)).collect();
        set.into_iter().collect()
    }

    /// The images using this layer, each once: [`SharedLayer::image_ids`] without a second
    /// place of an image already listed (the same image ID — one image opened in two files,
    /// or listed twice in one — is one image, as sharing counts it), each by its first place
    /// in archive/image order. What a list of the images sharing a layer names.
    pub fn distinct_image_ids(&self, archives: &[&Archive]) -> Vec<(usize, usize)> {
        let mut seen = BTreeSet::new();
        self.image_ids()
            .into_iter()
            .filter(|&id| seen.insert(image_key(archives, id)))
            .collect()
    }
}

/// Who an image is when images are counted: its image ID (the config's digest) when known,
/// else its place. The same image listed twice — two `manifest.json` entries naming one
/// config (two tags), or the same save opened twice — is one image, as `docker load` makes
/// it one image with both names: it shares nothing with itself and is stored once.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum ImageKey<'a> {
    Id(&'a Digest),
    At(usize, usize),
}

fn image_key<'a>(archives: &[&'a Archive], id: (usize, usize)) -> ImageKey<'a> {
    match image_at(archives, id).and_then(|img| img.config_digest.as_ref()) {
        Some(d) => ImageKey::Id(d),
        None => ImageKey::At(id.0, id.1),
    }
}

/// How many different images ([`ImageKey`]) use `layer`.
fn distinct_images(archives: &[&Archive], layer: &SharedLayer) -> usize {
    let keys: BTreeSet<ImageKey> = layer
        .image_ids()
        .into_iter()
        .map(|id| image_key(archives, id))
        .collect();
    keys.len()
}

fn image_at<'a>(archives: &[&'a Archive], id: (usize, usize)) -> Option<&'a Image> {
    archives.get(id.0).and_then(|a| a.images.get(id.1))
}

/// The identity of a layer's content: its computed diff_id, else the config's claim. A config
/// that gives its diff_ids as sha512 (an OCI layout under `blobs/sha512/`) is taken at its
/// word: ChainIDs are built from the config's DiffIDs (image-spec `config.md`), and the
/// computed diff_id is sha256, which no claim of that image uses.
fn diff_id_of(l: &Layer) -> Option<&Digest> {
    match &l.config_diff_id {
        Some(c) if c.algorithm() == crate::digest::Algorithm::Sha512 => Some(c),
        _ => l.diff_id.as_ref().or(l.config_diff_id.as_ref()),
    }
}

/// ChainID of each layer of `image`, bottom first (spec rule in the module docs). `None` from
/// the first layer whose diff_id is unknown (no blob, no claim) upwards: no chain through it
/// can be named.
pub fn chain_ids(image: &Image) -> Vec<Option<Digest>> {
    let known: Vec<Digest> = image
        .layers
        .iter()
        .map_while(|l| diff_id_of(l).cloned())
        .collect();
    let mut out: Vec<Option<Digest>> = digest::chain_ids(&known).into_iter().map(Some).collect();
    out.resize(image.layers.len(), None);
    out
}

/// Every distinct layer (by ChainID) of every image, in order of first use. Layers whose
/// ChainID cannot be named (see [`chain_ids`]) are left out.
pub fn all_layers(archives: &[&Archive]) -> Vec<SharedLayer> {
    let mut order: Vec<Digest> = Vec::new();
    let mut by_id: BTreeMap<Digest, SharedLayer> = BTreeMap::new();
    for (a, archive) in archives.iter().enumerate() {
        for (i, image) in archive.images.iter().enumerate() {
            for (li, (l, chain)) in image.layers.iter().zip(chain_ids(image)).enumerate() {
                let (Some(chain), Some(diff_id)) = (chain, diff_id_of(l)) else {
                    continue;
                };
                let entry = by_id.entry(chain.clone()).or_insert_with(|| {
                    order.push(chain.clone());
                    SharedLayer {
                        chain_id: chain.clone(),
                        diff_id: diff_id.clone(),
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

/// Layers (by ChainID) used by at least two different images (in one or several archives;
/// the same image ID twice is one image), in order of first use.
pub fn shared_layers(archives: &[&Archive]) -> Vec<SharedLayer> {
    all_layers(archives)
        .into_iter()
        .filter(|l| distinct_images(archives, l) >= 2)
        .collect()
}

/// Bytes on disk with and without sharing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Storage {
    /// Uncompressed bytes if each image kept its own copy of each of its layers.
    pub separate_bytes: u64,
    /// Uncompressed bytes in Docker's layer store: each distinct ChainID once.
    pub stored_bytes: u64,
    /// Bytes of layer blobs as stored (compressed or not) in a content store (containerd's,
    /// a registry's): each distinct blob digest once, wherever it sits in a chain. Layers whose
    /// blob is missing count nothing.
    pub content_store_bytes: u64,
    /// Per image, uncompressed bytes of layers (by ChainID) no other image uses, in
    /// archive/image order.
    pub per_image_unique: Vec<((usize, usize), u64)>,
}

/// Storage arithmetic over all images. A layer used twice by one image (the same diff_id at
/// two heights) is two ChainIDs: twice in `separate_bytes` and in `stored_bytes`, once in
/// `content_store_bytes`. The same image (one image ID) listed twice counts once in
/// `separate_bytes`, and each of its listings gets the bytes no other image uses.
pub fn storage(archives: &[&Archive]) -> Storage {
    let layers = all_layers(archives);
    let mut out = Storage::default();
    let mut unique: BTreeMap<(usize, usize), u64> = BTreeMap::new();
    let mut blobs: HashSet<&Digest> = HashSet::new();
    for (a, archive) in archives.iter().enumerate() {
        for (i, image) in archive.images.iter().enumerate() {
            unique.insert((a, i), 0);
            for l in &image.layers {
                if let Some(d) = &l.digest {
                    if blobs.insert(d) {
                        out.content_store_bytes =
                            out.content_store_bytes.saturating_add(l.stored_size);
                    }
                }
            }
        }
    }
    for l in &layers {
        let uses = u64::try_from(distinct_images(archives, l)).unwrap_or(u64::MAX);
        out.separate_bytes = out
            .separate_bytes
            .saturating_add(l.size.saturating_mul(uses));
        out.stored_bytes = out.stored_bytes.saturating_add(l.size);
        if uses == 1 {
            for id in l.image_ids() {
                if let Some(u) = unique.get_mut(&id) {
                    *u = u.saturating_add(l.size);
                }
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
    /// The compressed blob digest: what a registry stores and a push checks.
    BlobDigest,
    /// The tarball only has uncompressed blobs, so the diff_id is the blob digest.
    DiffId,
    /// The ChainID: what Docker's layer store holds and a pull checks.
    ChainId,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
/// What a pull or push does with one layer.
pub enum StepStatus {
    /// Already on the other side: `Already exists` / `Layer already exists`.
    Exists,
    /// Downloaded: `Pull complete`.
    Pull,
    /// Uploaded: `Pushed`.
    Push,
}

/// One line of a pull or push transcript.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanStep {
    /// Layer index in the target image (bottom = 0).
    pub layer: usize,
    /// The layer's diff_id: computed, else the one the config claims.
    pub diff_id: Option<Digest>,
    /// ChainID of the layer in the target image (`None` when a diff_id at or below is unknown).
    pub chain_id: Option<Digest>,
    /// sha256 of the layer blob as stored, when computed.
    pub digest: Option<Digest>,
    /// What the step compared the layer by.
    pub identity: Identity,
    /// Whether the layer already exists on the other side or moves.
    pub status: StepStatus,
    /// Bytes on the wire for this layer (the blob as stored); counted as skipped when `Exists`.
    pub bytes: u64,
}

/// A step of [`pull_plan`]: the same shape as a push step.
pub type PullStep = PlanStep;

/// Compressed blobs are what a registry serves; an uncompressed one is its own diff_id.
fn blob_identity(l: &Layer) -> Identity {
    if l.compression != Compression::None && l.digest.is_some() {
        Identity::BlobDigest
    } else {
        Identity::DiffId
    }
}

fn blob_key(l: &Layer) -> Option<(Identity, Digest)> {
    let identity = blob_identity(l);
    let d = match identity {
        Identity::BlobDigest => l.digest.as_ref(),
        _ => diff_id_of(l),
    };
    d.map(|d| (identity, d.clone()))
}

fn images_of<'a>(archives: &[&'a Archive], ids: &[(usize, usize)]) -> Vec<&'a Image> {
    ids.iter()
        .filter_map(|id| image_at(archives, *id))
        .collect()
}

/// `docker pull target` on a host that already has the images in `present`.
///
/// Docker's rule (moby `distribution/xfer/download.go`, `Download`): walking the layers from
/// the bottom, a layer is `Already exists` when the layer store has its ChainID; at the first
/// one it lacks, that layer and every one above are downloaded (no chain above can exist). A
/// blob that appears again higher in the same pull is downloaded once (`downloadsByKey`) and
/// only registered again, so its repeat moves no bytes and is shown as existing.
pub fn pull_plan(
    archives: &[&Archive],
    target: (usize, usize),
    present: &[(usize, usize)],
) -> Vec<PullStep> {
    let Some(image) = image_at(archives, target) else {
        return Vec::new();
    };
    let held: HashSet<Digest> = images_of(archives, present)
        .into_iter()
        .flat_map(|i| chain_ids(i).into_iter().flatten())
        .collect();
    let mut downloaded: HashSet<(Identity, Digest)> = HashSet::new();
    image
        .layers
        .iter()
        .zip(chain_ids(image))
        .enumerate()
        .map(|(i, (l, chain))| {
            let exists = chain.as_ref().is_some_and(|c| held.contains(c));
            let status = match blob_key(l) {
                _ if exists => StepStatus::Exists,
                Some(k) if !downloaded.insert(k.clone()) => StepStatus::Exists,
                _ => StepStatus::Pull,
            };
            PlanStep {
                layer: i,
                diff_id: diff_id_of(l).cloned(),
                chain_id: chain,
                digest: l.digest.clone(),
                identity: Identity::ChainId,
                status,
                bytes: l.stored_size,
            }
        })
        .collect()
}

/// `docker push target` to a registry that already holds the images in `in_registry`.
///
/// A registry stores blobs by digest, wherever they sit in a chain: the pusher asks whether
/// the blob exists (`HEAD /v2/<name>/blobs/<digest>`) and skips it if so (`Layer already
/// exists`). A blob pushed once is not pushed again for a repeat in the same image.
pub fn push_plan(
    archives: &[&Archive],
    target: (usize, usize),
    in_registry: &[(usize, usize)],
) -> Vec<PlanStep> {
    let Some(image) = image_at(archives, target) else {
        return Vec::new();
    };
    let mut held: HashSet<(Identity, Digest)> = HashSet::new();
    // Only blobs: an uncompressed blob's digest is its diff_id, a compressed one's is not, so
    // the same content stored both ways is two blobs.
    for other in images_of(archives, in_registry) {
        held.extend(other.layers.iter().filter_map(blob_key));
    }
    image
        .layers
        .iter()
        .zip(chain_ids(image))
        .enumerate()
        .map(|(i, (l, chain))| {
            let key = blob_key(l);
            let status = match key {
                // `insert` is false when the registry (or this push) already has it.
                Some(k) if !held.insert(k.clone()) => StepStatus::Exists,
                _ => StepStatus::Push,
            };
            PlanStep {
                layer: i,
                diff_id: diff_id_of(l).cloned(),
                chain_id: chain,
                digest: l.digest.clone(),
                identity: blob_identity(l),
                status,
                bytes: l.stored_size,
            }
        })
        .collect()
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

    /// A config whose diff_ids are sha512: the chain is built from them, as the spec defines
    /// it (ChainID(L0) = DiffID(L0)), not from the computed sha256.
    #[test]
    fn a_sha512_config_builds_its_chain_from_its_diff_ids() {
        let d512 = |s: &str| Digest::of_bytes_with(crate::digest::Algorithm::Sha512, s.as_bytes());
        let with_512 = |name: &str| Layer {
            config_diff_id: Some(d512(name)),
            ..layer(name, 10, false)
        };
        let img = image(vec![with_512("base"), with_512("app")]);
        let chain = chain_ids(&img);
        assert_eq!(chain[0], Some(d512("base")));
        assert_eq!(
            chain[1],
            Some(Digest::of_bytes(
                format!("{} {}", d512("base"), d512("app")).as_bytes()
            ))
        );
    }

    /// One image (one config digest) listed twice in a file, and the same file opened
    /// twice: one image, stored once, sharing nothing with itself; a second image on the
    /// same base does share it.
    #[test]
    fn the_same_image_listed_twice_is_one_image() {
        let one = |tag: &str| Image {
            tags: vec![tag.to_string()],
            config_digest: Some(dg("config-x")),
            ..image(vec![layer("base", 1000, false), layer("app", 100, false)])
        };
        let a = Archive {
            images: vec![one("x:1"), one("x:2")],
            ..Default::default()
        };
        let s = storage(&[&a, &a]);
        assert_eq!((s.separate_bytes, s.stored_bytes), (1100, 1100));
        assert!(shared_layers(&[&a, &a]).is_empty());
        assert_eq!(
            s.per_image_unique,
            vec![
                ((0, 0), 1100),
                ((0, 1), 1100),
                ((1, 0), 1100),
                ((1, 1), 1100)
            ]
        );
        let b = Archive {
            images: vec![Image {
                config_digest: Some(dg("config-y")),
                ..image(vec![layer("base", 1000, false)])
            }],
            ..Default::default()
        };
        let s = storage(&[&a, &b]);
        assert_eq!((s.separate_bytes, s.stored_bytes), (2100, 1100));
        let shared = shared_layers(&[&a, &b]);
        assert_eq!(shared.len(), 1);
        assert_eq!(shared[0].diff_id, dg("base"));
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
    fn shared_by_chain_id_across_archives() {
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
        // ChainID(base) = DiffID(base); ChainID(base|mid) = sha256("<base> <mid>").
        let chains: Vec<Digest> = shared.iter().map(|l| l.chain_id.clone()).collect();
        assert_eq!(
            chains,
            vec![
                dg("base"),
                Digest::of_bytes(format!("{} {}", dg("base"), dg("mid")).as_bytes())
            ]
        );
        assert_eq!(all_layers(&[&a, &b]).len(), 5);
        assert_eq!(
            shared.first().map(|l| l.images.clone()),
            Some(vec![(0, 0, 0), (0, 1, 0), (1, 0, 0)])
        );
    }

    #[test]
    fn same_diff_id_on_different_bases_is_two_layers() {
        // x has the same content in both images, but above different bases.
        let a = Archive {
            images: vec![
                image(vec![layer("b1", 1000, true), layer("x", 100, true)]),
                image(vec![layer("b2", 2000, true), layer("x", 100, true)]),
            ],
            ..Default::default()
        };
        assert!(shared_layers(&[&a]).is_empty());
        assert_eq!(all_layers(&[&a]).len(), 4);
        let s = storage(&[&a]);
        assert_eq!(s.separate_bytes, 1000 + 100 + 2000 + 100);
        assert_eq!(s.stored_bytes, s.separate_bytes);
        // The content store holds x's blob once: 500 + 50 + 1000.
        assert_eq!(s.content_store_bytes, 500 + 50 + 1000);
        // A pull of image 1 next to image 0 fetches both layers: x's chain is not there.
        let st: Vec<StepStatus> = pull_plan(&[&a], (0, 1), &[(0, 0)])
            .iter()
            .map(|s| s.status)
            .collect();
        assert_eq!(st, [StepStatus::Pull, StepStatus::Pull]);
        // A push of image 1 to a registry holding image 0 skips x's blob.
        let st: Vec<StepStatus> = push_plan(&[&a], (0, 1), &[(0, 0)])
            .iter()
            .map(|s| s.status)
            .collect();
        assert_eq!(st, [StepStatus::Push, StepStatus::Exists]);
    }

    #[test]
    fn same_chain_is_one_layer() {
        let a = Archive {
            images: vec![
                image(vec![layer("b1", 1000, false), layer("x", 100, false)]),
                image(vec![
                    layer("b1", 1000, false),
                    layer("x", 100, false),
                    layer("y", 10, false),
                ]),
            ],
            ..Default::default()
        };
        let shared = shared_layers(&[&a]);
        assert_eq!(shared.len(), 2);
        assert_eq!(
            shared.get(1).map(|l| (l.diff_id.clone(), l.images.clone())),
            Some((dg("x"), vec![(0, 0, 1), (0, 1, 1)]))
        );
        let s = storage(&[&a]);
        assert_eq!(s.stored_bytes, 1110);
        assert_eq!(s.content_store_bytes, 1110);
        assert_eq!(s.separate_bytes, 2210);
    }

    #[test]
    fn chain_stops_at_an_unknown_diff_id() {
        let mut gone = layer("mid", 10, false);
        gone.diff_id = None;
        gone.config_diff_id = None;
        let img = image(vec![layer("base", 1, false), gone, layer("top", 1, false)]);
        let ids = chain_ids(&img);
        assert_eq!(ids, vec![Some(dg("base")), None, None]);
    }

    #[test]
    fn storage_counts_each_layer_once() {
        let (a, b) = fixture();
        let s = storage(&[&a, &b]);
        assert_eq!(s.separate_bytes, 3 * 1000 + 2 * 100 + 10 + 20 + 5);
        assert_eq!(s.stored_bytes, 1000 + 100 + 10 + 20 + 5);
        assert_eq!(s.content_store_bytes, s.stored_bytes);
        assert_eq!(
            s.per_image_unique,
            vec![((0, 0), 10), ((0, 1), 20), ((1, 0), 5)]
        );
    }

    #[test]
    fn pull_checks_chain_ids() {
        let (a, b) = fixture();
        let steps = pull_plan(&[&a, &b], (0, 1), &[(0, 0)]);
        let st: Vec<(StepStatus, Identity)> =
            steps.iter().map(|s| (s.status, s.identity)).collect();
        assert_eq!(
            st,
            [
                (StepStatus::Exists, Identity::ChainId),
                (StepStatus::Exists, Identity::ChainId),
                (StepStatus::Pull, Identity::ChainId)
            ]
        );
        // Nothing present: everything moves.
        assert!(pull_plan(&[&a, &b], (1, 0), &[])
            .iter()
            .all(|s| s.status == StepStatus::Pull));
        assert!(pull_plan(&[&a, &b], (5, 0), &[]).is_empty());
    }

    #[test]
    fn pull_by_chain_push_by_blob() {
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
        // The base's chain is on the host (as image 1's uncompressed layer): not pulled.
        assert_eq!(
            steps.first().map(|s| (s.status, s.identity)),
            Some((StepStatus::Exists, Identity::ChainId))
        );
        assert_eq!(
            steps.get(1).map(|s| (s.status, s.bytes)),
            Some((StepStatus::Pull, 5))
        );
        // A repeated blob inside the pulled image is downloaded once (two chains, one blob).
        let steps = pull_plan(&[&a], (0, 1), &[]);
        let st: Vec<StepStatus> = steps.iter().map(|s| s.status).collect();
        assert_eq!(st, [StepStatus::Pull, StepStatus::Pull, StepStatus::Exists]);
        // A registry holding image 0 has base's gzip blob, not image 1's uncompressed one.
        let push = push_plan(&[&a], (0, 1), &[(0, 0)]);
        let st: Vec<(StepStatus, Identity)> = push.iter().map(|s| (s.status, s.identity)).collect();
        assert_eq!(
            st,
            [
                (StepStatus::Push, Identity::DiffId),
                (StepStatus::Push, Identity::BlobDigest),
                (StepStatus::Exists, Identity::BlobDigest)
            ]
        );
    }
}
