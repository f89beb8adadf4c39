//! Values as a person reads them, for the text reports (`zan eval --format text`, the
//! explanation and `zan test` failures): money `648,750.00 KZT`, dates `2026-03-17 (Tue)`,
//! durations as the language writes them (`30 days`, `5 working days in kazakhstan`), enum
//! values by name, lists and records in the language's literal syntax, text in double quotes
//! and `absent`. JSON output has its own renderer (`output::value_json`).

use crate::ir::*;
use crate::time::date;
use crate::value::{DurationUnit, Value};
use rust_decimal::Decimal;

/// A value as a person reads it, using its type for enum names, record fields and currencies.
pub fn value_text(rb: &Rulebook, p: &Program, ty: &Type, v: &Value) -> String {
    match (v, ty) {
        (Value::Absent, _) => "absent".into(),
        // A present optional value is shown as the value itself.
        (_, Type::Optional(inner)) => value_text(rb, p, inner, v),
        (Value::Bool(b), _) => b.to_string(),
        (Value::Integer(n), _) => n.to_string(),
        (Value::Decimal(d), _) => d.normalize().to_string(),
        (Value::Money(d), Type::Money(c)) => format!("{} {c}", money_grouped(*d)),
        (Value::Money(d), _) => format!("{} KZT", money_grouped(*d)),
        (Value::Date(d), _) => date_text(*d),
        (Value::Duration(d), _) => {
            let one = d.amount == 1 || d.amount == -1;
            let unit = match (d.unit, one) {
                (DurationUnit::Days, true) => "day",
                (DurationUnit::Days, false) => "days",
                (DurationUnit::Months, true) => "month",
                (DurationUnit::Months, false) => "months",
                (DurationUnit::WorkingDays, true) => "working day",
                (DurationUnit::WorkingDays, false) => "working days",
            };
            let calendar = d
                .calendar
                .and_then(|c| p.calendars.get(c as usize))
                .map_or(String::new(), |c| format!(" in {}", c.name));
            format!("{} {unit}{calendar}", d.amount)
        }
        (Value::Text(t), _) => quoted(t),
        (Value::Period(per), _) => {
            format!("period({}, {})", date_text(per.start), date_text(per.end))
        }
        (Value::Enum(i), Type::Enum(e)) => rb
            .schema
            .variant_name(*e, *i)
            .map_or_else(|| i.to_string(), str::to_string),
        (Value::Enum(i), _) => i.to_string(),
        (Value::Record(fields), Type::Record(r)) => {
            let Some(info) = rb.schema.records.get(*r as usize) else {
                return "{}".into();
            };
            let parts: Vec<String> = info
                .fields
                .iter()
                .zip(fields.iter())
                .map(|(f, v)| format!("{}: {}", f.name, value_text(rb, p, &f.ty, v)))
                .collect();
            if parts.is_empty() {
                "{}".into()
            } else {
                format!("{{ {} }}", parts.join(", "))
            }
        }
        (Value::Record(_), _) => "{}".into(),
        (Value::List(items), _) => {
            let t = match ty {
                Type::List(t) => &**t,
                _ => &Type::Error,
            };
            let parts: Vec<String> = items.iter().map(|i| value_text(rb, p, t, i)).collect();
            format!("[{}]", parts.join(", "))
        }
        (Value::Reason(rule, item), _) => reason_text(p, *rule, *item as usize),
    }
}

/// A date with its weekday: `2026-03-17 (Tue)`.
pub fn date_text(d: date::Day) -> String {
    // `tuesday` → `Tue`: the weekday's one name, abbreviated.
    let name = date::weekday(d).name();
    let w = format!("{}{}", name[..1].to_uppercase(), &name[1..3]);
    format!("{} ({w})", date::format(d))
}

/// An amount with thousands separated by commas and at least two decimals: `-1,234,567.50`.
pub fn money_grouped(d: Decimal) -> String {
    let plain = super::output::money_text(d);
    let (sign, digits) = match plain.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", plain.as_str()),
    };
    let (whole, frac) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// Text in double quotes, with `"` and `\` escaped as in the language's string literals.
