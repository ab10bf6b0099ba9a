//! What operators rely on: every input read whole however it arrives, the
//! inputs never overwritten, an output folder that holds one whole run, one
//! run at a time per folder, only closed periods shared, and figures that
//! cannot wrap around.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

const XHB: &str = "plans/xianghubao.plan";
const SAMPLE: &str = "plans/samples/xianghubao";
const UNTIL: &str = "2019-10-15";

fn mutual() -> Command {
    let mut c = Command::cargo_bin("mutual").expect("the mutual binary is built");
    c.current_dir(crate::root())
        .timeout(std::time::Duration::from_secs(120));
    c
}

fn sample(name: &str) -> PathBuf {
    crate::root().join(SAMPLE).join(name)
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs 相互保 over `members` and `claims` (paths, or `-` with `stdin`) into `out`.
fn run(members: &str, claims: &str, out: &Path, stdin: Option<Vec<u8>>) -> std::process::Output {
    let mut cmd = mutual();
    cmd.args(["run", XHB, "--members", members, "--claims", claims])
        .args(["--until", UNTIL, "-q", "--out"])
        .arg(out);
    if let Some(bytes) = stdin {
        cmd.write_stdin(bytes);
    }
    cmd.output().expect("mutual runs")
}

/// The files of a folder that `keep` accepts, with their bytes, by name.
fn files_in(dir: &Path, keep: impl Fn(&Path) -> bool) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("a folder")
        .map(|e| e.expect("an entry").path())
        .filter(|p| keep(p))
        .map(|p| {
            let name = p
                .file_name()
                .expect("a name")
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read(&p).expect("readable"))
        })
        .collect();
    files.sort();
    files
}

/// The output files of a folder (`*.csv`: the lock and manifest left out).
fn outputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    files_in(dir, |p| p.extension().is_some_and(|x| x == "csv"))
}

fn reference(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let out = dir.join("reference");
    let members = sample("members.csv");
    let claims = sample("claims.csv");
    let done = run(
        &members.to_string_lossy(),
        &claims.to_string_lossy(),
        &out,
        None,
    );
    assert_eq!(done.status.code(), Some(0), "{}", stderr(&done));
    outputs(&out)
}

// ------------------------------------------------------------- 1. inputs read once

#[test]
fn claims_from_standard_input_give_the_same_run_as_the_file() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let want = reference(dir.path());
    let claims = std::fs::read(sample("claims.csv")).expect("claims");
    let members = sample("members.csv");
    let out = dir.path().join("piped");
    let done = run(&members.to_string_lossy(), "-", &out, Some(claims));
    assert_eq!(done.status.code(), Some(0), "{}", stderr(&done));
    assert_eq!(outputs(&out), want);
}

#[test]
fn members_with_quotes_from_dev_stdin_are_read_whole() {
    // Quotes send the reader to its record-by-record path, which read the
    // file a second time: from a pipe that gave a third of the members.
    let dir = tempfile::tempdir().expect("a temp dir");
    let text = std::fs::read_to_string(sample("members.csv")).expect("members");
    let quoted: String = text
        .lines()
        .enumerate()
        .map(|(i, l)| match (i, l.split_once(',')) {
            (0, _) | (_, None) => format!("{l}\n"),
            (_, Some((id, rest))) => format!("\"{id}\",{rest}\n"),
        })
        .collect();
    let file = dir.path().join("quoted.csv");
    std::fs::write(&file, &quoted).expect("write");
    let claims = sample("claims.csv");
    let from_file = dir.path().join("file");
    let done = run(
        &file.to_string_lossy(),
        &claims.to_string_lossy(),
        &from_file,
        None,
    );
    assert_eq!(done.status.code(), Some(0), "{}", stderr(&done));
    let from_pipe = dir.path().join("pipe");
    let done = run(
        "/dev/stdin",
        &claims.to_string_lossy(),
        &from_pipe,
        Some(quoted.into_bytes()),
    );
    assert_eq!(done.status.code(), Some(0), "{}", stderr(&done));
    assert_eq!(outputs(&from_pipe), outputs(&from_file));
    let members = String::from_utf8(outputs(&from_pipe)[1].1.clone()).expect("UTF-8");
    assert_eq!(members.lines().count(), 5001, "every member is listed");
}

