//! Evaluation of a case against the consolidated rulebook in force on a date. Rules are
//! evaluated on demand and memoised per case; nothing here looks up a name by string.

mod bands;
mod case;
mod case_text;
mod decision_writer;
pub mod derivation;
pub mod derivation_json;
pub mod derivation_text;
mod derive;
mod explain;
pub mod json_schema;
mod lists;
pub mod output;
pub mod reference;
pub mod strict_json;
pub mod value_text;

pub use case::{case_from_json, CaseError};
pub use case_text::{case_from_str, CaseTextError};
pub use decision_writer::{decision_json_text, write_decision_json};
pub use derivation::Depth;
pub use derive::ExpressionText;
pub use explain::{Explanation, RuleTrace};

use crate::coverage::Trace;
use crate::ir::*;
use crate::ops;
use crate::source::Span;
use crate::time::date::{self, Day};
use crate::value::Value;
use smallvec::SmallVec;
use std::sync::Arc;

/// The facts of one case, in the slot order of the rulebook's facts.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    pub facts: Vec<Value>,
}

/// An evaluation failure: a conflict, a lookup with no entry, a date out of range... Its
/// details are boxed so that `Result<Value, EvalError>`, returned by every step of the
/// evaluator, stays the size of a value; they read as fields (`e.message`) all the same.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalError(Box<EvalErrorDetails>);

#[derive(Clone, Debug, PartialEq)]
pub struct EvalErrorDetails {
    pub rule: Option<String>,
    pub message: String,
    pub span: Option<Span>,
}

impl std::ops::Deref for EvalError {
    type Target = EvalErrorDetails;
    fn deref(&self) -> &EvalErrorDetails {
        &self.0
    }
}

impl EvalError {
    pub fn new(message: impl Into<String>) -> EvalError {
        EvalError(Box::new(EvalErrorDetails {
            rule: None,
            message: message.into(),
            span: None,
        }))
    }

    fn at(mut self, rule: &str, span: Span) -> EvalError {
        if self.0.rule.is_none() {
            self.0.rule = Some(rule.to_string());
            self.0.span = Some(span);
        }
        self
    }
}

/// An operation's failure becomes the evaluator's; `at` adds the rule and the span.
impl From<ops::OpError> for EvalError {
    fn from(e: ops::OpError) -> EvalError {
        EvalError::new(e.message)
    }
}

impl std::fmt::Display for EvalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.rule {
            Some(r) => write!(f, "in `{r}`: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// The decision on a case: every output, and the version of the rulebook used.
#[derive(Clone, Debug)]
pub struct Decision {
    pub as_of: Day,
    pub version: usize,
    pub program: Arc<Program>,
    pub outputs: Vec<(RuleId, Result<Value, EvalError>)>,
    pub explanation: Option<Explanation>,
}

impl Decision {
    pub fn has_errors(&self) -> bool {
        self.outputs.iter().any(|(_, r)| r.is_err())
    }
}

/// The evaluation date of a case: the given one, or the rulebook's `as of` fact.
pub fn as_of_date(rb: &Rulebook, case: &Case, given: Option<Day>) -> Result<Day, NoDate> {
    if let Some(d) = given {
        return Ok(d);
    }
    let path = rb.as_of_path.as_ref().ok_or(NoDate::NoAsOfFact)?;
    let mut v = path.first().and_then(|s| case.facts.get(*s as usize));
    for slot in path.iter().skip(1) {
        v = match v {
            Some(Value::Record(fields)) => fields.get(*slot as usize),
            _ => None,
        };
    }
    match v {
        Some(Value::Date(d)) => Ok(*d),
        _ => Err(NoDate::Absent(
            rb.as_of_text.as_deref().unwrap_or("as of").to_string(),
        )),
    }
}

/// Why a case has no evaluation date, none being given with it. (The caller knows how a date
/// is given, and may say so: `zan eval --as-of`.)
#[derive(Clone, Debug, PartialEq)]
pub enum NoDate {
    /// The rulebook's header names no `as of` fact.
    NoAsOfFact,
    /// The case does not give the `as of` fact, written as in the header.
    Absent(String),
}

impl std::fmt::Display for NoDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NoDate::NoAsOfFact => f.write_str(
                "no evaluation date: none was given, and the rulebook names no `as of` fact",
            ),
            NoDate::Absent(fact) => write!(
                f,
                "no evaluation date: none was given, and the case has no `{fact}`"
            ),
        }
    }
}

