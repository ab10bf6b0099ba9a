//! Which sharing period a day falls in, read from a table of the days the
//! periods span rather than searched for: taking ten million members
//! through a year asks it several times for each member.

use crate::period::Period;
use chrono::{Datelike, NaiveDate};

/// Periods spanning more days than this are searched for, not tabled.
const MOST_DAYS: usize = 1 << 20;

/// The closing days of a run's periods, with the period of each day between them.
#[derive(Clone, Debug)]
pub(crate) struct PeriodOfDay {
    ends: Vec<NaiveDate>,
    /// The key (see `key`) of the first closing day.
    first: i32,
    /// For each key after `first`, up to that of the last closing day: how
    /// many periods close before the day (empty where the span is too long).
    table: Vec<u32>,
}

/// A number for each day, rising with the day: its year and its day of
/// the year, side by side (some numbers, day 366 of a common year, are of
/// no day).
fn key(d: NaiveDate) -> i32 {
    (d.year() << 9) | d.ordinal() as i32
}

impl PeriodOfDay {
    pub(crate) fn new(periods: &[Period]) -> PeriodOfDay {
        let ends: Vec<NaiveDate> = periods.iter().map(|p| p.end).collect();
        let (Some(&first), Some(&last)) = (ends.first(), ends.last()) else {
            return PeriodOfDay {
                ends,
                first: 0,
                table: Vec::new(),
            };
        };
        let (first, last) = (key(first), key(last));
        let span = (last - first) as usize;
        let mut table = Vec::new();
        if span <= MOST_DAYS {
            table.reserve_exact(span);
            // Days after closing day j and up to closing day j + 1 are in period j + 1.
            for (j, w) in ends.windows(2).enumerate() {
                let (a, b) = (key(w[0]), key(w[1]));
                table.extend(std::iter::repeat_n(j as u32 + 1, (b - a) as usize));
            }
        }
        PeriodOfDay { ends, first, table }
    }

    /// How many periods there are.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The closing day of each period.
    pub(crate) fn ends(&self) -> &[NaiveDate] {
        &self.ends
    }

    /// How many periods close before day `d`: the index of the period `d`
    /// falls in, or the number of periods for a day after the last one.
    #[inline]
    pub(crate) fn period_of(&self, d: NaiveDate) -> usize {
        let k = key(d);
        if k <= self.first {
            return 0;
        }
        match self.table.get((k - self.first - 1) as usize) {
            Some(&p) => p as usize,
            None if self.table.is_empty() => self.ends.partition_point(|&e| e < d),
            None => self.ends.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("a date")
    }

    /// Periods closing on the given days, each starting the day after the last.
    fn periods(ends: &[&str]) -> Vec<Period> {
        let mut start = day("2016-01-01");
        ends.iter()
            .map(|e| {
                let end = day(e);
                let p = Period { start, end };
                start = end.succ_opt().expect("a next day");
                p
            })
            .collect()
    }

    #[test]
    fn every_day_gets_the_period_a_search_gives() {
        let ps = periods(&[
            "2016-02-05",
            "2016-02-29",
            "2016-12-31",
            "2017-01-05",
            "2019-03-01",
        ]);
        let table = PeriodOfDay::new(&ps);
        assert_eq!(table.len(), 5);
        let mut d = day("2015-12-01");
        while d < day("2019-06-01") {
            let searched = ps.partition_point(|p| p.end < d);
            assert_eq!(table.period_of(d), searched, "on {d}");
            d = d.succ_opt().expect("a next day");
        }
        assert_eq!(table.period_of(day("2016-02-05")), 0);
        assert_eq!(table.period_of(day("2016-02-06")), 1);
        assert_eq!(table.period_of(day("2019-03-02")), 5);
        assert_eq!(table.period_of(NaiveDate::MAX), 5);
        assert_eq!(table.period_of(NaiveDate::MIN), 0);
    }

    #[test]
    fn periods_too_long_to_table_are_searched() {
        let ps = periods(&["2016-02-05", "9000-01-01"]);
        let table = PeriodOfDay::new(&ps);
        assert!(table.table.is_empty());
        assert_eq!(table.period_of(day("2016-02-05")), 0);
        assert_eq!(table.period_of(day("2016-02-06")), 1);
        assert_eq!(table.period_of(day("9000-01-01")), 1);
        assert_eq!(table.period_of(day("9000-01-02")), 2);
    }

    #[test]
    fn no_periods_put_every_day_before_them() {
        let table = PeriodOfDay::new(&[]);
        assert_eq!(table.len(), 0);
        assert_eq!(table.period_of(day("2016-02-05")), 0);
    }
}
