//! Unit tests of the describers: for each kind of declaration, a specific change between two
//! versions is described in the language's words (the lines `zan diff` prints under it), and
//! the citations of the changed parts are collected.
#![cfg(test)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::{describe, Details};
use crate::diff::structure::fixture::Version;
use crate::diff::structure::At;
use crate::diff::Side;

/// The schema every version below shares.
const SCHEMA: &str = r#"
rulebook fees { as of application.submitted_on }
source law { title "The law" }
enum Category { tourist, work, student }
record Application { submitted_on: date, age: integer, category: Category }
fact application: Application
"#;

fn with(decls: &str) -> Version {
    Version::of(&format!("{SCHEMA}{decls}"))
}

/// What `describe` says of the declaration `name` between two sides.
fn details(old: &Side, new: &Side, name: &str) -> Details {
    let at = |side| {
        let decl = side_decl(side, name);
        At { side, decl }
    };
    let mut d = Details::default();
    describe(&mut d, &at(old), &at(new));
    d
}

fn side_decl<'a>(side: &'a Side<'a>, name: &str) -> &'a crate::syntax::ast::Declaration {
    let found = side.decls.iter().find(|d| d.kind.name().name == name);
    found
        .copied()
        .unwrap_or_else(|| panic!("no declaration `{name}`"))
}

/// The lines describing how `name` changed from `old` to `new` (declarations after `SCHEMA`).
fn described(old: &str, new: &str, name: &str) -> Vec<String> {
    let (o, n) = (with(old), with(new));
    details(&o.side(), &n.side(), name).lines
}

#[test]
fn a_rules_cases_added_removed_and_changed() {
    let old = "rule band: integer {
  when application.age < 18 then 1
  when application.age > 90 then 2
  otherwise 3
}
";
    let new = "rule band: integer {
  when application.age < 18 then 0
  when application.age >= 65 then 4
  otherwise 3
}
";
    assert_eq!(
        described(old, new, "band"),
        [
            "case `when application.age < 18`: `1` → `0`",
            "case added: `when application.age >= 65 then 4`",
            "case removed: `when application.age > 90 then 2`",
        ]
    );
}

#[test]
fn a_rules_cases_reordered_and_its_otherwise() {
    let old = "rule band: integer {
  when application.age < 18 then 1
  when application.age > 65 then 2
  otherwise 3
}
";
    let new = "output rule band: integer {
  when application.age > 65 then 2
  when application.age < 18 then 1
  otherwise 4
}
";
    assert_eq!(
        described(old, new, "band"),
        ["now an output", "cases reordered", "otherwise: `3` → `4`"]
    );
}

#[test]
fn a_rules_type_and_expression() {
    assert_eq!(
        described("rule r: integer { 1 }\n", "rule r: decimal { 1.5 }\n", "r"),
        ["type `integer` → `decimal`", "definition `1` → `1.5`"]
    );
    assert_eq!(
        described(
            "rule r: integer { 1 }\n",
            "rule r: integer {\n  when application.age < 18 then 0\n  otherwise 1\n}\n",
            "r"
        ),
        ["now defined by cases (was one expression)"]
    );
}

#[test]
fn a_case_that_cites_another_sentence() {
    let rule = |cite: &str| {
        format!("rule r: integer {{\n  when application.age < 18 then 0 cites law \"{cite}\"\n  otherwise 1\n}}\n")
    };
    let (o, n) = (with(&rule("Article 1.")), with(&rule("Article 2.")));
    let d = details(&o.side(), &n.side(), "r");
    assert_eq!(
        d.lines,
        ["case `when application.age < 18`: now cites law \"Article 2.\""]
    );
    let cites: Vec<String> = d.cites.iter().map(ToString::to_string).collect();
    assert_eq!(cites, ["law \"Article 2.\""]);
}

#[test]
fn a_declarations_citations_and_period() {
    let old = "rule r: integer cites law \"Article 1.\" { 1 }\n";
    let new = "rule r: integer in force from 2026-01-01 cites law \"Article 2.\" { 1 }\n";
    assert_eq!(
        described(old, new, "r"),
        [
            "in force: always (no period of its own) → from 2026-01-01",
            "citation added: law \"Article 2.\"",
            "citation removed: law \"Article 1.\"",
        ]
    );
}

#[test]
fn an_exception_given_to_another_rule() {
    let rules = "rule a: bool { true }\nrule b: bool { true }\n";
    let old = format!("{rules}exception e to a {{ when application.age < 1 then false }}\n");
    let new = format!("{rules}exception e to b {{ when application.age < 2 then false }}\n");
    assert_eq!(
        described(&old, &new, "e"),
        [
            "now an exception to `b` (was `a`)",
            "case added: `when application.age < 2 then false`",
            "case removed: `when application.age < 1 then false`",
        ]
    );
}

