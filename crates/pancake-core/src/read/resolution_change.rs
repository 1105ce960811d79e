//! What one [`Resolution`] changes of the one before: the page's copy of the images is
//! updated in place instead of being sent every image again.
//!
//! A resolution holds every image whole — for a save of 20,002 layers, 15 MB of JSON parsed
//! on the page's thread each time a layer's digest settles. Between two resolutions of the
//! same reading almost nothing changes but some layers' digests and verification, so the
//! reader that resolves (the scanner worker) sends [`ResolutionChange::between`] the last
//! resolution it sent and the new one, and the reader that adopts (the page) applies it to
//! the images it holds ([`Reading::adopt_change`](crate::read::reading::Reading::adopt_change)).
//!
//! The change names the resolution it follows (`since`: how many jobs had their facts in it),
//! so a change applied to any other base is refused ([`ChangeError`]) rather than mixed in.

use serde::{Deserialize, Serialize};

use crate::model::{Format, Image, Layer, Problem};
use crate::read::reading::Resolution;

/// How one image of the new resolution differs from the image at the same place in the one
/// before.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ImageChange {
    /// Equal.
    Same,
    /// Equal but for these layers: (place in `Image::layers`, base first; the new layer), in
    /// increasing place; the image has as many layers as before.
    Layers(Vec<(usize, Layer)>),
    /// Anything else (or no image at this place before): the image whole.
    Whole(Image),
}

/// What a resolution changes of the one before (see the module docs).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResolutionChange {
    /// The resolution this one follows: how many jobs had their facts in it (`None`: no
    /// resolution, every image is [`ImageChange::Whole`]).
    pub since: Option<usize>,
    /// As `Resolution::format`.
    pub format: Format,
    /// One per image of the new resolution, in its order (images past the last are gone).
    pub images: Vec<ImageChange>,
    /// The new resolution's problems when they differ, `None` when the same.
    pub problems: Option<Vec<Problem>>,
}

/// Why a [`ResolutionChange`] cannot be applied to the images held.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChangeError {
    /// The change follows the resolution of `since` jobs, the images held are of `held`.
    #[error(
        "the change follows the resolution of {since:?} jobs, the images held are of {held:?}"
    )]
    WrongBase {
        /// Jobs with facts in the resolution the change follows.
        since: Option<usize>,
        /// Jobs with facts in the resolution held (`None`: none adopted).
        held: Option<usize>,
    },
    /// Image `image` has no layer `layer`, or no image is at place `image`.
    #[error("image {image} has no layer {layer} to change")]
    NoSuchLayer {
        /// Place of the image in the resolution.
        image: usize,
        /// Place of the layer in the image, base first.
        layer: usize,
    },
}

impl ResolutionChange {
    /// The change from `before` (the resolution of `since` jobs; `None` for none: every image
    /// whole) to `after`.
    pub fn between(before: Option<(usize, &Resolution)>, after: &Resolution) -> Self {
        let Some((since, before)) = before else {
            return ResolutionChange {
                since: None,
                format: after.format,
                images: after
                    .images
                    .iter()
                    .cloned()
                    .map(ImageChange::Whole)
                    .collect(),
                problems: Some(after.problems.clone()),
            };
        };
        let images = after
            .images
            .iter()
            .enumerate()
            .map(|(i, new)| match before.images.get(i) {
                Some(old) if old == new => ImageChange::Same,
                Some(old) if same_but_layers(old, new) => ImageChange::Layers(
                    old.layers
                        .iter()
                        .zip(&new.layers)
                        .enumerate()
                        .filter(|(_, (o, n))| o != n)
                        .map(|(k, (_, n))| (k, n.clone()))
                        .collect(),
                ),
                _ => ImageChange::Whole(new.clone()),
            })
            .collect();
        ResolutionChange {
            since: Some(since),
            format: after.format,
            images,
            problems: (before.problems != after.problems).then(|| after.problems.clone()),
        }
    }

