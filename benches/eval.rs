//! Benchmarks of the kz-visa rulebook: checking, evaluating 10,000 generated cases, and the
//! end-to-end JSON path (case text → case → decision → decision text), against two references
//! measured in the same run:
//!
//! - the **I/O floor**: serde_json reading the same case texts into typed Rust structs and
//!   writing a result of the same shape, with no rules (`support/kz_visa_baseline.rs`);
//! - a **hand-written Rust baseline**: the decision of one kz-visa rule set (place of issuance,
//!   fingerprinting, passport validity, duties in KZT, the NSC deadlines) written directly in
//!   Rust. It must agree with zan on every generated case, or the bench stops.
//!
//! Before criterion runs, a table of figures and ratios is printed (best of 5 runs with
//! `std::time::Instant`, one thread unless said otherwise); those are the figures to quote.
//! Batch figures run the `zan` binary itself (`zan eval --batch`), fed through a pipe.
//!
//! Cases are generated deterministically (a small LCG, fixed seed) from the example cases in
//! `rulebooks/kz-visa/examples`, varying the fields the rules depend on.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{Datelike, Duration as Days, NaiveDate};
/// mimalloc, as in the `zan` binary: checking and evaluation allocate many small, short-lived
/// values, and the figures are those of the binary.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{black_box, BenchmarkId, Criterion, Throughput};
use serde_json::{json, Value as Json};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use zan::engine::{Engine, Options, Selection};
use zan::eval::{self, output, Case};
use zan::{Rulebook, SourceMap};

#[path = "support/kz_visa_baseline.rs"]
mod baseline;

/// Number of generated cases.
const N: usize = 10_000;
/// Repetitions of each plain measure; the best one is printed.
const REPEATS: usize = 5;
const SEED: u64 = 0x5A4E_2026_0310;

// ------------------------------------------------------------------ loading

fn rulebook_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("rulebooks")
        .join("kz-visa")
}

fn collect(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read rulebook folder") {
        let p = entry.expect("read folder entry").path();
        if p.is_dir() {
            collect(&p, ext, out);
        } else if p.extension().is_some_and(|e| e == ext) {
            out.push(p);
        }
    }
}

fn load_map() -> (SourceMap, usize) {
    // `cargo bench` runs from the package root; relative names keep the file names short.
    let map = zan::load::rulebook(Path::new("rulebooks/kz-visa")).expect("the kz-visa rulebook");
    let lines = map.files().iter().map(|f| f.text.lines().count()).sum();
    (map, lines)
}

/// The example cases that are visa applications: the generator varies their fields.
fn load_examples() -> Vec<Json> {
    let dir = rulebook_dir().join("examples");
    let mut files = Vec::new();
    collect(&dir, "json", &mut files);
    files.sort();
    assert!(
        !files.is_empty(),
        "no example cases under {}",
        dir.display()
    );
    files
        .iter()
        .map(|f| {
            serde_json::from_str(&std::fs::read_to_string(f).expect("read example"))
                .expect("example is JSON")
        })
        .filter(|j: &Json| j.get("application").is_some())
        .collect()
}

// ------------------------------------------------------------------ case generation

/// Knuth's MMIX LCG; the high bits are used.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    /// Uniform in `0..n` (n small).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
    /// True with probability `pct`%.
    fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

