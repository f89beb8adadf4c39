//! `zan test --explain`: the derivation of the actual value of each failing expectation, so
//! an analyst sees why the rulebook gave that value without running `zan eval` by hand. The
//! test's case is decided again, on its own date, for the failing rules only, with
//! `Depth::Path`; each derivation is written by the one renderer of derivations for people.

use super::{Case, TestCase, TestResult};
use crate::eval::derivation::{Cited, GivenBy, Node, NodeKind, NotApplied, RuleStep};
use crate::eval::derivation_text::derivation_text;
use crate::eval::{eval_outputs, version_index, Depth, RuleTrace};
use crate::ir::{Program, RuleId, Rulebook, Type};
use crate::value::Value;

/// The derivation of one failing expectation's actual value, written for people.
#[derive(Clone, Debug)]
pub struct Explained {
    pub rule: String,
    pub text: String,
}

/// The derivations of the actual values of `result`'s failing expectations (each rule once,
/// in the order of the failures); empty when the test passed or its case cannot be decided
/// (no date, no version in force: the failure already says so).
pub fn explain(rb: &Rulebook, t: &TestCase, result: &TestResult) -> Vec<Explained> {
    let Some(day) = t.as_of else {
        return Vec::new();
    };
    let Ok(version) = version_index(rb, day) else {
        return Vec::new();
    };
    let Some(program) = rb.versions.get(version).map(|v| &v.program) else {
        return Vec::new();
    };
    let mut rules: Vec<RuleId> = Vec::new();
    for f in &result.failures {
        if let Some(id) = program.rule_named(&f.rule) {
            if !rules.contains(&id) {
                rules.push(id);
            }
        }
    }
    if rules.is_empty() {
        return Vec::new();
    }
    let case = Case {
        facts: t.facts.clone(),
    };
    let Ok(decision) = eval_outputs(rb, version, &rules, &case, day, Some(Depth::Path)) else {
        return Vec::new();
    };
    let Some(explanation) = decision.explanation else {
        return Vec::new();
    };
    rules
        .iter()
        .filter_map(|&id| {
            let derived = explanation.outputs.iter().find(|n| rule_of(n) == Some(id));
            let node = match derived {
                Some(n) => n.clone(),
                None => from_trace(program, explanation.rules.iter().find(|r| r.rule == id)?),
            };
            Some(Explained {
                rule: program.rules.get(id as usize)?.name.clone(),
                text: derivation_text(rb, program, &node),
            })
        })
        .collect()
}

fn rule_of(node: &Node) -> Option<RuleId> {
    match &node.kind {
        NodeKind::Rule(step) => Some(step.rule),
        _ => None,
    }
}

/// The root of a derivation built from the explanation's flat trace of the rule, for a
/// decision whose explanation holds no derivation of it: the value, the case that gave it
/// and the exceptions not taken, without the values beneath.
fn from_trace(p: &Program, r: &RuleTrace) -> Node {
    let given_by = match (r.kind, r.case, &r.value) {
        (_, _, Err(_)) => GivenBy::Failed,
        ("otherwise", _, _) => GivenBy::Otherwise,
        ("expression", _, _) => GivenBy::Expression,
        ("reasons", _, _) => GivenBy::Reasons,
        (_, n, _) => GivenBy::Case(n.unwrap_or(1)),
    };
    let condition = (!r.held.is_empty()).then(|| {
        let held: Vec<&str> = r.held.iter().map(|s| s.text.as_str()).collect();
        Box::new(condition_node(held.join(" and "), true))
    });
    let why_not = r
        .not_taken
        .iter()
        .map(|n| NotApplied {
            definition: n.exception.clone(),
            exception: true,
            case: None,
            failed: n
                .failed
                .first()
                .map(|s| Box::new(condition_node(s.text.clone(), false))),
            origin: n.origin.clone(),
            citations: n.citations.clone(),
        })
        .collect();
    let step = RuleStep {
        rule: r.rule,
        output: r.output,
        definition: r.definition.clone(),
        exception: r.kind == "exception",
        given_by,
        origin: r.origin.clone(),
        condition,
        why_not,
        reasons: r.reasons.clone(),
        sources: r.citations.clone(),
    };
    Node {
        kind: NodeKind::Rule(Box::new(step)),
        text: r.name.clone(),
        label: None,
        value: r.value.clone(),
        ty: p
            .rules
            .get(r.rule as usize)
            .map_or(Type::Error, |rule| rule.ty.clone()),
        citations: r
            .citations
            .iter()
            .map(|c| Cited {
                citation: c.clone(),
                specific: true,
            })
            .collect(),
        children: Vec::new(),
    }
}

fn condition_node(text: String, held: bool) -> Node {
    Node {
        kind: NodeKind::Condition,
        text,
        label: None,
        value: Ok(Value::Bool(held)),
        ty: Type::Bool,
        citations: Vec::new(),
        children: Vec::new(),
    }
}
