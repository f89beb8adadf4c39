//! Quick fixes that need more than the diagnostic's own did-you-mean: the closest example
//! names for an unknown example in `given`, a skeleton of a missing example, the closest
//! sentence of the source for a quote not found in it (Z0504), and the declaration of a
//! missing fact whose type its uses tell (a record from the fields read on it, an enum from
//! the values it is compared with, a date, an amount, a number or a yes/no from the literals).
//! Values a fix cannot know are written `absent`, which the checker flags until the analyst
//! writes them: a quick fix never guesses a case's facts.

use super::actions::CodeAction;
use super::index::DeclWhat;
use super::{Analysis, Edit};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast::{self, BinaryOp, DeclKind, ExprKind};

/// How many close names a fix offers at most.
const CLOSEST: usize = 3;

/// The fixes of one diagnostic beyond its did-you-mean.
pub fn fixes(a: &Analysis, d: &Diagnostic) -> Vec<CodeAction> {
    match d.code {
        Code::InvalidTest if d.message.starts_with("there is no example ") => missing_example(a, d),
        Code::QuoteNotInSource => closest_quote(a, d).into_iter().collect(),
        Code::UnknownName => missing_fact(a, d),
        _ => Vec::new(),
    }
}

fn action(title: String, edits: Vec<Edit>, d: &Diagnostic, preferred: bool) -> CodeAction {
    CodeAction {
        title,
        edits,
        fixes: Some(d.clone()),
        preferred,
    }
}

/// The names closest to `name` by edit distance, closest first (at most `CLOSEST`).
fn closest<'n>(name: &str, candidates: impl Iterator<Item = &'n str>) -> Vec<&'n str> {
    let mut all: Vec<&str> = candidates.collect();
    all.sort_unstable();
    all.dedup();
    let mut out = Vec::new();
    while out.len() < CLOSEST {
        let rest = all.iter().copied().filter(|c| !out.contains(c));
        match crate::diagnostics::suggest(name, rest) {
            Some(c) => out.push(c),
            None => break,
        }
    }
    out
}

/// `given exmaple`: the closest examples, and an example of that name to fill in.
fn missing_example(a: &Analysis, d: &Diagnostic) -> Vec<CodeAction> {
    let span = d.primary.span;
    let name = a.map.snippet(span).to_string();
    let examples = a
        .index
        .globals()
        .filter(|e| e.what == DeclWhat::Example)
        .map(|e| e.name.as_str());
    let mut out: Vec<CodeAction> = closest(&name, examples)
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let edit = Edit {
                span,
                text: e.to_string(),
            };
            action(format!("Use example `{e}`"), vec![edit], d, i == 0)
        })
        .collect();
    if let Some(edit) = example_skeleton(a, span, &name) {
        out.push(action(
            format!("Create example `{name}` with the rulebook's facts"),
            vec![edit],
            d,
            false,
        ));
    }
    out
}

/// `example NAME { fact: … }` before the declaration holding `at`, with every fact and the
/// required fields of its record.
fn example_skeleton(a: &Analysis, at: Span, name: &str) -> Option<Edit> {
    if !super::is_identifier(name) {
        return None;
    }
    let holder = (0..a.index.top.len())
        .filter_map(|i| a.index.top_decl(i))
        .find(|d| d.span.file == at.file && d.span.start <= at.start && at.end <= d.span.end)?;
    let text = a.text(at.file);
    let start = holder.span.start as usize;
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    // Above the holder's doc comment, which belongs to it.
    let mut insert_at = line_start;
    while insert_at > 0 {
        let prev_start = text[..insert_at - 1].rfind('\n').map_or(0, |i| i + 1);
        if !text[prev_start..insert_at].trim_start().starts_with("///") {
            break;
        }
        insert_at = prev_start;
    }
    let mut body = format!("example {name} {{\n");
    for f in a.index.globals().filter(|g| g.what == DeclWhat::Fact) {
        let Some(node) = a.index.decl_node(f) else {
            continue;
        };
        let DeclKind::Fact(fact) = &node.kind else {
            continue;
        };
        if fact.default.is_some() || fact.ty.optional {
            continue;
        }
        body.push_str(&format!(
            "  {}: {}\n",
            fact.name.name,
            placeholder(a, &fact.ty, 0)
        ));
    }
    body.push_str("}\n\n");
    Some(Edit {
        span: Span::new(at.file, insert_at, insert_at),
        text: body,
    })
}

