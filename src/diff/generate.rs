//! Generated cases for `zan diff --generate N --seed S`: seeded, reproducible cases in the JSON
//! input format, chosen to reach the branches (rule cases and `otherwise`, exceptions and their
//! cases, reason items, table rows) of every given version of a rulebook.
//!
//! The cases come from `testing::gen_case` (the one generator of values), for the schema of the
//! newest rulebook, biased toward the constants of every given version and evaluated on their
//! version boundaries (`Spread::Boundaries`). What is here is the search: candidates are fresh
//! cases or mutations of candidates that reached something new; each is evaluated under every
//! rulebook with a coverage trace, and the cases kept are a greedy cover of the branches
//! reached. A splitmix64 generator and ordered collections only: the same inputs and seed give
//! the same cases on every machine.

use crate::coverage::Trace;
use crate::eval::{case_from_json, eval_rule_traced};
use crate::ir::*;
use crate::source::Span;
use crate::testing::gen_case::{CaseGen, Entropy, GenCase, Seeded, Spread};
use crate::time::date::Day;
use serde_json::{Map, Value as Json};
use std::collections::{BTreeMap, BTreeSet};

#[cfg(test)]
mod tests;

/// One generated case: its facts in the JSON input format of `eval::case_from_json`, and its evaluation date.
#[derive(Clone, Debug)]
pub struct GeneratedCase {
    pub facts: serde_json::Value,
    pub as_of: Day,
}

#[derive(Clone, Debug)]
pub struct Generation {
    pub cases: Vec<GeneratedCase>,
    /// Branches (rule cases and otherwise, exceptions' cases, reason items, table rows) of all the given rulebooks' versions.
    pub branches: usize,
    /// How many of them at least one generated case reaches.
    pub reached: usize,
}

/// Candidates evaluated: this many per case asked for, within the bounds below (at least `n`).
const CANDIDATES_PER_CASE: usize = 15;
const MIN_CANDIDATES: usize = 1_000;
const MAX_CANDIDATES: usize = 6_000;

/// `n` cases for the facts of `rulebooks.last()` (the new version), chosen to reach the branches
/// of every given rulebook (old and new). Same inputs and seed → same cases, on every machine.
///
/// The evaluation date of a case is a version boundary of one of the rulebooks (a version's
/// first day, or the day before), a date the rules compare `as_of` with (±1 day, when the new
/// rulebook is in force then), or 2026-01-01 when there is none; it is also written into the
/// rulebook's `as of` fact. A rulebook given twice counts once; an older rulebook reads the
/// cases without the facts and fields it does not declare (`project`).
pub fn generate(rulebooks: &[&Rulebook], n: usize, seed: u64) -> Generation {
    let targets = targets(rulebooks);
    let branches = targets.iter().map(|t| t.branches.len()).sum();
    let Some((last, others)) = rulebooks.split_last().filter(|_| n > 0) else {
        return Generation {
            cases: Vec::new(),
            branches,
            reached: 0,
        };
    };
    let mut search = Search {
        gen: CaseGen::with_versions(last, others, Spread::Boundaries),
        rng: Seeded::new(seed),
        targets: &targets,
        seen: BTreeSet::new(),
        covered: vec![false; branches],
        novel: Vec::new(),
        rest: Vec::new(),
    };
    let budget = n
        .saturating_mul(CANDIDATES_PER_CASE)
        .clamp(MIN_CANDIDATES, MAX_CANDIDATES)
        .max(n);
    search.run(budget, n);
    search.select(n, branches)
}

/// Every branch of a rulebook, once by span, in the order of its versions' programs: the cases
/// and `otherwise` of rules and exceptions, the exceptions, the reason items, the table rows and
/// tables' `otherwise` (the items that `coverage::report` counts as cases, exceptions, reasons and
/// table rows).
pub fn branch_spans(rb: &Rulebook) -> Vec<Span> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let mut add = |s: Span| {
        if seen.insert(s) {
            out.push(s);
        }
    };
    fn definition(def: &Definition, top: bool, add: &mut impl FnMut(Span)) {
        if !top {
            add(def.span);
        }
        for c in def.cases.iter().chain(&def.otherwise) {
            add(c.span);
        }
        for e in &def.exceptions {
            definition(e, false, add);
        }
    }
    for v in &rb.versions {
        let p = &v.program;
        for r in &p.rules {
            match &r.body {
                RuleBodyIr::Definition(def) => definition(def, true, &mut add),
                RuleBodyIr::Reasons(items) => items.iter().for_each(|i| add(i.span)),
            }
        }
        for t in &p.tables {
            for part in t.rows.iter().chain(&t.otherwise_part) {
                add(part.span);
            }
        }
    }
    out
}

