#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `zan test` for an analyst and a CI dashboard (issue 18): a failure at the `FILE:LINE` of
//! its `expect`, expected against actual as people read them, the test's `checks` citation;
//! `--explain` with the derivation of the actual value; `--format junit` validated against a
//! published JUnit XML schema (tests/data/junit), its escaping of hostile text included.

mod common;

use common::{expect_file, temp_dir, zan};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const KZ: &str = "rulebooks/kz-visa";
/// A small rulebook whose test `wrong_values` fails three ways, with markup, quotes, an
/// ampersand and a control character in its note and in its `checks` quote.
const FAILING: &str = "tests/data/zan_test/failing";
const SCHEMA: &str = "tests/data/junit/junit-10.xsd";

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The times of a JUnit report set to zero, so that it can be compared with a file.
fn without_times(xml: &str) -> String {
    let mut out = String::new();
    let mut rest = xml;
    while let Some(at) = rest.find(" time=\"") {
        let (head, tail) = rest.split_at(at + " time=\"".len());
        out.push_str(head);
        out.push_str("0.000");
        rest = &tail[tail.find('"').unwrap()..];
    }
    out.push_str(rest);
    out
}

// ------------------------------------------------------------------------- text and JSON

#[test]
fn a_failure_names_its_file_and_line_expected_and_actual_and_what_the_test_checks() {
    let o = zan(&["test", FAILING]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    // The header gives the test's own line; each failure the line of its `expect`.
    assert!(
        out.contains("FAILED  wrong_values  (tests/data/zan_test/failing/tests.zan:3)"),
        "{out}"
    );
    assert!(
        out.contains(
            "tests/data/zan_test/failing/tests.zan:9: total: expected 648,750.50 KZT, got 648,750.00 KZT"
        ),
        "{out}"
    );
    assert!(out.contains("checks law “the total is <three>"), "{out}");
    assert!(out.contains("ok      right_total"), "{out}");
    expect_file(Path::new("tests/data/zan_test/failing.text.expected"), &out).unwrap();
}

#[test]
fn the_line_named_is_the_line_of_the_expect() {
    let text = std::fs::read_to_string(common::root().join(FAILING).join("tests.zan")).unwrap();
    let line = |n: usize| text.lines().nth(n - 1).unwrap().trim().to_string();
    assert_eq!(line(3), "test wrong_values");
    assert_eq!(line(9), "expect total = 648750.5 KZT");
    assert_eq!(line(10), "expect due = 2026-04-17");
    assert_eq!(line(11), "expect shown = absent");
}

#[test]
fn the_json_report_gives_the_same_places_texts_and_citations() {
    let o = zan(&["test", FAILING, "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let json: Value = serde_json::from_slice(&o.stdout).unwrap();
    let test = &json["tests"][0];
    assert_eq!(test["name"], "wrong_values");
    assert_eq!(test["at"], "tests/data/zan_test/failing/tests.zan:3");
    assert_eq!(
        test["checks"][0],
        "law “the total is <three> times the fee & \"more\"'s”"
    );
    let total = &test["failures"][0];
    assert_eq!(total["rule"], "total");
    assert_eq!(total["at"], "tests/data/zan_test/failing/tests.zan:9");
    assert_eq!(total["expected_text"], "648,750.50 KZT");
    assert_eq!(total["actual_text"], "648,750.00 KZT");
    // The JSON values stay as they were.
    assert_eq!(total["expected"]["amount"], "648750.50");
    assert!(total.get("derivation_text").is_none());
    assert_eq!(json["tests"][1]["passed"], true);
}

// ------------------------------------------------------------------------------ --explain

/// The lines under `why `RULE` is what it is:` in the text report.
fn derivation_of(out: &str, rule: &str) -> String {
    let head = format!("why `{rule}` is what it is:\n");
    let at = out
        .find(&head)
        .unwrap_or_else(|| panic!("no derivation of {rule}:\n{out}"));
    out[at + head.len()..]
        .lines()
        .take_while(|l| l.starts_with("            "))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn explain_shows_the_derivation_of_each_actual_value() {
    let o = zan(&["test", FAILING, "--explain"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    for (rule, actual) in [
        ("total", "648,750.00 KZT"),
        ("due", "2026-04-16 (Thu)"),
        ("shown", "say <b>"),
    ] {
        let d = derivation_of(&out, rule);
        assert!(d.contains(rule), "{rule}: {d}");
        assert!(d.contains(actual), "{rule} is {actual}: {d}");
    }
    // Only the failing test is explained, and without --explain nothing is.
    assert_eq!(out.matches("is what it is:").count(), 3, "{out}");
    assert!(!stdout(&zan(&["test", FAILING])).contains("is what it is"));
    // The derivation is the one `zan eval --explain` shows for the same rule, written by the
    // same renderer.
    let json = zan(&["test", FAILING, "--format", "json", "--explain"]);
    let json: Value = serde_json::from_slice(&json.stdout).unwrap();
    let text = json["tests"][0]["failures"][0]["derivation_text"]
        .as_str()
        .unwrap();
    assert!(
        text.contains("total") && text.contains("648,750.00 KZT"),
        "{text}"
    );
}

#[test]
fn explain_on_passing_tests_adds_nothing() {
    let plain = zan(&["test", KZ, "--filter", "fingerprint"]);
    let explained = zan(&["test", KZ, "--filter", "fingerprint", "--explain"]);
    assert_eq!(explained.status.code(), Some(0), "{}", stderr(&explained));
    assert_eq!(stdout(&plain), stdout(&explained));
}

// --------------------------------------------------------------------------------- JUnit

/// `xmllint`, when it can be run. Without it the validation is skipped with a notice, except
/// under CI (`CI` set), where it is a failure: `.ci/run` installs it.
fn xmllint() -> Option<&'static str> {
    let runs = Command::new("xmllint")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if runs {
        return Some("xmllint");
    }
    if std::env::var_os("CI").is_some() {
        panic!("xmllint is not installed (Debian's libxml2-utils; .ci/run installs it)");
    }
    eprintln!("notice: xmllint is not installed; the JUnit XML is not validated");
    None
}

/// Validate `xml` against the vendored JUnit schema; `None` when there is no validator.
fn validate(xml: &str, name: &str) -> Option<()> {
    let lint = xmllint()?;
    let dir = temp_dir(name);
    let file = dir.join("report.xml");
    std::fs::write(&file, xml).unwrap();
    let o = Command::new(lint)
        .args(["--noout", "--schema"])
        .arg(common::root().join(SCHEMA))
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{name}: the JUnit XML does not validate against {SCHEMA}:\n{}\n{xml}",
        stderr(&o)
    );
    let _ = std::fs::remove_dir_all(&dir);
    Some(())
}

/// What an XPath expression gives on `xml`, read back by xmllint's parser.
fn xpath(xml: &str, expression: &str) -> Option<String> {
    let lint = xmllint()?;
    let dir = temp_dir("xpath");
    let file = dir.join("report.xml");
    std::fs::write(&file, xml).unwrap();
    let o = Command::new(lint)
        .args(["--xpath", expression])
        .arg(&file)
        .output()
        .unwrap();
    assert!(o.status.success(), "{expression}: {}", stderr(&o));
    let _ = std::fs::remove_dir_all(&dir);
    // xmllint ends what it prints with a line break of its own.
    let out = stdout(&o);
    Some(out.strip_suffix('\n').unwrap_or(&out).to_string())
}

#[test]
fn the_junit_report_of_kz_visa_validates_with_one_testcase_per_test() {
    let o = zan(&["test", KZ, "--format", "junit"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let xml = stdout(&o);
    let json: Value =
        serde_json::from_slice(&zan(&["test", KZ, "--format", "json"]).stdout).unwrap();
    let tests = json["passed"].as_u64().unwrap() as usize;
    assert!(tests >= 150);
    assert_eq!(xml.matches("<testcase ").count(), tests);
    assert!(xml.contains(&format!(
        "<testsuites name=\"kz_visa\" tests=\"{tests}\" failures=\"0\" errors=\"0\""
    )));
    // One suite per file of tests, named after the rulebook and the file.
    let files = common::files_in(&common::root().join(KZ), "zan")
        .into_iter()
        .filter(|f| std::fs::read_to_string(f).unwrap().contains("\ntest "))
        .count();
    assert_eq!(xml.matches("<testsuite ").count(), files, "{xml}");
    assert!(xml.contains(
        "<testsuite name=\"kz_visa: rulebooks/kz-visa/tests-calendar.zan\" file=\"rulebooks/kz-visa/tests-calendar.zan\" tests=\"5\""
    ));
    assert!(!xml.contains("<failure"));
    validate(&xml, "kz-visa");
}

#[test]
fn the_junit_report_of_failing_tests_validates_and_says_what_failed() {
    let o = zan(&["test", FAILING, "--format", "junit"]);
    // The exit code is that of the text report.
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let xml = stdout(&o);
    expect_file(
        Path::new("tests/data/zan_test/failing.junit.xml"),
        &without_times(&xml),
    )
    .unwrap();
    validate(&xml, "failing");
    assert!(xml.contains("<testsuites name=\"fees\" tests=\"2\" failures=\"1\" errors=\"0\""));
    assert!(xml.contains("<testcase name=\"right_total\" classname=\"fees.tests\""));
    assert_eq!(xml.matches("<failure ").count(), 3);
    // The CI log's time is the real one, to the millisecond.
    assert!(
        xml.contains(" time=\"0.0") || xml.contains(" time=\"1."),
        "{xml}"
    );
}

#[test]
fn hostile_text_is_escaped_and_reads_back_as_written() {
    let xml = stdout(&zan(&["test", FAILING, "--format", "junit"]));
    // No raw control character reaches the XML (XML 1.0 cannot carry one).
    assert!(!xml.contains('\u{1}'));
    assert!(xml.contains("bell \\u{1}"));
    // A parser reads back the message and the body as zan wrote them.
    let Some(message) = xpath(
        &xml,
        "string(//testcase[@name='wrong_values']/failure[3]/@message)",
    ) else {
        return;
    };
    assert_eq!(
        message,
        "shown: expected absent, got \"say <b>\\\"hi\\\"</b> & bell \\u{1}\""
    );
    let body = xpath(&xml, "string(//testcase[@name='wrong_values']/failure[1])").unwrap();
    assert!(
        body.contains("checks law “the total is <three> times the fee & \"more\"'s”\n"),
        "{body}"
    );
    assert!(
        body.starts_with("tests/data/zan_test/failing/tests.zan:9: total: expected 648,750.50 KZT, got 648,750.00 KZT\ntest wrong_values at tests/data/zan_test/failing/tests.zan:3\n"),
        "{body}"
    );
}

#[test]
fn a_hostile_rulebook_gives_well_formed_junit() {
    // Names cannot hold markup (they are identifiers), but the rulebook's sources, quotes and
    // text values can hold anything a file can: line breaks, tabs, carriage returns, markup.
    let dir = temp_dir("hostile");
    std::fs::write(
        dir.join("r.zan"),
        "rulebook hostile { title \"x\" as of today }\nsource law_ { title \"t\" }\nfact today: date\noutput rule said: text cites law_ \"x\" { \"]]> <![CDATA[ &amp; \\t\\n end\" }\n\
         test ünïcödé_тест\n  checks law_ \"</failure><injected/>\r\\n\"\n{\n  as of 2026-01-01\n  given { today: 2026-01-01 }\n  expect said = \"'\\\"<>&\"\n}\n",
    )
    .unwrap();
    let o = zan(&[
        "test",
        dir.to_str().unwrap(),
        "--format",
        "junit",
        "--explain",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let xml = stdout(&o);
    assert!(!xml.contains("<injected/>"), "{xml}");
    assert!(!xml.contains("<![CDATA["), "{xml}");
    assert!(xml.contains("<testcase name=\"ünïcödé_тест\""), "{xml}");
    validate(&xml, "hostile");
    if let Some(message) = xpath(&xml, "string(//failure/@message)") {
        assert_eq!(
            message,
            "said: expected \"'\\\"<>&\", got \"]]> <![CDATA[ &amp; \t\\n end\""
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn output_writes_the_report_to_a_file_whole() {
    let dir = temp_dir("output");
    let file = dir.join("zan-tests.xml");
    let f = file.to_str().unwrap();
    let o = zan(&["test", FAILING, "--format", "junit", "-o", f]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(written.starts_with("<?xml"), "{written}");
    assert!(written.ends_with("</testsuites>\n"));
    // Run again over it: replaced, and nothing else left in the folder.
    let o = zan(&["test", KZ, "--format", "junit", "--output", f]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(std::fs::read_to_string(&file).unwrap().contains("kz_visa"));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    // A folder that does not exist: exit 2, said on standard error.
    let o = zan(&[
        "test",
        KZ,
        "--format",
        "junit",
        "-o",
        dir.join("no/such.xml").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot write"), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn explain_puts_the_derivation_in_the_junit_failure() {
    let xml = stdout(&zan(&["test", FAILING, "--format", "junit", "--explain"]));
    validate(&xml, "explained");
    assert_eq!(
        xml.matches("derivation of the actual value:").count(),
        3,
        "{xml}"
    );
    let Some(body) = xpath(&xml, "string(//testcase[@name='wrong_values']/failure[1])") else {
        return;
    };
    let derivation = body
        .split("derivation of the actual value:\n")
        .nth(1)
        .unwrap();
    assert!(
        derivation.contains("total") && derivation.contains("648,750.00 KZT"),
        "{body}"
    );
}
