//! The platforms a multi-platform image index lists (OCI image-spec `image-index.md`
//! `manifests[].platform`; Docker's manifest list), whether each one's manifest is in the
//! archive, and which resolved image it is.
//!
//! `docker save` with the containerd image store keeps the image's whole index but only the
//! platforms present locally, so an index can list platforms the archive does not hold: they
//! are listed too, `present: false` ("not in this archive").
//!
//! A pure function of the members and the resolved images: it reads the JSON the reader
//! kept (`MemberFacts::json`) and reports nothing (the resolver reports what is wrong).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::{artifact, BlobRef, Ctx, Found};
use crate::digest::Digest;
use crate::limits::Limits;
use crate::model::{Archive, Image};
use crate::read::config::{Descriptor, OciDocument};

/// One platform an index of the archive lists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformEntry {
    /// `platform.os` of the index's descriptor, else of the image config (`linux`,
    /// `windows` ...).
    pub os: Option<String>,
    /// `platform.architecture` (`amd64`, `arm64` ...), same fallback.
    pub architecture: Option<String>,
    /// `platform.variant` (`v8`, `v7` ...), same fallback.
    pub variant: Option<String>,
    /// The digest of the platform's image manifest as the descriptor gives it (kept as
    /// written, so a malformed one is still shown).
    pub manifest_digest: Option<String>,
    /// Where it was listed, e.g. `index.json.manifests[0]->d70cba51d8e5.manifests[1]`.
    pub source: String,
    /// True when the manifest blob is in the archive.
    pub present: bool,
    /// Index into `Archive::images` of the image this platform is, when it was resolved to
    /// one (`None` for absent platforms, and for present ones the resolver could not read).
    pub image: Option<usize>,
}

impl PlatformEntry {
    /// `os/architecture[/variant]`, `?` for a part the index does not give.
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

    /// Does `spec` (`OS/ARCH` or `OS/ARCH/VARIANT`, as `docker --platform` takes it) name this
    /// platform, or one that runs where it runs? See [`PlatformEntry::rank`].
    pub fn matches(&self, spec: &str) -> bool {
        self.rank(spec).is_some()
    }

    /// How well this platform answers `spec`, as containerd's `platforms.Only` ranks what
    /// `docker --platform` takes: `Some(0)` the platform asked for, `Some(n)` an older variant
    /// that runs there too (`linux/arm/v7` takes v7, then v6, then v5; `linux/amd64/v3` takes
    /// v3, v2, then plain amd64), `None` no match. Both sides are normalized first, as
    /// `platforms.Normalize` does: parts compare case-insensitively, `x86_64`/`x86-64` is
    /// `amd64` (`v1` its default), `aarch64` is `arm64` (`v8` its default), `armhf` is
    /// `arm/v7`, `armel` `arm/v6`, `arm` without a variant `arm/v7`, `i386` `386`, `macos`
    /// `darwin`. So `linux/amd64` does not take `linux/amd64/v3` (it would not run on every
    /// amd64 CPU), nor `linux/arm64` an `arm64/v9`. Other architectures: a spec without a
    /// variant takes any variant. A malformed spec matches nothing.
    pub fn rank(&self, spec: &str) -> Option<usize> {
        let parts: Vec<&str> = spec.split('/').collect();
        let (os, arch, variant) = match parts.as_slice() {
            [os, arch] => (*os, *arch, None),
            [os, arch, variant] => (*os, *arch, Some(*variant)),
            _ => return None,
        };
        if os.is_empty() || arch.is_empty() {
            return None;
        }
        let want = Normal::of(os, arch, variant);
        let have = Normal::of(
            self.os.as_deref()?,
            self.architecture.as_deref()?,
            self.variant.as_deref(),
        );
        if want.os != have.os || want.arch != have.arch {
            return None;
        }
        let level = |v: &Option<String>| {
            v.as_deref()
                .and_then(|v| v.strip_prefix('v'))
                .and_then(|n| n.parse::<usize>().ok())
        };
        match (want.arch.as_str(), &want.variant) {
            // Older variants run where a newer one does: ranked by how far below.
            ("arm" | "amd64", _) => {
                let base = if want.arch == "arm" { 5 } else { 1 };
                let w = level(&want.variant).unwrap_or(base);
                let h = level(&have.variant).unwrap_or(base);
                (h <= w && h >= base).then(|| w - h)
            }
            // v8 is arm64's default: `linux/arm64` is `linux/arm64/v8`, and no other.
            ("arm64", _) => (want.variant == have.variant).then_some(0),
            (_, None) if variant.is_none() => Some(0),
            _ => (want.variant == have.variant).then_some(0),
        }
    }
}