/// Keeps the keys of `facts` that the rulebook declares (at every level of records and lists),
/// so that a case written for a newer schema can be read by an older one when it only adds facts
/// or fields.
pub fn project(rb: &Rulebook, facts: &Json) -> Json {
    fn object(schema: &Schema, json: &Json, fields: &[FieldInfo]) -> Json {
        let Some(obj) = json.as_object() else {
            return json.clone();
        };
        let mut out = Map::new();
        for (k, v) in obj {
            if let Some(f) = fields.iter().find(|f| f.name == *k) {
                out.insert(k.clone(), value(schema, v, &f.ty));
            }
        }
        Json::Object(out)
    }
    fn value(schema: &Schema, json: &Json, ty: &Type) -> Json {
        match ty {
            Type::Optional(t) => value(schema, json, t),
            Type::Record(r) => match schema.records.get(*r as usize) {
                Some(rec) => object(schema, json, &rec.fields),
                None => json.clone(),
            },
            Type::List(t) => match json.as_array() {
                Some(items) => Json::Array(items.iter().map(|i| value(schema, i, t)).collect()),
                None => json.clone(),
            },
            _ => json.clone(),
        }
    }
    object(&rb.schema, facts, &rb.schema.facts)
}

// ---------------------------------------------------------------------------------------------
// Search

/// A distinct rulebook and its branches, numbered from `offset` in the whole generation.
struct Target<'a> {
    rb: &'a Rulebook,
    branches: BTreeMap<Span, usize>,
    offset: usize,
    /// Per version: its outputs, those that depend on the most rules first.
    orders: Vec<Vec<RuleId>>,
}

/// The outputs of a program, those with the most rules below them first: evaluating them
/// evaluates (and traces) many of the others on the way.
fn output_order(p: &Program) -> Vec<RuleId> {
    fn refs(e: &Ex, p: &Program, out: &mut BTreeSet<RuleId>) {
        match e {
            Ex::Rule(r) => {
                out.insert(*r);
            }
            // A table's values may name rules too.
            Ex::Table(t, _) => {
                if let Some(t) = p.tables.get(*t as usize) {
                    t.values
                        .iter()
                        .chain(&t.otherwise)
                        .for_each(|v| refs(v, p, out));
                }
            }
            _ => {}
        }
        e.for_each_child(|x| refs(x, p, out));
    }
    fn definition(d: &Definition, p: &Program, out: &mut BTreeSet<RuleId>) {
        d.for_each_expr(&mut |e| refs(e, p, out));
    }
    let direct: Vec<BTreeSet<RuleId>> = p
        .rules
        .iter()
        .map(|r| {
            let mut out = BTreeSet::new();
            match &r.body {
                RuleBodyIr::Definition(d) => definition(d, p, &mut out),
                RuleBodyIr::Reasons(items) => {
                    items.iter().for_each(|i| refs(&i.condition, p, &mut out));
                }
            }
            out
        })
        .collect();
    // Rules are acyclic (checked), but the walk is bounded by the visited set anyway.
    let below = |r: RuleId| -> usize {
        let mut seen = BTreeSet::new();
        let mut stack = vec![r];
        while let Some(x) = stack.pop() {
            for &d in direct.get(x as usize).into_iter().flatten() {
                if seen.insert(d) {
                    stack.push(d);
                }
            }
        }
        seen.len()
    };
    let mut outputs: Vec<(usize, usize, RuleId)> = p
        .outputs
        .iter()
        .enumerate()
        .map(|(i, &r)| (usize::MAX - below(r), i, r))
        .collect();
    outputs.sort_unstable();
    outputs.into_iter().map(|(_, _, r)| r).collect()
}

fn targets<'a>(rulebooks: &[&'a Rulebook]) -> Vec<Target<'a>> {
    let mut out: Vec<Target<'a>> = Vec::new();
    let mut offset = 0;
    for &rb in rulebooks {
        if out.iter().any(|t| std::ptr::eq(t.rb, rb)) {
            continue;
        }
        let branches: BTreeMap<Span, usize> = branch_spans(rb)
            .into_iter()
            .enumerate()
            .map(|(i, s)| (s, i))
            .collect();
        let len = branches.len();
        out.push(Target {
            rb,
            branches,
            offset,
            orders: rb
                .versions
                .iter()
                .map(|v| output_order(&v.program))
                .collect(),
        });
        offset += len;
    }
    out
}

