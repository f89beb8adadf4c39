//! A reference evaluator: a deliberately simple second reading of the checked IR, against
//! which the optimised evaluator (`eval::Machine`) is compared on generated cases
//! (`tests/differential.rs`, `fuzz/fuzz_targets/differential.rs`). Written for obviousness,
//! not speed.
//!
//! **Independent of the engine** (nothing of `eval/mod.rs` is called):
//! - the evaluation strategy: plain recursion over `Ex` that builds and clones every value;
//!   conditions are values like any other (no `truth` fast path), facts and fields are read by
//!   evaluating the expression (no `place`, nothing read by reference);
//! - quantified variables live in a lexical environment passed down the recursion (a list of
//!   `(slot, value)` bindings, innermost last) that a rule starts empty, instead of one array of
//!   slots shared by the whole case;
//! - rule values are remembered in a fresh `BTreeMap` per decision (no thread-local scratch, no
//!   "touched" list; a rule is pure, so remembering changes nothing but the time taken);
//! - the outputs are the rules flagged `output` (not `Program::outputs`), the version is found
//!   by scanning `Rulebook::versions`, a parameter's value by a linear scan of its dated values,
//!   a row table by trying its rows in order;
//! - equality in `in`, `match` arms, table rows and conflicts is the language's (`1 == 1.0`,
//!   through `ops::compare`), not Rust's `PartialEq` on values.
//!
//! **Shared with the engine** (pure helpers, the point being a second evaluation strategy, not a
//! second calendar): `ops::compare`, `ops::arith` (exact decimals, date shifts by months and
//! working days), `ops::neg`, `ops::builtin` (ages, periods, calendars, rounding...), hence
//! `time::date`, `time::period`, `time::calendar`; the check-time dense cell array of tables
//! whose keys are all enums or booleans (the reference computes the cell index itself); the
//! `Value` type and the error texts, which are copied so that the two can be compared word for
//! word.

use crate::ir::*;
use crate::ops;
use crate::time::date::{self, Day};
use crate::value::Value;
use std::collections::BTreeMap;
use std::fmt;

/// An evaluation error of the reference: the rule it arose in (the innermost one) and what
/// went wrong, displayed as `EvalError` is.
#[derive(Clone, Debug, PartialEq)]
pub struct RefError {
    pub rule: Option<String>,
    pub message: String,
}

impl RefError {
    fn new(message: impl Into<String>) -> RefError {
        RefError {
            rule: None,
            message: message.into(),
        }
    }

    fn in_rule(mut self, rule: &str) -> RefError {
        if self.rule.is_none() {
            self.rule = Some(rule.to_string());
        }
        self
    }
}

impl From<ops::OpError> for RefError {
    fn from(e: ops::OpError) -> RefError {
        RefError::new(e.message)
    }
}

