//! A descriptor whose media type says one kind of document while the blob is another:
//! containerd checks every manifest and index it reads (`core/images/image.go`
//! `validateMediaType`, from `images.Children` and `images.Manifest`, which its import walks)
//! and refuses the import. The reader shows the blob by what it is; the refusal is said as
//! `load-fails` naming the descriptor and the blob.

use super::Ctx;
use crate::model::ProblemKind;
use crate::read::config::OciDocument;

/// How a blob contradicts the media type its descriptor gives it, as containerd's
/// `validateMediaType` finds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum MediaClash {
    /// The document carries schema 1's `fsLayers` ("media-type: schema 1 not supported").
    SchemaOne,
    /// The descriptor says manifest; the blob has `manifests` or says it is an index
    /// ("media-type: expected manifest but found index").
    ManifestIsIndex,
    /// The descriptor says index; the blob has `config` or `layers` or says it is a
    /// manifest ("media-type: expected index but found manifest").
    IndexIsManifest,
}

/// containerd's `images.IsManifestType`: exactly Docker's v2 or the OCI manifest type.
fn is_manifest_type(mt: &str) -> bool {
    matches!(
        mt,
        "application/vnd.docker.distribution.manifest.v2+json"
            | "application/vnd.oci.image.manifest.v1+json"
    )
}

/// containerd's `images.IsIndexType`: exactly the OCI index or Docker's manifest list type.
fn is_index_type(mt: &str) -> bool {
    matches!(
        mt,
        "application/vnd.oci.image.index.v1+json"
            | "application/vnd.docker.distribution.manifest.list.v2+json"
    )
}

/// What containerd's `validateMediaType(blob, descriptor media type)` refuses, or `None`:
/// it checks only documents its descriptor calls a manifest or an index, and a field counts
/// when its key is there, whatever its value (`null` too: [`crate::read::config::KeysPresent`]).
pub(super) fn media_clash(doc: &OciDocument, descriptor_type: Option<&str>) -> Option<MediaClash> {
    let mt = descriptor_type?;
    if !is_manifest_type(mt) && !is_index_type(mt) {
        return None;
    }
    let own = doc.media_type.as_deref().unwrap_or_default();
    if doc.fs_layers.is_some() {
        Some(MediaClash::SchemaOne)
    } else if is_manifest_type(mt) && (doc.keys.manifests || is_index_type(own)) {
        Some(MediaClash::ManifestIsIndex)
    } else if is_index_type(mt) && (doc.keys.config || doc.keys.layers || is_manifest_type(own)) {
        Some(MediaClash::IndexIsManifest)
    } else {
        None
    }
}

/// Whether the blob is to be read as an image manifest although its descriptor says index:
/// it has a manifest's `config` or `layers` and no `manifests` to walk. Shown by its content,
/// as Docker's classic store (reading manifest.json) and a person would see it.
pub(super) fn manifest_despite_index(doc: &OciDocument, clash: Option<MediaClash>) -> bool {
    clash == Some(MediaClash::IndexIsManifest)
        && doc.manifests.is_none()
        && (doc.config.is_some() || doc.layers.is_some())
}

impl Ctx<'_> {
    /// Says `load-fails` for `clash`: `source` is the descriptor (`index.json.manifests[0]`),
    /// `parent` the member holding it, `k` its position there, `path` the blob.
    pub(super) fn media_clash_problem(
        &mut self,
        clash: MediaClash,
        source: &str,
        parent: Option<&str>,
        k: usize,
        path: &str,
        descriptor_type: &str,
    ) {
        let (what, error) = match clash {
            MediaClash::SchemaOne => (
                "carries Docker schema 1's fsLayers",
                "media-type: schema 1 not supported",
            ),
            MediaClash::ManifestIsIndex => (
                "is an image index (it has manifests or says so)",
                "media-type: expected manifest but found index",
            ),
            MediaClash::IndexIsManifest => (
                "is an image manifest (it has a config or layers, or says so)",
                "media-type: expected index but found manifest",
            ),
        };
        // Docker's classic store reads manifest.json and never looks at index.json.
        let classic = if self.by_path.contains_key(b"manifest.json".as_slice()) {
            "; Docker's classic image store reads manifest.json and loads it"
        } else {
            ""
        };
        let shown = if clash == MediaClash::SchemaOne {
            "shown as the manifest it also is"
        } else {
            "shown by what it is"
        };
        self.problem_at(
            ProblemKind::LoadFails,
            parent,
            Some(format!("manifests[{k}]")),
            format!(
                "{source}: its descriptor says {descriptor_type}, but blob {path} {what}, so docker load with the containerd image store and ctr import refuse the archive (\"{error}\"); {shown}{classic}"
            ),
        );
    }
}
