//! Unit tests of the structural diff's matching: which declarations of two versions are the
//! same declaration (by kind and name, wherever they are written, or by date: those in force),
//! and whether each is added, removed or changed. What changed inside one is `describe`'s
//! part (`describe_tests.rs`).
#![cfg(test)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::fixture::Version;
use super::{compare, Structure};
use crate::diff::{Options, Side, Status};

/// The schema every version below shares.
const SCHEMA: &str = r#"
rulebook fees { as of application.submitted_on }
enum Category { tourist, work }
record Application { submitted_on: date, age: integer, category: Category }
fact application: Application
output rule adult: bool {
  when application.age >= 18 then true
  otherwise false
}
"#;

/// One declaration of each other kind, added to `SCHEMA`.
const EACH_KIND: &str = r#"
source law { title "The law" }
parameter fee: integer { from 2025-01-01: 10 }
table rate(category: Category) -> integer { tourist => 1  work => 2 }
calendar office { weekend saturday, sunday }
rule fee_due: integer { fee * rate(application.category) }
exception minors to adult { when application.age < 0 then false }
reasons refusal { reason too_young "under 14" when application.age < 14 }
amendment order_2026 in force 2026-06-01 {
  replace parameter fee: integer { from 2026-06-01: 12 }
}
example worker { application: { submitted_on: 2026-03-02, age: 30, category: work } }
test worker_is_adult { given worker expect adult = true }
enum Colour { red, green }
record Extra { note: text }
fact extra: integer = 0
"#;

fn with(decls: &str) -> Version {
    Version::of(&format!("{SCHEMA}{decls}"))
}

fn structure(old: &Side, new: &Side) -> Structure {
    compare(old, new, &Options::default())
}

/// Each change as `+ kind name`, `- kind name` or `~ kind name`, in the report's order.
fn summary(s: &Structure) -> Vec<String> {
    s.changes
        .iter()
        .map(|c| {
            let sign = match c.status {
                Status::Added => '+',
                Status::Removed => '-',
                Status::Changed => '~',
            };
            format!("{sign} {} {}", c.kind, c.name)
        })
        .collect()
}

fn changes(old: &Version, new: &Version) -> Vec<String> {
    summary(&structure(&old.side(), &new.side()))
}

const EACH_KIND_LISTED: [&str; 13] = [
    "source law",
    "parameter fee",
    "table rate",
    "calendar office",
    "rule fee_due",
    "exception to adult minors",
    "reasons refusal",
    "amendment order_2026",
    "example worker",
    "test worker_is_adult",
    "enum Colour",
    "record Extra",
    "fact extra",
];

fn listed(sign: char) -> Vec<String> {
    EACH_KIND_LISTED
        .iter()
        .map(|k| format!("{sign} {k}"))
        .collect()
}

#[test]
fn the_same_text_has_no_changes() {
    let v = with(EACH_KIND);
    let s = structure(&v.side(), &with(EACH_KIND).side());
    assert_eq!(summary(&s), Vec::<String>::new());
    assert!(s.provisions.is_empty());
    assert!(s.comment_changes.is_empty());
}

#[test]
fn layout_and_comments_are_no_change() {
    let old = with("rule fee_due: integer { 2 * 5 }\n");
    let new = with("// why ten\nrule   fee_due :integer {\n  2*5 // still ten\n}\n");
    assert_eq!(changes(&old, &new), Vec::<String>::new());
}

#[test]
fn each_kind_of_declaration_added_is_listed_with_its_kind() {
    let s = structure(&with("").side(), &with(EACH_KIND).side());
    assert_eq!(summary(&s), listed('+'));
    for c in &s.changes {
        assert!(c.old_text.is_none() && c.new_text.is_some(), "{}", c.name);
        assert_eq!(c.file, "rules.zan");
    }
}

#[test]
fn each_kind_of_declaration_removed_is_listed_with_its_old_text() {
    let s = structure(&with(EACH_KIND).side(), &with("").side());
    assert_eq!(summary(&s), listed('-'));
    let fee = s.changes.iter().find(|c| c.name == "fee").unwrap();
    assert_eq!(fee.new_text, None);
    assert!(fee
        .old_text
        .as_deref()
        .unwrap()
        .contains("from 2025-01-01: 10"));
}

