//! Consolidation: which declaration of each name is in force on which dates. The baseline
//! declarations and the amendments' provisions become a timeline of entries per name; the
//! dates where anything changes cut time into versions.
//!
//! Two provisions that change the same name on the same date are refused (Z0406): which one
//! wins would depend on the order the files are read. A replaced parameter keeps the earlier
//! declaration as its `History`, so that look-ups of dates before the replacement (`p as of
//! DATE`) still find the values in force then (`check/history.rs`).

use super::names::Globals;
use crate::diagnostics::{suggest, Code, Diagnostic};
use crate::ir::{AmendmentId, AppliedProvision, Origin};
use crate::syntax::ast::{self, ProvisionAction};
use crate::time::date::{self, Day};
use rustc_hash::FxHashMap as HashMap;

/// One declaration of a name and the dates it is in force (inclusive).
#[derive(Clone)]
pub struct Entry<'d> {
    pub decl: &'d ast::Declaration,
    pub from: Option<Day>,
    pub until: Option<Day>,
    pub origin: Origin,
    /// A replacing parameter: the declaration it replaced, whose values still answer look-ups
    /// of the dates before the replacement.
    pub history: Option<Box<History<'d>>>,
}

/// What a replaced parameter answered before its replacement.
#[derive(Clone)]
pub struct History<'d> {
    /// The first date whose look-ups the replacing declaration answers: the provision's date,
    /// or its `correcting from` date; `None` (`correcting` without a date): every date.
    pub cut: Option<Day>,
    /// The replaced declaration, and its own history.
    pub before: &'d ast::Declaration,
    pub before_history: Option<Box<History<'d>>>,
}

impl Entry<'_> {
    fn covers(&self, day: Day) -> bool {
        self.from.is_none_or(|f| f <= day) && self.until.is_none_or(|u| day <= u)
    }
}

pub struct Timeline<'d> {
    pub entries: HashMap<String, Vec<Entry<'d>>>,
    pub provisions: Vec<AppliedProvision>,
}

