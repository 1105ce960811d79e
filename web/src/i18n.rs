//! Every string the UI shows, looked up by key in a Fluent-style `.ftl` file per language.
//!
//! Only the part of Fluent the UI needs: `key = value`, `# comments`, indented continuation
//! lines, and `{ $name }` placeholders. A full Fluent runtime (plurals, selectors) would cost
//! more wasm than it saves here.

use std::collections::HashMap;

const EN_FTL: &str = include_str!("../locales/en.ftl");
const ID_FTL: &str = include_str!("../locales/id.ftl");

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Id,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Id];

    /// BCP 47 tag, for `<html lang>` and `?lang=`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Id => "id",
        }
    }

    /// `en`, `en-GB`, `id`, `id-ID`, `in` (old Java code for Indonesian) …
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "id" | "in" => Some(Lang::Id),
            _ => None,
        }
    }

    fn source(self) -> &'static str {
        match self {
            Lang::En => EN_FTL,
            Lang::Id => ID_FTL,
        }
    }
}

/// Parses the `.ftl` subset into key → value.
pub fn parse_ftl(src: &str) -> HashMap<&str, String> {
    let mut out: HashMap<&str, String> = HashMap::new();
    let mut current: Option<&str> = None;
    for line in src.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') {
            continue;
        }
        if trimmed.is_empty() {
            current = None;
            continue;
        }
        let indented = line.starts_with(' ') || line.starts_with('\t');
        if indented {
            // A continuation line belongs to the message above it.
            if let Some(key) = current {
                if let Some(v) = out.get_mut(key) {
                    if !v.is_empty() {
                        v.push(' ');
                    }
                    v.push_str(trimmed);
                }
            }
            continue;
        }
        if let Some((k, v)) = line.split_once('=') {
            let key = k.trim();
            if !key.is_empty() {
                out.insert(key, v.trim().to_string());
                current = Some(key);
            }
        }
    }
    out
}

thread_local! {
    static TABLES: HashMap<Lang, HashMap<&'static str, String>> =
        Lang::ALL.iter().map(|l| (*l, parse_ftl(l.source()))).collect();
}

/// The text for `key`; English when the language lacks it, the key itself when both do
/// (visible, so a missing string is noticed rather than hidden).
pub fn t(lang: Lang, key: &str) -> String {
    TABLES.with(|tables| {
        tables
            .get(&lang)
            .and_then(|m| m.get(key))
            .or_else(|| tables.get(&Lang::En).and_then(|m| m.get(key)))
            .cloned()
            .unwrap_or_else(|| key.to_string())
    })
}

/// [`t`] with `{ $name }` placeholders filled in. Plural forms: when an argument named `count`
/// or `layers` is exactly `1` and the table has `KEY-one`, that entry is used ("1 layer", not
/// "1 layers"); Indonesian nouns do not change, so its `-one` entries read like the others.
pub fn tf(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let one = args
        .iter()
        .any(|(n, v)| matches!(*n, "count" | "layers") && *v == "1");
    let singular = format!("{key}-one");
    let template = match t(lang, &singular) {
        s1 if one && s1 != singular => s1,
        _ => t(lang, key),
    };
    fill(&template, args)
}

