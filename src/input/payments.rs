//! The payments file: members' top-ups (`member_id,date,amount`).
//!
//! Read after the members, whose ids it names: every row is checked on all
//! cores (the member exists, the date is not before the member joined, the
//! amount is a positive number of fen), then the top-ups are kept member by
//! member, in date order. The join dates are checked once the top-ups are
//! grouped by member, each member's first top-up against its join date, so
//! that no row reads its member's record.

use super::InputErrors;
use super::Members;
use super::csvfile::{CsvFile, Problems, Row, Want, date, text};
use super::grouping::group_in_place;
use super::id_index::{BATCH, IdIndex, Key};
use super::stretches::{bounds, split_by};
use crate::money::Money;
use chrono::NaiveDate;
use rayon::prelude::*;
use std::path::Path;

/// Every member's top-ups: member `i`'s are `top_ups(i)`, in date order
/// (file order within a day).
#[derive(Clone, Debug, Default)]
pub struct Payments {
    /// `starts[i]..starts[i + 1]`: member i's top-ups.
    starts: Vec<u64>,
    /// Every top-up, member after member.
    top_ups: Vec<TopUp>,
}

/// One top-up: a member's payment into its account.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TopUp {
    pub day: NaiveDate,
    /// The amount, in fen.
    pub fen: i64,
    /// The member's number.
    member: u32,
}

impl TopUp {
    /// Member number `member`'s top-up of `fen` on `day`.
    pub fn new(member: u32, day: NaiveDate, fen: i64) -> TopUp {
        TopUp { day, fen, member }
    }
}

impl Payments {
    /// Top-ups in file order, for `members` members.
    pub fn new(members: usize, rows: Vec<TopUp>) -> Payments {
        Payments::placed(members, &[rows])
    }

    /// Top-ups read in parts, in file order, grouped by member on all
    /// cores (a counting sort: no copy of all the rows is sorted), then
    /// each member's put in date order where the file did not have them so.
    fn placed(members: usize, parts: &[Vec<TopUp>]) -> Payments {
        let pieces: Vec<&[TopUp]> = parts.iter().map(Vec::as_slice).collect();
        let (mut top_ups, starts) = group_in_place(&pieces, members, |t| t.member as usize);
        let bounds = bounds(members);
        let slots: Vec<usize> = bounds.iter().map(|&m| starts[m] as usize).collect();
        (bounds.windows(2).zip(split_by(&mut top_ups, &slots)))
            .collect::<Vec<_>>()
            .into_par_iter()
            .for_each(|(stretch, (offset, both))| {
                sort_each_by_date(&starts[stretch[0]..=stretch[1]], offset, both);
            });
        Payments { starts, top_ups }
    }

    /// Whether no member's top-up is dated before its join date (`join`, by member).
    fn none_before_joining(&self, join: &[NaiveDate]) -> bool {
        (0..join.len())
            .into_par_iter()
            .with_min_len(1 << 14)
            .all(|i| match self.top_ups(i).first() {
                Some(first) => first.day >= join[i],
                None => true,
            })
    }

    /// Member `i`'s top-ups: (day, amount), in date order.
    pub fn of(&self, i: usize) -> impl Iterator<Item = (NaiveDate, Money)> + '_ {
        self.top_ups(i).iter().map(|t| (t.day, Money(t.fen)))
    }

    /// Member `i`'s top-ups, in date order.
    pub fn top_ups(&self, i: usize) -> &[TopUp] {
        match (self.starts.get(i), self.starts.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.top_ups[a as usize..b as usize],
            _ => &[],
        }
    }

    /// How many top-ups there are.
    pub fn len(&self) -> usize {
        self.top_ups.len()
    }

    pub fn is_empty(&self) -> bool {
        self.top_ups.is_empty()
    }
}

/// Puts each member's top-ups in date order (file order within a day),
/// where they are not already: a stretch of members, the first of whose
/// top-ups is at `offset`, with the starts of their top-ups (one more
/// than the members) and the top-ups of all of them.
fn sort_each_by_date(starts: &[u64], offset: usize, both: &mut [TopUp]) {
    for w in starts.windows(2) {
        let of_one = &mut both[w[0] as usize - offset..w[1] as usize - offset];
        if !of_one.is_sorted_by_key(|t| t.day) {
            of_one.sort_by_key(|t| t.day);
        }
    }
}

/// A positive amount of fen written `12`, `12.5` or `12.50` (at most 15
/// digits before the point); `None` otherwise. Each byte is looked at
/// once: the amount is read as it is checked.
fn fen(raw: &[u8]) -> Option<i64> {
    // Spaces around it are rare: only then are they looked for.
    let digit_at = |b: Option<&u8>| b.is_some_and(u8::is_ascii_digit);
    let raw = match digit_at(raw.first()) && digit_at(raw.last()) {
        true => raw,
        false => raw.trim_ascii(),
    };
    let mut units: i64 = 0;
    let mut whole = 0;
    while let Some(&b) = raw.get(whole)
        && b.is_ascii_digit()
    {
        if whole == 15 {
            return None;
        }
        units = units * 10 + i64::from(b - b'0');
        whole += 1;
    }
    let digit = |b: u8| b.is_ascii_digit().then(|| i64::from(b - b'0'));
    let cents = match raw[whole..] {
        _ if whole == 0 => return None,
        [] => 0,
        [b'.', tens] => digit(tens)? * 10,
        [b'.', tens, ones] => digit(tens)? * 10 + digit(ones)?,
        _ => return None,
    };
    let v = units * 100 + cents;
    (v > 0).then_some(v)
}

