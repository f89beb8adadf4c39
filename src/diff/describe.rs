//! What changed inside a declaration matched by the structural diff (`structure`), in the
//! language's words, one describer per kind of declaration: rules and their cases, reasons,
//! tables, parameters (their values as look-ups see them), calendars (the days whose status
//! changed), legal texts, amendments, enums, records and tests.

use super::structure::At;
use super::text;
use super::Cite;
use crate::check;
use crate::source::Span;
use crate::syntax::ast::{self, DeclKind, Declaration, ProvisionAction};
use crate::time::date::{self, Day};

/// The lines describing a change, and the citations of the changed parts.
#[derive(Default)]
pub(super) struct Details {
    pub(super) lines: Vec<String>,
    pub(super) cites: Vec<Cite>,
}

impl Details {
    fn push(&mut self, line: String) {
        self.lines.push(line);
    }

    fn cite(&mut self, c: Option<&ast::Citation>) {
        if let Some(c) = c {
            let c = Cite::of(c);
            if !self.cites.contains(&c) {
                self.cites.push(c);
            }
        }
    }
}

pub(super) fn describe(d: &mut Details, o: &At, n: &At) {
    in_force(d, o.decl.kind.in_force(), n.decl.kind.in_force());
    cites(d, o.decl.kind.citations(), n.decl.kind.citations());
    match (&o.decl.kind, &n.decl.kind) {
        (DeclKind::Rule(a), DeclKind::Rule(b)) => rule(d, o, n, a, b),
        (DeclKind::Exception(a), DeclKind::Exception(b)) => {
            if a.target.name != b.target.name {
                d.push(format!(
                    "now an exception to `{}` (was `{}`)",
                    b.target.name, a.target.name
                ));
            }
            cases(d, o, n, &a.cases, &b.cases);
        }
        (DeclKind::Reasons(a), DeclKind::Reasons(b)) => reasons(d, o, n, a, b),
        (DeclKind::Table(a), DeclKind::Table(b)) => table(d, o, n, a, b),
        (DeclKind::Parameter(a), DeclKind::Parameter(b)) => parameter(d, o, n, a, b),
        (DeclKind::Calendar(a), DeclKind::Calendar(b)) => calendar(d, o, n, a, b),
        (DeclKind::Source(a), DeclKind::Source(b)) => source(d, o, n, a, b),
        (DeclKind::Rulebook(a), DeclKind::Rulebook(b)) => metadata(d, a, b),
        (DeclKind::Amendment(a), DeclKind::Amendment(b)) => amendment(d, o, n, a, b),
        (DeclKind::Enum(a), DeclKind::Enum(b)) => enumeration(d, a, b),
        (DeclKind::Record(a), DeclKind::Record(b)) => fields(d, o, n, &a.fields, &b.fields),
        (DeclKind::Fact(a), DeclKind::Fact(b)) => field(d, o, n, "", a, b),
        (DeclKind::Example(_), DeclKind::Example(_)) => d.push("facts changed".into()),
        (DeclKind::Test(a), DeclKind::Test(b)) => test(d, o, n, a, b),
        _ => {}
    }
    if d.lines.is_empty() {
        d.push("definition changed".into());
    }
}

fn in_force(d: &mut Details, a: Option<&ast::InForce>, b: Option<&ast::InForce>) {
    let period = |f: Option<&ast::InForce>| {
        f.map_or("always (no period of its own)".to_string(), |f| {
            crate::time::period::describe(f.from, f.until)
        })
    };
    let (pa, pb) = (a.map(|f| (f.from, f.until)), b.map(|f| (f.from, f.until)));
    if pa != pb {
        d.push(format!("in force: {} → {}", period(a), period(b)));
    }
}

fn cite_text(c: &ast::Citation) -> String {
    Cite::of(c).to_string()
}

fn cites(d: &mut Details, a: &[ast::Citation], b: &[ast::Citation]) {
    for c in b {
        if !a.iter().any(|x| cite_text(x) == cite_text(c)) {
            d.push(format!("citation added: {}", cite_text(c)));
        }
    }
    for c in a {
        if !b.iter().any(|x| cite_text(x) == cite_text(c)) {
            d.push(format!("citation removed: {}", cite_text(c)));
        }
    }
}

