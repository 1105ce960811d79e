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
        // Every name once: both files may list hundreds of thousands (a scan per tag was
        // quadratic: 40,000 tags took 5.7 s).
        let carried: std::collections::HashSet<&str> = images
            .iter()
            .flat_map(|im| im.tags.iter().map(String::as_str))
            .collect();
        for (repo, tags) in &repos {
            for (tag, id) in tags {
                let name = format!("{repo}:{tag}");
                // A `RepoTags` name without a tag means `:latest` (ggcr writes `test_image_1`
                // beside `repositories`' `{"test_image_1": {"latest": …}}`).
                if carried.contains(name.as_str())
                    || (tag == "latest" && carried.contains(repo.as_str()))
                {
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
