//! Lowering expressions: operator precedence and associativity (the one `PrattParser`),
//! postfix field access, `as of` and presence tests, operands, `match` patterns and
//! quantifiers.

use super::literals::string_value;
use super::Lower;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast::*;
use crate::syntax::Rule;
use crate::time::date;
use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};
use std::sync::LazyLock;

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::prefix(Rule::op_not))
        .op(Op::infix(Rule::op_eq, Assoc::Left)
            | Op::infix(Rule::op_ne, Assoc::Left)
            | Op::infix(Rule::op_lt, Assoc::Left)
            | Op::infix(Rule::op_le, Assoc::Left)
            | Op::infix(Rule::op_gt, Assoc::Left)
            | Op::infix(Rule::op_ge, Assoc::Left)
            | Op::infix(Rule::op_is, Assoc::Left)
            | Op::infix(Rule::op_is_not, Assoc::Left)
            | Op::infix(Rule::op_in, Assoc::Left)
            | Op::infix(Rule::op_not_in, Assoc::Left))
        .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
        .op(Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left))
        .op(Op::prefix(Rule::op_neg))
        .op(Op::postfix(Rule::op_field)
            | Op::postfix(Rule::op_as_of)
            | Op::postfix(Rule::op_is_present)
            | Op::postfix(Rule::op_is_absent))
});

impl Lower {
    pub(super) fn expr(&mut self, p: Pair<Rule>) -> Expr {
        let span = self.span(&p);
        if p.as_rule() != Rule::expr {
            return self.operand(p);
        }
        // The Pratt closures cannot borrow `self` mutably more than once, so diagnostics
        // raised inside them are collected in a cell and moved out afterwards.
        let cell = std::cell::RefCell::new(std::mem::take(&mut self.diagnostics));
        let file = self.file;
        let offset = self.offset;
        let result = PRATT
            .map_primary(|prim| {
                let mut l = Lower {
                    file,
                    offset,
                    diagnostics: Vec::new(),
                };
                let e = l.operand(prim);
                cell.borrow_mut().extend(l.diagnostics);
                e
            })
            .map_prefix(|op, rhs| {
                let s = Span::new(
                    file,
                    offset + op.as_span().start(),
                    offset + op.as_span().end(),
                )
                .to(rhs.span);
                let op = if op.as_rule() == Rule::op_not {
                    UnaryOp::Not
                } else {
                    UnaryOp::Neg
                };
                Expr {
                    kind: ExprKind::Unary(op, Box::new(rhs)),
                    span: s,
                }
            })
            .map_postfix(|lhs, op| {
                let mut l = Lower {
                    file,
                    offset,
                    diagnostics: Vec::new(),
                };
                let e = l.postfix(lhs, op);
                cell.borrow_mut().extend(l.diagnostics);
                e
            })
            .map_infix(|lhs, op, rhs| {
                let s = lhs.span.to(rhs.span);
                let op = binary_op(op.as_rule());
                Expr {
                    kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                    span: s,
                }
            })
            .parse(p.into_inner());
        self.diagnostics = cell.into_inner();
        Expr { span, ..result }
    }

    pub(super) fn postfix(&mut self, lhs: Expr, op: Pair<Rule>) -> Expr {
        let span = lhs.span.to(self.span(&op));
        let kind = match op.as_rule() {
            Rule::op_field => match op.into_inner().next() {
                Some(f) => ExprKind::Field(Box::new(lhs), self.ident(&f)),
                None => ExprKind::Invalid,
            },
            Rule::op_as_of => {
                let mut parts = op
                    .into_inner()
                    .filter(|x| !matches!(x.as_rule(), Rule::kw_as | Rule::kw_of));
                let Some(first) = parts.next() else {
                    return lhs;
                };
                let mut date = self.operand(first);
                for f in parts {
                    let s = date.span.to(self.span(&f));
                    date = Expr {
                        kind: ExprKind::Field(Box::new(date), self.ident(&f)),
                        span: s,
                    };
                }
                ExprKind::AsOf(Box::new(lhs), Box::new(date))
            }
            Rule::op_is_present => ExprKind::Presence {
                value: Box::new(lhs),
                present: true,
            },
            _ => ExprKind::Presence {
                value: Box::new(lhs),
                present: false,
            },
        };
        Expr { kind, span }
    }

