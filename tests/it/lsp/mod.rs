//! `mutual lsp` driven as an editor drives it: each test starts the server,
//! opens a seed plan (often with one mistake typed in) and asserts what
//! comes back: diagnostics, hovers, completions, definitions, formatting,
//! quick fixes and example results.

mod client;

use client::{Client, position, repo, shown};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn plan(name: &str) -> (PathBuf, String) {
    let path = repo().join("plans").join(name);
    let text = std::fs::read_to_string(&path).expect("a seed plan");
    (path, text)
}

fn doc(path: &Path) -> Value {
    json!({ "uri": client::uri(path) })
}

/// The parameters of a request about the `k`-th byte of `needle`.
fn at(path: &Path, text: &str, needle: &str, k: usize) -> Value {
    json!({ "textDocument": doc(path), "position": position(text, needle, k) })
}

/// `text` with `from` replaced by `to`, once; the test fails if `from` is not there.
fn typed(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "`{from}` is in the plan");
    text.replacen(from, to, 1)
}

/// Applies the edits of one file (non-overlapping) to `text`.
fn apply(text: &str, edits: &Value) -> String {
    let mut edits: Vec<&Value> = edits.as_array().expect("edits").iter().collect();
    let offset = |p: &Value| {
        let (line, ch) = (
            p["line"].as_u64().unwrap() as usize,
            p["character"].as_u64().unwrap(),
        );
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut units = 0;
        let rest = &text[start..];
        rest.char_indices()
            .find(|(_, c)| {
                let here = units >= ch;
                units += c.len_utf16() as u64;
                here || *c == '\n'
            })
            .map_or(text.len(), |(i, _)| start + i)
    };
    edits.sort_by_key(|e| std::cmp::Reverse(offset(&e["range"]["start"])));
    let mut out = text.to_string();
    for e in edits {
        let (a, b) = (offset(&e["range"]["start"]), offset(&e["range"]["end"]));
        out.replace_range(a..b, e["newText"].as_str().expect("new text"));
    }
    out
}

#[test]
fn diagnostics_come_on_open_and_go_on_the_fix() {
    let (path, text) = plan("xianghubao.plan");
    let broken = typed(&text, "except accident", "except acident");
    let mut c = Client::start();
    c.open(&path, &broken);
    let diagnostics = c.diagnostics(&path);
    assert_eq!(
        diagnostics.as_array().map(Vec::len),
        Some(1),
        "{diagnostics}"
    );
    assert_eq!(diagnostics[0]["code"], "E206");
    assert_eq!(
        diagnostics[0]["range"]["start"],
        position(&broken, "acident", 0)
    );
    assert_eq!(
        diagnostics[0]["range"]["end"],
        position(&broken, "acident", 7)
    );
    insta::assert_snapshot!("lsp_diagnostics_typo", shown(&diagnostics));
    c.change(&path, 2, &text);
    assert_eq!(c.diagnostics(&path), json!([]), "the fix clears them");
    assert_eq!(c.stop(), Some(0));
}

#[test]
fn an_included_file_open_in_the_editor_is_checked_with_the_plan() {
    let (path, text) = plan("xianghubao.plan");
    let (list, list_text) = plan("common/diseases.plan");
    let mut c = Client::start();
    c.open(&path, &text);
    assert_eq!(c.diagnostics(&path), json!([]));
    assert_eq!(c.diagnostics(&list), json!([]));
    // The list renamed in the editor, not on disk: the plan sees the new name.
    let renamed = typed(
        &list_text,
        "diseases critical_illnesses",
        "diseases critical_ilnesses",
    );
    c.open(&list, &renamed);
    let plan_diagnostics = c.diagnostics(&path);
    assert_eq!(plan_diagnostics[0]["code"], "E202", "{plan_diagnostics}");
    assert!(
        plan_diagnostics[0]["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `critical_ilnesses`?"),
        "{plan_diagnostics}"
    );
    // A broken row in the open list is reported in the list.
    let broken = typed(
        &list_text,
        "CI001 \"恶性肿瘤——重度\"",
        "CI001 恶性肿瘤——重度",
    );
    c.change(&list, 2, &broken);
    let uri = client::uri(&list);
    let published = c.wait_for(|m| {
        m["params"]["uri"] == uri
            && m["params"]["diagnostics"]
                .as_array()
                .is_some_and(|d| !d.is_empty())
    });
    let list_diagnostics = &published["params"]["diagnostics"];
    assert_eq!(
        list_diagnostics[0]["range"]["start"]["line"],
        position(&broken, "CI001", 0)["line"],
        "{list_diagnostics}"
    );
    assert_eq!(c.stop(), Some(0));
}

