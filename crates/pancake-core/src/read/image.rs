//! Deciding, once every member has been seen, what the archive holds: which blobs are
//! manifests, configs and layers, which images they make, and whether every claim about
//! them holds. Pure function of the members; re-run after more facts arrive.
//!
//! One resolver per source of truth, as Docker, containerd and OCI tools write them:
//! - [`docker_manifest`]: Docker's `manifest.json` (what `docker load` reads when present),
//!   cross-checked against the OCI layout beside it (Docker 25+);
//! - [`oci_index`]: an OCI image layout's `index.json`, nested indexes, image manifests and
//!   artifacts (containerd, podman, skopeo, buildah, umoci, cosign);
//! - [`legacy`]: pre-1.10 `repositories` + `<id>/json` parent chains.
//!
//! This module holds what they share: member lookup, JSON reading, layer verification.

mod artifact;
mod docker_manifest;
mod legacy;
mod media_clash;
mod oci_index;
pub mod oci_layout;
mod platforms;
mod repo_tags;
mod repositories;

pub use platforms::{
    choose as choose_platform, fill_platforms, listed_platforms, platforms, present_count,
    ChooseError, Listed, ListedPlatform, PlatformEntry,
};

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::digest::{Algorithm, Digest, DigestError};
use crate::limits::Limits;
use crate::model::{
    Archive, Compression, EntryKind, Format, Image, Layer, LayerAt, Member, Mismatch, Problem,
    ProblemKind, ReadError, RootfsClaim, Scope, Verification,
};
use crate::path::RawPath;
use crate::read::config::{self, ConfigFile, Descriptor, OciDocument, Platform};
use crate::read::gojson;
use crate::{analyze::union, analyze::whiteout};

/// Problems a valid archive never has (the others — history, duplicates, whiteouts,
/// disagreements between sources — are warnings; a platform left out of
/// a multi-platform index, a non-distributable layer left out on purpose, an artifact whose
/// image is not in the archive and a tar or JSON quirk Docker accepts are information).
pub fn is_error_level(kind: ProblemKind) -> bool {
    !matches!(
        kind,
        ProblemKind::History
            | ProblemKind::DuplicateMember
            | ProblemKind::Whiteout
            | ProblemKind::MissingPlatform
            | ProblemKind::TarQuirk
            | ProblemKind::JsonQuirk
            | ProblemKind::NonDistributable
            | ProblemKind::Disagreement
            | ProblemKind::Artifact
    )
}

/// Recomputes `format`, `images` and the derived problems of `archive` with the default
/// [`Limits`].
pub fn resolve(archive: &mut Archive) {
    resolve_with(archive, &Limits::default());
}

/// How many problems of replaced copies of members ([`ProblemKind::DuplicateMember`] notes)
/// are listed one by one; the rest are counted in one.
const EARLIER_COPIES_LISTED: usize = 10;

/// Recomputes `format`, `images` and the derived problems of `archive`; `limits` bounds the
/// index walk (`max_index_depth`, `max_manifests`) and says which JSON members were too large
/// to parse (`max_json_bytes`).
pub fn resolve_with(archive: &mut Archive, limits: &Limits) {
    // Problems of the outer walk (read errors, unsafe or duplicate member names) are found
    // once, by the walk: re-resolving keeps them (by their scope) and recomputes the rest.
    let mut problems: Vec<Problem> = archive
        .problems
        .drain(..)
        .filter(|p| p.origin.scope == Scope::Outer)
        .collect();
    let last_of = index_paths(&archive.members);
    // The problems of replaced copies, bounded like the outer walk's findings: a tarball of
    // thousands of copies of one name, each with a problem, would otherwise give one per copy.
    let mut earlier = crate::read::listed::Listed::default();
    for (i, m) in archive.members.iter().enumerate() {
        // A member a later one of the same name replaces is nothing `docker load` reads (it
        // unpacks the outer tar, the last copy over the first): what is wrong inside it is
        // said as what it is, a note about that earlier copy, not an alarm about the blob
        // the images use.
        let replaced = last_of
            .get(m.path.as_bytes())
            .is_some_and(|&last| last != i);
        // Invalid whiteout names, from the entries alone (recomputed on every resolve, like
        // everything else here, so they are never counted twice).
        let whiteouts = m
            .facts
            .layer
            .as_ref()
            .map(|l| whiteout::problems(Some(&m.path.display()), &l.entries))
            .unwrap_or_default();
        for mut p in m.facts.problems.iter().cloned().chain(whiteouts) {
            if replaced && !earlier.room(EARLIER_COPIES_LISTED) {
                continue;
            }
            if let Some(r) = p.origin.member.as_mut() {
                r.index = Some(i);
            }
            if replaced {
                let kind = p.kind.name();
                p.detail = format!(
                    "an earlier copy of this member, which a later one of the same name replaces, has a problem ({kind}): {}",
                    p.detail
                );
                p.kind = ProblemKind::DuplicateMember;
            }
            problems.push(p);
        }
    }
    if let Some(n) = earlier.more() {
        problems.push(Problem {
            kind: ProblemKind::DuplicateMember,
            origin: crate::model::Origin::default(),
            detail: format!(
                "{n} more {} of earlier copies of members, which later ones of the same name replace (only the first {EARLIER_COPIES_LISTED} are listed one by one)",
                if n == 1 { "problem" } else { "problems" }
            ),
        });
    }
    let stopped_at_bound = problems
        .iter()
        .any(|p| p.origin.scope == Scope::Outer && p.kind == ProblemKind::Limit);
    let mut ctx = Ctx {
        members: &archive.members,
        by_path: index_paths(&archive.members),
        copies: index_copies(&archive.members),
        problems,
        limits,
        go_read: HashSet::new(),
        listed: HashMap::new(),
        layout: std::cell::OnceCell::new(),
        stopped_at_bound,
        folder_links: any_symlink(&archive.members),
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
    let oci = if has_index {
        ctx.oci_walk()
    } else {
        oci_index::OciWalk::default()
    };
    let from_manifest = if has_manifest {
        ctx.docker_images(&oci)
    } else {
        Vec::new()
    };
    if has_repos && !from_manifest.is_empty() {
        let listed: Vec<&Image> = from_manifest.iter().map(|(i, _)| i).collect();
        ctx.check_repositories(&listed);
    }
    let mut images: Vec<(Image, Vec<Digest>)> = if !from_manifest.is_empty() {
        from_manifest
    } else if has_manifest && has_index && !oci.images.is_empty() {
        // manifest.json is unusable (too large, not JSON, no entries): show what index.json
        // describes rather than nothing, and say so — the problem above says why.
        ctx.problem(
            ProblemKind::Metadata,
            Some("manifest.json"),
            "manifest.json gives no image; the images are read from index.json instead".into(),
        );
        oci.images.iter().map(|c| ctx.oci_image(c)).collect()
    } else if has_manifest {
        Vec::new()
    } else if has_index {
        oci.images.iter().map(|c| ctx.oci_image(c)).collect()
    } else if has_repos {
        ctx.legacy_images()
            .into_iter()
            .map(|i| (i, Vec::new()))
            .collect()
    } else {
        ctx.unrecognized();
        Vec::new()
    };
    // containerd keeps only regular members as blobs: an index.json link is none.
    let index_file = archive
        .members
        .iter()
        .any(|m| m.path.as_bytes() == b"index.json" && oci_layout::is_regular(m));
    ctx.check_oci_layout(has_manifest, index_file);
    ctx.attach_artifacts(&oci.artifacts, &mut images);
    ctx.shared_names(&images);
    ctx.counted_rest();
    archive.problems = ctx.problems;
    archive.images = images.into_iter().map(|(i, _)| i).collect();
    // Hard links that point to nothing need the layers below them: one fold per image, each
    // problem once even when images share the layer.
    let mut links: Vec<Problem> = Vec::new();
    let mut seen: HashSet<(Option<usize>, Option<String>, String)> = HashSet::new();
    for img in &archive.images {
        for p in union::link_problems(archive, img) {
            let key = (
                p.origin.member.as_ref().and_then(|m| m.index),
                p.origin.entry.clone(),
                p.detail.clone(),
            );
            if seen.insert(key) {
                links.push(p);
            }
        }
    }
    archive.problems.extend(links);
    locate_layers(archive);
}

/// Fills `origin.layer` of every problem about a member that is a layer blob: the image and
/// layer its message names (`subject`), else the first image and layer position (0-based)
/// whose layer that member is, so a view can link to it;
/// for a layer's missing blob, the image whose layer at the problem's `subject` position
/// names that blob.
fn locate_layers(archive: &mut Archive) {
    let mut at: HashMap<usize, LayerAt> = HashMap::new();
    for (image, img) in archive.images.iter().enumerate() {
        for (layer, l) in img.layers.iter().enumerate() {
            if let Some(m) = l.member {
                at.entry(m).or_insert(LayerAt { image, layer });
            }
        }
    }
    let images = &archive.images;
    let labelled = |img: &Image, label: &str| img.tags.first().unwrap_or(&img.source) == label;
    // The images a problem of each kind, member and subject went to: images that share a label
    // (one name in two entries, the platforms of one index) each made their own, in order.
    let mut taken: HashSet<(String, usize, usize)> = HashSet::new();
    for p in &mut archive.problems {
        if p.origin.layer.is_none() {
            let index = p.origin.member.as_ref().and_then(|m| m.index);
            // A problem whose message names its image and layer (a claim of that image's
            // config or manifest that failed, for a blob several images share) is about that
            // image, not about the first one that uses the blob.
            let kind = p.kind.name();
            let named = p.origin.subject.as_ref().and_then(|s| {
                let fits = |img: &Image| {
                    labelled(img, &s.image)
                        && index.is_some()
                        && img.layers.get(s.layer).and_then(|l| l.member) == index
                };
                let key = |image: usize| (format!("{kind} {}", p.detail), image, s.layer);
                let image = images
                    .iter()
                    .enumerate()
                    .filter(|(_, img)| fits(img))
                    .map(|(i, _)| i)
                    .find(|&i| !taken.contains(&key(i)))
                    .or_else(|| images.iter().position(fits))?;
                taken.insert(key(image));
                Some(LayerAt {
                    image,
                    layer: s.layer,
                })
            });
            p.origin.layer = named.or_else(|| index.and_then(|i| at.get(&i).copied()));
        }
        // A layer whose blob is not in the archive has no member to go by: its problem names
        // the layer (`subject`) and the blob's path, which the layer records as `blob_path`.
        // Several images can share that blob: the one the subject names (by the label the
        // resolvers gave it, its first tag else its source) is the one, and only when none
        // carries that label (a label two images share) the first with the blob there.
        if let (None, Some(s), Some(m)) = (p.origin.layer, &p.origin.subject, &p.origin.member) {
            let has_blob = |img: &Image| {
                img.layers
                    .get(s.layer)
                    .is_some_and(|l| l.blob_path.as_deref() == Some(m.name.as_str()))
            };
            let image = images
                .iter()
                .position(|img| labelled(img, &s.image) && has_blob(img))
                .or_else(|| images.iter().position(has_blob));
            p.origin.layer = image.map(|image| LayerAt {
                image,
                layer: s.layer,
            });
        }
    }
}

/// Last member with each normalized path (a later duplicate wins).
fn index_paths(members: &[Member]) -> HashMap<Vec<u8>, usize> {
    let mut m = HashMap::new();
    for (i, mem) in members.iter().enumerate() {
        m.insert(mem.path.as_bytes().to_vec(), i);
    }
    m
}

/// Every copy (member index, ascending) of each path the tar holds more than once: a hard
/// link is to the copy that was there when it came ([`Ctx::find`]). At most as many indexes
/// as members.
fn index_copies(members: &[Member]) -> HashMap<Vec<u8>, Vec<usize>> {
    let mut all: HashMap<&[u8], Vec<usize>> = HashMap::new();
    for (i, mem) in members.iter().enumerate() {
        all.entry(mem.path.as_bytes()).or_default().push(i);
    }
    all.into_iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|(k, v)| (k.to_vec(), v))
        .collect()
}

