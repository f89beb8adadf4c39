//! The explanation's formats: the JSON (`zan-explanation/2`) and the text of a derivation,
//! on a hand-built tree of every kind of node (snapshots in tests/data/explain, the JSON
//! checked against `zan schema --part explain` with a real validator), hand-broken
//! explanations that the schema must refuse, and every kz-visa example's explanation at both
//! depths validated (through the library and the command line).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::validator::Validator;
use rust_decimal::Decimal;
use serde_json::{json, Value as Json};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use zan::eval::derivation::*;
use zan::eval::derivation_json::{explanation_json, node_json};
use zan::eval::derivation_text::derivation_text;
use zan::eval::json_schema::{decision_schema, explanation_schema};
use zan::ir::{ArithOp, Citation, Origin, Program, Type};
use zan::time::date;
use zan::value::{Duration, DurationUnit, Value};
use zan::{EvalError, Rulebook};

fn kz_visa() -> Rulebook {
    let checked = zan::check(&common::kz_visa());
    checked.rulebook.expect("kz-visa checks")
}

/// A version in force on 2026-03-31, after the 2026 amendment.
fn program(rb: &Rulebook) -> Arc<Program> {
    let v = rb.version_on(date::parse("2026-03-31").unwrap()).unwrap();
    v.program.clone()
}

fn day(s: &str) -> date::Day {
    date::parse(s).unwrap()
}

fn money(s: &str) -> Value {
    Value::Money(Decimal::from_str(s).unwrap())
}

fn kzt() -> Type {
    Type::Money("KZT".into())
}

fn leaf(kind: NodeKind, text: &str, ty: Type, value: Value) -> Node {
    Node {
        kind,
        text: text.into(),
        label: None,
        value: Ok(value),
        ty,
        citations: Vec::new(),
        children: Vec::new(),
    }
}

fn fact(path: &str, ty: Type, value: Value) -> Node {
    leaf(
        NodeKind::Fact {
            json_path: format!("$.{path}"),
        },
        path,
        ty,
        value,
    )
}

fn specific(c: &Citation) -> Cited {
    Cited {
        citation: c.clone(),
        specific: true,
    }
}

/// The citation of a table's row, of a parameter's value, and a rule's heading.
fn citations(rb: &Rulebook, p: &Program) -> (Citation, Citation, Citation) {
    let table = p
        .tables
        .iter()
        .find(|t| t.name == "art518_fine_mci")
        .unwrap();
    let row = table.rows.iter().find_map(|r| r.citation.clone()).unwrap();
    let mci = p.params.iter().find(|x| x.name == "mci").unwrap();
    let value = mci
        .parts
        .iter()
        .find_map(|x| x.citation.clone())
        .unwrap_or_else(|| mci.citations[0].clone());
    let rule = p
        .rules
        .iter()
        .find(|r| !r.citations.is_empty() && r.name == "migration_fines_total_kzt")
        .map(|r| r.citations[0].clone())
        .unwrap_or_else(|| rb_first_citation(rb, p));
    (row, value, rule)
}

fn rb_first_citation(_rb: &Rulebook, p: &Program) -> Citation {
    p.rules
        .iter()
        .find_map(|r| r.citations.first().cloned())
        .unwrap()
}

