//! Bad input never hurts:
//!
//! - every input the fuzzers found a crash with (`tests/fuzz-regressions/`)
//!   is now handled without a panic;
//! - a `mutual run` killed at any moment leaves the output folder holding
//!   one whole run under its manifest, or a run being put in place that the
//!   next run into the folder completes; never a half-written file;
//! - amounts at the largest a plan may state either run with the money
//!   identity holding in every period or fail with a clear error, never
//!   panic or wrap.

use chrono::NaiveDate;
use mutual::diagnostic::{Format, render};
use mutual::engine::{self, EngineError, Ledger, RunOptions};
use mutual::input::{Claims, Members};
use mutual::plan::{Cause, Plan};
use mutual::source::{SourceFile, Sources};
use std::collections::BTreeMap;
use std::panic::catch_unwind;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

// ------------------------------------------------------------ fuzz regressions

/// The files saved under `tests/fuzz-regressions/TARGET`, sorted.
fn regressions(target: &str) -> Vec<PathBuf> {
    let dir = crate::root().join("tests/fuzz-regressions").join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

/// What the `plan` fuzz target does with one input.
fn plan_target(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        mutual::invariants::plan_text(text);
    }
}

/// Runs `plan_target` on the regression `name`, failing with its panic message.
fn plan_regression(name: &str) {
    let path = crate::root().join("tests/fuzz-regressions/plan").join(name);
    let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    plan_target(&data);
}

/// Regressions that still fail, each with its own ignored test below; the
/// test of every regression skips them until they are fixed.
const OPEN_PLAN_REGRESSIONS: &[&str] = &[];

#[test]
fn every_plan_regression_is_handled() {
    let mut failed = Vec::new();
    for path in regressions("plan") {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if OPEN_PLAN_REGRESSIONS.contains(&name) {
            continue;
        }
        if let Err(e) = catch_unwind(|| plan_regression(name)) {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failed.push(format!("{name}: {msg}"));
        }
    }
    assert!(
        failed.is_empty(),
        "regressions that fail:\n{}",
        failed.join("\n")
    );
}

// ------------------------------------------------------------ killed runs

const KILL_MEMBERS: u64 = 300_000;

fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A members file and a claims file for 相互保: `KILL_MEMBERS` members who
/// join in the first weeks, 600 accident claims spread over the first months,
/// so that every period has payouts and every member a charge.
fn write_kill_inputs(dir: &Path) -> (PathBuf, PathBuf) {
    use std::io::Write;
    let mut r = fastrand::Rng::with_seed(20_181_016);
    let launch = crate::run::d("2018-10-16");
    let members = dir.join("members.csv");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&members).expect("members.csv"));
    writeln!(w, "id,birth_date,join_date,left_date,credit_score").expect("write");
    for i in 0..KILL_MEMBERS {
        let join = launch + chrono::Days::new(r.u64(..30));
        let birth = join - chrono::Days::new(365 * 20 + r.u64(..365 * 35));
        let left = if r.u64(..100) < 3 {
            date_text(join + chrono::Days::new(1 + r.u64(..120)))
        } else {
            String::new()
        };
        let score = 600 + r.u64(..300);
        writeln!(
            w,
            "m{:09},{},{},{left},{score}",
            i + 1,
            date_text(birth),
            date_text(join)
        )
        .expect("write");
    }
    w.flush().expect("flush");
    let claims = dir.join("claims.csv");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&claims).expect("claims.csv"));
    writeln!(w, "id,member_id,disease,diagnosed_on,filed_on,cause").expect("write");
    for c in 0..600u64 {
        let member = 1 + r.u64(..KILL_MEMBERS);
        let diagnosed = launch + chrono::Days::new(31 + c * 120 / 600);
        writeln!(
            w,
            "c{:06},m{member:09},CI{:03},{},,accident",
            c + 1,
            1 + r.u64(..100),
            date_text(diagnosed)
        )
        .expect("write");
    }
    w.flush().expect("flush");
    (members, claims)
}

