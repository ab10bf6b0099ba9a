//! `mutual report`: one self-contained page whose figures are the run's.
//! The page's tables are checked against `run`'s CSV files; where Chromium
//! is installed, the page is also rendered headless: the screenshot is not
//! blank, and the figures of the rendered page are the CSV figures.

use assert_cmd::Command;
use std::path::Path;

const S: &str = "plans/samples/xianghubao";

fn mutual() -> Command {
    Command::cargo_bin("mutual").expect("the mutual binary is built")
}

/// `mutual run` and `mutual report` of the 相互保 sample, into `dir`.
fn run_and_report(dir: &Path, lang: &str, extra: &[&str]) -> String {
    let data = [
        "--members",
        &format!("{S}/members.csv"),
        "--claims",
        &format!("{S}/claims.csv"),
        "--until",
        "2019-10-15",
    ]
    .map(str::to_string);
    let run = mutual()
        .args(["run", "plans/xianghubao.plan", "-q"])
        .args(&data)
        .arg("--out")
        .arg(dir.join("run"))
        .output()
        .expect("runs");
    assert_eq!(run.status.code(), Some(0));
    let report = mutual()
        .args(["report", "plans/xianghubao.plan", "--lang", lang])
        .args(&data)
        .args(extra)
        .arg("--out")
        .arg(dir.join("report"))
        .output()
        .expect("runs");
    assert_eq!(
        report.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&report.stderr)
    );
    std::fs::read_to_string(dir.join("report/report.html")).expect("report.html")
}

/// The `data-fen` values of one table's rows, by column.
fn table_fen(html: &str, id: &str) -> Vec<Vec<i64>> {
    let start = html
        .find(&format!("<table id=\"{id}\""))
        .unwrap_or_else(|| panic!("table {id}"));
    let end = start + html[start..].find("</table>").expect("the table ends");
    html[start..end]
        .split("<tr>")
        .skip(2)
        .map(|row| {
            row.split("data-fen=\"")
                .skip(1)
                .map(|c| c[..c.find('"').expect("a quote")].parse().expect("fen"))
                .collect()
        })
        .collect()
}

/// periods.csv's payouts, charged and operator_borne, in fen.
fn csv_money(dir: &Path) -> Vec<Vec<i64>> {
    let mut r = csv::Reader::from_path(dir.join("run/periods.csv")).expect("periods.csv");
    let h = r.headers().expect("a header").clone();
    let col = |n: &str| h.iter().position(|x| x == n).expect(n);
    let cols = [col("payouts"), col("charged"), col("operator_borne")];
    r.records()
        .map(|row| {
            let row = row.expect("a row");
            cols.iter()
                .map(|&c| mutual::money::Money::parse(&row[c]).expect("money").fen())
                .collect()
        })
        .collect()
}

#[test]
fn the_page_is_self_contained_and_its_figures_are_the_runs() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let html = run_and_report(dir.path(), "en", &[]);
    assert!(html.starts_with("<!DOCTYPE html>"));
    for outside in [
        "http://",
        "https://",
        "<script src",
        "<link",
        "@import",
        "url(",
    ] {
        let found = html.replace("http://www.w3.org/2000/svg", "");
        assert!(
            !found.contains(outside),
            "the page fetches nothing: {outside}"
        );
    }
    assert!(html.matches("<svg").count() >= 6, "six charts");
    for chart in [
        "Charge per sharing member",
        "Cumulative charge",
        "Claims by decision and reason",
        "Payouts by benefit and age band",
        "Members by status",
    ] {
        assert!(html.contains(chart), "{chart}");
    }
    assert_eq!(table_fen(&html, "money-table"), csv_money(dir.path()));
    let zh = run_and_report(dir.path(), "zh", &[]);
    assert!(zh.contains("<html lang=\"zh-CN\">") && zh.contains("各期人均分摊"));
    assert_eq!(table_fen(&zh, "money-table"), csv_money(dir.path()));
}

#[test]
fn an_old_plan_is_drawn_against_the_new() {
    let dir = crate::plan_folder();
    let plan = std::fs::read_to_string("plans/xianghubao.plan").expect("plan");
    std::fs::write(
        dir.path().join("old.plan"),
        plan.replace("cap 0.10 CNY per case", "cap 0.05 CNY per case"),
    )
    .expect("write");
    let old = dir.path().join("old.plan");
    let html = run_and_report(dir.path(), "en", &["--diff", &old.display().to_string()]);
    let rows = table_fen(&html, "compared-table");
    assert!(!rows.is_empty());
    // Old and new charge per member: the old cap is half the new.
    assert!(rows.iter().any(|r| r[0] != r[1]), "the charges differ");
    assert!(
        rows.iter().all(|r| r[0] <= r[1]),
        "a lower cap never charges more"
    );
}

/// Chromium, where installed.
fn chromium() -> Option<&'static str> {
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .into_iter()
    .find(|p| Path::new(p).exists())
}

fn headless(browser: &str, dir: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(browser);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1000,2400",
    ])
    .arg(format!("--user-data-dir={}", dir.join("profile").display()));
    cmd
}

#[test]
fn the_page_renders_in_a_browser() {
    let Some(browser) = chromium() else {
        eprintln!(
            "skipped: no Chromium installed (apt-get install chromium), so the page is not rendered"
        );
        return;
    };
    let dir = tempfile::tempdir().expect("a temp dir");
    run_and_report(dir.path(), "en", &[]);
    let page = format!("file://{}", dir.path().join("report/report.html").display());
    let shot = dir.path().join("shot.png");
    let done = headless(browser, dir.path())
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&page)
        .output()
        .expect("chromium runs");
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&shot).expect("the screenshot"),
    ));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let px = info.color_type.samples();
    let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks(px).collect();
    let not_white = pixels
        .iter()
        .filter(|p| p.iter().take(3).any(|&c| c < 200))
        .count();
    let blue = pixels.iter().filter(|p| p[0] < 80 && p[2] > 150).count();
    assert!(
        not_white * 100 > pixels.len(),
        "more than 1% of the page is drawn: {not_white} of {}",
        pixels.len()
    );
    assert!(
        blue > 100,
        "the charts' blue is on the screen: {blue} pixels"
    );
    // The figures of the rendered page are the CSV figures.
    let dom = headless(browser, dir.path())
        .arg("--dump-dom")
        .arg(&page)
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert_eq!(table_fen(&dom, "money-table"), csv_money(dir.path()));
}
