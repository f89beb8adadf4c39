//! Band patterns of table rows (`1..=3 days`, `more than 10 days`): their bounds typed as the
//! key, and each key's line cut into atoms (values and the stretches between them) so that
//! rows over bands are compared like rows over enum values (`hits.rs`).

use super::expr::ExprCx;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{Band, Bound, CmpOp, KeyMatch, Type};
use crate::ops;
use crate::syntax::ast;
use crate::time::date;
use crate::value::{Duration, DurationUnit, Value};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// A row's pattern for one key: `None` for `_` (or a pattern that does not check, reported).
pub fn row_key(cx: &mut ExprCx, p: &ast::PatternAlt, ty: &Type) -> Option<Vec<KeyMatch>> {
    let mut out = Vec::new();
    let mut any = false;
    for alt in &p.alternatives {
        match alt {
            ast::Pattern::Wildcard(_) => any = true,
            ast::Pattern::Value(e) => match cx.expect(e, ty) {
                crate::ir::Ex::Const(v) => out.push(KeyMatch::Is(v)),
                _ => cx.g.error(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        e.span,
                        "a pattern must be a constant value",
                    )
                    .help("patterns are enum values, numbers, text, dates or `_`"),
                ),
            },
            ast::Pattern::Band(b) => {
                if let Some(band) = band(cx, b, ty) {
                    out.push(KeyMatch::In(band));
                }
            }
        }
    }
    (!any).then_some(out)
}

/// Whether a key of this type may be matched by bands.
pub fn is_ordered(ty: &Type) -> bool {
    matches!(
        strip(ty),
        Type::Integer | Type::Decimal | Type::Money(_) | Type::Date | Type::Duration
    )
}

fn strip(ty: &Type) -> &Type {
    match ty {
        Type::Optional(t) => strip(t),
        t => t,
    }
}

/// A band's bounds as constants of the key's type (a bare low bound takes the high bound's
/// unit), refused when the key has no order or the band holds nothing.
fn band(cx: &mut ExprCx, b: &ast::Band, ty: &Type) -> Option<Band> {
    if ty.is_error() {
        return None;
    }
    if !is_ordered(ty) {
        let name = cx.g.type_name(ty);
        cx.g.error(
            Diagnostic::new(
                Code::InvalidBand,
                b.span,
                format!("a band cannot match a key of type {name}"),
            )
            .label("bands are for integer, decimal, money, duration and date keys")
            .help("list the values with `or`, or use `_`"),
        );
        return None;
    }
    let high = match &b.high {
        Some(h) => Some(bound(cx, h, ty, None)?),
        None => None,
    };
    let low = match &b.low {
        Some(l) => Some(bound(cx, l, ty, high.as_ref().map(|h| &h.value))?),
        None => None,
    };
    if let (Some(l), Some(h)) = (&low, &high) {
        match ops::compare(CmpOp::Le, &l.value, &h.value) {
            Ok(true) => {}
            Ok(false) => {
                cx.g.error(
                    Diagnostic::new(Code::InvalidBand, b.span, "this band holds no value")
                        .label(format!(
                            "{} is after {}",
                            show(&l.value, ty),
                            show(&h.value, ty)
                        ))
                        .help("write the lower bound first, as in `1..=3 days`"),
                );
                return None;
            }
            Err(e) => {
                cx.g.error(Diagnostic::new(
                    Code::InvalidBand,
                    b.span,
                    e.message.to_string(),
                ));
                return None;
            }
        }
    }
    Some(Band { low, high })
}

/// One bound: a bare number beside a duration or an amount takes that unit or currency.
fn bound(cx: &mut ExprCx, b: &ast::BandBound, ty: &Type, unit_of: Option<&Value>) -> Option<Bound> {
    let value = match (b.bare, strip(ty), unit_of) {
        (true, Type::Duration, Some(Value::Duration(d))) => {
            match cx.expect(&b.value, &Type::Integer) {
                crate::ir::Ex::Const(Value::Integer(n)) => {
                    Value::Duration(Duration { amount: n, ..*d })
                }
                _ => return None,
            }
        }
        (true, Type::Money(_), Some(Value::Money(_))) => {
            match cx.expect(&b.value, &Type::Decimal) {
                crate::ir::Ex::Const(Value::Decimal(d)) => Value::Money(d),
                crate::ir::Ex::Const(Value::Integer(n)) => Value::Money(Decimal::from(n)),
                _ => return None,
            }
        }
        _ => match cx.expect(&b.value, ty) {
            crate::ir::Ex::Const(v) => v,
            _ => return None,
        },
    };
    Some(Bound {
        value,
        inclusive: b.inclusive,
    })
}

