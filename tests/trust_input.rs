//! Issue 16, input that was read silently wrong: decimal literals and case numbers with more
//! than 28 digits after the point (rounded), repeated keys in a case (the last one won), names
//! that look alike and bidirectional controls (no word), and a source whose `file` is missing
//! from `sources/` (its quotes went unchecked).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use zan::diagnostics::Diagnostic;
use zan::engine::{DecideError, Engine};
use zan::source::SourceMap;

/// The rulebook of these tests: `application.rate` (decimal), `.fee` (money), `.person` (a
/// record) and the evaluation date `application.submitted_on`.
fn rulebook() -> PathBuf {
    common::root().join("tests/data/trust/case")
}

fn case(rate: &str) -> String {
    format!(
        r#"{{"application": {{"submitted_on": "2026-03-10", "person": {{"birth_date": "2000-01-01", "name": "A"}}, "rate": {rate}, "fee": "1 KZT", "stay": {{"start": "2026-01-01", "end": "2026-01-02"}}}}}}"#
    )
}

fn check(files: &[(&str, &str)]) -> Vec<Diagnostic> {
    let mut map = SourceMap::new();
    for (name, text) in files {
        map.add(*name, *text);
    }
    zan::check::check(&map).diagnostics
}

fn codes(diags: &[Diagnostic]) -> Vec<&'static str> {
    diags.iter().map(|d| d.code.as_str()).collect()
}

const HEADER: &str = "rulebook r { title \"T\" }\nsource law { title \"A law\" }\n";

/// A fresh folder under the target directory.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("trust_input-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sources")).unwrap();
    dir
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

// --- Item 4: more than 28 digits after the decimal point ---------------------------------

#[test]
fn a_literal_with_29_digits_after_the_point_is_refused_not_rounded() {
    // Read with rounding, this literal was 0 and the comparison false.
    let src = format!(
        "{HEADER}fact x: decimal\noutput rule tiny: bool cites law \"t\" {{ 0.00000000000000000000000000001 > 0 }}\n\
         output rule fee: money cites law \"t\" {{ 1.00000000000000000000000000001 KZT }}\n\
         output rule kept: bool cites law \"t\" {{ 0.0000000000000000000000000001 > 0 and x > 0 }}\n"
    );
    let diags = check(&[("t.zan", &src)]);
    let z0002: Vec<&Diagnostic> = diags
        .iter()
        .filter(|d| d.code.as_str() == "Z0002")
        .collect();
    assert_eq!(z0002.len(), 2, "{diags:#?}");
    assert!(z0002[0].message.contains("digits after the decimal point"));
    // 28 digits after the point are kept exactly.
    let src = format!(
        "{HEADER}output rule kept: bool cites law \"t\" {{ 0.0000000000000000000000000001 > 0 }}\n"
    );
    assert!(!codes(&check(&[("t.zan", &src)])).contains(&"Z0002"));
}

#[test]
fn the_same_literal_in_a_test_or_example_is_refused() {
    let src = format!(
        "{HEADER}fact x: decimal\noutput rule positive: bool cites law \"t\" {{ x > 0 }}\n\
         example tiny {{ x: 0.00000000000000000000000000001 }}\n\
         test tiny_is_positive {{\n  as of 2026-01-01\n  given {{ x: 0.00000000000000000000000000001 }}\n  expect positive = true\n}}\n"
    );
    let diags = check(&[("t.zan", &src)]);
    let z0002 = diags.iter().filter(|d| d.code.as_str() == "Z0002").count();
    assert_eq!(z0002, 2, "{diags:#?}");
}

