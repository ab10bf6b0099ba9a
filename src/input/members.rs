//! The members file, stored as compact columns.

use super::InputErrors;
use super::csvfile::{CsvFile, Problems, Want, date, text};
use crate::plan::{Literal, Requirement};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::path::Path;

/// Members in input order, one entry per column.
#[derive(Debug, Default)]
pub struct Members {
    id_bytes: Vec<u8>,
    id_ends: Vec<u64>,
    pub birth: Vec<NaiveDate>,
    pub join: Vec<NaiveDate>,
    /// `NaiveDate::MAX` where the member has not left.
    pub left: Vec<NaiveDate>,
    /// Whether the requirements held at joining (the age range is checked by the engine).
    pub meets_requirements: Vec<bool>,
    /// Members named by claims: id → index.
    pub index: HashMap<String, u32>,
}

impl Members {
    pub fn len(&self) -> usize {
        self.birth.len()
    }

    pub fn is_empty(&self) -> bool {
        self.birth.is_empty()
    }

    pub fn id(&self, i: usize) -> &str {
        let start = if i == 0 {
            0
        } else {
            self.id_ends[i - 1] as usize
        };
        let end = self.id_ends[i] as usize;
        // Ids were checked to be UTF-8 when read.
        std::str::from_utf8(&self.id_bytes[start..end]).unwrap_or("")
    }

    /// Finds a member by id; only ids named by claims (or all, for a small file) are indexed.
    pub fn find(&self, id: &str) -> Option<u32> {
        self.index.get(id).copied()
    }

    /// Adds a member (for tests and tools that build members in memory);
    /// the member is indexed for `find`.
    pub fn push(
        &mut self,
        id: &str,
        birth: NaiveDate,
        join: NaiveDate,
        left: Option<NaiveDate>,
        meets_requirements: bool,
    ) {
        self.index.insert(id.to_string(), self.birth.len() as u32);
        self.push_id(id);
        self.birth.push(birth);
        self.join.push(join);
        self.left.push(left.unwrap_or(NaiveDate::MAX));
        self.meets_requirements.push(meets_requirements);
    }

    /// Adds `count` identical members without indexing them (ids `prefix0`, `prefix1`, …).
    pub fn push_many(&mut self, prefix: &str, count: usize, birth: NaiveDate, join: NaiveDate) {
        let mut buf = itoa::Buffer::new();
        for k in 0..count {
            self.id_bytes.extend_from_slice(prefix.as_bytes());
            self.id_bytes.extend_from_slice(buf.format(k).as_bytes());
            self.id_ends.push(self.id_bytes.len() as u64);
        }
        self.birth.extend(std::iter::repeat_n(birth, count));
        self.join.extend(std::iter::repeat_n(join, count));
        self.left.extend(std::iter::repeat_n(NaiveDate::MAX, count));
        self.meets_requirements
            .extend(std::iter::repeat_n(true, count));
    }

    fn push_id(&mut self, id: &str) {
        self.id_bytes.extend_from_slice(id.as_bytes());
        self.id_ends.push(self.id_bytes.len() as u64);
    }
}

/// Reads the members file. `wanted_ids` are the member ids the claims name;
/// the requirement, if any, is evaluated on each row.
pub fn read_members(
    path: &Path,
    requirement: Option<&Requirement>,
    wanted_ids: &std::collections::HashSet<String>,
) -> Result<Members, InputErrors> {
    let name = path.display().to_string();
    let mut problems = Problems::new(&name);
    let attributes: Vec<&str> = requirement.map(|r| r.attributes()).unwrap_or_default();
    let mut want = vec![
        Want {
            name: "id",
            required: true,
        },
        Want {
            name: "birth_date",
            required: true,
        },
        Want {
            name: "join_date",
            required: true,
        },
        Want {
            name: "left_date",
            required: false,
        },
    ];
    for a in &attributes {
        want.push(Want {
            name: a,
            required: true,
        });
    }
    let Some(mut csv) = CsvFile::open(path, &want, &mut problems) else {
        return Err(problems.into_errors());
    };
    let cols: Vec<Option<usize>> = csv.columns.clone();
    let (c_id, c_birth, c_join, c_left) = (
        cols[0].unwrap_or(0),
        cols[1].unwrap_or(0),
        cols[2].unwrap_or(0),
        cols[3],
    );
    let attr_cols: Vec<usize> = cols[4..].iter().map(|c| c.unwrap_or(0)).collect();
    let mut m = Members::default();
    while let Some(rec) = csv.next(&mut problems) {
        let id = text(&rec, c_id, "id", &mut problems).map(str::trim);
        let birth = date(&rec, c_birth, "birth_date", &mut problems);
        let join = date(&rec, c_join, "join_date", &mut problems);
        let left = match c_left {
            Some(c) if !rec.raw(c).trim_ascii().is_empty() => {
                date(&rec, c, "left_date", &mut problems).map(Some)
            }
            _ => Some(None),
        };
        let id = id.filter(|id| {
            if id.is_empty() {
                problems.add(rec.line, rec.column(c_id), "`id` is empty");
                false
            } else {
                true
            }
        });
        if let (Some(b), Some(j)) = (birth, join)
            && j < b
        {
            problems.add(
                rec.line,
                rec.column(c_join),
                format!("`join_date` {j} is before `birth_date` {b}"),
            );
        }
        let mut values: Vec<&str> = Vec::with_capacity(attr_cols.len());
        let mut attrs_ok = true;
        for (k, &c) in attr_cols.iter().enumerate() {
            match text(&rec, c, attributes[k], &mut problems) {
                Some(v) => values.push(v.trim()),
                None => attrs_ok = false,
            }
        }
        let meets = match requirement {
            Some(r) if attrs_ok => match evaluate(r, &attributes, &values) {
                Ok(b) => b,
                Err((attr, msg)) => {
                    let k = attributes.iter().position(|a| *a == attr).unwrap_or(0);
                    problems.add(rec.line, rec.column(attr_cols[k]), msg);
                    false
                }
            },
            _ => true,
        };
        let (Some(id), Some(birth), Some(join), Some(left)) = (id, birth, join, left) else {
            continue;
        };
        if wanted_ids.contains(id) {
            m.index.insert(id.to_string(), m.birth.len() as u32);
        }
        m.push_id(id);
        m.birth.push(birth);
        m.join.push(join);
        m.left.push(left.unwrap_or(NaiveDate::MAX));
        m.meets_requirements.push(meets);
    }
    if problems.is_empty()
        && let Some((a, b)) = first_duplicate(&m)
    {
        let id = m.id(a).to_string();
        let lines = duplicate_lines(path, c_id, &id);
        let (l1, l2) = (
            lines.first().copied().unwrap_or(0),
            lines.get(1).copied().unwrap_or(0),
        );
        let _ = b;
        problems.add(
            l2,
            1,
            format!("duplicate member id `{id}` (first on line {l1})"),
        );
    }
    if problems.is_empty() {
        Ok(m)
    } else {
        Err(problems.into_errors())
    }
}

