//! What one [`Resolution`] changes of the one before: the page's copy of the images is
//! updated in place instead of being sent every image again.
//!
//! A resolution holds every image whole — for a save of 20,002 layers, 15 MB of JSON parsed
//! on the page's thread each time a layer's digest settles. Between two resolutions of the
//! same reading almost nothing changes but some layers' digests and verification, so the
//! reader that resolves (the scanner worker) sends [`ResolutionChange::between`] the last
//! resolution it sent and the new one, and the reader that adopts (the page) applies it to
//! the images it holds ([`Reading::adopt_change`](crate::read::reading::Reading::adopt_change)).
//! A large change (the images' first crossing) goes in numbered parts of bounded size
//! ([`ResolutionChange::split`], [`ResolutionChange::join`]).
//!
//! The change names the resolution it follows (`since`: how many jobs had their facts in it),
//! so a change applied to any other base is refused ([`ChangeError`]) rather than mixed in.

use serde::{Deserialize, Serialize};

use crate::digest::Digest;
use crate::model::{Format, HistoryEntry, Image, Layer, Problem};
use crate::read::reading::Resolution;

/// How one image of the new resolution differs from the image at the same place in the one
/// before.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ImageChange {
    /// Equal but for these layers: (place in `Image::layers`, base first; the new layer), in
    /// increasing place; the image has as many layers as before.
    Layers(Vec<(usize, Layer)>),
    /// As many layers as before, other fields changed (a config's facts that came after its
    /// manifest's give the image its history): every field but the layers is `image`'s (whose
    /// own `layers` is empty), and these layers changed, as in [`ImageChange::Layers`].
    Fields {
        /// The image's new fields, `layers` empty.
        image: Box<Image>,
        /// (place in `Image::layers`, the new layer), in increasing place.
        layers: Vec<(usize, Layer)>,
    },
    /// Anything else (or no image at this place before): the image whole.
    Whole(Box<Image>),
    /// The rest of the image a [`ImageChange::Whole`] (or the history and config diff_ids a
    /// [`ImageChange::Fields`]) in an earlier part began (see [`ResolutionChange::split`]):
    /// layers, history entries and `config.diff_ids` to append, in order.
    More {
        /// Layers after the ones the image has so far.
        layers: Vec<Layer>,
        /// History entries after the ones the image has so far.
        history: Vec<HistoryEntry>,
        /// The config's `rootfs.diff_ids` after the ones the image has so far (a config of
        /// 20,002 layers names 1.5 MB of them: in one message, a 55-66 ms task to decode).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        diff_ids: Vec<Digest>,
    },
}

impl ImageChange {
    /// Layers, history entries and config diff_ids it carries (what
    /// [`ResolutionChange::split`] bounds).
    fn items(&self) -> usize {
        match self {
            ImageChange::Layers(ls) => ls.len(),
            ImageChange::Fields { image, layers } => {
                image.history.len() + image.config.diff_ids.len() + layers.len()
            }
            ImageChange::Whole(img) => {
                img.layers.len() + img.history.len() + img.config.diff_ids.len()
            }
            ImageChange::More {
                layers,
                history,
                diff_ids,
            } => layers.len() + history.len() + diff_ids.len(),
        }
    }
}

/// What a resolution changes of the one before (see the module docs).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResolutionChange {
    /// The resolution this one follows: how many jobs had their facts in it (`None`: no
    /// resolution, every image is [`ImageChange::Whole`]).
    pub since: Option<usize>,
    /// As `Resolution::format`.
    pub format: Format,
    /// How many images the new resolution has (any past them are gone).
    pub count: usize,
    /// The images that changed, by place in the new resolution, in increasing place; every
    /// other image is as before. (Sparse: one layer's facts can change every image of an
    /// archive whose manifests all name that layer, and a part lists only its own.)
    pub images: Vec<(usize, ImageChange)>,
    /// The new resolution's problems when they differ, `None` when the same.
    pub problems: Option<Vec<Problem>>,
    /// This change's place among the parts of a split change and their number, 0-based:
    /// `(0, 1)` for a change in one part.
    pub part: (usize, usize),
}

