//! Prepaid accounts over random plans, members, claims and top-ups: every
//! balance adds up, a top-up changes nothing before its day, and an account
//! that never runs short charges as the same plan without one.

use crate::properties::{
    Data, PlanParams, build, data, load, load_with_sources, plan_params, plan_text,
};
use crate::run::d;
use mutual::engine::{self, Ledger, RunOptions};
use mutual::input::{Claims, Members, Payments};
use mutual::money::Money;
use mutual::plan::Plan;
use proptest::prelude::*;

/// An account section: a minimum (fen), a new waiting period on resuming,
/// and a fee (fen, every, only on accounts without active membership).
#[derive(Clone, Debug)]
struct AccountParams {
    minimum: Option<u32>,
    new_waiting: bool,
    fee: Option<(u32, &'static str, bool)>,
}

fn account_params() -> impl Strategy<Value = AccountParams> {
    (
        prop::option::of(prop::sample::select(vec![0u32, 1, 100, 300, 900])),
        any::<bool>(),
        prop::option::of((
            1u32..=500,
            prop::sample::select(vec!["month", "quarter", "year"]),
            any::<bool>(),
        )),
    )
        .prop_map(|(minimum, new_waiting, fee)| AccountParams {
            minimum,
            new_waiting,
            fee,
        })
}

fn fen(n: u32) -> String {
    format!("{}.{:02}", n / 100, n % 100)
}

fn account_text(a: &AccountParams) -> String {
    let mut s = String::from("\naccount\n");
    if let Some(m) = a.minimum {
        s.push_str(&format!("  minimum balance {} CNY\n", fen(m)));
        s.push_str(if a.new_waiting {
            "  resumes after a top-up, with a new waiting period\n"
        } else {
            "  resumes after a top-up, without a new waiting period\n"
        });
    }
    match a.fee {
        Some((f, every, inactive)) => s.push_str(&format!(
            "  fee {} CNY per {every}{}\n",
            fen(f),
            if inactive {
                " on accounts without active membership"
            } else {
                ""
            }
        )),
        None if a.minimum.is_none() => s.push_str("  minimum balance 0 CNY\n"),
        None => {}
    }
    s
}

/// Top-ups: (member, days after its join date, fen).
fn payments() -> impl Strategy<Value = Vec<(usize, u32, u32)>> {
    prop::collection::vec((0usize..25, 0u32..600, 1u32..5_000), 0..30)
}

fn payments_of(m: &Members, data: &Data, top_ups: &[(usize, u32, u32)]) -> Payments {
    let rows = top_ups
        .iter()
        .filter(|(k, _, _)| *k < data.members.len())
        .map(|&(k, after, fen)| {
            let join = m.join[k];
            let on = join
                .checked_add_days(chrono::Days::new(u64::from(after)))
                .expect("a date");
            mutual::input::TopUp::new(k as u32, on, i64::from(fen))
        })
        .collect();
    Payments::new(m.len(), rows)
}

fn run(plan: &Plan, m: &Members, c: &Claims, p: &Payments) -> Ledger {
    let options = RunOptions {
        keep_charges: true,
        ..RunOptions::new(d("2021-03-31"))
    };
    engine::run_with_payments(plan, m, c, p, options).expect("every balance adds up")
}

/// A run as `mutual run` makes it (no charges kept): the fast path where it applies.
fn run_plain(plan: &Plan, m: &Members, c: &Claims, p: &Payments, per_member: bool) -> Ledger {
    run_passes(
        plan,
        m,
        c,
        p,
        per_member,
        RunOptions::new(d("2021-03-31")).passes,
    )
}

/// `run_plain`, with the members without claims taken in one pass each at
/// most `passes` times (0: never; `usize::MAX`: until the charges agree).
fn run_passes(
    plan: &Plan,
    m: &Members,
    c: &Claims,
    p: &Payments,
    per_member: bool,
    passes: usize,
) -> Ledger {
    let options = RunOptions {
        per_member,
        passes,
        ..RunOptions::new(d("2021-03-31"))
    };
    engine::run_with_payments(plan, m, c, p, options).expect("every balance adds up")
}

/// The plan with its prepayment at joining set to `prepaid` CNY.
fn with_prepayment(params: &PlanParams, prepaid: &str) -> String {
    plan_text(params)
        .replace("  pays at join 9 CNY\n", "")
        .replace(
            "membership\n",
            &format!("membership\n  pays at join {prepaid} CNY\n"),
        )
}

/// A plan whose every member pays the same but for the fen of a
/// distributed remainder (an equal split, no annual cap, an account fee
/// only on ended accounts): one the uniform path of accounts takes.
fn uniform_text(mut params: PlanParams, mut account: AccountParams) -> String {
    params.weighted = false;
    params.year_cap = None;
    if let Some(fee) = &mut account.fee {
        fee.2 = true;
    }
    plan_text(&params) + &account_text(&account)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, rng_seed: proptest::test_runner::RngSeed::Fixed(2016), ..ProptestConfig::default() })]

    #[test]
    fn every_balance_is_prepaid_plus_top_ups_less_charges_and_fees(
        params in plan_params(), account in account_params(), data in data(), top_ups in payments()
    ) {
        let plan = load(&(plan_text(&params) + &account_text(&account)));
        let (m, c) = build(&data);
        let p = payments_of(&m, &data, &top_ups);
        let ledger = run(&plan, &m, &c, &p);
        for i in 0..m.len() {
            let identity = ledger.prepaid(&m, i) + ledger.topped_up(i) - ledger.charged(i)
                - ledger.fees(i) + ledger.refunded(i);
            prop_assert_eq!(ledger.balance(&m, i), identity);
            prop_assert!(ledger.fees(i).0 >= 0);
            let paid: i64 = p.of(i).filter(|(day, _)| *day <= ledger.until).map(|(_, a)| a.0).sum();
            prop_assert_eq!(ledger.topped_up(i), Money(paid));
        }
        for (q, f) in ledger.periods.iter().enumerate() {
            prop_assert_eq!(f.charged + f.operator_borne, f.pool - f.carried_in + f.carried_out);
            let mut count = 0;
            ledger.for_each_charge(q, |_, _| count += 1);
            prop_assert!(count <= f.members, "more members charged than shared");
        }
    }

    #[test]
    fn a_top_up_changes_nothing_before_its_day(
        params in plan_params(), account in account_params(), data in data(),
        top_ups in payments(), extra in (0usize..25, 0u32..600, 1u32..5_000)
    ) {
        let plan = load(&(plan_text(&params) + &account_text(&account)));
        let (m, c) = build(&data);
        let before = run(&plan, &m, &c, &payments_of(&m, &data, &top_ups));
        let mut more = top_ups.clone();
        more.push(extra);
        let after = run(&plan, &m, &c, &payments_of(&m, &data, &more));
        let Some(k) = (extra.0 < data.members.len()).then_some(extra.0) else {
            return Ok(());
        };
        let on = m.join[k].checked_add_days(chrono::Days::new(u64::from(extra.1))).expect("a date");
        for (q, f) in before.periods.iter().enumerate().filter(|(_, f)| f.period.end < on) {
            prop_assert_eq!(f, &after.periods[q]);
            for i in 0..m.len() as u32 {
                prop_assert_eq!(before.charge_of(i, q), after.charge_of(i, q));
            }
        }
        for (x, y) in before.decisions.iter().zip(&after.decisions) {
            if x.filed_on < on {
                prop_assert_eq!(x, y);
            }
        }
        // The member who tops up is never paused where it was not: its
        // balance is higher on every day before its next charge.
        let first_after = before.periods.iter().position(|f| f.period.end >= on);
        if let Some(q) = first_after {
            let e = before.periods[q].period.end;
            let shared_before = before.charge_of(k as u32, q).is_some_and(|c| c.0 > 0);
            let paused_after = after.accounts.logs.get(&(k as u32)).is_some_and(|l| {
                l.pauses.iter().any(|p| p.from <= e && e < p.to)
            });
            prop_assert!(!(shared_before && paused_after));
        }
    }

    #[test]
    fn the_uniform_path_matches_computing_every_member(
        params in plan_params(), account in account_params(), data in data(), top_ups in payments()
    ) {
        let plan = load(&uniform_text(params, account));
        let (m, c) = build(&data);
        let p = payments_of(&m, &data, &top_ups);
        let slow = run_plain(&plan, &m, &c, &p, true);
        let shown = |l: &Ledger| -> Vec<_> {
            l.periods
                .iter()
                .map(|f| (f.period, f.cases, f.payouts, f.fee, f.pool, f.carried_in, f.members, f.charged, f.operator_borne, f.carried_out, f.refunded))
                .collect()
        };
        // Every member period by period; the members without claims in one
        // pass each, as often as the charges need to agree; and as a run does.
        for passes in [0, usize::MAX, RunOptions::new(d("2021-03-31")).passes] {
            let fast = run_passes(&plan, &m, &c, &p, false, passes);
            prop_assert_eq!(fast.strategy, engine::Strategy::Uniform);
            prop_assert_eq!(&fast.decisions, &slow.decisions);
            prop_assert_eq!(shown(&fast), shown(&slow), "passes {}", passes);
            for i in 0..m.len() {
                prop_assert_eq!(fast.charged(i), slow.charged(i), "member {}, passes {}", i, passes);
                prop_assert_eq!(fast.balance(&m, i), slow.balance(&m, i), "member {}, passes {}", i, passes);
                prop_assert_eq!(fast.fees(i), slow.fees(i), "member {}, passes {}", i, passes);
                prop_assert_eq!(fast.status(&m, i), slow.status(&m, i), "member {}, passes {}", i, passes);
            }
        }
    }

    #[test]
    fn explaining_takes_the_uniform_path_and_says_what_computing_every_member_says(
        params in plan_params(), account in account_params(), data in data(), top_ups in payments()
    ) {
        let (plan, sources) = load_with_sources(&uniform_text(params, account));
        let (m, c) = build(&data);
        let p = payments_of(&m, &data, &top_ups);
        let explained = |track: Option<u32>, per_member: bool| {
            let options = RunOptions { track, per_member, explaining: !per_member, ..RunOptions::new(d("2021-03-31")) };
            engine::run_with_payments(&plan, &m, &c, &p, options).expect("every balance adds up")
        };
        // The member explained is followed on its own beside the uniform
        // path: its account's log and its charges are those of the general path.
        for i in (0..data.members.len()).chain([m.len() - 1]) {
            let (fast, slow) = (explained(Some(i as u32), false), explained(Some(i as u32), true));
            prop_assert_eq!(fast.strategy, engine::Strategy::Uniform);
            prop_assert_eq!(slow.strategy, engine::Strategy::PerMember);
            let log = |l: &Ledger| l.accounts.logs.get(&(i as u32)).map(|a| (a.pauses.clone(), a.events.clone()));
            prop_assert_eq!(log(&fast), log(&slow), "member {}", i);
            prop_assert_eq!(fast.charged(i), slow.charged(i), "member {}", i);
            for q in 0..slow.periods.len() {
                prop_assert_eq!(fast.charge_of(i as u32, q), slow.charge_of(i as u32, q), "member {}, period {}", i, q);
                let e = |l: &Ledger| mutual::explain::charge(&plan, &sources, &m, &c, l, i, q);
                prop_assert_eq!(e(&fast), e(&slow), "member {}, period {}", i, q);
            }
        }
        // A claim is explained from the claimants' pauses, which the uniform path keeps.
        let (fast, slow) = (explained(None, false), explained(None, true));
        for claim in c.all() {
            let e = |l: &Ledger| mutual::explain::claim(&plan, &sources, &m, &c, l, &claim.id);
            prop_assert_eq!(e(&fast), e(&slow), "claim {}", claim.id);
        }
    }

    #[test]
    fn an_account_that_never_runs_short_charges_as_no_account(
        mut params in plan_params(), data in data(), top_ups in payments()
    ) {
        // Charges of at most 10.00 a period cannot use up 1,000.00 in the run.
        params.charge_cap = Some(params.charge_cap.unwrap_or(1_000).min(1_000));
        let without = load(&with_prepayment(&params, "1000"));
        let with = load(&(with_prepayment(&params, "1000") + "\naccount\n  minimum balance 0 CNY\n"));
        let (m, c) = build(&data);
        let p = payments_of(&m, &data, &top_ups);
        let a = run(&without, &m, &c, &p);
        let b = run(&with, &m, &c, &p);
        prop_assert_eq!(&a.decisions, &b.decisions);
        for (q, f) in a.periods.iter().enumerate() {
            prop_assert_eq!(f.charged, b.periods[q].charged);
            prop_assert_eq!(f.members, b.periods[q].members);
            for i in 0..m.len() as u32 {
                prop_assert_eq!(a.charge_of(i, q), b.charge_of(i, q));
            }
        }
        for i in 0..m.len() {
            prop_assert_eq!(a.balance(&m, i), b.balance(&m, i));
        }
    }
}

