//! The explanation as JSON (`zan-explanation/2`, described by `zan schema --part explain`):
//! the consolidated version used and, per output decided, its derivation as a tree of nodes.
//! Values are written as the decision writes their type (`value`) and as a person reads them
//! (`value_text`), so a web page can show the tree without knowing zan's types.

use super::derivation::{
    Aggregate, AggregateItem, Cited, DateFrom, GivenBy, Node, NodeKind, NotApplied, RuleStep,
    Skipped,
};
use super::derivation_text::{formula, op_written};
use super::explain::Explanation;
use super::output::{citation_json, value_json};
use super::value_text::value_text;
use super::{Decision, EvalError};
use crate::ir::*;
use crate::time::date;
use crate::value::Value;
use serde_json::{json, Map, Value as Json};

/// The version of the format: a change that a reader of the previous one could misread
/// bumps it.
pub const FORMAT: &str = "zan-explanation/2";

/// The explanation of a decision.
pub fn explanation_json(rb: &Rulebook, d: &Decision, x: &Explanation) -> Json {
    let applied: Vec<Json> = x
        .applied
        .iter()
        .map(|p| {
            json!({
                "amendment": rb.amendments.get(p.amendment as usize).map(|a| a.name.as_str()),
                "action": p.action, "kind": p.kind, "name": p.name, "in_force": date::format(p.from),
            })
        })
        .collect();
    json!({
        "format": FORMAT,
        "rulebook": x.rulebook,
        "as_of": date::format(x.as_of),
        "depth": match x.depth {
            super::Depth::Path => "path",
            super::Depth::Full => "full",
        },
        "version": {
            "in_force_from": x.version_from.map(date::format),
            "in_force_until": x.version_until.map(date::format),
            "amendments_applied": applied,
        },
        "outputs": x.outputs.iter().map(|n| node_json(rb, &d.program, n)).collect::<Vec<_>>(),
    })
}

/// One node and the nodes beneath it.
pub fn node_json(rb: &Rulebook, p: &Program, n: &Node) -> Json {
    let mut o = Map::new();
    o.insert("kind".into(), json!(kind_name(&n.kind)));
    o.insert("text".into(), json!(n.text));
    if let Some(l) = &n.label {
        o.insert("label".into(), json!(l));
    }
    match &n.value {
        Ok(v) => o.insert("value".into(), value_json(rb, p, &n.ty, v)),
        Err(e) => o.insert("error".into(), json!(e.message)),
    };
    o.insert(
        "value_text".into(),
        json!(result_text(rb, p, &n.ty, &n.value)),
    );
    let citations: Vec<Json> = n.citations.iter().map(|c| cited_json(rb, c)).collect();
    o.insert("citations".into(), Json::Array(citations));
    kind_fields(rb, p, n, &mut o);
    let children: Vec<Json> = n.children.iter().map(|c| node_json(rb, p, c)).collect();
    o.insert("children".into(), Json::Array(children));
    Json::Object(o)
}

/// The name of a node's kind in the JSON format (`"kind"`).
pub fn kind_name(k: &NodeKind) -> &'static str {
    match k {
        NodeKind::Rule(_) => "rule",
        NodeKind::SeeAbove { .. } => "see_above",
        NodeKind::Fact { .. } => "fact",
        NodeKind::Local => "local",
        NodeKind::Constant => "constant",
        NodeKind::AsOfDate => "as_of_date",
        NodeKind::Table { .. } => "table",
        NodeKind::Parameter { .. } => "parameter",
        NodeKind::WorkingDays { .. } => "working_days",
        NodeKind::Arithmetic { .. } => "arithmetic",
        NodeKind::Condition => "condition",
        NodeKind::Aggregation { .. } => "aggregation",
        NodeKind::Call { .. } => "call",
        NodeKind::Expression => "expression",
    }
}

/// A value, or the error that stopped it, as a person reads it.
pub(crate) fn result_text(
    rb: &Rulebook,
    p: &Program,
    ty: &Type,
    r: &Result<Value, EvalError>,
) -> String {
    match r {
        Ok(v) => value_text(rb, p, ty, v),
        Err(e) => format!("error: {}", e.message),
    }
}

