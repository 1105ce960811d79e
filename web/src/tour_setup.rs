//! Steps set up their world: once a tour step's demo is read, the page is put in the state the
//! step's text describes (`tour::Setup`) — a layer selected for step 4, a running container
//! with nginx.conf open for step 8 — whether the step was reached by Next or by a deep link
//! (`?step=8`). Each part is done once per visit of a step, so the learner's own changes
//! (closing the editor, selecting another layer) are not undone while they stay on it.

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use crate::container_state::{new_name, ContainerAction};
use crate::session::SessionImage;
use crate::state::{Action, AppState, NavAction, Phase};
use crate::tour::{self, Setup};

/// What was already done for the step being visited.
#[derive(Default)]
struct Done {
    step: Option<u8>,
    layer: bool,
    run: bool,
    open: bool,
}

/// The setup of the shown step, if its demo is the file shown and fully read.
fn ready_setup(s: &AppState) -> Option<(u8, Setup)> {
    let n = s.course.step?;
    let st = tour::step(n)?;
    let read = s.reading.archive.is_some() && matches!(s.reading.phase, Phase::Ready);
    (read && s.course.demo.as_deref() == Some(st.demo)).then_some((n, st.setup))
}

/// Whether the Shared tab shows only the images of the shown file (tour steps 5 and 6: the
/// text speaks of the two WordPress images, not of whatever else the session holds).
pub fn shown_file_only(s: &AppState) -> bool {
    s.course
        .step
        .and_then(tour::step)
        .is_some_and(|st| st.setup == Setup::ShownFileOnly)
}

/// The session's images as the Shared tab and the image picker should list them now (see
/// `shown_file_only`): the shown file's, when a step is about it alone — also those listed
/// under an earlier file of the session that holds the same image (`also_in`) — else all.
/// The picker and the Shared tab take the same list, so every count on the page is the
/// number of images it lists.
pub fn shared_images(s: &AppState, all: Vec<SessionImage>) -> Vec<SessionImage> {
    if shown_file_only(s) {
        let name = s.reading.file_name.as_deref();
        all.into_iter()
            .filter(|i| {
                i.key.archive == s.reading.generation
                    || name.is_some_and(|n| i.also_in.iter().any(|f| f == n))
            })
            .collect()
    } else {
        all
    }
}

/// How many images of the session [`shared_images`] leaves out now (`None` when it lists
/// them all: no tour step is about the shown file alone).
pub fn left_out(s: &AppState, all: usize, listed: usize) -> Option<usize> {
    shown_file_only(s).then(|| all.saturating_sub(listed))
}

/// Applies the shown step's `Setup` as the state allows it (called by the shell on every render;
/// it dispatches only what is still missing).
#[hook]
pub fn use_step_setup(state: &UseReducerHandle<AppState>) {
    let done: Rc<RefCell<Done>> = use_mut_ref(Done::default);
    let setup = ready_setup(state);
    let layer_missing = state.nav.layer.is_none();
    let layers = state
        .reading
        .archive
        .as_ref()
        .and_then(|a| a.images.get(state.nav.image))
        .map_or(0, |i| i.layers.len());
    let c = &state.containers;
    let loaded = c.loaded;
    let running = c.current().is_some();
    let editing = c.editor.is_some();
    let taken = c.list.clone();
    let d = state.dispatcher();
    let step = state.course.step;
    use_effect_with(
        (step, setup, layer_missing, loaded, running, editing),
        move |(step, setup, layer_missing, loaded, running, editing)| {
            let mut done = done.borrow_mut();
            if done.step != *step {
                *done = Done {
                    step: *step,
                    ..Done::default()
                };
            }
            match setup.map(|(_, s)| s) {
                Some(Setup::SelectLayer) if !done.layer => {
                    done.layer = true;
                    if *layer_missing && layers > 0 {
                        d.dispatch(Action::Nav(NavAction::Layer(Some(layers - 1))));
                    }
                }
                // The containers stored for this image come back first (a reload must not
                // start one more each time); then one is started if there is none.
                Some(Setup::Container { open }) if *loaded => {
                    if !*running && !done.run {
                        done.run = true;
                        let name = new_name(&taken, js_sys::Math::random);
                        d.dispatch(Action::Container(ContainerAction::Run { name }));
                    } else if let (true, false, false, Some(path)) =
                        (*running, *editing, done.open, open)
                    {
                        done.open = true;
                        d.dispatch(Action::Container(ContainerAction::Open(path.to_string())));
                    }
                }
                _ => {}
            }
        },
    );
}
