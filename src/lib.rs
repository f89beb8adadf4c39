//! zan: a declarative rules language for law. See `ARCHITECTURE.md` for the pipeline:
//! `syntax` (parse) → `check` (resolve, type, consolidate versions) → `eval`, and the
//! consumers `cli`, `testing`.
//!
//! Embedding: see [`engine`]. Load and check a rulebook once, then decide cases from any
//! number of threads.
//!
//! ```
//! use zan::engine::{Engine, Options};
//! use zan::SourceMap;
//!
//! let mut sources = SourceMap::new();
//! sources.add("age.zan", r#"
//! rulebook demo { title "Demo" }
//! source law { title "A law" }
//! fact birth_date: date
//! output rule adult: bool cites law "Adults are 18 or older." {
//!   age(birth_date, as_of) >= 18
//! }
//! "#);
//! let engine = Engine::from_sources(sources).expect("the rulebook checks");
//! let options = Options { as_of: zan::engine::parse_date("2026-03-10"), ..Options::default() };
//! let decision = engine.decide_str(r#"{"birth_date": "2008-03-10"}"#, &options).expect("decided");
//! assert_eq!(decision, r#"{"rulebook":"demo","as_of":"2026-03-10","outputs":{"adult":true}}"#);
//! ```

/// The stack every thread that parses, checks or evaluates is given. The deepest declaration
/// accepted (`syntax::MAX_NESTING` brackets, `syntax::MAX_OPERATORS` operators) is walked
/// recursively by each stage and fits in it with room to spare, in debug builds too. An
/// embedder that decides cases on its own threads should give them this much.
pub const THREAD_STACK_BYTES: usize = 64 * 1024 * 1024;

pub mod check;
pub mod cli;
pub(crate) mod console;
pub mod coverage;
pub mod diagnostics;
pub mod diff;
pub mod engine;
pub mod eval;
pub mod fmt;
pub mod ide;
pub mod ir;
pub mod load;
pub mod lsp;
pub mod source;
pub mod syntax;
pub mod testing;
pub mod time;
pub mod value;

pub use check::{check, Checked};
pub use engine::Engine;
pub use eval::{eval, Case, Decision, EvalError};
pub use ir::Rulebook;
pub use source::SourceMap;

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
