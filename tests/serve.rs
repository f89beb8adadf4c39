//! `zan serve`, end to end: the real binary on a loopback port, every endpoint of
//! `docs/serve.md` and every error status of its table, the batch stream, the limits, the
//! decision log, metrics and the SIGTERM drain.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod serve_support;

use common::server::Server;
use serde_json::{json, Value};
use serve_support::{example_lines, examples, get, kz_visa, one_line, post, request, Raw};
use std::time::Duration;

fn decide_url(s: &Server) -> String {
    format!("{}/v1/rulebooks/kz_visa/decide", s.url)
}

fn batch_url(s: &Server) -> String {
    format!("{}/v1/rulebooks/kz_visa/batch", s.url)
}

fn first_example() -> String {
    examples()[0].1.clone()
}

#[test]
fn decide_answers_the_envelope_and_its_headers() {
    let s = Server::start(&kz_visa(), &[]);
    let a = post(&decide_url(&s), first_example().as_bytes());
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.header("content-type"), Some("application/json"));
    let v = a.json();
    let id = v["decision_id"].as_str().unwrap();
    assert_eq!(id.len(), 36);
    assert_eq!(&id[14..15], "7", "a UUID v7: {id}");
    assert_eq!(a.header("zan-decision-id"), Some(id));
    let hash = v["rulebook"]["hash"].as_str().unwrap();
    assert!(hash.starts_with("sha256:") && hash.len() == 71, "{hash}");
    assert_eq!(a.header("zan-rulebook-hash"), Some(hash));
    assert_eq!(v["rulebook"]["name"], "kz_visa");
    let version = &v["rulebook"]["version"];
    assert_eq!(
        a.header("zan-rulebook-version"),
        Some(version["index"].to_string().as_str())
    );
    assert!(version["in_force_from"].is_string() || version["index"] == 0);
    assert_eq!(v["decision"]["rulebook"], "kz_visa");
    assert!(v["decision"]["outputs"].is_object());
    // The member order of the contract.
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["decision_id", "rulebook", "decision"]);
    // The served hash is the one listed.
    let list = get(&format!("{}/v1/rulebooks", s.url)).json();
    assert_eq!(list["rulebooks"][0]["hash"], hash);
    assert_eq!(list["rulebooks"][0]["status"], "ok");
    // Two decisions, two identifiers.
    let b = post(&decide_url(&s), first_example().as_bytes()).json();
    assert_ne!(b["decision_id"], v["decision_id"]);
}

#[test]
fn the_version_is_the_one_in_force_on_the_evaluation_date() {
    let s = Server::start(&kz_visa(), &[]);
    let list = get(&format!("{}/v1/rulebooks", s.url)).json();
    let versions = list["rulebooks"][0]["versions"].as_array().unwrap().clone();
    assert!(versions.len() > 1);
    assert_eq!(versions[0]["index"], 0);
    for v in &versions {
        let index = v["index"].as_u64().unwrap();
        let Some(from) = v["in_force_from"].as_str() else {
            continue;
        };
        let a = post(
            &format!("{}?as_of={from}", decide_url(&s)),
            first_example().as_bytes(),
        );
        assert_eq!(a.status, 200, "{}", a.body);
        assert_eq!(a.json()["rulebook"]["version"], *v, "as of {from}");
        assert_eq!(
            a.header("zan-rulebook-version"),
            Some(index.to_string().as_str())
        );
        assert_eq!(a.json()["decision"]["as_of"], from);
    }
}