    /// Applies the change to `images`/`problems`/`format`, which hold the resolution of `held`
    /// jobs (`None`: none yet). Nothing is changed on an error.
    pub fn apply(
        self,
        held: Option<usize>,
        format: &mut Format,
        images: &mut Vec<Image>,
        problems: &mut Vec<Problem>,
    ) -> Result<(), ChangeError> {
        if self.since.is_some() && self.since != held {
            return Err(ChangeError::WrongBase {
                since: self.since,
                held,
            });
        }
        // Checked whole before anything is written.
        for (i, c) in self.images.iter().enumerate() {
            match c {
                ImageChange::Whole(_) => {}
                ImageChange::Same | ImageChange::Layers(_) => {
                    let Some(img) = images.get(i) else {
                        return Err(ChangeError::NoSuchLayer { image: i, layer: 0 });
                    };
                    if let ImageChange::Layers(ls) = c {
                        if let Some((k, _)) = ls.iter().find(|(k, _)| *k >= img.layers.len()) {
                            return Err(ChangeError::NoSuchLayer {
                                image: i,
                                layer: *k,
                            });
                        }
                    }
                }
            }
        }
        let count = self.images.len();
        for (i, c) in self.images.into_iter().enumerate() {
            match c {
                ImageChange::Same => {}
                ImageChange::Layers(ls) => {
                    if let Some(img) = images.get_mut(i) {
                        for (k, layer) in ls {
                            if let Some(slot) = img.layers.get_mut(k) {
                                *slot = layer;
                            }
                        }
                    }
                }
                ImageChange::Whole(img) => match images.get_mut(i) {
                    Some(slot) => *slot = img,
                    None => images.push(img),
                },
            }
        }
        images.truncate(count);
        *format = self.format;
        if let Some(p) = self.problems {
            *problems = p;
        }
        Ok(())
    }

    /// Layers this change carries (for figures and tests).
    pub fn layers_carried(&self) -> usize {
        self.images
            .iter()
            .map(|c| match c {
                ImageChange::Same => 0,
                ImageChange::Layers(ls) => ls.len(),
                ImageChange::Whole(img) => img.layers.len(),
            })
            .sum()
    }
}

