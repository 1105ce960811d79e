//! The app state, in slices — [`reading`] (which file, how far, what it holds), [`nav`] (tab,
//! image, layer, open content), [`course`] (tour, embed, permalink), [`session`] (archives
//! kept open together, pull/push marks) and the containers (`container_state.rs`) — each
//! with its own reducer over its own slice. No slice reducer calls another's: the app's
//! reducer here routes each [`Action`] to its slice and applies, in one visible place, what
//! one slice's change means for the others (a new file resets navigation; a course step
//! switches tabs). Views read the state; callbacks send actions; the worker pool's events
//! reach it through one adapter (`From<PoolEvent>`).

pub mod archive_ref;
pub mod course;
pub mod index;
pub mod nav;
pub mod place;
pub mod platform_list;
pub mod reading;
pub mod session;

use std::rc::Rc;

use pancake_core::RawPath;
use yew::Reducible;

use crate::container_state::{ContainerAction, ContainerState};
use crate::i18n::Lang;
use crate::worker_glue::PoolEvent;

pub use archive_ref::{same_structure, ArchiveRef, StructureKey};
pub use course::{Course, CourseAction};
pub use nav::{ContentView, Nav, NavAction, Tab};
pub use platform_list::{default_image, platforms_of};
pub use reading::{Phase, Progress, ReadingAction, ReadingState};
pub use session::{ImageKey, SharedAction, SharedState};

#[derive(Clone, Debug, PartialEq)]
pub struct AppState {
    pub lang: Lang,
    pub reading: ReadingState,
    /// The next file, read behind the archive shown until its first view is ready (issue 13:
    /// opening another file never blanks the page). Its scan's progress is shown; the shown
    /// archive stays usable. `None` when nothing is read behind.
    pub incoming: Option<ReadingState>,
    /// Files read behind the image shown from which no image could be read, in the order
    /// read: the image shown stays, and each is said (with why) until dismissed or the person
    /// opens other files — a batch's later files do not clear its earlier failures.
    pub next_failed: Vec<NextFailed>,
    pub nav: Nav,
    /// Course mode: tour, embed, permalink.
    pub course: Course,
    /// Archives kept open together, and the pull/push simulations' marks.
    pub session: SharedState,
    /// Containers on the shown image (issue 5).
    pub containers: ContainerState,
    /// A link's place inside a file, waiting for the file (issue 15).
    pub place: place::Place,
    /// The shown file's layer indexes while they cross from the worker (issue 13).
    pub index: index::IndexState,
}

/// A file read behind the image shown that gave no image: its name, and why — the reader's
/// own error when nothing of it could be read, else the problems its reading found.
#[derive(Clone, Debug, PartialEq)]
pub struct NextFailed {
    pub name: String,
    pub message: Option<String>,
    /// The reason as a value, when the file as a whole is not what was expected.
    pub why: Option<pancake_core::Unreadable>,
    pub problems: Vec<pancake_core::Problem>,
}

impl AppState {
    pub fn new(lang: Lang) -> AppState {
        AppState {
            lang,
            reading: ReadingState::default(),
            incoming: None,
            next_failed: Vec::new(),
            nav: Nav::default(),
            course: Course::default(),
            session: SharedState::default(),
            containers: ContainerState::default(),
            place: place::Place::default(),
            index: index::IndexState::default(),
        }
    }

    /// The state a first load starts from: language, tour step, tab and embed mode from the
    /// URL (the file it names is opened once the app is mounted).
    pub fn initial(link: &course::Link, browser_lang: Lang) -> AppState {
        let mut s = AppState::new(link.lang.unwrap_or(browser_lang));
        let (c, effects) = course::initial(link);
        s.course = c;
        s.apply(effects);
        if link.waits_for_file() {
            s.place_pending(link.place());
        }
        s
    }

    /// A place waits for its file; the course's own `?layer=` gives way to it (the place
    /// selects the layer after the image).
    fn place_pending(&mut self, p: place::FilePlace) {
        self.place = place::reduce(&self.place, place::PlaceAction::Pending(p));
        self.course.pending_layer = None;
    }

    /// The archive shown, if any.
    pub fn archive(&self) -> Option<&ArchiveRef> {
        self.reading.archive.as_ref()
    }

    /// Layers of the image shown (0 when none is).
    fn layers_shown(&self) -> usize {
        self.archive()
            .and_then(|a| a.images.get(self.nav.image))
            .map_or(0, |i| i.layers.len())
    }

    fn nav(&mut self, action: NavAction) {
        let archive = self.reading.archive.as_ref().map(|a| &*a.0);
        self.nav = nav::reduce(&self.nav, archive, action);
    }

    /// What a course action asked of the other slices.
    fn apply(&mut self, effects: Vec<course::Effect>) {
        for e in effects {
            match e {
                course::Effect::SetLang(l) => self.lang = l,
                course::Effect::Tab(t) => self.nav(NavAction::Tab(t)),
                course::Effect::CloseContent => self.nav(NavAction::CloseContent),
                course::Effect::SelectLayer(l) => self.nav(NavAction::Layer(Some(l))),
                course::Effect::Show(k) => self.show(k),
            }
        }
    }