enum Found {
    Member(usize),
    Missing(String),
    /// No member of that name: in an archive the reader stopped reading at one of its bounds
    /// ([`Ctx::stopped_at_bound`]), it may be in the part not read.
    Absent(String),
    Unsafe(String),
}

/// Which member a path names at some point of the tar ([`Ctx::copy_at`]).
enum CopyAt {
    /// This one.
    Before(usize),
    /// Only members that come after that point.
    OnlyAfter,
    /// None at all.
    None,
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

/// Where a descriptor's blob lives in an OCI image layout (`blobs/<algorithm>/<encoded>`),
/// and the digest to check it against.
#[derive(Clone, Debug, PartialEq, Eq)]
enum BlobRef {
    /// A registered algorithm: checkable.
    Known(Digest),
    /// Well formed, but an algorithm the image-spec does not register: the blob can be found
    /// at `path` and read, not verified.
    Unknown { algorithm: String, path: String },
    /// No digest, or not a digest at all.
    Invalid(Option<String>),
}

impl BlobRef {
    fn of(digest: Option<&str>) -> BlobRef {
        let Some(raw) = digest else {
            return BlobRef::Invalid(None);
        };
        match Digest::parse_checked(raw) {
            Ok(d) => BlobRef::Known(d),
            Err(DigestError::UnknownAlgorithm(algorithm)) => {
                let enc = raw.split_once(':').map(|(_, e)| e).unwrap_or_default();
                BlobRef::Unknown {
                    path: format!("blobs/{algorithm}/{enc}"),
                    algorithm,
                }
            }
            Err(DigestError::Malformed) => BlobRef::Invalid(Some(raw.to_string())),
        }
    }

    fn path(&self) -> Option<String> {
        match self {
            BlobRef::Known(d) => Some(d.blob_path()),
            BlobRef::Unknown { path, .. } => Some(path.clone()),
            BlobRef::Invalid(_) => None,
        }
    }

    fn digest(&self) -> Option<&Digest> {
        match self {
            BlobRef::Known(d) => Some(d),
            _ => None,
        }
    }

