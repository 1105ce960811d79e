//! The platform list of the archive shown (`pancake_core::read::image::platforms`), kept
//! while what it is made of stays the same: the members' paths and JSON documents, and each
//! image's manifest digest and platform. The list is walked from the archive's index and
//! manifest documents, which each call parses again: for an archive of 20,000 layers that is
//! ~120 ms, and the permalink asks on every render while digests arrive (each arrival
//! replaces the archive, not those). A document the archive kept is the same shared text
//! (`Arc`) in every later copy, so comparing is a pointer check; a document that crossed
//! again is compared eight bytes at a time.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use pancake_core::limits::Limits;
use pancake_core::read::image::{choose_platform, platforms, PlatformEntry};

use pancake_core::Archive;

use super::ArchiveRef;

thread_local! {
    /// The last archive asked about and its list.
    static LAST: RefCell<Option<(ArchiveRef, Rc<Vec<PlatformEntry>>)>> = const { RefCell::new(None) };
}

/// Whether `platforms` gives the same list for both archives: the same members (path and JSON
/// document, which the walk reads) and images (the manifest digest it matches, the platform of
/// the config it falls back on). Not the layer indexes: two files of images without layers
/// have the same "structure" and different platforms.
fn same_inputs(a: &Archive, b: &Archive) -> bool {
    a.members.len() == b.members.len()
        && a.images.len() == b.images.len()
        && a.members
            .iter()
            .zip(&b.members)
            .all(|(x, y)| x.path == y.path && same_text(&x.facts.json, &y.facts.json))
        && a.images.iter().zip(&b.images).all(|(x, y)| {
            x.manifest_digest == y.manifest_digest
                && x.config.os == y.config.os
                && x.config.architecture == y.config.architecture
                && x.config.variant == y.config.variant
        })
}

/// `a == b`: the same shared text, or else equal eight bytes at a time on wasm32
/// (`pancake_core::path::cmp_bytes`; there `==` on strings is a byte loop, and comparing case
/// 15's 3 MB of documents on each update took ~100 ms in all).
fn same_text(a: &Option<Arc<str>>, b: &Option<Arc<str>>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => {
            Arc::ptr_eq(a, b)
                || (a.len() == b.len()
                    && pancake_core::path::cmp_bytes(a.as_bytes(), b.as_bytes())
                        == std::cmp::Ordering::Equal)
        }
        (None, None) => true,
        _ => false,
    }
}

/// Every platform the archive's indexes list, in their order, as the core's `platforms`
/// gives it with the default limits (the page reads every file with them).
pub fn platforms_of(a: &ArchiveRef) -> Rc<Vec<PlatformEntry>> {
    LAST.with(|last| {
        if let Some((k, list)) = last.borrow().as_ref() {
            if *k == *a || same_inputs(k, a) {
                return list.clone();
            }
        }
        let list = Rc::new(platforms(a, &Limits::default()));
        *last.borrow_mut() = Some((a.clone(), list.clone()));
        list
    })
}

/// The image shown first when an archive is read: the first present platform of its index
/// (the same rule as `pancake inspect` without `--platform`), else image 0.
pub fn default_image(a: &ArchiveRef) -> usize {
    choose_platform(&platforms_of(a), None).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pancake_core::{EntryKind, Image, Member, MemberFacts, RawPath};

    fn member(path: &str, json: Option<&str>) -> Member {
        Member {
            path: RawPath::from(path),
            kind: EntryKind::File,
            size: 0,
            data_offset: Some(512),
            link_target: None,
            facts: MemberFacts {
                json: json.map(Into::into),
                ..MemberFacts::default()
            },
        }
    }

    /// Two files whose images have no layers share a file "structure"; their platform lists
    /// differ, and a document that arrives later (a large config read by a hash job) counts.
    #[test]
    fn the_list_follows_the_documents_not_the_structure() {
        let file = |index: &str| Archive {
            members: vec![
                member("index.json", Some(index)),
                member("oci-layout", None),
            ],
            images: vec![Image::default()],
            ..Archive::default()
        };
        let a = file(r#"{"manifests":[]}"#);
        let b = file(r#"{"manifests":[{"digest":"sha256:00"}]}"#);
        assert!(crate::state::same_structure(&a, &b));
        assert!(!same_inputs(&a, &b));
        assert!(same_inputs(&a, &a.clone()));
        let mut later = a.clone();
        later.members[1].facts.json = Some("{}".into());
        assert!(!same_inputs(&a, &later));
        let mut other_platform = a.clone();
        other_platform.images[0].config.architecture = Some("arm64".into());
        assert!(!same_inputs(&a, &other_platform));
    }
}