    /// Shows image `k` of the session: its archive becomes the one read (nothing is re-read)
    /// and its top layer is selected.
    fn show(&mut self, k: ImageKey) {
        if k.archive != self.reading.generation {
            let Some(entry) = self.session.archives.iter().find(|a| a.key == k.archive) else {
                return;
            };
            let shown = ReadingAction::Shown {
                generation: entry.key,
                archive: entry.archive.clone(),
                file_name: entry.file_name.clone(),
                file_size: entry.file_size,
            };
            if let Some(r) = reading::reduce(&self.reading, shown) {
                self.reading = r;
            }
        }
        self.nav(NavAction::Image(k.image));
    }

    /// Shows image `k` of the session as the person chose it (picker, Shared list, or the
    /// next one when the image shown left the session). When it is another file's, the
    /// course learns which demo or URL that file is (none: a person's own file): the
    /// permalink then names the image on screen, during the tour and after it.
    fn show_chosen(&mut self, k: ImageKey) {
        let origin = self
            .session
            .archives
            .iter()
            .find(|a| a.key == k.archive && k.archive != self.reading.generation)
            .map(|a| a.origin.clone());
        self.show(k);
        if let Some(o) = origin.filter(|_| self.reading.generation == k.archive) {
            let ctx = course::Context {
                layers: self.layers_shown(),
            };
            let shown = CourseAction::Shown {
                demo: o.demo,
                src: o.src,
            };
            let (c, effects) = course::reduce(&self.course, ctx, shown);
            self.course = c;
            self.apply(effects);
        }
    }

    /// The reading the progress bar follows: the file read behind the shown one, else the
    /// shown one.
    pub fn read_now(&self) -> &ReadingState {
        self.incoming.as_ref().unwrap_or(&self.reading)
    }

    /// Is the shown archive one the session keeps (read to the end, joined)?
    fn shown_is_kept(&self) -> bool {
        self.reading.archive.is_some()
            && self
                .session
                .archives
                .iter()
                .any(|a| a.key == self.reading.generation)
    }

    fn reading(&mut self, action: ReadingAction) -> bool {
        let opened = matches!(action, ReadingAction::Pool(PoolEvent::Opened { .. }));
        // A new file while a kept archive is shown is read behind it; it takes the page
        // over at its first view (or when it fails), and a cancel drops it.
        if opened && self.shown_is_kept() {
            self.incoming = reading::reduce(&ReadingState::default(), action);
            return true;
        }
        // A file read behind the image shown takes the page over at its walk's end (or its
        // failure), not at an outline: the image shown stays whole until then.
        if self.incoming.as_ref().is_some_and(|b| {
            matches!(&action, ReadingAction::Pool(PoolEvent::Outlined { generation, .. }) if *generation == b.generation)
        }) {
            return false;
        }
        if let Some(behind) = self.incoming.take() {
            let about_it = match &action {
                ReadingAction::Pool(PoolEvent::Cancelled) => true,
                ReadingAction::Pool(e) => e.generation() == Some(behind.generation),
                ReadingAction::Shown { .. } => false,
            };
            if !about_it {
                self.incoming = Some(behind);
            } else {
                let cancelled = matches!(action, ReadingAction::Pool(PoolEvent::Cancelled));
                let scanned = matches!(action, ReadingAction::Pool(PoolEvent::Scanned { .. }));
                let Some(next) = reading::reduce(&behind, action) else {
                    self.incoming = Some(behind);
                    return false;
                };
                if cancelled {
                    return true;
                }
                let name = next.file_name.clone().unwrap_or_default();
                if let (Some(message), None) = (&next.fatal, &next.archive) {
                    // Nothing of it could be read: the image shown stays, the failure is said.
                    self.next_failed.push(NextFailed {
                        name,
                        message: Some(message.clone()),
                        why: next.fatal_why.clone(),
                        problems: Vec::new(),
                    });
                } else if let Some(a) = next.archive.as_ref().filter(|a| a.images.is_empty()) {
                    // Read, but no image in it: the same, with the problems that say why.
                    self.next_failed.push(NextFailed {
                        name,
                        message: None,
                        why: None,
                        problems: a.problems.clone(),
                    });
                } else if scanned || next.fatal.is_some() {
                    self.take_over(next);
                    if scanned {
                        let image = self.archive().map_or(0, default_image);
                        self.nav(NavAction::Image(image));
                    }
                } else {
                    self.incoming = Some(next);
                }
                return true;
            }
        }
        let scanned = matches!(action, ReadingAction::Pool(PoolEvent::Scanned { .. }));
        let outlined = matches!(action, ReadingAction::Pool(PoolEvent::Outlined { .. }));
        let cancelled = matches!(action, ReadingAction::Pool(PoolEvent::Cancelled));
        // After an outline the image is chosen already (and the person may have moved on
        // from it): the walk's end keeps where they are.
        let was_outlined = self.reading.outlined;
        let Some(next) = reading::reduce(&self.reading, action) else {
            return false;
        };
        if opened {
            self.take_over(next);
            return true;
        }
        self.reading = next;
        if outlined || (scanned && !was_outlined) {
            // The first present platform of a multi-platform index, as the CLI picks it.
            let image = self.archive().map_or(0, default_image);
            self.nav(NavAction::Image(image));
        } else if cancelled && self.reading.archive.is_none() {
            self.nav = Nav::default();
            self.containers = ContainerState::default();
        }
        true
    }
}

