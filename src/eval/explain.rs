//! Explanations: for each rule evaluated, which definition gave its value, the citation it
//! rests on, the amendment it came from, the conditions that held, and the exceptions that
//! were considered but not taken, with the conditions that failed.

use super::derivation::{Depth, Node};
use super::{EvalError, Machine};
use crate::ir::*;
use crate::source::Span;
use crate::time::date::Day;
use crate::value::Value;

#[derive(Clone, Debug)]
pub struct Explanation {
    pub rulebook: String,
    pub as_of: Day,
    pub version_from: Option<Day>,
    pub version_until: Option<Day>,
    pub applied: Vec<AppliedProvision>,
    /// Which definition gave each rule evaluated (outputs first), flat: what `zan diff`
    /// compares between two dates.
    pub rules: Vec<RuleTrace>,
    pub depth: Depth,
    /// The derivation of each output decided, in the order of the decision's outputs.
    pub outputs: Vec<Node>,
}

/// A condition, with its source text.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct NotTaken {
    pub exception: String,
    pub citations: Vec<Citation>,
    pub origin: Origin,
    pub failed: Vec<Step>,
}

#[derive(Clone, Debug)]
pub struct RuleTrace {
    pub rule: RuleId,
    pub name: String,
    pub output: bool,
    pub value: Result<Value, EvalError>,
    /// The rule or exception whose case gave the value.
    pub definition: String,
    /// "case", "otherwise", "expression", "exception" or "reasons".
    pub kind: &'static str,
    pub case: Option<usize>,
    pub citations: Vec<Citation>,
    pub origin: Origin,
    pub held: Vec<Step>,
    pub not_taken: Vec<NotTaken>,
    /// For reasons: the reasons given (item index) with their citations.
    pub reasons: Vec<usize>,
}

pub(crate) fn explain(
    m: &mut Machine,
    rb: &Rulebook,
    version: usize,
    depth: Depth,
    outputs: &[RuleId],
) -> Explanation {
    let v = &rb.versions[version];
    let mut rules = Vec::new();
    let p = m.p;
    let evaluated: Vec<RuleId> = m
        .cache
        .iter()
        .enumerate()
        .filter(|(_, c)| c.is_some())
        .map(|(i, _)| i as RuleId)
        .collect();
    for id in evaluated {
        let Some(rule) = p.rules.get(id as usize) else {
            continue;
        };
        let value = m.rule(id);
        rules.push(match &rule.body {
            RuleBodyIr::Definition(def) => trace_definition(m, rb, id, rule, def, value),
            RuleBodyIr::Reasons(items) => trace_reasons(m, rb, id, rule, items, value),
        });
    }
    rules.sort_by_key(|r| (!r.output, r.rule));
    Explanation {
        rulebook: rb.name.clone(),
        as_of: m.as_of,
        version_from: v.from,
        version_until: v.until,
        applied: v.applied.clone(),
        rules,
        depth,
        outputs: super::derive::derive(m, rb, depth, outputs),
    }
}

fn step(rb: &Rulebook, span: Span) -> Step {
    let text = rb
        .source_map
        .snippet(span)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    Step { text, span }
}

fn trace_definition(
    m: &mut Machine,
    rb: &Rulebook,
    id: RuleId,
    rule: &RuleIr,
    def: &Definition,
    value: Result<Value, EvalError>,
) -> RuleTrace {
    let mut t = RuleTrace {
        rule: id,
        name: rule.name.clone(),
        output: rule.output,
        value,
        definition: def.name.clone(),
        kind: "case",
        case: None,
        citations: def.citations.clone(),
        origin: def.origin.clone(),
        held: Vec::new(),
        not_taken: Vec::new(),
        reasons: Vec::new(),
    };
    let Ok(Some((_, taken))) = m.definition(def) else {
        return t;
    };
    let mut current = def;
    for &i in &taken.definition {
        not_taken(m, rb, current, Some(i), &mut t.not_taken);
        let Some(next) = current.exceptions.get(i) else {
            break;
        };
        current = next;
        t.kind = "exception";
    }
    not_taken(m, rb, current, None, &mut t.not_taken);
    t.definition = current.name.clone();
    t.origin = current.origin.clone();
    t.citations = current.citations.clone();
    match taken.case {
        Some(c) => {
            if let Some(case) = current.cases.get(c) {
                t.held.extend(case.condition_span.map(|s| step(rb, s)));
                if let Some(cit) = &case.citation {
                    t.citations.insert(0, cit.clone());
                }
            }
            t.case = Some(c + 1);
        }
        None => {
            if t.kind != "exception" {
                t.kind = if current.cases.is_empty() {
                    "expression"
                } else {
                    "otherwise"
                };
            }
            if let Some(cit) = current.otherwise.as_ref().and_then(|o| o.citation.clone()) {
                t.citations.insert(0, cit);
            }
        }
    }
    t
}

/// The exceptions of `def` other than `taken`: all their conditions failed.
fn not_taken(
    m: &mut Machine,
    rb: &Rulebook,
    def: &Definition,
    taken: Option<usize>,
    out: &mut Vec<NotTaken>,
) {
    for (i, exc) in def.exceptions.iter().enumerate() {
        if Some(i) == taken {
            continue;
        }
        let failed = exc
            .cases
            .iter()
            .filter(|c| {
                c.condition
                    .as_ref()
                    .is_some_and(|e| m.truth(e).ok() == Some(false))
            })
            .filter_map(|c| c.condition_span.map(|s| step(rb, s)))
            .collect();
        out.push(NotTaken {
            exception: exc.name.clone(),
            citations: exc.citations.clone(),
            origin: exc.origin.clone(),
            failed,
        });
    }
}

fn trace_reasons(
    m: &mut Machine,
    rb: &Rulebook,
    id: RuleId,
    rule: &RuleIr,
    items: &[ReasonIr],
    value: Result<Value, EvalError>,
) -> RuleTrace {
    let mut held = Vec::new();
    let mut reasons = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if m.truth(&item.condition).ok() == Some(true) {
            held.push(step(rb, item.condition_span));
            reasons.push(i);
        }
    }
    RuleTrace {
        rule: id,
        name: rule.name.clone(),
        output: rule.output,
        value,
        definition: rule.name.clone(),
        kind: "reasons",
        case: None,
        citations: rule.citations.clone(),
        origin: rule.origin.clone(),
        held,
        not_taken: Vec::new(),
        reasons,
    }
}
