//! Calls: tables by their keys and the built-in functions, with constant folding.

use super::{errors_in, first_help, lowered, rule, type_of};

#[test]
fn a_built_in_function_has_its_declared_arity_and_result() {
    assert_eq!(type_of("age(person.birth_date, 2026-03-10)"), "integer");
    assert_eq!(type_of("year(person.birth_date)"), "integer");
    assert_eq!(
        errors_in("integer", "age(person.birth_date)"),
        ["Z0106 `age` takes 2 arguments, found 1"]
    );
    assert_eq!(
        errors_in("date", "date(2026, 3)"),
        ["Z0106 `date` takes 3 arguments, found 2"]
    );
    assert_eq!(
        errors_in("integer", "year(\"2026\")"),
        ["Z0201 expected date, found text"]
    );
}

#[test]
fn an_unknown_function_suggests_a_function_or_a_table() {
    assert_eq!(
        errors_in("integer", "agee(person.birth_date, 2026-03-10)"),
        ["Z0101 unknown function or table `agee`"]
    );
    assert_eq!(
        first_help(&rule("integer", "agee(person.birth_date, 2026-03-10)")).as_deref(),
        Some("did you mean `age`?")
    );
    assert_eq!(
        first_help(&rule("integer", "fees(person.form)")).as_deref(),
        Some("did you mean `fee`?")
    );
}

#[test]
fn a_table_is_called_with_its_keys() {
    assert_eq!(type_of("fee(person.form)"), "integer");
    assert!(lowered("integer", "fee(electronic)").starts_with("Table(0, [Const(Enum(1))])"));
    assert_eq!(
        errors_in("integer", "fee(person.form, 1)"),
        ["Z0106 `fee` takes 1 argument, found 2"]
    );
    assert_eq!(
        errors_in("integer", "fee(person.score)"),
        ["Z0201 expected Form, found integer"]
    );
}

#[test]
fn date_and_period_of_constants_fold_to_constants() {
    assert!(lowered("date", "date(2026, 3, 10)").starts_with("Const(Date("));
    assert!(lowered("period", "period(2026-01-01, 2026-03-31)").starts_with("Const(Period("));
    assert!(lowered("date", "date(year(person.birth_date), 1, 1)").starts_with("Builtin(Date,"));
    assert!(lowered("integer", "year(2026-03-10)").starts_with("Builtin(Year,"));
}

#[test]
fn a_constant_date_that_does_not_exist_is_an_invalid_literal() {
    let errs = errors_in("date", "date(2026, 2, 30)");
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].starts_with("Z0002 "), "{errs:?}");
    assert_eq!(
        first_help(&rule("date", "date(2026, 2, 30)")).as_deref(),
        Some("check the dates")
    );
}

#[test]
fn count_and_is_empty_take_a_list() {
    assert_eq!(type_of("count(person.stays)"), "integer");
    assert_eq!(type_of("is_empty(person.stays)"), "bool");
    assert_eq!(
        errors_in("integer", "count(person.score)"),
        ["Z0201 expected a list, found integer"]
    );
}

#[test]
fn min_and_max_take_two_ordered_values_of_one_type() {
    assert_eq!(type_of("min(1, 2.5)"), "decimal");
    assert_eq!(type_of("max(person.birth_date, 2000-01-01)"), "date");
    assert_eq!(
        errors_in("text", "min(\"a\", \"b\")"),
        ["Z0202 text values have no order"]
    );
    assert_eq!(
        errors_in("integer", "max(1, \"b\")"),
        ["Z0201 branches have different types: integer and text"]
    );
}

#[test]
fn round_takes_a_number_or_an_amount() {
    assert_eq!(type_of("round(mci * 0.5, 0)"), "money");
    assert_eq!(
        errors_in("text", "round(\"a\", 2)"),
        ["Z0201 cannot round text"]
    );
}

#[test]
fn value_or_takes_an_optional_and_a_default_of_its_inner_type() {
    assert_eq!(type_of("value_or(person.nick, \"none\")"), "text");
    assert_eq!(
        errors_in("integer", "value_or(person.score, 0)"),
        ["Z0201 expected an optional value, found integer"]
    );
    assert_eq!(
        errors_in("text", "value_or(person.nick, 0)"),
        ["Z0201 expected text, found integer"]
    );
}

#[test]
fn working_day_functions_name_a_calendar() {
    assert!(errors_in("bool", "is_working_day(person.birth_date, kz)").is_empty());
    assert_eq!(
        type_of("working_days_between(person.birth_date, 2026-03-10, kz)"),
        "integer"
    );
    assert_eq!(
        errors_in("bool", "is_working_day(person.birth_date, mars)"),
        ["Z0101 unknown calendar `mars`"]
    );
    assert_eq!(
        errors_in("bool", "is_working_day(person.birth_date, \"kz\")"),
        ["Z0201 expected the name of a calendar"]
    );
}
