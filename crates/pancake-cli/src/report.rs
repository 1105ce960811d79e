//! The `pancake inspect --json` document. Field names are a public contract (README, tests,
//! external checks): change them only together with the README.

use std::collections::HashMap;

use pancake_core::{analyze::share, analyze::union, analyze::whiteout};
use pancake_core::{Archive, Artifact, ArtifactKind, Image, Layer, Problem, Verification};
use serde::Serialize;

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub images: Vec<ImageReport>,
    pub problems: Vec<ProblemReport>,
    /// Layers used by more than one of `images` (across all files), and storage with sharing.
    pub shared: SharedReport,
    /// Every platform each file lists (its index's, or each image's when it has no index),
    /// present or "not in this archive", with the image shown for it.
    pub platforms: Vec<crate::platforms::PlatformReport>,
}

/// Sharing as Docker's layer store sees it (by ChainID), with the content store beside it.
#[derive(Debug, Default, Serialize)]
pub struct SharedReport {
    /// Each layer-store layer (by ChainID) used by at least two images, in order of first use.
    pub layers: Vec<SharedLayerReport>,
    /// Bytes (uncompressed) if each image kept its own copy of each of its layers.
    pub separate_bytes: u64,
    /// Bytes (uncompressed) in Docker's layer store: each distinct ChainID once.
    pub stored_bytes: u64,
    /// Bytes of layer blobs as stored in a content store (containerd's, a registry's): each
    /// distinct blob digest once.
    pub content_store_bytes: u64,
    /// Images listed more than once (the same image ID: two `manifest.json` entries naming one
    /// config, or one save given twice), each group as indexes into the report's `images`, in
    /// order; counted as one image above. Empty when every image is listed once.
    pub same_image: Vec<SameImage>,
}

/// One image (one image ID) that the files list more than once.
#[derive(Debug, Serialize)]
pub struct SameImage {
    /// The image ID: the config's digest.
    pub image_id: String,
    /// Indexes into the report's `images`, two or more, in archive/image order.
    pub images: Vec<usize>,
    /// Whether the listings give different layers (by blob digest, else diff_id): then at
    /// most one of them matches the config's `rootfs.diff_ids`, and the others' layers are
    /// reported as `digest-mismatch`.
    pub layers_differ: bool,
}

#[derive(Debug, Serialize)]
pub struct SharedLayerReport {
    /// ChainID of the layer and everything below it (OCI image-spec `config.md`).
    pub chain_id: String,
    pub diff_id: String,
    /// Uncompressed size.
    pub size: u64,
    /// Indexes into the report's `images`: each image using the layer once, by its first
    /// place (an image listed twice, in two files or one, is one image: its image ID).
    pub images: Vec<usize>,
}

#[derive(Debug, Serialize)]
pub struct ImageReport {
    /// The file the image came from.
    pub archive: String,
    pub tags: Vec<String>,
    pub config_digest: Option<String>,
    pub architecture: Option<String>,
    pub os: Option<String>,
    /// Bottom (base) first, one per `rootfs.diff_ids` entry.
    pub layers: Vec<LayerReport>,
    pub history: Vec<HistoryReport>,
    /// Visible content bytes / stored content bytes, 0 to 1 (1 with no content bytes):
    /// `union::efficiency`, the page's score; `null` when a layer's files are not all known
    /// (missing, not read to its end, left out by a limit: `analyze::gaps`), whose figure
    /// would be another image's.
    pub efficiency: Option<f64>,
    /// Stored content bytes the final filesystem does not show: the sum of the layers'
    /// `wasted_bytes`; `null` as `efficiency`.
    pub wasted_bytes: Option<u64>,
    /// How history steps were paired with layers: `in-order`, `from-top`, `from-bottom`,
    /// `no-history`, `uncertain` (see `pancake_core::PairingRule`).
    pub history_pairing: pancake_core::PairingRule,
    /// Signatures, attestations, SBOMs ... that refer to this image (never images themselves).
    pub artifacts: Vec<ArtifactReport>,
}

#[derive(Debug, Serialize)]
pub struct ArtifactReport {
    /// `signature`, `attestation`, `sbom`, `helm-chart` or `other`.
    pub kind: ArtifactKind,
    /// `artifactType`, else the config media type (unless empty), else the first layer's.
    pub artifact_type: String,
    pub manifest_digest: Option<String>,
    /// Bytes of its content (layers as their descriptors give them).
    pub size: u64,
    /// False when only a descriptor names it (its manifest is not in the archive).
    pub present: bool,
    /// How it names the image: `subject`, an annotation, or a cosign tag.
    pub refers_by: String,
}

