//! `mutual report`: a plan year drawn as one HTML page, written into the
//! output folder as `report.html` (all at once, like a run's files).

use super::data::read_data;
use super::{EXIT_INVALID, load_checked, shown_path};
use crate::cli::DataArgs;
use crate::engine::RunOptions;
use crate::report::{Sources, Year};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// `mutual report` as the command line gives it.
pub fn command(a: crate::cli::ReportArgs) -> ExitCode {
    let lang = a.lang.unwrap_or_else(crate::i18n::Lang::from_env);
    report(&a.plan, a.diff.as_deref(), &a.data, &a.out, lang)
}

/// Runs the plan (and the old one, if given) and writes `out/report.html`.
pub fn report(
    plan_path: &Path,
    old_path: Option<&Path>,
    data: &DataArgs,
    out: &Path,
    lang: crate::i18n::Lang,
) -> ExitCode {
    let Some((plan, old)) = load_both(plan_path, old_path) else {
        return ExitCode::from(EXIT_INVALID);
    };
    let mut inputs = vec![plan_path, data.members.as_path(), data.claims.as_path()];
    inputs.extend(old_path);
    inputs.extend(data.payments.as_deref());
    if let Err(e) = crate::output::refuse_overwriting(out, &["report.html"], &inputs) {
        eprintln!("error: {e}");
        return ExitCode::from(EXIT_INVALID);
    }
    let Some((members, claims, payments)) = read_data(&plan, data, None) else {
        return ExitCode::from(EXIT_INVALID);
    };
    let run = |p: &crate::plan::Plan| {
        crate::engine::run_with_payments(
            p,
            &members,
            &claims,
            &payments,
            RunOptions::new(data.until),
        )
    };
    let (ledger, old_ledger) = rayon::join(|| run(&plan), || old.as_ref().map(run));
    let (ledger, old_ledger) = match (ledger, old_ledger.transpose()) {
        (Ok(l), Ok(o)) => (l, o),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_INVALID);
        }
    };
    let year = Year {
        plan: &plan,
        ledger: &ledger,
    };
    let old_year = old
        .as_ref()
        .zip(old_ledger.as_ref())
        .map(|(plan, ledger)| Year { plan, ledger });
    let names = (
        shown_path(plan_path),
        shown_path(&data.members),
        shown_path(&data.claims),
    );
    let old_name = old_path.map(shown_path);
    let files = Sources {
        plan: &names.0,
        members: &names.1,
        claims: &names.2,
        old_plan: old_name.as_deref(),
    };
    let html = crate::report::page(&year, old_year.as_ref(), &members, &claims, lang, &files);
    let written = crate::output::Folder::open(out).and_then(|mut folder| {
        folder.stage("report.html", |w| w.write_all(html.as_bytes()))?;
        folder.commit(&plan.id, &data.until.to_string())
    });
    if let Err(e) = written {
        eprintln!("error: {e}");
        return ExitCode::from(EXIT_INVALID);
    }
    let wrote = format!("wrote {}\n", shown_path(&out.join("report.html")));
    let _ = std::io::stdout().lock().write_all(wrote.as_bytes());
    ExitCode::SUCCESS
}

/// The plan and the old plan (if any), checked; `None` after printing why
/// either cannot be drawn.
fn load_both(
    plan_path: &Path,
    old_path: Option<&Path>,
) -> Option<(crate::plan::Plan, Option<crate::plan::Plan>)> {
    let plan = load_checked(plan_path)?;
    let old = match old_path {
        Some(p) => Some(load_checked(p)?),
        None => None,
    };
    if old
        .as_ref()
        .is_some_and(|o| o.requirements() != plan.requirements())
    {
        eprintln!(
            "error: the two plans have different joining requirements; compare them with `mutual diff`"
        );
        return None;
    }
    Some((plan, old))
}
