//! Money: integer fen, and exact fractions of a fen until the one rounding step.

use crate::ast::RoundingMode;
use std::fmt;

/// An amount of money in fen (0.01 CNY). Never a float.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(pub i64);

impl Money {
    pub const ZERO: Money = Money(0);

    pub fn fen(self) -> i64 {
        self.0
    }

    /// Parses a plan or data decimal: `300_000`, `0.10`, `-1.2`. At most two decimals.
    pub fn parse(text: &str) -> Result<Money, MoneyError> {
        let clean: String = text.chars().filter(|&c| c != '_').collect();
        let (neg, digits) = match clean.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, clean.as_str()),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if whole.is_empty()
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
            || (digits.contains('.') && frac.is_empty())
        {
            return Err(MoneyError::NotANumber);
        }
        if frac.len() > 2 {
            return Err(MoneyError::TooManyDecimals);
        }
        let whole: i64 = whole.parse().map_err(|_| MoneyError::TooLarge)?;
        let mut cents = 0i64;
        for (i, b) in frac.bytes().enumerate() {
            cents += i64::from(b - b'0') * if i == 0 { 10 } else { 1 };
        }
        let fen = whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(cents))
            .filter(|f| *f <= MAX_FEN)
            .ok_or(MoneyError::TooLarge)?;
        Ok(Money(if neg { -fen } else { fen }))
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    /// The amount for people to read, thousands grouped: `31,841,889.10`.
    pub fn grouped(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!(
            "{sign}{}.{:02}",
            crate::words::grouped(abs / 100),
            abs % 100
        )
    }
}

/// The largest amount a plan or data file may state: 10^13 CNY.
pub const MAX_FEN: i64 = 1_000_000_000_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MoneyError {
    NotANumber,
    TooManyDecimals,
    TooLarge,
}

impl fmt::Display for Money {
    /// Plain decimal with exactly two places: `300000.00`, `-1.20`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

/// In data (JSON), an amount is its exact decimal string, as in the CSV
/// files: `"58110.90"`, never a floating-point number.
impl serde::Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, o: Money) -> Money {
        Money(self.0 + o.0)
    }
}

impl std::ops::Sub for Money {
    type Output = Money;
    fn sub(self, o: Money) -> Money {
        Money(self.0 - o.0)
    }
}

impl std::ops::AddAssign for Money {
    fn add_assign(&mut self, o: Money) {
        self.0 += o.0;
    }
}

impl std::ops::SubAssign for Money {
    fn sub_assign(&mut self, o: Money) {
        self.0 -= o.0;
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        Money(iter.map(|m| m.0).sum())
    }
}

/// An exact fraction of a percent or rate: `num / den`, den > 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rate {
    pub num: i64,
    pub den: i64,
}

impl Rate {
    /// Parses a percentage as written (`10`, `8.5`) into a fraction of one.
    pub fn parse_percent(text: &str) -> Option<Rate> {
        let clean: String = text.chars().filter(|&c| c != '_').collect();
        let (whole, frac) = clean.split_once('.').unwrap_or((&clean, ""));
        if whole.is_empty()
            || frac.len() > 6
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let scale = 10i64.pow(frac.len() as u32);
        let num: i64 = format!("{whole}{frac}").parse().ok()?;
        if num > 1_000_000_000_000 {
            return None;
        }
        Some(Rate {
            num,
            den: 100 * scale,
        })
    }

    /// Is the rate within 0% to 100%?
    pub fn is_proportion(self) -> bool {
        self.num >= 0 && self.num <= self.den
    }

    /// `amount × rate`, exact.
    pub fn of(self, amount: Money) -> Fraction {
        Fraction::new(
            i128::from(amount.0) * i128::from(self.num),
            i128::from(self.den),
        )
    }
}

impl fmt::Display for Rate {
    /// As a percentage with no trailing zeros: `10%`, `8.5%`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hundred = Fraction::new(i128::from(self.num) * 100, i128::from(self.den));
        write!(
            f,
            "{}%",
            hundred
                .decimal(6)
                .trim_end_matches('0')
                .trim_end_matches('.')
        )
    }
}

/// An exact amount in fen as a fraction `num / den` (den > 0): a share before rounding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Fraction {
    pub num: i128,
    pub den: i128,
}

impl Fraction {
    pub fn new(num: i128, den: i128) -> Fraction {
        debug_assert!(den > 0);
        Fraction { num, den }
    }