/// A platform as containerd's `platforms.Normalize` writes it (lower case, architecture
/// aliases and default variants folded: see [`PlatformEntry::rank`]).
struct Normal {
    os: String,
    arch: String,
    variant: Option<String>,
}

impl Normal {
    fn of(os: &str, arch: &str, variant: Option<&str>) -> Normal {
        let mut os = os.to_ascii_lowercase();
        if os == "macos" {
            os = "darwin".into();
        }
        let variant = variant
            .map(str::to_ascii_lowercase)
            .filter(|v| !v.is_empty());
        let (arch, variant) = match (arch.to_ascii_lowercase().as_str(), variant.as_deref()) {
            ("i386", _) => ("386".to_string(), None),
            ("x86_64" | "x86-64" | "amd64", Some("v1")) => ("amd64".into(), None),
            ("x86_64" | "x86-64" | "amd64", v) => ("amd64".into(), v.map(str::to_string)),
            ("aarch64" | "arm64", Some("8" | "v8" | "v8.0")) | ("aarch64" | "arm64", None) => {
                ("arm64".into(), None)
            }
            ("aarch64" | "arm64", v) => ("arm64".into(), v.map(str::to_string)),
            ("armhf", _) => ("arm".into(), Some("v7".into())),
            ("armel", _) => ("arm".into(), Some("v6".into())),
            ("arm", None | Some("7")) => ("arm".into(), Some("v7".into())),
            ("arm", Some(v @ ("5" | "6" | "8"))) => ("arm".into(), Some(format!("v{v}"))),
            (a, v) => (a.to_string(), v.map(str::to_string)),
        };
        Normal { os, arch, variant }
    }
}

/// Every platform the archive's indexes list, in index order (depth first from `index.json`),
/// each manifest digest once. Only image manifests count: nested indexes (a descriptor or
/// document of exactly the OCI index or Docker manifest list media type, [`crate::media`])
/// are walked (bounded by `limits.max_index_depth` and `limits.max_manifests`, the limits the
/// archive was read with, so the list walks what the resolver walked; cycles not followed),
/// BuildKit attestation manifests, cosign-tagged manifests, present manifests that are
/// artifacts and descriptors without a `platform` are left out (an index of several images, as
/// a Docker 25+ save of several tags writes, names no platforms: it is not a platform list).
/// A part the descriptor's platform lacks is taken from the image's config. A save without
/// `index.json` lists nothing: an empty list means "one platform per image, as the images
/// say".
pub fn platforms(archive: &Archive, limits: &Limits) -> Vec<PlatformEntry> {
    fill_platforms(
        &listed_platforms(archive, limits).platforms,
        &archive.images,
    )
}

/// One platform as the archive's documents list it, before the resolved images are looked
/// at ([`listed_platforms`]): what [`fill_platforms`] makes a [`PlatformEntry`] of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedPlatform {
    /// The entry with only what the descriptor gives: `os`, `architecture` and `variant` from
    /// its `platform`, `image` `None`.
    entry: PlatformEntry,
    /// The manifest digest, parsed, when it is well formed and the blob is present: the
    /// resolved image with it is the platform's.
    digest: Option<Digest>,
}

/// What [`listed_platforms`] found, and what it depends on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    /// The platforms, in [`platforms`]' order.
    pub platforms: Vec<ListedPlatform>,
    /// The members the walk looked for a document in (indexes into `Archive::members`,
    /// increasing, each once), whether they had one or not. The walk is a function of the
    /// members' paths, kinds and link targets (finding a member follows links) and of these
    /// members' `MemberFacts::json`: with those the same, it lists the same.
    pub documents: Vec<usize>,
}