/// The branches (numbered across all targets) that a case reaches, sorted.
fn reach(targets: &[Target<'_>], case: &GeneratedCase) -> Vec<usize> {
    let mut hits = Vec::new();
    for t in targets {
        let parsed = case_from_json(t.rb, &case.facts)
            .or_else(|_| case_from_json(t.rb, &project(t.rb, &case.facts)));
        let (Ok(c), Some(v)) = (parsed, t.rb.version_on(case.as_of)) else {
            continue;
        };
        let mut trace = Trace::default();
        let order =
            t.rb.versions
                .iter()
                .position(|x| std::ptr::eq(x, v))
                .and_then(|i| t.orders.get(i));
        let outputs = order.unwrap_or(&v.program.outputs);
        for &rule in outputs {
            // An output that an earlier one already evaluated left the same trace behind.
            let done = v
                .program
                .rules
                .get(rule as usize)
                .is_some_and(|r| trace.covers(r.span));
            if !done {
                let _ = eval_rule_traced(&v.program, &c, case.as_of, rule, &mut trace);
            }
        }
        hits.extend(
            trace
                .hit_spans()
                .filter_map(|s| t.branches.get(s))
                .map(|i| i + t.offset),
        );
    }
    hits.sort_unstable();
    hits.dedup();
    hits
}

struct Candidate {
    /// The case as drawn, to mutate.
    drawn: GenCase,
    case: GeneratedCase,
    hits: Vec<usize>,
    /// Position in the order of generation.
    index: usize,
}

struct Search<'a> {
    gen: CaseGen<'a>,
    rng: Seeded,
    targets: &'a [Target<'a>],
    covered: Vec<bool>,
    /// Candidates that reached a branch no earlier candidate reached.
    novel: Vec<Candidate>,
    /// The first others, to fill up with.
    rest: Vec<Candidate>,
    /// Every candidate so far (date and facts), so that no case is tried or kept twice.
    seen: BTreeSet<String>,
}

impl Search<'_> {
    fn run(&mut self, budget: usize, n: usize) {
        for index in 0..budget {
            // Mostly a mutation of a candidate that reached something new, sometimes a fresh one.
            let parent = if self.rng.chance(3, 10) {
                None
            } else {
                let i = self.rng.below(self.novel.len() as u64) as usize;
                self.novel.get(i)
            };
            let drawn = match parent {
                Some(p) => self.gen.mutate(&mut self.rng, &p.drawn),
                None => self.gen.case(&mut self.rng),
            };
            let case = GeneratedCase {
                facts: self.gen.case_json(&drawn.case),
                as_of: drawn.as_of,
            };
            if !self.seen.insert(format!("{} {}", case.as_of, case.facts)) {
                continue;
            }
            let hits = reach(self.targets, &case);
            let mut new = false;
            for &h in &hits {
                if let Some(c) = self.covered.get_mut(h) {
                    new |= !*c;
                    *c = true;
                }
            }
            let cand = Candidate {
                drawn,
                case,
                hits,
                index,
            };
            if new {
                self.novel.push(cand);
            } else if self.rest.len() < n {
                self.rest.push(cand);
            }
            let all = self.covered.iter().all(|c| *c);
            if all && self.novel.len() + self.rest.len() >= n {
                break;
            }
        }
    }

    /// A greedy cover of the branches reached, then the other candidates in generation order.
    fn select(self, n: usize, branches: usize) -> Generation {
        let mut covered = vec![false; branches];
        let mut chosen = vec![false; self.novel.len()];
        let mut order: Vec<usize> = Vec::new();
        while order.len() < n {
            let mut best: Option<(usize, usize)> = None;
            for (i, c) in self.novel.iter().enumerate() {
                if chosen.get(i).copied().unwrap_or(true) {
                    continue;
                }
                let gain = c
                    .hits
                    .iter()
                    .filter(|&&h| !covered.get(h).copied().unwrap_or(true))
                    .count();
                if gain > 0 && best.is_none_or(|(_, g)| gain > g) {
                    best = Some((i, gain));
                }
            }
            let Some((i, _)) = best else { break };
            if let Some(slot) = chosen.get_mut(i) {
                *slot = true;
            }
            if let Some(c) = self.novel.get(i) {
                for &h in &c.hits {
                    if let Some(x) = covered.get_mut(h) {
                        *x = true;
                    }
                }
            }
            order.push(i);
        }
        let mut cases: Vec<(usize, Candidate)> = Vec::new();
        let mut others: Vec<Candidate> = Vec::new();
        for (i, c) in self.novel.into_iter().enumerate() {
            match order.iter().position(|&o| o == i) {
                Some(rank) => cases.push((rank, c)),
                None => others.push(c),
            }
        }
        cases.sort_by_key(|(rank, _)| *rank);
        others.extend(self.rest);
        others.sort_by_key(|c| c.index);
        let mut out: Vec<Candidate> = cases.into_iter().map(|(_, c)| c).collect();
        out.extend(others.into_iter().take(n.saturating_sub(out.len())));
        for c in &out {
            for &h in &c.hits {
                if let Some(x) = covered.get_mut(h) {
                    *x = true;
                }
            }
        }
        Generation {
            reached: covered.iter().filter(|c| **c).count(),
            branches,
            cases: out.into_iter().map(|c| c.case).collect(),
        }
    }
}
