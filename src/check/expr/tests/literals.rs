//! Literals: numbers, amounts, durations, `absent`, lists and records.

use super::{errors_in, first_help, lowered, rule, type_of};

#[test]
fn numbers_have_their_own_type_and_an_integer_widens_where_a_decimal_is_expected() {
    assert_eq!(type_of("16"), "integer");
    assert_eq!(type_of("0.5"), "decimal");
    assert_eq!(type_of("2026-03-10"), "date");
    assert_eq!(type_of("\"text\""), "text");
    assert!(
        lowered("decimal", "2").contains("Const(Decimal(2))"),
        "{}",
        lowered("decimal", "2")
    );
}

#[test]
fn an_amount_needs_a_known_currency() {
    assert_eq!(type_of("4325 KZT"), "money");
    assert_eq!(type_of("10 USD"), "money in USD");
    assert_eq!(
        errors_in("money", "30 XYZ"),
        ["Z0002 `XYZ` is not a currency"]
    );
    let help = first_help(&rule("money", "30 XYZ")).unwrap_or_default();
    assert!(help.starts_with("currencies are KZT, USD"), "{help}");
}

#[test]
fn an_amount_in_mci_is_refused_with_the_way_to_convert_it() {
    assert_eq!(
        errors_in("money", "30 MCI"),
        ["Z0002 `MCI` is not a currency"]
    );
    let help = first_help(&rule("money", "30 MCI")).unwrap_or_default();
    assert!(help.contains("`30 * mci`"), "{help}");
}

#[test]
fn weeks_and_years_are_counted_in_days_and_months() {
    let weeks = lowered("duration", "2 weeks");
    assert!(weeks.contains("amount: 14, unit: Days"), "{weeks}");
    let years = lowered("duration", "1 year");
    assert!(years.contains("amount: 12, unit: Months"), "{years}");
    assert_eq!(type_of("3 days"), "duration");
}

#[test]
fn working_days_name_a_known_calendar() {
    assert!(errors_in("duration", "3 working days in kz").is_empty());
    assert!(lowered("duration", "3 working days in kz").contains("calendar: Some(0)"));
    assert_eq!(
        errors_in("duration", "3 working days"),
        ["Z0701 working days must name the calendar they are counted in"]
    );
    assert_eq!(
        errors_in("duration", "3 working days in mars"),
        ["Z0101 unknown calendar `mars`"]
    );
}

#[test]
fn absent_is_a_value_only_where_an_optional_type_is_expected() {
    assert!(errors_in("date?", "absent").is_empty());
    assert_eq!(
        errors_in("date", "absent"),
        ["Z0201 `absent` is only a value of an optional type"]
    );
}

#[test]
fn a_list_takes_the_type_of_its_first_item_and_folds_when_constant() {
    assert_eq!(type_of("[1, 2]"), "list of integer");
    assert_eq!(
        errors_in("list of integer", "[1, \"two\"]"),
        ["Z0201 expected integer, found text"]
    );
    let list = lowered("list of decimal", "[1, 2.5]");
    assert!(list.starts_with("Const(List("), "{list}");
    assert!(lowered("list of integer", "[1, person.score]").starts_with("List(["));
}

#[test]
fn a_record_literal_needs_its_type_from_the_context() {
    assert!(errors_in("Passport", "{ number: \"N1\" }").is_empty());
    assert!(lowered("Passport", "{ number: \"N1\" }").starts_with("Const(Record("));
    assert_eq!(
        errors_in("bool", "{ number: \"N1\" } == { number: \"N2\" }"),
        ["Z0201 the type of this record is not known here"]
    );
}

#[test]
fn a_record_literal_has_every_required_field_and_no_other() {
    assert_eq!(
        errors_in("Passport", "{ expires_on: 2030-01-01 }"),
        ["Z0105 field `number` of `Passport` is missing"]
    );
    assert_eq!(
        errors_in("Passport", "{ number: \"N1\", numbr: \"N2\" }"),
        ["Z0104 `Passport` has no field `numbr`"]
    );
    assert_eq!(
        first_help(&rule("Passport", "{ number: \"N1\", numbr: \"N2\" }")).as_deref(),
        Some("did you mean `number`?")
    );
}
