//! Lowering: one line's pest pairs into AST nodes. Nothing after this module
//! sees a pest `Pair`.

use super::Rule;
use crate::ast::*;
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};
use pest::iterators::{Pair, Pairs};

/// What one line holds.
pub(crate) enum LineItem {
    Header(Spanned<Header>),
    Statement(Statement),
    Row(Row),
}

pub(crate) struct Lowerer {
    pub file: FileId,
    /// Byte offset of the line in the file.
    pub base: usize,
}

type Result<T> = std::result::Result<T, Box<Diagnostic>>;

impl Lowerer {
    fn span(&self, pair: &Pair<Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, self.base + s.start(), self.base + s.end())
    }

    fn internal(&self, pair: &Pair<Rule>, what: &str) -> Box<Diagnostic> {
        Box::new(
            Diagnostic::error(
                "E000",
                self.span(pair),
                format!("internal error: the parser gave an unexpected shape for {what}"),
            )
            .help("please report this plan line; it is not a mistake in the plan"),
        )
    }

    fn next<'i>(
        &self,
        pairs: &mut Pairs<'i, Rule>,
        parent: &Pair<'i, Rule>,
        what: &str,
    ) -> Result<Pair<'i, Rule>> {
        pairs.next().ok_or_else(|| self.internal(parent, what))
    }

    fn spanned_str(&self, pair: &Pair<Rule>) -> Spanned<String> {
        Spanned::new(pair.as_str().to_string(), self.span(pair))
    }

    /// The text between the quotes of a `text` pair.
    fn text(&self, pair: Pair<Rule>) -> Result<Spanned<String>> {
        let span = self.span(&pair);
        let inner = self.next(&mut pair.clone().into_inner(), &pair, "a text")?;
        Ok(Spanned::new(inner.as_str().to_string(), span))
    }

    pub fn line(&self, line: Pair<Rule>) -> Result<Option<LineItem>> {
        let mut line_pairs = line.into_inner();
        let Some(item) = line_pairs.find(|p| p.as_rule() != Rule::EOI) else {
            return Ok(None);
        };
        let span = self.span(&item);
        let rule = item.as_rule();
        let header = |h: Header| Ok(Some(LineItem::Header(Spanned::new(h, span))));
        match rule {
            Rule::plan_header => {
                let mut it = item.clone().into_inner();
                let id = self.spanned_str(&self.next(&mut it, &item, "a plan header")?);
                header(Header::Plan { id })
            }
            Rule::membership_header => header(Header::Membership),
            Rule::sharing_header => header(Header::Sharing),
            Rule::account_header => header(Header::Account),
            Rule::viability_header => header(Header::Viability),
            Rule::benefit_header | Rule::diseases_header => {
                let mut it = item.clone().into_inner();
                let name = self.spanned_str(&self.next(&mut it, &item, "a header")?);
                let title = it.next().map(|p| self.text(p)).transpose()?;
                if rule == Rule::benefit_header {
                    header(Header::Benefit { name, title })
                } else {
                    header(Header::Diseases { name, title })
                }
            }
            Rule::example_header => {
                let mut it = item.clone().into_inner();
                let title = self.text(self.next(&mut it, &item, "an example header")?)?;
                header(Header::Example { title })
            }
            Rule::include => {
                let mut it = item.clone().into_inner();
                let path = self.text(self.next(&mut it, &item, "an include")?)?;
                header(Header::Include { path })
            }
            Rule::band_row | Rule::disease_row => Ok(Some(LineItem::Row(self.row(item)?))),
            _ => {
                let in_force = line_pairs
                    .find(|p| p.as_rule() == Rule::in_force)
                    .map(|p| self.in_force(p));
                let kind = self.statement(item)?;
                Ok(Some(LineItem::Statement(Statement {
                    kind,
                    span,
                    rows: Vec::new(),
                    in_force,
                })))
            }
        }
    }

    /// `from DATE until DATE`, either part optional.
    fn in_force(&self, pair: Pair<Rule>) -> InForce {
        let mut out = InForce {
            from: None,
            until: None,
            span: self.span(&pair),
        };
        for part in pair.into_inner() {
            let date = part
                .clone()
                .into_inner()
                .next()
                .map(|d| self.spanned_str(&d));
            match part.as_rule() {
                Rule::from_date => out.from = date,
                _ => out.until = date,
            }
        }
        out
    }

    fn row(&self, item: Pair<Rule>) -> Result<Row> {
        let span = self.span(&item);
        let mut it = item.clone().into_inner();
        let first = self.next(&mut it, &item, "a row")?;
        let second = self.next(&mut it, &item, "a row")?;
        Ok(match item.as_rule() {
            Rule::band_row => Row::Band {
                ages: self.age_range(first)?,
                value: self.quantity(second)?,
                span,
            },
            _ => Row::Disease {
                code: self.spanned_str(&first),
                name: self.text(second)?,
                span,
            },
        })
    }

    fn quantity(&self, pair: Pair<Rule>) -> Result<Quantity> {
        let span = self.span(&pair);
        let mut it = pair.clone().into_inner();
        let number = self.spanned_str(&self.next(&mut it, &pair, "a quantity")?);
        let unit = self.spanned_str(&self.next(&mut it, &pair, "a quantity")?);
        Ok(Quantity { number, unit, span })
    }

    fn age_range(&self, pair: Pair<Rule>) -> Result<AgeRange> {
        let span = self.span(&pair);
        let mut it = pair.clone().into_inner();
        let from = self.quantity(self.next(&mut it, &pair, "an age range")?)?;
        let to = self.quantity(self.next(&mut it, &pair, "an age range")?)?;
        Ok(AgeRange { from, to, span })
    }

    fn by_age(&self, pair: Pair<Rule>) -> Result<Spanned<AgeBasis>> {
        let basis = self.next(&mut pair.clone().into_inner(), &pair, "`by age at`")?;
        let span = self.span(&basis);
        let which = self.next(&mut basis.clone().into_inner(), &basis, "an age basis")?;
        let b = match which.as_rule() {
            Rule::at_join => AgeBasis::Join,
            Rule::at_diagnosis => AgeBasis::Diagnosis,
            _ => AgeBasis::TermStart,
        };
        Ok(Spanned::new(b, span))
    }

    fn amount(&self, pair: Pair<Rule>) -> Result<Amount> {
        Ok(match pair.as_rule() {
            Rule::by_age => Amount::ByAge(self.by_age(pair)?),
            Rule::share_of => {
                let mut it = pair.clone().into_inner();
                let percent = self.quantity(self.next(&mut it, &pair, "a share")?)?;
                let of = self.spanned_str(&self.next(&mut it, &pair, "a share")?);
                Amount::ShareOf { percent, of }
            }
            _ => Amount::Fixed(self.quantity(pair)?),
        })
    }

    fn statement(&self, item: Pair<Rule>) -> Result<StatementKind> {
        let rule = item.as_rule();
        let mut it = item.clone().into_inner();
        let mut next = || self.next(&mut it, &item, "a statement");
        use StatementKind as S;
        Ok(match rule {
            Rule::title => S::Title(self.text(next()?)?),
            Rule::operator => S::Operator(self.text(next()?)?),
            Rule::currency => S::Currency(self.spanned_str(&next()?)),
            Rule::launched => S::Launched(self.spanned_str(&next()?)),
            Rule::plan_closes => {
                let date = self.spanned_str(&next()?);
                let window = it.next().map(|p| self.quantity(p)).transpose()?;
                S::PlanCloses { date, window }
            }
            Rule::only_for => S::OnlyFor(it.map(|p| self.spanned_str(&p)).collect()),
            Rule::waiting_refund => S::WaitingRefund,
            Rule::join => S::Join(self.age_range(next()?)?),
            Rule::requires => S::Requires(self.condition(next()?)?),
            Rule::pays => S::Pays(self.amount(next()?)?),
            Rule::ends_at_age => S::EndsAtAge(self.quantity(next()?)?),
            Rule::ends_on_payout => S::EndsOnPayout(self.spanned_str(&next()?)),
            Rule::term => {
                let length = self.quantity(next()?)?;
                let renew_up_to = it.next().map(|p| self.quantity(p)).transpose()?;
                S::Term {
                    length,
                    renew_up_to,
                }
            }
            Rule::covers => {
                let mut items = Vec::new();
                for p in it {
                    items.push(match p.as_rule() {
                        Rule::code_range => {
                            let mut r = p.clone().into_inner();
                            let from = self.spanned_str(&self.next(&mut r, &p, "a code range")?);
                            let to = self.spanned_str(&self.next(&mut r, &p, "a code range")?);
                            CoverItem::Range { from, to }
                        }
                        Rule::disease_code => CoverItem::Code(self.spanned_str(&p)),
                        _ => CoverItem::List(self.spanned_str(&p)),
                    });
                }
                S::Covers(items)
            }
            Rule::waiting => {
                let period = self.quantity(next()?)?;
                let except = it.map(|p| self.spanned_str(&p)).collect();
                S::Waiting { period, except }
            }
            Rule::payout => S::Payout(self.amount(next()?)?),
            Rule::limit => S::Limit(self.spanned_str(&next()?)),
            Rule::closes => S::Closes(it.map(|p| self.spanned_str(&p)).collect()),
            Rule::fee => S::Fee(self.quantity(next()?)?),
            Rule::split => {
                let p = next()?;
                let kind = if p.as_rule() == Rule::equally {
                    SplitKind::Equally
                } else {
                    SplitKind::ByAnnualCap
                };
                S::Split(Spanned::new(kind, self.span(&p)))
            }
            Rule::cap => {
                let p = next()?;
                if p.as_rule() == Rule::per_year_by_age {
                    let by = self.next(&mut p.clone().into_inner(), &p, "a cap")?;
                    S::Cap(Cap::PerYearByAge {
                        basis: self.by_age(by)?,
                    })
                } else {
                    let amount = self.quantity(p)?;
                    let b = next()?;
                    let basis = match b.as_str() {
                        "case" => CapBasis::Case,
                        "charge" => CapBasis::Charge,
                        "calendar year" => CapBasis::CalendarYear,
                        _ => CapBasis::Year,
                    };
                    S::Cap(Cap::Fixed {
                        amount,
                        basis: Spanned::new(basis, self.span(&b)),
                    })
                }
            }
            Rule::excess => {
                let p = next()?;
                let rule = match p.as_rule() {
                    Rule::excess_reduces => ExcessRule::ReducesPayouts,
                    _ => ExcessRule::Operator,
                };
                S::Excess(Spanned::new(rule, self.span(&p)))
            }
            Rule::minimum_balance => S::MinimumBalance(self.quantity(next()?)?),
            Rule::resumes => {
                let p = next()?;
                S::Resumes {
                    new_waiting: Spanned::new(p.as_rule() == Rule::with_waiting, self.span(&p)),
                }
            }
            Rule::account_fee => {
                let amount = self.quantity(next()?)?;
                let e = next()?;
                let every = match e.as_str() {
                    "month" => FeeEvery::Month,
                    "quarter" => FeeEvery::Quarter,
                    _ => FeeEvery::Year,
                };
                S::AccountFee {
                    amount,
                    every: Spanned::new(every, self.span(&e)),
                    inactive_only: it.next().is_some(),
                }
            }
            Rule::rounding => {
                let m = next()?;
                let r = next()?;
                let mk = self.next(&mut m.clone().into_inner(), &m, "a rounding mode")?;
                let mode = match mk.as_rule() {
                    Rule::half_up => RoundingMode::HalfUp,
                    Rule::up => RoundingMode::Up,
                    _ => RoundingMode::Down,
                };
                let rk = self.next(&mut r.clone().into_inner(), &r, "a remainder")?;
                let remainder = match rk.as_rule() {
                    Rule::carried => Remainder::Carried,
                    Rule::to_operator => Remainder::Operator,
                    _ => Remainder::Distributed,
                };
                S::Rounding {
                    mode: Spanned::new(mode, self.span(&m)),
                    remainder: Spanned::new(remainder, self.span(&r)),
                }
            }
            Rule::minimum => S::Minimum(self.spanned_str(&next()?)),
            Rule::as_of => S::AsOf(self.spanned_str(&next()?)),
            Rule::member_row
            | Rule::claim_row
            | Rule::members_row
            | Rule::claims_row
            | Rule::payment_row => {
                let name = self.spanned_str(&next()?);
                let count = if matches!(rule, Rule::members_row | Rule::claims_row) {
                    Some(self.spanned_str(&next()?))
                } else {
                    None
                };
                let mut fields = Vec::new();
                for f in it {
                    let mut fi = f.clone().into_inner();
                    let fname = self.spanned_str(&self.next(&mut fi, &f, "a field")?);
                    let value = self.value(self.next(&mut fi, &f, "a field")?)?;
                    fields.push(Field { name: fname, value });
                }
                match (rule, count) {
                    (Rule::member_row, _) => S::Member { name, fields },
                    (Rule::payment_row, _) => S::Payment {
                        member: name,
                        fields,
                    },
                    (Rule::claims_row, Some(count)) => S::Claims {
                        prefix: name,
                        count,
                        fields,
                    },
                    (_, Some(count)) => S::Members {
                        prefix: name,
                        count,
                        fields,
                    },
                    _ => S::Claim { name, fields },
                }
            }
            Rule::expect => {
                let target = self.spanned_str(&next()?);
                let value = self.value(next()?)?;
                S::Expect { target, value }
            }
            _ => return Err(self.internal(&item, "a statement")),
        })
    }

    fn value(&self, pair: Pair<Rule>) -> Result<Spanned<Value>> {
        let span = self.span(&pair);
        let v = match pair.as_rule() {
            Rule::text => Value::Text(self.text(pair)?.node),
            Rule::decimal => Value::Number(pair.as_str().to_string()),
            Rule::date => Value::Date(pair.as_str().to_string()),
            _ => Value::Word(pair.as_str().to_string()),
        };
        Ok(Spanned::new(v, span))
    }

    fn condition(&self, pair: Pair<Rule>) -> Result<Condition> {
        match pair.as_rule() {
            Rule::condition | Rule::conjunction => {
                let is_or = pair.as_rule() == Rule::condition;
                let mut parts = Vec::new();
                for p in pair.into_inner() {
                    if !matches!(p.as_rule(), Rule::or_op | Rule::and_op) {
                        parts.push(self.condition(p)?);
                    }
                }
                Ok(if parts.len() == 1 {
                    parts.pop().expect("one part")
                } else if is_or {
                    Condition::Or(parts)
                } else {
                    Condition::And(parts)
                })
            }
            Rule::negation => {
                let mut it = pair.clone().into_inner();
                let first = self.next(&mut it, &pair, "a condition")?;
                if first.as_rule() == Rule::not_op {
                    let inner = self.next(&mut it, &pair, "a condition")?;
                    Ok(Condition::Not(Box::new(self.condition(inner)?)))
                } else {
                    self.condition(first)
                }
            }
            Rule::comparison => {
                let mut it = pair.clone().into_inner();
                let attribute = self.spanned_str(&self.next(&mut it, &pair, "a comparison")?);
                let opp = self.next(&mut it, &pair, "a comparison")?;
                let op = match opp.as_str() {
                    "=" => CompareOp::Eq,
                    "!=" => CompareOp::Ne,
                    "<" => CompareOp::Lt,
                    "<=" => CompareOp::Le,
                    ">" => CompareOp::Gt,
                    _ => CompareOp::Ge,
                };
                let value = self.value(self.next(&mut it, &pair, "a comparison")?)?;
                Ok(Condition::Compare {
                    attribute,
                    op: Spanned::new(op, self.span(&opp)),
                    value,
                })
            }
            _ => Err(self.internal(&pair, "a condition")),
        }
    }
}
