//! One reading of one tarball, as a state machine: **plan jobs → apply(facts) → done**.
//!
//! [`Reading::start`] walks the file once for its structure (outer members, small JSON
//! members, the headers of uncompressed layer tars: a fast first view) and plans the
//! remaining work as [`HashJob`]s — one per large blob, biggest first. Whoever runs the jobs
//! (the CLI's threads in [`crate::read::archive::open`], the page's Web Workers) calls
//! [`hash`] for each — job in, [`MemberFacts`] out, nothing shared — and hands the facts back
//! with [`Reading::apply`], in any order, from any number of hashers. Facts for a member that
//! is not a job, or that arrive twice or after the end, are ignored and said so
//! ([`Applied`]). [`Reading::is_done`] turns true when every job has its facts.
//!
//! The structure is never sent twice: a job whose layer tar the first walk already indexed is
//! marked [`HashJob::indexed`], its facts come back without the entries, and `apply` keeps the
//! entries the walk found (the same `Arc`), so a memo keyed on them survives every update.
//! Content reads carry byte offsets into the file (`Entry::content_offset`), so no one keeps a
//! second copy of the archive's bytes.

use serde::{Deserialize, Serialize};

use crate::digest::{Digest, Hasher};
use crate::error::Error;
use crate::limits::Limits;
use crate::model::{
    Archive, Compression, EntryKind, Format, Image, LayerIndex, MemberFacts, Problem,
};
use crate::read::archive::{self, Options, Progress};
use crate::read::image;
use crate::read::sniff;
use crate::source::{RangeReader, ReadAt};

/// One blob still to hash: which outer member, where its bytes are in the file, and whether
/// the first walk already indexed its layer tar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HashJob {
    /// Index into `Archive::members`.
    pub member: usize,
    /// Byte offset of the member's content in the file.
    pub offset: u64,
    /// Bytes of content (the member's size as stored).
    pub len: u64,
    /// The first walk indexed this blob's entries (an uncompressed layer tar): its facts come
    /// back without them ([`hash`]) and [`Reading::apply`] keeps the walk's.
    #[serde(default)]
    pub indexed: bool,
    /// Also compute sha512 (of the blob and of its uncompressed tar): the member is under
    /// `blobs/sha512/` (the job's own name is a placeholder, so the rule is applied when the
    /// job is planned), the same rule `read_stream` follows by the member's name.
    #[serde(default)]
    pub sha512: bool,
}

/// What resolving the images makes of an archive's members: the parts of an [`Archive`]
/// that change as facts arrive, apart from the members' own facts. Resolving costs time in
/// proportion to the layer indexes (whiteout and link checks), so a reader with a busy thread
/// (the page) lets another (a worker) resolve and takes this value from it
/// ([`Reading::resolution`] there, [`Reading::adopt`] here), or only what changed since the
/// last one it took ([`crate::read::resolution_change`], [`Reading::adopt_change`]: an image
/// of many layers is large).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Resolution {
    /// As `Archive::format`.
    pub format: Format,
    /// As `Archive::images`.
    pub images: Vec<Image>,
    /// As `Archive::problems`, in the same order.
    pub problems: Vec<Problem>,
}

/// What [`Reading::apply`] did with one member's facts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    /// Stored: the member was a job still waiting.
    Stored,
    /// Ignored: this job's facts were stored before (a duplicate or a late answer).
    Duplicate,
    /// Ignored: the member is not one of the planned jobs.
    NotAJob,
}

/// One reading in progress (or done): the archive as known so far, the planned jobs and which
/// of them have their facts. See the module docs.
#[derive(Clone, Debug)]
pub struct Reading {
    archive: Archive,
    jobs: Vec<HashJob>,
    /// Per job (same order as `jobs`): its facts were applied.
    settled: Vec<bool>,
    /// Jobs still waiting.
    waiting: usize,
    /// Bytes of the file covered by the first walk, plus the lengths of settled jobs.
    bytes_done: u64,
    limits: Limits,
    /// Facts were applied since images were last resolved.
    stale: bool,
}

