//! A plan's membership requirement (`requires region = "CN"`) evaluated
//! on a member's attribute values.
//!
//! The members file is read row by row, the requirement evaluated on each:
//! it is first resolved against the file's attribute columns (`Resolved`),
//! so that a comparison reads its value by place, without looking its
//! attribute up by name on every row.

use crate::ast::CompareOp;
use crate::plan::{Literal, Requirement};
use std::cmp::Ordering;

/// Evaluates a requirement on one member's attribute values, `values[k]`
/// being the value of the attribute `names[k]`. An empty attribute makes
/// the requirement fail; a value that cannot be compared is an error:
/// (the attribute, the message).
pub fn evaluate(
    r: &Requirement,
    names: &[&str],
    values: &[&str],
) -> Result<bool, (String, String)> {
    Resolved::new(r, names).evaluate(values)
}

/// A requirement whose comparisons know where their attribute's value is.
#[derive(Clone, Debug)]
pub(crate) enum Resolved {
    All(Vec<Resolved>),
    Any(Vec<Resolved>),
    Not(Box<Resolved>),
    Compare {
        /// The place of the attribute's value (the first, for an attribute
        /// not among the names).
        at: usize,
        attribute: String,
        op: CompareOp,
        value: Literal,
    },
}

impl Resolved {
    /// `r` with each attribute's place among `names`.
    pub(crate) fn new(r: &Requirement, names: &[&str]) -> Resolved {
        let all = |v: &[Requirement]| v.iter().map(|x| Resolved::new(x, names)).collect();
        match r {
            Requirement::All(v) => Resolved::All(all(v)),
            Requirement::Any(v) => Resolved::Any(all(v)),
            Requirement::Not(x) => Resolved::Not(Box::new(Resolved::new(x, names))),
            Requirement::Compare {
                attribute,
                op,
                value,
            } => Resolved::Compare {
                at: names.iter().position(|n| n == attribute).unwrap_or(0),
                attribute: attribute.clone(),
                op: *op,
                value: value.clone(),
            },
        }
    }

    /// `evaluate`, on values in the order of the names resolved against.
    pub(crate) fn evaluate(&self, values: &[&str]) -> Result<bool, (String, String)> {
        if values.iter().any(|v| v.is_empty()) {
            return Ok(false);
        }
        self.eval(values)
    }

    fn eval(&self, values: &[&str]) -> Result<bool, (String, String)> {
        Ok(match self {
            // Every comparison is evaluated (no short cut), so that a value
            // that cannot be compared is reported whichever branch decides.
            Resolved::All(v) => {
                let mut all = true;
                for x in v {
                    all &= x.eval(values)?;
                }
                all
            }
            Resolved::Any(v) => {
                let mut any = false;
                for x in v {
                    any |= x.eval(values)?;
                }
                any
            }
            Resolved::Not(x) => !x.eval(values)?,
            Resolved::Compare {
                at,
                attribute,
                op,
                value,
            } => {
                let actual = values.get(*at).copied().unwrap_or("");
                compare(*op, order(attribute, actual, value)?)
            }
        })
    }
}

/// The member's value `actual` against the required `value`.
#[inline]
fn order(attribute: &str, actual: &str, value: &Literal) -> Result<Ordering, (String, String)> {
    let (scaled, scale, text) = match value {
        Literal::Text(t) => return Ok(actual.cmp(t.as_str())),
        Literal::Number {
            scaled,
            scale,
            text,
        } => (scaled, *scale, text),
    };
    // The usual value: a whole number of a few digits.
    if scale == 0
        && !actual.is_empty()
        && actual.len() <= 18
        && actual.bytes().all(|b| b.is_ascii_digit())
    {
        let a = actual
            .bytes()
            .fold(0i128, |v, b| v * 10 + i128::from(b - b'0'));
        return Ok(a.cmp(scaled));
    }
    let Some((a, a_scale)) = super::parse_decimal(actual) else {
        return Err((
            attribute.to_string(),
            format!(
                "`{attribute}` is `{}`, which the requirement cannot compare with the number {text}",
                super::csvfile::shown(actual)
            ),
        ));
    };
    let s = scale.max(a_scale);
    let lhs = a * 10i128.pow(s - a_scale);
    let rhs = scaled * 10i128.pow(s - scale);
    Ok(lhs.cmp(&rhs))
}