/// Why a [`ResolutionChange`] cannot be applied to the images held, or its parts not joined.
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
    /// A whole image at place `image`, or a change past the new resolution's `count`, where
    /// the images held end before it.
    #[error("no image before place {image} to put it after")]
    NoSuchImage {
        /// Place of the image in the resolution.
        image: usize,
    },
    /// The parts to join are not parts 0, 1, … of one split change.
    #[error("the parts are not the whole of one change")]
    BrokenParts,
}

impl ResolutionChange {
    /// The change from `before` (the resolution of `since` jobs; `None` for none: every image
    /// whole) to `after`.
    pub fn between(before: Option<(usize, &Resolution)>, after: &Resolution) -> Self {
        let old = |i: usize| before.and_then(|(_, b)| b.images.get(i));
        let images = after
            .images
            .iter()
            .enumerate()
            .filter_map(|(i, new)| match old(i) {
                Some(old) if old == new => None,
                Some(old) if old.layers.len() == new.layers.len() => {
                    let layers = old
                        .layers
                        .iter()
                        .zip(&new.layers)
                        .enumerate()
                        .filter(|(_, (o, n))| o != n)
                        .map(|(k, (_, n))| (k, n.clone()))
                        .collect();
                    Some((
                        i,
                        if same_but_layers(old, new) {
                            ImageChange::Layers(layers)
                        } else {
                            ImageChange::Fields {
                                image: Box::new(Image {
                                    layers: Vec::new(),
                                    ..new.clone()
                                }),
                                layers,
                            }
                        },
                    ))
                }
                _ => Some((i, ImageChange::Whole(Box::new(new.clone())))),
            })
            .collect();
        ResolutionChange {
            since: before.map(|(n, _)| n),
            format: after.format,
            count: after.images.len(),
            images,
            problems: match before {
                Some((_, b)) if b.problems == after.problems => None,
                _ => Some(after.problems.clone()),
            },
            part: (0, 1),
        }
    }

