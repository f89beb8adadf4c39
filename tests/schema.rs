//! `zan schema`: the JSON Schema of cases and decisions, checked with a real validator (boon,
//! draft 2020-12, formats asserted) against what zan itself reads and writes: the shipped
//! example cases and their decisions, generated cases, every field of every example replaced by
//! probe values (zan and the schema accept and reject the same cases, and point at the same
//! field), the batch lines, the snapshot of a small rulebook's schema, and the command line.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::validator::Validator;
use serde_json::{json, Value as Json};
use std::path::{Path, PathBuf};
use zan::eval::json_schema::{case_schema, decision_schema, explanation_schema, portable};
use zan::time::date;
use zan::Rulebook;

// ---------------------------------------------------------------------------------------------
// Helpers

fn checked(map: &zan::source::SourceMap) -> Rulebook {
    let checked = zan::check(map);
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.message.clone())
        .collect();
    assert!(errors.is_empty(), "the rulebook has errors: {errors:?}");
    checked.rulebook.unwrap()
}

fn kz_visa() -> Rulebook {
    checked(&common::kz_visa())
}

const EVERY_TYPE: &str = "tests/data/schema/every-type";

fn every_type() -> Rulebook {
    checked(&common::folder(&common::root().join(EVERY_TYPE)))
}

fn examples() -> Vec<(String, Json)> {
    let dir = common::root().join("rulebooks/kz-visa/examples");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 10);
    paths
        .iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            (
                name,
                serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap(),
            )
        })
        .collect()
}

/// zan and the schema accept the same case, or both reject it and the validator names every
/// field that zan names (that field, or a part of it: zan calls a whole period or duration
/// wrong where the validator names its `start` or its `years`).
fn agree(rb: &Rulebook, v: &Validator, case: &Json) -> Result<(), String> {
    // The reader of `zan eval --batch` (case text straight into slots) accepts the same.
    let from_text = zan::eval::case_from_str(rb, &case.to_string()).is_ok();
    if from_text != zan::eval::case_from_json(rb, case).is_ok() {
        return Err(format!(
            "case_from_str and case_from_json disagree ({from_text})"
        ));
    }
    let fields = v.fields(case);
    let named = |path: &str| {
        fields.iter().any(|f| {
            f == path || f.starts_with(&format!("{path}.")) || f.starts_with(&format!("{path}["))
        })
    };
    match (zan::eval::case_from_json(rb, case), fields.is_empty()) {
        (Ok(_), true) => Ok(()),
        (Ok(_), false) => Err(format!("zan accepts it, the schema rejects {fields:?}")),
        // JSON Schema cannot compare two dates (`what_the_case_schema_cannot_say`).
        (Err(e), true)
            if e.iter()
                .all(|e| e.message == "the period ends before it starts") =>
        {
            Ok(())
        }
        (Err(e), true) => Err(format!("zan rejects it ({}), the schema accepts it", e[0])),
        (Err(errors), false) => match errors.iter().find(|e| !named(&e.path)) {
            None => Ok(()),
            Some(e) => Err(format!("zan rejects {e}; the validator names {fields:?}")),
        },
    }
}

/// The decision on a case as `zan eval --format json` prints it, and the version used.
fn decide(rb: &Rulebook, case: &Json, as_of: Option<&str>, explain: bool) -> (Json, usize) {
    let case = zan::eval::case_from_json(rb, case).unwrap();
    let day = zan::eval::as_of_date(rb, &case, as_of.and_then(date::parse)).unwrap();
    let d = zan::eval(rb, &case, day, explain.then_some(zan::eval::Depth::Path)).unwrap();
    (zan::eval::output::decision_json(rb, &d), d.version)
}

fn decision_validator(rb: &Rulebook, version: usize, explain: bool) -> Validator {
    Validator::new(&decision_schema(rb, &rb.versions[version], explain))
}

// ---------------------------------------------------------------------------------------------
// The shipped rulebook

#[test]
fn every_example_case_matches_the_case_schema() {
    let rb = kz_visa();
    let v = Validator::new(&case_schema(&rb));
    for (name, case) in examples() {
        assert!(zan::eval::case_from_json(&rb, &case).is_ok(), "{name}");
        if let Err(e) = v.check(&case) {
            panic!("{name} does not match the case schema:\n{e}");
        }
    }
}

