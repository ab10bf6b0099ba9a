//! The claims file.

use super::InputErrors;
use super::csvfile::{CsvFile, Problems, Row, Want, date, text};
use super::{Id, IdSet};
use crate::plan::Cause;
use chrono::NaiveDate;
use std::path::Path;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    pub id: String,
    pub member_id: String,
    pub disease: String,
    pub diagnosed_on: NaiveDate,
    /// The filing date used: the diagnosis date where the input left it empty.
    pub filed_on: NaiveDate,
    pub benefit: Option<String>,
    pub cause: Cause,
    /// The line of the claim in its file.
    pub line: u64,
}

#[derive(Clone, Debug, Default)]
pub struct Claims {
    pub claims: Vec<Claim>,
}

impl Claims {
    /// Adds a claim (for tests and tools that build claims in memory).
    pub fn push(
        &mut self,
        id: &str,
        member_id: &str,
        disease: &str,
        diagnosed_on: NaiveDate,
        cause: Cause,
    ) {
        self.claims.push(Claim {
            id: id.to_string(),
            member_id: member_id.to_string(),
            disease: disease.to_string(),
            diagnosed_on,
            filed_on: diagnosed_on,
            benefit: None,
            cause,
            line: 0,
        });
    }

    /// The member ids the claims name.
    pub fn member_ids(&self) -> IdSet {
        self.claims.iter().map(|c| Id::new(&c.member_id)).collect()
    }
}

pub fn read_claims(path: &Path) -> Result<Claims, InputErrors> {
    let name = path.display().to_string();
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
    let mut out = Claims::default();
    let mut seen: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    while let Some(rec) = csv.next(&mut problems) {
        let get =
            |i: usize, n: &str, p: &mut Problems| text(&rec, i, n, p).map(|s| s.trim().to_string());
        let id = get(c[0].unwrap_or(0), "id", &mut problems);
        let member_id = get(c[1].unwrap_or(0), "member_id", &mut problems);
        let disease = get(c[2].unwrap_or(0), "disease", &mut problems);
        let diagnosed = date(&rec, c[3].unwrap_or(0), "diagnosed_on", &mut problems);
        let filed = match c[4] {
            Some(i) if !rec.raw(i).trim_ascii().is_empty() => {
                date(&rec, i, "filed_on", &mut problems).map(Some)
            }
            _ => Some(None),
        };
        let benefit = match c[5] {
            Some(i) => get(i, "benefit", &mut problems).map(|b| (!b.is_empty()).then_some(b)),
            None => Some(None),
        };
        let cause = match c[6] {
            Some(i) => match get(i, "cause", &mut problems) {
                Some(s) if s.is_empty() => Some(Cause::Illness),
                Some(s) => match Cause::parse(&s) {
                    Some(cause) => Some(cause),
                    None => {
                        problems.add(
                            rec.line(),
                            rec.column(i),
                            format!(
                                "`cause` is `{}`; it must be `illness` or `accident`",
                                super::csvfile::shown(&s)
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
        if let (Some(d), Some(Some(f))) = (diagnosed, filed)
            && f < d
        {
            problems.add(
                rec.line(),
                rec.column(c[4].unwrap_or(0)),
                format!("`filed_on` {f} is before `diagnosed_on` {d}"),
            );
        }
        if let Some(id) = &id
            && !id.is_empty()
        {
            if let Some(first) = seen.get(id) {
                problems.add(
                    rec.line(),
                    rec.column(c[0].unwrap_or(0)),
                    format!("duplicate claim id `{id}` (first on line {first})"),
                );
            } else {
                seen.insert(id.clone(), rec.line());
            }
        }
        if let (
            Some(id),
            Some(member_id),
            Some(disease),
            Some(diagnosed_on),
            Some(filed),
            Some(benefit),
            Some(cause),
        ) = (id, member_id, disease, diagnosed, filed, benefit, cause)
        {
            out.claims.push(Claim {
                id,
                member_id,
                disease,
                diagnosed_on,
                filed_on: filed.unwrap_or(diagnosed_on),
                benefit,
                cause,
                line: rec.line(),
            });
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems.into_errors())
    }
}