/// The first example of plans/qingsong.plan as files: `a` is paused on
/// 2017-01-28 and tops up the day after; `b` tops up the day before.
fn qingsong_files(dir: &std::path::Path) {
    let member = |id: &str| format!("{id},1990-01-01,2016-06-01,\n");
    let members: String = ["a", "b", "c", "sick1", "sick2", "sick3"]
        .iter()
        .map(|id| member(id))
        .collect();
    std::fs::write(
        dir.join("members.csv"),
        format!("id,birth_date,join_date,left_date\n{members}"),
    )
    .expect("write");
    std::fs::write(
        dir.join("claims.csv"),
        "id,member_id,disease,diagnosed_on\ns1,sick1,CI001,2017-01-05\ns2,sick2,CI002,2017-01-20\na1,a,CI003,2017-01-29\ns3,sick3,CI004,2017-02-01\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("payments.csv"),
        "member_id,date,amount\nb,2017-01-27,10\nc,2017-01-28,10\na,2017-01-29,10\n",
    )
    .expect("write");
}

/// `mutual COMMAND plans/qingsong.plan` on the members, claims and payments
/// files in `dir`, up to `until`.
fn qingsong(dir: &std::path::Path, command: &str, until: &str) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("mutual").expect("the binary");
    cmd.current_dir(dir)
        .arg(command)
        .arg(crate::root().join("plans/qingsong.plan"))
        .args(["--members", "members.csv", "--claims", "claims.csv"])
        .args(["--payments", "payments.csv", "--until", until]);
    cmd
}

