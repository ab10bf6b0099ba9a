//! Reading members and claims: CSV files with a header row, every problem
//! reported as `file:line:column: message`.

pub mod attributes;
mod blocks;
mod claims;
mod csvfile;
mod day_table;
mod grouping;
mod hash_index;
mod id_index;
mod input_file;
pub mod kind;
mod members;
mod numbered_ids;
mod payments;
mod requirement;
mod stretches;

pub use claims::{Claim, Claims, read_claims};
pub use input_file::{InputFile, STDIN};
pub use payments::{Payments, TopUp, read_payments};

/// A member id as the index keeps it: ids of up to 24 bytes are stored
/// inline, so finding one touches one place in memory.
pub type Id = compact_str::CompactString;

/// Member ids, each with a number: the members that claims name, and any
/// other id asked for. The members file is read with a numbering and records
/// each number's member, so that claims numbered the same way find their
/// members without a lookup by id.
///
/// The ids are kept in shards chosen by their hash, so that a numbering is
/// built on all cores, each shard's table small enough to stay in cache; an
/// id's number is its number within its shard, times the shards, plus the shard.
#[derive(Clone, Debug)]
pub struct MemberKeys {
    shards: Vec<rustc_hash::FxHashMap<Id, u32>>,
    /// Tells this numbering from any other.
    stamp: u64,
}

const SHARDS: usize = 64;

/// The shard of an id: bits of its hash that the shards' tables do not use
/// to place it (they use the low bits and the top seven).
fn shard_of(id: &str) -> usize {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    h.write(id.as_bytes());
    (h.finish() >> 40) as usize % SHARDS
}

fn key(shard: usize, local: u32) -> u32 {
    local * SHARDS as u32 + shard as u32
}

impl Default for MemberKeys {
    fn default() -> MemberKeys {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(1);
        MemberKeys {
            shards: vec![rustc_hash::FxHashMap::default(); SHARDS],
            stamp: NEXT.fetch_add(1, Ordering::Relaxed),
        }
    }
}

impl MemberKeys {
    /// Numbers `ids` on all cores: the numbering, and the number of each id.
    pub fn number<'a, F>(n: usize, id: F) -> (MemberKeys, Vec<u32>)
    where
        F: Fn(usize) -> &'a str + Sync,
    {
        use rayon::prelude::*;
        let shard: Vec<u8> = (0..n)
            .into_par_iter()
            .map(|i| shard_of(id(i)) as u8)
            .collect();
        let mut members_of: Vec<Vec<u32>> = vec![Vec::new(); SHARDS];
        for (i, &s) in shard.iter().enumerate() {
            members_of[usize::from(s)].push(i as u32);
        }
        let built: Vec<(rustc_hash::FxHashMap<Id, u32>, Vec<u32>)> = members_of
            .par_iter()
            .enumerate()
            .map(|(s, list)| {
                let mut map = rustc_hash::FxHashMap::default();
                map.reserve(list.len());
                let numbers = list
                    .iter()
                    .map(|&i| {
                        let next = map.len() as u32;
                        key(s, *map.entry(Id::new(id(i as usize))).or_insert(next))
                    })
                    .collect();
                (map, numbers)
            })
            .collect();
        let mut of = vec![0u32; n];
        for ((_, numbers), list) in built.iter().zip(&members_of) {
            for (&i, &k) in list.iter().zip(numbers) {
                of[i as usize] = k;
            }
        }
        let keys = MemberKeys {
            shards: built.into_iter().map(|(map, _)| map).collect(),
            ..MemberKeys::default()
        };
        (keys, of)
    }

    /// The number of `id`, numbering it if it is new.
    pub fn insert(&mut self, id: &str) -> u32 {
        let s = shard_of(id);
        let map = &mut self.shards[s];
        let next = map.len() as u32;
        key(s, *map.entry(Id::new(id)).or_insert(next))
    }

    pub fn get(&self, id: &str) -> Option<u32> {
        let s = shard_of(id);
        self.shards[s].get(id).map(|&local| key(s, local))
    }

    /// How many ids are numbered.
    pub fn len(&self) -> usize {
        self.shards.iter().map(|m| m.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// One more than the largest number.
    pub fn bound(&self) -> usize {
        self.shards.iter().map(|m| m.len()).max().unwrap_or(0) * SHARDS
    }

    /// Every id with its number.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u32)> {
        self.shards.iter().enumerate().flat_map(|(s, m)| {
            m.iter()
                .map(move |(id, &local)| (id.as_str(), key(s, local)))
        })
    }

    pub fn stamp(&self) -> u64 {
        self.stamp
    }
}
pub use csvfile::{InputError, InputErrors, not_a_day, parse_iso_date};
pub use members::{Members, read_members, read_members_dated, read_members_with_progress};
pub use requirement::evaluate;

/// An exact decimal: `650` → (650, 0), `-0.5` → (-5, 1). None if not a number.
pub fn parse_decimal(text: &str) -> Option<(i128, u32)> {
    let (neg, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    if !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 18
        || whole.len() > 18
    {
        return None;
    }
    let mut v: i128 = 0;
    for b in whole.bytes().chain(frac.bytes()) {
        v = v * 10 + i128::from(b - b'0');
    }
    Some((if neg { -v } else { v }, frac.len() as u32))
}
