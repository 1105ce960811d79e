//! The immutable model that reading an archive produces. Views (CLI, web) only read it;
//! mutations (containers, commits) build new values from it.

use serde::{Deserialize, Serialize};

use crate::digest::Digest;
use crate::entries::Entries;
use crate::path::RawPath;

/// How a blob or the whole tarball is compressed, decided from magic bytes, never from a name
/// (see [`crate::read::sniff::compression`]). Every format is read as the concatenation of all its
/// members, frames or streams ([`crate::read::decompress`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    #[default]
    /// Not compressed: a plain tar (or plain bytes).
    None,
    /// RFC 1952, one or more members (estargz writes many).
    Gzip,
    /// RFC 8878, one or more frames; skippable frames (zstd:chunked's table of contents) skipped.
    Zstd,
    /// The `.xz` format (LZMA2): what `docker save | xz` writes; old Docker accepted xz layers.
    Xz,
    /// bzip2, one or more streams: `docker save | bzip2`; old Docker accepted bzip2 layers.
    Bzip2,
}

impl Compression {
    /// `Zstd`: the default of a field that only zstd filled before.
    pub fn zstd() -> Self {
        Compression::Zstd
    }
}

/// Which layout the outer tarball has; decided once every member has been seen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// `manifest.json` + `<id>/layer.tar` (Docker < 25, podman/skopeo docker-archive).
    DockerArchive,
    /// Docker 25+: OCI image layout + `manifest.json`.
    DockerOciLayout,
    /// OCI image layout only (`index.json`, no `manifest.json`).
    OciArchive,
    /// Pre-1.10 Docker: `repositories` + `<id>/json` parent chain.
    LegacyV1,
    #[default]
    /// None of the layouts above: no `manifest.json`, `index.json` or `repositories` was found.
    Unrecognized,
}

/// The kind of a tar member, both for the outer tarball and inside layers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    /// A regular file (tar type `0`, the old NUL type or contiguous `7`; in a layer, a sparse `S`).
    /// Docker's unpacking refuses `7` and `S` (an `unpack-fails` problem says so); they are
    /// still shown as the file Go's reader and tar read.
    File,
    /// A directory (tar type `5`).
    Dir,
    /// A symbolic link (tar type `2`); its target is in `link_target`.
    Symlink,
    /// A hard link (tar type `1`) to an earlier member; its target is in `link_target`.
    Hardlink,
    /// A character device (tar type `3`).
    Char,
    /// A block device (tar type `4`).
    Block,
    /// A FIFO (named pipe, tar type `6`).
    Fifo,
    /// Any other type flag (kept so it can be listed, never extracted). In a layer, Docker's
    /// unpacking refuses it (an `unpack-fails` problem): it stays in the layer's index and the
    /// filesystem views leave it out.
    Other,
}

/// One member of a layer tar, with its path normalized (no leading `./` or `/`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Path inside the layer, normalized: no leading `./` or `/`, as raw bytes.
    pub path: RawPath,
    /// The member's type.
    pub kind: EntryKind,
    /// Content size for regular files, 0 otherwise.
    pub size: u64,
    /// Permission bits with setuid, setgid and sticky (`mode & 0o7777`); the file type is `kind`.
    pub mode: u32,
    /// Owner user id from the header (PAX `uid` when given); a negative value reads as 0.
    pub uid: u64,
    /// Owner group id from the header (PAX `gid` when given); a negative value reads as 0.
    pub gid: u64,
    /// Modification time, whole seconds since the Unix epoch (UTC); a negative value reads as 0.
    pub mtime: u64,
    /// For a symlink its target as written (relative or absolute); for a hard link the normalized
    /// path of the entry it links to; `None` for other kinds.
    pub link_target: Option<RawPath>,
    /// Byte offset of the content in the outer file, when the layer is stored uncompressed
    /// and the outer file is not compressed; lets a file be shown later with one `read_at`.
    /// For a sparse file, where its first stored fragment starts (after any in-data map).
    pub content_offset: Option<u64>,
    /// What few entries have: a sparse map, extended attributes ([`EntryExtra`]). `None`
    /// when the entry has neither (never `Some` of an empty [`EntryExtra`]: the readers and
    /// [`Entry::set_extra`] keep it so, so two equal entries compare equal). Boxed: rare, and
    /// entries are many (an `Entry` is 80 bytes on wasm32, see below). In JSON its fields
    /// appear as the entry's own (`sparse`, `xattrs`), each left out when absent or empty.
    #[serde(
        flatten,
        default,
        serialize_with = "extra_ser",
        deserialize_with = "extra_de"
    )]
    pub extra: Option<Box<EntryExtra>>,
}

impl Entry {
    /// The sparse map of a sparse file (GNU `S` header or a PAX `GNU.sparse.*` member);
    /// `None` for every other entry.
    pub fn sparse(&self) -> Option<&Sparse> {
        self.extra.as_ref().and_then(|x| x.sparse.as_ref())
    }

    /// The entry's extended attributes (PAX `SCHILY.xattr.*`), sorted by name; empty for most.
    pub fn xattrs(&self) -> &[Xattr] {
        self.extra.as_ref().map_or(&[], |x| x.xattrs.as_slice())
    }

    /// Sets what [`Entry::extra`] holds, keeping it `None` when `extra` holds nothing.
    pub fn set_extra(&mut self, extra: EntryExtra) {
        self.extra = extra.boxed();
    }
}

fn extra_ser<S: serde::Serializer>(
    extra: &Option<Box<EntryExtra>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match extra {
        Some(x) => x.serialize(s),
        None => EntryExtra::default().serialize(s),
    }
}

fn extra_de<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Box<EntryExtra>>, D::Error> {
    let x = EntryExtra::deserialize(d)?;
    Ok(x.boxed())
}

/// The rarely present parts of an [`Entry`], kept behind one box so the entry stays small.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryExtra {
    /// Set for a sparse file (GNU `S` header or a PAX GNU.sparse.* member): its data
    /// fragments; the entry's `size` is then the file's real (apparent) size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sparse: Option<Sparse>,
    /// Extended attributes Docker's unpacking sets on the file (moby `pkg/archive`
    /// `createTarFile`: every PAX record whose key starts with `SCHILY.xattr.`; the rest of
    /// the key is the name). Sorted by name, each name once: the PAX header is read as a map,
    /// as Go's `archive/tar` reads it, so a repeated key keeps its last value. Records
    /// `LIBARCHIVE.xattr.*` are not here: Docker does not apply them. Bounded: they come
    /// from one PAX header, and a header over `limits.max_extension_bytes` is skipped whole
    /// (a `limit` problem says so), so their names and values hold fewer bytes than that.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub xattrs: Vec<Xattr>,
}