impl AppState {
    /// A new file becomes the one shown: navigation starts again (on the same tab), its
    /// containers are another set, and the course learns which demo or URL this file is.
    fn take_over(&mut self, reading: ReadingState) {
        self.reading = reading;
        self.incoming = None;
        self.nav = Nav {
            tab: self.nav.tab,
            ..Nav::default()
        };
        self.containers = ContainerState::default();
        self.course = self.course.opened();
    }
}

/// Everything that changes the state. Each variant belongs to one slice, except `SetLang` and
/// `Content` (a worker's answer that both the content panel and a container's editor wait
/// for).
pub enum Action {
    SetLang(Lang),
    /// The person dismissed the message about a file that could not be read.
    DismissNextFailed,
    Reading(ReadingAction),
    Nav(NavAction),
    Content {
        generation: u32,
        member: usize,
        path: RawPath,
        bytes: Option<Vec<u8>>,
        error: Option<String>,
    },
    Container(ContainerAction),
    Course(CourseAction),
    Shared(SharedAction),
    Place(place::PlaceAction),
    Index(index::IndexAction),
}

/// The one adapter from the worker pool's events to actions: a content answer goes to the
/// panels waiting for it, every other event is the reading's.
impl From<PoolEvent> for Action {
    fn from(e: PoolEvent) -> Action {
        match e {
            PoolEvent::Content {
                generation,
                member,
                path,
                bytes,
                error,
            } => Action::Content {
                generation,
                member,
                path,
                bytes,
                error,
            },
            PoolEvent::Indexing { generation } => {
                Action::Index(index::IndexAction::Indexing { generation })
            }
            PoolEvent::Summarizing { generation } => {
                Action::Index(index::IndexAction::Summarizing { generation })
            }
            PoolEvent::Summarized {
                generation,
                summaries,
            } => Action::Index(index::IndexAction::Summarized {
                generation,
                summaries,
            }),
            PoolEvent::Indexed { generation } => {
                Action::Index(index::IndexAction::Indexed { generation })
            }
            e => Action::Reading(ReadingAction::Pool(e)),
        }
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::SetLang(l) => s.lang = l,
            Action::DismissNextFailed => s.next_failed.clear(),
            Action::Reading(a) => {
                if !s.reading(a) {
                    // A worker answer about a file that has since been replaced.
                    return self;
                }
            }
            Action::Nav(a) => s.nav(a),
            Action::Index(a) => s.index = index::reduce(&s.index, a),
            Action::Content {
                generation,
                member,
                path,
                bytes,
                error,
            } => {
                if generation != s.reading.generation {
                    return self;
                }
                // A container's editor may be waiting for these bytes (issue 5).
                s.containers = std::mem::take(&mut s.containers).on_content(
                    member,
                    &path,
                    bytes.as_deref(),
                    error.as_deref(),
                );
                s.nav(NavAction::ContentArrived {
                    member,
                    path,
                    bytes,
                    error,
                });
            }
            Action::Container(a) => {
                let archive = s.reading.archive.as_ref().map(|a| a.0.clone());
                s.containers =
                    crate::container_state::reduce(&s.containers, archive.as_ref(), s.nav.image, a);
            }
            Action::Course(a) => {
                // Declining a link's `?src=` download: the place inside that file will not
                // come either.
                if matches!(a, CourseAction::SrcCancel)
                    && s.place.pending.as_ref().is_some_and(|p| p.src.is_some())
                {
                    s.place = place::reduce(&s.place, place::PlaceAction::Done);
                }
                let ctx = course::Context {
                    layers: s.layers_shown(),
                };
                let (c, effects) = course::reduce(&s.course, ctx, a);
                s.course = c;
                s.apply(effects);
            }
            Action::Place(place::PlaceAction::Pending(p)) => s.place_pending(p),
            Action::Place(a) => s.place = place::reduce(&s.place, a),
            Action::Shared(SharedAction::Show(k)) => s.show_chosen(k),
            Action::Shared(a) => {
                let removing = matches!(a, SharedAction::Remove(_));
                let shown = ImageKey {
                    archive: s.reading.generation,
                    image: s.nav.image,
                };
                let listed = |st: &SharedState| {
                    st.archives
                        .iter()
                        .any(|x| x.key == shown.archive && !x.hidden.contains(&shown.image))
                };
                let was_listed = listed(&s.session);
                s.session = session::reduce(&s.session, a);
                // The image shown left the session (itself, or as a copy of the image removed
                // from another file).
                if removing && was_listed && !listed(&s.session) {
                    // The image shown left the session: the next one is shown, or none.
                    match session::session_images(&s).into_iter().find(|i| !i.pending) {
                        Some(next) => s.show_chosen(next.key),
                        None => {
                            s.reading = ReadingState {
                                generation: s.reading.generation,
                                ..ReadingState::default()
                            };
                            s.nav = Nav {
                                tab: s.nav.tab,
                                ..Nav::default()
                            };
                            s.containers = ContainerState::default();
                            let ctx = course::Context::default();
                            let (c, effects) =
                                course::reduce(&s.course, ctx, CourseAction::NothingShown);
                            s.course = c;
                            s.apply(effects);
                        }
                    }
                }
            }
        }
        Rc::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pancake_core::{Archive, Entry, EntryKind, LayerIndex, Member, MemberFacts};