#[derive(Debug, Serialize)]
pub struct LayerReport {
    /// sha256 computed over the uncompressed layer; `null` when the blob is missing.
    pub diff_id: Option<String>,
    /// sha256 computed over the blob as stored.
    pub digest: Option<String>,
    pub media_type: Option<String>,
    /// Bytes of the uncompressed tar; `null` when unknown: the tar was never read whole (its
    /// blob missing or left out, unreadable, or stopped by a limit), as the text's "—".
    pub size: Option<u64>,
    /// Bytes of the blob as stored (a non-distributable layer's: as its descriptor says);
    /// `null` when the blob is not in the archive (and not left out on purpose).
    pub stored_size: Option<u64>,
    /// True only when `verification` is `verified`.
    pub verified: bool,
    /// `verified`, `mismatch`, `not-checkable`, `missing`, `non-distributable`, `unreadable`
    /// or `pending`.
    pub verification: Verification,
    /// Why it is not `verified`, in plain words; `null` when it is.
    pub verification_reason: Option<String>,
    /// Where a non-distributable layer can be fetched from (empty otherwise).
    pub urls: Vec<String>,
    /// Members as Python's `tarfile.getmembers()` lists them; `null` when the layer's tar was
    /// never read (its blob missing or left out), not 0. (A layer not read to its end counts
    /// the members read, and a `problems` entry says where it stopped.)
    pub entries: Option<usize>,
    /// Valid whiteout markers `.wh.<name>` (not `.wh..wh..opq`, not invalid names such as a
    /// bare `.wh.` or `.wh..`, not AUFS metadata); `null` as `entries`.
    pub whiteouts: Option<usize>,
    /// `.wh..wh..opq` members; `null` as `entries`.
    pub opaque_dirs: Option<usize>,
    /// The step that made the layer; `null` when no recorded step did (a base image's layer
    /// under `from-top` pairing, or no history).
    pub created_by: Option<String>,
    /// Content bytes this layer stores that the image's final filesystem does not show
    /// (overwritten or deleted by a later layer or a later copy): `union::wasted`; `null`
    /// as `entries`.
    pub wasted_bytes: Option<u64>,
    /// Content bytes of lower layers this layer deletes (whiteouts, opaque directories):
    /// still stored below, so the image is no smaller for it: `union::hidden_bytes`; `null`
    /// as `entries`.
    pub hidden_bytes: Option<u64>,
}

#[derive(Debug, Serialize)]
pub struct HistoryReport {
    pub created_by: Option<String>,
    pub empty_layer: bool,
    pub created: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ProblemReport {
    pub kind: pancake_core::ProblemKind,
    pub message: String,
    pub member: Option<String>,
    pub archive: String,
    pub origin: OriginReport,
}

/// What a problem is about, typed (`pancake_core::Origin`): `scope` (`outer`, `layer`,
/// `image`), the member's 0-based index in the file, the entry path inside it, and the image
/// (0-based, in this document's `images`) and layer position (0-based, base first) it concerns.
#[derive(Debug, Default, Serialize)]
pub struct OriginReport {
    pub scope: pancake_core::Scope,
    pub member_index: Option<usize>,
    pub entry: Option<String>,
    pub image: Option<usize>,
    pub layer: Option<usize>,
}

/// What the reports figure per layer member and per chain of members, figured once per
/// archive: images that share layers (a save of many tags of one base, or of one image
/// listed many times) share the work, which otherwise grew with images × entries (200
/// images over one layer of 1,000,000 entries: two minutes).
#[derive(Default)]
pub struct Memo {
    counts: HashMap<usize, Option<(usize, usize, usize)>>,
    sizes: HashMap<usize, Option<u64>>,
    wasted: HashMap<Vec<Option<usize>>, WastedHidden>,
}

/// Per layer, bottom first: wasted bytes and hidden bytes (`union::wasted_and_hidden`).
type WastedHidden = (Vec<u64>, Vec<u64>);

impl Memo {
    /// [`counts`] of `layer`, once per member.
    pub fn counts(&mut self, archive: &Archive, layer: &Layer) -> Option<(usize, usize, usize)> {
        match layer.member {
            Some(m) => *self
                .counts
                .entry(m)
                .or_insert_with(|| counts(archive, layer)),
            None => counts(archive, layer),
        }
    }

    /// Every layer's `history::known_content_size` (a figure of its member alone: `None` when
    /// its files are not all known), once per member.
    pub fn content_sizes(&mut self, archive: &Archive, image: &Image) -> Vec<Option<u64>> {
        (0..image.layers.len())
            .map(|l| match image.layers.get(l).and_then(|x| x.member) {
                Some(m) => *self.sizes.entry(m).or_insert_with(|| {
                    pancake_core::analyze::history::known_content_size(archive, image, l)
                }),
                None => pancake_core::analyze::history::known_content_size(archive, image, l),
            })
            .collect()
    }