#[rustfmt::skip]
const COUNTRIES: &[&str] = &[
    "afghanistan", "algeria", "bangladesh", "china", "egypt", "estonia", "france", "georgia",
    "germany", "india", "indonesia", "iran", "italy", "japan", "jordan", "korea", "kyrgyzstan",
    "latvia", "lithuania", "morocco", "nepal", "nigeria", "pakistan", "philippines", "russia",
    "south_africa", "sri_lanka", "tajikistan", "turkey", "turkmenistan", "ukraine",
    "united_arab_emirates", "united_kingdom", "united_states", "uzbekistan", "vietnam",
];
#[rustfmt::skip]
const REGIONS: &[&str] = &[
    "astana_city", "almaty_city", "shymkent_city", "abai", "akmola", "aktobe", "almaty_region",
    "atyrau", "east_kazakhstan", "jambyl", "jetisu", "karaganda", "kostanay", "kyzylorda",
    "mangystau", "north_kazakhstan", "pavlodar", "turkistan", "ulytau", "west_kazakhstan",
];
/// (category, purpose) pairs that go together, plus a few that do not.
#[rustfmt::skip]
const CATEGORIES: &[(&str, &str)] = &[
    ("c3", "employment"), ("c3", "employment"), ("c3", "employment"),
    ("b7", "internship_or_practical_training"), ("b7", "internship_or_practical_training"),
    ("b12", "tourism"), ("b12", "tourism"), ("c9", "study"), ("b1", "business"), ("b3", "business"),
    ("b10", "private_visit"), ("c2", "family_reunification"), ("c12", "medical_treatment"),
    ("a5", "investment"), ("b8", "permanent_residence"), ("b9_1", "other_purpose"),
    ("c5", "internship_or_practical_training"),
];
#[rustfmt::skip]
const OPERATIONS: &[&str] = &[
    "primary_issuance", "primary_issuance", "primary_issuance", "extension", "cancellation",
    "restoration", "reduction_of_validity",
];
const ENTRIES: &[&str] = &["single", "multiple"];
#[rustfmt::skip]
const CHANNELS: &[&str] = &[
    "foreign_mission", "visa_and_migration_portal", "migration_service_in_kazakhstan",
    "other_channel",
];
#[rustfmt::skip]
const PERMIT_KINDS: &[&str] = &[
    "permanent_residence", "long_term_employment", "long_term_investment", "long_term_education",
    "long_term_medical_treatment", "long_term_other", "short_term_stay",
];
#[rustfmt::skip]
const REGIMES: &[&str] = &[
    "ordinary", "ordinary", "ordinary", "ordinary", "aifc_participant", "aifc_body",
    "innovation_cluster_employee", "fund_employee",
];
#[rustfmt::skip]
const PETITIONERS: &[&str] = &[
    "central_executive_body", "innovation_cluster", "local_executive_body", "employer",
    "educational_institution",
];
#[rustfmt::skip]
const PARTY_KINDS: &[&str] = &[
    "legal_entity", "legal_entity", "branch_or_representative_office", "individual", "state_body",
];
#[rustfmt::skip]
const MISSION_CITIES: &[&str] = &[
    "Berlin", "Islamabad", "Abu Dhabi", "Cairo", "London", "Beijing", "New Delhi", "Tashkent",
    "Ankara", "Moscow",
];
/// Days around which the working-day calendar matters in 2026 (holidays, carry-overs, the
/// 30 August that is not a holiday in 2026, the New Year).
#[rustfmt::skip]
const HOLIDAY_ANCHORS: &[(u32, u32)] = &[
    (1, 2), (1, 7), (3, 6), (3, 20), (4, 30), (5, 6), (5, 8), (5, 26), (7, 3), (8, 28), (10, 23),
    (12, 15), (12, 30),
];

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn text(d: NaiveDate) -> Json {
    Json::String(d.format("%Y-%m-%d").to_string())
}

/// The same month and day `years` earlier (29 February becomes 28 February).
fn years_before(d: NaiveDate, years: i32) -> NaiveDate {
    let y = d.year() - years;
    NaiveDate::from_ymd_opt(y, d.month(), d.day()).unwrap_or_else(|| day(y, d.month(), 28))
}

fn obj(v: &mut Json) -> &mut serde_json::Map<String, Json> {
    v.as_object_mut().expect("a JSON object")
}

/// Set `key` to `value`, or remove it when `value` is `None` (so the default applies).
fn set_or_remove(o: &mut serde_json::Map<String, Json>, key: &str, value: Option<Json>) {
    match value {
        Some(v) => {
            o.insert(key.to_string(), v);
        }
        None => {
            o.remove(key);
        }
    }
}

fn submission_date(r: &mut Lcg) -> NaiveDate {
    let amendment = day(2026, 3, 10);
    match r.below(10) {
        // Right around the entry into force of the 2026 order, on both sides.
        0..=2 => amendment + Days::days(r.range(-10, 10)),
        // Before it (baseline).
        3 => day(2025, 10, 1) + Days::days(r.range(0, 159)),
        // Any day of 2026 after it.
        _ => amendment + Days::days(r.range(0, 290)),
    }
}