impl fmt::Display for RefError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.rule {
            Some(r) => write!(f, "in `{r}`: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// The reference decision: the version used and every output rule's value or error, by rule
/// id in increasing order.
#[derive(Clone, Debug)]
pub struct RefDecision {
    pub version: usize,
    pub outputs: Vec<(RuleId, Result<Value, RefError>)>,
}

/// Every output of the version of `rb` in force on `as_of`, for `case` (facts in slot order).
pub fn decide(rb: &Rulebook, case: &super::Case, as_of: Day) -> Result<RefDecision, RefError> {
    let mut version = None;
    for (i, v) in rb.versions.iter().enumerate() {
        let after_start = match v.from {
            Some(from) => from <= as_of,
            None => true,
        };
        let before_end = match v.until {
            Some(until) => as_of <= until,
            None => true,
        };
        if after_start && before_end {
            version = Some(i);
            break;
        }
    }
    let Some(version) = version else {
        return Err(RefError::new(format!(
            "no version of the rulebook is in force on {}",
            date::format(as_of)
        )));
    };
    let program = &rb.versions[version].program;
    let mut r = Reference {
        program,
        facts: &case.facts,
        as_of,
        known: BTreeMap::new(),
    };
    let mut outputs = Vec::new();
    for (id, rule) in program.rules.iter().enumerate() {
        if rule.output {
            let id = id as RuleId;
            outputs.push((id, r.rule(id)));
        }
    }
    Ok(RefDecision { version, outputs })
}

/// Where the engine (`eval::eval`) and the reference disagree on a case, in words: the
/// decision failing differently, another version, other outputs, or for each output that
/// differs its name and both results (a value as JSON and as data, or the error message).
/// Empty when they agree.
pub fn differences(rb: &Rulebook, case: &super::Case, as_of: Day) -> Vec<String> {
    let engine = super::eval(rb, case, as_of, None);
    let reference = decide(rb, case, as_of);
    let (d, r) = match (engine, reference) {
        (Err(a), Err(b)) if a.to_string() == b.to_string() => return Vec::new(),
        (Err(a), Err(b)) => {
            return vec![format!(
                "the decision fails differently:\n  engine:    {a}\n  reference: {b}"
            )]
        }
        (Ok(_), Err(b)) => return vec![format!("only the reference fails: {b}")],
        (Err(a), Ok(_)) => return vec![format!("only the engine fails: {a}")],
        (Ok(d), Ok(r)) => (d, r),
    };
    if d.version != r.version {
        return vec![format!(
            "versions differ: engine {}, reference {}",
            d.version, r.version
        )];
    }
    let p = &d.program;
    let mut engine_outputs: Vec<(RuleId, Result<Value, String>)> = d
        .outputs
        .iter()
        .map(|(id, v)| (*id, v.clone().map_err(|e| e.to_string())))
        .collect();
    engine_outputs.sort_by_key(|(id, _)| *id);
    let reference_outputs: Vec<(RuleId, Result<Value, String>)> = r
        .outputs
        .into_iter()
        .map(|(id, v)| (id, v.map_err(|e| e.to_string())))
        .collect();
    let ids =
        |o: &[(RuleId, Result<Value, String>)]| o.iter().map(|(id, _)| *id).collect::<Vec<_>>();
    if ids(&engine_outputs) != ids(&reference_outputs) {
        return vec![format!(
            "the outputs differ: engine {:?}, reference {:?}",
            ids(&engine_outputs),
            ids(&reference_outputs)
        )];
    }
    let show = |id: RuleId, r: &Result<Value, String>| match r {
        Err(e) => format!("error: {e}"),
        Ok(v) => {
            let ty = p
                .rules
                .get(id as usize)
                .map_or(Type::Error, |r| r.ty.clone());
            format!("{} ({v:?})", super::output::value_json(rb, p, &ty, v))
        }
    };
    let mut out = Vec::new();
    for ((id, a), (_, b)) in engine_outputs.iter().zip(&reference_outputs) {
        // Values compare as data (`Integer(1)` is not `Decimal(1)`: their JSON differs).
        if a != b {
            let name = p.rules.get(*id as usize).map_or("?", |r| r.name.as_str());
            out.push(format!(
                "output `{name}`:\n  engine:    {}\n  reference: {}",
                show(*id, a),
                show(*id, b)
            ));
        }
    }
    out
}

/// The quantified variables in scope: `(slot, value)`, innermost last.
type Env = Vec<(u32, Value)>;

struct Reference<'a> {
    program: &'a Program,
    facts: &'a [Value],
    as_of: Day,
    /// The value of each rule evaluated so far in this decision.
    known: BTreeMap<RuleId, Result<Value, RefError>>,
}

/// Equality as the language defines it.
fn same(a: &Value, b: &Value) -> bool {
    matches!(ops::compare(CmpOp::Eq, a, b), Ok(true))
}

/// Whether a key is one alternative of a row's pattern: equal to its value, or between the
/// bounds of its band (an absent key is in none).
fn in_pattern(alt: &KeyMatch, key: &Value) -> Result<bool, RefError> {
    let band = match alt {
        KeyMatch::Is(v) => return Ok(same(v, key)),
        KeyMatch::In(band) => band,
    };
    if *key == Value::Absent {
        return Ok(false);
    }
    let mut inside = true;
    if let Some(low) = &band.low {
        let op = if low.inclusive { CmpOp::Ge } else { CmpOp::Gt };
        inside &= ops::compare(op, key, &low.value).map_err(|e| RefError::new(e.message))?;
    }
    if let Some(high) = &band.high {
        let op = if high.inclusive { CmpOp::Le } else { CmpOp::Lt };
        inside &= ops::compare(op, key, &high.value).map_err(|e| RefError::new(e.message))?;
    }
    Ok(inside)
}

fn kind(v: &Value) -> &'static str {
    v.kind_name()
}

