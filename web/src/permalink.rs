//! Permalinks: `?demo=nginx&view=history&layer=2&step=3&lang=id&embed=1&src=<url>`.
//! `layer` counts from 1 at the base, as the page numbers layers ("Layer 3 of 3" is `layer=3`);
//! inside the app (`Link::layer`, `AppState::layer`) it is the 0-based index.
//! Read on first load, written back as the learner moves (pushState for a new place,
//! replaceState for small moves), restored on back/forward (popstate).
//!
//! Inside a file — a demo's or a person's own (issue 15) — the link also records
//! `file=K` (0-based file of the session, when not the first), `image=N` (0-based, as
//! `pancake inspect --image` counts) or `platform=linux/arm64/v8` (when the file lists several
//! platforms), `merged=1` (Files shows the merged filesystem) and `path=/etc/hosts` (the
//! open file, in the shown form of "Names are bytes"). A reload keeps them until the files
//! are reopened and read; back/forward puts layer and open path back exactly as the URL says.

use std::cell::RefCell;
use std::rc::Rc;

use pancake_demo as demo;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{File, UrlSearchParams};
use yew::prelude::*;

use crate::i18n::{t, Lang};
use crate::state::place::{self, FilePlace, PlaceAction};
use crate::state::{Action, AppState, ArchiveRef, Phase, Tab};
use crate::tour::{self, CourseAction, Link};
use pancake_core::read::image::choose_platform;

fn search() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

impl Link {
    pub fn parse(search: &str) -> Link {
        let Ok(q) = UrlSearchParams::new_with_str(search) else {
            return Link::default();
        };
        let get = |k: &str| q.get(k).filter(|v| !v.is_empty());
        Link {
            demo: get("demo").filter(|d| d.split(',').all(|n| demo::names().contains(&n))),
            src: get("src"),
            view: get("view"),
            layer: get("layer")
                .and_then(|v| v.parse::<usize>().ok())
                .and_then(|n| n.checked_sub(1)),
            step: get("step").and_then(|v| v.parse::<u8>().ok()),
            lang: get("lang").as_deref().and_then(Lang::from_tag),
            embed: get("embed").is_some_and(|v| v != "0" && v != "false"),
            file: get("file").and_then(|v| v.parse::<usize>().ok()),
            image: get("image").and_then(|v| v.parse::<usize>().ok()),
            platform: get("platform"),
            merged: get("merged").map(|v| v != "0" && v != "false"),
            path: get("path").map(|p| place::normalize_path(&p)),
            unknown_demo: get("demo").filter(|d| !d.split(',').all(|n| demo::names().contains(&n))),
        }
    }

    /// The place inside the file this link names (see `state::place`).
    pub fn place(&self) -> FilePlace {
        FilePlace {
            demo: self.demo.clone(),
            src: self.src.clone(),
            file: self.file,
            image: self.image,
            platform: self.platform.clone(),
            layer: self.layer,
            merged: self.merged,
            path: self.path.clone(),
        }
    }

    /// Whether a first load must wait for a file before the link is applied (and before the
    /// URL may be rewritten): a person's file (no demo or URL) with any place in it, or a
    /// demo's with more than the course's `layer` alone.
    pub fn waits_for_file(&self) -> bool {
        let inside = self.file.is_some()
            || self.image.is_some()
            || self.platform.is_some()
            || self.merged.is_some()
            || self.path.is_some();
        if self.demo.is_some() || self.src.is_some() {
            inside
        } else {
            inside || self.view.is_some() || self.layer.is_some()
        }
    }