fn birth_date(r: &mut Lcg, submitted: NaiveDate) -> NaiveDate {
    match r.below(10) {
        // The 16th birthday within a few days of the evaluation date.
        0..=3 => years_before(submitted, 16) + Days::days(r.range(-4, 4)),
        // Children.
        4 => years_before(submitted, r.range(1, 15) as i32) - Days::days(r.range(0, 364)),
        // Adults.
        _ => years_before(submitted, r.range(17, 70) as i32) - Days::days(r.range(0, 364)),
    }
}

/// The NSC submission day: near a 2026 holiday, or some days before the application.
fn nsc_submission(r: &mut Lcg, submitted: NaiveDate) -> NaiveDate {
    if r.chance(50) {
        let (m, d) = *r.pick(HOLIDAY_ANCHORS);
        day(2026, m, d) + Days::days(r.range(-2, 3))
    } else {
        submitted - Days::days(r.range(0, 21))
    }
}

fn generate(examples: &[Json], i: usize, r: &mut Lcg) -> Json {
    let mut case = r.pick(examples).clone();
    let submitted = submission_date(r);

    // The applicant.
    let citizenship = *r.pick(COUNTRIES);
    {
        let a = obj(obj(&mut case).get_mut("applicant").expect("applicant"));
        a.insert("name".into(), json!(format!("Applicant {i}")));
        a.insert("birth_date".into(), text(birth_date(r, submitted)));
        a.insert("citizenship".into(), json!(citizenship));
        let regime = *r.pick(REGIMES);
        set_or_remove(
            a,
            "special_regime",
            (regime != "ordinary" || r.chance(50)).then(|| json!(regime)),
        );
        set_or_remove(
            a,
            "special_regime_through_family_member",
            (regime != "ordinary").then(|| json!(r.chance(30))),
        );
        let permits: Vec<Json> = (0..r.below(3))
            .map(|_| {
                let valid_until = match r.below(3) {
                    0 => Json::Null,
                    _ => text(submitted + Days::days(r.range(-60, 700))),
                };
                json!({
                    "country": r.pick(COUNTRIES),
                    "kind": r.pick(PERMIT_KINDS),
                    "valid_until": valid_until,
                })
            })
            .collect();
        set_or_remove(
            a,
            "permits_abroad",
            (!permits.is_empty() || r.chance(20)).then(|| Json::Array(permits.clone())),
        );
    }
    let permit_countries: Vec<Json> = case["applicant"]
        .get("permits_abroad")
        .and_then(Json::as_array)
        .map(|ps| ps.iter().map(|p| p["country"].clone()).collect())
        .unwrap_or_default();

    // The application.
    let electronic = r.chance(30);
    {
        let app = obj(obj(&mut case).get_mut("application").expect("application"));
        app.insert("submitted_on".into(), text(submitted));
        let (category, purpose) = *r.pick(CATEGORIES);
        app.insert("category".into(), json!(category));
        app.insert("purpose".into(), json!(purpose));
        let operation = *r.pick(OPERATIONS);
        set_or_remove(
            app,
            "operation",
            (operation != "primary_issuance" || r.chance(70)).then(|| json!(operation)),
        );
        let entries = *r.pick(ENTRIES);
        set_or_remove(
            app,
            "entries",
            (entries != "single" || r.chance(70)).then(|| json!(entries)),
        );
        let form = if electronic { "electronic" } else { "sticker" };
        set_or_remove(
            app,
            "visa_form",
            (electronic || r.chance(80)).then(|| json!(form)),
        );
        // Mostly the channel that goes with the form; sometimes another one.
        let channel = match (electronic, r.below(10)) {
            (_, 0) => *r.pick(CHANNELS),
            (true, _) => "visa_and_migration_portal",
            (false, 1..=6) => "foreign_mission",
            (false, _) => "migration_service_in_kazakhstan",
        };
        set_or_remove(
            app,
            "channel",
            (channel != "foreign_mission" || r.chance(80)).then(|| json!(channel)),
        );
        let mission = (channel == "foreign_mission" && r.chance(90)).then(|| {
            let mut district: Vec<Json> = (0..r.range(0, 3))
                .map(|_| json!(r.pick(COUNTRIES)))
                .collect();
            match r.below(10) {
                // The district covers the country of citizenship.
                0..=5 => district.insert(
                    r.below(district.len() as u64 + 1) as usize,
                    json!(citizenship),
                ),
                // ...or that of a permit held abroad.
                6..=7 if !permit_countries.is_empty() => {
                    district.push(r.pick(&permit_countries).clone())
                }
                _ => {}
            }
            json!({ "city": r.pick(MISSION_CITIES), "consular_district": district })
        });
        set_or_remove(
            app,
            "mission",
            mission.or_else(|| r.chance(30).then_some(Json::Null)),
        );
        for key in ["filed_in_region", "temporary_residence_region"] {
            let v = match r.below(10) {
                0..=5 => Some(json!(r.pick(REGIONS))),
                6 => Some(Json::Null),
                _ => None,
            };
            set_or_remove(app, key, v);
        }
        let petition = match r.below(10) {
            0..=5 => Some(json!(r.pick(PETITIONERS))),
            6 => Some(Json::Null),
            _ => None,
        };
        set_or_remove(app, "internship_petition_from", petition);
        set_or_remove(
            app,
            "training_under_innovation_cluster_program",
            r.chance(60).then(|| json!(r.chance(50))),
        );
        set_or_remove(
            app,
            "fingerprints_registered",
            r.chance(80).then(|| json!(r.chance(50))),
        );
    }
    // C3 filings at the region of the inviting party, or of temporary residence, half the time.
    let filed = case["application"].get("filed_in_region").cloned();

    // The invitation: mostly present, with the MIA's findings mostly favourable.
    let root = obj(&mut case);
    match r.below(10) {
        0 => {
            root.remove("invitation");
        }
        1 => {
            root.insert("invitation".into(), Json::Null);
        }
        _ => {
            let region = match &filed {
                Some(f @ Json::String(_)) if r.chance(50) => f.clone(),
                _ => json!(r.pick(REGIONS)),
            };
            let mut party = json!({ "registration_region": region });
            let p = obj(&mut party);
            if r.chance(70) {
                p.insert(
                    "name".into(),
                    json!(format!("Inviting party {}", r.below(1000))),
                );
            }
            if r.chance(70) {
                p.insert("kind".into(), json!(r.pick(PARTY_KINDS)));
            }
            let mut inv = json!({ "inviting_party": party });
            let o = obj(&mut inv);
            for (key, usual) in [
                ("documents_match_purpose", true),
                ("entries_and_validity_correct", true),
                ("grounds_for_refusal_of_entry", false),
                ("grounds_for_refusal_of_service", false),
            ] {
                if r.chance(50) {
                    o.insert(key.into(), json!(if r.chance(90) { usual } else { !usual }));
                }
            }
            root.insert("invitation".into(), inv);
        }
    }

    // The issued visa, sometimes.
    match r.below(10) {
        0..=5 => {
            root.remove("issued_visa");
        }
        6 => {
            root.insert("issued_visa".into(), Json::Null);
        }
        _ => {
            let visa = json!({
                "sticker_completed_per_approved_form": r.chance(80),
                "has_corrections": r.chance(30),
            });
            root.insert("issued_visa".into(), visa);
        }
    }

    // Requested documents: kept as in the example, replaced, or left out.
    match r.below(4) {
        0 => {
            root.remove("requested_documents");
        }
        1 => {
            let docs: Vec<Json> = (0..r.range(1, 4))
                .map(|k| {
                    json!({
                        "document": format!("document {k}"),
                        "obtainable_from_state_information_systems": r.chance(40),
                        "notarized_copy_required": r.chance(30),
                        "original_presented": r.chance(30),
                        "provided_for_by_pension_or_social_security_legislation": r.chance(20),
                    })
                })
                .collect();
            root.insert("requested_documents".into(), Json::Array(docs));
        }
        _ => {}
    }

    // The NSC procedure: submission and response across the 2026 holidays, detailed review.
    let nsc = r.chance(85).then(|| nsc_submission(r, submitted));
    set_or_remove(
        root,
        "nsc_submitted_on",
        Some(nsc.map_or(Json::Null, text)).filter(|v| !v.is_null() || r.chance(50)),
    );
    let detailed = r.chance(25);
    set_or_remove(
        root,
        "nsc_detailed_review_required",
        (detailed || r.chance(50)).then(|| json!(detailed)),
    );
    let responded = nsc.filter(|_| r.chance(80)).map(|s| {
        s + Days::days(if detailed {
            r.range(0, 35)
        } else {
            r.range(0, 8)
        })
    });
    set_or_remove(
        root,
        "nsc_responded_on",
        Some(responded.map_or(Json::Null, text)).filter(|v| !v.is_null() || r.chance(50)),
    );
    let decided = responded
        .filter(|_| r.chance(70))
        .map(|s| s + Days::days(r.range(0, 4)));
    set_or_remove(
        root,
        "invitation_decided_on",
        Some(decided.map_or(Json::Null, text)).filter(|v| !v.is_null() || r.chance(50)),
    );
    case
}

