//! A short pool (`excess reduces payouts`): where the caps leave part of a
//! period's pool uncollected, the period's payouts are reduced pro rata
//! instead of the operator bearing the excess.
//!
//! The rule, exactly:
//! - `ratio` = (pool − excess) / pool: what the members' capped shares and
//!   the carried-in amount cover, over the full pool;
//! - each approved payout of the period is paid `full × ratio`, rounded
//!   down to the fen (nobody is paid more than the pool holds);
//! - the fee is taken on the reduced payouts (fee% × Σ paid, half up), and
//!   the pool and `to_collect` are computed again from them;
//! - the members' charges are not changed (so nobody pays above a cap), and
//!   the remainder rule closes the period as usual: the identity
//!   `charged + operator_borne = pool − carried_in + carried_out` holds
//!   with the reduced pool.

use super::EngineError;
use super::sharing::{PeriodFigures, ShortPool, bounded};
use crate::ast::RoundingMode;
use crate::money::{Fraction, Money};
use crate::plan::Plan;

/// Reduces the period's payouts where its excess is above zero; records
/// the ratio and the figures before in `f.short`.
pub(super) fn reduce(
    plan: &Plan,
    f: &mut PeriodFigures,
    payouts: &[Money],
) -> Result<(), EngineError> {
    if f.excess.num <= 0 || f.pool.0 <= 0 {
        return Ok(());
    }
    let overflow = || EngineError::Overflow {
        start: f.period.start,
        end: f.period.end,
    };
    let den = f.excess.den;
    let pool = i128::from(f.pool.0).checked_mul(den).ok_or_else(overflow)?;
    let covered = (pool - f.excess.num).max(0);
    let ratio = Fraction::new(covered, pool).reduced();
    let mut paid: i128 = 0;
    for &full in payouts {
        paid += paid_part(full, ratio).ok_or_else(overflow)?.0 as i128;
    }
    let before = ShortPool {
        ratio,
        payouts: f.payouts,
        fee: f.fee,
        pool: f.pool,
        to_collect: f.to_collect,
        excess: f.excess,
    };
    f.payouts = bounded(paid, &f.period)?;
    let fee = plan
        .at(f.period.end)
        .sharing
        .fee
        .value
        .of(f.payouts)
        .round_fen(RoundingMode::HalfUp);
    f.fee = bounded(fee, &f.period)?;
    f.pool = bounded(paid + fee, &f.period)?;
    f.to_collect = bounded(i128::from(f.pool.0) - i128::from(f.carried_in.0), &f.period)?;
    f.excess = Fraction::new(0, 1);
    f.short = Some(before);
    Ok(())
}

/// What is paid of a `full` payout at `ratio`: rounded down to the fen.
pub fn paid_part(full: Money, ratio: Fraction) -> Option<Money> {
    let num = i128::from(full.0).checked_mul(ratio.num)?;
    Some(Money(num.div_euclid(ratio.den) as i64))
}
