//! The OCI image layout resolver: `index.json`, nested indexes (containerd puts the image
//! index of a multi-platform image there), image manifests and artifacts.
//!
//! The walk is bounded: an index that refers back to itself (directly or through another
//! index) is reported once and not followed again, nesting is capped by
//! `limits.max_index_depth`, and all descriptors followed by `limits.max_manifests`.

use std::collections::HashSet;

use super::artifact::{self, ArtifactCandidate};
use super::media_clash::{manifest_despite_index, media_clash};
use super::{count_disagreement, BlobRef, Ctx, Found};
use crate::digest::Digest;
use crate::model::{Image, ProblemKind};
use crate::read::config::{Descriptor, OciDocument, Platform};

/// One name an index gives a manifest, and which annotation gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct NameClaim {
    /// As Docker shows it (`docker.io/library/` dropped).
    pub name: String,
    /// e.g. "index.json io.containerd.image.name".
    pub from: String,
}

/// One image manifest reached from `index.json`.
pub(super) struct OciCandidate {
    pub source: String,
    pub manifest_digest: Option<Digest>,
    /// The names Docker would use, one per descriptor that reached the manifest.
    pub names: Vec<NameClaim>,
    /// The platform the descriptor that reached it gives.
    pub platform: Option<Platform>,
    pub config: Option<Descriptor>,
    pub layers: Vec<Descriptor>,
    /// Digests of the indexes it was reached through (outermost first), so an artifact that
    /// refers to a multi-platform index finds its images.
    pub parents: Vec<Digest>,
}

/// Everything the walk found.
#[derive(Default)]
pub(super) struct OciWalk {
    pub images: Vec<OciCandidate>,
    pub artifacts: Vec<ArtifactCandidate>,
}

/// State of one walk.
struct Walk {
    out: OciWalk,
    /// Descriptors followed so far (bounded by `limits.max_manifests`).
    followed: usize,
    over_limit: bool,
    /// Index blobs already reported as part of a cycle.
    cycles: HashSet<String>,
    /// Index blobs already walked, with the names they were reached with: reached again
    /// the same way, they add nothing (and their problems are not repeated).
    walked: HashSet<(String, Vec<String>)>,
}

/// Docker's familiar form of a reference: `docker.io/library/x:1` → `x:1`.
pub(super) fn familiar(name: &str) -> String {
    name.strip_prefix("docker.io/library/")
        .or_else(|| name.strip_prefix("index.docker.io/library/"))
        .or_else(|| name.strip_prefix("docker.io/"))
        .or_else(|| name.strip_prefix("index.docker.io/"))
        .unwrap_or(name)
        .to_string()
}

/// True when a `org.opencontainers.image.ref.name` value is only a tag (`latest`, `3.19`),
/// not a full reference: the image-spec allows both.
fn is_tag_only(name: &str) -> bool {
    !name.contains('/') && !name.contains(':') && !name.contains('@')
}

/// The tag of a reference (`repo:tag` → `tag`), if it has one.
pub(super) fn tag_of(name: &str) -> Option<&str> {
    let name = name.split('@').next().unwrap_or(name);
    let (repo, tag) = name.rsplit_once(':')?;
    (!tag.contains('/') && !repo.is_empty()).then_some(tag)
}

/// True when two names say the same (equal, or one is only the other's tag).
pub(super) fn names_agree(a: &str, b: &str) -> bool {
    a == b || (is_tag_only(a) && tag_of(b) == Some(a)) || (is_tag_only(b) && tag_of(a) == Some(b))
}