#[test]
fn each_kind_of_declaration_changed_is_matched_by_kind_and_name() {
    let changed = EACH_KIND
        .replace("The law", "The visa law")
        .replace("from 2025-01-01: 10", "from 2025-01-01: 11")
        .replace("work => 2", "work => 3")
        .replace("saturday, sunday", "sunday")
        .replace("fee * rate", "fee + rate")
        .replace("age < 0 then", "age < 1 then")
        .replace("\"under 14\"", "\"under fourteen\"")
        .replace("in force 2026-06-01", "in force 2026-07-01")
        .replace("age: 30", "age: 31")
        .replace(
            "given worker expect",
            "given worker set application.age = 40 expect",
        )
        .replace("red, green", "red, blue")
        .replace("note: text", "note: text, page: integer")
        .replace("extra: integer = 0", "extra: decimal = 0.5");
    let s = structure(&with(EACH_KIND).side(), &with(&changed).side());
    assert_eq!(summary(&s), listed('~'));
    for c in &s.changes {
        assert!(c.old_text.is_some() && c.new_text.is_some(), "{}", c.name);
        assert!(!c.details.is_empty(), "{}", c.name);
    }
}

#[test]
fn a_renamed_declaration_is_removed_and_added_not_changed() {
    let old = with("rule fee_due: integer { 10 }\n");
    let new = with("rule fee_payable: integer { 10 }\n");
    assert_eq!(
        changes(&old, &new),
        ["+ rule fee_payable", "- rule fee_due"]
    );
}

#[test]
fn a_declaration_moved_to_another_file_is_still_matched_by_name() {
    let old = with("rule fee_due: integer { 10 }\nrule total: integer { fee_due }\n");
    let new = Version::files(&[
        ("schema.zan", SCHEMA),
        (
            "fees.zan",
            "rule total: integer { fee_due }\n\nrule fee_due: integer { 12 }\n",
        ),
    ]);
    let s = structure(&old.side(), &new.side());
    assert_eq!(summary(&s), ["~ rule fee_due"]);
    // Reported where the new version has it, relative to the rulebook's folder.
    assert_eq!(
        (s.changes[0].file.as_str(), s.changes[0].line),
        ("fees.zan", 3)
    );
}

#[test]
fn a_removed_declaration_is_reported_where_the_old_version_had_it() {
    let old = Version::files(&[
        ("schema.zan", SCHEMA),
        ("fees.zan", "rule fee_due: integer { 10 }\n"),
    ]);
    let new = with("");
    let s = structure(&old.side(), &new.side());
    assert_eq!(summary(&s), ["- rule fee_due"]);
    assert_eq!(
        (s.changes[0].file.as_str(), s.changes[0].line),
        ("fees.zan", 1)
    );
}

#[test]
fn an_added_declaration_states_its_period_and_citations() {
    let old = with("source law { title \"The law\" }\n");
    let new = with(
        "source law { title \"The law\" }\n\
         rule fee_due: integer in force from 2026-01-01 cites law \"Article 1.\" { 10 }\n",
    );
    let s = structure(&old.side(), &new.side());
    assert_eq!(summary(&s), ["+ rule fee_due"]);
    assert_eq!(s.changes[0].details, ["in force from 2026-01-01"]);
    assert_eq!(s.changes[0].citations[0].to_string(), "law \"Article 1.\"");
}

#[test]
fn a_changed_exception_is_noted_on_its_changed_rule() {
    let old = with("exception minors to adult { when application.age < 0 then false }\n");
    let new = Version::of(&format!(
        "{}exception minors to adult {{ when application.age < 1 then false }}\n",
        SCHEMA.replace(">= 18 then true", ">= 21 then true")
    ));
    let s = structure(&old.side(), &new.side());
    assert_eq!(
        summary(&s),
        ["~ output rule adult", "~ exception to adult minors"]
    );
    assert_eq!(
        s.changes[0].details.last().map(String::as_str),
        Some("exception `minors` changed")
    );
}