    /// The query string (with `?`, or empty).
    pub fn query(&self) -> String {
        let Ok(q) = UrlSearchParams::new() else {
            return String::new();
        };
        let put = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                q.append(k, &v);
            }
        };
        // A demo name that is none stays in the address as it was typed, so the link can be
        // seen and mended.
        put(
            "demo",
            self.demo.clone().or_else(|| self.unknown_demo.clone()),
        );
        put("src", self.src.clone());
        put("view", self.view.clone());
        put("layer", self.layer.map(|l| l.saturating_add(1).to_string()));
        put("step", self.step.map(|s| s.to_string()));
        put("file", self.file.map(|f| f.to_string()));
        put("image", self.image.map(|i| i.to_string()));
        put("platform", self.platform.clone());
        put(
            "merged",
            self.merged.filter(|m| *m).map(|_| "1".to_string()),
        );
        put("path", self.path.as_ref().map(|p| format!("/{p}")));
        put("lang", self.lang.map(|l| l.code().to_string()));
        put("embed", self.embed.then(|| "1".to_string()));
        let s: String = q.to_string().into();
        if s.is_empty() {
            s
        } else {
            format!("?{s}")
        }
    }

    /// Where the app is now.
    pub fn of(s: &AppState) -> Link {
        let own = s.course.demo.is_none() && s.course.src.is_none();
        // A demo's or URL's file, or a person's own file being shown (issue 15).
        let archive = s.reading.archive.as_ref();
        let has_file = !own || archive.is_some();
        let (image, platform) = match archive.filter(|_| has_file) {
            Some(a) => image_or_platform(a, s.nav.image),
            None => (None, None),
        };
        let file = s
            .session
            .archives
            .iter()
            .position(|a| a.key == s.reading.generation)
            .filter(|k| own && has_file && *k > 0);
        let path = s
            .nav
            .content
            .as_ref()
            .filter(|_| has_file && s.nav.tab == Tab::Files)
            .map(|c| c.path.display().to_string());
        Link {
            demo: s.course.demo.clone(),
            src: s.course.src.clone(),
            view: Some(s.nav.tab.id().to_string()).filter(|_| has_file),
            layer: s.nav.layer.filter(|_| has_file),
            step: s.course.step,
            lang: Some(s.lang),
            embed: s.course.embed,
            file,
            image,
            platform,
            merged: Some(true).filter(|_| has_file && s.nav.merged),
            path,
            unknown_demo: s.course.unknown_demo.clone(),
        }
    }

    /// A move worth its own history entry (back returns to it); the rest replace.
    fn is_new_place(&self, before: &Link) -> bool {
        self.demo != before.demo
            || self.src != before.src
            || self.view != before.view
            || self.step != before.step
            || self.file != before.file
            || self.image != before.image
            || self.platform != before.platform
            || self.path != before.path
    }
}

/// How the link names the shown image of `a`: by platform when the file lists several and
/// the image is one of them, else by index when the file holds several images and it is
/// not the one shown first; `(None, None)` for the image a file shows first.
fn image_or_platform(a: &ArchiveRef, image: usize) -> (Option<usize>, Option<String>) {
    if a.images.len() < 2 {
        return (None, None);
    }
    let list = crate::state::platforms_of(a);
    if list.len() >= 2 {
        if let Some(e) = list.iter().find(|e| e.image == Some(image)) {
            let first = choose_platform(&list, None).ok();
            return (None, Some(e.display()).filter(|_| first != Some(image)));
        }
    }
    (
        Some(image).filter(|i| *i != crate::state::default_image(a)),
        None,
    )
}

/// The link this page was opened with (or moved to by back/forward).
pub fn current_link() -> Link {
    Link::parse(&search())
}

/// A demo (or several in one tarball, names joined by `,`), built in the browser by the core,
/// as a `File` for the same path a drop takes.
pub fn demo_file(names: &str) -> Result<File, String> {
    let list: Vec<&str> = names.split(',').collect();
    if !list.iter().all(|n| demo::names().contains(n)) {
        return Err(names.to_string());
    }
    let bytes = match list.as_slice() {
        [one] => demo::build(one).unwrap_or_default(),
        many => demo::build_set(many),
    };
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
    File::new_with_u8_array_sequence(&parts, &demo_file_name(names)).map_err(|e| format!("{e:?}"))
}

fn demo_file_name(names: &str) -> String {
    format!("{}.tar", names.replace(',', "+"))
}

/// Session archives (file name, key): a demo already read is shown again instead of re-read
/// (the shared-layers session would otherwise list it twice).
type Opened = Rc<RefCell<Vec<(String, u32)>>>;

