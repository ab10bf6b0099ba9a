//! 相互保 (plans/xianghubao.plan) by hand: reads members.csv and claims.csv and
//! writes the decisions.csv, periods.csv and members.csv that `mutual run
//! plans/xianghubao.plan` writes, byte for byte, with every rule of the plan
//! hard-coded, to measure what the interpreter costs.
//!
//! ```text
//! xianghubao-baseline --members CSV --claims CSV --until DATE --out DIR
//! ```
//!
//! The rules (plans/xianghubao.plan): join 30 days to 59 years, `credit_score` >= 650;
//! benefit CI001–CI100, waiting 90 days except accidents; payout by age at
//! diagnosis 300,000.00 (30 days–39 years) or 100,000.00 (40–59 years); one
//! payout, which ends the membership; ends on the 60th birthday. Periods close
//! on the 6th and 20th, from the one holding 2018-10-16 to the last one whose
//! closing day is on or before `--until` (only closed periods are shared);
//! fee 10% half up; equal split; cap 0.10 per case; each charge rounded up,
//! the surplus carried. An eligible member joining after `--until` is
//! `pending`; nothing is refunded in this plan (`refunded` is always 0.00),
//! and it has no accounts (`topped_up` and `fees` are 0.00).
//!
//! Members are read from a memory map in chunks on every core; each row only
//! adds +1/−1 to a per-period difference array (the member shares from the
//! period holding the join date up to the one holding the day it stops), so
//! nothing per member is kept except for the members named by claims, found
//! through a bit filter. After the periods are shared, a second pass over the
//! map formats members.csv on every core (a member's total is a difference of
//! prefix sums of the per-period charge), and one thread writes the pieces in
//! order as they are done. Input is assumed valid (no error reporting), and
//! files are written in place (no temporary file, no fsync).

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

// ------------------------------------------------------------------ dates

/// A date packed as `year << 9 | month << 5 | day`: ordered like the date.
type Ymd = u32;

const NEVER: Ymd = u32::MAX;

#[inline]
fn pack(y: u32, m: u32, d: u32) -> Ymd {
    y << 9 | m << 5 | d
}

#[inline]
fn unpack(x: Ymd) -> (u32, u32, u32) {
    (x >> 9, (x >> 5) & 15, x & 31)
}

/// `YYYY-MM-DD` (no checks).
#[inline]
fn parse_date(b: &[u8]) -> Ymd {
    let n = |i: usize| u32::from(b[i].wrapping_sub(b'0'));
    let y = n(0) * 1000 + n(1) * 100 + n(2) * 10 + n(3);
    let m = n(5) * 10 + n(6);
    let d = n(8) * 10 + n(9);
    pack(y, m, d)
}

/// Days since 1970-01-01 (H. Hinnant's algorithm).
#[inline]
fn days(x: Ymd) -> i32 {
    let (y, m, d) = unpack(x);
    let (y, m, d) = (y as i32, m as i32, d as i32);
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn from_days(z: i32) -> Ymd {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i32::from(m <= 2);
    pack(y as u32, m as u32, d as u32)
}

#[inline]
fn leap(y: u32) -> bool {
    y.is_multiple_of(4) && (!y.is_multiple_of(100) || y.is_multiple_of(400))
}

/// `x` plus `n` years; 29 February lands on 28 February in a common year.
#[inline]
fn add_years(x: Ymd, n: u32) -> Ymd {
    let (y, m, d) = unpack(x);
    let y = y + n;
    pack(y, m, if m == 2 && d == 29 && !leap(y) { 28 } else { d })
}

// ---------------------------------------------------------------- periods

/// Periods close on the 6th and the 20th. `key` numbers the period holding a
/// date: the 1st–6th are in the period closing on the 6th, the 7th–20th in
/// the one closing on the 20th, the 21st onwards in the next month's first.
#[inline]
fn key(x: Ymd) -> i64 {
    let (y, m, d) = unpack(x);
    (i64::from(y) * 12 + i64::from(m) - 1) * 2
        + if d <= 6 {
            0
        } else if d <= 20 {
            1
        } else {
            2
        }
}

/// The closing day of the period with key `k`.
fn closing(k: i64) -> Ymd {
    let month = k.div_euclid(2);
    let (y, m) = (
        month.div_euclid(12) as u32,
        (month.rem_euclid(12) + 1) as u32,
    );
    pack(y, m, if k.rem_euclid(2) == 0 { 6 } else { 20 })
}

const LAUNCH: Ymd = 2018 << 9 | 10 << 5 | 16;

/// The number of the first period whose closing day is on or after `x`,
/// counted from the launch period, within `0..=np`.
#[inline]
fn period_of(x: Ymd, k0: i64, np: usize) -> usize {
    if x == NEVER {
        return np;
    }
    (key(x) - k0).clamp(0, np as i64) as usize
}

// ----------------------------------------------------------------- hashing

#[inline]
fn hash(id: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h: u64 = id.len() as u64;
    let mut chunks = id.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = (h.rotate_left(5) ^ w).wrapping_mul(K);
    }
    let mut tail = 0u64;
    for (i, &b) in chunks.remainder().iter().enumerate() {
        tail |= u64::from(b) << (8 * i);
    }
    h = (h.rotate_left(5) ^ tail).wrapping_mul(K);
    h ^ (h >> 29)
}