#[test]
fn reasons_added_and_with_a_new_message_or_condition() {
    let old = r#"reasons refusal {
  reason too_young "under 14" when application.age < 14
}
"#;
    let new = r#"output reasons refusal {
  reason too_young "younger than 14" when application.age < 15
  reason too_old "over 99" when application.age > 99
}
"#;
    assert_eq!(
        described(old, new, "refusal"),
        [
            "now an output",
            "reason `too_young`: message \"under 14\" → \"younger than 14\"",
            "reason `too_young`: when: `application.age < 14` → `application.age < 15`",
            "reason added: `too_old` \"over 99\" when `application.age > 99`",
        ]
    );
}

#[test]
fn a_tables_rows_and_otherwise() {
    let old = "table rate(category: Category) -> integer {\n  tourist => 1\n  work => 2\n  student => 0\n}\n";
    let new = "table rate(category: Category) -> integer {\n  tourist => 1\n  work => 3\n  otherwise => 0\n}\n";
    assert_eq!(
        described(old, new, "rate"),
        [
            "row `work`: `2` → `3`",
            "row removed: `student => 0`",
            "otherwise added: `0`",
        ]
    );
}

#[test]
fn a_tables_bands_and_hit_policy() {
    let old = "table fine(days: integer) -> integer {\n  up to 3 => 0\n  more than 3 => 10\n}\n";
    let new = "table fine(days: integer) -> integer hit first {\n  up to 5 => 0\n  more than 3 => 15\n}\n";
    assert_eq!(
        described(old, new, "fine"),
        [
            "hit policy `unique` → `first`",
            "row added: `up to 5 => 0`",
            "row `more than 3`: `10` → `15`",
            "row removed: `up to 3 => 0`",
        ]
    );
}

#[test]
fn a_tables_keys_and_type() {
    let old = "table rate(category: Category) -> integer { otherwise => 1 }\n";
    let new = "table rate(age: integer) -> decimal { otherwise => 1.5 }\n";
    assert_eq!(
        described(old, new, "rate"),
        [
            "keys `(category: Category)` → `(age: integer)`",
            "type `integer` → `decimal`",
            "otherwise: `1` → `1.5`",
        ]
    );
}

#[test]
fn a_parameters_value_changed_on_a_date_and_a_value_added() {
    let old = "parameter fee: integer {\n  from 2025-01-01: 10\n  from 2026-01-01: 12\n}\n";
    let new = "parameter fee: integer {\n  from 2025-01-01: 10\n  from 2026-01-01: 13\n  from 2027-01-01: 15 cites law \"Article 3.\"\n}\n";
    let (o, n) = (with(old), with(new));
    let d = details(&o.side(), &n.side(), "fee");
    assert_eq!(
        d.lines,
        [
            "value from 2026-01-01: `12` → `13`",
            "value added: from 2027-01-01: `15`",
        ]
    );
    let cites: Vec<String> = d.cites.iter().map(ToString::to_string).collect();
    assert_eq!(cites, ["law \"Article 3.\""]);
}

#[test]
fn a_parameters_type_and_a_value_removed() {
    let old = "parameter fee: integer {\n  from 2025-01-01: 10\n  from 2026-01-01: 12\n}\n";
    let new = "parameter fee: decimal {\n  from 2025-01-01: 10\n}\n";
    assert_eq!(
        described(old, new, "fee"),
        [
            "type `integer` → `decimal`",
            "value removed: from 2026-01-01: `12`",
        ]
    );
}

#[test]
fn a_calendars_new_holiday_and_the_days_it_changes() {
    let old = "calendar office {\n  weekend saturday, sunday\n}\n";
    let new = "calendar office {\n  weekend saturday, sunday\n  holiday \"Victory Day\" on 2026-05-07\n}\n";
    let lines = described(old, new, "office");
    assert_eq!(
        lines[0],
        "entry added: `holiday \"Victory Day\" on 2026-05-07`"
    );
    assert!(
        lines[1].starts_with("1 days change status in ")
            && lines[1].ends_with("; 1 of them in 2025–2028:"),
        "{}",
        lines[1]
    );
    assert_eq!(
        lines[2],
        "day 2026-05-07: working day → holiday (Victory Day)"
    );
    assert_eq!(lines.len(), 3);
}

#[test]
fn a_sources_title_and_legal_text() {
    let version = |title: &str, text: &str| {
        Version::files(&[
            (
                "rules.zan",
                &SCHEMA.replace("\"The law\" }", &format!("\"{title}\" file \"law.txt\" }}")),
            ),
            ("sources/law.txt", text),
        ])
    };
    let o = version("The law", "Article 1. A fee.\nArticle 2. A form.\n");
    let n = version(
        "The visa law",
        "Article 1. A higher fee.\nArticle 2. A form.\n",
    );
    assert_eq!(
        details(&o.side(), &n.side(), "law").lines,
        [
            "title: \"The law\" → \"The visa law\"",
            "text of law.txt changed (2 lines)",
            "text: - Article 1. A fee.",
            "text: + Article 1. A higher fee.",
        ]
    );
}

