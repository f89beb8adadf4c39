//! The language's semantics, pinned by a rulebook of tests (tests/data/language).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

#[test]
fn the_semantics_rulebook_passes_its_tests() {
    let map = common::folder(&common::root().join("tests/data/language"));
    let checked = zan::check(&map);
    let rendered = zan::diagnostics::render::to_terminal(&map, &checked.diagnostics, false);
    assert!(!checked.has_errors(), "{rendered}");
    let rb = checked.rulebook.unwrap();
    let results = zan::testing::run(&rb, None);
    assert!(
        results.len() >= 19,
        "expected the semantics tests, found {}",
        results.len()
    );
    let failed: Vec<String> = results
        .iter()
        .filter(|r| !r.passed())
        .map(|r| format!("{}: {:?}", r.name, r.failures))
        .collect();
    assert!(
        failed.is_empty(),
        "failing semantics tests:\n{}",
        failed.join("\n")
    );
}

#[test]
fn a_wrong_expectation_is_reported_as_a_failure() {
    let mut map = common::folder(&common::root().join("tests/data/language"));
    map.add(
        "extra.zan",
        "test wrong_on_purpose checks law \"age\" {\n  given base\n  expect age = 99\n}\n",
    );
    let rb = zan::check(&map).rulebook.unwrap();
    let results = zan::testing::run(&rb, Some("wrong_on_purpose"));
    assert_eq!(results.len(), 1);
    let f = &results[0].failures[0];
    assert_eq!(f.rule, "age");
    assert_eq!(f.expected, serde_json::json!(99));
    assert_eq!(f.actual, serde_json::json!(26));
}

#[test]
fn an_optional_enum_output_is_shown_by_its_name() {
    let mut map = zan::SourceMap::new();
    map.add(
        "r.zan",
        "rulebook r { title \"t\" as of day }\nsource law { title \"Law\" }\nfact day: date\nenum Size { small, large }\nfact size: Size?\noutput rule picked: Size? cites law \"x\" { size }\n",
    );
    let rb = zan::check(&map).rulebook.unwrap();
    let json = serde_json::json!({ "day": "2026-01-01", "size": "large" });
    let case = zan::eval::case_from_json(&rb, &json).unwrap();
    let day = zan::eval::as_of_date(&rb, &case, None).unwrap();
    let d = zan::eval(&rb, &case, day, None).unwrap();
    let out = zan::eval::output::decision_json(&rb, &d);
    assert_eq!(out["outputs"]["picked"], "large");
}

/// The sum of no items is the zero of what is summed: an amount of 0 for money, not the
/// integer 0 (found by the differential helper; the reference evaluator shared the bug).
#[test]
fn the_sum_of_no_amounts_is_an_amount_of_zero() {
    let mut map = zan::SourceMap::new();
    map.add(
        "r.zan",
        "rulebook r { title \"t\" as of day }\nsource law { title \"Law\" }\nfact day: date\nfact fees: list of money\nfact rates: list of decimal\nfact counts: list of integer\noutput rule fees_total: money cites law \"x\" { sum f in fees of f }\noutput rule rates_total: decimal cites law \"x\" { sum r in rates of r }\noutput rule counts_total: integer cites law \"x\" { sum c in counts of c }\n",
    );
    let rb = zan::check(&map).rulebook.unwrap();
    for (fees, expected) in [
        (serde_json::json!([]), "0.00"),
        (serde_json::json!(["1.50 KZT", "2 KZT"]), "3.50"),
    ] {
        let json =
            serde_json::json!({ "day": "2026-01-01", "fees": fees, "rates": [], "counts": [] });
        let case = zan::eval::case_from_json(&rb, &json).unwrap();
        let day = zan::eval::as_of_date(&rb, &case, None).unwrap();
        let d = zan::eval(&rb, &case, day, None).unwrap();
        let out = zan::eval::output::decision_json(&rb, &d);
        assert_eq!(out["outputs"]["fees_total"]["amount"], expected, "{out}");
        assert_eq!(out["outputs"]["fees_total"]["currency"], "KZT", "{out}");
        assert_eq!(out["outputs"]["counts_total"], 0, "{out}");
        assert_eq!(out["outputs"]["rates_total"], "0", "{out}");
    }
}

/// Each built-in function called with the arguments its signature shows (completion and hover
/// show that signature), and with one more: the first is never an arity error, the second always
/// is, and neither panics the checker. The arguments are of any type: type errors are expected.
#[test]
fn every_built_in_function_takes_the_arguments_it_is_shown_with() {
    let header =
        "rulebook r { title \"t\" as of day }\nsource law { title \"Law\" }\nfact day: date\n";
    for f in zan::check::FUNCTIONS {
        for extra in [0, 1] {
            let args = vec!["day"; f.params.len() + extra].join(", ");
            let mut map = zan::SourceMap::new();
            map.add(
                "r.zan",
                format!(
                    "{header}rule x: bool cites law \"x\" {{ {}({args}) == {}({args}) }}\n",
                    f.name, f.name
                ),
            );
            let checked = zan::check(&map);
            let arity: Vec<&str> = checked
                .diagnostics
                .iter()
                .filter(|d| d.code == zan::diagnostics::Code::WrongArity)
                .map(|d| d.message.as_str())
                .collect();
            if extra == 0 {
                assert!(arity.is_empty(), "{}: {arity:?}", f.signature());
            } else {
                assert_eq!(arity.len(), 2, "{}: {arity:?}", f.signature());
                let want = format!("takes {} argument", f.params.len());
                assert!(arity[0].contains(&want), "{}: {}", f.signature(), arity[0]);
            }
        }
    }
}
