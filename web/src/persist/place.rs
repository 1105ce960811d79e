//! The hook that keeps the remembered files in step with the session and puts the page
//! where a link's place says (`state::place`), once the place's file has been read: the
//! image (by platform, else index, else the file's default), the layer, the Files mode and
//! the open path — or no open path, when the link has none.

use std::rc::Rc;

use pancake_core::analyze::union::{self, Change, FileRow};
use pancake_core::read::image::choose_platform;
use pancake_core::{EntryKind, RawPath};
use yew::prelude::*;

use crate::opening::{open_row, When};
use crate::protocol::RowPick;
use crate::session::{ImageKey, SharedAction};
use crate::state::course::SrcStatus;
use crate::state::nav::next_token;
use crate::state::place::{FilePlace, PlaceAction};
use crate::state::{default_image, Action, AppState, ArchiveRef, NavAction, Phase};
use crate::views::files::{entries_upto, FOLD_ON_WORKER};
use crate::worker_glue::{Pool, PoolRef, ViewRows};

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
        .and_then(|pf| choose_platform(&crate::state::platforms_of(a), Some(pf)).ok());
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
    let merged = p.merged == Some(true);
    d.emit(Action::Nav(NavAction::Merged(merged)));
    let (Some(path), Some(l)) = (&p.path, layer) else {
        d.emit(Action::Nav(NavAction::CloseContent));
        d.emit(Action::Place(PlaceAction::Done));
        return;
    };
    Pool::show(pool, key);
    // A large image is folded by its scanner, not here (a second's freeze on 200,000
    // entries): it finds the path's row and the file opens when it answers, unless the
    // person went elsewhere meanwhile.
    if entries_upto(a, img, l) >= FOLD_ON_WORKER {
        if let Some(raw) = RawPath::from_display(path) {
            let token = next_token();
            d.emit(Action::Nav(NavAction::Await(token)));
            ask_row(pool, (key, a), (image, l, merged), raw, token, d.clone());
            d.emit(Action::Place(PlaceAction::Done));
            return;
        }
    }
    match find_here(a, (image, l, merged), |r| {
        r.path.display().as_ref() == path.as_str()
    }) {
        Some((row, switch)) => {
            if switch {
                d.emit(Action::Nav(NavAction::Merged(true)));
            }
            open_row(&|x| d.emit(x), pool, &row, When::Now);
        }
        None => d.emit(Action::Nav(NavAction::CloseContent)),
    }
    d.emit(Action::Place(PlaceAction::Done));
}

/// The openable row `is_it` picks in the view `(image, layer, merged)` of `a`, folded here,
/// and whether the view must switch to the filesystem at that layer to show it (a path the
/// layer did not change is not in its changes, but still in the filesystem at that layer).
fn find_here(
    a: &ArchiveRef,
    (image, layer, merged): (usize, usize, bool),
    is_it: impl Fn(&FileRow) -> bool,
) -> Option<(FileRow, bool)> {
    let img = a.images.get(image)?;
    let find = |merged: bool| {
        let rows = if merged {
            union::merged(a, img, layer)
        } else {
            union::layer_changes(a, img, layer).rows
        };
        rows.into_iter().find(|r| is_it(r))
    };
    match find(merged) {
        Some(r) => Some((r, false)),
        None if !merged => find(true).map(|r| (r, true)),
        None => None,
    }
    .filter(|(r, _)| openable(r))
}

/// Asks the scanner of `a`'s file (generation `generation`) for `path`'s row in the
/// filesystem at `layer` (which holds every path the layer's changes could show but deleted
/// ones, which do not open), then opens it if nothing else happened since `NavAction::Await(token)` — switching the Files
/// mode to that filesystem when the layer did not change the path and its changes were
/// asked for. No scanner to answer: folded here after all.
fn ask_row(
    pool: &PoolRef,
    (generation, a): (u32, &ArchiveRef),
    (image, layer, merged): (usize, usize, bool),
    path: RawPath,
    token: u64,
    d: Callback<Action>,
) {
    let weak = Rc::downgrade(pool);
    let (archive, asked) = (a.clone(), path.clone());
    let answer = Callback::from(move |v: Option<ViewRows>| {
        let Some(pool) = weak.upgrade() else {
            return;
        };
        let found = match v {
            Some(v) => v
                .rows
                .first()
                .filter(|r| openable(r))
                .map(|r| (r.clone(), !merged && r.change == Change::Unchanged)),
            None => find_here(&archive, (image, layer, merged), |r| r.path == asked),
        };
        if let Some((row, switch)) = found {
            let when = When::Awaited {
                token,
                merged: switch.then_some(true),
            };
            open_row(&|x| d.emit(x), &pool, &row, when);
        }
    });
    Pool::view_rows(
        pool,
        generation,
        (image, layer, true),
        RowPick::Path(path),
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
        (_, failed) => failed.last().map(|f| (f.name.clone(), None)),
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
