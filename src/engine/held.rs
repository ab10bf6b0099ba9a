//! Which members a run keeps a day-by-day state for (an account, and where
//! every sharing member pays the same, its sharing): every member, or only
//! the few the period loop takes (the claimants and the member explained),
//! whose states are then kept side by side, in member order.

/// The members whose states a run keeps, and where each one's is.
#[derive(Clone, Debug)]
pub(super) enum Held {
    /// Every one of this many members, each at its own position.
    Every(usize),
    /// These members, in order, each at its position in the list.
    Only(Vec<u32>),
}

impl Held {
    /// Where member `i`'s state is (`usize::MAX`, a position no list
    /// has, for a member not held).
    pub(super) fn slot(&self, i: usize) -> usize {
        match self {
            Held::Every(_) => i,
            Held::Only(m) => m.binary_search(&(i as u32)).unwrap_or(usize::MAX),
        }
    }

    /// The first position holding a member from `i` on: where the states of
    /// the members before `i` end.
    pub(super) fn slots_before(&self, i: usize) -> usize {
        match self {
            Held::Every(n) => i.min(*n),
            Held::Only(m) => m.partition_point(|&k| (k as usize) < i),
        }
    }

    /// How many members are held.
    pub(super) fn len(&self) -> usize {
        match self {
            Held::Every(n) => *n,
            Held::Only(m) => m.len(),
        }
    }

    /// The member held at position `k`.
    pub(super) fn member(&self, k: usize) -> usize {
        match self {
            Held::Every(_) => k,
            Held::Only(m) => m[k] as usize,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Held;

    #[test]
    fn a_few_members_are_held_side_by_side_in_member_order() {
        let held = Held::Only(vec![3, 7, 20]);
        assert_eq!(held.len(), 3);
        assert_eq!([3, 7, 20].map(|i| held.slot(i)), [0, 1, 2]);
        assert_eq!(held.slot(4), usize::MAX);
        assert_eq!(
            [0, 3, 4, 8, 21].map(|i| held.slots_before(i)),
            [0, 0, 1, 2, 3]
        );
        assert_eq!(held.member(1), 7);
        let every = Held::Every(5);
        assert_eq!(
            (every.slot(4), every.slots_before(9), every.member(2)),
            (4, 5, 2)
        );
    }
}
