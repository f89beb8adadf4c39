//! The service's OpenAPI document held to real tools: `openapi-spec-validator` (PyPI) on the
//! document built in process and on the one a running `zan serve` answers; every kz-visa
//! example's decision (in process, and through the service, plain and explained, under every
//! version) against the document's own response schema (boon); and schemathesis (PyPI)
//! fuzzing a running server from the document it serves.
//!
//! Without the Python tools a test says so and returns, except under CI (`CI` set), where it
//! fails: `.ci/run` installs them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::server::Server;
use common::validator::Validator;
use serde_json::{json, Value as Json};
use std::path::{Path, PathBuf};
use std::process::Command;
use zan::engine::{Engine, Options};
use zan::serve::openapi::{document, Served};

const KZ: &str = "rulebooks/kz-visa";
const DECIDE: &str = "/v1/rulebooks/kz_visa/decide";

fn kz_visa() -> Engine {
    Engine::load(common::root().join(KZ)).unwrap()
}

fn kz_document(engine: &Engine) -> Json {
    document(&[Served {
        name: "kz_visa",
        engine,
    }])
}

/// Whether `python3 -m MODULE` can be run (the module is installed). Without it the test is
/// skipped with a notice, except under CI, where it fails.
fn python_module(module: &str, package: &str) -> bool {
    let runs = Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if runs {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "the Python module {module} is not installed (PyPI's {package}; .ci/run installs it)"
        );
    }
    eprintln!("notice: the Python module {module} (PyPI's {package}) is not installed; skipped");
    false
}

/// `openapi-spec-validator` on the document: Ok, or what it says is wrong.
fn spec_validator(doc: &Json, name: &str) -> Result<(), String> {
    let dir = common::temp_dir(name);
    let file = dir.join("openapi.json");
    std::fs::write(&file, serde_json::to_string_pretty(doc).unwrap()).unwrap();
    let out = Command::new("python3")
        .args(["-m", "openapi_spec_validator"])
        .arg(&file)
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() && said.contains("OK") {
        Ok(())
    } else {
        Err(said)
    }
}

/// A validator for the schema at the path `segments` in the document: the document is the
/// resource, so its `#/components/…` references resolve.
fn validator_at(doc: &Json, segments: &[&str]) -> Validator {
    let mut resource = doc.clone();
    resource["$id"] = json!("zan:openapi");
    let pointer: String = segments
        .iter()
        .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
        .collect();
    Validator::at(&resource, &format!("#{pointer}"))
}

/// The schema of the 200 answer of `decide` of kz_visa.
fn envelope_validator(doc: &Json) -> Validator {
    validator_at(
        doc,
        &[
            "paths",
            DECIDE,
            "post",
            "responses",
            "200",
            "content",
            "application/json",
            "schema",
        ],
    )
}

fn examples() -> Vec<(String, String)> {
    let files = common::files_in(&common::root().join(KZ).join("examples"), "json");
    assert!(files.len() >= 10, "the kz-visa examples");
    files
        .iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            (name, std::fs::read_to_string(p).unwrap())
        })
        .collect()
}

/// Dates that put the examples under every version of kz-visa: the first day of each.
fn version_dates(engine: &Engine) -> Vec<Option<String>> {
    let mut dates = vec![None];
    for v in &engine.rulebook().versions {
        if let Some(from) = v.from {
            dates.push(Some(zan::time::date::format(from)));
        }
    }
    dates
}

/// An envelope as the service writes it, around a decision made in process.
fn envelope(decision: Json, version: usize, engine: &Engine) -> Json {
    let v = &engine.rulebook().versions[version];
    json!({
        "decision_id": "0192f0c4-7c1a-7d2e-9a3b-1c2d3e4f5a6b",
        "rulebook": {
            "name": "kz_visa",
            "hash": format!("sha256:{}", "0".repeat(64)),
            "version": {
                "index": version,
                "in_force_from": v.from.map(zan::time::date::format),
                "in_force_until": v.until.map(zan::time::date::format),
            },
        },
        "decision": decision,
    })
}

// ------------------------------------------------------------------------------ in process

