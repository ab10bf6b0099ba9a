//! The members file, stored as compact columns.

use super::InputErrors;
use super::csvfile::{CsvFile, Problems, Row, Want, check_not_formula, date, text};
use super::requirement::Resolved;
use super::{Id, MemberKeys};
use crate::plan::Requirement;
use chrono::NaiveDate;
use std::collections::HashMap;
use std::hash::Hasher;
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
    /// `waiting_from`, where set: (member, the day waiting periods count
    /// from), in member order. Few members have one (those transferred in).
    pub waiting_from: Vec<(u32, NaiveDate)>,
    /// Members added by `push`: id → index.
    pub index: rustc_hash::FxHashMap<Id, u32>,
    /// The attributes of the members being explained, as (name, value) in
    /// the order the requirement names them: not kept for every member, but
    /// read again for the one an explanation is about (`attributes_of`).
    pub explained_attributes: rustc_hash::FxHashMap<u32, Vec<(String, String)>>,
    /// While the file is read: the members that claims name, and their numbers.
    named: Vec<(u32, u32)>,
    /// The numbering the members were read with, and the member of each
    /// number (`NONE`: no member has that id).
    keyed: Option<(MemberKeys, Vec<u32>)>,
}

/// No member.
const NONE: u32 = u32::MAX;

impl Members {
    pub fn len(&self) -> usize {
        self.birth.len()
    }

    pub fn is_empty(&self) -> bool {
        self.birth.is_empty()
    }

    /// The id of member `i` as bytes (UTF-8, checked when read).
    #[inline]
    pub fn id_bytes(&self, i: usize) -> &[u8] {
        let start = if i == 0 {
            0
        } else {
            self.id_ends[i - 1] as usize
        };
        &self.id_bytes[start..self.id_ends[i] as usize]
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

    /// Finds a member by id: the ids of the numbering the members were read
    /// with (those that claims name, and any other asked for), and the
    /// members added by `push`.
    pub fn find(&self, id: &str) -> Option<u32> {
        if let Some((keys, by_key)) = &self.keyed
            && let Some(k) = keys.get(id)
            && let Some(&m) = by_key.get(k as usize)
            && m != NONE
        {
            return Some(m);
        }
        self.index.get(id).copied()
    }

    /// The member of each number of the numbering `stamp` (`u32::MAX`: none),
    /// if the members were read (or keyed) with it.
    pub fn by_key(&self, stamp: u64) -> Option<&[u32]> {
        match &self.keyed {
            Some((keys, by_key)) if keys.stamp() == stamp => Some(by_key),
            _ => None,
        }
    }

    /// Records each number's member, as reading the members file with
    /// `keys` does (for members built in memory).
    pub fn key_to(&mut self, keys: MemberKeys) {
        let mut by_key = vec![NONE; keys.bound()];
        for (id, k) in keys.iter() {
            if let Some(i) = self.find(id) {
                by_key[k as usize] = i;
            }
        }
        self.keyed = Some((keys, by_key));
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
        self.index.insert(Id::new(id), self.birth.len() as u32);
        self.number(id);
        self.push_id(id);
        self.birth.push(birth);
        self.join.push(join);
        self.left.push(left.unwrap_or(NaiveDate::MAX));
        self.meets_requirements.push(meets_requirements);
    }

    /// The day member `i`'s waiting periods count from: `waiting_from`, or the join date.
    pub fn waiting_start(&self, i: usize) -> NaiveDate {
        match self.waiting_from.binary_search_by_key(&(i as u32), |w| w.0) {
            Ok(k) => self.waiting_from[k].1,
            Err(_) => self.join[i],
        }
    }

    /// Sets the day the last member pushed counts its waiting periods from.
    pub fn set_waiting_from(&mut self, day: NaiveDate) {
        if let Some(i) = self.len().checked_sub(1) {
            self.waiting_from.push((i as u32, day));
        }
    }

    /// Adds `count` identical members without indexing them (ids `prefix0`, `prefix1`, …).
    pub fn push_many(&mut self, prefix: &str, count: usize, birth: NaiveDate, join: NaiveDate) {
        self.push_cohort(prefix, count, birth, join, None, true);
    }

    /// Adds `count` identical members (ids `prefix0`, …), not indexed.
    pub fn push_cohort(
        &mut self,
        prefix: &str,
        count: usize,
        birth: NaiveDate,
        join: NaiveDate,
        left: Option<NaiveDate>,
        meets_requirements: bool,
    ) {
        let mut buf = itoa::Buffer::new();
        let mut id = String::with_capacity(prefix.len() + 20);
        for k in 0..count {
            let i = self.len() + k;
            self.id_bytes.extend_from_slice(prefix.as_bytes());
            self.id_bytes.extend_from_slice(buf.format(k).as_bytes());
            self.id_ends.push(self.id_bytes.len() as u64);
            if self.keyed.is_some() {
                id.clear();
                id.push_str(prefix);
                id.push_str(buf.format(k));
                self.number_at(&id, i);
            }
        }
        self.birth.extend(std::iter::repeat_n(birth, count));
        self.join.extend(std::iter::repeat_n(join, count));
        self.left
            .extend(std::iter::repeat_n(left.unwrap_or(NaiveDate::MAX), count));
        self.meets_requirements
            .extend(std::iter::repeat_n(meets_requirements, count));
    }

    /// Records the member about to be pushed as its id's member, if the
    /// members are numbered and the numbering has its id.
    fn number(&mut self, id: &str) {
        self.number_at(id, self.len());
    }

    fn number_at(&mut self, id: &str, i: usize) {
        if let Some((keys, by_key)) = &mut self.keyed
            && let Some(k) = keys.get(id)
        {
            by_key[k as usize] = i as u32;
        }
    }

    fn push_id(&mut self, id: &str) {
        self.id_bytes.extend_from_slice(id.as_bytes());
        self.id_ends.push(self.id_bytes.len() as u64);
    }
}

/// The ids to index, behind a one-bit-per-hash filter that answers most
/// rows (whose ids no claim names) without a probe of the set.
struct Wanted<'a> {
    set: &'a MemberKeys,
    filter: Vec<u64>,
    /// The hash's top bits pick the bit: 64 − log2(bits).
    shift: u32,
}

