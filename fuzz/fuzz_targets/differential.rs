//! The engine against the reference evaluator (`zan::eval::reference`) on cases generated from
//! the fuzzer's bytes (`zan::testing::gen_case`): the first byte picks the rulebook (kz-visa
//! most often, else a small rulebook of tests/data), the rest drive the generator through
//! `arbitrary::Unstructured`. Any difference in an output's value or error panics with the case
//! as JSON, ready to save under tests/data/differential.
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::OnceLock;
use zan::eval::reference;
use zan::testing::gen_case::{case_json, CaseGen, Entropy};
use zan::time::date;

/// The rulebooks, relative to the repository, each checked once.
const RULEBOOKS: &[&str] = &[
    "rulebooks/kz-visa",
    "tests/data/language",
    "tests/data/schema/every-type",
    "tests/data/differential/rulebooks/nested-quantifier",
];

struct Loaded {
    path: &'static str,
    gen: CaseGen<'static>,
}

fn load(path: &'static str) -> Loaded {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path);
    let map = zan::load::rulebook(&dir).unwrap_or_else(|e| panic!("{path}: {e}"));
    let checked = zan::check(&map);
    assert!(
        !checked.diagnostics.iter().any(|d| d.is_error()),
        "{path} has errors"
    );
    let rb: &'static zan::Rulebook = Box::leak(Box::new(checked.rulebook.expect("a rulebook")));
    Loaded {
        path,
        gen: CaseGen::new(rb),
    }
}

fn rulebooks() -> &'static [Loaded] {
    static LOADED: OnceLock<Vec<Loaded>> = OnceLock::new();
    LOADED.get_or_init(|| RULEBOOKS.iter().map(|p| load(p)).collect())
}

/// The generator's choices read from the fuzzer's input.
struct Bytes<'a, 'b>(&'b mut Unstructured<'a>);

impl Entropy for Bytes<'_, '_> {
    fn below(&mut self, n: u64) -> u64 {
        if n <= 1 {
            return 0;
        }
        self.0.int_in_range(0..=n - 1).unwrap_or(0)
    }
}

fuzz_target!(|data: &[u8]| {
    let all = rulebooks();
    let mut u = Unstructured::new(data);
    let pick = u.arbitrary::<u8>().unwrap_or(0) as usize;
    // kz-visa for half the inputs.
    let loaded = if pick < 128 {
        &all[0]
    } else {
        &all[1 + pick % (all.len() - 1)]
    };
    let g = loaded.gen.case(&mut Bytes(&mut u));
    let rb = loaded.gen.rulebook();
    let found = reference::differences(rb, &g.case, g.as_of);
    if !found.is_empty() {
        panic!(
            "{}\n\nregression file: {}",
            found.join("\n"),
            serde_json_text(loaded.path, g.as_of, &case_json(rb, &g.case))
        );
    }
});

fn serde_json_text(path: &str, as_of: date::Day, case: &impl std::fmt::Display) -> String {
    format!(
        "{{\"rulebook\": \"{path}\", \"as_of\": \"{}\", \"case\": {case}}}",
        date::format(as_of)
    )
}
