//! Operations on values: comparison, exact arithmetic, date arithmetic and the built-in
//! functions. Overflow and impossible dates are errors, never wrap-around.
//!
//! The meaning of the language's operators and built-ins, in one place below their users:
//! the evaluator (`eval`) and the reference evaluator (`eval::reference`) compute with it, and
//! the checker (`check`) folds constant calls such as `date(2026, 3, 10)` with it.

use crate::ir::*;
use crate::time::date::{self, Day};
use crate::time::period::{self, Period};
use crate::value::{Duration, DurationUnit, Value};
use rust_decimal::{Decimal, RoundingStrategy};
use std::cmp::Ordering;

/// Why an operation has no value: an overflow, an impossible date, a value of the wrong
/// kind... Each user adds its own context (the evaluator the rule and the span, the checker
/// a diagnostic at the literal).
#[derive(Clone, Debug, PartialEq)]
pub struct OpError {
    pub message: Box<str>,
}

impl OpError {
    pub fn new(message: impl Into<String>) -> OpError {
        OpError {
            message: message.into().into_boxed_str(),
        }
    }
}

impl std::fmt::Display for OpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

pub fn field(p: &Program, v: Value, i: u32) -> Result<Value, OpError> {
    match v {
        Value::Record(fields) => Ok(fields.get(i as usize).cloned().unwrap_or(Value::Absent)),
        Value::Reason(rule, item) => {
            let r = p.rules.get(rule as usize).and_then(|r| match &r.body {
                RuleBodyIr::Reasons(items) => items.get(item as usize),
                RuleBodyIr::Definition(_) => None,
            });
            let r = r.ok_or_else(|| OpError::new("unknown reason"))?;
            Ok(Value::Text(if i == 0 {
                r.code.as_str().into()
            } else {
                r.message.as_str().into()
            }))
        }
        Value::Absent => Err(OpError::new("a field of an absent record was read")),
        other => Err(OpError::new(format!("{} has no fields", other.kind_name()))),
    }
}

pub fn param(p: &Program, id: ParamId, day: Day) -> Result<Value, OpError> {
    let param = p
        .params
        .get(id as usize)
        .ok_or_else(|| OpError::new("unknown parameter"))?;
    match param.index_on(day).and_then(|i| param.values.get(i)) {
        Some((_, v)) => Ok(v.clone()),
        None => Err(OpError::new(format!(
            "parameter `{}` has no value in force on {}",
            param.name,
            date::format(day)
        ))),
    }
}

pub fn neg(v: Value) -> Result<Value, OpError> {
    Ok(match v {
        Value::Integer(n) => Value::Integer(n.checked_neg().ok_or_else(overflow)?),
        Value::Decimal(d) => Value::Decimal(-d),
        Value::Money(d) => Value::Money(-d),
        other => return Err(OpError::new(format!("cannot negate {}", other.kind_name()))),
    })
}

fn overflow() -> OpError {
    OpError::new("arithmetic overflow: the result is too large")
}

fn decimal_of(v: &Value) -> Option<Decimal> {
    match v {
        Value::Integer(n) => Some(Decimal::from(*n)),
        Value::Decimal(d) => Some(*d),
        _ => None,
    }
}

pub fn compare(op: CmpOp, a: &Value, b: &Value) -> Result<bool, OpError> {
    if matches!(op, CmpOp::Eq | CmpOp::Ne) {
        let eq = match (a, b) {
            (Value::Integer(_) | Value::Decimal(_), Value::Integer(_) | Value::Decimal(_)) => {
                decimal_of(a) == decimal_of(b)
            }
            _ => a == b,
        };
        return Ok(eq == (op == CmpOp::Eq));
    }
    let ord = order(a, b)?;
    Ok(match op {
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        _ => ord != Ordering::Less,
    })
}

