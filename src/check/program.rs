//! Building the resolved program of one version: assigning ids to the declarations in
//! force, then checking and lowering each of them.

use super::expr::ExprCx;
use super::names::{Globals, VersionNames};
use super::share::{Ids, Sharing};
use super::versions::Entry;
use super::{data, history, rules};
use crate::ir::*;
use crate::source::Span;
use crate::syntax::ast::DeclKind;
use crate::time::calendar::Calendar;
use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

/// Calendars compiled once for all versions, with their citations.
pub type CalendarCache = HashMap<Span, (Arc<Calendar>, Vec<Citation>)>;

/// The program of one version, its names, and the entries behind its ids. What the previous
/// version checked without a diagnostic and this one did not change is copied (`share`).
pub fn build<'d>(
    g: &mut Globals,
    entries: &[&Entry<'d>],
    calendars: &mut CalendarCache,
    share: &mut Sharing<'d>,
) -> (Program, VersionNames, Ids) {
    let mut names = VersionNames::default();
    let mut program = Program::default();
    let mut ids = Ids::default();
    let mut rule_entries = Vec::new();
    let mut exceptions = Vec::new();
    share.begin(entries);
    for e in entries {
        match &e.decl.kind {
            DeclKind::Rule(r) => {
                let ty = g.resolve_type(&r.ty);
                names
                    .rules
                    .insert(r.name.name.clone(), (rule_entries.len() as RuleId, ty));
                rule_entries.push(*e);
                ids.rules.push(e.decl.span);
            }
            DeclKind::Reasons(r) => {
                let id = rule_entries.len() as RuleId;
                names.rules.insert(
                    r.name.name.clone(),
                    (id, Type::List(Box::new(Type::Reason))),
                );
                for (i, item) in r.items.iter().enumerate() {
                    names
                        .reasons
                        .entry(item.code.name.clone())
                        .or_default()
                        .push((id, i as u32));
                }
                rule_entries.push(*e);
                ids.rules.push(e.decl.span);
            }
            DeclKind::Exception(x) => {
                names.exceptions.insert(x.name.name.clone());
                exceptions.push(*e);
            }
            DeclKind::Table(t) => {
                let keys: Vec<Type> = t.keys.iter().map(|(_, ty)| g.resolve_type(ty)).collect();
                let ty = g.resolve_type(&t.ty);
                names.tables.insert(
                    t.name.name.clone(),
                    (program.tables.len() as TableId, keys.clone(), ty.clone()),
                );
                ids.tables.push(e.decl.span);
                program.tables.push(TableIr {
                    name: t.name.name.clone(),
                    span: t.name.span,
                    keys,
                    ty,
                    lookup: TableLookup::Rows {
                        rows: Vec::new(),
                        order: None,
                    },
                    values: Vec::new(),
                    otherwise: None,
                    citations: Vec::new(),
                    rows: Vec::new(),
                    otherwise_part: None,
                });
            }
            DeclKind::Parameter(p) => {
                let ty = g.resolve_type(&p.ty);
                names.params.insert(
                    p.name.name.clone(),
                    (program.params.len() as ParamId, ty.clone()),
                );
                ids.params.push(e.decl.span);
                program.params.push(ParamIr {
                    name: p.name.name.clone(),
                    span: p.name.span,
                    ty,
                    values: Vec::new(),
                    citations: Vec::new(),
                    parts: Vec::new(),
                    gaps: Vec::new(),
                });
            }
            DeclKind::Calendar(c) => {
                let (calendar, citations) = match calendars.get(&e.decl.span) {
                    Some(cal) => cal.clone(),
                    None => {
                        let (cal, citations) = data::calendar(g, c);
                        let compiled = (Arc::new(cal), citations);
                        calendars.insert(e.decl.span, compiled.clone());
                        compiled
                    }
                };
                names
                    .calendars
                    .insert(c.name.name.clone(), program.calendars.len() as CalendarId);
                ids.calendars.push(e.decl.span);
                program.calendars.push(CalendarIr {
                    name: c.name.name.clone(),
                    span: c.name.span,
                    calendar,
                    citations,
                });
            }
            _ => {}
        }
    }
    share.ids(&ids);
    for e in entries {
        let key = e.decl.span;
        match &e.decl.kind {
            DeclKind::Table(t) => {
                if let Some((id, keys, ty)) = names.tables.get(&t.name.name).cloned() {
                    let before = g.diags.len();
                    program.tables[id as usize] = match share.table(key) {
                        Some(table) => table,
                        None => {
                            let mut cx = ExprCx::new(g, &names);
                            data::table(&mut cx, t, &keys, &ty)
                        }
                    };
                    if g.diags.len() == before {
                        share.clean_table(key, id);
                    }
                }
            }
            DeclKind::Parameter(p) => {
                if let Some((id, ty)) = names.params.get(&p.name.name).cloned() {
                    let before = g.diags.len();
                    if let Some(param) = share.param(key) {
                        program.params[id as usize] = param;
                    } else {
                        let mut cx = ExprCx::new(g, &names);
                        let (values, parts, gaps) =
                            history::parameter_history(&mut cx, p, e.history.as_deref(), &ty);
                        let citations = cx.g.citations(&p.citations);
                        let param = &mut program.params[id as usize];
                        param.values = values;
                        param.parts = parts;
                        param.gaps = gaps;
                        param.citations = citations;
                    }
                    if g.diags.len() == before {
                        share.clean_param(key, id);
                    }
                }
            }
            _ => {}
        }
    }
    let (compiled, locals) = rules::compile(g, &names, &rule_entries, &exceptions, share);
    program.rules = compiled;
    program.locals = locals;
    program.outputs = program
        .rules
        .iter()
        .enumerate()
        .filter(|(_, r)| r.output)
        .map(|(i, _)| i as RuleId)
        .collect();
    (program, names, ids)
}
