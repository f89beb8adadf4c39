//! Builds the derivation of each output (see `derivation`) after evaluation, from the rule
//! values the evaluator kept: the definition that gave each rule's value is walked again and
//! the machine asked for the value of each sub-expression (rules come from its cache, so the
//! walk costs what the tree shows). Nothing here runs unless an explanation is asked for.

mod expr;
mod lang;
mod sources;
mod unparse;

use super::derivation::*;
use super::{EvalError, Machine};
use crate::ir::*;
use lang::{Lang, Scope};
use rustc_hash::FxHashSet;

/// The derivation of each of `outputs`, already evaluated by `m`.
pub(crate) fn derive(
    m: &mut Machine,
    rb: &Rulebook,
    depth: Depth,
    outputs: &[RuleId],
) -> Vec<Node> {
    let lang = Lang::new(m.p, &rb.schema, &rb.source_map);
    outputs
        .iter()
        .map(|&id| {
            let mut d = Deriver {
                m: &mut *m,
                rb,
                lang: &lang,
                depth,
                seen: FxHashSet::default(),
                scope: Scope::default(),
            };
            let mut node = d.rule(id, Role::Output);
            sources::fill(&mut node);
            node
        })
        .collect()
}

/// Expressions of one version's program written as the rulebook writes them, as in the text
/// of a derivation's nodes (for tests and tools).
pub struct ExpressionText<'a>(Lang<'a>);

impl<'a> ExpressionText<'a> {
    pub fn new(rb: &'a Rulebook, p: &'a Program) -> ExpressionText<'a> {
        ExpressionText(Lang::new(p, &rb.schema, &rb.source_map))
    }

    /// `e`, an expression of the program, where the context expects `ty` (if known).
    pub fn text(&self, e: &Ex, ty: Option<&Type>) -> String {
        self.0.unparse(e, ty, &mut Scope::default())
    }
}

/// Where a value is met, which decides how far it is expanded at `Depth::Path`: the value
/// path is expanded, a condition's rules are shown with their value only.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Output,
    Value,
    Condition,
    /// An operand of a condition that failed: its value only, at any depth, so that a rule
    /// is derived where it gave a value, not inside a why-not.
    WhyNot,
}

struct Deriver<'m, 'p, 'a> {
    m: &'m mut Machine<'p>,
    rb: &'a Rulebook,
    lang: &'a Lang<'a>,
    depth: Depth,
    /// The rules derived in this output's tree: a later reference is `SeeAbove`.
    seen: FxHashSet<RuleId>,
    /// Quantified variables in scope (always empty: bodies are not walked; kept for the
    /// text of expressions).
    scope: Scope,
}

/// What a definition's walk gives a rule node.
struct Walked {
    step: RuleStep,
    citations: Vec<Cited>,
    children: Vec<Node>,
}

