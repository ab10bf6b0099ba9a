//! Age tables: every row an age range and an amount; no overlap, no gap.

use super::Checker;
use crate::age::{Age, AgeRange, AgeUnit};
use crate::ast::{self, Row, Statement};
use crate::diagnostic::Diagnostic;
use crate::money::Money;
use crate::plan::Band;
use crate::source::Span;

/// Where one band stops holding: the age just past its upper bound.
fn end_of(r: AgeRange) -> Age {
    r.to.next()
}

fn same(a: Age, b: Age) -> bool {
    a == b
}

fn before(a: Age, b: Age) -> bool {
    if a.unit == b.unit {
        a.value < b.value
    } else {
        a.approx_days() < b.approx_days()
    }
}

/// "40 years" or "40 years to 44 years": the ages from `a` up to (not including) `b`.
fn ages_between(a: Age, b: Age) -> String {
    if a.unit == b.unit && b.value == a.value + 1 {
        return format!("age {a}");
    }
    let last = if b.unit == AgeUnit::Days || a.unit == b.unit {
        Age {
            value: b.value.saturating_sub(1),
            unit: b.unit,
        }
    } else {
        return format!("ages from {a} up to {b}");
    };
    format!("ages {a} to {last}")
}

impl Checker<'_> {
    /// The rows of a table by age, sorted; reports overlaps and gaps within `domain`.
    pub(super) fn bands(
        &mut self,
        stmt: &Statement,
        what: &str,
        domain: Option<AgeRange>,
    ) -> Option<Vec<Band<Money>>> {
        let mut bands = self.band_rows(stmt, what)?;
        bands.sort_by_key(|b| (b.ages.from.approx_days(), b.ages.from.unit));
        let mut ok = self.neighbours(stmt, &bands);
        if let Some(domain) = domain {
            ok &= self.reaches(stmt, &bands, domain);
        }
        ok.then_some(bands)
    }

    /// Each row read as ages and an amount; none if a row does not read or there is none.
    fn band_rows(&mut self, stmt: &Statement, what: &str) -> Option<Vec<Band<Money>>> {
        let mut bands = Vec::new();
        let mut ok = true;
        for row in &stmt.rows {
            let Row::Band { ages, value, span } = row else {
                continue;
            };
            let r = self.age_range(ages, "an age band");
            let m = self.money(value, what);
            match (r, m) {
                (Some(ages), Some(value)) => bands.push(Band {
                    ages,
                    value,
                    span: *span,
                }),
                _ => ok = false,
            }
        }
        (ok && !bands.is_empty()).then_some(bands)
    }

    /// Reports each sorted band that does not start where the one before it ends.
    fn neighbours(&mut self, stmt: &Statement, bands: &[Band<Money>]) -> bool {
        let mut ok = true;
        for pair in bands.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            let end = end_of(a.ages);
            if same(end, b.ages.from) {
                continue;
            }
            if before(end, b.ages.from) {
                self.push(
                    Diagnostic::error(
                        "E401",
                        b.span,
                        format!(
                            "{} in no band of this table",
                            is_are(&ages_between(end, b.ages.from))
                        ),
                    )
                    .label("the band before this one ends earlier")
                    .related(a.span, "the previous band")
                    .help(format!(
                        "start this band at {end}, or extend the previous one to cover the gap"
                    ))
                    .fix_titled(
                        from_span(stmt, b.span),
                        end.to_string(),
                        format!("Start this band at {end}"),
                    ),
                );
            } else {
                self.push(
                    Diagnostic::error(
                        "E400",
                        b.span,
                        format!(
                            "this band overlaps the one before it: {} in both",
                            is_are(&ages_between(b.ages.from, end))
                        ),
                    )
                    .label("overlaps the previous band")
                    .related(a.span, "the previous band")
                    .help(format!("start this band at {end}"))
                    .fix_titled(
                        from_span(stmt, b.span),
                        end.to_string(),
                        format!("Start this band at {end}"),
                    ),
                );
            }
            ok = false;
        }
        ok
    }

    /// Reports a first band that starts after the join ages, or a last band
    /// that ends before them.
    fn reaches(&mut self, stmt: &Statement, bands: &[Band<Money>], domain: AgeRange) -> bool {
        let mut ok = true;
        let first = &bands[0];
        if before(domain.from, first.ages.from) {
            self.push(
                Diagnostic::error(
                    "E401",
                    first.span,
                    format!(
                        "members may join from {}, but {} in no band",
                        domain.from,
                        is_are(&ages_between(domain.from, first.ages.from))
                    ),
                )
                .label("the first band starts later")
                .help(format!("start the first band at {}", domain.from))
                .fix_titled(
                    from_span(stmt, first.span),
                    domain.from.to_string(),
                    format!("Start the first band at {}", domain.from),
                ),
            );
            ok = false;
        }
        let last = &bands[bands.len() - 1];
        let want_end = end_of(domain);
        if before(end_of(last.ages), want_end) {
            self.push(
                Diagnostic::error(
                    "E401",
                    last.span,
                    format!(
                        "members are covered up to {}, but {} in no band",
                        domain.to,
                        is_are(&ages_between(end_of(last.ages), want_end))
                    ),
                )
                .label("the last band ends earlier")
                .help(format!("extend the last band to {}", domain.to))
                .fix_titled(
                    to_span(stmt, last.span),
                    domain.to.to_string(),
                    format!("Extend the last band to {}", domain.to),
                ),
            );
            ok = false;
        }
        ok
    }
}

/// The ages of the row written at `row`.
fn row_ages(stmt: &Statement, row: Span) -> Option<&ast::AgeRange> {
    stmt.rows.iter().find_map(|r| match r {
        Row::Band { ages, span, .. } if span.same_place(row) => Some(ages),
        _ => None,
    })
}

/// Where the first age of the row at `row` is written (the row itself if not found).
fn from_span(stmt: &Statement, row: Span) -> Span {
    row_ages(stmt, row).map_or(row, |a| a.from.span)
}

/// Where the last age of the row at `row` is written (the row itself if not found).
fn to_span(stmt: &Statement, row: Span) -> Span {
    row_ages(stmt, row).map_or(row, |a| a.to.span)
}

fn is_are(ages: &str) -> String {
    if ages.starts_with("ages") {
        format!("{ages} are")
    } else {
        format!("{ages} is")
    }
}
