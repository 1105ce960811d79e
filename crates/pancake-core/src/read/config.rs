//! Lenient serde shapes for the metadata inside an image tarball: Docker's `manifest.json`,
//! OCI `index.json` / image manifests, image configs, legacy `repositories` and `<id>/json`.
//!
//! Why not `oci-spec`: its image types make fields such as `architecture`, `os`, `rootfs`,
//! descriptor `mediaType`/`size` required and typed strictly, so one odd field fails the whole
//! document — and real tarballs are odd (go-containerregistry's hand-made test images, Docker's
//! `manifest.json` is not an OCI type at all, buildah's mislabelled history, `Labels: null`,
//! a string `Cmd` in old configs). Pancake must still show such an image and report what is
//! wrong, so every field here is optional and a field of the wrong type becomes `None` instead
//! of an error. (Its builder/getset/strum dependency tree also adds weight to the wasm build.)
//! The shapes follow the image-spec and Docker's docker-archive format field for field.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::digest::{Digest, DigestError};
use crate::model::{HistoryEntry, ImageConfig, RootfsClaim};
use crate::read::gojson;

/// Deserializes `T`, turning a value of the wrong shape into `None` rather than an error.
fn lenient<'de, D: Deserializer<'de>, T: serde::de::DeserializeOwned>(
    d: D,
) -> Result<Option<T>, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(serde_json::from_value(v).ok())
}

/// One entry of Docker's `manifest.json` array.
#[derive(Debug, Default, Deserialize)]
pub struct DockerManifestEntry {
    #[serde(rename = "Config", default, deserialize_with = "lenient")]
    /// `Config`: path of the image config blob inside the archive (e.g. `blobs/sha256/<hex>`).
    pub config: Option<String>,
    #[serde(rename = "RepoTags", default, deserialize_with = "lenient")]
    /// `RepoTags`: the image's names (`repo:tag`), as `docker save` was given them.
    pub repo_tags: Option<Vec<String>>,
    #[serde(rename = "Layers", default, deserialize_with = "lenient")]
    /// `Layers`: paths of the layer blobs inside the archive, base layer first.
    pub layers: Option<Vec<String>>,
    /// diff_id → descriptor of the blob (Docker 25+, go-containerregistry).
    #[serde(rename = "LayerSources", default, deserialize_with = "lenient")]
    pub layer_sources: Option<BTreeMap<String, Descriptor>>,
}

/// An OCI content descriptor.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Descriptor {
    #[serde(rename = "mediaType", default, deserialize_with = "lenient")]
    /// `mediaType` of the content it points to.
    pub media_type: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    /// `digest`: `<algorithm>:<hex>` of the content, unparsed.
    pub digest: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    /// `size` of the content, in bytes, as written: Go's `int64`, so a negative size is a
    /// claim that is read (and found false), not a field dropped.
    pub size: Option<i64>,
    #[serde(default, deserialize_with = "lenient")]
    /// `platform` (in an index: which OS/architecture the manifest is for).
    pub platform: Option<Platform>,
    #[serde(default, deserialize_with = "lenient")]
    /// `annotations`, key → value.
    pub annotations: Option<BTreeMap<String, String>>,
    /// Where a non-distributable layer can be fetched from.
    #[serde(default, deserialize_with = "lenient")]
    pub urls: Option<Vec<String>>,
    #[serde(rename = "artifactType", default, deserialize_with = "lenient")]
    /// `artifactType` (image-spec 1.1) of the manifest it points to.
    pub artifact_type: Option<String>,
}

