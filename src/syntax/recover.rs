//! Recovery from a declaration that does not parse, so that one mistake is one error and the
//! rest of the rulebook stays as it was while an author types:
//! - text after a declaration's closing `}` (the first letters of a new declaration, a doc
//!   comment with nothing below it, a `}` too many) is reported alone, at that text, and the
//!   declaration before it is kept;
//! - a bracket left open is reported where it opened, with the place where the parser gave up
//!   as a second label (the parser only notices at the end of the declaration);
//! - the header of a declaration that stays broken (its kind, name and type) is kept, with the
//!   words written in it, so that the checker does not report its uses as unknown names.

use super::ast::{BrokenDecl, Declaration, Ident, TypeExpr, TypeKind};
use super::keywords::{is_keyword, DECLARATION_KEYWORDS};
use super::lex::{self, Tok, Token};
use super::{errors, lower, Rule, ZanParser};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Span};
use pest::Parser;

/// What is kept of a declaration that did not parse.
#[derive(Default)]
pub struct Recovered {
    /// The declaration before stray text, when it closed.
    pub declarations: Vec<Declaration>,
    pub broken: Vec<BrokenDecl>,
    pub diagnostics: Vec<Diagnostic>,
}

/// A declaration (`piece`, at `offset` in `file`) that pest refused with `err`.
pub fn failed_declaration(
    err: &pest::error::Error<Rule>,
    piece: &str,
    file: FileId,
    offset: usize,
) -> Recovered {
    let at = errors::position(err).min(piece.len());
    if let Some(kept) = stray_text(piece, at, file, offset) {
        return kept;
    }
    let tokens = lex::tokens(piece);
    let d = errors::to_diagnostic(err, piece, file, offset);
    let brackets = Brackets::of(piece, &tokens);
    if let Some(open) = brackets.unclosed() {
        if open.start <= at {
            let d = unclosed(d, piece, &tokens, open, at, file, offset);
            // Only closing brackets missing at the end: the declaration is whole with them.
            if let Some(mut kept) = closed_at_end(piece, &tokens, &brackets, file, offset) {
                kept.diagnostics.push(d);
                return kept;
            }
            return Recovered {
                declarations: Vec::new(),
                broken: headers(piece, &tokens, file, offset),
                diagnostics: vec![d],
            };
        }
    }
    Recovered {
        declarations: Vec::new(),
        broken: headers(piece, &tokens, file, offset),
        diagnostics: vec![d],
    }
}

/// The declaration with its missing closing brackets written after its last word, when that
/// parses: the author left out the `}` at the end, and the rest of the rulebook is checked
/// against what the declaration says (its uses, its values, its fields) while the missing
/// bracket is reported. The brackets take the place of the blanks that follow the last word,
/// so every position stays where it is.
fn closed_at_end(
    piece: &str,
    tokens: &[Token],
    brackets: &Brackets,
    file: FileId,
    offset: usize,
) -> Option<Recovered> {
    if brackets.skipped.is_some() {
        return None;
    }
    let last = tokens.iter().rev().find(|t| t.kind != Tok::Comment)?;
    let closers: String = brackets
        .open
        .iter()
        .rev()
        .map(|o| closing(&piece[o.start..o.end]))
        .collect();
    let blanks = piece[last.end..]
        .bytes()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .count();
    if blanks < closers.len() {
        return None;
    }
    let text = format!(
        "{}{closers}{}",
        &piece[..last.end],
        &piece[last.end + closers.len()..]
    );
    let pairs = ZanParser::parse(Rule::single_declaration, &text).ok()?;
    let mut lower = lower::Lower::new(file, offset);
    let declarations: Vec<Declaration> = pairs.flat_map(|p| lower.single_declaration(p)).collect();
    Some(Recovered {
        declarations,
        broken: Vec::new(),
        diagnostics: lower.diagnostics,
    })
}

