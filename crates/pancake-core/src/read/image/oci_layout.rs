//! The `oci-layout` member, as containerd's import reads it (`core/images/archive/importer.go`
//! `ImportIndex`): it decodes each regular member of that name, in order, with
//! `json.NewDecoder(r).Decode(&ociLayout)` into one struct (the first JSON value; what
//! follows it is never read) and fails the whole import on the first that fails ("untar oci
//! layout"). Then, if `imageLayoutVersion` is not empty, the archive is an OCI layout: a
//! version other than `1.0.0` fails ("unsupported OCI version"), and `1.0.0` reads
//! `index.json` ("missing index.json in OCI layout" without one). An empty version (the key
//! absent, `""` or `null`) reads the archive as a Docker archive through `manifest.json`, as
//! an archive without `oci-layout` is read. Docker's classic store reads `manifest.json` and
//! never opens `oci-layout` (image-spec `image-layout.md`: the file's only field, whose value
//! must be `1.0.0`).

use std::cell::RefCell;
use std::sync::Arc;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::model::{EntryKind, Member, ProblemKind, ReadError};
use crate::read::gojson::{folds_equal, surrogates_as_go_reads};

use super::Ctx;

/// Who fails, in the words of every problem here.
const CONTAINERD: &str =
    "containerd's import (docker load with the containerd image store, ctr import)";

/// The version of the image-layout spec containerd's import accepts
/// (`ocispec.ImageLayoutVersion`).
pub const SUPPORTED: &str = "1.0.0";

/// What containerd's import makes of an archive's `oci-layout`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layout {
    /// The archive has no `oci-layout` that is a regular file: read through `manifest.json`.
    Absent,
    /// Not known: a copy not read yet (the page's first view reads members' contents later),
    /// too large to keep (`limits.max_json_bytes`) or not kept as JSON. Taken as an OCI
    /// layout, as an `oci-layout` almost always is, and nothing is said about it.
    Pending,
    /// `imageLayoutVersion` is empty, `null` or absent: read through `manifest.json`.
    NoVersion,
    /// `imageLayoutVersion`, not empty: `1.0.0` reads `index.json`; any other fails.
    Version(String),
    /// Go fails to decode it, for the reason given (English): the import fails.
    Unreadable(String),
}

impl Layout {
    /// Whether containerd's import reads the archive through `manifest.json` (no OCI layout,
    /// or one without a version), so its checks of `manifest.json` apply.
    pub fn containerd_reads_manifest_json(&self) -> bool {
        matches!(self, Layout::Absent | Layout::NoVersion)
    }
}

impl Ctx<'_> {
    /// A `load-fails` problem about `oci-layout` when containerd's import fails on it: a
    /// document Go cannot decode, a version other than [`SUPPORTED`], that version in an
    /// archive without `index.json` (`has_index`), or no version in an archive without
    /// `manifest.json` (`has_manifest`), where it finds nothing to read.
    pub(super) fn check_oci_layout(&mut self, has_manifest: bool, has_index: bool) {
        let classic = if has_manifest {
            "; Docker's classic store reads manifest.json and never opens oci-layout"
        } else {
            ""
        };
        let detail = match self.layout() {
            Layout::Absent | Layout::Pending => return,
            Layout::Version(v) if v == SUPPORTED && has_index => return,
            Layout::NoVersion if has_manifest => return,
            Layout::Version(v) if v == SUPPORTED => format!(
                "oci-layout: gives version {SUPPORTED}, so {CONTAINERD} reads index.json, which the archive does not have, and fails (\"missing index.json in OCI layout\"){classic}"
            ),
            Layout::Unreadable(why) => format!(
                "oci-layout: {why}; {CONTAINERD} decodes it first and fails (\"untar oci layout\"){classic}"
            ),
            Layout::Version(v) => format!(
                "oci-layout: imageLayoutVersion is {v:?}, not \"{SUPPORTED}\" (the only version of the OCI image layout); {CONTAINERD} fails (\"unsupported OCI version\"){classic}"
            ),
            Layout::NoVersion => format!(
                "oci-layout: gives no imageLayoutVersion, so {CONTAINERD} reads the archive as a Docker archive, finds no manifest.json and fails (\"unrecognized image format\"); the image is shown from index.json"
            ),
        };
        self.problem(ProblemKind::LoadFails, Some("oci-layout"), detail);
    }
}

