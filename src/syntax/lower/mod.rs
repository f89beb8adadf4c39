//! Lowering pest pairs into the syntax tree. Total on anything the grammar accepts: an
//! unexpected shape becomes a diagnostic, never a panic.
//!
//! One file per category of the grammar: `declarations` (metadata, schema and the data that
//! varies), `rules` (rules, exceptions, reasons, amendments, examples and tests), `types`,
//! `expressions` (with the one `PrattParser` that holds operator precedence) and `literals`
//! (the values of strings, docs, dates, decimals and durations, and their errors). This file
//! holds what they share: the `Lower` state, spans and names, and the dispatch on the kind of
//! a declaration.

mod bands;
mod declarations;
mod expressions;
mod literals;
mod rules;
mod types;

use super::ast::*;
use super::Rule;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Span};
use literals::{doc_text, join_docs};
use pest::iterators::{Pair, Pairs};

pub struct Lower {
    file: FileId,
    offset: usize,
    pub diagnostics: Vec<Diagnostic>,
}

impl Lower {
    pub fn new(file: FileId, offset: usize) -> Lower {
        Lower {
            file,
            offset,
            diagnostics: Vec::new(),
        }
    }

    /// The span of a pair without the whitespace and comments pest skips after it.
    fn span(&self, pair: &Pair<Rule>) -> Span {
        let s = pair.as_span();
        let len = trimmed_len(s.as_str());
        Span::new(
            self.file,
            self.offset + s.start(),
            self.offset + s.start() + len,
        )
    }

    /// Report a grammar shape the lowering did not expect (a bug in zan, not in the input).
    fn unexpected(&mut self, pair: &Pair<Rule>) {
        let span = self.span(pair);
        self.diagnostics.push(
            Diagnostic::new(Code::Syntax, span, "this construct is not understood here")
                .help("this is a defect in zan; please report it with the rulebook"),
        );
    }

    pub fn single_declaration(&mut self, pair: Pair<Rule>) -> Option<Declaration> {
        let decl = pair
            .into_inner()
            .find(|p| p.as_rule() == Rule::declaration)?;
        self.declaration(decl)
    }

    fn declaration(&mut self, pair: Pair<Rule>) -> Option<Declaration> {
        let span = self.span(&pair);
        let mut docs = Vec::new();
        let mut kind = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::doc => docs.push(doc_text(&p)),
                _ => kind = self.decl_kind(p),
            }
        }
        Some(Declaration {
            doc: join_docs(docs),
            span,
            kind: kind?,
        })
    }

    fn decl_kind(&mut self, p: Pair<Rule>) -> Option<DeclKind> {
        Some(match p.as_rule() {
            Rule::rulebook_decl => DeclKind::Rulebook(self.metadata(p)?),
            Rule::source_decl => DeclKind::Source(self.metadata(p)?),
            Rule::enum_decl => DeclKind::Enum(self.enum_decl(p)?),
            Rule::record_decl => DeclKind::Record(self.record_decl(p)?),
            Rule::fact_decl => DeclKind::Fact(self.field_decl(p)?),
            Rule::parameter_decl => DeclKind::Parameter(self.parameter_decl(p)?),
            Rule::table_decl => DeclKind::Table(self.table_decl(p)?),
            Rule::calendar_decl => DeclKind::Calendar(self.calendar_decl(p)?),
            Rule::rule_decl => DeclKind::Rule(self.rule_decl(p)?),
            Rule::exception_decl => DeclKind::Exception(self.exception_decl(p)?),
            Rule::reasons_decl => DeclKind::Reasons(self.reasons_decl(p)?),
            Rule::amendment_decl => DeclKind::Amendment(self.amendment_decl(p)?),
            Rule::example_decl => DeclKind::Example(self.example_decl(p)?),
            Rule::test_decl => DeclKind::Test(self.test_decl(p)?),
            _ => {
                self.unexpected(&p);
                return None;
            }
        })
    }

    fn ident(&self, p: &Pair<Rule>) -> Ident {
        Ident {
            name: p.as_str().to_string(),
            span: self.span(p),
        }
    }

    fn first_ident(&mut self, pairs: &mut Pairs<Rule>) -> Option<Ident> {
        pairs
            .find(|p| p.as_rule() == Rule::ident)
            .map(|p| self.ident(&p))
    }

    fn path(&self, p: Pair<Rule>) -> Vec<Ident> {
        p.into_inner()
            .filter(|x| x.as_rule() == Rule::ident)
            .map(|x| self.ident(&x))
            .collect()
    }
}

/// Length of `text` without trailing whitespace and trailing `//` comments.
fn trimmed_len(text: &str) -> usize {
    let mut t = text.trim_end();
    // Most pairs end on a line with no `/` at all, so no comment: skip the scan.
    if !last_line_has_slash(t) {
        return t.len();
    }
    loop {
        let line_start = t.rfind('\n').map_or(0, |i| i + 1);
        let line = &t[line_start..];
        match comment_start(line) {
            Some(c) => t = t[..line_start + c].trim_end(),
            None => return t.len(),
        }
    }
}