/// `mutual run` of 相互保 over the inputs, with charges, into `out`.
fn kill_run(members: &Path, claims: &Path, until: &str, out: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mutual"));
    cmd.arg("run")
        .arg(crate::root().join("plans/xianghubao.plan"))
        .arg("--members")
        .arg(members)
        .arg("--claims")
        .arg(claims)
        .args(["--until", until, "--charges", "--out"])
        .arg(out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

/// The output files of a folder (`*.csv`) and their bytes.
fn output_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .expect("the output folder")
        .map(|e| e.expect("an entry"))
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let output = name.ends_with(".csv") || name == "summary.json";
            output.then(|| (name, std::fs::read(e.path()).expect("an output file")))
        })
        .collect()
}

/// The hidden entries of a folder (files and staging folders).
fn hidden_entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("the output folder")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n.starts_with('.'))
        .collect();
    names.sort();
    names
}

/// Runs to completion, returning the files written and how long it took.
fn complete_run(
    members: &Path,
    claims: &Path,
    until: &str,
    out: &Path,
) -> (BTreeMap<String, Vec<u8>>, Duration) {
    let start = Instant::now();
    let status = kill_run(members, claims, until, out)
        .status()
        .expect("mutual runs");
    let took = start.elapsed();
    assert!(
        status.success(),
        "mutual run --until {until} failed: {status}"
    );
    (output_files(out), took)
}

/// The folder holds one whole run: the manifest names exactly the output
/// files present, each with its size, and each is that run's version.
fn assert_one_run(dir: &Path, versions: &[(&str, &BTreeMap<String, Vec<u8>>)], what: &str) {
    let manifest =
        mutual::output::Manifest::read(dir).unwrap_or_else(|| panic!("{what}: no manifest"));
    let files = output_files(dir);
    let (_, want) = versions
        .iter()
        .find(|(until, _)| *until == manifest.until)
        .unwrap_or_else(|| panic!("{what}: a manifest of an unknown run"));
    assert_eq!(
        &files, *want,
        "{what}: the files are not all of the run {}",
        manifest.until
    );
    for f in &manifest.files {
        assert_eq!(files[&f.name].len() as u64, f.bytes, "{what}: {}", f.name);
    }
    assert_eq!(manifest.files.len(), files.len(), "{what}: unlisted files");
}

#[test]
fn killed_runs_never_leave_half_written_output() {
    let tmp = tempfile::tempdir().expect("a temp dir");
    let (members, claims) = write_kill_inputs(tmp.path());
    let dir = tmp.path().join("out");
    let (until_a, until_b) = ("2019-01-20", "2019-02-06");

    // The two complete versions of each file: A in DIR, B in another folder.
    let (a, took_a) = complete_run(&members, &claims, until_a, &dir);
    let (b, took_b) = complete_run(&members, &claims, until_b, &tmp.path().join("b"));
    let names = [
        "charges.csv",
        "decisions.csv",
        "members.csv",
        "periods.csv",
        "summary.json",
    ];
    assert_eq!(a.keys().collect::<Vec<_>>(), names);
    assert_eq!(b.keys().collect::<Vec<_>>(), names);
    for n in names {
        assert!(
            n == "members.csv" || a[n] != b[n],
            "{n}: the two versions do not differ"
        );
    }
    let versions = [(until_a, &a), (until_b, &b)];
    eprintln!("complete runs: --until {until_a} {took_a:.2?}, --until {until_b} {took_b:.2?}");

    // Kill 20 runs at pseudo-random moments from the start to a little past the
    // end of a complete run, alternating the two versions. After each kill,
    // the folder either holds one whole run under its manifest, or (killed
    // while putting its files in place) no manifest, and the next run into
    // the folder completes the killed one before anything else.
    let span = took_a.max(took_b).mul_f64(1.2);
    let mut r = fastrand::Rng::with_seed(7);
    let mut outcomes: BTreeMap<&str, u32> = BTreeMap::new();
    for k in 0..20 {
        let until = if k % 2 == 0 { until_b } else { until_a };
        let delay = Duration::from_micros(r.u64(..span.as_micros() as u64));
        let before = mutual::output::Manifest::read(&dir).expect("a manifest");
        let mut child = kill_run(&members, &claims, until, &dir)
            .spawn()
            .expect("mutual starts");
        std::thread::sleep(delay);
        child.kill().expect("SIGKILL");
        let status = child.wait().expect("the child ends");
        let what = format!("kill {k} after {delay:?}");
        let after = mutual::output::Manifest::read(&dir);
        let outcome = match &after {
            _ if status.success() => "completed before the kill",
            None => "killed while putting its files in place",
            Some(m) if *m == before => "killed before putting its files in place",
            Some(_) => "killed after putting its files in place",
        };
        if after.is_some() {
            assert_one_run(&dir, &versions, &what);
        }
        // The next run into the folder (here: opening it) completes or clears it.
        drop(crate::trust::open_folder(&dir));
        assert_one_run(&dir, &versions, &format!("{what}, then opened"));
        if after.is_none() {
            let m = mutual::output::Manifest::read(&dir).expect("a manifest");
            assert_eq!(m.until, until, "{what}: the killed run was completed");
        }
        assert!(hidden_entries(&dir).is_empty(), "{what}");
        *outcomes.entry(outcome).or_default() += 1;
        eprintln!("kill {k:2} --until {until} after {delay:>12.3?}: {outcome} ({status})");
    }
    eprintln!("outcomes: {outcomes:?}");
}

