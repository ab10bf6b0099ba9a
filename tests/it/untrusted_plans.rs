//! Plans from anyone: CI runs `mutual check` and `mutual test` on plans
//! others wrote, so a plan must not read outside its folder, quote a file
//! that is not a plan, make the checker work without bound, nor print a
//! control character to the terminal.
//!
//! Each plan lives in a temporary folder; `mutual` runs from that folder.

use assert_cmd::Command;
use std::path::Path;
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// A plan that checks, with `INCLUDE` where an include line may go and no
/// disease list of its own: its benefit covers `critical_illnesses`.
const PLAN: &str = "\
plan untrusted
  currency CNY
  launched 2019-01-01

INCLUDE

membership
  join ages 30 days to 59 years

benefit critical \"重大疾病\"
  covers critical_illnesses
  waiting 90 days
  payout 100_000 CNY

sharing
  closes on days 6 and 20
  fee 10% of payouts
  split equally
  rounding up, remainder carried
";

const DISEASES: &str = "diseases critical_illnesses \"重大疾病\"\n  CI001 \"恶性肿瘤——重度\"\n";

/// What a secret file holds: no output may ever show it.
const SECRET: &str = "TOKEN=s3cr3t-do-not-print";

fn mutual(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("mutual").expect("the mutual binary is built");
    c.current_dir(dir).timeout(Duration::from_secs(60));
    c
}

/// A folder `plans/` in a new temporary folder, with `plans/p.plan` holding
/// `PLAN` with `include` in place of `INCLUDE`.
fn folder(include: &str) -> TempDir {
    let tmp = TempDir::new().expect("a temporary folder");
    std::fs::create_dir(tmp.path().join("plans")).expect("plans/");
    write(
        tmp.path(),
        "plans/p.plan",
        &PLAN.replace("INCLUDE", include),
    );
    tmp
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("a folder");
    }
    std::fs::write(path, text).expect("written");
}

