//! What the designer wrote: sections, statements and rows, every node spanned.
//!
//! Values are kept as written (numbers and units as text); the checker gives
//! them meaning. Equality ignores spans, so a formatted plan compares equal
//! to the original.

use crate::source::{FileId, Span};

/// A value with the span it was written at. Equality looks at the value only.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    pub node: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(node: T, span: Span) -> Spanned<T> {
        Spanned { node, span }
    }
}

pub type Name = Spanned<String>;

/// A parsed plan file (or a file of disease lists that plans include).
#[derive(Clone, Debug, PartialEq)]
pub struct PlanFile {
    pub file: FileId,
    pub sections: Vec<Section>,
    /// The first word of each line that failed to parse: the checker does not
    /// also report such a statement as missing.
    pub broken: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    pub header: Spanned<Header>,
    pub statements: Vec<Statement>,
    /// Rows written directly under the header (a disease list's codes).
    pub rows: Vec<Row>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Header {
    Plan {
        id: Name,
    },
    Membership,
    Benefit {
        name: Name,
        title: Option<Spanned<String>>,
    },
    Diseases {
        name: Name,
        title: Option<Spanned<String>>,
    },
    Sharing,
    /// `account`: a prepaid balance, its minimum and its fees.
    Account,
    Viability,
    Example {
        title: Spanned<String>,
    },
    Include {
        path: Spanned<String>,
    },
}

impl Header {
    /// The word that starts the header line.
    pub fn keyword(&self) -> &'static str {
        match self {
            Header::Plan { .. } => "plan",
            Header::Membership => "membership",
            Header::Benefit { .. } => "benefit",
            Header::Diseases { .. } => "diseases",
            Header::Sharing => "sharing",
            Header::Account => "account",
            Header::Viability => "viability",
            Header::Example { .. } => "example",
            Header::Include { .. } => "include",
        }
    }
}

/// One statement line, with the table rows written under it.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub kind: StatementKind,
    pub span: Span,
    pub rows: Vec<Row>,
    /// `from DATE` / `until DATE`: the days on which the statement is in force.
    pub in_force: Option<InForce>,
}

/// `from 2018-11-27 until 2019-12-31`: the first and last day a statement is
/// in force, each as written (either may be left open).
#[derive(Clone, Debug, PartialEq)]
pub struct InForce {
    pub from: Option<Spanned<String>>,
    pub until: Option<Spanned<String>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StatementKind {
    Title(Spanned<String>),
    Operator(Spanned<String>),
    Currency(Name),
    Launched(Spanned<String>),
    /// `closes 2022-01-28, claims within 180 days`
    PlanCloses {
        date: Spanned<String>,
        window: Option<Quantity>,
    },
    Join(AgeRange),
    Requires(Condition),
    Pays(Amount),
    EndsAtAge(Quantity),
    EndsOnPayout(Name),
    Term {
        length: Quantity,
        renew_up_to: Option<Quantity>,
    },
    Covers(Vec<CoverItem>),
    Waiting {
        period: Quantity,
        except: Vec<Name>,
    },
    Payout(Amount),
    Limit(Spanned<String>),
    /// `only for accident`
    OnlyFor(Vec<Name>),
    /// `in waiting: ends membership, refunds charges`
    WaitingRefund,
    Closes(Vec<Spanned<String>>),
    Fee(Quantity),
    Split(Spanned<SplitKind>),
    Cap(Cap),
    /// `excess borne by operator` or `excess reduces payouts`.
    Excess(Spanned<ExcessRule>),
    Rounding {
        mode: Spanned<RoundingMode>,
        remainder: Spanned<Remainder>,
    },
    Minimum(Spanned<String>),
    /// `minimum balance 1 CNY`
    MinimumBalance(Quantity),
    /// `resumes after a top-up, with(out) a new waiting period`
    Resumes {
        new_waiting: Spanned<bool>,
    },
    /// `fee 2 CNY per quarter on accounts without active membership`
    AccountFee {
        amount: Quantity,
        every: Spanned<FeeEvery>,
        inactive_only: bool,
    },
    /// `payment a date=2017-03-01 amount=10`: a top-up of member `a`.
    Payment {
        member: Name,
        fields: Vec<Field>,
    },
    AsOf(Spanned<String>),
    Member {
        name: Name,
        fields: Vec<Field>,
    },
    /// `members bulk 1_000 birth_date=…`: many identical members, ids `bulk0` … `bulk999`.
    Members {
        prefix: Name,
        count: Spanned<String>,
        fields: Vec<Field>,
    },
    Claim {
        name: Name,
        fields: Vec<Field>,
    },
    /// `claims c 400 member_id=sick …`: many identical claims, ids `c0` … `c399`;
    /// claim k is made by member k of the cohort `member_id` names, if it is one.
    Claims {
        prefix: Name,
        count: Spanned<String>,
        fields: Vec<Field>,
    },
    Expect {
        target: Spanned<String>,
        value: Spanned<Value>,
    },
}

impl StatementKind {
    /// The words that start the statement, as a designer would name it.
    pub fn keyword(&self) -> &'static str {
        use StatementKind::*;
        match self {
            Title(_) => "title",
            Operator(_) => "operator",
            Currency(_) => "currency",
            Launched(_) => "launched",
            PlanCloses { .. } => "closes",
            Join(_) => "join ages",
            Requires(_) => "requires",
            Pays(_) => "pays at join",
            EndsAtAge(_) => "ends at age",
            EndsOnPayout(_) => "ends on payout of",
            Term { .. } => "term",
            Covers(_) => "covers",
            Waiting { .. } => "waiting",
            Payout(_) => "payout",
            Limit(_) => "limit",
            OnlyFor(_) => "only for",
            WaitingRefund => "in waiting",
            Closes(_) => "closes on",
            Fee(_) => "fee",
            Split(_) => "split",
            Cap(crate::ast::Cap::Fixed { .. }) => "cap",
            Cap(crate::ast::Cap::PerYearByAge { .. }) => "cap per year",
            Excess(_) => "excess",
            Rounding { .. } => "rounding",
            Minimum(_) => "minimum",
            MinimumBalance(_) => "minimum balance",
            Resumes { .. } => "resumes after a top-up",
            AccountFee { .. } => "fee per",
            Payment { .. } => "payment",
            AsOf(_) => "as of",
            Member { .. } => "member",
            Members { .. } => "members",
            Claim { .. } => "claim",
            Claims { .. } => "claims",
            Expect { .. } => "expect",
        }
    }