/// The part of [`platforms`] that reads documents: a walk of `index.json` and the indexes
/// and manifests it names (each parsed, the largest part of the work: 3 MB for a manifest of
/// 20,000 layers); reads `archive.members` only. A reader that keeps it while what it
/// depends on stays the same
/// ([`Listed::documents`]; the page, as digests arrive and images resolve again) has only
/// [`fill_platforms`] to do for new images.
pub fn listed_platforms(archive: &Archive, limits: &Limits) -> Listed {
    let ctx = Ctx {
        members: &archive.members,
        by_path: super::index_paths(&archive.members),
        copies: super::index_copies(&archive.members),
        problems: Vec::new(),
        limits,
        go_read: HashSet::new(),
        listed: Default::default(),
        layout: std::cell::OnceCell::new(),
        stopped_at_bound: false,
        folder_links: super::any_symlink(&archive.members),
    };
    let mut walk = PlatformWalk {
        ctx: &ctx,
        out: Vec::new(),
        seen: HashSet::new(),
        followed: 0,
        looked_at: Vec::new(),
    };
    if let Some(doc) = walk.document("index.json") {
        let mut chain = vec!["index.json".to_string()];
        walk.index(&doc, "index.json", &mut chain);
    }
    let mut documents = walk.looked_at;
    documents.sort_unstable();
    documents.dedup();
    Listed {
        platforms: walk.out,
        documents,
    }
}

/// [`platforms`]' entries from `listed` ([`listed_platforms`]) and the resolved `images`
/// (`Archive::images`): each present platform's image (the one whose manifest digest it
/// names), and the parts of a platform its descriptor lacks taken from that image's config.
/// O(listed × images).
pub fn fill_platforms(listed: &[ListedPlatform], images: &[Image]) -> Vec<PlatformEntry> {
    listed
        .iter()
        .map(|l| {
            let image = l.digest.as_ref().and_then(|d| {
                images
                    .iter()
                    .position(|img| img.manifest_digest.as_ref() == Some(d))
            });
            let config = image.and_then(|i| images.get(i)).map(|img| &img.config);
            let e = &l.entry;
            PlatformEntry {
                os: e.os.clone().or_else(|| config.and_then(|c| c.os.clone())),
                architecture: e
                    .architecture
                    .clone()
                    .or_else(|| config.and_then(|c| c.architecture.clone())),
                variant: e
                    .variant
                    .clone()
                    .or_else(|| config.and_then(|c| c.variant.clone())),
                image,
                ..e.clone()
            }
        })
        .collect()
}

/// The present platform that best matches `spec` ([`PlatformEntry::rank`]; the first listed
/// among equals) and resolved to an image, or with `spec` `None` the first present one that
/// did: the image index in
/// `Archive::images`. `Err` holds what the archive lists, for the message: no entry matched,
/// or the ones that matched are not in the archive.
pub fn choose(list: &[PlatformEntry], spec: Option<&str>) -> Result<usize, ChooseError> {
    let wanted = |p: &&PlatformEntry| spec.is_none_or(|s| p.matches(s));
    // The best-ranked match that is here (the first listed among equals).
    let best = list
        .iter()
        .filter_map(|p| {
            let rank = match spec {
                Some(s) => p.rank(s)?,
                None => 0,
            };
            Some((rank, p.image?))
        })
        .min_by_key(|(rank, _)| *rank);
    if let Some((_, i)) = best {
        return Ok(i);
    }
    if list.iter().any(|p| wanted(&p)) {
        Err(ChooseError::NotInArchive)
    } else {
        Err(ChooseError::NotListed)
    }
}

/// How many entries of `list` are in the archive (`present`): the figure to give beside
/// `list.len()` wherever the entries' `present` flags are shown, so the two always agree (a
/// present platform the resolver could not read is present, though it opens no image).
pub fn present_count(list: &[PlatformEntry]) -> usize {
    list.iter().filter(|p| p.present).count()
}

/// Why [`choose`] found no image.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChooseError {
    /// No listed platform matches the spec (or the list is empty).
    NotListed,
    /// Matching platforms are listed, but none is in the archive (or none could be read).
    NotInArchive,
}

struct PlatformWalk<'a> {
    ctx: &'a Ctx<'a>,
    out: Vec<ListedPlatform>,
    /// Manifest digests already listed.
    seen: HashSet<String>,
    /// The members [`PlatformWalk::document`] found (see [`Listed::documents`]).
    looked_at: Vec<usize>,
    /// Descriptors looked at (bounded by `limits.max_manifests`).
    followed: usize,
}

