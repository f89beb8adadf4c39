//! Rules, exceptions and reasons: checking their cases, attaching exceptions to the rules
//! they name, and the whole-program checks (cycles, conflicts, cases that may not apply).

use super::expr::ExprCx;
use super::names::{Globals, VersionNames};
use super::share::{RuleExtra, Sharing};
use super::versions::Entry;
use crate::diagnostics::{suggest, Code, Diagnostic};
use crate::ir::*;
use crate::source::Span;
use crate::syntax::ast::{self, DeclKind};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

struct Compiler<'g, 'a, 'v> {
    g: &'g mut Globals<'a>,
    names: &'v VersionNames,
    /// Exceptions by the name of what they except.
    exceptions: HashMap<String, Vec<&'v Entry<'v>>>,
    deps: Vec<Vec<(RuleId, Span)>>,
    locals: u32,
    /// The exceptions compiled into the rule being compiled.
    compiled_exceptions: Vec<Span>,
    /// The rules compiled so far, by id: the overlap check reads a condition through those
    /// that are one expression.
    done: Vec<RuleIr>,
}

/// The rules of a version (rules and reasons, in id order) with the exceptions in force. A
/// rule the previous version checked without a diagnostic, and that nothing it reads changed
/// since, is copied from it (`share`).
pub fn compile(
    g: &mut Globals,
    names: &VersionNames,
    rules: &[&Entry],
    exceptions: &[&Entry],
    share: &mut Sharing,
) -> (Vec<RuleIr>, u32) {
    let mut by_target: HashMap<String, Vec<&Entry>> = HashMap::default();
    for e in exceptions {
        if let DeclKind::Exception(x) = &e.decl.kind {
            if names.rules.contains_key(&x.target.name) || names.exceptions.contains(&x.target.name)
            {
                g.use_decl(&x.target);
                by_target.entry(x.target.name.clone()).or_default().push(*e);
            } else {
                unknown_target(g, names, x);
            }
        }
    }
    let mut c = Compiler {
        g,
        names,
        exceptions: by_target,
        deps: Vec::new(),
        locals: 0,
        compiled_exceptions: Vec::new(),
        done: Vec::with_capacity(rules.len()),
    };
    for (id, e) in rules.iter().enumerate() {
        let key = e.decl.span;
        let extra = match share.rule(key) {
            Some((rule, extra)) => {
                c.done.push(rule);
                c.deps.push(extra.deps.clone());
                c.locals = c.locals.max(extra.locals);
                Some(extra)
            }
            None => {
                let before = c.g.diags.len();
                let (outer_locals, outer_exceptions) = (c.locals, c.compiled_exceptions.len());
                c.locals = 0;
                let rule = c.rule(e);
                c.done.push(rule);
                let extra = RuleExtra {
                    deps: c.deps.last().cloned().unwrap_or_default(),
                    locals: c.locals,
                    exceptions: c.compiled_exceptions.split_off(outer_exceptions),
                };
                c.locals = c.locals.max(outer_locals);
                (c.g.diags.len() == before).then_some(extra)
            }
        };
        if let Some(extra) = extra {
            share.clean_rule(key, id as RuleId, extra);
        }
    }
    check_exception_cycles(c.g, names, exceptions);
    check_rule_cycles(c.g, &c.done, &c.deps);
    (c.done, c.locals)
}

fn unknown_target(g: &mut Globals, names: &VersionNames, x: &ast::ExceptionDecl) {
    let mut d = Diagnostic::new(
        Code::ExceptionToUnknownRule,
        x.target.span,
        format!(
            "exception `{}` is to `{}`, which is not a rule",
            x.name.name, x.target.name
        ),
    )
    .label("no rule of this name");
    if let Some(when) = g.in_force_words(&x.target.name) {
        d = d.help(format!(
            "`{}` is not in force in this version; it is in force {when}",
            x.target.name
        ));
    } else {
        let candidates = names
            .rules
            .keys()
            .chain(names.exceptions.iter())
            .map(String::as_str);
        d = match suggest(&x.target.name, candidates) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None => d.help(
                "an exception names the rule (or exception) it overrides: `exception NAME to RULE`",
            ),
        };
    }
    g.error(d);
}

impl<'g, 'a, 'v> Compiler<'g, 'a, 'v> {
    fn rule(&mut self, e: &Entry) -> RuleIr {
        self.g.checking = Some(super::added::checking(
            e.decl.kind.keyword(),
            (e.from, e.until),
        ));
        let rule = self.rule_ir(e);
        self.g.checking = None;
        rule
    }

