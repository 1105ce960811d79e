//! The course slice: the guided tour's step, embed mode, which demo or URL is shown, and what
//! a permalink asked for that can only be applied once an image has been read.
//!
//! Its reducer sees only this slice; what a course action means for the other slices (a
//! step switches tabs and closes content, a link sets the language, a demo already open is
//! shown again) comes back as [`Effect`]s that the app's reducer hands to their own reducers.

use crate::i18n::Lang;
use crate::session::ImageKey;
use crate::tour::step;

use super::nav::Tab;

/// A `?src=` download: under way, or failed (with what went wrong).
#[derive(Clone, Debug, Default, PartialEq)]
pub enum SrcStatus {
    #[default]
    None,
    /// The URL is on another origin: nothing is fetched until the person says so (a link
    /// must not make their browser download from a host they did not choose).
    Confirm,
    Loading,
    Failed {
        /// HTTP status when the server answered; `None` when the request itself failed
        /// (network, or the browser refused to show the answer: CORS).
        status: Option<u16>,
    },
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Course {
    /// The tour step shown (1-based), if the tour is open.
    pub step: Option<u8>,
    /// `?embed=1`: compact, no header or footer.
    pub embed: bool,
    /// The embed-help dialog is open.
    pub help: bool,
    /// Demo name(s) shown now (`nginx`, `wordpress-a,wordpress-b`); `None` for a user's file.
    pub demo: Option<String>,
    /// URL the shown tarball came from (`?src=`).
    pub src: Option<String>,
    pub src_status: SrcStatus,
    /// Set just before a demo / URL is opened; becomes `demo` / `src` when it is.
    pub opening_demo: Option<String>,
    pub opening_src: Option<String>,
    /// `?layer=N` waiting for the image to be read.
    pub pending_layer: Option<usize>,
    /// The link's `?demo=` when it names no demo ([`Link::unknown_demo`]), until a file opens.
    pub unknown_demo: Option<String>,
}

impl Course {
    /// The course state to keep when a new file is opened (everything else is reset).
    pub fn opened(&self) -> Course {
        let mut c = self.clone();
        c.demo = c.opening_demo.take();
        c.src = c.opening_src.take();
        c.unknown_demo = None;
        if c.src.is_some() {
            c.src_status = SrcStatus::None;
        }
        c
    }
}

/// Where a permalink puts the app (parsed from / written to the query string).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Link {
    pub demo: Option<String>,
    pub src: Option<String>,
    pub view: Option<String>,
    pub layer: Option<usize>,
    pub step: Option<u8>,
    pub lang: Option<Lang>,
    pub embed: bool,
    /// Inside the file (issue 15): 0-based file of the session (own files), 0-based image,
    /// platform (`linux/arm64/v8`), Files' merged mode, and the open path (shown form, no
    /// leading `/`). See `state::place`.
    pub file: Option<usize>,
    pub image: Option<usize>,
    pub platform: Option<String>,
    pub merged: Option<bool>,
    pub path: Option<String>,
    /// `?demo=` naming a demo there is none of (a typo in a teacher's link): said on the
    /// start page, with the names there are, rather than ignored.
    pub unknown_demo: Option<String>,
}

pub enum CourseAction {
    StartTour,
    Step(u8),
    CloseTour,
    Help(bool),
    /// A demo is about to be opened (names joined by `,`).
    OpeningDemo(String),
    /// A demo already open in the session (archive `key`) is shown again, not re-read.
    ShowDemo {
        key: u32,
        names: String,
    },
    /// A `?src=` URL on another origin waits for the person's OK.
    SrcConfirm(String),
    /// The person declined the `?src=` URL: forget it.
    SrcCancel,
    /// A `?src=` URL is being downloaded.
    SrcLoading(String),
    SrcFailed(Option<u16>),
    /// The image is read: apply `pending_layer`.
    ApplyPending,
    /// Back/forward: put the app where the URL says (the file itself is opened by the caller).
    Restore(Link),
    /// The person showed an image of another file of the session (picker, Shared list), or
    /// the next one took the place of an image removed: this is the demo or URL shown now
    /// (both `None` for a person's own file), so the permalink names what is on screen.
    Shown {
        demo: Option<String>,
        src: Option<String>,
    },
    /// Nothing is shown any more (the last image left the session): no demo or URL is the
    /// file shown, so a step needing one opens it again.
    NothingShown,
}

/// What a course action asks of the other slices, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    SetLang(Lang),
    Tab(Tab),
    CloseContent,
    /// Select this layer of the shown image (0 = base).
    SelectLayer(usize),
    /// Show this image of the session (an archive read before).
    Show(ImageKey),
}

/// What the course reducer needs to know of the rest, read-only.
#[derive(Clone, Copy, Debug, Default)]
pub struct Context {
    /// Layers of the image shown (0 when none is).
    pub layers: usize,
}

fn tab_effect(id: &str, effects: &mut Vec<Effect>) {
    if let Some(tab) = Tab::from_id(id) {
        effects.push(Effect::Tab(tab));
    }
}

fn go_to_step(c: &mut Course, n: u8, effects: &mut Vec<Effect>) {
    if let Some(st) = step(n) {
        c.step = Some(n);
        c.help = false;
        effects.push(Effect::CloseContent);
        tab_effect(st.tab, effects);
    }
}

fn apply_pending(c: &mut Course, ctx: Context, effects: &mut Vec<Effect>) {
    if let Some(l) = c.pending_layer.take() {
        if l < ctx.layers {
            effects.push(Effect::SelectLayer(l));
        }
    }
}

