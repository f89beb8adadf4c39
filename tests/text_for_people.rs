//! Issue 18, "Text for people": `--format text` and `zan test` failures write values as a
//! person reads them (money `648,750.00 KZT`, dates `2026-03-17 (Tue)`), never as JSON.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{temp_dir, zan};

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Whether `s` has a date written `YYYY-MM-DD (Www)`.
fn has_date_with_weekday(s: &str) -> bool {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    s.match_indices(" (").any(|(i, _)| {
        let before = &s[..i];
        let after = &s[i + 2..];
        before.len() >= 10
            && before[before.len() - 10..]
                .chars()
                .enumerate()
                .all(|(k, c)| {
                    if k == 4 || k == 7 {
                        c == '-'
                    } else {
                        c.is_ascii_digit()
                    }
                })
            && DAYS.iter().any(|d| after.starts_with(&format!("{d})")))
    })
}

#[test]
fn eval_text_writes_money_with_separators_and_dates_with_weekdays() {
    for explain in [false, true] {
        let mut args = vec![
            "eval",
            "rulebooks/kz-visa",
            "rulebooks/kz-visa/examples/stay-uzbek-visitor-overstay.json",
            "--format",
            "text",
        ];
        if explain {
            args.push("--explain");
        }
        let o = zan(&args);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let out = stdout(&o);
        assert!(
            out.contains("migration_fines_total_kzt = 64,875.00 KZT"),
            "{out}"
        );
        assert!(out.contains("amount_kzt: 64,875.00 KZT"), "{out}");
        assert!(
            out.contains("permitted_stay_ends_on = 2026-02-08 (Sun)"),
            "{out}"
        );
        assert!(has_date_with_weekday(&out), "{out}");
        // Enum values by name, lists and records in the language's literal syntax.
        assert!(out.contains("entry_regime = visa_free_30_days"), "{out}");
        assert!(out.contains("= [{ article: 517, "), "{out}");
        // No JSON objects or quoted amounts, dates or enum values.
        for json in ["{\"", "\"amount\"", "\"currency\"", "\"2026-", "\":"] {
            assert!(!out.contains(json), "{json} in\n{out}");
        }
    }
}

#[test]
fn eval_text_across_the_examples_has_no_json() {
    let examples = common::files_in(&common::root().join("rulebooks/kz-visa/examples"), "json");
    let mut money_seen = false;
    for f in &examples {
        let o = zan(&[
            "eval",
            "rulebooks/kz-visa",
            f.to_str().unwrap(),
            "--format",
            "text",
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", f.display());
        let out = stdout(&o);
        for json in ["{\"", "\"amount\"", "\"currency\""] {
            assert!(!out.contains(json), "{json} in {}:\n{out}", f.display());
        }
        money_seen |= out
            .lines()
            .any(|l| l.contains(" KZT") && l.contains(',') && l.contains('.'));
    }
    assert!(money_seen, "some example shows an amount in KZT");
}

const TINY: &str = r#"
rulebook tiny { title "Tiny" as of today }
source law { title "A law" }
fact today: date
fact fee: money
fact note: text?
output rule total: money cites law "the total" { fee * 3 }
output rule due: date cites law "due" { today + 30 days }
output rule shown: text? cites law "shown" { note }

test wrong_values {
  given { today: 2026-03-17, fee: 216250 KZT, note: "say \"hi\"" }
  expect total = 648750.5 KZT
  expect due = 2026-04-17
  expect shown = absent
}
"#;

#[test]
fn a_failing_test_shows_expected_and_actual_as_people_read_them() {
    let dir = temp_dir("failing-test");
    std::fs::write(dir.join("tiny.zan"), TINY).unwrap();
    let o = zan(&["test", dir.to_str().unwrap()]);
    let out = stdout(&o);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.contains("FAILED  wrong_values"), "{out}");
    assert!(
        out.contains("total: expected 648,750.50 KZT, got 648,750.00 KZT"),
        "{out}"
    );
    assert!(
        out.contains("due: expected 2026-04-17 (Fri), got 2026-04-16 (Thu)"),
        "{out}"
    );
    assert!(
        out.contains(r#"shown: expected absent, got "say \"hi\"""#),
        "{out}"
    );
    assert!(!out.contains("{\""), "{out}");
    // The JSON report keeps the JSON values.
    let o = zan(&["test", dir.to_str().unwrap(), "--format", "json"]);
    let out = stdout(&o);
    assert!(
        out.contains(r#""expected":{"amount":"648750.50","currency":"KZT"}"#),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