/// Whether `ord` (actual against required) satisfies `op`.
fn compare(op: CompareOp, ord: Ordering) -> bool {
    use CompareOp::*;
    use Ordering::*;
    match op {
        Eq => ord == Equal,
        Ne => ord != Equal,
        Lt => ord == Less,
        Le => ord != Greater,
        Gt => ord == Greater,
        Ge => ord != Less,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whole numbers take a quick path; it agrees with the exact decimal
    /// comparison for every operator, on both sides of the required value.
    #[test]
    fn whole_numbers_compare_as_exact_decimals() {
        let ops = [
            CompareOp::Eq,
            CompareOp::Ne,
            CompareOp::Lt,
            CompareOp::Le,
            CompareOp::Gt,
            CompareOp::Ge,
        ];
        let values = [
            "0",
            "649",
            "650",
            "0650",
            "651",
            "999999999999999999",
            "649.99",
            "650.00",
            "650.5",
            "+650",
            "-650",
        ];
        for op in ops {
            let r = Requirement::Compare {
                attribute: "credit_score".into(),
                op,
                value: Literal::Number {
                    scaled: 650,
                    scale: 0,
                    text: "650".into(),
                },
            };
            for v in values {
                let (a, s) = crate::input::parse_decimal(v).expect("a number");
                let exact = a.cmp(&(650 * 10i128.pow(s)));
                assert_eq!(
                    evaluate(&r, &["credit_score"], &[v]),
                    Ok(compare(op, exact)),
                    "{v} {op:?}"
                );
            }
        }
    }

    /// Each comparison reads the value of the attribute it names, in
    /// whatever order the file's columns give them.
    #[test]
    fn comparisons_read_their_own_attribute() {
        let text = |attribute: &str, value: &str| Requirement::Compare {
            attribute: attribute.into(),
            op: CompareOp::Eq,
            value: Literal::Text(value.into()),
        };
        let r = Requirement::All(vec![
            text("region", "CN"),
            Requirement::Not(Box::new(text("plan", "gold"))),
        ]);
        for (names, values, meets) in [
            (["region", "plan"], ["CN", "basic"], true),
            (["plan", "region"], ["basic", "CN"], true),
            (["plan", "region"], ["gold", "CN"], false),
            (["plan", "region"], ["basic", "HK"], false),
        ] {
            assert_eq!(evaluate(&r, &names, &values), Ok(meets), "{values:?}");
        }
        // An empty value fails the requirement.
        assert_eq!(evaluate(&r, &["plan", "region"], &["", "CN"]), Ok(false));
        let resolved = Resolved::new(&r, &["plan", "region"]);
        for values in [["basic", "CN"], ["gold", "CN"], ["basic", "MO"]] {
            assert_eq!(
                resolved.evaluate(&values),
                evaluate(&r, &["plan", "region"], &values),
                "{values:?}"
            );
        }
    }

    /// A value that is not a number, against a number, names its attribute.
    #[test]
    fn a_value_that_is_not_a_number_is_reported_on_its_attribute() {
        let r = Requirement::Compare {
            attribute: "credit_score".into(),
            op: CompareOp::Ge,
            value: Literal::Number {
                scaled: 650,
                scale: 0,
                text: "650".into(),
            },
        };
        let (attribute, message) =
            evaluate(&r, &["credit_score"], &["high"]).expect_err("not a number");
        assert_eq!(attribute, "credit_score");
        assert!(message.contains("`high`"), "{message}");
    }
}
