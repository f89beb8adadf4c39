//! The behavioural diff: the same cases decided by both versions. A case is the rulebook's
//! tests and examples (of either version), its example files, and generated cases; each is
//! carried as JSON facts so that both versions read it through their own schema.

use super::generate;
use super::{Behaviour, CaseChange, Cite, GenerationInfo, Options, Outcome, OutputChange, Side};
use crate::eval::{self, output::value_json, RuleTrace};
use crate::ir::{Origin, Program, RuleBodyIr, Rulebook, Type};
use crate::time::date::{self, Day};
use crate::value::Value;
use serde_json::{Map, Value as Json};
use std::collections::{BTreeMap, HashMap};

/// One case to decide under both versions.
struct CaseInput {
    id: String,
    origin: &'static str,
    facts: Json,
    as_of: Option<Day>,
}

/// Most intermediate rules named as the chain of one changed case.
const MAX_RULES_CHANGED: usize = 12;

pub fn compare(old: &Side, new: &Side, options: &Options) -> Behaviour {
    let mut cases = Vec::new();
    written_cases(&mut cases, new, old);
    let generation = (options.generate > 0).then(|| {
        let g = generate::generate(
            &[old.rulebook, new.rulebook],
            options.generate,
            options.seed,
        );
        for (i, c) in g.cases.iter().enumerate() {
            cases.push(CaseInput {
                id: format!("generated #{}", i + 1),
                origin: "generated",
                facts: c.facts.clone(),
                as_of: Some(c.as_of),
            });
        }
        GenerationInfo {
            cases: g.cases.len(),
            seed: options.seed,
            branches: g.branches,
            reached: g.reached,
        }
    });
    let mut evaluated: Vec<(String, usize)> = Vec::new();
    let mut decided = Vec::with_capacity(cases.len());
    // How many cases get each value of an output only one version gives: the most common
    // value is the usual one, and only the others are news for a case.
    let mut new_outputs: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    let mut removed_outputs: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for case in &cases {
        match evaluated.iter_mut().find(|(o, _)| o == case.origin) {
            Some((_, n)) => *n += 1,
            None => evaluated.push((case.origin.to_string(), 1)),
        }
        let a = decide(old, case);
        let b = decide(new, case);
        if let (Ok(a), Ok(b)) = (&a, &b) {
            tally_one_sided(&mut new_outputs, &b.outputs, &a.outputs);
            tally_one_sided(&mut removed_outputs, &a.outputs, &b.outputs);
        }
        decided.push((case, a, b));
    }
    let usual = Usual {
        new: most_common(&new_outputs),
        removed: most_common(&removed_outputs),
    };
    let mut changed = Vec::new();
    let mut per_output: BTreeMap<String, usize> = BTreeMap::new();
    for (case, a, b) in decided {
        if let Some(c) = case_change(case, a, b, &usual) {
            for o in &c.outputs {
                *per_output.entry(o.output.clone()).or_default() += 1;
            }
            changed.push(c);
        }
    }
    // Cases whose existing decisions changed first, then those that only get new ones.
    changed.sort_by_key(|c| c.outputs.iter().all(|o| o.old.missing || o.new.missing));
    let mut changed_per_output: Vec<(String, usize)> = per_output.into_iter().collect();
    changed_per_output.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    Behaviour {
        evaluated,
        generated: generation,
        changed,
        changed_per_output,
        new_outputs: sorted_tally(new_outputs),
        removed_outputs: removed_outputs.into_keys().collect(),
    }
}

fn tally_one_sided(
    tally: &mut BTreeMap<String, BTreeMap<String, usize>>,
    these: &BTreeMap<String, Outcome>,
    others: &BTreeMap<String, Outcome>,
) {
    for (name, outcome) in these {
        if !others.contains_key(name) {
            *tally
                .entry(name.clone())
                .or_default()
                .entry(outcome.text())
                .or_default() += 1;
        }
    }
}

fn most_common(tally: &BTreeMap<String, BTreeMap<String, usize>>) -> HashMap<String, String> {
    tally
        .iter()
        .filter_map(|(name, values)| {
            let (value, _) = values
                .iter()
                .max_by(|x, y| x.1.cmp(y.1).then(y.0.cmp(x.0)))?;
            Some((name.clone(), value.clone()))
        })
        .collect()
}

fn sorted_tally(
    tally: BTreeMap<String, BTreeMap<String, usize>>,
) -> Vec<(String, Vec<(String, usize)>)> {
    tally
        .into_iter()
        .map(|(k, v)| {
            let mut v: Vec<(String, usize)> = v.into_iter().collect();
            v.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
            (k, v)
        })
        .collect()
}

/// The usual value of each output only one version gives.
struct Usual {
    new: HashMap<String, String>,
    removed: HashMap<String, String>,
}

impl Usual {
    /// Whether a one-sided output tells this case something: a value that is neither
    /// neutral (false, absent, empty, zero, `not_...`) nor the one most cases get.
    fn notable(map: &HashMap<String, String>, name: &str, o: &Outcome) -> bool {
        !o.neutral && map.get(name).is_none_or(|usual| *usual != o.text())
    }
}