#[test]
fn hover_explains_keywords_bands_codes_caps_and_dated_rules() {
    let (path, text) = plan("xianghubao.plan");
    let (history, history_text) = plan("xianghubao-history.plan");
    let mut c = Client::start();
    c.open(&path, &text);
    c.open(&history, &history_text);
    let mut shown_all = String::new();
    let cases = [
        (&path, &text, "membership\n", 2, "a section keyword"),
        (&path, &text, "waiting 90", 1, "a statement keyword"),
        (&path, &text, "40 years to 59", 5, "an age band"),
        (
            &path,
            &text,
            "CI001 diagnosed_on=2019-01-14",
            1,
            "a disease code",
        ),
        (&path, &text, "cap 0.10", 5, "a per-case cap"),
        (
            &history,
            &history_text,
            "8% of payouts from",
            0,
            "a dated rule",
        ),
        (
            &history,
            &history_text,
            "from 2018-11-27  # published: 8%",
            7,
            "a rule's dates",
        ),
        (&path, &text, "payout of critical", 11, "a benefit"),
        (
            &path,
            &text,
            "covers critical_illnesses",
            9,
            "a disease list",
        ),
        (&path, &text, "common/diseases", 2, "an include"),
    ];
    for (p, t, needle, k, what) in cases {
        let hover = c.request("textDocument/hover", at(p, t, needle, k));
        let value = hover["contents"]["value"]
            .as_str()
            .unwrap_or_else(|| panic!("a hover on {what}: {hover}"));
        shown_all.push_str(&format!("## {what}: `{}`\n{value}\n\n", needle.trim()));
    }
    assert!(
        shown_all.contains("Decides who becomes a member"),
        "{shown_all}"
    );
    assert!(
        shown_all.contains("up to about day 21,914 of life"),
        "{shown_all}"
    );
    assert!(shown_all.contains("恶性肿瘤——重度") && shown_all.contains("benefit `critical`"));
    assert!(shown_all.contains("3300000 members"), "{shown_all}");
    assert!(shown_all.contains("from 2018-11-27") && shown_all.contains("until 2018-11-26"));
    insta::assert_snapshot!("lsp_hovers", shown_all);
    assert_eq!(c.stop(), Some(0));
}

#[test]
fn completion_offers_what_fits_the_cursor() {
    let (path, text) = plan("xianghubao.plan");
    let mut c = Client::start();
    let labels = |c: &mut Client, text: &str, needle: &str, k: usize| -> Vec<String> {
        c.change(&path, 2, text);
        let items = c.request("textDocument/completion", at(&path, text, needle, k));
        items
            .as_array()
            .expect("a list")
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_string())
            .collect()
    };
    c.open(&path, &text);
    let statements = labels(&mut c, &text, "  fee 10%", 3);
    assert_eq!(
        statements,
        [
            "closes on days",
            "fee",
            "split",
            "cap",
            "excess",
            "rounding"
        ]
    );
    let sections = labels(&mut c, &text, "sharing\n", 1);
    assert!(sections.contains(&"benefit".to_string()) && sections.contains(&"account".to_string()));
    let with_covers = typed(&text, "  covers critical_illnesses", "  covers ");
    let covers = labels(&mut c, &with_covers, "  covers ", 9);
    assert_eq!(covers[0], "critical_illnesses");
    assert!(covers.contains(&"CI001".to_string()) && covers.contains(&"MI01".to_string()));
    let with_expect = typed(&text, "  expect claim.c03.reason", "  expect claim.c03.");
    let fields = labels(&mut c, &with_expect, "expect claim.c03.", 17);
    assert_eq!(
        fields,
        ["decision", "reason", "payout", "benefit", "full_payout"]
    );
    let targets = labels(&mut c, &with_expect, "  expect claim.c01", 9);
    assert_eq!(targets, ["claim.", "period[", "member.", "charge["]);
    let with_cause = typed(&text, "cause=accident\n  expect", "cause=\n  expect");
    let causes = labels(&mut c, &with_cause, "cause=\n", 6);
    assert_eq!(causes, ["accident", "illness"]);
    assert_eq!(c.stop(), Some(0));
}