/// Build the timeline from the baseline declarations and the amendments.
pub fn timeline<'d>(
    g: &mut Globals,
    baseline: &[&'d ast::Declaration],
    amendments: &[(AmendmentId, &'d ast::AmendmentDecl)],
) -> Timeline<'d> {
    let mut entries: HashMap<String, Vec<Entry<'d>>> = HashMap::default();
    for decl in baseline {
        let (from, until) = own_period(g, decl);
        add_baseline(
            g,
            &mut entries,
            Entry {
                decl,
                from,
                until,
                origin: Origin::Baseline,
                history: None,
            },
        );
    }
    let mut provisions: Vec<(Day, AmendmentId, &'d ast::Provision)> = Vec::new();
    for (id, a) in amendments {
        for p in &a.provisions {
            provisions.push((p.from.map_or(a.in_force, |(d, _)| d), *id, p));
        }
    }
    provisions.sort_by_key(|(d, _, _)| *d);
    let mut applied = Vec::new();
    // The provision that changed each name on each date: a second one on the same date
    // conflicts with it, whatever the order of the files.
    let mut changed: HashMap<(String, Day), (AmendmentId, &'d ast::Provision)> = HashMap::default();
    for (day, amendment, p) in provisions {
        let key = (target(p).name.clone(), day);
        if let Some(first) = changed.get(&key) {
            conflict(g, amendments, day, *first, (amendment, p));
            continue;
        }
        if let Some(a) = apply(g, &mut entries, day, amendment, p) {
            changed.insert(key, (amendment, p));
            applied.push(a);
        }
    }
    Timeline {
        entries,
        provisions: applied,
    }
}

/// The name a provision adds, replaces or repeals.
fn target(p: &ast::Provision) -> &ast::Ident {
    match &p.action {
        ProvisionAction::Add(d) | ProvisionAction::Replace(d) => d.kind.name(),
        ProvisionAction::Repeal { name, .. } => name,
    }
}

fn verb(p: &ast::Provision) -> &'static str {
    match &p.action {
        ProvisionAction::Add(_) => "added",
        ProvisionAction::Replace(_) => "replaced",
        ProvisionAction::Repeal { .. } => "repealed",
    }
}

/// Two provisions change the same name on the same date.
fn conflict(
    g: &mut Globals,
    amendments: &[(AmendmentId, &ast::AmendmentDecl)],
    day: Day,
    first: (AmendmentId, &ast::Provision),
    second: (AmendmentId, &ast::Provision),
) {
    let by = |id: AmendmentId| {
        amendments
            .iter()
            .find(|(a, _)| *a == id)
            .map_or_else(String::new, |(_, a)| format!(" by `{}`", a.name.name))
    };
    let name = target(second.1);
    g.error(
        Diagnostic::new(
            Code::ConflictingProvisions,
            name.span,
            format!(
                "two provisions change `{}` on {}",
                name.name,
                date::format(day)
            ),
        )
        .label(format!("{}{}", verb(second.1), by(second.0)))
        .with_secondary(
            target(first.1).span,
            format!("also {}{} on the same date", verb(first.1), by(first.0)),
        )
        .help("which one applies would depend on the order the files are read: merge them into one provision, or give one of them its own `from` date"),
    );
}

fn own_period(g: &mut Globals, decl: &ast::Declaration) -> (Option<Day>, Option<Day>) {
    let Some(f) = decl.kind.in_force() else {
        return (None, None);
    };
    if let (Some(a), Some(b)) = (f.from, f.until) {
        if b < a {
            g.error(
                Diagnostic::new(
                    Code::DatesOutOfOrder,
                    f.span,
                    "this period ends before it starts",
                )
                .label(format!("{} is before {}", date::format(b), date::format(a)))
                .help("write `in force from START until END` with START on or before END"),
            );
        }
    }
    (f.from, f.until)
}

fn add_baseline<'d>(g: &mut Globals, entries: &mut HashMap<String, Vec<Entry<'d>>>, e: Entry<'d>) {
    let name = e.decl.kind.name();
    let list = entries.entry(name.name.clone()).or_default();
    for other in list.iter() {
        if overlaps(other, &e) {
            let d = if other.from.is_none()
                && other.until.is_none()
                && e.from.is_none()
                && e.until.is_none()
            {
                Diagnostic::new(Code::DuplicateDeclaration, name.span, format!("`{}` is declared twice", name.name))
                    .label("second declaration")
                    .with_secondary(other.decl.kind.name().span, "first declared here")
                    .help("rename one, or give each an `in force from ... until ...` period that does not overlap")
            } else {
                Diagnostic::new(Code::OverlappingPeriods, name.span, format!("two declarations of `{}` are in force on the same dates", name.name))
                    .label(period_text(e.from, e.until))
                    .with_secondary(other.decl.kind.name().span, period_text(other.from, other.until))
                    .help("the in-force periods of one name must not overlap: end one the day before the other starts")
            };
            g.error(d);
            return;
        }
    }
    list.push(e);
}

fn overlaps(a: &Entry, b: &Entry) -> bool {
    let start = a.from.unwrap_or(Day::MIN).max(b.from.unwrap_or(Day::MIN));
    let end = a.until.unwrap_or(Day::MAX).min(b.until.unwrap_or(Day::MAX));
    start <= end
}

fn period_text(from: Option<Day>, until: Option<Day>) -> String {
    format!("in force {}", crate::time::period::describe(from, until))
}

fn apply<'d>(
    g: &mut Globals,
    entries: &mut HashMap<String, Vec<Entry<'d>>>,
    day: Day,
    amendment: AmendmentId,
    p: &'d ast::Provision,
) -> Option<AppliedProvision> {
    let (action, decl_name, kind, span) = match &p.action {
        ProvisionAction::Add(d) => ("adds", d.kind.name(), d.kind.keyword(), p.span),
        ProvisionAction::Replace(d) => ("replaces", d.kind.name(), d.kind.keyword(), p.span),
        ProvisionAction::Repeal { kind, name, .. } => {
            ("repeals", name, repeal_keyword(kind), p.span)
        }
    };
    let list = entries.entry(decl_name.name.clone()).or_default();
    let current = list.iter().position(|e| e.covers(day));
    let origin = |replaced| Origin::Amendment {
        amendment,
        from: day,
        replaced,
    };
    match (&p.action, current) {
        (ProvisionAction::Add(d), None) => {
            let until = d.kind.in_force().and_then(|f| f.until);
            list.push(Entry {
                decl: d,
                from: Some(day),
                until,
                origin: origin(false),
                history: None,
            });
        }
        (ProvisionAction::Add(_), Some(i)) => {
            g.error(
                Diagnostic::new(
                    Code::DuplicateDeclaration,
                    decl_name.span,
                    format!(
                        "`{}` already exists on {}",
                        decl_name.name,
                        date::format(day)
                    ),
                )
                .label("added again")
                .with_secondary(list[i].decl.kind.name().span, "in force then")
                .help("use `replace` to change an existing declaration"),
            );
            return None;
        }
        (ProvisionAction::Replace(d), Some(i)) => {
            if !same_kind(g, list[i].decl, d.kind.keyword(), decl_name) {
                return None;
            }
            let history = match &d.kind {
                ast::DeclKind::Parameter(_) => Some(Box::new(History {
                    cut: correction_cut(g, p, day)?,
                    before: list[i].decl,
                    before_history: list[i].history.clone(),
                })),
                _ => None,
            };
            let old_until = list[i].until;
            list[i].until = Some(day - 1);
            let until = d.kind.in_force().and_then(|f| f.until).or(old_until);
            list.push(Entry {
                decl: d,
                from: Some(day),
                until,
                origin: origin(true),
                history,
            });
        }
        (ProvisionAction::Repeal { .. }, Some(i)) => {
            if !same_kind(g, list[i].decl, kind, decl_name) {
                return None;
            }
            list[i].until = Some(day - 1);
        }
        (_, None) => {
            missing_target(g, entries, day, decl_name, kind);
            return None;
        }
    }
    Some(AppliedProvision {
        amendment,
        action,
        kind,
        name: decl_name.name.clone(),
        from: day,
        span,
    })
}

