//! The navigation slice: which tab, image and layer are shown, the Files options, and the
//! file whose content is open. Its reducer sees only this slice and, read-only, the archive
//! shown (to know an image's top layer).

use std::rc::Rc;

use pancake_core::{Archive, RawPath};

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

/// A file whose content is shown (or being read).
#[derive(Clone, Debug, PartialEq)]
pub struct ContentView {
    pub member: usize,
    /// Index into that layer's entries of the regular file holding the bytes
    /// (`ContentRef::entry`: for a hard link, the copy it links to, not a later one of that
    /// name).
    pub entry: usize,
    pub path: RawPath,
    /// Bytes.
    pub size: u64,
    /// How many bytes were asked for (grows with "show more").
    pub max: u64,
    pub bytes: Option<Rc<Vec<u8>>>,
    pub error: Option<String>,
}

impl ContentView {
    /// A file whose first `max` bytes are asked for, none here yet.
    pub fn asked(member: usize, entry: usize, path: RawPath, size: u64, max: u64) -> ContentView {
        ContentView {
            member,
            entry,
            path,
            size,
            max,
            bytes: None,
            error: None,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Nav {
    pub tab: Tab,
    /// Index of the shown image in the shown archive.
    pub image: usize,
    /// Selected layer of the shown image (0 = base; stack details and the files view).
    pub layer: Option<usize>,
    /// Files shows the merged view rather than the layer's changes.
    pub merged: bool,
    pub filter: String,
    pub content: Option<ContentView>,
    /// A file to open that a worker is still finding (a large image's search hit or link):
    /// the token of [`NavAction::Await`]. Any other move clears it, so an answer that comes
    /// after the person went elsewhere opens nothing ([`NavAction::OpenAwaited`]).
    pub awaiting: Option<u64>,
}

thread_local! {
    static TOKENS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// A token no earlier [`NavAction::Await`] of this page used.
pub fn next_token() -> u64 {
    TOKENS.with(|t| {
        let n = t.get().wrapping_add(1);
        t.set(n);
        n
    })
}

#[derive(Debug)]
pub enum NavAction {
    Tab(Tab),
    /// Show image `i`: its top layer is selected and open content closed.
    Image(usize),
    Layer(Option<usize>),
    Merged(bool),
    Filter(String),
    OpenContent {
        member: usize,
        entry: usize,
        path: RawPath,
        size: u64,
        max: u64,
    },
    /// Bytes (or why there are none) for the content asked for; ignored if another file is
    /// open by now.
    ContentArrived {
        member: usize,
        path: RawPath,
        bytes: Option<Vec<u8>>,
        error: Option<String>,
    },
    CloseContent,
    /// A file is being found for the place just navigated to: wait for `OpenAwaited` with
    /// this token (see [`Nav::awaiting`]).
    Await(u64),
    /// `OpenContent`, only while nothing else happened since `Await(token)`; `merged`, when
    /// given, sets the Files mode too (a linked path found in the filesystem at the layer
    /// rather than in its changes).
    OpenAwaited {
        token: u64,
        merged: Option<bool>,
        content: ContentView,
    },
}

/// The layer selected when an image is first shown: its top one.
pub fn top_layer(a: &Archive, image: usize) -> Option<usize> {
    a.images
        .get(image)
        .and_then(|img| img.layers.len().checked_sub(1))
}

/// The slice after `action`; `archive` is the archive shown, if any.
pub fn reduce(s: &Nav, archive: Option<&Archive>, action: NavAction) -> Nav {
    let mut s = s.clone();
    // Bytes arriving and the awaited file itself are not moves of the person's.
    if !matches!(
        action,
        NavAction::ContentArrived { .. } | NavAction::Await(_) | NavAction::OpenAwaited { .. }
    ) {
        s.awaiting = None;
    }
    match action {
        NavAction::Tab(t) => s.tab = t,
        NavAction::Image(i) => {
            s.image = i;
            s.layer = archive.and_then(|a| top_layer(a, i));
            s.content = None;
        }
        NavAction::Layer(l) => {
            s.layer = l;
            s.content = None;
        }
        NavAction::Merged(m) => s.merged = m,
        NavAction::Filter(f) => s.filter = f,
        NavAction::OpenContent {
            member,
            entry,
            path,
            size,
            max,
        } => {
            s.content = Some(ContentView::asked(member, entry, path, size, max));
        }
        NavAction::ContentArrived {
            member,
            path,
            bytes,
            error,
        } => {
            if let Some(c) = s.content.as_mut() {
                if c.member == member && c.path == path {
                    c.bytes = bytes.map(Rc::new);
                    c.error = error;
                }
            }
        }
        NavAction::CloseContent => s.content = None,
        NavAction::Await(token) => s.awaiting = Some(token),
        NavAction::OpenAwaited {
            token,
            merged,
            content,
        } => {
            if s.awaiting == Some(token) {
                s.awaiting = None;
                if let Some(m) = merged {
                    s.merged = m;
                }
                s.content = Some(content);
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use pancake_core::{Image, Layer};

    fn archive(layers: &[usize]) -> Archive {
        Archive {
            images: layers
                .iter()
                .map(|n| Image {
                    layers: vec![Layer::default(); *n],
                    ..Image::default()
                })
                .collect(),
            ..Archive::default()
        }
    }

    fn awaited(token: u64, merged: Option<bool>) -> NavAction {
        NavAction::OpenAwaited {
            token,
            merged,
            content: ContentView::asked(1, 2, RawPath::from("data/f.txt"), 10, 10),
        }
    }

    #[test]
    fn an_awaited_file_opens_only_if_nothing_happened_since() {
        let a = archive(&[3]);
        let at = |s: &Nav, act| reduce(s, Some(&a), act);
        let s = at(&Nav::default(), NavAction::Layer(Some(1)));
        let s = at(&s, NavAction::Await(7));
        // Bytes of another file arriving are not a move.
        let s = at(
            &s,
            NavAction::ContentArrived {
                member: 0,
                path: RawPath::from("x"),
                bytes: None,
                error: None,
            },
        );
        let opened = at(&s, awaited(7, Some(true)));
        assert_eq!(
            opened.content.as_ref().map(|c| c.path.clone()),
            Some(RawPath::from("data/f.txt"))
        );
        assert!(opened.merged, "the Files mode the answer asked for");
        assert_eq!(opened.awaiting, None);
        // Another token, or any move in between (a layer, a filter, another file): nothing.
        assert_eq!(at(&s, awaited(8, None)).content, None);
        for moved in [
            NavAction::Layer(Some(2)),
            NavAction::Filter("a".into()),
            NavAction::Tab(Tab::Stack),
            NavAction::CloseContent,
        ] {
            let later = at(&at(&s, moved), awaited(7, Some(true)));
            assert_eq!(later.content, None);
            assert!(!later.merged);
        }
    }

    #[test]
    fn choosing_an_image_selects_its_top_layer_and_closes_content() {
        let a = archive(&[3, 5]);
        let s = reduce(
            &Nav::default(),
            Some(&a),
            NavAction::OpenContent {
                member: 0,
                entry: 0,
                path: RawPath::from("etc/hosts"),
                size: 10,
                max: 10,
            },
        );
        assert!(s.content.is_some());
        let s = reduce(&s, Some(&a), NavAction::Image(1));
        assert_eq!((s.image, s.layer, s.content.is_none()), (1, Some(4), true));
        let s = reduce(&s, Some(&a), NavAction::Image(7));
        assert_eq!(s.layer, None, "no such image: no layer");
    }

    #[test]
    fn content_for_another_file_is_ignored() {
        let open = reduce(
            &Nav::default(),
            None,
            NavAction::OpenContent {
                member: 2,
                entry: 0,
                path: RawPath::from("a"),
                size: 1,
                max: 1,
            },
        );
        let other = reduce(
            &open,
            None,
            NavAction::ContentArrived {
                member: 2,
                path: RawPath::from("b"),
                bytes: Some(b"x".to_vec()),
                error: None,
            },
        );
        assert_eq!(other.content.and_then(|c| c.bytes), None);
        let same = reduce(
            &open,
            None,
            NavAction::ContentArrived {
                member: 2,
                path: RawPath::from("a"),
                bytes: Some(b"x".to_vec()),
                error: None,
            },
        );
        assert_eq!(
            same.content.and_then(|c| c.bytes).as_deref().cloned(),
            Some(b"x".to_vec())
        );
    }
}