#[test]
fn the_document_is_openapi_3_1_with_every_endpoint() {
    let engine = kz_visa();
    let doc = kz_document(&engine);
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/v1/rulebooks/{name}/decide", "post"),
        ("/v1/rulebooks/{name}/batch", "post"),
        ("/v1/rulebooks/{name}/schema", "get"),
        ("/v1/rulebooks/{name}/diagnostics", "get"),
        ("/v1/rulebooks/kz_visa/decide", "post"),
        ("/v1/rulebooks/kz_visa/batch", "post"),
        ("/v1/rulebooks/kz_visa/schema", "get"),
        ("/v1/rulebooks/kz_visa/diagnostics", "get"),
        ("/v1/rulebooks", "get"),
        ("/openapi.json", "get"),
        ("/healthz", "get"),
        ("/readyz", "get"),
        ("/metrics", "get"),
    ] {
        assert!(paths[path][method].is_object(), "{method} {path}");
    }
    let decide = &paths[DECIDE]["post"];
    for status in ["200", "400", "404", "413", "422", "503", "504"] {
        assert!(
            decide["responses"][status].is_object(),
            "decide answers {status}"
        );
    }
    assert!(paths["/metrics"]["get"]["responses"]["200"]["content"]["text/plain"].is_object());
    assert!(
        paths["/v1/rulebooks/kz_visa/batch"]["post"]["requestBody"]["content"]
            ["application/x-ndjson"]
            .is_object()
    );
    // No reference is left pointing at a `$defs` the document does not have.
    let text = doc.to_string();
    assert!(
        !text.contains("#/$defs/"),
        "every $defs reference is rewritten"
    );
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for r in refs(&doc) {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("a reference outside the components: {r}"));
        assert!(schemas.contains_key(name), "{r} names no schema");
    }
    assert!(
        schemas.contains_key("kz_visa.MigrationFine"),
        "the rulebook's types are prefixed"
    );
}