/// The slice after `action`, and what it asks of the other slices.
pub fn reduce(c: &Course, ctx: Context, action: CourseAction) -> (Course, Vec<Effect>) {
    let mut c = c.clone();
    let mut effects = Vec::new();
    match action {
        CourseAction::StartTour => go_to_step(&mut c, 1, &mut effects),
        CourseAction::Step(n) => go_to_step(&mut c, n, &mut effects),
        CourseAction::CloseTour => c.step = None,
        CourseAction::Help(open) => c.help = open,
        CourseAction::OpeningDemo(names) => {
            c.opening_demo = Some(names);
            c.opening_src = None;
        }
        CourseAction::ShowDemo { key, names } => {
            effects.push(Effect::Show(ImageKey {
                archive: key,
                image: 0,
            }));
            c.demo = Some(names);
            c.src = None;
        }
        CourseAction::SrcConfirm(url) => {
            c.src = Some(url);
            c.src_status = SrcStatus::Confirm;
        }
        CourseAction::SrcCancel => {
            c.src = None;
            c.src_status = SrcStatus::None;
        }
        CourseAction::SrcLoading(url) => {
            c.opening_src = Some(url.clone());
            c.opening_demo = None;
            c.src = Some(url);
            c.src_status = SrcStatus::Loading;
        }
        CourseAction::SrcFailed(status) => {
            c.src_status = SrcStatus::Failed { status };
            c.opening_src = None;
        }
        CourseAction::ApplyPending => apply_pending(&mut c, ctx, &mut effects),
        CourseAction::Shown { demo, src } => {
            c.demo = demo;
            c.src = src;
        }
        CourseAction::NothingShown => {
            c.demo = None;
            c.src = None;
            c.pending_layer = None;
        }
        CourseAction::Restore(link) => {
            if let Some(l) = link.lang {
                effects.push(Effect::SetLang(l));
            }
            if let Some(v) = &link.view {
                tab_effect(v, &mut effects);
            }
            c.step = link.step.filter(|n| step(*n).is_some());
            c.embed = link.embed;
            let same_file = link.demo == c.demo && link.src == c.src;
            c.pending_layer = link.layer;
            if same_file {
                apply_pending(&mut c, ctx, &mut effects);
            }
        }
    }
    (c, effects)
}

/// The course a first load starts from (`?embed`, `?layer`, `?step`), and what it asks of
/// the other slices (the step's tab, then `?view`'s).
pub fn initial(link: &Link) -> (Course, Vec<Effect>) {
    let mut c = Course {
        embed: link.embed,
        pending_layer: link.layer,
        unknown_demo: link.unknown_demo.clone(),
        ..Course::default()
    };
    let mut effects = Vec::new();
    if let Some(n) = link.step {
        go_to_step(&mut c, n, &mut effects);
    }
    if let Some(v) = &link.view {
        tab_effect(v, &mut effects);
    }
    (c, effects)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tour::NGINX;

    #[test]
    fn steps_switch_tabs_and_keep_course_on_open() {
        let (c, fx) = reduce(
            &Course::default(),
            Context::default(),
            CourseAction::Step(3),
        );
        assert_eq!(c.step, Some(3));
        assert_eq!(fx, vec![Effect::CloseContent, Effect::Tab(Tab::History)]);
        let (c, fx) = reduce(
            &c,
            Context::default(),
            CourseAction::OpeningDemo(NGINX.into()),
        );
        assert!(fx.is_empty());
        let opened = c.opened();
        assert_eq!(opened.demo.as_deref(), Some(NGINX));
        assert_eq!(opened.step, Some(3));
        // A file the user opens is not a demo.
        assert_eq!(opened.opened().demo, None);
        let (c, _) = reduce(&c, Context::default(), CourseAction::CloseTour);
        assert_eq!(c.step, None);
    }

    #[test]
    fn restore_applies_layer_only_for_the_same_file() {
        let link = Link {
            demo: Some("mysql".into()),
            view: Some("files".into()),
            layer: Some(2),
            lang: Some(Lang::Id),
            ..Link::default()
        };
        let ctx = Context { layers: 5 };
        // Another file is shown: the layer waits for the link's file to be read.
        let (c, fx) = reduce(&Course::default(), ctx, CourseAction::Restore(link.clone()));
        assert_eq!(fx, vec![Effect::SetLang(Lang::Id), Effect::Tab(Tab::Files)]);
        assert_eq!(c.pending_layer, Some(2));
        // Once it is, the layer is selected, and only when the image has it.
        let (done, fx) = reduce(&c, ctx, CourseAction::ApplyPending);
        assert_eq!(fx, vec![Effect::SelectLayer(2)]);
        assert_eq!(done.pending_layer, None);
        let (_, fx) = reduce(&c, Context { layers: 2 }, CourseAction::ApplyPending);
        assert!(fx.is_empty(), "layer 2 of a 2-layer image does not exist");
        // The same file: applied at once.
        let shown = Course {
            demo: Some("mysql".into()),
            ..Course::default()
        };
        let (c, fx) = reduce(&shown, ctx, CourseAction::Restore(link));
        assert_eq!(fx.last(), Some(&Effect::SelectLayer(2)));
        assert_eq!(c.pending_layer, None);
    }

    #[test]
    fn a_first_load_goes_to_the_step_then_the_view() {
        let link = Link {
            step: Some(3),
            view: Some("files".into()),
            embed: true,
            layer: Some(1),
            ..Link::default()
        };
        let (c, fx) = initial(&link);
        assert_eq!((c.step, c.embed, c.pending_layer), (Some(3), true, Some(1)));
        assert_eq!(
            fx,
            vec![
                Effect::CloseContent,
                Effect::Tab(Tab::History),
                Effect::Tab(Tab::Files)
            ]
        );
    }
}