impl EntryExtra {
    /// True when it holds neither a sparse map nor an attribute.
    pub fn is_empty(&self) -> bool {
        self.sparse.is_none() && self.xattrs.is_empty()
    }

    /// What [`Entry::extra`] holds for it: `None` when it is empty, so equal entries compare
    /// equal.
    pub fn boxed(self) -> Option<Box<Self>> {
        (!self.is_empty()).then(|| Box::new(self))
    }
}

/// One extended attribute of a layer entry: its name (`security.capability`, `user.note`,
/// the part of the PAX key after `SCHILY.xattr.`) and its value, both raw bytes as the tar
/// holds them. In JSON, `{"name": ..., "value": ...}`, each a string: the bytes as text when
/// they are UTF-8 with no control character and do not start with `hex:`, else `hex:`
/// followed by the bytes in lowercase hexadecimal (two digits a byte). The value of
/// `security.capability` is a binary `vfs_cap_data` ([`crate::analyze::capability`] reads it).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Xattr {
    /// The attribute's name (`namespace.name`), raw bytes.
    pub name: Vec<u8>,
    /// The attribute's value, raw bytes (may be empty, may hold NUL bytes).
    pub value: Vec<u8>,
}

/// The prefix of a value written as hexadecimal in the JSON of an [`Xattr`].
const HEX_PREFIX: &str = "hex:";

/// `bytes` as a JSON string of [`Xattr`]: the text itself when it is printable UTF-8 that
/// does not start with `hex:`, else `hex:` and its bytes in hexadecimal.
pub fn xattr_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(t) if !t.chars().any(char::is_control) && !t.starts_with(HEX_PREFIX) => t.to_string(),
        _ => format!("{HEX_PREFIX}{}", hex::encode(bytes)),
    }
}

/// The bytes a string written by [`xattr_text`] stands for; `None` for a `hex:` string whose
/// rest is not hexadecimal.
pub fn xattr_bytes(text: &str) -> Option<Vec<u8>> {
    match text.strip_prefix(HEX_PREFIX) {
        Some(h) => hex::decode(h).ok(),
        None => Some(text.as_bytes().to_vec()),
    }
}

#[derive(Serialize, Deserialize)]
struct XattrJson {
    name: String,
    value: String,
}

impl Serialize for Xattr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        XattrJson {
            name: xattr_text(&self.name),
            value: xattr_text(&self.value),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Xattr {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let j = XattrJson::deserialize(d)?;
        let bad = |what: &str| serde::de::Error::custom(format!("xattr {what}: bad hex: text"));
        Ok(Xattr {
            name: xattr_bytes(&j.name).ok_or_else(|| bad("name"))?,
            value: xattr_bytes(&j.value).ok_or_else(|| bad("value"))?,
        })
    }
}

// `bench/web.js` counts the index's own data (issue 13, target 3: the page's memory growth
// against it) as 80 bytes per entry on wasm32 plus its names: a change of this size is a
// change of that figure.
#[cfg(target_arch = "wasm32")]
const _: () = assert!(std::mem::size_of::<Entry>() == 80);

/// Where a sparse file's data lies (GNU tar's old `S` header and PAX sparse formats 0.0, 0.1
/// and 1.0, read as Go's `archive/tar` reads them). Bytes not covered by a region read as
/// zeros.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sparse {
    /// Data regions, in increasing `offset` order, never overlapping, none empty. Their bytes
    /// are stored back to back in the layer, the first at [`Entry::content_offset`].
    pub regions: Vec<SparseRegion>,
    /// False when the map was larger than `limits.max_extension_bytes` and was not kept
    /// (a `limit` problem says so): the content cannot be shown.
    pub complete: bool,
    /// Bytes the entry stores after its map (Go's "physical" size: the header's size, less
    /// a PAX 1.0 map at the start of the data). The regions' lengths must add up to it: Go's
    /// `archive/tar` fails reading the file otherwise ("missing data", "unreferenced data"),
    /// and no byte past it belongs to the file ([`Sparse::mismatch`]).
    #[serde(default)]
    pub stored: u64,
}

impl Sparse {
    /// Bytes the regions take, stored back to back (saturating).
    pub fn map_bytes(&self) -> u64 {
        self.regions
            .iter()
            .map(|r| r.length)
            .fold(0u64, u64::saturating_add)
    }

    /// How the map and the stored bytes disagree, `None` when the regions add up to
    /// [`Sparse::stored`] (or the map was not kept: nothing can be read then anyway).
    pub fn mismatch(&self) -> Option<StoredMismatch> {
        if !self.complete {
            return None;
        }
        let map = self.map_bytes();
        let stored = self.stored;
        match map.cmp(&stored) {
            std::cmp::Ordering::Equal => None,
            std::cmp::Ordering::Greater => Some(StoredMismatch::MapNeedsMore { map, stored }),
            std::cmp::Ordering::Less => Some(StoredMismatch::Unreferenced { map, stored }),
        }
    }
}

/// Why a file's stored bytes cannot be given as its content: they are not where, or not as
/// many as, its header and sparse map say. Every read of an entry's bytes checks for it
/// before the first byte, so no byte outside the entry's data is ever given as its content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum StoredMismatch {
    /// The layer ends `got` bytes into the entry's data, which its header says is `need`
    /// bytes.
    #[error("its data is {need} bytes, but the layer ends {got} bytes into it")]
    Truncated {
        /// Bytes of the entry's data the layer holds.
        got: u64,
        /// Bytes its header says it stores.
        need: u64,
    },
    /// The sparse map's regions take `map` bytes, more than the `stored` bytes the entry
    /// holds (Go's `archive/tar`: "missing data").
    #[error(
        "its sparse map needs {map} stored bytes, but the entry holds {stored} (Go's archive/tar: \"missing data\")"
    )]
    MapNeedsMore {
        /// Bytes the map's regions take.
        map: u64,
        /// Bytes the entry stores.
        stored: u64,
    },
    /// The sparse map's regions take `map` bytes, fewer than the `stored` bytes the entry
    /// holds (Go's `archive/tar`: "unreferenced data").
    #[error(
        "its sparse map uses {map} of the {stored} bytes the entry stores (Go's archive/tar: \"unreferenced data\")"
    )]
    Unreferenced {
        /// Bytes the map's regions take.
        map: u64,
        /// Bytes the entry stores.
        stored: u64,
    },
}

/// One data region of a sparse file: `length` bytes at byte `offset` of the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SparseRegion {
    /// Byte offset of the region in the file's apparent content.
    pub offset: u64,
    /// Length of the region, in bytes.
    pub length: u64,
}

