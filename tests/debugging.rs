#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Debugging a rulebook from the command line, on the real kz-visa rulebook: `zan eval
//! --example NAME`, `--test NAME`, `--rules` naming internal rules, and `zan check --quiet` /
//! `--severity`.

mod common;

use common::{copy_dir, temp_dir, zan};
use serde_json::Value;
use std::process::Output;
use zan::engine::Engine;

const KZ: &str = "rulebooks/kz-visa";

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

// ---------------------------------------------------------------- zan eval --example

#[test]
fn an_example_is_decided_on_its_own_date() {
    let o = zan(&["eval", KZ, "--example", "nu_extension"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let d = json(&o);
    assert_eq!(d["as_of"], "2026-04-15");
    assert_eq!(d["outputs"]["requested_visa_entitlement"], "multiple_entry");
}

#[test]
fn an_example_decides_as_the_same_facts_in_a_case_file_do() {
    let engine = Engine::load(common::root().join(KZ)).unwrap();
    let case = engine.example_case("mission_applicant").unwrap();
    let decision = engine.decide(&case, &Default::default()).unwrap();
    let o = zan(&["eval", KZ, "--example", "mission_applicant"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), engine.decision_text_pretty(&decision) + "\n");
}

#[test]
fn an_example_with_as_of_and_text_format() {
    let o = zan(&[
        "eval",
        KZ,
        "--example",
        "mission_applicant",
        "--as-of",
        "2026-03-21",
        "--format",
        "text",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("as of 2026-03-21"), "{}", stdout(&o));
}

#[test]
fn an_unknown_example_is_a_usage_error_with_a_suggestion() {
    let o = zan(&["eval", KZ, "--example", "nu_extention"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(o.stdout, b"");
    assert_eq!(
        stderr(&o),
        "error: the rulebook has no example `nu_extention`; did you mean `nu_extension`?\n"
    );
    let o = zan(&["eval", KZ, "--example", "zzzzzzzz"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: the rulebook has no example `zzzzzzzz`\n"
    );
}

#[test]
fn a_test_name_is_not_an_example_name() {
    let o = zan(&["eval", KZ, "--example", "multiple_entry_visa_entitlement"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("has no example"), "{}", stderr(&o));
}

// ---------------------------------------------------------------- zan eval --test

#[test]
fn a_test_is_decided_and_its_expectations_hold() {
    let o = zan(&["eval", KZ, "--test", "multiple_entry_visa_entitlement"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let d = json(&o);
    assert_eq!(d["as_of"], "2026-04-15");
    assert_eq!(d["outputs"]["requested_visa_entitlement"], "multiple_entry");
    assert_eq!(
        stderr(&o),
        "ok      multiple_entry_visa_entitlement: its expectations hold\n"
    );
}

#[test]
fn every_test_of_the_rulebook_passes_through_eval_test() {
    let engine = Engine::load(common::root().join(KZ)).unwrap();
    let names: Vec<String> = engine
        .rulebook()
        .tests
        .iter()
        .map(|t| t.name.clone())
        .collect();
    assert!(names.len() > 10);
    for name in &names {
        let (case, day) = engine.test_case(name).unwrap();
        assert!(day.is_some(), "{name}");
        let options = zan::engine::Options {
            as_of: day,
            ..Default::default()
        };
        engine.decide(&case, &options).unwrap();
        assert!(engine.run_test(name).unwrap().passed(), "{name}");
    }
    // One through the binary as well, a calendar test with its own `as of`.
    let o = zan(&["eval", KZ, "--test", &names[0]]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn a_failing_test_says_what_failed_and_exits_1() {
    let dir = temp_dir("failing");
    copy_dir(&common::root().join(KZ), &dir);
    let file = dir.join("tests-visas.zan");
    let text = std::fs::read_to_string(&file).unwrap();
    let at = text.find("test multiple_entry_visa_entitlement").unwrap();
    let (head, tail) = text.split_at(at);
    let tail = tail.replacen(
        "expect requested_visa_entitlement = multiple_entry",
        "expect requested_visa_entitlement = single_entry",
        1,
    );
    std::fs::write(&file, format!("{head}{tail}")).unwrap();
    let dir = dir.to_str().unwrap();
    let o = zan(&["eval", dir, "--test", "multiple_entry_visa_entitlement"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // The decision is still printed: it is what the reviewer debugs.
    assert_eq!(
        json(&o)["outputs"]["requested_visa_entitlement"],
        "multiple_entry"
    );
    assert_eq!(
        stderr(&o),
        "FAILED  multiple_entry_visa_entitlement\n          requested_visa_entitlement: expected \"single_entry\", got \"multiple_entry\"\n"
    );
    // `zan test` agrees.
    let t = zan(&["test", dir, "--filter", "multiple_entry_visa_entitlement"]);
    assert_eq!(t.status.code(), Some(1));
}

#[test]
fn an_unknown_test_is_a_usage_error_with_a_suggestion() {
    let o = zan(&["eval", KZ, "--test", "single_entry_visa_entitelment"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(o.stdout, b"");
    assert_eq!(
        stderr(&o),
        "error: the rulebook has no test `single_entry_visa_entitelment`; did you mean `single_entry_visa_entitlement`?\n"
    );
    // An example's name is no test's.
    let o = zan(&["eval", KZ, "--test", "nu_extension"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("has no test `nu_extension`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn example_test_case_and_batch_exclude_one_another() {
    for args in [
        &[
            "eval",
            KZ,
            "--example",
            "nu_extension",
            "--test",
            "multiple_entry_visa_entitlement",
        ][..],
        &[
            "eval",
            KZ,
            "rulebooks/kz-visa/examples/c3-work-visa.json",
            "--example",
            "nu_extension",
        ],
        &[
            "eval",
            KZ,
            "rulebooks/kz-visa/examples/c3-work-visa.json",
            "--test",
            "multiple_entry_visa_entitlement",
        ],
        &["eval", KZ, "--batch", "--example", "nu_extension"],
    ] {
        let o = zan(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    }
}

// ---------------------------------------------------------------- --rules

#[test]
fn rules_names_internal_rules_beside_outputs() {
    let o = zan(&[
        "eval",
        KZ,
        "--example",
        "nu_extension",
        "--rules",
        "e_visa_portal_application,requested_visa_entitlement",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let d = json(&o);
    let outputs = d["outputs"].as_object().unwrap();
    let keys: Vec<&str> = outputs.keys().map(|k| k.as_str()).collect();
    assert_eq!(
        keys,
        ["e_visa_portal_application", "requested_visa_entitlement"]
    );
    assert_eq!(outputs["e_visa_portal_application"], false);
    // --outputs is the same flag.
    let o2 = zan(&[
        "eval",
        KZ,
        "--example",
        "nu_extension",
        "--outputs",
        "e_visa_portal_application,requested_visa_entitlement",
    ]);
    assert_eq!(o2.stdout, o.stdout);
}

#[test]
fn an_unknown_rule_is_a_usage_error_with_a_suggestion_among_all_rules() {
    let o = zan(&[
        "eval",
        KZ,
        "--example",
        "nu_extension",
        "--rules",
        "e_visa_portal_aplication",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: `e_visa_portal_aplication` is not a rule of the rulebook; did you mean `e_visa_portal_application`?\n"
    );
}

#[test]
fn the_engine_selects_internal_rules() {
    let engine = Engine::load(common::root().join(KZ)).unwrap();
    assert!(engine.rule_names().len() > engine.output_names().len());
    assert!(!engine.output_names().contains(&"e_visa_portal_application"));
    let selection = engine.select(&["e_visa_portal_application"]).unwrap();
    let case = engine.example_case("nu_extension").unwrap();
    let options = zan::engine::Options {
        outputs: Some(&selection),
        ..Default::default()
    };
    let decision = engine.decide(&case, &options).unwrap();
    assert_eq!(decision.outputs.len(), 1);
    let e = engine.example_case("nope_nope").unwrap_err();
    assert_eq!(e.kind, "example");
    let e = engine.test_case("nu_extension").unwrap_err();
    assert_eq!(e.kind, "test");
    assert!(engine.run_test("nu_extension").is_err());
}

// ---------------------------------------------------------------- zan check --quiet

fn notes_of_kz_visa() -> usize {
    let o = zan(&["check", KZ, "--format", "json"]);
    let d = json(&o);
    let notes = d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "note")
        .count();
    assert!(notes > 0, "kz-visa has open points");
    assert!(d.get("hidden").is_none());
    notes
}

#[test]
fn quiet_hides_the_notes_and_says_how_many() {
    let notes = notes_of_kz_visa();
    let o = zan(&["check", KZ, "--quiet"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    let (shown, _) = out.trim_end().rsplit_once('\n').unwrap_or(("", &out));
    assert!(
        !shown.contains("open point") && !shown.contains("Advice"),
        "{out}"
    );
    assert!(
        out.ends_with(&format!(
            "checked 20 files: 0 errors, 0 warnings, {notes} notes hidden (--quiet)\n"
        )),
        "{out}"
    );
    // -q and --severity warning are the same filter.
    let q = zan(&["check", KZ, "-q"]);
    assert_eq!(q.stdout, o.stdout);
    let s = zan(&["check", KZ, "--severity", "warning"]);
    assert_eq!(stdout(&s), out.replace("(--quiet)", "(--severity warning)"));
    let e = zan(&["check", KZ, "--severity", "error"]);
    assert!(stdout(&e).ends_with("hidden (--severity error)\n"));
    // Without a filter nothing is hidden and the summary says nothing of it.
    let all = stdout(&zan(&["check", KZ]));
    assert!(!all.contains("hidden"));
    assert!(all.len() > out.len());
    assert_eq!(stdout(&zan(&["check", KZ, "--severity", "note"])), all);
}

#[test]
fn quiet_filters_json_and_sarif_alike() {
    let notes = notes_of_kz_visa();
    let o = zan(&["check", KZ, "--quiet", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let d = json(&o);
    assert_eq!(d["diagnostics"].as_array().unwrap().len(), 0);
    assert_eq!(d["hidden"], notes);
    assert_eq!(d["errors"], 0);
    let all = json(&zan(&["check", KZ, "--format", "sarif"]));
    let quiet = json(&zan(&["check", KZ, "--format", "sarif", "--quiet"]));
    let results = |v: &Value| v["runs"][0]["results"].as_array().unwrap().len();
    assert_eq!(results(&all), notes);
    assert_eq!(results(&quiet), 0);
}

#[test]
fn quiet_and_severity_exclude_one_another() {
    let o = zan(&["check", KZ, "--quiet", "--severity", "error"]);
    assert_eq!(o.status.code(), Some(2));
    let o = zan(&["check", KZ, "--severity", "advice"]);
    assert_eq!(o.status.code(), Some(2));
}
