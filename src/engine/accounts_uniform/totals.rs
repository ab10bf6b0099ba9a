//! What a sharing member has paid by a period, from the per-period charges
//! added up, where every sharing member pays the same but for the fen of a
//! distributed remainder.
//!
//! With the remainder distributed, the fen a period still needs go one
//! each to its sharing members numbered lowest: in period q, the sharing
//! members numbered below `W[q]` pay one fen more. So a member sharing
//! from period s to p has paid `C[p] − C[s]`, plus one fen for each period
//! q in between with `i < W[q]`. `U` adds one fen for every period with
//! such fen: no member sharing from s has paid more than `U[p] − U[s]`, and
//! the queue of keys waits on `U`.

use super::block_fen::BlockFen;
use super::{NONE, Sharer};
use crate::engine::EngineError;
use crate::period::Period;

/// The per-period charges so far, added up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Totals {
    /// `C[p]`: the per-period charges before period p, added up.
    pub(super) charge: Vec<i64>,
    /// `U[p]`: `C[p]`, plus one for each period before p in which some
    /// members paid one fen more.
    pub(super) upper: Vec<i64>,
    /// `W[q]`: in period q, the sharing members numbered below it paid one
    /// fen more (0: none did).
    pub(super) one_more_below: Vec<u32>,
    /// Some member paid one fen more in some period.
    any_one_more: bool,
}

impl Default for Totals {
    fn default() -> Totals {
        Totals {
            charge: vec![0],
            upper: vec![0],
            one_more_below: Vec::new(),
            any_one_more: false,
        }
    }
}

impl Totals {
    /// Adds the period `period`: every sharing member paid `charge`, and
    /// those numbered below `one_more_below` one fen more.
    pub(super) fn push(
        &mut self,
        period: &Period,
        charge: i64,
        one_more_below: u32,
    ) -> Result<(), EngineError> {
        let overflow = || EngineError::Overflow {
            start: period.start,
            end: period.end,
        };
        let p = self.one_more_below.len();
        let next = self.charge[p].checked_add(charge).ok_or_else(overflow)?;
        let one = i64::from(one_more_below > 0);
        let upper = (self.upper[p].checked_add(charge))
            .and_then(|u| u.checked_add(one))
            .ok_or_else(overflow)?;
        self.charge.push(next);
        self.upper.push(upper);
        self.one_more_below.push(one_more_below);
        self.any_one_more |= one_more_below > 0;
        Ok(())
    }

    /// Some member paid one fen more in some period.
    pub(super) fn any_one_more(&self) -> bool {
        self.any_one_more
    }

    /// What member `i`, sharing as `s` says, has been charged before period `p`.
    #[inline]
    pub(super) fn charged(&self, s: &Sharer, i: usize, p: usize) -> i64 {
        self.charged_with(s, p, |from, to| self.one_more(i, from, to))
    }

    /// `charged`, for member `i` of the block whose fen `block` counts.
    #[inline]
    pub(super) fn charged_in(&self, s: &Sharer, i: usize, p: usize, block: &BlockFen) -> i64 {
        self.charged_with(s, p, |from, to| block.one_more(self, i, from, to))
    }

    /// What the member sharing as `s` has been charged before period `p`,
    /// with `one_more(from, to)` its fen of the periods `from..to`.
    #[inline]
    fn charged_with(&self, s: &Sharer, p: usize, one_more: impl Fn(usize, usize) -> i64) -> i64 {
        let plain = s.charged(&self.charge, p);
        if !self.any_one_more || s.stint == NONE {
            return plain;
        }
        let end = p.min(s.hi as usize);
        plain + one_more((s.stint as usize).min(end), end)
    }

    /// Whether `other` has the same charges, and fen in the same periods:
    /// then only the members that one of them gives a fen and the other
    /// does not, in some period, pay differently (see `moved`).
    pub(super) fn same_but_for_fen(&self, other: &Totals) -> bool {
        self.charge == other.charge && self.upper == other.upper
    }

    /// The members who pay one fen more in some period with these totals
    /// and not with `other`, or with `other` and not with these: a range
    /// of member numbers for each period where their `W` differ.
    pub(super) fn moved<'t>(
        &'t self,
        other: &'t Totals,
    ) -> impl Iterator<Item = std::ops::Range<usize>> + 't {
        (self.one_more_below.iter().zip(&other.one_more_below))
            .filter(|(a, b)| a != b)
            .map(|(&a, &b)| a.min(b) as usize..a.max(b) as usize)
    }

    /// The periods from `from` up to `to` in which member `i` paid one fen more.
    pub(super) fn one_more(&self, i: usize, from: usize, to: usize) -> i64 {
        let periods = |p: usize| self.upper[p] - self.charge[p];
        if periods(to) == periods(from) {
            return 0;
        }
        let below = self.one_more_below[from..to].iter();
        below.filter(|&&w| (i as u64) < u64::from(w)).count() as i64
    }

    /// Sets the key of member `i`, sharing as `s`, from its account's
    /// `base` in period `p`: the member is paused on the first closing day
    /// q with `U[q] > key`, or later. The key to queue.
    pub(super) fn set_key(
        &self,
        s: &mut Sharer,
        i: usize,
        p: usize,
        base: i64,
        minimum: Option<i64>,
    ) -> Option<i64> {
        self.set_key_with(s, p, (base, minimum), |s| self.charged(s, i, p))
    }

    /// `set_key`, for member `i` of the block whose fen `block` counts.
    #[inline]
    pub(super) fn set_key_in(
        &self,
        (s, i, p): (&mut Sharer, usize, usize),
        (base, minimum): (i64, Option<i64>),
        block: &BlockFen,
    ) -> Option<i64> {
        self.set_key_with(s, p, (base, minimum), |s| self.charged_in(s, i, p, block))
    }

    /// `set_key`, with `charged(s)`: what the member has been charged
    /// before period `p`.
    #[inline]
    fn set_key_with(
        &self,
        s: &mut Sharer,
        p: usize,
        (base, minimum): (i64, Option<i64>),
        charged: impl Fn(&Sharer) -> i64,
    ) -> Option<i64> {
        let m = minimum?;
        if s.stint == NONE {
            return None;
        }
        s.key = self.key(p, base - charged(s), m);
        Some(s.key)
    }

    /// The key, in period `p`, of a sharing member whose balance before
    /// the period's charge is `balance`, with the minimum `m`.
    #[inline]
    pub(super) fn key(&self, p: usize, balance: i64, m: i64) -> i64 {
        balance - m + self.upper[p]
    }
}