/// `rule a: bool { true }` followed by text that belongs to no declaration: keep the rule
/// (the text before `at` parses alone) and report the text. Only when the declaration closed
/// with its `}` or the text starts on a line of its own, so that a mistake inside a
/// declaration is still reported as such.
fn stray_text(piece: &str, at: usize, file: FileId, offset: usize) -> Option<Recovered> {
    let (head, rest) = (piece.get(..at)?, piece.get(at..)?);
    if rest.trim().is_empty() {
        return None;
    }
    let head_tokens = lex::tokens(head);
    let last = *head_tokens.iter().rev().find(|t| t.kind != Tok::Comment)?;
    let closed = &head[last.start..last.end] == "}";
    if !(closed || head[last.end..].contains('\n')) {
        return None;
    }
    let pairs = ZanParser::parse(Rule::single_declaration, head).ok()?;
    let mut lower = lower::Lower::new(file, offset);
    let declarations: Vec<Declaration> = pairs.flat_map(|p| lower.single_declaration(p)).collect();
    let name = declarations
        .first()
        .map(|d| d.kind.name().name.clone())
        .unwrap_or_default();
    let ends = Span::new(file, offset + last.start, offset + last.end);
    let stray = lex::tokens(rest);
    let d = match stray
        .iter()
        .find(|t| !matches!(t.kind, Tok::Doc | Tok::Comment))
    {
        Some(t) => {
            let word = &rest[t.start..t.end];
            let line_start = piece[..at + t.start].rfind('\n').map_or(0, |n| n + 1);
            let indented = line_start < at + t.start;
            let span = Span::new(file, offset + at + t.start, offset + at + t.end);
            Diagnostic::new(
                Code::TextAfterDeclaration,
                span,
                format!("`{word}` is not part of any declaration"),
            )
            .label(format!("after the end of `{name}`"))
            .with_secondary(ends, format!("`{name}` ends here"))
            .help(stray_help(word, indented, &name))
        }
        None => {
            let t = stray.first()?;
            let span = Span::new(file, offset + at + t.start, offset + at + t.end);
            Diagnostic::new(
                Code::TextAfterDeclaration,
                span,
                "this doc comment documents no declaration",
            )
            .label("no declaration follows it")
            .with_secondary(ends, format!("`{name}` ends here"))
            .help("write the declaration it documents on the next line, or make it a `//` comment")
        }
    };
    let mut diagnostics = lower.diagnostics;
    diagnostics.push(d);
    Some(Recovered {
        declarations,
        broken: Vec::new(),
        diagnostics,
    })
}

/// What to do about a stray word: a keyword written indented, the start of a keyword being
/// typed, a `}` too many, anything else.
fn stray_help(word: &str, indented: bool, name: &str) -> String {
    let starts: Vec<String> = DECLARATION_KEYWORDS
        .iter()
        .filter(|k| k.starts_with(word))
        .map(|k| format!("`{k}`"))
        .collect();
    if word == "}" {
        format!("remove it: `{name}` is already closed by the `}}` above")
    } else if indented && DECLARATION_KEYWORDS.contains(&word) {
        format!("a declaration starts at the beginning of a line: remove the indentation before `{word}`")
    } else if !starts.is_empty() {
        format!(
            "a declaration starts at the beginning of a line with its keyword ({}), its name and its body",
            starts.join(", ")
        )
    } else {
        String::from("remove it or make it a `//` comment; each declaration starts at the beginning of a line with `rule`, `enum`, `record`, `fact`, `table`, ...")
    }
}

/// The brackets of a declaration that are never closed.
struct Brackets {
    /// Still open at the end, outermost first.
    open: Vec<Token>,
    /// The first one that a later closing bracket skipped over (`f(x }`).
    skipped: Option<Token>,
}

impl Brackets {
    fn of(piece: &str, tokens: &[Token]) -> Brackets {
        let mut open: Vec<Token> = Vec::new();
        let mut skipped: Option<Token> = None;
        for t in tokens.iter().filter(|t| t.kind == Tok::Punct) {
            match &piece[t.start..t.end] {
                "(" | "[" | "{" => open.push(*t),
                c @ (")" | "]" | "}") => {
                    let opener = opening(c);
                    if let Some(i) = open.iter().rposition(|o| &piece[o.start..o.end] == opener) {
                        if let Some(&inner) = open.get(i + 1) {
                            skipped.get_or_insert(inner);
                        }
                        open.truncate(i);
                    }
                }
                _ => {}
            }
        }
        Brackets { open, skipped }
    }

    /// The bracket to report: the first one skipped over, or else the innermost still open.
    fn unclosed(&self) -> Option<Token> {
        self.skipped.or_else(|| self.open.last().copied())
    }
}

fn opening(close: &str) -> &'static str {
    match close {
        ")" => "(",
        "]" => "[",
        _ => "{",
    }
}

fn closing(open: &str) -> &'static str {
    match open {
        "(" => ")",
        "[" => "]",
        _ => "}",
    }
}

