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
use rayon::prelude::*;
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
    /// Top-ups as (member, day, amount in fen), in file order, for `members` members.
    pub fn new(members: usize, rows: Vec<(u32, NaiveDate, i64)>) -> Payments {
        let member: Vec<u32> = rows.iter().map(|r| r.0).collect();
        let rows: Vec<Hashed> = (rows.into_iter())
            .map(|(_, day, fen)| Hashed {
                id: (0, 0),
                day,
                fen,
            })
            .collect();
        Payments::placed(members, &[member], &[rows])
    }

    /// Top-ups read in parts, in file order: `member[k][j]` is the member of
    /// `rows[k][j]`'s top-up. Each is placed at once among its member's (a
    /// counting sort: no copy of all the rows is sorted), and one member's
    /// top-ups are then put in date order where the file did not have them so.
    fn placed<P: AsRef<[Hashed]> + Sync>(
        members: usize,
        member: &[Vec<u32>],
        rows: &[P],
    ) -> Payments {
        // `at[i]`: first the end of member i's top-ups; after placing them
        // from the last row back, the start, in file order.
        let mut at = vec![0u64; members + 1];
        for &m in member.iter().flatten() {
            at[m as usize] += 1;
        }
        let mut total = 0;
        for a in at.iter_mut() {
            total += *a;
            *a = total;
        }
        let n = total as usize;
        let mut days = vec![NaiveDate::MIN; n];
        let mut amounts = vec![0i64; n];
        // One stretch of members per core: each reads every row's member and
        // places the top-ups of its own members only.
        let stretches = rayon::current_num_threads().clamp(1, 64);
        let bounds: Vec<usize> = (0..=stretches).map(|k| members * k / stretches).collect();
        let first_slot = |m: usize| if m == 0 { 0 } else { at[m - 1] as usize };
        let slots: Vec<usize> = bounds.iter().map(|&m| first_slot(m)).collect();
        let mut jobs = Vec::with_capacity(stretches);
        let (mut at_rest, mut days_rest, mut amounts_rest) =
            (&mut at[..members], &mut days[..], &mut amounts[..]);
        for k in 0..stretches {
            let (a, a_rest) = std::mem::take(&mut at_rest).split_at_mut(bounds[k + 1] - bounds[k]);
            let (d, d_rest) = std::mem::take(&mut days_rest).split_at_mut(slots[k + 1] - slots[k]);
            let (f, f_rest) =
                std::mem::take(&mut amounts_rest).split_at_mut(slots[k + 1] - slots[k]);
            jobs.push((bounds[k], slots[k], a, d, f));
            (at_rest, days_rest, amounts_rest) = (a_rest, d_rest, f_rest);
        }
        jobs.into_par_iter()
            .for_each(|(first, offset, at, days, amounts)| {
                let (lo, hi) = (first as u32, (first + at.len()) as u32);
                for (part, ms) in rows.iter().zip(member).rev() {
                    for (r, &m) in part.as_ref().iter().zip(ms).rev() {
                        if m < lo || m >= hi {
                            continue;
                        }
                        let slot = &mut at[(m - lo) as usize];
                        *slot -= 1;
                        let k = *slot as usize - offset;
                        days[k] = r.day;
                        amounts[k] = r.fen;
                    }
                }
            });
        at[members] = n as u64;
        let mut p = Payments {
            starts: at,
            days,
            amounts,
        };
        p.sort_each_by_date();
        p
    }

    /// Puts each member's top-ups in date order (file order within a day),
    /// where they are not already.
    fn sort_each_by_date(&mut self) {
        for i in 0..self.starts.len().saturating_sub(1) {
            let (a, b) = (self.starts[i] as usize, self.starts[i + 1] as usize);
            if self.days[a..b].is_sorted() {
                continue;
            }
            let mut both: Vec<(NaiveDate, i64)> =
                (a..b).map(|k| (self.days[k], self.amounts[k])).collect();
            both.sort_by_key(|&(d, _)| d);
            for (k, (d, f)) in (a..b).zip(both) {
                self.days[k] = d;
                self.amounts[k] = f;
            }
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
    if let Some((parts, block_problems)) = hashed
        && block_problems.is_empty()
        && let Some(member) = look_up(&index, &parts)
    {
        return Ok(Payments::placed(members.len(), &member, &parts));
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
/// and hashing the member id, into parts in file order; `None` when the
/// file needs the record-by-record reader.
fn read_hashed(
    path: &Path,
    width: usize,
    name: &str,
    c: &[usize],
) -> Option<(Vec<Vec<Hashed>>, Problems)> {
    let mut rows: Vec<Vec<Hashed>> = Vec::new();
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
        |part| rows.push(std::mem::take(part)),
        &|_| {},
    )?;
    Some((rows, problems))
}

/// Each row's member, part by part; `None` when some row names no member
/// or is dated before its member joined.
fn look_up(index: &super::id_index::IdIndex<'_>, parts: &[Vec<Hashed>]) -> Option<Vec<Vec<u32>>> {
    use rayon::prelude::*;
    parts
        .par_iter()
        .map(|part| {
            part.iter()
                .map(|r| {
                    let e = index.get(r.id).filter(|e| e.join <= r.day)?;
                    Some(e.member)
                })
                .collect()
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
    index: &super::id_index::IdIndex<'_>,
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
    use super::{Payments, fen};
    use chrono::NaiveDate;

    #[test]
    fn top_ups_are_kept_by_member_in_date_order_then_file_order() {
        let d = |day: u32| NaiveDate::from_ymd_opt(2019, 1, day).expect("a day");
        // Member 2's rows out of date order, two on one day; member 1 has none.
        let rows = vec![
            (2, d(9), 1),
            (0, d(3), 2),
            (2, d(4), 3),
            (2, d(9), 4),
            (0, d(5), 5),
            (2, d(1), 6),
        ];
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
