//! Hand-computed scenarios, one folder each under `tests/scenarios/`: a
//! `scenario` file naming the plan and `--until`, `members.csv`, `claims.csv`.
//! Every output file is a snapshot; each snapshot was checked by hand
//! against the figures worked out in the scenario's `notes.md`.

use crate::run::{plan, run_csv};

#[test]
fn scenarios() {
    insta::glob!("../scenarios", "*/scenario", |path| {
        let dir = path.parent().expect("a scenario folder");
        let spec = std::fs::read_to_string(path).expect("the scenario file");
        let field = |key: &str| {
            spec.lines()
                .find_map(|l| l.strip_prefix(key).map(str::trim))
                .unwrap_or_else(|| panic!("{}: no `{key}` line", path.display()))
                .to_string()
        };
        let plan = plan(&field("plan "));
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).expect("a scenario file");
        let out = run_csv(
            &plan,
            &read("members.csv"),
            &read("claims.csv"),
            &field("until "),
        );
        insta::assert_snapshot!(out.all());
    });
}
