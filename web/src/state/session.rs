//! The session slice (shared layers): every archive that finished reading stays open beside the
//! others, so images from one tarball, several dropped files, or files added one after
//! another can be compared. Also what the pull/push simulations remember (which images are
//! "on this host" and "in the registry"), and the queue of files still waiting to be read.

use std::collections::BTreeSet;
use std::rc::Rc;

use pancake_core::{Archive, Image};

use super::{AppState, ArchiveRef};

/// One image of the session: the reader generation of its archive and its index there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ImageKey {
    pub archive: u32,
    pub image: usize,
}

/// An archive that finished reading.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionArchive {
    /// The generation it was read under (also how the worker pool finds its reader).
    pub key: u32,
    pub archive: ArchiveRef,
    pub file_name: String,
    pub file_size: u64,
    /// Images the person removed from the session.
    pub hidden: BTreeSet<usize>,
    /// Which demo or URL the file is (nothing for a person's own file): what the permalink
    /// says once one of its images is shown again.
    pub origin: Origin,
}

/// Where a file of the session came from, as the permalink names it (`?demo=`, `?src=`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    /// Demo name(s) joined by `,`.
    pub demo: Option<String>,
    pub src: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SharedState {
    pub archives: Rc<Vec<SessionArchive>>,
    /// Images marked as already on this host (pull simulation).
    pub present: BTreeSet<ImageKey>,
    /// Images marked as already in the registry (push simulation).
    pub pushed: BTreeSet<ImageKey>,
    /// Files dropped together that wait for their turn.
    pub queued: usize,
}

#[derive(Debug)]
pub enum SharedAction {
    /// The current archive finished reading: it joins the session.
    Add {
        key: u32,
        archive: ArchiveRef,
        file_name: String,
        file_size: u64,
        /// Which demo or URL it is (the course's, while it is the file shown).
        origin: Origin,
    },
    /// Show this image in the stack/files/history/config views.
    Show(ImageKey),
    Remove(ImageKey),
    Present(ImageKey, bool),
    Pushed(ImageKey, bool),
    Queued(usize),
}

/// One image as the shared views list it.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionImage {
    pub key: ImageKey,
    pub archive: ArchiveRef,
    pub file_name: String,
    /// Still being read (not yet in the session): digests may be pending.
    pub pending: bool,
    /// Its reading goes on (`pending` and not stopped): what it lacks may still come.
    pub live: bool,
    /// Other files of the session holding the same image (the same image ID, its config's
    /// digest), one name per other file in session order (the same file opened twice names
    /// itself): the image is listed once, here, and counted once in the storage figures.
    pub also_in: Vec<String>,
}

impl SessionImage {
    pub fn image(&self) -> Option<&Image> {
        self.archive.images.get(self.key.image)
    }

    /// Its tag (else short ID, else where it was found).
    pub fn tag(&self) -> String {
        crate::text::image_name(&self.archive, self.key.image)
    }
}

/// Every image of the session in session order, then the images of an archive still being
/// read (so a single file behaves as before: its images are choosable at once).
pub fn session_images(s: &AppState) -> Vec<SessionImage> {
    let mut out: Vec<SessionImage> = Vec::new();
    for a in s.session.archives.iter() {
        for i in 0..a.archive.images.len() {
            if a.hidden.contains(&i) {
                continue;
            }
            // The same image from another file is one entry: the first file keeps it and
            // notes the others (images repeated inside one file stay as that file lists them).
            let id = a
                .archive
                .images
                .get(i)
                .and_then(|im| im.config_digest.as_ref());
            let first = id.and_then(|id| {
                out.iter_mut().find(|o| {
                    o.key.archive != a.key
                        && o.image().and_then(|im| im.config_digest.as_ref()) == Some(id)
                })
            });
            if let Some(first) = first {
                // Once per file, though the file lists the image twice (two tags of one
                // image): "also in copy.tar, copy.tar" said the name twice.
                if !first.also_in.contains(&a.file_name) {
                    first.also_in.push(a.file_name.clone());
                }
                continue;
            }
            out.push(SessionImage {
                key: ImageKey {
                    archive: a.key,
                    image: i,
                },
                archive: a.archive.clone(),
                file_name: a.file_name.clone(),
                pending: false,
                live: false,
                also_in: Vec::new(),
            });
        }
    }
    let current_known = s
        .session
        .archives
        .iter()
        .any(|a| a.key == s.reading.generation);
    if let (Some(a), false) = (&s.reading.archive, current_known) {
        for i in 0..a.images.len() {
            out.push(SessionImage {
                key: ImageKey {
                    archive: s.reading.generation,
                    image: i,
                },
                archive: a.clone(),
                file_name: s.reading.file_name.clone().unwrap_or_default(),
                pending: true,
                live: matches!(
                    s.reading.phase,
                    super::Phase::Scanning | super::Phase::Hashing
                ),
                also_in: Vec::new(),
            });
        }
    }
    out
}

