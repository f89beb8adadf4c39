//! A JSON Schema validator (boon, draft 2020-12, formats asserted) for the tests that hold
//! zan's output to the schemas `zan schema` prints.

use boon::{ErrorKind, InstanceToken, ValidationError};
use serde_json::Value as Json;

/// A compiled schema (or one of its subschemas, by fragment).
pub struct Validator {
    schemas: boon::Schemas,
    index: boon::SchemaIndex,
}

impl Validator {
    pub fn new(schema: &Json) -> Validator {
        Validator::at(schema, "")
    }

    pub fn at(schema: &Json, fragment: &str) -> Validator {
        let id = schema["$id"].as_str().unwrap();
        let mut compiler = boon::Compiler::new();
        compiler.enable_format_assertions();
        compiler.add_resource(id, schema.clone()).unwrap();
        let mut schemas = boon::Schemas::new();
        let index = compiler
            .compile(&format!("{id}{fragment}"), &mut schemas)
            .unwrap_or_else(|e| panic!("the schema {id} does not compile: {e:#}"));
        Validator { schemas, index }
    }

    pub fn check(&self, instance: &Json) -> Result<(), String> {
        self.schemas
            .validate(instance, self.index)
            .map_err(|e| format!("{e:#}"))
    }

    /// The fields the validator finds wrong, as zan writes JSON paths (`$.a.b[0]`): where a
    /// property is missing or unknown, the path of that property.
    pub fn fields(&self, instance: &Json) -> Vec<String> {
        let mut out = Vec::new();
        if let Err(e) = self.schemas.validate(instance, self.index) {
            leaves(&e, &mut out);
        }
        out.sort();
        out.dedup();
        out
    }
}

fn leaves(e: &ValidationError, out: &mut Vec<String>) {
    if !e.causes.is_empty() {
        e.causes.iter().for_each(|c| leaves(c, out));
        return;
    }
    let mut path = String::from("$");
    for t in &e.instance_location.tokens {
        match t {
            InstanceToken::Prop(p) => path.push_str(&format!(".{p}")),
            InstanceToken::Item(i) => path.push_str(&format!("[{i}]")),
        }
    }
    match &e.kind {
        ErrorKind::Required { want } => out.extend(want.iter().map(|w| format!("{path}.{w}"))),
        ErrorKind::AdditionalProperties { got } => {
            out.extend(got.iter().map(|g| format!("{path}.{g}")))
        }
        _ => out.push(path),
    }
}
