//! The one app state and its reducer. Views read it; callbacks send [`Action`]s.
//! Worker results carry the `generation` they were started for, so late answers about a
//! file that has since been replaced are dropped here, in one place.

use std::rc::Rc;

use pancake_core::{Archive, RawPath};
use yew::Reducible;

use crate::i18n::Lang;

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
        if Rc::ptr_eq(a, b) {
            return true;
        }
        let entries = |x: &Archive| -> Vec<Option<*const Vec<pancake_core::Entry>>> {
            x.members
                .iter()
                .map(|m| {
                    m.facts
                        .layer
                        .as_ref()
                        .map(|l| std::sync::Arc::as_ptr(&l.entries))
                })
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

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tab {
    #[default]
    Stack,
    Files,
    History,
    Config,
    /// A container's writable layer on the image (issue 5).
    Container,
    /// Several images side by side: shared layers, storage, pull/push (issue 4).
    Shared,
}

impl Tab {
    pub const ALL: [Tab; 6] = [
        Tab::Stack,
        Tab::Files,
        Tab::History,
        Tab::Config,
        Tab::Shared,
        Tab::Container,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Tab::Stack => "stack",
            Tab::Files => "files",
            Tab::History => "history",
            Tab::Config => "config",
            Tab::Container => "container",
            Tab::Shared => "shared",
        }
    }

    pub fn from_id(s: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|t| t.id() == s)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Phase {
    /// Nothing opened yet (or the last file failed before anything could be shown).
    #[default]
    Idle,
    /// Headers are being walked (or, for a gzip outer file, the whole file read).
    Scanning,
    /// The model is shown; blobs are being hashed.
    Hashing,
    /// Every digest is settled.
    Ready,
    /// The user stopped hashing; what was found so far stays shown.
    Cancelled,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
    /// `Date.now()` when hashing started, and at the last update.
    pub started_ms: f64,
    pub now_ms: f64,
}

impl Progress {
    pub fn percent(&self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            (self.done as f64 * 100.0 / self.total as f64).min(100.0)
        }
    }

    /// Bytes per second so far.
    pub fn rate(&self) -> Option<f64> {
        let secs = (self.now_ms - self.started_ms) / 1000.0;
        (secs > 0.2 && self.done > 0).then(|| self.done as f64 / secs)
    }

    pub fn seconds_left(&self) -> Option<f64> {
        self.rate()
            .map(|r| self.total.saturating_sub(self.done) as f64 / r)
    }
}

