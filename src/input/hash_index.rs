//! Every member by the hash of its id: ids are hashed once to 64 well-mixed bits, and the members grouped by the hash's
//! leading bits on all cores (a counting sort, see `grouping`), each group
//! in hash order, with a directory of where each group starts. A
//! lookup reads the directory and then a few neighbouring entries, each
//! holding the member, so that a row costs two cache misses: as quick as a
//! hash table, in 12 bytes a member instead of a table's 40. An entry keeps the hash's low 32 bits
//! (its leading bits are the directory's) and a second hash of 32 bits; the
//! few ids whose hashes another id has too are compared whole.

use super::Members;
use super::grouping::group_by_key;
use super::id_index::BATCH;
use super::stretches::{bounds, split_by};
use rayon::prelude::*;
use std::hash::Hasher;

/// One member's id hashes, in the sorted list.
#[derive(Clone, Copy, Default)]
struct Pair {
    /// The first hash's low 32 bits (its leading bits are the directory's).
    low: u32,
    /// The second hash.
    check: u32,
    member: u32,
}

/// A member's entry with its whole first hash, as the index is built.
#[derive(Clone, Copy, Default)]
struct Hashed {
    h: u64,
    pair: Pair,
}

impl Pair {
    /// Whether two entries agree in both hashes.
    fn same(&self, other: &Pair) -> bool {
        (self.low, self.check) == (other.low, other.check)
    }
}

/// 64 bits of an id: FxHash from `seed`, then the MurmurHash3 finaliser to spread them.
fn hash_from(seed: u64, id: &[u8]) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    h.write_u64(seed);
    h.write(id);
    let mut x = h.finish();
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

/// The two hashes of an id: the key, and a check from another seed.
pub fn hashes(id: &[u8]) -> (u64, u32) {
    (
        hash_from(0, id),
        hash_from(0x9e37_79b9_7f4a_7c15, id) as u32,
    )
}

/// Every member by id.
pub struct HashIndex<'m> {
    /// Every member whose hashes no other member's id has, by hash.
    pairs: Vec<Pair>,
    /// `dir[b]..dir[b + 1]`: the pairs whose hash starts with the bits `b`.
    dir: Vec<u32>,
    /// How far a hash is shifted right to give its directory bits.
    shift: u32,
    /// Members whose id's hashes another member's id has too, by id (a
    /// table whose hash is keyed at random: ids chosen to agree in their
    /// hashes here do not agree there).
    shared_hash: std::collections::HashMap<&'m [u8], u32>,
}

