//! The declarations shared by every version: sources, enums, records, facts and the
//! amendments themselves.

use super::expr::ExprCx;
use super::names::{Globals, Symbol, VersionNames};
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::*;
use crate::source::Span;
use crate::syntax::ast::{self, DeclKind};
use rustc_hash::FxHashMap as HashMap;

/// A source whose `file` is not in the `sources/` folder that was read: its quotes cannot be
/// checked (Z0504 stays silent), so say it once, at the source.
fn missing_file(g: &mut Globals, m: &ast::Metadata) {
    if !g.map.legal_texts_read() {
        return;
    }
    let Some((key, file)) = m.entries.iter().find(|(k, _)| k.name == "file") else {
        return;
    };
    if g.map.legal_text(file).is_some() {
        return;
    }
    g.error(
        Diagnostic::new(
            Code::SourceFileMissing,
            key.span,
            format!("`{file}` is not in the rulebook's `sources/` folder"),
        )
        .label("no such legal text")
        .with_secondary(
            m.name.span,
            "its citations are not checked against the text",
        )
        .help(format!(
            "put the text of `{}` in `sources/{file}`, or correct the file name",
            m.name.name
        )),
    );
}

/// The built-in enum `weekday`, after the rulebook's enums: the type of `weekday(d)` and of a
/// fact or field declared `weekday`. Its values are named only where a weekday is expected
/// (`weekday(d) is saturday`), so a rulebook's own enum may still have a value `monday`.
fn declare_weekday(g: &mut Globals) {
    g.schema.weekday = Some(g.schema.enums.len() as EnumId);
    g.schema.enums.push(EnumInfo {
        name: WEEKDAY_ENUM.into(),
        span: Span::default(),
        doc: Some("A day of the week, as `weekday(d)` gives it.".into()),
        variants: crate::time::date::Weekday::ALL
            .iter()
            .map(|w| VariantInfo {
                name: w.name().into(),
                label: None,
                span: Span::default(),
            })
            .collect(),
    });
}

/// Register the schema: ids first (records may refer to each other), then field types.
pub fn declare(g: &mut Globals, decls: &[&ast::Declaration]) {
    let mut seen: HashMap<String, Span> = HashMap::default();
    for d in decls {
        let name = d.kind.name();
        let global = matches!(
            d.kind,
            DeclKind::Source(_) | DeclKind::Enum(_) | DeclKind::Record(_) | DeclKind::Fact(_)
        );
        if !global {
            continue;
        }
        if let Some(prev) = seen.get(&name.name) {
            g.error(
                Diagnostic::new(
                    Code::DuplicateDeclaration,
                    name.span,
                    format!("`{}` is declared twice", name.name),
                )
                .label("second declaration")
                .with_secondary(*prev, "first declared here")
                .help("every enum, record, fact and source needs its own name"),
            );
            continue;
        }
        seen.insert(name.name.clone(), name.span);
        match &d.kind {
            DeclKind::Source(m) => {
                g.source_ids
                    .insert(m.name.name.clone(), g.sources.len() as SourceId);
                g.sources.push(SourceInfo {
                    name: m.name.name.clone(),
                    title: m.get("title").map(str::to_string),
                    file: m.get("file").map(str::to_string),
                    span: m.name.span,
                });
                missing_file(g, m);
            }
            DeclKind::Enum(e) => {
                g.enum_ids
                    .insert(e.name.name.clone(), g.schema.enums.len() as EnumId);
                let info = enum_info(g, e, d.doc.clone());
                g.schema.enums.push(info);
            }
            DeclKind::Record(r) => {
                g.record_ids
                    .insert(r.name.name.clone(), g.schema.records.len() as RecordId);
                g.schema.records.push(RecordInfo {
                    name: r.name.name.clone(),
                    span: r.name.span,
                    doc: d.doc.clone(),
                    fields: Vec::new(),
                });
            }
            _ => {}
        }
    }
    declare_weekday(g);
    for d in decls {
        match &d.kind {
            DeclKind::Record(r) => {
                let Some(&id) = g.record_ids.get(&r.name.name) else {
                    continue;
                };
                if g.schema
                    .records
                    .get(id as usize)
                    .is_some_and(|x| x.span != r.name.span)
                {
                    continue;
                }
                let fields = fields(g, &r.name.name, &r.fields);
                if let Some(rec) = g.schema.records.get_mut(id as usize) {
                    rec.fields = fields;
                }
            }
            DeclKind::Fact(f) if seen.get(&f.name.name) == Some(&f.name.span) => {
                let mut info = fields(g, "fact", std::slice::from_ref(f));
                // A fact's `///` comment belongs to its declaration, not to a field.
                for i in &mut info {
                    i.doc = i.doc.take().or_else(|| d.doc.clone());
                }
                g.fact_ids
                    .insert(f.name.name.clone(), g.schema.facts.len() as u32);
                g.schema.facts.extend(info);
            }
            _ => {}
        }
    }
}

fn enum_info(g: &mut Globals, e: &ast::EnumDecl, doc: Option<String>) -> EnumInfo {
    let mut variants: Vec<VariantInfo> = Vec::new();
    for v in &e.variants {
        if let Some(prev) = variants.iter().find(|x| x.name == v.name.name) {
            g.error(
                Diagnostic::new(
                    Code::DuplicateDeclaration,
                    v.name.span,
                    format!("`{}` is listed twice in `{}`", v.name.name, e.name.name),
                )
                .with_secondary(prev.span, "first listed here")
                .help("remove the repeated value"),
            );
            continue;
        }
        variants.push(VariantInfo {
            name: v.name.name.clone(),
            label: v.label.clone(),
            span: v.name.span,
        });
    }
    EnumInfo {
        name: e.name.name.clone(),
        span: e.name.span,
        doc,
        variants,
    }
}