    /// The state modules, for the shape tests below.
    const STATE_MODULES: [(&str, &str); 13] = [
        ("state/mod.rs", include_str!("mod.rs")),
        ("state/reading.rs", include_str!("reading.rs")),
        ("state/nav.rs", include_str!("nav.rs")),
        ("state/course.rs", include_str!("course.rs")),
        ("state/session.rs", include_str!("session.rs")),
        ("state/place.rs", include_str!("place.rs")),
        ("state/index.rs", include_str!("index.rs")),
        ("state/platform_list.rs", include_str!("platform_list.rs")),
        ("session.rs", include_str!("../session.rs")),
        ("tour.rs", include_str!("../tour.rs")),
        ("container_state.rs", include_str!("../container_state.rs")),
        ("worker_glue.rs", include_str!("../worker_glue.rs")),
        ("protocol.rs", include_str!("../protocol.rs")),
    ];

    fn code_lines(src: &str) -> impl Iterator<Item = &str> {
        // Up to the module's tests, without comments.
        src.lines()
            .take_while(|l| !l.starts_with("#[cfg(test)]"))
            .filter(|l| !l.trim_start().starts_with("//"))
    }

    /// No state module imports a view: views depend on state, never the other way round.
    #[test]
    fn no_state_module_uses_a_view() {
        for (name, src) in STATE_MODULES {
            let hits: Vec<&str> = code_lines(src)
                .filter(|l| l.contains(concat!("crate::", "views")))
                .collect();
            assert!(hits.is_empty(), "{name} uses a view: {hits:?}");
        }
    }

    /// Each slice reducer works on its own slice: none calls another module's reducer, and
    /// none but the app's reducer (`state/mod.rs`) changes the whole `AppState`.
    #[test]
    fn no_slice_reducer_calls_another() {
        let slices = [
            "state/reading.rs",
            "state/nav.rs",
            "state/course.rs",
            "state/session.rs",
            "state/place.rs",
            "state/index.rs",
            "container_state.rs",
        ];
        for (name, src) in STATE_MODULES.iter().filter(|(n, _)| slices.contains(n)) {
            let hits: Vec<&str> = code_lines(src)
                .filter(|l| l.contains(concat!("::", "reduce(")) || l.contains("&mut AppState"))
                .collect();
            assert!(hits.is_empty(), "{name} reaches beyond its slice: {hits:?}");
        }
    }

    fn archive(entries: usize) -> Archive {
        let layer = LayerIndex {
            entries: pancake_core::Entries::from(
                (0..entries)
                    .map(|i| Entry {
                        path: RawPath::from_bytes(format!("f{i}").into_bytes()),
                        kind: EntryKind::File,
                        size: 0,
                        mode: 0o644,
                        uid: 0,
                        gid: 0,
                        mtime: 0,
                        link_target: None,
                        content_offset: None,
                        extra: None,
                    })
                    .collect::<Vec<_>>(),
            ),
            ..LayerIndex::default()
        };
        Archive {
            name: "a.tar".into(),
            members: vec![Member {
                path: RawPath::from_bytes(b"l/layer.tar".to_vec()),
                kind: EntryKind::File,
                size: 0,
                data_offset: Some(512),
                link_target: None,
                facts: MemberFacts {
                    layer: Some(layer),
                    ..MemberFacts::default()
                },
            }],
            ..Archive::default()
        }
    }

    #[test]
    fn structure_survives_facts_but_not_a_new_walk() {
        let a = archive(1000);
        let mut verified = a.clone();
        if let Some(m) = verified.members.first_mut() {
            m.facts.json = Some("{}".into());
        }
        let key = |x: &Archive| StructureKey(ArchiveRef(Rc::new(x.clone())));
        assert!(key(&a) == key(&verified), "facts keep the structure");
        assert!(
            key(&a) != key(&archive(1000)),
            "a new walk is a new structure"
        );
    }

