//! The fen of a distributed remainder, as a block of neighbouring members
//! pays them.
//!
//! A member sharing from period s to p has paid one fen more in each period
//! q between them with `i < W[q]` (see `totals.rs`). Counting those periods
//! for each member, every time its charges are asked for, was the largest
//! part of taking ten million members through a year. But `W[q]` is one
//! member number per period: in most periods it gives the fen to every
//! member of a block of neighbours or to none of them. Counted once for
//! the block, only the periods whose `W` falls inside it are looked at
//! member by member.

use super::totals::Totals;
use std::ops::Range;

/// The periods with fen, counted for a block of neighbouring members.
#[derive(Clone, Debug, Default)]
pub(super) struct BlockFen {
    /// `all[p]`: the periods before p in which every member of the block
    /// paid one fen more.
    all: Vec<u32>,
    /// `split[p]`: the periods before p in which some members of the
    /// block paid one fen more and others did not.
    split: Vec<u32>,
}

impl BlockFen {
    /// The periods with fen of `totals`, for the members `block`.
    pub(super) fn new(totals: &Totals, block: Range<usize>) -> BlockFen {
        if !totals.any_one_more() {
            return BlockFen::default();
        }
        let np = totals.one_more_below.len();
        let (mut all, mut split) = (Vec::with_capacity(np + 1), Vec::with_capacity(np + 1));
        let (mut a, mut s) = (0, 0);
        all.push(a);
        split.push(s);
        for &w in &totals.one_more_below {
            let w = w as usize;
            // Members numbered below w pay one fen more.
            if w >= block.end {
                a += 1;
            } else if w > block.start {
                s += 1;
            }
            all.push(a);
            split.push(s);
        }
        BlockFen { all, split }
    }

    /// The periods from `from` up to `to` in which member `i`, one of the
    /// block, paid one fen more.
    #[inline]
    pub(super) fn one_more(&self, totals: &Totals, i: usize, from: usize, to: usize) -> i64 {
        match (self.split.get(from), self.split.get(to)) {
            (Some(a), Some(b)) if a == b => i64::from(self.all[to] - self.all[from]),
            _ => totals.one_more(i, from, to),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::Period;
    use chrono::NaiveDate;

    /// Six periods of 100 fen with these `W`.
    fn totals(w: &[u32]) -> Totals {
        let d = NaiveDate::from_ymd_opt(2017, 1, 15).expect("a date");
        let mut t = Totals::default();
        for &w in w {
            t.push(&Period { start: d, end: d }, 100, w)
                .expect("no overflow");
        }
        t
    }

    #[test]
    fn a_block_counts_the_fen_as_each_member_would() {
        let t = totals(&[0, 50, 12, 9, 200, 10]);
        for block in [0..4, 8..12, 10..14, 12..16, 40..60, 49..51, 100..300] {
            let fen = BlockFen::new(&t, block.clone());
            for i in block {
                for from in 0..=6 {
                    for to in from..=6 {
                        assert_eq!(
                            fen.one_more(&t, i, from, to),
                            t.one_more(i, from, to),
                            "member {i}, periods {from}..{to}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn only_periods_splitting_the_block_are_looked_at_member_by_member() {
        let t = totals(&[0, 50, 12, 9, 200, 10]);
        let fen = BlockFen::new(&t, 20..40);
        // Periods 1 and 4 give every member 20..40 a fen; none splits them.
        assert_eq!(fen.all, [0, 0, 1, 1, 1, 2, 2]);
        assert_eq!(fen.split, [0; 7]);
        let fen = BlockFen::new(&t, 8..16);
        assert_eq!(fen.split, [0, 0, 0, 1, 2, 2, 3]);
    }

    #[test]
    fn without_fen_nothing_is_counted() {
        let t = totals(&[0, 0, 0]);
        let fen = BlockFen::new(&t, 0..10);
        assert!(fen.all.is_empty());
        assert_eq!(fen.one_more(&t, 3, 0, 3), 0);
    }
}
