//! zan: a declarative rules language for law. See `ARCHITECTURE.md` for the pipeline:
//! `syntax` (parse) → `check` (resolve, type, consolidate versions) → `eval`, and the
//! consumers `cli`, `testing`.

pub mod check;
pub mod cli;
pub mod diagnostics;
pub mod eval;
pub mod ir;
pub mod source;
pub mod syntax;
pub mod testing;
pub mod time;
pub mod value;

pub use check::{check, Checked};
pub use eval::{eval, Case, Decision, EvalError};
pub use ir::Rulebook;
pub use source::SourceMap;
