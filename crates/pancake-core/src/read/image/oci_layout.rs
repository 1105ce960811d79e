//! The `oci-layout` member, as containerd's import reads it (`core/images/archive/importer.go`
//! `ImportIndex`): it decodes the member first with `json.NewDecoder(r).Decode(&ocispec.ImageLayout)`
//! (the first JSON value; what follows it is never read) and fails the whole import if that
//! fails ("untar oci layout"). Then, if `imageLayoutVersion` is not empty, the archive is an
//! OCI layout: a version other than `1.0.0` fails ("unsupported OCI version"), and `1.0.0`
//! reads `index.json`. An empty version (the key absent, `""` or `null`) reads the archive
//! as a Docker archive through `manifest.json`, as an archive without `oci-layout` is read.
//! Docker's classic store reads `manifest.json` and never opens `oci-layout`
//! (image-spec `image-layout.md`: the file's only field, whose value must be `1.0.0`).

use crate::model::{Member, ProblemKind};
use crate::read::gojson::{folds_equal, Doc};

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
    /// The archive has no `oci-layout`: read through `manifest.json`.
    Absent,
    /// Not read yet (the page's first view reads members' contents later): taken as an OCI
    /// layout, as an `oci-layout` almost always is.
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

/// The `oci-layout` of `members` (the last member of that name, as containerd keys members
/// by name), as containerd's import reads it. `max_json_bytes` is the cap on kept JSON.
pub fn layout(members: &[Member]) -> Layout {
    let Some(m) = members
        .iter()
        .rev()
        .find(|m| m.path.as_bytes() == b"oci-layout")
    else {
        return Layout::Absent;
    };
    let Some(text) = m.facts.json.as_deref() else {
        if m.facts.sha256.is_none() && m.facts.error.is_none() {
            return Layout::Pending;
        }
        if m.facts.json_over_limit.is_some() {
            // Too large to keep: not read here, so not judged.
            return Layout::Pending;
        }
        return Layout::Unreadable("it is not a JSON document".into());
    };
    if text.starts_with('\u{feff}') {
        return Layout::Unreadable(
            "it begins with a UTF-8 byte order mark, which Go's encoding/json refuses".into(),
        );
    }
    let first = serde_json::Deserializer::from_str(text)
        .into_iter::<Doc>()
        .next();
    match first {
        None => Layout::Unreadable("it is empty (\"EOF\")".into()),
        Some(Err(e)) => Layout::Unreadable(format!("it is not valid JSON: {e}")),
        Some(Ok(doc)) => of_doc(doc),
    }
}

impl Ctx<'_> {
    /// A `load-fails` problem about `oci-layout` when containerd's import fails on it: a
    /// document Go cannot decode, a version other than [`SUPPORTED`], or no version in an
    /// archive without `manifest.json` (`has_manifest`), where it finds nothing to read.
    pub(super) fn check_oci_layout(&mut self, has_manifest: bool) {
        let classic = if has_manifest {
            "; Docker's classic store reads manifest.json and never opens oci-layout"
        } else {
            ""
        };
        let detail = match &self.layout {
            Layout::Absent | Layout::Pending => return,
            Layout::Version(v) if v == SUPPORTED => return,
            Layout::NoVersion if has_manifest => return,
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

/// The version a decoded document gives, as `json.Unmarshal` into `ImageLayout` takes it:
/// `null` leaves the struct empty; an object's keys that fold to `imageLayoutVersion` each
/// set it in turn (the last wins; `null` keeps what was there); any other type fails.
fn of_doc(doc: Doc) -> Layout {
    let members = match doc {
        Doc::Null => return Layout::NoVersion,
        Doc::Obj(members) => members,
        other => {
            return Layout::Unreadable(format!(
                "it is {}, not a JSON object (\"cannot unmarshal\")",
                kind(&other)
            ))
        }
    };
    let mut version = String::new();
    for (key, value) in members {
        if !folds_equal(&key, "imageLayoutVersion") {
            continue;
        }
        match value {
            Doc::Str(s) => version = s,
            Doc::Null => {}
            other => {
                return Layout::Unreadable(format!(
                    "its imageLayoutVersion is {}, not a string (\"cannot unmarshal\")",
                    kind(&other)
                ))
            }
        }
    }
    if version.is_empty() {
        Layout::NoVersion
    } else {
        Layout::Version(version)
    }
}

fn kind(d: &Doc) -> &'static str {
    match d {
        Doc::Null => "null",
        Doc::Bool(_) => "a boolean",
        Doc::Num(_) => "a number",
        Doc::Str(_) => "a string",
        Doc::Arr(_) => "an array",
        Doc::Obj(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Layout {
        match serde_json::Deserializer::from_str(text)
            .into_iter::<Doc>()
            .next()
        {
            Some(Ok(d)) => of_doc(d),
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn versions_as_go_decodes_them() {
        assert_eq!(
            read(r#"{"imageLayoutVersion":"1.0.0"}"#),
            Layout::Version("1.0.0".into())
        );
        assert_eq!(
            read(r#"{"imageLayoutVersion":"2.0.0"}"#),
            Layout::Version("2.0.0".into())
        );
        // Go matches keys case-insensitively; the last one wins; null keeps the value.
        assert_eq!(
            read(
                r#"{"imageLayoutVersion":"1.0.0","IMAGELAYOUTVERSION":"1.1.0","imagelayoutversion":null}"#
            ),
            Layout::Version("1.1.0".into())
        );
        for empty in [
            r#"{}"#,
            r#"{"imageLayoutVersion":""}"#,
            "null",
            r#"{"imageLayoutVersion":null}"#,
            r#"{"version":"1.0.0"}"#,
        ] {
            assert_eq!(read(empty), Layout::NoVersion, "{empty}");
        }
        for bad in [
            r#"{"imageLayoutVersion":1}"#,
            "[]",
            r#""1.0.0""#,
            r#"{"imageLayoutVersion":["1.0.0"]}"#,
        ] {
            assert!(matches!(read(bad), Layout::Unreadable(_)), "{bad}");
        }
        assert!(Layout::NoVersion.containerd_reads_manifest_json());
        assert!(!Layout::Version("1.0.0".into()).containerd_reads_manifest_json());
    }
}