fn same(o: &At, a: Span, n: &At, b: Span) -> bool {
    text::same((o.map(), a), (n.map(), b))
}

fn same_cite(o: &At, a: Option<&ast::Citation>, n: &At, b: Option<&ast::Citation>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => same(o, a.span, n, b.span),
        _ => false,
    }
}

/// Items of a list matched by a key: added, removed, and changed (described by `body`).
#[allow(clippy::too_many_arguments)]
fn keyed<T>(
    d: &mut Details,
    what: &str,
    old: &[T],
    new: &[T],
    key: impl Fn(&T, bool) -> String,
    show: impl Fn(&T, bool) -> String,
    cite: impl Fn(&T) -> Option<&ast::Citation>,
    mut body: impl FnMut(&mut Details, &T, &T, &str),
) {
    let old_keys: Vec<String> = old.iter().map(|x| key(x, false)).collect();
    let new_keys: Vec<String> = new.iter().map(|x| key(x, true)).collect();
    for (x, k) in new.iter().zip(&new_keys) {
        match old_keys.iter().position(|o| o == k) {
            Some(i) => {
                if let Some(prev) = old.get(i) {
                    body(d, prev, x, k);
                }
            }
            None => {
                d.push(format!("{what} added: {}", show(x, true)));
                d.cite(cite(x));
            }
        }
    }
    for (x, k) in old.iter().zip(&old_keys) {
        if !new_keys.contains(k) {
            d.push(format!("{what} removed: {}", show(x, false)));
        }
    }
    let common_old: Vec<&String> = old_keys.iter().filter(|k| new_keys.contains(k)).collect();
    let common_new: Vec<&String> = new_keys.iter().filter(|k| old_keys.contains(k)).collect();
    if common_old != common_new {
        d.push(format!("{what}s reordered"));
    }
}

/// A part with a value and a citation (a case, a row, a parameter value, a reason's
/// condition): its value and its citation compared.
fn part(
    d: &mut Details,
    (o, n): (&At, &At),
    label: &str,
    value: (Span, Span),
    cite: (Option<&ast::Citation>, Option<&ast::Citation>),
) {
    if !same(o, value.0, n, value.1) {
        d.push(format!(
            "{label}: `{}` → `{}`",
            o.line(value.0),
            n.line(value.1)
        ));
        d.cite(cite.1);
    }
    if !same_cite(o, cite.0, n, cite.1) {
        d.push(format!("{label}: now {}", cites_of(cite.1)));
        d.cite(cite.1);
    }
}

fn rule(d: &mut Details, o: &At, n: &At, a: &ast::RuleDecl, b: &ast::RuleDecl) {
    if a.output != b.output {
        d.push(if b.output {
            "now an output".into()
        } else {
            "no longer an output".into()
        });
    }
    if !same(o, a.ty.span, n, b.ty.span) {
        d.push(format!(
            "type `{}` → `{}`",
            o.line(a.ty.span),
            n.line(b.ty.span)
        ));
    }
    match (&a.body, &b.body) {
        (ast::RuleBody::Expr(x), ast::RuleBody::Expr(y)) => {
            if !same(o, x.span, n, y.span) {
                d.push(format!(
                    "definition `{}` → `{}`",
                    o.line(x.span),
                    n.line(y.span)
                ));
            }
        }
        (
            ast::RuleBody::Cases {
                cases: ca,
                otherwise: oa,
            },
            ast::RuleBody::Cases {
                cases: cb,
                otherwise: ob,
            },
        ) => {
            cases(d, o, n, ca, cb);
            otherwise(d, o, n, oa.as_ref(), ob.as_ref());
        }
        (ast::RuleBody::Expr(_), ast::RuleBody::Cases { .. }) => {
            d.push("now defined by cases (was one expression)".into())
        }
        (ast::RuleBody::Cases { .. }, ast::RuleBody::Expr(_)) => {
            d.push("now defined by one expression (was cases)".into())
        }
    }
}

