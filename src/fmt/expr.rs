//! The layout of expressions. Line breaks are the author's, at the points where the layout
//! allows one: before a binary operator (a break written after it is moved before it), before
//! `then`/`else` and after them, after `where`/`of`, after `(`/`[` and `,`. The indentation
//! of the continued line is computed:
//!
//! - an operator chain continues aligned with its first operand; a chain that is a block item
//!   (a rule's body) continues two columns in;
//! - `if`: `then`/`else` aligned with `if`; a value after `then`/`else` on its own line, two
//!   columns in from the keyword's line;
//! - `any x in xs where` / `sum x in xs of` and call arguments: two columns in from the line
//!   where the construct starts (from the construct itself when it directly follows `(`);
//! - list elements: two columns in from the line of `[`, aligned with the first element when
//!   `[` begins its line;
//! - `match` arms two columns in from `match`, `}` under `match`; records one field per line
//!   two columns in from the line of `{` when the author broke the line after `{`, otherwise
//!   on the line of `{`, continued two columns in where the author broke a line.

use super::items::Expand;
use super::tokens::{Brk, Gap, Indent, Kind};
use super::walk::{Part, Walker, STEP};
use crate::syntax::{is_infix, Rule};
use pest::iterators::Pair;

impl Walker<'_> {
    /// An operator chain. `item`: the expression is a block item (a rule's body).
    pub(super) fn expr(&mut self, pair: Pair<'_, Rule>, item: bool) {
        let first = self.toks.len();
        let chain = Indent::Col(first, if item { STEP } else { 0 });
        let saved = self.cont;
        self.cont = chain;
        for part in self.parts(&pair) {
            match part {
                Part::Node(c) if is_infix(c.as_rule()) => {
                    let pull = if matches!(c.as_rule(), Rule::op_is_not | Rule::op_not_in) {
                        2
                    } else {
                        1
                    };
                    self.set(Gap {
                        pull,
                        ..Gap::new(Brk::Soft, chain)
                    });
                    self.node(c);
                }
                other => self.part(other),
            }
        }
        self.cont = saved;
    }

    pub(super) fn if_expr(&mut self, pair: Pair<'_, Rule>) {
        let at = self.toks.len();
        let mut kw = None;
        for part in self.parts(&pair) {
            match part {
                Part::Node(c) if matches!(c.as_rule(), Rule::kw_then | Rule::kw_else) => {
                    self.set(Gap::new(Brk::Soft, Indent::Col(at, 0)));
                    kw = Some(self.leaf(&c));
                }
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

    /// Where the continued lines of a construct starting at token `at` are indented from: the
    /// construct's own column right after `(`, else the indentation of its line.
    fn base(&self, at: usize) -> Indent {
        let after_paren = at
            .checked_sub(1)
            .and_then(|p| self.toks.get(p))
            .is_some_and(|p| self.src(p.start, p.end) == "(");
        if after_paren {
            Indent::Col(at, 0)
        } else {
            Indent::Line(at, 0)
        }
    }

    pub(super) fn quantifier(&mut self, pair: Pair<'_, Rule>) {
        let at = self.toks.len();
        for part in self.parts(&pair) {
            match part {
                Part::Node(c) if c.as_rule() == Rule::expr => {
                    let body = self.base(at).plus(STEP);
                    self.set(Gap::new(Brk::Soft, body));
                    self.expr(c, false);
                }
                other => self.part(other),
            }
        }
    }

    pub(super) fn match_expr(&mut self, pair: Pair<'_, Rule>) {
        let at = self.toks.len();
        let mut parts = self.parts(&pair).into_iter();
        let mut body = Vec::new();
        for part in parts.by_ref() {
            if matches!(part, Part::Punct(s, e) if self.src(s, e) == "{") {
                body.push(part);
                break;
            }
            self.part(part);
        }
        body.extend(parts);
        let layout = Some((Indent::Col(at, STEP), Indent::Col(at, 0)));
        self.brace_list(body, Expand::AnyBreak, layout, |w, arm, inner| {
            for part in w.parts(&arm) {
                match part {
                    Part::Node(c) if c.as_rule() == Rule::pattern_alt => {
                        w.pattern_alt(c, inner.plus(STEP))
                    }
                    other => w.part(other),
                }
            }
        });
    }

    /// A record value.
    pub(super) fn record_lit(&mut self, pair: Pair<'_, Rule>) {
        let parts = self.parts(&pair);
        self.brace_list(parts, Expand::FirstBreak, None, |w, c, _| w.node(c));
    }

    /// A list `[a, b]` or a call `f(a, b)`. Call arguments continue two columns in from
    /// `base` of the function name; list elements two columns in from the line of `[`, or
    /// aligned with the first element when `[` begins its line.
    pub(super) fn delimited(&mut self, pair: Pair<'_, Rule>) {
        let call = pair.as_rule() == Rule::call;
        let callee = self.toks.len();
        let mut open = None;
        let mut first = None;
        for part in self.parts(&pair) {
            match part {
                Part::Punct(s, e) if open.is_none() && matches!(self.src(s, e), "(" | "[") => {
                    open = Some(self.push(s, e, Kind::Punct));
                }
                Part::Punct(s, e) if open.is_some() && matches!(self.src(s, e), ")" | "]") => {
                    let o = open.unwrap_or(callee);
                    let (inner, closing) = self.element_indents(call, callee, o, first);
                    let brk = if first.is_none() {
                        Brk::Glue
                    } else {
                        Brk::SoftGlue
                    };
                    self.set(Gap {
                        comment_indent: Some(inner),
                        ..Gap::new(brk, closing)
                    });
                    self.push(s, e, Kind::Punct);
                }
                Part::Node(c) if open.is_some() => {
                    let o = open.unwrap_or(callee);
                    let (inner, _) = self.element_indents(call, callee, o, first);
                    let brk = if first.is_none() {
                        Brk::SoftGlue
                    } else {
                        Brk::Soft
                    };
                    first.get_or_insert(self.toks.len());
                    self.set(Gap::new(brk, inner));
                    self.node(c);
                }
                other => self.part(other),
            }
        }
    }

    /// The indentation of the elements and of the closing bracket of a list or call.
    fn element_indents(
        &self,
        call: bool,
        callee: usize,
        open: usize,
        first: Option<usize>,
    ) -> (Indent, Indent) {
        if call {
            let base = self.base(callee);
            (base.plus(STEP), base)
        } else {
            let inner = match first {
                None => Indent::Line(open, STEP),
                Some(_) => Indent::AlignOr(first, open),
            };
            (inner, Indent::Line(open, 0))
        }
    }
}