/// The parser's error `d` becomes a report of the bracket `open`, with where it gave up.
fn unclosed(
    d: Diagnostic,
    piece: &str,
    tokens: &[Token],
    open: Token,
    at: usize,
    file: FileId,
    offset: usize,
) -> Diagnostic {
    let bracket = &piece[open.start..open.end];
    let close = closing(bracket);
    let last = tokens
        .iter()
        .rev()
        .find(|t| !matches!(t.kind, Tok::Comment | Tok::Doc));
    let gave_up = match last {
        // The parser reached the end of the declaration: show its last word, not the next
        // declaration.
        Some(t) if at >= t.end => (
            Span::new(file, offset + t.start, offset + t.end),
            format!("the declaration ends here with the `{bracket}` still open"),
        ),
        _ => (
            d.primary.span,
            format!("the parser gave up here: {}", d.message),
        ),
    };
    Diagnostic::new(
        Code::UnclosedBracket,
        Span::new(file, offset + open.start, offset + open.end),
        format!("`{bracket}` is not closed"),
    )
    .label(format!("this `{bracket}` has no `{close}`"))
    .with_secondary(gave_up.0, gave_up.1)
    .help(format!(
        "add the `{close}` where it ends; the rest of this declaration is not checked until then"
    ))
}

/// The headers read from a broken declaration: its own, and those of the declarations an
/// amendment adds.
fn headers(piece: &str, tokens: &[Token], file: FileId, offset: usize) -> Vec<BrokenDecl> {
    let code: Vec<Token> = tokens
        .iter()
        .filter(|t| !matches!(t.kind, Tok::Doc | Tok::Comment))
        .copied()
        .collect();
    let r = Reader {
        piece,
        code: &code,
        file,
        offset,
    };
    let mut words: Vec<String> = code
        .iter()
        .filter(|t| t.kind == Tok::Word)
        .map(|t| &piece[t.start..t.end])
        .filter(|w| !is_keyword(w))
        .map(str::to_string)
        .collect();
    words.sort_unstable();
    words.dedup();
    let Some(own) = r.header(0) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if own.keyword == "amendment" {
        for (i, t) in code.iter().enumerate() {
            if r.text(*t) == "add" {
                let mut k = i + 1;
                if r.word(k) == Some("from") {
                    k += 2;
                }
                out.extend(r.header(k).map(|mut h| {
                    h.words = words.clone();
                    h
                }));
            }
        }
    }
    out.push(BrokenDecl { words, ..own });
    out
}

/// Reads declaration headers from the tokens (comments left out) of a broken declaration.
struct Reader<'p> {
    piece: &'p str,
    code: &'p [Token],
    file: FileId,
    offset: usize,
}

