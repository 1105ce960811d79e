//! OCI artifacts: manifests in an archive that are not images — cosign signatures,
//! attestations, SBOMs, Helm charts, BuildKit's attestation manifests, anything with an
//! `artifactType` or a config that is not an image config (image-spec 1.1 "Guidelines for
//! Artifact Usage"). They are listed with the image they refer to, never as images.

use super::{BlobRef, Ctx, Found};
use crate::digest::Digest;
use crate::model::{Artifact, ArtifactKind, Image, ProblemKind};
use crate::read::config::{Descriptor, OciDocument};

/// The config media types of images (OCI and Docker schema 2); any other config makes the
/// manifest an artifact.
pub(super) const IMAGE_CONFIG_TYPES: [&str; 2] =
    [crate::media::OCI_CONFIG, crate::media::DOCKER_CONFIG];

/// One artifact found, and the digest of its config (so `manifest.json` entries that are
/// artifacts are recognized).
pub(super) struct ArtifactCandidate {
    pub artifact: Artifact,
    pub config: Option<Digest>,
}

/// BuildKit's attestation manifests (provenance, SBOM) sit in an image index beside the
/// platform manifests, annotated `vnd.docker.reference.type: attestation-manifest` and
/// `vnd.docker.reference.digest: <the platform manifest they describe>`.
pub(super) fn is_buildkit_attestation(desc: &Descriptor) -> bool {
    desc.annotation("vnd.docker.reference.type") == Some("attestation-manifest")
}

/// cosign's tag convention: `sha256-<hex>.sig` (signature), `.att` (attestation), `.sbom`
/// names the artifact for the manifest `sha256:<hex>`. `name` may be a full reference.
pub(super) fn cosign_tag(name: &str) -> Option<(ArtifactKind, Digest)> {
    let tag = super::oci_index::tag_of(name).unwrap_or(name);
    let (stem, ext) = tag.rsplit_once('.')?;
    let kind = match ext {
        "sig" => ArtifactKind::Signature,
        "att" => ArtifactKind::Attestation,
        "sbom" => ArtifactKind::Sbom,
        _ => return None,
    };
    let (alg, hex) = stem.split_once('-')?;
    Some((kind, Digest::parse(&format!("{alg}:{hex}"))?))
}

/// `Some(kind)` when the manifest `doc` (reached by `desc`) is an artifact, not an image.
pub(super) fn classify(doc: &OciDocument, desc: &Descriptor) -> Option<ArtifactKind> {
    let config_type = doc.config.as_ref().and_then(|c| c.media_type.as_deref());
    let declared = doc.artifact_type.is_some() || desc.artifact_type.is_some();
    let foreign_config = config_type.is_some_and(|t| !IMAGE_CONFIG_TYPES.contains(&t));
    (declared || foreign_config).then(|| kind_of(doc, desc))
}

/// What the media types say the artifact is.
fn kind_of(doc: &OciDocument, desc: &Descriptor) -> ArtifactKind {
    let mut types: Vec<String> = Vec::new();
    types.extend(doc.artifact_type.clone());
    types.extend(desc.artifact_type.clone());
    types.extend(doc.config.as_ref().and_then(|c| c.media_type.clone()));
    for l in doc.layers.iter().flatten() {
        types.extend(l.media_type.clone());
    }
    let all = types.join(" ").to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| all.contains(w));
    if has(&["spdx", "cyclonedx", "sbom", "syft"]) {
        ArtifactKind::Sbom
    } else if has(&["in-toto", "dsse", "attestation", "provenance"]) {
        ArtifactKind::Attestation
    } else if has(&["cosign", "sigstore", "signature", "notary"]) {
        ArtifactKind::Signature
    } else if has(&["helm"]) {
        ArtifactKind::HelmChart
    } else {
        ArtifactKind::Other
    }
}

/// `artifactType`, else the config's media type unless it is the empty config, else the
/// first layer's media type.
fn type_of(doc: &OciDocument, desc: &Descriptor) -> String {
    doc.artifact_type
        .clone()
        .or_else(|| desc.artifact_type.clone())
        .or_else(|| {
            doc.config
                .as_ref()
                .and_then(|c| c.media_type.clone())
                .filter(|t| t != crate::media::OCI_EMPTY)
        })
        .or_else(|| {
            doc.layers
                .iter()
                .flatten()
                .find_map(|l| l.media_type.clone())
        })
        .unwrap_or_else(|| "unknown".into())
}

