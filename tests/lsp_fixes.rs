//! The editor fixes of issue 20 through `zan lsp` over JSON-RPC, on the shipped kz-visa
//! rulebook: a record field renamed with its `set` paths (the rulebook still checks), hover,
//! definition and references on a `set` path, completion inside quotes and comments and of
//! enum values, hover on a `replace`, plain text for clients that ask for it, the new quick
//! fixes, workspace symbols' containers and formatting as small edits. The same features are
//! tested in process, as data, by `tests/ide.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "support/lsp_client.rs"]
mod lsp_client;

use lsp_client::{apply_edits as apply, position, uri, Client};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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

fn start() -> Client {
    let mut c = Client::start(zan());
    c.initialize(&rulebook());
    c
}

fn doc(path: &Path) -> Value {
    json!({"uri": uri(path)})
}

fn at(path: &Path, text: &str, needle: &str, nth: usize, shift: usize) -> Value {
    json!({"textDocument": doc(path), "position": position(text, needle, nth, shift)})
}

fn change(c: &mut Client, path: &Path, version: i64, text: &str) {
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(path), "version": version}, "contentChanges": [{"text": text}]}),
    );
}

fn labels(items: &Value) -> Vec<String> {
    let list = items
        .as_array()
        .or_else(|| items["items"].as_array())
        .cloned()
        .unwrap_or_default();
    list.iter()
        .filter_map(|i| i["label"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn renaming_a_field_renames_its_set_paths_and_the_rulebook_still_checks() {
    let mut c = start();
    let (tests, ttext) = read("tests-stay.zan");
    c.open(&tests, &ttext);
    let on_set = at(&tests, &ttext, "set stay.departed_on", 0, 10);

    // Hover, definition and references on the field part of a `set` path.
    let hover = c.result("textDocument/hover", on_set.clone());
    let value = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(value.contains("Stay.departed_on: date?"), "{hover}");
    let def = c.result("textDocument/definition", on_set.clone());
    let (_, regimes) = read("entry-regimes.zan");
    assert!(
        def[0]["uri"]
            .as_str()
            .unwrap_or_default()
            .ends_with("/entry-regimes.zan"),
        "{def}"
    );
    assert_eq!(
        def[0]["range"]["start"],
        position(&regimes, "departed_on: date?", 0, 0)
    );
    let mut params = on_set.clone();
    params["context"] = json!({"includeDeclaration": false});
    let refs = c.result("textDocument/references", params);
    let in_tests = refs
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["uri"] == uri(&tests))
        .count();
    let written: usize = ttext
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .map(|l| l.matches("departed_on").count())
        .sum();
    assert!(written > ttext.matches("set stay.departed_on").count());
    assert_eq!(
        in_tests, written,
        "every `set stay.departed_on` and example field of the file: {refs}"
    );

    // Rename from a `set` path: every file that names the field is edited.
    let mut params = on_set;
    params["newName"] = json!("left_on");
    let edit = c.result("textDocument/rename", params);
    let changes = edit["changes"].as_object().cloned().unwrap_or_default();
    assert!(changes.contains_key(&uri(&tests)), "{edit}");
    let dir = common::temp_dir("renamed-field");
    common::copy_dir(&rulebook(), &dir);
    let mut edited = BTreeMap::new();
    for (file_uri, edits) in &changes {
        let path = PathBuf::from(file_uri.strip_prefix("file://").unwrap());
        let rel = path.strip_prefix(rulebook()).unwrap().to_path_buf();
        let text = std::fs::read_to_string(&path).unwrap();
        let new = apply(&text, edits.as_array().unwrap());
        assert!(
            !new.contains("departed_on"),
            "{} still names it",
            rel.display()
        );
        std::fs::write(dir.join(&rel), &new).unwrap();
        edited.insert(rel, new);
    }
    assert!(edited.len() >= 3, "{:?}", edited.keys());
    let renamed = &edited[Path::new("tests-stay.zan")];
    assert!(renamed.contains("set stay.left_on = "), "{renamed}");
    let check = common::zan(&["check", dir.to_str().unwrap()]);
    assert!(
        check.status.success(),
        "the renamed rulebook does not check:\n{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn completion_is_silent_in_comments_and_offers_sentences_in_quotes_and_enum_values() {
    let mut c = start();
    let (visas, text) = read("visas.zan");
    c.open(&visas, &text);

    // In a comment and in a doc comment: nothing.
    let comment = text.find("\n// ").map(|i| i + 5).unwrap();
    let before = &text[..comment];
    let p = json!({"line": before.matches('\n').count(), "character": comment - before.rfind('\n').unwrap() - 1});
    let items = c.result(
        "textDocument/completion",
        json!({"textDocument": doc(&visas), "position": p}),
    );
    assert!(labels(&items).is_empty(), "{items}");
    let items = c.result("textDocument/completion", at(&visas, &text, "/// ", 0, 6));
    assert!(labels(&items).is_empty(), "{items}");

    // Inside a citation's quote: the source's sentences that hold what is typed.
    let quoted = "\"The passport validity must not";
    let typed_to = position(&text, quoted, 0, quoted.len());
    let items = c.result(
        "textDocument/completion",
        json!({"textDocument": doc(&visas), "position": typed_to}),
    );
    let list = items.as_array().cloned().unwrap_or_default();
    assert!(!list.is_empty(), "{items}");
    for item in &list {
        let full = item["textEdit"]["newText"].as_str().unwrap_or_default();
        assert!(full.starts_with("The passport validity must not"), "{item}");
        assert_eq!(
            item["filterText"].as_str().map(|f| &f[..20]),
            Some(&full[..20])
        );
        assert_eq!(
            item["textEdit"]["range"]["start"],
            position(&text, quoted, 0, 1)
        );
    }

    // Enum values after `expect RULE =` and `set FACT.FIELD =` in tests.
    let (tests, ttext) = read("tests-residence-tax-documents.zan");
    c.open(&tests, &ttext);
    let items = c.result(
        "textDocument/completion",
        at(&tests, &ttext, "expect pr_entry_basis = ", 0, 24),
    );
    let got = labels(&items);
    assert!(
        got.contains(&"b8_visa".to_string()) && got.contains(&"not_applicable".to_string()),
        "{got:?}"
    );
    assert!(!got.contains(&"applicant".to_string()), "{got:?}");
    let (visa_tests, vtext) = read("tests-visas.zan");
    c.open(&visa_tests, &vtext);
    let items = c.result(
        "textDocument/completion",
        at(&visa_tests, &vtext, "set applicant.citizenship = ", 0, 28),
    );
    let got = labels(&items);
    assert!(
        got.contains(&"uzbekistan".to_string()) && !got.contains(&"when".to_string()),
        "{got:?}"
    );
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn hover_on_a_replace_shows_the_replacement_and_plain_text_clients_get_plain_text() {
    let mut c = start();
    let (amend, text) = read("amendments-2026.zan");
    c.open(&amend, &text);
    let p = at(
        &amend,
        &text,
        "replace output rule fingerprint_registration_required",
        0,
        22,
    );
    let hover = c.result("textDocument/hover", p.clone());
    let value = hover["contents"]["value"].as_str().unwrap_or_default();
    assert_eq!(hover["contents"]["kind"], "markdown");
    assert!(
        value.contains("from\n10 March 2026, everyone aged 16 or over")
            || value.contains("everyone aged 16 or over"),
        "the replacement's doc comment: {value}"
    );
    assert!(
        value.contains("replaces the baseline from 2026-03-10"),
        "{value}"
    );
    c.shutdown();

    // A client that reads only plain text (eglot, ALE): no fences, no table markup.
    let mut c = Client::start(zan());
    c.initialize_with(
        &rulebook(),
        json!({"textDocument": {"hover": {"contentFormat": ["plaintext"]}, "completion": {"completionItem": {"documentationFormat": ["plaintext"]}}}}),
    );
    let (money, mtext) = read("money.zan");
    c.open(&money, &mtext);
    let hover = c.result(
        "textDocument/hover",
        at(&money, &mtext, "parameter mci", 0, 11),
    );
    assert_eq!(hover["contents"]["kind"], "plaintext", "{hover}");
    let value = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(value.starts_with("parameter mci: money"), "{value}");
    for markup in ["```", "|---", "| from", "`"] {
        assert!(!value.contains(markup), "{markup:?} in {value}");
    }
    assert!(
        value.contains("from        value"),
        "aligned columns: {value}"
    );
    assert_eq!(c.shutdown(), Some(0));
}

/// The code actions at the start of `needle` in `text`.
fn actions_at(c: &mut Client, path: &Path, text: &str, needle: &str, shift: usize) -> Vec<Value> {
    let p = position(text, needle, 0, shift);
    c.result(
        "textDocument/codeAction",
        json!({"textDocument": doc(path), "range": {"start": p, "end": p}, "context": {"diagnostics": []}}),
    )
    .as_array()
    .cloned()
    .unwrap_or_default()
}

fn titled<'v>(actions: &'v [Value], title: &str) -> &'v Value {
    actions
        .iter()
        .find(|a| a["title"].as_str().unwrap_or_default().starts_with(title))
        .unwrap_or_else(|| panic!("no action `{title}…` in {actions:#?}"))
}

#[test]
fn quick_fixes_for_examples_quotes_weekdays_and_facts() {
    let mut c = start();
    let (tests, text) = read("tests-calendar.zan");
    c.open(&tests, &text);

    // An unknown example: the closest one, or a new example to fill in.
    let typo = text.replacen("given russian_engineer", "given russian_enginer", 1);
    change(&mut c, &tests, 2, &typo);
    c.wait_diagnostics(&uri(&tests), |d| d.iter().any(|x| x["code"] == "Z0601"));
    let actions = actions_at(&mut c, &tests, &typo, "russian_enginer", 3);
    let fix = titled(&actions, "Use example `russian_engineer`");
    assert_eq!(
        apply(
            &typo,
            fix["edit"]["changes"][uri(&tests)].as_array().unwrap()
        ),
        text
    );
    let create = titled(&actions, "Create example `russian_enginer`");
    let inserted = create["edit"]["changes"][uri(&tests)][0]["newText"]
        .as_str()
        .unwrap_or_default();
    assert!(
        inserted.starts_with("example russian_enginer {\n") && inserted.contains("  applicant: {"),
        "{inserted}"
    );

    // A quote not in the source: the closest sentence.
    let (visas, vtext) = read("visas.zan");
    c.open(&visas, &vtext);
    let drifted = vtext.replacen(
        "\"The passport validity must not",
        "\"The passport's validity must not",
        1,
    );
    change(&mut c, &visas, 2, &drifted);
    c.wait_diagnostics(&uri(&visas), |d| d.iter().any(|x| x["code"] == "Z0504"));
    let actions = actions_at(&mut c, &visas, &drifted, "\"The passport's validity", 3);
    let fix = titled(&actions, "Quote the source's sentence");
    let fixed = apply(
        &drifted,
        fix["edit"]["changes"][uri(&visas)].as_array().unwrap(),
    );
    assert!(fixed.contains("\"The passport validity must not"), "{fix}");

    // A misspelt weekday: one message, and the weekday as the fix.
    let (calendar, ctext) = read("calendar.zan");
    c.open(&calendar, &ctext);
    let weekend = ctext.find("weekend saturday, sunday").expect("the weekend");
    let misspelt = format!(
        "{}weekend saturday, sundey{}",
        &ctext[..weekend],
        &ctext[weekend + "weekend saturday, sunday".len()..]
    );
    change(&mut c, &calendar, 2, &misspelt);
    let diags = c.wait_diagnostics(&uri(&calendar), |d| d.iter().any(|x| x["code"] == "Z0001"));
    let z1 = diags.iter().find(|d| d["code"] == "Z0001").unwrap();
    let message = z1["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("`sundey` is not a weekday: the weekdays are monday to sunday"),
        "{z1}"
    );
    assert_eq!(message.matches("weekday").count(), 2, "said once: {z1}");
    let actions = actions_at(&mut c, &calendar, &misspelt, "sundey", 2);
    let fix = titled(&actions, "Replace `sundey` with `sunday`");
    assert_eq!(
        apply(
            &misspelt,
            fix["edit"]["changes"][uri(&calendar)].as_array().unwrap()
        ),
        ctext
    );
    change(&mut c, &calendar, 3, &ctext);

    // A missing fact read as a record: declare it with the record that has those fields.
    let with_use = vtext.replacen(
        "applicant.passport is present",
        "applicant.passport is present and sponsor.passport is present",
        1,
    );
    change(&mut c, &visas, 3, &with_use);
    c.wait_diagnostics(&uri(&visas), |d| d.iter().any(|x| x["code"] == "Z0101"));
    let actions = actions_at(&mut c, &visas, &with_use, "sponsor.passport", 2);
    let declare = titled(&actions, "Declare `fact sponsor: Applicant`");
    let edits = declare["edit"]["changes"].as_object().unwrap();
    let inserted: Vec<&str> = edits
        .values()
        .flat_map(|v| v.as_array().unwrap())
        .filter_map(|e| e["newText"].as_str())
        .collect();
    assert_eq!(inserted.len(), 1, "{declare}");
    assert!(
        inserted[0].starts_with("fact sponsor: Applicant\n"),
        "{declare}"
    );
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn workspace_symbols_are_contained_by_their_declaration_or_file() {
    let mut c = start();
    let (visas, text) = read("visas.zan");
    c.open(&visas, &text);
    let found = c.result("workspace/symbol", json!({"query": "visa_invalid"}));
    let list = found.as_array().cloned().unwrap_or_default();
    let added = list
        .iter()
        .find(|s| s["name"] == "visa_invalid")
        .unwrap_or_else(|| panic!("{found}"));
    assert_eq!(added["containerName"], "joint_order_2026", "{added}");
    let found = c.result("workspace/symbol", json!({"query": "assessed_on"}));
    let fact = found
        .as_array()
        .and_then(|l| l.iter().find(|s| s["name"] == "assessed_on"))
        .cloned()
        .unwrap_or_else(|| panic!("{found}"));
    assert!(
        fact["containerName"]
            .as_str()
            .unwrap_or_default()
            .ends_with("core.zan"),
        "{fact}"
    );
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn formatting_sends_small_edits_that_give_exactly_zan_fmt_on_every_kz_visa_file() {
    let mut c = start();
    let params =
        |p: &Path| json!({"textDocument": doc(p), "options": {"tabSize": 2, "insertSpaces": true}});
    let files = common::files_in(&rulebook(), "zan");
    assert!(files.len() > 10);
    for (n, path) in files.iter().enumerate() {
        let text = std::fs::read_to_string(path).unwrap();
        c.open(path, &text);
        // The layout disturbed: indentation doubled on some lines, spaces before colons.
        let messy: String = text
            .split_inclusive('\n')
            .enumerate()
            .map(|(i, l)| {
                if i % 3 == 0 && l.starts_with("  ") {
                    format!("  {l}")
                } else if i % 7 == 0 {
                    l.replacen(": ", "  :  ", 1)
                } else {
                    l.to_string()
                }
            })
            .collect();
        change(&mut c, path, 2 + n as i64, &messy);
        let edits = c.result("textDocument/formatting", params(path));
        let edits = edits.as_array().cloned().unwrap_or_default();
        let want = zan::fmt::format_source(&messy).expect("the disturbed file formats");
        assert_eq!(apply(&messy, &edits), want, "{}", path.display());
        let changed = messy
            .lines()
            .zip(want.lines())
            .filter(|(a, b)| a != b)
            .count();
        if changed > 0 {
            assert!(
                edits
                    .iter()
                    .all(|e| e["newText"].as_str().unwrap().len() < want.len() / 2),
                "{}: {} edits for {changed} changed lines",
                path.display(),
                edits.len()
            );
        }
    }
    assert_eq!(c.shutdown(), Some(0));
}

/// `editors/nvim/test/fixes.lua` in a headless Neovim: rename from a `set` path, hover in
/// markdown and in plain text, enum values after `expect RULE =`.
#[test]
fn neovim_sees_the_fixes() {
    if std::process::Command::new("nvim")
        .arg("--version")
        .output()
        .is_err()
    {
        println!("skipped: nvim not found, editors/nvim/test/fixes.lua not run");
        return;
    }
    let o = std::process::Command::new("nvim")
        .current_dir(common::root())
        .env("ZAN_BIN", env!("CARGO_BIN_EXE_zan"))
        .args([
            "--headless",
            "-u",
            "NONE",
            "--cmd",
            "set rtp+=editors/nvim",
            "-c",
            "luafile editors/nvim/test/fixes.lua",
        ])
        .output()
        .expect("run nvim");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        o.status.success() && text.contains("fixes test: passed"),
        "{text}"
    );
}

/// Not a check: p50/p90 of completion, hover and code actions over many positions of kz-visa
/// files, printed (`cargo test --release --test lsp_fixes -- --ignored --nocapture latency`).
#[test]
#[ignore]
fn latency_of_completion_hover_and_code_actions() {
    let mut c = start();
    let mut samples: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for name in [
        "visas.zan",
        "tests-stay.zan",
        "amendments-2026.zan",
        "fines.zan",
    ] {
        let (path, text) = read(name);
        c.open(&path, &text);
        c.result(
            "textDocument/documentSymbol",
            json!({"textDocument": doc(&path)}),
        );
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate().step_by(3) {
            let chars = line.encode_utf16().count();
            for col in [chars / 3, chars * 2 / 3, chars] {
                let p = json!({"line": i, "character": col});
                for (method, params) in [
                    (
                        "textDocument/completion",
                        json!({"textDocument": doc(&path), "position": p}),
                    ),
                    (
                        "textDocument/hover",
                        json!({"textDocument": doc(&path), "position": p}),
                    ),
                    (
                        "textDocument/codeAction",
                        json!({"textDocument": doc(&path), "range": {"start": p, "end": p}, "context": {"diagnostics": []}}),
                    ),
                ] {
                    let t = std::time::Instant::now();
                    c.result(method, params);
                    samples
                        .entry(method)
                        .or_default()
                        .push(t.elapsed().as_secs_f64() * 1000.0);
                }
            }
        }
    }
    for (method, mut v) in samples {
        v.sort_by(f64::total_cmp);
        let at = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
        println!(
            "{method}: {} requests, p50 {:.2} ms, p90 {:.2} ms, max {:.2} ms",
            v.len(),
            at(0.5),
            at(0.9),
            at(1.0)
        );
    }
    c.shutdown();
}
