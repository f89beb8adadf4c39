//! Issue 16, amendments: provisions that change one name on the same date are an error
//! whatever the order of the files (Z0406), provisions on different dates apply in date order,
//! and a replaced parameter keeps answering look-ups of earlier dates with the values in force
//! then, unless the replacement says it corrects them (`correcting [from DATE]`); a replacement
//! that leaves a look-up without a value is a warning (Z0703), and so is one that writes a
//! different value for a date before it takes effect without saying it corrects it (Z0704).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use serde_json::Value as Json;
use zan::diagnostics::{render, Code, Severity};
use zan::engine::{parse_date, Engine, Options};
use zan::source::SourceMap;

const HEADER: &str = r#"rulebook demo {
  title "Demo"
  jurisdiction "KZ"
}

source law {
  title "Law"
}
"#;

fn map(files: &[(&str, &str)]) -> SourceMap {
    let mut map = SourceMap::new();
    for (name, text) in files {
        map.add(name.to_string(), text.to_string());
    }
    map
}

/// The codes of the diagnostics, and the report as a terminal shows it.
fn check(files: &[(&str, &str)]) -> (Vec<Code>, String) {
    let map = map(files);
    let checked = zan::check::check(&map);
    let report = render::to_terminal(&map, &checked.diagnostics, false);
    (checked.diagnostics.iter().map(|d| d.code).collect(), report)
}

/// The decision on an empty case as of `day`, as JSON.
fn decide(files: &[(&str, &str)], day: &str) -> Json {
    let engine = Engine::from_sources(map(files)).unwrap_or_else(|e| panic!("{e}"));
    let case = engine.case_from_str("{}").unwrap();
    let options = Options {
        as_of: Some(parse_date(day).unwrap()),
        ..Options::default()
    };
    let decision = engine.decide(&case, &options).unwrap();
    engine.decision_json(&decision)
}

/// An output's value, or its error message.
fn output(decision: &Json, name: &str) -> Result<Json, String> {
    if let Some(v) = decision["outputs"].get(name) {
        return Ok(v.clone());
    }
    let errors = decision["errors"].as_array().cloned().unwrap_or_default();
    let e = errors
        .iter()
        .find(|e| e["output"] == name)
        .unwrap_or_else(|| panic!("no output `{name}` in {decision}"));
    Err(e["message"].as_str().unwrap_or_default().to_string())
}

fn int(decision: &Json, name: &str) -> i64 {
    output(decision, name)
        .unwrap_or_else(|e| panic!("`{name}` failed: {e}"))
        .as_i64()
        .unwrap_or_else(|| panic!("`{name}` is not an integer in {decision}"))
}

// ---------------------------------------------------------------- item 1: same declaration

const FEE: &str = r#"
output rule fee: integer cites law "Article 1" {
  10
}
"#;

fn provision(amendment: &str, in_force: &str, body: &str) -> String {
    format!(
        "amendment {amendment}\n  cites law \"Article 2\"\n  in force {in_force}\n{{\n  {body}\n}}\n"
    )
}

fn replace_fee(amendment: &str, in_force: &str, value: u32) -> String {
    provision(
        amendment,
        in_force,
        &format!("replace output rule fee: integer cites law \"Article 2\" {{\n    {value}\n  }}"),
    )
}

#[test]
fn two_replacements_on_one_date_are_an_error_whatever_the_order_of_the_files() {
    let base = format!("{HEADER}{FEE}");
    let a = replace_fee("order_a", "2026-01-01", 20);
    let z = replace_fee("order_z", "2026-01-01", 30);
    // Before the fix, the file read last won: `z.zan` gave 30, renamed `0.zan` it gave 20.
    for other in ["z.zan", "0.zan"] {
        let (codes, report) = check(&[("rules.zan", &base), ("a.zan", &a), (other, &z)]);
        assert!(
            codes.contains(&Code::ConflictingProvisions),
            "{other}: {report}"
        );
        assert!(
            report.contains("two provisions change `fee` on 2026-01-01"),
            "{report}"
        );
        assert!(
            report.contains("`order_a`") && report.contains("`order_z`"),
            "{report}"
        );
        assert!(
            Engine::from_sources(map(&[("rules.zan", &base), ("a.zan", &a), (other, &z)])).is_err()
        );
    }
}

