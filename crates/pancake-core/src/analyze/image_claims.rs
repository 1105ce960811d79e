//! Whether a claim about an image as a whole failed: its config's or its manifest's digest or
//! size (the name it is stored under, a descriptor pointing to it) disagrees with the blob.
//!
//! Each layer carries its own verdict (`Layer::verification`), but the config and manifest are
//! not layers: their failed claims are `digest-mismatch` problems about their member. A reader
//! summing up an image ("every digest checked, all verified") must count them too, or the
//! summary says all is well while a listed problem says otherwise.

use crate::digest::Algorithm;
use crate::model::{Archive, Image, Problem, ProblemKind, RootfsClaim};
use crate::reference::{check_repo_tag, RefError};

/// The `digest-mismatch` problems about `image`'s config or manifest blob, in the archive's
/// order: problems whose member is the one whose computed sha256 is the image's config digest
/// (its image ID) or manifest digest. Empty when every claim about them matched.
pub fn failed_image_claims<'a>(archive: &'a Archive, image: &Image) -> Vec<&'a Problem> {
    let ours = [image.config_digest.as_ref(), image.manifest_digest.as_ref()];
    archive
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::DigestMismatch)
        .filter(|p| {
            p.origin
                .member
                .as_ref()
                .and_then(|m| m.index)
                .and_then(|i| archive.members.get(i))
                .and_then(|m| m.facts.sha256.as_ref())
                .is_some_and(|d| ours.contains(&Some(d)))
        })
        .collect()
}

/// The `unpack-fails` and `hard-link` problems about `image`'s layers, in the archive's order:
/// problems whose member is one of the image's layer blobs. Each is an entry `docker load` (or
/// a pull) fails on, so the image does not load however its digests fared; a reader summing
/// the image up next to its digests says so beside them. Empty when every layer unpacks.
pub fn unpack_failures<'a>(archive: &'a Archive, image: &Image) -> Vec<&'a Problem> {
    let members: Vec<usize> = image.layers.iter().filter_map(|l| l.member).collect();
    archive
        .problems
        .iter()
        .filter(|p| matches!(p.kind, ProblemKind::UnpackFails | ProblemKind::HardLink))
        .filter(|p| {
            p.origin
                .member
                .as_ref()
                .and_then(|m| m.index)
                .is_some_and(|i| members.contains(&i))
        })
        .collect()
}

/// `(steps, layers)` when `image`'s config history has more steps not marked `empty_layer`
/// than the image has layers: moby's image store (`image/store.go` `Create`) refuses such an
/// image on `docker load` ("too many non-empty layers in History section"), however its
/// layers fared. `None` when the history fits. The reader reports it as a
/// [`ProblemKind::LoadFails`]; a summary of the image says it beside the digests.
pub fn too_many_history_steps(image: &Image) -> Option<(usize, usize)> {
    // moby refuses a config without rootfs, and counts the diff_ids against the manifest,
    // before its image store ever sees the history.
    if no_rootfs(image) || layer_count_mismatch(image).is_some() {
        return None;
    }
    let steps = image.history.iter().filter(|h| !h.empty_layer).count();
    // moby counts against the config's `rootfs.diff_ids`; where those disagree with the
    // manifest's layers, [`layer_count_mismatch`] says the load fails for that instead.
    let layers = match config_layers(image) {
        Some(n) => n,
        None => image.layers.len(),
    };
    (steps > layers).then_some((steps, layers))
}

/// How many layers the image's config lists (`rootfs.diff_ids` entries, as Go counts them),
/// when its config was read: a config that could not be read (over the JSON limit, not JSON)
/// says nothing about the count. A config listing none, or without `rootfs` at all, lists 0:
/// containerd reads both as no layers, and moby counts an empty list against the manifest
/// (a missing `rootfs` it refuses first, [`no_rootfs`]).
fn config_layers(image: &Image) -> Option<usize> {
    image.config_digest.as_ref()?;
    match image.config.rootfs {
        RootfsClaim::Unread => None,
        RootfsClaim::Absent => Some(0),
        RootfsClaim::Lists(n) => Some(n),
    }
}

/// The image's config has no `rootfs` (or `"rootfs": null`): moby's `image.NewFromJSON`
/// refuses it ("invalid image JSON, no RootFS key"), so `docker load` with Docker's classic
/// image store fails however many layers the image has. containerd decodes it into the
/// image-spec's struct and reads no diff_ids, so it loads an image with no layers.
pub fn no_rootfs(image: &Image) -> bool {
    image.config_digest.is_some() && image.config.rootfs == RootfsClaim::Absent
}

