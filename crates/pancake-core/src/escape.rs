//! How text from a file is shown: every name distinguishable, no control character raw.
//!
//! A tarball's names are bytes and its strings (commands, labels, tags) are whatever its
//! author wrote, so both may hold bytes that are not UTF-8, terminal control sequences
//! (ESC, BEL, CR) or Unicode bidi overrides that make text read backwards. Both forms here
//! replace those with visible escapes:
//!
//! | found | shown as |
//! |---|---|
//! | a byte that is not part of valid UTF-8 | `\xNN` (two lowercase hex digits), as Python's `backslashreplace` and Go's `%q` |
//! | C0 control (U+0000–U+001F) or DEL (U+007F) | `\xNN` (the byte is the character: `\x1b` is ESC) |
//! | C1 control (U+0080–U+009F) | `\u{NN}` (the character, not the byte: its UTF-8 is two bytes) |
//! | bidi control (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) or line/paragraph separator (U+2028, U+2029) | `\u{NNNN}` |
//! | `\` in a name ([`escape_name`] only) | `\\` |
//!
//! [`escape_name`] is lossless: [`unescape_name`] gives back the exact bytes, so two
//! different names never look the same. [`escape_text`] keeps a backslash as it is (shell
//! commands are full of them and `docker history` shows them unchanged), so it is for
//! reading, not for telling two strings apart.

use std::borrow::Cow;
use std::fmt::Write as _;

/// True for a character shown as an escape: C0, DEL, C1, bidi controls, line separators.
pub fn is_hidden_control(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{61c}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{2028}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}')
}

fn push_char_escape(out: &mut String, c: char) {
    let n = u32::from(c);
    if n < 0x80 {
        let _ = write!(out, "\\x{n:02x}");
    } else {
        let _ = write!(out, "\\u{{{n:x}}}");
    }
}

/// Shows a string with control and bidi characters escaped (table above); a backslash is
/// kept as it is. Borrows when nothing needed escaping.
pub fn escape_text(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hidden_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_hidden_control(c) {
            push_char_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Shows a name (bytes) losslessly: valid UTF-8 as text, every other byte as `\xNN`,
/// control and bidi characters escaped, `\` doubled (table above). Borrows when the name
/// is UTF-8 without anything to escape.
pub fn escape_name(bytes: &[u8]) -> Cow<'_, str> {
    if let Ok(s) = std::str::from_utf8(bytes) {
        if !s.chars().any(|c| c == '\\' || is_hidden_control(c)) {
            return Cow::Borrowed(s);
        }
    }
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c == '\\' {
                out.push_str("\\\\");
            } else if is_hidden_control(c) {
                push_char_escape(&mut out, c);
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    Cow::Owned(out)
}

/// The bytes an [`escape_name`] text stands for; `None` if `shown` is not such a text (a
/// lone `\`, an unknown escape, bad hex). `unescape_name(&escape_name(b)) == Some(b)`.
pub fn unescape_name(shown: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(shown.len());
    let mut rest = shown;
    while let Some(i) = rest.find('\\') {
        out.extend_from_slice(rest.get(..i)?.as_bytes());
        let after = rest.get(i + 1..)?;
        if let Some(r) = after.strip_prefix('\\') {
            out.push(b'\\');
            rest = r;
        } else if let Some(r) = after.strip_prefix('x') {
            let hex = r.get(..2)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            rest = r.get(2..)?;
        } else if let Some(r) = after.strip_prefix("u{") {
            let end = r.find('}')?;
            let n = u32::from_str_radix(r.get(..end)?, 16).ok()?;
            let mut buf = [0u8; 4];
            out.extend_from_slice(char::from_u32(n)?.encode_utf8(&mut buf).as_bytes());
            rest = r.get(end + 1..)?;
        } else {
            return None;
        }
    }
    out.extend_from_slice(rest.as_bytes());
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_names_differ_when_shown() {
        assert_eq!(escape_name(b"data/caf\xe9.txt"), "data/caf\\xe9.txt");
        assert_eq!(escape_name(b"data/caf\xe8.txt"), "data/caf\\xe8.txt");
        assert_eq!(escape_name("data/café.txt".as_bytes()), "data/café.txt");
        assert!(matches!(escape_name(b"plain/name"), Cow::Borrowed(_)));
    }

    #[test]
    fn backslash_is_not_an_escape() {
        // The literal four characters `\xe9` and the byte 0xe9 must not look alike.
        assert_eq!(escape_name(b"a\\xe9"), "a\\\\xe9");
        assert_eq!(escape_name(b"a\xe9"), "a\\xe9");
        assert_ne!(escape_name(b"a\\xe9"), escape_name(b"a\xe9"));
    }

    #[test]
    fn controls_and_bidi_are_escaped() {
        assert_eq!(escape_name(b"\x1b[31mred\x07\r"), "\\x1b[31mred\\x07\\x0d");
        assert_eq!(
            escape_name("a\u{202e}gpj.exe".as_bytes()),
            "a\\u{202e}gpj.exe"
        );
        assert_eq!(escape_name("c1\u{9b}x".as_bytes()), "c1\\u{9b}x");
        assert_eq!(escape_name(b"del\x7f"), "del\\x7f");
        assert_eq!(
            escape_text("RUN a \\\n\tb\u{2066}"),
            "RUN a \\\\x0a\\x09b\\u{2066}"
        );
        assert!(matches!(escape_text("RUN echo \\ ok"), Cow::Borrowed(_)));
    }

    #[test]
    fn round_trips_every_byte() {
        let all: Vec<u8> = (0..=255u8).collect();
        let samples: [&[u8]; 6] = [
            &all,
            b"caf\xe9",
            b"a\\xe9\\",
            "\u{202e}\u{85}é\u{2028}".as_bytes(),
            b"\xf0\x9f\x98",
            b"",
        ];
        for s in samples {
            assert_eq!(unescape_name(&escape_name(s)).as_deref(), Some(s));
        }
        assert_eq!(unescape_name("bad\\q"), None);
        assert_eq!(unescape_name("bad\\"), None);
        assert_eq!(unescape_name("bad\\x4"), None);
    }
}
