//! The command line as a user meets it: exit codes, messages for bad input, help.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::zan;

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn the_shipped_rulebook_checks_without_errors() {
    let o = zan(&["check", "rulebooks/kz-visa"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("0 errors"), "{}", stdout(&o));
}

#[test]
fn the_shipped_tests_pass_through_the_cli() {
    let o = zan(&["test", "rulebooks/kz-visa"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains(" 0 failed"), "{}", stdout(&o));
}

/// The kz-visa tests exercise every rule, case, exception, reason, table row, parameter value
/// and cited provision, and there are at least 150 of them.
#[test]
fn the_shipped_rulebook_is_fully_covered_by_its_tests() {
    let o = zan(&[
        "test",
        "rulebooks/kz-visa",
        "--min-coverage",
        "100",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", json["coverage"]);
    assert!(json["passed"].as_u64().unwrap() >= 150);
    let names: Vec<&str> = json["coverage"]["categories"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "rules",
            "cases",
            "exceptions",
            "reasons",
            "table rows",
            "parameter values",
            "provisions"
        ]
    );
}

/// The shipped rulebook checks without warnings, and every quote stands in its source.
#[test]
fn the_shipped_rulebook_has_no_warnings() {
    let o = zan(&["check", "rulebooks/kz-visa", "--deny-warnings"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn a_failing_rulebook_test_prints_expected_and_actual() {
    let dir = common::temp_dir("failing");
    for e in std::fs::read_dir(common::root().join("rulebooks/kz-visa")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "zan") {
            std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
        }
    }
    // The 2026 calendar without Nauryz: the NSC deadline across 23–25 March moves.
    let cal = dir.join("calendar.zan");
    let text = std::fs::read_to_string(&cal).unwrap();
    let mutated: String = text
        .lines()
        .filter(|l| !l.contains("Nauryz"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(mutated, text, "calendar.zan should name Nauryz");
    std::fs::write(&cal, mutated).unwrap();
    let o = zan(&["test", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(out.contains("FAILED"), "{out}");
    // Dates as a person reads them: `expected 2026-03-30 (Mon), got 2026-03-27 (Fri)`.
    assert!(out.contains("expected 2026-"), "{out}");
    assert!(!out.contains("expected \"2026-"), "{out}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_malformed_case_names_the_json_path_and_exits_2() {
    let dir = common::temp_dir("case");
    let case = dir.join("bad.json");
    std::fs::write(
        &case,
        r#"{"applicant": {"name": "A", "birth_date": "2010-02-30", "citizenship": "germnay"},
            "application": {"submitted_on": "2026-03-10"}}"#,
    )
    .unwrap();
    let o = zan(&["eval", "rulebooks/kz-visa", case.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("$.applicant.birth_date"), "{err}");
    assert!(err.contains("not a calendar date"), "{err}");
    assert!(err.contains("$.applicant.citizenship"), "{err}");
    assert!(err.contains("did you mean \"germany\""), "{err}");
    assert!(
        err.contains("$.application.category") && err.contains("missing"),
        "{err}"
    );
    let out: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        out.get("outputs").is_none(),
        "nothing is evaluated from a bad case"
    );
    assert!(out["case_errors"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["path"] == "$.applicant.birth_date"));
    std::fs::write(&case, "{ not json").unwrap();
    let o = zan(&["eval", "rulebooks/kz-visa", case.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not valid JSON"), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_malformed_rulebook_gets_diagnostics_and_exit_1() {
    let dir = common::temp_dir("rulebook");
    std::fs::write(
        dir.join("bad.zan"),
        "rulebook r { title \"t\" }\nsource s { title \"s\" }\noutput rule a: bool cites s \"x\" {\n  when 2026-13-01 > then true\n}\noutput rule b: bool cites s \"x\" { undefined_name }\n",
    )
    .unwrap();
    let o = zan(&["check", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("Z0001") && out.contains("Z0101"),
        "both declarations are reported: {out}"
    );
    let o = zan(&[
        "eval",
        dir.to_str().unwrap(),
        "rulebooks/kz-visa/examples/e-visa-tourist.json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let o = zan(&["check", dir.to_str().unwrap(), "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let first = &json["diagnostics"][0];
    assert!(
        first["primary"]["line"].as_u64().unwrap() >= 1
            && first["code"].as_str().unwrap().starts_with('Z'),
        "{json}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn citations_are_checked_against_the_source_text() {
    let dir = common::temp_dir("quotes");
    std::fs::create_dir_all(dir.join("sources")).unwrap();
    std::fs::write(
        dir.join("sources/law.txt"),
        "Article 1.\nA visa entitles the visa recipient to stay\nlegally for a time.\n",
    )
    .unwrap();
    let rulebook = |quote: &str| {
        format!(
            "rulebook r {{ title \"t\" }}\nsource law {{ title \"Law\" file \"law.txt\" }}\n\
             output rule a: bool cites law \"{quote}\" {{ true }}\n"
        )
    };
    // Line breaks in the source and `...` for omitted words are accepted.
    std::fs::write(
        dir.join("r.zan"),
        rulebook("A visa entitles ... to stay legally for a time."),
    )
    .unwrap();
    let o = zan(&["check", dir.to_str().unwrap()]);
    assert!(!stdout(&o).contains("Z0504"), "{}", stdout(&o));
    std::fs::write(
        dir.join("r.zan"),
        rulebook("A visa entitles the holder to stay"),
    )
    .unwrap();
    let o = zan(&["check", dir.to_str().unwrap()]);
    let out = stdout(&o);
    assert!(
        out.contains("Z0504") && out.contains("up to \"A visa entitles the\""),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn coverage_lists_what_no_test_reaches_and_enforces_a_minimum() {
    let dir = common::temp_dir("coverage");
    std::fs::write(
        dir.join("r.zan"),
        r#"rulebook r { title "t" as of day }
source law { title "Law" }
fact day: date
fact age: integer
enum Size { small, large }
fact size: Size
parameter fee: money cites law "fees" {
  from 2025-01-01: 10 KZT
  from 2026-01-01: 12 KZT
}
table rate(s: Size) -> integer cites law "rates" {
  small => 1 cites law "small rate"
  large => 2 cites law "large rate"
}
output rule adult: bool cites law "adults" {
  when age >= 18 then true cites law "eighteen"
  otherwise false
}
exception emancipated to adult cites law "emancipation" {
  when age == 16 then true
}
output rule due: money cites law "due" { fee * rate(size) }
test grown_up checks law "adults" {
  given { day: 2026-02-01, age: 20, size: small }
  expect adult = true
  expect due = 12 KZT
}
"#,
    )
    .unwrap();
    let path = dir.to_str().unwrap();
    let o = zan(&["test", path, "--coverage"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    for missing in [
        "exception `emancipated` to `adult`",
        "`adult`, otherwise",
        "table `rate`, row `large`",
        "parameter `fee` from 2025-01-01",
        "law \"emancipation\"",
        "law \"large rate\"",
    ] {
        assert!(out.contains(missing), "`{missing}` should be listed: {out}");
    }
    assert!(!out.contains("law \"small rate\""), "{out}");
    let o = zan(&["test", path, "--min-coverage", "100", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let cov = &json["coverage"];
    assert_eq!(cov["format"], "zan-coverage/1");
    let rules = &cov["categories"][0];
    assert_eq!(
        (rules["name"].as_str(), rules["covered"].as_u64()),
        (Some("rules"), Some(2))
    );
    let below: Vec<&str> = cov["below_min_coverage"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert!(
        below.contains(&"exceptions") && !below.contains(&"rules"),
        "{below:?}"
    );
    let o = zan(&["test", path, "--min-coverage", "0"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(zan(&["eval", "rulebooks/kz-visa"]).status.code(), Some(2));
    assert_eq!(zan(&["check", "no/such/folder"]).status.code(), Some(2));
    let o = zan(&[
        "eval",
        "rulebooks/kz-visa",
        "rulebooks/kz-visa/examples/e-visa-tourist.json",
        "--as-of",
        "2026-02-30",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a date"), "{}", stderr(&o));
}

#[test]
fn every_command_has_help_with_an_example() {
    for cmd in ["check", "eval", "test", "fmt"] {
        let o = zan(&[cmd, "--help"]);
        assert_eq!(o.status.code(), Some(0));
        assert!(
            stdout(&o).contains("Example:"),
            "{cmd} --help has no example"
        );
    }
}

#[test]
fn eval_as_of_before_and_after_the_amendment() {
    let case = "rulebooks/kz-visa/examples/sticker-applicant-turning-16.json";
    let before: serde_json::Value = serde_json::from_slice(
        &zan(&["eval", "rulebooks/kz-visa", case, "--as-of", "2026-02-21"]).stdout,
    )
    .unwrap();
    let after: serde_json::Value = serde_json::from_slice(
        &zan(&["eval", "rulebooks/kz-visa", case, "--as-of", "2026-03-10"]).stdout,
    )
    .unwrap();
    // Stage monitoring exists only from the 2026 order on; fingerprinting already before it.
    assert!(before["outputs"]
        .get("public_service_stages_monitored")
        .is_none());
    assert_eq!(
        after["outputs"]["public_service_stages_monitored"],
        serde_json::Value::Bool(true)
    );
    assert_eq!(
        after["outputs"]["fingerprint_registration_required"],
        serde_json::Value::Bool(true)
    );
    let text = zan(&[
        "eval",
        "rulebooks/kz-visa",
        case,
        "--explain",
        "--format",
        "text",
    ]);
    let text = stdout(&text);
    assert!(
        text.contains("\nWhy\n  consolidated rulebook: the version in force from 2026-03-10"),
        "{text}"
    );
    assert!(
        text.contains(
            "joint_order_2026 replaces rule `fingerprint_registration_required` from 2026-03-10"
        ),
        "{text}"
    );
    // The fingerprinting output cites the sentence of the order, with its file and line.
    assert!(
        text.contains("amendments-2026-invitations-and-visas.txt:"),
        "{text}"
    );
    assert!(text.contains("reached the age of sixteen"), "{text}");
}