/// Reads the payments file; every problem is reported at its line and column.
pub fn read_payments(path: &Path, members: &Members) -> Result<Payments, InputErrors> {
    let file = super::InputFile::open(path)?;
    let (name, path) = (file.name().to_string(), file.path());
    let mut problems = Problems::new(&name);
    let want = ["member_id", "date", "amount"].map(|name| Want {
        name,
        required: true,
    });
    let Some(mut csv) = CsvFile::open(path, &want, &mut problems) else {
        return Err(problems.into_errors());
    };
    let c: Vec<usize> = csv.columns.iter().map(|c| c.unwrap_or(0)).collect();
    let index = IdIndex::new(members);
    // Each row's member looked up as the file is read, in batches (their
    // cache misses overlap). A file with any problem is read again row by
    // row, so that every problem is reported in file order.
    if index.finds_all_by_key()
        && let Some((parts, block_problems)) = read_looked_up(path, csv.width, &name, &c, &index)
        && block_problems.is_empty()
    {
        let payments = Payments::placed(members.len(), &parts);
        if payments.none_before_joining(&members.join) {
            return Ok(payments);
        }
    }
    let mut rows: Vec<TopUp> = Vec::new();
    while let Some(rec) = csv.next(&mut problems) {
        if let Some(row) = payment_row(&rec, &c, (members, &index), &mut problems) {
            rows.push(row);
        }
    }
    if problems.is_empty() {
        Ok(Payments::new(members.len(), rows))
    } else {
        Err(problems.into_errors())
    }
}

/// The top-ups of one piece of the file, as they are read.
#[derive(Default)]
struct Part {
    /// Rows whose member is still to be looked up (fewer than a batch):
    /// their member id's key, and their day and fen.
    ids: Vec<Key>,
    pending: Vec<(NaiveDate, i64)>,
    found: Vec<Option<u32>>,
    top_ups: Vec<TopUp>,
    /// Whether a row names no member.
    unmatched: bool,
    /// The last date read, as written (see `ten_bytes`) and as a day (rows
    /// of one day often come together).
    last_date: Option<(u128, NaiveDate)>,
}

impl Part {
    /// The date in column `i`, or a problem; the same text as the last row's
    /// is not read again.
    fn date(&mut self, rec: &dyn Row, i: usize, problems: &mut Problems) -> Option<NaiveDate> {
        let raw = ten_bytes(rec.raw(i));
        if let Some((last, day)) = self.last_date
            && raw == Some(last)
        {
            return Some(day);
        }
        let day = date(rec, i, "date", problems)?;
        self.last_date = raw.map(|raw| (raw, day));
        Some(day)
    }

    /// Adds a row whose member id has the key `key`: at once where the
    /// key names the member, else once a batch of rows is pending.
    #[inline]
    fn add(&mut self, index: &IdIndex<'_>, key: Key, row: (NaiveDate, i64)) {
        match index.direct(key) {
            Some(Some(m)) => self.top_ups.push(TopUp::new(m, row.0, row.1)),
            Some(None) => self.unmatched = true,
            None => {
                self.ids.push(key);
                self.pending.push(row);
                if self.ids.len() == BATCH {
                    self.look_up(index);
                }
            }
        }
    }

    /// Looks up the members of the pending rows.
    fn look_up(&mut self, index: &IdIndex<'_>) {
        self.found.clear();
        index.get_batch(&self.ids, &mut self.found);
        for (&(day, fen), e) in self.pending.iter().zip(&self.found) {
            match e {
                Some(m) => self.top_ups.push(TopUp::new(*m, day, fen)),
                None => self.unmatched = true,
            }
        }
        self.ids.clear();
        self.pending.clear();
    }
}

/// Ten bytes (a date as written) as one number, to be compared at once;
/// `None` for any other length.
fn ten_bytes(raw: &[u8]) -> Option<u128> {
    let ten: &[u8; 10] = raw.try_into().ok()?;
    let mut all = [0u8; 16];
    all[..10].copy_from_slice(ten);
    Some(u128::from_le_bytes(all))
}