thread_local! {
    /// The documents last read and what they gave. Callers ask per problem
    /// ([`crate::analyze::image_claims`], on every render of the page) and a hostile
    /// `oci-layout` may be megabytes: asked again about the same documents (the same `Arc`s,
    /// held here so their addresses are not reused), the answer is not read again.
    static LAST: RefCell<Option<(Vec<Arc<str>>, Layout)>> = const { RefCell::new(None) };
}

/// The `oci-layout` of `members`, as containerd's import reads it: every regular member of
/// that name (tar type `0`; it skips links, folders and the like), in order, decoded into
/// one `ImageLayout` (so a later copy without the key keeps an earlier copy's version), the
/// first that Go fails to decode failing the import.
pub fn layout(members: &[Member]) -> Layout {
    let copies: Vec<&Member> = members
        .iter()
        .filter(|m| is_regular(m) && m.path.as_bytes() == b"oci-layout")
        .collect();
    if copies.is_empty() {
        return Layout::Absent;
    }
    let mut texts = Vec::with_capacity(copies.len());
    for m in &copies {
        match &m.facts.json {
            Some(t) => texts.push(Arc::clone(t)),
            // Not read yet, too large, not JSON-like at its start (leading white space of
            // more than a block hides that): not known, so nothing is claimed.
            None => return Layout::Pending,
        }
    }
    let cached = LAST.with(|l| {
        l.borrow().as_ref().and_then(|(seen, layout)| {
            (seen.len() == texts.len() && seen.iter().zip(&texts).all(|(a, b)| Arc::ptr_eq(a, b)))
                .then(|| layout.clone())
        })
    });
    if let Some(layout) = cached {
        return layout;
    }
    let layout = decode_all(&texts);
    LAST.with(|l| *l.borrow_mut() = Some((texts, layout.clone())));
    layout
}

/// Whether containerd's import takes `m` as a file (tar type `0`): not a link, a folder or a
/// sparse member (old GNU `S`, which Pancake lists as a file but does not read).
pub fn is_regular(m: &Member) -> bool {
    m.kind == EntryKind::File && !matches!(m.facts.error, Some(ReadError::SparseMember { .. }))
}

fn decode_all(texts: &[Arc<str>]) -> Layout {
    let mut version = String::new();
    for text in texts {
        if let Err(why) = decode_into(text, &mut version) {
            return Layout::Unreadable(why);
        }
    }
    if version.is_empty() {
        Layout::NoVersion
    } else {
        Layout::Version(version)
    }
}

/// Decodes one copy's first JSON value into `version` as `json.NewDecoder(r).Decode` into
/// `ImageLayout` does, or says why Go fails. What follows the first value is never read.
fn decode_into(text: &str, version: &mut String) -> Result<(), String> {
    if text.starts_with('\u{feff}') {
        return Err(
            "it begins with a UTF-8 byte order mark, which Go's encoding/json refuses".into(),
        );
    }
    let (text, _) = surrogates_as_go_reads(text);
    let kind_of = |v: &Json| match v {
        Json::Null => "null",
        Json::Str(_) => "a string",
        Json::Object(_) => "an object",
        Json::Other(kind) => kind,
    };
    match serde_json::Deserializer::from_str(&text)
        .into_iter::<Json>()
        .next()
    {
        None => Err("it is empty (\"EOF\")".into()),
        Some(Err(e)) => Err(format!("it is not valid JSON: {e}")),
        Some(Ok(Json::Null)) => Ok(()),
        Some(Ok(Json::Object(values))) => {
            for value in values {
                match value {
                    Json::Str(s) => *version = s,
                    Json::Null => {}
                    other => {
                        return Err(format!(
                            "its imageLayoutVersion is {}, not a string (\"cannot unmarshal\")",
                            kind_of(&other)
                        ))
                    }
                }
            }
            Ok(())
        }
        Some(Ok(other)) => Err(format!(
            "it is {}, not a JSON object (\"cannot unmarshal\")",
            kind_of(&other)
        )),
    }
}