/// Each image as a one-image archive without members: what `share::*` needs, so that
/// `(n, 0)` in its answers is session image `n`.
pub fn image_archives(images: &[SessionImage]) -> Vec<Archive> {
    images
        .iter()
        .map(|si| Archive {
            name: si.file_name.clone(),
            images: si.image().cloned().into_iter().collect(),
            ..Default::default()
        })
        .collect()
}

/// The slice after `action`. `Show` changes nothing here: showing an image is the reading
/// and navigation slices' business, done by the app's reducer. `Remove` hides the image in
/// every file holding it (the same image ID: the entry stands for all of them, so no copy
/// takes its place; an archive with no image left leaves the session) and forgets its
/// pull/push marks.
pub fn reduce(s: &SharedState, action: SharedAction) -> SharedState {
    let mut s = s.clone();
    match action {
        SharedAction::Add {
            key,
            archive,
            file_name,
            file_size,
            origin,
        } => {
            let mut list = (*s.archives).clone();
            match list.iter_mut().find(|a| a.key == key) {
                Some(old) => old.archive = archive,
                None => list.push(SessionArchive {
                    key,
                    archive,
                    file_name,
                    file_size,
                    hidden: BTreeSet::new(),
                    origin,
                }),
            }
            s.archives = Rc::new(list);
        }
        SharedAction::Show(_) => {}
        SharedAction::Remove(k) => {
            let mut list = (*s.archives).clone();
            let id = list
                .iter()
                .find(|a| a.key == k.archive)
                .and_then(|a| a.archive.images.get(k.image))
                .and_then(|im| im.config_digest.clone());
            for a in list.iter_mut() {
                if a.key == k.archive {
                    a.hidden.insert(k.image);
                } else if let Some(id) = &id {
                    let same: Vec<usize> = a
                        .archive
                        .images
                        .iter()
                        .enumerate()
                        .filter(|(_, im)| im.config_digest.as_ref() == Some(id))
                        .map(|(i, _)| i)
                        .collect();
                    a.hidden.extend(same);
                }
            }
            list.retain(|a| a.hidden.len() < a.archive.images.len());
            s.archives = Rc::new(list);
            s.present.remove(&k);
            s.pushed.remove(&k);
        }
        SharedAction::Present(k, on) => {
            if on {
                s.present.insert(k);
            } else {
                s.present.remove(&k);
            }
        }
        SharedAction::Pushed(k, on) => {
            if on {
                s.pushed.insert(k);
            } else {
                s.pushed.remove(&k);
            }
        }
        SharedAction::Queued(n) => s.queued = n,
    }
    s
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use pancake_core::{Archive, Image};

    fn archive(images: usize) -> ArchiveRef {
        ArchiveRef(Rc::new(Archive {
            images: vec![Image::default(); images],
            ..Archive::default()
        }))
    }

    fn add(s: &SharedState, key: u32, images: usize) -> SharedState {
        reduce(
            s,
            SharedAction::Add {
                key,
                archive: archive(images),
                file_name: format!("{key}.tar"),
                file_size: 1,
                origin: Origin::default(),
            },
        )
    }

    /// An archive named `name` holding images with these config digests (by seed), each
    /// with one layer of `size` bytes.
    pub(crate) fn archive_of(key: u32, name: &str, seeds: &[&str], size: u64) -> SessionArchive {
        let images = seeds
            .iter()
            .map(|s| Image {
                config_digest: Some(pancake_core::Digest::of_bytes(s.as_bytes())),
                layers: vec![pancake_core::Layer {
                    diff_id: Some(pancake_core::Digest::of_bytes(
                        format!("layer of {s}").as_bytes(),
                    )),
                    size,
                    ..pancake_core::Layer::default()
                }],
                ..Image::default()
            })
            .collect();
        SessionArchive {
            key,
            archive: ArchiveRef(Rc::new(Archive {
                name: name.into(),
                images,
                ..Archive::default()
            })),
            file_name: name.into(),
            file_size: 0,
            hidden: BTreeSet::new(),
            origin: Origin::default(),
        }
    }

    #[test]
    fn the_same_image_from_two_files_is_one_entry_noting_the_others() {
        let mut s = AppState::new(crate::i18n::Lang::En);
        s.session.archives = Rc::new(vec![
            archive_of(1, "app.tar", &["app"], 1000),
            archive_of(2, "app.tar.gz", &["app", "other"], 1000),
            archive_of(3, "app.tar", &["app"], 1000),
        ]);
        s.reading.generation = 99;
        let list = session_images(&s);
        let names: Vec<(u32, usize, Vec<String>)> = list
            .iter()
            .map(|i| (i.key.archive, i.key.image, i.also_in.clone()))
            .collect();
        assert_eq!(
            names,
            vec![
                (1, 0, vec!["app.tar.gz".to_string(), "app.tar".to_string()]),
                (2, 1, vec![]),
            ]
        );
        // Counted once in the storage figures: 1000 for "app", 1000 for "other".
        let owned = image_archives(&list);
        let refs: Vec<&Archive> = owned.iter().collect();
        let st = pancake_core::analyze::share::storage(&refs);
        assert_eq!(st.separate_bytes, 2000);
        assert_eq!(st.stored_bytes, 2000);
    }

    /// A file listing one image twice (two tags of one image ID), opened beside a copy of
    /// itself: the copy is named once under each entry, not once per listing.
    #[test]
    fn a_copy_listing_an_image_twice_is_named_once() {
        let mut s = AppState::new(crate::i18n::Lang::En);
        s.session.archives = Rc::new(vec![
            archive_of(1, "x.tar", &["x", "x"], 1000),
            archive_of(2, "x-copy.tar", &["x", "x"], 1000),
        ]);
        s.reading.generation = 99;
        let names: Vec<(u32, usize, Vec<String>)> = session_images(&s)
            .iter()
            .map(|i| (i.key.archive, i.key.image, i.also_in.clone()))
            .collect();
        assert_eq!(
            names,
            vec![(1, 0, vec!["x-copy.tar".to_string()]), (1, 1, vec![])]
        );
    }

    #[test]
    fn an_archive_joins_once_and_leaves_with_its_last_image() {
        let s = add(&SharedState::default(), 1, 2);
        let s = add(&s, 1, 2);
        assert_eq!(s.archives.len(), 1, "added again: replaced, not doubled");
        let k0 = ImageKey {
            archive: 1,
            image: 0,
        };
        let s = reduce(&s, SharedAction::Present(k0, true));
        let s = reduce(&s, SharedAction::Pushed(k0, true));
        let s = reduce(&s, SharedAction::Remove(k0));
        assert_eq!(s.archives.len(), 1, "image 1 is still there");
        assert!(
            s.present.is_empty() && s.pushed.is_empty(),
            "its marks go with it"
        );
        let s = reduce(
            &s,
            SharedAction::Remove(ImageKey {
                archive: 1,
                image: 1,
            }),
        );
        assert!(s.archives.is_empty());
    }
}