#[cfg(unix)]
#[test]
fn a_named_fifo_is_read_like_the_file() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let want = reference(dir.path());
    let fifo = dir.path().join("members.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let bytes = std::fs::read(sample("members.csv")).expect("members");
            std::fs::write(&fifo, bytes).expect("write into the fifo");
        })
    };
    let out = dir.path().join("fifo-out");
    let claims = sample("claims.csv");
    let done = run(
        &fifo.to_string_lossy(),
        &claims.to_string_lossy(),
        &out,
        None,
    );
    writer.join().expect("the writer ends");
    assert_eq!(done.status.code(), Some(0), "{}", stderr(&done));
    assert_eq!(outputs(&out), want);
}

#[test]
fn both_inputs_from_standard_input_is_wrong_usage() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let done = run("-", "-", &dir.path().join("out"), Some(Vec::new()));
    assert_eq!(done.status.code(), Some(2));
    assert!(stderr(&done).contains("standard input can be read only once"));
}

// ------------------------------------------------------------- 2. inputs never overwritten

#[test]
fn an_output_folder_holding_the_inputs_is_refused_and_the_inputs_kept() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let data = dir.path().join("d");
    std::fs::create_dir(&data).expect("d/");
    for f in ["members.csv", "claims.csv"] {
        std::fs::copy(sample(f), data.join(f)).expect("copy");
    }
    let before = outputs(&data);
    // The same folder, spelled another way: through a symbolic link and `..`.
    #[cfg(unix)]
    std::os::unix::fs::symlink(&data, dir.path().join("link")).expect("a link");
    #[cfg(unix)]
    let out = dir.path().join("link/../link");
    #[cfg(not(unix))]
    let out = data.clone();
    let done = run(
        &data.join("members.csv").to_string_lossy(),
        &data.join("claims.csv").to_string_lossy(),
        &out,
        None,
    );
    assert_eq!(done.status.code(), Some(1), "{}", stderr(&done));
    assert!(
        stderr(&done).contains("would replace the input"),
        "{}",
        stderr(&done)
    );
    assert_eq!(outputs(&data), before, "the inputs are untouched");
}

// ------------------------------------------------------------- 3. one whole run in a folder

#[test]
fn a_run_without_charges_removes_the_charges_of_the_run_before_and_nothing_else() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let out = dir.path().join("out");
    let (m, c) = (sample("members.csv"), sample("claims.csv"));
    let (m, c) = (m.to_string_lossy(), c.to_string_lossy());
    let mut with_charges = mutual();
    with_charges
        .args([
            "run",
            XHB,
            "--members",
            &m,
            "--claims",
            &c,
            "--until",
            UNTIL,
        ])
        .args(["-q", "--charges", "--out"])
        .arg(&out);
    assert_eq!(with_charges.output().expect("runs").status.code(), Some(0));
    assert!(out.join("charges.csv").exists());
    // A user's own files beside the outputs, named like the old temporaries.
    for own in [".members.csv.bak", ".charges.csv.x1", "notes.txt"] {
        std::fs::write(out.join(own), "mine").expect("write");
    }
    let done = run(&m, &c, &out, None);
    assert_eq!(done.status.code(), Some(0), "{}", stderr(&done));
    assert!(
        !out.join("charges.csv").exists(),
        "the earlier run's charges"
    );
    for own in [".members.csv.bak", ".charges.csv.x1", "notes.txt"] {
        assert_eq!(std::fs::read_to_string(out.join(own)).expect(own), "mine");
    }
    let manifest = mutual::output::Manifest::read(&out).expect("a manifest");
    let names: Vec<&str> = manifest.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "decisions.csv",
            "periods.csv",
            "members.csv",
            "summary.json"
        ]
    );
    for f in &manifest.files {
        let len = std::fs::metadata(out.join(&f.name)).expect("listed").len();
        assert_eq!(len, f.bytes, "{}", f.name);
    }
}