impl From<NoDate> for EvalError {
    fn from(e: NoDate) -> EvalError {
        EvalError::new(e.to_string())
    }
}

/// Evaluate every output of the rulebook for a case, as of a date.
pub fn eval(
    rb: &Rulebook,
    case: &Case,
    as_of: Day,
    explain: Option<Depth>,
) -> Result<Decision, EvalError> {
    let version = version_index(rb, as_of)?;
    eval_version(rb, version, case, as_of, explain)
}

/// Evaluate a case with the rules of one given version (index into `rb.versions`), as of a
/// date that may lie outside it: `zan diff --from --to` decides the same case under the rules
/// in force on two dates.
pub fn eval_version(
    rb: &Rulebook,
    version: usize,
    case: &Case,
    as_of: Day,
    explain: Option<Depth>,
) -> Result<Decision, EvalError> {
    let program = program_of(rb, version)?;
    eval_outputs(rb, version, &program.outputs, case, as_of, explain)
}

fn program_of(rb: &Rulebook, version: usize) -> Result<&Arc<Program>, EvalError> {
    rb.versions
        .get(version)
        .map(|v| &v.program)
        .ok_or_else(|| EvalError::new("no such version of the rulebook"))
}

/// Evaluate only the given rules of one version (rule ids of that version's program), in that
/// order: an embedder that needs a few outputs does not pay for the others.
pub fn eval_outputs(
    rb: &Rulebook,
    version: usize,
    outputs: &[RuleId],
    case: &Case,
    as_of: Day,
    explain: Option<Depth>,
) -> Result<Decision, EvalError> {
    let program = program_of(rb, version)?;
    let mut m = Machine::new(program, &case.facts, as_of);
    let values = outputs.iter().map(|&r| (r, m.rule(r))).collect();
    let explanation = explain.map(|depth| explain::explain(&mut m, rb, version, depth, outputs));
    Ok(Decision {
        as_of,
        version,
        program: Arc::clone(program),
        outputs: values,
        explanation,
    })
}

/// The decision on a case with the rules of one version (as `eval_version` without an
/// explanation), and which definition gave each rule it evaluated: what `zan diff` compares
/// between two dates, without paying for derivations it does not show.
pub fn eval_version_traced(
    rb: &Rulebook,
    version: usize,
    case: &Case,
    as_of: Day,
) -> Result<(Decision, Vec<RuleTrace>), EvalError> {
    let program = program_of(rb, version)?;
    let mut m = Machine::new(program, &case.facts, as_of);
    let values = program.outputs.iter().map(|&r| (r, m.rule(r))).collect();
    let traces = explain::rule_traces(&mut m);
    let decision = Decision {
        as_of,
        version,
        program: Arc::clone(program),
        outputs: values,
        explanation: None,
    };
    Ok((decision, traces))
}

/// The index of the version in force on a date.
pub fn version_index(rb: &Rulebook, as_of: Day) -> Result<usize, EvalError> {
    rb.versions
        .iter()
        .position(|v| v.from.is_none_or(|f| f <= as_of) && v.until.is_none_or(|u| as_of <= u))
        .ok_or_else(|| {
            EvalError::new(format!(
                "no version of the rulebook is in force on {}",
                date::format(as_of)
            ))
        })
}

