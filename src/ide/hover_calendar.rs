//! Hover on working days: on `d + 3 working days in kazakhstan` (whether `d` is constant or
//! a fact), what counts as a working day in that calendar, the date the arithmetic gives from
//! today with the days off it skips, and the result when `d` is constant; on a calendar
//! entry, the days it gives in the years around today, days carried over marked.

use super::hover::find_expr;
use super::Analysis;
use crate::eval::value_text::date_text;
use crate::source::{FileId, Span};
use crate::syntax::ast::{self, BinaryOp, CalendarEntryKind, DeclKind, DurationUnit, ExprKind};
use crate::time::calendar::{Calendar, NonWorking};
use crate::time::date::{self, Day};
use std::fmt::Write;

/// The hover of working-day arithmetic or of a calendar entry at `offset`.
pub fn hover(a: &Analysis, file: FileId, offset: u32) -> Option<(Span, String)> {
    working_days(a, file, offset).or_else(|| calendar_entry(a, file, offset))
}

/// The compiled calendar `name` of the version in force on `day`.
fn compiled<'a>(a: &'a Analysis, name: &str, day: Day) -> Option<&'a Calendar> {
    let rb = a.checked.rulebook.as_ref()?;
    let version = rb.version_on(day)?;
    let c = version.program.calendars.iter().find(|c| c.name == name)?;
    Some(&*c.calendar)
}

/// The calendar declaration `name` (the baseline one).
fn calendar_decl<'a>(a: &'a Analysis, name: &str) -> Option<&'a ast::CalendarDecl> {
    match &a.index.declaration_of(name)?.1.kind {
        DeclKind::Calendar(c) => Some(c),
        _ => None,
    }
}

fn working_days(a: &Analysis, file: FileId, offset: u32) -> Option<(Span, String)> {
    let parts = |e: &ast::Expr| match &e.kind {
        ExprKind::Binary(op @ (BinaryOp::Add | BinaryOp::Sub), base, r) => match &r.kind {
            ExprKind::Duration {
                amount,
                unit: DurationUnit::WorkingDays,
                calendar: Some(c),
            } => {
                let sign = if *op == BinaryOp::Add { 1 } else { -1 };
                Some((base.clone(), amount * sign, c.name.clone()))
            }
            _ => None,
        },
        _ => None,
    };
    let e = find_expr(a, file, offset, &|e| parts(e).is_some())?;
    let (base, n, name) = parts(e)?;
    let mut out = format!("```zan\n{}\n```\n", a.map.snippet(e.span));
    let Some(cal) = compiled(a, &name, a.today) else {
        let _ = write!(
            out,
            "working days of calendar `{name}` (not compiled: the rulebook has errors)"
        );
        return Some((e.span, out));
    };
    let _ = writeln!(out, "{}\n", what_counts(a, &name, cal));
    if let Some(day) = super::hover::const_date(a, &base) {
        if let Ok(result) = compiled(a, &name, day)
            .unwrap_or(cal)
            .add_working_days(day, n)
        {
            let _ = writeln!(out, "= **{}**\n", date_text(result));
        }
    }
    match cal.add_working_days(a.today, n) {
        Ok(result) => {
            let _ = write!(
                out,
                "From today, {}: **{}**",
                date_text(a.today),
                date_text(result)
            );
            let skipped = days_off_between(cal, a.today, result);
            if !skipped.is_empty() {
                let _ = write!(out, ", past {}", skipped.join(", "));
            }
        }
        Err(e) => {
            let _ = write!(out, "From today: {e}");
        }
    }
    Some((e.span, out))
}

/// What a working day is in the calendar: its weekend, how many holidays and transfers it
/// lists, the years it is compiled for.
fn what_counts(a: &Analysis, name: &str, cal: &Calendar) -> String {
    let mut out = format!("A working day in `{name}` is a day that is not");
    if let Some(decl) = calendar_decl(a, name) {
        let weekends: Vec<String> = decl
            .entries
            .iter()
            .filter(|e| matches!(e.kind, CalendarEntryKind::Weekend(_)))
            .map(|e| format!("`{}`", a.map.snippet(e.span).trim()))
            .collect();
        let count =
            |f: fn(&CalendarEntryKind) -> bool| decl.entries.iter().filter(|e| f(&e.kind)).count();
        let holidays = count(|k| matches!(k, CalendarEntryKind::Holiday { .. }));
        let carried = count(|k| {
            matches!(
                k,
                CalendarEntryKind::Holiday {
                    carried_over: true,
                    ..
                }
            )
        });
        let days_off = count(|k| matches!(k, CalendarEntryKind::DayOff { .. }));
        let worked = count(|k| matches!(k, CalendarEntryKind::WorkingDay { .. }));
        let _ = write!(
            out,
            " a weekend day ({}), one of its {holidays} holidays ({carried} carried over to the next working day when they fall on a day off) or one of its {days_off} transferred days off; {worked} weekend day(s) are worked instead.",
            weekends.join("; ")
        );
    } else {
        out.push_str(" a day off.");
    }
    let _ = write!(
        out,
        " Compiled for {}–{}.",
        cal.first_year(),
        cal.last_year()
    );
    out
}

/// The days off strictly after `from` up to `to`, with why.
fn days_off_between(cal: &Calendar, from: Day, to: Day) -> Vec<String> {
    let (lo, hi) = if from <= to { (from, to) } else { (to, from) };
    ((lo + 1)..hi)
        .filter_map(|d| Some(format!("{} {}", date_text(d), why(cal.reason(d)?))))
        .collect()
}