    /// Why the blob cannot be located or checked, for messages.
    fn why_not(&self) -> String {
        match self {
            BlobRef::Known(_) => String::new(),
            BlobRef::Unknown { algorithm, .. } => {
                DigestError::UnknownAlgorithm(algorithm.clone()).to_string()
            }
            BlobRef::Invalid(None) => "the descriptor has no digest".into(),
            BlobRef::Invalid(Some(raw)) => {
                format!("{raw:?} is {}", DigestError::Malformed)
            }
        }
    }
}

/// The digest of a member's bytes with `alg`, when it was computed (sha512 only for members
/// under `blobs/sha512/`).
fn member_digest(m: &Member, alg: Algorithm) -> Option<&Digest> {
    match alg {
        Algorithm::Sha256 => m.facts.sha256.as_ref(),
        Algorithm::Sha512 => m.facts.sha512.as_ref(),
    }
}

/// Non-distributable layers (image-spec `…layer.nondistributable…`, Docker's
/// `…rootfs.foreign…`) may be left out of an archive on purpose: registries and `docker save`
/// do not copy them; their descriptor gives `urls` to fetch them from.
fn is_non_distributable(desc: &Descriptor) -> bool {
    desc.media_type
        .as_deref()
        .is_some_and(|m| m.contains("nondistributable") || m.contains("foreign"))
}

/// The compression a layer media type declares, when it declares one this reader knows.
fn media_type_compression(mt: &str) -> Option<Compression> {
    if mt.ends_with("+gzip") || mt.ends_with(".tar.gzip") {
        Some(Compression::Gzip)
    } else if mt.ends_with("+zstd") || mt.ends_with(".tar.zstd") {
        Some(Compression::Zstd)
    } else if mt.ends_with(".tar") || mt.ends_with("+tar") || mt.ends_with(".v1.tar") {
        Some(Compression::None)
    } else {
        None
    }
}

/// What a layer descriptor whose media type `mt` names the compression `declared`, over a
/// blob that is `actual`, means for the engines that load it: the problem kind and its words.
///
/// containerd's import (`ctr import`, `docker load` with the containerd image store) unpacks
/// a layer through `DiffCompression(mt)` (core/images/mediatypes.go) and the stream
/// processor of core/diff/stream.go: for an OCI `…layer.v1.tar` type without a suffix it
/// gives "" and hands the blob to the tar reader as it is; for Docker's
/// `…rootfs.diff.tar` it gives "unknown", and for a `+gzip`/`+zstd` type the compression,
/// and either way `compression.DecompressStream` detects the compression, knowing only gzip
/// and zstd (anything else it reads as a plain tar). moby's classic load (manifest.json)
/// runs its own `DecompressStream` on every layer, which detects gzip, bzip2, xz and zstd.
/// So `load-fails` when containerd fails, else `disagreement`.
fn compression_mismatch(
    mt: &str,
    declared: Compression,
    actual: Compression,
) -> (ProblemKind, String) {
    let (said, is) = (compression_name(declared), compression_name(actual));
    let raw = mt.starts_with("application/vnd.oci.image.layer.") && declared == Compression::None;
    let containerd_fails = if matches!(actual, Compression::Xz | Compression::Bzip2) {
        Some(format!(
            "detects only gzip and zstd, so it reads the {is} stream as a tar, which fails"
        ))
    } else if raw && actual != Compression::None {
        Some(format!(
            "hands a layer of this type to its tar reader undecompressed (DiffCompression gives no compression for it), so unpacking the {is} stream fails"
        ))
    } else {
        None
    };
    let intro = format!("the layer descriptor's media type {mt} says {said}, but the blob is {is}");
    match containerd_fails {
        Some(why) => (
            ProblemKind::LoadFails,
            format!(
                "{intro}: containerd's import (docker load with the containerd image store, ctr import) {why}; Docker's classic store (reading manifest.json, when the archive has one) detects the compression of every layer and loads it; the digests are the blob's as stored"
            ),
        ),
        None => (
            ProblemKind::Disagreement,
            format!(
                "{intro}: Docker and containerd detect the compression of such a layer and read it, so it loads; the digests are the blob's as stored"
            ),
        ),
    }
}

fn compression_name(c: Compression) -> String {
    serde_json::to_value(c)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{c:?}").to_lowercase())
}

/// How many of `what` a source lists, for messages: "1 layer", "0 layers".
fn count_of(n: usize, what: &str) -> String {
    if n == 1 {
        format!("{n} {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// "the OCI manifest lists 0 layers; manifest.json and the config list 1": sources grouped
/// by the count they give, or `None` when they all agree.
fn count_disagreement(claims: &[(&str, usize)]) -> Option<String> {
    let first = claims.first()?.1;
    if claims.iter().all(|(_, n)| *n == first) {
        return None;
    }
    let mut groups: Vec<(usize, Vec<&str>)> = Vec::new();
    for (who, n) in claims {
        match groups.iter_mut().find(|(m, _)| m == n) {
            Some((_, v)) => v.push(who),
            None => groups.push((*n, vec![who])),
        }
    }
    // The odd one out first: "the OCI manifest lists 0 layers; manifest.json and the
    // config list 1".
    groups.sort_by_key(|(_, who)| who.len());
    let parts: Vec<String> = groups
        .iter()
        .map(|(n, who)| {
            let verb = if who.len() == 1 { "lists" } else { "list" };
            let names = match who.as_slice() {
                [one] => one.to_string(),
                [init @ .., last] => format!("{} and {last}", init.join(", ")),
                [] => String::new(),
            };
            format!("{names} {verb} {}", count_of(*n, "layer"))
        })
        .collect();
    Some(parts.join("; "))
}

struct Ctx<'a> {
    members: &'a [Member],
    /// Each path's last member: what unpacking leaves at it.
    by_path: HashMap<Vec<u8>, usize>,
    /// Each path held more than once, its copies in tar order ([`index_copies`]).
    copies: HashMap<Vec<u8>, Vec<usize>>,
    problems: Vec<Problem>,
    limits: &'a Limits,
    /// Members whose OCI index or manifest was read as containerd reads it
    /// ([`Ctx::oci_document`]), so what that found is said once however often it is reached.
    go_read: HashSet<usize>,
    /// Problems of one kind about one member, counted to bound them ([`Ctx::counted_rest`]):
    /// a hostile `manifest.json` of a million entries each with a bad tag or path would
    /// otherwise give a million problems.
    listed: HashMap<Unit, Counted>,
    /// The archive's `oci-layout`, as containerd's import reads it: computed when first
    /// asked ([`Ctx::layout`]), since the platform walk never asks.
    layout: std::cell::OnceCell<oci_layout::Layout>,
    /// The outer walk stopped at one of the reader's bounds (an extension record or a
    /// compressed stream's window over it: an outer `limit` problem), so members after that
    /// point were not read, not found missing.
    stopped_at_bound: bool,
    /// Some member is a symlink: only then can a folder on a path be one
    /// ([`Ctx::through_folder_link`]).
    folder_links: bool,
}

/// Some member of `members` is a symlink (a folder on a metadata path may be one).
fn any_symlink(members: &[Member]) -> bool {
    members.iter().any(|m| m.kind == EntryKind::Symlink)
}

/// The longest path [`Ctx::find`] follows links to (Linux's `PATH_MAX`): each step through a
/// folder link may lengthen the path, and each step hashes it.
const MAX_FOUND_PATH: usize = 4096;

/// What problems are counted by: the member and kind, and the image they are about (the
/// entry `[k]` of a JSON member's field, or the image a layer subject names), so one image's
/// many problems do not hide another's. `None` for the member's total.
type Unit = (Option<String>, ProblemKind, Option<String>);

/// The problems of one [`Unit`]: how many were listed, how many only counted, and the field
/// of the first one not listed (its entry, for the summary).
#[derive(Debug, Default)]
struct Counted {
    listed: crate::read::listed::Listed,
    first_hidden: Option<Option<String>>,
    /// A problem not listed was about another field than the first's kind of field (a
    /// `RepoTags` entry or not): the count then carries no field.
    hidden_mixed: bool,
}

/// How many problems of one kind about one image in one member are listed one by one.
const PER_IMAGE: usize = 50;
/// How many problems of one kind about one member are listed in all.
const PER_MEMBER: usize = 1000;

/// Who decodes a document with Go's `encoding/json`, and into whose structs: the words of
/// [`Ctx::report_go`]'s messages.
#[derive(Clone, Copy)]
enum GoReader {
    /// `docker load`, into Docker's structs (`manifest.json`, image configs).
    DockerLoad,
    /// containerd's import, into the image-spec's structs (`index.json`, nested indexes,
    /// image manifests).
    ContainerdImport,
}

impl GoReader {
    fn structs(self) -> &'static str {
        match self {
            GoReader::DockerLoad => "Docker's field",
            GoReader::ContainerdImport => "the OCI image-spec's field",
        }
    }

    fn reader(self) -> &'static str {
        match self {
            GoReader::DockerLoad => "docker load",
            GoReader::ContainerdImport => {
                "containerd's import (ctr import; docker load with the containerd image store)"
            }
        }
    }
}

impl<'a> Ctx<'a> {
    /// The archive's `oci-layout` as containerd's import reads it ([`oci_layout::layout`]),
    /// computed once.
    fn layout(&self) -> &oci_layout::Layout {
        self.layout.get_or_init(|| oci_layout::layout(self.members))
    }

    /// Records a problem about the member `member` (its shown name; its index is looked up)
    /// or about no member; `message` is the whole English text.
    fn problem(&mut self, kind: ProblemKind, member: Option<&str>, message: String) {
        self.problem_about(kind, member, None, message);
    }

    /// [`Self::problem`] about field `entry` of a JSON member (`Origin::entry`).
    fn problem_at(
        &mut self,
        kind: ProblemKind,
        member: Option<&str>,
        entry: Option<String>,
        message: String,
    ) {
        self.push_problem(kind, member, None, entry, message);
    }

    /// [`Self::problem`] whose message names layer `subject` (image label, 0-based
    /// position) first: `message` is the rest, starting with its separator.
    fn problem_about(
        &mut self,
        kind: ProblemKind,
        member: Option<&str>,
        subject: Option<(&str, usize)>,
        message: String,
    ) {
        self.push_problem(kind, member, subject, None, message);
    }

    /// Pushes the problem unless its image already has [`PER_IMAGE`] of its kind about the
    /// member, or the member [`PER_MEMBER`]; then only counts it.
    fn push_problem(
        &mut self,
        kind: ProblemKind,
        member: Option<&str>,
        subject: Option<(&str, usize)>,
        entry: Option<String>,
        message: String,
    ) {
        let name = member.map(str::to_string);
        // `[k]` of `[k].RepoTags[n]`, or the label of the subject's image.
        let image = entry
            .as_deref()
            .and_then(|e| e.strip_prefix('['))
            .and_then(|e| e.split(']').next())
            .map(|k| format!("[{k}]"))
            .or_else(|| subject.map(|(label, _)| label.to_string()));
        // Past the member's total only the total counts; else the image's own bound first.
        let total = (name.clone(), kind, None);
        let full = self
            .listed
            .get(&total)
            .is_some_and(|c| c.listed.is_full(PER_MEMBER));
        let units = match image {
            Some(i) if !full => vec![((name, kind, Some(i)), PER_IMAGE), (total, PER_MEMBER)],
            _ => vec![(total, PER_MEMBER)],
        };
        for (unit, per) in units {
            let c = self.listed.entry(unit).or_default();
            if !c.listed.room(per) {
                let tags =
                    |e: &Option<String>| e.as_deref().is_some_and(|e| e.contains("].RepoTags["));
                let first = c.first_hidden.get_or_insert_with(|| entry.clone());
                if tags(first) != tags(&entry) {
                    c.hidden_mixed = true;
                }
                return;
            }
        }
        let index = member.and_then(|m| self.by_path.get(m.as_bytes()).copied());
        let mut p = Problem::member(kind, index, member, message);
        p.origin.entry = entry;
        self.problems.push(match subject {
            Some((image, layer)) => p.about_layer(image, layer),
            None => p,
        });
    }

