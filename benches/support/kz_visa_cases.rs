//! The generated kz-visa cases of the eval bench: a small LCG with a fixed seed varies the
//! fields the rules depend on, starting from the example cases that are visa applications.

use chrono::{Datelike, Duration as Days, NaiveDate};
use serde_json::{json, Value as Json};
use std::path::{Path, PathBuf};

/// Number of generated cases.
pub const N: usize = 10_000;
pub const SEED: u64 = 0x5A4E_2026_0310;

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

pub fn generate_all(examples: &[Json]) -> Vec<Json> {
    let mut r = Lcg(SEED);
    (0..N).map(|i| generate(examples, i, &mut r)).collect()
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

/// The example cases that are visa applications: the generator varies their fields.
pub fn load_examples(rulebook: &Path) -> Vec<Json> {
    let dir = rulebook.join("examples");
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