impl<'a> Wanted<'a> {
    fn new(set: &'a MemberKeys) -> Wanted<'a> {
        // At least 16 bits an id (2^20 to 2^28 bits): few rows reach the set.
        let bits = (set.len() * 16).next_power_of_two().clamp(1 << 20, 1 << 28);
        let shift = 64 - bits.trailing_zeros();
        let mut filter = vec![0u64; bits >> 6];
        for (id, _) in set.iter() {
            let bit = Self::bit(id, shift);
            filter[bit >> 6] |= 1 << (bit & 63);
        }
        Wanted { set, filter, shift }
    }

    #[inline]
    fn bit(id: &str, shift: u32) -> usize {
        let mut h = rustc_hash::FxHasher::default();
        h.write(id.as_bytes());
        (h.finish() >> shift) as usize
    }

    /// The number of `id`, if it is wanted.
    #[inline]
    fn key(&self, id: &str) -> Option<u32> {
        let bit = Self::bit(id, self.shift);
        if self.filter[bit >> 6] & (1 << (bit & 63)) == 0 {
            return None;
        }
        self.set.get(id)
    }
}

/// Where the columns a member row needs are, and what the plan requires.
struct Layout<'a> {
    id: usize,
    birth: usize,
    join: usize,
    left: Option<usize>,
    waiting_from: Option<usize>,
    attributes: Vec<&'a str>,
    attribute_columns: Vec<usize>,
    /// The requirement of each era of the plan, from its first day,
    /// resolved against `attributes`.
    requirements: Vec<(NaiveDate, Option<Resolved>)>,
}

