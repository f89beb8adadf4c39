//! The case generator: every case (drawn, changed, from a fuzzer's bytes, spread anywhere or on
//! the boundaries) reads back as itself, and the constants the rules compare a field with are
//! drawn for that field.
#![cfg(test)]
#![allow(clippy::expect_used)]

use super::*;
use crate::eval::case_from_json;
use std::path::Path;

fn kz_visa() -> Rulebook {
    let map = crate::load::rulebook(Path::new("rulebooks/kz-visa")).expect("loads");
    crate::check::check(&map).rulebook.expect("checks")
}

fn inline(text: &str) -> Rulebook {
    let mut map = crate::SourceMap::new();
    map.add("r.zan", text);
    crate::check::check(&map).rulebook.expect("checks")
}

fn reads_back(rb: &Rulebook, g: &GenCase) {
    let json = case_json(rb, &g.case);
    let read = case_from_json(rb, &json);
    assert_eq!(
        read.as_ref().ok(),
        Some(&g.case),
        "{json}\n{:?}",
        read.as_ref().err()
    );
}

#[test]
fn drawn_and_changed_cases_read_back_as_themselves() {
    let rb = kz_visa();
    for spread in [Spread::Anywhere, Spread::Boundaries] {
        let gen = CaseGen::with_versions(&rb, &[], spread);
        let mut e = Seeded::new(11);
        let mut last = gen.case(&mut e);
        for i in 0..300 {
            let g = if i % 2 == 0 {
                gen.case(&mut e)
            } else {
                gen.mutate(&mut e, &last)
            };
            reads_back(&rb, &g);
            last = g;
        }
    }
}

#[test]
fn on_the_boundaries_a_case_is_assessed_on_a_version_boundary() {
    let rb = kz_visa();
    let gen = CaseGen::with_versions(&rb, &[], Spread::Boundaries);
    let mut e = Seeded::new(5);
    for _ in 0..100 {
        let g = gen.case(&mut e);
        assert!(rb.version_on(g.as_of).is_some());
        let given = crate::eval::as_of_date(&rb, &g.case, None);
        assert_eq!(given, Ok(g.as_of));
    }
}

#[test]
fn any_bytes_give_a_case_even_none() {
    let rb = kz_visa();
    let gen = CaseGen::new(&rb);
    for data in [
        &[][..],
        &[0xFF; 7][..],
        &[1, 2, 3, 250, 9, 0, 77, 31, 4, 4, 200][..],
    ] {
        reads_back(&rb, &gen.case(&mut Bytes::new(data)));
    }
}

#[test]
fn the_constant_a_field_is_compared_with_is_drawn_for_it() {
    let rb = inline(
        r#"
rulebook demo { title "Demo" }
source law { title "A law" }
enum Colour { red, green, blue, violet }
fact code: text
fact colour: Colour
output rule special: bool cites law "Code ZX-77 in violet is special." {
  when code == "ZX-77" and colour == violet then true
  otherwise false
}
"#,
    );
    let gen = CaseGen::new(&rb);
    let mut e = Seeded::new(3);
    let cases: Vec<GenCase> = (0..200).map(|_| gen.case(&mut e)).collect();
    let code = cases
        .iter()
        .filter(|g| g.case.facts.first() == Some(&Value::Text("ZX-77".into())))
        .count();
    let violet = cases
        .iter()
        .filter(|g| g.case.facts.get(1) == Some(&Value::Enum(3)))
        .count();
    // Uniform draws would give about 50 violets and no "ZX-77" at all.
    assert!(code >= 20, "{code} cases with the code");
    assert!(violet > 60, "{violet} violet cases");
}