impl<'m> HashIndex<'m> {
    /// The index of every member: each id hashed, then the entries placed
    /// by their leading bits (a counting sort, on all cores), and each
    /// directory entry's few entries put in order.
    pub fn new(members: &'m Members) -> HashIndex<'m> {
        // About two entries per directory entry.
        let bits = (usize::BITS - members.len().leading_zeros())
            .saturating_sub(1)
            .clamp(1, 30);
        let shift = 64 - bits;
        let hashed: Vec<Hashed> = (0..members.len())
            .into_par_iter()
            .map(|i| {
                let (h, check) = hashes(members.id_bytes(i));
                Hashed {
                    h,
                    pair: Pair {
                        low: h as u32,
                        check,
                        member: i as u32,
                    },
                }
            })
            .collect();
        let chunk = hashed.len().div_ceil(rayon::current_num_threads()).max(1);
        let pieces: Vec<&[Hashed]> = hashed.chunks(chunk).collect();
        let bucket = |e: &Hashed| (e.h >> shift) as usize;
        let (mut pairs, starts) = group_by_key(&pieces, 1 << bits, bucket, |e| e.pair);
        drop(hashed);
        let mut dir: Vec<u32> = starts.into_par_iter().map(|s| s as u32).collect();
        let shared = in_order(&mut pairs, &dir);
        let shared_hash = match shared {
            true => take_shared(&mut pairs, &mut dir),
            false => Vec::new(),
        };
        let shared_hash = (shared_hash.into_iter())
            .map(|m| (members.id_bytes(m as usize), m))
            .collect();
        HashIndex {
            pairs,
            dir,
            shift,
            shared_hash,
        }
    }

    /// Whether every member's id has a first hash of its own (then `get`
    /// alone finds every member).
    pub fn hashes_unique(&self) -> bool {
        self.shared_hash.is_empty()
    }

    /// The member whose id has the hashes `(h, check)`.
    #[inline]
    pub fn get(&self, (h, check): (u64, u32)) -> Option<u32> {
        let b = (h >> self.shift) as usize;
        self.find_in((self.dir[b], self.dir[b + 1]), (h, check))
    }

    /// The members whose ids have the hashes `ids`, in order, added to
    /// `out`, `BATCH` ids at a time: first every id's directory entry is
    /// read, then every id's entries, so that the loads of each step do not
    /// wait for one another and their cache misses overlap.
    pub fn get_batch(&self, ids: &[(u64, u32)], out: &mut Vec<Option<u32>>) {
        for batch in ids.chunks(BATCH) {
            let mut runs = [(0u32, 0u32); BATCH];
            for (run, &(h, _)) in runs.iter_mut().zip(batch) {
                let b = (h >> self.shift) as usize;
                *run = (self.dir[b], self.dir[b + 1]);
            }
            out.extend(
                runs.iter()
                    .zip(batch)
                    .map(|(&run, &id)| self.find_in(run, id)),
            );
        }
    }

    /// The member among the entries `run` whose id has the hashes `(h, check)`.
    #[inline]
    fn find_in(&self, (from, to): (u32, u32), (h, check): (u64, u32)) -> Option<u32> {
        let run = &self.pairs[from as usize..to as usize];
        let key = (h as u32, check);
        let p = if run.len() <= 8 {
            run.iter().find(|p| (p.low, p.check) == key)?
        } else {
            // A long run (ids chosen to agree in their leading bits): its
            // entries are in order.
            &run[run.binary_search_by_key(&key, |p| (p.low, p.check)).ok()?]
        };
        Some(p.member)
    }

    /// The member with id `id`. An id found by its
    /// hashes (the directory's bits, 32 more and the second hash's 32) is
    /// taken to be that member's; the few ids whose hashes another id
    /// shares are compared whole.
    pub fn find(&self, id: &str) -> Option<u32> {
        let (h, check) = hashes(id.as_bytes());
        if let Some(e) = self.get((h, check)) {
            return Some(e);
        }
        self.shared_hash.get(id.as_bytes()).copied()
    }
}

/// Puts each bucket's entries in order, on all cores; whether two
/// entries agree in both hashes.
fn in_order(pairs: &mut [Pair], dir: &[u32]) -> bool {
    let buckets = dir.len() - 1;
    let bounds = bounds(buckets);
    let slots: Vec<usize> = bounds.iter().map(|&b| dir[b] as usize).collect();
    (bounds.windows(2).zip(split_by(pairs, &slots)))
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|(stretch, (offset, pairs))| {
            let mut shared = false;
            for b in stretch[0]..stretch[1] {
                let run = &mut pairs[dir[b] as usize - offset..dir[b + 1] as usize - offset];
                if run.len() > 1 {
                    run.sort_unstable_by_key(|p| (p.low, p.check));
                    shared |= run.windows(2).any(|w| w[0].same(&w[1]));
                }
            }
            shared
        })
        .reduce(|| false, |a, b| a || b)
}

