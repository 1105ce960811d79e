//! The session's hook: keeps the worker pool in step with the session slice
//! (`state/session.rs`, whose types are re-exported here), and the demo pair's file.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use web_sys::File;
use yew::prelude::*;

pub use crate::state::session::*;
use crate::state::{Action, AppState, Phase};
use crate::worker_glue::{Pool, PoolRef};

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
        let behind = state.incoming.as_ref().map(|r| (r.generation, r.phase));
        use_effect_with(
            (state.reading.generation, state.reading.phase, behind),
            move |_| {
                let joined = s
                    .session
                    .archives
                    .iter()
                    .any(|a| a.key == s.reading.generation);
                if s.reading.phase == Phase::Ready && !joined {
                    if let Some(a) = s.reading.archive.as_ref().filter(|a| !a.images.is_empty()) {
                        Pool::keep(&pool, s.reading.generation);
                        d.dispatch(Action::Shared(SharedAction::Add {
                            key: s.reading.generation,
                            archive: a.clone(),
                            file_name: s.reading.file_name.clone().unwrap_or_default(),
                            file_size: s.reading.file_size,
                            // The course names the file shown: which demo or URL it is.
                            origin: crate::state::session::Origin {
                                demo: s.course.demo.clone(),
                                src: s.course.src.clone(),
                            },
                        }));
                    }
                }
                // The next queued file waits while one is read behind the shown archive.
                if s.incoming.is_none()
                    && matches!(
                        s.reading.phase,
                        Phase::Ready | Phase::Idle | Phase::Cancelled
                    )
                {
                    let next = queue.borrow_mut().pop_front();
                    if let Some(f) = next {
                        d.dispatch(Action::Shared(SharedAction::Queued(queue.borrow().len())));
                        Pool::open(&pool, f);
                    }
                }
            },
        );
    }
    {
        // The shown archive's reader serves content reads (a file read behind it goes on).
        let pool = pool.clone();
        use_effect_with(state.reading.generation, move |g| {
            Pool::show(&pool, *g);
        });
    }
    {
        let pool = pool.clone();
        let keys: Vec<u32> = state.session.archives.iter().map(|a| a.key).collect();
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
            // Files the person opens now: failures said about earlier ones are done with.
            d.dispatch(Action::DismissNextFailed);
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