/// Two members with the same id, if any: hashes sorted, then bytes compared.
fn first_duplicate(m: &Members) -> Option<(usize, usize)> {
    use rayon::prelude::*;
    let state = std::hash::RandomState::new();
    let mut keys: Vec<(u64, u32)> = (0..m.len())
        .into_par_iter()
        .map(|i| {
            let mut h = state.build_hasher();
            h.write(m.id(i).as_bytes());
            (h.finish(), i as u32)
        })
        .collect();
    keys.par_sort_unstable();
    let mut best: Option<(usize, usize)> = None;
    for w in keys.windows(2) {
        if w[0].0 == w[1].0 && m.id(w[0].1 as usize) == m.id(w[1].1 as usize) {
            let pair = (w[0].1.min(w[1].1) as usize, w[0].1.max(w[1].1) as usize);
            if best.is_none_or(|b| pair.1 < b.1) {
                best = Some(pair);
            }
        }
    }
    best
}

/// The lines where `id` appears in column `col` (a second pass, only on error).
fn duplicate_lines(path: &Path, col: usize, id: &str) -> Vec<u64> {
    let Ok(mut r) = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_path(path)
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut rec = csv::ByteRecord::new();
    while let Ok(true) = r.read_byte_record(&mut rec) {
        if rec.get(col).map(<[u8]>::trim_ascii) == Some(id.as_bytes()) {
            out.push(rec.position().map(|p| p.line()).unwrap_or(0));
        }
    }
    out
}

/// Evaluates a requirement on one member's attribute values. An empty
/// attribute makes the requirement fail; a value that cannot be compared is an error.
pub fn evaluate(
    r: &Requirement,
    names: &[&str],
    values: &[&str],
) -> Result<bool, (String, String)> {
    if values.iter().any(|v| v.is_empty()) {
        return Ok(false);
    }
    eval(r, names, values)
}

fn eval(r: &Requirement, names: &[&str], values: &[&str]) -> Result<bool, (String, String)> {
    Ok(match r {
        Requirement::All(v) => {
            for x in v {
                if !eval(x, names, values)? {
                    return Ok(false);
                }
            }
            true
        }
        Requirement::Any(v) => {
            for x in v {
                if eval(x, names, values)? {
                    return Ok(true);
                }
            }
            false
        }
        Requirement::Not(x) => !eval(x, names, values)?,
        Requirement::Compare {
            attribute,
            op,
            value,
        } => {
            let k = names.iter().position(|n| n == attribute).unwrap_or(0);
            let actual = values.get(k).copied().unwrap_or("");
            let ord = match value {
                Literal::Text(t) => actual.cmp(t.as_str()),
                Literal::Number {
                    scaled,
                    scale,
                    text,
                } => {
                    let Some((a, a_scale)) = super::parse_decimal(actual) else {
                        return Err((
                            attribute.clone(),
                            format!(
                                "`{attribute}` is `{actual}`, which the requirement cannot compare with the number {text}"
                            ),
                        ));
                    };
                    let s = (*scale).max(a_scale);
                    let lhs = a * 10i128.pow(s - a_scale);
                    let rhs = scaled * 10i128.pow(s - scale);
                    lhs.cmp(&rhs)
                }
            };
            use crate::ast::CompareOp::*;
            use std::cmp::Ordering::*;
            match op {
                Eq => ord == Equal,
                Ne => ord != Equal,
                Lt => ord == Less,
                Le => ord != Greater,
                Gt => ord == Greater,
                Ge => ord != Less,
            }
        }
    })
}