/// Reads every row in parallel blocks, checking the date and the amount
/// and looking up the member id, into parts in file order; `None` when the
/// file needs the record-by-record reader, or a row names no member.
fn read_looked_up(
    path: &Path,
    width: usize,
    name: &str,
    c: &[usize],
    index: &IdIndex<'_>,
) -> Option<(Vec<Vec<TopUp>>, Problems)> {
    let mut parts: Vec<Vec<TopUp>> = Vec::new();
    let mut unmatched = false;
    let problems = super::blocks::read_rows(
        path,
        width,
        name,
        |rec, problems, part: &mut Part| {
            // An id that is not UTF-8, or has other than ASCII spaces
            // around it, names no member here: the row-by-row reader
            // reports or finds it.
            let id = rec.raw(c[0]).trim_ascii();
            let day = part.date(rec, c[1], problems);
            let fen = amount(rec, c[2], problems);
            if id.is_empty() {
                problems.add(rec.line(), rec.column(c[0]), "`member_id` is empty");
            } else if let (Some(day), Some(fen)) = (day, fen) {
                part.add(index, index.key(id), (day, fen));
            }
        },
        |part| {
            part.look_up(index);
            unmatched |= std::mem::take(&mut part.unmatched);
            parts.push(std::mem::take(&mut part.top_ups));
        },
        &|_| {},
    )?;
    (!unmatched).then_some((parts, problems))
}

/// The amount of a row, or a problem.
#[inline]
fn amount(rec: &dyn Row, i: usize, problems: &mut Problems) -> Option<i64> {
    let fen = fen(rec.raw(i));
    if fen.is_none() {
        not_an_amount(rec, i, problems);
    }
    fen
}

/// Reports the amount of a row as not an amount.
#[cold]
fn not_an_amount(rec: &dyn Row, i: usize, problems: &mut Problems) {
    let raw = String::from_utf8_lossy(rec.raw(i));
    problems.add(
        rec.line(),
        rec.column(i),
        format!(
            "`amount` is `{}`; a top-up is a positive amount with at most two decimals, such as 10 or 10.50",
            super::csvfile::shown(raw.trim())
        ),
    );
}

/// Checks one row: its top-up, or `None` with the problems reported.
fn payment_row(
    rec: &dyn Row,
    c: &[usize],
    (members, index): (&Members, &IdIndex<'_>),
    problems: &mut Problems,
) -> Option<TopUp> {
    let id = text(rec, c[0], "member_id", problems).map(str::trim);
    let day = date(rec, c[1], "date", problems);
    let amount = amount(rec, c[2], problems);
    let member = match id {
        Some("") => {
            problems.add(rec.line(), rec.column(c[0]), "`member_id` is empty");
            None
        }
        Some(id) => {
            let m = index.find(id);
            if m.is_none() {
                problems.add(
                    rec.line(),
                    rec.column(c[0]),
                    format!(
                        "`member_id` is `{}`, which no member in the members file has",
                        super::csvfile::shown(id)
                    ),
                );
            }
            m
        }
        None => None,
    };
    if let (Some(m), Some(d)) = (member, day) {
        let join = members.join[m as usize];
        if d < join {
            problems.add(
                rec.line(),
                rec.column(c[1]),
                format!("`date` {d} is before the member joined on {join}"),
            );
            return None;
        }
    }
    Some(TopUp::new(member?, day?, amount?))
}

#[cfg(test)]
mod tests {
    use super::{Payments, TopUp, fen};
    use chrono::NaiveDate;

    #[test]
    fn top_ups_are_kept_by_member_in_date_order_then_file_order() {
        let d = |day: u32| NaiveDate::from_ymd_opt(2019, 1, day).expect("a day");
        // Member 2's rows out of date order, two on one day; member 1 has none.
        let rows = [
            (2, d(9), 1),
            (0, d(3), 2),
            (2, d(4), 3),
            (2, d(9), 4),
            (0, d(5), 5),
            (2, d(1), 6),
        ];
        let rows = rows.map(|(m, day, fen)| TopUp::new(m, day, fen)).to_vec();
        let p = Payments::new(3, rows);
        let of = |i: usize| -> Vec<(u32, i64)> {
            use chrono::Datelike;
            p.of(i).map(|(day, m)| (day.day(), m.fen())).collect()
        };
        assert_eq!(of(0), [(3, 2), (5, 5)]);
        assert_eq!(of(1), []);
        assert_eq!(of(2), [(1, 6), (4, 3), (9, 1), (9, 4)]);
        assert_eq!(p.len(), 6);
        assert_eq!(of(3), [], "no member 3");
    }

    #[test]
    fn amounts_are_positive_numbers_of_fen() {
        assert_eq!(fen(b"10"), Some(1000));
        assert_eq!(fen(b" 10.5 "), Some(1050));
        assert_eq!(fen(b"0.01"), Some(1));
        assert_eq!(fen(b"12.50"), Some(1250));
        assert_eq!(fen(b"999999999999999.99"), Some(99_999_999_999_999_999));
        for bad in [
            &b"1000000000000000"[..],
            b"1.2.3",
            b"1 .5",
            b".",
            &b"0"[..],
            b"0.00",
            b"-5",
            b"10.505",
            b"10.",
            b".5",
            b"1e3",
            b"",
            b"ten",
        ] {
            assert_eq!(fen(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }
}