fn show_or_open(
    opened: &Opened,
    dispatch: &Callback<Action>,
    open_file: &Callback<File>,
    names: &str,
) {
    let want = demo_file_name(names);
    let key = opened
        .borrow()
        .iter()
        .find(|(n, _)| *n == want)
        .map(|(_, k)| *k);
    match key {
        Some(key) => dispatch.emit(Action::Course(CourseAction::ShowDemo {
            key,
            names: names.to_string(),
        })),
        None => open_demo(dispatch, open_file, names),
    }
}

/// Opens a demo through the normal path, remembering which demo it is.
pub fn open_demo(dispatch: &Callback<Action>, open_file: &Callback<File>, names: &str) {
    if let Ok(f) = demo_file(names) {
        dispatch.emit(Action::Course(CourseAction::OpeningDemo(names.to_string())));
        open_file.emit(f);
    }
}

/// `?src=`: fetch → Blob → File → the normal worker path. Cross-origin needs CORS on the host.
pub fn open_src(dispatch: Callback<Action>, open_file: Callback<File>, url: String) {
    dispatch.emit(Action::Course(CourseAction::SrcLoading(url.clone())));
    wasm_bindgen_futures::spawn_local(async move {
        match fetch_file(&url).await {
            Ok(f) => {
                dispatch.emit(Action::Course(CourseAction::SrcLoading(url)));
                open_file.emit(f);
            }
            Err(status) => dispatch.emit(Action::Course(CourseAction::SrcFailed(status))),
        }
    });
}

/// Is `url` (absolute, or relative to the page) on the page's own origin? Unparseable
/// URLs are not: they wait for the person like any other host.
pub fn same_origin(url: &str) -> bool {
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return false;
    };
    let (Ok(here), Ok(origin)) = (location.href(), location.origin()) else {
        return false;
    };
    web_sys::Url::new_with_base(url, &here).is_ok_and(|u| u.origin() == origin)
}

/// The file, or the HTTP status when the server said no (`None`: no answer we may read).
async fn fetch_file(url: &str) -> Result<File, Option<u16>> {
    let window = web_sys::window().ok_or(None)?;
    let resp: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|_| None)?
        .dyn_into()
        .map_err(|_| None)?;
    if !resp.ok() {
        return Err(Some(resp.status()));
    }
    let blob: web_sys::Blob = JsFuture::from(resp.blob().map_err(|_| None)?)
        .await
        .map_err(|_| None)?
        .dyn_into()
        .map_err(|_| None)?;
    let name = url
        .split(['?', '#'])
        .next()
        .and_then(|p| p.rsplit('/').next())
        .filter(|n| !n.is_empty())
        .unwrap_or("download.tar");
    File::new_with_blob_sequence(&js_sys::Array::of1(&blob), name).map_err(|_| None)
}

fn opens_file(
    link: &Link,
    opened: &Opened,
    dispatch: &Callback<Action>,
    open_file: &Callback<File>,
) {
    if let Some(url) = &link.src {
        if same_origin(url) {
            open_src(dispatch.clone(), open_file.clone(), url.clone());
        } else {
            dispatch.emit(Action::Course(CourseAction::SrcConfirm(url.clone())));
        }
    } else if let Some(d) = &link.demo {
        show_or_open(opened, dispatch, open_file, d);
    }
}