/// Evaluate one named rule (for tests), whether or not it is an output.
pub fn eval_rule(
    program: &Program,
    case: &Case,
    as_of: Day,
    rule: RuleId,
) -> Result<Value, EvalError> {
    Machine::new(program, &case.facts, as_of).rule(rule)
}

/// Evaluate one named rule, adding what it exercised (rules, cases, exceptions, reasons, table
/// rows, parameter values, calendars) to `trace`.
pub fn eval_rule_traced(
    program: &Program,
    case: &Case,
    as_of: Day,
    rule: RuleId,
    trace: &mut Trace,
) -> Result<Value, EvalError> {
    let mut m = Machine::new(program, &case.facts, as_of);
    m.trace = Some(Box::new(std::mem::take(trace)));
    let result = m.rule(rule);
    if let Some(t) = m.trace.take() {
        *trace = *t;
    }
    result
}

pub(crate) struct Machine<'p> {
    pub p: &'p Program,
    facts: &'p [Value],
    pub(crate) as_of: Day,
    /// Each rule's value once evaluated, by rule id.
    pub(crate) cache: Vec<Option<Result<Value, EvalError>>>,
    /// The rules in `cache`, so that clearing it costs what the case used, not the rulebook.
    touched: Vec<RuleId>,
    /// The values of quantified variables: the slots of the rule being evaluated start at
    /// `frame`. A rule evaluated inside another's quantifier gets the slots above (slot
    /// numbers restart at 0 in every rule, so sharing them would let the inner rule overwrite
    /// the outer rule's variable).
    locals: Vec<Value>,
    frame: usize,
    /// What was exercised, for test coverage; `None` (no cost but a branch) otherwise.
    trace: Option<Box<Trace>>,
}

/// A thread's buffers for the next case: its rule cache comes back empty and is reused, so
/// deciding a case allocates nothing for the rules it does not reach.
#[derive(Default)]
struct Scratch {
    cache: Vec<Option<Result<Value, EvalError>>>,
    touched: Vec<RuleId>,
    locals: Vec<Value>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

impl Drop for Machine<'_> {
    fn drop(&mut self) {
        let mut cache = std::mem::take(&mut self.cache);
        let mut touched = std::mem::take(&mut self.touched);
        for id in touched.drain(..) {
            if let Some(slot) = cache.get_mut(id as usize) {
                *slot = None;
            }
        }
        let mut locals = std::mem::take(&mut self.locals);
        locals.clear();
        let _ = SCRATCH.try_with(|s| {
            if let Ok(mut s) = s.try_borrow_mut() {
                // Keep the larger buffers (one thread may serve several rulebooks).
                if cache.len() >= s.cache.len() {
                    s.cache = cache;
                    s.touched = touched;
                }
                s.locals = locals;
            }
        });
    }
}

/// Which definition gave a rule's value: the path of exception names, and the case.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Taken {
    pub definition: Vec<usize>,
    pub case: Option<usize>,
}