    /// Applies the change to `images`/`problems`/`format`, which hold the resolution of `held`
    /// jobs (`None`: none yet). Nothing is changed on an error. The parts of a split change
    /// may be applied one after the other, each with the same `held`.
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
        // Checked whole before anything is written: places in order and within `count`, a
        // whole image at most one past those held, and the layers changed there.
        let mut prev: Option<usize> = None;
        let mut have = images.len();
        for (i, c) in &self.images {
            if prev.is_some_and(|p| *i <= p) || *i >= self.count {
                return Err(ChangeError::NoSuchImage { image: *i });
            }
            prev = Some(*i);
            match c {
                ImageChange::Whole(_) if *i < have => {}
                ImageChange::Whole(_) if *i == have => have += 1,
                ImageChange::Whole(_) => return Err(ChangeError::NoSuchImage { image: *i }),
                ImageChange::Layers(_) | ImageChange::Fields { .. } | ImageChange::More { .. } => {
                    let Some(img) = images.get(*i) else {
                        return Err(ChangeError::NoSuchImage { image: *i });
                    };
                    if let ImageChange::Layers(ls) | ImageChange::Fields { layers: ls, .. } = c {
                        if let Some((k, _)) = ls.iter().find(|(k, _)| *k >= img.layers.len()) {
                            return Err(ChangeError::NoSuchLayer {
                                image: *i,
                                layer: *k,
                            });
                        }
                    }
                }
            }
        }
        for (i, c) in self.images {
            match c {
                ImageChange::Layers(ls) => {
                    if let Some(img) = images.get_mut(i) {
                        put_layers(img, ls);
                    }
                }
                ImageChange::Fields { image, layers: ls } => {
                    if let Some(img) = images.get_mut(i) {
                        let kept = std::mem::take(&mut img.layers);
                        *img = *image;
                        img.layers = kept;
                        put_layers(img, ls);
                    }
                }
                ImageChange::Whole(img) => match images.get_mut(i) {
                    Some(slot) => *slot = *img,
                    None => images.push(*img),
                },
                ImageChange::More {
                    layers,
                    history,
                    diff_ids,
                } => {
                    if let Some(img) = images.get_mut(i) {
                        img.layers.extend(layers);
                        img.history.extend(history);
                        img.config.diff_ids.extend(diff_ids);
                    }
                }
            }
        }
        images.truncate(self.count);
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
            .map(|(_, c)| match c {
                ImageChange::Layers(ls) | ImageChange::Fields { layers: ls, .. } => ls.len(),
                ImageChange::Whole(img) => img.layers.len(),
                ImageChange::More { layers, .. } => layers.len(),
            })
            .sum()
    }

    /// The change in parts of at most `items` layers, history entries and config diff_ids
    /// each (at least one per part), numbered (`part`), to be sent one message each and put
    /// back together with [`ResolutionChange::join`] — or applied one after the other, each
    /// with the same `held`. A whole image's layers, history and diff_ids (a changed image's
    /// history and diff_ids) go past its first part as [`ImageChange::More`]; changed layers
    /// are dealt out in order. The first part has the problems; a part lists
    /// only the images it changes. One part when the change is that small.
    pub fn split(self, items: usize) -> Vec<ResolutionChange> {
        let items = items.max(1);
        // What to deal out, in image order: (image, piece).
        let mut pieces: Vec<(usize, ImageChange)> = Vec::new();
        for (i, c) in self.images {
            match c {
                ImageChange::Layers(ls) => {
                    let mut it = ls.into_iter().peekable();
                    while it.peek().is_some() {
                        pieces.push((i, ImageChange::Layers(it.by_ref().take(items).collect())));
                    }
                }
                ImageChange::Whole(mut img) => {
                    let keep_layers = img.layers.len().min(items);
                    let keep_history = img.history.len().min(items - keep_layers);
                    let keep_ids =
                        (img.config.diff_ids.len()).min(items - keep_layers - keep_history);
                    let mut layers = img.layers.split_off(keep_layers).into_iter().peekable();
                    let mut history = img.history.split_off(keep_history).into_iter().peekable();
                    let mut ids = img
                        .config
                        .diff_ids
                        .split_off(keep_ids)
                        .into_iter()
                        .peekable();
                    pieces.push((i, ImageChange::Whole(img)));
                    while layers.peek().is_some()
                        || history.peek().is_some()
                        || ids.peek().is_some()
                    {
                        let l: Vec<_> = layers.by_ref().take(items).collect();
                        let h: Vec<_> = history.by_ref().take(items - l.len()).collect();
                        let d: Vec<_> = ids.by_ref().take(items - l.len() - h.len()).collect();
                        pieces.push((
                            i,
                            ImageChange::More {
                                layers: l,
                                history: h,
                                diff_ids: d,
                            },
                        ));
                    }
                }
                ImageChange::Fields {
                    mut image,
                    layers: ls,
                } => {
                    // Its history and diff_ids first, then its changed layers, within the bound.
                    let keep_history = image.history.len().min(items);
                    let keep_ids = image.config.diff_ids.len().min(items - keep_history);
                    let mut history = image.history.split_off(keep_history).into_iter().peekable();
                    let mut ids = image
                        .config
                        .diff_ids
                        .split_off(keep_ids)
                        .into_iter()
                        .peekable();
                    let mut ls = ls.into_iter().peekable();
                    let head: Vec<_> = ls.by_ref().take(items - keep_history - keep_ids).collect();
                    pieces.push((
                        i,
                        ImageChange::Fields {
                            image,
                            layers: head,
                        },
                    ));
                    while history.peek().is_some() || ids.peek().is_some() {
                        let h: Vec<_> = history.by_ref().take(items).collect();
                        let d: Vec<_> = ids.by_ref().take(items - h.len()).collect();
                        pieces.push((
                            i,
                            ImageChange::More {
                                layers: Vec::new(),
                                history: h,
                                diff_ids: d,
                            },
                        ));
                    }
                    while ls.peek().is_some() {
                        pieces.push((i, ImageChange::Layers(ls.by_ref().take(items).collect())));
                    }
                }
                c @ ImageChange::More { .. } => pieces.push((i, c)),
            }
        }
        let blank = || ResolutionChange {
            since: self.since,
            format: self.format,
            count: self.count,
            images: Vec::new(),
            problems: None,
            part: (0, 1),
        };
        let mut parts = Vec::new();
        let mut part = ResolutionChange {
            problems: self.problems,
            ..blank()
        };
        let mut filled = 0;
        for (i, piece) in pieces {
            let w = piece.items();
            // One piece per image in a part (the next piece of the same image goes on).
            let again = part.images.last().is_some_and(|(j, _)| *j == i);
            if !part.images.is_empty() && (filled + w > items || again) {
                parts.push(std::mem::replace(&mut part, blank()));
                filled = 0;
            }
            part.images.push((i, piece));
            filled += w;
        }
        parts.push(part);
        let total = parts.len();
        for (k, p) in parts.iter_mut().enumerate() {
            p.part = (k, total);
        }
        parts
    }

    /// Puts [`ResolutionChange::split`]'s parts back together: the change they were split
    /// from. [`ChangeError::BrokenParts`] unless they are parts 0, 1, … of one change, all
    /// of them, in order.
    pub fn join(parts: Vec<ResolutionChange>) -> Result<ResolutionChange, ChangeError> {
        let total = parts.len();
        let mut it = parts.into_iter().enumerate();
        let Some((_, mut whole)) = it.next() else {
            return Err(ChangeError::BrokenParts);
        };
        if whole.part != (0, total) {
            return Err(ChangeError::BrokenParts);
        }
        for (k, part) in it {
            if part.part != (k, total)
                || (part.since, part.format, part.count) != (whole.since, whole.format, whole.count)
            {
                return Err(ChangeError::BrokenParts);
            }
            if part.problems.is_some() {
                whole.problems = part.problems;
            }
            for (i, c) in part.images {
                let Some((j, last)) = whole.images.last_mut() else {
                    whole.images.push((i, c));
                    continue;
                };
                if *j != i {
                    whole.images.push((i, c));
                    continue;
                }
                match (last, c) {
                    (
                        ImageChange::Layers(have) | ImageChange::Fields { layers: have, .. },
                        ImageChange::Layers(more),
                    ) => have.extend(more),
                    (
                        ImageChange::Fields { image, .. },
                        ImageChange::More {
                            layers,
                            history,
                            diff_ids,
                        },
                    ) if layers.is_empty() => {
                        image.history.extend(history);
                        image.config.diff_ids.extend(diff_ids);
                    }
                    (
                        ImageChange::Whole(img),
                        ImageChange::More {
                            layers,
                            history,
                            diff_ids,
                        },
                    ) => {
                        img.layers.extend(layers);
                        img.history.extend(history);
                        img.config.diff_ids.extend(diff_ids);
                    }
                    (
                        ImageChange::More {
                            layers,
                            history,
                            diff_ids,
                        },
                        ImageChange::More {
                            layers: l,
                            history: h,
                            diff_ids: d,
                        },
                    ) => {
                        layers.extend(l);
                        history.extend(h);
                        diff_ids.extend(d);
                    }
                    _ => return Err(ChangeError::BrokenParts),
                }
            }
        }
        whole.part = (0, 1);
        Ok(whole)
    }
}

