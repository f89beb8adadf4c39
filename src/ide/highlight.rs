//! Semantic highlighting (what each word is, from the checker's resolution) and folding.

use super::index::DeclWhat;
use super::Analysis;
use crate::check::Symbol;
use crate::source::{FileId, Span};
use crate::syntax::ast::{self, DeclKind};
use crate::syntax::keywords::{is_keyword, BUILTIN_TYPES, CONTEXT_WORDS, LIST_FORM_WORDS};
use crate::syntax::lex::{self, Tok};

/// Kinds of semantic tokens; `TOKEN_KINDS` is the legend, in the same order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    Keyword,
    Type,
    /// Rules, exceptions, reasons and tables: things computed from the case.
    Rule,
    Parameter,
    /// Facts of the case and quantifier variables.
    Fact,
    Field,
    EnumValue,
    /// Sources, amendments, examples, tests, the rulebook.
    Source,
    Calendar,
    Date,
    Amount,
    Number,
    String,
    Comment,
    DocComment,
}

/// The legend: protocol token type names by `TokenKind as usize`. `date` and `amount` are
/// zan's own; the editors map them to colours (see editors/).
pub const TOKEN_KINDS: &[&str] = &[
    "keyword",
    "type",
    "function",
    "parameter",
    "variable",
    "property",
    "enumMember",
    "namespace",
    "class",
    "date",
    "amount",
    "number",
    "string",
    "comment",
    "comment",
];

/// Every highlighted token of a file, in order, not overlapping.
pub fn semantic_tokens(a: &Analysis, file: FileId) -> Vec<(Span, TokenKind)> {
    let text = a.text(file);
    let toks = lex::tokens(text);
    let mut out = Vec::with_capacity(toks.len());
    for (i, t) in toks.iter().enumerate() {
        let span = Span::new(file, t.start, t.end);
        let word = &text[t.start..t.end];
        let next_word = toks
            .get(i + 1)
            .filter(|n| n.kind == Tok::Word)
            .map(|n| &text[n.start..n.end]);
        let prev_is_number = i > 0 && toks[i - 1].kind == Tok::Number;
        let kind = match t.kind {
            Tok::Comment => Some(TokenKind::Comment),
            Tok::Doc => Some(TokenKind::DocComment),
            Tok::Str => Some(TokenKind::String),
            Tok::Date => Some(TokenKind::Date),
            Tok::Number if next_word.is_some_and(lex::is_currency) => Some(TokenKind::Amount),
            Tok::Number => Some(TokenKind::Number),
            Tok::Word if prev_is_number && lex::is_currency(word) => Some(TokenKind::Amount),
            // `min(a, b)` is a call; `min x in ...` a list form.
            Tok::Word if LIST_FORM_WORDS.contains(&word) && next_word.is_none() => None,
            Tok::Word => word_kind(a, file, t.start as u32, word),
            Tok::Punct => None,
        };
        if let Some(k) = kind {
            out.push((span, k));
        }
    }
    out
}

fn word_kind(a: &Analysis, file: FileId, at: u32, word: &str) -> Option<TokenKind> {
    if let Some(occ) = a
        .index
        .occurrence_at(file, at)
        .filter(|o| o.span.start == at)
    {
        return Some(symbol_kind(a, &occ.symbol));
    }
    if is_keyword(word) || CONTEXT_WORDS.contains(&word) {
        return Some(TokenKind::Keyword);
    }
    if BUILTIN_TYPES.contains(&word) {
        return Some(TokenKind::Type);
    }
    None
}

fn symbol_kind(a: &Analysis, symbol: &Symbol) -> TokenKind {
    match symbol {
        Symbol::Variant { .. } | Symbol::Reason(_) => TokenKind::EnumValue,
        Symbol::Field { .. } => TokenKind::Field,
        Symbol::Local { .. } => TokenKind::Fact,
        Symbol::Decl(_) => match a.index.declarations(symbol).first().map(|d| d.what) {
            Some(DeclWhat::Rule | DeclWhat::Exception | DeclWhat::Reasons | DeclWhat::Table) => {
                TokenKind::Rule
            }
            Some(DeclWhat::Parameter) => TokenKind::Parameter,
            Some(DeclWhat::Fact) => TokenKind::Fact,
            Some(DeclWhat::Enum | DeclWhat::Record) => TokenKind::Type,
            Some(DeclWhat::Calendar) => TokenKind::Calendar,
            _ => TokenKind::Source,
        },
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FoldKind {
    Region,
    Comment,
}

/// A foldable range, by byte offsets of its first and last line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fold {
    pub start: usize,
    pub end: usize,
    pub kind: FoldKind,
}

/// Declarations, amendment provisions, rule cases and table rows that span lines, and runs
/// of comment lines.
pub fn folding_ranges(a: &Analysis, file: FileId) -> Vec<Fold> {
    let text = a.text(file);
    let mut out = Vec::new();
    let mut region = |span: Span| {
        let (s, e) = (span.start as usize, span.end as usize);
        if text.get(s..e).is_some_and(|t| t.contains('\n')) {
            out.push(Fold {
                start: s,
                end: e,
                kind: FoldKind::Region,
            });
        }
    };
    for i in 0..a.index.top.len() {
        let Some(d) = a.index.top_decl(i).filter(|d| d.span.file == file) else {
            continue;
        };
        region(d.span);
        match &d.kind {
            DeclKind::Amendment(am) => am.provisions.iter().for_each(|p| region(p.span)),
            DeclKind::Rule(r) => {
                if let ast::RuleBody::Cases { cases, .. } = &r.body {
                    cases.iter().for_each(|c| region(c.span));
                }
            }
            DeclKind::Test(_) | DeclKind::Table(_) | DeclKind::Calendar(_) => {}
            _ => {}
        }
    }
    out.extend(comment_runs(text));
    out.sort_by_key(|f| (f.start, f.end));
    out
}

/// Two or more consecutive lines that are only comments.
fn comment_runs(text: &str) -> Vec<Fold> {
    let mut out = Vec::new();
    let mut run: Option<(usize, usize, usize)> = None; // start, end, lines
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        let is_comment = t.starts_with("//") && !t.starts_with("///");
        if is_comment {
            let end = offset + line.trim_end().len();
            run = Some(match run {
                Some((s, _, n)) => (s, end, n + 1),
                None => (offset + (line.len() - t.len()), end, 1),
            });
        } else if let Some((s, e, n)) = run.take() {
            if n > 1 {
                out.push(Fold {
                    start: s,
                    end: e,
                    kind: FoldKind::Comment,
                });
            }
        }
        offset += line.len();
    }
    if let Some((s, e, n)) = run {
        if n > 1 {
            out.push(Fold {
                start: s,
                end: e,
                kind: FoldKind::Comment,
            });
        }
    }
    out
}