/// A derivation with a node of every kind: a fine computed as a table's MCI count times the
/// MCI in force on the offence date, a deadline in working days, a count, a call, a rule
/// seen above, and a case that did not apply.
fn fine_tree(rb: &Rulebook, p: &Program) -> Node {
    let id = |name: &str| p.rule_named(name).unwrap();
    let table = p
        .tables
        .iter()
        .position(|t| t.name == "art518_fine_mci")
        .unwrap() as u32;
    let param = p.params.iter().position(|x| x.name == "mci").unwrap() as u32;
    let calendar = p
        .calendars
        .iter()
        .position(|c| c.name == "kazakhstan")
        .unwrap() as u32;
    let (row_cite, param_cite, rule_cite) = citations(rb, p);

    let mut row = leaf(
        NodeKind::Table {
            table,
            row: Some(11),
            row_text: "part_3, large_business".into(),
        },
        "art518_fine_mci(host_registration_part, host.kind)",
        Type::Decimal,
        Value::Decimal(Decimal::from(100)),
    );
    row.citations.push(specific(&row_cite));
    row.children.push(leaf(
        NodeKind::SeeAbove {
            rule: id("migration_fines_total_kzt"),
        },
        "migration_fines_total_kzt",
        kzt(),
        money("432500"),
    ));
    let mut mci = leaf(
        NodeKind::Parameter {
            param,
            on: day("2026-03-31"),
            date: DateFrom::AsOf,
            in_force_from: day("2026-01-01"),
        },
        "mci as of host_registration_offence_on",
        kzt(),
        money("4325"),
    );
    mci.citations.push(specific(&param_cite));
    mci.children.push(fact(
        "host.registration_offence_on",
        Type::Date,
        Value::Date(day("2026-03-31")),
    ));
    let mut amount = leaf(
        NodeKind::Arithmetic { op: ArithOp::Mul },
        "art518_fine_mci(host_registration_part, host.kind) * (mci as of host_registration_offence_on)",
        kzt(),
        money("432500"),
    );
    amount.label = Some("amount_kzt".into());
    amount.children = vec![row, mci];

    let duration = Value::Duration(Duration {
        amount: 3,
        unit: DurationUnit::WorkingDays,
        calendar: Some(calendar),
    });
    let mut deadline = leaf(
        NodeKind::WorkingDays {
            calendar,
            start: day("2026-03-20"),
            days: 3,
            skipped: vec![
                Skipped {
                    from: day("2026-03-21"),
                    to: day("2026-03-25"),
                    why: "Nauryz".into(),
                },
                Skipped {
                    from: day("2026-03-28"),
                    to: day("2026-03-29"),
                    why: "weekend".into(),
                },
            ],
        },
        "stay.entered_on + 3 working days in kazakhstan",
        Type::Date,
        Value::Date(day("2026-03-30")),
    );
    deadline.children = vec![
        fact(
            "stay.entered_on",
            Type::Date,
            Value::Date(day("2026-03-20")),
        ),
        leaf(
            NodeKind::Constant,
            "3 working days in kazakhstan",
            Type::Duration,
            duration,
        ),
    ];

    let docs: Arc<[Value]> = vec![
        Value::Text("passport".into()),
        Value::Text("diploma".into()),
    ]
    .into();
    let mut count = leaf(
        NodeKind::Aggregation {
            kind: Aggregate::Count,
            items: vec![
                AggregateItem {
                    index: 0,
                    item: docs[0].clone(),
                    result: Ok(Value::Bool(true)),
                },
                AggregateItem {
                    index: 1,
                    item: docs[1].clone(),
                    result: Err(EvalError::new("no apostille date")),
                },
            ],
            item_ty: Type::Text,
        },
        "count d in documents where d.apostilled",
        Type::Integer,
        Value::Integer(1),
    );
    count.children.push(fact(
        "documents",
        Type::List(Box::new(Type::Text)),
        Value::List(docs),
    ));

    let mut age = leaf(
        NodeKind::Call {
            name: "age_in_years".into(),
        },
        "age_in_years(applicant.birth_date, date)",
        Type::Integer,
        Value::Integer(15),
    );
    age.children = vec![
        fact(
            "applicant.birth_date",
            Type::Date,
            Value::Date(day("2010-06-01")),
        ),
        leaf(
            NodeKind::AsOfDate,
            "date",
            Type::Date,
            Value::Date(day("2026-03-31")),
        ),
    ];
    let mut local = leaf(
        NodeKind::Local,
        "d.apostilled",
        Type::Bool,
        Value::Bool(true),
    );
    local.label = Some("first".into());
    let mut failed_call = leaf(
        NodeKind::Expression,
        "if host.kind == individual then 1 else fine_of(host.kind)",
        Type::Integer,
        Value::Integer(0),
    );
    failed_call.value = Err(EvalError::new("no row of `fine_of` for `large_business`"));
    failed_call.children.push(local);

    let mut failed = leaf(
        NodeKind::Condition,
        "applicant_age >= 16",
        Type::Bool,
        Value::Bool(false),
    );
    failed.children = vec![
        fact("applicant.age", Type::Integer, Value::Integer(15)),
        leaf(NodeKind::Constant, "16", Type::Integer, Value::Integer(16)),
    ];
    let condition = leaf(
        NodeKind::Condition,
        "host_registration_part is present",
        Type::Bool,
        Value::Bool(true),
    );
    let step = RuleStep {
        rule: id("migration_fines_total_kzt"),
        output: true,
        definition: "migration_fines_total_kzt".into(),
        exception: false,
        given_by: GivenBy::Case(2),
        origin: Origin::Baseline,
        condition: Some(Box::new(condition)),
        why_not: vec![
            NotApplied {
                definition: "migration_fines_total_kzt".into(),
                exception: false,
                case: Some(1),
                failed: Some(Box::new(failed)),
                origin: Origin::Baseline,
                citations: Vec::new(),
            },
            NotApplied {
                definition: "minor_applicant".into(),
                exception: true,
                case: None,
                failed: None,
                origin: Origin::Baseline,
                citations: vec![rule_cite.clone()],
            },
        ],
        reasons: Vec::new(),
        sources: vec![row_cite, param_cite, rule_cite.clone()],
    };
    let mut root = leaf(
        NodeKind::Rule(Box::new(step)),
        "migration_fines_total_kzt",
        kzt(),
        money("432500"),
    );
    root.citations.push(Cited {
        citation: rule_cite,
        specific: false,
    });
    root.children = vec![amount, deadline, count, age, failed_call];
    root
}