#[test]
fn a_request_object_carries_the_parameters() {
    let s = Server::start(&kz_visa(), &[]);
    let case: Value = serde_json::from_str(&first_example()).unwrap();
    let plain = post(&decide_url(&s), first_example().as_bytes()).json();
    let first_output = plain["decision"]["outputs"]
        .as_object()
        .unwrap()
        .keys()
        .next()
        .unwrap()
        .clone();
    let body = json!({ "case": case, "as_of": "2026-03-10", "explain": "path", "outputs": [first_output] });
    let a = post(&decide_url(&s), body.to_string().as_bytes());
    assert_eq!(a.status, 200, "{}", a.body);
    let d = &a.json()["decision"];
    assert_eq!(d["as_of"], "2026-03-10");
    assert_eq!(d["outputs"].as_object().unwrap().len(), 1);
    assert!(
        d["explanation"].is_object() || d["explanation"].is_array(),
        "{d}"
    );
    // The same parameters in the query give the same decision.
    let q = post(
        &format!(
            "{}?as_of=2026-03-10&explain=path&outputs={first_output}",
            decide_url(&s)
        ),
        first_example().as_bytes(),
    );
    assert_eq!(q.json()["decision"], *d);
    // explain=none is no explanation.
    let none = post(
        &format!("{}?explain=none", decide_url(&s)),
        first_example().as_bytes(),
    );
    assert!(none.json()["decision"].get("explanation").is_none());
}

#[test]
fn bad_parameters_are_400() {
    let s = Server::start(&kz_visa(), &[]);
    let case: Value = serde_json::from_str(&first_example()).unwrap();
    let both = json!({ "case": case, "as_of": "2026-03-10" }).to_string();
    for (query, body) in [
        ("?as_of=2026-13-40", first_example()),
        ("?as_of=soon", first_example()),
        ("?explain=everything", first_example()),
        ("?outputs=no_such_output", first_example()),
        ("?outputs=", first_example()),
        ("?colour=blue", first_example()),
        ("?as_of=2026-03-10&as_of=2026-03-11", first_example()),
        ("?as_of=2026-03-10", both.clone()),
        ("", json!({ "case": case, "explain": 3 }).to_string()),
        ("", json!({ "case": case, "outputs": "a" }).to_string()),
    ] {
        let a = post(&format!("{}{query}", decide_url(&s)), body.as_bytes());
        assert_eq!(a.status, 400, "{query} {}", a.body);
        assert_eq!(a.kind(), "bad_parameter", "{query}");
        assert!(a.json()["error"]["message"].as_str().unwrap().len() > 5);
    }
    let a = post(
        &format!("{}?as_of=x", batch_url(&s)),
        first_example().as_bytes(),
    );
    assert_eq!((a.status, a.kind().as_str()), (400, "bad_parameter"));
}

#[test]
fn bodies_that_are_not_json_are_400() {
    let s = Server::start(&kz_visa(), &[]);
    for body in [&b"{not json"[..], b"", b"\xff\xfe{}"] {
        let a = post(&decide_url(&s), body);
        assert_eq!(a.status, 400, "{}", a.body);
        assert_eq!(a.kind(), "invalid_json");
    }
}

#[test]
fn cases_that_do_not_match_are_422_with_their_paths() {
    let s = Server::start(&kz_visa(), &[]);
    let mut case: Value = serde_json::from_str(&first_example()).unwrap();
    case["assessed_on"] = json!("not a date");
    case["surprise"] = json!(1);
    let a = post(&decide_url(&s), case.to_string().as_bytes());
    assert_eq!(a.status, 422, "{}", a.body);
    assert_eq!(a.kind(), "invalid_case");
    let errors = a.json();
    let all: Vec<String> = errors["error"]["case_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap().to_string())
        .collect();
    assert!(all.contains(&"$.assessed_on".to_string()), "{all:?}");
    assert!(all.contains(&"$.surprise".to_string()), "{all:?}");
    // A key given twice.
    let text = first_example();
    let twice = text.replacen('{', "{\"assessed_on\": \"2026-03-10\",", 1);
    let a = post(&decide_url(&s), twice.as_bytes());
    assert_eq!(
        (a.status, a.kind().as_str()),
        (422, "duplicate_key"),
        "{}",
        a.body
    );
    assert_eq!(a.json()["error"]["case_errors"][0]["path"], "$.assessed_on");
    // Inside a request object too.
    let inner = format!("{{\"case\": {twice}}}");
    let a = post(&decide_url(&s), inner.as_bytes());
    assert_eq!(
        (a.status, a.kind().as_str()),
        (422, "duplicate_key"),
        "{}",
        a.body
    );
}

#[test]
fn a_case_without_an_evaluation_date_is_422_evaluation() {
    let minimal = common::root().join("tests/data/check/ok/minimal.zan");
    let s = Server::start(&minimal, &[]);
    let url = format!("{}/v1/rulebooks/kz_minimal/decide", s.url);
    let a = post(&url, b"{}");
    assert_eq!(
        (a.status, a.kind().as_str()),
        (422, "evaluation"),
        "{}",
        a.body
    );
    let a = post(&format!("{url}?as_of=2026-01-01"), b"{}");
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.json()["decision"]["outputs"]["visa_required"], true);
}

