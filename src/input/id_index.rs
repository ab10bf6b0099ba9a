//! Every member's id, for files that name many members (payments): ids are
//! hashed once to 64 well-mixed bits, kept in tables sharded by those bits
//! and built on all cores; a lookup compares the id itself, so two ids
//! that share a hash are still told apart.

use super::Members;
use rayon::prelude::*;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A hasher for keys that are already well-mixed hashes.
#[derive(Default)]
struct Mixed(u64);

impl Hasher for Mixed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A member, a second hash of its id (telling apart ids whose first hashes
/// agree) and its join date: what a payment row needs, in one place.
#[derive(Clone, Copy)]
pub struct Entry {
    pub member: u32,
    check: u32,
    pub join: chrono::NaiveDate,
}

type Table = HashMap<u64, Entry, BuildHasherDefault<Mixed>>;

const SHARDS: usize = 64;

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

/// The shard of a hash: bits that the shard's table does not use to place
/// a key (it uses the low bits for the slot and the top seven as a tag).
fn shard(h: u64) -> usize {
    (h >> 40) as usize % SHARDS
}

/// Every member by id.
pub struct IdIndex {
    shards: Vec<Table>,
    /// Members whose id's hash another member's id already has.
    shared_hash: Vec<u32>,
}

impl IdIndex {
    pub fn new(members: &Members) -> IdIndex {
        let hashes: Vec<(u64, u32)> = (0..members.len())
            .into_par_iter()
            .map(|i| hashes(members.id_bytes(i)))
            .collect();
        let mut of_shard: Vec<Vec<u32>> = vec![Vec::new(); SHARDS];
        for (i, &(h, _)) in hashes.iter().enumerate() {
            of_shard[shard(h)].push(i as u32);
        }
        let built: Vec<(Table, Vec<u32>)> = of_shard
            .into_par_iter()
            .map(|list| {
                let mut table = Table::with_capacity_and_hasher(list.len(), Default::default());
                let mut shared = Vec::new();
                for i in list {
                    let (h, check) = hashes[i as usize];
                    let entry = Entry {
                        member: i,
                        check,
                        join: members.join[i as usize],
                    };
                    if let Some(other) = table.insert(h, entry) {
                        // Two ids with one hash: both are looked up by id.
                        table.remove(&h);
                        shared.push(other.member);
                        shared.push(i);
                    }
                }
                (table, shared)
            })
            .collect();
        let mut shards = Vec::with_capacity(SHARDS);
        let mut shared_hash = Vec::new();
        for (table, shared) in built {
            shards.push(table);
            shared_hash.extend(shared);
        }
        IdIndex {
            shards,
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
    pub fn get(&self, (h, check): (u64, u32)) -> Option<Entry> {
        self.shards[shard(h)]
            .get(&h)
            .copied()
            .filter(|e| e.check == check)
    }

    /// The member with id `id`, with its join date. An id found by its
    /// two hashes (96 bits) is taken to be that member's; the few ids
    /// whose first hash another id shares are compared whole.
    pub fn find(&self, members: &Members, id: &str) -> Option<Entry> {
        let (h, check) = hashes(id.as_bytes());
        match self.shards[shard(h)].get(&h) {
            Some(e) if e.check == check => Some(*e),
            Some(_) => None,
            None => self
                .shared_hash
                .iter()
                .copied()
                .find(|&m| members.id_bytes(m as usize) == id.as_bytes())
                .map(|m| Entry {
                    member: m,
                    check,
                    join: members.join[m as usize],
                }),
        }
    }
}