/// A file whose content is shown (or being read).
#[derive(Clone, Debug, PartialEq)]
pub struct ContentView {
    pub member: usize,
    pub path: RawPath,
    pub size: u64,
    /// How many bytes were asked for (grows with "show more").
    pub max: u64,
    pub bytes: Option<Rc<Vec<u8>>>,
    pub error: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AppState {
    pub lang: Lang,
    pub generation: u32,
    pub file_name: Option<String>,
    pub file_size: u64,
    pub phase: Phase,
    pub archive: Option<ArchiveRef>,
    pub scan_ms: Option<f64>,
    /// A reason nothing (more) could be read: from the core or a worker.
    pub fatal: Option<String>,
    pub progress: Progress,
    pub tab: Tab,
    pub image: usize,
    /// Selected layer of the shown image (stack details and the files view).
    pub layer: Option<usize>,
    pub merged: bool,
    pub filter: String,
    pub content: Option<ContentView>,
    /// Containers on the shown image (issue 5).
    pub containers: crate::container_state::ContainerState,
    /// Course mode: tour, embed, permalink (`tour.rs`).
    pub course: crate::tour::Course,
    /// Archives kept open together, and the pull/push simulations' marks.
    pub shared: crate::session::SharedState,
}

impl AppState {
    pub fn new(lang: Lang) -> AppState {
        AppState {
            lang,
            generation: 0,
            file_name: None,
            file_size: 0,
            phase: Phase::Idle,
            archive: None,
            scan_ms: None,
            fatal: None,
            progress: Progress::default(),
            tab: Tab::Stack,
            image: 0,
            layer: None,
            merged: false,
            filter: String::new(),
            content: None,
            containers: Default::default(),
            course: crate::tour::Course::default(),
            shared: Default::default(),
        }
    }
}

pub enum Action {
    SetLang(Lang),
    Opened {
        generation: u32,
        name: String,
        size: u64,
    },
    Scanned {
        generation: u32,
        archive: Box<Archive>,
        millis: f64,
    },
    HashStarted {
        generation: u32,
        total: u64,
        now_ms: f64,
    },
    Progress {
        generation: u32,
        done: u64,
        now_ms: f64,
    },
    /// The reading's archive after a batch of facts (the pool's `Reading` applied them);
    /// it shares the layer indexes of the one shown.
    Verified {
        generation: u32,
        archive: Box<Archive>,
    },
    Settled {
        generation: u32,
    },
    Failed {
        generation: u32,
        message: String,
    },
    Cancelled,
    Tab(Tab),
    Image(usize),
    Layer(Option<usize>),
    Merged(bool),
    Filter(String),
    OpenContent {
        member: usize,
        path: RawPath,
        size: u64,
        max: u64,
    },
    Content {
        generation: u32,
        member: usize,
        path: RawPath,
        bytes: Option<Vec<u8>>,
        error: Option<String>,
    },
    CloseContent,
    Container(crate::container_state::ContainerAction),
    Course(crate::tour::CourseAction),
    Shared(crate::session::SharedAction),
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let current = |g: u32| g == self.generation;
        let mut s = (*self).clone();
        match action {
            Action::SetLang(l) => s.lang = l,
            Action::Opened {
                generation,
                name,
                size,
            } => {
                s = AppState::new(s.lang);
                s.shared = self.shared.clone();
                s.course = self.course.opened();
                s.generation = generation;
                s.file_name = Some(name);
                s.file_size = size;
                // Until hashing starts, progress counts the file's bytes read.
                s.progress.total = size;
                s.phase = Phase::Scanning;
                s.tab = self.tab;
            }
            Action::Scanned {
                generation,
                archive,
                millis,
            } if current(generation) => {
                s.phase = Phase::Hashing;
                s.scan_ms = Some(millis);
                // The first present platform of a multi-platform index, as the CLI picks it.
                s.image = default_image(&archive);
                s.layer = top_layer(&archive, s.image);
                s.archive = Some(ArchiveRef(Rc::new(*archive)));
            }
            Action::HashStarted {
                generation,
                total,
                now_ms,
            } if current(generation) => {
                s.progress = Progress {
                    done: 0,
                    total,
                    started_ms: now_ms,
                    now_ms,
                };
            }
            Action::Progress {
                generation,
                done,
                now_ms,
            } if current(generation) => {
                s.progress.done = done.min(s.progress.total);
                s.progress.now_ms = now_ms;
            }
            Action::Verified {
                generation,
                archive,
            } if current(generation) => {
                s.archive = Some(ArchiveRef(Rc::new(*archive)));
            }
            Action::Settled { generation } if current(generation) => {
                s.progress.done = s.progress.total;
                s.phase = Phase::Ready;
            }
            Action::Failed {
                generation,
                message,
            } if current(generation) => {
                s.fatal = Some(message);
                if s.archive.is_none() {
                    s.phase = Phase::Idle;
                } else if s.phase != Phase::Ready {
                    s.phase = Phase::Cancelled;
                }
            }
            Action::Cancelled => {
                if s.archive.is_some() {
                    if s.phase != Phase::Ready {
                        s.phase = Phase::Cancelled;
                    }
                } else {
                    s = AppState::new(s.lang);
                    s.shared = self.shared.clone();
                    s.course = self.course.clone();
                    s.generation = self.generation;
                }
            }
            Action::Tab(t) => s.tab = t,
            Action::Image(i) => {
                s.image = i;
                s.layer = s.archive.as_ref().and_then(|a| top_layer(a, i));
                s.content = None;
            }
            Action::Layer(l) => {
                s.layer = l;
                s.content = None;
            }
            Action::Merged(m) => s.merged = m,
            Action::Filter(f) => s.filter = f,
            Action::OpenContent {
                member,
                path,
                size,
                max,
            } => {
                s.content = Some(ContentView {
                    member,
                    path,
                    size,
                    max,
                    bytes: None,
                    error: None,
                });
            }
            Action::Content {
                generation,
                member,
                path,
                bytes,
                error,
            } if current(generation) => {
                // A container's editor may be waiting for these bytes (issue 5).
                s.containers = std::mem::take(&mut s.containers).on_content(
                    member,
                    &path,
                    bytes.as_deref(),
                    error.as_deref(),
                );
                if let Some(c) = s.content.as_mut() {
                    if c.member == member && c.path == path {
                        c.bytes = bytes.map(Rc::new);
                        c.error = error;
                    }
                }
            }
            Action::CloseContent => s.content = None,
            Action::Container(a) => {
                let archive = s.archive.as_ref().map(|a| a.0.clone());
                s.containers =
                    crate::container_state::reduce(&s.containers, archive.as_ref(), s.image, a);
            }
            Action::Course(a) => crate::tour::reduce(&mut s, a),
            Action::Shared(a) => crate::session::reduce(&mut s, a),
            // A worker answer about a file that has since been replaced.
            _ => return self,
        }
        Rc::new(s)
    }
}