fn refs(doc: &Json) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![doc];
    while let Some(v) = stack.pop() {
        match v {
            Json::Object(m) => {
                if let Some(Json::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                stack.extend(m.values());
            }
            Json::Array(xs) => stack.extend(xs),
            _ => {}
        }
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn openapi_spec_validator_accepts_the_document() {
    if !python_module("openapi_spec_validator", "openapi-spec-validator") {
        return;
    }
    let engine = kz_visa();
    let doc = kz_document(&engine);
    if let Err(e) = spec_validator(&doc, "in-process") {
        panic!("openapi-spec-validator refuses the document:\n{e}");
    }
    // And the document with nothing served: the generic paths alone.
    if let Err(e) = spec_validator(&document(&[]), "empty") {
        panic!("openapi-spec-validator refuses the document of no rulebook:\n{e}");
    }
}

/// Every example, decided under every version, plain and explained, is an answer that the
/// document's own response schema accepts; and the schema is not so loose that it accepts
/// anything.
#[test]
fn every_example_decision_matches_the_response_schema_under_every_version() {
    let engine = kz_visa();
    let doc = kz_document(&engine);
    let v = envelope_validator(&doc);
    let mut versions = std::collections::BTreeSet::new();
    for (name, text) in examples() {
        let case = engine.case_from_str(&text).unwrap();
        for as_of in version_dates(&engine) {
            for explain in [None, Some(zan::eval::Depth::Path)] {
                let options = Options {
                    as_of: as_of.as_deref().and_then(zan::engine::parse_date),
                    explain,
                    outputs: None,
                };
                let Ok(decision) = engine.decide(&case, &options) else {
                    continue;
                };
                let json: Json = serde_json::from_str(&engine.decision_text(&decision)).unwrap();
                versions.insert(decision.version);
                let answer = envelope(json, decision.version, &engine);
                if let Err(e) = v.check(&answer) {
                    panic!("{name} as of {as_of:?}, explain {explain:?}: the answer does not match the document:\n{e}");
                }
            }
        }
    }
    assert!(
        versions.len() >= 2,
        "several versions reached: {versions:?}"
    );
    // Not vacuous: a missing id, an unknown output, a bad hash are refused.
    let case = engine.case_from_str(&examples()[0].1).unwrap();
    let d = engine.decide(&case, &Options::default()).unwrap();
    let good = envelope(
        serde_json::from_str(&engine.decision_text(&d)).unwrap(),
        d.version,
        &engine,
    );
    assert!(v.check(&good).is_ok());
    let mut no_id = good.clone();
    no_id.as_object_mut().unwrap().remove("decision_id");
    assert!(v.check(&no_id).is_err(), "the decision id is required");
    let mut unknown = good.clone();
    unknown["decision"]["outputs"]["no_such_output"] = json!(true);
    assert!(v.check(&unknown).is_err(), "an output of no version");
    let mut bad_hash = good.clone();
    bad_hash["rulebook"]["hash"] = json!("md5:00");
    assert!(v.check(&bad_hash).is_err(), "the hash's form");
    let first = good["decision"]["outputs"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, value)| value.is_boolean())
        .map(|(k, _)| k.clone())
        .unwrap();
    let mut wrong_type = good.clone();
    wrong_type["decision"]["outputs"][&first] = json!("yes");
    assert!(v.check(&wrong_type).is_err(), "{first} is a boolean");
}

/// The request body of `decide` accepts every example, bare and in a request object, and
/// refuses what is not a case.
#[test]
fn the_request_schema_accepts_the_examples() {
    let engine = kz_visa();
    let doc = kz_document(&engine);
    let v = validator_at(
        &doc,
        &[
            "paths",
            DECIDE,
            "post",
            "requestBody",
            "content",
            "application/json",
            "schema",
        ],
    );
    for (name, text) in examples() {
        let case: Json = serde_json::from_str(&text).unwrap();
        if let Err(e) = v.check(&case) {
            panic!("{name}: {e}");
        }
        let request = json!({ "case": case, "as_of": "2026-03-10", "explain": "full", "outputs": ["visa_invalid"] });
        if let Err(e) = v.check(&request) {
            panic!("{name} in a request: {e}");
        }
    }
    assert!(v.check(&json!({ "no_such_fact": 1 })).is_err());
    assert!(v
        .check(&json!({ "case": {}, "explain": "everything" }))
        .is_err());
}

// ------------------------------------------------------------------------- a running server

fn get(url: &str) -> (u16, String) {
    match ureq::get(url).call() {
        Ok(r) => (r.status(), r.into_string().unwrap()),
        Err(ureq::Error::Status(code, r)) => (code, r.into_string().unwrap()),
        Err(e) => panic!("GET {url}: {e}"),
    }
}

fn post(url: &str, body: &str) -> (u16, String) {
    match ureq::post(url)
        .set("content-type", "application/json")
        .send_string(body)
    {
        Ok(r) => (r.status(), r.into_string().unwrap()),
        Err(ureq::Error::Status(code, r)) => (code, r.into_string().unwrap()),
        Err(e) => panic!("POST {url}: {e}"),
    }
}

fn kz_server(extra: &[&str]) -> Server {
    Server::start(&common::root().join(KZ), extra)
}

/// The document a running server answers is the one built in process, it is valid, and the
/// answers the server gives to every example (under every version, plain and explained)
/// match it.
#[test]
fn the_served_document_is_valid_and_the_servers_decisions_match_it() {
    let server = kz_server(&["--no-watch"]);
    let (status, text) = get(&format!("{}/openapi.json", server.url));
    assert_eq!(status, 200, "{text}");
    let served: Json = serde_json::from_str(&text).unwrap();
    let engine = kz_visa();
    assert_eq!(
        served,
        kz_document(&engine),
        "the server serves openapi::document"
    );
    if python_module("openapi_spec_validator", "openapi-spec-validator") {
        if let Err(e) = spec_validator(&served, "served") {
            panic!("openapi-spec-validator refuses the served document:\n{e}");
        }
    }
    // The other JSON answers match their schemas too.
    for path in [
        "/v1/rulebooks",
        "/v1/rulebooks/kz_visa/diagnostics",
        "/v1/rulebooks/kz_visa/schema",
        "/healthz",
        "/readyz",
    ] {
        let (status, text) = get(&format!("{}{path}", server.url));
        assert_eq!(status, 200, "{path}: {text}");
        let answer: Json = serde_json::from_str(&text).unwrap();
        let v = validator_at(
            &served,
            &[
                "paths",
                path,
                "get",
                "responses",
                "200",
                "content",
                "application/json",
                "schema",
            ],
        );
        if let Err(e) = v.check(&answer) {
            panic!("{path}: the answer does not match the document:\n{e}");
        }
    }
    let v = envelope_validator(&served);
    let mut versions = std::collections::BTreeSet::new();
    for (name, text) in examples() {
        for as_of in version_dates(&engine) {
            for explain in ["none", "path", "full"] {
                let mut query = format!("explain={explain}");
                if let Some(day) = &as_of {
                    query.push_str(&format!("&as_of={day}"));
                }
                let (status, answer) = post(&format!("{}{DECIDE}?{query}", server.url), &text);
                if status == 422 {
                    // No version in force on that date for this case: documented.
                    continue;
                }
                assert_eq!(status, 200, "{name} ?{query}: {answer}");
                let answer: Json = serde_json::from_str(&answer).unwrap();
                versions.insert(answer["rulebook"]["version"]["index"].as_u64().unwrap());
                if let Err(e) = v.check(&answer) {
                    panic!(
                        "{name} ?{query}: the server's answer does not match its document:\n{e}"
                    );
                }
            }
        }
    }
    assert!(
        versions.len() >= 2,
        "several versions reached: {versions:?}"
    );
}

// ------------------------------------------------------------------------------ schemathesis

/// The schemathesis configuration of the bounded run: every check (set here, not by
/// `--checks all`, which would override the per-operation setting below), with what "accepted" means
/// for this service (docs/serve.md): a case that matches the schema can still be a 422 when
/// no version is in force on its date, so 422 counts as accepting schema-valid data. A batch
/// body is any bytes by design (each line that is not a case gets its error line in place,
/// with 200), so a "schema-violating" batch body is not one to reject; its query still is.
const SCHEMATHESIS_TOML: &str = r#"
[checks]
enabled = true

[checks.positive_data_acceptance]
expected-statuses = ["2xx", "422"]

[[operations]]
include-path-regex = "/batch$"

[operations.checks.negative_data_rejection]
enabled = false
"#;

/// The serializer of `application/x-ndjson` bodies, which schemathesis does not know: the
/// generated value as it is when it is text, otherwise as one JSON line. And one constraint
/// OpenAPI cannot state: a parameter given in a request object is not also in the query (that
/// is a 400 `bad_parameter`, docs/serve.md), so the query's copy is dropped.
const SCHEMATHESIS_HOOKS: &str = r#"
import json
import schemathesis


@schemathesis.hook
def map_case(ctx, case):
    body = case.body
    if isinstance(body, dict) and isinstance(body.get("case"), dict) and case.query:
        for name in ("as_of", "explain", "outputs"):
            if name in body:
                case.query.pop(name, None)
    return case


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    return (json.dumps(value) + "\n").encode("utf-8")
"#;

/// How many examples per operation the bounded run generates (`ZAN_FUZZ_EXAMPLES` overrides:
/// docs/serve.md, "Fuzzing the service", for the longer run).
fn fuzz_examples() -> String {
    std::env::var("ZAN_FUZZ_EXAMPLES").unwrap_or_else(|_| "30".into())
}

#[test]
fn schemathesis_finds_nothing_wrong() {
    if !python_module("schemathesis", "schemathesis") {
        return;
    }
    let dir = common::temp_dir("schemathesis");
    let log = dir.join("decisions.ndjson");
    let server = kz_server(&["--no-watch", "--decision-log", log.to_str().unwrap()]);
    let report = run_schemathesis(&server, &dir);
    let report =
        report.unwrap_or_else(|| panic!("schemathesis did not finish within {FUZZ_LIMIT:?}"));
    let decided = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        report.status.success(),
        "schemathesis found problems (exit {:?}):\n{}\n{}\nserver's stderr (tail):\n{}",
        report.status.code(),
        tail(&report.stdout, 12_000),
        tail(&report.stderr, 4_000),
        tail(server.stderr_text().as_bytes(), 4_000)
    );
    let summary = String::from_utf8_lossy(&report.stdout);
    eprintln!("{}", tail(&report.stdout, 3_000));
    assert!(
        summary.contains("passed") || summary.contains("No issues found"),
        "schemathesis ran tests:\n{summary}"
    );
    // The fuzzer's valid cases were decided, and each decision logged.
    assert!(
        decided.lines().count() > 0,
        "the decision log has the fuzzer's decisions"
    );
    for line in decided.lines() {
        let entry: Json = serde_json::from_str(line).unwrap();
        assert!(
            entry["decision_id"].is_string() && entry["decision"].is_object(),
            "{line}"
        );
    }
}