impl Descriptor {
    /// An annotation's value.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.annotations
            .as_ref()
            .and_then(|a| a.get(key))
            .map(String::as_str)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
/// An index descriptor's `platform`: which OS and CPU an image manifest is for.
pub struct Platform {
    #[serde(default, deserialize_with = "lenient")]
    /// `architecture` (`amd64`, `arm64` …).
    pub architecture: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    /// `os` (`linux`, `windows` …).
    pub os: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    /// `variant` (`v7`, `v8` …).
    pub variant: Option<String>,
}

impl Platform {
    /// `os/architecture[/variant]`, `?` for a missing os or architecture.
    pub fn display(&self) -> String {
        let mut s = format!(
            "{}/{}",
            self.os.as_deref().unwrap_or("?"),
            self.architecture.as_deref().unwrap_or("?")
        );
        if let Some(v) = &self.variant {
            s.push('/');
            s.push_str(v);
        }
        s
    }
}

/// An OCI image index or image manifest (or a Docker manifest list / v2 manifest): which one
/// it is shows in `mediaType` or in which of `manifests` / `layers` is present.
#[derive(Debug, Default, Deserialize)]
pub struct OciDocument {
    #[serde(rename = "mediaType", default, deserialize_with = "lenient")]
    /// `mediaType` as the document declares it.
    pub media_type: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    /// `manifests` (an index): descriptors of the manifests or nested indexes, in order.
    pub manifests: Option<Vec<Descriptor>>,
    #[serde(default, deserialize_with = "lenient")]
    /// `config` (an image manifest): descriptor of the config blob.
    pub config: Option<Descriptor>,
    #[serde(default, deserialize_with = "lenient")]
    /// `layers` (an image manifest): descriptors of the layer blobs, base first.
    pub layers: Option<Vec<Descriptor>>,
    /// Image-spec 1.1: what kind of artifact this manifest is.
    #[serde(rename = "artifactType", default, deserialize_with = "lenient")]
    pub artifact_type: Option<String>,
    /// Image-spec 1.1: the manifest this one refers to (signatures, SBOMs ...).
    #[serde(default, deserialize_with = "lenient")]
    pub subject: Option<Descriptor>,
    /// Docker schema 1's `fsLayers`, only whether the key is there (even as `null`, which Go
    /// hands a `json.RawMessage` as the text `null`): containerd refuses a manifest or index
    /// that carries it ("media-type: schema 1 not supported").
    #[serde(rename = "fsLayers", default, deserialize_with = "lenient")]
    pub fs_layers: Option<serde::de::IgnoredAny>,
    /// Which of `manifests`, `config` and `layers` have their key in the document, whatever
    /// the value: set by the resolver ([`KeysPresent::of`]), default (none) elsewhere.
    #[serde(skip)]
    pub keys: KeysPresent,
}

/// Which of the fields containerd's `validateMediaType` looks at have their key in a
/// document. It decodes them as `json.RawMessage` and tests `len(…) != 0`, and Go hands a
/// `json.RawMessage` even `null` as its text (`encoding/json`: an Unmarshaler is called
/// "including when the input is a JSON null"), so `"manifests": null` counts as present, as
/// does a value of the wrong type, while [`OciDocument::manifests`] is then `None`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct KeysPresent {
    /// `manifests` (an index's).
    pub manifests: bool,
    /// `config` (a manifest's).
    pub config: bool,
    /// `layers` (a manifest's).
    pub layers: bool,
}

impl KeysPresent {
    /// The keys of `v`, a document whose keys [`gojson::normalize`] has spelled as the
    /// fields are (so `Manifests` is `manifests`, as Go matches it).
    pub fn of(v: &Value) -> KeysPresent {
        let has = |k: &str| v.as_object().is_some_and(|o| o.contains_key(k));
        KeysPresent {
            manifests: has("manifests"),
            config: has("config"),
            layers: has("layers"),
        }
    }
}

