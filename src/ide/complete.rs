//! Completion by context, read from the text before the cursor (which may not parse yet):
//! record fields after a dot, enum values where that enum is expected, source names in
//! citations, calendar names after `working days in`, types after `:`, declaration keywords
//! at the start of a line, and otherwise keywords and the names in scope.

use super::index::{DeclEntry, DeclWhat};
use super::{Analysis, Edit};
use crate::source::FileId;
use crate::syntax::ast::{self, DeclKind};
use crate::syntax::keywords::{
    is_keyword, BUILTIN_TYPES, DECLARATION_KEYWORDS, EXPRESSION_KEYWORDS,
};
use crate::syntax::lex::{self, Tok, Token};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    Keyword,
    Rule,
    Fact,
    Parameter,
    Table,
    Calendar,
    Source,
    EnumValue,
    Field,
    Type,
    Function,
    Example,
    Variable,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: Option<String>,
    pub documentation: Option<String>,
    /// Replace this range (of the file completed in) with this text instead of inserting the
    /// label (a cited sentence, whose label is shortened).
    pub edit: Option<Edit>,
}

/// Completions at `offset` of `file` in the analysed text.
pub fn complete(a: &Analysis, file: FileId, offset: usize) -> Vec<Completion> {
    let text = a.text(file);
    let offset = offset.min(text.len());
    let mut start = offset;
    while start > 0 {
        let Some(c) = text[..start].chars().next_back() else {
            break;
        };
        if c.is_alphanumeric() || c == '_' {
            start -= c.len_utf8();
        } else {
            break;
        }
    }
    let decl_start = declaration_start(text, start);
    match super::quotes::in_text(a, file, decl_start, offset) {
        super::quotes::InText::No => {}
        super::quotes::InText::Quote(items) => return items,
        super::quotes::InText::Other => return Vec::new(),
    }
    let toks: Vec<Token> = lex::tokens(&text[decl_start..start])
        .into_iter()
        .filter(|t| !matches!(t.kind, Tok::Comment | Tok::Doc))
        .map(|t| Token {
            start: t.start + decl_start,
            end: t.end + decl_start,
            ..t
        })
        .collect();
    let cx = Context {
        a,
        text,
        toks: &toks,
    };
    let line_before = &text[text[..start].rfind('\n').map_or(0, |i| i + 1)..start];
    if line_before.is_empty() {
        return keywords(DECLARATION_KEYWORDS);
    }
    if let Some(items) = cx.by_context(line_before) {
        return items;
    }
    let mut items = keywords(EXPRESSION_KEYWORDS);
    items.extend(cx.names_in_scope());
    items
}

/// Where the top-level declaration holding `offset` starts: the last line that starts in
/// column 0 with a word (declarations are written from the first column).
fn declaration_start(text: &str, offset: usize) -> usize {
    let mut at = offset;
    while let Some(nl) = text[..at].rfind('\n') {
        let line = &text[nl + 1..];
        if line.starts_with(|c: char| c.is_alphabetic()) && nl + 1 < offset {
            return nl + 1;
        }
        at = nl;
    }
    0
}

pub(super) fn keywords(words: &[&str]) -> Vec<Completion> {
    words
        .iter()
        .map(|w| Completion {
            label: w.to_string(),
            kind: CompletionKind::Keyword,
            detail: None,
            documentation: None,
            edit: None,
        })
        .collect()
}

pub(super) struct Context<'a> {
    pub(super) a: &'a Analysis,
    pub(super) text: &'a str,
    pub(super) toks: &'a [Token],
}

