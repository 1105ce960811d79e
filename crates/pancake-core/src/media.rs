//! Media types the reader decides by, exactly as the specs spell them: OCI image-spec
//! `media-types.md` and Docker's image manifest v2 schema 2
//! (`distribution/docs/spec/manifest-v2-2.md`). A media type is compared without its
//! parameters (`; charset=…`) and ASCII case-insensitively (RFC 6838 §4.2), never by a
//! substring: `application/vnd.acme.reindex+json` is not an index.

/// An OCI image index (`application/vnd.oci.image.index.v1+json`).
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// A Docker manifest list, the index of Docker's v2 schema 2.
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";

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
