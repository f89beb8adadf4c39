//! Issue 16, items 3 and 17: overlapping cases found at check time (Z0304 decides whether two
//! cases' conditions can hold together), and chains of exceptions checked in near-linear time.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};
use zan::source::SourceMap;

/// A rule and a chain of `n` exceptions, each to the one before: `e_i to e_{i-1}`.
fn exception_chain(n: usize) -> SourceMap {
    let mut text = String::from(
        "rulebook chain {\n  title \"chain\"\n  jurisdiction \"KZ\"\n}\n\nsource s {\n  title \"s\"\n}\n\n\
         fact x: integer\n\noutput rule r: integer\n  cites s \"base\"\n{\n  when x > 0 then 0\n  otherwise 0\n}\n",
    );
    let mut previous = String::from("r");
    for i in 1..=n {
        text.push_str(&format!(
            "\nexception e_{i} to {previous}\n  cites s \"exception {i}\"\n{{\n  when x > {i} then {i}\n}}\n"
        ));
        previous = format!("e_{i}");
    }
    let mut map = SourceMap::new();
    map.add("chain.zan".to_string(), text);
    map
}

/// Run `f` on a thread with the stack the language server gives its handlers.
fn on_server_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(zan::THREAD_STACK_BYTES)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

/// A chain of 4,000 exceptions took 11–20 s to check (a walk per exception searching its path,
/// and a list of the exceptions being compiled searched at every level: cubic); 20,000 did not
/// finish. Both now take well under a second; the bound is generous so that a slow machine
/// passes, and the cubic version fails it by minutes.
#[test]
fn a_chain_of_exceptions_checks_in_near_linear_time() {
    for n in [4_000, 20_000] {
        let checked = on_server_stack(move || {
            let map = exception_chain(n);
            let started = Instant::now();
            let checked = zan::check::check(&map);
            (
                started.elapsed(),
                checked.diagnostics.len(),
                checked.rulebook.is_some(),
            )
        });
        let (took, diagnostics, compiled) = checked;
        assert_eq!(diagnostics, 0, "a chain of {n} exceptions checks clean");
        assert!(compiled);
        assert!(
            took < Duration::from_secs(30),
            "a chain of {n} exceptions took {took:?} to check"
        );
    }
}

/// The language server analyses a rulebook with the same `check` (through `Analysis`): a chain
/// of exceptions no longer stalls it.
#[test]
fn the_language_server_analysis_of_a_chain_is_the_same_check() {
    let (took, diagnostics) = on_server_stack(|| {
        let map = exception_chain(20_000);
        let started = Instant::now();
        let analysis = zan::ide::Analysis::of_map(map, 0);
        (started.elapsed(), analysis.checked.diagnostics.len())
    });
    assert_eq!(diagnostics, 0);
    assert!(took < Duration::from_secs(30), "analysis took {took:?}");
}

/// A cycle of exceptions is still found, once, written from its least name.
#[test]
fn a_cycle_of_exceptions_is_reported_once() {
    let mut map = exception_chain(3);
    let text = "\nexception c_b to c_a\n  cites s \"b\"\n{\n  when x > 1 then 1\n}\n\n\
                exception c_a to c_c\n  cites s \"a\"\n{\n  when x > 1 then 1\n}\n\n\
                exception c_c to c_b\n  cites s \"c\"\n{\n  when x > 1 then 1\n}\n\n\
                exception d to c_c\n  cites s \"d\"\n{\n  when x > 1 then 1\n}\n";
    map.add("cycle.zan".to_string(), text.to_string());
    let checked = zan::check::check(&map);
    let cycles: Vec<&str> = checked
        .diagnostics
        .iter()
        .filter(|d| d.message.starts_with("exceptions form a cycle"))
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(cycles, ["exceptions form a cycle: c_a → c_c → c_b → c_a"]);
}