    #[test]
    fn verified_replaces_the_archive_and_old_generations_are_dropped() {
        let s = Rc::new(AppState::new(Lang::En));
        let s = s.reduce(Action::Reading(ReadingAction::Pool(PoolEvent::Opened {
            generation: 7,
            name: "a.tar".into(),
            size: 4096,
            now_ms: 0.0,
        })));
        assert_eq!(s.reading.phase, Phase::Scanning);
        assert_eq!(
            s.reading.progress.total, 4096,
            "reading counts the file's bytes"
        );
        let s = s.reduce(Action::Reading(ReadingAction::Pool(PoolEvent::Scanned {
            generation: 7,
            archive: Rc::new(archive(3)),
            millis: 1.0,
        })));
        assert_eq!(s.reading.phase, Phase::Hashing);
        let before = s.reading.archive.clone().expect("archive");
        let mut next = (*before.0).clone();
        next.problems.clear();
        next.total_bytes = 99;
        let stale = s
            .clone()
            .reduce(Action::Reading(ReadingAction::Pool(PoolEvent::Verified {
                generation: 6,
                archive: Rc::new(next.clone()),
            })));
        assert_eq!(
            stale.reading.archive.as_ref().map(|a| a.total_bytes),
            Some(0)
        );
        assert!(
            Rc::ptr_eq(&stale, &s),
            "a stale answer leaves the state as it was"
        );
        let s = s.reduce(Action::Reading(ReadingAction::Pool(PoolEvent::Verified {
            generation: 7,
            archive: Rc::new(next),
        })));
        let after = s.reading.archive.clone().expect("archive");
        assert_eq!(after.total_bytes, 99);
        assert!(
            StructureKey(before) == StructureKey(after),
            "the same structure"
        );
        let s = s.reduce(Action::Reading(ReadingAction::Pool(PoolEvent::Settled {
            generation: 7,
        })));
        assert_eq!(s.reading.phase, Phase::Ready);
    }

    fn opened(s: Rc<AppState>, generation: u32, images: usize) -> Rc<AppState> {
        let s = s.reduce(Action::Reading(ReadingAction::Pool(PoolEvent::Opened {
            generation,
            name: format!("{generation}.tar"),
            size: 10,
            now_ms: 0.0,
        })));
        s.reduce(Action::Reading(ReadingAction::Pool(PoolEvent::Scanned {
            generation,
            archive: Rc::new(two_layer_archive(images)),
            millis: 1.0,
        })))
    }

    #[test]
    fn a_new_file_resets_navigation_but_keeps_the_tab_session_and_course() {
        let s = opened(Rc::new(AppState::new(Lang::En)), 1, 2);
        assert_eq!(
            (s.nav.image, s.nav.layer),
            (0, Some(1)),
            "top layer selected"
        );
        let s = s.reduce(Action::Nav(NavAction::Tab(Tab::Files)));
        let s = s.reduce(Action::Nav(NavAction::Filter("etc".into())));
        let s = s.reduce(Action::Course(CourseAction::Help(true)));
        let key = s.reading.generation;
        let shown = s.reading.archive.clone().expect("archive");
        let s = s.reduce(Action::Shared(SharedAction::Add {
            key,
            archive: shown,
            file_name: "1.tar".into(),
            file_size: 10,
            origin: session::Origin::default(),
        }));
        let s = s.reduce(Action::Reading(ReadingAction::Pool(PoolEvent::Opened {
            generation: 2,
            name: "2.tar".into(),
            size: 20,
            now_ms: 0.0,
        })));
        // The next file is read behind the one shown, which stays as it was (issue 13).
        assert_eq!(s.reading.file_name.as_deref(), Some("1.tar"));
        assert_eq!((s.nav.filter.as_str(), s.nav.layer), ("etc", Some(1)));
        let behind = s.incoming.as_ref().map(|r| (r.file_name.clone(), r.phase));
        assert_eq!(behind, Some((Some("2.tar".into()), Phase::Scanning)));
        let s = s.reduce(Action::Reading(ReadingAction::Pool(PoolEvent::Progress {
            generation: 2,
            done: 5,
            now_ms: 1.0,
            reached: true,
        })));
        assert_eq!(
            s.read_now().progress.done,
            5,
            "its progress is the one followed"
        );
        assert_eq!(s.reading.progress.done, 0);
        // At its first view (an image in it) it takes the page over.
        let mut next = archive(2);
        next.images = vec![pancake_core::Image {
            layers: vec![pancake_core::Layer::default()],
            ..Default::default()
        }];
        let s = s.reduce(Action::Reading(ReadingAction::Pool(PoolEvent::Scanned {
            generation: 2,
            archive: Rc::new(next),
            millis: 1.0,
        })));
        assert!(s.incoming.is_none());
        assert_eq!(s.nav.tab, Tab::Files);
        assert_eq!(s.nav.filter.as_str(), "");
        assert_eq!(s.session.archives.len(), 1);
        assert!(s.course.help);
        assert_eq!(s.reading.file_name.as_deref(), Some("2.tar"));
        assert_eq!(s.reading.phase, Phase::Hashing);
    }