impl PlatformWalk<'_> {
    /// The member at `path` (following member links) parsed as an index or manifest, but for
    /// a manifest's layers, which the walk never looks at
    /// ([`OciDocument::parse_as_go_without_layers`], as the resolver reads it).
    fn document(&mut self, path: &str) -> Option<OciDocument> {
        let Found::Member(i) = self.ctx.find(path) else {
            return None;
        };
        self.looked_at.push(i);
        OciDocument::parse_as_go_without_layers(self.ctx.members.get(i)?.facts.json.as_deref()?)
    }

    fn index(&mut self, doc: &OciDocument, trail: &str, chain: &mut Vec<String>) {
        let manifests = doc.manifests.as_deref().unwrap_or_default();
        for (k, desc) in manifests.iter().enumerate() {
            self.followed += 1;
            if self.followed > self.ctx.limits.max_manifests {
                return;
            }
            let source = format!("{trail}.manifests[{k}]");
            if artifact::is_buildkit_attestation(desc) || is_cosign_tagged(desc) {
                continue;
            }
            let blob = BlobRef::of(desc.digest.as_deref());
            let path = blob.path();
            let found = path.as_deref().map(|p| self.ctx.find(p));
            let present = matches!(found, Some(Found::Member(_)));
            let sub = path
                .as_deref()
                .filter(|_| present)
                .and_then(|p| self.document(p));
            if let Some(sub) = &sub {
                if sub.is_index(desc.media_type.as_deref()) {
                    let Some(p) = path else { continue };
                    // A cycle or a nest deeper than the resolver reads: not followed (the
                    // resolver reports it).
                    if chain.contains(&p) || chain.len() > self.ctx.limits.max_index_depth {
                        continue;
                    }
                    let short = blob
                        .digest()
                        .map(|d| d.short().to_string())
                        .unwrap_or_else(|| p.clone());
                    chain.push(p);
                    self.index(sub, &format!("{source}->{short}"), chain);
                    chain.pop();
                    continue;
                }
                if artifact::classify(sub, desc).is_some() {
                    continue;
                }
            } else if desc
                .media_type
                .as_deref()
                .is_some_and(crate::media::is_index)
            {
                // An absent nested index: its platforms cannot be known.
                continue;
            }
            let key = desc.digest.clone().unwrap_or_else(|| source.clone());
            if !self.seen.insert(key) {
                continue;
            }
            // A multi-platform index names each manifest's platform; an index of several
            // images (a Docker 25+ save of several tags) names none: not a platform list.
            let Some(dp) = desc.platform.as_ref() else {
                continue;
            };
            self.out.push(ListedPlatform {
                entry: PlatformEntry {
                    os: dp.os.clone(),
                    architecture: dp.architecture.clone(),
                    variant: dp.variant.clone(),
                    manifest_digest: desc.digest.clone(),
                    source,
                    present,
                    image: None,
                },
                digest: blob.digest().filter(|_| present).cloned(),
            });
        }
    }
}

