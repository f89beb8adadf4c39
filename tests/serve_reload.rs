//! `zan serve` watching its rulebook folder: a change that checks is served at once (new hash,
//! new decisions), a change with errors is not (the last good version keeps serving, the
//! errors are at the diagnostics endpoint and on standard error), and a fix is served again.
//! Requests made all along never fail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod serve_support;

use common::server::Server;
use serde_json::Value;
use serve_support::{get, kz_visa, post};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const RULE: &str = "consular fee is not refundable.\"\n{\n  false";

fn e_visa_case() -> String {
    std::fs::read_to_string(kz_visa().join("examples/e-visa-tourist.json")).unwrap()
}

/// The value of `e_visa_fee_refunded_if_denied` and the hash it was decided with.
fn refunded(url: &str) -> (Value, String) {
    let a = post(
        &format!("{url}/v1/rulebooks/kz_visa/decide"),
        e_visa_case().as_bytes(),
    );
    assert_eq!(a.status, 200, "{}", a.body);
    let v = a.json();
    (
        v["decision"]["outputs"]["e_visa_fee_refunded_if_denied"].clone(),
        v["rulebook"]["hash"].as_str().unwrap().to_string(),
    )
}

/// Wait (at most 60 s) until `done` holds.
fn until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn changes_are_served_errors_are_not_and_requests_never_fail() {
    let dir = common::temp_dir("serve-reload").join("kz-visa");
    common::copy_dir(&kz_visa(), &dir);
    let file = dir.join("e-visa.zan");
    let original = std::fs::read_to_string(&file).unwrap();
    assert!(original.contains(RULE));
    let s = Server::start(&dir, &["--watch-interval", "100ms"]);
    let url = s.url.clone();
    let (before, first_hash) = refunded(&url);
    assert_eq!(before, Value::Bool(false));

    // Requests all along: every one is decided.
    let stop = Arc::new(AtomicBool::new(false));
    let made = Arc::new(AtomicUsize::new(0));
    let load = {
        let (stop, made, url) = (stop.clone(), made.clone(), url.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let a = post(
                    &format!("{url}/v1/rulebooks/kz_visa/decide"),
                    e_visa_case().as_bytes(),
                );
                assert_eq!(
                    a.status, 200,
                    "a request during a reload failed: {}",
                    a.body
                );
                made.fetch_add(1, Ordering::Relaxed);
            }
        })
    };

    // A change that checks: served, with its own hash.
    std::fs::write(
        &file,
        original.replace(RULE, &RULE.replace("false", "true")),
    )
    .unwrap();
    until("the change to be served", || {
        refunded(&url).0 == Value::Bool(true)
    });
    let (_, changed_hash) = refunded(&url);
    assert_ne!(changed_hash, first_hash);
    until("the reload to be said", || {
        s.stderr_text().contains("zan serve: reloaded kz_visa")
    });

    // A change with an error: not served.
    let broken = original.replace(RULE, &RULE.replace("false", "no_such_name_anywhere"));
    std::fs::write(&file, broken).unwrap();
    let diagnostics_url = format!("{url}/v1/rulebooks/kz_visa/diagnostics");
    until("the failed reload to be recorded", || {
        get(&diagnostics_url).json()["last_attempt"]["result"] == "error"
    });
    let d = get(&diagnostics_url).json();
    let last = &d["last_attempt"];
    assert!(last["errors"].as_u64().unwrap() >= 1, "{d}");
    let error = last["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["severity"] == "error")
        .unwrap();
    assert!(error["code"].as_str().unwrap().starts_with('Z'), "{error}");
    assert!(
        error["primary"]["file"]
            .as_str()
            .unwrap()
            .ends_with("e-visa.zan"),
        "{error}"
    );
    assert!(error["primary"]["line"].as_u64().unwrap() > 0);
    assert_eq!(d["served"]["hash"], changed_hash.as_str());
    let (value, hash) = refunded(&url);
    assert_eq!(
        (value, hash.as_str()),
        (Value::Bool(true), changed_hash.as_str())
    );
    let listed = get(&format!("{url}/v1/rulebooks")).json();
    assert_eq!(listed["rulebooks"][0]["status"], "stale");
    until("the error to be said", || {
        s.stderr_text().contains("zan serve: not reloaded kz_visa")
    });
    assert!(
        s.stderr_text().contains("no_such_name_anywhere"),
        "{}",
        s.stderr_text()
    );

    // Fixed: served again.
    std::fs::write(&file, &original).unwrap();
    until("the fix to be served", || {
        refunded(&url).0 == Value::Bool(false)
    });
    assert_eq!(
        refunded(&url).1,
        first_hash,
        "the same files, the same hash"
    );
    assert_eq!(get(&diagnostics_url).json()["last_attempt"]["result"], "ok");
    let listed = get(&format!("{url}/v1/rulebooks")).json();
    assert_eq!(listed["rulebooks"][0]["status"], "ok");

    stop.store(true, Ordering::Relaxed);
    load.join().unwrap();
    assert!(made.load(Ordering::Relaxed) > 0);
    let metrics = get(&format!("{url}/metrics")).body;
    assert!(
        metrics.contains("zan_rulebook_reloads_total{rulebook=\"kz_visa\",result=\"ok\"} 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("zan_rulebook_reloads_total{rulebook=\"kz_visa\",result=\"error\"} 1"),
        "{metrics}"
    );
}

#[test]
fn a_reload_that_renames_the_rulebook_is_refused() {
    let dir = common::temp_dir("serve-reload-rename").join("kz-visa");
    common::copy_dir(&kz_visa(), &dir);
    let s = Server::start(&dir, &["--watch-interval", "100ms"]);
    let (_, hash) = refunded(&s.url);
    let rulebook = dir.join("rulebook.zan");
    let text = std::fs::read_to_string(&rulebook).unwrap();
    std::fs::write(
        &rulebook,
        text.replacen("rulebook kz_visa {", "rulebook kz_visa_renamed {", 1),
    )
    .unwrap();
    let url = format!("{}/v1/rulebooks/kz_visa/diagnostics", s.url);
    until("the refused reload", || {
        get(&url).json()["last_attempt"]["result"] == "error"
    });
    let message = get(&url).json()["last_attempt"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("kz_visa_renamed"), "{message}");
    assert_eq!(refunded(&s.url).1, hash);
}

#[test]
fn no_watch_serves_the_files_read_at_start() {
    let dir = common::temp_dir("serve-no-watch").join("kz-visa");
    common::copy_dir(&kz_visa(), &dir);
    let s = Server::start(&dir, &["--no-watch", "--watch-interval", "100ms"]);
    let file = dir.join("e-visa.zan");
    let original = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        original.replace(RULE, &RULE.replace("false", "true")),
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(refunded(&s.url).0, Value::Bool(false));
}