/// A rulebook of one file: the header, a source, and `body`.
fn rulebook(body: &str) -> SourceMap {
    let mut map = SourceMap::new();
    map.add(
        "overlap.zan".to_string(),
        format!(
            "rulebook t {{\n  title \"t\"\n  jurisdiction \"KZ\"\n}}\n\nsource s {{\n  title \"s\"\n}}\n\n\
             enum Form {{ sticker, electronic, paper }}\n\n\
             record Fine {{\n  days_late: integer\n  other_days: integer\n  amount: money\n  rate: decimal\n  \
             form: Form\n  paid_on: date?\n  repeated: bool\n  visits: integer?\n}}\n\n\
             fact fine: Fine\nfact extra: Fine?\n\n{body}"
        ),
    );
    map
}

/// The messages of the Z0304 diagnostics of a rulebook, which has no other error (so that a
/// silent check is not the silence of a rulebook that does not type-check).
fn conflicts(map: &SourceMap) -> Vec<String> {
    let checked = zan::check::check(map);
    let others: Vec<&str> = checked
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() != "Z0304" && d.severity == zan::diagnostics::Severity::Error)
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(others, Vec::<&str>::new());
    checked
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() == "Z0304")
        .map(|d| d.message.clone())
        .collect()
}

fn rule(name: &str, cases: &str) -> String {
    format!("output rule {name}: integer\n  cites s \"x\"\n{{\n{cases}\n  otherwise 0\n}}\n\n")
}

#[test]
fn overlapping_intervals_are_reported_with_a_witness() {
    let found = conflicts(&rulebook(&rule(
        "fine_mci",
        "  when fine.days_late > 0 then 10\n  when fine.days_late > 30 then 20",
    )));
    assert_eq!(
        found,
        ["two cases apply to the same situation with different values: both apply when fine.days_late = 31"]
    );
}

#[test]
fn each_kind_of_atom_finds_its_overlap() {
    let cases = [
        // Inclusive and strict bounds meet at one integer.
        ("  when fine.days_late >= 10 then 1\n  when fine.days_late <= 10 then 2", "fine.days_late = 10"),
        // Money, dense: between the two bounds.
        ("  when fine.amount > 100 KZT then 1\n  when fine.amount < 101 KZT then 2", "fine.amount = 100.5 KZT"),
        // Dates, with an optional fact known present.
        ("  when fine.paid_on is present and fine.paid_on >= 2026-03-10 then 1\n  when fine.paid_on is present and fine.paid_on < 2026-03-11 then 2",
         "fine.paid_on = 2026-03-10"),
        // A value other than one, below a bound.
        ("  when fine.visits is present and fine.visits != 4 then 1\n  when fine.visits is present and fine.visits < 5 then 2",
         "fine.visits = 3"),
        // Enum sets and booleans.
        ("  when fine.form in [sticker, paper] and fine.repeated then 1\n  when fine.form is not sticker and not (fine.repeated == false) then 2",
         "fine.form is paper and fine.repeated is true"),
        // Equality between facts.
        ("  when fine.days_late == fine.other_days and fine.days_late > 5 then 1\n  when fine.other_days > 7 then 2",
         "fine.days_late = 8 and fine.other_days = 8"),
        // `or` by cases: the second disjunct, the first being false.
        ("  when fine.days_late > 100 or fine.form is electronic then 1\n  when fine.days_late < 50 then 2",
         "fine.days_late = 49 and fine.form is electronic"),
        // A field of an optional record.
        ("  when extra is present and extra.days_late > 2 then 1\n  when extra is present and extra.days_late < 4 then 2",
         "extra.days_late = 3"),
    ];
    for (body, witness) in cases {
        let found = conflicts(&rulebook(&rule("r", body)));
        assert_eq!(found.len(), 1, "{body}: {found:?}");
        assert!(
            found[0].ends_with(&format!("both apply when {witness}")),
            "{body}: {found:?}"
        );
        the_evaluator_conflicts_on(body, witness);
    }
}

