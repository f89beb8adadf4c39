//! The values of literals and their errors: dates and recurring month-days, decimals and
//! amounts, durations, string escapes and doc comments.

use super::Lower;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast::*;
use crate::syntax::Rule;
use crate::time::date;
use pest::iterators::Pair;
use rust_decimal::Decimal;

impl Lower {
    pub(super) fn date(&mut self, p: &Pair<Rule>) -> date::Day {
        match date::parse(p.as_str()) {
            Some(d) => d,
            None => {
                let span = self.span(p);
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::InvalidLiteral,
                        span,
                        format!("`{}` is not a calendar date", p.as_str()),
                    )
                    .label("no such day")
                    .help("dates are written year-month-day and must exist, such as 2026-03-10"),
                );
                0
            }
        }
    }

    pub(super) fn month_day(&mut self, p: &Pair<Rule>) -> (u32, u32) {
        let s = p.as_str();
        let month = s.get(0..2).and_then(|m| m.parse::<u32>().ok()).unwrap_or(0);
        let day = s.get(3..5).and_then(|d| d.parse::<u32>().ok()).unwrap_or(0);
        // 2000 is a leap year, so 02-29 is accepted as a recurring date.
        if date::from_ymd(2000, month, day).is_none() {
            let span = self.span(p);
            self.diagnostics.push(
                Diagnostic::new(
                    Code::InvalidLiteral,
                    span,
                    format!("`{s}` is not a day of the year"),
                )
                .help("recurring dates are written month-day, such as 03-21"),
            );
        }
        (month, day)
    }

    pub(super) fn invalid(&mut self, span: Span, message: &str, help: &str) -> ExprKind {
        self.diagnostics
            .push(Diagnostic::new(Code::InvalidLiteral, span, message).help(help));
        ExprKind::Invalid
    }

    pub(super) fn decimal(
        &mut self,
        text: &str,
        span: Span,
        make: impl FnOnce(Decimal) -> ExprKind,
    ) -> ExprKind {
        // `from_str` would round a 29th fractional digit away (0.00000000000000000000000000001
        // would read as 0); `from_str_exact` refuses any literal it cannot hold exactly.
        match Decimal::from_str_exact(text) {
            Ok(d) => make(d),
            Err(rust_decimal::Error::Underflow) => self.invalid(
                span,
                "this number has more digits after the decimal point than can be kept",
                "decimals and amounts keep at most 28 digits after the point; write the value rounded",
            ),
            Err(_) => self.invalid(
                span,
                "this amount has too many digits",
                "amounts keep at most 28 significant digits",
            ),
        }
    }

    pub(super) fn duration(&mut self, p: Pair<Rule>) -> ExprKind {
        let span = self.span(&p);
        let mut amount = None;
        let mut unit = None;
        let mut calendar = None;
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::integer_lit => amount = x.as_str().parse::<i64>().ok(),
                Rule::working_days => unit = Some(DurationUnit::WorkingDays),
                Rule::calendar_ref => {
                    calendar = x
                        .into_inner()
                        .find(|c| c.as_rule() == Rule::ident)
                        .map(|c| self.ident(&c))
                }
                Rule::duration_unit => {
                    unit = Some(match x.as_str().trim_end_matches('s') {
                        "day" => DurationUnit::Days,
                        "week" => DurationUnit::Weeks,
                        "month" => DurationUnit::Months,
                        _ => DurationUnit::Years,
                    })
                }
                _ => {}
            }
        }
        match (amount, unit) {
            (Some(amount), Some(unit)) => ExprKind::Duration {
                amount,
                unit,
                calendar,
            },
            (None, _) => self.invalid(
                span,
                "this number is too large",
                "durations count at most 9223372036854775807 units",
            ),
            _ => ExprKind::Invalid,
        }
    }
}

pub(super) fn doc_text(p: &Pair<Rule>) -> String {
    let s = p.as_str().trim_start_matches("///");
    s.strip_prefix(' ').unwrap_or(s).trim_end().to_string()
}

pub(super) fn join_docs(docs: Vec<String>) -> Option<String> {
    if docs.is_empty() {
        None
    } else {
        Some(docs.join("\n"))
    }
}

