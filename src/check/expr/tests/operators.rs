//! Unary and binary operators: logic, membership, comparison and arithmetic typing.

use super::{errors_in, first_help, lowered, rule, type_of};

#[test]
fn arithmetic_has_the_type_of_its_operands() {
    assert_eq!(type_of("1 + 2"), "integer");
    assert_eq!(type_of("1 / 2"), "decimal");
    assert_eq!(type_of("1 + 0.5"), "decimal");
    assert_eq!(type_of("mci * 2"), "money");
    assert_eq!(type_of("2 * mci"), "money");
    assert_eq!(type_of("mci / mci"), "decimal");
    assert_eq!(type_of("person.birth_date + 3 days"), "date");
    assert_eq!(type_of("2026-03-10 - person.birth_date"), "integer");
    assert_eq!(type_of("\"a\" + \"b\""), "text");
}

#[test]
fn arithmetic_on_unrelated_types_is_refused_with_a_hint() {
    assert_eq!(
        errors_in("date", "person.birth_date + mci"),
        ["Z0202 cannot compute date + money"]
    );
    assert!(first_help(&rule("date", "person.birth_date + mci"))
        .unwrap_or_default()
        .contains("moved by a duration"));
    assert_eq!(
        errors_in("money", "mci + 1 USD"),
        ["Z0202 cannot compute money + money in USD"]
    );
    assert_eq!(
        first_help(&rule("money", "mci + 1 USD")).as_deref(),
        Some("amounts in different currencies cannot be combined")
    );
}

#[test]
fn not_takes_a_bool_and_only_numbers_and_amounts_have_a_sign() {
    assert_eq!(
        errors_in("bool", "not 1"),
        ["Z0201 expected bool, found integer"]
    );
    assert_eq!(type_of("-mci"), "money");
    assert_eq!(errors_in("text", "-\"a\""), ["Z0202 cannot negate text"]);
}

#[test]
fn only_numbers_amounts_dates_and_durations_are_ordered() {
    assert!(errors_in("bool", "person.birth_date < 2010-01-01").is_empty());
    assert!(errors_in("bool", "3 days < 1 month").is_empty());
    assert_eq!(
        errors_in("bool", "\"a\" < \"b\""),
        ["Z0202 text values have no order"]
    );
    assert!(errors_in("bool", "\"a\" == \"b\"").is_empty());
}

#[test]
fn comparison_needs_comparable_types() {
    assert!(errors_in("bool", "1 == 1.0").is_empty());
    assert_eq!(
        errors_in("bool", "person.score == \"a\""),
        ["Z0204 integer cannot be compared with text"]
    );
    assert_eq!(
        errors_in("bool", "person.form == \"paper\""),
        ["Z0204 Form cannot be compared with text"]
    );
    assert!(first_help(&rule("bool", "person.form == \"paper\""))
        .unwrap_or_default()
        .contains("without quotes"));
}

#[test]
fn a_bare_value_on_the_left_takes_its_type_from_the_right() {
    assert!(errors_in("bool", "paper == person.form").is_empty());
    assert!(errors_in("bool", "person.form in [paper, electronic]").is_empty());
    assert!(errors_in("bool", "paper in [person.form]").is_empty());
}

#[test]
fn membership_needs_a_list_and_not_in_negates() {
    assert_eq!(
        errors_in("bool", "person.score in 3"),
        ["Z0201 expected a list, found integer"]
    );
    assert_eq!(
        errors_in("bool", "person.score in [\"a\"]"),
        ["Z0201 expected integer, found text"]
    );
    assert!(lowered("bool", "person.score not in [1, 2]").starts_with("Not(In("));
}

#[test]
fn and_or_take_bools() {
    assert_eq!(
        errors_in("bool", "true and person.score"),
        ["Z0201 expected bool, found integer"]
    );
    assert!(lowered("bool", "true or false").starts_with("Or("));
}
