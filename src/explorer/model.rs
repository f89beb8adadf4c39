//! What the pages show, gathered once when a `Site` is built: the legal texts cut into
//! sentences with the citations that quote each one, a page's worth of facts per declaration
//! (its entries, citations, versions, tests, what it depends on and what depends on it), the
//! `// OPEN:` notes, and coverage by provision from one run of the rulebook's tests.

use super::law::{self, Finder, Sentence};
use crate::check::Symbol;
use crate::coverage::{self, Report};
use crate::ide::index::{DeclEntry, DeclWhat, ProvisionRef};
use crate::ide::Analysis;
use crate::ir::*;
use crate::source::{SourceFile, Span};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

/// One legal text (a `source`), cut into sentences.
pub struct Law {
    pub name: String,
    pub title: Option<String>,
    pub file: Option<String>,
    pub text: Option<Arc<SourceFile>>,
    pub paragraphs: Vec<Vec<Sentence>>,
    /// Sentence number → the citations (indices into `Model::uses`) that quote it.
    pub cited: BTreeMap<usize, Vec<usize>>,
    /// Citations of this source that quote nothing found in the text, or quote nothing.
    pub elsewhere: Vec<usize>,
}

impl Law {
    /// Whether a test reaches a construct that cites the sentence.
    pub fn covered(&self, model: &Model, sentence: usize) -> bool {
        self.cited
            .get(&sentence)
            .is_some_and(|uses| uses.iter().any(|&u| model.uses[u].reached))
    }

    /// (sentences, cited, covered).
    pub fn summary(&self, model: &Model) -> (usize, usize, usize) {
        let total = self.paragraphs.iter().map(Vec::len).sum();
        let covered = self
            .cited
            .keys()
            .filter(|&&s| self.covered(model, s))
            .count();
        (total, self.cited.len(), covered)
    }
}

/// One citation as written somewhere in the rulebook.
pub struct Use {
    pub source: SourceId,
    pub quote: Option<String>,
    /// The `cites …` clause.
    pub span: Span,
    /// The declaration (index into `Model::decls`) it is written in; `None` for a test's.
    pub decl: Option<usize>,
    pub test: Option<usize>,
    /// What cites: `case 2 of \`x\``, `row \`b8\``, `the rule`.
    pub label: String,
    /// The sentences it quotes (numbers in the source's text).
    pub sentences: Vec<usize>,
    /// Whether a test reaches what cites.
    pub reached: bool,
}

/// One written declaration of a name: the baseline or an amendment's provision.
pub struct Entry {
    pub span: Span,
    pub provision: Option<ProvisionRef>,
    pub doc: Option<String>,
}

/// A name with a page: every entry that declares it.
pub struct Decl {
    /// The language's word: `rule`, `reasons`, `exception`, `table`, `parameter`, `enum`,
    /// `record`, `fact`, `calendar`, `amendment`, `example`, `source`.
    pub kind: &'static str,
    pub name: String,
    pub entries: Vec<Entry>,
    pub uses: Vec<usize>,
    pub depends_on: BTreeSet<usize>,
    pub used_by: BTreeSet<usize>,
    pub opens: Vec<usize>,
    /// Tests that expect a value of it (rules).
    pub checked_by: Vec<usize>,
    /// Tests whose evaluation touched it.
    pub exercised_by: Vec<usize>,
}

impl Decl {
    /// The page, relative to the rulebook's folder: `decl/rule-x.html`.
    pub fn page(&self) -> String {
        decl_page(self.kind, &self.name)
    }
}

pub fn decl_page(kind: &str, name: &str) -> String {
    format!(
        "decl/{}-{}.html",
        super::html::slug(kind),
        super::html::slug(name)
    )
}

pub struct OpenPoint {
    pub text: String,
    /// `file:line`.
    pub at: String,
    pub decl: Option<usize>,
}

pub struct TestInfo {
    pub name: String,
    pub at: String,
    pub passed: bool,
}

pub struct Model {
    pub laws: Vec<Law>,
    pub decls: Vec<Decl>,
    pub by_key: HashMap<(String, String), usize>,
    pub uses: Vec<Use>,
    /// A citation's `cites` clause → its index in `uses`.
    pub by_span: HashMap<Span, usize>,
    pub opens: Vec<OpenPoint>,
    pub tests: Vec<TestInfo>,
    pub coverage: Report,
    pub analysis: Analysis,
    /// The folder of the rulebook's files as the source map names them (`…/kz-visa/`):
    /// locations are shown relative to it, the same wherever the folder is.
    pub root: String,
}

