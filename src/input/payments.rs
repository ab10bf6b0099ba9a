//! The payments file: members' top-ups (`member_id,date,amount`).
//!
//! Read after the members, whose ids it names: every row is checked on all
//! cores (the member exists, the date is not before the member joined, the
//! amount is a positive number of fen), then the top-ups are kept member by
//! member, in date order.

use super::InputErrors;
use super::Members;
use super::csvfile::{CsvFile, Problems, Row, Want, date, text};
use crate::money::Money;
use chrono::NaiveDate;
use std::path::Path;

/// Every member's top-ups: member `i`'s are `at(i)`, in date order (file
/// order within a day).
#[derive(Clone, Debug, Default)]
pub struct Payments {
    /// `starts[i]..starts[i + 1]`: member i's top-ups.
    starts: Vec<u64>,
    days: Vec<NaiveDate>,
    amounts: Vec<i64>,
}

impl Payments {
    /// Top-ups as (member, day, amount in fen), in any order, for `members` members.
    pub fn new(members: usize, mut rows: Vec<(u32, NaiveDate, i64)>) -> Payments {
        use rayon::prelude::*;
        // A stable sort keeps the file order of one member's top-ups of one day.
        rows.par_sort_by_key(|&(m, d, _)| (m, d));
        let mut starts = vec![0u64; members + 1];
        for &(m, _, _) in &rows {
            starts[m as usize + 1] += 1;
        }
        for i in 0..members {
            starts[i + 1] += starts[i];
        }
        let (days, amounts) = rows.into_par_iter().map(|(_, d, a)| (d, a)).unzip();
        Payments {
            starts,
            days,
            amounts,
        }
    }

    /// Member `i`'s top-ups: (day, amount), in date order.
    pub fn of(&self, i: usize) -> impl Iterator<Item = (NaiveDate, Money)> + '_ {
        let (a, b) = match (self.starts.get(i), self.starts.get(i + 1)) {
            (Some(&a), Some(&b)) => (a as usize, b as usize),
            _ => (0, 0),
        };
        self.days[a..b]
            .iter()
            .zip(&self.amounts[a..b])
            .map(|(&d, &m)| (d, Money(m)))
    }

    /// Member `i`'s top-ups as slices of days and amounts (fen).
    pub fn slices(&self, i: usize) -> (&[NaiveDate], &[i64]) {
        match (self.starts.get(i), self.starts.get(i + 1)) {
            (Some(&a), Some(&b)) => (
                &self.days[a as usize..b as usize],
                &self.amounts[a as usize..b as usize],
            ),
            _ => (&[], &[]),
        }
    }

    /// How many top-ups there are.
    pub fn len(&self) -> usize {
        self.days.len()
    }

    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
    }
}

/// A positive amount of fen written `12`, `12.5` or `12.50`; `None` otherwise.
fn fen(raw: &[u8]) -> Option<i64> {
    let raw = raw.trim_ascii();
    let (whole, frac) = match memchr::memchr(b'.', raw) {
        Some(i) => (&raw[..i], &raw[i + 1..]),
        None => (raw, &b""[..]),
    };
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    if whole.is_empty()
        || whole.len() > 15
        || frac.len() > 2
        || (raw.contains(&b'.') && frac.is_empty())
        || !digits(whole)
        || !digits(frac)
    {
        return None;
    }
    let mut v: i64 = 0;
    for &b in whole {
        v = v * 10 + i64::from(b - b'0');
    }
    for k in 0..2 {
        v = v * 10 + frac.get(k).map_or(0, |&b| i64::from(b - b'0'));
    }
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
    let index = super::id_index::IdIndex::new(members);
    let hashed = if index.hashes_unique() {
        read_hashed(path, csv.width, &name, &c)
    } else {
        None
    };
    // Each row's member looked up in a loop of lookups alone (their cache
    // misses overlap). A file with any problem is read again row by row,
    // so that every problem is reported in file order.
    if let Some((rows, block_problems)) = hashed
        && block_problems.is_empty()
        && let Some(found) = look_up(&index, &rows)
    {
        return Ok(Payments::new(members.len(), found));
    }
    let mut rows: Vec<(u32, NaiveDate, i64)> = Vec::new();
    while let Some(rec) = csv.next(&mut problems) {
        if let Some(row) = payment_row(&rec, &c, members, &index, &mut problems) {
            rows.push(row);
        }
    }
    if problems.is_empty() {
        Ok(Payments::new(members.len(), rows))
    } else {
        Err(problems.into_errors())
    }
}

