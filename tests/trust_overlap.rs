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
