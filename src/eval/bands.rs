//! Whether a key falls in a row's pattern: a value, or a band of an ordered type
//! (`1..=3 days`, `more than 10 days`), with which rows a table tries and in what order.

use super::EvalError;
use crate::ir::{Band, Bound, CmpOp, KeyMatch};
use crate::ops;
use crate::value::Value;

/// Whether `key` matches one of the alternatives `alts` of a row's pattern.
#[inline]
pub(crate) fn matches(alts: &[KeyMatch], key: &Value) -> Result<bool, EvalError> {
    for alt in alts {
        let hit = match alt {
            KeyMatch::Is(v) => v == key,
            KeyMatch::In(band) => holds(band, key)?,
        };
        if hit {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether `band` holds `key`; an absent key is in no band. Keys the band's bounds cannot be
/// compared with (durations in other units) are an error, not a silent miss.
pub(crate) fn holds(band: &Band, key: &Value) -> Result<bool, EvalError> {
    if matches!(key, Value::Absent) {
        return Ok(false);
    }
    let above = |b: &Bound| {
        let op = if b.inclusive { CmpOp::Ge } else { CmpOp::Gt };
        ops::compare(op, key, &b.value)
    };
    let below = |b: &Bound| {
        let op = if b.inclusive { CmpOp::Le } else { CmpOp::Lt };
        ops::compare(op, key, &b.value)
    };
    Ok(band.low.as_ref().map_or(Ok(true), above)? && band.high.as_ref().map_or(Ok(true), below)?)
}
