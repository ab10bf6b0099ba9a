//! Deterministic synthetic members, claims and payments for the seed plans.
//!
//! ```text
//! cargo run --release --example generate -- \
//!     --plan xianghubao|jd-hubao|shuidi|xianghubao-history|qingsong|dishui \
//!     --members N [--seed S] [--from DATE] [--until DATE] [--claims N] --out DIR
//! ```
//!
//! Writes `DIR/members.csv`, `DIR/claims.csv` and, for a plan with an
//! `account` section (shuidi, qingsong, dishui), `DIR/payments.csv`, in the
//! input format of `mutual run` (see `docs/`). The same arguments always give
//! byte-identical files, whatever the machine or the number of threads.
//!
//! # Members
//!
//! `id,birth_date,join_date,left_date`, plus `credit_score` (xianghubao) or
//! `region` (shuidi). Ids are `m` and a 1-based number padded
//! to 9 digits. Member `i` is a pure function of `(plan, seed, i)`: a SplitMix64
//! stream keyed by the plan, the seed and the row number, so any member can be
//! regenerated without the others (the claims do this), and rows are generated
//! in parallel chunks and written in order.
//!
//! - Join dates: about 35% in the launch surge (the 21 days from `--from`,
//!   most on the first days), the rest uniform up to `--until`.
//! - Age at joining: mostly 20–55 years; 8% children from 30 days (dishui:
//!   1 year) to 19 years; 1.5% of the adults for each year of age from 56 to
//!   the plan's oldest join age (at most 15%: 6% for xianghubao, 15% for
//!   jd-hubao and dishui);
//!   0.5% too young (0–29 days old; dishui: a day to a year short of 1 year),
//!   0.6% too old (one or two years past the
//!   oldest join age, some exactly on the birthday), and 0.2% exactly on an
//!   eligible edge (the 30th day of life or, for dishui, the first birthday;
//!   the day before the birthday that would
//!   make the member too old); 0.25% of the adults are born on 29 February.
//! - `left_date` for about 3%, after the join date and at most `--until`; 35% of
//!   them exactly on one of the plan's closing days.
//! - `credit_score` 650–950, 2.5% below 650 and 0.2% empty; `region` `CN`,
//!   1% `HK`, 1% `MO`.
//!
//! # Claims
//!
//! `id,member_id,disease,diagnosed_on,filed_on,benefit,cause`, ids `c` and 9
//! digits, numbered in order of diagnosis. The count is `--claims`, or by
//! default 1.25 × the plan's rate of approved cases (1.6 per 10,000 members a
//! year for xianghubao, 2 for dishui, 3 for the others), at least 20: about
//! 80% of the claims are built to be approvable. Each claim comes from a
//! scenario; the first
//! claims take every scenario once so that even a small sample holds each kind,
//! the rest are drawn with these weights (per mille):
//!
//! | scenario | ‰ | meant to give |
//! |---|---|---|
//! | an id past the last member | 10 | `unknown_member` |
//! | an ineligible member | 20 | `not_eligible` |
//! | diagnosed 1–60 days before joining | 10 | `before_join` |
//! | diagnosed on or after `left_date` | 25 | `after_leaving` |
//! | diagnosed after the birthday that ends the membership (xianghubao, dishui) | 8 | `membership_ended` |
//! | code `ZZ001`–`ZZ003`, `CI029`+ for shuidi, `CI` codes for dishui, `MI` codes but for jd-hubao | 20 | `disease_not_covered` |
//! | the wrong `benefit` named (jd-hubao) | 10 | `disease_not_covered` |
//! | diagnosed inside the waiting period | 50 | `in_waiting_period`, `covered` for accidents where they skip it (not dishui) |
//! | a second claim diagnosed after the first was filed | 15 | `covered` then `membership_ended` |
//! | a second claim diagnosed before the first was filed, filed after it | 15 | `covered` then `limit_reached` |
//! | two minor claims (jd-hubao) | 10 | `covered` then `limit_reached` |
//! | a minor then a critical claim (jd-hubao) | 5 | `covered` twice |
//! | otherwise: an active member after the waiting period | rest | `covered` |
//!
//! Diseases are covered critical codes (`CI001`–`CI100`, shuidi `CI001`–`CI028`),
//! for jd-hubao 30% minor codes `MI01`–`MI30`, for dishui the accident codes
//! `AC01`–`AC03`. 10% of the claims have `cause`
//! `accident`, the others `illness` or empty; for dishui 85% `accident`, 5%
//! `illness` and 10% empty (`cause_not_covered`), and the claims of the
//! scenarios that end or limit a membership are all accidents. `filed_on` is empty for 75%
//! (otherwise 0–60 days after diagnosis, never past `--until`); `benefit` is
//! named on 5%. `age_not_covered` cannot occur with the seed plans: their payout
//! bands cover every age at which a member can be active. With an account, a
//! claim of a member whose cover is paused on the day of diagnosis is denied
//! `paused` whatever its scenario (in the samples, about one for every two
//! `covered`), and shuidi's new waiting period after a pause turns some
//! into `in_waiting_period`.
//!
//! # Payments (plans with an account)
//!
//! `member_id,date,amount`: top-ups of the prepaid balance, sorted by date and
//! within a day by member. A member's top-ups are a pure function of the
//! member, the seed and an estimate of each closing day's charge, the same for
//! every member: the payouts the plan's rules would give the claims decided in
//! the period (by age at diagnosis, without pauses or earlier payouts), plus
//! the 8% fee, over three quarters of the eligible members active that day
//! (counted among the first 65,536), rounded up, at most the cap of 3.00. Each
//! member follows that estimate from joining, with the payment at joining, the
//! top-ups, the plan's minimum balance, pauses and resumes as
//! `docs/decisions.md` describes them, and tops up:
//!
//! - never for 20% of the eligible members: their balance runs out and their
//!   cover pauses; a refused applicant tops up once, within 20 days of
//!   applying, in 2% of cases;
//! - on a closing day after which the balance is below the minimum (so that
//!   the next closing day would pause the cover), or already paused: with a
//!   probability drawn per member from 60–95% (a third of it while paused);
//!   25% of members also react when the next charge would take the balance
//!   below the minimum. The top-up is made, relative to the next closing day:
//!   30% on a day between the two closing days, 20% the day before, 15% on
//!   the day, 10% the day after, 25% 2–45 days after (paused meanwhile);
//! - 15% of the members also top up routinely every 60–120 days (±7), and
//!   react only with a probability of 10–30%; 10% top up on the day they join;
//! - amounts: each member has a favourite, used for 75% of the top-ups, the
//!   others drawn afresh: 10 (45%), 50 (22%), 20 (15%), 100 (8%), 30 (3%),
//!   5 (3%), or any amount from 1.00 to 200.00 to the fen (4%, written with
//!   two decimals; whole amounts are written without);
//! - never before joining, on or after `left_date` or the birthday that ends
//!   the membership, nor after `--until`.
//!
//! For a year from launch this gives 2.4 (qingsong) to 3.0 (dishui) top-ups
//! per member-year of membership, 1.6–2.0 per member in the file, and about a
//! quarter of the members (the 20%, and members who joined late) without one.
//!
//! # Speed
//!
//! Dates are copied from a precomputed table of `YYYY-MM-DD` strings, numbers
//! formatted with `itoa` into reused chunk buffers; while one batch of chunks is
//! written, the next is generated on the other threads. Top-ups are made with
//! the members, kept packed in a `u64` each (8 bytes a top-up) and sorted per
//! chunk; payments.csv is then written day by day, the days of a batch
//! formatted in parallel. The random numbers come
//! from a SplitMix64 written here rather than a crate, so the output cannot change
//! with a dependency's version.