/// Removes from `pairs` every member whose hashes another member has, and
/// gives them; `dir` is counted again.
fn take_shared(pairs: &mut Vec<Pair>, dir: &mut [u32]) -> Vec<u32> {
    let mut shared = Vec::new();
    let mut kept = Vec::with_capacity(pairs.len());
    let mut from = 0;
    for b in 0..dir.len() - 1 {
        let run = &pairs[dir[b] as usize..dir[b + 1] as usize];
        let repeated = |k: usize| {
            (k > 0 && run[k - 1].same(&run[k])) || (k + 1 < run.len() && run[k + 1].same(&run[k]))
        };
        for (k, p) in run.iter().enumerate() {
            match repeated(k) {
                true => shared.push(p.member),
                false => kept.push(*p),
            }
        }
        dir[b] = from;
        from = kept.len() as u32;
    }
    if let Some(last) = dir.last_mut() {
        *last = from;
    }
    *pairs = kept;
    shared
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2019, 1, d).expect("a day")
    }

    #[test]
    fn every_member_is_found_by_its_id_alone_or_in_batches() {
        let mut members = Members::default();
        for k in 0..5000u32 {
            members.push(&format!("m{k:06}"), day(1), day(1 + k % 28), None, true);
        }
        let index = HashIndex::new(&members);
        assert!(index.hashes_unique());
        let ids: Vec<String> = (0..5000u32)
            .map(|k| format!("m{k:06}"))
            .chain(["m5000", "m0000000", "x", ""].map(String::from))
            .collect();
        let hashed: Vec<(u64, u32)> = ids.iter().map(|id| hashes(id.as_bytes())).collect();
        let mut batched = Vec::new();
        for chunk in hashed.chunks(BATCH - 3) {
            index.get_batch(chunk, &mut batched);
        }
        let mut at_once = Vec::new();
        index.get_batch(&hashed, &mut at_once);
        assert_eq!(at_once.len(), hashed.len(), "more ids than a batch");
        for (k, id) in ids.iter().enumerate() {
            let want = (k < 5000).then_some(k as u32);
            assert_eq!(index.find(id), want, "{id}");
            assert_eq!(batched[k], want, "{id}");
            assert_eq!(at_once[k], want, "{id}");
        }
    }

    #[test]
    fn members_whose_hashes_agree_are_taken_out_and_the_others_kept() {
        let pair = |low: u32, check: u32, member: u32| Pair { low, check, member };
        // Bucket 0: members 1 and 2 agree on both hashes; 3 agrees with them
        // on the first only. Bucket 1 is empty; bucket 2 has 4 and 5, which
        // agree only with each other.
        let mut pairs = vec![
            pair(5, 1, 0),
            pair(7, 2, 1),
            pair(7, 2, 2),
            pair(7, 3, 3),
            pair(9, 2, 4),
            pair(9, 2, 5),
            pair(9, 3, 6),
        ];
        let mut dir = vec![0, 4, 4, 7];
        assert_eq!(take_shared(&mut pairs, &mut dir), [1, 2, 4, 5]);
        let kept: Vec<u32> = pairs.iter().map(|p| p.member).collect();
        assert_eq!(kept, [0, 3, 6]);
        assert_eq!(dir, [0, 2, 2, 3]);
    }

    #[test]
    fn the_index_finds_members_whose_hashes_another_shares() {
        // Two members with one id (a members file with a repeated id is an
        // error, but the index must still find each id by itself).
        let mut members = Members::default();
        for (id, d) in [("a", 1), ("b", 2), ("a", 3), ("c", 4)] {
            members.push(id, day(1), day(d), None, true);
        }
        let index = HashIndex::new(&members);
        assert!(!index.hashes_unique());
        assert_eq!(index.find("b"), Some(1));
        assert_eq!(index.find("c"), Some(3));
        assert!(matches!(index.find("a"), Some(0 | 2)));
        assert!(index.find("d").is_none());
    }

    #[test]
    fn a_long_run_is_searched_in_order() {
        // Ids that all agree in their leading bits make one long run.
        let mut pairs: Vec<Pair> = (0..100u32)
            .map(|k| Pair {
                low: k * 3,
                check: k,
                member: k,
            })
            .collect();
        pairs.reverse();
        pairs.sort_unstable_by_key(|p| (p.low, p.check));
        let index = HashIndex {
            pairs,
            dir: vec![0, 100, 100],
            shift: 63,
            shared_hash: Default::default(),
        };
        for k in 0..100u32 {
            let h = u64::from(k * 3);
            assert_eq!(index.get((h, k)), Some(k));
            assert!(index.get((h, k + 1)).is_none());
            assert!(index.get((h + 1, k)).is_none());
        }
    }

    #[test]
    fn ids_whose_hashes_another_id_has_are_found_whole() {
        let index = HashIndex {
            pairs: Vec::new(),
            dir: vec![0, 0, 0],
            shift: 63,
            shared_hash: [(&b"m1"[..], 1u32)].into_iter().collect(),
        };
        assert_eq!(index.find("m1"), Some(1));
        assert!(index.find("m2").is_none());
        assert!(!index.hashes_unique());
    }
}