/// The first date whose look-ups a replacing parameter answers: the provision's date, or the
/// date of its `correcting from` (which cannot be later); `Some(None)` for a `correcting`
/// without a date; `None` when the correction is refused.
fn correction_cut(g: &mut Globals, p: &ast::Provision, day: Day) -> Option<Option<Day>> {
    let Some(c) = &p.correcting else {
        return Some(Some(day));
    };
    match c.from {
        Some(from) if from > day => {
            g.error(
                Diagnostic::new(
                    Code::DatesOutOfOrder,
                    c.span,
                    "a correction starts after the replacement takes effect",
                )
                .label(format!(
                    "{} is after {}",
                    date::format(from),
                    date::format(day)
                ))
                .help("`correcting from DATE` corrects values of dates before the provision's date: give a date on or before it, or remove the clause"),
            );
            None
        }
        from => Some(from),
    }
}

fn repeal_keyword(kind: &str) -> &'static str {
    match kind {
        "rule" => "rule",
        "exception" => "exception",
        "reasons" => "reasons",
        "table" => "table",
        "parameter" => "parameter",
        _ => "calendar",
    }
}

fn same_kind(g: &mut Globals, existing: &ast::Declaration, kind: &str, name: &ast::Ident) -> bool {
    if existing.kind.keyword() == kind {
        return true;
    }
    g.error(
        Diagnostic::new(
            Code::AmendedKindMismatch,
            name.span,
            format!(
                "`{}` is a {}, not a {kind}",
                name.name,
                existing.kind.keyword()
            ),
        )
        .with_secondary(
            existing.kind.name().span,
            format!("declared as a {} here", existing.kind.keyword()),
        )
        .help(format!("write `{} {}`", existing.kind.keyword(), name.name)),
    );
    false
}

