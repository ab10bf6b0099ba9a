//! Every member's id, for files that name many members (payments): ids are
//! hashed once to 64 well-mixed bits, and the members sorted by hash on all
//! cores, with a directory of where each run of leading bits starts. A
//! lookup reads the directory and then a few neighbouring entries, each
//! holding what a payment row needs (the member and its join date), so that
//! a row costs two cache misses: as quick as a hash table, in 16 bytes a
//! member instead of a table's 40. An entry keeps the hash's low 32 bits
//! (its leading bits are the directory's) and a second hash of 32 bits; the
//! few ids whose hashes another id has too are compared whole.

use super::Members;
use rayon::prelude::*;
use std::hash::Hasher;

/// A member and its join date: what a payment row needs.
#[derive(Clone, Copy)]
pub struct Entry {
    pub member: u32,
    pub join: chrono::NaiveDate,
}

/// How many ids `get_batch` looks up at once.
pub const BATCH: usize = 32;

/// One member's id hashes and join date, in the sorted list.
#[derive(Clone, Copy)]
struct Pair {
    /// The first hash's low 32 bits (its leading bits are the directory's).
    low: u32,
    /// The second hash.
    check: u32,
    member: u32,
    join: chrono::NaiveDate,
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
pub struct IdIndex<'m> {
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
    /// Each member's join date, by member.
    join: &'m [chrono::NaiveDate],
}

/// A member's id hashes as the list is sorted: the leading bits of the
/// first hash (its directory entry) above its low 32 bits, then the second
/// hash. What tells members apart.
#[derive(Clone, Copy)]
struct Keyed {
    key: u64,
    check: u32,
    member: u32,
}

impl Keyed {
    fn new(shift: u32, (h, check): (u64, u32), member: u32) -> Keyed {
        Keyed {
            key: ((h >> shift) << 32) | (h & 0xffff_ffff),
            check,
            member,
        }
    }

    fn same(&self, other: &Keyed) -> bool {
        (self.key, self.check) == (other.key, other.check)
    }
}

impl<'m> IdIndex<'m> {
    pub fn new(members: &'m Members) -> IdIndex<'m> {
        // About two entries per directory entry.
        let bits = (usize::BITS - members.len().leading_zeros())
            .saturating_sub(1)
            .clamp(1, 30);
        let shift = 64 - bits;
        let mut keyed: Vec<Keyed> = (0..members.len())
            .into_par_iter()
            .map(|i| Keyed::new(shift, hashes(members.id_bytes(i)), i as u32))
            .collect();
        keyed.par_sort_unstable_by_key(|k| (k.key, k.check));
        let shared_hash = (take_shared(&mut keyed).into_iter())
            .map(|m| (members.id_bytes(m as usize), m))
            .collect();
        let mut dir = vec![0u32; (1usize << bits) + 1];
        for k in &keyed {
            dir[(k.key >> 32) as usize + 1] += 1;
        }
        for b in 0..(1usize << bits) {
            dir[b + 1] += dir[b];
        }
        let join = &members.join;
        let pairs = keyed
            .into_par_iter()
            .map(|k| Pair {
                low: k.key as u32,
                check: k.check,
                member: k.member,
                join: join[k.member as usize],
            })
            .collect();
        IdIndex {
            pairs,
            dir,
            shift,
            shared_hash,
            join,
        }
    }

    /// Whether every member's id has a first hash of its own (then `get`
    /// alone finds every member).
    pub fn hashes_unique(&self) -> bool {
        self.shared_hash.is_empty()
    }

    /// The member whose id has the hashes `(h, check)`.
    #[inline]
    pub fn get(&self, (h, check): (u64, u32)) -> Option<Entry> {
        let b = (h >> self.shift) as usize;
        self.find_in((self.dir[b], self.dir[b + 1]), (h, check))
    }

    /// The members whose ids have the hashes `ids`, in order, added to
    /// `out`, `BATCH` ids at a time: first every id's directory entry is
    /// read, then every id's entries, so that the loads of each step do not
    /// wait for one another and their cache misses overlap.
    pub fn get_batch(&self, ids: &[(u64, u32)], out: &mut Vec<Option<Entry>>) {
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
    fn find_in(&self, (from, to): (u32, u32), (h, check): (u64, u32)) -> Option<Entry> {
        let run = &self.pairs[from as usize..to as usize];
        let key = (h as u32, check);
        let p = if run.len() <= 8 {
            run.iter().find(|p| (p.low, p.check) == key)?
        } else {
            // A long run (ids chosen to agree in their leading bits): its
            // entries are in order.
            &run[run.binary_search_by_key(&key, |p| (p.low, p.check)).ok()?]
        };
        Some(Entry {
            member: p.member,
            join: p.join,
        })
    }

    fn entry(&self, member: u32) -> Entry {
        Entry {
            member,
            join: self.join[member as usize],
        }
    }

    /// The member with id `id`, with its join date. An id found by its
    /// hashes (the directory's bits, 32 more and the second hash's 32) is
    /// taken to be that member's; the few ids whose hashes another id
    /// shares are compared whole.
    pub fn find(&self, id: &str) -> Option<Entry> {
        let (h, check) = hashes(id.as_bytes());
        if let Some(e) = self.get((h, check)) {
            return Some(e);
        }
        (self.shared_hash.get(id.as_bytes())).map(|&m| self.entry(m))
    }
}

/// Removes from the sorted `keyed` every member whose hashes another
/// member has, and gives them.
fn take_shared(keyed: &mut Vec<Keyed>) -> Vec<u32> {
    let repeated = |k: usize, keyed: &[Keyed]| {
        (k > 0 && keyed[k - 1].same(&keyed[k]))
            || (k + 1 < keyed.len() && keyed[k + 1].same(&keyed[k]))
    };
    if !(1..keyed.len()).any(|k| keyed[k - 1].same(&keyed[k])) {
        return Vec::new();
    }
    let shared: Vec<u32> = (0..keyed.len())
        .filter(|&k| repeated(k, keyed))
        .map(|k| keyed[k].member)
        .collect();
    let kept: Vec<Keyed> = (0..keyed.len())
        .filter(|&k| !repeated(k, keyed))
        .map(|k| keyed[k])
        .collect();
    *keyed = kept;
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
        let index = IdIndex::new(&members);
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
            let alone = index.find(id).map(|e| (e.member, e.join));
            let want = (k < 5000).then(|| (k as u32, day(1 + k as u32 % 28)));
            assert_eq!(alone, want, "{id}");
            assert_eq!(batched[k].map(|e| (e.member, e.join)), want, "{id}");
            assert_eq!(at_once[k].map(|e| (e.member, e.join)), want, "{id}");
        }
    }

