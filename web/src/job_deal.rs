//! Which hasher takes which hash job: the pool's rules ([`crate::worker_glue`]), apart from
//! its workers so they can be tested natively.
//!
//! A hasher hashes the uncompressed blobs among its jobs together, up to four in one vector
//! ([`crate::lanes`]): on one core three or four blobs take about the time of two, but two
//! blobs together take as long as one after the other, and a compressed blob is inflated in
//! one synchronous call that holds the worker (its other lanes would wait). So a hasher takes
//! several jobs only when each would get three or more blobs that can share the vector, and a
//! job that cannot (a compressed or unlisted blob, or one the walk fed the first hasher) is
//! taken alone.

use std::collections::VecDeque;

use pancake_core::digest::lanes::LANES;
use pancake_core::read::reading::HashJob;

/// Whether `job`'s blob can share a hasher's vector: an uncompressed layer tar the first walk
/// listed ([`HashJob::indexed`]; the pool has no other sign of a blob's compression before a
/// hasher reads it) that was not fed to the first hasher whole.
fn shares(job: &HashJob, fed: &[(u64, u64)]) -> bool {
    job.indexed && !job.sha512 && !is_fed(job, fed)
}

fn is_fed(job: &HashJob, fed: &[(u64, u64)]) -> bool {
    fed.contains(&(job.offset, job.len))
}

/// How many jobs a hasher holds at once: the blobs that can share a vector spread over the
/// `hashers` that take them (all but the first when some blob was fed), when that gives each
/// three or more (at most [`LANES`]); otherwise one.
pub fn lanes_each(queue: &VecDeque<HashJob>, fed: &[(u64, u64)], hashers: usize) -> usize {
    let any_fed = queue.iter().any(|j| is_fed(j, fed));
    let sharing = queue.iter().filter(|j| shares(j, fed)).count();
    let takers = hashers.saturating_sub(usize::from(any_fed)).max(1);
    match sharing.div_ceil(takers) {
        n if n >= 3 => n.min(LANES),
        _ => 1,
    }
}