/// A row as first read: its member id's two hashes, day and fen.
struct Hashed {
    id: (u64, u32),
    day: NaiveDate,
    fen: i64,
}

/// Reads every row in parallel blocks, checking the date and the amount
/// and hashing the member id; `None` when the file needs the record-by-record reader.
fn read_hashed(
    path: &Path,
    width: usize,
    name: &str,
    c: &[usize],
) -> Option<(Vec<Hashed>, Problems)> {
    let mut rows: Vec<Hashed> = Vec::new();
    let problems = super::blocks::read_rows(
        path,
        width,
        name,
        |rec, problems, part: &mut Vec<Hashed>| {
            let id = text(rec, c[0], "member_id", problems).map(str::trim);
            let day = date(rec, c[1], "date", problems);
            let fen = amount(rec, c[2], problems);
            match id {
                Some("") => problems.add(rec.line(), rec.column(c[0]), "`member_id` is empty"),
                Some(id) => {
                    if let (Some(day), Some(fen)) = (day, fen) {
                        let id = super::id_index::hashes(id.as_bytes());
                        part.push(Hashed { id, day, fen });
                    }
                }
                None => {}
            }
        },
        |part| rows.append(part),
        &|_| {},
    )?;
    Some((rows, problems))
}

/// Each row's (member, day, fen); `None` when some row names no member or
/// is dated before its member joined.
fn look_up(
    index: &super::id_index::IdIndex,
    rows: &[Hashed],
) -> Option<Vec<(u32, NaiveDate, i64)>> {
    use rayon::prelude::*;
    let found: Vec<Option<super::id_index::Entry>> =
        rows.par_iter().map(|r| index.get(r.id)).collect();
    rows.par_iter()
        .zip(found)
        .map(|(r, e)| {
            let e = e.filter(|e| e.join <= r.day)?;
            Some((e.member, r.day, r.fen))
        })
        .collect()
}

/// The amount of a row, or a problem.
fn amount(rec: &dyn Row, i: usize, problems: &mut Problems) -> Option<i64> {
    let fen = fen(rec.raw(i));
    if fen.is_none() {
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
    fen
}

/// Checks one row: (member, day, fen), or `None` with the problems reported.
fn payment_row(
    rec: &dyn Row,
    c: &[usize],
    members: &Members,
    index: &super::id_index::IdIndex,
    problems: &mut Problems,
) -> Option<(u32, NaiveDate, i64)> {
    let id = text(rec, c[0], "member_id", problems).map(str::trim);
    let day = date(rec, c[1], "date", problems);
    let amount = amount(rec, c[2], problems);
    let member = match id {
        Some("") => {
            problems.add(rec.line(), rec.column(c[0]), "`member_id` is empty");
            None
        }
        Some(id) => {
            let m = index.find(members, id);
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
        let join = m.join;
        if d < join {
            problems.add(
                rec.line(),
                rec.column(c[1]),
                format!("`date` {d} is before the member joined on {join}"),
            );
            return None;
        }
    }
    Some((member?.member, day?, amount?))
}

#[cfg(test)]
mod tests {
    use super::fen;

    #[test]
    fn amounts_are_positive_numbers_of_fen() {
        assert_eq!(fen(b"10"), Some(1000));
        assert_eq!(fen(b" 10.5 "), Some(1050));
        assert_eq!(fen(b"0.01"), Some(1));
        for bad in [
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
