//! Criterion benches of the engine (issue "Scale: a 100-million-member plan year").
//!
//! ```text
//! cargo bench --bench engine                 # all
//! cargo bench --bench engine -- decide       # one group
//! ```
//!
//! - `plan/load`: parse and check a seed plan (`mutual::load_plan`).
//! - `decide`: decide 100,000 claims of 100,000 members built in memory, on a
//!   plan whose sharing is trivial (an equal split: one charge per period), so
//!   the run is dominated by the decisions. The throughput is claims per
//!   second (gross: the run also builds the membership columns of the
//!   members); `decide/.../0 claims` is the same run without claims, so the
//!   net rate is `claims / (t − t0)`. The members are numbered by the claims
//!   as `mutual run` reads them (`Claims::member_keys`), so the claims find
//!   their members by number, not by id.
//! - `run`: the whole engine run at 1,000,000 members with 20,000 claims over
//!   a plan year (no CSV reading or writing), for 相互保 and 京东互保.
//! - `share`: one sharing period of 1,000,000 members (50 cases).
//!
//! Every group uses `sample_size(10)` and short warm-up and measurement times,
//! so each bench stays under about 10 seconds.

use chrono::{Days, NaiveDate};
use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use mutual::engine::{self, RunOptions};
use mutual::input::{Claims, Members};
use mutual::plan::{Cause, Plan};
use mutual::source::Sources;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load(path: &Path) -> Plan {
    let mut sources = Sources::new();
    let loaded = mutual::load_plan(path, &mut sources);
    loaded
        .plan
        .unwrap_or_else(|| panic!("{} does not check", path.display()))
}

fn d(s: &str) -> NaiveDate {
    s.parse().expect("a date")
}

fn plus(day: NaiveDate, n: u64) -> NaiveDate {
    day.checked_add_days(Days::new(n)).expect("a date")
}

fn minus(day: NaiveDate, n: u64) -> NaiveDate {
    day.checked_sub_days(Days::new(n)).expect("a date")
}

/// A seed plan with its sharing section replaced by an equal split with no
/// cap: one charge per period, so a run costs its decisions and O(members).
/// Written with the shared disease lists into a temporary folder.
fn trivial_sharing(name: &str, dir: &Path) -> Plan {
    let text = std::fs::read_to_string(root().join("plans").join(format!("{name}.plan")))
        .expect("a seed plan");
    let mut out = String::new();
    let mut in_sharing = false;
    for line in text.lines() {
        if line.starts_with("sharing") {
            in_sharing = true;
            out.push_str("sharing\n  closes on days 10 and 25\n  fee 10% of payouts\n");
            out.push_str("  split equally\n  rounding half up, remainder borne by operator\n");
            continue;
        }
        if in_sharing {
            if !line.is_empty() && !line.starts_with(' ') {
                in_sharing = false;
            } else {
                continue;
            }
        }
        // The examples exercise the original sharing: drop them.
        if line.starts_with("example") {
            break;
        }
        out.push_str(line);
        out.push('\n');
    }
    let common = dir.join("common");
    std::fs::create_dir_all(&common).expect("a temporary folder");
    for entry in std::fs::read_dir(root().join("plans/common")).expect("plans/common") {
        let entry = entry.expect("an entry");
        std::fs::copy(entry.path(), common.join(entry.file_name())).expect("a copy");
    }
    let path = dir.join(format!("{name}.plan"));
    std::fs::write(&path, out).expect("a plan file");
    load(&path)
}

/// The seed plans as the benches see them.
#[derive(Clone, Copy)]
struct Seed {
    name: &'static str,
    launch: &'static str,
    until: &'static str,
    /// Oldest join age in years.
    oldest: u64,
    requirement: bool,
    minor: bool,
}

const XIANGHUBAO: Seed = Seed {
    name: "xianghubao",
    launch: "2018-10-16",
    until: "2019-10-15",
    oldest: 59,
    requirement: true,
    minor: false,
};

const JD_HUBAO: Seed = Seed {
    name: "jd-hubao",
    launch: "2018-11-13",
    until: "2019-11-12",
    oldest: 70,
    requirement: false,
    minor: true,
};

