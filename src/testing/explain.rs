//! `zan test --explain`: the derivation of the actual value of each failing expectation, so
//! an analyst sees why the rulebook gave that value without running `zan eval` by hand. The
//! test's case is decided again, on its own date, for the failing rules only, with
//! `Depth::Path`; each derivation is written by the one renderer of derivations for people.

use super::{Case, TestCase, TestResult};
use crate::eval::derivation::{Node, NodeKind};
use crate::eval::derivation_text::derivation_text;
use crate::eval::{eval_outputs, version_index, Depth};
use crate::ir::{RuleId, Rulebook};

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
            // `derive` gives one derivation per rule decided.
            let node = explanation
                .outputs
                .iter()
                .find(|n| rule_of(n) == Some(id))?;
            Some(Explained {
                rule: program.rules.get(id as usize)?.name.clone(),
                text: derivation_text(rb, program, node),
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