/// Everything learned from the inner tar of one layer blob.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerIndex {
    /// sha256 of the uncompressed tar stream (the diff_id), `None` until hashed.
    pub diff_id: Option<Digest>,
    /// sha512 of the same uncompressed tar, computed only for blobs under `blobs/sha512/` (a
    /// layout that names its blobs by sha512): what a config's `sha512:` diff_id is checked
    /// against.
    #[serde(default)]
    pub diff_id_sha512: Option<Digest>,
    /// Size of the uncompressed tar stream, in bytes.
    pub uncompressed_size: u64,
    /// Members as `tarfile.getmembers()` lists them (extension headers are not members), in
    /// the order the tar holds them. Shared ([`Entries`], an `Arc`): this is the file
    /// structure, which never changes once walked, so cloning an `Archive` while its blobs are
    /// verified (the page does, on every batch of facts) costs nothing proportional to the
    /// entries, and a memo keyed on its address ([`Entries::as_ptr`]) survives every facts
    /// update. On the page it may be held in the compact form it crossed in, decoded when
    /// first read.
    pub entries: Entries,
    /// Why the index may be incomplete (corrupt gzip, truncated tar, a limit ...).
    pub error: Option<ReadError>,
    /// The tar was read to its end, but a limit of this reader left entries out of `entries`
    /// (deeper than `max_path_depth`) or listed one under the name in its own header (its
    /// extension record, over `max_extension_bytes`, skipped): the listing is not the
    /// layer's whole (`analyze::gaps::GapKind::Limited`). Other limits (a sparse map not kept,
    /// a record that describes no entry) leave every entry listed under its name.
    #[serde(default)]
    pub left_out: bool,
    /// The tar ends inside the data of entry `entries[cut.entry]` (always the last listed):
    /// its header claims more bytes than the layer holds. Its `size` stays the header's (what
    /// the archive says); a reader summing sizes or showing the file says the rest is not
    /// here. `None` when the tar was read to its end or stopped elsewhere (`error` says).
    #[serde(default)]
    pub cut: Option<CutEntry>,
}

/// An entry whose data the layer tar ends inside ([`LayerIndex::cut`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CutEntry {
    /// Its position in `LayerIndex::entries`.
    pub entry: usize,
    /// Its size as its header (or PAX record) claims, in bytes.
    pub claimed: u64,
    /// The bytes of its data the layer holds before it ends, fewer than `claimed`.
    pub present: u64,
}

/// What one pass over a regular member of the outer tarball found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberFacts {
    /// sha256 of the member's bytes exactly as stored.
    pub sha256: Option<Digest>,
    /// sha512 of the member's bytes, computed only for members under `blobs/sha512/`.
    #[serde(default)]
    pub sha512: Option<Digest>,
    /// Compression of the member's bytes, from their magic bytes.
    pub compression: Compression,
    /// Kept when the member is small and looks like JSON (manifests, configs, index.json).
    /// Shared (`Arc`): the text never changes once read, and the page clones the archive on
    /// every batch of facts — for a manifest of 20,000 layers a 3 MB copy each time — and
    /// compares these texts to keep what it made of them (`Arc::ptr_eq` first).
    ///
    /// Inside its strings, each byte that is not part of a valid UTF-8 sequence is U+FFFD, as
    /// Go's `encoding/json` (what `docker load` uses) reads them: then the text is not the
    /// member's bytes, and [`MemberFacts::json_invalid_utf8`] says how many bytes were
    /// replaced (its digests are always over the bytes as stored).
    pub json: Option<std::sync::Arc<str>>,
    /// How many bytes inside the strings of the member's JSON were not UTF-8 and are U+FFFD
    /// in [`MemberFacts::json`]; 0 when it is the member's bytes as stored. Not written to
    /// JSON when 0.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub json_invalid_utf8: u64,
    /// Set when the member is (or decompresses to) a tar archive: a layer candidate.
    pub layer: Option<LayerIndex>,
    /// Why the member (or the layer in it) could not be read to its end.
    pub error: Option<ReadError>,
    /// Set when the member starts like a JSON document but is larger than the JSON cap, so it
    /// was not kept (`json` is `None`): the cap in force (`limits.max_json_bytes`, bytes). The
    /// size found is `Member::size`. Lets the resolver say "too large" rather than "not JSON".
    #[serde(default)]
    pub json_over_limit: Option<u64>,
    /// Problems found inside this member (unsafe or duplicate layer entries, unreadable
    /// layer, limit hit); copied into `Archive::problems` when images are resolved.
    #[serde(default)]
    pub problems: Vec<Problem>,
    /// How `sha256` (and `sha512`) of the stored bytes were computed, when a reader that has
    /// a choice recorded it (the page's hashing workers); `None` otherwise (the CLI, and
    /// members hashed during the first walk). Not written to JSON when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hashed_with: Option<HashPath>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The ways the page hashes a blob (see the README, "Speed and memory").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HashPath {
    /// In one shot by the browser's `crypto.subtle.digest` over the blob read whole into one
    /// buffer: only blobs within the worker's memory budget, stored uncompressed (a
    /// compressed layer's diff_id needs its decompressed bytes, which only streaming gives).
    WebCrypto,
    /// Read in chunks through the streaming wasm hasher (`sha2`), any size, decompressing.
    Streamed,
    /// Read in chunks like [`HashPath::Streamed`], and hashed in one vector with two or three
    /// other uncompressed blobs the same worker read at the same time, a 32-bit lane each
    /// ([`crate::digest::lanes`]): wasm has no SHA instructions, but four independent
    /// streams hash in about the time of two.
    StreamedTogether,
    /// Through the same streaming wasm hasher, fed with the pieces the first walk read
    /// anyway (an uncompressed layer tar whose headers lie between small files, so the walk
    /// reads it whole): hashed on another worker while it was walked, not read again.
    WithTheWalk,
    /// Through the same streaming wasm hasher on another worker, from reads of its own, while
    /// the first walk was still listing the files: an uncompressed layer tar the walk skips
    /// through (its files are large, so the walk seeks over their contents and cannot feed a
    /// hasher), started as soon as the walk's first skip showed that, rather than after the
    /// walk's end.
    BesideTheWalk,
    /// Through the same streaming wasm hasher on another worker, fed with the bytes of a
    /// save compressed as a whole as they were decompressed ([`crate::read::offload`]).
    /// While `sha256` and `error` are both `None` its digest is still to come; one that
    /// never came is [`ReadError::NotHashed`].
    HandedOn,
}

