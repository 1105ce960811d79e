//! Archive handles for props and memos: by identity ([`ArchiveRef`]) or by file structure
//! ([`StructureKey`], [`same_structure`]), so nothing compares 200,000 entries per render.

use std::rc::Rc;

use pancake_core::Archive;

/// An `Rc<Archive>` compared by identity: props change when the archive is replaced,
/// without deep-comparing 200,000 entries on every render.
#[derive(Clone, Debug)]
pub struct ArchiveRef(pub Rc<Archive>);

impl PartialEq for ArchiveRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl std::ops::Deref for ArchiveRef {
    type Target = Archive;
    fn deref(&self) -> &Archive {
        &self.0
    }
}

/// An archive compared by its file structure only: the same images with their layers on the
/// same members, each layer index the same shared `Arc` of entries. Verification facts
/// arriving while blobs are hashed replace the archive but not its structure, so a memo keyed
/// on this (a union fold over 200,000 entries) survives every facts update. Comparing costs
/// O(members + layers), never O(entries).
#[derive(Clone, Debug)]
pub struct StructureKey(pub ArchiveRef);

impl PartialEq for StructureKey {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (&self.0 .0, &other.0 .0);
        Rc::ptr_eq(a, b) || same_structure(a, b)
    }
}

/// Whether two archives have the same file structure: the same images with their layers on
/// the same members, each layer index the same shared `Arc` of entries (see [`StructureKey`]).
/// O(members + layers), never O(entries).
pub fn same_structure(a: &Archive, b: &Archive) -> bool {
    {
        let entries = |x: &Archive| -> Vec<Option<*const ()>> {
            x.members
                .iter()
                .map(|m| m.facts.layer.as_ref().map(|l| l.entries.as_ptr()))
                .collect()
        };
        let layers = |x: &Archive| -> Vec<Vec<Option<usize>>> {
            x.images
                .iter()
                .map(|i| i.layers.iter().map(|l| l.member).collect())
                .collect()
        };
        layers(a) == layers(b) && entries(a) == entries(b)
    }
}

impl std::ops::Deref for StructureKey {
    type Target = Archive;
    fn deref(&self) -> &Archive {
        &self.0
    }
}