/// A folder's files, every one (lock and manifest included), by name.
fn everything(dir: &Path) -> Vec<(String, Vec<u8>)> {
    files_in(dir, Path::is_file)
}

/// Opens a folder for a run. Other tests of this process start programs:
/// for the moment between a fork and its exec, a child holds a copy of a
/// lock this process released, so opening is tried again for a while.
pub fn open_folder(dir: &Path) -> mutual::output::Folder {
    let mut tries = 0;
    loop {
        match mutual::output::Folder::open(dir) {
            Ok(folder) => return folder,
            Err(e) if tries < 200 && e.reason.contains("another") => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            Err(e) => panic!("{e}"),
        }
    }
}

fn stage(folder: &mut mutual::output::Folder, names: &[&str], text: &str) {
    for name in names {
        folder
            .stage(name, |w| w.write_all(format!("{name} {text}\n").as_bytes()))
            .expect("staged");
    }
}

#[test]
fn a_rename_failing_at_any_step_leaves_the_previous_run_as_it_was() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let out = dir.path().join("out");
    let mut first = open_folder(&out);
    stage(
        &mut first,
        &["decisions.csv", "periods.csv", "members.csv", "charges.csv"],
        "old",
    );
    first.commit("p", "2019-01-01").expect("the first run");
    let before = everything(&out);
    let mut step = 0;
    loop {
        let mut folder = open_folder(&out);
        stage(
            &mut folder,
            &["decisions.csv", "periods.csv", "members.csv"],
            "new",
        );
        let mut calls = 0;
        let result = folder.commit_with("p", "2019-02-01", &mut |from, to| {
            calls += 1;
            if calls == step + 1 {
                Err(std::io::Error::other("the device is busy"))
            } else {
                std::fs::rename(from, to)
            }
        });
        if result.is_ok() {
            break;
        }
        assert_eq!(
            everything(&out),
            before,
            "failing rename number {}",
            step + 1
        );
        step += 1;
    }
    assert!(step >= 8, "every move was tried failing: {step}");
    let after = everything(&out);
    assert!(
        after
            .iter()
            .any(|(n, t)| n == "members.csv" && t == b"members.csv new\n")
    );
    assert!(!after.iter().any(|(n, _)| n == "charges.csv"));
}

// ------------------------------------------------------------- 4. one run at a time

#[test]
fn a_second_run_into_a_locked_folder_exits_1_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let out = dir.path().join("out");
    let held = open_folder(&out);
    let (m, c) = (sample("members.csv"), sample("claims.csv"));
    let done = run(&m.to_string_lossy(), &c.to_string_lossy(), &out, None);
    assert_eq!(done.status.code(), Some(1), "{}", stderr(&done));
    assert!(
        stderr(&done).contains("another `mutual run` is writing to this folder"),
        "{}",
        stderr(&done)
    );
    assert!(outputs(&out).is_empty());
    drop(held);
    // (A child that another test is starting may hold a copy of the lock
    // until its exec: give it that moment.)
    std::thread::sleep(std::time::Duration::from_millis(200));
    let done = run(&m.to_string_lossy(), &c.to_string_lossy(), &out, None);
    assert_eq!(done.status.code(), Some(0), "{}", stderr(&done));
}

#[test]
fn concurrent_runs_each_finish_whole_or_say_the_folder_is_busy() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let want = reference(dir.path());
    let out = dir.path().join("shared");
    let runs: Vec<_> = (0..4)
        .map(|_| {
            let out = out.clone();
            std::thread::spawn(move || {
                let (m, c) = (sample("members.csv"), sample("claims.csv"));
                run(&m.to_string_lossy(), &c.to_string_lossy(), &out, None)
            })
        })
        .collect();
    let mut finished = 0;
    for r in runs {
        let done = r.join().expect("a run");
        match done.status.code() {
            Some(0) => finished += 1,
            Some(1) => assert!(stderr(&done).contains("another `mutual run`")),
            other => panic!("exit {other:?}: {}", stderr(&done)),
        }
    }
    assert!(finished >= 1);
    assert_eq!(outputs(&out), want);
}