#[test]
fn definitions_and_references_cross_files() {
    let (path, text) = plan("xianghubao.plan");
    let (list, list_text) = plan("common/diseases.plan");
    let mut c = Client::start();
    c.open(&path, &text);
    let def = c.request(
        "textDocument/definition",
        at(&path, &text, "covers critical_illnesses", 9),
    );
    assert_eq!(def["uri"], client::uri(&list));
    assert_eq!(
        def["range"]["start"],
        position(&list_text, "critical_illnesses", 0)
    );
    let code = c.request("textDocument/definition", at(&path, &text, "CI050", 2));
    assert_eq!(code["range"]["start"], position(&list_text, "CI050", 0));
    let include = c.request(
        "textDocument/definition",
        at(&path, &text, "common/diseases", 3),
    );
    assert_eq!(include["uri"], client::uri(&list));
    assert_eq!(
        include["range"]["start"],
        json!({ "line": 0, "character": 0 })
    );
    let mut params = at(&path, &text, "benefit critical", 9);
    params["context"] = json!({ "includeDeclaration": true });
    let refs = c.request("textDocument/references", params);
    insta::assert_snapshot!("lsp_references_of_a_benefit", shown(&refs));
    assert_eq!(
        refs.as_array().map(Vec::len),
        Some(2),
        "the benefit and `ends on payout of`"
    );
    assert_eq!(c.stop(), Some(0));
}

#[test]
fn formatting_gives_the_canonical_form() {
    let (path, text) = plan("xianghubao.plan");
    let messy = typed(
        &text,
        "  fee 10% of payouts",
        "      fee   10%   of payouts",
    );
    let mut c = Client::start();
    c.open(&path, &messy);
    let options = json!({ "tabSize": 2, "insertSpaces": true });
    let params = json!({ "textDocument": doc(&path), "options": options });
    let edits = c.request("textDocument/formatting", params.clone());
    assert_eq!(edits.as_array().map(Vec::len), Some(1), "{edits}");
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_mutual"))
        .args(["fmt", path.to_str().unwrap()])
        .output()
        .expect("mutual fmt runs");
    let canonical = String::from_utf8(out.stdout).expect("UTF-8");
    assert_eq!(
        apply(&messy, &edits),
        canonical,
        "the same form as `mutual fmt`"
    );
    c.change(&path, 2, &canonical);
    assert_eq!(c.request("textDocument/formatting", params), json!([]));
    assert_eq!(c.stop(), Some(0));
}