/// The names one descriptor gives, Docker's choice first: `io.containerd.image.name` (always
/// a full reference; what Docker's containerd image store and `ctr import` use), then
/// `org.opencontainers.image.ref.name` (a full reference or only a tag, per the image-spec).
/// Returns (chosen, others that disagree with it).
fn descriptor_names(desc: &Descriptor, trail: &str) -> (Option<NameClaim>, Vec<NameClaim>) {
    let mut all = Vec::new();
    for key in [
        "io.containerd.image.name",
        "org.opencontainers.image.ref.name",
    ] {
        if let Some(v) = desc.annotation(key).filter(|v| !v.is_empty()) {
            all.push(NameClaim {
                name: familiar(v),
                from: format!("{trail} {key}"),
            });
        }
    }
    let mut it = all.into_iter();
    let Some(chosen) = it.next() else {
        return (None, Vec::new());
    };
    let others = it.filter(|o| !names_agree(&o.name, &chosen.name)).collect();
    (Some(chosen), others)
}

impl Ctx<'_> {
    /// Walks `index.json` (and nested indexes) into candidate images (one per manifest digest)
    /// and artifacts.
    pub(super) fn oci_walk(&mut self) -> OciWalk {
        let mut w = Walk {
            out: OciWalk::default(),
            followed: 0,
            over_limit: false,
            cycles: HashSet::new(),
            walked: HashSet::new(),
        };
        let Some(i) = self.find_reporting("index.json", "index.json") else {
            return w.out;
        };
        // As containerd's import decodes it (into `v1.Index`): keys matched as Go matches
        // them, and what Go refuses said.
        let Some(doc) = self.oci_document(i, "index.json", None, true) else {
            return w.out;
        };
        let mut chain = vec!["index.json".to_string()];
        self.walk_index(&doc, "index.json", &mut chain, &[], &[], &mut w);
        w.out
    }

    /// `chain`: member paths of the indexes from `index.json` down to `doc` (for cycles);
    /// `parents`: their digests; `inherited`: the names on the descriptor that led to `doc`
    /// (containerd puts the image name on `index.json`'s entry for the image INDEX, not on
    /// its manifests).
    ///
    /// In a nested index (one image's platforms), an absent platform whose manifest blob is
    /// absent while another platform of the same index is present is reported once, as
    /// `MissingPlatform` (not an error: that is how `docker save` with the containerd store
    /// saves an image pulled for one platform). If no platform at all is present, each
    /// absence stays a `MissingBlob` error.
    fn walk_index(
        &mut self,
        doc: &OciDocument,
        trail: &str,
        chain: &mut Vec<String>,
        parents: &[Digest],
        inherited: &[NameClaim],
        w: &mut Walk,
    ) {
        let depth = chain.len() - 1;
        let manifests = doc.manifests.clone().unwrap_or_default();
        let some_platform_present = depth > 0
            && manifests.iter().any(|d| {
                !artifact::is_buildkit_attestation(d)
                    && BlobRef::of(d.digest.as_deref())
                        .path()
                        .is_some_and(|p| matches!(self.find(&p), Found::Member(_)))
            });
        for (k, desc) in manifests.iter().enumerate() {
            if w.over_limit {
                return;
            }
            w.followed += 1;
            if w.followed > self.limits.max_manifests {
                w.over_limit = true;
                self.problem(
                    ProblemKind::Limit,
                    Some(chain.last().map(String::as_str).unwrap_or("index.json")),
                    format!(
                        "{trail}: more than {} manifests and indexes to follow \
                         (limits.max_manifests); the rest is not read",
                        self.limits.max_manifests
                    ),
                );
                return;
            }
            let source = format!("{trail}.manifests[{k}]");
            let blob = BlobRef::of(desc.digest.as_deref());
            let Some(path) = blob.path() else {
                self.problem(
                    ProblemKind::Metadata,
                    chain.last().map(String::as_str),
                    format!("{source}: {}", blob.why_not()),
                );
                continue;
            };
            if let BlobRef::Unknown { .. } = blob {
                self.problem(
                    ProblemKind::Metadata,
                    Some(&path),
                    format!("{source}: {}; read but not verified", blob.why_not()),
                );
            }
            let shown_digest = desc.digest.clone().unwrap_or_default();
            let (chosen, others) = descriptor_names(desc, trail);
            for o in &others {
                if let Some(c) = &chosen {
                    self.problem(
                        ProblemKind::Disagreement,
                        chain.last().map(String::as_str),
                        format!(
                            "{source}: {} names it {}, {} names it {}; shown: {}",
                            c.from, c.name, o.from, o.name, c.name
                        ),
                    );
                }
            }
            let names: Vec<NameClaim> = match chosen {
                Some(c) => vec![c],
                None => inherited.to_vec(),
            };
            if artifact::is_buildkit_attestation(desc) {
                let cand = self.artifact_at(desc, &path, &source, None);
                w.out.artifacts.push(cand);
                continue;
            }
            let platform = desc
                .platform
                .as_ref()
                .map(|p| format!(" (platform {})", p.display()))
                .unwrap_or_default();
            if some_platform_present
                && matches!(self.find(&path), Found::Missing(_) | Found::Absent(_))
            {
                let shown = desc
                    .platform
                    .as_ref()
                    .map(|p| p.display())
                    .unwrap_or_else(|| "unnamed".into());
                self.problem(
                    ProblemKind::MissingPlatform,
                    Some(&path),
                    format!(
                        "{source}: platform {shown} is not in this tarball (its manifest {shown_digest} is absent); \
                         docker save with the containerd image store keeps only the platforms present \
                         locally — the platforms that are here are shown"
                    ),
                );
                continue;
            }
            if let Some(tagged) = names.iter().find_map(|n| artifact::cosign_tag(&n.name)) {
                // A cosign signature/attestation/SBOM named by the tag convention: never an
                // image, whatever its config says (older cosign used an image config type).
                let cand = self.artifact_at(desc, &path, &source, Some(tagged));
                w.out.artifacts.push(cand);
                continue;
            }
            let Some(i) = self.find_reporting(
                &path,
                &format!("{source}{platform}: manifest {shown_digest}"),
            ) else {
                continue;
            };
            self.check_blob_digest(i, &blob, &path, &source);
            self.check_blob_size(
                i,
                desc.size,
                &path,
                &format!("{source}: manifest blob {path}"),
                "descriptor",
            );
            let Some(sub) = self.oci_document(i, &path, desc.media_type.as_deref(), false) else {
                continue;
            };
            let clash = media_clash(&sub, desc.media_type.as_deref());
            if let Some(c) = clash {
                let parent = chain.last().cloned();
                let says = desc.media_type.as_deref().unwrap_or_default();
                self.media_clash_problem(c, &source, parent.as_deref(), k, &path, says);
            }
            if sub.is_index(desc.media_type.as_deref()) && !manifest_despite_index(&sub, clash) {
                if chain.contains(&path) {
                    if w.cycles.insert(path.clone()) {
                        self.problem(
                            ProblemKind::Limit,
                            Some(&path),
                            format!(
                                "{source}: index {path} refers back to itself (through {} -> {path}); \
                                 a cycle, not followed again",
                                chain.join(" -> ")
                            ),
                        );
                    }
                    continue;
                }
                let key = (path.clone(), names.iter().map(|n| n.name.clone()).collect());
                if !w.walked.insert(key) {
                    continue;
                }
                if depth + 1 > self.limits.max_index_depth {
                    self.problem(
                        ProblemKind::Limit,
                        Some(&path),
                        format!(
                            "{source}: indexes nested more than {} deep (limits.max_index_depth); \
                             {path} is not read",
                            self.limits.max_index_depth
                        ),
                    );
                    continue;
                }
                let mut next_parents = parents.to_vec();
                next_parents.extend(blob.digest().cloned());
                let short = blob
                    .digest()
                    .map(|d| d.short().to_string())
                    .unwrap_or_else(|| path.clone());
                chain.push(path.clone());
                self.walk_index(
                    &sub,
                    &format!("{source}->{short}"),
                    chain,
                    &next_parents,
                    &names,
                    w,
                );
                chain.pop();
                continue;
            }
            if let Some(kind) = artifact::classify(&sub, desc) {
                let mut cand = artifact::artifact_from(&sub, desc, &source, kind);
                cand.artifact.present = true;
                w.out.artifacts.push(cand);
                continue;
            }
            let digest = blob.digest().cloned();
            if let Some(existing) = w
                .out
                .images
                .iter_mut()
                .find(|c| digest.is_some() && c.manifest_digest == digest)
            {
                for n in names {
                    if !existing.names.iter().any(|e| e.name == n.name) {
                        existing.names.push(n);
                    }
                }
                continue;
            }
            w.out.images.push(OciCandidate {
                source,
                manifest_digest: digest,
                names,
                platform: desc.platform.clone(),
                config: sub.config,
                layers: sub.layers.unwrap_or_default(),
                parents: parents.to_vec(),
            });
        }
    }

    /// Reports a manifest or index blob whose bytes do not hash to its descriptor's digest.
    fn check_blob_digest(&mut self, i: usize, blob: &BlobRef, path: &str, source: &str) {
        let Some(expected) = blob.digest() else {
            return;
        };
        let Some(m) = self.members.get(i) else {
            return;
        };
        if let Some(actual) = super::member_digest(m, expected.algorithm()) {
            if actual != expected {
                let actual = actual.clone();
                self.problem(
                    ProblemKind::DigestMismatch,
                    Some(path),
                    format!(
                        "{source}: manifest blob {path}: expected {expected}, computed {actual}"
                    ),
                );
            }
        }
    }

    /// An image from an OCI manifest alone (no `manifest.json`), with the index digests it was
    /// reached through.
    pub(super) fn oci_image(&mut self, c: &OciCandidate) -> (Image, Vec<Digest>) {
        let mut image = Image {
            source: c.source.clone(),
            tags: c.names.iter().map(|n| n.name.clone()).collect(),
            manifest_digest: c.manifest_digest.clone(),
            ..Image::default()
        };
        let label = image.tags.first().cloned().unwrap_or(c.source.clone());
        let config_ref = c.config.as_ref().map(|d| BlobRef::of(d.digest.as_deref()));
        let cfg = match config_ref.as_ref().and_then(BlobRef::path) {
            Some(p) => self.config(&p, &label, c.config.as_ref(), &mut image),
            None => {
                let why = config_ref
                    .map(|r| r.why_not())
                    .unwrap_or_else(|| "no config descriptor".into());
                self.problem(
                    ProblemKind::Metadata,
                    None,
                    format!("{}: the manifest's config cannot be found: {why}", c.source),
                );
                None
            }
        };
        let claimed = cfg.as_ref().map(|c| c.diff_id_claims()).unwrap_or_default();
        if cfg.is_some() {
            if let Some(msg) = count_disagreement(&[
                ("the OCI manifest", c.layers.len()),
                ("the config", claimed.len()),
            ]) {
                self.problem(ProblemKind::Metadata, None, format!("{label}: {msg}"));
            }
        }
        self.check_platform(&label, c.platform.as_ref(), &image);
        for (j, d) in c.layers.iter().enumerate() {
            let path = BlobRef::of(d.digest.as_deref()).path();
            let claim = if cfg.is_some() {
                claimed.get(j).cloned()
            } else {
                None
            };
            let layer = self.layer(
                &label,
                j,
                path.as_deref(),
                claim,
                Some(d),
                "nothing in the archive claims a digest for this layer",
            );
            image.layers.push(layer);
        }
        let refused = cfg.map(|c| c.go_refused).unwrap_or_default();
        self.pair_history(&mut image, &label, &refused);
        let mut parents = c.parents.clone();
        parents.extend(c.manifest_digest.clone());
        (image, parents)
    }
}
