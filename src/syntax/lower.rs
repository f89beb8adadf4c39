//! Lowering pest pairs into the syntax tree. Total on anything the grammar accepts: an
//! unexpected shape becomes a diagnostic, never a panic.

use super::ast::*;
use super::Rule;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Span};
use crate::time::date;
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use rust_decimal::Decimal;
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
        let doc = if docs.is_empty() {
            None
        } else {
            Some(docs.join("\n"))
        };
        Some(Declaration {
            doc,
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

    fn metadata(&mut self, p: Pair<Rule>) -> Option<Metadata> {
        let mut inner = p.into_inner();
        let name = self.first_ident(&mut inner)?;
        let mut entries = Vec::new();
        let mut as_of = None;
        for e in inner.filter(|e| e.as_rule() == Rule::meta_entry) {
            let mut parts = e.into_inner();
            let Some(first) = parts.next() else { continue };
            if first.as_rule() == Rule::as_of_entry {
                as_of = first
                    .into_inner()
                    .find(|x| x.as_rule() == Rule::path)
                    .map(|x| self.path(x));
            } else if let Some(value) = parts.next() {
                entries.push((self.ident(&first), string_value(&value)));
            }
        }
        Some(Metadata {
            name,
            entries,
            as_of,
        })
    }

    fn path(&self, p: Pair<Rule>) -> Vec<Ident> {
        p.into_inner()
            .filter(|x| x.as_rule() == Rule::ident)
            .map(|x| self.ident(&x))
            .collect()
    }

    fn citation(&self, p: Pair<Rule>) -> Option<Citation> {
        let span = self.span(&p);
        let mut source = None;
        let mut quote = None;
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::ident => source = Some(self.ident(&x)),
                Rule::string => quote = Some(string_value(&x)),
                _ => {}
            }
        }
        Some(Citation {
            source: source?,
            quote,
            span,
        })
    }

    fn date(&mut self, p: &Pair<Rule>) -> date::Day {
        match date::parse(p.as_str()) {
            Some(d) => d,
            None => {
                let span = self.span(p);
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::InvalidLiteral,
                        span,
                        format!("`{}` is not a calendar date", p.as_str()),
                    )
                    .label("no such day")
                    .help("dates are written year-month-day and must exist, such as 2026-03-10"),
                );
                0
            }
        }
    }

    fn in_force(&mut self, p: Pair<Rule>) -> InForce {
        let span = self.span(&p);
        let mut from = None;
        let mut until = None;
        let mut next_is_until = false;
        for x in p.into_inner().flat_map(|fu| fu.into_inner()) {
            match x.as_rule() {
                Rule::kw_from => next_is_until = false,
                Rule::kw_until => next_is_until = true,
                Rule::date_lit => {
                    let d = self.date(&x);
                    if next_is_until {
                        until = Some(d)
                    } else {
                        from = Some(d)
                    }
                }
                _ => {}
            }
        }
        InForce { from, until, span }
    }

    fn period(&mut self, p: Pair<Rule>) -> InForce {
        let span = self.span(&p);
        let mut out = InForce {
            from: None,
            until: None,
            span,
        };
        let mut next_is_until = false;
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::kw_from => next_is_until = false,
                Rule::kw_until => next_is_until = true,
                Rule::date_lit => {
                    let d = self.date(&x);
                    if next_is_until {
                        out.until = Some(d)
                    } else {
                        out.from = Some(d)
                    }
                }
                _ => {}
            }
        }
        out
    }

    fn type_expr(&mut self, p: Pair<Rule>) -> Option<TypeExpr> {
        let span = self.span(&p);
        let mut kind = None;
        let mut optional = false;
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::optional_mark => optional = true,
                Rule::named_type => {
                    kind = x
                        .into_inner()
                        .next()
                        .map(|i| TypeKind::Named(self.ident(&i)))
                }
                Rule::money_type => {
                    let cur = x
                        .into_inner()
                        .find(|c| c.as_rule() == Rule::currency)
                        .map(|c| self.ident(&c));
                    kind = Some(TypeKind::Money(cur));
                }
                Rule::list_type => {
                    let inner = x.into_inner().find(|t| t.as_rule() == Rule::type_expr)?;
                    kind = Some(TypeKind::List(Box::new(self.type_expr(inner)?)));
                }
                _ => {}
            }
        }
        Some(TypeExpr {
            kind: kind?,
            optional,
            span,
        })
    }

    fn enum_decl(&mut self, p: Pair<Rule>) -> Option<EnumDecl> {
        let mut inner = p.into_inner();
        let name = self.first_ident(&mut inner)?;
        let mut variants = Vec::new();
        for v in inner.filter(|v| v.as_rule() == Rule::variant) {
            let mut docs = Vec::new();
            let mut vname = None;
            let mut label = None;
            for x in v.into_inner() {
                match x.as_rule() {
                    Rule::doc => docs.push(doc_text(&x)),
                    Rule::ident => vname = Some(self.ident(&x)),
                    Rule::string => label = Some(string_value(&x)),
                    _ => {}
                }
            }
            if let Some(n) = vname {
                variants.push(Variant {
                    doc: join_docs(docs),
                    name: n,
                    label,
                });
            }
        }
        Some(EnumDecl { name, variants })
    }

    fn record_decl(&mut self, p: Pair<Rule>) -> Option<RecordDecl> {
        let mut inner = p.into_inner();
        let name = self.first_ident(&mut inner)?;
        let fields = inner
            .filter(|f| f.as_rule() == Rule::field_decl)
            .filter_map(|f| self.field_decl(f))
            .collect();
        Some(RecordDecl { name, fields })
    }

    fn field_decl(&mut self, p: Pair<Rule>) -> Option<FieldDecl> {
        let mut docs = Vec::new();
        let mut name = None;
        let mut ty = None;
        let mut default = None;
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::doc => docs.push(doc_text(&x)),
                Rule::ident => name = Some(self.ident(&x)),
                Rule::type_expr => ty = self.type_expr(x),
                Rule::default_value => default = x.into_inner().next().map(|e| self.expr(e)),
                _ => {}
            }
        }
        Some(FieldDecl {
            doc: join_docs(docs),
            name: name?,
            ty: ty?,
            default,
        })
    }

    fn parameter_decl(&mut self, p: Pair<Rule>) -> Option<ParameterDecl> {
        let mut inner = p.into_inner();
        let name = self.first_ident(&mut inner)?;
        let mut ty = None;
        let mut in_force = None;
        let mut citations = Vec::new();
        let mut values = Vec::new();
        for x in inner {
            match x.as_rule() {
                Rule::type_expr => ty = self.type_expr(x),
                Rule::in_force => in_force = Some(self.in_force(x)),
                Rule::citation => citations.extend(self.citation(x)),
                Rule::param_value => values.extend(self.param_value(x)),
                _ => {}
            }
        }
        Some(ParameterDecl {
            name,
            ty: ty?,
            in_force,
            citations,
            values,
        })
    }

    fn param_value(&mut self, p: Pair<Rule>) -> Option<ParamValue> {
        let mut from = None;
        let mut value = None;
        let mut citation = None;
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::date_lit => from = Some((self.date(&x), self.span(&x))),
                Rule::expr => value = Some(self.expr(x)),
                Rule::citation => citation = self.citation(x),
                _ => {}
            }
        }
        let (from, from_span) = from?;
        Some(ParamValue {
            from,
            from_span,
            value: value?,
            citation,
        })
    }

    fn table_decl(&mut self, p: Pair<Rule>) -> Option<TableDecl> {
        let mut inner = p.into_inner();
        let name = self.first_ident(&mut inner)?;
        let mut t = TableDecl {
            name,
            keys: Vec::new(),
            ty: TypeExpr {
                kind: TypeKind::Named(Ident {
                    name: String::new(),
                    span: Span::default(),
                }),
                optional: false,
                span: Span::default(),
            },
            in_force: None,
            citations: Vec::new(),
            rows: Vec::new(),
            otherwise: None,
        };
        for x in inner {
            match x.as_rule() {
                Rule::table_key => {
                    let mut kp = x.into_inner();
                    let key = kp.next().map(|k| self.ident(&k));
                    let ty = kp.next().and_then(|k| self.type_expr(k));
                    if let (Some(k), Some(ty)) = (key, ty) {
                        t.keys.push((k, ty));
                    }
                }
                Rule::type_expr => t.ty = self.type_expr(x)?,
                Rule::in_force => t.in_force = Some(self.in_force(x)),
                Rule::citation => t.citations.extend(self.citation(x)),
                Rule::table_row => self.table_row(x, &mut t),
                _ => {}
            }
        }
        Some(t)
    }

    fn table_row(&mut self, p: Pair<Rule>, t: &mut TableDecl) {
        for x in p.into_inner() {
            let span = self.span(&x);
            match x.as_rule() {
                Rule::otherwise_row => {
                    let (value, citation) = self.value_and_citation(x.into_inner());
                    if let Some(v) = value {
                        t.otherwise = Some((v, citation, span));
                    }
                }
                Rule::keyed_row => {
                    let mut keys = Vec::new();
                    let mut value = None;
                    let mut citation = None;
                    for y in x.into_inner() {
                        match y.as_rule() {
                            Rule::pattern_alt => keys.push(self.pattern_alt(y)),
                            Rule::expr => value = Some(self.expr(y)),
                            Rule::citation => citation = self.citation(y),
                            _ => {}
                        }
                    }
                    if let Some(value) = value {
                        t.rows.push(TableRow {
                            keys,
                            value,
                            citation,
                            span,
                        });
                    }
                }
                _ => {}
            }
        }
    }

    fn value_and_citation(&mut self, pairs: Pairs<Rule>) -> (Option<Expr>, Option<Citation>) {
        let mut value = None;
        let mut citation = None;
        for y in pairs {
            match y.as_rule() {
                Rule::expr => value = Some(self.expr(y)),
                Rule::citation => citation = self.citation(y),
                _ => {}
            }
        }
        (value, citation)
    }

    fn pattern_alt(&mut self, p: Pair<Rule>) -> PatternAlt {
        let span = self.span(&p);
        let alternatives = p
            .into_inner()
            .filter(|x| x.as_rule() == Rule::pattern)
            .filter_map(|x| {
                let inner = x.into_inner().next()?;
                Some(if inner.as_rule() == Rule::wildcard {
                    Pattern::Wildcard(self.span(&inner))
                } else {
                    Pattern::Value(self.operand(inner))
                })
            })
            .collect();
        PatternAlt { alternatives, span }
    }

    fn calendar_decl(&mut self, p: Pair<Rule>) -> Option<CalendarDecl> {
        let mut inner = p.into_inner();
        let name = self.first_ident(&mut inner)?;
        let mut c = CalendarDecl {
            name,
            in_force: None,
            citations: Vec::new(),
            entries: Vec::new(),
        };
        for x in inner {
            match x.as_rule() {
                Rule::in_force => c.in_force = Some(self.in_force(x)),
                Rule::citation => c.citations.extend(self.citation(x)),
                Rule::calendar_entry => c.entries.extend(self.calendar_entry(x)),
                _ => {}
            }
        }
        Some(c)
    }

    fn calendar_entry(&mut self, p: Pair<Rule>) -> Option<CalendarEntry> {
        let entry = p.into_inner().find(|x| x.as_rule() != Rule::doc)?;
        let span = self.span(&entry);
        let rule = entry.as_rule();
        let mut period = None;
        let mut citation = None;
        let mut days = Vec::new();
        let mut weekdays = Vec::new();
        let mut text = None;
        let mut every = None;
        let mut carried_over = false;
        for x in entry.into_inner() {
            match x.as_rule() {
                Rule::from_until => period = Some(self.period(x)),
                Rule::citation => citation = self.citation(x),
                Rule::weekday => weekdays.push((x.as_str().to_string(), self.span(&x))),
                Rule::string => text = Some(string_value(&x)),
                Rule::date_lit => days.push(self.date(&x)),
                Rule::on_dates => {
                    for d in x.into_inner().filter(|d| d.as_rule() == Rule::date_lit) {
                        days.push(self.date(&d));
                    }
                }
                Rule::every_date => {
                    every = x
                        .into_inner()
                        .find(|d| d.as_rule() == Rule::month_day)
                        .map(|d| self.month_day(&d))
                }
                Rule::carried_over => carried_over = true,
                _ => {}
            }
        }
        let kind = match rule {
            Rule::weekend_entry => CalendarEntryKind::Weekend(weekdays),
            Rule::holiday_entry => {
                let when = match every {
                    Some((month, day)) => HolidayWhen::Every { month, day },
                    None => HolidayWhen::On(days),
                };
                CalendarEntryKind::Holiday {
                    name: text.unwrap_or_default(),
                    when,
                    carried_over,
                }
            }
            Rule::day_off_entry => CalendarEntryKind::DayOff {
                day: *days.first()?,
                instead_of: days.get(1).copied(),
                note: text,
            },
            Rule::working_day_entry => CalendarEntryKind::WorkingDay {
                day: *days.first()?,
                note: text,
            },
            _ => return None,
        };
        Some(CalendarEntry {
            kind,
            period,
            citation,
            span,
        })
    }

    fn month_day(&mut self, p: &Pair<Rule>) -> (u32, u32) {
        let s = p.as_str();
        let month = s.get(0..2).and_then(|m| m.parse::<u32>().ok()).unwrap_or(0);
        let day = s.get(3..5).and_then(|d| d.parse::<u32>().ok()).unwrap_or(0);
        // 2000 is a leap year, so 02-29 is accepted as a recurring date.
        if date::from_ymd(2000, month, day).is_none() {
            let span = self.span(p);
            self.diagnostics.push(
                Diagnostic::new(
                    Code::InvalidLiteral,
                    span,
                    format!("`{s}` is not a day of the year"),
                )
                .help("recurring dates are written month-day, such as 03-21"),
            );
        }
        (month, day)
    }

    fn rule_decl(&mut self, p: Pair<Rule>) -> Option<RuleDecl> {
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

    fn rule_body(&mut self, p: Pair<Rule>) -> RuleBody {
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

    fn case(&mut self, p: Pair<Rule>) -> Option<Case> {
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

    fn exception_decl(&mut self, p: Pair<Rule>) -> Option<ExceptionDecl> {
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

    fn reasons_decl(&mut self, p: Pair<Rule>) -> Option<ReasonsDecl> {
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

    fn reason_item(&mut self, p: Pair<Rule>) -> Option<ReasonItem> {
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

    fn amendment_decl(&mut self, p: Pair<Rule>) -> Option<AmendmentDecl> {
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

    fn provision(&mut self, p: Pair<Rule>) -> Option<Provision> {
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

    fn example_decl(&mut self, p: Pair<Rule>) -> Option<ExampleDecl> {
        let mut inner = p.into_inner();
        let name = self.first_ident(&mut inner)?;
        let facts = inner
            .find(|x| x.as_rule() == Rule::record_lit)
            .map(|x| self.operand(x))?;
        Some(ExampleDecl { name, facts })
    }

    fn test_decl(&mut self, p: Pair<Rule>) -> Option<TestDecl> {
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

    fn test_item(&mut self, p: Pair<Rule>) -> Option<TestItem> {
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

    // ------------------------------------------------------------ expressions

    pub fn expr(&mut self, p: Pair<Rule>) -> Expr {
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

    fn postfix(&mut self, lhs: Expr, op: Pair<Rule>) -> Expr {
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

    fn operand(&mut self, p: Pair<Rule>) -> Expr {
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

    fn invalid(&mut self, span: Span, message: &str, help: &str) -> ExprKind {
        self.diagnostics
            .push(Diagnostic::new(Code::InvalidLiteral, span, message).help(help));
        ExprKind::Invalid
    }

    fn decimal(
        &mut self,
        text: &str,
        span: Span,
        make: impl FnOnce(Decimal) -> ExprKind,
    ) -> ExprKind {
        // `from_str` would round a 29th fractional digit away (0.00000000000000000000000000001
        // would read as 0); `from_str_exact` refuses any literal it cannot hold exactly.
        match Decimal::from_str_exact(text) {
            Ok(d) => make(d),
            Err(rust_decimal::Error::Underflow) => self.invalid(
                span,
                "this number has more digits after the decimal point than can be kept",
                "decimals and amounts keep at most 28 digits after the point; write the value rounded",
            ),
            Err(_) => self.invalid(
                span,
                "this amount has too many digits",
                "amounts keep at most 28 significant digits",
            ),
        }
    }

    fn duration(&mut self, p: Pair<Rule>) -> ExprKind {
        let span = self.span(&p);
        let mut amount = None;
        let mut unit = None;
        let mut calendar = None;
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::integer_lit => amount = x.as_str().parse::<i64>().ok(),
                Rule::working_days => unit = Some(DurationUnit::WorkingDays),
                Rule::calendar_ref => {
                    calendar = x
                        .into_inner()
                        .find(|c| c.as_rule() == Rule::ident)
                        .map(|c| self.ident(&c))
                }
                Rule::duration_unit => {
                    unit = Some(match x.as_str().trim_end_matches('s') {
                        "day" => DurationUnit::Days,
                        "week" => DurationUnit::Weeks,
                        "month" => DurationUnit::Months,
                        _ => DurationUnit::Years,
                    })
                }
                _ => {}
            }
        }
        match (amount, unit) {
            (Some(amount), Some(unit)) => ExprKind::Duration {
                amount,
                unit,
                calendar,
            },
            (None, _) => self.invalid(
                span,
                "this number is too large",
                "durations count at most 9223372036854775807 units",
            ),
            _ => ExprKind::Invalid,
        }
    }

    fn match_expr(&mut self, p: Pair<Rule>) -> ExprKind {
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

    fn quantifier(&mut self, p: Pair<Rule>) -> ExprKind {
        let mut kind = None;
        let mut var = None;
        let mut list = None;
        let mut body = None;
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::quantifier_kind => {
                    kind = Some(match x.as_str() {
                        "any" => Quantifier::Any,
                        "all" => Quantifier::All,
                        "count" => Quantifier::Count,
                        _ => Quantifier::Sum,
                    })
                }
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
}

fn binary_op(rule: Rule) -> BinaryOp {
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

fn doc_text(p: &Pair<Rule>) -> String {
    let s = p.as_str().trim_start_matches("///");
    s.strip_prefix(' ').unwrap_or(s).trim_end().to_string()
}

fn join_docs(docs: Vec<String>) -> Option<String> {
    if docs.is_empty() {
        None
    } else {
        Some(docs.join("\n"))
    }
}

/// The value of a string literal with its escapes resolved.
fn string_value(p: &Pair<Rule>) -> String {
    let raw = p.as_str();
    let inner = raw
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(raw);
    if !inner.contains('\\') {
        return inner.to_string();
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
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
