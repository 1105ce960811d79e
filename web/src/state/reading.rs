//! The reading slice: which file is read (its generation), how far (phase, progress) and
//! what it holds so far (the archive). Its reducer sees only this slice.
//!
//! Worker answers carry the `generation` they were started for; an answer about a file that
//! has since been replaced is dropped here, in one place ([`reduce`] returns `None`).

use std::rc::Rc;

use pancake_core::analyze::glance::LayerGlance;

use super::ArchiveRef;
use crate::worker_glue::PoolEvent;

/// At most this many layers read so far are kept and listed: a save of thousands of small
/// layers must not cost the page's thread a task per layer ever listed (each batch would
/// copy and draw them all).
pub const LAYERS_LISTED: usize = 16;

/// Drops all but the last [`LAYERS_LISTED`] of `layers` (the worker before it sends them, the
/// page as batches add up).
pub fn keep_listed(layers: &mut Vec<LayerGlance>) {
    let over = layers.len().saturating_sub(LAYERS_LISTED);
    layers.drain(..over);
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
    /// `Date.now()` when the rate's clock started (reading: the pick; hashing: its first
    /// report), and at the last update.
    pub started_ms: f64,
    pub now_ms: f64,
    /// Bytes done when the rate's clock started. A blob hashed beside the walk was hashed
    /// before the plan gave out its jobs, and its bytes come in at once with the first report:
    /// counted against the time since hashing started they made a rate of twice the hashers'
    /// speed, and "0 s left" with a third of the work still to do.
    pub from: u64,
    /// Hashing started and has not reported yet: its first report starts the clock.
    pub clock_waits: bool,
    /// `done` is how far through the file a walk that skips contents has got
    /// (`archive::Progress::reached`): its [`Progress::rate`] is how fast the walk moves
    /// through the file, not a speed of reading, and is not shown as one.
    pub reached: bool,
}

impl Progress {
    pub fn percent(&self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            (self.done as f64 * 100.0 / self.total as f64).min(100.0)
        }
    }

    /// Bytes per second so far: said only after a second, when the first pieces' start-up
    /// no longer dominates (an early figure would jump by orders of magnitude).
    pub fn rate(&self) -> Option<f64> {
        let secs = (self.now_ms - self.started_ms) / 1000.0;
        let done = self.done.saturating_sub(self.from);
        (secs >= 1.0 && done > 0).then(|| done as f64 / secs)
    }

    pub fn seconds_left(&self) -> Option<f64> {
        self.rate()
            .map(|r| self.total.saturating_sub(self.done) as f64 / r)
    }
}

/// The file shown and how far it is read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReadingState {
    /// The reader generation of the file shown (the worker pool's key for it).
    pub generation: u32,
    pub file_name: Option<String>,
    /// Bytes.
    pub file_size: u64,
    pub phase: Phase,
    pub archive: Option<ArchiveRef>,
    /// Milliseconds from opening to the first view (the outline's, when one was shown).
    pub scan_ms: Option<f64>,
    /// While a file compressed as a whole is read (phase `Scanning`, no `archive` yet): the
    /// last [`LAYERS_LISTED`] of its layer blobs read so far, in the order the file holds
    /// them, each at a glance. Dropped when the archive comes with an image; kept when it
    /// comes with none (the file ended before its manifest: they are what can be shown).
    pub layers_read: Rc<Vec<LayerGlance>>,
    /// How many layer blobs were read in all (`layers_read` keeps the last ones).
    pub layers_read_count: usize,
    /// `archive` is the outline of a file whose large layer tars are still being walked
    /// ([`PoolEvent::Outlined`]; phase `Scanning`): the images and their layers without those
    /// layers' indexes. The walk's `Scanned` replaces it and clears this.
    pub outlined: bool,
    /// A reason nothing (more) could be read: from the core or a worker.
    pub fatal: Option<String>,
    /// Why, as a value the page words in its language, when the whole file was not what
    /// was expected (empty, not a tar, cut short); `fatal` is then the English detail.
    pub fatal_why: Option<pancake_core::Unreadable>,
    pub progress: Progress,
}

