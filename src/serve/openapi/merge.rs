//! Merging the decision schemas of a rulebook's versions into one that accepts a decision of
//! any version, for the response schema of the OpenAPI document. Every step only widens:
//! properties and definitions member by member, enums united, `required` intersected,
//! alternatives pairwise; what cannot be merged so becomes an `anyOf`, as deep in the tree as
//! it can be.

use serde_json::{json, Map, Value as Json};

/// Two versions' schemas as one that accepts what either accepts. Where two object schemas
/// have the same keywords, they are merged keyword by keyword, each merge only widening:
/// `properties`, `$defs` and an object `items` member by member, `enum` as the union,
/// `required` as the intersection, `anyOf` alternative by alternative, annotations (a
/// description, `x-zan-…`) from the later version. Anything else that differs (a `type`, a
/// `oneOf`, a keyword only one has) makes the two alternatives of an `anyOf`: keeping those
/// deep in the tree rather than at its root matters, as a validator tries each alternative of
/// each level.
pub(super) fn merge(a: Json, b: Json) -> Json {
    if a == b {
        return a;
    }
    match (a, b) {
        (Json::Object(a), Json::Object(b)) if mergeable(&a, &b) => {
            let mut out = Map::new();
            for (key, av) in a {
                let merged = match b.get(&key) {
                    Some(bv) => merge_keyword(&key, av, bv.clone()),
                    None => av,
                };
                out.insert(key, merged);
            }
            for (key, bv) in b {
                if !out.contains_key(&key) {
                    out.insert(key, bv);
                }
            }
            Json::Object(out)
        }
        (a, b) => any_of(a, b),
    }
}

/// Keywords whose value `merge_keyword` merges: the others must be equal.
fn merged_keyword(key: &str) -> bool {
    annotation(key)
        || matches!(
            key,
            "properties" | "$defs" | "items" | "enum" | "required" | "anyOf" | "oneOf" | "allOf"
        )
}

fn annotation(key: &str) -> bool {
    key.starts_with("x-") || matches!(key, "description" | "title" | "examples")
}

/// Whether two object schemas can be merged keyword by keyword: the same keywords (but for
/// annotations and `properties`/`$defs`, which one may lack), and equal where not merged.
fn mergeable(a: &Map<String, Json>, b: &Map<String, Json>) -> bool {
    let optional = |k: &str| annotation(k) || matches!(k, "properties" | "$defs");
    let same_keys = a.keys().all(|k| b.contains_key(k) || optional(k))
        && b.keys().all(|k| a.contains_key(k) || optional(k));
    let anyof_lengths = match (a.get("anyOf"), b.get("anyOf")) {
        (Some(Json::Array(x)), Some(Json::Array(y))) => x.len() == y.len(),
        (None, None) => true,
        _ => false,
    };
    let one_of = match (a.get("oneOf"), b.get("oneOf")) {
        (Some(x), Some(y)) => x == y || same_discriminators(x, y),
        _ => true,
    };
    let all_of = match (a.get("allOf"), b.get("allOf")) {
        (Some(Json::Array(x)), Some(Json::Array(y))) => {
            x.len() == y.len() || (conditionals(x) && conditionals(y))
        }
        _ => true,
    };
    let items_objects = match (a.get("items"), b.get("items")) {
        (Some(x), Some(y)) => x == y || (x.is_object() && y.is_object()),
        _ => true,
    };
    same_keys
        && anyof_lengths
        && one_of
        && all_of
        && items_objects
        && a.iter()
            .all(|(k, v)| merged_keyword(k) || b.get(k).is_none_or(|w| w == v))
}

