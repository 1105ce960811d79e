//! Docker's `manifest.json` (docker-archive, and Docker 25+ beside an OCI layout): the source
//! `docker load` reads, so the image is shown from it; every claim the OCI layout makes about
//! the same image (layer count, order, digests, sizes, media types, platform, names) is
//! checked against it and each disagreement reported on its own.

use std::collections::BTreeMap;

use super::oci_index::{names_agree, OciCandidate, OciWalk};
use super::{artifact, blob_name_digest, count_disagreement, BlobRef, Ctx};
use crate::digest::Digest;
use crate::model::{Image, ProblemKind, Verification};
use crate::read::config::{self, Descriptor, DockerManifestEntry};
use crate::read::gojson;

impl Ctx<'_> {
    /// Images from `manifest.json`, each with the index digests it was reached through in
    /// `oci` (for artifacts that refer to a multi-platform index).
    pub(super) fn docker_images(&mut self, oci: &OciWalk) -> Vec<(Image, Vec<Digest>)> {
        let Some(i) = self.find_reporting("manifest.json", "manifest.json") else {
            return Vec::new();
        };
        let Some(doc) = self.json_doc(i, "manifest.json") else {
            return Vec::new();
        };
        let gojson::Doc::Arr(entries) = doc else {
            let v = doc.into_value();
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
        let mut findings = Vec::new();
        let mut read = Vec::new();
        for (k, ev) in entries.into_iter().enumerate() {
            read.push(match ev {
                // As `docker load` decodes it (moby `image/tarexport`: `[]manifestItem`):
                // keys matched as Go matches them, and what Go refuses said.
                gojson::Doc::Obj(_) => Ok(gojson::normalize(
                    ev,
                    &gojson::MANIFEST_ENTRY,
                    &format!("[{k}]"),
                    &mut findings,
                )),
                other => Err(other.into_value()),
            });
        }
        self.report_go("manifest.json", findings, super::GoReader::DockerLoad);
        for (k, ev) in read.into_iter().enumerate() {
            let source = format!("manifest.json[{k}]");
            let entry: DockerManifestEntry = match ev {
                Ok(v) => serde_json::from_value(v).unwrap_or_default(),
                Err(other) => {
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
            let tags = entry.repo_tags.clone().unwrap_or_default();
            self.check_repo_tags(k, &tags);
            if !tags.is_empty() && tags.iter().all(|t| artifact::cosign_tag(t).is_some()) {
                // go-containerregistry writes cosign signatures into manifest.json like
                // images; the tag says what they are. Listed through the OCI walk when an
                // index names them too; otherwise they are simply not images.
                continue;
            }
            if let Some(img) = self.docker_image(&source, entry, tags, oci) {
                images.push(img);
            }
        }
        images
    }

    fn docker_image(
        &mut self,
        source: &str,
        entry: DockerManifestEntry,
        tags: Vec<String>,
        oci: &OciWalk,
    ) -> Option<(Image, Vec<Digest>)> {
        let mut image = Image {
            source: source.to_string(),
            tags,
            ..Image::default()
        };
        let label = image.tags.first().cloned().unwrap_or(source.to_string());
        // `[k]`, how the problems about one of this entry's fields name it.
        let at = source.strip_prefix("manifest.json").unwrap_or(source);
        let cfg = match entry.config.as_deref() {
            Some(p) => {
                let p = self.load_path(p, format!("{at}.Config"));
                self.config(&p, &label, None, &mut image)
            }
            None => {
                self.problem(
                    ProblemKind::Metadata,
                    Some("manifest.json"),
                    format!("{source}: no Config"),
                );
                None
            }
        };
        let config_digest = image.config_digest.clone();
        if let Some(d) = &config_digest {
            // An artifact written into manifest.json like an image (its config is the
            // artifact's config): listed through the OCI walk, not shown as an image.
            if oci.artifacts.iter().any(|a| a.config.as_ref() == Some(d)) {
                return None;
            }
        }
        let claimed = cfg.as_ref().map(|c| c.diff_id_claims()).unwrap_or_default();
        let cand: Option<&OciCandidate> = config_digest.as_ref().and_then(|d| {
            oci.images.iter().find(|c| {
                c.config
                    .as_ref()
                    .and_then(|x| BlobRef::of(x.digest.as_deref()).digest().cloned())
                    .as_ref()
                    == Some(d)
            })
        });
        if cand.is_none() && !oci.images.is_empty() {
            if let Some(d) = &config_digest {
                self.problem(
                    ProblemKind::Disagreement,
                    Some("manifest.json"),
                    format!(
                        "{label}: manifest.json names config {d}, which no image manifest in \
                         index.json names; the image is shown from manifest.json"
                    ),
                );
            }
        }
        image.manifest_digest = cand.and_then(|c| c.manifest_digest.clone());
        let paths: Vec<String> = entry
            .layers
            .clone()
            .unwrap_or_default()
            .iter()
            .enumerate()
            .map(|(j, p)| self.load_path(p, format!("{at}.Layers[{j}]")))
            .collect();
        if let Some(c) = cand {
            if image.tags.is_empty() {
                // manifest.json gives no name (`RepoTags: null`, as `ctr images export
                // --skip-manifest-json` writes it) while index.json does: no conflict, the
                // archive's name is the index's (what Docker's containerd store loads).
                image.tags = c.names.iter().map(|n| n.name.clone()).collect();
            }
            self.check_names(&label, &image.tags, c);
            self.check_platform(&label, c.platform.as_ref(), &image);
        }
        let mut counts = vec![("manifest.json", paths.len())];
        if let Some(c) = cand {
            counts.push(("the OCI manifest", c.layers.len()));
        }
        if cfg.is_some() {
            counts.push(("the config", claimed.len()));
        }
        if let Some(msg) = count_disagreement(&counts) {
            let kind = if cfg.is_some() && paths.len() != claimed.len() {
                // What docker load reads disagrees with itself: the image is wrong.
                ProblemKind::Metadata
            } else {
                ProblemKind::Disagreement
            };
            self.problem(kind, Some("manifest.json"), format!("{label}: {msg}"));
        }
        let descs = cand.map(|c| self.match_layers(&label, &paths, c));
        // LayerSources (diff_id → descriptor) is where Docker records a foreign layer's
        // descriptor (media type, size, urls) when it leaves the blob out.
        let sources = entry.layer_sources.clone().unwrap_or_default();
        for (j, p) in paths.iter().enumerate() {
            let claim = if cfg.is_some() {
                claimed.get(j).cloned()
            } else {
                None
            };
            let mut desc: Option<Descriptor> =
                descs.as_ref().and_then(|d| d.get(j).cloned().flatten());
            if desc.is_none() {
                desc = foreign_source(&sources, claim.as_ref());
            }
            let layer = self.layer(
                &label,
                j,
                Some(p),
                claim,
                desc.as_ref(),
                "nothing in the archive claims a digest for this layer",
            );
            if layer.verification == Verification::NonDistributable {
                self.foreign_layer_absent(&label, j, p);
            }
            image.layers.push(layer);
        }
        let refused = cfg.map(|c| c.go_refused).unwrap_or_default();
        self.pair_history(&mut image, &label, &refused);
        let mut parents = cand.map(|c| c.parents.clone()).unwrap_or_default();
        parents.extend(image.manifest_digest.clone());
        Some((image, parents))
    }

    /// The member path `docker load` opens for `p`, a `Config` or `Layers` item of
    /// manifest.json (the field `field`, as `[0].Layers[1]`). moby's classic load joins it
    /// with its temporary folder (`safePath`: `FollowSymlinkInScope(filepath.Join(tmpDir, p),
    /// tmpDir)`, and `Join` cleans), so `./x`, `/x`, `a/../x`, `a//x` and `x/` all open `x`:
    /// the cleaned path is returned. containerd's import (`core/images/archive/importer.go`)
    /// keys the members by `path.Clean` of their names and looks the string up as written, so
    /// a path not in clean form is not found there ("image config %q not found", "layer %q
    /// not found"): a `load-fails` problem about the field, when containerd reads
    /// manifest.json at all (not when an `oci-layout` gives a version: it reads `index.json` then).
    /// A path that still climbs out of the folder after cleaning is returned as written, for
    /// the lookup to report as unsafe (moby refuses it too: out of scope).
    fn load_path(&mut self, p: &str, field: String) -> String {
        let Some(clean) = go_join_clean(p) else {
            return p.to_string();
        };
        if clean == p {
            return clean;
        }
        if self.layout().containerd_reads_manifest_json() {
            let mut form = Vec::new();
            if p.starts_with('/') {
                form.push("absolute");
            }
            let parts: Vec<&str> = p.split('/').collect();
            if parts.contains(&"..") {
                form.push("with a '..' component");
            }
            if parts.contains(&".") {
                form.push("with a '.' component");
            }
            if p.trim_start_matches('/')
                .trim_end_matches('/')
                .contains("//")
            {
                form.push("with an empty component ('//')");
            }
            if p.len() > 1 && p.ends_with('/') {
                form.push("ending in '/'");
            }
            self.problem_at(
                ProblemKind::LoadFails,
                Some("manifest.json"),
                Some(field.clone()),
                format!(
                    "manifest.json {field}: the path {} is not in clean form ({}): Docker's classic store joins it with its folder, which cleans it to {clean}, and loads it from there; containerd's import (ctr import; docker load with the containerd image store) looks it up as written among the members' cleaned names, does not find it and fails",
                    crate::escape::escape_name(p.as_bytes()),
                    form.join(", ")
                ),
            );
        }
        clean
    }

    /// The OCI descriptor for each `manifest.json` layer, matched by digest (the blob path
    /// `blobs/<alg>/<hex>` names it), never by position alone: Docker 25.0 wrote OCI
    /// manifests with layers missing or out of order. Reports order and membership
    /// differences.
    fn match_layers(
        &mut self,
        label: &str,
        paths: &[String],
        c: &OciCandidate,
    ) -> Vec<Option<Descriptor>> {
        let oci_digests: Vec<Option<Digest>> = c
            .layers
            .iter()
            .map(|d| BlobRef::of(d.digest.as_deref()).digest().cloned())
            .collect();
        let path_digests: Vec<Option<Digest>> = paths
            .iter()
            .map(|p| match blob_name_digest(p) {
                Some(BlobRef::Known(d)) => Some(d),
                _ => None,
            })
            .collect();
        let mut out = Vec::new();
        for (j, pd) in path_digests.iter().enumerate() {
            let found = match pd {
                Some(d) => c
                    .layers
                    .iter()
                    .zip(&oci_digests)
                    .find(|(_, od)| od.as_ref() == Some(d))
                    .map(|(desc, _)| desc.clone()),
                // Old-style paths name no digest: the position is all there is.
                None => c.layers.get(j).cloned(),
            };
            out.push(found);
        }
        let both_named =
            path_digests.iter().all(Option::is_some) && oci_digests.iter().all(Option::is_some);
        if both_named && !c.layers.is_empty() {
            let mut a: Vec<&Option<Digest>> = path_digests.iter().collect();
            let mut b: Vec<&Option<Digest>> = oci_digests.iter().collect();
            if path_digests != oci_digests {
                a.sort();
                b.sort();
                let short = |v: &[Option<Digest>]| {
                    v.iter()
                        .flatten()
                        .map(|d| d.short().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let msg = if a == b {
                    format!(
                        "{label}: the OCI manifest lists the same layers in another order \
                         ({}) than manifest.json ({}); shown in manifest.json's order, which \
                         docker load uses",
                        short(&oci_digests),
                        short(&path_digests)
                    )
                } else {
                    format!(
                        "{label}: the OCI manifest lists layers {}; manifest.json lists {}",
                        short(&oci_digests),
                        short(&path_digests)
                    )
                };
                self.problem(ProblemKind::Disagreement, Some("manifest.json"), msg);
            }
        }
        out
    }

    /// Reports names the index gives the image that disagree with `manifest.json`'s RepoTags
    /// (Docker's `docker load` of a save with manifest.json uses RepoTags).
    fn check_names(&mut self, label: &str, tags: &[String], c: &OciCandidate) {
        for n in &c.names {
            if tags.iter().any(|t| names_agree(t, &n.name)) {
                continue;
            }
            if tags.is_empty() {
                continue;
            }
            let shown = tags.join(", ");
            self.problem(
                ProblemKind::Disagreement,
                Some("manifest.json"),
                format!(
                    "{label}: {} names it {}; manifest.json RepoTags says {shown}; shown: \
                     manifest.json's, which docker load uses",
                    n.from, n.name
                ),
            );
        }
    }
}

/// `p` as Go's `filepath.Join(dir, p)` leaves it below `dir`: empty and `.` components
/// dropped, each `..` taking off the component before it, a leading `/` no more than a
/// separator; `None` when a `..` would climb above `dir` (moby's `FollowSymlinkInScope`
/// then refuses it).
fn go_join_clean(p: &str) -> Option<String> {
    let mut kept: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                kept.pop()?;
            }
            c => kept.push(c),
        }
    }
    Some(kept.join("/"))
}

impl Ctx<'_> {
    /// Layer `j` of the image `label`, a foreign layer whose blob `path` is left out: moby's
    /// `load.go` opens every `manifest.json` layer it does not already hold (`loadLayer`
    /// opens `m.Layers[i]`, whatever `LayerSources` says, and never fetches its URLs), so
    /// `docker load` with the classic store fails on a daemon without the layer.
    fn foreign_layer_absent(&mut self, label: &str, j: usize, path: &str) {
        // containerd's import reads manifest.json only without an OCI layout version, and then
        // needs every layer file (`core/images/archive/importer.go` `resolveLayers`).
        let containerd = if self.layout().containerd_reads_manifest_json() {
            "; containerd's import refuses it too (\"layer not found\")"
        } else {
            ""
        };
        self.problem_about(
            ProblemKind::LoadFails,
            Some(path),
            Some((label, j)),
            format!(
                ": manifest.json lists {path}, which is not in the archive; docker load with Docker's classic image store opens every layer manifest.json lists (it never fetches a foreign layer's URLs), so it fails (\"no such file or directory\") unless the daemon already holds this layer{containerd}"
            ),
        );
    }
}

/// The `LayerSources` descriptor Docker recorded for a layer by its diff_id, when it is a
/// foreign (non-distributable) layer.
fn foreign_source(
    sources: &BTreeMap<String, Descriptor>,
    claim: Option<&Result<Digest, crate::digest::DigestError>>,
) -> Option<Descriptor> {
    let d = claim?.as_ref().ok()?;
    sources
        .get(d.as_str())
        .filter(|s| super::is_non_distributable(s))
        .cloned()
}