/// The witness is a real case: with the second condition hidden from the static check (`and
/// 1 == 1`, which it cannot decide), the rulebook checks, and the evaluator reports the
/// conflict for the case the witness describes.
fn the_evaluator_conflicts_on(body: &str, witness: &str) {
    let (head, tail) = body.rsplit_once("\n  when ").unwrap();
    let (condition, rest) = tail.split_once(" then ").unwrap();
    let hidden = format!("{head}\n  when ({condition}) and 1 == 1 then {rest}");
    let checked = zan::check::check(&rulebook(&rule("r", &hidden)));
    let rb = checked
        .rulebook
        .expect("the rulebook with the hidden overlap checks");
    let mut fine = serde_json::json!({
        "days_late": 0, "other_days": 0, "amount": "0", "rate": "0", "form": "sticker",
        "paid_on": null, "repeated": false, "visits": null
    });
    let mut extra = serde_json::Value::Null;
    for part in witness.split(" and ") {
        let (path, value) = part
            .split_once(" = ")
            .or_else(|| part.split_once(" is "))
            .unwrap();
        let value = match value {
            "absent" => serde_json::Value::Null,
            "true" => serde_json::Value::Bool(true),
            "false" => serde_json::Value::Bool(false),
            v => match v.parse::<i64>() {
                Ok(n) => n.into(),
                Err(_) => v.into(),
            },
        };
        match path.split_once('.') {
            Some(("fine", field)) => fine[field] = value,
            Some(("extra", field)) => {
                if extra.is_null() {
                    extra = fine.clone();
                }
                extra[field] = value;
            }
            _ => panic!("unexpected path in {witness}"),
        }
    }
    let case = serde_json::json!({ "fine": fine, "extra": extra }).to_string();
    let case = zan::eval::case_from_str(&rb, &case).unwrap();
    let program = &rb.versions[0].program;
    let r = program.rules.iter().position(|x| x.name == "r").unwrap() as u32;
    let result = zan::eval::eval_rule(program, &case, 0, r);
    let err = result.expect_err(&format!("{body}: no conflict on {witness}"));
    assert!(err.message.contains("conflict"), "{body}: {}", err.message);
}

/// Conditions that exclude each other, and overlaps that the evaluator resolves (equal values,
/// an exception that ranks above both cases), are not reported: the check must never report an
/// overlap that cannot happen.
#[test]
fn exclusive_conditions_are_not_reported() {
    let bodies = [
        "  when fine.days_late <= 10 then 1\n  when fine.days_late > 10 then 2",
        "  when fine.days_late > 3 and fine.days_late < 4 then 1\n  when fine.days_late > 0 then 2",
        "  when fine.rate > 1.5 then 1\n  when fine.rate <= 1.5 then 2",
        "  when fine.rate > 1.5 and fine.rate < 1.5 then 1\n  when fine.rate > 0 then 2",
        "  when fine.days_late == 2.5 then 1\n  when fine.days_late > 0 then 2",
        "  when fine.form is sticker then 1\n  when fine.form is not sticker then 2",
        "  when fine.form in [sticker, paper] then 1\n  when fine.form is electronic then 2",
        "  when fine.visits is present and fine.visits == 3 then 1\n  when fine.visits is present and fine.visits != 3 then 2",
        "  when fine.visits is absent then 1\n  when fine.visits is present and fine.visits > 1 then 2",
        "  when fine.paid_on is present and fine.paid_on < 2026-03-10 then 1\n  when fine.paid_on is present and fine.paid_on >= 2026-03-10 then 2",
        "  when fine.repeated then 1\n  when not fine.repeated then 2",
        "  when fine.days_late == fine.other_days and fine.days_late > 5 then 1\n  when fine.other_days < 3 then 2",
        "  when extra is absent then 1\n  when extra is present and extra.days_late > 0 then 2",
        "  when fine.amount >= 100 KZT and fine.amount <= 100 KZT then 1\n  when fine.amount != 100 KZT then 2",
        // Overlapping, with equal values.
        "  when fine.days_late > 0 then 1\n  when fine.days_late > 30 then 1",
        // `not (a and b)` is false when `a` is false: the second case needs `a` true there.
        "  when not (fine.days_late > 5 and fine.repeated) and fine.days_late > 5 then 1\n  when fine.repeated then 2",
    ];
    for body in bodies {
        assert_eq!(
            conflicts(&rulebook(&rule("r", body))),
            Vec::<String>::new(),
            "{body}"
        );
    }
    // Cases that overlap only where an exception ranks above both.
    let overridden = rule(
        "r",
        "  when fine.days_late > 0 then 1\n  when fine.days_late > 30 then 2",
    )
        + "exception long to r\n  cites s \"y\"\n{\n  when fine.days_late > 20 then 3\n}\n";
    assert_eq!(conflicts(&rulebook(&overridden)), Vec::<String>::new());
}

