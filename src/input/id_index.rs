//! Every member's id, for files that name many members (payments): ids are
//! hashed once to 64 well-mixed bits, and the (hash, member) pairs sorted by
//! hash on all cores, with a directory of where each run of leading bits
//! starts. A lookup reads the directory and then a few neighbouring pairs:
//! as quick as a hash table, in 16 bytes a member instead of a table's 40.
//! A second hash of 32 bits tells apart ids whose first hashes agree, and
//! the few ids whose first hash another id has too are compared whole.

use super::Members;
use rayon::prelude::*;
use std::hash::Hasher;

/// A member, a second hash of its id (telling apart ids whose first hashes
/// agree) and its join date: what a payment row needs, in one place.
#[derive(Clone, Copy)]
pub struct Entry {
    pub member: u32,
    pub join: chrono::NaiveDate,
}

/// One member's id hashes, in the sorted list.
#[derive(Clone, Copy)]
struct Pair {
    hash: u64,
    check: u32,
    member: u32,
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
    /// Every member whose first hash no other member's id has, by hash.
    pairs: Vec<Pair>,
    /// `dir[b]..dir[b + 1]`: the pairs whose hash starts with the bits `b`.
    dir: Vec<u32>,
    /// How far a hash is shifted right to give its directory bits.
    shift: u32,
    /// Members whose id's hash another member's id already has.
    shared_hash: Vec<u32>,
    /// Each member's join date, by member.
    join: &'m [chrono::NaiveDate],
}

impl<'m> IdIndex<'m> {
    pub fn new(members: &'m Members) -> IdIndex<'m> {
        let mut pairs: Vec<Pair> = (0..members.len())
            .into_par_iter()
            .map(|i| {
                let (hash, check) = hashes(members.id_bytes(i));
                Pair {
                    hash,
                    check,
                    member: i as u32,
                }
            })
            .collect();
        pairs.par_sort_unstable_by_key(|p| p.hash);
        let shared_hash = take_shared(&mut pairs);
        // About two pairs per directory entry.
        let bits = (usize::BITS - pairs.len().leading_zeros())
            .saturating_sub(1)
            .clamp(1, 30);
        let shift = 64 - bits;
        let mut dir = vec![0u32; (1usize << bits) + 1];
        for p in &pairs {
            dir[(p.hash >> shift) as usize + 1] += 1;
        }
        for b in 0..(1usize << bits) {
            dir[b + 1] += dir[b];
        }
        IdIndex {
            pairs,
            dir,
            shift,
            shared_hash,
            join: &members.join,
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
        let run = &self.pairs[self.dir[b] as usize..self.dir[b + 1] as usize];
        let p = run.iter().find(|p| p.hash == h)?;
        (p.check == check).then(|| self.entry(p.member))
    }

    fn entry(&self, member: u32) -> Entry {
        Entry {
            member,
            join: self.join[member as usize],
        }
    }

    /// The member with id `id`, with its join date. An id found by its
    /// two hashes (96 bits) is taken to be that member's; the few ids
    /// whose first hash another id shares are compared whole.
    pub fn find(&self, members: &Members, id: &str) -> Option<Entry> {
        let (h, check) = hashes(id.as_bytes());
        if let Some(e) = self.get((h, check)) {
            return Some(e);
        }
        self.shared_hash
            .iter()
            .copied()
            .find(|&m| members.id_bytes(m as usize) == id.as_bytes())
            .map(|m| self.entry(m))
    }
}

/// Removes from the sorted `pairs` every pair whose hash another pair has,
/// and gives their members.
fn take_shared(pairs: &mut Vec<Pair>) -> Vec<u32> {
    let repeated = |k: usize, pairs: &[Pair]| {
        (k > 0 && pairs[k - 1].hash == pairs[k].hash)
            || (k + 1 < pairs.len() && pairs[k + 1].hash == pairs[k].hash)
    };
    if !(1..pairs.len()).any(|k| pairs[k - 1].hash == pairs[k].hash) {
        return Vec::new();
    }
    let shared: Vec<u32> = (0..pairs.len())
        .filter(|&k| repeated(k, pairs))
        .map(|k| pairs[k].member)
        .collect();
    let kept: Vec<Pair> = (0..pairs.len())
        .filter(|&k| !repeated(k, pairs))
        .map(|k| pairs[k])
        .collect();
    *pairs = kept;
    shared
}