fn generate_all(examples: &[Json]) -> Vec<Json> {
    let mut r = Lcg(SEED);
    (0..N).map(|i| generate(examples, i, &mut r)).collect()
}

// ------------------------------------------------------------------ the measured work

/// JSON text → case → decision → decision JSON text (one line), as `zan eval --batch` does.
fn eval_json_all(engine: &Engine, texts: &[String], options: &Options) -> usize {
    texts
        .iter()
        .map(|t| {
            engine
                .decide_str(black_box(t), options)
                .expect("decided")
                .len()
        })
        .sum()
}

/// The decisions alone, the case already read into zan's value form.
fn decide_all(engine: &Engine, cases: &[Case], options: &Options) -> usize {
    cases
        .iter()
        .map(|c| {
            engine
                .decide(black_box(c), options)
                .expect("decided")
                .outputs
                .len()
        })
        .sum()
}

fn parse_all(rb: &Rulebook, cases: &[Json]) -> usize {
    cases
        .iter()
        .map(|j| {
            eval::case_from_json(rb, black_box(j))
                .expect("a valid case")
                .facts
                .len()
        })
        .sum()
}

fn read_all(rb: &Rulebook, texts: &[String]) -> usize {
    texts
        .iter()
        .map(|t| {
            eval::case_from_str(rb, black_box(t))
                .expect("a valid case")
                .facts
                .len()
        })
        .sum()
}