impl Layout<'_> {
    /// The requirement for a member who joins on `join`.
    fn requirement(&self, join: Option<NaiveDate>) -> Option<&Resolved> {
        let join = join.unwrap_or(NaiveDate::MIN);
        let k = self.requirements.partition_point(|(from, _)| *from <= join);
        self.requirements.get(k.checked_sub(1)?)?.1.as_ref()
    }
}

/// One member row, checked.
struct MemberRow<'r> {
    id: &'r str,
    birth: NaiveDate,
    join: NaiveDate,
    left: NaiveDate,
    waiting_from: Option<NaiveDate>,
    meets: bool,
}

/// `str::trim`, with a quick answer for the usual field that has no space at either end.
#[inline]
fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(a), Some(b)) if a.is_ascii_graphic() && b.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// Checks one row; every problem goes to `problems`.
#[inline]
fn member_row<'r, R: Row>(
    rec: &'r R,
    l: &Layout,
    problems: &mut Problems,
) -> Option<MemberRow<'r>> {
    let id = text(rec, l.id, "id", problems).map(trim);
    let birth = date(rec, l.birth, "birth_date", problems);
    let join = date(rec, l.join, "join_date", problems);
    let left = match l.left {
        Some(c) if !rec.raw(c).trim_ascii().is_empty() => {
            date(rec, c, "left_date", problems).map(Some)
        }
        _ => Some(None),
    };
    let waiting_from = match l.waiting_from {
        Some(c) if !rec.raw(c).trim_ascii().is_empty() => {
            date(rec, c, "waiting_from", problems).map(Some)
        }
        _ => Some(None),
    };
    let id = id.filter(|id| {
        if id.is_empty() {
            problems.add(rec.line(), rec.column(l.id), "`id` is empty");
        }
        !id.is_empty() && check_not_formula(rec, l.id, "id", id, problems)
    });
    if let (Some(b), Some(j)) = (birth, join)
        && j < b
    {
        problems.add(
            rec.line(),
            rec.column(l.join),
            format!("`join_date` {j} is before `birth_date` {b}"),
        );
    }
    let meets = match l.requirement(join) {
        None => true,
        Some(r) => {
            // The values on the stack (a requirement names few attributes).
            let mut inline: [&str; 8] = [""; 8];
            let mut spilled: Vec<&str> = Vec::new();
            let many = l.attribute_columns.len() > inline.len();
            let mut ok = true;
            for (k, &c) in l.attribute_columns.iter().enumerate() {
                match text(rec, c, l.attributes[k], problems) {
                    Some(v) if many => spilled.push(trim(v)),
                    Some(v) => inline[k] = trim(v),
                    None => ok = false,
                }
            }
            let values = if many {
                &spilled[..]
            } else {
                &inline[..l.attribute_columns.len()]
            };
            ok && match r.evaluate(values) {
                Ok(b) => b,
                Err((attr, msg)) => {
                    let k = l.attributes.iter().position(|a| *a == attr).unwrap_or(0);
                    problems.add(rec.line(), rec.column(l.attribute_columns[k]), msg);
                    false
                }
            }
        }
    };
    Some(MemberRow {
        id: id?,
        birth: birth?,
        join: join?,
        left: left?.unwrap_or(NaiveDate::MAX),
        waiting_from: waiting_from?,
        meets,
    })
}

impl Members {
    fn push_row(&mut self, row: &MemberRow, wanted: &Wanted) {
        if let Some(key) = wanted.key(row.id) {
            self.named.push((self.birth.len() as u32, key));
        }
        self.push_id(row.id);
        self.birth.push(row.birth);
        self.join.push(row.join);
        self.left.push(row.left);
        self.meets_requirements.push(row.meets);
        if let Some(day) = row.waiting_from {
            self.set_waiting_from(day);
        }
    }

    /// Records the member of each number of `keys`, from the named members
    /// found while the file was read.
    fn record_named(&mut self, keys: MemberKeys) {
        let mut by_key = vec![NONE; keys.bound()];
        for (i, key) in self.named.drain(..) {
            by_key[key as usize] = i;
        }
        self.named = Vec::new();
        self.keyed = Some((keys, by_key));
    }

