//! The platform list of the archive shown (`pancake_core::read::image::platforms`), kept
//! while what it is made of stays the same: the members' paths and JSON documents, and each
//! image's manifest digest and platform. The list is walked from the archive's index and
//! manifest documents, which each call parses again: for an archive of 20,000 layers that is
//! ~120 ms, and the permalink asks on every render while digests arrive (each arrival
//! replaces the archive, not those). A document the archive kept is the same shared text
//! (`Arc`) in every later copy, so comparing is a pointer check; a document that crossed
//! again is compared eight bytes at a time.
//!
//! Two memos: the documents' walk (`listed_platforms`, the parsing: ~40 ms for the 3 MB
//! manifest of 20,002 layers), kept while the documents stay the same, and the list filled in
//! from the images (`fill_platforms`, cheap), kept while the images' part stays the same too.
//! The worker pool walks new documents in a task of its own ([`walk_documents`]) as soon as
//! they arrive, so the render that first shows them only fills in.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use pancake_core::limits::Limits;
use pancake_core::read::image::{
    choose_platform, fill_platforms, listed_platforms, Listed, PlatformEntry,
};

use pancake_core::{Archive, Member, MemberFacts};

use super::ArchiveRef;

thread_local! {
    /// The last archive asked about and its list.
    static LAST: RefCell<Option<(ArchiveRef, Rc<Vec<PlatformEntry>>)>> = const { RefCell::new(None) };
    /// The last archive whose documents were walked, and what they list.
    static LISTED: RefCell<Option<(ArchiveRef, Rc<Listed>)>> = const { RefCell::new(None) };
}

/// Whether `platforms` gives the same list for both archives: the same members (path and JSON
/// document, which the walk reads) and images (the manifest digest it matches, the platform of
/// the config it falls back on). Not the layer indexes: two files of images without layers
/// have the same "structure" and different platforms.
fn same_inputs(a: &Archive, b: &Archive) -> bool {
    a.members.len() == b.members.len()
        && a.members
            .iter()
            .zip(&b.members)
            .all(|(x, y)| x.path == y.path && same_text(&x.facts.json, &y.facts.json))
        && same_images(a, b)
}

/// The images' part of [`same_inputs`].
fn same_images(a: &Archive, b: &Archive) -> bool {
    a.images.len() == b.images.len()
        && a.images.iter().zip(&b.images).all(|(x, y)| {
            x.manifest_digest == y.manifest_digest
                && x.config.os == y.config.os
                && x.config.architecture == y.config.architecture
                && x.config.variant == y.config.variant
        })
}

/// Whether `listed_platforms` lists for `b` what it listed for `a` (`listed`): the same
/// members (path, kind and link, which finding a document follows) and the same texts in the
/// members the walk looked at; the other members' documents (configs, layers' facts) are not
/// read by it and may differ.
fn same_documents(listed: &Listed, a: &Archive, b: &Archive) -> bool {
    let json = |x: &Archive, i: usize| x.members.get(i).and_then(|m| m.facts.json.clone());
    a.members.len() == b.members.len()
        && a.members
            .iter()
            .zip(&b.members)
            .all(|(x, y)| x.path == y.path && x.kind == y.kind && x.link_target == y.link_target)
        && listed
            .documents
            .iter()
            .all(|&i| same_text(&json(a, i), &json(b, i)))
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
        let list = Rc::new(fill_platforms(&listed_of(a).platforms, &a.images));
        *last.borrow_mut() = Some((a.clone(), list.clone()));
        list
    })
}

/// What `a`'s documents list, walked unless the last walk read the same ones.
fn listed_of(a: &ArchiveRef) -> Rc<Listed> {
    if let Some(list) = known_listing(a) {
        return list;
    }
    let list = Rc::new(listed_platforms(a, &Limits::default()));
    LISTED.with(|listed| *listed.borrow_mut() = Some((a.clone(), list.clone())));
    list
}

