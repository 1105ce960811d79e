//! Terminal safety: text from a tarball (names, link targets, commands, labels, tags,
//! problem messages) never reaches the terminal with a raw control character. An ESC could
//! recolour or rewrite the screen, a BEL ring, a CR overwrite the line before it, a bidi
//! override make a name read backwards.
//!
//! Three layers, so nothing is forgotten:
//! - [`Safe`] wraps one value from a file when it is formatted: every control character
//!   (newline and tab included, so a field stays on its line) becomes a visible escape;
//! - [`text_out`] runs over everything written to stdout as text and escapes any control
//!   character but the newlines the printers themselves put between lines;
//! - [`json_out`] escapes in JSON what serde_json leaves raw (DEL, C1, bidi, U+2028/9).
//!
//! The escaped forms are those of [`pancake_core::escape`].

use std::borrow::Cow;
use std::fmt;

use pancake_core::escape::{escape_text, is_hidden_control};

/// A value shown with every control and bidi character escaped (`\x1b`, `\u{202e}`).
pub struct Safe<T>(pub T);

impl<T: fmt::Display> fmt::Display for Safe<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0.to_string();
        f.write_str(&escape_text(&s))
    }
}

/// The last line of defence for text output: escapes every control and bidi character
/// except `\n`, which only the printers write between lines.
pub fn text_out(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c != '\n' && is_hidden_control(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for line in s.split_inclusive('\n') {
        match line.strip_suffix('\n') {
            Some(l) => {
                out.push_str(&escape_text(l));
                out.push('\n');
            }
            None => out.push_str(&escape_text(line)),
        }
    }
    Cow::Owned(out)
}

/// serde_json escapes C0 in strings but writes DEL, C1 and bidi characters as they are;
/// this writes them as `\uXXXX`. They can only occur inside JSON strings (the structure is
/// ASCII), so the document means exactly the same.
pub fn json_out(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hidden_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if is_hidden_control(c) && u32::from(c) >= 0x20 {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_values_stay_on_their_line() {
        assert_eq!(
            Safe("a\x1b]0;pwned\x07\nb\rc").to_string(),
            "a\\x1b]0;pwned\\x07\\x0ab\\x0dc"
        );
        assert_eq!(Safe("plain \\ text").to_string(), "plain \\ text");
    }

    #[test]
    fn output_keeps_only_newlines() {
        assert_eq!(
            text_out("row \x1b[2J\u{202e}\nnext\u{9b}\n"),
            "row \\x1b[2J\\u{202e}\nnext\\u{9b}\n"
        );
    }

    #[test]
    fn json_stays_json() {
        let doc = serde_json::json!({"n": "x\u{202e}\u{85}\x7f\x1b\n"});
        let text = serde_json::to_string(&doc).unwrap_or_default();
        let safe = json_out(&text);
        assert!(!safe.chars().any(is_hidden_control));
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap_or_default();
        assert_eq!(back, doc);
    }
}