#[test]
fn unknown_rulebooks_paths_and_methods_answer_json() {
    let s = Server::start(&kz_visa(), &[]);
    let a = post(&format!("{}/v1/rulebooks/nope/decide", s.url), b"{}");
    assert_eq!((a.status, a.kind().as_str()), (404, "not_found"));
    for path in [
        "/v1/nope",
        "/v1/rulebooks/kz_visa",
        "/v1/rulebooks/kz_visa/decide/more",
    ] {
        let a = get(&format!("{}{path}", s.url));
        assert_eq!((a.status, a.kind().as_str()), (404, "not_found"), "{path}");
    }
    for (method, path) in [
        ("GET", "/v1/rulebooks/kz_visa/decide"),
        ("PUT", "/v1/rulebooks/kz_visa/batch"),
        ("POST", "/v1/rulebooks"),
        ("DELETE", "/healthz"),
        ("POST", "/metrics"),
    ] {
        let a = request(method, &format!("{}{path}", s.url), None);
        assert_eq!(a.status, 405, "{method} {path}");
        assert_eq!(a.kind(), "method_not_allowed");
        assert!(a.header("allow").is_some(), "{method} {path}");
    }
    let a = request("DELETE", &format!("{}/r/kz_visa/", s.url), None);
    assert_eq!((a.status, a.kind().as_str()), (405, "method_not_allowed"));
    for path in [
        "/v1/rulebooks/nope/schema",
        "/v1/rulebooks/nope/diagnostics",
    ] {
        assert_eq!(get(&format!("{}{path}", s.url)).status, 404);
    }
}

#[test]
fn a_body_over_the_limit_is_413() {
    let s = Server::start(&kz_visa(), &["--max-body-bytes", "2KiB"]);
    let big = format!("{{\"pad\": \"{}\"}}", "x".repeat(3000));
    let a = post(&decide_url(&s), big.as_bytes());
    assert_eq!(
        (a.status, a.kind().as_str()),
        (413, "body_too_large"),
        "{}",
        a.body
    );
    // Without a length: counted as it arrives.
    let mut raw = Raw::chunked(&s.addr, "/v1/rulebooks/kz_visa/decide");
    raw.send(&big.as_bytes()[..1500]);
    raw.send(&big.as_bytes()[1500..]);
    raw.finish();
    raw.read_head();
    assert_eq!(raw.status, 413);
    assert!(raw.rest().contains("body_too_large"));
    // Under it, decided.
    assert_eq!(
        post(&decide_url(&s), first_example().as_bytes()).status,
        200
    );
}

#[test]
fn a_body_that_stalls_is_504() {
    let s = Server::start(&kz_visa(), &["--request-timeout", "300ms"]);
    let mut raw = Raw::open(
        &s.addr,
        "POST /v1/rulebooks/kz_visa/decide HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n",
    );
    raw.send_raw(b"{\"assessed_on\"");
    raw.read_head();
    assert_eq!(raw.status, 504);
    let body: Value = serde_json::from_str(&raw.rest()).unwrap();
    assert_eq!(body["error"]["kind"], "timeout");
}

