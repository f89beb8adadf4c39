//! zan: a declarative rules language for law. See `ARCHITECTURE.md` for the pipeline:
//! `syntax` (parse) → `check` (resolve, type, consolidate versions) → `eval`, and the
//! consumers `cli`, `testing`.
//!
//! Embedding: check a rulebook once, then evaluate cases as of a date.
//!
//! ```
//! use zan::{check, eval, source::SourceMap, time::date};
//!
//! let mut map = SourceMap::new();
//! map.add("age.zan", r#"
//! rulebook demo { title "Demo" }
//! source law { title "A law" }
//! fact birth_date: date
//! output rule adult: bool cites law "Adults are 18 or older." {
//!   age(birth_date, as_of) >= 18
//! }
//! "#);
//! let checked = check(&map);
//! let rulebook = checked.rulebook.expect("the rulebook checks");
//! let case = eval::case_from_json(&rulebook, &serde_json::json!({ "birth_date": "2008-03-10" }))
//!     .expect("the case matches the facts");
//! let day = date::parse("2026-03-10").expect("a date");
//! let decision = eval(&rulebook, &case, day, false).expect("a version is in force");
//! let json = eval::output::decision_json(&rulebook, &decision);
//! assert_eq!(json["outputs"]["adult"], serde_json::json!(true));
//! ```

pub mod check;
pub mod cli;
pub mod coverage;
pub mod diagnostics;
pub mod diff;
pub mod eval;
pub mod fmt;
pub mod ide;
pub mod ir;
pub mod lsp;
pub mod source;
pub mod syntax;
pub mod testing;
pub mod time;
pub mod value;

pub use check::{check, Checked};
pub use eval::{eval, Case, Decision, EvalError};
pub use ir::Rulebook;
pub use source::SourceMap;
