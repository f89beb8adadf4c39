//! Test coverage: which rules, cases, exceptions, reasons, table rows, parameter values and
//! cited provisions the rulebook's tests exercise. The evaluator records what it touches in a
//! `Trace` (by span, so that one declaration counts once across all consolidated versions);
//! this module turns a trace into a report. Pure: the CLI prints it.

use crate::ir::*;
use crate::source::Span;
use crate::time::date::Day;
use serde_json::{json, Value as Json};
use std::collections::{BTreeMap, HashSet};

/// What evaluation touched: spans of rules, cases, exceptions, reason items, tables and their
/// rows, parameters and their values, calendars; and the amendments in force in tested versions.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    hits: HashSet<Span>,
    amendments: HashSet<AmendmentId>,
}

impl Trace {
    pub(crate) fn hit(&mut self, span: Span) {
        self.hits.insert(span);
    }

    pub(crate) fn param_value(&mut self, p: &Program, id: ParamId, day: Day) {
        if let Some(param) = p.params.get(id as usize) {
            self.hits.insert(param.span);
            if let Some(part) = param.index_on(day).and_then(|i| param.parts.get(i)) {
                self.hits.insert(part.span);
            }
        }
    }

    pub(crate) fn calendar(&mut self, p: &Program, id: Option<CalendarId>) {
        if let Some(c) = id.and_then(|c| p.calendars.get(c as usize)) {
            self.hits.insert(c.span);
        }
    }

    /// A test ran on a version: the amendments applied in it are exercised.
    pub fn version(&mut self, v: &Version) {
        self.amendments
            .extend(v.applied.iter().map(|a| a.amendment));
    }

    /// Whether evaluation touched the construct at `span`.
    pub fn covers(&self, span: Span) -> bool {
        self.hits.contains(&span)
    }

    /// The spans evaluation touched, in no particular order.
    pub fn hit_spans(&self) -> impl Iterator<Item = &Span> {
        self.hits.iter()
    }
}

/// One thing a test could exercise.
#[derive(Clone, Debug)]
pub struct Item {
    pub what: String,
    pub span: Span,
}

/// Coverage of one kind of item.
#[derive(Clone, Debug)]
pub struct Category {
    pub name: &'static str,
    pub total: usize,
    pub covered: usize,
    pub uncovered: Vec<Item>,
}

impl Category {
    fn new(name: &'static str) -> Category {
        Category {
            name,
            total: 0,
            covered: 0,
            uncovered: Vec::new(),
        }
    }

    fn count(&mut self, covered: bool, what: impl FnOnce() -> String, span: Span) {
        self.total += 1;
        if covered {
            self.covered += 1;
        } else {
            self.uncovered.push(Item { what: what(), span });
        }
    }

    /// Percentage covered; an empty category is fully covered.
    pub fn percent(&self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            self.covered as f64 * 100.0 / self.total as f64
        }
    }
}

/// A cited sentence and whether a test reaches it.
#[derive(Clone, Debug)]
pub struct Provision {
    pub source: String,
    pub quote: Option<String>,
    pub reached: bool,
    /// Where it is first cited.
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Report {
    pub tests: usize,
    pub categories: Vec<Category>,
    pub provisions: Vec<Provision>,
}

impl Report {
    /// The categories below `min` percent.
    pub fn below(&self, min: f64) -> Vec<&Category> {
        self.categories
            .iter()
            .filter(|c| c.percent() + 1e-9 < min)
            .collect()
    }
}

/// Builds the report: every item of every version, counted once by span.
struct Builder<'a> {
    rb: &'a Rulebook,
    trace: &'a Trace,
    seen: HashSet<Span>,
    rules: Category,
    cases: Category,
    exceptions: Category,
    reasons: Category,
    rows: Category,
    params: Category,
    /// (source, quote) -> (reached, first span).
    provisions: BTreeMap<(String, Option<String>), (bool, Span)>,
}