    /// `union::wasted_and_hidden` of `image`, once per chain of layer members (it reads
    /// nothing else of the image).
    fn wasted_and_hidden(&mut self, archive: &Archive, image: &Image) -> WastedHidden {
        let chain: Vec<Option<usize>> = image.layers.iter().map(|l| l.member).collect();
        self.wasted
            .entry(chain)
            .or_insert_with(|| union::wasted_and_hidden(archive, image))
            .clone()
    }
}

/// Entry counts of one layer: (entries, valid whiteouts, opaque dirs); `None` when it has no
/// index (its blob is not in the archive, or was never read as a tar): unknown, not zero.
pub fn counts(archive: &Archive, layer: &Layer) -> Option<(usize, usize, usize)> {
    let ix = layer
        .member
        .and_then(|m| archive.members.get(m))
        .and_then(|m| m.facts.layer.as_ref())?;
    let (whiteouts, opaque) = whiteout::counts(&ix.entries);
    Some((ix.entries.len(), whiteouts, opaque))
}

/// A layer's uncompressed size when it is known: not when its tar was never read whole (no
/// diff_id computed and nothing counted, which the model keeps as 0), nor when it could not be
/// read to its end (what was counted is how far the reading got: for a compressed stream that
/// failed its checksum, the bytes the damaged stream gave, more than the tar's).
pub fn known_size(l: &Layer) -> Option<u64> {
    (l.verification != pancake_core::Verification::Unreadable
        && (l.diff_id.is_some() || l.size > 0))
        .then_some(l.size)
}

fn image_report(archive: &Archive, image: &Image, memo: &mut Memo) -> ImageReport {
    let (wasted, hidden) = memo.wasted_and_hidden(archive, image);
    let whole = pancake_core::analyze::gaps::listing_gaps(archive, image, usize::MAX).is_empty();
    let layers = image
        .layers
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let counted = memo.counts(archive, l);
            let read = counted.is_some();
            LayerReport {
                diff_id: l.diff_id.as_ref().map(ToString::to_string),
                digest: l.digest.as_ref().map(ToString::to_string),
                media_type: l.media_type.clone(),
                size: known_size(l),
                stored_size: (l.member.is_some()
                    || l.verification == pancake_core::Verification::NonDistributable)
                    .then_some(l.stored_size),
                verified: l.verified,
                verification: l.verification,
                verification_reason: l.verification_reason.clone(),
                urls: l.urls.clone(),
                entries: counted.map(|c| c.0),
                whiteouts: counted.map(|c| c.1),
                opaque_dirs: counted.map(|c| c.2),
                created_by: l
                    .history
                    .and_then(|h| image.history.get(h))
                    .and_then(|h| h.created_by.clone()),
                wasted_bytes: read.then(|| wasted.get(i).copied().unwrap_or(0)),
                hidden_bytes: read.then(|| hidden.get(i).copied().unwrap_or(0)),
            }
        })
        .collect();
    ImageReport {
        archive: archive.name.clone(),
        tags: image.tags.clone(),
        config_digest: image.config_digest.as_ref().map(ToString::to_string),
        architecture: image.config.architecture.clone(),
        os: image.config.os.clone(),
        layers,
        history: image
            .history
            .iter()
            .map(|h| HistoryReport {
                created_by: h.created_by.clone(),
                empty_layer: h.empty_layer,
                created: h.created.clone(),
            })
            .collect(),
        efficiency: whole
            .then(|| union::efficiency_of(&union::stored_bytes(archive, image), &wasted)),
        wasted_bytes: whole.then(|| wasted.iter().fold(0u64, |s, w| s.saturating_add(*w))),
        history_pairing: image.pairing,
        artifacts: image.artifacts.iter().map(artifact_report).collect(),
    }
}

fn artifact_report(a: &Artifact) -> ArtifactReport {
    ArtifactReport {
        kind: a.kind,
        artifact_type: a.artifact_type.clone(),
        manifest_digest: a.manifest_digest.as_ref().map(ToString::to_string),
        size: a.size,
        present: a.present,
        refers_by: a.refers_by.clone(),
    }
}

/// `images_before`: how many images of earlier archives precede this one in the document;
/// `numbers[i]`: shown image `i`'s number among the file's images (`inspect --platform` shows
/// one), so `origin.image` indexes the document's `images` (`null` for an image not shown).
fn problem_report(
    archive: &Archive,
    p: &Problem,
    images_before: usize,
    numbers: Option<&[usize]>,
) -> ProblemReport {
    let shown = |n: usize| match numbers {
        Some(numbers) => numbers.iter().position(|k| *k == n),
        None => Some(n),
    };
    ProblemReport {
        kind: p.kind,
        message: p.message(),
        member: p.member_name().map(str::to_string),
        archive: archive.name.clone(),
        origin: OriginReport {
            scope: p.origin.scope,
            member_index: p.origin.member.as_ref().and_then(|m| m.index),
            entry: p.origin.entry.clone(),
            image: p
                .origin
                .layer
                .and_then(|l| shown(l.image))
                .map(|i| images_before + i),
            layer: p.origin.layer.map(|l| l.layer),
        },
    }
}

