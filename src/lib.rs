//! zan: a declarative rules language for law. See `ARCHITECTURE.md` for the pipeline:
//! `syntax` (parse) → `check` (resolve, type, consolidate versions) → `eval`, and the
//! consumers `cli`, `lsp`, `diff`, `testing`.
//!
//! Embedding: see [`engine`]. Load and check a rulebook once, then decide cases from any
//! number of threads. Beside it: [`check()`] and [`diagnostics`] (the checker as one pure
//! function, its diagnostics as data), [`ide`] (editor features over an analysis), [`fmt`]
//! (the canonical layout) and [`source`] (the files they point into).
//!
//! Internals: the other modules (the stages `syntax`, `eval`, `ir`, `time`; the consumers
//! `cli`, `lsp`, `diff`, `testing`; `load`, `value`) are public only so that the binary, the
//! tests, benches and fuzz targets can drive them; they are hidden from the documentation and
//! free to change. What an embedder needs from them is re-exported here or by [`engine`]
//! (`Case`, `Decision`, `Value`, `Day`, …). `coverage`, `console` and `ops` are private.
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

// The public surface. An embedder needs these: the engine, the checker and its diagnostics,
// the editor analysis, the formatter, and the source map they all point into.
pub mod check;
pub mod diagnostics;
pub mod engine;
pub mod fmt;
pub mod ide;
pub mod source;

// Public for the `zan` binary, the tests, benches and fuzz targets, which drive the stages one
// by one; hidden from the documentation and not a stable interface (see "Internals" above).
#[doc(hidden)]
pub mod cli;
pub(crate) mod console;
pub(crate) mod coverage;
#[doc(hidden)]
pub mod diff;
#[doc(hidden)]
pub mod eval;
#[doc(hidden)]
pub mod explorer;
#[doc(hidden)]
pub mod ir;
#[doc(hidden)]
pub mod load;
#[doc(hidden)]
pub mod lsp;
pub(crate) mod ops;
#[doc(hidden)]
pub mod serve;
#[doc(hidden)]
pub mod syntax;
#[doc(hidden)]
pub mod testing;
#[doc(hidden)]
pub mod time;
#[doc(hidden)]
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
