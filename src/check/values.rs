//! Giving literals their meaning: units, decimals, ranges and dates.

use super::Checker;
use crate::age::{Age, AgeRange};
use crate::ast::{self, Quantity, Spanned};
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::money::{Money, MoneyError, Rate};
use chrono::NaiveDate;

/// The units a quantity may carry, as the designer writes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unit {
    Money,
    Percent,
    Days,
    Years,
}

impl Unit {
    fn of(text: &str) -> Option<Unit> {
        Some(match text {
            "CNY" => Unit::Money,
            "%" => Unit::Percent,
            "day" | "days" => Unit::Days,
            "year" | "years" => Unit::Years,
            _ => return None,
        })
    }

    fn describe(self) -> &'static str {
        match self {
            Unit::Money => "an amount of money such as `300_000 CNY`",
            Unit::Percent => "a percentage such as `10%`",
            Unit::Days => "a number of days such as `90 days`",
            Unit::Years => "a number of years such as `1 year`",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Unit::Money => "money",
            Unit::Percent => "a percentage",
            Unit::Days => "days",
            Unit::Years => "years",
        }
    }
}

const UNIT_WORDS: [&str; 6] = ["CNY", "%", "days", "day", "years", "year"];

impl Checker<'_> {
    /// The unit of a quantity, if it is one of `allowed`; reports otherwise.
    fn unit(&mut self, q: &Quantity, allowed: &[Unit], what: &str) -> Option<Unit> {
        let Some(unit) = Unit::of(&q.unit.node) else {
            let mut d = Diagnostic::error(
                "E301",
                q.unit.span,
                format!("`{}` is not a unit", q.unit.node),
            )
            .label("unknown unit");
            d = match did_you_mean(&q.unit.node, UNIT_WORDS) {
                Some(s) => d
                    .help(format!(
                        "did you mean `{s}`? {what} is {}",
                        allowed[0].describe()
                    ))
                    .fix(q.unit.span, s),
                None => d.help(format!(
                    "{what} is {}; units are `CNY`, `%`, `days` and `years`",
                    allowed[0].describe()
                )),
            };
            self.push(d);
            return None;
        };
        if !allowed.contains(&unit) {
            let wanted: Vec<&str> = allowed.iter().map(|u| u.noun()).collect();
            self.push(
                Diagnostic::error(
                    "E300",
                    q.span,
                    format!(
                        "{what} must be {}, not {}",
                        wanted.join(" or "),
                        unit.noun()
                    ),
                )
                .label(format!("this is {}", unit.noun()))
                .help(format!("write {}", allowed[0].describe())),
            );
            return None;
        }
        Some(unit)
    }

    fn whole_number(&mut self, number: &Spanned<String>, what: &str, max: u64) -> Option<u64> {
        let clean: String = number.node.chars().filter(|&c| c != '_').collect();
        if clean.starts_with('-') {
            self.push(
                Diagnostic::error("E307", number.span, format!("{what} cannot be negative"))
                    .label("negative")
                    .help("write a number of zero or more"),
            );
            return None;
        }
        if clean.contains('.') {
            self.push(
                Diagnostic::error(
                    "E307",
                    number.span,
                    format!("{what} must be a whole number"),
                )
                .label("has decimals")
                .help("write a whole number, such as `90`"),
            );
            return None;
        }
        match clean.parse::<u64>() {
            Ok(n) if n <= max => Some(n),
            _ => {
                self.push(
                    Diagnostic::error("E307", number.span, format!("{what} is too large"))
                        .label(format!("more than {max}"))
                        .help(format!("{what} is at most {max}")),
                );
                None
            }
        }
    }

    pub(crate) fn money(&mut self, q: &Quantity, what: &str) -> Option<Money> {
        self.unit(q, &[Unit::Money], what)?;
        match Money::parse(&q.number.node) {
            Ok(m) if m.0 < 0 => {
                self.push(
                    Diagnostic::error("E307", q.number.span, format!("{what} cannot be negative"))
                        .label("negative")
                        .help("write an amount of zero or more"),
                );
                None
            }
            Ok(m) => Some(m),
            Err(MoneyError::TooManyDecimals) => {
                self.push(
                    Diagnostic::error(
                        "E302",
                        q.number.span,
                        "money has at most two decimals (fen)",
                    )
                    .label("more than two decimals")
                    .help("money is exact to the fen (0.01 CNY): write for example `0.10 CNY`"),
                );
                None
            }
            Err(MoneyError::TooLarge) => {
                self.push(
                    Diagnostic::error("E307", q.number.span, format!("{what} is too large"))
                        .label("too large")
                        .help("amounts are at most 10,000,000,000,000 CNY"),
                );
                None
            }
            Err(MoneyError::NotANumber) => {
                self.push(
                    Diagnostic::error("E307", q.number.span, "not a number").label("not a number"),
                );
                None
            }
        }
    }

    pub(crate) fn percent(&mut self, q: &Quantity, what: &str) -> Option<Rate> {
        self.unit(q, &[Unit::Percent], what)?;
        let rate = Rate::parse_percent(&q.number.node).filter(|r| r.is_proportion());
        if rate.is_none() {
            self.push(
                Diagnostic::error(
                    "E303",
                    q.span,
                    format!("{what} must be between 0% and 100%"),
                )
                .label("outside 0% to 100%")
                .help("write a percentage such as `10%` or `8.5%` (at most six decimals)"),
            );
        }
        rate
    }

    pub(crate) fn days(&mut self, q: &Quantity, what: &str) -> Option<u32> {
        self.unit(q, &[Unit::Days], what)?;
        self.whole_number(&q.number, what, 36_500).map(|n| n as u32)
    }

    pub(crate) fn years(&mut self, q: &Quantity, what: &str) -> Option<u32> {
        self.unit(q, &[Unit::Years], what)?;
        self.whole_number(&q.number, what, 100).map(|n| n as u32)
    }

    /// An age: days or years, whole, at most 150 years.
    pub(crate) fn age(&mut self, q: &Quantity, what: &str) -> Option<Age> {
        let unit = self.unit(q, &[Unit::Years, Unit::Days], what)?;
        match unit {
            Unit::Days => self
                .whole_number(&q.number, what, 150 * 366)
                .map(|n| Age::days(n as u32)),
            _ => self
                .whole_number(&q.number, what, 150)
                .map(|n| Age::years(n as u32)),
        }
    }

    pub(crate) fn age_range(&mut self, r: &ast::AgeRange, what: &str) -> Option<AgeRange> {
        let from = self.age(&r.from, what);
        let to = self.age(&r.to, what);
        let (from, to) = (from?, to?);
        let range = AgeRange { from, to };
        if from.approx_days() > to.approx_days() || (from.unit == to.unit && from.value > to.value)
        {
            self.push(
                Diagnostic::error("E304", r.span, format!("the range `{range}` holds no age"))
                    .label("empty range")
                    .help("write the younger age first, such as `30 days to 59 years`"),
            );
            return None;
        }
        Some(range)
    }

    pub(crate) fn count(&mut self, n: &Spanned<String>, what: &str, max: u64) -> Option<u64> {
        self.whole_number(n, what, max)
    }

    pub(crate) fn date(&mut self, d: &Spanned<String>, what: &str) -> Option<NaiveDate> {
        match NaiveDate::parse_from_str(&d.node, "%Y-%m-%d") {
            Ok(date) => Some(date),
            Err(_) => {
                self.push(
                    Diagnostic::error(
                        "E305",
                        d.span,
                        format!("`{}` is not a date in the calendar", d.node),
                    )
                    .label("no such day")
                    .help(format!(
                        "{what} is a date written YYYY-MM-DD, such as `2018-10-16`"
                    )),
                );
                None
            }
        }
    }
}