#[test]
fn a_repeal_and_a_replacement_on_one_date_conflict_in_either_order() {
    let base = format!("{HEADER}{FEE}");
    let repeal = provision("repeal_order", "2026-01-01", "repeal rule fee");
    let replace = replace_fee("replace_order", "2026-01-01", 20);
    for (first, second) in [(&repeal, &replace), (&replace, &repeal)] {
        let (codes, report) = check(&[("rules.zan", &base), ("a.zan", first), ("b.zan", second)]);
        assert_eq!(
            codes
                .iter()
                .filter(|c| c.severity() == Severity::Error)
                .count(),
            1,
            "{report}"
        );
        assert!(codes.contains(&Code::ConflictingProvisions), "{report}");
        assert!(report.contains("repealed by `repeal_order`"), "{report}");
        assert!(report.contains("replaced by `replace_order`"), "{report}");
    }
    // The same provision twice in one amendment conflicts too.
    let twice = provision("twice", "2026-01-01", "repeal rule fee\n  repeal rule fee");
    let (codes, report) = check(&[("rules.zan", &base), ("a.zan", &twice)]);
    assert!(codes.contains(&Code::ConflictingProvisions), "{report}");
}

#[test]
fn provisions_on_different_dates_apply_in_date_order_whatever_the_order_of_the_files() {
    let base = format!("{HEADER}{FEE}");
    let january = replace_fee("january_order", "2026-01-01", 20);
    let march = replace_fee("march_order", "2026-03-01", 30);
    for (x, y) in [(&january, &march), (&march, &january)] {
        let files = [("rules.zan", base.as_str()), ("a.zan", x), ("b.zan", y)];
        let (codes, report) = check(&files);
        assert!(codes.is_empty(), "{report}");
        assert_eq!(int(&decide(&files, "2025-12-31"), "fee"), 10);
        assert_eq!(int(&decide(&files, "2026-02-28"), "fee"), 20);
        assert_eq!(int(&decide(&files, "2026-03-01"), "fee"), 30);
    }
    // A replacement after a repeal finds nothing to replace.
    let repeal = provision("repeal_order", "2026-01-01", "repeal rule fee");
    let (codes, report) = check(&[("rules.zan", &base), ("a.zan", &march), ("b.zan", &repeal)]);
    assert!(codes.contains(&Code::AlreadyRepealed), "{report}");
    // A repeal after a replacement ends it.
    let later_repeal = provision("repeal_order", "2026-03-01", "repeal rule fee");
    let files = [
        ("rules.zan", base.as_str()),
        ("a.zan", &later_repeal),
        ("b.zan", &january),
    ];
    let (codes, report) = check(&files);
    assert!(codes.is_empty(), "{report}");
    assert_eq!(int(&decide(&files, "2026-02-28"), "fee"), 20);
    assert!(decide(&files, "2026-03-01")["outputs"].get("fee").is_none());
}

// ---------------------------------------------------------------- item 2: parameter history

const MCI: &str = r#"
parameter mci: integer cites law "Article 1" {
  from 2024-01-01: 90
  from 2025-01-01: 100
}

output rule mci_now: integer cites law "Article 1" {
  mci
}

output rule mci_2024: integer cites law "Article 1" {
  mci as of 2024-06-01
}

output rule mci_2025: integer cites law "Article 1" {
  mci as of 2025-06-01
}

output rule mci_2026: integer cites law "Article 1" {
  mci as of 2026-06-01
}
"#;

/// `replace [CLAUSE] parameter mci` from `in_force`, with the given values.
fn replace_mci(amendment: &str, in_force: &str, clause: &str, values: &str) -> String {
    provision(
        amendment,
        in_force,
        &format!(
            "replace {clause}parameter mci: integer cites law \"Article 2\" {{\n{values}\n  }}"
        ),
    )
}