    /// Makes room for `rows` more members, so that columns do not grow by doubling.
    fn reserve(&mut self, rows: usize) {
        self.id_ends.reserve(rows);
        self.birth.reserve(rows);
        self.join.reserve(rows);
        self.left.reserve(rows);
        self.meets_requirements.reserve(rows);
    }

    /// Moves the members of `other` after these, leaving `other` empty (its memory kept).
    fn append(&mut self, other: &mut Members) {
        let base = self.id_bytes.len() as u64;
        let offset = self.birth.len() as u32;
        self.id_bytes.extend_from_slice(&other.id_bytes);
        self.id_ends.extend(other.id_ends.iter().map(|e| e + base));
        self.birth.extend_from_slice(&other.birth);
        self.join.extend_from_slice(&other.join);
        self.left.extend_from_slice(&other.left);
        self.meets_requirements
            .extend_from_slice(&other.meets_requirements);
        self.named
            .extend(other.named.drain(..).map(|(i, key)| (i + offset, key)));
        self.waiting_from.extend(
            other
                .waiting_from
                .drain(..)
                .map(|(i, day)| (i + offset, day)),
        );
        other.id_bytes.clear();
        other.id_ends.clear();
        other.birth.clear();
        other.join.clear();
        other.left.clear();
        other.meets_requirements.clear();
    }
}

/// How many rows a file holds, judged from its size and its first lines (a
/// little more, so that the columns need not grow).
fn estimated_rows(path: &Path) -> usize {
    use std::io::Read;
    let Ok(file) = std::fs::File::open(path) else {
        return 0;
    };
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut head = Vec::with_capacity(1 << 16);
    if file.take(1 << 16).read_to_end(&mut head).is_err() {
        return 0;
    }
    let lines = memchr::memchr_iter(b'\n', &head).count().max(1) as u64;
    let per_line = (head.len() as u64 / lines).max(1);
    let rows = size / per_line;
    (rows + rows / 32 + 16).min(2_000_000_000) as usize
}

/// Reads the members file. `wanted_ids` numbers the member ids the claims
/// name (`Claims::member_keys`): those members are indexed for `find`, and
/// each number's member is recorded for `by_key`;
/// the requirement, if any, is evaluated on each row.
///
/// A file without quotes is read in blocks, each block's lines parsed in
/// parallel; a file with quoted fields is read by the `csv` crate, record by
/// record. Both give the same members and the same problems.
pub fn read_members(
    path: &Path,
    requirement: Option<&Requirement>,
    wanted_ids: MemberKeys,
) -> Result<Members, InputErrors> {
    read_members_with_progress(path, requirement, wanted_ids, &|_| {})
}

/// `read_members`, calling `read(bytes)` as the bytes of the file are read.
pub fn read_members_with_progress(
    path: &Path,
    requirement: Option<&Requirement>,
    wanted_ids: MemberKeys,
    read: &dyn Fn(u64),
) -> Result<Members, InputErrors> {
    read_members_dated(path, &[(NaiveDate::MIN, requirement)], wanted_ids, read)
}