/// Where the `n`-th (from 1) of the things counted in `counts` is: the
/// index of its count, and its rank among that count's things.
pub(super) fn nth_of(counts: impl Iterator<Item = i64>, n: i64) -> Option<(usize, i64)> {
    let mut left = n;
    for (k, count) in counts.enumerate() {
        if left <= count {
            return Some((k, left));
        }
        left -= count;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn period() -> Period {
        let d = NaiveDate::from_ymd_opt(2017, 1, 15).expect("a date");
        Period { start: d, end: d }
    }

    /// A member sharing from period `stint` through period `hi` − 1.
    fn sharer(stint: u32, hi: u32, before: i64) -> Sharer {
        Sharer {
            lo: 0,
            hi,
            join: NaiveDate::MIN,
            stop: NaiveDate::MAX,
            stint,
            counted: false,
            before,
            key: 0,
        }
    }

    /// Four periods of 100 fen; in period 1 the members numbered below 5
    /// pay one fen more, in period 3 those below 3.
    fn totals() -> Totals {
        let mut t = Totals::default();
        for w in [0, 5, 0, 3] {
            t.push(&period(), 100, w).expect("no overflow");
        }
        t
    }

    #[test]
    fn a_member_pays_the_fen_of_the_periods_it_is_numbered_below() {
        let t = totals();
        assert_eq!(t.charge, [0, 100, 200, 300, 400]);
        assert_eq!(t.upper, [0, 100, 201, 301, 402]);
        let s = sharer(0, 10, 7);
        assert_eq!(t.charged(&s, 2, 4), 7 + 400 + 2);
        assert_eq!(t.charged(&s, 4, 4), 7 + 400 + 1);
        assert_eq!(t.charged(&s, 5, 4), 7 + 400);
        // Only the periods it shares count: from period 2, and up to its stop.
        assert_eq!(t.charged(&sharer(2, 10, 0), 2, 4), 200 + 1);
        assert_eq!(t.charged(&sharer(0, 3, 0), 2, 4), 300 + 1);
        // Paused: what it paid before the pause, nothing more.
        assert_eq!(t.charged(&sharer(NONE, 10, 9), 2, 4), 9);
    }

    #[test]
    fn a_key_is_never_passed_before_the_balance_is_below_the_minimum() {
        let t = totals();
        // 500 fen in the account, a minimum of 100, sharing from period 0.
        let mut s = sharer(0, 10, 0);
        let key = t.set_key(&mut s, 1, 2, 500, Some(100)).expect("a key");
        // By period 2 member 1 paid 201: its balance of 299 is 199 fen
        // above the minimum, and the key waits for `U` to rise by more.
        assert_eq!(key, 199 + t.upper[2]);
        assert_eq!(s.key, key);
        assert_eq!(t.set_key(&mut s, 1, 2, 500, None), None);
        assert_eq!(
            t.set_key(&mut sharer(NONE, 10, 0), 1, 2, 500, Some(100)),
            None
        );
    }

    #[test]
    fn only_the_members_between_two_places_of_the_fen_pay_differently() {
        let t = totals();
        let mut other = Totals::default();
        for w in [0, 9, 0, 3] {
            other.push(&period(), 100, w).expect("no overflow");
        }
        assert!(t.same_but_for_fen(&other));
        let moved =
            |a: &Totals, b: &Totals| a.moved(b).map(|r| (r.start, r.end)).collect::<Vec<_>>();
        assert_eq!(moved(&t, &other), [(5, 9)]);
        assert_eq!(moved(&other, &t), [(5, 9)]);
        // A fen in another period, or another charge: every member may pay differently.
        let mut fen_elsewhere = Totals::default();
        for w in [0, 5, 2, 3] {
            fen_elsewhere.push(&period(), 100, w).expect("no overflow");
        }
        assert!(!t.same_but_for_fen(&fen_elsewhere));
        let mut charge = Totals::default();
        for (c, w) in [(100, 0), (100, 5), (101, 0), (100, 3)] {
            charge.push(&period(), c, w).expect("no overflow");
        }
        assert!(!t.same_but_for_fen(&charge));
    }

    #[test]
    fn the_nth_sharing_member_is_found_by_counts_then_in_its_block() {
        // Blocks with 3, 0, 2 and 4 members sharing.
        let counts = [3, 0, 2, 4];
        assert_eq!(nth_of(counts.into_iter(), 1), Some((0, 1)));
        assert_eq!(nth_of(counts.into_iter(), 3), Some((0, 3)));
        assert_eq!(nth_of(counts.into_iter(), 4), Some((2, 1)));
        assert_eq!(nth_of(counts.into_iter(), 9), Some((3, 4)));
        assert_eq!(nth_of(counts.into_iter(), 10), None);
        // Within a block: the members that share count one each.
        let shares = [false, true, false, true, true].map(i64::from);
        assert_eq!(nth_of(shares.into_iter(), 2), Some((3, 1)));
    }
}
