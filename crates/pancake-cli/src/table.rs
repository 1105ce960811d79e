//! Columns laid out like Go's `text/tabwriter` as the Docker CLI configures it
//! (`NewWriter(out, 10, 1, 3, ' ', 0)`): each column but the last is as wide as its widest
//! cell (counted in characters) plus 3, at least 10; the last cell is written as is.
//! Cells hold text from files (names, commands, comments): each is shown with its control
//! characters escaped (newline and tab too, so a cell cannot break its row).

use pancake_core::escape::escape_text;

pub fn render(rows: &[Vec<String>]) -> String {
    const MIN_WIDTH: usize = 10;
    const PADDING: usize = 3;
    let rows: Vec<Vec<std::borrow::Cow<'_, str>>> = rows
        .iter()
        .map(|r| r.iter().map(|c| escape_text(c)).collect())
        .collect();
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![MIN_WIDTH; columns.saturating_sub(1)];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row.iter()) {
            *w = (*w).max(cell.chars().count() + PADDING);
        }
    }
    let mut out = String::new();
    for row in &rows {
        let last = row.len().saturating_sub(1);
        for (i, cell) in row.iter().enumerate() {
            out.push_str(cell.as_ref());
            if i < last {
                let w = widths.get(i).copied().unwrap_or(MIN_WIDTH);
                out.extend(std::iter::repeat_n(
                    ' ',
                    w.saturating_sub(cell.chars().count()),
                ));
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_like_go_tabwriter() {
        let rows = vec![
            vec!["IMAGE".to_string(), "SIZE".into(), "COMMENT".into()],
            vec!["abababababab".to_string(), "1.98MB".into(), "".into()],
        ];
        assert_eq!(
            render(&rows),
            "IMAGE          SIZE      COMMENT\nabababababab   1.98MB    \n"
        );
    }

    #[test]
    fn cells_cannot_break_rows_or_drive_the_terminal() {
        let rows = vec![
            vec!["PATH".to_string(), "KIND".into()],
            vec!["a\nb\x1b[2J".to_string(), "file".into()],
        ];
        assert_eq!(
            render(&rows),
            "PATH            KIND\na\\x0ab\\x1b[2J   file\n"
        );
    }
}