/// A JSON value as far as decoding `ImageLayout` looks at it: an object gives the values of
/// its keys that Go matches to `imageLayoutVersion` (case-insensitively), in order; the
/// others are skipped unread, as Go skips a key its struct has no field for (so a number too
/// large for a float, or nesting deeper than a parser's recursion limit, under another key is
/// no error). An array's items are skipped unread too.
enum Json {
    Null,
    Str(String),
    Object(Vec<Json>),
    /// Any other value: what it is ("a number", "an array" ...).
    Other(&'static str),
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Json;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_unit<E>(self) -> Result<Json, E> {
                Ok(Json::Null)
            }
            fn visit_none<E>(self) -> Result<Json, E> {
                Ok(Json::Null)
            }
            fn visit_str<E>(self, v: &str) -> Result<Json, E> {
                Ok(Json::Str(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Json, E> {
                Ok(Json::Str(v))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Json, E> {
                Ok(Json::Other("a boolean"))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Json, E> {
                Ok(Json::Other("a number"))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Json, E> {
                Ok(Json::Other("a number"))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Json, E> {
                Ok(Json::Other("a number"))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Json, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Json::Other("an array"))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Json, A::Error> {
                let mut values = Vec::new();
                while let Some(key) = m.next_key::<String>()? {
                    if folds_equal(&key, "imageLayoutVersion") {
                        values.push(m.next_value::<Json>()?);
                    } else {
                        m.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(Json::Object(values))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(docs: &[&str]) -> Layout {
        let texts: Vec<Arc<str>> = docs.iter().map(|d| Arc::from(*d)).collect();
        decode_all(&texts)
    }

    #[test]
    fn versions_as_go_decodes_them() {
        let v = |s: &str| Layout::Version(s.into());
        assert_eq!(read(&[r#"{"imageLayoutVersion":"1.0.0"}"#]), v("1.0.0"));
        assert_eq!(read(&[r#"{"imageLayoutVersion":"2.0.0"}"#]), v("2.0.0"));
        // Go matches keys case-insensitively; the last one wins; null keeps the value.
        assert_eq!(
            read(&[
                r#"{"imageLayoutVersion":"1.0.0","IMAGELAYOUTVERSION":"1.1.0","imagelayoutversion":null}"#
            ]),
            v("1.1.0")
        );
        // Other keys are skipped unread, whatever they hold.
        let deep = format!(
            "{{\"x\":{}{}, \"imageLayoutVersion\":\"1.0.0\"}}",
            "[".repeat(300),
            "]".repeat(300)
        );
        assert_eq!(read(&[&deep]), v("1.0.0"));
        assert_eq!(
            read(&[r#"{"n":1e400,"imageLayoutVersion":"1.0.0"}"#]),
            v("1.0.0")
        );
        // What follows the first value is never read.
        assert_eq!(
            read(&[r#"{"imageLayoutVersion":"1.0.0"} trailing"#]),
            v("1.0.0")
        );
        for empty in [
            r#"{}"#,
            r#"{"imageLayoutVersion":""}"#,
            "null",
            r#"{"imageLayoutVersion":null}"#,
            r#"{"version":"1.0.0"}"#,
        ] {
            assert_eq!(read(&[empty]), Layout::NoVersion, "{empty}");
        }
        for bad in [
            r#"{"imageLayoutVersion":1}"#,
            "[]",
            r#""1.0.0""#,
            r#"{"imageLayoutVersion":["1.0.0"]}"#,
            "{",
            "",
        ] {
            assert!(matches!(read(&[bad]), Layout::Unreadable(_)), "{bad}");
        }
        assert!(Layout::NoVersion.containerd_reads_manifest_json());
        assert!(!Layout::Version("1.0.0".into()).containerd_reads_manifest_json());
    }

    /// Copies are decoded in order into one struct: a later copy without the key keeps the
    /// earlier version; the first copy Go fails on fails the import.
    #[test]
    fn copies_decode_into_one_struct() {
        assert_eq!(
            read(&[r#"{"imageLayoutVersion":"2.0.0"}"#, "{}"]),
            Layout::Version("2.0.0".into())
        );
        assert_eq!(
            read(&[
                r#"{"imageLayoutVersion":"2.0.0"}"#,
                r#"{"imageLayoutVersion":""}"#
            ]),
            Layout::NoVersion
        );
        assert!(matches!(read(&["{", "{}"]), Layout::Unreadable(_)));
    }
}
