//! One member outside the loop taken through the year, as the period
//! loop takes a member without claims: only the periods where something
//! may happen to it are visited (the first it shares in, the closing days
//! where its balance, with the top-ups made by then, may reach the
//! minimum, and while paused, those of its top-ups); in between it shares,
//! or not, as in the period before.

use super::super::{NONE, Sharer, block_fen::BlockFen};
use super::Outside;
use crate::engine::account::{Account, Holder};
use crate::input::TopUp;
use chrono::NaiveDate;

/// A member as it is taken through the year.
struct Taken<'t> {
    i: usize,
    /// The fen of the member's block.
    fen: &'t BlockFen,
    top_ups: &'t [TopUp],
    s: Sharer,
    /// Paused, until a top-up resumes its cover.
    waiting: bool,
    /// Its cover resumes from the next period.
    resume_next: bool,
}

impl Outside<'_> {
    /// Member `i` through the year: `shares(p, q)` for each stretch of
    /// periods `p..q` it shares in; returns what it was charged.
    pub(super) fn member(
        &self,
        (i, fen): (usize, &BlockFen),
        a: &mut Account,
        s: Sharer,
        shares: &mut impl FnMut(usize, usize),
    ) -> i64 {
        let top_ups = self.payments.top_ups(i);
        let (lo, hi) = (s.lo as usize, s.hi as usize);
        let mut m = Taken {
            i,
            fen,
            top_ups,
            s,
            waiting: false,
            resume_next: false,
        };
        let ends = self.days.ends();
        // The first of the top-ups not yet looked at.
        let mut next = 0;
        // Nothing happens before the member's first sharing period.
        let mut p = lo;
        while p < ends.len() {
            let e = ends[p];
            if p == lo && lo < hi {
                m.s.stint = p as u32;
                self.set_key(&mut m, a, p);
            }
            if std::mem::take(&mut m.resume_next) {
                self.share_from(&mut m, a, p);
            }
            let first = next;
            next = past(top_ups, next, e);
            if m.waiting && next > first {
                self.top_ups_while_paused(&mut m, a, (p, e));
            }
            if self.may_pause(&m.s, p) && m.s.key < self.totals.upper[p] {
                self.closing_day(&mut m, a, (p, e));
            }
            // Until the next period where something may happen, the member
            // shares, or not, as in this one.
            let q = self.next_event(&m, a, p, top_ups.get(next));
            if lo <= p && p < hi && !m.s.counted {
                shares(p, q.min(hi));
            }
            next = past(top_ups, next, ends[q - 1]);
            p = q;
        }
        if a.taken_to_until(self.explaining) {
            let h = self.holder(&m, ends.len());
            a.advance(self.rules, &h, self.until, self.after);
        }
        self.totals.charged_in(&m.s, i, ends.len(), fen)
    }

    /// What the account reads of the member, charged before period `p`.
    fn holder<'t>(&self, m: &Taken<'t>, p: usize) -> Holder<'t> {
        Holder {
            join: m.s.join,
            stop: m.s.stop,
            charged: self.totals.charged_in(&m.s, m.i, p, m.fen),
            top_ups: m.top_ups,
        }
    }

    /// Sets the member's key from its account in period `p`.
    #[inline(always)]
    fn set_key(&self, m: &mut Taken, a: &Account, p: usize) -> Option<i64> {
        (self.totals).set_key_in((&mut m.s, m.i, p), (a.base, self.minimum), m.fen)
    }

    /// A paused member's top-ups up to `e`, period `p`'s closing day: its
    /// cover resumes where they bring it to the minimum.
    fn top_ups_while_paused(&self, m: &mut Taken, a: &mut Account, (p, e): (usize, NaiveDate)) {
        a.advance(self.rules, &self.holder(m, p), e, e);
        if a.paused() {
            return;
        }
        m.waiting = false;
        if a.resume_on > e {
            // A top-up on the closing day: covered from the next period.
            m.resume_next = true;
        } else {
            self.share_from(m, a, p);
        }
    }

    /// Period `p`'s closing day `e`, where the member's balance may have
    /// reached the minimum: its top-ups are taken, and it pauses if it is
    /// still below.
    fn closing_day(&self, m: &mut Taken, a: &mut Account, (p, e): (usize, NaiveDate)) {
        // What it was charged before period p, the same all through.
        let h = self.holder(m, p);
        a.advance(self.rules, &h, e, e);
        // Its key, as `set_key` sets it, from what it was charged.
        if let Some(minimum) = self.minimum {
            m.s.key = self.totals.key(p, a.base - h.charged, minimum);
            if m.s.key >= self.totals.upper[p] {
                return;
            }
        }
        a.check_on_closing_day(self.rules, &h, e);
        m.s.before = h.charged;
        m.s.stint = NONE;
        m.s.counted = true;
        m.waiting = true;
    }

    /// Whether the member's balance is checked against the minimum on
    /// period `p`'s closing day (it shares, and its key is set).
    #[inline(always)]
    fn may_pause(&self, s: &Sharer, p: usize) -> bool {
        s.stint != NONE && self.minimum.is_some() && s.lo as usize <= p && p < s.hi as usize
    }

    /// The first period after `p` where something may happen to the
    /// member: its cover resumes, its balance may reach the minimum while
    /// it shares, or (paused) it tops up (`top_up`, the first dated after
    /// period `p`'s closing day); the number of periods if none.
    #[inline(always)]
    fn next_event(&self, m: &Taken, a: &Account, p: usize, top_up: Option<&TopUp>) -> usize {
        if m.resume_next {
            return p + 1;
        }
        let mut q = self.days.len();
        if m.waiting
            && let Some(t) = top_up
        {
            q = self.days.period_of(t.day).max(p + 1);
        }
        // Only the closing days up to the next other event, and while the
        // member shares, are searched.
        let end = q.min(m.s.hi as usize);
        if self.may_pause(&m.s, p + 1) && p + 1 < end {
            let untaken = a.not_taken(m.top_ups);
            q = (self.may_reach_minimum(m.s.key, (p + 1, end), untaken)).unwrap_or(q);
        }
        q
    }

    /// The first closing day of the periods `from..end` where a sharing
    /// member's balance may be below the minimum: where `U` passes its key
    /// raised by the top-ups its account has not yet taken (`untaken`)
    /// dated up to that day. The key set there is at least as high, since
    /// the member paid at most what `U` counts: no closing day where it
    /// pauses is passed over, and a top-up that keeps it above the minimum
    /// costs no visit.
    #[inline(always)]
    fn may_reach_minimum(
        &self,
        mut key: i64,
        (mut from, end): (usize, usize),
        untaken: &[TopUp],
    ) -> Option<usize> {
        let (upper, ends) = (&self.totals.upper, self.days.ends());
        let mut next = 0;
        while from < end {
            let k = from + upper[from..end].partition_point(|&t| t <= key);
            if k == end {
                return None;
            }
            let before = next;
            while let Some(t) = untaken.get(next).filter(|t| t.day <= ends[k]) {
                key = key.saturating_add(t.fen);
                next += 1;
            }
            if next == before || upper[k] > key {
                return Some(k);
            }
            from = k + 1;
        }
        None
    }

    /// The member, not sharing, shares from period `p` if its membership
    /// is then in force.
    fn share_from(&self, m: &mut Taken, a: &Account, p: usize) {
        m.s.counted = false;
        if (p as u32) < m.s.hi && m.s.stint == NONE {
            m.s.stint = p as u32;
        }
        self.set_key(m, a, p);
    }
}

/// The first of `top_ups` from `next` on dated after `day`.
fn past(top_ups: &[TopUp], mut next: usize, day: NaiveDate) -> usize {
    while top_ups.get(next).is_some_and(|t| t.day <= day) {
        next += 1;
    }
    next
}
