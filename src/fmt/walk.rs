//! Walking the parse tree of one declaration into tokens, deciding the layout of the gap
//! before each token: declarations, headers and blocks. Block items and braced lists are in
//! `items.rs`, expressions in `expr.rs`.
//!
//! Punctuation matched by the grammar as literals (`{`, `,`, `=>`, ...) has no pair of its own:
//! it is read from the source between the children of a pair.

use super::tokens::{is_space, is_trivia, Brk, Gap, Indent, Kind, Tok};
use crate::syntax::Rule;
use pest::iterators::Pair;

/// One level of indentation.
pub(super) const STEP: usize = 2;

/// A child of a pair, or punctuation between two children (absolute byte offsets).
pub(super) enum Part<'i> {
    Punct(usize, usize),
    Node(Pair<'i, Rule>),
}

pub(super) struct Walker<'t> {
    text: &'t str,
    /// Offset of the declaration being walked in the file (pairs are relative to it).
    base: usize,
    pub toks: Vec<Tok>,
    /// The gap of the next token pushed, when its parent decided it.
    pending: Option<Gap>,
    /// Indentation of a line break that only a comment forces (no break point of its own).
    pub(super) cont: Indent,
    /// Indentation of the current declaration or block item.
    pub(super) blk: usize,
}

impl<'t> Walker<'t> {
    pub fn new(text: &'t str) -> Walker<'t> {
        Walker {
            text,
            base: 0,
            toks: Vec::new(),
            pending: None,
            cont: Indent::Abs(2 * STEP),
            blk: 0,
        }
    }

    /// Walk one top-level declaration parsed from the text at `base`; `grouped`: it may
    /// follow the previous one without a blank line (consecutive facts).
    pub fn top_declaration(&mut self, base: usize, declaration: Pair<'_, Rule>, grouped: bool) {
        self.base = base;
        self.blk = 0;
        self.cont = Indent::Abs(2 * STEP);
        self.set(Gap {
            blank_after_prev: true,
            blank_before_next: true,
            force_blank: !grouped,
            ..Gap::hard(Indent::Abs(0))
        });
        self.declaration(declaration);
    }

    pub(super) fn src(&self, start: usize, end: usize) -> &'t str {
        self.text.get(start..end).unwrap_or("")
    }

    pub(super) fn punct_is(&self, part: &Part<'_>, text: &str) -> bool {
        matches!(part, Part::Punct(s, e) if self.src(*s, *e) == text)
    }