impl OciDocument {
    /// `text` parsed as [`OciDocument`] (after a leading BOM) but with `layers` left out
    /// (`None`), unless the document has `manifests` (then read whole: with both, `layers`
    /// decides [`OciDocument::is_index`]). What a reader of indexes needs — which kind of
    /// document it is, its config and artifact type — at a fraction of the cost: a manifest
    /// of 20,000 layers took ~120 ms to parse whole on the page's thread. Read as
    /// containerd's import reads the document (what the resolver shows,
    /// [`crate::read::gojson`]): lone surrogate escapes as U+FFFD, keys
    /// matched to the fields of [`gojson::OCI_DOCUMENT`] as Go's `encoding/json` matches them
    /// (`Manifests` is `manifests`), the members whose key Go matches to `layers` skipped
    /// unless the document has `manifests` (then read whole). Says nothing of what it repairs
    /// or what Go refuses (the resolver does). `None` where reading it whole fails.
    pub fn parse_as_go_without_layers(text: &str) -> Option<OciDocument> {
        let (text, _) = gojson::surrogates_as_go_reads(text.trim_start_matches('\u{feff}'));
        let whole = |text: &str| -> Option<OciDocument> {
            let doc: gojson::Doc = serde_json::from_str(text).ok()?;
            let v = match doc {
                gojson::Doc::Obj(_) => {
                    gojson::normalize(doc, &gojson::OCI_DOCUMENT, "", &mut Vec::new())
                }
                other => other.into_value(),
            };
            Some(serde_json::from_value(v).unwrap_or_default())
        };
        // Read whole where skipping could decide otherwise: a document that is not an object,
        // or nests deep enough for the whole parse's recursion limit (128) to fail it where
        // skipping would not.
        if !text.trim_start().starts_with('{') || nests_deeper_than(&text, 100) {
            return whole(&text);
        }
        let gojson::WithoutLayers(doc, skipped) = serde_json::from_str(&text).ok()?;
        let v = gojson::normalize(doc, &gojson::OCI_DOCUMENT, "", &mut Vec::new());
        let read: OciDocument = serde_json::from_value(v).unwrap_or_default();
        if skipped && read.manifests.is_some() {
            return whole(&text);
        }
        Some(read)
    }

    /// Whether this document is an image index: the descriptor's media type (else the
    /// document's own `mediaType`) is exactly the OCI index or the Docker manifest list type
    /// ([`crate::media::is_index`]), or it has `manifests` and no `layers` (an index written
    /// without media types).
    pub fn is_index(&self, descriptor_media_type: Option<&str>) -> bool {
        let mt = descriptor_media_type.or(self.media_type.as_deref());
        mt.is_some_and(crate::media::is_index)
            || (self.manifests.is_some() && self.layers.is_none())
    }
}

/// Whether the JSON `text` opens more than `limit` arrays and objects inside one another
/// (brackets in strings not counted). Valid or not, one pass over the bytes.
fn nests_deeper_than(text: &str, limit: usize) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for b in text.bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// `Cmd`/`Entrypoint`: a list, or (old configs) a single string.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
enum StringOrList {
    List(Vec<String>),
    One(String),
}

impl StringOrList {
    fn into_vec(self) -> Vec<String> {
        match self {
            StringOrList::List(v) => v,
            StringOrList::One(s) => vec![s],
        }
    }
}

/// The `config` (or legacy `container_config`) object of an image config.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct RunConfig {
    #[serde(rename = "Env", default, deserialize_with = "lenient")]
    /// `Env`: `NAME=value` strings, in order.
    pub env: Option<Vec<String>>,
    #[serde(rename = "Cmd", default, deserialize_with = "lenient")]
    cmd: Option<StringOrList>,
    #[serde(rename = "Entrypoint", default, deserialize_with = "lenient")]
    entrypoint: Option<StringOrList>,
    #[serde(rename = "WorkingDir", default, deserialize_with = "lenient")]
    /// `WorkingDir`.
    pub working_dir: Option<String>,
    #[serde(rename = "User", default, deserialize_with = "lenient")]
    /// `User` (a name or uid, optionally `:group`).
    pub user: Option<String>,
    #[serde(rename = "ExposedPorts", default, deserialize_with = "lenient")]
    /// `ExposedPorts`: port (`80/tcp`) → an empty object.
    pub exposed_ports: Option<BTreeMap<String, Value>>,
    #[serde(rename = "Volumes", default, deserialize_with = "lenient")]
    /// `Volumes`: mount path → an empty object.
    pub volumes: Option<BTreeMap<String, Value>>,
    #[serde(rename = "Labels", default, deserialize_with = "lenient")]
    /// `Labels`: key → value (a value that is not a string is kept as JSON).
    pub labels: Option<BTreeMap<String, Value>>,
}

impl RunConfig {
    /// `Cmd` as a list; an old config's single string becomes a one-item list.
    pub fn cmd(&self) -> Option<Vec<String>> {
        self.cmd.clone().map(StringOrList::into_vec)
    }
    /// `Entrypoint` as a list; an old config's single string becomes a one-item list.
    pub fn entrypoint(&self) -> Option<Vec<String>> {
        self.entrypoint.clone().map(StringOrList::into_vec)
    }
}

