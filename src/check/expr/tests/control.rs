//! `if`, `match` and the quantifiers.

use super::{errors_in, lowered, type_of};

#[test]
fn if_takes_a_bool_and_its_branches_agree() {
    assert_eq!(type_of("if true then 1 else 2"), "integer");
    assert_eq!(type_of("if true then 1 else 2.5"), "decimal");
    assert_eq!(
        errors_in("integer", "if person.score then 1 else 2"),
        ["Z0201 expected bool, found integer"]
    );
    assert_eq!(
        errors_in("integer", "if true then 1 else \"two\""),
        ["Z0201 branches have different types: integer and text",]
    );
}

#[test]
fn an_integer_branch_widens_to_the_decimal_of_the_other() {
    let widened = lowered("decimal", "if person.score > 1 then person.score else 2.5");
    assert!(widened.contains("ToDecimal("), "{widened}");
}

#[test]
fn a_match_on_an_enum_covers_every_value_or_has_otherwise() {
    assert!(errors_in(
        "integer",
        "match person.form { paper => 1 electronic => 2 }"
    )
    .is_empty());
    assert!(errors_in("integer", "match person.form { paper => 1 otherwise => 2 }").is_empty());
    assert_eq!(
        errors_in("integer", "match person.form { paper => 1 }"),
        ["Z0303 this match does not cover every value"]
    );
    assert_eq!(
        type_of("match person.form { paper or electronic => 1.5 }"),
        "decimal"
    );
}

#[test]
fn a_match_on_numbers_needs_otherwise_and_constant_patterns() {
    assert!(errors_in(
        "text",
        "match person.score { 1 => \"one\" otherwise => \"many\" }"
    )
    .is_empty());
    assert_eq!(
        errors_in("text", "match person.score { 1 => \"one\" }"),
        ["Z0303 this match does not cover every value"]
    );
    assert_eq!(
        errors_in(
            "text",
            "match person.birth_date { as_of => \"today\" otherwise => \"no\" }"
        ),
        ["Z0201 a pattern must be a constant value"]
    );
}

#[test]
fn match_arms_agree_on_a_type() {
    assert_eq!(
        errors_in(
            "integer",
            "match person.form { paper => 1 electronic => \"two\" }"
        ),
        ["Z0201 branches have different types: integer and text"]
    );
}

#[test]
fn quantifiers_bind_their_variable_to_the_items_of_a_list() {
    assert_eq!(type_of("any s in person.stays where days(s) > 3"), "bool");
    assert_eq!(type_of("all s in person.stays where days(s) > 3"), "bool");
    assert_eq!(
        type_of("count s in person.stays where days(s) > 3"),
        "integer"
    );
    assert_eq!(type_of("sum s in person.stays of days(s)"), "integer");
    assert_eq!(type_of("sum s in [1.5, 2] of s"), "decimal");
    assert!(lowered("integer", "count s in person.stays where true").starts_with("Quant(Count, 0,"));
}

#[test]
fn quantifiers_need_a_list_and_sum_needs_numbers() {
    assert_eq!(
        errors_in("bool", "any s in person.birth_date where true"),
        ["Z0201 expected a list, found date"]
    );
    assert_eq!(
        errors_in("text", "sum s in [\"a\"] of s"),
        ["Z0202 cannot sum text"]
    );
    assert_eq!(
        errors_in("bool", "any s in person.stays where days(s)"),
        ["Z0201 expected bool, found integer"]
    );
}

#[test]
fn a_quantifier_variable_is_not_in_scope_after_it() {
    assert_eq!(
        errors_in("bool", "(any s in person.stays where true) and days(s) > 1"),
        ["Z0101 unknown name `s`"]
    );
}
