//! `zan doc RULEBOOK -o DIR`: the explorer's pages as a static site (no evaluation); the pages
//! are `crate::explorer::static_pages`.

use clap::Args;
use std::path::PathBuf;

#[derive(Args)]
pub struct DocArgs {
    /// The rulebook folder.
    pub rulebook: PathBuf,
    /// The folder to write the site into (created if missing).
    #[arg(short, long)]
    pub output: PathBuf,
}

pub fn doc(args: DocArgs) -> i32 {
    let _ = args;
    super::EXIT_USAGE
}