fn cases(d: &mut Details, o: &At, n: &At, a: &[ast::Case], b: &[ast::Case]) {
    let at = |new: bool| if new { n } else { o };
    keyed(
        d,
        "case",
        a,
        b,
        |c, new| at(new).line(c.condition.span),
        |c, new| {
            format!(
                "`when {} then {}`",
                at(new).line(c.condition.span),
                at(new).line(c.value.span)
            )
        },
        |c| c.citation.as_ref(),
        |d, x, y, k| {
            part(
                d,
                (o, n),
                &format!("case `when {k}`"),
                (x.value.span, y.value.span),
                (x.citation.as_ref(), y.citation.as_ref()),
            )
        },
    );
}

fn cites_of(c: Option<&ast::Citation>) -> String {
    c.map_or("cites nothing".into(), |c| {
        format!("cites {}", cite_text(c))
    })
}

fn otherwise(
    d: &mut Details,
    o: &At,
    n: &At,
    a: Option<&ast::Otherwise>,
    b: Option<&ast::Otherwise>,
) {
    match (a, b) {
        (None, Some(y)) => {
            d.push(format!("otherwise added: `{}`", n.line(y.value.span)));
            d.cite(y.citation.as_ref());
        }
        (Some(x), None) => d.push(format!("otherwise removed: `{}`", o.line(x.value.span))),
        (Some(x), Some(y)) => part(
            d,
            (o, n),
            "otherwise",
            (x.value.span, y.value.span),
            (x.citation.as_ref(), y.citation.as_ref()),
        ),
        (None, None) => {}
    }
}

fn reasons(d: &mut Details, o: &At, n: &At, a: &ast::ReasonsDecl, b: &ast::ReasonsDecl) {
    if a.output != b.output {
        d.push(if b.output {
            "now an output".into()
        } else {
            "no longer an output".into()
        });
    }
    keyed(
        d,
        "reason",
        &a.items,
        &b.items,
        |r, _| r.code.name.clone(),
        |r, new| {
            let at = if new { n } else { o };
            format!(
                "`{}` \"{}\" when `{}`",
                r.code.name,
                r.message,
                at.line(r.condition.span)
            )
        },
        |r| r.citation.as_ref(),
        |d, x, y, k| {
            if x.message != y.message {
                d.push(format!(
                    "reason `{k}`: message \"{}\" → \"{}\"",
                    x.message, y.message
                ));
            }
            part(
                d,
                (o, n),
                &format!("reason `{k}`: when"),
                (x.condition.span, y.condition.span),
                (x.citation.as_ref(), y.citation.as_ref()),
            );
        },
    );
}

