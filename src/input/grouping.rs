//! Items grouped by a key (a member, a hash bucket) on all cores, keeping
//! their order within a key: a counting sort in two steps, so that its
//! writes stay in the cores' caches instead of each one going to memory.
//!
//! The keys are cut into parts by their leading bits, a part small enough
//! for its items and its counts to fit in a core's cache. First every piece
//! of the input is counted by part and its items copied to their part's
//! place (a few hundred places written in turn, each a run); then each part,
//! on its own core, is counted by key and its items placed by key.

use super::stretches::split_by;
use rayon::prelude::*;

/// About how many items a part holds, so that they fit in cache.
const PART_ITEMS: usize = 8192;
/// At most this many leading bits of a key make its part.
const MOST_PART_BITS: u32 = 12;

/// The items of `pieces` (in order) grouped by `key` (below `keys`), in
/// key order and within a key in input order, each as `keep` gives it,
/// with where each key's items start (`keys + 1` entries, the last the
/// number of items).
pub fn group_by_key<T, O, K, F>(pieces: &[&[T]], keys: usize, key: K, keep: F) -> (Vec<O>, Vec<u64>)
where
    T: Copy + Default + Send + Sync,
    O: Copy + Default + Send + Sync,
    K: Fn(&T) -> usize + Sync,
    F: Fn(&T) -> O + Sync,
{
    let n: usize = pieces.iter().map(|p| p.len()).sum();
    let layout = Layout::new(n, keys);
    let (by_part, part_starts) = by_part(pieces, n, layout.parts, &|t| layout.part(key(t)));
    let mut out = filled(n);
    let mut starts = vec![0u64; keys + 1];
    let items = part_starts.windows(2).map(|w| &by_part[w[0]..w[1]]);
    (split_by(&mut out, &part_starts).into_iter())
        .zip(split_by(&mut starts[..keys], &layout.key_bounds(keys)))
        .zip(items)
        .collect::<Vec<_>>()
        .into_par_iter()
        .for_each(|(((first_item, out), (first_key, starts)), items)| {
            place_by_key(items, first_key, starts, out, &key, &keep);
            shift(starts, first_item);
        });
    starts[keys] = n as u64;
    (out, starts)
}

/// `group_by_key` keeping the items as they are: each part is placed by
/// key where it lies, from a copy in the core's cache, so that no second
/// vector of all the items is written.
pub fn group_in_place<T, K>(pieces: &[&[T]], keys: usize, key: K) -> (Vec<T>, Vec<u64>)
where
    T: Copy + Default + Send + Sync,
    K: Fn(&T) -> usize + Sync,
{
    let n: usize = pieces.iter().map(|p| p.len()).sum();
    let layout = Layout::new(n, keys);
    let (mut grouped, part_starts) = by_part(pieces, n, layout.parts, &|t| layout.part(key(t)));
    let mut starts = vec![0u64; keys + 1];
    (split_by(&mut grouped, &part_starts).into_iter())
        .zip(split_by(&mut starts[..keys], &layout.key_bounds(keys)))
        .collect::<Vec<_>>()
        .into_par_iter()
        .for_each_init(
            Vec::new,
            |copy, ((first_item, items), (first_key, starts))| {
                copy.clear();
                copy.extend_from_slice(items);
                place_by_key(copy, first_key, starts, items, &key, &|t: &T| *t);
                shift(starts, first_item);
            },
        );
    starts[keys] = n as u64;
    (grouped, starts)
}

/// How keys are cut into parts: by their leading bits, so that a part's
/// items and counts fit in a core's cache.
struct Layout {
    parts: usize,
    /// The bits of a key below those that make its part.
    low_bits: u32,
}

impl Layout {
    /// The parts for `n` items with keys below `keys`.
    fn new(n: usize, keys: usize) -> Layout {
        let key_bits = usize::BITS - keys.saturating_sub(1).leading_zeros();
        let wanted = (n / PART_ITEMS).max(1).ilog2().min(MOST_PART_BITS);
        let low_bits = key_bits - wanted.min(key_bits);
        Layout {
            parts: (keys.saturating_sub(1) >> low_bits) + 1,
            low_bits,
        }
    }

    fn part(&self, key: usize) -> usize {
        key >> self.low_bits
    }

    /// The first key of each part, then `keys`.
    fn key_bounds(&self, keys: usize) -> Vec<usize> {
        (0..=self.parts)
            .map(|q| (q << self.low_bits).min(keys))
            .collect()
    }
}

