//! Hashing a blob somewhere else while a compressed save is read (issue 13, target 4).
//!
//! A save compressed as a whole (`docker save | gzip`) can only be read from its start: one
//! pass inflates the outer stream, walks each layer tar and hashes each blob. In that pass
//! SHA-256 is about half the work, and it is the one part that needs nothing from the
//! others but the bytes. So a reader with a second core (the page: a second worker) may take
//! a blob's bytes as they are decompressed and hash them there, while the pass goes on.
//!
//! [`read_stream_watched`](crate::read::archive::read_stream_watched) asks an
//! [`Offload`] at the start of every blob it would hash with SHA-256 alone whether to hand
//! it on. A blob handed on leaves the pass with its facts complete but for its digest:
//! `sha256` is `None` and `hashed_with` is [`HashPath::HandedOn`]
//! (and, for an uncompressed layer tar, its diff_id, which is the same digest). The reader
//! puts the digests in afterwards, in the order the blobs were handed on
//! ([`crate::read::reading::Reading::digests_handed_back`], [`settle_handed_on`]).
//!
//! Nothing here waits for anyone: the trait's side decides how much it may hand on (it
//! bounds the bytes queued for a hasher it cannot hear from while the pass runs).

use crate::digest::Digest;
use crate::model::{Archive, Compression, HashPath, MemberFacts, Problem, ReadError};

/// Where the bytes of blobs handed on go (see the module's docs). Calls come in this order
/// for each blob handed on: [`Offload::take`] (answering true), [`Offload::piece`] for every
/// byte of it in order, then [`Offload::end`].
pub trait Offload {
    /// A blob of `len` bytes (its size in its tar header) starts: true when its bytes are
    /// to go to [`Offload::piece`] and its digest is to be computed elsewhere.
    fn take(&mut self, len: u64) -> bool;
    /// The next bytes of the blob taken last.
    fn piece(&mut self, bytes: &[u8]);
    /// The blob taken last has no more bytes (all of them, or fewer when the stream failed
    /// inside it: its facts then carry that error and its digest is not used).
    fn end(&mut self);
}

/// Puts a digest computed elsewhere into the facts of a blob handed on: its `sha256`, and
/// for an uncompressed layer tar read without error its diff_id (the same bytes). What
/// [`crate::read::member::process`] does with a digest it computed itself.
pub fn settle(facts: &mut MemberFacts, digest: Digest) {
    if let Some(layer) = facts.layer.as_mut() {
        if facts.compression == Compression::None && layer.error.is_none() {
            layer.diff_id = Some(digest.clone());
        }
    }
    facts.sha256 = Some(digest);
}

/// The members of `archive` handed on, in the order they were (the order of the members),
/// whether or not their digest has come.
pub fn handed_on(archive: &Archive) -> Vec<usize> {
    archive
        .members
        .iter()
        .enumerate()
        .filter(|(_, m)| m.facts.hashed_with == Some(HashPath::HandedOn))
        .map(|(i, _)| i)
        .collect()
}