fn table(d: &mut Details, o: &At, n: &At, a: &ast::TableDecl, b: &ast::TableDecl) {
    let keys = |at: &At, t: &ast::TableDecl| -> String {
        t.keys
            .iter()
            .map(|(k, ty)| format!("{}: {}", k.name, at.line(ty.span)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (ka, kb) = (keys(o, a), keys(n, b));
    if ka != kb {
        d.push(format!("keys `({ka})` → `({kb})`"));
    }
    if !same(o, a.ty.span, n, b.ty.span) {
        d.push(format!(
            "type `{}` → `{}`",
            o.line(a.ty.span),
            n.line(b.ty.span)
        ));
    }
    let policy = |t: &ast::TableDecl| match t.hit.map(|h| h.0) {
        Some(ast::HitPolicy::First) => "first",
        Some(ast::HitPolicy::MostSpecific) => "most specific",
        _ => "unique",
    };
    if policy(a) != policy(b) {
        d.push(format!("hit policy `{}` → `{}`", policy(a), policy(b)));
    }
    let row_key = |at: &At, r: &ast::TableRow| -> String {
        r.keys
            .iter()
            .map(|k| at.line(k.span))
            .collect::<Vec<_>>()
            .join(", ")
    };
    keyed(
        d,
        "row",
        &a.rows,
        &b.rows,
        |r, new| row_key(if new { n } else { o }, r),
        |r, new| {
            let at = if new { n } else { o };
            format!("`{} => {}`", row_key(at, r), at.line(r.value.span))
        },
        |r| r.citation.as_ref(),
        |d, x, y, k| {
            part(
                d,
                (o, n),
                &format!("row `{k}`"),
                (x.value.span, y.value.span),
                (x.citation.as_ref(), y.citation.as_ref()),
            )
        },
    );
    match (&a.otherwise, &b.otherwise) {
        (None, Some((y, c, _))) => {
            d.push(format!("otherwise added: `{}`", n.line(y.span)));
            d.cite(c.as_ref());
        }
        (Some((x, _, _)), None) => d.push(format!("otherwise removed: `{}`", o.line(x.span))),
        (Some((x, cx, _)), Some((y, cy, _))) => part(
            d,
            (o, n),
            "otherwise",
            (x.span, y.span),
            (cx.as_ref(), cy.as_ref()),
        ),
        _ => {}
    }
}

fn parameter(d: &mut Details, o: &At, n: &At, a: &ast::ParameterDecl, b: &ast::ParameterDecl) {
    if !same(o, a.ty.span, n, b.ty.span) {
        d.push(format!(
            "type `{}` → `{}`",
            o.line(a.ty.span),
            n.line(b.ty.span)
        ));
    }
    let (old, new) = (seen(o, a), seen(n, b));
    if new.cut != old.cut {
        match new.cut {
            Some(Some(cut)) => d.push(format!(
                "look-ups of dates before {} keep the values it replaces",
                date::format(cut)
            )),
            Some(None) => d.push("`correcting`: its values replace every earlier value".into()),
            None => {}
        }
    }
    for gap in new.gaps.iter().filter(|g| !old.gaps.contains(g)) {
        d.push(format!(
            "no value in force {}",
            crate::time::period::describe(Some(gap.0), gap.1)
        ));
    }
    keyed(
        d,
        "value",
        &old.values,
        &new.values,
        |v, _| date::format(v.from),
        |v, new| {
            let at = if new { n } else { o };
            format!("from {}: `{}`", date::format(v.from), at.line(v.value.span))
        },
        |v| v.citation.as_ref(),
        |d, x, y, k| {
            part(
                d,
                (o, n),
                &format!("value from {k}"),
                (x.value.span, y.value.span),
                (x.citation.as_ref(), y.citation.as_ref()),
            )
        },
    );
}

/// A parameter's values as look-ups see them: by date, a replacing parameter's values
/// consolidated with those it replaced; otherwise its written values.
struct Seen {
    /// A replacing parameter's first date answered by its own values (`Some(None)`: every
    /// date); `None`: not a replacement, or not by date.
    cut: Option<Option<Day>>,
    values: Vec<ast::ParamValue>,
    gaps: Vec<(Day, Option<Day>)>,
}

fn seen(at: &At, p: &ast::ParameterDecl) -> Seen {
    let replaced = at.side.on.and_then(|day| {
        check::consolidation(at.side.map, &at.side.decls)
            .entries
            .into_iter()
            .find(|e| std::ptr::eq(e.decl, at.decl) && e.in_force_on(day))?
            .replaced
    });
    match replaced {
        Some(r) => Seen {
            cut: Some(r.cut),
            values: r.values,
            gaps: r.gaps,
        },
        None => Seen {
            cut: None,
            values: p.values.clone(),
            gaps: Vec::new(),
        },
    }
}

fn calendar(d: &mut Details, o: &At, n: &At, a: &ast::CalendarDecl, b: &ast::CalendarDecl) {
    keyed(
        d,
        "entry",
        &a.entries,
        &b.entries,
        |e, new| (if new { n } else { o }).line(entry_span(e)),
        |e, new| format!("`{}`", (if new { n } else { o }).line(entry_span(e))),
        |e| e.citation.as_ref(),
        |d, x, y, k| {
            // The entry's text is its key: only its citation can differ.
            let label = format!("entry `{k}`");
            part(
                d,
                (o, n),
                &label,
                (entry_span(x), entry_span(y)),
                (x.citation.as_ref(), y.citation.as_ref()),
            )
        },
    );
    days(d, o, n, &a.name.name);
}

/// An entry without its citation: what it says about days.
fn entry_span(e: &ast::CalendarEntry) -> Span {
    match &e.citation {
        Some(c) if c.span.start > e.span.start => {
            Span::new(e.span.file, e.span.start as usize, c.span.start as usize)
        }
        _ => e.span,
    }
}

/// Most changed days listed for one calendar; the rest are counted.
const MAX_DAYS_LISTED: usize = 30;

/// The days whose status (working day or not) differs between the two compiled calendars.
/// All compiled years are compared; the days listed are those of the years the rulebooks
/// are about (their version dates and the calendars' dated entries, a year either side), so
/// that a changed yearly holiday is not listed for every year since 1900.
fn days(d: &mut Details, o: &At, n: &At, name: &str) {
    let (Some(a), Some(b)) = (compiled(o, name), compiled(n, name)) else {
        return;
    };
    let first = a.first_year().max(b.first_year());
    let last = a.last_year().min(b.last_year());
    let (Some(start), Some(end)) = (date::from_ymd(first, 1, 1), date::from_ymd(last, 12, 31))
    else {
        return;
    };
    let years = years_of_interest(o, n);
    let mut total = 0;
    let mut listed = Vec::new();
    for day in start..=end {
        if a.is_working_day(day).ok() == b.is_working_day(day).ok() {
            continue;
        }
        total += 1;
        let year = date::year_of(day);
        if years.is_some_and(|(lo, hi)| lo <= year && year <= hi) {
            listed.push(format!(
                "day {}: {} → {}",
                date::format(day),
                day_status(&a, day),
                day_status(&b, day)
            ));
        }
    }
    if total == 0 {
        return;
    }
    let in_window = listed.len();
    d.push(match years {
        Some((lo, hi)) => {
            format!(
                "{total} days change status in {first}–{last}; {in_window} of them in {lo}–{hi}:"
            )
        }
        None => format!("{total} days change status in {first}–{last}"),
    });
    d.lines.extend(listed.into_iter().take(MAX_DAYS_LISTED));
    if in_window > MAX_DAYS_LISTED {
        d.push(format!("and {} more days", in_window - MAX_DAYS_LISTED));
    }
}

/// The years a comparison is about: the dates the versions start and the calendars' dated
/// entries, a year before and two after.
fn years_of_interest(o: &At, n: &At) -> Option<(i32, i32)> {
    let mut years: Vec<i32> = Vec::new();
    for at in [o, n] {
        years.extend(
            at.side
                .rulebook
                .versions
                .iter()
                .filter_map(|v| v.from.map(date::year_of)),
        );
        if let DeclKind::Calendar(c) = &at.decl.kind {
            for e in &c.entries {
                match &e.kind {
                    ast::CalendarEntryKind::DayOff { day, .. }
                    | ast::CalendarEntryKind::WorkingDay { day, .. } => {
                        years.push(date::year_of(*day))
                    }
                    ast::CalendarEntryKind::Holiday {
                        when: ast::HolidayWhen::On(days),
                        ..
                    } => years.extend(days.iter().map(|d| date::year_of(*d))),
                    _ => {}
                }
            }
        }
    }
    let lo = years.iter().min()?;
    let hi = years.iter().max()?;
    Some((lo - 1, hi + 2))
}

fn day_status(c: &crate::time::calendar::Calendar, day: Day) -> String {
    use crate::time::calendar::NonWorking;
    match c.reason(day) {
        None => "working day".into(),
        Some(NonWorking::Weekend) => "weekend".into(),
        Some(NonWorking::Holiday(h)) => format!("holiday ({h})"),
        Some(NonWorking::CarriedOver(h)) => format!("day off carried over from {h}"),
        Some(NonWorking::Transfer) => "day off (transfer)".into(),
    }
}

/// The compiled calendar of that name in the version compared (by date), or the last version
/// that has it.
fn compiled(at: &At, name: &str) -> Option<std::sync::Arc<crate::time::calendar::Calendar>> {
    let rb = at.side.rulebook;
    let versions: Vec<&crate::ir::Version> = match at.side.on {
        Some(day) => rb.version_on(day).into_iter().collect(),
        None => rb.versions.iter().rev().collect(),
    };
    versions.iter().find_map(|v| {
        v.program
            .calendars
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.calendar.clone())
    })
}

/// Most changed lines of a legal text listed; the rest are counted.
const MAX_TEXT_LINES: usize = 12;

fn source(d: &mut Details, o: &At, n: &At, a: &ast::Metadata, b: &ast::Metadata) {
    metadata(d, a, b);
    let (Some(fa), Some(fb)) = (a.get("file"), b.get("file")) else {
        return;
    };
    let (Some(ta), Some(tb)) = (o.map().legal_text(fa), n.map().legal_text(fb)) else {
        return;
    };
    if ta.text == tb.text {
        return;
    }
    let diff = similar::TextDiff::from_lines(ta.text.as_str(), tb.text.as_str());
    let mut lines = Vec::new();
    for change in diff.iter_all_changes() {
        let sign = match change.tag() {
            similar::ChangeTag::Equal => continue,
            similar::ChangeTag::Delete => "-",
            similar::ChangeTag::Insert => "+",
        };
        lines.push(format!("{sign} {}", change.value().trim_end()));
    }
    let n = lines.len();
    d.push(format!(
        "text of {fb} changed ({n} line{})",
        if n == 1 { "" } else { "s" }
    ));
    let total = lines.len();
    for l in lines.into_iter().take(MAX_TEXT_LINES) {
        d.push(format!("text: {l}"));
    }
    if total > MAX_TEXT_LINES {
        d.push(format!(
            "text: and {} more changed lines",
            total - MAX_TEXT_LINES
        ));
    }
}

fn metadata(d: &mut Details, a: &ast::Metadata, b: &ast::Metadata) {
    for (k, v) in &b.entries {
        match a.get(&k.name) {
            None => d.push(format!("{} added: \"{v}\"", k.name)),
            Some(old) if old != v => d.push(format!("{}: \"{old}\" → \"{v}\"", k.name)),
            Some(_) => {}
        }
    }
    for (k, v) in &a.entries {
        if b.get(&k.name).is_none() {
            d.push(format!("{} removed (was \"{v}\")", k.name));
        }
    }
    let path = |m: &ast::Metadata| {
        m.as_of.as_ref().map(|p| {
            p.iter()
                .map(|i| i.name.as_str())
                .collect::<Vec<_>>()
                .join(".")
        })
    };
    if path(a) != path(b) {
        d.push(format!(
            "as of `{}` → `{}`",
            path(a).unwrap_or_default(),
            path(b).unwrap_or_default()
        ));
    }
}

fn amendment(d: &mut Details, o: &At, n: &At, a: &ast::AmendmentDecl, b: &ast::AmendmentDecl) {
    if a.in_force != b.in_force {
        d.push(format!(
            "in force {} → {}",
            date::format(a.in_force),
            date::format(b.in_force)
        ));
    }
    let key = |p: &ast::Provision| -> String {
        match &p.action {
            ProvisionAction::Add(x) => format!("add {} {}", x.kind.keyword(), x.kind.name().name),
            ProvisionAction::Replace(x) => {
                format!("replace {} {}", x.kind.keyword(), x.kind.name().name)
            }
            ProvisionAction::Repeal { kind, name, .. } => format!("repeal {kind} {}", name.name),
        }
    };
    let effective = |p: &ast::Provision, amendment: &ast::AmendmentDecl| {
        p.from.map_or(amendment.in_force, |(f, _)| f)
    };
    keyed(
        d,
        "provision",
        &a.provisions,
        &b.provisions,
        |p, _| key(p),
        |p, new| {
            let amendment = if new { b } else { a };
            format!(
                "`{}` from {}",
                key(p),
                date::format(effective(p, amendment))
            )
        },
        |_| None,
        |d, x, y, k| {
            let (fx, fy) = (effective(x, a), effective(y, b));
            if fx != fy {
                d.push(format!(
                    "provision `{k}`: in force from {} → {}",
                    date::format(fx),
                    date::format(fy)
                ));
            }
            if let (Some(dx), Some(dy)) = (inner(x), inner(y)) {
                if !same(o, dx.span, n, dy.span) {
                    let mut nested = Details::default();
                    describe(
                        &mut nested,
                        &At {
                            side: o.side,
                            decl: dx,
                        },
                        &At {
                            side: n.side,
                            decl: dy,
                        },
                    );
                    for line in nested.lines {
                        d.push(format!("provision `{k}`: {line}"));
                    }
                    d.cites.extend(nested.cites);
                }
            } else if !same(o, x.span, n, y.span) {
                d.push(format!("provision `{k}` changed"));
            }
        },
    );
}

fn inner(p: &ast::Provision) -> Option<&Declaration> {
    match &p.action {
        ProvisionAction::Add(x) | ProvisionAction::Replace(x) => Some(x.as_ref()),
        ProvisionAction::Repeal { .. } => None,
    }
}

fn enumeration(d: &mut Details, a: &ast::EnumDecl, b: &ast::EnumDecl) {
    keyed(
        d,
        "value",
        &a.variants,
        &b.variants,
        |v, _| v.name.name.clone(),
        |v, _| match &v.label {
            Some(l) => format!("`{}` \"{l}\"", v.name.name),
            None => format!("`{}`", v.name.name),
        },
        |_| None,
        |d, x, y, k| match (&x.label, &y.label) {
            (None, Some(l)) => d.push(format!("value `{k}`: label \"{l}\" added")),
            (Some(l), None) => d.push(format!("value `{k}`: label \"{l}\" removed")),
            (Some(a), Some(b)) if a != b => d.push(format!("value `{k}`: label \"{a}\" → \"{b}\"")),
            _ => {}
        },
    );
}

fn fields(d: &mut Details, o: &At, n: &At, a: &[ast::FieldDecl], b: &[ast::FieldDecl]) {
    keyed(
        d,
        "field",
        a,
        b,
        |f, _| f.name.name.clone(),
        |f, new| {
            let at = if new { n } else { o };
            format!("`{}: {}`", f.name.name, at.line(f.ty.span))
        },
        |_| None,
        |d, x, y, k| field(d, o, n, &format!("field `{k}`: "), x, y),
    );
}

fn field(d: &mut Details, o: &At, n: &At, prefix: &str, a: &ast::FieldDecl, b: &ast::FieldDecl) {
    if !same(o, a.ty.span, n, b.ty.span) {
        d.push(format!(
            "{prefix}type `{}` → `{}`",
            o.line(a.ty.span),
            n.line(b.ty.span)
        ));
    }
    let default = |at: &At, f: &ast::FieldDecl| f.default.as_ref().map(|e| at.line(e.span));
    let (da, db) = (default(o, a), default(n, b));
    if da != db {
        d.push(format!(
            "{prefix}default `{}` → `{}`",
            da.unwrap_or_else(|| "none".into()),
            db.unwrap_or_else(|| "none".into())
        ));
    }
}

fn test(d: &mut Details, o: &At, n: &At, a: &ast::TestDecl, b: &ast::TestDecl) {
    let expectations = |at: &At, t: &ast::TestDecl| -> Vec<String> {
        t.items
            .iter()
            .filter_map(|i| match i {
                // The span starts at the keyword: "expects `expect x = 1`" said it twice.
                ast::TestItem::Expect { span, .. } => {
                    let line = at.line(*span);
                    Some(line.strip_prefix("expect ").unwrap_or(&line).to_string())
                }
                _ => None,
            })
            .collect()
    };
    let (ea, eb) = (expectations(o, a), expectations(n, b));
    for e in eb.iter().filter(|e| !ea.contains(e)) {
        d.push(format!("expects `{e}`"));
    }
    for e in ea.iter().filter(|e| !eb.contains(e)) {
        d.push(format!("no longer expects `{e}`"));
    }
    let given = |at: &At, t: &ast::TestDecl| -> Vec<String> {
        t.items
            .iter()
            .filter_map(|i| match i {
                ast::TestItem::AsOf(day, _) => Some(format!("as of {}", date::format(*day))),
                ast::TestItem::GivenExample(e) => Some(format!("given example {}", e.name)),
                ast::TestItem::GivenFacts(e) => Some(format!("given {}", at.line(e.span))),
                ast::TestItem::Set(path, e) => Some(format!(
                    "set {} = {}",
                    path.iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join("."),
                    at.line(e.span)
                )),
                ast::TestItem::Expect { .. } => None,
            })
            .collect()
    };
    if given(o, a) != given(n, b) {
        d.push("facts changed".into());
    }
}

#[cfg(test)]
#[path = "describe_tests.rs"]
mod tests;