use chrono::{Datelike, NaiveDate};
use clap::{Parser, ValueEnum};
use rayon::prelude::*;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum PlanName {
    Xianghubao,
    JdHubao,
    Shuidi,
    /// 相互保 over its whole history (`plans/xianghubao-history.plan`): the
    /// members and claims of 相互保; give `--until` up to 2022-08-01 to span
    /// the fee change, the calendar-year caps and the closure.
    XianghubaoHistory,
    Qingsong,
    Dishui,
}

/// Generates synthetic members.csv, claims.csv and (for a plan with an
/// account) payments.csv for a seed plan.
#[derive(Parser, Debug)]
struct Args {
    /// The seed plan whose members and claims to generate.
    #[arg(long, value_enum)]
    plan: PlanName,
    /// Number of members (at most 900,000,000).
    #[arg(long)]
    members: u64,
    /// Random seed; the same arguments give the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// First join date (default: the plan's launch date).
    #[arg(long)]
    from: Option<NaiveDate>,
    /// Last date of the data (default: one year after --from, minus a day).
    #[arg(long)]
    until: Option<NaiveDate>,
    /// Number of claims (default: from the plan's rate of cases, at least 20).
    #[arg(long)]
    claims: Option<u64>,
    /// Output folder, created if missing.
    #[arg(long)]
    out: PathBuf,
}

/// What the generator needs to know of a plan.
struct Plan {
    launch: (i32, u32, u32),
    /// Youngest join age in years; 0 for 30 days.
    join_min_years: i32,
    /// Oldest join age in years.
    join_max_years: i32,
    /// The birthday on which the membership ends, if any.
    end_age: Option<i32>,
    /// A term renewed while the age at the anniversary is at most this.
    renew_max_years: Option<i32>,
    waiting: i32,
    /// Accidents skip the waiting period.
    accident_exempt: bool,
    /// Only claims with cause `accident` are covered.
    accident_only: bool,
    closing_days: &'static [u32],
    codes: Codes,
    minor: bool,
    /// Approved cases per 10,000 members per year.
    rate: f64,
    attrs: Attrs,
    account: Option<Account>,
}

/// The covered codes of the main benefit.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Codes {
    /// `CI001` to `CI`n.
    Critical(u32),
    /// `AC01` to `AC`n.
    Accident(u32),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Attrs {
    None,
    Credit,
    Region,
}

/// A plan's prepaid account, in fen.
struct Account {
    /// Paid at joining.
    prepaid: i64,
    /// Cover pauses while the balance is below this on a closing day.
    minimum: i64,
    /// At most this per charge.
    cap: i64,
    /// Management fee on payouts, per mille.
    fee_permille: i64,
    /// The payout by age at diagnosis: (oldest age in years, amount in yuan).
    payout: &'static [(i32, i64)],
}

fn plan(name: PlanName) -> Plan {
    match name {
        PlanName::Xianghubao | PlanName::XianghubaoHistory => Plan {
            launch: (2018, 10, 16),
            join_min_years: 0,
            join_max_years: 59,
            end_age: Some(60),
            renew_max_years: None,
            waiting: 90,
            accident_exempt: true,
            accident_only: false,
            closing_days: &[6, 20],
            codes: Codes::Critical(100),
            minor: false,
            rate: 1.6,
            attrs: Attrs::Credit,
            account: None,
        },
        PlanName::JdHubao => Plan {
            launch: (2018, 11, 13),
            join_min_years: 0,
            join_max_years: 70,
            end_age: None,
            renew_max_years: Some(70),
            waiting: 90,
            accident_exempt: true,
            accident_only: false,
            closing_days: &[10, 25],
            codes: Codes::Critical(100),
            minor: true,
            rate: 3.0,
            attrs: Attrs::None,
            account: None,
        },
        PlanName::Shuidi => Plan {
            launch: (2016, 5, 1),
            join_min_years: 0,
            join_max_years: 50,
            end_age: Some(66),
            renew_max_years: None,
            waiting: 180,
            accident_exempt: true,
            accident_only: false,
            closing_days: &[5, 15, 25],
            codes: Codes::Critical(28),
            minor: false,
            rate: 3.0,
            attrs: Attrs::Region,
            account: Some(Account {
                prepaid: 900,
                minimum: 300,
                cap: 300,
                fee_permille: 80,
                payout: &[(40, 300_000), (50, 150_000), (65, 50_000)],
            }),
        },
        PlanName::Qingsong => Plan {
            launch: (2016, 1, 1),
            join_min_years: 0,
            join_max_years: 50,
            end_age: Some(56),
            renew_max_years: None,
            waiting: 180,
            accident_exempt: true,
            accident_only: false,
            closing_days: &[14, 28],
            codes: Codes::Critical(100),
            minor: false,
            rate: 3.0,
            attrs: Attrs::None,
            account: Some(Account {
                prepaid: 300,
                minimum: 100,
                cap: 300,
                fee_permille: 80,
                payout: &[(40, 300_000), (55, 100_000)],
            }),
        },
        PlanName::Dishui => Plan {
            launch: (2019, 1, 1),
            join_min_years: 1,
            join_max_years: 65,
            end_age: Some(66),
            renew_max_years: None,
            waiting: 30,
            accident_exempt: false,
            accident_only: true,
            closing_days: &[5, 20],
            codes: Codes::Accident(3),
            minor: false,
            rate: 2.0,
            attrs: Attrs::None,
            account: Some(Account {
                prepaid: 300,
                minimum: 300,
                cap: 300,
                fee_permille: 80,
                payout: &[(17, 100_000), (65, 200_000)],
            }),
        },
    }
}

// ---------------------------------------------------------------- dates

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = (y - era * 400) as u32;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe as i32 - 719_468
}

fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = (z - era * 146_097) as u32;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe as i32 + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn is_leap(y: i32) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

