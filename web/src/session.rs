//! The shared-layers session: every archive that finished reading stays open beside the
//! others, so images from one tarball, several dropped files, or files added one after
//! another can be compared. Also what the pull/push simulations remember (which images are
//! "on this host" and "in the registry"), and the queue of files still waiting to be read.

use std::cell::RefCell;
use std::collections::{BTreeSet, VecDeque};
use std::rc::Rc;

use pancake_core::{Archive, Image};
use web_sys::File;
use yew::prelude::*;

use crate::state::{Action, AppState, ArchiveRef, Phase, Progress};
use crate::worker_glue::{Pool, PoolRef};

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

pub enum SharedAction {
    /// The current archive finished reading: it joins the session.
    Add {
        key: u32,
        archive: ArchiveRef,
        file_name: String,
        file_size: u64,
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
    for a in s.shared.archives.iter() {
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
                first.also_in.push(a.file_name.clone());
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
                also_in: Vec::new(),
            });
        }
    }
    let current_known = s.shared.archives.iter().any(|a| a.key == s.generation);
    if let (Some(a), false) = (&s.archive, current_known) {
        for i in 0..a.images.len() {
            out.push(SessionImage {
                key: ImageKey {
                    archive: s.generation,
                    image: i,
                },
                archive: a.clone(),
                file_name: s.file_name.clone().unwrap_or_default(),
                pending: true,
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

fn top_layer(a: &Archive, image: usize) -> Option<usize> {
    a.images
        .get(image)
        .and_then(|img| img.layers.len().checked_sub(1))
}

/// The reducer's arm for [`Action::Shared`]: it may change what the other views show.
pub fn reduce(s: &mut AppState, action: SharedAction) {
    match action {
        SharedAction::Add {
            key,
            archive,
            file_name,
            file_size,
        } => {
            let mut list = (*s.shared.archives).clone();
            let entry = SessionArchive {
                key,
                archive,
                file_name,
                file_size,
                hidden: BTreeSet::new(),
            };
            match list.iter_mut().find(|a| a.key == key) {
                Some(old) => {
                    old.archive = entry.archive;
                }
                None => list.push(entry),
            }
            s.shared.archives = Rc::new(list);
        }
        SharedAction::Show(k) => show(s, k),
        SharedAction::Remove(k) => {
            let mut list = (*s.shared.archives).clone();
            // The entry stands for every file holding this image: remove them all, so no
            // copy takes its place.
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
            let shown = ImageKey {
                archive: s.generation,
                image: s.image,
            };
            // The image shown may be a copy from another file, removed with it.
            let shown_removed = shown == k
                || list
                    .iter()
                    .any(|a| a.key == shown.archive && a.hidden.contains(&shown.image));
            list.retain(|a| a.hidden.len() < a.archive.images.len());
            s.shared.archives = Rc::new(list);
            s.shared.present.remove(&k);
            s.shared.pushed.remove(&k);
            if shown_removed {
                match session_images(s).into_iter().find(|i| !i.pending) {
                    Some(next) => show(s, next.key),
                    None => {
                        let keep = std::mem::take(&mut s.shared);
                        let (lang, tab, generation) = (s.lang, s.tab, s.generation);
                        *s = AppState::new(lang);
                        s.generation = generation;
                        s.tab = tab;
                        s.shared = keep;
                    }
                }
            }
        }
        SharedAction::Present(k, on) => {
            if on {
                s.shared.present.insert(k);
            } else {
                s.shared.present.remove(&k);
            }
        }
        SharedAction::Pushed(k, on) => {
            if on {
                s.shared.pushed.insert(k);
            } else {
                s.shared.pushed.remove(&k);
            }
        }
        SharedAction::Queued(n) => s.shared.queued = n,
    }
}

fn show(s: &mut AppState, k: ImageKey) {
    if k.archive != s.generation {
        let Some(entry) = s
            .shared
            .archives
            .iter()
            .find(|a| a.key == k.archive)
            .cloned()
        else {
            return;
        };
        s.generation = entry.key;
        s.file_name = Some(entry.file_name);
        s.file_size = entry.file_size;
        s.phase = Phase::Ready;
        s.scan_ms = None;
        s.fatal = None;
        s.progress = Progress::default();
        s.archive = Some(entry.archive);
    }
    s.image = k.image;
    s.layer = s.archive.as_ref().and_then(|a| top_layer(a, k.image));
    s.content = None;
}

/// What the shell needs from the session: a way to open files (one now, the rest in turn).
#[derive(Clone)]
pub struct SessionHandle {
    pub open_files: Callback<Vec<File>>,
}

/// Keeps the session in step with the reader: an archive that finished reading joins it
/// (and its reader is kept), queued files are opened one at a time, the shown archive's
/// reader is made current, and readers of archives that left the session are let go.
#[hook]
pub fn use_session(state: &UseReducerHandle<AppState>, pool: &PoolRef) -> SessionHandle {
    let queue: Rc<RefCell<VecDeque<File>>> = use_mut_ref(VecDeque::new);
    let known: Rc<RefCell<Vec<u32>>> = use_mut_ref(Vec::new);
    {
        // Join the session when ready; then the next queued file, if any.
        let pool = pool.clone();
        let queue = queue.clone();
        let d = state.dispatcher();
        let s = (**state).clone();
        use_effect_with((state.generation, state.phase), move |_| {
            let joined = s.shared.archives.iter().any(|a| a.key == s.generation);
            if s.phase == Phase::Ready && !joined {
                if let Some(a) = s.archive.as_ref().filter(|a| !a.images.is_empty()) {
                    Pool::keep(&pool, s.generation);
                    d.dispatch(Action::Shared(SharedAction::Add {
                        key: s.generation,
                        archive: a.clone(),
                        file_name: s.file_name.clone().unwrap_or_default(),
                        file_size: s.file_size,
                    }));
                }
            }
            if matches!(s.phase, Phase::Ready | Phase::Idle | Phase::Cancelled) {
                let next = queue.borrow_mut().pop_front();
                if let Some(f) = next {
                    d.dispatch(Action::Shared(SharedAction::Queued(queue.borrow().len())));
                    Pool::open(&pool, f);
                }
            }
        });
    }
    {
        // The shown archive's reader serves content reads.
        let pool = pool.clone();
        use_effect_with(state.generation, move |g| {
            Pool::activate(&pool, *g);
        });
    }
    {
        let pool = pool.clone();
        let keys: Vec<u32> = state.shared.archives.iter().map(|a| a.key).collect();
        use_effect_with(keys, move |keys| {
            let mut known = known.borrow_mut();
            for gone in known.iter().filter(|k| !keys.contains(k)) {
                Pool::release(&pool, *gone);
            }
            *known = keys.clone();
        });
    }
    let open_files = {
        let pool = pool.clone();
        let d = state.dispatcher();
        Callback::from(move |files: Vec<File>| {
            let mut it = files.into_iter();
            let Some(first) = it.next() else { return };
            {
                let mut q = queue.borrow_mut();
                q.extend(it);
                d.dispatch(Action::Shared(SharedAction::Queued(q.len())));
            }
            Pool::open(&pool, first);
        })
    };
    SessionHandle { open_files }
}

/// The demo pair as one tarball (`docker save wordpress-a wordpress-b`): shared layers
/// stored once, both images inside.
pub fn pair_demo_file() -> Result<File, String> {
    let bytes = pancake_demo::build_set(&["wordpress-a", "wordpress-b"]);
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
    File::new_with_u8_array_sequence(&parts, "wordpress-pair.tar").map_err(|e| format!("{e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use pancake_core::{Digest, Layer};

    /// An archive named `name` holding images with these config digests (by seed), each
    /// with one layer of `size` bytes.
    fn archive(key: u32, name: &str, seeds: &[&str], size: u64) -> SessionArchive {
        let images = seeds
            .iter()
            .map(|s| Image {
                config_digest: Some(Digest::of_bytes(s.as_bytes())),
                layers: vec![Layer {
                    diff_id: Some(Digest::of_bytes(format!("layer of {s}").as_bytes())),
                    size,
                    ..Layer::default()
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
        }
    }

    fn session(archives: Vec<SessionArchive>) -> AppState {
        let mut s = AppState::new(Lang::En);
        s.shared.archives = Rc::new(archives);
        s.generation = 99;
        s
    }

    #[test]
    fn the_same_image_from_two_files_is_one_entry_noting_the_others() {
        let s = session(vec![
            archive(1, "app.tar", &["app"], 1000),
            archive(2, "app.tar.gz", &["app", "other"], 1000),
            archive(3, "app.tar", &["app"], 1000),
        ]);
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

    #[test]
    fn one_file_listing_an_image_twice_keeps_both_and_removing_removes_other_files_copies() {
        let mut s = session(vec![
            archive(1, "two.tar", &["x", "x"], 10),
            archive(2, "copy.tar", &["x"], 10),
        ]);
        // copy.tar is the file on screen.
        s.generation = 2;
        s.image = 0;
        assert_eq!(session_images(&s).len(), 2);
        reduce(
            &mut s,
            SharedAction::Remove(ImageKey {
                archive: 1,
                image: 0,
            }),
        );
        // The other file's copy does not come back in its place; the file's own second
        // listing stays, as that file lists it.
        let left: Vec<(ImageKey, Vec<String>)> = session_images(&s)
            .iter()
            .map(|i| (i.key, i.also_in.clone()))
            .collect();
        assert_eq!(
            left,
            vec![(
                ImageKey {
                    archive: 1,
                    image: 1
                },
                vec![]
            )]
        );
        // The copy on screen went with it: the session's remaining image is shown instead.
        assert_eq!((s.generation, s.image), (1, 1));
    }
}
