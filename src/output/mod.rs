//! Writing a ledger: `decisions.csv`, `periods.csv`, `members.csv` and
//! `charges.csv`, into an output folder whose files change together
//! (`folder`): a run never leaves a half-written file, nor files of two runs.

use crate::engine::Ledger;
use crate::input::{Claims, Members};
use crate::money::Money;
use crate::plan::Plan;
use std::io::{self, Write};
use std::path::Path;

pub mod diff;
pub mod folder;
pub mod run_summary;
pub use folder::{Folder, Manifest, refuse_overwriting};
pub use run_summary::RunSummary;

/// An output file that could not be written.
#[derive(Debug, thiserror::Error)]
#[error("{path}: cannot write: {reason}")]
pub struct OutputError {
    pub path: String,
    pub reason: String,
}

/// A money amount as plain decimal bytes: `300000.00`, `-1.20`.
pub fn money(buf: &mut Vec<u8>, m: Money) {
    if m.0 == 0 {
        buf.extend_from_slice(b"0.00");
        return;
    }
    if m.0 < 0 {
        buf.push(b'-');
    }
    let abs = m.0.unsigned_abs();
    let mut b = itoa::Buffer::new();
    buf.extend_from_slice(b.format(abs / 100).as_bytes());
    buf.push(b'.');
    let cents = (abs % 100) as u8;
    buf.push(b'0' + cents / 10);
    buf.push(b'0' + cents % 10);
}

