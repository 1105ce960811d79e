//! The platform list of the archive shown (`pancake_core::read::image::platforms`), kept
//! while its file structure stays the same. The list is walked from the archive's index and
//! manifest documents, which each call parses again: for an archive of 20,000 layers that is
//! ~120 ms, and the permalink asks on every render while digests arrive (each arrival
//! replaces the archive, not its structure).

use std::cell::RefCell;
use std::rc::Rc;

use pancake_core::limits::Limits;
use pancake_core::read::image::{choose_platform, platforms, PlatformEntry};

use super::{ArchiveRef, StructureKey};

thread_local! {
    /// The last archive asked about (its structure) and its list.
    static LAST: RefCell<Option<(StructureKey, Rc<Vec<PlatformEntry>>)>> = const { RefCell::new(None) };
}

/// Every platform the archive's indexes list, in their order, as the core's `platforms`
/// gives it with the default limits (the page reads every file with them).
pub fn platforms_of(a: &ArchiveRef) -> Rc<Vec<PlatformEntry>> {
    LAST.with(|last| {
        let key = StructureKey(a.clone());
        if let Some((k, list)) = last.borrow().as_ref() {
            if *k == key {
                return list.clone();
            }
        }
        let list = Rc::new(platforms(a, &Limits::default()));
        *last.borrow_mut() = Some((key, list.clone()));
        list
    })
}

/// The image shown first when an archive is read: the first present platform of its index
/// (the same rule as `pancake inspect` without `--platform`), else image 0.
pub fn default_image(a: &ArchiveRef) -> usize {
    choose_platform(&platforms_of(a), None).unwrap_or(0)
}
