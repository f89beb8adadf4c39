//! Decisions as JSON (the documented, stable format) and as text for a person, with the
//! explanation (its JSON in `derivation_json`, its text in `derivation_text`).

use super::derivation::{Depth, GivenBy, Node, NodeKind};
pub use super::derivation_json::explanation_json;
use super::derivation_json::result_text;
use super::derivation_text::derivation_text;
use super::explain::Explanation;
use super::value_text::value_text;
use super::Decision;
use crate::ir::*;
use crate::time::date;
use crate::value::{DurationUnit, Value};
use serde_json::{json, Map, Value as Json};

/// A value as JSON, using its type for enum names and currencies. Decimals and amounts are
/// strings so that no reader turns them into floating point.
pub fn value_json(rb: &Rulebook, p: &Program, ty: &Type, v: &Value) -> Json {
    match (v, ty) {
        (Value::Absent, _) => Json::Null,
        // A present optional value is shown as the value itself.
        (_, Type::Optional(inner)) => value_json(rb, p, inner, v),
        (Value::Bool(b), _) => json!(b),
        (Value::Integer(n), _) => json!(n),
        (Value::Decimal(d), _) => json!(d.normalize().to_string()),
        (Value::Money(d), Type::Money(c)) => json!({ "amount": money_text(*d), "currency": &**c }),
        (Value::Money(d), _) => json!({ "amount": money_text(*d), "currency": "KZT" }),
        (Value::Date(d), _) => json!(date::format(*d)),
        (Value::Duration(d), _) => {
            let unit = match d.unit {
                DurationUnit::Days => "days",
                DurationUnit::Months => "months",
                DurationUnit::WorkingDays => "working_days",
            };
            let mut o = Map::new();
            o.insert(unit.into(), json!(d.amount));
            if let Some(c) = d.calendar.and_then(|c| p.calendars.get(c as usize)) {
                o.insert("calendar".into(), json!(c.name));
            }
            Json::Object(o)
        }
        (Value::Text(t), _) => json!(&**t),
        (Value::Period(per), _) => {
            json!({ "start": date::format(per.start), "end": date::format(per.end) })
        }
        (Value::Enum(i), Type::Enum(e)) => json!(rb.schema.variant_name(*e, *i).unwrap_or("")),
        (Value::Enum(i), _) => json!(i),
        (Value::Record(fields), Type::Record(r)) => {
            let mut o = Map::new();
            if let Some(info) = rb.schema.records.get(*r as usize) {
                for (f, v) in info.fields.iter().zip(fields.iter()) {
                    o.insert(f.name.clone(), value_json(rb, p, &f.ty, v));
                }
            }
            Json::Object(o)
        }
        (Value::List(items), Type::List(t)) => {
            Json::Array(items.iter().map(|i| value_json(rb, p, t, i)).collect())
        }
        (Value::List(items), _) => Json::Array(
            items
                .iter()
                .map(|i| value_json(rb, p, &Type::Error, i))
                .collect(),
        ),
        (Value::Reason(rule, item), _) => reason_json(rb, p, *rule, *item as usize),
        (Value::Record(_), _) => Json::Null,
    }
}

/// Amounts keep at least two decimals (tiyn), as written on payment documents.
pub(crate) fn money_text(d: rust_decimal::Decimal) -> String {
    let n = d.normalize();
    if n.scale() < 2 {
        let mut x = n;
        x.rescale(2);
        x.to_string()
    } else {
        n.to_string()
    }
}

fn reason_json(rb: &Rulebook, p: &Program, rule: RuleId, item: usize) -> Json {
    let Some(r) = p.reason(rule, item) else {
        return Json::Null;
    };
    let mut o = json!({ "code": r.code, "message": r.message });
    if let Some(c) = &r.citation {
        o["citation"] = citation_json(rb, c);
    }
    o
}

pub fn citation_json(rb: &Rulebook, c: &Citation) -> Json {
    let src = rb.sources.get(c.source as usize);
    json!({
        "source": src.map(|s| s.name.as_str()),
        "title": src.and_then(|s| s.title.as_deref()),
        "file": src.and_then(|s| s.file.as_deref()),
        "quote": c.quote,
    })
}

