//! The law's arithmetic in the explanation (issue 18's "done when"): for the state duties, the
//! Article 517 and 518 fines, the legalisation route and the NSC deadlines of the kz-visa
//! examples, `--explain` shows the table row, the parameter value or the calendar days behind
//! each amount and deadline, and the specific sentence that sets it; and over every example,
//! every money amount and every working-day deadline shows what sets it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use rust_decimal::Decimal;
use std::path::Path;
use zan::engine::{Decision, Engine, Options};
use zan::eval::derivation::{DateFrom, Depth, Node, NodeKind};
use zan::ir::{Citation, Program, Type};
use zan::value::Value;

fn engine() -> Engine {
    Engine::load(Path::new("rulebooks/kz-visa")).unwrap()
}

fn decide(engine: &Engine, example: &str, depth: Depth) -> Decision {
    let path = format!("rulebooks/kz-visa/examples/{example}.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let case = engine.case_from_str(&text).unwrap();
    let options = Options {
        explain: Some(depth),
        ..Options::default()
    };
    engine.decide(&case, &options).unwrap()
}

/// The derivation of output `name`.
fn output<'d>(d: &'d Decision, name: &str) -> &'d Node {
    let x = d.explanation.as_ref().expect("an explanation");
    x.outputs
        .iter()
        .find(|n| matches!(&n.kind, NodeKind::Rule(s) if d.program.rules[s.rule as usize].name == name))
        .unwrap_or_else(|| panic!("no derivation of `{name}`"))
}

/// Every node of a tree, the root first, then depth first, including the conditions and
/// failed conditions that rule nodes hold beside their children.
fn nodes(n: &Node) -> Vec<&Node> {
    let mut out = vec![n];
    if let NodeKind::Rule(step) = &n.kind {
        out.extend(step.condition.iter().flat_map(|c| nodes(c)));
        for w in &step.why_not {
            out.extend(w.failed.iter().flat_map(|c| nodes(c)));
        }
    }
    for c in &n.children {
        out.extend(nodes(c));
    }
    out
}

fn table_name<'p>(p: &'p Program, n: &Node) -> Option<&'p str> {
    match n.kind {
        NodeKind::Table { table, .. } => Some(p.tables[table as usize].name.as_str()),
        _ => None,
    }
}

fn param_name<'p>(p: &'p Program, n: &Node) -> Option<&'p str> {
    match n.kind {
        NodeKind::Parameter { param, .. } => Some(p.params[param as usize].name.as_str()),
        _ => None,
    }
}

fn quote(c: &Citation) -> &str {
    c.quote.as_deref().unwrap_or("")
}

fn specific_quotes(n: &Node) -> Vec<&str> {
    n.citations
        .iter()
        .filter(|c| c.specific)
        .map(|c| quote(&c.citation))
        .collect()
}

fn sources(n: &Node) -> Vec<&str> {
    match &n.kind {
        NodeKind::Rule(step) => step.sources.iter().map(quote).collect(),
        _ => panic!("not a rule node: {}", n.text),
    }
}

/// The one row of `table` used beneath `n`: the row's keys as written, and its own sentence.
fn row<'n>(p: &Program, n: &'n Node, table: &str) -> (&'n Node, String, Vec<&'n str>) {
    let found: Vec<&Node> = nodes(n)
        .into_iter()
        .filter(|m| table_name(p, m) == Some(table))
        .collect();
    let first = *found
        .first()
        .unwrap_or_else(|| panic!("no look-up of table `{table}` beneath `{}`", n.text));
    let NodeKind::Table {
        row: Some(_),
        row_text,
        ..
    } = &first.kind
    else {
        panic!("table `{table}` beneath `{}` matched no row", n.text)
    };
    (first, row_text.clone(), specific_quotes(first))
}

fn mci_node<'n>(p: &Program, n: &'n Node) -> &'n Node {
    nodes(n)
        .into_iter()
        .find(|m| param_name(p, m) == Some("mci"))
        .unwrap_or_else(|| panic!("no `mci` beneath `{}`", n.text))
}

fn money(s: &str) -> Value {
    Value::Money(s.parse::<Decimal>().unwrap())
}

fn day(s: &str) -> zan::engine::Day {
    zan::time::date::parse(s).unwrap()
}

/// A multiplication beneath `n` whose operands and result are these values.
fn has_product(n: &Node, left: Value, right: Value, result: Value) -> bool {
    nodes(n).into_iter().any(|m| {
        matches!(
            m.kind,
            NodeKind::Arithmetic {
                op: zan::ir::ArithOp::Mul
            }
        ) && m.value.as_ref().ok() == Some(&result)
            && m.children.len() == 2
            && zan::eval::values_equal(m.children[0].value.as_ref().unwrap(), &left)
            && zan::eval::values_equal(m.children[1].value.as_ref().unwrap(), &right)
    })
}