impl Ctx<'_> {
    /// An artifact the index names by a convention (BuildKit annotation, cosign tag): its
    /// manifest is read when it is in the archive, else the descriptor is all there is.
    pub(super) fn artifact_at(
        &mut self,
        desc: &Descriptor,
        path: &str,
        source: &str,
        tagged: Option<(ArtifactKind, Digest)>,
    ) -> ArtifactCandidate {
        let doc = match self.find(path) {
            Found::Member(i) => self.oci_document(i, path, desc.media_type.as_deref(), false),
            _ => None,
        };
        let present = doc.is_some();
        let doc = doc.unwrap_or_default();
        let kind = match &tagged {
            Some((k, _)) => *k,
            None if is_buildkit_attestation(desc) => ArtifactKind::Attestation,
            None => kind_of(&doc, desc),
        };
        let mut cand = artifact_from(&doc, desc, source, kind);
        cand.artifact.present = present;
        if !present {
            cand.artifact.size = desc.size.and_then(|s| u64::try_from(s).ok()).unwrap_or(0);
        }
        if cand.artifact.subject.is_none() {
            if let Some((_, d)) = tagged {
                cand.artifact.refers_by =
                    format!("cosign tag {}-{}", d.algorithm().name(), d.hex());
                cand.artifact.subject = Some(d);
            }
        }
        if cand.artifact.artifact_type == "unknown" && is_buildkit_attestation(desc) {
            cand.artifact.artifact_type = "BuildKit attestation manifest (in-toto)".into();
        }
        cand
    }
}

/// An artifact from its manifest `doc`, reached by `desc`.
pub(super) fn artifact_from(
    doc: &OciDocument,
    desc: &Descriptor,
    source: &str,
    kind: ArtifactKind,
) -> ArtifactCandidate {
    let subject_ref = doc
        .subject
        .as_ref()
        .and_then(|s| s.digest.as_deref())
        .and_then(Digest::parse);
    let (subject, refers_by) = match subject_ref {
        Some(d) => (Some(d), "subject".to_string()),
        None => match desc
            .annotation("vnd.docker.reference.digest")
            .and_then(Digest::parse)
        {
            Some(d) => (Some(d), "vnd.docker.reference.digest annotation".into()),
            None => (None, String::new()),
        },
    };
    let size = doc
        .layers
        .iter()
        .flatten()
        .filter_map(|l| l.size.and_then(|s| u64::try_from(s).ok()))
        .fold(0u64, u64::saturating_add);
    ArtifactCandidate {
        config: doc
            .config
            .as_ref()
            .and_then(|c| c.digest.as_deref())
            .and_then(Digest::parse),
        artifact: Artifact {
            source: source.to_string(),
            kind,
            artifact_type: type_of(doc, desc),
            manifest_digest: BlobRef::of(desc.digest.as_deref()).digest().cloned(),
            size,
            present: true,
            refers_by,
            subject,
        },
    }
}

impl Ctx<'_> {
    /// Gives each artifact to the images it refers to (by manifest digest, or by the digest of
    /// an index the image was reached through); one `artifact` note for each that refers to
    /// no image here.
    pub(super) fn attach_artifacts(
        &mut self,
        artifacts: &[ArtifactCandidate],
        images: &mut [(Image, Vec<Digest>)],
    ) {
        for a in artifacts {
            let a = &a.artifact;
            let mut attached = false;
            if let Some(s) = &a.subject {
                for (img, parents) in images.iter_mut() {
                    if img.manifest_digest.as_ref() == Some(s) || parents.contains(s) {
                        img.artifacts.push(a.clone());
                        attached = true;
                    }
                }
            }
            // An artifact left out together with the image it describes (a platform
            // `docker save` did not keep) is no news: the absent platform is reported.
            if !attached && a.present {
                let kind = serde_json::to_value(a.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                let target = match &a.subject {
                    Some(s) => format!("refers to {s}, which is not an image in this archive"),
                    None => "names no image it refers to".into(),
                };
                self.problem(
                    ProblemKind::Artifact,
                    a.manifest_digest.as_ref().map(|d| d.blob_path()).as_deref(),
                    format!(
                        "{}: {kind} artifact ({}, {} bytes) {target}; listed here, not as an image",
                        a.source, a.artifact_type, a.size
                    ),
                );
            }
        }
    }
}
