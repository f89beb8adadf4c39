//! Document highlight: every place in the file where the name under the cursor is written,
//! each marked as a write (where it is declared, or given a value by a test's `set`) or a
//! read.

use super::Analysis;
use crate::source::{FileId, Span};
use crate::syntax::ast::{self, DeclKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// The places of the symbol at `offset` in `file`, in order.
pub fn document_highlights(a: &Analysis, file: FileId, offset: u32) -> Vec<(Span, Access)> {
    let Some(occ) = a.index.occurrence_at(file, offset) else {
        return Vec::new();
    };
    let written = written_spans(a, file);
    a.index
        .references(&occ.symbol)
        .into_iter()
        .filter(|o| o.span.file == file)
        .map(|o| {
            let access = if o.is_declaration || written.contains(&o.span) {
                Access::Write
            } else {
                Access::Read
            };
            (o.span, access)
        })
        .collect()
}

/// The names that are given a value in a file: the segments of `set` paths in tests, and the
/// facts an example (or a test's `given {…}`) gives.
fn written_spans(a: &Analysis, file: FileId) -> Vec<Span> {
    let mut out = Vec::new();
    for i in 0..a.index.top.len() {
        let Some(d) = a.index.top_decl(i) else {
            continue;
        };
        if d.span.file != file {
            continue;
        }
        match &d.kind {
            DeclKind::Test(t) => {
                for item in &t.items {
                    match item {
                        ast::TestItem::Set(path, _) => out.extend(path.iter().map(|seg| seg.span)),
                        ast::TestItem::GivenFacts(facts) => out.extend(fact_names(facts)),
                        _ => {}
                    }
                }
            }
            DeclKind::Example(e) => out.extend(fact_names(&e.facts)),
            _ => {}
        }
    }
    out
}

/// The facts named at the top level of an example's record.
fn fact_names(facts: &ast::Expr) -> Vec<Span> {
    match &facts.kind {
        ast::ExprKind::Record(fields) => fields.iter().map(|(name, _)| name.span).collect(),
        _ => Vec::new(),
    }
}
