//! Selection ranges: from the word under the cursor outwards, through each expression that
//! holds it, the case, row, arm, entry, item or provision, the declaration, to the whole file
//! (an editor's "expand selection").

use super::Analysis;
use crate::source::{FileId, Span};
use crate::syntax::ast::{self, DeclKind, ExprKind};

/// The spans that hold `offset`, innermost first, each holding the one before it.
pub fn selection_ranges(a: &Analysis, file: FileId, offset: u32) -> Vec<Span> {
    let text = a.text(file);
    let mut spans = Vec::new();
    if let Some(w) = word_at(text, offset as usize) {
        spans.push(Span::new(file, w.0, w.1));
    }
    let holds = |s: Span| s.file == file && s.start <= offset && offset <= s.end;
    for i in 0..a.index.top.len() {
        let Some(d) = a.index.top_decl(i) else {
            continue;
        };
        if !holds(d.span) {
            continue;
        }
        spans.push(d.span);
        parts(d, &mut spans);
        super::outline::each_expr(d, &mut |e| {
            spans.push(e.span);
            if let ExprKind::Match(_, arms) = &e.kind {
                spans.extend(arms.iter().map(|arm| arm.span));
            }
        });
    }
    spans.retain(|&s| holds(s));
    spans.push(Span::new(file, 0, text.len()));
    spans.sort_by_key(|s| (s.end - s.start, std::cmp::Reverse(s.start)));
    let mut chain: Vec<Span> = Vec::new();
    for s in spans {
        let nests = chain
            .last()
            .is_none_or(|last| s != *last && s.start <= last.start && last.end <= s.end);
        if nests {
            chain.push(s);
        }
    }
    chain
}

/// The identifier, number or date at `offset` (or ending there).
fn word_at(text: &str, offset: usize) -> Option<(usize, usize)> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '-' || c == '.';
    let offset = offset.min(text.len());
    let before = text.get(..offset)?;
    let start = before
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_word(c))
        .last()
        .map_or(offset, |(i, _)| i);
    let after = text.get(offset..)?;
    let end = offset
        + after
            .char_indices()
            .find(|&(_, c)| !is_word(c))
            .map_or(after.len(), |(i, _)| i);
    let word = text.get(start..end)?;
    // A dotted path selects its segment first; the path is an expression above it.
    let seg_start = start + word[..offset - start].rfind('.').map_or(0, |i| i + 1);
    let seg_end = offset + word[offset - start..].find('.').unwrap_or(end - offset);
    (seg_end > seg_start).then_some((seg_start, seg_end))
}

/// The parts of a declaration between it and its expressions.
fn parts(d: &ast::Declaration, out: &mut Vec<Span>) {
    match &d.kind {
        DeclKind::Rule(r) => {
            if let ast::RuleBody::Cases { cases, otherwise } = &r.body {
                out.extend(cases.iter().map(|c| c.span));
                out.extend(otherwise.iter().map(|o| o.span));
            }
        }
        DeclKind::Exception(x) => out.extend(x.cases.iter().map(|c| c.span)),
        DeclKind::Reasons(r) => out.extend(r.items.iter().map(|i| i.span)),
        DeclKind::Table(t) => {
            out.extend(t.rows.iter().map(|r| r.span));
            out.extend(t.otherwise.iter().map(|(_, _, s)| *s));
        }
        DeclKind::Calendar(c) => out.extend(c.entries.iter().map(|e| e.span)),
        DeclKind::Test(t) => {
            for item in &t.items {
                if let ast::TestItem::Expect { span, .. } = item {
                    out.push(*span);
                }
            }
        }
        DeclKind::Amendment(a) => {
            for p in &a.provisions {
                out.push(p.span);
                if let ast::ProvisionAction::Add(inner) | ast::ProvisionAction::Replace(inner) =
                    &p.action
                {
                    out.push(inner.span);
                    parts(inner, out);
                }
            }
        }
        _ => {}
    }
    for c in d.kind.citations() {
        out.push(c.span);
    }
}