#[test]
fn more_requests_than_the_concurrency_limit_are_503_overloaded() {
    let s = Server::start(&kz_visa(), &["--max-concurrency", "1"]);
    let line = one_line(&first_example()) + "\n";
    let mut held = Raw::chunked(&s.addr, "/v1/rulebooks/kz_visa/batch");
    held.send(line.as_bytes());
    held.read_head();
    assert_eq!(held.status, 200);
    assert!(held.line().unwrap().starts_with("{\"line\":1,"));
    // The batch holds the only place.
    let a = post(&decide_url(&s), first_example().as_bytes());
    assert_eq!(
        (a.status, a.kind().as_str()),
        (503, "overloaded"),
        "{}",
        a.body
    );
    assert!(a.header("retry-after").is_some());
    let b = post(&batch_url(&s), line.as_bytes());
    assert_eq!((b.status, b.kind().as_str()), (503, "overloaded"));
    // Reading endpoints are not limited.
    assert_eq!(get(&format!("{}/healthz", s.url)).status, 200);
    held.send(line.as_bytes());
    held.finish();
    assert!(held.line().unwrap().starts_with("{\"line\":2,"));
    assert_eq!(held.line(), None);
    // The place is free again once the batch has ended.
    let mut ok = false;
    for _ in 0..100 {
        if post(&decide_url(&s), first_example().as_bytes()).status == 200 {
            ok = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(ok, "the place was not given back");
}

#[test]
fn batch_answers_one_line_per_line_with_errors_in_place() {
    let s = Server::start(&kz_visa(), &["--max-line-bytes", "20000"]);
    let good = one_line(&first_example());
    let long = format!("{{\"pad\": \"{}\"}}", "x".repeat(30000));
    let body = format!("{good}\n\n{{oops\n{long}\n{{\"a\": 1}}\n \t\n\u{feff}\n{good}\r\n{good}");
    let a = post(&batch_url(&s), body.as_bytes());
    assert_eq!(a.status, 200);
    assert_eq!(a.header("content-type"), Some("application/x-ndjson"));
    let lines: Vec<Value> = a
        .body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kinds: Vec<String> = lines
        .iter()
        .map(|l| match l.get("error") {
            Some(e) => e["kind"].as_str().unwrap().to_string(),
            None => "decision".to_string(),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "decision",
            "empty_line",
            "invalid_json",
            "line_too_long",
            "invalid_case",
            "empty_line",
            "invalid_json",
            "decision",
            "decision"
        ]
    );
    for (i, (l, text)) in lines.iter().zip(a.body.lines()).enumerate() {
        assert_eq!(l["line"], i + 1);
        assert!(
            text.starts_with(&format!("{{\"line\":{},", i + 1)),
            "{text}"
        );
    }
    assert_eq!(lines[4]["error"]["case_errors"][0]["path"], "$.a");
    assert!(a.body.ends_with('\n'));
    // Bytes that are not UTF-8 are that line's error.
    let a = post(&batch_url(&s), b"\xff\xff\n{}\n");
    let first: Value = serde_json::from_str(a.body.lines().next().unwrap()).unwrap();
    assert_eq!(first["error"]["kind"], "invalid_utf8");
    assert_eq!(a.body.lines().count(), 2);
    // An empty body has no lines.
    assert_eq!(post(&batch_url(&s), b"").body, "");
}

#[test]
fn batch_streams_each_answer_before_the_next_line_is_sent() {
    let s = Server::start(&kz_visa(), &[]);
    let lines = example_lines(5);
    let mut raw = Raw::chunked(&s.addr, "/v1/rulebooks/kz_visa/batch?as_of=2026-03-10");
    raw.read_head_after_first(&lines[0]);
    assert_eq!(raw.status, 200);
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            // Sent in two pieces: a line is cut wherever the body's pieces end.
            let (a, b) = line.split_at(line.len() / 2);
            raw.send(a.as_bytes());
            raw.send(format!("{b}\n").as_bytes());
        }
        let answer: Value = serde_json::from_str(&raw.line().unwrap()).unwrap();
        assert_eq!(answer["line"], i + 1);
        assert_eq!(answer["decision"]["as_of"], "2026-03-10");
    }
    raw.finish();
    assert_eq!(raw.line(), None);
}

trait FirstLine {
    fn read_head_after_first(&mut self, line: &str);
}

impl FirstLine for Raw {
    /// Send the first line, then read the head (sent once the handler has started).
    fn read_head_after_first(&mut self, line: &str) {
        self.send(format!("{line}\n").as_bytes());
        self.read_head();
    }
}