/// `{"outputs": {...}, "errors": [...]}` plus `"explanation"` when asked for.
pub fn decision_json(rb: &Rulebook, d: &Decision) -> Json {
    let mut outputs = Map::new();
    let mut errors = Vec::new();
    for (id, r) in &d.outputs {
        let Some(rule) = d.program.rules.get(*id as usize) else {
            continue;
        };
        match r {
            Ok(v) => {
                outputs.insert(rule.name.clone(), value_json(rb, &d.program, &rule.ty, v));
            }
            Err(e) => {
                errors.push(json!({ "output": rule.name, "rule": e.rule, "message": e.message }))
            }
        }
    }
    let mut out =
        json!({ "rulebook": rb.name, "as_of": date::format(d.as_of), "outputs": outputs });
    if !errors.is_empty() {
        out["errors"] = Json::Array(errors);
    }
    if let Some(x) = &d.explanation {
        out["explanation"] = explanation_json(rb, d, x);
    }
    out
}

/// The decision for a person: outputs first, grouped by the subject file that declares them,
/// then why. Within a subject, outputs with no value for this case share one line; subjects
/// where every output is neutral (no value, empty, false, zero, a `not_...` value) are only
/// named at the end, so the subjects the case is about come first.
pub fn decision_text(rb: &Rulebook, d: &Decision) -> String {
    let mut s = String::new();
    let title = rb.title.as_deref().unwrap_or(&rb.name);
    s.push_str(&format!(
        "{title} — as of {}\n",
        super::value_text::date_text(d.as_of)
    ));
    let mut subjects: Vec<Subject> = Vec::new();
    for (id, r) in &d.outputs {
        let Some(rule) = d.program.rules.get(*id as usize) else {
            continue;
        };
        let name = subject_of(rb, rule.span);
        let subject = match subjects.iter_mut().position(|x| x.name == name) {
            Some(i) => &mut subjects[i],
            None => {
                subjects.push(Subject {
                    name,
                    ..Subject::default()
                });
                let last = subjects.len() - 1;
                &mut subjects[last]
            }
        };
        subject.add(rb, d, rule, r);
    }
    let mut quiet = Vec::new();
    for sub in &subjects {
        if !sub.concerned {
            quiet.push(sub.name.as_str());
            continue;
        }
        s.push_str(&format!("\n  [{}]\n", sub.name));
        for l in &sub.lines {
            s.push_str(&format!("    {l}\n"));
        }
        if !sub.empty.is_empty() {
            s.push_str(&format!(
                "    (none for this case: {})\n",
                sub.empty.join(", ")
            ));
        }
    }
    if !quiet.is_empty() {
        s.push_str(&format!(
            "\n  nothing to report for this case in: {}\n",
            quiet.join(", ")
        ));
    }
    if let Some(x) = &d.explanation {
        s.push_str(&explanation_text(rb, d, x));
    }
    s
}

/// The outputs of one subject file, as text lines.
#[derive(Default)]
struct Subject {
    name: String,
    lines: Vec<String>,
    empty: Vec<String>,
    /// Some output has a value that is not neutral (or an error).
    concerned: bool,
}

impl Subject {
    fn add(
        &mut self,
        rb: &Rulebook,
        d: &Decision,
        rule: &RuleIr,
        r: &Result<Value, super::EvalError>,
    ) {
        let v = match r {
            Ok(v) => v,
            Err(e) => {
                self.concerned = true;
                self.lines.push(format!("{} = error: {}", rule.name, e));
                return;
            }
        };
        self.concerned |= !neutral(rb, &rule.ty, v);
        match v {
            Value::Absent => self.empty.push(rule.name.clone()),
            Value::List(items) if items.is_empty() => self.empty.push(rule.name.clone()),
            Value::List(items) if items.iter().all(|v| matches!(v, Value::Reason(..))) => {
                self.lines.push(format!("{}:", rule.name));
                for v in items.iter() {
                    let j = value_json(rb, &d.program, &Type::Reason, v);
                    self.lines.push(format!(
                        "  - {}: {}",
                        j["code"].as_str().unwrap_or("?"),
                        j["message"].as_str().unwrap_or("")
                    ));
                }
            }
            v => self.lines.push(format!(
                "{} = {}",
                rule.name,
                value_text(rb, &d.program, &rule.ty, v)
            )),
        }
    }
}

