//! The index slice: whether the shown file's layer indexes (its entry lists) are still
//! crossing from the scanner worker to the page, and the figures of the first view the worker
//! computed meanwhile (per image: sizes, entry counts, changes, wasted bytes). Its reducer
//! sees only this slice; it is about one reader generation, and says nothing about another.

use std::rc::Rc;

use pancake_core::analyze::summary::ImageSummary;

/// The layer indexes of generation `generation`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IndexState {
    pub generation: u32,
    /// One per image of that generation's archive (`None` for an image the worker did not
    /// summarize); empty when the index was small enough to come whole.
    pub summaries: Vec<Option<Rc<ImageSummary>>>,
    /// The entry lists are still being decoded: the archive's lists are empty until then.
    pub pending: bool,
    /// The worker's figures are still to come (`summaries` is empty until then).
    pub summarizing: bool,
}

impl IndexState {
    /// The worker's figures for image `image` of generation `generation`, if it sent them.
    pub fn summary(&self, generation: u32, image: usize) -> Option<Rc<ImageSummary>> {
        if generation != self.generation {
            return None;
        }
        self.summaries.get(image).cloned().flatten()
    }

    /// The entry lists of generation `generation` are not all on the page yet.
    pub fn pending(&self, generation: u32) -> bool {
        self.pending && generation == self.generation
    }

    /// The worker's figures for generation `generation` are still to come: views showing
    /// them say "pending" rather than fold the entries themselves.
    pub fn summarizing(&self, generation: u32) -> bool {
        self.summarizing && generation == self.generation
    }
}

/// What changes the slice (from the worker pool's `Indexing`, `Summarized` and `Indexed`
/// events).
#[derive(Debug)]
pub enum IndexAction {
    /// Generation `generation`'s lists start crossing; its figures will follow.
    Indexing { generation: u32 },
    /// Generation `generation`'s figures will come from the worker after all (large layer
    /// indexes came with a hasher's facts, after the scan): the figures it sent before, if
    /// any, are kept (they are about images indexed then, whose indexes do not change).
    Summarizing { generation: u32 },
    /// Generation `generation`'s figures, one per image.
    Summarized {
        generation: u32,
        summaries: Vec<Option<Rc<ImageSummary>>>,
    },
    /// Generation `generation`'s lists are all on the page.
    Indexed { generation: u32 },
}

/// The slice after `action`; a `Summarized` or `Indexed` about another generation than the
/// last `Indexing` changes nothing.
pub fn reduce(s: &IndexState, action: IndexAction) -> IndexState {
    match action {
        IndexAction::Indexing { generation } => IndexState {
            generation,
            summaries: Vec::new(),
            pending: true,
            summarizing: true,
        },
        IndexAction::Summarizing { generation } if generation == s.generation => IndexState {
            summarizing: true,
            ..s.clone()
        },
        IndexAction::Summarizing { generation } => IndexState {
            generation,
            summaries: Vec::new(),
            pending: false,
            summarizing: true,
        },
        IndexAction::Summarized {
            generation,
            summaries,
        } if generation == s.generation => IndexState {
            summaries,
            summarizing: false,
            ..s.clone()
        },
        IndexAction::Indexed { generation } if generation == s.generation => IndexState {
            pending: false,
            ..s.clone()
        },
        IndexAction::Summarized { .. } | IndexAction::Indexed { .. } => s.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pancake_core::analyze::summary::LayerSummary;

    #[test]
    fn summaries_belong_to_their_generation_and_outlive_the_decoding() {
        let summary = Rc::new(ImageSummary {
            layers: vec![LayerSummary {
                content_bytes: 512,
                entries: Some(3),
                ..LayerSummary::default()
            }],
        });
        let s = reduce(
            &IndexState::default(),
            IndexAction::Indexing { generation: 4 },
        );
        assert!(s.pending(4) && s.summarizing(4) && !s.pending(3) && !s.summarizing(3));
        assert_eq!(s.summary(4, 1), None);
        let stale = reduce(
            &s,
            IndexAction::Summarized {
                generation: 3,
                summaries: vec![None, Some(summary.clone())],
            },
        );
        assert!(stale.summarizing(4) && stale.summary(4, 1).is_none());
        let s = reduce(
            &s,
            IndexAction::Summarized {
                generation: 4,
                summaries: vec![None, Some(summary.clone())],
            },
        );
        assert!(!s.summarizing(4) && s.pending(4));
        assert_eq!(s.summary(4, 1), Some(summary.clone()));
        assert_eq!((s.summary(4, 0), s.summary(3, 1)), (None, None));
        let late = reduce(&s, IndexAction::Indexed { generation: 3 });
        assert!(late.pending(4), "another generation's end changes nothing");
        let s = reduce(&s, IndexAction::Indexed { generation: 4 });
        assert!(!s.pending(4));
        assert_eq!(
            s.summary(4, 1).map(|x| x.layers.len()),
            Some(1),
            "kept: the views need not fold what the worker folded"
        );
    }

    /// The pool's index events reach this slice through the app's one adapter, and change
    /// the app's state there.
    #[test]
    fn pool_index_events_reach_the_slice() {
        use crate::worker_glue::PoolEvent;
        use yew::Reducible;
        let app = Rc::new(super::super::AppState::new(crate::i18n::Lang::En));
        let app = app.reduce(PoolEvent::Indexing { generation: 2 }.into());
        assert!(app.index.pending(2) && app.index.summarizing(2));
        let app = app.reduce(
            PoolEvent::Summarized {
                generation: 2,
                summaries: vec![Some(Rc::new(ImageSummary::default()))],
            }
            .into(),
        );
        assert!(!app.index.summarizing(2) && app.index.summary(2, 0).is_some());
        let app = app.reduce(PoolEvent::Indexed { generation: 2 }.into());
        assert!(!app.index.pending(2));
    }
}