/// `day` plus `n` years; 29 February lands on 28 February in a common year.
fn add_years(day: i32, n: i32) -> i32 {
    let (y, m, d) = civil_from_days(day);
    let y2 = y + n;
    let d2 = if m == 2 && d == 29 && !is_leap(y2) {
        28
    } else {
        d
    };
    days_from_civil(y2, m, d2)
}

/// `age_years(birth, d)` as grammar/README.md defines it.
fn age_years(birth: i32, d: i32) -> i32 {
    let n = civil_from_days(d).0 - civil_from_days(birth).0;
    if add_years(birth, n) > d { n - 1 } else { n }
}

/// `YYYY-MM-DD` and the day of the month for every day of a range.
struct Calendar {
    base: i32,
    text: Vec<[u8; 10]>,
    day_of_month: Vec<u8>,
}

impl Calendar {
    fn new(first: i32, last: i32) -> Calendar {
        let n = (last - first + 1) as usize;
        let mut text = Vec::with_capacity(n);
        let mut day_of_month = Vec::with_capacity(n);
        for day in first..=last {
            let (y, m, d) = civil_from_days(day);
            let mut t = [b'0'; 10];
            let y = y as u32;
            t[0] += (y / 1000 % 10) as u8;
            t[1] += (y / 100 % 10) as u8;
            t[2] += (y / 10 % 10) as u8;
            t[3] += (y % 10) as u8;
            t[4] = b'-';
            t[5] += (m / 10) as u8;
            t[6] += (m % 10) as u8;
            t[7] = b'-';
            t[8] += (d / 10) as u8;
            t[9] += (d % 10) as u8;
            text.push(t);
            day_of_month.push(d as u8);
        }
        Calendar {
            base: first,
            text,
            day_of_month,
        }
    }

    fn text(&self, day: i32) -> &[u8; 10] {
        &self.text[(day - self.base) as usize]
    }

    fn day_of_month(&self, day: i32) -> u32 {
        self.day_of_month[(day - self.base) as usize] as u32
    }
}

// ---------------------------------------------------------------- random

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// SplitMix64, keyed by (seed, stream, index).
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64, index: u64) -> Rng {
        let key = mix64(seed.wrapping_add(mix64(stream.wrapping_mul(GOLDEN) ^ 0x6D75_7475_616C)));
        Rng(mix64(key ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03)))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix64(self.0)
    }

    /// Uniform in `0..n` (n > 0), by multiply-shift.
    fn below(&mut self, n: u64) -> u64 {
        ((self.next() as u128 * n as u128) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i32, hi: i32) -> i32 {
        debug_assert!(lo <= hi);
        lo + self.below((hi - lo) as u64 + 1) as i32
    }

    /// True with probability `per_million` / 1,000,000.
    fn ppm(&mut self, per_million: u64) -> bool {
        self.below(1_000_000) < per_million
    }
}

// ---------------------------------------------------------------- members

#[derive(Clone, Copy, PartialEq, Eq)]
enum Region {
    Cn,
    Hk,
    Mo,
}

#[derive(Clone, Copy)]
struct Member {
    birth: i32,
    join: i32,
    left: Option<i32>,
    /// 0 = empty.
    credit: u16,
    region: Region,
}

struct Ctx {
    plan: Plan,
    seed: u64,
    /// Keys the random streams by plan, so that plans differ for one seed.
    stream: u64,
    members: u64,
    from: i32,
    until: i32,
    cal: Calendar,
}

const SURGE_DAYS: i32 = 21;

impl Ctx {
    fn member(&self, i: u64) -> Member {
        let p = &self.plan;
        let mut r = Rng::new(self.seed, self.stream + 1, i);
        let span = (self.until - self.from + 1) as u64;
        let surge = (SURGE_DAYS as u64).min(span);
        let join = if r.ppm(350_000) {
            // The product of two uniforms: most on the first days.
            let prod = ((r.next() as u128 * r.next() as u128) >> 64) as u64;
            self.from + ((prod as u128 * surge as u128) >> 64) as i32
        } else {
            self.from + r.below(span) as i32
        };

        let (min, max) = (p.join_min_years, p.join_max_years);
        let class = r.below(1_000_000);
        let birth = if class < 5_000 {
            // Too young: 0 to 29 days old, or a day to a year short of the
            // youngest age in years.
            if min == 0 {
                join - r.range(0, 29)
            } else {
                add_years(join, -min) + r.range(1, 365)
            }
        } else if class < 11_000 {
            // Too old: one or two years past the oldest join age.
            let b = add_years(join, -(max + 1));
            if r.ppm(200_000) {
                b
            } else {
                b - r.range(1, 730)
            }
        } else if class < 13_000 {
            // Eligible by a day: the 30th day of life (or the birthday of the
            // youngest age), or the day before the birthday that would make
            // the member too old.
            if r.ppm(500_000) {
                if min == 0 {
                    join - 30
                } else {
                    add_years(join, -min)
                }
            } else {
                add_years(join, -(max + 1)) + 1
            }
        } else if class < 93_000 {
            // Children: 30 days (or the youngest age) to 19 years.
            join - r.range((366 * min).max(30), 20 * 365 - 1)
        } else {
            // 1.5% of the adults for each year of age above 55, at most 15%.
            let older = (15_000 * (max - 55).max(0) as u64).min(150_000);
            let years = if r.ppm(older) {
                r.range(56, max)
            } else {
                r.range(20, max.min(55))
            };
            let b = add_years(join, -years) - r.range(0, 364);
            if r.ppm(2_500) {
                // Born on 29 February, up to three years younger.
                let y = civil_from_days(b).0;
                let leap = (y..y + 4).find(|&y| is_leap(y)).unwrap_or(y);
                let feb29 = days_from_civil(leap, 2, 29);
                if feb29 <= join - 30 { feb29 } else { b }
            } else {
                b
            }
        };

        let left = if join < self.until && r.ppm(30_000) {
            let mut left = join + 1 + r.below((self.until - join) as u64) as i32;
            if r.ppm(350_000) {
                let mut d = left;
                while d <= self.until && !p.closing_days.contains(&self.cal.day_of_month(d)) {
                    d += 1;
                }
                if d <= self.until {
                    left = d;
                }
            }
            Some(left)
        } else {
            None
        };

        let (mut credit, mut region) = (0, Region::Cn);
        match p.attrs {
            Attrs::None => {}
            Attrs::Credit => {
                let c = r.below(1_000_000);
                credit = if c < 2_000 {
                    0
                } else if c < 27_000 {
                    r.range(350, 649) as u16
                } else {
                    r.range(650, 950) as u16
                };
            }
            Attrs::Region => {
                let g = r.below(1_000_000);
                region = if g < 10_000 {
                    Region::Hk
                } else if g < 20_000 {
                    Region::Mo
                } else {
                    Region::Cn
                };
            }
        }
        Member {
            birth,
            join,
            left,
            credit,
            region,
        }
    }

