//! What the two virtualized path lists (Files, and a container's merged filesystem) share:
//! filtering rows by a path needle, and which fixed-height rows are in view. Only those rows
//! are put in the DOM, so a list of 100 000 paths stays quick.

use std::rc::Rc;

use pancake_core::analyze::union::FileRow;
use pancake_core::write::container::MergedRow;
use pancake_core::RawPath;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// A row that a path filter can match.
pub trait PathRow {
    fn path(&self) -> &RawPath;
}

impl PathRow for FileRow {
    fn path(&self) -> &RawPath {
        &self.path
    }
}

impl PathRow for MergedRow {
    fn path(&self) -> &RawPath {
        &self.path
    }
}

/// Indices of the rows whose path contains `needle` (already lower-cased); all when empty.
pub fn filter_paths<R: PathRow>(rows: &[R], needle: &str) -> Vec<usize> {
    rows.iter()
        .enumerate()
        .filter(|(_, r)| needle.is_empty() || r.path().display().to_lowercase().contains(needle))
        .map(|(i, _)| i)
        .collect()
}

/// [`filter_paths`] with a case-insensitive `needle`, recomputed only when the rows or the
/// needle change.
#[hook]
pub fn use_path_filter<R>(rows: Rc<Vec<R>>, needle: &str) -> Rc<Vec<usize>>
where
    R: PathRow + PartialEq + 'static,
{
    let needle = needle.to_lowercase();
    (*use_memo((rows, needle), |(rows, needle)| {
        Rc::new(filter_paths(rows, needle))
    }))
    .clone()
}

/// The rows `first..last` of `total` to render: those in the viewport plus `overscan` beyond
/// each edge, so fast scrolling shows no gaps.
pub fn window(
    scroll_top: f64,
    viewport: f64,
    row_height: f64,
    overscan: usize,
    total: usize,
) -> (usize, usize) {
    let first = ((scroll_top / row_height) as usize)
        .saturating_sub(overscan)
        .min(total);
    let count = (viewport / row_height).ceil() as usize + 2 * overscan;
    (first, (first + count).min(total))
}

/// The scroll state of a virtualized list and the rows in view.
pub struct VirtualWindow {
    /// Goes on the scrolling element.
    pub onscroll: Callback<Event>,
    /// Put on the scrolling element to measure its height once mounted (and whenever the row
    /// count changes); until then, and without it, the default viewport height is assumed.
    pub list_ref: NodeRef,
    /// The last scroll offset seen, in pixels.
    pub scroll_top: UseStateHandle<f64>,
    /// First row to render.
    pub first: usize,
    /// One past the last row to render.
    pub last: usize,
    row_height: f64,
}

impl VirtualWindow {
    /// Height of the whole list, so the scrollbar is right.
    pub fn height(&self, total: usize) -> f64 {
        total as f64 * self.row_height
    }

    /// Where row `pos` sits (rows are positioned absolutely).
    pub fn top(&self, pos: usize) -> f64 {
        pos as f64 * self.row_height
    }
}

/// Tracks scrolling of a list of `total` rows of `row_height` pixels.
#[hook]
pub fn use_virtual_window(
    row_height: f64,
    overscan: usize,
    default_viewport: f64,
    total: usize,
) -> VirtualWindow {
    let scroll_top = use_state(|| 0.0f64);
    let viewport = use_state(|| default_viewport);
    let list_ref = use_node_ref();
    {
        let list_ref = list_ref.clone();
        let viewport = viewport.clone();
        use_effect_with(total, move |_| {
            if let Some(el) = list_ref.cast::<web_sys::Element>() {
                let h = el.client_height() as f64;
                if h > 0.0 {
                    viewport.set(h);
                }
            }
        });
    }
    let onscroll = {
        let scroll_top = scroll_top.clone();
        let viewport = viewport.clone();
        Callback::from(move |e: Event| {
            if let Some(el) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            {
                scroll_top.set(el.scroll_top() as f64);
                viewport.set(el.client_height() as f64);
            }
        })
    };
    let (first, last) = window(*scroll_top, *viewport, row_height, overscan, total);
    VirtualWindow {
        onscroll,
        list_ref,
        scroll_top,
        first,
        last,
        row_height,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pancake_core::analyze::union::Change;
    use pancake_core::EntryKind;

    fn row(path: &str) -> FileRow {
        FileRow {
            path: RawPath::from(path),
            kind: EntryKind::File,
            size: 0,
            change: Change::Added,
            layer: 0,
            link_target: None,
            mode: 0o644,
            member: None,
            dir_size: 0,
            content: None,
        }
    }

    #[test]
    fn filter_matches_lower_cased_paths_and_keeps_order() {
        let rows = vec![row("etc/Motd"), row("usr/bin/env"), row("etc/hosts")];
        assert_eq!(filter_paths(&rows, ""), vec![0, 1, 2]);
        assert_eq!(filter_paths(&rows, "etc/"), vec![0, 2]);
        assert_eq!(filter_paths(&rows, "motd"), vec![0]);
        assert_eq!(filter_paths(&rows, "nothing"), Vec::<usize>::new());
    }

    #[test]
    fn window_covers_the_viewport_plus_overscan() {
        // At the top: no rows before, viewport (20 rows) + 2 × overscan after.
        assert_eq!(window(0.0, 600.0, 30.0, 12, 1000), (0, 44));
        // Scrolled to row 100: start `overscan` rows earlier.
        assert_eq!(window(3000.0, 600.0, 30.0, 12, 1000), (88, 132));
        // Never past the end, even when scrolled beyond it.
        assert_eq!(window(3000.0, 600.0, 30.0, 12, 50), (50, 50));
        assert_eq!(window(0.0, 420.0, 30.0, 10, 5), (0, 5));
    }
}