    fn rule_ir(&mut self, e: &Entry) -> RuleIr {
        let origin = e.origin.clone();
        match &e.decl.kind {
            DeclKind::Reasons(r) => self.reasons(e, r, origin),
            DeclKind::Rule(r) => {
                let ty = self
                    .names
                    .rules
                    .get(&r.name.name)
                    .map_or(Type::Error, |(_, t)| t.clone());
                let citations = self.citations(&r.citations, &r.name, "rule");
                let mut deps = Vec::new();
                let mut visiting: HashSet<String> = HashSet::default();
                visiting.insert(r.name.name.clone());
                let def = self.definition(
                    &r.name,
                    &r.body,
                    &ty,
                    citations.clone(),
                    origin.clone(),
                    &mut deps,
                    &mut visiting,
                );
                if let ast::RuleBody::Cases {
                    cases,
                    otherwise: None,
                } = &r.body
                {
                    may_not_apply(self.g, &r.name, cases, &def);
                }
                self.deps.push(deps);
                RuleIr {
                    name: r.name.name.clone(),
                    span: r.name.span,
                    ty,
                    output: r.output,
                    doc: e.decl.doc.clone(),
                    citations,
                    origin,
                    body: RuleBodyIr::Definition(def),
                }
            }
            _ => {
                self.deps.push(Vec::new());
                RuleIr {
                    name: String::new(),
                    span: e.decl.span,
                    ty: Type::Error,
                    output: false,
                    doc: None,
                    citations: Vec::new(),
                    origin,
                    body: RuleBodyIr::Reasons(Vec::new()),
                }
            }
        }
    }

    fn citations(&mut self, cs: &[ast::Citation], name: &ast::Ident, what: &str) -> Vec<Citation> {
        if cs.is_empty() {
            self.g.error(
                Diagnostic::new(Code::MissingCitation, name.span, format!("{what} `{}` cites no source", name.name))
                    .label("no citation")
                    .help("add `cites SOURCE \"the sentence relied on\"` so that every output can say why"),
            );
        }
        self.g.citations(cs)
    }

    #[allow(clippy::too_many_arguments)]
    fn definition(
        &mut self,
        name: &ast::Ident,
        body: &ast::RuleBody,
        ty: &Type,
        citations: Vec<Citation>,
        origin: Origin,
        deps: &mut Vec<(RuleId, Span)>,
        visiting: &mut HashSet<String>,
    ) -> Definition {
        let mut cx = ExprCx::new(self.g, self.names);
        let (cases, otherwise) = match body {
            ast::RuleBody::Expr(e) => {
                let value = cx.expect(e, ty);
                (
                    Vec::new(),
                    Some(CaseIr {
                        condition: None,
                        value,
                        citation: None,
                        span: e.span,
                        condition_span: None,
                    }),
                )
            }
            ast::RuleBody::Cases { cases, otherwise } => {
                let cs = cases.iter().map(|c| case(&mut cx, c, ty)).collect();
                let o = otherwise.as_ref().map(|o| {
                    let value = cx.expect(&o.value, ty);
                    let citation = o.citation.as_ref().and_then(|c| cx.g.citation(c));
                    CaseIr {
                        condition: None,
                        value,
                        citation,
                        span: o.span,
                        condition_span: None,
                    }
                });
                (cs, o)
            }
        };
        deps.append(&mut cx.deps);
        self.locals = self.locals.max(cx.max_locals);
        let exceptions = self.exceptions_of(&name.name, ty, deps, visiting);
        if let ast::RuleBody::Cases {
            cases: ast_cases, ..
        } = body
        {
            let same = static_conflicts(self.g, ast_cases, &cases);
            overlapping_cases(self.g, &self.done, ast_cases, &cases, &exceptions, &same);
        }
        overlapping_exceptions(self.g, &self.done, &exceptions);
        Definition {
            name: name.name.clone(),
            span: name.span,
            cases,
            otherwise,
            exceptions,
            citations,
            origin,
        }
    }