/// Best wall time of `REPEATS` runs of `f`.
fn best_of<R>(mut f: impl FnMut() -> R) -> Duration {
    (0..REPEATS)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn per_second(count: usize, t: Duration) -> f64 {
    count as f64 / t.as_secs_f64().max(1e-12)
}

// ------------------------------------------------------------------ main

struct Fixture {
    map: SourceMap,
    engine: Engine,
    cases: Vec<Case>,
    /// The cases as compact JSON text, one line each (what `--batch` reads).
    texts: Vec<String>,
    json: Vec<Json>,
    /// The baseline's rule set, resolved once.
    rule_set: Selection,
}

impl Fixture {
    fn rb(&self) -> &Rulebook {
        self.engine.rulebook()
    }
}

fn fixture() -> (Fixture, usize) {
    let (map, lines) = load_map();
    let engine = Engine::from_sources(map.clone()).expect("the kz-visa rulebook checks");
    let rb = engine.rulebook();
    let json = generate_all(&load_examples());
    let cases: Vec<Case> = json
        .iter()
        .enumerate()
        .map(|(i, j)| match eval::case_from_json(rb, j) {
            Ok(c) => c,
            Err(errors) => {
                let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
                panic!(
                    "generated case {i} is invalid:\n  {}\n{}",
                    list.join("\n  "),
                    serde_json::to_string_pretty(j).unwrap_or_default()
                );
            }
        })
        .collect();
    assert_eq!(cases.len(), N);
    let texts: Vec<String> = json
        .iter()
        .map(|j| serde_json::to_string(j).expect("case JSON"))
        .collect();
    let rule_set = engine
        .select(baseline::OUTPUTS)
        .expect("the rule set's outputs exist");
    let rule_set_only = Options {
        outputs: Some(&rule_set),
        ..Options::default()
    };
    for (i, (case, text)) in cases.iter().zip(&texts).enumerate() {
        // Both readers of zan give the same case.
        let read = eval::case_from_str(rb, text).expect("the text reads");
        assert_eq!(
            &read, case,
            "generated case {i}: the two case readers differ"
        );
        // The decision text written directly is the JSON tree's text.
        let full = engine.decide(case, &Options::default()).expect("decided");
        assert_eq!(
            engine.decision_text(&full),
            engine.decision_json(&full).to_string(),
            "generated case {i}: decision text"
        );
        // The hand-written baseline agrees with zan on the rule set.
        let decision = engine.decide(case, &rule_set_only).expect("decided");
        if let Err(e) = baseline::agreement(&engine.decision_json(&decision), text) {
            panic!("generated case {i}: the hand-written baseline disagrees with zan: {e}");
        }
    }
    (
        Fixture {
            map,
            engine,
            cases,
            texts,
            json,
            rule_set,
        },
        lines,
    )
}

/// How varied the generated cases are, so a reader can see what the figures cover: how many
/// cases fall before the 2026 order, and how many distinct values each output takes.
fn describe_cases(f: &Fixture) {
    let amendment = zan::time::date::parse("2026-03-10").expect("date");
    let mut before = 0;
    let mut with_errors = 0;
    let mut decisions = HashSet::new();
    let mut values: BTreeMap<String, HashSet<String>> = BTreeMap::new();
    for c in &f.cases {
        let d = f.engine.decide(c, &Options::default()).expect("decided");
        before += usize::from(d.as_of < amendment);
        with_errors += usize::from(d.has_errors());
        let j = output::decision_json(f.rb(), &d);
        if let Some(outputs) = j["outputs"].as_object() {
            for (name, v) in outputs {
                values
                    .entry(name.clone())
                    .or_default()
                    .insert(v.to_string());
            }
        }
        decisions.insert(j["outputs"].to_string());
    }
    let varied: Vec<String> = values
        .iter()
        .map(|(k, v)| format!("{k} {}", v.len()))
        .collect();
    println!(
        "zan cases: {N} generated (seed {SEED:#x}); {before} evaluated before 2026-03-10; \
         {with_errors} with output errors; {} distinct decisions",
        decisions.len()
    );
    println!(
        "zan cases: distinct values per output: {}",
        varied.join(", ")
    );
}

/// One row of the printed table.
struct Figure {
    name: &'static str,
    seconds: f64,
    /// Cases in `seconds` (0 for a figure that is not per case).
    cases: usize,
}

impl Figure {
    fn per_case_us(&self) -> f64 {
        self.seconds * 1e6 / self.cases.max(1) as f64
    }
}

fn row(f: &Figure) {
    if f.cases == 0 {
        println!("  {:<58} {:>10.2} ms", f.name, f.seconds * 1e3);
    } else {
        println!(
            "  {:<58} {:>10.2} µs/case {:>12.0} cases/s",
            f.name,
            f.per_case_us(),
            per_second(f.cases, Duration::from_secs_f64(f.seconds))
        );
    }
}

fn ratio(label: &str, value: f64, target: &str, met: bool) {
    println!(
        "  {label:<58} {value:>9.2}x   target {target}: {}",
        if met { "met" } else { "MISSED" }
    );
}

fn measure(name: &'static str, cases: usize, f: impl FnMut() -> usize) -> Figure {
    let t = best_of(f);
    let figure = Figure {
        name,
        seconds: t.as_secs_f64(),
        cases,
    };
    row(&figure);
    figure
}

fn plain_measures(f: &Fixture, lines: usize) {
    let rb = f.rb();
    let all = Options::default();
    let rule_set = Options {
        outputs: Some(&f.rule_set),
        ..Options::default()
    };
    let typed: Vec<baseline::VisaCase> = f.texts.iter().map(|t| baseline::parse(t)).collect();
    println!(
        "zan figures ({N} generated kz-visa cases, best of {REPEATS}, 1 thread; rule set = {})",
        baseline::OUTPUTS.join(", ")
    );
    let floor = measure(
        "I/O floor: serde typed structs in, result shape out",
        N,
        || {
            f.texts
                .iter()
                .map(|t| baseline::io_floor(black_box(t)).len())
                .sum()
        },
    );
    let hand = measure("hand-written Rust: rule set, decision alone", N, || {
        typed
            .iter()
            .map(|c| baseline::decide(black_box(c)).errors.len())
            .sum()
    });
    measure("hand-written Rust: rule set, JSON text in/out", N, || {
        f.texts
            .iter()
            .map(|t| baseline::baseline_json(black_box(t)).len())
            .sum()
    });
    let zan_e2e = measure("zan: rule set, JSON text in/out", N, || {
        eval_json_all(&f.engine, &f.texts, &rule_set)
    });
    let zan_eval = measure("zan: rule set, evaluation alone (value form)", N, || {
        decide_all(&f.engine, &f.cases, &rule_set)
    });
    measure("zan: read case text into slots (no evaluation)", N, || {
        read_all(rb, &f.texts)
    });
    measure("zan: read case from a serde_json::Value tree", N, || {
        parse_all(rb, &f.json)
    });
    let outputs = f.engine.output_names().len();
    measure("zan: every output, evaluation alone", N, || {
        decide_all(&f.engine, &f.cases, &all)
    });
    measure("zan: every output, JSON text in/out", N, || {
        eval_json_all(&f.engine, &f.texts, &all)
    });
    let files = f.map.files().len();
    let check = measure(
        "zan check kz-visa (parse, resolve, type, versions)",
        0,
        || usize::from(zan::check::check(&f.map).rulebook.is_some()),
    );
    println!("  ({outputs} outputs; kz-visa: {files} files, {lines} lines)");
    println!("ratios (same run):");
    let e2e = zan_e2e.seconds / floor.seconds;
    ratio("zan end to end / I/O floor", e2e, "<= 1.5x", e2e <= 1.5);
    let ev = zan_eval.seconds / hand.seconds;
    ratio(
        "zan evaluation alone / hand-written Rust",
        ev,
        "<= 10x (aim 5x)",
        ev <= 10.0,
    );
    let ms = check.seconds * 1e3;
    println!(
        "  {:<58} {ms:>9.2} ms  target < 20 ms: {}",
        "zan check kz-visa",
        if ms < 20.0 { "met" } else { "MISSED" }
    );
    // The batch figures take about a minute; `ZAN_BENCH_QUICK=1` leaves them out.
    if std::env::var_os("ZAN_BENCH_QUICK").is_none() {
        batch_measures(f);
    }
}

/// `zan eval --batch` as a user runs it: the binary, the cases through a pipe, stdout read
/// and counted. Returns (seconds, the summary line on stderr).
fn run_batch(f: &Fixture, cases: usize, threads: usize, extra: &[&str]) -> (f64, String) {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};
    let dir = rulebook_dir();
    let mut child = Command::new(env!("CARGO_BIN_EXE_zan"))
        .arg("eval")
        .arg(&dir)
        .args(["--batch", "-", "--threads", &threads.to_string()])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run zan");
    let stdin = child.stdin.take().expect("stdin");
    let texts = &f.texts;
    let started = Instant::now();
    let feeder = std::thread::scope(|s| {
        let feeder = s.spawn(move || {
            // Owned here: dropping it at the end closes the pipe, which ends the input.
            let mut w = std::io::BufWriter::with_capacity(1 << 20, stdin);
            for i in 0..cases {
                w.write_all(texts[i % texts.len()].as_bytes())
                    .expect("write");
                w.write_all(b"\n").expect("write");
            }
            w.flush().expect("flush");
        });
        let out = BufReader::with_capacity(1 << 20, child.stdout.take().expect("stdout"));
        let lines = out.split(b'\n').count();
        assert_eq!(lines, cases, "one line out per case in");
        feeder.join()
    });
    feeder.expect("feeder");
    let output = child.wait_with_output().expect("zan ends");
    let seconds = started.elapsed().as_secs_f64();
    assert!(output.status.success(), "zan eval --batch failed");
    let summary = String::from_utf8_lossy(&output.stderr).trim().to_string();
    (seconds, summary)
}

