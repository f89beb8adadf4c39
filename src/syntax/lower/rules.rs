//! Lowering the declarations of rules, exceptions and reasons, amendments (versions),
//! examples and tests.

use super::literals::{doc_text, join_docs, string_value};
use super::Lower;
use crate::source::Span;
use crate::syntax::ast::*;
use crate::syntax::Rule;
use pest::iterators::Pair;

impl Lower {
    pub(super) fn rule_decl(&mut self, p: Pair<Rule>) -> Option<RuleDecl> {
        let mut output = false;
        let mut name = None;
        let mut ty = None;
        let mut in_force = None;
        let mut citations = Vec::new();
        let mut body = None;
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::output_mark => output = true,
                Rule::ident => name = Some(self.ident(&x)),
                Rule::type_expr => ty = self.type_expr(x),
                Rule::in_force => in_force = Some(self.in_force(x)),
                Rule::citation => citations.extend(self.citation(x)),
                Rule::rule_body => body = Some(self.rule_body(x)),
                _ => {}
            }
        }
        Some(RuleDecl {
            output,
            name: name?,
            ty: ty?,
            in_force,
            citations,
            body: body?,
        })
    }

    pub(super) fn rule_body(&mut self, p: Pair<Rule>) -> RuleBody {
        let mut cases = Vec::new();
        let mut otherwise = None;
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::expr => return RuleBody::Expr(self.expr(x)),
                Rule::rule_case => cases.extend(self.case(x)),
                Rule::otherwise_case => {
                    let span = self.span(&x);
                    if let (Some(value), citation) = self.value_and_citation(x.into_inner()) {
                        otherwise = Some(Otherwise {
                            value,
                            citation,
                            span,
                        });
                    }
                }
                _ => {}
            }
        }
        RuleBody::Cases { cases, otherwise }
    }

    pub(super) fn case(&mut self, p: Pair<Rule>) -> Option<Case> {
        let span = self.span(&p);
        let mut docs = Vec::new();
        let mut exprs = Vec::new();
        let mut citation = None;
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::doc => docs.push(doc_text(&x)),
                Rule::expr => exprs.push(self.expr(x)),
                Rule::citation => citation = self.citation(x),
                _ => {}
            }
        }
        let value = exprs.pop()?;
        let condition = exprs.pop()?;
        Some(Case {
            doc: join_docs(docs),
            condition,
            value,
            citation,
            span,
        })
    }

    pub(super) fn exception_decl(&mut self, p: Pair<Rule>) -> Option<ExceptionDecl> {
        let mut idents = Vec::new();
        let mut in_force = None;
        let mut citations = Vec::new();
        let mut cases = Vec::new();
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::ident => idents.push(self.ident(&x)),
                Rule::in_force => in_force = Some(self.in_force(x)),
                Rule::citation => citations.extend(self.citation(x)),
                Rule::rule_case => cases.extend(self.case(x)),
                _ => {}
            }
        }
        let mut idents = idents.into_iter();
        Some(ExceptionDecl {
            name: idents.next()?,
            target: idents.next()?,
            in_force,
            citations,
            cases,
        })
    }

    pub(super) fn reasons_decl(&mut self, p: Pair<Rule>) -> Option<ReasonsDecl> {
        let mut r = ReasonsDecl {
            output: false,
            name: Ident {
                name: String::new(),
                span: Span::default(),
            },
            in_force: None,
            citations: Vec::new(),
            items: Vec::new(),
        };
        let mut named = false;
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::output_mark => r.output = true,
                Rule::ident => {
                    r.name = self.ident(&x);
                    named = true;
                }
                Rule::in_force => r.in_force = Some(self.in_force(x)),
                Rule::citation => r.citations.extend(self.citation(x)),
                Rule::reason_item => r.items.extend(self.reason_item(x)),
                _ => {}
            }
        }
        named.then_some(r)
    }

    pub(super) fn reason_item(&mut self, p: Pair<Rule>) -> Option<ReasonItem> {
        let span = self.span(&p);
        let mut docs = Vec::new();
        let mut code = None;
        let mut message = None;
        let mut condition = None;
        let mut citation = None;
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::doc => docs.push(doc_text(&x)),
                Rule::ident => code = Some(self.ident(&x)),
                Rule::string => message = Some(string_value(&x)),
                Rule::expr => condition = Some(self.expr(x)),
                Rule::citation => citation = self.citation(x),
                _ => {}
            }
        }
        Some(ReasonItem {
            doc: join_docs(docs),
            code: code?,
            message: message?,
            condition: condition?,
            citation,
            span,
        })
    }

    pub(super) fn amendment_decl(&mut self, p: Pair<Rule>) -> Option<AmendmentDecl> {
        let mut inner = p.into_inner();
        let name = self.first_ident(&mut inner)?;
        let mut citations = Vec::new();
        let mut in_force = None;
        let mut provisions = Vec::new();
        for x in inner {
            match x.as_rule() {
                Rule::citation => citations.extend(self.citation(x)),
                Rule::date_lit => in_force = Some((self.date(&x), self.span(&x))),
                Rule::provision => provisions.extend(self.provision(x)),
                _ => {}
            }
        }
        let (in_force, in_force_span) = in_force?;
        Some(AmendmentDecl {
            name,
            citations,
            in_force,
            in_force_span,
            provisions,
        })
    }

    pub(super) fn provision(&mut self, p: Pair<Rule>) -> Option<Provision> {
        let span = self.span(&p);
        let mut docs = Vec::new();
        let mut action = None;
        let mut from = None;
        let mut correcting = None;
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::doc => docs.push(doc_text(&x)),
                Rule::add_provision | Rule::replace_provision | Rule::repeal_provision => {
                    let rule = x.as_rule();
                    let mut kind = None;
                    let mut name = None;
                    let mut decl = None;
                    let mut citation = None;
                    for y in x.into_inner() {
                        match y.as_rule() {
                            Rule::effective => {
                                from = y
                                    .into_inner()
                                    .find(|d| d.as_rule() == Rule::date_lit)
                                    .map(|d| (self.date(&d), self.span(&d)));
                            }
                            Rule::correction => {
                                correcting = Some(Correction {
                                    from: y
                                        .clone()
                                        .into_inner()
                                        .find(|d| d.as_rule() == Rule::date_lit)
                                        .map(|d| self.date(&d)),
                                    span: self.span(&y),
                                });
                            }
                            Rule::amendable | Rule::corrected => {
                                let dspan = self.span(&y);
                                decl = y.into_inner().next().and_then(|d| self.decl_kind(d)).map(
                                    |kind| Declaration {
                                        doc: join_docs(docs.clone()),
                                        span: dspan,
                                        kind,
                                    },
                                );
                            }
                            Rule::decl_kind => kind = Some((y.as_str().to_string(), self.span(&y))),
                            Rule::ident => name = Some(self.ident(&y)),
                            Rule::citation => citation = self.citation(y),
                            _ => {}
                        }
                    }
                    action = match rule {
                        Rule::add_provision => decl.map(|d| ProvisionAction::Add(Box::new(d))),
                        Rule::replace_provision => {
                            decl.map(|d| ProvisionAction::Replace(Box::new(d)))
                        }
                        _ => {
                            let (kind, kind_span) = kind?;
                            Some(ProvisionAction::Repeal {
                                kind,
                                kind_span,
                                name: name?,
                                citation,
                            })
                        }
                    };
                }
                _ => {}
            }
        }
        Some(Provision {
            doc: join_docs(docs),
            action: action?,
            from,
            correcting,
            span,
        })
    }

    pub(super) fn example_decl(&mut self, p: Pair<Rule>) -> Option<ExampleDecl> {
        let mut inner = p.into_inner();
        let name = self.first_ident(&mut inner)?;
        let facts = inner
            .find(|x| x.as_rule() == Rule::record_lit)
            .map(|x| self.operand(x))?;
        Some(ExampleDecl { name, facts })
    }

    pub(super) fn test_decl(&mut self, p: Pair<Rule>) -> Option<TestDecl> {
        let mut inner = p.into_inner();
        let name = self.first_ident(&mut inner)?;
        let mut checks = Vec::new();
        let mut items = Vec::new();
        for x in inner {
            match x.as_rule() {
                Rule::test_citation => checks.extend(self.citation(x)),
                Rule::test_item => {
                    items.extend(x.into_inner().next().and_then(|i| self.test_item(i)))
                }
                _ => {}
            }
        }
        Some(TestDecl {
            name,
            checks,
            items,
        })
    }

    pub(super) fn test_item(&mut self, p: Pair<Rule>) -> Option<TestItem> {
        let span = self.span(&p);
        let rule = p.as_rule();
        let mut inner = p.into_inner().filter(|x| {
            !matches!(
                x.as_rule(),
                Rule::kw_as | Rule::kw_of | Rule::kw_given | Rule::kw_set | Rule::kw_expect
            )
        });
        Some(match rule {
            Rule::as_of_item => {
                let d = inner.next()?;
                TestItem::AsOf(self.date(&d), self.span(&d))
            }
            Rule::given_item => {
                let x = inner.next()?;
                if x.as_rule() == Rule::ident {
                    TestItem::GivenExample(self.ident(&x))
                } else {
                    TestItem::GivenFacts(self.operand(x))
                }
            }
            Rule::set_item => {
                let path = self.path(inner.next()?);
                let value = self.expr(inner.next()?);
                TestItem::Set(path, value)
            }
            Rule::expect_item => {
                let output = self.ident(&inner.next()?);
                let value = match inner.next() {
                    Some(x) if x.as_rule() == Rule::expr => Some(self.expr(x)),
                    _ => None,
                };
                TestItem::Expect {
                    output,
                    value,
                    span,
                }
            }
            _ => return None,
        })
    }
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::super::test_support::declaration;
    use crate::syntax::ast::*;
    use crate::time::date;

    #[test]
    fn rules_keep_their_cases_and_otherwise() {
        let d = declaration(
            "output rule fee : Integer cites law {\n  /// Children.\n  when age < 18 then 1 cites law \"art. 2\"\n  when age > 65 then 2\n  otherwise 3\n}\n",
        );
        let DeclKind::Rule(r) = d.kind else {
            panic!("{:?}", d.kind)
        };
        assert!(r.output);
        assert_eq!((r.name.name.as_str(), r.citations.len()), ("fee", 1));
        let RuleBody::Cases { cases, otherwise } = r.body else {
            panic!("{:?}", r.body)
        };
        assert_eq!(cases.len(), 2);
        assert_eq!(cases[0].doc.as_deref(), Some("Children."));
        assert!(matches!(
            cases[0].condition.kind,
            ExprKind::Binary(BinaryOp::Lt, ..)
        ));
        assert!(matches!(cases[0].value.kind, ExprKind::Integer(1)));
        assert!(cases[0].citation.is_some() && cases[1].citation.is_none());
        assert!(matches!(
            otherwise,
            Some(Otherwise {
                value: Expr {
                    kind: ExprKind::Integer(3),
                    ..
                },
                ..
            })
        ));
        let d = declaration("rule adult : Boolean { age >= 18 }\n");
        assert!(matches!(
            d.kind,
            DeclKind::Rule(RuleDecl {
                output: false,
                body: RuleBody::Expr(_),
                ..
            })
        ));
    }

    #[test]
    fn exceptions_and_reasons_name_what_they_serve() {
        let d = declaration(
            "exception minors to fee in force from 2026-01-01 {\n  when age < 5 then 0\n}\n",
        );
        let DeclKind::Exception(e) = d.kind else {
            panic!("{:?}", d.kind)
        };
        assert_eq!(
            (e.name.name.as_str(), e.target.name.as_str()),
            ("minors", "fee")
        );
        assert_eq!((e.cases.len(), e.in_force.is_some()), (1, true));
        let d = declaration(
            "output reasons refusals {\n  /// Too young.\n  reason too_young \"Under 18\" when age < 18 cites law\n}\n",
        );
        let DeclKind::Reasons(r) = d.kind else {
            panic!("{:?}", d.kind)
        };
        assert!(r.output);
        assert_eq!(r.name.name, "refusals");
        let [item] = &r.items[..] else {
            panic!("{:?}", r.items)
        };
        assert_eq!(
            (item.code.name.as_str(), item.message.as_str()),
            ("too_young", "Under 18")
        );
        assert_eq!(item.doc.as_deref(), Some("Too young."));
        assert!(item.citation.is_some());
    }

    #[test]
    fn amendments_keep_each_kind_of_provision() {
        let d = declaration(
            "amendment a2027 cites law in force 2027-01-01 {\n  /// New.\n  add rule extra : Integer { 1 }\n  replace from 2027-02-01 correcting from 2026-06-01 parameter fee : Integer {\n    from 2026-01-01: 7\n  }\n  repeal table old cites law\n}\n",
        );
        let DeclKind::Amendment(a) = d.kind else {
            panic!("{:?}", d.kind)
        };
        assert_eq!(Some(a.in_force), date::parse("2027-01-01"));
        let [add, replace, repeal] = &a.provisions[..] else {
            panic!("{:?}", a.provisions)
        };
        assert_eq!(add.doc.as_deref(), Some("New."));
        let ProvisionAction::Add(added) = &add.action else {
            panic!("{add:?}")
        };
        assert!(matches!(added.kind, DeclKind::Rule(_)));
        assert_eq!(replace.from.map(|(d, _)| d), date::parse("2027-02-01"));
        let correcting = replace.correcting.as_ref().and_then(|c| c.from);
        assert_eq!(correcting, date::parse("2026-06-01"));
        assert!(
            matches!(&replace.action, ProvisionAction::Replace(d) if matches!(d.kind, DeclKind::Parameter(_)))
        );
        let ProvisionAction::Repeal {
            kind,
            name,
            citation,
            ..
        } = &repeal.action
        else {
            panic!("{repeal:?}")
        };
        assert_eq!((kind.as_str(), name.name.as_str()), ("table", "old"));
        assert!(citation.is_some());
    }

    #[test]
    fn examples_and_tests_keep_their_items() {
        let d = declaration("example adult { age: 30 }\n");
        let DeclKind::Example(e) = d.kind else {
            panic!("{:?}", d.kind)
        };
        assert!(matches!(e.facts.kind, ExprKind::Record(ref fields) if fields.len() == 1));
        let d = declaration(
            "test adults checks law \"art. 1\" {\n  as of 2026-01-01\n  given adult\n  given { age: 3 }\n  set person.age = 40\n  expect fee = 2\n  expect other fails\n}\n",
        );
        let DeclKind::Test(t) = d.kind else {
            panic!("{:?}", d.kind)
        };
        assert_eq!((t.name.name.as_str(), t.checks.len()), ("adults", 1));
        let [as_of, example, facts, set, expect, fails] = &t.items[..] else {
            panic!("{:?}", t.items)
        };
        assert!(matches!(as_of, TestItem::AsOf(d, _) if Some(*d) == date::parse("2026-01-01")));
        assert!(matches!(example, TestItem::GivenExample(i) if i.name == "adult"));
        assert!(matches!(facts, TestItem::GivenFacts(_)));
        assert!(matches!(set, TestItem::Set(path, _) if path.len() == 2));
        assert!(matches!(expect, TestItem::Expect { value: Some(_), .. }));
        assert!(matches!(fails, TestItem::Expect { value: None, .. }));
    }
}