    pub(super) fn operand(&mut self, p: Pair<Rule>) -> Expr {
        let span = self.span(&p);
        let kind = match p.as_rule() {
            Rule::expr => return self.expr(p),
            Rule::bool_lit => ExprKind::Bool(p.as_str() == "true"),
            Rule::integer_lit => match p.as_str().parse::<i64>() {
                Ok(n) => ExprKind::Integer(n),
                Err(_) => self.invalid(
                    span,
                    "this number is too large",
                    "integers range up to 9223372036854775807; use a decimal for larger amounts",
                ),
            },
            Rule::decimal_lit => self.decimal(p.as_str(), span, ExprKind::Decimal),
            Rule::money_lit => {
                let mut parts = p.into_inner();
                let amount = parts
                    .next()
                    .map(|a| a.as_str().to_string())
                    .unwrap_or_default();
                let currency = parts.next().map(|c| self.ident(&c));
                match currency {
                    Some(c) => self.decimal(&amount, span, |d| ExprKind::Money(d, c)),
                    None => ExprKind::Invalid,
                }
            }
            Rule::date_lit => match date::parse(p.as_str()) {
                Some(d) => ExprKind::Date(d),
                None => {
                    self.date(&p);
                    ExprKind::Invalid
                }
            },
            Rule::duration_lit => self.duration(p),
            Rule::string => ExprKind::Text(string_value(&p)),
            Rule::absent_lit => ExprKind::Absent,
            Rule::name => match p.into_inner().next() {
                Some(i) => ExprKind::Name(self.ident(&i)),
                None => ExprKind::Invalid,
            },
            Rule::ident => ExprKind::Name(self.ident(&p)),
            Rule::call => {
                let mut inner = p.into_inner();
                let Some(name) = inner.next().map(|n| self.ident(&n)) else {
                    return Expr {
                        kind: ExprKind::Invalid,
                        span,
                    };
                };
                let args = inner.map(|a| self.expr(a)).collect();
                ExprKind::Call(name, args)
            }
            Rule::list_lit => ExprKind::List(p.into_inner().map(|a| self.expr(a)).collect()),
            Rule::record_lit => ExprKind::Record(
                p.into_inner()
                    .filter_map(|f| {
                        let mut parts = f.into_inner();
                        let name = parts.next().map(|n| self.ident(&n))?;
                        let value = parts.next().map(|v| self.expr(v))?;
                        Some((name, value))
                    })
                    .collect(),
            ),
            Rule::if_expr => {
                let mut parts = p
                    .into_inner()
                    .filter(|x| x.as_rule() == Rule::expr)
                    .map(|x| self.expr(x));
                match (parts.next(), parts.next(), parts.next()) {
                    (Some(c), Some(a), Some(b)) => {
                        ExprKind::If(Box::new(c), Box::new(a), Box::new(b))
                    }
                    _ => ExprKind::Invalid,
                }
            }
            Rule::match_expr => self.match_expr(p),
            Rule::quantifier => self.quantifier(p),
            _ => {
                self.unexpected(&p);
                ExprKind::Invalid
            }
        };
        Expr { kind, span }
    }