/// A member of the outer tarball.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// Path of the member in the outer tarball, normalized as [`Entry::path`].
    pub path: RawPath,
    /// The member's type.
    pub kind: EntryKind,
    /// Content size in bytes for regular files, 0 for other kinds.
    pub size: u64,
    /// Offset of the member's content in the file; `None` when the outer tarball is compressed.
    pub data_offset: Option<u64>,
    /// For a symlink its target as written; for a hard link the normalized member path; `None`
    /// otherwise.
    pub link_target: Option<RawPath>,
    /// What reading the member's content found (default for non-files).
    pub facts: MemberFacts,
}

/// One line of the config's `history`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The step's `created` timestamp as written (RFC 3339 by the image-spec), unparsed.
    pub created: Option<String>,
    /// The step's `created_by`: the command that made it (a Dockerfile line or `/bin/sh -c …`).
    pub created_by: Option<String>,
    /// The step's `comment`.
    pub comment: Option<String>,
    /// The step's `author`.
    pub author: Option<String>,
    /// The step's `empty_layer`: true when it made no layer (absent = false).
    pub empty_layer: bool,
    /// Index into `Image::layers` this step produced, if it made a layer.
    pub layer: Option<usize>,
}

/// The parts of an image config a person reads.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageConfig {
    /// CPU architecture (`amd64`, `arm64` …), as the config says.
    pub architecture: Option<String>,
    /// Operating system (`linux`, `windows` …), as the config says.
    pub os: Option<String>,
    /// Architecture variant (`v7`, `v8` …), as the config says.
    pub variant: Option<String>,
    /// `created` timestamp as written (RFC 3339 by the image-spec), unparsed.
    pub created: Option<String>,
    /// `author` as written.
    pub author: Option<String>,
    /// `Env`, `NAME=value` strings in the config's order (from `config`, else `container_config`).
    pub env: Vec<String>,
    /// `Cmd`; an old config's single string becomes a one-item list.
    pub cmd: Option<Vec<String>>,
    /// `Entrypoint`; an old config's single string becomes a one-item list.
    pub entrypoint: Option<Vec<String>>,
    /// `WorkingDir`.
    pub working_dir: Option<String>,
    /// `User` (a name or uid, optionally `:group`), as written.
    pub user: Option<String>,
    /// `ExposedPorts` keys (`80/tcp` …), sorted.
    pub exposed_ports: Vec<String>,
    /// `Volumes` keys (mount paths), sorted.
    pub volumes: Vec<String>,
    /// `Labels` as (key, value) pairs sorted by key; a non-string value is kept as its JSON text.
    pub labels: Vec<(String, String)>,
    /// `rootfs.diff_ids` as the config claims them, base first; an entry that is not a valid
    /// digest is left out, so position `i` here is layer `i` only when every entry parses
    /// (per-layer claims are [`Layer::config_diff_id`]).
    pub diff_ids: Vec<Digest>,
    /// What the config's `rootfs` says about the layer count, as `docker load` decodes it;
    /// [`RootfsClaim::Unread`] when the config could not be read (or is a legacy v1 layer
    /// config, which has no rootfs).
    #[serde(default)]
    pub rootfs: RootfsClaim,
}

/// What an image config's `rootfs` claims, told apart from a config that was not read: a
/// config listing zero diff_ids and one without `rootfs` are claims `docker load` acts on
/// (moby `image.NewFromJSON`: "invalid image JSON, no RootFS key"; `load.go`: "invalid
/// manifest, layers length mismatch"), an unread one says nothing. Serialized in kebab-case.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RootfsClaim {
    /// The config was not read (not JSON, over a limit, not hashed yet), or `rootfs` is of a
    /// type Go refuses (said as its own `load-fails`).
    #[default]
    Unread,
    /// No `rootfs` key, or `"rootfs": null`.
    Absent,
    /// `rootfs` is an object whose `diff_ids` has this many entries (0 when it has none or
    /// `null`), each counted as Go counts them, whether or not it is a valid digest.
    Lists(usize),
}

/// A claim that did not hold: both values are kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mismatch {
    /// What was claimed by whom, e.g. `diff_id (config rootfs.diff_ids[1])`.
    pub what: String,
    /// The claimed value, as text (a digest, a size in bytes, a media type …).
    pub expected: String,
    /// The value found in the archive, as text.
    pub actual: String,
}

/// How far the claims about one layer could be checked. Serialized in kebab-case
/// (`"verified"`, `"not-checkable"`, ...), as `inspect --json` prints it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verification {
    /// Every claim the archive makes about the layer (config diff_id, descriptor digest, size
    /// and media type, blob file name) was checked and matched, and there was at least one.
    Verified,
    /// At least one claim failed; `Layer::mismatches` holds expected and actual values.
    Mismatch,
    /// The blob was read, but there is no claim to check it against (legacy v1 saves with
    /// only `repositories`, no config), or a claim uses an algorithm not computed here; the
    /// reason says which.
    NotCheckable,
    /// The blob is not in the archive (and nothing says it was left out on purpose).
    Missing,
    /// Left out of the archive on purpose: a non-distributable (foreign) layer whose
    /// descriptor gives URLs to fetch it from.
    NonDistributable,
    /// The blob is there but could not be read to its end (decompression or tar error).
    Unreadable,
    /// Not hashed yet (the page's first view, before the workers finish).
    #[default]
    Pending,
}

/// One layer of one image, bottom (base) = index 0.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layer {
    /// Index into `Archive::members` of the blob, `None` when the blob is missing.
    pub member: Option<usize>,
    /// Path of the blob in the archive as the manifest names it.
    pub blob_path: Option<String>,
    /// The layer's media type as its descriptor gives it; `None` without a descriptor or a
    /// `mediaType`.
    pub media_type: Option<String>,
    /// sha256 computed over the uncompressed layer tar.
    pub diff_id: Option<Digest>,
    /// The diff_id the config claims (`rootfs.diff_ids[i]`).
    pub config_diff_id: Option<Digest>,
    /// sha256 computed over the blob as stored.
    pub digest: Option<Digest>,
    /// Uncompressed size.
    pub size: u64,
    /// Size of the blob as stored.
    pub stored_size: u64,
    /// Compression of the blob as stored, from its magic bytes.
    pub compression: Compression,
    /// True only when every claim about this layer was checked and matched
    /// (`verification == Verification::Verified`).
    pub verified: bool,
    /// The verification state; `verified` is its boolean summary.
    #[serde(default)]
    pub verification: Verification,
    /// Why the state is not `Verified`, in plain words (names the member and the claim).
    #[serde(default)]
    pub verification_reason: Option<String>,
    /// Where a non-distributable layer can be fetched from (the descriptor's `urls`).
    #[serde(default)]
    pub urls: Vec<String>,
    /// Each claim that did not hold, with both values.
    pub mismatches: Vec<Mismatch>,
    /// Index into `Image::history` of the step that made this layer.
    pub history: Option<usize>,
}

