//! What the operators and built-ins compute at their edges: overflow and impossible dates are
//! errors (never a panic, never wrap-around), rounding is half away from zero, and each
//! built-in's refusals say why.

#![allow(clippy::unwrap_used)]

use super::*;
use crate::time::calendar::{Calendar, CalendarSpec, WeekendRule};
use rust_decimal::prelude::FromStr;
use std::sync::Arc;

fn day(s: &str) -> Day {
    date::parse(s).unwrap()
}

fn d(s: &str) -> Value {
    Value::Date(day(s))
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn arith(op: ArithOp, a: Value, b: Value) -> Result<Value, OpError> {
    super::arith(&Program::default(), op, a, b)
}

fn call(b: Builtin, args: &[Value]) -> Result<Value, OpError> {
    builtin(&Program::default(), b, args)
}

fn message<T: std::fmt::Debug>(r: Result<T, OpError>) -> String {
    r.unwrap_err().message.into()
}

fn months(n: i64) -> Value {
    Value::Duration(Duration {
        amount: n,
        unit: DurationUnit::Months,
        calendar: None,
    })
}

/// One calendar, `weekdays` (Saturday and Sunday off, no holidays), compiled for 2026 only.
fn with_weekdays_calendar() -> Program {
    let spec = CalendarSpec {
        weekends: vec![WeekendRule {
            days: [false, false, false, false, false, true, true],
            from: None,
            until: None,
        }],
        ..CalendarSpec::default()
    };
    let mut p = Program::default();
    p.calendars.push(CalendarIr {
        name: "weekdays".into(),
        span: crate::source::Span::default(),
        calendar: Arc::new(Calendar::compile(&spec, 2026, 2026)),
        citations: Vec::new(),
    });
    p
}

#[test]
fn integer_overflow_is_an_error_not_a_wrap() {
    let max = Value::Integer(i64::MAX);
    for op in [ArithOp::Add, ArithOp::Mul] {
        assert_eq!(
            message(arith(op, max.clone(), Value::Integer(2))),
            "arithmetic overflow: the result is too large"
        );
    }
    assert!(arith(ArithOp::Sub, Value::Integer(i64::MIN), Value::Integer(1)).is_err());
    assert!(neg(Value::Integer(i64::MIN)).is_err());
    assert_eq!(neg(Value::Integer(i64::MAX)), Ok(Value::Integer(-i64::MAX)));
}

#[test]
fn decimal_and_money_overflow_is_an_error() {
    let big = Value::Money(Decimal::MAX);
    assert!(arith(ArithOp::Add, big.clone(), Value::Money(Decimal::MAX)).is_err());
    assert!(arith(ArithOp::Mul, big, Value::Integer(2)).is_err());
    assert!(arith(
        ArithOp::Mul,
        Value::Decimal(Decimal::MAX),
        Value::Decimal(dec("1.5"))
    )
    .is_err());
}

#[test]
fn division_is_exact_and_by_zero_is_an_error() {
    assert_eq!(
        arith(ArithOp::Div, Value::Integer(7), Value::Integer(2)),
        Ok(Value::Decimal(dec("3.5")))
    );
    // Money divided by money is a ratio; money divided by a number stays money.
    assert_eq!(
        arith(
            ArithOp::Div,
            Value::Money(dec("10")),
            Value::Money(dec("4"))
        ),
        Ok(Value::Decimal(dec("2.5")))
    );
    assert_eq!(
        arith(ArithOp::Div, Value::Money(dec("10")), Value::Integer(4)),
        Ok(Value::Money(dec("2.5")))
    );
    for zero in [Value::Integer(0), Value::Decimal(Decimal::ZERO)] {
        assert_eq!(
            message(arith(ArithOp::Div, Value::Money(dec("10")), zero)),
            "division by zero"
        );
    }
    assert_eq!(
        message(arith(ArithOp::Div, Value::Integer(1), Value::Integer(0))),
        "division by zero"
    );
}

#[test]
fn results_are_normalised_and_mixed_numbers_compare_equal() {
    // 1.50 + 1.50 is 3, not 3.00: a result has no trailing zeros.
    assert_eq!(
        arith(
            ArithOp::Add,
            Value::Decimal(dec("1.50")),
            Value::Decimal(dec("1.50"))
        ),
        Ok(Value::Decimal(dec("3")))
    );
    assert_eq!(
        compare(CmpOp::Eq, &Value::Integer(1), &Value::Decimal(dec("1.0"))),
        Ok(true)
    );
    assert_eq!(
        compare(CmpOp::Lt, &Value::Integer(1), &Value::Decimal(dec("1.5"))),
        Ok(true)
    );
}

#[test]
fn values_that_cannot_be_ordered_are_an_error() {
    let days = Value::Duration(Duration {
        amount: 30,
        unit: DurationUnit::Days,
        calendar: None,
    });
    assert!(compare(CmpOp::Lt, &days, &months(1)).is_err());
    assert_eq!(
        message(compare(
            CmpOp::Ge,
            &Value::Text("a".into()),
            &Value::Integer(1)
        )),
        "text and integer cannot be ordered"
    );
    // Equality never fails: different kinds are simply unequal.
    assert_eq!(
        compare(CmpOp::Ne, &Value::Text("a".into()), &Value::Integer(1)),
        Ok(true)
    );
}

#[test]
fn date_arithmetic_follows_the_end_of_month_rule_and_stays_in_range() {
    assert_eq!(
        arith(ArithOp::Add, d("2026-01-31"), months(1)),
        Ok(d("2026-02-28"))
    );
    assert_eq!(
        arith(ArithOp::Sub, d("2024-03-31"), months(1)),
        Ok(d("2024-02-29"))
    );
    assert_eq!(
        arith(ArithOp::Sub, d("2026-03-10"), d("2026-01-01")),
        Ok(Value::Integer(68))
    );
    assert_eq!(
        message(arith(ArithOp::Add, d("9999-12-31"), months(1))),
        "the resulting date is outside the years 0000 to 9999"
    );
    assert!(arith(ArithOp::Add, d("2026-01-01"), months(i64::MIN)).is_err());
}

#[test]
fn working_days_need_a_calendar_that_covers_the_date() {
    let p = with_weekdays_calendar();
    let working_days = |n| {
        Value::Duration(Duration {
            amount: n,
            unit: DurationUnit::WorkingDays,
            calendar: Some(0),
        })
    };
    // Friday 6 March 2026 plus one working day is Monday 9 March.
    assert_eq!(
        super::arith(&p, ArithOp::Add, d("2026-03-06"), working_days(1)),
        Ok(d("2026-03-09"))
    );
    assert_eq!(
        message(super::arith(
            &p,
            ArithOp::Add,
            d("2027-03-05"),
            working_days(1)
        )),
        "calendar `weekdays` covers the years 2026 to 2026; 2027-03-05 is outside them"
    );
    assert_eq!(
        message(arith(ArithOp::Add, d("2026-03-06"), working_days(1))),
        "working days without a calendar"
    );
    assert_eq!(
        builtin(
            &p,
            Builtin::IsWorkingDay,
            &[d("2026-03-07"), Value::Integer(0)]
        ),
        Ok(Value::Bool(false))
    );
    assert_eq!(
        message(builtin(
            &p,
            Builtin::IsWorkingDay,
            &[d("2026-03-07"), Value::Integer(1)]
        )),
        "unknown calendar"
    );
}

#[test]
fn absent_operands_and_mismatched_kinds_are_errors() {
    assert_eq!(
        message(arith(ArithOp::Add, Value::Absent, Value::Integer(1))),
        "a value needed for this calculation is absent"
    );
    assert_eq!(
        message(arith(
            ArithOp::Mul,
            Value::Text("a".into()),
            Value::Integer(2)
        )),
        "cannot compute text with integer"
    );
    assert_eq!(
        arith(
            ArithOp::Add,
            Value::Text("ab".into()),
            Value::Text("c".into())
        ),
        Ok(Value::Text("abc".into()))
    );
    assert_eq!(message(neg(Value::Bool(true))), "cannot negate bool");
}

#[test]
fn round_is_half_away_from_zero_within_28_places() {
    let round = |x: Value, places: i64| call(Builtin::Round, &[x, Value::Integer(places)]);
    assert_eq!(
        round(Value::Decimal(dec("2.5")), 0),
        Ok(Value::Decimal(dec("3")))
    );
    assert_eq!(
        round(Value::Decimal(dec("-2.5")), 0),
        Ok(Value::Decimal(dec("-3")))
    );
    assert_eq!(
        round(Value::Money(dec("2.345")), 2),
        Ok(Value::Money(dec("2.35")))
    );
    assert_eq!(
        round(Value::Decimal(dec("1.25")), 99),
        Ok(Value::Decimal(dec("1.25")))
    );
    assert_eq!(round(Value::Integer(7), 2), Ok(Value::Integer(7)));
    assert_eq!(
        message(round(Value::Decimal(dec("1.5")), -1)),
        "round takes 0 to 28 places"
    );
}

#[test]
fn dates_and_periods_are_refused_when_impossible() {
    assert_eq!(
        message(call(
            Builtin::Date,
            &[Value::Integer(2026), Value::Integer(2), Value::Integer(30)]
        )),
        "2026-2-30 is not a calendar date"
    );
    assert!(call(
        Builtin::Date,
        &[
            Value::Integer(i64::MAX),
            Value::Integer(1),
            Value::Integer(1)
        ]
    )
    .is_err());
    assert!(call(
        Builtin::Date,
        &[Value::Integer(2026), Value::Integer(-1), Value::Integer(1)]
    )
    .is_err());
    assert_eq!(
        message(call(Builtin::Period, &[d("2026-03-10"), d("2026-03-09")])),
        "a period cannot end (2026-03-09) before it starts (2026-03-10)"
    );
    let one_day = call(Builtin::Period, &[d("2026-03-10"), d("2026-03-10")]).unwrap();
    assert_eq!(call(Builtin::Days, &[one_day]), Ok(Value::Integer(1)));
}

#[test]
fn age_and_day_counts() {
    assert_eq!(
        call(Builtin::Age, &[d("2008-03-10"), d("2026-03-10")]),
        Ok(Value::Integer(18))
    );
    assert_eq!(
        call(Builtin::Age, &[d("2008-03-10"), d("2026-03-09")]),
        Ok(Value::Integer(17))
    );
    assert_eq!(
        message(call(Builtin::Age, &[d("2026-03-10"), d("2026-03-09")])),
        "the age is taken on a date before the birth date"
    );
    assert_eq!(
        call(Builtin::DaysBetween, &[d("2026-03-10"), d("2026-03-01")]),
        Ok(Value::Integer(-9))
    );
    assert_eq!(
        message(call(Builtin::Year, &[Value::Absent])),
        "a date needed here is absent"
    );
    assert_eq!(message(call(Builtin::Year, &[])), "missing argument");
}

#[test]
fn lists_min_max_and_value_or() {
    // An absent list counts as empty.
    assert_eq!(
        call(Builtin::Count, &[Value::Absent]),
        Ok(Value::Integer(0))
    );
    assert_eq!(
        call(Builtin::IsEmpty, &[Value::Absent]),
        Ok(Value::Bool(true))
    );
    let two: Arc<[Value]> = Arc::from(vec![Value::Integer(1), Value::Integer(2)]);
    assert_eq!(
        call(Builtin::Count, &[Value::List(two)]),
        Ok(Value::Integer(2))
    );
    // Mixed numbers compare by value and keep their own kind.
    let (one, one_and_half) = (Value::Integer(1), Value::Decimal(dec("1.5")));
    assert_eq!(
        call(Builtin::Min, &[one_and_half.clone(), one.clone()]),
        Ok(one.clone())
    );
    assert_eq!(
        call(Builtin::Max, &[one.clone(), one_and_half.clone()]),
        Ok(one_and_half)
    );
    assert!(call(Builtin::Max, &[one.clone(), Value::Text("a".into())]).is_err());
    assert_eq!(
        call(Builtin::ValueOr, &[Value::Absent, one.clone()]),
        Ok(one.clone())
    );
    assert_eq!(
        call(Builtin::ValueOr, &[Value::Integer(5), one]),
        Ok(Value::Integer(5))
    );
}

#[test]
fn reading_a_field_or_a_parameter_that_is_not_there() {
    let p = Program::default();
    assert_eq!(
        message(field(&p, Value::Absent, 0)),
        "a field of an absent record was read"
    );
    let record = Value::Record(Arc::from(vec![Value::Integer(1)]));
    assert_eq!(field(&p, record.clone(), 0), Ok(Value::Integer(1)));
    assert_eq!(field(&p, record, 5), Ok(Value::Absent));
    assert_eq!(
        message(field(&p, Value::Integer(1), 0)),
        "integer has no fields"
    );
    assert_eq!(
        message(param(&p, 0, day("2026-03-10"))),
        "unknown parameter"
    );
}

#[test]
fn parts_of_a_date_and_the_ends_of_its_month() {
    let int = |b, day: &str| call(b, &[d(day)]);
    assert_eq!(int(Builtin::Month, "2026-12-31"), Ok(Value::Integer(12)));
    assert_eq!(int(Builtin::Day, "2026-12-31"), Ok(Value::Integer(31)));
    // 2026-03-20 is a Friday: the fifth value of the weekday enum, Monday first.
    assert_eq!(int(Builtin::Weekday, "2026-03-20"), Ok(Value::Enum(4)));
    assert_eq!(int(Builtin::Weekday, "2026-03-22"), Ok(Value::Enum(6)));
    assert_eq!(
        int(Builtin::StartOfMonth, "2026-12-31"),
        Ok(d("2026-12-01"))
    );
    assert_eq!(int(Builtin::EndOfMonth, "2026-12-01"), Ok(d("2026-12-31")));
    // February: the 29th in a leap year (2024, 2000), the 28th otherwise (2025, 1900).
    assert_eq!(int(Builtin::EndOfMonth, "2024-02-10"), Ok(d("2024-02-29")));
    assert_eq!(int(Builtin::EndOfMonth, "2000-02-01"), Ok(d("2000-02-29")));
    assert_eq!(int(Builtin::EndOfMonth, "2025-02-28"), Ok(d("2025-02-28")));
    assert_eq!(int(Builtin::EndOfMonth, "1900-02-01"), Ok(d("1900-02-28")));
    assert_eq!(int(Builtin::EndOfMonth, "2026-04-01"), Ok(d("2026-04-30")));
    assert_eq!(
        message(call(Builtin::Month, &[Value::Absent])),
        "a date needed here is absent"
    );
}

#[test]
fn lists_join_in_order_and_the_least_keeps_the_first_of_equals() {
    let list = |xs: &[i64]| Value::List(xs.iter().map(|x| Value::Integer(*x)).collect());
    assert_eq!(
        arith(ArithOp::Add, list(&[3, 1]), list(&[2])),
        Ok(list(&[3, 1, 2]))
    );
    assert_eq!(arith(ArithOp::Add, list(&[]), list(&[])), Ok(list(&[])));
    let least = |a, b| least_or_greatest(true, a, b);
    let greatest = |a, b| least_or_greatest(false, a, b);
    assert_eq!(
        least(Value::Integer(2), Value::Integer(1)),
        Ok(Value::Integer(1))
    );
    assert_eq!(
        greatest(Value::Integer(2), Value::Integer(1)),
        Ok(Value::Integer(2))
    );
    assert_eq!(least(d("2026-01-02"), d("2026-01-01")), Ok(d("2026-01-01")));
    // An integer and a decimal of equal value: the first is kept, as it was.
    let two = Value::Decimal(Decimal::from(2));
    assert_eq!(greatest(Value::Integer(2), two), Ok(Value::Integer(2)));
    assert!(least(Value::Text("a".into()), Value::Text("b".into())).is_err());
}
