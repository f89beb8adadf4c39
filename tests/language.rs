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
