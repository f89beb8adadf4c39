//! Explanations: the consolidated version a decision used and the derivation of each output
//! (`derive`), for `zan eval --explain`; and, apart, the flat trace of which definition gave
//! each rule evaluated, which `zan diff` compares between two dates.

use super::derivation::{Depth, Node};
use super::{EvalError, Machine};
use crate::ir::*;
use crate::time::date::Day;
use crate::value::Value;

#[derive(Clone, Debug)]
pub struct Explanation {
    pub rulebook: String,
    pub as_of: Day,
    pub version_from: Option<Day>,
    pub version_until: Option<Day>,
    pub applied: Vec<AppliedProvision>,
    pub depth: Depth,
    /// The derivation of each output decided, in the order of the decision's outputs.
    pub outputs: Vec<Node>,
}

/// Which definition gave a rule's value, and the citations it rests on.
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
    /// For reasons: the reasons given (item index).
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
    Explanation {
        rulebook: rb.name.clone(),
        as_of: m.as_of,
        version_from: v.from,
        version_until: v.until,
        applied: v.applied.clone(),
        depth,
        outputs: super::derive::derive(m, rb, depth, outputs),
    }
}

/// The trace of every rule `m` evaluated, outputs first.
pub(crate) fn rule_traces(m: &mut Machine) -> Vec<RuleTrace> {
    let p = m.p;
    let evaluated: Vec<RuleId> = m
        .cache
        .iter()
        .enumerate()
        .filter(|(_, c)| c.is_some())
        .map(|(i, _)| i as RuleId)
        .collect();
    let mut rules = Vec::new();
    for id in evaluated {
        let Some(rule) = p.rules.get(id as usize) else {
            continue;
        };
        let value = m.rule(id);
        rules.push(match &rule.body {
            RuleBodyIr::Definition(def) => trace_definition(m, id, rule, def, value),
            RuleBodyIr::Reasons(items) => trace_reasons(m, id, rule, items, value),
        });
    }
    rules.sort_by_key(|r| (!r.output, r.rule));
    rules
}

fn trace_definition(
    m: &mut Machine,
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
        reasons: Vec::new(),
    };
    let Ok(Some((_, taken))) = m.definition(def) else {
        return t;
    };
    let mut current = def;
    for &i in &taken.definition {
        let Some(next) = current.exceptions.get(i) else {
            break;
        };
        current = next;
        t.kind = "exception";
    }
    t.definition = current.name.clone();
    t.origin = current.origin.clone();
    t.citations = current.citations.clone();
    match taken.case {
        Some(c) => {
            if let Some(cit) = current.cases.get(c).and_then(|case| case.citation.as_ref()) {
                t.citations.insert(0, cit.clone());
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

fn trace_reasons(
    m: &mut Machine,
    id: RuleId,
    rule: &RuleIr,
    items: &[ReasonIr],
    value: Result<Value, EvalError>,
) -> RuleTrace {
    let reasons = items
        .iter()
        .enumerate()
        .filter(|(_, item)| m.truth(&item.condition).ok() == Some(true))
        .map(|(i, _)| i)
        .collect();
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
        reasons,
    }
}
