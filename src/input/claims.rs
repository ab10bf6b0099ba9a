//! The claims file.

use super::InputErrors;
use super::MemberKeys;
use super::csvfile::{CsvFile, Problems, Row, Want, check_not_formula, date, text};
use crate::plan::Cause;
use chrono::NaiveDate;
use std::path::Path;

/// A claim's text field: up to 24 bytes are kept inline, without an allocation.
pub type Text = compact_str::CompactString;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    pub id: Text,
    pub member_id: Text,
    pub disease: Text,
    pub diagnosed_on: NaiveDate,
    /// The filing date used: the diagnosis date where the input left it empty.
    pub filed_on: NaiveDate,
    pub benefit: Option<Text>,
    pub cause: Cause,
    /// The line of the claim in its file.
    pub line: u64,
}

#[derive(Clone, Debug, Default)]
pub struct Claims {
    claims: Vec<Claim>,
    /// The stamp of the numbering of the claims' member ids, and each
    /// claim's number in it (`None` until numbered, and after a change).
    keys: Option<(u64, Vec<u32>)>,
    /// Some claim id is not greater than the one before it.
    unordered: bool,
}

impl Claims {
    pub fn new(claims: Vec<Claim>) -> Claims {
        use rayon::prelude::*;
        let unordered = !claims.par_windows(2).all(|w| w[0].id < w[1].id);
        Claims {
            claims,
            keys: None,
            unordered,
        }
    }

    /// Whether each claim id is greater than the one before it (as in most
    /// exports): then the claims of a day are in the order of their ids.
    pub fn ids_increase(&self) -> bool {
        !self.unordered
    }

    /// The claims, in file order.
    pub fn all(&self) -> &[Claim] {
        &self.claims
    }

    pub fn len(&self) -> usize {
        self.claims.len()
    }

    pub fn is_empty(&self) -> bool {
        self.claims.is_empty()
    }

    /// Adds a claim.
    pub fn add(&mut self, claim: Claim) {
        if let Some(last) = self.claims.last() {
            self.unordered |= last.id >= claim.id;
        }
        self.claims.push(claim);
        self.keys = None;
    }

    /// Adds a claim (for tests and tools that build claims in memory).
    pub fn push(
        &mut self,
        id: &str,
        member_id: &str,
        disease: &str,
        diagnosed_on: NaiveDate,
        cause: Cause,
    ) {
        self.add(Claim {
            id: Text::new(id),
            member_id: Text::new(member_id),
            disease: Text::new(disease),
            diagnosed_on,
            filed_on: diagnosed_on,
            benefit: None,
            cause,
            line: 0,
        });
    }

    /// Numbers the member ids the claims name (on all cores) and remembers
    /// each claim's number: members read with these keys (`read_members`)
    /// are found by number.
    pub fn member_keys(&mut self) -> MemberKeys {
        let all = &self.claims;
        let (keys, of_claim) = MemberKeys::number(all.len(), |i| all[i].member_id.as_str());
        self.keys = Some((keys.stamp(), of_claim));
        keys
    }

    /// Each claim's member number in the numbering `stamp`, if the claims were numbered by it.
    pub fn keys(&self, stamp: u64) -> Option<&[u32]> {
        match &self.keys {
            Some((s, keys)) if *s == stamp => Some(keys),
            _ => None,
        }
    }

    /// The stamp of the numbering of the claims' member ids, if numbered.
    pub fn key_stamp(&self) -> Option<u64> {
        self.keys.as_ref().map(|k| k.0)
    }
}

pub fn read_claims(path: &Path) -> Result<Claims, InputErrors> {
    let file = super::InputFile::open(path)?;
    let (name, path) = (file.name().to_string(), file.path());
    let mut problems = Problems::new(&name);
    let want = [
        Want {
            name: "id",
            required: true,
        },
        Want {
            name: "member_id",
            required: true,
        },
        Want {
            name: "disease",
            required: true,
        },
        Want {
            name: "diagnosed_on",
            required: true,
        },
        Want {
            name: "filed_on",
            required: false,
        },
        Want {
            name: "benefit",
            required: false,
        },
        Want {
            name: "cause",
            required: false,
        },
    ];
    let Some(mut csv) = CsvFile::open(path, &want, &mut problems) else {
        return Err(problems.into_errors());
    };
    let c: Vec<Option<usize>> = csv.columns.clone();
    // A file without quotes is read in parallel blocks; otherwise record by record.
    let mut rows: Vec<Parsed> = Vec::new();
    let fast = super::blocks::read_rows(
        path,
        csv.width,
        &name,
        |rec, problems, part: &mut Vec<Parsed>| {
            if let Some(row) = claim_row(rec, &c, problems) {
                part.push(row);
            }
        },
        |part| rows.append(part),
        &|_| {},
    );
    match fast {
        Some(block_problems) => problems.absorb(block_problems),
        None => {
            rows.clear();
            while let Some(rec) = csv.next(&mut problems) {
                if let Some(row) = claim_row(&rec, &c, &mut problems) {
                    rows.push(row);
                }
            }
        }
    }
    // Each repeated id is reported at its field, naming the first line. Ids
    // in strictly increasing order (as most exports are) cannot repeat.
    let increasing = {
        use rayon::prelude::*;
        rows.par_windows(2)
            .all(|w| w[0].claim.id.as_str() < w[1].claim.id.as_str())
    };
    let mut seen: rustc_hash::FxHashMap<&str, u64> = rustc_hash::FxHashMap::default();
    for row in rows.iter().filter(|_| !increasing) {
        let claim = &row.claim;
        if let Some(&first) = seen.get(claim.id.as_str()) {
            problems.add(
                claim.line,
                row.id_column,
                format!("duplicate claim id `{}` (first on line {first})", claim.id),
            );
        } else {
            seen.insert(&claim.id, claim.line);
        }
    }
    drop(seen);
    if problems.is_empty() {
        Ok(Claims {
            claims: rows.into_iter().map(|row| row.claim).collect(),
            keys: None,
            unordered: !increasing,
        })
    } else {
        Err(problems.into_errors())
    }
}