impl Reading {
    /// Reads the file's structure and plans the jobs. An uncompressed tarball is walked by
    /// headers ([`archive::scan`]): layer blobs larger than 1 MiB become jobs. A tarball
    /// compressed as a whole (gzip, zstd, xz, bzip2; decided from its first bytes) has no
    /// random access, so it is read completely here ([`archive::read_stream`]) and the
    /// reading starts done, with no jobs. `progress` gets bytes of the file read so far
    /// (compressed bytes) during that pass; an uncompressed file's walk tells it nothing (see
    /// [`Reading::start_watched`]).
    ///
    /// Errors: those of [`archive::scan`] and [`archive::read_stream`] — the file is empty,
    /// not a tar, ends inside its first header, or cannot be read at offset 0.
    pub fn start<S: ReadAt + ?Sized>(
        name: &str,
        source: &S,
        opts: &Options,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<Reading, Error> {
        // The walk of an uncompressed file says how far through the file it is
        // (`Progress::reached`); a caller of `start` follows the bytes read and then hashed
        // ([`archive::open`]), whose bar would run to the end and start again. Only a
        // compressed file's pass, its whole reading, is passed on.
        let mut pass = |p: &Progress| {
            if !p.reached {
                progress(p)
            }
        };
        Reading::start_watched(name, source, opts, &mut pass, &mut |_| {}, None)
    }

    /// [`Reading::start`], calling `watch` with the archive read so far after each member of
    /// a file compressed as a whole (see [`archive::read_stream_watched`]); an uncompressed
    /// file's walk is quick and never calls it, but tells `progress` how far through the
    /// file it has got ([`archive::scan_watched`]): a page's bar for the walk, before the
    /// hashing has a measure of its own. With an `offload`, such a file hands the blobs
    /// it takes to it instead of hashing them; their digests go in with
    /// [`Reading::digests_handed_back`] (an uncompressed file's blobs are hashed by jobs, and
    /// `offload` is not asked). Errors: as [`Reading::start`].
    pub fn start_watched<S: ReadAt + ?Sized>(
        name: &str,
        source: &S,
        opts: &Options,
        progress: &mut dyn FnMut(&Progress),
        watch: &mut dyn FnMut(&Archive),
        offload: Option<&mut dyn crate::read::offload::Offload>,
    ) -> Result<Reading, Error> {
        let total = source.len();
        let head = source
            .read_vec_at(0, sniff::TAR_BLOCK)
            .map_err(|e| Error::Io {
                name: name.into(),
                offset: 0,
                source: e,
            })?;
        let archive = if sniff::compression(&head) == Compression::None {
            archive::scan_watched(name, source, opts, progress)?
        } else {
            archive::read_stream_watched(
                name,
                RangeReader::new(source, 0, total),
                total,
                opts,
                progress,
                watch,
                offload,
            )?
        };
        Ok(Reading::planned(archive, &opts.limits))
    }

    /// A reading of an archive already walked (by [`archive::scan`], or received from a
    /// worker that did): its jobs are the regular members with a content offset whose facts
    /// hold neither a sha256 nor an error, biggest first (ties by member index), so hashers
    /// working in parallel finish together. `limits` are those the archive was read with
    /// (images are resolved again with them as facts arrive).
    pub fn planned(archive: Archive, limits: &Limits) -> Reading {
        let jobs = plan(&archive);
        let job_bytes = jobs.iter().fold(0u64, |n, j| n.saturating_add(j.len));
        Reading {
            settled: vec![false; jobs.len()],
            waiting: jobs.len(),
            bytes_done: archive.total_bytes.saturating_sub(job_bytes),
            jobs,
            archive,
            limits: limits.clone(),
            stale: false,
        }
    }

    /// Every planned job, biggest first; the list never changes during the reading.
    pub fn jobs(&self) -> &[HashJob] {
        &self.jobs
    }

    /// Total bytes of all jobs.
    pub fn job_bytes(&self) -> u64 {
        self.jobs.iter().fold(0u64, |n, j| n.saturating_add(j.len))
    }

    /// Stores the facts [`hash`] produced for `member`. The member's own name replaces the
    /// placeholder a job's messages carry. Facts for a member that is no job, or whose job
    /// was settled already, change nothing. Images are resolved again on the next
    /// [`Reading::archive`] call, not here, so applying a batch costs one resolve.
    pub fn apply(&mut self, member: usize, mut facts: MemberFacts) -> Applied {
        let Some(at) = self.jobs.iter().position(|j| j.member == member) else {
            return Applied::NotAJob;
        };
        let (Some(job), Some(settled)) = (self.jobs.get(at), self.settled.get_mut(at)) else {
            return Applied::NotAJob;
        };
        if *settled {
            return Applied::Duplicate;
        }
        *settled = true;
        self.waiting = self.waiting.saturating_sub(1);
        self.bytes_done = self.bytes_done.saturating_add(job.len);
        if let Some(m) = self.archive.members.get_mut(member) {
            if job.indexed {
                keep_structure(&m.facts, &mut facts);
            }
            let shown = m.path.display().into_owned();
            archive::name_member(&mut facts, &shown);
            m.facts = facts;
        }
        self.stale = true;
        Applied::Stored
    }

    /// Puts in the digests of the blobs handed on while the file was read, in the order
    /// they were ([`crate::read::offload::settle_handed_on`]: `None` for one that did not
    /// come); the images are resolved again with them. Returns how many were put in.
    pub fn digests_handed_back(&mut self, digests: Vec<Option<Digest>>) -> usize {
        let put = crate::read::offload::settle_handed_on(&mut self.archive, digests);
        self.stale = true;
        put
    }

    /// The archive as known now, its images resolved with every fact applied so far (layers
    /// of jobs not done yet are `pending`).
    pub fn archive(&mut self) -> &Archive {
        if self.stale {
            image::resolve_with(&mut self.archive, &self.limits);
            self.stale = false;
        }
        &self.archive
    }

    /// The archive as it stands, without resolving again (for content reads, which need only
    /// the members' layer indexes).
    pub fn archive_unresolved(&self) -> &Archive {
        &self.archive
    }

    /// The images and problems with every fact applied so far (resolving first if needed).
    pub fn resolution(&mut self) -> Resolution {
        let a = self.archive();
        Resolution {
            format: a.format,
            images: a.images.clone(),
            problems: a.problems.clone(),
        }
    }

    /// Takes a resolution another reader of the same file made with the same facts applied
    /// (see [`Resolution`]) instead of resolving here: [`Reading::archive_unresolved`] is then
    /// the resolved archive.
    pub fn adopt(&mut self, r: Resolution) {
        self.archive.format = r.format;
        self.archive.images = r.images;
        self.archive.problems = r.problems;
        self.stale = false;
    }

    /// Applies `change` (what a resolution another reader made changes of the one before,
    /// see [`crate::read::resolution_change`]) to the images held, which are of the
    /// resolution of `held` jobs (`None`: none adopted yet); nothing changes on an error.
    pub fn adopt_change(
        &mut self,
        held: Option<usize>,
        change: crate::read::resolution_change::ResolutionChange,
    ) -> Result<(), crate::read::resolution_change::ChangeError> {
        let a = &mut self.archive;
        change.apply(held, &mut a.format, &mut a.images, &mut a.problems)?;
        self.stale = false;
        Ok(())
    }

    /// How many jobs have their facts (`jobs().len() - waiting()`).
    pub fn applied(&self) -> usize {
        self.jobs.len().saturating_sub(self.waiting)
    }

    /// Bytes of the file accounted for: the walked part plus every settled job's length; equal
    /// to the file's size when done. Add the bytes of jobs in flight for a live figure.
    pub fn bytes_done(&self) -> u64 {
        self.bytes_done
    }

    /// The file's size in bytes.
    pub fn bytes_total(&self) -> u64 {
        self.archive.total_bytes
    }

    /// Jobs still waiting for their facts.
    pub fn waiting(&self) -> usize {
        self.waiting
    }

    /// Every job has its facts.
    pub fn is_done(&self) -> bool {
        self.waiting == 0
    }

    /// The archive, images resolved with every fact applied (use when [`Reading::is_done`];
    /// before that, unhashed layers stay `pending`).
    pub fn into_archive(mut self) -> Archive {
        self.archive();
        self.archive
    }
}

/// The hashing boundary: fully processes one job's blob (sha256, decompression, diff_id,
/// layer index) independently of every other job. `progress` gets the job's bytes done so
/// far, ending at `job.len`. When `job.indexed`, the entries are left out of the facts
/// returned (the reading has them) unless the walk here ended with an error, in which case
/// they are sent whole, as this walk found them.
pub fn hash<S: ReadAt + ?Sized>(
    source: &S,
    job: &HashJob,
    opts: &Options,
    progress: &mut dyn FnMut(u64),
) -> MemberFacts {
    if job.indexed {
        if let Some(facts) = hash_indexed(source, job, progress) {
            return facts;
        }
    }
    let mut facts = archive::hash_member(source, job, opts, progress);
    if job.indexed {
        if let Some(l) = facts.layer.as_mut().filter(|l| l.error.is_none()) {
            l.entries = Default::default();
        }
    }
    facts
}

/// Bytes hashed per `read_at` by [`hash_indexed`].
const CHUNK: u64 = 1 << 20;

/// An indexed job (an uncompressed layer tar the first walk listed whole) needs only its
/// digest: its bytes are hashed as stored, in [`CHUNK`]s, without walking the tar a second
/// time — for an uncompressed tar the diff_id is the blob's own digest and the uncompressed
/// size its length. The facts carry no entries and no problems: [`Reading::apply`] keeps the
/// first walk's ([`keep_structure`]), which the same headers give. `None` — the full path
/// then reads it and reports what is wrong — when the blob is not an uncompressed tar after
/// all, or a read fails or comes back short.
fn hash_indexed<S: ReadAt + ?Sized>(
    source: &S,
    job: &HashJob,
    progress: &mut dyn FnMut(u64),
) -> Option<MemberFacts> {
    let want = usize::try_from(job.len.min(sniff::TAR_BLOCK as u64)).ok()?;
    let head = source.read_vec_at(job.offset, want).ok()?;
    if head.len() < want || sniff::compression(&head) != Compression::None || !sniff::is_tar(&head)
    {
        return None;
    }
    let mut hasher = if job.sha512 {
        Hasher::with_sha512()
    } else {
        Hasher::new()
    };
    let mut done = 0u64;
    while done < job.len {
        let n = usize::try_from((job.len - done).min(CHUNK)).ok()?;
        let bytes = source.read_vec_at(job.offset.checked_add(done)?, n).ok()?;
        if bytes.len() < n {
            return None;
        }
        hasher.update(&bytes);
        done = done.saturating_add(n as u64);
        progress(done);
    }
    progress(job.len);
    let (sha256, sha512) = hasher.finish_all();
    Some(MemberFacts {
        compression: Compression::None,
        layer: Some(LayerIndex {
            diff_id: Some(sha256.clone()),
            diff_id_sha512: sha512.clone(),
            uncompressed_size: job.len,
            ..LayerIndex::default()
        }),
        sha256: Some(sha256),
        sha512,
        ..MemberFacts::default()
    })
}

/// For an indexed job: the walk's entries stand in for those the hasher left out, and so do
/// the walk's problems when the hasher did not walk (its facts bring none: [`hash_indexed`],
/// `prehashed::index_unhashed`); a hasher that walked brings the same ones itself. Entries a
/// hasher walked again are replaced by the walk's shared copy too: the same bytes give the
/// same entries, and keeping one copy keeps the file structure — what memos over 200,000
/// entries are keyed on — unchanged.
fn keep_structure(before: &MemberFacts, facts: &mut MemberFacts) {
    let Some(old) = before.layer.as_ref() else {
        return;
    };
    let failed = match facts.layer.as_mut() {
        Some(new) if new.error.is_none() && (new.entries.is_empty() || old.error.is_none()) => {
            new.entries = old.entries.clone();
            if facts.problems.is_empty() {
                facts.problems = before.problems.clone();
            }
            return;
        }
        // A job that walked again and broke off lists less than the walk did.
        Some(new) => new.error.is_some() && old.error.is_none(),
        None => facts.error.is_some() && old.error.is_none(),
    };
    if failed {
        // The job's reads failed after the walk had listed the layer (the file changed or
        // shrank on disk since it was opened): the listing is what the file held when it was
        // walked and stays shown — without it the page showed every size as 0 B and the
        // entries as "pending" for good. Why the layer is not checked is the member's error.
        if facts.error.is_none() {
            facts.error = facts.layer.as_ref().and_then(|l| l.error.clone());
        }
        facts.layer = Some(LayerIndex {
            diff_id: None,
            diff_id_sha512: None,
            ..old.clone()
        });
        if facts.problems.is_empty() {
            facts.problems = before.problems.clone();
        }
    }
}

fn plan(archive: &Archive) -> Vec<HashJob> {
    let mut jobs: Vec<HashJob> = archive
        .members
        .iter()
        .enumerate()
        .filter(|(_, m)| {
            m.kind == EntryKind::File && m.facts.sha256.is_none() && m.facts.error.is_none()
        })
        .filter_map(|(i, m)| {
            Some(HashJob {
                member: i,
                offset: m.data_offset?,
                len: m.size,
                sha512: crate::read::member::is_sha512_blob(&m.path.display()),
                indexed: m
                    .facts
                    .layer
                    .as_ref()
                    .is_some_and(|l| l.error.is_none() && !l.entries.is_empty()),
            })
        })
        .collect();
    jobs.sort_by(|a, b| b.len.cmp(&a.len).then(a.member.cmp(&b.member)));
    jobs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Verification;

    /// A real `docker save` whose 2 MB base layer is left to a hash job.
    fn app1() -> Vec<u8> {
        crate::test_support::fixture("docker26-save-app1.tar")
    }

    fn started(bytes: &Vec<u8>) -> Reading {
        Reading::start("app1.tar", bytes, &Options::default(), &mut |_| {}).expect("start")
    }

    fn all_facts(bytes: &Vec<u8>, r: &Reading) -> Vec<(usize, MemberFacts)> {
        r.jobs()
            .iter()
            .map(|j| (j.member, hash(bytes, j, &Options::default(), &mut |_| {})))
            .collect()
    }

    fn streamed(bytes: &Vec<u8>) -> Archive {
        archive::read_stream(
            "app1.tar",
            bytes.as_slice(),
            bytes.len() as u64,
            &Options::default(),
            &mut |_| {},
        )
        .expect("read_stream")
    }

    #[test]
    fn plans_the_big_blobs_biggest_first_and_starts_pending() {
        let bytes = app1();
        let mut r = started(&bytes);
        let jobs = r.jobs().to_vec();
        assert!(!jobs.is_empty(), "the base layer is left to a job");
        assert!(jobs.windows(2).all(|w| w[0].len >= w[1].len), "{jobs:?}");
        assert!(
            jobs.iter().all(|j| j.len > 1 << 20),
            "only blobs over 1 MiB"
        );
        // Uncompressed layer tars were indexed by the header walk.
        assert!(jobs.iter().all(|j| j.indexed));
        assert!(!r.is_done());
        assert_eq!(r.waiting(), jobs.len());
        assert_eq!(
            r.bytes_done() + r.job_bytes(),
            bytes.len() as u64,
            "walked part plus jobs is the whole file"
        );
        let pending = r
            .archive()
            .images
            .iter()
            .flat_map(|i| &i.layers)
            .filter(|l| l.verification == Verification::Pending)
            .count();
        assert_eq!(pending, jobs.len(), "one pending layer per job");
    }

    #[test]
    fn indexed_jobs_send_no_entries_and_the_walks_entries_are_kept() {
        let bytes = app1();
        let mut r = started(&bytes);
        let job = *r.jobs().first().expect("a job");
        let before = r
            .archive_unresolved()
            .members
            .get(job.member)
            .and_then(|m| m.facts.layer.as_ref())
            .map(|l| l.entries.clone())
            .expect("walked layer");
        assert!(!before.is_empty());
        let facts = hash(&bytes, &job, &Options::default(), &mut |_| {});
        let sent = facts.layer.as_ref().expect("layer facts");
        assert!(sent.entries.is_empty(), "the structure is not sent again");
        assert!(sent.diff_id.is_some());
        assert_eq!(r.apply(job.member, facts), Applied::Stored);
        let after = r
            .archive()
            .members
            .get(job.member)
            .and_then(|m| m.facts.layer.as_ref())
            .map(|l| l.entries.clone())
            .expect("layer kept");
        assert!(
            crate::Entries::ptr_eq(&before, &after),
            "the same entries, not a copy"
        );
    }

    #[test]
    fn a_job_whose_reads_fail_keeps_the_walks_listing_and_says_why() {
        // The file shrank (or changed) after the walk: the job's reads of the blob fail.
        let bytes = app1();
        let mut r = started(&bytes);
        let job = *r.jobs().first().expect("a job");
        let walked = r
            .archive_unresolved()
            .members
            .get(job.member)
            .and_then(|m| m.facts.layer.clone())
            .expect("walked layer");
        let cut = bytes
            .get(..(job.offset + job.len / 2) as usize)
            .expect("a cut")
            .to_vec();
        let facts = hash(&cut, &job, &Options::default(), &mut |_| {});
        assert!(facts.sha256.is_none() && facts.error.is_some(), "{facts:?}");
        assert_eq!(r.apply(job.member, facts), Applied::Stored);
        let m = r.archive().members.get(job.member).expect("member");
        assert!(m.facts.error.is_some(), "why it was not checked stays said");
        let kept = m.facts.layer.as_ref().expect("the walk's listing kept");
        assert!(crate::Entries::ptr_eq(&walked.entries, &kept.entries));
        assert!(!kept.entries.is_empty());
        let layer = r
            .archive()
            .images
            .iter()
            .flat_map(|i| &i.layers)
            .find(|l| l.member == Some(job.member))
            .expect("its layer");
        assert!(!layer.verified);
        assert_eq!(layer.verification, Verification::Unreadable, "{layer:?}");
    }

    #[test]
    fn entries_walked_again_by_a_hasher_keep_the_walks_copy() {
        let bytes = app1();
        let mut r = started(&bytes);
        let job = *r.jobs().first().expect("a job");
        let before = r
            .archive_unresolved()
            .members
            .get(job.member)
            .and_then(|m| m.facts.layer.as_ref())
            .map(|l| l.entries.clone())
            .expect("walked layer");
        // A hasher that walks the headers itself and sends them (as the page's WebCrypto
        // path does): equal entries, another allocation.
        let facts = archive::hash_member(&bytes, &job, &Options::default(), &mut |_| {});
        let sent = facts.layer.as_ref().expect("layer facts");
        assert_eq!(*sent.entries, *before);
        assert!(!crate::Entries::ptr_eq(&sent.entries, &before));
        assert_eq!(r.apply(job.member, facts), Applied::Stored);
        let after = r
            .archive_unresolved()
            .members
            .get(job.member)
            .and_then(|m| m.facts.layer.as_ref())
            .map(|l| l.entries.clone())
            .expect("layer kept");
        assert!(
            crate::Entries::ptr_eq(&before, &after),
            "the structure is unchanged"
        );
    }

    #[test]
    fn facts_in_any_order_give_what_one_stream_gives() {
        let bytes = app1();
        let want = streamed(&bytes);
        for reversed in [false, true] {
            let mut r = started(&bytes);
            let mut facts = all_facts(&bytes, &r);
            if reversed {
                facts.reverse();
            }
            let n = facts.len();
            for (i, (m, f)) in facts.into_iter().enumerate() {
                assert!(!r.is_done());
                assert_eq!(r.apply(m, f), Applied::Stored);
                assert_eq!(r.waiting(), n - i - 1);
            }
            assert!(r.is_done());
            assert_eq!(r.bytes_done(), bytes.len() as u64);
            let got = r.into_archive();
            assert_eq!(got.members, want.members);
            assert_eq!(got.images, want.images);
            assert_eq!(got.problems, want.problems);
            let layers: Vec<_> = got.images.iter().flat_map(|i| &i.layers).collect();
            assert!(layers.iter().all(|l| l.verified), "{layers:?}");
        }
    }

    /// A save whose one uncompressed layer (over the scan's 1 MiB, so a hash job) lists `a`
    /// twice: the walk reports a `duplicate-member` problem.
    fn duplicated() -> (Vec<u8>, Vec<u8>) {
        use crate::write::tarwrite::{self, Descriptor, SaveImage, TarEntry};
        // Written entry by entry: `layer_tar` refuses a duplicate path.
        let mut w = tarwrite::TarWriter::new(Vec::new());
        for e in [
            TarEntry::file("a", vec![1u8; 700_000], 0o644),
            TarEntry::file("b", vec![2u8; 10], 0o644),
            TarEntry::file("a", vec![3u8; 700_000], 0o644),
        ] {
            w.add(&e).expect("entry");
        }
        let tar = w.finish().expect("layer");
        let d = Descriptor {
            media_type: crate::media::OCI_LAYER.into(),
            digest: crate::digest::Digest::of_bytes(&tar),
            size: tar.len() as u64,
        };
        let config = serde_json::to_vec(&serde_json::json!({
            "architecture": "amd64", "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": [d.digest]},
        }))
        .unwrap_or_default();
        let image = SaveImage {
            tags: vec!["dup:1".into()],
            config,
            layers: vec![d],
        };
        let layer = tar.clone();
        let bytes = tarwrite::write_docker_save(Vec::new(), &[image], &mut |_| {
            Ok(Box::new(std::io::Cursor::new(layer.clone())))
        })
        .expect("save");
        (bytes, tar)
    }

