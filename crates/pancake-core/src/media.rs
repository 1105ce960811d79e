//! Media types and whiteout names, exactly as the specs spell them, in one place for the
//! reader and the writer: OCI image-spec `media-types.md` and `layer.md` (whiteouts), Docker's
//! image manifest v2 schema 2 (`distribution/docs/spec/manifest-v2-2.md`), and the old AUFS
//! driver's metadata names (moby `pkg/archive`). A media type is compared without its
//! parameters (`; charset=…`) and ASCII case-insensitively (RFC 6838 §4.2), never by a
//! substring: `application/vnd.acme.reindex+json` is not an index.

/// An OCI image index (`application/vnd.oci.image.index.v1+json`).
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// A Docker manifest list, the index of Docker's v2 schema 2.
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";

/// An OCI image manifest.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// An OCI image config.
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
/// Docker's image config (v2 schema 2).
pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
/// An uncompressed OCI layer tar (`+gzip`, `+zstd` suffixes for compressed ones).
pub const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar";
/// OCI 1.1's empty descriptor (`{}`), the config of artifacts that have none.
pub const OCI_EMPTY: &str = "application/vnd.oci.empty.v1+json";

/// `<dir>/.wh.<name>` deletes `<dir>/<name>` from the lower layers (OCI `layer.md`).
pub const WHITEOUT_PREFIX: &[u8] = b".wh.";
/// `<dir>/.wh..wh..opq` hides every lower child of `<dir>` (an opaque directory).
pub const OPAQUE_MARKER: &[u8] = b".wh..wh..opq";
/// Names starting with this are whiteout metadata, never whiteouts of a name.
pub const WHITEOUT_META_PREFIX: &[u8] = b".wh..wh.";
/// AUFS's hard-link directory at the layer root.
pub const AUFS_PLNK: &[u8] = b".wh..wh.plnk";
/// AUFS's orphan directory at the layer root.
pub const AUFS_ORPH: &[u8] = b".wh..wh.orph";
/// AUFS's marker file at the layer root.
pub const AUFS_META: &[u8] = b".wh..wh.aufs";

/// `media_type` without parameters and surrounding spaces.
fn essence(media_type: &str) -> &str {
    media_type
        .split_once(';')
        .map_or(media_type, |(t, _)| t)
        .trim()
}

/// Whether `media_type` names an image index: [`OCI_INDEX`] or [`DOCKER_MANIFEST_LIST`].
pub fn is_index(media_type: &str) -> bool {
    let t = essence(media_type);
    t.eq_ignore_ascii_case(OCI_INDEX) || t.eq_ignore_ascii_case(DOCKER_MANIFEST_LIST)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_two_index_types_are_indexes() {
        assert!(is_index(OCI_INDEX));
        assert!(is_index(DOCKER_MANIFEST_LIST));
        assert!(is_index(
            "Application/VND.oci.image.index.v1+json; charset=utf-8"
        ));
        for not in [
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json",
            "application/vnd.acme.reindex.manifest.v1+json",
            "application/vnd.oci.image.index.v1+json.sig",
            "application/vnd.docker.distribution.manifest.list.v2",
            "",
        ] {
            assert!(!is_index(not), "{not}");
        }
    }
}