/// One image found in the archive.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    /// Where it came from, e.g. `manifest.json[0]` or `index.json.manifests[1]`.
    pub source: String,
    /// Its names: `RepoTags` of `manifest.json`, else the names the OCI index gives
    /// (`io.containerd.image.name`, `org.opencontainers.image.ref.name`), else the legacy
    /// `repositories` tags.
    pub tags: Vec<String>,
    /// sha256 of the config blob = the image ID.
    pub config_digest: Option<Digest>,
    /// Digest of the image manifest, when it comes from an OCI manifest blob.
    pub manifest_digest: Option<Digest>,
    /// The person-readable parts of the config.
    pub config: ImageConfig,
    /// The config's `history`, in its order (oldest first).
    pub history: Vec<HistoryEntry>,
    /// The image's layers, base first (index 0 is the bottom layer).
    pub layers: Vec<Layer>,
    /// Which rule matched `history` to `layers` (see [`crate::analyze::history::pair`]).
    #[serde(default)]
    pub pairing: PairingRule,
    /// Signatures, attestations, SBOMs and other OCI artifacts in the archive that refer to
    /// this image (by `subject`, by BuildKit's `vnd.docker.reference.digest`, or by cosign's
    /// `sha256-<digest>.sig/.att/.sbom` tag), in the order they were found.
    #[serde(default)]
    pub artifacts: Vec<Artifact>,
}

/// What an artifact is, as far as its media types tell.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArtifactKind {
    /// cosign / sigstore signature (`.sig` tag, `…cosign…` or `…sigstore…` media types).
    Signature,
    /// in-toto attestation (BuildKit provenance, cosign `.att`, DSSE envelopes).
    Attestation,
    /// Software bill of materials (SPDX, CycloneDX, cosign `.sbom`).
    Sbom,
    /// A Helm chart stored as an OCI artifact.
    HelmChart,
    #[default]
    /// Any other artifact type.
    Other,
}

/// An OCI manifest in the archive that is not an image (its config is not an image config,
/// or it declares an `artifactType`, or it is tagged as a cosign signature/attestation/SBOM).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Artifact {
    /// Where it was found, e.g. `index.json.manifests[2]`.
    pub source: String,
    /// What its media types say it is.
    pub kind: ArtifactKind,
    /// `artifactType`, else the config's media type when that is not the empty config, else
    /// the first layer's media type.
    pub artifact_type: String,
    /// Digest of the artifact's manifest, as its descriptor gives it.
    pub manifest_digest: Option<Digest>,
    /// Bytes of the artifact's content (its layers, as their descriptors give them), or of its
    /// manifest when the manifest is not in the archive.
    pub size: u64,
    /// False when only a descriptor names it (its manifest blob is not in the archive).
    pub present: bool,
    /// How it names the image it refers to, e.g. "subject", "cosign tag sha256-….sig".
    pub refers_by: String,
    /// The digest of the image manifest (or index) it refers to.
    pub subject: Option<Digest>,
}

/// How the config's history steps were matched to the layers, bottom first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PairingRule {
    /// As many layer-making steps as layers: the n-th step made the n-th layer (Docker's rule).
    #[default]
    InOrder,
    /// Fewer layer-making steps than layers: paired from the top, because a build appends its
    /// steps above a base whose own steps were not recorded; the lowest layers have none.
    FromTop,
    /// More layer-making steps than layers: paired from the bottom, as `docker image history`
    /// does; the newest steps have no layer.
    FromBottom,
    /// The config records no history at all: no layer has a step.
    NoHistory,
    /// Fewer layer-making steps than layers, as for [`PairingRule::FromTop`], while a step
    /// that makes layers (`RUN`, `COPY`, `ADD`), above the first paired one, is marked
    /// `empty_layer`. Either the lowest
    /// layers are a base's with no recorded step (a BuildKit `RUN` that changed nothing is
    /// rightly marked empty), or that step did make a layer and its mark is wrong: nothing
    /// tells which. Paired from the top like `FromTop`, but which step made each layer below
    /// the last such step is uncertain, and is not stated as known.
    Uncertain,
}

/// Something wrong that did not stop reading. Shown, never thrown away.
///
/// What it is (`kind`) and what it is about (`origin`) are typed, so code decides on them and
/// the page can translate the kind and link to the layer; `detail` is the specific English
/// text (names, offsets, digests), kept verbatim. The full English message — `origin`'s prefix
/// then `detail` — is made when displayed ([`Problem::message`], `Display`), never stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// What kind of problem it is.
    pub kind: ProblemKind,
    /// What the problem is about.
    pub origin: Origin,
    /// What was found, in English, without the origin's prefix.
    pub detail: String,
}

/// What a [`Problem`] is about: the part of the file it was found in, the member and the entry
/// inside it when there are ones, and — filled in when images are resolved — the image and
/// layer position that member is, so a view can link to and select the layer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// The part of the reading the problem comes from (decides the message's prefix).
    pub scope: Scope,
    /// The archive member it is about, when there is one.
    pub member: Option<MemberRef>,
    /// The path of the entry inside the member (a layer tar), escaped as names are shown,
    /// when the problem is about one entry; for a JSON member (a manifest, a config), the
    /// field it is about, as `history[1].empty_layer` or `[0].Layers`.
    pub entry: Option<String>,
    /// Where the member is used as a layer: the first image (index in `Archive::images`) and
    /// layer position (0-based, base first) whose layer is that member, or the layer a
    /// resolver was reading when it found the problem.
    pub layer: Option<LayerAt>,
    /// The image and layer the message names first, when it names one (`sa-app1:1 layer 1`):
    /// kept out of `detail` so that a reader counting layers differently (the page counts
    /// from 1, as its stack does) can word it itself. [`Problem`]'s `Display` writes
    /// `{image} layer {layer}` (0-based, as the CLI and the JSON count) right before `detail`,
    /// which then starts with its own separator (`: …`, ` (…`). Absent in the JSON when
    /// `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<LayerSubject>,
}

/// What a layer problem's message starts with: the image as the resolver names it (its tag,
/// else its manifest's position) and the layer's position in it, 0-based, base first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerSubject {
    /// The image as the message names it (its tag, else its manifest's position).
    pub image: String,
    /// The layer's position in the image, 0-based, base first.
    pub layer: usize,
}

/// The part of the reading a problem comes from; it decides the English message's prefix.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// The walk over the outer tarball (its stream, its member names): prefix `outer `.
    Outer,
    /// The walk over a layer blob's own tar (and its decompression): prefix
    /// `layer <member>: ` when the member is known.
    Layer,
    /// The metadata and images resolved from the members (manifests, configs, history,
    /// digests): no prefix, `detail` names what it is about.
    #[default]
    Image,
}

