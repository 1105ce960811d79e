//! A line diff of a file before and after a container changed it (the image's copy against
//! the copied-up one): longest common subsequence over lines, like `diff` without hunks.

use serde::{Deserialize, Serialize};

/// Above this many LCS table cells (lines before × lines after, once the common head and
/// tail are trimmed) the middle is shown as removed-then-added rather than aligned: the
/// table would cost too much memory for an edit the UI shows anyway.
pub const MAX_LCS_CELLS: usize = 4_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
/// Which side(s) of the diff a line is on.
pub enum LineChange {
    /// On both sides, unchanged.
    Same,
    /// Only in the old text.
    Removed,
    /// Only in the new text.
    Added,
}

/// One line of the diff, with its 1-based line number on each side it exists on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    /// Which side(s) the line is on.
    pub change: LineChange,
    /// The line, without its terminator.
    pub text: String,
    /// 1-based line number in the old text; `None` for an added line.
    pub old_line: Option<usize>,
    /// 1-based line number in the new text; `None` for a removed line.
    pub new_line: Option<usize>,
}

/// Lines without their terminators (`\n` or `\r\n`); a final newline adds no empty line.
fn lines(s: &str) -> Vec<&str> {
    s.lines().collect()
}

/// The lines of `old` and `new` in order, each marked same / removed / added. Removed lines
/// come before the added lines that replace them.
pub fn line_diff(old: &str, new: &str) -> Vec<DiffLine> {
    let a = lines(old);
    let b = lines(new);
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (am, bm) = (&a[head..a.len() - tail], &b[head..b.len() - tail]);

    let mut ops: Vec<LineChange> = vec![LineChange::Same; head];
    ops.extend(middle(am, bm));
    ops.extend(std::iter::repeat_n(LineChange::Same, tail));

    let (mut i, mut j) = (0usize, 0usize);
    let mut out = Vec::with_capacity(ops.len());
    for op in ops {
        let line = |change, text: &str, old_line, new_line| DiffLine {
            change,
            text: text.to_string(),
            old_line,
            new_line,
        };
        match op {
            LineChange::Same => {
                out.push(line(
                    op,
                    a.get(i).copied().unwrap_or(""),
                    Some(i + 1),
                    Some(j + 1),
                ));
                i += 1;
                j += 1;
            }
            LineChange::Removed => {
                out.push(line(op, a.get(i).copied().unwrap_or(""), Some(i + 1), None));
                i += 1;
            }
            LineChange::Added => {
                out.push(line(op, b.get(j).copied().unwrap_or(""), None, Some(j + 1)));
                j += 1;
            }
        }
    }
    out
}

/// The edit script for the differing middle: a classic LCS table, walked from the start.
fn middle(a: &[&str], b: &[&str]) -> Vec<LineChange> {
    let (n, m) = (a.len(), b.len());
    if n.saturating_mul(m) > MAX_LCS_CELLS {
        let mut ops = vec![LineChange::Removed; n];
        ops.extend(std::iter::repeat_n(LineChange::Added, m));
        return ops;
    }
    // lcs[i][j] = LCS length of a[i..] and b[j..], stored row-major in one Vec.
    let w = m + 1;
    let mut lcs = vec![0u32; (n + 1) * w];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i * w + j] = if a[i] == b[j] {
                lcs[(i + 1) * w + j + 1] + 1
            } else {
                lcs[(i + 1) * w + j].max(lcs[i * w + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut ops = Vec::with_capacity(n + m);
    while i < n && j < m {
        if a[i] == b[j] {
            ops.push(LineChange::Same);
            i += 1;
            j += 1;
        } else if lcs[(i + 1) * w + j] >= lcs[i * w + j + 1] {
            ops.push(LineChange::Removed);
            i += 1;
        } else {
            ops.push(LineChange::Added);
            j += 1;
        }
    }
    ops.extend(std::iter::repeat_n(LineChange::Removed, n - i));
    ops.extend(std::iter::repeat_n(LineChange::Added, m - j));
    ops
}

#[cfg(test)]
mod tests {
    use super::*;
    use LineChange::*;

    fn script(d: &[DiffLine]) -> Vec<(LineChange, &str)> {
        d.iter().map(|l| (l.change, l.text.as_str())).collect()
    }

    #[test]
    fn one_changed_line_is_removed_then_added() {
        let d = line_diff("a\nb\nc\n", "a\nB\nc\n");
        assert_eq!(
            script(&d),
            vec![(Same, "a"), (Removed, "b"), (Added, "B"), (Same, "c")]
        );
        assert_eq!(d[1].old_line, Some(2));
        assert_eq!(d[1].new_line, None);
        assert_eq!(d[2].new_line, Some(2));
        assert_eq!((d[3].old_line, d[3].new_line), (Some(3), Some(3)));
    }

    #[test]
    fn insertions_and_deletions_align_on_common_lines() {
        let d = line_diff("x\na\nb\nc\ny", "a\nb\nnew\nc");
        assert_eq!(
            script(&d),
            vec![
                (Removed, "x"),
                (Same, "a"),
                (Same, "b"),
                (Added, "new"),
                (Same, "c"),
                (Removed, "y"),
            ]
        );
    }

    #[test]
    fn equal_and_empty_inputs() {
        assert!(line_diff("", "").is_empty());
        assert!(line_diff("a\nb", "a\nb\n").iter().all(|l| l.change == Same));
        assert_eq!(script(&line_diff("", "a\n")), vec![(Added, "a")]);
        assert_eq!(script(&line_diff("a\n", "")), vec![(Removed, "a")]);
    }

    #[test]
    fn nginx_conf_edit_keeps_every_other_line() {
        let old = pancake_demo::NGINX_CONF;
        let new = old.replacen("worker_processes", "worker_processes  4; #", 1);
        let d = line_diff(old, &new);
        let removed = d.iter().filter(|l| l.change == Removed).count();
        let added = d.iter().filter(|l| l.change == Added).count();
        assert_eq!((removed, added), (1, 1));
        assert_eq!(
            d.iter().filter(|l| l.change == Same).count(),
            old.lines().count() - 1
        );
    }

    #[test]
    fn huge_middles_fall_back_to_replace() {
        let old: String = (0..3000).map(|i| format!("o{i}\n")).collect();
        let new: String = (0..3000).map(|i| format!("n{i}\n")).collect();
        let d = line_diff(&format!("head\n{old}tail"), &format!("head\n{new}tail"));
        assert_eq!(d.len(), 6002);
        assert_eq!(d.first().map(|l| l.change), Some(Same));
        assert!(d[1..3001].iter().all(|l| l.change == Removed));
        assert!(d[3001..6001].iter().all(|l| l.change == Added));
    }
}