/// The layers whose config diff_id uses an algorithm other than sha256, as layer indexes:
/// moby's layer store and containerd's applier compute a layer's diff_id with
/// `digest.Canonical` (sha256) and compare it with the config's (moby `tarexport/load.go`:
/// "invalid diffID for layer"; containerd `core/unpack/unpacker.go`: "wrong diff id
/// calculated on extraction"), so neither loads the image, even where the sha512 digest
/// itself matches the layer (moby issue #48241).
pub fn non_sha256_diff_ids(image: &Image) -> Vec<usize> {
    image
        .layers
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            l.config_diff_id
                .as_ref()
                .is_some_and(|d| d.algorithm() != Algorithm::Sha256)
        })
        .map(|(j, _)| j)
        .collect()
}

/// `(manifest layers, config layers)` when the image has a config whose `rootfs.diff_ids`
/// count differs from its manifest's layers: `docker load` refuses it (moby
/// `image/tarexport/load.go`: "invalid manifest, layers length mismatch"; containerd's
/// unpacker: "mismatched image rootfs and manifest layers"). `None` when they agree.
pub fn layer_count_mismatch(image: &Image) -> Option<(usize, usize)> {
    let config = config_layers(image)?;
    let manifest = image.layers.len();
    (config != manifest).then_some((manifest, config))
}

/// The layers containerd leaves out of `image`, as `(layer index, media type)`, when leaving
/// them out makes its layer count differ from the config's `rootfs.diff_ids`, so that it
/// refuses the image. containerd keeps of an OCI manifest's `layers` only the descriptors
/// whose media type is a layer type (`core/images/mediatypes.go` `IsLayerType`: a prefix
/// `application/vnd.oci.image.layer.`, or Docker's `…rootfs.diff.tar[.gzip|.zstd]` and
/// `…rootfs.foreign.diff.tar[.gzip]` without their `+` suffixes, or EROFS), then counts them
/// against the diff_ids (`core/unpack/unpacker.go`: "number of layers and diffIDs don't
/// match"; `client/image.go`: "mismatched image rootfs and manifest layers"): `docker load`
/// with the containerd image store (Docker 29's default) and `ctr import` refuse the image,
/// while Docker's classic store, which reads `manifest.json`, loads it. Only layers whose
/// descriptor gives a media type are judged (a `manifest.json`-only save has none). Empty
/// when nothing is left out or the counts already differ ([`layer_count_mismatch`]).
pub fn containerd_skipped_layers(image: &Image) -> Vec<(usize, &str)> {
    if layer_count_mismatch(image).is_some() || config_layers(image).is_none() {
        return Vec::new();
    }
    image
        .layers
        .iter()
        .enumerate()
        .filter_map(|(j, l)| {
            let mt = l.media_type.as_deref()?;
            (!is_containerd_layer_type(mt)).then_some((j, mt))
        })
        .collect()
}

/// containerd's `images.IsLayerType`, exactly (case-sensitive, as Go compares the strings).
fn is_containerd_layer_type(mt: &str) -> bool {
    if mt.starts_with("application/vnd.oci.image.layer.") {
        return true;
    }
    let base = mt.split('+').next().unwrap_or(mt);
    matches!(
        base,
        "application/vnd.docker.image.rootfs.diff.tar"
            | "application/vnd.docker.image.rootfs.diff.tar.gzip"
            | "application/vnd.docker.image.rootfs.foreign.diff.tar"
            | "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
            | "application/vnd.docker.image.rootfs.diff.tar.zstd"
            | "application/vnd.erofs.layer.v1"
    )
}

/// A reason `docker load` refuses an image that its config and manifest alone give (not a
/// layer's, not a document Go cannot decode): what [`image_refusals`] lists, the reader
/// reports as a `load-fails` problem about the image (no member: the reason is the pair of
/// the image's manifest and config), and `inspect --ci` names. `Display` gives the English
/// reason without the image's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageRefusal {
    /// [`too_many_history_steps`].
    TooManyHistorySteps {
        /// History steps not marked `empty_layer`.
        steps: usize,
        /// Layers they are counted against (the config's diff_ids).
        layers: usize,
    },
    /// [`layer_count_mismatch`] with a config that lists `rootfs.diff_ids`.
    LayerCountMismatch {
        /// Layers the manifest lists.
        manifest: usize,
        /// diff_ids the config lists.
        config: usize,
    },
    /// [`layer_count_mismatch`] with a config without `rootfs` (the classic store's refusal
    /// of that config is a problem about the config itself; this is containerd's).
    NoRootfs {
        /// Layers the manifest lists.
        manifest: usize,
    },
    /// [`too_many_layers`].
    TooManyLayers {
        /// Layers the image has.
        layers: usize,
    },
}