/// A member of the outer tarball: its index in `Archive::members` when known (a problem
/// found before the member was recorded has none) and its path as shown
/// ([`crate::escape::escape_name`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRef {
    /// Index into `Archive::members`, `None` when found before the member was recorded.
    pub index: Option<usize>,
    /// The member's path as shown ([`crate::escape::escape_name`]).
    pub name: String,
}

/// A layer of an image: `image` indexes `Archive::images`, `layer` indexes its `layers`
/// (0-based, base first; the page shows `layer + 1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LayerAt {
    /// Index into `Archive::images`.
    pub image: usize,
    /// Index into that image's `layers`, 0-based, base first.
    pub layer: usize,
}

impl Problem {
    /// A problem about the outer tarball itself (its stream, its end): no member.
    pub fn outer(kind: ProblemKind, detail: impl Into<String>) -> Self {
        Problem {
            kind,
            origin: Origin {
                scope: Scope::Outer,
                ..Origin::default()
            },
            detail: detail.into(),
        }
    }

    /// A problem found while walking the outer tarball, about one of its members
    /// (`index` in `Archive::members` when known, `name` as shown).
    pub fn outer_member(
        kind: ProblemKind,
        index: Option<usize>,
        name: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        Problem {
            kind,
            origin: Origin {
                scope: Scope::Outer,
                member: Some(MemberRef {
                    index,
                    name: name.into(),
                }),
                ..Origin::default()
            },
            detail: detail.into(),
        }
    }

    /// A problem found inside a layer blob (its decompression or its tar): the message reads
    /// `layer <name>: <detail>`.
    pub fn layer(
        kind: ProblemKind,
        index: Option<usize>,
        name: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        Problem {
            kind,
            origin: Origin {
                scope: Scope::Layer,
                member: Some(MemberRef {
                    index,
                    name: name.into(),
                }),
                ..Origin::default()
            },
            detail: detail.into(),
        }
    }

    /// A problem about one entry (`path`, escaped as shown) of a layer blob; the message reads
    /// `layer <name>: <detail>` (the detail names the entry in its own words).
    pub fn entry(
        kind: ProblemKind,
        index: Option<usize>,
        name: impl Into<String>,
        path: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        let mut p = Problem::layer(kind, index, name, detail);
        p.origin.entry = Some(path.into());
        p
    }

    /// A problem found while resolving images from the metadata, about the member `name`
    /// when there is one; the message is `detail` as it is.
    pub fn member(
        kind: ProblemKind,
        index: Option<usize>,
        name: Option<&str>,
        detail: impl Into<String>,
    ) -> Self {
        Problem {
            kind,
            origin: Origin {
                scope: Scope::Image,
                member: name.map(|n| MemberRef {
                    index,
                    name: n.to_string(),
                }),
                ..Origin::default()
            },
            detail: detail.into(),
        }
    }

    /// The same problem, its message naming layer `layer` (0-based) of `image` first; the
    /// detail must then start with its separator (see [`Origin::subject`]).
    pub fn about_layer(mut self, image: &str, layer: usize) -> Self {
        self.origin.subject = Some(LayerSubject {
            image: image.to_string(),
            layer,
        });
        self
    }

    /// The same problem, said to be about layer `at`.
    pub fn at_layer(mut self, at: Option<LayerAt>) -> Self {
        self.origin.layer = at;
        self
    }

    /// The member's name as shown, when the problem is about one (the JSON's `member`).
    pub fn member_name(&self) -> Option<&str> {
        self.origin.member.as_ref().map(|m| m.name.as_str())
    }

    /// The full English message: the origin's prefix (`outer `, `layer <member>: ` or none,
    /// by [`Scope`]), the detail, then what the kind means where a bare finding would not say
    /// it ([`ProblemKind::meaning`]). Made on every call; nothing stores it.
    pub fn message(&self) -> String {
        self.to_string()
    }

    /// The message without the kind's meaning: the technical finding alone, for a view that
    /// explains each kind in its own words (the page, in the reader's language) and would
    /// otherwise say the same thing twice.
    pub fn technical(&self) -> String {
        match (self.origin.scope, &self.origin.member) {
            (Scope::Outer, _) => format!("outer {}", self.detail),
            (Scope::Layer, Some(m)) => format!("layer {}: {}", m.name, self.detail),
            _ => match &self.origin.subject {
                Some(s) => format!("{} layer {}{}", s.image, s.layer, self.detail),
                None => self.detail.clone(),
            },
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.technical())?;
        match self.kind.meaning() {
            Some(m) => write!(f, " — {m}"),
            None => Ok(()),
        }
    }
}

/// Why a member or a layer blob could not be read to its end (`MemberFacts::error`,
/// `LayerIndex::error`). Typed so code decides on the variant (a limit or damage), never on
/// words; `Display` gives the English reason without the member's name (the caller adds it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "reason")]
pub enum ReadError {
    /// The outer stream failed while the member was read: `stored` of `size` bytes read, the
    /// reader's own words in `cause`.
    ReadFailed {
        /// Bytes read from the member before the failure.
        stored: u64,
        /// The member's size from its tar header, in bytes.
        size: u64,
        /// The reader's own error message.
        cause: String,
    },
    /// The outer stream ended inside the member: `stored` of `size` bytes.
    Truncated {
        /// Bytes read before the stream ended.
        stored: u64,
        /// The member's size from its tar header, in bytes.
        size: u64,
    },
    /// The blob (or its decompressed stream, per `compression`) ends after `bytes` bytes,
    /// inside its first 512-byte tar header.
    CutHeader {
        /// Bytes the (decompressed) stream held, fewer than 512.
        bytes: u64,
        /// The blob's compression: `None` when the blob itself is cut, else its decompressed stream
        /// is.
        compression: Compression,
    },
    /// The blob decompresses to more than `bound` bytes, the larger of `floor`
    /// (`limits.max_decompressed_bytes`) and `ratio` × the archive's size; not read further.
    OverLimit {
        /// The bound in force, in decompressed bytes: `max(floor, ratio × archive size)`.
        bound: u64,
        /// `limits.max_decompressed_bytes`, in bytes.
        floor: u64,
        /// `limits.decompressed_ratio`: the multiple of the archive's size allowed (no unit).
        ratio: u64,
    },
    /// The archive's layers together decompress to more than `bound` bytes
    /// ([`crate::limits::Limits::decompressed_total_for`]: twice one layer's bound): this one
    /// was not read past what was left of it, nor are the ones after it.
    OverArchiveLimit {
        /// The archive-wide bound in force, in decompressed bytes.
        bound: u64,
    },
    /// A zstd frame of the blob declares a window, or an xz block an LZMA2 dictionary (the
    /// history its decoder must keep), larger than `max` (`limits.max_window_bytes`): a bound
    /// this reader keeps so one layer's decoder cannot take more memory than that (in the
    /// page's workers too), not damage. Not read further. Go's klauspost/compress zstd, which
    /// moby and containerd use with its defaults, reads windows up to 512 MiB
    /// (`MaxWindowSize = 1 << 29`); moby decompresses xz with the `xz` program, which sets
    /// no memory limit by default.
    WindowOverLimit {
        /// The window or dictionary the stream declares, in bytes.
        requested: u64,
        /// The bound in force, in bytes.
        max: u64,
        /// Which format declares it: `zstd` or `xz` (`zstd` when absent, the only one that
        /// said it before xz did).
        #[serde(default = "Compression::zstd")]
        compression: Compression,
    },
    /// The decompressed stream or the tar inside is broken; `at` says where, in words that
    /// name the entry and byte offset reached.
    Broken {
        /// Where it broke, in words naming the entry and the byte offset reached.
        at: String,
    },
    /// The blob was read to its end, but its digest was to be computed elsewhere and did not
    /// come back ([`crate::read::offload`]): not checked, through no fault of the file.
    NotHashed {
        /// Why, in the reader's own words.
        cause: String,
    },
    /// The member is stored in the outer tar as a sparse file (`tar --sparse`), whose bytes
    /// are its map's data regions with zeros between them; this reader does not expand
    /// outer sparse members, so its bytes are not read and its digest is not checked (GNU
    /// tar, Python's tarfile and Go's `archive/tar`, which `docker load` uses, read it).
    SparseMember {
        /// The sparse format it is stored in.
        format: SparseFormat,
    },
}