#[test]
fn state_duty_shows_the_rate_row_the_mci_and_the_product() {
    let e = engine();
    let d = decide(&e, "aifc-employee-visa-change", Depth::Path);
    let p = &d.program;
    let duty = output(&d, "visa_procedure_state_duty");
    let (_, row_text, quotes) = row(p, duty, "visa_state_duty_mci");
    assert_eq!(row_text, "multiple_entry_visa_issuance_in_kazakhstan");
    assert_eq!(
        quotes,
        ["Issuance of a multiple entry visa on the territory of the Republic of Kazakhstan"]
    );
    let mci = mci_node(p, duty);
    assert_eq!(mci.value, Ok(money("4325")));
    assert!(
        matches!(
            &mci.kind,
            NodeKind::Parameter { date: DateFrom::EvaluationDate, in_force_from, on, .. }
                if *in_force_from == day("2026-01-01") && *on == d.as_of
        ),
        "{:?}",
        mci.kind
    );
    assert!(has_product(
        duty,
        Value::Decimal(Decimal::from(30)),
        money("4325"),
        money("129750")
    ));
    // The row's sentence comes before the rule's heading ("AMOUNT OF STATE DUTY").
    let s = sources(duty);
    let row_at = s
        .iter()
        .position(|q| q.starts_with("Issuance of a multiple"))
        .unwrap();
    let heading_at = s.iter().position(|q| *q == "AMOUNT OF STATE DUTY").unwrap();
    assert!(row_at < heading_at, "{s:#?}");

    // The permanent residence duty, too, shows the MCI it multiplies.
    let d = decide(&e, "pr-applicant-refused-with-labour-offence", Depth::Path);
    let duty = output(&d, "pr_state_duty");
    assert_eq!(duty.value, Ok(money("17300")));
    assert_eq!(mci_node(&d.program, duty).value, Ok(money("4325")));
}

#[test]
fn article_518_fine_shows_the_row_the_mci_of_the_offence_date_and_the_product() {
    let e = engine();
    let d = decide(&e, "stay-host-late-notice-repeated", Depth::Path);
    let p = &d.program;
    let fines = output(&d, "host_migration_fines");
    let (_, row_text, quotes) = row(p, fines, "art518_fine_mci");
    assert_eq!(row_text, "part_3, large_business");
    assert_eq!(
        quotes,
        ["for large business – in the amount of one hundred monthly calculation indices."]
    );
    let mci = mci_node(p, fines);
    assert_eq!(mci.value, Ok(money("4325")));
    let NodeKind::Parameter {
        date,
        on,
        in_force_from,
        ..
    } = &mci.kind
    else {
        unreachable!()
    };
    assert_eq!(
        *date,
        DateFrom::AsOf,
        "the MCI of the offence date, not of the evaluation date"
    );
    assert_eq!(*on, day("2026-03-31"));
    assert_eq!(*in_force_from, day("2026-01-01"));
    assert_eq!(mci.children.len(), 1, "the `as of` date's own derivation");
    assert!(has_product(
        fines,
        Value::Decimal(Decimal::from(100)),
        money("4325"),
        money("432500")
    ));
    assert!(sources(fines).contains(
        &"for large business – in the amount of one hundred monthly calculation indices."
    ));
}

#[test]
fn article_517_fine_shows_the_row_and_the_mci_of_the_offence_date() {
    let e = engine();
    let d = decide(&e, "stay-uzbek-visitor-overstay", Depth::Path);
    let p = &d.program;
    let fines = output(&d, "foreigner_migration_fines");
    let (_, row_text, quotes) = row(p, fines, "art517_fine_mci");
    assert_eq!(row_text, "late_departure, more than 5 up to 10");
    assert_eq!(quotes, ["Warning 10 MCI 15 MCI 25 MCI |"]);
    let mci = mci_node(p, fines);
    assert!(matches!(
        &mci.kind,
        NodeKind::Parameter { date: DateFrom::AsOf, on, .. } if *on == day("2026-02-09")
    ));
    assert!(has_product(
        fines,
        Value::Decimal(Decimal::from(15)),
        money("4325"),
        money("64875")
    ));
}

#[test]
fn legalisation_route_shows_the_row_of_the_route_table_and_its_sentence() {
    let e = engine();
    let d = decide(&e, "documents-from-several-countries", Depth::Path);
    let p = &d.program;
    let route = output(&d, "foreign_document_route");
    let (table, _, quotes) = row(p, route, "legalisation_route");
    assert!(!quotes.is_empty(), "the route's row cites no sentence");
    assert!(
        !table.children.is_empty(),
        "the keys that chose the row are shown"
    );
    let s = sources(route);
    assert_eq!(
        s.first(),
        quotes.first(),
        "the row's sentence comes first: {s:#?}"
    );
}

