//! A replaced parameter's values over time. A `replace parameter` provision restates the
//! future, not the past: from its date (or its `correcting from` date) the new declaration's
//! values answer look-ups, and before it the replaced declaration's values (with their own
//! history) still do, so `p as of DATE` keeps answering for dates the law had a value for.
//! Where a replacement leaves a look-up without a value that had one, a warning (Z0703); where
//! it writes a different value for a date before it counts, another (Z0704).

use super::data::parameter_values;
use super::expr::ExprCx;
use super::names::Globals;
use super::versions::History;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{Part, Type};
use crate::syntax::ast;
use crate::time::date::{self, Day};
use crate::value::Value;

/// From this date, this value and the line it comes from, or no value.
type Step = (Day, Option<(Value, Part)>);

/// The values of a parameter declaration consolidated with those it replaced: the values by
/// date, the line of each, and the periods with no value although an earlier value exists.
#[allow(clippy::type_complexity)]
pub fn parameter_history(
    cx: &mut ExprCx,
    p: &ast::ParameterDecl,
    history: Option<&History>,
    ty: &Type,
) -> (Vec<(Day, Value)>, Vec<Part>, Vec<(Day, Day)>) {
    let steps = steps(cx, p, history, ty);
    let mut values = Vec::new();
    let mut parts = Vec::new();
    let mut gaps = Vec::new();
    for (i, (from, step)) in steps.iter().enumerate() {
        match step {
            Some((v, part)) => {
                values.push((*from, v.clone()));
                parts.push(part.clone());
            }
            // Before the first value there is nothing to hide.
            None if !values.is_empty() => {
                let until = steps.get(i + 1).map_or(Day::MAX, |(next, _)| next - 1);
                gaps.push((*from, until));
            }
            None => {}
        }
    }
    (values, parts, gaps)
}

fn steps(
    cx: &mut ExprCx,
    p: &ast::ParameterDecl,
    history: Option<&History>,
    ty: &Type,
) -> Vec<Step> {
    let (values, parts) = parameter_values(cx, p, ty);
    let own: Vec<Step> = values
        .into_iter()
        .zip(parts)
        .map(|((from, v), part)| (from, Some((v, part))))
        .collect();
    let Some(h) = history else {
        return own;
    };
    let ast::DeclKind::Parameter(before) = &h.before.kind else {
        return own;
    };
    let earlier = if cx.g.resolve_type(&before.ty) == *ty {
        steps(cx, before, h.before_history.as_deref(), ty)
    } else {
        type_changed(cx, p, before, h.cut);
        Vec::new()
    };
    if let Some(cut) = h.cut {
        restated(cx, p, &earlier, &own, cut);
    }
    let merged = merge(&earlier, own, h.cut);
    if let Some((from, until)) = first_lost(&earlier, &merged) {
        lost(cx, p, h.cut, from, until);
    }
    merged
}

/// The earlier steps before `cut`, then the new ones from it (`None`: the new ones only).
fn merge<T: Clone>(
    earlier: &[(Day, Option<T>)],
    own: Vec<(Day, Option<T>)>,
    cut: Option<Day>,
) -> Vec<(Day, Option<T>)> {
    let Some(cut) = cut else {
        return own;
    };
    let mut out: Vec<(Day, Option<T>)> =
        earlier.iter().filter(|(d, _)| *d < cut).cloned().collect();
    // The new declaration's value in force on the cut, even one dated earlier.
    let at_cut = own
        .iter()
        .rev()
        .find(|(d, _)| *d <= cut)
        .and_then(|(_, v)| v.clone());
    out.push((cut, at_cut));
    out.extend(own.into_iter().filter(|(d, _)| *d > cut));
    out
}

/// A replacing parameter's written values as look-ups see them (for `zan diff` by date).
#[derive(Clone, Debug)]
pub struct ReplacedValues {
    /// The first date whose look-ups its own values answer: the provision's date or its
    /// `correcting from` date; `None`: every date.
    pub cut: Option<Day>,
    /// The value lines, consolidated with those it replaced, each dated from when it answers.
    pub values: Vec<ast::ParamValue>,
    /// The periods (inclusive; `None`: no end) with no value although an earlier one exists.
    pub gaps: Vec<(Day, Option<Day>)>,
}

/// The same consolidation over the written values. Nothing is checked or reported here.
pub fn replaced_values(g: &mut Globals, p: &ast::ParameterDecl, h: &History) -> ReplacedValues {
    let steps = written_steps(g, p, Some(h));
    let mut values: Vec<ast::ParamValue> = Vec::new();
    let mut gaps = Vec::new();
    for (i, (day, v)) in steps.iter().enumerate() {
        match v {
            Some(v) => {
                let mut v = (*v).clone();
                v.from = *day;
                values.push(v);
            }
            None if !values.is_empty() => {
                gaps.push((*day, steps.get(i + 1).map(|(next, _)| next - 1)));
            }
            None => {}
        }
    }
    ReplacedValues {
        cut: h.cut,
        values,
        gaps,
    }
}

