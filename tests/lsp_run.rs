//! Running the law from the editor, and the requests of issue 20, as an editor sees them:
//! `zan lsp` as a subprocess spoken to over JSON-RPC, on the shipped kz-visa rulebook (edits
//! stay in the server's memory as unsaved buffers). Code lenses and `workspace/executeCommand`
//! (tests run as `zan test` runs them, examples decided as `zan eval` decides them, the same
//! text), the results as diagnostics and inlay hints until the rulebook changes; document
//! highlight, signature help, call hierarchy, document links, selection ranges and range
//! formatting; and the Neovim client's commands (`editors/nvim/test/run.lua`) where Neovim is
//! installed. `request_latencies_on_kz_visa` (ignored) prints p50/p90 of each request.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/lsp_client.rs"]
mod lsp_client;

use lsp_client::{position, uri, Client};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn zan() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_zan"))
}

fn rulebook() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("rulebooks/kz-visa")
}

fn read(name: &str) -> (PathBuf, String) {
    let path = rulebook().join(name);
    let text = std::fs::read_to_string(&path).expect("rulebook file");
    (path, text)
}

/// A server initialised by a client that can be asked to refresh hints and lenses.
fn start() -> Client {
    let mut c = Client::start(zan());
    let r = c.result(
        "initialize",
        json!({
            "processId": null,
            "rootUri": uri(&rulebook()),
            "capabilities": {
                "textDocument": {"hover": {"contentFormat": ["markdown", "plaintext"]}},
                "workspace": {"inlayHint": {"refreshSupport": true}, "codeLens": {"refreshSupport": true}}
            }
        }),
    );
    assert!(r["capabilities"]["codeLensProvider"].is_object(), "{r}");
    c.notify("initialized", json!({}));
    c
}

fn doc(path: &Path) -> Value {
    json!({"uri": uri(path)})
}

fn at(path: &Path, text: &str, needle: &str, nth: usize, shift: usize) -> Value {
    json!({"textDocument": doc(path), "position": position(text, needle, nth, shift)})
}

fn command(c: &mut Client, name: &str, args: Value) -> Value {
    c.result(
        "workspace/executeCommand",
        json!({"command": name, "arguments": [args]}),
    )
}

fn hints(c: &mut Client, path: &Path) -> Vec<String> {
    let r = c.result(
        "textDocument/inlayHint",
        json!({"textDocument": doc(path), "range": {"start": {"line": 0, "character": 0}, "end": {"line": 100000, "character": 0}}}),
    );
    r.as_array()
        .unwrap()
        .iter()
        .map(|h| h["label"].as_str().unwrap_or("").to_string())
        .collect()
}