fn kind_of(what: DeclWhat) -> Option<&'static str> {
    match what {
        DeclWhat::Rule
        | DeclWhat::Reasons
        | DeclWhat::Exception
        | DeclWhat::Table
        | DeclWhat::Parameter
        | DeclWhat::Enum
        | DeclWhat::Record
        | DeclWhat::Fact
        | DeclWhat::Calendar
        | DeclWhat::Amendment
        | DeclWhat::Example
        | DeclWhat::Source => Some(what.word()),
        _ => None,
    }
}

fn inside(outer: Span, inner: Span) -> bool {
    outer.file == inner.file && outer.start <= inner.start && inner.end <= outer.end
}

impl Model {
    pub fn build(rb: &Rulebook) -> Model {
        let today = rb.versions.iter().filter_map(|v| v.from).max().unwrap_or(0);
        let analysis = Analysis::of_map((*rb.source_map).clone(), today);
        let mut m = Model {
            laws: Vec::new(),
            decls: Vec::new(),
            by_key: HashMap::new(),
            uses: Vec::new(),
            by_span: HashMap::new(),
            opens: Vec::new(),
            tests: Vec::new(),
            coverage: coverage::report(rb, &coverage::Trace::default(), 0),
            analysis,
            root: root_of(rb),
        };
        m.declarations();
        m.laws = rb.sources.iter().map(|s| law_of(rb, s)).collect();
        let hits = m.run_tests(rb);
        m.citations(rb, &hits);
        m.dependencies();
        m.open_points(rb);
        m
    }

    pub fn decl(&self, kind: &str, name: &str) -> Option<&Decl> {
        self.by_key
            .get(&(kind.to_string(), name.to_string()))
            .and_then(|&i| self.decls.get(i))
    }

    fn declarations(&mut self) {
        let index = &self.analysis.index;
        for d in &index.decls {
            let Some(kind) = kind_of(d.what) else {
                continue;
            };
            let key = (kind.to_string(), d.name.clone());
            let i = *self.by_key.entry(key).or_insert_with(|| {
                self.decls.push(Decl {
                    kind,
                    name: d.name.clone(),
                    entries: Vec::new(),
                    uses: Vec::new(),
                    depends_on: BTreeSet::new(),
                    used_by: BTreeSet::new(),
                    opens: Vec::new(),
                    checked_by: Vec::new(),
                    exercised_by: Vec::new(),
                });
                self.decls.len() - 1
            });
            let doc = index.decl_node(d).and_then(|n| n.doc.clone());
            self.decls[i].entries.push(Entry {
                span: d.span,
                provision: d.provision.clone(),
                doc,
            });
        }
    }

    /// The declaration (index) whose entry is the smallest that holds `span`.
    pub fn decl_at(&self, span: Span) -> Option<usize> {
        let mut best: Option<(usize, u32)> = None;
        for (i, d) in self.decls.iter().enumerate() {
            for e in &d.entries {
                if inside(e.span, span) {
                    let size = e.span.end - e.span.start;
                    if best.is_none_or(|(_, s)| size < s) {
                        best = Some((i, size));
                    }
                }
            }
        }
        best.map(|(i, _)| i)
    }

    /// Runs every test once, each with its own trace: which declarations each touched, and
    /// the union of what they touched (for coverage by provision, as `zan test --coverage`).
    fn run_tests(&mut self, rb: &Rulebook) -> HashSet<Span> {
        let mut all = coverage::Trace::default();
        for (ti, t) in rb.tests.iter().enumerate() {
            let mut trace = coverage::Trace::default();
            let result = crate::testing::run_traced(rb, t, Some(&mut trace));
            self.tests.push(TestInfo {
                name: t.name.clone(),
                at: self.location(rb, t.span),
                passed: result.passed(),
            });
            if let Some(v) = t.as_of.and_then(|d| rb.version_on(d)) {
                all.version(v);
            }
            let mut touched: BTreeSet<usize> = BTreeSet::new();
            for span in trace.hit_spans() {
                all.hit(*span);
                if let Some(d) = self.decl_at(*span) {
                    touched.insert(d);
                }
            }
            for d in touched {
                self.decls[d].exercised_by.push(ti);
            }
            for e in &t.expectations {
                for kind in ["rule", "reasons"] {
                    if let Some(&d) = self.by_key.get(&(kind.to_string(), e.rule.clone())) {
                        if !self.decls[d].checked_by.contains(&ti) {
                            self.decls[d].checked_by.push(ti);
                        }
                    }
                }
            }
        }
        self.coverage = coverage::report(rb, &all, rb.tests.len());
        all.hit_spans().copied().collect()
    }

