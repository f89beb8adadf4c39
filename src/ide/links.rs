//! Document links: a source's `file "…"` opens the legal text, and the quote of each
//! citation opens the legal text at the sentence it quotes (line and column), found with the
//! same loose matching as the checker's (`find_quote`).

use super::navigate::find_quote;
use super::Analysis;
use crate::source::{FileId, Span};
use crate::syntax::ast::{self, DeclKind};

/// A link from a span of a rulebook file to a legal text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub span: Span,
    /// The legal text's name, as loaded (its path in the language server).
    pub target: String,
    /// Where the quoted sentence starts: 1-based line and column (in characters); none for
    /// the link of `file "…"`.
    pub at: Option<(usize, usize)>,
    /// `the quoted sentence in sources/x.txt`, for the link's tooltip.
    pub tooltip: String,
}

pub fn document_links(a: &Analysis, file: FileId) -> Vec<Link> {
    let mut out = Vec::new();
    for i in 0..a.index.top.len() {
        let Some(d) = a.index.top_decl(i) else {
            continue;
        };
        if d.span.file != file {
            continue;
        }
        if let DeclKind::Source(m) = &d.kind {
            if let Some(link) = file_link(a, m) {
                out.push(link);
            }
        }
        super::outline::each_citation(d, &mut |c| {
            if let Some(link) = quote_link(a, c) {
                out.push(link);
            }
        });
    }
    out.sort_by_key(|l| l.span);
    out.dedup_by_key(|l| l.span);
    out
}

/// The text of the `file` entry of a source, as a link to the legal text.
fn file_link(a: &Analysis, m: &ast::Metadata) -> Option<Link> {
    let (key, value) = m.entries.iter().find(|(k, _)| k.name == "file")?;
    let text = a.map.legal_text(value)?;
    let after = a.text(key.span.file).get(key.span.end as usize..)?;
    let open = key.span.end as usize + after.find('"')?;
    let len = a.text(key.span.file).get(open + 1..)?.find('"')? + 2;
    Some(Link {
        span: Span::new(key.span.file, open, open + len),
        target: text.name.clone(),
        at: None,
        tooltip: format!("open {}", text.name),
    })
}

/// A citation's quote, as a link to the sentence in its source's legal text.
fn quote_link(a: &Analysis, c: &ast::Citation) -> Option<Link> {
    let quote = c.quote.as_ref()?;
    let (_, source) = a.index.declaration_of(&c.source.name)?;
    let DeclKind::Source(m) = &source.kind else {
        return None;
    };
    let text = a.map.legal_text(m.get("file")?)?;
    let (start, _) = find_quote(&text.text, quote)?;
    let written = a.text(c.span.file);
    let from = c.source.span.end as usize;
    let open = from + written.get(from..c.span.end as usize)?.find('"')?;
    let close = written.get(..c.span.end as usize)?.rfind('"')?;
    if close <= open {
        return None;
    }
    let before = text.text.get(..start)?;
    let line = before.matches('\n').count() + 1;
    let column = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .count()
        + 1;
    Some(Link {
        span: Span::new(c.span.file, open, close + 1),
        target: text.name.clone(),
        at: Some((line, column)),
        tooltip: format!("the quoted sentence in {} (line {line})", text.name),
    })
}
