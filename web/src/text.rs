//! Strings from a tarball as the page shows them. Plain functions with no view in them, so
//! state modules (the session's image names) and views both use them.

use pancake_core::Archive;

/// A string from a tarball (command, label, env, tag, comment) as the page shows it: Yew
/// puts it in a text node (never parsed as HTML); control and bidi characters, which could
/// hide or reverse part of it, become visible escapes (`\x1b`, `\u{202e}`,
/// [`pancake_core::escape`]). Newlines and tabs stay: multi-line commands are shown in `<pre>`.
pub fn shown(s: &str) -> String {
    use pancake_core::escape::is_hidden_control;
    if !s
        .chars()
        .any(|c| c != '\n' && c != '\t' && is_hidden_control(c))
    {
        return s.to_string();
    }
    s.split_inclusive(['\n', '\t'])
        .map(|part| {
            let (body, end) = match part.char_indices().last() {
                Some((i, c @ ('\n' | '\t'))) => (part.get(..i).unwrap_or(part), Some(c)),
                _ => (part, None),
            };
            let mut out = pancake_core::escape::escape_text(body).into_owned();
            out.extend(end);
            out
        })
        .collect()
}

/// A name for an image: its first tag, else its short ID, else where it was found.
pub fn image_name(a: &Archive, i: usize) -> String {
    let Some(img) = a.images.get(i) else {
        return String::new();
    };
    img.tags
        .first()
        .map(|t| shown(t))
        .or_else(|| img.config_digest.as_ref().map(|d| d.short().to_string()))
        .unwrap_or_else(|| img.source.clone())
}