fn written_steps<'d>(
    g: &mut Globals,
    p: &'d ast::ParameterDecl,
    history: Option<&History<'d>>,
) -> Vec<(Day, Option<&'d ast::ParamValue>)> {
    let own: Vec<(Day, Option<&ast::ParamValue>)> =
        p.values.iter().map(|v| (v.from, Some(v))).collect();
    let Some(h) = history else {
        return own;
    };
    let ast::DeclKind::Parameter(before) = &h.before.kind else {
        return own;
    };
    let earlier = if g.resolve_type(&before.ty) == g.resolve_type(&p.ty) {
        written_steps(g, before, h.before_history.as_deref())
    } else {
        Vec::new()
    };
    merge(&earlier, own, h.cut)
}

/// The first value the new declaration writes for a date before its cut that differs from
/// what look-ups of that date find (the earlier value): the written date would mislead.
fn restated(cx: &mut ExprCx, p: &ast::ParameterDecl, earlier: &[Step], own: &[Step], cut: Day) {
    for (day, step) in own.iter().filter(|(d, _)| *d < cut) {
        let Some((value, part)) = step else {
            continue;
        };
        let then = earlier
            .iter()
            .rev()
            .find(|(d, _)| d <= day)
            .and_then(|(_, v)| v.as_ref());
        if then.is_some_and(|(v, _)| v == value) {
            continue;
        }
        let when = date::format(*day);
        let mut d = Diagnostic::new(
            Code::RestatedValueIgnored,
            part.span,
            format!(
                "this value of `{}` from {when} differs from what look-ups of {when} find, and counts only from {}",
                p.name.name,
                date::format(cut)
            ),
        )
        .label(format!("answers look-ups from {} on", date::format(cut)))
        .help(format!(
            "a replacement restates the future: if the amendment corrects the earlier values, write `replace correcting from {when} parameter {}`",
            p.name.name
        ));
        d = match then {
            Some((_, earlier_part)) => d.with_secondary(
                earlier_part.span,
                format!("look-ups of {when} still find this value"),
            ),
            None => d.with_secondary(p.name.span, format!("look-ups of {when} find no value")),
        };
        cx.g.error(d);
        return;
    }
}

fn has_value<T>(steps: &[(Day, Option<T>)], day: Day) -> bool {
    steps
        .iter()
        .rev()
        .find(|(d, _)| *d <= day)
        .is_some_and(|(_, v)| v.is_some())
}

/// The first period (inclusive; `None`: no end) on which `earlier` has a value and `merged`
/// has none.
fn first_lost(earlier: &[Step], merged: &[Step]) -> Option<(Day, Option<Day>)> {
    let mut days: Vec<Day> = earlier.iter().chain(merged).map(|(d, _)| *d).collect();
    days.sort_unstable();
    days.dedup();
    let lost = |d: Day| has_value(earlier, d) && !has_value(merged, d);
    let start = days.iter().position(|d| lost(*d))?;
    let end = days[start + 1..].iter().find(|d| !lost(**d)).map(|d| d - 1);
    Some((days[start], end))
}

fn lost(cx: &mut ExprCx, p: &ast::ParameterDecl, cut: Option<Day>, from: Day, until: Option<Day>) {
    let period = match until {
        Some(u) if u == from => format!("on {}", date::format(from)),
        Some(u) => format!("from {} until {}", date::format(from), date::format(u)),
        None => format!("from {} on", date::format(from)),
    };
    let help = match cut {
        Some(c) => format!(
            "the new values answer look-ups from {} (the provision's date, or its `correcting from` date): give `{}` a value in force on that date",
            date::format(c),
            p.name.name
        ),
        None => format!(
            "`correcting` without a date replaces every earlier value: write `correcting from DATE` to keep the values before DATE, or give `{}` values for those dates",
            p.name.name
        ),
    };
    cx.g.error(
        Diagnostic::new(
            Code::ParameterValueLost,
            p.name.span,
            format!(
                "after this replacement, `{} as of` a date {period} finds no value, though it had one before",
                p.name.name
            ),
        )
        .label("replaced here")
        .help(help),
    );
}

fn type_changed(
    cx: &mut ExprCx,
    p: &ast::ParameterDecl,
    before: &ast::ParameterDecl,
    cut: Option<Day>,
) {
    let Some(cut) = cut else {
        return;
    };
    if !before.values.iter().any(|v| v.from < cut) {
        return;
    }
    cx.g.error(
        Diagnostic::new(
            Code::ParameterValueLost,
            p.ty.span,
            format!(
                "`{}` changes type, so its values before {} are dropped: look-ups of those dates find no value",
                p.name.name,
                date::format(cut)
            ),
        )
        .label("new type")
        .with_secondary(before.ty.span, "the earlier type")
        .help("keep the type, or write `correcting` to say the new values answer every date"),
    );
}
