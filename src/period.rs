//! Sharing periods: a period runs from the day after one closing day through the next.

use chrono::{Datelike, NaiveDate};

/// A closing day of the month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CloseDay {
    /// Day 1 to 28.
    Day(u8),
    /// The last day of the month.
    Last,
}

/// One sharing period, both days included; `end` is the closing day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// The closing days of a plan, sorted, at least one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Calendar {
    days: Vec<CloseDay>,
}

impl Calendar {
    pub fn new(mut days: Vec<CloseDay>) -> Calendar {
        days.sort();
        days.dedup();
        if days.is_empty() {
            days.push(CloseDay::Last);
        }
        Calendar { days }
    }

    pub fn days(&self) -> &[CloseDay] {
        &self.days
    }

    fn closings(&self, year: i32, month: u32) -> impl Iterator<Item = NaiveDate> + '_ {
        self.days.iter().filter_map(move |d| match d {
            CloseDay::Day(n) => NaiveDate::from_ymd_opt(year, month, u32::from(*n)),
            CloseDay::Last => last_day(year, month),
        })
    }

    /// The first closing day on or after `d`.
    pub fn closing_on_or_after(&self, d: NaiveDate) -> NaiveDate {
        let (mut y, mut m) = (d.year(), d.month());
        loop {
            if let Some(c) = self.closings(y, m).find(|c| *c >= d) {
                return c;
            }
            (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            if y > 9999 {
                return NaiveDate::MAX;
            }
        }
    }

    /// The last closing day strictly before `d`.
    pub fn closing_before(&self, d: NaiveDate) -> NaiveDate {
        let (mut y, mut m) = (d.year(), d.month());
        loop {
            if let Some(c) = self.closings(y, m).filter(|c| *c < d).last() {
                return c;
            }
            (y, m) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
            if y < -9999 {
                return NaiveDate::MIN;
            }
        }
    }

    pub fn period_containing(&self, d: NaiveDate) -> Period {
        Period {
            start: self.closing_before(d).succ_opt().unwrap_or(d),
            end: self.closing_on_or_after(d),
        }
    }

    /// Every period from the one holding `from` that has closed by `until`:
    /// the last is the one whose closing day is on or before `until`.
    pub fn periods(&self, from: NaiveDate, until: NaiveDate) -> Vec<Period> {
        let mut out = Vec::new();
        let mut p = self.period_containing(from);
        while p.end <= until {
            out.push(p);
            let Some(next) = p.end.succ_opt() else { break };
            p = Period {
                start: next,
                end: self.closing_on_or_after(next),
            };
        }
        out
    }
}

fn last_day(year: i32, month: u32) -> Option<NaiveDate> {
    let (ny, nm) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(ny, nm, 1)?.pred_opt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn periods_between_closing_days() {
        let c = Calendar::new(vec![CloseDay::Day(20), CloseDay::Day(6)]);
        assert_eq!(
            c.period_containing(d("2018-10-16")),
            Period {
                start: d("2018-10-07"),
                end: d("2018-10-20")
            }
        );
        let ps = c.periods(d("2018-10-16"), d("2018-11-06"));
        assert_eq!(ps.len(), 2);
        assert_eq!(
            ps[1],
            Period {
                start: d("2018-10-21"),
                end: d("2018-11-06")
            }
        );
        assert_eq!(c.period_containing(d("2019-01-01")).start, d("2018-12-21"));
    }

    #[test]
    fn last_day_of_month() {
        let c = Calendar::new(vec![CloseDay::Last]);
        assert_eq!(c.period_containing(d("2020-02-10")).end, d("2020-02-29"));
        assert_eq!(c.period_containing(d("2020-03-01")).start, d("2020-03-01"));
    }
}
