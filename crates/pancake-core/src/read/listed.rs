//! A bound on the problems one finding gives entry by entry in one layer.
//!
//! A hostile layer may hold millions of entries that each are the same finding (an unsafe
//! name, a name written through a symlink, an invalid whiteout): one problem per entry would
//! cost gigabytes of memory and of output for what a few examples and a count say as well. So
//! each finding of a layer lists its first [`PER_LAYER`] problems and counts the rest, and the
//! caller adds one problem saying how many more there are.

use crate::model::Problem;

/// How many problems of one finding a layer lists one by one; the rest are counted.
pub const PER_LAYER: usize = 10;

/// The problems of one finding in one layer: the first [`PER_LAYER`] kept, the rest counted.
#[derive(Debug, Default)]
pub struct Listed {
    listed: usize,
    more: usize,
}

impl Listed {
    /// Pushes the problem `make` gives onto `out` while fewer than [`PER_LAYER`] were listed;
    /// past that only counts it (`make` is not called, so no message is even formatted).
    pub fn push(&mut self, out: &mut Vec<Problem>, make: impl FnOnce() -> Problem) {
        self.push_within(PER_LAYER, out, make);
    }

    /// [`Listed::push`] with a bound of `per` problems listed one by one.
    pub fn push_within(
        &mut self,
        per: usize,
        out: &mut Vec<Problem>,
        make: impl FnOnce() -> Problem,
    ) {
        if self.room(per) {
            out.push(make());
        }
    }

    /// Counts one more problem and says whether it is among the first `per` (to be listed);
    /// for callers that format the problem themselves.
    pub fn room(&mut self, per: usize) -> bool {
        if self.listed < per {
            self.listed += 1;
            true
        } else {
            self.more += 1;
            false
        }
    }

    /// Whether `per` were listed already (the next one would only be counted).
    pub fn is_full(&self, per: usize) -> bool {
        self.listed >= per
    }

    /// How many were counted but not listed: `None` when all were listed (then no problem
    /// about the rest is due), else the count (at least 1).
    pub fn more(&self) -> Option<usize> {
        (self.more > 0).then_some(self.more)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ProblemKind;

    #[test]
    fn lists_the_first_then_counts() {
        let mut out = Vec::new();
        let mut l = Listed::default();
        let mut made = 0;
        for i in 0..PER_LAYER + 7 {
            l.push(&mut out, || {
                made += 1;
                Problem::layer(ProblemKind::TarQuirk, None, "m", format!("{i}"))
            });
        }
        assert_eq!(out.len(), PER_LAYER);
        assert_eq!(made, PER_LAYER);
        assert_eq!(l.more(), Some(7));
        assert_eq!(Listed::default().more(), None);
    }
}