    /// Counts the bytes read from a source.
    struct Counting<'a>(&'a [u8], std::cell::Cell<u64>);
    impl ReadAt for Counting<'_> {
        fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.read_at(offset, buf)?;
            self.1.set(self.1.get() + n as u64);
            Ok(n)
        }
        fn len(&self) -> u64 {
            self.0.len() as u64
        }
    }

    /// An indexed job is hashed without walking its tar again: the hasher's facts carry the
    /// digest (= diff_id, the tar being uncompressed) but none of the walk's problems (it did
    /// not walk; the full path found the duplicate again), the page's WebCrypto path reads
    /// only the blob's first block for it (it walked every header), and once applied the
    /// member's facts are exactly what one streaming read gives, problems included.
    #[test]
    fn indexed_jobs_are_hashed_without_walking_again() {
        use crate::model::{HashPath, ProblemKind};
        let (bytes, tar) = duplicated();
        let mut r =
            Reading::start("dup.tar", &bytes, &Options::default(), &mut |_| {}).expect("start");
        let job = *r.jobs().iter().find(|j| j.indexed).expect("an indexed job");
        let walked = r
            .archive_unresolved()
            .members
            .get(job.member)
            .map(|m| m.facts.problems.clone())
            .unwrap_or_default();
        assert!(walked
            .iter()
            .any(|p| p.kind == ProblemKind::DuplicateMember));

        let mut last = 0;
        let facts = hash(&bytes, &job, &Options::default(), &mut |d| last = d);
        assert_eq!(last, job.len);
        assert!(facts.problems.is_empty(), "{:?}", facts.problems);
        let layer = facts.layer.clone().expect("layer facts");
        assert_eq!(layer.diff_id, Some(crate::digest::Digest::of_bytes(&tar)));
        assert_eq!(layer.uncompressed_size, tar.len() as u64);
        assert!(layer.entries.is_empty());

        let counting = Counting(&bytes, Default::default());
        let unhashed = crate::read::prehashed::index_unhashed(&counting, &job, &Options::default())
            .expect("uncompressed");
        assert!(counting.1.get() <= 512, "{} bytes read", counting.1.get());
        let mut prehashed = unhashed.finish(
            crate::digest::Digest::of_bytes(&tar),
            None,
            HashPath::WebCrypto,
        );
        assert!(prehashed.problems.is_empty());
        prehashed.hashed_with = None;
        assert_eq!(prehashed, facts);

        assert_eq!(r.apply(job.member, facts), Applied::Stored);
        for j in r.jobs().to_vec().iter().filter(|j| j.member != job.member) {
            let f = hash(&bytes, j, &Options::default(), &mut |_| {});
            r.apply(j.member, f);
        }
        assert!(r.is_done());
        let want = archive::read_stream(
            "dup.tar",
            bytes.as_slice(),
            bytes.len() as u64,
            &Options::default(),
            &mut |_| {},
        )
        .expect("read_stream");
        let got = r.into_archive();
        assert_eq!(got.members, want.members);
        assert_eq!(got.problems, want.problems);
        assert_eq!(got.images, want.images);
    }

    #[test]
    fn duplicate_late_and_foreign_facts_change_nothing() {
        let bytes = app1();
        let mut r = started(&bytes);
        let facts = all_facts(&bytes, &r);
        let (m, f) = facts.first().cloned().expect("a job");
        assert_eq!(r.apply(m, f.clone()), Applied::Stored);
        let bytes_after_one = r.bytes_done();
        // The same answer again (a retried job), with other content: ignored.
        let mut other = f.clone();
        other.sha256 = None;
        assert_eq!(r.apply(m, other), Applied::Duplicate);
        assert_eq!(r.bytes_done(), bytes_after_one, "counted once");
        // A member that is no job (manifest.json is member 0 or so: small, done by the walk).
        let not_job = (0..r.archive_unresolved().members.len())
            .find(|i| r.jobs().iter().all(|j| j.member != *i))
            .expect("a member that is no job");
        assert_eq!(r.apply(not_job, f.clone()), Applied::NotAJob);
        assert_eq!(r.apply(usize::MAX, f), Applied::NotAJob);
        for (m, f) in facts.iter().skip(1).cloned() {
            r.apply(m, f);
        }
        assert!(r.is_done());
        let done = r.archive().clone();
        // Late facts after the end: still done, the archive unchanged.
        for (m, f) in facts {
            assert_eq!(r.apply(m, f), Applied::Duplicate);
        }
        assert!(r.is_done());
        assert_eq!(r.archive(), &done);
        assert_eq!(done.images, streamed(&bytes).images);
    }

    #[test]
    fn a_compressed_file_is_read_whole_and_starts_done() {
        use std::io::Write;
        let bytes = app1();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&bytes).expect("gzip");
        let gz = gz.finish().expect("gzip end");
        let mut seen = 0u64;
        let mut places = 0;
        let mut r = Reading::start("app1.tar.gz", &gz, &Options::default(), &mut |p| {
            seen = seen.max(p.bytes_done);
            places += usize::from(p.reached);
        })
        .expect("start");
        assert!(r.is_done());
        assert!(r.jobs().is_empty());
        assert_eq!(seen, gz.len() as u64, "progress reaches the file's size");
        assert_eq!(places, 0, "bytes read, not places in the file");
        assert_eq!(r.archive().images, streamed(&bytes).images);
    }

    /// An uncompressed file's walk says how far through the file it has got: figures that
    /// only grow, from a first one short of the file's size up to its size, and the walk is
    /// the one `scan` makes.
    #[test]
    fn an_uncompressed_walk_reports_how_far_through_the_file_it_is() {
        let bytes = app1();
        let mut seen: Vec<(u64, u64)> = Vec::new();
        let mut counts = 0;
        let mut r = Reading::start_watched(
            "app1.tar",
            &bytes,
            &Options::default(),
            &mut |p| {
                seen.push((p.bytes_done, p.bytes_total));
                counts += usize::from(!p.reached);
            },
            &mut |_| {},
            None,
        )
        .expect("start");
        let total = bytes.len() as u64;
        assert!(
            seen.len() >= 2,
            "a figure on the way, then the end: {seen:?}"
        );
        assert!(seen.iter().all(|&(_, t)| t == total), "{seen:?}");
        assert_eq!(counts, 0, "each figure a place in the file, not bytes read");
        assert!(
            seen.windows(2).all(|w| matches!(w, [a, b] if a.0 <= b.0)),
            "{seen:?}"
        );
        assert!(seen.first().is_some_and(|&(d, _)| d < total), "{seen:?}");
        assert_eq!(
            seen.last(),
            Some(&(total, total)),
            "ends at the file's size"
        );
        let scanned = archive::scan("app1.tar", &bytes, &Options::default()).expect("scan");
        assert_eq!(r.archive_unresolved().members, scanned.members);
        assert_eq!(r.archive().images, started(&bytes).archive().images);
        // Only the walk's own measure: hashing is not part of it.
        assert!(!r.is_done());
        // `start` (the CLI's `open`, whose bar follows the bytes hashed) is told nothing of it.
        let mut told = 0;
        Reading::start("app1.tar", &bytes, &Options::default(), &mut |_| told += 1).expect("start");
        assert_eq!(told, 0);
    }

    #[test]
    fn a_resolution_made_elsewhere_is_the_same_archive() {
        let bytes = app1();
        let mut here = started(&bytes);
        let mut there = started(&bytes);
        for (m, f) in all_facts(&bytes, &here) {
            here.apply(m, f.clone());
            there.apply(m, f);
        }
        assert_eq!(there.applied(), there.jobs().len());
        let r = there.resolution();
        here.adopt(r);
        let adopted = here.archive_unresolved().clone();
        assert_eq!(&adopted, there.archive());
        assert_eq!(adopted.images, streamed(&bytes).images);
    }

    #[test]
    fn a_file_that_is_no_tar_is_an_error() {
        let junk = b"not a tarball at all".repeat(40);
        let e =
            Reading::start("junk", &junk, &Options::default(), &mut |_| {}).expect_err("not a tar");
        assert!(matches!(e, Error::NotATar { .. }), "{e:?}");
    }
}