    pub(super) fn match_expr(&mut self, p: Pair<Rule>) -> ExprKind {
        let mut scrutinee = None;
        let mut arms = Vec::new();
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::expr => scrutinee = Some(self.expr(x)),
                Rule::match_arm => {
                    let span = self.span(&x);
                    let mut pattern = None;
                    let mut value = None;
                    for y in x.into_inner() {
                        match y.as_rule() {
                            Rule::pattern_alt => pattern = Some(self.pattern_alt(y)),
                            Rule::expr => value = Some(self.expr(y)),
                            _ => {}
                        }
                    }
                    if let Some(value) = value {
                        arms.push(MatchArm {
                            pattern,
                            value,
                            span,
                        });
                    }
                }
                _ => {}
            }
        }
        match scrutinee {
            Some(s) => ExprKind::Match(Box::new(s), arms),
            None => ExprKind::Invalid,
        }
    }

    pub(super) fn quantifier(&mut self, p: Pair<Rule>) -> ExprKind {
        let mut kind = None;
        let mut var = None;
        let mut list = None;
        let mut body = None;
        let mut connective = None;
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::quantifier_kind => {
                    kind = Some(match x.as_str() {
                        "any" => Quantifier::Any,
                        "all" => Quantifier::All,
                        "count" => Quantifier::Count,
                        "map" => Quantifier::Map,
                        "filter" => Quantifier::Filter,
                        "min" => Quantifier::Min,
                        "max" => Quantifier::Max,
                        _ => Quantifier::Sum,
                    })
                }
                Rule::kw_where | Rule::kw_of => connective = Some(x),
                Rule::ident => var = Some(self.ident(&x)),
                Rule::quantified_list => {
                    let mut parts = x.into_inner();
                    let Some(first) = parts.next() else { continue };
                    let mut e = self.operand(first);
                    for f in parts {
                        let s = e.span.to(self.span(&f));
                        e = Expr {
                            kind: ExprKind::Field(Box::new(e), self.ident(&f)),
                            span: s,
                        };
                    }
                    list = Some(e);
                }
                Rule::expr => body = Some(self.expr(x)),
                _ => {}
            }
        }
        if let (Some(kind), Some(word)) = (kind, &connective) {
            self.quantifier_word(kind, word);
        }
        match (kind, var, list, body) {
            (Some(kind), Some(var), Some(list), Some(body)) => ExprKind::Quantified {
                kind,
                var,
                list: Box::new(list),
                body: Box::new(body),
            },
            _ => ExprKind::Invalid,
        }
    }

    /// `where` introduces a condition (`any`, `all`, `count`, `filter`), `of` a value (`sum`,
    /// `map`, `min`, `max`): the other word reads as another form (`map d in L where ...` is
    /// most likely a `filter`), so it is refused with the word to write.
    fn quantifier_word(&mut self, kind: Quantifier, word: &Pair<Rule>) {
        let (wanted, written) = if kind.takes_condition() {
            ("where", "of")
        } else {
            ("of", "where")
        };
        if word.as_str() != written {
            return;
        }
        let span = self.span(word);
        let help = match kind {
            Quantifier::Map => "`map x in LIST of VALUE` gives one value per item; to keep the items for which a condition holds, write `filter x in LIST where CONDITION`".to_string(),
            Quantifier::Filter => "`filter x in LIST where CONDITION` keeps items; to give one value per item, write `map x in LIST of VALUE`".to_string(),
            k => format!("write `{} x in LIST {wanted} ...`", k.word()),
        };
        self.diagnostics.push(
            Diagnostic::new(
                Code::QuantifierWord,
                span,
                format!("`{}` takes `{wanted}`, not `{written}`", kind.word()),
            )
            .label(format!("write `{wanted}`"))
            .help(help),
        );
    }

    pub(super) fn pattern_alt(&mut self, p: Pair<Rule>) -> PatternAlt {
        let span = self.span(&p);
        let alternatives = p
            .into_inner()
            .filter(|x| x.as_rule() == Rule::pattern)
            .filter_map(|x| {
                let inner = x.into_inner().next()?;
                Some(match inner.as_rule() {
                    Rule::wildcard => Pattern::Wildcard(self.span(&inner)),
                    Rule::band => Pattern::Band(self.band(inner)),
                    _ => Pattern::Value(self.operand(inner)),
                })
            })
            .collect();
        PatternAlt { alternatives, span }
    }
}