const FILTER_BITS: u32 = 20;

struct Wanted<'a> {
    filter: Vec<u64>,
    slots: HashMap<&'a [u8], u32>,
}

impl<'a> Wanted<'a> {
    fn new(ids: &[&'a [u8]]) -> Wanted<'a> {
        let mut filter = vec![0u64; 1 << (FILTER_BITS - 6)];
        let mut slots = HashMap::with_capacity(ids.len());
        for &id in ids {
            let n = slots.len() as u32;
            slots.entry(id).or_insert(n);
            let bit = (hash(id) >> (64 - FILTER_BITS)) as usize;
            filter[bit >> 6] |= 1 << (bit & 63);
        }
        Wanted { filter, slots }
    }

    #[inline]
    fn find(&self, id: &[u8]) -> Option<u32> {
        let bit = (hash(id) >> (64 - FILTER_BITS)) as usize;
        if self.filter[bit >> 6] & (1 << (bit & 63)) == 0 {
            return None;
        }
        self.slots.get(id).copied()
    }
}

// ----------------------------------------------------------------- members

#[derive(Clone, Copy)]
struct Member {
    birth: Ymd,
    join: Ymd,
    left: Ymd,
    eligible: bool,
}

/// The first day a member no longer shares, by leaving or by age (60).
#[inline]
fn stop_of(m: &Member) -> Ymd {
    m.left.min(add_years(m.birth, 60))
}

#[inline]
fn eligible(birth: Ymd, join: Ymd, credit: &[u8]) -> bool {
    // credit_score >= 650: the whole part decides (an empty value fails).
    let mut whole: u32 = 0;
    let mut digits = 0;
    for &b in credit {
        if b.is_ascii_digit() {
            whole = whole.saturating_mul(10).saturating_add(u32::from(b - b'0'));
            digits += 1;
        } else {
            break;
        }
    }
    digits > 0 && whole >= 650 && join < add_years(birth, 60) && days(join) - days(birth) >= 30
}

#[inline]
fn trim(mut b: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = b
        && first.is_ascii_whitespace()
    {
        b = rest;
    }
    while let [rest @ .., last] = b
        && last.is_ascii_whitespace()
    {
        b = rest;
    }
    b
}

/// The members file's columns by role.
struct Layout {
    id: usize,
    birth: usize,
    join: usize,
    left: Option<usize>,
    credit: usize,
    width: usize,
}

fn header_columns(header: &[u8]) -> Vec<String> {
    let header = header.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(header);
    let header = header.strip_suffix(b"\r").unwrap_or(header);
    header
        .split(|&b| b == b',')
        .map(|f| String::from_utf8_lossy(trim(f)).into_owned())
        .collect()
}

fn column(cols: &[String], name: &str) -> Option<usize> {
    cols.iter().position(|c| c == name)
}

/// What one chunk of the members file gives.
struct Part {
    diff: Vec<i64>,
    found: Vec<(u32, Member)>,
}

/// Calls `f` with the fields of each line of `chunk` that has at least `width` fields.
#[inline]
fn for_each_row(chunk: &[u8], width: usize, mut f: impl FnMut(&[(usize, usize)])) {
    let mut fields = [(0usize, 0usize); 16];
    let mut field = 0;
    let mut start = 0;
    for pos in memchr::memchr2_iter(b',', b'\n', chunk) {
        if field < fields.len() {
            fields[field] = (start, pos);
        }
        field += 1;
        start = pos + 1;
        if chunk[pos] == b'\n' {
            if field >= width {
                f(&fields);
            }
            field = 0;
        }
    }
    if start < chunk.len() {
        if field < fields.len() {
            fields[field] = (start, chunk.len());
        }
        if field + 1 >= width {
            f(&fields);
        }
    }
}

/// Field `i` of a row, without its line's carriage return.
#[inline]
fn field<'a>(chunk: &'a [u8], fields: &[(usize, usize)], i: usize) -> &'a [u8] {
    let (a, b) = fields[i];
    let s = &chunk[a..b];
    s.strip_suffix(b"\r").unwrap_or(s)
}