#[test]
fn a_replaced_parameter_still_answers_for_dates_before_the_replacement() {
    let amendment = replace_mci("order_2026", "2026-01-01", "", "    from 2026-01-01: 200");
    let files = [
        ("rules.zan", format!("{HEADER}{MCI}")),
        ("b.zan", amendment),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let (codes, report) = check(&files);
    assert!(codes.is_empty(), "{report}");
    let after = decide(&files, "2026-02-01");
    // Before the fix: "parameter `mci` has no value in force on 2025-06-01".
    assert_eq!(int(&after, "mci_2025"), 100);
    assert_eq!(int(&after, "mci_2024"), 90);
    assert_eq!(int(&after, "mci_now"), 200);
    assert_eq!(int(&after, "mci_2026"), 200);
    // Before the amendment, the consolidated rulebook is the baseline: 2026 is still 100.
    let before = decide(&files, "2025-12-31");
    assert_eq!(int(&before, "mci_2026"), 100);
    assert_eq!(int(&before, "mci_now"), 100);
}

#[test]
fn a_value_restated_for_an_earlier_date_applies_only_from_the_replacement() {
    // The new declaration restates 2025 with another value, without saying it corrects it:
    // its 2025 value is the one in force on the replacement's date, not in 2025.
    let amendment = replace_mci("order_2026", "2026-01-01", "", "    from 2025-01-01: 110");
    let files = [
        ("rules.zan", format!("{HEADER}{MCI}")),
        ("b.zan", amendment),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    // The written date would mislead: a warning says so, and how to write a correction.
    let (codes, report) = check(&files);
    assert_eq!(codes, vec![Code::RestatedValueIgnored], "{report}");
    assert!(report.contains("counts only from 2026-01-01"), "{report}");
    assert!(
        report.contains("replace correcting from 2025-01-01 parameter mci"),
        "{report}"
    );
    let after = decide(&files, "2026-02-01");
    assert_eq!(int(&after, "mci_2025"), 100);
    assert_eq!(int(&after, "mci_now"), 110);
}

#[test]
fn correcting_from_a_date_replaces_the_earlier_values_from_that_date() {
    let amendment = replace_mci(
        "order_2026",
        "2026-01-01",
        "correcting from 2025-01-01 ",
        "    from 2025-01-01: 110\n    from 2026-01-01: 200",
    );
    let files = [
        ("rules.zan", format!("{HEADER}{MCI}")),
        ("b.zan", amendment),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let (codes, report) = check(&files);
    assert!(codes.is_empty(), "{report}");
    let after = decide(&files, "2026-02-01");
    assert_eq!(int(&after, "mci_2025"), 110);
    assert_eq!(int(&after, "mci_2024"), 90);
    assert_eq!(int(&after, "mci_now"), 200);
    // The correction takes effect with the amendment: before it, 2025 was 100.
    assert_eq!(int(&decide(&files, "2025-12-31"), "mci_2025"), 100);
}

#[test]
fn correcting_without_a_date_replaces_every_earlier_value_and_warns_of_the_lost_ones() {
    let amendment = replace_mci(
        "order_2026",
        "2026-01-01",
        "correcting ",
        "    from 2025-01-01: 110\n    from 2026-01-01: 200",
    );
    let files = [
        ("rules.zan", format!("{HEADER}{MCI}")),
        ("b.zan", amendment),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let (codes, report) = check(&files);
    assert_eq!(codes, vec![Code::ParameterValueLost], "{report}");
    assert!(
        report.contains("from 2024-01-01 until 2024-12-31 finds no value"),
        "{report}"
    );
    let after = decide(&files, "2026-02-01");
    assert_eq!(int(&after, "mci_2025"), 110);
    let lost = output(&after, "mci_2024").unwrap_err();
    assert!(lost.contains("no value in force on 2024-06-01"), "{lost}");
}

#[test]
fn a_replacement_without_a_value_on_its_date_warns_and_leaves_a_gap() {
    let amendment = replace_mci("order_2026", "2026-01-01", "", "    from 2026-07-01: 200");
    let files = [
        ("rules.zan", format!("{HEADER}{MCI}")),
        ("b.zan", amendment),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let (codes, report) = check(&files);
    assert_eq!(codes, vec![Code::ParameterValueLost], "{report}");
    assert!(
        report.contains("from 2026-01-01 until 2026-06-30 finds no value"),
        "{report}"
    );
    let after = decide(&files, "2026-02-01");
    assert_eq!(int(&after, "mci_2025"), 100);
    assert!(output(&after, "mci_now")
        .unwrap_err()
        .contains("no value in force on 2026-02-01"));
    assert!(output(&after, "mci_2026").is_err());
    assert_eq!(int(&decide(&files, "2026-07-01"), "mci_now"), 200);
}

#[test]
fn successive_replacements_keep_the_whole_history() {
    let first = replace_mci("order_2026", "2026-01-01", "", "    from 2026-01-01: 200");
    // The second restates the history as it stands: no warning.
    let second = replace_mci(
        "order_2027",
        "2027-01-01",
        "",
        "    from 2025-01-01: 100\n    from 2026-01-01: 200\n    from 2027-01-01: 300",
    );
    let files = [
        ("rules.zan", format!("{HEADER}{MCI}")),
        ("a.zan", second),
        ("b.zan", first),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let (codes, report) = check(&files);
    assert!(codes.is_empty(), "{report}");
    let after = decide(&files, "2027-02-01");
    assert_eq!(int(&after, "mci_2024"), 90);
    assert_eq!(int(&after, "mci_2025"), 100);
    assert_eq!(int(&after, "mci_2026"), 200);
    assert_eq!(int(&after, "mci_now"), 300);
}

#[test]
fn a_replacement_that_changes_the_type_warns_that_earlier_values_are_dropped() {
    let amendment = provision(
        "order_2026",
        "2026-01-01",
        "replace parameter mci: decimal cites law \"Article 2\" {\n    from 2026-01-01: 200.5\n  }",
    );
    let base = format!(
        "{HEADER}\nparameter mci: integer cites law \"Article 1\" {{\n  from 2025-01-01: 100\n}}\n\noutput rule mci_now: decimal cites law \"Article 1\" {{\n  mci\n}}\n"
    );
    let (codes, report) = check(&[("rules.zan", &base), ("b.zan", &amendment)]);
    assert!(codes.contains(&Code::ParameterValueLost), "{report}");
    assert!(report.contains("changes type"), "{report}");
}

#[test]
fn a_correction_must_not_start_after_the_replacement() {
    let amendment = replace_mci(
        "order_2026",
        "2026-01-01",
        "correcting from 2026-05-01 ",
        "    from 2026-01-01: 200",
    );
    let (codes, report) = check(&[
        ("rules.zan", &format!("{HEADER}{MCI}")),
        ("b.zan", &amendment),
    ]);
    assert!(codes.contains(&Code::DatesOutOfOrder), "{report}");
    assert!(
        report.contains("2026-05-01 is after 2026-01-01"),
        "{report}"
    );
}

#[test]
fn only_a_parameter_can_be_corrected() {
    let amendment = provision(
        "order_2026",
        "2026-01-01",
        "replace correcting from 2025-01-01 output rule fee: integer cites law \"Article 2\" {\n    20\n  }",
    );
    let (codes, report) = check(&[
        ("rules.zan", &format!("{HEADER}{FEE}")),
        ("b.zan", &amendment),
    ]);
    assert_eq!(codes, vec![Code::Syntax], "{report}");
    assert!(report.contains("expected `parameter`"), "{report}");
}

// ---------------------------------------------------------------- item 2: `zan diff` by date

#[test]
fn diff_by_date_shows_the_values_look_ups_see_after_a_replacement() {
    let dir = common::root().join("tests/data/amendments/replaced-parameter");
    let dir = dir.to_str().unwrap();
    let out = common::zan(&["diff", dir, "--from", "2025-06-01", "--to", "2026-06-01"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("look-ups of dates before 2026-01-01 keep the values it replaces"),
        "{text}"
    );
    assert!(
        text.contains("value added: from 2026-01-01: `200`"),
        "{text}"
    );
    // Before the fix the diff said the 2024 and 2025 values were removed, and the look-up of
    // 2025 changed from 100 to an error.
    assert!(!text.contains("value removed"), "{text}");
    assert!(!text.contains("no value in force on 2025-06-01"), "{text}");
    let corrected = common::root().join("tests/data/amendments/corrected-parameter");
    let out = common::zan(&[
        "diff",
        corrected.to_str().unwrap(),
        "--from",
        "2025-06-01",
        "--to",
        "2026-06-01",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("look-ups of dates before 2025-01-01 keep the values it replaces"),
        "{text}"
    );
    assert!(
        text.contains("value from 2025-01-01: `100` → `110`"),
        "{text}"
    );
    assert!(!text.contains("value removed"), "{text}");
}
