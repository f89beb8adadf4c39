//! The outline of a file (document symbols), workspace symbol search, and walks over the
//! expressions and citations of a declaration used by the other features.

use super::index::{DeclEntry, DeclWhat};
use super::Analysis;
use crate::source::{FileId, Span};
use crate::syntax::ast::{self, DeclKind, ExprKind};

/// One entry of an outline.
#[derive(Clone, Debug)]
pub struct Outline {
    pub name: String,
    pub what: DeclWhat,
    /// A short detail: the type, or the amendment and date of a provision.
    pub detail: String,
    /// The declaration holding it (the enum of a value, the amendment of a provision), or
    /// else its file's name: a workspace symbol's `containerName`.
    pub container: String,
    pub span: Span,
    pub name_span: Span,
    pub children: Vec<Outline>,
}

/// The declarations of a file as a tree: enum values, record fields, reason codes and an
/// amendment's provisions under their declaration.
pub fn document_symbols(a: &Analysis, file: FileId) -> Vec<Outline> {
    // The index lists a declaration, then its values, fields or reasons, and an amendment
    // then the declarations of its provisions: a tree in one pass.
    let mut out: Vec<Outline> = Vec::new();
    for d in a.index.decls.iter().filter(|d| d.name_span.file == file) {
        let node = outline_of(a, d);
        let in_provision = d.provision.is_some();
        match d.what {
            DeclWhat::Variant | DeclWhat::Field | DeclWhat::Reason => {
                let parent = match out.last_mut() {
                    Some(am) if in_provision => am.children.last_mut(),
                    other => other,
                };
                if let Some(p) = parent {
                    p.children.push(node);
                }
            }
            _ if in_provision => {
                if let Some(am) = out.last_mut() {
                    am.children.push(node);
                }
            }
            _ => out.push(node),
        }
    }
    out
}

fn outline_of(a: &Analysis, d: &DeclEntry) -> Outline {
    Outline {
        name: d.name.clone(),
        what: d.what,
        detail: detail(a, d),
        container: container(a, d),
        span: d.span,
        name_span: d.name_span,
        children: Vec::new(),
    }
}

fn container(a: &Analysis, d: &DeclEntry) -> String {
    let holder = match d.what {
        DeclWhat::Variant | DeclWhat::Field | DeclWhat::Reason => {
            a.index.decl_node(d).map(|n| n.kind.name().name.clone())
        }
        _ => d.provision.as_ref().map(|p| p.amendment.clone()),
    };
    holder.unwrap_or_else(|| {
        a.map
            .get(d.name_span.file)
            .map_or_else(String::new, |f| f.name.clone())
    })
}

fn detail(a: &Analysis, d: &DeclEntry) -> String {
    if let Some(p) = &d.provision {
        return format!("{} from {}", p.action, crate::time::date::format(p.from));
    }
    let Some(node) = a.index.decl_node(d) else {
        return String::new();
    };
    match (&node.kind, d.what) {
        (DeclKind::Fact(f), _) => a.map.snippet(f.ty.span).to_string(),
        (DeclKind::Rule(r), _) => a.map.snippet(r.ty.span).to_string(),
        (DeclKind::Parameter(p), _) => a.map.snippet(p.ty.span).to_string(),
        (DeclKind::Table(t), _) => format!("-> {}", a.map.snippet(t.ty.span)),
        (DeclKind::Exception(x), _) => format!("to {}", x.target.name),
        _ => String::new(),
    }
}

/// Declarations across the rulebook whose name contains every character of `query` in
/// order (case-insensitive), best matches first.
pub fn workspace_symbols(a: &Analysis, query: &str) -> Vec<Outline> {
    let q = query.to_lowercase();
    let mut hits: Vec<(usize, Outline)> = a
        .index
        .decls
        .iter()
        .filter_map(|d| score(&d.name.to_lowercase(), &q).map(|s| (s, outline_of(a, d))))
        .collect();
    hits.sort_by(|x, y| x.0.cmp(&y.0).then_with(|| x.1.name.cmp(&y.1.name)));
    hits.truncate(200);
    hits.into_iter().map(|(_, o)| o).collect()
}

/// Lower is better: 0 for a prefix, 1 for a substring, 2 for a subsequence.
fn score(name: &str, q: &str) -> Option<usize> {
    if name.starts_with(q) {
        return Some(0);
    }
    if name.contains(q) {
        return Some(1);
    }
    let mut chars = name.chars();
    q.chars().all(|c| chars.any(|n| n == c)).then_some(2)
}

/// Call `f` on every expression of a declaration (outer before inner).
pub fn each_expr<'a>(d: &'a ast::Declaration, f: &mut dyn FnMut(&'a ast::Expr)) {
    let mut exprs: Vec<&'a ast::Expr> = Vec::new();
    top_exprs(d, &mut exprs);
    while let Some(e) = exprs.pop() {
        f(e);
        children(e, &mut exprs);
    }
}