fn explain(dir: &std::path::Path, what: &[&str]) -> String {
    let out = qingsong(dir, "explain", "2017-02-14")
        .args(["--view", "audit"])
        .args(what)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn explaining_a_paused_claim_says_when_cover_paused_and_what_top_up_would_have_kept_it() {
    let dir = tempfile::tempdir().expect("a temp dir");
    qingsong_files(dir.path());
    let text = explain(dir.path(), &["--claim", "a1"]);
    assert!(text.starts_with("claim a1: denied: paused"), "{text}");
    assert!(
        text.contains("cover was paused on 2017-01-29: on the closing day 2017-01-28 the balance was 0.00, below the minimum of 1.00; a top-up restored it from 2017-01-30"),
        "{text}"
    );
    assert!(
        text.contains(
            "why not: a top-up of at least 1.00 dated on or before 2017-01-28 would have kept cover"
        ),
        "{text}"
    );
}

#[test]
fn explaining_a_charge_shows_the_balance_through_the_period() {
    let dir = tempfile::tempdir().expect("a temp dir");
    qingsong_files(dir.path());
    let b = explain(dir.path(), &["--member", "b", "--period", "2017-01-28"]);
    let steps: Vec<&str> = b.lines().filter(|l| l.contains("balance")).collect();
    assert_eq!(
        steps,
        [
            "├─ · the balance before the period (on 2017-01-14): 0.00",
            "├─ · 2017-01-27: top-up +10.00; the balance is 10.00",
            "└─ · 2017-01-28: the charge of the period closing on 2017-01-28 −3.00; the balance is 7.00",
        ],
        "{b}"
    );
    let a = explain(dir.path(), &["--member", "a", "--period", "2017-01-28"]);
    assert!(
        a.starts_with("charge of member a in the period 2017-01-15 to 2017-01-28: charged 0.00"),
        "{a}"
    );
    assert!(
        a.contains("cover was paused on the closing day 2017-01-28, since the closing day 2017-01-28 when the balance of 0.00 was below the minimum: the member does not share; 2 members share"),
        "{a}"
    );
}

/// Runs plans/qingsong.plan on the sample files in `dir` (as written by
/// `ids_written`), and gives its decisions, periods and members files.
fn qingsong_outputs(dir: &std::path::Path) -> [String; 3] {
    let out = dir.join("out");
    let done = qingsong(dir, "run", "2016-12-31")
        .arg("--out")
        .arg(&out)
        .output()
        .expect("runs");
    assert_eq!(done.status.code(), Some(0), "{done:?}");
    ["decisions.csv", "periods.csv", "members.csv"]
        .map(|f| std::fs::read_to_string(out.join(f)).expect("an output"))
}

/// `text` with every member id of the samples (`m000000042`) written by `id` (42).
fn renamed(text: &str, id: &impl Fn(u32) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('m') {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let digits = from
            .get(1..10)
            .filter(|d| d.bytes().all(|b| b.is_ascii_digit()));
        match digits {
            Some(d) => {
                out.push_str(&id(d.parse().expect("a number")));
                rest = &from[10..];
            }
            None => {
                out.push('m');
                rest = &from[1..];
            }
        }
    }
    out + rest
}

/// The sample files of plans/qingsong.plan in `dir`, every member id
/// (`m000000042`) written by `id` (42).
fn ids_written(dir: &std::path::Path, id: impl Fn(u32) -> String) {
    let sample = crate::root().join("plans/samples/qingsong");
    for file in ["members.csv", "claims.csv", "payments.csv"] {
        let text = std::fs::read_to_string(sample.join(file)).expect("a sample");
        std::fs::write(dir.join(file), renamed(&text, &id)).expect("write");
    }
}

#[test]
fn members_numbered_in_order_or_not_pay_the_same() {
    // Numbered in file order, members are found from the id itself; any
    // other ids through their hashes.
    let (numbered, other) = (
        tempfile::tempdir().expect("dir"),
        tempfile::tempdir().expect("dir"),
    );
    let scrambled = |n: u32| format!("member-{}", n * 7919 % 100_003);
    ids_written(numbered.path(), |n| format!("m{n:09}"));
    ids_written(other.path(), scrambled);
    let numbered = qingsong_outputs(numbered.path()).map(|text| renamed(&text, &scrambled));
    assert!(
        numbered[0].contains(",paused,"),
        "the sample has paused claims"
    );
    assert_eq!(numbered, qingsong_outputs(other.path()));
}
