//! `zan fmt`: the canonical layout of a `.zan` file, as a pure function from text to text.
//!
//! The file is cut at declarations like `syntax::parse` does, each declaration is parsed with
//! the same grammar, and its tokens are printed exactly as written; only the whitespace
//! between them changes. Comments are not in the grammar's tree: they are read from the
//! source between two tokens and printed in place (a comment on its own line stays on its
//! own line, indented like what follows it; a comment after code stays at the end of that
//! line). The layout:
//!
//! - two spaces per level; one blank line between top-level declarations (consecutive facts
//!   may stay together); inside a block, one blank line at most where the author left blank
//!   lines; no trailing whitespace; `\n` line ends and one at the end of the file;
//! - a declaration's header on one line, each `cites`/`checks` (and an amendment's
//!   `in force`) on its own line two columns in, and then `{` on its own line; without such
//!   clauses `{` ends the header line. One block item per line, `}` on its own line;
//! - `cites` of a case, row, reason, parameter value or calendar entry on its own line, two
//!   columns in; a reason's `when` likewise;
//! - enums, records and `match`: `{ a, b }` on one line, or one entry per line when the author
//!   broke a line inside the braces; record values likewise when the author broke the line
//!   after `{` (otherwise continued where the author broke it); an example's record is always
//!   one field per line;
//! - inside an item, line breaks are the author's, at the break points of `expr.rs`, with a
//!   computed indentation; the formatter never splits or joins a long line by itself (most
//!   long lines are quotations, which cannot be split).
//!
//! A file with a syntax error is not formatted: the diagnostics are returned instead.
//! The result is checked before it is returned: the same tokens, the same comments and the
//! same open points as the input, so formatting never changes what a file means.

mod expr;
mod items;
mod print;
mod tokens;
mod walk;

use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::{split, Rule, ZanParser};
use pest::Parser;
use tokens::Tok;

/// Format the text of one `.zan` file. Diagnostics point into `text` (file id 0).
pub fn format_source(text: &str) -> Result<String, Vec<Diagnostic>> {
    let mut map = SourceMap::new();
    let file = map.add("<input>", text);
    format_file(&map, file)
}

/// Format one file of a source map; diagnostics point into it.
pub fn format_file(map: &SourceMap, file: FileId) -> Result<String, Vec<Diagnostic>> {
    let Some(source) = map.get(file) else {
        return Ok(String::new());
    };
    let text = source.text.as_str();
    let (_, diags) = crate::syntax::parse(map, file);
    let errors: Vec<Diagnostic> = diags
        .into_iter()
        .filter(|d| d.is_error() && d.code.stops_formatting())
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    let toks = tokenize(text, file).map_err(|d| vec![d])?;
    let out = print::print(text, &toks);
    verify(text, &toks, &out, file).map_err(|d| vec![d])?;
    Ok(out)
}

/// The tokens of every declaration of a file, with their layout.
fn tokenize(text: &str, file: FileId) -> Result<Vec<Tok>, Diagnostic> {
    let chunks = split::declarations(text);
    let head = chunks.first().map_or(text.len(), |c| c.start);
    if let Err(at) = tokens::scan(text.get(..head).unwrap_or("")) {
        let end = text
            .get(at..)
            .and_then(|t| t.find('\n'))
            .map_or(head, |n| at + n);
        return Err(Diagnostic::new(
            Code::Syntax,
            Span::new(file, at, end.max(at)),
            "expected a declaration",
        )
        .label("text outside any declaration")
        .help("declarations start at the beginning of a line; remove this text or make it a `//` comment"));
    }
    let mut walker = walk::Walker::new(text);
    let mut previous = None;
    for chunk in chunks {
        let piece = text.get(chunk.clone()).unwrap_or("");
        let pairs = ZanParser::parse(Rule::single_declaration, piece).map_err(|_| {
            Diagnostic::new(
                Code::Syntax,
                Span::new(file, chunk.start, chunk.end),
                "this declaration does not parse",
            )
        })?;
        let declaration = pairs
            .flat_map(|p| p.into_inner())
            .find(|p| p.as_rule() == Rule::declaration);
        if let Some(d) = declaration {
            let kind = d
                .clone()
                .into_inner()
                .map(|p| p.as_rule())
                .find(|&r| r != Rule::doc);
            let facts = kind == Some(Rule::fact_decl) && previous == kind;
            walker.top_declaration(chunk.start, d, facts);
            previous = kind;
        }
    }
    Ok(walker.toks)
}

/// The formatted text must have the same tokens, comments and open points as the input.
fn verify(text: &str, toks: &[Tok], out: &str, file: FileId) -> Result<(), Diagnostic> {
    let same = tokenize(out, file).is_ok_and(|again| {
        let a = toks.iter().map(|t| (t.kind, print::token_text(text, t)));
        let b = again.iter().map(|t| (t.kind, print::token_text(out, t)));
        a.eq(b) && print::comments(text, toks) == print::comments(out, &again)
    });
    let notes = |t: &str| -> Vec<String> {
        split::open_points(t, file)
            .into_iter()
            .map(|d| d.message)
            .collect()
    };
    if same && notes(text) == notes(out) {
        Ok(())
    } else {
        Err(Diagnostic::new(
            Code::Syntax,
            Span::new(file, 0, 0),
            "zan fmt cannot lay out this file without changing its meaning",
        )
        .help("this is a defect in zan fmt; please report it with the file"))
    }
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;

    fn fmt(s: &str) -> String {
        match format_source(s) {
            Ok(t) => t,
            Err(d) => panic!("{d:?}"),
        }
    }

    #[test]
    fn rule_with_citation() {
        let src = "rule a: bool cites law \"x\" { when b   and c then true\n otherwise false }\n";
        assert_eq!(
            fmt(src),
            "rule a: bool\n  cites law \"x\"\n{\n  when b and c then true\n  otherwise false\n}\n"
        );
    }

    #[test]
    fn operator_break_moves_before_the_operator() {
        let src = "rule a: bool {\n  b and\n  c\n}\n";
        assert_eq!(fmt(src), "rule a: bool {\n  b\n    and c\n}\n");
    }

    #[test]
    fn comments_are_kept() {
        let src = "// head\n\nfact a: bool // trailing\n// own line\nenum E { x }\n";
        assert_eq!(
            fmt(src),
            "// head\n\nfact a: bool // trailing\n\n// own line\nenum E { x }\n"
        );
        // Consecutive facts may stay together.
        assert_eq!(
            fmt("fact a: bool\nfact b: bool"),
            "fact a: bool\nfact b: bool\n"
        );
    }

    #[test]
    fn syntax_errors_are_returned() {
        assert!(format_source("rule a bool { true }\n").is_err());
        assert!(format_source("  stray\nfact a: bool\n").is_err());
    }

    #[test]
    fn empty_and_comment_only_files() {
        assert_eq!(fmt(""), "");
        assert_eq!(fmt("\n\n"), "");
        assert_eq!(fmt("// only\n\n\n// two\r\n"), "// only\n\n// two\n");
    }
}
