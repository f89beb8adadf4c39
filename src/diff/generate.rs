//! Generated cases for the behavioural diff (placeholder until the generator lands).

use crate::ir::Rulebook;
use crate::time::date::Day;

#[derive(Clone, Debug)]
pub struct GeneratedCase {
    pub facts: serde_json::Value,
    pub as_of: Day,
}

#[derive(Clone, Debug)]
pub struct Generation {
    pub cases: Vec<GeneratedCase>,
    pub branches: usize,
    pub reached: usize,
}

pub fn generate(_rulebooks: &[&Rulebook], _n: usize, _seed: u64) -> Generation {
    Generation { cases: Vec::new(), branches: 0, reached: 0 }
}