fn order(a: &Value, b: &Value) -> Result<Ordering, OpError> {
    match (a, b) {
        (Value::Integer(x), Value::Integer(y)) => Ok(x.cmp(y)),
        (Value::Money(x), Value::Money(y)) => Ok(x.cmp(y)),
        (Value::Date(x), Value::Date(y)) => Ok(x.cmp(y)),
        (Value::Duration(x), Value::Duration(y))
            if x.unit == y.unit && x.calendar == y.calendar =>
        {
            Ok(x.amount.cmp(&y.amount))
        }
        (Value::Duration(_), Value::Duration(_)) => Err(OpError::new(
            "durations in different units (days, months, working days) cannot be compared",
        )),
        _ => match (decimal_of(a), decimal_of(b)) {
            (Some(x), Some(y)) => Ok(x.cmp(&y)),
            _ => Err(OpError::new(format!(
                "{} and {} cannot be ordered",
                a.kind_name(),
                b.kind_name()
            ))),
        },
    }
}

/// `min x in L of E` / `max x in L of E` one item at a time: the least (or greatest) of the
/// value so far and the next; of equal values the first is kept.
pub fn least_or_greatest(least: bool, so_far: Value, next: Value) -> Result<Value, OpError> {
    let replace = match order(&next, &so_far)? {
        Ordering::Less => least,
        Ordering::Greater => !least,
        Ordering::Equal => false,
    };
    Ok(if replace { next } else { so_far })
}

/// The first (or last) day of the month of `d`: the last is the 28th, 29th, 30th or 31st, by
/// the month and, for February, the year.
fn month_end(d: Day, last: bool) -> Result<Day, OpError> {
    let (y, m, _) = date::to_ymd(d);
    let day_of_month = if last { date::days_in_month(y, m) } else { 1 };
    date::from_ymd(y, m, day_of_month)
        .ok_or_else(|| OpError::new(format!("{y}-{m:02} has no day {day_of_month}")))
}

fn dec(op: ArithOp, x: Decimal, y: Decimal) -> Result<Decimal, OpError> {
    match op {
        ArithOp::Add => x.checked_add(y),
        ArithOp::Sub => x.checked_sub(y),
        ArithOp::Mul => x.checked_mul(y),
        ArithOp::Div => {
            if y.is_zero() {
                return Err(OpError::new("division by zero"));
            }
            x.checked_div(y)
        }
    }
    .map(|d| d.normalize())
    .ok_or_else(overflow)
}

pub fn arith(p: &Program, op: ArithOp, a: Value, b: Value) -> Result<Value, OpError> {
    use Value::*;
    Ok(match (op, a, b) {
        (ArithOp::Div, Integer(x), Integer(y)) => Decimal(dec(op, x.into(), y.into())?),
        (_, Integer(x), Integer(y)) => Integer(
            match op {
                ArithOp::Add => x.checked_add(y),
                ArithOp::Sub => x.checked_sub(y),
                _ => x.checked_mul(y),
            }
            .ok_or_else(overflow)?,
        ),
        (_, Money(x), Money(y)) if op == ArithOp::Div => Decimal(dec(op, x, y)?),
        (_, Money(x), Money(y)) => Money(dec(op, x, y)?),
        (_, Money(x), y @ (Integer(_) | Decimal(_))) => {
            Money(dec(op, x, decimal_of(&y).unwrap_or_default())?)
        }
        (_, x @ (Integer(_) | Decimal(_)), Money(y)) => {
            Money(dec(op, decimal_of(&x).unwrap_or_default(), y)?)
        }
        (_, x @ (Integer(_) | Decimal(_)), y @ (Integer(_) | Decimal(_))) => Decimal(dec(
            op,
            decimal_of(&x).unwrap_or_default(),
            decimal_of(&y).unwrap_or_default(),
        )?),
        (ArithOp::Add, Date(d), Duration(u)) | (ArithOp::Add, Duration(u), Date(d)) => {
            Date(shift(p, d, u, 1)?)
        }
        (ArithOp::Sub, Date(d), Duration(u)) => Date(shift(p, d, u, -1)?),
        (ArithOp::Sub, Date(x), Date(y)) => Integer(i64::from(x) - i64::from(y)),
        (ArithOp::Add, Text(x), Text(y)) => Text(format!("{x}{y}").into()),
        (ArithOp::Add, List(x), List(y)) => List(x.iter().chain(y.iter()).cloned().collect()),
        (_, Absent, _) | (_, _, Absent) => {
            return Err(OpError::new(
                "a value needed for this calculation is absent",
            ))
        }
        (_, x, y) => {
            return Err(OpError::new(format!(
                "cannot compute {} with {}",
                x.kind_name(),
                y.kind_name()
            )))
        }
    })
}