    /// Whether the member meets the plan's join rules (grammar/README.md §4, `membership`).
    fn eligible(&self, m: &Member) -> bool {
        let p = &self.plan;
        let age = age_years(m.birth, m.join);
        let young = if p.join_min_years == 0 {
            m.join - m.birth >= 30
        } else {
            age >= p.join_min_years
        };
        let ages = young && age <= p.join_max_years;
        let attrs = match p.attrs {
            Attrs::None => true,
            Attrs::Credit => m.credit >= 650,
            Attrs::Region => m.region == Region::Cn,
        };
        ages && attrs
    }

    /// The day the membership ends by age or term (not by payout), if it does
    /// by `until`.
    fn age_end(&self, m: &Member) -> Option<i32> {
        let p = &self.plan;
        if let Some(a) = p.end_age {
            let e = add_years(m.birth, a);
            return (e <= self.until).then_some(e);
        }
        if let Some(max) = p.renew_max_years {
            let mut k = 1;
            loop {
                let anniversary = add_years(m.join, k);
                if anniversary > self.until {
                    return None;
                }
                if age_years(m.birth, anniversary) > max {
                    return Some(anniversary);
                }
                k += 1;
            }
        }
        None
    }

    /// The first day on which the member is no longer active (left or ended).
    fn active_end(&self, m: &Member) -> i32 {
        let left = m.left.unwrap_or(i32::MAX);
        left.min(self.age_end(m).unwrap_or(i32::MAX))
    }

    fn write_member(&self, out: &mut Vec<u8>, i: u64, m: &Member) {
        out.push(b'm');
        push_padded(out, i + 1, 9);
        out.push(b',');
        out.extend_from_slice(self.cal.text(m.birth));
        out.push(b',');
        out.extend_from_slice(self.cal.text(m.join));
        out.push(b',');
        if let Some(l) = m.left {
            out.extend_from_slice(self.cal.text(l));
        }
        match self.plan.attrs {
            Attrs::None => {}
            Attrs::Credit => {
                out.push(b',');
                if m.credit != 0 {
                    out.extend_from_slice(itoa::Buffer::new().format(m.credit).as_bytes());
                }
            }
            Attrs::Region => {
                out.push(b',');
                out.extend_from_slice(match m.region {
                    Region::Cn => b"CN",
                    Region::Hk => b"HK",
                    Region::Mo => b"MO",
                });
            }
        }
        out.push(b'\n');
    }
}

/// Appends `n` zero-padded to at least `width` digits.
fn push_padded(out: &mut Vec<u8>, n: u64, width: usize) {
    let mut b = itoa::Buffer::new();
    let s = b.format(n).as_bytes();
    for _ in s.len()..width {
        out.push(b'0');
    }
    out.extend_from_slice(s);
}

const CHUNK: u64 = 1 << 16;

/// Writes members.csv; for a plan with an account, returns each chunk's
/// top-ups, packed and sorted (see [`pack`]).
fn write_members(
    ctx: &Ctx,
    schedule: Option<&[(i32, i64)]>,
    path: &Path,
) -> io::Result<Vec<Vec<u64>>> {
    let mut out = BufWriter::with_capacity(8 << 20, File::create(path)?);
    out.write_all(match ctx.plan.attrs {
        Attrs::None => b"id,birth_date,join_date,left_date\n".as_slice(),
        Attrs::Credit => b"id,birth_date,join_date,left_date,credit_score\n",
        Attrs::Region => b"id,birth_date,join_date,left_date,region\n",
    })?;
    let account = ctx.plan.account.as_ref().zip(schedule);
    let chunks = ctx.members.div_ceil(CHUNK);
    let mut top_ups = Vec::with_capacity(if account.is_some() {
        chunks as usize
    } else {
        0
    });
    let per_batch = (rayon::current_num_threads() * 4).max(4);
    let new_set = || -> Vec<Vec<u8>> {
        (0..per_batch)
            .map(|_| Vec::with_capacity(CHUNK as usize * 72))
            .collect()
    };
    let (mut filling, mut writing) = (new_set(), new_set());
    let mut ready = 0;
    let mut next = 0u64;
    while next < chunks || ready > 0 {
        let n = (chunks - next).min(per_batch as u64) as usize;
        let to_write = &writing[..ready];
        let (written, batch) = rayon::join(
            || -> io::Result<()> {
                for b in to_write {
                    out.write_all(b)?;
                }
                Ok(())
            },
            || -> Vec<Vec<u64>> {
                filling[..n]
                    .par_iter_mut()
                    .enumerate()
                    .map(|(k, buf)| {
                        buf.clear();
                        let start = (next + k as u64) * CHUNK;
                        let end = (start + CHUNK).min(ctx.members);
                        let mut paid = Vec::new();
                        for i in start..end {
                            let m = ctx.member(i);
                            ctx.write_member(buf, i, &m);
                            if let Some((acc, schedule)) = account {
                                ctx.top_ups(i, &m, acc, schedule, &mut paid);
                            }
                        }
                        paid.sort_unstable();
                        paid
                    })
                    .collect()
            },
        );
        written?;
        if account.is_some() {
            top_ups.extend(batch);
        }
        std::mem::swap(&mut filling, &mut writing);
        ready = n;
        next += n as u64;
    }
    out.flush()?;
    Ok(top_ups)
}

// ---------------------------------------------------------------- payments

/// A top-up packed in a u64 that sorts by day, then member: the day after
/// `--from` (16 bits), the member's index (30 bits), the amount in fen (18 bits).
fn pack(ctx: &Ctx, day: i32, i: u64, fen: i64) -> u64 {
    ((day - ctx.from) as u64) << 48 | i << 18 | fen as u64
}

/// The most days from `--from` to `--until` for a plan with an account: a
/// packed top-up holds its day in 16 bits (checked in `main`).
const MAX_SPAN: i32 = 1 << 16;

/// 10 (45%), 50 (22%), 20 (15%), 100 (8%), 30 (3%), 5 (3%), or any amount
/// from 1.00 to 200.00 to the fen (4%); in fen.
fn amount(r: &mut Rng) -> i64 {
    match r.below(100) {
        0..45 => 1_000,
        45..67 => 5_000,
        67..82 => 2_000,
        82..90 => 10_000,
        90..93 => 3_000,
        93..96 => 500,
        _ => r.range(100, 20_000) as i64,
    }
}

/// The day of a top-up made because the balance is short of the minimum for
/// the closing day `next` (the closing day before it was `e`).
fn top_up_day(r: &mut Rng, e: i32, next: i32) -> i32 {
    match r.below(100) {
        0..30 if next - 2 > e => r.range(e + 1, next - 2),
        0..50 => next - 1,
        50..65 => next,
        65..75 => next + 1,
        _ => next + r.range(2, 45),
    }
}

const NEVER: i32 = i32::MAX;