    fn add_use(&mut self, c: &Citation, label: String, reached: bool, test: Option<usize>) {
        let decl = if test.is_some() {
            None
        } else {
            self.decl_at(c.span)
        };
        let mut u = Use {
            source: c.source,
            quote: c.quote.clone(),
            span: c.span,
            decl,
            test,
            label,
            sentences: Vec::new(),
            reached,
        };
        let ui = self.uses.len();
        self.by_span.entry(c.span).or_insert(ui);
        if let Some(law) = self.laws.get_mut(c.source as usize) {
            let found = match (&law.text, &c.quote) {
                (Some(text), Some(q)) => Finder::new(&text.text).find(q),
                _ => None,
            };
            match found {
                Some(ranges) => {
                    u.sentences = law::sentences_in(&law.paragraphs, &ranges);
                    for s in &u.sentences {
                        law.cited.entry(*s).or_default().push(ui);
                    }
                }
                None => law.elsewhere.push(ui),
            }
        }
        if let Some(d) = decl {
            self.decls[d].uses.push(ui);
        }
        self.uses.push(u);
    }

    fn citations(&mut self, rb: &Rulebook, hits: &HashSet<Span>) {
        let mut seen: HashSet<Span> = HashSet::new();
        let mut found: Vec<(Citation, String, bool)> = Vec::new();
        let mut cite = |c: &Citation, label: String, reached: bool| {
            if seen.insert(c.span) {
                found.push((c.clone(), label, reached));
            }
        };
        for v in &rb.versions {
            program_citations(rb, &v.program, hits, &mut cite);
        }
        let tested: Vec<crate::time::date::Day> = rb.tests.iter().filter_map(|t| t.as_of).collect();
        for a in &rb.amendments {
            let reached = tested.iter().any(|&d| d >= a.in_force);
            for c in &a.citations {
                cite(c, format!("amendment `{}`", a.name), reached);
            }
        }
        for (c, label, reached) in found {
            self.add_use(&c, label, reached, None);
        }
        for (ti, t) in rb.tests.iter().enumerate() {
            let passed = self.tests.get(ti).is_some_and(|t| t.passed);
            for c in &t.checks {
                self.add_use(c, format!("test `{}`", t.name), passed, Some(ti));
            }
        }
    }

    fn dependencies(&mut self) {
        let mut edges: Vec<(usize, usize)> = Vec::new();
        for occ in &self.analysis.index.occurrences {
            if occ.is_declaration {
                continue;
            }
            let Some(from) = self.decl_at(occ.span) else {
                continue;
            };
            let targets: Vec<usize> = match &occ.symbol {
                Symbol::Decl(_) => self
                    .analysis
                    .index
                    .declarations(&occ.symbol)
                    .into_iter()
                    .filter_map(|e| self.key_of(e))
                    .collect(),
                Symbol::Variant { enum_name, .. } => self
                    .by_key
                    .get(&("enum".into(), enum_name.clone()))
                    .copied()
                    .into_iter()
                    .collect(),
                Symbol::Field { record, .. } => self
                    .by_key
                    .get(&("record".into(), record.clone()))
                    .copied()
                    .into_iter()
                    .collect(),
                _ => Vec::new(),
            };
            for to in targets {
                if to != from {
                    edges.push((from, to));
                }
            }
        }
        for (from, to) in edges {
            self.decls[from].depends_on.insert(to);
            self.decls[to].used_by.insert(from);
        }
    }

    fn key_of(&self, e: &DeclEntry) -> Option<usize> {
        let kind = kind_of(e.what)?;
        self.by_key
            .get(&(kind.to_string(), e.name.clone()))
            .copied()
    }

    fn open_points(&mut self, rb: &Rulebook) {
        let map = &rb.source_map;
        let mut notes = Vec::new();
        for id in map.ids() {
            let Some(file) = map.get(id) else { continue };
            for d in crate::syntax::split::open_points(&file.text, id) {
                let text = d.message.strip_prefix("open point: ").unwrap_or(&d.message);
                notes.push((text.to_string(), d.primary.span));
            }
        }
        for (text, span) in notes {
            // An open point belongs to the declaration that holds it, or else to the next one
            // below it in its file.
            let decl = self.decl_at(span).or_else(|| self.next_decl(span));
            let i = self.opens.len();
            if let Some(d) = decl {
                self.decls[d].opens.push(i);
            }
            self.opens.push(OpenPoint {
                text,
                at: self.location(rb, span),
                decl,
            });
        }
    }

    /// `file:line`, the file relative to the rulebook's folder.
    pub fn location(&self, rb: &Rulebook, span: Span) -> String {
        let at = coverage::location(rb, span);
        at.strip_prefix(&self.root)
            .map_or(at.clone(), str::to_string)
    }

