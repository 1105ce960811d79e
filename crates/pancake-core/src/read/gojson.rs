//! JSON read the way Go's `encoding/json` reads it into Docker's structs, which is what
//! `docker load` does with `manifest.json` and each image config (moby
//! `image/tarexport/load.go`: `json.NewDecoder(…).Decode(&[]manifestItem)`, then
//! `image.NewFromJSON` = `json.Unmarshal` into `image.Image`), and what containerd's import
//! (`ctr import`, `docker load` with the containerd image store) does with `index.json`,
//! nested indexes and image manifests (`json.Unmarshal` into the image-spec's `v1.Index` /
//! `v1.Manifest`: containerd `images/archive/importer.go`, `images.Children`).
//!
//! Where Go differs from a strict reader, and what this module does about it (sources: the
//! `encoding/json` package documentation, "Unmarshal"; Go's `encoding/json/decode.go`
//! `unquoteBytes` and `fold.go`; `time/format_rfc3339.go` and `time.Time.UnmarshalJSON`):
//!
//! - Invalid UTF-8 inside a JSON string is not an error: "invalid UTF-8 or invalid UTF-16
//!   surrogate pairs are not treated as an error; instead, they are replaced by the Unicode
//!   replacement character U+FFFD". `unquoteBytes` decodes rune by rune with
//!   `utf8.DecodeRune`, which consumes one byte of an invalid sequence, so every byte that is
//!   not part of a valid sequence becomes one U+FFFD ([`text_as_go_reads`]); a lone `\uD800`
//!   escape becomes U+FFFD too ([`surrogates_as_go_reads`]). Outside strings, such a byte is
//!   a syntax error for Go as for anyone.
//! - An object key matches a struct field "preferring an exact match but also accepting a
//!   case-insensitive match": the key's folded form (`fold.go` `foldName`: ASCII letters upper
//!   case, any other rune the smallest of its `unicode.SimpleFold` orbit) equals the field
//!   name's. Keys of maps (`Labels`, `ExposedPorts`, `LayerSources`) are taken as written. A
//!   key given twice decodes into the same field twice: the last one wins, decoding an
//!   object into what the earlier one left (a struct or map is merged into).
//! - A value of the wrong JSON type for a typed field fails `json.Unmarshal` (an
//!   `UnmarshalTypeError`), and a `created` that `time.Time.UnmarshalJSON` refuses (not a
//!   string, or not RFC 3339 as `time.Parse(time.RFC3339, …)` reads it) fails it too: then
//!   `docker load` fails. `null` is accepted for every field.
//!
//! [`normalize`] rewrites a parsed document into the same JSON with each key that names a
//! field spelled as the field is (so the lenient serde shapes of [`crate::read::config`]
//! find it) and lists every such repair and every value Go refuses as a [`Finding`].

use std::borrow::Cow;
use std::fmt::Write as _;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// `bytes` as Go's decoder reads the strings in them: `Some((text, replaced))` where each
/// byte inside a JSON string that is not part of a valid UTF-8 sequence is U+FFFD and
/// `replaced` counts them (0: `text` is `bytes` as they are). `None` when such a byte stands
/// outside a string or right after a backslash, where Go's scanner fails too.
pub fn text_as_go_reads(bytes: Vec<u8>) -> Option<(String, u64)> {
    let bytes = match String::from_utf8(bytes) {
        Ok(t) => return Some((t, 0)),
        Err(e) => e.into_bytes(),
    };
    let mut out = String::with_capacity(bytes.len() + 16);
    let (mut in_string, mut escaped, mut replaced) = (false, false, 0u64);
    let mut rest: &[u8] = &bytes;
    loop {
        let (valid, bad) = match std::str::from_utf8(rest) {
            Ok(t) => (t, 0),
            Err(e) => {
                let (ok, after) = rest.split_at(e.valid_up_to());
                let bad = e.error_len().unwrap_or(after.len());
                (std::str::from_utf8(ok).unwrap_or_default(), bad)
            }
        };
        for b in valid.bytes() {
            if in_string {
                match b {
                    _ if escaped => escaped = false,
                    b'\\' => escaped = true,
                    b'"' => in_string = false,
                    _ => {}
                }
            } else if b == b'"' {
                in_string = true;
            }
        }
        out.push_str(valid);
        if bad == 0 {
            return Some((out, replaced));
        }
        if !in_string || escaped {
            return None;
        }
        for _ in 0..bad {
            out.push('\u{fffd}');
        }
        replaced += bad as u64;
        rest = rest.get(valid.len() + bad..).unwrap_or_default();
    }
}