/// The sparse formats of GNU tar: the old GNU `S` header, and PAX `GNU.sparse.*` 0.0, 0.1
/// and 1.0 (`tar --sparse --sparse-version=…`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SparseFormat {
    /// Tar type `S`, the map in the GNU header (and extension blocks).
    OldGnu,
    /// PAX 0.0: repeated `GNU.sparse.offset` / `GNU.sparse.numbytes` records.
    Pax00,
    /// PAX 0.1: the map in one `GNU.sparse.map` record.
    Pax01,
    /// PAX 1.0: the map at the start of the member's data.
    Pax10,
}

impl std::fmt::Display for SparseFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SparseFormat::OldGnu => "old GNU 'S'",
            SparseFormat::Pax00 => "PAX 0.0",
            SparseFormat::Pax01 => "PAX 0.1",
            SparseFormat::Pax10 => "PAX 1.0",
        })
    }
}

impl ReadError {
    /// The problem kind this error makes: a limit, or an unreadable layer.
    pub fn kind(&self) -> ProblemKind {
        match self {
            ReadError::OverLimit { .. }
            | ReadError::OverArchiveLimit { .. }
            | ReadError::WindowOverLimit { .. } => ProblemKind::Limit,
            _ => ProblemKind::LayerUnreadable,
        }
    }
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::ReadFailed {
                stored,
                size,
                cause,
            } => write!(f, "read failed after {stored} of {size} bytes: {cause}"),
            ReadError::Truncated { stored, size } => {
                write!(f, "member truncated: have {stored} of {size} bytes")
            }
            ReadError::CutHeader { bytes, compression } => {
                let what = match compression {
                    Compression::None => "blob".to_string(),
                    c => format!(
                        "decompressed {} stream",
                        crate::read::decompress::name(*c)
                    ),
                };
                write!(
                    f,
                    "the {what} ends after {bytes} bytes, inside its first tar header (a header is 512 bytes): was the download complete?"
                )
            }
            ReadError::OverLimit {
                bound,
                floor,
                ratio,
            } => write!(
                f,
                "decompresses to more than {bound} bytes, the limit for this archive (the larger of --max-decompressed-bytes, {floor} bytes, and {ratio} times the archive's size); not read further; raise it with --max-decompressed-bytes"
            ),
            ReadError::OverArchiveLimit { bound } => write!(
                f,
                "the archive's layers together decompress to more than {bound} bytes, the limit for this archive (twice the limit for one layer); not read further, nor are the layers after it; raise it with --max-decompressed-bytes"
            ),
            ReadError::WindowOverLimit {
                requested,
                max,
                compression,
            } => {
                const MIB: u64 = 1 << 20;
                let reads = crate::read::decompress::docker_reads_window(*compression, *requested);
                let (what, engines) = match compression {
                    // moby's pkg/archive runs `xz -d -c -q`; containerd does not read xz.
                    Compression::Xz => (
                        "its xz stream declares a dictionary",
                        "Docker reads it (it runs the xz program, which sets no memory limit by default)",
                    ),
                    _ if reads => (
                        "its zstd stream declares a window",
                        "Docker and containerd read it (their zstd decoder, klauspost/compress, allows windows up to 512 MiB)",
                    ),
                    _ => (
                        "its zstd stream declares a window",
                        "Docker and containerd refuse it too (their zstd decoder, klauspost/compress, allows windows up to 512 MiB)",
                    ),
                };
                write!(
                    f,
                    "{what} of {requested} bytes ({} MiB), over this reader's bound of {max} bytes ({} MiB), which keeps one decoder's memory bounded; not read, so its digest is not checked — a bound of this reader, not damage; {engines}",
                    requested / MIB,
                    max / MIB
                )
            }
            ReadError::Broken { at } => f.write_str(at),
            ReadError::NotHashed { cause } => write!(
                f,
                "not checked: the blob was read to its end, but its digest did not come back ({cause})"
            ),
            ReadError::SparseMember { format } => write!(
                f,
                "stored in the archive as a sparse member (format {format}), which this reader does not expand: its bytes are not read and its digest is not checked (GNU tar, Python's tarfile and docker load read it)"
            ),
        }
    }
}

