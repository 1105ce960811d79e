//! Pre-1.10 `docker save`: `repositories` names the top layer id of each tag; each
//! `<id>/json` names its `parent`; `<id>/layer.tar` holds the layer. Nothing in this format
//! claims a digest for a layer, so its layers are read and hashed but "not checkable".

use std::collections::{BTreeMap, HashSet};

use super::Ctx;
use crate::model::{HistoryEntry, Image, ProblemKind};
use crate::read::config::{ConfigFile, Repositories};

/// Why a legacy layer cannot be verified, shown with it.
const NO_CLAIMS: &str = "a legacy save (repositories and <id>/json, no image config) claims no \
                         digest for its layers: the diff_id shown was computed here, not checked";

impl Ctx<'_> {
    /// Images from `repositories`, one per distinct top layer id, tags sorted by repository.
    pub(super) fn legacy_images(&mut self) -> Vec<Image> {
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
                if !seen.insert(id.clone()) || chain.len() > self.limits.max_manifests {
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
                image.history.push(HistoryEntry {
                    created: cfg.created.clone(),
                    created_by,
                    author: cfg.author.clone(),
                    ..Default::default()
                });
                let layer = self.layer(
                    &label,
                    j,
                    Some(&format!("{id}/layer.tar")),
                    None,
                    None,
                    NO_CLAIMS,
                );
                image.layers.push(layer);
            }
            // Each `<id>/json` is one layer and the step recorded with it (Docker's legacy
            // load, `v1.HistoryFromConfig`, makes one history row per layer): paired one to
            // one, never by what a step's text suggests (the top json carries the image's
            // last step, a `#(nop) CMD` that makes no layer in a build's history).
            let pairing = crate::analyze::history::Pairing {
                rule: crate::model::PairingRule::InOrder,
                steps: (0..image.layers.len()).map(Some).collect(),
                ..Default::default()
            };
            crate::analyze::history::apply_pairing(&mut image, &pairing);
            images.push(image);
        }
        images
    }
}