/// A part's key starts, from within the part to within all the items.
fn shift(starts: &mut [u64], first_item: usize) {
    for s in starts.iter_mut() {
        *s += first_item as u64;
    }
}

/// Step one: the items by part, in input order within a part, and where
/// each part starts (`parts + 1` entries).
fn by_part<T, P>(pieces: &[&[T]], n: usize, parts: usize, part_of: &P) -> (Vec<T>, Vec<usize>)
where
    T: Copy + Default + Send + Sync,
    P: Fn(&T) -> usize + Sync,
{
    let counts: Vec<Vec<usize>> = pieces
        .par_iter()
        .map(|piece| {
            let mut c = vec![0usize; parts];
            for t in *piece {
                c[part_of(t)] += 1;
            }
            c
        })
        .collect();
    // Each part's items, piece after piece.
    let mut bounds = Vec::with_capacity(parts * pieces.len() + 1);
    bounds.push(0);
    let mut at = 0;
    for q in 0..parts {
        for c in &counts {
            at += c[q];
            bounds.push(at);
        }
    }
    let mut out = filled(n);
    let mut places: Vec<Vec<&mut [T]>> = pieces.iter().map(|_| Vec::new()).collect();
    for (k, (_, place)) in split_by(&mut out, &bounds).into_iter().enumerate() {
        places[k % pieces.len()].push(place);
    }
    pieces
        .par_iter()
        .zip(places)
        .for_each(|(piece, mut places)| {
            let mut filled = vec![0usize; parts];
            for t in *piece {
                let q = part_of(t);
                places[q][filled[q]] = *t;
                filled[q] += 1;
            }
        });
    let part_starts = (0..=parts).map(|q| bounds[q * pieces.len()]).collect();
    (out, part_starts)
}

/// `n` default values, written on all cores (a large vector's memory is
/// first touched, and so mapped by the system, on every core).
fn filled<T: Copy + Default + Send + Sync>(n: usize) -> Vec<T> {
    let mut v = Vec::with_capacity(n);
    v.par_extend(rayon::iter::repeat_n(T::default(), n));
    v
}

/// Step two, for one part: its items placed in `out` by key (the part's
/// keys start at `first_key`), as `keep` gives them, and `starts[k]` where
/// key `first_key + k`'s items start within `out`.
fn place_by_key<T, O, K: Fn(&T) -> usize, F: Fn(&T) -> O>(
    items: &[T],
    first_key: usize,
    starts: &mut [u64],
    out: &mut [O],
    key: &K,
    keep: &F,
) {
    for t in items {
        starts[key(t) - first_key] += 1;
    }
    let mut sum = 0;
    for s in starts.iter_mut() {
        let c = *s;
        *s = sum;
        sum += c;
    }
    let mut next = starts.to_vec();
    for t in items {
        let k = &mut next[key(t) - first_key];
        out[*k as usize] = keep(t);
        *k += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against a stable sort: every size of input and of key space, cut
    /// into pieces of every shape, including empty ones.
    #[test]
    fn items_are_grouped_by_key_in_input_order() {
        let mut seed = 7u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for (n, keys) in [
            (0, 0),
            (0, 5),
            (1, 1),
            (5, 1),
            (100, 3),
            (70_000, 1000),
            (50_000, 200_000),
        ] {
            let items: Vec<(u32, u32)> = (0..n)
                .map(|k| ((next() % keys.max(1) as u64) as u32, k as u32))
                .collect();
            let cut = [0, n / 3, n / 3, n / 2, n];
            let pieces: Vec<&[(u32, u32)]> = cut.windows(2).map(|w| &items[w[0]..w[1]]).collect();
            let (grouped, starts) = group_by_key(&pieces, keys, |t| t.0 as usize, |&t| t);
            let mut want = items.clone();
            want.sort_by_key(|t| t.0);
            assert_eq!(grouped, want, "{n} items, {keys} keys");
            let in_place = group_in_place(&pieces, keys, |t| t.0 as usize);
            assert_eq!((&in_place.0, &in_place.1), (&grouped, &starts), "in place");
            assert_eq!(starts.len(), keys + 1);
            for k in 0..keys {
                let of_k = &grouped[starts[k] as usize..starts[k + 1] as usize];
                assert!(of_k.iter().all(|t| t.0 as usize == k), "key {k}");
            }
            assert_eq!(starts[keys], n as u64);
        }
    }
}