    fn two_layer_archive(images: usize) -> Archive {
        let mut a = archive(1);
        a.images = vec![
            pancake_core::Image {
                layers: vec![pancake_core::Layer::default(); 2],
                ..Default::default()
            };
            images
        ];
        a
    }

    #[test]
    fn an_outline_is_shown_while_the_walk_goes_on_and_its_end_keeps_where_the_person_is() {
        let s = Rc::new(AppState::new(Lang::En));
        let s = s.reduce(Action::Reading(ReadingAction::Pool(PoolEvent::Opened {
            generation: 4,
            name: "big.tar".into(),
            size: 10,
            now_ms: 0.0,
        })));
        let s = s.reduce(Action::Reading(ReadingAction::Pool(PoolEvent::Outlined {
            generation: 4,
            archive: Box::new(two_layer_archive(1)),
            millis: 1.0,
        })));
        assert!(s.reading.outlined);
        assert_eq!(
            s.reading.scan_ms,
            Some(1.0),
            "the first view is the outline's"
        );
        assert_eq!(s.reading.phase, Phase::Scanning, "still reading");
        assert_eq!(s.reading.archive.as_ref().map(|a| a.images.len()), Some(1));
        assert_eq!(
            s.nav.layer,
            Some(1),
            "the top layer is selected at the outline"
        );
        // The person picks the base layer while the walk goes on.
        let s = s.reduce(Action::Nav(NavAction::Layer(Some(0))));
        let s = s.reduce(Action::Reading(ReadingAction::Pool(PoolEvent::Scanned {
            generation: 4,
            archive: Rc::new(two_layer_archive(1)),
            millis: 2.0,
        })));
        assert!(!s.reading.outlined);
        assert_eq!(
            s.reading.scan_ms,
            Some(1.0),
            "the walk's end is not the first view"
        );
        assert_eq!(s.reading.phase, Phase::Hashing);
        assert_eq!(
            s.nav.layer,
            Some(0),
            "the walk's end keeps the layer picked"
        );
    }

    #[test]
    fn a_cancel_during_an_outline_keeps_it_shown_as_an_outline() {
        let s = Rc::new(AppState::new(Lang::En));
        let s = s.reduce(Action::Reading(ReadingAction::Pool(PoolEvent::Opened {
            generation: 5,
            name: "big.tar".into(),
            size: 10,
            now_ms: 0.0,
        })));
        let s = s.reduce(Action::Reading(ReadingAction::Pool(PoolEvent::Outlined {
            generation: 5,
            archive: Box::new(two_layer_archive(1)),
            millis: 1.0,
        })));
        let s = s.reduce(Action::Reading(ReadingAction::Pool(PoolEvent::Cancelled)));
        assert_eq!(s.reading.phase, Phase::Cancelled);
        assert!(s.reading.outlined, "its layers were never walked");
        assert!(s.reading.archive.is_some(), "what was read stays shown");
    }

    #[test]
    fn a_file_read_behind_takes_over_at_its_walk_not_at_its_outline() {
        let s = opened(Rc::new(AppState::new(Lang::En)), 1, 1);
        let shown = s.reading.archive.clone().expect("archive");
        let s = s.reduce(Action::Shared(SharedAction::Add {
            key: 1,
            archive: shown,
            file_name: "1.tar".into(),
            file_size: 10,
            origin: session::Origin::default(),
        }));
        let s = s.reduce(Action::Reading(ReadingAction::Pool(PoolEvent::Opened {
            generation: 2,
            name: "2.tar".into(),
            size: 20,
            now_ms: 0.0,
        })));
        let s = s.reduce(Action::Reading(ReadingAction::Pool(PoolEvent::Outlined {
            generation: 2,
            archive: Box::new(two_layer_archive(3)),
            millis: 1.0,
        })));
        assert_eq!(
            s.reading.file_name.as_deref(),
            Some("1.tar"),
            "the one shown stays"
        );
        assert!(!s.reading.outlined);
        let behind = s
            .incoming
            .as_ref()
            .map(|r| (r.archive.is_none(), r.outlined));
        assert_eq!(
            behind,
            Some((true, false)),
            "the outline is not kept behind"
        );
        let s = s.reduce(Action::Reading(ReadingAction::Pool(PoolEvent::Scanned {
            generation: 2,
            archive: Rc::new(two_layer_archive(3)),
            millis: 2.0,
        })));
        assert!(s.incoming.is_none());
        assert_eq!(s.reading.file_name.as_deref(), Some("2.tar"));
        assert_eq!(s.reading.archive.as_ref().map(|a| a.images.len()), Some(3));
    }

