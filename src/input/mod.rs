//! Reading members and claims: CSV files with a header row, every problem
//! reported as `file:line:column: message`.

mod blocks;
mod claims;
mod csvfile;
mod members;

pub use claims::{Claim, Claims, read_claims};

/// A member id as the index keeps it: ids of up to 24 bytes are stored
/// inline, so finding one touches one place in memory.
pub type Id = compact_str::CompactString;

/// Member ids numbered from 0 in order of first mention: the members that
/// claims name, and any other id asked for. The members file is read with a
/// numbering and records each number's member, so that claims numbered the
/// same way find their members without a lookup by id.
#[derive(Clone, Debug)]
pub struct MemberKeys {
    ids: rustc_hash::FxHashMap<Id, u32>,
    /// Tells this numbering from any other.
    stamp: u64,
}

impl Default for MemberKeys {
    fn default() -> MemberKeys {
        MemberKeys::with_capacity(0)
    }
}

impl MemberKeys {
    pub fn with_capacity(n: usize) -> MemberKeys {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(1);
        MemberKeys {
            ids: rustc_hash::FxHashMap::with_capacity_and_hasher(n, Default::default()),
            stamp: NEXT.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// The number of `id`, numbering it if it is new.
    pub fn insert(&mut self, id: &str) -> u32 {
        let next = self.ids.len() as u32;
        *self.ids.entry(Id::new(id)).or_insert(next)
    }

    pub fn get(&self, id: &str) -> Option<u32> {
        self.ids.get(id).copied()
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.ids.keys().map(|id| id.as_str())
    }

    pub fn stamp(&self) -> u64 {
        self.stamp
    }
}
pub use csvfile::{InputError, InputErrors, parse_iso_date};
pub use members::{Members, evaluate, read_members, read_members_with_progress};

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