impl<'p> Machine<'p> {
    fn new(p: &'p Program, facts: &'p [Value], as_of: Day) -> Machine<'p> {
        let mut scratch = SCRATCH
            .try_with(|s| s.try_borrow_mut().map(|mut s| std::mem::take(&mut *s)))
            .ok()
            .and_then(Result::ok)
            .unwrap_or_default();
        // The cache comes back with every slot empty; only its length may need to grow.
        if scratch.cache.len() < p.rules.len() {
            scratch.cache.resize(p.rules.len(), None);
        }
        scratch.locals.resize(p.locals as usize, Value::Absent);
        Machine {
            p,
            facts,
            as_of,
            cache: scratch.cache,
            touched: scratch.touched,
            locals: scratch.locals,
            frame: 0,
            trace: None,
        }
    }

    pub fn rule(&mut self, id: RuleId) -> Result<Value, EvalError> {
        if let Some(Some(r)) = self.cache.get(id as usize) {
            return r.clone();
        }
        let p = self.p;
        let Some(rule) = p.rules.get(id as usize) else {
            return Err(EvalError::new("unknown rule"));
        };
        // A frame of its own for the rule's quantified variables, above the caller's.
        let caller_frame = self.frame;
        if p.locals > 0 {
            self.frame += p.locals as usize;
            let needed = self.frame + p.locals as usize;
            if self.locals.len() < needed {
                self.locals.resize(needed, Value::Absent);
            }
        }
        let result = match &rule.body {
            RuleBodyIr::Definition(def) => match self.definition(def) {
                Ok(Some((v, _))) => Ok(v),
                Ok(None) => Err(EvalError::new(
                    "no case of this rule applies to this case, and it has no `otherwise`",
                )),
                Err(e) => Err(e),
            },
            RuleBodyIr::Reasons(items) => self.reasons(id, items),
        }
        .map_err(|e| e.at(&rule.name, rule.span));
        self.frame = caller_frame;
        if let Some(t) = &mut self.trace {
            t.hit(rule.span);
        }
        if let Some(slot) = self.cache.get_mut(id as usize) {
            *slot = Some(result.clone());
            self.touched.push(id);
        }
        result
    }

    fn reasons(&mut self, id: RuleId, items: &[ReasonIr]) -> Result<Value, EvalError> {
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            if self.truth(&item.condition)? {
                if let Some(t) = &mut self.trace {
                    t.hit(item.span);
                }
                out.push(Value::Reason(id, i as u32));
            }
        }
        Ok(Value::List(out.into()))
    }

    /// The value of a definition: its exceptions first (they rank higher), then its cases.
    pub(crate) fn definition(
        &mut self,
        def: &Definition,
    ) -> Result<Option<(Value, Taken)>, EvalError> {
        let mut found: Option<(Value, Taken)> = None;
        for (i, exc) in def.exceptions.iter().enumerate() {
            if let Some((v, mut taken)) = self.definition(exc)? {
                taken.definition.insert(0, i);
                if let Some((prev, prev_taken)) = &found {
                    if *prev != v {
                        let a = &def.exceptions[prev_taken.definition[0]].name;
                        return Err(EvalError::new(format!(
                            "conflict: exceptions `{a}` and `{}` both apply with different values",
                            exc.name
                        ))
                        .at(&def.name, def.span));
                    }
                    continue;
                }
                found = Some((v, taken));
            }
        }
        if let (Some((_, taken)), Some(t)) = (&found, &mut self.trace) {
            if let Some(exc) = taken
                .definition
                .first()
                .and_then(|&i| def.exceptions.get(i))
            {
                t.hit(exc.span);
            }
        }
        if found.is_some() {
            return Ok(found);
        }
        for (i, c) in def.cases.iter().enumerate() {
            let Some(cond) = &c.condition else { continue };
            if !self.truth(cond)? {
                continue;
            }
            let v = self.expr(&c.value)?;
            if let Some((prev, prev_taken)) = &found {
                if *prev != v {
                    let first = prev_taken.case.map_or(0, |n| n + 1);
                    return Err(EvalError::new(format!(
                        "conflict: cases {first} and {} both apply with different values",
                        i + 1
                    ))
                    .at(&def.name, c.span));
                }
                continue;
            }
            if let Some(t) = &mut self.trace {
                t.hit(c.span);
            }
            found = Some((
                v,
                Taken {
                    definition: Vec::new(),
                    case: Some(i),
                },
            ));
        }
        if found.is_none() {
            if let Some(o) = &def.otherwise {
                if let Some(t) = &mut self.trace {
                    t.hit(o.span);
                }
                found = Some((
                    self.expr(&o.value)?,
                    Taken {
                        definition: Vec::new(),
                        case: None,
                    },
                ));
            }
        }
        Ok(found)
    }

    /// A condition. The connectives and the plain comparisons are decided here, without
    /// building a `Value::Bool` at every level of a long `and` chain.
    pub(crate) fn truth(&mut self, e: &Ex) -> Result<bool, EvalError> {
        match e {
            Ex::And(a, b) => Ok(self.truth(a)? && self.truth(b)?),
            Ex::Or(a, b) => Ok(self.truth(a)? || self.truth(b)?),
            Ex::Not(x) => Ok(!self.truth(x)?),
            Ex::IsPresent(x, present) => Ok(self.present(x)? == *present),
            Ex::Cmp(op, a, b) => {
                if let (Some(x), Some(y)) = (self.place(a), self.place(b)) {
                    // `x is value`: enum values are compared by index, here.
                    return match (op, x, y) {
                        (CmpOp::Eq, Value::Enum(i), Value::Enum(j)) => Ok(i == j),
                        (CmpOp::Ne, Value::Enum(i), Value::Enum(j)) => Ok(i != j),
                        _ => Ok(ops::compare(*op, x, y)?),
                    };
                }
                let (x, y) = (self.expr(a)?, self.expr(b)?);
                Ok(ops::compare(*op, &x, &y)?)
            }
            _ => match self.expr(e)? {
                Value::Bool(b) => Ok(b),
                other => Err(EvalError::new(format!(
                    "expected a condition, found {}",
                    other.kind_name()
                ))),
            },
        }
    }

    /// Whether a value is present, read in place when it can be.
    fn present(&mut self, x: &Ex) -> Result<bool, EvalError> {
        if let Some(v) = self.place(x) {
            return Ok(!matches!(v, Value::Absent));
        }
        Ok(!matches!(self.expr(x)?, Value::Absent))
    }

    pub(crate) fn expr(&mut self, e: &Ex) -> Result<Value, EvalError> {
        Ok(match e {
            Ex::Const(v) => v.clone(),
            Ex::Fact(s) => self
                .facts
                .get(*s as usize)
                .cloned()
                .unwrap_or(Value::Absent),
            Ex::Field(b, i) => match self.place(e) {
                Some(v) => v.clone(),
                None => ops::field(self.p, self.expr(b)?, *i)?,
            },
            Ex::Local(s) => self
                .locals
                .get(self.frame + *s as usize)
                .cloned()
                .unwrap_or(Value::Absent),
            Ex::Rule(r) => self.rule(*r)?,
            Ex::Param(p, at) => {
                let day = match at {
                    Some(d) => match self.expr(d)? {
                        Value::Date(d) => d,
                        other => {
                            return Err(EvalError::new(format!(
                                "expected a date, found {}",
                                other.kind_name()
                            )))
                        }
                    },
                    None => self.as_of,
                };
                if let Some(t) = &mut self.trace {
                    t.param_value(self.p, *p, day);
                }
                ops::param(self.p, *p, day)?
            }
            Ex::AsOfDate => Value::Date(self.as_of),
            Ex::Table(t, keys) => self.table(*t, keys)?,
            Ex::Not(x) => Value::Bool(!self.truth(x)?),
            Ex::Neg(x) => ops::neg(self.expr(x)?)?,
            Ex::And(a, b) => Value::Bool(self.truth(a)? && self.truth(b)?),
            Ex::Or(a, b) => Value::Bool(self.truth(a)? || self.truth(b)?),
            Ex::Cmp(op, a, b) => {
                // A fact compared with a constant, the commonest condition, clones neither.
                if let (Some(x), Some(y)) = (self.place(a), self.place(b)) {
                    return Ok(Value::Bool(ops::compare(*op, x, y)?));
                }
                let (x, y) = (self.expr(a)?, self.expr(b)?);
                Value::Bool(ops::compare(*op, &x, &y)?)
            }
            Ex::Arith(op, a, b) => {
                let (x, y) = (self.expr(a)?, self.expr(b)?);
                if let (Some(t), Value::Duration(d)) = (&mut self.trace, &y) {
                    t.calendar(self.p, d.calendar);
                }
                ops::arith(self.p, *op, x, y)?
            }
            Ex::In(a, b) => {
                if let (Some(x), Some(list)) = (self.place(a), self.place(b)) {
                    return Ok(Value::Bool(
                        matches!(list, Value::List(items) if items.contains(x)),
                    ));
                }
                let x = self.expr(a)?;
                match self.expr(b)? {
                    Value::List(items) => Value::Bool(items.contains(&x)),
                    _ => Value::Bool(false),
                }
            }
            Ex::If(c, a, b) => {
                if self.truth(c)? {
                    self.expr(a)?
                } else {
                    self.expr(b)?
                }
            }
            Ex::Match(s, arms, otherwise) => {
                let v = self.expr(s)?;
                match arms.iter().find(|(pats, _)| pats.contains(&v)) {
                    Some((_, body)) => self.expr(body)?,
                    None => match otherwise {
                        Some(o) => self.expr(o)?,
                        None => return Err(EvalError::new("no arm of the match applies")),
                    },
                }
            }
            Ex::Quant(kind, slot, list, body) => self.quantified(*kind, *slot, list, body)?,
            Ex::List(items) => Value::List(self.each(items)?),
            Ex::Record(fields) => Value::Record(self.each(fields)?),
            Ex::Builtin(b, args) => {
                let mut vals: SmallVec<[Value; 4]> = SmallVec::with_capacity(args.len());
                for a in args {
                    vals.push(match a {
                        Ex::Calendar(c) => {
                            if let Some(t) = &mut self.trace {
                                t.calendar(self.p, Some(*c));
                            }
                            Value::Integer(i64::from(*c))
                        }
                        other => self.expr(other)?,
                    });
                }
                ops::builtin(self.p, *b, &vals)?
            }
            Ex::Calendar(c) => Value::Integer(i64::from(*c)),
            Ex::IsPresent(x, present) => Value::Bool(self.present(x)? == *present),
            Ex::ToDecimal(x) => match self.expr(x)? {
                Value::Integer(n) => Value::Decimal(n.into()),
                other => other,
            },
            Ex::Unwrap(x) => match self.expr(x)? {
                Value::Absent => return Err(EvalError::new("a value needed here is absent")),
                v => v,
            },
        })
    }

    fn each(&mut self, exs: &[Ex]) -> Result<Arc<[Value]>, EvalError> {
        exs.iter()
            .map(|e| self.expr(e))
            .collect::<Result<Vec<_>, _>>()
            .map(Into::into)
    }

    /// A field of a fact read in place, without copying the records on the way.
    /// The value an expression names without computing anything (a fact, a quantified
    /// variable, a constant, a field of one of these), by reference: reading it costs no clone.
    fn place<'a>(&'a self, e: &'a Ex) -> Option<&'a Value> {
        match e {
            Ex::Fact(s) => self.facts.get(*s as usize),
            Ex::Local(s) => self.locals.get(self.frame + *s as usize),
            Ex::Const(v) => Some(v),
            // Absent here is an error, which `expr` reports.
            Ex::Unwrap(x) => self.place(x).filter(|v| !matches!(v, Value::Absent)),
            Ex::Field(b, i) => match self.place(b)? {
                Value::Record(fields) => fields.get(*i as usize),
                _ => None,
            },
            _ => None,
        }
    }

    fn quantified(
        &mut self,
        kind: QuantKind,
        slot: u32,
        list: &Ex,
        body: &Ex,
    ) -> Result<Value, EvalError> {
        let items = match self.expr(list)? {
            Value::List(items) => items,
            Value::Absent => Arc::from(Vec::new()),
            other => {
                return Err(EvalError::new(format!(
                    "expected a list, found {}",
                    other.kind_name()
                )))
            }
        };
        if matches!(
            kind,
            QuantKind::Map | QuantKind::Filter | QuantKind::Min | QuantKind::Max
        ) {
            return self.list_form(kind, slot, &items, body);
        }
        let mut count = 0i64;
        let mut sum: Option<Value> = None;
        for item in items.iter() {
            if let Some(l) = self.locals.get_mut(self.frame + slot as usize) {
                *l = item.clone();
            }
            match kind {
                QuantKind::Any if self.truth(body)? => return Ok(Value::Bool(true)),
                QuantKind::All if !self.truth(body)? => return Ok(Value::Bool(false)),
                QuantKind::Count if self.truth(body)? => count += 1,
                QuantKind::Sum(_) => {
                    let v = self.expr(body)?;
                    sum = Some(match sum {
                        None => v,
                        Some(acc) => ops::arith(self.p, ArithOp::Add, acc, v)?,
                    });
                }
                _ => {}
            }
        }
        Ok(match kind {
            QuantKind::Any => Value::Bool(false),
            QuantKind::All => Value::Bool(true),
            QuantKind::Count => Value::Integer(count),
            QuantKind::Sum(of) => sum.unwrap_or(of.zero()),
            // Answered by `list_form` above.
            QuantKind::Map | QuantKind::Filter | QuantKind::Min | QuantKind::Max => Value::Absent,
        })
    }

    fn table(&mut self, t: TableId, keys: &[Ex]) -> Result<Value, EvalError> {
        let p = self.p;
        let Some(table) = p.tables.get(t as usize) else {
            return Err(EvalError::new("unknown table"));
        };
        let mut vals: SmallVec<[Value; 4]> = SmallVec::with_capacity(keys.len());
        for k in keys {
            vals.push(self.expr(k)?);
        }
        let row = table_row(table, &vals)?;
        if let Some(t) = &mut self.trace {
            let part = match row {
                Some(r) => table.rows.get(r as usize),
                None => table.otherwise_part.as_ref(),
            };
            t.hit(table.span);
            if let Some(part) = part {
                t.hit(part.span);
            }
        }
        match row
            .and_then(|r| table.values.get(r as usize))
            .or(table.otherwise.as_ref())
        {
            Some(e) => self.expr(e),
            None => Err(EvalError::new(format!(
                "table `{}` has no row for these keys",
                table.name
            ))),
        }
    }
}