/// The layer selected when an image is first shown: its top one.
fn top_layer(a: &Archive, image: usize) -> Option<usize> {
    a.images
        .get(image)
        .and_then(|img| img.layers.len().checked_sub(1))
}

/// The image shown first when an archive is read: the first present platform of its index
/// (the same rule as `pancake inspect` without `--platform`), else image 0.
pub fn default_image(a: &Archive) -> usize {
    use pancake_core::read::image::{choose_platform, platforms};
    choose_platform(
        &platforms(a, &pancake_core::limits::Limits::default()),
        None,
    )
    .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pancake_core::{Entry, EntryKind, LayerIndex, Member, MemberFacts};

    /// No state module imports a view: views depend on state, never the other way round.
    #[test]
    fn no_state_module_uses_a_view() {
        for (name, src) in [
            ("state.rs", include_str!("state.rs")),
            ("session.rs", include_str!("session.rs")),
            ("tour.rs", include_str!("tour.rs")),
            ("container_state.rs", include_str!("container_state.rs")),
            ("worker_glue.rs", include_str!("worker_glue.rs")),
            ("protocol.rs", include_str!("protocol.rs")),
        ] {
            let hits: Vec<&str> = src
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .filter(|l| l.contains(concat!("crate::", "views")))
                .collect();
            assert!(hits.is_empty(), "{name} uses a view: {hits:?}");
        }
    }

    fn archive(entries: usize) -> Archive {
        let layer = LayerIndex {
            entries: std::sync::Arc::new(
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
                        sparse: None,
                    })
                    .collect(),
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
        let s = s.reduce(Action::Opened {
            generation: 7,
            name: "a.tar".into(),
            size: 4096,
        });
        assert_eq!(s.phase, Phase::Scanning);
        assert_eq!(s.progress.total, 4096, "reading counts the file's bytes");
        let s = s.reduce(Action::Scanned {
            generation: 7,
            archive: Box::new(archive(3)),
            millis: 1.0,
        });
        assert_eq!(s.phase, Phase::Hashing);
        let before = s.archive.clone().expect("archive");
        let mut next = (*before.0).clone();
        next.problems.clear();
        next.total_bytes = 99;
        let stale = s.clone().reduce(Action::Verified {
            generation: 6,
            archive: Box::new(next.clone()),
        });
        assert_eq!(stale.archive.as_ref().map(|a| a.total_bytes), Some(0));
        let s = s.reduce(Action::Verified {
            generation: 7,
            archive: Box::new(next),
        });
        let after = s.archive.clone().expect("archive");
        assert_eq!(after.total_bytes, 99);
        assert!(
            StructureKey(before) == StructureKey(after),
            "the same structure"
        );
        let s = s.reduce(Action::Settled { generation: 7 });
        assert_eq!(s.phase, Phase::Ready);
    }
}