    /// One problem per image, member and kind that had more than [`PER_IMAGE`] (or member
    /// and kind over [`PER_MEMBER`]), counting the rest, in the order of the members' names.
    /// An image's count carries the field of its first problem not listed (the refusals of
    /// `image_claims::load_refused_in` go by it); the member's total carries none.
    fn counted_rest(&mut self) {
        let mut rest: Vec<(Unit, usize, Option<String>)> = self
            .listed
            .iter()
            .filter_map(|(u, c)| {
                let entry = c.first_hidden.clone().flatten().filter(|_| !c.hidden_mixed);
                Some((u.clone(), c.listed.more()?, entry))
            })
            .collect();
        rest.sort_by(|a, b| {
            (&a.0 .0, a.0 .1.name(), &a.0 .2).cmp(&(&b.0 .0, b.0 .1.name(), &b.0 .2))
        });
        for ((member, kind, image), n, entry) in rest {
            let index = member
                .as_deref()
                .and_then(|m| self.by_path.get(m.as_bytes()).copied());
            let about = member.as_deref().unwrap_or("the archive");
            let (of, per) = match &image {
                Some(i) if i.starts_with('[') => (format!(" about entry {i}"), PER_IMAGE),
                Some(i) => (format!(" about {i}"), PER_IMAGE),
                None => (String::new(), PER_MEMBER),
            };
            let mut p = Problem::member(
                kind,
                index,
                member.as_deref(),
                format!(
                    "{about}: {n} more {} problems{of} (only the first {per} are listed one by one)",
                    kind.name()
                ),
            );
            if image.is_some() {
                p.origin.entry = entry;
            }
            self.problems.push(p);
        }
    }

    /// Finds the member a metadata path names, following outer symlinks and hard links,
    /// never leaving the archive.
    fn find(&self, path: &str) -> Found {
        if RawPath::is_unsafe_name(path.as_bytes()) {
            return Found::Unsafe(format!("{path} points outside the archive"));
        }
        let mut cur = RawPath::normalize(path.as_bytes());
        let mut seen: HashSet<RawPath> = HashSet::new();
        // After a hard link: the member index it comes at. Unpacking links it to the file its
        // target names at that moment, so a copy of that name later in the tar (which replaces
        // the name, not the linked file) is not what it holds. A symlink is read after
        // unpacking: from one, the last copy again.
        let mut before: Option<usize> = None;
        for _ in 0..32 {
            if !seen.insert(cur.clone()) {
                return Found::Missing(format!(
                    "{path}: the links among members go round in a loop (symlinks or hard \
                     links pointing back at {cur}); expected them to end at a file"
                ));
            }
            if cur.as_bytes().len() > MAX_FOUND_PATH {
                return Found::Missing(format!(
                    "{path}: the links among members lead to a path of over {MAX_FOUND_PATH} bytes"
                ));
            }
            let hit = match self.copy_at(cur.as_bytes(), before) {
                CopyAt::Before(i) => Some(i),
                CopyAt::OnlyAfter => {
                    return Found::Missing(format!(
                        "{path}: a hard link comes before any member named {cur}, its target, so unpacking fails on it"
                    ));
                }
                CopyAt::None => None,
            };
            // A member under a folder that a later member replaced (a symlink, a file) is gone
            // once unpacked: the path goes through what replaced the folder instead.
            let hit = hit.filter(|&i| {
                !(self.folder_links && self.folder_replaced(cur.as_bytes(), i, before))
            });
            let Some(i) = hit else {
                // A folder on the way may be a symlink among the members (`l1 -> l0`, then
                // `l1/layer.tar`): `docker load` opens the path with `FollowSymlinkInScope`,
                // which follows it inside the archive's root.
                if !self.folder_links {
                    return Found::Absent(format!("{path} is not in the archive"));
                }
                match self.through_folder_link(&cur, before) {
                    Some(Ok(next)) => {
                        cur = next;
                        continue;
                    }
                    Some(Err(link)) => {
                        return Found::Unsafe(format!("{path}: symlink {link} leaves the archive"))
                    }
                    None => return Found::Absent(format!("{path} is not in the archive")),
                }
            };
            if let Some(found) = self.follow(path, &mut cur, &mut before, i) {
                return found;
            }
        }
        Found::Missing(format!("{path}: too many links"))
    }

    /// One step of [`Self::find`] at member `i`, reached at `cur`: the member itself when it
    /// is a file; otherwise `cur` moves to where the link points (`before`: the hard link's
    /// index, or `None` after a symlink) and `None` says to go on.
    fn follow(
        &self,
        path: &str,
        cur: &mut RawPath,
        before: &mut Option<usize>,
        i: usize,
    ) -> Option<Found> {
        let Some(m) = self.members.get(i) else {
            return Some(Found::Missing(path.to_string()));
        };
        match (m.kind, &m.link_target) {
            (EntryKind::File, _) => Some(Found::Member(i)),
            (EntryKind::Symlink, Some(t)) => match join_inside(&cur.parent(), t.as_bytes()) {
                Some(next) => {
                    *cur = next;
                    *before = None;
                    None
                }
                None => Some(Found::Unsafe(format!(
                    "{path}: symlink {} -> {} leaves the archive",
                    m.path, t
                ))),
            },
            (EntryKind::Hardlink, Some(t)) => {
                match join_inside(&RawPath::default(), t.as_bytes()) {
                    Some(next) => {
                        *cur = next;
                        *before = Some(i);
                        None
                    }
                    None => Some(Found::Unsafe(format!(
                        "{path}: hard link {} => {} leaves the archive",
                        m.path, t
                    ))),
                }
            }
            _ => Some(Found::Missing(format!(
                "{path} is not a regular file in the archive"
            ))),
        }
    }

    /// The member at `path` as unpacking left it when the member at `before` came (`None`:
    /// at the end): its last copy before then.
    fn copy_at(&self, path: &[u8], before: Option<usize>) -> CopyAt {
        let Some(&last) = self.by_path.get(path) else {
            return CopyAt::None;
        };
        let Some(b) = before.filter(|b| last >= *b) else {
            return CopyAt::Before(last);
        };
        let copies = self.copies.get(path).map_or(&[][..], Vec::as_slice);
        let earlier = copies.partition_point(|&c| c < b);
        match earlier.checked_sub(1).and_then(|k| copies.get(k)) {
            Some(&i) => CopyAt::Before(i),
            None => CopyAt::OnlyAfter,
        }
    }

    /// Whether a folder on `path`'s way (its first 64) is, by the time of `before`, a member
    /// that is not a folder and came after member `i`: unpacking removed the folder and
    /// `i` with it.
    fn folder_replaced(&self, path: &[u8], i: usize, before: Option<usize>) -> bool {
        path.iter()
            .enumerate()
            .filter(|(_, b)| **b == b'/')
            .take(64)
            .filter_map(|(k, _)| path.get(..k))
            .any(|folder| match self.copy_at(folder, before) {
                CopyAt::Before(j) => {
                    j > i
                        && self
                            .members
                            .get(j)
                            .is_some_and(|m| m.kind != EntryKind::Dir)
                }
                _ => false,
            })
    }

    /// `path` with its first folder that is a symlink member replaced by where the link
    /// points (one step: [`Self::find`] goes on from there); `None` when no folder on the way
    /// is a symlink; `Err("LINK -> TARGET")` when that link leaves the archive. O(the first 64
    /// folders × the path's length).
    fn through_folder_link(
        &self,
        path: &RawPath,
        before: Option<usize>,
    ) -> Option<Result<RawPath, String>> {
        // The first 64 folders only: each look-up hashes the prefix, so a hostile manifest's
        // path of 500,000 folders would cost 10^11 bytes of hashing; real saves name a blob
        // one to three folders deep.
        const MAX_FOLDERS: usize = 64;
        let bytes = path.as_bytes();
        for (k, _) in bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'/')
            .take(MAX_FOLDERS)
        {
            let (folder, rest) = (bytes.get(..k)?, bytes.get(k + 1..)?);
            // The folder as it was when a hard link on the way came, if one did.
            let CopyAt::Before(at) = self.copy_at(folder, before) else {
                continue;
            };
            let Some(m) = self.members.get(at) else {
                continue;
            };
            let (EntryKind::Symlink, Some(t)) = (m.kind, &m.link_target) else {
                // A file or a folder of its own: a file is no folder to go through.
                if m.kind == EntryKind::Dir {
                    continue;
                }
                return None;
            };
            let folder = RawPath::from_bytes(folder.to_vec());
            return Some(match join_inside(&folder.parent(), t.as_bytes()) {
                Some(to) => Ok(RawPath::normalize(&[to.as_bytes(), b"/", rest].concat())),
                None => Err(format!("{} -> {}", m.path, t)),
            });
        }
        None
    }

    /// Finds a member or reports why not (as MissingBlob / UnsafePath naming `what`).
    fn find_reporting(&mut self, path: &str, what: &str) -> Option<usize> {
        self.find_reporting_about(path, what, None)
    }

    /// [`Self::find_reporting`] for a layer's blob: the problems name layer `subject`
    /// (image label, 0-based position) as a typed [`Origin::subject`], not in their text.
    fn find_reporting_about(
        &mut self,
        path: &str,
        what: &str,
        subject: Option<(&str, usize)>,
    ) -> Option<usize> {
        self.find_reporting_why(path, what, subject).ok()
    }