impl Reader<'_> {
    fn text(&self, t: Token) -> &str {
        &self.piece[t.start..t.end]
    }

    fn word(&self, k: usize) -> Option<&str> {
        self.code
            .get(k)
            .filter(|t| t.kind == Tok::Word)
            .map(|t| self.text(*t))
    }

    fn punct(&self, k: usize) -> Option<&str> {
        self.code
            .get(k)
            .filter(|t| t.kind == Tok::Punct)
            .map(|t| self.text(*t))
    }

    fn span(&self, t: Token) -> Span {
        Span::new(self.file, self.offset + t.start, self.offset + t.end)
    }

    fn ident(&self, k: usize) -> Option<Ident> {
        let name = self.word(k).filter(|w| !is_keyword(w))?;
        Some(Ident {
            name: name.to_string(),
            span: self.span(self.code[k]),
        })
    }

    /// `[output] KIND NAME [: TYPE]` (a table: `table NAME (...) -> TYPE`) from token `k`.
    fn header(&self, k: usize) -> Option<BrokenDecl> {
        let k = if self.word(k) == Some("output") {
            k + 1
        } else {
            k
        };
        let written = self.word(k)?;
        let keyword = *DECLARATION_KEYWORDS
            .iter()
            .find(|kw| **kw == written && **kw != "output")?;
        let name = self.ident(k + 1)?;
        let ty = match keyword {
            "rule" | "fact" | "parameter" if self.punct(k + 2) == Some(":") => {
                self.type_at(k + 3).map(|(t, _)| t)
            }
            "table" => (k + 2..self.code.len())
                .find(|&i| self.punct(i) == Some("-") && self.punct(i + 1) == Some(">"))
                .and_then(|i| self.type_at(i + 2))
                .map(|(t, _)| t),
            _ => None,
        };
        Some(BrokenDecl {
            keyword,
            name,
            ty,
            words: Vec::new(),
        })
    }

    /// A type written from token `k`, and the token after it.
    fn type_at(&self, k: usize) -> Option<(TypeExpr, usize)> {
        let first = *self.code.get(k)?;
        let (kind, next) = match self.word(k)? {
            "list" if self.word(k + 1) == Some("of") => {
                let (inner, next) = self.type_at(k + 2)?;
                (TypeKind::List(Box::new(inner)), next)
            }
            "money" if self.word(k + 1) == Some("in") => {
                let currency = self.word(k + 2).filter(|w| lex::is_currency(w))?;
                let id = Ident {
                    name: currency.to_string(),
                    span: self.span(self.code[k + 2]),
                };
                (TypeKind::Money(Some(id)), k + 3)
            }
            "money" => (TypeKind::Money(None), k + 1),
            _ => (TypeKind::Named(self.ident(k)?), k + 1),
        };
        let optional = self.punct(next) == Some("?");
        let end = if optional { next + 1 } else { next };
        let last = self.code.get(end - 1).copied().unwrap_or(first);
        let span = Span::new(self.file, self.offset + first.start, self.offset + last.end);
        Some((
            TypeExpr {
                kind,
                optional,
                span,
            },
            end,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;

    fn parse(text: &str) -> (crate::syntax::ast::File, Vec<Diagnostic>) {
        let mut map = SourceMap::new();
        let file = map.add("a.zan", text);
        crate::syntax::parse(&map, file)
    }

    fn names(f: &crate::syntax::ast::File) -> Vec<String> {
        f.declarations
            .iter()
            .map(|d| d.kind.name().name.clone())
            .collect()
    }

    #[test]
    fn text_after_the_closing_brace_keeps_the_declaration() {
        for stray in [
            "x",
            "ru",
            "/// a doc",
            "/// a doc\nrul",
            "}",
            "  rule y: bool { true }",
        ] {
            let text = format!("rule a: bool {{ true }}\n{stray}\n");
            let (f, d) = parse(&text);
            assert_eq!(names(&f), ["a"], "{stray:?}");
            assert_eq!(d.len(), 1, "{stray:?}: {d:?}");
            assert_eq!(d[0].code, Code::TextAfterDeclaration, "{stray:?}");
            let at = &text[d[0].primary.span.start as usize..d[0].primary.span.end as usize];
            let expected = stray.lines().last().map(str::trim).unwrap_or("");
            let expected = expected.split(' ').next().unwrap_or("");
            assert!(
                stray.starts_with("///") && at.starts_with("///") || at == expected,
                "{stray:?}: {at:?}"
            );
        }
    }

    #[test]
    fn a_mistake_inside_a_declaration_is_not_stray_text() {
        let (f, d) = parse("fact a: integer = 1 2\n");
        assert!(f.declarations.is_empty());
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, Code::Syntax);
    }

    #[test]
    fn an_unclosed_brace_is_reported_where_it_opened() {
        let text = "rule a: bool {\n  true\n\n// next\n";
        let (f, d) = parse(text);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].code, Code::UnclosedBracket);
        assert_eq!(
            d[0].primary.span.start as usize,
            text.find('{').unwrap_or(0)
        );
        let gave_up = d[0].secondary[0].span;
        assert_eq!(&text[gave_up.start as usize..gave_up.end as usize], "true");
        // The `}` was all that was missing: the rule is kept.
        assert_eq!(names(&f), ["a"]);
        assert!(f.broken.is_empty());
        let inner = "rule b: bool {\n  f(x then y\n}\n";
        let (_, d) = parse(inner);
        assert_eq!(d[0].code, Code::UnclosedBracket);
        assert_eq!(
            d[0].primary.span.start as usize,
            inner.find('(').unwrap_or(0)
        );
        let (f, _) = parse(inner);
        assert!(f.declarations.is_empty());
        assert_eq!(f.broken[0].name.name, "b");
    }

    #[test]
    fn headers_of_broken_declarations_are_read() {
        let (f, _) = parse(
            "output rule a: list of Country? in force from 2026-01-01 {\n  1 +\n}\n\
             table t(k: K) -> money in KZT {\n  x =>\n}\n\
             enum E { one two 3 three }\n\
             amendment m in force 2026-03-10 {\n  add from 2026-04-01 output rule n: bool {\n",
        );
        let got: Vec<(&str, &str, Option<String>)> = f
            .broken
            .iter()
            .map(|b| {
                let ty =
                    b.ty.as_ref()
                        .map(|t| format!("{:?}/{}", t.kind, t.optional));
                (
                    b.keyword,
                    b.name.name.as_str(),
                    ty.map(|t| {
                        t.split('(').next().unwrap_or("").to_string()
                            + if t.ends_with("true") { "?" } else { "" }
                    }),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                // As the grammar reads it: the `?` belongs to the inner type.
                ("rule", "a", Some("List".to_string())),
                ("table", "t", Some("Money".to_string())),
                ("enum", "E", None),
                ("rule", "n", Some("Named".to_string())),
                ("amendment", "m", None),
            ]
        );
        let e = f.broken.iter().find(|b| b.name.name == "E");
        assert!(e.is_some_and(|e| e.words.iter().any(|w| w == "three")));
    }
}