/// Whether the last line of `text` has a `/` (one pass back from the end).
fn last_line_has_slash(text: &str) -> bool {
    for &b in text.as_bytes().iter().rev() {
        match b {
            b'\n' => return false,
            b'/' => return true,
            _ => {}
        }
    }
    false
}

/// Where a `//` comment starts in a line, outside string literals.
fn comment_start(line: &str) -> Option<usize> {
    let mut in_string = false;
    let mut escaped = false;
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' if in_string => escaped = true,
            b'"' => in_string = !in_string,
            b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => return Some(i),
            _ => {}
        }
    }
    None
}

/// What the tests of every category share: lowering a small text, and an expression written
/// as an S-expression so that its shape can be compared at a glance.
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
pub(super) mod test_support {
    use crate::diagnostics::Diagnostic;
    use crate::source::SourceMap;
    use crate::syntax::ast::*;

    /// The declarations and diagnostics of a file holding `text`.
    pub fn lower(text: &str) -> (Vec<Declaration>, Vec<Diagnostic>) {
        let mut map = SourceMap::new();
        let file = map.add("t.zan", text);
        let (ast, diagnostics) = crate::syntax::parse(&map, file);
        (ast.declarations, diagnostics)
    }

    /// The one declaration of `text`, which lowers without a diagnostic.
    pub fn declaration(text: &str) -> Declaration {
        let (mut declarations, diagnostics) = lower(text);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(declarations.len(), 1, "{declarations:?}");
        declarations.remove(0)
    }

    /// The expression `text` (the body of a rule), with the diagnostics of lowering it.
    pub fn expr(text: &str) -> (Expr, Vec<Diagnostic>) {
        let (mut declarations, diagnostics) = lower(&format!("rule r : Integer {{ {text} }}\n"));
        assert_eq!(declarations.len(), 1, "{text}: {diagnostics:?}");
        match declarations.remove(0).kind {
            DeclKind::Rule(RuleDecl {
                body: RuleBody::Expr(e),
                ..
            }) => (e, diagnostics),
            other => panic!("{text}: {other:?}"),
        }
    }

    /// The expression `text` as an S-expression; it lowers without a diagnostic.
    pub fn shape(text: &str) -> String {
        let (e, diagnostics) = expr(text);
        assert!(diagnostics.is_empty(), "{text}: {diagnostics:?}");
        sexp(&e)
    }

    fn sexp(e: &Expr) -> String {
        match &e.kind {
            ExprKind::Binary(op, a, b) => format!("({} {} {})", op.symbol(), sexp(a), sexp(b)),
            ExprKind::Unary(UnaryOp::Not, a) => format!("(not {})", sexp(a)),
            ExprKind::Unary(UnaryOp::Neg, a) => format!("(neg {})", sexp(a)),
            ExprKind::Field(a, f) => format!("(. {} {})", sexp(a), f.name),
            ExprKind::AsOf(a, d) => format!("(as-of {} {})", sexp(a), sexp(d)),
            ExprKind::Presence { value, present } => {
                let word = if *present { "present" } else { "absent" };
                format!("({word} {})", sexp(value))
            }
            ExprKind::If(c, a, b) => format!("(if {} {} {})", sexp(c), sexp(a), sexp(b)),
            ExprKind::Call(f, args) => {
                let args: Vec<String> = args.iter().map(sexp).collect();
                format!("({} {})", f.name, args.join(" "))
            }
            ExprKind::Name(i) => i.name.clone(),
            ExprKind::Integer(n) => n.to_string(),
            other => format!("{other:?}"),
        }
    }
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::test_support::{declaration, lower};
    use super::trimmed_len;
    use crate::syntax::ast::DeclKind;

    #[test]
    fn spans_leave_out_trailing_space_and_comments() {
        assert_eq!(trimmed_len("a + b  \n"), 5);
        assert_eq!(trimmed_len("a + b // why\n  // more\n"), 5);
        assert_eq!(trimmed_len("\"x // y\" // z"), 8);
        let text = "fact age : Integer // in years\n";
        let d = declaration(text);
        assert_eq!(d.span.end as usize, "fact age : Integer".len());
        let DeclKind::Fact(f) = d.kind else {
            panic!("{:?}", d.kind)
        };
        assert_eq!((f.name.name.as_str(), f.name.span.start), ("age", 5));
    }

    #[test]
    fn docs_above_a_declaration_are_its_doc() {
        let d = declaration("/// Age in years.\n///  Whole years.\nfact age : Integer\n");
        assert_eq!(d.doc.as_deref(), Some("Age in years.\n Whole years."));
    }

    #[test]
    fn each_declaration_is_lowered_alone() {
        let (declarations, diagnostics) =
            lower("fact a : Integer\n\nrule broken : = (\n\nfact b : Text\n");
        assert_eq!(declarations.len(), 2);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    }
}
