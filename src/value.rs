//! Runtime values. Cheap to clone: aggregates are reference counted, enums are indices,
//! dates are day numbers, amounts are exact decimals.

use crate::time::date::Day;
use crate::time::period::Period;
use rust_decimal::Decimal;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DurationUnit {
    Days,
    Months,
    WorkingDays,
}

/// A length of time. Weeks are stored as days and years as months; working days keep the
/// calendar they are counted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Duration {
    pub amount: i64,
    pub unit: DurationUnit,
    pub calendar: Option<u32>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Bool(bool),
    Integer(i64),
    Decimal(Decimal),
    Money(Decimal),
    Date(Day),
    Duration(Duration),
    Text(Arc<str>),
    Period(Period),
    Enum(u32),
    Record(Arc<[Value]>),
    List(Arc<[Value]>),
    /// A reason: the rule that gave it and the item's index.
    Reason(u32, u32),
    Absent,
}

impl Value {
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Bool(_) => "bool",
            Value::Integer(_) => "integer",
            Value::Decimal(_) => "decimal",
            Value::Money(_) => "money",
            Value::Date(_) => "date",
            Value::Duration(_) => "duration",
            Value::Text(_) => "text",
            Value::Period(_) => "period",
            Value::Enum(_) => "enum value",
            Value::Record(_) => "record",
            Value::List(_) => "list",
            Value::Reason(..) => "reason",
            Value::Absent => "absent value",
        }
    }
}