/// A member row's dates and eligibility.
#[inline]
fn member(chunk: &[u8], fields: &[(usize, usize)], layout: &Layout) -> Member {
    let f = |i: usize| field(chunk, fields, i);
    let birth = parse_date(trim(f(layout.birth)));
    let join = parse_date(trim(f(layout.join)));
    let left = match layout.left {
        Some(c) => {
            let l = trim(f(c));
            if l.is_empty() { NEVER } else { parse_date(l) }
        }
        None => NEVER,
    };
    Member {
        birth,
        join,
        left,
        eligible: eligible(birth, join, trim(f(layout.credit))),
    }
}

fn scan(chunk: &[u8], layout: &Layout, wanted: &Wanted, k0: i64, np: usize) -> Part {
    let mut part = Part {
        diff: vec![0; np + 1],
        found: Vec::new(),
    };
    for_each_row(chunk, layout.width, |fields| {
        row(chunk, fields, layout, wanted, k0, np, &mut part)
    });
    part
}

#[inline]
fn row(
    chunk: &[u8],
    fields: &[(usize, usize)],
    layout: &Layout,
    wanted: &Wanted,
    k0: i64,
    np: usize,
    part: &mut Part,
) {
    let m = member(chunk, fields, layout);
    if m.eligible {
        let a = period_of(m.join, k0, np);
        let b = period_of(stop_of(&m), k0, np);
        if a < b {
            part.diff[a] += 1;
            part.diff[b] -= 1;
        }
    }
    if let Some(slot) = wanted.find(trim(field(chunk, fields, layout.id))) {
        part.found.push((slot, m));
    }
}

/// What the second pass needs to write a member's row.
struct Ledger<'a> {
    k0: i64,
    np: usize,
    until: Ymd,
    /// `prefix[p]`: the sum of the per-member charges of the periods before p.
    prefix: Vec<i64>,
    wanted: &'a Wanted<'a>,
    /// For the members named by claims: the day the membership ended, and the payout.
    end: Vec<Ymd>,
    paid_out: Vec<i64>,
}

/// The rows of members.csv for the lines of `chunk`.
fn member_rows(chunk: &[u8], layout: &Layout, l: &Ledger) -> Vec<u8> {
    let mut out = Vec::with_capacity(chunk.len() + chunk.len() / 8);
    for_each_row(chunk, layout.width, |fields| {
        let m = member(chunk, fields, layout);
        let id = trim(field(chunk, fields, layout.id));
        let slot = l.wanted.find(id).map(|s| s as usize);
        let end = slot.map_or_else(|| add_years(m.birth, 60), |s| l.end[s]);
        let status: &[u8] = if !m.eligible {
            b"ineligible"
        } else if m.join > l.until {
            b"pending"
        } else if m.left <= l.until {
            b"left"
        } else if end <= l.until {
            b"ended"
        } else {
            b"active"
        };
        let charged = if m.eligible {
            let a = period_of(m.join, l.k0, l.np);
            let b = period_of(m.left.min(end), l.k0, l.np);
            if a < b { l.prefix[b] - l.prefix[a] } else { 0 }
        } else {
            0
        };
        let paid = slot.map_or(0, |s| l.paid_out[s]);
        out.extend_from_slice(id);
        out.push(b',');
        out.extend_from_slice(status);
        out.extend_from_slice(b",0.00,");
        money(&mut out, charged);
        out.push(b',');
        money(&mut out, paid);
        out.push(b',');
        money(&mut out, -charged);
        out.extend_from_slice(b",0.00,0.00,0.00\n");
    });
    out
}

// ------------------------------------------------------------------ claims