impl Reference<'_> {
    fn rule(&mut self, id: RuleId) -> Result<Value, RefError> {
        if let Some(known) = self.known.get(&id) {
            return known.clone();
        }
        let program = self.program;
        let Some(rule) = program.rules.get(id as usize) else {
            return Err(RefError::new("unknown rule"));
        };
        let result = match &rule.body {
            RuleBodyIr::Definition(def) => match self.definition(def) {
                Ok(Some(v)) => Ok(v),
                Ok(None) => Err(RefError::new(
                    "no case of this rule applies to this case, and it has no `otherwise`",
                )),
                Err(e) => Err(e),
            },
            RuleBodyIr::Reasons(items) => {
                let mut given = Vec::new();
                let mut failed = None;
                for (i, item) in items.iter().enumerate() {
                    match self.condition(&item.condition, &Vec::new()) {
                        Ok(true) => given.push(Value::Reason(id, i as u32)),
                        Ok(false) => {}
                        Err(e) => {
                            failed = Some(e);
                            break;
                        }
                    }
                }
                match failed {
                    Some(e) => Err(e),
                    None => Ok(Value::List(given.into())),
                }
            }
        };
        let result = result.map_err(|e| e.in_rule(&rule.name));
        self.known.insert(id, result.clone());
        result
    }

    /// The value a definition gives, if any applies: the applying exceptions, all with the same
    /// value, outrank the applying cases, all with the same value, which outrank `otherwise`.
    fn definition(&mut self, def: &Definition) -> Result<Option<Value>, RefError> {
        let mut first_exception: Option<(&str, Value)> = None;
        for exc in &def.exceptions {
            let Some(v) = self.definition(exc)? else {
                continue;
            };
            match &first_exception {
                None => first_exception = Some((&exc.name, v)),
                Some((first, w)) => {
                    if !same(w, &v) {
                        return Err(RefError::new(format!(
                            "conflict: exceptions `{first}` and `{}` both apply with different values",
                            exc.name
                        ))
                        .in_rule(&def.name));
                    }
                }
            }
        }
        if let Some((_, v)) = first_exception {
            return Ok(Some(v));
        }
        let mut first_case: Option<(usize, Value)> = None;
        for (i, case) in def.cases.iter().enumerate() {
            let applies = match &case.condition {
                Some(c) => self.condition(c, &Vec::new())?,
                None => false,
            };
            if !applies {
                continue;
            }
            let v = self.value(&case.value, &Vec::new())?;
            match &first_case {
                None => first_case = Some((i, v)),
                Some((first, w)) => {
                    if !same(w, &v) {
                        return Err(RefError::new(format!(
                            "conflict: cases {} and {} both apply with different values",
                            first + 1,
                            i + 1
                        ))
                        .in_rule(&def.name));
                    }
                }
            }
        }
        if let Some((_, v)) = first_case {
            return Ok(Some(v));
        }
        match &def.otherwise {
            Some(o) => Ok(Some(self.value(&o.value, &Vec::new())?)),
            None => Ok(None),
        }
    }

    fn condition(&mut self, e: &Ex, env: &Env) -> Result<bool, RefError> {
        match self.value(e, env)? {
            Value::Bool(b) => Ok(b),
            other => Err(RefError::new(format!(
                "expected a condition, found {}",
                kind(&other)
            ))),
        }
    }

    fn values(&mut self, es: &[Ex], env: &Env) -> Result<Vec<Value>, RefError> {
        let mut out = Vec::new();
        for e in es {
            out.push(self.value(e, env)?);
        }
        Ok(out)
    }

    fn value(&mut self, e: &Ex, env: &Env) -> Result<Value, RefError> {
        let program = self.program;
        match e {
            Ex::Const(v) => Ok(v.clone()),
            Ex::Fact(slot) => Ok(self
                .facts
                .get(*slot as usize)
                .cloned()
                .unwrap_or(Value::Absent)),
            Ex::Local(slot) => {
                for (s, v) in env.iter().rev() {
                    if s == slot {
                        return Ok(v.clone());
                    }
                }
                Ok(Value::Absent)
            }
            Ex::Field(of, i) => {
                let v = self.value(of, env)?;
                self.field(v, *i)
            }
            Ex::Rule(r) => self.rule(*r),
            Ex::Param(p, at) => {
                let day = match at {
                    None => self.as_of,
                    Some(d) => match self.value(d, env)? {
                        Value::Date(d) => d,
                        other => {
                            return Err(RefError::new(format!(
                                "expected a date, found {}",
                                kind(&other)
                            )))
                        }
                    },
                };
                self.param(*p, day)
            }
            Ex::AsOfDate => Ok(Value::Date(self.as_of)),
            Ex::Table(t, keys) => {
                let keys = self.values(keys, env)?;
                self.table(*t, &keys, env)
            }
            Ex::Not(x) => Ok(Value::Bool(!self.condition(x, env)?)),
            Ex::Neg(x) => Ok(ops::neg(self.value(x, env)?)?),
            Ex::And(a, b) => {
                let v = self.condition(a, env)? && self.condition(b, env)?;
                Ok(Value::Bool(v))
            }
            Ex::Or(a, b) => {
                let v = self.condition(a, env)? || self.condition(b, env)?;
                Ok(Value::Bool(v))
            }
            Ex::Cmp(op, a, b) => {
                let x = self.value(a, env)?;
                let y = self.value(b, env)?;
                Ok(Value::Bool(ops::compare(*op, &x, &y)?))
            }
            Ex::Arith(op, a, b) => {
                let x = self.value(a, env)?;
                let y = self.value(b, env)?;
                Ok(ops::arith(program, *op, x, y)?)
            }
            Ex::In(a, b) => {
                let x = self.value(a, env)?;
                let found = match self.value(b, env)? {
                    Value::List(items) => items.iter().any(|i| same(i, &x)),
                    _ => false,
                };
                Ok(Value::Bool(found))
            }
            Ex::If(c, a, b) => {
                if self.condition(c, env)? {
                    self.value(a, env)
                } else {
                    self.value(b, env)
                }
            }
            Ex::Match(scrutinee, arms, otherwise) => {
                let v = self.value(scrutinee, env)?;
                for (patterns, body) in arms {
                    if patterns.iter().any(|p| same(p, &v)) {
                        return self.value(body, env);
                    }
                }
                match otherwise {
                    Some(o) => self.value(o, env),
                    None => Err(RefError::new("no arm of the match applies")),
                }
            }
            Ex::Quant(k, slot, list, body) => self.quantified(*k, *slot, list, body, env),
            Ex::List(items) => Ok(Value::List(self.values(items, env)?.into())),
            Ex::Record(fields) => Ok(Value::Record(self.values(fields, env)?.into())),
            Ex::Builtin(b, args) => {
                let args = self.values(args, env)?;
                Ok(ops::builtin(program, *b, &args)?)
            }
            Ex::Calendar(c) => Ok(Value::Integer(i64::from(*c))),
            Ex::IsPresent(x, present) => {
                let here = !matches!(self.value(x, env)?, Value::Absent);
                Ok(Value::Bool(here == *present))
            }
            Ex::ToDecimal(x) => match self.value(x, env)? {
                Value::Integer(n) => Ok(Value::Decimal(n.into())),
                other => Ok(other),
            },
            Ex::Unwrap(x) => match self.value(x, env)? {
                Value::Absent => Err(RefError::new("a value needed here is absent")),
                v => Ok(v),
            },
        }
    }

    fn field(&self, v: Value, i: u32) -> Result<Value, RefError> {
        match v {
            Value::Record(fields) => Ok(fields.get(i as usize).cloned().unwrap_or(Value::Absent)),
            Value::Reason(rule, item) => {
                let items = match self.program.rules.get(rule as usize).map(|r| &r.body) {
                    Some(RuleBodyIr::Reasons(items)) => items,
                    _ => return Err(RefError::new("unknown reason")),
                };
                let Some(reason) = items.get(item as usize) else {
                    return Err(RefError::new("unknown reason"));
                };
                let text = if i == 0 {
                    &reason.code
                } else {
                    &reason.message
                };
                Ok(Value::Text(text.as_str().into()))
            }
            Value::Absent => Err(RefError::new("a field of an absent record was read")),
            other => Err(RefError::new(format!("{} has no fields", kind(&other)))),
        }
    }

    fn param(&self, p: ParamId, day: Day) -> Result<Value, RefError> {
        let Some(param) = self.program.params.get(p as usize) else {
            return Err(RefError::new("unknown parameter"));
        };
        // The value in force: the one with the latest start on or before the day.
        let mut in_force: Option<&(Day, Value)> = None;
        for entry in &param.values {
            if entry.0 <= day && in_force.is_none_or(|f| f.0 <= entry.0) {
                in_force = Some(entry);
            }
        }
        // A replacement that answers from before its first value leaves a gap.
        if param.gaps.iter().any(|(a, b)| *a <= day && day <= *b) {
            in_force = None;
        }
        match in_force {
            Some((_, v)) => Ok(v.clone()),
            None => Err(RefError::new(format!(
                "parameter `{}` has no value in force on {}",
                param.name,
                date::format(day)
            ))),
        }
    }

    fn table(&mut self, t: TableId, keys: &[Value], env: &Env) -> Result<Value, RefError> {
        let program = self.program;
        let Some(table) = program.tables.get(t as usize) else {
            return Err(RefError::new("unknown table"));
        };
        let row: Option<usize> = match &table.lookup {
            TableLookup::Dense { sizes, cells } => {
                // The cell of the key combination, the first key varying slowest.
                let mut index = 0usize;
                for (key, size) in keys.iter().zip(sizes) {
                    let k = match key {
                        Value::Enum(i) => *i as usize,
                        Value::Bool(false) => 0,
                        Value::Bool(true) => 1,
                        _ => {
                            return Err(RefError::new(format!(
                                "table `{}` has no row for an absent key",
                                table.name
                            )))
                        }
                    };
                    index = index * (*size as usize) + k;
                }
                cells.get(index).copied().flatten().map(|r| r as usize)
            }
            TableLookup::Rows { rows, order } => {
                // Rows in the order the hit policy tries them.
                let tried: Vec<usize> = match order {
                    Some(order) => order.iter().map(|i| *i as usize).collect(),
                    None => (0..rows.len()).collect(),
                };
                let mut found = None;
                for r in tried {
                    let Some(patterns) = rows.get(r) else {
                        continue;
                    };
                    let mut all = true;
                    for (pattern, key) in patterns.iter().zip(keys) {
                        if let Some(alternatives) = pattern {
                            let mut any = false;
                            for a in alternatives {
                                if in_pattern(a, key)? {
                                    any = true;
                                }
                            }
                            if !any {
                                all = false;
                            }
                        }
                    }
                    if all {
                        found = Some(r);
                        break;
                    }
                }
                found
            }
        };
        let body = match row.and_then(|r| table.values.get(r)) {
            Some(e) => Some(e),
            None => table.otherwise.as_ref(),
        };
        match body {
            Some(e) => self.value(e, env),
            None => Err(RefError::new(format!(
                "table `{}` has no row for these keys",
                table.name
            ))),
        }
    }

    fn quantified(
        &mut self,
        k: QuantKind,
        slot: u32,
        list: &Ex,
        body: &Ex,
        env: &Env,
    ) -> Result<Value, RefError> {
        let items: Vec<Value> = match self.value(list, env)? {
            Value::List(items) => items.to_vec(),
            Value::Absent => Vec::new(),
            other => {
                return Err(RefError::new(format!(
                    "expected a list, found {}",
                    kind(&other)
                )))
            }
        };
        let mut count = 0i64;
        let mut total: Option<Value> = None;
        let mut out = Vec::new();
        for item in items {
            let mut inner = env.clone();
            inner.push((slot, item.clone()));
            match k {
                QuantKind::Map => out.push(self.value(body, &inner)?),
                QuantKind::Filter => {
                    if self.condition(body, &inner)? {
                        out.push(item);
                    }
                }
                QuantKind::Min | QuantKind::Max => {
                    let v = self.value(body, &inner)?;
                    total = Some(match total {
                        None => v,
                        Some(t) => ops::least_or_greatest(k == QuantKind::Min, t, v)?,
                    });
                }
                QuantKind::Any => {
                    if self.condition(body, &inner)? {
                        return Ok(Value::Bool(true));
                    }
                }
                QuantKind::All => {
                    if !self.condition(body, &inner)? {
                        return Ok(Value::Bool(false));
                    }
                }
                QuantKind::Count => {
                    if self.condition(body, &inner)? {
                        count += 1;
                    }
                }
                QuantKind::Sum(_) => {
                    let v = self.value(body, &inner)?;
                    total = Some(match total {
                        None => v,
                        Some(t) => ops::arith(self.program, ArithOp::Add, t, v)?,
                    });
                }
            }
        }
        Ok(match k {
            QuantKind::Any => Value::Bool(false),
            QuantKind::All => Value::Bool(true),
            QuantKind::Count => Value::Integer(count),
            QuantKind::Sum(of) => total.unwrap_or(of.zero()),
            QuantKind::Map | QuantKind::Filter => Value::List(out.into()),
            QuantKind::Min | QuantKind::Max => total.unwrap_or(Value::Absent),
        })
    }
}
