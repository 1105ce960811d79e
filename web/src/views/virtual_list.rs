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

/// Roving focus over a virtualized list (WAI-ARIA's roving tabindex): one row takes Tab, the
/// arrow keys move focus, and a row moved to is scrolled into view and focused once rendered.
/// Rows carry `data-pos` (their position in the list).
#[derive(Clone)]
pub struct RovingFocus {
    /// The row that has (or last had) focus, by position.
    pub pos: UseStateHandle<usize>,
    /// Set when a key or a click moved `pos`, so the row is focused once it is rendered.
    pub want: Rc<std::cell::RefCell<bool>>,
    /// How many moves were asked: a move to the row `pos` already names (the editor closed
    /// over its file's row, which had lost the focus) must focus it again too.
    asked: UseStateHandle<u32>,
}

impl RovingFocus {
    /// Moves focus to row `pos` (scrolling it into view).
    pub fn move_to(&self, pos: usize) {
        self.pos.set(pos);
        self.asked.set(self.asked.wrapping_add(1));
        *self.want.borrow_mut() = true;
    }

    /// The row that takes Tab: the focused one when it is rendered, else the first rendered.
    pub fn tab_pos(&self, win: &VirtualWindow) -> usize {
        if (win.first..win.last).contains(&*self.pos) {
            *self.pos
        } else {
            win.first
        }
    }
}

/// Where ↑/↓, Home/End and PageUp/PageDown move focus in a flat list of `total` rows from
/// `pos`, `page` rows a page; `None` for any other key, or at an end.
pub fn flat_key_move(key: &str, pos: usize, total: usize, page: usize) -> Option<usize> {
    let last = total.checked_sub(1)?;
    let to = match key {
        "ArrowDown" => pos.saturating_add(1).min(last),
        "ArrowUp" => pos.saturating_sub(1),
        "Home" => 0,
        "End" => last,
        "PageDown" => pos.saturating_add(page.max(1)).min(last),
        "PageUp" => pos.saturating_sub(page.max(1)),
        _ => return None,
    };
    (to != pos).then_some(to)
}

/// The roving focus of the list `win` (rows of `row_height` pixels, `total` of them).
#[hook]
pub fn use_roving_focus(win: &VirtualWindow, total: usize) -> RovingFocus {
    let pos = use_state(|| 0usize);
    let want = use_mut_ref(|| false);
    let asked = use_state(|| 0u32);
    {
        // Bring the focused row into view and focus it once it is rendered.
        let list_ref = win.list_ref.clone();
        let want = want.clone();
        let at = *pos;
        let row_height = win.row_height;
        use_effect_with((at, *asked, win.first, win.last, total), move |_| {
            if !*want.borrow() {
                return;
            }
            let Some(list) = list_ref.cast::<web_sys::HtmlElement>() else {
                return;
            };
            let top = at as f64 * row_height;
            let st = list.scroll_top() as f64;
            let h = list.client_height() as f64;
            if top < st {
                list.set_scroll_top(top as i32);
            } else if top + row_height > st + h {
                list.set_scroll_top((top + row_height - h).max(0.0) as i32);
            }
            let el = list
                .query_selector(&format!("[data-pos=\"{at}\"]"))
                .ok()
                .flatten()
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
            if let Some(el) = el {
                let _ = el.focus();
                *want.borrow_mut() = false;
            }
        });
    }
    RovingFocus { pos, want, asked }
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
    fn flat_keys_move_within_the_list() {
        assert_eq!(flat_key_move("ArrowDown", 0, 3, 10), Some(1));
        assert_eq!(flat_key_move("ArrowDown", 2, 3, 10), None);
        assert_eq!(flat_key_move("ArrowUp", 0, 3, 10), None);
        assert_eq!(flat_key_move("End", 0, 3, 10), Some(2));
        assert_eq!(flat_key_move("Home", 2, 3, 10), Some(0));
        assert_eq!(flat_key_move("PageDown", 1, 100, 10), Some(11));
        assert_eq!(flat_key_move("PageDown", 95, 100, 10), Some(99));
        assert_eq!(flat_key_move("PageUp", 5, 100, 10), Some(0));
        assert_eq!(flat_key_move("Enter", 5, 100, 10), None);
        assert_eq!(flat_key_move("ArrowDown", 0, 0, 10), None);
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
