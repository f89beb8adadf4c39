//! `diff::generate`: reproducible cases that read, carry their date and reach the branches of
//! every given version.
#![cfg(test)]
#![allow(clippy::expect_used)]

use super::*;
use crate::time::date;
use std::path::Path;
use std::time::Instant;

fn kz_visa() -> Rulebook {
    let map = crate::load::rulebook(Path::new("rulebooks/kz-visa")).expect("loads");
    crate::check::check(&map).rulebook.expect("checks")
}

#[test]
fn same_seed_same_cases_other_seed_other_cases() {
    let rb = kz_visa();
    let a = generate(&[&rb, &rb], 20, 7);
    let b = generate(&[&rb, &rb], 20, 7);
    let c = generate(&[&rb, &rb], 20, 8);
    assert_eq!(a.cases.len(), 20);
    let facts = |g: &Generation| -> Vec<(String, Day)> {
        g.cases
            .iter()
            .map(|c| (c.facts.to_string(), c.as_of))
            .collect()
    };
    assert_eq!(facts(&a), facts(&b));
    assert_eq!((a.branches, a.reached), (b.branches, b.reached));
    assert_ne!(facts(&a), facts(&c));
}

#[test]
fn every_case_reads_and_carries_its_date() {
    let rb = kz_visa();
    let g = generate(&[&rb], 200, 3);
    assert_eq!(g.cases.len(), 200);
    // kz-visa compares no literal date with `as_of`: every date is a version boundary.
    let boundaries: Vec<Day> = rb
        .versions
        .iter()
        .filter_map(|v| v.from)
        .flat_map(|f| [f, f - 1])
        .collect();
    let mut distinct = BTreeSet::new();
    for c in &g.cases {
        let case = case_from_json(&rb, &c.facts);
        assert!(case.is_ok(), "{:?}\n{}", case.err(), c.facts);
        let given = crate::eval::as_of_date(&rb, &case.expect("read"), None);
        assert_eq!(given, Ok(c.as_of));
        assert!(boundaries.contains(&c.as_of), "{}", date::format(c.as_of));
        distinct.insert(c.facts.to_string());
    }
    assert!(distinct.len() > 150, "{} distinct cases", distinct.len());
}

fn inline(text: &str) -> Rulebook {
    let mut map = crate::SourceMap::new();
    map.add("r.zan", text);
    let checked = crate::check::check(&map);
    checked.rulebook.expect("checks")
}

/// An old and a new rulebook with different facts: the cases are written for the new facts,
/// read by the old rulebook without them, and reach the branches of both.
#[test]
fn old_and_new_rulebooks_both_reached() {
    let head = r#"
rulebook demo { title "Demo" }
source law { title "A law" }
"#;
    let old = inline(&format!(
        "{head}
fact age: integer
output rule adult: bool cites law \"Adults are 18 or older.\" {{
  when age >= 18 then true
  otherwise false
}}
"
    ));
    let new = inline(&format!(
        "{head}
fact age: integer
fact resident: bool
fact arrived_on: date?
output rule adult: bool cites law \"Adults are 18 or older.\" {{
  when age >= 21 then true
  otherwise false
}}
output rule settled: bool cites law \"Residents settle after a year.\" {{
  when resident and arrived_on is present and arrived_on + 1 year <= as_of then true
  otherwise false
}}
"
    ));
    let g = generate(&[&old, &new], 8, 5);
    assert_eq!(g.cases.len(), 8);
    assert_eq!(g.branches, 6);
    assert_eq!(g.reached, 6);
    let day = date::from_ymd(2026, 1, 1);
    for c in &g.cases {
        assert!(case_from_json(&new, &c.facts).is_ok(), "{}", c.facts);
        assert!(case_from_json(&old, &project(&old, &c.facts)).is_ok());
        assert_eq!(Some(c.as_of), day);
    }
}

#[test]
fn reaches_most_branches_of_kz_visa() {
    let rb = kz_visa();
    for n in [50, 200, 300] {
        let start = Instant::now();
        let g = generate(&[&rb, &rb], n, 1);
        let took = start.elapsed();
        println!(
            "kz-visa n={n}: reached {}/{} branches ({:.1}%) in {:.2?}",
            g.reached,
            g.branches,
            g.reached as f64 * 100.0 / g.branches.max(1) as f64,
            took
        );
        assert_eq!(g.cases.len(), n);
        assert!(g.branches > 100);
        if n == 300 {
            // About 99% when written; 85% leaves room for harder rules added later.
            assert!(
                g.reached * 100 >= g.branches * 85,
                "{}/{}",
                g.reached,
                g.branches
            );
        }
    }
}

#[test]
fn no_cases_asked_none_given() {
    let rb = kz_visa();
    let g = generate(&[&rb], 0, 1);
    assert!(g.cases.is_empty());
    assert_eq!(g.reached, 0);
    assert_eq!(g.branches, branch_spans(&rb).len());
    let none = generate(&[], 5, 1);
    assert!(none.cases.is_empty());
}