#[test]
fn comments_alone_are_listed_apart_and_only_when_asked() {
    let old = with("rule fee_due: integer { 10 }\n");
    let new = with("rule fee_due: integer {\n  10 // the fee of article 1\n}\n");
    let asked = Options {
        comments: true,
        ..Options::default()
    };
    let s = compare(&old.side(), &new.side(), &asked);
    assert!(s.changes.is_empty());
    let listed: Vec<_> = s
        .comment_changes
        .iter()
        .map(|c| (&c.kind, &c.name))
        .collect();
    assert_eq!(listed, [(&"rule".to_string(), &"fee_due".to_string())]);
    assert!(structure(&old.side(), &new.side())
        .comment_changes
        .is_empty());
}

/// A rulebook whose amendment of 2026-06-01 replaces a table, adds a rule and repeals reasons.
const AMENDED: &str = r#"
table rate(category: Category) -> integer { tourist => 1  work => 2 }
reasons refusal { reason too_young "under 14" when application.age < 14 }
parameter fee: integer {
  from 2025-01-01: 10
  from 2026-01-01: 12
}
amendment order_2026 in force 2026-06-01 {
  replace table rate(category: Category) -> integer { tourist => 1  work => 3 }
  add rule surcharge: integer { 5 }
  repeal reasons refusal
}
"#;

#[test]
fn by_date_what_an_amendment_replaces_adds_and_repeals_changes_on_its_date() {
    let v = with(AMENDED);
    let s = structure(&v.on("2026-05-31"), &v.on("2026-06-01"));
    // In the order of the report: where each is written (the replacement in the amendment).
    assert_eq!(
        summary(&s),
        ["- reasons refusal", "~ table rate", "+ rule surcharge"]
    );
    let by: Vec<_> = s
        .changes
        .iter()
        .map(|c| {
            c.provision
                .as_ref()
                .map(|p| (p.amendment.as_str(), p.action.as_str()))
        })
        .collect();
    assert_eq!(
        by,
        [
            Some(("order_2026", "repeals")),
            Some(("order_2026", "replaces")),
            Some(("order_2026", "adds")),
        ]
    );
    assert_eq!(s.changes[1].details, ["row `work`: `2` → `3`"]);
    assert_eq!(s.provisions.len(), 3);
    // The amendment itself is not compared by date: only what it makes of the rulebook.
    assert!(s.changes.iter().all(|c| c.kind != "amendment"));
}

#[test]
fn by_date_before_an_amendment_nothing_changes() {
    let v = with(AMENDED);
    let s = structure(&v.on("2026-02-01"), &v.on("2026-05-31"));
    assert_eq!(summary(&s), Vec::<String>::new());
    assert!(s.provisions.is_empty());
}

#[test]
fn by_date_backwards_the_amendment_is_undone() {
    let v = with(AMENDED);
    let s = structure(&v.on("2026-06-01"), &v.on("2026-05-31"));
    assert_eq!(
        summary(&s),
        ["~ table rate", "+ reasons refusal", "- rule surcharge"]
    );
    assert_eq!(s.changes[0].details, ["row `work`: `3` → `2`"]);
    assert_eq!(s.provisions.len(), 3);
}

#[test]
fn by_date_a_parameter_whose_value_in_force_changed_is_changed() {
    let v = with(AMENDED);
    let s = structure(&v.on("2025-06-01"), &v.on("2026-02-01"));
    assert_eq!(summary(&s), ["~ parameter fee"]);
    assert_eq!(
        s.changes[0].details,
        ["value in force: `10` (from 2025-01-01) → `12` (from 2026-01-01)"]
    );
    assert_eq!(s.changes[0].old_text, None);
}

#[test]
fn a_declaration_of_another_kind_with_the_same_name_is_not_a_match() {
    let old = with("rule fee: integer { 10 }\n");
    let new = with("parameter fee: integer { from 2025-01-01: 10 }\n");
    assert_eq!(changes(&old, &new), ["+ parameter fee", "- rule fee"]);
}