    /// [`Self::find_reporting_about`], with why not (the words of the problem it gave).
    fn find_reporting_why(
        &mut self,
        path: &str,
        what: &str,
        subject: Option<(&str, usize)>,
    ) -> Result<usize, String> {
        match self.find(path) {
            Found::Member(i) => Ok(i),
            Found::Absent(_) if self.stopped_at_bound => {
                // Not damage: the part of the file not read may hold it (the problem about
                // the outer tar says where the reader stopped and why).
                self.problem_about(
                    ProblemKind::Limit,
                    Some(path),
                    subject,
                    format!("{what}: {path} is not among the members read before the reader stopped at one of its bounds (see the problem about the outer tar); not checked"),
                );
                Err(format!("{path} is not among the members read"))
            }
            Found::Missing(why) | Found::Absent(why) => {
                self.problem_about(
                    ProblemKind::MissingBlob,
                    Some(path),
                    subject,
                    format!("{what}: {why}"),
                );
                Err(why)
            }
            Found::Unsafe(why) => {
                self.problem_about(
                    ProblemKind::UnsafePath,
                    Some(path),
                    subject,
                    format!("{what}: {why}; not opened"),
                );
                self.problem_about(
                    ProblemKind::MissingBlob,
                    Some(path),
                    subject,
                    format!("{what}: {path} cannot be used (unsafe path)"),
                );
                Err(why)
            }
        }
    }

    /// The JSON document stored in member `i`, or a Metadata (or Limit) problem naming it.
    fn json(&mut self, i: usize, name: &str) -> Option<Value> {
        self.parse(i, name)
    }

    /// [`Self::json`] with its objects' keys in the order written and repeats kept, for
    /// reading as Go's decoder does ([`gojson::normalize`]).
    fn json_doc(&mut self, i: usize, name: &str) -> Option<gojson::Doc> {
        self.parse(i, name)
    }

