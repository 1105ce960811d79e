//! Facts for a member whose stored bytes are hashed by someone else — the page hashes blobs
//! that fit its memory budget in one shot with the browser's WebCrypto, which is several times
//! faster than wasm but cannot stream. Everything else [`crate::read::member::process`] learns
//! in its single pass is learnt here from the member's headers by `read_at` (file content is
//! seeked over), and the outside digest completes it: the result equals
//! [`crate::read::archive::hash_member`]'s for the same job, except for
//! [`MemberFacts::hashed_with`].
//!
//! Only uncompressed members qualify: a compressed layer's diff_id is the digest of its
//! decompressed bytes, which only the streaming path produces.

use crate::digest::Digest;
use crate::model::{Compression, HashPath, LayerIndex, MemberFacts, Problem, ReadError};
use crate::read::archive::HashJob;
use crate::read::layer;
use crate::read::member::Options;
use crate::read::sniff;
use crate::source::ReadAt;

/// The facts of one job before its digest is known; complete them with [`Unhashed::finish`].
#[derive(Clone, Debug)]
pub struct Unhashed {
    facts: MemberFacts,
    /// The placeholder name `hash_member` uses (`member #N`), renamed by `apply_facts`.
    name: String,
    /// The member's stored (= uncompressed) size, bytes.
    len: u64,
}

/// Header-only facts of the member `job` names: its compression (sniffed from its first
/// 512 bytes), the layer index when it is an uncompressed tar (walked by
/// [`layer::walk_headers`]; for a [`HashJob::indexed`] job, whose listing the reading already
/// has, an index without entries or problems, which `Reading::apply` fills from the first
/// walk), its text when it is small JSON. `None` when the member must be
/// streamed instead: it is compressed, empty, or its first bytes cannot be read whole (the
/// streaming path then reports the read error the usual way).
pub fn index_unhashed<S: ReadAt + ?Sized>(
    source: &S,
    job: &HashJob,
    opts: &Options,
) -> Option<Unhashed> {
    let name = format!("member #{}", job.member);
    let want = usize::try_from(job.len.min(sniff::TAR_BLOCK as u64)).ok()?;
    let head = source.read_vec_at(job.offset, want).ok()?;
    if head.is_empty() || head.len() < want {
        return None;
    }
    let mut facts = MemberFacts {
        compression: sniff::compression(&head),
        ..MemberFacts::default()
    };
    if facts.compression != Compression::None {
        return None;
    }
    if sniff::is_tar(&head) && job.indexed {
        // The reading listed this tar whole already (`HashJob::indexed`) and keeps that
        // listing and its problems when these facts are applied: walking the headers again
        // would cost a pass over them for nothing.
        facts.layer = Some(LayerIndex::default());
    } else if sniff::is_tar(&head) {
        let walk = layer::walk_headers(source, job.offset, job.len, &name, &opts.limits);
        facts.problems.extend(walk.problems);
        facts.layer = Some(LayerIndex {
            uncompressed_size: 0,
            entries: walk.entries.into(),
            error: walk.error.map(|at| ReadError::Broken { at }),
            left_out: walk.left_out,
            cut: walk.cut,
            ..LayerIndex::default()
        });
    } else if sniff::is_cut_tar_header(&head) {
        facts.layer = Some(LayerIndex {
            error: Some(ReadError::CutHeader {
                bytes: head.len() as u64,
                compression: Compression::None,
            }),
            ..LayerIndex::default()
        });
    } else if sniff::looks_like_json(&head) {
        let cap = opts.limits.max_json_bytes;
        if job.len > cap {
            facts.json_over_limit = Some(cap);
        } else {
            let n = usize::try_from(job.len).ok()?;
            let text = source.read_vec_at(job.offset, n).ok()?;
            if text.len() < n {
                return None;
            }
            if let Some((text, replaced)) = crate::read::gojson::text_as_go_reads(text) {
                facts.json = Some(text.into());
                facts.json_invalid_utf8 = replaced;
            }
        }
    }
    Some(Unhashed {
        facts,
        name,
        len: job.len,
    })
}

impl Unhashed {
    /// The member's facts, given the sha256 (and, for a blob an OCI layout names by sha512,
    /// the sha512) of exactly its `job.len` stored bytes, and how they were computed.
    pub fn finish(self, sha256: Digest, sha512: Option<Digest>, how: HashPath) -> MemberFacts {
        let Unhashed {
            mut facts,
            name,
            len,
        } = self;
        facts.sha512 = sha512;
        facts.hashed_with = Some(how);
        if let Some(layer) = facts.layer.as_mut() {
            layer.uncompressed_size = len;
            if let Some(err) = layer.error.clone() {
                // As `process` does: the layer's error is the member's, and a problem.
                facts.error = Some(err.clone());
                facts.problems.push(Problem::layer(
                    err.kind(),
                    None,
                    name.clone(),
                    err.to_string(),
                ));
            } else {
                layer.diff_id = Some(sha256.clone());
            }
        }
        facts.sha256 = Some(sha256);
        facts
    }
}
