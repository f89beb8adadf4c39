//! `is present` / `is absent`, and the paths a condition proves present.

use super::{errors, errors_in, lowered};

#[test]
fn presence_is_tested_on_optional_values_only() {
    assert!(errors_in("bool", "person.nick is present").is_empty());
    assert!(errors_in("bool", "person.passport is absent").is_empty());
    assert_eq!(
        errors_in("bool", "person.birth_date is present"),
        ["Z0201 `person.birth_date` is never absent"]
    );
    assert!(lowered("bool", "person.nick is absent").starts_with("IsPresent("));
}

#[test]
fn an_optional_value_is_refused_where_a_value_is_required() {
    assert_eq!(
        errors_in("text", "person.nick"),
        ["Z0203 `person.nick` may be absent"]
    );
    assert_eq!(
        errors_in("bool", "person.nick == \"a\""),
        ["Z0203 `person.nick` may be absent"]
    );
}

#[test]
fn the_right_of_and_sees_what_the_left_proves_present() {
    assert!(errors_in("bool", "person.nick is present and person.nick == \"a\"").is_empty());
    assert!(errors_in(
        "bool",
        "person.passport is present and person.passport.number == \"N1\""
    )
    .is_empty());
    let unwrapped = lowered("bool", "person.nick is present and person.nick == \"a\"");
    assert!(unwrapped.contains("Unwrap("), "{unwrapped}");
}

#[test]
fn the_right_of_or_sees_what_the_left_being_false_proves_present() {
    assert!(errors_in("bool", "person.nick is absent or person.nick == \"a\"").is_empty());
    assert!(errors_in(
        "bool",
        "not (person.nick is present) or person.nick == \"a\""
    )
    .is_empty());
    assert_eq!(
        errors_in("bool", "person.nick is present or person.nick == \"a\""),
        ["Z0203 `person.nick` may be absent"]
    );
}

#[test]
fn a_case_condition_and_an_if_narrow_their_value_but_not_beyond() {
    let cases = "output rule probe: text cites law \"p\" {\n  when person.nick is present then person.nick\n  otherwise \"none\"\n}";
    assert!(errors(cases).is_empty(), "{:?}", errors(cases));
    assert!(errors_in(
        "text",
        "if person.nick is present then person.nick else \"none\""
    )
    .is_empty());
    assert!(errors_in(
        "text",
        "if person.nick is absent then \"none\" else person.nick"
    )
    .is_empty());
    assert_eq!(
        errors_in(
            "bool",
            "(person.nick is present and true) and (true or person.nick == \"a\")"
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        errors_in(
            "bool",
            "(person.nick is present or true) and person.nick == \"a\""
        ),
        ["Z0203 `person.nick` may be absent"]
    );
}