impl Deriver<'_, '_, '_> {
    fn full(&self) -> bool {
        self.depth == Depth::Full
    }

    /// A rule's node: its value, the step that gave it, and (when expanded) the derivation of
    /// the value beneath it.
    fn rule(&mut self, id: RuleId, role: Role) -> Node {
        let p = self.m.p;
        let value = self.m.rule(id);
        let Some(rule) = p.rules.get(id as usize) else {
            return error_node("rule", EvalError::new("unknown rule"));
        };
        let mut node = Node {
            kind: NodeKind::SeeAbove { rule: id },
            text: rule.name.clone(),
            label: None,
            value,
            ty: rule.ty.clone(),
            citations: Vec::new(),
            children: Vec::new(),
        };
        if self.seen.contains(&id) {
            return node;
        }
        let expand = match role {
            Role::Output | Role::Value => true,
            Role::Condition => self.full(),
            Role::WhyNot => false,
        };
        if expand {
            self.seen.insert(id);
        }
        let why = role == Role::Output || (self.full() && role != Role::WhyNot);
        // The rule's own frame for its quantified variables, above the caller's, as
        // `Machine::rule` gives it.
        let caller_frame = self.m.frame;
        let slots = p.locals as usize;
        if slots > 0 {
            self.m.frame += slots;
            let needed = self.m.frame + slots;
            if self.m.locals.len() < needed {
                self.m.locals.resize(needed, crate::value::Value::Absent);
            }
        }
        let walked = match &rule.body {
            RuleBodyIr::Definition(def) => self.definition(rule, def, expand, why),
            RuleBodyIr::Reasons(items) => self.reasons(id, rule, items, expand, why),
        };
        self.m.frame = caller_frame;
        let mut step = walked.step;
        step.rule = id;
        step.output = rule.output;
        node.kind = NodeKind::Rule(Box::new(step));
        node.citations = walked.citations;
        node.children = walked.children;
        node
    }

    fn definition(&mut self, rule: &RuleIr, def: &Definition, expand: bool, why: bool) -> Walked {
        let mut why_not = Vec::new();
        let taken = self.m.definition(def);
        let (current, taken_case) = match &taken {
            Ok(Some((_, taken))) => {
                let mut current = def;
                for &i in &taken.definition {
                    if why {
                        self.exceptions_not_taken(current, Some(i), &mut why_not);
                    }
                    match current.exceptions.get(i) {
                        Some(next) => current = next,
                        None => break,
                    }
                }
                (current, Some(taken.case))
            }
            _ => (def, None),
        };
        if why {
            self.exceptions_not_taken(current, None, &mut why_not);
            let case = taken_case.flatten();
            self.cases_not_applied(current, case, &mut why_not);
        }
        let exception = !std::ptr::eq(current, def);
        let case = match taken_case {
            Some(Some(c)) => current.cases.get(c),
            Some(None) => current.otherwise.as_ref(),
            None => None,
        };
        let given_by = match taken_case {
            None => GivenBy::Failed,
            Some(Some(c)) => GivenBy::Case(c + 1),
            Some(None) if current.cases.is_empty() => GivenBy::Expression,
            Some(None) => GivenBy::Otherwise,
        };
        let condition = case
            .and_then(|c| c.condition.as_ref())
            .map(|cond| Box::new(self.condition(cond, expand)));
        let mut citations: Vec<Cited> = case
            .and_then(|c| c.citation.clone())
            .map(specific)
            .into_iter()
            .collect();
        citations.extend(current.citations.iter().cloned().map(heading));
        if exception {
            citations.extend(def.citations.iter().cloned().map(heading));
        }
        let children = match case {
            Some(c) if expand => vec![self.expr(&c.value, Role::Value, Some(&rule.ty))],
            _ => Vec::new(),
        };
        Walked {
            step: RuleStep {
                rule: 0,
                output: false,
                definition: current.name.clone(),
                exception,
                given_by,
                origin: current.origin.clone(),
                condition,
                why_not,
                reasons: Vec::new(),
                sources: Vec::new(),
            },
            citations,
            children,
        }
    }

    /// The condition of the case that gave a value, in a rule that is expanded: with the
    /// values it read (at `Depth::Path` the rules among them are not expanded, at
    /// `Depth::Full` they are); its text and value alone in a rule that is not.
    fn condition(&mut self, cond: &Ex, expand: bool) -> Node {
        if expand {
            return self.expr(cond, Role::Condition, Some(&Type::Bool));
        }
        let value = self.m.truth(cond).map(crate::value::Value::Bool);
        Node {
            kind: NodeKind::Condition,
            text: self.text(cond, Some(&Type::Bool)),
            label: None,
            value,
            ty: Type::Bool,
            citations: Vec::new(),
            children: Vec::new(),
        }
    }

    fn reasons(
        &mut self,
        id: RuleId,
        rule: &RuleIr,
        items: &[ReasonIr],
        expand: bool,
        why: bool,
    ) -> Walked {
        let mut reasons = Vec::new();
        let mut citations = Vec::new();
        let mut children = Vec::new();
        let mut why_not = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match self.m.truth(&item.condition) {
                Ok(true) => {
                    reasons.push(i);
                    citations.extend(item.citation.clone().map(specific));
                    if expand {
                        let mut n = self.expr(&item.condition, Role::Value, Some(&Type::Bool));
                        n.label = Some(item.code.clone());
                        children.push(n);
                    }
                }
                held => {
                    if why {
                        let failed = match held {
                            Ok(_) => self.first_failed(&item.condition).map(Box::new),
                            Err(_) => None,
                        };
                        why_not.push(NotApplied {
                            definition: item.code.clone(),
                            exception: false,
                            case: Some(i + 1),
                            failed,
                            origin: rule.origin.clone(),
                            citations: item.citation.iter().cloned().collect(),
                        });
                    }
                }
            }
        }
        citations.extend(rule.citations.iter().cloned().map(heading));
        let failed = self.m.rule(id).is_err();
        Walked {
            step: RuleStep {
                rule: id,
                output: rule.output,
                definition: rule.name.clone(),
                exception: false,
                given_by: if failed {
                    GivenBy::Failed
                } else {
                    GivenBy::Reasons
                },
                origin: rule.origin.clone(),
                condition: None,
                why_not,
                reasons,
                sources: Vec::new(),
            },
            citations,
            children,
        }
    }

    /// The exceptions of `def` other than `taken`: none of their cases applied.
    fn exceptions_not_taken(
        &mut self,
        def: &Definition,
        taken: Option<usize>,
        out: &mut Vec<NotApplied>,
    ) {
        for (i, exc) in def.exceptions.iter().enumerate() {
            if Some(i) == taken {
                continue;
            }
            let failed = exc
                .cases
                .iter()
                .filter_map(|c| c.condition.as_ref())
                .find(|cond| self.m.truth(cond).ok() == Some(false))
                .and_then(|cond| self.first_failed(cond))
                .map(Box::new);
            out.push(NotApplied {
                definition: exc.name.clone(),
                exception: true,
                case: None,
                failed,
                origin: exc.origin.clone(),
                citations: exc.citations.clone(),
            });
        }
    }

    /// The cases of `def` that did not apply (all but `taken`, whose conditions failed).
    fn cases_not_applied(
        &mut self,
        def: &Definition,
        taken: Option<usize>,
        out: &mut Vec<NotApplied>,
    ) {
        for (i, case) in def.cases.iter().enumerate() {
            let Some(cond) = &case.condition else {
                continue;
            };
            if Some(i) == taken {
                continue;
            }
            let failed = match self.m.truth(cond) {
                Ok(true) => continue,
                Ok(false) => self.first_failed(cond).map(Box::new),
                Err(_) => None,
            };
            out.push(NotApplied {
                definition: def.name.clone(),
                exception: false,
                case: Some(i + 1),
                failed,
                origin: def.origin.clone(),
                citations: case.citation.iter().cloned().collect(),
            });
        }
    }

    /// The first condition that failed in a false condition: down `and` chains to the first
    /// false conjunct; a false `or` or `not` is shown whole.
    fn first_failed(&mut self, cond: &Ex) -> Option<Node> {
        match cond {
            Ex::And(a, b) => match self.m.truth(a) {
                Ok(false) => self.first_failed(a),
                Ok(true) => self.first_failed(b),
                Err(_) => None,
            },
            _ => match self.m.truth(cond) {
                Ok(false) => Some(self.expr(cond, Role::WhyNot, Some(&Type::Bool))),
                _ => None,
            },
        }
    }

    fn text(&mut self, e: &Ex, expected: Option<&Type>) -> String {
        self.lang.unparse(e, expected, &mut self.scope)
    }
}

fn specific(citation: Citation) -> Cited {
    Cited {
        citation,
        specific: true,
    }
}

fn heading(citation: Citation) -> Cited {
    Cited {
        citation,
        specific: false,
    }
}

fn error_node(text: &str, e: EvalError) -> Node {
    Node {
        kind: NodeKind::Expression,
        text: text.into(),
        label: None,
        value: Err(e),
        ty: Type::Error,
        citations: Vec::new(),
        children: Vec::new(),
    }
}