// ------------------------------------------------------------- 7. spreadsheet safety

#[test]
fn ids_a_spreadsheet_would_run_as_formulas_are_refused() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let claims = dir.path().join("claims.csv");
    std::fs::write(
        &claims,
        "id,member_id,disease,diagnosed_on\n=HYPERLINK(\"x\"),m000000001,CI001,2019-01-01\nc2,m000000002,@SUM(A1),2019-01-01\nc3,+1,CI001,2019-01-01\n",
    )
    .expect("write");
    let m = sample("members.csv");
    let out = dir.path().join("out");
    let done = run(&m.to_string_lossy(), &claims.to_string_lossy(), &out, None);
    assert_eq!(done.status.code(), Some(1));
    let err = stderr(&done);
    assert!(
        err.contains("claims.csv:2:1: `id` is `=HYPERLINK(\"x\")`"),
        "{err}"
    );
    assert!(
        err.contains("claims.csv:3:15: `disease` is `@SUM(A1)`"),
        "{err}"
    );
    assert!(err.contains("claims.csv:4:4: `member_id` is `+1`"), "{err}");
    assert!(!out.exists(), "nothing written");
}

#[test]
fn control_characters_in_a_value_are_not_echoed_raw() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let claims = dir.path().join("claims.csv");
    std::fs::write(
        &claims,
        "id,member_id,disease,diagnosed_on,cause\nc1,m000000001,CI001,2019-01-01,\x1b[2Jaccident\n",
    )
    .expect("write");
    let m = sample("members.csv");
    let done = run(
        &m.to_string_lossy(),
        &claims.to_string_lossy(),
        &dir.path().join("out"),
        None,
    );
    assert_eq!(done.status.code(), Some(1));
    assert!(!done.stderr.contains(&0x1b), "{:?}", stderr(&done));
    assert!(
        stderr(&done).contains("\\u{1b}[2Jaccident"),
        "{}",
        stderr(&done)
    );
}

// ------------------------------------------------------------- 8. only closed periods

const MEMBERS: &str = "id,birth_date,join_date,left_date,credit_score\n";
const CLAIMS: &str = "id,member_id,disease,diagnosed_on,filed_on,benefit,cause\n";

#[test]
fn the_period_holding_until_waits_for_its_closing_day() {
    let m = format!(
        "{MEMBERS}a,1990-01-01,2018-10-16,,700\nb,1990-01-01,2018-10-16,,700\nlate,1990-01-01,2019-01-15,,700\nfuture,1990-01-01,2019-02-01,,700\n"
    );
    // c1 is shared on 2019-01-20; c2 is filed after it and waits for 2019-02-06.
    let c = format!("{CLAIMS}c1,a,CI001,2019-01-10,,,accident\nc2,b,CI002,2019-01-25,,,accident\n");
    let out = crate::run::run_csv(&crate::run::plan(XHB), &m, &c, "2019-01-30");
    let last = out.periods.lines().last().expect("a period");
    assert!(
        last.starts_with("2019-01-07,2019-01-20,1,"),
        "{}",
        out.periods
    );
    assert_eq!(out.claim("c2").1, "covered", "decided and listed");
    assert_eq!(out.member("b")["charged"], "0.10");
    assert_eq!(out.member("late")["charged"], "0.10");
    assert_eq!(out.member("future")["status"], "pending");
    assert_eq!(out.member("future")["charged"], "0.00");
    let waiting: Vec<_> = out.ledger.waiting().map(|d| d.claim).collect();
    assert_eq!(waiting, [1]);
}

#[test]
fn the_summary_says_how_many_claims_wait_for_the_next_closing_day() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let (m, c) = (sample("members.csv"), sample("claims.csv"));
    let mut cmd = mutual();
    cmd.args(["run", XHB, "--members"])
        .arg(&m)
        .arg("--claims")
        .arg(&c)
        .args(["--until", UNTIL, "--out"])
        .arg(dir.path().join("out"));
    let done = cmd.output().expect("runs");
    assert_eq!(done.status.code(), Some(0));
    let out = String::from_utf8_lossy(&done.stdout);
    assert!(
        out.contains("26 filed after the last closing day 2019-10-06 (22 approved)"),
        "{out}"
    );
    let periods = std::fs::read_to_string(dir.path().join("out/periods.csv")).expect("periods.csv");
    assert!(
        periods
            .lines()
            .last()
            .expect("a row")
            .contains(",2019-10-06,")
    );
    assert!(periods.starts_with("period_start,period_end,cases,payouts,fee,pool,carried_in,members,charged,operator_borne,carried_out,refunded\n"));
}