/// The tests, examples and example files of both versions (the new one's first; one of the
/// old version's only when the new version has none of that name).
fn written_cases(out: &mut Vec<CaseInput>, new: &Side, old: &Side) {
    for side in [new, old] {
        let rb = side.rulebook;
        for t in &rb.tests {
            let id = format!("test `{}`", t.name);
            if !out.iter().any(|c| c.id == id) {
                out.push(CaseInput {
                    id,
                    origin: "test",
                    facts: facts_json(rb, &t.facts),
                    as_of: t.as_of,
                });
            }
        }
    }
    for side in [new, old] {
        let rb = side.rulebook;
        for e in &rb.examples {
            let id = format!("example `{}`", e.name);
            if !out.iter().any(|c| c.id == id) {
                out.push(CaseInput {
                    id,
                    origin: "example",
                    facts: facts_json(rb, &e.facts),
                    as_of: None,
                });
            }
        }
    }
    for side in [new, old] {
        for (name, text) in &side.case_files {
            if !out.iter().any(|c| c.id == *name) {
                out.push(CaseInput {
                    id: name.clone(),
                    origin: "example file",
                    facts: serde_json::from_str(text).unwrap_or(Json::Null),
                    as_of: None,
                });
            }
        }
    }
}

/// Facts (in the slot order of `rb`'s schema) as the JSON a case file would hold.
fn facts_json(rb: &Rulebook, facts: &[Value]) -> Json {
    let mut o = Map::new();
    for (f, v) in rb.schema.facts.iter().zip(facts) {
        if !matches!(v, Value::Absent) {
            o.insert(f.name.clone(), input_json(rb, &f.ty, v));
        }
    }
    Json::Object(o)
}

/// A value in the input format of case files (amounts as plain decimal text).
fn input_json(rb: &Rulebook, ty: &Type, v: &Value) -> Json {
    match (v, ty) {
        (Value::Absent, _) => Json::Null,
        (_, Type::Optional(inner)) => input_json(rb, inner, v),
        (Value::Money(d), _) => Json::String(d.normalize().to_string()),
        (Value::Record(fields), Type::Record(r)) => {
            let mut o = Map::new();
            if let Some(info) = rb.schema.records.get(*r as usize) {
                for (f, v) in info.fields.iter().zip(fields.iter()) {
                    if !matches!(v, Value::Absent) {
                        o.insert(f.name.clone(), input_json(rb, &f.ty, v));
                    }
                }
            }
            Json::Object(o)
        }
        (Value::List(items), Type::List(t)) => {
            Json::Array(items.iter().map(|i| input_json(rb, t, i)).collect())
        }
        _ => value_json(rb, &Program::default(), ty, v),
    }
}

/// The outputs of a case under one version, and the value of every rule it evaluated.
struct Decided {
    outputs: BTreeMap<String, Outcome>,
    rules: HashMap<String, Json>,
}

fn decide(side: &Side, case: &CaseInput) -> Result<Decided, String> {
    let rb = side.rulebook;
    let facts =
        eval::case_from_json(rb, &generate::project(rb, &case.facts)).map_err(|errors| {
            let first = errors.first().map(|e| e.to_string()).unwrap_or_default();
            format!("invalid case: {first}")
        })?;
    // The case's own date (its `as of` in a test, or the rulebook's `as of` fact); a case
    // without one is decided on the side's date.
    let as_of = eval::as_of_date(rb, &facts, case.as_of)
        .or_else(|e| side.on.ok_or(e))
        .map_err(|e| e.to_string())?;
    // By date, the rules are those in force on the side's date; the case keeps its own date
    // (for ages, deadlines and the parameter values of its year).
    let rules_on = side.on.unwrap_or(as_of);
    let version = rb
        .versions
        .iter()
        .position(|v| v.from.is_none_or(|f| f <= rules_on) && v.until.is_none_or(|u| rules_on <= u))
        .ok_or_else(|| format!("no version in force on {}", date::format(rules_on)))?;
    let (decision, traces) =
        eval::eval_version_traced(rb, version, &facts, as_of).map_err(|e| e.to_string())?;
    let program = &decision.program;
    let mut outputs = BTreeMap::new();
    for (id, result) in &decision.outputs {
        let Some(rule) = program.rules.get(*id as usize) else {
            continue;
        };
        let trace = traces.iter().find(|t| t.rule == *id);
        let (value, error, neutral) = match result {
            Ok(v) => (
                value_json(rb, program, &rule.ty, v),
                None,
                eval::output::neutral(rb, &rule.ty, v),
            ),
            Err(e) => (Json::Null, Some(e.to_string()), false),
        };
        outputs.insert(
            rule.name.clone(),
            Outcome {
                value,
                error,
                by: trace.map(by),
                citations: trace.map(|t| cites(rb, program, t)).unwrap_or_default(),
                amendment: trace.and_then(|t| amendment(rb, &t.origin)),
                neutral,
                missing: false,
            },
        );
    }
    let rules = traces
        .iter()
        .filter(|t| !t.output)
        .filter_map(|t| {
            let rule = program.rules.get(t.rule as usize)?;
            let v = match &t.value {
                Ok(v) => value_json(rb, program, &rule.ty, v),
                Err(e) => Json::String(format!("error: {e}")),
            };
            Some((t.name.clone(), v))
        })
        .collect();
    Ok(Decided { outputs, rules })
}

