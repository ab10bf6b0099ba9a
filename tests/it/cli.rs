//! The `mutual` binary: exit codes (0 fine, 1 invalid plan, 2 wrong usage)
//! and the three diagnostic formats.

use assert_cmd::Command;

fn mutual() -> Command {
    Command::cargo_bin("mutual").expect("the mutual binary is built")
}

const SEEDS: [&str; 3] = [
    "plans/jd-hubao.plan",
    "plans/shuidi.plan",
    "plans/xianghubao.plan",
];

const BROKEN: &str = "tests/plans/broken/waiting-in-money.plan";

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("stderr is UTF-8")
}

#[test]
fn seed_plans_check() {
    let out = mutual().arg("check").args(SEEDS).output().expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("checked 3 plans: 0 errors, 0 warnings"));
}

#[test]
fn broken_plan_fails_with_its_location() {
    let out = mutual().args(["check", BROKEN]).output().expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains(&format!("{BROKEN}:18:11")), "{err}");
    assert!(err.contains("E300"), "{err}");
    assert!(err.contains("1 error"), "{err}");
}

#[test]
fn broken_among_good_plans_still_fails() {
    let out = mutual()
        .arg("check")
        .args(SEEDS)
        .arg(BROKEN)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("checked 4 plans: 1 error"));
}

#[test]
fn json_format_is_valid_json() {
    let out = mutual()
        .args([
            "check",
            "--format",
            "json",
            "tests/plans/broken/two-problems-on-different-lines.plan",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stderr.is_empty(), "nothing on stderr");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let items = v.as_array().expect("an array");
    assert_eq!(items.len(), 2);
    let got: Vec<(&str, u64, u64)> = items
        .iter()
        .map(|d| {
            (
                d["code"].as_str().expect("code"),
                d["line"].as_u64().expect("line"),
                d["column"].as_u64().expect("column"),
            )
        })
        .collect();
    assert_eq!(got, [("E300", 18, 11), ("E100", 23, 9)]);
    for d in items {
        assert_eq!(d["severity"], "error");
        assert_eq!(
            d["file"],
            "tests/plans/broken/two-problems-on-different-lines.plan"
        );
        assert!(d["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

#[test]
fn json_format_of_clean_plans_is_an_empty_array() {
    let out = mutual()
        .args(["check", "--format", "json"])
        .args(SEEDS)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty(), "nothing on stderr");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(v, serde_json::json!([]));
}

#[test]
fn plain_format() {
    let out = mutual()
        .args(["check", "--format", "plain", BROKEN])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let first = err.lines().next().expect("a line");
    assert_eq!(
        first,
        format!("{BROKEN}:18:11: error[E300]: a waiting period must be days, not money")
    );
    assert!(err.lines().any(|l| l.starts_with("  help: ")), "{err}");
}

#[test]
fn fmt_check_accepts_seed_plans() {
    let out = mutual()
        .args(["fmt", "--check"])
        .args(SEEDS)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "--check prints no plan");
}

#[test]
fn fmt_check_rejects_a_misindented_plan() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let text = std::fs::read_to_string("plans/xianghubao.plan").expect("readable");
    let bad = text.replace("\n  fee 10%", "\n      fee 10%");
    assert_ne!(bad, text);
    let common = dir.path().join("common");
    std::fs::create_dir_all(&common).expect("mkdir");
    std::fs::copy("plans/common/diseases.plan", common.join("diseases.plan")).expect("copy");
    let path = dir.path().join("xianghubao.plan");
    std::fs::write(&path, bad).expect("write");

    let out = mutual()
        .args(["fmt", "--check"])
        .arg(&path)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains(&path.display().to_string()), "{err}");
    assert!(err.contains("not in canonical form"), "{err}");

    // Without --check the canonical form is printed.
    let out = mutual().arg("fmt").arg(&path).output().expect("runs");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8(out.stdout).expect("UTF-8"), text);
}

#[test]
fn missing_file_fails_with_a_message() {
    let out = mutual()
        .args(["check", "plans/no-such-plan.plan"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("plans/no-such-plan.plan"), "{err}");
    assert!(err.contains("no such file"), "{err}");

    let out = mutual()
        .args(["fmt", "plans/no-such-plan.plan"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no such file"));
}

#[test]
fn wrong_usage_exits_2() {
    let out = mutual().output().expect("runs");
    assert_eq!(out.status.code(), Some(2), "no arguments");
    let out = mutual().arg("check").output().expect("runs");
    assert_eq!(out.status.code(), Some(2), "check without a plan");
    let out = mutual()
        .args(["check", "--no-such-flag", SEEDS[0]])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "unknown flag");
    assert!(stderr(&out).contains("--no-such-flag"));
    let out = mutual()
        .args(["check", "--format", "xml", SEEDS[0]])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "unknown format");
}

/// Outputs are ordinary files, as readable as any file the user creates
/// (the umask decides), not private like the temporary files they start as.
#[cfg(unix)]
#[test]
fn outputs_get_the_permissions_of_ordinary_files() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("a temporary folder");
    let out = dir.path().join("out");
    let run = mutual()
        .args(["run", "plans/xianghubao.plan"])
        .args(["--members", "plans/samples/xianghubao/members.csv"])
        .args(["--claims", "plans/samples/xianghubao/claims.csv"])
        .args(["--until", "2018-12-20", "--quiet", "--out"])
        .arg(&out)
        .output()
        .expect("runs");
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let ordinary = dir.path().join("ordinary");
    std::fs::write(&ordinary, "x").expect("a file");
    let mode = |p: &std::path::Path| p.metadata().expect("metadata").permissions().mode() & 0o777;
    for name in ["decisions.csv", "periods.csv", "members.csv"] {
        assert_eq!(mode(&out.join(name)), mode(&ordinary), "{name}");
    }
}