/// A value of an ordered key as a number on its line (a duration's amount, a date's day).
pub fn number(v: &Value) -> Option<Decimal> {
    match v {
        Value::Integer(n) => Some(Decimal::from(*n)),
        Value::Decimal(d) | Value::Money(d) => Some(*d),
        Value::Date(d) => Some(Decimal::from(*d)),
        Value::Duration(d) => Some(Decimal::from(d.amount)),
        _ => None,
    }
}

/// A value as the rulebook writes it, for messages.
pub fn show(v: &Value, ty: &Type) -> String {
    match (v, strip(ty)) {
        (Value::Money(d), Type::Money(cur)) => format!("{} {cur}", d.normalize()),
        (Value::Decimal(d), _) => d.normalize().to_string(),
        (Value::Integer(n), _) => n.to_string(),
        (Value::Date(d), _) => date::format(*d),
        (Value::Duration(d), _) => duration(d.amount, d.unit),
        (Value::Text(t), _) => format!("{t:?}"),
        (Value::Bool(b), _) => b.to_string(),
        _ => String::from("this value"),
    }
}

fn duration(n: i64, unit: DurationUnit) -> String {
    let word = match unit {
        DurationUnit::Days => "day",
        DurationUnit::Months => "month",
        DurationUnit::WorkingDays => "working day",
    };
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// One piece of an ordered key's line: a value written in some row, or the open stretch
/// between two such values (`None`: without end).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Atom {
    Point(Decimal),
    Between(Option<Decimal>, Option<Decimal>),
}

/// An ordered key's line cut at every value its rows write, and how to show its values.
pub struct Line {
    pub atoms: Vec<Atom>,
    /// Integers, dates and durations: no value lies strictly between n and n + 1.
    discrete: bool,
    /// A value of the key to show numbers in (its currency, its unit).
    proto: Value,
    ty: Type,
}

impl Line {
    /// The line of a key from the patterns its rows write for it; `None` when two of them
    /// are in different units (reported).
    pub fn new(
        cx: &mut ExprCx,
        ty: &Type,
        patterns: &[(Option<&Vec<KeyMatch>>, crate::source::Span)],
    ) -> Option<Line> {
        let mut points: Vec<Decimal> = Vec::new();
        let mut proto: Option<Value> = None;
        for (alts, span) in patterns {
            for v in alts
                .iter()
                .flat_map(|a| a.iter())
                .flat_map(KeyMatch::values)
            {
                if let (Some(Value::Duration(p)), Value::Duration(d)) = (&proto, v) {
                    if (p.unit, p.calendar) != (d.unit, d.calendar) {
                        cx.g.error(
                            Diagnostic::new(
                                Code::InvalidBand,
                                *span,
                                "this row gives the key in another unit than an earlier row",
                            )
                            .label(format!(
                                "{} here, {} before",
                                duration(d.amount, d.unit),
                                duration(p.amount, p.unit)
                            ))
                            .help("write every band of one key in one unit (days, months or working days)"),
                        );
                        return None;
                    }
                }
                proto.get_or_insert_with(|| v.clone());
                points.extend(number(v));
            }
        }
        points.sort_unstable();
        points.dedup();
        let discrete = !matches!(strip(ty), Type::Decimal | Type::Money(_));
        let mut atoms = Vec::with_capacity(2 * points.len() + 1);
        let mut previous = None;
        for p in &points {
            atoms.push(Atom::Between(previous, Some(*p)));
            atoms.push(Atom::Point(*p));
            previous = Some(*p);
        }
        atoms.push(Atom::Between(previous, None));
        // Between two neighbouring whole numbers there is nothing.
        atoms.retain(|a| match a {
            Atom::Between(Some(x), Some(y)) if discrete => *y - *x > Decimal::ONE,
            _ => true,
        });
        Some(Line {
            atoms,
            discrete,
            proto: proto.unwrap_or(Value::Integer(0)),
            ty: ty.clone(),
        })
    }