fn peak_mb(summary: &str) -> Option<u64> {
    let rest = summary.split("peak memory ").nth(1)?;
    rest.split_whitespace().next()?.parse().ok()
}

/// `zan eval --batch FILE > /dev/null`: the workers' throughput, with nothing else competing
/// for the two cores but the reader and writer threads of zan itself.
fn run_batch_file(input: &Path, threads: usize) -> f64 {
    use std::process::{Command, Stdio};
    let started = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_zan"))
        .arg("eval")
        .arg(rulebook_dir())
        .arg("--batch")
        .arg(input)
        .args(["--threads", &threads.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run zan");
    assert!(status.success(), "zan eval --batch failed");
    started.elapsed().as_secs_f64()
}

fn batch_measures(f: &Fixture) {
    const BATCH: usize = 100_000;
    let input = std::env::temp_dir().join(format!("zan-bench-{}.ndjson", std::process::id()));
    let mut text = String::new();
    for i in 0..BATCH {
        text.push_str(&f.texts[i % f.texts.len()]);
        text.push('\n');
    }
    std::fs::write(&input, text).expect("write the batch input");
    println!(
        "zan eval --batch (the binary, {BATCH} cases from a file, output discarded, every output):"
    );
    let mut best = [f64::MAX; 2];
    for _ in 0..3 {
        for (i, threads) in [1, 2].into_iter().enumerate() {
            best[i] = best[i].min(run_batch_file(&input, threads));
        }
    }
    let _ = std::fs::remove_file(&input);
    for (i, threads) in [1, 2].into_iter().enumerate() {
        println!(
            "  {:<58} {:>10.2} µs/case {:>12.0} cases/s",
            format!("{threads} thread(s), best of 3"),
            best[i] * 1e6 / BATCH as f64,
            BATCH as f64 / best[i]
        );
    }
    let speedup = best[0] / best[1];
    ratio("2 threads / 1 thread", speedup, ">= 1.8x", speedup >= 1.8);
    const MILLION: usize = 1_000_000;
    let (t, summary) = run_batch(f, MILLION, 2, &["--summary-by", "place_of_issuance"]);
    let mb = peak_mb(&summary);
    println!(
        "  {:<58} {:>10.1} s, peak RSS {} MB  target < 100 MB: {}",
        "1,000,000 cases through a pipe, 2 threads",
        t,
        mb.map_or("?".into(), |m| m.to_string()),
        if mb.is_some_and(|m| m < 100) {
            "met"
        } else {
            "MISSED"
        }
    );
    println!("  summary: {summary}");
}

fn benches(c: &mut Criterion, f: &Fixture) {
    let all = Options::default();
    let rule_set = Options {
        outputs: Some(&f.rule_set),
        ..Options::default()
    };
    c.bench_function("check/kz-visa", |b| {
        b.iter(|| zan::check::check(black_box(&f.map)))
    });

    let mut g = c.benchmark_group("eval");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function(BenchmarkId::new("kz-visa", "10k"), |b| {
        b.iter(|| decide_all(&f.engine, &f.cases, &all))
    });
    g.bench_function(BenchmarkId::new("kz-visa-rule-set", "10k"), |b| {
        b.iter(|| decide_all(&f.engine, &f.cases, &rule_set))
    });
    g.bench_function(BenchmarkId::new("hand-written-rule-set", "10k"), |b| {
        let typed: Vec<baseline::VisaCase> = f.texts.iter().map(|t| baseline::parse(t)).collect();
        b.iter(|| {
            typed
                .iter()
                .map(|c| baseline::decide(black_box(c)).errors.len())
                .sum::<usize>()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("eval_json");
    g.throughput(Throughput::Elements(N as u64));
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    g.bench_function(BenchmarkId::new("kz-visa", "10k"), |b| {
        b.iter(|| eval_json_all(&f.engine, &f.texts, &all))
    });
    g.bench_function(BenchmarkId::new("kz-visa-rule-set", "10k"), |b| {
        b.iter(|| eval_json_all(&f.engine, &f.texts, &rule_set))
    });
    g.bench_function(BenchmarkId::new("io-floor", "10k"), |b| {
        b.iter(|| {
            f.texts
                .iter()
                .map(|t| baseline::io_floor(black_box(t)).len())
                .sum::<usize>()
        })
    });
    g.finish();
}

fn main() {
    let (f, lines) = fixture();
    // `cargo test --benches` runs this binary with `--bench` absent: check the fixture only.
    let benching = std::env::args().any(|a| a == "--bench");
    // `--profile-time` (criterion's mode for profilers) runs the chosen benchmark alone.
    let profiling = std::env::args().any(|a| a == "--profile-time");
    if benching && !profiling {
        describe_cases(&f);
        plain_measures(&f, lines);
    }
    let mut c = Criterion::default()
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1))
        .sample_size(20)
        .configure_from_args();
    benches(&mut c, &f);
    c.final_summary();
}