#[derive(Debug, Default, Deserialize)]
/// An image config's `rootfs`: the layers' uncompressed digests.
pub struct RootFs {
    #[serde(rename = "type", default, deserialize_with = "lenient")]
    /// `type` (always `layers` per the image-spec; not checked).
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    /// `diff_ids`: sha256 of each uncompressed layer tar, base first, unparsed; each item
    /// as written, so one that is not a string (`null`, a number) is a malformed claim of its
    /// layer and not the loss of the whole list.
    pub diff_ids: Option<Vec<Value>>,
}

#[derive(Debug, Default, Deserialize)]
/// One entry of an image config's `history`, oldest first in its list.
pub struct History {
    #[serde(default, deserialize_with = "lenient")]
    /// `created`: when the step ran, RFC 3339 as written.
    pub created: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    /// `created_by`: the command of the step.
    pub created_by: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    /// `comment`.
    pub comment: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    /// `author`.
    pub author: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    /// `empty_layer`: true when the step made no layer (absent = false).
    pub empty_layer: Option<bool>,
}

/// An image config (also the shape of a legacy `<id>/json`, which adds `id` and `parent`).
#[derive(Debug, Default, Deserialize)]
pub struct ConfigFile {
    #[serde(default, deserialize_with = "lenient")]
    /// `architecture`.
    pub architecture: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    /// `os`.
    pub os: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    /// `variant`.
    pub variant: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    /// `created`: RFC 3339 timestamp as written.
    pub created: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    /// `author`.
    pub author: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    /// `config`: how a container of the image runs.
    pub config: Option<RunConfig>,
    #[serde(default, deserialize_with = "lenient")]
    /// `container_config`: legacy; used when `config` is absent.
    pub container_config: Option<RunConfig>,
    #[serde(default, deserialize_with = "lenient")]
    /// `rootfs`: the layers' diff_ids.
    pub rootfs: Option<RootFs>,
    #[serde(default, deserialize_with = "lenient")]
    /// `history`: the build steps, oldest first.
    pub history: Option<Vec<History>>,
    #[serde(default, deserialize_with = "lenient")]
    /// `id` (legacy `<id>/json` only): this layer's id, 64 hex characters.
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    /// `parent` (legacy `<id>/json` only): the id of the layer below, absent for the base.
    pub parent: Option<String>,
    /// Where Go's `encoding/json` refuses a value when `docker load` decodes this config
    /// (`history[1].empty_layer`, `created`): set by the reader, never read from the JSON.
    #[serde(skip)]
    pub go_refused: Vec<String>,
}

