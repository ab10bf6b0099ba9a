//! Numbers and counted nouns in the text people read: `1 claim`, `2 claims`,
//! `10,000,000 members`.

/// A whole number with its thousands grouped by commas: `10,000,000`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `n` and the noun, singular for exactly one: `1 case`, `0 cases`, `2 cases`.
/// The plural is the noun with an `s`, which holds for every noun counted here.
pub fn count(n: u64, noun: &str) -> String {
    format!("{} {}", grouped(n), plural(n, noun))
}

/// The noun alone, singular for exactly one.
pub fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        noun.to_string()
    } else {
        format!("{noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(31_841_889), "31,841,889");
        assert_eq!(grouped(100_000_000), "100,000,000");
    }

    #[test]
    fn one_is_singular() {
        assert_eq!(count(1, "case"), "1 case");
        assert_eq!(count(0, "case"), "0 cases");
        assert_eq!(count(1_200, "member"), "1,200 members");
        assert_eq!(
            crate::money::Money(-3_184_188_910).grouped(),
            "-31,841,889.10"
        );
        assert_eq!(crate::money::Money(5).grouped(), "0.05");
    }
}