/// `read_members_with_progress` for a plan whose requirement changes over
/// time: `requirements` holds the requirement in force from each day on
/// (the first from `NaiveDate::MIN`); a member's is the one in force on its
/// join date.
pub fn read_members_dated(
    path: &Path,
    requirements: &[(NaiveDate, Option<&Requirement>)],
    wanted_ids: MemberKeys,
    read: &dyn Fn(u64),
) -> Result<Members, InputErrors> {
    let file = super::InputFile::open(path)?;
    let (name, path) = (file.name().to_string(), file.path());
    let mut problems = Problems::new(&name);
    let mut attributes: Vec<&str> = Vec::new();
    for a in requirements
        .iter()
        .filter_map(|r| r.1)
        .flat_map(|r| r.attributes())
    {
        if !attributes.contains(&a) {
            attributes.push(a);
        }
    }
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
        Want {
            name: "waiting_from",
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
    let layout = Layout {
        id: cols[0].unwrap_or(0),
        birth: cols[1].unwrap_or(0),
        join: cols[2].unwrap_or(0),
        left: cols[3],
        waiting_from: cols[4],
        attribute_columns: cols[5..].iter().map(|c| c.unwrap_or(0)).collect(),
        requirements: (requirements.iter())
            .map(|&(from, r)| (from, r.map(|r| Resolved::new(r, &attributes))))
            .collect(),
        attributes,
    };
    let wanted = Wanted::new(&wanted_ids);
    let mut m = Members::default();
    m.reserve(estimated_rows(path));
    let fast = super::blocks::read_rows(
        path,
        csv.width,
        &name,
        |rec, problems, part: &mut Members| {
            if let Some(row) = member_row(rec, &layout, problems) {
                part.push_row(&row, &wanted);
            }
        },
        |part| m.append(part),
        read,
    );
    let mut m = match fast {
        Some(block_problems) => {
            problems = block_problems;
            m
        }
        None => {
            // Quoted fields: record by record.
            let mut m = Members::default();
            while let Some(rec) = csv.next(&mut problems) {
                if let Some(row) = member_row(&rec, &layout, &mut problems) {
                    m.push_row(&row, &wanted);
                }
            }
            m
        }
    };
    drop(wanted);
    m.record_named(wanted_ids);
    let duplicated = duplicated_ids(&m);
    if !duplicated.is_empty() {
        report_duplicates(path, &duplicated, &mut problems);
    }
    if problems.is_empty() {
        Ok(m)
    } else {
        Err(problems.into_errors())
    }
}

/// The ids that more than one member has. Ids in strictly increasing order
/// (as most exports are) cannot repeat; otherwise hashes are sorted and
/// equal hashes compared byte for byte.
fn duplicated_ids(m: &Members) -> std::collections::HashSet<String> {
    use rayon::prelude::*;
    let mut out = std::collections::HashSet::new();
    let increasing = (1..m.len())
        .into_par_iter()
        .all(|i| m.id_bytes(i - 1) < m.id_bytes(i));
    if increasing {
        return out;
    }
    let mut keys: Vec<(u64, u32)> = (0..m.len())
        .into_par_iter()
        .map(|i| {
            let mut h = rustc_hash::FxHasher::default();
            h.write(m.id_bytes(i));
            (h.finish(), i as u32)
        })
        .collect();
    keys.par_sort_unstable();
    for run in keys.chunk_by(|a, b| a.0 == b.0).filter(|r| r.len() > 1) {
        for (k, a) in run.iter().enumerate() {
            if run[k + 1..]
                .iter()
                .any(|b| m.id_bytes(a.1 as usize) == m.id_bytes(b.1 as usize))
            {
                out.insert(m.id(a.1 as usize).to_string());
            }
        }
    }
    out
}

/// Reports every repeat of a duplicated id at its field, naming the first line
/// (a second read of the file, only when there are duplicates).
fn report_duplicates(
    path: &Path,
    ids: &std::collections::HashSet<String>,
    problems: &mut Problems,
) {
    let mut ignore = Problems::new(&problems.file);
    let Some(mut csv) = CsvFile::open(
        path,
        &[Want {
            name: "id",
            required: true,
        }],
        &mut ignore,
    ) else {
        return;
    };
    let col = csv.columns[0].unwrap_or(0);
    let mut first: HashMap<String, u64> = HashMap::new();
    while let Some(rec) = csv.next(&mut ignore) {
        let Ok(id) = std::str::from_utf8(rec.raw(col)) else {
            continue;
        };
        let id = id.trim();
        if !ids.contains(id) {
            continue;
        }
        match first.get(id) {
            Some(&line) => problems.add(
                rec.line(),
                rec.column(col),
                format!("duplicate member id `{id}` (first on line {line})"),
            ),
            None => {
                first.insert(id.to_string(), rec.line());
            }
        }
    }
}