/// `text` with each `\uXXXX` escape of a UTF-16 surrogate that is not half of a valid pair
/// written as `\ufffd`, as Go's `unquoteBytes` reads it (serde_json refuses it), and how many
/// were; borrowed when there are none.
pub fn surrogates_as_go_reads(text: &str) -> (Cow<'_, str>, u64) {
    if !text.contains("\\u") && !text.contains("\\U") {
        return (Cow::Borrowed(text), 0);
    }
    let b = text.as_bytes();
    let hex4 = |at: usize| -> Option<u32> {
        let s = b.get(at..at + 4)?;
        let s = std::str::from_utf8(s).ok()?;
        u32::from_str_radix(s, 16).ok()
    };
    let escape_at = |at: usize| -> Option<u32> {
        (b.get(at) == Some(&b'\\') && b.get(at + 1) == Some(&b'u'))
            .then(|| hex4(at + 2))
            .flatten()
    };
    let mut lone: Vec<usize> = Vec::new();
    let (mut i, mut in_string) = (0usize, false);
    while let Some(&c) = b.get(i) {
        if !in_string {
            in_string = c == b'"';
            i += 1;
            continue;
        }
        match c {
            b'"' => {
                in_string = false;
                i += 1;
            }
            b'\\' => match escape_at(i) {
                Some(0xd800..=0xdbff) => {
                    if matches!(escape_at(i + 6), Some(0xdc00..=0xdfff)) {
                        i += 12;
                    } else {
                        lone.push(i);
                        i += 6;
                    }
                }
                Some(0xdc00..=0xdfff) => {
                    lone.push(i);
                    i += 6;
                }
                Some(_) => i += 6,
                None => i += 2,
            },
            _ => i += 1,
        }
    }
    if lone.is_empty() {
        return (Cow::Borrowed(text), 0);
    }
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for &at in &lone {
        out.push_str(text.get(from..at).unwrap_or_default());
        out.push_str("\\ufffd");
        from = at + 6;
    }
    out.push_str(text.get(from..).unwrap_or_default());
    (Cow::Owned(out), lone.len() as u64)
}

/// A JSON document with its objects' keys in the order written, repeats kept: what Go's
/// decoder walks (serde_json's `Value` keeps one value per key).
#[derive(Debug)]
pub enum Doc {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number.
    Num(Number),
    /// A string.
    Str(String),
    /// An array.
    Arr(Vec<Doc>),
    /// An object, its members in the order written.
    Obj(Vec<(String, Doc)>),
}

