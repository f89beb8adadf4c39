//! The layout of block items (cases, reasons, table rows) and of braced lists (enums, records,
//! record values, `match`).

use super::tokens::{Brk, Gap, Indent, Kind};
use super::walk::{Part, Walker, STEP};
use crate::syntax::Rule;
use pest::iterators::Pair;

/// When the entries of braces go one per line.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Expand {
    /// Always (an example's record).
    Always,
    /// When the author broke a line anywhere directly inside the braces (enums, records,
    /// `match`).
    AnyBreak,
    /// When the author broke the line right after `{` (record values); otherwise the entries
    /// fill the line, continued where the author broke it.
    FirstBreak,
}

impl Walker<'_> {
    /// `when COND then VALUE`: a line break the author wrote before `then` puts it on its own
    /// line, indented; one after `then` puts the value on its own line.
    pub(super) fn rule_case(&mut self, pair: Pair<'_, Rule>) {
        let blk = self.blk;
        let parts = self.parts(&pair);
        let mut then = None;
        for part in self.docs(parts, Indent::Abs(blk)) {
            match part {
                Part::Node(c) if c.as_rule() == Rule::kw_then => {
                    self.set(Gap::new(Brk::Soft, Indent::Abs(blk + STEP)));
                    then = Some(self.leaf(&c));
                }
                Part::Node(c) if c.as_rule() == Rule::expr => {
                    if let Some(t) = then {
                        self.set(Gap::new(Brk::Soft, Indent::Line(t, STEP)));
                    }
                    self.expr(c, false);
                }
                other => self.part(other),
            }
        }
    }

    pub(super) fn otherwise_case(&mut self, pair: Pair<'_, Rule>) {
        let blk = self.blk;
        let parts = self.parts(&pair);
        let mut kw = None;
        for part in self.docs(parts, Indent::Abs(blk)) {
            match part {
                Part::Node(c) if c.as_rule() == Rule::kw_otherwise => kw = Some(self.leaf(&c)),
                Part::Node(c) if c.as_rule() == Rule::expr => {
                    if let Some(k) = kw {
                        self.set(Gap::new(Brk::Soft, Indent::Line(k, STEP)));
                    }
                    self.expr(c, false);
                }
                other => self.part(other),
            }
        }
    }

    /// `reason CODE "message"`, then `when COND` on its own line.
    pub(super) fn reason_item(&mut self, pair: Pair<'_, Rule>) {
        let blk = self.blk;
        let parts = self.parts(&pair);
        for part in self.docs(parts, Indent::Abs(blk)) {
            match part {
                Part::Node(c) if c.as_rule() == Rule::kw_when => {
                    self.set(Gap::hard(Indent::Abs(blk + STEP)));
                    self.leaf(&c);
                }
                other => self.part(other),
            }
        }
    }

    /// `a or b, _ => VALUE`: the author's line breaks before `or` and after `,` are kept.
    pub(super) fn keyed_row(&mut self, pair: Pair<'_, Rule>) {
        let cont = Indent::Abs(self.blk + STEP);
        let mut after_comma = false;
        for part in self.parts(&pair) {
            match part {
                Part::Node(c) if c.as_rule() == Rule::pattern_alt => {
                    if after_comma {
                        self.set(Gap::new(Brk::Soft, cont));
                    }
                    self.pattern_alt(c, cont);
                    after_comma = false;
                }
                Part::Punct(s, e) if self.src(s, e) == "," => {
                    self.push(s, e, Kind::Punct);
                    after_comma = true;
                }
                other => self.part(other),
            }
        }
    }

    pub(super) fn pattern_alt(&mut self, pair: Pair<'_, Rule>, cont: Indent) {
        for part in self.parts(&pair) {
            match part {
                Part::Node(c) if c.as_rule() == Rule::kw_or => {
                    self.set(Gap {
                        pull: 1,
                        ..Gap::new(Brk::Soft, cont)
                    });
                    self.leaf(&c);
                }
                other => self.part(other),
            }
        }
    }

    /// `enum` and `record`: `{ a, b }` on one line, or one entry per line.
    pub(super) fn brace_decl(&mut self, pair: Pair<'_, Rule>) {
        let blk = self.blk;
        let mut parts = self.parts(&pair).into_iter();
        let mut body = Vec::new();
        for part in parts.by_ref() {
            if self.punct_is(&part, "{") {
                body.push(part);
                break;
            }
            self.part(part);
        }
        body.extend(parts);
        let inner = Indent::Abs(blk + STEP);
        self.brace_list(
            body,
            Expand::AnyBreak,
            Some((inner, Indent::Abs(blk))),
            |w, c, _| {
                let saved = w.blk;
                w.blk += STEP;
                w.item(c);
                w.blk = saved;
            },
        );
    }

    /// `example NAME { field: value ... }`: one field per line.
    pub(super) fn example(&mut self, pair: Pair<'_, Rule>) {
        let blk = self.blk;
        for part in self.parts(&pair) {
            match part {
                Part::Node(c) if c.as_rule() == Rule::record_lit => {
                    let parts = self.parts(&c);
                    let layout = Some((Indent::Abs(blk + STEP), Indent::Abs(blk)));
                    self.brace_list(parts, Expand::Always, layout, |w, c, _| w.node(c));
                }
                other => self.part(other),
            }
        }
    }

    /// `{ item, item }` on one line (continued where the author broke a line between two
    /// items), or one item per line as `expand` says (a doc comment on an item needs it too).
    /// `layout` gives the indentation of the items and of `}` (default: from the line of `{`).
    pub(super) fn brace_list(
        &mut self,
        parts: Vec<Part<'_>>,
        expand: Expand,
        layout: Option<(Indent, Indent)>,
        item: fn(&mut Self, Pair<'_, Rule>, Indent),
    ) {
        let mut open = None;
        let mut firsts = Vec::new();
        let mut close = None;
        let mut direct = Vec::new();
        let indents = |open: Option<usize>| {
            let o = open.unwrap_or(0);
            layout.unwrap_or((Indent::Line(o, STEP), Indent::Line(o, 0)))
        };
        for part in parts {
            match part {
                Part::Punct(s, e) if open.is_none() && self.src(s, e) == "{" => {
                    open = Some(self.push(s, e, Kind::Punct));
                }
                Part::Punct(s, e) if self.src(s, e) == "}" => {
                    close = Some(self.push(s, e, Kind::Punct));
                }
                Part::Punct(s, e) => direct.push(self.push(s, e, Kind::Punct)),
                Part::Node(c) => {
                    let (inner, _) = indents(open);
                    firsts.push(self.toks.len());
                    self.set(Gap::new(Brk::Space, inner));
                    let saved = self.cont;
                    self.cont = inner.plus(2 * STEP);
                    item(self, c, inner);
                    self.cont = saved;
                }
            }
        }
        let (inner, closing) = indents(open);
        let broken = match expand {
            Expand::Always => true,
            Expand::FirstBreak => firsts.first().is_some_and(|&i| self.broken_before(i)),
            Expand::AnyBreak => firsts
                .iter()
                .chain(&direct)
                .chain(&close)
                .any(|&i| self.broken_before(i)),
        };
        let expanded = broken
            || firsts.iter().any(|&i| {
                self.toks
                    .get(i)
                    .is_some_and(|t| t.kind == Kind::Leaf(Rule::doc))
            });
        for (k, &i) in firsts.iter().enumerate() {
            if let Some(t) = self.toks.get_mut(i) {
                t.before = match (expanded, k) {
                    (true, _) => Gap::item(inner, k == 0),
                    (false, 0) => Gap::new(Brk::Space, inner),
                    (false, _) => Gap::new(Brk::Soft, inner),
                };
            }
        }
        if let Some(t) = close.and_then(|i| self.toks.get_mut(i)) {
            let brk = match (expanded, firsts.is_empty()) {
                (true, false) => Brk::Hard,
                (_, true) => Brk::Glue,
                (false, false) => Brk::Space,
            };
            t.before = Gap::close(brk, closing, inner);
        }
    }

    /// Whether the author broke a line (or wrote a comment) right before token `i`.
    fn broken_before(&self, i: usize) -> bool {
        let (Some(prev), Some(tok)) = (
            i.checked_sub(1).and_then(|p| self.toks.get(p)),
            self.toks.get(i),
        ) else {
            return false;
        };
        let gap = self.src(prev.end, tok.start);
        gap.contains('\n') || gap.contains("//")
    }
}
