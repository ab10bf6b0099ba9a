//! Writing a diff: `periods.csv`, `members.csv`, `decisions.csv` and
//! `summary.json`, into an output folder that changes all at once, as a
//! run's does.

use super::{OutputError, date, field, int, money};
use crate::diff::{Diff, PeriodRow, PeriodSide};
use crate::input::{Claims, Members};
use crate::money::Money;
use std::io::{self, Write};
use std::path::Path;

/// The files a diff writes.
pub const DIFF_OUTPUTS: [&str; 4] = [
    "periods.csv",
    "members.csv",
    "decisions.csv",
    "summary.json",
];

/// Writes `diff` into `dir`, as one change of the folder.
pub fn write_diff(
    dir: &Path,
    diff: &Diff,
    members: &Members,
    claims: &Claims,
) -> Result<(), OutputError> {
    let mut folder = super::Folder::open(dir)?;
    folder.stage("periods.csv", |w| write_periods(w, &diff.periods))?;
    folder.stage("members.csv", |w| write_members(w, diff, members))?;
    folder.stage("decisions.csv", |w| write_decisions(w, diff, claims))?;
    folder.stage("summary.json", |w| {
        w.write_all(diff.summary.json().as_bytes())
    })?;
    let plans = format!("{} vs {}", diff.summary.old_plan, diff.summary.new_plan);
    folder.commit(&plans, &diff.summary.until)
}

fn write_periods(w: &mut (dyn Write + Send), rows: &[PeriodRow]) -> io::Result<()> {
    w.write_all(b"period_start,period_end,members_old,members_new,payouts_old,payouts_new,charged_old,charged_new,charged_delta,operator_borne_old,operator_borne_new,operator_borne_delta\n")?;
    let mut buf = Vec::with_capacity(256);
    for r in rows {
        buf.clear();
        date(&mut buf, r.start);
        buf.push(b',');
        date(&mut buf, r.end);
        let cell = |buf: &mut Vec<u8>, s: &Option<PeriodSide>, f: fn(&PeriodSide, &mut Vec<u8>)| {
            buf.push(b',');
            if let Some(s) = s {
                f(s, buf);
            }
        };
        cell(&mut buf, &r.old, |s, b| int(b, s.members));
        cell(&mut buf, &r.new, |s, b| int(b, s.members));
        cell(&mut buf, &r.old, |s, b| money(b, s.payouts));
        cell(&mut buf, &r.new, |s, b| money(b, s.payouts));
        for figure in [
            (|s: &PeriodSide| s.charged) as fn(&PeriodSide) -> Money,
            |s: &PeriodSide| s.operator_borne,
        ] {
            for side in [&r.old, &r.new] {
                buf.push(b',');
                if let Some(s) = side {
                    money(&mut buf, figure(s));
                }
            }
            buf.push(b',');
            money(&mut buf, r.delta(figure));
        }
        buf.push(b'\n');
        w.write_all(&buf)?;
    }
    Ok(())
}

fn write_members(w: &mut (dyn Write + Send), diff: &Diff, members: &Members) -> io::Result<()> {
    w.write_all(b"member_id,status_old,status_new,charged_old,charged_new,charged_delta,paid_out_old,paid_out_new\n")?;
    let mut buf = Vec::with_capacity(256);
    for r in &diff.members {
        buf.clear();
        field(&mut buf, members.id(r.member as usize));
        for s in [r.status.0, r.status.1] {
            buf.push(b',');
            buf.extend_from_slice(s.name().as_bytes());
        }
        for m in [
            r.charged.0,
            r.charged.1,
            r.charged.1 - r.charged.0,
            r.paid_out.0,
            r.paid_out.1,
        ] {
            buf.push(b',');
            money(&mut buf, m);
        }
        buf.push(b'\n');
        w.write_all(&buf)?;
    }
    Ok(())
}

fn write_decisions(w: &mut (dyn Write + Send), diff: &Diff, claims: &Claims) -> io::Result<()> {
    w.write_all(
        b"claim_id,decision_old,reason_old,payout_old,decision_new,reason_new,payout_new\n",
    )?;
    let mut buf = Vec::with_capacity(256);
    for r in &diff.decisions {
        buf.clear();
        field(&mut buf, &claims.all()[r.claim as usize].id);
        for o in [r.old, r.new] {
            buf.push(b',');
            buf.extend_from_slice(o.decision().as_bytes());
            buf.push(b',');
            buf.extend_from_slice(o.reason.code().as_bytes());
            buf.push(b',');
            money(&mut buf, o.payout);
        }
        buf.push(b'\n');
        w.write_all(&buf)?;
    }
    Ok(())
}
