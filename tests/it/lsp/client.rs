//! A minimal editor for the tests: starts `mutual lsp`, speaks JSON-RPC
//! over its stdin and stdout, and keeps what the server sends unasked.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

/// How long a test waits for one message before it fails.
const PATIENCE: Duration = Duration::from_secs(120);

pub struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    /// Notifications and requests from the server, not yet looked at.
    unasked: Vec<Value>,
    next_id: i64,
}

/// The repository's root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `file:` address of a path.
pub fn uri(path: &Path) -> String {
    let path = path.canonicalize().expect("the file exists");
    format!("file://{}", path.display()).replace(' ', "%20")
}

impl Client {
    /// Starts the server and says hello as an editor that can refresh lenses.
    pub fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mutual"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("mutual lsp starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(m) = read_message(&mut reader) {
                if tx.send(m).is_err() {
                    return;
                }
            }
        });
        let mut client = Client {
            child,
            stdin,
            messages,
            unasked: Vec::new(),
            next_id: 1,
        };
        let capabilities = json!({ "workspace": { "codeLens": { "refreshSupport": true } } });
        client.request("initialize", json!({ "capabilities": capabilities }));
        client.notify("initialized", json!({}));
        client
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and waits for its response (the whole message).
    pub fn request_full(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let m = self.receive();
            if m["id"] == json!(id) && m.get("method").is_none() {
                return m;
            }
            self.unasked.push(m);
        }
    }

    /// Sends a request and gives its result.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.request_full(method, params);
        assert!(
            response.get("error").is_none(),
            "{method} failed: {response}"
        );
        response["result"].clone()
    }

    /// Opens a file in the editor with `text`.
    pub fn open(&mut self, path: &Path, text: &str) {
        let doc = json!({ "uri": uri(path), "languageId": "plan", "version": 1, "text": text });
        self.notify("textDocument/didOpen", json!({ "textDocument": doc }));
    }

    /// Replaces the whole text of an open file.
    pub fn change(&mut self, path: &Path, version: i64, text: &str) {
        let doc = json!({ "uri": uri(path), "version": version });
        let changes = json!([{ "text": text }]);
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": doc, "contentChanges": changes }),
        );
    }

    /// Waits for the next message from the server that `wanted` accepts.
    pub fn wait_for(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.unasked.iter().position(&wanted) {
            return self.unasked.remove(i);
        }
        loop {
            let m = self.receive();
            if wanted(&m) {
                return m;
            }
            self.unasked.push(m);
        }
    }

    /// The next diagnostics published for `path`.
    pub fn diagnostics(&mut self, path: &Path) -> Value {
        let uri = uri(path);
        let m = self.wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        });
        m["params"]["diagnostics"].clone()
    }

    /// Answers a request from the server with an empty result.
    pub fn reply(&mut self, request: &Value) {
        self.send(json!({ "jsonrpc": "2.0", "id": request["id"], "result": null }));
    }

    /// Asks the server to shut down and exit; gives its exit code.
    pub fn stop(mut self) -> Option<i32> {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        self.child.wait().expect("the server exits").code()
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("written");
        self.stdin.flush().expect("flushed");
    }

    fn receive(&mut self) -> Value {
        self.messages
            .recv_timeout(PATIENCE)
            .expect("the server answers in time")
    }
}

/// One framed message, or none at the end of the stream.
fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// The position (line, UTF-16 column) of the `k`-th byte of `needle` in `text`.
pub fn position(text: &str, needle: &str, k: usize) -> Value {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` is in the text"))
        + k;
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..at].matches('\n').count();
    let character: usize = text[line_start..at].chars().map(char::len_utf16).sum();
    json!({ "line": line, "character": character })
}

/// A result as a snapshot shows it: pretty JSON, the repository's address cut.
pub fn shown(v: &Value) -> String {
    let root = uri(&repo());
    serde_json::to_string_pretty(v)
        .expect("JSON")
        .replace(&root, "file://REPO")
        .replace(
            &repo().canonicalize().expect("repo").display().to_string(),
            "REPO",
        )
}