#[test]
fn every_example_decision_matches_the_decision_schema_of_its_version() {
    let rb = kz_visa();
    let versions = rb.versions.len();
    let plain: Vec<Validator> = (0..versions)
        .map(|i| decision_validator(&rb, i, false))
        .collect();
    let explained: Vec<Validator> = (0..versions)
        .map(|i| decision_validator(&rb, i, true))
        .collect();
    let mut used = std::collections::BTreeSet::new();
    for (name, case) in examples() {
        // On the case's own date, and on a date before the 2026 amendment.
        for as_of in [None, Some("2026-02-21")] {
            let (d, version) = decide(&rb, &case, as_of, false);
            used.insert(version);
            if let Err(e) = plain[version].check(&d) {
                panic!("the decision on {name} ({as_of:?}) does not match:\n{e}");
            }
            let explanation_forbidden = explained[version].check(&d);
            assert!(explanation_forbidden.is_err(), "{name}: no explanation");
            let (x, _) = decide(&rb, &case, as_of, true);
            if let Err(e) = explained[version].check(&x) {
                panic!("the explained decision on {name} ({as_of:?}) does not match:\n{e}");
            }
            assert!(plain[version].check(&x).is_err(), "{name}: an explanation");
        }
    }
    assert!(
        used.len() >= 2,
        "the examples reach several versions: {used:?}"
    );
}

/// Generated cases (the generator of `zan diff`) and their decisions: zan and the schema agree
/// on each case, and every decision matches.
#[test]
fn generated_cases_and_their_decisions_match() {
    let rb = kz_visa();
    let v = Validator::new(&case_schema(&rb));
    let validators: Vec<Validator> = (0..rb.versions.len())
        .map(|i| decision_validator(&rb, i, true))
        .collect();
    let generation = zan::diff::generate::generate(&[&rb], 60, 7);
    assert!(generation.cases.len() >= 30);
    for (i, case) in generation.cases.iter().enumerate() {
        agree(&rb, &v, &case.facts).unwrap_or_else(|e| panic!("generated case {i}: {e}"));
        let as_of = date::format(case.as_of);
        let (d, version) = decide(&rb, &case.facts, Some(&as_of), true);
        if let Err(e) = validators[version].check(&d) {
            panic!("the decision on generated case {i} does not match:\n{e}");
        }
    }
}

/// Every value of every example, replaced by each probe value, removed, or joined by an
/// unknown field: zan and the schema accept and reject the same cases, and name the same
/// fields.
#[test]
fn zan_and_the_case_schema_agree_on_every_field_of_the_examples() {
    let rb = kz_visa();
    let v = Validator::new(&case_schema(&rb));
    let mut compared = 0;
    for (name, case) in examples() {
        for (pointer, _) in nodes(&case) {
            for probe in probes() {
                let mut c = case.clone();
                *c.pointer_mut(&pointer).unwrap() = probe.clone();
                agree(&rb, &v, &c).unwrap_or_else(|e| panic!("{name} {pointer} = {probe}: {e}"));
                compared += 1;
            }
            let mut c = case.clone();
            remove(&mut c, &pointer);
            agree(&rb, &v, &c).unwrap_or_else(|e| panic!("{name} without {pointer}: {e}"));
            if let Some(obj) = c.pointer_mut(&pointer).and_then(Json::as_object_mut) {
                obj.insert("unknown_field".into(), json!(1));
                agree(&rb, &v, &c).unwrap_or_else(|e| panic!("{name} {pointer}.unknown: {e}"));
            }
        }
    }
    assert!(compared > 5000, "{compared} cases compared");
}

/// Values of every JSON kind and of every form a fact can take, none of them in the forms the
/// schema cannot tell apart (see `what_the_case_schema_cannot_say`).
fn probes() -> Vec<Json> {
    vec![
        json!(null),
        json!(true),
        json!(0),
        json!(-3),
        json!(2.5),
        json!("x"),
        json!(""),
        json!("germany"),
        json!("germnay"),
        json!("2026-02-30"),
        json!("2024-02-29"),
        json!(" 12.50 KZT "),
        json!("1_000"),
        json!([]),
        json!(["x"]),
        json!({}),
        json!({ "days": 3 }),
        json!({ "weeks": 2, "days": 1 }),
        json!({ "start": "2026-01-01", "end": "2026-01-31" }),
    ]
}

