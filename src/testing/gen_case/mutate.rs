//! Changing a case a little: one to three of its places drawn again. A place is a fact or a
//! record's field (drawn again, or left to its default or absent), an item of a list (drawn
//! again or removed), or the end of a list (an item added). Cases started from an example and
//! `zan diff`'s search from a case that reached a new branch both change cases this way.

use super::values::{Draw, Key};
use super::Entropy;
use crate::ir::*;
use crate::time::date::Day;
use crate::value::Value;

/// A part of a case that can be drawn again: the slots on the way to it (fact, then field or
/// item), what it is, and the (record, field) it belongs to.
struct Place<'s> {
    path: Vec<usize>,
    what: What<'s>,
    key: Key<'s>,
}

enum What<'s> {
    Field(&'s FieldInfo),
    Item(&'s Type),
    /// After the last item of a list.
    End(&'s Type),
}

impl<E: Entropy> Draw<'_, '_, E> {
    /// Remembers the dates and enum values of `facts` (later draws lean on them), then draws
    /// one to three of its places again.
    pub fn change(&mut self, facts: &mut Vec<Value>) {
        let gen = self.gen;
        let schema = &gen.rb.schema;
        for (f, v) in schema.facts.iter().zip(facts.iter()) {
            self.remember(v, &f.ty);
        }
        let mut changes = 1;
        while changes < 3 && self.e.chance(1, 2) {
            changes += 1;
        }
        for _ in 0..changes {
            let mut places = Vec::new();
            places_in(schema, facts, &schema.facts, "", &[], &mut places);
            let Some(place) = self.e.pick(&places) else {
                break;
            };
            let depth = place.path.len();
            let Some((&last, on_the_way)) = place.path.split_last() else {
                continue;
            };
            match place.what {
                What::Field(f) => {
                    let v = self.field(f, place.key.0, depth);
                    at(facts, on_the_way, |items| {
                        if let Some(slot) = items.get_mut(last) {
                            *slot = v;
                        }
                    });
                }
                What::Item(_) if self.e.chance(1, 3) => {
                    at(facts, on_the_way, |items| {
                        if last < items.len() {
                            items.remove(last);
                        }
                    });
                }
                What::Item(t) => {
                    let v = self.value(t, depth, place.key);
                    at(facts, on_the_way, |items| {
                        if let Some(slot) = items.get_mut(last) {
                            *slot = v;
                        }
                    });
                }
                What::End(t) => {
                    let v = self.value(t, depth, place.key);
                    at(facts, on_the_way, |items| items.push(v));
                }
            }
        }
    }

    /// The dates and enum values in `v` (of type `ty`).
    fn remember(&mut self, v: &Value, ty: &Type) {
        let gen = self.gen;
        match (v, ty.without_optional()) {
            (Value::Date(d), _) => self.anchors.push(*d),
            (Value::Period(p), _) => self.anchors.extend([p.start, p.end]),
            (Value::Enum(i), Type::Enum(e)) => self.chosen.entry(*e).or_default().push(*i),
            (Value::Record(fields), Type::Record(r)) => {
                if let Some(rec) = gen.rb.schema.records.get(*r as usize) {
                    for (f, v) in rec.fields.iter().zip(fields.iter()) {
                        self.remember(v, &f.ty);
                    }
                }
            }
            (Value::List(items), Type::List(t)) => items.iter().for_each(|i| self.remember(i, t)),
            _ => {}
        }
    }

    /// Writes the evaluation date at `path` (a slot of `fields`, then of the record's fields),
    /// drawing the records on the way when they are absent.
    pub fn set_date(&mut self, items: &mut [Value], fields: &[FieldInfo], path: &[u32], day: Day) {
        let Some((slot, rest)) = path.split_first() else {
            return;
        };
        let slot = *slot as usize;
        let (Some(f), Some(v)) = (fields.get(slot), items.get_mut(slot)) else {
            return;
        };
        if rest.is_empty() {
            if matches!(v, Value::Date(_) | Value::Absent) {
                *v = Value::Date(day);
            }
            return;
        }
        let Type::Record(r) = f.ty.without_optional() else {
            return;
        };
        let gen = self.gen;
        let Some(rec) = gen.rb.schema.records.get(*r as usize) else {
            return;
        };
        if !matches!(v, Value::Record(_)) {
            let depth = path.len();
            *v = self.value(&Type::Record(*r), depth, (&rec.name, &f.name));
        }
        if let Value::Record(inner) = v {
            let mut copy = inner.to_vec();
            self.set_date(&mut copy, &rec.fields, rest, day);
            *inner = copy.into();
        }
    }
}

/// The places of `items` (the values of `fields`, of the record `record`, "" for the facts).
fn places_in<'s>(
    schema: &'s Schema,
    items: &[Value],
    fields: &'s [FieldInfo],
    record: &'s str,
    path: &[usize],
    out: &mut Vec<Place<'s>>,
) {
    for (i, (f, v)) in fields.iter().zip(items).enumerate() {
        let mut p = path.to_vec();
        p.push(i);
        let key = (record, f.name.as_str());
        inside(schema, v, &f.ty, &p, key, out);
        out.push(Place {
            path: p,
            what: What::Field(f),
            key,
        });
    }
}

/// The places inside `v`, of type `ty`, at `path`.
fn inside<'s>(
    schema: &'s Schema,
    v: &Value,
    ty: &'s Type,
    path: &[usize],
    key: Key<'s>,
    out: &mut Vec<Place<'s>>,
) {
    match (v, ty.without_optional()) {
        (Value::Record(items), Type::Record(r)) => {
            if let Some(rec) = schema.records.get(*r as usize) {
                places_in(schema, items, &rec.fields, &rec.name, path, out);
            }
        }
        (Value::List(items), Type::List(t)) => {
            let mut end = path.to_vec();
            end.push(items.len());
            out.push(Place {
                path: end,
                what: What::End(t),
                key,
            });
            for (i, item) in items.iter().enumerate() {
                let mut p = path.to_vec();
                p.push(i);
                inside(schema, item, t, &p, key, out);
                out.push(Place {
                    path: p,
                    what: What::Item(t),
                    key,
                });
            }
        }
        _ => {}
    }
}

/// Applies `change` to the values that hold the place `path` leads to (the facts, a record's
/// fields or a list's items).
fn at(items: &mut Vec<Value>, path: &[usize], change: impl FnOnce(&mut Vec<Value>)) {
    match path.split_first() {
        None => change(items),
        Some((first, rest)) => {
            if let Some(Value::Record(inner) | Value::List(inner)) = items.get_mut(*first) {
                let mut copy = inner.to_vec();
                at(&mut copy, rest, change);
                *inner = copy.into();
            }
        }
    }
}