impl<'de> Deserialize<'de> for Doc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Doc;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Doc, E> {
                Ok(Doc::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Doc, E> {
                Ok(Doc::Num(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Doc, E> {
                Ok(Doc::Num(v.into()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Doc, E> {
                Ok(Number::from_f64(v).map_or(Doc::Null, Doc::Num))
            }
            fn visit_str<E>(self, v: &str) -> Result<Doc, E> {
                Ok(Doc::Str(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Doc, E> {
                Ok(Doc::Str(v))
            }
            fn visit_unit<E>(self) -> Result<Doc, E> {
                Ok(Doc::Null)
            }
            fn visit_none<E>(self) -> Result<Doc, E> {
                Ok(Doc::Null)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Doc, A::Error> {
                let mut v = Vec::new();
                while let Some(x) = s.next_element()? {
                    v.push(x);
                }
                Ok(Doc::Arr(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Doc, A::Error> {
                let mut v = Vec::new();
                while let Some((k, x)) = m.next_entry::<String, Doc>()? {
                    v.push((k, x));
                }
                Ok(Doc::Obj(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// A JSON object read as a [`Doc`] but for its members whose key Go matches to an OCI
/// manifest's `layers` field (folded), which are checked as JSON and left out: `.1` says
/// whether there were any. What a reader that never looks at a manifest's layers needs (a
/// manifest of 20,000 layers is 3 MB of them). Fails on anything but an object.
pub struct WithoutLayers(pub Doc, pub bool);

impl<'de> Deserialize<'de> for WithoutLayers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = WithoutLayers;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<WithoutLayers, A::Error> {
                let (mut v, mut skipped) = (Vec::new(), false);
                while let Some(k) = m.next_key::<String>()? {
                    if folds_equal(&k, "layers") {
                        m.next_value::<serde::de::IgnoredAny>()?;
                        skipped = true;
                    } else {
                        v.push((k, m.next_value::<Doc>()?));
                    }
                }
                Ok(WithoutLayers(Doc::Obj(v), skipped))
            }
        }
        d.deserialize_map(V)
    }
}

impl Doc {
    /// As a serde_json value (a key given twice: the last one).
    pub fn into_value(self) -> Value {
        match self {
            Doc::Null => Value::Null,
            Doc::Bool(b) => Value::Bool(b),
            Doc::Num(n) => Value::Number(n),
            Doc::Str(s) => Value::String(s),
            Doc::Arr(v) => Value::Array(v.into_iter().map(Doc::into_value).collect()),
            Doc::Obj(v) => Value::Object(v.into_iter().map(|(k, x)| (k, x.into_value())).collect()),
        }
    }

    /// The JSON type's name as Go's errors say it (`cannot unmarshal string into …`).
    fn go_name(&self) -> &'static str {
        match self {
            Doc::Null => "null",
            Doc::Bool(_) => "bool",
            Doc::Num(_) => "number",
            Doc::Str(_) => "string",
            Doc::Arr(_) => "array",
            Doc::Obj(_) => "object",
        }
    }
}

/// The Go type of a field, as far as decoding it can fail.
#[derive(Debug)]
pub enum Shape {
    /// `interface{}` or a field Docker does not have: anything.
    Any,
    /// `string` (and string types such as `digest.Digest`).
    Str,
    /// `bool`.
    Bool,
    /// `int` / `int64` (also `time.Duration`): an integer literal within 64 bits.
    Int,
    /// `*time.Time`: an RFC 3339 string.
    Time,
    /// `[]byte`: a standard base64 string (or a list of numbers 0-255).
    Bytes,
    /// moby's `strslice.StrSlice` (`Cmd`, `Entrypoint`, `Shell`): a list of strings or one.
    StrSlice,
    /// A slice of the inner type.
    List(&'static Shape),
    /// `map[string]T`: keys as written.
    Map(&'static Shape),
    /// A struct (or pointer to one): its fields by JSON name.
    Struct(&'static [(&'static str, Shape)]),
}

/// moby `api/types/container.HealthConfig`.
const HEALTH: Shape = Shape::Struct(&[
    ("Test", Shape::List(&Shape::Str)),
    ("Interval", Shape::Int),
    ("Timeout", Shape::Int),
    ("StartPeriod", Shape::Int),
    ("StartInterval", Shape::Int),
    ("Retries", Shape::Int),
]);

/// moby `api/types/container.Config` (an image config's `config` and `container_config`).
const RUN_CONFIG: Shape = Shape::Struct(&[
    ("Hostname", Shape::Str),
    ("Domainname", Shape::Str),
    ("User", Shape::Str),
    ("AttachStdin", Shape::Bool),
    ("AttachStdout", Shape::Bool),
    ("AttachStderr", Shape::Bool),
    ("ExposedPorts", Shape::Map(&Shape::Struct(&[]))),
    ("Tty", Shape::Bool),
    ("OpenStdin", Shape::Bool),
    ("StdinOnce", Shape::Bool),
    ("Env", Shape::List(&Shape::Str)),
    ("Cmd", Shape::StrSlice),
    ("Healthcheck", HEALTH),
    ("ArgsEscaped", Shape::Bool),
    ("Image", Shape::Str),
    ("Volumes", Shape::Map(&Shape::Struct(&[]))),
    ("WorkingDir", Shape::Str),
    ("Entrypoint", Shape::StrSlice),
    ("NetworkDisabled", Shape::Bool),
    ("MacAddress", Shape::Str),
    ("OnBuild", Shape::List(&Shape::Str)),
    ("Labels", Shape::Map(&Shape::Str)),
    ("StopSignal", Shape::Str),
    ("StopTimeout", Shape::Int),
    ("Shell", Shape::StrSlice),
]);

/// moby `image.History`.
const HISTORY: Shape = Shape::Struct(&[
    ("created", Shape::Time),
    ("author", Shape::Str),
    ("created_by", Shape::Str),
    ("comment", Shape::Str),
    ("empty_layer", Shape::Bool),
]);

/// moby `image.Image` (its `V1Image` fields, `rootfs`, `history`, `os.version`,
/// `os.features`): what `docker load` decodes an image config into.
pub const IMAGE_CONFIG: Shape = Shape::Struct(&[
    ("id", Shape::Str),
    ("parent", Shape::Str),
    ("comment", Shape::Str),
    ("created", Shape::Time),
    ("container", Shape::Str),
    ("container_config", RUN_CONFIG),
    ("docker_version", Shape::Str),
    ("author", Shape::Str),
    ("config", RUN_CONFIG),
    ("architecture", Shape::Str),
    ("variant", Shape::Str),
    ("os", Shape::Str),
    ("Size", Shape::Int),
    (
        "rootfs",
        Shape::Struct(&[("type", Shape::Str), ("diff_ids", Shape::List(&Shape::Str))]),
    ),
    ("history", Shape::List(&HISTORY)),
    ("os.version", Shape::Str),
    ("os.features", Shape::List(&Shape::Str)),
]);

/// An OCI platform (image-spec `specs-go/v1.Platform`, as of image-spec 1.1: 1.0's reserved
/// `features` is no longer a field, so it is not checked).
const PLATFORM: Shape = Shape::Struct(&[
    ("architecture", Shape::Str),
    ("os", Shape::Str),
    ("os.version", Shape::Str),
    ("os.features", Shape::List(&Shape::Str)),
    ("variant", Shape::Str),
]);

/// `distribution.Descriptor` (a `LayerSources` value).
const DESCRIPTOR: Shape = Shape::Struct(&[
    ("mediaType", Shape::Str),
    ("size", Shape::Int),
    ("digest", Shape::Str),
    ("urls", Shape::List(&Shape::Str)),
    ("annotations", Shape::Map(&Shape::Str)),
    ("platform", PLATFORM),
]);

/// moby `image/tarexport.manifestItem`: one entry of `manifest.json`.
pub const MANIFEST_ENTRY: Shape = Shape::Struct(&[
    ("Config", Shape::Str),
    ("RepoTags", Shape::List(&Shape::Str)),
    ("Layers", Shape::List(&Shape::Str)),
    ("Parent", Shape::Str),
    ("LayerSources", Shape::Map(&DESCRIPTOR)),
]);

/// An OCI content descriptor (image-spec `specs-go/v1.Descriptor`, 1.1), as containerd
/// decodes the descriptors of an index or image manifest.
const OCI_DESCRIPTOR: Shape = Shape::Struct(&[
    ("mediaType", Shape::Str),
    ("digest", Shape::Str),
    ("size", Shape::Int),
    ("urls", Shape::List(&Shape::Str)),
    ("annotations", Shape::Map(&Shape::Str)),
    ("data", Shape::Bytes),
    ("platform", PLATFORM),
    ("artifactType", Shape::Str),
]);

/// An OCI image index (`specs-go/v1.Index`, its embedded `specs.Versioned` first): what
/// containerd's import (`ctr import`, `docker load` with the containerd image store) decodes
/// `index.json` and each nested index or Docker manifest list into.
pub const OCI_INDEX: Shape = Shape::Struct(&[
    ("schemaVersion", Shape::Int),
    ("mediaType", Shape::Str),
    ("artifactType", Shape::Str),
    ("manifests", Shape::List(&OCI_DESCRIPTOR)),
    ("subject", OCI_DESCRIPTOR),
    ("annotations", Shape::Map(&Shape::Str)),
]);

/// An OCI index or image manifest, before it is known which (`specs-go/v1.Index` and
/// `v1.Manifest` share every field but `manifests`, an index's, and `config` and `layers`, a
/// manifest's): the fields of both, so the document's keys are spelled as the fields are
/// whichever it is. Of its findings, [`oci_finding_applies`] keeps those of the struct the
/// document turns out to be.
pub const OCI_DOCUMENT: Shape = Shape::Struct(&[
    ("schemaVersion", Shape::Int),
    ("mediaType", Shape::Str),
    ("artifactType", Shape::Str),
    ("manifests", Shape::List(&OCI_DESCRIPTOR)),
    ("config", OCI_DESCRIPTOR),
    ("layers", Shape::List(&OCI_DESCRIPTOR)),
    ("subject", OCI_DESCRIPTOR),
    ("annotations", Shape::Map(&Shape::Str)),
    // Not a field of `v1.Manifest` or `v1.Index`, but containerd's `validateMediaType`
    // decodes it (as `json.RawMessage`) to refuse schema 1 documents.
    ("fsLayers", Shape::Any),
]);

/// Whether a finding of [`OCI_DOCUMENT`] at `at` is about a field of `v1.Index` (`index`) or
/// of `v1.Manifest` (else): Go ignores a key its struct has no field for, so `layers` says
/// nothing about an index, nor `manifests` about a manifest.
pub fn oci_finding_applies(at: &str, index: bool) -> bool {
    let top = at.split(['.', '[']).next().unwrap_or_default();
    match top {
        "manifests" => index,
        "config" | "layers" => !index,
        _ => true,
    }
}

/// What reading a document as Go does found: at `at` (`history[1].empty_layer`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Where: field names joined by `.`, list positions as `[i]`, map keys as `["k"]`.
    pub at: String,
    /// What.
    pub what: FindingKind,
}

/// What a [`Finding`] is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FindingKind {
    /// Key `written` named field `field` only case-insensitively. Go reads it.
    FoldedKey {
        /// The key as written.
        written: String,
        /// The field's name.
        field: &'static str,
    },
    /// A value of JSON type `got` where the field's Go type is `want`: Go's `Unmarshal`
    /// fails.
    WrongType {
        /// The JSON type found, as Go names it (`string`, `number` ...).
        got: &'static str,
        /// The Go type (`bool`, `int64`, `[]string` ...).
        want: &'static str,
    },
    /// A `created` that `time.Time.UnmarshalJSON` refuses: Go's `Unmarshal` fails.
    BadTime {
        /// The value as written.
        text: String,
    },
}

impl FindingKind {
    /// Whether Go's `Unmarshal` fails on it (else Go reads it, after a repair).
    pub fn go_fails(&self) -> bool {
        !matches!(self, FindingKind::FoldedKey { .. })
    }
}

/// Go's `foldName` for one rune, as far as matching ASCII field names goes: ASCII letters
/// upper case; of the other runes, those whose `SimpleFold` orbit's smallest rune is an ASCII
/// letter (KELVIN SIGN → `K`, LONG S → `S`, DOTLESS I → `I`); any other rune stays itself,
/// which no ASCII field name's fold contains.
fn fold_rune(c: char) -> char {
    match c {
        'a'..='z' => c.to_ascii_uppercase(),
        '\u{212a}' => 'K',
        '\u{17f}' => 'S',
        '\u{131}' => 'I',
        _ => c,
    }
}

/// Whether Go matches object key `key` to the struct field `field` (`fold.go`), exactly or
/// case-insensitively.
pub fn folds_equal(key: &str, field: &str) -> bool {
    key.chars().map(fold_rune).eq(field.chars().map(fold_rune))
}

/// The field of `fields` key `k` decodes into: an exact match, else a case-insensitive one
/// (the first, as Go's field list is in declaration order).
fn field_of<'f>(
    fields: &'f [(&'static str, Shape)],
    k: &str,
) -> Option<(&'static str, &'f Shape, bool)> {
    if let Some((n, s)) = fields.iter().find(|(n, _)| *n == k) {
        return Some((n, s, false));
    }
    fields
        .iter()
        .find(|(n, _)| folds_equal(k, n))
        .map(|(n, s)| (*n, s, true))
}

/// `doc` as Go decodes it into `shape`, as a serde_json value whose struct keys are spelled
/// as the fields are; `at` names it in findings. A value Go refuses is kept as written (the
/// lenient readers make of it what they can) and listed.
pub fn normalize(doc: Doc, shape: &Shape, at: &str, findings: &mut Vec<Finding>) -> Value {
    let mut v = Value::Null;
    let mut at = at.to_string();
    decode_into(&mut v, doc, shape, &mut at, findings);
    v
}

fn wrong(findings: &mut Vec<Finding>, at: &str, doc: &Doc, want: &'static str) {
    findings.push(Finding {
        at: at.to_string(),
        what: FindingKind::WrongType {
            got: doc.go_name(),
            want,
        },
    });
}

/// Decodes `doc` into `target` as Go decodes a value into a field of type `shape` that
/// already holds `target` (so a repeated key merges into a struct or map).
fn decode_into(
    target: &mut Value,
    doc: Doc,
    shape: &Shape,
    at: &mut String,
    findings: &mut Vec<Finding>,
) {
    match (shape, doc) {
        // null leaves a string, bool or number as it was and empties the rest.
        (Shape::Str | Shape::Bool | Shape::Int, Doc::Null) => {}
        (_, Doc::Null) => *target = Value::Null,
        (Shape::Any, doc) => *target = doc.into_value(),
        (Shape::Str, Doc::Str(s)) => *target = Value::String(s),
        (Shape::Bool, Doc::Bool(b)) => *target = Value::Bool(b),
        (Shape::Int, Doc::Num(n)) => {
            // Go's `strconv.ParseInt(literal, 10, 64)`: no fraction, no exponent, in range.
            if !n.is_i64() {
                findings.push(Finding {
                    at: at.clone(),
                    what: FindingKind::WrongType {
                        got: "number (not a 64-bit integer)",
                        want: "int64",
                    },
                });
            }
            *target = Value::Number(n);
        }
        (Shape::Time, Doc::Str(s)) => {
            if !is_go_rfc3339(&s) {
                findings.push(Finding {
                    at: at.clone(),
                    what: FindingKind::BadTime { text: s.clone() },
                });
            }
            *target = Value::String(s);
        }
        (Shape::Bytes, Doc::Str(s)) => {
            // `base64.StdEncoding.Decode`: an error fails `Unmarshal` too.
            if !is_go_base64(&s) {
                findings.push(Finding {
                    at: at.clone(),
                    what: FindingKind::WrongType {
                        got: "string (not standard base64)",
                        want: "[]byte (a base64 string)",
                    },
                });
            }
            *target = Value::String(s);
        }
        (Shape::Bytes, Doc::Arr(items)) => {
            // Each item decoded into a `uint8`.
            let byte = |x: &Doc| match x {
                Doc::Null => true,
                Doc::Num(n) => n.as_u64().is_some_and(|n| n <= 255),
                _ => false,
            };
            if !items.iter().all(byte) {
                findings.push(Finding {
                    at: at.clone(),
                    what: FindingKind::WrongType {
                        got: "array with an item that is not a number 0-255",
                        want: "[]byte",
                    },
                });
            }
            *target = Doc::Arr(items).into_value();
        }
        (Shape::StrSlice, Doc::Str(s)) => *target = Value::String(s),
        (Shape::StrSlice, Doc::Arr(items)) => {
            if items.iter().any(|x| !matches!(x, Doc::Str(_) | Doc::Null)) {
                findings.push(Finding {
                    at: at.clone(),
                    what: FindingKind::WrongType {
                        got: "array with an item that is not a string",
                        want: "strslice.StrSlice",
                    },
                });
            }
            *target = Doc::Arr(items).into_value();
        }
        (Shape::List(inner), Doc::Arr(items)) => {
            let mut old = match std::mem::take(target) {
                Value::Array(v) => v,
                _ => Vec::new(),
            };
            let n = items.len();
            old.resize(n.max(old.len()), Value::Null);
            old.truncate(n);
            let len = at.len();
            for (i, (slot, item)) in old.iter_mut().zip(items).enumerate() {
                let _ = write!(at, "[{i}]");
                decode_into(slot, item, inner, at, findings);
                at.truncate(len);
            }
            *target = Value::Array(old);
        }
        (Shape::Map(inner), Doc::Obj(members)) => {
            let mut obj = match std::mem::take(target) {
                Value::Object(m) => m,
                _ => Map::new(),
            };
            let len = at.len();
            for (k, x) in members {
                let _ = write!(at, "[{}]", Value::String(k.clone()));
                // A map element is made anew for each key (Go's `mapElem`).
                let mut slot = Value::Null;
                decode_into(&mut slot, x, inner, at, findings);
                at.truncate(len);
                obj.insert(k, slot);
            }
            *target = Value::Object(obj);
        }
        (Shape::Struct(fields), Doc::Obj(members)) => {
            let mut obj = match std::mem::take(target) {
                Value::Object(m) => m,
                _ => Map::new(),
            };
            let len = at.len();
            for (k, x) in members {
                match field_of(fields, &k) {
                    Some((name, field_shape, folded)) => {
                        if !at.is_empty() {
                            at.push('.');
                        }
                        at.push_str(name);
                        if folded {
                            findings.push(Finding {
                                at: at.clone(),
                                what: FindingKind::FoldedKey {
                                    written: k,
                                    field: name,
                                },
                            });
                        }
                        let slot = obj.entry(name).or_insert(Value::Null);
                        decode_into(slot, x, field_shape, at, findings);
                        at.truncate(len);
                    }
                    // Go ignores a key no field takes; kept for what reads the value as
                    // written (unless a field's own spelling is there).
                    None => {
                        obj.insert(k, x.into_value());
                    }
                }
            }
            *target = Value::Object(obj);
        }
        (shape, doc) => {
            let want = match shape {
                Shape::Str => "string",
                Shape::Bool => "bool",
                Shape::Int => "int64",
                Shape::Time => "time.Time (an RFC 3339 string)",
                Shape::Bytes => "[]byte (a base64 string)",
                Shape::StrSlice => "strslice.StrSlice (a string or a list of strings)",
                Shape::List(_) => "a slice (a JSON array)",
                Shape::Map(_) | Shape::Struct(_) => "a struct or map (a JSON object)",
                Shape::Any => "any",
            };
            wrong(findings, at, &doc, want);
            *target = doc.into_value();
        }
    }
}

/// Whether Go's `base64.StdEncoding.Decode` (what `encoding/json` decodes a `[]byte` field's
/// string with) accepts `s`: the standard alphabet, `\r` and `\n` skipped anywhere, padded
/// with `=` to a multiple of four (one or two `=`, only at the end).
pub fn is_go_base64(s: &str) -> bool {
    let b: Vec<u8> = s.bytes().filter(|c| !matches!(c, b'\r' | b'\n')).collect();
    if !b.len().is_multiple_of(4) {
        return false;
    }
    let pad = b.iter().rev().take_while(|c| **c == b'=').count();
    let data = b.len() - pad;
    let alphabet = |c: &u8| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/');
    pad <= 2 && b.get(..data).is_some_and(|d| d.iter().all(alphabet))
}

/// Whether `time.Time.UnmarshalJSON` accepts the string `s` (Go 1.20+: the fast
/// `parseRFC3339`, else `time.Parse(time.RFC3339, s)`, whose stricter checks Go still leaves
/// disabled): `YYYY-MM-DDTHH:MM:SS`, the hour of one or two digits, an optional fraction after
/// `.` or `,`, then `Z` or `±hh:mm`; month 1-12, a day the month has, hour < 24, minute and
/// second < 60, a zone hour ≤ 24 and minute ≤ 60 (as `time.Parse` checks them). The text is
/// the JSON string as written: Go does not unescape it, so an escape fails it (not seen here,
/// as the value arrives unescaped).
pub fn is_go_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let num = |from: usize, n: usize| -> Option<u32> {
        let d = b.get(from..from + n)?;
        d.iter().all(u8::is_ascii_digit).then(|| {
            d.iter()
                .fold(0u32, |acc, c| acc * 10 + u32::from(c.wrapping_sub(b'0')))
        })
    };
    let lit = |at: usize, c: u8| b.get(at) == Some(&c);
    let (Some(year), Some(month), Some(day)) = (num(0, 4), num(5, 2), num(8, 2)) else {
        return false;
    };
    if !(lit(4, b'-') && lit(7, b'-') && lit(10, b'T')) {
        return false;
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day < 1 || day > days {
        return false;
    }
    // The hour: `time.Parse`'s `15` takes one or two digits.
    let hour_len = if num(12, 1).is_some() { 2 } else { 1 };
    let Some(hour) = num(11, hour_len) else {
        return false;
    };
    let mut i = 11 + hour_len;
    let (Some(min), Some(sec)) = (num(i + 1, 2), num(i + 4, 2)) else {
        return false;
    };
    if hour >= 24 || min >= 60 || sec >= 60 || !lit(i, b':') || !lit(i + 3, b':') {
        return false;
    }
    i += 6;
    if matches!(b.get(i), Some(b'.' | b',')) && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    match b.get(i..) {
        Some(b"Z") => true,
        Some(z) if z.len() == 6 && matches!(z.first(), Some(b'+' | b'-')) => {
            let (Some(h), Some(m)) = (num(i + 1, 2), num(i + 4, 2)) else {
                return false;
            };
            lit(i + 3, b':') && h <= 24 && m <= 60
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_inside_strings_is_one_replacement_per_byte() {
        let (t, n) = text_as_go_reads(b"{\"a\":\"caf\xe9 \xe2\x82\"}".to_vec()).unwrap_or_default();
        assert_eq!(t, "{\"a\":\"caf\u{fffd} \u{fffd}\u{fffd}\"}");
        assert_eq!(n, 3);
        assert_eq!(
            text_as_go_reads(b"{\"a\":1}".to_vec()),
            Some(("{\"a\":1}".into(), 0))
        );
        // Outside a string, or escaped: Go's scanner fails.
        assert_eq!(text_as_go_reads(b"{\"a\":\xe9}".to_vec()), None);
        assert_eq!(text_as_go_reads(b"{\"a\":\"\\\xe9\"}".to_vec()), None);
        // Cut at the end of the input, inside a string: still a string's bytes.
        assert_eq!(
            text_as_go_reads(b"\"\xe2\x82".to_vec()).map(|x| x.1),
            Some(2)
        );
    }

    #[test]
    fn lone_surrogate_escapes_become_replacement_escapes() {
        let (t, n) =
            surrogates_as_go_reads(r#"{"a":"\ud83d\ude00 \ud800x \udc00 \ud800\ud800\udc00"}"#);
        assert_eq!(n, 3);
        assert_eq!(
            t,
            r#"{"a":"\ud83d\ude00 \ufffdx \ufffd \ufffd\ud800\udc00"}"#
        );
        let v: Value = serde_json::from_str(&t).unwrap_or_default();
        assert_eq!(v["a"], "\u{1f600} \u{fffd}x \u{fffd} \u{fffd}\u{10000}");
        assert!(matches!(
            surrogates_as_go_reads(r#"{"a":"\\ud800"}"#),
            (Cow::Borrowed(_), 0)
        ));
    }

    #[test]
    fn keys_fold_as_go_folds_them() {
        assert!(folds_equal("layers", "Layers"));
        assert!(folds_equal("LAYERS", "Layers"));
        assert!(folds_equal("Layer\u{17f}", "Layers"));
        assert!(folds_equal("\u{212a}ey", "key"));
        assert!(!folds_equal("Layer", "Layers"));
        assert!(!folds_equal("\u{130}d", "id"));
        assert!(folds_equal("Diff_IDs", "diff_ids"));
    }

    #[test]
    fn rfc3339_as_time_unmarshal_json_reads_it() {
        for ok in [
            "2024-01-02T03:04:05Z",
            "2024-01-02T03:04:05.123456789Z",
            "2024-01-02T03:04:05,5+01:00",
            "2024-02-29T23:59:59-07:30",
            "2024-01-02T3:04:05Z",
            "0001-01-01T00:00:00Z",
            "2024-01-02T03:04:05+24:00",
        ] {
            assert!(is_go_rfc3339(ok), "{ok}");
        }
        for bad in [
            "not a date",
            "",
            "2024-01-02",
            "2024-01-02t03:04:05Z",
            "2024-01-02T03:04:05z",
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-01-02T24:00:00Z",
            "2024-01-02T03:60:00Z",
            "2024-01-02T03:04:60Z",
            "2024-01-02T03:04:05",
            "2024-01-02T03:04:05+0100",
            "2024-01-02T03:04:05+25:00",
            "2024-01-02 03:04:05Z",
            "2024-01-02T03:04:05.Z",
            "2024-01-02T03:04:05Zjunk",
            "+024-01-02T03:04:05Z",
        ] {
            assert!(!is_go_rfc3339(bad), "{bad}");
        }
    }

    #[test]
    fn base64_as_std_encoding_decodes_it() {
        for ok in ["", "e30=", "YWJj", "YQ==", "YW\r\nJj"] {
            assert!(is_go_base64(ok), "{ok}");
        }
        for bad in ["e30", "YQ=", "Y===", "YQ=a", "YW-j", "YW_j", "e30=\t"] {
            assert!(!is_go_base64(bad), "{bad}");
        }
    }

    #[test]
    fn an_oci_document_is_read_as_an_index_or_a_manifest() {
        let (v, f) = norm(
            r#"{"SchemaVersion":2,"Config":{"Digest":"sha256:aa","SIZE":2,"data":"e30="},"LAYERS":[{"digest":"sha256:bb","size":"3"}],"Manifests":[]}"#,
            &OCI_DOCUMENT,
        );
        assert_eq!(v["config"]["digest"], "sha256:aa");
        assert_eq!(v["config"]["size"], 2);
        assert_eq!(v["layers"][0]["size"], "3");
        let at: Vec<(&str, bool)> = f
            .iter()
            .filter(|x| oci_finding_applies(&x.at, false))
            .map(|x| (x.at.as_str(), x.what.go_fails()))
            .collect();
        assert_eq!(
            at,
            [
                ("schemaVersion", false),
                ("config", false),
                ("config.digest", false),
                ("config.size", false),
                ("layers", false),
                ("layers[0].size", true),
            ]
        );
        let at: Vec<&str> = f
            .iter()
            .filter(|x| oci_finding_applies(&x.at, true))
            .map(|x| x.at.as_str())
            .collect();
        assert_eq!(at, ["schemaVersion", "manifests"]);
        let (_, f) = norm(
            r#"{"manifests":[{"data":"e30","platform":{"OS":"linux","os.features":"x"}}]}"#,
            &OCI_INDEX,
        );
        let at: Vec<(&str, bool)> = f
            .iter()
            .map(|x| (x.at.as_str(), x.what.go_fails()))
            .collect();
        assert_eq!(
            at,
            [
                ("manifests[0].data", true),
                ("manifests[0].platform.os", false),
                ("manifests[0].platform.os.features", true),
            ]
        );
    }

    fn norm(text: &str, shape: &Shape) -> (Value, Vec<Finding>) {
        let doc: Doc = serde_json::from_str(text).unwrap_or(Doc::Null);
        let mut f = Vec::new();
        (normalize(doc, shape, "", &mut f), f)
    }

    #[test]
    fn fields_are_found_case_insensitively_and_types_checked() {
        let (v, f) = norm(
            r#"{"RootFS":{"Type":"layers","Diff_IDs":["sha256:aa"]},"history":[{"empty_layer":"true","created":"not a date"}],"Labels":1}"#,
            &IMAGE_CONFIG,
        );
        assert_eq!(v["rootfs"]["diff_ids"][0], "sha256:aa");
        assert_eq!(v["rootfs"]["type"], "layers");
        assert_eq!(v["Labels"], 1);
        let at: Vec<(&str, bool)> = f
            .iter()
            .map(|x| (x.at.as_str(), x.what.go_fails()))
            .collect();
        assert_eq!(
            at,
            [
                ("rootfs", false),
                ("rootfs.type", false),
                ("rootfs.diff_ids", false),
                ("history[0].empty_layer", true),
                ("history[0].created", true),
            ]
        );
        // The last key wins; a struct given twice is merged into; null leaves a string.
        let (v, f) = norm(
            r#"{"os":"linux","OS":null,"rootfs":{"type":"layers","diff_ids":["a"]},"rootfs":{"diff_ids":["b"]},"config":{"Labels":{"x":"1"}},"config":{"Labels":{"y":"2"}}}"#,
            &IMAGE_CONFIG,
        );
        assert_eq!(v["os"], "linux");
        assert_eq!(
            v["rootfs"],
            serde_json::json!({"type":"layers","diff_ids":["b"]})
        );
        assert_eq!(v["config"]["Labels"], serde_json::json!({"x":"1","y":"2"}));
        assert_eq!(f.len(), 1);
        // Integers as ParseInt reads them; map keys as written.
        let (_, f) = norm(
            r#"{"Size":1.5,"config":{"labels":{"A":"b"},"StopTimeout":3}}"#,
            &IMAGE_CONFIG,
        );
        let at: Vec<&str> = f.iter().map(|x| x.at.as_str()).collect();
        assert_eq!(at, ["Size", "config.Labels"]);
    }
}