impl ConfigFile {
    /// The person-readable parts, in the model's shape.
    pub fn to_image_config(&self) -> ImageConfig {
        let run = self.config.as_ref().or(self.container_config.as_ref());
        let keys = |m: Option<&BTreeMap<String, Value>>| {
            m.map(|m| m.keys().cloned().collect()).unwrap_or_default()
        };
        ImageConfig {
            architecture: self.architecture.clone(),
            os: self.os.clone(),
            variant: self.variant.clone(),
            created: self.created.clone(),
            author: self.author.clone(),
            env: run.and_then(|r| r.env.clone()).unwrap_or_default(),
            cmd: run.and_then(RunConfig::cmd),
            entrypoint: run.and_then(RunConfig::entrypoint),
            working_dir: run.and_then(|r| r.working_dir.clone()),
            user: run.and_then(|r| r.user.clone()),
            exposed_ports: keys(run.and_then(|r| r.exposed_ports.as_ref())),
            volumes: keys(run.and_then(|r| r.volumes.as_ref())),
            labels: run
                .and_then(|r| r.labels.as_ref())
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| {
                            (
                                k.clone(),
                                v.as_str()
                                    .map(str::to_string)
                                    .unwrap_or_else(|| v.to_string()),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
            diff_ids: self.claimed_diff_ids().into_iter().flatten().collect(),
            // Set by the reader, from the config as Go decodes it: a legacy v1 layer config
            // read here has no rootfs and must not claim one.
            rootfs: RootfsClaim::Unread,
        }
    }

    /// `rootfs.diff_ids` in order; an entry that is not a valid digest is `None`.
    pub fn claimed_diff_ids(&self) -> Vec<Option<Digest>> {
        self.diff_id_claims().into_iter().map(Result::ok).collect()
    }

    /// `rootfs.diff_ids` in order, each parsed or with why it cannot be used (an algorithm the
    /// image-spec does not register is named as such).
    pub fn diff_id_claims(&self) -> Vec<Result<Digest, DigestError>> {
        self.rootfs
            .as_ref()
            .and_then(|r| r.diff_ids.as_ref())
            .map(|v| {
                v.iter()
                    .map(|s| {
                        s.as_str()
                            .map_or(Err(DigestError::Malformed), Digest::parse_checked)
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// History entries in order (layer pairing is done by the image resolver).
    pub fn history_entries(&self) -> Vec<HistoryEntry> {
        self.history
            .as_ref()
            .map(|h| {
                h.iter()
                    .map(|x| HistoryEntry {
                        created: x.created.clone(),
                        created_by: x.created_by.clone(),
                        comment: x.comment.clone(),
                        author: x.author.clone(),
                        empty_layer: x.empty_layer.unwrap_or(false),
                        layer: None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Legacy `repositories`: repo → tag → top layer id.
pub type Repositories = BTreeMap<String, BTreeMap<String, String>>;

/// Names a JSON value's type the way error messages say it.
pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Read as Go and without its layers, a document is what the resolver makes of it (the
    /// whole document decoded as Go decodes it, [`gojson::normalize`]) but for `layers`: keys
    /// in another case, a key given twice, `layers` spelled otherwise.
    #[test]
    fn a_document_read_as_go_without_its_layers_is_the_same_document() {
        let docs = [
            r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:aa","size":2},"layers":[{"digest":"sha256:bb","size":3}]}"#,
            r#"{"MediaType":"x","Config":{"Digest":"sha256:aa"},"LAYERS":[{"digest":"sha256:bb"}],"ArtifactType":"y"}"#,
            "\u{feff}{\"Manifests\":[{\"DIGEST\":\"sha256:cc\",\"Platform\":{\"OS\":\"linux\",\"Architecture\":\"arm64\"}}]}",
            r#"{"manifests":[{"digest":"sha256:dd"}],"Layers":[{"digest":"sha256:ee"}]}"#,
            r#"{"Layers":[],"layers":[],"config":{"digest":"sha256:aa"},"config":{"size":2}}"#,
            r#"{"manifests":[],"Manifests":[{"digest":"sha256:dd","size":"1"}],"subject":{"digest":"\ud800"}}"#,
            r#"[null,null,null,"application/vnd.example.sbom"]"#,
        ];
        for text in docs {
            let (t, _) = gojson::surrogates_as_go_reads(text.trim_start_matches('\u{feff}'));
            let doc: gojson::Doc =
                serde_json::from_str(&t).unwrap_or_else(|e| panic!("{text}: {e}"));
            let v = match doc {
                gojson::Doc::Obj(_) => {
                    gojson::normalize(doc, &gojson::OCI_DOCUMENT, "", &mut Vec::new())
                }
                other => other.into_value(),
            };
            let full: OciDocument = serde_json::from_value(v).unwrap_or_default();
            let light =
                OciDocument::parse_as_go_without_layers(text).unwrap_or_else(|| panic!("{text}"));
            for t in [None, Some("application/vnd.oci.image.index.v1+json")] {
                assert_eq!(light.is_index(t), full.is_index(t), "{text} as {t:?}");
            }
            let expected = if full.manifests.is_some() {
                full
            } else {
                OciDocument {
                    layers: None,
                    ..full
                }
            };
            assert_eq!(format!("{light:?}"), format!("{expected:?}"), "{text}");
        }
        let light = OciDocument::parse_as_go_without_layers(docs[2]).unwrap_or_default();
        let platform = light
            .manifests
            .unwrap_or_default()
            .first()
            .and_then(|d| d.platform.clone())
            .map(|p| p.display());
        assert_eq!(platform.as_deref(), Some("linux/arm64"));
        let deep = format!("{{\"Layers\":{}{}}}", "[".repeat(200), "]".repeat(200));
        assert!(OciDocument::parse_as_go_without_layers(&deep).is_none());
    }
}
