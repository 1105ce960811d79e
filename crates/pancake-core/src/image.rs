//! Deciding, once every member has been seen, what the archive holds: which blobs are
//! manifests, configs and layers, which images they make, and whether every claim about
//! them holds. Pure function of the members; re-run after more facts arrive.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;

use crate::config::{self, ConfigFile, Descriptor, DockerManifestEntry, OciDocument, Repositories};
use crate::digest::Digest;
use crate::model::{
    Archive, EntryKind, Format, Image, Layer, Member, Mismatch, Problem, ProblemKind,
};
use crate::path::RawPath;
use crate::{union, whiteout};

/// Problems found while walking the outer tar (read errors, unsafe or duplicate member names)
/// carry this prefix; re-resolving keeps them and recomputes everything else.
pub const OUTER_PREFIX: &str = "outer ";

/// Problems a valid archive never has (the others — history, duplicates, whiteouts, hard links
/// that point to nothing — are
/// warnings; a platform left out of a multi-platform index is information: see
/// [`ProblemKind::MissingPlatform`]).
pub fn is_error_level(kind: ProblemKind) -> bool {
    !matches!(
        kind,
        ProblemKind::History
            | ProblemKind::DuplicateMember
            | ProblemKind::Whiteout
            | ProblemKind::HardLink
            | ProblemKind::MissingPlatform
            | ProblemKind::TarQuirk
    )
}

/// Recomputes `format`, `images` and the derived problems of `archive`.
pub fn resolve(archive: &mut Archive) {
    let mut problems: Vec<Problem> = archive
        .problems
        .drain(..)
        .filter(|p| p.message.starts_with(OUTER_PREFIX))
        .collect();
    for m in &archive.members {
        problems.extend(m.facts.problems.iter().cloned());
        // Invalid whiteout names, from the entries alone (recomputed on every resolve, like
        // everything else here, so they are never counted twice).
        if let Some(l) = &m.facts.layer {
            problems.extend(whiteout::problems(Some(&m.path.display()), &l.entries));
        }
    }
    let mut ctx = Ctx {
        members: &archive.members,
        by_path: index_paths(&archive.members),
        problems,
    };
    let has = |p: &str| ctx.by_path.contains_key(p.as_bytes());
    let (has_manifest, has_index, has_layout, has_repos) = (
        has("manifest.json"),
        has("index.json"),
        has("oci-layout"),
        has("repositories"),
    );
    archive.format = if has_manifest && has_index && has_layout {
        Format::DockerOciLayout
    } else if has_manifest {
        Format::DockerArchive
    } else if has_index {
        Format::OciArchive
    } else if has_repos {
        Format::LegacyV1
    } else {
        Format::Unrecognized
    };
    let images = if has_manifest {
        let oci = if has_index {
            ctx.oci_candidates()
        } else {
            Vec::new()
        };
        ctx.docker_images(&oci)
    } else if has_index {
        let oci = ctx.oci_candidates();
        oci.iter().map(|c| ctx.oci_image(c)).collect()
    } else if has_repos {
        ctx.legacy_images()
    } else {
        if !ctx.members.is_empty() {
            ctx.problem(
                ProblemKind::Metadata,
                None,
                "no manifest.json, index.json or repositories: not a container image archive"
                    .into(),
            );
        }
        Vec::new()
    };
    archive.problems = ctx.problems;
    archive.images = images;
    // Hard links that point to nothing need the layers below them: one fold per image, each
    // problem once even when images share the layer.
    let mut links: Vec<Problem> = Vec::new();
    let mut seen: HashSet<(Option<String>, String)> = HashSet::new();
    for img in &archive.images {
        for p in union::link_problems(archive, img) {
            if seen.insert((p.member.clone(), p.message.clone())) {
                links.push(p);
            }
        }
    }
    archive.problems.extend(links);
}

/// Last member with each normalized path (a later duplicate wins).
fn index_paths(members: &[Member]) -> HashMap<Vec<u8>, usize> {
    let mut m = HashMap::new();
    for (i, mem) in members.iter().enumerate() {
        m.insert(mem.path.as_bytes().to_vec(), i);
    }
    m
}