/// `absent`, or for a record its required fields, each `absent` (two levels deep).
fn placeholder(a: &Analysis, ty: &ast::TypeExpr, depth: usize) -> String {
    let ast::TypeKind::Named(id) = &ty.kind else {
        return "absent".into();
    };
    let record = match a.index.declaration_of(&id.name) {
        Some((
            _,
            ast::Declaration {
                kind: DeclKind::Record(r),
                ..
            },
        )) if depth < 2 => r,
        _ => return "absent".into(),
    };
    let fields: Vec<String> = record
        .fields
        .iter()
        .filter(|f| f.default.is_none() && !f.ty.optional)
        .map(|f| format!("{}: {}", f.name.name, placeholder(a, &f.ty, depth + 1)))
        .collect();
    format!("{{ {} }}", fields.join(", "))
}

/// Z0504: replace the quote by the source's sentence closest to it.
fn closest_quote(a: &Analysis, d: &Diagnostic) -> Option<CodeAction> {
    let span = d.primary.span;
    let citation = citation_at(a, span)?;
    let quote = citation.quote.as_deref()?;
    let sentence = super::quotes::closest_sentence(a, &citation.source.name, quote)?;
    let written = a.map.snippet(span);
    let open = written.find('"')?;
    let close = written.rfind('"')?;
    if close <= open {
        return None;
    }
    let start = span.start as usize + open;
    let end = span.start as usize + close + 1;
    let edit = Edit {
        span: Span::new(span.file, start, end),
        text: format!("\"{}\"", super::quotes::escape(&sentence)),
    };
    Some(action(
        format!("Quote the source's sentence “{}”", short(&sentence)),
        vec![edit],
        d,
        true,
    ))
}

fn short(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() <= MAX {
        return s.to_string();
    }
    let cut: String = s.chars().take(MAX).collect();
    format!("{cut}…")
}

/// The citation written at `span`.
fn citation_at(a: &Analysis, span: Span) -> Option<ast::Citation> {
    let mut found = None;
    for i in 0..a.index.top.len() {
        let Some(d) = a.index.top_decl(i) else {
            continue;
        };
        if d.span.file != span.file || d.span.end < span.start || span.end < d.span.start {
            continue;
        }
        super::outline::each_citation(d, &mut |c| {
            if c.span.start <= span.start && span.end <= c.span.end {
                found = Some(c.clone());
            }
        });
    }
    found
}

/// An unknown name read as a fact (`applicant.birth_date`): declare `fact NAME: TYPE` for each
/// type its uses allow. A name that is never read as a path or compared gives no fix here.
fn missing_fact(a: &Analysis, d: &Diagnostic) -> Vec<CodeAction> {
    let span = d.primary.span;
    let name = a.map.snippet(span).to_string();
    if !super::is_identifier(&name) || a.index.declaration_of(&name).is_some() {
        return Vec::new();
    }
    let uses = uses_of(a, &name);
    let Some((at, after)) = fact_insertion(a, span) else {
        return Vec::new();
    };
    types_for(a, &uses)
        .into_iter()
        .take(CLOSEST)
        .map(|ty| {
            let edit = Edit {
                span: at,
                text: format!("fact {name}: {ty}\n{after}"),
            };
            action(format!("Declare `fact {name}: {ty}`"), vec![edit], d, false)
        })
        .collect()
}

/// What the rulebook does with a name: the fields read on it, the values it is compared with.
#[derive(Default)]
struct Uses {
    fields: Vec<String>,
    compared: Vec<String>,
}