fn cli(args: &[&str]) -> String {
    let o = Command::new(zan()).args(args).output().expect("run zan");
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn initialize_announces_the_new_requests_and_the_commands() {
    let mut c = Client::start(zan());
    let r = c.initialize(&rulebook());
    let caps = &r["capabilities"];
    for cap in [
        "codeLensProvider",
        "documentHighlightProvider",
        "signatureHelpProvider",
        "callHierarchyProvider",
        "documentLinkProvider",
        "selectionRangeProvider",
        "documentRangeFormattingProvider",
    ] {
        assert!(!caps[cap].is_null() && caps[cap] != false, "{cap}: {caps}");
    }
    let commands = caps["executeCommandProvider"]["commands"]
        .as_array()
        .unwrap();
    for name in [
        "zan.runTests",
        "zan.evaluate",
        "zan.explain",
        "zan.examples",
    ] {
        assert!(commands.contains(&json!(name)), "{commands:?}");
    }
    assert_eq!(
        caps["signatureHelpProvider"]["triggerCharacters"],
        json!(["(", ","])
    );
}

#[test]
fn lenses_run_the_tests_of_a_file_and_the_results_stay_until_the_rulebook_changes() {
    let mut c = start();
    let (path, text) = read("tests-stay.zan");
    c.open(&path, &text);
    let lenses = c.result("textDocument/codeLens", json!({"textDocument": doc(&path)}));
    let lenses = lenses.as_array().unwrap();
    let first = &lenses[0]["command"];
    assert!(
        first["title"].as_str().unwrap().starts_with("▶ Run all"),
        "{first}"
    );
    assert_eq!(lenses[0]["range"]["start"]["line"], 0);
    let tests = text.lines().filter(|l| l.starts_with("test ")).count();
    let run_lenses: Vec<&Value> = lenses
        .iter()
        .filter(|l| l["command"]["title"] == "▶ Run test")
        .collect();
    assert_eq!(run_lenses.len(), tests);
    // The file's lens, as a client runs it: its command with its arguments.
    let all = c.result(
        "workspace/executeCommand",
        json!({"command": first["command"], "arguments": first["arguments"]}),
    );
    assert_eq!(all["passed"], tests, "{all}");
    assert_eq!(all["failed"], 0);
    let shown = hints(&mut c, &path);
    let expects = text
        .lines()
        .filter(|l| l.trim_start().starts_with("expect "))
        .count();
    assert_eq!(shown.iter().filter(|h| *h == " ✓").count(), expects);

    // An unsaved change makes one expectation wrong: the test's lens reports it.
    let changed = text.replacen(
        "expect permitted_stay_ends_on = 2026-06-02",
        "expect permitted_stay_ends_on = 2026-06-03",
        1,
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&path), "version": 2}, "contentChanges": [{"text": changed}]}),
    );
    c.clear();
    let one = command(
        &mut c,
        "zan.runTests",
        json!({"uri": uri(&path), "test": "neighbour_regime_azerbaijan"}),
    );
    assert_eq!(one["failed"], 1, "{one}");
    let failing = &one["tests"][0]["expectations"][1];
    assert_eq!(failing["passed"], false);
    assert_eq!(failing["expected"], "2026-06-03 (Wed)");
    assert_eq!(failing["actual"], "2026-06-02 (Tue)");
    let diags = c.wait_diagnostics(&uri(&path), |d| {
        d.iter().any(|d| d["code"] == "test-failed")
    });
    let failed: Vec<&Value> = diags
        .iter()
        .filter(|d| d["code"] == "test-failed")
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["severity"], 1);
    assert_eq!(
        failed[0]["message"],
        "test `neighbour_regime_azerbaijan`: `permitted_stay_ends_on` is 2026-06-02 (Tue), expected 2026-06-03 (Wed)"
    );
    let line = changed[..changed.find("= 2026-06-03").unwrap()]
        .matches('\n')
        .count();
    assert_eq!(failed[0]["range"]["start"]["line"], line);
    let shown = hints(&mut c, &path);
    assert!(
        shown.contains(&" ✗ = 2026-06-02 (Tue)".to_string()),
        "{shown:?}"
    );

    // The next edit anywhere in the rulebook: the results are gone.
    c.clear();
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&path), "version": 3}, "contentChanges": [{"text": text}]}),
    );
    c.wait_diagnostics(&uri(&path), |d| {
        d.iter().all(|d| d["code"] != "test-failed")
    });
    let shown = hints(&mut c, &path);
    assert!(
        !shown.iter().any(|h| h.contains('✓') || h.contains('✗')),
        "{shown:?}"
    );
}

