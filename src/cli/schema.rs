//! `zan schema`: the JSON Schema of a rulebook's case facts, of its decisions and of their
//! explanations, for integrators who validate cases, generate forms or render explanations
//! without reading `.zan` files.

use super::commands::{checked_rulebook, given_date};
use super::output::{self, stderr_line};
use super::{EXIT_OK, EXIT_USAGE};
use crate::eval::json_schema;
use crate::time::date;
use clap::ValueEnum;
use serde_json::json;
use std::path::{Path, PathBuf};

/// Which schema to write.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Part {
    /// The facts of a case, as `zan eval` reads them.
    Case,
    /// The decision that `zan eval --format json` prints.
    Decision,
    /// The explanation of `zan eval --explain` (the decision's `explanation`).
    Explain,
    /// All three: `{"case": ..., "decision": ..., "explanation": ...}`.
    All,
}

pub struct Request {
    pub rulebook: PathBuf,
    pub as_of: Option<String>,
    pub part: Part,
    pub explain: bool,
    pub output: Option<PathBuf>,
}

pub fn schema(r: &Request) -> i32 {
    let given = match given_date(r.as_of.as_deref()) {
        Ok(d) => d,
        Err(code) => return code,
    };
    // A rulebook with errors has no schema: a usage error, as for `zan diff`.
    let Ok(rb) = checked_rulebook(&r.rulebook) else {
        return EXIT_USAGE;
    };
    let version = match given {
        Some(day) => rb.version_on(day),
        None => rb.versions.last(),
    };
    let Some(version) = version else {
        let on = given.map_or("any date".into(), date::format);
        stderr_line!("error: no version of `{}` is in force on {on}", rb.name);
        return EXIT_USAGE;
    };
    // Without zan's `x-zan-*` keywords, which Ajv's strict mode refuses (in `$comment`).
    let doc = json_schema::portable(match r.part {
        Part::Case => json_schema::case_schema(&rb),
        Part::Decision => json_schema::decision_schema(&rb, version, r.explain),
        Part::Explain => json_schema::explanation_schema(&rb, version),
        Part::All => json!({
            "case": json_schema::case_schema(&rb),
            "decision": json_schema::decision_schema(&rb, version, r.explain),
            "explanation": json_schema::explanation_schema(&rb, version),
        }),
    });
    let text = match serde_json::to_string_pretty(&doc) {
        Ok(t) => t + "\n",
        Err(e) => {
            stderr_line!("error: {e}");
            return EXIT_USAGE;
        }
    };
    match r.output.as_deref() {
        Some(p) if p != Path::new("-") => match super::atomic::write(p, text.as_bytes()) {
            Ok(()) => EXIT_OK,
            Err(e) => {
                stderr_line!("error: cannot write {}: {e}", p.display());
                EXIT_USAGE
            }
        },
        _ => output::print("the schema", &text, EXIT_OK),
    }
}