/// A member's balance as the member sees it, with the top-ups still to make.
struct Wallet {
    balance: i64,
    paused: bool,
    /// Covered again from this day after a pause.
    resumed: i32,
    /// A top-up decided on a closing day (`NEVER`: none).
    pending: i32,
    /// The next routine top-up (`NEVER`: none) and the days between them.
    routine: i32,
    every: i32,
    favourite: i64,
}

impl Wallet {
    /// Makes every top-up due on or before `day`, in order.
    fn top_up_until(
        &mut self,
        day: i32,
        r: &mut Rng,
        minimum: i64,
        emit: &mut impl FnMut(i32, i64),
    ) {
        loop {
            let next = self.pending.min(self.routine);
            if next > day {
                return;
            }
            let fen = if r.ppm(750_000) {
                self.favourite
            } else {
                amount(r)
            };
            emit(next, fen);
            self.balance += fen;
            if self.paused && self.balance >= minimum {
                self.paused = false;
                self.resumed = next + 1;
            }
            if self.pending == next {
                self.pending = NEVER;
            } else {
                self.routine = next + self.every + r.range(-7, 7);
            }
        }
    }
}

impl Ctx {
    /// The payout an approvable claim would bring, in yuan, by the plan's
    /// rules as far as the generator knows them (not the other claims).
    fn likely_payout(&self, c: &Claim, acc: &Account) -> Option<i64> {
        let p = &self.plan;
        if c.member >= self.members {
            return None;
        }
        let m = self.member(c.member);
        let covered = match (c.disease, p.codes) {
            (Disease::Critical(n), Codes::Critical(k)) => n <= k,
            (Disease::Accident(_), Codes::Accident(_)) => true,
            _ => false,
        };
        let accident = c.cause == "accident";
        let waited = c.diagnosed >= m.join + p.waiting || accident && p.accident_exempt;
        let active = c.diagnosed >= m.join && c.diagnosed < self.active_end(&m);
        if !(covered && waited && active && self.eligible(&m) && (accident || !p.accident_only)) {
            return None;
        }
        let age = age_years(m.birth, c.diagnosed);
        acc.payout
            .iter()
            .find(|&&(max, _)| age <= max)
            .map(|&(_, amount)| amount)
    }

    /// Each closing day from `--from` to `--until` with an estimate of its
    /// charge in fen: the likely payouts of the claims decided in its period
    /// (filed, or diagnosed where `filed_on` is empty), plus the fee, over
    /// three quarters of the eligible members active that day (counted among
    /// the first 65,536 members; a quarter paused), at most the cap.
    fn charge_schedule(&self, acc: &Account, claims: &[Claim]) -> Vec<(i32, i64)> {
        let closings: Vec<i32> = (self.from..=self.until)
            .filter(|&d| self.plan.closing_days.contains(&self.cal.day_of_month(d)))
            .collect();
        let mut pools = vec![0i64; closings.len()];
        for c in claims {
            if let Some(payout) = self.likely_payout(c, acc) {
                let decided = c.filed.unwrap_or(c.diagnosed);
                if let Some(pool) = pools.get_mut(closings.partition_point(|&e| e < decided)) {
                    *pool += payout * 100;
                }
            }
        }
        let sample = self.members.min(CHUNK);
        let mut active = vec![0u64; closings.len()];
        for i in 0..sample {
            let m = self.member(i);
            if self.eligible(&m) {
                let end = self.active_end(&m);
                for (k, &e) in closings.iter().enumerate() {
                    active[k] += u64::from(m.join <= e && e < end);
                }
            }
        }
        closings
            .iter()
            .zip(pools.iter().zip(&active))
            .map(|(&e, (&pool, &n))| {
                let sharing =
                    (self.members as i128 * n as i128 * 3 / (sample.max(1) as i128 * 4)).max(1);
                let pool = pool as i128 * (1000 + acc.fee_permille as i128);
                let each = (pool + 1000 * sharing - 1) / (1000 * sharing);
                (e, each.min(acc.cap as i128) as i64)
            })
            .collect()
    }

    /// Member `i`'s top-ups, appended packed to `out`, from joining to the
    /// day before leaving (or the end of the membership), at most `--until`.
    fn top_ups(
        &self,
        i: u64,
        m: &Member,
        acc: &Account,
        schedule: &[(i32, i64)],
        out: &mut Vec<u64>,
    ) {
        let mut r = Rng::new(self.seed, self.stream + 3, i);
        let eligible = self.eligible(m);
        let end = if eligible {
            self.active_end(m)
        } else {
            m.left.unwrap_or(i32::MAX)
        }
        .min(self.until + 1);
        let mut emit = |day: i32, fen: i64| {
            if day >= m.join && day < end {
                out.push(pack(self, day, i, fen));
            }
        };
        if !eligible {
            // A refused applicant rarely pays.
            if r.ppm(20_000) {
                emit(m.join + r.range(0, 20), amount(&mut r));
            }
            return;
        }
        let kind = r.below(100);
        if kind < 20 {
            // Never tops up: the balance runs out.
            return;
        }
        let favourite = amount(&mut r);
        // 15% also top up routinely, every two to four months.
        let every = if kind < 35 { r.range(60, 120) } else { 0 };
        let react = if every > 0 {
            r.range(100_000, 300_000)
        } else {
            r.range(600_000, 950_000)
        } as u64;
        let careful = r.ppm(250_000);
        let mut w = Wallet {
            balance: acc.prepaid,
            paused: false,
            resumed: i32::MIN,
            pending: if r.ppm(100_000) { m.join } else { NEVER },
            routine: if every > 0 {
                m.join + r.range(7, every)
            } else {
                NEVER
            },
            every,
            favourite,
        };
        let first = schedule.partition_point(|&(d, _)| d < m.join);
        for (k, &(e, charge)) in schedule.iter().enumerate().skip(first) {
            if e >= end {
                break;
            }
            w.top_up_until(e, &mut r, acc.minimum, &mut emit);
            if w.paused || w.resumed > e {
                // Paused: no share.
            } else if w.balance < acc.minimum {
                w.paused = true;
            } else {
                w.balance -= charge;
            }
            if w.pending == NEVER {
                let (next, next_charge) = schedule.get(k + 1).copied().unwrap_or((e + 15, acc.cap));
                let short = w.balance < acc.minimum;
                let low = short || careful && w.balance - next_charge < acc.minimum;
                let p = if w.paused { react / 3 } else { react };
                if low && r.ppm(p) {
                    w.pending = top_up_day(&mut r, e, next);
                }
            }
        }
        w.top_up_until(end - 1, &mut r, acc.minimum, &mut emit);
    }
}