/// A member's dates: about 1% too young, 1% too old, the rest 20 years to the oldest join age.
fn member_dates(
    r: &mut fastrand::Rng,
    seed: Seed,
) -> (NaiveDate, NaiveDate, Option<NaiveDate>, bool) {
    let launch = d(seed.launch);
    let join = plus(launch, r.u64(..365));
    let class = r.u64(..100);
    let birth = if class == 0 {
        minus(join, r.u64(..30))
    } else if class == 1 {
        minus(join, (seed.oldest + 2) * 366)
    } else {
        minus(join, (20 + r.u64(..seed.oldest - 20)) * 365 + r.u64(..365))
    };
    let left = (r.u64(..100) < 3).then(|| plus(join, 1 + r.u64(..300)));
    let meets = !seed.requirement || r.u64(..1000) >= 25;
    (birth, join, left, meets)
}

/// A claim's disease: mostly covered critical codes, some minor, some unknown.
fn disease(r: &mut fastrand::Rng, seed: Seed) -> String {
    let c = r.u64(..100);
    if c < 3 {
        "ZZ001".to_string()
    } else if c < if seed.minor { 30 } else { 5 } {
        format!("MI{:02}", 1 + r.u64(..30))
    } else {
        format!("CI{:03}", 1 + r.u64(..100))
    }
}

fn cause(r: &mut fastrand::Rng) -> Cause {
    if r.u64(..100) < 10 {
        Cause::Accident
    } else {
        Cause::Illness
    }
}

/// `n` members, each indexed, and `c` claims naming them (1% unknown ids),
/// diagnosed from the join date to about 400 days later, up to `until`.
fn decision_data(seed: Seed, n: usize, c: usize) -> (Members, Claims) {
    let mut r = fastrand::Rng::with_seed(42);
    let until = d(seed.until);
    let mut members = Members::default();
    let mut joins = Vec::with_capacity(n);
    for i in 0..n {
        let (birth, join, left, meets) = member_dates(&mut r, seed);
        members.push(&format!("m{i:09}"), birth, join, left, meets);
        joins.push(join);
    }
    let mut claims = Claims::default();
    for k in 0..c {
        let id = format!("c{k:09}");
        let dis = disease(&mut r, seed);
        let cause = cause(&mut r);
        if r.u64(..100) < 1 {
            let day = plus(d(seed.launch), r.u64(..365));
            claims.push(&id, &format!("x{k}"), &dis, day, cause);
            continue;
        }
        let m = r.u64(..n as u64) as usize;
        let day = plus(joins[m], r.u64(..400)).min(until);
        claims.push(&id, &format!("m{m:09}"), &dis, day, cause);
    }
    key_members(&mut members, &mut claims);
    (members, claims)
}

/// Numbers the claims' members, as reading the members file with the
/// claims' numbering does, so that the claims find their members by number.
fn key_members(members: &mut Members, claims: &mut Claims) {
    members.key_to(claims.member_keys());
}

/// `claimants` indexed members who file one claim each, diagnosed from 60 to
/// 300 days after joining (a quarter of them by accident), and the rest in
/// cohorts of 10,000 identical members with their own dates.
fn run_data(seed: Seed, total: usize, claimants: usize) -> (Members, Claims) {
    let mut r = fastrand::Rng::with_seed(7);
    let until = d(seed.until);
    let mut members = Members::default();
    let mut claims = Claims::default();
    for i in 0..claimants {
        let (birth, join, left, meets) = member_dates(&mut r, seed);
        let id = format!("m{i:09}");
        members.push(&id, birth, join, left, meets);
        let day = plus(join, 60 + r.u64(..240)).min(until);
        let cause = if r.u64(..100) < 25 {
            Cause::Accident
        } else {
            Cause::Illness
        };
        let dis = disease(&mut r, seed);
        claims.push(&format!("c{i:09}"), &id, &dis, day, cause);
    }
    let mut k = 0;
    while members.len() < total {
        let count = (total - members.len()).min(10_000);
        let (birth, join, left, meets) = member_dates(&mut r, seed);
        members.push_cohort(&format!("k{k}_"), count, birth, join, left, meets);
        k += 1;
    }
    key_members(&mut members, &mut claims);
    (members, claims)
}