/// Exit code, stdout and stderr of `mutual ARGS` run in `dir`.
fn run(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = mutual(dir).args(args).output().expect("mutual runs");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

/// `mutual check --format plain plans/p.plan`: exit code and stderr.
fn check_plain(dir: &Path) -> (Option<i32>, String) {
    let (code, _, err) = run(dir, &["check", "--format", "plain", "plans/p.plan"]);
    (code, err)
}

/// The codes of the diagnostics of a plain report, in order.
fn codes(plain: &str) -> Vec<String> {
    plain
        .lines()
        .filter_map(|l| l.split_once("error[").or_else(|| l.split_once("warning[")))
        .filter_map(|(_, rest)| rest.split_once(']').map(|(c, _)| c.to_string()))
        .collect()
}

/// The report holds exactly one diagnostic, `code`, at the include's path
/// string (line 5, column 9 of `plans/p.plan`), and never the secret.
fn one_error_at_include(code: Option<i32>, err: &str, expected: &str) {
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(codes(err), [expected], "{err}");
    assert!(err.contains("plans/p.plan:5:9: error["), "{err}");
    assert!(err.contains("inside the plan's folder"), "{err}");
    assert!(!err.contains(SECRET), "{err}");
}

// ------------------------------------------------------------------ includes

#[test]
fn an_include_of_an_absolute_path_is_refused_without_reading_it() {
    let tmp = folder("include \"/etc/passwd\"");
    let (code, err) = check_plain(tmp.path());
    one_error_at_include(code, &err, "E108");
    assert!(!err.contains("root:"), "{err}");
}

#[test]
fn an_include_of_the_process_environment_never_shows_it() {
    let tmp = folder("include \"/proc/self/environ\"");
    let out = mutual(tmp.path())
        .env("MUTUAL_TEST_SECRET", SECRET)
        .args(["check", "--format", "plain", "plans/p.plan"])
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    one_error_at_include(out.status.code(), &err, "E108");
}

#[test]
fn an_include_that_climbs_out_of_the_folder_is_refused() {
    let tmp = folder("include \"../secret.txt\"");
    write(tmp.path(), "secret.txt", SECRET);
    let (code, err) = check_plain(tmp.path());
    one_error_at_include(code, &err, "E108");
}

#[cfg(unix)]
#[test]
fn a_link_inside_the_folder_to_a_file_outside_is_refused() {
    let tmp = folder("include \"common/diseases.plan\"");
    write(
        tmp.path(),
        "secret.plan",
        &format!("{DISEASES}# {SECRET}\n"),
    );
    std::fs::create_dir(tmp.path().join("plans/common")).expect("common/");
    std::os::unix::fs::symlink(
        tmp.path().join("secret.plan"),
        tmp.path().join("plans/common/diseases.plan"),
    )
    .expect("a link");
    let (code, err) = check_plain(tmp.path());
    one_error_at_include(code, &err, "E108");
}

#[cfg(unix)]
#[test]
fn a_link_to_a_device_is_refused() {
    let tmp = folder("include \"null.plan\"");
    std::os::unix::fs::symlink("/dev/null", tmp.path().join("plans/null.plan")).expect("a link");
    let (code, err) = check_plain(tmp.path());
    one_error_at_include(code, &err, "E108");
}

#[cfg(unix)]
#[test]
fn an_include_of_a_pipe_is_refused_without_blocking() {
    let tmp = folder("include \"pipe.plan\"");
    let made = std::process::Command::new("mkfifo")
        .arg(tmp.path().join("plans/pipe.plan"))
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let started = Instant::now();
    let (code, err) = check_plain(tmp.path());
    one_error_at_include(code, &err, "E108");
    assert!(err.contains("not a file"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn an_include_of_a_folder_is_refused() {
    let tmp = folder("include \"common\"");
    std::fs::create_dir(tmp.path().join("plans/common")).expect("common/");
    let (code, err) = check_plain(tmp.path());
    one_error_at_include(code, &err, "E108");
    assert!(err.contains("`common` is a folder, not a file"), "{err}");
}

#[test]
fn an_include_in_a_folder_under_the_plan_is_read() {
    let tmp = folder("include \"common/diseases.plan\"");
    write(tmp.path(), "plans/common/diseases.plan", DISEASES);
    let (code, err) = check_plain(tmp.path());
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn an_included_file_that_is_not_a_plan_is_one_error_without_its_lines() {
    let tmp = folder("include \".env\"");
    let lines: String = (0..50).map(|k| format!("{SECRET}{k}\n")).collect();
    write(tmp.path(), "plans/.env", &lines);
    let (code, err) = check_plain(tmp.path());
    one_error_at_include(code, &err, "E107");
    let (_, _, human) = run(tmp.path(), &["check", "plans/p.plan"]);
    assert!(!human.contains("s3cr3t"), "{human}");
}

#[test]
fn a_plan_file_that_is_not_a_plan_is_one_error_without_its_lines() {
    let tmp = TempDir::new().expect("a temporary folder");
    let key = format!("-----BEGIN OPENSSH PRIVATE KEY-----\n{SECRET}\n{SECRET}\n");
    write(tmp.path(), "key.plan", &key);
    for format in ["human", "plain", "json"] {
        let (code, out, err) = run(tmp.path(), &["check", "--format", format, "key.plan"]);
        // JSON is written on stdout, the other formats on stderr.
        let err = if format == "json" { out } else { err };
        assert_eq!(code, Some(1), "{err}");
        assert!(err.contains("E107"), "{err}");
        assert_eq!(err.matches("E107").count(), 1, "{err}");
        assert!(!err.contains("s3cr3t") && !err.contains("BEGIN"), "{err}");
    }
}

#[test]
fn a_missing_include_is_the_one_error_not_a_cascade() {
    let tmp = folder("include \"common/diseses.plan\"");
    write(tmp.path(), "plans/common/diseases.plan", DISEASES);
    let (code, err) = check_plain(tmp.path());
    one_error_at_include(code, &err, "E106");
}

// ------------------------------------------------------------------- bounds

#[test]
fn a_plan_file_larger_than_1_mib_is_refused() {
    let tmp = folder("");
    let padding = "# a comment line that pads the plan beyond the limit\n".repeat(25_000);
    let big = PLAN.replace("INCLUDE", DISEASES) + &padding;
    assert!(big.len() > 1 << 20);
    write(tmp.path(), "plans/p.plan", &big);
    let (code, err) = check_plain(tmp.path());
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(codes(&err), ["E002"], "{err}");
    assert!(err.contains("1 MiB"), "{err}");
}

#[test]
fn an_included_file_larger_than_1_mib_is_refused_at_the_include() {
    let tmp = folder("include \"common/diseases.plan\"");
    let padding = "# a comment line that pads the file beyond the limit\n".repeat(25_000);
    write(
        tmp.path(),
        "plans/common/diseases.plan",
        &(DISEASES.to_string() + &padding),
    );
    let (code, err) = check_plain(tmp.path());
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(codes(&err), ["E002"], "{err}");
    assert!(
        err.contains("plans/p.plan:5:9:") && err.contains("1 MiB"),
        "{err}"
    );
}

/// `PLAN` with its diseases and one example holding `lines`.
fn with_example(lines: &str) -> String {
    let example = format!(
        "{DISEASES}\nexample \"a large example\"\n  as of 2019-02-01\n{lines}  expect period[2019-01-20].cases = 0\n"
    );
    PLAN.replace("INCLUDE", &example)
}

#[test]
fn an_example_of_a_billion_members_does_not_check() {
    let tmp = folder("");
    let lines = "  members all 1_000_000_000 birth_date=1990-01-01 join_date=2019-01-01\n";
    write(tmp.path(), "plans/p.plan", &with_example(lines));
    let (code, err) = check_plain(tmp.path());
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(codes(&err), ["E507"], "{err}");
    assert!(
        err.contains("at most 25,000,000 members and claims"),
        "{err}"
    );
    assert!(
        err.contains("creates 1,000,000,000 members and 0 claims"),
        "{err}"
    );
    let (code, out, err) = run(tmp.path(), &["test", "plans/p.plan"]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(out.contains("1 plan did not check"), "{out}");
}

#[test]
fn an_example_of_millions_of_claims_does_not_check() {
    let tmp = folder("");
    let mut lines = "  member m birth_date=1990-01-01 join_date=2019-01-01\n".to_string();
    for k in 0..3 {
        lines += &format!(
            "  claims c{k}x 1_000_000 member_id=m disease=CI001 diagnosed_on=2019-01-10\n"
        );
    }
    write(tmp.path(), "plans/p.plan", &with_example(&lines));
    let (code, err) = check_plain(tmp.path());
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(codes(&err), ["E507"], "{err}");
    assert!(
        err.contains("creates 1 member and 3,000,000 claims"),
        "{err}"
    );
}

#[test]
fn an_example_within_the_bounds_still_runs() {
    let tmp = folder("");
    let lines = "  members all 1_000 birth_date=1990-01-01 join_date=2019-01-01\n\
                 claims c 10 member_id=all disease=CI001 diagnosed_on=2019-01-10\n";
    write(tmp.path(), "plans/p.plan", &with_example(lines));
    let (code, out, err) = run(tmp.path(), &["test", "plans/p.plan"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("examples: 1 passed, 0 failed"), "{out}");
}

/// `PLAN` whose benefit also covers `n` codes that are in no list: `n` errors.
fn with_unknown_codes(n: usize) -> String {
    let codes: Vec<String> = (0..n).map(|k| format!("ZZ{k:04}")).collect();
    PLAN.replace("INCLUDE", DISEASES).replace(
        "covers critical_illnesses",
        &format!("covers critical_illnesses, {}", codes.join(", ")),
    )
}

#[test]
fn at_most_100_diagnostics_are_shown_then_a_count() {
    let tmp = folder("");
    write(tmp.path(), "plans/p.plan", &with_unknown_codes(250));
    for format in ["human", "plain"] {
        let (code, _, err) = run(tmp.path(), &["check", "--format", format, "plans/p.plan"]);
        assert_eq!(code, Some(1), "{err}");
        assert_eq!(err.matches("E207").count(), 100, "{format}");
        assert!(err.contains("… and 150 more problems not shown"), "{err}");
        assert!(err.contains("checked 1 plan: 250 errors"), "{err}");
    }
}

#[test]
fn json_shows_at_most_100_diagnostics_then_the_number_omitted() {
    let tmp = folder("");
    write(tmp.path(), "plans/p.plan", &with_unknown_codes(250));
    let (code, out, err) = run(tmp.path(), &["check", "--format", "json", "plans/p.plan"]);
    assert_eq!(code, Some(1), "{err}");
    let items: Vec<serde_json::Value> = serde_json::from_str(&out).expect("JSON");
    assert_eq!(items.len(), 101);
    assert!(items[..100].iter().all(|d| d["code"] == "E207"));
    assert_eq!(items[100], serde_json::json!({ "omitted": 150 }));
}

#[test]
fn megabytes_of_junk_are_one_error_found_quickly() {
    let tmp = TempDir::new().expect("a temporary folder");
    write(tmp.path(), "junk.plan", &"x\n".repeat(2_000_000));
    let after_a_header = format!("plan junk\n{}", "x y\n".repeat(250_000));
    write(tmp.path(), "header.plan", &after_a_header);
    for name in ["junk.plan", "header.plan"] {
        let started = Instant::now();
        let (code, _, err) = run(tmp.path(), &["check", "--format", "plain", name]);
        assert_eq!(code, Some(1), "{err}");
        assert_eq!(codes(&err).len(), 1, "{err}");
        assert!(started.elapsed() < Duration::from_secs(20), "{name}");
    }
}

// ------------------------------------------------------------- the terminal

/// A plan whose examples are titled with escape sequences; the second fails.
fn escaping_examples() -> String {
    let examples = format!(
        "{DISEASES}
example \"clears\x1b[2J the screen\"
  as of 2019-02-01
  member m birth_date=1990-01-01 join_date=2019-01-01
  expect member.m.status = active

example \"\x1b[32mok\x1b[0m though it fails \u{202e}\"
  as of 2019-02-01
  member m birth_date=1990-01-01 join_date=2019-01-01
  expect member.m.status = \"\x1b[32mended\"
"
    );
    PLAN.replace("INCLUDE", &examples)
}

fn no_control_bytes(text: &str) {
    assert!(!text.contains('\x1b'), "a raw ESC: {text:?}");
    assert!(!text.contains('\u{202e}'), "a raw bidi override: {text:?}");
}

#[test]
fn example_titles_reach_the_terminal_escaped() {
    let tmp = folder("");
    write(tmp.path(), "plans/p.plan", &escaping_examples());
    let (code, out, err) = run(tmp.path(), &["test", "plans/p.plan"]);
    assert_eq!(code, Some(1), "{out}{err}");
    no_control_bytes(&out);
    no_control_bytes(&err);
    assert!(out.contains("ok    clears\\u{1b}[2J the screen"), "{out}");
    assert!(
        out.contains("FAIL  \\u{1b}[32mok\\u{1b}[0m though it fails \\u{202e}"),
        "{out}"
    );
    assert!(out.contains("expected: \\u{1b}[32mended"), "{out}");
}

#[test]
fn diagnostics_quote_plan_text_escaped_in_every_human_format() {
    let tmp = TempDir::new().expect("a temporary folder");
    let text = "plan x\x1b[2J\n  title \"a\x1b[32mok\u{202e}\"\n  currency CNY\x07\n";
    write(tmp.path(), "esc.plan", text);
    for format in ["human", "plain"] {
        let (code, _, err) = run(tmp.path(), &["check", "--format", format, "esc.plan"]);
        assert_eq!(code, Some(1), "{err}");
        no_control_bytes(&err);
        assert!(!err.contains('\x07'), "{err:?}");
        assert!(err.contains("unexpected `\\u{1b}[2J`"), "{err}");
    }
}

#[test]
fn an_escaped_line_keeps_its_diagnostic_in_place() {
    let tmp = folder("");
    let title = "plan untrusted\n  title \"\x1b[2J\" 12\n";
    let text = PLAN
        .replace("INCLUDE", DISEASES)
        .replace("plan untrusted\n", title);
    write(tmp.path(), "plans/p.plan", &text);
    let (_, _, plain) = run(tmp.path(), &["check", "--format", "plain", "plans/p.plan"]);
    assert_eq!(codes(&plain), ["E100"], "{plain}");
    assert!(plain.contains("plans/p.plan:2:16: error[E100]"), "{plain}");
    let (_, _, human) = run(tmp.path(), &["check", "plans/p.plan"]);
    assert!(human.contains("[plans/p.plan:2:16]"), "{human}");
    let line = human.lines().find(|l| l.contains("title")).expect("drawn");
    let mark = human.lines().find(|l| l.contains('┬')).expect("labelled");
    let column = |s: &str, at: usize| s[..at].chars().count();
    let underline = mark.find(['─', '┬']).expect("an underline");
    let number = line.find("12").expect("12 drawn");
    assert_eq!(column(mark, underline), column(line, number), "{human}");
}

#[test]
fn explanations_reach_the_terminal_escaped() {
    use mutual::explain::{Citation, Explanation, Outcome, Step, render_human};
    let e = Explanation {
        kind: "claim",
        subject: "claim c\x1b[2J".into(),
        result: "denied\x1b[32m ok".into(),
        steps: vec![Step {
            step: "eligibility",
            outcome: Outcome::Fail,
            text: "member \u{202e}m1".into(),
            rule: Some(Citation {
                file: "p.plan".into(),
                line: 3,
                text: "title \"\x1b]0;x\x07\"".into(),
            }),
            values: serde_json::Map::new(),
        }],
        why_not: vec!["\x1b[1A".into()],
    };
    let plain = render_human(&e, false);
    no_control_bytes(&plain);
    assert!(!plain.contains('\x07'), "{plain:?}");
    assert!(
        plain.contains("claim c\\u{1b}[2J: denied\\u{1b}[32m ok"),
        "{plain}"
    );
    assert!(plain.contains("title \"\\u{1b}]0;x\\u{7}\""), "{plain}");
    let colored = render_human(&e, true);
    assert!(colored.contains("claim c\\u{1b}[2J"), "{colored}");
    assert!(!colored.contains("\x1b]0;") && !colored.contains('\u{202e}'));
}

#[test]
fn covers_naming_a_million_diseases_is_one_error() {
    let tmp = folder("");
    let rows: String = (0..1_000)
        .map(|k| format!("  CI{k:04} \"病{k}\"\n"))
        .collect();
    let lists = format!("diseases critical_illnesses \"重大疾病\"\n{rows}");
    let covers = vec!["critical_illnesses"; 1_001].join(", ");
    let text = PLAN
        .replace("INCLUDE", &lists)
        .replace("covers critical_illnesses", &format!("covers {covers}"));
    write(tmp.path(), "plans/p.plan", &text);
    let (code, err) = check_plain(tmp.path());
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(codes(&err), ["E211"], "{err}");
    assert!(err.contains("more than 1,000,000 diseases"), "{err}");
}

#[test]
fn thousands_of_unknown_names_are_checked_quickly() {
    let tmp = folder("");
    let lists: String = (0..12_000).map(|k| format!("diseases list{k}\n")).collect();
    let unknown: Vec<String> = (0..12_000).map(|k| format!("lisd{k}")).collect();
    let text = PLAN.replace("INCLUDE", &lists).replace(
        "covers critical_illnesses",
        &format!("covers {}", unknown.join(", ")),
    );
    write(tmp.path(), "plans/p.plan", &text);
    let started = Instant::now();
    let (code, err) = check_plain(tmp.path());
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("… and "), "{err}");
    assert!(started.elapsed() < Duration::from_secs(30));
}