#[test]
fn a_large_batch_is_streamed_through() {
    let s = Server::start(&kz_visa(), &[]);
    let lines = example_lines(6000);
    let body = lines.join("\n") + "\n";
    assert!(body.len() > 3 << 20, "{} bytes", body.len());
    let mut raw = Raw::chunked(&s.addr, "/v1/rulebooks/kz_visa/batch");
    let writer = {
        let addr_body = body.clone();
        let mut sender = raw.try_clone_writer();
        std::thread::spawn(move || {
            for piece in addr_body.as_bytes().chunks(64 << 10) {
                sender.send(piece);
            }
            sender.finish();
        })
    };
    raw.read_head();
    let mut n = 0;
    while let Some(line) = raw.line() {
        n += 1;
        assert!(
            line.starts_with(&format!("{{\"line\":{n},\"decision_id\"")),
            "{}",
            &line[..80.min(line.len())]
        );
    }
    writer.join().unwrap();
    assert_eq!(n, lines.len());
}

#[test]
fn schema_diagnostics_openapi_health_and_the_explorer_answer() {
    let s = Server::start(&kz_visa(), &[]);
    let all = get(&format!("{}/v1/rulebooks/kz_visa/schema", s.url));
    assert_eq!(all.status, 200);
    let all = all.json();
    for part in ["case", "decision", "explanation"] {
        assert!(all[part].is_object(), "{part}");
    }
    for (part, key) in [
        ("case", "case"),
        ("decision", "decision"),
        ("explain", "explanation"),
    ] {
        let one = get(&format!(
            "{}/v1/rulebooks/kz_visa/schema?part={part}",
            s.url
        ))
        .json();
        assert_eq!(one, all[key], "{part}");
    }
    let bad = get(&format!(
        "{}/v1/rulebooks/kz_visa/schema?part=everything",
        s.url
    ));
    assert_eq!((bad.status, bad.kind().as_str()), (400, "bad_parameter"));
    let d = get(&format!("{}/v1/rulebooks/kz_visa/diagnostics", s.url));
    assert_eq!(d.status, 200);
    let d = d.json();
    assert_eq!(d["rulebook"], "kz_visa");
    assert_eq!(d["served"]["errors"], 0);
    assert!(d["served"]["diagnostics"].is_array());
    assert_eq!(d["last_attempt"]["result"], "ok");
    let o = get(&format!("{}/openapi.json", s.url));
    assert_eq!(o.status, 200);
    assert!(o.json()["openapi"].as_str().unwrap().starts_with("3.1"));
    let h = get(&format!("{}/healthz", s.url));
    assert_eq!(h.status, 200);
    let r = get(&format!("{}/readyz", s.url));
    assert_eq!(r.status, 200);
    let page = get(&format!("{}/", s.url));
    assert!(page
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    // The folder without its slash leads to it (the pages' links are relative).
    let page = get(&format!("{}/r/kz_visa", s.url));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Kazakhstan visa and migration rules"));
    let page = get(&format!("{}/r/kz_visa/", s.url));
    assert!(page
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
}

/// `name{labels} value` lines: the value of the sample whose labels include all of `want`.
fn sample(text: &str, name: &str, want: &[(&str, &str)]) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .find(|l| {
            want.iter()
                .all(|(k, v)| l.contains(&format!("{k}=\"{v}\"")))
        })
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[test]
fn metrics_count_requests_and_decisions() {
    let s = Server::start(&kz_visa(), &[]);
    let example = first_example();
    for _ in 0..3 {
        assert_eq!(post(&decide_url(&s), example.as_bytes()).status, 200);
    }
    let lines = example_lines(4).join("\n") + "\n{}\n";
    assert_eq!(post(&batch_url(&s), lines.as_bytes()).status, 200);
    assert_eq!(post(&decide_url(&s), b"{}").status, 422);
    let hash = get(&format!("{}/v1/rulebooks", s.url)).json()["rulebooks"][0]["hash"]
        .as_str()
        .unwrap()
        .to_string();
    let m = get(&format!("{}/metrics", s.url));
    assert_eq!(m.status, 200);
    assert!(m
        .header("content-type")
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = m.body;
    // Every sample line is `name{labels} value` with a number.
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let (_, value) = line.rsplit_once(' ').unwrap();
        assert!(value.parse::<f64>().is_ok(), "{line}");
        let name_end = line.find(['{', ' ']).unwrap();
        assert!(
            line[..name_end]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "{line}"
        );
    }
    let decided = sample(
        &text,
        "zan_decisions_total",
        &[
            ("rulebook", "kz_visa"),
            ("version", "2026-03-10"),
            ("hash", &hash),
        ],
    );
    // Each example is decided on its own date, not all in the last version: count over all.
    let total: f64 = text
        .lines()
        .filter(|l| l.starts_with("zan_decisions_total{"))
        .map(|l| l.rsplit(' ').next().unwrap().parse::<f64>().unwrap())
        .sum();
    assert_eq!(total, 7.0, "{text}");
    assert!(decided.is_some() || total == 7.0);
    assert_eq!(
        sample(
            &text,
            "zan_decision_errors_total",
            &[("rulebook", "kz_visa"), ("kind", "invalid_case")]
        ),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            "zan_http_requests_total",
            &[
                ("route", "/v1/rulebooks/{name}/decide"),
                ("method", "POST"),
                ("status", "200")
            ]
        ),
        Some(3.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            "zan_rulebook_info",
            &[("rulebook", "kz_visa"), ("hash", &hash)]
        ),
        Some(1.0)
    );
    assert!(text.contains("zan_http_request_duration_seconds_bucket{route=\"/v1/rulebooks/{name}/decide\",le=\"+Inf\"} 4"));
    assert!(text.contains("zan_decision_duration_seconds_count{rulebook=\"kz_visa\",version="));
    assert!(
        text.contains("zan_in_flight_requests 1"),
        "the /metrics request itself"
    );
}

#[test]
fn the_decision_log_has_one_line_per_decision_returned() {
    let dir = common::temp_dir("serve-decision-log");
    let log = dir.join("decisions.ndjson");
    let s = Server::start(&kz_visa(), &["--decision-log", log.to_str().unwrap()]);
    let mut returned = Vec::new();
    for (_, text) in examples().iter().take(4) {
        let a = post(&decide_url(&s), text.as_bytes());
        assert_eq!(a.status, 200);
        returned.push(a.json()["decision_id"].as_str().unwrap().to_string());
    }
    assert_eq!(post(&decide_url(&s), b"{}").status, 422);
    let lines = example_lines(6).join("\n") + "\n\n{\"a\": 1}\n";
    let a = post(
        &format!("{}?as_of=2026-03-10", batch_url(&s)),
        lines.as_bytes(),
    );
    let mut batch_decisions = Vec::new();
    for l in a.body.lines() {
        let v: Value = serde_json::from_str(l).unwrap();
        if let Some(id) = v["decision_id"].as_str() {
            returned.push(id.to_string());
            batch_decisions.push(v);
        }
    }
    assert_eq!(returned.len(), 10);
    let text = std::fs::read_to_string(&log).unwrap();
    let logged: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(logged.len(), returned.len(), "{text}");
    let mut ids: Vec<&str> = logged
        .iter()
        .map(|l| l["decision_id"].as_str().unwrap())
        .collect();
    ids.sort();
    let mut want: Vec<&str> = returned.iter().map(String::as_str).collect();
    want.sort();
    assert_eq!(ids, want);
    let first = &logged[0];
    assert_eq!(
        first["case"],
        serde_json::from_str::<Value>(&examples()[0].1).unwrap()
    );
    assert_eq!(first["rulebook"]["name"], "kz_visa");
    assert!(first["time"].as_str().unwrap().ends_with('Z'));
    assert!(first.get("as_of").is_none());
    let last = logged.last().unwrap();
    assert_eq!(last["as_of"], "2026-03-10");
    assert_eq!(
        last["decision"],
        batch_decisions.last().unwrap()["decision"]
    );
}

#[test]
fn a_decision_log_that_cannot_be_written_returns_no_decision() {
    let s = Server::start(&kz_visa(), &["--decision-log", "/dev/full"]);
    let a = post(&decide_url(&s), first_example().as_bytes());
    assert_eq!(
        (a.status, a.kind().as_str()),
        (503, "decision_log"),
        "{}",
        a.body
    );
    assert!(!a.body.contains("decision_id"));
    let lines = example_lines(3).join("\n") + "\n";
    let b = post(&batch_url(&s), lines.as_bytes());
    assert!(!b.body.contains("decision_id"), "{}", b.body);
    for l in b.body.lines() {
        let v: Value = serde_json::from_str(l).unwrap();
        assert_eq!(v["error"]["kind"], "decision_log");
    }
    // A case that is not decided needs no line.
    assert_eq!(post(&decide_url(&s), b"{}").status, 422);
}

#[test]
fn sigterm_lets_the_request_in_flight_finish() {
    let s = Server::start(&kz_visa(), &[]);
    let lines = example_lines(3);
    let mut raw = Raw::chunked(&s.addr, "/v1/rulebooks/kz_visa/batch");
    raw.read_head_after_first(&lines[0]);
    assert!(raw.line().unwrap().starts_with("{\"line\":1,"));
    common::server::signal(s.pid(), "TERM");
    // Draining: once the server has said so, new work on a live connection is refused.
    let mut said = false;
    for _ in 0..200 {
        if s.stderr_text().contains("shutting down") {
            said = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(said, "{}", s.stderr_text());
    // No new connections: the listener is closed.
    let mut refused = false;
    for _ in 0..250 {
        if std::net::TcpStream::connect(&s.addr).is_err() {
            refused = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(refused, "the listener still accepts while draining");
    raw.send(format!("{}\n{}\n", lines[1], lines[2]).as_bytes());
    raw.finish();
    assert!(raw.line().unwrap().starts_with("{\"line\":2,"));
    assert!(raw.line().unwrap().starts_with("{\"line\":3,"));
    assert_eq!(raw.line(), None);
    let stderr = s.stderr.clone();
    let status = s.terminate(Duration::from_secs(30)).expect("it exits");
    assert!(status.success(), "{status:?}");
    let text = stderr.lock().unwrap().clone();
    assert!(text.contains("SIGTERM"), "{text}");
    assert!(text.contains("zan serve: stopped"), "{text}");
}

#[test]
fn start_up_failures_are_clear_and_exit_nonzero() {
    let kz = kz_visa();
    let kz = kz.to_str().unwrap();
    let twice = common::zan(&["serve", kz, kz, "--addr", "127.0.0.1:0"]);
    assert_eq!(twice.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&twice.stderr).contains("both declare the rulebook `kz_visa`"));
    let bad = common::zan(&["serve", kz, "--addr", "not an address"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("cannot listen on not an address"));
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().to_string();
    let busy = common::zan(&["serve", kz, "--addr", &port]);
    assert_eq!(busy.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&busy.stderr).contains(&format!("cannot listen on {port}")));
    let dir = common::temp_dir("serve-broken");
    let broken_file = dir.join("broken.zan");
    std::fs::write(
        &broken_file,
        "rulebook broken {\n}\n\noutput rule r: bool {\n  no_such_name\n}\n",
    )
    .unwrap();
    let broken = common::zan(&[
        "serve",
        broken_file.to_str().unwrap(),
        "--addr",
        "127.0.0.1:0",
    ]);
    assert_eq!(
        broken.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&broken.stderr)
    );
    let said = String::from_utf8_lossy(&broken.stderr).to_string();
    assert!(
        said.contains("no_such_name") && said.contains("error"),
        "{said}"
    );
    let folder_log = common::zan(&[
        "serve",
        kz,
        "--addr",
        "127.0.0.1:0",
        "--decision-log",
        "tests",
    ]);
    assert_eq!(folder_log.status.code(), Some(2));
    let size = common::zan(&["serve", kz, "--max-body-bytes", "lots"]);
    assert_eq!(size.status.code(), Some(2));
}

#[test]
fn the_start_up_lines_name_each_rulebook() {
    let s = Server::start(&kz_visa(), &[]);
    let text = s.stderr_text();
    assert!(
        text.contains(&format!("zan serve: listening on {}", s.url)),
        "{text}"
    );
    let hash = get(&format!("{}/v1/rulebooks", s.url)).json()["rulebooks"][0]["hash"]
        .as_str()
        .unwrap()
        .to_string();
    let mut found = false;
    for _ in 0..100 {
        if s.stderr_text().contains(&format!(
            "zan serve: kz_visa from {}: {hash}",
            kz_visa().display()
        )) {
            found = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(found, "{}", s.stderr_text());
}
