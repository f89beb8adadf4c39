//! Issue 16, item 19: the language server under malformed JSON-RPC input and large documents.
//! The server runs as a subprocess, as an editor starts it: malformed messages are written as
//! raw bytes (each answered with the JSON-RPC error where the framing allows it, logged on
//! stderr, and followed by a request that must still be answered); a large document is edited
//! through `tests/support/lsp_client.rs` while its analysis runs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/lsp_client.rs"]
mod lsp_client;

use lsp_client::{uri, Client};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::time::{Duration, Instant};

fn zan() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_zan"))
}

/// One message with its `Content-Length` header.
fn framed(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn message(v: Value) -> Vec<u8> {
    framed(v.to_string().as_bytes())
}

/// What a session of raw input produced.
struct Session {
    /// The server's messages, in order.
    messages: Vec<Value>,
    stderr: String,
    code: Option<i32>,
}

impl Session {
    /// The error responses.
    fn errors(&self) -> Vec<&Value> {
        self.messages
            .iter()
            .filter(|m| m.get("error").is_some())
            .collect()
    }

    fn answered(&self, id: i64) -> bool {
        self.messages
            .iter()
            .any(|m| m["id"] == json!(id) && m.get("result").is_some())
    }
}

/// Read the server's messages (its own framing is well formed) until its output ends.
fn read_messages(mut out: impl Read, to: Sender<Value>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1 << 16];
    loop {
        while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let header = std::str::from_utf8(&buf[..end]).unwrap();
            let length: usize = header
                .lines()
                .find_map(|l| l.strip_prefix("Content-Length: "))
                .expect("Content-Length")
                .parse()
                .unwrap();
            if buf.len() < end + 4 + length {
                break;
            }
            let body: Vec<u8> = buf.drain(..end + 4 + length).skip(end + 4).collect();
            let _ = to.send(serde_json::from_slice(&body).expect("a JSON message"));
        }
        match out.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Wait for the answer to request `id`, keeping every message received.
fn wait_answer(from: &Receiver<Value>, id: i64, kept: &mut Vec<Value>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !kept.iter().any(|m| m["id"] == json!(id)) {
        let left = deadline.saturating_duration_since(Instant::now());
        match from.recv_timeout(left) {
            Ok(m) => kept.push(m),
            Err(_) => return,
        }
    }
}

/// Run `zan lsp` as a client would: `initialize` and its answer, then `input`; then, if
/// `finish`, `shutdown` (id 99), its answer and `exit`; then the end of the input.
fn session(input: &[u8], finish: bool) -> Session {
    let mut child = Command::new(zan())
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start zan lsp");
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let (tx, from_server) = channel();
    std::thread::spawn(move || read_messages(stdout, tx));
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let mut messages = Vec::new();
    let _ = stdin.write_all(&message(json!({"jsonrpc": "2.0", "id": 1,
        "method": "initialize", "params": {"processId": null, "capabilities": {}}})));
    let _ = stdin.flush();
    wait_answer(&from_server, 1, &mut messages);
    let _ = stdin.write_all(input);
    if finish {
        let _ = stdin.write_all(&message(
            json!({"jsonrpc": "2.0", "id": 99, "method": "shutdown"}),
        ));
        let _ = stdin.flush();
        wait_answer(&from_server, 99, &mut messages);
        let _ = stdin.write_all(&message(json!({"jsonrpc": "2.0", "method": "exit"})));
    }
    drop(stdin);
    let (done, status) = channel();
    std::thread::spawn(move || {
        let _ = done.send(child.wait().ok().and_then(|s| s.code()));
    });
    let code = status
        .recv_timeout(Duration::from_secs(60))
        .expect("zan lsp did not end within 60 s");
    messages.extend(from_server.iter());
    Session {
        messages,
        stderr: err.join().unwrap(),
        code,
    }
}

/// `initialize`, then `bad`, then `shutdown` and `exit`.
fn after_initialize(bad: &[u8]) -> Session {
    session(bad, true)
}

/// The session answered `bad` with exactly one error of `code` (id null), logged one line on
/// stderr mentioning `logged`, and kept serving: `shutdown` was answered, and the server ended
/// with 0 on `exit`.
fn assert_answered(s: &Session, code: i64, logged: &str) {
    let errors = s.errors();
    assert_eq!(errors.len(), 1, "one error response: {:#?}", s.messages);
    assert_eq!(errors[0]["error"]["code"], json!(code), "{}", errors[0]);
    assert_eq!(errors[0]["id"], Value::Null, "{}", errors[0]);
    assert_logged_and_served(s, logged);
}

fn assert_logged_and_served(s: &Session, logged: &str) {
    assert!(
        s.stderr
            .lines()
            .any(|l| l.starts_with("zan lsp: ") && l.contains(logged)),
        "stderr should say `{logged}`: {:?}",
        s.stderr
    );
    assert!(s.answered(1), "initialize answered: {:#?}", s.messages);
    assert!(
        s.answered(99),
        "shutdown answered after it: {:#?}",
        s.messages
    );
    assert_eq!(s.code, Some(0), "exit code after shutdown and exit");
}

#[test]
fn a_body_that_is_not_json_gets_a_parse_error_and_the_server_keeps_serving() {
    let s = after_initialize(&framed(b"{\"jsonrpc\": \"2.0\", \"id\": 2, \"method\": "));
    assert_answered(&s, -32700, "not JSON");
    let s = after_initialize(&framed(b"this is not json"));
    assert_answered(&s, -32700, "not JSON");
    // Not UTF-8.
    let s = after_initialize(&framed(b"{\"jsonrpc\": \"2.0\", \"method\": \"\xff\"}"));
    assert_answered(&s, -32700, "not JSON");
}

#[test]
fn an_object_as_id_and_other_invalid_requests_get_an_invalid_request_error() {
    let cases = [
        (
            json!({"jsonrpc": "2.0", "id": {"a": 1}, "method": "shutdown"}),
            "the id is an object",
        ),
        (
            json!({"jsonrpc": "2.0", "id": [2], "method": "shutdown"}),
            "the id is an array",
        ),
        (
            json!({"jsonrpc": "2.0", "id": true, "method": "shutdown"}),
            "the id is a boolean",
        ),
        (json!({"jsonrpc": "2.0", "id": 2}), "no method"),
        (
            json!({"jsonrpc": "2.0", "id": 2, "method": 7}),
            "the method is a number",
        ),
        (
            json!({"jsonrpc": "2.0", "id": 2, "method": ""}),
            "the method is empty",
        ),
        (
            json!({"id": 2, "method": "shutdown"}),
            "\"jsonrpc\" is not \"2.0\"",
        ),
        (
            json!([{"jsonrpc": "2.0", "id": 2, "method": "shutdown"}]),
            "an array instead of an object",
        ),
        (json!(42), "a number instead of an object"),
    ];
    for (bad, why) in cases {
        let s = after_initialize(&message(bad.clone()));
        assert_answered(&s, -32600, why);
        let error = &s.errors()[0]["error"]["message"];
        assert!(error.as_str().unwrap().contains(why), "{bad}: {error}");
    }
}

#[test]
fn a_bad_content_length_is_logged_and_the_reader_resynchronises_on_the_next_header() {
    let body = br#"{"jsonrpc": "2.0", "id": 2, "method": "shutdown"}"#;
    let cases: [(Vec<u8>, &str); 5] = [
        (
            [b"Content-Length: abc\r\n\r\n".as_slice(), body].concat(),
            "not a number",
        ),
        (
            [b"Content-Length: -5\r\n\r\n".as_slice(), body].concat(),
            "not a number",
        ),
        (
            [b"Content-Type: application/json\r\n\r\n".as_slice(), body].concat(),
            "without Content-Length",
        ),
        (b"garbage that is no header\r\n".to_vec(), "without a colon"),
        (
            [b"Content-Length: \xff\r\n\r\n".as_slice(), body].concat(),
            "not UTF-8",
        ),
    ];
    for (bad, logged) in cases {
        let s = after_initialize(&bad);
        assert!(s.errors().is_empty(), "no answer: {:#?}", s.messages);
        assert_logged_and_served(&s, logged);
        assert!(s.stderr.contains("skipped bytes"), "{}", s.stderr);
        // The unreadable message's request (id 2) is not taken for one.
        assert!(!s.answered(2), "{:#?}", s.messages);
    }
}

#[test]
fn a_content_length_over_the_limit_is_answered_without_reading_the_body() {
    for length in ["134217729", "99999999999999999999999"] {
        let bad = format!("Content-Length: {length}\r\n\r\n");
        let s = after_initialize(bad.as_bytes());
        assert_answered(&s, -32600, "over the limit");
    }
}

#[test]
fn several_malformed_messages_in_one_session_each_get_their_answer() {
    let mut input = framed(b"not json");
    input.extend(b"Content-Length: x\r\n\r\n{}");
    input.extend(message(
        json!({"jsonrpc": "2.0", "id": {}, "method": "shutdown"}),
    ));
    input.extend(message(
        json!({"jsonrpc": "2.0", "id": 2, "method": "workspace/symbol",
        "params": {"query": ""}}),
    ));
    input.extend(framed(b""));
    let s = session(&input, true);
    let codes: Vec<&Value> = s.errors().iter().map(|e| &e["error"]["code"]).collect();
    assert_eq!(
        codes,
        [&json!(-32700), &json!(-32600), &json!(-32700)],
        "{:#?}",
        s.messages
    );
    assert!(
        s.answered(2),
        "a request between them is answered: {:#?}",
        s.messages
    );
    assert_eq!(
        s.stderr.lines().count(),
        5,
        "one line per event: {}",
        s.stderr
    );
    assert_logged_and_served(&s, "not a number");
}

#[test]
fn input_ending_inside_a_message_is_logged() {
    let s = session(b"Content-Length: 100\r\n\r\n{\"jsonrpc\"", false);
    assert!(s.answered(1));
    assert!(
        s.stderr.contains("the input ended inside a message"),
        "{}",
        s.stderr
    );
    // No `shutdown` came: the exit code says so.
    assert_eq!(s.code, Some(1));
}

// ------------------------------------------------------------------------------------------
// A large document.

/// The shipped rulebook's files, one after the other, `copies` times: about 520 KB a copy,
/// with thousands of diagnostics (each declaration repeated is a duplicate, pointing at the
/// first one) whose conversion used to be quadratic in the document's size.
fn large_document(copies: usize) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rulebooks/kz-visa");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "zan"))
        .collect();
    files.sort();
    let one: String = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    one.repeat(copies)
}