    fn next_decl(&self, span: Span) -> Option<usize> {
        let mut best: Option<(usize, u32)> = None;
        for (i, d) in self.decls.iter().enumerate() {
            for e in d.entries.iter().filter(|e| e.provision.is_none()) {
                if e.span.file == span.file
                    && e.span.start >= span.end
                    && best.is_none_or(|(_, s)| e.span.start < s)
                {
                    best = Some((i, e.span.start));
                }
            }
        }
        best.map(|(i, _)| i)
    }
}

fn law_of(rb: &Rulebook, s: &SourceInfo) -> Law {
    let text = s
        .file
        .as_deref()
        .and_then(|f| rb.source_map.legal_text(f))
        .map(|t| Arc::new(t.clone()));
    let paragraphs = text
        .as_ref()
        .map_or_else(Vec::new, |t| law::paragraphs(&t.text));
    Law {
        name: s.name.clone(),
        title: s.title.clone(),
        file: s.file.clone(),
        text,
        paragraphs,
        cited: BTreeMap::new(),
        elsewhere: Vec::new(),
    }
}

/// Every citation of a version's program, with what cites it and whether a test reached that.
fn program_citations(
    rb: &Rulebook,
    p: &Program,
    hits: &HashSet<Span>,
    cite: &mut impl FnMut(&Citation, String, bool),
) {
    let hit = |s: Span| hits.contains(&s);
    for r in &p.rules {
        for c in &r.citations {
            cite(c, format!("rule `{}`", r.name), hit(r.span));
        }
        match &r.body {
            RuleBodyIr::Definition(def) => definition_citations(def, true, hits, cite),
            RuleBodyIr::Reasons(items) => {
                for item in items {
                    if let Some(c) = &item.citation {
                        cite(c, format!("reason `{}`", item.code), hit(item.span));
                    }
                }
            }
        }
    }
    for t in &p.tables {
        for c in &t.citations {
            cite(c, format!("table `{}`", t.name), hit(t.span));
        }
        for part in t.rows.iter().chain(&t.otherwise_part) {
            if let Some(c) = &part.citation {
                let line = rb
                    .source_map
                    .snippet(part.span)
                    .lines()
                    .next()
                    .unwrap_or("");
                let row = line.split("=>").next().unwrap_or(line).trim();
                cite(c, format!("row `{row}` of `{}`", t.name), hit(part.span));
            }
        }
    }
    for param in &p.params {
        for c in &param.citations {
            cite(c, format!("parameter `{}`", param.name), hit(param.span));
        }
        for (part, (from, _)) in param.parts.iter().zip(&param.values) {
            if let Some(c) = &part.citation {
                let from = crate::time::date::format(*from);
                cite(
                    c,
                    format!("value from {from} of `{}`", param.name),
                    hit(part.span),
                );
            }
        }
    }
    for cal in &p.calendars {
        for c in &cal.citations {
            cite(c, format!("calendar `{}`", cal.name), hit(cal.span));
        }
    }
}

fn definition_citations(
    def: &Definition,
    top: bool,
    hits: &HashSet<Span>,
    cite: &mut impl FnMut(&Citation, String, bool),
) {
    if !top {
        for c in &def.citations {
            cite(
                c,
                format!("exception `{}`", def.name),
                hits.contains(&def.span),
            );
        }
    }
    for (i, case) in def.cases.iter().enumerate() {
        if let Some(c) = &case.citation {
            let label = format!("case {} of `{}`", i + 1, def.name);
            cite(c, label, hits.contains(&case.span));
        }
    }
    if let Some(case) = &def.otherwise {
        if let Some(c) = &case.citation {
            let label = format!("otherwise of `{}`", def.name);
            cite(c, label, hits.contains(&case.span));
        }
    }
    for e in &def.exceptions {
        definition_citations(e, false, hits, cite);
    }
}

/// The folder of the rulebook's `.zan` files in the source map: the longest folder prefix
/// they share.
pub fn root_of(rb: &Rulebook) -> String {
    let names: Vec<&str> = rb
        .source_map
        .files()
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    let Some(first) = names.first() else {
        return String::new();
    };
    let mut prefix = match first.rfind('/') {
        Some(i) => first[..=i].to_string(),
        None => return String::new(),
    };
    while !prefix.is_empty() && !names.iter().all(|n| n.starts_with(&prefix)) {
        prefix.pop();
        prefix = match prefix.rfind('/') {
            Some(i) => prefix[..=i].to_string(),
            None => String::new(),
        };
    }
    prefix
}