fn fields(g: &mut Globals, owner: &str, decls: &[ast::FieldDecl]) -> Vec<FieldInfo> {
    let mut out: Vec<FieldInfo> = Vec::new();
    for f in decls {
        if let Some(prev) = out.iter().find(|x| x.name == f.name.name) {
            g.error(
                Diagnostic::new(
                    Code::DuplicateDeclaration,
                    f.name.span,
                    format!("field `{}` of `{owner}` is declared twice", f.name.name),
                )
                .with_secondary(prev.span, "first declared here")
                .help("remove or rename one of them"),
            );
            continue;
        }
        let ty = g.resolve_type(&f.ty);
        let default = f.default.as_ref().and_then(|e| constant(g, e, &ty));
        out.push(FieldInfo {
            name: f.name.name.clone(),
            ty,
            default,
            span: f.name.span,
            doc: f.doc.clone(),
        });
    }
    out
}

/// A constant of a type, such as a default value. Reports when `e` is not constant.
pub fn constant(g: &mut Globals, e: &ast::Expr, ty: &Type) -> Option<crate::value::Value> {
    let names = VersionNames::default();
    let mut cx = ExprCx::new(g, &names);
    cx.facts_allowed = false;
    match cx.expect(e, ty) {
        Ex::Const(v) => Some(v),
        _ => {
            g.error(
                Diagnostic::new(
                    Code::TypeMismatch,
                    e.span,
                    "a constant value is needed here",
                )
                .help("defaults are values such as `false`, `0`, `[]` or an enum value"),
            );
            None
        }
    }
}

pub fn amendments<'d>(
    g: &mut Globals,
    decls: &[&'d ast::Declaration],
) -> Vec<(AmendmentId, &'d ast::AmendmentDecl)> {
    let mut out = Vec::new();
    let mut seen: HashMap<&str, Span> = HashMap::default();
    for d in decls {
        let DeclKind::Amendment(a) = &d.kind else {
            continue;
        };
        if let Some(prev) = seen.get(a.name.name.as_str()) {
            g.error(
                Diagnostic::new(
                    Code::DuplicateDeclaration,
                    a.name.span,
                    format!("amendment `{}` is declared twice", a.name.name),
                )
                .with_secondary(*prev, "first declared here")
                .help("give each amendment its own name"),
            );
            continue;
        }
        seen.insert(&a.name.name, a.name.span);
        if a.citations.is_empty() {
            g.error(
                Diagnostic::new(
                    Code::MissingCitation,
                    a.name.span,
                    format!("amendment `{}` cites no source", a.name.name),
                )
                .help("cite the act that makes the amendment: `cites SOURCE \"...\"`"),
            );
        }
        let citations = g.citations(&a.citations);
        let id = g.amendments.len() as AmendmentId;
        g.amendments.push(AmendmentInfo {
            name: a.name.name.clone(),
            in_force: a.in_force,
            citations,
            span: a.name.span,
        });
        out.push((id, a));
    }
    out
}

/// The fact path (as field slots) that gives the evaluation date.
pub fn as_of_path(g: &mut Globals, header: &ast::Metadata) -> (Option<Vec<u32>>, Option<String>) {
    let Some(path) = &header.as_of else {
        return (None, None);
    };
    let text = path
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(".");
    let mut slots = Vec::new();
    let mut ty: Option<Type> = None;
    for (i, seg) in path.iter().enumerate() {
        let owner = match &ty {
            Some(Type::Record(r)) => g.schema.records.get(*r as usize).map(|r| r.name.clone()),
            _ => None,
        };
        let next = if i == 0 {
            g.fact_ids
                .get(&seg.name)
                .map(|&s| (s, g.schema.facts[s as usize].ty.clone()))
        } else {
            match &ty {
                Some(Type::Record(r)) => g.schema.records.get(*r as usize).and_then(|rec| {
                    rec.fields
                        .iter()
                        .position(|f| f.name == seg.name)
                        .map(|p| (p as u32, rec.fields[p].ty.clone()))
                }),
                _ => None,
            }
        };
        match next {
            Some((slot, t)) => {
                slots.push(slot);
                ty = Some(t);
                g.used.insert(seg.name.clone());
                g.refer(seg, || match owner {
                    Some(record) => Symbol::Field {
                        record,
                        field: seg.name.clone(),
                    },
                    None => Symbol::Decl(seg.name.clone()),
                });
            }
            None => {
                g.error(
                    Diagnostic::new(
                        Code::UnknownName,
                        seg.span,
                        format!("`{text}` is not a fact of the case"),
                    )
                    .help("`as of` names a date fact, such as `application.submitted_on`"),
                );
                return (None, None);
            }
        }
    }
    if !matches!(ty, Some(Type::Date) | Some(Type::Optional(_))) {
        let span = path.last().map_or(header.name.span, |p| p.span);
        g.error(
            Diagnostic::new(Code::TypeMismatch, span, format!("`{text}` is not a date"))
                .help("`as of` names the date fact that gives the evaluation date"),
        );
        return (None, None);
    }
    (Some(slots), Some(text))
}