/// Move a date by a duration: calendar days, months (end-of-month rule), or working days
/// counted in the duration's calendar.
fn shift(p: &Program, d: Day, u: Duration, sign: i64) -> Result<Day, OpError> {
    let n = u.amount.checked_mul(sign).ok_or_else(overflow)?;
    let out = match u.unit {
        DurationUnit::Days => date::add_days(d, n),
        DurationUnit::Months => date::add_months(d, n),
        DurationUnit::WorkingDays => {
            let cal = u
                .calendar
                .and_then(|c| p.calendars.get(c as usize))
                .ok_or_else(|| OpError::new("working days without a calendar"))?;
            return cal
                .calendar
                .add_working_days(d, n)
                .map_err(|e| out_of_calendar(&cal.name, &e));
        }
    };
    out.ok_or_else(|| OpError::new("the resulting date is outside the years 0000 to 9999"))
}

fn out_of_calendar(name: &str, e: &crate::time::calendar::OutOfRange) -> OpError {
    OpError::new(format!(
        "calendar `{name}` covers the years {} to {}; {} is outside them",
        e.first_year,
        e.last_year,
        date::format(e.day)
    ))
}

fn int(v: &Value) -> Result<i64, OpError> {
    match v {
        Value::Integer(n) => Ok(*n),
        other => Err(OpError::new(format!(
            "expected an integer, found {}",
            other.kind_name()
        ))),
    }
}

fn day(v: &Value) -> Result<Day, OpError> {
    match v {
        Value::Date(d) => Ok(*d),
        Value::Absent => Err(OpError::new("a date needed here is absent")),
        other => Err(OpError::new(format!(
            "expected a date, found {}",
            other.kind_name()
        ))),
    }
}

fn per(v: &Value) -> Result<Period, OpError> {
    match v {
        Value::Period(p) => Ok(*p),
        other => Err(OpError::new(format!(
            "expected a period, found {}",
            other.kind_name()
        ))),
    }
}

fn periods(v: &Value) -> Result<Vec<Period>, OpError> {
    match v {
        Value::List(items) => items.iter().map(per).collect(),
        Value::Absent => Ok(Vec::new()),
        other => Err(OpError::new(format!(
            "expected a list of periods, found {}",
            other.kind_name()
        ))),
    }
}

fn calendar<'p>(p: &'p Program, v: &Value) -> Result<&'p CalendarIr, OpError> {
    let i = int(v)?;
    usize::try_from(i)
        .ok()
        .and_then(|i| p.calendars.get(i))
        .ok_or_else(|| OpError::new("unknown calendar"))
}