struct Claim<'a> {
    id: &'a [u8],
    member: &'a [u8],
    disease: &'a [u8],
    diagnosed: Ymd,
    filed: Ymd,
    benefit: &'a [u8],
    accident: bool,
}

fn read_claims(text: &[u8]) -> Vec<Claim<'_>> {
    let mut lines = text.split(|&b| b == b'\n');
    let cols = header_columns(lines.next().unwrap_or_default());
    let need = |n: &str| column(&cols, n).unwrap_or_else(|| panic!("claims: no `{n}` column"));
    let (c_id, c_member, c_disease, c_diag) = (
        need("id"),
        need("member_id"),
        need("disease"),
        need("diagnosed_on"),
    );
    let (c_filed, c_benefit, c_cause) = (
        column(&cols, "filed_on"),
        column(&cols, "benefit"),
        column(&cols, "cause"),
    );
    let mut out = Vec::new();
    for line in lines {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        let f: Vec<&[u8]> = line.split(|&b| b == b',').map(trim).collect();
        let opt = |c: Option<usize>| c.map_or(&b""[..], |c| f[c]);
        let diagnosed = parse_date(f[c_diag]);
        let filed = opt(c_filed);
        out.push(Claim {
            id: f[c_id],
            member: f[c_member],
            disease: f[c_disease],
            diagnosed,
            filed: if filed.is_empty() {
                diagnosed
            } else {
                parse_date(filed)
            },
            benefit: opt(c_benefit),
            accident: opt(c_cause) == b"accident",
        });
    }
    out
}

/// CI001–CI100.
fn covered(disease: &[u8]) -> bool {
    match disease {
        [b'C', b'I', a, b, c] if a.is_ascii_digit() && b.is_ascii_digit() && c.is_ascii_digit() => {
            let n = u32::from(a - b'0') * 100 + u32::from(b - b'0') * 10 + u32::from(c - b'0');
            (1..=100).contains(&n)
        }
        _ => false,
    }
}

// -------------------------------------------------------------------- main

fn money(out: &mut Vec<u8>, fen: i64) {
    if fen < 0 {
        out.push(b'-');
    }
    let a = fen.unsigned_abs();
    out.extend_from_slice(itoa::Buffer::new().format(a / 100).as_bytes());
    let c = (a % 100) as u8;
    out.extend_from_slice(&[b'.', b'0' + c / 10, b'0' + c % 10]);
}