// ------------------------------------------------------------ arithmetic bounds

/// Checks a plan written in the test; it must check without error.
fn plan_text(text: &str) -> Plan {
    let mut sources = Sources::new();
    let id = sources.add(SourceFile::new(
        "limits.plan",
        "limits.plan",
        text.to_string(),
    ));
    let (file, parse) = mutual::syntax::parse_file(id, sources.get(id));
    let (plan, check) = mutual::check::check(std::slice::from_ref(&file));
    let all: Vec<_> = parse.items.iter().chain(&check.items).cloned().collect();
    plan.filter(|_| !parse.has_errors()).unwrap_or_else(|| {
        panic!(
            "the plan does not check:\n{}",
            render(&sources, &all, Format::Plain, false)
        )
    })
}

/// A plan with one benefit paying `payout` for CI001, no waiting and no limit.
fn limits_plan(payout: &str, sharing: &str) -> Plan {
    plan_text(&format!(
        "plan limits
  currency CNY
  launched 2024-01-01

membership
  join ages 0 days to 150 years

benefit critical
  covers serious
  waiting 0 days
  payout {payout}

sharing
  closes on day last
{sharing}

diseases serious
  CI001 \"x\"
"
    ))
}

/// The money identity of every period, in i128: charged + operator borne =
/// pool − carried in + carried out, and pool = payouts + fee.
fn assert_identity(ledger: &Ledger) {
    for f in &ledger.periods {
        let w = |m: mutual::money::Money| i128::from(m.0);
        assert_eq!(
            w(f.charged) + w(f.operator_borne),
            w(f.pool) - w(f.carried_in) + w(f.carried_out),
            "the money identity fails in {f:?}"
        );
        assert_eq!(
            w(f.pool),
            w(f.payouts) + w(f.fee),
            "pool ≠ payouts + fee in {f:?}"
        );
        // (What the operator bears may be negative: rounding up collects more.)
        for m in [f.payouts, f.fee, f.pool, f.charged] {
            assert!(m.0 >= 0, "a negative amount in {f:?}");
        }
    }
}

/// Runs and writes every output into memory: Ok with the identity holding in
/// every period and the members' charges adding up to what each period
/// charged, or an error that says amounts are too large.
fn run_at_limits(
    plan: &Plan,
    members: &Members,
    claims: &Claims,
    until: &str,
    per_member: bool,
) -> Result<Ledger, String> {
    let options = RunOptions {
        keep_charges: true,
        per_member,
        ..RunOptions::new(crate::run::d(until))
    };
    match engine::run(plan, members, claims, options) {
        Ok(ledger) => {
            assert_identity(&ledger);
            let mut out = Vec::new();
            mutual::output::write_decisions(&mut out, plan, claims, &ledger).expect("in memory");
            mutual::output::write_periods(&mut out, &ledger).expect("in memory");
            mutual::output::write_members(&mut out, members, &ledger).expect("in memory");
            mutual::output::write_charges(&mut out, members, &ledger).expect("in memory");
            for (p, f) in ledger.periods.iter().enumerate() {
                let mut sum = 0i128;
                ledger.for_each_charge(p, |_, c| sum += i128::from(c.0));
                assert_eq!(sum, i128::from(f.charged.0), "the charges of {f:?}");
            }
            for i in 0..members.len() {
                assert!(
                    ledger.paid_out(i).0 >= 0,
                    "member {i} paid out a negative amount"
                );
                assert!(
                    ledger.charged(i).0 >= 0,
                    "member {i} charged a negative amount"
                );
            }
            Ok(ledger)
        }
        Err(e @ EngineError::Identity { .. }) => panic!("{e}"),
        Err(e) => {
            let msg = e.to_string();
            assert!(
                msg.contains("too large") || msg.contains("more than"),
                "an unclear error: {msg}"
            );
            Err(msg)
        }
    }
}