fn why(reason: NonWorking<'_>) -> String {
    match reason {
        NonWorking::Weekend => "weekend".to_string(),
        NonWorking::Holiday(h) => h.to_string(),
        NonWorking::CarriedOver(h) => format!("{h}, carried over"),
        NonWorking::Transfer => "transferred day off".to_string(),
    }
}

/// A calendar entry at `offset`: the days it gives in the years around today.
fn calendar_entry(a: &Analysis, file: FileId, offset: u32) -> Option<(Span, String)> {
    let (name, entry) = entry_at(a, file, offset)?;
    let year = date::year_of(a.today);
    let years = (year - 1)..=(year + 1);
    let mut out = format!("```zan\n{}\n```\n", a.map.snippet(entry.span).trim());
    let applies = |d: Day| {
        entry
            .period
            .as_ref()
            .is_none_or(|p| p.from.is_none_or(|f| f <= d) && p.until.is_none_or(|u| d <= u))
    };
    let cal = |d: Day| compiled(a, &name, d);
    match &entry.kind {
        CalendarEntryKind::Holiday {
            name: holiday,
            when,
            carried_over,
        } => {
            let days: Vec<Day> = match when {
                ast::HolidayWhen::Every { month, day } => years
                    .clone()
                    .filter_map(|y| date::from_ymd(y, *month, *day))
                    .collect(),
                ast::HolidayWhen::On(days) => days.clone(),
            };
            let _ = writeln!(out, "In {}–{}:\n", years.start(), years.end());
            let mut any = false;
            for d in days
                .into_iter()
                .filter(|d| years.contains(&date::year_of(*d)))
            {
                any = true;
                let _ = writeln!(
                    out,
                    "- {}",
                    holiday_line(d, applies(d), holiday, *carried_over, cal(d))
                );
            }
            if !any {
                out.push_str("- no day in these years\n");
            }
        }
        CalendarEntryKind::DayOff {
            day, instead_of, ..
        } => {
            let _ = write!(out, "**{}** is a day off", date_text(*day));
            if let Some(w) = instead_of {
                let _ = write!(out, "; **{}** is worked instead", date_text(*w));
            }
            out.push('.');
        }
        CalendarEntryKind::WorkingDay { day, .. } => {
            let _ = write!(out, "**{}** is a working day.", date_text(*day));
        }
        CalendarEntryKind::Weekend(_) => {
            let _ = writeln!(out, "Weekend days off:\n");
            for y in years {
                let (Some(first), Some(last)) =
                    (date::from_ymd(y, 1, 1), date::from_ymd(y, 12, 31))
                else {
                    continue;
                };
                let n = (first..=last)
                    .filter(|&d| applies(d))
                    .filter(|&d| cal(d).and_then(|c| c.reason(d)) == Some(NonWorking::Weekend))
                    .count();
                let _ = writeln!(out, "- {y}: {n} days");
            }
        }
    }
    Some((entry.span, out.trim_end().to_string()))
}

/// One day of a holiday: the day, and where its day off went when it is carried over. A
/// holiday on a weekend day is carried to the first carried-over day of its name after it,
/// past those taken by the same holiday's earlier days on that weekend (Nauryz 21 and 22
/// March 2026, a Saturday and a Sunday, go to Monday 23 and Tuesday 24).
fn holiday_line(
    d: Day,
    applies: bool,
    name: &str,
    carried_over: bool,
    cal: Option<&Calendar>,
) -> String {
    let day = date_text(d);
    if !applies {
        return format!("{day}: not in force then");
    }
    let Some(cal) = cal else {
        return day;
    };
    let on_weekend = |x: Day| date::weekday(x).index() >= 5;
    if !on_weekend(d) {
        return format!("{day}: day off");
    }
    if !carried_over {
        return format!("{day}: on a weekend day, not carried over");
    }
    let is_this = |x: Day, carried: bool| match cal.reason(x) {
        Some(NonWorking::CarriedOver(h)) => carried && h == name,
        Some(NonWorking::Holiday(h)) => !carried && h == name,
        _ => false,
    };
    let earlier = ((d - 6)..d)
        .filter(|&x| on_weekend(x) && is_this(x, false))
        .count();
    let carried = ((d + 1)..=(d + 14))
        .filter(|&x| is_this(x, true))
        .nth(earlier);
    match carried {
        Some(x) => format!(
            "{day}: on a weekend day, **carried over to {}**",
            date_text(x)
        ),
        None => format!("{day}: on a weekend day"),
    }
}

/// The calendar entry written at `offset`, with its calendar's name (a calendar declared at
/// the top level or by an amendment's provision).
fn entry_at(a: &Analysis, file: FileId, offset: u32) -> Option<(String, &ast::CalendarEntry)> {
    let holds = |s: Span| s.file == file && s.start <= offset && offset <= s.end;
    for i in 0..a.index.top.len() {
        let Some(d) = a.index.top_decl(i) else {
            continue;
        };
        if !holds(d.span) {
            continue;
        }
        let mut decls = vec![d];
        if let DeclKind::Amendment(am) = &d.kind {
            for p in &am.provisions {
                if let ast::ProvisionAction::Add(x) | ast::ProvisionAction::Replace(x) = &p.action {
                    decls.push(x);
                }
            }
        }
        for d in decls {
            if let DeclKind::Calendar(c) = &d.kind {
                if let Some(e) = c.entries.iter().find(|e| holds(e.span)) {
                    return Some((c.name.name.clone(), e));
                }
            }
        }
    }
    None
}