impl std::fmt::Display for ImageRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plural =
            |n: usize, one: &'static str, many: &'static str| if n == 1 { one } else { many };
        match *self {
            ImageRefusal::TooManyHistorySteps { steps, layers } => write!(
                f,
                "the config history has {steps} steps not marked empty_layer for {layers} {}, so docker load refuses the image (\"too many non-empty layers in History section\", as Docker's image store checks it)",
                plural(layers, "layer", "layers")
            ),
            ImageRefusal::LayerCountMismatch { manifest, config } => write!(
                f,
                "the manifest lists {manifest} {} and the config's rootfs {config}, so docker load refuses the image (\"invalid manifest, layers length mismatch\"; containerd: \"mismatched image rootfs and manifest layers\")",
                plural(manifest, "layer", "layers")
            ),
            ImageRefusal::NoRootfs { manifest } => write!(
                f,
                "the manifest lists {manifest} {} and the config has no rootfs, which containerd reads as no layers, so docker load with the containerd image store and ctr import refuse the image too (\"mismatched image rootfs and manifest layers\")",
                plural(manifest, "layer", "layers")
            ),
            ImageRefusal::TooManyLayers { layers } => write!(
                f,
                "the image has {layers} layers and Docker's layer store holds at most {MAX_LAYER_DEPTH} in one chain, so docker load refuses the image (\"max depth exceeded\")"
            ),
        }
    }
}

/// The reasons `docker load` refuses `image` that its manifest and config alone give, in
/// this order: [`too_many_history_steps`], [`layer_count_mismatch`] (as
/// [`ImageRefusal::NoRootfs`] when the config has no `rootfs`), [`too_many_layers`]. Each is
/// about this image alone, even where images share a config (their manifests differ).
pub fn image_refusals(image: &Image) -> Vec<ImageRefusal> {
    let mut out = Vec::new();
    if let Some((steps, layers)) = too_many_history_steps(image) {
        out.push(ImageRefusal::TooManyHistorySteps { steps, layers });
    }
    if let Some((manifest, config)) = layer_count_mismatch(image) {
        out.push(if no_rootfs(image) {
            ImageRefusal::NoRootfs { manifest }
        } else {
            ImageRefusal::LayerCountMismatch { manifest, config }
        });
    }
    if let Some(layers) = too_many_layers(image) {
        out.push(ImageRefusal::TooManyLayers { layers });
    }
    out
}

/// The most layers one image may have for `docker load`: moby's layer store refuses a layer
/// whose parent chain is already this deep (`layer/layer_store.go`: `maxLayerDepth = 125`,
/// "max depth exceeded").
pub const MAX_LAYER_DEPTH: usize = 125;

/// The image's layer count when it is over [`MAX_LAYER_DEPTH`]: `docker load` refuses it
/// ("max depth exceeded") however its layers fared. `None` when it fits. Reported as a
/// [`ProblemKind::LoadFails`].
pub fn too_many_layers(image: &Image) -> Option<usize> {
    let n = image.layers.len();
    (n > MAX_LAYER_DEPTH).then_some(n)
}

/// `docker load` refuses `image` as a whole ([`no_rootfs`], [`non_sha256_diff_ids`],
/// [`too_many_history_steps`],
/// [`too_many_layers`], [`layer_count_mismatch`], or with the containerd image store
/// [`containerd_skipped_layers`]), whatever its digests and its layers'
/// entries. [`load_refused_in`] adds what the image's documents alone say.
pub fn load_refused(image: &Image) -> bool {
    no_rootfs(image)
        || !non_sha256_diff_ids(image).is_empty()
        || too_many_history_steps(image).is_some()
        || too_many_layers(image).is_some()
        || layer_count_mismatch(image).is_some()
        || !containerd_skipped_layers(image).is_empty()
}