pub fn report(rb: &Rulebook, trace: &Trace, tests: usize) -> Report {
    let mut b = Builder {
        rb,
        trace,
        seen: HashSet::new(),
        rules: Category::new("rules"),
        cases: Category::new("cases"),
        exceptions: Category::new("exceptions"),
        reasons: Category::new("reasons"),
        rows: Category::new("table rows"),
        params: Category::new("parameter values"),
        provisions: BTreeMap::new(),
    };
    for v in &rb.versions {
        b.program(&v.program);
    }
    for (i, a) in rb.amendments.iter().enumerate() {
        let reached = trace.amendments.contains(&(i as AmendmentId));
        for c in &a.citations {
            b.cite(c, reached);
        }
    }
    let mut provisions_category = Category::new("provisions");
    let provisions: Vec<Provision> = b
        .provisions
        .iter()
        .map(|((source, quote), (reached, span))| Provision {
            source: source.clone(),
            quote: quote.clone(),
            reached: *reached,
            span: *span,
        })
        .collect();
    for p in &provisions {
        provisions_category.count(p.reached, || describe_provision(p), p.span);
    }
    Report {
        tests,
        categories: vec![
            b.rules,
            b.cases,
            b.exceptions,
            b.reasons,
            b.rows,
            b.params,
            provisions_category,
        ],
        provisions,
    }
}

fn describe_provision(p: &Provision) -> String {
    match &p.quote {
        Some(q) => format!("{} \"{q}\"", p.source),
        None => p.source.clone(),
    }
}

impl Builder<'_> {
    fn first_time(&mut self, span: Span) -> bool {
        self.seen.insert(span)
    }

    fn cite(&mut self, c: &Citation, reached: bool) {
        let source = self
            .rb
            .sources
            .get(c.source as usize)
            .map_or_else(String::new, |s| s.name.clone());
        let quote = c
            .quote
            .as_ref()
            .map(|q| q.split_whitespace().collect::<Vec<_>>().join(" "));
        let entry = self
            .provisions
            .entry((source, quote))
            .or_insert((false, c.span));
        entry.0 |= reached;
    }

    fn cite_all(&mut self, cs: &[Citation], reached: bool) {
        for c in cs {
            self.cite(c, reached);
        }
    }

    fn program(&mut self, p: &Program) {
        for r in &p.rules {
            let hit = self.trace.covers(r.span);
            self.cite_all(&r.citations, hit);
            if self.first_time(r.span) {
                let name = r.name.clone();
                self.rules.count(hit, || format!("rule `{name}`"), r.span);
            }
            match &r.body {
                RuleBodyIr::Definition(def) => self.definition(def, &r.name, true),
                RuleBodyIr::Reasons(items) => self.reason_items(&r.name, items),
            }
        }
        for t in &p.tables {
            self.table(t);
        }
        for param in &p.params {
            self.parameter(param);
        }
        for c in &p.calendars {
            let hit = self.trace.covers(c.span);
            self.cite_all(&c.citations, hit);
        }
    }

    fn definition(&mut self, def: &Definition, rule: &str, top: bool) {
        let hit = self.trace.covers(def.span);
        if !top {
            self.cite_all(&def.citations, hit);
            if self.first_time(def.span) {
                let name = def.name.clone();
                self.exceptions
                    .count(hit, || format!("exception `{name}` to `{rule}`"), def.span);
            }
        }
        for (i, c) in def.cases.iter().enumerate() {
            let name = def.name.clone();
            self.case(c, || format!("`{name}`, case {}", i + 1));
        }
        if let Some(o) = &def.otherwise {
            let name = def.name.clone();
            self.case(o, || format!("`{name}`, otherwise"));
        }
        for e in &def.exceptions {
            self.definition(e, &def.name, false);
        }
    }

    fn case(&mut self, c: &CaseIr, what: impl FnOnce() -> String) {
        let hit = self.trace.covers(c.span);
        if let Some(cit) = &c.citation {
            self.cite(cit, hit);
        }
        if self.first_time(c.span) {
            self.cases.count(hit, what, c.span);
        }
    }

    fn reason_items(&mut self, rule: &str, items: &[ReasonIr]) {
        for item in items {
            let hit = self.trace.covers(item.span);
            if let Some(cit) = &item.citation {
                self.cite(cit, hit);
            }
            if self.first_time(item.span) {
                let code = item.code.clone();
                self.reasons
                    .count(hit, || format!("reason `{code}` of `{rule}`"), item.span);
            }
        }
    }

    fn table(&mut self, t: &TableIr) {
        let used = self.trace.covers(t.span);
        self.cite_all(&t.citations, used);
        let snippet = |span: Span| -> String {
            let text = self.rb.source_map.snippet(span);
            let line = text.lines().next().unwrap_or("").trim();
            line.split("=>").next().unwrap_or(line).trim().to_string()
        };
        let mut parts: Vec<(&Part, String)> = t.rows.iter().map(|r| (r, snippet(r.span))).collect();
        if let Some(o) = &t.otherwise_part {
            parts.push((o, "otherwise".to_string()));
        }
        for (part, pattern) in parts {
            let hit = self.trace.covers(part.span);
            if let Some(c) = &part.citation {
                self.cite(c, hit);
            }
            if self.first_time(part.span) {
                let name = t.name.clone();
                self.rows.count(
                    hit,
                    || format!("table `{name}`, row `{pattern}`"),
                    part.span,
                );
            }
        }
    }

    fn parameter(&mut self, param: &ParamIr) {
        let used = self.trace.covers(param.span);
        self.cite_all(&param.citations, used);
        for (part, (from, _)) in param.parts.iter().zip(&param.values) {
            let hit = self.trace.covers(part.span);
            if let Some(c) = &part.citation {
                self.cite(c, hit);
            }
            if self.first_time(part.span) {
                let name = param.name.clone();
                let from = crate::time::date::format(*from);
                self.params
                    .count(hit, || format!("parameter `{name}` from {from}"), part.span);
            }
        }
    }
}

