//! The sharing periods of a run, where the closing days may change over time.

use crate::period::{Calendar, Period};
use crate::plan::Plan;
use chrono::NaiveDate;

/// Every period from the one holding the launch day that has closed by
/// `until` (its closing day on or before it). The closing days of a period
/// are those in force on its first day, unless they change on a day D
/// before its closing day: the period then runs to the first closing day of
/// the new schedule on or after D (the old schedule's last period ended on
/// its last closing day before D).
pub fn periods(plan: &Plan, until: NaiveDate) -> Vec<Period> {
    let launch = plan.launched.value;
    if !plan.changes() {
        return plan.sharing.calendar.value.periods(launch, until);
    }
    let calendar = |d: NaiveDate| -> &Calendar { &plan.at(d).sharing.calendar.value };
    let mut start = calendar(launch).period_containing(launch).start;
    let mut out = Vec::new();
    loop {
        let own = calendar(start);
        let mut end = own.closing_on_or_after(start);
        let change = plan
            .eras
            .iter()
            .map(|e| e.from)
            .find(|&d| start < d && d <= end && calendar(d) != own);
        if let Some(d) = change {
            end = calendar(d).closing_on_or_after(d);
        }
        if end > until {
            return out;
        }
        out.push(Period { start, end });
        match end.succ_opt() {
            Some(next) => start = next,
            None => return out,
        }
    }
}
