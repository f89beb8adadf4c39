//! `zan serve`: the command-line side of the service (its flags); the service is `crate::serve`.

use clap::Args;
use std::path::PathBuf;

#[derive(Args)]
pub struct ServeArgs {
    /// The rulebook folders to serve (each under its own name, `/v1/rulebooks/{name}`).
    #[arg(required = true)]
    pub rulebooks: Vec<PathBuf>,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
}

pub fn serve(args: ServeArgs) -> i32 {
    let _ = args;
    crate::serve::run()
}