/// Writes payments.csv: the chunks' top-ups merged by day (and within a day
/// by member), the days of a batch formatted in parallel while the previous
/// batch is written. Returns the number of top-ups.
fn write_payments(ctx: &Ctx, chunks: &[Vec<u64>], path: &Path) -> io::Result<u64> {
    let days = (ctx.until - ctx.from + 1) as usize;
    let starts: Vec<Vec<u32>> = chunks
        .par_iter()
        .map(|c| {
            let mut o = vec![0u32; days + 1];
            for &p in c {
                o[(p >> 48) as usize + 1] += 1;
            }
            for d in 0..days {
                o[d + 1] += o[d];
            }
            o
        })
        .collect();
    let mut out = BufWriter::with_capacity(8 << 20, File::create(path)?);
    out.write_all(b"member_id,date,amount\n")?;
    let per_batch = (rayon::current_num_threads() * 4).max(4);
    let (mut filling, mut writing) = (vec![Vec::new(); per_batch], vec![Vec::new(); per_batch]);
    let (mut ready, mut next) = (0, 0);
    while next < days || ready > 0 {
        let n = (days - next).min(per_batch);
        let to_write = &writing[..ready];
        let (written, ()) = rayon::join(
            || -> io::Result<()> {
                for b in to_write {
                    out.write_all(b)?;
                }
                Ok(())
            },
            || {
                filling[..n].par_iter_mut().enumerate().for_each(
                    |(k, buf): (usize, &mut Vec<u8>)| {
                        buf.clear();
                        let d = next + k;
                        let date = ctx.cal.text(ctx.from + d as i32);
                        for (c, o) in chunks.iter().zip(&starts) {
                            for &p in &c[o[d] as usize..o[d + 1] as usize] {
                                buf.push(b'm');
                                push_padded(buf, (p >> 18 & ((1 << 30) - 1)) + 1, 9);
                                buf.push(b',');
                                buf.extend_from_slice(date);
                                buf.push(b',');
                                let fen = p & ((1 << 18) - 1);
                                buf.extend_from_slice(
                                    itoa::Buffer::new().format(fen / 100).as_bytes(),
                                );
                                if fen % 100 != 0 {
                                    let c = (fen % 100) as u8;
                                    buf.extend_from_slice(&[b'.', b'0' + c / 10, b'0' + c % 10]);
                                }
                                buf.push(b'\n');
                            }
                        }
                    },
                )
            },
        );
        written?;
        std::mem::swap(&mut filling, &mut writing);
        ready = n;
        next += n;
    }
    out.flush()?;
    Ok(chunks.iter().map(|c| c.len() as u64).sum())
}

// ---------------------------------------------------------------- claims

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Disease {
    Critical(u32),
    Minor(u32),
    Accident(u32),
    Other(u32),
}

struct Claim {
    /// 0-based member index; `>= members` for an unknown id.
    member: u64,
    disease: Disease,
    diagnosed: i32,
    filed: Option<i32>,
    benefit: Option<&'static str>,
    cause: &'static str,
    seq: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scenario {
    Normal,
    Unknown,
    Ineligible,
    BeforeJoin,
    AfterLeaving,
    AgedOut,
    Uncovered,
    WrongBenefit,
    Waiting,
    PairEnded,
    PairLimit,
    PairMinorLimit,
    PairMinorThenCritical,
}

impl Scenario {
    fn claims(self) -> u64 {
        match self {
            Scenario::PairEnded
            | Scenario::PairLimit
            | Scenario::PairMinorLimit
            | Scenario::PairMinorThenCritical => 2,
            _ => 1,
        }
    }
}

const TRIES: u32 = 200_000;

struct ClaimGen<'a> {
    ctx: &'a Ctx,
    r: Rng,
    out: Vec<Claim>,
}

