//! Reading members and claims: CSV files with a header row, every problem
//! reported as `file:line:column: message`.

mod blocks;
mod claims;
mod csvfile;
mod members;

pub use claims::{Claim, Claims, read_claims};

/// A member id as the index keeps it: ids of up to 24 bytes are stored
/// inline, so finding one touches one place in memory.
pub type Id = compact_str::CompactString;
/// Member ids to index while reading the members file.
pub type IdSet = rustc_hash::FxHashSet<Id>;
pub use csvfile::{InputError, InputErrors, parse_iso_date};
pub use members::{Members, evaluate, read_members, read_members_with_progress};

/// An exact decimal: `650` → (650, 0), `-0.5` → (-5, 1). None if not a number.
pub fn parse_decimal(text: &str) -> Option<(i128, u32)> {
    let (neg, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    if !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 18
        || whole.len() > 18
    {
        return None;
    }
    let mut v: i128 = 0;
    for b in whole.bytes().chain(frac.bytes()) {
        v = v * 10 + i128::from(b - b'0');
    }
    Some((if neg { -v } else { v }, frac.len() as u32))
}
