//! Declarations of data rather than logic: calendars, parameters and tables.

use super::bands;
use super::expr::ExprCx;
use super::hits;
use super::names::Globals;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::*;
use crate::syntax::ast;
use crate::time::calendar::{
    Calendar, CalendarSpec, HolidayDate, HolidayRule, Transfer, WeekendRule,
};
use crate::time::date::{self, Weekday};
use crate::value::Value;

/// Calendars are compiled for these years; a date outside them is an evaluation error.
pub const CALENDAR_FIRST_YEAR: i32 = 1900;
pub const CALENDAR_LAST_YEAR: i32 = 2200;

/// Most key combinations a table over enums may have before it is looked up row by row.
const MAX_DENSE_CELLS: usize = 1 << 16;

/// A compiled calendar and every sentence it cites (its own and its entries').
pub fn calendar(g: &mut Globals, c: &ast::CalendarDecl) -> (Calendar, Vec<Citation>) {
    let mut spec = CalendarSpec::default();
    let mut citations = g.citations(&c.citations);
    for e in &c.entries {
        let (from, until) = e
            .period
            .as_ref()
            .map_or((None, None), |p| (p.from, p.until));
        if let Some(c) = e.citation.as_ref().and_then(|c| g.citation(c)) {
            citations.push(c);
        }
        match &e.kind {
            ast::CalendarEntryKind::Weekend(days) => {
                let mut set = [false; 7];
                for (name, span) in days {
                    match Weekday::from_name(name) {
                        Some(w) => set[w.index()] = true,
                        None => g.error(Diagnostic::new(
                            Code::InvalidLiteral,
                            *span,
                            format!("`{name}` is not a weekday"),
                        )),
                    }
                }
                spec.weekends.push(WeekendRule {
                    days: set,
                    from,
                    until,
                });
            }
            ast::CalendarEntryKind::Holiday {
                name,
                when,
                carried_over,
            } => {
                let when = match when {
                    ast::HolidayWhen::Every { month, day } => HolidayDate::Every {
                        month: *month,
                        day: *day,
                    },
                    ast::HolidayWhen::On(days) => HolidayDate::On(days.clone()),
                };
                spec.holidays.push(HolidayRule {
                    name: name.clone(),
                    when,
                    carried_over: *carried_over,
                    from,
                    until,
                });
            }
            ast::CalendarEntryKind::DayOff {
                day, instead_of, ..
            } => {
                if let Some(w) = instead_of {
                    if date::weekday(*w).index() < 5
                        && spec
                            .weekends
                            .iter()
                            .all(|r| !r.days[date::weekday(*w).index()])
                    {
                        g.error(
                            Diagnostic::new(
                                Code::InvalidLiteral,
                                e.span,
                                format!("{} is already a working day", date::format(*w)),
                            )
                            .help("a transfer moves a day off from a weekend day to a working day"),
                        );
                    }
                }
                spec.transfers.push(Transfer {
                    day_off: *day,
                    instead_of: *instead_of,
                });
            }
            ast::CalendarEntryKind::WorkingDay { day, .. } => spec.working_days.push(*day),
        }
    }
    (
        Calendar::compile(&spec, CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR),
        citations,
    )
}

/// A parameter's values by date, with the line each comes from.
pub fn parameter_values(
    cx: &mut ExprCx,
    p: &ast::ParameterDecl,
    ty: &Type,
) -> (Vec<(date::Day, Value)>, Vec<Part>) {
    cx.facts_allowed = false;
    let mut out: Vec<(date::Day, Value)> = Vec::new();
    let mut parts = Vec::new();
    let mut previous: Option<&ast::ParamValue> = None;
    for v in &p.values {
        let citation = v.citation.as_ref().and_then(|c| cx.g.citation(c));
        let ex = cx.expect(&v.value, ty);
        let value = match ex {
            Ex::Const(value) => value,
            _ => {
                cx.g.error(
                    Diagnostic::new(
                        Code::ParameterValues,
                        v.value.span,
                        "a parameter value must be a constant",
                    )
                    .help("write the value itself, such as `4325 KZT`"),
                );
                continue;
            }
        };
        if let Some(prev) = previous {
            if v.from <= prev.from {
                cx.g.error(
                    Diagnostic::new(Code::ParameterValues, v.from_span, format!("values of `{}` are out of date order", p.name.name))
                        .label(format!("{} is not after {}", date::format(v.from), date::format(prev.from)))
                        .with_secondary(prev.from_span, "the previous value")
                        .help("list the values from the oldest to the newest, each with a later `from` date"),
                );
                continue;
            }
        }
        previous = Some(v);
        out.push((v.from, value));
        parts.push(Part {
            span: v.from_span.to(v.value.span),
            citation,
        });
    }
    (out, parts)
}