/// A value that says nothing about this case: absent, empty, false, zero, or an enum value
/// named `not_...` (`not_applicable`, `not_assessed`).
pub(crate) fn neutral(rb: &Rulebook, ty: &Type, v: &Value) -> bool {
    match (v, ty) {
        (Value::Absent | Value::Bool(false), _) => true,
        (Value::List(items), _) => items.is_empty(),
        (Value::Integer(n), _) => *n == 0,
        (Value::Decimal(x) | Value::Money(x), _) => x.is_zero(),
        (Value::Enum(i), _) => {
            let e = match ty {
                Type::Enum(e) => *e,
                Type::Optional(inner) => match &**inner {
                    Type::Enum(e) => *e,
                    _ => return false,
                },
                _ => return false,
            };
            rb.schema
                .variant_name(e, *i)
                .is_some_and(|v| v.starts_with("not_"))
        }
        _ => false,
    }
}

/// The subject of a declaration: the stem of the file it is written in.
fn subject_of(rb: &Rulebook, span: crate::source::Span) -> String {
    let name = rb.source_map.get(span.file).map_or("", |f| f.name.as_str());
    let file = name.rsplit('/').next().unwrap_or(name);
    file.strip_suffix(".zan").unwrap_or(file).to_string()
}

/// Why: the consolidated version used, then each output's derivation. At path depth the
/// outputs with nothing to report (a neutral value, or a constant `otherwise`) share one
/// short list after the others, so they do not drown those that matter.
fn explanation_text(rb: &Rulebook, d: &Decision, x: &Explanation) -> String {
    let mut s = String::from("\nWhy\n");
    let version = match (x.version_from, x.version_until) {
        (None, None) => "the only version".to_string(),
        (f, u) => format!(
            "the version in force {}",
            crate::time::period::describe(f, u)
        ),
    };
    s.push_str(&format!("  consolidated rulebook: {version}\n"));
    for p in &x.applied {
        let a = rb
            .amendments
            .get(p.amendment as usize)
            .map_or("?", |a| a.name.as_str());
        s.push_str(&format!(
            "    {a} {} {} `{}` from {}\n",
            p.action,
            p.kind,
            p.name,
            date::format(p.from)
        ));
    }
    let mut quiet = Vec::new();
    for n in &x.outputs {
        if x.depth == Depth::Path && nothing_to_report(rb, n) {
            quiet.push(format!(
                "{} = {}",
                n.text,
                result_text(rb, &d.program, &n.ty, &n.value)
            ));
            continue;
        }
        s.push('\n');
        for line in derivation_text(rb, &d.program, n).lines() {
            s.push_str(&format!("  {line}\n"));
        }
    }
    if !quiet.is_empty() {
        s.push_str("\n  nothing to report for this case (or a fixed `otherwise`):\n");
        for line in wrap(&quiet, 96) {
            s.push_str(&format!("    {line}\n"));
        }
    }
    s
}

/// An output whose derivation says nothing about the case: a neutral value (see `neutral`),
/// or the `otherwise` of its rule with nothing beneath it.
fn nothing_to_report(rb: &Rulebook, n: &Node) -> bool {
    let Ok(v) = &n.value else {
        return false;
    };
    let fixed = matches!(&n.kind, NodeKind::Rule(step) if step.given_by == GivenBy::Otherwise)
        && n.children
            .iter()
            .all(|c| matches!(c.kind, NodeKind::Constant));
    fixed || neutral(rb, &n.ty, v)
}

/// Items joined by `; `, in lines of about `width` characters.
fn wrap(items: &[String], width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for item in items {
        if !current.is_empty() && current.len() + item.len() + 2 > width {
            lines.push(std::mem::take(&mut current) + ";");
        }
        if !current.is_empty() {
            current.push_str("; ");
        }
        current.push_str(item);
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}