/// [`load_refused`], or a document `docker load` decodes for `image` cannot be decoded by
/// Go (a `load-fails` problem on its config, the member whose sha256 is the image ID, or on
/// `manifest.json`, which `docker load` decodes whole before any image; or, for containerd's
/// import, on `index.json`, decoded whole first too, or on the image's manifest, the member
/// whose sha256 is its manifest digest): a field of the wrong type, a `created` that is not
/// an RFC 3339 time; or a `load-fails` problem about one of the image's layers, or on one
/// of its layer blobs (a blob whose compression containerd's import cannot take under its
/// descriptor's media type).
pub fn load_refused_in(archive: &Archive, image: &Image) -> bool {
    load_refused(image) || !load_refusals(archive, image).is_empty()
}

/// The `load-fails` problems that make `docker load` refuse `image`, in the archive's order:
/// those [`load_refused_in`] goes by (about one of the image's layers, its layer blobs, its
/// config or manifest, or `manifest.json`, `index.json`, `oci-layout`), each once. The
/// image-level reasons of [`image_refusals`] are problems without a member, so not among
/// these (a reader naming why the image does not load, `inspect --ci`'s `FAIL loadable`,
/// lists both). Empty when nothing but [`load_refused`] refuses it.
pub fn load_refusals<'a>(archive: &'a Archive, image: &Image) -> Vec<&'a Problem> {
    let layer_members: Vec<usize> = image.layers.iter().filter_map(|l| l.member).collect();
    // Which of the archive's images this is, for `load-fails` about one of its layers (a
    // foreign layer manifest.json lists but the archive leaves out): by identity, as
    // callers pass one of `archive.images`, else by value.
    let at = archive
        .images
        .iter()
        .position(|i| std::ptr::eq(i, image))
        .or_else(|| archive.images.iter().position(|i| i == image));
    let member_of = |p: &Problem| p.origin.member.as_ref().and_then(|m| m.index);
    archive
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::LoadFails)
        .filter(|p| {
            (at.is_some() && p.origin.layer.map(|l| l.image) == at)
                // A problem naming one image's layer (its descriptor's media type, its
                // config's diff_id) is that image's alone, found by `origin.layer` above,
                // though other images may share the blob.
                || (p.origin.subject.is_none()
                    && member_of(p).is_some_and(|i| layer_members.contains(&i)))
                || (!before_bad_tag(archive, p, image)
                    && member_of(p)
                        .and_then(|i| archive.members.get(i))
                        .is_some_and(|m| {
                            m.path.as_bytes() == b"manifest.json"
                                || m.path.as_bytes() == b"index.json"
                                || m.path.as_bytes() == b"oci-layout"
                                || (m.facts.sha256.is_some()
                                    && (m.facts.sha256 == image.config_digest
                                        || m.facts.sha256 == image.manifest_digest))
                        }))
        })
        .collect()
}

/// Whether `p` is a bad `RepoTags` entry of manifest.json entry `[k]` (field
/// `[k].RepoTags[n]`) that both stores load `image` despite: moby's classic load
/// (`image/tarexport/load.go`) takes the entries in order and stops at the bad tag, so the
/// images of earlier entries are loaded; containerd's import reads manifest.json's tags only
/// without an `oci-layout` version, and then fails as a whole on a name it cannot parse but keeps a
/// name without a tag (as `:latest`, or by its digest).
fn before_bad_tag(archive: &Archive, p: &Problem, image: &Image) -> bool {
    let at = |s: &str| -> Option<usize> { s.strip_prefix('[')?.split(']').next()?.parse().ok() };
    let Some(field) = p.origin.entry.as_deref() else {
        return false;
    };
    let Some((bad, n)) = field.split_once("].RepoTags[").and_then(|(k, n)| {
        Some((
            k.strip_prefix('[')?.parse::<usize>().ok()?,
            n.strip_suffix(']')?.parse::<usize>().ok()?,
        ))
    }) else {
        return false;
    };
    let earlier = image
        .source
        .strip_prefix("manifest.json")
        .and_then(at)
        .is_some_and(|k| k < bad);
    // The entry's tags as read: the problem is a tag the grammar refuses (not, say, a tag
    // of the wrong JSON type, which fails Go's decoding of the whole file).
    let source = format!("manifest.json[{bad}]");
    let Some(tags) = archive
        .images
        .iter()
        .find(|i| i.source == source)
        .map(|i| &i.tags)
    else {
        return false;
    };
    if tags.get(n).is_none_or(|t| check_repo_tag(t).is_ok()) {
        return false;
    }
    let containerd_reads =
        crate::read::image::oci_layout::layout(&archive.members).containerd_reads_manifest_json();
    let unparsable = tags
        .iter()
        .any(|t| check_repo_tag(t) == Err(RefError::Invalid));
    earlier && !(containerd_reads && unparsable)
}
