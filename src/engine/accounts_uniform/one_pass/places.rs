//! Where the members outside the loop share, for the fen of a distributed
//! remainder: they go one each to the first members sharing in a period,
//! in member order, whether in the loop or outside it.
//!
//! Taking every member outside the loop through the year counts, for each
//! block of neighbouring members, how many of them share in each period.
//! The block that holds the last member to pay one fen more is then found
//! from the counts, and only its members are taken through the year again,
//! with the same charges, to find that member.

use super::super::{Sharer, Sharers};
use super::{Outside, running_sum};

/// How many members outside the loop share in each period, by blocks of
/// neighbouring members.
pub(super) struct Places {
    /// Members in a block (the last block may have fewer).
    block: usize,
    /// By block: how many of its members outside the loop share in each period.
    counts: Vec<Vec<i64>>,
    /// How many members outside the loop share in each period, in all.
    pub(super) all: Vec<i64>,
}

impl Places {
    /// The members in a block where there are `n` members: about 2,048
    /// blocks of at most 4,096 members.
    pub(super) fn block(n: usize) -> usize {
        (n / 2048).next_power_of_two().clamp(1, 4096)
    }

    /// The places from each block's changes by period: +1 at the first
    /// period of a stretch a member shares in, −1 after its last.
    pub(super) fn new(block: usize, mut counts: Vec<Vec<i64>>, np: usize) -> Places {
        let mut all = vec![0i64; np];
        for count in &mut counts {
            running_sum(count);
            count.truncate(np);
            all.iter_mut().zip(count.iter()).for_each(|(a, x)| *a += x);
        }
        Places { block, counts, all }
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
        let mut left = left;
        if left <= 0 {
            return 0;
        }
        // The next member in the loop, by its place among those held.
        let mut k = 0;
        for (b, count) in self.counts.iter().enumerate() {
            let (start, end) = (b * self.block, ((b + 1) * self.block).min(inside.len()));
            let first = k;
            while k < sh.held.len() && sh.held.member(k) < end {
                k += 1;
            }
            let held = (first..k).filter(|&k| sh.m[k].shares(p)).count() as i64;
            if left > count[p] + held {
                left -= count[p] + held;
                continue;
            }
            let shares = self.in_block(sh, outside, inside, p, start..end);
            for (j, shares) in shares.into_iter().enumerate() {
                left -= i64::from(shares);
                if left == 0 {
                    return (start + j + 1) as u32;
                }
            }
            debug_assert!(false, "the block's members share as its count says");
        }
        u32::MAX
    }

    /// Whether each member of `members` shares in period `p`.
    fn in_block(
        &self,
        sh: &Sharers,
        outside: &Outside,
        inside: &[bool],
        p: usize,
        members: std::ops::Range<usize>,
    ) -> Vec<bool> {
        let sharing = |s: &Sharer| s.shares(p);
        members
            .map(|i| {
                if inside[i] {
                    return sharing(sh.at(i));
                }
                let mut shares = false;
                outside.stretches(i, &mut |from, to| shares |= from <= p && p < to);
                shares
            })
            .collect()
    }
}