/// Every node below the root, as a JSON pointer, with its value.
fn nodes(json: &Json) -> Vec<(String, Json)> {
    let mut out = Vec::new();
    walk(json, "", &mut out);
    out
}

fn walk(json: &Json, at: &str, out: &mut Vec<(String, Json)>) {
    let children: Vec<(String, &Json)> = match json {
        Json::Object(m) => m.iter().map(|(k, v)| (k.clone(), v)).collect(),
        Json::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        _ => Vec::new(),
    };
    for (k, v) in children {
        let p = format!("{at}/{k}");
        out.push((p.clone(), v.clone()));
        walk(v, &p, out);
    }
}

fn remove(json: &mut Json, pointer: &str) {
    let (parent, last) = pointer.rsplit_once('/').unwrap();
    match json.pointer_mut(parent).unwrap() {
        Json::Object(m) => {
            m.remove(last);
        }
        Json::Array(a) => {
            a.remove(last.parse::<usize>().unwrap());
        }
        _ => {}
    }
}

/// What is wrong, how to make the mistake, and the path zan names.
type Mistake = (&'static str, fn(&mut Json), &'static str);

/// The mistakes a person makes, each rejected by zan and by the schema at the same field.
#[test]
fn the_schema_rejects_what_zan_rejects_at_the_same_field() {
    let rb = kz_visa();
    let v = Validator::new(&case_schema(&rb));
    let base = examples()
        .into_iter()
        .find(|(n, _)| n == "c3-work-visa-invitation.json")
        .unwrap()
        .1;
    let cases: [Mistake; 9] = [
        (
            "a wrong enum value",
            |c| c["applicant"]["citizenship"] = json!("germnay"),
            "$.applicant.citizenship",
        ),
        (
            "a date that is not in the calendar",
            |c| c["applicant"]["birth_date"] = json!("2010-02-30"),
            "$.applicant.birth_date",
        ),
        (
            "a date in another format",
            |c| c["assessed_on"] = json!("10.03.2026"),
            "$.assessed_on",
        ),
        (
            "text where a number is needed",
            |c| c["applicant"]["passport"]["blank_pages"] = json!("five"),
            "$.applicant.passport.blank_pages",
        ),
        ("a missing fact", |c| remove(c, "/applicant"), "$.applicant"),
        (
            "a missing field",
            |c| remove(c, "/applicant/birth_date"),
            "$.applicant.birth_date",
        ),
        (
            "an unknown field",
            |c| c["applicant"]["nickname"] = json!("Hans"),
            "$.applicant.nickname",
        ),
        (
            "an unknown fact",
            |c| c["aplicant"] = json!({}),
            "$.aplicant",
        ),
        (
            "null for a required field",
            |c| c["applicant"]["birth_date"] = json!(null),
            "$.applicant.birth_date",
        ),
    ];
    for (what, change, path) in cases {
        let mut c = base.clone();
        change(&mut c);
        let zan_paths: Vec<String> = zan::eval::case_from_json(&rb, &c)
            .err()
            .unwrap_or_else(|| panic!("zan accepts {what}"))
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(zan_paths, [path], "{what}");
        let fields = v.fields(&c);
        assert!(
            fields.contains(&path.to_string()),
            "{what}: the validator names {fields:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The small rulebook of every type

/// A case of `every-type` with every input form: amounts as numbers and as text with or
/// without the currency, decimals with separators, weeks and years, periods, a Kazakh enum,
/// absent and null optional facts.
fn every_type_case() -> Json {
    json!({
        "request": {
            "filed_on": "2026-03-12",
            "channel": "post",
            "priority": null,
            "fee": " 1_250.5 KZT ",
            "fee_usd": 12,
            "rate": "0.75",
            "pages": 3,
            "waiting": { "years": 1 },
            "stays": [
                { "period": { "start": "2025-06-01", "end": "2025-06-20" } },
                { "period": { "start": "2025-09-01", "end": "2025-09-01", "note": "kept" }, "purpose": "work" },
            ],
            "previous": { "period": { "start": "2025-09-01", "end": "2025-09-01" } },
            "language": "russian",
        },
        "notes": ["first visit"],
    })
}

#[test]
fn every_type_cases_and_decisions_match() {
    let rb = every_type();
    let v = Validator::new(&case_schema(&rb));
    let minimal = json!({ "request": { "filed_on": "2026-01-05", "fee": 0, "pages": 0 } });
    for case in [every_type_case(), minimal] {
        agree(&rb, &v, &case).unwrap();
        v.check(&case).unwrap();
        let (d, _) = decide(&rb, &case, None, false);
        assert_eq!(d["errors"][0]["output"], "large_request", "{d}");
        for explain in [false, true] {
            for as_of in [None, Some("2026-03-10"), Some("2026-03-09")] {
                let (d, version) = decide(&rb, &case, as_of, explain);
                let dv = decision_validator(&rb, version, explain);
                if let Err(e) = dv.check(&d) {
                    panic!("{d:#}\ndoes not match:\n{e}");
                }
            }
        }
    }
}

#[test]
fn every_field_of_the_every_type_case_agrees() {
    let rb = every_type();
    let v = Validator::new(&case_schema(&rb));
    let case = every_type_case();
    for (pointer, _) in nodes(&case) {
        for probe in probes()
            .into_iter()
            .chain([json!("kazakh"), json!(12), json!("12 USD")])
        {
            let mut c = case.clone();
            *c.pointer_mut(&pointer).unwrap() = probe.clone();
            agree(&rb, &v, &c).unwrap_or_else(|e| panic!("{pointer} = {probe}: {e}"));
        }
        let mut c = case.clone();
        remove(&mut c, &pointer);
        agree(&rb, &v, &c).unwrap_or_else(|e| panic!("without {pointer}: {e}"));
    }
}

/// Decimals and amounts as text, in every form `rust_decimal` and the currency suffix allow or
/// refuse, with the white space `trim` removes.
#[test]
fn decimal_and_amount_text_agree() {
    let rb = every_type();
    let v = Validator::new(&case_schema(&rb));
    let texts = [
        "1",
        "+1",
        "-1.5",
        ".5",
        "5.",
        "1_000",
        "1__0",
        "1_",
        "_1",
        "1._5",
        "._5",
        "1e3",
        "1E-2",
        "1e+2",
        "1.5e",
        "e5",
        "",
        " ",
        "-",
        "+",
        ".",
        "1.2.3",
        "0x10",
        "1,5",
        " 12 ",
        "\t12\n",
        "12 KZT",
        "12  KZT",
        "12\tKZT",
        "12 \tKZT",
        "12\t KZT",
        "12 kzt",
        "12 USD",
        "KZT",
        "12 KZT KZT",
        " 12 KZT ",
        "12\u{3000} KZT",
        "12\u{3000}KZT",
        "\u{85}12",
        "\u{feff}12",
        "\u{a0}12 KZT\u{2029}",
        "１２",
    ];
    for text in texts {
        for field in ["rate", "fee", "fee_usd"] {
            let mut case = every_type_case();
            case["request"][field] = json!(text);
            agree(&rb, &v, &case).unwrap_or_else(|e| panic!("{field} = {text:?}: {e}"));
        }
    }
}

/// The date pattern against zan's own reading of dates, over whole years (leap years, the
/// first and last years) and impossible months and days.
#[test]
fn date_text_agrees() {
    let rb = every_type();
    let v = Validator::new(&case_schema(&rb));
    let mut texts: Vec<String> = Vec::new();
    for year in [
        "0000", "0001", "0004", "0100", "1900", "2000", "2024", "2025", "2100", "2400", "9999",
    ] {
        for month in 0..=13 {
            for day in 0..=32 {
                texts.push(format!("{year}-{month:02}-{day:02}"));
            }
        }
    }
    texts.extend(
        [
            "2026-3-10",
            "2026-03-10T00:00",
            " 2026-03-10",
            "20260310",
            "-2026-03-10",
        ]
        .map(String::from),
    );
    texts.extend(["２０２６-03-10", "2026/03/10", "10000-01-01"].map(String::from));
    for text in texts {
        let mut case = every_type_case();
        case["contact_on"] = json!(text);
        agree(&rb, &v, &case).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(
            date::parse(&text).is_some(),
            v.check(&case).is_ok(),
            "{text}"
        );
    }
}

/// Each `default` in the case schema is a value the schema and zan accept for its field.
#[test]
fn the_defaults_are_valid_values() {
    let rb = every_type();
    let schema = case_schema(&rb);
    let v = Validator::new(&schema);
    let mut case = json!({ "request": { "filed_on": "2026-01-05", "fee": 0, "pages": 0 } });
    let fields = schema["$defs"]["Request"]["properties"]
        .as_object()
        .unwrap();
    let mut defaults = 0;
    for (name, field) in fields {
        if let Some(d) = field.get("default") {
            case["request"][name] = d.clone();
            defaults += 1;
        }
    }
    case["notes"] = schema["properties"]["notes"]["default"].clone();
    assert!(defaults >= 5, "{case}");
    agree(&rb, &v, &case).unwrap();
    v.check(&case).unwrap();
}

/// What `case_from_json` rejects and JSON Schema cannot say (the report of issue 6 lists
/// them): an integer written 1.0 or 1e2, a period that ends before it starts, a decimal with
/// more digits than 96 bits hold or an exponent out of range. The schema accepts these; zan
/// rejects them with its own message.
#[test]
fn what_the_case_schema_cannot_say() {
    let rb = every_type();
    let v = Validator::new(&case_schema(&rb));
    let gaps: [(&str, Json); 6] = [
        ("/request/pages", serde_json::from_str("1.0").unwrap()),
        ("/request/pages", serde_json::from_str("1e2").unwrap()),
        (
            "/request/previous/period",
            json!({ "start": "2026-02-01", "end": "2026-01-01" }),
        ),
        ("/request/rate", json!("123456789012345678901234567890")),
        ("/request/rate", json!("1e-29")),
        ("/request/rate", serde_json::from_str("1e40").unwrap()),
    ];
    for (pointer, value) in gaps {
        let mut case = every_type_case();
        *case.pointer_mut(pointer).unwrap() = value.clone();
        assert!(
            zan::eval::case_from_json(&rb, &case).is_err(),
            "{pointer} = {value}"
        );
        assert!(
            v.check(&case).is_ok(),
            "{pointer} = {value}: now the schema says it"
        );
    }
}

/// The schema of `every-type` (case, and decision with the explanation) as reviewed; with
/// `ZAN_BLESS=1` the file is rewritten.
#[test]
fn the_every_type_schema_is_as_reviewed() {
    let rb = every_type();
    let latest = rb.versions.last().unwrap();
    let both = json!({
        "case": portable(case_schema(&rb)),
        "decision": portable(decision_schema(&rb, latest, true)),
    });
    let text = serde_json::to_string_pretty(&both).unwrap() + "\n";
    let expected = Path::new("tests/data/schema/every-type.schema.json");
    if let Err(diff) = common::expect_file(expected, &text) {
        panic!("the schema of every-type changed (ZAN_BLESS=1 to accept):\n{diff}");
    }
}

#[test]
fn outputs_follow_the_version() {
    let rb = every_type();
    let before = rb.version_on(date::parse("2026-03-09").unwrap()).unwrap();
    let after = rb.version_on(date::parse("2026-03-10").unwrap()).unwrap();
    let outputs = |v| decision_schema(&rb, v, false)["properties"]["outputs"]["properties"].clone();
    assert!(outputs(before).get("online").is_none());
    assert!(outputs(after).get("online").is_some());
    let id = |v| decision_schema(&rb, v, false)["$id"].clone();
    assert_eq!(id(before), "zan:every_type/decision");
    assert_eq!(id(after), "zan:every_type/decision/from-2026-03-10");
    // The facts are not amendable: one case schema for every version.
    assert_eq!(case_schema(&rb)["$id"], "zan:every_type/case");
}

// ---------------------------------------------------------------------------------------------
// The command line

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn cli_prints_the_case_schema() {
    let o = common::zan(&["schema", "rulebooks/kz-visa", "--part", "case"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let printed: Json = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(printed, portable(case_schema(&kz_visa())));
    Validator::new(&printed);
}

#[test]
fn cli_prints_both_schemas_of_the_version_asked_for() {
    let rb = kz_visa();
    let o = common::zan(&["schema", "rulebooks/kz-visa"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let both: Json = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(both["case"], portable(case_schema(&rb)));
    let latest = rb.versions.last().unwrap();
    assert_eq!(
        both["decision"],
        portable(decision_schema(&rb, latest, false))
    );
    assert_eq!(
        both["explanation"],
        portable(explanation_schema(&rb, latest))
    );
    assert_eq!(both.as_object().unwrap().len(), 3);
    let o = common::zan(&[
        "schema",
        "rulebooks/kz-visa",
        "--part",
        "decision",
        "--as-of",
        "2026-02-21",
        "--explain",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let decision: Json = serde_json::from_slice(&o.stdout).unwrap();
    let then = rb.version_on(date::parse("2026-02-21").unwrap()).unwrap();
    assert_eq!(decision, portable(decision_schema(&rb, then, true)));
    // The annotations are in the root's `$comment`, as JSON text.
    let version = |schema: &Json| -> Json {
        let comment: Json = serde_json::from_str(schema["$comment"].as_str().unwrap()).unwrap();
        assert_eq!(comment["x-zan-rulebook"], "kz_visa");
        comment["x-zan-version"].clone()
    };
    assert_eq!(version(&decision)["in_force_until"], "2026-03-09");
    assert_ne!(version(&decision), version(&both["decision"]));
    let mut count = 0;
    restore(&both, &mut count);
    assert!(count > 10, "only {count} annotated nodes");
}

/// Every annotation survives the move into `$comment`: the same keys and values, on the same
/// nodes, and nothing else changes.
#[test]
fn portable_schemas_keep_every_annotation_in_comments() {
    let rb = kz_visa();
    let latest = rb.versions.last().unwrap();
    for schema in [
        case_schema(&rb),
        decision_schema(&rb, latest, true),
        explanation_schema(&rb, latest),
    ] {
        let moved = portable(schema.clone());
        let mut count = 0;
        assert_eq!(restore(&moved, &mut count), schema);
        assert!(count > 10, "only {count} annotated nodes");
    }
}

/// `portable` undone: each `$comment` that holds `x-zan-*` keys spread back into its node.
fn restore(json: &Json, count: &mut usize) -> Json {
    match json {
        Json::Object(m) => {
            let mut out = serde_json::Map::new();
            for (k, v) in m {
                if k == "$comment" {
                    let notes: Json = serde_json::from_str(v.as_str().unwrap()).unwrap();
                    *count += 1;
                    for (nk, nv) in notes.as_object().unwrap() {
                        assert!(nk.starts_with("x-zan-"), "{nk}");
                        out.insert(nk.clone(), nv.clone());
                    }
                } else if ["const", "enum", "default", "examples"].contains(&k.as_str()) {
                    out.insert(k.clone(), v.clone());
                } else {
                    out.insert(k.clone(), restore(v, count));
                }
            }
            Json::Object(out)
        }
        Json::Array(a) => Json::Array(a.iter().map(|v| restore(v, count)).collect()),
        other => other.clone(),
    }
}

#[test]
fn cli_writes_the_schema_to_a_file() {
    let dir = std::env::temp_dir().join(format!("zan-schema-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("case.schema.json");
    let o = common::zan(&[
        "schema",
        EVERY_TYPE,
        "--part",
        "case",
        "--output",
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
    let written: Json = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(written, portable(case_schema(&every_type())));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cli_refuses_a_rulebook_with_errors_a_bad_date_and_a_missing_folder() {
    let dir = std::env::temp_dir().join(format!("zan-schema-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("rulebook.zan"),
        "rulebook broken {\n  title \"Broken\"\n}\n\nfact x: Unknown\n",
    )
    .unwrap();
    let o = common::zan(&["schema", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("Z0103"), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
    let _ = std::fs::remove_dir_all(&dir);

    let o = common::zan(&["schema", "rulebooks/kz-visa", "--as-of", "2026-02-30"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is not a date"), "{}", stderr(&o));

    let o = common::zan(&["schema", "rulebooks/no-such-rulebook"]);
    assert_eq!(o.status.code(), Some(2));
}

/// `zan eval --outputs` prints only the outputs asked for: the decision still matches.
#[test]
fn cli_decisions_with_selected_outputs_match() {
    let rb = kz_visa();
    let case = "rulebooks/kz-visa/examples/c3-work-visa-invitation.json";
    let outputs = "nsc_approval_deadline,c3_office,refusal_grounds";
    for explain in [false, true] {
        let mut args = vec!["eval", "rulebooks/kz-visa", case, "--outputs", outputs];
        if explain {
            args.push("--explain");
        }
        let o = common::zan(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let d: Json = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(d["outputs"].as_object().unwrap().len(), 3, "{d}");
        let day = date::parse(d["as_of"].as_str().unwrap()).unwrap();
        let v = Validator::new(&decision_schema(&rb, rb.version_on(day).unwrap(), explain));
        v.check(&d)
            .unwrap_or_else(|e| panic!("{d}\ndoes not match:\n{e}"));
    }
}

/// A case that cannot be dated (the rulebook names no `as of` fact and no `--as-of` is
/// given) gets an `evaluation` error line; with a date, a decision line.
#[test]
fn an_evaluation_error_line_matches() {
    let dir = std::env::temp_dir().join(format!("zan-schema-undated-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("rulebook.zan"),
        "rulebook undated {\n  title \"Undated\"\n}\n\nsource rules {\n  title \"The rules\"\n}\n\n\
         fact x: integer\n\noutput rule y: integer cites rules \"y\" { x + 1 }\n",
    )
    .unwrap();
    let rb = checked(&common::folder(&dir));
    let file = dir.join("cases.ndjson");
    std::fs::write(&file, "{\"x\": 1}\n").unwrap();
    let v = Validator::at(
        &decision_schema(&rb, &rb.versions[0], false),
        "#/$defs/zan.batch_line",
    );
    let (rulebook, cases) = (dir.to_str().unwrap(), file.to_str().unwrap());
    for (as_of, code) in [(None, 1), (Some("2026-01-01"), 0)] {
        let mut args = vec!["eval", rulebook, "--batch", cases];
        args.extend(as_of.iter().flat_map(|d| ["--as-of", d]));
        let o = common::zan(&args);
        assert_eq!(o.status.code(), Some(code), "{}", stderr(&o));
        let line: Json = serde_json::from_str(stdout(&o).trim()).unwrap();
        assert_eq!(line.get("error").is_some(), as_of.is_none(), "{line}");
        v.check(&line).unwrap_or_else(|e| panic!("{line}: {e}"));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every line `zan eval --batch` writes (decisions on several dates, and each kind of error)
/// matches `zan.batch_line` of the decision schema of its version; the JSON of an invalid
/// case from `zan eval` matches `zan.invalid_case`.
#[test]
fn batch_lines_and_case_errors_match() {
    let rb = kz_visa();
    let mut input = String::new();
    for (_, case) in examples() {
        input.push_str(&format!("{case}\n"));
    }
    let mut bad = examples()[0].1.clone();
    bad["applicant"]["citizenship"] = json!("germnay");
    input.push_str(&format!("\n{{not json\n{bad}\n"));
    let dir = std::env::temp_dir().join(format!("zan-schema-batch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("cases.ndjson");
    std::fs::write(&file, input).unwrap();
    let o = common::zan(&[
        "eval",
        "rulebooks/kz-visa",
        "--batch",
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let lines: Vec<Json> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let validators: Vec<Validator> = rb
        .versions
        .iter()
        .map(|v| Validator::at(&decision_schema(&rb, v, false), "#/$defs/zan.batch_line"))
        .collect();
    let mut kinds = Vec::new();
    for line in &lines {
        let version = match line["as_of"].as_str() {
            Some(d) => rb
                .versions
                .iter()
                .position(|v| std::ptr::eq(v, rb.version_on(date::parse(d).unwrap()).unwrap()))
                .unwrap(),
            None => {
                kinds.push(line["error"]["kind"].as_str().unwrap().to_string());
                rb.versions.len() - 1
            }
        };
        if let Err(e) = validators[version].check(line) {
            panic!("{line}\ndoes not match zan.batch_line:\n{e}");
        }
    }
    assert_eq!(kinds, ["empty_line", "invalid_json", "invalid_case"]);

    let case = dir.join("bad.json");
    std::fs::write(&case, bad.to_string()).unwrap();
    let o = common::zan(&["eval", "rulebooks/kz-visa", case.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let printed: Json = serde_json::from_slice(&o.stdout).unwrap();
    let latest = rb.versions.last().unwrap();
    let v = Validator::at(
        &decision_schema(&rb, latest, false),
        "#/$defs/zan.invalid_case",
    );
    v.check(&printed).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
