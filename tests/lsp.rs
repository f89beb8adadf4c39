//! `zan lsp` as an editor sees it: the server runs as a subprocess and the test speaks
//! JSON-RPC over its stdio, on the shipped kz-visa rulebook (read from disk; edits stay in
//! the server's memory, as unsaved buffers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/lsp_client.rs"]
mod lsp_client;

use lsp_client::{position, uri, Client};
use serde_json::{json, Value};
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

fn errors(diags: &[Value]) -> Vec<&Value> {
    diags.iter().filter(|d| d["severity"] == 1).collect()
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

/// Replace the whole text of an open document.
fn change(c: &mut Client, path: &Path, version: i64, text: &str) {
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(path), "version": version}, "contentChanges": [{"text": text}]}),
    );
}

fn hover_text(c: &mut Client, params: Value) -> String {
    let r = c.result("textDocument/hover", params);
    r["contents"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn initialize_announces_the_features_and_exit_ends_the_process_with_stdin_open() {
    let mut c = Client::start(zan());
    let init = c.initialize(&rulebook());
    let caps = &init["capabilities"];
    for feature in [
        "hoverProvider",
        "definitionProvider",
        "referencesProvider",
        "renameProvider",
        "completionProvider",
        "documentSymbolProvider",
        "workspaceSymbolProvider",
        "documentFormattingProvider",
        "semanticTokensProvider",
        "foldingRangeProvider",
        "inlayHintProvider",
        "codeActionProvider",
    ] {
        assert!(!caps[feature].is_null(), "{feature} missing: {caps}");
    }
    assert_eq!(init["serverInfo"]["name"], "zan");
    // The client keeps stdin open: `exit` alone must end the process.
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn diagnostics_follow_edits_in_one_file_and_in_the_files_that_depend_on_it() {
    let mut c = start();
    let (core, core_text) = read("core.zan");
    let (visas, _) = read("visas.zan");
    c.open(&core, &core_text);
    // Opening one file checks the whole folder: the other files get their diagnostics too.
    let initial = c.wait_diagnostics(&uri(&visas), |_| true);
    assert!(errors(&initial).is_empty(), "{initial:#?}");

    // An error introduced in core.zan: the fact `applicant` renamed without its uses.
    let broken = core_text.replacen(
        "fact applicant: Applicant",
        "fact applicant_x: Applicant",
        1,
    );
    change(&mut c, &core, 2, &broken);
    let diags = c.wait_diagnostics(&uri(&visas), |d| !errors(d).is_empty());
    let first = errors(&diags)[0];
    assert_eq!(first["code"], "Z0101", "{first}");
    assert!(
        first["message"]
            .as_str()
            .unwrap_or_default()
            .contains("applicant"),
        "{first}"
    );
    assert_eq!(first["source"], "zan");

    // A syntax error in the open file itself, reported with its span.
    let syntax = broken.replacen("fact assessed_on: date", "fact assessed_on date", 1);
    change(&mut c, &core, 3, &syntax);
    let own = c.wait_diagnostics(&uri(&core), |d| d.iter().any(|x| x["code"] == "Z0001"));
    let z1 = own
        .iter()
        .find(|x| x["code"] == "Z0001")
        .expect("syntax error");
    assert_eq!(
        z1["range"]["start"]["line"],
        position(&syntax, "fact assessed_on", 0, 0)["line"]
    );

    // Fixed: the errors are cleared in both files.
    change(&mut c, &core, 4, &core_text);
    c.wait_diagnostics(&uri(&core), |d| errors(d).is_empty());
    c.wait_diagnostics(&uri(&visas), |d| errors(d).is_empty());
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn hover_shows_type_doc_citation_values_by_date_and_the_last_amendment() {
    let mut c = start();
    let (visas, text) = read("visas.zan");
    c.open(&visas, &text);

    let rule = hover_text(
        &mut c,
        at(
            &visas,
            &text,
            "passport_must_be_valid_until is present",
            0,
            3,
        ),
    );
    assert!(
        rule.contains("output rule passport_must_be_valid_until: date?"),
        "{rule}"
    );
    assert!(rule.contains("cites* `visa_guide`"), "{rule}");

    let field = hover_text(
        &mut c,
        at(&visas, &text, "applicant.passport.expires_on", 0, 22),
    );
    assert!(field.contains("Passport.expires_on: date"), "{field}");
    assert!(field.contains("Last day of validity."), "{field}");

    let (duties, dtext) = read("visa-duties.zan");
    c.open(&duties, &dtext);
    let mci = hover_text(&mut c, at(&duties, &dtext, "* mci", 0, 3));
    assert!(mci.contains("parameter mci: money"), "{mci}");
    assert!(mci.contains("| 2026-01-01 | `4325 KZT` |"), "{mci}");
    assert!(mci.contains("| 2021-01-01 | `2917 KZT` |"), "{mci}");

    let amended = hover_text(
        &mut c,
        at(&visas, &text, "fingerprint_registration_required", 0, 2),
    );
    assert!(amended.contains("last changed by amendment `"), "{amended}");
    assert!(amended.contains("replace from 2026-"), "{amended}");

    // A built-in function: its signature, the one the checker holds calls to.
    let (regimes, rtext) = read("entry-regimes.zan");
    c.open(&regimes, &rtext);
    let builtin = hover_text(
        &mut c,
        at(
            &regimes,
            &rtext,
            "max_days_in_any_window(stay.earlier_stays",
            0,
            4,
        ),
    );
    assert!(
        builtin.contains("max_days_in_any_window(stays, window_days) -> integer"),
        "{builtin}"
    );
    assert!(builtin.contains("a built-in function"), "{builtin}");

    // Constant date arithmetic: the date it comes to, counted in the calendar.
    let probe = format!(
        "{text}\nrule probe_deadline: date {{\n  2026-03-06 + 3 working days in kazakhstan\n}}\n"
    );
    change(&mut c, &visas, 2, &probe);
    let date = hover_text(&mut c, at(&visas, &probe, "2026-03-06 + 3", 0, 11));
    // 7 March is a Saturday, 8 March (a holiday) a Sunday carried to Monday the 9th.
    assert!(date.contains("= **2026-03-12 (Thu)**"), "{date}");
    assert!(date.contains("A working day in `kazakhstan`"), "{date}");
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn definition_references_and_rename_across_files() {
    let mut c = start();
    let (visas, text) = read("visas.zan");
    c.open(&visas, &text);

    let def = c.result(
        "textDocument/definition",
        at(&visas, &text, "applicant.passport is present", 0, 2),
    );
    let target = &def[0];
    assert!(
        target["uri"]
            .as_str()
            .unwrap_or_default()
            .ends_with("/core.zan"),
        "{def}"
    );
    let (_, core_text) = read("core.zan");
    assert_eq!(
        target["range"]["start"],
        position(&core_text, "applicant: Applicant", 0, 0)
    );

    // From an amendment's `replace` to the declaration it replaces.
    let (amend, atext) = read("amendments-2026.zan");
    c.open(&amend, &atext);
    let def = c.result(
        "textDocument/definition",
        at(
            &amend,
            &atext,
            "replace output rule fingerprint_registration_required",
            0,
            22,
        ),
    );
    assert!(
        def[0]["uri"]
            .as_str()
            .unwrap_or_default()
            .ends_with("/visas.zan"),
        "{def}"
    );

    // From a citation's quote to the sentence in the legal text.
    let def = c.result(
        "textDocument/definition",
        at(&visas, &text, "\"The passport validity must not", 0, 5),
    );
    let legal = def[0]["uri"].as_str().unwrap_or_default();
    assert!(legal.contains("/sources/"), "{def}");

    let refs = c.result(
        "textDocument/references",
        json!({"textDocument": doc(&visas), "position": position(&text, "applicant.passport is present", 0, 2), "context": {"includeDeclaration": true}}),
    );
    let refs = refs.as_array().cloned().unwrap_or_default();
    let files: std::collections::BTreeSet<&str> =
        refs.iter().filter_map(|r| r["uri"].as_str()).collect();
    assert!(
        refs.len() > 50 && files.len() > 3,
        "{} references in {files:?}",
        refs.len()
    );

    // Rename a rule: every use, in every file, is edited.
    let edit = c.result(
        "textDocument/rename",
        json!({"textDocument": doc(&visas), "position": position(&text, "rule visa_service_operation", 0, 6), "newName": "visa_service_asked"}),
    );
    let changes = edit["changes"].as_object().cloned().unwrap_or_default();
    let count: usize = changes
        .values()
        .map(|v| v.as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(
        count,
        written_outside_comments("visa_service_operation"),
        "{edit}"
    );
    assert!(
        changes.keys().any(|k| k.ends_with("/amendments-2026.zan")),
        "{edit}"
    );
    assert!(changes
        .values()
        .flat_map(|v| v.as_array().cloned().unwrap_or_default())
        .all(|e| e["newText"] == "visa_service_asked"));

    // A rule and a reason code may share a name: renaming the rule leaves the reason alone.
    let edit = c.result(
        "textDocument/rename",
        json!({"textDocument": doc(&visas), "position": position(&text, "rule passport_lacks_blank_pages", 0, 6), "newName": "passport_full"}),
    );
    let edits = edit["changes"][uri(&visas)]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        edits.len(),
        2,
        "the declaration and its use in `when`: {edit}"
    );

    // A name already taken is refused.
    let taken = c.request(
        "textDocument/rename",
        json!({"textDocument": doc(&visas), "position": position(&text, "rule passport_lacks_blank_pages", 0, 6), "newName": "applicant"}),
    );
    let message = taken["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("`applicant` is already the name of the fact"),
        "{taken}"
    );
    assert_eq!(c.shutdown(), Some(0));
}

/// How often a name is written in the rulebook's `.zan` files, comments left out.
fn written_outside_comments(name: &str) -> usize {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut n = 0;
    for entry in std::fs::read_dir(rulebook()).expect("dir").flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "zan") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for line in text.lines() {
            let code = line.split("//").next().unwrap_or_default();
            n += code
                .match_indices(name)
                .filter(|(i, _)| {
                    !code[..*i].ends_with(is_ident) && !code[i + name.len()..].starts_with(is_ident)
                })
                .count();
        }
    }
    n
}

fn labels(items: &Value) -> Vec<String> {
    items
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|i| i["label"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn completion_offers_what_fits_where_the_cursor_is() {
    let mut c = start();
    let (visas, text) = read("visas.zan");
    c.open(&visas, &text);
    let cases = [
        (
            "rule probe: bool {\n  applicant.passport.",
            vec!["expires_on", "blank_pages"],
            "names",
        ),
        (
            "rule probe: bool {\n  requested_visa_category_group == ",
            vec!["group_a", "group_c"],
            "x",
        ),
        (
            "rule probe: bool cites ",
            vec!["visa_guide", "domain_facts"],
            "applicant",
        ),
        (
            "rule probe: date {\n  assessed_on + 3 working days in ",
            vec!["kazakhstan"],
            "applicant",
        ),
        (
            "rule probe: bool {\n  passport_",
            vec![
                "passport_lacks_blank_pages",
                "passport_expires_too_early",
                "age",
            ],
            "visa_guide",
        ),
        (
            "fact probe: ",
            vec!["date", "Applicant", "VisaCategory"],
            "applicant",
        ),
    ];
    for (version, (tail, expected, absent)) in cases.into_iter().enumerate() {
        let edited = format!("{text}\n{tail}");
        change(&mut c, &visas, version as i64 + 2, &edited);
        let end = json!({"line": edited.lines().count() - 1, "character": edited.lines().last().unwrap_or_default().chars().count()});
        let items = c.result(
            "textDocument/completion",
            json!({"textDocument": doc(&visas), "position": end}),
        );
        let got = labels(&items);
        for e in &expected {
            assert!(
                got.iter().any(|g| g == e),
                "{tail:?}: `{e}` not offered in {got:?}"
            );
        }
        assert!(
            !got.iter().any(|g| g == absent),
            "{tail:?}: `{absent}` offered in {got:?}"
        );
        if tail.ends_with("passport_") {
            // A built-in function comes with its signature.
            let age = items["items"]
                .as_array()
                .and_then(|v| v.iter().find(|i| i["label"] == "age"))
                .or_else(|| {
                    items
                        .as_array()
                        .and_then(|v| v.iter().find(|i| i["label"] == "age"))
                });
            let detail = age.map(|i| i["detail"].clone()).unwrap_or_default();
            assert_eq!(detail, json!("age(birth_date, on) -> integer"), "{items}");
        }
    }
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn a_half_typed_file_keeps_answering_hover_and_completion() {
    let mut c = start();
    let (visas, text) = read("visas.zan");
    c.open(&visas, &text);
    let broken = text.replacen(
        "rule passport_lacks_blank_pages: bool",
        "rule passport_lacks_blank_pages: bool when {{ (",
        1,
    );
    change(&mut c, &visas, 2, &broken);
    let hover = hover_text(
        &mut c,
        at(
            &visas,
            &broken,
            "passport_must_be_valid_until is present",
            0,
            3,
        ),
    );
    assert!(
        hover.contains("rule passport_must_be_valid_until"),
        "{hover}"
    );
    let diags = c.wait_diagnostics(&uri(&visas), |d| d.iter().any(|x| x["code"] == "Z0001"));
    assert!(!diags.is_empty());
    let symbols = c.result(
        "textDocument/documentSymbol",
        json!({"textDocument": doc(&visas)}),
    );
    assert!(labels_of_symbols(&symbols).contains(&"passport_must_be_valid_until".to_string()));
    assert_eq!(c.shutdown(), Some(0));
}

fn labels_of_symbols(v: &Value) -> Vec<String> {
    v.as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|s| s["name"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn outline_workspace_symbols_tokens_folding_and_inlay_hints() {
    let mut c = start();
    let (visas, text) = read("visas.zan");
    c.open(&visas, &text);
    let symbols = c.result(
        "textDocument/documentSymbol",
        json!({"textDocument": doc(&visas)}),
    );
    let names = labels_of_symbols(&symbols);
    assert!(names.contains(&"VisaEntitlement".to_string()), "{names:?}");
    let entitlement = symbols
        .as_array()
        .and_then(|s| s.iter().find(|x| x["name"] == "VisaEntitlement"))
        .cloned()
        .unwrap_or_default();
    assert!(
        !labels_of_symbols(&entitlement["children"]).is_empty(),
        "enum values under the enum"
    );

    let found = c.result("workspace/symbol", json!({"query": "mci"}));
    assert!(
        labels_of_symbols(&found).contains(&"mci".to_string()),
        "{found}"
    );

    let tokens = c.result(
        "textDocument/semanticTokens/full",
        json!({"textDocument": doc(&visas)}),
    );
    let data = tokens["data"].as_array().cloned().unwrap_or_default();
    assert_eq!(data.len() % 5, 0);
    // The legend order: keyword(0) type(1) function(2) ... date(9) amount(10).
    let kinds: std::collections::BTreeSet<i64> =
        data.chunks(5).filter_map(|t| t[3].as_i64()).collect();
    for k in [0, 1, 2, 4, 5, 6, 7, 9, 12, 13] {
        assert!(kinds.contains(&k), "token kind {k} missing in {kinds:?}");
    }

    let folds = c.result(
        "textDocument/foldingRange",
        json!({"textDocument": doc(&visas)}),
    );
    assert!(folds.as_array().map_or(0, Vec::len) > 20, "{folds}");

    let (duties, dtext) = read("visa-duties.zan");
    c.open(&duties, &dtext);
    let whole = json!({"start": {"line": 0, "character": 0}, "end": {"line": dtext.lines().count(), "character": 0}});
    let hints = c.result(
        "textDocument/inlayHint",
        json!({"textDocument": doc(&duties), "range": whole}),
    );
    let labels: Vec<&str> = hints
        .as_array()
        .map(|h| h.iter().filter_map(|x| x["label"].as_str()).collect())
        .unwrap_or_default();
    assert!(labels.iter().any(|l| l.ends_with(" KZT")), "{labels:?}");

    let amend_hints = c.result(
        "textDocument/inlayHint",
        json!({"textDocument": doc(&visas), "range": {"start": {"line": 0, "character": 0}, "end": {"line": text.lines().count(), "character": 0}}}),
    );
    let labels: Vec<&str> = amend_hints
        .as_array()
        .map(|h| h.iter().filter_map(|x| x["label"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        labels.iter().any(|l| l.contains("until 2026-")),
        "{labels:?}"
    );
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn quick_fixes_replace_a_misspelt_name_and_add_missing_arms() {
    let mut c = start();
    let (visas, text) = read("visas.zan");
    c.open(&visas, &text);
    let typo = text.replacen(
        "applicant.passport.blank_pages < 2",
        "aplicant.passport.blank_pages < 2",
        1,
    );
    change(&mut c, &visas, 2, &typo);
    c.wait_diagnostics(&uri(&visas), |d| d.iter().any(|x| x["code"] == "Z0101"));
    let p = position(&typo, "aplicant.passport.blank_pages", 0, 1);
    let actions = c.result(
        "textDocument/codeAction",
        json!({"textDocument": doc(&visas), "range": {"start": p, "end": p}, "context": {"diagnostics": []}}),
    );
    let fix = actions
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|x| x["title"] == "Replace `aplicant` with `applicant`")
        })
        .cloned()
        .unwrap_or_else(|| panic!("no fix in {actions}"));
    let edits = &fix["edit"]["changes"][uri(&visas)];
    assert_eq!(edits[0]["newText"], "applicant");

    let with_match = format!(
        "{text}\noutput rule probe_group_name: text {{\n  match requested_visa_category_group {{\n    group_a => \"A\"\n  }}\n}}\n"
    );
    change(&mut c, &visas, 3, &with_match);
    c.wait_diagnostics(&uri(&visas), |d| d.iter().any(|x| x["code"] == "Z0303"));
    let p = position(&with_match, "match requested_visa_category_group", 0, 1);
    let actions = c.result(
        "textDocument/codeAction",
        json!({"textDocument": doc(&visas), "range": {"start": p, "end": p}, "context": {"diagnostics": []}}),
    );
    let add = actions
        .as_array()
        .and_then(|a| {
            a.iter().find(|x| {
                x["title"]
                    .as_str()
                    .unwrap_or_default()
                    .starts_with("Add the ")
            })
        })
        .cloned()
        .unwrap_or_else(|| panic!("no missing-arms action in {actions}"));
    let inserted = add["edit"]["changes"][uri(&visas)][0]["newText"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(inserted.contains("=> absent"), "{inserted}");
    assert!(!inserted.contains("group_a"), "{inserted}");

    // A table without a row for every key value: the missing rows, one per line.
    let with_table = format!(
        "{text}\n/// Names.\ntable probe_group_names(group: VisaCategoryGroup) -> text\n  cites visa_guide \"AMOUNT OF STATE DUTY\"\n{{\n  group_a => \"A\"\n}}\n"
    );
    change(&mut c, &visas, 4, &with_table);
    c.wait_diagnostics(&uri(&visas), |d| d.iter().any(|x| x["code"] == "Z0302"));
    let p = position(&with_table, "probe_group_names", 0, 2);
    let actions = c.result(
        "textDocument/codeAction",
        json!({"textDocument": doc(&visas), "range": {"start": p, "end": p}, "context": {"diagnostics": []}}),
    );
    let add = actions
        .as_array()
        .and_then(|a| a.iter().find(|x| x["title"] == "Add the 3 missing rows"))
        .cloned()
        .unwrap_or_else(|| panic!("no missing-rows action in {actions}"));
    let inserted = add["edit"]["changes"][uri(&visas)][0]["newText"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        inserted, "  not_applicable => absent\n  group_b => absent\n  group_c => absent\n",
        "{add}"
    );
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn formatting_gives_the_canonical_layout_and_nothing_for_a_broken_file() {
    let mut c = start();
    let (money, text) = read("money.zan");
    c.open(&money, &text);
    let params =
        json!({"textDocument": doc(&money), "options": {"tabSize": 2, "insertSpaces": true}});
    let edits = c.result("textDocument/formatting", params.clone());
    assert_eq!(edits, json!([]), "the shipped file is already formatted");
    let messy = text
        .replace("\n  ", "\n      ")
        .replace(": money\n", ":money   \r\n");
    change(&mut c, &money, 2, &messy);
    let edits = c.result("textDocument/formatting", params.clone());
    let edits = edits.as_array().cloned().unwrap_or_default();
    assert_eq!(lsp_client::apply_edits(&messy, &edits), text, "{edits:?}");
    let broken = messy.replacen("parameter mci:money", "parameter mci money", 1);
    change(&mut c, &money, 3, &broken);
    let edits = c.result("textDocument/formatting", params);
    assert!(edits.is_null(), "{edits}");
    assert_eq!(c.shutdown(), Some(0));
}

// A panicking handler (an error answer, the server serving on) is tested in process, where
// the panic can be made without a hook in the released server: `src/lsp/tests.rs`.