/// "rule `x`, case 2", "exception `y`", "rule `x`, otherwise".
fn by(t: &RuleTrace) -> String {
    let what = if t.definition == t.name {
        format!("rule `{}`", t.definition)
    } else {
        format!("exception `{}`", t.definition)
    };
    match (t.kind, t.case) {
        ("case", Some(i)) => format!("{what}, case {i}"),
        ("otherwise", _) => format!("{what}, otherwise"),
        _ => what,
    }
}

/// The citations behind a value: of the case taken, or of the reasons given.
fn cites(rb: &Rulebook, program: &Program, t: &RuleTrace) -> Vec<Cite> {
    let given: Vec<&crate::ir::Citation> = match program.rules.get(t.rule as usize).map(|r| &r.body)
    {
        Some(RuleBodyIr::Reasons(items)) if t.kind == "reasons" => t
            .reasons
            .iter()
            .filter_map(|i| items.get(*i).and_then(|r| r.citation.as_ref()))
            .collect(),
        _ => t.citations.iter().collect(),
    };
    let mut out: Vec<Cite> = Vec::new();
    for c in given {
        let cite = Cite {
            source: rb
                .sources
                .get(c.source as usize)
                .map_or(String::new(), |s| s.name.clone()),
            quote: c.quote.clone(),
        };
        if !out.contains(&cite) {
            out.push(cite);
        }
    }
    out
}

fn amendment(rb: &Rulebook, o: &Origin) -> Option<String> {
    match o {
        Origin::Baseline => None,
        Origin::Amendment {
            amendment, from, ..
        } => rb
            .amendments
            .get(*amendment as usize)
            .map(|a| format!("{} (from {})", a.name, date::format(*from))),
    }
}

/// An outcome that is not an output's value: a whole case that failed or was decided, or an
/// output the version does not have.
fn bare(value: Json, error: Option<&str>, missing: bool) -> Outcome {
    Outcome {
        value,
        error: error.map(str::to_string),
        by: None,
        citations: Vec::new(),
        amendment: None,
        neutral: missing,
        missing,
    }
}

fn failed(e: &str) -> Outcome {
    bare(Json::Null, Some(e), false)
}

fn decided() -> Outcome {
    bare(Json::String("decided".into()), None, false)
}

fn missing() -> Outcome {
    bare(Json::Null, None, true)
}

/// How the case's outcome differs, if it does.
fn case_change(
    case: &CaseInput,
    a: Result<Decided, String>,
    b: Result<Decided, String>,
    usual: &Usual,
) -> Option<CaseChange> {
    let (outputs, rules_changed) = match (a, b) {
        (Err(x), Err(y)) if x == y => return None,
        (Err(x), Err(y)) => (vec![whole_case(failed(&x), failed(&y))], Vec::new()),
        (Err(x), Ok(_)) => (vec![whole_case(failed(&x), decided())], Vec::new()),
        (Ok(_), Err(y)) => (vec![whole_case(decided(), failed(&y))], Vec::new()),
        (Ok(a), Ok(b)) => {
            // An output both versions give, with another value; or one only one version
            // gives, when its value says something (not false, absent, empty or zero).
            let mut outputs: Vec<OutputChange> = Vec::new();
            for (name, new) in &b.outputs {
                let old = match a.outputs.get(name) {
                    Some(old) if old.text() != new.text() => old.clone(),
                    None if Usual::notable(&usual.new, name, new) => missing(),
                    _ => continue,
                };
                outputs.push(OutputChange {
                    output: name.clone(),
                    old,
                    new: new.clone(),
                });
            }
            for (name, old) in &a.outputs {
                if !b.outputs.contains_key(name) && Usual::notable(&usual.removed, name, old) {
                    outputs.push(OutputChange {
                        output: name.clone(),
                        old: old.clone(),
                        new: missing(),
                    });
                }
            }
            if outputs.is_empty() {
                return None;
            }
            let mut rules: Vec<String> = b
                .rules
                .iter()
                .filter(|(name, v)| a.rules.get(*name).is_some_and(|w| w != *v))
                .map(|(name, _)| name.clone())
                .collect();
            rules.sort();
            rules.truncate(MAX_RULES_CHANGED);
            (outputs, rules)
        }
    };
    Some(CaseChange {
        case: case.id.clone(),
        origin: case.origin.to_string(),
        as_of: case.as_of,
        facts: (case.origin == "generated").then(|| case.facts.clone()),
        outputs,
        rules_changed,
    })
}

fn whole_case(old: Outcome, new: Outcome) -> OutputChange {
    OutputChange {
        output: "(the case)".into(),
        old,
        new,
    }
}