pub(super) fn binary_op(rule: Rule) -> BinaryOp {
    match rule {
        Rule::op_or => BinaryOp::Or,
        Rule::op_and => BinaryOp::And,
        Rule::op_eq | Rule::op_is => BinaryOp::Eq,
        Rule::op_ne | Rule::op_is_not => BinaryOp::Ne,
        Rule::op_lt => BinaryOp::Lt,
        Rule::op_le => BinaryOp::Le,
        Rule::op_gt => BinaryOp::Gt,
        Rule::op_ge => BinaryOp::Ge,
        Rule::op_in => BinaryOp::In,
        Rule::op_not_in => BinaryOp::NotIn,
        Rule::op_add => BinaryOp::Add,
        Rule::op_sub => BinaryOp::Sub,
        Rule::op_mul => BinaryOp::Mul,
        _ => BinaryOp::Div,
    }
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::super::test_support::{expr, shape};
    use crate::syntax::ast::{ExprKind, Pattern, Quantifier};

    #[test]
    fn precedence_runs_from_or_down_to_postfix() {
        assert_eq!(
            shape("a or b and not c == d + e * f"),
            "(or a (and b (not (== c (+ d (* e f))))))"
        );
        assert_eq!(shape("-a.b * c"), "(* (neg (. a b)) c)");
        assert_eq!(shape("(a + b) * c"), "(* (+ a b) c)");
        assert_eq!(
            shape("x.y is present and z as of d.end is absent"),
            "(and (present (. x y)) (absent (as-of z (. d end))))"
        );
    }

    #[test]
    fn operators_of_one_level_associate_to_the_left() {
        assert_eq!(shape("a - b - c"), "(- (- a b) c)");
        assert_eq!(shape("a / b * c"), "(* (/ a b) c)");
        assert_eq!(shape("a or b or c"), "(or (or a b) c)");
        assert_eq!(shape("a < b == c"), "(== (< a b) c)");
    }

    #[test]
    fn word_operators_are_the_operators_they_name() {
        assert_eq!(shape("a is b"), "(== a b)");
        assert_eq!(shape("a is not b"), "(!= a b)");
        assert_eq!(shape("a in b"), "(in a b)");
        assert_eq!(shape("a not in b"), "(not in a b)");
    }

    #[test]
    fn compound_operands_keep_their_parts() {
        assert_eq!(shape("if a then 1 else max(b, 2)"), "(if a 1 (max b 2))");
        let (e, _) = expr("any x in p.items where x > 1");
        let ExprKind::Quantified {
            kind, var, list, ..
        } = e.kind
        else {
            panic!("{e:?}")
        };
        assert_eq!((kind, var.name.as_str()), (Quantifier::Any, "x"));
        assert!(matches!(list.kind, ExprKind::Field(_, ref f) if f.name == "items"));
        let (e, _) = expr("match a { 1 or 2 => 3, _ => 4, otherwise => 5 }");
        let ExprKind::Match(_, arms) = e.kind else {
            panic!("{e:?}")
        };
        assert_eq!(arms.len(), 3);
        let first = arms[0].pattern.as_ref().map(|p| p.alternatives.len());
        assert_eq!(first, Some(2));
        let second = arms[1].pattern.as_ref().map(|p| &p.alternatives[..]);
        assert!(matches!(second, Some([Pattern::Wildcard(_)])));
        assert!(arms[2].pattern.is_none());
    }

    #[test]
    fn list_forms_begin_with_words_that_stay_names_elsewhere() {
        let kind_of = |text: &str| match expr(text) {
            (
                crate::syntax::ast::Expr {
                    kind: ExprKind::Quantified { kind, .. },
                    ..
                },
                d,
            ) if d.is_empty() => Some(kind),
            _ => None,
        };
        assert_eq!(kind_of("map d in ds of d.kind"), Some(Quantifier::Map));
        assert_eq!(
            kind_of("filter d in ds where d.ok"),
            Some(Quantifier::Filter)
        );
        assert_eq!(kind_of("min d in ds of d.on"), Some(Quantifier::Min));
        assert_eq!(
            kind_of("max d in (filter e in ds where e.ok) of d.on"),
            Some(Quantifier::Max)
        );
        // `min(a, b)` is the call, and `map`, `filter` are names where no list form follows.
        assert_eq!(shape("min(a, b)"), "(min a b)");
        assert_eq!(shape("map + filter"), "(+ map filter)");
    }

    #[test]
    fn a_list_form_with_the_other_word_is_refused_with_the_one_to_write() {
        let (_, d) = expr("map d in ds where d.ok");
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].code.as_str(), "Z0207");
        assert_eq!(d[0].message, "`map` takes `of`, not `where`");
        let (_, d) = expr("filter d in ds of d.kind");
        assert_eq!(d[0].message, "`filter` takes `where`, not `of`");
        let (_, d) = expr("sum d in ds where d.ok");
        assert_eq!(d[0].message, "`sum` takes `of`, not `where`");
        let (_, d) = expr("count d in ds where d.ok");
        assert!(d.is_empty(), "{d:?}");
    }

    #[test]
    fn list_and_record_literals_keep_their_items() {
        let (e, _) = expr("[1, 2, 3]");
        assert!(matches!(e.kind, ExprKind::List(ref items) if items.len() == 3));
        let (e, _) = expr("{ a: 1, b: absent }");
        let ExprKind::Record(fields) = e.kind else {
            panic!("{e:?}")
        };
        assert_eq!(fields[0].0.name, "a");
        assert!(matches!(fields[1].1.kind, ExprKind::Absent));
    }
}