fn merge_keyword(key: &str, a: Json, b: Json) -> Json {
    match key {
        _ if a == b => a,
        _ if annotation(key) => b,
        "properties" | "$defs" => merge_members(a, b),
        "items" => merge(a, b),
        "enum" => union(a, b),
        "required" => intersect(a, b),
        "anyOf" | "oneOf" => pairwise(a, b),
        "allOf" => match (a, b) {
            (Json::Array(x), Json::Array(y)) if conditionals(&x) && conditionals(&y) => {
                merge_conditionals(x, y)
            }
            (a, b) => pairwise(a, b),
        },
        _ => any_of(a, b),
    }
}

/// Alternatives (or conjuncts) merged one by one: each widens, so the whole does. For a
/// `oneOf`, only where the alternatives pair up by their discriminator (`same_discriminators`),
/// so that they stay exclusive.
fn pairwise(a: Json, b: Json) -> Json {
    match (a, b) {
        (Json::Array(x), Json::Array(y)) if x.len() == y.len() => {
            Json::Array(x.into_iter().zip(y).map(|(x, y)| merge(x, y)).collect())
        }
        (a, b) => any_of(a, b),
    }
}

/// Whether two `oneOf` lists have alternatives told apart by the same `kind`, in the same order.
fn same_discriminators(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len()
                && x.iter().zip(y).all(|(x, y)| {
                    let kind = x.pointer("/properties/kind");
                    kind.is_some() && kind == y.pointer("/properties/kind")
                })
        }
        _ => false,
    }
}

/// Whether an `allOf` is a list of `if`/`then` pairs only (one per rule, say).
fn conditionals(xs: &[Json]) -> bool {
    xs.iter().all(|x| {
        x.as_object()
            .is_some_and(|m| m.len() == 2 && m.contains_key("if") && m.contains_key("then"))
    })
}

/// Two lists of `if`/`then` pairs as one: a condition of only one version keeps its
/// constraint (the other version never meets the condition); one of both has the two
/// consequences as alternatives.
fn merge_conditionals(a: Vec<Json>, b: Vec<Json>) -> Json {
    let mut out: Vec<Json> = a;
    for y in b {
        let found = out.iter().position(|x| x.get("if") == y.get("if"));
        match found {
            Some(i) if out[i] == y => {}
            Some(i) => {
                let then_a = out[i]["then"].take();
                out[i]["then"] = merge(then_a, y["then"].clone());
            }
            None => out.push(y),
        }
    }
    Json::Array(out)
}

fn merge_members(a: Json, b: Json) -> Json {
    match (a, b) {
        (Json::Object(mut a), Json::Object(b)) => {
            for (key, bv) in b {
                let merged = match a.remove(&key) {
                    Some(av) => merge(av, bv),
                    None => bv,
                };
                a.insert(key, merged);
            }
            Json::Object(a)
        }
        (a, b) => any_of(a, b),
    }
}

fn union(a: Json, b: Json) -> Json {
    match (a, b) {
        (Json::Array(mut a), Json::Array(b)) => {
            for x in b {
                if !a.contains(&x) {
                    a.push(x);
                }
            }
            Json::Array(a)
        }
        (a, _) => a,
    }
}

fn intersect(a: Json, b: Json) -> Json {
    match (a, b) {
        (Json::Array(a), Json::Array(b)) => {
            Json::Array(a.into_iter().filter(|x| b.contains(x)).collect())
        }
        (a, _) => a,
    }
}

/// `anyOf` of two schemas, flattening an `anyOf` made by an earlier merge.
fn any_of(a: Json, b: Json) -> Json {
    let mut alternatives = match a {
        Json::Object(mut m) if m.len() == 2 && m.contains_key(MERGED) => match m.remove("anyOf") {
            Some(Json::Array(xs)) => xs,
            Some(other) => vec![other],
            None => vec![Json::Object(m)],
        },
        a => vec![a],
    };
    if !alternatives.contains(&b) {
        alternatives.push(b);
    }
    json!({ "anyOf": alternatives, MERGED: "the schemas of the versions that differ" })
}

/// The mark of an `anyOf` that `merge` made.
const MERGED: &str = "x-zan-merged";