#[test]
fn a_member_joining_after_until_is_pending_and_prepays_nothing() {
    let plan = crate::run::plan("plans/jd-hubao.plan");
    let m = "id,birth_date,join_date\nnow,1990-01-01,2018-11-13\nlater,1990-01-01,2019-03-01\n";
    let out = crate::run::run_csv(
        &plan,
        m,
        "id,member_id,disease,diagnosed_on\n",
        "2019-02-10",
    );
    assert_eq!(out.member("now")["prepaid"], "9.00");
    let later = out.member("later");
    assert_eq!(later["status"], "pending");
    assert_eq!(later["prepaid"], "0.00");
    assert_eq!(later["balance"], "0.00");
    assert_eq!(later["refunded"], "0.00");
}

// ------------------------------------------------------------- 9. figures that cannot wrap

#[test]
fn totals_beyond_what_money_can_hold_are_refused_not_wrapped() {
    let dir = crate::plan_folder();
    let plan_text = std::fs::read_to_string(crate::root().join(XHB)).expect("the plan");
    let head = plan_text.split("\nexample ").next().expect("the rules");
    let big = head
        .replace("300_000 CNY", "10_000_000_000_000 CNY")
        .replace("cap 0.10 CNY per case", "");
    let plan = dir.path().join("big.plan");
    std::fs::write(&plan, big).expect("write");
    let mut members = String::from(MEMBERS);
    let mut claims = String::from(CLAIMS);
    for i in 0..20_000 {
        members.push_str(&format!("m{i},1990-01-01,2018-10-16,,700\n"));
    }
    let start = chrono::NaiveDate::from_ymd_opt(2018, 11, 1).expect("a date");
    for i in 0..10_000u64 {
        let day = start + chrono::Days::new(15 * (i / 1000));
        claims.push_str(&format!("c{i},m{i},CI001,{day},,,accident\n"));
    }
    let (m, c) = (dir.path().join("m.csv"), dir.path().join("c.csv"));
    std::fs::write(&m, members).expect("write");
    std::fs::write(&c, claims).expect("write");
    let mut cmd = mutual();
    cmd.arg("run")
        .arg(&plan)
        .arg("--members")
        .arg(&m)
        .arg("--claims")
        .arg(&c)
        .args(["--until", "2019-05-01", "--out"])
        .arg(dir.path().join("out"));
    let done = cmd.output().expect("runs");
    assert_eq!(done.status.code(), Some(1), "{}", stderr(&done));
    assert!(
        stderr(&done).contains("add up to more than can be computed exactly"),
        "{}",
        stderr(&done)
    );
    assert!(!dir.path().join("out/periods.csv").exists());
}

// ------------------------------------------------------------- a pipe reads like a file

/// CSV text of `rows`, its fields quoted where `quote` says, lines ended by
/// CRLF where `crlf` says.
fn csv_text(header: &str, rows: &[Vec<String>], quote: bool, crlf: bool) -> String {
    let end = if crlf { "\r\n" } else { "\n" };
    let mut text = format!("{header}{end}");
    for row in rows {
        let fields: Vec<String> = row
            .iter()
            .map(|f| if quote { format!("\"{f}\"") } else { f.clone() })
            .collect();
        text.push_str(&fields.join(","));
        text.push_str(end);
    }
    text
}