fn kind_fields(rb: &Rulebook, p: &Program, n: &Node, o: &mut Map<String, Json>) {
    match &n.kind {
        NodeKind::Rule(step) => rule_fields(rb, p, step, o),
        NodeKind::SeeAbove { rule } => {
            o.insert("rule".into(), json!(rule_name(p, *rule)));
        }
        NodeKind::Fact { json_path } => {
            o.insert("json_path".into(), json!(json_path));
        }
        NodeKind::Table {
            table,
            row,
            row_text,
        } => {
            let name = p.tables.get(*table as usize).map(|t| t.name.as_str());
            o.insert("table".into(), json!(name));
            o.insert("row".into(), json!(row.map(|r| r + 1)));
            o.insert("row_text".into(), json!(row_text));
        }
        NodeKind::Parameter {
            param,
            on,
            date,
            in_force_from,
        } => {
            let name = p.params.get(*param as usize).map(|x| x.name.as_str());
            o.insert("parameter".into(), json!(name));
            o.insert("on".into(), json!(date::format(*on)));
            let from = match date {
                DateFrom::EvaluationDate => "evaluation_date",
                DateFrom::AsOf => "as_of",
            };
            o.insert("date_from".into(), json!(from));
            o.insert("in_force_from".into(), json!(date::format(*in_force_from)));
        }
        NodeKind::WorkingDays {
            calendar,
            start,
            days,
            skipped,
        } => {
            let name = p.calendars.get(*calendar as usize).map(|c| c.name.as_str());
            o.insert("calendar".into(), json!(name));
            o.insert("start".into(), json!(date::format(*start)));
            o.insert("days".into(), json!(days));
            o.insert("skipped".into(), skipped_json(skipped));
        }
        NodeKind::Arithmetic { op } => {
            o.insert("op".into(), json!(op_written(*op)));
            o.insert("formula".into(), json!(formula(rb, p, n, *op)));
        }
        NodeKind::Aggregation {
            kind,
            items,
            item_ty,
        } => {
            o.insert("aggregate".into(), json!(aggregate_name(*kind)));
            let result_ty = aggregate_result_type(*kind, &n.ty);
            let items: Vec<Json> = items
                .iter()
                .map(|i| item_json(rb, p, i, item_ty, &result_ty))
                .collect();
            o.insert("items".into(), Json::Array(items));
        }
        NodeKind::Call { name } => {
            o.insert("name".into(), json!(name));
        }
        NodeKind::Local
        | NodeKind::Constant
        | NodeKind::AsOfDate
        | NodeKind::Condition
        | NodeKind::Expression => {}
    }
}

fn rule_fields(rb: &Rulebook, p: &Program, s: &RuleStep, o: &mut Map<String, Json>) {
    o.insert("rule".into(), json!(rule_name(p, s.rule)));
    o.insert("output".into(), json!(s.output));
    o.insert("definition".into(), json!(s.definition));
    o.insert("exception".into(), json!(s.exception));
    o.insert("given_by".into(), given_by_json(&s.given_by));
    o.insert("amendment".into(), origin_json(rb, &s.origin));
    let condition = s.condition.as_ref().map(|c| node_json(rb, p, c));
    o.insert("condition".into(), condition.unwrap_or(Json::Null));
    let why_not: Vec<Json> = s.why_not.iter().map(|w| why_not_json(rb, p, w)).collect();
    o.insert("why_not".into(), Json::Array(why_not));
    let reasons: Vec<Json> = s
        .reasons
        .iter()
        .filter_map(|&i| p.reason(s.rule, i))
        .map(|r| {
            json!({
                "code": r.code,
                "message": r.message,
                "citation": r.citation.as_ref().map(|c| source_json(rb, c)),
            })
        })
        .collect();
    o.insert("reasons".into(), Json::Array(reasons));
    let sources: Vec<Json> = s.sources.iter().map(|c| source_json(rb, c)).collect();
    o.insert("sources".into(), Json::Array(sources));
}

pub(crate) fn rule_name(p: &Program, id: RuleId) -> &str {
    p.rules.get(id as usize).map_or("?", |r| r.name.as_str())
}

fn given_by_json(g: &GivenBy) -> Json {
    match g {
        GivenBy::Case(n) => json!({ "kind": "case", "case": n }),
        GivenBy::Otherwise => json!({ "kind": "otherwise" }),
        GivenBy::Expression => json!({ "kind": "expression" }),
        GivenBy::Reasons => json!({ "kind": "reasons" }),
        GivenBy::Failed => json!({ "kind": "failed" }),
    }
}

fn why_not_json(rb: &Rulebook, p: &Program, w: &NotApplied) -> Json {
    json!({
        "definition": w.definition,
        "exception": w.exception,
        "case": w.case,
        "failed": w.failed.as_ref().map(|f| node_json(rb, p, f)),
        "amendment": origin_json(rb, &w.origin),
        "citations": w.citations.iter().map(|c| source_json(rb, c)).collect::<Vec<_>>(),
    })
}

