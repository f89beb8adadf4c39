//! Sharing checked declarations between versions. Consecutive versions of a rulebook differ
//! by a few declarations (those an amendment adds, replaces or repeals, or whose in-force
//! period starts or ends). A rule, exception, reasons, table or parameter that was checked
//! without a diagnostic in the previous version, and none of whose words is a name whose
//! meaning changed since then, is not checked again: its checked form is copied from the
//! previous version's program, with the ids of what it refers to renumbered.
//!
//! Words are taken from the declaration's text (every run of identifier characters, also in
//! strings and comments), so every name the declaration can refer to is among them; a word
//! that is no name only makes the test more cautious.

use super::versions::Entry;
use crate::ir::*;
use crate::source::{SourceMap, Span};
use crate::syntax::ast::DeclKind;
use crate::value::{Duration, Value};
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::Arc;

/// An entry of the timeline, by the span of its declaration (each declaration is one entry).
pub type Key = Span;

/// What checking a rule (or reasons) leaves besides its `RuleIr`.
#[derive(Clone, Default)]
pub struct RuleExtra {
    /// The rules it reads, for the cycle check.
    pub deps: Vec<(RuleId, Span)>,
    /// Quantifier slots it needs.
    pub locals: u32,
    /// The exceptions compiled into its definition.
    pub exceptions: Vec<Key>,
}

/// The entries behind one version's ids (index: id).
#[derive(Default)]
pub struct Ids {
    pub rules: Vec<Key>,
    pub tables: Vec<Key>,
    pub params: Vec<Key>,
    pub calendars: Vec<Key>,
}

/// What a version leaves to the next.
struct Previous {
    program: Arc<Program>,
    ids: Ids,
    entries: FxHashSet<Key>,
    rules: FxHashMap<Key, (RuleId, RuleExtra)>,
    tables: FxHashMap<Key, TableId>,
    params: FxHashMap<Key, ParamId>,
}

/// The version being built.
#[derive(Default)]
struct Current {
    entries: FxHashSet<Key>,
    /// Entries with a word whose meaning changed since the previous version.
    dirty: FxHashSet<Key>,
    remap: Option<Remap>,
    /// Declarations checked (or copied) without a diagnostic in this version.
    rules: FxHashMap<Key, (RuleId, RuleExtra)>,
    tables: FxHashMap<Key, TableId>,
    params: FxHashMap<Key, ParamId>,
}

pub struct Sharing<'d> {
    map: &'d SourceMap,
    /// Off when there is one version: nothing to share.
    enabled: bool,
    /// Word ids, by word.
    words: FxHashMap<&'d str, u32>,
    /// The entries whose text has each word (index: word id).
    postings: Vec<Vec<Key>>,
    /// Entries already indexed, with the names whose meaning they give.
    defines: FxHashMap<Key, Vec<&'d str>>,
    prev: Option<Previous>,
    cur: Current,
}