    /// The atoms a pattern alternative covers.
    pub fn cover(&self, m: &KeyMatch, set: &mut [bool]) {
        for (i, atom) in self.atoms.iter().enumerate() {
            let inside = match (m, atom) {
                (KeyMatch::Is(v), Atom::Point(p)) => number(v) == Some(*p),
                (KeyMatch::Is(_), Atom::Between(..)) => false,
                (KeyMatch::In(band), Atom::Point(p)) => {
                    let low = band.low.as_ref().is_none_or(|b| {
                        number(&b.value).is_some_and(|l| if b.inclusive { l <= *p } else { l < *p })
                    });
                    let high = band.high.as_ref().is_none_or(|b| {
                        number(&b.value).is_some_and(|h| if b.inclusive { *p <= h } else { *p < h })
                    });
                    low && high
                }
                // Every bound is a cut of the line: a stretch is wholly inside or outside.
                (KeyMatch::In(band), Atom::Between(x, y)) => {
                    let low = match (&band.low, x) {
                        (None, _) => true,
                        (Some(_), None) => false,
                        (Some(b), Some(x)) => number(&b.value).is_some_and(|l| l <= *x),
                    };
                    let high = match (&band.high, y) {
                        (None, _) => true,
                        (Some(_), None) => false,
                        (Some(b), Some(y)) => number(&b.value).is_some_and(|h| *y <= h),
                    };
                    low && high
                }
            };
            if inside {
                set[i] = true;
            }
        }
    }

    /// The atom as a range people read (`4 days`, `6..=9 days`, `more than 10 days`).
    pub fn describe(&self, i: usize) -> String {
        match self.atoms.get(i) {
            Some(Atom::Point(p)) => self.show(*p),
            Some(Atom::Between(None, None)) | None => String::from("any value"),
            Some(Atom::Between(None, Some(y))) => format!("less than {}", self.show(*y)),
            Some(Atom::Between(Some(x), None)) => format!("more than {}", self.show(*x)),
            Some(Atom::Between(Some(x), Some(y))) if self.discrete => {
                let (a, b) = (*x + Decimal::ONE, *y - Decimal::ONE);
                if a == b {
                    self.show(a)
                } else {
                    format!("{}..={}", self.bare(a), self.show(b))
                }
            }
            Some(Atom::Between(Some(x), Some(y))) => {
                format!("between {} and {}", self.show(*x), self.show(*y))
            }
        }
    }

    /// One value inside the atom, for a witness (`both match 4 days`).
    pub fn example(&self, i: usize) -> String {
        let step = if self.discrete {
            Decimal::ONE
        } else {
            Decimal::new(1, 2)
        };
        match self.atoms.get(i) {
            Some(Atom::Point(p)) => self.show(*p),
            Some(Atom::Between(Some(x), _)) => self.show(*x + step),
            Some(Atom::Between(None, Some(y))) => self.show(*y - step),
            _ => self.show(Decimal::ZERO),
        }
    }

    fn value(&self, n: Decimal) -> Value {
        match &self.proto {
            Value::Money(_) => Value::Money(n),
            Value::Decimal(_) => Value::Decimal(n),
            Value::Date(_) => Value::Date(n.to_i32().unwrap_or_default()),
            Value::Duration(d) => Value::Duration(Duration {
                amount: n.to_i64().unwrap_or_default(),
                ..*d
            }),
            _ => Value::Integer(n.to_i64().unwrap_or_default()),
        }
    }

    fn show(&self, n: Decimal) -> String {
        show(&self.value(n), &self.ty)
    }

    /// The number without its unit (the low end of `6..=9 days`); dates keep their form.
    fn bare(&self, n: Decimal) -> String {
        match self.proto {
            Value::Date(_) => self.show(n),
            _ => n.normalize().to_string(),
        }
    }
}

/// In a `match` arm a band is refused: `match` compares values (bands are for table keys).
pub fn refuse_in_match(cx: &mut ExprCx, b: &ast::Band) {
    cx.g.error(
        Diagnostic::new(Code::InvalidBand, b.span, "a band is not a `match` pattern")
            .label("bands are for table keys")
            .help("compare with `if x <= 3 days then ...`, or look the value up in a table"),
    );
}