/// Takes off `queue` the jobs hasher `i`, now on `held`, gets next, up to `upto` held in all:
/// the first hasher takes a fed blob first, alone (its digest is ready or nearly: it hashed
/// it as the walk went); the others never take a fed one (another hasher would read and hash
/// it again). A job that cannot share a vector is taken only by a hasher on nothing, and then
/// alone; a hasher on such a job takes nothing more. Each returned job says whether it was fed.
pub fn take(
    queue: &mut VecDeque<HashJob>,
    fed: &[(u64, u64)],
    i: usize,
    held: &[HashJob],
    upto: usize,
) -> Vec<(HashJob, bool)> {
    let mut taken: Vec<(HashJob, bool)> = Vec::new();
    if held.iter().any(|j| !shares(j, fed)) {
        return taken;
    }
    while held.len() + taken.len() < upto {
        let empty = held.is_empty() && taken.is_empty();
        let at = if i == 0 {
            match queue.iter().position(|j| is_fed(j, fed)) {
                Some(at) if empty => Some(at),
                Some(_) => None,
                None => (!queue.is_empty()).then_some(0),
            }
        } else {
            queue.iter().position(|j| !is_fed(j, fed))
        };
        let Some(at) = at else { break };
        let Some(job) = queue.get(at).copied() else {
            break;
        };
        let alone = !shares(&job, fed);
        if alone && !empty {
            break;
        }
        queue.remove(at);
        taken.push((job, is_fed(&job, fed)));
        if alone {
            break;
        }
    }
    taken
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(member: usize, len: u64, indexed: bool) -> HashJob {
        HashJob {
            member,
            offset: member as u64 * 1_000_000_000,
            len,
            indexed,
            sha512: false,
        }
    }

    /// Deals as the pool starts: one job per hasher per round, so the largest blobs spread
    /// over the hashers rather than the first taking them all.
    fn deal(queue: &mut VecDeque<HashJob>, fed: &[(u64, u64)], hashers: usize) -> Vec<Vec<usize>> {
        let each = lanes_each(queue, fed, hashers);
        let mut held: Vec<Vec<HashJob>> = vec![Vec::new(); hashers];
        for round in 1..=each {
            for (i, h) in held.iter_mut().enumerate() {
                let got = take(queue, fed, i, h, round);
                h.extend(got.into_iter().map(|(j, _)| j));
            }
        }
        held.iter()
            .map(|h| h.iter().map(|j| j.member).collect())
            .collect()
    }

    /// Two cores, the walk fed the largest layer to the first hasher: the second takes the
    /// other four uncompressed layers at once (they share its vector).
    #[test]
    fn two_cores_the_second_takes_four_listed_layers() {
        let mut q: VecDeque<HashJob> = (0..6).map(|m| job(m, 600 - m as u64 * 50, true)).collect();
        let fed = [(q[0].offset, q[0].len)];
        assert_eq!(lanes_each(&q, &fed, 2), 4);
        assert_eq!(deal(&mut q, &fed, 2), vec![vec![0], vec![1, 2, 3, 4]]);
        assert_eq!(q.iter().map(|j| j.member).collect::<Vec<_>>(), vec![5]);
    }

    /// Four cores and five blobs (100, 90, 10, 10, 10): two each would put the two largest
    /// on one core, so each hasher takes one and no hasher is left without work.
    #[test]
    fn a_share_under_three_is_one_each() {
        let mut q: VecDeque<HashJob> = [100, 90, 10, 10, 10]
            .iter()
            .enumerate()
            .map(|(m, &len)| job(m, len, true))
            .collect();
        assert_eq!(lanes_each(&q, &[], 4), 1);
        assert_eq!(
            deal(&mut q, &[], 4),
            vec![vec![0], vec![1], vec![2], vec![3]]
        );
    }

    /// Compressed layers (not listed by the walk) are inflated one call at a time: two
    /// hashers take one each, whatever their number.
    #[test]
    fn compressed_blobs_are_taken_alone() {
        let mut q: VecDeque<HashJob> = (0..8).map(|m| job(m, 100 - m as u64, false)).collect();
        assert_eq!(lanes_each(&q, &[], 2), 1);
        assert_eq!(deal(&mut q, &[], 2), vec![vec![0], vec![1]]);
        // A hasher on many lanes does not take a compressed one beside them, nor anything
        // beside a compressed one.
        let mut mixed: VecDeque<HashJob> = VecDeque::from(vec![job(10, 9, false)]);
        assert!(take(&mut mixed, &[], 1, &[job(11, 50, true)], 4).is_empty());
        let mut more: VecDeque<HashJob> = VecDeque::from(vec![job(12, 9, true)]);
        assert!(take(&mut more, &[], 1, &[job(13, 50, false)], 4).is_empty());
    }

    /// Rounds give the large blobs out in turn: hasher 0 gets the 1st, 3rd and 5th largest.
    #[test]
    fn rounds_alternate_the_largest() {
        let mut q: VecDeque<HashJob> = (0..6).map(|m| job(m, 600 - m as u64 * 90, true)).collect();
        assert_eq!(lanes_each(&q, &[], 2), 3);
        assert_eq!(deal(&mut q, &[], 2), vec![vec![0, 2, 4], vec![1, 3, 5]]);
    }

    /// Only fed blobs left: the others take nothing (and are stopped by the pool); the
    /// first takes them one at a time.
    #[test]
    fn fed_blobs_go_to_the_first_one_at_a_time() {
        let mut q: VecDeque<HashJob> = (0..2).map(|m| job(m, 50, true)).collect();
        let fed: Vec<(u64, u64)> = q.iter().map(|j| (j.offset, j.len)).collect();
        assert!(take(&mut q, &fed, 1, &[], 4).is_empty());
        let got = take(&mut q, &fed, 0, &[], 4);
        assert_eq!(got.len(), 1);
        assert!(got[0].1);
        assert!(take(&mut q, &fed, 0, &[got[0].0], 4).is_empty());
    }
}