/// The last walk's listing when it holds for `a` too.
fn known_listing(a: &Archive) -> Option<Rc<Listed>> {
    LISTED.with(|listed| {
        let held = listed.borrow();
        let (k, list) = held.as_ref()?;
        (std::ptr::eq(&*k.0, a) || same_documents(list, k, a)).then(|| list.clone())
    })
}

/// Walks `a`'s documents now unless the last walk read the same ones: for the worker pool,
/// in a task of its own once a document arrives, before an archive with it is shown.
/// Returns whether it walked. Takes the archive borrowed and keeps, when it walks, a copy
/// of what the walk reads: each member's path, kind, link and document (a copy of the
/// members whole copies each layer blob's facts: with the walk, tasks of 80-140 ms for
/// 20,002 layers).
pub fn walk_documents(a: &Archive) -> bool {
    if known_listing(a).is_some() {
        return false;
    }
    let members = a
        .members
        .iter()
        .map(|m| Member {
            path: m.path.clone(),
            kind: m.kind,
            size: m.size,
            data_offset: m.data_offset,
            link_target: m.link_target.clone(),
            facts: MemberFacts {
                json: m.facts.json.clone(),
                ..MemberFacts::default()
            },
        })
        .collect();
    listed_of(&ArchiveRef(Rc::new(Archive {
        members,
        ..Archive::default()
    })));
    true
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
        assert!(!same_images(&a, &other_platform));
    }

    /// Documents walked ahead are not walked again for a later archive with other images,
    /// and the list filled in from those images is the core's `platforms` of that archive.
    #[test]
    fn documents_walked_ahead_fill_in_later_images() {
        use pancake_core::read::image::platforms;
        let manifest =
            r#"{"schemaVersion":2,"config":{"digest":"sha256:aa","size":2},"layers":[]}"#;
        let digest = pancake_core::Digest::of_bytes(manifest.as_bytes());
        let index = format!(
            r#"{{"manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{digest}","size":{},"platform":{{"os":"linux"}}}}]}}"#,
            manifest.len()
        );
        let members = vec![
            member("index.json", Some(&index)),
            member(&digest.blob_path(), Some(manifest)),
        ];
        let early = ArchiveRef(Rc::new(Archive {
            members,
            images: Vec::new(),
            ..Archive::default()
        }));
        assert!(walk_documents(&early), "new documents are walked");
        assert!(!walk_documents(&early), "and then known");
        let mut image = Image {
            manifest_digest: Some(digest.clone()),
            ..Image::default()
        };
        image.config.architecture = Some("riscv64".into());
        let resolved = ArchiveRef(Rc::new(Archive {
            images: vec![image],
            ..(*early.0).clone()
        }));
        assert!(
            !walk_documents(&resolved),
            "other images, the same documents"
        );
        // A document the walk does not read (a config's) changes nothing; one it reads does.
        let mut config = (*resolved.0).clone();
        config.members.push(member("blobs/sha256/aa", Some("{}")));
        let config = ArchiveRef(Rc::new(config));
        assert!(walk_documents(&config), "another member: walked");
        let mut texts = (*config.0).clone();
        if let Some(m) = texts.members.last_mut() {
            m.facts.json = Some(r#"{"os":"plan9"}"#.into());
        }
        assert!(
            !walk_documents(&ArchiveRef(Rc::new(texts))),
            "a text it does not read"
        );
        let mut index = (*config.0).clone();
        if let Some(m) = index.members.first_mut() {
            m.facts.json = Some(r#"{"manifests":[]}"#.into());
        }
        let index = ArchiveRef(Rc::new(index));
        assert!(walk_documents(&index), "the index it reads");
        assert!(platforms_of(&index).is_empty());
        let list = platforms_of(&resolved);
        assert_eq!(*list, platforms(&resolved, &Limits::default()));
        let one = list.first().expect("one platform");
        assert_eq!(
            (one.image, one.display()),
            (Some(0), "linux/riscv64".to_string())
        );
        assert!(platforms_of(&early)
            .first()
            .is_some_and(|p| p.image.is_none()));
    }
}