fn uses_of(a: &Analysis, name: &str) -> Uses {
    let mut uses = Uses::default();
    let is_name = |e: &ast::Expr| matches!(&e.kind, ExprKind::Name(id) if id.name == name);
    for i in 0..a.index.top.len() {
        let Some(d) = a.index.top_decl(i) else {
            continue;
        };
        super::outline::each_expr(d, &mut |e| match &e.kind {
            ExprKind::Field(base, f) if is_name(base) && !uses.fields.contains(&f.name) => {
                uses.fields.push(f.name.clone());
            }
            ExprKind::Binary(
                BinaryOp::Eq
                | BinaryOp::Ne
                | BinaryOp::Lt
                | BinaryOp::Le
                | BinaryOp::Gt
                | BinaryOp::Ge,
                l,
                r,
            ) => {
                let other = if is_name(l) {
                    Some(r)
                } else if is_name(r) {
                    Some(l)
                } else {
                    None
                };
                if let Some(ty) = other.and_then(|o| literal_type(a, o)) {
                    if !uses.compared.contains(&ty) {
                        uses.compared.push(ty);
                    }
                }
            }
            _ => {}
        });
    }
    uses
}

/// The type of a literal, or the enum of a value name (when one enum has it).
fn literal_type(a: &Analysis, e: &ast::Expr) -> Option<String> {
    Some(match &e.kind {
        ExprKind::Bool(_) => "bool".into(),
        ExprKind::Integer(_) => "integer".into(),
        ExprKind::Decimal(_) => "decimal".into(),
        ExprKind::Money(..) => "money".into(),
        ExprKind::Date(_) => "date".into(),
        ExprKind::Text(_) => "text".into(),
        ExprKind::Name(id) => {
            let enums: Vec<String> = a
                .index
                .decls
                .iter()
                .filter(|d| d.what == DeclWhat::Variant && d.name == id.name)
                .filter_map(|d| match &d.symbol {
                    crate::check::Symbol::Variant { enum_name, .. } => Some(enum_name.clone()),
                    _ => None,
                })
                .collect();
            match enums.as_slice() {
                [one] => one.clone(),
                _ => return None,
            }
        }
        _ => return None,
    })
}

/// Records that have every field read on the name; else the one type it is compared with.
fn types_for(a: &Analysis, uses: &Uses) -> Vec<String> {
    if !uses.fields.is_empty() {
        return a
            .index
            .globals()
            .filter(|d| d.what == DeclWhat::Record)
            .filter_map(|d| match a.index.decl_node(d).map(|n| &n.kind) {
                Some(DeclKind::Record(r))
                    if uses
                        .fields
                        .iter()
                        .all(|f| r.fields.iter().any(|rf| &rf.name.name == f)) =>
                {
                    Some(d.name.clone())
                }
                _ => None,
            })
            .collect();
    }
    match uses.compared.as_slice() {
        [one] => vec![one.clone()],
        _ => Vec::new(),
    }
}

/// Where a new fact goes: after the last fact of the file of the use, else before the
/// declaration holding the use (then followed by a blank line).
fn fact_insertion(a: &Analysis, at: Span) -> Option<(Span, &'static str)> {
    let text = a.text(at.file);
    let last_fact = a
        .index
        .globals()
        .filter(|d| d.what == DeclWhat::Fact && d.span.file == at.file && d.provision.is_none())
        .map(|d| d.span.end as usize)
        .max();
    let (offset, after) = match last_fact {
        Some(end) => (
            text[end..].find('\n').map_or(text.len(), |i| end + i + 1),
            "",
        ),
        None => {
            let holder = (0..a.index.top.len())
                .filter_map(|i| a.index.top_decl(i))
                .find(|d| {
                    d.span.file == at.file && d.span.start <= at.start && at.end <= d.span.end
                })?;
            let start = holder.span.start as usize;
            (text[..start].rfind('\n').map_or(0, |i| i + 1), "\n")
        }
    };
    Some((Span::new(at.file, offset, offset), after))
}