#[test]
fn examples_are_decided_and_explained_as_zan_eval_does() {
    let mut c = start();
    let (path, text) = read("tests-stay.zan");
    c.open(&path, &text);
    let example_lens = c
        .result("textDocument/codeLens", json!({"textDocument": doc(&path)}))
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["command"]["title"] == "▶ Evaluate")
        .cloned()
        .unwrap();
    assert_eq!(example_lens["command"]["command"], "zan.evaluate");
    let answer = c.result(
        "workspace/executeCommand",
        json!({"command": "zan.evaluate", "arguments": [{"uri": uri(&path), "example": "german_tourist"}]}),
    );
    let root = rulebook();
    let root = root.to_str().unwrap();
    let expected = cli(&[
        "eval",
        root,
        "--example",
        "german_tourist",
        "--format",
        "text",
    ]);
    assert_eq!(answer["text"], expected);
    let json_cli: Value =
        serde_json::from_str(&cli(&["eval", root, "--example", "german_tourist"])).unwrap();
    assert_eq!(answer["decision"], json_cli);
    assert!(!answer["values"].as_array().unwrap().is_empty());

    let explained = command(
        &mut c,
        "zan.explain",
        json!({"uri": uri(&path), "example": "german_tourist", "rules": ["entry_regime"]}),
    );
    let expected = cli(&[
        "eval",
        root,
        "--example",
        "german_tourist",
        "--rules",
        "entry_regime",
        "--explain",
        "--format",
        "text",
    ]);
    assert_eq!(explained["text"], expected);
    assert!(
        expected.contains("cites") || expected.contains("“"),
        "{expected}"
    );

    // A test's case explained on its own date.
    let explained = command(
        &mut c,
        "zan.explain",
        json!({"uri": uri(&path), "test": "neighbour_regime_azerbaijan", "depth": "full"}),
    );
    let expected = cli(&[
        "eval",
        root,
        "--test",
        "neighbour_regime_azerbaijan",
        "--explain=full",
        "--format",
        "text",
    ]);
    assert_eq!(explained["text"], expected);

    // A rule evaluated on an example: without one, the client is asked to pick.
    let (visas, visas_text) = read("entry-regimes.zan");
    c.open(&visas, &visas_text);
    let pick = command(
        &mut c,
        "zan.evaluate",
        json!({"uri": uri(&visas), "rules": ["entry_regime"]}),
    );
    assert!(
        pick["pick"]
            .as_array()
            .unwrap()
            .contains(&json!("german_tourist")),
        "{pick}"
    );
    let on = command(
        &mut c,
        "zan.evaluate",
        json!({"uri": uri(&visas), "example": "german_tourist", "rules": ["entry_regime"]}),
    );
    assert_eq!(on["values"].as_array().unwrap().len(), 1, "{on}");
    let value = on["values"][0]["value"].as_str().unwrap().to_string();
    assert!(hints(&mut c, &visas).contains(&format!(" = {value}")));
    // The rules' lenses now offer the example last used.
    let lenses = c.result(
        "textDocument/codeLens",
        json!({"textDocument": doc(&visas)}),
    );
    assert!(lenses
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["command"]["title"] == "▶ Evaluate on german_tourist"));

    // Wrong arguments are errors the client shows, never a crash.
    let bad = c.request(
        "workspace/executeCommand",
        json!({"command": "zan.evaluate", "arguments": [{"uri": uri(&path), "example": "nobody"}]}),
    );
    assert!(
        bad["error"]["message"].as_str().unwrap().contains("nobody"),
        "{bad}"
    );
    let bad = c.request(
        "workspace/executeCommand",
        json!({"command": "zan.runTests", "arguments": []}),
    );
    assert!(bad["error"].is_object(), "{bad}");
}