/// The value of a string literal with its escapes resolved.
pub(super) fn string_value(p: &Pair<Rule>) -> String {
    let raw = p.as_str();
    let inner = raw
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(raw);
    if !inner.contains('\\') {
        return inner.to_string();
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::super::test_support::{declaration, expr};
    use crate::diagnostics::Code;
    use crate::syntax::ast::*;
    use crate::time::date;
    use rust_decimal::Decimal;

    /// The one diagnostic of lowering `text`, as its code and message.
    fn refused(text: &str) -> (Code, String) {
        let (e, diagnostics) = expr(text);
        assert!(matches!(e.kind, ExprKind::Invalid), "{text}: {e:?}");
        assert_eq!(diagnostics.len(), 1, "{text}: {diagnostics:?}");
        (diagnostics[0].code, diagnostics[0].message.clone())
    }

    #[test]
    fn dates_must_exist() {
        let (e, diagnostics) = expr("2024-02-29");
        assert!(diagnostics.is_empty());
        assert!(matches!(e.kind, ExprKind::Date(d) if Some(d) == date::parse("2024-02-29")));
        let (code, message) = refused("2026-02-29");
        assert_eq!(code, Code::InvalidLiteral);
        assert_eq!(message, "`2026-02-29` is not a calendar date");
    }

    #[test]
    fn numbers_and_amounts_are_exact_or_refused() {
        let (e, _) = expr("12.50 KZT");
        let ExprKind::Money(amount, currency) = e.kind else {
            panic!("{e:?}")
        };
        assert_eq!(
            (amount, currency.name.as_str()),
            (Decimal::new(1250, 2), "KZT")
        );
        let (e, _) = expr("0.1");
        assert!(matches!(e.kind, ExprKind::Decimal(d) if d == Decimal::new(1, 1)));
        let (e, _) = expr("9223372036854775807");
        assert!(matches!(e.kind, ExprKind::Integer(i64::MAX)));
        let (code, message) = refused("9223372036854775808");
        assert_eq!(
            (code, message.as_str()),
            (Code::InvalidLiteral, "this number is too large")
        );
        let (_, message) = refused("0.00000000000000000000000000001");
        assert!(message.contains("after the decimal point"), "{message}");
        let (_, message) = refused("100000000000000000000000000000 KZT");
        assert_eq!(message, "this amount has too many digits");
    }

    #[test]
    fn durations_name_their_unit() {
        let (e, _) = expr("3 working days in work");
        let ExprKind::Duration {
            amount,
            unit,
            calendar,
        } = e.kind
        else {
            panic!("{e:?}")
        };
        assert_eq!((amount, unit), (3, DurationUnit::WorkingDays));
        assert_eq!(calendar.map(|c| c.name).as_deref(), Some("work"));
        for (text, expected) in [
            ("1 day", DurationUnit::Days),
            ("2 weeks", DurationUnit::Weeks),
            ("1 month", DurationUnit::Months),
            ("5 years", DurationUnit::Years),
        ] {
            let (e, _) = expr(text);
            assert!(
                matches!(e.kind, ExprKind::Duration { unit, .. } if unit == expected),
                "{text}"
            );
        }
        let (_, message) = refused("99999999999999999999 days");
        assert_eq!(message, "this number is too large");
    }

    #[test]
    fn string_escapes_are_resolved() {
        let (e, _) = expr(r#""a\"b\\c\nd\te\q""#);
        assert!(
            matches!(e.kind, ExprKind::Text(ref t) if t == "a\"b\\c\nd\teq"),
            "{e:?}"
        );
        let (e, _) = expr(r#""Қазақстан""#);
        assert!(matches!(e.kind, ExprKind::Text(ref t) if t == "Қазақстан"));
    }

    #[test]
    fn recurring_days_must_exist_in_a_leap_year() {
        let d = declaration("calendar c {\n  holiday \"Leap\" every 02-29\n}\n");
        let DeclKind::Calendar(c) = d.kind else {
            panic!("{:?}", d.kind)
        };
        assert!(matches!(
            c.entries[0].kind,
            CalendarEntryKind::Holiday {
                when: HolidayWhen::Every { month: 2, day: 29 },
                ..
            }
        ));
        let (_, diagnostics) =
            super::super::test_support::lower("calendar c {\n  holiday \"No\" every 02-30\n}\n");
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert_eq!(diagnostics[0].message, "`02-30` is not a day of the year");
    }
}