    fn exceptions_of(
        &mut self,
        target: &str,
        ty: &Type,
        deps: &mut Vec<(RuleId, Span)>,
        visiting: &mut HashSet<String>,
    ) -> Vec<Definition> {
        let list = self.exceptions.get(target).cloned().unwrap_or_default();
        let mut out = Vec::new();
        for e in list {
            let DeclKind::Exception(x) = &e.decl.kind else {
                continue;
            };
            // A set, not a list: in a chain of exceptions, a list searched at every level made
            // the chain quadratic.
            if !visiting.insert(x.name.name.clone()) {
                continue;
            }
            self.compiled_exceptions.push(e.decl.span);
            let citations = self.citations(&x.citations, &x.name, "exception");
            let body = ast::RuleBody::Cases {
                cases: x.cases.clone(),
                otherwise: None,
            };
            out.push(self.definition(
                &x.name,
                &body,
                ty,
                citations,
                e.origin.clone(),
                deps,
                visiting,
            ));
            visiting.remove(&x.name.name);
        }
        out
    }

    fn reasons(&mut self, e: &Entry, r: &ast::ReasonsDecl, origin: Origin) -> RuleIr {
        let citations = self.citations(&r.citations, &r.name, "reasons");
        let mut cx = ExprCx::new(self.g, self.names);
        let mut items: Vec<ReasonIr> = Vec::new();
        for item in &r.items {
            if let Some(prev) = items.iter().find(|i| i.code == item.code.name) {
                let prev_span = prev.span;
                cx.g.error(
                    Diagnostic::new(
                        Code::DuplicateReason,
                        item.code.span,
                        format!("reason `{}` is listed twice", item.code.name),
                    )
                    .with_secondary(prev_span, "first listed here")
                    .help("each reason needs its own code"),
                );
            }
            let condition = cx.expect(&item.condition, &Type::Bool);
            let citation = item.citation.as_ref().and_then(|c| cx.g.citation(c));
            items.push(ReasonIr {
                code: item.code.name.clone(),
                message: item.message.clone(),
                condition,
                condition_span: item.condition.span,
                citation,
                span: item.span,
            });
        }
        self.locals = self.locals.max(cx.max_locals);
        self.deps.push(cx.deps);
        RuleIr {
            name: r.name.name.clone(),
            span: r.name.span,
            ty: Type::List(Box::new(Type::Reason)),
            output: r.output,
            doc: e.decl.doc.clone(),
            citations,
            origin,
            body: RuleBodyIr::Reasons(items),
        }
    }
}

fn case(cx: &mut ExprCx, c: &ast::Case, ty: &Type) -> CaseIr {
    let condition = cx.expect(&c.condition, &Type::Bool);
    let value = cx.condition_then(&c.condition, |cx| cx.expect(&c.value, ty));
    let citation = c.citation.as_ref().and_then(|x| cx.g.citation(x));
    CaseIr {
        condition: Some(condition),
        value,
        citation,
        span: c.span,
        condition_span: Some(c.condition.span),
    }
}

