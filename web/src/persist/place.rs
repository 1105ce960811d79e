//! The hook that keeps the remembered files in step with the session and puts the page
//! where a link's place says (`state::place`), once the place's file has been read: the
//! image (by platform, else index, else the file's default), the layer, the Files mode and
//! the open path — or no open path, when the link has none.

use std::rc::Rc;

use pancake_core::analyze::union::{self, Change, FileRow};
use pancake_core::limits::Limits;
use pancake_core::read::image::{choose_platform, platforms};
use pancake_core::{EntryKind, RawPath};
use yew::prelude::*;

use crate::protocol::RowPick;
use crate::session::{ImageKey, SharedAction};
use crate::state::course::SrcStatus;
use crate::state::place::{FilePlace, PlaceAction};
use crate::state::{default_image, Action, AppState, ArchiveRef, NavAction, Phase};
use crate::views::files::{entries_upto, FOLD_ON_WORKER};
use crate::worker_glue::{Pool, PoolRef, ViewRows};

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
    // Its file will not come: the reading failed before anything could be shown and nothing
    // else is on its way, or the link's URL could not be fetched. Waiting on would keep the
    // URL from following the page for good (the permalink hook writes nothing while a place
    // waits).
    let nothing_coming = s.incoming.is_none() && s.session.queued == 0;
    if nothing_coming && s.reading.archive.is_none() && s.reading.fatal.is_some() {
        return Ready::Drop;
    }
    if p.src.is_some() && c.src == p.src && matches!(c.src_status, SrcStatus::Failed { .. }) {
        return Ready::Drop;
    }
    let showing_other =
        (c.demo.is_some() || c.src.is_some()) && (c.demo != p.demo || c.src != p.src);
    if showing_other {
        return Ready::Drop;
    }
    if c.demo != p.demo || c.src != p.src {
        // A person's own file is shown instead of the link's demo or URL (dropped before
        // it came): the link's file is not coming.
        if s.reading.archive.is_some() {
            return Ready::Drop;
        }
        // The link's demo or URL is still to be opened.
        return Ready::Wait;
    }
    let Some(a) = s.reading.archive.as_ref() else {
        return Ready::Wait;
    };
    if p.demo.is_some() || p.src.is_some() {
        return match s.reading.phase {
            Phase::Scanning | Phase::Idle => Ready::Wait,
            // A large image's entry lists are still crossing from the worker: the path is
            // looked up once they are all here.
            _ if s.index.pending(s.reading.generation) => Ready::Wait,
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
        || !matches!(s.reading.phase, Phase::Ready | Phase::Cancelled)
    {
        return Ready::Wait;
    }
    // Cancelled hashing keeps what was read shown, but such a file never joins the session
    // (files join when every digest is settled): the place applies to it as it is shown.
    if s.reading.phase == Phase::Cancelled && !joined {
        return match s.index.pending(s.reading.generation) {
            true => Ready::Wait,
            false => Ready::Apply(s.reading.generation, a.clone()),
        };
    }
    if !joined && !a.images.is_empty() {
        return Ready::Wait;
    }
    match s.session.archives.get(p.file.unwrap_or(0)) {
        Some(x) if s.index.pending(x.key) => Ready::Wait,
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
    let (Some(path), Some(l)) = (&p.path, layer) else {
        d.emit(Action::Nav(NavAction::CloseContent));
        d.emit(Action::Place(PlaceAction::Done));
        return;
    };
    // A large image is folded by its scanner, not here (a second's freeze on 200,000
    // entries): it finds the path's row, in the view asked for and else in the filesystem
    // at that layer, and the file opens when it answers.
    if entries_upto(a, img, l) >= FOLD_ON_WORKER {
        if let Some(raw) = RawPath::from_display(path) {
            ask_row(pool, key, (image, l, merged), raw, d.clone());
            d.emit(Action::Place(PlaceAction::Done));
            return;
        }
    }
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
    open_row(found.filter(openable), key, d, pool);
    d.emit(Action::Place(PlaceAction::Done));
}

/// Opens `row`'s content (in the archive of generation `key`), or closes what was open when
/// there is nothing to open.
fn open_row(row: Option<FileRow>, key: u32, d: &Callback<Action>, pool: &PoolRef) {
    match row.and_then(|r| Some((r.content?, r.size))) {
        Some((c, size)) => {
            if let Some(member) = c.member {
                Pool::show(pool, key);
                let max = CONTENT_FIRST.min(size.max(1));
                d.emit(Action::Nav(NavAction::OpenContent {
                    member,
                    entry: c.entry,
                    path: c.path.clone(),
                    size,
                    max,
                }));
                Pool::read_content(pool, member, c.path, Some(c.entry), max);
            }
        }
        None => d.emit(Action::Nav(NavAction::CloseContent)),
    }
}

/// Asks the scanner of generation `key` for `path`'s row in the view `(image, layer,
/// merged)`, and when a layer's changes do not hold it, in the filesystem at that layer
/// (switching the view to it); then opens it as [`open_row`]. No scanner to answer: nothing
/// opens (the listing still shows the place).
fn ask_row(
    pool: &PoolRef,
    key: u32,
    (image, layer, merged): (usize, usize, bool),
    path: RawPath,
    d: Callback<Action>,
) {
    let weak = Rc::downgrade(pool);
    let asked = path.clone();
    let answer = Callback::from(move |v: Option<ViewRows>| {
        let Some(pool) = weak.upgrade() else {
            return;
        };
        match v.and_then(|v| v.rows.first().cloned()) {
            // A path the layer did not change is still in the filesystem at that layer.
            None if !merged => {
                d.emit(Action::Nav(NavAction::Merged(true)));
                ask_row(&pool, key, (image, layer, true), path.clone(), d.clone());
            }
            row => open_row(row.filter(openable), key, &d, &pool),
        }
    });
    Pool::view_rows(
        pool,
        key,
        (image, layer, merged),
        RowPick::Path(asked),
        answer,
    );
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
    // A file that could not be read at all is not offered again after a reload.
    let failed: Option<(String, Option<u64>)> = match (&state.reading, &state.next_failed) {
        (r, _) if r.fatal.is_some() && r.archive.is_none() => r
            .file_name
            .clone()
            .map(|n| (n, Some(state.reading.file_size))),
        (_, Some((name, _))) => Some((name.clone(), None)),
        _ => None,
    };
    use_effect_with(failed, |f| {
        if let Some((name, size)) = f {
            super::failed(name, *size);
        }
    });

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

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use pancake_core::Archive;

    use super::*;
    use crate::i18n::Lang;
    use crate::state::course::CourseAction;

    fn waiting(p: FilePlace) -> AppState {
        let mut s = AppState::new(Lang::En);
        s.place.pending = Some(p);
        s
    }

    fn demo_place() -> FilePlace {
        FilePlace {
            demo: Some("nginx".into()),
            path: Some("etc/nginx/nginx.conf".into()),
            ..FilePlace::default()
        }
    }

    #[test]
    fn a_place_waits_while_its_file_may_still_come() {
        let s = waiting(demo_place());
        assert_eq!(ready(&s, &demo_place()), Ready::Wait, "nothing opened yet");
        let mut s = s;
        s.course.opening_demo = Some("nginx".into());
        assert_eq!(ready(&s, &demo_place()), Ready::Wait, "the demo is opening");
    }

    #[test]
    fn a_demo_place_waits_for_the_entry_lists_of_a_large_image() {
        use crate::state::index::{reduce as index, IndexAction};
        let mut s = waiting(demo_place());
        s.course.demo = Some("nginx".into());
        s.reading.generation = 3;
        s.reading.phase = Phase::Hashing;
        let a = ArchiveRef(Rc::new(Archive::default()));
        s.reading.archive = Some(a.clone());
        s.index = index(&s.index, IndexAction::Indexing { generation: 3 });
        assert_eq!(
            ready(&s, &demo_place()),
            Ready::Wait,
            "lists still crossing"
        );
        s.index = index(&s.index, IndexAction::Indexed { generation: 3 });
        assert_eq!(ready(&s, &demo_place()), Ready::Apply(3, a));
    }

    #[test]
    fn a_place_applies_to_a_file_whose_hashing_was_cancelled() {
        // A reload's file reopened, then Cancel: it never joins the session, but it is shown.
        let own = FilePlace {
            layer: Some(1),
            ..FilePlace::default()
        };
        let mut s = waiting(own.clone());
        s.reading.generation = 4;
        s.reading.phase = Phase::Cancelled;
        let a = ArchiveRef(Rc::new(Archive::default()));
        s.reading.archive = Some(a.clone());
        assert_eq!(ready(&s, &own), Ready::Apply(4, a));
    }

    #[test]
    fn a_failed_reading_drops_the_place() {
        // A reload in file mode whose file could not be read: nothing is shown, nothing else
        // is coming.
        let own = FilePlace {
            layer: Some(1),
            ..FilePlace::default()
        };
        let mut s = waiting(own.clone());
        s.reading.fatal = Some("not a tar".into());
        assert_eq!(ready(&s, &own), Ready::Drop);
        // …but while another file is queued, the place waits for it.
        s.session.queued = 1;
        assert_eq!(ready(&s, &own), Ready::Wait);
    }

    #[test]
    fn a_persons_file_shown_instead_of_the_links_demo_drops_the_place() {
        let mut s = waiting(demo_place());
        s.reading.archive = Some(ArchiveRef(Rc::new(Archive::default())));
        assert_eq!(ready(&s, &demo_place()), Ready::Drop);
    }

    #[test]
    fn a_src_that_failed_or_was_declined_drops_the_place() {
        let url = "https://example.org/a.tar".to_string();
        let p = FilePlace {
            src: Some(url.clone()),
            layer: Some(0),
            ..FilePlace::default()
        };
        let mut s = waiting(p.clone());
        s.course.src = Some(url.clone());
        s.course.src_status = SrcStatus::Failed { status: Some(404) };
        assert_eq!(ready(&s, &p), Ready::Drop);

        let mut s = waiting(p.clone());
        s.course.src = Some(url);
        s.course.src_status = SrcStatus::Confirm;
        assert_eq!(
            ready(&s, &p),
            Ready::Wait,
            "the person has not answered yet"
        );
        let s = Rc::new(s).reduce(Action::Course(CourseAction::SrcCancel));
        assert_eq!(
            s.place.pending, None,
            "declining the download ends the wait"
        );
    }
}
