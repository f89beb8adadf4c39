//! Names, enum values, field access and `PARAMETER as of DATE`.

use super::{errors, errors_in, first_help, lowered, rule, type_of};

#[test]
fn facts_rules_parameters_and_fields_have_their_declared_types() {
    assert_eq!(type_of("person.birth_date"), "date");
    assert_eq!(type_of("person.passport"), "Passport?");
    assert_eq!(type_of("mci"), "money");
    assert_eq!(type_of("as_of"), "date");
    let decls = format!(
        "{}\n{}",
        rule("integer", "person.score"),
        "output rule other: bool cites law \"o\" {\n  probe > 1\n}"
    );
    assert!(errors(&decls).is_empty(), "{:?}", errors(&decls));
}

#[test]
fn an_unknown_name_is_reported_with_the_closest_name() {
    assert_eq!(
        errors_in("date", "persn.birth_date"),
        ["Z0101 unknown name `persn`"]
    );
    assert_eq!(
        first_help(&rule("date", "persn.birth_date")).as_deref(),
        Some("did you mean `person`?")
    );
}

#[test]
fn an_unknown_field_names_the_record_and_suggests_a_field() {
    assert_eq!(
        errors_in("date", "person.birth"),
        ["Z0104 `Person` has no field `birth`"]
    );
    assert_eq!(
        first_help(&rule("date", "person.birth_dat")).as_deref(),
        Some("did you mean `birth_date`?")
    );
    assert_eq!(
        first_help(&rule("date", "person.birth")).as_deref(),
        Some("the fields of `Person` are birth_date, form, passport, nick, stays, score")
    );
    assert_eq!(
        errors_in("date", "person.score.value"),
        ["Z0104 integer has no field `value`"]
    );
}

#[test]
fn a_field_of_an_optional_record_needs_a_presence_check() {
    assert_eq!(
        errors_in("text", "person.passport.number"),
        ["Z0203 `person.passport` may be absent"]
    );
}

#[test]
fn periods_and_reasons_have_fixed_fields() {
    assert_eq!(type_of("period(2026-01-01, 2026-02-01).start"), "date");
    assert_eq!(
        errors_in("date", "period(2026-01-01, 2026-02-01).middle"),
        ["Z0104 a period has no field `middle`"]
    );
}

#[test]
fn a_bare_enum_value_takes_its_type_from_the_context() {
    assert!(errors_in("Form", "electronic").is_empty());
    assert!(errors_in("bool", "person.form is paper").is_empty());
    assert_eq!(type_of("Form.paper"), "Form");
    assert_eq!(type_of("e_visa"), "Listing");
    assert_eq!(
        errors_in("bool", "person.form is elektronic"),
        ["Z0110 `elektronic` is not a value of `Form`"]
    );
    assert_eq!(
        first_help(&rule("bool", "person.form is elektronic")).as_deref(),
        Some("did you mean `electronic`?")
    );
}

#[test]
fn a_bare_value_of_several_enums_without_context_is_ambiguous() {
    assert_eq!(
        errors_in("bool", "paper"),
        ["Z0110 `paper` is a value of several enums"]
    );
    assert_eq!(
        first_help(&rule("bool", "paper")).as_deref(),
        Some("write `Form.paper` or `Listing.paper`")
    );
}

#[test]
fn facts_and_rules_are_refused_where_a_constant_is_needed() {
    let param = "parameter start: date cites law \"s\" {\n  from 2026-01-01: person.birth_date\n}";
    assert_eq!(
        errors(param),
        ["Z0201 facts of the case cannot be used here"]
    );
}

#[test]
fn only_a_parameter_is_taken_as_of_a_date() {
    assert_eq!(type_of("mci as of 2026-03-01"), "money");
    assert!(lowered("money", "mci as of 2026-03-01").starts_with("Param(0, Some("));
    assert_eq!(
        errors_in("date", "person.birth_date as of 2026-03-01"),
        ["Z0201 only a parameter can be taken as of a date"]
    );
    assert_eq!(
        errors_in("money", "nothing as of 2026-03-01"),
        ["Z0101 unknown parameter `nothing`"]
    );
}

#[test]
fn a_table_without_its_keys_is_not_a_value() {
    assert_eq!(
        errors_in("integer", "fee"),
        ["Z0111 table `fee` is looked up with its keys"]
    );
}
