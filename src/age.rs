//! Ages (周岁 and days of life), age ranges and the dates they turn on.

use chrono::{Datelike, NaiveDate};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AgeUnit {
    Days,
    Years,
}

/// An age as the plan writes it: `30 days`, `59 years`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Age {
    pub value: u32,
    pub unit: AgeUnit,
}

impl Age {
    pub fn days(value: u32) -> Age {
        Age {
            value,
            unit: AgeUnit::Days,
        }
    }

    pub fn years(value: u32) -> Age {
        Age {
            value,
            unit: AgeUnit::Years,
        }
    }

    /// The date on which someone born on `birth` reaches this age.
    pub fn reached_on(self, birth: NaiveDate) -> NaiveDate {
        match self.unit {
            AgeUnit::Days => birth
                .checked_add_days(chrono::Days::new(u64::from(self.value)))
                .unwrap_or(NaiveDate::MAX),
            AgeUnit::Years => add_years(birth, self.value),
        }
    }

    /// The next age in this unit: the first age past `self`.
    pub fn next(self) -> Age {
        Age {
            value: self.value + 1,
            unit: self.unit,
        }
    }

    /// Approximate length in days, for ordering ages of different units.
    pub fn approx_days(self) -> u64 {
        match self.unit {
            AgeUnit::Days => u64::from(self.value),
            AgeUnit::Years => u64::from(self.value) * 36525 / 100,
        }
    }
}

impl fmt::Display for Age {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match (self.unit, self.value) {
            (AgeUnit::Days, 1) => "day",
            (AgeUnit::Days, _) => "days",
            (AgeUnit::Years, 1) => "year",
            (AgeUnit::Years, _) => "years",
        };
        write!(f, "{} {}", self.value, unit)
    }
}

/// `date + n years`; 29 February lands on 28 February in a year without one.
pub fn add_years(date: NaiveDate, n: u32) -> NaiveDate {
    let year = i64::from(date.year()) + i64::from(n);
    let Ok(year) = i32::try_from(year) else {
        return NaiveDate::MAX;
    };
    date.with_year(year)
        .or_else(|| NaiveDate::from_ymd_opt(year, 2, 28))
        .unwrap_or(NaiveDate::MAX)
}

/// The day of the year, as (month, day), on which someone born on `birth`
/// has their birthday in `year`: 29 February becomes 28 February in a year without one.
#[inline]
fn birthday_in(birth: NaiveDate, year: i32) -> (u32, u32) {
    let (m, d) = (birth.month(), birth.day());
    if m == 2 && d == 29 && NaiveDate::from_ymd_opt(year, 2, 29).is_none() {
        (2, 28)
    } else {
        (m, d)
    }
}

/// The largest n with `birth + n years <= d` (周岁). Zero before the first birthday.
#[inline]
pub fn age_years(birth: NaiveDate, d: NaiveDate) -> u32 {
    if d < birth {
        return 0;
    }
    let n = (d.year() - birth.year()) as u32;
    if (d.month(), d.day()) < birthday_in(birth, d.year()) {
        n - 1
    } else {
        n
    }
}

/// Days from `birth` to `d`.
pub fn age_days(birth: NaiveDate, d: NaiveDate) -> i64 {
    (d - birth).num_days()
}

/// Someone's age on one day, in both units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AgeOn {
    pub days: i64,
    pub years: u32,
}

impl AgeOn {
    /// The age of someone born on `birth` on day `d`; `None` before birth.
    pub fn new(birth: NaiveDate, d: NaiveDate) -> Option<AgeOn> {
        (d >= birth).then(|| AgeOn {
            days: age_days(birth, d),
            years: age_years(birth, d),
        })
    }
}

/// `A to B`: holds when the age is at least A and, in B's unit, at most B.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AgeRange {
    pub from: Age,
    pub to: Age,
}

impl AgeRange {
    /// The first day on which the range holds for someone born on `birth`.
    pub fn starts(self, birth: NaiveDate) -> NaiveDate {
        self.from.reached_on(birth)
    }