/// `n` claims for CI001 by `member`, diagnosed (and filed) on `day`.
fn claims_on(claims: &mut Claims, prefix: &str, n: usize, member: &str, day: NaiveDate) {
    for k in 0..n {
        claims.push(
            &format!("{prefix}{k}"),
            member,
            "CI001",
            day,
            Cause::Illness,
        );
    }
}

fn few_members(n: usize) -> Members {
    let mut members = Members::default();
    for k in 0..n {
        members.push(
            &format!("m{k}"),
            crate::run::d("1990-01-01"),
            crate::run::d("2024-01-01"),
            None,
            true,
        );
    }
    members
}

/// 10^13 CNY per claim with a 100% fee: up to 1,152 claims in one period fit
/// what a period may hold (2 × 1,152 × 10^15 fen ≤ i64::MAX / 4); more is
/// refused with a clear error.
#[test]
fn the_largest_payout_many_times_in_one_period() {
    for rounding in [
        "up, remainder carried",
        "half up, remainder distributed",
        "down, remainder borne by operator",
    ] {
        let plan = limits_plan(
            "10_000_000_000_000 CNY",
            &format!("  fee 100% of payouts\n  split equally\n  rounding {rounding}"),
        );
        for n in [1, 7, 1_000, 1_152, 1_153, 5_000] {
            let members = few_members(3);
            let mut claims = Claims::default();
            claims_on(&mut claims, "c", n, "m0", crate::run::d("2024-01-15"));
            for per_member in [false, true] {
                let result = run_at_limits(&plan, &members, &claims, "2024-03-31", per_member);
                match (&result, n <= 1_152) {
                    (Ok(ledger), true) => {
                        let f = &ledger.periods[0];
                        assert_eq!(f.payouts.0 as i128, n as i128 * 1_000_000_000_000_000);
                        assert_eq!(f.pool.0 as i128, 2 * n as i128 * 1_000_000_000_000_000);
                    }
                    (Err(_), false) => {}
                    _ => panic!(
                        "{n} claims, rounding {rounding}, per member {per_member}: {:?}",
                        result.map(|l| l.periods[0].clone())
                    ),
                }
            }
        }
    }
}

/// The largest payout, 2,000 times a month for five months, to one member and
/// shared by two: every period fits (2 × 10^18 fen), but the member's payouts
/// add up to 10^19 fen, beyond 64 bits.
#[test]
fn the_largest_payouts_add_up_beyond_64_bits_for_one_member() {
    let plan = limits_plan(
        "10_000_000_000_000 CNY",
        "  fee 0% of payouts\n  split equally\n  rounding up, remainder carried",
    );
    let members = few_members(2);
    let mut claims = Claims::default();
    for month in 1..=5 {
        let day = NaiveDate::from_ymd_opt(2024, month, 15).expect("a date");
        claims_on(&mut claims, &format!("c{month}-"), 2_000, "m0", day);
    }
    for per_member in [false, true] {
        match run_at_limits(&plan, &members, &claims, "2024-06-30", per_member) {
            Ok(ledger) => {
                assert_eq!(i128::from(ledger.paid_out(0).0), 10_000_000_000_000_000_000);
            }
            Err(e) => eprintln!("per member {per_member}: {e}"),
        }
    }
}