    #[test]
    fn a_file_read_behind_can_be_cancelled_or_fail_without_losing_the_one_shown() {
        let s = opened(Rc::new(AppState::new(Lang::En)), 1, 1);
        let shown = s.reading.archive.clone().expect("archive");
        let s = s.reduce(Action::Shared(SharedAction::Add {
            key: 1,
            archive: shown,
            file_name: "1.tar".into(),
            file_size: 10,
            origin: session::Origin::default(),
        }));
        let open2 = |s: Rc<AppState>, g: u32| {
            s.reduce(Action::Reading(ReadingAction::Pool(PoolEvent::Opened {
                generation: g,
                name: format!("{g}.tar"),
                size: 20,
                now_ms: 0.0,
            })))
        };
        let s = open2(s, 2);
        let s = s.reduce(Action::Reading(ReadingAction::Pool(PoolEvent::Cancelled)));
        assert!(s.incoming.is_none());
        assert_eq!(s.reading.generation, 1);
        assert!(s.reading.archive.is_some());
        // A file that cannot be read at all says so, and the image shown stays.
        let s = open2(s, 3);
        let s = s.reduce(Action::Reading(ReadingAction::Pool(PoolEvent::Failed {
            generation: 3,
            message: "not a container image archive".into(),
            why: None,
        })));
        assert!(s.incoming.is_none());
        assert_eq!(s.reading.generation, 1);
        assert!(s.reading.fatal.is_none() && s.reading.archive.is_some());
        assert_eq!(
            s.next_failed,
            vec![NextFailed {
                name: "3.tar".into(),
                message: Some("not a container image archive".into()),
                why: None,
                problems: Vec::new(),
            }]
        );
        // The next file of the same batch leaves it said; read, but with no image in it
        // (its problems say why), it is said too, and the image shown still stays.
        let s = open2(s, 4);
        assert_eq!(s.next_failed.len(), 1, "a batch's next file keeps it");
        let mut empty = archive(1);
        empty.problems = vec![pancake_core::Problem::member(
            pancake_core::ProblemKind::Metadata,
            Some(0),
            Some("manifest.json"),
            "not valid JSON",
        )];
        let s = s.reduce(Action::Reading(ReadingAction::Pool(PoolEvent::Scanned {
            generation: 4,
            archive: Rc::new(empty.clone()),
            millis: 1.0,
        })));
        assert!(s.incoming.is_none());
        assert_eq!(s.reading.generation, 1);
        assert_eq!(s.next_failed.len(), 2);
        assert_eq!(
            s.next_failed.last().map(|f| (
                f.name.as_str(),
                f.message.is_none(),
                f.problems.clone()
            )),
            Some(("4.tar", true, empty.problems.clone()))
        );
        let s = s.reduce(Action::DismissNextFailed);
        assert!(s.next_failed.is_empty());
    }

    #[test]
    fn showing_a_session_image_switches_the_archive_without_reading_it() {
        let s = opened(Rc::new(AppState::new(Lang::En)), 1, 2);
        let first = s.reading.archive.clone().expect("archive");
        let s = s.reduce(Action::Shared(SharedAction::Add {
            key: 1,
            archive: first.clone(),
            file_name: "1.tar".into(),
            file_size: 10,
            origin: session::Origin::default(),
        }));
        let s = s.reduce(Action::Course(CourseAction::OpeningDemo("nginx".into())));
        let s = opened(s, 2, 1);
        assert_eq!(s.course.demo.as_deref(), Some("nginx"));
        let s = s.reduce(Action::Shared(SharedAction::Show(ImageKey {
            archive: 1,
            image: 1,
        })));
        assert_eq!(s.reading.generation, 1);
        assert_eq!(s.reading.phase, Phase::Ready);
        assert!(StructureKey(s.reading.archive.clone().expect("a")) == StructureKey(first));
        assert_eq!((s.nav.image, s.nav.layer), (1, Some(1)));
        assert_eq!(
            s.course.demo, None,
            "1.tar is a person's own file: the permalink no longer names nginx"
        );
        // Removing the image shown shows the next one of the session.
        let s = s.reduce(Action::Shared(SharedAction::Remove(ImageKey {
            archive: 1,
            image: 1,
        })));
        assert_eq!((s.reading.generation, s.nav.image), (1, 0));
        // Removing the last one leaves nothing shown, on the same tab.
        let s = s.reduce(Action::Nav(NavAction::Tab(Tab::Shared)));
        let s = s.reduce(Action::Shared(SharedAction::Remove(ImageKey {
            archive: 1,
            image: 0,
        })));
        assert!(s.reading.archive.is_none() && s.session.archives.is_empty());
        assert_eq!(s.nav.tab, Tab::Shared);
        assert_eq!(
            s.course.demo, None,
            "no demo is shown: a tour step opens it again"
        );
    }

