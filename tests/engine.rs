//! The embedding API as one path for every consumer: a missing date is its own error (the
//! CLI's exit code and hint come from it), and the indented decision is the one-line writer's
//! text laid out, on every kz-visa example.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use zan::engine::{DecideError, Engine, NoDate, Options};
use zan::SourceMap;

fn engine(header: &str) -> Engine {
    let mut sources = SourceMap::new();
    sources.add(
        "r.zan",
        format!(
            "rulebook r {{ title \"t\" {header} }}\nsource law {{ title \"Law\" }}\nfact day: date?\noutput rule one: integer cites law \"one\" {{ 1 }}\n"
        ),
    );
    Engine::from_sources(sources).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_case_without_a_date_is_no_date_in_the_core_s_own_words() {
    let options = Options::default();
    let e = engine("as of day").decide_str("{}", &options).unwrap_err();
    assert_eq!(e, DecideError::NoDate(NoDate::Absent("day".into())));
    let e = engine("")
        .decide_str(r#"{"day": "2026-01-01"}"#, &options)
        .unwrap_err();
    assert_eq!(e, DecideError::NoDate(NoDate::NoAsOfFact));
    // The core says what is missing; how to give a date is the caller's to say.
    assert!(!e.to_string().contains("--as-of"), "{e}");
    assert_eq!(e.json()["kind"], "evaluation");
    // A date given is enough.
    let options = Options {
        as_of: zan::engine::parse_date("2026-03-10"),
        ..Options::default()
    };
    assert!(engine("").decide_str("{}", &options).is_ok());
}

#[test]
fn zan_eval_without_a_date_exits_2_with_the_flag_hint() {
    let dir = common::temp_dir("engine-no-date");
    std::fs::write(
        dir.join("r.zan"),
        "rulebook r { title \"t\" as of day }\nsource law { title \"Law\" }\nfact day: date?\noutput rule one: integer cites law \"one\" { 1 }\n",
    )
    .unwrap();
    std::fs::write(dir.join("case.json"), "{}").unwrap();
    let d = dir.to_str().unwrap();
    let case = dir.join("case.json");
    let o = common::zan(&["eval", d, case.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(
            "error: no evaluation date: none was given, and the case has no `day`; give --as-of"
        ),
        "{err}"
    );
    let o = common::zan(&["eval", d, case.to_str().unwrap(), "--as-of", "2026-03-10"]);
    assert_eq!(o.status.code(), Some(0));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_indented_decision_is_the_writer_s_line_laid_out() {
    let engine = Engine::load(common::root().join("rulebooks/kz-visa")).unwrap();
    let examples = common::files_in(&common::root().join("rulebooks/kz-visa/examples"), "json");
    assert!(examples.len() > 10);
    for f in &examples {
        let text = std::fs::read_to_string(f).unwrap();
        for explain in [false, true] {
            let options = Options {
                explain: explain.then_some(zan::eval::Depth::Path),
                ..Options::default()
            };
            let case = engine.case_from_str(&text).unwrap();
            let decision = engine.decide(&case, &options).unwrap();
            let line = engine.decision_text(&decision);
            let mut written = Vec::new();
            engine.write_decision(&decision, &mut written);
            assert_eq!(written, line.as_bytes(), "{}", f.display());
            let value = engine.decision_json(&decision);
            assert_eq!(line, value.to_string(), "{}", f.display());
            let pretty = serde_json::to_string_pretty(&value).unwrap();
            assert_eq!(
                engine.decision_text_pretty(&decision),
                pretty,
                "{}",
                f.display()
            );
        }
    }
}
