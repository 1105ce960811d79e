//! The place slice (issue 15, "the URL records the view in file mode"): where a link (a
//! reload, back/forward, or a reopened session) puts the page inside a file — which file of
//! the session, which image or platform, which layer, the Files mode and the open path —
//! waiting until that file has been read. The app's hook (`persist::place::use_place`) applies
//! it once the file is there, then sends [`PlaceAction::Done`].
//!
//! Its reducer sees only this slice; the app's reducer clears the course's own `?layer=`
//! waiting while a place waits (the place selects the layer after the image, so a later
//! layer selection cannot close the content it opened).

/// A place in a file, as a link gives it. Every field is optional: what the link does not
/// say is left as reading the file leaves it (its default image, top layer, content closed).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FilePlace {
    /// The demo (names joined by `,`) or `?src=` URL this place belongs to; both `None` for a
    /// person's own files.
    pub demo: Option<String>,
    pub src: Option<String>,
    /// 0-based position of the file in the session (`?file=`), own files only.
    pub file: Option<usize>,
    /// 0-based image index in that file (`?image=`).
    pub image: Option<usize>,
    /// `os/architecture[/variant]` (`?platform=`), matched as `pancake inspect --platform`
    /// matches it; wins over `image`.
    pub platform: Option<String>,
    /// 0-based layer (the URL's `layer` counts from 1).
    pub layer: Option<usize>,
    /// The Files view shows the merged filesystem (`?merged=1`).
    pub merged: Option<bool>,
    /// The open file's path in its shown (escaped) form, without the leading `/`; `None`
    /// closes any open content.
    pub path: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Place {
    /// The place waiting for its file.
    pub pending: Option<FilePlace>,
    /// Counts `Pending` actions, so the same place asked for twice is applied twice.
    pub serial: u32,
}

#[derive(Debug)]
pub enum PlaceAction {
    /// Wait for the file this place is in, then apply it.
    Pending(FilePlace),
    /// Applied, or its file will not come: nothing waits.
    Done,
}

/// The slice after `action`.
pub fn reduce(s: &Place, action: PlaceAction) -> Place {
    match action {
        PlaceAction::Pending(p) => Place {
            pending: Some(p),
            serial: s.serial.wrapping_add(1),
        },
        PlaceAction::Done => Place {
            pending: None,
            serial: s.serial,
        },
    }
}

/// `path` as the URL carries it (`/etc/hosts`) in the form rows are compared in (`etc/hosts`).
pub fn normalize_path(path: &str) -> String {
    path.trim_start_matches('/').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_counts_and_done_clears() {
        let p = FilePlace {
            layer: Some(2),
            path: Some("etc/hosts".into()),
            ..FilePlace::default()
        };
        let s = reduce(&Place::default(), PlaceAction::Pending(p.clone()));
        let s = reduce(&s, PlaceAction::Pending(p.clone()));
        assert_eq!((s.pending.as_ref(), s.serial), (Some(&p), 2));
        let s = reduce(&s, PlaceAction::Done);
        assert_eq!((s.pending, s.serial), (None, 2));
    }

    #[test]
    fn paths_lose_their_leading_slashes() {
        assert_eq!(normalize_path("/etc/os-release"), "etc/os-release");
        assert_eq!(normalize_path("etc/os-release"), "etc/os-release");
    }
}

#[cfg(test)]
mod app_tests {
    use crate::i18n::Lang;
    use crate::state::{AppState, Tab};
    use crate::tour::Link;

    #[test]
    fn a_first_load_of_a_file_link_waits_for_the_file_and_takes_over_the_layer() {
        // A reload in file mode: no demo, a view, a layer (0-based here), an open path.
        let link = Link {
            view: Some("files".into()),
            layer: Some(2),
            merged: Some(true),
            path: Some("etc/hosts".into()),
            ..Link::default()
        };
        let s = AppState::initial(&link, Lang::En);
        assert_eq!(s.nav.tab, Tab::Files);
        let p = s
            .place
            .pending
            .as_ref()
            .expect("the place waits for its file");
        assert_eq!(
            (p.layer, p.merged, p.path.as_deref(), p.demo.as_deref()),
            (Some(2), Some(true), Some("etc/hosts"), None)
        );
        assert_eq!(
            s.course.pending_layer, None,
            "the place selects the layer, after the image"
        );
        // A tour's demo link with only a layer stays the course's, as before.
        let tour = Link {
            demo: Some("nginx".into()),
            view: Some("history".into()),
            layer: Some(1),
            ..Link::default()
        };
        let s = AppState::initial(&tour, Lang::En);
        assert_eq!(
            (s.place.pending.is_none(), s.course.pending_layer),
            (true, Some(1))
        );
        // A demo link with a path waits too, for that demo.
        let deep = Link {
            path: Some("etc/nginx/nginx.conf".into()),
            ..tour
        };
        let s = AppState::initial(&deep, Lang::En);
        assert_eq!(
            s.place.pending.as_ref().and_then(|p| p.demo.as_deref()),
            Some("nginx")
        );
    }
}