pub(crate) fn quoted(t: &str) -> String {
    let mut s = String::with_capacity(t.len() + 2);
    s.push('"');
    for c in t.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

/// A reason as `CODE: message`.
fn reason_text(p: &Program, rule: RuleId, item: usize) -> String {
    p.reason(rule, item)
        .map_or_else(|| "?".into(), |r| format!("{}: {}", r.code, r.message))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::source::SourceMap;
    use crate::value::Duration;
    use std::str::FromStr;
    use std::sync::Arc;

    fn rulebook() -> Rulebook {
        let mut map = SourceMap::new();
        map.add(
            "t.zan",
            r#"
rulebook t { title "T" }
source law { title "A law" }
calendar kazakhstan cites law "working days" {
  weekend saturday, sunday
}
enum Kind { single, multiple }
record Fee { name: text, amount: money, due: date?, tags: list of Kind }
fact visits: integer
output rule n: integer cites law "n" { visits }
"#,
        );
        match crate::check(&map).rulebook {
            Some(rb) => rb,
            None => unreachable!("the test rulebook checks"),
        }
    }

    fn show(ty: &Type, v: &Value) -> String {
        let rb = rulebook();
        let Some(version) = rb.versions.first() else {
            unreachable!("one version")
        };
        value_text(&rb, &version.program, ty, v)
    }

    fn money(s: &str) -> Value {
        Value::Money(Decimal::from_str(s).unwrap())
    }

    fn kzt() -> Type {
        Type::Money("KZT".into())
    }

    fn day(s: &str) -> Value {
        Value::Date(date::parse(s).unwrap())
    }

    #[test]
    fn money_has_thousands_two_decimals_and_the_currency_after() {
        assert_eq!(show(&kzt(), &money("648750")), "648,750.00 KZT");
        assert_eq!(show(&kzt(), &money("1234567.5")), "1,234,567.50 KZT");
        assert_eq!(show(&kzt(), &money("100")), "100.00 KZT");
        assert_eq!(show(&kzt(), &money("999.999")), "999.999 KZT");
        assert_eq!(
            show(&Type::Money("USD".into()), &money("1000")),
            "1,000.00 USD"
        );
    }

    #[test]
    fn negative_and_zero_money() {
        assert_eq!(show(&kzt(), &money("-1500")), "-1,500.00 KZT");
        assert_eq!(show(&kzt(), &money("-999")), "-999.00 KZT");
        assert_eq!(show(&kzt(), &money("-123456.7")), "-123,456.70 KZT");
        assert_eq!(show(&kzt(), &money("0")), "0.00 KZT");
    }

    #[test]
    fn decimals_keep_their_places_without_quotes() {
        let d = |s: &str| Value::Decimal(Decimal::from_str(s).unwrap());
        assert_eq!(show(&Type::Decimal, &d("0.123456789")), "0.123456789");
        assert_eq!(show(&Type::Decimal, &d("0.50")), "0.5");
        assert_eq!(show(&Type::Decimal, &d("12345.6789")), "12345.6789");
        assert_eq!(show(&Type::Integer, &Value::Integer(-42)), "-42");
        assert_eq!(show(&Type::Bool, &Value::Bool(true)), "true");
        assert_eq!(show(&Type::Bool, &Value::Bool(false)), "false");
    }

    #[test]
    fn dates_show_their_weekday() {
        assert_eq!(show(&Type::Date, &day("2026-03-17")), "2026-03-17 (Tue)");
        assert_eq!(show(&Type::Date, &day("2026-03-22")), "2026-03-22 (Sun)");
        assert_eq!(show(&Type::Date, &day("2024-02-29")), "2024-02-29 (Thu)");
        let p = Value::Period(crate::time::period::Period {
            start: date::parse("2026-01-01").unwrap(),
            end: date::parse("2026-01-31").unwrap(),
        });
        assert_eq!(
            show(&Type::Period, &p),
            "period(2026-01-01 (Thu), 2026-01-31 (Sat))"
        );
    }

    #[test]
    fn durations_as_the_language_writes_them() {
        let dur = |amount, unit, calendar| {
            Value::Duration(Duration {
                amount,
                unit,
                calendar,
            })
        };
        let t = Type::Duration;
        assert_eq!(show(&t, &dur(30, DurationUnit::Days, None)), "30 days");
        assert_eq!(show(&t, &dur(1, DurationUnit::Days, None)), "1 day");
        assert_eq!(show(&t, &dur(3, DurationUnit::Months, None)), "3 months");
        assert_eq!(show(&t, &dur(1, DurationUnit::Months, None)), "1 month");
        assert_eq!(
            show(&t, &dur(5, DurationUnit::WorkingDays, Some(0))),
            "5 working days in kazakhstan"
        );
        assert_eq!(
            show(&t, &dur(1, DurationUnit::WorkingDays, Some(0))),
            "1 working day in kazakhstan"
        );
        assert_eq!(
            show(&t, &dur(5, DurationUnit::WorkingDays, None)),
            "5 working days"
        );
    }

    #[test]
    fn enums_by_name_and_text_in_double_quotes() {
        assert_eq!(show(&Type::Enum(0), &Value::Enum(1)), "multiple");
        assert_eq!(
            show(&Type::Optional(Box::new(Type::Enum(0))), &Value::Enum(0)),
            "single"
        );
        assert_eq!(
            show(
                &Type::Text,
                &Value::Text(Arc::from(r#"the "70 MCI" erratum \ here"#))
            ),
            r#""the \"70 MCI\" erratum \\ here""#
        );
    }

    #[test]
    fn absent_is_the_word_absent() {
        assert_eq!(
            show(&Type::Optional(Box::new(Type::Date)), &Value::Absent),
            "absent"
        );
        assert_eq!(show(&Type::Date, &Value::Absent), "absent");
    }

    #[test]
    fn a_nested_list_of_records_in_literal_syntax() {
        let fee = |name: &str, amount: &str, due: Value, tags: Vec<Value>| {
            Value::Record(Arc::from(vec![
                Value::Text(Arc::from(name)),
                money(amount),
                due,
                Value::List(Arc::from(tags)),
            ]))
        };
        let list = Value::List(Arc::from(vec![
            fee("duty", "129750", day("2026-03-17"), vec![Value::Enum(0)]),
            fee("fine", "0", Value::Absent, vec![]),
        ]));
        let ty = Type::List(Box::new(Type::Record(0)));
        assert_eq!(
            show(&ty, &list),
            "[{ name: \"duty\", amount: 129,750.00 KZT, due: 2026-03-17 (Tue), tags: [single] }, \
             { name: \"fine\", amount: 0.00 KZT, due: absent, tags: [] }]"
        );
        assert_eq!(show(&ty, &Value::List(Arc::from(vec![]))), "[]");
        let nested = Value::List(Arc::from(vec![Value::List(Arc::from(vec![
            Value::Integer(1),
            Value::Integer(2),
        ]))]));
        let nested_ty = Type::List(Box::new(Type::List(Box::new(Type::Integer))));
        assert_eq!(show(&nested_ty, &nested), "[[1, 2]]");
    }
}
