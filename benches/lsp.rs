//! Criterion bench of `mutual lsp`: from an edit to its diagnostics.
//!
//! ```text
//! cargo bench --bench lsp
//! ```
//!
//! - `lsp/diagnostics/PLAN`: the editor sends the whole text of a seed plan
//!   (`textDocument/didChange`, alternately with and without one misspelt
//!   word) and waits for the plan's `textDocument/publishDiagnostics`. The
//!   server runs in-process on an in-memory connection, so the time is the
//!   server's: reading the message, checking the plan and its includes, and
//!   writing the diagnostics. The target is 50 ms.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use lsp_server::{Connection, Message, Notification, Request};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Duration;

const PLANS: [&str; 6] = [
    "xianghubao.plan",
    "xianghubao-history.plan",
    "jd-hubao.plan",
    "qingsong.plan",
    "shuidi.plan",
    "dishui.plan",
];

fn notify(c: &Connection, method: &str, params: Value) {
    let n = Notification::new(method.to_string(), params);
    c.sender.send(Message::Notification(n)).expect("sent");
}

/// Waits for the diagnostics of `uri`; gives how many there are.
fn diagnostics(c: &Connection, uri: &str) -> usize {
    for m in &c.receiver {
        if let Message::Notification(n) = m
            && n.params["uri"] == uri
        {
            return n.params["diagnostics"].as_array().map_or(0, Vec::len);
        }
    }
    panic!("the server stopped");
}

fn bench(c: &mut Criterion) {
    let (client, server) = Connection::memory();
    let thread =
        std::thread::spawn(move || mutual::lsp::serve_on(&server).map_err(|e| e.to_string()));
    let init = Request::new(
        1.into(),
        "initialize".to_string(),
        json!({ "capabilities": {} }),
    );
    client.sender.send(Message::Request(init)).expect("sent");
    client.receiver.recv().expect("initialized");
    notify(&client, "initialized", json!({}));

    let mut group = c.benchmark_group("lsp/diagnostics");
    group
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for name in PLANS {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("plans")
            .join(name);
        let path = path.canonicalize().expect("a seed plan");
        let uri = format!("file://{}", path.display());
        let text = std::fs::read_to_string(&path).expect("readable");
        let broken = text.replacen("sharing\n", "sharing\n  fe 10% of payouts\n", 1);
        let doc = json!({ "uri": uri, "languageId": "plan", "version": 1, "text": text });
        notify(
            &client,
            "textDocument/didOpen",
            json!({ "textDocument": doc }),
        );
        assert_eq!(diagnostics(&client, &uri), 0, "{name} checks");
        let mut version = 1;
        group.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| {
                version += 1;
                let t = if version % 2 == 0 { &broken } else { &text };
                let doc = json!({ "uri": uri, "version": version });
                let changes = json!([{ "text": t }]);
                notify(
                    &client,
                    "textDocument/didChange",
                    json!({ "textDocument": doc, "contentChanges": changes }),
                );
                diagnostics(&client, &uri)
            })
        });
    }
    group.finish();
    let shutdown = Request::new(2.into(), "shutdown".to_string(), Value::Null);
    client
        .sender
        .send(Message::Request(shutdown))
        .expect("sent");
    notify(&client, "exit", Value::Null);
    drop(client);
    thread
        .join()
        .expect("the server thread")
        .expect("the server ends cleanly");
}

criterion_group!(benches, bench);
criterion_main!(benches);