/// How long the bounded run may take before it is stopped and the test fails.
const FUZZ_LIMIT: std::time::Duration = std::time::Duration::from_secs(600);

fn run_schemathesis(server: &Server, dir: &Path) -> Option<std::process::Output> {
    let config = dir.join("schemathesis.toml");
    std::fs::write(&config, SCHEMATHESIS_TOML).unwrap();
    std::fs::write(dir.join("zan_hooks.py"), SCHEMATHESIS_HOOKS).unwrap();
    let report: PathBuf = dir.join("junit.xml");
    let child = Command::new("python3")
        .args(["-m", "schemathesis.cli", "--config-file"])
        .arg(&config)
        .arg("run")
        .arg(format!("{}/openapi.json", server.url))
        .args(["--url", &server.url])
        .args(["--max-examples", &fuzz_examples()])
        .args(["--seed", "19"])
        // One worker: hypothesis's lambda descriptions are not thread-safe on Python 3.11
        // ("AST constructor recursion depth mismatch").
        .args(["--workers", "1"])
        .args(["--generation-database", "none", "--no-color"])
        .args(["--report", "junit", "--report-junit-path"])
        .arg(&report)
        .env("SCHEMATHESIS_HOOKS", "zan_hooks")
        .env("PYTHONPATH", dir)
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(FUZZ_LIMIT) {
        Ok(output) => Some(output.unwrap()),
        Err(_) => {
            common::server::signal(pid, "KILL");
            None
        }
    }
}

fn tail(bytes: &[u8], at_most: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let start = text.len().saturating_sub(at_most);
    let start = (start..text.len())
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(text.len());
    text[start..].to_string()
}