/// Versions of the diagnostics published for `uri` so far, in order.
fn published_versions(c: &Client, uri: &str) -> Vec<i64> {
    c.notifications
        .iter()
        .filter(|n| n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri)
        .map(|n| n["params"]["version"].as_i64().unwrap_or(-1))
        .collect()
}

/// Wait at most `bound` for diagnostics of `version` to be published for `uri`.
fn wait_version(c: &mut Client, uri: &str, version: i64, bound: Duration) {
    let deadline = Instant::now() + bound;
    while !published_versions(c, uri).contains(&version) {
        assert!(
            c.next_message(deadline).is_some(),
            "no diagnostics for version {version} within {bound:?}; published: {:?}",
            published_versions(c, uri)
        );
    }
}

/// Insert a comment line at the top of the document.
fn edit(c: &mut Client, uri: &str, version: i64) {
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
            "text": format!("// edit {version}\n")}]}),
    );
}

#[test]
fn a_large_document_is_analysed_per_edit_in_seconds_and_exit_is_honoured_during_an_analysis() {
    // About 5 MB and 7,700 diagnostics: a minute per analysis before the fix.
    let text = large_document(10);
    let dir = std::env::temp_dir().join(format!("zan-trust-lsp-{}", std::process::id()));
    let path = dir.join("large.zan");
    let uri = uri(&path);
    let mut c = Client::start(zan());
    c.initialize(&dir);
    c.open(&path, &text);
    wait_version(&mut c, &uri, 1, Duration::from_secs(30));

    // Edits in a burst, then more while the burst's analysis runs: the diagnostics of the
    // newest version come, last, within a bound that allowed none before the fix.
    for version in 2..=4 {
        edit(&mut c, &uri, version);
    }
    std::thread::sleep(Duration::from_millis(300));
    for version in 5..=6 {
        edit(&mut c, &uri, version);
    }
    wait_version(&mut c, &uri, 6, Duration::from_secs(30));
    let versions = published_versions(&c, &uri);
    assert!(
        versions.windows(2).all(|w| w[0] <= w[1]),
        "published in order of version: {versions:?}"
    );
    assert!(
        versions.len() < 6,
        "stale versions are skipped, not queued: {versions:?}"
    );

    // An edit starts an analysis; `shutdown` and `exit` are honoured while it runs.
    edit(&mut c, &uri, 7);
    std::thread::sleep(Duration::from_millis(100));
    let id = c.send_request("shutdown", Value::Null);
    let answer = c.answer_within(id, Duration::from_secs(20));
    assert!(answer.is_some(), "shutdown answered during an analysis");
    c.notify("exit", Value::Null);
    let deadline = Instant::now() + Duration::from_secs(10);
    while c.running() {
        assert!(
            Instant::now() < deadline,
            "exit honoured during an analysis"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let last = published_versions(&c, &uri);
    assert!(
        last.windows(2).all(|w| w[0] <= w[1]),
        "no older version after a newer one: {last:?}"
    );
}

/// An analysis of a snapshot is given up once a newer edit has come (its result would be
/// dropped anyway), between declarations of the file it parses; a snapshot of the current
/// text is analysed to the end.
#[test]
fn an_analysis_made_stale_by_a_newer_edit_is_given_up() {
    use zan::lsp::workspace::Workspace;
    let today = zan::time::date::from_ymd(2026, 12, 7).unwrap();
    // A path in no folder on disk: the document is a folder of its own.
    let path = std::path::Path::new("zan-no-such-folder/stale.zan");
    let text: String = (0..2_000)
        .map(|i| format!("rule r{i}: integer {{ {i} }}\n"))
        .collect();
    let mut ws = Workspace::default();
    let folder = ws.folder_for(path);
    folder.set_text(path, text, true);
    let stale = folder.snapshot();
    assert!(folder.edit(path, |t| t.push_str("rule last: integer { 1 }\n")));
    assert!(
        stale.analyse_unless_stale(today).is_none(),
        "the analysis of the text before the edit went on"
    );
    let current = folder.snapshot();
    let analysed = current
        .analyse_unless_stale(today)
        .expect("the current text is analysed");
    assert_eq!(analysed.generation, folder.generation);
    // Given up means nothing was kept: the parse of the current text is stored.
    folder.store(analysed);
    assert!(folder.current_analysis(today).is_some());
}
