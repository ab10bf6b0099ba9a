//! Ids numbered in file order: when every member's id is one prefix and a
//! number of one width, the numbers counting up by one from the first
//! member's (`m000000001`, `m000000002`, …), the member an id names is read
//! from the id itself, with no index and no memory touched.

use super::Members;
use rayon::prelude::*;

/// The members' ids, all numbered in file order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Numbered {
    /// What every id starts with.
    prefix: Box<[u8]>,
    /// How many digits follow the prefix.
    width: usize,
    /// The first member's number.
    first: u64,
    /// How many members there are.
    len: u64,
}

/// The most digits read as a number (19 fit in 64 bits).
const MOST_DIGITS: usize = 19;

/// The number written in `digits` (ASCII digits only, at most 19), or `None`.
fn number(digits: &[u8]) -> Option<u64> {
    let mut n: u64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(b - b'0');
    }
    Some(n)
}

impl Numbered {
    /// The numbering of `members`' ids, if they are numbered in file order.
    pub fn of(members: &Members) -> Option<Numbered> {
        if members.is_empty() {
            return None;
        }
        let first_id = members.id_bytes(0);
        let digits = first_id.iter().rev().take_while(|b| b.is_ascii_digit());
        let width = digits.count();
        if width == 0 || width > MOST_DIGITS {
            return None;
        }
        let prefix = &first_id[..first_id.len() - width];
        let numbered = Numbered {
            prefix: prefix.into(),
            width,
            first: number(&first_id[prefix.len()..])?,
            len: members.len() as u64,
        };
        let every = (0..members.len()).into_par_iter().with_min_len(1 << 14);
        every
            .all(|i| numbered.member(members.id_bytes(i)) == Some(i as u32))
            .then_some(numbered)
    }

    /// The member whose id is `id`, if any.
    #[inline]
    pub fn member(&self, id: &[u8]) -> Option<u32> {
        if id.len() != self.prefix.len() + self.width || !id.starts_with(&self.prefix) {
            return None;
        }
        let k = number(&id[self.prefix.len()..])?.checked_sub(self.first)?;
        (k < self.len).then_some(k as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn members(ids: &[&str]) -> Members {
        let day = NaiveDate::from_ymd_opt(2019, 1, 1).expect("a day");
        let mut members = Members::default();
        for id in ids {
            members.push(id, day, day, None, true);
        }
        members
    }

    #[test]
    fn ids_counting_up_by_one_are_numbered_and_found_from_the_id() {
        let numbered = Numbered::of(&members(&["m0098", "m0099", "m0100"])).expect("numbered");
        assert_eq!(numbered.member(b"m0098"), Some(0));
        assert_eq!(numbered.member(b"m0100"), Some(2));
        for other in [
            "m0097", "m0101", "m098", "m00098", "x0098", "m00a8", "", "m",
        ] {
            assert_eq!(numbered.member(other.as_bytes()), None, "{other}");
        }
        let digits_only = Numbered::of(&members(&["7", "8", "9"])).expect("numbered");
        assert_eq!(digits_only.member(b"9"), Some(2));
        assert_eq!(digits_only.member(b"09"), None);
    }

    #[test]
    fn ids_not_counting_up_by_one_in_file_order_are_not_numbered() {
        for ids in [
            &["m1", "m3"][..],
            &["m2", "m1"],
            &["m1", "m1"],
            &["m1", "n2"],
            &["m1", "m02"],
            &["m9", "m10"],
            &["m", "m1"],
            &["m1", "m2x"],
            &["m00000000000000000001", "m00000000000000000002"],
        ] {
            assert_eq!(Numbered::of(&members(ids)), None, "{ids:?}");
        }
    }
}