/// Overlaps the check cannot decide (functions, rules, lists, conditions beyond the bound on
/// disjuncts) stay silent, even where the conditions do overlap.
#[test]
fn what_cannot_be_decided_stays_silent() {
    // A rule with cases is not read through.
    let helper = "rule late: integer\n  cites s \"x\"\n{\n  when fine.repeated then fine.days_late\n  otherwise 0\n}\n\n";
    let bodies = [
        "  when age(value_or(fine.paid_on, 2020-01-01), 2026-01-01) > 3 then 1\n  when fine.days_late > 3 then 2",
        "  when late > 0 then 1\n  when late > 30 then 2",
        "  when fine.days_late + 1 > 0 then 1\n  when fine.days_late > 30 then 2",
        "  when fine.days_late > fine.other_days then 1\n  when fine.days_late > 30 then 2",
        "  when fine.days_late != fine.other_days then 1\n  when fine.days_late > 30 then 2",
    ];
    for body in bodies {
        let text = format!("{helper}{}", rule("r", body));
        assert_eq!(conflicts(&rulebook(&text)), Vec::<String>::new(), "{body}");
    }
    // Seven `or`s on each side: 2^7 disjuncts, past the bound.
    let wide: Vec<String> = (0..8)
        .map(|i| format!("(fine.days_late > {i} and fine.repeated)"))
        .collect();
    let wide = wide.join(" or ");
    let body = format!("  when {wide} then 1\n  when not ({wide}) or fine.days_late > 10 then 2");
    assert_eq!(
        conflicts(&rulebook(&rule("r", &body))),
        Vec::<String>::new()
    );
}

/// A rule that is one expression reads as that expression in a condition (its value is the
/// expression's), through other such rules.
#[test]
fn conditions_are_read_through_rules_of_one_expression() {
    let helpers = "rule late: integer\n  cites s \"x\"\n{\n  fine.days_late\n}\n\n\
                   rule late_and_repeated: bool\n  cites s \"x\"\n{\n  late > 3 and fine.repeated\n}\n\n";
    let text = format!(
        "{helpers}{}",
        rule(
            "r",
            "  when late > 0 then 1\n  when late_and_repeated then 2"
        )
    );
    assert_eq!(
        conflicts(&rulebook(&text)),
        ["two cases apply to the same situation with different values: both apply when fine.days_late = 4 and fine.repeated is true"]
    );
    let text = format!(
        "{helpers}{}",
        rule(
            "r",
            "  when late <= 3 then 1\n  when late_and_repeated then 2"
        )
    );
    assert_eq!(conflicts(&rulebook(&text)), Vec::<String>::new());
}

/// Exceptions of equal rank (to the same rule) that apply together with different values.
#[test]
fn overlapping_exceptions_are_reported() {
    let text = rule("r", "  when fine.days_late > 0 then 1")
        + "exception a to r\n  cites s \"a\"\n{\n  when fine.days_late > 10 then 2\n}\n\n\
           exception b to r\n  cites s \"b\"\n{\n  when fine.days_late < 20 and fine.repeated then 3\n}\n\n\
           exception c to r\n  cites s \"c\"\n{\n  when fine.days_late < 5 then 2\n}\n";
    assert_eq!(
        conflicts(&rulebook(&text)),
        [
            "exceptions `a` and `b` apply to the same situation with different values: both apply when fine.days_late = 11 and fine.repeated is true",
            "exceptions `b` and `c` apply to the same situation with different values: both apply when fine.days_late = 4 and fine.repeated is true",
        ]
    );
}

/// The shipped rulebook: of the 81 pairs of cases with different constant values, the check
/// shows 55 disjoint and cannot decide 26 (their conditions go through rules with cases,
/// functions, or compare two computed dates), which by reading are disjoint too; it reports no
/// overlap.
#[test]
fn kz_visa_has_no_overlapping_cases() {
    let checked = zan::check::check(&common::kz_visa());
    let z0304: Vec<&str> = checked
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() == "Z0304")
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(z0304, Vec::<&str>::new());
    assert!(!checked.has_errors());
}