/// What changes the reading: the worker pool's report about the file it reads (its own
/// [`PoolEvent`]s, taken as they come rather than copied into a second list of events), or
/// the session showing an archive that was read before.
#[derive(Debug)]
pub enum ReadingAction {
    /// A pool event about the reading (`PoolEvent::Content` is not one: the app's reducer
    /// routes it to the content panel and the containers).
    Pool(PoolEvent),
    /// An archive of the session, read before, is shown again (nothing is re-read).
    Shown {
        generation: u32,
        archive: ArchiveRef,
        file_name: String,
        file_size: u64,
    },
}

/// The slice after `action`, or `None` when the action is about a file no longer shown (a
/// late worker answer) and changes nothing.
pub fn reduce(s: &ReadingState, action: ReadingAction) -> Option<ReadingState> {
    let current = |g: u32| g == s.generation;
    let mut s = s.clone();
    match action {
        ReadingAction::Pool(PoolEvent::Opened {
            generation,
            name,
            size,
            now_ms,
        }) => {
            s = ReadingState {
                generation,
                file_name: Some(name),
                file_size: size,
                phase: Phase::Scanning,
                // Until hashing starts, progress counts the file's bytes read.
                progress: Progress {
                    total: size,
                    started_ms: now_ms,
                    now_ms,
                    ..Progress::default()
                },
                ..ReadingState::default()
            };
        }
        ReadingAction::Pool(PoolEvent::LayersRead {
            generation,
            layers,
            count,
        }) if current(generation) && s.archive.is_none() => {
            s.layers_read_count = count;
            let listed = Rc::make_mut(&mut s.layers_read);
            // A layer listed again comes with what was still to come (its digest, from the
            // worker it was handed to): it takes its own place, not a new one.
            for g in layers {
                match listed.iter_mut().find(|l| l.member == g.member) {
                    Some(old) => *old = g,
                    None => listed.push(g),
                }
            }
            keep_listed(listed);
        }
        ReadingAction::Pool(PoolEvent::Outlined {
            generation,
            archive,
            millis,
        }) if current(generation) && s.phase == Phase::Scanning && s.archive.is_none() => {
            s.archive = Some(ArchiveRef(Rc::new(*archive)));
            s.outlined = true;
            // The first view is the outline: "first view in" says when it came, not the walk.
            s.scan_ms = Some(millis);
        }
        ReadingAction::Pool(PoolEvent::Scanned {
            generation,
            archive,
            millis,
        }) if current(generation) => {
            if !s.outlined {
                s.scan_ms = Some(millis);
            }
            s.outlined = false;
            if !archive.images.is_empty() {
                s.layers_read = Rc::default();
                s.layers_read_count = 0;
            }
            s.phase = Phase::Hashing;
            s.archive = Some(ArchiveRef(archive));
        }
        ReadingAction::Pool(PoolEvent::HashStarted {
            generation,
            total,
            now_ms,
        }) if current(generation) => {
            s.progress = Progress {
                done: 0,
                total,
                started_ms: now_ms,
                now_ms,
                from: 0,
                clock_waits: true,
                reached: false,
            };
        }
        ReadingAction::Pool(PoolEvent::Progress {
            generation,
            done,
            now_ms,
            reached,
        }) if current(generation) => {
            let p = &mut s.progress;
            p.done = done.min(p.total);
            p.now_ms = now_ms;
            p.reached = reached;
            if std::mem::take(&mut p.clock_waits) {
                p.started_ms = now_ms;
                p.from = p.done;
            }
        }
        ReadingAction::Pool(PoolEvent::Verified {
            generation,
            archive,
        }) if current(generation) => {
            s.archive = Some(ArchiveRef(archive));
        }
        ReadingAction::Pool(PoolEvent::Settled { generation }) if current(generation) => {
            s.progress.done = s.progress.total;
            s.phase = Phase::Ready;
        }
        ReadingAction::Pool(PoolEvent::Failed {
            generation,
            message,
            why,
        }) if current(generation) => {
            s.fatal = Some(message);
            s.fatal_why = why;
            if s.archive.is_none() {
                s.phase = Phase::Idle;
            } else if s.phase != Phase::Ready {
                s.phase = Phase::Cancelled;
            }
        }
        ReadingAction::Pool(PoolEvent::Cancelled) => {
            if s.archive.is_some() {
                if s.phase != Phase::Ready {
                    s.phase = Phase::Cancelled;
                }
            } else {
                s = ReadingState {
                    generation: s.generation,
                    ..ReadingState::default()
                };
            }
        }
        ReadingAction::Shown {
            generation,
            archive,
            file_name,
            file_size,
        } => {
            s = ReadingState {
                generation,
                file_name: Some(file_name),
                file_size,
                phase: Phase::Ready,
                archive: Some(archive),
                ..ReadingState::default()
            };
        }
        // A worker answer about a file that has since been replaced.
        _ => return None,
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opened(g: u32) -> ReadingState {
        reduce(
            &ReadingState::default(),
            ReadingAction::Pool(PoolEvent::Opened {
                generation: g,
                name: "a.tar".into(),
                size: 4096,
                now_ms: 0.0,
            }),
        )
        .expect("opened")
    }

    #[test]
    fn answers_for_another_generation_change_nothing() {
        let s = opened(3);
        assert_eq!(s.phase, Phase::Scanning);
        assert_eq!(s.progress.total, 4096, "reading counts the file's bytes");
        for stale in [
            ReadingAction::Pool(PoolEvent::Settled { generation: 2 }),
            ReadingAction::Pool(PoolEvent::Progress {
                generation: 4,
                done: 1,
                now_ms: 0.0,
                reached: true,
            }),
            ReadingAction::Pool(PoolEvent::Failed {
                generation: 2,
                message: "x".into(),
                why: None,
            }),
        ] {
            assert!(reduce(&s, stale).is_none());
        }
    }

    #[test]
    fn failure_before_anything_shown_is_idle_after_it_cancelled() {
        let s = opened(1);
        let failed = reduce(
            &s,
            ReadingAction::Pool(PoolEvent::Failed {
                generation: 1,
                message: "not a tar".into(),
                why: None,
            }),
        )
        .expect("current");
        assert_eq!(failed.phase, Phase::Idle);
        assert_eq!(failed.fatal.as_deref(), Some("not a tar"));
        let scanned = reduce(
            &s,
            ReadingAction::Pool(PoolEvent::Scanned {
                generation: 1,
                archive: Rc::default(),
                millis: 5.0,
            }),
        )
        .expect("current");
        let failed = reduce(
            &scanned,
            ReadingAction::Pool(PoolEvent::Failed {
                generation: 1,
                message: "worker".into(),
                why: None,
            }),
        )
        .expect("current");
        assert_eq!(failed.phase, Phase::Cancelled);
        assert!(failed.archive.is_some(), "what was read stays shown");
    }

    #[test]
    fn layers_read_gather_until_the_archive_comes() {
        let read = |member: usize| pancake_core::analyze::glance::LayerGlance {
            member,
            ..Default::default()
        };
        let s = opened(2);
        let s = reduce(
            &s,
            ReadingAction::Pool(PoolEvent::LayersRead {
                generation: 2,
                layers: vec![read(0)],
                count: 1,
            }),
        )
        .expect("current");
        let s = reduce(
            &s,
            ReadingAction::Pool(PoolEvent::LayersRead {
                generation: 2,
                layers: vec![read(3), read(5)],
                count: 3,
            }),
        )
        .expect("current");
        let members: Vec<usize> = s.layers_read.iter().map(|g| g.member).collect();
        assert_eq!(members, vec![0, 3, 5], "in the order read");
        // Layer 3 again, its digest come: in its place, once.
        let digest = pancake_core::Digest::of_bytes(b"layer 3");
        let s = reduce(
            &s,
            ReadingAction::Pool(PoolEvent::LayersRead {
                generation: 2,
                layers: vec![pancake_core::analyze::glance::LayerGlance {
                    digest: Some(digest.clone()),
                    ..read(3)
                }],
                count: 3,
            }),
        )
        .expect("current");
        let members: Vec<usize> = s.layers_read.iter().map(|g| g.member).collect();
        assert_eq!(members, vec![0, 3, 5]);
        assert_eq!(s.layers_read[1].digest, Some(digest));
        assert!(
            reduce(
                &s,
                ReadingAction::Pool(PoolEvent::LayersRead {
                    generation: 1,
                    layers: vec![read(9)],
                    count: 4,
                }),
            )
            .is_none(),
            "another file's layers change nothing"
        );
        // The file ended before its manifest: no image, the layers read stay shown.
        let ended = reduce(
            &s,
            ReadingAction::Pool(PoolEvent::Scanned {
                generation: 2,
                archive: Rc::default(),
                millis: 5.0,
            }),
        )
        .expect("current");
        assert_eq!((ended.layers_read.len(), ended.layers_read_count), (3, 3));
        let with_image = pancake_core::Archive {
            images: vec![pancake_core::Image::default()],
            ..Default::default()
        };
        let s = reduce(
            &s,
            ReadingAction::Pool(PoolEvent::Scanned {
                generation: 2,
                archive: Rc::new(with_image),
                millis: 5.0,
            }),
        )
        .expect("current");
        assert!(s.layers_read.is_empty(), "the stack replaces them");
        assert_eq!(s.layers_read_count, 0);
        assert!(s.archive.is_some());
    }

    #[test]
    fn only_the_last_layers_read_are_kept() {
        let mut s = opened(1);
        for batch in 0..5 {
            let layers = (0..10)
                .map(|i| pancake_core::analyze::glance::LayerGlance {
                    member: batch * 10 + i,
                    ..Default::default()
                })
                .collect();
            s = reduce(
                &s,
                ReadingAction::Pool(PoolEvent::LayersRead {
                    generation: 1,
                    layers,
                    count: (batch + 1) * 10,
                }),
            )
            .expect("current");
        }
        assert_eq!(s.layers_read_count, 50);
        assert_eq!(s.layers_read.len(), LAYERS_LISTED);
        assert_eq!(
            s.layers_read.first().map(|g| g.member),
            Some(50 - LAYERS_LISTED)
        );
        assert_eq!(s.layers_read.last().map(|g| g.member), Some(49));
    }

    #[test]
    fn the_rate_counts_from_the_first_report_so_bytes_hashed_before_the_plan_do_not_inflate_it() {
        let s = opened(1);
        let hashing = |s: &ReadingState, done: u64, now_ms: f64| {
            reduce(
                s,
                ReadingAction::Pool(PoolEvent::Progress {
                    generation: 1,
                    done,
                    now_ms,
                    reached: false,
                }),
            )
            .expect("current")
        };
        let s = reduce(
            &s,
            ReadingAction::Pool(PoolEvent::HashStarted {
                generation: 1,
                total: 3_000_000_000,
                now_ms: 0.0,
            }),
        )
        .expect("current");
        // 600 MB hashed beside the walk come in with the first report, 80 ms in.
        let s = hashing(&s, 600_000_000, 80.0);
        assert_eq!(s.progress.rate(), None);
        // Then 300 MB in the next second: 300 MB/s, 7 s left for the 2,100 MB to go.
        let s = hashing(&s, 900_000_000, 1080.0);
        assert_eq!(s.progress.rate(), Some(300_000_000.0));
        assert_eq!(s.progress.seconds_left(), Some(7.0));
        assert_eq!(s.progress.percent(), 30.0);
    }

    #[test]
    fn progress_never_passes_the_total_and_settled_fills_it() {
        let s = opened(1);
        let s = reduce(
            &s,
            ReadingAction::Pool(PoolEvent::HashStarted {
                generation: 1,
                total: 100,
                now_ms: 0.0,
            }),
        )
        .expect("current");
        let s = reduce(
            &s,
            ReadingAction::Pool(PoolEvent::Progress {
                generation: 1,
                done: 250,
                now_ms: 1000.0,
                reached: false,
            }),
        )
        .expect("current");
        assert_eq!(s.progress.done, 100);
        let s = reduce(
            &s,
            ReadingAction::Pool(PoolEvent::Settled { generation: 1 }),
        )
        .expect("current");
        assert_eq!((s.phase, s.progress.percent()), (Phase::Ready, 100.0));
    }
}