    /// Whether table rows may follow this statement.
    pub fn takes_rows(&self) -> bool {
        matches!(
            self,
            StatementKind::Pays(Amount::ByAge(_))
                | StatementKind::Payout(Amount::ByAge(_))
                | StatementKind::Cap(crate::ast::Cap::PerYearByAge { .. })
        )
    }
}

/// A number with its unit, as written: `300_000 CNY`, `10%`, `90 days`.
#[derive(Clone, Debug, PartialEq)]
pub struct Quantity {
    pub number: Spanned<String>,
    pub unit: Spanned<String>,
    pub span: Span,
}

/// `30 days to 39 years`
#[derive(Clone, Debug, PartialEq)]
pub struct AgeRange {
    pub from: Quantity,
    pub to: Quantity,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AgeBasis {
    Join,
    Diagnosis,
    TermStart,
}

impl AgeBasis {
    pub fn words(self) -> &'static str {
        match self {
            AgeBasis::Join => "join",
            AgeBasis::Diagnosis => "diagnosis",
            AgeBasis::TermStart => "term start",
        }
    }
}

/// An amount: fixed, a table by age, or a share of another benefit's amount.
#[derive(Clone, Debug, PartialEq)]
pub enum Amount {
    Fixed(Quantity),
    ByAge(Spanned<AgeBasis>),
    ShareOf { percent: Quantity, of: Name },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Cap {
    Fixed {
        amount: Quantity,
        basis: Spanned<CapBasis>,
    },
    PerYearByAge {
        basis: Spanned<AgeBasis>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CapBasis {
    Case,
    Charge,
    Year,
    CalendarYear,
}

impl CapBasis {
    pub fn words(self) -> &'static str {
        match self {
            CapBasis::Case => "case",
            CapBasis::Charge => "charge",
            CapBasis::Year => "year",
            CapBasis::CalendarYear => "calendar year",
        }
    }
}

/// What happens to the part of a period's cost that the caps leave uncollected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExcessRule {
    /// The operator bears it.
    Operator,
    /// The period's payouts are reduced pro rata (a short pool).
    ReducesPayouts,
}

impl ExcessRule {
    pub fn words(self) -> &'static str {
        match self {
            ExcessRule::Operator => "borne by operator",
            ExcessRule::ReducesPayouts => "reduces payouts",
        }
    }
}

/// How often an account fee falls due: on the last day of each calendar month, quarter or year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FeeEvery {
    Month,
    Quarter,
    Year,
}

impl FeeEvery {
    pub fn words(self) -> &'static str {
        match self {
            FeeEvery::Month => "month",
            FeeEvery::Quarter => "quarter",
            FeeEvery::Year => "year",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SplitKind {
    Equally,
    ByAnnualCap,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundingMode {
    Up,
    HalfUp,
    Down,
}

impl RoundingMode {
    pub fn words(self) -> &'static str {
        match self {
            RoundingMode::Up => "up",
            RoundingMode::HalfUp => "half up",
            RoundingMode::Down => "down",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Remainder {
    Carried,
    Operator,
    Distributed,
}

impl Remainder {
    pub fn words(self) -> &'static str {
        match self {
            Remainder::Carried => "carried",
            Remainder::Operator => "borne by operator",
            Remainder::Distributed => "distributed",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum CoverItem {
    List(Name),
    Code(Name),
    Range { from: Name, to: Name },
}

/// A requirement on member attributes: `credit_score >= 650 and not region = "X"`.
#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    Or(Vec<Condition>),
    And(Vec<Condition>),
    Not(Box<Condition>),
    Compare {
        attribute: Name,
        op: Spanned<CompareOp>,
        value: Spanned<Value>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CompareOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Eq => "=",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }
}

/// A literal value in a condition or an example.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Text(String),
    Number(String),
    Date(String),
    Word(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub name: Name,
    pub value: Spanned<Value>,
}

/// A table row.
// Rows are few (a plan has tens of them): boxing the band would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Row {
    /// `30 days to 39 years: 300_000 CNY`
    Band {
        ages: AgeRange,
        value: Quantity,
        span: Span,
    },
    /// `CI001 "恶性肿瘤——重度"`
    Disease {
        code: Name,
        name: Spanned<String>,
        span: Span,
    },
}

impl Row {
    pub fn span(&self) -> Span {
        match self {
            Row::Band { span, .. } | Row::Disease { span, .. } => *span,
        }
    }
}
