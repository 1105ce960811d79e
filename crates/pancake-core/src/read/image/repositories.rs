//! `repositories` beside `manifest.json`: `docker save` writes both (the legacy file names each
//! tag's top layer), and `docker load` reads only `manifest.json`. A `repositories` that names
//! a tag no `manifest.json` entry carries is a disagreement inside the archive about the
//! image's names: said, the images shown with the names `manifest.json` gives them. (The ids
//! it gives are not compared: writers fill them differently — Docker the top layer's, others
//! the config's or a v1 id — and nothing reads them.)

use super::Ctx;
use crate::model::{Image, ProblemKind};
use crate::read::config::Repositories;

impl Ctx<'_> {
    /// Compares the tags of `repositories` (when the archive has one) with `images`, read from
    /// `manifest.json`: one `disagreement` per tag it names that no image carries.
    pub(super) fn check_repositories(&mut self, images: &[&Image]) {
        let Some(i) = self.by_path.get(b"repositories".as_slice()).copied() else {
            return;
        };
        let Some(v) = self.json(i, "repositories") else {
            return;
        };
        let Ok(repos) = serde_json::from_value::<Repositories>(v) else {
            return;
        };
        for (repo, tags) in &repos {
            for (tag, id) in tags {
                let name = format!("{repo}:{tag}");
                // A `RepoTags` name without a tag means `:latest` (ggcr writes `test_image_1`
                // beside `repositories`' `{"test_image_1": {"latest": …}}`).
                let carries = |t: &String| *t == name || (tag == "latest" && t == repo);
                if images.iter().any(|im| im.tags.iter().any(carries)) {
                    continue;
                }
                self.problem(
                    ProblemKind::Disagreement,
                    Some("repositories"),
                    format!(
                        "repositories names {name} (top layer {id}), which no manifest.json entry carries; docker load reads manifest.json and ignores repositories, so no image is shown with that name"
                    ),
                );
            }
        }
    }
}
