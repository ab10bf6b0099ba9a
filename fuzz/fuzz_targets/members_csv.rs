//! Any bytes as a members file and as a claims file: reading them never
//! panics, and when both read, a run of a small plan over them never panics.
//!
//! The input is one file, or a members file and a claims file separated by a
//! line `%%`. The plan is chosen by the members header: one requiring
//! `credit_score`, one requiring `prepaid_balance` and `region`, or one with
//! no requirement.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mutual::engine::{self, RunOptions};
use mutual::plan::Plan;
use mutual::source::{SourceFile, Sources};
use std::path::PathBuf;
use std::sync::OnceLock;

const COMMON: &str = "\
membership
  join ages 30 days to 59 years
  REQUIRES
  ends at age 60 years
  ends on payout of critical

benefit critical \"重大疾病\"
  covers serious
  waiting 90 days, except accident
  payout by age at diagnosis
    30 days to 39 years: 300_000 CNY
    40 years to 59 years: 100_000 CNY
  limit 1 per member

sharing
  closes on days 6 and 20
  fee 10% of payouts
  split equally
  cap 0.10 CNY per case
  excess borne by operator
  rounding up, remainder carried

diseases serious \"重大疾病\"
  CI001 \"恶性肿瘤——重度\"
  CI002 \"较重急性心肌梗死\"
  CI003 \"严重脑中风后遗症\"
";

fn plan(requires: &str) -> Plan {
    let text = format!(
        "plan fuzz\n  currency CNY\n  launched 2018-10-16\n\n{}",
        COMMON.replace("REQUIRES", requires)
    );
    let mut sources = Sources::new();
    let id = sources.add(SourceFile::new("fuzz.plan", "fuzz.plan", text));
    let (file, diags) = mutual::syntax::parse_file(id, sources.get(id));
    assert!(!diags.has_errors(), "{diags:?}");
    let (plan, diags) = mutual::check::check(std::slice::from_ref(&file));
    plan.unwrap_or_else(|| panic!("the fuzz plan does not check: {diags:?}"))
}

struct Fixture {
    plans: [Plan; 3],
    _dir: tempfile::TempDir,
    members: PathBuf,
    claims: PathBuf,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temp dir");
        Fixture {
            plans: [
                plan("requires credit_score >= 650"),
                plan("requires prepaid_balance >= 9 and not (region = \"HK\" or region = \"MO\")"),
                plan(""),
            ],
            members: dir.path().join("members.csv"),
            claims: dir.path().join("claims.csv"),
            _dir: dir,
        }
    })
}

fn split(data: &[u8]) -> (&[u8], &[u8]) {
    const SEP: &[u8] = b"\n%%\n";
    match data.windows(SEP.len()).position(|w| w == SEP) {
        Some(at) => (&data[..at + 1], &data[at + SEP.len()..]),
        None => (data, data),
    }
}

fuzz_target!(|data: &[u8]| {
    let f = fixture();
    let (members_bytes, claims_bytes) = split(data);
    std::fs::write(&f.members, members_bytes).expect("write the members file");
    std::fs::write(&f.claims, claims_bytes).expect("write the claims file");

    let header = members_bytes.split(|&b| b == b'\n').next().unwrap_or(b"");
    let has = |name: &[u8]| header.windows(name.len()).any(|w| w == name);
    let plan = if has(b"credit_score") {
        &f.plans[0]
    } else if has(b"region") || has(b"prepaid_balance") {
        &f.plans[1]
    } else {
        &f.plans[2]
    };

    let claims = mutual::input::read_claims(&f.claims);
    let wanted = claims.as_ref().map(|c| c.member_ids()).unwrap_or_default();
    let requirement = plan.membership.requirement.as_ref().map(|r| &r.value);
    let members = mutual::input::read_members(&f.members, requirement, &wanted);
    match (members, claims) {
        (Ok(members), Ok(claims)) => {
            let until = chrono::NaiveDate::from_ymd_opt(2019, 10, 16).expect("a date");
            let options = RunOptions {
                keep_charges: true,
                ..RunOptions::new(until)
            };
            if let Err(e @ engine::EngineError::Identity { .. }) =
                engine::run(plan, &members, &claims, options)
            {
                panic!("{e}");
            }
        }
        (m, c) => {
            if let Err(e) = m {
                let _ = e.to_string();
            }
            if let Err(e) = c {
                let _ = e.to_string();
            }
        }
    }
});
