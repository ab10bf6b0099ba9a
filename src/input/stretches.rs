//! Work cut into one stretch per core: a range of keys (members, or hash
//! buckets) each core owns, so that it can count and place the items of its
//! own keys without locks, reading every item but touching only its keys.

/// `n` keys cut into one stretch per core: the bounds, from 0 to `n`.
pub fn bounds(n: usize) -> Vec<usize> {
    let stretches = rayon::current_num_threads().clamp(1, 64);
    (0..=stretches).map(|k| n * k / stretches).collect()
}

/// `v` cut at the `bounds` (from 0 to `v.len()`), each piece with where it starts.
pub fn split_by<'a, T>(v: &'a mut [T], bounds: &[usize]) -> Vec<(usize, &'a mut [T])> {
    let mut pieces = Vec::with_capacity(bounds.len());
    let mut rest = v;
    for w in bounds.windows(2) {
        let (piece, after) = std::mem::take(&mut rest).split_at_mut(w[1] - w[0]);
        pieces.push((w[0], piece));
        rest = after;
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pieces_cover_the_slice_in_order() {
        let mut v: Vec<u32> = (0..10).collect();
        let pieces = split_by(&mut v, &[0, 3, 3, 10]);
        let got: Vec<(usize, Vec<u32>)> =
            pieces.into_iter().map(|(a, p)| (a, p.to_vec())).collect();
        assert_eq!(
            got,
            [(0, vec![0, 1, 2]), (3, vec![]), (3, (3..10).collect())]
        );
        let b = bounds(7);
        assert_eq!((b[0], *b.last().unwrap()), (0, 7));
        assert!(b.is_sorted());
    }
}