/// Keeps the URL and the app in step, opens what the URL names, and loads the demo each tour
/// step needs. Call once, from the app component.
#[hook]
pub fn use_permalinks(state: &UseReducerHandle<AppState>, open_file: Callback<File>) {
    let dispatch: Callback<Action> = {
        let d = state.dispatcher();
        Callback::from(move |a| d.dispatch(a))
    };
    // What the popstate listener compares against (it outlives any one render).
    let shown = use_mut_ref(|| (None::<String>, None::<String>));
    *shown.borrow_mut() = (state.course.demo.clone(), state.course.src.clone());
    let opened: Opened = use_mut_ref(Vec::new);
    *opened.borrow_mut() = state
        .session
        .archives
        .iter()
        .map(|a| (a.file_name.clone(), a.key))
        .collect();

    // First load: open what the link names.
    {
        let dispatch = dispatch.clone();
        let open_file = open_file.clone();
        let opened = opened.clone();
        use_effect_with((), move |_| {
            opens_file(&current_link(), &opened, &dispatch, &open_file)
        });
    }
    // Back / forward.
    {
        let dispatch = dispatch.clone();
        let open_file = open_file.clone();
        let shown = shown.clone();
        let opened = opened.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|w| {
                gloo::events::EventListener::new(&w, "popstate", move |_| {
                    let link = current_link();
                    let (demo, src) = shown.borrow().clone();
                    let other_file = link.demo != demo || link.src != src;
                    dispatch.emit(Action::Course(CourseAction::Restore(link.clone())));
                    // Exactly what the URL says inside the file: image, layer, mode, the open
                    // path (or none), once its file is shown.
                    dispatch.emit(Action::Place(PlaceAction::Pending(link.place())));
                    if other_file {
                        opens_file(&link, &opened, &dispatch, &open_file);
                    }
                })
            });
            move || drop(listener)
        });
    }
    // The tour loads the demo its step needs: when a step is entered, and when nothing (or
    // a person's own file) is shown. Not when the person shows an image of another file of
    // the session during a step (the picker): the course then names that file's demo, and
    // the tour does not take it back from under them; the next step brings its own again.
    {
        let dispatch = dispatch.clone();
        let open_file = open_file.clone();
        let step = state.course.step;
        let need = step.and_then(tour::step).map(|s| s.demo);
        let have = state.course.demo.clone();
        let no_demo = have.is_none();
        let opening = state.course.opening_demo.clone();
        let opened = opened.clone();
        use_effect_with(
            (step, need, no_demo, opening),
            move |(_, need, _, opening)| {
                if let Some(need) = need {
                    if have.as_deref() != Some(*need) && opening.as_deref() != Some(*need) {
                        show_or_open(&opened, &dispatch, &open_file, need);
                    }
                }
            },
        );
    }
    // `?layer=` once the image is read.
    {
        let dispatch = dispatch.clone();
        let ready = state.reading.archive.is_some() && state.course.pending_layer.is_some();
        use_effect_with((ready, state.reading.generation), move |(ready, _)| {
            if *ready {
                dispatch.emit(Action::Course(CourseAction::ApplyPending));
            }
        });
    }
    // The title follows the language (`<html lang>` is set by the shell).
    use_effect_with(state.lang, |l| {
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            doc.set_title(&t(*l, "page-title"));
        }
    });
    // The URL follows the app.
    {
        let link = Link::of(state);
        let settling = state.reading.phase == Phase::Scanning
            || state.course.pending_layer.is_some()
            || state.course.opening_demo.is_some()
            // A place inside a file waits for it (a reload before the files are reopened).
            || state.place.pending.is_some()
            // A tour step whose demo is not loaded yet: the step's place is written once it is.
            || state.course.step.and_then(tour::step).is_some_and(|st| {
                state.course.demo.as_deref() != Some(st.demo)
            });
        let started: Rc<RefCell<bool>> = use_mut_ref(|| false);
        use_effect_with((link, settling), move |(link, settling)| {
            // The first run sees the state from before the link's file was opened.
            if !std::mem::replace(&mut *started.borrow_mut(), true) || *settling {
                return;
            }
            let q = link.query();
            // The reopen banner restores this place when the URL no longer has it.
            crate::persist::remember_place(&q);
            let now = search();
            if q == now {
                return;
            }
            let Some(w) = web_sys::window() else { return };
            let Ok(history) = w.history() else { return };
            let path = w.location().pathname().unwrap_or_default();
            let url = format!("{path}{q}");
            // A new place gets its own entry (back returns); small moves replace.
            let _ = if link.is_new_place(&Link::parse(&now)) {
                history.push_state_with_url(&JsValue::NULL, "", Some(&url))
            } else {
                history.replace_state_with_url(&JsValue::NULL, "", Some(&url))
            };
        });
    }
}
