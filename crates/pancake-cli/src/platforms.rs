//! Platforms of multi-platform archives in `inspect`: the `--platform OS/ARCH[/VARIANT]`
//! choice, the text section and the JSON `platforms` list, over
//! `pancake_core::read::image::platforms`.

use pancake_core::read::image::{self, ChooseError, PlatformEntry};
use pancake_core::Archive;
use serde::Serialize;

use crate::term::Safe;
use crate::Fail;

/// The platforms of `a`: what its indexes list (`true`), or, when no index lists platforms
/// (a `docker save` of one platform, of several tags), one per image as its config says
/// (`false`).
pub fn of(a: &Archive) -> (Vec<PlatformEntry>, bool) {
    let opts = crate::OPTIONS.get_or_init(pancake_core::read::archive::Options::default);
    let listed = image::platforms(a, &opts.limits);
    if !listed.is_empty() {
        return (listed, true);
    }
    let own = a
        .images
        .iter()
        .enumerate()
        .map(|(i, img)| PlatformEntry {
            os: img.config.os.clone(),
            architecture: img.config.architecture.clone(),
            variant: img.config.variant.clone(),
            manifest_digest: img.manifest_digest.as_ref().map(|d| d.to_string()),
            source: img.source.clone(),
            present: true,
            image: Some(i),
        })
        .collect();
    (own, false)
}

/// Keeps only the image of `a` that `spec` names (the first present match); its number among
/// the file's images (what `--image` counts), for the heading that names it.
pub fn keep_only(a: &mut Archive, spec: &str) -> Result<usize, Fail> {
    let i = choose(a, spec)?;
    let chosen = a.images.get(i).cloned();
    a.images = chosen.into_iter().collect();
    Ok(i)
}

/// The number of the image of `a` for platform `spec` (as [`keep_only`] keeps it), leaving
/// `a` whole: what a reader needs whose problems number the file's images (`inspect --ci`).
pub fn choose(a: &Archive, spec: &str) -> Result<usize, Fail> {
    let (list, _) = of(a);
    let shown = |present: bool| {
        let names: Vec<String> = list
            .iter()
            .filter(|p| p.present == present)
            .map(PlatformEntry::display)
            .collect();
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    };
    match image::choose_platform(&list, Some(spec)) {
        Ok(i) => Ok(i),
        Err(ChooseError::NotListed) => Err(Fail(format!(
            "{}: no platform {} (present: {}; listed but not in this archive: {})",
            Safe(&a.name),
            Safe(spec),
            shown(true),
            shown(false)
        ))),
        Err(ChooseError::NotInArchive) => Err(Fail(format!(
            "{}: platform {} is listed by the index but not in this archive (present: {})",
            Safe(&a.name),
            Safe(spec),
            shown(true)
        ))),
    }
}

/// Text section for archive `a` as shown, from `list` (its platforms before `--platform`
/// kept one; `numbers[i]`: shown image `i`'s number among the file's images), when the index lists more than one platform or one that is absent; empty
/// otherwise.
pub fn text(
    a: &Archive,
    (list, from_index): &(Vec<PlatformEntry>, bool),
    numbers: &[usize],
) -> String {
    if !from_index || (list.len() < 2 && list.iter().all(|p| p.present)) {
        return String::new();
    }
    let mut rows = Vec::new();
    for p in list {
        let digest = p
            .manifest_digest
            .as_deref()
            .map(|d| {
                let (alg, hex) = d.split_once(':').unwrap_or(("", d));
                format!("{alg}:{}", hex.get(..12).unwrap_or(hex))
            })
            .unwrap_or_else(|| "—".into());
        let state = match (p.present, p.image, shown_index(a, p)) {
            (false, _, _) => "not in this archive".to_string(),
            (true, _, Some(i)) => format!("image {}", numbers.get(i).copied().unwrap_or(i)),
            (true, Some(_), None) => "present (not shown: --platform)".to_string(),
            (true, None, None) => "present, not readable as an image".to_string(),
        };
        rows.push(vec![
            format!("  {}", Safe(p.display())),
            Safe(digest).to_string(),
            state,
        ]);
    }
    let mut s = format!("{}: platforms of its index\n", Safe(&a.name));
    s.push_str(&crate::table::render(&rows));
    s.push('\n');
    s
}

/// Which of `a.images` (as shown) platform `p` is: by manifest digest, or, for an image with
/// none (a `docker save` listing its images in manifest.json), by where it was read from.
fn shown_index(a: &Archive, p: &PlatformEntry) -> Option<usize> {
    if !p.present {
        return None;
    }
    a.images
        .iter()
        .position(|img| match p.manifest_digest.as_deref() {
            Some(d) => img
                .manifest_digest
                .as_ref()
                .is_some_and(|m| m.as_str() == d),
            None => img.manifest_digest.is_none() && img.source == p.source,
        })
}

/// One entry of the JSON `platforms` list.
#[derive(Debug, Serialize)]
pub struct PlatformReport {
    /// The file it was listed in.
    pub archive: String,
    /// `os/architecture[/variant]`.
    pub platform: String,
    pub os: Option<String>,
    pub architecture: Option<String>,
    pub variant: Option<String>,
    pub manifest_digest: Option<String>,
    /// False: listed by the index, "not in this archive".
    pub present: bool,
    /// Index into the report's `images` when that image is shown.
    pub image: Option<usize>,
}

/// The JSON list for the archives as shown, from `listed` ([`of`] of each, taken before
/// `--platform`): `image` indexes the report's `images`, `null` for an absent platform and one
/// `--platform` left out.
pub fn report(archives: &[Archive], listed: &[(Vec<PlatformEntry>, bool)]) -> Vec<PlatformReport> {
    let mut out = Vec::new();
    let mut before = 0usize;
    for (a, (list, _)) in archives.iter().zip(listed) {
        for p in list {
            // Through the manifest digest: `--platform` may have kept one image only.
            let image = shown_index(a, p);
            out.push(PlatformReport {
                archive: a.name.clone(),
                platform: p.display(),
                os: p.os.clone(),
                architecture: p.architecture.clone(),
                variant: p.variant.clone(),
                manifest_digest: p.manifest_digest.clone(),
                present: p.present,
                image: image.map(|i| before + i),
            });
        }
        before += a.images.len();
    }
    out
}