    /// The children of a pair with the punctuation between them, in source order.
    pub(super) fn parts<'i>(&self, pair: &Pair<'i, Rule>) -> Vec<Part<'i>> {
        let mut out = Vec::new();
        let mut at = self.base + pair.as_span().start();
        for child in pair.clone().into_inner() {
            let start = self.base + child.as_span().start();
            self.puncts(at, start, &mut out);
            at = self.base + child.as_span().end();
            out.push(Part::Node(child));
        }
        self.puncts(at, self.base + pair.as_span().end(), &mut out);
        out
    }

    /// The punctuation in a stretch of source that holds no pair (whitespace and comments
    /// skipped).
    fn puncts(&self, from: usize, to: usize, out: &mut Vec<Part<'_>>) {
        let mut i = from;
        while i < to {
            let rest = self.src(i, to);
            let Some(c) = rest.chars().next() else {
                break;
            };
            if c == '\n' || is_space(c) {
                i += c.len_utf8();
            } else if rest.starts_with("//") {
                i += rest.find('\n').unwrap_or(rest.len());
            } else {
                let len = if rest.starts_with("=>") || rest.starts_with("->") {
                    2
                } else {
                    c.len_utf8()
                };
                out.push(Part::Punct(i, i + len));
                i += len;
            }
        }
    }

    /// Decide the gap of the next token pushed.
    pub(super) fn set(&mut self, gap: Gap) {
        self.pending = Some(gap);
    }

    pub(super) fn push(&mut self, start: usize, end: usize, kind: Kind) -> usize {
        let before = match self.pending.take() {
            Some(g) => g,
            None => self.default_gap(start, end),
        };
        self.toks.push(Tok {
            start,
            end,
            kind,
            before,
        });
        self.toks.len() - 1
    }

    /// One space between tokens, none inside `a.b`, `f(x)`, `[a]`, before `,` `:` `?` and
    /// after a unary minus.
    fn default_gap(&self, start: usize, end: usize) -> Gap {
        let cur = self.src(start, end);
        let prev = self.toks.last();
        let after_opening = prev.is_some_and(|p| {
            matches!(p.kind, Kind::Leaf(Rule::op_neg | Rule::band_to))
                || matches!(self.src(p.start, p.end), "(" | "[" | ".")
        });
        let call = cur == "("
            && prev.is_some_and(|p| matches!(p.kind, Kind::Leaf(Rule::ident | Rule::kw_count)));
        let glue =
            after_opening || call || matches!(cur, "," | ")" | "]" | ":" | "." | "?" | "..=");
        Gap::new(if glue { Brk::Glue } else { Brk::Space }, self.cont)
    }

    /// Push a leaf pair as one token.
    pub(super) fn leaf(&mut self, pair: &Pair<'_, Rule>) -> usize {
        let start = self.base + pair.as_span().start();
        let end = self.base + pair.as_span().end();
        let end = match pair.as_rule() {
            Rule::doc | Rule::string | Rule::money_lit | Rule::duration_lit => end,
            // Operators are not atomic: pest may include the whitespace after them.
            _ => start + token_len(self.src(start, end)),
        };
        self.push(start, end, Kind::Leaf(pair.as_rule()))
    }

    pub(super) fn part(&mut self, part: Part<'_>) {
        match part {
            Part::Punct(s, e) => {
                self.push(s, e, Kind::Punct);
            }
            Part::Node(c) => self.node(c),
        }
    }

    pub(super) fn generic(&mut self, pair: Pair<'_, Rule>) {
        for part in self.parts(&pair) {
            self.part(part);
        }
    }

    /// Any pair, by its rule.
    pub(super) fn node(&mut self, pair: Pair<'_, Rule>) {
        match pair.as_rule() {
            Rule::expr => self.expr(pair, false),
            Rule::citation | Rule::test_citation => self.citation(pair),
            Rule::record_lit => self.record_lit(pair),
            Rule::list_lit | Rule::call => self.delimited(pair),
            Rule::if_expr => self.if_expr(pair),
            Rule::match_expr => self.match_expr(pair),
            Rule::quantifier => self.quantifier(pair),
            _ if is_leaf(&pair) => {
                self.leaf(&pair);
            }
            _ => self.generic(pair),
        }
    }

    /// Push the doc comments that start `parts`, one per line at `indent`, and return the
    /// rest; the token after a doc comment starts its own line.
    pub(super) fn docs<'i>(&mut self, parts: Vec<Part<'i>>, indent: Indent) -> Vec<Part<'i>> {
        let mut rest = Vec::new();
        let mut any = false;
        for part in parts {
            match part {
                Part::Node(c) if rest.is_empty() && c.as_rule() == Rule::doc => {
                    if any {
                        self.set(Gap::hard(indent));
                    }
                    self.leaf(&c);
                    any = true;
                }
                other => {
                    if rest.is_empty() && any {
                        self.set(Gap::hard(indent));
                    }
                    rest.push(other);
                }
            }
        }
        rest
    }

    // ------------------------------------------------------------------ declarations

    fn declaration(&mut self, pair: Pair<'_, Rule>) {
        let parts = self.parts(&pair);
        let rest = self.docs(parts, Indent::Abs(self.blk));
        for part in rest {
            match part {
                Part::Node(c) => self.decl(c),
                other => self.part(other),
            }
        }
    }

    pub(super) fn decl(&mut self, pair: Pair<'_, Rule>) {
        match pair.as_rule() {
            Rule::enum_decl | Rule::record_decl => self.brace_decl(pair),
            Rule::example_decl => self.example(pair),
            Rule::fact_decl => self.generic(pair),
            _ => self.headed(pair),
        }
    }

    /// A declaration with a header and a block: the header on one line, each `cites`/`checks`
    /// (and an amendment's `in force`) on its own line below it, then the block, whose `{`
    /// goes on its own line when the header has such clauses.
    fn headed(&mut self, pair: Pair<'_, Rule>) {
        let blk = self.blk;
        let saved = self.cont;
        self.cont = Indent::Abs(blk + 2 * STEP);
        let mut clauses = false;
        let mut body = Vec::new();
        let mut parts = self.parts(&pair).into_iter();
        for part in parts.by_ref() {
            match part {
                Part::Punct(..) if self.punct_is(&part, "{") => {
                    body.push(part);
                    break;
                }
                Part::Node(c) if c.as_rule() == Rule::rule_body => {
                    body = self.parts(&c);
                    break;
                }
                Part::Node(c) if matches!(c.as_rule(), Rule::citation | Rule::test_citation) => {
                    clauses = true;
                    self.citation(c);
                }
                // A table's hit policy on its own line, like a clause.
                Part::Node(c) if c.as_rule() == Rule::hit_policy => {
                    clauses = true;
                    self.set(Gap::hard(Indent::Abs(blk + STEP)));
                    self.generic(c);
                }
                Part::Node(c) if c.as_rule() == Rule::kw_in && clauses => {
                    self.set(Gap::hard(Indent::Abs(blk + STEP)));
                    self.leaf(&c);
                }
                other => self.part(other),
            }
        }
        body.extend(parts);
        self.block(body, clauses);
        self.cont = saved;
    }

    /// `{ items }`: one item per line, a blank line between items kept where the author
    /// left one.
    fn block(&mut self, parts: Vec<Part<'_>>, own_line: bool) {
        let blk = self.blk;
        let mut items = 0;
        for part in parts {
            match part {
                Part::Punct(s, e) if self.src(s, e) == "{" => {
                    self.set(if own_line {
                        Gap::hard(Indent::Abs(blk))
                    } else {
                        Gap::new(Brk::Space, self.cont)
                    });
                    self.push(s, e, Kind::Punct);
                }
                Part::Punct(s, e) if self.src(s, e) == "}" => {
                    let brk = if items == 0 { Brk::Glue } else { Brk::Hard };
                    self.set(Gap::close(brk, Indent::Abs(blk), Indent::Abs(blk + STEP)));
                    self.push(s, e, Kind::Punct);
                }
                Part::Node(c) => {
                    self.set(Gap::item(Indent::Abs(blk + STEP), items == 0));
                    self.blk = blk + STEP;
                    let saved = self.cont;
                    self.cont = Indent::Abs(blk + 3 * STEP);
                    self.item(c);
                    self.cont = saved;
                    self.blk = blk;
                    items += 1;
                }
                other => self.part(other),
            }
        }
    }

    pub(super) fn item(&mut self, pair: Pair<'_, Rule>) {
        match pair.as_rule() {
            Rule::rule_case => self.rule_case(pair),
            Rule::otherwise_case => self.otherwise_case(pair),
            Rule::expr => self.expr(pair, true),
            Rule::reason_item => self.reason_item(pair),
            Rule::table_row
            | Rule::calendar_entry
            | Rule::param_value
            | Rule::provision
            | Rule::variant
            | Rule::field_decl => {
                let parts = self.parts(&pair);
                let rest = self.docs(parts, Indent::Abs(self.blk));
                for part in rest {
                    match part {
                        Part::Node(c) => self.inner_item(c),
                        other => self.part(other),
                    }
                }
            }
            _ => self.node(pair),
        }
    }

    fn inner_item(&mut self, pair: Pair<'_, Rule>) {
        match pair.as_rule() {
            Rule::keyed_row => self.keyed_row(pair),
            Rule::add_provision | Rule::replace_provision => {
                for part in self.parts(&pair) {
                    match part {
                        Part::Node(c)
                            if matches!(c.as_rule(), Rule::amendable | Rule::corrected) =>
                        {
                            for d in c.into_inner() {
                                self.decl(d);
                            }
                        }
                        other => self.part(other),
                    }
                }
            }
            _ => self.node(pair),
        }
    }

    /// `cites SOURCE "quote"` and `checks ...` start their own line below what they qualify.
    fn citation(&mut self, pair: Pair<'_, Rule>) {
        let blk = self.blk;
        self.set(Gap::hard(Indent::Abs(blk + STEP)));
        let saved = self.cont;
        self.cont = Indent::Abs(blk + 2 * STEP);
        self.generic(pair);
        self.cont = saved;
    }
}

/// Whether a pair is printed as one token.
fn is_leaf(pair: &Pair<'_, Rule>) -> bool {
    matches!(
        pair.as_rule(),
        Rule::doc | Rule::string | Rule::money_lit | Rule::duration_lit
    ) || (pair.clone().into_inner().next().is_none()
        && !matches!(pair.as_rule(), Rule::list_lit | Rule::record_lit))
}

/// The length of the token at the start of `text`: the shortest prefix after which only
/// whitespace and comments follow.
fn token_len(text: &str) -> usize {
    text.char_indices()
        .skip(1)
        .map(|(i, _)| i)
        .find(|&i| text.get(i..).is_some_and(is_trivia))
        .unwrap_or(text.len())
}