impl ClaimGen<'_> {
    /// A member meeting `pred`, by rejection sampling.
    fn pick(&mut self, pred: impl Fn(&Ctx, &Member) -> bool) -> Option<(u64, Member)> {
        if self.ctx.members == 0 {
            return None;
        }
        for _ in 0..TRIES {
            let i = self.r.below(self.ctx.members);
            let m = self.ctx.member(i);
            if pred(self.ctx, &m) {
                return Some((i, m));
            }
        }
        None
    }

    /// An eligible member active on `[join + waiting, ...]` for at least
    /// `days` days by `until`; returns the first and last day of that window.
    fn pick_covered(&mut self, days: i32) -> Option<(u64, Member, i32, i32)> {
        let (until, waiting) = (self.ctx.until, self.ctx.plan.waiting);
        let (i, m) = self.pick(|c, m| {
            let hi = until.min(c.active_end(m) - 1);
            c.eligible(m) && hi - (m.join + waiting) >= days
        })?;
        let hi = until.min(self.ctx.active_end(&m) - 1);
        Some((i, m, m.join + waiting, hi))
    }

    /// A covered code of the main benefit (critical, or accident for dishui).
    fn critical(&mut self) -> Disease {
        match self.ctx.plan.codes {
            Codes::Critical(n) => Disease::Critical(1 + self.r.below(n as u64) as u32),
            Codes::Accident(n) => Disease::Accident(1 + self.r.below(n as u64) as u32),
        }
    }

    fn minor(&mut self) -> Disease {
        Disease::Minor(1 + self.r.below(30) as u32)
    }

    /// A covered code: for jd-hubao 30% minor.
    fn covered(&mut self) -> Disease {
        if self.ctx.plan.minor && self.r.ppm(300_000) {
            self.minor()
        } else {
            self.critical()
        }
    }

    /// 10% `accident`, 27% `illness`, the rest empty; for an accident plan
    /// 85% `accident`, 5% `illness`, 10% empty.
    fn cause(&mut self) -> &'static str {
        let c = self.r.below(100);
        let (accidents, illnesses) = if self.ctx.plan.accident_only {
            (85, 90)
        } else {
            (10, 37)
        };
        if c < accidents {
            "accident"
        } else if c < illnesses {
            "illness"
        } else {
            ""
        }
    }

    /// The cause of a claim meant to pass every test but one: `illness` or
    /// empty, `accident` for an accident plan.
    fn illness(&mut self) -> &'static str {
        if self.ctx.plan.accident_only {
            "accident"
        } else if self.r.ppm(300_000) {
            "illness"
        } else {
            ""
        }
    }

    /// 25% filed 0–60 days after diagnosis (never past `until`).
    fn filed(&mut self, diagnosed: i32) -> Option<i32> {
        if self.r.ppm(250_000) {
            Some(
                (diagnosed + self.r.range(0, 60))
                    .min(self.ctx.until)
                    .max(diagnosed),
            )
        } else {
            None
        }
    }

    fn benefit_of(&mut self, d: Disease) -> Option<&'static str> {
        if !self.r.ppm(50_000) {
            return None;
        }
        match (d, self.ctx.plan.codes) {
            (Disease::Critical(n), Codes::Critical(c)) if n <= c => Some("critical"),
            (Disease::Accident(_), Codes::Accident(_)) => Some("accident"),
            (Disease::Minor(_), _) if self.ctx.plan.minor => Some("minor"),
            _ => None,
        }
    }

    fn push(
        &mut self,
        member: u64,
        disease: Disease,
        diagnosed: i32,
        filed: Option<i32>,
        benefit: Option<&'static str>,
        cause: &'static str,
    ) {
        let seq = self.out.len() as u32;
        // An explicit filing date equal to the diagnosis is written empty half the time.
        let filed = filed.filter(|&f| f != diagnosed || self.r.ppm(500_000));
        self.out.push(Claim {
            member,
            disease,
            diagnosed,
            filed,
            benefit,
            cause,
            seq,
        });
    }

    /// One ordinary claim; returns false where no member fits.
    fn normal(&mut self) -> bool {
        let Some((i, _, lo, hi)) = self.pick_covered(0) else {
            return false;
        };
        let d = self.r.range(lo, hi);
        let disease = self.covered();
        let (filed, benefit, cause) = (self.filed(d), self.benefit_of(disease), self.cause());
        self.push(i, disease, d, filed, benefit, cause);
        true
    }

    /// A claim that fits nothing else: any member, any day from joining.
    fn fallback(&mut self) {
        let (from, until, n) = (self.ctx.from, self.ctx.until, self.ctx.members);
        let (i, lo) = if n == 0 {
            (self.r.below(1000), from)
        } else {
            let i = self.r.below(n);
            (i, self.ctx.member(i).join)
        };
        let d = self.r.range(lo, until);
        let disease = self.covered();
        let (filed, cause) = (self.filed(d), self.cause());
        self.push(i, disease, d, filed, None, cause);
    }

    fn scenario(&mut self, s: Scenario) -> bool {
        let ctx = self.ctx;
        let (from, until, waiting) = (ctx.from, ctx.until, ctx.plan.waiting);
        match s {
            Scenario::Normal => self.normal(),
            Scenario::Unknown => {
                let i = ctx.members + self.r.below(ctx.members.max(1000));
                let d = self.r.range(from, until);
                let disease = self.covered();
                let (filed, cause) = (self.filed(d), self.cause());
                self.push(i, disease, d, filed, None, cause);
                true
            }
            Scenario::Ineligible => {
                let Some((i, m)) = self.pick(|c, m| !c.eligible(m)) else {
                    return false;
                };
                let d = self.r.range(m.join, until);
                let disease = self.covered();
                let (filed, cause) = (self.filed(d), self.cause());
                self.push(i, disease, d, filed, None, cause);
                true
            }
            Scenario::BeforeJoin => {
                let Some((i, m)) = self.pick(|c, m| c.eligible(m)) else {
                    return false;
                };
                let d = m.join - self.r.range(1, 60);
                let disease = self.covered();
                let (filed, cause) = (self.filed(d), self.cause());
                self.push(i, disease, d, filed, None, cause);
                true
            }
            Scenario::AfterLeaving => {
                let Some((i, m)) = self.pick(|c, m| c.eligible(m) && m.left.is_some()) else {
                    return false;
                };
                let d = self.r.range(m.left.unwrap_or(until), until);
                let disease = self.covered();
                let (filed, cause) = (self.filed(d), self.cause());
                self.push(i, disease, d, filed, None, cause);
                true
            }
            Scenario::AgedOut => {
                let Some((i, m)) = self.pick(|c, m| {
                    c.eligible(m)
                        && c.age_end(m)
                            .is_some_and(|e| e > m.join && m.left.is_none_or(|l| l > e))
                }) else {
                    return false;
                };
                let e = ctx.age_end(&m).unwrap_or(until);
                let d = self.r.range(e, until);
                let disease = self.critical();
                let (filed, cause) = (self.filed(d), self.illness());
                self.push(i, disease, d, filed, None, cause);
                true
            }
            Scenario::Uncovered => {
                let Some((i, _, lo, hi)) = self.pick_covered(0) else {
                    return false;
                };
                let d = self.r.range(lo, hi);
                let c = self.r.below(100);
                let disease = match ctx.plan.codes {
                    Codes::Critical(n) if n < 100 && c < 50 => {
                        Disease::Critical(self.r.range(n as i32 + 1, 100) as u32)
                    }
                    Codes::Accident(_) if c < 50 => Disease::Critical(self.r.range(1, 100) as u32),
                    _ if !ctx.plan.minor && c >= 70 => self.minor(),
                    _ if c.is_multiple_of(5) => Disease::Other(self.r.range(2, 3) as u32),
                    _ => Disease::Other(1),
                };
                let (filed, cause) = (self.filed(d), self.cause());
                self.push(i, disease, d, filed, None, cause);
                true
            }
            Scenario::WrongBenefit => {
                let Some((i, _, lo, hi)) = self.pick_covered(0) else {
                    return false;
                };
                let d = self.r.range(lo, hi);
                let (disease, benefit) = if self.r.ppm(500_000) {
                    (self.critical(), "minor")
                } else {
                    (self.minor(), "critical")
                };
                let (filed, cause) = (self.filed(d), self.cause());
                self.push(i, disease, d, filed, Some(benefit), cause);
                true
            }
            Scenario::Waiting => {
                let Some((i, m)) = self.pick(|c, m| c.eligible(m) && c.active_end(m) > m.join)
                else {
                    return false;
                };
                let hi = (m.join + waiting - 1)
                    .min(until)
                    .min(ctx.active_end(&m) - 1);
                let d = self.r.range(m.join, hi);
                let disease = self.covered();
                let (filed, benefit, cause) =
                    (self.filed(d), self.benefit_of(disease), self.cause());
                self.push(i, disease, d, filed, benefit, cause);
                true
            }
            Scenario::PairEnded => {
                // The first claim is approved and ends the membership on its
                // filing day; the second is diagnosed on or after that day.
                let Some((i, _, lo, hi)) = self.pick_covered(45) else {
                    return false;
                };
                let d1 = self.r.range(lo, hi - 40);
                let f1 = d1 + self.r.range(0, 20);
                let disease = self.critical();
                let cause = self.illness();
                self.push(i, disease, d1, Some(f1), None, cause);
                let d2 = self.r.range(f1, hi);
                let disease = if ctx.plan.minor && self.r.ppm(500_000) {
                    self.minor()
                } else {
                    self.critical()
                };
                let (filed, cause) = (self.filed(d2), self.illness());
                self.push(i, disease, d2, filed, None, cause);
                true
            }
            Scenario::PairLimit => {
                // The second claim is diagnosed while the member is still
                // active but filed after the first was approved.
                let Some((i, _, lo, hi)) = self.pick_covered(45) else {
                    return false;
                };
                let d1 = self.r.range(lo, hi - 40);
                let f1 = d1 + self.r.range(2, 30);
                let disease = self.critical();
                let cause = self.illness();
                self.push(i, disease, d1, Some(f1), None, cause);
                let d2 = self.r.range(d1 + 1, f1 - 1);
                let f2 = (f1 + self.r.range(1, 30)).min(until);
                let disease = self.critical();
                let cause = self.illness();
                self.push(i, disease, d2, Some(f2), None, cause);
                true
            }
            Scenario::PairMinorLimit | Scenario::PairMinorThenCritical => {
                let Some((i, _, lo, hi)) = self.pick_covered(45) else {
                    return false;
                };
                let d1 = self.r.range(lo, hi - 40);
                let f1 = d1 + self.r.range(0, 20);
                let disease = self.minor();
                let cause = self.illness();
                self.push(i, disease, d1, Some(f1), None, cause);
                let d2 = self.r.range(d1 + 1, hi);
                let f2 = d2.max(f1 + 1 + self.r.range(0, 10)).min(until);
                let disease = if s == Scenario::PairMinorLimit {
                    self.minor()
                } else {
                    self.critical()
                };
                let cause = self.illness();
                self.push(i, disease, d2, Some(f2), None, cause);
                true
            }
        }
    }
}