    /// The tour's files are demos: showing an image of another file (the picker during or
    /// after the tour) makes the course, and so the permalink, name that file's demo.
    #[test]
    fn showing_another_files_image_names_its_demo_or_url() {
        let s = Rc::new(AppState::new(Lang::En));
        let s = s.reduce(Action::Course(CourseAction::OpeningDemo("nginx".into())));
        let s = opened(s, 1, 1);
        let nginx = s.reading.archive.clone().expect("archive");
        let s = s.reduce(Action::Shared(SharedAction::Add {
            key: 1,
            archive: nginx,
            file_name: "nginx.tar".into(),
            file_size: 10,
            origin: session::Origin {
                demo: Some("nginx".into()),
                src: None,
            },
        }));
        let s = s.reduce(Action::Course(CourseAction::OpeningDemo(
            "wordpress-a,wordpress-b".into(),
        )));
        let s = opened(s, 2, 2);
        let pair = s.reading.archive.clone().expect("archive");
        let s = s.reduce(Action::Shared(SharedAction::Add {
            key: 2,
            archive: pair,
            file_name: "wordpress-a+wordpress-b.tar".into(),
            file_size: 10,
            origin: session::Origin {
                demo: Some("wordpress-a,wordpress-b".into()),
                src: None,
            },
        }));
        let s = s.reduce(Action::Course(CourseAction::Step(5)));
        let s = s.reduce(Action::Shared(SharedAction::Show(ImageKey {
            archive: 1,
            image: 0,
        })));
        assert_eq!(s.reading.generation, 1);
        assert_eq!(s.course.demo.as_deref(), Some("nginx"));
        // Another image of the same file: still that file's demo.
        let s = s.reduce(Action::Shared(SharedAction::Show(ImageKey {
            archive: 2,
            image: 1,
        })));
        let s = s.reduce(Action::Shared(SharedAction::Show(ImageKey {
            archive: 2,
            image: 0,
        })));
        assert_eq!(
            (s.reading.generation, s.course.demo.as_deref()),
            (2, Some("wordpress-a,wordpress-b"))
        );
        // The tour closes on what is shown.
        let s = s.reduce(Action::Course(CourseAction::CloseTour));
        assert_eq!(s.course.demo.as_deref(), Some("wordpress-a,wordpress-b"));
    }

    #[test]
    fn one_file_listing_an_image_twice_keeps_both_and_removing_removes_other_files_copies() {
        use session::tests::archive_of;
        let mut s = AppState::new(Lang::En);
        s.session.archives = Rc::new(vec![
            archive_of(1, "two.tar", &["x", "x"], 10),
            archive_of(2, "copy.tar", &["x"], 10),
        ]);
        // copy.tar is the file on screen.
        s.reading.generation = 2;
        s.nav.image = 0;
        assert_eq!(session::session_images(&s).len(), 2);
        let s = Rc::new(s).reduce(Action::Shared(SharedAction::Remove(ImageKey {
            archive: 1,
            image: 0,
        })));
        // The other file's copy does not come back in its place; the file's own second
        // listing stays, as that file lists it.
        let left: Vec<(ImageKey, Vec<String>)> = session::session_images(&s)
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
        assert_eq!((s.reading.generation, s.nav.image), (1, 1));
    }

    #[test]
    fn course_effects_reach_navigation_and_content_reaches_both_panels() {
        let s = opened(Rc::new(AppState::new(Lang::En)), 1, 1);
        let s = s.reduce(Action::Nav(NavAction::OpenContent {
            member: 0,
            entry: 0,
            path: RawPath::from("f0"),
            size: 1,
            max: 1,
        }));
        let s = s.reduce(Action::Course(CourseAction::Step(3)));
        assert_eq!((s.course.step, s.nav.tab), (Some(3), Tab::History));
        assert!(s.nav.content.is_none(), "a step closes the content panel");
        let s = s.reduce(Action::Nav(NavAction::OpenContent {
            member: 0,
            entry: 0,
            path: RawPath::from("f0"),
            size: 1,
            max: 1,
        }));
        let late = s.clone().reduce(Action::Content {
            generation: 0,
            member: 0,
            path: RawPath::from("f0"),
            bytes: Some(b"x".to_vec()),
            error: None,
        });
        assert!(
            Rc::ptr_eq(&late, &s),
            "content for another file changes nothing"
        );
        let s = s.reduce(Action::Content {
            generation: 1,
            member: 0,
            path: RawPath::from("f0"),
            bytes: Some(b"x".to_vec()),
            error: None,
        });
        let bytes = s.nav.content.as_ref().and_then(|c| c.bytes.clone());
        assert_eq!(bytes.as_deref().cloned(), Some(b"x".to_vec()));
    }

    #[test]
    fn pool_events_map_to_reading_actions_of_the_same_generation() {
        let a: Action = PoolEvent::Settled { generation: 4 }.into();
        assert!(matches!(
            a,
            Action::Reading(ReadingAction::Pool(PoolEvent::Settled { generation: 4 }))
        ));
        let a: Action = PoolEvent::Content {
            generation: 4,
            member: 1,
            path: RawPath::from("x"),
            bytes: None,
            error: Some("gone".into()),
        }
        .into();
        assert!(matches!(
            a,
            Action::Content {
                generation: 4,
                member: 1,
                ..
            }
        ));
    }
}
