//! Where the members outside the loop share, for the fen of a distributed
//! remainder: they go one each to the first members sharing in a period,
//! in member order, whether in the loop or outside it.
//!
//! Taking every member outside the loop through the year counts, for each
//! block of neighbouring members, how many of them share in each period.
//! The block that holds the last member to pay one fen more is then found
//! from the counts, and only its members are taken through the year again,
//! with the same charges, to find that member.

use super::super::Sharers;
use super::super::totals::nth_of;
use super::{Outside, running_sum};

/// How many members outside the loop share in each period, by blocks of
/// neighbouring members.
pub(super) struct Places {
    /// Members in a block (the last block may have fewer).
    pub(super) block: usize,
    /// By period, then by block: how many of the block's members outside
    /// the loop share in the period (a period's blocks side by side, as
    /// they are read to find a member).
    counts: Vec<Vec<i64>>,
    /// How many blocks there are.
    blocks: usize,
    /// How many members outside the loop share in each period, in all.
    pub(super) all: Vec<i64>,
}

impl Places {
    /// The members in a block where there are `n` members and `np`
    /// periods: a power of two, for at most about 16,384 blocks (small
    /// blocks, so that finding a member in one, or taking one again, is
    /// quick), fewer where there are so many periods that the counts would
    /// pass 2²⁴ (128 MiB).
    pub(super) fn block(n: usize, np: usize) -> usize {
        let blocks = ((1 << 24) / (np + 1)).clamp(1, 16_384);
        (n / blocks).next_power_of_two()
    }

    /// The places from each block's changes by period: +1 at the first
    /// period of a stretch a member shares in, −1 after its last.
    pub(super) fn new(block: usize, counts: Vec<Vec<i64>>, np: usize) -> Places {
        let mut places = Places {
            block,
            counts: vec![vec![0; counts.len()]; np],
            blocks: counts.len(),
            all: vec![0; np],
        };
        places.update(counts.into_iter().enumerate().collect());
        places
    }

    /// The blocks that hold some member of `ranges`, among `n` members:
    /// by block, whether it does.
    pub(super) fn blocks_of(
        &self,
        ranges: impl Iterator<Item = std::ops::Range<usize>>,
        n: usize,
    ) -> Vec<bool> {
        let mut hit = vec![false; self.blocks];
        for r in ranges {
            let (start, end) = (r.start.min(n), r.end.min(n));
            if start < end {
                hit[start / self.block..=(end - 1) / self.block].fill(true);
            }
        }
        hit
    }

    /// The blocks in `taken` counted again: each block's changes by
    /// period, as for `new`.
    pub(super) fn update(&mut self, taken: Vec<(usize, Vec<i64>)>) {
        let np = self.all.len();
        for (b, mut count) in taken {
            running_sum(&mut count);
            count.truncate(np);
            for ((a, by_block), new) in self.all.iter_mut().zip(&mut self.counts).zip(count) {
                *a += new - by_block[b];
                by_block[b] = new;
            }
        }
    }

    /// `W` of period `p`: the first `left` members sharing in p, those in
    /// the loop as `sh` holds them and those outside it as `outside` takes
    /// them (`inside[i]`: member i is in the loop), are numbered below it.
    pub(super) fn one_more_below(
        &self,
        sh: &Sharers,
        outside: &Outside,
        inside: &[bool],
        p: usize,
        left: i64,
    ) -> u32 {
        if left <= 0 {
            return 0;
        }
        // The next member in the loop, by its place among those held.
        let mut k = 0;
        let mut held_below = |end: usize| {
            let first = k;
            while k < sh.held.len() && sh.held.member(k) < end {
                k += 1;
            }
            (first..k).filter(|&k| sh.m[k].shares(p)).count() as i64
        };
        let sharing = (self.counts[p].iter().enumerate())
            .map(|(b, count)| count + held_below(((b + 1) * self.block).min(inside.len())));
        let Some((b, left)) = nth_of(sharing, left) else {
            return u32::MAX;
        };
        let start = b * self.block;
        let members = start..((b + 1) * self.block).min(inside.len());
        let last = self.nth_in_block(sh, outside, inside, p, (members, left));
        debug_assert!(
            last.is_some(),
            "the block's members share as its count says"
        );
        last.map_or(u32::MAX, |i| (i + 1) as u32)
    }

    /// The `n`-th (from 1) of `members` sharing in period `p`: its members
    /// are taken in order only until it is found.
    fn nth_in_block(
        &self,
        sh: &Sharers,
        outside: &Outside,
        inside: &[bool],
        p: usize,
        (members, n): (std::ops::Range<usize>, i64),
    ) -> Option<usize> {
        let fen = outside.fen_of(members.clone());
        let mut left = n;
        for i in members {
            let shares = if inside[i] {
                sh.at(i).shares(p)
            } else {
                let mut shares = false;
                outside.stretches(i, &fen, &mut |from, to| shares |= from <= p && p < to);
                shares
            };
            left -= i64::from(shares);
            if left == 0 {
                return Some(i);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_fewer_where_periods_are_many() {
        assert_eq!(Places::block(0, 36), 1);
        assert_eq!(Places::block(25, 36), 1);
        assert_eq!(Places::block(10_000_000, 36), 1024);
        // 65,535 periods: 256 blocks, so the counts stay within 2²⁴.
        assert_eq!(Places::block(10_000_000, 65_535), 65_536);
    }

    #[test]
    fn a_block_counted_again_replaces_its_counts_in_the_whole() {
        // Two blocks of 4 members, 3 periods; changes by period (+1 where a
        // stretch of sharing starts, −1 after it).
        let mut places = Places::new(4, vec![vec![2, 0, -1, -1], vec![1, 1, 0, -2]], 3);
        assert_eq!(places.all, [3, 4, 3]);
        places.update(vec![(1, vec![3, 0, -1, -2])]);
        assert_eq!(places.counts, [vec![2, 3], vec![2, 3], vec![1, 2]]);
        assert_eq!(places.all, [5, 5, 3]);
        // Members 3..5 span both blocks; 8.. are past the last member.
        assert_eq!(places.blocks_of(std::iter::once(3..5), 8), [true, true]);
        assert_eq!(places.blocks_of([4..6, 6..6].into_iter(), 8), [false, true]);
        assert_eq!(
            places.blocks_of([8..9, 0..0].into_iter(), 8),
            [false, false]
        );
        assert_eq!(
            places.blocks_of(std::iter::once(0..u32::MAX as usize), 8),
            [true, true]
        );
    }
}