/// Puts the digests computed elsewhere into `archive`: `digests[k]` is that of the k-th
/// blob handed on (see [`handed_on`]), `None` when it did not come (the hasher stopped, or
/// its pieces did not all reach it). A blob whose read failed keeps its error and no digest;
/// one without a digest gets [`ReadError::NotHashed`] and a problem that says why (its layer
/// is then not verified; its index and in-pass diff_id stay).
/// Returns how many digests were put in.
pub fn settle_handed_on(archive: &mut Archive, digests: Vec<Option<Digest>>) -> usize {
    let mut put = 0;
    let mut digests = digests.into_iter();
    for i in handed_on(archive) {
        let digest = digests.next().flatten();
        let Some(m) = archive.members.get_mut(i) else {
            continue;
        };
        if m.facts.error.is_some() || m.facts.sha256.is_some() {
            continue;
        }
        match digest {
            Some(d) => {
                settle(&mut m.facts, d);
                put += 1;
            }
            None => {
                // The file is not to blame: the layer's index and, for a compressed layer, its
                // diff_id (computed in the pass) stand; only the blob's digest is missing, so
                // the layer is not verified, and the problem says why.
                let err = ReadError::NotHashed {
                    cause: "the worker it was handed to for hashing gave no digest".into(),
                };
                let shown = m.path.display().into_owned();
                m.facts
                    .problems
                    .push(Problem::layer(err.kind(), None, &shown, err.to_string()));
                m.facts.error = Some(err);
            }
        }
    }
    put
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::archive::Options;
    use crate::read::reading::Reading;
    use std::io::Write;

    /// Takes every blob of at least `min` bytes and keeps its bytes, as a hasher would.
    #[derive(Default)]
    struct Keeper {
        min: u64,
        blobs: Vec<Vec<u8>>,
        open: bool,
    }

    impl Offload for Keeper {
        fn take(&mut self, len: u64) -> bool {
            assert!(!self.open, "a blob is taken only once the one before ended");
            if len < self.min {
                return false;
            }
            self.blobs.push(Vec::new());
            self.open = true;
            true
        }
        fn piece(&mut self, bytes: &[u8]) {
            assert!(self.open);
            if let Some(b) = self.blobs.last_mut() {
                b.extend_from_slice(bytes);
            }
        }
        fn end(&mut self) {
            assert!(self.open);
            self.open = false;
        }
    }

    /// A real `docker save` (7 layers, a 2 MB base), compressed as a whole.
    fn app1_gz() -> Vec<u8> {
        let tar = crate::test_support::fixture("docker26-save-app1.tar");
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(&tar).expect("gzip");
        e.finish().expect("gzip")
    }

    fn read(file: &Vec<u8>, keeper: Option<&mut Keeper>) -> Reading {
        let offload = keeper.map(|k| k as &mut dyn Offload);
        Reading::start_watched(
            "app1.tar.gz",
            file,
            &Options::default(),
            &mut |_| {},
            &mut |_| {},
            offload,
        )
        .expect("reads")
    }

    #[test]
    fn blobs_handed_on_get_back_the_digests_the_pass_would_have_computed() {
        let file = app1_gz();
        let mut whole = read(&file, None);
        let mut keeper = Keeper {
            min: 1024,
            ..Keeper::default()
        };
        let mut handed = read(&file, Some(&mut keeper));
        let order = handed_on(handed.archive_unresolved());
        assert!(
            order.len() >= 3,
            "layers and the config are handed on: {order:?}"
        );
        assert_eq!(order.len(), keeper.blobs.len());
        for &i in &order {
            let m = &handed.archive_unresolved().members[i];
            assert_eq!(m.facts.sha256, None, "{}", m.path.display());
            assert_eq!(m.facts.hashed_with, Some(HashPath::HandedOn));
            if let Some(l) = &m.facts.layer {
                assert_eq!(l.diff_id, None);
            }
            assert_eq!(
                keeper.blobs[order.iter().position(|&x| x == i).unwrap_or(0)].len() as u64,
                m.size
            );
        }
        let digests = keeper
            .blobs
            .iter()
            .map(|b| Some(Digest::of_bytes(b)))
            .collect();
        assert_eq!(handed.digests_handed_back(digests), order.len());
        let (a, b) = (whole.archive().clone(), handed.archive().clone());
        for (x, y) in a.members.iter().zip(&b.members) {
            let mut y = y.facts.clone();
            y.hashed_with = None;
            assert_eq!(x.facts, y, "{}", x.path.display());
        }
        assert_eq!(a.images, b.images);
        assert_eq!(a.problems, b.problems);
        assert!(b.images[0]
            .layers
            .iter()
            .all(|l| l.verification == crate::model::Verification::Verified));
    }

    #[test]
    fn a_digest_that_does_not_come_is_said_and_its_layer_not_verified() {
        let file = app1_gz();
        let mut keeper = Keeper {
            min: 1 << 20,
            ..Keeper::default()
        };
        let mut handed = read(&file, Some(&mut keeper));
        let order = handed_on(handed.archive_unresolved());
        assert_eq!(order.len(), 1, "only the 2 MB base layer is that large");
        assert_eq!(handed.digests_handed_back(vec![None]), 0);
        let a = handed.archive();
        let m = &a.members[order[0]];
        assert!(matches!(m.facts.error, Some(ReadError::NotHashed { .. })));
        assert!(
            m.facts
                .layer
                .as_ref()
                .is_some_and(|l| l.error.is_none() && !l.entries.is_empty()),
            "the index stands"
        );
        assert!(
            m.facts
                .problems
                .iter()
                .any(|p| p.detail.starts_with("not checked") && p.detail.contains("gave no digest")),
            "{:?}",
            m.facts.problems
        );
        let base = &a.images[0].layers[0];
        assert_ne!(base.verification, crate::model::Verification::Verified);
        assert!(a.images[0].layers[1..]
            .iter()
            .all(|l| l.verification == crate::model::Verification::Verified));
    }
}