/// Normalised source text of an expression, to compare conditions.
fn text_of(g: &Globals, span: Span) -> String {
    g.snippet(span)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Two cases with the same condition and different constant values can never both be right.
/// Returns the pairs reported.
fn static_conflicts(
    g: &mut Globals,
    ast_cases: &[ast::Case],
    cases: &[CaseIr],
) -> Vec<(usize, usize)> {
    let mut reported = Vec::new();
    for (i, a) in cases.iter().enumerate() {
        for (j, b) in cases.iter().enumerate().skip(i + 1) {
            let (Ex::Const(va), Ex::Const(vb)) = (&a.value, &b.value) else {
                continue;
            };
            if va == vb {
                continue;
            }
            let (ca, cb) = (
                text_of(g, ast_cases[i].condition.span),
                text_of(g, ast_cases[j].condition.span),
            );
            let always = |c: &CaseIr| {
                matches!(
                    c.condition,
                    Some(Ex::Const(crate::value::Value::Bool(true)))
                )
            };
            if ca == cb || (always(a) && always(b)) {
                reported.push((i, j));
                g.error(
                    Diagnostic::new(Code::StaticConflict, ast_cases[j].span, "two cases apply to the same situation with different values")
                        .label(format!("gives {}", g.snippet(ast_cases[j].value.span)))
                        .with_secondary(ast_cases[i].span, format!("gives {}", g.snippet(ast_cases[i].value.span)))
                        .help("cases of one rule have equal rank: make the conditions exclusive, or turn one into an `exception`"),
                );
            }
        }
    }
    reported
}

/// Two cases whose different conditions can hold together, with different constant values,
/// when no exception applies (`overlap`): the evaluator would report a conflict for a case
/// like the witness.
fn overlapping_cases(
    g: &mut Globals,
    done: &[RuleIr],
    ast_cases: &[ast::Case],
    cases: &[CaseIr],
    exceptions: &[Definition],
    same: &[(usize, usize)],
) {
    let skip = |i: usize, j: usize| same.contains(&(i, j));
    for (i, j, witness) in
        super::overlap::overlapping_cases(&g.schema, done, cases, exceptions, &skip)
    {
        let (Some(a), Some(b)) = (ast_cases.get(i), ast_cases.get(j)) else {
            continue;
        };
        g.error(
            Diagnostic::new(
                Code::StaticConflict,
                b.span,
                format!("two cases apply to the same situation with different values: both apply when {witness}"),
            )
            .label(format!("gives {}", g.snippet(b.value.span)))
            .with_secondary(a.span, format!("gives {}", g.snippet(a.value.span)))
            .help("cases of one rule have equal rank: make the conditions exclusive, or turn one into an `exception`"),
        );
    }
}

/// Two exceptions to the same definition (equal rank) that can apply together with different
/// values.
fn overlapping_exceptions(g: &mut Globals, done: &[RuleIr], exceptions: &[Definition]) {
    let found = super::overlap::overlapping_exceptions(&g.schema, done, exceptions);
    for ((a, p), (b, q), witness) in found {
        let (Some(x), Some(y)) = (exceptions.get(a), exceptions.get(b)) else {
            continue;
        };
        let (Some(cx), Some(cy)) = (x.cases.get(p), y.cases.get(q)) else {
            continue;
        };
        g.error(
            Diagnostic::new(
                Code::StaticConflict,
                cy.span,
                format!(
                    "exceptions `{}` and `{}` apply to the same situation with different values: both apply when {witness}",
                    x.name, y.name
                ),
            )
            .label(format!("`{}` gives {}", y.name, value_text(g, cy.span)))
            .with_secondary(cx.span, format!("`{}` gives {}", x.name, value_text(g, cx.span)))
            .help("exceptions to one rule have equal rank: make their conditions exclusive, or make one an exception to the other"),
        );
    }
}

/// The value written after the last `then` of a case, before its `cites` (the compiled case
/// keeps the case's span, not the value's).
fn value_text(g: &Globals, case: Span) -> String {
    let text = g.snippet(case);
    let words: Vec<&str> = text.split_whitespace().collect();
    let from = words
        .iter()
        .rposition(|w| *w == "then")
        .map_or(0, |i| i + 1);
    let until = words[from..]
        .iter()
        .position(|w| *w == "cites")
        .map_or(words.len(), |i| from + i);
    words[from..until].join(" ")
}

/// Warn when a rule without `otherwise` may meet a case none of its conditions cover.
fn may_not_apply(g: &mut Globals, name: &ast::Ident, cases: &[ast::Case], def: &Definition) {
    let texts: Vec<String> = cases.iter().map(|c| text_of(g, c.condition.span)).collect();
    if texts.iter().any(|t| t == "true") {
        return;
    }
    let negated = |t: &str| {
        texts
            .iter()
            .any(|o| o == &format!("not {t}") || o == &format!("not ({t})"))
    };
    if texts.iter().any(|t| negated(t)) {
        return;
    }
    if enum_cases_cover(g, def) {
        return;
    }
    g.error(
        Diagnostic::new(Code::NoApplicableCase, name.span, format!("no case of `{}` may apply to some cases", name.name))
            .label("no `otherwise`")
            .help("add `otherwise VALUE`, or make the conditions cover every situation; evaluation fails when none applies"),
    );
}

/// Cases of the form `X is v` whose values cover every value of X's enum.
fn enum_cases_cover(g: &Globals, def: &Definition) -> bool {
    let mut seen: HashMap<String, Vec<u32>> = HashMap::default();
    for c in &def.cases {
        if let Some(Ex::Cmp(CmpOp::Eq, lhs, rhs)) = &c.condition {
            if let Ex::Const(crate::value::Value::Enum(v)) = **rhs {
                seen.entry(format!("{lhs:?}")).or_default().push(v);
            }
        }
    }
    seen.values().any(|vs| {
        let mut vs = vs.clone();
        vs.sort_unstable();
        vs.dedup();
        g.schema.enums.iter().any(|e| {
            e.variants.len() == vs.len() && vs.iter().enumerate().all(|(i, v)| *v == i as u32)
        })
    })
}

/// Exceptions that lead back to themselves instead of to a rule. Each exception names one
/// target, so the exceptions form a functional graph: one walk per exception that stops at a
/// rule, at an exception already walked, or at one on its own walk (a cycle), and every
/// exception is walked once. (A walk per exception with a search of its path was cubic in the
/// length of a chain: 4,000 exceptions took 20 s.)
fn check_exception_cycles(g: &mut Globals, names: &VersionNames, exceptions: &[&Entry]) {
    let mut order: Vec<&str> = Vec::new();
    let mut targets: HashMap<&str, (&str, Span)> = HashMap::default();
    for e in exceptions {
        if let DeclKind::Exception(x) = &e.decl.kind {
            if targets
                .insert(
                    x.name.name.as_str(),
                    (x.target.name.as_str(), x.target.span),
                )
                .is_none()
            {
                order.push(x.name.name.as_str());
            }
        }
    }
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        OnWalk(usize),
        Done,
    }
    let mut marks: HashMap<&str, Mark> = HashMap::default();
    let mut walk: Vec<&str> = Vec::new();
    for start in order {
        walk.clear();
        let mut cur = start;
        loop {
            match marks.get(cur) {
                Some(Mark::Done) => break,
                Some(Mark::OnWalk(at)) => {
                    report_exception_cycle(g, &targets, &walk[*at..]);
                    break;
                }
                None => {}
            }
            let Some((next, _)) = targets.get(cur) else {
                break;
            };
            marks.insert(cur, Mark::OnWalk(walk.len()));
            walk.push(cur);
            if names.rules.contains_key(*next) {
                break;
            }
            cur = next;
        }
        for name in &walk {
            marks.insert(name, Mark::Done);
        }
    }
}

