//! Every member by id, for files that name many members (payments). Where
//! the ids are numbered in file order (`m000000001`, `m000000002`, …) the
//! member is read from the id itself (`numbered_ids`); any other ids are
//! found by their hashes (`hash_index`).

use super::Members;
use super::hash_index::{HashIndex, hashes};
use super::numbered_ids::Numbered;

/// How many ids `get_batch` looks up at once.
pub const BATCH: usize = 32;

/// What the index needs of an id to find its member: the id's two hashes,
/// or with numbered ids the member it names (`u64::MAX`: none).
pub type Key = (u64, u32);

/// Every member by id.
pub enum IdIndex<'m> {
    /// Ids numbered in file order.
    Numbered(Numbered),
    Hashed(HashIndex<'m>),
}

impl<'m> IdIndex<'m> {
    pub fn new(members: &'m Members) -> IdIndex<'m> {
        match Numbered::of(members) {
            Some(numbered) => IdIndex::Numbered(numbered),
            None => IdIndex::Hashed(HashIndex::new(members)),
        }
    }

    /// Whether `get_batch` alone finds every member.
    pub fn finds_all_by_key(&self) -> bool {
        match self {
            IdIndex::Numbered(..) => true,
            IdIndex::Hashed(index) => index.hashes_unique(),
        }
    }

    /// The key of `id`.
    #[inline]
    pub fn key(&self, id: &[u8]) -> Key {
        match self {
            IdIndex::Numbered(numbered) => (numbered.member(id).map_or(u64::MAX, u64::from), 0),
            IdIndex::Hashed(_) => hashes(id),
        }
    }

    /// The member of the key `key`, where the key alone says it (numbered
    /// ids: `Some(None)` for an id that names no member); `None` where it
    /// is to be looked up with `get_batch`.
    #[inline]
    pub fn direct(&self, key: Key) -> Option<Option<u32>> {
        match self {
            IdIndex::Numbered(_) => Some(u32::try_from(key.0).ok()),
            IdIndex::Hashed(_) => None,
        }
    }

    /// The members whose ids have the keys `keys`, in order, added to `out`.
    pub fn get_batch(&self, keys: &[Key], out: &mut Vec<Option<u32>>) {
        match self {
            IdIndex::Numbered(_) => out.extend(keys.iter().map(|&(m, _)| u32::try_from(m).ok())),
            IdIndex::Hashed(index) => index.get_batch(keys, out),
        }
    }

    /// The member with id `id`.
    pub fn find(&self, id: &str) -> Option<u32> {
        match self {
            IdIndex::Numbered(numbered) => numbered.member(id.as_bytes()),
            IdIndex::Hashed(index) => index.find(id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Members `ids`, and how the index finds `asked` one by one and in a
    /// batch: whether the ids are numbered, and the members found.
    fn found(ids: &[&str], asked: &[&str]) -> (bool, Vec<Option<u32>>) {
        let day = chrono::NaiveDate::from_ymd_opt(2019, 1, 1).expect("a day");
        let mut members = Members::default();
        for id in ids {
            members.push(id, day, day, None, true);
        }
        let index = IdIndex::new(&members);
        let keys: Vec<Key> = asked.iter().map(|id| index.key(id.as_bytes())).collect();
        let mut batch = Vec::new();
        index.get_batch(&keys, &mut batch);
        if let Some(direct) = keys
            .iter()
            .map(|&k| index.direct(k))
            .collect::<Option<Vec<_>>>()
        {
            assert_eq!(direct, batch);
        }
        let alone: Vec<_> = asked.iter().map(|id| index.find(id)).collect();
        assert_eq!(batch, alone);
        (matches!(index, IdIndex::Numbered(..)), batch)
    }

    #[test]
    fn numbered_and_other_ids_find_the_same_members() {
        // `m10` is the third member either way; `m12` makes the ids not numbered.
        let asked = ["m08", "m10", "m11", "m07", "m8", "m12x", "x", ""];
        let mut want = vec![None; asked.len()];
        want[0] = Some(0);
        want[1] = Some(2);
        assert_eq!(found(&["m08", "m09", "m10"], &asked), (true, want.clone()));
        assert_eq!(found(&["m08", "m12", "m10"], &asked), (false, want));
    }
}
