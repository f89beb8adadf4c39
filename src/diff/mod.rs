//! `zan diff`: what changed between two versions of a rulebook, for review. Pure: the CLI
//! loads both versions (two folders, two git revisions, or two dates of one rulebook) and
//! prints the report.

pub mod generate;
