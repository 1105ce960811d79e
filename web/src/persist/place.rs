//! The hook that keeps the remembered files in step with the session and puts the page
//! where a link's place says (`state::place`), once the place's file has been read: the
//! image (by platform, else index, else the file's default), the layer, the Files mode and
//! the open path — or no open path, when the link has none.

use pancake_core::analyze::union::{self, Change, FileRow};
use pancake_core::limits::Limits;
use pancake_core::read::image::{choose_platform, platforms};
use pancake_core::EntryKind;
use yew::prelude::*;

use crate::session::{ImageKey, SharedAction};
use crate::state::place::{FilePlace, PlaceAction};
use crate::state::{default_image, Action, AppState, ArchiveRef, NavAction, Phase};
use crate::worker_glue::{Pool, PoolRef};

/// First bytes asked for when the place opens a file: the same first read as a click.
const CONTENT_FIRST: u64 = 64 * 1024;

/// What a waiting place can do now.
#[derive(Clone, Debug, PartialEq)]
enum Ready {
    /// Its file is not read yet.
    Wait,
    /// Apply it to this archive of the session (reader generation `key`).
    Apply(u32, ArchiveRef),
    /// Its file will not come (another file is shown, or the session has no such file).
    Drop,
}

fn ready(s: &AppState, p: &FilePlace) -> Ready {
    let c = &s.course;
    if c.opening_demo.is_some() || c.opening_src.is_some() {
        return Ready::Wait;
    }
    let showing_other =
        (c.demo.is_some() || c.src.is_some()) && (c.demo != p.demo || c.src != p.src);
    if showing_other {
        return Ready::Drop;
    }
    if c.demo != p.demo || c.src != p.src {
        // The link's demo or URL is still to be opened.
        return Ready::Wait;
    }
    let Some(a) = s.reading.archive.as_ref() else {
        return Ready::Wait;
    };
    if p.demo.is_some() || p.src.is_some() {
        return match s.reading.phase {
            Phase::Scanning | Phase::Idle => Ready::Wait,
            _ => Ready::Apply(s.reading.generation, a.clone()),
        };
    }
    // A person's files: every file of the drop or reopen read, and the last one in the
    // session (a file being opened resets navigation, so the place waits for the last).
    let joined = s
        .session
        .archives
        .iter()
        .any(|x| x.key == s.reading.generation);
    // A file read behind the one shown takes the page over at its first view: wait for it.
    if s.session.queued > 0
        || s.incoming.is_some()
        || s.reading.phase != Phase::Ready
        || (!joined && !a.images.is_empty())
    {
        return Ready::Wait;
    }
    match s.session.archives.get(p.file.unwrap_or(0)) {
        Some(x) => Ready::Apply(x.key, x.archive.clone()),
        None => Ready::Drop,
    }
}

fn openable(r: &FileRow) -> bool {
    matches!(r.kind, EntryKind::File | EntryKind::Hardlink)
        && r.change != Change::Deleted
        && r.content.as_ref().is_some_and(|c| c.member.is_some())
}

/// Puts the page at `p` in archive `a` (generation `key`), in the order a person would:
/// image, layer, mode, then the file.
fn apply(
    s: &AppState,
    p: &FilePlace,
    key: u32,
    a: &ArchiveRef,
    d: &Callback<Action>,
    pool: &PoolRef,
) {
    let by_platform = p
        .platform
        .as_deref()
        .and_then(|pf| choose_platform(&platforms(a, &Limits::default()), Some(pf)).ok());
    let image = by_platform
        .or(p.image.filter(|i| *i < a.images.len()))
        .unwrap_or_else(|| default_image(a));
    if key != s.reading.generation || image != s.nav.image {
        d.emit(Action::Shared(SharedAction::Show(ImageKey {
            archive: key,
            image,
        })));
    }
    let Some(img) = a.images.get(image) else {
        d.emit(Action::Place(PlaceAction::Done));
        return;
    };
    let layer = p
        .layer
        .filter(|l| *l < img.layers.len())
        .or(img.layers.len().checked_sub(1));
    if let Some(l) = layer {
        d.emit(Action::Nav(NavAction::Layer(Some(l))));
    }
    let mut merged = p.merged == Some(true);
    d.emit(Action::Nav(NavAction::Merged(merged)));
    let row = match (&p.path, layer) {
        (Some(path), Some(l)) => {
            let find = |merged: bool| {
                let rows = if merged {
                    union::merged(a, img, l)
                } else {
                    union::layer_changes(a, img, l).rows
                };
                rows.into_iter()
                    .find(|r| r.path.display().as_ref() == path.as_str())
            };
            // A path the layer did not change is still in the filesystem at that layer.
            let found = find(merged).or_else(|| {
                let r = find(true).filter(|_| !merged);
                if r.is_some() {
                    merged = true;
                    d.emit(Action::Nav(NavAction::Merged(true)));
                }
                r
            });
            found.filter(openable)
        }
        _ => None,
    };
    match row.and_then(|r| Some((r.content?, r.size))) {
        Some((c, size)) => {
            if let Some(member) = c.member {
                Pool::show(pool, key);
                let max = CONTENT_FIRST.min(size.max(1));
                d.emit(Action::Nav(NavAction::OpenContent {
                    member,
                    path: c.path.clone(),
                    size,
                    max,
                }));
                Pool::read_content(pool, member, c.path, max);
            }
        }
        None => d.emit(Action::Nav(NavAction::CloseContent)),
    }
    d.emit(Action::Place(PlaceAction::Done));
}

/// Call once, from the app component.
#[hook]
pub fn use_persist(state: &UseReducerHandle<AppState>, pool: &PoolRef) {
    // The remembered files follow the session (a removed file is forgotten).
    let list: Vec<(u32, String, u64)> = state
        .session
        .archives
        .iter()
        .map(|a| (a.key, a.file_name.clone(), a.file_size))
        .collect();
    use_effect_with(list, |l| super::sync_session(l));

    let now = state
        .place
        .pending
        .as_ref()
        .map_or(Ready::Wait, |p| ready(state, p));
    let d: Callback<Action> = {
        let h = state.dispatcher();
        Callback::from(move |a| h.dispatch(a))
    };
    let s = (**state).clone();
    let pool = pool.clone();
    let key = (state.place.serial, now.clone());
    use_effect_with(key, move |(_, now)| {
        let Some(p) = s.place.pending.as_ref() else {
            return;
        };
        match now {
            Ready::Wait => {}
            Ready::Drop => d.emit(Action::Place(PlaceAction::Done)),
            Ready::Apply(key, a) => apply(&s, p, *key, a, &d, &pool),
        }
    });
}