pub(crate) fn int(buf: &mut Vec<u8>, n: u64) {
    buf.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
pub(crate) fn field(buf: &mut Vec<u8>, s: &str) {
    field_bytes(buf, s.as_bytes());
}

fn field_bytes(buf: &mut Vec<u8>, s: &[u8]) {
    // Every byte that needs quoting is below b'-' (and none of the others below it is common).
    if s.iter()
        .any(|&b| b < b'-' && matches!(b, b',' | b'"' | b'\n' | b'\r'))
    {
        buf.push(b'"');
        for &b in s {
            if b == b'"' {
                buf.push(b'"');
            }
            buf.push(b);
        }
        buf.push(b'"');
    } else {
        buf.extend_from_slice(s);
    }
}

pub(crate) fn date(buf: &mut Vec<u8>, d: chrono::NaiveDate) {
    use chrono::Datelike;
    let (y, m, day) = (d.year(), d.month(), d.day());
    if !(0..=9999).contains(&y) {
        use std::io::Write;
        let _ = write!(buf, "{}", d.format("%Y-%m-%d"));
        return;
    }
    let y = y as u32;
    let digit = |n: u32| b'0' + (n % 10) as u8;
    buf.extend_from_slice(&[
        digit(y / 1000),
        digit(y / 100),
        digit(y / 10),
        digit(y),
        b'-',
        digit(m / 10),
        digit(m),
        b'-',
        digit(day / 10),
        digit(day),
    ]);
}

/// The files a run writes; `charges.csv` only with `--charges`.
pub const OUTPUTS: [&str; 5] = [
    "decisions.csv",
    "periods.csv",
    "members.csv",
    "charges.csv",
    "summary.json",
];

/// Writes the ledger's files into `dir` (created if missing), as one change
/// of the folder (see `folder`).
pub fn write_all(
    dir: &Path,
    plan: &Plan,
    members: &Members,
    claims: &Claims,
    ledger: &Ledger,
    summary: &RunSummary,
    with_charges: bool,
) -> Result<(), OutputError> {
    let mut folder = Folder::open(dir)?;
    folder.stage("decisions.csv", |w| {
        write_decisions(w, plan, claims, ledger)
    })?;
    folder.stage("periods.csv", |w| write_periods(w, ledger))?;
    folder.stage("members.csv", |w| write_members(w, members, ledger))?;
    if with_charges {
        folder.stage("charges.csv", |w| write_charges(w, members, ledger))?;
    }
    folder.stage("summary.json", |w| w.write_all(summary.json().as_bytes()))?;
    folder.commit(&plan.id, &ledger.until.to_string())
}

/// Decisions per piece of `decisions.csv` formatted on one core.
const DECISIONS_PER_PIECE: usize = 1 << 14;

pub fn write_decisions(
    w: &mut (dyn Write + Send),
    plan: &Plan,
    claims: &Claims,
    ledger: &Ledger,
) -> io::Result<()> {
    // With a short pool, the full amount is kept beside the amount paid.
    let short = has_short_pool(plan);
    w.write_all(if short {
        b"claim_id,member_id,benefit,disease,diagnosed_on,filed_on,decision,reason,payout,full_payout\n"
    } else {
        b"claim_id,member_id,benefit,disease,diagnosed_on,filed_on,decision,reason,payout\n"
    })?;
    let all = &ledger.decisions;
    write_pieces(w, all.len().div_ceil(DECISIONS_PER_PIECE), |k, buf| {
        let a = k * DECISIONS_PER_PIECE;
        for d in &all[a..(a + DECISIONS_PER_PIECE).min(all.len())] {
            let c = &claims.all()[d.claim as usize];
            field(buf, &c.id);
            buf.push(b',');
            field(buf, &c.member_id);
            buf.push(b',');
            if let Some(b) = d.facts.benefit {
                field(buf, &plan.benefit(b).name);
            }
            buf.push(b',');
            field(buf, &c.disease);
            buf.push(b',');
            date(buf, c.diagnosed_on);
            buf.push(b',');
            date(buf, c.filed_on);
            buf.push(b',');
            buf.extend_from_slice(if d.approved() { b"approved" } else { b"denied" });
            buf.push(b',');
            buf.extend_from_slice(d.reason.code().as_bytes());
            buf.push(b',');
            money(buf, d.payout);
            if short {
                buf.push(b',');
                money(buf, d.full_payout.unwrap_or(d.payout));
            }
            buf.push(b'\n');
        }
    })
}

/// Whether some version of the plan reduces payouts when the pool is short.
pub fn has_short_pool(plan: &Plan) -> bool {
    std::iter::once(plan)
        .chain(plan.eras.iter().map(|e| &e.plan))
        .any(|p| p.sharing.short_pool())
}

pub fn write_periods(w: &mut dyn Write, ledger: &Ledger) -> io::Result<()> {
    w.write_all(b"period_start,period_end,cases,payouts,fee,pool,carried_in,members,charged,operator_borne,carried_out,refunded\n")?;
    let mut buf = Vec::with_capacity(256);
    for f in &ledger.periods {
        buf.clear();
        date(&mut buf, f.period.start);
        buf.push(b',');
        date(&mut buf, f.period.end);
        buf.push(b',');
        int(&mut buf, f.cases);
        for m in [f.payouts, f.fee, f.pool, f.carried_in] {
            buf.push(b',');
            money(&mut buf, m);
        }
        buf.push(b',');
        int(&mut buf, f.members);
        for m in [f.charged, f.operator_borne, f.carried_out, f.refunded] {
            buf.push(b',');
            money(&mut buf, m);
        }
        buf.push(b'\n');
        w.write_all(&buf)?;
    }
    Ok(())
}

/// Members per piece of `members.csv` (and of a period in `charges.csv`)
/// formatted on one core.
const MEMBERS_PER_PIECE: usize = 1 << 16;

/// Writes `pieces` pieces in order, each formatted by `piece(k, buf)`: on all
/// cores a batch at a time, one batch written while the next is formatted,
/// buffers reused so that their memory is allocated once.
fn write_pieces(
    w: &mut (dyn Write + Send),
    pieces: usize,
    piece: impl Fn(usize, &mut Vec<u8>) + Sync,
) -> io::Result<()> {
    use rayon::prelude::*;
    let batch = rayon::current_num_threads() * 2;
    let format = |from: usize, mut bufs: Vec<Vec<u8>>| -> Vec<Vec<u8>> {
        let to = (from + batch).min(pieces);
        bufs.resize_with(to - from, Vec::new);
        bufs.par_iter_mut().enumerate().for_each(|(k, buf)| {
            buf.clear();
            piece(from + k, buf);
        });
        bufs
    };
    let mut ready = format(0, Vec::new());
    let mut spare = Vec::new();
    let mut from = batch;
    loop {
        let (written, next) = rayon::join(
            || ready.iter().try_for_each(|b| w.write_all(b)),
            || (from < pieces).then(|| format(from, std::mem::take(&mut spare))),
        );
        written?;
        match next {
            Some(next) => spare = std::mem::replace(&mut ready, next),
            None => return Ok(()),
        }
        from += batch;
    }
}

pub fn write_members(
    w: &mut (dyn Write + Send),
    members: &Members,
    ledger: &Ledger,
) -> io::Result<()> {
    w.write_all(b"member_id,status,prepaid,charged,paid_out,balance,refunded,topped_up,fees\n")?;
    let n = members.len();
    write_pieces(w, n.div_ceil(MEMBERS_PER_PIECE), |k, buf| {
        let a = k * MEMBERS_PER_PIECE;
        member_rows(buf, members, ledger, a, (a + MEMBERS_PER_PIECE).min(n));
    })
}

/// The rows of `members.csv` for members `a..b`, into `buf`.
fn member_rows(buf: &mut Vec<u8>, members: &Members, ledger: &Ledger, a: usize, b: usize) {
    buf.reserve((b - a) * 48);
    for i in a..b {
        field_bytes(buf, members.id_bytes(i));
        buf.push(b',');
        buf.extend_from_slice(ledger.status(members, i).name().as_bytes());
        let (prepaid, charged) = (ledger.prepaid(members, i), ledger.charged(i));
        let (refunded, topped_up, fees) = (ledger.refunded(i), ledger.topped_up(i), ledger.fees(i));
        let balance = prepaid + topped_up - charged - fees + refunded;
        for m in [
            prepaid,
            charged,
            ledger.paid_out(i),
            balance,
            refunded,
            topped_up,
            fees,
        ] {
            buf.push(b',');
            money(buf, m);
        }
        buf.push(b'\n');
    }
}

pub fn write_charges(
    w: &mut (dyn Write + Send),
    members: &Members,
    ledger: &Ledger,
) -> io::Result<()> {
    w.write_all(b"member_id,period_start,charge\n")?;
    let n = members.len();
    let per_period = n.div_ceil(MEMBERS_PER_PIECE);
    let starts: Vec<Vec<u8>> = ledger
        .periods
        .iter()
        .map(|f| {
            let mut start = Vec::new();
            date(&mut start, f.period.start);
            start
        })
        .collect();
    write_pieces(w, per_period * ledger.periods.len(), |k, buf| {
        let (p, a) = (k / per_period, (k % per_period) * MEMBERS_PER_PIECE);
        ledger.charges_in(p, a..(a + MEMBERS_PER_PIECE).min(n), |i, c| {
            field_bytes(buf, members.id_bytes(i as usize));
            buf.push(b',');
            buf.extend_from_slice(&starts[p]);
            buf.push(b',');
            money(buf, c);
            buf.push(b'\n');
        });
    })
}
