//! Charts as inline SVG, written directly: a line chart, stacked bars and
//! horizontal bars, each with its axis labels. Values are fen (or counts),
//! scaled to the drawing only here; the numbers people read are in the
//! table under each chart.

use std::fmt::Write;

const W: f64 = 860.0;
const H: f64 = 300.0;
const LEFT: f64 = 90.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 20.0;
const BOTTOM: f64 = 60.0;

/// The colours of the series, in order.
pub const COLOURS: [&str; 6] = [
    "#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#e53e3e", "#718096",
];

/// Text safe inside SVG.
fn esc(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

/// A value for the axis: a money amount (fen) or a count, grouped.
fn label(v: f64, money: bool) -> String {
    if money {
        crate::money::Money(v.round() as i64).grouped()
    } else {
        crate::words::grouped(v.max(0.0).round() as u64)
    }
}

fn frame(out: &mut String, max: f64, money: bool, title: &str) {
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" role="img" aria-label="{}">"#,
        esc(title)
    );
    for k in 0..=4 {
        let v = max * f64::from(k) / 4.0;
        let y = TOP + (H - TOP - BOTTOM) * (1.0 - f64::from(k) / 4.0);
        let _ = write!(
            out,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{}" y2="{y:.1}" stroke="#e2e8f0"/><text x="{}" y="{:.1}" font-size="11" text-anchor="end">{}</text>"##,
            W - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            esc(&label(v, money))
        );
    }
}

/// X positions of `n` points or bars.
fn xs(n: usize) -> Vec<f64> {
    let inner = W - LEFT - RIGHT;
    (0..n)
        .map(|i| LEFT + inner * (i as f64 + 0.5) / n.max(1) as f64)
        .collect()
}

fn x_labels(out: &mut String, labels: &[String]) {
    let step = labels.len().div_ceil(12).max(1);
    for (i, (x, l)) in xs(labels.len()).iter().zip(labels).enumerate() {
        if i % step == 0 {
            let _ = write!(
                out,
                r#"<text x="{x:.1}" y="{:.1}" font-size="10" text-anchor="end" transform="rotate(-40 {x:.1} {:.1})">{}</text>"#,
                H - BOTTOM + 14.0,
                H - BOTTOM + 14.0,
                esc(l)
            );
        }
    }
}

fn legend(out: &mut String, names: &[String]) {
    for (k, name) in names.iter().enumerate() {
        let x = LEFT + 10.0 + 200.0 * k as f64;
        let _ = write!(
            out,
            r#"<rect x="{x}" y="4" width="10" height="10" fill="{}"/><text x="{}" y="13" font-size="11">{}</text>"#,
            COLOURS[k % COLOURS.len()],
            x + 14.0,
            esc(name)
        );
    }
}

fn y_of(v: f64, max: f64) -> f64 {
    let inner = H - TOP - BOTTOM;
    TOP + inner * (1.0 - if max > 0.0 { v / max } else { 0.0 })
}

/// The x labels and the legend, and the end of the drawing.
fn close(out: &mut String, labels: &[String], series: &[(String, Vec<f64>)]) {
    x_labels(out, labels);
    legend(
        out,
        &series.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>(),
    );
    out.push_str("</svg>");
}

/// Lines over `labels`, one per named series.
pub fn lines(title: &str, labels: &[String], series: &[(String, Vec<f64>)], money: bool) -> String {
    let max = series
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .fold(0.0, f64::max);
    let mut out = String::new();
    frame(&mut out, max, money, title);
    let x = xs(labels.len());
    for (k, (_, values)) in series.iter().enumerate() {
        let points: Vec<String> = x
            .iter()
            .zip(values)
            .map(|(x, v)| format!("{x:.1},{:.1}", y_of(*v, max)))
            .collect();
        let _ = write!(
            out,
            r#"<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>"#,
            COLOURS[k % COLOURS.len()],
            points.join(" ")
        );
    }
    close(&mut out, labels, series);
    out
}

/// Bars over `labels`, the series stacked in each.
pub fn stacked(
    title: &str,
    labels: &[String],
    series: &[(String, Vec<f64>)],
    money: bool,
) -> String {
    let totals: Vec<f64> = (0..labels.len())
        .map(|i| {
            series
                .iter()
                .map(|(_, v)| v.get(i).copied().unwrap_or(0.0).max(0.0))
                .sum()
        })
        .collect();
    let max = totals.iter().copied().fold(0.0, f64::max);
    let mut out = String::new();
    frame(&mut out, max, money, title);
    let x = xs(labels.len());
    let width = ((W - LEFT - RIGHT) / labels.len().max(1) as f64 * 0.7).max(1.0);
    for (i, x) in x.iter().enumerate() {
        let mut base = 0.0;
        for (k, (_, values)) in series.iter().enumerate() {
            let v = values.get(i).copied().unwrap_or(0.0).max(0.0);
            let (y0, y1) = (y_of(base, max), y_of(base + v, max));
            let _ = write!(
                out,
                r#"<rect x="{:.1}" y="{y1:.1}" width="{width:.1}" height="{:.1}" fill="{}"/>"#,
                x - width / 2.0,
                (y0 - y1).max(0.0),
                COLOURS[k % COLOURS.len()]
            );
            base += v;
        }
    }
    close(&mut out, labels, series);
    out
}

/// One horizontal bar per row, labelled, with its value.
pub fn bars(title: &str, rows: &[(String, f64)], money: bool) -> String {
    let max = rows.iter().map(|(_, v)| *v).fold(0.0, f64::max);
    let row_h = 24.0;
    let height = TOP + row_h * rows.len() as f64 + 10.0;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" role="img" aria-label="{}">"#,
        esc(title)
    );
    let (left, inner) = (260.0, W - 260.0 - 140.0);
    for (k, (name, v)) in rows.iter().enumerate() {
        let y = TOP + row_h * k as f64;
        let w = if max > 0.0 { inner * v / max } else { 0.0 };
        let _ = write!(
            out,
            r#"<text x="{}" y="{:.1}" font-size="12" text-anchor="end">{}</text><rect x="{left}" y="{y:.1}" width="{w:.1}" height="{}" fill="{}"/><text x="{:.1}" y="{:.1}" font-size="12">{}</text>"#,
            left - 8.0,
            y + 15.0,
            esc(name),
            row_h - 6.0,
            COLOURS[0],
            left + w + 6.0,
            y + 15.0,
            esc(&label(*v, money))
        );
    }
    out.push_str("</svg>");
    out
}