    /// The first day on which the range no longer holds (exclusive end).
    pub fn ends(self, birth: NaiveDate) -> NaiveDate {
        self.to.next().reached_on(birth)
    }

    /// Whether `age` is in the range: at least `from` and, in `to`'s unit,
    /// at most `to`. (`contains` for many ranges and one person on one day.)
    pub fn holds(self, age: AgeOn) -> bool {
        let in_unit = |unit| match unit {
            AgeUnit::Days => age.days,
            AgeUnit::Years => i64::from(age.years),
        };
        in_unit(self.from.unit) >= i64::from(self.from.value)
            && in_unit(self.to.unit) <= i64::from(self.to.value)
    }

    /// Whether someone born on `birth` is of an age in the range on day `d`:
    /// at least `from` and, in `to`'s unit, at most `to`.
    #[inline]
    pub fn contains(self, birth: NaiveDate, d: NaiveDate) -> bool {
        if d < birth {
            return false;
        }
        let at_least = match self.from.unit {
            AgeUnit::Days => age_days(birth, d) >= i64::from(self.from.value),
            AgeUnit::Years => age_years(birth, d) >= self.from.value,
        };
        let at_most = match self.to.unit {
            AgeUnit::Days => age_days(birth, d) <= i64::from(self.to.value),
            AgeUnit::Years => age_years(birth, d) <= self.to.value,
        };
        at_least && at_most
    }
}

impl fmt::Display for AgeRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} to {}", self.from, self.to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_holds_an_age_exactly_when_it_contains_the_person_that_day() {
        let ranges = [
            AgeRange {
                from: Age::days(30),
                to: Age::years(40),
            },
            AgeRange {
                from: Age::years(41),
                to: Age::years(50),
            },
            AgeRange {
                from: Age::days(0),
                to: Age::days(400),
            },
            AgeRange {
                from: Age::years(1),
                to: Age::days(800),
            },
        ];
        let births = ["2000-02-29", "1978-12-31", "2019-01-01", "1969-03-01"].map(d);
        for birth in births {
            for k in -5..20_000i64 {
                let day = birth + chrono::Duration::days(k * 3 + k % 7);
                for r in ranges {
                    let held = AgeOn::new(birth, day).is_some_and(|a| r.holds(a));
                    assert_eq!(held, r.contains(birth, day), "{r} born {birth} on {day}");
                }
            }
        }
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn full_years() {
        assert_eq!(age_years(d("1990-05-01"), d("2019-04-30")), 28);
        assert_eq!(age_years(d("1990-05-01"), d("2019-05-01")), 29);
        // 29 February: the birthday falls on 28 February in other years.
        assert_eq!(age_years(d("2000-02-29"), d("2001-02-27")), 0);
        assert_eq!(age_years(d("2000-02-29"), d("2001-02-28")), 1);
        assert_eq!(add_years(d("2000-02-29"), 4), d("2004-02-29"));
    }

    #[test]
    fn ages_agree_with_adding_years() {
        // age_years(b, d) is the largest n with add_years(b, n) <= d, for every pair.
        let births = [
            "1980-02-29",
            "1980-03-01",
            "1979-02-28",
            "2000-12-31",
            "1990-01-01",
            "2004-02-29",
        ];
        for b in births {
            let b = d(b);
            let mut day = b;
            for _ in 0..(366 * 9) {
                let n = age_years(b, day);
                assert!(add_years(b, n) <= day, "{b} {day}");
                assert!(add_years(b, n + 1) > day, "{b} {day}");
                day = day.succ_opt().unwrap();
            }
        }
    }

    #[test]
    fn ranges_are_inclusive_in_their_units() {
        let r = AgeRange {
            from: Age::days(30),
            to: Age::years(39),
        };
        let birth = d("1980-03-15");
        assert!(!r.contains(birth, d("1980-04-13")));
        assert!(r.contains(birth, d("1980-04-14"))); // day 30 of life
        assert!(r.contains(birth, d("2020-03-14"))); // the day before the 40th birthday
        assert!(!r.contains(birth, d("2020-03-15")));
    }
}