/// `template` with each `{ $name }` (or `{$name}`) replaced by its value, in one pass over the
/// template: a value is never searched again, so a path that holds `{ $limit }` is shown as
/// it is. A placeholder with no argument is left as written.
fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let (before, from) = rest.split_at(open);
        out.push_str(before);
        let filled = from.find('}').and_then(|close| {
            let inner = from.get(1..close)?.trim();
            let name = inner.strip_prefix('$')?;
            let value = args.iter().find(|(n, _)| *n == name)?.1;
            Some((value, close))
        });
        match filled {
            Some((value, close)) => {
                out.push_str(value);
                rest = from.get(close + 1..).unwrap_or("");
            }
            None => {
                out.push('{');
                rest = from.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values go in once: one that holds a placeholder's text is not filled again, spaced and
    /// unspaced placeholders both work, and an unknown one stays as written.
    #[test]
    fn placeholders_are_filled_in_one_pass() {
        assert_eq!(
            fill(
                "{ $path }: longer than { $limit } bytes",
                &[("path", "/tmp/{ $limit }x"), ("limit", "255")]
            ),
            "/tmp/{ $limit }x: longer than 255 bytes"
        );
        assert_eq!(
            fill("{$a}+{ $b }={ $c }", &[("a", "1"), ("b", "{$a}")]),
            "1+{$a}={ $c }"
        );
        assert_eq!(fill("no { brace", &[("brace", "x")]), "no { brace");
        assert_eq!(fill("é{ $x }ü", &[("x", "ß")]), "éßü");
    }

    #[test]
    fn every_key_exists_in_every_language() {
        let en = parse_ftl(EN_FTL);
        let id = parse_ftl(ID_FTL);
        assert!(en.len() > 50, "en.ftl looks empty: {} keys", en.len());
        let mut missing: Vec<String> = Vec::new();
        for k in en.keys() {
            if !id.contains_key(k) {
                missing.push(format!("id lacks {k}"));
            }
        }
        for k in id.keys() {
            if !en.contains_key(k) {
                missing.push(format!("en lacks {k}"));
            }
        }
        missing.sort();
        assert!(missing.is_empty(), "{missing:#?}");
        for (k, v) in en.iter().chain(id.iter()) {
            assert!(!v.is_empty(), "empty value for {k}");
        }
    }

    #[test]
    fn placeholders_match_between_languages() {
        let en = parse_ftl(EN_FTL);
        let id = parse_ftl(ID_FTL);
        let vars = |s: &str| {
            let mut v: Vec<String> = s
                .split("{ $")
                .skip(1)
                .filter_map(|p| p.split_once(" }").map(|(n, _)| n.to_string()))
                .collect();
            v.sort();
            v
        };
        for (k, v) in &en {
            if let Some(w) = id.get(k) {
                assert_eq!(vars(v), vars(w), "placeholders differ for {k}");
            }
        }
    }

    /// Every literal key the views pass to `t`/`tf`, plus the ones built at run time, is in
    /// en.ftl (and so, by the test above, in id.ftl).
    #[test]
    fn every_key_used_in_the_code_exists() {
        let en = parse_ftl(EN_FTL);
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = vec![src.join("shell.rs")];
        // Views and the folders of views (`views/tree/`).
        let mut dirs = vec![src.join("views")];
        while let Some(dir) = dirs.pop() {
            for e in std::fs::read_dir(dir).expect("views dir").flatten() {
                if e.path().is_dir() {
                    dirs.push(e.path());
                } else {
                    files.push(e.path());
                }
            }
        }
        let mut used: Vec<String> = Vec::new();
        for f in files {
            let text = std::fs::read_to_string(&f).expect("source file");
            for pat in ["t(lang, \"", "tf(lang, \"", "t(*l, \""] {
                for part in text.split(pat).skip(1) {
                    if let Some((key, _)) = part.split_once('"') {
                        if key
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                        {
                            used.push(key.to_string());
                        }
                    }
                }
            }
        }
        assert!(
            used.len() > 80,
            "found only {} keys in the sources",
            used.len()
        );
        // Keys made with format!: tabs, formats, problem kinds, change kinds, badges.
        for k in ["stack", "files", "history", "config"] {
            used.push(format!("tab-{k}"));
        }
        for k in [
            "docker-archive",
            "docker-oci-layout",
            "oci-archive",
            "legacy-v1",
            "unrecognized",
        ] {
            used.push(format!("format-{k}"));
        }
        for k in [
            "archive",
            "archive-ends-early",
            "tar-quirk-outer",
            "metadata",
            "missing-blob",
            "missing-platform",
            "digest-mismatch",
            "layer-unreadable",
            "unsafe-path",
            "whiteout",
            "duplicate-member",
            "history",
            "limit",
            "tar-quirk",
            "json-quirk",
            "hard-link",
            "unpack-fails",
            "load-fails",
            "non-distributable",
            "ambiguous-tar",
            "disagreement",
            "artifact",
        ] {
            used.push(format!("problem-{k}"));
            used.push(format!("problem-{k}-why"));
        }
        for k in [
            "added",
            "modified",
            "deleted",
            "unchanged",
            "badge-verified",
            "badge-mismatch",
            "badge-pending",
            "badge-unchecked",
            "badge-missing",
            "badge-unreadable",
            "badge-not-checkable",
            "files-none",
            "files-none-match",
            "expand",
            "collapse",
            "content-text",
            "content-binary",
            "ready",
            "ready-failed",
            "ready-failed-image",
            "ready-unpack-fails",
            "ready-load-refused",
        ] {
            used.push(k.to_string());
        }
        let missing: Vec<&String> = used
            .iter()
            .filter(|k| !en.contains_key(k.as_str()))
            .collect();
        assert!(
            missing.is_empty(),
            "keys used but not in en.ftl: {missing:?}"
        );
    }

    /// Every line of the locale files is a comment, a blank, a continuation or `key = value`
    /// with a Fluent identifier: the parser skips anything else silently, so a stray line (a
    /// merge's conflict markers once sat in both files unnoticed) fails here instead.
    #[test]
    fn locale_files_hold_only_messages() {
        for (name, src) in [("en.ftl", EN_FTL), ("id.ftl", ID_FTL)] {
            for (n, line) in src.lines().enumerate() {
                let t = line.trim();
                if t.is_empty() || t.starts_with('#') || line.starts_with([' ', '\t']) {
                    continue;
                }
                let key = line.split_once('=').map(|(k, _)| k.trim());
                let ok = key.is_some_and(|k| {
                    k.starts_with(|c: char| c.is_ascii_alphabetic())
                        && k.chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                });
                assert!(ok, "{name}:{}: not a message: {line:?}", n + 1);
            }
        }
    }

    #[test]
    fn parses_subset() {
        let m = parse_ftl("# c\na = one\n  two\n\nb = x { $n } y\n");
        assert_eq!(m.get("a").map(String::as_str), Some("one two"));
        assert_eq!(m.get("b").map(String::as_str), Some("x { $n } y"));
        assert_eq!(Lang::from_tag("id-ID"), Some(Lang::Id));
        assert_eq!(Lang::from_tag("fr"), None);
    }
}