fn make_claims(ctx: &Ctx, count: u64) -> Vec<Claim> {
    let p = &ctx.plan;
    let aged_out = p.end_age.is_some_and(|a| a == p.join_max_years + 1);
    let weighted: Vec<(Scenario, u64)> = [
        (Scenario::Unknown, 10),
        (Scenario::Ineligible, 20),
        (Scenario::BeforeJoin, 10),
        (Scenario::AfterLeaving, 25),
        (Scenario::AgedOut, if aged_out { 8 } else { 0 }),
        (Scenario::Uncovered, 20),
        (Scenario::WrongBenefit, if p.minor { 10 } else { 0 }),
        (Scenario::Waiting, 50),
        (Scenario::PairEnded, 15),
        (Scenario::PairLimit, 15),
        (Scenario::PairMinorLimit, if p.minor { 10 } else { 0 }),
        (Scenario::PairMinorThenCritical, if p.minor { 5 } else { 0 }),
    ]
    .into_iter()
    .filter(|&(_, w)| w > 0)
    .collect();
    let mut g = ClaimGen {
        ctx,
        r: Rng::new(ctx.seed, ctx.stream + 2, 0),
        out: Vec::with_capacity(count as usize),
    };
    let mut k = 0;
    while (g.out.len() as u64) < count {
        let s = if k < weighted.len() {
            weighted[k].0
        } else {
            let x = g.r.below(1000);
            let mut acc = 0;
            weighted
                .iter()
                .find(|&&(_, w)| {
                    acc += w;
                    x < acc
                })
                .map_or(Scenario::Normal, |&(s, _)| s)
        };
        k += 1;
        let fits = g.out.len() as u64 + s.claims() <= count;
        // A scenario that finds no member (or does not fit) gives way to an ordinary claim.
        let done = fits && g.scenario(s) || g.normal();
        if !done {
            g.fallback();
        }
    }
    let mut claims = g.out;
    claims.sort_by_key(|c| (c.diagnosed, c.filed.unwrap_or(c.diagnosed), c.seq));
    claims
}

fn write_claims(ctx: &Ctx, claims: &[Claim], path: &Path) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut line = Vec::with_capacity(128);
    out.write_all(b"id,member_id,disease,diagnosed_on,filed_on,benefit,cause\n")?;
    for (n, c) in claims.iter().enumerate() {
        line.clear();
        line.push(b'c');
        push_padded(&mut line, n as u64 + 1, 9);
        line.extend_from_slice(b",m");
        push_padded(&mut line, c.member + 1, 9);
        line.push(b',');
        match c.disease {
            Disease::Critical(k) => {
                line.extend_from_slice(b"CI");
                push_padded(&mut line, k as u64, 3);
            }
            Disease::Minor(k) => {
                line.extend_from_slice(b"MI");
                push_padded(&mut line, k as u64, 2);
            }
            Disease::Accident(k) => {
                line.extend_from_slice(b"AC");
                push_padded(&mut line, k as u64, 2);
            }
            Disease::Other(k) => {
                line.extend_from_slice(b"ZZ");
                push_padded(&mut line, k as u64, 3);
            }
        }
        line.push(b',');
        line.extend_from_slice(ctx.cal.text(c.diagnosed));
        line.push(b',');
        if let Some(f) = c.filed {
            line.extend_from_slice(ctx.cal.text(f));
        }
        line.push(b',');
        line.extend_from_slice(c.benefit.unwrap_or("").as_bytes());
        line.push(b',');
        line.extend_from_slice(c.cause.as_bytes());
        line.push(b'\n');
        out.write_all(&line)?;
    }
    out.flush()
}

// ---------------------------------------------------------------- main

fn day_of(d: NaiveDate) -> i32 {
    days_from_civil(d.year(), d.month(), d.day())
}

fn main() -> ExitCode {
    let args = Args::parse();
    let p = plan(args.plan);
    let from = args.from.map_or_else(
        || days_from_civil(p.launch.0, p.launch.1, p.launch.2),
        day_of,
    );
    let until = args.until.map_or_else(|| add_years(from, 1) - 1, day_of);
    if until < from {
        eprintln!("error: --until must not be before --from");
        return ExitCode::from(2);
    }
    if args.members > 900_000_000 {
        eprintln!("error: --members is at most 900,000,000");
        return ExitCode::from(2);
    }
    if p.account.is_some() && until - from >= MAX_SPAN {
        eprintln!(
            "error: from --from to --until is at most {MAX_SPAN} days for a plan with an account"
        );
        return ExitCode::from(2);
    }
    let years = (until - from + 1) as f64 / 365.25;
    let claims = args.claims.unwrap_or_else(|| {
        ((p.rate * 1.25 * args.members as f64 / 10_000.0 * years).round() as u64).max(20)
    });
    let first = add_years(from, -(p.join_max_years + 5));
    let ctx = Ctx {
        cal: Calendar::new(first, until + 1),
        plan: p,
        seed: args.seed,
        stream: 16 * args.plan as u64,
        members: args.members,
        from,
        until,
    };
    let run = || -> io::Result<()> {
        std::fs::create_dir_all(&args.out)?;
        let claims = make_claims(&ctx, claims);
        let schedule = ctx
            .plan
            .account
            .as_ref()
            .map(|a| ctx.charge_schedule(a, &claims));
        let top_ups = write_members(&ctx, schedule.as_deref(), &args.out.join("members.csv"))?;
        write_claims(&ctx, &claims, &args.out.join("claims.csv"))?;
        if schedule.is_some() {
            write_payments(&ctx, &top_ups, &args.out.join("payments.csv"))?;
        }
        Ok(())
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}: {e}", args.out.display());
            ExitCode::from(1)
        }
    }
}
