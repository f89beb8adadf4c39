//! Completion of the values an enum-typed position expects, beyond comparisons: `expect RULE =`,
//! `set FACT.FIELD =`, a field of an example's (or a test's `given { … }`) facts, a table's
//! row keys and values, a `match`'s arms, a table called with arguments, and the weekdays of a
//! calendar's `weekend`.

use super::complete::{keywords, named, Completion, CompletionKind, Context};
use crate::syntax::ast::DeclKind;

const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

impl Context<'_> {
    fn word(&self, i: usize) -> &str {
        self.toks
            .get(i)
            .map_or("", |t| self.text.get(t.start..t.end).unwrap_or(""))
    }

    /// The values expected at the cursor, when an enum (or a weekday) is.
    pub(super) fn expected_value(&self, line_before: &str) -> Option<Vec<Completion>> {
        let t0 = self.tok(0)?;
        if t0 == "=" && !matches!(self.tok(1), Some("=" | "!" | "<" | ">")) {
            return self.after_assignment();
        }
        match self.decl_keyword() {
            Some("calendar") => return self.weekdays(),
            Some("table") if self.in_table_body() => {
                return self.table_row(line_before);
            }
            _ => {}
        }
        if let Some(items) = self.match_arm(line_before) {
            return Some(items);
        }
        if let Some(items) = self.table_argument() {
            return Some(items);
        }
        if t0 == ":" && self.in_body() && matches!(self.decl_keyword(), Some("example" | "test")) {
            let path = self.facts_path()?;
            let ty = self.type_of_path(&path)?;
            return self.enum_values(&ty);
        }
        None
    }

    /// `expect RULE = |` and `set FACT.FIELD = |`.
    fn after_assignment(&self) -> Option<Vec<Completion>> {
        let path = self.path_before(1);
        let n = self.toks.len();
        let keyword_at = n.checked_sub(2 + path.len() * 2 - 1)?;
        if !matches!(self.word(keyword_at), "expect" | "set") {
            return None;
        }
        let ty = self.type_of_path(&path)?;
        if ty == "bool" {
            return Some(keywords(&["true", "false"]));
        }
        self.enum_values(&ty)
    }

    /// `weekend saturday, |`.
    fn weekdays(&self) -> Option<Vec<Completion>> {
        let n = self.toks.len();
        let mut i = n;
        while i > 0 && (self.word(i - 1) == "," || WEEKDAYS.contains(&self.word(i - 1))) {
            i -= 1;
        }
        if i == 0 || self.word(i - 1) != "weekend" || !matches!(self.tok(0), Some("weekend" | ","))
        {
            return None;
        }
        Some(
            WEEKDAYS
                .iter()
                .map(|d| Completion {
                    label: d.to_string(),
                    kind: CompletionKind::EnumValue,
                    detail: Some("weekday".into()),
                    documentation: None,
                    edit: None,
                })
                .collect(),
        )
    }

    /// Directly in a table's body (not inside brackets of a row's value).
    fn in_table_body(&self) -> bool {
        self.open_bracket()
            .is_some_and(|i| self.word(i) == "{" && !(0..i).any(|j| self.word(j) == "{"))
    }

    /// The innermost bracket `{`, `[` or `(` still open at the cursor, by token index.
    fn open_bracket(&self) -> Option<usize> {
        let mut depth = 0i32;
        for i in (0..self.toks.len()).rev() {
            match self.word(i) {
                "}" | "]" | ")" => depth += 1,
                "{" | "[" | "(" if depth == 0 => return Some(i),
                "{" | "[" | "(" => depth -= 1,
                _ => {}
            }
        }
        None
    }

    /// A row of a table's body: the key's values by its position (commas before the cursor on
    /// the row), or after `=>` the table's value type.
    fn table_row(&self, line_before: &str) -> Option<Vec<Completion>> {
        let name = (0..self.toks.len())
            .find(|&i| self.word(i) == "table")
            .map(|i| self.word(i + 1))?;
        let (_, node) = self.a.index.declaration_of(name)?;
        let DeclKind::Table(t) = &node.kind else {
            return None;
        };
        let row = line_before.trim_start();
        let t0 = self.tok(0)?;
        if row.contains("=>") {
            if !(t0 == ">" && self.tok(1) == Some("=")) {
                return None;
            }
            let mut items = self.enum_values(&named(&t.ty)?)?;
            items.extend(self.names_in_scope());
            return Some(items);
        }
        let at_key = row.is_empty() || matches!(t0, "," | "|");
        if !at_key {
            return None;
        }
        let key = row.matches(',').count();
        let (_, ty) = t.keys.get(key)?;
        let mut items = self.enum_values(&named(ty)?)?;
        if row.is_empty() {
            items.extend(keywords(&["otherwise"]));
        }
        Some(items)
    }

    /// The start of an arm of `match PATH {`: after `{`, `,` or `|`, or at the start of a line.
    fn match_arm(&self, line_before: &str) -> Option<Vec<Completion>> {
        let t0 = self.tok(0)?;
        if !(line_before.trim().is_empty() || matches!(t0, "{" | "," | "|")) {
            return None;
        }
        let open = self.open_bracket()?;
        if self.word(open) != "{" {
            return None;
        }
        let kw = (0..open).rev().find(|&i| self.word(i) == "match")?;
        // Only the path between `match` and `{`: `match x.y {`.
        let path: Vec<&str> = (kw + 1..open)
            .map(|i| self.word(i))
            .filter(|w| *w != ".")
            .collect();
        if (kw + 1..open).any(|i| {
            !matches!(self.word(i), ".") && self.toks[i].kind != crate::syntax::lex::Tok::Word
        }) {
            return None;
        }
        let ty = self.type_of_path(&path)?;
        let mut items = self.enum_values(&ty)?;
        items.extend(keywords(&["otherwise"]));
        Some(items)
    }

    /// `TABLE(a, |`: the values of the table's key at that position.
    fn table_argument(&self) -> Option<Vec<Completion>> {
        let t0 = self.tok(0)?;
        if !matches!(t0, "(" | ",") {
            return None;
        }
        let open = self.open_bracket()?;
        if self.word(open) != "(" || open == 0 {
            return None;
        }
        let (_, node) = self.a.index.declaration_of(self.word(open - 1))?;
        let DeclKind::Table(t) = &node.kind else {
            return None;
        };
        let mut depth = 0i32;
        let mut key = 0;
        for i in open + 1..self.toks.len() {
            match self.word(i) {
                "(" | "[" | "{" => depth += 1,
                ")" | "]" | "}" => depth -= 1,
                "," if depth == 0 => key += 1,
                _ => {}
            }
        }
        let (_, ty) = t.keys.get(key)?;
        self.enum_values(&named(ty)?)
    }

    /// `fact: { field: { inner: |` in an example's facts: the path of fact and fields.
    fn facts_path(&self) -> Option<Vec<&str>> {
        let n = self.toks.len();
        let mut path = vec![self.word(n.checked_sub(2)?)];
        let mut depth = 0i32;
        for i in (0..n - 1).rev() {
            match self.word(i) {
                "}" | "]" | ")" => depth += 1,
                "[" if depth == 0 => {}
                "{" if depth == 0 => {
                    // `NAME: {` (or `NAME: [ {`) names a field; `example x {`, `given {` end.
                    let mut j = i;
                    while j > 0 && self.word(j - 1) == "[" {
                        j -= 1;
                    }
                    if j < 2 || self.word(j - 1) != ":" {
                        break;
                    }
                    path.push(self.word(j - 2));
                }
                "{" | "[" | "(" => depth -= 1,
                _ => {}
            }
        }
        path.reverse();
        Some(path)
    }
}