/// A descriptor named by cosign's `sha256-<hex>.sig/.att/.sbom` tag convention: an artifact.
fn is_cosign_tagged(desc: &Descriptor) -> bool {
    [
        "io.containerd.image.name",
        "org.opencontainers.image.ref.name",
    ]
    .iter()
    .filter_map(|k| desc.annotation(k))
    .any(|n| artifact::cosign_tag(n).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::Digest;
    use crate::model::{EntryKind, Member, MemberFacts};
    use crate::path::RawPath;

    fn member(path: &str, json: Option<String>) -> Member {
        Member {
            path: RawPath::from_bytes(path.as_bytes().to_vec()),
            kind: EntryKind::File,
            size: json.as_ref().map(|j| j.len() as u64).unwrap_or(0),
            data_offset: Some(0),
            link_target: None,
            facts: MemberFacts {
                json: json.map(Into::into),
                ..MemberFacts::default()
            },
        }
    }

    fn digest_of(text: &str) -> Digest {
        use sha2::{Digest as _, Sha256};
        let hex: String = Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Digest::parse(&format!("sha256:{hex}")).unwrap_or_else(|| panic!("digest {hex}"))
    }

    /// An `index.json` -> image index -> two (or more) platform manifests, of which only those
    /// in `present` have their manifest blob in the archive; plus an attestation manifest.
    fn archive(platforms: &[(&str, &str, Option<&str>)], present: &[usize]) -> Archive {
        let mut members = Vec::new();
        let mut descs = Vec::new();
        let mut images = Vec::new();
        for (k, (os, arch, variant)) in platforms.iter().enumerate() {
            let manifest = format!(
                r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:{k:064x}","size":2}},"layers":[]}}"#
            );
            let d = digest_of(&manifest);
            let mut platform = format!(r#""os":"{os}","architecture":"{arch}""#);
            if let Some(v) = variant {
                platform.push_str(&format!(r#","variant":"{v}""#));
            }
            descs.push(format!(
                r#"{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{d}","size":{},"platform":{{{platform}}}}}"#,
                manifest.len()
            ));
            if present.contains(&k) {
                members.push(member(&d.blob_path(), Some(manifest)));
                images.push(Image {
                    manifest_digest: Some(d),
                    ..Image::default()
                });
            }
        }
        descs.push(
            r#"{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","size":1,"platform":{"os":"unknown","architecture":"unknown"},"annotations":{"vnd.docker.reference.type":"attestation-manifest"}}"#.to_string(),
        );
        let inner = format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{}]}}"#,
            descs.join(",")
        );
        let inner_digest = digest_of(&inner);
        let outer = format!(
            r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"{inner_digest}","size":{}}}]}}"#,
            inner.len()
        );
        members.push(member(&inner_digest.blob_path(), Some(inner)));
        members.push(member("index.json", Some(outer)));
        Archive {
            members,
            images,
            ..Archive::default()
        }
    }

    #[test]
    fn lists_present_and_absent_platforms_with_digests() {
        let a = archive(
            &[("linux", "amd64", None), ("linux", "arm64", Some("v8"))],
            &[0],
        );
        let list = platforms(&a, &Limits::default());
        let shown: Vec<(String, bool, Option<usize>)> = list
            .iter()
            .map(|p| (p.display(), p.present, p.image))
            .collect();
        assert_eq!(
            shown,
            vec![
                ("linux/amd64".to_string(), true, Some(0)),
                ("linux/arm64/v8".to_string(), false, None),
            ]
        );
        let d0 = a.images.first().and_then(|i| i.manifest_digest.clone());
        assert_eq!(
            list.first().and_then(|p| p.manifest_digest.clone()),
            d0.map(|d| d.to_string())
        );
        assert!(list
            .get(1)
            .and_then(|p| p.manifest_digest.as_deref())
            .is_some_and(|d| d.starts_with("sha256:") && d.len() == 71));
        assert!(list
            .first()
            .is_some_and(|p| p.source.starts_with("index.json.manifests[0]->")
                && p.source.ends_with(".manifests[0]")));
    }

    #[test]
    fn choose_defaults_to_first_present_and_matches_specs() {
        let a = archive(
            &[
                ("linux", "amd64", None),
                ("linux", "arm64", Some("v8")),
                ("linux", "arm", Some("v7")),
            ],
            &[1, 2],
        );
        let list = platforms(&a, &Limits::default());
        assert_eq!(list.len(), 3);
        // amd64 is absent: the default is the first present one, arm64/v8 = image 0.
        assert_eq!(choose(&list, None), Ok(0));
        assert_eq!(choose(&list, Some("linux/arm64/v8")), Ok(0));
        assert_eq!(choose(&list, Some("linux/arm64")), Ok(0));
        assert_eq!(choose(&list, Some("LINUX/ARM/v7")), Ok(1));
        assert_eq!(
            choose(&list, Some("linux/amd64")),
            Err(ChooseError::NotInArchive)
        );
        assert_eq!(
            choose(&list, Some("linux/s390x")),
            Err(ChooseError::NotListed)
        );
        assert_eq!(choose(&list, Some("linux")), Err(ChooseError::NotListed));
        assert_eq!(
            choose(&list, Some("linux/arm64/v7")),
            Err(ChooseError::NotListed)
        );
    }

    /// What `docker --platform` picks (containerd's `platforms.Normalize` and `Only`): the
    /// exact platform before an older variant, whatever the index's order; aliases.
    #[test]
    fn platforms_are_chosen_as_docker_chooses_them() {
        let a = archive(
            &[
                ("linux", "amd64", Some("v3")),
                ("linux", "amd64", None),
                ("linux", "arm64", Some("v8")),
                ("linux", "arm", Some("v6")),
                ("linux", "arm", Some("v7")),
            ],
            &[0, 1, 2, 3, 4],
        );
        let list = platforms(&a, &Limits::default());
        let pick = |spec: &str| choose(&list, Some(spec)).ok();
        assert_eq!(pick("linux/amd64"), Some(1));
        assert_eq!(pick("linux/amd64/v1"), Some(1));
        assert_eq!(pick("linux/x86_64"), Some(1));
        assert_eq!(pick("linux/amd64/v3"), Some(0));
        assert_eq!(pick("linux/amd64/v2"), Some(1));
        assert_eq!(pick("linux/aarch64"), Some(2));
        assert_eq!(pick("linux/arm"), Some(4));
        assert_eq!(pick("linux/armhf"), Some(4));
        assert_eq!(pick("linux/arm/v7"), Some(4));
        assert_eq!(pick("linux/armel"), Some(3));
        assert_eq!(pick("linux/arm/v5"), None);
        assert_eq!(pick("linux/arm64/v9"), None);
        // Only older variants: v6 alone answers v7.
        let only_v6 = archive(&[("linux", "arm", Some("v6"))], &[0]);
        let list = platforms(&only_v6, &Limits::default());
        assert_eq!(choose(&list, Some("linux/arm/v7")), Ok(0));
    }

    #[test]
    fn arm64_without_variant_is_arm64_v8() {
        // containerd normalises arm64 to arm64/v8, so both spellings pick the same entry.
        let a = archive(
            &[("linux", "amd64", None), ("linux", "arm64", None)],
            &[0, 1],
        );
        let list = platforms(&a, &Limits::default());
        assert_eq!(choose(&list, Some("linux/arm64/v8")), Ok(1));
        assert_eq!(choose(&list, Some("linux/arm64")), Ok(1));
        assert_eq!(
            choose(&list, Some("linux/arm64/v7")),
            Err(ChooseError::NotListed)
        );
    }

    #[test]
    fn no_index_lists_nothing() {
        assert!(platforms(&Archive::default(), &Limits::default()).is_empty());
        assert_eq!(choose(&[], None), Err(ChooseError::NotListed));
    }

    /// A nested index is told by its exact media type, not by a substring: an absent
    /// manifest whose (vendor) media type merely contains "index" is a platform, listed as
    /// not in this archive, where it used to be skipped as an absent nested index.
    #[test]
    fn index_media_types_are_matched_exactly() {
        let mut a = archive(
            &[("linux", "amd64", None), ("linux", "arm64", Some("v8"))],
            &[0],
        );
        let index = a
            .members
            .iter_mut()
            .find(|m| {
                m.facts
                    .json
                    .as_deref()
                    .is_some_and(|j| j.contains("image.index.v1+json\",\"manifests"))
            })
            .unwrap_or_else(|| panic!("no inner index"));
        let json = index.facts.json.take().unwrap_or_default();
        // The absent arm64 manifest's descriptor gets a vendor type with "index" in it.
        let arm64 = json.find("\"arm64\"").unwrap_or(0);
        let arm = json
            .get(..arm64)
            .and_then(|before| before.rfind("\"mediaType\""))
            .unwrap_or(0);
        let (head, tail) = json.split_at(arm);
        let tail = tail.replacen(
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.acme.reindexed.manifest.v1+json",
            1,
        );
        index.facts.json = Some(format!("{head}{tail}").into());
        let list = platforms(&a, &Limits::default());
        let shown: Vec<(String, bool)> = list.iter().map(|p| (p.display(), p.present)).collect();
        assert_eq!(
            shown,
            vec![
                ("linux/amd64".to_string(), true),
                ("linux/arm64/v8".to_string(), false)
            ]
        );
    }

    /// The walk keeps the limits it is given: the platforms sit in an index nested one level
    /// below `index.json`, not followed with `max_index_depth` 0, nor past `max_manifests`.
    #[test]
    fn the_callers_limits_bound_the_walk() {
        let a = archive(
            &[("linux", "amd64", None), ("linux", "arm64", Some("v8"))],
            &[0, 1],
        );
        assert_eq!(platforms(&a, &Limits::default()).len(), 2);
        let shallow = Limits {
            max_index_depth: 0,
            ..Limits::default()
        };
        assert_eq!(platforms(&a, &shallow), vec![]);
        let few = Limits {
            max_manifests: 2,
            ..Limits::default()
        };
        // Two descriptors looked at: the nested index, then the first platform.
        let listed: Vec<String> = platforms(&a, &few).iter().map(|p| p.display()).collect();
        assert_eq!(listed, vec!["linux/amd64".to_string()]);
    }

    /// A platform whose manifest is in the archive but resolved to no image is present (the
    /// page says "in this archive, but could not be read"); the count beside the list counts
    /// it, as its row's flag does.
    #[test]
    fn present_count_counts_present_flags() {
        let mut a = archive(
            &[
                ("linux", "amd64", None),
                ("linux", "arm64", Some("v8")),
                ("linux", "arm", Some("v7")),
            ],
            &[0, 1],
        );
        a.images.truncate(1);
        let list = platforms(&a, &Limits::default());
        let flags: Vec<(bool, Option<usize>)> = list.iter().map(|p| (p.present, p.image)).collect();
        assert_eq!(flags, vec![(true, Some(0)), (true, None), (false, None)]);
        assert_eq!(present_count(&list), 2);
    }
}