/// The row of `table` that the keys `vals` select (`None`: no row, its `otherwise` if any), in
/// one place for the evaluator and the derivation, which shows the row.
#[inline]
pub(crate) fn table_row(table: &TableIr, vals: &[Value]) -> Result<Option<u32>, EvalError> {
    Ok(match &table.lookup {
        TableLookup::Dense { sizes, cells } => {
            let mut idx = 0usize;
            for (v, size) in vals.iter().zip(sizes) {
                let i = match v {
                    Value::Enum(i) => *i as usize,
                    Value::Bool(b) => usize::from(*b),
                    _ => {
                        return Err(EvalError::new(format!(
                            "table `{}` has no row for an absent key",
                            table.name
                        )))
                    }
                };
                idx = idx * (*size as usize) + i;
            }
            cells.get(idx).copied().flatten()
        }
        TableLookup::Rows { rows, order } => {
            let row_matches = |i: usize| -> Result<bool, EvalError> {
                let Some(row) = rows.get(i) else {
                    return Ok(false);
                };
                for (pat, v) in row.iter().zip(vals) {
                    if let Some(alts) = pat {
                        if !bands::matches(alts, v)? {
                            return Ok(false);
                        }
                    }
                }
                Ok(true)
            };
            match order {
                None => {
                    for i in 0..rows.len() {
                        if row_matches(i)? {
                            return Ok(Some(i as u32));
                        }
                    }
                    None
                }
                Some(order) => {
                    for &i in order {
                        if row_matches(i as usize)? {
                            return Ok(Some(i));
                        }
                    }
                    None
                }
            }
        }
    })
}

/// Equality as the language defines it (1 == 1.0).
pub fn values_equal(a: &Value, b: &Value) -> bool {
    ops::compare(CmpOp::Eq, a, b).unwrap_or(false)
}