/// Position of `(archive, image)` in the flat image list (archives in order, then images).
pub fn flat_index(archives: &[Archive], id: (usize, usize)) -> Option<usize> {
    let before: usize = archives.get(..id.0)?.iter().map(|a| a.images.len()).sum();
    (id.1 < archives.get(id.0)?.images.len()).then_some(before + id.1)
}

/// Sharing across every image of every archive, by `pancake_core::analyze::share` (ChainIDs).
pub fn shared(archives: &[Archive]) -> SharedReport {
    let refs: Vec<&Archive> = archives.iter().collect();
    let storage = share::storage(&refs);
    SharedReport {
        layers: share::shared_layers(&refs)
            .into_iter()
            .map(|l| SharedLayerReport {
                chain_id: l.chain_id.to_string(),
                diff_id: l.diff_id.to_string(),
                size: l.size,
                images: l
                    .distinct_image_ids(&refs)
                    .into_iter()
                    .filter_map(|id| flat_index(archives, id))
                    .collect(),
            })
            .collect(),
        separate_bytes: storage.separate_bytes,
        stored_bytes: storage.stored_bytes,
        content_store_bytes: storage.content_store_bytes,
        same_image: same_image(archives),
    }
}

/// The groups of [`SharedReport::same_image`].
fn same_image(archives: &[Archive]) -> Vec<SameImage> {
    let mut by_id: Vec<(&pancake_core::Digest, Vec<(usize, &Image)>)> = Vec::new();
    let mut flat = 0usize;
    for a in archives {
        for img in &a.images {
            if let Some(id) = &img.config_digest {
                match by_id.iter_mut().find(|(d, _)| *d == id) {
                    Some((_, list)) => list.push((flat, img)),
                    None => by_id.push((id, vec![(flat, img)])),
                }
            }
            flat += 1;
        }
    }
    // A layer as a listing names it: its blob's digest, else its diff_id (computed or claimed).
    let layer_ids = |img: &Image| -> Vec<Option<String>> {
        img.layers
            .iter()
            .map(|l| {
                l.digest
                    .as_ref()
                    .or(l.diff_id.as_ref())
                    .or(l.config_diff_id.as_ref())
                    .map(|d| d.to_string())
            })
            .collect()
    };
    by_id
        .into_iter()
        .filter(|(_, list)| list.len() >= 2)
        .map(|(id, list)| {
            let first = list.first().map(|(_, img)| layer_ids(img));
            SameImage {
                image_id: id.to_string(),
                layers_differ: list.iter().any(|(_, img)| Some(layer_ids(img)) != first),
                images: list.into_iter().map(|(i, _)| i).collect(),
            }
        })
        .collect()
}

/// A file that could not be read at all: the problems that say why (the archive's own when
/// it was opened but held no image, else one `archive` problem with `message`).
pub struct Failure {
    pub name: String,
    pub archive: Option<Box<Archive>>,
    pub message: String,
}

/// One document for all archives read, and every file that could not be read (their
/// problems only: they have no images).
/// The JSON document of `archives` (`numbers[k]`: archive `k`'s shown images' numbers in
/// its file, see [`problem_report`]) and of the files that could not be read.
pub fn build(archives: &[Archive], numbers: &[Vec<usize>], failures: &[Failure]) -> Report {
    let mut r = Report::default();
    for f in failures {
        let own: Vec<ProblemReport> = f
            .archive
            .iter()
            .flat_map(|a| a.problems.iter().map(|p| problem_report(a, p, 0, None)))
            .collect();
        if own.is_empty() {
            r.problems.push(ProblemReport {
                kind: pancake_core::ProblemKind::Archive,
                message: f.message.clone(),
                member: None,
                archive: f.name.clone(),
                origin: OriginReport {
                    scope: pancake_core::Scope::Outer,
                    ..OriginReport::default()
                },
            });
        } else {
            r.problems.extend(own);
        }
    }
    for (k, a) in archives.iter().enumerate() {
        let before = r.images.len();
        let mut memo = Memo::default();
        r.images
            .extend(a.images.iter().map(|i| image_report(a, i, &mut memo)));
        let numbers = numbers.get(k).map(Vec::as_slice);
        r.problems.extend(
            a.problems
                .iter()
                .map(|p| problem_report(a, p, before, numbers)),
        );
    }
    r.shared = shared(archives);
    r
}