    pub fn whole(m: Money) -> Fraction {
        Fraction::new(i128::from(m.0), 1)
    }

    /// `self <= m`
    pub fn le_money(self, m: Money) -> bool {
        self.num <= i128::from(m.0) * self.den
    }

    pub fn min_money(self, m: Money) -> Fraction {
        if self.le_money(m) {
            self
        } else {
            Fraction::whole(m)
        }
    }

    pub fn is_integer(self) -> bool {
        self.num % self.den == 0
    }

    /// Rounds to a whole number of fen, kept wide.
    pub fn round_fen(self, mode: RoundingMode) -> i128 {
        let (n, d) = (self.num, self.den);
        let floor = n.div_euclid(d);
        let rem = n.rem_euclid(d);
        match mode {
            RoundingMode::Down => floor,
            RoundingMode::Up => floor + i128::from(rem != 0),
            RoundingMode::HalfUp => floor + i128::from(2 * rem >= d),
        }
    }

    /// Rounds to a whole fen. The amount must fit in money (the engine checks
    /// its bounds before it rounds; beyond them this saturates).
    pub fn round(self, mode: RoundingMode) -> Money {
        let fen = self.round_fen(mode);
        Money(fen.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64)
    }

    pub fn minus(self, o: Fraction) -> Fraction {
        if self.den == o.den {
            Fraction::new(self.num - o.num, self.den)
        } else {
            Fraction::new(self.num * o.den - o.num * self.den, self.den * o.den)
        }
    }

    /// Reduced to lowest terms.
    pub fn reduced(self) -> Fraction {
        let g = num_integer::gcd(self.num, self.den);
        if g > 1 {
            Fraction::new(self.num / g, self.den / g)
        } else {
            self
        }
    }

    /// The value in CNY with `places` decimals, truncated toward zero: `0.0282608...`.
    pub fn decimal(self, places: u32) -> String {
        let scale = 10i128.pow(places);
        // fen → CNY is another factor 100 in the denominator when used for money;
        // this prints the raw value of the fraction.
        let neg = self.num < 0;
        let n = self.num.abs();
        let whole = n / self.den;
        let frac = (n % self.den) * scale / self.den;
        let sign = if neg { "-" } else { "" };
        if places == 0 {
            format!("{sign}{whole}")
        } else {
            format!("{sign}{whole}.{:0width$}", frac, width = places as usize)
        }
    }

    /// The value in CNY (the fraction is in fen) with `places` decimals, truncated.
    pub fn cny(self, places: u32) -> String {
        Fraction::new(self.num, self.den * 100).decimal(places)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_money() {
        assert_eq!(Money::parse("300_000").unwrap(), Money(30_000_000));
        assert_eq!(Money::parse("0.10").unwrap(), Money(10));
        assert_eq!(Money::parse("-1.2").unwrap(), Money(-120));
        assert_eq!(Money::parse("1.234"), Err(MoneyError::TooManyDecimals));
        assert_eq!(Money::parse("1."), Err(MoneyError::NotANumber));
        assert_eq!(Money::parse("abc"), Err(MoneyError::NotANumber));
        assert_eq!(Money(-120).to_string(), "-1.20");
        assert_eq!(Money(5).to_string(), "0.05");
        assert_eq!(Money(30_000_000).to_string(), "300000.00");
    }

    #[test]
    fn rounds_each_way() {
        let f = Fraction::new(282, 100); // 2.82 fen
        assert_eq!(f.round(RoundingMode::Up), Money(3));
        assert_eq!(f.round(RoundingMode::HalfUp), Money(3));
        assert_eq!(f.round(RoundingMode::Down), Money(2));
        let half = Fraction::new(5, 2);
        assert_eq!(half.round(RoundingMode::HalfUp), Money(3));
        assert_eq!(Fraction::new(-5, 2).round(RoundingMode::HalfUp), Money(-2));
        assert_eq!(Fraction::new(4, 2).round(RoundingMode::Up), Money(2));
    }

    #[test]
    fn percentages_are_exact() {
        let r = Rate::parse_percent("8.5").unwrap();
        assert_eq!(r.of(Money(1000)), Fraction::new(85000, 1000));
        assert_eq!(r.to_string(), "8.5%");
        assert_eq!(Rate::parse_percent("10").unwrap().to_string(), "10%");
    }
}