impl<'d> Sharing<'d> {
    pub fn new(map: &'d SourceMap, versions: usize) -> Sharing<'d> {
        Sharing {
            map,
            enabled: versions > 1,
            words: FxHashMap::default(),
            postings: Vec::new(),
            defines: FxHashMap::default(),
            prev: None,
            cur: Current::default(),
        }
    }

    /// Start a version with these entries in force: find what changed since the previous one.
    pub fn begin(&mut self, entries: &[&Entry<'d>]) {
        if !self.enabled {
            return;
        }
        let mut cur = Current::default();
        for e in entries {
            cur.entries.insert(e.decl.span);
            if !self.defines.contains_key(&e.decl.span) {
                self.index(e);
            }
        }
        if let Some(prev) = &self.prev {
            let mut changed: Vec<&str> = Vec::new();
            for key in prev.entries.symmetric_difference(&cur.entries) {
                if let Some(names) = self.defines.get(key) {
                    changed.extend(names.iter().copied());
                }
            }
            for name in changed {
                if let Some(&w) = self.words.get(name) {
                    if let Some(list) = self.postings.get(w as usize) {
                        cur.dirty.extend(list.iter().copied());
                    }
                }
            }
        }
        self.cur = cur;
    }

    /// Record the words of an entry's text and the names it gives a meaning to.
    fn index(&mut self, e: &Entry<'d>) {
        let key = e.decl.span;
        let text = self.map.snippet(key);
        let mut seen: FxHashSet<u32> = FxHashSet::default();
        for word in words(text) {
            let next = self.postings.len() as u32;
            let id = *self.words.entry(word).or_insert(next);
            if id == next {
                self.postings.push(Vec::new());
            }
            if seen.insert(id) {
                if let Some(list) = self.postings.get_mut(id as usize) {
                    list.push(key);
                }
            }
        }
        let mut defines = vec![e.decl.kind.name().name.as_str()];
        match &e.decl.kind {
            DeclKind::Reasons(r) => defines.extend(r.items.iter().map(|i| i.code.name.as_str())),
            DeclKind::Exception(x) => defines.push(x.target.name.as_str()),
            _ => {}
        }
        self.defines.insert(key, defines);
    }

    /// The ids of this version are known: prepare renumbering from the previous version's.
    pub fn ids(&mut self, ids: &Ids) {
        if !self.enabled {
            return;
        }
        self.cur.remap = self
            .prev
            .as_ref()
            .map(|prev| Remap::between(&prev.ids, ids));
    }

    fn reusable(&self, key: &Key) -> bool {
        self.cur.remap.is_some() && !self.cur.dirty.contains(key)
    }

    /// The previous version's checked form of a rule or reasons, renumbered, if it can be
    /// used as it is in this version.
    pub fn rule(&self, key: Key) -> Option<(RuleIr, RuleExtra)> {
        if !self.reusable(&key) {
            return None;
        }
        let prev = self.prev.as_ref()?;
        let remap = self.cur.remap.as_ref()?;
        let (id, extra) = prev.rules.get(&key)?;
        if extra.exceptions.iter().any(|x| self.cur.dirty.contains(x)) {
            return None;
        }
        let rule = remap.rule_ir(prev.program.rules.get(*id as usize)?)?;
        let deps = extra
            .deps
            .iter()
            .map(|(r, span)| Some((remap.rule(*r)?, *span)))
            .collect::<Option<Vec<_>>>()?;
        Some((
            rule,
            RuleExtra {
                deps,
                locals: extra.locals,
                exceptions: extra.exceptions.clone(),
            },
        ))
    }

    pub fn table(&self, key: Key) -> Option<TableIr> {
        if !self.reusable(&key) {
            return None;
        }
        let prev = self.prev.as_ref()?;
        let id = prev.tables.get(&key)?;
        self.cur
            .remap
            .as_ref()?
            .table(prev.program.tables.get(*id as usize)?)
    }

    pub fn param(&self, key: Key) -> Option<ParamIr> {
        if !self.reusable(&key) {
            return None;
        }
        let prev = self.prev.as_ref()?;
        let id = prev.params.get(&key)?;
        self.cur
            .remap
            .as_ref()?
            .param(prev.program.params.get(*id as usize)?)
    }

    /// A rule or reasons of this version has no diagnostic: the next version may copy it.
    pub fn clean_rule(&mut self, key: Key, id: RuleId, extra: RuleExtra) {
        if self.enabled {
            self.cur.rules.insert(key, (id, extra));
        }
    }

    pub fn clean_table(&mut self, key: Key, id: TableId) {
        if self.enabled {
            self.cur.tables.insert(key, id);
        }
    }

    pub fn clean_param(&mut self, key: Key, id: ParamId) {
        if self.enabled {
            self.cur.params.insert(key, id);
        }
    }

    /// The version is built: keep what the next one may copy.
    pub fn finish(&mut self, program: Arc<Program>, ids: Ids) {
        if !self.enabled {
            return;
        }
        let cur = std::mem::take(&mut self.cur);
        self.prev = Some(Previous {
            program,
            ids,
            entries: cur.entries,
            rules: cur.rules,
            tables: cur.tables,
            params: cur.params,
        });
    }
}

/// The words of a declaration's code: the runs of identifier characters (ASCII letters,
/// digits and `_`, and every other character but the byte order mark: names may have any
/// letter, and outside strings and comments no other character touches a name). Strings and
/// comments are skipped: a name in them refers to nothing.
fn words(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut start: Option<usize> = None;
    while i < bytes.len() {
        let b = bytes[i];
        let word_byte = match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' => true,
            // U+FEFF is EF BB BF.
            0xEF if bytes.get(i + 1..i + 3) == Some(&[0xBB, 0xBF]) => false,
            0x80.. => true,
            _ => false,
        };
        if word_byte {
            start.get_or_insert(i);
            i += 1;
            continue;
        }
        if let Some(s) = start.take() {
            out.extend(text.get(s..i));
        }
        match b {
            b'"' => {
                // A string: to the next `"` that no `\` escapes.
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                // A comment (or doc comment): to the end of the line.
                i = bytes[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(bytes.len(), |n| i + n);
            }
            0xEF => i += 3,
            _ => i += 1,
        }
    }
    if let Some(s) = start {
        out.extend(text.get(s..));
    }
    out
}

/// Renumbering ids from one version to the next (`None`: not in the next version).
struct Remap {
    rules: Vec<Option<RuleId>>,
    tables: Vec<Option<TableId>>,
    params: Vec<Option<ParamId>>,
    calendars: Vec<Option<CalendarId>>,
}

fn renumber(from: &[Key], to: &[Key]) -> Vec<Option<u32>> {
    let at: FxHashMap<Key, u32> = to.iter().enumerate().map(|(i, k)| (*k, i as u32)).collect();
    from.iter().map(|k| at.get(k).copied()).collect()
}

impl Remap {
    fn between(from: &Ids, to: &Ids) -> Remap {
        Remap {
            rules: renumber(&from.rules, &to.rules),
            tables: renumber(&from.tables, &to.tables),
            params: renumber(&from.params, &to.params),
            calendars: renumber(&from.calendars, &to.calendars),
        }
    }

    fn rule(&self, id: RuleId) -> Option<RuleId> {
        self.rules.get(id as usize).copied().flatten()
    }

    fn table_id(&self, id: TableId) -> Option<TableId> {
        self.tables.get(id as usize).copied().flatten()
    }

    fn param_id(&self, id: ParamId) -> Option<ParamId> {
        self.params.get(id as usize).copied().flatten()
    }

    fn calendar(&self, id: CalendarId) -> Option<CalendarId> {
        self.calendars.get(id as usize).copied().flatten()
    }

    fn rule_ir(&self, r: &RuleIr) -> Option<RuleIr> {
        let body = match &r.body {
            RuleBodyIr::Definition(d) => RuleBodyIr::Definition(self.definition(d)?),
            RuleBodyIr::Reasons(items) => RuleBodyIr::Reasons(
                items
                    .iter()
                    .map(|i| {
                        Some(ReasonIr {
                            code: i.code.clone(),
                            message: i.message.clone(),
                            condition: self.ex(&i.condition)?,
                            condition_span: i.condition_span,
                            citation: i.citation.clone(),
                            span: i.span,
                        })
                    })
                    .collect::<Option<_>>()?,
            ),
        };
        Some(RuleIr {
            name: r.name.clone(),
            span: r.span,
            ty: r.ty.clone(),
            output: r.output,
            doc: r.doc.clone(),
            citations: r.citations.clone(),
            origin: r.origin.clone(),
            body,
        })
    }

    fn definition(&self, d: &Definition) -> Option<Definition> {
        Some(Definition {
            name: d.name.clone(),
            span: d.span,
            cases: d
                .cases
                .iter()
                .map(|c| self.case(c))
                .collect::<Option<_>>()?,
            otherwise: match &d.otherwise {
                Some(c) => Some(self.case(c)?),
                None => None,
            },
            exceptions: d
                .exceptions
                .iter()
                .map(|x| self.definition(x))
                .collect::<Option<_>>()?,
            citations: d.citations.clone(),
            origin: d.origin.clone(),
        })
    }

    fn case(&self, c: &CaseIr) -> Option<CaseIr> {
        Some(CaseIr {
            condition: match &c.condition {
                Some(x) => Some(self.ex(x)?),
                None => None,
            },
            value: self.ex(&c.value)?,
            citation: c.citation.clone(),
            span: c.span,
            condition_span: c.condition_span,
        })
    }

    fn table(&self, t: &TableIr) -> Option<TableIr> {
        let lookup = match &t.lookup {
            TableLookup::Dense { sizes, cells } => TableLookup::Dense {
                sizes: sizes.clone(),
                cells: cells.clone(),
            },
            TableLookup::Rows { rows, order } => TableLookup::Rows {
                rows: rows
                    .iter()
                    .map(|row| {
                        row.iter()
                            .map(|key| match key {
                                Some(alts) => self.key_matches(alts).map(Some),
                                None => Some(None),
                            })
                            .collect::<Option<Vec<_>>>()
                    })
                    .collect::<Option<_>>()?,
                order: order.clone(),
            },
        };
        Some(TableIr {
            name: t.name.clone(),
            span: t.span,
            keys: t.keys.clone(),
            ty: t.ty.clone(),
            lookup,
            values: self.exs(&t.values)?,
            otherwise: match &t.otherwise {
                Some(x) => Some(self.ex(x)?),
                None => None,
            },
            citations: t.citations.clone(),
            rows: t.rows.clone(),
            otherwise_part: t.otherwise_part.clone(),
        })
    }

    fn param(&self, p: &ParamIr) -> Option<ParamIr> {
        Some(ParamIr {
            name: p.name.clone(),
            span: p.span,
            ty: p.ty.clone(),
            values: p
                .values
                .iter()
                .map(|(day, v)| Some((*day, self.value(v)?)))
                .collect::<Option<_>>()?,
            citations: p.citations.clone(),
            parts: p.parts.clone(),
            gaps: p.gaps.clone(),
        })
    }

    fn exs(&self, xs: &[Ex]) -> Option<Vec<Ex>> {
        xs.iter().map(|x| self.ex(x)).collect()
    }

    /// A row's pattern for one key, its values (a band's bounds) renumbered.
    fn key_matches(&self, alts: &[KeyMatch]) -> Option<Vec<KeyMatch>> {
        let bound = |b: &Option<Bound>| match b {
            Some(b) => self.value(&b.value).map(|value| {
                Some(Bound {
                    value,
                    inclusive: b.inclusive,
                })
            }),
            None => Some(None),
        };
        alts.iter()
            .map(|a| match a {
                KeyMatch::Is(v) => self.value(v).map(KeyMatch::Is),
                KeyMatch::In(band) => Some(KeyMatch::In(Band {
                    low: bound(&band.low)?,
                    high: bound(&band.high)?,
                })),
            })
            .collect()
    }

    fn values(&self, vs: &[Value]) -> Option<Vec<Value>> {
        vs.iter().map(|v| self.value(v)).collect()
    }

    fn boxed(&self, x: &Ex) -> Option<Box<Ex>> {
        self.ex(x).map(Box::new)
    }

    fn ex(&self, x: &Ex) -> Option<Ex> {
        Some(match x {
            Ex::Const(v) => Ex::Const(self.value(v)?),
            Ex::Fact(f) => Ex::Fact(*f),
            Ex::Field(b, i) => Ex::Field(self.boxed(b)?, *i),
            Ex::Local(l) => Ex::Local(*l),
            Ex::Rule(r) => Ex::Rule(self.rule(*r)?),
            Ex::Param(p, on) => Ex::Param(
                self.param_id(*p)?,
                match on {
                    Some(d) => Some(self.boxed(d)?),
                    None => None,
                },
            ),
            Ex::AsOfDate => Ex::AsOfDate,
            Ex::Table(t, keys) => Ex::Table(self.table_id(*t)?, self.exs(keys)?),
            Ex::Not(a) => Ex::Not(self.boxed(a)?),
            Ex::Neg(a) => Ex::Neg(self.boxed(a)?),
            Ex::And(a, b) => Ex::And(self.boxed(a)?, self.boxed(b)?),
            Ex::Or(a, b) => Ex::Or(self.boxed(a)?, self.boxed(b)?),
            Ex::Cmp(op, a, b) => Ex::Cmp(*op, self.boxed(a)?, self.boxed(b)?),
            Ex::Arith(op, a, b) => Ex::Arith(*op, self.boxed(a)?, self.boxed(b)?),
            Ex::In(a, b) => Ex::In(self.boxed(a)?, self.boxed(b)?),
            Ex::If(c, a, b) => Ex::If(self.boxed(c)?, self.boxed(a)?, self.boxed(b)?),
            Ex::Match(s, arms, otherwise) => Ex::Match(
                self.boxed(s)?,
                arms.iter()
                    .map(|(vs, x)| Some((self.values(vs)?, self.ex(x)?)))
                    .collect::<Option<_>>()?,
                match otherwise {
                    Some(o) => Some(self.boxed(o)?),
                    None => None,
                },
            ),
            Ex::Quant(k, slot, list, body) => {
                Ex::Quant(*k, *slot, self.boxed(list)?, self.boxed(body)?)
            }
            Ex::List(xs) => Ex::List(self.exs(xs)?),
            Ex::Record(xs) => Ex::Record(self.exs(xs)?),
            Ex::Builtin(b, xs) => Ex::Builtin(*b, self.exs(xs)?),
            Ex::Calendar(c) => Ex::Calendar(self.calendar(*c)?),
            Ex::IsPresent(a, present) => Ex::IsPresent(self.boxed(a)?, *present),
            Ex::ToDecimal(a) => Ex::ToDecimal(self.boxed(a)?),
            Ex::Unwrap(a) => Ex::Unwrap(self.boxed(a)?),
        })
    }

    fn value(&self, v: &Value) -> Option<Value> {
        Some(match v {
            Value::Reason(rule, item) => Value::Reason(self.rule(*rule)?, *item),
            Value::Duration(Duration {
                amount,
                unit,
                calendar: Some(c),
            }) => Value::Duration(Duration {
                amount: *amount,
                unit: *unit,
                calendar: Some(self.calendar(*c)?),
            }),
            Value::Record(vs) if vs.iter().any(has_ids) => Value::Record(self.values(vs)?.into()),
            Value::List(vs) if vs.iter().any(has_ids) => Value::List(self.values(vs)?.into()),
            other => other.clone(),
        })
    }
}

/// Whether a value holds an id of the version (a reason, a calendar of working days).
fn has_ids(v: &Value) -> bool {
    match v {
        Value::Reason(..) => true,
        Value::Duration(d) => d.calendar.is_some(),
        Value::Record(vs) | Value::List(vs) => vs.iter().any(has_ids),
        _ => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use crate::source::SourceMap;
    use crate::syntax;

    /// Everything `check` gives, as text.
    fn checked(map: &SourceMap, sharing: bool) -> String {
        let parsed: Vec<syntax::Parsed> = map.ids().map(|id| syntax::parse_file(map, id)).collect();
        let parsed: Vec<&syntax::Parsed> = parsed.iter().collect();
        let c = super::super::check_parsed_sharing(map, &parsed, sharing);
        let mut uses: Vec<String> = c.uses.iter().map(|u| format!("{u:?}")).collect();
        uses.sort();
        let rb = c.rulebook.map(|rb| {
            format!(
                "{:?}\n{:?}\n{:?}\n{:?}",
                rb.schema, rb.versions, rb.tests, rb.examples
            )
        });
        format!("{:?}\n{uses:?}\n{rb:?}", c.diagnostics)
    }

    fn same_with_and_without_sharing(map: &SourceMap) {
        let (with, without) = (checked(map, true), checked(map, false));
        if with != without {
            let at = with
                .bytes()
                .zip(without.bytes())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            let from = at.saturating_sub(300);
            panic!(
                "sharing changed the result at byte {at}:\n  with: {}\n  without: {}",
                &with[from..(at + 300).min(with.len())],
                &without[from..(at + 300).min(without.len())]
            );
        }
    }

    /// Versions that replace what others read, add reasons and exceptions, repeal a table
    /// still read (an error in the versions after), and a duration counted in a calendar.
    const AMENDED: &str = r#"
rulebook r { title "t" jurisdiction "KZ" as of day }
source law { title "law" file "law.txt" }
fact day: date
fact n: integer
calendar work cites law "c" { weekend saturday, sunday }
parameter wait: duration cites law "w" {
  from 2020-01-01: 3 working days in work
  from 2027-01-01: 5 working days in work
}
table rate(k: bool) -> integer cites law "t" { true => 1  false => 2 }
rule base: integer cites law "b" { n + rate(n > 1) }
rule later: date cites law "l" { day + wait }
output rule total: integer cites law "o" {
  when base > 10 then base
  otherwise base + 1
}
output rule due: date cites law "d" { later + 1 days }
output reasons why cites law "r" {
  reason big "big" when base > 100
}
output rule count_why: integer cites law "c" { count(why) }
output rule ends: integer in force until 2027-06-30 cites law "e" { base * 2 }
example e { day: 2026-03-10 n: 3 }
test t checks law "b" { given e expect total = 5 }
amendment a1 cites law "a1" in force 2026-06-01 {
  replace rule base: integer cites law "b2" { n * 2 + rate(n > 2) }
  add exception small to total cites law "x" { when n < 0 then 0 }
}
amendment a2 cites law "a2" in force 2027-03-01 {
  replace reasons why cites law "r2" {
    reason big "big" when base > 50
    reason odd "odd" when n > 7
  }
  add output rule has_odd: bool cites law "h" { odd in why }
  repeal table rate
}
"#;

    #[test]
    fn sharing_gives_what_checking_every_version_gives() {
        let mut map = SourceMap::new();
        map.add("amended.zan", AMENDED);
        same_with_and_without_sharing(&map);
        let fixed = AMENDED.replace("  repeal table rate\n", "");
        let mut map = SourceMap::new();
        map.add("amended.zan", fixed);
        same_with_and_without_sharing(&map);
    }

    #[test]
    fn sharing_gives_what_checking_every_version_gives_on_kz_visa() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rulebooks/kz-visa");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "zan"))
            .collect();
        files.sort();
        let mut map = SourceMap::new();
        for f in &files {
            map.add(f.display().to_string(), std::fs::read_to_string(f).unwrap());
        }
        same_with_and_without_sharing(&map);
    }
}
