//! Lowering the declarations of metadata, schema and the data that varies: rulebook and
//! source metadata, citations and periods in force, enums, records, facts, parameters, tables
//! and calendars.

use super::literals::{doc_text, join_docs, string_value};
use super::Lower;
use crate::source::Span;
use crate::syntax::ast::*;
use crate::syntax::Rule;
use pest::iterators::{Pair, Pairs};

impl Lower {
    pub(super) fn metadata(&mut self, p: Pair<Rule>) -> Option<Metadata> {
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

    pub(super) fn citation(&self, p: Pair<Rule>) -> Option<Citation> {
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

    /// `in force from … until …`: the period of its `from_until`, spanning the whole clause.
    pub(super) fn in_force(&mut self, p: Pair<Rule>) -> InForce {
        let span = self.span(&p);
        let from_until = p.into_inner().find(|x| x.as_rule() == Rule::from_until);
        match from_until.map(|x| self.period(x)) {
            Some(period) => InForce { span, ..period },
            None => InForce {
                from: None,
                until: None,
                span,
            },
        }
    }

    /// `from … until …` (either may be left out).
    pub(super) fn period(&mut self, p: Pair<Rule>) -> InForce {
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

    pub(super) fn enum_decl(&mut self, p: Pair<Rule>) -> Option<EnumDecl> {
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

    pub(super) fn record_decl(&mut self, p: Pair<Rule>) -> Option<RecordDecl> {
        let mut inner = p.into_inner();
        let name = self.first_ident(&mut inner)?;
        let fields = inner
            .filter(|f| f.as_rule() == Rule::field_decl)
            .filter_map(|f| self.field_decl(f))
            .collect();
        Some(RecordDecl { name, fields })
    }

    pub(super) fn field_decl(&mut self, p: Pair<Rule>) -> Option<FieldDecl> {
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

    pub(super) fn parameter_decl(&mut self, p: Pair<Rule>) -> Option<ParameterDecl> {
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

    pub(super) fn param_value(&mut self, p: Pair<Rule>) -> Option<ParamValue> {
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

    pub(super) fn table_decl(&mut self, p: Pair<Rule>) -> Option<TableDecl> {
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
            hit: None,
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
                Rule::hit_policy => t.hit = Some(self.hit_policy(x)),
                Rule::in_force => t.in_force = Some(self.in_force(x)),
                Rule::citation => t.citations.extend(self.citation(x)),
                Rule::table_row => self.table_row(x, &mut t),
                _ => {}
            }
        }
        Some(t)
    }

    pub(super) fn table_row(&mut self, p: Pair<Rule>, t: &mut TableDecl) {
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

    pub(super) fn value_and_citation(
        &mut self,
        pairs: Pairs<Rule>,
    ) -> (Option<Expr>, Option<Citation>) {
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

    pub(super) fn calendar_decl(&mut self, p: Pair<Rule>) -> Option<CalendarDecl> {
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

    pub(super) fn calendar_entry(&mut self, p: Pair<Rule>) -> Option<CalendarEntry> {
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
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::super::test_support::declaration;
    use crate::syntax::ast::*;
    use crate::time::date;

    fn day(text: &str) -> Option<date::Day> {
        date::parse(text)
    }

    #[test]
    fn metadata_keeps_its_entries_and_as_of_path() {
        let d = declaration("rulebook visa {\n  title \"Visas\"\n  as of facts.today\n}\n");
        let DeclKind::Rulebook(m) = d.kind else {
            panic!("{:?}", d.kind)
        };
        assert_eq!(m.name.name, "visa");
        assert_eq!(m.entries.len(), 1);
        assert_eq!(
            (m.entries[0].0.name.as_str(), m.entries[0].1.as_str()),
            ("title", "Visas")
        );
        let path: Vec<_> = m.as_of.iter().flatten().map(|i| i.name.as_str()).collect();
        assert_eq!(path, ["facts", "today"]);
        assert!(matches!(
            declaration("source law {\n}\n").kind,
            DeclKind::Source(_)
        ));
    }

    #[test]
    fn enums_and_records_keep_docs_labels_and_defaults() {
        let d = declaration("enum Kind {\n  /// The first.\n  first \"First\",\n  second\n}\n");
        let DeclKind::Enum(e) = d.kind else {
            panic!("{:?}", d.kind)
        };
        assert_eq!(e.variants.len(), 2);
        assert_eq!(e.variants[0].doc.as_deref(), Some("The first."));
        assert_eq!(e.variants[0].label.as_deref(), Some("First"));
        assert_eq!(
            (e.variants[1].name.name.as_str(), &e.variants[1].label),
            ("second", &None)
        );
        let d = declaration("record Person {\n  age : Integer = 18,\n  name : Text\n}\n");
        let DeclKind::Record(r) = d.kind else {
            panic!("{:?}", d.kind)
        };
        let names: Vec<_> = r.fields.iter().map(|f| f.name.name.as_str()).collect();
        assert_eq!(names, ["age", "name"]);
        assert!(matches!(
            r.fields[0].default,
            Some(Expr {
                kind: ExprKind::Integer(18),
                ..
            })
        ));
        assert!(r.fields[1].default.is_none());
    }

    #[test]
    fn parameters_keep_their_period_citations_and_values() {
        let d = declaration(
            "parameter fee : Integer in force from 2026-01-01 until 2027-01-01 cites law \"art. 1\" {\n  from 2026-01-01: 5\n  from 2026-06-01: 6 cites law\n}\n",
        );
        let DeclKind::Parameter(p) = d.kind else {
            panic!("{:?}", d.kind)
        };
        let in_force = p.in_force.as_ref().map(|f| (f.from, f.until));
        assert_eq!(in_force, Some((day("2026-01-01"), day("2027-01-01"))));
        assert_eq!(p.citations.len(), 1);
        assert_eq!(p.citations[0].quote.as_deref(), Some("art. 1"));
        let froms: Vec<_> = p.values.iter().map(|v| Some(v.from)).collect();
        assert_eq!(froms, [day("2026-01-01"), day("2026-06-01")]);
        assert!(p.values[0].citation.is_none());
        assert_eq!(
            p.values[1]
                .citation
                .as_ref()
                .map(|c| c.source.name.as_str()),
            Some("law")
        );
    }

    #[test]
    fn tables_keep_keys_rows_and_otherwise() {
        let d = declaration(
            "table fee(age : Integer, kind : Kind) -> Integer {\n  1 or 2, _ => 10\n  3, first => 20 cites law\n  otherwise => 0\n}\n",
        );
        let DeclKind::Table(t) = d.kind else {
            panic!("{:?}", d.kind)
        };
        let keys: Vec<_> = t.keys.iter().map(|(k, _)| k.name.as_str()).collect();
        assert_eq!(keys, ["age", "kind"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].keys[0].alternatives.len(), 2);
        assert!(matches!(
            t.rows[0].keys[1].alternatives[..],
            [Pattern::Wildcard(_)]
        ));
        assert!(t.rows[1].citation.is_some());
        assert!(matches!(
            t.otherwise,
            Some((
                Expr {
                    kind: ExprKind::Integer(0),
                    ..
                },
                None,
                _
            ))
        ));
    }

    #[test]
    fn calendars_keep_each_kind_of_entry() {
        let d = declaration(
            "calendar work {\n  weekend saturday, sunday from 2026-01-01\n  holiday \"New year\" on 2026-01-01, 2026-01-02 carried over\n  day off 2026-03-09 instead of 2026-03-07 \"swap\"\n  working day 2026-03-07\n}\n",
        );
        let DeclKind::Calendar(c) = d.kind else {
            panic!("{:?}", d.kind)
        };
        let [weekend, holiday, day_off, working] = &c.entries[..] else {
            panic!("{:?}", c.entries)
        };
        let CalendarEntryKind::Weekend(days) = &weekend.kind else {
            panic!("{weekend:?}")
        };
        let days: Vec<_> = days.iter().map(|(d, _)| d.as_str()).collect();
        assert_eq!(days, ["saturday", "sunday"]);
        let CalendarEntryKind::Holiday {
            name,
            when: HolidayWhen::On(on),
            carried_over,
        } = &holiday.kind
        else {
            panic!("{holiday:?}")
        };
        assert_eq!(
            (name.as_str(), on.len(), *carried_over),
            ("New year", 2, true)
        );
        let CalendarEntryKind::DayOff {
            day: off,
            instead_of,
            note,
        } = &day_off.kind
        else {
            panic!("{day_off:?}")
        };
        assert_eq!(
            (Some(*off), *instead_of),
            (day("2026-03-09"), day("2026-03-07"))
        );
        assert_eq!(note.as_deref(), Some("swap"));
        assert!(matches!(
            working.kind,
            CalendarEntryKind::WorkingDay { note: None, .. }
        ));
        assert_eq!(
            weekend.period.as_ref().map(|p| p.from),
            Some(day("2026-01-01"))
        );
    }
}