pub fn table(cx: &mut ExprCx, t: &ast::TableDecl, keys: &[Type], ty: &Type) -> TableIr {
    let mut rows: Vec<Vec<Option<Vec<KeyMatch>>>> = Vec::new();
    let mut values = Vec::new();
    let mut spans = Vec::new();
    let mut parts = Vec::new();
    let citations = cx.g.citations(&t.citations);
    for row in &t.rows {
        let citation = row.citation.as_ref().and_then(|c| cx.g.citation(c));
        if row.keys.len() != keys.len() {
            cx.g.error(
                Diagnostic::new(
                    Code::WrongArity,
                    row.span,
                    format!(
                        "this row has {} key{}, the table has {}",
                        row.keys.len(),
                        if row.keys.len() == 1 { "" } else { "s" },
                        keys.len()
                    ),
                )
                .with_secondary(
                    t.name.span,
                    format!("`{}` is looked up by {} keys", t.name.name, keys.len()),
                )
                .help("give one pattern per key, `_` for any value"),
            );
            continue;
        }
        let pats = row.keys.iter().zip(keys);
        rows.push(pats.map(|(p, k)| bands::row_key(cx, p, k)).collect());
        spans.push(row.span);
        parts.push(Part {
            span: row.span,
            citation,
        });
        values.push(cx.expect(&row.value, ty));
    }
    let mut otherwise_part = None;
    let otherwise = t.otherwise.as_ref().map(|(e, c, span)| {
        otherwise_part = Some(Part {
            span: *span,
            citation: c.as_ref().and_then(|c| cx.g.citation(c)),
        });
        cx.expect(e, ty)
    });
    let lookup = hits::lookup(cx, t, keys, rows, &spans, otherwise.is_some());
    TableIr {
        name: t.name.name.clone(),
        span: t.name.span,
        keys: keys.to_vec(),
        ty: ty.clone(),
        lookup,
        values,
        otherwise,
        citations,
        rows: parts,
        otherwise_part,
    }
}

/// The size of an enumerable key type.
fn domain(cx: &ExprCx, t: &Type) -> Option<u32> {
    match t {
        Type::Bool => Some(2),
        Type::Enum(e) => {
            cx.g.schema
                .enums
                .get(*e as usize)
                .map(|i| i.variants.len() as u32)
        }
        _ => None,
    }
}

fn value_index(v: &Value) -> u32 {
    match v {
        Value::Bool(b) => u32::from(*b),
        Value::Enum(i) => *i,
        _ => 0,
    }
}

/// The dense lookup of a table over enum and bool keys, if it is small enough. Without
/// `order` (the default hit policy) two rows on one cell are an error; with it, each cell
/// takes the first row of `order` that matches it.
pub(super) fn dense(
    cx: &mut ExprCx,
    t: &ast::TableDecl,
    keys: &[Type],
    rows: &[Vec<Option<Vec<Value>>>],
    spans: &[crate::source::Span],
    order: Option<&[u32]>,
) -> Option<TableLookup> {
    let sizes: Vec<u32> = keys.iter().map(|k| domain(cx, k)).collect::<Option<_>>()?;
    let total = sizes
        .iter()
        .try_fold(1usize, |acc, s| acc.checked_mul(*s as usize))
        .filter(|n| *n <= MAX_DENSE_CELLS)?;
    let mut cells: Vec<Option<u32>> = vec![None; total];
    let tried: Vec<usize> = match order {
        Some(order) => order.iter().map(|r| *r as usize).collect(),
        None => (0..rows.len()).collect(),
    };
    for ri in tried {
        let Some(row) = rows.get(ri) else { continue };
        let mut reported = order.is_some();
        for cell in combinations(&sizes, row) {
            match cells[cell] {
                Some(prev) if !reported => {
                    reported = true;
                    let (a, b) = (spans[prev as usize], spans[ri]);
                    cx.g.error(
                        Diagnostic::new(Code::OverlappingRows, b, format!("this row overlaps an earlier row of `{}`", t.name.name))
                            .label(format!("both match {}", describe_cell(cx, keys, &sizes, cell)))
                            .with_secondary(a, "earlier row")
                            .help("rows must not overlap: narrow the patterns so that each combination has one row"),
                    );
                }
                Some(_) => {}
                None => cells[cell] = Some(ri as u32),
            }
        }
    }
    if t.otherwise.is_none() {
        let missing: Vec<String> = (0..total)
            .filter(|c| cells[*c].is_none())
            .take(5)
            .map(|c| describe_cell(cx, keys, &sizes, c))
            .collect();
        if !missing.is_empty() {
            let count = cells.iter().filter(|c| c.is_none()).count();
            cx.g.error(
                Diagnostic::new(
                    Code::NonExhaustiveTable,
                    t.name.span,
                    format!("table `{}` does not cover every case", t.name.name),
                )
                .label(format!(
                    "{count} combination{} without a row, such as {}",
                    if count == 1 { "" } else { "s" },
                    missing.join("; ")
                ))
                .help("add rows for the missing combinations or an `otherwise => ...` row"),
            );
        }
    }
    Some(TableLookup::Dense { sizes, cells })
}

/// The dense cell indices matched by a row (wildcards expand to every value).
fn combinations(sizes: &[u32], row: &[Option<Vec<Value>>]) -> Vec<usize> {
    let mut cells = vec![0usize];
    for (k, size) in sizes.iter().enumerate() {
        let choices: Vec<u32> = match row.get(k) {
            Some(Some(vals)) => vals.iter().map(value_index).collect(),
            _ => (0..*size).collect(),
        };
        cells = cells
            .iter()
            .flat_map(|c| {
                choices
                    .iter()
                    .map(move |v| c * (*size as usize) + *v as usize)
            })
            .collect();
    }
    cells.sort_unstable();
    cells.dedup();
    cells
}

fn describe_cell(cx: &ExprCx, keys: &[Type], sizes: &[u32], mut cell: usize) -> String {
    let mut parts = Vec::with_capacity(keys.len());
    for (k, size) in keys.iter().zip(sizes).rev() {
        let v = (cell % *size as usize) as u32;
        cell /= *size as usize;
        parts.push(match k {
            Type::Bool => (v == 1).to_string(),
            Type::Enum(e) => {
                cx.g.schema
                    .enums
                    .get(*e as usize)
                    .and_then(|i| i.variants.get(v as usize))
                    .map_or(String::new(), |x| x.name.clone())
            }
            _ => String::new(),
        });
    }
    parts.reverse();
    format!("({})", parts.join(", "))
}