impl<'a> Context<'a> {
    pub(super) fn tok(&self, back: usize) -> Option<&'a str> {
        let t = self.toks.get(self.toks.len().checked_sub(back + 1)?)?;
        Some(&self.text[t.start..t.end])
    }

    fn by_context(&self, line_before: &str) -> Option<Vec<Completion>> {
        let (t0, t1, t2) = (self.tok(0), self.tok(1), self.tok(2));
        if t0 == Some(".") {
            return Some(self.after_dot());
        }
        if matches!(t0, Some("cites" | "checks")) {
            return Some(self.globals_of(&[DeclWhat::Source]));
        }
        if t0 == Some("in") && matches!(t1, Some("days" | "day")) && t2 == Some("working") {
            return Some(self.globals_of(&[DeclWhat::Calendar]));
        }
        if t0 == Some("to") && self.decl_keyword() == Some("exception") {
            return Some(self.globals_of(&[DeclWhat::Rule]));
        }
        if t0 == Some("expect") {
            return Some(self.globals_of(&[DeclWhat::Rule, DeclWhat::Reasons]));
        }
        if t0 == Some("given") {
            return Some(self.globals_of(&[DeclWhat::Example]));
        }
        if t0 == Some(":") && self.in_header()
            || t0 == Some("of") && t1 == Some("list")
            || (t0 == Some(">") && t1 == Some("-"))
        {
            return Some(self.types());
        }
        if let Some(items) = self.expected_enum() {
            return Some(items);
        }
        if let Some(items) = self.expected_value(line_before) {
            return Some(items);
        }
        if line_before.trim().is_empty() && self.decl_keyword() == Some("table") && self.in_body() {
            let mut items = self.table_key_values();
            items.extend(keywords(&["otherwise"]));
            return Some(items);
        }
        None
    }

    /// The keyword that opens the current declaration.
    pub(super) fn decl_keyword(&self) -> Option<&'a str> {
        self.toks
            .iter()
            .map(|t| &self.text[t.start..t.end])
            .find(|w| DECLARATION_KEYWORDS.contains(w) && *w != "output")
    }

    pub(super) fn in_body(&self) -> bool {
        self.toks.iter().any(|t| &self.text[t.start..t.end] == "{")
    }

    /// Before the declaration's body: `fact x: |`, `rule r: |`, `table t(k: |`.
    fn in_header(&self) -> bool {
        !self.in_body() || matches!(self.decl_keyword(), Some("record"))
    }

    fn globals_of(&self, whats: &[DeclWhat]) -> Vec<Completion> {
        let mut out: Vec<Completion> = Vec::new();
        for d in self.a.index.globals().filter(|d| whats.contains(&d.what)) {
            if out.iter().any(|c| c.label == d.name) {
                continue;
            }
            out.push(self.item(d));
        }
        out
    }

    fn item(&self, d: &DeclEntry) -> Completion {
        let node = self.a.index.decl_node(d);
        let kind = match d.what {
            DeclWhat::Rule | DeclWhat::Exception | DeclWhat::Reasons => CompletionKind::Rule,
            DeclWhat::Fact => CompletionKind::Fact,
            DeclWhat::Parameter => CompletionKind::Parameter,
            DeclWhat::Table => CompletionKind::Table,
            DeclWhat::Calendar => CompletionKind::Calendar,
            DeclWhat::Source | DeclWhat::Amendment | DeclWhat::Rulebook | DeclWhat::Test => {
                CompletionKind::Source
            }
            DeclWhat::Enum | DeclWhat::Record => CompletionKind::Type,
            DeclWhat::Variant | DeclWhat::Reason => CompletionKind::EnumValue,
            DeclWhat::Field => CompletionKind::Field,
            DeclWhat::Example => CompletionKind::Example,
        };
        let detail = node
            .and_then(|n| type_text(self.a, n))
            .map(|t| format!("{} {}: {t}", d.what.word(), d.name))
            .or_else(|| Some(format!("{} {}", d.what.word(), d.name)));
        Completion {
            label: d.name.clone(),
            kind,
            detail,
            documentation: node.and_then(|n| n.doc.clone()),
            edit: None,
        }
    }

    pub(super) fn names_in_scope(&self) -> Vec<Completion> {
        let mut out = self.globals_of(&[
            DeclWhat::Fact,
            DeclWhat::Rule,
            DeclWhat::Reasons,
            DeclWhat::Parameter,
            DeclWhat::Table,
            DeclWhat::Calendar,
            DeclWhat::Enum,
        ]);
        for f in crate::check::FUNCTIONS {
            out.push(Completion {
                label: f.name.to_string(),
                kind: CompletionKind::Function,
                detail: Some(f.signature()),
                documentation: Some(f.doc.to_string()),
                edit: None,
            });
        }
        // `as_of` is a name, not a keyword: the evaluation date, readable in any expression.
        out.push(Completion {
            label: "as_of".into(),
            kind: CompletionKind::Variable,
            detail: Some("date".into()),
            documentation: Some("The evaluation date.".into()),
            edit: None,
        });
        for (var, _) in self.quantifier_vars() {
            out.push(Completion {
                label: var.to_string(),
                kind: CompletionKind::Variable,
                detail: Some("quantifier variable".into()),
                documentation: None,
                edit: None,
            });
        }
        out
    }

    /// `any x in PATH`: the variables bound before the cursor, with their list's path.
    fn quantifier_vars(&self) -> Vec<(&'a str, Vec<&'a str>)> {
        let words: Vec<&str> = self
            .toks
            .iter()
            .map(|t| &self.text[t.start..t.end])
            .collect();
        let mut out = Vec::new();
        for i in 0..words.len() {
            if matches!(words[i], "any" | "all" | "count" | "sum")
                && words.get(i + 2) == Some(&"in")
            {
                let var = words.get(i + 1).copied().unwrap_or_default();
                let mut path = Vec::new();
                let mut j = i + 3;
                while let Some(w) = words.get(j) {
                    if *w == "." {
                        j += 1;
                        continue;
                    }
                    if *w == "where"
                        || *w == "of"
                        || is_keyword(w)
                        || !w.chars().all(|c| c.is_alphanumeric() || c == '_')
                    {
                        break;
                    }
                    path.push(*w);
                    j += 1;
                }
                out.push((var, path));
            }
        }
        out
    }

    /// The dotted path written just before the last token (`a.b.` → [a, b]).
    pub(super) fn path_before(&self, skip: usize) -> Vec<&'a str> {
        let mut path = Vec::new();
        let mut i = self.toks.len().saturating_sub(skip);
        while i > 0 {
            let t = &self.toks[i - 1];
            let w = &self.text[t.start..t.end];
            if t.kind != Tok::Word || is_keyword(w) {
                break;
            }
            path.push(w);
            if i >= 2 && &self.text[self.toks[i - 2].start..self.toks[i - 2].end] == "." {
                i -= 2;
            } else {
                break;
            }
        }
        path.reverse();
        path
    }

    fn after_dot(&self) -> Vec<Completion> {
        let path = self.path_before(1);
        if let [one] = path.as_slice() {
            if let Some(items) = self.enum_values(one) {
                return items;
            }
        }
        match self.type_of_path(&path) {
            Some(ty) => self.members(&ty),
            None => Vec::new(),
        }
    }

    /// The type name a path ends in (lists and optionals stripped).
    pub(super) fn type_of_path(&self, path: &[&str]) -> Option<String> {
        let (first, rest) = path.split_first()?;
        let mut ty = match self.a.index.declaration_of(first) {
            Some((_, node)) => type_name(node)?,
            None => {
                let vars = self.quantifier_vars();
                let (_, list) = vars.iter().rev().find(|(v, _)| v == first)?;
                self.type_of_path(list)?
            }
        };
        for seg in rest {
            ty = match ty.as_str() {
                "period" if matches!(*seg, "start" | "end") => "date".into(),
                "reason" if matches!(*seg, "code" | "message") => "text".into(),
                _ => {
                    let (_, node) = self.a.index.declaration_of(&ty)?;
                    let DeclKind::Record(r) = &node.kind else {
                        return None;
                    };
                    let f = r.fields.iter().find(|f| f.name.name == *seg)?;
                    named(&f.ty)?
                }
            };
        }
        Some(ty)
    }

    fn members(&self, ty: &str) -> Vec<Completion> {
        let fixed: &[(&str, &str)] = match ty {
            "period" => &[("start", "date"), ("end", "date")],
            "reason" => &[("code", "text"), ("message", "text")],
            _ => &[],
        };
        if !fixed.is_empty() {
            return fixed
                .iter()
                .map(|(f, t)| Completion {
                    label: f.to_string(),
                    kind: CompletionKind::Field,
                    detail: Some(t.to_string()),
                    documentation: None,
                    edit: None,
                })
                .collect();
        }
        let Some((_, node)) = self.a.index.declaration_of(ty) else {
            return Vec::new();
        };
        match &node.kind {
            DeclKind::Record(r) => r
                .fields
                .iter()
                .map(|f| Completion {
                    label: f.name.name.clone(),
                    kind: CompletionKind::Field,
                    detail: Some(format!(
                        "{}: {}",
                        f.name.name,
                        self.a.map.snippet(f.ty.span)
                    )),
                    documentation: f.doc.clone(),
                    edit: None,
                })
                .collect(),
            DeclKind::Enum(_) => self.enum_values(ty).unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    pub(super) fn enum_values(&self, enum_name: &str) -> Option<Vec<Completion>> {
        let (_, node) = self.a.index.declaration_of(enum_name)?;
        let DeclKind::Enum(e) = &node.kind else {
            return None;
        };
        Some(
            e.variants
                .iter()
                .map(|v| Completion {
                    label: v.name.name.clone(),
                    kind: CompletionKind::EnumValue,
                    detail: Some(match &v.label {
                        Some(l) => format!("{enum_name}: {l}"),
                        None => enum_name.to_string(),
                    }),
                    documentation: v.doc.clone(),
                    edit: None,
                })
                .collect(),
        )
    }

    /// Where an enum is expected: after `x ==`, `x !=`, `x is`, inside `x in [ ... ]`, after
    /// `then`/`otherwise` in a rule of an enum type, in `match x {` arms.
    fn expected_enum(&self) -> Option<Vec<Completion>> {
        let t0 = self.tok(0)?;
        let t1 = self.tok(1);
        let compare_at = match (t1, t0) {
            (Some("="), "=") | (Some("!"), "=") => Some(2),
            (_, "is") => Some(1),
            _ => None,
        };
        if let Some(skip) = compare_at {
            let ty = self.type_of_path(&self.path_before(skip))?;
            return self.enum_values(&ty);
        }
        if t0 == "[" || t0 == "," {
            // Walk back to the `[` that opens the list, then `in` or `not in` and the path.
            let mut i = self.toks.len();
            let mut depth = 0i32;
            while i > 0 {
                i -= 1;
                match &self.text[self.toks[i].start..self.toks[i].end] {
                    "]" => depth += 1,
                    "[" if depth == 0 => break,
                    "[" => depth -= 1,
                    _ => {}
                }
            }
            if i >= 1 && &self.text[self.toks[i - 1].start..self.toks[i - 1].end] == "in" {
                let skip = self.toks.len() - (i - 1);
                let ty = self.type_of_path(&self.path_before(skip))?;
                return self.enum_values(&ty);
            }
            return None;
        }
        if matches!(t0, "then" | "otherwise") && self.decl_keyword() == Some("rule") {
            let words: Vec<&str> = self
                .toks
                .iter()
                .map(|t| &self.text[t.start..t.end])
                .collect();
            let colon = words.iter().position(|w| *w == ":")?;
            let ty = words.get(colon + 1)?;
            let mut items = self.enum_values(ty)?;
            items.extend(self.names_in_scope());
            return Some(items);
        }
        None
    }

    fn table_key_values(&self) -> Vec<Completion> {
        let words: Vec<&str> = self
            .toks
            .iter()
            .map(|t| &self.text[t.start..t.end])
            .collect();
        let Some(open) = words.iter().position(|w| *w == "(") else {
            return Vec::new();
        };
        let ty = words.get(open + 3).copied().unwrap_or_default();
        self.enum_values(ty).unwrap_or_default()
    }

    fn types(&self) -> Vec<Completion> {
        let mut out: Vec<Completion> = BUILTIN_TYPES
            .iter()
            .chain(["list"].iter())
            .map(|t| Completion {
                label: t.to_string(),
                kind: CompletionKind::Type,
                detail: Some("built-in type".into()),
                documentation: None,
                edit: None,
            })
            .collect();
        out.extend(self.globals_of(&[DeclWhat::Enum, DeclWhat::Record]));
        out
    }
}

/// The type of a declaration, as written.
fn type_text(a: &Analysis, d: &ast::Declaration) -> Option<String> {
    let t = match &d.kind {
        DeclKind::Fact(f) => &f.ty,
        DeclKind::Rule(r) => &r.ty,
        DeclKind::Parameter(p) => &p.ty,
        DeclKind::Table(t) => &t.ty,
        _ => return None,
    };
    Some(a.map.snippet(t.span).to_string())
}

/// The named type of a fact, rule, parameter or table (through lists and optionals).
pub(super) fn type_name(d: &ast::Declaration) -> Option<String> {
    match &d.kind {
        DeclKind::Fact(f) => named(&f.ty),
        DeclKind::Rule(r) => named(&r.ty),
        DeclKind::Parameter(p) => named(&p.ty),
        DeclKind::Table(t) => named(&t.ty),
        DeclKind::Enum(e) => Some(e.name.name.clone()),
        _ => None,
    }
}

pub(super) fn named(t: &ast::TypeExpr) -> Option<String> {
    match &t.kind {
        ast::TypeKind::Named(id) => Some(id.name.clone()),
        ast::TypeKind::List(inner) => named(inner),
        ast::TypeKind::Money(_) => Some("money".into()),
    }
}