fn date_in(days: u32) -> String {
    let start = chrono::NaiveDate::from_ymd_opt(2018, 10, 1).expect("a date");
    (start + chrono::Days::new(u64::from(days))).to_string()
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 24, rng_seed: proptest::test_runner::RngSeed::Fixed(11), ..Default::default() })]

    #[test]
    fn a_run_read_from_pipes_equals_the_run_read_from_files(
        members in proptest::collection::vec((0u32..200, 0u32..20, 500u32..800), 1..60),
        claims in proptest::collection::vec((0usize..80, 0u32..400, 0u32..30, proptest::bool::ANY), 0..40),
        quote in proptest::bool::ANY,
        crlf in proptest::bool::ANY,
        pipe_members in proptest::bool::ANY,
    ) {
        let member_rows: Vec<Vec<String>> = members.iter().enumerate().map(|(i, &(join, age, score))| {
            vec![format!("m{i}"), format!("{}-03-01", 1960 + age * 2), date_in(join), String::new(), score.to_string()]
        }).collect();
        let claim_rows: Vec<Vec<String>> = claims.iter().enumerate().map(|(i, &(m, day, late, accident))| {
            vec![format!("c{i}"), format!("m{m}"), format!("CI{:03}", 1 + i % 100), date_in(day), date_in(day + late), String::new(), if accident { "accident" } else { "" }.to_string()]
        }).collect();
        let m = csv_text(MEMBERS.trim_end(), &member_rows, quote, crlf);
        let c = csv_text(CLAIMS.trim_end(), &claim_rows, quote && !crlf, crlf);
        let dir = tempfile::tempdir().expect("a temp dir");
        let (mp, cp) = (dir.path().join("m.csv"), dir.path().join("c.csv"));
        std::fs::write(&mp, &m).expect("write");
        std::fs::write(&cp, &c).expect("write");
        let (ms, cs) = (mp.to_string_lossy().into_owned(), cp.to_string_lossy().into_owned());
        let files = run(&ms, &cs, &dir.path().join("files"), None);
        let piped = if pipe_members {
            run("-", &cs, &dir.path().join("piped"), Some(m.into_bytes()))
        } else {
            run(&ms, "/dev/stdin", &dir.path().join("piped"), Some(c.into_bytes()))
        };
        proptest::prop_assert_eq!(files.status.code(), Some(0), "{}", stderr(&files));
        proptest::prop_assert_eq!(piped.status.code(), Some(0), "{}", stderr(&piped));
        proptest::prop_assert_eq!(outputs(&dir.path().join("piped")), outputs(&dir.path().join("files")));
    }
}

#[test]
fn a_run_killed_while_putting_its_files_in_place_is_completed_by_the_next() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let (m, c) = (sample("members.csv"), sample("claims.csv"));
    let (m, c) = (m.to_string_lossy(), c.to_string_lossy());
    let out = dir.path().join("out");
    // The run before: with charges, until an earlier day.
    let mut before = mutual();
    before
        .args([
            "run",
            XHB,
            "--members",
            &m,
            "--claims",
            &c,
            "--until",
            "2019-05-01",
        ])
        .args(["-q", "--charges", "--out"])
        .arg(&out);
    assert_eq!(before.output().expect("runs").status.code(), Some(0));
    let want = reference(dir.path());
    // Killed after each of the renames of putting a run in place: the
    // previous manifest, four files aside, three in, the new manifest.
    for renames in 1..=8 {
        let mut killed = mutual();
        killed
            .env("MUTUAL_TEST_ABORT_AFTER_RENAMES", renames.to_string())
            .args([
                "run",
                XHB,
                "--members",
                &m,
                "--claims",
                &c,
                "--until",
                UNTIL,
            ])
            .args(["-q", "--out"])
            .arg(&out);
        let done = killed.output().expect("runs");
        assert_ne!(
            done.status.code(),
            Some(0),
            "stopped after {renames} renames"
        );
        assert!(
            mutual::output::Manifest::read(&out).is_none(),
            "mid-way: no manifest"
        );
        drop(open_folder(&out));
        let manifest = mutual::output::Manifest::read(&out).expect("completed");
        assert_eq!(manifest.until, UNTIL, "after {renames} renames");
        assert_eq!(outputs(&out), want, "after {renames} renames");
        // Back to the run before, for the next round.
        assert_eq!(before.output().expect("runs").status.code(), Some(0));
    }
}
