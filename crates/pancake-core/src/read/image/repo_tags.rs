//! `manifest.json` `RepoTags` entries `docker load` refuses: moby's `image/tarexport/load.go`
//! parses each with `reference.ParseNormalizedNamed` and requires a tag ("invalid tag"),
//! returning the error, so the load stops at that image ([`crate::reference`]).

use super::Ctx;
use crate::model::ProblemKind;
use crate::reference::{check_repo_tag, RefError};

impl Ctx<'_> {
    /// Says `load-fails` for each of entry `k`'s `tags` that `docker load` does not take as
    /// a tagged name, naming `manifest.json` and the field (`[k].RepoTags[n]`).
    pub(super) fn check_repo_tags(&mut self, k: usize, tags: &[String]) {
        // containerd's import reads manifest.json's RepoTags only when there is no OCI layout version
        // (`core/images/archive/importer.go`); it normalizes them with
        // `reference.ParseDockerRef`, which adds `:latest` to a bare name and keeps a digest.
        let containerd_reads = self.layout().containerd_reads_manifest_json();
        for (n, tag) in tags.iter().enumerate() {
            let Err(why) = check_repo_tag(tag) else {
                continue;
            };
            let message = match why {
                RefError::Invalid => format!(
                    "manifest.json[{k}]: RepoTags[{n}] {tag:?} is not an image name (\"invalid reference format\"), so docker load with Docker's classic image store stops at this image{}",
                    if containerd_reads {
                        "; containerd's import refuses it too (\"normalize image ref\")"
                    } else {
                        "; containerd's import reads index.json instead"
                    }
                ),
                RefError::NoTag => format!(
                    "manifest.json[{k}]: RepoTags[{n}] {tag:?} has no tag, so docker load with Docker's classic image store stops at this image (\"invalid tag\"){}",
                    match (containerd_reads, tag.contains('@')) {
                        (false, _) => "; containerd's import reads index.json instead".to_string(),
                        (true, true) => "; containerd's import (Docker 29's default store) keeps it by its digest".to_string(),
                        (true, false) => format!("; containerd's import (Docker 29's default store) names it {tag}:latest"),
                    }
                ),
            };
            self.problem_at(
                ProblemKind::LoadFails,
                Some("manifest.json"),
                Some(format!("[{k}].RepoTags[{n}]")),
                message,
            );
        }
    }
}