/// Puts each `(place, layer)` of `ls` in `img`'s layers (places checked by `apply` first).
fn put_layers(img: &mut Image, ls: Vec<(usize, Layer)>) {
    for (k, layer) in ls {
        if let Some(slot) = img.layers.get_mut(k) {
            *slot = layer;
        }
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
    use crate::model::{HistoryEntry, Verification};
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

    /// A verified layer is sent alone; an image whose config changed, its fields without its
    /// layers; an image added or gone follows; applied to the base, the change gives the new resolution.
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
        assert!(
            matches!(&c.images[0], (0, ImageChange::Layers(ls)) if ls.len() == 1 && ls[0].0 == 500)
        );
        // Another user in the config, the same layers: the fields alone, no layer.
        assert!(
            matches!(&c.images[1], (1, ImageChange::Fields { image, layers })
            if layers.is_empty() && image.layers.is_empty() && image.config.user.as_deref() == Some("nobody"))
        );
        assert!(matches!(&c.images[2], (2, ImageChange::Whole(_))));
        assert_eq!((c.images.len(), c.count, c.part), (3, 3, (0, 1)));
        assert_eq!(c.layers_carried(), 1 + 4);
        assert!(c.problems.is_some());
        assert_eq!(applied(Some(3), &before, c).ok(), Some(after.clone()));

        // Nothing changed: every image Same, no problems sent.
        let same = ResolutionChange::between(Some((4, &after)), &after);
        assert!(same.images.is_empty());
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

    /// Items (layers and history entries) a part carries.
    fn items(c: &ResolutionChange) -> usize {
        c.images.iter().map(|(_, i)| i.items()).sum()
    }

    /// A large change in parts of at most `items` layers and history entries: joined, the
    /// parts are the change; applied one after the other, they make what it makes; a small
    /// change is one part.
    #[test]
    fn a_large_change_splits_into_bounded_parts_and_joins_back() {
        let mut big = image("big", 2500);
        big.history = (0..2600)
            .map(|k| HistoryEntry {
                created_by: Some(format!("RUN step {k}")),
                ..HistoryEntry::default()
            })
            .collect();
        // A config naming 20,002 diff_ids made one message of 1.5 MB: they are dealt out too.
        let ids = |n: usize| (0..n).map(|k| Digest::of_bytes(&k.to_le_bytes())).collect();
        big.config.diff_ids = ids(2400);
        let before = resolution(vec![image("a", 3000), image("same", 2), image("gone", 1)]);
        let mut after = before.clone();
        for l in after.images[0].layers.iter_mut().step_by(2).take(1200) {
            l.verification = Verification::Verified;
        }
        // Image 0 gets its config's diff_ids (its config's facts came after its manifest's).
        after.images[0].config.diff_ids = ids(3000);
        after.images[2] = big;
        after.images.push(image("small", 5));
        after.problems.push(Problem {
            kind: crate::model::ProblemKind::Metadata,
            origin: Default::default(),
            detail: "said once".into(),
        });
        let change = ResolutionChange::between(Some((7, &before)), &after);
        let parts = change.clone().split(1000);
        // 1200 changed layers and 3000 diff_ids, and 2500 + 2600 + 2400 + 5 of new images:
        // at least twelve parts.
        assert!(
            matches!(change.images.first(), Some((0, ImageChange::Fields { .. }))),
            "image 0's other fields changed"
        );
        assert!(parts.len() >= 12, "{} parts", parts.len());
        for p in &parts {
            assert!(items(p) <= 1000, "a part of {} items", items(p));
            assert_eq!((p.since, p.count), (Some(7), 4));
        }
        assert!(parts[0].problems.is_some());
        assert!(parts[1..].iter().all(|p| p.problems.is_none()));
        let total = parts.len();
        assert!(parts.iter().enumerate().all(|(k, p)| p.part == (k, total)));
        assert_eq!(ResolutionChange::join(parts.clone()), Ok(change.clone()));
        // Not the whole of one change: a part missing, two swapped, one twice.
        let mut missing = parts.clone();
        missing.remove(2);
        let mut swapped = parts.clone();
        swapped.swap(1, 2);
        let mut twice = parts.clone();
        twice.push(parts[1].clone());
        for broken in [missing, swapped, twice, parts[1..].to_vec()] {
            assert_eq!(
                ResolutionChange::join(broken),
                Err(ChangeError::BrokenParts)
            );
        }
        let mut r = before.clone();
        for p in parts {
            p.apply(Some(7), &mut r.format, &mut r.images, &mut r.problems)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        assert_eq!(r, after);
        assert_eq!(applied(Some(7), &before, change).ok(), Some(after.clone()));

        let small = ResolutionChange::between(Some((8, &after)), &after);
        assert_eq!(small.clone().split(1000), vec![small]);
        assert_eq!(
            ResolutionChange::join(Vec::new()),
            Err(ChangeError::BrokenParts)
        );
    }

    /// One layer's facts change every image of an archive whose manifests all name it: the
    /// parts list only the images they change, so their size adds up to the change's (it
    /// was every image in every part: the square of the image count).
    #[test]
    fn many_images_changed_once_each_split_in_linear_size() {
        let before = resolution((0..5000).map(|k| image(&k.to_string(), 1)).collect());
        let mut after = before.clone();
        for img in after.images.iter_mut() {
            img.layers[0].verification = Verification::Verified;
        }
        let change = ResolutionChange::between(Some((0, &before)), &after);
        assert_eq!(change.images.len(), 5000);
        let parts = change.clone().split(1000);
        assert_eq!(parts.len(), 5);
        assert_eq!(parts.iter().map(|p| p.images.len()).sum::<usize>(), 5000);
        let mut r = before.clone();
        for p in parts {
            p.apply(Some(0), &mut r.format, &mut r.images, &mut r.problems)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        assert_eq!(r, after);
    }

    /// Places out of order or past the new count, and a whole image after a gap, are refused.
    #[test]
    fn a_change_with_places_out_of_order_is_refused() {
        let before = resolution(vec![image("a", 1), image("b", 1)]);
        let whole = |t: &str| ImageChange::Whole(Box::new(image(t, 1)));
        let change = |images: Vec<(usize, ImageChange)>, count| ResolutionChange {
            since: Some(0),
            format: Format::DockerArchive,
            count,
            images,
            problems: None,
            part: (0, 1),
        };
        for (c, image) in [
            (change(vec![(1, whole("x")), (0, whole("y"))], 2), 0),
            (change(vec![(0, whole("x")), (0, whole("y"))], 2), 0),
            (change(vec![(2, whole("x"))], 2), 2),
            (change(vec![(3, whole("x"))], 4), 3),
        ] {
            assert_eq!(
                applied(Some(0), &before, c),
                Err(ChangeError::NoSuchImage { image })
            );
        }
        let grown = applied(
            Some(0),
            &before,
            change(vec![(2, whole("c")), (3, whole("d"))], 4),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(grown.images.len(), 4);
    }

    /// Random pairs of resolutions (images added, gone, renamed, given other histories or
    /// layer counts, layers changed here and there): the change applied to the first gives
    /// the second; split at random sizes, its parts join back to it and, applied one after
    /// the other, give the second too; each part stays within its size.
    #[test]
    fn random_changes_round_trip_whole_and_in_parts() {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut rnd = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n.max(1) as u64) as usize
        };
        let history = |k: usize| HistoryEntry {
            created_by: Some(format!("step {k}")),
            ..HistoryEntry::default()
        };
        let ids = |n: usize| (0..n).map(|k| Digest::of_bytes(&k.to_le_bytes())).collect();
        for round in 0..300 {
            let images: Vec<Image> = (0..rnd(6))
                .map(|i| {
                    let mut img = image(&format!("{round}-{i}"), rnd(40));
                    img.history = (0..rnd(30)).map(history).collect();
                    img.config.diff_ids = ids(rnd(40));
                    img
                })
                .collect();
            let before = resolution(images);
            let mut after = before.clone();
            for img in after.images.iter_mut() {
                match rnd(5) {
                    0 => img.tags.push("new:tag".into()),
                    1 => img.history.push(history(99)),
                    2 => img.layers.push(layer(7)),
                    3 if rnd(2) == 0 => img.config.diff_ids = ids(rnd(45)),
                    _ => {}
                }
                for l in img.layers.iter_mut() {
                    if rnd(3) == 0 {
                        l.verification = Verification::Verified;
                        l.size += 1;
                    }
                }
            }
            if rnd(3) == 0 {
                after.images.truncate(rnd(after.images.len() + 1));
            }
            for i in 0..rnd(3) {
                let mut img = image(&format!("added-{i}"), rnd(50));
                img.history = (0..rnd(50)).map(history).collect();
                img.config.diff_ids = ids(rnd(50));
                after.images.push(img);
            }
            let since = rnd(9);
            let change = ResolutionChange::between(Some((since, &before)), &after);
            assert_eq!(
                applied(Some(since), &before, change.clone()).ok(),
                Some(after.clone())
            );
            let bound = 1 + rnd(60);
            let parts = change.clone().split(bound);
            for p in &parts {
                assert!(
                    items(p) <= bound,
                    "round {round}: a part of {} over {bound}",
                    items(p)
                );
            }
            assert_eq!(
                ResolutionChange::join(parts.clone()),
                Ok(change),
                "round {round}"
            );
            let mut r = before.clone();
            for p in parts {
                p.apply(Some(since), &mut r.format, &mut r.images, &mut r.problems)
                    .unwrap_or_else(|e| panic!("round {round}: {e}"));
            }
            assert_eq!(r, after, "round {round}");
        }
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