/// A row with an id: the claim (its other fields empty where the row has
/// problems), and where its id is, for a repeat reported later.
struct Parsed {
    claim: Claim,
    id_column: u64,
}

/// Checks one row; every problem goes to `problems`. `None`: the row has no id.
fn claim_row<R: Row>(rec: &R, c: &[Option<usize>], problems: &mut Problems) -> Option<Parsed> {
    let get = |i: usize, n: &str, p: &mut Problems| text(rec, i, n, p).map(|s| Text::new(s.trim()));
    let id = get(c[0].unwrap_or(0), "id", problems);
    let member_id = get(c[1].unwrap_or(0), "member_id", problems);
    let disease = get(c[2].unwrap_or(0), "disease", problems);
    let diagnosed = date(rec, c[3].unwrap_or(0), "diagnosed_on", problems);
    let filed = match c[4] {
        Some(i) if !rec.raw(i).trim_ascii().is_empty() => {
            date(rec, i, "filed_on", problems).map(Some)
        }
        _ => Some(None),
    };
    let benefit = match c[5] {
        Some(i) => get(i, "benefit", problems).map(|b| (!b.is_empty()).then_some(b)),
        None => Some(None),
    };
    let cause = match c[6] {
        Some(i) => match text(rec, i, "cause", problems).map(str::trim) {
            Some("") => Some(Cause::Illness),
            Some(s) => match Cause::parse(s) {
                Some(cause) => Some(cause),
                None => {
                    problems.add(
                        rec.line(),
                        rec.column(i),
                        format!(
                            "`cause` is `{}`; it must be `illness` or `accident`",
                            super::csvfile::shown(s)
                        ),
                    );
                    None
                }
            },
            None => None,
        },
        None => Some(Cause::Illness),
    };
    for (v, i, n) in [
        (&id, 0, "id"),
        (&member_id, 1, "member_id"),
        (&disease, 2, "disease"),
    ] {
        if v.as_deref() == Some("") {
            problems.add(
                rec.line(),
                rec.column(c[i].unwrap_or(0)),
                format!("`{n}` is empty"),
            );
        }
    }
    let mut safe = true;
    for (v, i, n) in [
        (id.as_deref(), c[0], "id"),
        (member_id.as_deref(), c[1], "member_id"),
        (disease.as_deref(), c[2], "disease"),
        (benefit.as_ref().and_then(|b| b.as_deref()), c[5], "benefit"),
    ] {
        if let Some(v) = v {
            safe &= check_not_formula(rec, i.unwrap_or(0), n, v, problems);
        }
    }
    if let (Some(d), Some(Some(f))) = (diagnosed, filed)
        && f < d
    {
        problems.add(
            rec.line(),
            rec.column(c[4].unwrap_or(0)),
            format!("`filed_on` {f} is before `diagnosed_on` {d}"),
        );
    }
    let id = id.filter(|id| !id.is_empty() && safe)?;
    let line = rec.line();
    let id_column = rec.column(c[0].unwrap_or(0));
    // A row with problems keeps only its id (the run does not go ahead).
    let diagnosed_on = diagnosed.unwrap_or(NaiveDate::MIN);
    let claim = Claim {
        id,
        member_id: member_id.unwrap_or_default(),
        disease: disease.unwrap_or_default(),
        diagnosed_on,
        filed_on: filed.flatten().unwrap_or(diagnosed_on),
        benefit: benefit.flatten(),
        cause: cause.unwrap_or(Cause::Illness),
        line,
    };
    Some(Parsed { claim, id_column })
}