fn bench_load(c: &mut Criterion) {
    let mut g = c.benchmark_group("plan/load");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for name in ["xianghubao", "jd-hubao", "shuidi"] {
        let path = root().join("plans").join(format!("{name}.plan"));
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut sources = Sources::new();
                let loaded = mutual::load_plan(black_box(&path), &mut sources);
                assert!(loaded.plan.is_some());
                loaded
            })
        });
    }
    g.finish();
}

fn bench_decide(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut g = c.benchmark_group("decide");
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    const MEMBERS: usize = 100_000;
    const CLAIMS: usize = 100_000;
    for seed in [XIANGHUBAO, JD_HUBAO] {
        let plan = trivial_sharing(seed.name, &dir.path().join(seed.name));
        let options = RunOptions::new(d(seed.until));
        let (members, claims) = decision_data(seed, MEMBERS, CLAIMS);
        g.throughput(Throughput::Elements(CLAIMS as u64));
        g.bench_with_input(
            BenchmarkId::new(seed.name, format!("{CLAIMS} claims")),
            &(&members, &claims),
            |b, (m, cl)| b.iter(|| engine::run(&plan, m, cl, options).expect("a run")),
        );
        // The same members without claims: what the decisions cost is the difference.
        let none = Claims::default();
        g.throughput(Throughput::Elements(MEMBERS as u64));
        g.bench_with_input(
            BenchmarkId::new(seed.name, "0 claims"),
            &(&members, &none),
            |b, (m, cl)| b.iter(|| engine::run(&plan, m, cl, options).expect("a run")),
        );
    }
    g.finish();
}

fn bench_run(c: &mut Criterion) {
    let mut g = c.benchmark_group("run");
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(4));
    const MEMBERS: usize = 1_000_000;
    const CLAIMS: usize = 20_000;
    for seed in [XIANGHUBAO, JD_HUBAO] {
        let plan = load(&root().join("plans").join(format!("{}.plan", seed.name)));
        let options = RunOptions::new(d(seed.until));
        let (members, claims) = run_data(seed, MEMBERS, CLAIMS);
        g.throughput(Throughput::Elements(MEMBERS as u64));
        g.bench_with_input(
            BenchmarkId::new(seed.name, "1M members, 20k claims"),
            &(&members, &claims),
            |b, (m, cl)| b.iter(|| engine::run(&plan, m, cl, options).expect("a run")),
        );
    }
    g.finish();
}

fn bench_share(c: &mut Criterion) {
    let mut g = c.benchmark_group("share");
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    const MEMBERS: usize = 1_000_000;
    // The first period of each plan, 50 accident cases in it.
    for (seed, close, sick) in [
        (XIANGHUBAO, "2018-10-20", "2018-10-18"),
        (JD_HUBAO, "2018-11-25", "2018-11-20"),
    ] {
        let plan = load(&root().join("plans").join(format!("{}.plan", seed.name)));
        let options = RunOptions::new(d(close));
        let launch = d(seed.launch);
        let birth = d("1990-01-01");
        let mut members = Members::default();
        let mut claims = Claims::default();
        for i in 0..50 {
            let id = format!("s{i}");
            members.push(&id, birth, launch, None, true);
            claims.push(&format!("c{i}"), &id, "CI001", d(sick), Cause::Accident);
        }
        // Ages spread over the bands of the weighted split.
        for k in 0..100u64 {
            let b = minus(launch, (25 + k * 45 / 100) * 365 + k);
            members.push_many(&format!("k{k}_"), (MEMBERS - 50) / 100, b, launch);
        }
        g.throughput(Throughput::Elements(members.len() as u64));
        g.bench_with_input(
            BenchmarkId::new(seed.name, "1 period, 1M members"),
            &(&members, &claims),
            |b, (m, cl)| b.iter(|| engine::run(&plan, m, cl, options).expect("a run")),
        );
    }
    g.finish();
}

criterion_group!(benches, bench_load, bench_decide, bench_run, bench_share);
criterion_main!(benches);