fn date(out: &mut Vec<u8>, x: Ymd) {
    let (y, m, d) = unpack(x);
    write!(out, "{y:04}-{m:02}-{d:02}").unwrap();
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut members_path, mut claims_path, mut until, mut out_dir) = (None, None, None, None);
    while let Some(a) = args.next() {
        let v = args.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--members" => members_path = Some(PathBuf::from(v)),
            "--claims" => claims_path = Some(PathBuf::from(v)),
            "--until" => until = Some(parse_date(v.as_bytes())),
            "--out" => out_dir = Some(PathBuf::from(v)),
            _ => panic!("unknown option {a}"),
        }
    }
    let usage = "usage: xianghubao-baseline --members CSV --claims CSV --until DATE --out DIR";
    let (Some(members_path), Some(claims_path), Some(until), Some(out_dir)) =
        (members_path, claims_path, until, out_dir)
    else {
        eprintln!("{usage}");
        std::process::exit(2);
    };

    // Periods: from the one holding the launch to the last one closed by
    // --until (the one holding it when it is a closing day, else the one before).
    let k0 = key(LAUNCH);
    let last = if closing(key(until)) == until { key(until) } else { key(until) - 1 };
    let np = (last - k0 + 1).max(0) as usize;

    // Claims filed by --until, in order of (filed_on, id).
    let claims_text = std::fs::read(&claims_path).expect("claims file");
    let mut claims = read_claims(&claims_text);
    claims.retain(|c| c.filed <= until);
    claims.sort_unstable_by(|a, b| (a.filed, a.id).cmp(&(b.filed, b.id)));
    let ids: Vec<&[u8]> = claims.iter().map(|c| c.member).collect();
    let wanted = Wanted::new(&ids);

    // Members: every core scans chunks of the memory-mapped file.
    let file = std::fs::File::open(&members_path).expect("members file");
    // SAFETY: the file is only read, and not changed while this runs.
    let map = unsafe { memmap2::Mmap::map(&file) }.expect("members file map");
    let _ = map.advise(memmap2::Advice::Sequential);
    let data: &[u8] = &map;
    let header_end = memchr::memchr(b'\n', data).map_or(data.len(), |i| i + 1);
    let cols = header_columns(&data[..header_end.saturating_sub(1)]);
    let need = |n: &str| column(&cols, n).unwrap_or_else(|| panic!("members: no `{n}` column"));
    let layout = Layout {
        id: need("id"),
        birth: need("birth_date"),
        join: need("join_date"),
        left: column(&cols, "left_date"),
        credit: need("credit_score"),
        width: cols.len(),
    };
    let body = &data[header_end..];
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Pieces of about 16 MiB, at least 16 per thread, taken in turn by the threads.
    let pieces = (threads * 16).max(body.len() >> 24).max(1);
    let mut bounds = vec![0usize];
    for i in 1..pieces {
        let at = body.len() * i / pieces;
        let prev = *bounds.last().unwrap_or(&0);
        let cut = memchr::memchr(b'\n', &body[at.max(prev)..])
            .map_or(body.len(), |j| at.max(prev) + j + 1);
        bounds.push(cut);
    }
    bounds.push(body.len());
    let next = AtomicUsize::new(0);
    let parts: Vec<Part> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut acc = Part {
                        diff: vec![0; np + 1],
                        found: Vec::new(),
                    };
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= pieces {
                            break acc;
                        }
                        let p = scan(&body[bounds[i]..bounds[i + 1]], &layout, &wanted, k0, np);
                        for (a, b) in acc.diff.iter_mut().zip(p.diff) {
                            *a += b;
                        }
                        acc.found.extend(p.found);
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a scan"))
            .collect()
    });
    let mut diff = vec![0i64; np + 1];
    let mut found: Vec<Option<Member>> = vec![None; wanted.slots.len()];
    for p in parts {
        for (a, b) in diff.iter_mut().zip(p.diff) {
            *a += b;
        }
        for (slot, m) in p.found {
            found[slot as usize] = Some(m);
        }
    }

    // Decisions, in order; an approved payout ends the membership on its filing day.
    let mut end: Vec<Ymd> = found
        .iter()
        .map(|m| m.map_or(NEVER, |m| add_years(m.birth, 60)))
        .collect();
    let mut paid_out = vec![0i64; found.len()];
    let mut cases = vec![(0u64, 0i64); np];
    let mut decisions = Vec::with_capacity(128 * (claims.len() + 1));
    decisions.extend_from_slice(
        b"claim_id,member_id,benefit,disease,diagnosed_on,filed_on,decision,reason,payout\n",
    );
    for c in &claims {
        let slot = wanted.slots[c.member] as usize;
        let d = c.diagnosed;
        let listed = covered(c.disease);
        let decided: Result<i64, &str> = (|| {
            let Some(m) = found[slot] else {
                return Err("unknown_member");
            };
            if !m.eligible {
                return Err("not_eligible");
            }
            if d < m.join {
                return Err("before_join");
            }
            if d >= m.left {
                return Err("after_leaving");
            }
            if end[slot] <= d {
                return Err("membership_ended");
            }
            if !listed || !(c.benefit.is_empty() || c.benefit == b"critical") {
                return Err("disease_not_covered");
            }
            if !c.accident && days(d) < days(m.join) + 90 {
                return Err("in_waiting_period");
            }
            let payout = if days(d) - days(m.birth) >= 30 && d < add_years(m.birth, 40) {
                30_000_000
            } else if d >= add_years(m.birth, 40) && d < add_years(m.birth, 60) {
                10_000_000
            } else {
                return Err("age_not_covered");
            };
            if paid_out[slot] > 0 {
                return Err("limit_reached");
            }
            Ok(payout)
        })();
        decisions.extend_from_slice(c.id);
        decisions.push(b',');
        decisions.extend_from_slice(c.member);
        decisions.extend_from_slice(if listed { b",critical," } else { b",," });
        decisions.extend_from_slice(c.disease);
        decisions.push(b',');
        date(&mut decisions, d);
        decisions.push(b',');
        date(&mut decisions, c.filed);
        match decided {
            Err(reason) => {
                decisions.extend_from_slice(b",denied,");
                decisions.extend_from_slice(reason.as_bytes());
                decisions.extend_from_slice(b",0.00\n");
                continue;
            }
            Ok(payout) => {
                decisions.extend_from_slice(b",approved,covered,");
                money(&mut decisions, payout);
                decisions.push(b'\n');
                paid_out[slot] = payout;
            }
        }
        let Some(m) = found[slot] else { continue };
        let payout = paid_out[slot];
        // Approved: counted in the period of filing; the membership ends that day.
        let p = key(c.filed) - k0;
        if (0..np as i64).contains(&p) {
            cases[p as usize].0 += 1;
            cases[p as usize].1 += payout;
        }
        if c.filed < end[slot] {
            let old = m.left.min(end[slot]);
            end[slot] = c.filed;
            let new = m.left.min(c.filed);
            let a = period_of(m.join, k0, np);
            let (b_old, b_new) = (period_of(old, k0, np), period_of(new, k0, np));
            if a < b_old {
                diff[a] -= 1;
                diff[b_old] += 1;
            }
            if a < b_new {
                diff[a] += 1;
                diff[b_new] -= 1;
            }
        }
    }

    // Sharing, period by period.
    let mut out = Vec::with_capacity(128 * (np + 1));
    out.extend_from_slice(b"period_start,period_end,cases,payouts,fee,pool,carried_in,members,charged,operator_borne,carried_out,refunded\n");
    let (mut count, mut carried) = (0i64, 0i64);
    let mut prefix = vec![0i64; np + 1];
    for (p, &(n_cases, payouts)) in cases.iter().enumerate() {
        count += diff[p];
        let k = k0 + p as i64;
        let end_day = closing(k);
        let start_day = from_days(days(closing(k - 1)) + 1);
        let fee = (payouts + 5) / 10; // 10%, half up
        let pool = payouts + fee;
        let to_collect = pool - carried;
        let (charged, borne) = if to_collect <= 0 {
            (0, 0)
        } else if count == 0 {
            (0, to_collect)
        } else {
            let cap = 10 * n_cases as i64; // 0.10 per case
            if i128::from(to_collect) > i128::from(cap) * i128::from(count) {
                (cap * count, to_collect - cap * count)
            } else {
                let charge = (to_collect + count - 1) / count; // rounded up
                (charge * count, 0)
            }
        };
        let carried_out = charged + borne - to_collect;
        prefix[p + 1] = prefix[p] + if count > 0 { charged / count } else { 0 };
        date(&mut out, start_day);
        out.push(b',');
        date(&mut out, end_day);
        write!(out, ",{n_cases}").unwrap();
        for v in [payouts, fee, pool, carried] {
            out.push(b',');
            money(&mut out, v);
        }
        write!(out, ",{count}").unwrap();
        for v in [charged, borne, carried_out] {
            out.push(b',');
            money(&mut out, v);
        }
        out.extend_from_slice(b",0.00\n");
        carried = carried_out;
    }
    std::fs::create_dir_all(&out_dir).expect("the output folder");
    std::fs::write(out_dir.join("periods.csv"), out).expect("periods.csv");
    std::fs::write(out_dir.join("decisions.csv"), decisions).expect("decisions.csv");

    // members.csv: the map again, pieces formatted on every core and written
    // in order by this thread as they are done.
    let ledger = Ledger {
        k0,
        np,
        until,
        prefix,
        wanted: &wanted,
        end,
        paid_out,
    };
    let mut file = std::io::BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(out_dir.join("members.csv")).expect("members.csv"),
    );
    file.write_all(b"member_id,status,prepaid,charged,paid_out,balance,refunded,topped_up,fees\n")
        .expect("members.csv");
    let next = AtomicUsize::new(0);
    let (send, receive) = std::sync::mpsc::channel::<(usize, Vec<u8>)>();
    std::thread::scope(|s| {
        for _ in 0..threads {
            let send = send.clone();
            let (next, ledger, layout, bounds) = (&next, &ledger, &layout, &bounds);
            s.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= pieces {
                        break;
                    }
                    let rows = member_rows(&body[bounds[i]..bounds[i + 1]], layout, ledger);
                    if send.send((i, rows)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(send);
        let mut waiting = std::collections::BTreeMap::new();
        let mut due = 0;
        for (i, rows) in receive {
            waiting.insert(i, rows);
            while let Some(rows) = waiting.remove(&due) {
                file.write_all(&rows).expect("members.csv");
                due += 1;
            }
        }
    });
    file.flush().expect("members.csv");
}
