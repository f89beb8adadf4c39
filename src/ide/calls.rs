//! Call hierarchy: what a rule, table, parameter or fact is used by (incoming) and what a
//! rule, exception or reasons declaration depends on (outgoing: the rules, tables,
//! parameters, facts and calendars its body names, and the exceptions that can override it).
//! Read from the symbol index, so it follows the checker's resolution of every name.

use super::index::{DeclEntry, DeclWhat};
use super::Analysis;
use crate::check::Symbol;
use crate::source::{FileId, Span};
use crate::syntax::ast::DeclKind;

/// One declaration in the hierarchy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallItem {
    pub name: String,
    pub what: DeclWhat,
    /// `rule (in amendment_2026 from 2026-03-10)`, for the item's detail.
    pub detail: String,
    pub span: Span,
    pub name_span: Span,
}

/// A caller or a callee, and where in the caller the name is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub item: CallItem,
    pub at: Vec<Span>,
}

/// Declarations that take part in the hierarchy: those whose value is computed or given.
fn takes_part(what: DeclWhat) -> bool {
    matches!(
        what,
        DeclWhat::Rule
            | DeclWhat::Exception
            | DeclWhat::Reasons
            | DeclWhat::Table
            | DeclWhat::Parameter
            | DeclWhat::Fact
            | DeclWhat::Calendar
            | DeclWhat::Test
            | DeclWhat::Example
    )
}

fn item(d: &DeclEntry) -> CallItem {
    let detail = match &d.provision {
        Some(p) => format!(
            "{} ({} in {} from {})",
            d.what.word(),
            p.action,
            p.amendment,
            crate::time::date::format(p.from)
        ),
        None => d.what.word().to_string(),
    };
    CallItem {
        name: d.name.clone(),
        what: d.what,
        detail,
        span: d.span,
        name_span: d.name_span,
    }
}

/// The declarations of the name at `offset` (a use or a declaration), baseline first.
pub fn prepare_call_hierarchy(a: &Analysis, file: FileId, offset: u32) -> Vec<CallItem> {
    let Some(occ) = a.index.occurrence_at(file, offset) else {
        return Vec::new();
    };
    let Symbol::Decl(_) = &occ.symbol else {
        return Vec::new();
    };
    a.index
        .declarations(&occ.symbol)
        .into_iter()
        .filter(|d| takes_part(d.what))
        .map(item)
        .collect()
}

/// The innermost declaration taking part in the hierarchy that holds `span` (a provision's
/// declaration rather than its amendment).
fn container(a: &Analysis, span: Span) -> Option<&DeclEntry> {
    a.index
        .decls
        .iter()
        .filter(|d| matches!(d.symbol, Symbol::Decl(_)) && takes_part(d.what))
        .filter(|d| {
            d.span.file == span.file && d.span.start <= span.start && span.end <= d.span.end
        })
        .min_by_key(|d| d.span.end - d.span.start)
}

/// Group `(holder, span)` pairs by holder, in order of first appearance.
fn grouped<'a>(pairs: impl Iterator<Item = (&'a DeclEntry, Span)>) -> Vec<Call> {
    let mut out: Vec<Call> = Vec::new();
    for (d, span) in pairs {
        let it = item(d);
        match out.iter_mut().find(|c| c.item == it) {
            Some(c) => c.at.push(span),
            None => out.push(Call {
                item: it,
                at: vec![span],
            }),
        }
    }
    out
}

/// What uses `name`: each declaration whose text names it, with where.
pub fn incoming_calls(a: &Analysis, name: &str) -> Vec<Call> {
    let symbol = Symbol::Decl(name.to_string());
    let uses = a
        .index
        .references(&symbol)
        .into_iter()
        .filter(|o| !o.is_declaration)
        .filter_map(|o| Some((container(a, o.span)?, o.span)));
    grouped(uses)
}

/// What a declaration depends on: the declared names its text uses (each once, with
/// where), then the exceptions written to it (at its own name: they override it there).
pub fn outgoing_calls(a: &Analysis, of: &CallItem) -> Vec<Call> {
    let (name, span) = (of.name.as_str(), of.span);
    let mut pairs: Vec<(&DeclEntry, Span)> = Vec::new();
    for o in &a.index.occurrences {
        let inside =
            o.span.file == span.file && span.start <= o.span.start && o.span.end <= span.end;
        if !inside || o.is_declaration {
            continue;
        }
        let Symbol::Decl(target) = &o.symbol else {
            continue;
        };
        if target == name {
            continue;
        }
        let Some(d) = a
            .index
            .declarations(&o.symbol)
            .into_iter()
            .find(|d| takes_part(d.what))
        else {
            continue;
        };
        pairs.push((d, o.span));
    }
    let mut calls = grouped(pairs.into_iter());
    for d in a
        .index
        .decls
        .iter()
        .filter(|d| d.what == DeclWhat::Exception)
    {
        let target = a.index.decl_node(d).and_then(|n| match &n.kind {
            DeclKind::Exception(x) => Some(&x.target),
            _ => None,
        });
        if target.is_some_and(|t| t.name == name) {
            calls.push(Call {
                item: item(d),
                at: vec![of.name_span],
            });
        }
    }
    calls
}