/// An explanation (as `zan eval --explain` writes it) whose only output is `tree`.
fn explanation_with(rb: &Rulebook, tree: &Node) -> Json {
    let case =
        zan::eval::case_from_json(rb, &example("stay-host-late-notice-repeated.json")).unwrap();
    let mut d = zan::eval(rb, &case, day("2026-03-31"), Some(Depth::Path)).unwrap();
    let x = d.explanation.as_mut().unwrap();
    x.outputs = vec![tree.clone()];
    explanation_json(rb, &d, d.explanation.as_ref().unwrap())
}

fn example(name: &str) -> Json {
    let path = common::root().join("rulebooks/kz-visa/examples").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn examples() -> Vec<PathBuf> {
    let v = common::files_in(&common::root().join("rulebooks/kz-visa/examples"), "json");
    assert!(v.len() >= 10);
    v
}

fn explain_validator(rb: &Rulebook) -> Validator {
    let v = rb.version_on(day("2026-03-31")).unwrap();
    Validator::new(&explanation_schema(rb, v))
}

// ---------------------------------------------------------------------------------------------
// A hand-built tree of every kind

#[test]
fn the_text_shows_the_arithmetic_the_row_the_parameter_and_the_days_skipped() {
    let rb = kz_visa();
    let p = program(&rb);
    let text = derivation_text(&rb, &p, &fine_tree(&rb, &p));
    common::expect_file(Path::new("tests/data/explain/fine-tree.txt"), &text).unwrap();
    let has = |s: &str| assert!(text.contains(s), "no `{s}` in:\n{text}");
    has("migration_fines_total_kzt = 432,500.00 KZT\n  by case 2 of `migration_fines_total_kzt`, because host_registration_part is present");
    has("= 100 × 4,325.00 KZT = 432,500.00 KZT");
    has("row `part_3, large_business` of table `art518_fine_mci`   [1]");
    has("the value in force from 2026-01-01 (Thu), read on 2026-03-31 (Tue): the date `host.registration_offence_on`   [2]");
    has("2026-03-20 (Fri) + 3 working days in kazakhstan: skips Nauryz 21–25 March, weekend 28–29 March → 2026-03-30 (Mon)");
    has("why not: case 1 of `migration_fines_total_kzt`: `applicant_age >= 16` was false: applicant.age = 15");
    has("why not: exception `minor_applicant`: its condition could not be decided");
    has("item 2: \"diploma\" → count: error: no apostille date");
    has("migration_fines_total_kzt = 432,500.00 KZT   (see above)");
    has("sources (most specific first):\n    1. domain-facts.md:");
    // A constant that reads as its value has no line of its own; no line repeats the one
    // above it; each citation is listed once.
    assert!(!text.contains("\n    16 = 16"), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.windows(2).all(|w| w[0] != w[1]), "{text}");
    let listed = text.split("sources (most specific first):").nth(1).unwrap();
    assert_eq!(
        listed.lines().filter(|l| !l.is_empty()).count(),
        3,
        "{text}"
    );
}

#[test]
fn the_json_has_each_kinds_fields_and_matches_the_schema() {
    let rb = kz_visa();
    let p = program(&rb);
    let node = node_json(&rb, &p, &fine_tree(&rb, &p));
    let text = serde_json::to_string_pretty(&node).unwrap() + "\n";
    common::expect_file(Path::new("tests/data/explain/fine-tree.json"), &text).unwrap();
    assert_eq!(node["kind"], "rule");
    assert_eq!(
        node["value"],
        json!({ "amount": "432500.00", "currency": "KZT" })
    );
    assert_eq!(node["value_text"], "432,500.00 KZT");
    assert_eq!(node["given_by"], json!({ "kind": "case", "case": 2 }));
    let amount = &node["children"][0];
    assert_eq!(amount["kind"], "arithmetic");
    assert_eq!(amount["op"], "*");
    assert_eq!(amount["label"], "amount_kzt");
    assert_eq!(amount["formula"], "100 × 4,325.00 KZT = 432,500.00 KZT");
    let row = &amount["children"][0];
    assert_eq!(row["row"], 12, "rows count from 1");
    assert_eq!(row["citations"][0]["specific"], true);
    assert!(row["citations"][0]["line"].as_u64().unwrap() > 0, "{row}");
    let mci = &amount["children"][1];
    assert_eq!(mci["date_from"], "as_of");
    assert_eq!(mci["in_force_from"], "2026-01-01");
    let days = &node["children"][1];
    assert_eq!(
        days["skipped"][0],
        json!({ "from": "2026-03-21", "to": "2026-03-25", "why": "Nauryz" })
    );
    let count = &node["children"][2];
    assert_eq!(count["items"][0]["result"], true);
    assert_eq!(count["items"][1]["error"], "no apostille date");
    assert_eq!(
        node["children"][4]["error"],
        "no row of `fine_of` for `large_business`"
    );
    assert!(node["children"][4].get("value").is_none());
    assert_eq!(
        node["why_not"][0]["failed"]["children"][0]["json_path"],
        "$.applicant.age"
    );
    assert_eq!(node["sources"].as_array().unwrap().len(), 3);
    let x = explanation_with(&rb, &fine_tree(&rb, &p));
    if let Err(e) = explain_validator(&rb).check(&x) {
        panic!("the hand-built explanation does not match its schema:\n{e}");
    }
}

/// Each change breaks the explanation in one place; the schema must say so.
#[test]
fn a_broken_explanation_fails_its_schema() {
    let rb = kz_visa();
    let p = program(&rb);
    let good = explanation_with(&rb, &fine_tree(&rb, &p));
    let v = explain_validator(&rb);
    v.check(&good).unwrap();
    type Break = fn(&mut Json);
    let breaks: [(&str, Break); 9] = [
        ("a fact's field on an arithmetic node", |x| {
            x["outputs"][0]["children"][0]["json_path"] = json!("$.x")
        }),
        ("a table's row on a fact", |x| {
            x["outputs"][0]["children"][1]["children"][0]["row"] = json!(1)
        }),
        ("no value and no error", |x| {
            x["outputs"][0]["children"][0]
                .as_object_mut()
                .unwrap()
                .remove("value");
        }),
        ("both a value and an error", |x| {
            x["outputs"][0]["children"][4]["value"] = json!(1)
        }),
        ("an unknown kind", |x| {
            x["outputs"][0]["children"][3]["kind"] = json!("function")
        }),
        ("a table node without its row", |x| {
            x["outputs"][0]["children"][0]["children"][0]
                .as_object_mut()
                .unwrap()
                .remove("row");
        }),
        ("a rule's value of the wrong type", |x| {
            x["outputs"][0]["value"] = json!(432500)
        }),
        ("row 0", |x| {
            x["outputs"][0]["children"][0]["children"][0]["row"] = json!(0)
        }),
        ("an output that is not a rule", |x| {
            let fact = x["outputs"][0]["children"][1]["children"][0].clone();
            x["outputs"][0] = fact;
        }),
    ];
    for (what, f) in breaks {
        let mut x = good.clone();
        f(&mut x);
        assert!(v.check(&x).is_err(), "the schema accepts {what}");
    }
}

// ---------------------------------------------------------------------------------------------
// The examples' explanations

/// Every example decided at both depths, on its own date: the explanation matches the
/// explanation schema and the decision the decision schema with `--explain`, of its version;
/// the text renders every derivation, each output once.
#[test]
fn every_example_explanation_validates_at_both_depths() {
    let rb = kz_visa();
    let mut validators = std::collections::HashMap::new();
    for path in examples() {
        let json: Json = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let case = zan::eval::case_from_json(&rb, &json).unwrap();
        let as_of = zan::eval::as_of_date(&rb, &case, None).unwrap();
        for depth in [Depth::Path, Depth::Full] {
            let d = zan::eval(&rb, &case, as_of, Some(depth)).unwrap();
            let (explain, decision) = validators.entry(d.version).or_insert_with(|| {
                let v = &rb.versions[d.version];
                (
                    Validator::new(&explanation_schema(&rb, v)),
                    Validator::new(&decision_schema(&rb, v, true)),
                )
            });
            let out = zan::eval::output::decision_json(&rb, &d);
            let x = &out["explanation"];
            let name = format!("{} ({depth:?})", path.display());
            if let Err(e) = explain.check(x) {
                panic!("{name}: the explanation does not match its schema:\n{e}");
            }
            if let Err(e) = decision.check(&out) {
                panic!("{name}: the decision does not match its schema:\n{e}");
            }
            let depth_name = if depth == Depth::Full { "full" } else { "path" };
            assert_eq!(x["depth"], depth_name, "{name}");
            let trees = d.explanation.as_ref().unwrap();
            // One derivation per output decided, in the decision's order.
            assert_eq!(trees.outputs.len(), d.outputs.len(), "{name}");
            for (n, (id, _)) in trees.outputs.iter().zip(&d.outputs) {
                assert_eq!(n.text, d.program.rules[*id as usize].name, "{name}");
                let text = derivation_text(&rb, &d.program, n);
                assert!(
                    text.starts_with(&format!("{} = ", n.text)),
                    "{name}: {text}"
                );
            }
        }
    }
}

/// The command line: `--explain` is the path, `--explain=full` the whole tree, the JSON
/// matches `zan schema --part explain`, and the text has the consolidated version's header.
#[test]
fn the_command_line_chooses_the_depth_and_describes_the_format() {
    let case = "rulebooks/kz-visa/examples/stay-host-late-notice-repeated.json";
    let eval = |args: &[&str]| {
        let mut all = vec!["eval", "rulebooks/kz-visa", case];
        all.extend_from_slice(args);
        let out = common::zan(&all);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{all:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let path: Json = serde_json::from_slice(&eval(&["--explain"])).unwrap();
    let full: Json = serde_json::from_slice(&eval(&["--explain=full"])).unwrap();
    let named: Json = serde_json::from_slice(&eval(&["--explain=path"])).unwrap();
    assert_eq!(path["explanation"]["format"], "zan-explanation/2");
    assert_eq!(path["explanation"]["depth"], "path");
    assert_eq!(full["explanation"]["depth"], "full");
    assert_eq!(named, path);
    let as_of = path["as_of"].as_str().unwrap();
    let out = common::zan(&[
        "schema",
        "rulebooks/kz-visa",
        "--part",
        "explain",
        "--as-of",
        as_of,
    ]);
    assert_eq!(out.status.code(), Some(0));
    let schema: Json = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    let v = Validator::new(&schema);
    for x in [&path, &full] {
        v.check(&x["explanation"]).unwrap();
    }
    let text = String::from_utf8(eval(&["--format", "text", "--explain"])).unwrap();
    assert!(
        text.contains("\nWhy\n  consolidated rulebook: the version in force"),
        "{text}"
    );
    let wrong = common::zan(&["eval", "rulebooks/kz-visa", case, "--explain=deep"]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("path"));
}

/// At path depth the outputs with nothing to report share one short list after the others;
/// at full depth every derivation is shown.
#[test]
fn neutral_outputs_share_one_short_list_after_the_others() {
    let rb = kz_visa();
    let p = program(&rb);
    let case =
        zan::eval::case_from_json(&rb, &example("stay-host-late-notice-repeated.json")).unwrap();
    let mut d = zan::eval(&rb, &case, day("2026-03-31"), Some(Depth::Path)).unwrap();
    let quiet = |name: &str, value: Value, given_by: GivenBy| {
        let step = RuleStep {
            rule: p.rule_named(name).unwrap(),
            output: true,
            definition: name.into(),
            exception: false,
            given_by,
            origin: Origin::Baseline,
            condition: None,
            why_not: Vec::new(),
            reasons: Vec::new(),
            sources: Vec::new(),
        };
        let ty = p.rules[p.rule_named(name).unwrap() as usize].ty.clone();
        leaf(NodeKind::Rule(Box::new(step)), name, ty, value)
    };
    let trees = vec![
        quiet("visa_invalid", Value::Bool(false), GivenBy::Otherwise),
        fine_tree(&rb, &p),
        quiet(
            "unlawful_document_request_count",
            Value::Integer(0),
            GivenBy::Expression,
        ),
    ];
    d.explanation.as_mut().unwrap().outputs = trees.clone();
    let text = zan::eval::output::decision_text(&rb, &d);
    let why = text.split("\nWhy\n").nth(1).unwrap();
    let fine = why
        .find("  migration_fines_total_kzt = 432,500.00 KZT\n")
        .unwrap();
    let list = why
        .find("nothing to report for this case (or a fixed `otherwise`):\n    visa_invalid = false; unlawful_document_request_count = 0\n")
        .unwrap_or_else(|| panic!("{why}"));
    assert!(fine < list, "{why}");
    assert!(!why.contains("visa_invalid = false\n"), "{why}");
    let x = d.explanation.as_mut().unwrap();
    x.depth = Depth::Full;
    let text = zan::eval::output::decision_text(&rb, &d);
    assert!(
        text.contains("\n  visa_invalid = false\n    by the `otherwise` of `visa_invalid`\n"),
        "{text}"
    );
    assert!(
        text.contains("\n  unlawful_document_request_count = 0\n    by the definition of `unlawful_document_request_count`\n"),
        "{text}"
    );
    assert!(
        !text.contains("nothing to report for this case (or"),
        "{text}"
    );
}