#[test]
fn a_case_number_with_29_digits_after_the_point_is_a_case_error_naming_the_field() {
    let engine = Engine::load(rulebook()).unwrap();
    for (text, path) in [
        (
            case("0.00000000000000000000000000001"),
            "$.application.rate",
        ),
        (
            case("\"0.00000000000000000000000000001\""),
            "$.application.rate",
        ),
        (
            case("1").replace("\"1 KZT\"", "\"0.00000000000000000000000000001 KZT\""),
            "$.application.fee",
        ),
        (
            case("1").replace("\"1 KZT\"", "0.00000000000000000000000000001"),
            "$.application.fee",
        ),
    ] {
        match engine.case_from_str(&text) {
            Err(DecideError::InvalidCase(errors)) => {
                assert_eq!(errors.len(), 1, "{errors:?}");
                assert_eq!(errors[0].path, path);
                assert!(errors[0].message.contains("28 digits"), "{}", errors[0]);
            }
            other => panic!("{text}: {other:?}"),
        }
    }
    // 28 digits are read exactly (the rate is above zero).
    let kept = engine
        .decide_str(&case("0.0000000000000000000000000001"), &Default::default())
        .unwrap();
    assert!(
        kept.contains(r#""positive_rate":true"#) || kept.contains(r#""positive_rate": true"#),
        "{kept}"
    );
}

#[test]
fn zan_eval_and_batch_refuse_a_rounded_rate() {
    let dir = rulebook();
    let file = scratch("rate").join("case.json");
    write(&file, &case("0.00000000000000000000000000001"));
    let out = common::zan(&[
        "eval",
        dir.to_str().unwrap(),
        file.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let printed: Json = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed["case_errors"][0]["path"], "$.application.rate");
    let line = format!("{}\n", case("0.00000000000000000000000000001"));
    let out = common::zan_with_stdin(&["eval", dir.to_str().unwrap(), "--batch"], line.as_bytes());
    let printed: Json = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed["error"]["kind"], "invalid_case");
    assert_eq!(
        printed["error"]["case_errors"][0]["path"],
        "$.application.rate"
    );
}

// --- Item 5: a key given twice in a case ----------------------------------------------------

/// A case that gives `birth_date` twice in `person`, and the evaluation date twice.
fn case_with_repeats() -> String {
    r#"{"application": {"submitted_on": "2026-03-10", "person": {"birth_date": "2000-01-01", "name": "A", "birth_date": "1990-01-01"}, "rate": 1, "fee": 1, "stay": {"start": "2026-01-01", "end": "2026-01-02"}, "submitted_on": "2020-01-01"}}"#.to_string()
}

const REPEATED: [&str; 2] = [
    "$.application.person.birth_date",
    "$.application.submitted_on",
];

fn paths(errors: &Json) -> Vec<String> {
    errors
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_library_refuses_a_repeated_key_with_its_path() {
    let engine = Engine::load(rulebook()).unwrap();
    match engine.case_from_str(&case_with_repeats()) {
        Err(e @ DecideError::DuplicateKey(_)) => {
            let json = e.json();
            assert_eq!(json["kind"], "duplicate_key");
            assert_eq!(paths(&json["case_errors"]), REPEATED);
        }
        other => panic!("{other:?}"),
    }
    // At any depth: in a period, and at the top level.
    let in_period = case("1").replace(
        r#""end": "2026-01-02""#,
        r#""end": "2026-01-02", "end": "2026-01-03""#,
    );
    let top = format!(r#"{{"application": 1, {}"#, &case("1")[1..]);
    for (text, path) in [
        (in_period, "$.application.stay.end"),
        (top, "$.application"),
    ] {
        match engine.case_from_str(&text) {
            Err(DecideError::DuplicateKey(errors)) => assert_eq!(errors[0].path, path),
            other => panic!("{text}: {other:?}"),
        }
    }
    // The same case without the repeats is decided.
    assert!(engine.decide_str(&case("1"), &Default::default()).is_ok());
}

#[test]
fn zan_eval_refuses_a_repeated_key() {
    let dir = rulebook();
    let file = scratch("repeat").join("case.json");
    write(&file, &case_with_repeats());
    let out = common::zan(&[
        "eval",
        dir.to_str().unwrap(),
        file.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("gives a key more than once"), "{stderr}");
    assert!(
        stderr.contains("$.application.person.birth_date"),
        "{stderr}"
    );
    let printed: Json = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(paths(&printed["case_errors"]), REPEATED);
}

#[test]
fn zan_eval_batch_refuses_a_repeated_key_in_a_line_and_in_an_array() {
    let dir = rulebook();
    let good = case("1");
    let bad = case_with_repeats();
    let ndjson = format!("{good}\n{bad}\n{good}\n");
    let array = format!("[{good}, {bad}, {good}]");
    for input in [ndjson, array] {
        let out = common::zan_with_stdin(
            &["eval", dir.to_str().unwrap(), "--batch"],
            input.as_bytes(),
        );
        let lines: Vec<Json> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 3, "{input}");
        assert!(lines[0].get("error").is_none(), "{}", lines[0]);
        assert!(lines[2].get("error").is_none(), "{}", lines[2]);
        assert_eq!(lines[1]["line"], 2);
        assert_eq!(lines[1]["error"]["kind"], "duplicate_key");
        assert_eq!(paths(&lines[1]["error"]["case_errors"]), REPEATED);
    }
}

#[test]
fn the_schema_of_a_batch_line_knows_duplicate_key() {
    let out = common::zan(&["schema", rulebook().to_str().unwrap()]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("duplicate_key"), "{text}");
}

// --- Item 6: names that look alike, bidirectional controls ----------------------------------

fn lint(body: &str) -> Vec<Diagnostic> {
    let src = format!("{HEADER}{body}");
    check(&[("t.zan", &src)])
}

fn with_code<'a>(diags: &'a [Diagnostic], code: &str) -> Vec<&'a Diagnostic> {
    diags.iter().filter(|d| d.code.as_str() == code).collect()
}

#[test]
fn a_cyrillic_letter_in_a_latin_name_is_reported_with_the_name_it_imitates() {
    let diags = lint(
        "fact visa_holder: bool\nfact v\u{456}sa_holder: bool\n\
         output rule ok: bool cites law \"t\" { visa_holder and v\u{456}sa_holder }\n",
    );
    let found = with_code(&diags, "Z0506");
    assert_eq!(found.len(), 1, "{diags:#?}");
    assert!(
        found[0].message.contains("looks like `visa_holder`"),
        "{}",
        found[0].message
    );
    assert_eq!(found[0].secondary.len(), 1, "both names are shown");
    // Alone, the mixed name is reported too.
    let diags = lint("output rule d\u{43e}cuments: bool cites law \"t\" { true }\n");
    let found = with_code(&diags, "Z0506");
    assert_eq!(found.len(), 1, "{diags:#?}");
    assert!(
        found[0].message.contains("mixes Latin and Cyrillic"),
        "{}",
        found[0].message
    );
}

#[test]
fn an_invisible_character_in_a_name_is_reported() {
    // The grammar takes a zero-width joiner, a variation selector or a Hangul filler inside a
    // name: `fee` and `fee<ZWJ>` were two facts that look the same.
    for c in ['\u{200d}', '\u{200c}', '\u{fe0f}', '\u{3164}'] {
        let diags = lint(&format!(
            "fact fee: integer\nfact fee{c}: integer\n\
             output rule total: integer cites law \"t\" {{ fee + fee{c} }}\n"
        ));
        assert!(!diags.iter().any(|d| d.is_error()), "{c:?}: {diags:#?}");
        let found = with_code(&diags, "Z0506");
        assert_eq!(found.len(), 1, "{c:?}: {diags:#?}");
        assert!(found[0]
            .help
            .iter()
            .any(|h| h.contains(&format!("U+{:04X}", c as u32))));
    }
}

#[test]
fn kazakh_and_russian_names_written_in_cyrillic_stay_valid() {
    let diags = lint(
        "enum Тип { шетелдік_азамат, азамат }\nfact тип: Тип\nfact сумма_пошлины: integer\n\
         fact әкімдік_қаражаты_ғ_қ_ң_ө_ұ_ү_һ_і: integer\n\
         output rule өтініш: bool cites law \"т\" { тип == шетелдік_азамат and сумма_пошлины + әкімдік_қаражаты_ғ_қ_ң_ө_ұ_ү_һ_і > 0 }\n",
    );
    assert!(with_code(&diags, "Z0506").is_empty(), "{diags:#?}");
    assert!(with_code(&diags, "Z0507").is_empty(), "{diags:#?}");
}

#[test]
fn bidirectional_controls_in_strings_comments_and_docs_are_reported() {
    for (text, line) in [
        ("fact name: text\noutput rule admin: bool cites law \"t\" { name == \"user\u{202e} \u{2066}// admin\" }\n", 4),
        ("// a comment \u{202e} reversed\nfact name: text\n", 3),
        ("/// doc \u{2067}text\u{2069}\noutput rule r: bool cites law \"t\" { true }\n", 3),
        ("output rule r: bool cites law \"t\u{200f}\" { true }\n", 3),
    ] {
        let diags = lint(text);
        let found = with_code(&diags, "Z0507");
        assert_eq!(found.len(), 1, "{text}: {diags:#?}");
        let src = format!("{HEADER}{text}");
        let at = found[0].primary.span.start as usize;
        assert_eq!(src[..at].matches('\n').count() + 1, line, "{text}");
    }
}

#[test]
fn the_shipped_rulebook_gets_no_new_warning() {
    let out = common::zan(&["check", "rulebooks/kz-visa", "--format", "json"]);
    let text = String::from_utf8_lossy(&out.stdout);
    for code in ["Z0505", "Z0506", "Z0507"] {
        assert!(!text.contains(code), "{code}: {text}");
    }
    assert_eq!(out.status.code(), Some(0), "{text}");
}

// --- Item 8: a source whose file is not in sources/ ----------------------------------------

const MISSING_SOURCE: &str = "rulebook r { title \"T\" }\n\
source law { title \"Law\" file \"law.txt\" }\n\
source decree { title \"Decree\" file \"decree.txt\" }\n\
fact x: bool\n\
output rule a: bool cites law \"Article 1.\" cites decree \"Article 9. Not there.\" { x }\n\
output rule b: bool cites decree \"Article 10.\" { x }\n";

#[test]
fn a_source_file_missing_from_sources_is_a_warning_at_the_source() {
    let dir = scratch("missing-source");
    write(&dir.join("rulebook.zan"), MISSING_SOURCE);
    write(&dir.join("sources/law.txt"), "Article 1. The law.");
    let out = common::zan(&["check", dir.to_str().unwrap(), "--format", "json"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let found: Vec<&str> = text.lines().filter(|l| l.contains("Z0505")).collect();
    // Once, for `decree` (cited twice), not for `law`.
    assert_eq!(found.len(), 1, "{text}");
    assert!(found[0].contains("decree.txt"), "{text}");
    assert!(!text.contains("law.txt` is not"), "{text}");
    // Not an error: the rulebook still loads.
    assert!(Engine::load(&dir).is_ok());
}

#[test]
fn without_a_sources_folder_read_nothing_is_said() {
    // A rulebook built in memory, or `zan check` of a single file, has no folder to look in.
    let diags = check(&[("t.zan", MISSING_SOURCE)]);
    assert!(with_code(&diags, "Z0505").is_empty(), "{diags:#?}");
    let dir = scratch("single-file");
    write(&dir.join("rulebook.zan"), MISSING_SOURCE);
    let out = common::zan(&["check", dir.join("rulebook.zan").to_str().unwrap()]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Z0505"));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("Z0505"));
    // A map whose sources folder was read (even empty) names the missing file.
    let mut map = SourceMap::new();
    map.add("t.zan", MISSING_SOURCE);
    map.mark_legal_texts_read();
    let diags = zan::check::check(&map).diagnostics;
    assert_eq!(with_code(&diags, "Z0505").len(), 2, "{diags:#?}");
}

#[test]
fn exponent_notation_is_still_read_and_never_rounded() {
    let engine = Engine::load(rulebook()).unwrap();
    // Read as before.
    for rate in ["1e3", "\"1e3\"", "2.5e-7", "\"2.5E-7\""] {
        assert!(engine.case_from_str(&case(rate)).is_ok(), "{rate}");
    }
    // A base or an exponent that would need a 29th digit after the point is refused.
    for rate in [
        "1e-29",
        "\"1.00000000000000000000000000001e0\"",
        "\"2.710505431213761e-20\"",
    ] {
        match engine.case_from_str(&case(rate)) {
            Err(DecideError::InvalidCase(errors)) => {
                assert!(
                    errors[0].message.contains("28 digits"),
                    "{rate}: {}",
                    errors[0]
                )
            }
            other => panic!("{rate}: {other:?}"),
        }
    }
}

#[test]
fn many_bidirectional_controls_are_one_warning_per_line_in_linear_time() {
    // 200,000 controls on one line and one on the next: two warnings, at once.
    let many = "\u{202e}".repeat(200_000);
    let text = format!("// {many}\n// \u{2066}\nfact name: text\n");
    let diags = lint(&text);
    let found = with_code(&diags, "Z0507");
    assert_eq!(found.len(), 2, "{:?}", codes(&diags));
    assert!(
        found[0].message.contains("199999 more"),
        "{}",
        found[0].message
    );
}

#[test]
fn a_large_group_of_look_alike_names_is_reported_in_linear_time() {
    // 4,000 names that all look like `fee` (invisible characters in every combination): one
    // warning each, naming `fee`, without comparing every pair.
    let marks = [
        '\u{200d}', '\u{200c}', '\u{fe0f}', '\u{fe0e}', '\u{34f}', '\u{fe00}', '\u{fe01}',
        '\u{fe02}',
    ];
    let mut body = String::from("fact fee: integer\n");
    let mut n = 0;
    'all: for a in marks {
        for b in marks {
            for c in marks {
                for d in marks {
                    body.push_str(&format!("fact fee{a}{b}{c}{d}: integer\n"));
                    n += 1;
                    if n == 4000 {
                        break 'all;
                    }
                }
            }
        }
    }
    let diags = lint(&body);
    let found = with_code(&diags, "Z0506");
    assert_eq!(found.len(), 4000);
    assert!(found.iter().all(|d| d.message.contains("looks like `fee`")));
}