/// What kind of thing a [`Problem`] reports; serialized in kebab-case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// The outer stream is broken (truncated, bad gzip, not a tar).
    Archive,
    /// A manifest, index or config is missing, not JSON, or of the wrong shape.
    Metadata,
    /// A blob the metadata names is not in the archive.
    MissingBlob,
    /// One platform of a multi-platform image index is not in the archive (its manifest blob is
    /// absent) while another platform of the same index is: what `docker save` with the
    /// containerd image store writes for an image pulled for one platform. Informational.
    MissingPlatform,
    /// A computed digest or size differs from what was claimed.
    DigestMismatch,
    /// A layer blob could not be decompressed or its tar is broken.
    LayerUnreadable,
    /// A path that would escape the root (`../`, absolute, a symlink that climbs above the
    /// root, a name written through a symlink of its layer that starts at `/` or climbs).
    UnsafePath,
    /// Whiteout rules broken (bare `.wh.`, `.wh..`, reserved `.wh..wh.` names, AUFS metadata
    /// of the wrong kind): the entry is ignored.
    Whiteout,
    /// A hard link inside a layer points to no file: its target is missing when the link
    /// comes (or is the link itself), was deleted by an earlier whiteout of the same layer, is
    /// a directory, or the links go round in a cycle. Unpacking fails on it (`os.Link` in
    /// moby's and containerd's `createTarFile`: ENOENT, EPERM for a directory), so `docker
    /// load` and a pull refuse the layer, as for [`ProblemKind::UnpackFails`]; the link stays
    /// in the layer's index and the filesystem views leave it out.
    HardLink,
    /// An entry unpacking fails on (`docker load`, a pull): a folder on its path is a file or
    /// a symlink that loops, written earlier in the same layer (`ENOTDIR`, `ELOOP`), or its tar
    /// type is one Docker's and containerd's unpacking refuse ("unhandled tar header type",
    /// any type but `0`, `1`-`6` and the old NUL type). It stays in the layer's index; the
    /// filesystem views leave it out, except a contiguous `7` or old-GNU sparse `S` file,
    /// shown as the regular file Go's reader and tar read.
    UnpackFails,
    /// The image as a whole is one `docker load` refuses, though every layer may unpack: its
    /// config's history has more layer-making steps (entries not marked `empty_layer`) than
    /// its rootfs has layers (moby's image store: "too many non-empty layers in History
    /// section"; `docker image history` fails the same way), or it has more than 125 layers
    /// (moby's layer store: "max depth exceeded"). About the image, not one member.
    /// Also `manifest.json` or an image config that Go's `encoding/json` refuses to decode
    /// into Docker's structs (a field of the wrong JSON type, a `created` that is not an
    /// RFC 3339 time): about that member, `Origin::entry` naming the field.
    LoadFails,
    /// A member appears twice; the last one wins.
    DuplicateMember,
    /// History does not line up with the layers.
    History,
    /// A configured limit was hit (decompressed size, JSON size, extension record size, entries
    /// per layer, path depth, sparse map size, index depth, manifests followed), or an index
    /// refers back to itself.
    Limit,
    /// A layer tar departs from the format in a way Docker's reader (Go's `archive/tar`)
    /// accepts, such as ending without the two zero blocks that mark the end of an archive.
    /// Also a name written through a symlink the same layer made earlier, when the link stays
    /// inside the root (`lib -> usr/lib`; the name is placed where unpacking writes it), and
    /// bytes after the end of a layer's compressed stream, or of a whole file's, which Docker
    /// ignores.
    /// Information: the layer was read in full and stays valid.
    TarQuirk,
    /// A manifest, index or config departs from JSON as Docker writes it in a way Go's
    /// `encoding/json`, which `docker load` uses, reads anyway, and so does this reader: a
    /// key that names a field only case-insensitively (`layers` for `Layers`), bytes inside
    /// strings that are not UTF-8 or a lone UTF-16 surrogate escape (read as U+FFFD).
    /// Information: the document is read as Docker reads it; the member's digest is over its
    /// bytes as stored. `Origin::entry` names the field, when it is one.
    JsonQuirk,
    /// A layer left out of the archive on purpose (non-distributable / foreign media type with
    /// `urls`). Informational: the image is otherwise complete.
    NonDistributable,
    /// The outer tar holds a header that Go's `archive/tar` (what `docker load` reads with)
    /// and other tar readers read differently, so that from there on they list different
    /// members: a PAX record given twice, an extension header without the ustar magic, a
    /// name prefix under an odd version (`read::extension_guard::Divergence`). A tar made to
    /// show one image and load another. The members before it are shown; the walk stops
    /// there rather than guess.
    AmbiguousTar,
    /// Two sources in the archive disagree (`manifest.json`, `index.json`, an OCI manifest,
    /// the config: layer count, order, platform, name). The image is shown as Docker loads it.
    Disagreement,
    /// An artifact (signature, attestation, SBOM ...) that refers to no image in the archive.
    /// Informational.
    Artifact,
}

impl ProblemKind {
    /// The kind as the JSON spells it (`digest-mismatch`, `layer-unreadable`): what the CLI
    /// prints in brackets and the page's words are keyed by.
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// What a finding of this kind means for the reader, in English, where the finding's own
    /// words (expected and computed digests) would not say it; appended to
    /// [`Problem::message`], left out of [`Problem::technical`].
    pub fn meaning(self) -> Option<&'static str> {
        match self {
            ProblemKind::DigestMismatch => {
                Some("the file was changed or damaged after it was saved, or the tool that wrote it recorded it wrongly")
            }
            _ => None,
        }
    }
}

/// Everything read from one tarball.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Archive {
    /// A name for display (the file name).
    pub name: String,
    /// Size of the whole file as read (compressed, if the tarball is), in bytes.
    pub total_bytes: u64,
    /// Compression of the whole tarball, from its magic bytes.
    pub outer_compression: Compression,
    /// Which layout the tarball has.
    pub format: Format,
    /// Every member of the outer tarball (directories and links too; not PAX global headers), in
    /// the order the tar holds them.
    pub members: Vec<Member>,
    /// The images found; each one's `source` says which manifest entry it came from.
    pub images: Vec<Image>,
    /// Everything found wrong that did not stop reading, in the order found.
    pub problems: Vec<Problem>,
}

impl Archive {
    /// How many entries the layer indexes of all members hold in all (0 for a member whose
    /// entries are not here, e.g. split off to cross to the page in compact form).
    pub fn entry_count(&self) -> usize {
        self.members
            .iter()
            .filter_map(|m| m.facts.layer.as_ref())
            .map(|l| l.entries.len())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_digest_mismatch_says_what_it_means_once_and_only_in_its_message() {
        let p = Problem::member(
            ProblemKind::DigestMismatch,
            Some(3),
            Some("abc/layer.tar"),
            " (abc/layer.tar): diff_id mismatch: expected sha256:aa, computed sha256:bb",
        )
        .about_layer("app:1", 1);
        assert_eq!(
            p.technical(),
            "app:1 layer 1 (abc/layer.tar): diff_id mismatch: expected sha256:aa, computed sha256:bb"
        );
        assert_eq!(
            p.message(),
            format!(
                "{} — the file was changed or damaged after it was saved, or the tool that wrote it recorded it wrongly",
                p.technical()
            )
        );
        // Other kinds carry no added meaning: both forms are the same.
        let q = Problem::outer(ProblemKind::Archive, "tar read error");
        assert_eq!(q.message(), "outer tar read error");
        assert_eq!(q.technical(), q.message());
    }
}