fn top_exprs<'a>(d: &'a ast::Declaration, out: &mut Vec<&'a ast::Expr>) {
    match &d.kind {
        DeclKind::Record(r) => out.extend(r.fields.iter().filter_map(|f| f.default.as_ref())),
        DeclKind::Fact(f) => out.extend(f.default.iter()),
        DeclKind::Parameter(p) => out.extend(p.values.iter().map(|v| &v.value)),
        DeclKind::Table(t) => {
            for row in &t.rows {
                for k in &row.keys {
                    pattern_exprs(k, out);
                }
                out.push(&row.value);
            }
            out.extend(t.otherwise.iter().map(|(e, _, _)| e));
        }
        DeclKind::Rule(r) => match &r.body {
            ast::RuleBody::Expr(e) => out.push(e),
            ast::RuleBody::Cases { cases, otherwise } => {
                for c in cases {
                    out.push(&c.condition);
                    out.push(&c.value);
                }
                out.extend(otherwise.iter().map(|o| &o.value));
            }
        },
        DeclKind::Exception(x) => {
            for c in &x.cases {
                out.push(&c.condition);
                out.push(&c.value);
            }
        }
        DeclKind::Reasons(r) => out.extend(r.items.iter().map(|i| &i.condition)),
        DeclKind::Amendment(a) => {
            for p in &a.provisions {
                if let ast::ProvisionAction::Add(d) | ast::ProvisionAction::Replace(d) = &p.action {
                    top_exprs(d, out);
                }
            }
        }
        DeclKind::Example(x) => out.push(&x.facts),
        DeclKind::Test(t) => {
            for item in &t.items {
                match item {
                    ast::TestItem::GivenFacts(e) | ast::TestItem::Set(_, e) => out.push(e),
                    ast::TestItem::Expect { value: Some(v), .. } => out.push(v),
                    _ => {}
                }
            }
        }
        DeclKind::Rulebook(_) | DeclKind::Source(_) | DeclKind::Enum(_) | DeclKind::Calendar(_) => {
        }
    }
}

fn pattern_exprs<'a>(p: &'a ast::PatternAlt, out: &mut Vec<&'a ast::Expr>) {
    for alt in &p.alternatives {
        if let ast::Pattern::Value(e) = alt {
            out.push(e);
        }
    }
}

fn children<'a>(e: &'a ast::Expr, out: &mut Vec<&'a ast::Expr>) {
    match &e.kind {
        ExprKind::Field(b, _) => out.push(b),
        ExprKind::AsOf(x, y) | ExprKind::Binary(_, x, y) => {
            out.push(x);
            out.push(y);
        }
        ExprKind::Presence { value, .. } => out.push(value),
        ExprKind::Unary(_, x) => out.push(x),
        ExprKind::If(c, t, f) => out.extend([&**c, &**t, &**f]),
        ExprKind::Match(x, arms) => {
            out.push(x);
            for arm in arms {
                if let Some(p) = &arm.pattern {
                    pattern_exprs(p, out);
                }
                out.push(&arm.value);
            }
        }
        ExprKind::Quantified { list, body, .. } => {
            out.push(list);
            out.push(body);
        }
        ExprKind::List(items) | ExprKind::Call(_, items) => out.extend(items.iter()),
        ExprKind::Record(fields) => out.extend(fields.iter().map(|(_, v)| v)),
        _ => {}
    }
}

/// Call `f` on every citation of a declaration, its cases, rows, values and provisions.
pub fn each_citation<'a>(d: &'a ast::Declaration, f: &mut dyn FnMut(&'a ast::Citation)) {
    for c in d.kind.citations() {
        f(c);
    }
    match &d.kind {
        DeclKind::Parameter(p) => p
            .values
            .iter()
            .filter_map(|v| v.citation.as_ref())
            .for_each(f),
        DeclKind::Table(t) => {
            t.rows
                .iter()
                .filter_map(|r| r.citation.as_ref())
                .for_each(&mut *f);
            if let Some((_, Some(c), _)) = &t.otherwise {
                f(c);
            }
        }
        DeclKind::Calendar(c) => c
            .entries
            .iter()
            .filter_map(|e| e.citation.as_ref())
            .for_each(f),
        DeclKind::Rule(r) => {
            if let ast::RuleBody::Cases { cases, otherwise } = &r.body {
                cases
                    .iter()
                    .filter_map(|c| c.citation.as_ref())
                    .for_each(&mut *f);
                if let Some(Some(c)) = otherwise.as_ref().map(|o| o.citation.as_ref()) {
                    f(c);
                }
            }
        }
        DeclKind::Exception(x) => x
            .cases
            .iter()
            .filter_map(|c| c.citation.as_ref())
            .for_each(f),
        DeclKind::Reasons(r) => r
            .items
            .iter()
            .filter_map(|i| i.citation.as_ref())
            .for_each(f),
        DeclKind::Amendment(a) => {
            for p in &a.provisions {
                match &p.action {
                    ast::ProvisionAction::Add(d) | ast::ProvisionAction::Replace(d) => {
                        each_citation(d, &mut *f)
                    }
                    ast::ProvisionAction::Repeal {
                        citation: Some(c), ..
                    } => f(c),
                    _ => {}
                }
            }
        }
        _ => {}
    }
}