/// The amendment a definition comes from (null for the baseline).
pub(crate) fn origin_json(rb: &Rulebook, o: &Origin) -> Json {
    match o {
        Origin::Baseline => Json::Null,
        Origin::Amendment {
            amendment,
            from,
            replaced,
        } => {
            let a = rb.amendments.get(*amendment as usize);
            json!({
                "name": a.map(|a| a.name.as_str()),
                "in_force": date::format(*from),
                "action": if *replaced { "replaced" } else { "added" },
                "citations": a.map(|a| a.citations.iter().map(|c| citation_json(rb, c)).collect::<Vec<_>>()),
            })
        }
    }
}

fn skipped_json(skipped: &[Skipped]) -> Json {
    Json::Array(
        skipped
            .iter()
            .map(
                |s| json!({ "from": date::format(s.from), "to": date::format(s.to), "why": s.why }),
            )
            .collect(),
    )
}

pub(crate) fn aggregate_name(a: Aggregate) -> &'static str {
    match a {
        Aggregate::Count => "count",
        Aggregate::Sum => "sum",
        Aggregate::Any => "any",
        Aggregate::All => "all",
        Aggregate::Map => "map",
        Aggregate::Filter => "filter",
        Aggregate::Min => "min",
        Aggregate::Max => "max",
    }
}

/// What the body gives for one item, from the type of the whole form: whether it counted (a
/// bool), for `sum` the amount added (the sum's type), for `map` the new item (the list's
/// item type), for `min` and `max` the value compared (the result's type, present).
pub(crate) fn aggregate_result_type(a: Aggregate, form_ty: &Type) -> Type {
    match a {
        Aggregate::Sum => form_ty.clone(),
        Aggregate::Map => match form_ty.without_optional() {
            Type::List(t) => (**t).clone(),
            _ => Type::Error,
        },
        Aggregate::Min | Aggregate::Max => form_ty.without_optional().clone(),
        Aggregate::Count | Aggregate::Any | Aggregate::All | Aggregate::Filter => Type::Bool,
    }
}

fn item_json(
    rb: &Rulebook,
    p: &Program,
    i: &AggregateItem,
    item_ty: &Type,
    result_ty: &Type,
) -> Json {
    let mut o = json!({
        "index": i.index,
        "value": value_json(rb, p, item_ty, &i.item),
        "value_text": value_text(rb, p, item_ty, &i.item),
    });
    match &i.result {
        Ok(v) => o["result"] = value_json(rb, p, result_ty, v),
        Err(e) => {
            o["result"] = Json::Null;
            o["error"] = json!(e.message);
        }
    }
    o
}

/// A citation of a node: the source, where the quoted sentence stands in its legal text, and
/// whether it is specific to the value (a case's, a row's) or a heading.
fn cited_json(rb: &Rulebook, c: &Cited) -> Json {
    let mut o = source_json(rb, &c.citation);
    o["specific"] = json!(c.specific);
    o
}

/// `citation_json` plus `line`: the line (from 1) of the legal text where the quote starts,
/// null when the text was not read or the quote is not found in it.
pub(crate) fn source_json(rb: &Rulebook, c: &Citation) -> Json {
    let mut o = citation_json(rb, c);
    o["line"] = json!(quote_line(rb, c));
    o
}

/// The line (from 1) where the quoted sentence starts in the source's legal text: its first
/// words up to an elision (`...`, `…`), whitespace compared loosely as the checker does.
pub(crate) fn quote_line(rb: &Rulebook, c: &Citation) -> Option<usize> {
    let file = rb.sources.get(c.source as usize)?.file.as_deref()?;
    let text = rb.source_map.legal_text(file)?;
    let quote = c.quote.as_deref()?;
    let first = quote.split("...").next()?.split('…').next()?;
    let words: Vec<&str> = first.split_whitespace().collect();
    let head = *words.first()?;
    let t = text.text.as_str();
    let mut from = 0;
    while let Some(i) = t.get(from..)?.find(head) {
        let start = from + i;
        if words_follow(t, start, &words) {
            return Some(text.line_col(start).0 + 1);
        }
        from = start + head.len();
    }
    None
}

/// Whether `words` stand at `start` in `text`, separated by any whitespace.
fn words_follow(text: &str, start: usize, words: &[&str]) -> bool {
    let mut at = start;
    for (i, w) in words.iter().enumerate() {
        let Some(rest) = text.get(at..) else {
            return false;
        };
        let rest = if i > 0 { rest.trim_start() } else { rest };
        if !rest.starts_with(w) {
            return false;
        }
        at = text.len() - rest.len() + w.len();
    }
    true
}