/// Where an item is, as `file:line`.
pub fn location(rb: &Rulebook, span: Span) -> String {
    match rb.source_map.get(span.file) {
        Some(f) => format!("{}:{}", f.name, f.line_col(span.start as usize).0 + 1),
        None => String::new(),
    }
}

/// The report as a table, followed by what is not covered.
pub fn text(rb: &Rulebook, r: &Report, min: Option<f64>) -> String {
    let mut s = format!("coverage by {} tests\n\n", r.tests);
    s.push_str(&format!("  {:<18} {:>9} {:>8}\n", "", "covered", ""));
    for c in &r.categories {
        s.push_str(&format!(
            "  {:<18} {:>9} {:>7.1}%\n",
            c.name,
            format!("{}/{}", c.covered, c.total),
            c.percent()
        ));
    }
    s.push_str("\n  provisions by source\n");
    for (source, (reached, total)) in by_source(r) {
        let pct = if total == 0 {
            100.0
        } else {
            reached as f64 * 100.0 / total as f64
        };
        s.push_str(&format!(
            "  {:<28} {:>9} {:>7.1}%\n",
            source,
            format!("{reached}/{total}"),
            pct
        ));
    }
    let listed: Vec<&Category> = match min {
        Some(m) => r.below(m),
        None => r.categories.iter().collect(),
    };
    for c in listed.into_iter().filter(|c| !c.uncovered.is_empty()) {
        s.push_str(&format!(
            "\nnot covered: {} ({})\n",
            c.name,
            c.uncovered.len()
        ));
        for item in &c.uncovered {
            s.push_str(&format!("  {}  {}\n", location(rb, item.span), item.what));
        }
    }
    s
}

fn by_source(r: &Report) -> BTreeMap<&str, (usize, usize)> {
    let mut m: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for p in &r.provisions {
        let e = m.entry(p.source.as_str()).or_default();
        e.1 += 1;
        if p.reached {
            e.0 += 1;
        }
    }
    m
}

/// The report as JSON (format "zan-coverage/1").
pub fn json(rb: &Rulebook, r: &Report, min: Option<f64>) -> Json {
    let categories: Vec<Json> = r
        .categories
        .iter()
        .map(|c| {
            json!({
                "name": c.name,
                "covered": c.covered,
                "total": c.total,
                "percent": (c.percent() * 10.0).round() / 10.0,
                "uncovered": c.uncovered.iter().map(|i| json!({
                    "what": i.what,
                    "at": location(rb, i.span),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let provisions: Vec<Json> = r
        .provisions
        .iter()
        .map(|p| {
            json!({
                "source": p.source,
                "quote": p.quote,
                "reached": p.reached,
                "cited_at": location(rb, p.span),
            })
        })
        .collect();
    let below: Vec<&str> =
        min.map_or_else(Vec::new, |m| r.below(m).iter().map(|c| c.name).collect());
    json!({
        "format": "zan-coverage/1",
        "tests": r.tests,
        "categories": categories,
        "provisions": provisions,
        "min_coverage": min,
        "below_min_coverage": below,
    })
}