#[test]
fn nsc_deadline_counts_working_days_and_names_the_days_it_skips() {
    let e = engine();
    let d = decide(&e, "c3-work-visa-invitation", Depth::Path);
    let deadline = output(&d, "nsc_approval_deadline");
    assert_eq!(deadline.value, Ok(Value::Date(day("2026-03-30"))));
    let counted = nodes(deadline)
        .into_iter()
        .find_map(|n| match &n.kind {
            NodeKind::WorkingDays {
                start,
                days,
                skipped,
                ..
            } => Some((*start, *days, skipped)),
            _ => None,
        })
        .expect("a working-day count");
    assert_eq!((counted.0, counted.1), (day("2026-03-20"), 3));
    let names: Vec<&str> = counted.2.iter().map(|s| s.why.as_str()).collect();
    assert!(names.iter().any(|n| n.contains("Nauryz")), "{names:?}");
    assert!(names.contains(&"weekend"), "{names:?}");
    assert!(counted
        .2
        .iter()
        .all(|s| s.from > day("2026-03-20") && s.to < day("2026-03-30")));
    assert_eq!(
        sources(deadline).first(),
        Some(&"The approval period is up to three working days.")
    );
    let decision = output(&d, "invitation_decision_deadline");
    assert!(nodes(decision)
        .iter()
        .any(|n| matches!(n.kind, NodeKind::WorkingDays { days: 1, .. })));
}

/// Whether a type holds money somewhere (a fine record, a list of them).
fn holds_money(rb: &zan::Rulebook, ty: &Type) -> bool {
    match ty {
        Type::Money(_) => true,
        Type::Optional(t) | Type::List(t) => holds_money(rb, t),
        Type::Record(r) => rb.schema.records[*r as usize]
            .fields
            .iter()
            .any(|f| holds_money(rb, &f.ty)),
        _ => false,
    }
}

fn is_zero_or_empty(v: &Value) -> bool {
    match v {
        Value::Money(m) => m.is_zero(),
        Value::List(items) => items.is_empty(),
        Value::Absent => true,
        _ => false,
    }
}

#[test]
fn every_amount_and_working_day_deadline_of_every_example_shows_what_sets_it() {
    let e = engine();
    let rb = e.rulebook();
    let mut amounts = 0;
    let mut deadlines = 0;
    let dir = common::root().join("rulebooks/kz-visa/examples");
    for file in common::files_in(&dir, "json") {
        let example = file.file_stem().unwrap().to_string_lossy().into_owned();
        let d = decide(&e, &example, Depth::Path);
        let p = &d.program;
        for n in &d.explanation.as_ref().unwrap().outputs {
            let Ok(v) = &n.value else { continue };
            if holds_money(rb, &n.ty) && !is_zero_or_empty(v) {
                amounts += 1;
                let beneath = nodes(n);
                assert!(
                    beneath.iter().any(|m| param_name(p, m).is_some()),
                    "{example}: `{}` shows no parameter value behind its amount",
                    n.text
                );
                assert!(
                    beneath.iter().any(|m| !specific_quotes(m).is_empty()),
                    "{example}: `{}` shows no specific sentence behind its amount",
                    n.text
                );
            }
            let counts = counts_beneath(n, n);
            if matches!(v, Value::Date(_)) && !counts.is_empty() {
                deadlines += 1;
                for (rule, count) in counts {
                    assert!(
                        !rule.citations.is_empty(),
                        "{example}: `{}`, which counts `{}`, cites no sentence",
                        rule.text,
                        count.text
                    );
                    assert_days_add_up(&example, count);
                }
            }
        }
    }
    assert!(amounts >= 15, "only {amounts} amounts were seen");
    assert!(
        deadlines >= 10,
        "only {deadlines} working-day deadlines were seen"
    );
}

/// A working-day count's arithmetic holds: the calendar days from the start to the result are
/// the working days counted plus the non-working days it says it skipped.
fn assert_days_add_up(example: &str, n: &Node) {
    let NodeKind::WorkingDays {
        start,
        days,
        skipped,
        ..
    } = &n.kind
    else {
        unreachable!()
    };
    let Ok(Value::Date(end)) = n.value else {
        return;
    };
    let skipped_days: i64 = skipped.iter().map(|s| i64::from(s.to - s.from) + 1).sum();
    let calendar_days = i64::from(end - *start).abs();
    assert_eq!(
        calendar_days,
        days.abs() + skipped_days,
        "{example}: `{}` from {start} counts {days} working days to {end} but skips {skipped:?}",
        n.text
    );
    // Runs in the order the count meets them: forwards for `+`, backwards for `-`.
    let in_order = |w: &[zan::eval::derivation::Skipped]| {
        if *days >= 0 {
            w[0].to < w[1].from
        } else {
            w[1].to < w[0].from
        }
    };
    assert!(
        skipped.windows(2).all(in_order),
        "{example}: `{}`: runs out of order: {skipped:?}",
        n.text
    );
}

/// Every working-day count beneath `n`, with the innermost rule that makes it (whose
/// citation is the sentence that sets the period).
fn counts_beneath<'n>(rule: &'n Node, n: &'n Node) -> Vec<(&'n Node, &'n Node)> {
    let rule = if matches!(n.kind, NodeKind::Rule(_)) {
        n
    } else {
        rule
    };
    let mut out = Vec::new();
    if matches!(n.kind, NodeKind::WorkingDays { .. }) {
        out.push((rule, n));
    }
    for c in &n.children {
        out.extend(counts_beneath(rule, c));
    }
    out
}