/// Why a replace or repeal found nothing in force on its date.
fn missing_target(
    g: &mut Globals,
    entries: &HashMap<String, Vec<Entry>>,
    day: Day,
    name: &ast::Ident,
    kind: &str,
) {
    let when = date::format(day);
    let list = entries.get(&name.name).map_or(&[][..], Vec::as_slice);
    let later = list
        .iter()
        .filter(|e| e.from.is_some_and(|f| f > day))
        .min_by_key(|e| e.from);
    let ended = list
        .iter()
        .filter(|e| e.until.is_some_and(|u| u < day))
        .max_by_key(|e| e.until);
    let d = if let Some(e) = later {
        Diagnostic::new(
            Code::DatesOutOfOrder,
            name.span,
            format!("`{}` does not exist yet on {when}", name.name),
        )
        .label(format!("amended from {when}"))
        .with_secondary(
            e.decl.kind.name().span,
            format!(
                "in force only from {}",
                e.from.map(date::format).unwrap_or_default()
            ),
        )
        .help("a provision can only change what is in force on its date; check the in-force dates")
    } else if let Some(e) = ended {
        Diagnostic::new(
            Code::AlreadyRepealed,
            name.span,
            format!("`{}` is no longer in force on {when}", name.name),
        )
        .label("already repealed or replaced")
        .with_secondary(
            e.decl.kind.name().span,
            format!(
                "in force until {}",
                e.until.map(date::format).unwrap_or_default()
            ),
        )
        .help("remove this provision, or change its date")
    } else {
        // The same did-you-mean as an unknown name elsewhere: among the declarations of this
        // kind in force on the provision's date.
        let candidates = entries.iter().filter_map(|(n, l)| {
            l.iter()
                .any(|e| e.covers(day) && e.decl.kind.keyword() == kind)
                .then_some(n.as_str())
        });
        let d = Diagnostic::new(
            Code::AmendedTargetMissing,
            name.span,
            format!("there is no `{}` to amend", name.name),
        )
        .label("not declared");
        match suggest(&name.name, candidates) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None => d.help("an amendment can only replace or repeal a declaration of the rulebook; use `add` for a new one"),
        }
    };
    g.error(d);
}

/// Cut time into versions at every date where an entry starts or ends.
pub fn segments(t: &Timeline) -> Vec<(Option<Day>, Option<Day>)> {
    let mut cuts: Vec<Day> = Vec::new();
    for list in t.entries.values() {
        for e in list {
            cuts.extend(e.from);
            cuts.extend(e.until.and_then(|u| u.checked_add(1)));
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = Vec::with_capacity(cuts.len() + 1);
    let mut start = None;
    for c in cuts {
        out.push((start, Some(c - 1)));
        start = Some(c);
    }
    out.push((start, None));
    out
}

/// Every entry of the timeline, by the position of its declaration.
pub fn by_position<'t, 'd>(t: &'t Timeline<'d>) -> Vec<&'t Entry<'d>> {
    let mut out: Vec<&Entry> = t.entries.values().flat_map(|l| l.iter()).collect();
    out.sort_by_key(|e| e.decl.span);
    out
}

/// The entries in force throughout a segment, by position (`all` from `by_position`).
pub fn in_force<'t, 'd>(
    all: &[&'t Entry<'d>],
    seg: (Option<Day>, Option<Day>),
) -> Vec<&'t Entry<'d>> {
    all.iter()
        .copied()
        .filter(|e| {
            e.from.is_none_or(|f| seg.0.is_some_and(|s| f <= s))
                && e.until.is_none_or(|u| seg.1.is_some_and(|s| s <= u))
        })
        .collect()
}