/// `a` and `b` are equal but for their layers' contents, and have as many layers. Every field
/// is named, so a field added to `Image` must be placed here.
fn same_but_layers(a: &Image, b: &Image) -> bool {
    let Image {
        source,
        tags,
        config_digest,
        manifest_digest,
        config,
        history,
        layers,
        pairing,
        artifacts,
    } = a;
    *source == b.source
        && *tags == b.tags
        && *config_digest == b.config_digest
        && *manifest_digest == b.manifest_digest
        && *config == b.config
        && *history == b.history
        && layers.len() == b.layers.len()
        && *pairing == b.pairing
        && *artifacts == b.artifacts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::Digest;
    use crate::model::Verification;
    use crate::read::reading::Reading;

    fn layer(n: u8) -> Layer {
        Layer {
            member: Some(n as usize),
            size: n as u64,
            ..Layer::default()
        }
    }

    fn image(tag: &str, layers: usize) -> Image {
        Image {
            source: format!("manifest.json[{tag}]"),
            tags: vec![tag.to_string()],
            layers: (0..layers).map(|k| layer(k as u8)).collect(),
            ..Image::default()
        }
    }

    fn resolution(images: Vec<Image>) -> Resolution {
        Resolution {
            format: Format::DockerArchive,
            images,
            problems: Vec::new(),
        }
    }

    fn applied(
        held: Option<usize>,
        base: &Resolution,
        c: ResolutionChange,
    ) -> Result<Resolution, ChangeError> {
        let mut r = base.clone();
        c.apply(held, &mut r.format, &mut r.images, &mut r.problems)?;
        Ok(r)
    }

    /// A verified layer is sent alone; an image whose config changed goes whole; an image
    /// added or gone follows; applied to the base, the change gives the new resolution.
    #[test]
    fn a_change_carries_what_changed_and_rebuilds_the_new_resolution() {
        let before = resolution(vec![image("a", 1000), image("b", 3), image("c", 2)]);
        let mut after = before.clone();
        let l = &mut after.images[0].layers[500];
        l.verification = Verification::Verified;
        l.verified = true;
        l.digest = Some(Digest::of_bytes(b"x"));
        after.images[1].config.user = Some("nobody".into());
        after.images.truncate(2);
        after.images.push(image("d", 4));
        after.problems.push(Problem {
            kind: crate::model::ProblemKind::Metadata,
            origin: Default::default(),
            detail: "a new problem".into(),
        });

        let c = ResolutionChange::between(Some((3, &before)), &after);
        assert_eq!(c.since, Some(3));
        assert!(matches!(&c.images[0], ImageChange::Layers(ls) if ls.len() == 1 && ls[0].0 == 500));
        assert!(matches!(&c.images[1], ImageChange::Whole(_)));
        assert!(matches!(&c.images[2], ImageChange::Whole(_)));
        assert_eq!(c.images.len(), 3);
        assert_eq!(c.layers_carried(), 1 + 3 + 4);
        assert!(c.problems.is_some());
        assert_eq!(applied(Some(3), &before, c).ok(), Some(after.clone()));

        // Nothing changed: every image Same, no problems sent.
        let same = ResolutionChange::between(Some((4, &after)), &after);
        assert!(same.images.iter().all(|c| *c == ImageChange::Same));
        assert_eq!((same.problems.clone(), same.layers_carried()), (None, 0));
        assert_eq!(applied(Some(4), &after, same).ok(), Some(after.clone()));

        // The first: every image whole, applies to anything.
        let first = ResolutionChange::between(None, &after);
        assert_eq!(applied(Some(9), &before, first).ok(), Some(after));
    }

    /// A change applies only to the resolution it follows, and never to images that lack its
    /// layers; a refused change leaves the images as they were.
    #[test]
    fn a_change_is_refused_on_another_base() {
        let before = resolution(vec![image("a", 3)]);
        let mut after = before.clone();
        after.images[0].layers[2].size = 99;
        let c = ResolutionChange::between(Some((1, &before)), &after);
        assert_eq!(
            applied(Some(2), &before, c.clone()),
            Err(ChangeError::WrongBase {
                since: Some(1),
                held: Some(2)
            })
        );
        let short = resolution(vec![image("a", 2)]);
        assert_eq!(
            applied(Some(1), &short, c.clone()),
            Err(ChangeError::NoSuchLayer { image: 0, layer: 2 })
        );
        let mut r = short.clone();
        let _ = c.apply(Some(1), &mut r.format, &mut r.images, &mut r.problems);
        assert_eq!(r, short);
    }

    /// Over a real reading: the changes sent job by job, applied by a second reader that never
    /// resolves, leave it with the images the first resolved; the later changes carry only
    /// the layers whose facts came.
    #[test]
    fn a_reading_followed_by_changes_matches_its_resolutions() {
        let bytes = crate::test_support::fixture("docker26-save-app1.tar");
        let mut r = Reading::start("app1.tar", &bytes, &Default::default(), &mut |_| {})
            .unwrap_or_else(|e| panic!("{e}"));
        let mut page = r.clone();
        let mut sent = Some((r.applied(), r.resolution()));
        let jobs = r.jobs().to_vec();
        assert!(!jobs.is_empty(), "the fixture has jobs");
        for j in &jobs {
            let facts = crate::read::reading::hash(&bytes, j, &Default::default(), &mut |_| {});
            r.apply(j.member, facts.clone());
            page.apply(j.member, facts);
            let now = r.resolution();
            let c = ResolutionChange::between(sent.as_ref().map(|(n, s)| (*n, s)), &now);
            let layers: usize = now.images.iter().map(|i| i.layers.len()).sum();
            assert!(
                c.layers_carried() < layers,
                "{} of {layers}",
                c.layers_carried()
            );
            page.adopt_change(sent.as_ref().map(|(n, _)| *n), c)
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(page.archive_unresolved().images, now.images);
            assert_eq!(page.archive_unresolved().problems, now.problems);
            sent = Some((r.applied(), now));
        }
    }
}