#[test]
fn the_rulebooks_own_metadata() {
    let o = with("");
    let n = Version::of(&SCHEMA.replace("rulebook fees {", "rulebook fees { title \"Fees\""));
    assert_eq!(
        details(&o.side(), &n.side(), "fees").lines,
        ["title added: \"Fees\""]
    );
}

#[test]
fn an_amendments_date_and_provisions() {
    let base = "table rate(category: Category) -> integer { otherwise => 1 }\nparameter fee: integer { from 2025-01-01: 10 }\n";
    let old = format!(
        "{base}amendment order in force 2026-06-01 {{
  replace table rate(category: Category) -> integer {{ work => 2  otherwise => 1 }}
}}
"
    );
    let new = format!(
        "{base}amendment order in force 2026-07-01 {{
  replace table rate(category: Category) -> integer {{ work => 3  otherwise => 1 }}
  replace from 2026-09-01 parameter fee: integer {{ from 2026-09-01: 12 }}
}}
"
    );
    assert_eq!(
        described(&old, &new, "order"),
        [
            "in force 2026-06-01 → 2026-07-01",
            "provision `replace table rate`: in force from 2026-06-01 → 2026-07-01",
            "provision `replace table rate`: row `work`: `2` → `3`",
            "provision added: `replace parameter fee` from 2026-09-01",
        ]
    );
}

#[test]
fn an_enums_values_and_labels() {
    let old = "enum Colour { red \"Red\", green, blue }\n";
    let new = "enum Colour { red \"Crimson\", green \"Green\", yellow }\n";
    assert_eq!(
        described(old, new, "Colour"),
        [
            "value `red`: label \"Red\" → \"Crimson\"",
            "value `green`: label \"Green\" added",
            "value added: `yellow`",
            "value removed: `blue`",
        ]
    );
}

#[test]
fn a_records_fields() {
    let old = "record Extra { note: text, page: integer }\n";
    let new = "record Extra { note: text = \"none\", page: decimal, line: integer }\n";
    assert_eq!(
        described(old, new, "Extra"),
        [
            "field `note`: default `none` → `\"none\"`",
            "field `page`: type `integer` → `decimal`",
            "field added: `line: integer`",
        ]
    );
}

#[test]
fn a_facts_type_and_default() {
    assert_eq!(
        described(
            "fact extra: integer = 0\n",
            "fact extra: decimal = 0.5\n",
            "extra"
        ),
        ["type `integer` → `decimal`", "default `0` → `0.5`"]
    );
}

#[test]
fn a_tests_expectations_and_facts() {
    let rule = "output rule adult: bool { application.age >= 18 }\nexample worker { application: { submitted_on: 2026-03-02, age: 30, category: work } }\n";
    let old = format!("{rule}test t {{ given worker expect adult = true }}\n");
    let new =
        format!("{rule}test t {{ given worker set application.age = 12 expect adult = false }}\n");
    assert_eq!(
        described(&old, &new, "t"),
        [
            "expects `adult = false`",
            "no longer expects `adult = true`",
            "facts changed",
        ]
    );
    let example = |age: u32| {
        format!("example worker {{ application: {{ submitted_on: 2026-03-02, age: {age}, category: work }} }}\n")
    };
    assert_eq!(
        described(&example(30), &example(31), "worker"),
        ["facts changed"]
    );
}

/// By date, the lines of the parameter `fee` changed between two days (a replacement in an
/// amendment is found in force, as `structure` finds it).
fn by_date(decls: &str, from: &str, to: &str) -> Vec<String> {
    let v = with(decls);
    let s = crate::diff::structure::compare(&v.on(from), &v.on(to), &Default::default());
    let fee = s.changes.iter().find(|c| c.name == "fee");
    fee.map(|c| c.details.clone()).unwrap_or_default()
}

#[test]
fn by_date_a_replaced_parameters_values_as_look_ups_see_them() {
    let replaced = "parameter fee: integer { from 2025-01-01: 10 }
amendment rise in force 2026-01-01 {
  replace parameter fee: integer { from 2026-01-01: 12 }
}
";
    assert_eq!(
        by_date(replaced, "2025-06-01", "2026-02-01"),
        [
            "look-ups of dates before 2026-01-01 keep the values it replaces",
            "value added: from 2026-01-01: `12`",
        ]
    );
    let corrected = "parameter fee: integer { from 2025-01-01: 10 }
amendment fix in force 2026-01-01 {
  replace correcting parameter fee: integer { from 2025-01-01: 11 }
}
";
    assert_eq!(
        by_date(corrected, "2025-06-01", "2026-02-01"),
        [
            "`correcting`: its values replace every earlier value",
            "value from 2025-01-01: `10` → `11`",
        ]
    );
}