    #[test]
    fn members_whose_hashes_agree_are_taken_out_and_the_others_kept() {
        let keyed = |key: u64, check: u32, member: u32| Keyed { key, check, member };
        // Members 1 and 2 agree on both hashes; 3 agrees with them on the first only.
        let mut list = vec![
            keyed(5, 1, 0),
            keyed(7, 2, 1),
            keyed(7, 2, 2),
            keyed(7, 3, 3),
            keyed(9, 2, 4),
        ];
        assert_eq!(take_shared(&mut list), [1, 2]);
        let kept: Vec<u32> = list.iter().map(|k| k.member).collect();
        assert_eq!(kept, [0, 3, 4]);
        let mut unique = vec![keyed(1, 1, 0), keyed(1, 2, 1)];
        assert!(take_shared(&mut unique).is_empty());
        assert_eq!(unique.len(), 2);
    }

    #[test]
    fn a_long_run_is_searched_in_order() {
        // Ids that all agree in their leading bits make one long run.
        let mut pairs: Vec<Pair> = (0..100u32)
            .map(|k| Pair {
                low: k * 3,
                check: k,
                member: k,
                join: day(1),
            })
            .collect();
        pairs.reverse();
        pairs.sort_unstable_by_key(|p| (p.low, p.check));
        let index = IdIndex {
            pairs,
            dir: vec![0, 100, 100],
            shift: 63,
            shared_hash: Default::default(),
            join: &[],
        };
        for k in 0..100u32 {
            let h = u64::from(k * 3);
            assert_eq!(index.get((h, k)).map(|e| e.member), Some(k));
            assert!(index.get((h, k + 1)).is_none());
            assert!(index.get((h + 1, k)).is_none());
        }
    }

    #[test]
    fn ids_whose_hashes_another_id_has_are_found_whole() {
        let join = [day(3), day(4)];
        let index = IdIndex {
            pairs: Vec::new(),
            dir: vec![0, 0, 0],
            shift: 63,
            shared_hash: [(&b"m1"[..], 1u32)].into_iter().collect(),
            join: &join,
        };
        assert_eq!(
            index.find("m1").map(|e| (e.member, e.join)),
            Some((1, day(4)))
        );
        assert!(index.find("m2").is_none());
        assert!(!index.hashes_unique());
    }
}
