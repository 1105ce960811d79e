//! Which of the stack's items are drawn. An image Docker can run has at most 125 layers (its
//! layer store's `maxLayerDepth`; 250 in recent releases) and some metadata-only steps, all
//! drawn. An archive can declare
//! 20,000 or more, and drawing a slab for each put one task of ~400 ms on the page's thread,
//! then another on every digest that arrived. Above [`DRAW_ALL`] items the stack draws the top
//! and the bottom of the stack, the selected layer's neighbours and what the reader asked to
//! see; each run left out is one row that says which layers it holds and shows more of them.
//! The Shared tab's diagram draws its rows by the same rules (`diagram::row_window`).

use std::ops::Range;

/// Up to this many items (layers and metadata-only steps) every one is drawn.
pub const DRAW_ALL: usize = 300;
/// Items drawn at the top and at the bottom of a longer stack.
pub const EDGE: usize = 40;
/// Items drawn on each side of the selected one.
pub const AROUND: usize = 8;
/// Items one "show more" adds, from the gap's upper end down (the way a reader reads it).
pub const MORE: usize = 200;

/// A stretch of the stack, in item indices (bottom first, as the stack's items are).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Run {
    Drawn(Range<usize>),
    /// Left out; its row offers to draw the [`MORE`] items at its upper end.
    Gap(Range<usize>),
}

/// The runs of a stack of `len` items, bottom first, covering `0..len` with no overlap: every
/// item when `len <= DRAW_ALL`; else the bottom and top [`EDGE`], `selected` (an item index)
/// with [`AROUND`] on each side, and each range in `revealed`. Ranges past `len` are clipped.
pub fn runs(len: usize, selected: Option<usize>, revealed: &[Range<usize>]) -> Vec<Run> {
    if len <= DRAW_ALL {
        return if len == 0 {
            Vec::new()
        } else {
            vec![Run::Drawn(0..len)]
        };
    }
    let mut wanted: Vec<Range<usize>> = vec![0..EDGE, len - EDGE..len];
    if let Some(s) = selected.filter(|s| *s < len) {
        wanted.push(s.saturating_sub(AROUND)..(s + AROUND + 1).min(len));
    }
    wanted.extend(
        revealed
            .iter()
            .map(|r| r.start.min(len)..r.end.min(len))
            .filter(|r| !r.is_empty()),
    );
    wanted.sort_by_key(|r| r.start);
    let mut out = Vec::new();
    let mut at = 0;
    for r in wanted {
        if r.start > at {
            out.push(Run::Gap(at..r.start));
        }
        if r.end > at {
            let start = r.start.max(at);
            match out.last_mut() {
                Some(Run::Drawn(d)) if d.end == start => d.end = r.end,
                _ => out.push(Run::Drawn(start..r.end)),
            }
            at = r.end;
        }
    }
    if at < len {
        out.push(Run::Gap(at..len));
    }
    out
}

/// What a gap's "show more" reveals: its upper [`MORE`] items.
pub fn more_of(gap: &Range<usize>) -> Range<usize> {
    gap.end.saturating_sub(MORE).max(gap.start)..gap.end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn covered(runs: &[Run]) -> Vec<usize> {
        runs.iter()
            .flat_map(|r| match r {
                Run::Drawn(d) | Run::Gap(d) => d.clone(),
            })
            .collect()
    }

    fn drawn(runs: &[Run]) -> usize {
        runs.iter()
            .map(|r| match r {
                Run::Drawn(d) => d.len(),
                Run::Gap(_) => 0,
            })
            .sum()
    }

    #[test]
    fn a_real_stack_is_drawn_whole() {
        assert_eq!(runs(0, None, &[]), vec![]);
        assert_eq!(runs(1, Some(0), &[]), vec![Run::Drawn(0..1)]);
        assert_eq!(runs(DRAW_ALL, Some(3), &[]), vec![Run::Drawn(0..DRAW_ALL)]);
    }

    #[test]
    fn a_long_stack_draws_its_ends_and_the_selected_layer() {
        let n = 20_001;
        assert_eq!(
            runs(n, None, &[]),
            vec![
                Run::Drawn(0..EDGE),
                Run::Gap(EDGE..n - EDGE),
                Run::Drawn(n - EDGE..n)
            ]
        );
        let r = runs(n, Some(10_000), &[]);
        assert_eq!(
            r,
            vec![
                Run::Drawn(0..EDGE),
                Run::Gap(EDGE..10_000 - AROUND),
                Run::Drawn(10_000 - AROUND..10_000 + AROUND + 1),
                Run::Gap(10_000 + AROUND + 1..n - EDGE),
                Run::Drawn(n - EDGE..n),
            ]
        );
        assert_eq!(covered(&r), (0..n).collect::<Vec<_>>());
        // Next to an end, the neighbourhood joins it instead of leaving a gap of nothing.
        assert_eq!(
            runs(n, Some(EDGE + 2), &[]),
            vec![
                Run::Drawn(0..EDGE + 3 + AROUND),
                Run::Gap(EDGE + 3 + AROUND..n - EDGE),
                Run::Drawn(n - EDGE..n),
            ]
        );
        // A selection past the end (a stale one) draws nothing more.
        assert_eq!(runs(n, Some(n + 5), &[]).len(), 3);
    }

    #[test]
    fn show_more_takes_the_upper_end_of_its_gap() {
        let n = 1_000;
        let gap = EDGE..n - EDGE;
        let more = more_of(&gap);
        assert_eq!(more, n - EDGE - MORE..n - EDGE);
        let r = runs(n, None, std::slice::from_ref(&more));
        assert_eq!(
            r,
            vec![
                Run::Drawn(0..EDGE),
                Run::Gap(EDGE..n - EDGE - MORE),
                Run::Drawn(n - EDGE - MORE..n)
            ]
        );
        // Asked again and again, the gap closes and every item is drawn once.
        let mut revealed = vec![more];
        while let Some(Run::Gap(g)) = runs(n, None, &revealed)
            .into_iter()
            .find(|r| matches!(r, Run::Gap(_)))
        {
            revealed.push(more_of(&g));
        }
        let r = runs(n, None, &revealed);
        assert_eq!(r, vec![Run::Drawn(0..n)]);
        assert_eq!(drawn(&r), n);
        // Ranges from a longer stack (the image changed) are clipped, not trusted.
        assert_eq!(
            covered(&runs(400, None, &[350..900, 2_000..3_000])),
            (0..400).collect::<Vec<_>>()
        );
    }
}
