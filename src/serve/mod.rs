//! `zan serve`: the decision service and the explorer, over HTTP (axum on tokio).
//!
//! The contract (endpoints, bodies, statuses, limits, metrics) is `docs/serve.md`; the
//! OpenAPI document that describes it to clients is built by `openapi.rs` from the rulebooks'
//! own JSON Schemas. Every decision goes through the same `Engine` path as `zan eval`
//! (`Engine::case_from_str`, `Engine::decide`, `Engine::write_decision`), so the same case
//! text gives the same decision bytes here as from the command line.
//!
//! (Skeleton: the server is being built under issue 19.)

pub mod openapi;

/// Start the service; returns the process exit code once it has stopped.
pub fn run() -> i32 {
    1
}