/// One diagnostic per cycle, written from its least name (as the cycle reads from there).
fn report_exception_cycle(g: &mut Globals, targets: &HashMap<&str, (&str, Span)>, cycle: &[&str]) {
    let Some(first) = (0..cycle.len()).min_by_key(|&i| cycle[i]) else {
        return;
    };
    let path: Vec<&str> = cycle[first..]
        .iter()
        .chain(&cycle[..first])
        .copied()
        .collect();
    let (Some(start), Some(last)) = (path.first(), path.last()) else {
        return;
    };
    let Some((_, span)) = targets.get(last) else {
        return;
    };
    g.error(
        Diagnostic::new(
            Code::RuleCycle,
            *span,
            format!("exceptions form a cycle: {} → {start}", path.join(" → ")),
        )
        .help("an exception must lead, through the exceptions it overrides, to a rule"),
    );
}

/// Rules that depend on themselves, through any chain of other rules.
fn check_rule_cycles(g: &mut Globals, rules: &[RuleIr], deps: &[Vec<(RuleId, Span)>]) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let mut marks = vec![Mark::New; rules.len()];
    for root in 0..rules.len() {
        if marks[root] != Mark::New {
            continue;
        }
        // Iterative depth-first search, so deep chains of rules cannot exhaust the stack.
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        marks[root] = Mark::Active;
        while let Some((node, edge)) = stack.last().copied() {
            let edges = deps.get(node).map_or(&[][..], |d| d.as_slice());
            if let Some(&(next, span)) = edges.get(edge) {
                if let Some(top) = stack.last_mut() {
                    top.1 += 1;
                }
                let next = next as usize;
                match marks.get(next) {
                    Some(Mark::New) => {
                        marks[next] = Mark::Active;
                        stack.push((next, 0));
                    }
                    Some(Mark::Active) => report_cycle(g, rules, &stack, next, span),
                    _ => {}
                }
            } else {
                marks[node] = Mark::Done;
                stack.pop();
            }
        }
    }
}

fn report_cycle(
    g: &mut Globals,
    rules: &[RuleIr],
    stack: &[(usize, usize)],
    back_to: usize,
    span: Span,
) {
    let start = stack.iter().position(|(n, _)| *n == back_to).unwrap_or(0);
    let mut path: Vec<&str> = stack[start..]
        .iter()
        .map(|(n, _)| rules[*n].name.as_str())
        .collect();
    path.push(rules[back_to].name.as_str());
    let mut d = Diagnostic::new(
        Code::RuleCycle,
        span,
        format!(
            "`{}` depends on itself: {}",
            rules[back_to].name,
            path.join(" → ")
        ),
    )
    .label("this reference closes the cycle");
    for (n, _) in &stack[start..] {
        d = d.with_secondary(
            rules[*n].span,
            format!("`{}` is part of the cycle", rules[*n].name),
        );
    }
    g.error(d.help(
        "rules must not depend on themselves: break the cycle with a fact or a separate rule",
    ));
}