    /// The document in member `i` ([`Self::json_text`]) parsed as a `T`, or a Metadata problem
    /// naming it.
    fn parse<T: serde::de::DeserializeOwned>(&mut self, i: usize, name: &str) -> Option<T> {
        let text = self.json_text(i, name)?;
        match serde_json::from_str::<T>(&text) {
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

    /// The text of the JSON document in member `i` as Go's decoder reads its strings (after a
    /// leading BOM): bytes that are not UTF-8 and lone surrogate escapes inside strings as
    /// U+FFFD, each kind said in a `json-quirk` note; or a Metadata (or Limit) problem naming
    /// it.
    fn json_text(&mut self, i: usize, name: &str) -> Option<Cow<'a, str>> {
        let members = self.members;
        let m = members.get(i)?;
        if m.facts.sha256.is_none() && m.facts.json.is_none() && m.facts.error.is_none() {
            return None; // not read yet (fast first view)
        }
        let Some(text) = m.facts.json.as_deref() else {
            if let Some(e @ ReadError::SparseMember { .. }) = &m.facts.error {
                // Not read, so not known to be anything: say why, not "not JSON".
                let detail = format!("{name}: {e}");
                self.problem(e.kind(), Some(name), detail);
            } else if m.size > self.limits.max_json_bytes {
                self.problem(
                    ProblemKind::Limit,
                    Some(name),
                    format!(
                        "{name}: {} bytes, larger than the {}-byte cap for JSON documents \
                         (limits.max_json_bytes); not parsed",
                        m.size, self.limits.max_json_bytes
                    ),
                );
            } else {
                self.problem(
                    ProblemKind::Metadata,
                    Some(name),
                    format!("{name}: not valid JSON (not a small UTF-8 JSON document)"),
                );
            }
            return None;
        };
        if m.facts.json_invalid_utf8 > 0 {
            let n = m.facts.json_invalid_utf8;
            self.problem(
                ProblemKind::JsonQuirk,
                Some(name),
                format!(
                    "{name}: {n} {} inside its strings {} not UTF-8, read as U+FFFD as Go's encoding/json (which docker load uses) reads {}; the digest is over the bytes as stored",
                    if n == 1 { "byte" } else { "bytes" },
                    if n == 1 { "is" } else { "are" },
                    if n == 1 { "it" } else { "them" },
                ),
            );
        }
        if text.starts_with('\u{feff}') {
            // Go's decoder takes no byte order mark (RFC 8259 §8.1: a generator must not add
            // one); it fails on the first byte, so the document's reader fails as a whole.
            self.problem(
                ProblemKind::LoadFails,
                Some(name),
                format!(
                    "{name}: begins with a UTF-8 byte order mark (EF BB BF), which Go's encoding/json refuses (\"invalid character 'ï' looking for beginning of value\"), so docker load and containerd's import fail on it; read here from the byte after it"
                ),
            );
        }
        let (text, lone) = gojson::surrogates_as_go_reads(text.trim_start_matches('\u{feff}'));
        if lone > 0 {
            self.problem(
                ProblemKind::JsonQuirk,
                Some(name),
                format!(
                    "{name}: {lone} \\u escape{} of half a UTF-16 surrogate pair, read as U+FFFD as Go's encoding/json (which docker load uses) reads {}",
                    if lone == 1 { "" } else { "s" },
                    if lone == 1 { "it" } else { "them" },
                ),
            );
        }
        Some(text)
    }

    /// Reports what reading a document as Go does found ([`gojson::normalize`]) in member
    /// `name`, which `by` decodes (`docker load`, or containerd's import): each key that
    /// names a field only
    /// case-insensitively as a `json-quirk` note (once per key and field, at its first
    /// place), each value Go refuses as `load-fails` (the first few, then how many more).
    /// Each names the field as `Origin::entry`. Returns where Go refuses a value.
    fn report_go(
        &mut self,
        name: &str,
        findings: Vec<gojson::Finding>,
        by: GoReader,
    ) -> Vec<String> {
        const SHOWN: usize = 8;
        let mut folded: Vec<(String, &'static str, String, usize)> = Vec::new();
        let mut refused: Vec<String> = Vec::new();
        for f in findings {
            match f.what {
                gojson::FindingKind::FoldedKey { written, field } => {
                    match folded.iter_mut().find(|x| x.0 == written && x.1 == field) {
                        Some(x) => x.3 += 1,
                        None => folded.push((written, field, f.at, 1)),
                    }
                }
                what => {
                    if refused.len() < SHOWN {
                        let why = match &what {
                            gojson::FindingKind::WrongType { got, want } => format!(
                                "is a JSON {got} where {} is {want}, which Go's encoding/json cannot decode",
                                by.structs()
                            ),
                            gojson::FindingKind::BadTime { text } => format!(
                                "is {}, not an RFC 3339 time as Go's time.Time reads it",
                                Value::String(text.clone())
                            ),
                            gojson::FindingKind::FoldedKey { .. } => String::new(),
                        };
                        self.problem_at(
                            ProblemKind::LoadFails,
                            Some(name),
                            Some(f.at.clone()),
                            format!("{name}: {} {why}, so {} fails", f.at, by.reader()),
                        );
                    }
                    refused.push(f.at);
                }
            }
        }
        if refused.len() > SHOWN {
            self.problem(
                ProblemKind::LoadFails,
                Some(name),
                format!(
                    "{name}: and {} more fields Go's encoding/json cannot decode",
                    refused.len() - SHOWN
                ),
            );
        }
        for (written, field, at, n) in folded {
            let more = match n {
                1 => String::new(),
                n => format!(" ({} more times after it)", n - 1),
            };
            self.problem_at(
                ProblemKind::JsonQuirk,
                Some(name),
                Some(at.clone()),
                format!(
                    "{name}: key {} at {at}{more} names {} {field} only case-insensitively; read as Go's encoding/json (which {} uses) reads it",
                    Value::String(written),
                    by.structs(),
                    by.reader()
                ),
            );
        }
        refused
    }

    /// The OCI index or image manifest in member `i` (`name`), read as containerd's import
    /// reads it (`json.Unmarshal` into the image-spec's `v1.Index` or `v1.Manifest`): keys
    /// matched to fields as Go matches them ([`gojson::OCI_DOCUMENT`]), each repair a
    /// `json-quirk` note and each value Go refuses `load-fails` ([`Self::report_go`], once per
    /// member). `index_json`: the layout's `index.json`, decoded as an index whatever it says
    /// (not a JSON object: a Metadata problem, `None`); else the document is an index as
    /// [`OciDocument::is_index`] says with `descriptor_type`, the media type of the descriptor
    /// that named it (containerd picks the struct by that type; without one, Pancake's
    /// reading decides). A nested document that is not an object is read as before, without
    /// Go's findings. The digest stays over the bytes as stored.
    fn oci_document(
        &mut self,
        i: usize,
        name: &str,
        descriptor_type: Option<&str>,
        index_json: bool,
    ) -> Option<OciDocument> {
        let doc = self.json_doc(i, name)?;
        if !matches!(doc, gojson::Doc::Obj(_)) {
            let v = doc.into_value();
            if index_json {
                self.problem(
                    ProblemKind::Metadata,
                    Some(name),
                    format!(
                        "{name}: expected a JSON object, got {}",
                        config::json_type(&v)
                    ),
                );
                return None;
            }
            return Some(serde_json::from_value(v).unwrap_or_default());
        }
        let mut findings = Vec::new();
        let shape = if index_json {
            &gojson::OCI_INDEX
        } else {
            &gojson::OCI_DOCUMENT
        };
        let v = gojson::normalize(doc, shape, "", &mut findings);
        let keys = config::KeysPresent::of(&v);
        let mut read: OciDocument = serde_json::from_value(v).unwrap_or_default();
        read.keys = keys;
        // A blob its descriptor calls an index but which is a manifest is read as the
        // manifest it is ([`media_clash`]): Go's findings about its fields apply.
        let index = index_json
            || (read.is_index(descriptor_type)
                && !media_clash::manifest_despite_index(
                    &read,
                    media_clash::media_clash(&read, descriptor_type),
                ));
        findings.retain(|f| gojson::oci_finding_applies(&f.at, index));
        if self.go_read.insert(i) {
            self.report_go(name, findings, GoReader::ContainerdImport);
        }
        Some(read)
    }

    /// Reports blob `i` (at `path`) whose size is not the `claimed` size of a descriptor (OCI
    /// descriptor.md: `size` is the size in bytes of the raw content; containerd's import
    /// refuses a blob whose size differs), as `{subject}: size ({descriptor}) mismatch: …`.
    /// Checked, as a layer's descriptor size is, once the blob has been hashed. For the config
    /// and the manifests and indexes that lead to it.
    fn check_blob_size(
        &mut self,
        i: usize,
        claimed: Option<i64>,
        path: &str,
        subject: &str,
        descriptor: &str,
    ) {
        let (Some(claimed), Some(m)) = (claimed, self.members.get(i)) else {
            return;
        };
        // A negative size (Go's int64 reads it) is as false a claim as a wrong positive one.
        if m.facts.sha256.is_some() && u64::try_from(claimed).ok() != Some(m.size) {
            let actual = m.size;
            self.problem(
                ProblemKind::DigestMismatch,
                Some(path),
                format!(
                    "{subject}: size ({descriptor}) mismatch: expected {claimed}, computed {actual}"
                ),
            );
        }
    }

    /// Reads and checks a config blob at `path`; fills config, history, config_digest.
    /// `desc` is the OCI descriptor that names it, when there is one.
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
        // Docker's classic layout names the config `<hex>.json`, an OCI layout
        // `blobs/<algorithm>/<hex>`: both names are claims about its digest. An OCI blob's
        // name is its address (a content store refuses a blob that is not what its name
        // says); the classic name is only a label, which `docker load` never checks (the image
        // ID is the computed digest): a wrong one is a disagreement, not damage.
        let addressed = blob_name_digest(path);
        let labelled = addressed.is_none();
        let named = addressed.or_else(|| {
            let base = RawPath::normalize(path.as_bytes()).file_name().to_vec();
            let base = String::from_utf8_lossy(&base);
            let stem = base.strip_suffix(".json").unwrap_or(&base);
            Digest::from_hex(stem).map(BlobRef::Known)
        });
        let claimed = desc.map(|d| BlobRef::of(d.digest.as_deref()));
        for (who, claim) in [("file name", named), ("descriptor", claimed)] {
            match claim {
                Some(BlobRef::Known(c)) => {
                    if let Some(actual) = member_digest(m, c.algorithm()) {
                        if &c != actual && labelled && who == "file name" {
                            self.problem(
                                ProblemKind::Disagreement,
                                Some(path),
                                format!(
                                    "{label}: config {path}: its file name says {c}, computed {actual}; docker load does not check the name, and the image ID is the computed digest"
                                ),
                            );
                        } else if &c != actual {
                            self.problem(
                                ProblemKind::DigestMismatch,
                                Some(path),
                                format!(
                                    "{label}: config {path}: {who} says {c}, computed {actual}"
                                ),
                            );
                        }
                    }
                }
                Some(BlobRef::Unknown { algorithm, .. }) => self.problem(
                    ProblemKind::Metadata,
                    Some(path),
                    format!(
                        "{label}: config {path}: {who} uses {}; not checked",
                        DigestError::UnknownAlgorithm(algorithm)
                    ),
                ),
                _ => {}
            }
        }
        self.check_blob_size(
            i,
            desc.and_then(|d| d.size),
            path,
            &format!("{label}: config {path}"),
            "the manifest's config descriptor",
        );
        let doc = self.json_doc(i, path)?;
        if !matches!(doc, gojson::Doc::Obj(_)) {
            let v = doc.into_value();
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
        // As `docker load` decodes it (moby `image.NewFromJSON`): keys matched as Go
        // matches them, and what Go refuses said.
        let mut findings = Vec::new();
        let v = gojson::normalize(doc, &gojson::IMAGE_CONFIG, "", &mut findings);
        let refused = self.report_go(path, findings, GoReader::DockerLoad);
        let rootfs = rootfs_claim(&v);
        let mut cfg: ConfigFile = serde_json::from_value(v).unwrap_or_default();
        cfg.go_refused = refused;
        image.config = cfg.to_image_config();
        image.config.rootfs = rootfs;
        if rootfs == RootfsClaim::Absent {
            self.problem(
                ProblemKind::LoadFails,
                Some(path),
                format!(
                    "{label}: config {path}: it has no rootfs, so docker load with Docker's classic image store refuses the image (\"invalid image JSON, no RootFS key\"); containerd reads it as listing no layers"
                ),
            );
        }
        image.history = cfg.history_entries();
        Some(cfg)
    }

    /// Reports when the platform an index gives a manifest differs from its config's.
    fn check_platform(&mut self, label: &str, index_platform: Option<&Platform>, image: &Image) {
        let Some(p) = index_platform else { return };
        let c = &image.config;
        if c.os.is_none() && c.architecture.is_none() {
            return;
        }
        // arm64's only variant is v8: a missing variant and "v8" say the same.
        let variant = |arch: Option<&str>, v: Option<&str>| match (arch, v) {
            (Some("arm64"), None) => Some("v8".to_string()),
            (_, v) => v.map(str::to_string),
        };
        let same_variant = match (
            variant(p.architecture.as_deref(), p.variant.as_deref()),
            variant(c.architecture.as_deref(), c.variant.as_deref()),
        ) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        if p.os != c.os || p.architecture != c.architecture || !same_variant {
            let cp = Platform {
                architecture: c.architecture.clone(),
                os: c.os.clone(),
                variant: c.variant.clone(),
            };
            self.problem(
                ProblemKind::Disagreement,
                None,
                format!(
                    "{label}: the index says {}, the config says {}",
                    p.display(),
                    cp.display()
                ),
            );
        }
    }

    /// Builds one layer and checks every claim about it.
    ///
    /// `path`: where the blob is; `claim`: the config's `rootfs.diff_ids[j]` (`None` when
    /// there is no config); `desc`: the OCI descriptor naming the blob; `no_claims_reason`:
    /// what to say when nothing claims a digest for the layer.
    fn layer(
        &mut self,
        label: &str,
        j: usize,
        path: Option<&str>,
        claim: Option<Result<Digest, DigestError>>,
        desc: Option<&Descriptor>,
        no_claims_reason: &str,
    ) -> Layer {
        let mut layer = Layer {
            blob_path: path.map(str::to_string),
            media_type: desc.and_then(|d| d.media_type.clone()),
            config_diff_id: claim.as_ref().and_then(|c| c.as_ref().ok().cloned()),
            urls: desc.and_then(|d| d.urls.clone()).unwrap_or_default(),
            ..Layer::default()
        };
        // The layer the messages name: typed (`Origin::subject`), so the page can number it
        // as its stack does; the English text gets `{label} layer {j}` from `Display`.
        let about = Some((label, j));
        let non_dist = desc.filter(|d| is_non_distributable(d));
        let found = path.map(|p| self.find(p));
        if let (Some(d), None | Some(Found::Missing(_) | Found::Absent(_))) = (non_dist, &found) {
            layer.stored_size = d.size.and_then(|s| u64::try_from(s).ok()).unwrap_or(0);
            let urls = if layer.urls.is_empty() {
                "no URLs given".to_string()
            } else {
                format!("fetch it from {}", layer.urls.join(", "))
            };
            let reason = format!(
                "left out of the archive on purpose: non-distributable layer ({}, {} bytes \
                 as its descriptor says); {urls}",
                d.media_type.as_deref().unwrap_or("?"),
                layer.stored_size
            );
            self.problem_about(
                ProblemKind::NonDistributable,
                path,
                about,
                format!(": {reason}"),
            );
            layer.verification = Verification::NonDistributable;
            layer.verification_reason = Some(reason);
            return layer;
        }
        let Some(path) = path else {
            let why = desc
                .map(|d| BlobRef::of(d.digest.as_deref()).why_not())
                .unwrap_or_else(|| "no blob named".into());
            self.problem_about(ProblemKind::MissingBlob, None, about, format!(": {why}"));
            layer.verification = Verification::Missing;
            layer.verification_reason = Some(why);
            return layer;
        };
        let i = match self.find_reporting_why(path, "", about) {
            Ok(i) => i,
            Err(why) => {
                // Why, as the problem says it (not there; a directory or a link that ends
                // nowhere; a link out of the archive).
                layer.verification = Verification::Missing;
                layer.verification_reason = Some(why);
                return layer;
            }
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
        let mut unreadable: Option<String> = None;
        let mut diff_id_sha512 = None;
        match &m.facts.layer {
            Some(ix) => {
                layer.diff_id = ix.diff_id.clone();
                diff_id_sha512 = ix.diff_id_sha512.clone();
                layer.size = ix.uncompressed_size;
                if let Some(e) = &ix.error {
                    unreadable = Some(format!("{member_name}: {e}"));
                }
            }
            None if hashed => {
                let why = format!(
                    "{member_name}: not a tar archive (compression: {})",
                    compression_name(m.facts.compression)
                );
                self.problem_about(
                    ProblemKind::LayerUnreadable,
                    Some(&member_name),
                    about,
                    format!(" ({why})"),
                );
                unreadable = Some(why);
            }
            None => {}
        }
        if unreadable.is_none() {
            // The blob's bytes could not be read to their end (`MemberFacts::error`) though its
            // listing stands (a hash job that failed after the walk: `Reading::apply`).
            if let Some(e) = &m.facts.error {
                unreadable = Some(format!("{member_name}: {e}"));
            }
        }
        let mut mismatches = Vec::new();
        let mut unchecked: Vec<String> = Vec::new();
        // The diff_id computed with the claim's algorithm: sha256 always, sha512 for blobs
        // under blobs/sha512/ (the only ones whose uncompressed tar is hashed with it).
        let computed = match &claim {
            Some(Ok(c)) if c.algorithm() == Algorithm::Sha512 && layer.diff_id.is_some() => {
                diff_id_sha512.as_ref().or(layer.diff_id.as_ref())
            }
            _ => layer.diff_id.as_ref(),
        };
        match (&claim, computed) {
            (Some(Ok(c)), Some(a)) if c.algorithm() == a.algorithm() => {
                checks += 1;
                if c != a {
                    mismatches.push(Mismatch {
                        what: format!("diff_id (config rootfs.diff_ids[{j}])"),
                        expected: c.to_string(),
                        actual: a.to_string(),
                    });
                }
            }
            (Some(Ok(c)), Some(_)) => unchecked.push(format!(
                "the config's diff_id is {}, computed here only for blobs stored under blobs/{}/",
                c.algorithm().name(),
                c.algorithm().name()
            )),
            (Some(Err(e)), _) => unchecked.push(format!("config rootfs.diff_ids[{j}]: {e}")),
            _ => {}
        }
        if let Some(d) = desc {
            match BlobRef::of(d.digest.as_deref()) {
                BlobRef::Known(c) => match member_digest(m, c.algorithm()) {
                    Some(a) => {
                        checks += 1;
                        if &c != a {
                            mismatches.push(Mismatch {
                                what: "digest (descriptor)".into(),
                                expected: c.to_string(),
                                actual: a.to_string(),
                            });
                        }
                    }
                    None if hashed => unchecked.push(format!(
                        "the descriptor's {} digest (computed only for blobs under blobs/{}/)",
                        c.algorithm().name(),
                        c.algorithm().name()
                    )),
                    None => {}
                },
                other => unchecked.push(format!("descriptor digest: {}", other.why_not())),
            }
            if let (Some(c), true) = (d.size, hashed) {
                checks += 1;
                // A negative size never matches (containerd reads it, and only its size
                // total refuses it: `images.Image.Size`, "invalid size").
                if u64::try_from(c).ok() != Some(m.size) {
                    mismatches.push(Mismatch {
                        what: "size (descriptor)".into(),
                        expected: c.to_string(),
                        actual: m.size.to_string(),
                    });
                }
            }
            // A media type that names another compression than the blob's is not a changed
            // blob (its digests say that): the engines pick the decompressor themselves or
            // not, so it is a note when every engine reads it, else the load that fails.
            let mt = d.media_type.as_deref().unwrap_or_default();
            let declared = media_type_compression(mt);
            if let (Some(c), true, false) = (declared, hashed, m.size == 0) {
                checks += 1;
                let actual = m.facts.compression;
                if c != actual {
                    let (kind, detail) = compression_mismatch(mt, c, actual);
                    self.problem_about(
                        kind,
                        Some(&member_name),
                        about,
                        format!(" ({member_name}): {detail}"),
                    );
                }
            }
        }
        // Without a descriptor (an image of manifest.json alone) containerd's import
        // detects each layer's compression itself (`resolveLayers`: `DecompressStream`,
        // which knows only gzip and zstd), so it takes an xz or bzip2 blob for a plain tar
        // and unpacking fails, while Docker's classic store detects both. containerd reads
        // manifest.json only when the archive has no `oci-layout` or one without a version.
        let is = m.facts.compression;
        if desc.is_none()
            && hashed
            && matches!(is, Compression::Xz | Compression::Bzip2)
            && self.by_path.contains_key(b"manifest.json".as_slice())
            && self.layout().containerd_reads_manifest_json()
        {
            let is = compression_name(is);
            self.problem_about(
                ProblemKind::LoadFails,
                Some(&member_name),
                about,
                format!(
                    " ({member_name}): the blob is {is}: containerd's import (docker load with the containerd image store, ctr import), reading manifest.json, detects only gzip and zstd, so it takes the {is} stream for a plain tar and unpacking fails; Docker's classic store detects {is} and loads it"
                ),
            );
        }
        match blob_name_digest(path) {
            Some(BlobRef::Known(named)) => {
                if let Some(a) = member_digest(m, named.algorithm()) {
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
            Some(BlobRef::Unknown { algorithm, .. }) => unchecked.push(format!(
                "blob file name {path}: {}",
                DigestError::UnknownAlgorithm(algorithm)
            )),
            _ => {}
        }
        // One cause, one problem: a changed blob fails its diff_id, its descriptor digest and
        // its file name at once; they are said together, with what it means.
        if !mismatches.is_empty() {
            let all: Vec<String> = mismatches
                .iter()
                .map(|mm| {
                    format!(
                        "{} mismatch: expected {}, computed {}",
                        mm.what, mm.expected, mm.actual
                    )
                })
                .collect();
            self.problem_about(
                ProblemKind::DigestMismatch,
                Some(&member_name),
                about,
                format!(" ({member_name}): {}", all.join("; ")),
            );
        }
        for u in &unchecked {
            self.problem_about(
                ProblemKind::Metadata,
                Some(&member_name),
                about,
                format!(" ({member_name}): not checked: {u}"),
            );
        }
        let (state, reason) = if let Some(why) = unreadable {
            (Verification::Unreadable, Some(why))
        } else if let Some(mm) = mismatches.first() {
            (
                Verification::Mismatch,
                Some(format!(
                    "{member_name}: {}: expected {}, actual {}",
                    mm.what, mm.expected, mm.actual
                )),
            )
        } else if !hashed || layer.diff_id.is_none() {
            (
                Verification::Pending,
                Some(format!("{member_name}: not hashed yet")),
            )
        } else if checks == 0 || !unchecked.is_empty() {
            let mut why = unchecked;
            if why.is_empty() {
                why.push(no_claims_reason.to_string());
            }
            (
                Verification::NotCheckable,
                Some(format!("{member_name}: {}", why.join("; "))),
            )
        } else {
            (Verification::Verified, None)
        };
        layer.verified = state == Verification::Verified;
        layer.verification = state;
        layer.verification_reason = reason;
        layer.mismatches = mismatches;
        layer
    }

    /// Pairs history entries without `empty_layer` onto layers, in order.
    /// Pairs history steps with layers by the rules of [`history::pair`]; says which rule
    /// was used when the two do not line up one to one.
    ///
    /// `refused`: the config's fields Go's decoder refuses ([`ConfigFile::go_refused`]):
    /// `docker load` fails on the config itself then, so the load failures worked out from a
    /// field it refuses (the history's `empty_layer`, the rootfs's diff_ids), read leniently
    /// here, are not said as the cause.
    fn pair_history(&mut self, image: &mut Image, label: &str, refused: &[String]) {
        let refused_in = |field: &str| {
            refused.iter().any(|r| {
                r == field
                    || r.starts_with(&format!("{field}."))
                    || r.starts_with(&format!("{field}["))
            })
        };
        let history_refused = refused_in("history");
        let rootfs_refused = refused_in("rootfs");
        let evidence = crate::analyze::history::layer_evidence(image, self.members);
        let pairing = crate::analyze::history::pair(&image.history, &evidence);
        if let Some(note) = crate::analyze::history::apply_pairing(image, &pairing) {
            self.problem(ProblemKind::History, None, format!("{label}: {note}"));
        }
        // The pairing above still shows the steps as `docker image history` would, but the
        // load itself fails, which a reader must be told apart from a pairing note. Worded by
        // `ImageRefusal`'s Display, which `inspect --ci` names them with too. A refusal
        // worked out from a field Go's decoder refuses is not said as the cause.
        use crate::analyze::image_claims::ImageRefusal;
        for refusal in crate::analyze::image_claims::image_refusals(image) {
            let moot = match refusal {
                ImageRefusal::TooManyHistorySteps { .. } => history_refused || rootfs_refused,
                ImageRefusal::LayerCountMismatch { .. } | ImageRefusal::NoRootfs { .. } => {
                    rootfs_refused
                }
                ImageRefusal::TooManyLayers { .. } => continue,
            };
            if !moot {
                self.problem(ProblemKind::LoadFails, None, format!("{label}: {refusal}"));
            }
        }
        for j in crate::analyze::image_claims::non_sha256_diff_ids(image) {
            let Some(l) = image.layers.get(j) else {
                continue;
            };
            let claim = l
                .config_diff_id
                .as_ref()
                .map(|d| d.algorithm().name())
                .unwrap_or_default();
            let member = l.blob_path.clone();
            self.problem_about(
                ProblemKind::LoadFails,
                member.as_deref(),
                Some((label, j)),
                format!(
                    ": the config's diff_id for it is {claim}, but Docker's layer store and containerd compute a layer's diff_id as sha256 and compare the two, so docker load and ctr import refuse the image (\"invalid diffID for layer {j}\"; containerd: \"wrong diff id calculated on extraction\")"
                ),
            );
        }
        if !rootfs_refused {
            let skipped = crate::analyze::image_claims::containerd_skipped_layers(image);
            let counted = image.layers.len().saturating_sub(skipped.len());
            // Docker's classic store reads manifest.json, which names no media types.
            let classic = if self.by_path.contains_key(b"manifest.json".as_slice()) {
                "; Docker's classic image store reads manifest.json, which gives no media types, and loads it"
            } else {
                ""
            };
            for &(j, mt) in &skipped {
                let member = image.layers.get(j).and_then(|l| l.blob_path.clone());
                self.problem_about(
                    ProblemKind::LoadFails,
                    member.as_deref(),
                    Some((label, j)),
                    format!(
                        ": its descriptor's media type {mt:?} is not a layer media type, so containerd leaves the layer out and counts {} against the config's {}: docker load with the containerd image store (Docker 29's default) and ctr import refuse the image (\"mismatched image rootfs and manifest layers\"){classic}",
                        count_of(counted, "layer"),
                        count_of(image.layers.len(), "diff_id"),
                    ),
                );
            }
        }
        if let Some(n) = crate::analyze::image_claims::too_many_layers(image) {
            let refusal = ImageRefusal::TooManyLayers { layers: n };
            self.problem(ProblemKind::LoadFails, None, format!("{label}: {refusal}"));
        }
    }

    /// Says when two different images (different configs) of the archive carry the same
    /// name: `docker load` tags them in order, each moving the name (moby `load.go`
    /// `setLoadedTag`: "renaming the old one … to empty string"; containerd's import keeps
    /// the last image record of a name), so after the load only the last has it and the
    /// others are untagged. A `disagreement` naming every image, about the member their
    /// names come from.
    fn shared_names(&mut self, images: &[(Image, Vec<Digest>)]) {
        // One image as a name stands for it: the platforms of one multi-platform index
        // (reached through the same index, its first parent) share its name by design.
        // (name, [(image, identity)]), in the order the names first appear.
        type Named<'i> = Vec<(&'i Image, Option<&'i Digest>)>;
        let mut by_name: Vec<(&str, Named)> = Vec::new();
        // Where each name is in `by_name`: a hostile manifest.json may hold a million names.
        let mut at: HashMap<&str, usize> = HashMap::new();
        for (img, parents) in images {
            let identity = parents.first().or(img.config_digest.as_ref());
            for t in &img.tags {
                match at.get(t.as_str()).and_then(|&k| by_name.get_mut(k)) {
                    Some((_, v)) => v.push((img, identity)),
                    None => {
                        at.insert(t, by_name.len());
                        by_name.push((t, vec![(img, identity)]));
                    }
                }
            }
        }
        for (name, named) in by_name {
            let ids: HashSet<Option<&Digest>> = named.iter().map(|(_, d)| *d).collect();
            let imgs: Vec<&Image> = named.iter().map(|(i, _)| *i).collect();
            let (Some(last), true) = (imgs.last(), ids.len() > 1) else {
                continue;
            };
            let id = |i: &Image| {
                i.config_digest
                    .as_ref()
                    .map(|d| format!(" (ID {})", d.short()))
                    .unwrap_or_default()
            };
            let before: Vec<String> = imgs
                .iter()
                .take(imgs.len().saturating_sub(1))
                .map(|i| format!("{}{}", i.source, id(i)))
                .collect();
            let member = if last.source.starts_with("manifest.json") {
                "manifest.json"
            } else {
                "index.json"
            };
            self.problem(
                ProblemKind::Disagreement,
                Some(member),
                format!(
                    "{} and {}{} {} name {name} for different images; docker load gives the name to each in turn, so only the last, {}, keeps it and {} left untagged",
                    before.join(", "),
                    last.source,
                    id(last),
                    if imgs.len() == 2 { "both" } else { "all" },
                    last.source,
                    if imgs.len() == 2 {
                        "the other is"
                    } else {
                        "the others are"
                    },
                ),
            );
        }
    }

    /// No manifest.json, index.json or repositories: say what the tarball looks like.
    fn unrecognized(&mut self) {
        if self.members.is_empty() {
            return;
        }
        // `docker export` writes a container's filesystem: top-level etc/, usr/, bin/ ...
        const FS_DIRS: [&str; 10] = [
            "bin", "etc", "usr", "lib", "sbin", "var", "root", "home", "dev", "proc",
        ];
        let tops: HashSet<String> = self
            .members
            .iter()
            .filter_map(|m| {
                m.path
                    .components()
                    .next()
                    .map(|c| String::from_utf8_lossy(c).into_owned())
            })
            .collect();
        let fs: Vec<&str> = FS_DIRS
            .iter()
            .copied()
            .filter(|d| tops.contains(*d))
            .collect();
        // The outer tar broke off (decided by the problem's kind and scope, never its words):
        // the files that describe the image were simply not reached. Say that, and where.
        let cut = self
            .problems
            .iter()
            .any(|p| p.kind == ProblemKind::Archive && p.origin.scope == Scope::Outer);
        if cut {
            let last = self
                .members
                .last()
                .map(|m| m.path.display().into_owned())
                .unwrap_or_default();
            let n = self.members.len();
            let message = format!(
                "the tarball ends early: it breaks off after {n} member{} (the last, {last}, is cut short or followed by damage), before any manifest.json, index.json or repositories that describe the image; was the download or copy complete?",
                if n == 1 { "" } else { "s" }
            );
            self.problem(ProblemKind::Archive, None, message);
            return;
        }
        if self.stopped_at_bound {
            // The reader stopped at one of its bounds (said about the outer tar) before the
            // files that describe the image: not known to be absent.
            let n = self.members.len();
            self.problem(
                ProblemKind::Limit,
                None,
                format!(
                    "no manifest.json, index.json or repositories among the {n} member{} read before the reader stopped at one of its bounds (see the problem about the outer tar)",
                    if n == 1 { "" } else { "s" }
                ),
            );
            return;
        }
        let message = if fs.len() >= 2 {
            format!(
                "no manifest.json, index.json or repositories, but top-level {}: this looks like \
                 `docker export` output, a filesystem, not an image (load it with `docker import`)",
                fs.iter()
                    .map(|d| format!("{d}/"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else {
            "no manifest.json, index.json or repositories: not a container image archive".into()
        };
        self.problem(ProblemKind::Metadata, None, message);
    }
}

/// What a config's `rootfs` claims, from the config as Go decoded it ([`gojson::normalize`],
/// keys already matched as Go matches them): no key or `null` is [`RootfsClaim::Absent`]
/// (moby's `*RootFS` stays nil); an object lists its `diff_ids`' entries (none when absent or
/// `null`, as Go leaves the slice nil). Any other type, or `diff_ids` that is not a list, is
/// refused by Go and said as such, so it claims nothing here.
fn rootfs_claim(v: &serde_json::Value) -> RootfsClaim {
    match v.get("rootfs") {
        None | Some(serde_json::Value::Null) => RootfsClaim::Absent,
        Some(serde_json::Value::Object(r)) => match r.get("diff_ids") {
            None | Some(serde_json::Value::Null) => RootfsClaim::Lists(0),
            Some(serde_json::Value::Array(a)) => RootfsClaim::Lists(a.len()),
            Some(_) => RootfsClaim::Unread,
        },
        Some(_) => RootfsClaim::Unread,
    }
}

/// The digest a blob's path names, for `blobs/<algorithm>/<encoded>` paths.
fn blob_name_digest(path: &str) -> Option<BlobRef> {
    let norm = RawPath::normalize(path.as_bytes());
    let norm = norm.display();
    let rest = norm.strip_prefix("blobs/")?;
    let (alg, enc) = rest.split_once('/')?;
    if enc.contains('/') {
        return None;
    }
    Some(BlobRef::of(Some(&format!("{alg}:{enc}"))))
}