pub fn builtin(p: &Program, b: Builtin, a: &[Value]) -> Result<Value, OpError> {
    let arg = |i: usize| a.get(i).ok_or_else(|| OpError::new("missing argument"));
    Ok(match b {
        Builtin::Age => {
            let (birth, on) = (day(arg(0)?)?, day(arg(1)?)?);
            Value::Integer(
                date::age_in_years(birth, on).ok_or_else(|| {
                    OpError::new("the age is taken on a date before the birth date")
                })?,
            )
        }
        Builtin::DaysBetween => Value::Integer(i64::from(day(arg(1)?)?) - i64::from(day(arg(0)?)?)),
        Builtin::Period => {
            let (s, e) = (day(arg(0)?)?, day(arg(1)?)?);
            if e < s {
                return Err(OpError::new(format!(
                    "a period cannot end ({}) before it starts ({})",
                    date::format(e),
                    date::format(s)
                )));
            }
            Value::Period(Period { start: s, end: e })
        }
        Builtin::Start => Value::Date(per(arg(0)?)?.start),
        Builtin::End => Value::Date(per(arg(0)?)?.end),
        Builtin::Days => Value::Integer(period::days(per(arg(0)?)?)),
        Builtin::DaysPresent => {
            Value::Integer(period::days_present(&periods(arg(0)?)?, per(arg(1)?)?))
        }
        Builtin::MaxDaysInAnyWindow => Value::Integer(period::max_days_in_any_window(
            &periods(arg(0)?)?,
            int(arg(1)?)?,
        )),
        Builtin::Year => Value::Integer(i64::from(date::year_of(day(arg(0)?)?))),
        Builtin::Date => {
            let (y, m, d) = (int(arg(0)?)?, int(arg(1)?)?, int(arg(2)?)?);
            let made = i32::try_from(y)
                .ok()
                .zip(u32::try_from(m).ok())
                .zip(u32::try_from(d).ok())
                .and_then(|((y, m), d)| date::from_ymd(y, m, d));
            Value::Date(
                made.ok_or_else(|| OpError::new(format!("{y}-{m}-{d} is not a calendar date")))?,
            )
        }
        Builtin::Count => match arg(0)? {
            Value::List(items) => Value::Integer(items.len() as i64),
            _ => Value::Integer(0),
        },
        Builtin::IsEmpty => match arg(0)? {
            Value::List(items) => Value::Bool(items.is_empty()),
            _ => Value::Bool(true),
        },
        Builtin::Month => Value::Integer(i64::from(date::to_ymd(day(arg(0)?)?).1)),
        Builtin::Day => Value::Integer(i64::from(date::to_ymd(day(arg(0)?)?).2)),
        Builtin::Weekday => Value::Enum(date::weekday(day(arg(0)?)?).index() as u32),
        Builtin::StartOfMonth => Value::Date(month_end(day(arg(0)?)?, false)?),
        Builtin::EndOfMonth => Value::Date(month_end(day(arg(0)?)?, true)?),
        Builtin::Min | Builtin::Max => {
            let (x, y) = (arg(0)?, arg(1)?);
            let less = order(x, y)? == Ordering::Less;
            if less == (b == Builtin::Min) {
                x.clone()
            } else {
                y.clone()
            }
        }
        Builtin::Round => {
            let places = u32::try_from(int(arg(1)?)?)
                .map_err(|_| OpError::new("round takes 0 to 28 places"))?
                .min(28);
            match arg(0)? {
                Value::Decimal(d) => Value::Decimal(
                    d.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero),
                ),
                Value::Money(d) => Value::Money(
                    d.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero),
                ),
                other => other.clone(),
            }
        }
        Builtin::ValueOr => match arg(0)? {
            Value::Absent => arg(1)?.clone(),
            v => v.clone(),
        },
        Builtin::IsWorkingDay => {
            let cal = calendar(p, arg(1)?)?;
            let d = day(arg(0)?)?;
            Value::Bool(
                cal.calendar
                    .is_working_day(d)
                    .map_err(|e| out_of_calendar(&cal.name, &e))?,
            )
        }
        Builtin::WorkingDaysBetween => {
            let cal = calendar(p, arg(2)?)?;
            let (x, y) = (day(arg(0)?)?, day(arg(1)?)?);
            Value::Integer(
                cal.calendar
                    .working_days_between(x, y)
                    .map_err(|e| out_of_calendar(&cal.name, &e))?,
            )
        }
    })
}

#[cfg(test)]
mod tests;