#[test]
fn quick_fixes_correct_a_misspelt_cause_and_a_band() {
    let (path, text) = plan("xianghubao.plan");
    let mut c = Client::start();
    let mut fixed = Vec::new();
    for (from, to) in [
        ("except accident", "except acident"),
        (
            "40 years to 59 years: 100_000",
            "38 years to 59 years: 100_000",
        ),
    ] {
        let broken = typed(&text, from, to);
        c.open(&path, &broken);
        let diagnostics = c.diagnostics(&path);
        let range = diagnostics[0]["range"].clone();
        let context = json!({ "diagnostics": diagnostics });
        let params = json!({ "textDocument": doc(&path), "range": range, "context": context });
        let actions = c.request("textDocument/codeAction", params);
        let action = &actions[0];
        assert_eq!(action["kind"], "quickfix");
        let edits = &action["edit"]["changes"][client::uri(&path)];
        assert_eq!(apply(&broken, edits), text, "{action}");
        fixed.push(action["title"].as_str().unwrap().to_string());
        c.notify(
            "textDocument/didClose",
            json!({ "textDocument": doc(&path) }),
        );
        assert_eq!(c.diagnostics(&path), json!([]));
    }
    assert_eq!(
        fixed,
        ["Replace with `accident`", "Start this band at 40 years"]
    );
    insta::assert_snapshot!("lsp_quick_fix_titles", fixed.join("\n"));
    assert_eq!(c.stop(), Some(0));
}

#[test]
fn code_lenses_show_each_example_passed_or_failed() {
    let (path, text) = plan("qingsong.plan");
    let wrong = typed(
        &text,
        "expect member.b.balance = 7.00",
        "expect member.b.balance = 8.00",
    );
    let mut c = Client::start();
    c.open(&path, &wrong);
    let first = c.request(
        "textDocument/codeLens",
        json!({ "textDocument": doc(&path) }),
    );
    let examples = text.lines().filter(|l| l.starts_with("example ")).count();
    assert_eq!(first.as_array().map(Vec::len), Some(examples));
    // The examples run on a worker; the editor is asked to refresh.
    let refresh = c.wait_for(|m| m["method"] == "workspace/codeLens/refresh");
    c.reply(&refresh);
    let lenses = c.request(
        "textDocument/codeLens",
        json!({ "textDocument": doc(&path) }),
    );
    let titles: Vec<&str> = lenses
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["command"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(lenses[0]["range"]["start"], position(&text, "example ", 0));
    assert_eq!(
        titles[0],
        "✗ failed: member.b.balance expected 8.00, got 7.00"
    );
    assert!(
        titles[1..].iter().all(|t| t.starts_with("✓ passed (")),
        "{titles:?}"
    );
    insta::assert_snapshot!("lsp_code_lenses", titles.join("\n"));
    assert_eq!(c.stop(), Some(0));
}

#[test]
fn an_unknown_request_is_an_error_and_the_server_exits_cleanly() {
    let mut c = Client::start();
    let response = c.request_full("textDocument/rename", json!({}));
    assert_eq!(response["error"]["code"], -32601, "{response}");
    assert_eq!(c.stop(), Some(0));
}

#[test]
fn an_unsaved_document_is_checked_and_edited_by_ranges() {
    let (_, text) = plan("dishui.plan");
    let broken = typed(&text, "  split equally", "  split equaly");
    let uri = "untitled:Untitled-1";
    let mut c = Client::start();
    let doc = json!({ "uri": uri, "languageId": "plan", "version": 1, "text": broken });
    c.notify("textDocument/didOpen", json!({ "textDocument": doc }));
    let found = |m: &Value| m["params"]["uri"] == uri;
    let first = c.wait_for(found);
    let diagnostics = &first["params"]["diagnostics"];
    assert_eq!(
        diagnostics.as_array().map(Vec::len),
        Some(1),
        "{diagnostics}"
    );
    assert_eq!(
        diagnostics[0]["range"]["start"],
        position(&broken, "equaly", 0)
    );
    // The editor sends only what changed: `equaly` becomes `equally`.
    let start = position(&broken, "equaly", 5);
    let change = json!({ "range": { "start": start, "end": start }, "text": "l" });
    let doc = json!({ "uri": uri, "version": 2 });
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": doc, "contentChanges": [change] }),
    );
    let second = c.wait_for(found);
    assert_eq!(second["params"]["diagnostics"], json!([]), "{second}");
    let hover = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": position(&text, "split", 1) }),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("split equally")
    );
    assert_eq!(c.stop(), Some(0));
}