enum Found {
    Member(usize),
    Missing(String),
    Unsafe(String),
}

/// Joins `rel` onto `base` resolving `..`; `None` if it would leave the root or is absolute.
fn join_inside(base: &RawPath, rel: &[u8]) -> Option<RawPath> {
    if rel.first() == Some(&b'/') {
        return None;
    }
    let mut parts: Vec<Vec<u8>> = base.components().map(|c| c.to_vec()).collect();
    for c in rel.split(|b| *b == b'/') {
        match c {
            b"" | b"." => {}
            b".." => {
                parts.pop()?;
            }
            _ => parts.push(c.to_vec()),
        }
    }
    Some(RawPath::from_bytes(parts.join(&b'/')))
}

/// One candidate image from the OCI index walk.
struct OciCandidate {
    source: String,
    manifest_digest: Option<Digest>,
    tags: Vec<String>,
    config: Option<Descriptor>,
    layers: Vec<Descriptor>,
}

struct Ctx<'a> {
    members: &'a [Member],
    by_path: HashMap<Vec<u8>, usize>,
    problems: Vec<Problem>,
}

impl Ctx<'_> {
    fn problem(&mut self, kind: ProblemKind, member: Option<&str>, message: String) {
        self.problems.push(Problem {
            kind,
            member: member.map(str::to_string),
            message,
        });
    }

    /// Finds the member a metadata path names, following outer symlinks and hard links,
    /// never leaving the archive.
    fn find(&self, path: &str) -> Found {
        if RawPath::is_unsafe_name(path.as_bytes()) {
            return Found::Unsafe(format!("{path} points outside the archive"));
        }
        let mut cur = RawPath::normalize(path.as_bytes());
        let mut seen: HashSet<RawPath> = HashSet::new();
        for _ in 0..32 {
            if !seen.insert(cur.clone()) {
                return Found::Missing(format!(
                    "{path}: the links among members go round in a loop (symlinks or hard \
                     links pointing back at {cur}); expected them to end at a file"
                ));
            }
            let Some(&i) = self.by_path.get(cur.as_bytes()) else {
                return Found::Missing(format!("{path} is not in the archive"));
            };
            let Some(m) = self.members.get(i) else {
                return Found::Missing(path.to_string());
            };
            match (m.kind, &m.link_target) {
                (EntryKind::File, _) => return Found::Member(i),
                (EntryKind::Symlink, Some(t)) => match join_inside(&cur.parent(), t.as_bytes()) {
                    Some(next) => cur = next,
                    None => {
                        return Found::Unsafe(format!(
                            "{path}: symlink {} -> {} leaves the archive",
                            m.path, t
                        ))
                    }
                },
                (EntryKind::Hardlink, Some(t)) => {
                    match join_inside(&RawPath::default(), t.as_bytes()) {
                        Some(next) => cur = next,
                        None => {
                            return Found::Unsafe(format!(
                                "{path}: hard link {} => {} leaves the archive",
                                m.path, t
                            ))
                        }
                    }
                }
                _ => return Found::Missing(format!("{path} is not a regular file in the archive")),
            }
        }
        Found::Missing(format!("{path}: too many links"))
    }

    /// Finds a member or reports why not (as MissingBlob / UnsafePath naming `what`).
    fn find_reporting(&mut self, path: &str, what: &str) -> Option<usize> {
        match self.find(path) {
            Found::Member(i) => Some(i),
            Found::Missing(why) => {
                self.problem(
                    ProblemKind::MissingBlob,
                    Some(path),
                    format!("{what}: {why}"),
                );
                None
            }
            Found::Unsafe(why) => {
                self.problem(
                    ProblemKind::UnsafePath,
                    Some(path),
                    format!("{what}: {why}; not opened"),
                );
                self.problem(
                    ProblemKind::MissingBlob,
                    Some(path),
                    format!("{what}: {path} cannot be used (unsafe path)"),
                );
                None
            }
        }
    }

    /// The JSON document stored in member `i`, or a Metadata problem naming it.
    fn json(&mut self, i: usize, name: &str) -> Option<Value> {
        let m = self.members.get(i)?;
        if m.facts.sha256.is_none() && m.facts.json.is_none() && m.facts.error.is_none() {
            return None; // not read yet (fast first view)
        }
        let Some(text) = m.facts.json.as_deref() else {
            self.problem(
                ProblemKind::Metadata,
                Some(name),
                format!("{name}: not valid JSON (not a small UTF-8 JSON document)"),
            );
            return None;
        };
        match serde_json::from_str::<Value>(text.trim_start_matches('\u{feff}')) {
            Ok(v) => Some(v),
            Err(e) => {
                self.problem(
                    ProblemKind::Metadata,
                    Some(name),
                    format!("{name}: not valid JSON: {e}"),
                );
                None
            }
        }
    }

    fn docker_images(&mut self, oci: &[OciCandidate]) -> Vec<Image> {
        let Some(i) = self.find_reporting("manifest.json", "manifest.json") else {
            return Vec::new();
        };
        let Some(v) = self.json(i, "manifest.json") else {
            return Vec::new();
        };
        let Value::Array(entries) = v else {
            self.problem(
                ProblemKind::Metadata,
                Some("manifest.json"),
                format!(
                    "manifest.json: expected a JSON array, got {}",
                    config::json_type(&v)
                ),
            );
            return Vec::new();
        };
        let mut images = Vec::new();
        for (k, ev) in entries.into_iter().enumerate() {
            let source = format!("manifest.json[{k}]");
            let entry: DockerManifestEntry = match ev {
                Value::Object(_) => serde_json::from_value(ev).unwrap_or_default(),
                other => {
                    self.problem(
                        ProblemKind::Metadata,
                        Some("manifest.json"),
                        format!(
                            "{source}: expected an object, got {}",
                            config::json_type(&other)
                        ),
                    );
                    continue;
                }
            };
            let mut image = Image {
                source: source.clone(),
                tags: entry.repo_tags.clone().unwrap_or_default(),
                ..Image::default()
            };
            let label = image.tags.first().cloned().unwrap_or(source.clone());
            let cfg = match entry.config.as_deref() {
                Some(p) => self.config(p, &label, None, &mut image),
                None => {
                    self.problem(
                        ProblemKind::Metadata,
                        Some("manifest.json"),
                        format!("{source}: no Config"),
                    );
                    None
                }
            };
            let claimed = cfg
                .as_ref()
                .map(|c| c.claimed_diff_ids())
                .unwrap_or_default();
            let cand = image.config_digest.as_ref().and_then(|d| {
                oci.iter().find(|c| {
                    c.config.as_ref().and_then(|x| x.digest.as_deref()) == Some(d.as_str())
                })
            });
            image.manifest_digest = cand.and_then(|c| c.manifest_digest.clone());
            let paths = entry.layers.clone().unwrap_or_default();
            if cfg.is_some() && paths.len() != claimed.len() {
                self.problem(
                    ProblemKind::Metadata,
                    Some("manifest.json"),
                    format!(
                        "{label}: manifest lists {} layers, config has {} diff_ids",
                        paths.len(),
                        claimed.len()
                    ),
                );
            }
            for (j, p) in paths.iter().enumerate() {
                let claim = claimed.get(j).cloned().flatten();
                // Only the OCI manifest's descriptor is a claim about the stored blob.
                // `LayerSources` says where a layer can be fetched from (go-containerregistry
                // records the registry's gzip digest there while storing the tar uncompressed).
                let desc = cand.and_then(|c| c.layers.get(j)).cloned();
                let layer = self.layer(&label, j, Some(p), claim, desc.as_ref());
                image.layers.push(layer);
            }
            self.pair_history(&mut image, &label);
            images.push(image);
        }
        images
    }

    /// Reads and checks a config blob; fills config, history, config_digest.
    fn config(
        &mut self,
        path: &str,
        label: &str,
        desc: Option<&Descriptor>,
        image: &mut Image,
    ) -> Option<ConfigFile> {
        let i = self.find_reporting(path, &format!("{label}: config"))?;
        let m = self.members.get(i)?;
        image.config_digest = m.facts.sha256.clone();
        if let Some(actual) = m.facts.sha256.clone() {
            let base = RawPath::normalize(path.as_bytes()).file_name().to_vec();
            let base = String::from_utf8_lossy(&base);
            let stem = base.strip_suffix(".json").unwrap_or(&base);
            if let Some(named) = Digest::from_hex(stem) {
                if named != actual {
                    self.problem(
                        ProblemKind::DigestMismatch,
                        Some(path),
                        format!(
                            "{label}: config {path}: file name says {named}, computed {actual}"
                        ),
                    );
                }
            }
            if let Some(claimed) = desc.and_then(|d| d.digest.as_deref()) {
                if claimed != actual.as_str() {
                    self.problem(
                        ProblemKind::DigestMismatch,
                        Some(path),
                        format!(
                            "{label}: config {path}: descriptor says {claimed}, computed {actual}"
                        ),
                    );
                }
            }
        }
        let v = self.json(i, path)?;
        if !v.is_object() {
            self.problem(
                ProblemKind::Metadata,
                Some(path),
                format!(
                    "{path}: expected a JSON object, got {}",
                    config::json_type(&v)
                ),
            );
            return None;
        }
        let cfg: ConfigFile = serde_json::from_value(v).unwrap_or_default();
        image.config = cfg.to_image_config();
        image.history = cfg.history_entries();
        Some(cfg)
    }

    /// Builds one layer and checks every claim about it.
    fn layer(
        &mut self,
        label: &str,
        j: usize,
        path: Option<&str>,
        claim: Option<Digest>,
        desc: Option<&Descriptor>,
    ) -> Layer {
        let mut layer = Layer {
            blob_path: path.map(str::to_string),
            media_type: desc.and_then(|d| d.media_type.clone()),
            config_diff_id: claim.clone(),
            ..Layer::default()
        };
        let what = format!("{label} layer {j}");
        let Some(path) = path else {
            self.problem(
                ProblemKind::MissingBlob,
                None,
                format!("{what}: no blob named"),
            );
            return layer;
        };
        let Some(i) = self.find_reporting(path, &what) else {
            return layer;
        };
        let Some(m) = self.members.get(i) else {
            return layer;
        };
        layer.member = Some(i);
        layer.stored_size = m.size;
        layer.compression = m.facts.compression;
        layer.digest = m.facts.sha256.clone();
        let member_name = m.path.display().into_owned();
        let hashed = m.facts.sha256.is_some();
        let mut checks = 0;
        let mut fully_read = false;
        match &m.facts.layer {
            Some(ix) => {
                layer.diff_id = ix.diff_id.clone();
                layer.size = ix.uncompressed_size;
                fully_read = ix.diff_id.is_some() && ix.error.is_none();
            }
            None if hashed => {
                self.problem(
                    ProblemKind::LayerUnreadable,
                    Some(&member_name),
                    format!(
                        "{what} ({member_name}): not a tar archive (compression: {:?})",
                        m.facts.compression
                    ),
                );
            }
            None => {}
        }
        let mut mismatches = Vec::new();
        if let (Some(c), Some(a)) = (&claim, &layer.diff_id) {
            checks += 1;
            if c != a {
                mismatches.push(Mismatch {
                    what: format!("diff_id (config rootfs.diff_ids[{j}])"),
                    expected: c.to_string(),
                    actual: a.to_string(),
                });
            }
        }
        if let Some(d) = desc {
            if let (Some(c), Some(a)) = (d.digest.as_deref(), &layer.digest) {
                checks += 1;
                if c != a.as_str() {
                    mismatches.push(Mismatch {
                        what: "digest (descriptor)".into(),
                        expected: c.to_string(),
                        actual: a.to_string(),
                    });
                }
            }
            if let (Some(c), true) = (d.size, hashed) {
                checks += 1;
                if c != m.size {
                    mismatches.push(Mismatch {
                        what: "size (descriptor)".into(),
                        expected: c.to_string(),
                        actual: m.size.to_string(),
                    });
                }
            }
        }
        let norm = RawPath::normalize(path.as_bytes());
        let norm = norm.display();
        if let (Some(hex), Some(a)) = (norm.strip_prefix("blobs/sha256/"), &layer.digest) {
            if let Some(named) = Digest::from_hex(hex) {
                checks += 1;
                if &named != a {
                    mismatches.push(Mismatch {
                        what: "digest (blob file name)".into(),
                        expected: named.to_string(),
                        actual: a.to_string(),
                    });
                }
            }
        }
        for mm in &mismatches {
            self.problem(
                ProblemKind::DigestMismatch,
                Some(&member_name),
                format!(
                    "{what} ({member_name}): {} mismatch: expected {}, computed {}",
                    mm.what, mm.expected, mm.actual
                ),
            );
        }
        layer.verified = fully_read && mismatches.is_empty() && checks > 0;
        layer.mismatches = mismatches;
        layer
    }

    /// Pairs history entries without `empty_layer` onto layers, in order.
    /// Pairs history steps with layers by the rules of [`history::pair`]; says which rule
    /// was used when the two do not line up one to one.
    fn pair_history(&mut self, image: &mut Image, label: &str) {
        let evidence = crate::history::layer_evidence(image, self.members);
        let pairing = crate::history::pair(&image.history, &evidence);
        if let Some(note) = crate::history::apply_pairing(image, &pairing) {
            self.problem(ProblemKind::History, None, format!("{label}: {note}"));
        }
    }

    /// Walks `index.json` (and nested indexes) into candidate images, one per manifest digest.
    fn oci_candidates(&mut self) -> Vec<OciCandidate> {
        let mut out: Vec<OciCandidate> = Vec::new();
        let Some(i) = self.find_reporting("index.json", "index.json") else {
            return out;
        };
        let Some(v) = self.json(i, "index.json") else {
            return out;
        };
        if !v.is_object() {
            self.problem(
                ProblemKind::Metadata,
                Some("index.json"),
                format!(
                    "index.json: expected a JSON object, got {}",
                    config::json_type(&v)
                ),
            );
            return out;
        }
        let doc: OciDocument = serde_json::from_value(v).unwrap_or_default();
        self.walk_index(&doc, "index.json".into(), 0, &[], &mut out);
        out
    }

    /// `inherited_tags`: the names on the descriptor that led to a nested index (containerd
    /// puts the image name on `index.json`'s entry for the image INDEX, not on its manifests).
    ///
    /// In a nested index (one image's platforms), two kinds of entry are not images:
    /// - attestation manifests (BuildKit provenance/SBOM, `vnd.docker.reference.type:
    ///   attestation-manifest`, platform unknown/unknown) are skipped, present or not;
    /// - a platform whose manifest blob is absent while another platform of the same index is
    ///   present is reported once, as [`ProblemKind::MissingPlatform`] (not an error: that is
    ///   how `docker save` with the containerd store saves an image pulled for one platform).
    ///   If no platform at all is present, each absence stays a `MissingBlob` error.
    fn walk_index(
        &mut self,
        doc: &OciDocument,
        trail: String,
        depth: usize,
        inherited_tags: &[String],
        out: &mut Vec<OciCandidate>,
    ) {
        if depth > 8 {
            self.problem(
                ProblemKind::Metadata,
                None,
                format!("{trail}: indexes nested too deeply"),
            );
            return;
        }
        let manifests = doc.manifests.clone().unwrap_or_default();
        let blob_path = |d: &Descriptor| {
            d.digest
                .as_deref()
                .and_then(Digest::parse)
                .map(|g| format!("blobs/sha256/{}", g.hex()))
        };
        let some_platform_present = depth > 0
            && manifests.iter().any(|d| {
                !is_attestation(d)
                    && blob_path(d).is_some_and(|p| matches!(self.find(&p), Found::Member(_)))
            });
        for (k, desc) in manifests.iter().enumerate() {
            let source = format!("{trail}.manifests[{k}]");
            if is_attestation(desc) {
                continue;
            }
            let Some(digest) = desc.digest.as_deref().and_then(Digest::parse) else {
                self.problem(
                    ProblemKind::Metadata,
                    None,
                    format!("{source}: no valid sha256 digest"),
                );
                continue;
            };
            let path = format!("blobs/sha256/{}", digest.hex());
            let platform = desc
                .platform
                .as_ref()
                .map(|p| format!(" (platform {})", p.display()))
                .unwrap_or_default();
            if some_platform_present && matches!(self.find(&path), Found::Missing(_)) {
                let shown = desc
                    .platform
                    .as_ref()
                    .map(|p| p.display())
                    .unwrap_or_else(|| "unnamed".into());
                self.problem(
                    ProblemKind::MissingPlatform,
                    Some(&path),
                    format!(
                        "{source}: platform {shown} is not in this tarball (its manifest {digest} is absent); \
                         docker save with the containerd image store keeps only the platforms present \
                         locally — the platforms that are here are shown"
                    ),
                );
                continue;
            }
            let Some(i) =
                self.find_reporting(&path, &format!("{source}{platform}: manifest {digest}"))
            else {
                continue;
            };
            if let Some(actual) = self.members.get(i).and_then(|m| m.facts.sha256.clone()) {
                if actual != digest {
                    self.problem(
                        ProblemKind::DigestMismatch,
                        Some(&path),
                        format!(
                            "{source}: manifest blob {path}: expected {digest}, computed {actual}"
                        ),
                    );
                }
            }
            let Some(v) = self.json(i, &path) else {
                continue;
            };
            let sub: OciDocument = serde_json::from_value(v).unwrap_or_default();
            let mut tags = tags_from(desc);
            if tags.is_empty() {
                tags = inherited_tags.to_vec();
            }
            if sub.is_index(desc.media_type.as_deref()) {
                self.walk_index(
                    &sub,
                    format!("{source}->{}", digest.short()),
                    depth + 1,
                    &tags,
                    out,
                );
                continue;
            }
            if let Some(existing) = out
                .iter_mut()
                .find(|c| c.manifest_digest.as_ref() == Some(&digest))
            {
                for t in tags {
                    if !existing.tags.contains(&t) {
                        existing.tags.push(t);
                    }
                }
                continue;
            }
            out.push(OciCandidate {
                source,
                manifest_digest: Some(digest),
                tags,
                config: sub.config,
                layers: sub.layers.unwrap_or_default(),
            });
        }
    }

    fn oci_image(&mut self, c: &OciCandidate) -> Image {
        let mut image = Image {
            source: c.source.clone(),
            tags: c.tags.clone(),
            manifest_digest: c.manifest_digest.clone(),
            ..Image::default()
        };
        let label = image.tags.first().cloned().unwrap_or(c.source.clone());
        let cfg = match c
            .config
            .as_ref()
            .and_then(|d| d.digest.as_deref())
            .and_then(Digest::parse)
        {
            Some(d) => self.config(
                &format!("blobs/sha256/{}", d.hex()),
                &label,
                c.config.as_ref(),
                &mut image,
            ),
            None => {
                self.problem(
                    ProblemKind::Metadata,
                    None,
                    format!("{}: manifest has no valid config descriptor", c.source),
                );
                None
            }
        };
        let claimed = cfg
            .as_ref()
            .map(|c| c.claimed_diff_ids())
            .unwrap_or_default();
        if cfg.is_some() && c.layers.len() != claimed.len() {
            self.problem(
                ProblemKind::Metadata,
                None,
                format!(
                    "{label}: manifest lists {} layers, config has {} diff_ids",
                    c.layers.len(),
                    claimed.len()
                ),
            );
        }
        for (j, d) in c.layers.iter().enumerate() {
            let path = d
                .digest
                .as_deref()
                .and_then(Digest::parse)
                .map(|g| format!("blobs/sha256/{}", g.hex()));
            let layer = self.layer(
                &label,
                j,
                path.as_deref(),
                claimed.get(j).cloned().flatten(),
                Some(d),
            );
            image.layers.push(layer);
        }
        self.pair_history(&mut image, &label);
        image
    }

    /// Pre-1.10 `docker save`: `repositories` names top layer ids; `<id>/json` chains parents.
    fn legacy_images(&mut self) -> Vec<Image> {
        let Some(i) = self.find_reporting("repositories", "repositories") else {
            return Vec::new();
        };
        let Some(v) = self.json(i, "repositories") else {
            return Vec::new();
        };
        let repos: Repositories = match serde_json::from_value(v) {
            Ok(r) => r,
            Err(e) => {
                self.problem(
                    ProblemKind::Metadata,
                    Some("repositories"),
                    format!("repositories: wrong shape: {e}"),
                );
                return Vec::new();
            }
        };
        let mut by_top: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (repo, tags) in &repos {
            for (tag, top) in tags {
                by_top
                    .entry(top.clone())
                    .or_default()
                    .push(format!("{repo}:{tag}"));
            }
        }
        let mut images = Vec::new();
        for (top, tags) in by_top {
            let label = tags.first().cloned().unwrap_or(top.clone());
            let mut chain: Vec<(String, ConfigFile)> = Vec::new();
            let mut cur = Some(top.clone());
            let mut seen = HashSet::new();
            while let Some(id) = cur.take() {
                if !seen.insert(id.clone()) || chain.len() > 4096 {
                    self.problem(
                        ProblemKind::Metadata,
                        None,
                        format!("{label}: legacy parent chain loops at {id}"),
                    );
                    break;
                }
                let p = format!("{id}/json");
                let Some(i) = self.find_reporting(&p, &format!("{label}: legacy layer json"))
                else {
                    break;
                };
                let Some(v) = self.json(i, &p) else { break };
                let cfg: ConfigFile = serde_json::from_value(v).unwrap_or_default();
                cur = cfg.parent.clone().filter(|s| !s.is_empty());
                chain.push((id, cfg));
            }
            chain.reverse();
            let mut image = Image {
                source: format!("repositories {label}"),
                tags,
                ..Image::default()
            };
            if let Some((_, topcfg)) = chain.last() {
                image.config = topcfg.to_image_config();
            }
            for (j, (id, cfg)) in chain.iter().enumerate() {
                let run = cfg.container_config.as_ref();
                let created_by = run
                    .and_then(|r| r.cmd())
                    .map(|v| v.join(" "))
                    .filter(|s| !s.is_empty());
                image.history.push(crate::model::HistoryEntry {
                    created: cfg.created.clone(),
                    created_by,
                    author: cfg.author.clone(),
                    ..Default::default()
                });
                let layer = self.layer(&label, j, Some(&format!("{id}/layer.tar")), None, None);
                image.layers.push(layer);
            }
            self.pair_history(&mut image, &label);
            images.push(image);
        }
        images
    }
}

/// BuildKit's attestation manifests (provenance, SBOM) sit in an image index beside the
/// platform manifests; they describe an image and are not one.
fn is_attestation(desc: &Descriptor) -> bool {
    desc.annotations
        .as_ref()
        .and_then(|a| a.get("vnd.docker.reference.type"))
        .is_some_and(|t| t == "attestation-manifest")
}

/// Image names from a descriptor's annotations (`io.containerd.image.name` is the full
/// reference; `org.opencontainers.image.ref.name` may be a full reference or only a tag).
fn tags_from(desc: &Descriptor) -> Vec<String> {
    let Some(a) = &desc.annotations else {
        return Vec::new();
    };
    let name = a
        .get("io.containerd.image.name")
        .cloned()
        .or_else(|| a.get("org.opencontainers.image.ref.name").cloned());
    match name {
        Some(n) => {
            let short = n
                .strip_prefix("docker.io/library/")
                .or_else(|| n.strip_prefix("docker.io/"))
                .unwrap_or(&n)
                .to_string();
            vec![short]
        }
        None => Vec::new(),
    }
}