#[test]
fn highlight_signature_calls_links_selection_and_range_formatting_on_kz_visa() {
    let mut c = start();
    let (path, text) = read("registration.zan");
    c.open(&path, &text);
    // Highlight: the uses of a fact in this file, reads.
    let h = c.result(
        "textDocument/documentHighlight",
        at(&path, &text, "stay.entered_on", 0, 1),
    );
    let h = h.as_array().unwrap();
    assert!(h.len() > 3, "{h:?}");
    assert!(h.iter().all(|x| x["kind"] == 2 || x["kind"] == 3));
    // Signature help inside a built-in call.
    let needle = "working_days_between(";
    if text.contains(needle) {
        let s = c.result(
            "textDocument/signatureHelp",
            at(&path, &text, needle, 0, needle.len()),
        );
        assert!(s["signatures"][0]["label"]
            .as_str()
            .unwrap()
            .starts_with("working_days_between("));
    }
    let (duties, duties_text) = read("visa-duties.zan");
    c.open(&duties, &duties_text);
    let call = "visa_state_duty_mci(VisaDutyProcedure";
    let s = c.result(
        "textDocument/signatureHelp",
        at(&duties, &duties_text, call, 0, "visa_state_duty_mci(".len()),
    );
    let sig = &s["signatures"][0];
    assert!(sig["label"].as_str().unwrap().contains(": "), "{s}");
    assert_eq!(s["activeParameter"], 0);

    // Call hierarchy: a rule's callers and what it depends on.
    let rule = "arrival_notice_required";
    let items = c.result(
        "textDocument/prepareCallHierarchy",
        at(&path, &text, rule, 0, 1),
    );
    let item = items[0].clone();
    assert_eq!(item["name"], rule);
    let outgoing = c.result("callHierarchy/outgoingCalls", json!({"item": item}));
    assert!(!outgoing.as_array().unwrap().is_empty(), "{outgoing}");
    let incoming = c.result("callHierarchy/incomingCalls", json!({"item": item}));
    assert!(!incoming.as_array().unwrap().is_empty(), "{incoming}");

    // Document links: the quotes open the legal texts at a line.
    let links = c.result(
        "textDocument/documentLink",
        json!({"textDocument": doc(&path)}),
    );
    let links = links.as_array().unwrap();
    assert!(links.len() > 10);
    assert!(links.iter().all(|l| {
        let t = l["target"].as_str().unwrap();
        t.starts_with("file://") && t.contains("/sources/") && t.contains("#L")
    }));

    // Selection ranges grow from a word to the whole file.
    let r = c.result(
        "textDocument/selectionRange",
        json!({"textDocument": doc(&path), "positions": [position(&text, "stay.entered_on", 0, 6)]}),
    );
    let mut depth = 0;
    let mut node = &r[0];
    while node.is_object() {
        depth += 1;
        node = &node["parent"];
    }
    assert!(depth >= 4, "{r}");

    // Range formatting of a declaration laid out badly: edits only inside it.
    let messy = text.replacen("fact ", "fact  ", 1);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&path), "version": 2}, "contentChanges": [{"text": messy}]}),
    );
    let line = messy[..messy.find("fact  ").unwrap()].matches('\n').count();
    let edits = c.result(
        "textDocument/rangeFormatting",
        json!({"textDocument": doc(&path), "range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 3}}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(edits.as_array().unwrap().len(), 1, "{edits}");
    assert_eq!(edits[0]["range"]["start"]["line"], line);
    assert_eq!(edits[0]["newText"], "");
}

/// The Neovim client's commands (`:ZanRunTests`, `:ZanEvaluate`, `:ZanExplain`) against a real
/// server, where Neovim is installed.
#[test]
fn neovim_runs_tests_and_shows_a_derivation() {
    if Command::new("nvim").arg("--version").output().is_err() {
        println!("skipped: nvim not found, editors/nvim/test/run.lua not run");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = Command::new("nvim")
        .current_dir(root)
        .env("ZAN_BIN", zan())
        .args([
            "--headless",
            "-u",
            "NONE",
            "--cmd",
            "set rtp+=editors/nvim",
            "-c",
            "luafile editors/nvim/test/run.lua",
        ])
        .output()
        .expect("run nvim");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        o.status.success() && text.contains("run test: passed"),
        "{text}"
    );
}

/// p50/p90 of each new request over many positions of kz-visa (run by hand:
/// `cargo test --release --test lsp_run -- --ignored --nocapture`); nothing is asserted.
#[test]
#[ignore]
fn request_latencies_on_kz_visa() {
    let mut c = start();
    let (path, text) = read("registration.zan");
    c.open(&path, &text);
    let (tests_path, tests_text) = read("tests-stay.zan");
    c.open(&tests_path, &tests_text);
    let _ = c.result("textDocument/hover", at(&path, &text, "fact", 0, 1));
    let names: Vec<usize> = text
        .match_indices(|ch: char| ch.is_ascii_lowercase())
        .map(|(i, _)| i)
        .filter(|&i| {
            i == 0
                || !text.as_bytes()[i - 1].is_ascii_alphanumeric() && text.as_bytes()[i - 1] != b'_'
        })
        .step_by(7)
        .take(200)
        .collect();
    let pos = |i: usize| {
        let before = &text[..i];
        let line = before.matches('\n').count();
        let col = before[before.rfind('\n').map_or(0, |j| j + 1)..]
            .encode_utf16()
            .count();
        json!({"line": line, "character": col})
    };
    let report = |name: &str, mut times: Vec<f64>| {
        times.sort_by(f64::total_cmp);
        let p = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
        println!(
            "{name:<34} n={:<4} p50 {:>7.2} ms  p90 {:>7.2} ms",
            times.len(),
            p(0.5),
            p(0.9)
        );
    };
    let time = |c: &mut Client, method: &str, params: Value| {
        let t = Instant::now();
        let _ = c.request(method, params);
        t.elapsed().as_secs_f64() * 1000.0
    };
    let d = doc(&path);
    for (method, extra) in [
        ("textDocument/documentHighlight", json!(null)),
        ("textDocument/signatureHelp", json!(null)),
        ("textDocument/prepareCallHierarchy", json!(null)),
    ] {
        let _ = extra;
        let times = names
            .iter()
            .map(|&i| {
                time(
                    &mut c,
                    method,
                    json!({"textDocument": d, "position": pos(i)}),
                )
            })
            .collect();
        report(method, times);
    }
    let items: Vec<Value> = names
        .iter()
        .filter_map(|&i| {
            let r = c.result(
                "textDocument/prepareCallHierarchy",
                json!({"textDocument": d, "position": pos(i)}),
            );
            r.as_array().and_then(|a| a.first().cloned())
        })
        .collect();
    for method in ["callHierarchy/incomingCalls", "callHierarchy/outgoingCalls"] {
        let times = items
            .iter()
            .map(|it| time(&mut c, method, json!({"item": it})))
            .collect();
        report(method, times);
    }
    let times = names
        .iter()
        .map(|&i| {
            time(
                &mut c,
                "textDocument/selectionRange",
                json!({"textDocument": d, "positions": [pos(i)]}),
            )
        })
        .collect();
    report("textDocument/selectionRange", times);
    let times = names
        .iter()
        .map(|&i| {
            let p = pos(i);
            time(&mut c, "textDocument/rangeFormatting", json!({"textDocument": d, "range": {"start": p, "end": p}, "options": {"tabSize": 2, "insertSpaces": true}}))
        })
        .collect();
    report("textDocument/rangeFormatting", times);
    let hover_times = names
        .iter()
        .map(|&i| {
            time(
                &mut c,
                "textDocument/hover",
                json!({"textDocument": d, "position": pos(i)}),
            )
        })
        .collect();
    report("textDocument/hover (with calendars)", hover_times);
    let t = (0..30)
        .map(|_| {
            time(
                &mut c,
                "textDocument/documentLink",
                json!({"textDocument": d}),
            )
        })
        .collect();
    report("textDocument/documentLink", t);
    let td = doc(&tests_path);
    let t = (0..30)
        .map(|_| time(&mut c, "textDocument/codeLens", json!({"textDocument": td})))
        .collect();
    report("textDocument/codeLens", t);
    let args = json!({"command": "zan.runTests", "arguments": [{"uri": uri(&tests_path), "test": "neighbour_regime_azerbaijan"}]});
    let t = (0..30)
        .map(|_| time(&mut c, "workspace/executeCommand", args.clone()))
        .collect();
    report("executeCommand zan.runTests (one)", t);
    let args = json!({"command": "zan.runTests", "arguments": [{"uri": uri(&tests_path)}]});
    let t = (0..10)
        .map(|_| time(&mut c, "workspace/executeCommand", args.clone()))
        .collect();
    report("executeCommand zan.runTests (file)", t);
    let args = json!({"command": "zan.evaluate", "arguments": [{"uri": uri(&tests_path), "example": "german_tourist"}]});
    let t = (0..30)
        .map(|_| time(&mut c, "workspace/executeCommand", args.clone()))
        .collect();
    report("executeCommand zan.evaluate", t);
    let args = json!({"command": "zan.explain", "arguments": [{"uri": uri(&tests_path), "example": "german_tourist"}]});
    let t = (0..30)
        .map(|_| time(&mut c, "workspace/executeCommand", args.clone()))
        .collect();
    report("executeCommand zan.explain", t);
}