/// Two members share the largest pool a period may hold (1,152 × 10^13 CNY
/// plus a 100% fee), nine months running: each period fits, a member's total
/// charge (9 × 1.152 × 10^18 fen) does not.
fn the_largest_pools_nine_months_running(per_member: bool) {
    let plan = limits_plan(
        "10_000_000_000_000 CNY",
        "  fee 100% of payouts\n  split equally\n  rounding up, remainder carried",
    );
    let members = few_members(2);
    let mut claims = Claims::default();
    for month in 1..=9 {
        let day = NaiveDate::from_ymd_opt(2024, month, 15).expect("a date");
        claims_on(&mut claims, &format!("c{month}-"), 1_152, "m1", day);
    }
    let result = run_at_limits(&plan, &members, &claims, "2024-10-31", per_member);
    if let Ok(ledger) = result {
        assert_eq!(
            i128::from(ledger.charged(0).0),
            9 * 1_152_000_000_000_000_000
        );
    }
}

#[test]
fn the_largest_pools_nine_months_running_never_wrap() {
    the_largest_pools_nine_months_running(false);
}

/// The same, computing every member's share (`RunOptions::per_member`, the
/// cross-check of the fast path; `mutual run` never takes it for this plan).
#[test]
fn the_largest_pools_nine_months_running_member_by_member() {
    the_largest_pools_nine_months_running(true);
}

/// A split in proportion to annual caps of 10^13 CNY, a per-case cap of 10^13
/// CNY and 10,000 small claims in one period, over 20,000 members: the sum of
/// the weights (2 × 10^19) no longer fits 64 bits and a member's cap times that
/// sum (about 1.8 × 10^38) no longer fits 128.
#[test]
fn a_weighted_split_with_the_largest_caps() {
    let plan = limits_plan(
        "0.01 CNY",
        "  fee 10% of payouts\n  split in proportion to annual cap\n  cap 10_000_000_000_000 CNY per year\n  cap 10_000_000_000_000 CNY per case\n  rounding half up, remainder borne by operator",
    );
    let mut members = few_members(1);
    members.push_many(
        "w",
        19_999,
        crate::run::d("1990-01-01"),
        crate::run::d("2024-01-01"),
    );
    let mut claims = Claims::default();
    claims_on(&mut claims, "c", 10_000, "m0", crate::run::d("2024-01-15"));
    let result = run_at_limits(&plan, &members, &claims, "2024-01-31", false);
    if let Ok(ledger) = result {
        // 110 CNY over 20,000 equal weights: 0.55 fen each, rounded half up to 1 fen.
        let f = &ledger.periods[0];
        assert_eq!((f.cases, f.pool.0, f.charged.0), (10_000, 11_000, 20_000));
    }
}

/// A split in proportion to annual caps of 10^13 CNY over 100,000 members
/// (weights adding up to 10^20), a per-charge cap of 0.01 CNY and 2,000
/// payouts of 10^13 CNY in one period: each member's exact share is
/// 2 × 10^18 × 10^15 / 10^20 fen, and the shares' numerators add up to
/// 2 × 10^38, beyond 128 bits.
#[test]
fn a_weighted_split_of_the_largest_pool_over_many_members() {
    for remainder in ["borne by operator", "carried", "distributed"] {
        let plan = limits_plan(
            "10_000_000_000_000 CNY",
            &format!(
                "  fee 0% of payouts\n  split in proportion to annual cap\n  cap 10_000_000_000_000 CNY per year\n  cap 0.01 CNY per charge\n  rounding down, remainder {remainder}"
            ),
        );
        let mut members = few_members(1);
        members.push_many(
            "w",
            99_999,
            crate::run::d("1990-01-01"),
            crate::run::d("2024-01-01"),
        );
        let mut claims = Claims::default();
        claims_on(&mut claims, "c", 2_000, "m0", crate::run::d("2024-01-15"));
        for keep_charges in [true, false] {
            let options = RunOptions {
                keep_charges,
                ..RunOptions::new(crate::run::d("2024-01-31"))
            };
            match engine::run(&plan, &members, &claims, options) {
                Ok(ledger) => {
                    assert_identity(&ledger);
                    let f = &ledger.periods[0];
                    // Every member pays the cap, 1 fen; the operator bears the rest.
                    assert_eq!(f.charged.0, 100_000, "remainder {remainder}: {f:?}");
                    assert_eq!(
                        f.operator_borne.0,
                        2_000_000_000_000_000_000 - 100_000,
                        "remainder {remainder}: {f:?}"
                    );
                }
                Err(e @ EngineError::Identity { .. }) => panic!("{e}"),
                Err(e) => eprintln!("remainder {remainder}: {e}"),
            }
        }
    }
}
